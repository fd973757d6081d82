"""The open data API, version 1 (issue #8): paginated JSON, no login."""

from django.urls import path

from registry.views import opendata

app_name = "api"

urlpatterns = [
    # --- api (registry/views/opendata.py) ---
    path("labels/", opendata.api_labels, name="labels"),
    path("labels/<str:siret>/", opendata.api_label, name="label"),
    path("organismes/", opendata.api_bodies, name="bodies"),
    # --- end api ---
]
