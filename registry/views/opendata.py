"""Open data (issue #8): the exports of the public list, the JSON API and the Atom feed, public and cacheable.

Every answer is cached under `registry_version()`, which changes whenever the registry does and each day: a new
decision, suspension or withdrawal makes the next request rebuild it. Anyone may read them from any site (CORS).
Formats: docs/registry-schema.md.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from registry import opendata
from registry.cache import cache_get, cache_set, registry_version
from registry.models import CertificationBody
from registry.selectors import registry_labels

API_PAGE_SIZE = 100
JSON_TYPE = "application/json"


def _response(body: bytes, *, content_type: str, status: int = 200, filename: str | None = None):
    response = HttpResponse(body, content_type=content_type, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(data, status: int = 200):
    return _response(json.dumps(data, ensure_ascii=False).encode(), content_type=JSON_TYPE, status=status)


def _error(status: int, message: str, parameter: str | None = None):
    data = {"detail": message}
    if parameter:
        data["parameter"] = parameter
    return _json(data, status=status)


def _cached(key: str, build) -> bytes:
    """`build()` once per registry version."""
    key = f"registry:opendata:{registry_version()}:{key}"
    body = cache_get(key)
    if body is None:
        body = build()
        cache_set(key, body)
    return body


@login_not_required
@require_safe
def export_csv(request):
    """The whole public list as CSV (";", UTF-8 with BOM)."""
    body = _cached("export.csv", lambda: opendata.export_csv(registry_labels()))
    return _response(body, content_type="text/csv; charset=utf-8", filename=opendata.export_filename("csv"))


@login_not_required
@require_safe
def export_json(request):
    """The whole public list as JSON, with its schema's URL."""
    body = _cached("export.json", lambda: opendata.export_json(registry_labels()))
    return _response(body, content_type=JSON_TYPE, filename=opendata.export_filename("json"))


@login_not_required
@require_safe
def feed(request):
    """Atom feed of the latest awards, upgrades, suspensions and withdrawals."""
    body = _cached("flux.atom", opendata.atom_feed)
    return _response(body, content_type="application/atom+xml; charset=utf-8")


def _page(request, queryset, serialise):
    """A page of `queryset` as {count, next, previous, results}, cached by version and query string."""
    try:
        number = opendata.parse_page(request.GET)
    except opendata.InvalidParameter as error:
        return _error(400, error.message, error.parameter)
    paginator = Paginator(queryset, API_PAGE_SIZE)
    if number > 1 and number > paginator.num_pages:
        return _error(404, _("Cette page n’existe pas."), "page")
    page = paginator.page(number)

    def link(n):
        params = request.GET.copy()
        params["page"] = n
        return opendata.absolute(f"{request.path}?{params.urlencode()}")

    with translation.override("fr"):
        results = [serialise(item) for item in page.object_list]
    return {
        "count": paginator.count,
        "next": link(number + 1) if page.has_next() else None,
        "previous": link(number - 1) if page.has_previous() else None,
        "results": results,
    }


def _api_cache_key(request, name: str) -> str:
    query = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    digest = hashlib.sha256(json.dumps(query).encode()).hexdigest()
    return f"api:{name}:{digest}"


def _api_list(request, name: str, build_queryset, serialise):
    key = f"registry:opendata:{registry_version()}:{_api_cache_key(request, name)}"
    body = cache_get(key)
    if body is None:
        try:
            queryset = build_queryset()
        except opendata.InvalidParameter as error:
            return _error(400, error.message, error.parameter)
        data = _page(request, queryset, serialise)
        if isinstance(data, HttpResponse):
            return data
        body = json.dumps(data, ensure_ascii=False).encode()
        cache_set(key, body)
    return _response(body, content_type=JSON_TYPE)


@login_not_required
@require_safe
def api_labels(request):
    """The public labels, 100 a page, filtered like the registry page (q, tier, region, departement, kind, network
    and body by SIRET)."""
    return _api_list(
        request,
        "labels",
        lambda: opendata.with_latest_attestation(
            registry_labels(filters=opendata.parse_filters(request.GET))
        ),
        opendata.label_row,
    )


@login_not_required
@require_safe
def api_bodies(request):
    """The certification bodies habilitated today, with their accreditation and habilitation."""
    return _api_list(
        request,
        "bodies",
        lambda: CertificationBody.objects.habilitated().order_by("name", "pk"),
        opendata.body_row,
    )


@login_not_required
@require_safe
def api_label(request, siret):
    """The current public label of the service with this SIRET (local or central), or 404."""
    not_found = _("Aucun service labellisé ne porte ce SIRET.")
    if not opendata.SIRET_RE.match(siret):
        return _error(404, not_found)

    def build():
        label = (
            opendata.with_latest_attestation(registry_labels())
            .filter(Q(local_service__siret=siret) | Q(central_service__siret=siret))
            .first()
        )
        if label is None:
            return b""
        with translation.override("fr"):
            return json.dumps(opendata.label_row(label), ensure_ascii=False).encode()

    body = _cached(f"api:label:{siret}", build)
    if not body:
        return _error(404, not_found)
    return _response(body, content_type=JSON_TYPE)
