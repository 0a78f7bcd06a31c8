"""An order's receipt wherever the order is shown (the order page, the confirmation email,
the PDF, the counter's slip, the admin), read from what was recorded, each line checked
against a computation of the test's own: each tax once on the order's subtotal and fees,
rounded half up to the cent, as Québec's GST 5 % and QST 9.975 % are charged."""

from __future__ import annotations

import base64
import re
import zlib
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import formats, translation
from django.utils.translation import gettext

from events.models import Channel
from sales import notifications
from sales.holds import hold_create
from sales.models import Order, Organizer, PromoCode, Ticket
from sales.orders import CustomerDetails, PriceRequest, order_place, order_refund, order_reserve
from sales.payments import APPROVE, PaymentRequest
from sales.policy import COUNTER_CLERK, PHONE_OPERATOR
from sales.tickets_pdf import order_pdf
from tests.support import (
    booking_fee,
    client_for,
    clock_of,
    drawer,
    make_performance,
    make_user,
    places_of,
    price_types,
    quebec_taxes,
    signed_in,
)

pytestmark = pytest.mark.django_db

FAMILY = CustomerDetails(name="Famille Tremblay", email="tremblay@example.org")
CARD = PaymentRequest(method="test_card", card_number=APPROVE)
GST = ("GST", Decimal("0.05"), "123456789 RT0001")
QST = ("QST", Decimal("0.09975"), "1234567890 TQ0001")
# What a receipt says when tickets alike were charged a cent apart.
SHARED_OUT = ("Taxes are worked out on the whole order, then shared out over its tickets: tickets alike may differ "
              "by a cent. A ticket refunded gets back what it was charged.")


def c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dollars(x: Decimal, language: str = "en") -> str:
    """An amount as a Canadian reads it: $1,234.50, or 1 234,50 $ in French."""
    if language == "fr":
        whole, cents = f"{x:,.2f}".split(".")
        return whole.replace(",", "\u202f") + "," + cents + "\u00a0$"
    return f"${x:,.2f}"


# --- the test's own receipt ------------------------------------------------------------------

def by_hand(tickets: list[tuple[str, str, str, str]], *, fee: str, order_fee: str, percent_off: str) -> dict:
    """[(place, price type, list price)], a fee per ticket and per order, taxes added: each
    line's discount and its fee, and each tax on the subtotal and the fees, rounded once."""
    lines, taxes = [], {name: Decimal("0") for name, _r, _n in (GST, QST)}
    subtotal = fees = discount_total = Decimal("0")
    for place, type_name, list_price in tickets:
        price = Decimal(list_price)
        off = c(price * Decimal(percent_off) / 100)
        net = price - off
        lines.append((place, type_name, price, off, Decimal(fee)))
        subtotal, fees, discount_total = subtotal + net, fees + Decimal(fee), discount_total + off
    fees += Decimal(order_fee)
    for name, rate, _n in (GST, QST):
        taxes[name] = c((subtotal + fees) * rate)
    return {"lines": lines, "subtotal": subtotal, "fees": fees, "taxes": taxes, "discount": discount_total,
            "order_fee": Decimal(order_fee), "total": subtotal + fees + sum(taxes.values())}


def receipt_moments(order, language: str) -> tuple[str, str]:
    """The show's start and the payment, on the venue's clock: the show as the shop's pages
    write it, the payment as a sentence writes a moment ("at", « à » before the hour)."""
    perf = order.performance
    at = "\\à" if language == "fr" else "\\a\\t"
    starts, paid = perf.local(), perf.local(order.paid_at)  # French typography's clock: 14 h 59, 15 h
    with translation.override(language):
        return (formats.date_format(starts, f"l j F Y, {clock_of(starts, language)}"),
                formats.date_format(paid, f"l j F Y {at} {clock_of(paid, language)}"))


def expected_text(order, mine: dict, *, language: str = "en", words: dict | None = None) -> list[str]:
    w = words or {"Receipt": "Receipt", "Order": "Order", "discount": "discount", "fee": "fee",
                  "Fee per order": "Fee per order", "Subtotal": "Subtotal", "Fees": "Fees", "Total": "Total",
                  "Promo code": "Promo code", "no.": "no. ", ":": ": ", "Paid": "Paid on"}

    def d(x):
        return dollars(x, language)

    perf = order.performance
    when, paid = receipt_moments(order, language)
    out = [f"{w['Receipt']} — {w['Order']} {order.code}", "Théâtre de la Ville, 1 rue Saint-Denis, Montréal",
           f"{perf.event.title}, {when}", f"{w['Paid']} {paid}"]
    for place, type_name, price, off, fee in mine["lines"]:
        out.append(f"{place} · {type_name}{w[':']}{d(price)}, {w['discount']} −{d(off)}, {w['fee']} {d(fee)}")
    out += [f"{w['Fee per order']}{w[':']}{d(mine['order_fee'])}",
            f"{w['Subtotal']}{w[':']}{d(mine['subtotal'])}",
            f"{w['Fees']}{w[':']}{d(mine['fees'])}"]
    for name, rate, number in (GST, QST):
        percent = f"{(rate * 100).normalize():f}"
        percent = percent.replace(".", ",") + "\u00a0%" if language == "fr" else percent + "%"
        out.append(f"{name} {percent} ({w['no.']}{number}){w[':']}{d(mine['taxes'][name])}")
    out += [f"{w['Total']}{w[':']}{d(mine['total'])}",
            f"{w['Promo code']}{w[':']}FAMILLE10 (−{d(mine['discount'])})"]
    # Tickets alike a cent apart (the family's adults at 66.12 and 66.11): the receipt says why.
    with translation.override(language):
        return [*out, gettext(SHARED_OUT)]


