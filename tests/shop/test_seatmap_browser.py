"""The seat map of the demo's 3,500 seats in a real browser, on a desktop and on a phone:
tap and keyboard picking, tap target sizes, every seat hit at its centre in every section,
the seat states' contrast as the browser computes it, live updates, axe-core."""


import pytest
from playwright.sync_api import expect

from events.models import Channel, Performance
from sales.availability import seat_rows
from sales.seatmap import pitch, sections_of
from tests.browser import axe_violations, open_page, screenshot
from tests.support import make_performance, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DESKTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}

# WCAG's contrast ratio between two colours as the browser computes them ("rgb(r, g, b)").
CONTRAST = """([a, b]) => {
    const lum = c => { const [r, g, bl] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
        v = v / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}"""


@pytest.fixture
def demo():
    from django.utils import timezone

    from sales.demo import load_demo

    load_demo()
    perf = Performance.objects.filter(event__title__startswith="Les").order_by("starts_at").first()
    seats, _box = seat_rows(perf, timezone.now(), Channel.ONLINE)
    sections = sections_of(seats)
    densest = min(sections, key=lambda s: pitch(s.rows()))
    return perf, sections, densest


def open_section(page, perf, section):
    page.goto(f"/performances/{perf.pk}/")
    page.locator(f'.section-link[data-section="{section.id}"]').click()
    page.locator(f'#seatmap[data-section="{section.id}"] .seat').first.wait_for()


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_tap_two_seats_in_the_densest_section(browser, live_server, demo, viewport, name):
    from django.utils import timezone

    from sales import inventory

    perf, _sections, densest = demo
    context, page = open_page(browser, live_server, viewport, touch=name == "phone")
    page.goto(f"/performances/{perf.pk}/")
    page.evaluate("() => document.getElementById('map-h').scrollIntoView()")
    screenshot(page, f"seatmap-{name}-overview")
    page.locator(f'.section-link[data-section="{densest.id}"]').click()
    seats = page.locator(f'#seatmap[data-section="{densest.id}"] .seat:not(.taken)')
    seats.first.wait_for()
    # A tap target at least 24 px wide, even on the phone.
    hit = page.locator("#seatmap .seat .hit").first.bounding_box()
    assert hit["width"] >= 24 and hit["height"] >= 24, hit
    # The stage label lies inside the drawing, not cut by its edge, and the view opens on it.
    stage, svg = page.locator("#seatmap .stage").bounding_box(), page.locator("#seatmap").bounding_box()
    assert svg["y"] <= stage["y"] and stage["y"] + stage["height"] <= svg["y"] + svg["height"]
    assert svg["x"] <= stage["x"] and stage["x"] + stage["width"] <= svg["x"] + svg["width"]
    view = page.locator(".map-scroll").bounding_box()
    assert view["x"] <= stage["x"] + stage["width"] / 2 <= view["x"] + view["width"]
    assert page.locator("#seatmap .row-label").count() == 2 * 20
    assert page.evaluate("() => document.activeElement.id") == "section-h"  # the opened section is announced
    assert axe_violations(page, "#seatmap-box") == []
    first, second = seats.nth(0), seats.nth(1)
    for seat in (first, second):
        seat.scroll_into_view_if_needed()
        seat.tap() if name == "phone" else seat.click()
    assert first.get_attribute("aria-checked") == "true" and second.get_attribute("aria-checked") == "true"
    assert page.locator("#picked-count").inner_text() == "2 selected"
    label = first.get_attribute("aria-label")
    assert label.startswith(f"{densest.name}, row A, seat ") and "$" in label
    first.hover() if name == "desktop" else first.focus()
    assert page.locator("#seat-tip").inner_text() == label
    # Sold elsewhere meanwhile: the seat turns taken on this map without a reload.
    third = seats.nth(2)
    sold = int(third.get_attribute("data-id"))
    inventory.block(performance=perf, place_ids=[sold], now=timezone.now())
    page.locator(f'#seatmap .seat.taken[data-id="{sold}"]').wait_for(timeout=10_000)
    assert page.locator(f'#seatmap .seat[data-id="{sold}"]').get_attribute("aria-disabled") == "true"
    # Every state keeps 3:1 against the map's background as the browser draws it, and
    # differs by a mark as well: a cross when taken, a tick when yours.
    colours = page.evaluate("""(sold) => {
        const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
        const free = '#seatmap .seat:not(.taken):not(.picked)';
        return {
            background: css('.map-scroll', 'backgroundColor'),
            free: css(free + ' .dot', 'stroke'),
            taken: css(`#seatmap .seat[data-id="${sold}"] .dot`, 'stroke'),
            takenMark: css(`#seatmap .seat[data-id="${sold}"] .mark`, 'stroke'),
            takenMarkShown: css(`#seatmap .seat[data-id="${sold}"] .mark`, 'display'),
            picked: css('#seatmap .seat.picked .dot', 'fill'),
            pickedTickShown: css('#seatmap .seat.picked .tick', 'display'),
            freeMarks: css(free + ' .mark', 'display') + css(free + ' .tick', 'display'),
        };
    }""", sold)
    for state in ("free", "taken", "takenMark", "picked"):
        assert page.evaluate(CONTRAST, [colours[state], colours["background"]]) >= 3, (state, colours)
    assert colours["takenMarkShown"] != "none" and colours["pickedTickShown"] != "none"
    assert colours["freeMarks"] == "nonenone"
    first.focus()
    ring = page.evaluate("() => getComputedStyle(document.activeElement.querySelector('.hit')).stroke")
    assert page.evaluate(CONTRAST, [ring, colours["background"]]) >= 3
    screenshot(page, f"seatmap-{name}-section")
    # One of the chosen seats taken meanwhile: dropped from the choice, and said so.
    inventory.block(performance=perf, place_ids=[int(second.get_attribute("data-id"))], now=timezone.now())
    page.locator(f'#seatmap .seat.taken[data-id="{second.get_attribute("data-id")}"]').wait_for(timeout=10_000)
    assert page.locator("#picked-count").inner_text() == (
        "A seat you chose was just taken by another buyer. 1 selected")
    # The next poll: still said, until the shopper changes their choice, and not said again
    # (the count is a live region: a screen reader reads out each change of its text).
    page.evaluate("""() => { window.countChanges = 0; new MutationObserver(() => { window.countChanges += 1; })
        .observe(document.getElementById('picked-count'), {childList: true, characterData: true, subtree: true}); }""")
    page.wait_for_timeout(4_000)
    assert page.locator("#picked-count").inner_text().startswith("A seat you chose was just taken")
    assert page.evaluate("() => window.countChanges") == 0
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    assert page.locator("#basket-places tbody tr").count() == 1
    context.close()


