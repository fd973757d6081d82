"""The DITP publishes a new version of the local or central audit grid from a file (DOMAIN « Audit grading »: the
grid is data, versioned, loaded from a file a DITP administrator can replace; format in docs/grid-format.md).

A published version becomes the current one of its kind (`AuditGrid.objects.current`): audits created from then on
use it; existing audits keep the version they started with (Audit.grid never changes), so their grades keep their
checkpoints. Errors are ValidationError keyed by the form field ("kind", "file"); nothing is saved when one is raised.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.enums import GridKind
from audits.grid_files import (
    ALLOWED_TYPES,
    MAX_BYTES,
    ParsedCheckpoint,
    ParsedGrid,
    ParsedSection,
    parse_grid,
)
from audits.models import AuditGrid, Checkpoint, GridSection
from labelsp.accounts.scoping import sees_everything
from labelsp.uploads import check_upload


def grid_publish(*, user, kind: str, uploaded_file) -> AuditGrid:
    """Publish the grid of `kind` described by `uploaded_file` as the kind's next version."""
    if not sees_everything(user):
        raise PermissionDenied
    if kind not in GridKind.values:
        raise ValidationError(
            {"kind": [_("Choisissez la grille des services locaux ou des services centraux.")]}
        )
    try:
        check_upload(uploaded_file, allowed=ALLOWED_TYPES, max_bytes=MAX_BYTES)
    except ValidationError as error:
        if error.code == "content_type":
            # check_upload's own message lists the formats of business documents, not this one.
            raise ValidationError(
                {"file": [_("Le fichier doit être un fichier texte JSON encodé en UTF-8 (extension .json).")]}
            ) from None
        raise ValidationError({"file": error.messages}) from None
    uploaded_file.seek(0)
    data = uploaded_file.read()
    try:
        parsed = parse_grid(data, kind=kind)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    try:
        with transaction.atomic():
            # Two publications of the same kind at once: the second waits, then takes the next number.
            list(AuditGrid.objects.select_for_update().filter(kind=kind).values_list("pk", flat=True))
            last = AuditGrid.objects.filter(kind=kind).aggregate(last=Max("version"))["last"] or 0
            grid = AuditGrid.objects.create(
                kind=kind,
                version=last + 1,
                title=parsed.title,
                source_sha256=hashlib.sha256(data).hexdigest(),
                published_at=timezone.now(),
                published_by=user,
            )
            _store_sections(grid, parsed)
    except IntegrityError:
        # Only the very first version of a kind has no row to lock: the unique (kind, version) constraint refuses
        # the slower of two simultaneous publications.
        raise ValidationError(
            {
                "__all__": [
                    _("Une autre version vient d’être publiée au même moment : envoyez à nouveau le fichier.")
                ]
            }
        ) from None
    return grid


def _store_sections(grid: AuditGrid, parsed: ParsedGrid) -> None:
    """Sections numbered in file order; checkpoints numbered across the whole grid, in file order."""
    sections = GridSection.objects.bulk_create(
        [
            GridSection(grid=grid, code=section.code, title=section.title, position=position)
            for position, section in enumerate(parsed.sections, start=1)
        ]
    )
    checkpoints = []
    position = 0
    for row, section in zip(sections, parsed.sections, strict=True):
        for checkpoint in section.checkpoints:
            position += 1
            checkpoints.append(
                Checkpoint(
                    grid=grid,
                    section=row,
                    code=checkpoint.code,
                    requirement=checkpoint.requirement,
                    guidance=checkpoint.guidance,
                    position=position,
                )
            )
    Checkpoint.objects.bulk_create(checkpoints)


def grid_sections(grid: AuditGrid) -> list[GridSection]:
    """The grid's sections in order, each with its checkpoints in order (`section.checkpoints.all()`): 2 queries."""
    return list(
        grid.sections.order_by("position").prefetch_related(
            Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("position"))
        )
    )


def grid_as_parsed(grid: AuditGrid, sections: list[GridSection] | None = None) -> ParsedGrid:
    """A stored version as the parser returns it: what its download contains (audits.grid_files.dump_grid)."""
    sections = grid_sections(grid) if sections is None else sections
    return ParsedGrid(
        kind=grid.kind,
        title=grid.title,
        sections=tuple(
            ParsedSection(
                code=section.code,
                title=section.title,
                checkpoints=tuple(
                    ParsedCheckpoint(
                        code=checkpoint.code, requirement=checkpoint.requirement, guidance=checkpoint.guidance
                    )
                    for checkpoint in section.checkpoints.all()
                ),
            )
            for section in sections
        ),
    )
