"""Permission matrix of the national statistics (registry/views/stats.py).

The dashboard and its CSV downloads are for the national commission and the DITP only; every other logged-in
persona gets 404 (the page does not exist for them), anonymous visitors go to the login.
"""

from django.urls import reverse

from tests.matrix_world import COMMISSION, DITP, Case, not_found_but

READERS = (COMMISSION, DITP)

CASES = {
    "statistiques:dashboard": Case(
        url=lambda w: reverse("statistiques:dashboard"), expect=not_found_but(*READERS)
    ),
    "statistiques:table_csv": Case(
        url=lambda w: reverse("statistiques:table_csv", args=["paliers"]), expect=not_found_but(*READERS)
    ),
}
