"""The audit objects of the permission matrix, made on first use in a World (tests/matrix_world.py).

`audit_of(w, status=...)` is a local audit of w.local by w.body, for its file (w.application, acknowledged), with the AUDITOR persona
assigned (declaration signed). The CB_MANAGER persona manages it; CANDIDATE (w.local's staff) and CENTRAL (its
network's head) see it once the plan is sent; AUDITOR_OTHER and CB_MANAGER_OTHER (w.body_other) never do.
"""

from audits.enums import AuditStatus
from candidates.enums import ApplicationStatus
from candidates.models import Application
from tests.audits.factories import AssignmentFactory, AuditFactory
from tests.matrix_world import AUDITOR


def audit_of(w, status=AuditStatus.IN_PROGRESS, **fields):
    # w.application is w.local's only open file: acknowledged, it gets the audit.
    Application.objects.filter(pk=w.application.pk).update(status=ApplicationStatus.ACKNOWLEDGED)
    application = Application.objects.get(pk=w.application.pk)
    traits = {}
    if status != AuditStatus.PLANNING:
        traits["planned"] = True
    audit = AuditFactory(application=application, status=status, **traits, **fields)
    AssignmentFactory(audit=audit, auditor=w.users[AUDITOR])
    return audit


# Picked up by tests/test_permission_matrix.py like every matrix_*.py module: this one only supports the others.
CASES: dict = {}
