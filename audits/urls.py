from django.urls import path

from audits.views import api, grading, grids, planning, report

app_name = "audits"

urlpatterns = [
    # Planning: the audits list, creation, team, draws, plan (planning.py)
    path("", planning.audit_list, name="audit_list"),
    path("creer/<int:application_pk>/", planning.audit_create, name="audit_create"),
    path("<int:pk>/", planning.audit_detail, name="audit_detail"),
    path("<int:pk>/plan/", planning.plan_edit, name="plan_edit"),
    path("<int:pk>/plan/envoyer/", planning.plan_send, name="plan_send"),
    path("<int:pk>/plan/reprogrammer/", planning.plan_reschedule, name="plan_reschedule"),
    path("<int:pk>/auditeurs/", planning.assignment_propose, name="assignment_propose"),
    path("equipe/<int:pk>/declaration/", planning.assignment_declare, name="assignment_declare"),
    path("equipe/<int:pk>/retirer/", planning.assignment_remove, name="assignment_remove"),
    path("<int:pk>/tirage/", planning.draw_create, name="draw_create"),
    path("tirages/<int:pk>/", planning.draw_detail, name="draw_detail"),
    # The tablet's JSON endpoints (api.py)
    path("<int:pk>/notes/", api.grade_batch, name="grade_batch"),
    path("<int:pk>/photos/", api.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", api.photo_download, name="photo_download"),
    # Grading on the tablet, offline web app (grading.py)
    path("<int:pk>/notation/", grading.audit_grading, name="grading"),
    path("<int:pk>/cloture/", grading.closing_meeting, name="closing_meeting"),
    path("manifest.webmanifest", grading.manifest, name="manifest"),
    path("sw.js", grading.service_worker, name="service_worker"),
    # The report, observations, corrective actions, plan PDF (report.py)
    path("<int:pk>/rapport/", report.report_edit, name="report_edit"),
    path("<int:pk>/rapport/envoyer/", report.report_send, name="report_send"),
    path("<int:pk>/rapport.pdf", report.report_pdf, name="report_pdf"),
    path("<int:pk>/plan.pdf", report.plan_pdf, name="plan_pdf"),
    path("<int:pk>/observations/", report.report_answer, name="report_answer"),
    path("<int:pk>/actions-correctives/", report.corrective_action_propose, name="corrective_action_propose"),
    path(
        "actions-correctives/<int:pk>/avis/", report.corrective_action_judge, name="corrective_action_judge"
    ),
    path("<int:pk>/transmettre/", report.audit_close, name="audit_close"),
    # The DITP's grid versions (grids.py)
    path("grilles/", grids.grid_list, name="grid_list"),
    path("grilles/<int:pk>/", grids.grid_detail, name="grid_detail"),
    path("grilles/<int:pk>/telecharger.json", grids.grid_download, name="grid_download"),
]
