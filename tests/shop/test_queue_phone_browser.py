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
                                       ("fr-CA", "heure de Toronto", "Chez vous\u00a0:")):
        context, page = phone(browser, live_server, locale=locale, time_zone="Europe/Paris")
        page.goto(f"/performances/{perf.pk}/")
        page.wait_for_url(f"**/performances/{perf.pk}/queue/")
        opens = page.locator("#queue-opens")
        expect(opens).to_contain_text(venue_clock)
        expect(opens).to_contain_text(yours)
        whole_french_hour = locale.startswith("fr") and not theirs.minute  # "4 h": no minutes to find
        assert on_their_clock.search(opens.inner_text().split(yours)[1]) or whole_french_hour, opens.inner_text()
        if locale.startswith("fr"):  # French typography's clock, as the page's own times: "4 h 05", "4 h"
            clock = f"{theirs.hour}\u00a0h" + (f"\u00a0{theirs.minute:02d}" if theirs.minute else "")
            assert clock in opens.inner_text(), opens.inner_text()
        assert axe_violations(page, "body") == []
        context.close()
        context, page = phone(browser, live_server, locale=locale, time_zone="America/Toronto")
        page.goto(f"/performances/{perf.pk}/queue/")
        expect(page.locator("#queue-opens")).to_contain_text(venue_clock)
        assert yours not in page.locator("#queue-opens").inner_text()
        context.close()


def test_a_phone_losing_the_network_is_told_and_catches_up_as_soon_as_it_is_back(browser, live_server):
    """Far back, the page asks every 30 s. The phone loses the network: the page says so at
    once (not a position frozen as if all were well), and when the network is back it asks
    at once, instead of showing for up to 30 s a queue that changed meanwhile."""
    perf = make_performance(rows=1, per_row=4)
    room = room_for(perf, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(perf.pk)
    for locale, lost in (("en-CA", "The connection is lost"), ("fr-CA", "La connexion est perdue")):
        room.admit_per_minute = 1
        room.save()
        waiting_room.publish(room)
        for _ahead in range(6):
            waiting_room.join(perf.pk, waiting_room.new_visitor())
        context, page = phone(browser, live_server, locale=locale)
        page.goto(f"/performances/{perf.pk}/queue/")
        status = page.locator("#queue-status")
        expect(status).to_contain_text(re.compile(r"\d+ (people ahead of you|personnes devant vous)"))
        notice = page.locator("#queue-offline")
        assert not notice.is_visible()
        context.set_offline(True)
        expect(notice).to_contain_text(lost, timeout=5_000)
        assert axe_violations(page, "body") == []
        room.admit_per_minute = 0  # meanwhile the organizer stops admission
        room.save()
        waiting_room.publish(room)
        context.set_offline(False)
        expect(notice).to_be_hidden(timeout=5_000)
        expect(page.locator("#queue-stopped")).to_be_visible(timeout=5_000)
        context.close()


def test_a_screen_reader_hears_the_queue_politely_not_at_every_poll(browser, live_server):
    """The status was one live region replaced whole at every poll (every 3 s near the
    front, every second before the opening): a screen reader either heard nothing (a new
    region) or the whole card again and again. A polite region that stays put says the
    position at most once a minute, and a change of state (admission stopped) at once."""
    perf = make_performance(rows=1, per_row=4)
    room = room_for(perf, opens_in=timedelta(seconds=-1), per_minute=60)
    waiting_room.draw(perf.pk)
    for _ahead in range(40):
        waiting_room.join(perf.pk, waiting_room.new_visitor())
    for locale, stopped in (("en-CA", "The organizer has stopped letting people in"),
                            ("fr-CA", "L’organisateur a suspendu les entrées")):
        room.admit_per_minute = 60
        room.save()
        waiting_room.publish(room)
        context, page = phone(browser, live_server, locale=locale)
        page.goto(f"/performances/{perf.pk}/queue/")
        assert page.locator("#queue-status").get_attribute("aria-live") is None
        heard = page.locator('[aria-live="polite"]')
        assert heard.count() == 1
        page.evaluate("""() => {
            const region = document.querySelector('[aria-live="polite"]');
            region.dataset.kept = 'yes';
            window.saidTimes = 0;
            new MutationObserver(() => { window.saidTimes += 1; })
                .observe(region, {childList: true, characterData: true, subtree: true});
        }""")
        if locale == "en-CA":  # (how often it speaks is the same in either language)
            first = page.locator("#queue-status .big").inner_text()
            page.wait_for_function(  # two polls at least, the position moving each time
                "first => document.querySelector('#queue-status .big').innerText !== first", arg=first,
                timeout=20_000)
            page.wait_for_timeout(7_000)
            assert page.evaluate("window.saidTimes") == 0
        room.admit_per_minute = 0
        room.save()
        waiting_room.publish(room)
        expect(heard).to_contain_text(stopped, timeout=15_000)
        assert heard.get_attribute("data-kept") == "yes"
        assert re.search(r"\d+ (people ahead of you|personnes devant vous)", heard.inner_text())
        assert axe_violations(page, "body") == []
        context.close()


def test_a_fan_let_in_from_the_queue_is_told_it_is_their_turn(browser, live_server):
    """Let in, the page just became the show's page, like any other visit: nothing said it
    was the fan's turn. The first page after the queue says so, in their language, and a
    reload (or any later page) does not say it again."""
    perf = make_performance(rows=1, per_row=4)
    room_for(perf, opens_in=timedelta(seconds=-1), per_minute=20)
    waiting_room.draw(perf.pk)
    waiting_room.join(perf.pk, waiting_room.new_visitor())  # one ahead: let in 3 s later
    for locale, said in (("en-CA", "It's your turn"), ("fr-CA", "C’est votre tour")):
        context, page = phone(browser, live_server, locale=locale)
        page.goto(f"/performances/{perf.pk}/")
        page.wait_for_url(f"**/performances/{perf.pk}/", timeout=30_000)
        assert "admitted" not in page.url
        expect(page.locator(".messages")).to_contain_text(said)
        assert axe_violations(page, "body") == []
        page.reload()
        expect(page.locator("#seatmap, .seatmap, main").first).to_be_visible()
        assert said not in page.locator("main").inner_text()
        context.close()


def test_a_page_back_in_view_from_a_background_tab_catches_up_at_once(browser, live_server):
    """A tab left in the background has its timers slowed by the browser (to once a minute
    and more): back in view, the page asks at once rather than showing a stale queue."""
    perf = make_performance(rows=1, per_row=4)
    room = room_for(perf, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(perf.pk)
    for _ahead in range(6):
        waiting_room.join(perf.pk, waiting_room.new_visitor())
    context, page = phone(browser, live_server)
    page.goto(f"/performances/{perf.pk}/queue/")  # far back: the next poll in about 30 s
    expect(page.locator("#queue-status")).to_contain_text("6 people ahead of you")
    room.admit_per_minute = 0
    room.save()
    waiting_room.publish(room)
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    expect(page.locator("#queue-stopped")).to_be_visible(timeout=5_000)
    context.close()
