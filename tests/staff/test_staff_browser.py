"""The counter terminal and the phone console in a real browser."""

import contextlib
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from events.models import Channel
from sales import inventory
from sales.models import Hold, Order, Place, Shift
from sales.tasks import release_lapsed_reservations
from sales.tickets import ticket_check_in
from tests.browser import drawn_colour, link_look, login, open_with_history, screenshot, type_card
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import make_performance, make_user, one_place, provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def staff_page(browser, live_server):
    def open_as(user):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        login(context, user, live_server)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page
    return open_as


def contrast(page, selector) -> float:
    """WCAG's contrast ratio between an element's text and its own background."""
    return page.evaluate("""s => {
        const style = getComputedStyle(document.querySelector(s));
        const lum = c => {
            const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {
                v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    }""", selector)


def open_the_drawer(page, cash_float: str) -> None:
    """The counter's first page, its shift opened with `cash_float` in the drawer."""
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill(cash_float)
    page.get_by_role("button", name="Open the drawer").click()
    page.locator(".quick").first.wait_for()


def test_the_cash_float_typed_replaces_the_one_offered(staff_page):
    """The drawer's page opens in its float field, 200.00 offered: the clerk types theirs
    and presses Enter, and the shift opens with what they typed, not with it typed into
    the amount offered."""
    make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-float", "counter clerk")
    page = staff_page(clerk)
    page.goto("/counter/")
    page.wait_for_load_state()
    expect(page.get_by_label("Cash float in the drawer")).to_be_focused()
    page.keyboard.type("150")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".quick").first.wait_for()
    assert Shift.objects.get(clerk=clerk).cash_float == Decimal("150")


def test_a_cash_float_refused_is_typed_again_where_it_was(staff_page):
    """A float the drawer cannot read ("1,000" reads two ways) comes back in its field with
    the focus, the field naming what is wrong with it: the clerk types the amount again and
    presses Enter, with no click to get back into the field."""
    make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-float-again", "counter clerk")
    page = staff_page(clerk)
    page.goto("/counter/")
    page.wait_for_load_state()
    page.keyboard.type("1,000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    field = page.get_by_label("Cash float in the drawer")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("reads two ways"))
    assert not Shift.objects.filter(clerk=clerk).exists()
    page.keyboard.type("1000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".quick").first.wait_for()
    assert Shift.objects.get(clerk=clerk).cash_float == Decimal("1000")


def test_counter_cash_sale_with_change_then_the_shift_balances(staff_page):
    # 90.02 for two: 90.00 in cash (to the nearest 5¢), and the change from that.
    make_performance(rows=3, per_row=8, price="45.01")
    clerk = make_user("clerk-b", "counter clerk")
    page = staff_page(clerk)
    open_the_drawer(page, "200.00")
    page.keyboard.press("2")  # two tickets, by key
    assert page.locator("[data-qty]").first.input_value() == "2"
    page.keyboard.press("Enter")  # hold the best two
    page.wait_for_url("**/counter/sale/**")
    assert page.locator("#total").inner_text() == "$90.02"
    # A seat's number is never cut across two lines, and the order search shows its whole hint.
    seats = page.locator("#ticket-types .nowrap")
    assert seats.count() == 2 and all(seats.nth(i).inner_text().startswith("A-") for i in range(2))
    cut = page.evaluate("""() => {
        const field = document.querySelector("input[name=q]"), style = getComputedStyle(field);
        const pen = document.createElement("canvas").getContext("2d");
        pen.font = `${style.fontSize} ${style.fontFamily}`;
        return pen.measureText(field.placeholder).width - field.clientWidth; }""")
    assert cut < 0, f"the search's hint is cut by {cut} px"
    page.get_by_label("Cash tendered").fill("100")
    assert page.locator("#change").inner_text() == "$10.00"
    page.locator("#take-payment").click()
    page.get_by_text("Sold. Change due: $10.00").wait_for()
    order = Order.objects.get()
    assert order.status == "paid" and order.channel == "counter"
    assert order.payments.get().created_by == clerk
    with page.expect_popup() as popup:
        page.locator("#print").click()
    printout = popup.value
    printout.wait_for_load_state()
    assert printout.locator(".ticket").count() == 2 and printout.locator(".reprint").count() == 0
    screenshot(page, "counter-order")
    assert contrast(page, "#print kbd") >= 4.5  # its key, P, readable on the button
    page.goto("/counter/shift/close/")
    page.get_by_label("Cash counted in the drawer (float included)").fill("290.00")
    page.get_by_label("Card terminal total").fill("0")
    page.get_by_role("button", name="Close and print the report").click()
    page.wait_for_url("**/report/")
    assert page.locator("#difference").inner_text() == "$0.00"
    shift = Shift.objects.get()
    assert shift.closed_at and shift.difference == Decimal("0.00")
    assert Decimal(shift.expected["cash"]) == Decimal("290.00")
    screenshot(page, "counter-shift-report")


def test_each_key_the_counters_home_names_does_one_thing_there(staff_page):
    """The bar's Z closes the shift on every counter page, the home's included: the quick
    sales' next zone is another key, named as such in the home's hint, and no key the page
    names is named twice for different things."""
    make_performance(rows=1, per_row=6, standing=10)
    page = staff_page(make_user("clerk-keys", "counter clerk"))
    open_the_drawer(page, "50")
    named = page.evaluate("""() => [...document.querySelectorAll('kbd')].map(k => {
        const owner = k.closest('a, button, label, form');
        const said = owner ? owner.getAttribute('aria-label') || owner.textContent.replace(k.textContent, '')
                           : (k.nextSibling ? k.nextSibling.textContent.split(/[,.]/)[0] : '');
        return [k.textContent.trim().toLowerCase(), said.trim().toLowerCase()]; })""")
    meanings = {}
    for key, said in named:
        meanings.setdefault(key, set()).add(said)
    assert meanings["z"] == {"close shift"}, meanings
    assert meanings["n"] == {"next zone"}, meanings
    assert all(len(said) == 1 for said in meanings.values()), str(meanings)
    page.keyboard.press("n")
    radios = page.locator(".quick").first.locator('input[name="zone"]')
    expect(radios.nth(1)).to_be_checked()
    assert page.url.endswith("/counter/")
    page.keyboard.press("n")
    expect(radios.nth(0)).to_be_checked()
    page.keyboard.press("z")
    page.wait_for_url("**/counter/shift/close/")


def test_esc_in_a_field_leaves_the_field_and_only_the_next_cancels_the_sale(staff_page):
    perf = make_performance(rows=1, per_row=6, price="20.00", standing=10, ticket_limit=8)
    page = staff_page(make_user("clerk-esc", "counter clerk"))
    open_the_drawer(page, "50")
    page.keyboard.press("n")
    page.keyboard.press("n")  # back to the seated zone, its radio focused: keys still choose, they do not type
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("9")
    assert page.locator("[data-qty]").first.input_value() == "8"  # the performance's limit an order
    page.keyboard.press("3")
    assert page.locator("[data-qty]").first.input_value() == "3"
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/sale/**")
    assert Place.objects.filter(performance=perf, state="held").count() == 3
    page.get_by_label("Cash tendered").fill("1")
    page.keyboard.press("Escape")  # typing: leaves the field, the sale stands
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    assert "/counter/sale/" in page.url and Place.objects.filter(performance=perf, state="held").exists()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("Escape")  # now: cancel the sale? It asks first; "no" keeps it
    assert asked == ["Cancel this sale and release its seats?"]
    assert "/counter/sale/" in page.url and Place.objects.filter(performance=perf, state="held").count() == 3
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: "/counter/sale/" not in url)
    assert not Place.objects.filter(performance=perf, state="held").exists()
    # Single-key shortcuts turned off (a screen reader's keys): a number no longer sets the
    # quantity, and the choice stays for the next page.
    page.get_by_role("button", name="Single-key shortcuts: on").click()
    page.locator(".quick [data-qty]").first.fill("2")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("5")
    assert page.locator("[data-qty]").first.input_value() == "2"
    page.reload()
    assert page.get_by_role("button", name="Single-key shortcuts: off").get_attribute("aria-pressed") == "false"


def test_counter_refund(staff_page):
    perf = make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-r2", "counter clerk")
    page = staff_page(clerk)
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill("50")
    page.get_by_role("button", name="Open the drawer").click()
    page.get_by_role("button", name="Hold best seats").first.click()
    page.get_by_label("Cash tendered").fill("30")
    page.locator("#take-payment").click()
    order = Order.objects.get()
    page.goto("/counter/")
    page.keyboard.press("l")
    page.keyboard.type(order.code)
    page.keyboard.press("Enter")  # its code opens it
    page.wait_for_url(f"**/counter/orders/{order.code}/")
    page.wait_for_load_state()  # its keys are listened to once the page's script has run
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.keyboard.press("r")  # the order's one ticket: R is the refund's button
    page.get_by_text("the seats are back on sale").wait_for()
    # The clerk was told what goes back, and how, before confirming.
    assert asked == ["Refund the whole order? $30.00 goes back: $30.00 cash from the drawer."]
    order.refresh_from_db()
    assert order.status == "refunded"
    assert order.events.get(action="refunded").actor == clerk
    assert not Place.objects.filter(performance=perf, state="sold").exists()
    page.wait_for_load_state()
    page.keyboard.press("z")  # the end of the day's report, as tills call it: closing the shift
    page.wait_for_url("**/counter/shift/close/")


def test_phone_sale_through_the_providers_field_sends_the_email_and_no_card_number(staff_page, live_server,
                                                                                   celery_worker):
    """The operator types the caller's card into the provider's field framed in the console
    (a MOTO payment at localstripe): a decline said on the page, then a sale; the box
    office never sees the number."""
    make_performance(rows=2, per_row=6)
    operator = make_user("operator-b", "phone operator")
    page = staff_page(operator)
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.post_data or ""))
            if request.url.startswith(live_server.url) else None)
    page.goto("/phone/")
    page.get_by_label("Name").fill("Jean Gagnon")
    page.get_by_label("Email").fill("jean@example.org")
    page.get_by_label("Phone").fill("418 555 0199")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name="Jean Gagnon").wait_for()
    page.get_by_label("Add a note").fill("Prefers aisle seats")
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Prefers aisle seats").wait_for()
    page.get_by_role("button", name="Hold best seats").first.click()
    page.wait_for_url("**/sale/**")
    page.get_by_role("button", name="Extend the hold").click()
    type_card(page, "4000 0000 0000 0341")
    page.locator("#pay").click()
    page.get_by_text("Payment declined: your card was declined. The seats are still held.").wait_for()
    type_card(page, "4242 4242 4242 4242")
    page.locator("#pay").click()
    page.get_by_text("Paid. The tickets are on their way to jean@example.org").wait_for()
    order = Order.objects.get(status="paid")
    payment = order.payments.get(status="approved")
    intent = provider().v1.payment_intents.retrieve(payment.reference)
    assert payment.method == "card_not_present" and intent.status == "succeeded"
    assert intent.to_dict()["metadata"]["method"] == "card_not_present"
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [m.to for m in mail.outbox] == [["jean@example.org"]]
    payments = [body for url, body in sent if "/sale/" in url and "action=pay" in body]
    assert len(payments) == 2 and all("card_token=tok_" in body for body in payments)
    assert not any(number in url + body for url, body in sent for number in ("4242424242424242", "4000000000000341"))
    page.goto("/phone/?q=555 0199")
    page.get_by_role("link", name="Jean Gagnon").wait_for()


