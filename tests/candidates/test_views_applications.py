"""The application file, candidate side (§3.1–§3.5): candidates/views/applications.py."""

import datetime
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.enums import (
    REQUIRED_PIECES,
    ApplicationKind,
    ApplicationOutcome,
    ApplicationStatus,
    DocumentPiece,
)
from candidates.models import Application, ApplicationDocument, ApplicationLog, ApplicationMessage
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    PDF_BYTES,
    ApplicationDocumentFactory,
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
    attach_required_pieces,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2027, 5, 15)


def _at(day: datetime.date):
    """Fix the clock at noon (Paris) on `day`."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, tzinfo=PARIS), tick=False)


def _candidate(**service):
    """A candidate agent of an independent local service with a contract (and a body manager to notify)."""
    user = UserFactory(candidate=True)
    local = user.memberships.get().local_service
    if service:
        for name, value in service.items():
            setattr(local, name, value)
        local.save()
    contract = ServiceContractFactory(local_service=local)
    manager = UserFactory()
    MembershipFactory(user=manager, role=Role.CB_MANAGER, organisation=contract.certification_body)
    return user, local, contract, manager


def _application(user, **fields):
    local = user.memberships.get().local_service
    contract = local.contracts.get()
    return ApplicationFactory(contract=contract, local_service=local, **fields)


def _pdf(name="piece.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _docx() -> bytes:
    """A minimal Word document (what libmagic needs to recognise one: the package parts in this order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
            'main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
            "<w:r><w:t>Plan de formation</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def _error_next_to(html: str, field_id: str) -> str | None:
    """The text of the error paragraph attached to a field (`<p class="fr-error-text" id="<id>-error">`)."""
    match = re.search(rf'<p class="fr-error-text" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else None


def _url(name, application):
    return reverse(f"candidates:{name}", args=[application.pk])


# A valid initial file when today is TODAY (2027-05-15): every date can then be moved to its boundary.
VALID = {
    "labels_held": "Marianne (2019)",
    "audit_start": datetime.date(2027, 6, 15),
    "audit_end": datetime.date(2027, 6, 16),
    "self_assessment_on": datetime.date(2027, 1, 10),
    "self_assessment_summary": "Engagements 1 à 8 évalués en équipe.",
    "sampling_method": "Tirage aléatoire de 2 000 usagers reçus dans les 12 derniers mois.",
    "user_survey_closed_on": datetime.date(2027, 4, 1),
    "user_survey_score": 82,
    "agent_survey_closed_on": datetime.date(2027, 4, 1),
    "agent_survey_score": 71,
    "indicators_since": datetime.date(2026, 1, 1),
    "indicators_summary": "Délai de réponse aux courriels ; taux de décroché.",
}


def _as_post(fields: dict) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in fields.items()
    }


# --- The whole path --------------------------------------------------------------------------------------------


def test_a_candidate_opens_fills_documents_and_submits_a_file(
    login, mailoutbox, django_capture_on_commit_callbacks
):
    with _at(TODAY):
        user, local, contract, manager = _candidate()
        client = login(user)
        html = client.get(reverse("candidates:application_list")).content.decode()
        assert reverse("candidates:application_create") in html

        response = client.post(reverse("candidates:application_create"), {"kind": ApplicationKind.INITIAL})
        application = Application.objects.get(local_service=local)
        assert response.status_code == 302
        assert response["Location"] == _url("application_detail", application)
        assert application.certification_body == contract.certification_body
        assert application.status == ApplicationStatus.DRAFT

        response = client.post(_url("application_edit", application), _as_post(VALID))
        assert response.status_code == 302, response.context["form"].errors
        application.refresh_from_db()
        assert application.audit_start == VALID["audit_start"]
        assert application.user_survey_score == 82

        html = client.get(_url("application_detail", application)).content.decode()
        assert "Ce qu’il manque pour déposer" in html
        assert "Pièces manquantes" in html
        for piece in REQUIRED_PIECES:
            response = client.post(
                _url("document_upload", application), {"piece": piece, "file": _pdf(f"{piece}.pdf")}
            )
            assert response.status_code == 302
        assert set(application.documents.values_list("piece", flat=True)) == set(REQUIRED_PIECES)
        html = client.get(_url("application_detail", application)).content.decode()
        assert "Pièces manquantes" not in html
        assert "Vous pouvez le déposer" in html

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("application_submit", application))
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.submission_count == 1
        assert application.log.filter(transition="submit", actor=user).count() == 1
        assert [m.to for m in mailoutbox] == [[manager.email]]
        receipt = application.documents.get(piece=DocumentPiece.DEPOSIT_RECEIPT)
        assert receipt.content_type == "application/pdf"
        html = client.get(_url("application_detail", application)).content.decode()
        assert "Dossier déposé" in html
        assert reverse("candidates:document_download", args=[receipt.pk]) in html
        # Once filed, the file is the body's to review: the candidate no longer edits it.
        assert client.get(_url("application_edit", application)).status_code == 403


