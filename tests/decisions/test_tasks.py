"""The beat task that applies withdrawals on their effective date (safe to run twice)."""

import datetime

import pytest
from django.utils import timezone

from decisions.enums import LabelStatus, WithdrawalReason
from decisions.models import Label, Withdrawal
from decisions.tasks import sweep_withdrawals
from tests.decisions.factories import LabelFactory

pytestmark = pytest.mark.django_db


def test_the_sweep_withdraws_labels_from_their_effective_date_once():
    today = timezone.localdate()
    due, later = LabelFactory(), LabelFactory()
    for label, effective in ((due, today), (later, today + datetime.timedelta(days=1))):
        Withdrawal.objects.create(
            label=label,
            reason=WithdrawalReason.TRADEMARK_BREACH,
            effective_on=effective,
            decided_by=label.decision.decided_by,
        )
    assert sweep_withdrawals() == 1
    assert sweep_withdrawals() == 0
    assert Label.objects.get(pk=due.pk).status == LabelStatus.WITHDRAWN
    assert Label.objects.get(pk=later.pk).status == LabelStatus.ACTIVE
