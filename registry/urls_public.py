"""The public registry and its open data (issue #8): no login."""

from django.urls import path

from registry.views import opendata, public

app_name = "registre"

urlpatterns = [
    path("", public.registry_list, name="list"),
    path("services/<str:siret>/", public.service_detail, name="service"),
    path("organismes/", public.body_list, name="bodies"),
    # --- open data (registry/views/opendata.py) ---
    path("export.csv", opendata.export_csv, name="export_csv"),
    path("export.json", opendata.export_json, name="export_json"),
    path("flux.atom", opendata.feed, name="feed"),
    # --- end open data ---
]
