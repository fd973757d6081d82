"""Routes of the DITP back office (registry/views/backoffice.py), under /organismes/pilotage/ in the "registry"
namespace (included from registry/urls.py)."""

from django.urls import path

from registry.views import backoffice

urlpatterns = [
    path("", backoffice.backoffice_home, name="backoffice_home"),
    path("habilitations/", backoffice.habilitation_list, name="habilitation_list"),
    path("habilitations/<int:pk>/", backoffice.habilitation_detail, name="habilitation_detail"),
    path("habilitations/<int:pk>/accorder/", backoffice.habilitation_grant, name="habilitation_grant"),
    path("habilitations/<int:pk>/renouveler/", backoffice.habilitation_renew, name="habilitation_renew"),
    path("habilitations/<int:pk>/suspendre/", backoffice.habilitation_suspend, name="habilitation_suspend"),
    path("habilitations/<int:pk>/lever/", backoffice.habilitation_lift, name="habilitation_lift"),
    path("habilitations/<int:pk>/retirer/", backoffice.habilitation_withdraw, name="habilitation_withdraw"),
    path("controles-publication/", backoffice.publication_controls, name="publication_controls"),
]
