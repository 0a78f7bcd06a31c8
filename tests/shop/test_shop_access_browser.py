"""The shop for a shopper who zooms, uses the keyboard alone or a forced-colours (high
contrast) theme: the demo's basket at 400 % zoom, buttons drawn in a forced-colours theme."""

import pytest

from events.models import Performance
from tests.browser import axe_violations, open_page, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# 1280 CSS pixels zoomed to 400 %: the 320 px of WCAG's reflow rule.
ZOOMED = {"width": 320, "height": 256}

WIDER_THAN_THE_VIEW = """() => [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')).slice(0, 5)"""


@pytest.fixture
def demo():
    from sales.demo import load_demo

    load_demo()
    return Performance.objects.filter(event__title__startswith="Les").order_by("starts_at").first()


def hold_two_with_the_keyboard(page, perf):
    """A section opened with Enter, two seats side by side picked with the arrows, held."""
    page.goto(f"/performances/{perf.pk}/")
    page.locator(".section-link").nth(1).focus()
    page.keyboard.press("Enter")
    page.locator("#seatmap .seat").first.wait_for()
    for _ in range(3):  # the section's heading has the focus: its zoom buttons, then the map
        page.keyboard.press("Tab")
    for key in ("ArrowDown", "Enter", "ArrowRight", "Enter"):
        page.keyboard.press(key)
    page.locator("#hold-picked").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/basket/")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_basket_at_400_percent_zoom_reads_without_scrolling_sideways(browser, live_server, demo, language):
    context, page = open_page(browser, live_server, ZOOMED)
    if language == "fr":
        page.goto("/")
        page.locator("button[value=fr]").click()
    hold_two_with_the_keyboard(page, demo)
    assert page.locator("#basket-places tbody tr").count() == 2
    assert page.evaluate(WIDER_THAN_THE_VIEW) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert axe_violations(page, "main") == []
    screenshot(page, f"basket-zoomed-{language}")
    context.close()


def test_buttons_keep_their_outline_in_a_forced_colours_theme(browser, live_server, demo):
    """A forced-colours theme (Windows' high contrast) draws a button's background in the
    page's colour: only its border says it is a button."""
    context, page = open_page(browser, live_server, {"width": 1280, "height": 800})
    page.emulate_media(forced_colors="active")
    hold_two_with_the_keyboard(page, demo)
    for path in (f"/performances/{demo.pk}/", "/basket/"):
        page.goto(path)
        unframed = page.evaluate("""() => [...document.querySelectorAll('main button, main a.button')]
            .filter(b => b.offsetParent !== null && !b.classList.contains('link'))  // a link's underline
            .filter(b => { const s = getComputedStyle(b);
                return !(parseFloat(s.borderTopWidth) >= 1 && s.borderTopStyle !== 'none'
                         && s.borderTopColor !== 'rgba(0, 0, 0, 0)'); })
            .map(b => b.id || b.textContent.trim())""")
        assert unframed == [], (path, unframed)
    screenshot(page, "basket-forced-colours")
    context.close()


