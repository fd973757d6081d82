"""The certification body's side of the application file: inbox, completeness check, closing (§3.5.2, §3.8.1)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from candidates import rules, services
from candidates.enums import ApplicationKind, ApplicationOutcome, ApplicationStatus, ChecklistItem
from candidates.models import Application, ApplicationLog, ApplicationMessage, ChecklistEntry
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    ApplicationFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    attach_required_pieces,
)
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def _file(body, *, name=None, status=S.SUBMITTED, **fields):
    """A complete file of a new independent local service, filed with `body` under its own contract."""
    local = LocalServiceFactory(**({"name": name} if name else {}))
    contract = ServiceContractFactory(local_service=local, certification_body=body)
    submitted = status != S.DRAFT
    fields = {
        "submitted_at": timezone.now() - datetime.timedelta(days=3) if submitted else None,
        "submission_count": 1 if submitted else 0,
        **fields,
    }
    application = ApplicationFactory(contract=contract, status=status, complete=True, **fields)
    attach_required_pieces(application)
    return application


def _member(body, role=Role.CB_MANAGER):
    user = UserFactory()
    MembershipFactory(user=user, role=role, organisation=body)
    return user


def _candidate(application):
    user = UserFactory(email=f"referent-{application.pk}@mairie.fr")
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=application.local_service)
    return user


def _all_checked(**overrides):
    data = {}
    for item in ChecklistItem:
        data[f"{item}_ok"] = "on"
        data[f"{item}_comment"] = ""
    data.update(overrides)
    return data


def _review_url(application):
    return reverse("candidates:application_review", args=[application.pk])


def _fr(day):
    return date_format(day, "j F Y")


# --- Inbox --------------------------------------------------------------------------------------------------------


def test_inbox_lists_only_the_bodys_filed_files_waiting_ones_first(login):
    body = CertificationBodyFactory()
    _file(body, name="Mairie Recevable", status=S.ACKNOWLEDGED)
    _file(body, name="Mairie Déposée", status=S.SUBMITTED)
    _file(body, name="Mairie Redéposée", status=S.RESUBMITTED)
    _file(body, name="Mairie Brouillon", status=S.DRAFT)
    _file(CertificationBodyFactory(), name="Mairie Ailleurs", status=S.SUBMITTED)
    for role in (Role.CB_MANAGER, Role.AUDITOR):
        response = login(_member(body, role)).get(reverse("candidates:review_inbox"))
        assert response.status_code == 200
        names = [application.candidate.name for application in response.context["page_obj"]]
        assert sorted(names[:2]) == ["Mairie Déposée", "Mairie Redéposée"]
        assert names[2:] == ["Mairie Recevable"]
        html = response.content.decode()
        assert "Mairie Brouillon" not in html
        assert "Mairie Ailleurs" not in html


def test_inbox_is_not_found_for_other_roles(login):
    response = login(UserFactory(candidate=True)).get(reverse("candidates:review_inbox"))
    assert response.status_code == 404


def test_inbox_filters_by_status_and_candidate_name(login):
    body = CertificationBodyFactory()
    _file(body, name="CAF du Rhône", status=S.SUBMITTED)
    _file(body, name="CAF de la Gironde", status=S.ACKNOWLEDGED)
    client = login(_member(body))
    url = reverse("candidates:review_inbox")

    def names(**params):
        return sorted(a.candidate.name for a in client.get(url, params).context["page_obj"])

    assert names() == ["CAF de la Gironde", "CAF du Rhône"]
    assert names(status="acknowledged") == ["CAF de la Gironde"]
    assert names(status="draft") == ["CAF de la Gironde", "CAF du Rhône"]  # drafts are never offered: ignored
    assert names(status="not-a-status") == ["CAF de la Gironde", "CAF du Rhône"]
    assert names(q="rhône") == ["CAF du Rhône"]
    assert names(q="gironde", status="submitted") == []
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_inbox_shows_the_last_submission_date_and_whether_it_was_met(login):
    body = CertificationBodyFactory()
    audit = timezone.localdate() + datetime.timedelta(days=40)
    last_day = rules.latest_submission_date(audit)
    _file(body, name="Dans les temps", audit_start=audit, audit_end=audit)
    late_audit = timezone.localdate() + datetime.timedelta(days=10)
    _file(body, name="En retard", audit_start=late_audit, audit_end=late_audit)
    html = login(_member(body)).get(reverse("candidates:review_inbox")).content.decode()
    assert _fr(last_day) in html
    assert _fr(rules.latest_submission_date(late_audit)) in html
    assert html.count("Dans les délais") == 1
    assert html.count("Hors délai") == 1


def _inbox_queries(client):
    url = reverse("candidates:review_inbox")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


def test_inbox_has_a_constant_number_of_queries(login):
    small, large = CertificationBodyFactory(), CertificationBodyFactory()
    for _ in range(3):
        _file(small)
    for index in range(30):
        _file(large, status=[S.SUBMITTED, S.ACKNOWLEDGED, S.COMPLEMENTS_REQUESTED][index % 3])
    small_queries = _inbox_queries(login(_member(small)))
    large_queries = _inbox_queries(login(_member(large)))
    assert len(small_queries) == len(large_queries), "\n".join([*small_queries, "---", *large_queries])
    assert len(large_queries) == 8


# --- The review page ----------------------------------------------------------------------------------------------


def test_manager_sees_the_file_its_pieces_and_the_checklist(login):
    body = CertificationBodyFactory()
    application = _file(body, name="Mairie de Villeurbanne")
    html = login(_member(body)).get(_review_url(application)).content.decode()
    assert "Mairie de Villeurbanne" in html
    assert reverse("candidates:application_detail", args=[application.pk]) in html
    assert "Organigramme" in html
    for document in application.documents.all():
        assert reverse("candidates:document_download", args=[document.pk]) in html
    for item in ChecklistItem:
        assert str(item.label) in html
        assert f'name="{item}_ok"' in html
    assert 'value="request_complements"' in html
    assert 'value="acknowledge"' in html
    assert "Aucun contrat signé" not in html


def test_checklist_is_prefilled_from_the_previous_check(login):
    body = CertificationBodyFactory()
    application = _file(body, status=S.RESUBMITTED)
    manager = _member(body)
    ChecklistEntry.objects.create(
        application=application,
        item=ChecklistItem.SURVEYS_VALID,
        is_ok=True,
        comment="Enquêtes de mars",
        checked_by=manager,
    )
    response = login(manager).get(_review_url(application))
    form = response.context["review_form"]
    assert form.initial == {"surveys_valid_ok": True, "surveys_valid_comment": "Enquêtes de mars"}
    assert "Enquêtes de mars" in response.content.decode()


def test_contract_item_shows_that_no_contract_covers_the_audit(login):
    body = CertificationBodyFactory()
    application = _file(body)
    application.contract.terminated_on = timezone.localdate()
    application.contract.save()
    html = login(_member(body)).get(_review_url(application)).content.decode()
    assert "Aucun contrat signé avec ce candidat ne couvre les dates d’audit proposées." in html


def test_request_complements_moves_the_file_posts_the_message_and_emails_the_candidate(
    login, django_capture_on_commit_callbacks, mailoutbox
):
    body = CertificationBodyFactory()
    application = _file(body)
    candidate = _candidate(application)
    client = login(_member(body))
    data = _all_checked(
        action="request_complements",
        message="Joignez le plan de formation de l’année précédente.",
        complete_ok="",
        complete_comment="Plan de formation N-1 illisible",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_review_url(application), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.COMPLEMENTS_REQUESTED
    message = ApplicationMessage.objects.get(application=application)
    assert message.body == "Joignez le plan de formation de l’année précédente."
    assert message.from_certification_body
    assert [mail.to for mail in mailoutbox] == [[candidate.email]]
    assert "Joignez le plan de formation" in mailoutbox[0].body
    entry = ChecklistEntry.objects.get(application=application, item=ChecklistItem.COMPLETE)
    assert (entry.is_ok, entry.comment) == (False, "Plan de formation N-1 illisible")
    assert ApplicationLog.objects.get(application=application).transition == "request_complements"


def test_request_complements_needs_a_message(login, mailoutbox):
    body = CertificationBodyFactory()
    application = _file(body)
    response = login(_member(body)).post(
        _review_url(application), _all_checked(action="request_complements", message="  ")
    )
    assert response.status_code == 200
    assert response.context["review_form"].errors["message"] == [
        "Précisez au candidat les compléments attendus."
    ]
    assert 'id="id_message_error"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not ChecklistEntry.objects.exists()
    assert not ApplicationMessage.objects.exists()
    assert mailoutbox == []


def test_acknowledge_with_every_item_checked_and_a_contract(
    login, django_capture_on_commit_callbacks, mailoutbox
):
    body = CertificationBodyFactory()
    application = _file(body)
    candidate = _candidate(application)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(_member(body)).post(_review_url(application), _all_checked(action="acknowledge"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.ACKNOWLEDGED
    assert application.acknowledged_at is not None
    assert ChecklistEntry.objects.filter(application=application, is_ok=True).count() == len(ChecklistItem)
    assert [mail.to for mail in mailoutbox] == [[candidate.email]]
    assert "recevable" in mailoutbox[0].subject


def test_acknowledge_with_an_unchecked_item_is_refused(login, mailoutbox):
    body = CertificationBodyFactory()
    application = _file(body)
    response = login(_member(body)).post(
        _review_url(application), _all_checked(action="acknowledge", sample_representative_ok="")
    )
    assert response.status_code == 200
    expected = (
        "Avant de déclarer le dossier recevable, vérifiez : "
        "L’échantillon de l’enquête usagers est représentatif."
    )
    assert response.context["review_form"].non_field_errors() == [expected]
    assert expected in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not ApplicationLog.objects.filter(application=application).exists()
    assert not ChecklistEntry.objects.exists()
    assert mailoutbox == []


def test_acknowledge_without_a_contract_is_refused(login):
    body = CertificationBodyFactory()
    application = _file(body)
    application.contract.terminated_on = timezone.localdate()
    application.contract.save()
    response = login(_member(body)).post(_review_url(application), _all_checked(action="acknowledge"))
    assert response.status_code == 200
    assert response.context["review_form"].non_field_errors() == [
        "Aucun contrat signé avec ce candidat ne couvre les dates d’audit proposées."
    ]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not ApplicationLog.objects.exists()


def test_a_file_awaiting_complements_cannot_be_acknowledged(login):
    body = CertificationBodyFactory()
    application = _file(body, status=S.COMPLEMENTS_REQUESTED)
    client = login(_member(body))
    assert 'value="acknowledge"' not in client.get(_review_url(application)).content.decode()
    response = client.post(_review_url(application), _all_checked(action="acknowledge"))
    assert response.status_code == 200
    assert response.context["review_form"].non_field_errors() == [
        "Action impossible : le dossier est à l’état « Compléments demandés »."
    ]
    application.refresh_from_db()
    assert application.status == S.COMPLEMENTS_REQUESTED
    assert not ChecklistEntry.objects.exists()


@pytest.mark.parametrize("action", ["", "approve"])
def test_an_action_must_be_chosen(login, action):
    body = CertificationBodyFactory()
    application = _file(body)
    response = login(_member(body)).post(_review_url(application), _all_checked(action=action))
    assert response.status_code == 200
    assert response.context["review_form"].errors["action"] == ["Choisissez une action."]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_an_auditor_of_the_body_reads_the_file_without_the_form_and_cannot_post(login):
    body = CertificationBodyFactory()
    application = _file(body)
    client = login(_member(body, Role.AUDITOR))
    response = client.get(_review_url(application))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="action"' not in html
    assert "Points de recevabilité" in html
    assert client.post(_review_url(application), _all_checked(action="acknowledge")).status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_another_bodys_manager_does_not_find_the_file(login):
    application = _file(CertificationBodyFactory())
    client = login(_member(CertificationBodyFactory()))
    assert client.get(_review_url(application)).status_code == 404
    assert client.post(_review_url(application), _all_checked(action="acknowledge")).status_code == 404


def test_the_candidate_and_its_central_service_may_not_review(login):
    central = MembershipFactory(role=Role.CENTRAL).organisation
    local = LocalServiceFactory(parent=central)
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=local, status=S.SUBMITTED, complete=True
    )
    candidate = _candidate(application)
    central_user = central.memberships.get().user
    for user in (candidate, central_user):
        client = login(user)
        assert client.get(_review_url(application)).status_code == 403
        assert client.post(_review_url(application), _all_checked(action="acknowledge")).status_code == 403


def test_the_ditp_may_not_review_even_as_a_superuser(login):
    """permissions.can_review_application says yes to any superuser: the view requires the body's membership."""
    application = _file(CertificationBodyFactory())
    ditp = UserFactory(ditp=True, is_superuser=True, is_staff=True)
    client = login(ditp)
    assert client.get(_review_url(application)).status_code == 403
    assert client.post(_review_url(application), _all_checked(action="acknowledge")).status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


