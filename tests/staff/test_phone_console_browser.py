"""The phone console in a real browser, as an operator with a caller on the line uses it:
what a refund pays back said before it is confirmed, what Enter does in the card field and
the zone lists, a hold that lapsed while the page was open, and an exchange picked on the map."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Channel
from sales.holds import hold_create
from sales.models import Customer, Hold, Order, Place
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from sales.policy import ORGANIZER
from tests.browser import login, type_card
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


def held_for_a_caller(username: str, quantity: int):
    """An operator of that name holding `quantity` seats of a new performance for a caller,
    Lou Morin: (operator, caller, hold)."""
    perf = make_performance(rows=1, per_row=6)
    operator = make_user(username, "phone operator")
    caller = Customer.objects.create(name="Lou Morin", email="lou@example.org")
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, owner_key=f"customer:{caller.pk}",
                       zone=perf.price_zones.get(), quantity=quantity)
    return operator, caller, hold


def test_with_nothing_ticked_the_refund_asks_no_question_and_refunds_nothing(console):
    """Enter on an unticked box sends the refund form: with no ticket ticked there is
    nothing to confirm, so no "Refund the ticked tickets?" question; the page says to tick
    them, and nothing is paid back."""
    perf = make_performance(rows=1, per_row=6, price="45.00")
    operator = make_user("operator-untick", "phone operator")
    make_user("supervisor", ORGANIZER, is_staff=True)
    order = sold_by_phone(operator, perf, 2)
    page = console(operator)
    page.goto(f"/phone/orders/{order.code}/")
    page.wait_for_load_state()
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    first = order.tickets.order_by("pk").first()
    form = page.locator("#refund-form")
    form.get_by_label("Supervisor", exact=True).fill("supervisor")
    form.get_by_label("Password").fill("pw-supervisor")
    form.get_by_label(str(first.place)).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("tick the tickets to refund")).to_be_visible()
    assert asked == []
    assert not order.tickets.filter(refunded_at__isnull=False).exists()


def test_r_goes_to_the_tickets_to_refund_as_at_the_counter(console):
    """R on a caller's paid order is where the refund starts, as on the counter's: the first
    ticket's box, ticked with Space, what it pays back then said."""
    perf = make_performance(rows=1, per_row=6, price="45.00")
    operator = make_user("operator-r", "phone operator")
    order = sold_by_phone(operator, perf, 2)
    first = order.tickets.order_by("pk").first()
    page = console(operator)
    page.goto(f"/phone/orders/{order.code}/")
    page.wait_for_load_state()
    page.keyboard.press("r")
    box = page.locator("#refund-form").get_by_label(str(first.place))
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    said = "$45.00 goes back: $45.00 to the card, by the payment provider."
    expect(page.locator("#refund-payback")).to_have_text(said)


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
    # An operator refunds nothing alone: the form asks for the supervisor first, before
    # any question of what goes back is put.
    page.locator("#refund-button").click()
    expect(form.get_by_label("Supervisor", exact=True)).to_be_focused()
    assert asked == []
    form.get_by_label("Supervisor", exact=True).fill("supervisor")
    form.get_by_label("Password").fill("pw-supervisor")
    page.locator("#refund-button").click()
    assert asked == ["Refund the ticked tickets? " + two]
    assert Order.objects.get(pk=order.pk).payments.filter(amount__lt=0).count() == 0  # not confirmed
    form.get_by_label(str(second.place)).uncheck()
    expect(payback).to_have_text(one)
    confirm.append(True)
    page.locator("#refund-button").click()
    page.get_by_text("The card is paid back by the payment provider").wait_for()
    assert asked[1:] == ["Refund the ticked tickets? " + one]
    paid = order.payments.filter(status="approved").earliest("pk").reference
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": paid}).data] == [4500]


