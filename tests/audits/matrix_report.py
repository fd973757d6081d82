"""Permission matrix of the report and what follows it (audits/views/report.py).

The audits are made by the url lambdas: a local audit of w.local (tests.audits.matrix_support.audit_of) or a
central audit of w.central, both by w.body with the AUDITOR persona assigned. Whoever may not see the audit gets
404; whoever sees it (the body's manager, the audited service, its central service, the DITP) but may not act
gets 403.
"""

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from audits.enums import AuditStatus
from audits.models import Audit, CorrectiveAction, Grade
from candidates.enums import ApplicationStatus
from tests.audits.factories import AssignmentFactory, AuditFactory
from tests.audits.matrix_support import audit_of
from tests.candidates.factories import ApplicationFactory
from tests.matrix_world import AUDITOR, CANDIDATE, CB_MANAGER, CENTRAL, DITP, Case, not_found_but

SEES_IT = (AUDITOR, CB_MANAGER, CANDIDATE, CENTRAL, DITP)


def _sent(w):
    return audit_of(w, status=AuditStatus.REPORT_SENT, reported=True)


def _sent_with_pdf(w):
    audit = _sent(w)
    audit.report_pdf.save("rapport.pdf", ContentFile(b"%PDF-1.7 rapport"), save=False)
    Audit.objects.filter(pk=audit.pk).update(report_pdf=audit.report_pdf.name)
    return audit


def _central_sent(w):
    """w.central's audit by w.body, report sent, with checkpoint C3.4 graded « non » and a corrective action."""
    application = ApplicationFactory(
        contract=w.contract,
        local_service=None,
        central_service=w.central,
        status=ApplicationStatus.ACKNOWLEDGED,
    )
    audit = AuditFactory(application=application, reported=True)
    auditor = w.users[AUDITOR]
    AssignmentFactory(audit=audit, auditor=auditor)
    checkpoint = audit.grid.checkpoints.get(code="C3.4")
    Grade.objects.create(
        audit=audit, checkpoint=checkpoint, points=0, updated_by=auditor, updated_at=timezone.now()
    )
    return audit, CorrectiveAction.objects.create(
        audit=audit, checkpoint=checkpoint, proposal="Publier la feuille de route.", proposed_by=auditor
    )


CASES = {
    # Only the assigned auditor writes the report; the others who see the audit get 403.
    "audits:report_edit": Case(
        url=lambda w: reverse("audits:report_edit", args=[audit_of(w).pk]),
        expect={**not_found_but(*SEES_IT, status=403), AUDITOR: 200},
    ),
    # The auditor's send of an incomplete report comes back with its problems (302 to the report page).
    "audits:report_send": Case(
        url=lambda w: reverse("audits:report_send", args=[audit_of(w).pk]),
        method="post",
        expect={**not_found_but(*SEES_IT, status=403), AUDITOR: 302},
    ),
    # The stored report, for whoever sees the audit (the preview before sending: tests/audits/test_report_pdf.py).
    "audits:report_pdf": Case(
        url=lambda w: reverse("audits:report_pdf", args=[_sent_with_pdf(w).pk]),
        expect=not_found_but(*SEES_IT),
    ),
    "audits:plan_pdf": Case(
        url=lambda w: reverse("audits:plan_pdf", args=[audit_of(w, status=AuditStatus.PLAN_SENT).pk]),
        expect=not_found_but(*SEES_IT),
    ),
    # Everyone who sees the audit reads the answers to the report (observations are posted by CANDIDATE only:
    # tests/audits/test_views_report.py).
    "audits:report_answer": Case(
        url=lambda w: reverse("audits:report_answer", args=[_sent(w).pk]),
        expect=not_found_but(*SEES_IT),
    ),
    # w.central's staff propose corrective actions (an empty form comes back with its errors: 200); w.local's
    # staff do not see w.central's audit.
    "audits:corrective_action_propose": Case(
        url=lambda w: reverse("audits:corrective_action_propose", args=[_central_sent(w)[0].pk]),
        method="post",
        expect={**not_found_but(AUDITOR, CB_MANAGER, CENTRAL, DITP, status=403), CENTRAL: 200},
    ),
    # Only the assigned auditor judges (an empty opinion comes back with its errors: 200).
    "audits:corrective_action_judge": Case(
        url=lambda w: reverse("audits:corrective_action_judge", args=[_central_sent(w)[1].pk]),
        method="post",
        expect={**not_found_but(AUDITOR, CB_MANAGER, CENTRAL, DITP, status=403), AUDITOR: 200},
    ),
    # The auditor or the body's manager sends the file on; within the 10 days they are told why not (302).
    "audits:audit_close": Case(
        url=lambda w: reverse("audits:audit_close", args=[_sent(w).pk]),
        method="post",
        expect={**not_found_but(*SEES_IT, status=403), AUDITOR: 302, CB_MANAGER: 302},
    ),
}
