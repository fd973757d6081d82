"""Personal invitations by e-mail (§3.4): one answer per invitation, no address kept.

surveys/views/invitations.py, surveys/services_invitations.py, surveys/forms/invitations.py, surveys/invitations.py.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from labelsp.accounts.enums import Role
from surveys import services_invitations
from surveys.enums import Channel
from surveys.invitations import email_digest, parse_addresses
from surveys.models import Invitation, Response
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import PDF_BYTES, CentralServiceFactory, LocalServiceFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

ALREADY_ANSWERED = "Vous avez déjà répondu à cette enquête"


def _staff():
    """A candidate agent of an independent local service."""
    user = UserFactory(candidate=True)
    return user, user.memberships.get().local_service


def _list_url(campaign):
    return reverse("surveys:invitation_list", args=[campaign.pk])


def _answer_url(invitation):
    return reverse("surveys:invitation_answer", args=[invitation.token])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _send(campaign, user, emails):
    return services_invitations.invitations_send(user=user, campaign=campaign, emails=emails)


def _data(campaign, answered, position="4"):
    codes = campaign.questionnaire.questions.order_by("position").values_list("code", flat=True)
    return {f"q_{code}": position for code in list(codes)[:answered]}


def _invitation(campaign=None, **kwargs):
    return Invitation.objects.create(
        campaign=campaign or CampaignFactory(), email_digest=email_digest("someone@example.org"), **kwargs
    )


# --- Sending ---------------------------------------------------------------------------------------------------------


def test_staff_invite_new_addresses_and_skip_those_already_invited(
    login, django_capture_on_commit_callbacks, mailoutbox
):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    with django_capture_on_commit_callbacks(execute=True):
        _send(campaign, user, ["anne@example.org"])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(user).post(
            _list_url(campaign), {"emails": "bruno@example.org\nAnne@Example.org ; chloe@example.org"}
        )

    assert response.status_code == 302
    assert response["Location"] == _list_url(campaign)
    page = _text(login(user).get(_list_url(campaign)).content.decode())
    assert (
        "2 invitation(s) envoyée(s). 1 adresse(s) déjà invitée(s) à cette enquête ou en double n’ont pas reçu "
        "de nouveau message." in page
    )
    assert sorted(mail.to[0] for mail in mailoutbox) == ["bruno@example.org", "chloe@example.org"]
    assert campaign.invitations.count() == 3
    assert campaign.invitations.filter(sent_at__isnull=True).count() == 0


def test_each_message_carries_its_own_personal_link(django_capture_on_commit_callbacks, mailoutbox):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    with django_capture_on_commit_callbacks(execute=True):
        sent, skipped = _send(campaign, user, ["anne@example.org", "bruno@example.org"])

    assert (sent, skipped) == (2, 0)
    assert len(mailoutbox) == 2
    links = set()
    for mail in mailoutbox:
        (link,) = re.findall(r"https?://\S+/enquetes/i/\S+/", mail.body)
        token = link.rstrip("/").rsplit("/", 1)[1]
        invitation = Invitation.objects.get(token=token)
        assert link == settings.SITE_URL.rstrip("/") + _answer_url(invitation)
        assert invitation.email_digest == email_digest(mail.to[0])
        assert f'href="{link}"' in mail.alternatives[0][0]
        assert service.name in mail.subject
        links.add(link)
    assert len(links) == 2


def test_one_invalid_address_refuses_the_whole_upload_with_its_line_number(
    login, django_capture_on_commit_callbacks, mailoutbox
):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    with django_capture_on_commit_callbacks(execute=True):
        _send(campaign, user, ["anne@example.org"])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(user).post(
            _list_url(campaign), {"emails": "bruno@example.org\n\nanne@example.org\npas-une-adresse"}
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert "fr-input-group--error" in html
    assert 'aria-describedby="id_emails-error"' in html
    assert response.context["form"].errors["emails"] == [
        "Ligne 4 : « pas-une-adresse » n’est pas une adresse e-mail valide."
    ]
    assert "Ligne 4 : « pas-une-adresse » n’est pas une adresse e-mail valide." in _text(html)
    assert mailoutbox == []
    assert campaign.invitations.count() == 1


def test_every_bad_address_is_reported():
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    with pytest.raises(ValidationError) as error:
        _send(campaign, user, ["a@", "ok@example.org", "b c@example.org"])
    assert error.value.message_dict == {
        "emails": [
            "Ligne 1 : « a@ » n’est pas une adresse e-mail valide.",
            "Ligne 3 : « b c@example.org » n’est pas une adresse e-mail valide.",
        ]
    }
    assert not Invitation.objects.exists()


def test_an_address_repeated_in_one_upload_is_invited_once(django_capture_on_commit_callbacks, mailoutbox):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(campaign, user, ["anne@example.org", "ANNE@example.org "]) == (1, 1)
    assert len(mailoutbox) == 1


def test_the_same_address_may_be_invited_to_another_campaign(django_capture_on_commit_callbacks):
    user, service = _staff()
    first = CampaignFactory(local_service=service)
    second = CampaignFactory(local_service=service)
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(first, user, ["anne@example.org"]) == (1, 0)
        assert _send(second, user, ["anne@example.org"]) == (1, 0)


def test_at_most_5000_addresses_per_upload(django_capture_on_commit_callbacks):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    addresses = [f"personne{n}@example.org" for n in range(5001)]
    with pytest.raises(ValidationError) as error:
        _send(campaign, user, addresses)
    assert error.value.message_dict == {
        "emails": ["La liste compte 5001 adresses : envoyez-en au plus 5000 à la fois, en plusieurs envois."]
    }
    assert not Invitation.objects.exists()
    # Not sent here: the messages are queued on commit, and the callbacks are not run.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _send(campaign, user, addresses[:5000]) == (5000, 0)
    assert len(callbacks) == 1


def test_the_stored_rows_hold_no_address(django_capture_on_commit_callbacks, mailoutbox):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    with django_capture_on_commit_callbacks(execute=True):
        _send(campaign, user, ["Anne.Martin@example.org"])
    assert len(mailoutbox) == 1

    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM surveys_invitation t")
        rows = [row[0].lower() for row in cursor.fetchall()]
    assert len(rows) == 1
    assert "anne.martin" not in rows[0]
    assert "example.org" not in rows[0]
    invitation = Invitation.objects.get()
    assert invitation.email_digest == email_digest("anne.martin@example.org")
    assert len(invitation.email_digest) == 64


def test_the_digest_is_keyed_with_the_secret_key(settings):
    digest = email_digest("anne@example.org")
    assert email_digest("  ANNE@example.org ") == digest
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert email_digest("anne@example.org") != digest


def test_a_text_file_of_addresses_is_accepted(login, django_capture_on_commit_callbacks, mailoutbox):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    content = '\ufeffe-mail\n"anne@example.org";\nbruno@example.org,chloe@example.org\n'.encode()
    upload = SimpleUploadedFile("liste.csv", content, content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = login(user).post(_list_url(campaign), {"file": upload})

    assert response.status_code == 302
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "anne@example.org",
        "bruno@example.org",
        "chloe@example.org",
    ]


def test_a_bad_address_in_a_file_is_shown_next_to_the_file_field(login, mailoutbox):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    upload = SimpleUploadedFile("liste.txt", b"anne@example.org\nbruno(at)example.org\n")

    response = login(user).post(_list_url(campaign), {"file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Ligne 2 : « bruno(at)example.org » n’est pas une adresse e-mail valide."
    ]
    assert 'aria-describedby="id_file-error"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_file_that_is_not_text_is_refused_by_its_content(login):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    upload = SimpleUploadedFile("liste.csv", PDF_BYTES, content_type="text/csv")

    response = login(user).post(_list_url(campaign), {"file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Ce fichier n’est pas un fichier texte : choisissez un fichier .txt ou .csv."
    ]
    assert not Invitation.objects.exists()


def test_the_form_asks_for_addresses_or_a_file_but_not_both(login):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    client = login(user)

    empty = client.post(_list_url(campaign), {"emails": "  "})
    assert empty.context["form"].errors["emails"] == ["Collez au moins une adresse ou choisissez un fichier."]

    only_separators = client.post(_list_url(campaign), {"emails": " ; , "})
    assert only_separators.context["form"].errors["emails"] == ["Indiquez au moins une adresse e-mail."]

    both = client.post(
        _list_url(campaign),
        {"emails": "anne@example.org", "file": SimpleUploadedFile("liste.txt", b"bruno@example.org\n")},
    )
    assert both.context["form"].non_field_errors() == [
        "Collez des adresses ou choisissez un fichier, pas les deux."
    ]
    assert 'class="fr-alert fr-alert--error' in both.content.decode()
    assert not Invitation.objects.exists()


def test_parse_addresses_keeps_the_line_numbers():
    text = "email\nanne@example.org\n\n bruno@example.org ; 'chloe@example.org',\n"
    assert parse_addresses(text) == [
        (2, "anne@example.org"),
        (4, "bruno@example.org"),
        (4, "chloe@example.org"),
    ]
    # A first line that is an address (or anything but a column name) is kept.
    assert parse_addresses("nom\nanne@example.org") == [(1, "nom"), (2, "anne@example.org")]


def test_no_invitation_outside_the_campaign_dates(login):
    user, service = _staff()
    today = timezone.localdate()
    closed = CampaignFactory(local_service=service, closed_at=timezone.now())
    upcoming = CampaignFactory(
        local_service=service,
        opens_on=today + datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=9),
    )
    for campaign in (closed, upcoming):
        with pytest.raises(ValidationError) as error:
            _send(campaign, user, ["anne@example.org"])
        assert error.value.messages == [
            "Cette campagne n’est pas ouverte : elle ne peut pas recevoir d’invitations."
        ]

        page = login(user).get(_list_url(campaign))
        assert page.context["form"] is None
        assert "les invitations ne peuvent être envoyées que pendant la campagne" in page.content.decode()

        refused = login(user).post(_list_url(campaign), {"emails": "anne@example.org"})
        assert refused.status_code == 200
        assert refused.context["form"].non_field_errors() == [
            "Cette campagne n’est pas ouverte : elle ne peut pas recevoir d’invitations."
        ]
    assert not Invitation.objects.exists()


def test_the_last_day_of_the_campaign_still_takes_invitations():
    user, service = _staff()
    today = timezone.localdate()
    campaign = CampaignFactory(
        local_service=service, opens_on=today - datetime.timedelta(days=5), closes_on=today
    )
    assert _send(campaign, user, ["anne@example.org"]) == (1, 0)


# --- The page of the invitations -------------------------------------------------------------------------------------


def test_the_page_shows_how_many_were_invited_and_answered_never_who(login):
    user, service = _staff()
    campaign = CampaignFactory(local_service=service)
    for n in range(3):
        Invitation.objects.create(
            campaign=campaign,
            email_digest=email_digest(f"p{n}@example.org"),
            sent_at=timezone.now(),
            answered_at=timezone.now() if n == 0 else None,
        )
    Invitation.objects.create(
        campaign=CampaignFactory(local_service=service), email_digest=email_digest("x@y.fr")
    )

    response = login(user).get(_list_url(campaign))

    assert response.status_code == 200
    assert (response.context["invited"], response.context["answered"]) == (3, 1)
    text = _text(response.content.decode())
    assert "Personnes invitées 3" in text
    assert "Invitations ayant reçu une réponse 1" in text
    assert "example.org" not in text
    assert response.context["form"] is not None


def test_the_central_service_reads_the_counts_but_may_not_send(login, mailoutbox):
    central = CentralServiceFactory()
    campaign = CampaignFactory(local_service=LocalServiceFactory(parent=central))
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    client = login(user)

    page = client.get(_list_url(campaign))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Envoyer les invitations" not in page.content.decode()

    assert client.post(_list_url(campaign), {"emails": "anne@example.org"}).status_code == 403
    with pytest.raises(PermissionDenied):
        _send(campaign, user, ["anne@example.org"])
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_another_service_gets_404(login):
    campaign = CampaignFactory()
    other, _service = _staff()
    client = login(other)
    assert client.get(_list_url(campaign)).status_code == 404
    assert client.post(_list_url(campaign), {"emails": "anne@example.org"}).status_code == 404
    assert not Invitation.objects.exists()


# --- Answering through an invitation ------------------------------------------------------------------------------


def test_the_invitation_shows_the_public_questionnaire(client):
    invitation = _invitation()
    response = client.get(_answer_url(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<fieldset class="fr-fieldset"') == 15
    assert "Envoyer mes réponses" in html


def test_answering_records_one_admissible_response_and_uses_the_invitation(client):
    invitation = _invitation()
    campaign = invitation.campaign

    response = client.post(_answer_url(invitation), _data(campaign, 15))

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", args=[campaign.public_token])
    recorded = Response.objects.get()
    assert (recorded.campaign, recorded.channel, recorded.complete, recorded.admissible) == (
        campaign,
        Channel.INVITATION,
        True,
        True,
    )
    assert recorded.entered_by is None
    assert recorded.positions == "4" * 15
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_a_second_answer_with_the_same_link_stores_nothing(client):
    invitation = _invitation()
    campaign = invitation.campaign
    client.post(_answer_url(invitation), _data(campaign, 15))

    again = client.post(_answer_url(invitation), _data(campaign, 15, position="1"))

    assert again.status_code == 200
    assert ALREADY_ANSWERED in again.content.decode()
    assert Response.objects.count() == 1
    page = client.get(_answer_url(invitation))
    assert page.status_code == 200
    assert ALREADY_ANSWERED in page.content.decode()
    main = page.content.decode().split('<main id="content"')[1].split("</main>")[0]
    assert "<form" not in main


def test_an_answer_sent_meanwhile_from_another_tab_wins(client):
    invitation = _invitation()
    campaign = invitation.campaign
    assert client.get(_answer_url(invitation)).status_code == 200
    answered_at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(answered_at=answered_at)

    response = client.post(_answer_url(invitation), _data(campaign, 15))

    assert response.status_code == 200
    assert ALREADY_ANSWERED in response.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at == answered_at


def test_the_service_records_nothing_when_the_invitation_was_used_meanwhile():
    invitation = _invitation()
    Invitation.objects.filter(pk=invitation.pk).update(answered_at=timezone.now())
    # `invitation` is the stale copy read before the other answer.
    assert invitation.answered_at is None
    result = services_invitations.invitation_answer_record(invitation=invitation, positions={"U1a": 4})
    assert result is None
    assert not Response.objects.exists()


def test_a_refused_answer_leaves_the_invitation_unused():
    invitation = _invitation()
    with pytest.raises(ValidationError):
        services_invitations.invitation_answer_record(invitation=invitation, positions={"X99": 4})
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    assert not Response.objects.exists()


def test_an_unknown_link_is_404(client):
    _invitation()
    assert client.get(reverse("surveys:invitation_answer", args=["inconnu"])).status_code == 404
    assert client.post(reverse("surveys:invitation_answer", args=["inconnu"]), {}).status_code == 404


def test_a_closed_campaign_explains_it_is_over(client):
    invitation = _invitation(CampaignFactory(closed_at=timezone.now()))
    campaign = invitation.campaign

    page = client.get(_answer_url(invitation))
    posted = client.post(_answer_url(invitation), _data(campaign, 15))

    for response in (page, posted):
        assert response.status_code == 200
        assert "Cette enquête est close" in response.content.decode()
        assert "Envoyer mes réponses" not in response.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_a_logged_in_visitor_answers_anonymously(login):
    invitation = _invitation()
    client = login(UserFactory(candidate=True))
    assert client.post(_answer_url(invitation), _data(invitation.campaign, 15)).status_code == 302
    assert Response.objects.get().entered_by is None
