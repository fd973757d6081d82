from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from labelsp import views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Services Publics + — administration DITP"

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("langue/<str:code>/", views.language, name="language"),
    path("compte/", include("allauth.urls")),
    path("espace/", include("labelsp.accounts.urls")),
    path("services/", include("candidates.urls")),
    path("organismes/", include("registry.urls")),
    path("registre/", include("registry.urls_public")),
    path("api/v1/", include("registry.urls_api")),
    path("statistiques/", include("registry.urls_stats")),
    path("enquetes/", include("surveys.urls")),
    path("audits/", include("audits.urls")),
    path("decisions/", include("decisions.urls")),
    path("echeances/", include("labelsp.deadlines.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "labelsp.views.page_not_found"
handler500 = "labelsp.views.server_error"
handler403 = "labelsp.views.permission_denied"
