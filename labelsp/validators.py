"""Validators shared by every app (identifiers of French public bodies)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share SIREN 356000000 and follow another checksum rule.
_LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    """A SIRET is 14 digits whose Luhn checksum holds; La Poste's offices use a digit sum multiple of 5."""
    if not re.fullmatch(r"\d{14}", value or ""):
        return False
    if luhn_is_valid(value):
        return True
    return value.startswith(_LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0


def validate_siret(value: str) -> None:
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(_("Le SIRET compte exactement 14 chiffres, sans espace."), code="siret_format")
    if not siret_is_valid(value):
        raise ValidationError(
            _(
                "Ce SIRET n’est pas valide (clé de contrôle incorrecte) : vérifiez-le sur l’annuaire des entreprises."
            ),
            code="siret_checksum",
        )


def complete_siret(first_13_digits: str) -> str:
    """Append the Luhn check digit to 13 digits (used by demo data and factories)."""
    for last in "0123456789":
        candidate = first_13_digits + last
        if luhn_is_valid(candidate):
            return candidate
    raise ValueError(first_13_digits)