def joined_note(lines: list[str], expected: list[str]) -> list[str]:
    """A PDF's receipt lines with its last one, the note the page wraps, joined again."""
    return lines[:len(expected) - 1] + [" ".join(lines[len(expected) - 1:])]


def family_order(*, language: str = "en"):
    """Two adults and two children online with the code FAMILLE10 (10 % off), a booking
    fee of 3.50 a ticket and 2.00 an order, GST and QST added."""
    perf = make_performance(rows=2, per_row=10)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"}})
    quebec_taxes()
    Organizer.objects.filter(pk=Organizer.load().pk).update(name="Théâtre de la Ville",
                                                           address="1 rue Saint-Denis, Montréal")
    booking_fee(Channel.ONLINE, per_ticket="3.50", per_order="2.00")
    PromoCode.objects.create(code="FAMILLE10", percent_off=Decimal("10"))
    seats = places_of(perf)[:4]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in seats])
    chosen = dict(zip([p.pk for p in seats], [types[t].pk for t in ("Adult", "Adult", "Child", "Child")],
                      strict=True))
    with translation.override(language):
        order = order_place(hold=hold, customer=FAMILY, payment=CARD,
                            prices=PriceRequest(types=chosen, promo_code="famille10"))
    assert sorted(order.tickets.values_list("price", flat=True)) == [
        Decimal("40.23"), Decimal("40.24"), Decimal("66.11"), Decimal("66.12")]  # each tax rounded once, shared out
    mine = by_hand([(str(seats[0]), "Adult", "60.00"), (str(seats[1]), "Adult", "60.00"),
                    (str(seats[2]), "Child", "35.00"), (str(seats[3]), "Child", "35.00")],
                   fee="3.50", order_fee="2.00", percent_off="10")
    return order, mine


# --- reading what was shown -------------------------------------------------------------------

class ReceiptTable(HTMLParser):
    """The rows of the receipt's tables, each a list of its cells' text (`whole`: of every
    table of the document, as an email's HTML lays its receipt out)."""

    def __init__(self, *, whole: bool = False):
        super().__init__()
        self.depth, self.rows, self.cell = int(whole), [], None

    def handle_starttag(self, tag, attrs):
        if tag == "section" and "receipt" in (dict(attrs).get("class") or ""):
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1
        elif self.cell is not None and tag in ("td", "th"):
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def receipt_rows(page: str, *, whole: bool = False) -> list[list[str]]:
    parser = ReceiptTable(whole=whole)
    parser.feed(page)
    return parser.rows


def expected_rows(mine: dict) -> list[list[str]]:
    rows = [["Place", "Price type", "Price before tax", "Discount", "Fee"]]
    rows += [[place, type_name, dollars(price), f"−{dollars(off)}", dollars(fee)]
             for place, type_name, price, off, fee in mine["lines"]]
    rows += [["Fee per order", dollars(mine["order_fee"])],
             ["Subtotal", dollars(mine["subtotal"])], ["Fees", dollars(mine["fees"])]]
    rows += [[f"{name} {(rate * 100).normalize():f}% (no. {number})", dollars(mine["taxes"][name])]
             for name, rate, number in (GST, QST)]
    return rows + [["Total", dollars(mine["total"])]]


_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|\bBT\b|\bET\b", re.S)


def _unescape(literal: bytes) -> str:
    out, i = bytearray(), 0
    while i < len(literal):
        if literal[i] == 0x5C:  # a backslash: an escaped character or an octal code
            octal = re.match(rb"[0-7]{1,3}", literal[i + 1:])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(literal[i + 1:i + 2], literal[i + 1:i + 2])
            i += 2
        else:
            out.append(literal[i])
            i += 1
    return out.decode("cp1252")


def pdf_text(data: bytes) -> list[str]:
    """The lines of text drawn in a PDF of ours, page after page: each page's content
    stream inflated, the strings of each text object (BT … ET) joined into a line."""
    lines = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        stream = stream.strip()
        content = zlib.decompress(base64.a85decode(stream[:-2])) if stream.endswith(b"~>") else stream
        line = None
        for token in _TOKEN.findall(content):
            if token == b"BT":
                line = []
            elif token == b"ET":
                if line:
                    lines.append("".join(line))
                line = None
            elif line is not None:
                line.append(_unescape(token[1:-1]))
    return lines


