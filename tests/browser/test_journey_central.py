"""The journey of a central service and its network of 9 local services in a real browser (issue #9), up to its
network attestation: a local joins the network and the central service confirms it, the central service records the
network's contract and files its own application, the body acknowledges it and draws ⌈√9⌉ = 3 locals, the auditor
grades the 3 drawn locals (online; the offline tablet is the local journey's) and then the central service on its
yes/no grid, the central service proposes a corrective action, the manager decides on each local and then on the
central service, whose signed attestation lists the labelled locals; its QR code is verified and the network is in
the public register.

Each role acts in its own browser context; tests/browser/steps.py holds the steps, shared with the local journey.
What is outside the journey is made by factories: the body and its staff, the central service and its referent, 8
of the 9 locals (already attached), and the files of the drawn locals (a local's own file is the local journey's).
"""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from audits.rules import sample_size
from candidates.enums import ApplicationStatus, SiteKind
from decisions.enums import DecisionOutcome, LabelStatus, Tier
from decisions.models import Decision, Label
from labelsp.accounts.enums import Role
from labelsp.validators import complete_siret
from tests.accounts.factories import MembershipFactory, UserFactory, give_totp
from tests.browser import steps as flow
from tests.browser.steps import PARIS, Clock, Journey
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    SiteFactory,
    attach_required_pieces,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Monday 11 January 2027, 9 a.m. in Paris: after today's real date, so that the browser keeps the cookies.
START = datetime.datetime(2027, 1, 11, 9, tzinfo=PARIS)
# The drawn locals are audited first; the central audit takes place after them (§3.9.2).
LOCAL_VISIT = datetime.date(2027, 2, 22)
CENTRAL_VISIT_START, CENTRAL_VISIT_END = datetime.date(2027, 3, 1), datetime.date(2027, 3, 2)
DECISION_DAY = datetime.date(2027, 3, 15)

BODY = "Qualicert Services Publics"
CENTRAL = "Caisse nationale des allocations familiales"
NETWORK = "Branche Famille"
JOINING = "CAF de la Côte-d’Or"  # the local that joins the network through the interface
LOCALS = [
    ("CAF du Rhône", "69", "Lyon"),
    ("CAF de la Loire", "42", "Saint-Étienne"),
    ("CAF de la Drôme", "26", "Valence"),
    ("CAF du Cantal", "15", "Aurillac"),
    ("CAF de la Savoie", "73", "Chambéry"),
    ("CAF du Jura", "39", "Lons-le-Saunier"),
    ("CAF de la Nièvre", "58", "Nevers"),
    ("CAF du Doubs", "25", "Besançon"),
]
# The first drawn local reaches Or, the two others Argent: the network's majority tier is Argent (§2.2.2).
TIERS = [
    (Tier.OR, "Or", "1", 92, 85),
    (Tier.ARGENT, "Argent", "0.75", 84, 72),
    (Tier.ARGENT, "Argent", "0.75", 84, 72),
]
# The central grid: 9 of its 10 checkpoints « oui » (90 % ≥ 75 %), C2.3 « non ».
NOT_VALIDATED = "C2.3"


def _network():
    """The central service, its referent, and 8 locals already attached, each with its principal site."""
    central = CentralServiceFactory(name=CENTRAL, network_name=NETWORK, ministry="Ministère des Solidarités")
    referent = UserFactory(first_name="Nadia", last_name="Benali", email="nadia.benali@cnaf.example")
    MembershipFactory(user=referent, role=Role.CENTRAL, organisation=central)
    if referent.requires_mfa:
        give_totp(referent)
    for n, (name, departement, city) in enumerate(LOCALS):
        local = LocalServiceFactory(
            name=name,
            parent=central,
            departement=departement,
            city=city,
            siret=complete_siret(f"2{departement}0000{n:02d}000"),
        )
        SiteFactory(local_service=local, name=f"Accueil de {city}", kind=SiteKind.PRINCIPAL, city=city)
    return central, referent


