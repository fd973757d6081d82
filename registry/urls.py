from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("<int:pk>/", views.certification_body_detail, name="certification_body_detail"),
]
