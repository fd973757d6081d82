from django.urls import path

from audits.views import api, grading, grids, report  # , planning

app_name = "audits"

urlpatterns = [
    # Planning: the audits list, creation, team, draws, plan (planning.py)
    # PLANNING path("", planning.audit_list, name="audit_list"),
    # PLANNING path("creer/<int:application_pk>/", planning.audit_create, name="audit_create"),
    # PLANNING path("<int:pk>/", planning.audit_detail, name="audit_detail"),
    # PLANNING path("<int:pk>/plan/", planning.plan_edit, name="plan_edit"),
    # PLANNING path("<int:pk>/plan/envoyer/", planning.plan_send, name="plan_send"),
    # PLANNING path("<int:pk>/plan/reprogrammer/", planning.plan_reschedule, name="plan_reschedule"),
    # PLANNING path("<int:pk>/auditeurs/", planning.assignment_propose, name="assignment_propose"),
    # PLANNING path("equipe/<int:pk>/declaration/", planning.assignment_declare, name="assignment_declare"),
    # PLANNING path("equipe/<int:pk>/retirer/", planning.assignment_remove, name="assignment_remove"),
    # PLANNING path("<int:pk>/tirage/", planning.draw_create, name="draw_create"),
    # PLANNING path("tirages/<int:pk>/", planning.draw_detail, name="draw_detail"),
    # The tablet's JSON endpoints (api.py)
    path("<int:pk>/notes/", api.grade_batch, name="grade_batch"),
    path("<int:pk>/photos/", api.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", api.photo_download, name="photo_download"),
    # Grading on the tablet, offline web app (grading.py)
    # -- grading routes --
    # The report, observations, corrective actions, plan PDF (report.py)
    # -- report routes --
    # The DITP's grid versions (grids.py)
    # -- grid routes --
]
