"""What a person sees of deadlines (issue #7, « Notifications »): the list, the iCalendar feed, the notifications,
the header's unread count and the dashboard's next deadlines."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from labelsp.accounts.enums import Role
from labelsp.deadlines.enums import Actor, DeadlineKind, DeadlineStatus
from labelsp.deadlines.ical import calendar_document, ical_escape, ical_fold
from labelsp.deadlines.models import CalendarFeed, Deadline, Notification
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import LocalServiceFactory
from tests.decisions.factories import LabelFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
_keys = itertools.count()


def _deadline(label, *, kind=DeadlineKind.FOLLOW_UP_AUDIT, due_on=None, status=DeadlineStatus.OPEN, **extra):
    return Deadline.objects.create(
        key=f"label:{label.pk}:{kind}:{next(_keys)}",
        kind=kind,
        subject_type=ContentType.objects.get_for_model(label),
        subject_id=label.pk,
        local_service=label.local_service,
        certification_body=label.certification_body,
        actor=extra.pop("actor", Actor.CANDIDATE),
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=60),
        status=status,
        **extra,
    )


def _staff(service):
    return MembershipFactory(role=Role.CANDIDATE, organisation=service).user


def _manager(body):
    return MembershipFactory(role=Role.CB_MANAGER, organisation=body).user


def _named_label(name):
    return LabelFactory(decision__application__contract__local_service=LocalServiceFactory(name=name))


def _list_html(client):
    response = client.get(reverse("deadlines:deadline_list"))
    assert response.status_code == 200
    return response.content.decode()


# --- The deadlines page ---------------------------------------------------------------------------------------------


def test_each_person_sees_the_deadlines_of_the_organisations_they_act_for(login):
    ours = LabelFactory()
    theirs = LabelFactory()
    mine = _deadline(ours, kind=DeadlineKind.FOLLOW_UP_AUDIT)
    other = _deadline(theirs, kind=DeadlineKind.SELF_ASSESSMENT)

    candidate = login(_staff(ours.local_service))
    page = candidate.get(reverse("deadlines:deadline_list")).context["page"]
    assert list(page.object_list) == [mine]

    manager = login(_manager(theirs.certification_body))
    assert list(manager.get(reverse("deadlines:deadline_list")).context["page"].object_list) == [other]

    ditp = login(UserFactory(ditp=True))
    assert set(ditp.get(reverse("deadlines:deadline_list")).context["page"].object_list) == {mine, other}


def test_the_list_shows_open_and_overdue_deadlines_overdue_first(login):
    label = _named_label("Préfecture de l’Aube")
    later = _deadline(label, due_on=TODAY + datetime.timedelta(days=10))
    overdue = _deadline(
        label,
        kind=DeadlineKind.REPORT,
        due_on=TODAY + datetime.timedelta(days=20),
        status=DeadlineStatus.OVERDUE,
    )
    windowed = _deadline(
        label,
        kind=DeadlineKind.SELF_ASSESSMENT,
        due_on=TODAY + datetime.timedelta(days=5),
        window_start=TODAY,
        window_end=TODAY + datetime.timedelta(days=30),
        actor=Actor.BODY,
    )
    _deadline(label, kind=DeadlineKind.RENEWAL, status=DeadlineStatus.DONE)
    _deadline(label, kind=DeadlineKind.EXPIRY, status=DeadlineStatus.CANCELLED)
    client = login(_staff(label.local_service))
    response = client.get(reverse("deadlines:deadline_list"))
    assert list(response.context["page"].object_list) == [overdue, windowed, later]
    html = response.content.decode()
    assert "Préfecture de l’Aube" in html
    assert '<span class="fr-badge fr-badge--sm fr-badge--error">Dépassée</span>' in html
    assert "du 2 mars 2026 au 1 avril 2026" in html
    assert "Organisme de certification" in html  # who must act
    assert "Renouvellement du label" not in html and "Fin de validité du label" not in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_has_a_constant_number_of_queries(login, django_assert_num_queries, count):
    label = LabelFactory()
    for _index in range(count):
        _deadline(label)
    user = _staff(label.local_service)
    CalendarFeed.objects.create(user=user)
    client = login(user)
    client.get(reverse("deadlines:deadline_list"))  # warm the session
    # session, user, memberships (middleware), memberships (for_user), page count, page rows, feed,
    # memberships (which rows the user may declare done), unread count
    with django_assert_num_queries(9):
        response = client.get(reverse("deadlines:deadline_list"))
    assert len(response.context["page"].object_list) == count


def test_a_bad_page_number_is_no_error(login):
    client = login(UserFactory(candidate=True))
    for page in ("abc", "-1", "99999999999999999999"):
        assert client.get(reverse("deadlines:deadline_list"), {"page": page}).status_code == 200


# --- The calendar feed: create, replace, revoke ---------------------------------------------------------------------


def test_a_person_without_a_feed_is_offered_one(login):
    html = _list_html(login(UserFactory(candidate=True)))
    assert "Créer mon agenda" in html
    assert "Révoquer" not in html


def test_creating_the_feed_shows_its_secret_address(login, settings):
    settings.SITE_URL = "https://label.example.gouv.fr"
    user = UserFactory(candidate=True)
    client = login(user)
    response = client.post(reverse("deadlines:calendar_feed_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:deadline_list") + "#agenda"
    feed = CalendarFeed.objects.get(user=user)
    html = _list_html(client)
    assert f'value="https://label.example.gouv.fr/echeances/agenda/{feed.token}.ics"' in html
    assert "Générer une nouvelle adresse" in html and "Révoquer" in html
    assert "Créer mon agenda" not in html


def test_a_new_address_replaces_the_old_one(login, client):
    user = UserFactory(candidate=True)
    login(user).post(reverse("deadlines:calendar_feed_create"))
    old = CalendarFeed.objects.get(user=user).token
    client.post(reverse("deadlines:calendar_feed_create"))
    new = CalendarFeed.objects.get(user=user).token
    assert new != old
    client.logout()
    assert client.get(reverse("deadlines:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("deadlines:calendar_feed", args=[new])).status_code == 200


def test_a_revoked_feed_answers_404_and_a_new_one_has_a_new_address(login, client):
    user = UserFactory(candidate=True)
    login(user).post(reverse("deadlines:calendar_feed_create"))
    token = CalendarFeed.objects.get(user=user).token
    response = client.post(reverse("deadlines:calendar_feed_revoke"))
    assert response.status_code == 302
    assert CalendarFeed.objects.get(user=user).revoked_at is not None
    assert client.get(reverse("deadlines:calendar_feed", args=[token])).status_code == 404
    assert "Créer mon agenda" in _list_html(client)
    assert client.post(reverse("deadlines:calendar_feed_revoke")).status_code == 302  # nothing left to revoke
    client.post(reverse("deadlines:calendar_feed_create"))
    feed = CalendarFeed.objects.get(user=user)
    assert feed.revoked_at is None and feed.token != token
    assert client.get(reverse("deadlines:calendar_feed", args=[token])).status_code == 404


def test_feed_changes_are_kept_in_its_history(login):
    user = UserFactory(candidate=True)
    client = login(user)
    client.post(reverse("deadlines:calendar_feed_create"))
    client.post(reverse("deadlines:calendar_feed_create"))
    client.post(reverse("deadlines:calendar_feed_revoke"))
    assert CalendarFeed.objects.get(user=user).history.count() == 3


@pytest.mark.parametrize(
    "token", ["inconnu-mais-assez-long-0123456789", "court", "%00" * 20, "a" * 200, "é" * 20]
)
def test_an_unknown_or_malformed_token_answers_404(client, token):
    CalendarFeed.objects.create(user=UserFactory())
    assert client.get(f"/echeances/agenda/{token}.ics").status_code == 404


def test_the_feed_of_an_inactive_person_answers_404(client):
    user = UserFactory(candidate=True, is_active=False)
    feed = CalendarFeed.objects.create(user=user)
    assert client.get(reverse("deadlines:calendar_feed", args=[feed.token])).status_code == 404


# --- The calendar feed: its content ---------------------------------------------------------------------------------


def _unfold(text):
    return text.replace("\r\n ", "")


def test_the_feed_lists_the_owners_open_and_overdue_deadlines(client, settings):
    settings.SITE_URL = "https://label.example.gouv.fr"
    label = _named_label("Caisse; « Nord », Lille\\Roubaix")
    due = _deadline(
        label,
        due_on=datetime.date(2026, 6, 30),
        window_start=datetime.date(2026, 5, 1),
        window_end=datetime.date(2026, 7, 31),
    )
    overdue = _deadline(
        label, kind=DeadlineKind.REPORT, due_on=datetime.date(2026, 2, 1), status=DeadlineStatus.OVERDUE
    )
    _deadline(label, kind=DeadlineKind.RENEWAL, status=DeadlineStatus.DONE)
    _deadline(label, kind=DeadlineKind.EXPIRY, status=DeadlineStatus.CANCELLED)
    _deadline(LabelFactory(), kind=DeadlineKind.SELF_ASSESSMENT)  # another service's
    feed = CalendarFeed.objects.create(user=_staff(label.local_service))

    response = client.get(reverse("deadlines:calendar_feed", args=[feed.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    text = _unfold(raw.decode())
    lines = text.split("\r\n")
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert "X-WR-CALNAME:Services Publics + — mes échéances" in lines
    assert text.count("BEGIN:VEVENT") == 2 and text.count("END:VEVENT") == 2
    assert f"UID:{due.key}@services-publics-plus" in lines
    assert f"UID:{overdue.key}@services-publics-plus" in lines
    assert "DTSTART;VALUE=DATE:20260630" in lines and "DTEND;VALUE=DATE:20260701" in lines
    assert "DTSTART;VALUE=DATE:20260201" in lines and "DTEND;VALUE=DATE:20260202" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert "SUMMARY:Audit de suivi — Caisse\\; « Nord »\\, Lille\\\\Roubaix" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:Échéance le 30 juin 2026"))
    assert "\\nPériode admise : du 1 mai 2026 au 31 juillet 2026." in description
    assert "\\nDoit agir : Service candidat ou labellisé." in description
    assert "URL:https://label.example.gouv.fr/echeances/" in lines
    assert "Rapport d’audit à envoyer" in text and "Cette échéance est dépassée." in text
    assert "Renouvellement du label" not in text and "Fin de validité" not in text
    assert "Autodiagnostic" not in text


def test_the_feed_of_a_person_without_deadlines_is_an_empty_calendar(client):
    feed = CalendarFeed.objects.create(user=UserFactory(candidate=True))
    response = client.get(reverse("deadlines:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


def test_the_feed_refuses_changes(client):
    feed = CalendarFeed.objects.create(user=UserFactory(candidate=True))
    assert client.post(reverse("deadlines:calendar_feed", args=[feed.token])).status_code == 405


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("simple", "simple"),
        ("a,b;c", "a\\,b\\;c"),
        ("C:\\dossier", "C:\\\\dossier"),
        ("un\ndeux\r\ntrois\rquatre", "un\\ndeux\\ntrois\\nquatre"),
        ("tab\tok, nul\x00 bell\x07 gone", "tab\tok\\, nul bell gone"),
        ("\\,", "\\\\\\,"),  # the backslash is escaped first, never the escape of a comma
    ],
)
def test_text_values_are_escaped(text, escaped):
    assert ical_escape(text) == escaped


def test_short_lines_are_not_folded():
    assert ical_fold("a" * 75) == "a" * 75


def test_long_lines_are_folded_at_75_octets():
    folded = ical_fold("a" * 200)
    parts = folded.split("\r\n")
    assert [len(part) for part in parts] == [75, 75, 52]  # 75 + 74 + 51 characters, plus the spaces
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == "a" * 200


def test_folding_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "é" * 100 + "€" * 30
    folded = ical_fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode()) <= 75
        part.encode().decode()  # each physical line is valid UTF-8 on its own
    assert folded.replace("\r\n ", "") == line


def test_the_calendar_document_uses_crlf_and_names_the_calendar():
    document = calendar_document([], list_url="https://example.test/echeances/")
    assert document == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//DITP//Services Publics +//FR\r\nCALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\nX-WR-CALNAME:Services Publics + — mes échéances\r\nEND:VCALENDAR\r\n"
    )


# --- Notifications --------------------------------------------------------------------------------------------------


def _notification(user, *, subject="Rappel", url="", read=False, minutes_ago=0):
    return Notification.objects.create(
        user=user,
        subject=subject,
        body="Ligne un\nLigne deux",
        url=url,
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None,
    )


def test_the_notifications_are_listed_newest_first_and_not_marked_read(login):
    user = UserFactory(candidate=True)
    old = _notification(user, subject="Ancienne", read=True, minutes_ago=60)
    new = _notification(user, subject="Nouvelle", minutes_ago=1)
    _notification(UserFactory(), subject="Celle d’un autre")
    response = login(user).get(reverse("deadlines:notification_list"))
    assert list(response.context["page"].object_list) == [new, old]
    html = response.content.decode()
    assert "Celle d’un autre" not in html
    assert html.count("Non lue</span>") == 1
    assert "<strong>Nouvelle</strong>" in html
    assert "Ligne un<br>Ligne deux" in html
    assert "Tout marquer comme lu" in html
    new.refresh_from_db()
    assert new.read_at is None


@pytest.mark.parametrize("count", [1, 30])
def test_the_notifications_have_a_constant_number_of_queries(login, django_assert_num_queries, count):
    user = UserFactory(candidate=True)
    for _index in range(count):
        _notification(user, url="/echeances/")
    client = login(user)
    client.get(reverse("deadlines:notification_list"))
    # session, user, memberships (middleware), page count, page rows, unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("deadlines:notification_list"))
    assert len(response.context["page"].object_list) == count


def test_the_notifications_are_paginated(login):
    user = UserFactory(candidate=True)
    Notification.objects.bulk_create([Notification(user=user, subject=f"n{i}", body="") for i in range(51)])
    client = login(user)
    assert len(client.get(reverse("deadlines:notification_list")).context["page"].object_list) == 50
    second = client.get(reverse("deadlines:notification_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert client.get(reverse("deadlines:notification_list"), {"page": "x"}).status_code == 200


def test_marking_all_read_touches_only_ones_own_unread_notifications(login):
    user = UserFactory(candidate=True)
    read_before = _notification(user, read=True)
    first_read_at = read_before.read_at
    unread = [_notification(user), _notification(user)]
    someone_elses = _notification(UserFactory())
    response = login(user).post(reverse("deadlines:notifications_mark_read"))
    assert response.status_code == 302 and response["Location"] == reverse("deadlines:notification_list")
    assert all(Notification.objects.get(pk=n.pk).read_at is not None for n in unread)
    read_before.refresh_from_db()
    assert read_before.read_at == first_read_at
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_local_link(login):
    user = UserFactory(candidate=True)
    notification = _notification(user, url="/echeances/")
    response = login(user).post(reverse("deadlines:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/echeances/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://evil.example",
        "//evil.example/",
        "/\\evil.example",
        "///evil.example",
        "javascript:alert(1)",
    ],
)
def test_opening_a_notification_never_leaves_the_site(login, url):
    user = UserFactory(candidate=True)
    notification = _notification(user, url=url)
    response = login(user).post(reverse("deadlines:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:notification_list")


def test_someone_elses_notification_is_404(login):
    notification = _notification(UserFactory(candidate=True), url="/echeances/")
    client = login(UserFactory(candidate=True))
    assert client.post(reverse("deadlines:notification_open", args=[notification.pk])).status_code == 404
    assert client.post("/echeances/notifications/99999999999999999999/ouvrir/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


# --- The header and the dashboard -----------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count(login):
    user = UserFactory(candidate=True)
    for _index in range(3):
        _notification(user)
    _notification(user, read=True)
    _notification(UserFactory())
    response = login(user).get(reverse("accounts:dashboard"))
    assert response.context["unread_notifications"] == 3
    html = response.content.decode()
    assert 'href="/echeances/notifications/"' in html
    assert '<span class="fr-sr-only">(3 non lues)</span>' in html
    assert 'href="/echeances/">Mes échéances</a>' in html


def test_the_header_shows_no_count_without_unread_notifications(login):
    user = UserFactory(candidate=True)
    _notification(user, read=True)
    response = login(user).get(reverse("accounts:dashboard"))
    assert response.context["unread_notifications"] == 0
    assert "non lue" not in response.content.decode()


def test_anonymous_visitors_have_no_notifications_link(client):
    response = client.get(reverse("home"))
    assert response.context["unread_notifications"] == 0
    assert "/echeances/notifications/" not in response.content.decode()


def test_the_dashboard_lists_the_next_five_deadlines(login):
    label = _named_label("Mairie de Troyes")
    today = timezone.localdate()
    deadlines = [_deadline(label, due_on=today + datetime.timedelta(days=10 * i)) for i in range(1, 8)]
    _deadline(label, kind=DeadlineKind.RENEWAL, due_on=today, status=DeadlineStatus.DONE)
    _deadline(LabelFactory(), due_on=today)  # another service's
    response = login(_staff(label.local_service)).get(reverse("accounts:dashboard"))
    assert response.context["board"].deadlines == deadlines[:5]
    html = response.content.decode()
    assert "Échéances à venir" in html and "Mairie de Troyes" in html
    assert "Renouvellement du label" not in html
    assert 'href="/echeances/"' in html


def test_the_dashboard_says_when_there_is_no_deadline(login):
    html = login(UserFactory(candidate=True)).get(reverse("accounts:dashboard")).content.decode()
    assert "Aucune échéance à venir pour les organisations au nom desquelles vous agissez." in html
