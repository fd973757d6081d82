"""Demo data of the candidate side (issue #3): eligibility list and requests, perimeter, contracts, and
application files in every state, with their pieces, messages, checklists and proofs of deposit.

Files are created through the services (so their logs are real) the first time only; a re-run finds them by
their candidate and leaves them as they are. Dates are relative to the day of the first run.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from candidates import services
from candidates.enums import (
    REQUIRED_PIECES,
    ApplicationKind,
    ApplicationOutcome,
    ApplicationStatus,
    ChecklistItem,
    DocumentPiece,
    EligibilityRequestStatus,
    LocalServiceKind,
    PerimeterDomain,
)
from candidates.models import Application, CentralService, EligibilityRequest, EligibleCategory, LocalService
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership, User
from labelsp.accounts.services import membership_grant
from labelsp.demo import DemoAccount, SeedCounter, demo_user
from labelsp.demo import organisations as org
from labelsp.demo.registry import SERIES as REGISTRY_SERIES
from labelsp.validators import complete_siret
from registry.models import CertificationBody

CERTIQUAL, OECO = (body.name for body in org.CERTIFICATION_BODIES)
ALL_CHECKED = {item: (True, "") for item in ChecklistItem.values}

# Which file each demo candidate has, and in which state (the CAF network's campaign + independent services).
CAF_FILES = {
    "CAF du Rhône": ApplicationStatus.COMPLEMENTS_REQUESTED,
    "CAF de la Gironde": ApplicationStatus.ACKNOWLEDGED,
    "CAF du Nord": ApplicationStatus.SUBMITTED,
    "CAF de Paris": ApplicationStatus.RESUBMITTED,
    "CAF de l’Isère": ApplicationStatus.DRAFT,
}


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with text (Helvetica, Latin-1): the demo's uploaded pieces."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = ["BT /F1 16 Tf 60 780 Td (" + escape(title) + ") Tj ET"]
    for index, line in enumerate(lines):
        commands.append(f"BT /F1 11 Tf 60 {740 - 18 * index} Td (" + escape(line) + ") Tj ET")
    stream = "\n".join(commands).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def seed(stdout) -> list[DemoAccount]:
    today = timezone.localdate()
    counter = SeedCounter("Dossiers de candidature")
    bodies = {body.name: body for body in CertificationBody.objects.all()}
    user = {u.email: u for u in User.objects.filter(email__contains="@demo.")}
    cnaf = CentralService.objects.get(siret=org.CNAF_SIRET)
    caf_staff = user[org.CNAF_STAFF.email]
    # The national registry's services (labelsp/demo/registry.py) are written whole by their own seeder.
    locals_by_name = {s.name: s for s in LocalService.objects.exclude(siret__startswith=REGISTRY_SERIES)}

    _categories(locals_by_name)
    _perimeter(locals_by_name["Mairie de Villeurbanne"], user[org.COMMUNE_CANDIDATE.email])
    _eligibility_requests(user, cnaf)
    accounts = _self_declared_local(cnaf)

    # Contracts: the CNAF signs for its whole network; the prefecture and the commune sign their own.
    cycle_start = today - datetime.timedelta(days=45)
    _contract(caf_staff, cnaf, bodies[CERTIQUAL], cycle_start, unit_count=30)
    _contract(
        user[org.PREFECTURE_CANDIDATE.email],
        locals_by_name["Préfecture de la Gironde"],
        bodies[OECO],
        cycle_start,
        2,
    )
    _contract(
        user[org.COMMUNE_CANDIDATE.email],
        locals_by_name["Mairie de Villeurbanne"],
        bodies[CERTIQUAL],
        cycle_start,
        3,
    )

    manager = {data.name: user[data.manager.email] for data in org.CERTIFICATION_BODIES}

    # The CNAF's campaign, then the files of the locals drawn for it.
    campaign = _file(counter, cnaf, caf_staff, ApplicationStatus.SUBMITTED, manager[CERTIQUAL], today)
    for name, status in CAF_FILES.items():
        service = locals_by_name[name]
        _file(counter, service, _local_staff(service), status, manager[CERTIQUAL], today, campaign=campaign)
    _file(
        counter,
        locals_by_name["Préfecture de la Gironde"],
        user[org.PREFECTURE_CANDIDATE.email],
        ApplicationStatus.DRAFT,
        manager[OECO],
        today,
    )
    _file(
        counter,
        locals_by_name["Mairie de Villeurbanne"],
        user[org.COMMUNE_CANDIDATE.email],
        ApplicationStatus.CLOSED,
        manager[CERTIQUAL],
        today,
    )
    stdout.write(f"  {counter}")
    return accounts + [
        DemoAccount(
            Role.CANDIDATE, m.user.email, m.local_service.name, "référent qualité, dossier de la campagne CAF"
        )
        for m in Membership.objects.active()
        .filter(role=Role.CANDIDATE, user__email__startswith="qualite.")
        .select_related("user", "local_service")
        .order_by("user__email")
    ]


def _categories(locals_by_name):
    by_kind = {
        LocalServiceKind.SOCIAL_SECURITY: "Caisses d’allocations familiales",
        LocalServiceKind.STATE_DECONCENTRATED: "Préfectures et sous-préfectures",
        LocalServiceKind.COMMUNE: "Communes",
    }
    categories = {c.name: c for c in EligibleCategory.objects.filter(name__in=by_kind.values())}
    for service in locals_by_name.values():
        category = categories.get(by_kind.get(service.kind))
        if category and service.category_id is None:
            service.category = category
            service.registered_at = service.registered_at or timezone.now()
            # The demo's CAFs were attached to the network by the CNAF itself: confirmed.
            service.parent_confirmed_at = timezone.now() if service.parent_id else None
            service.save(update_fields=["category", "registered_at", "parent_confirmed_at"])


SELF_DECLARED = {
    "name": "CAF de la Corrèze",
    "siret": complete_siret("7790001900019"),
    "email": "accueil.tulle@demo.caf.example",
}


def _self_declared_local(cnaf) -> list[DemoAccount]:
    """A CAF that registered itself in the network: it waits for the CNAF to confirm the attachment."""
    staff, _created = demo_user(email=SELF_DECLARED["email"], first_name="Sandrine", last_name="Vidal")
    if not LocalService.objects.filter(siret=SELF_DECLARED["siret"]).exists():
        services.service_register(
            user=staff,
            category=EligibleCategory.objects.get(name="Caisses d’allocations familiales"),
            parent=cnaf,
            sites=[
                {
                    "name": "Accueil de Tulle",
                    "kind": "principal",
                    "street": "1 avenue Winston-Churchill",
                    "postal_code": "19000",
                    "city": "Tulle",
                    "departement": "19",
                    "agents_in_contact": 41,
                }
            ],
            name=SELF_DECLARED["name"],
            siret=SELF_DECLARED["siret"],
            street="1 avenue Winston-Churchill",
            postal_code="19000",
            city="Tulle",
            departement="19",
            contact_name="Sandrine Vidal",
            contact_email=SELF_DECLARED["email"],
        )
    return [
        DemoAccount(
            Role.CANDIDATE,
            staff.email,
            SELF_DECLARED["name"],
            "rattachement au réseau CAF en attente de la CNAF",
        )
    ]


def _perimeter(commune, staff):
    if commune.domains.exists():
        return
    services.perimeter_set(
        user=staff,
        local_service=commune,
        domains={
            PerimeterDomain.GENERAL_RECEPTION: "",
            PerimeterDomain.CIVIL_STATUS: "",
            PerimeterDomain.TITLES: "",
            PerimeterDomain.POPULATION_SERVICES: "",
            PerimeterDomain.MUNICIPAL_POLICE: "",
            PerimeterDomain.OTHER: "Médiathèque du Rize",
        },
    )


def _eligibility_requests(user, cnaf):
    if EligibilityRequest.objects.exists():
        return
    ditp = user[org.DITP_AGENT.email]
    requester = user[org.TWO_ROLE_PERSON.email]
    pending = services.eligibility_request_file(
        user=requester,
        central_service=None,
        service_name="Maison de la justice et du droit de Cenon",
        siret=complete_siret("1300010000003"),
        kind=LocalServiceKind.STATE_DECONCENTRATED,
        proposed_category="Maisons de la justice et du droit",
        justification="Accès au droit et médiation de proximité : 5 200 personnes reçues par an, sur place et par téléphone.",
    )
    through_network = services.eligibility_request_file(
        user=requester,
        central_service=cnaf,
        service_name="Point relais CAF de Tarare",
        siret=complete_siret("1300010000004"),
        kind=LocalServiceKind.SOCIAL_SECURITY,
        proposed_category="Points relais des caisses d’allocations familiales",
        justification="Accueil de premier niveau des allocataires, sur rendez-vous, deux jours par semaine.",
    )
    accepted = services.eligibility_request_file(
        user=requester,
        central_service=None,
        service_name="Maison France Services de Libourne",
        siret=complete_siret("1300010000005"),
        kind=LocalServiceKind.STATE_DECONCENTRATED,
        proposed_category="Maisons France Services",
        justification="Guichet unique de proximité : accompagnement aux démarches de neuf opérateurs nationaux.",
    )
    services.eligibility_request_accept(user=ditp, request=accepted, category_name="Maisons France Services")
    refused = services.eligibility_request_file(
        user=requester,
        central_service=None,
        service_name="Office de tourisme de Saint-Émilion",
        siret=complete_siret("1300010000006"),
        kind=LocalServiceKind.STATE_PUBLIC_ESTABLISHMENT,
        proposed_category="Offices de tourisme",
        justification="Information touristique.",
    )
    services.eligibility_request_refuse(
        user=ditp,
        request=refused,
        reason="Un office de tourisme n’assure pas de démarche administrative pour les usagers : hors du champ du label.",
    )
    assert pending.status == EligibilityRequestStatus.SUBMITTED
    assert through_network.status == EligibilityRequestStatus.AWAITING_CENTRAL


def _contract(user, candidate, body, cycle_start, unit_count):
    if services.effective_contract(candidate, on=timezone.localdate()):
        return
    services.contract_record(
        user=user,
        candidate=candidate,
        certification_body=body,
        signed_on=cycle_start - datetime.timedelta(days=10),
        cycle_start=cycle_start,
        unit_count=unit_count,
    )


def _local_staff(service):
    """The service's quality referent; the CAFs drawn for the campaign get one (qualite.<dept>@demo.caf.example)."""
    membership = service.memberships.active().filter(role=Role.CANDIDATE).select_related("user").first()
    if membership:
        return membership.user
    user, _created = demo_user(
        email=f"qualite.{service.departement.lower()}@demo.caf.example",
        first_name="Référent qualité",
        last_name=service.name,
    )
    membership_grant(user=user, role=Role.CANDIDATE, organisation=service)
    return User.objects.get(pk=user.pk)  # a fresh object: no stale permission cache


