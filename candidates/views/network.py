from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from candidates.enums import LocalServiceKind
from candidates.models import CentralService, LocalService
from labelsp.geo import DEPARTEMENT_CHOICES

LOCALS_PER_PAGE = 50


@require_GET
def local_service_detail(request, pk):
    service = get_object_or_404(
        LocalService.objects.for_user(request.user).select_related("parent").with_site_figures(), pk=pk
    )
    sites = service.sites.active().order_by("kind", "name")
    return render(request, "candidates/local_service_detail.html", {"service": service, "sites": sites})


@require_GET
def central_service_detail(request, pk):
    """The network of a central service: every local service, filterable, with a constant number of queries."""
    central = get_object_or_404(CentralService.objects.for_user(request.user), pk=pk)
    local_services = central.local_services.with_site_figures().order_by("name")
    query = request.GET.get("q", "").strip()[:100]
    departement = request.GET.get("departement", "")
    kind = request.GET.get("kind", "")
    if query:
        local_services = local_services.filter(Q(name__icontains=query) | Q(city__icontains=query))
    if departement in dict(DEPARTEMENT_CHOICES):
        local_services = local_services.filter(departement=departement)
    if kind in LocalServiceKind.values:
        local_services = local_services.filter(kind=kind)
    page = Paginator(local_services, LOCALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "candidates/central_service_detail.html",
        {
            "central": central,
            "page_obj": page,
            "query": query,
            "departement": departement,
            "kind": kind,
            "departement_choices": DEPARTEMENT_CHOICES,
            "kind_choices": LocalServiceKind.choices,
        },
    )
