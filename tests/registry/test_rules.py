import datetime

import pytest

from registry.enums import HabilitationStatus
from registry.rules import habilitation_end, habilitation_is_active

D = datetime.date


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 3, 1), D(2030, 2, 28)),
        (D(2024, 1, 1), D(2028, 12, 31)),
        (D(2024, 2, 29), D(2029, 2, 27)),  # no 29 February in 2029: the anniversary is the 28th
    ],
)
def test_habilitation_lasts_five_years(start, end):
    assert habilitation_end(start) == end


@pytest.mark.parametrize(
    ("on", "status", "active"),
    [
        (D(2025, 2, 28), HabilitationStatus.ACTIVE, False),  # the day before it starts
        (D(2025, 3, 1), HabilitationStatus.ACTIVE, True),  # first day
        (D(2030, 2, 28), HabilitationStatus.ACTIVE, True),  # last day
        (D(2030, 3, 1), HabilitationStatus.ACTIVE, False),  # fifth anniversary: over
        (D(2027, 6, 1), HabilitationStatus.SUSPENDED, False),
        (D(2027, 6, 1), HabilitationStatus.WITHDRAWN, False),
    ],
)
def test_habilitation_is_active_within_its_dates_only(on, status, active):
    start = D(2025, 3, 1)
    assert habilitation_is_active(status=status, start=start, end=habilitation_end(start), on=on) is active
