"""The eligibility list and the requests to join it (§1.4): filing, the central service's filter, the DITP's decision."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.enums import EligibilityRequestStatus, LocalServiceKind
from candidates.models import EligibilityRequest, EligibilityRequestLog, EligibleCategory
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    EligibilityRequestFactory,
    EligibleCategoryFactory,
)

pytestmark = pytest.mark.django_db

ER = EligibilityRequestStatus
SIRET = "13002526500013"  # a valid SIRET (Luhn)


def _error_next_to(html: str, field_id: str) -> str:
    """The text of the error block rendered right after the field `field_id` (empty when there is none)."""
    match = re.search(rf'<div id="{field_id}_error">(.*?)</div>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def _filing_data(**overrides):
    return {
        "service_name": "Maison de la justice et du droit de Villeurbanne",
        "siret": SIRET,
        "kind": LocalServiceKind.STATE_DECONCENTRATED,
        "proposed_category": "Maisons de la justice et du droit",
        "justification": "Accès au droit : 4 000 personnes reçues par an, permanences téléphoniques.",
        "central_service": "",
        **overrides,
    }


def _central_staff(central=None):
    central = central or CentralServiceFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    return central, user


@pytest.fixture
def ditp():
    return UserFactory(ditp=True)


@pytest.fixture
def requester():
    return UserFactory(candidate=True)


# --- Filing ----------------------------------------------------------------------------------------------------------


def test_a_request_without_central_service_goes_to_the_ditp(
    login, requester, ditp, mailoutbox, django_capture_on_commit_callbacks
):
    _central, central_user = _central_staff()
    client = login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:eligibility_create"), _filing_data(), follow=True)

    request = EligibilityRequest.objects.get()
    assert response.redirect_chain == [(reverse("candidates:eligibility_detail", args=[request.pk]), 302)]
    assert request.status == ER.SUBMITTED
    assert request.requested_by == requester
    assert request.central_service is None
    assert "Votre demande a été transmise à la DITP" in response.content.decode()
    entry = request.log.get()
    assert (entry.transition, entry.to_state, entry.actor) == ("file", ER.SUBMITTED, requester)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ditp.email]
    assert central_user.email not in mailoutbox[0].to


def test_a_request_through_a_central_service_waits_for_it(
    login, requester, ditp, mailoutbox, django_capture_on_commit_callbacks
):
    central, central_user = _central_staff()
    client = login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("candidates:eligibility_create"), _filing_data(central_service=central.pk), follow=True
        )

    request = EligibilityRequest.objects.get()
    assert request.status == ER.AWAITING_CENTRAL
    assert request.central_service == central
    assert f"adressée à votre service central, {central.name}" in response.content.decode()
    assert [m.to for m in mailoutbox] == [[central_user.email]]


def test_the_filing_form_shows_errors_next_to_the_fields_and_saves_nothing(login, requester):
    client = login(requester)
    response = client.post(
        reverse("candidates:eligibility_create"),
        _filing_data(siret="13002526500014", justification="", central_service="999999"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "clé de contrôle incorrecte" in _error_next_to(html, "id_siret")
    assert "Ce champ est obligatoire." in _error_next_to(html, "id_justification")
    assert _error_next_to(html, "id_central_service")
    assert 'aria-describedby="id_siret_helptext id_siret_error"' in html
    assert not EligibilityRequest.objects.exists()


def test_a_siret_copied_with_spaces_is_accepted(login, requester):
    login(requester).post(reverse("candidates:eligibility_create"), _filing_data(siret="130 025 265 00013"))
    assert EligibilityRequest.objects.get().siret == SIRET


def test_the_filing_form_offers_every_central_service(login, requester):
    central = CentralServiceFactory(name="Caisse nationale des allocations familiales")
    html = login(requester).get(reverse("candidates:eligibility_create")).content.decode()
    assert f'<option value="{central.pk}">Caisse nationale des allocations familiales</option>' in html
    assert "la demande passe par son service central" in html


# --- The central service's filter ------------------------------------------------------------------------------------


@pytest.fixture
def routed(requester):
    """A request filed through a central service, awaiting it; with that central service's staff."""
    central, central_user = _central_staff()
    request = EligibilityRequestFactory(
        requested_by=requester, central_service=central, status=ER.AWAITING_CENTRAL
    )
    return request, central_user