def printed(lines: list[str]) -> list[str]:
    """Lines as the PDF's standard fonts print them (a hyphen for the minus sign, a space
    for the no-break ones), an indented line drawn further right."""
    return [line.strip().replace("−", "-").replace("\u202f", " ").replace("\u00a0", " ") for line in lines]


def receipt_in(lines: list[str], title: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


# --- the receipt wherever the order is shown ---------------------------------------------------

def test_the_by_hand_receipt_rounds_each_tax_once_on_the_subtotal_and_fees():
    """The rounding case the receipts below show: 10 % off 35.00 is 31.50, whose GST is
    1.575 and the 3.50 fee's 0.175; rounded each on its own they would print 1.76, not
    the 1.75 that 5 % of the 35.00 they add up to is. The family's 187.00: GST 9.35 (not
    the 9.38 of its lines rounded one by one) and QST 18.65325."""
    _order, mine = None, by_hand([("a", "Child", "35.00")], fee="3.50", order_fee="0", percent_off="10")
    assert mine["taxes"] == {"GST": Decimal("1.75"), "QST": Decimal("3.49")}
    family = by_hand([("a", "Adult", "60.00")] * 2 + [("c", "Child", "35.00")] * 2,
                     fee="3.50", order_fee="2.00", percent_off="10")
    assert (family["taxes"]["GST"], family["taxes"]["QST"], family["total"]) == (
        Decimal("9.35"), Decimal("18.65"), Decimal("215.00"))


def test_the_order_page_shows_each_line_the_fees_each_tax_and_the_total_as_charged(client):
    order, mine = family_order()
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert receipt_rows(page) == expected_rows(mine)
    assert "Théâtre de la Ville" in page and "Promo code: FAMILLE10 (−$19.00)" in page
    assert Decimal(order.receipt["total"]) == order.total == mine["total"]


def test_the_receipt_says_what_was_charged_whatever_the_settings_say_today(client):
    order, mine = family_order()
    from sales.models import FeeRule, TaxRate

    TaxRate.objects.update(percent=Decimal("20"), registration="changed")
    FeeRule.objects.update(per_ticket=Decimal("9.99"))
    Organizer.objects.update(prices_include_tax=True)
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert receipt_rows(page) == expected_rows(mine)


def test_the_confirmation_email_carries_the_receipt_line_by_line():
    order, mine = family_order()
    assert notifications.send_pending_confirmations() == 1
    body = mail.outbox[0].body
    assert receipt_in(body.splitlines(), "Receipt — ") == expected_text(order, mine)


def test_the_pdf_ends_with_the_receipt_line_by_line():
    order, mine = family_order()
    lines = pdf_text(order_pdf(order))
    assert f"Order {order.code} — Famille Tremblay" in lines  # a ticket page
    expected = expected_text(order, mine)
    assert joined_note(receipt_in(lines, "Receipt — "), expected) == printed(expected)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_receipt_writes_the_show_as_the_shop_does_and_the_payment_as_a_sentence(client, language):
    """The order page's receipt and the email's HTML one name the show's time as the shop's
    pages name it (the order page's own heading), and the payment as a sentence does."""
    order, _mine = family_order(language=language)
    show, paid = receipt_moments(order, language)
    paid = f"{'Payé le' if language == 'fr' else 'Paid on'} {paid}"
    page = client.get(f"/orders/{order.code}/{order.access_token}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    heading, receipt = page.split('<section class="receipt', 1)
    assert f"· {show}" in heading  # the shop's own way
    assert f"{order.performance.event.title}, {show}<br>{paid}</p>" in unescape(receipt)
    assert notifications.send_pending_confirmations() == 1
    (html, _kind), = mail.outbox[0].alternatives
    assert f"{order.performance.event.title}, {show}<br>{paid}</td>" in unescape(html)


def test_the_counter_slip_prints_the_receipt_narrow():
    order, mine = family_order()
    clerk = make_user("clerk-slip", COUNTER_CLERK)
    slip = signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode()
    assert "receipt-narrow" in slip
    rows = receipt_rows(slip)
    place, type_name, price, off, fee = mine["lines"][0]
    assert rows[:4] == [[f"{place} · {type_name}"], ["Price before tax", dollars(price)],
                        ["Discount", f"−{dollars(off)}"], ["Fee", dollars(fee)]]
    assert rows[-5:] == expected_rows(mine)[-5:]


def test_prices_that_include_taxes_say_so_and_list_the_taxes_they_contain(client):
    perf = make_performance(rows=1, per_row=3)
    types = price_types(perf, {"Adult": {"Stalls": "10.00"}})
    quebec_taxes(included=True)
    booking_fee(Channel.ONLINE, per_ticket="1.15")
    seat = places_of(perf)[0]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])
    order = order_place(hold=hold, customer=FAMILY, payment=CARD,
                        prices=PriceRequest(types={seat.pk: types["Adult"].pk}))
    # 10.00 / 1.14975 = 8.6975: GST 0.4349 -> 0.43, QST 0.8676 -> 0.87; 1.15 / 1.14975 = 1.0002:
    # GST 0.0500 -> 0.05, QST 0.0998 -> 0.10. Shown as entered, taxes included: 10.00 + 1.15.
    rows = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert rows == [["Place", "Price type", "Price, taxes included", "Fee"],  # no discount: no column for it
                    [str(seat), "Adult", "$10.00", "$1.15"],
                    ["Subtotal", "$10.00"], ["Fees", "$1.15"], ["Total", "$11.15"],
                    ["GST 5% (no. 123456789 RT0001)", "$0.48"], ["QST 9.975% (no. 1234567890 TQ0001)", "$0.97"]]
    assert order.total == Decimal("11.15")
    text = receipt_in(pdf_text(order_pdf(order)), "Receipt — ")
    assert text[-3:] == ["Prices include taxes:", "GST 5% (no. 123456789 RT0001): $0.48",
                         "QST 9.975% (no. 1234567890 TQ0001): $0.97"]


