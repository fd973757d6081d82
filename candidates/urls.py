from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("<int:pk>/", views.local_service_detail, name="local_service_detail"),
    path("reseaux/<int:pk>/", views.central_service_detail, name="central_service_detail"),
]