def test_keyboard_only_one_tab_stop_arrows_and_enter(browser, live_server, demo):
    perf, _sections, densest = demo
    context, page = open_page(browser, live_server, DESKTOP)
    page.goto(f"/performances/{perf.pk}/")
    link = page.locator(f'.section-link[data-section="{densest.id}"]')
    link.focus()
    page.keyboard.press("Enter")
    page.locator(f'#seatmap[data-section="{densest.id}"]').wait_for()

    def focused():
        return page.evaluate("() => [document.activeElement.getAttribute('class'), "
                             "document.activeElement.dataset.id || null, document.activeElement.dataset.row || null]")

    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(focused())
        if stops[-1][0] and "seat" in stops[-1][0].split():
            break
    assert stops[-1][0].startswith("seat"), stops
    start = stops[-1]
    page.keyboard.press("ArrowRight")
    right = focused()
    assert right[2] == start[2] and right[1] != start[1]
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    below = focused()
    assert below[2] == str(int(start[2]) + 1)
    page.keyboard.press(" ")
    assert page.locator("#picked-count").inner_text() == "2 selected"
    # One Tab stop: the next Tab leaves the map.
    page.keyboard.press("Tab")
    assert "seat" not in (focused()[0] or "").split()
    page.keyboard.press("Shift+Tab")
    assert focused()[1] == below[1]  # back to the seat last visited
    page.locator("#hold-picked").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/basket/")
    assert page.locator("#basket-places tbody tr").count() == 2
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_seat_centre_hits_that_seat_in_every_section(browser, live_server, demo, viewport):
    """Each section opened in turn, as a shopper moving between them would: each one at tap
    size, and each seat's centre, scrolled into view, hits that seat and no other."""
    perf, sections, _densest = demo
    context, page = open_page(browser, live_server, viewport, touch=viewport is PHONE)
    page.goto(f"/performances/{perf.pk}/")
    for section in sections:
        page.locator(f'.section-link[data-section="{section.id}"]').click()
        page.locator(f'#seatmap[data-section="{section.id}"] .seat').first.wait_for()
        page.wait_for_function("() => document.getElementById('seatmap').style.width !== ''")
        misses = page.evaluate("""() => {
            const misses = [];
            let smallest = Infinity;
            for (const seat of document.querySelectorAll('#seatmap .seat')) {
                seat.scrollIntoView({block: 'center', inline: 'center'});
                const r = seat.querySelector('.hit').getBoundingClientRect();
                smallest = Math.min(smallest, r.width, r.height);
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                if (!hit || hit.closest('.seat') !== seat) misses.push(seat.dataset.id);
            }
            return [misses, document.querySelectorAll('#seatmap .seat').length, smallest];
        }""")
        assert misses[0] == [] and misses[1] == section.total, (section.name, misses[0][:5])
        assert misses[2] >= 24, (section.name, misses[2])
    assert axe_violations(page, "#seatmap-box") == []
    context.close()


