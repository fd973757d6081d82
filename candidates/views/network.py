from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from candidates import permissions, rules, services
from candidates.enums import ApplicationStatus, LocalServiceKind
from candidates.models import Application, CentralService, LocalService, ServiceContract
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership
from labelsp.geo import DEPARTEMENT_CHOICES

LOCALS_PER_PAGE = 50


@require_GET
def central_service_detail(request, pk):
    """The network of a central service: its campaign, then every local service with its registration, its
    current file and its next deadline (§3.5.1, §3.9.2); filterable, with a constant number of queries."""
    central = get_object_or_404(CentralService.objects.for_user(request.user), pk=pk)
    open_files = Application.objects.open()
    # Registered: a candidate's staff member holds an active membership of the service.
    staff_since = (
        Membership.objects.active()
        .filter(local_service=OuterRef("pk"), role=Role.CANDIDATE)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    local_services = (
        central.local_services.network_members()
        .with_site_figures()
        .annotate(staff_since=Subquery(staff_since))
        .prefetch_related(
            Prefetch("applications", queryset=open_files.order_by("-created_at"), to_attr="open_applications")
        )
        .order_by("name")
    )
    query = request.GET.get("q", "").strip()[:100]
    departement = request.GET.get("departement", "")
    kind = request.GET.get("kind", "")
    registration = request.GET.get("registration", "")
    application_status = request.GET.get("application_status", "")
    registration_choices = [("registered", _("Inscrit")), ("not_registered", _("Pas encore inscrit"))]
    application_status_choices = [
        *((value, label) for value, label in ApplicationStatus.choices if value != ApplicationStatus.CLOSED),
        ("none", _("Aucun dossier en cours")),
    ]
    if query:
        local_services = local_services.filter(Q(name__icontains=query) | Q(city__icontains=query))
    if departement in dict(DEPARTEMENT_CHOICES):
        local_services = local_services.filter(departement=departement)
    if kind in LocalServiceKind.values:
        local_services = local_services.filter(kind=kind)
    if registration == "registered":
        local_services = local_services.filter(staff_since__isnull=False)
    elif registration == "not_registered":
        local_services = local_services.filter(staff_since__isnull=True)
    if application_status == "none":
        local_services = local_services.filter(~Exists(open_files.filter(local_service=OuterRef("pk"))))
    elif application_status in dict(application_status_choices):
        local_services = local_services.filter(
            Exists(open_files.filter(local_service=OuterRef("pk"), status=application_status))
        )
    page = Paginator(local_services, LOCALS_PER_PAGE).get_page(request.GET.get("page"))
    for service in page.object_list:
        application = service.open_applications[0] if service.open_applications else None
        service.open_application = application
        service.deadline = None
        if application is not None and application.audit_start:
            if application.is_editable_by_candidate:
                service.deadline = {
                    "kind": "submission",
                    "date": rules.latest_submission_date(application.audit_start),
                }
            else:
                service.deadline = {"kind": "audit", "date": application.audit_start}
    can_manage = permissions.can_manage_central_service(request.user, central)
    # Services that declared themselves of the network and wait for its confirmation (§1.4.1).
    pending_attachments = (
        list(central.local_services.filter(parent_confirmed_at__isnull=True).order_by("registered_at", "pk"))
        if can_manage
        else []
    )
    # The central service's own open file: the campaign its sampled locals file within (§3.9.2).
    campaign = central.applications.open().select_related("certification_body").first()
    campaign_counts = []
    if campaign is not None:
        counts = dict(
            campaign.local_applications.values_list("status").annotate(count=Count("pk")).order_by("status")
        )
        campaign_counts = [
            (label, counts[value]) for value, label in ApplicationStatus.choices if counts.get(value)
        ]
    # The network's contract, from which its locals file: the central service records it (§3.2).
    contract = (
        ServiceContract.objects.covering(timezone.localdate())
        .filter(central_service=central)
        .select_related("certification_body")
        .first()
    )
    return render(
        request,
        "candidates/central_service_detail.html",
        {
            "central": central,
            "contract": contract,
            "can_manage": can_manage,
            "pending_attachments": pending_attachments,
            "campaign": campaign,
            "campaign_counts": campaign_counts,
            "page_obj": page,
            "query": query,
            "departement": departement,
            "kind": kind,
            "registration": registration,
            "application_status": application_status,
            "departement_choices": DEPARTEMENT_CHOICES,
            "kind_choices": LocalServiceKind.choices,
            "registration_choices": registration_choices,
            "application_status_choices": application_status_choices,
        },
    )


@require_POST
def network_attachment(request, pk):
    """The central service confirms or refuses that a self-declared local service belongs to its network."""
    service = get_object_or_404(LocalService.objects.for_user(request.user).select_related("parent"), pk=pk)
    if service.parent is None or not permissions.can_manage_central_service(request.user, service.parent):
        raise PermissionDenied
    central_pk = service.parent_id
    try:
        if request.POST.get("action") == "confirm":
            services.network_attachment_confirm(user=request.user, local_service=service)
            messages.success(
                request, gettext("%(name)s fait désormais partie du réseau.") % {"name": service.name}
            )
        else:
            services.network_attachment_refuse(
                user=request.user, local_service=service, reason=request.POST.get("reason", "")[:2000]
            )
            messages.success(
                request, gettext("Le rattachement de %(name)s est refusé.") % {"name": service.name}
            )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("candidates:central_service_detail", central_pk)
