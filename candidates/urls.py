from django.urls import path

from candidates.views import applications, eligibility, network, registration, review

app_name = "candidates"

urlpatterns = [
    # A service, its sites, its perimeter, its contract (registration.py)
    path("inscription/", registration.register, name="register"),
    path("<int:pk>/", registration.local_service_detail, name="local_service_detail"),
    path("<int:pk>/sites/ajouter/", registration.site_add, name="site_add"),
    path("sites/<int:pk>/modifier/", registration.site_edit, name="site_edit"),
    path("sites/<int:pk>/retirer/", registration.site_deactivate, name="site_deactivate"),
    path("<int:pk>/perimetre/", registration.perimeter_edit, name="perimeter_edit"),
    path("contrat/", registration.contract_create, name="contract_create"),
    # A central service's network (network.py)
    path("reseaux/<int:pk>/", network.central_service_detail, name="central_service_detail"),
    path("<int:pk>/rattachement/", network.network_attachment, name="network_attachment"),
    # Eligibility (eligibility.py)
    path("eligibilite/", eligibility.category_list, name="eligibility_list"),
    path("eligibilite/demandes/", eligibility.request_list, name="eligibility_requests"),
    path("eligibilite/demandes/nouvelle/", eligibility.request_create, name="eligibility_create"),
    path("eligibilite/demandes/<int:pk>/", eligibility.request_detail, name="eligibility_detail"),
    path(
        "eligibilite/demandes/<int:pk>/transmettre/", eligibility.request_forward, name="eligibility_forward"
    ),
    path("eligibilite/demandes/<int:pk>/decider/", eligibility.request_decide, name="eligibility_decide"),
    # The application file, candidate side (applications.py)
    path("dossiers/", applications.application_list, name="application_list"),
    path("dossiers/nouveau/", applications.application_create, name="application_create"),
    path("dossiers/<int:pk>/", applications.application_detail, name="application_detail"),
    path("dossiers/<int:pk>/modifier/", applications.application_edit, name="application_edit"),
    path("dossiers/<int:pk>/pieces/", applications.document_upload, name="document_upload"),
    path("dossiers/<int:pk>/deposer/", applications.application_submit, name="application_submit"),
    path("dossiers/<int:pk>/retirer/", applications.application_withdraw, name="application_withdraw"),
    path("dossiers/<int:pk>/messages/", applications.message_post, name="message_post"),
    path("documents/<int:pk>/", applications.document_download, name="document_download"),
    # The certification body's side (review.py)
    path("organisme/dossiers/", review.inbox, name="review_inbox"),
    path("dossiers/<int:pk>/examen/", review.application_review, name="application_review"),
    path("dossiers/<int:pk>/cloturer/", review.application_close, name="application_close"),
]
