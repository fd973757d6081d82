"""Personal invitations (§3.4): reading a list of addresses, and the keyed digest that replaces each address.

Pure helpers, no database: the writes are in surveys.services_invitations.
"""

import re

from django.utils.crypto import salted_hmac

# Cells of one line: addresses are separated by ";" or "," (spreadsheet exports), or by a tab.
_SEPARATORS = re.compile(r"[;,\t]")
# A first line naming the column, as spreadsheet exports write it: skipped, not reported as a bad address.
_HEADERS = {"email", "e-mail", "mail", "courriel", "adresse", "adresse e-mail", "adresse électronique"}


def email_digest(address: str) -> str:
    """An HMAC-SHA256 of the lower-cased address keyed with SECRET_KEY: the same person gives the same digest,
    and nobody can find the address back by hashing candidate addresses without the key."""
    return salted_hmac("surveys.invitation.email", address.strip().lower(), algorithm="sha256").hexdigest()


def parse_addresses(text: str) -> list[tuple[int, str]]:
    """(line number, address) for each address of `text`: one per line, or several separated by ";" or ",".

    Blank lines and empty cells are ignored (they still count in the line numbers); quotes around a cell, as
    CSV files write them, are removed.
    """
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip().strip("\"'").strip() for cell in _SEPARATORS.split(line)]
        cells = [cell for cell in cells if cell]
        if number == 1 and len(cells) == 1 and cells[0].lower() in _HEADERS:
            continue
        entries.extend((number, cell) for cell in cells)
    return entries


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the two encodings French spreadsheets export."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
