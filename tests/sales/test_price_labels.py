"""Every screen that shows a ticket's price says what it holds. Prices as the organizer
typed them (a zone's, a price type's: the basket's and the sale screens' choices and
quotes, the shop's price list) say "before tax", or "taxes included" when the organizer's
prices hold the taxes; what a ticket was charged (the order page's tickets, the counter's
order page, an exchange's list) says "taxes included", as the receipt counts it. The
basket's quote and the order's receipt show the same price per ticket under one name."""

from __future__ import annotations

import re
from html import unescape

import pytest

from events.models import Channel
from sales.models import Hold, Order
from tests.sales.test_order_receipts import receipt_rows
from tests.support import (
    booking_fee,
    card_token,
    make_performance,
    places_of,
    price_types,
    quebec_taxes,
    signed_in,
)

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
BUYER = {"name": "Famille Tremblay", "email": "tremblay@example.org"}


def text_of(page) -> str:
    page = page.decode() if isinstance(page, bytes) else page
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [" ".join(unescape(o).split()) for o in re.findall(r">([^<]+)</option>", select)]


@pytest.fixture
def premium():
    perf = make_performance(rows=1, per_row=6)
    perf.price_zones.update(name="Premium", price="89.00")
    types = price_types(perf, {"Adult Premium": {"Premium": "89.00"}})
    return perf, types


def shop_basket(client, perf, **lang):
    seat = places_of(perf, seat__isnull=False)[0]
    client.post(f"/performances/{perf.pk}/hold/", {"seats": str(seat.pk)}, **lang)
    hold = Hold.objects.get(status=Hold.Status.ACTIVE)
    return client.get("/basket/", **lang).content.decode(), hold, seat


def test_the_shop_says_its_prices_are_before_tax_and_its_tickets_taxes_included(client, premium):
    quebec_taxes()
    perf, _types = premium
    listing = text_of(client.get(f"/performances/{perf.pk}/").content)
    assert "Prices (before tax)" in listing and "Premium — from $89.00" in listing
    assert "From $89.00 before tax" in text_of(client.get("/").content)

    page, hold, seat = shop_basket(client, perf)
    # Each choice says its price, and beside it what that price holds (a closed select cannot
    # wrap a long label on a phone).
    assert options(page, f"type_{seat.pk}") == ["Adult Premium — $89.00"]
    assert re.search(rf'aria-describedby="id_type_{seat.pk}_basis"', page)
    assert f'<small class="price-basis" id="id_type_{seat.pk}_basis">before tax</small>' in page
    text = text_of(page)
    assert "Price before tax" in text and "GST (5%) $4.45" in text and "Total $102.33" in text

    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    paid = client.post("/checkout/", {**BUYER, "card_token": card_token(), "nonce": nonce, "basket": hold.pk,
                                      "expected_total": "102.33"}, follow=True)
    order = Order.objects.get()
    assert order.status == Order.Status.PAID, text_of(paid.content)
    tickets = text_of(client.get(f"/orders/{order.code}/{order.access_token}/").content)
    assert "Premium · Adult Premium · $102.33 taxes included" in tickets


def test_the_shop_says_so_in_french(client, premium):
    quebec_taxes()
    perf, _types = premium
    assert "Prix (avant taxes)" in text_of(client.get(f"/performances/{perf.pk}/", **FRENCH).content)
    page, _hold, seat = shop_basket(client, perf, **FRENCH)
    assert options(page, f"type_{seat.pk}") == ["Adult Premium — 89,00 $"]
    assert f'id="id_type_{seat.pk}_basis">avant taxes</small>' in page
    assert "Prix avant taxes" in text_of(page)


def test_prices_that_hold_the_taxes_say_taxes_included(client, premium):
    quebec_taxes(included=True)
    perf, _types = premium
    page, _hold, seat = shop_basket(client, perf)
    assert options(page, f"type_{seat.pk}") == ["Adult Premium — $89.00"]
    assert f'id="id_type_{seat.pk}_basis">taxes included</small>' in page
    assert "Price, taxes included" in text_of(page) and "Price before tax" not in text_of(page)