# --- Opening a file --------------------------------------------------------------------------------------------


def test_opening_a_file_without_a_contract_is_explained_next_to_the_kind(login):
    user = UserFactory(candidate=True)
    response = login(user).post(reverse("candidates:application_create"), {"kind": ApplicationKind.INITIAL})
    assert response.status_code == 200
    assert "Aucun contrat de prestation ne couvre votre service" in _error_next_to(
        response.content.decode(), "id_kind"
    )
    assert not Application.objects.exists()


def test_a_second_open_file_is_refused_next_to_the_kind(login):
    user, local, _contract, _manager = _candidate()
    _application(user)
    response = login(user).post(reverse("candidates:application_create"), {"kind": ApplicationKind.INITIAL})
    assert response.status_code == 200
    assert "Un dossier est déjà en cours" in _error_next_to(response.content.decode(), "id_kind")
    assert Application.objects.filter(local_service=local).count() == 1


@pytest.mark.parametrize(
    ("today", "refused"), [(datetime.date(2027, 5, 14), True), (datetime.date(2027, 5, 15), False)]
)
def test_a_new_file_waits_six_months_after_a_refusal(login, today, refused):
    """Refusal notified on 15 November 2026: a new application is possible from 15 May 2027 (§3.8.1)."""
    with _at(today):
        user, local, _contract, _manager = _candidate()
        _application(
            user,
            status=ApplicationStatus.CLOSED,
            outcome=ApplicationOutcome.REFUSED,
            refusal_notified_on=datetime.date(2026, 11, 15),
        )
        response = login(user).post(
            reverse("candidates:application_create"), {"kind": ApplicationKind.INITIAL}
        )
    if refused:
        assert response.status_code == 200
        assert "à partir du 15 mai 2027" in _error_next_to(response.content.decode(), "id_kind")
    else:
        assert response.status_code == 302
        assert Application.objects.filter(local_service=local).open().exists()


def test_an_unknown_kind_is_an_error_not_a_crash(login):
    user, *_ = _candidate()
    response = login(user).post(reverse("candidates:application_create"), {"kind": "everything"})
    assert response.status_code == 200
    assert _error_next_to(response.content.decode(), "id_kind")


def test_a_central_service_opens_its_own_file(login):
    central = CentralServiceFactory()
    ServiceContractFactory(central_service=central, local_service=None)
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    response = login(user).post(reverse("candidates:application_create"), {"kind": ApplicationKind.INITIAL})
    assert response.status_code == 302
    assert Application.objects.get().central_service == central


# --- The list --------------------------------------------------------------------------------------------------


def test_the_list_shows_the_files_with_their_state_and_hides_the_create_link_while_one_is_open(login):
    user, *_ = _candidate()
    _application(user, status=ApplicationStatus.CLOSED, outcome=ApplicationOutcome.LABELLED)
    open_file = _application(user, status=ApplicationStatus.COMPLEMENTS_REQUESTED)
    other = ApplicationFactory()
    html = login(user).get(reverse("candidates:application_list")).content.decode()
    assert _url("application_detail", open_file) in html
    assert "Compléments demandés" in html and "Clos" in html
    assert _url("application_detail", other) not in html
    assert reverse("candidates:application_create") not in html
    assert "Un seul dossier est ouvert à la fois" in html


