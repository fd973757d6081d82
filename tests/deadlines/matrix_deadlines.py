"""Permission matrix of deadlines, the calendar feed and notifications (labelsp/deadlines/views.py).

Every logged-in person has their own deadlines page, feed and notifications: the pages answer everyone, scoped to
them; one person's notification is 404 to everyone else. The feed is public, reached by its secret token only.
"""

from django.urls import reverse

from labelsp.deadlines.models import CalendarFeed, Notification
from tests.matrix_world import ANONYMOUS, CANDIDATE, LOGIN, Case, not_found_but

# Any logged-in persona; anonymous visitors go to the login page.
LOGGED_IN = {ANONYMOUS: LOGIN}


def _feed_url(w):
    feed = CalendarFeed.objects.create(user=w.users[CANDIDATE])
    return reverse("deadlines:calendar_feed", args=[feed.token])


def _notification_open_url(w):
    notification = Notification.objects.create(
        user=w.users[CANDIDATE], subject="Rappel", body="Audit de suivi dans 30 jours.", url="/echeances/"
    )
    return reverse("deadlines:notification_open", args=[notification.pk])


CASES = {
    "deadlines:deadline_list": Case(url=lambda w: reverse("deadlines:deadline_list"), expect=LOGGED_IN),
    "deadlines:calendar_feed_create": Case(
        url=lambda w: reverse("deadlines:calendar_feed_create"), method="post", expect=LOGGED_IN, default=302
    ),
    "deadlines:calendar_feed_revoke": Case(
        url=lambda w: reverse("deadlines:calendar_feed_revoke"), method="post", expect=LOGGED_IN, default=302
    ),
    # Public: the secret token is the only way in, whoever asks (a calendar application has no session).
    "deadlines:calendar_feed": Case(url=_feed_url, expect={}),
    "deadlines:notification_list": Case(
        url=lambda w: reverse("deadlines:notification_list"), expect=LOGGED_IN
    ),
    "deadlines:notifications_mark_read": Case(
        url=lambda w: reverse("deadlines:notifications_mark_read"),
        method="post",
        expect=LOGGED_IN,
        default=302,
    ),
    # Only the notification's addressee opens it.
    "deadlines:notification_open": Case(
        url=_notification_open_url, method="post", expect=not_found_but(CANDIDATE, status=302)
    ),
}
