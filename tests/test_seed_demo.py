"""`manage.py seed_demo`: idempotent demo data in which every role can log in and find its organisation."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidates.enums import LocalServiceKind, SiteKind
from candidates.models import (
    CentralService,
    CentralServiceUserObjectPermission,
    LocalService,
    LocalServiceUserObjectPermission,
    Site,
)
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership, User
from labelsp.deadlines.models import Deadline, Notification
from labelsp.demo import DEMO_PASSWORD, organisations
from labelsp.demo.registry import SERIES as REGISTRY_SERIES
from labelsp.geo import region_of
from registry.enums import AccreditationStandard
from registry.models import CertificationBody, CertificationBodyUserObjectPermission
from registry.rules import habilitation_end

pytestmark = pytest.mark.django_db


COUNTED_MODELS = (
    User,
    Membership,
    CertificationBody,
    CentralService,
    LocalService,
    Site,
    EmailAddress,
    # Nothing is re-saved on a second run: no new historical record, no permission row either.
    User.history.model,
    Membership.history.model,
    CertificationBody.history.model,
    CentralService.history.model,
    LocalService.history.model,
    Site.history.model,
    CertificationBodyUserObjectPermission,
    CentralServiceUserObjectPermission,
    LocalServiceUserObjectPermission,
    Deadline,
    Deadline.history.model,
    Notification,
)


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in COUNTED_MODELS}


@pytest.fixture
def seeded():
    return _seed()


def test_running_twice_creates_nothing_more():
    _seed()
    first = _counts()
    assert all(first.values()), (
        first
    )  # every counted table is filled, so the comparison below means something
    output = _seed()
    assert _counts() == first
    # organisations (5 lines), application files, survey campaigns, audits, decisions, deadlines, registry
    assert output.count("(0 nouveau)") == 11


def test_expected_figures(seeded):
    assert CertificationBody.objects.count() == 2
    assert CentralService.objects.count() == 1
    cnaf = CentralService.objects.get()
    assert (cnaf.name, cnaf.network_name) == ("Caisse nationale des allocations familiales", "CAF")
    assert cnaf.ministry == "Ministère du Travail, de la Santé, des Solidarités et des Familles"
    network = cnaf.local_services.network_members()
    assert network.count() == 30
    # plus one CAF that registered itself in the network and waits for the CNAF's confirmation
    assert list(
        cnaf.local_services.filter(parent_confirmed_at__isnull=True).values_list("name", flat=True)
    ) == ["CAF de la Corrèze"]
    assert set(network.values_list("kind", flat=True)) == {LocalServiceKind.SOCIAL_SECURITY}
    assert network.values("departement").distinct().count() == 30
    assert network.values("region").distinct().count() >= 10
    assert LocalService.objects.get(
        name="Préfecture de la Gironde",
        kind=LocalServiceKind.STATE_DECONCENTRATED,
        parent=None,
        city="Bordeaux",
    )
    assert LocalService.objects.get(name="Mairie de Villeurbanne", kind=LocalServiceKind.COMMUNE, parent=None)
    assert LocalService.objects.exclude(siret__startswith=REGISTRY_SERIES).count() == 33


def test_every_role_has_an_active_membership_and_one_person_has_two(seeded):
    for role in Role:
        assert Membership.objects.active().filter(role=role).exists(), role
    two_roles = User.objects.get(email=organisations.TWO_ROLE_PERSON.email)
    assert sorted(two_roles.memberships.active().values_list("role", flat=True)) == [
        Role.CANDIDATE,
        Role.COMMISSION,
    ]
    assert two_roles.memberships.get(role=Role.CANDIDATE).local_service.name == "Préfecture de la Gironde"


def test_memberships_carry_their_object_permissions(seeded):
    """Granted through membership_grant, so the guardian permissions that scope every view are there."""
    candidate = User.objects.get(email=organisations.CAF_RHONE_CANDIDATE.email)
    assert candidate.has_perm("candidates.change_localservice", LocalService.objects.get(name="CAF du Rhône"))
    assert not candidate.has_perm(
        "candidates.view_localservice", LocalService.objects.get(name="CAF du Nord")
    )
    for data in organisations.CERTIFICATION_BODIES:
        body = CertificationBody.objects.get(siret=data.siret)
        manager = User.objects.get(email=data.manager.email)
        assert manager.has_perm("registry.change_certificationbody", body)
        assert body.memberships.active().filter(role=Role.CB_MANAGER).count() == 1
        assert body.memberships.active().filter(role=Role.AUDITOR).count() == 2


def test_certification_bodies_are_habilitated_with_different_accreditations(seeded):
    bodies = list(CertificationBody.objects.habilitated(timezone.localdate()))
    assert len(bodies) == 2
    assert {b.accreditation_standard for b in bodies} == {
        AccreditationStandard.ISO_17065,
        AccreditationStandard.ISO_17021_1,
    }
    assert len({b.habilitation_start for b in bodies}) == 2
    for body in bodies:
        assert datetime.date(2023, 1, 1) <= body.habilitation_start <= datetime.date(2025, 12, 31)
        assert body.habilitation_end == habilitation_end(body.habilitation_start)
        assert body.accreditation_number
        body.full_clean()


def test_addresses_and_sites_are_consistent(seeded):
    for service in LocalService.objects.all():
        service.full_clean()
        sites = list(service.sites.active())
        assert [s.kind for s in sites].count(SiteKind.PRINCIPAL) == 1, service
        principal = next(s for s in sites if s.kind == SiteKind.PRINCIPAL)
        assert (principal.street, principal.postal_code, principal.city) == (
            service.street,
            service.postal_code,
            service.city,
        )
    assert not Site.objects.filter(agents_in_contact=0).exists()
    for place in [*LocalService.objects.all(), *Site.objects.all()]:
        place.full_clean()
        assert place.region == region_of(place.departement)
        assert place.postal_code.startswith(
            place.departement if len(place.departement) == 3 else place.departement[:2]
        )
    multi_site_cafs = [s for s in LocalService.objects.filter(parent__isnull=False) if s.sites.count() > 1]
    assert len(multi_site_cafs) >= 3
    assert all(2 <= s.sites.count() <= 4 for s in multi_site_cafs)
    prefecture = LocalService.objects.get(name="Préfecture de la Gironde")
    assert list(prefecture.sites.values_list("kind", flat=True).order_by("kind")) == [
        SiteKind.ANNEX,
        SiteKind.PRINCIPAL,
    ]
    commune = LocalService.objects.get(name="Mairie de Villeurbanne")
    assert sorted(commune.sites.values_list("kind", flat=True)) == [
        SiteKind.ANNEX,
        SiteKind.ANNEX,
        SiteKind.PRINCIPAL,
    ]


def test_demo_users_have_names_verified_addresses_and_the_demo_password(seeded):
    users = list(User.objects.all())
    assert (
        len(users) == 18
    )  # 13 people of the organisations + 4 quality referents of CAFs drawn for the campaign + 1 self-declared CAF
    for user in users:
        assert user.first_name and user.last_name
        assert user.email.endswith(".example")
        assert EmailAddress.objects.get(user=user, email=user.email, verified=True, primary=True)
        assert user.check_password(DEMO_PASSWORD)
    admins = User.objects.filter(is_staff=True)
    assert list(admins) == list(User.objects.filter(is_superuser=True))
    assert [m.role for m in admins.get().memberships.active()] == [Role.DITP]


def test_a_changed_password_survives_a_second_run(seeded):
    user = User.objects.get(email=organisations.PREFECTURE_CANDIDATE.email)
    user.set_password("Mon-nouveau-mot-de-passe-42")
    user.save(update_fields=["password"])
    _seed()
    user.refresh_from_db()
    assert user.check_password("Mon-nouveau-mot-de-passe-42")
    assert not user.check_password(DEMO_PASSWORD)


def test_renamed_organisation_is_restored_not_duplicated(seeded):
    # update() bypasses save(): the région is left stale too, and must be derived again by the seed.
    LocalService.objects.filter(name="CAF du Rhône").update(
        name="CAF renommée", departement="33", region="75"
    )
    _seed()
    caf = LocalService.objects.get(name="CAF du Rhône")
    assert (caf.departement, caf.region) == ("69", "84")
    assert not LocalService.objects.filter(name="CAF renommée").exists()
    assert LocalService.objects.exclude(siret__startswith=REGISTRY_SERIES).count() == 33


def test_candidate_logs_in_with_the_demo_password_and_sees_their_service(client, seeded):
    email = organisations.CAF_RHONE_CANDIDATE.email
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "CAF du Rhône" in page
    assert "Déclarez vos sites" not in page  # the demo service has its sites


@pytest.mark.parametrize("person", [organisations.DITP_AGENT, organisations.CERTIFICATION_BODIES[0].manager])
def test_managers_and_ditp_log_in_then_must_set_up_totp(client, seeded, person):
    client.post(reverse("account_login"), {"login": person.email, "password": DEMO_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(email=person.email).pk)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_central_user_sees_the_thirty_locals_of_the_network(client, seeded):
    email = organisations.CNAF_STAFF.email
    client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    cnaf = CentralService.objects.get(name="Caisse nationale des allocations familiales")
    response = client.get(reverse("candidates:central_service_detail", args=[cnaf.pk]))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 30
    page = response.content.decode()
    for data in organisations.CAF_LOCALS:
        assert data.name in page
    assert "Préfecture de la Gironde" not in page


def test_output_lists_one_account_per_role_with_the_password_and_the_totp_note(seeded):
    assert f"mot de passe commun : {DEMO_PASSWORD}" in seeded
    for role in Role:
        assert str(role.label) in seeded, role
    for membership in Membership.objects.active().select_related("user"):
        assert membership.user.email in seeded
    totp_lines = [line for line in seeded.splitlines() if "TOTP à activer" in line]
    assert any(organisations.DITP_AGENT.email in line for line in totp_lines)
    for data in organisations.CERTIFICATION_BODIES:
        assert any(data.manager.email in line for line in totp_lines)
        assert not any(data.auditors[0].email in line for line in totp_lines)
    assert "première connexion" in seeded
    assert seeded.rstrip().endswith("Données de démonstration prêtes")


def test_demo_survey_campaigns_are_open_valid_and_invalid(seeded):
    from surveys.models import Campaign
    from surveys.selectors import campaign_results

    states = {}
    for campaign in Campaign.objects.select_related("local_service"):
        results = campaign_results(campaign)
        states[(campaign.local_service.name, campaign.kind)] = (
            campaign.closed_at is None,
            results.validity.is_valid,
        )
    assert states == {
        ("CAF du Rhône", "users"): (True, False),  # open, not yet enough admissible answers
        ("CAF du Rhône", "agents"): (False, True),  # closed, valid
        ("Préfecture de la Gironde", "users"): (False, False),  # closed, invalid
    }
    # The open campaign also holds an imported file, listed with who imported it.
    from surveys.models import AnswerImport

    (batch,) = AnswerImport.objects.select_related("campaign__local_service")
    assert (batch.campaign.local_service.name, batch.campaign.kind, batch.imported) == (
        "CAF du Rhône",
        "users",
        20,
    )
    assert batch.campaign.responses.filter(answer_import=batch).count() == 20


def test_demo_audits_one_being_graded_one_finished_with_its_report(seeded):
    import hashlib

    from audits.enums import AssignmentStatus, AuditStatus
    from audits.models import Audit

    audits = {audit.local_service.name: audit for audit in Audit.objects.select_related("local_service")}
    assert set(audits) == {"CAF de la Gironde", "Mairie de Villeurbanne"}
    graded = audits["CAF de la Gironde"]
    assert graded.status == AuditStatus.IN_PROGRESS
    assert 0 < graded.grades.count() < graded.grid.checkpoints.count()
    assert graded.draws.get().selected  # sites drawn at random
    assert graded.assignments.get().status == AssignmentStatus.ASSIGNED
    finished = audits["Mairie de Villeurbanne"]
    assert finished.status == AuditStatus.CLOSED
    assert finished.grades.count() == finished.grid.checkpoints.count()
    with finished.report_pdf.open("rb") as pdf:
        assert hashlib.sha256(pdf.read()).hexdigest() == finished.report_sha256
    assert finished.report_sent_at.date() < timezone.localdate() - datetime.timedelta(days=60)


def test_demo_labels_at_each_tier_suspended_withdrawn_and_a_refusal_under_appeal(seeded):
    from decisions.attestations import attestation_status
    from decisions.models import Appeal, Decision, Label
    from decisions.signing import verify_pdf

    labels = {
        label.local_service.name: label
        for label in Label.objects.filter(renewed_by__isnull=True).select_related("local_service")
    }
    assert {label.tier for label in labels.values()} == {"bronze", "argent", "or"}
    assert labels["CAF du Bas-Rhin"].status == "suspended"
    assert labels["CAF d’Ille-et-Vilaine"].status == "withdrawn"
    # Extended: version 2 is valid and names the added site, version 1 is replaced; same end date.
    extended = labels["CAF des Bouches-du-Rhône"]
    first, attestation = extended.attestations.order_by("version")
    assert (attestation_status(first), attestation_status(attestation)) == ("replaced", "valid")
    assert attestation.decision.outcome == "extension" and attestation.decision.tier == extended.tier
    with attestation.pdf.open("rb") as pdf:
        assert verify_pdf(pdf.read()).valid
    # Renewed: the first cycle ended the day before the new one, whose label names it.
    renewed = labels["CAF de la Haute-Garonne"]
    assert renewed.renews.ends_on == renewed.starts_on - datetime.timedelta(days=1)
    assert attestation_status(renewed.renews.attestations.get()) == "replaced"
    assert attestation_status(renewed.attestations.get()) == "valid"
    refusal = Decision.objects.get(local_service__name="Mairie de Villeurbanne")
    assert refusal.outcome == "refusal" and refusal.motivation
    assert Appeal.objects.get(decision=refusal).status == "pending"


def test_demo_deadlines_and_notifications(seeded):
    from labelsp.deadlines.enums import DeadlineKind, DeadlineStatus

    # Every label in force has its cycle; missed obligations are overdue and escalated to the body's manager.
    assert Deadline.objects.filter(kind=DeadlineKind.EXPIRY, status=DeadlineStatus.OPEN).count() >= 4
    overdue = Deadline.objects.filter(status=DeadlineStatus.OVERDUE)
    assert overdue.exists()
    manager = User.objects.get(email="sophie.garnier@demo.certiqual.example")
    assert Notification.objects.filter(user=manager, deadline__in=overdue, read_at__isnull=True).exists()
    # Villeurbanne, refused, knows when it may apply again; the suspended CAF's suspension has its end date.
    villeurbanne = Deadline.objects.get(kind=DeadlineKind.NEW_APPLICATION)
    assert villeurbanne.local_service.name == "Mairie de Villeurbanne"
    assert Deadline.objects.get(kind=DeadlineKind.SUSPENSION_END).local_service.name == "CAF du Bas-Rhin"
    assert Deadline.objects.get(kind=DeadlineKind.MARK_REMOVAL).local_service.name == "CAF d’Ille-et-Vilaine"


def test_demo_registry_looks_like_a_country(seeded, client):
    from decisions.services_lifecycle import public_labels
    from registry.selectors import registry_labels

    labels = public_labels()
    assert labels.count() > 200
    regions = set(labels.values_list("local_service__region", flat=True))
    assert len(regions) >= 15
    assert set(labels.values_list("tier", flat=True)) == {"bronze", "argent", "or"}
    assert labels.filter(is_suspended=True).count() >= 5
    page = client.get(reverse("registre:list"), {"region": "53"}).content.decode()  # Bretagne
    assert "publiques — Finistère</a>" in page and "publiques — Gironde</a>" not in page
    assert registry_labels().count() == labels.count()
