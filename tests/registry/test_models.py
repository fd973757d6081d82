import datetime

import pytest
from django.db import IntegrityError, transaction

from registry.enums import HabilitationStatus
from registry.models import CertificationBody
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db


def test_habilitated_lists_only_bodies_active_today():
    today = datetime.date(2026, 6, 15)
    active = CertificationBodyFactory(habilitation_start=datetime.date(2022, 1, 1))
    CertificationBodyFactory(habilitation_start=datetime.date(2021, 6, 15))  # ended 2026-06-14
    CertificationBodyFactory(habilitation_start=datetime.date(2026, 6, 16))  # not started
    CertificationBodyFactory(habilitation_status=HabilitationStatus.SUSPENDED)
    assert list(CertificationBody.objects.habilitated(today)) == [active]


def test_database_refuses_an_end_before_the_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificationBodyFactory(
            habilitation_start=datetime.date(2026, 1, 1), habilitation_end=datetime.date(2025, 1, 1)
        )


def test_database_refuses_a_sector_other_than_public_administration():
    body = CertificationBodyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificationBody.objects.filter(pk=body.pk).update(accreditation_sector="EA/IAF 35")


def test_every_change_is_kept_in_history():
    body = CertificationBodyFactory()
    body.habilitation_status = HabilitationStatus.SUSPENDED
    body.save()
    assert [h.habilitation_status for h in body.history.order_by("history_date")] == [
        HabilitationStatus.ACTIVE,
        HabilitationStatus.SUSPENDED,
    ]
