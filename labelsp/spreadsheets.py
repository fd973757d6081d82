"""The CSV files the platform produces are opened in spreadsheets, where a cell must never run as a formula."""

# What makes a spreadsheet read a cell as a formula (OWASP, « CSV injection »).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """A text cell that starts like a formula gets a leading apostrophe, which spreadsheets show as text;
    numbers, dates and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value
