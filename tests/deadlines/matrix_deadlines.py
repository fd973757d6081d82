"""Permission matrix of deadlines, the calendar feed and notifications (labelsp/deadlines/views.py).

Every logged-in person has their own deadlines page, feed and notifications: the pages answer everyone, scoped to
them; one person's notification is 404 to everyone else. The feed is public, reached by its secret token only.
"""

from django.urls import reverse

from labelsp.deadlines.models import CalendarFeed, Notification
from tests.matrix_world import (
    ANONYMOUS,
    AUDITOR,
    CANDIDATE,
    CB_MANAGER,
    CENTRAL,
    COMMISSION,
    DITP,
    LOGIN,
    Case,
    not_found_but,
)

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


def _declare_done_url(w):
    """A yearly self-assessment of the persona's local service, labelled by their body."""
    import datetime

    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.services import deadline_set
    from tests.decisions.factories import LabelFactory

    label = LabelFactory(
        decision__application__local_service=w.local, decision__application__contract=w.contract
    )
    deadline = deadline_set(
        key=f"label:{label.pk}:self_assessment:1",
        kind=DeadlineKind.SELF_ASSESSMENT,
        subject=label,
        due_on=datetime.date.today() + datetime.timedelta(days=100),
    )
    return reverse("deadlines:deadline_declare_done", args=[deadline.pk])


CASES = {
    # Only the staff of the service that must act declares it done; those who see it otherwise get 403.
    "deadlines:deadline_declare_done": Case(
        url=_declare_done_url,
        method="post",
        expect={
            **not_found_but(CANDIDATE, status=302),
            **{persona: 403 for persona in (CENTRAL, AUDITOR, CB_MANAGER, DITP, COMMISSION)},
        },
    ),
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
