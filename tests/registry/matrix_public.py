"""Permission matrix of the public registry (registry/views/public.py): every page answers everyone, logged in or
not (also in PUBLIC)."""

from django.urls import reverse

from tests.candidates.factories import ApplicationFactory
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.matrix_world import Case


def _service_url(w):
    application = ApplicationFactory(
        contract=w.contract, local_service=w.local, status="closed", outcome="labelled"
    )
    LabelFactory(decision=DecisionFactory(application=application))
    return reverse("registre:service", args=[w.local.siret])


CASES = {
    "registre:list": Case(url=lambda w: reverse("registre:list"), expect={}),
    "registre:service": Case(url=_service_url, expect={}),
    "registre:bodies": Case(url=lambda w: reverse("registre:bodies"), expect={}),
}
