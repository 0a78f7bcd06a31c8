"""Where the keyboard is after a phone operator's search, in a real browser: on what was
found, so that Enter opens the caller and the arrows choose the zone, with no tabbing
through the page's bar."""

import pytest
from playwright.sync_api import expect

from sales.models import Customer, Order
from tests.browser import login, type_card
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_caller_found_is_opened_with_enter(browser, live_server):
    Customer.objects.create(name="Hélène Côté", email="helene@example.org", phone="514 555-0199")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    login(context, make_user("operator-find", "phone operator"), live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/phone/")
    page.keyboard.press("f")
    page.keyboard.type("helene cote")
    page.keyboard.press("Enter")
    page.wait_for_url("**/phone/?q=*")
    expect(page.get_by_role("link", name="Hélène Côté")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/phone/customers/*/")
    expect(page.get_by_role("heading", name="Hélène Côté")).to_be_visible()
    context.close()


def test_a_performance_found_is_where_the_keys_go(browser, live_server):
    perf = make_performance(rows=2, per_row=6)
    caller = Customer.objects.create(name="Lou Morin", email="lou@example.org")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    login(context, make_user("operator-perf", "phone operator"), live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/phone/customers/{caller.pk}/")
    page.keyboard.press("s")
    page.keyboard.type(perf.event.title)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?find=*")
    zone = page.get_by_role("group", name=perf.event.title).get_by_label("Zone")
    expect(zone).to_be_focused()
    # Tab to the number of tickets, Enter: the best seats are held.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sale/**")
    context.close()


def selling_to_a_caller(browser, live_server, username: str):
    """An operator of that name on the sale of the best seats of a new performance to a
    caller, Lou Morin: (context, page)."""
    make_performance(rows=2, per_row=6)
    caller = Customer.objects.create(name="Lou Morin", email="lou@example.org")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    login(context, make_user(username, "phone operator"), live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/phone/customers/{caller.pk}/")
    page.get_by_role("button", name="Hold best seats").first.click()
    page.wait_for_url("**/sale/**")
    return context, page


def test_a_declined_card_puts_the_focus_on_what_the_bank_said(browser, live_server):
    """The decline is read first; the next Tab is the provider's field, to type another card."""
    context, page = selling_to_a_caller(browser, live_server, "operator-card")
    type_card(page, "4000 0000 0000 0002")
    page.locator("#pay").click()
    declined = page.get_by_role("alert").filter(has_text="Payment declined")
    expect(declined).to_be_visible()
    expect(declined).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("iframe[data-card-frame]")).to_be_focused()
    context.close()


def test_c_takes_the_operator_into_the_card_field_to_type_the_card_and_pay(browser, live_server):
    """The card is what the caller reads out: C goes into the provider's field from the
    sale's keys (no tabbing past the promo code, the reason and the rest), the number is
    typed there, and Enter pays."""
    context, page = selling_to_a_caller(browser, live_server, "operator-c")
    page.wait_for_load_state()
    expect(page.locator("#card-label kbd")).to_have_text("C")
    page.keyboard.press("c")
    field = page.frame_locator("iframe[data-card-frame]").locator('input[placeholder="number"]')
    expect(field).to_be_focused()
    page.keyboard.type("4242424242424242")  # the provider's field moves on by itself
    page.keyboard.type("12")
    page.keyboard.type("31")
    page.keyboard.type("123")
    page.keyboard.type("H2X1Y4")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Paid.")).to_be_visible()
    assert Order.objects.get(customer__name="Lou Morin").status == Order.Status.PAID
    context.close()