def test_the_counter_says_before_tax_when_selling_and_taxes_included_once_sold(clerk, premium):
    quebec_taxes()
    perf, _types = premium
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    assert "Zone (prices before tax)" in text_of(c.get("/counter/").content)
    sale = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk, "quantity": 1})
    url = sale["Location"]
    place = Hold.objects.get(status=Hold.Status.ACTIVE).places.get()
    page = c.get(url).content.decode()
    # Each choice its price; what the prices hold beside the list (a closed list cuts a long choice).
    assert options(page, f"type_{place.pk}") == ["Adult Premium — $89.00"]
    assert f'<small class="price-basis" id="id_type_{place.pk}_basis">before tax</small>' in page
    assert "Price before tax" in text_of(page) and "Total $102.33" in text_of(page)
    french = c.get(url, **FRENCH).content.decode()
    assert options(french, f"type_{place.pk}") == ["Adult Premium — 89,00 $"]
    assert f'<small class="price-basis" id="id_type_{place.pk}_basis">avant taxes</small>' in french

    c.post(url, {"tendered": "102.35", "attempt": "1", "language": "en"})
    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    text = text_of(page)
    assert "Adult Premium $102.33 taxes included" in text  # the order's tickets
    # The tickets to exchange (or refund), each with its price.
    assert re.search(r'\(\$102\.33 <small class="price-basis">taxes included</small>\)', page)
    assert "New seats: best available in (prices with fees and taxes included)" in text
    french = text_of(c.get(f"/counter/orders/{order.code}/", **FRENCH).content)
    assert "102,33 $ taxes incluses" in french and "(prix, frais et taxes inclus)" in french


def quote_price(page: str) -> tuple[str, str]:
    """The basket's quote: its price column's heading and its first ticket's amount."""
    table = re.search(r'<table class="receipt">(.*?)</table>', page, re.S).group(1)
    heading = re.search(r'<th[^>]*id="price-heading"[^>]*>(.*?)</th>', table, re.S).group(1)
    first = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S).group(1)
    return text_of(heading), text_of(re.findall(r"<td[^>]*>(.*?)</td>", first, re.S)[2])


@pytest.mark.parametrize(("taxes", "language", "name"), [
    ("added", "en", "Price before tax"), ("added", "fr", "Prix avant taxes"),
    ("included", "en", "Price, taxes included"), ("included", "fr", "Prix, taxes incluses"),
    ("none", "en", "Price"), ("none", "fr", "Prix")])
def test_the_quote_and_the_receipt_name_a_tickets_price_alike(client, premium, taxes, language, name):
    """The price the organizer typed for the ticket, before its fee (and its discount):
    the quote before payment and the receipt after it show the same amount, under one name
    that says what it holds."""
    if taxes != "none":
        quebec_taxes(included=taxes == "included")
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    perf, _types = premium
    lang = {"HTTP_ACCEPT_LANGUAGE": language}
    page, hold, _seat = shop_basket(client, perf, **lang)
    quoted = quote_price(page)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    total = re.search(r'name="expected_total" value="([^"]+)"', page).group(1)
    client.post("/checkout/", {**BUYER, "card_token": card_token(), "nonce": nonce, "basket": hold.pk,
                               "expected_total": total}, **lang)
    order = Order.objects.get(status=Order.Status.PAID)
    receipt = client.get(f"/orders/{order.code}/{order.access_token}/", **lang).content.decode()
    heading, first = receipt_rows(receipt)[:2]
    assert quoted == (name, {"en": "$89.00", "fr": "89,00 $"}[language])  # (text_of reads a no-break space as one)
    assert (heading[2], first[2]) == quoted
    assert heading[3] == {"en": "Fee", "fr": "Frais"}[language]  # the fee apart, on both sides of the price
