"""The organizer's dashboards in French on a laptop: French says most things in longer
words than English, and the pages still fit the window. At 1280px every table is seen
whole; at 1024px a table too wide for the page scrolls inside a box of its own, reached by
the keyboard, and nothing else moves sideways with it."""

from decimal import Decimal

import pytest

from events.models import Channel, Performance
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_place, order_refund
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK, ORGANIZER
from sales.shifts import shift_open
from tests.browser import axe_violations, login, screenshot
from tests.sales.test_check_in import sell
from tests.support import booking_fee, make_user, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Every amount of the page's tables (a right-aligned cell) set on more than one line.
BROKEN_AMOUNTS = """() => [...document.querySelectorAll('#content td.n')]
    .filter(td => td.textContent.trim() && td.getClientRects().length && (() => {
        const r = document.createRange(); r.selectNodeContents(td);
        return new Set([...r.getClientRects()].map(line => Math.round(line.top))).size > 1; })())
    .map(td => td.textContent.trim())"""
# Every box of the page's content that scrolls sideways: what it holds, and by how much.
SIDEWAYS = """() => [...document.querySelectorAll('#content *')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
    .map(e => ({holds: [...e.children].map(c => c.tagName + (c.id ? '#' + c.id : '')).join(' '),
                by: e.scrollWidth - e.clientWidth, focusable: e.tabIndex >= 0 && !!e.getAttribute('aria-label')}))"""


def demo_sales() -> list[Performance]:
    """The demo's two summer nights, sold online and at the counter (cash and terminal),
    with fees and taxes: every table of the dashboards has rows."""
    from sales.demo import VENUE, load_demo

    load_demo()
    booking_fee(Channel.ONLINE, per_ticket="3.50", per_order="1.25")
    booking_fee(Channel.COUNTER, per_ticket="2.00")
    clerk = make_user("clerk-width", COUNTER_CLERK)
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    performances = list(Performance.objects.filter(venue__name=VENUE).order_by("starts_at"))
    for perf in performances:
        sell(perf, 3)
        sell(perf, 2, name="Jean-François Bélanger-Desrochers", email="jf@example.org")
        for payment in (PaymentRequest(method="cash", tendered=Decimal("250")),
                        PaymentRequest(method="card_terminal", reference="A1B2C3")):
            seats = places_of(perf, state="available")[:2]
            hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[p.pk for p in seats])
            order = order_place(hold=hold, customer=CustomerDetails(name="Marie Côté", email="marie@example.org"),
                                actor=clerk, shift=shift, payments=[payment])
        order_refund(order=order, actor=clerk, shift=shift)  # money paid back: amounts below zero
    return performances


def test_the_dashboards_fit_a_laptop_in_french(browser, live_server):
    performances = demo_sales()
    organizer = make_user("organizer-width", ORGANIZER, is_staff=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                  locale="fr-CA", bypass_csp=True)  # bypass_csp: axe-core is injected
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    pages = {"list": "/admin/sales/performancedashboard/",
             **{f"performance-{n}": f"/admin/sales/performancedashboard/{p.pk}/change/"
                for n, p in enumerate(performances)},
             "event": f"/admin/sales/performancedashboard/event/{performances[0].event_id}/"}
    wrong = {}
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        for name, url in pages.items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == "fr"
            if name.startswith("performance"):
                page.get_by_role("heading", name="Places par zone").wait_for()
                assert page.locator("#by-channel tbody tr").count() == 3  # online, counter and their total
            if name == "event":
                assert page.locator("#event-performances tbody tr").count() == len(performances) + 1
                assert page.locator("#event-methods tbody tr").count() == 3
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # laid out
            said = []
            if (overflow := page.evaluate(OVERFLOW)) > 0:
                said.append(f"the page is {overflow}px wider than the window")
            sideways = page.evaluate(SIDEWAYS)
            if width >= 1280 and name != "list":  # Django's own list scrolls its results
                said += [f"{box['holds']} is cut by {box['by']}px" for box in sideways]
            said += [f"a box holding {box['holds']} scrolls sideways" for box in sideways
                     if len(box["holds"].split()) != 1 or not box["holds"].startswith("TABLE")]
            said += [f"{box['holds']} scrolls but is no named stop of the keyboard's" for box in sideways
                     if not box["focusable"] and name != "list"]
            said += [f"the amount {amount} is broken over two lines" for amount in page.evaluate(BROKEN_AMOUNTS)]
            page.screenshot(path=str(screenshot(page, f"dashboard-fr-{width}-{name}")), full_page=True)
            if said:
                wrong[f"{width} {name}"] = said
            if name != "list":
                assert axe_violations(page, "#content") == [], f"{width} {name}"
            if width >= 1280:  # a box that fits is no stop of its own
                assert page.locator(".table-box[tabindex]").count() == 0, name
    assert wrong == {}
    # At 1024px the event's table scrolls in its box, and the arrow keys scroll it.
    box = page.get_by_role("region", name="Toutes les représentations")
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    context.close()


def test_an_amount_on_the_dashboards_stays_on_one_line(browser, live_server):
    """A sum paid back reads "−$20.00": the browser may break a line after the minus sign,
    which would leave "−" alone above the amount in a narrow column of the board."""
    performances = demo_sales()
    organizer = make_user("organizer-amounts", ORGANIZER, is_staff=True)
    context = browser.new_context(base_url=live_server.url, locale="en-CA")
    login(context, organizer, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    broken = {}
    for width in (1280, 1024, 800, 390):
        page.set_viewport_size({"width": width, "height": 800})
        for url in (f"/admin/sales/performancedashboard/{performances[0].pk}/change/",
                    f"/admin/sales/performancedashboard/event/{performances[0].event_id}/"):
            page.goto(url)
            page.locator("td.n").first.wait_for()
            if amounts := page.evaluate(BROKEN_AMOUNTS):
                broken[f"{width} {url}"] = amounts
    assert broken == {}
    context.close()
