"""The public registry (issue #8, « Public registry »): no login.

The list is searchable and filtered (registry/selectors.py). Anonymous visitors share whole pages, per registry
state and address (registry/cache.py `shared_page`: the CSP nonce is filled in per response);
for a logged-in visitor, the results and the search form are cached fragments and the page around them is
rendered each time.
"""

import hashlib
from dataclasses import asdict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_safe

from candidates.models import Site
from decisions.models import Attestation
from registry.cache import cache_get, cache_set, registry_version, shared_page
from registry.forms_public import RegistrySearchForm
from registry.models import CertificationBody
from registry.selectors import RegistryFilters, registry_labels

PER_PAGE = 50


def _cache_key(*parts) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f"registre:{registry_version()}:{translation.get_language()}:{digest}"


def _results_html(filters: RegistryFilters, page_number: str) -> tuple[str, int]:
    """The results table and pagination for one query: two queries (count, page), or none when cached."""
    key = _cache_key("list", filters, page_number)
    cached = cache_get(key)
    if cached is not None:
        return cached
    paginator = Paginator(registry_labels(filters=filters), PER_PAGE)
    page = paginator.get_page(page_number)
    # Pagination links keep the valid filters (the cache key): what was ignored is not carried along.
    base = urlencode({name: value for name, value in asdict(filters).items() if value})
    html = render_to_string(
        "registry/public/_results.html",
        {"page": page, "count": paginator.count, "base_query": base},
    )
    result = (html, paginator.count)
    cache_set(key, result)
    return result


def _path_key(request) -> str:
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]


@login_not_required
@require_safe
def registry_list(request):
    """Every service whose label is active or suspended, searchable and filtered."""

    def render_page():
        form = RegistrySearchForm(request.GET or None)
        if form.is_bound:
            form.is_valid()
        filters = form.filters()
        query = {name: request.GET.get(name, "")[:100] for name in RegistrySearchForm.base_fields}
        results, count = _results_html(filters, request.GET.get("page", "1")[:6])
        # The form, with its long lists (départements, networks, bodies), costs more to render than the rest of
        # the page: it is cached too, by the query it shows (a GET form: no CSRF token, no nonce in it).
        form_key = _cache_key("form", sorted(query.items()))
        form_html = cache_get(form_key)
        if form_html is None:
            form_html = render_to_string("registry/public/_form.html", {"form": form})
            cache_set(form_key, form_html)
        context = {"form_html": form_html, "results": results, "count": count}
        return render(request, "registry/public/list.html", context)

    return shared_page(request, f"list:{_path_key(request)}", render_page)


@login_not_required
@require_safe
def service_detail(request, siret):
    """One labelled service: tier, sites covered, validity, body, network, and its attestation's verification."""
    if not siret.isdigit() or len(siret) != 14:
        raise Http404

    def render_page():
        label = (
            registry_labels()
            .filter(Q(local_service__siret=siret) | Q(central_service__siret=siret))
            .prefetch_related(
                Prefetch(
                    "attestations",
                    queryset=Attestation.objects.order_by("-version"),
                    to_attr="latest_attestations",
                )
            )
            .first()
        )
        if label is None:
            raise Http404
        sites = (
            list(
                Site.objects.filter(local_service_id=label.local_service_id, is_active=True).order_by(
                    "kind", "name"
                )
            )
            if label.local_service_id
            else []
        )
        network = []
        if label.central_service_id:
            network = list(registry_labels().filter(local_service__parent_id=label.central_service_id))
        attestation = label.latest_attestations[0] if label.latest_attestations else None
        return render(
            request,
            "registry/public/service.html",
            {
                "label": label,
                "service": label.local_service or label.central_service,
                "sites": sites,
                "network_labels": network,
                "attestation": attestation,
                "SITE_URL": settings.SITE_URL,
            },
        )

    return shared_page(request, f"service:{siret}", render_page)


@login_not_required
@require_safe
def body_list(request):
    """The certification bodies habilitated by the DITP today, with their accreditation and habilitation."""

    def render_page():
        bodies = CertificationBody.objects.habilitated().order_by("name")
        return render(request, "registry/public/bodies.html", {"bodies": bodies})

    return shared_page(request, "bodies", render_page)
