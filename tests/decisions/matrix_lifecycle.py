"""Permission matrix of the label's life (decisions/views/lifecycle.py).

The objects are the local's (w.local) label and decisions on its file with w.body: the body's members, the local's
staff, its central service and the DITP read them; only the body's managers suspend, lift, withdraw and record an
appeal's outcome; only the labelled service's own staff produce an action plan, appeal and download the kit.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from decisions.enums import DecisionOutcome, LabelStatus, SuspensionReason
from decisions.models import ActionPlanRequest, Appeal, Label, Suspension
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.matrix_world import (
    AUDITOR,
    CANDIDATE,
    CB_MANAGER,
    CB_MANAGER_OTHER,
    CENTRAL,
    DITP,
    Case,
    not_found_but,
)

READERS = (CANDIDATE, CENTRAL, AUDITOR, CB_MANAGER, DITP)


def _label(w):
    return LabelFactory(decision=DecisionFactory(application=w.application))


def _today():
    return timezone.localdate().isoformat()


def _suspension_lift_url(w):
    label = _label(w)
    suspension = Suspension.objects.create(
        label=label,
        reason=SuspensionReason.AT_REQUEST,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=60),
        decided_by=w.users[CB_MANAGER],
    )
    Label.objects.filter(pk=label.pk).update(status=LabelStatus.SUSPENDED)
    return reverse("decisions:suspension_lift", args=[suspension.pk])


def _action_plan_url(w):
    label = _label(w)
    decision = DecisionFactory(application=w.application, outcome=DecisionOutcome.ACTION_PLAN, tier="")
    plan = ActionPlanRequest.objects.create(
        decision=decision, label=label, due_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    return reverse("decisions:action_plan_submit", args=[plan.pk])


def _appeal_record_url(w):
    appeal = Appeal.objects.create(
        decision=DecisionFactory(application=w.application),
        grounds="Scores mal reportés.",
        filed_by=w.users[CANDIDATE],
    )
    return reverse("decisions:appeal_record", args=[appeal.pk])


def _refusal_url(w):
    decision = DecisionFactory(
        application=w.application,
        outcome=DecisionOutcome.REFUSAL,
        tier="",
        motivation="Engagement 4 sous 50 %.",
    )
    return reverse("decisions:refusal_letter", args=[decision.pk])


# Read by the body's members, the local's staff, its central service and the DITP; changed only by the body's
# managers (the others who read it get 403).
MANAGER_ONLY = {**not_found_but(*READERS, status=403), CB_MANAGER: 302}
# Changed only by the labelled service's own staff.
SERVICE_ONLY = {**not_found_but(*READERS, status=403), CANDIDATE: 302}

CASES = {
    "decisions:label_detail": Case(
        url=lambda w: reverse("decisions:label_detail", args=[_label(w).pk]), expect=not_found_but(*READERS)
    ),
    # The body's managers list their body's labels (the other body's manager an empty list); the DITP all.
    "decisions:label_list": Case(
        url=lambda w: reverse("decisions:label_list"),
        expect=not_found_but(CB_MANAGER, CB_MANAGER_OTHER, DITP),
    ),
    "decisions:suspension_create": Case(
        url=lambda w: reverse("decisions:suspension_create", args=[_label(w).pk]),
        method="post",
        data={
            "suspension-reason": SuspensionReason.AT_REQUEST,
            "suspension-starts_on": _today(),
            "suspension-ends_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
        expect=MANAGER_ONLY,
    ),
    "decisions:suspension_lift": Case(
        url=_suspension_lift_url, method="post", data={"lift-lifted_on": _today()}, expect=MANAGER_ONLY
    ),
    "decisions:withdrawal_create": Case(
        url=lambda w: reverse("decisions:withdrawal_create", args=[_label(w).pk]),
        method="post",
        data={"withdrawal-reason": "trademark_breach", "withdrawal-effective_on": _today()},
        expect=MANAGER_ONLY,
    ),
    # The kit is for the labelled service itself: its central service, the body and the DITP read the label only.
    "decisions:trademark_kit": Case(
        url=lambda w: reverse("decisions:trademark_kit", args=[_label(w).pk]),
        expect={**not_found_but(*READERS, status=403), CANDIDATE: 200},
    ),
    "decisions:action_plan_submit": Case(
        url=_action_plan_url, method="post", data={"plan-summary": "Former l’accueil."}, expect=SERVICE_ONLY
    ),
    "decisions:decision_appeals": Case(
        url=lambda w: reverse(
            "decisions:decision_appeals", args=[DecisionFactory(application=w.application).pk]
        ),
        expect=not_found_but(*READERS),
    ),
    "decisions:appeal_file": Case(
        url=lambda w: reverse("decisions:appeal_file", args=[DecisionFactory(application=w.application).pk]),
        method="post",
        data={"appeal-grounds": "Les scores de l’engagement 4 sont mal reportés."},
        expect=SERVICE_ONLY,
    ),
    "decisions:appeal_record": Case(
        url=_appeal_record_url,
        method="post",
        data={
            "record-status": "dismissed",
            "record-committee_opinion": "Scores vérifiés : décision maintenue.",
        },
        expect=MANAGER_ONLY,
    ),
    "decisions:refusal_letter": Case(url=_refusal_url, expect=not_found_but(*READERS)),
}