def test_ctrl_wheel_zooms_around_the_pointer_drag_pans_and_pinch_zooms(browser, live_server, demo):
    perf, _sections, densest = demo
    context, page = open_page(browser, live_server, DESKTOP)
    open_section(page, perf, densest)
    svg = page.locator("#seatmap")
    page.evaluate("() => document.querySelector('.map-scroll').scrollIntoView()")
    box = page.locator(".map-scroll").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"], 400) / 2
    under = ("([x, y]) => { const s = document.elementFromPoint(x, y)?.closest('.seat'); "
             "return s ? s.dataset.id : null; }")
    page.mouse.move(x, y)
    before_id, before_w = page.evaluate(under, [x, y]), svg.bounding_box()["width"]
    page.keyboard.down("Control")  # the wheel alone scrolls the page; with Ctrl (a pinch on a trackpad) it zooms
    for _ in range(3):
        page.mouse.wheel(0, -120)
    page.keyboard.up("Control")
    page.wait_for_timeout(100)
    assert svg.bounding_box()["width"] > before_w * 1.6
    if before_id:  # the point under the pointer stays under it
        assert page.evaluate(under, [x, y]) == before_id
    scroll = page.evaluate("() => document.querySelector('.map-scroll').scrollLeft")
    page.mouse.down()
    page.mouse.move(x - 150, y, steps=5)
    page.mouse.up()
    assert page.evaluate("() => document.querySelector('.map-scroll').scrollLeft") > scroll + 100
    assert page.locator("#seatmap .seat.picked").count() == 0  # a drag is not a pick
    page.keyboard.down("Control")
    page.mouse.wheel(0, 600)  # back out, then pinch in with two fingers
    page.keyboard.up("Control")
    page.wait_for_timeout(100)
    width = svg.bounding_box()["width"]
    page.evaluate("""([x, y]) => {
        const sc = document.querySelector('.map-scroll');
        const ev = (type, id, cx, target) => target.dispatchEvent(new PointerEvent(type,
            {pointerId: id, clientX: cx, clientY: y, bubbles: true, pointerType: 'touch'}));
        ev('pointerdown', 11, x - 50, sc); ev('pointerdown', 12, x + 50, sc);
        ev('pointermove', 12, x + 100, window); ev('pointermove', 11, x - 100, window);
        ev('pointerup', 11, x - 100, window); ev('pointerup', 12, x + 100, window);
    }""", [x, y])
    assert svg.bounding_box()["width"] > width * 1.5
    context.close()


