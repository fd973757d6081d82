"""Reading the small JSON files the DITP publishes (questionnaires, audit grids): one French message per problem."""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def load_json(data: bytes):
    """The document in `data` (UTF-8, with or without BOM), or ValidationError saying where it is unreadable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            [
                _("Le fichier n’est pas encodé en UTF-8 (octet %(position)s illisible).")
                % {"position": error.start + 1}
            ]
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            [
                _(
                    "Le fichier n’est pas un JSON valide : erreur ligne %(line)s, colonne %(column)s "
                    "(virgule, guillemet ou accolade manquant ou en trop ?)."
                )
                % {"line": error.lineno, "column": error.colno}
            ]
        ) from None
    except RecursionError:
        # A hostile file of thousands of nested brackets exhausts the parser's stack: refused, never a 500.
        raise ValidationError([_("Le fichier n’est pas un JSON valide : il est trop imbriqué.")]) from None


def unknown_keys(obj: dict, allowed, *, where: str) -> list[str]:
    """One message per key of `obj` that is not in `allowed`: a misspelt key is refused, never ignored."""
    return [
        _("%(where)s contient une clé inconnue : « %(key)s » (clés possibles : %(allowed)s).")
        % {"where": where, "key": key, "allowed": ", ".join(f"« {name} »" for name in allowed)}
        for key in obj
        if key not in allowed
    ]
