"""A performance's page and the organizer's settings in the admin, in French on a laptop:
long titles, buttons written out in full and tables of rows wider than the window (a
performance's price types, each named and noted in two languages, with its prices). None
hides another, and the page, its other fields and its Save button, stays where it is."""

import pytest

from events.models import Performance
from sales.models import Organizer
from sales.policy import ORGANIZER
from tests.browser import axe_violations, login, open_page, screenshot
from tests.support import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"

OVERLAPS = """() => {
  const title = document.querySelector('#content > h2').getBoundingClientRect();
  return [...document.querySelectorAll('.object-tools a')].map(a => a.getBoundingClientRect())
    .filter(b => b.left < title.right && title.left < b.right && b.top < title.bottom && title.top < b.bottom).length;
}"""


def demo_performance_in_french(browser, live_server, username: str):
    """The demo's first performance, and an organizer's page at a laptop's width reading French."""
    from sales.demo import VENUE, load_demo

    load_demo()
    perf = Performance.objects.filter(venue__name=VENUE).order_by("starts_at").first()
    organizer = make_user(username, ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 800})
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    return perf, context, page


def test_a_table_of_rows_wider_than_a_laptop_scrolls_in_its_own_box_not_the_page(browser, live_server):
    perf, context, page = demo_performance_in_french(browser, live_server, "rows-width")
    for url in (f"/admin/events/performance/{perf.pk}/change/",
                f"/admin/sales/organizer/{Organizer.load().pk}/change/"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "fr"
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        screenshot(page, "admin-rows-fr-1280-" + url.split("/")[3])
        assert page.evaluate(OVERFLOW) == 0, url
        assert axe_violations(page, "#content") == [], url
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    box = page.get_by_role("region", name="Tarifs")
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    # A table that fits is no stop of its own.
    assert page.get_by_role("region", name="Périodes de vente").count() == 0
    context.close()


def test_a_performances_title_and_its_buttons_do_not_cover_each_other(browser, live_server):
    perf, context, page = demo_performance_in_french(browser, live_server, "tools-organizer")
    for width in (1280, 1024, 768):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/admin/events/performance/{perf.pk}/change/")
        assert page.locator("#cancel-performance").count() == 1
        screenshot(page, f"performance-title-fr-{width}")
        assert page.evaluate(OVERLAPS) == 0, width
    context.close()


# Each column of the price types' table, as far as its box lets it be seen once scrolled to:
# its heading's right edge and the box's, on the page.
COLUMNS = """() => {
  const box = document.querySelector('#price_types-group div.tabular');
  return [...box.querySelectorAll('thead th')].filter(th => th.offsetWidth).map(th => {
    box.scrollLeft = th.offsetLeft + th.offsetWidth - box.clientWidth;
    const cell = th.getBoundingClientRect(), seen = box.getBoundingClientRect();
    return {column: th.textContent.trim(), right: Math.round(cell.right), box: Math.round(seen.right),
            window: document.documentElement.clientWidth};
  }).filter(c => c.right > Math.min(c.box, c.window) + 1);
}"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_column_of_a_performances_price_types_is_reached_on_a_wide_screen(browser, live_server, language):
    """At 1400 px the price types' table (each type named and noted in two languages) is
    wider than the form: its box scrolls to its last column (the prices per zone and the
    delete box), a stop of the keyboard's, and the page itself does not move sideways. Its
    rows stay a line or two high (the prices per zone are not squeezed into a column a word
    wide), so that the box's scroll bar is on the screen with them, not a screen below."""
    perf, context, page = demo_performance_in_french(browser, live_server, f"wide-{language}")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    assert page.locator("#price_types-group tbody tr.has_original").count() >= 2
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    screenshot(page, f"admin-price-types-{language}-1400")
    assert page.evaluate(OVERFLOW) == 0
    assert page.evaluate(COLUMNS) == []
    box = page.get_by_role("region", name="Tarifs" if language == "fr" else "Price types")
    assert box.count() == 1
    assert box.bounding_box()["height"] < 900 - 100, "its scroll bar is out of sight below its rows"
    page.evaluate("() => window.scrollTo(500, window.scrollY)")
    assert page.evaluate("() => window.scrollX") == 0
    context.close()


# The first price type's "Set prices" link and its name, each as far as the price types'
# box shows it before it is scrolled: what of it lies outside the box's visible part.
FIRST_ROW_UNSCROLLED = """link => {
  const box = document.querySelector('#price_types-group div.tabular');
  const row = box.querySelector('tbody tr.has_original');
  const seen = box.getBoundingClientRect(), right = Math.min(seen.right, document.documentElement.clientWidth);
  const named = row.querySelector('td.field-name input');
  return [named, [...row.querySelectorAll('a')].find(a => a.textContent.trim() === link)]
    .map(el => el.getBoundingClientRect())
    .filter(r => r.left < seen.left - 1 || r.right > right + 1)
    .map(r => ({left: Math.round(r.left), right: Math.round(r.right), box: [Math.round(seen.left), Math.round(right)],
                scrolled: box.scrollLeft}));
}"""


@pytest.mark.parametrize(("language", "link"), [("en", "Set prices"), ("fr", "Fixer les prix")])
def test_a_price_types_set_prices_link_is_seen_without_scrolling_its_table(browser, live_server, language, link):
    """On a laptop (1366 × 768) the organizer reaches each price type's prices, and sees
    which type they are, without scrolling its table sideways: the two-language names and
    notes and the settings come after them."""
    perf, context, page = demo_performance_in_french(browser, live_server, f"set-prices-{language}")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    assert page.locator("#price_types-group tbody tr.has_original").count() >= 2
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    screenshot(page, f"admin-price-types-{language}-1366")
    assert page.evaluate(FIRST_ROW_UNSCROLLED, link) == []
    assert page.evaluate(OVERFLOW) == 0
    context.close()