def _local_file(j: Journey, local, *, users: int, agents: int):
    """The drawn local's own file, filed within the central service's campaign and acknowledged (the local
    journey walks through a local's file; here the drawn locals have done it meanwhile)."""
    application = ApplicationFactory(
        complete=True,
        contract=j.data["contract"],
        local_service=local,
        central_application=j.data["central_application"],
        status=ApplicationStatus.ACKNOWLEDGED,
        audit_start=LOCAL_VISIT,
        audit_end=LOCAL_VISIT,
        user_survey_score=users,
        agent_survey_score=agents,
    )
    attach_required_pieces(application)
    return application


def _focus(j: Journey, application) -> None:
    """The next steps act on this file and its audit."""
    from audits.models import Audit

    j.data["application"] = application
    j.data["audit"] = Audit.objects.filter(application=application).first()


def _new_sessions(j: Journey) -> None:
    for name in ("central", "manager", "auditor"):
        j.people[name].new_session()


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def test_central_service_journey_to_network_attestation(browser, live_url, steps, settings):
    settings.SITE_URL = live_url
    with Clock(START) as clock:
        j = Journey(browser=browser, live_url=live_url, steps=steps)
        _body, staff = flow.certification_body(BODY)
        central, referent = _network()
        j.data["central"] = central

        # The 9th local joins the network through the interface; the central service confirms it.
        j.person(
            "local",
            UserFactory(first_name="Claire", last_name="Moreau", email="claire.moreau@caf21.example"),
            logged_in=False,
        )
        flow.candidate_registers(
            j,
            name=JOINING,
            siret=complete_siret("2100000010000"),
            body_name=BODY,
            person="local",
            network=f"{NETWORK} — {CENTRAL}",
        )
        j.person("central", referent)
        flow.central_confirms_the_attachment(j, local_name=JOINING)
        assert central.local_services.filter(parent_confirmed_at__isnull=False).count() == 9

        # The central service chooses the body for its network and files its own application: its surveys are
        # stated by hand (campaigns are run by the locals).
        flow.central_records_the_contract(j, body_name=BODY, unit_count=9)
        today = Clock.today()
        flow.candidate_files_the_application(
            j,
            audit_start=CENTRAL_VISIT_START,
            audit_end=CENTRAL_VISIT_END,
            person="central",
            surveys_by_hand={
                "user_survey_closed_on": (today - datetime.timedelta(days=20)).isoformat(),
                "user_survey_score": "84",
                "agent_survey_closed_on": (today - datetime.timedelta(days=20)).isoformat(),
                "agent_survey_score": "72",
            },
        )
        central_application = j.data["application"]
        assert central_application.central_service_id == central.pk
        j.data["central_application"] = central_application

        # The body acknowledges the file (the complement loop is the local journey's), creates the central audit
        # and draws ⌈√9⌉ = 3 locals.
        j.person("manager", staff["manager"], logged_in=False)
        flow.log_in_through_the_form(j.people["manager"])
        flow.manager_acknowledges(j, CENTRAL, piece="plan-d-actions.pdf")
        j.person("auditor", staff["auditor"])
        flow.manager_creates_the_audit_and_proposes_the_auditor(j, CENTRAL)
        flow.auditor_signs_the_declaration(j)
        flow.manager_draws_and_sends_the_plan(
            j, visit_start=CENTRAL_VISIT_START, visit_end=CENTRAL_VISIT_END, draw_size=3
        )
        central_audit = j.data["audit"]
        draw = central_audit.draws.get()
        assert len(draw.population) == 9 and len(draw.selected) == 3 == sample_size(9)

        # The drawn locals' files, then their audits planned by the body.
        from candidates.models import LocalService

        drawn = [LocalService.objects.get(pk=int(identifier)) for identifier in draw.selected]
        local_files = []
        for local, (_tier, _label, _points, users, agents) in zip(drawn, TIERS, strict=True):
            application = _local_file(j, local, users=users, agents=agents)
            local_files.append(application)
            _focus(j, application)
            flow.manager_creates_the_audit_and_proposes_the_auditor(j, local.name)
            flow.auditor_signs_the_declaration(j)
            flow.manager_draws_and_sends_the_plan(
                j,
                visit_start=LOCAL_VISIT,
                visit_end=LOCAL_VISIT,
                draw_size=sample_size(local.sites.filter(is_active=True).count()),
            )
            assert j.data["audit"].network_audit_id == central_audit.pk

        # Visit day of the locals: the auditor grades each one online, holds the closing meeting, sends the report.
        clock.move_to(LOCAL_VISIT)
        _new_sessions(j)
        for application, (_tier, _label, points, _users, _agents) in zip(local_files, TIERS, strict=True):
            _focus(j, application)
            grades = {
                code: points for code in j.data["audit"].grid.checkpoints.values_list("code", flat=True)
            }
            flow.auditor_grades_on_the_tablet(j, grades=grades, offline_sections=[])
            flow.auditor_sends_the_report(j)

        # The central audit, after its sampled locals: the yes/no grid.
        clock.move_to(CENTRAL_VISIT_START)
        _new_sessions(j)
        _focus(j, central_application)
        codes = list(central_audit.grid.checkpoints.values_list("code", flat=True))
        assert len(codes) == 10 and NOT_VALIDATED in codes
        flow.auditor_grades_on_the_tablet(
            j, grades={code: "0" if code == NOT_VALIDATED else "1" for code in codes}, offline_sections=[]
        )
        clock.move_to(CENTRAL_VISIT_END, hour=17)
        _new_sessions(j)
        flow.auditor_sends_the_report(j)
        clock.move_to(CENTRAL_VISIT_END + datetime.timedelta(days=1))
        _new_sessions(j)
        flow.central_proposes_a_corrective_action(
            j,
            code=NOT_VALIDATED,
            proposal="Un recueil national des bonnes pratiques est publié chaque trimestre, dès avril 2027.",
        )
        flow.auditor_judges_the_corrective_action(
            j, code=NOT_VALIDATED, comment="Action pertinente, échéance et responsable précisés."
        )

        # The 10 days are over: the files go for decision; the manager decides on each local, then on the central
        # service, attesting that every local sent its yearly self-assessment.
        clock.move_to(DECISION_DAY)
        _new_sessions(j)
        for application, (tier, label, _points, _users, _agents) in zip(local_files, TIERS, strict=True):
            _focus(j, application)
            flow.auditor_hands_over_for_decision(j)
            flow.manager_decides(j, tier_label=label)
            assert j.data["decision"].tier == tier and j.data["label"].tier == tier
        _focus(j, central_application)
        flow.auditor_hands_over_for_decision(j)
        decision = flow.manager_decides(j, tier_label="Argent", network_attested=True)
        label = j.data["label"]
        assert decision.outcome == DecisionOutcome.AWARD and decision.tier == Tier.ARGENT
        assert decision.central_service_id == central.pk and decision.local_service_id is None
        assert decision.inputs["central_share"] == 0.9
        assert label.central_service_id == central.pk and label.status == LabelStatus.ACTIVE
        assert (label.starts_on, label.ends_on) == (DECISION_DAY, datetime.date(2030, 3, 14))
        local_decisions = Decision.objects.filter(application__central_application=central_application)
        assert sorted(local_decisions.values_list("tier", flat=True)) == ["argent", "argent", "or"]
        assert Label.objects.filter(local_service__in=drawn, status=LabelStatus.ACTIVE).count() == 3

        # The network attestation: signed PDF listing every labelled local with its tier and year, QR verified.
        content = flow.candidate_downloads_the_attestation_and_checks_its_qr_code(
            j, tier_label="Argent", person="central"
        )
        text = _pdf_text(content)
        assert CENTRAL in text, text
        for local, (_tier, tier_label, _points, _users, _agents) in zip(drawn, TIERS, strict=True):
            assert re.search(rf"{re.escape(local.name)}.{{0,80}}{tier_label}.{{0,40}}2027", text), (
                local.name,
                text,
            )
        for name, _departement, _city in [*LOCALS, (JOINING, "", "")]:
            if name not in {local.name for local in drawn}:
                assert name not in text, name
        assert label.attestations.get().number in text

        # The public register, filtered by the network: the central service and its 3 labelled locals.
        flow.visitor_finds_the_service_in_the_register(
            j,
            name=CENTRAL,
            tier_label="Argent",
            network=CENTRAL,
            network_rows={
                CENTRAL: "Argent",
                **{local.name: label for local, (_t, label, *_r) in zip(drawn, TIERS, strict=True)},
            },
        )
