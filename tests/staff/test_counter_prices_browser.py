"""Price types and comps at the counter, in a real browser, by keys: a number gives the
chosen ticket its price type, and a comp is refused until its reason is given."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sales.models import Order, Place
from tests.browser import axe_violations, login, screenshot
from tests.support import make_performance, make_user, price_types

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def open_counter(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  bypass_csp=True)  # for axe-core; the page's own policy is tested elsewhere
    login(context, user, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/counter/")
    page.get_by_label("Cash float in the drawer").fill("100")
    page.get_by_role("button", name="Open the drawer").click()
    page.locator(".quick").first.wait_for()
    return context, page


def test_price_types_by_keys_and_a_comp_refused_without_its_reason(browser, live_server):
    perf = make_performance(rows=2, per_row=8)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"}}, comp="Press")
    context, page = open_counter(browser, live_server, make_user("clerk-comp", "counter clerk"))
    page.keyboard.press("3")
    page.keyboard.press("Enter")  # hold the best three
    page.wait_for_url("**/counter/sale/**")
    expect(page.locator("#total")).to_have_text("$180.00")  # three adults, the first type
    held = list(Place.objects.filter(performance=perf, state="held").order_by("pk"))
    selects = [page.get_by_label(f"Price type for {place}") for place in held]

    page.keyboard.press("ArrowDown")  # the second ticket
    page.keyboard.press("2")  # ... is a child's; the third is chosen next
    expect(selects[1]).to_have_value(str(types["Child"].pk))
    expect(page.locator("#total")).to_have_text("$155.00")
    expect(page.locator("#ticket-types tr.current")).to_contain_text(str(held[2]))
    page.keyboard.press("3")  # the third: a comp
    expect(selects[2]).to_have_value(str(types["Press"].pk))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("1")  # the first stays an adult
    expect(selects[0]).to_have_value(str(types["Adult"].pk))
    expect(page.locator("#totals")).to_contain_text("give the reason for the complimentary tickets")
    expect(page.locator("#total")).to_have_text("$95.00")  # beside the error: the comp at nothing
    screenshot(page, "counter-prices-comp")

    page.keyboard.press("c")  # to the cash
    page.keyboard.type("100")
    expect(page.locator("#change")).to_have_text("$5.00")
    page.locator("#take-payment").click()  # refused: no reason given
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("give the reason for the complimentary tickets")
    expect(page.locator("#total")).to_have_text("$95.00")  # the page comes back with its total
    expect(page.get_by_label("Reason for the complimentary tickets")).to_be_focused()
    assert not Order.objects.exists()
    assert Place.objects.filter(performance=perf, state="held").count() == 3
    expect(selects[2]).to_have_value(str(types["Press"].pk))  # the choices are kept

    page.get_by_label("Reason for the complimentary tickets").fill("Le Soleil, critique")
    page.keyboard.press("Enter")  # prices again; it does not take the money
    expect(page.locator("#total")).to_have_text("$95.00")
    assert "/counter/sale/" in page.url and not Order.objects.exists()
    page.keyboard.press("c")  # the field was left: the next key is a key, not typed into the reason
    page.keyboard.type("100")
    expect(page.get_by_label("Reason for the complimentary tickets")).to_have_value("Le Soleil, critique")
    expect(page.locator("#change")).to_have_text("$5.00")
    assert axe_violations(page, "main") == []
    page.locator("#take-payment").click()
    page.get_by_text("Sold. Change due: $5.00").wait_for()
    expect(page.locator("#comp-reason")).to_have_text("Complimentary tickets: Le Soleil, critique")
    order = Order.objects.get()
    assert order.total == 95 and order.comp_reason == "Le Soleil, critique"
    assert sorted(order.tickets.values_list("price_type_name", "complimentary")) == [
        ("Adult", False), ("Child", False), ("Press", True)]
    context.close()


def test_the_cash_key_in_the_cash_field_is_not_typed_into_it(browser, live_server):
    """Without price types the sale opens in the cash tendered: the clerk's C, then the
    amount, is the amount alone."""
    make_performance(rows=2, per_row=8)
    context, page = open_counter(browser, live_server, make_user("clerk-cash-key", "counter clerk"))
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # hold the best two
    page.wait_for_url("**/counter/sale/**")
    expect(page.get_by_label("Cash tendered")).to_be_focused()
    page.keyboard.press("c")
    page.keyboard.type("120")
    expect(page.get_by_label("Cash tendered")).to_have_value("120")
    expect(page.locator("#change")).to_have_text("$20.00")
    page.locator("#take-payment").click()
    page.get_by_text("Sold. Change due: $20.00").wait_for()
    assert Order.objects.get().total == 100
    context.close()


def test_a_french_counter_writes_the_total_and_the_change_as_french_does(browser, live_server):
    """The total and the change due the page works out as the clerk types are amounts in
    the clerk's language (1 234,50 $), and the change the server confirms is the same."""
    make_performance(rows=2, per_row=8, price="617.25")
    context, page = open_counter(browser, live_server, make_user("clerk-fr", "counter clerk"))
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.reload()
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # hold the best two
    page.wait_for_url("**/counter/sale/**")
    expect(page.locator("#total")).to_have_text("1\u202f234,50\u00a0$")
    expect(page.locator("#change")).to_have_text("0,00\u00a0$")
    page.keyboard.press("c")
    page.keyboard.type("1 300,00")  # as a French clerk writes it, which the server takes too
    expect(page.locator("#change")).to_have_text("65,50\u00a0$")
    page.keyboard.press("Control+a")
    page.keyboard.type("1,300")  # a thousand, or one with three decimals: the server will ask
    expect(page.locator("#change")).to_have_text("—")
    page.keyboard.press("Control+a")
    page.keyboard.type("1 000")  # short of the total: by how much, before the server says so
    expect(page.locator("#change")).to_have_text("il manque 234,50\u00a0$")
    page.keyboard.press("Control+a")
    page.keyboard.type("$1300")
    expect(page.locator("#change")).to_have_text("65,50\u00a0$")
    page.locator("#take-payment").click()
    expect(page.locator(".msg-success")).to_contain_text("Monnaie à rendre : 65,50\u00a0$")
    assert Order.objects.get().total == 1234.5
    context.close()