def test_a_tapped_seat_leaves_the_seats_around_it_in_sight(browser, live_server, demo):
    """On a phone, a tap names the seat only for a moment: the next seat a buyer wants, just
    above it, is not left under its name and prices. A focus that no tap brought (a keyboard,
    a screen reader) keeps the name up."""
    perf, _sections, densest = demo
    context, page = open_page(browser, live_server, PHONE, touch=True)
    open_section(page, perf, densest)
    page.wait_for_function("() => document.getElementById('seatmap').style.width !== ''")
    # A free seat with a free seat right above it, the first in the middle of the view.
    below, above = page.evaluate("""() => {
        const free = [...document.querySelectorAll('#seatmap .seat:not(.taken)')];
        const centre = s => { const r = s.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; };
        for (const seat of free) {
            const row = Number(seat.dataset.row), [x] = centre(seat);
            const up = free.filter(s => Number(s.dataset.row) === row - 1)
                .sort((a, b) => Math.abs(centre(a)[0] - x) - Math.abs(centre(b)[0] - x))[0];
            if (up) {
                seat.scrollIntoView({block: 'center', inline: 'center'});
                return [seat.dataset.id, up.dataset.id];
            }
        }
    }""")
    tip = page.locator("#seat-tip")
    covered = """(id) => {
        const seat = document.querySelector(`#seatmap .seat[data-id="${id}"]`), r = seat.getBoundingClientRect();
        const tip = document.getElementById('seat-tip'), t = tip.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        const under = tip.hidden ? false : t.left <= x && x <= t.right && t.top <= y && y <= t.bottom;
        return [under, document.elementFromPoint(x, y)?.closest('.seat') === seat];
    }"""
    for seat, following in ((below, above), (above, None)):
        page.locator(f'#seatmap .seat[data-id="{seat}"]').tap()
        assert page.locator(f'#seatmap .seat[data-id="{seat}"]').get_attribute("aria-checked") == "true"
        tip.wait_for(state="hidden", timeout=4_000)
        if following:
            assert page.evaluate(covered, following) == [False, True]
    assert page.locator("#picked-count").inner_text() == "2 selected"
    # Focused without a tap, as a keyboard or a screen reader does: the name stays.
    page.locator(f'#seatmap .seat[data-id="{below}"]').focus()
    page.wait_for_timeout(2_500)
    assert tip.is_visible()
    assert tip.inner_text() == page.locator(f'#seatmap .seat[data-id="{below}"]').get_attribute("aria-label")
    context.close()


def test_the_seats_tapped_on_a_phone_are_named_under_the_map(browser, live_server):
    """On a touch screen a tapped seat's name shows only for a moment (the test above), and
    no pointer hovers to show it again: the line under the map names the seats picked, as
    the basket then does, and drops a seat tapped again."""
    perf = make_performance(rows=2, per_row=4)
    first, second = places_of(perf)[:2]
    context, page = open_page(browser, live_server, PHONE, touch=True)
    page.goto(f"/performances/{perf.pk}/")
    page.locator("#seatmap .seat").first.wait_for()
    page.wait_for_function("() => document.getElementById('seatmap').style.width !== ''")
    for place in (first, second):
        seat = page.locator(f'#seatmap .seat[data-id="{place.pk}"]')
        seat.scroll_into_view_if_needed()
        seat.tap()
    expect(page.locator("#picked-count")).to_have_text("2 selected")
    expect(page.locator("#picked-names")).to_have_text(f"({first}, {second})")
    page.locator(f'#seatmap .seat[data-id="{first.pk}"]').tap()
    expect(page.locator("#picked-names")).to_have_text(f"({second})")
    screenshot(page, "seatmap-phone-picked-names")
    context.close()
