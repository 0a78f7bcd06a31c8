"""Each venue has a clock: a 20:00 show in Toronto reads 20:00 in the shop, the emails,
the tickets, at the door and in the admin, whatever the server's clock says."""

import base64
import re
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from events.models import Venue
from sales.notifications import send_confirmation
from sales.policy import DOOR_STAFF
from sales.tickets_pdf import order_pdf
from tests.sales.test_check_in import sell
from tests.support import make_performance, make_user, signed_in

pytestmark = pytest.mark.django_db
TORONTO = ZoneInfo("America/Toronto")


def test_a_venue_takes_the_servers_zone_by_default_and_only_real_zones(settings):
    assert Venue.objects.create(name="Hall").time_zone == settings.TIME_ZONE
    Venue(name="Quay", time_zone="Europe/Paris").full_clean()
    for wrong in ("Mars/Olympus", "", "../../etc/passwd", "america/toronto"):
        with pytest.raises(ValidationError):
            Venue(name="Nowhere", time_zone=wrong).full_clean()


@pytest.fixture
def toronto_show(settings):
    """A winter show at 20:00 in Toronto (01:00 the next day in UTC), on a server in UTC."""
    settings.TIME_ZONE = "UTC"
    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "America/Toronto"
    perf.venue.save()
    perf.starts_at = datetime(2031, 1, 17, 20, 0, tzinfo=TORONTO)
    perf.doors_open_at = datetime(2031, 1, 17, 19, 0, tzinfo=TORONTO)
    perf.save()
    return perf


def test_the_shop_shows_the_venues_time(client, toronto_show):
    page = client.get(f"/performances/{toronto_show.pk}/").content.decode()
    assert "Friday 17 January 2031, 20:00" in page and "19:00" in page
    assert "01:00" not in page and "Saturday 18 January" not in page
    assert "Friday 17 January 2031, 20:00" in client.get("/").content.decode()


def test_the_email_and_the_tickets_show_the_venues_time(toronto_show):
    ticket, = sell(toronto_show)
    send_confirmation(ticket.order_id)
    body = mail.outbox[-1].body
    assert "Friday 17 January 2031, 20:00" in body and "01:00" not in body
    pdf = order_pdf(ticket.order)
    text = pdf + b"".join(_inflated(s) for s in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S))
    assert b"2031-01-17 20:00" in text and b"2031-01-18 01:00" not in text


def _inflated(stream: bytes) -> bytes:
    """A page's content stream as text (reportlab writes it ASCII85, then Flate)."""
    stream = stream.strip()
    try:
        if stream.endswith(b"~>"):
            stream = base64.a85decode(stream, adobe=True)
        return zlib.decompressobj().decompress(stream)
    except (ValueError, zlib.error):
        return b""


def test_the_door_shows_the_venues_time(toronto_show):
    page = signed_in(make_user("door1", DOOR_STAFF)).get(f"/door/performances/{toronto_show.pk}/").content.decode()
    assert "Fri 17 Jan 20:00" in page


def test_the_admin_shows_and_takes_times_on_the_venues_clock(organizer, toronto_show):
    admin = signed_in(organizer)
    listing = admin.get("/admin/events/performance/").content.decode()
    assert "Fri 17 Jan 2031 20:00 (America/Toronto)" in listing
    form = admin.get(f"/admin/events/performance/{toronto_show.pk}/change/").content.decode()
    assert 'value="20:00:00"' in form and "America/Toronto" in form
    assert str(toronto_show) == f"{toronto_show.event} — 2031-01-17 20:00"
