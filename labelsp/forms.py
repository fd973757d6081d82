"""Form helpers shared by every app."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every date of the label's life falls in this window; outside it a date is a typing error (0026 for 2026), and
# the rules' date arithmetic (+5 years, working days) would leave Python's calendar for years 1 or 9999.
FIRST_PLAUSIBLE_DATE = datetime.date(2000, 1, 1)
LAST_PLAUSIBLE_DATE = datetime.date(2099, 12, 31)


def validate_plausible_date(value: datetime.date) -> None:
    """Refuse a date outside FIRST_PLAUSIBLE_DATE..LAST_PLAUSIBLE_DATE with a message next to the field."""
    if value is not None and not FIRST_PLAUSIBLE_DATE <= value <= LAST_PLAUSIBLE_DATE:
        raise ValidationError(
            _("Indiquez une date entre le 1er janvier 2000 et le 31 décembre 2099."), code="implausible_date"
        )


def service_error_messages(error: ValidationError) -> dict:
    """A service's ValidationError as {field: [messages]}; messages without a field go under "__all__"."""
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def add_service_errors(form, error: ValidationError, *, renames: dict | None = None) -> None:
    """Show a service's ValidationError on `form`: each message next to its field, the others at the top.

    `renames` maps a service's field name to the form's when they differ.
    """
    for field, messages in service_error_messages(error).items():
        field = (renames or {}).get(field, field)
        form.add_error(field if field in form.fields else None, messages)


def message_service_errors(request, error: ValidationError) -> None:
    """Show a service's ValidationError as error messages on the next page (actions without a form)."""
    from django.contrib import messages

    for field_messages in service_error_messages(error).values():
        for message in field_messages:
            messages.error(request, message)
