"""The tablet's grades: idempotent replays, conflicts, locks, who may grade, and the query count (issue #5)."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.enums import AuditStatus
from audits.models import Audit, Grade, GradeOperation
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AssignmentFactory, AuditFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    audit = AuditFactory(planned=True)
    first = AssignmentFactory(audit=audit).auditor
    second = AssignmentFactory(audit=audit).auditor
    return audit, first, second


def _op(checkpoint, points="0.75", base_version=0, comment="", op=None):
    return {
        "op": str(op or uuid.uuid4()),
        "checkpoint": checkpoint.pk,
        "points": points,
        "comment": comment,
        "base_version": base_version,
    }


def _post(client, audit, ops, device="tablette-1"):
    return client.post(
        reverse("audits:grade_batch", args=[audit.pk]),
        data=json.dumps({"device": device, "ops": ops}),
        content_type="application/json",
    )


def test_a_grade_is_stored_and_the_audit_starts(team, login):
    audit, auditor, _other = team
    checkpoint = audit.grid.checkpoints.first()
    response = _post(login(auditor), audit, [_op(checkpoint, "0.25", comment="Affichage absent")])
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "applied" and result["version"] == 1
    grade = Grade.objects.get(audit=audit, checkpoint=checkpoint)
    assert (str(grade.points), grade.comment, grade.updated_by) == ("0.25", "Affichage absent", auditor)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.log.filter(transition="start").count() == 1


def test_replaying_the_same_grade_three_times_stores_it_once(team, login):
    audit, auditor, _other = team
    checkpoint = audit.grid.checkpoints.first()
    op = _op(checkpoint, "1")
    client = login(auditor)
    answers = [_post(client, audit, [op]).json()["results"][0] for _ in range(3)]
    assert [a["status"] for a in answers] == ["applied"] * 3
    assert [a.get("replayed", False) for a in answers] == [False, True, True]
    assert GradeOperation.objects.filter(op_id=op["op"]).count() == 1
    grade = Grade.objects.get(audit=audit, checkpoint=checkpoint)
    assert grade.version == 1


def test_a_grade_based_on_an_old_version_from_another_device_is_a_conflict(team, login):
    audit, first, second = team
    checkpoint = audit.grid.checkpoints.first()
    assert _post(login(first), audit, [_op(checkpoint, "1")], device="A").json()["results"][0]["version"] == 1
    # The second tablet was offline and still believes the checkpoint ungraded (version 0).
    response = _post(login(second), audit, [_op(checkpoint, "0.25", comment="Rien vu")], device="B")
    [result] = response.json()["results"]
    assert result["status"] == "conflict"
    assert result["server"]["points"] == "1" and result["server"]["version"] == 1
    assert result["server"]["by"] == first.get_full_name()
    assert result["yours"] == {"points": "0.25", "comment": "Rien vu"}
    grade = Grade.objects.get(audit=audit, checkpoint=checkpoint)
    assert str(grade.points) == "1.00" and grade.version == 1  # nothing overwritten
    # A person chose the second value: sent again on the server's version, it is applied.
    response = _post(login(second), audit, [_op(checkpoint, "0.25", base_version=1)], device="B")
    assert response.json()["results"][0]["status"] == "applied"
    assert Grade.objects.get(audit=audit, checkpoint=checkpoint).version == 2


def test_a_device_superseding_its_own_grade_is_not_a_conflict(team, login):
    audit, first, _second = team
    checkpoint = audit.grid.checkpoints.first()
    client = login(first)
    _post(client, audit, [_op(checkpoint, "1")], device="A")
    # Queued offline on the same tablet before the first answer came back: still based on version 0.
    assert (
        _post(client, audit, [_op(checkpoint, "0.75")], device="A").json()["results"][0]["status"]
        == "applied"
    )


def test_locked_grades_refuse_changes(team, login):
    audit, auditor, _other = team
    Audit.objects.filter(pk=audit.pk).update(
        status=AuditStatus.REPORT_SENT, report_sent_at=timezone.now(), report_sha256="0" * 64
    )
    response = _post(login(auditor), audit, [_op(audit.grid.checkpoints.first())])
    assert response.status_code == 423
    assert "verrouillées" in response.json()["error"]
    assert not Grade.objects.filter(audit=audit).exists()


@pytest.mark.parametrize(
    "who", ["body_auditor_not_assigned", "manager", "other_body_auditor", "proposed_only"]
)
def test_only_assigned_auditors_can_grade(team, login, who):
    audit, _auditor, _other = team
    if who == "body_auditor_not_assigned":
        user = MembershipFactory(role=Role.AUDITOR, organisation=audit.certification_body).user
    elif who == "manager":
        user = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    elif who == "other_body_auditor":
        user = MembershipFactory(role=Role.AUDITOR).user
    else:
        from audits.enums import AssignmentStatus

        user = AssignmentFactory(audit=audit, status=AssignmentStatus.PROPOSED, declared_at=None).auditor
    response = _post(login(user), audit, [_op(audit.grid.checkpoints.first())])
    assert response.status_code == 404
    assert not Grade.objects.filter(audit=audit).exists()


def test_a_batch_of_200_is_one_request_with_a_constant_number_of_queries(team, login):
    audit, auditor, _other = team
    client = login(auditor)
    checkpoints = list(audit.grid.checkpoints.all())
    _post(client, audit, [_op(checkpoints[0], "1")])  # the audit has started: no transition below
    with CaptureQueriesContext(connection) as one:
        assert _post(client, audit, [_op(checkpoints[1], "1")]).status_code == 200
    ops = [_op(checkpoints[i % len(checkpoints)], ("0", "0.25", "0.75", "1")[i % 4]) for i in range(200)]
    with CaptureQueriesContext(connection) as batch:
        response = _post(client, audit, ops)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 200
    assert len(batch) == len(one)
    assert len(one) <= 12
    assert GradeOperation.objects.filter(audit=audit).count() == 202


@pytest.mark.parametrize(
    "patch",
    [
        {"points": "sNaN"},
        {"points": "NaN"},
        {"points": "Infinity"},
        {"points": "0.5"},
        {"points": -1},
        {"points": [1]},
        {"base_version": 10**12},
        {"base_version": -1},
        {"base_version": "1"},
        {"checkpoint": 10**20},
        {"checkpoint": "1"},
        {"comment": None},
        {"comment": "x" * 2001},
        {"op": "not-a-uuid"},
    ],
    ids=str,
)
def test_a_hostile_operation_is_refused_alone_never_with_a_500(team, login, patch):
    audit, auditor, _other = team
    checkpoints = list(audit.grid.checkpoints.all()[:2])
    good = _op(checkpoints[1], "1")
    response = _post(login(auditor), audit, [{**_op(checkpoints[0]), **patch}, good])
    assert response.status_code == 200
    bad, fine = response.json()["results"]
    assert bad["status"] == "invalid" and bad["message"]
    assert fine["status"] == "applied"
    assert list(Grade.objects.filter(audit=audit).values_list("checkpoint", flat=True)) == [checkpoints[1].pk]