def test_a_caller_nobody_knows_is_created_from_the_keyboard_with_what_was_searched(staff_page):
    """F, the caller's number, Enter: nobody. N goes to the new caller's first empty field
    (its phone holds the number), the name typed, Tab, the email, Enter: their page."""
    from sales.models import Customer

    operator = make_user("operator-new-caller", "phone operator")
    page = staff_page(operator)
    page.goto("/phone/")
    page.keyboard.press("f")
    page.keyboard.type("(418) 555-0199")
    page.keyboard.press("Enter")
    page.get_by_text("Nobody matches").wait_for()
    expect(page.get_by_label("Phone", exact=True)).to_have_value("(418) 555-0199")
    page.keyboard.press("n")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("")  # the key is not typed into it
    page.keyboard.type("Lou Morin")
    page.keyboard.press("Tab")
    page.keyboard.type("lou@example.org")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Lou Morin").wait_for()
    assert Customer.objects.filter(name="Lou Morin", email="lou@example.org", phone="(418) 555-0199").exists()
    page.goto("/phone/?q=" + "Gagnon")  # a name: N then goes to the email, the name already there
    page.keyboard.press("n")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Gagnon")


def test_phone_reservation_lapses_and_returns_its_seats(staff_page, celery_worker):
    perf = make_performance(rows=2, per_row=6)
    operator = make_user("operator-c", "phone operator")
    page = staff_page(operator)
    page.goto("/phone/")
    page.get_by_label("Name").fill("Lou Morin")
    page.get_by_label("Email").fill("lou@example.org")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("button", name="Hold best seats").first.click()
    page.wait_for_url("**/sale/**")
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Pay by").fill(when)
    page.locator("#reserve").click()
    page.get_by_text("Reserved until").wait_for()
    order = Order.objects.get()
    assert order.status == "reserved"
    held = list(Place.objects.filter(performance=perf, state="held").values_list("pk", flat=True))
    assert len(held) == 2
    # The deadline passes (moved into the past, as a clock would); Celery tidies.
    past = timezone.now() - timedelta(minutes=1)
    Order.objects.filter(pk=order.pk).update(payment_deadline=past)
    Place.objects.filter(pk__in=held).update(hold_expires_at=past)
    release_lapsed_reservations.delay()
    deadline = time.monotonic() + 20
    while Order.objects.get(pk=order.pk).status != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    page.goto(f"/phone/orders/{order.code}/")
    assert page.locator("#status").inner_text() == "Cancelled"
    page.goto(f"/performances/{perf.pk}/")  # the shop sees the seats free again
    for pk in held:
        assert "taken" not in page.locator(f'#seatmap a.seat[data-id="{pk}"]').get_attribute("class")


