"""The planning pages (issue #5): from the acknowledged file to the plan sent, as the body's people use them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.enums import AssignmentStatus, AuditStatus, DrawKind
from audits.models import Audit, AuditAssignment
from candidates.enums import ApplicationStatus
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AuditFactory
from tests.candidates.factories import ApplicationFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _manager(body):
    return MembershipFactory(role=Role.CB_MANAGER, organisation=body).user


def test_the_manager_creates_the_audit_from_the_acknowledged_file(login):
    application = ApplicationFactory(status=ApplicationStatus.ACKNOWLEDGED)
    client = login(_manager(application.certification_body))
    page = client.get(reverse("candidates:application_review", args=[application.pk]))
    assert reverse("audits:audit_create", args=[application.pk]) in page.content.decode()
    response = client.post(reverse("audits:audit_create", args=[application.pk]))
    audit = Audit.objects.get(application=application)
    assert response["Location"] == reverse("audits:audit_detail", args=[audit.pk])
    page = client.get(reverse("candidates:application_review", args=[application.pk])).content.decode()
    assert reverse("audits:audit_detail", args=[audit.pk]) in page
    # A second click lands on the existing audit, with a message.
    response = client.post(reverse("audits:audit_create", args=[application.pk]), follow=True)
    assert "déjà son audit" in response.content.decode()
    assert Audit.objects.filter(application=application).count() == 1


@time_machine.travel(datetime.datetime(2026, 4, 30, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_visit_too_early_is_refused_next_to_the_field_with_the_first_possible_date(login):
    audit = AuditFactory()
    site = SiteFactory(local_service=audit.local_service)
    client = login(_manager(audit.certification_body))
    data = {
        "visit_start": "2026-05-18",
        "visit_end": "2026-05-18",
        "duration_days": "1,5",
        "sites": [site.pk],
        "resource_persons": "Mme Qualité",
        "agenda": "Ouverture à 9 h",
    }
    response = client.post(reverse("audits:plan_edit", args=[audit.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_visit_start-error"' in html
    assert "mardi 19 mai 2026" in html
    audit.refresh_from_db()
    assert audit.visit_start is None
    response = client.post(
        reverse("audits:plan_edit", args=[audit.pk]),
        {**data, "visit_start": "2026-05-19", "visit_end": "2026-05-19"},
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.visit_start == datetime.date(2026, 5, 19)
    assert str(audit.duration_days) == "1.5"
    assert list(audit.sites.all()) == [site]


def test_the_plan_is_sent_once_the_team_has_declared(login):
    audit = AuditFactory(
        visit_start=datetime.date.today() + datetime.timedelta(days=40),
        visit_end=datetime.date.today() + datetime.timedelta(days=40),
        duration_days=1,
        resource_persons="M. Accueil",
    )
    audit.sites.add(SiteFactory(local_service=audit.local_service))
    manager = _manager(audit.certification_body)
    auditor = MembershipFactory(role=Role.AUDITOR, organisation=audit.certification_body).user
    client = login(manager)
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Affectez au moins un auditeur" in page
    assert reverse("audits:plan_send", args=[audit.pk]) not in page
    client.post(
        reverse("audits:assignment_propose", args=[audit.pk]), {"auditor": auditor.pk, "is_lead": "on"}
    )
    assignment = AuditAssignment.objects.get(audit=audit, auditor=auditor)
    assert assignment.status == AssignmentStatus.PROPOSED and assignment.is_lead

    auditor_client = login(auditor)
    listing = auditor_client.get(reverse("audits:audit_list")).content.decode()
    assert reverse("audits:assignment_declare", args=[assignment.pk]) in listing
    response = auditor_client.post(
        reverse("audits:assignment_declare", args=[assignment.pk]), {"answer": "conflict"}
    )
    assert 'id="id_reason-error"' in response.content.decode()
    auditor_client.post(reverse("audits:assignment_declare", args=[assignment.pk]), {"answer": "no_conflict"})
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED

    client = login(manager)  # the test client is shared: log the manager back in
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert reverse("audits:plan_send", args=[audit.pk]) in page
    client.post(reverse("audits:plan_send", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLAN_SENT
    # The candidate now sees the audit.
    candidate = MembershipFactory(role=Role.CANDIDATE, organisation=audit.local_service).user
    assert login(candidate).get(reverse("audits:audit_detail", args=[audit.pk])).status_code == 200


def test_the_draw_is_made_on_the_page_and_verified_by_replaying_it(login):
    audit = AuditFactory()
    for _ in range(10):
        SiteFactory(local_service=audit.local_service)
    client = login(_manager(audit.certification_body))
    response = client.post(
        reverse("audits:draw_create", args=[audit.pk]), {"kind": DrawKind.SITES, "size": 3}
    )
    assert response.status_code == 400
    assert "entre 4 et 10" in response.content.decode()
    response = client.post(
        reverse("audits:draw_create", args=[audit.pk]), {"kind": DrawKind.SITES, "size": 4}, follow=True
    )
    html = response.content.decode()
    draw = audit.draws.get()
    assert "Vérifié" in html
    assert draw.seed in html
    assert audit.sites.count() == 4


def test_the_candidate_does_not_see_an_audit_in_preparation(login):
    audit = AuditFactory()
    candidate = MembershipFactory(role=Role.CANDIDATE, organisation=audit.local_service).user
    client = login(candidate)
    assert client.get(reverse("audits:audit_detail", args=[audit.pk])).status_code == 404
    assert (
        reverse("audits:audit_detail", args=[audit.pk])
        not in client.get(reverse("audits:audit_list")).content.decode()
    )


@pytest.mark.parametrize("count", [3, 12])
def test_the_list_has_a_constant_number_of_queries(login, django_assert_num_queries, count):
    first = AuditFactory()
    body = first.certification_body
    for _ in range(count - 1):
        AuditFactory(application__contract__certification_body=body)
    client = login(_manager(body))
    client.get(reverse("audits:audit_list"))  # warm the session and membership caches
    with django_assert_num_queries(9):
        response = client.get(reverse("audits:audit_list"))
    assert response.content.decode().count(reverse("audits:audit_detail", args=[first.pk])) == 1
