"""The phone console in a real browser, as an operator with a caller on the line uses it:
what a refund pays back said before it is confirmed, what Enter does in the card field and
the zone lists, and a hold that lapsed while the page was open."""

import pytest
from playwright.sync_api import expect

from events.models import Channel
from sales.holds import hold_create
from sales.models import Order
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from sales.policy import ORGANIZER
from tests.browser import login
from tests.support import card_token, make_performance, make_user, provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def console(browser, live_server):
    def open_as(user, locale="en-CA"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                      locale=locale)
        login(context, user, live_server)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page
    return open_as


def sold_by_phone(operator, perf, quantity) -> Order:
    return order_place(hold=hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                                        zone=perf.price_zones.get(), quantity=quantity),
                       customer=CustomerDetails(name="Élise Tremblay", email="elise@example.org"), actor=operator,
                       payment=PaymentRequest(method="card_not_present", token=card_token()))


def test_the_operator_is_asked_what_the_ticked_tickets_pay_back_to_the_card(console):
    """Ticking the caller's tickets says what goes back to their card; the confirmation
    asks with that amount, and the card is paid back that amount."""
    perf = make_performance(rows=1, per_row=6, price="45.00")
    operator = make_user("operator-payback", "phone operator")
    make_user("supervisor", ORGANIZER, is_staff=True)
    order = sold_by_phone(operator, perf, 3)
    first, second, _third = order.tickets.order_by("pk")
    page = console(operator)
    page.goto(f"/phone/orders/{order.code}/")
    page.wait_for_load_state()
    asked, confirm = [], []

    def answer(dialog):
        asked.append(" ".join(dialog.message.split()))
        dialog.accept() if confirm else dialog.dismiss()
    page.on("dialog", answer)
    form = page.locator("#refund-form")
    payback = page.locator("#refund-payback")
    one = "$45.00 goes back: $45.00 to the card, by the payment provider."
    two = "$90.00 goes back: $90.00 to the card, by the payment provider."
    form.get_by_label(str(first.place)).check()
    expect(payback).to_have_text(one)
    form.get_by_label(str(second.place)).check()
    expect(payback).to_have_text(two)
    page.locator("#refund-button").click()
    assert asked == ["Refund the ticked tickets? " + two]
    assert Order.objects.get(pk=order.pk).payments.filter(amount__lt=0).count() == 0  # not confirmed
    form.get_by_label(str(second.place)).uncheck()
    expect(payback).to_have_text(one)
    form.get_by_label("Supervisor", exact=True).fill("supervisor")
    form.get_by_label("Password").fill("pw-supervisor")
    confirm.append(True)
    page.locator("#refund-button").click()
    page.get_by_text("The card is paid back by the payment provider").wait_for()
    assert asked[1:] == ["Refund the ticked tickets? " + one]
    paid = order.payments.filter(status="approved").earliest("pk").reference
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": paid}).data] == [4500]