def test_once_the_hold_lapsed_the_extend_button_is_disabled_and_says_why(console):
    """The countdown reaches zero with the page open: Extend (and Release: nothing is held)
    is disabled, described by the message that says the hold lapsed, and its key sends nothing,
    nor Enter in the card field."""
    operator, caller, hold = held_for_a_caller("operator-lapse", 2)
    page = console(operator)
    page.goto(f"/phone/customers/{caller.pk}/sale/{hold.pk}/")
    extend = page.get_by_role("button", name="Extend the hold")
    expect(extend).to_be_enabled()
    expect(extend).not_to_have_attribute("aria-describedby", "expired-msg")
    soon = timezone.now() + timedelta(seconds=3)
    Hold.objects.filter(pk=hold.pk).update(expires_at=soon)
    Place.objects.filter(hold=hold).update(hold_expires_at=soon)
    page.reload()
    expect(page.locator("#expired-msg")).to_be_visible(timeout=10_000)
    expect(extend).to_be_disabled()
    expect(extend).to_have_accessible_description(re.compile("The hold lapsed and the seats were released"))
    expect(page.get_by_role("button", name="Release")).to_be_disabled()
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    page.on("dialog", lambda dialog: sent.append(dialog.message) or dialog.dismiss())
    page.locator("body").press("e")
    page.keyboard.press("Escape")
    page.frame_locator("iframe[data-card-frame]").locator('input[placeholder="number"]').press("Enter")
    page.wait_for_timeout(500)
    assert sent == [] and page.url.endswith(f"/sale/{hold.pk}/")


