"""What a person sees of the label cycle's dates (issue #7, « Notifications »): their open deadlines, their private
iCalendar feed (a secret URL, revocable) and their in-app notifications.

Every page starts from the person's own rows: `Deadline.objects.for_user` (the organisations they act for; the
DITP sees them all), their own `Notification`s and their own `CalendarFeed`. The feed is the one public view: its
random token is the only way in, and a revoked or replaced token answers 404.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from labelsp.deadlines import services
from labelsp.deadlines.ical import calendar_document
from labelsp.deadlines.models import CalendarFeed, Deadline, Notification
from labelsp.links import absolute_url

DEADLINES_PER_PAGE = 50
NOTIFICATIONS_PER_PAGE = 50
# What `secrets.token_urlsafe` produces: anything else is refused before it reaches the database (a NUL byte would
# make PostgreSQL fail).
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("deadlines:calendar_feed", args=[feed.token]))


# --- Deadlines ------------------------------------------------------------------------------------------------------


@require_GET
def deadline_list(request):
    """The open and overdue deadlines of the organisations the user acts for, and their personal calendar feed."""
    page = Paginator(Deadline.objects.for_user(request.user).pending(), DEADLINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    feed = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(
        request,
        "deadlines/deadline_list.html",
        {
            "page": page,
            "feed": feed,
            "feed_url": _feed_url(feed) if feed else "",
            "declarable": services.declarable_ids(request.user, page.object_list),
        },
    )


@require_POST
def deadline_declare_done(request, pk):
    """The service declares one of its obligations done (404 outside the user's deadlines)."""
    deadline = get_object_or_404(Deadline.objects.for_user(request.user), pk=pk)
    services.deadline_declare_done(user=request.user, deadline=deadline)
    messages.success(
        request, _("« %(kind)s » est enregistrée comme faite.") % {"kind": deadline.get_kind_display()}
    )
    return redirect("deadlines:deadline_list")


# --- The personal iCalendar feed ------------------------------------------------------------------------------------


@require_POST
def calendar_feed_create(request):
    """Create the user's feed, or replace its address by a new one (the old one then answers 404)."""
    services.calendar_feed_issue(user=request.user)
    messages.success(
        request,
        _("Votre agenda a une nouvelle adresse secrète : ajoutez-la à votre logiciel d’agenda."),
    )
    return redirect(reverse("deadlines:deadline_list") + "#agenda")


@require_POST
def calendar_feed_revoke(request):
    if services.calendar_feed_revoke(user=request.user):
        messages.success(
            request, _("L’adresse de votre agenda est révoquée : elle ne donne plus accès à rien.")
        )
    return redirect(reverse("deadlines:deadline_list") + "#agenda")


@login_not_required
@require_safe
def calendar_feed(request, token):
    """Public: the feed's owner's open and overdue deadlines, reached by the feed's secret token (no session: a
    calendar application fetches it). 404 for an unknown, revoked or replaced token, or an inactive owner."""
    if not FEED_TOKEN.fullmatch(token):
        raise Http404
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"),
        token=token,
        revoked_at__isnull=True,
        user__is_active=True,
    )
    list_url = absolute_url(reverse("deadlines:deadline_list"))
    content = calendar_document(
        Deadline.objects.for_user(feed.user).pending().iterator(chunk_size=1000), list_url=list_url
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Notifications --------------------------------------------------------------------------------------------------


@require_GET
def notification_list(request):
    """The user's notifications, newest first; reading the page does not mark them read."""
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "deadlines/notification_list.html", {"page": page})


@require_POST
def notifications_mark_read(request):
    if services.notifications_mark_read(user=request.user):
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect("deadlines:notification_list")


def _local_path(url: str) -> bool:
    """A path on this site ("/echeances/"), never another site's address ("https://…", "//…", "/\\…")."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())


@require_POST
def notification_open(request, pk):
    """Mark one of the user's notifications read, then follow its link when it is a path on this site."""
    notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    services.notifications_mark_read(user=request.user, pk=notification.pk)
    if _local_path(notification.url):
        return redirect(notification.url)
    return redirect("deadlines:notification_list")
