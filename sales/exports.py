"""Orders, tickets (the attendees) and payments as CSV or XLSX, for a performance and/or
a range of dates. Rows are read from the database in chunks with a server-side cursor and
written as they come, so an export of 100,000 orders holds a chunk in memory, not the lot:
CSV is streamed to the client as it is written, XLSX is written by openpyxl's write-only
mode to a temporary file that is then sent (manage.py bench_exports measures both)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateField, DateTimeField, F, Func, Q, Sum
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from events.models import Channel, Performance

from .formatting import WALK_IN_EMAIL, csv_cell, csv_marks, person_name
from .models import Customer, Order, Payment, Ticket
from .policy import cash_due
from .reports import MONEY_MOVED
from .tickets import price_type_names

KINDS = ("orders", "tickets", "payments", "customers")
CHUNK = 2000


# The widest a clock is from UTC, either way: a day on any venue's clock begins no earlier
# than 14 hours before that day begins in UTC, and ends no later than 12 hours after.
AHEAD_OF_UTC, BEHIND_UTC = timedelta(hours=14), timedelta(hours=12)


@dataclass(frozen=True)
class ExportFilter:
    performance: Performance | None = None
    # Days on the clock of the performance's venue; for every performance, each row's day on
    # its own venue's clock, as its times are written. Both included.
    date_from: date | None = None
    date_to: date | None = None

    def created(self, zone_of: str | None = None) -> Q:
        """The rows made on the days asked. `zone_of`: the lookup to a row's venue's time
        zone, which an export of every performance takes each row's day by (without one,
        rows that belong to no venue, the box office's clock)."""
        ends = self.date_to if self.date_to and self.date_to < date.max else None  # the calendar's last: no end
        if self.performance is not None or zone_of is None:
            zone = self.performance.venue.zone if self.performance else None
            q = Q()
            if self.date_from:
                q &= Q(created_at__gte=timezone.make_aware(datetime.combine(self.date_from, time.min), zone))
            if ends:
                q &= Q(created_at__lt=timezone.make_aware(datetime.combine(ends + timedelta(days=1), time.min), zone))
            return q
        # A moment's day there: PostgreSQL's timezone(zone, moment) is its wall-clock time.
        day = Cast(Func(F(zone_of), F("created_at"), function="timezone", output_field=DateTimeField()),
                   DateField())
        q = Q()
        # The moments bounded first, wide enough for every clock, so that created_at's index
        # still narrows what the day is then read of.
        if self.date_from:
            q &= Q(GreaterThanOrEqual(day, self.date_from))
            if self.date_from > date.min:
                q &= Q(created_at__gte=datetime.combine(self.date_from, time.min, UTC) - AHEAD_OF_UTC)
        if ends:
            q &= Q(LessThanOrEqual(day, ends))
            q &= Q(created_at__lt=datetime.combine(ends + timedelta(days=1), time.min, UTC) + BEHIND_UTC)
        return q


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _when(value: datetime | None, zone_name: str):
    """A moment as a spreadsheet reads it: on the clock of the performance's venue,
    without a zone (each row names its zone in its last column: an export across venues
    mixes clocks)."""
    return timezone.localtime(value, _zone(zone_name)).replace(tzinfo=None, microsecond=0) if value else None


def _performance(title: str, starts_at: datetime, zone_name: str) -> str:
    return f"{title} {timezone.localtime(starts_at, _zone(zone_name)):%Y-%m-%d %H:%M}"


def _buyer(typed: str, customer: str, email: str) -> str:
    """The name an order was bought under (Order.buyer), as the pages show it."""
    return person_name(typed or customer, email)


def _mailbox(email: str) -> str:
    """A buyer's email address as exported: none for the counter's walk-in, whose address
    is the counter's own, nobody's mailbox (the customers export leaves the walk-in out)."""
    return "" if email == WALK_IN_EMAIL else email


