"""The admin's moments are typed in two boxes, a date and a time: each box says which
field and which half it is, to a screen reader as to axe-core (no input without a name),
in the admin's language."""

import pytest

from tests.browser import axe_violations, login, open_page
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DATE_AND_TIME = "p.datetime input"


def pages(perf) -> list[str]:
    """Every admin form with a moment typed as a date and a time."""
    return [f"/admin/events/performance/{perf.pk}/change/", "/admin/events/performance/add/",
            "/admin/sales/waitingroom/add/", "/admin/sales/ballot/add/", "/admin/sales/presale/add/"]


def test_every_date_and_time_box_of_the_admin_has_a_name(browser, live_server):
    perf = make_performance(rows=1, per_row=4)  # its on-sale windows: a row of moments each
    boss = make_user("dates-boss", is_staff=True, is_superuser=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 900})
    login(context, boss, live_server)
    for url in pages(perf):
        page.goto(url)
        boxes = page.locator(DATE_AND_TIME)
        assert boxes.count() >= 2, url
        assert axe_violations(page, DATE_AND_TIME) == [], url
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    for name in ("Starts at — date", "Starts at — time", "Doors open at — date", "Doors open at — time"):
        assert page.get_by_role("textbox", name=name, exact=True).count() == 1, name
    # The on-sale windows' rows, one per channel, each with its moments.
    assert page.get_by_role("textbox", name="Opens at — date", exact=True).count() == perf.on_sale_windows.count() == 3
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    assert page.get_by_role("textbox", name="Début — heure", exact=True).count() == 1
    assert axe_violations(page, DATE_AND_TIME) == []
    context.close()


def test_no_note_compares_the_organizers_clock_with_a_server_clock(browser, live_server):
    """Django notes "You are N hours ahead of server time" beside every date and time when
    the browser's clock is not the page's: the box office types times on the venue's clock
    (which a change page names, and whose offset it gives the "Now" shortcut), or on the
    clock the form names; a venue not chosen yet has none to compare with. No such note,
    wherever the organizer is."""
    from datetime import datetime

    from django.utils import timezone

    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "Europe/Paris"
    perf.venue.save()
    boss = make_user("clock-boss", is_staff=True, is_superuser=True)
    for clock in ("Europe/Paris", "Asia/Tokyo"):  # at the venue, and far from it
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                      locale="en-CA", timezone_id=clock)
        login(context, boss, live_server)
        page = context.new_page()
        for url in pages(perf):
            page.goto(url)
            assert page.locator("p.datetime input").count() >= 2, url
            assert page.locator(".timezonewarning").evaluate_all(
                "notes => notes.filter(n => n.checkVisibility()).map(n => n.textContent)") == [], (clock, url)
            assert not page.get_by_text("server time").filter(visible=True).count(), (clock, url)
        page.goto(f"/admin/events/performance/{perf.pk}/change/")
        offset = datetime.now(perf.venue.zone).utcoffset().total_seconds()
        assert int(page.locator("body").get_attribute("data-admin-utc-offset")) == offset  # "Now" is the venue's
        assert perf.venue.zone.key in page.title()
        context.close()
    assert timezone.get_current_timezone_name() != "Europe/Paris"  # the box office's own clock is another


def typed_between(typed: tuple[str, str], before, after) -> bool:
    """The date and time "Today" and "Now" typed, read on the clock of `before` (aware),
    between `before` and `after` (the browser's and the server's clocks a second or two
    apart; to the minute if the time has no seconds)."""
    from datetime import datetime, timedelta

    day, clock = typed
    seconds = clock.count(":") == 2
    moment = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    moment = moment.replace(tzinfo=before.tzinfo)
    slack = timedelta(seconds=3) if seconds else timedelta(minutes=1)
    return before - slack <= moment <= after + slack


