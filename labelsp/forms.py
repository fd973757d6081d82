"""Form helpers shared by every app."""

from django.core.exceptions import ValidationError


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