def order_rows(where: ExportFilter) -> tuple[list[str], Iterator[tuple]]:
    qs = Order.objects.filter(where.created("performance__venue__time_zone"))
    if where.performance:
        qs = qs.filter(performance=where.performance)
    qs = (qs.annotate(tickets_valid=Count("tickets", filter=Q(tickets__status=Ticket.Status.VALID)))
          .order_by("pk").values_list(
              "code", "created_at", "paid_at", "performance__event__title", "performance__starts_at",
              "performance__venue__time_zone", "channel", "status", "buyer_name", "customer__name",
              "customer__email", "buyer_phone", "customer__phone", "tickets_valid", "total", "currency",
              "promo_code__code", "comp_reason", "created_by__username"))
    header = [_("Order"), _("Created"), _("Paid"), _("Performance"), _("Channel"), _("Status"), _("Name"),
              _("Email"), _("Phone"), _("Tickets"), _("Total"), _("Currency"), _("Promo code"), _("Comp reason"),
              _("Staff"), _("Time zone of the times")]
    statuses, channels = dict(Order.Status.choices), dict(Channel.choices)

    def rows():
        for (code, created, paid, title, starts, zone, channel, status, bought_as, name, email, typed_phone, phone,
             n, total, currency, promo, comp, staff) in qs.iterator(chunk_size=CHUNK):
            yield (code, _when(created, zone), _when(paid, zone), _performance(title, starts, zone),
                   str(channels[channel]), str(statuses[status]), _buyer(bought_as, name, email), _mailbox(email),
                   typed_phone or phone, n, total, currency,
                   promo or "", comp, staff or "", zone)
    return header, rows()


def ticket_rows(where: ExportFilter) -> tuple[list[str], Iterator[tuple]]:
    qs = Ticket.objects.filter(where.created("place__performance__venue__time_zone"))
    if where.performance:
        qs = qs.filter(place__performance=where.performance)
    qs = qs.order_by("pk").values_list(
        "code", "order__code", "place__performance__event__title", "place__performance__starts_at",
        "place__performance__venue__time_zone", "place__section__name", "place__seat__row", "place__seat__number",
        "place__standing_index", "price_zone_name", "price_type_name", "price", "complimentary", "status",
        "order__buyer_name", "order__customer__name", "order__customer__email", "checked_in_at", "checked_in_door",
        "place__performance_id")
    header = [_("Ticket"), _("Order"), _("Performance"), _("Section"), _("Row"), _("Seat"), _("Zone"),
              _("Price type"), _("Price"), _("Complimentary"), _("Status"), _("Name"), _("Email"),
              _("Checked in"), _("Door"), _("Time zone of the times")]
    statuses = dict(Ticket.Status.choices)
    type_names: dict[int, dict[str, str]] = {}  # per performance, read once

    def rows():
        for (code, order, title, starts, zone, section, row, number, standing, zone_name, price_type, price, comp,
             status, bought_as, name, email, checked_in, door, performance) in qs.iterator(chunk_size=CHUNK):
            if performance not in type_names:
                type_names[performance] = price_type_names(performance)
            if number is None and standing is not None:
                number = _("#%(number)s") % {"number": standing}  # a standing area's place
            yield (code, order, _performance(title, starts, zone), section, row or "", number or "",
                   zone_name, type_names[performance].get(price_type, price_type), price, _("yes") if comp else "",
                   str(statuses[status]), _buyer(bought_as, name, email), _mailbox(email),
                   _when(checked_in, zone), door, zone)
    return header, rows()


def payment_rows(where: ExportFilter) -> tuple[list[str], Iterator[tuple]]:
    # The money that moved, as the payments list and the settlement count it: not a
    # declined card, nor a charge paid straight back.
    qs = Payment.objects.filter(where.created("order__performance__venue__time_zone")).filter(MONEY_MOVED)
    if where.performance:
        qs = qs.filter(order__performance=where.performance)
    qs = qs.order_by("pk").values_list(
        "created_at", "order__code", "order__performance__event__title", "order__performance__starts_at",
        "order__performance__venue__time_zone", "order__channel", "method", "amount", "cash", "status", "reference",
        "shift_id", "shift__clerk__username", "created_by__username")
    # Cash beside its amount as it changed hands, to the coin (policy.counted_row): a
    # shift's cash rows add up to what its drawer took, the amounts to the takings.
    header = [_("Date"), _("Order"), _("Performance"), _("Channel"), _("Method"), _("Kind"), _("Amount"),
              _("Cash, rounded to the coin"), _("Status"), _("Reference"), _("Shift"), _("Clerk"), _("Staff"),
              _("Time zone of the times")]
    methods, statuses, channels = dict(Payment.Method.choices), dict(Payment.Status.choices), dict(Channel.choices)

    def rows():
        for (created, order, title, starts, zone, channel, method, amount, cash, status, reference, shift, clerk,
             staff) in qs.iterator(chunk_size=CHUNK):
            yield (_when(created, zone), order, _performance(title, starts, zone), str(channels[channel]),
                   str(methods[method]), _("refund") if amount < 0 else _("payment"), amount,
                   (cash if cash is not None else cash_due(amount)) if method == Payment.Method.CASH else None,
                   str(statuses[status]), reference, shift or "", clerk or "", staff or "", zone)
    return header, rows()