# --- Closing ------------------------------------------------------------------------------------------------------


def _close_url(application):
    return reverse("candidates:application_close", args=[application.pk])


def test_the_close_form_is_shown_once_the_file_is_acknowledged(login):
    body = CertificationBodyFactory()
    submitted, acknowledged = _file(body), _file(body, status=S.ACKNOWLEDGED)
    client = login(_member(body))
    assert _close_url(submitted) not in client.get(_review_url(submitted)).content.decode()
    html = client.get(_review_url(acknowledged)).content.decode()
    assert _close_url(acknowledged) in html
    assert 'value="withdrawn"' not in html


def test_a_refusal_needs_its_notification_date(login):
    body = CertificationBodyFactory()
    application = _file(body, status=S.ACKNOWLEDGED)
    response = login(_member(body)).post(_close_url(application), {"outcome": "refused"})
    assert response.status_code == 200
    assert response.context["close_form"].errors["refusal_notified_on"] == [
        "Indiquez la date de notification du refus."
    ]
    assert 'id="id_refusal_notified_on_error"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.ACKNOWLEDGED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "withdrawn"}, "outcome", "Choisissez l’issue du dossier."),
        ({"outcome": ""}, "outcome", "Choisissez l’issue du dossier."),
        (
            {"outcome": "refused", "refusal_notified_on": "pas une date"},
            "refusal_notified_on",
            "Saisissez une date valide.",
        ),
        (
            {"outcome": "refused", "refusal_notified_on": "2099-01-01"},
            "refusal_notified_on",
            "La date de notification ne peut pas être future.",
        ),
    ],
)
def test_close_form_errors(login, data, field, message):
    body = CertificationBodyFactory()
    application = _file(body, status=S.ACKNOWLEDGED)
    response = login(_member(body)).post(_close_url(application), data)
    assert response.status_code == 200
    assert response.context["close_form"].errors[field] == [message]
    application.refresh_from_db()
    assert application.status == S.ACKNOWLEDGED


