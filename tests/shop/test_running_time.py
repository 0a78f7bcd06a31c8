"""How long a show runs: set by the organizer in the admin, told to the buyer on the
performance's page and the order's, and the end of the event in the buyer's calendar."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from events.models import Performance, Venue
from tests.events.test_one_hall import typed
from tests.sales.test_pricing_admin import form_of, page_of, saved
from tests.shop.test_after_paying import paid
from tests.support import make_performance

pytestmark = pytest.mark.django_db


def on_the_venues_clock_at_eight(perf, zone="America/Vancouver") -> Performance:
    Venue.objects.filter(pk=perf.venue_id).update(time_zone=zone)
    perf.refresh_from_db()
    local = perf.local().replace(hour=20, minute=0, second=0, microsecond=0)
    Performance.objects.filter(pk=perf.pk).update(starts_at=local)
    perf.refresh_from_db()
    return perf


def calendar_fields(client, order) -> dict:
    ics = client.get(f"/orders/{order.code}/{order.access_token}/calendar.ics").content.decode()
    return dict(line.split(":", 1) for line in ics.replace("\r\n ", "").split("\r\n") if ":" in line)


def test_the_organizer_sets_how_long_the_show_runs_within_a_day(client, organizer):
    perf = make_performance(rows=1, per_row=2)
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    form = {**form_of(client.get(url)), **typed(perf.starts_at, perf.venue.zone)}
    for minutes in ("0", "1441"):
        refused = client.post(url, {**form, "running_minutes": [minutes]})
        assert not saved(refused), minutes
        assert "A running time is more than 0 minutes and at most a day (1,440 minutes)." in page_of(refused)
    assert saved(client.post(url, {**form, "running_minutes": ["135"]}))
    perf.refresh_from_db()
    assert perf.running_minutes == 135 and perf.ends_at == perf.starts_at + timedelta(minutes=135)
    assert saved(client.post(url, {**form, "running_minutes": [""]}))  # optional
    perf.refresh_from_db()
    assert perf.running_minutes is None and perf.ends_at is None


def test_the_buyer_reads_how_long_the_show_runs_and_when_it_ends_on_the_venues_clock(client):
    perf = on_the_venues_clock_at_eight(make_performance(rows=1, per_row=3))
    Performance.objects.filter(pk=perf.pk).update(running_minutes=135)
    perf.refresh_from_db()
    for language, said in (("en", "About 2 h 15, ending around 22:15"),
                           ("fr", "Environ 2\u00a0h\u00a015, fin vers 22\u00a0h\u00a015")):
        page = unescape(client.get(f"/performances/{perf.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert said in page, language
    order = paid(perf, 1)
    page = unescape(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert "About 2 h 15, ending around 22:15" in page

    Performance.objects.filter(pk=perf.pk).update(running_minutes=45)
    page = unescape(client.get(f"/performances/{perf.pk}/").content.decode())
    assert "About 45 min, ending around 20:45" in page
    Performance.objects.filter(pk=perf.pk).update(running_minutes=None)
    page = unescape(client.get(f"/performances/{perf.pk}/").content.decode())
    assert "ending around" not in page


def test_the_calendar_event_ends_when_the_show_does_or_two_hours_after_its_start(client):
    perf = on_the_venues_clock_at_eight(make_performance(rows=1, per_row=3))
    order = paid(perf, 1)
    fields = calendar_fields(client, order)
    assert fields["DTSTART"] == f"{perf.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    assert fields["DTEND"] == f"{(perf.starts_at + timedelta(hours=2)).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    Performance.objects.filter(pk=perf.pk).update(running_minutes=135)
    fields = calendar_fields(client, order)
    assert fields["DTEND"] == f"{(perf.starts_at + timedelta(minutes=135)).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTEND"])


def test_another_date_of_a_show_runs_as_long(organizer):
    from events.services import performance_copy

    perf = make_performance(rows=1, per_row=2)
    Performance.objects.filter(pk=perf.pk).update(running_minutes=95)
    perf.refresh_from_db()
    other = performance_copy(perf, datetime(2031, 5, 2, 1, 0, tzinfo=UTC))
    assert other.running_minutes == 95