def test_a_comp_is_on_the_receipt_as_complimentary_and_counts_apart_in_the_admin(client, organizer):
    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}}, comp="Press")
    clerk = make_user("clerk-comps", COUNTER_CLERK)
    seats = places_of(perf)[:3]
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[p.pk for p in seats])
    order = order_place(hold=hold, customer=FAMILY, actor=clerk, shift=drawer(clerk),
                        payment=PaymentRequest(method="cash", tendered=Decimal("100")),
                        prices=PriceRequest(types={seats[0].pk: types["Press"].pk, seats[1].pk: types["Press"].pk,
                                                   seats[2].pk: types["Adult"].pk},
                                            comp_reason="Le Devoir, critique"))
    rows = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert rows[1:4] == [[str(seats[0]), "Press", "Complimentary"], [str(seats[1]), "Press", "Complimentary"],
                         [str(seats[2]), "Adult", "$60.00"]]  # no fee: no column for it
    assert rows[-1] == ["Total", "$60.00"]
    client.force_login(organizer)
    page = client.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    # Counted apart under the dashboard's word for them, plural in French as the count is.
    assert "<th>Tickets sold</th><th>Ticket sales</th><th>Comps</th>" in page
    assert "the fees per order and the fees refunds kept are in the dashboard's net takings" in unescape(page)
    assert "<tr><td>Box-office counter</td><td>1</td><td>$60.00</td><td>2</td></tr>" in page
    french = client.get(f"/admin/events/performance/{perf.pk}/change/", headers={"accept-language": "fr"})
    assert "<th>Billets vendus</th><th>Ventes de billets</th><th>Billets de faveur</th>" in french.content.decode()
    assert "<td>60,00\u00a0$</td>" in french.content.decode() and "Open the dashboard" not in french.content.decode()
    page = client.get(f"/admin/sales/order/{order.pk}/change/").content.decode()
    assert "Le Devoir, critique" in page and "Complimentary" in page


def test_an_order_made_before_prices_were_recorded_shows_its_ticket_prices(client):
    perf = make_performance(rows=1, per_row=4)
    seats = places_of(perf)[:2]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in seats])
    order = order_place(hold=hold, customer=FAMILY, payment=CARD)
    # As such an order's rows are: no receipt, no price parts on its tickets.
    Order.objects.filter(pk=order.pk).update(receipt={})
    Ticket.objects.filter(order=order).update(list_price=None, price_type_name="", discount=0, fee=0, tax=0)
    order.refresh_from_db()
    rows = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert rows == [["Place", "Zone", "Price"],  # no discount, no fee, no tax: no column for any
                    [str(seats[0]), "Stalls", "$50.00"], [str(seats[1]), "Stalls", "$50.00"],
                    ["Subtotal", "$100.00"], ["Total", "$100.00"]]
    assert notifications.send_pending_confirmations() == 1
    assert "Total: $100.00" in mail.outbox[0].body
    assert "Total: $100.00" in pdf_text(order_pdf(order))