def test_a_new_performances_times_are_on_the_clock_of_the_venue_chosen(browser, live_server):
    """A performance being added has no venue, so no clock, until one is chosen: the note
    under its times says they are on the clock of the venue chosen above, then names that
    venue's zone; the admin's "Now" and "Today" give the chosen venue's time, not the box
    office's (settings.TIME_ZONE) nor the organizer's own."""
    from datetime import datetime

    from django.utils import timezone

    from events.models import Venue

    tokyo = Venue.objects.create(name="Tokyo hall", time_zone="Asia/Tokyo")
    paris = Venue.objects.create(name="Paris hall", time_zone="Europe/Paris")
    assert timezone.get_current_timezone_name() not in ("Asia/Tokyo", "Europe/Paris")
    boss = make_user("clock-adder", is_staff=True, is_superuser=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-CA", timezone_id="America/Vancouver")  # the organizer, elsewhere
    login(context, boss, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/admin/events/performance/add/")
    starts, time_box = page.locator(".field-starts_at"), page.get_by_role("textbox", name="Starts at — time")
    assert starts.locator(".help").filter(visible=True).inner_text().strip() == (
        "Times on the clock of the venue chosen above, its local time: choose it first.")
    assert "(its local time" not in page.locator(".field-doors_open_at .help").filter(visible=True).inner_text()

    def now_gives(venue):
        page.locator("#id_venue").select_option(str(venue.pk))
        note = f"Times on the clock of the venue ({venue.time_zone})"
        assert starts.locator(".help").filter(visible=True).inner_text().strip() == note
        assert page.locator(".field-doors_open_at .help").filter(visible=True).inner_text().strip() == note
        assert note in time_box.evaluate("box => document.getElementById("
                                         "box.getAttribute('aria-describedby')).innerText")  # said with the box
        before = datetime.now(venue.zone)
        starts.get_by_role("link", name="Today").click()
        starts.get_by_role("link", name="Now").click()
        after = datetime.now(venue.zone)
        typed = (page.locator("#id_starts_at_0").input_value(), time_box.input_value())
        assert typed_between(typed, before, after), (venue, typed, before, after)

    now_gives(tokyo)
    now_gives(paris)
    # A venue chosen by the link that opens the page (?venue=) is the clock from the start.
    page.goto(f"/admin/events/performance/add/?venue={tokyo.pk}")
    offset = datetime.now(tokyo.zone).utcoffset().total_seconds()
    assert int(page.locator("body").get_attribute("data-admin-utc-offset")) == offset
    assert starts.locator(".help").filter(visible=True).inner_text().strip() == (
        "Times on the clock of the venue (Asia/Tokyo)")
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto("/admin/events/performance/add/")
    assert starts.locator(".help").filter(visible=True).inner_text().strip() == (
        "Heures de la salle choisie ci-dessus, à son heure locale\u00a0: choisissez-la d’abord.")
    page.locator("#id_venue").select_option(str(paris.pk))
    assert starts.locator(".help").filter(visible=True).inner_text().strip() == "Heures de la salle (Europe/Paris)"
    context.close()


def test_a_venue_added_from_the_performances_form_gives_it_its_clock(browser, live_server):
    """The "+" beside the venue chooser adds a venue in a popup, and chooses it: the
    performance's times are then on its clock, as for a venue that was in the list (the
    note names its zone, "Now" gives its time), without reloading the page."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    tokyo = ZoneInfo("Asia/Tokyo")
    assert timezone.get_current_timezone_name() != "Asia/Tokyo"
    boss = make_user("clock-popup", is_staff=True, is_superuser=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-CA", timezone_id="America/Vancouver")
    login(context, boss, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/admin/events/performance/add/")
    with page.expect_popup() as opened:
        page.locator("#add_id_venue").click()
    popup = opened.value
    popup.locator("#id_name").fill("Tokyo hall")
    popup.locator("#id_time_zone").fill("Asia/Tokyo")
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    assert page.locator("#id_venue option:checked").inner_text() == "Tokyo hall"
    starts = page.locator(".field-starts_at")
    note = "Times on the clock of the venue (Asia/Tokyo)"
    page.wait_for_function("note => [...document.querySelectorAll('.field-starts_at .help')].some("
                           "n => n.checkVisibility() && n.innerText.trim() === note)", arg=note, timeout=5_000)
    offset = datetime.now(tokyo).utcoffset().total_seconds()
    assert int(page.locator("body").get_attribute("data-admin-utc-offset")) == offset
    before = datetime.now(tokyo)
    starts.get_by_role("link", name="Today").click()
    starts.get_by_role("link", name="Now").click()
    after = datetime.now(tokyo)
    time_box = page.get_by_role("textbox", name="Starts at — time")
    typed = (page.locator("#id_starts_at_0").input_value(), time_box.input_value())
    assert typed_between(typed, before, after), (typed, before, after)
    context.close()


def test_choosing_another_venue_for_a_performance_warns_its_times_move_to_that_clock(browser, live_server):
    """The times of a performance are shown on its venue's clock; chosen another venue on
    another clock, they are read on the new one's when saved: 20:00 stays 20:00 there, a
    different moment. The form says so under the times as soon as the venue is changed,
    naming both clocks, and under the venue, and says nothing for a venue on the same clock."""
    from playwright.sync_api import expect

    from events.models import Venue

    perf = make_performance(rows=1, per_row=4, on_sale=False)
    perf.venue.time_zone = "Europe/Paris"
    perf.venue.save()
    tokyo = Venue.objects.create(name="Tokyo hall", time_zone="Asia/Tokyo")
    lyon = Venue.objects.create(name="Lyon hall", time_zone="Europe/Paris")
    boss = make_user("clock-mover", is_staff=True, is_superuser=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 900})
    login(context, boss, live_server)
    page.set_default_timeout(15_000)
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    starts = page.locator(".field-starts_at")
    warning = starts.locator("[data-venue-clock-moved]")
    assert not warning.is_visible()
    page.locator("#id_venue").select_option(str(tokyo.pk))
    assert warning.is_visible()
    said = " ".join(warning.inner_text().split())
    assert said == ("Another venue: these times will be read on its clock (Asia/Tokyo), no longer on "
                    "Europe/Paris: the same hours, at another moment. Change them if the show keeps its moment.")
    assert said in page.get_by_role("textbox", name="Starts at — time").evaluate(
        "box => document.getElementById(box.getAttribute('aria-describedby')).innerText")  # said with the box
    assert axe_violations(page, ".field-starts_at") == []
    # Said where the venue is chosen as well, and with the chooser to a screen reader.
    at_venue = page.locator(".field-venue [data-venue-clock-moved]")
    assert at_venue.is_visible() and " ".join(at_venue.inner_text().split()) == said
    expect(page.get_by_role("combobox", name="Venue")).to_have_accessible_description(said)
    assert axe_violations(page, ".field-venue") == []
    page.locator("#id_venue").select_option(str(lyon.pk))  # the same clock: nothing moves
    assert not warning.is_visible() and not at_venue.is_visible()
    page.locator("#id_venue").select_option(str(perf.venue.pk))
    assert not warning.is_visible() and not at_venue.is_visible()
    page.locator("#id_venue").select_option(str(tokyo.pk))
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    page.locator("#id_venue").select_option(str(tokyo.pk))
    assert "(Asia/Tokyo)" in warning.inner_text() and "Europe/Paris" in warning.inner_text()
    assert "Another venue" not in warning.inner_text()
    context.close()
