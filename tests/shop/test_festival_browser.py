"""Standing tickets at a festival, bought as two newcomers would: in French on a phone
(390 px), and in English at a desk with the keyboard alone. Each refusal (too many
tickets, a wrong promo code, a declined card) is said in the page's language under its
field; nothing is cut off; axe-core finds nothing serious on any page."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from events.models import Channel
from sales.models import Order, PromoCode
from tests.browser import axe_violations, open_page, screenshot, type_card
from tests.support import booking_fee, make_performance, quebec_taxes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def festival():
    """A lawn of 50 standing places (20.00) beside a few seats, at most 6 tickets an order,
    Québec's taxes, a booking fee and the code FESTIVAL10."""
    perf = make_performance(rows=2, per_row=6, standing=50, ticket_limit=6)
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    PromoCode.objects.create(code="FESTIVAL10", percent_off=Decimal("10"))
    return perf


def in_french(browser, live_server, viewport):
    context, page = open_page(browser, live_server, viewport, touch=True)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    return context, page


def fits(page, width):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than a {width} px screen"
    assert axe_violations(page, "body") == []


def described_by(field) -> str:
    return field.evaluate("""f => (f.getAttribute("aria-describedby") || "").split(" ")
        .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(" ")""")


def lawn(page):
    return page.locator("form:has(input[name=section])")


@pytest.mark.parametrize(("language", "viewport"), [("fr", PHONE), ("en", DESK)])
def test_too_many_standing_tickets_are_refused_under_the_field_in_the_pages_words(
        browser, live_server, language, viewport):
    """The browser's own check would say it in the browser's language, in a bubble that
    goes; the shop says it under the field, the number typed kept and the focus on it."""
    perf = festival()
    context, page = (in_french(browser, live_server, viewport) if language == "fr"
                     else open_page(browser, live_server, viewport))
    page.goto(f"/performances/{perf.pk}/")
    quantity = lawn(page).get_by_label({"fr": "Billets", "en": "Tickets"}[language])
    quantity.fill("9")
    lawn(page).get_by_role("button").click()
    said = {"fr": "Au plus 6 billets par commande.", "en": "At most 6 tickets per order."}[language]
    error = lawn(page).locator(".error")
    expect(error).to_have_text(said)
    quantity = lawn(page).get_by_label({"fr": "Billets", "en": "Tickets"}[language])
    expect(quantity).to_be_focused()
    expect(quantity).to_have_value("9")
    assert quantity.get_attribute("aria-invalid") == "true"
    assert said in described_by(quantity)
    assert "Lawn" in described_by(quantity)  # which of the page's "Tickets" this one is
    field, told = quantity.bounding_box(), error.bounding_box()
    assert 0 <= told["y"] - (field["y"] + field["height"]) < 120, (field, told)  # right under its row
    assert told["y"] + told["height"] <= viewport["height"]  # in view
    assert page.locator(".messages .msg-error").count() == 0  # said once, where it belongs
    # Nothing typed or nothing at all: asked for under the field too.
    quantity.fill("")
    lawn(page).get_by_role("button").click()
    asked = {"fr": "Combien de billets ?", "en": "How many tickets?"}[language]
    expect(lawn(page).locator(".error")).to_have_text(asked)
    fits(page, viewport["width"])
    screenshot(page, f"standing-too-many-{language}")
    # The other forms are as they were.
    best = page.locator("#quantity-best")
    assert best.input_value() == "2" and best.get_attribute("aria-invalid") is None
    context.close()


def test_a_french_festival_goer_on_a_phone_buys_three_standing_tickets(browser, live_server):
    perf = festival()
    context, page = in_french(browser, live_server, PHONE)
    page.goto("/")
    fits(page, 390)
    page.get_by_role("link", name="Choisir des places").click()
    page.wait_for_url(f"**/performances/{perf.pk}/")
    expect(lawn(page)).to_contain_text("Lawn (debout) — 20,00 $, 50 restantes")
    fits(page, 390)
    lawn(page).get_by_label("Billets").fill("3")
    lawn(page).get_by_role("button", name="Retenir des places debout").click()
    page.wait_for_url("**/basket/")
    assert re.fullmatch(r"\d{1,2}:\d\d", page.locator("#countdown .clock").inner_text())
    expect(page.locator("#basket-total")).to_have_text("81,06\u00a0$")  # 3 × 23,50 + TPS + TVQ
    fits(page, 390)

    code = page.get_by_label("Code promo")
    code.fill("FESTOCHE")
    page.get_by_role("button", name="Appliquer le code").click()
    expect(page.locator("#id_promo_code_error")).to_have_text("Le code FESTOCHE n’existe pas.")
    expect(code).to_be_focused()
    fits(page, 390)
    code.fill("festival10")
    page.get_by_role("button", name="Appliquer le code").click()
    expect(page.locator("#basket-total")).to_have_text("74,16\u00a0$")
    expect(page.locator("#receipt")).to_contain_text("Rabais (FESTIVAL10)")

    page.get_by_label("Nom complet").fill("Camille Roy")
    page.get_by_label("Courriel").fill("camille@example.org")
    type_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Payer 74,16 $").click()
    card_error = page.locator("[data-card-errors]")
    expect(card_error).to_have_text("Paiement refusé : votre carte a été refusée. Vos places sont toujours retenues.")
    frame, told = page.locator("#id_card_token").bounding_box(), card_error.bounding_box()
    assert 0 <= told["y"] - (frame["y"] + frame["height"]) < 120  # under the card field, past its help
    fits(page, 390)
    type_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Payer 74,16 $").click()
    page.wait_for_url("**/orders/**")
    order = Order.objects.get(status="paid")
    expect(page.locator("main")).to_contain_text("Merci ! Vos billets sont ci-dessous")
    assert page.locator(".ticket").count() == 3
    fits(page, 390)
    screenshot(page, "festival-order-fr-390")
    pdf = page.get_by_role("link", name="Télécharger les billets (PDF)")
    answer = page.request.get(pdf.get_attribute("href"))
    assert answer.ok and answer.body().startswith(b"%PDF") and order.code in answer.headers["content-disposition"]
    context.close()