def _file(counter, candidate, staff, status, manager, today, campaign=None):
    lookup = (
        {"central_service": candidate}
        if isinstance(candidate, CentralService)
        else {"local_service": candidate}
    )
    existing = Application.objects.filter(**lookup).first()
    counter.add(existing is None)
    if existing:
        return existing
    application = services.application_create(user=staff, candidate=candidate, kind=ApplicationKind.INITIAL)
    if campaign and application.central_application_id is None:
        application.central_application = campaign
        application.save(update_fields=["central_application"])
    complete = status != ApplicationStatus.DRAFT
    services.application_update(user=staff, application=application, **_contents(candidate, today, complete))
    for piece in REQUIRED_PIECES if complete else REQUIRED_PIECES[:3]:
        pdf = simple_pdf(
            str(DocumentPiece(piece).label),
            [candidate.name, f"Pièce déposée pour le label Services Publics +, {today:%d/%m/%Y}."],
        )
        services.document_add(
            user=staff, application=application, piece=piece, uploaded=ContentFile(pdf, name=f"{piece}.pdf")
        )
    if not complete:
        return application
    services.application_submit(user=staff, application=application)
    if status == ApplicationStatus.SUBMITTED:
        return application
    if status in (ApplicationStatus.ACKNOWLEDGED, ApplicationStatus.CLOSED):
        services.application_acknowledge(user=manager, application=application, checklist=ALL_CHECKED)
        if status == ApplicationStatus.CLOSED:
            # Refused, notified two months ago: a new application waits four more months (§3.8.1).
            services.application_close(
                user=manager,
                application=application,
                outcome=ApplicationOutcome.REFUSED,
                reason="Note de l’enquête usagers inférieure au seuil du palier Bronze (70/100).",
                refusal_notified_on=today - datetime.timedelta(days=60),
            )
        return application
    services.application_request_complements(
        user=manager,
        application=application,
        message=(
            "Bonjour, le plan de formation de l’année précédente joint est celui de 2023 : merci de déposer celui de "
            f"{today.year - 1}, et de préciser comment l’échantillon de l’enquête usagers couvre les allocataires "
            "reçus sans rendez-vous."
        ),
        checklist={
            **ALL_CHECKED,
            ChecklistItem.COMPLETE: (False, "Plan de formation de l’année précédente erroné."),
            ChecklistItem.SAMPLE_REPRESENTATIVE: (False, "Accueil sans rendez-vous à couvrir."),
        },
    )
    if status == ApplicationStatus.RESUBMITTED:
        services.message_post(
            user=staff,
            application=application,
            body="Voici le plan de formation corrigé ; l’échantillon inclut désormais 20 % d’usagers reçus sans rendez-vous.",
        )
        services.application_submit(user=staff, application=application)
    return application


def _contents(candidate, today, complete):
    contents = {
        "labels_held": "Label Marianne (2019–2022).",
        "audit_start": today + datetime.timedelta(days=75),
        "audit_end": today + datetime.timedelta(days=76),
        "self_assessment_on": today - datetime.timedelta(days=120),
        "self_assessment_summary": "Autodiagnostic mené en équipe sur les 8 engagements ; axe de progrès : engagement 4.",
    }
    if complete:
        contents |= {
            "sampling_method": "Tirage aléatoire stratifié par canal de contact parmi les usagers des 12 derniers mois.",
            "user_survey_closed_on": today - datetime.timedelta(days=40),
            "user_survey_score": 84,
            "agent_survey_closed_on": today - datetime.timedelta(days=35),
            "agent_survey_score": 72,
            "indicators_since": today - datetime.timedelta(days=500),
            "indicators_summary": "Taux de décroché, délai de réponse aux courriels, délai de traitement des dossiers.",
        }
    return contents
