"""Amounts are written in their own currency: an order priced in euros reads in euros on
its receipts (the email, its PDF, the order page, the counter's pages and slip), in English
and in French; an amount of no order is in the box office's own currency."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.utils import translation

from events.models import PriceZone
from events.services import ZoneSpec
from sales import inventory, tasks
from sales.formatting import money
from sales.models import Order
from sales.policy import COUNTER_CLERK
from tests.sales.test_order_receipts import pdf_text, printed
from tests.support import make_performance, make_user, signed_in

pytestmark = pytest.mark.django_db

NBSP, THIN, MINUS = "\u00a0", "\u202f", "\u2212"


@pytest.mark.parametrize(("language", "amount", "currency", "written"), [
    ("en", "89", "CAD", "$89.00"),
    ("fr", "89", "CAD", f"89,00{NBSP}$"),
    ("en", "1234.5", "CAD", "$1,234.50"),
    ("fr", "1234.5", "CAD", f"1{THIN}234,50{NBSP}$"),
    ("en", "-5", "CAD", f"{MINUS}$5.00"),
    ("fr", "-5", "CAD", f"{MINUS}5,00{NBSP}$"),
    ("en", "89", "USD", "$89.00"),
    ("en", "89", "EUR", "€89.00"),
    ("fr", "1234.5", "EUR", f"1{THIN}234,50{NBSP}€"),
    ("en", "-5", "EUR", f"{MINUS}€5.00"),
    ("fr", "-5", "EUR", f"{MINUS}5,00{NBSP}€"),
    ("en", "89", "GBP", "£89.00"),
    ("fr", "89", "GBP", f"89,00{NBSP}£"),
    ("en", "89", "CHF", f"CHF{NBSP}89.00"),
    ("fr", "89", "CHF", f"89,00{NBSP}CHF"),
    ("en", "-5", "CHF", f"{MINUS}CHF{NBSP}5.00"),
])
def test_an_amount_is_written_in_its_currency(language, amount, currency, written):
    with translation.override(language):
        assert money(Decimal(amount), currency) == written


def test_without_a_currency_an_amount_is_in_the_box_offices_own(settings):
    with translation.override("en"):
        assert money(Decimal("5")) == "$5.00"  # CAD unless told
        settings.BOXOFFICE_CURRENCY = "EUR"
        assert money(Decimal("5")) == "€5.00"
        assert money("") == "" and money(None) == ""


def test_a_new_price_zone_is_priced_in_the_box_offices_currency(settings):
    perf = make_performance(rows=1, per_row=2)
    assert perf.price_zones.get().currency == "CAD"
    settings.BOXOFFICE_CURRENCY = "EUR"
    zone = PriceZone.objects.create(performance=perf, name="Balcony", price=Decimal("30.00"))
    assert PriceZone.objects.get(pk=zone.pk).currency == "EUR"
    assert ZoneSpec(name="Balcony", price=Decimal("30.00")).currency == "EUR"


def _in_euros(**kwargs):
    perf = make_performance(on_sale=False, **kwargs)
    PriceZone.objects.filter(performance=perf).update(currency="EUR")
    inventory.put_on_sale(performance=perf)
    return perf


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_order_sold_in_euros_at_the_counter_reads_in_euros_everywhere(language):
    perf = _in_euros(rows=1, per_row=6, price="20.00")
    euros = {"en": lambda x: f"€{x}", "fr": lambda x: x.replace(".", ",") + f"{NBSP}€"}[language]
    c = signed_in(make_user(f"clerk-euro-{language}", COUNTER_CLERK))
    said = {"headers": {"accept-language": language}}
    c.post("/counter/shift/open/", {"cash_float": "100"}, **said)
    started = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                        "quantity": "2"}, **said)
    assert started.status_code == 302, started

    # The sale's page: its total, and the change its script writes in the sale's currency.
    page = c.get(started["Location"], **said)
    assert euros("40.00") in _text(page)
    assert f'data-money="{euros("0.00")}"' in page.content.decode()
    assert "$" not in _text(page)

    # Short: the refusal says the amounts in euros.
    short = c.post(started["Location"], {"tendered": "30", "attempt": "1", "language": language}, **said)
    assert short.status_code == 400
    assert euros("30.00") in _text(short) and euros("40.00") in _text(short) and "$" not in _text(short)

    sold = c.post(started["Location"], {"tendered": "50", "attempt": "2", "language": language,
                                        "email": "buyer@example.org"}, follow=True, **said)
    order = Order.objects.get(performance=perf)
    assert order.currency == "EUR" and order.total == Decimal("40.00")
    text = _text(sold)  # the order page, with the message of the sale
    assert euros("10.00") in text and euros("40.00") in text and euros("20.00") in text
    assert "$" not in text

    shop = _text(c.get(f"/orders/{order.code}/{order.access_token}/", **said))  # the buyer's own page
    assert euros("40.00") in shop and euros("20.00") in shop and "$" not in shop

    slip = _text(c.post(f"/counter/orders/{order.code}/print/", **said))
    assert euros("40.00") in slip and euros("20.00") in slip and "$" not in slip

    mail.outbox.clear()
    assert tasks.send_order_confirmation.apply(args=(order.pk,)).get() is True
    [message] = mail.outbox
    assert euros("40.00") in message.body and euros("20.00") in message.body
    assert "$" not in message.body
    [(_name, pdf, _type)] = message.attachments
    lines = " ".join(printed(pdf_text(pdf)))  # the PDF's fonts print a no-break space as a space
    assert euros("20.00").replace(NBSP, " ") in lines and "$" not in lines
