"""Checkout in a real browser: errors at the top and focused, the one-minute warning, one
lapse message with the typed details kept, restricted view said in the basket, and
axe-core on the basket."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Seat
from sales.models import Hold, Place
from tests.browser import axe_violations, open_page, screenshot
from tests.support import make_performance, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def hold_one(page, perf):
    page.goto(f"/performances/{perf.pk}/")
    page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[0].pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")


def lapse_in(seconds: float) -> None:
    hold = Hold.objects.get(status=Hold.Status.ACTIVE)
    when = timezone.now() + timedelta(seconds=seconds)
    Hold.objects.filter(pk=hold.pk).update(expires_at=when)
    Place.objects.filter(hold=hold).update(hold_expires_at=when)


def phone_basket_lapsing_in(browser, live_server, seconds: float, viewport):
    """A basket of one seat on a phone, its hold lapsing in `seconds`, on the page's own clock."""
    perf = make_performance(rows=2, per_row=6)
    context, page = open_page(browser, live_server, viewport, touch=True)
    hold_one(page, perf)
    lapse_in(seconds)
    page.clock.install()
    page.reload()
    return context, page


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_checkout_errors_are_at_the_top_and_focused(browser, live_server, viewport):
    perf = make_performance(rows=2, per_row=6)
    Seat.objects.filter(pk=places_of(perf)[0].seat_id).update(restricted_view=True)
    context, page = open_page(browser, live_server, viewport)
    hold_one(page, perf)
    assert page.locator("#basket-places tbody tr").first.get_by_text("Restricted view").is_visible()
    assert page.locator("[data-card-errors]").is_hidden()  # no empty error box under the card field
    page.get_by_label("Email").fill("not-an-email")
    page.locator("#pay").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert summary.bounding_box()["y"] < page.locator("#checkout").bounding_box()["y"]
    assert summary.get_by_role("link", name="Full name: This field is required.").count() == 1
    assert summary.get_by_role("link", name="Email: Enter a valid email address, like name@example.org.").count() == 1
    assert page.get_by_label("Email").input_value() == "not-an-email"
    assert axe_violations(page, "main") == []
    screenshot(page, f"checkout-errors-{viewport['width']}")
    context.close()


