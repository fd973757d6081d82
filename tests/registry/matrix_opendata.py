"""Permission matrix of the open data (registry/views/opendata.py): public, 200 for every persona, anonymous
visitors included."""

from django.urls import reverse

from tests.candidates.factories import ApplicationFactory
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.matrix_world import Case


def _labelled_siret(w):
    """w.local, labelled by w.body."""
    application = ApplicationFactory(
        contract=w.contract, local_service=w.local, status="closed", outcome="labelled"
    )
    LabelFactory(decision=DecisionFactory(application=application))
    return w.local.siret


CASES = {
    "registre:export_csv": Case(url=lambda w: reverse("registre:export_csv"), expect={}),
    "registre:export_json": Case(url=lambda w: reverse("registre:export_json"), expect={}),
    "registre:feed": Case(url=lambda w: reverse("registre:feed"), expect={}),
    "api:labels": Case(url=lambda w: reverse("api:labels"), expect={}),
    "api:label": Case(url=lambda w: reverse("api:label", args=[_labelled_siret(w)]), expect={}),
    "api:bodies": Case(url=lambda w: reverse("api:bodies"), expect={}),
}
