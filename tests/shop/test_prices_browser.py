"""Price types, a promo code and the receipt at the shop, in a real browser: the total on
the page is the one worked out here by hand, and the one charged."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Channel
from sales.models import Order, PromoCode, Ticket
from tests.browser import axe_violations, open_page, screenshot, type_card
from tests.support import booking_fee, make_performance, places_of, price_types, quebec_taxes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

CENT = Decimal("0.01")


def by_hand(*list_prices: str, percent_off: str, fee: str, rates=("0.05", "0.09975")) -> Decimal:
    """An order as a Québec receipt adds it up: each price less its discount, the booking
    fees, and GST and QST each on the whole of these, rounded to the cent, half up."""
    def c(x):
        return x.quantize(CENT, rounding=ROUND_HALF_UP)
    base = sum((Decimal(p) - c(Decimal(p) * Decimal(percent_off) / 100) + Decimal(fee) for p in list_prices),
               Decimal("0"))
    return base + sum((c(base * Decimal(r)) for r in rates), Decimal("0"))


def dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_a_family_of_four_with_a_promo_code_pays_the_total_worked_out_by_hand(browser, live_server, viewport):
    perf = make_performance(rows=2, per_row=8)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"},
                               "Student": {"Stalls": "40.00"}}, comp="Press")
    types["Child"].note = "Under 12, with an adult"
    types["Child"].save()
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    PromoCode.objects.create(code="FAMILLE10", percent_off=Decimal("10"))
    seats = places_of(perf)[:4]
    context, page = open_page(browser, live_server, viewport)
    page.goto(f"/performances/{perf.pk}/")
    expect(page.locator("#zones-h + .legend")).to_contain_text("Stalls — from $35.00")
    for seat in seats:
        page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")

    four_adults = by_hand(*["60.00"] * 4, percent_off="0", fee="3.50")
    expect(page.locator("#basket-total")).to_have_text(dollars(four_adults))  # the default: the first type
    assert page.get_by_label(f"Price type for {seats[0]}").locator("option").all_inner_texts() == [
        "Adult — $60.00", "Child — $35.00", "Student — $40.00"]  # no comp
    expect(page.locator("#basket-places tbody tr").first).to_contain_text("before tax")  # beside the choice
    for seat in seats[2:]:
        page.get_by_label(f"Price type for {seat}").select_option(label="Child — $35.00")
    no_code = by_hand("60.00", "60.00", "35.00", "35.00", percent_off="0", fee="3.50")
    expect(page.locator("#basket-total")).to_have_text(dollars(no_code))
    expect(page.locator("#receipt")).to_contain_text("Under 12, with an adult")

    # A code that has expired: said at the top and under the field, which keeps the focus;
    # what was typed stays.
    PromoCode.objects.create(code="ETE2025", percent_off=Decimal("20"), valid_until=timezone.now() - timedelta(days=1))
    code = page.get_by_label("Promo code")
    code.fill("ete2025")
    code.press("Enter")  # applies the code; it does not pay
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("the code ETE2025 has expired")
    expect(page.locator("#id_promo_code_error")).to_contain_text("The code ETE2025 has expired")
    expect(code).to_be_focused()
    assert code.input_value() == "ete2025" and "/basket/" in page.url
    assert page.get_by_label(f"Price type for {seats[3]}").input_value() == str(types["Child"].pk)

    code.fill("famille10")
    page.get_by_role("button", name="Apply the code").click()
    expected = by_hand("60.00", "60.00", "35.00", "35.00", percent_off="10", fee="3.50")
    assert expected == Decimal("212.70")  # as a calculator gives it
    expect(page.locator("#basket-total")).to_have_text(dollars(expected))
    expect(page.locator("#error-summary")).to_have_count(0)
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Discount (FAMILLE10)")
    for name in ("GST (5%)", "QST (9.975%)"):
        expect(receipt).to_contain_text(name)
    expect(page.locator("#pay")).to_have_text(f"Pay {dollars(expected)}")
    assert not Order.objects.exists()
    assert axe_violations(page, "main") == []
    screenshot(page, f"basket-prices-{viewport['width']}")

    page.get_by_label("Full name").fill("Famille Tremblay")
    page.get_by_label("Email").fill("tremblay@example.org")
    type_card(page, "4242 4242 4242 4242")
    page.locator("#pay").click()
    page.wait_for_url("**/orders/**")
    order = Order.objects.get()
    assert order.status == "paid" and order.total == expected and order.receipt["promo_code"] == "FAMILLE10"
    assert sorted(Ticket.objects.filter(order=order).values_list("price_type_name", flat=True)) == [
        "Adult", "Adult", "Child", "Child"]
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_basket_with_price_types_and_a_code_fits_a_small_phone(browser, live_server, language):
    perf = make_performance(rows=2, per_row=8)
    price_types(perf, {"Adult": {"Stalls": "60.00"}, "Senior or student with a card": {"Stalls": "1234.50"}})
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    context, page = open_page(browser, live_server, {"width": 375, "height": 740})
    if language == "fr":
        context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/performances/{perf.pk}/")
    for seat in places_of(perf)[:2]:
        page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    page.locator("#basket-total").wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, f"basket-375-{language}")
    assert overflow <= 0, f"the basket is {overflow} px wider than a 375 px phone"
    PromoCode.objects.create(code="FAMILLE10", percent_off=Decimal("10"))  # the receipt's widest: a discount column
    page.locator("#id_promo_code").fill("famille10")
    page.locator("#apply-code").click()
    expect(page.locator("#receipt")).to_contain_text("FAMILLE10")
    page.locator("#id_name").fill("Camille Roy")
    page.locator("#id_email").fill("camille@example.org")
    type_card(page, "4242 4242 4242 4242")
    page.locator("#pay").click()
    page.wait_for_url("**/orders/**")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.locator(".receipt tfoot").scroll_into_view_if_needed()
    screenshot(page, f"order-375-{language}")
    assert overflow <= 0, f"the order's page is {overflow} px wider than a 375 px phone"
    context.close()


FITS = """select => {
    const style = getComputedStyle(select), probe = document.createElement("span");
    probe.style.cssText = "position: absolute; visibility: hidden; white-space: pre";
    probe.style.font = style.font;
    probe.textContent = select.options[select.selectedIndex].text;
    document.body.append(probe);
    const text = probe.getBoundingClientRect().width;
    probe.remove();
    const box = select.getBoundingClientRect();
    return {text, room: select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
            left: box.left, right: box.right, page: document.documentElement.scrollWidth};
}"""


def test_a_long_price_type_and_its_price_show_whole_in_the_basket_on_a_phone(browser, live_server):
    """At 390 px, the price-type choice shows its whole label, price included, and the page
    does not scroll sideways."""
    perf = make_performance(rows=2, per_row=8)
    price_types(perf, {"Adulte": {"Stalls": "45.00"}, "Enfant (moins de 12 ans)": {"Stalls": "29.00"}})
    context, page = open_page(browser, live_server, {"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/performances/{perf.pk}/")
    seat = places_of(perf)[0]
    page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    choice = page.locator("#basket-places select")
    choice.select_option(label="Enfant (moins de 12 ans) — 29,00 $")
    expect(page.locator("#basket-total")).to_contain_text("29,00")
    fit = choice.evaluate(FITS)
    screenshot(page, "basket-390-price-type")
    assert fit["page"] <= 390, f"the basket is {fit['page']} px wide on a 390 px phone"
    assert fit["left"] >= 0 and fit["right"] <= 390, fit
    # The closed choice shows its label on one line: the room left beside its arrow holds it whole.
    assert fit["text"] + 24 <= fit["room"], f"the price type is cut off: {fit}"
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_price_type_with_its_tax_basis_shows_whole_in_the_basket_on_a_phone(browser, live_server, language):
    """With taxes, each price says what it holds ("before tax"): at 390 px the chosen price
    type still shows whole, its price and that basis in view, and nothing scrolls sideways."""
    perf = make_performance(rows=2, per_row=8)
    price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child (under 12)": {"Stalls": "53.00"}})
    quebec_taxes()
    context, page = open_page(browser, live_server, {"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"/performances/{perf.pk}/")
    seat = places_of(perf)[0]
    page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    choice = page.locator("#basket-places select")
    child = [o for o in choice.locator("option").all_inner_texts() if o.startswith("Child")][0]
    choice.select_option(label=child)
    expect(page.locator("#basket-total")).to_contain_text({"en": "$", "fr": "$"}[language])
    fit = choice.evaluate(FITS)
    screenshot(page, f"basket-390-price-basis-{language}")
    row = page.locator("#basket-places tbody tr").first
    shown = " ".join(row.inner_text().split())
    assert {"en": "$53.00", "fr": "53,00 $"}[language] in " ".join(child.split())  # the price, in the choice
    assert {"en": "before tax", "fr": "avant taxes"}[language] in shown  # and what it holds, in view
    assert fit["page"] <= 390, f"the basket is {fit['page']} px wide on a 390 px phone"
    assert fit["left"] >= 0 and fit["right"] <= 390, fit
    assert fit["text"] + 24 <= fit["room"], f"the price type is cut off: {fit}"
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_bad_promo_code_on_a_phone_brings_the_focus_to_its_field_and_its_error(browser, live_server, language):
    """At 390 px, a promo code refused leaves the focus in its field, its error under it and
    read with it, not at the summary at the top of the page; errors with other fields (or
    none) still bring the focus to the summary."""
    perf = make_performance(rows=2, per_row=8)
    price_types(perf, {"Adult": {"Stalls": "60.00"}})
    context, page = open_page(browser, live_server, {"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"/performances/{perf.pk}/")
    page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[0].pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    code = page.locator("#id_promo_code")
    code.fill("nosuchcode")
    page.locator("#apply-code").click()
    error = page.locator("#id_promo_code_error")
    expect(error).to_have_text({"en": "The code nosuchcode does not exist.",
                                "fr": "Le code nosuchcode n’existe pas."}[language])
    expect(page.locator("#error-summary")).to_be_visible()  # still listed at the top
    expect(code).to_be_focused()
    # Read with its error: the field names it as its description.
    described = code.evaluate("""f => (f.getAttribute("aria-describedby") || "").split(" ")
        .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(" ")""")
    assert error.inner_text() in described
    assert code.get_attribute("aria-invalid") == "true"
    box = code.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844  # in view, not scrolled away
    screenshot(page, f"basket-390-promo-error-{language}")

    # Paying with the code still wrong and no name: several errors, the summary has the focus.
    page.locator("#pay").click()
    page.locator("#error-summary").wait_for()
    expect(page.locator("#error-summary")).to_be_focused()
    context.close()