def test_a_warning_a_minute_before_the_lapse_then_one_lapse_message_and_the_details_kept(browser, live_server):
    perf = make_performance(rows=2, per_row=6)
    context, page = open_page(browser, live_server, {"width": 390, "height": 844})
    hold_one(page, perf)
    lapse_in(65)
    page.clock.install()
    page.reload()
    warning, expired = page.locator("#hold-warning"), page.get_by_text("Your hold expired and the seats were released")
    assert warning.is_hidden()
    page.clock.run_for(6_000)
    assert warning.is_visible()
    assert warning.get_attribute("role") == "alert"
    page.locator("#pay").scroll_into_view_if_needed()  # a buyer typing at the bottom of the form sees it too
    box = warning.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    screenshot(page, "basket-last-minute")
    page.get_by_label("Full name").fill("Camille Roy")
    page.get_by_label("Email").fill("camille@example.org")
    lapse_in(-1)  # the server agrees: the hold is gone
    page.clock.run_for(70_000)  # the clock runs out, and the status poll comes back "lapsed"
    expired.first.wait_for()
    assert sum(expired.nth(i).is_visible() for i in range(expired.count())) == 1
    assert warning.is_hidden() and page.locator("#pay").is_disabled()
    assert page.locator("#receipt").is_hidden()  # no list of places it no longer holds, nor their total
    assert page.locator("#checkout").is_hidden()  # nor a form to pay for nothing
    box = page.locator("#expired-msg").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844  # in view, wherever the buyer was
    screenshot(page, "basket-lapsed")
    assert page.get_by_role("button", name="Release these seats").is_hidden()  # nothing is held any more
    assert page.get_by_label("Full name").input_value() == "Camille Roy"
    page.locator("#expired-msg a").click()  # choose again: the details come back
    page.wait_for_url(f"**/performances/{perf.pk}/")
    page.locator(f'#seatmap a.seat[data-id="{places_of(perf)[1].pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    assert page.get_by_label("Full name").input_value() == "Camille Roy"
    assert page.get_by_label("Email").input_value() == "camille@example.org"
    context.close()


def test_the_countdown_tells_the_time_left_after_the_phone_was_put_away(browser, live_server):
    """A phone stops a page's timers while the buyer is in another app (their email, for
    the promo code) or the screen is off: back on the basket, the clock says the time
    really left, and the last minute's warning is up if it has come, not what the clock
    said when it stopped."""
    context, page = phone_basket_lapsing_in(browser, live_server, 300, {"width": 412, "height": 915})
    clock, warning = page.locator("#countdown .clock"), page.locator("#hold-warning")
    assert clock.inner_text() in ("5:00", "4:59")
    page.clock.fast_forward(250_000)  # away for four minutes: due timers fire once, on return
    assert clock.inner_text() in ("0:50", "0:49")
    assert warning.is_visible()
    context.close()


def test_the_event_page_shows_description_image_address_and_doors(browser, live_server):
    from events.models import Performance
    from sales.demo import load_demo

    load_demo()
    perf = Performance.objects.filter(event__title__startswith="Les").order_by("starts_at").first()
    for viewport, name in (({"width": 1366, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")):
        context, page = open_page(browser, live_server, viewport)
        page.goto(f"/performances/{perf.pk}/")
        assert "under the stars" in page.locator(".event-description").inner_text()
        assert page.locator(".event-image").evaluate("img => img.naturalWidth") > 0
        facts = page.locator(".event-facts").inner_text()
        assert "1 chemin du Lac, Québec" in facts and "Doors open" in facts
        assert timezone.localtime(perf.doors_open_at).strftime("%H:%M") in facts
        # The sections' cards are laid out alike, the seats left under the name however long it is.
        heights = {round(box["height"]) for box in (a.bounding_box() for a in page.locator(".section-link").all())}
        assert len(heights) == 1, heights
        screenshot(page, f"event-{name}")
        context.close()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_the_tickets_qr_codes_are_big_enough_to_scan_off_a_phone(browser, live_server, viewport):
    """The order page is what a buyer shows at the door: each QR code is drawn at least
    180 CSS pixels wide, its margin apart (about 3 cm on a phone; a door scanner reads it
    from a hand's length), square, and within the page's width."""
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel="online", place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    context, page = open_page(browser, live_server, viewport)
    page.goto(f"/orders/{order.code}/{order.access_token}/")
    boxes = [qr.bounding_box() for qr in page.locator(".ticket .qr svg").all()]
    drawn = [code.bounding_box() for code in page.locator(".ticket .qr svg path").all()]  # its modules
    assert len(boxes) == len(drawn) == 2
    for box, code in zip(boxes, drawn, strict=True):
        assert abs(box["width"] - box["height"]) < 1, box
        assert code["width"] >= 180 and code["height"] >= 180, code
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(page, f"order-qr-{viewport['width']}")
    context.close()


def test_a_buyer_typing_when_the_hold_lapses_is_taken_to_the_lapse_message(browser, live_server):
    # The form the buyer was typing in goes away: the keyboard and a screen reader go to
    # the message that says why, not back to the top of the page.
    context, page = phone_basket_lapsing_in(browser, live_server, 65, {"width": 390, "height": 844})
    page.get_by_label("Email").fill("camille@example.org")
    assert page.evaluate("() => document.activeElement.id") == "id_email"
    lapse_in(-1)
    page.clock.run_for(70_000)
    page.locator("#expired-msg").wait_for()
    assert page.evaluate("() => document.activeElement.id") == "expired-msg"
    page.keyboard.press("Tab")  # the next stop is the way back to the seat map
    assert page.evaluate("() => document.activeElement.textContent") == "Back to the seat map"
    context.close()


def test_once_paid_the_next_basket_in_that_browser_offers_nothing_of_the_last_buyer(browser, live_server):
    from tests.browser import type_card

    perf = make_performance(rows=2, per_row=6)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 900})
    hold_one(page, perf)
    page.get_by_label("Full name").fill("Camille Roy")
    page.get_by_label("Email").fill("camille@example.org")
    page.get_by_label("Phone (optional)").fill("+1 418 555 0142")
    type_card(page, "4242 4242 4242 4242")
    page.locator("#pay").click()
    page.wait_for_url("**/orders/**")
    # The next person at this screen, in the same tab.
    page.goto(f"/performances/{perf.pk}/")
    page.locator(f'#seatmap a.seat[data-id="{places_of(perf, state="available")[0].pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    for label in ("Full name", "Email", "Phone (optional)"):
        assert page.get_by_label(label).input_value() == "", label
    assert page.evaluate("sessionStorage.getItem('checkout-details')") is None
    context.close()


def heard(element) -> str:
    """What a screen reader reads of `element`: the text of its accessibility tree, in order."""
    lines = (re.sub(r'^\s*- [\w-]+(?: "[^"]*")?:?\s*', "", line).strip('"')
             for line in element.aria_snapshot().splitlines())
    return " ".join(line for line in lines if line)


@pytest.mark.parametrize(("language", "at_first", "a_minute_on"), [
    ("en", r"Seats held for 1 minute [45] seconds", r"Seats held for [45] seconds"),
    ("fr", r"Places retenues pendant 1 minute [45] secondes", r"Places retenues pendant [45] secondes"),
])
def test_the_countdown_reads_as_minutes_and_seconds_not_a_time_of_day(browser, live_server, language, at_first,
                                                                        a_minute_on):
    """"1:05" on the screen; a screen reader would read it as five past one. The timer is
    read as the time it holds, in the page's language, and kept quiet as it ticks: read
    when the buyer goes to it, not every second."""
    context, page = phone_basket_lapsing_in(browser, live_server, 65, {"width": 390, "height": 844})
    if language == "fr":
        context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
        lapse_in(65)
        page.reload()
    timer = page.get_by_role("timer")
    assert timer.get_attribute("aria-live") == "off"
    assert re.fullmatch(r"1:0[45]", timer.locator(".clock").inner_text())  # what the eye reads
    assert re.fullmatch(at_first, heard(timer)), timer.aria_snapshot()
    page.clock.run_for(60_000)
    assert re.fullmatch(r"0:0[45]", timer.locator(".clock").inner_text())
    assert re.fullmatch(a_minute_on, heard(timer)), timer.aria_snapshot()
    context.close()