def test_choices_made_quickly_by_keys_are_the_ones_kept_on_a_reload(browser, live_server):
    """Each key prices the sale again; keys pressed faster than the answers come must not
    leave an earlier choice kept (the page opened again shows what was chosen last)."""
    perf = make_performance(rows=2, per_row=8)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"},
                               "Senior": {"Stalls": "40.00"}})
    context, page = open_counter(browser, live_server, make_user("clerk-quick", "counter clerk"))
    page.keyboard.press("4")
    page.keyboard.press("Enter")  # hold the best four
    page.wait_for_url("**/counter/sale/**")
    expect(page.locator("#total")).to_have_text("$240.00")
    held = list(Place.objects.filter(performance=perf, state="held").order_by("pk"))
    for key in "2323":  # child, senior, child, senior: each ticket in turn, without waiting
        page.keyboard.press(key)
    expect(page.locator("#total")).to_have_text("$150.00")
    page.wait_for_timeout(1_000)
    page.reload()
    for place, kind in zip(held, ("Child", "Senior", "Child", "Senior"), strict=True):
        expect(page.get_by_label(f"Price type for {place}")).to_have_value(str(types[kind].pk))
    expect(page.locator("#total")).to_have_text("$150.00")
    context.close()


@pytest.mark.parametrize(("language", "change", "short"), [
    ("en", "€20.00", "short by €30.00"),
    ("fr", "20,00\u00a0€", "il manque 30,00\u00a0€"),
])
def test_a_sale_priced_in_euros_works_out_its_change_in_euros(browser, live_server, language, change, short):
    """The change the page works out as the clerk types is in the sale's currency, as the
    server writes it, not in dollars."""
    from events.models import PriceZone
    from sales import inventory

    perf = make_performance(rows=2, per_row=8, on_sale=False)
    PriceZone.objects.filter(performance=perf).update(currency="EUR")
    inventory.put_on_sale(performance=perf)
    context, page = open_counter(browser, live_server, make_user(f"clerk-euro-{language}", "counter clerk"))
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.reload()
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # hold the best two: 100.00
    page.wait_for_url("**/counter/sale/**")
    page.keyboard.press("c")
    page.keyboard.type("70")
    expect(page.locator("#change")).to_have_text(short)
    page.keyboard.press("Control+a")
    page.keyboard.type("120")
    expect(page.locator("#change")).to_have_text(change)
    page.locator("#take-payment").click()
    expect(page.locator(".msg-success")).to_contain_text(change)
    assert Order.objects.get().currency == "EUR"
    context.close()


