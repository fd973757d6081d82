"""The audit grid versions (DOMAIN « Audit grading »: the grid is data, versioned, published by the DITP from a JSON
file, docs/grid-format.md): list both kinds' versions and publish a new one (DITP only), read one or download it as
JSON (the DITP and the certification bodies' auditors and managers, who grade and decide on it).

Everyone else gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audits.enums import GridKind
from audits.forms.grids import GridUploadForm
from audits.grid_files import dump_grid
from audits.models import AuditGrid
from audits.services_grids import grid_as_parsed, grid_publish, grid_sections
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership
from labelsp.accounts.scoping import sees_everything
from labelsp.forms import add_service_errors


def _require_ditp(request) -> None:
    if not sees_everything(request.user):
        raise Http404


def _require_grid_reader(request) -> None:
    """The DITP, and the members of a certification body: the grid is what their auditors grade."""
    if sees_everything(request.user):
        return
    if (
        not Membership.objects.active()
        .filter(user=request.user, role__in=[Role.AUDITOR, Role.CB_MANAGER])
        .exists()
    ):
        raise Http404


def _versions_by_kind() -> list[dict]:
    """Each kind with its versions, newest first, and the number of audits using each: one query."""
    versions = list(
        AuditGrid.objects.annotate(audit_count=Count("audits"))
        .select_related("published_by")
        .order_by("kind", "-version")
    )
    kinds = []
    for kind in GridKind:
        of_kind = [version for version in versions if version.kind == kind]
        # The current version is the newest one (as AuditGrid.objects.current decides).
        kinds.append(
            {
                "kind": kind,
                "label": kind.label,
                "versions": of_kind,
                "current_pk": of_kind[0].pk if of_kind else None,
            }
        )
    return kinds


@require_http_methods(["GET", "POST"])
def grid_list(request):
    _require_ditp(request)
    form = GridUploadForm(request.POST, request.FILES) if request.method == "POST" else GridUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            grid = grid_publish(
                user=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)s de la %(kind)s publiée : les nouveaux audits l’utiliseront, les audits "
                    "déjà créés gardent leur version."
                )
                % {"version": grid.version, "kind": grid.get_kind_display().lower()},
            )
            return redirect("audits:grid_detail", grid.pk)
    return render(request, "audits/grids/list.html", {"kinds": _versions_by_kind(), "form": form})


@require_GET
def grid_detail(request, pk):
    _require_grid_reader(request)
    grid = get_object_or_404(AuditGrid.objects.select_related("published_by"), pk=pk)
    current = AuditGrid.objects.current(grid.kind)
    sections = grid_sections(grid)
    context = {
        "grid": grid,
        "sections": sections,
        "checkpoint_count": sum(len(section.checkpoints.all()) for section in sections),
        "is_current": current is not None and current.pk == grid.pk,
        "is_ditp": sees_everything(request.user),
    }
    return render(request, "audits/grids/detail.html", context)


@require_GET
def grid_download(request, pk):
    """The version in the format of docs/grid-format.md: the DITP edits it and publishes the next version."""
    _require_grid_reader(request)
    grid = get_object_or_404(AuditGrid, pk=pk)
    response = HttpResponse(dump_grid(grid_as_parsed(grid)), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grille-{grid.kind}-v{grid.version}.json"'
    return response
