"""The label's pages: detail and list, suspension / withdrawal forms, action plan, appeals, refusal letter, kit."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from decisions import services_lifecycle as lifecycle
from decisions.enums import AppealStatus, DecisionOutcome, LabelStatus, SuspensionReason, WithdrawalReason
from decisions.models import ActionPlanRequest, Appeal, Label, Suspension
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _manager(body):
    return MembershipFactory(role=Role.CB_MANAGER, organisation=body).user


def _staff(service):
    return MembershipFactory(role=Role.CANDIDATE, organisation=service).user


def _label_on(day, **kwargs):
    return LabelFactory(decision=DecisionFactory(decided_on=day, **kwargs))


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_the_manager_sees_the_forms_and_the_service_does_not(login):
    label = _label_on(D(2027, 1, 10))
    page = login(_manager(label.certification_body)).get(reverse("decisions:label_detail", args=[label.pk]))
    html = page.content.decode()
    assert reverse("decisions:suspension_create", args=[label.pk]) in html
    assert reverse("decisions:withdrawal_create", args=[label.pk]) in html
    assert reverse("decisions:trademark_kit", args=[label.pk]) not in html
    assert "9 janvier 2030" in html
    page = login(_staff(label.local_service)).get(reverse("decisions:label_detail", args=[label.pk]))
    html = page.content.decode()
    assert reverse("decisions:suspension_create", args=[label.pk]) not in html
    assert reverse("decisions:trademark_kit", args=[label.pk]) in html


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_suspension_over_twelve_months_shows_the_error_next_to_the_end_date(login):
    label = _label_on(D(2027, 1, 10))
    client = login(_manager(label.certification_body))
    url = reverse("decisions:suspension_create", args=[label.pk])
    data = {"suspension-reason": SuspensionReason.POSTPONEMENTS, "suspension-starts_on": "2027-03-15"}
    response = client.post(url, {**data, "suspension-ends_on": "2028-03-16"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_suspension-ends_on-error"' in html
    assert "Une suspension dure au plus 12 mois : elle doit prendre fin le 15 mars 2028 au plus tard." in html
    assert not Suspension.objects.exists()
    response = client.post(url, {**data, "suspension-ends_on": "2028-03-15"})
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.status == LabelStatus.SUSPENDED
    # Suspended: the page offers to lift it, not to suspend again; the service's kit is no longer offered.
    html = client.get(reverse("decisions:label_detail", args=[label.pk])).content.decode()
    assert reverse("decisions:suspension_lift", args=[Suspension.objects.get().pk]) in html
    assert reverse("decisions:suspension_create", args=[label.pk]) not in html


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_lifting_through_the_page_keeps_the_validity(login):
    label = _label_on(D(2027, 1, 10))
    manager = _manager(label.certification_body)
    suspension = lifecycle.suspension_create(
        user=manager,
        label=label,
        reason=SuspensionReason.AT_REQUEST,
        starts_on=D(2027, 3, 1),
        ends_on=D(2027, 9, 1),
    )
    response = login(manager).post(
        reverse("decisions:suspension_lift", args=[suspension.pk]), {"lift-lifted_on": "2027-03-20"}
    )
    assert response.status_code == 302
    label.refresh_from_db()
    assert (label.status, label.ends_on) == (LabelStatus.ACTIVE, D(2030, 1, 9))


@time_machine.travel(D(2029, 3, 20), tick=False)
def test_the_withdrawn_central_page_lists_its_recent_locals(login):
    central = CentralServiceFactory()
    central_label = LabelFactory(
        decision=DecisionFactory(
            decided_on=D(2027, 6, 1),
            application=ApplicationFactory(
                contract=ServiceContractFactory(local_service=None, central_service=central),
                local_service=None,
                central_service=central,
                status="closed",
                outcome="labelled",
            ),
        )
    )
    local = LocalServiceFactory(parent=central_label.central_service, name="Agence de Villeurbanne")
    _label_on(
        D(2028, 1, 1),
        application=ApplicationFactory(
            contract=ServiceContractFactory(local_service=local),
            local_service=local,
            status="closed",
            outcome="labelled",
        ),
    )
    manager = _manager(central_label.certification_body)
    client = login(manager)
    response = client.post(
        reverse("decisions:withdrawal_create", args=[central_label.pk]),
        {"withdrawal-reason": WithdrawalReason.NOT_RENEWED, "withdrawal-effective_on": "2029-03-20"},
    )
    assert response.status_code == 302
    html = client.get(reverse("decisions:label_detail", args=[central_label.pk])).content.decode()
    assert "Agence de Villeurbanne" in html
    assert "20 mai 2029" in html  # stop using the mark by


def test_the_action_plan_page_after_the_deadline(login):
    label = _label_on(D(2027, 1, 10))
    decision = DecisionFactory(
        application=label.decision.application,
        outcome=DecisionOutcome.ACTION_PLAN,
        tier="",
        decided_on=D(2028, 7, 1),
    )
    plan = ActionPlanRequest.objects.create(decision=decision, label=label, due_on=D(2028, 8, 1))
    staff = _staff(label.local_service)
    url = reverse("decisions:label_detail", args=[label.pk])
    with time_machine.travel(D(2028, 8, 1), tick=False):
        staff_client = login(staff)
        assert (
            reverse("decisions:action_plan_submit", args=[plan.pk]) in staff_client.get(url).content.decode()
        )
    with time_machine.travel(D(2028, 8, 2), tick=False):
        staff_client = login(staff)
        html = staff_client.get(url).content.decode()
        assert "délai dépassé" in html
        assert reverse("decisions:action_plan_submit", args=[plan.pk]) not in html
        response = staff_client.post(
            reverse("decisions:action_plan_submit", args=[plan.pk]), {"plan-summary": "Trop tard."}
        )
        assert (
            "Le délai pour produire le plan d’actions a expiré le 1 août 2028." in response.content.decode()
        )
        manager_html = login(_manager(label.certification_body)).get(url).content.decode()
        assert "plan d’actions non produit" in manager_html
    plan.refresh_from_db()
    assert plan.submitted_at is None


def test_appeal_filed_then_dismissed_through_the_pages(login):
    decision = DecisionFactory(
        outcome=DecisionOutcome.REFUSAL, tier="", motivation="Engagement 4 insuffisant."
    )
    url = reverse("decisions:decision_appeals", args=[decision.pk])
    staff_client = login(_staff(decision.local_service))
    response = staff_client.post(reverse("decisions:appeal_file", args=[decision.pk]), {"appeal-grounds": ""})
    assert "Exposez les motifs du recours." in response.content.decode()
    response = staff_client.post(
        reverse("decisions:appeal_file", args=[decision.pk]), {"appeal-grounds": "Scores mal reportés."}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert reverse("decisions:appeal_file", args=[decision.pk]) not in staff_client.get(url).content.decode()
    manager_client = login(_manager(decision.certification_body))
    assert reverse("decisions:appeal_record", args=[appeal.pk]) in manager_client.get(url).content.decode()
    response = manager_client.post(
        reverse("decisions:appeal_record", args=[appeal.pk]),
        {"record-status": AppealStatus.DISMISSED, "record-committee_opinion": "Scores vérifiés."},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_refusal_letter(login):
    service = LocalServiceFactory(name="Caisse primaire du Rhône")
    contract = ServiceContractFactory(
        local_service=service, certification_body__name="Qualicert Services Publics"
    )
    decision = DecisionFactory(
        application=ApplicationFactory(
            contract=contract,
            local_service=service,
            status="closed",
            outcome="refused",
            refusal_notified_on=D(2027, 3, 31),
        ),
        outcome=DecisionOutcome.REFUSAL,
        tier="",
        motivation="L’engagement 4 n’atteint pas 50 %.",
        decided_on=D(2027, 3, 31),
        inputs={"scores": {"4": 42.5}, "enquête usagers": 71},
    )
    response = login(_staff(service)).get(reverse("decisions:refusal_letter", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Caisse primaire du Rhône" in text
    assert "Qualicert Services Publics" in text
    assert "31 mars 2027" in text
    assert "L’engagement 4 n’atteint pas 50 %." in text
    assert "scores › 4" in text and "42.5" in text
    assert "enquête usagers" in text
    assert "à partir du 30 septembre 2027" in text  # candidates.rules.new_application_allowed_from
    assert "recours" in text


def test_there_is_no_refusal_letter_for_an_award(login):
    decision = DecisionFactory()
    client = login(_staff(decision.local_service))
    assert client.get(reverse("decisions:refusal_letter", args=[decision.pk])).status_code == 404


@pytest.mark.parametrize("tier", ["bronze", "argent", "or"])
def test_the_trademark_kit_of_the_tier(login, tier):
    label = LabelFactory(decision__tier=tier)
    response = login(_staff(label.local_service)).get(reverse("decisions:trademark_kit", args=[label.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(
        [f"logo-services-publics-plus-{tier}.svg", "reglement-usage-marque.txt"]
    )
    assert b"<svg" in archive.read(f"logo-services-publics-plus-{tier}.svg")
    assert "deux mois" in archive.read("reglement-usage-marque.txt").decode()


def test_no_trademark_kit_while_suspended_withdrawn_or_expired(login):
    suspended = LabelFactory()
    Label.objects.filter(pk=suspended.pk).update(status=LabelStatus.SUSPENDED)
    withdrawn = LabelFactory()
    Label.objects.filter(pk=withdrawn.pk).update(status=LabelStatus.WITHDRAWN)
    expired = _label_on(D(2020, 1, 1))
    for label in (suspended, withdrawn, expired):
        response = login(_staff(label.local_service)).get(reverse("decisions:trademark_kit", args=[label.pk]))
        assert response.status_code == 403
        assert "Le kit de marque n’est disponible que pour un label actif" in response.content.decode()


@pytest.mark.parametrize("count", [3, 10])
def test_the_label_list_has_a_constant_number_of_queries(login, django_assert_num_queries, count):
    first = LabelFactory()
    body = first.certification_body
    for index in range(count - 1):
        label = LabelFactory(decision__application__contract__certification_body=body)
        if index % 2:
            Suspension.objects.create(
                label=label,
                reason=SuspensionReason.AT_REQUEST,
                starts_on=label.starts_on,
                ends_on=label.ends_on,
                decided_by=first.decision.decided_by,
            )
    LabelFactory()  # another body's
    client = login(_manager(body))
    client.get(reverse("decisions:label_list"))  # warm the session and membership caches
    with django_assert_num_queries(10):
        response = client.get(reverse("decisions:label_list"))
    assert response.content.decode().count('href="/decisions/labels/') == count


def _named_label(name):
    service = LocalServiceFactory(name=name)
    application = ApplicationFactory(
        contract=ServiceContractFactory(local_service=service),
        local_service=service,
        status="closed",
        outcome="labelled",
    )
    return LabelFactory(decision=DecisionFactory(application=application))


def test_the_publication_checks_show_every_suspension_and_withdrawal(login):
    plain = _named_label("Service sans incident")
    suspended = _named_label("Service suspendu")
    withdrawn = _named_label("Service retiré")
    manager = _manager(suspended.certification_body)
    Suspension.objects.create(
        label=suspended,
        reason=SuspensionReason.AT_REQUEST,
        starts_on=suspended.starts_on,
        ends_on=suspended.ends_on,
        decided_by=manager,
    )
    lifecycle.withdrawal_create(
        user=_manager(withdrawn.certification_body),
        label=withdrawn,
        reason=WithdrawalReason.TRADEMARK_BREACH,
        effective_on=withdrawn.starts_on,
    )
    ditp = login(MembershipFactory(role=Role.DITP).user)
    html = ditp.get(reverse("decisions:label_list")).content.decode()
    assert all(name in html for name in ("Service sans incident", "Service suspendu", "Service retiré"))
    html = ditp.get(reverse("decisions:label_list"), {"controles": "1"}).content.decode()
    assert "Service sans incident" not in html
    assert "Service suspendu" in html and "Service retiré" in html
    assert "Retrait effectif le" in html
    # A body's manager sees only its own body's labels.
    html = login(manager).get(reverse("decisions:label_list")).content.decode()
    assert "Service suspendu" in html and "Service retiré" not in html
    assert plain.pk