def test_the_last_minute_warning_offers_more_time_to_the_keyboard_and_keeps_the_focus(browser, live_server):
    """WCAG's adjustable time limits: warned a minute before the hold lapses, a buyer still
    typing asks for more time with one key, from where they were, and is told how long."""
    from datetime import timedelta

    from django.utils import timezone

    from sales.models import Hold, Place
    from tests.support import make_performance, places_of

    perf = make_performance(rows=2, per_row=6)
    context, page = open_page(browser, live_server, {"width": 390, "height": 844})
    page.goto(f"/performances/{perf.pk}/")
    page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[0].pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    hold = Hold.objects.get(status=Hold.Status.ACTIVE)
    soon = timezone.now() + timedelta(seconds=65)
    Hold.objects.filter(pk=hold.pk).update(expires_at=soon)
    Place.objects.filter(hold=hold).update(hold_expires_at=soon)
    page.clock.install()
    page.reload()
    page.get_by_label("Email").fill("camille@example.org")
    page.locator("#pay").focus()
    page.clock.run_for(6_000)
    warning = page.locator("#hold-warning")
    assert warning.is_visible()
    more = warning.get_by_role("button", name="More time")
    assert more.count() == 1
    page.keyboard.press("Tab")  # from Pay, the next stop: the warning's button
    assert page.evaluate("() => document.activeElement.id") == "more-time"
    page.keyboard.press("Enter")
    said = page.get_by_role("status").filter(has_text="Your seats are now held for 10 minutes.")
    said.wait_for()
    assert said.is_visible()
    hold.refresh_from_db()
    assert hold.expires_at > timezone.now() + timedelta(minutes=9)
    assert Place.objects.get(hold=hold).hold_expires_at == hold.expires_at
    assert warning.is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "pay"  # back where the buyer was
    assert page.locator("#countdown .clock").inner_text().startswith(("9:", "10:"))
    # The channel's longest hold reached meanwhile: asked again, it says so, and the button goes.
    Hold.objects.filter(pk=hold.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    page.clock.run_for(541_000)
    assert warning.is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Your seats cannot be held any longer").wait_for()
    assert more.count() == 0
    assert page.evaluate("() => document.activeElement.id") == "pay"
    assert axe_violations(page, "main") == []
    context.close()


def test_a_screen_reader_meets_the_seat_map_as_a_grid_of_rows(browser, live_server, demo):
    """A section of 700 seats, read by a screen reader: a grid, so that it switches to the
    map's own keys (the arrows) in it, and moves by row with its table commands, the eleventh
    row in ten steps, not 350 seats read one after the other; each seat a checkbox in its cell,
    named by section, row, number and prices, unavailable when taken."""
    from django.utils import timezone

    from sales import inventory
    from sales.models import Place

    context, page = open_page(browser, live_server, {"width": 1280, "height": 800})
    page.goto(f"/performances/{demo.pk}/")
    link = page.locator(".section-link").nth(1)
    name = link.locator("strong").inner_text()
    link.focus()
    page.keyboard.press("Enter")
    page.locator("#seatmap .seat").first.wait_for()
    grid = page.get_by_role("grid", name=name)
    rows = grid.get_by_role("row")
    assert rows.count() == 20
    row_l = rows.nth(10).get_by_role("checkbox")  # the eleventh row: L, the hall has no row I
    assert row_l.count() == 35
    assert row_l.first.get_attribute("aria-label").startswith(f"{name}, row L, seat 1, Adult $")
    assert all(", row L, " in row_l.nth(i).get_attribute("aria-label") for i in (0, 17, 34))
    taken = int(row_l.nth(17).get_attribute("data-id"))
    inventory.block(performance=demo, place_ids=[taken], now=timezone.now())
    assert Place.objects.get(pk=taken).state == "blocked"
    page.locator(f'#seatmap .seat.taken[data-id="{taken}"]').wait_for(timeout=10_000)
    assert rows.nth(10).get_by_role("checkbox", disabled=True).count() == 1
    assert axe_violations(page, "#seatmap-box") == []
    context.close()


def test_escape_dismisses_a_seats_tooltip_and_leaves_the_focus_on_the_seat(browser, live_server):
    """A seat's tooltip covers the seats around it: Escape hides it (WCAG's content on hover
    or focus), for the keyboard as for the mouse, and the seat keeps the focus."""
    from tests.support import make_performance, places_of

    perf = make_performance(rows=3, per_row=6)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 800})
    page.goto(f"/performances/{perf.pk}/")
    tip = page.locator("#seat-tip")
    first = page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[0].pk}"]')
    first.wait_for()
    first.focus()
    page.keyboard.press("ArrowRight")
    assert tip.is_visible()
    focused = page.evaluate("() => document.activeElement.dataset.id")
    page.keyboard.press("Escape")
    assert tip.is_hidden()
    assert page.evaluate("() => document.activeElement.dataset.id") == focused
    page.keyboard.press("ArrowRight")  # the next seat says its own again
    assert tip.is_visible()
    page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[8].pk}"]').hover()
    assert tip.inner_text().endswith("row B, seat 3, $50.00")
    page.keyboard.press("Escape")
    assert tip.is_hidden()
    context.close()
