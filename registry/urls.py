from django.urls import include, path

from registry import views

app_name = "registry"

urlpatterns = [
    path("<int:pk>/", views.certification_body_detail, name="certification_body_detail"),
    # --- back office (registry/views/backoffice.py) ---
    # /organismes/pilotage/…, in this "registry" namespace (urls_backoffice has no app_name of its own).
    path("pilotage/", include("registry.urls_backoffice")),
    # --- end back office ---
]
