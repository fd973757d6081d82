from django.urls import path  # noqa: F401

from decisions.views import attestations, decide, lifecycle  # noqa: F401

app_name = "decisions"

urlpatterns = [
    # The decision page and its issuing (decide.py)
    path("dossiers/<int:application_pk>/decision/", decide.decision_prepare, name="decision_prepare"),
    path("<int:pk>/", decide.decision_detail, name="decision_detail"),
    # Attestations: download, public verification (attestations.py)
    # -- attestation routes --
    # The label's life: action plans, suspensions, withdrawals, appeals, refusal letter, trademark kit (lifecycle.py)
    # -- lifecycle routes --
]
