"""The DITP back office (issue #8): habilitation transitions and their dates (§1.3), their effect on candidates and
decisions, the pages and the publication controls (§5.3)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates import services as candidate_services
from candidates.forms.registration import ContractForm
from decisions import services as decision_services
from decisions.enums import SuspensionReason, WithdrawalReason
from decisions.models import Decision, Suspension, Withdrawal
from labelsp.accounts.enums import Role
from labelsp.navigation import nav_items
from registry import services
from registry.enums import HabilitationStatus
from registry.models import CertificationBody, HabilitationLog
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import LocalServiceFactory
from tests.decisions.factories import LabelFactory
from tests.decisions.test_services import _decidable
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def ditp():
    return MembershipFactory(role=Role.DITP).user


def _withdrawn(**fields):
    return CertificationBodyFactory(habilitation_status=HabilitationStatus.WITHDRAWN, **fields)


# --- Pure rules -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current_end", "today", "start"),
    [
        # Renewed early: the new period follows the current one without a gap.
        (datetime.date(2030, 2, 28), datetime.date(2029, 12, 1), datetime.date(2030, 3, 1)),
        # Renewed on the last day: still the day after.
        (datetime.date(2030, 2, 28), datetime.date(2030, 2, 28), datetime.date(2030, 3, 1)),
        # Renewed the day after the end: no gap either.
        (datetime.date(2030, 2, 28), datetime.date(2030, 3, 1), datetime.date(2030, 3, 1)),
        # Lapsed: the new period starts on the renewal day.
        (datetime.date(2030, 2, 28), datetime.date(2030, 6, 15), datetime.date(2030, 6, 15)),
    ],
)
def test_renewal_starts_the_day_after_the_current_end_or_today(current_end, today, start):
    assert services.renewal_start(current_end=current_end, today=today) == start


def test_the_transition_table():
    assert services.available_transitions(HabilitationStatus.ACTIVE) == ["renew", "suspend", "withdraw"]
    assert services.available_transitions(HabilitationStatus.SUSPENDED) == ["lift", "withdraw"]
    assert services.available_transitions(HabilitationStatus.WITHDRAWN) == ["grant"]


# --- Grant ----------------------------------------------------------------------------------------------------------


def test_a_grant_habilitates_for_five_years_logs_and_notifies(
    ditp, mailoutbox, django_capture_on_commit_callbacks
):
    body = _withdrawn()
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=body).user
    with time_machine.travel(datetime.date(2025, 3, 1)), django_capture_on_commit_callbacks(execute=True):
        entry = services.habilitation_grant(
            user=ditp,
            certification_body=body,
            starts_on=datetime.date(2025, 3, 1),
            signed_on=datetime.date(2025, 2, 20),
            reason="Dossier d’habilitation complet.",
        )
    body.refresh_from_db()
    assert body.habilitation_status == HabilitationStatus.ACTIVE
    assert (body.habilitation_start, body.habilitation_end) == (
        datetime.date(2025, 3, 1),
        datetime.date(2030, 2, 28),
    )
    assert body.engagement_contract_signed_on == datetime.date(2025, 2, 20)
    assert (entry.transition, entry.from_state, entry.to_state, entry.actor) == (
        "grant",
        "withdrawn",
        "active",
        ditp,
    )
    assert (entry.habilitation_start, entry.habilitation_end) == (
        body.habilitation_start,
        body.habilitation_end,
    )
    # The body's history records the field edit; the log records the business event.
    assert body.history.order_by("-history_id").first().habilitation_status == HabilitationStatus.ACTIVE
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {manager.email, ditp.email}
    assert "Habilitation accordée" in mailoutbox[0].subject
    assert "28 février 2030" in mailoutbox[0].body
    # Active on its last day, not the day after (five full years).
    assert body.habilitation_is_active(datetime.date(2030, 2, 28))
    assert not body.habilitation_is_active(datetime.date(2030, 3, 1))
    assert CertificationBody.objects.habilitated(datetime.date(2030, 2, 28)).filter(pk=body.pk).exists()
    assert not CertificationBody.objects.habilitated(datetime.date(2030, 3, 1)).filter(pk=body.pk).exists()


def test_a_grant_may_start_later_than_today(ditp):
    body = _withdrawn()
    services.habilitation_grant(
        user=ditp, certification_body=body, starts_on=TODAY + 10 * DAY, signed_on=TODAY
    )
    assert not body.habilitation_is_active(TODAY)
    assert body.habilitation_is_active(TODAY + 10 * DAY)


@pytest.mark.parametrize(
    ("starts_on", "signed_on", "field", "message"),
    [
        (TODAY, None, "signed_on", "Indiquez la date de signature du contrat d’engagement."),
        (TODAY, TODAY + DAY, "signed_on", "sa date ne peut pas être future"),
        (TODAY - DAY, TODAY - 2 * DAY, "starts_on", "ne peut pas être rétroactive"),
        (TODAY + DAY, TODAY, "starts_on", None),  # valid: control case
    ],
)
def test_grant_dates_are_checked_and_nothing_is_half_saved(ditp, starts_on, signed_on, field, message):
    body = _withdrawn()
    before = (body.habilitation_start, body.habilitation_end)
    if message is None:
        services.habilitation_grant(
            user=ditp, certification_body=body, starts_on=starts_on, signed_on=signed_on
        )
        assert HabilitationLog.objects.filter(certification_body=body).count() == 1
        return
    with pytest.raises(ValidationError) as error:
        services.habilitation_grant(
            user=ditp, certification_body=body, starts_on=starts_on, signed_on=signed_on
        )
    assert message in " ".join(error.value.message_dict[field])
    body.refresh_from_db()
    assert body.habilitation_status == HabilitationStatus.WITHDRAWN
    assert (body.habilitation_start, body.habilitation_end) == before
    assert not HabilitationLog.objects.filter(certification_body=body).exists()


def test_a_grant_cannot_start_before_the_engagement_contract_is_signed(ditp):
    with time_machine.travel(datetime.date(2025, 3, 1)):
        body = _withdrawn()
        with pytest.raises(ValidationError) as error:
            services.habilitation_grant(
                user=ditp,
                certification_body=body,
                starts_on=datetime.date(2025, 3, 1),
                signed_on=None,
            )
        assert "signed_on" in error.value.message_dict
        # Signed in the future: refused; the start's own check waits for a valid date.
        with pytest.raises(ValidationError) as error:
            services.habilitation_grant(
                user=ditp,
                certification_body=body,
                starts_on=datetime.date(2025, 3, 1),
                signed_on=datetime.date(2025, 3, 2),
            )
        assert set(error.value.message_dict) == {"signed_on"}


def test_an_active_body_is_renewed_not_granted(ditp):
    body = CertificationBodyFactory()
    with pytest.raises(ValidationError, match="renouvelez"):
        services.habilitation_grant(user=ditp, certification_body=body, starts_on=TODAY, signed_on=TODAY)


# --- Renewal --------------------------------------------------------------------------------------------------------


def test_an_early_renewal_continues_the_habilitation_for_five_more_years(ditp):
    body = CertificationBodyFactory(
        habilitation_start=datetime.date(2025, 3, 1),
        habilitation_end=datetime.date(2030, 2, 28),
        engagement_contract_signed_on=datetime.date(2025, 2, 20),
    )
    with time_machine.travel(datetime.date(2029, 12, 1)):
        entry = services.habilitation_renew(
            user=ditp, certification_body=body, signed_on=datetime.date(2029, 11, 30)
        )
    body.refresh_from_db()
    # The new period runs from 1 March 2030 to 28 February 2035; the habilitation is continuous since 2025.
    assert (body.habilitation_start, body.habilitation_end) == (
        datetime.date(2025, 3, 1),
        datetime.date(2035, 2, 28),
    )
    assert body.engagement_contract_signed_on == datetime.date(2029, 11, 30)
    assert (entry.transition, entry.from_state, entry.to_state) == ("renew", "active", "active")
    assert body.habilitation_is_active(datetime.date(2030, 3, 1))


def test_a_lapsed_habilitation_is_renewed_from_today(ditp):
    body = CertificationBodyFactory(
        habilitation_start=datetime.date(2025, 3, 1), habilitation_end=datetime.date(2030, 2, 28)
    )
    with time_machine.travel(datetime.date(2030, 6, 15)):
        assert not body.habilitation_is_active()
        services.habilitation_renew(user=ditp, certification_body=body, signed_on=datetime.date(2030, 6, 10))
        body.refresh_from_db()
        assert body.habilitation_is_active()
    assert (body.habilitation_start, body.habilitation_end) == (
        datetime.date(2030, 6, 15),
        datetime.date(2035, 6, 14),
    )


def test_a_renewal_needs_a_contract_signed_no_earlier_than_the_current_one(ditp):
    body = CertificationBodyFactory(engagement_contract_signed_on=TODAY - DAY)
    end = body.habilitation_end
    with pytest.raises(ValidationError) as error:
        services.habilitation_renew(user=ditp, certification_body=body, signed_on=TODAY - 2 * DAY)
    assert "précéder le contrat en vigueur" in error.value.message_dict["signed_on"][0]
    with pytest.raises(ValidationError) as error:
        services.habilitation_renew(user=ditp, certification_body=body, signed_on=None)
    assert "signed_on" in error.value.message_dict
    body.refresh_from_db()
    assert body.habilitation_end == end
    assert not HabilitationLog.objects.exists()


def test_a_suspended_habilitation_is_not_renewed_before_the_suspension_is_lifted(ditp):
    body = CertificationBodyFactory(habilitation_status=HabilitationStatus.SUSPENDED)
    with pytest.raises(ValidationError, match="levez d’abord la suspension"):
        services.habilitation_renew(user=ditp, certification_body=body, signed_on=TODAY)


# --- Suspension, lifting, withdrawal --------------------------------------------------------------------------------


def test_suspend_then_lift_keeps_the_dates(ditp):
    body = CertificationBodyFactory()
    dates = (body.habilitation_start, body.habilitation_end)
    with pytest.raises(ValidationError) as error:
        services.habilitation_suspend(user=ditp, certification_body=body, reason="  ")
    assert error.value.message_dict["reason"] == ["Indiquez le motif de la suspension."]
    services.habilitation_suspend(
        user=ditp, certification_body=body, reason="Accréditation COFRAC suspendue."
    )
    assert body.habilitation_status == HabilitationStatus.SUSPENDED
    assert not body.habilitation_is_active()
    with pytest.raises(ValidationError, match="en vigueur peut être suspendue"):
        services.habilitation_suspend(user=ditp, certification_body=body, reason="Encore.")
    services.habilitation_lift(user=ditp, certification_body=body)
    body.refresh_from_db()
    assert body.habilitation_is_active()
    assert (body.habilitation_start, body.habilitation_end) == dates
    with pytest.raises(ValidationError, match="n’est pas suspendue"):
        services.habilitation_lift(user=ditp, certification_body=body)
    log = list(HabilitationLog.objects.filter(certification_body=body).values_list("transition", "reason"))
    assert log == [("suspend", "Accréditation COFRAC suspendue."), ("lift", "")]


def test_a_withdrawal_needs_a_reason_and_only_a_new_grant_habilitates_again(ditp):
    body = CertificationBodyFactory(habilitation_status=HabilitationStatus.SUSPENDED)
    with pytest.raises(ValidationError) as error:
        services.habilitation_withdraw(user=ditp, certification_body=body, reason="")
    assert error.value.message_dict["reason"] == ["Indiquez le motif du retrait."]
    services.habilitation_withdraw(user=ditp, certification_body=body, reason="Contrat résilié.")
    assert body.habilitation_status == HabilitationStatus.WITHDRAWN
    for transition in (services.habilitation_suspend, services.habilitation_withdraw):
        with pytest.raises(ValidationError):
            transition(user=ditp, certification_body=body, reason="Encore.")
    with pytest.raises(ValidationError):
        services.habilitation_lift(user=ditp, certification_body=body)
    services.habilitation_grant(user=ditp, certification_body=body, starts_on=TODAY, signed_on=TODAY)
    assert body.habilitation_is_active()
    assert body.habilitation_end == services.rules.habilitation_end(TODAY)


@pytest.mark.parametrize("role", [Role.CB_MANAGER, Role.COMMISSION, Role.CANDIDATE])
def test_only_the_ditp_decides_on_habilitations(role):
    body = CertificationBodyFactory()
    user = MembershipFactory(role=role, organisation=body if role == Role.CB_MANAGER else None).user
    calls = [
        lambda: services.habilitation_renew(user=user, certification_body=body, signed_on=TODAY),
        lambda: services.habilitation_suspend(user=user, certification_body=body, reason="x"),
        lambda: services.habilitation_lift(user=user, certification_body=body),
        lambda: services.habilitation_withdraw(user=user, certification_body=body, reason="x"),
        lambda: services.habilitation_grant(
            user=user, certification_body=body, starts_on=TODAY, signed_on=TODAY
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not HabilitationLog.objects.exists()


# --- Effects: candidates and decisions ------------------------------------------------------------------------------


def test_a_suspended_body_is_offered_to_no_candidate_and_refused_in_contracts(ditp):
    body = CertificationBodyFactory()
    other = CertificationBodyFactory()
    services.habilitation_suspend(user=ditp, certification_body=body, reason="Audit de surveillance DITP.")
    offered = ContractForm(is_central=False).fields["certification_body"].queryset
    assert other in offered and body not in offered
    service = LocalServiceFactory()
    staff = UserFactory()
    MembershipFactory(user=staff, role=Role.CANDIDATE, organisation=service)
    with pytest.raises(ValidationError) as error:
        candidate_services.contract_record(
            user=staff,
            candidate=service,
            certification_body=body,
            signed_on=TODAY,
            cycle_start=TODAY,
            unit_count=1,
        )
    assert "habilité" in error.value.message_dict["certification_body"][0]


def test_a_body_whose_habilitation_is_not_active_issues_no_decision(ditp):
    application, manager = _decidable()
    body = application.certification_body
    services.habilitation_suspend(user=ditp, certification_body=body, reason="Accréditation suspendue.")
    with pytest.raises(ValidationError) as error:
        decision_services.decision_issue(user=manager, application=application)
    assert error.value.messages == [
        "L’habilitation de l’organisme n’est pas active : il ne peut pas émettre de décision."
    ]
    assert not Decision.objects.exists()
    services.habilitation_lift(user=ditp, certification_body=body)
    application.certification_body.refresh_from_db()
    assert decision_services.decision_issue(user=manager, application=application).pk


def test_a_lapsed_habilitation_issues_no_decision_either():
    application, manager = _decidable()
    body = application.certification_body
    CertificationBody.objects.filter(pk=body.pk).update(
        habilitation_start=TODAY - 5 * 365 * DAY, habilitation_end=TODAY - DAY
    )
    application.certification_body.refresh_from_db()
    with pytest.raises(ValidationError, match="habilitation de l’organisme n’est pas active"):
        decision_services.decision_issue(user=manager, application=application)


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_open_transitions_and_the_history(ditp, login):
    body = CertificationBodyFactory(habilitation_status=HabilitationStatus.SUSPENDED)
    HabilitationLog.objects.create(
        certification_body=body,
        transition="suspend",
        from_state="active",
        to_state="suspended",
        actor=ditp,
        reason="Accréditation suspendue par le COFRAC.",
        habilitation_start=body.habilitation_start,
        habilitation_end=body.habilitation_end,
    )
    response = login(ditp).get(reverse("registry:habilitation_detail", args=[body.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("registry:habilitation_lift", args=[body.pk]) in content
    assert reverse("registry:habilitation_withdraw", args=[body.pk]) in content
    assert reverse("registry:habilitation_renew", args=[body.pk]) not in content
    assert "Accréditation suspendue par le COFRAC." in content


def test_a_refused_grant_shows_the_errors_next_to_the_fields_and_saves_nothing(ditp, login):
    body = _withdrawn()
    client = login(ditp)
    response = client.post(
        reverse("registry:habilitation_grant", args=[body.pk]),
        {"grant-signed_on": (TODAY + DAY).isoformat(), "grant-starts_on": (TODAY - DAY).isoformat()},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_grant-signed_on-error"' in content and "ne peut pas être future" in content
    assert 'id="id_grant-starts_on-error"' in content and "rétroactive" in content
    body.refresh_from_db()
    assert body.habilitation_status == HabilitationStatus.WITHDRAWN
    assert not HabilitationLog.objects.exists()
    # A missing field is reported by the form, in French.
    response = client.post(reverse("registry:habilitation_grant", args=[body.pk]), {})
    assert "Indiquez la date de signature du contrat d’engagement." in response.content.decode()


def test_a_transition_refused_from_the_current_state_is_shown_at_the_top(ditp, login):
    body = CertificationBodyFactory()
    response = login(ditp).post(reverse("registry:habilitation_lift", args=[body.pk]), {"lift-reason": ""})
    assert response.status_code == 200
    assert "L’habilitation de cet organisme n’est pas suspendue." in response.content.decode()


def test_the_ditp_renews_through_the_page(ditp, login):
    body = CertificationBodyFactory()
    previous_end = body.habilitation_end
    response = login(ditp).post(
        reverse("registry:habilitation_renew", args=[body.pk]),
        {"renew-signed_on": TODAY.isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("registry:habilitation_detail", args=[body.pk])
    assert "Habilitation renouvelée" in response.content.decode()
    body.refresh_from_db()
    assert body.habilitation_end == services.rules.habilitation_end(previous_end + DAY)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("size", [3, 30])
def test_the_habilitation_list_takes_a_constant_number_of_queries(ditp, login, size):
    client = login(ditp)
    CertificationBodyFactory.create_batch(size)
    url = reverse("registry:habilitation_list")
    assert _count_queries(client, url) == HABILITATION_LIST_QUERIES
    content = client.get(url).content.decode()
    assert (
        content.count(reverse("registry:habilitation_detail", args=[CertificationBody.objects.first().pk]))
        == 1
    )


def _notices(size):
    """`size` suspensions and withdrawals over three labels of three bodies, each notified a day after the
    previous one; both kinds on every page."""
    labels = LabelFactory.create_batch(3)
    decided_by = UserFactory()
    notices = []
    for i in range(size):
        label = labels[2] if i == size - 1 else labels[i % 3]
        notified = TODAY - (size - i) * DAY
        if i in (0, size - 1):  # two withdrawals, on two labels: one effective today, one tomorrow
            notices.append(
                Withdrawal.objects.create(
                    label=label,
                    reason=WithdrawalReason.TRADEMARK_BREACH,
                    effective_on=TODAY + DAY if i == 0 else TODAY,
                    decided_by=decided_by,
                    created_at=datetime.datetime.combine(notified, datetime.time(12), datetime.UTC),
                )
            )
        else:
            notices.append(
                Suspension.objects.create(
                    label=label,
                    reason=SuspensionReason.AT_REQUEST,
                    starts_on=notified,
                    ends_on=notified + 30 * DAY,
                    lifted_on=notified + DAY if i % 2 else None,
                    decided_by=decided_by,
                    created_at=datetime.datetime.combine(notified, datetime.time(12), datetime.UTC),
                )
            )
    return notices


@pytest.mark.parametrize("size", [3, 30])
def test_the_publication_controls_list_every_notice_newest_first_in_constant_queries(ditp, login, size):
    client = login(ditp)
    notices = _notices(size)
    url = reverse("registry:publication_controls")
    assert _count_queries(client, url) == PUBLICATION_CONTROLS_QUERIES
    response = client.get(url)
    shown = [(item["kind"], item["notice"].pk) for item in response.context["notices"]]
    expected = [
        ("withdrawal" if isinstance(notice, Withdrawal) else "suspension", notice.pk)
        for notice in reversed(notices)
    ]
    assert shown == expected
    content = response.content.decode()
    assert "Effectif" in content and "À venir" in content
    if size == 30:
        assert "Levée le" in content and "En cours" in content


def test_the_publication_controls_are_paginated(ditp, login, settings):
    from registry.views import backoffice

    client = login(ditp)
    _notices(backoffice.CONTROLS_PER_PAGE + 2)
    first = client.get(reverse("registry:publication_controls"))
    second = client.get(reverse("registry:publication_controls"), {"page": 2})
    assert len(first.context["notices"]) == backoffice.CONTROLS_PER_PAGE
    assert len(second.context["notices"]) == 2


def test_the_home_page_links_the_ditp_tools_and_the_navigation_offers_it_to_the_ditp_only(ditp, login, rf):
    response = login(ditp).get(reverse("registry:backoffice_home"))
    content = response.content.decode()
    for name in (
        "registry:habilitation_list",
        "registry:publication_controls",
        "candidates:eligibility_list",
        "candidates:eligibility_requests",
        "audits:grid_list",
        "surveys:questionnaire_list",
    ):
        assert reverse(name) in content, name
    home = reverse("registry:backoffice_home")
    assert home in [item.url for item in nav_items(response.wsgi_request)]
    candidate = MembershipFactory(role=Role.CANDIDATE)
    response = login(candidate.user).get(reverse("accounts:dashboard"))
    assert home not in [item.url for item in nav_items(response.wsgi_request)]


# Pinned: a new query on these pages must be deliberate (same count for 3 and 30 rows).
HABILITATION_LIST_QUERIES = 7
PUBLICATION_CONTROLS_QUERIES = 10
