"""Price types on the phone, in a real browser: chosen by keys, then reserved to pay
later at those prices, Enter in the deadline reserving (it does not try a card)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sales.models import Order
from tests.browser import login
from tests.support import make_performance, make_user, price_types

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_reservation_keeps_the_price_types_chosen_by_keys(browser, live_server):
    perf = make_performance(rows=2, per_row=6)
    price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"}})
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    login(context, make_user("operator-keys", "phone operator"), live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/phone/")
    page.get_by_label("Name").fill("Lou Morin")
    page.get_by_label("Email").fill("lou@example.org")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("button", name="Hold best seats").first.click()
    page.wait_for_url("**/sale/**")
    expect(page.locator("#total")).to_have_text("$120.00")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")  # the second ticket: a child's
    expect(page.locator("#total")).to_have_text("$95.00")
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    # Single-key shortcuts turned off: Enter keeps its meaning (it reserves, it takes no card).
    page.get_by_role("button", name="Single-key shortcuts: on").click()
    page.get_by_label("Pay by").fill(when)
    page.get_by_label("Pay by").press("Enter")
    page.get_by_text("Reserved until").wait_for()
    order = Order.objects.get()
    assert order.status == "reserved" and order.total == 95
    assert [line[2] for line in order.receipt["tickets"]] == ["Adult", "Child"]
    context.close()
