"""A service registers itself, its sites, its perimeter and its contract (§1.4, §1.4.2, §3.2)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates import permissions, services
from candidates.enums import SiteKind
from candidates.forms.registration import ContractForm, PerimeterForm, RegistrationForm, SiteForm, SiteFormSet
from candidates.models import CentralService, LocalService, ServiceContract, Site
from labelsp.accounts.enums import Role
from labelsp.accounts.services import membership_activate
from labelsp.forms import add_service_errors, message_service_errors, service_error_messages

SITE_FIELDS = ("name", "kind", "street", "postal_code", "city", "departement", "agents_in_contact")


def _manageable_service(request, pk) -> LocalService:
    service = get_object_or_404(LocalService.objects.for_user(request.user), pk=pk)
    if not permissions.can_manage_local_service(request.user, service):
        raise PermissionDenied
    return service


def _manageable_site(request, pk) -> Site:
    site = get_object_or_404(
        Site.objects.for_user(request.user).active().select_related("local_service"), pk=pk
    )
    if not permissions.can_manage_local_service(request.user, site.local_service):
        raise PermissionDenied
    return site


# --- Registration ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request):
    """Any logged-in person registers a service of the eligibility list, with its sites; they become its staff."""
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data)
    site_formset = SiteFormSet(data, prefix="sites")
    if data is not None and all([form.is_valid(), site_formset.is_valid()]):
        fields = dict(form.cleaned_data)
        category, parent = fields.pop("category"), fields.pop("parent")
        try:
            service = services.service_register(
                user=request.user, category=category, parent=parent, sites=site_formset.sites(), **fields
            )
        except ValidationError as error:
            _show_registration_errors(form, site_formset, error)
        else:
            membership = request.user.memberships.active().get(role=Role.CANDIDATE, local_service=service)
            membership_activate(request=request, membership=membership)
            messages.success(
                request,
                _(
                    "Votre service « %(name)s » est inscrit : vous agissez désormais en tant qu’agent de ce service."
                )
                % {"name": service.name},
            )
            return redirect("candidates:local_service_detail", pk=service.pk)
    return render(
        request, "candidates/registration/register.html", {"form": form, "site_formset": site_formset}
    )


def _show_registration_errors(form, site_formset, error: ValidationError) -> None:
    for field, field_messages in service_error_messages(error).items():
        if field == "kind":
            # The service refuses the second principal site it meets: show it on every principal row but the first.
            principals = [f for f in site_formset.forms if f.cleaned_data.get("kind") == SiteKind.PRINCIPAL]
            for site_form in principals[1:]:
                site_form.add_error("kind", field_messages)
            if len(principals) > 1:
                continue
        form.add_error(field if field in form.fields else None, field_messages)


# --- The service page --------------------------------------------------------------------------------------------


@require_GET
def local_service_detail(request, pk):
    """Identity, sites, perimeter and contract of a local service; its central service and the DITP read it only.

    A constant number of queries whatever the number of sites.
    """
    service = get_object_or_404(
        LocalService.objects.for_user(request.user).select_related("parent", "category").with_site_figures(),
        pk=pk,
    )
    principal_first = Case(
        When(kind=SiteKind.PRINCIPAL, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    sites = service.sites.active().order_by(principal_first, "name")
    domains = list(service.domains.filter(is_active=True)) if service.is_local_authority else []
    contract = services.effective_contract(service, on=timezone.localdate())
    if contract is not None:
        # The body is named on the page: one query, not one per access.
        contract = ServiceContract.objects.select_related("certification_body").get(pk=contract.pk)
    return render(
        request,
        "candidates/local_service_detail.html",
        {
            "service": service,
            "sites": sites,
            "domains": domains,
            "contract": contract,
            "can_manage": permissions.can_manage_local_service(request.user, service),
            "principal": SiteKind.PRINCIPAL,
        },
    )


# --- Sites -------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def site_add(request, pk):
    service = _manageable_service(request, pk)
    form = SiteForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": SiteKind.SECONDARY, "departement": service.departement},
    )
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_add(user=request.user, local_service=service, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Le site « %(name)s » est ajouté au périmètre.") % {"name": site.name}
            )
            return redirect("candidates:local_service_detail", pk=service.pk)
    return render(
        request,
        "candidates/registration/site_form.html",
        {"form": form, "service": service, "site": None, "site_name": ""},
    )


@require_http_methods(["GET", "POST"])
def site_edit(request, pk):
    site = _manageable_site(request, pk)
    service = site.local_service
    form = SiteForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(site, name) for name in SITE_FIELDS},
    )
    site_name = site.name  # the title keeps it even if a refused update changed the instance
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(user=request.user, site=site, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le site « %(name)s » est modifié.") % {"name": site.name})
            return redirect("candidates:local_service_detail", pk=service.pk)
    return render(
        request,
        "candidates/registration/site_form.html",
        {"form": form, "service": service, "site": site, "site_name": site_name},
    )


@require_POST
def site_deactivate(request, pk):
    """The site leaves the perimeter (it is kept: audits and attestations may name it)."""
    site = _manageable_site(request, pk)
    try:
        services.site_deactivate(user=request.user, site=site)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("Le site « %(name)s » est retiré du périmètre.") % {"name": site.name})
    return redirect("candidates:local_service_detail", pk=site.local_service_id)


# --- Perimeter of a local authority ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def perimeter_edit(request, pk):
    """A local authority declares its perimeter: the « socle » and optional domains (§1.4.2)."""
    service = get_object_or_404(LocalService.objects.for_user(request.user), pk=pk)
    if not service.is_local_authority:
        raise Http404
    if not permissions.can_manage_local_service(request.user, service):
        raise PermissionDenied
    current = dict(service.domains.filter(is_active=True).values_list("domain", "detail"))
    form = PerimeterForm(
        request.POST if request.method == "POST" else None, kind=service.kind, current=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.perimeter_set(user=request.user, local_service=service, domains=form.perimeter())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le périmètre de votre service est enregistré."))
            return redirect("candidates:local_service_detail", pk=service.pk)
    return render(request, "candidates/registration/perimeter_form.html", {"form": form, "service": service})


# --- Service contract --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def contract_create(request):
    """The candidate records the contract signed with a habilitated body (§3.2).

    The user acts through their active membership: an independent local service, or a central service for its
    whole network. A local of a network is told that its central service chooses.
    """
    membership = request.membership
    if membership is None or membership.role not in (Role.CANDIDATE, Role.CENTRAL):
        raise Http404
    candidate = membership.organisation
    if not permissions.can_manage_candidate(request.user, candidate):
        raise PermissionDenied
    is_central = isinstance(candidate, CentralService)
    today = timezone.localdate()
    context = {
        "candidate": candidate,
        "is_central": is_central,
        "today": today,
        "form": None,
        "contracts": [],
        "network_contract": None,
    }
    if not is_central and candidate.parent_id:
        current = services.effective_contract(candidate, on=today)
        context["network_contract"] = (
            ServiceContract.objects.select_related("certification_body").get(pk=current.pk)
            if current
            else None
        )
        return render(request, "candidates/registration/contract_form.html", context)

    lookup = {"central_service": candidate} if is_central else {"local_service": candidate}
    unit_count = candidate.local_services.count() if is_central else candidate.sites.active().count()
    form = ContractForm(
        request.POST if request.method == "POST" else None,
        is_central=is_central,
        initial={"unit_count": unit_count or None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_record(user=request.user, candidate=candidate, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Le contrat signé avec %(body)s est enregistré.")
                % {"body": contract.certification_body.name},
            )
            if is_central:
                return redirect("candidates:contract_create")
            return redirect("candidates:local_service_detail", pk=candidate.pk)
    context["form"] = form
    context["contracts"] = (
        ServiceContract.objects.for_user(request.user).filter(**lookup).select_related("certification_body")
    )
    return render(request, "candidates/registration/contract_form.html", context)
