"""The candidate-side services: the file's state machine, atomicity, contracts, eligibility, perimeter."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from candidates import services
from candidates.enums import (
    ApplicationKind,
    ApplicationOutcome,
    ApplicationStatus,
    ChecklistItem,
    EligibilityRequestStatus,
    LocalServiceKind,
    PerimeterDomain,
)
from candidates.models import Application, ApplicationLog, EligibilityRequestLog, EligibleCategory
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    EligibilityRequestFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    attach_required_pieces,
)
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus
ALL_CHECKED = {item: (True, "") for item in ChecklistItem.values}


def _staff(candidate, role=Role.CANDIDATE):
    user = UserFactory()
    MembershipFactory(user=user, role=role, organisation=candidate)
    return user


def _manager(body):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CB_MANAGER, organisation=body)
    return user


@pytest.fixture
def filed():
    """A complete initial file of an independent local service, ready to be submitted."""
    application = ApplicationFactory(complete=True)
    attach_required_pieces(application)
    return application


# --- The state machine ----------------------------------------------------------------------------------------------

ACTIONS = {
    "submit": lambda app, cand, mgr: services.application_submit(user=cand, application=app),
    "request_complements": lambda app, cand, mgr: services.application_request_complements(
        user=mgr, application=app, message="Merci de joindre le plan de formation 2025.", checklist={}
    ),
    "acknowledge": lambda app, cand, mgr: services.application_acknowledge(
        user=mgr, application=app, checklist=ALL_CHECKED
    ),
    "close": lambda app, cand, mgr: services.application_close(
        user=mgr, application=app, outcome=ApplicationOutcome.AUDITED
    ),
    "withdraw": lambda app, cand, mgr: services.application_withdraw(user=cand, application=app),
}
# From each state, the actions the table allows (and the state they lead to).
ALLOWED = {
    S.DRAFT: {"submit": S.SUBMITTED, "withdraw": S.CLOSED},
    S.SUBMITTED: {
        "request_complements": S.COMPLEMENTS_REQUESTED,
        "acknowledge": S.ACKNOWLEDGED,
        "withdraw": S.CLOSED,
    },
    S.COMPLEMENTS_REQUESTED: {"submit": S.RESUBMITTED, "withdraw": S.CLOSED},
    S.RESUBMITTED: {
        "request_complements": S.COMPLEMENTS_REQUESTED,
        "acknowledge": S.ACKNOWLEDGED,
        "withdraw": S.CLOSED,
    },
    S.ACKNOWLEDGED: {"close": S.CLOSED},
    S.CLOSED: {},
}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_of_the_file(state, action, filed):
    Application.objects.filter(pk=filed.pk).update(
        status=state, outcome="withdrawn" if state == S.CLOSED else ""
    )
    filed.refresh_from_db()
    candidate, manager = _staff(filed.local_service), _manager(filed.certification_body)
    logs_before = ApplicationLog.objects.filter(application=filed).count()
    if action in ALLOWED[state]:
        ACTIONS[action](filed, candidate, manager)
        filed.refresh_from_db()
        assert filed.status == ALLOWED[state][action]
        assert ApplicationLog.objects.filter(application=filed, transition__in=[action, "resubmit"]).exists()
    else:
        with pytest.raises((ValidationError, PermissionDenied)):
            ACTIONS[action](filed, candidate, manager)
        filed.refresh_from_db()
        assert filed.status == state
        assert ApplicationLog.objects.filter(application=filed).count() == logs_before


def test_a_failed_submission_saves_nothing(filed):
    candidate = _staff(filed.local_service)
    Application.objects.filter(pk=filed.pk).update(self_assessment_on=None)
    filed.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.application_submit(user=candidate, application=filed)
    assert "self_assessment_on" in error.value.message_dict
    filed.refresh_from_db()
    assert (filed.status, filed.submission_count, filed.submitted_at) == (S.DRAFT, 0, None)
    assert not ApplicationLog.objects.filter(application=filed).exists()


def test_a_missing_piece_blocks_the_submission():
    application = ApplicationFactory(complete=True)
    with pytest.raises(ValidationError) as error:
        services.application_submit(user=_staff(application.local_service), application=application)
    assert "Organigramme" in error.value.message_dict["documents"][0]


def test_only_the_candidate_submits_and_only_the_body_reviews(filed):
    manager, other = _manager(filed.certification_body), _staff(LocalServiceFactory())
    with pytest.raises(PermissionDenied):
        services.application_submit(user=manager, application=filed)
    with pytest.raises(PermissionDenied):
        services.application_submit(user=other, application=filed)
    services.application_submit(user=_staff(filed.local_service), application=filed)
    with pytest.raises(PermissionDenied):
        services.application_acknowledge(
            user=_staff(filed.local_service), application=filed, checklist=ALL_CHECKED
        )
    with pytest.raises(PermissionDenied):
        services.application_acknowledge(
            user=_manager(CertificationBodyFactory()), application=filed, checklist=ALL_CHECKED
        )


def test_acknowledgement_needs_every_checklist_item_and_a_signed_contract(filed):
    services.application_submit(user=_staff(filed.local_service), application=filed)
    manager = _manager(filed.certification_body)
    partial = {**ALL_CHECKED, ChecklistItem.SAMPLE_REPRESENTATIVE: (False, "Échantillon trop petit")}
    with pytest.raises(ValidationError, match="représentatif"):
        services.application_acknowledge(user=manager, application=filed, checklist=partial)
    filed.contract.terminated_on = datetime.date.today()
    filed.contract.save()
    with pytest.raises(ValidationError, match="contrat"):
        services.application_acknowledge(user=manager, application=filed, checklist=ALL_CHECKED)
    filed.refresh_from_db()
    assert filed.status == S.SUBMITTED


def test_two_concurrent_moves_cannot_both_apply(filed):
    """The conditional UPDATE refuses a transition from a state the row has left meanwhile."""
    candidate = _staff(filed.local_service)
    stale = Application.objects.get(pk=filed.pk)
    services.application_withdraw(user=candidate, application=filed)
    with pytest.raises(ValidationError):
        services.application_submit(user=candidate, application=stale)
    assert Application.objects.get(pk=filed.pk).status == S.CLOSED


# --- Opening a file ---------------------------------------------------------------------------------------------


def test_no_file_without_a_contract():
    service = LocalServiceFactory()
    with pytest.raises(ValidationError, match="Aucun contrat"):
        services.application_create(user=_staff(service), candidate=service, kind=ApplicationKind.INITIAL)


def test_one_open_file_at_a_time():
    contract = ServiceContractFactory()
    user = _staff(contract.local_service)
    services.application_create(user=user, candidate=contract.local_service, kind=ApplicationKind.INITIAL)
    with pytest.raises(ValidationError, match="déjà en cours"):
        services.application_create(user=user, candidate=contract.local_service, kind=ApplicationKind.INITIAL)


@pytest.mark.parametrize(("today", "allowed"), [("2026-07-14", False), ("2026-07-15", True)])
def test_a_new_application_waits_six_months_after_a_refusal(today, allowed):
    contract = ServiceContractFactory(
        cycle_start=datetime.date(2025, 6, 1), signed_on=datetime.date(2025, 5, 1)
    )
    ApplicationFactory(
        contract=contract,
        status=S.CLOSED,
        outcome=ApplicationOutcome.REFUSED,
        refusal_notified_on=datetime.date(2026, 1, 15),
    )
    user = _staff(contract.local_service)
    with time_machine.travel(f"{today} 10:00 +02:00", tick=False):
        if allowed:
            services.application_create(
                user=user, candidate=contract.local_service, kind=ApplicationKind.INITIAL
            )
        else:
            with pytest.raises(ValidationError, match="15 juillet 2026"):
                services.application_create(
                    user=user, candidate=contract.local_service, kind=ApplicationKind.INITIAL
                )


def test_a_network_local_files_under_its_central_contract_and_campaign():
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    campaign = services.application_create(
        user=_staff(central, Role.CENTRAL), candidate=central, kind=ApplicationKind.INITIAL
    )
    local = LocalServiceFactory(parent=central)
    application = services.application_create(
        user=_staff(local), candidate=local, kind=ApplicationKind.INITIAL
    )
    assert application.certification_body == contract.certification_body
    assert application.central_application == campaign


# --- Contracts -----------------------------------------------------------------------------------------------------


def test_a_contract_is_signed_with_a_body_habilitated_today():
    service = LocalServiceFactory()
    user = _staff(service)
    suspended = CertificationBodyFactory(habilitation_status="suspended")
    today = datetime.date.today()
    with pytest.raises(ValidationError) as error:
        services.contract_record(
            user=user,
            candidate=service,
            certification_body=suspended,
            signed_on=today,
            cycle_start=today,
            unit_count=2,
        )
    assert "habilité" in error.value.message_dict["certification_body"][0]
    contract = services.contract_record(
        user=user,
        candidate=service,
        certification_body=CertificationBodyFactory(),
        signed_on=today,
        cycle_start=today,
        unit_count=2,
    )
    assert contract.cycle_end == today.replace(year=today.year + 3) - datetime.timedelta(days=1)


def test_a_network_local_cannot_sign_its_own_contract():
    local = LocalServiceFactory(parent=CentralServiceFactory())
    today = datetime.date.today()
    with pytest.raises(ValidationError, match="service central"):
        services.contract_record(
            user=_staff(local),
            candidate=local,
            certification_body=CertificationBodyFactory(),
            signed_on=today,
            cycle_start=today,
            unit_count=1,
        )


# --- Eligibility ---------------------------------------------------------------------------------------------------


def test_an_accepted_request_adds_the_category_to_the_list():
    request = EligibilityRequestFactory(proposed_category="Maisons de la justice et du droit")
    ditp = UserFactory(ditp=True)
    services.eligibility_request_accept(user=ditp, request=request, category_name="")
    category = EligibleCategory.objects.get(name="Maisons de la justice et du droit")
    assert category.is_active and category.kind == request.kind
    request.refresh_from_db()
    assert request.status == EligibilityRequestStatus.ACCEPTED
    assert request.resulting_category == category
    assert EligibilityRequestLog.objects.get(request=request).actor == ditp


def test_a_refusal_needs_a_reason_and_only_the_ditp_decides():
    request = EligibilityRequestFactory()
    with pytest.raises(ValidationError):
        services.eligibility_request_refuse(user=UserFactory(ditp=True), request=request, reason="  ")
    with pytest.raises(PermissionDenied):
        services.eligibility_request_refuse(
            user=UserFactory(candidate=True), request=request, reason="Hors champ"
        )
    request.refresh_from_db()
    assert request.status == EligibilityRequestStatus.SUBMITTED


def test_a_request_through_a_network_waits_for_its_central_service():
    central = CentralServiceFactory()
    request = EligibilityRequestFactory(
        central_service=central, status=EligibilityRequestStatus.AWAITING_CENTRAL
    )
    with pytest.raises(ValidationError):
        services.eligibility_request_accept(user=UserFactory(ditp=True), request=request, category_name="")
    services.eligibility_request_forward(user=_staff(central, Role.CENTRAL), request=request)
    request.refresh_from_db()
    assert request.status == EligibilityRequestStatus.SUBMITTED


# --- Perimeter -----------------------------------------------------------------------------------------------------


def test_perimeter_changes_keep_withdrawn_domains():
    commune = LocalServiceFactory(kind=LocalServiceKind.COMMUNE)
    user = _staff(commune)
    socle = {
        d: ""
        for d in (
            PerimeterDomain.GENERAL_RECEPTION,
            PerimeterDomain.CIVIL_STATUS,
            PerimeterDomain.TITLES,
            PerimeterDomain.POPULATION_SERVICES,
        )
    }
    services.perimeter_set(
        user=user, local_service=commune, domains={**socle, PerimeterDomain.MUNICIPAL_POLICE: ""}
    )
    services.perimeter_set(user=user, local_service=commune, domains=socle)
    assert commune.domains.filter(is_active=True).count() == 4
    assert commune.domains.filter(domain=PerimeterDomain.MUNICIPAL_POLICE, is_active=False).exists()
    with pytest.raises(ValidationError) as error:
        services.perimeter_set(
            user=user, local_service=commune, domains={PerimeterDomain.GENERAL_RECEPTION: ""}
        )
    assert "État civil" in error.value.message_dict["domains"][0]
    assert commune.domains.filter(is_active=True).count() == 4


def test_superusers_act_only_through_their_memberships(filed):
    """The admin flag opens the Django admin, not the candidates' files nor the bodies' decisions."""
    from candidates import permissions

    admin = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=admin, role=Role.DITP)
    assert not permissions.can_manage_local_service(admin, filed.local_service)
    assert not permissions.can_edit_application(admin, filed)
    with pytest.raises(PermissionDenied):
        services.application_submit(user=admin, application=filed)
    services.application_submit(user=_staff(filed.local_service), application=filed)
    assert not permissions.can_review_application(admin, filed)
    with pytest.raises(PermissionDenied):
        services.application_acknowledge(user=admin, application=filed, checklist=ALL_CHECKED)


def test_a_forwarded_request_is_announced_to_the_ditp(django_capture_on_commit_callbacks, mailoutbox):
    central = CentralServiceFactory()
    ditp = UserFactory(ditp=True)
    request = EligibilityRequestFactory(
        central_service=central, status=EligibilityRequestStatus.AWAITING_CENTRAL
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.eligibility_request_forward(user=_staff(central, Role.CENTRAL), request=request)
    assert [m.to for m in mailoutbox] == [[ditp.email]]
    assert request.service_name in mailoutbox[0].subject


def test_promoting_a_site_demotes_the_principal_and_the_principal_cannot_be_demoted_alone():
    from tests.candidates.factories import SiteFactory

    service = LocalServiceFactory()
    user = _staff(service)
    principal = SiteFactory(local_service=service, kind="principal")
    annex = SiteFactory(local_service=service, kind="annex")
    with pytest.raises(ValidationError) as error:
        services.site_update(user=user, site=principal, kind="secondary")
    assert "exactement un site principal" in error.value.message_dict["kind"][0]
    principal.refresh_from_db()
    assert principal.kind == "principal"
    services.site_update(user=user, site=annex, kind="principal")
    principal.refresh_from_db()
    annex.refresh_from_db()
    assert (principal.kind, annex.kind) == ("secondary", "principal")
    assert service.sites.filter(kind="principal", is_active=True).count() == 1


def test_an_other_domain_needs_its_detail():
    commune = LocalServiceFactory(kind=LocalServiceKind.COMMUNE)
    socle = {
        d: ""
        for d in (
            PerimeterDomain.GENERAL_RECEPTION,
            PerimeterDomain.CIVIL_STATUS,
            PerimeterDomain.TITLES,
            PerimeterDomain.POPULATION_SERVICES,
        )
    }
    with pytest.raises(ValidationError, match="Précisez"):
        services.perimeter_set(
            user=_staff(commune), local_service=commune, domains={**socle, PerimeterDomain.OTHER: " "}
        )
    assert not commune.domains.exists()
    services.perimeter_set(
        user=_staff(commune), local_service=commune, domains={**socle, PerimeterDomain.OTHER: "Médiathèque"}
    )
    assert commune.domains.get(domain=PerimeterDomain.OTHER).detail == "Médiathèque"
