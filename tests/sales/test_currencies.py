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
from tests.support import make_performance, make_user, price_types, signed_in

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


@pytest.mark.parametrize(("language", "typed"), [
    ("fr", "€50"), ("fr", f"50{NBSP}€"), ("fr", "50,00 €"), ("fr", f"50,00{NBSP}€"), ("fr", "EUR 50"),
    ("en", "€50.00"), ("en", "50 eur"), ("en", "$50"), ("en", "£50"), ("en", f"{THIN}50{THIN}€ "),
])
def test_cash_tendered_at_the_counter_may_carry_the_currency_as_the_page_writes_it(language, typed):
    """What the page writes ("50,00 €", with its no-break space, or "€50.00") can be typed
    back as the cash tendered, with the sale's symbol or code or another's sign."""
    perf = _in_euros(rows=1, per_row=6, price="20.00")
    c = signed_in(make_user(f"clerk-typed-{language}", COUNTER_CLERK))
    said = {"headers": {"accept-language": language}}
    c.post("/counter/shift/open/", {"cash_float": "100"}, **said)
    started = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                        "quantity": "2"}, **said)
    sold = c.post(started["Location"], {"tendered": typed, "attempt": "1", "language": language}, **said)
    assert sold.status_code == 302, _text(sold)
    order = Order.objects.get(performance=perf)
    assert order.total == Decimal("40.00")
    assert order.payments.get().tendered == Decimal("50.00")
    change = {"en": "€10.00", "fr": f"10,00{NBSP}€"}[language]
    assert change in _text(c.get(sold["Location"], **said))


@pytest.mark.parametrize("typed", ["€", "20 €€", "EUR", "20 €50", "€ 20 $", "20 XYZ", "20 euros", "1€000"])
def test_cash_tendered_that_is_no_amount_is_refused_with_the_fields_error(typed):
    perf = _in_euros(rows=1, per_row=6, price="20.00")
    c = signed_in(make_user("clerk-nonsense", COUNTER_CLERK))
    said = {"headers": {"accept-language": "en"}}
    c.post("/counter/shift/open/", {"cash_float": "100"}, **said)
    started = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                        "quantity": "2"}, **said)
    refused = c.post(started["Location"], {"tendered": typed, "attempt": "1", "language": "en"}, **said)
    assert refused.status_code == 400
    assert "Cash tendered must be an amount, like 20.00" in _text(refused)
    assert not Order.objects.filter(performance=perf).exists()


def test_cash_tendered_may_carry_the_code_of_the_sales_own_currency():
    """A sale in francs (no sign of its own: "CHF 40.00") takes "CHF 50" and "50 chf"."""
    perf = make_performance(on_sale=False, rows=1, per_row=6, price="20.00")
    PriceZone.objects.filter(performance=perf).update(currency="CHF")
    inventory.put_on_sale(performance=perf)
    c = signed_in(make_user("clerk-francs", COUNTER_CLERK))
    c.post("/counter/shift/open/", {"cash_float": "100"})
    for typed in ("CHF 50", "50 chf"):
        started = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                            "quantity": "1"})
        sold = c.post(started["Location"], {"tendered": typed, "attempt": typed, "language": "en"})
        assert sold.status_code == 302, _text(sold)
    assert sorted(Order.objects.filter(performance=perf).values_list("payments__tendered", flat=True)) \
        == [Decimal("50.00")] * 2


@pytest.mark.parametrize(("language", "caption"), [
    ("en", "Cash €40.00 (Approved)"), ("fr", f"Espèces 40,00{NBSP}€ (Approuvé)")])
def test_an_orders_payments_are_named_in_the_admin_with_their_currency(organizer, language, caption):
    """The order's page in the admin names each payment above its row as its own page's
    title does: its method, its amount as money in the order's currency, its status."""
    perf = _in_euros(rows=1, per_row=6, price="20.00")
    c = signed_in(make_user("clerk-euro-admin", COUNTER_CLERK))
    c.post("/counter/shift/open/", {"cash_float": "100"})
    started = c.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk, "quantity": "2"})
    c.post(started["Location"], {"tendered": "50", "attempt": "1", "email": "buyer@example.org"})
    order = Order.objects.get(performance=perf, status=Order.Status.PAID)
    page = unescape(signed_in(organizer).get(f"/admin/sales/order/{order.pk}/change/",
                                             headers={"accept-language": language}).content.decode())
    payments = page[page.index('id="payments-group"'):page.index('id="events-group"')]
    assert re.findall(r'<td class="original">\s*<p>\s*(.*?)\s*</p>', payments, re.S) == [caption], payments
    payment = unescape(signed_in(organizer).get(f"/admin/sales/payment/{order.payments.get().pk}/change/",
                                                headers={"accept-language": language}).content.decode())
    assert f"<h2>{caption} · " in payment and f"› {caption}\n" in payment  # its heading, its last crumb


@pytest.mark.parametrize(("language", "named"), [
    ("en", "Stalls ($25.00)"), ("fr", f"Stalls (25,00{NBSP}$)"),
])
def test_a_price_zone_is_named_with_its_price_as_the_office_writes_money(organizer, language, named):
    """A price zone's name in the admin's lists and pickers writes its price as every other
    amount of the office is written, not as a number and a currency code."""
    perf = make_performance(rows=1, per_row=2, price="25.00")
    zone = perf.price_zones.get()
    with translation.override(language):
        assert str(zone) == named
    places = _text(signed_in(organizer).get("/admin/sales/place/", headers={"accept-language": language}))
    assert named in places and "CAD" not in places
    euros = PriceZone.objects.create(performance=perf, name="Balcony", price=Decimal("1234.50"), currency="EUR")
    adult = price_types(perf, {"Adult": {"Balcony": "30.00"}})["Adult"].prices.get()
    with translation.override(language):
        assert str(euros) == {"en": "Balcony (€1,234.50)", "fr": f"Balcony (1{THIN}234,50{NBSP}€)"}[language]
        assert str(adult).endswith({"en": "€30.00", "fr": f"30,00{NBSP}€"}[language])


@pytest.mark.parametrize(("language", "named"), [
    ("en", "Online shop: $1,234.50 a ticket, $0.00 an order"),
    ("fr", f"Boutique en ligne{NBSP}: 1{THIN}234,50{NBSP}$ par billet, 0,00{NBSP}$ par commande"),
])
def test_a_fee_rule_is_named_with_its_amounts_as_the_office_writes_money(language, named):
    """A channel's fees, named in the admin, are written as every other amount of the office
    is: a fee rule has no currency of its own, so in the box office's."""
    from sales.models import FeeRule

    rule = FeeRule(channel="online", per_ticket=Decimal("1234.50"), per_order=Decimal("0"))
    with translation.override(language):
        assert str(rule) == named
