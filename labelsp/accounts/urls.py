from django.urls import path

from labelsp.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("roles/", views.memberships, name="memberships"),
    path("roles/<int:pk>/activer/", views.switch_membership, name="switch_membership"),
]
