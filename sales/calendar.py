"""An order's performance as an iCalendar event (RFC 5545), for the buyer's own calendar:
the show, its start and end (in UTC, so that every calendar puts them at the right moment
whatever its own zone), the venue and its address, and in the description the doors, the
places and the link back to the order, in the buyer's language."""

from __future__ import annotations

import unicodedata
from datetime import UTC, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import when

from .formatting import at_venue
from .models import Order
from .notifications import mail_domain, order_link

# How long the event lasts in the buyer's calendar when the organizer has not said how long
# the show runs (Performance.running_minutes): a calendar shows an event without an end as
# a moment, not an evening taken.
UNSAID_LENGTH = timedelta(hours=2)


def order_calendar(order: Order, tickets) -> str:
    """The .ics of `order` (its valid `tickets` listed), lines ended by CRLF and folded at
    75 octets as the format wants."""
    perf = order.performance
    with translation.override(order.language or None):
        about = [_("Order %(code)s") % {"code": order.code}]
        if perf.doors_open_at:
            # Read by a person: the time as their language writes it ("19 h" in French).
            about.append(f'{_("Doors open")} {when(at_venue(perf.doors_open_at, perf), "H:i")}')
        about += [str(t.place) for t in tickets]
        about.append(order_link(order))
        lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{mail_domain()}//Box office//EN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            f"UID:{order.code}-{perf.pk}@{mail_domain()}",
            f"DTSTAMP:{_utc(timezone.now())}",
            f"DTSTART:{_utc(perf.starts_at)}",
            f"DTEND:{_utc(perf.ends_at or perf.starts_at + UNSAID_LENGTH)}",
            f"SUMMARY:{_text(perf.event.title)}",
            f"LOCATION:{_text(', '.join(filter(None, (perf.venue.name, perf.venue.address))))}",
            f"DESCRIPTION:{_text(chr(10).join(about))}",
            f"URL:{order_link(order)}",
            "END:VEVENT", "END:VCALENDAR",
        ]
    return "".join(_folded(line) + "\r\n" for line in lines)


def _utc(moment) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, a new line (CRLF, or a bare CR
    or LF, or Unicode's line and paragraph separators, at which calendars split lines too)
    as \\n, and no other control character (the format allows none but the tab)."""
    text = (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n")
            .replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n"))
    return "".join("\\n" if c == "\n" else c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")


def _folded(line: str) -> str:
    """`line` cut into lines of at most 75 octets (in UTF-8, never inside a character),
    each after the first starting with a space."""
    parts, part, room = [], "", 75
    for ch in line:
        if len((part + ch).encode()) > room:
            parts.append(part)
            part, room = "", 74  # the space that starts a continued line counts
        part += ch
    parts.append(part)
    return "\r\n ".join(parts)