def test_a_file_not_yet_acknowledged_cannot_be_closed(login):
    body = CertificationBodyFactory()
    application = _file(body)
    response = login(_member(body)).post(_close_url(application), {"outcome": "audited"})
    assert response.status_code == 200
    assert response.context["close_form"].non_field_errors() == [
        "Action impossible : le dossier est à l’état « Déposé »."
    ]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_an_auditor_cannot_close(login):
    body = CertificationBodyFactory()
    application = _file(body, status=S.ACKNOWLEDGED)
    response = login(_member(body, Role.AUDITOR)).post(_close_url(application), {"outcome": "audited"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == S.ACKNOWLEDGED


def test_a_refused_candidate_may_apply_again_six_months_after_the_notification(login):
    body = CertificationBodyFactory()
    application = _file(body, status=S.ACKNOWLEDGED)
    candidate = _candidate(application)
    notified_on = timezone.localdate() - datetime.timedelta(days=10)
    response = login(_member(body)).post(
        _close_url(application), {"outcome": "refused", "refusal_notified_on": notified_on.isoformat()}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.outcome) == (S.CLOSED, ApplicationOutcome.REFUSED)
    assert application.refusal_notified_on == notified_on

    # Through the candidate's own page, today: refused, nothing created.
    response = login(candidate).post(
        reverse("candidates:application_create"), {"kind": ApplicationKind.INITIAL}
    )
    allowed_from = notified_on + relativedelta(months=6)
    expected = (
        f"Après un refus notifié le {_fr(notified_on)}, une nouvelle candidature est possible à partir du "
        f"{_fr(allowed_from)}."
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [expected]
    assert Application.objects.filter(local_service=application.local_service).count() == 1

    # At the boundary (the service takes the day): the day before six months, refused; six months later, allowed.
    with pytest.raises(ValidationError) as refused:
        services.application_create(
            user=candidate,
            candidate=application.local_service,
            kind=ApplicationKind.INITIAL,
            today=allowed_from - datetime.timedelta(days=1),
        )
    assert refused.value.message_dict["kind"] == [expected]
    new = services.application_create(
        user=candidate, candidate=application.local_service, kind=ApplicationKind.INITIAL, today=allowed_from
    )
    assert new.status == S.DRAFT
    assert Application.objects.filter(local_service=application.local_service).count() == 2
