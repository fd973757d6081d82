from django.urls import path

from decisions.views import attestations, decide, lifecycle

app_name = "decisions"

urlpatterns = [
    # The decision page and its issuing (decide.py)
    path("dossiers/<int:application_pk>/decision/", decide.decision_prepare, name="decision_prepare"),
    path("<int:pk>/", decide.decision_detail, name="decision_detail"),
    # Attestations: download, public verification (attestations.py)
    path(
        "attestations/<int:pk>/telecharger/", attestations.attestation_download, name="attestation_download"
    ),
    path("verifier/", attestations.attestation_check_upload, name="attestation_check_upload"),
    path("verifier/<str:token>/", attestations.attestation_verify, name="attestation_verify"),
    # The label's life: action plans, suspensions, withdrawals, appeals, refusal letter, trademark kit (lifecycle.py)
    path("labels/", lifecycle.label_list, name="label_list"),
    path("labels/<int:pk>/", lifecycle.label_detail, name="label_detail"),
    path("labels/<int:pk>/suspendre/", lifecycle.suspension_create, name="suspension_create"),
    path("suspensions/<int:pk>/lever/", lifecycle.suspension_lift, name="suspension_lift"),
    path("labels/<int:pk>/retirer/", lifecycle.withdrawal_create, name="withdrawal_create"),
    path("labels/<int:pk>/kit/", lifecycle.trademark_kit, name="trademark_kit"),
    path("plans-d-actions/<int:pk>/", lifecycle.action_plan_submit, name="action_plan_submit"),
    path("<int:pk>/recours/", lifecycle.decision_appeals, name="decision_appeals"),
    path("<int:pk>/recours/deposer/", lifecycle.appeal_file, name="appeal_file"),
    path("recours/<int:pk>/avis/", lifecycle.appeal_record, name="appeal_record"),
    path("<int:pk>/lettre-de-refus.pdf", lifecycle.refusal_letter, name="refusal_letter"),
]
