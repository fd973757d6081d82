from django.urls import path

from surveys.views import campaigns, invitations, public, questionnaires, report

app_name = "surveys"

urlpatterns = [
    # The candidate's campaigns (campaigns.py)
    path("", campaigns.campaign_list, name="campaign_list"),
    path("nouvelle/", campaigns.campaign_create, name="campaign_create"),
    path("<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:pk>/cloturer/", campaigns.campaign_close, name="campaign_close"),
    path("<int:pk>/import/", campaigns.campaign_import, name="campaign_import"),
    path("<int:pk>/saisie/", campaigns.paper_entry, name="paper_entry"),
    path("<int:pk>/affiche.pdf", campaigns.poster, name="poster"),
    path("<int:pk>/rapport.pdf", report.results_report, name="results_report"),
    path("<int:pk>/invitations/", invitations.invitation_list, name="invitation_list"),
    # The DITP's questionnaire versions (questionnaires.py)
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/<int:pk>/", questionnaires.questionnaire_detail, name="questionnaire_detail"),
    # Personal invitations: one answer per link (invitations.py)
    path("i/<str:token>/", invitations.invitation_answer, name="invitation_answer"),
    # The public answer page, reached by link or QR code (public.py)
    path("r/<str:token>/", public.answer, name="answer"),
    path("r/<str:token>/merci/", public.thanks, name="thanks"),
]