def test_a_central_service_follows_the_local_files_of_its_current_campaign(login):
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    campaign = ApplicationFactory(contract=contract, local_service=None, central_service=central)
    in_campaign = ApplicationFactory(
        contract=contract,
        local_service=LocalServiceFactory(parent=central, name="CAF du Rhône"),
        central_application=campaign,
        status=ApplicationStatus.SUBMITTED,
    )
    old_campaign = ApplicationFactory(
        contract=contract,
        local_service=None,
        central_service=central,
        status=ApplicationStatus.CLOSED,
        outcome=ApplicationOutcome.LABELLED,
    )
    old_local = ApplicationFactory(
        contract=contract,
        local_service=LocalServiceFactory(parent=central, name="CAF de l’Ain"),
        central_application=old_campaign,
        status=ApplicationStatus.CLOSED,
        outcome=ApplicationOutcome.AUDITED,
    )
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    client = login(user)
    html = client.get(reverse("candidates:application_list")).content.decode()
    assert _url("application_detail", campaign) in html
    assert _url("application_detail", in_campaign) in html and "CAF du Rhône" in html
    assert _url("application_detail", old_local) not in html
    # Read-only: no edit link, no message form, no withdrawal on the local's file.
    html = client.get(_url("application_detail", in_campaign)).content.decode()
    assert _url("application_edit", in_campaign) not in html
    assert _url("message_post", in_campaign) not in html
    assert _url("application_withdraw", in_campaign) not in html
    assert client.post(_url("application_withdraw", in_campaign), {"confirm": "on"}).status_code == 403


@pytest.mark.parametrize(
    ("trait", "explanation"),
    [
        ("auditor", "examine ceux qui lui sont adressés"),
        ("ditp", "Votre rôle national ne dépose pas de dossier"),
        (None, "Demandez au référent de votre service"),
    ],
)
def test_who_files_no_application_gets_an_explained_empty_list(login, trait, explanation):
    user = UserFactory(**({trait: True} if trait else {}))
    response = login(user).get(reverse("candidates:application_list"))
    assert response.status_code == 200
    assert explanation in response.content.decode()
    assert reverse("candidates:application_create") not in response.content.decode()


