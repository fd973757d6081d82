"""The personal deadline feed as iCalendar text (RFC 5545), written by hand: one all-day event per deadline."""

import datetime
import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from labelsp.deadlines.enums import DeadlineStatus
from labelsp.deadlines.models import Deadline

ICAL_UID_DOMAIN = "services-publics-plus"


def ical_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped; other control
    characters, which TEXT may not hold, dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", "", text)


def ical_fold(line: str, limit: int = 75) -> str:
    """Fold a content line at `limit` octets (RFC 5545 §3.1), never inside a UTF-8 character: each continuation line
    starts with one space, counted in its octets."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def _ical_date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _event_lines(deadline: Deadline, *, stamp: str, list_url: str) -> list[str]:
    service = deadline.service or deadline.certification_body
    summary = (
        deadline.get_kind_display() if service is None else f"{deadline.get_kind_display()} — {service.name}"
    )
    lines = [_("Échéance le %(date)s.") % {"date": date_format(deadline.due_on, "j F Y")}]
    if deadline.window_start and deadline.window_end:
        lines.append(
            _("Période admise : du %(start)s au %(end)s.")
            % {
                "start": date_format(deadline.window_start, "j F Y"),
                "end": date_format(deadline.window_end, "j F Y"),
            }
        )
    lines.append(_("Doit agir : %(actor)s.") % {"actor": deadline.get_actor_display()})
    if deadline.status == DeadlineStatus.OVERDUE:
        lines.append(_("Cette échéance est dépassée."))
    description = "\n".join(lines)
    return [
        "BEGIN:VEVENT",
        f"UID:{ical_escape(deadline.key)}@{ICAL_UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_ical_date(deadline.due_on)}",
        f"DTEND;VALUE=DATE:{_ical_date(deadline.due_on + datetime.timedelta(days=1))}",
        f"SUMMARY:{ical_escape(summary)}",
        f"DESCRIPTION:{ical_escape(description)}",
        f"URL:{list_url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def calendar_document(deadlines, *, list_url: str, now: datetime.datetime | None = None) -> str:
    """The iCalendar text of `deadlines`: one all-day event on each due date, CRLF line endings, folded lines."""
    now = now or timezone.now()
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = _("Services Publics + — mes échéances")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//DITP//Services Publics +//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(name)}",
    ]
    for deadline in deadlines:
        lines += _event_lines(deadline, stamp=stamp, list_url=list_url)
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)