def test_the_terminal_key_takes_the_rest_of_the_sale_on_the_card_terminal(browser, live_server):
    """A card paid at the terminal by keys, as cash is: T opens the card terminal's fields
    with what is left to pay after the cash typed, in the reference the terminal gives, and
    Enter takes it; no mouse to open the section, no total typed again by hand."""
    make_performance(rows=2, per_row=8, price="40.10")
    context, page = open_counter(browser, live_server, make_user("clerk-card-key", "counter clerk"))
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # hold the best two
    page.wait_for_url("**/counter/sale/**")
    expect(page.locator("#total")).to_have_text("$80.20")
    page.keyboard.press("Escape")  # out of the cash field, where the sale opens
    page.keyboard.press("t")
    expect(page.get_by_label("Card amount")).to_be_visible()
    expect(page.get_by_label("Card amount")).to_have_value("80.20")  # the whole total: no cash was typed
    expect(page.get_by_label("Terminal authorisation reference")).to_be_focused()
    expect(page.locator("#change")).to_have_text("$0.00")
    page.keyboard.type("A-4471")
    page.keyboard.press("Enter")
    page.get_by_text("Sold.").wait_for()
    order = Order.objects.get()
    assert [(p.method, p.amount, p.reference) for p in order.payments.all()] == [
        ("card_terminal", Decimal("80.20"), "A-4471")]

    # A split: the cash handed over first, then T puts the rest on the card.
    page.goto("/counter/")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/sale/**")
    page.keyboard.press("c")
    page.keyboard.type("20")
    page.keyboard.press("t")  # from the cash field: a key, not typed into the amount
    expect(page.get_by_label("Cash tendered")).to_have_value("20")
    expect(page.get_by_label("Card amount")).to_have_value("60.20")
    expect(page.get_by_label("Terminal authorisation reference")).to_be_focused()
    expect(page.locator("#change")).to_have_text("$0.00")
    page.keyboard.type("B-0912")
    page.keyboard.press("Enter")
    page.get_by_text("Sold.").wait_for()
    split = Order.objects.order_by("-pk").first()
    assert sorted((p.method, p.amount) for p in split.payments.all()) == [
        ("card_terminal", Decimal("60.20")), ("cash", Decimal("20.00"))]
    context.close()


def test_a_reservation_is_paid_at_the_counter_by_the_same_keys_as_a_sale(browser, live_server):
    """A caller's reservation paid at the window: C the cash handed over, T the rest on the
    card terminal (its fields opened, the rest offered, the focus in its reference), Enter."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Channel
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, customer_register, order_reserve
    from tests.support import places_of

    perf = make_performance(rows=2, per_row=8, price="40.10")
    operator = make_user("operator-reserves", "phone operator")
    caller = CustomerDetails(name="Lise Caron", email="lise@example.org", phone="+15145550142")
    customer = customer_register(details=caller)
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, owner_key=f"customer:{customer.pk}",
                       place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_reserve(hold=hold, customer=caller, actor=operator, deadline=timezone.now() + timedelta(days=2))
    context, page = open_counter(browser, live_server, make_user("clerk-reservation-keys", "counter clerk"))
    page.goto(f"/counter/orders/{order.code}/")
    page.locator("#reservation-payment").wait_for()
    page.keyboard.press("c")
    expect(page.get_by_label("Cash tendered")).to_be_focused()
    page.keyboard.type("20")
    page.keyboard.press("t")  # from the cash field: a key, not typed into the amount
    expect(page.get_by_label("Cash tendered")).to_have_value("20")
    expect(page.get_by_label("Card amount")).to_have_value("60.20")
    expect(page.get_by_label("Terminal authorisation reference")).to_be_focused()
    page.keyboard.type("C-5530")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('reservation-payment')")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert sorted((p.method, p.amount, p.reference) for p in order.payments.all()) == [
        ("card_terminal", Decimal("60.20"), "C-5530"), ("cash", Decimal("20.00"), "")]
    context.close()


def test_a_currency_code_typed_after_an_amount_is_typed_not_taken_for_a_key(browser, live_server):
    """The amount fields take a currency code as the page writes one ("20 CAD"): C and T
    typed after the amount's space are letters of the code, not the keys to the cash and
    the card terminal; once the amount reads complete, T takes the rest to the terminal."""
    make_performance(rows=2, per_row=8, price="40.10")
    context, page = open_counter(browser, live_server, make_user("clerk-typed-code", "counter clerk"))
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter/sale/**")
    page.keyboard.press("c")
    page.keyboard.type("20 CAD")
    expect(page.get_by_label("Cash tendered")).to_have_value("20 CAD")
    expect(page.get_by_label("Cash tendered")).to_be_focused()
    page.keyboard.press("t")  # "20 CAD" is a whole amount: the key to the card terminal
    expect(page.get_by_label("Card amount")).to_have_value("60.20")
    expect(page.get_by_label("Terminal authorisation reference")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back to the card's amount, to say its currency too
    page.keyboard.press("End")
    page.keyboard.type(" CAD")
    expect(page.get_by_label("Card amount")).to_have_value("60.20 CAD")
    expect(page.get_by_label("Cash tendered")).to_have_value("20 CAD")
    page.keyboard.press("Tab")
    page.keyboard.type("D-2208")
    page.keyboard.press("Enter")
    page.get_by_text("Sold.").wait_for()
    assert sorted((p.method, p.amount) for p in Order.objects.get().payments.all()) == [
        ("card_terminal", Decimal("60.20")), ("cash", Decimal("20.00"))]
    context.close()
