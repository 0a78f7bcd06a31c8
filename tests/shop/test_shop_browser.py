"""The online shop in a real browser: Debian's Chromium driven by Playwright."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Channel
from sales.holds import hold_create
from sales.models import Hold, Order, Place
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from tests.browser import type_card
from tests.support import drawer, make_performance, make_user, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def pick_seats(page, perf, ids):
    page.goto(f"/performances/{perf.pk}/")
    for pk in ids:
        page.locator(f'#seatmap a.seat[data-id="{pk}"]').click()
    page.get_by_role("button", name="Hold selected seats").click()
    page.wait_for_url("**/basket/")


def fill_checkout(page, card):
    page.get_by_label("Full name").fill("Camille Roy")
    page.get_by_label("Email").fill("camille@example.org")
    type_card(page, card)
    page.locator("#pay").click()


def box_office_requests(page, live_server) -> list:
    """Every request the page sends to the box office (not to the payment provider)."""
    seen = []
    page.on("request", lambda request: seen.append((request.url, request.post_data or ""))
            if request.url.startswith(live_server.url) else None)
    return seen


def test_buy_two_seats_end_to_end_and_get_the_email(page, celery_worker):
    perf = make_performance(rows=4, per_row=8)
    a3, a4 = places_of(perf)[2:4]
    pick_seats(page, perf, [a3.pk, a4.pk])
    assert page.locator("#basket-places tbody tr").count() == 2
    assert "$100.00" in page.locator("#basket-total").inner_text()
    fill_checkout(page, "4242 4242 4242 4242")
    page.wait_for_url("**/orders/**")
    order = Order.objects.get()
    assert order.status == "paid" and order.tickets.count() == 2
    assert page.locator(".ticket .qr svg").count() == 2
    assert order.code in page.title()
    pdf = page.request.get(f"/orders/{order.code}/{order.access_token}/tickets.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(mail.outbox) == 1, "the Celery worker sent no confirmation"
    message = mail.outbox[0]
    assert message.to == ["camille@example.org"]
    assert f"/orders/{order.code}/{order.access_token}/" in message.body
    assert message.attachments[0][0] == f"tickets-{order.code}.pdf"


def test_a_seat_sold_at_the_counter_vanishes_from_an_open_map(page):
    perf = make_performance(rows=2, per_row=6)
    seat = places_of(perf)[3]
    page.goto(f"/performances/{perf.pk}/")
    node = page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]')
    assert "taken" not in (node.get_attribute("class") or "")
    node.click()  # the shopper had it selected
    clerk = make_user("counter-clerk", "counter clerk")
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[seat.pk])
    order_place(hold=hold, actor=clerk, customer=CustomerDetails(name="Walk-in", email="w@example.org"),
                payment=PaymentRequest(method="cash", tendered=100), shift=drawer(clerk))
    # A locator, not wait_for_function: the page's Content-Security-Policy forbids eval.
    page.locator(f'#seatmap a.seat.taken[data-id="{seat.pk}"]').wait_for(timeout=10_000)
    assert node.get_attribute("aria-checked") == "false"
    assert page.locator("#hold-picked").is_disabled()


def test_a_lapsing_hold_tells_the_shopper_and_empties_the_basket(page):
    perf = make_performance(rows=2, per_row=6)
    pick_seats(page, perf, [places_of(perf)[0].pk])
    hold = Hold.objects.get()
    soon = timezone.now() + timedelta(seconds=3)
    Hold.objects.filter(pk=hold.pk).update(expires_at=soon)
    Place.objects.filter(hold=hold).update(hold_expires_at=soon)
    page.reload()
    page.get_by_text("Your hold expired and the seats were released").first.wait_for(timeout=10_000)
    assert page.locator("#pay").is_disabled() and page.locator("#basket-places").is_hidden()
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.2)
    page.goto("/basket/")  # the server agrees: the basket is gone, back to the map
    page.wait_for_url(f"**/performances/{perf.pk}/")
    assert page.get_by_text("Your hold expired").count() >= 1


def test_a_declined_card_keeps_the_hold_and_no_card_number_reaches_the_box_office(page, live_server):
    sent = box_office_requests(page, live_server)
    perf = make_performance(rows=2, per_row=6)
    ids = [p.pk for p in places_of(perf)[:2]]
    pick_seats(page, perf, ids)
    fill_checkout(page, "4000 0000 0000 0341")
    page.locator("#error-summary").get_by_text("Payment declined: your card was declined.").wait_for()
    assert page.locator("#basket-places tbody tr").count() == 2
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"held"}
    fill_checkout(page, "4242 4242 4242 4242")  # the same hold, a good card
    page.wait_for_url("**/orders/**")
    assert Order.objects.filter(status="paid").count() == 1
    checkouts = [body for url, body in sent if "/checkout/" in url]
    assert len(checkouts) == 2 and all("card_token=tok_" in body for body in checkouts)
    assert not any(number in url + body for url, body in sent for number in ("4242424242424242", "4000000000000341"))


def test_a_caller_pays_a_reservation_through_the_emailed_link(page, live_server):
    from sales.orders import order_reserve

    sent = box_office_requests(page, live_server)
    perf = make_performance(rows=1, per_row=4)
    operator = make_user("operator-link", "phone operator")
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                       place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_reserve(hold=hold, customer=CustomerDetails(name="Lou Morin", email="lou@example.org"),
                          actor=operator, deadline=timezone.now() + timedelta(days=1))
    page.goto(f"/orders/{order.code}/{order.access_token}/")
    page.locator("#pay-link").click()
    type_card(page, "4242 4242 4242 4242")
    page.locator("#pay").click()
    page.get_by_text("Thank you! Your tickets are below").wait_for()
    assert Order.objects.get(pk=order.pk).status == "paid"
    payments = [body for url, body in sent if url.endswith("/pay/") and body]
    assert len(payments) == 1 and "card_token=tok_" in payments[0]
    assert not any("4242424242424242" in url + body for url, body in sent)


def test_the_bank_asks_and_the_shopper_confirms(page):
    perf = make_performance(rows=2, per_row=6)
    pick_seats(page, perf, [places_of(perf)[0].pk])
    fill_checkout(page, "4000 0025 0000 3155")
    page.get_by_role("heading", name="Confirm with your bank").wait_for()
    page.get_by_role("button", name="Complete authentication").click()  # the provider's own question
    page.wait_for_url("**/orders/**")
    assert Order.objects.get().status == "paid"


def test_the_bank_refuses_and_the_shopper_is_told_in_one_sentence(page):
    perf = make_performance(rows=2, per_row=6)
    pick_seats(page, perf, [places_of(perf)[0].pk])
    fill_checkout(page, "4000 0025 0000 3155")
    page.get_by_role("heading", name="Confirm with your bank").wait_for()
    page.get_by_role("button", name="Fail authentication").click()
    page.wait_for_url("**/basket/")
    told = page.locator(".messages .msg-error")
    expect(told).to_contain_text("The payment was not made:")
    expect(told).to_contain_text("Your seats are still held.")
    assert ".." not in told.inner_text()
    assert not Order.objects.filter(status="paid").exists()


def test_the_page_in_french(page):
    perf = make_performance(rows=2, per_row=6, price="1234.50")
    page.goto("/")
    page.get_by_role("button", name="FR").click()
    page.get_by_role("heading", name="En vente").wait_for()
    assert "À partir de 1\u202f234,50\u00a0$" in page.locator(".cards").text_content()
    page.goto(f"/performances/{perf.pk}/")
    assert page.get_by_role("heading", name="Choisissez vos places").is_visible()
    seats = page.locator("#seatmap a.seat")
    assert "rangée A, siège 1" in seats.first.get_attribute("aria-label")
    seats.nth(0).click()
    assert page.locator("#picked-count").inner_text() == "1 choisie"  # a French plural, not "choisie(s)"
    seats.nth(1).click()
    assert page.locator("#picked-count").inner_text() == "2 choisies"


def test_keyboard_picks_seats(page):
    perf = make_performance(rows=1, per_row=4)
    page.goto(f"/performances/{perf.pk}/")
    first = page.locator("#seatmap a.seat").first
    first.focus()
    page.keyboard.press("Enter")
    assert first.get_attribute("aria-checked") == "true"
    assert page.locator("#picked-count").inner_text() == "1 selected"


def test_the_light_modes_page_runs_its_script_without_an_error(page):
    from sales import shop_mode

    perf = make_performance(rows=2, per_row=6)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shop_mode.force(shop_mode.LIGHT)
    shop_mode.forget_read()
    try:
        page.goto(f"/performances/{perf.pk}/")
        page.locator("#light-mode").wait_for()
        page.wait_for_load_state("load")
    finally:
        shop_mode.force(shop_mode.AUTO)
        shop_mode.forget_read()
    assert errors == []


def test_the_queue_says_it_is_paused_in_english_and_in_french_without_javascript(browser, live_server):
    """Every place left in a basket: the queue page tells the visitor, in their language,
    with or without JavaScript, that places may come back and that they keep their place."""
    from sales import admission, waiting_room
    from sales.models import WaitingRoom

    perf = make_performance(rows=1, per_row=4)
    room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() - timedelta(seconds=30),
                                      admit_per_minute=1)
    waiting_room.publish(room)
    waiting_room.draw(perf.pk)
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)])
    admission.watch(perf.pk)
    for locale, javascript, said in (
            ("en-CA", True, ["Every place left is in another buyer's basket", "within about 10 minutes",
                             "You are at the front of the queue."]),  # an online hold lasts 10 minutes
            ("fr-CA", False, ["dans le panier d’autres acheteurs", "d’ici environ 10 minutes",
                              "1 personne devant vous"])):  # a second visitor, behind the first
        context = browser.new_context(base_url=live_server.url, locale=locale, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(f"/performances/{perf.pk}/")  # the shop sends the visitor to the queue
        page.wait_for_url(f"**/performances/{perf.pk}/queue/")
        status = page.locator("#queue-status")
        for text in said:
            expect(status).to_contain_text(text)
        assert "sold out" not in status.text_content() and "complète" not in status.text_content()
        if not javascript:  # the page refreshes itself when the first basket may have lapsed
            assert page.locator('meta[http-equiv="refresh"]').count() == 1
        context.close()


def test_the_queue_tab_says_how_many_are_ahead_as_it_moves_then_that_it_is_the_visitors_turn(
        browser, live_server):
    """A visitor waiting with the tab in the background reads in its title how many are
    ahead, kept current as the queue moves, then that it is their turn; in French too."""
    from sales import waiting_room
    from sales.models import WaitingRoom

    perf = make_performance(rows=1, per_row=4)
    show = perf.event.title
    # Nobody let in (rate 0) until the test moves the front of the queue itself.
    room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() - timedelta(seconds=30),
                                      admit_per_minute=0)
    waiting_room.publish(room)
    waiting_room.draw(perf.pk)
    for _n in range(1233):
        waiting_room.join(perf.pk, waiting_room.new_visitor())
    config = waiting_room._keys(perf.pk)["cfg"]

    def front_at(position):
        waiting_room.client().hset(config, "base", position)
        page.evaluate("htmx.trigger(document.getElementById('queue-status'), 'queue:now')")

    for locale, titles in (
            ("en-CA", [(None, "(1,234) Waiting room"), (1000, "(234) Waiting room"), (1234, "It's your turn")]),
            ("fr-CA", [(None, "(1) Salle d’attente"), (1235, "C’est votre tour")])):
        context = browser.new_context(base_url=live_server.url, locale=locale)
        page = context.new_page()
        page.goto(f"/performances/{perf.pk}/queue/")
        page.locator("#queue-status").wait_for()
        for front, words in titles:
            if front is not None:
                front_at(front)
            expect(page).to_have_title(f"{words} \u2014 {show}")
        expect(page).to_have_url(re.compile(rf".*/performances/{perf.pk}/$"))
        context.close()


def test_a_double_click_on_pay_charges_the_card_once_and_shows_the_order(page):
    perf = make_performance(rows=2, per_row=6)
    pick_seats(page, perf, [p.pk for p in places_of(perf)[:2]])
    page.get_by_label("Full name").fill("Camille Roy")
    page.get_by_label("Email").fill("camille@example.org")
    type_card(page, "4242 4242 4242 4242")
    page.locator("#pay").dblclick()
    expect(page).to_have_url(re.compile(r".*/orders/\w+/[^/]+/$"), timeout=30_000)
    page.wait_for_load_state("networkidle")
    orders = list(Order.objects.all())
    assert [o.status for o in orders] == ["paid"], [(o.status, o.failure_reason) for o in orders]
    order, = orders
    assert order.tickets.count() == 2 and order.code in page.title()
    assert [(p.status, p.amount) for p in order.payments.all()] == [("approved", order.total)]


def test_a_pick_partly_taken_meanwhile_names_the_seat_and_keeps_the_others_ticked(page):
    perf = make_performance(rows=2, per_row=6)
    first, second = places_of(perf)[4:6]
    page.goto(f"/performances/{perf.pk}/")
    for seat in (first, second):
        page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]').click()
    hold_create(performance=perf, channel=Channel.ONLINE, owner_key="another buyer", place_ids=[first.pk])
    page.get_by_role("button", name="Hold selected seats").click()
    page.wait_for_url(f"**/performances/{perf.pk}/?section=*")
    told = page.locator(".messages .msg-error")
    expect(told).to_contain_text(f"Not held: {first}")
    expect(told).to_contain_text("Your other choices are still ticked")
    kept = page.locator(f'#seatmap a.seat[data-id="{second.pk}"]')
    expect(kept).to_have_attribute("aria-checked", "true")
    expect(page.locator("#hold-picked")).to_be_enabled()
    page.get_by_role("button", name="Hold selected seats").click()
    page.wait_for_url("**/basket/")
    assert list(Place.objects.filter(hold__owner_key__isnull=False, state="held").exclude(
        hold__owner_key="another buyer").values_list("pk", flat=True)) == [second.pk]


def test_the_wheel_over_the_map_scrolls_the_page_and_zooms_it_with_ctrl(page):
    perf = make_performance(rows=12, per_row=30)
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(f"/performances/{perf.pk}/")
    page.locator("#seatmap").scroll_into_view_if_needed()

    def over_the_map():
        box = page.locator("#seatmap").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, max(box["y"], 0) + 60)

    def width():
        return page.locator("#seatmap").evaluate("m => m.getBoundingClientRect().width")

    def scrolled():  # the page's scroll, and the map's own box's
        return page.evaluate("window.scrollY"), page.locator("#seatmap").evaluate("m => m.parentNode.scrollTop")

    over_the_map()
    before, wide = scrolled(), width()
    page.mouse.wheel(0, -200)  # up: a map taking the wheel would zoom in
    page.wait_for_timeout(300)
    assert width() == wide and scrolled() != before  # scrolled (the map's box, then the page), not zoomed
    over_the_map()
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_timeout(300)
    assert width() > wide  # zoomed in


def test_a_card_the_providers_field_refuses_is_said_in_its_words(page):
    perf = make_performance(rows=2, per_row=6)
    pick_seats(page, perf, [places_of(perf)[0].pk])
    page.get_by_label("Full name").fill("Camille Roy")
    page.get_by_label("Email").fill("camille@example.org")
    field = page.frame_locator("iframe[data-card-frame]").locator("[data-card-field]")
    for placeholder, value in (("number", "4242"), ("exp_month", "12"), ("exp_year", "31"), ("cvc", "123"),
                               ("postal_code", "H2X1Y4")):
        field.locator(f'input[placeholder="{placeholder}"]').fill(value)
    page.locator("#pay").click()
    page.locator("#error-summary").wait_for()
    said = page.locator("#error-summary").inner_text()
    # The provider's own words, linked to the card field (they name the card: no "Card:" before them).
    provider_said = page.locator('#error-summary a[href="#id_card_token"]')
    expect(provider_said).to_have_count(1)
    assert provider_said.inner_text().strip() and "Enter your card in the card field" not in said, said
    assert not Order.objects.exists()


def test_an_empty_card_field_asks_for_the_card_in_the_pages_words(page):
    """The stand-in's script fails on an empty field: what it threw is no buyer's reading."""
    perf = make_performance(rows=2, per_row=6)
    pick_seats(page, perf, [places_of(perf)[0].pk])
    page.get_by_label("Full name").fill("Camille Roy")
    page.get_by_label("Email").fill("camille@example.org")
    page.locator("#pay").click()
    page.locator("#error-summary").wait_for()
    said = page.locator("#error-summary").inner_text()
    assert "Enter your card in the card field" in said and "undefined" not in said, said
    assert not Order.objects.exists()


# Records what the page's script gives the provider's elements(): Stripe.js takes their
# locale for the field's own words (its placeholders and messages).
ELEMENTS_GIVEN = """(() => {
  let wrapped;
  Object.defineProperty(window, "Stripe", {configurable: true, get: () => wrapped, set: (real) => {
    wrapped = function (key, options) {
      const stripe = real(key, options), elements = stripe.elements;
      stripe.elements = function (given) { window.elementsGiven = given === undefined ? "no options" : given;
                                           return elements.apply(stripe, arguments); };
      return stripe;
    };
  }});
})();"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_card_field_is_made_in_the_pages_language(browser, live_server, language):
    perf = make_performance(rows=1, per_row=4)
    context = browser.new_context(base_url=live_server.url, locale="fr-CA" if language == "fr" else "en-CA")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.add_init_script(ELEMENTS_GIVEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"/performances/{perf.pk}/")
        page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[0].pk}"]').click()
        page.locator("#hold-picked").click()
        page.wait_for_url("**/basket/")
        assert page.locator("html").get_attribute("lang") == language
        page.frame_locator("iframe[data-card-frame]").locator("[data-card-field] input").first.wait_for()
        frame = next(f for f in page.frames if "card-field" in f.url)
        assert frame.evaluate("window.elementsGiven") == {"locale": language}
    finally:
        context.close()