def test_a_refunded_order_keeps_its_receipt_and_a_reservation_shows_what_is_to_pay(client):
    order, mine = family_order()
    # Sold and confirmed three days ago; refunded now.
    from django.utils import timezone

    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timezone.timedelta(days=3),
                                             confirmation_sent_at=timezone.now() - timezone.timedelta(days=3))
    order_refund(order=order)
    order.refresh_from_db()
    rows = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert rows[:-2] == expected_rows(mine)
    # Then what was paid back, and what was not (the fees, not refundable here): together,
    # what was paid.
    (said, back), (kept_said, kept) = rows[-2:]
    assert said.startswith("Paid back ") and said.endswith("(Test card)") and kept_said == "Not refunded (fees)"
    back, kept = Decimal(back.replace("−$", "")), Decimal(kept.replace("$", ""))
    assert back + kept == mine["total"] and kept > 0
    assert -sum(p.amount for p in order.payments.filter(status="refunded")) == back
    # The buyer is told, in a notice of its own: no tickets attached.
    assert notifications.send_pending_confirmations() == 1 and notifications.send_pending_confirmations() == 0
    notice = mail.outbox[-1]
    assert notice.subject.startswith("Your refund for ") and not notice.attachments
    assert notice.extra_headers["Content-Language"] == "en"
    assert f"Order {order.code}" in notice.body and "Paid back " in notice.body
    assert order.events.filter(action="refund notice sent").exists()
    perf = make_performance(rows=1, per_row=4)
    operator = make_user("operator-receipt", PHONE_OPERATOR)
    seat = places_of(perf)[0]
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, place_ids=[seat.pk])
    from django.utils import timezone

    reserved = order_reserve(hold=hold, customer=FAMILY, actor=operator,
                             deadline=timezone.now() + timezone.timedelta(days=2))
    page = client.get(f"/orders/{reserved.code}/{reserved.access_token}/").content.decode()
    assert "Price to pay" in page and receipt_rows(page)[1][:3] == [str(seat), "Stalls", "$50.00"]


def test_after_an_exchange_the_receipt_lists_the_new_seats_and_still_adds_up_to_what_was_paid(client):
    """An exchange sells other tickets into the order: each tax is still given, read from
    the tickets shown (each keeps its own), and the fee the exchange kept of the ticket it
    took back (not refundable) is its own line."""
    from sales.orders import order_exchange
    from sales.shifts import shift_open

    perf = make_performance(rows=1, per_row=6)
    quebec_taxes()
    booking_fee(Channel.COUNTER, per_ticket="2.00")
    clerk = make_user("clerk-exchange", COUNTER_CLERK)
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    seats = places_of(perf)
    cash = [PaymentRequest(method="cash", tendered=Decimal("200"))]
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[seats[0].pk, seats[1].pk])
    order = order_place(hold=hold, customer=FAMILY, actor=clerk, shift=shift, payments=cash)
    # Two tickets of 50.00 with a fee of 2.00: 104.00, GST 5.20, QST 10.37 (10.374). The
    # first keeps QST 4.99 (4.9875) + 0.20 (0.1995): 59.79; the second 4.98 + 0.20: 59.78.
    assert order.total == Decimal("59.79") + Decimal("59.78")
    moved = order.tickets.get(place=seats[0])
    new = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[seats[5].pk])
    order = order_exchange(order=order, ticket_ids=[moved.pk], hold=new, actor=clerk, shift=shift,
                           payments=[PaymentRequest(method="cash", tendered=Decimal("20"))])
    # The old fee with its taxes stays paid; the new ticket, priced alone, costs 59.79.
    assert order.total == Decimal("59.79") + Decimal("59.78") + Decimal("2.30")
    rows = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert rows[1:3] == [[str(seats[1]), "Stalls", "$50.00", "$2.00"],
                         [str(seats[5]), "Stalls", "$50.00", "$2.00"]]
    # QST: the ticket kept, 4.98 + 0.20; the new one, 4.99 + 0.20.
    assert rows[3:] == [["Subtotal", "$100.00"], ["Fees", "$4.00"], ["Fees kept on exchange", "$2.30"],
                        ["GST 5% (no. 123456789 RT0001)", f"${2 * (Decimal('2.50') + Decimal('0.10'))}"],
                        ["QST 9.975% (no. 1234567890 TQ0001)", "$10.37"],
                        ["Total", f"${order.total}"]]
    # The API says the same of it, not what the order was first priced at.
    answer = client_for(clerk).get(f"/api/v1/orders/{order.code}/").json()
    assert answer["total"] == answer["receipt"]["total"] == f"{order.total}"
    assert answer["receipt"]["subtotal"] == "100.00" and answer["receipt"]["fees"] == "6.30"
    assert [tax["amount"] for tax in answer["receipt"]["taxes"]] == ["5.20", "10.37"]


def test_the_admin_shows_the_order_receipt(client, organizer):
    order, mine = family_order()
    client.force_login(organizer)
    page = client.get(f"/admin/sales/order/{order.pk}/change/").content.decode()
    assert receipt_rows(page) == expected_rows(mine)


# The French strings come from the catalogue, compiled from scripts/translate_fr.py's table
# by `manage.py makemessages -l fr` and `scripts/translate_fr.py`.
def _french_catalogue_has_receipts() -> bool:
    with translation.override("fr"):
        return gettext("Fee per order") != "Fee per order"


@pytest.mark.skipif(not _french_catalogue_has_receipts(),
                    reason="needs the receipt strings in the compiled French catalogue: run makemessages -l fr "
                           "and scripts/translate_fr.py")