def _list_queries(client):
    url = reverse("candidates:application_list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries]


def test_the_list_has_a_constant_number_of_queries(login):
    def network(size):
        central = CentralServiceFactory()
        contract = ServiceContractFactory(central_service=central, local_service=None)
        for _ in range(size):
            ApplicationFactory(
                contract=contract,
                local_service=None,
                central_service=central,
                status=ApplicationStatus.CLOSED,
                outcome=ApplicationOutcome.AUDITED,
            )
        campaign = ApplicationFactory(contract=contract, local_service=None, central_service=central)
        for _ in range(size):
            ApplicationFactory(
                contract=contract,
                local_service=LocalServiceFactory(parent=central),
                central_application=campaign,
            )
        user = UserFactory()
        MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
        return user

    small = _list_queries(login(network(1)))
    large = _list_queries(login(network(8)))
    assert len(small) == len(large), "\n".join([*small, "---", *large])
    assert len(large) == 7


# --- Editing ---------------------------------------------------------------------------------------------------


def test_the_edit_form_uses_date_inputs_and_groups_the_fields(login):
    user, *_ = _candidate()
    application = _application(user)
    html = login(user).get(_url("application_edit", application)).content.decode()
    assert re.search(r'<input type="date" name="audit_start"[^>]*class="fr-input"', html)
    for legend in [
        "Identification",
        "Dates d’audit proposées",
        "Autodiagnostic",
        "Enquêtes usagers et agents",
    ]:
        assert legend in html
    # An initial file neither names a previous audit nor extends a perimeter.
    assert 'name="previous_audit_on"' not in html
    assert 'name="extension_sites"' not in html


@pytest.mark.parametrize(
    ("value", "accepted"), [("120", False), ("100.01", False), ("-1", False), ("100", True), ("82.55", True)]
)
def test_a_survey_score_is_out_of_100_with_two_decimals(login, value, accepted):
    user, *_ = _candidate()
    application = _application(user)
    response = login(user).post(_url("application_edit", application), {"user_survey_score": value})
    application.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert str(application.user_survey_score) == f"{float(value):.2f}"
    else:
        assert response.status_code == 200
        assert "Une note est comprise entre 0 et 100." in _error_next_to(
            response.content.decode(), "id_user_survey_score"
        )
        assert 'aria-describedby="id_user_survey_score-error"' in response.content.decode()
        assert application.user_survey_score is None


def test_three_decimals_are_refused(login):
    user, *_ = _candidate()
    application = _application(user)
    response = login(user).post(_url("application_edit", application), {"agent_survey_score": "70.125"})
    assert response.status_code == 200
    assert _error_next_to(response.content.decode(), "id_agent_survey_score")


def test_the_audit_cannot_end_before_it_starts(login):
    user, *_ = _candidate()
    application = _application(user)
    response = login(user).post(
        _url("application_edit", application), {"audit_start": "2027-06-15", "audit_end": "2027-06-14"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ne peut pas précéder son début" in _error_next_to(html, "id_audit_end")
    assert "Constraint" not in html  # the database constraint never speaks English to the user
    application.refresh_from_db()
    assert application.audit_start is None


def test_a_follow_up_file_names_the_previous_audit(login):
    user, *_ = _candidate()
    application = _application(user, kind=ApplicationKind.FOLLOW_UP)
    client = login(user)
    assert 'name="previous_audit_on"' in client.get(_url("application_edit", application)).content.decode()
    response = client.post(_url("application_edit", application), {"previous_audit_on": "2026-01-10"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.previous_audit_on == datetime.date(2026, 1, 10)


def test_an_extension_names_the_active_sites_and_the_offered_domains(login):
    user, local, *_ = _candidate(kind="commune")
    added = SiteFactory(local_service=local, name="Mairie annexe des Brotteaux")
    SiteFactory(local_service=local, name="Ancienne mairie", is_active=False)
    foreign = SiteFactory(name="Site d’un autre service")
    application = _application(user, kind=ApplicationKind.EXTENSION)
    client = login(user)
    html = client.get(_url("application_edit", application)).content.decode()
    assert "Mairie annexe des Brotteaux" in html
    assert "Ancienne mairie" not in html and "Site d’un autre service" not in html
    assert "Police municipale" in html  # an optional domain of a commune
    assert "Mobilités et transport" not in html  # a region's domain

    response = client.post(
        _url("application_edit", application),
        {"extension_sites": [foreign.pk], "extension_domains": ["mobility"]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _error_next_to(html, "id_extension_sites") and _error_next_to(html, "id_extension_domains")

    response = client.post(
        _url("application_edit", application),
        {"extension_sites": [added.pk], "extension_domains": ["municipal_police"]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert list(application.extension_sites.all()) == [added]
    assert application.extension_domains == ["municipal_police"]
    html = client.get(_url("application_detail", application)).content.decode()
    assert "Mairie annexe des Brotteaux" in html and "Police municipale" in html


def test_the_candidate_edits_during_a_complements_request_and_files_again(
    login, django_capture_on_commit_callbacks
):
    user, *_ = _candidate()
    application = _application(user, complete=True, status=ApplicationStatus.SUBMITTED, submission_count=1)
    attach_required_pieces(application)
    client = login(user)
    assert client.get(_url("application_edit", application)).status_code == 403
    assert client.post(_url("application_edit", application), {"labels_held": "ISO 9001"}).status_code == 403
    assert (
        client.post(_url("document_upload", application), {"piece": "org_chart", "file": _pdf()}).status_code
        == 403
    )

    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.COMPLEMENTS_REQUESTED)
    response = client.post(
        _url("application_edit", application),
        {**_as_post({f: getattr(application, f) for f in VALID}), "labels_held": "ISO 9001"},
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("application_submit", application))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.labels_held == "ISO 9001"
    assert application.status == ApplicationStatus.RESUBMITTED
    assert application.submission_count == 2
    assert application.log.filter(transition="resubmit").count() == 1
    assert application.documents.filter(piece=DocumentPiece.DEPOSIT_RECEIPT).count() == 1


# --- Submitting: every date rule at its boundary ---------------------------------------------------------------


def _ready_file(user, **changes):
    application = _application(user, **{**VALID, **changes})
    attach_required_pieces(application)
    return application


def _submit(client, application):
    """Submit; what happens on commit (receipt, e-mails) is not the point of the date rules."""
    return client.post(_url("application_submit", application))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # Filed at least one month before the audit (§3.5.1): today 15 May 2027.
        ({"audit_start": datetime.date(2027, 6, 15)}, None, None),
        ({"audit_start": datetime.date(2027, 6, 14)}, "audit_start", "au moins un mois avant"),
        # Self-assessment within the 12 months before the audit (§3.1).
        ({"self_assessment_on": datetime.date(2026, 6, 15)}, None, None),
        (
            {"self_assessment_on": datetime.date(2026, 6, 14)},
            "self_assessment_on",
            "12 mois au plus avant l’audit",
        ),
        # Surveys less than 6 months old at an initial audit (§3.4): exactly 6 months is too old.
        ({"user_survey_closed_on": datetime.date(2026, 12, 15)}, "user_survey_closed_on", "moins de 6 mois"),
        ({"user_survey_closed_on": datetime.date(2026, 12, 16)}, None, None),
        (
            {"agent_survey_closed_on": datetime.date(2026, 12, 15)},
            "agent_survey_closed_on",
            "moins de 6 mois",
        ),
        ({"agent_survey_closed_on": datetime.date(2026, 12, 16)}, None, None),
        # Quality indicators in place for at least 6 months at submission (§3.5.1).
        ({"indicators_since": datetime.date(2026, 11, 15)}, None, None),
        ({"indicators_since": datetime.date(2026, 11, 16)}, "indicators_since", "au moins 6 mois"),
    ],
)
def test_date_rules_at_their_boundary(login, changes, field, message):
    with _at(TODAY):
        user, *_ = _candidate()
        application = _ready_file(user, **changes)
        response = _submit(login(user), application)
    application.refresh_from_db()
    if field is None:
        assert response.status_code == 302
        assert application.status == ApplicationStatus.SUBMITTED
    else:
        assert response.status_code == 200
        assert message in _error_next_to(response.content.decode(), field)
        assert application.status == ApplicationStatus.DRAFT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"self_assessment_on": datetime.date(2026, 8, 1)},
            "un autodiagnostic réalisé depuis l’audit précédent",
        ),
        ({"self_assessment_on": datetime.date(2026, 8, 2)}, None),
        ({"user_survey_closed_on": datetime.date(2026, 8, 1)}, "enquêtes usagers et agents réalisées depuis"),
        (
            {"agent_survey_closed_on": datetime.date(2026, 8, 1)},
            "enquêtes usagers et agents réalisées depuis",
        ),
        ({"user_survey_closed_on": datetime.date(2026, 8, 2)}, None),
    ],
)
def test_a_follow_up_needs_a_self_assessment_and_surveys_after_the_previous_audit(login, changes, message):
    """Initial audit on 1 August 2026: the follow-up file shows what was done since (§3.9.1)."""
    base = {
        "kind": ApplicationKind.FOLLOW_UP,
        "previous_audit_on": datetime.date(2026, 8, 1),
        "self_assessment_on": datetime.date(2027, 1, 10),
        # Older than 6 months: allowed for a follow-up, where only "since the previous audit" counts.
        "user_survey_closed_on": datetime.date(2026, 10, 1),
        "agent_survey_closed_on": datetime.date(2026, 10, 1),
    }
    with _at(TODAY):
        user, *_ = _candidate()
        application = _ready_file(user, **{**base, **changes})
        response = _submit(login(user), application)
    if message is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        summary = re.search(r'id="submit-errors">(.*?)</div>', response.content.decode(), re.S).group(1)
        assert message in summary


def test_a_follow_up_without_the_previous_audit_date_is_refused(login):
    with _at(TODAY):
        user, *_ = _candidate()
        application = _ready_file(user, kind=ApplicationKind.FOLLOW_UP)
        response = _submit(login(user), application)
    assert response.status_code == 200
    assert "Indiquez la date de l’audit initial." in _error_next_to(
        response.content.decode(), "previous_audit_on"
    )


def test_a_failed_submission_changes_nothing_and_lists_each_problem(
    login, mailoutbox, django_capture_on_commit_callbacks
):
    with _at(TODAY):
        user, *_ = _candidate()
        application = _application(
            user, audit_start=datetime.date(2027, 6, 1), audit_end=datetime.date(2027, 6, 2)
        )
        ApplicationDocumentFactory(application=application, piece=DocumentPiece.ORG_CHART)
        logs = ApplicationLog.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = _submit(login(user), application)
    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(r'id="submit-errors">(.*?)</div>', html, re.S).group(1)
    edit = _url("application_edit", application)
    assert f'<a href="{edit}#id_audit_start">Début d’audit proposé</a>' in summary
    assert f'<a href="{edit}#id_self_assessment_on">Date de l’autodiagnostic</a>' in summary
    assert "Pièces manquantes : Plan de formation de l’année en cours" in summary
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.submission_count == 0
    assert application.submitted_at is None
    assert ApplicationLog.objects.count() == logs
    assert not application.documents.filter(piece=DocumentPiece.DEPOSIT_RECEIPT).exists()
    assert mailoutbox == []


# --- Uploads ---------------------------------------------------------------------------------------------------


def _upload(client, application, name, content, piece=DocumentPiece.ORG_CHART):
    return client.post(
        _url("document_upload", application),
        {"piece": piece, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (b"MZ" + b"\x00" * 200, "application/x-dosexec"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "text/html"),
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(login, content, detected):
    user, *_ = _candidate()
    application = _application(user)
    response = _upload(login(user), application, "organigramme.pdf", content)
    assert response.status_code == 200
    error = _error_next_to(response.content.decode(), "id_file")
    assert "Ce type de fichier n’est pas accepté" in error and detected in error
    assert 'aria-describedby="id_file-error"' in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(login, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    user, *_ = _candidate()
    application = _application(user)
    response = _upload(login(user), application, "organigramme.pdf", PDF_BYTES + b"%" * 1000)
    assert response.status_code == 200
    assert "dépasse la taille maximale" in _error_next_to(response.content.decode(), "id_file")
    assert not ApplicationDocument.objects.exists()


def test_an_empty_file_is_refused(login):
    user, *_ = _candidate()
    application = _application(user)
    response = _upload(login(user), application, "organigramme.pdf", b"")
    assert response.status_code == 200
    assert _error_next_to(response.content.decode(), "id_file")
    assert not ApplicationDocument.objects.exists()


def test_a_candidate_cannot_forge_a_deposit_receipt(login):
    """Receipts are produced by the platform on submission (§3.5.1), never uploaded."""
    user, *_ = _candidate()
    application = _application(user)
    response = _upload(login(user), application, "accuse.pdf", PDF_BYTES, piece=DocumentPiece.DEPOSIT_RECEIPT)
    assert response.status_code == 200
    assert _error_next_to(response.content.decode(), "id_piece")
    assert not ApplicationDocument.objects.exists()


def test_a_word_document_is_accepted_and_named_after_its_real_type(login):
    user, *_ = _candidate()
    application = _application(user)
    client = login(user)
    response = _upload(
        client, application, "plan-formation", _docx(), piece=DocumentPiece.TRAINING_PLAN_CURRENT
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert document.original_name == "plan-formation.docx"
    assert document.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document.uploaded_by == user
    # A PDF named .docx is stored as a PDF.
    _upload(client, application, "organigramme.docx", PDF_BYTES)
    assert ApplicationDocument.objects.get(piece=DocumentPiece.ORG_CHART).original_name == "organigramme.pdf"


def test_a_new_version_of_a_piece_replaces_the_shown_one_and_keeps_the_old(login):
    user, *_ = _candidate()
    application = _application(user)
    client = login(user)
    _upload(client, application, "organigramme-2026.pdf", PDF_BYTES)
    _upload(client, application, "organigramme-2027.pdf", PDF_BYTES)
    assert application.documents.count() == 2
    html = client.get(_url("application_detail", application)).content.decode()
    pieces = html[html.index('id="pieces"') : html.index('id="receipts"')]
    assert "organigramme-2027.pdf" in pieces and "organigramme-2026.pdf" not in pieces


def test_the_upload_form_is_multipart_with_a_piece_select(login):
    user, *_ = _candidate()
    application = _application(user)
    html = login(user).get(_url("application_detail", application)).content.decode()
    form = re.search(
        rf'<form method="post" action="{_url("document_upload", application)}" enctype="multipart/form-data"',
        html,
    )
    assert form
    assert re.search(r'<select name="piece"[^>]*class="fr-select"', html)
    assert 'value="deposit_receipt"' not in html  # produced by the platform only
    assert re.search(r'<input type="file" name="file" class="fr-upload"', html)


# --- Downloads -------------------------------------------------------------------------------------------------


def test_a_document_is_downloaded_as_an_attachment(login):
    user, *_ = _candidate()
    document = ApplicationDocumentFactory(application=_application(user), original_name="organigramme.pdf")
    response = login(user).get(reverse("candidates:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="organigramme.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_another_candidate_cannot_download(login):
    document = ApplicationDocumentFactory()
    other, *_ = _candidate()
    assert login(other).get(reverse("candidates:document_download", args=[document.pk])).status_code == 404


def test_a_body_never_downloads_from_a_draft(login):
    user, _local, _contract, manager = _candidate()
    application = _application(user)
    document = ApplicationDocumentFactory(application=application)
    client = login(manager)
    url = reverse("candidates:document_download", args=[document.pk])
    assert client.get(url).status_code == 404
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    assert client.get(url).status_code == 200


# --- The detail page -------------------------------------------------------------------------------------------


def test_the_body_reads_the_file_and_is_sent_to_its_review_page(login):
    user, _local, contract, manager = _candidate()
    application = _application(user, complete=True, status=ApplicationStatus.SUBMITTED)
    auditor = UserFactory()
    MembershipFactory(user=auditor, role=Role.AUDITOR, organisation=contract.certification_body)
    html = login(manager).get(_url("application_detail", application)).content.decode()
    assert _url("application_review", application) in html
    assert "Ce qu’il manque pour déposer" not in html
    assert _url("application_edit", application) not in html
    assert _url("document_upload", application) not in html
    assert _url("application_submit", application) not in html
    assert _url("message_post", application) in html
    html = login(auditor).get(_url("application_detail", application)).content.decode()
    assert _url("application_review", application) not in html


def _busy_file(size):
    user, _local, _contract, manager = _candidate()
    application = _application(
        user, complete=True, kind=ApplicationKind.EXTENSION, status=ApplicationStatus.COMPLEMENTS_REQUESTED
    )
    for _ in range(size):
        ApplicationDocumentFactory(application=application, piece=DocumentPiece.OTHER, uploaded_by=user)
        message = ApplicationMessage.objects.create(application=application, author=manager, body="Précisez.")
        ApplicationDocumentFactory(application=application, piece=DocumentPiece.OTHER, message=message)
        ApplicationLog.objects.create(
            application=application,
            transition="request_complements",
            from_state="submitted",
            to_state="complements_requested",
            actor=manager,
        )
        application.extension_sites.add(SiteFactory(local_service=application.local_service))
    ApplicationDocumentFactory(application=application, piece=DocumentPiece.DEPOSIT_RECEIPT)
    return user, application


def test_the_detail_page_has_a_constant_number_of_queries(login):
    def queries(size):
        user, application = _busy_file(size)
        client = login(user)
        url = _url("application_detail", application)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert html.count("Précisez.") == size
        return [q["sql"] for q in captured]

    small, large = queries(1), queries(8)
    assert len(small) == len(large), "\n".join([*small, "---", *large])
    assert len(large) == 17


def test_the_detail_page_shows_the_thread_the_log_and_the_receipts(login):
    user, _local, _contract, manager = _candidate()
    application = _application(user, complete=True, status=ApplicationStatus.SUBMITTED, submission_count=1)
    first = ApplicationMessage.objects.create(application=application, author=manager, body="Premier message")
    ApplicationMessage.objects.create(application=application, author=user, body="Second message")
    ApplicationDocumentFactory(application=application, message=first, original_name="liste.pdf")
    ApplicationLog.objects.create(
        application=application, transition="submit", from_state="draft", to_state="submitted", actor=user
    )
    receipt = ApplicationDocumentFactory(
        application=application, piece=DocumentPiece.DEPOSIT_RECEIPT, original_name="accuse-de-depot.pdf"
    )
    html = login(user).get(_url("application_detail", application)).content.decode()
    assert html.index("Premier message") < html.index("Second message")
    assert "liste.pdf" in html
    assert "Dépôt" in html and str(user) in html
    assert reverse("candidates:document_download", args=[receipt.pk]) in html
    # The receipt is no piece of the file.
    assert html.count("accuse-de-depot.pdf") == 1


# --- Withdrawing -----------------------------------------------------------------------------------------------


def test_withdrawing_needs_the_confirmation(login):
    user, *_ = _candidate()
    application = _application(user)
    client = login(user)
    response = client.post(_url("application_withdraw", application), {"reason": "Report d’un an"})
    assert response.status_code == 200
    assert "Cochez la case" in _error_next_to(response.content.decode(), "id_confirm")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT

    response = client.post(
        _url("application_withdraw", application), {"reason": "Report d’un an", "confirm": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED
    assert application.outcome == ApplicationOutcome.WITHDRAWN
    assert application.log.get(transition="withdraw").reason == "Report d’un an"
    # A closed file can be withdrawn no more: no form, and a late POST is refused.
    html = client.get(_url("application_detail", application)).content.decode()
    assert _url("application_withdraw", application) not in html
    assert client.post(_url("application_withdraw", application), {"confirm": "on"}).status_code == 403


# --- Messages --------------------------------------------------------------------------------------------------


def test_a_candidate_message_notifies_the_body_and_the_answer_the_candidate(
    login, mailoutbox, django_capture_on_commit_callbacks
):
    user, _local, _contract, manager = _candidate()
    application = _application(user, status=ApplicationStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(user).post(
            _url("message_post", application),
            {"body": "Voici la liste des sites.", "attachments": [_pdf("sites.pdf"), _pdf("plan.pdf")]},
        )
    assert response.status_code == 302
    message = ApplicationMessage.objects.get()
    assert not message.from_certification_body
    assert sorted(message.attachments.values_list("original_name", flat=True)) == ["plan.pdf", "sites.pdf"]
    assert [m.to for m in mailoutbox] == [[manager.email]]

    with django_capture_on_commit_callbacks(execute=True):
        response = login(manager).post(_url("message_post", application), {"body": "Bien reçu."})
    assert response.status_code == 302
    assert ApplicationMessage.objects.get(body="Bien reçu.").from_certification_body
    assert mailoutbox[1].to == [user.email]
    assert "Bien reçu." in mailoutbox[1].body


def test_a_bad_attachment_saves_nothing(login, mailoutbox, django_capture_on_commit_callbacks):
    user, *_ = _candidate()
    application = _application(user, status=ApplicationStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(user).post(
            _url("message_post", application),
            {
                "body": "Deux pièces jointes.",
                "attachments": [_pdf("sites.pdf"), SimpleUploadedFile("outil.pdf", b"MZ" + b"\x00" * 100)],
            },
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce type de fichier n’est pas accepté" in _error_next_to(html, "id_attachments")
    assert "Deux pièces jointes." in html  # what was typed is kept
    assert not ApplicationMessage.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert mailoutbox == []


def test_an_empty_message_is_refused(login):
    user, *_ = _candidate()
    application = _application(user, status=ApplicationStatus.SUBMITTED)
    response = login(user).post(_url("message_post", application), {"body": "   "})
    assert response.status_code == 200
    assert _error_next_to(response.content.decode(), "id_body")
    assert not ApplicationMessage.objects.exists()


def test_no_message_on_a_draft(login):
    user, *_ = _candidate()
    application = _application(user)
    client = login(user)
    assert (
        _url("message_post", application)
        not in client.get(_url("application_detail", application)).content.decode()
    )
    assert client.post(_url("message_post", application), {"body": "Bonjour"}).status_code == 403


def test_a_labelled_file_leads_its_candidate_to_the_label_and_its_attestations(login):
    """The candidate's way to their label's page (tier, validity, signed attestations): from the file it was
    awarded on. Nothing else in the candidate's interface leads there."""
    from tests.decisions.factories import LabelFactory

    user, _local, _contract, _manager = _candidate()
    application = _application(user, status=ApplicationStatus.CLOSED, outcome=ApplicationOutcome.LABELLED)
    label = LabelFactory(decision__application=application)
    other = LabelFactory()  # another service's label, never linked
    client = login(user)

    html = client.get(_url("application_detail", application)).content.decode()

    assert f'href="{reverse("decisions:label_detail", args=[label.pk])}"' in html
    assert "Le label et ses attestations" in html
    assert reverse("decisions:label_detail", args=[other.pk]) not in html
    assert client.get(reverse("decisions:label_detail", args=[label.pk])).status_code == 200


def test_a_file_without_a_label_links_to_none(login):
    user, _local, _contract, _manager = _candidate()
    application = _application(user)

    html = login(user).get(_url("application_detail", application)).content.decode()

    assert "Le label et ses attestations" not in html
