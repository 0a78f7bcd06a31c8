"""The waiting room as a fan lives it on a phone (390 × 844, touch), in English and in
French: the opening time, the network lost for a moment, what a screen reader hears."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sales import waiting_room
from sales.models import WaitingRoom
from tests.browser import axe_violations
from tests.support import make_performance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def phone(browser, live_server, locale="en-CA", time_zone="America/Toronto", javascript=True):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True,
                                  locale=locale, timezone_id=time_zone, bypass_csp=True,
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def room_for(perf, opens_in, per_minute=60):
    room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() + opens_in,
                                      admit_per_minute=per_minute)
    waiting_room.publish(room)
    return room


def test_the_opening_names_the_venues_clock_and_gives_the_fans_own_time_when_it_differs(browser, live_server):
    """A fan in Paris waiting for a Toronto on-sale: "opens … 10:12" alone is six hours
    off on their phone's clock. The page names the venue's clock and, where the phone's
    differs, says the time on it too; a fan on the venue's clock is not told twice."""
    perf = make_performance(rows=1, per_row=4)
    assert perf.venue.time_zone == "America/Toronto"
    room = room_for(perf, opens_in=timedelta(hours=3))
    theirs = timezone.localtime(room.opens_at, ZoneInfo("Europe/Paris"))
    on_their_clock = re.compile(rf"\b0?{theirs.hour % 12 or 12}\D{{1,4}}{theirs.minute:02d}\b|"
                                rf"\b0?{theirs.hour}\D{{1,4}}{theirs.minute:02d}\b")
    for locale, venue_clock, yours in (("en-CA", "Toronto time", "Where you are:"),
                                       ("fr-CA", "heure de Toronto", "Chez vous :")):
        context, page = phone(browser, live_server, locale=locale, time_zone="Europe/Paris")
        page.goto(f"/performances/{perf.pk}/")
        page.wait_for_url(f"**/performances/{perf.pk}/queue/")
        opens = page.locator("#queue-opens")
        expect(opens).to_contain_text(venue_clock)
        expect(opens).to_contain_text(yours)
        assert on_their_clock.search(opens.inner_text().split(yours)[1]), opens.inner_text()
        assert axe_violations(page, "body") == []
        context.close()
        context, page = phone(browser, live_server, locale=locale, time_zone="America/Toronto")
        page.goto(f"/performances/{perf.pk}/queue/")
        expect(page.locator("#queue-opens")).to_contain_text(venue_clock)
        assert yours not in page.locator("#queue-opens").inner_text()
        context.close()
