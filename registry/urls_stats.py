"""National statistics for the commission and the DITP (issue #8)."""

from django.urls import path

from registry.views import stats as stats_views

app_name = "statistiques"

urlpatterns = [
    # --- statistics (registry/views/stats.py) ---
    path("", stats_views.dashboard, name="dashboard"),
    path("<slug:table>.csv", stats_views.table_csv, name="table_csv"),
    # --- end statistics ---
]