def customer_rows(where: ExportFilter) -> tuple[list[str], Iterator[tuple]]:
    """Customers who ordered (for the performance, when one is given) and what they paid:
    their paid orders' totals. Dates are the customer's first record, on the performance's
    venue's clock (the box office's, for every performance), named in the last column as the
    other exports name theirs. The counter's record
    of a walk-in sold to nobody in particular is nobody to write to: not listed."""
    qs = Customer.objects.filter(where.created()).exclude(email=WALK_IN_EMAIL)
    zone = settings.TIME_ZONE
    if where.performance:
        # The same join as the counts below: they count this performance's orders only.
        qs = qs.filter(orders__performance=where.performance)
        zone = where.performance.venue.time_zone
    paid = Q(orders__status=Order.Status.PAID)
    qs = (qs.annotate(orders_n=Count("orders", filter=paid), spent=Sum("orders__total", filter=paid))
          .order_by("pk").values_list("name", "email", "phone", "created_at", "orders_n", "spent"))
    # "Created" and "Paid" of a customer (French: masculine) and of an amount, not of an order.
    header = [_("Name"), _("Email"), _("Phone"), pgettext("customer", "Created"), _("Paid orders"),
              pgettext("money", "Paid"), _("Time zone of the times")]

    def rows():
        for name, email, phone, created, n, spent in qs.iterator(chunk_size=CHUNK):
            yield (name, email, phone, _when(created, zone), n, spent or Decimal("0.00"), zone)
    return header, rows()


READERS = {"orders": order_rows, "tickets": ticket_rows, "payments": payment_rows, "customers": customer_rows}


def export_rows(kind: str, where: ExportFilter) -> tuple[list[str], Iterator[tuple]]:
    return READERS[kind](where)


class _Line:
    def write(self, value: str) -> str:
        return value


def _xlsx_row(sheet, row: tuple) -> list:
    """The row's text without the control characters a workbook cannot hold, and as text
    (never a formula) whatever it starts with; its amounts as numbers shown with their
    decimals (50.00, not 50)."""
    cells = []
    for value in row:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
            cells.append(cell)
        elif isinstance(value, Decimal) and value.is_finite():
            cell = WriteOnlyCell(sheet, value=value)
            places = max(0, -value.as_tuple().exponent)
            cell.number_format = "0." + "0" * places if places else "0"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def csv_chunks(header: list[str], rows: Iterable[tuple], per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks of `per_chunk` lines (a byte-order mark first, so that
    a spreadsheet opens it as UTF-8), separated and with amounts written as the active
    language's spreadsheets read them (csv_marks: read now, not while the file is sent)."""
    return _csv_chunks(header, rows, per_chunk, *csv_marks())


def _csv_chunks(header, rows, per_chunk: int, separator: str, decimal_mark: str) -> Iterator[bytes]:
    writer = csv.writer(_Line(), delimiter=separator)
    yield ("\ufeff" + writer.writerow(header)).encode()
    lines = []
    for row in rows:
        lines.append(writer.writerow([csv_cell(v, decimal_mark) for v in row]))
        if len(lines) >= per_chunk:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def xlsx_file(header: list[str], rows: Iterable[tuple], title: str):
    """The workbook in a temporary file (openpyxl's write-only mode: rows go to disk as they
    are appended), rewound; the caller sends and closes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open: the response streams and closes it
    workbook.save(out)
    out.seek(0)
    return out