def test_enter_in_a_performances_zone_list_holds_seats_in_that_performance_only(console):
    """Enter in a performance's zone list (its standing sections among them), or in its
    caller's language, holds the best seats there, as its button does: not another
    performance's, and not nothing."""
    first = make_performance(rows=1, per_row=6)
    second = make_performance(rows=1, per_row=6, standing=20)
    operator = make_user("operator-enter-zone", "phone operator")
    caller = Customer.objects.create(name="Lou Morin", email="lou@example.org")
    page = console(operator)
    for field, pick in (("Zone", "Lawn"), ("Caller's language", None)):
        page.goto(f"/phone/customers/{caller.pk}/")
        group = page.get_by_role("group", name=second.event.title)
        chosen = group.get_by_label(field)
        if pick:
            chosen.select_option(chosen.locator("option", has_text=pick).get_attribute("value"))
        chosen.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/sale/**")
        hold = Hold.objects.latest("pk")
        assert hold.performance_id == second.pk and hold.places.count() == 2
        if pick:
            assert {p.price_zone.name for p in hold.places.all()} == {"Lawn"}
    assert not Hold.objects.filter(performance=first).exists()


def test_enter_in_the_exchange_zone_list_holds_the_new_seats(console):
    perf = make_performance(rows=2, per_row=6)
    operator = make_user("operator-enter-exchange", "phone operator")
    order = sold_by_phone(operator, perf, 2)
    page = console(operator)
    page.goto(f"/phone/orders/{order.code}/")
    page.locator("#exchange-zone").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/exchange/**")
    expect(page.locator("#keep-old-seats")).to_be_visible()
    assert Order.objects.get(pk=order.pk).payments.filter(amount__lt=0).count() == 0


def test_an_exchange_by_phone_takes_the_seats_picked_on_the_map(console):
    """The operator opens the caller's paid order, starts an exchange on the map, picks two
    other seats and exchanges: the order lists the new seats as its tickets, the old ones as
    exchanged, and the old seats are free to sell again."""
    perf = make_performance(rows=3, per_row=6, price="45.00")
    operator = make_user("operator-map-exchange", "phone operator")
    order = sold_by_phone(operator, perf, 2)
    old = sorted(order.tickets.values_list("place_id", flat=True))
    page = console(operator)
    page.goto(f"/phone/orders/{order.code}/")
    with page.expect_navigation():
        page.locator(".exchange-map").first.click()  # both tickets ticked: both exchanged
    expect(page.locator("#exchange-note")).to_contain_text(order.code)
    new = list(Place.objects.filter(performance=perf, state="available").select_related("seat", "section")
               .order_by("-pk")[:2])
    for place in new:
        page.locator(f'.seat[data-id="{place.pk}"]').click()
    expect(page.locator("#picked-count")).to_have_text("2 selected")
    page.locator("#hold-picked").click()
    page.wait_for_url(f"**/phone/orders/{order.code}/exchange/**")
    assert sorted(page.locator("#new-seats tbody td:first-child").all_inner_texts()) == sorted(map(str, new))
    page.locator("#confirm-exchange").click()
    page.wait_for_url(f"**/phone/orders/{order.code}/")
    expect(page.get_by_text("Exchanged, no difference to pay.")).to_be_visible()
    rows = {cells[0]: cells[-1] for cells in page.locator("#order-tickets tbody tr")
            .evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")}
    assert {label: rows[label] for label in map(str, new)} == {str(p): "Valid" for p in new}, rows
    assert {rows[str(p)] for p in Place.objects.filter(pk__in=old)} == {"Exchanged"}, rows
    order.refresh_from_db()
    assert sorted(order.tickets.filter(status="valid").values_list("place_id", flat=True)) == sorted(p.pk for p in new)
    assert set(Place.objects.filter(pk__in=old).values_list("state", flat=True)) == {"available"}
    assert set(Place.objects.filter(pk__in=[p.pk for p in new]).values_list("state", flat=True)) == {"sold"}
    assert order.events.get(action="exchanged").actor == operator


def test_enter_in_the_card_field_takes_the_payment_and_nothing_else(console):
    """The operator types the card the caller reads out and presses Enter in the provider's
    field: the payment is taken, as Pay takes it (not a reservation, not the total again)."""
    operator, caller, hold = held_for_a_caller("operator-enter-card", 2)
    page = console(operator)
    posted = []
    page.on("request", lambda request: posted.append(request.post_data or "") if request.method == "POST" else None)
    page.goto(f"/phone/customers/{caller.pk}/sale/{hold.pk}/")
    page.wait_for_load_state()
    type_card(page, "4242 4242 4242 4242")
    page.frame_locator("iframe[data-card-frame]").locator('input[placeholder="postal_code"]').press("Enter")
    page.get_by_text("Paid. The tickets are on their way to lou@example.org").wait_for()
    order = Order.objects.get(hold=hold)
    assert order.status == "paid" and order.payments.get().method == "card_not_present"
    sent = [body for body in posted if "card_token=" in body]
    assert len(sent) == 1 and "action=pay" in sent[0] and "card_token=tok_" in sent[0], posted


def test_enter_in_the_card_field_pays_a_reservation(console):
    operator, caller, hold = held_for_a_caller("operator-enter-reserved", 1)
    page = console(operator)
    page.goto(f"/phone/customers/{caller.pk}/sale/{hold.pk}/")
    page.locator("#reserve").click()
    page.get_by_text("Reserved until").wait_for()
    page.wait_for_load_state()
    type_card(page, "4242 4242 4242 4242")
    page.frame_locator("iframe[data-card-frame]").locator('input[placeholder="cvc"]').press("Enter")
    page.get_by_text("Paid. The tickets are on their way to lou@example.org").wait_for()
    assert Order.objects.get(hold=hold).status == "paid"


def test_each_performance_on_a_callers_page_is_a_group_of_its_own(console):
    """The caller's page lists the performances on sale, each with its zone, tickets and
    button: each starts on a line of its own under its title, set apart from the one
    before, not running on from the last one's button."""
    for _ in range(2):
        make_performance(rows=1, per_row=6)
    operator = make_user("operator-groups", "phone operator")
    caller = Customer.objects.create(name="Lou Morin", email="lou@example.org")
    page = console(operator)
    page.goto(f"/phone/customers/{caller.pk}/")
    groups = page.locator("form.performance-sale")
    expect(groups).to_have_count(2)
    first, second = (groups.nth(i) for i in range(2))
    title = second.locator("strong").bounding_box()
    zone = second.get_by_label("Zone").bounding_box()
    assert title["y"] + title["height"] <= zone["y"], (title, zone)  # the title above its controls
    end_of_first = max(b["y"] + b["height"] for b in (first.bounding_box(),))
    assert second.bounding_box()["y"] - end_of_first >= 8  # a gap between two performances
    assert second.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"


def test_l_reserves_and_emails_the_payment_link_without_tabbing_through_the_deadline(console):
    """A reservation with a payment link from the keyboard: L, as Enter in the deadline
    reserves, instead of Tab through each part of the date and time to the button."""
    from django.core import mail

    operator, caller, hold = held_for_a_caller("operator-link-key", 2)
    page = console(operator)
    page.goto(f"/phone/customers/{caller.pk}/sale/{hold.pk}/")
    expect(page.get_by_role("button", name="Reserve and email a payment link")).to_contain_text("L")
    with page.expect_navigation():
        page.locator("body").press("l")
    expect(page.get_by_text("The payment link was emailed to lou@example.org.")).to_be_visible()
    order = Order.objects.get(hold=hold)
    assert order.status == Order.Status.RESERVED
    assert order.events.filter(action="payment link sent").exists()
    assert [m.to for m in mail.outbox] == [["lou@example.org"]]