def hold_two_at_the_counter(page) -> None:
    """Open a drawer and hold the two best seats of the first performance, by keys."""
    open_the_drawer(page, "50")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/sale/**")


def sell_two_at_the_counter(page) -> Order:
    """Open a drawer, sell two seats of the first performance for 60.00 cash, and stay on
    the order's page."""
    hold_two_at_the_counter(page)
    page.get_by_label("Cash tendered").fill("60")
    page.locator("#take-payment").click()
    page.get_by_text("Sold.").wait_for()
    return Order.objects.get()


def test_counter_refunds_one_ticket_of_two_by_ticking_it(staff_page):
    perf = make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-r3", "counter clerk")
    page = staff_page(clerk)
    order = sell_two_at_the_counter(page)
    kept, refunded = order.tickets.order_by("pk")
    page.locator("#refund-form").get_by_label(str(refunded.place)).check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#refund").click()
    page.get_by_text("the order's other tickets are still valid").wait_for()
    assert "Refunded: Cash $30.00." in page.locator(".messages").inner_text()
    screenshot(page, "counter-refund-one-ticket")
    assert sorted(order.tickets.values_list("pk", "status")) == [(kept.pk, "valid"), (refunded.pk, "void")]
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert Place.objects.filter(performance=perf, state="sold").count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_counters_refund_of_ticked_tickets_asks_with_the_amount_it_pays_back(staff_page, language):
    """Before a refund of the tickets ticked, the clerk is asked with what goes back and
    how, as the refund works it out for those ticks (cash to the coin): the amount the
    refund then pays back."""
    make_performance(rows=2, per_row=6, price="45.01")
    page = staff_page(make_user(f"clerk-r5-{language}", "counter clerk"))
    hold_two_at_the_counter(page)
    page.get_by_label("Cash tendered").fill("100")
    page.locator("#take-payment").click()
    page.get_by_text("Sold.").wait_for()
    order = Order.objects.get()
    first, second = order.tickets.order_by("pk")
    if language == "fr":
        page.context.add_cookies([{"name": "django_language", "value": "fr", "url": page.url}])
        page.reload()
    page.wait_for_load_state()
    asked, confirm = [], []

    def answer(dialog):
        asked.append(" ".join(dialog.message.split()))  # French's spaces that do not break, as spaces
        dialog.accept() if confirm else dialog.dismiss()
    page.on("dialog", answer)
    page.locator("#refund-form").get_by_label(str(second.place)).check()
    payback = page.locator("#refund-payback")
    one, both = {"en": ("$45.00 goes back: $45.00 cash from the drawer.",
                        "$90.00 goes back: $90.00 cash from the drawer."),
                 "fr": ("45,00 $ sont rendus : 45,00 $ en espèces, sortis du tiroir-caisse.",
                        "90,00 $ sont rendus : 90,00 $ en espèces, sortis du tiroir-caisse.")}[language]
    expect(payback).to_have_text(one)
    page.locator("#refund").click()
    question = {"en": "Refund the ticked tickets? ", "fr": "Rembourser les billets cochés ? "}[language]
    assert asked == [question + one]
    page.locator("#refund-form").get_by_label(str(first.place)).check()
    expect(payback).to_have_text(both)
    page.locator("#refund").click()
    assert asked[1:] == [question + both]
    assert Order.objects.get(pk=order.pk).status == "paid"  # not confirmed: nothing paid back
    confirm.append(True)
    page.locator("#refund-form").get_by_label(str(first.place)).uncheck()
    expect(payback).to_have_text(one)
    page.locator("#refund").click()
    assert asked[2:] == [question + one]
    page.get_by_text({"en": "the order's other tickets are still valid",
                      "fr": "les autres billets"}[language]).wait_for()
    # What was asked is what left the drawer.
    assert -order.payments.get(amount__lt=0).cash == Decimal("45.00")


def test_counter_refunds_one_ticket_from_the_keyboard(staff_page):
    """On the order's page R goes to the first ticket to refund: Space ticks it, Tab
    passes the other, Enter on the refund button asks, and the ticket is refunded."""
    make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-r4", "counter clerk")
    page = staff_page(clerk)
    order = sell_two_at_the_counter(page)
    first, second = order.tickets.order_by("pk")
    page.wait_for_load_state()  # its keys are listened to once the page's script has run
    page.keyboard.press("r")
    expect(page.locator("#refund-form").get_by_label(str(first.place))).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#refund")).to_be_focused()
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    page.get_by_text("the order's other tickets are still valid").wait_for()
    assert sorted(order.tickets.values_list("pk", "status")) == [(first.pk, "void"), (second.pk, "valid")]


def test_r_ticks_the_one_ticket_left_to_refund_and_readies_its_refund(staff_page):
    """With one ticket left to refund (the other guest is in), R ticks it, says what it
    pays back and puts the focus on the refund's button: Enter asks, and it is refunded.
    Among several tickets R only goes to the first (the test above): the clerk ticks."""
    perf = make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-r-one", "counter clerk"))
    order = sell_two_at_the_counter(page)
    inside, away = order.tickets.order_by("pk")
    ticket_check_in(code=inside.code, performance=perf, now=perf.starts_at)
    page.reload()
    page.wait_for_load_state()  # its keys are listened to once the page's script has run
    page.keyboard.press("r")
    expect(page.locator("#refund-form").get_by_label(str(away.place))).to_be_checked()
    expect(page.locator("#refund-payback")).to_have_text("$30.00 goes back: $30.00 cash from the drawer.")
    expect(page.locator("#refund")).to_be_focused()
    page.keyboard.press("r")  # again: still ticked, not unticked
    expect(page.locator("#refund-form").get_by_label(str(away.place))).to_be_checked()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Refunded: Cash $30.00.").wait_for()
    assert sorted(order.tickets.values_list("pk", "status")) == [(inside.pk, "valid"), (away.pk, "void")]


def test_counter_exchange_on_the_map_pays_the_difference(staff_page):
    perf = make_performance(rows=3, per_row=6, price="30.00")
    perf.price_zones.update(price=Decimal("30.00"))
    clerk = make_user("clerk-x", "counter clerk")
    page = staff_page(clerk)
    order = sell_two_at_the_counter(page)
    first = order.tickets.order_by("pk").first()
    page.locator("#exchange-form").get_by_label(str(first.place)).uncheck()  # exchange only the other ticket
    with page.expect_navigation():
        page.locator(".exchange-map").first.click()
    assert page.locator("#exchange-note").is_visible()
    free = Place.objects.filter(performance=perf, state="available").order_by("-pk").first()
    page.locator(f'.seat[data-id="{free.pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/exchange/**")
    assert page.locator("#new-seats tbody").inner_text().startswith(str(free))
    page.get_by_role("button", name="Exchange").click()
    page.get_by_text("Exchanged, no difference to pay.").wait_for()
    screenshot(page, "counter-exchange")
    valid = sorted(order.tickets.filter(status="valid").values_list("place_id", flat=True))
    assert valid == sorted([first.place_id, free.pk])
    assert order.events.get(action="exchanged").actor == clerk


def test_esc_out_of_a_quick_sales_tickets_keeps_the_keys_on_that_performance(staff_page):
    from events.models import Performance

    sooner, later = make_performance(rows=1, per_row=6), make_performance(rows=1, per_row=6)
    Performance.objects.filter(pk=sooner.pk).update(starts_at=timezone.now() + timedelta(days=2))
    page = staff_page(make_user("clerk-q", "counter clerk"))
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill("50")
    page.get_by_role("button", name="Open the drawer").click()
    second = page.locator(".quick").nth(1)
    second.wait_for()
    second.locator("[data-qty]").fill("3")  # typed into the later performance's field
    page.keyboard.press("Escape")  # leaves the field, not the performance
    page.keyboard.press("n")  # its own zones
    assert page.locator(".quick").first.locator("[data-qty]").input_value() == "1"
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/sale/**")
    hold = Hold.objects.get()
    assert hold.performance == later and hold.places.count() == 3


def test_counter_finds_a_performance_by_key_and_enter_on_a_link_is_the_links_own(staff_page):
    hamlet = make_performance(rows=2, per_row=4)
    hamlet.event.title = "Hamlet"
    hamlet.event.save()
    for n in range(12):  # a festival's other shows, sooner than Hamlet
        other = PerformanceFactory(channels=[Channel.COUNTER], starts_at=timezone.now() + timedelta(days=2, hours=n))
        one_place(other, PriceZoneFactory(performance=other, name="Floor"))
    page = staff_page(make_user("clerk-f", "counter clerk"))
    open_the_drawer(page, "50")
    assert page.locator(".quick").count() == 10
    # Enter on "Later" goes to the next page; it does not hold seats in the first quick sale.
    page.get_by_role("link", name="Later").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "page=2" in page.url and page.locator(".quick").count() == 3
    page.keyboard.press("s")  # the search, without typing an s in it
    assert page.evaluate("document.activeElement.name") == "find"
    page.keyboard.type("HAMLET")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # in the search: finds, holds nothing
    assert page.locator(".quick").count() == 1 and "Hamlet" in page.locator(".quick h2").inner_text()
    page.get_by_role("button", name="Find").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".quick").count() == 1
    assert not Hold.objects.exists()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Enter")  # nothing focused: the quick sale's Enter holds the best seats
    page.wait_for_url("**/counter/sale/**")
    assert Hold.objects.get().performance == hamlet


def test_a_counter_hold_warns_a_minute_before_it_lapses_and_says_when_it_has(staff_page):
    make_performance(rows=1, per_row=6, price="20.00")
    page = staff_page(make_user("clerk-clock", "counter clerk"))
    page.clock.install()
    hold_two_at_the_counter(page)
    left = int(page.locator("#countdown").get_attribute("data-seconds"))
    warning = page.get_by_role("alert").filter(has_text="One minute left: take the payment now")
    assert warning.count() == 0 or not warning.is_visible()
    page.clock.run_for((left - 50) * 1000)
    expect(warning).to_be_visible()
    page.clock.run_for(60_000)
    expect(page.get_by_role("alert").filter(has_text="The hold lapsed and the seats were released.")).to_be_visible()
    expect(warning).to_be_hidden()
    expect(page.locator("#take-payment")).to_be_disabled()  # nothing held to take payment for


def test_seats_picked_in_one_section_stay_picked_when_the_clerk_opens_another(staff_page):
    """The staff map opens a section by loading the page again: the picks go with it."""
    from tests.factories import SectionFactory, VenueFactory

    venue = VenueFactory()
    left, right = (SectionFactory(venue=venue, name=name, rows=1, per_row=4) for name in ("Left", "Right"))
    perf = PerformanceFactory(venue=venue, channels=[Channel.COUNTER])
    PriceZoneFactory(performance=perf, name="Floor", sections=[left, right])
    inventory.put_on_sale(performance=perf)
    page = staff_page(make_user("clerk-map", "counter clerk"))
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill("50")
    page.get_by_role("button", name="Open the drawer").click()
    page.goto(f"/counter/performances/{perf.pk}/map/")
    for section in (left, right):
        page.locator(f'.section-link[data-section="{section.id}"]').click()
        page.locator(f'#seatmap[data-section="{section.id}"] .seat').first.wait_for()
        page.locator(f'#seatmap[data-section="{section.id}"] .seat').first.click()
    assert len(page.locator("#picked-seats").input_value().split(",")) == 2
    page.locator("#hold-picked").click()
    page.wait_for_url("**/counter/sale/**")
    held = Place.objects.filter(performance=perf, state="held")
    assert sorted(p.section.name for p in held) == ["Left", "Right"]


def test_seats_picked_in_other_sections_are_named_beside_the_count(staff_page):
    """After the clerk opens another section, the seats picked in the first are still named
    (section, row and seat) beside the count, not only counted."""
    from tests.factories import SectionFactory, VenueFactory

    venue = VenueFactory()
    sections = [SectionFactory(venue=venue, name=name, rows=2, per_row=4) for name in ("Left", "Middle", "Right")]
    perf = PerformanceFactory(venue=venue, channels=[Channel.COUNTER])
    PriceZoneFactory(performance=perf, name="Floor", sections=sections)
    inventory.put_on_sale(performance=perf)
    page = staff_page(make_user("clerk-names", "counter clerk"))
    open_the_drawer(page, "50")
    page.goto(f"/counter/performances/{perf.pk}/map/")
    named = []
    for section in sections:
        page.locator(f'.section-link[data-section="{section.id}"]').click()
        seat = page.locator(f'#seatmap[data-section="{section.id}"] .seat').nth(1)
        seat.click()
        named.append(f"{section.name} {seat.get_attribute('data-seat')}")
        expect(page.locator("#picked-names")).to_have_text("(" + ", ".join(named) + ")")
    expect(page.locator("#picked-count")).to_have_text("3 selected")
    page.locator("#hold-picked").click()
    page.wait_for_url("**/counter/sale/**")
    held = Place.objects.filter(performance=perf, state="held").select_related("seat__section")
    assert sorted(f"{p.seat.section.name} {p.seat.row}-{p.seat.number}" for p in held) == sorted(named)


def test_the_counters_pages_fit_a_phone_without_scrolling_sideways(browser, live_server):
    """A pop-up box office sells from a phone: the sale and the order's pages fit its width
    (a wide table scrolls within its own card)."""
    from decimal import Decimal

    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest
    from sales.shifts import shift_open

    perf = make_performance(rows=1, per_row=6, price="30.00")
    clerk = make_user("clerk-phone", "counter clerk")
    shift = shift_open(clerk=clerk, cash_float=Decimal("50"))
    zone = perf.price_zones.get()
    sold = order_place(hold=hold_create(performance=perf, channel="counter", user=clerk, zone=zone, quantity=2),
                       customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk, shift=shift,
                       payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    selling = hold_create(performance=perf, channel="counter", user=clerk, zone=zone, quantity=2)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="fr-CA")
    login(context, clerk, live_server)
    page = context.new_page()
    for url in (f"/counter/orders/{sold.code}/", f"/counter/sale/{selling.pk}/"):
        page.goto(url)
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        screenshot(page, "counter-phone-" + url.split("/")[2])
        assert wide <= 0, (url, wide)
    context.close()


def test_the_counters_home_fits_the_narrowest_phone_without_scrolling_sideways(browser, live_server):
    """At 320 px (the narrowest phone still sold) the counter's home page, its drawer open
    and performances listed, does not scroll sideways."""
    from sales.shifts import shift_open

    make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-320", "counter clerk")
    shift_open(clerk=clerk, cash_float=Decimal("50"))
    for locale in ("en-CA", "fr-CA"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 700}, locale=locale)
        login(context, clerk, live_server)
        page = context.new_page()
        page.goto("/counter/")
        page.locator(".quick").first.wait_for()
        sizes = page.evaluate("""() => {
            const root = document.documentElement;
            const past = [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > root.clientWidth + 0.5)
                .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + el.className);
            return {scroll: root.scrollWidth, client: root.clientWidth, past: past.slice(0, 8)};
        }""")
        screenshot(page, f"counter-home-320-{locale}")
        assert sizes["scroll"] <= sizes["client"], (locale, sizes)
        context.close()


def test_price_type_menus_and_ticked_tickets_fit_a_phone(browser, live_server):
    """At a phone's width a sale's price type menu stays within its card (its arrow shows),
    and on the phone's order page each ticket's box stays beside its name."""
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest
    from tests.support import card_token, price_types

    perf = make_performance(rows=1, per_row=6, price="30.00")
    price_types(perf, {"Adult (evening, reserved seating)": {"Stalls": "30.00"},
                       "Child under twelve, with an adult": {"Stalls": "20.00"}})
    operator = make_user("operator-phone-width", "phone operator")
    zone = perf.price_zones.get()
    sold = order_place(hold=hold_create(performance=perf, channel="phone", user=operator, zone=zone, quantity=3),
                       customer=CustomerDetails(name="Hélène Tremblay", email="h@example.org"), actor=operator,
                       payment=PaymentRequest(method="card_not_present", token=card_token()))
    selling = hold_create(performance=perf, channel="phone", user=operator, zone=zone, quantity=2)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="fr-CA")
    login(context, operator, live_server)
    page = context.new_page()
    page.goto(f"/phone/customers/{sold.customer_id}/sale/{selling.pk}/")
    for menu in page.locator("#ticket-types select").all():
        box, card = menu.bounding_box(), menu.locator("xpath=ancestor::*[contains(@class,'card')][1]").bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"] + 1, (box, card)
    screenshot(page, "phone-sale-390")
    page.goto(f"/phone/orders/{sold.code}/")
    labels = page.locator("label.check")
    assert labels.count() >= 3
    for label in labels.all():
        tick, whole = label.locator("input").bounding_box(), label.bounding_box()
        assert whole["height"] < 2 * tick["height"] + 16, (label.inner_text(), whole, tick)  # one line
    screenshot(page, "phone-order-390")
    context.close()


def test_a_table_that_scrolls_within_its_card_on_a_phone_scrolls_from_the_keyboard(browser, live_server):
    """On a phone a staff page's wide table scrolls within its card: that card is a keyboard
    stop, named by its heading, and the arrow keys scroll it (axe-core:
    scrollable-region-focusable). On a desktop, where it fits, it is no stop of its own."""
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest
    from sales.shifts import shift_open
    from tests.browser import axe_violations, open_page

    perf = make_performance(rows=1, per_row=6, price="30.00")
    clerk = make_user("clerk-scroll", "counter clerk")
    shift = shift_open(clerk=clerk, cash_float=Decimal("50"))
    sold = order_place(hold=hold_create(performance=perf, channel="counter", user=clerk, zone=perf.price_zones.get(),
                                        quantity=2),
                       customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk, shift=shift,
                       payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    context, page = open_page(browser, live_server, {"width": 390, "height": 844})
    login(context, clerk, live_server)
    page.goto(f"/counter/orders/{sold.code}/")
    assert [v for v in axe_violations(page, "main") if v[0] == "scrollable-region-focusable"] == []
    card = page.locator("section.card", has=page.locator("#order-payments"))
    assert card.evaluate("c => c.scrollWidth > c.clientWidth")  # it does scroll at this width
    expect(card).to_have_attribute("tabindex", "0")
    expect(card).to_have_accessible_name("Payments")
    card.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("c => c.scrollLeft > 0", arg=card.element_handle())
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(card).not_to_have_attribute("tabindex", "0")
    context.close()


def test_the_change_due_reads_cash_typed_with_the_currency_as_the_page_writes_it(staff_page):
    """"50,00 €" (the page's own way in French, no-break space and all) and "€50" give the
    change as the server will, not a dash."""
    perf = make_performance(on_sale=False, rows=1, per_row=6, price="20.00")
    perf.price_zones.update(currency="EUR")
    inventory.put_on_sale(performance=perf)
    page = staff_page(make_user("clerk-euros", "counter clerk"))
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill("50")
    page.get_by_role("button", name="Open the drawer").click()
    page.get_by_role("button", name="Hold best seats").first.click()
    page.wait_for_url("**/counter/sale/**")
    for typed in ("€50", "50,00\u00a0€", "50 EUR", "£50"):
        page.get_by_label("Cash tendered").fill(typed)
        assert page.locator("#change").inner_text() == "€30.00", typed
    page.get_by_label("Cash tendered").fill("50 €€")
    assert page.locator("#change").inner_text() == "—"
    page.get_by_label("Cash tendered").fill("50,00 €")
    page.locator("#take-payment").click()
    page.get_by_text("Sold. Change due: €30.00").wait_for()
    assert Order.objects.get().payments.get().tendered == Decimal("50.00")


def test_closing_prints_the_shift_report_which_prints_without_the_pages_bars_and_buttons(staff_page):
    page = staff_page(make_user("clerk-print", "counter clerk"))
    page.context.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill("100.00")
    page.get_by_role("button", name="Open the drawer").click()
    page.goto("/counter/shift/close/")
    page.get_by_label("Cash counted in the drawer (float included)").fill("100.00")
    page.get_by_label("Card terminal total").fill("0")
    page.get_by_role("button", name="Close and print the report").click()
    page.wait_for_url("**/report/**")
    page.wait_for_load_state()
    assert page.evaluate("window.printed") == 1  # "Close and print the report" does print it
    page.reload()
    assert page.evaluate("window.printed") == 0  # once: seeing the report again does not
    page.emulate_media(media="print")
    # On paper: the report, not the site's bar, the staff's links or the Print button.
    for chrome in ("header.top", "nav.staffbar", "[data-print]"):
        assert page.locator(chrome).is_hidden(), chrome
    assert page.locator("#balance").is_visible() and page.locator("#shift-payments").is_visible()
    page.emulate_media(media="screen")
    assert page.locator("nav.staffbar").is_visible() and page.locator("[data-print]").is_visible()


def test_the_shift_report_fits_the_counters_80_mm_roll(staff_page):
    """The report "Close and print the report" prints goes to the counter's printer, the
    80 mm roll the tickets come out of: on paper it fits the roll less its margins, each
    table within it, no figure or word cut off at the roll's edge (in French, the longest)."""
    from tests.support import signed_in

    perf = make_performance(rows=2, per_row=6, price="1234.55")
    clerk = make_user("clerk-roll-report", "counter clerk")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "1500"})
    for payment in ({"tendered": "1300"}, {"card_amount": "1234.55", "card_reference": "A-1"},
                    {"tendered": "1000", "card_amount": "234.55", "card_reference": "B-2"}):
        sale = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk, "quantity": "1"})
        assert c.post(sale["Location"], {"attempt": "1", "language": "fr", **payment}).status_code == 302
    shift = Shift.objects.get(clerk=clerk)
    c.post("/counter/shift/close/", {"counted_cash": "3734.55", "counted_card": "1469.10"})
    shift.refresh_from_db()
    assert shift.closed_at is not None

    page = staff_page(clerk)
    page.goto(f"/counter/shift/{shift.pk}/report/")
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": page.url}])
    page.reload()
    expect(page.locator("h1")).to_have_text("Rapport de quart")
    page.emulate_media(media="print")
    # On the roll, what the page lays out in is 74 mm wide: 80 mm less its margins, as the
    # tickets' slip prints.
    roll = round(74 * 96 / 25.4)  # px
    page.set_viewport_size({"width": roll, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= roll
    for table in ("#balance", "#shift-payments"):
        box = page.locator(table).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= roll + 0.5, (table, box)
        # Nothing spills out of its cell, nor out of the table.
        spilled = page.evaluate("""t => [...document.querySelectorAll(t + ' th, ' + t + ' td')]
            .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)""", table)
        assert spilled == [], (table, spilled)
    screenshot(page, "shift-report-roll")


def test_the_80_mm_slip_prints_on_pages_as_long_as_each_ticket_and_the_receipt(staff_page):
    """A receipt printer's roll is 80 mm wide and as long as what is printed: each ticket
    is a page of its own (the printer cuts between them), as long as the ticket, and the
    receipt a page as long as itself; not a Letter page with a strip of slip in it."""
    import re

    make_performance(rows=1, per_row=6, price="20.00")
    page = staff_page(make_user("clerk-roll", "counter clerk"))
    page.context.add_init_script("window.print = () => {};")
    open_the_drawer(page, "50")
    page.wait_for_load_state()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/sale/**")
    page.get_by_label("Cash tendered").fill("40")
    page.locator("#take-payment").click()
    page.get_by_text("Sold.").wait_for()
    with page.expect_popup() as popup:
        page.locator("#print").click()
    slip = popup.value
    slip.wait_for_load_state()
    slip.evaluate("window.opener = null")  # kept open once printed (to PDF, below), to be read
    slip.emulate_media(media="print")
    heights = slip.evaluate("""() => [...document.querySelectorAll('.ticket, .slip')].map(
        e => e.getBoundingClientRect().height * 25.4 / 96)""")
    pdf = slip.pdf(prefer_css_page_size=True)
    boxes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    assert len(boxes) == 3, boxes  # two tickets, the receipt
    to_mm = 25.4 / 72
    for (width, height), printed in zip(boxes, heights, strict=True):
        assert abs(width * to_mm - 80) < 0.5, boxes
        # The page holds its part and its margins (3 mm at either end), with little to spare.
        assert printed + 6 <= height * to_mm <= printed + 6 + 4, (boxes, heights)
    # Each ticket's QR code is drawn across the 40 mm box the style gives it, centred in it
    # (not at its own size in the box's corner, off-centre with a gap under it).
    offsets = slip.evaluate("""() => [...document.querySelectorAll('.ticket .qr svg')].map(svg => {
        const box = svg.getBoundingClientRect(), drawn = svg.querySelector('path').getBoundingClientRect();
        return [Math.abs((drawn.left + drawn.right - box.left - box.right) / 2),
                Math.abs((drawn.top + drawn.bottom - box.top - box.bottom) / 2)];
    })""")
    assert len(offsets) == 2 and all(x < 2 and y < 2 for x, y in offsets), offsets


@pytest.mark.parametrize("language", ["en", "fr"])
def test_after_the_shift_is_closed_the_counters_menu_offers_to_open_one(staff_page, language):
    """Once the drawer is closed the menu says what the clerk can do (open a shift), not
    Sell and Close shift; a page bookmarked for those says there is no open shift."""
    words = {"en": ("Open a shift", "Sell", "Close shift", "You have no open shift."),
             "fr": ("Ouvrir un quart", "Vendre", "Fermer le quart", "Vous n’avez aucun quart ouvert.")}
    open_one, sell, close, none_open = words[language]
    page = staff_page(make_user(f"clerk-closed-{language}", "counter clerk"))
    page.context.add_init_script("window.print = () => {};")  # the report asks the printer on closing
    page.goto("/counter/")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    page.reload()
    page.locator("#cash_float").fill("100.00")
    page.locator("form[action$='/shift/open/'] button").click()
    menu = page.locator("nav.staffbar")
    expect(menu.get_by_role("link", name=sell)).to_be_visible()
    expect(menu.get_by_role("link", name=close)).to_be_visible()
    page.goto("/counter/shift/close/")
    page.locator("#counted_cash").fill("100.00")
    page.locator("#counted_card").fill("0")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/report/**")
    expect(menu.get_by_role("link", name=open_one)).to_be_visible()
    expect(menu.get_by_role("link", name=sell)).to_have_count(0)
    expect(menu.get_by_role("link", name=close)).to_have_count(0)
    menu.get_by_role("link", name=open_one).click()
    expect(page.locator("#cash_float")).to_be_focused()  # the drawer's float, to open a shift
    # Reached anyway (a bookmark, the history): said plainly, with the way to open one.
    answer = page.goto("/counter/shift/close/")
    assert answer.status == 200 and page.url.endswith("/counter/")
    expect(page.locator(".messages")).to_have_text(none_open)
    expect(page.locator("#cash_float")).to_be_visible()



def refused_short(page) -> None:
    """Open a drawer, hold two seats at 30.00 by keys, and take 50.00 cash for them: refused."""
    page.context.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    page.goto("/counter/")
    expect(page.locator("#cash_float")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("200")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()  # its keys are listened to once the page's script has run
    page.keyboard.press("2")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # hold the best two
    page.wait_for_load_state()
    expect(page.locator("#tendered")).to_be_focused()
    page.keyboard.type("50")
    expect(page.locator("#change")).to_have_text("short by $10.00")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("alert").filter(has_text="less than the total of $60.00")).to_be_visible()


def test_a_refused_payment_says_how_short_the_cash_typed_still_is(staff_page):
    """The page that comes back with the cash as typed says by how much it is short, as it
    did before it was sent, not that no change is due."""
    make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-short", "counter clerk"))
    refused_short(page)
    expect(page.locator("#tendered")).to_have_value("50")
    expect(page.locator("#change")).to_have_text("short by $10.00")


def test_the_cash_key_in_the_cash_field_selects_the_amount_to_type_over(staff_page):
    """The sale's page opens in the cash field: C pressed there, as the page advertises,
    selects what is in it, as it does from anywhere else, rather than doing nothing."""
    make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-c", "counter clerk"))
    hold_two_at_the_counter(page)
    page.wait_for_load_state()
    expect(page.locator("#tendered")).to_be_focused()
    page.keyboard.type("50")
    page.keyboard.press("c")
    page.keyboard.type("70")
    expect(page.locator("#tendered")).to_have_value("70")
    expect(page.locator("#change")).to_have_text("$10.00")


def test_a_refused_payment_puts_the_focus_on_its_reason_not_before_the_amount(staff_page):
    """The reason is read first; C then selects the cash typed, and the amount typed next
    replaces it (the focus left at the start of the field made 100 typed there 10050)."""
    make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-reason", "counter clerk"))
    refused_short(page)
    expect(page.get_by_role("alert").filter(has_text="less than the total")).to_be_focused()
    page.keyboard.press("c")
    page.keyboard.type("100")
    expect(page.locator("#tendered")).to_have_value("100")
    expect(page.locator("#change")).to_have_text("$40.00")


def test_a_clerk_sells_prints_and_refunds_from_the_keyboard_alone(staff_page):
    """Two tickets sold for cash (50.00 tendered first, refused as short), their slip
    printed and one refunded, with Tab, Enter and the keys the pages advertise."""
    perf = make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-keys", "counter clerk"))
    refused_short(page)
    assert Place.objects.filter(performance=perf, state="held").count() == 2
    page.keyboard.press("c")  # the amount typed is selected: what is typed replaces it
    page.keyboard.type("100")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Sold. Change due: $40.00").wait_for()
    page.wait_for_load_state()
    order = Order.objects.get(status="paid")
    with page.expect_popup() as popup:
        page.keyboard.press("p")
    slip = popup.value
    slip.wait_for_load_state()
    assert slip.evaluate("window.printed") == 1 and order.code in slip.locator("body").inner_text()
    slip.close()
    first, second = order.tickets.order_by("pk")
    page.keyboard.press("r")
    expect(page.locator("#refund-form").get_by_label(str(first.place))).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#refund-payback")).to_have_text("$30.00 goes back: $30.00 cash from the drawer.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#refund")).to_be_focused()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Refunded: Cash $30.00.").wait_for()
    assert sorted(order.tickets.values_list("pk", "status")) == [(first.pk, "void"), (second.pk, "valid")]


def exchanging_one_ticket(staff_page, hall, username: str, sold_in: str, tendered: str, new_zone: str):
    """A clerk of that name, drawer open, has sold one ticket in `sold_in` for `tendered`
    in cash and holds one in `new_zone` in exchange: the exchange's page, and the order."""
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest

    clerk = make_user(username, "counter clerk")
    page = staff_page(clerk)
    open_the_drawer(page, "100")
    hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk,
                       zone=hall.price_zones.get(name=sold_in), quantity=1)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=Shift.objects.get(), payments=[PaymentRequest(method="cash", tendered=Decimal(tendered))])
    page.goto(f"/counter/orders/{order.code}/")
    page.locator("#exchange-zone").select_option(str(hall.price_zones.get(name=new_zone).pk))
    with page.expect_navigation():
        page.locator("#exchange-hold").click()
    page.wait_for_load_state()
    return page, order


def test_a_refused_exchange_payment_focuses_its_reason_and_says_how_short_the_cash_is(staff_page, hall):
    """As at a sale: the exchange's page comes back refused with the cash as typed, the
    reason focused to be read first, and the change line saying by how much it is short."""
    page, _order = exchanging_one_ticket(staff_page, hall, "clerk-xshort", "Stalls", "50", "Front")
    expect(page.locator("#tendered")).to_be_focused()  # 30.00 more for the front
    page.keyboard.type("10")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_be_focused()
    expect(page.locator("#tendered")).to_have_value("10")
    expect(page.locator("#change")).to_have_text("short by $20.00")


def test_an_order_code_in_the_lookup_opens_the_order_and_a_search_focuses_its_first_result(staff_page):
    """L, the code and Enter open the order itself; a part of a name lists the orders it
    matches with the focus on the first, which Enter opens (not ten Tabs away)."""
    make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-find", "counter clerk"))
    order = sell_two_at_the_counter(page)
    page.goto("/counter/")
    page.wait_for_load_state()
    page.keyboard.press("l")
    page.keyboard.type(order.code.lower())  # as typed from the slip, in any case
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/counter/orders/{order.code}/")
    page.wait_for_load_state()
    page.keyboard.press("l")
    page.keyboard.type("counter cust")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/counter/lookup/**")
    expect(page.locator("#results").get_by_role("link", name=order.code)).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/counter/orders/{order.code}/")


def test_a_refused_exchange_payback_focuses_its_reason_not_the_exchange_button(staff_page, hall):
    """A wrong supervisor's password refuses the payback: the page comes back with the
    reason focused, to be read first, as a refused payment's is."""
    page, order = exchanging_one_ticket(staff_page, hall, "clerk-xback", "Front", "80", "Stalls")
    expect(page.locator("#payback")).to_have_text("$30.00")
    expect(page.locator("#confirm-exchange")).to_be_focused()
    page.get_by_text("Over your limit: supervisor approval").click()
    page.get_by_label("Supervisor").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    with page.expect_navigation():
        page.locator("#confirm-exchange").click()
    page.wait_for_load_state()
    reason = page.get_by_role("alert").filter(has_text="the supervisor's name or password is wrong")
    expect(reason).to_be_focused()
    order.refresh_from_db()
    assert order.tickets.get().status == "valid"  # nothing exchanged


def test_the_slip_stays_open_after_the_print_dialog_and_esc_closes_it_back_to_the_order(staff_page):
    """P opens the slip and prints it. The print dialog closed (printed or cancelled: the
    browser does not say which), the slip stays open: P prints the same slip again, with no
    REPRINT for tickets that may never have come out; Esc closes it, and the counter's page
    has the focus again, for the next key."""
    make_performance(rows=2, per_row=6, price="30.00")
    page = staff_page(make_user("clerk-slip", "counter clerk"))
    page.context.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    order = sell_two_at_the_counter(page)
    page.wait_for_load_state()
    # Each window is focused to Playwright's headless Chromium: the counter's page counts the
    # times it is given the focus, and is given it.
    page.evaluate("""() => { window.focused = 0; const own = window.focus.bind(window);
                             window.focus = () => { window.focused += 1; own(); }; }""")
    with page.expect_popup() as popup:
        page.keyboard.press("p")
    slip = popup.value
    slip.wait_for_load_state()
    assert slip.evaluate("window.printed") == 1 and order.code in slip.locator("body").inner_text()
    slip.evaluate("window.dispatchEvent(new Event('afterprint'))")  # the print dialog closed: cancelled
    slip.wait_for_timeout(300)
    assert not slip.is_closed()
    expect(slip.locator("#slip-close")).to_be_focused()
    slip.keyboard.press("p")  # printed again, from the same slip
    assert slip.evaluate("window.printed") == 2 and not slip.locator(".reprint").count()
    assert set(order.tickets.values_list("printed_count", flat=True)) == {1}
    slip.emulate_media(media="print")
    expect(slip.locator("#slip-bar")).to_be_hidden()  # never on the paper
    slip.emulate_media(media="screen")
    with slip.expect_event("close"), contextlib.suppress(PlaywrightError):
        slip.keyboard.press("Escape")  # the window may be gone before the key is done with
    assert page.evaluate("window.focused") == 1 and page.evaluate("document.hasFocus()")
    page.keyboard.press("r")  # the next key is the counter's: R, the refund
    expect(page.locator("#refund-form input[name=tickets]").first).to_be_focused()


def test_the_order_search_shows_its_whole_hint_on_a_desk_and_fits_a_phone(browser, live_server):
    """The staff bar's order search is wide enough on a desk screen for its hint to be read
    whole, in French as in English, and still fits a phone's width."""
    from sales.shifts import shift_open

    clerk = make_user("clerk-hint", "counter clerk")
    shift_open(clerk=clerk, cash_float=Decimal("50"))
    for locale, width in (("fr-CA", 1280), ("en-CA", 1280), ("fr-CA", 1024), ("fr-CA", 390), ("fr-CA", 320)):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800},
                                      locale=locale)
        login(context, clerk, live_server)
        page = context.new_page()
        page.goto("/counter/")
        search = page.locator('.staffbar input[name="q"]')
        text, room = search.evaluate("""el => {
            const style = getComputedStyle(el), ctx = document.createElement("canvas").getContext("2d");
            ctx.font = style.font;
            return [ctx.measureText(el.placeholder).width,
                    el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)];
        }""")
        if width >= 1024:
            assert room >= text, (locale, width, text, room)
        # On a phone, the bar and its search stay within the screen's width.
        over = page.evaluate("""() => [...document.querySelectorAll(".staffbar, .staffbar *")]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth).map(e => e.outerHTML.slice(0, 60))""")
        assert not over, (locale, width, over)
        context.close()


def below_the_first_line(page) -> list:
    """What in the staff bar starts below the bottom of its first item: what wrapped."""
    return page.evaluate("""() => {
        const items = [...document.querySelectorAll(".staffbar > *")];
        const first = items[0].getBoundingClientRect().bottom;
        return items.filter(e => e.getBoundingClientRect().top >= first)
            .map(e => e.id || e.tagName.toLowerCase());
    }""")


def test_the_staff_bar_keeps_to_one_line_on_a_desk_and_fits_a_phone(browser, live_server):
    """On a desk screen the counter's staff bar holds its links, search, shortcuts switch and
    sign out on one line, in French as in English; on the narrowest phone it may wrap, but
    sign out stays within the screen and can be pressed."""
    from sales.shifts import shift_open

    clerk = make_user("clerk-bar", "counter clerk")
    shift_open(clerk=clerk, cash_float=Decimal("50"))
    for locale, width in (("fr-CA", 1280), ("en-CA", 1280), ("fr-CA", 320), ("en-CA", 320)):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800},
                                      locale=locale)
        login(context, clerk, live_server)
        page = context.new_page()
        page.goto("/counter/")
        screenshot(page, f"staff-bar-{width}-{locale}")
        sign_out = page.locator("#sign-out button")
        box = sign_out.bounding_box()
        if width >= 1280:
            assert not below_the_first_line(page), (locale, width)
            page.locator("#keys-toggle").click()  # its longer label, "off"
            expect(page.locator("#keys-toggle")).to_have_attribute("aria-pressed", "false")
            assert not below_the_first_line(page), (locale, width, "shortcuts off")
        else:
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (locale, box)
        with page.expect_navigation():
            sign_out.click()
        assert "/login/" in page.url, page.url
        context.close()


def test_staff_pages_links_take_the_staff_bars_colour(staff_page, browser, live_server, tmp_path):
    """A plain link in a staff page's content ("Pick on the map", an order's code in the
    shift report) is in the colour of the staff bar's links, visited or not, readable on
    its background. Visited is read off the screen, in a browser that keeps its history:
    a page's script is told a visited link's colour as if it were not."""
    make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-links", "counter clerk")
    page = staff_page(clerk)
    order = sell_two_at_the_counter(page)
    bar = page.locator(".staffbar a").first.evaluate("a => getComputedStyle(a).color")
    page.goto("/counter/")
    colour, ratio = link_look(page, page.get_by_role("link", name="Pick on the map").first)
    assert (colour, ratio >= 4.5) == (bar, True), ratio
    from sales.shifts import shift_close

    shift = Shift.objects.get()
    shift_close(shift=shift, clerk=shift.clerk, counted_cash=Decimal("110"), counted_card=Decimal("0"))
    context, page = open_with_history(browser, live_server, tmp_path)
    login(context, clerk, live_server)
    page.goto(f"/counter/shift/{shift.pk}/report/")
    code = page.get_by_role("link", name=order.code)
    code.click()  # visited now: the same colour still
    page.go_back()
    colour, ratio = link_look(page, code)
    assert (colour, drawn_colour(code), ratio >= 4.5) == (bar, bar, True), ratio
    context.close()


def test_a_reload_of_the_staff_map_keeps_the_seats_picked_in_every_section(staff_page):
    """Nothing is held until the clerk holds the seats picked: reloading the map (or
    coming back to it) keeps them picked, those of the sections opened before as well as
    those of the section open."""
    from tests.factories import SectionFactory, VenueFactory

    venue = VenueFactory()
    left, right = (SectionFactory(venue=venue, name=name, rows=1, per_row=4) for name in ("Left", "Right"))
    perf = PerformanceFactory(venue=venue, channels=[Channel.COUNTER])
    PriceZoneFactory(performance=perf, name="Floor", sections=[left, right])
    inventory.put_on_sale(performance=perf)
    page = staff_page(make_user("clerk-reload", "counter clerk"))
    open_the_drawer(page, "50")
    page.goto(f"/counter/performances/{perf.pk}/map/")
    for section in (left, right):
        page.locator(f'.section-link[data-section="{section.id}"]').click()
        page.locator(f'#seatmap[data-section="{section.id}"] .seat').first.wait_for()
        page.locator(f'#seatmap[data-section="{section.id}"] .seat').first.click()
    expect(page.locator("#picked-count")).to_have_text("2 selected")
    picked = sorted(page.locator("#picked-seats").input_value().split(","))
    page.reload()
    page.locator(f'#seatmap[data-section="{right.id}"] .seat').first.wait_for()
    expect(page.locator("#picked-count")).to_have_text("2 selected")
    assert sorted(page.locator("#picked-seats").input_value().split(",")) == picked
    expect(page.locator(f'#seatmap[data-section="{right.id}"] .seat').first).to_have_class(re.compile(r"\bpicked\b"))
    # A seat let go is let go on a reload too.
    page.locator(f'#seatmap[data-section="{right.id}"] .seat').first.click()
    expect(page.locator("#picked-count")).to_have_text("1 selected")
    page.reload()
    page.locator(f'#seatmap[data-section="{right.id}"] .seat').first.wait_for()
    expect(page.locator("#picked-count")).to_have_text("1 selected")
    # Every seat let go, then another section opened: none comes back from the address the
    # page was drawn with.
    page.locator(f'.section-link[data-section="{left.id}"]').click()
    page.locator(f'#seatmap[data-section="{left.id}"] .seat').first.wait_for()
    expect(page.locator("#picked-count")).to_have_text("1 selected")
    page.locator(f'#seatmap[data-section="{left.id}"] .seat').first.click()
    expect(page.locator("#picked-count")).to_have_text("No seat selected")
    page.locator(f'.section-link[data-section="{right.id}"]').click()
    page.locator(f'#seatmap[data-section="{right.id}"] .seat').first.wait_for()
    expect(page.locator("#picked-count")).to_have_text("No seat selected")
    page.reload()
    page.locator(f'#seatmap[data-section="{right.id}"] .seat').first.wait_for()
    expect(page.locator("#picked-count")).to_have_text("No seat selected")
    page.locator(f'#seatmap[data-section="{right.id}"] .seat').nth(1).click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/counter/sale/**")
    assert [p.section.name for p in Place.objects.filter(performance=perf, state="held")] == ["Right"]
