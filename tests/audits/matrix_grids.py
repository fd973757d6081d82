"""Permission matrix of the audit grid versions (audits/views/grids.py).

The list (and its upload form) is the DITP's only; a version's page and its JSON download are readable by the DITP
and by every certification body's auditors and managers (the grid is national data, the same for every body); every
other persona gets 404, anonymous visitors go to the login. The upload (POST on the list) is tested per role in
tests/audits/test_grids.py::test_other_roles_get_404_and_publish_nothing.
"""

from django.urls import reverse

from audits.models import AuditGrid
from tests.matrix_world import AUDITOR, AUDITOR_OTHER, CB_MANAGER, CB_MANAGER_OTHER, DITP, Case, not_found_but

GRID_READERS = (DITP, AUDITOR, AUDITOR_OTHER, CB_MANAGER, CB_MANAGER_OTHER)

CASES = {
    "audits:grid_list": Case(url=lambda w: reverse("audits:grid_list"), expect=not_found_but(DITP)),
    # The default local grid (version 1, loaded by audits/migrations/0002_default_grids.py).
    "audits:grid_detail": Case(
        url=lambda w: reverse("audits:grid_detail", args=[AuditGrid.objects.current("local").pk]),
        expect=not_found_but(*GRID_READERS),
    ),
    "audits:grid_download": Case(
        url=lambda w: reverse("audits:grid_download", args=[AuditGrid.objects.current("central").pk]),
        expect=not_found_but(*GRID_READERS),
    ),
}