# Where the keyboard is: the focused element of the page (of the frame it is in, if any),
# and whether a focus ring shows on it (or, for the card's frame, around it).
FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
  return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || "").trim().slice(0, 200),
          ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          seen: box.top >= 0 && box.bottom <= innerHeight};
}"""


def tab_to(page, wanted, *, limit=40):
    """Tab (never the mouse) until `wanted(focused)`; each stop shows its focus ring, in view."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        for _ in range(10):  # the card's frame tells the page it has the focus, by a message
            if focused["ring"]:
                break
            page.wait_for_timeout(50)
            focused = page.evaluate(FOCUSED)
        assert focused["ring"] and focused["seen"], focused
        if wanted(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_an_english_buyer_with_the_keyboard_alone_buys_three_standing_tickets(browser, live_server):
    perf = festival()
    context, page = open_page(browser, live_server, DESK)
    page.goto("/")
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Choose seats")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/performances/{perf.pk}/")
    tab_to(page, lambda f: f["id"] == "quantity-best")
    tab_to(page, lambda f: f["id"].startswith("quantity-") and f["id"] != "quantity-best")
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    expect(lawn(page).locator(".error")).to_have_text("At most 6 tickets per order.")
    focused = page.evaluate(FOCUSED)  # back on the field, its error under it
    assert focused["id"].startswith("quantity-") and focused["text"] == "7", focused
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_url("**/basket/")
    fits(page, DESK["width"])

    tab_to(page, lambda f: f["id"] == "id_promo_code")
    page.keyboard.type("NOPE")
    page.keyboard.press("Enter")  # applies the code; the focus stays, its error read with it
    expect(page.locator("#id_promo_code_error")).to_have_text("The code NOPE does not exist.")
    assert page.evaluate(FOCUSED)["id"] == "id_promo_code"
    page.keyboard.press("Control+A")
    page.keyboard.type("festival10")
    page.keyboard.press("Enter")
    expect(page.locator("#basket-total")).to_have_text("$74.16")
    tab_to(page, lambda f: f["id"] == "id_name")
    page.keyboard.type("Camille Roy")
    tab_to(page, lambda f: f["id"] == "id_email")
    page.keyboard.type("camille@example.org")
    tab_to(page, lambda f: f["id"] == "id_card_token")  # into the provider's field
    page.keyboard.type("4000000000000002" "12" "31" "123" "H2X1Y4")  # its boxes follow one another
    tab_to(page, lambda f: f["id"] == "pay")
    expect(page.locator("#id_card_token")).not_to_have_class(re.compile("card-focused"))  # one ring at a time
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkout/")
    focused = page.evaluate(FOCUSED)  # the refusal is where the keyboard is
    assert focused["id"] == "error-summary" and "Payment declined: your card was declined." in focused["text"], focused
    fits(page, DESK["width"])
    tab_to(page, lambda f: f["text"].startswith("Payment declined: your card"))
    page.keyboard.press("Enter")  # the summary's link leads to the card field
    tab_to(page, lambda f: f["id"] == "id_card_token")
    page.keyboard.type("4242424242424242" "12" "31" "123" "H2X1Y4")
    tab_to(page, lambda f: f["id"] == "pay")
    page.keyboard.press("Space")
    page.wait_for_url("**/orders/**")
    fits(page, DESK["width"])
    tab_to(page, lambda f: f["text"] == "Download the tickets (PDF)")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    order = Order.objects.get(status="paid")
    assert download.value.suggested_filename == f"tickets-{order.code}.pdf"
    assert order.tickets.count() == 3
    context.close()
