"""Permission matrix of the DITP's questionnaire versions (surveys/views/questionnaires.py).

Only the DITP sees them; every other persona gets 404, anonymous visitors go to the login. The upload (POST on the
list) is tested per role in tests/surveys/test_questionnaires.py::test_other_roles_get_404_and_publish_nothing.
"""

from django.urls import reverse

from surveys.models import Questionnaire
from tests.matrix_world import DITP, Case, not_found_but

CASES = {
    "surveys:questionnaire_list": Case(
        url=lambda w: reverse("surveys:questionnaire_list"), expect=not_found_but(DITP)
    ),
    # The default user questionnaire (version 1, loaded by surveys/migrations/0002_default_questionnaires.py).
    "surveys:questionnaire_detail": Case(
        url=lambda w: reverse(
            "surveys:questionnaire_detail", args=[Questionnaire.objects.current("users").pk]
        ),
        expect=not_found_but(DITP),
    ),
}