def test_a_french_buyer_reads_the_receipt_in_french_on_the_page_in_the_email_and_in_the_pdf(client):
    order, mine = family_order(language="fr")
    assert order.language == "fr"
    words = {"Receipt": "Reçu", "Order": "Commande", "discount": "rabais", "fee": "frais",
             "Fee per order": "Frais par commande", "Subtotal": "Sous-total", "Fees": "Frais", "Total": "Total",
             "Promo code": "Code promo", "no.": "nº\u00a0", ":": "\u00a0: ", "Paid": "Payé le"}
    expected = expected_text(order, mine, language="fr", words=words)
    assert notifications.send_pending_confirmations() == 1
    assert receipt_in(mail.outbox[0].body.splitlines(), "Reçu — ") == expected
    assert joined_note(receipt_in(pdf_text(order_pdf(order)), "Reçu — "), expected) == printed(expected)
    # The page speaks the visitor's language; the receipt, a document of the sale, the buyer's.
    page = client.get(f"/orders/{order.code}/{order.access_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = receipt_rows(page)
    assert rows[0] == ["Place", "Tarif", "Prix avant taxes", "Rabais", "Frais"]
    assert rows[-1] == ["Total", " ".join(dollars(mine["total"], "fr").split())] and 'lang="fr"' in page


def test_a_long_name_on_a_ticket_wraps_left_of_the_qr_code():
    """A Québec name of 43 characters, and one with a word wider than the column: every
    line beside the code stays left of it, and the whole name is printed."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from sales.models import Customer

    order, _mine = family_order()
    column = 148 - 55 - 6 - 14  # the ticket's width less the code and the margins, in mm
    for name in ("Marie-Ève Bouchard-Lévesque de la Durantaye", "Jean-" + "X" * 40):
        Customer.objects.filter(pk=order.customer_id).update(name=name)
        Order.objects.filter(pk=order.pk).update(buyer_name=name)
        order.refresh_from_db()
        lines = pdf_text(order_pdf(order))
        start = next(i for i, line in enumerate(lines) if line.startswith(f"Order {order.code}"))
        # The name's lines only: the ticket's code below them is printed small, under the QR code.
        end = next(i for i in range(start, len(lines))
                   if name.replace(" ", "") in "".join(lines[start:i + 1]).replace(" ", ""))
        ticket = lines[start:end + 1]
        assert all(stringWidth(line, "Helvetica", 10) <= column * 72 / 25.4 for line in ticket), ticket


def test_after_tickets_are_refunded_the_email_and_the_page_say_what_was_paid_back(client):
    from sales.orders import tickets_refund

    order, _mine = family_order()
    child = order.tickets.filter(price_type_name="Child").order_by("pk").first()
    tickets_refund(order=order, ticket_ids=[child.pk], actor=None)
    back = -order.payments.get(status="refunded").amount
    assert notifications.send_pending_confirmations() == 1
    body = mail.outbox[-1].body
    assert re.search(rf"Paid back .* \(Test card\): −\${back}", body), body
    # The total is what the tickets still held cost: what went back is not taken from it.
    total_at, said_at = body.index("Total:"), body.index("Paid back since, for what is no longer in this order")
    assert total_at < said_at < body.index("Paid back ", said_at + 10)
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert f"−${back}" in page and "Paid back since, for what is no longer in this order" in page


@pytest.mark.parametrize(("language", "words"), [("en", "Paid back on"), ("fr", "Remboursé le")])
def test_a_payback_on_the_receipt_says_its_day_as_a_sentence_does(language, words):
    from sales.order_receipt import receipt_text
    from sales.orders import tickets_refund

    order, _mine = family_order(language=language)
    child = order.tickets.filter(price_type_name="Child").order_by("pk").first()
    tickets_refund(order=order, ticket_ids=[child.pk], actor=None)
    back = order.payments.get(status="refunded")
    moment = order.performance.local(back.created_at)
    at = "\\à" if language == "fr" else "\\a\\t"
    sentence = f"l j F Y {at} {clock_of(moment, language)}"
    with translation.override(language):
        day = formats.date_format(moment, sentence)
    text = receipt_text(Order.objects.get(pk=order.pk))
    assert f"{words} {day} (" in text, text


def test_refunded_in_two_steps_the_receipt_still_adds_up_to_what_was_paid(client):
    """Some tickets, then the rest: both paybacks are listed, and what was kept (the fees,
    not refundable here) is what the payments took less both."""
    from sales.orders import tickets_refund

    order, mine = family_order()
    child = order.tickets.filter(price_type_name="Child").order_by("pk").first()
    tickets_refund(order=order, ticket_ids=[child.pk], actor=None)
    order_refund(order=Order.objects.get(pk=order.pk))
    rows = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    backs = [Decimal(row[-1].replace("−$", "")) for row in rows if row[0].startswith("Paid back ")]
    kept = [Decimal(row[-1].replace("$", "")) for row in rows if row[0] == "Not refunded (fees)"]
    assert len(backs) == 2 and len(kept) == 1 and sum(backs) + kept[0] == mine["total"], rows



def _one_seat_online(*, per_order: str | None = None):
    """One 25.00 seat sold online, paid by card: no fee at all, or only a fee per order."""
    perf = make_performance(rows=1, per_row=2)
    if per_order is not None:
        booking_fee(Channel.ONLINE, per_order=per_order)
    seat = places_of(perf)[0]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])
    return order_place(hold=hold, customer=FAMILY, payment=CARD), seat


def _everywhere(client, order) -> dict:
    """The order's receipt as the buyer and the counter see it: the confirmation email,
    sent by the worker's task, and its PDF; the shop's order page; the counter's slip."""
    from sales import tasks

    assert tasks.send_order_confirmation.apply(args=(order.pk,)).get() is True
    [message] = mail.outbox
    [(_name, pdf, _type)] = message.attachments
    clerk = make_user("clerk-fees", COUNTER_CLERK)
    return {"email": receipt_in(message.body.splitlines(), "Receipt — "),
            "pdf": receipt_in(pdf_text(pdf), "Receipt — "),
            "page": receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()),
            "slip": receipt_rows(signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode())}


