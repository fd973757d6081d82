"""Found by allauth's provider URL discovery (`allauth.urls`), so mounted under /compte/proconnect/."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns
from django.urls import path

from labelsp.proconnect import views
from labelsp.proconnect.provider import ProConnectProvider

urlpatterns = [
    *default_urlpatterns(ProConnectProvider),
    path("proconnect/logout/", views.logout, name="proconnect_logout"),
]
