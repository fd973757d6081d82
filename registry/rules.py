"""Pure rules about certification bodies (no database)."""

import datetime

from dateutil.relativedelta import relativedelta

HABILITATION_YEARS = 5


def habilitation_end(start: datetime.date) -> datetime.date:
    """Last day of a habilitation granted on `start` (§1.3: habilitation for 5 years).

    Interpretation: the habilitation covers five full years, so it ends the day before the fifth
    anniversary (granted 2025-03-01 → last day 2030-02-28).
    """
    return start + relativedelta(years=HABILITATION_YEARS) - datetime.timedelta(days=1)


def habilitation_is_active(
    *, status: str, start: datetime.date, end: datetime.date, on: datetime.date
) -> bool:
    from registry.enums import HabilitationStatus

    return status == HabilitationStatus.ACTIVE and start <= on <= end