def after(lines: list[str], start: str) -> list[str]:
    """The receipt's lines from the first that starts with `start` on."""
    return lines[next(i for i, line in enumerate(lines) if line.startswith(start)):]


def test_an_order_without_fees_has_no_fees_line_anywhere(client):
    order, seat = _one_seat_online()
    assert order.total == Decimal("50.00")
    shown = _everywhere(client, order)
    assert after(shown["email"], str(seat)) == [f"{seat} · Stalls: $50.00", "Subtotal: $50.00", "Total: $50.00"]
    assert after(shown["pdf"], str(seat)) == after(shown["email"], str(seat))
    assert shown["page"][-2:] == [["Subtotal", "$50.00"], ["Total", "$50.00"]]
    assert shown["slip"][-2:] == [["Subtotal", "$50.00"], ["Total", "$50.00"]]


def test_an_order_with_only_a_fee_per_order_keeps_its_fees_line_everywhere(client):
    order, seat = _one_seat_online(per_order="2.00")
    assert order.total == Decimal("52.00")
    shown = _everywhere(client, order)
    assert after(shown["email"], str(seat)) == [f"{seat} · Stalls: $50.00", "Fee per order: $2.00",
                                                "Subtotal: $50.00", "Fees: $2.00", "Total: $52.00"]
    assert after(shown["pdf"], str(seat)) == after(shown["email"], str(seat))
    assert shown["page"][-4:] == [["Fee per order", "$2.00"], ["Subtotal", "$50.00"], ["Fees", "$2.00"],
                                  ["Total", "$52.00"]]
    assert shown["slip"][-4:] == shown["page"][-4:]


def _money(text: str) -> Decimal:
    """An amount as the receipt prints it in English: $1,234.50, −$2.00."""
    return Decimal(text.replace("−", "-").replace("$", "").replace(",", ""))


