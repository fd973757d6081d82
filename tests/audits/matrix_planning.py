"""Permission matrix of the planning pages and the tablet's JSON endpoints (audits/views/planning.py, api.py).

w.local's audit (tests/audits/matrix_support.py): the AUDITOR persona is assigned, the CB_MANAGER manages it, the
candidate (CANDIDATE) and its network's head (CENTRAL) see it once the plan is sent, the DITP sees everything; the
other body's people (AUDITOR_OTHER, CB_MANAGER_OTHER) and the other candidates never do.
"""

from django.core.files.base import ContentFile
from django.urls import reverse

from audits.enums import AssignmentStatus, AuditStatus, DrawKind
from audits.models import AuditAssignment, EvidencePhoto, SamplingDraw
from candidates.enums import ApplicationStatus
from candidates.models import Application
from tests.audits.factories import AuditFactory
from tests.audits.matrix_support import audit_of
from tests.matrix_world import (
    ANONYMOUS,
    AUDITOR,
    CANDIDATE,
    CB_MANAGER,
    CENTRAL,
    COMMISSION,
    DITP,
    LOGIN,
    NO_MEMBERSHIP,
    Case,
    not_found_but,
)

# Everyone who sees a sent audit; the draft (planning) is hidden from the candidate side.
SEES_SENT = (AUDITOR, CB_MANAGER, CANDIDATE, CENTRAL, DITP)
SEES_DRAFT = (AUDITOR, CB_MANAGER, DITP)


def _acknowledged_file(w):
    Application.objects.filter(pk=w.application.pk).update(status=ApplicationStatus.ACKNOWLEDGED)
    return reverse("audits:audit_create", args=[w.application.pk])


def _proposed_declaration(w):
    Application.objects.filter(pk=w.application.pk).update(status=ApplicationStatus.ACKNOWLEDGED)
    audit = AuditFactory(application=Application.objects.get(pk=w.application.pk))
    assignment = AuditAssignment.objects.create(
        audit=audit,
        auditor=w.users[AUDITOR],
        proposed_by=w.users[CB_MANAGER],
        status=AssignmentStatus.PROPOSED,
    )
    return reverse("audits:assignment_declare", args=[assignment.pk])


def _assignment_of(w):
    audit = audit_of(w, status=AuditStatus.PLANNING)
    return reverse("audits:assignment_remove", args=[audit.assignments.get().pk])


def _draw(w):
    audit = audit_of(w)
    draw = SamplingDraw.objects.create(
        audit=audit,
        kind=DrawKind.SITES,
        seed="abc",
        population=[[str(w.site.pk), w.site.name], [str(w.site_secondary.pk), w.site_secondary.name]],
        size=2,
        selected=[str(w.site.pk), str(w.site_secondary.pk)],
        drawn_by=w.users[CB_MANAGER],
    )
    return reverse("audits:draw_detail", args=[draw.pk])


def _photo(w):
    audit = audit_of(w)
    photo = EvidencePhoto(
        audit=audit,
        checkpoint=audit.grid.checkpoints.first(),
        content_type="image/png",
        size=4,
        sha256="0" * 64,
        uploaded_by=w.users[AUDITOR],
    )
    photo.file.save("p.png", ContentFile(b"\x89PNG"), save=False)
    photo.save()
    return reverse("audits:photo_download", args=[photo.pk])


CASES = {
    # The list: every role that has audits (each sees its own); no list for people without one.
    "audits:audit_list": Case(
        url=lambda w: reverse("audits:audit_list"),
        expect={ANONYMOUS: LOGIN, NO_MEMBERSHIP: 404, COMMISSION: 404},
    ),
    # Creating the audit of w.application (acknowledged): the body's manager; those who see the file may not (403).
    "audits:audit_create": Case(
        url=_acknowledged_file,
        method="post",
        expect={**not_found_but(CANDIDATE, CENTRAL, DITP, AUDITOR, status=403), CB_MANAGER: 302},
    ),
    "audits:audit_detail": Case(
        url=lambda w: reverse("audits:audit_detail", args=[audit_of(w).pk]),
        expect=not_found_but(*SEES_SENT),
    ),
    # The plan is the manager's; the assigned auditor and the DITP read the draft but may not change it.
    "audits:plan_edit": Case(
        url=lambda w: reverse("audits:plan_edit", args=[audit_of(w, status=AuditStatus.PLANNING).pk]),
        expect={**not_found_but(*SEES_DRAFT, status=403), CB_MANAGER: 200},
    ),
    "audits:plan_send": Case(
        url=lambda w: reverse("audits:plan_send", args=[audit_of(w, status=AuditStatus.PLANNING).pk]),
        method="post",
        expect={**not_found_but(*SEES_DRAFT, status=403), CB_MANAGER: 302},
    ),
    "audits:plan_reschedule": Case(
        url=lambda w: reverse("audits:plan_reschedule", args=[audit_of(w, status=AuditStatus.PLAN_SENT).pk]),
        method="post",
        data={"reason": "Grève"},
        expect={**not_found_but(*SEES_SENT, status=403), CB_MANAGER: 302},
    ),
    # No auditor chosen: the manager gets the form back with its error (400).
    "audits:assignment_propose": Case(
        url=lambda w: reverse(
            "audits:assignment_propose", args=[audit_of(w, status=AuditStatus.PLANNING).pk]
        ),
        method="post",
        expect={**not_found_but(*SEES_DRAFT, status=403), CB_MANAGER: 400},
    ),
    # Only the proposed auditor answers the proposal.
    "audits:assignment_declare": Case(url=_proposed_declaration, expect=not_found_but(AUDITOR)),
    "audits:assignment_remove": Case(
        url=_assignment_of, method="post", expect={**not_found_but(*SEES_DRAFT, status=403), CB_MANAGER: 302}
    ),
    # w.local has two sites: ⌈√2⌉ = 2 are drawn.
    "audits:draw_create": Case(
        url=lambda w: reverse("audits:draw_create", args=[audit_of(w, status=AuditStatus.PLANNING).pk]),
        method="post",
        data={"kind": "sites", "size": 2},
        expect={**not_found_but(*SEES_DRAFT, status=403), CB_MANAGER: 302},
    ),
    "audits:draw_detail": Case(url=_draw, expect=not_found_but(*SEES_SENT)),
    # The tablet's endpoints: only the assigned auditor (a form-encoded body is not JSON: 400).
    "audits:grade_batch": Case(
        url=lambda w: reverse("audits:grade_batch", args=[audit_of(w).pk]),
        method="post",
        expect=not_found_but(AUDITOR, status=400),
    ),
    "audits:photo_upload": Case(
        url=lambda w: reverse("audits:photo_upload", args=[audit_of(w).pk]),
        method="post",
        expect=not_found_but(AUDITOR, status=400),
    ),
    # Photos: the team, the body's managers and the DITP; the candidate only once the report is sent.
    "audits:photo_download": Case(url=_photo, expect=not_found_but(AUDITOR, CB_MANAGER, DITP)),
}