def test_the_central_service_sees_its_actions(login, routed):
    request, central_user = routed
    html = (
        login(central_user).get(reverse("candidates:eligibility_detail", args=[request.pk])).content.decode()
    )
    assert reverse("candidates:eligibility_forward", args=[request.pk]) in html
    assert "Transmettre à la DITP" in html
    assert 'name="action" value="decline"' in html
    assert "Accepter et ajouter à la liste" not in html


def test_the_requester_sees_no_action(login, routed, requester):
    request, _central_user = routed
    html = login(requester).get(reverse("candidates:eligibility_detail", args=[request.pk])).content.decode()
    assert "En attente du service central" in html
    assert reverse("candidates:eligibility_forward", args=[request.pk]) not in html
    assert reverse("candidates:eligibility_decide", args=[request.pk]) not in html


def test_the_central_service_forwards_to_the_ditp(login, routed):
    request, central_user = routed
    response = login(central_user).post(reverse("candidates:eligibility_forward", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ER.SUBMITTED
    entry = request.log.get(transition="forward")
    assert (entry.from_state, entry.to_state, entry.actor) == (
        ER.AWAITING_CENTRAL,
        ER.SUBMITTED,
        central_user,
    )


def test_forwarding_twice_shows_an_error(login, routed):
    request, central_user = routed
    client = login(central_user)
    client.post(reverse("candidates:eligibility_forward", args=[request.pk]))
    response = client.post(reverse("candidates:eligibility_forward", args=[request.pk]))
    assert response.status_code == 200
    assert "Cette demande a déjà été traitée." in response.content.decode()
    assert request.log.filter(transition="forward").count() == 1


def test_declining_needs_a_reason(login, routed):
    request, central_user = routed
    response = login(central_user).post(
        reverse("candidates:eligibility_decide", args=[request.pk]), {"action": "decline", "reason": "  "}
    )
    assert response.status_code == 200
    assert _error_next_to(response.content.decode(), "id_decline_reason") == (
        "Indiquez le motif : il est communiqué au demandeur."
    )
    request.refresh_from_db()
    assert request.status == ER.AWAITING_CENTRAL
    assert not request.log.filter(transition="decline").exists()


def test_the_central_service_declines_with_a_reason(
    login, routed, requester, mailoutbox, django_capture_on_commit_callbacks
):
    request, central_user = routed
    with django_capture_on_commit_callbacks(execute=True):
        response = login(central_user).post(
            reverse("candidates:eligibility_decide", args=[request.pk]),
            {"action": "decline", "reason": "Ce service ne relève pas de notre réseau."},
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ER.DECLINED_BY_CENTRAL
    assert request.decision_reason == "Ce service ne relève pas de notre réseau."
    entry = request.log.get(transition="decline")
    assert (entry.actor, entry.reason) == (central_user, "Ce service ne relève pas de notre réseau.")
    assert [m.to for m in mailoutbox] == [[requester.email]]
    assert "Ce service ne relève pas de notre réseau." in mailoutbox[0].body


def test_the_central_service_cannot_decide_for_the_ditp(login, requester):
    central, central_user = _central_staff()
    request = EligibilityRequestFactory(requested_by=requester, central_service=central, status=ER.SUBMITTED)
    client = login(central_user)
    for action in ("accept", "refuse"):
        response = client.post(
            reverse("candidates:eligibility_decide", args=[request.pk]), {"action": action, "reason": "Non."}
        )
        assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == ER.SUBMITTED
    assert not EligibleCategory.objects.filter(name=request.proposed_category).exists()


def test_another_central_service_does_not_see_the_request(login, routed):
    request, _central_user = routed
    _other, other_user = _central_staff()
    client = login(other_user)
    assert client.get(reverse("candidates:eligibility_detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("candidates:eligibility_forward", args=[request.pk])).status_code == 404
    response = client.post(
        reverse("candidates:eligibility_decide", args=[request.pk]), {"action": "decline", "reason": "Non."}
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == ER.AWAITING_CENTRAL


@pytest.mark.parametrize("superuser", [False, True], ids=["ditp", "ditp_superuser"])
def test_the_ditp_cannot_act_for_the_central_service(login, routed, ditp, superuser):
    request, _central_user = routed
    ditp.is_staff = ditp.is_superuser = superuser
    ditp.save(update_fields=["is_staff", "is_superuser"])
    client = login(ditp)
    html = client.get(reverse("candidates:eligibility_detail", args=[request.pk])).content.decode()
    assert reverse("candidates:eligibility_forward", args=[request.pk]) not in html
    assert client.post(reverse("candidates:eligibility_forward", args=[request.pk])).status_code == 403
    response = client.post(
        reverse("candidates:eligibility_decide", args=[request.pk]), {"action": "decline", "reason": "Non."}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == ER.AWAITING_CENTRAL


# --- The DITP's decision ---------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(requester):
    return EligibilityRequestFactory(
        requested_by=requester,
        status=ER.SUBMITTED,
        kind=LocalServiceKind.STATE_DECONCENTRATED,
        proposed_category="Maisons de la justice et du droit",
    )


def test_the_ditp_sees_the_decision_forms_with_the_proposed_category(login, ditp, submitted):
    html = login(ditp).get(reverse("candidates:eligibility_detail", args=[submitted.pk])).content.decode()
    assert 'id="id_accept_category_name"' in html
    assert 'value="Maisons de la justice et du droit"' in html
    assert 'name="action" value="refuse"' in html
    assert 'id="id_refuse_category_name"' not in html
    assert reverse("candidates:eligibility_forward", args=[submitted.pk]) not in html


def test_the_ditp_accepts_and_the_list_gains_the_category(
    login, client, ditp, requester, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(ditp).post(
            reverse("candidates:eligibility_decide", args=[submitted.pk]),
            {"action": "accept", "category_name": "Maisons de la justice et du droit (MJD)", "reason": ""},
            follow=True,
        )
    assert (
        "la catégorie « Maisons de la justice et du droit (MJD) » figure sur la liste"
        in response.content.decode()
    )
    submitted.refresh_from_db()
    assert submitted.status == ER.ACCEPTED
    category = EligibleCategory.objects.get(name="Maisons de la justice et du droit (MJD)")
    assert category.is_active
    assert category.kind == LocalServiceKind.STATE_DECONCENTRATED
    assert submitted.resulting_category == category
    assert submitted.log.get(transition="accept").actor == ditp
    assert [m.to for m in mailoutbox] == [[requester.email]]
    assert "Acceptée" in mailoutbox[0].subject

    client.logout()
    html = client.get(reverse("candidates:eligibility_list")).content.decode()
    assert "Maisons de la justice et du droit (MJD)" in html


def test_an_empty_category_name_falls_back_to_the_proposed_one(login, ditp, submitted):
    login(ditp).post(
        reverse("candidates:eligibility_decide", args=[submitted.pk]),
        {"action": "accept", "category_name": " "},
    )
    submitted.refresh_from_db()
    assert submitted.resulting_category.name == "Maisons de la justice et du droit"


def test_a_refusal_without_reason_is_shown_next_to_the_field(login, ditp, submitted):
    response = login(ditp).post(
        reverse("candidates:eligibility_decide", args=[submitted.pk]), {"action": "refuse", "reason": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _error_next_to(html, "id_refuse_reason") == "Un refus doit être motivé : indiquez le motif."
    assert 'aria-describedby="id_refuse_reason_helptext id_refuse_reason_error"' in html
    assert not _error_next_to(html, "id_accept_reason")
    submitted.refresh_from_db()
    assert submitted.status == ER.SUBMITTED
    assert not submitted.log.exclude(transition="file").exists()
    assert not EligibilityRequestLog.objects.filter(transition="refuse").exists()


def test_the_ditp_refuses_with_a_reason(
    login, ditp, requester, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(ditp).post(
            reverse("candidates:eligibility_decide", args=[submitted.pk]),
            {"action": "refuse", "reason": "Ce service n’a pas de mission de service public."},
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ER.REFUSED
    assert submitted.decided_at is not None
    entry = submitted.log.get()
    assert (entry.transition, entry.from_state, entry.to_state) == ("refuse", ER.SUBMITTED, ER.REFUSED)
    assert (entry.actor, entry.reason) == (ditp, "Ce service n’a pas de mission de service public.")
    assert [m.to for m in mailoutbox] == [[requester.email]]
    assert not EligibleCategory.objects.filter(name="Maisons de la justice et du droit").exists()


def test_a_request_is_decided_only_once(login, ditp, submitted):
    client = login(ditp)
    url = reverse("candidates:eligibility_decide", args=[submitted.pk])
    client.post(url, {"action": "refuse", "reason": "Hors champ."})
    response = client.post(url, {"action": "accept", "category_name": "Maisons de la justice et du droit"})
    assert response.status_code == 200
    assert "Cette demande a déjà été traitée." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ER.REFUSED
    assert submitted.decision_reason == "Hors champ."
    assert submitted.log.count() == 1
    # The category the acceptance created before finding the request decided was rolled back.
    assert not EligibleCategory.objects.filter(name="Maisons de la justice et du droit").exists()


def test_the_requester_cannot_decide(login, requester, submitted):
    client = login(requester)
    for action in ("accept", "refuse", "decline"):
        response = client.post(
            reverse("candidates:eligibility_decide", args=[submitted.pk]),
            {"action": action, "reason": "Oui."},
        )
        assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ER.SUBMITTED


def test_an_unknown_decision_is_an_error_not_a_crash(login, ditp, submitted):
    response = login(ditp).post(
        reverse("candidates:eligibility_decide", args=[submitted.pk]), {"action": "approve", "reason": "Oui."}
    )
    assert response.status_code == 200
    assert "Cette décision n’existe pas." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ER.SUBMITTED


# --- The public list -------------------------------------------------------------------------------------------------


def test_the_public_list_shows_active_categories_grouped_by_kind(client):
    EligibleCategory.objects.update(is_active=False)  # the default list shipped by the migrations
    EligibleCategoryFactory(name="Caisses de mutualité", kind=LocalServiceKind.SOCIAL_SECURITY)
    EligibleCategoryFactory(name="Préfectures", kind=LocalServiceKind.STATE_DECONCENTRATED)
    EligibleCategoryFactory(name="Sous-préfectures", kind=LocalServiceKind.STATE_DECONCENTRATED)
    EligibleCategoryFactory(
        name="Anciens bureaux", kind=LocalServiceKind.STATE_DECONCENTRATED, is_active=False
    )

    response = client.get(reverse("candidates:eligibility_list"))

    assert response.status_code == 200
    assert [
        (str(label), [c.name for c in categories]) for label, categories in response.context["groups"]
    ] == [
        ("Service déconcentré de l’État", ["Préfectures", "Sous-préfectures"]),
        ("Organisme de sécurité sociale", ["Caisses de mutualité"]),
    ]
    html = response.content.decode()
    assert "Anciens bureaux" not in html
    assert (
        html.index("Service déconcentré de l’État")
        < html.index("Préfectures")
        < html.index("Organisme de sécurité sociale")
    )
    assert "Connectez-vous pour demander son ajout" in html


def test_the_public_list_links_logged_in_users_to_the_request_form(login, requester):
    html = login(requester).get(reverse("candidates:eligibility_list")).content.decode()
    assert f'href="{reverse("candidates:eligibility_create")}"' in html


# --- The list of requests --------------------------------------------------------------------------------------------


def _listed(client):
    return list(client.get(reverse("candidates:eligibility_requests")).context["page_obj"])


def test_a_requester_sees_only_their_own_requests(login, requester):
    own = EligibilityRequestFactory(requested_by=requester)
    EligibilityRequestFactory()
    assert _listed(login(requester)) == [own]


def test_the_central_service_sees_the_requests_awaiting_it_first(login):
    central, central_user = _central_staff()
    own = EligibilityRequestFactory(requested_by=central_user)
    waiting = EligibilityRequestFactory(central_service=central, status=ER.AWAITING_CENTRAL)
    forwarded = EligibilityRequestFactory(central_service=central, status=ER.SUBMITTED)
    EligibilityRequestFactory(central_service=CentralServiceFactory(), status=ER.AWAITING_CENTRAL)
    EligibilityRequestFactory(status=ER.SUBMITTED)
    assert _listed(login(central_user)) == [waiting, forwarded, own]


def test_the_ditp_sees_every_request_the_submitted_ones_first(login, ditp):
    accepted = EligibilityRequestFactory(status=ER.ACCEPTED)
    submitted = EligibilityRequestFactory(status=ER.SUBMITTED)
    awaiting = EligibilityRequestFactory(central_service=CentralServiceFactory(), status=ER.AWAITING_CENTRAL)
    newest_refused = EligibilityRequestFactory(status=ER.REFUSED, decision_reason="Hors champ.")
    assert _listed(login(ditp)) == [submitted, newest_refused, awaiting, accepted]


def test_the_list_shows_status_badges(login, requester):
    EligibilityRequestFactory(requested_by=requester, status=ER.ACCEPTED)
    html = login(requester).get(reverse("candidates:eligibility_requests")).content.decode()
    assert '<p class="fr-badge fr-badge--sm fr-badge--success">Acceptée</p>' in html


# Session, user, memberships (middleware), the national-role look-up (sees_everything), the list's count and rows
# (the networks a user steers are a subquery); the DITP's second factor is checked too (RequireMFAMiddleware).
@pytest.mark.parametrize("role, expected", [(Role.DITP, 8), (Role.CENTRAL, 7), (Role.CANDIDATE, 7)])
def test_the_list_of_requests_has_a_constant_number_of_queries(login, role, expected):
    def queries(size):
        user = UserFactory()
        MembershipFactory(user=user, role=role)
        central = user.memberships.get().central_service or CentralServiceFactory()
        for _ in range(size):
            EligibilityRequestFactory(requested_by=user, central_service=central, status=ER.AWAITING_CENTRAL)
        client = login(user)
        url = reverse("candidates:eligibility_requests")
        client.get(url)  # warm up: the first request after login also writes the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["page_obj"]) >= size
        return [q["sql"] for q in captured]

    small, large = queries(2), queries(20)
    assert len(small) == len(large), "\n".join([*small, "---", *large])
    assert len(large) == expected, "\n".join(large)


def test_the_detail_page_shows_the_log(login, ditp, requester, submitted):
    login(ditp).post(
        reverse("candidates:eligibility_decide", args=[submitted.pk]),
        {"action": "refuse", "reason": "Ce service n’accueille pas de public."},
    )
    response = login(requester).get(reverse("candidates:eligibility_detail", args=[submitted.pk]))
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", html, re.S)
    assert [(what, who, reason) for _at, what, who, reason in rows] == [
        ("Refusée par la DITP", str(ditp), "Ce service n’accueille pas de public.")
    ]
    assert '<p class="fr-badge fr-badge--sm fr-badge--error">Refusée</p>' in html


# --- The admin (the DITP's back office) ------------------------------------------------------------------------------


def test_the_admin_keeps_the_list_and_shows_requests_read_only(login, submitted):
    from django.contrib import admin

    from candidates.models import Application, ServiceContract

    superuser = UserFactory(ditp=True, is_staff=True, is_superuser=True)
    client = login(superuser)
    changelist = reverse("admin:candidates_eligiblecategory_changelist")
    assert (
        client.get(
            changelist, {"kind": LocalServiceKind.COMMUNE, "is_active__exact": "1", "q": "mairie"}
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:candidates_eligibilityrequest_change", args=[submitted.pk])).status_code
        == 200
    )
    application = ApplicationFactory()
    assert (
        client.get(reverse("admin:candidates_application_change", args=[application.pk])).status_code == 200
    )
    for name in ("servicecontract", "application", "servicedomain", "eligibilityrequest"):
        assert client.get(reverse(f"admin:candidates_{name}_changelist")).status_code == 200, name
    assert (
        client.get(
            reverse("admin:candidates_servicecontract_change", args=[application.contract.pk])
        ).status_code
        == 200
    )
    for model in (EligibleCategory, EligibilityRequest, Application, ServiceContract):
        assert not admin.site._registry[model].has_delete_permission(None), model
    for model in (EligibilityRequest, Application):
        assert not admin.site._registry[model].has_change_permission(None), model