@pytest.mark.parametrize("fees", [None, ("3.50", "2.00")], ids=["no fees", "refundable fees"])
def test_an_order_bought_at_the_shop_prints_each_tax_of_its_own_subtotal_and_refunds_to_the_cent(client, fees):
    """The demo's case: an adult (89.00) and a child (53.00) with the code ETE10 (10 % off),
    the demo's GST and QST added. 80.10 and 47.70: each tax rounded per ticket, GST would
    print 4.01 + 2.39 = 6.40 under a subtotal of 127.80, whose 5 % is 6.39. Each tax line
    is its rate times the subtotal and fees as printed, to the cent, in the email and on
    the order page; one ticket refunded then the other give back exactly what was paid."""
    from sales.demo import quebec_taxes as demo_taxes
    from sales.models import Payment
    from sales.orders import tickets_refund
    from tests.support import card_token

    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "89.00"}, "Child": {"Stalls": "53.00"}})
    demo_taxes(Organizer.load())
    if fees:
        booking_fee(Channel.ONLINE, per_ticket=fees[0], per_order=fees[1], refundable=True)
    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    adult, child = places_of(perf)[:2]
    held = client.post(f"/performances/{perf.pk}/hold/", {"seats": f"{adult.pk},{child.pk}"})
    assert held.status_code == 302 and held["Location"] == "/basket/"
    chosen = {f"type_{adult.pk}": types["Adult"].pk, f"type_{child.pk}": types["Child"].pk}
    quoted = client.post("/basket/", {**chosen, "promo_code": "ete10"}, HTTP_HX_REQUEST="true").content.decode()
    expected = re.search(r'name="expected_total" value="([\d.]+)"', quoted).group(1)
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
    paid = client.post("/checkout/", {"name": "Famille Tremblay", "email": "tremblay@example.org",
                                      "card_token": card_token(), **chosen, "promo_code": "ETE10", "nonce": nonce,
                                      "expected_total": expected})
    assert paid.status_code == 302, paid.content.decode()[:2000]
    order = Order.objects.get()
    rates = {"TPS/GST": Decimal("0.05"), "TVQ/QST": Decimal("0.09975")}
    assert notifications.send_pending_confirmations() == 1
    text = receipt_in(mail.outbox[0].body.splitlines(), "Receipt — ")
    said = {line.split(": ")[0]: _money(line.split(": ")[-1]) for line in text
            if line.startswith(("Subtotal:", "Fees:", "Total:", "TPS/GST", "TVQ/QST"))}
    page = receipt_rows(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    shown = {row[0]: _money(row[-1]) for row in page
             if row[0] in ("Subtotal", "Fees", "Total") or row[0].startswith(("TPS/GST", "TVQ/QST"))}
    for printed_lines in ({k.split(" (")[0]: v for k, v in said.items()},
                          {k.split(" (")[0]: v for k, v in shown.items()}):
        assert printed_lines["Subtotal"] == Decimal("127.80")
        taxable = printed_lines["Subtotal"] + printed_lines.get("Fees", Decimal("0"))
        taxes = {name: amount for name, amount in printed_lines.items() if "/" in name}
        assert {name.split(" ")[0] for name in taxes} == set(rates)
        for name, amount in taxes.items():
            assert amount == c(rates[name.split(" ")[0]] * taxable), (name, amount, taxable)
        assert printed_lines["Total"] == taxable + sum(taxes.values()) == order.total == Decimal(expected)
    if not fees:  # the demo's order: 127.80 + 6.39 + 12.75 (12.74805)
        assert (shown["Total"], sorted(v for k, v in shown.items() if "/" in k)) == (
            Decimal("146.94"), [Decimal("6.39"), Decimal("12.75")])
    # Each ticket keeps its share of each tax, and the fee per order its own: together, the order's.
    tickets = {t.place_id: t for t in order.tickets.all()}
    for name in rates:
        assert sum(Decimal(t.taxes[part].get(name, "0")) for t in tickets.values() for part in ("price", "fee")) \
            + Decimal(order.receipt["order_fee_taxes"].get(name, "0")) \
            == c(rates[name] * (shown["Subtotal"] + shown.get("Fees", 0)))
    # Refunded one ticket, then the other: the first gives back its own price and taxes
    # (and its fee, refundable here), the second the rest; together, what was paid.
    tickets_refund(order=order, ticket_ids=[tickets[adult.pk].pk], actor=None)
    first = -Payment.objects.get(order=order, status=Payment.Status.REFUNDED).amount
    assert first == tickets[adult.pk].price
    tickets_refund(order=Order.objects.get(pk=order.pk), ticket_ids=[tickets[child.pk].pk], actor=None)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    charged = sum(p.amount for p in order.payments.filter(status=Payment.Status.APPROVED))
    backs = [-p.amount for p in order.payments.filter(status=Payment.Status.REFUNDED, amount__lt=0)]
    assert charged == Decimal(expected) and len(backs) == 2 and sum(backs) == charged, (charged, backs)



def _adults_online(n: int, *, included: bool = False):
    """`n` adults at 80.10 sold online together, Québec's taxes added (or in the prices)."""
    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "80.10"}})
    quebec_taxes(included=included)
    seats = places_of(perf)[:n]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in seats])
    return order_place(hold=hold, customer=FAMILY, payment=CARD,
                       prices=PriceRequest(types={p.pk: types["Adult"].pk for p in seats}))


def test_two_tickets_alike_charged_a_cent_apart_are_explained_on_every_receipt(client):
    """Two adults at 80.10: GST on 160.20 is 8.01, rounded once for the order, so one
    ticket carries 4.01 and the other 4.00: one was charged 92.10 and the other 92.09.
    The order page and the email show each ticket as charged, so their receipts say why
    (and the PDF's and the slip's too); the amounts themselves stay what was paid, which
    is what a refund of either gives back."""
    order = _adults_online(2)
    assert sorted(order.tickets.values_list("price", flat=True)) == [Decimal("92.09"), Decimal("92.10")]
    assert order.total == Decimal("184.19")
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert "$92.10" in page and "$92.09" in page
    note = re.search(r'<p class="receipt-note" id="taxes-shared-out">(.*?)</p>', page, re.S)
    assert note and " ".join(unescape(note.group(1)).split()) == SHARED_OUT
    shown = _everywhere(client, order)
    assert shown["email"][-1] == SHARED_OUT
    assert " ".join(shown["pdf"][-3:]).endswith(SHARED_OUT[-40:])
    html = mail.outbox[0].alternatives[0][0]
    assert SHARED_OUT in " ".join(unescape(html).split())
    with translation.override("fr"):
        french = gettext(SHARED_OUT)
    assert french != SHARED_OUT and "\u00a0:" in french


@pytest.mark.parametrize(("n", "included"), [(1, False), (2, True)], ids=["one ticket", "taxes in the prices"])
def test_tickets_charged_alike_need_no_word_on_the_odd_cent(client, n, included):
    """One ticket alone, or prices that hold their taxes (the order costs what its prices
    say, each ticket its own): no ticket is a cent apart from another alike."""
    order = _adults_online(n, included=included)
    assert len(set(order.tickets.values_list("price", flat=True))) == 1
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert 'id="taxes-shared-out"' not in page
    assert notifications.send_pending_confirmations() == 1
    assert "shared out over the tickets" not in mail.outbox[0].body
