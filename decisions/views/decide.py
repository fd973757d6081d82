"""The decision page (issue #6): every input and every condition, the proposed outcome, the manager's confirmation;
then the issued decision, read-only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audits.permissions import can_manage_body_audits
from candidates.models import Application
from decisions import services
from decisions.enums import Tier
from decisions.forms.decide import DecisionForm
from decisions.models import Decision
from labelsp.forms import add_service_errors


@require_http_methods(["GET", "POST"])
def decision_prepare(request, application_pk):
    application = get_object_or_404(
        Application.objects.for_user(request.user).select_related(
            "local_service", "central_service", "certification_body"
        ),
        pk=application_pk,
    )
    if not can_manage_body_audits(request.user, application.certification_body):
        raise PermissionDenied
    existing = application.decisions.order_by("-issued_at").first()
    if existing is not None and request.method == "GET":
        return redirect("decisions:decision_detail", existing.pk)
    central = application.central_service_id is not None
    form = DecisionForm(request.POST or None, central=central)
    # The proposal follows what the manager attests for the network (a central file), as the page shows it.
    attested = request.GET.get("reseau") == "1" or (
        form.is_bound and bool(request.POST.get("network_attested"))
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_issue(
                user=request.user,
                application=application,
                motivation=form.cleaned_data["motivation"],
                network_attested=form.cleaned_data.get("network_attested", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La décision est émise et notifiée au service."))
            return redirect("decisions:decision_detail", decision.pk)
    proposal = services.decision_propose(application, network_attested=attested)
    return render(
        request,
        "decisions/decide/prepare.html",
        {
            "application": application,
            "proposal": proposal,
            "tiers": [(tier, proposal.tier_checks.get(tier, [])) for tier in Tier],
            "conflict": services.took_part_in_audit(request.user, application),
            "central": central,
            "attested": attested,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def decision_detail(request, pk):
    decision = get_object_or_404(
        Decision.objects.for_user(request.user).select_related(
            "local_service", "central_service", "certification_body", "decided_by", "replaces"
        ),
        pk=pk,
    )
    inputs = decision.inputs or {}
    return render(
        request,
        "decisions/decide/detail.html",
        {
            "decision": decision,
            "inputs": inputs,
            "tiers": [(Tier(tier).label, checks) for tier, checks in (inputs.get("tiers") or {}).items()],
            "replaced_by": Decision.objects.filter(replaces=decision).first(),
            "labels": list(decision.labels.all()),
        },
    )
