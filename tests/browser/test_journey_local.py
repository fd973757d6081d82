"""The whole journey of a local service in a real browser (issue #9): registration, surveys, application file,
audit planned, graded on a tablet partly offline, report and observations, decision Argent, signed attestation and
its QR code, public register, then the follow-up and renewal reminders as the clock moves on.

Each role acts in its own browser context; tests/browser/steps.py holds the steps, shared with the central
service's journey.
"""

import datetime

import pytest

from decisions.enums import Tier
from labelsp.validators import complete_siret
from tests.accounts.factories import UserFactory
from tests.browser import steps as flow
from tests.browser.steps import PARIS, Clock, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Monday 11 January 2027, 9 a.m. in Paris: after today's real date, so that the browser keeps the cookies.
START = datetime.datetime(2027, 1, 11, 9, tzinfo=PARIS)
# The visit the candidate proposes (at least a month after filing) and the body plans (10 working days' notice).
VISIT_START, VISIT_END = datetime.date(2027, 2, 22), datetime.date(2027, 2, 23)
DECISION_DAY = datetime.date(2027, 3, 8)
# Every commitment between 65 and 80 (Argent's band), the « Or » criteria at 50.
GRADES = {
    **{"1.1": "1", "1.2": "0.75", "1.3": "0.75", "1.4": "0.25"},  # 68.75
    **{"2.1": "0.75", "2.2": "0.75", "2.3": "0.75", "2.4": "0.75"},  # 75
    **{"3.1": "1", "3.2": "0.75", "3.3": "0.25"},  # 66.67
    **{"4.1": "0.75", "4.2": "0.75", "4.3": "0.75"},  # 75
    **{"5.1": "1", "5.2": "1", "5.3": "0.25"},  # 75
    **{"6.1": "0.75", "6.2": "0.75"},  # 75
    **{"7.1": "0.75", "7.2": "0.75", "7.3": "1"},  # 83.33
    **{"8.1": "0.75", "8.2": "0.75"},  # 75
    **{"OR.1": "0.75", "OR.2": "0.25", "OR.3": "0.75", "OR.4": "0.25"},  # 50
}
BODY = "Qualicert Services Publics"
SERVICE = "Caisse d’allocations familiales de la Côte-d’Or"

# Users: 27 questionnaires « tout à fait d’accord » (1 point) and 36 « plutôt d’accord » (0.75): every note is
# (27 + 36 × 0.75) / 63 = 85.71/100, Argent's band (80 to 90). Agents: 13 × « plutôt d’accord »: 75/100 (65 to 80).
# The survey tool's export brings the admissible numbers (≥ 50 and ≥ 5 % of 500 users; ≥ 50 % of 22 agents).
SURVEY_ANSWERS = {
    "user_rows": [[4] * 15] * 24 + [[3] * 15] * 36,
    "user_browser_answers": [[4] * 15] * 3,
    "agent_rows": [[3] * 11] * 12,
    "agent_browser_answers": [[3] * 11],
}


def test_local_service_journey_to_argent(browser, live_url, steps, settings):
    # Public links, QR codes and e-mails name the site by its public address: here, the live server.
    settings.SITE_URL = live_url
    with Clock(START) as clock:
        j = Journey(browser=browser, live_url=live_url, steps=steps)
        _body, staff = flow.certification_body(BODY)
        referent = UserFactory(first_name="Claire", last_name="Moreau", email="claire.moreau@caf21.example")
        j.person("candidate", referent, logged_in=False)
        flow.candidate_registers(j, name=SERVICE, siret=complete_siret("2100000010000"), body_name=BODY)
        flow.candidate_runs_the_surveys(j, **SURVEY_ANSWERS)
        flow.candidate_files_the_application(j, audit_start=VISIT_START, audit_end=VISIT_END)
        j.person("manager", staff["manager"], logged_in=False)
        flow.manager_asks_for_a_complement(j, SERVICE)
        flow.candidate_sends_the_complement(j)
        flow.manager_acknowledges(j, SERVICE)

        j.person("auditor", staff["auditor"])
        flow.manager_creates_the_audit_and_proposes_the_auditor(j, SERVICE)
        flow.auditor_signs_the_declaration(j)
        # ⌈√3⌉ = 2 of the 3 sites.
        flow.manager_draws_and_sends_the_plan(j, visit_start=VISIT_START, visit_end=VISIT_END, draw_size=2)

        clock.move_to(VISIT_START)
        j.people["auditor"].new_session()
        flow.auditor_grades_on_the_tablet(j, grades=GRADES, offline_sections=["5", "6", "7", "8", "or"])
        clock.move_to(VISIT_END, hour=17)
        flow.auditor_sends_the_report(j)
        clock.move_to(VISIT_END + datetime.timedelta(days=1))
        j.people["candidate"].new_session()
        flow.candidate_sends_observations(j)
        # The candidate's 10 days are over: the auditor hands the file over.
        clock.move_to(DECISION_DAY)
        for name in ("auditor", "manager", "candidate"):
            j.people[name].new_session()
        flow.auditor_hands_over_for_decision(j)

        flow.manager_decides(j, tier_label="Argent")
        decision, label = j.data["decision"], j.data["label"]
        assert decision.tier == Tier.ARGENT and label.tier == Tier.ARGENT
        assert (label.starts_on, label.ends_on) == (DECISION_DAY, datetime.date(2030, 3, 7))
        assert decision.inputs  # every input the manager read is kept with the decision
        flow.candidate_downloads_the_attestation_and_checks_its_qr_code(j, tier_label="Argent")
        flow.visitor_finds_the_service_in_the_register(j, name=SERVICE, tier_label="Argent")

        # The label's cycle: follow-up preparation at 12 months, follow-up audit at 18 (window 16–20), yearly
        # self-assessments, the renewal invitation 9 months before expiry. Reminders go to the service; once a date
        # has passed, the escalation reaches the body's managers too.
        preparation = f"Rappel — Préparation de l’audit de suivi — {SERVICE}"
        follow_up = f"Rappel — Audit de suivi — {SERVICE}"
        missed_self_assessment = f"Échéance dépassée — Autodiagnostic annuel — {SERVICE}"
        renewal = f"Aujourd’hui — Renouvellement du label — {SERVICE}"
        flow.sweep_and_read_notifications(
            j,
            clock,
            datetime.date(2028, 2, 7),
            expected={"candidate": [preparation]},
            absent={"manager": [preparation], "auditor": [preparation]},
        )
        flow.sweep_and_read_notifications(
            j,
            clock,
            datetime.date(2028, 8, 9),
            expected={"candidate": [follow_up, missed_self_assessment], "manager": [missed_self_assessment]},
            absent={"manager": [follow_up], "auditor": [missed_self_assessment]},
        )
        flow.sweep_and_read_notifications(
            j,
            clock,
            datetime.date(2029, 6, 8),
            expected={"candidate": [renewal]},
            absent={"auditor": [renewal]},
        )
