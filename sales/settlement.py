"""An event's settlement: what each of its performances sold and what the money that moved
says, per performance and per payment method, as the organizer and the promoter settle
it (CSV for a spreadsheet, PDF to sign).

Every amount comes from what was recorded (payments' amounts, tickets' prices and parts,
orders' recorded fees). Its net is the sum of the payments taken less the refunds paid
out, the same figure the payments list shows: what the tickets and fees still held do
not account for is shown on its own line (fees kept by refunds and exchanges), never
spread over the others."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from events.models import Event, Performance

from .formatting import csv_cell, csv_marks, number, when
from .models import Order, Payment, TaxRate, Ticket
from .policy import counted_row
from .reports import MONEY_MOVED, taxes_by_name, taxes_not_split

ZERO = Decimal("0.00")


@dataclass
class SettlementLine:
    """One performance's figures (or their total)."""

    label: str
    tickets: int = 0  # valid tickets sold, comps apart
    comps: int = 0
    ticket_sales: Decimal = ZERO  # what the valid tickets were charged, fees and taxes included
    fees: Decimal = ZERO  # the booking fees in ticket_sales, before their taxes
    taxes: Decimal = ZERO  # the taxes in ticket_sales, on the tickets and on their fees
    order_fees: Decimal = ZERO  # fees per order, with their taxes
    taken: Decimal = ZERO
    refunded: Decimal = ZERO  # negative: paid out
    performance_id: int | None = None  # None for the total

    @property
    def net(self) -> Decimal:
        return self.taken + self.refunded

    @property
    def prices(self) -> Decimal:
        """What the tickets were charged before their fees and taxes."""
        return self.ticket_sales - self.fees - self.taxes

    @property
    def kept(self) -> Decimal:
        """What the payments hold beyond the tickets and fees still sold: fees that
        refunds and exchanges did not give back."""
        return self.net - self.ticket_sales - self.order_fees

    def add(self, other: SettlementLine) -> None:
        for name in ("tickets", "comps", "ticket_sales", "fees", "taxes", "order_fees", "taken", "refunded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Settlement:
    event: Event
    performances: list[SettlementLine]
    methods: list[tuple[str, Decimal, Decimal]]  # (method label, taken, refunded)
    made_at: datetime  # on the clock of the event's (first) venue, or the box office's without one
    total: SettlementLine = field(default_factory=lambda: SettlementLine(""))
    # Each tax collected, as remitted: (name, registration, on the tickets and their fees,
    # on the orders' fees, on the fees refunds and exchanges kept). A ticket sold before
    # taxes were kept by name is in none.
    taxes: list[tuple[str, str, Decimal, Decimal, Decimal]] = field(default_factory=list)
    taxes_not_split: Decimal = ZERO  # reports.taxes_not_split: said under the taxes
    # Cash changes hands to the nearest coin while its payments are recorded to the cent:
    # what the drawers took beyond (or short of) the amounts above (policy.cash_due).
    cash_rounding: Decimal = ZERO


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def event_settlement(event: Event, now: datetime | None = None) -> Settlement:
    performances = list(Performance.objects.filter(event=event).select_related("venue").order_by("starts_at"))
    payments = Payment.objects.filter(MONEY_MOVED, order__performance__event=event)
    money = {r["order__performance"]: r for r in payments.values("order__performance").annotate(
        taken=Sum("amount", filter=Q(amount__gt=0)), refunded=Sum("amount", filter=Q(amount__lt=0)))}
    tickets = {r["place__performance"]: r for r in (
        Ticket.objects.filter(place__performance__event=event, status=Ticket.Status.VALID)
        .values("place__performance").annotate(
            tickets=Count("pk", filter=Q(complimentary=False)), comps=Count("pk", filter=Q(complimentary=True)),
            sales=Sum("price"), fees=Sum("fee"), taxes=Sum("tax")))}
    order_fees: dict[int, Decimal] = {}
    for perf_id, fee in (Order.objects.filter(performance__event=event, status=Order.Status.PAID)
                         .exclude(receipt__order_fee=None).values_list("performance_id", "receipt__order_fee")):
        order_fees[perf_id] = order_fees.get(perf_id, ZERO) + _money(fee)
    ticket_taxes, fee_taxes, order_fee_taxes, kept_fee_taxes = taxes_by_name([p.pk for p in performances])
    lines, total = [], SettlementLine(_("Total"))
    for perf in performances:
        m, t = money.get(perf.pk, {}), tickets.get(perf.pk, {})
        line = SettlementLine(
            label=f"{when(perf.local(), 'D j M Y H:i')} · {perf.venue.name}"
                  + (f" · {pgettext('performance', 'Cancelled')}" if perf.cancelled_at else ""),
            tickets=t.get("tickets", 0), comps=t.get("comps", 0), ticket_sales=_money(t.get("sales")),
            fees=_money(t.get("fees")) - fee_taxes.get(perf.pk, ZERO), taxes=_money(t.get("taxes")),
            order_fees=order_fees.get(perf.pk, ZERO),
            taken=_money(m.get("taken")), refunded=_money(m.get("refunded")), performance_id=perf.pk)
        lines.append(line)
        total.add(line)
    methods = [(str(Payment.Method(r["method"]).label), _money(r["taken"]), _money(r["refunded"]))
               for r in payments.values("method").order_by("method").annotate(
                   taken=Sum("amount", filter=Q(amount__gt=0)), refunded=Sum("amount", filter=Q(amount__lt=0)))]
    made_at = now or timezone.now()
    made_at = performances[0].local(made_at) if performances else timezone.localtime(
        made_at, ZoneInfo(settings.TIME_ZONE))
    registrations = dict(TaxRate.objects.order_by("rank", "name").values_list("name", "registration"))
    names = sorted(set(ticket_taxes) | set(order_fee_taxes) | set(kept_fee_taxes),
                   key=lambda name: (list(registrations).index(name) if name in registrations else 99, name))
    taxes = [(name, registrations.get(name, ""), _money(ticket_taxes.get(name)), _money(order_fee_taxes.get(name)),
              _money(kept_fee_taxes.get(name))) for name in names]
    cash_rounding = sum((counted_row(p) - p.amount for p in payments.filter(method=Payment.Method.CASH)), ZERO)
    return Settlement(event=event, performances=lines, methods=methods, made_at=made_at, total=total, taxes=taxes,
                      taxes_not_split=taxes_not_split([p.pk for p in performances]), cash_rounding=cash_rounding)


def _rounding_label() -> str:
    return _("Cash rounding to the coin (what the drawers took beyond the amounts above)")



def _columns() -> list[str]:
    return [_("Performance"), _("Tickets"), _("Comps"), _("Ticket sales"), _("of which prices before tax"),
            _("of which fees before tax"), _("of which taxes"),
            _("Fees per order, with their taxes"), _("Kept from refunds and exchanges"), pgettext("money", "Taken"),
            pgettext("money", "Refunded"), _("Net")]


def _cells(line: SettlementLine) -> list:
    return [line.label, line.tickets, line.comps, line.ticket_sales, line.prices, line.fees, line.taxes,
            line.order_fees, line.kept, line.taken, line.refunded, line.net]


def _title(s: Settlement) -> str:
    return _("Settlement: %(event)s") % {"event": s.event.title}


class _Cells:
    """A CSV writer whose text cells typed by people (tax names and registrations, the
    event's title) never start a formula in the promoter's spreadsheet, separated and with
    amounts written as the active language's spreadsheets read them (csv_marks)."""

    def __init__(self, out):
        separator, self._decimal_mark = csv_marks()
        self._writer = csv.writer(out, delimiter=separator)

    def writerow(self, row) -> None:
        self._writer.writerow([csv_cell(value, self._decimal_mark) for value in row])


def settlement_csv(s: Settlement) -> bytes:
    out = io.StringIO()
    writer = _Cells(out)
    writer.writerow([_title(s)])
    writer.writerow([_("Made"), s.made_at.strftime("%Y-%m-%d %H:%M")])
    # Named as the exports name the clock of their times (sales.exports).
    writer.writerow([_("Time zone of the times"), s.made_at.tzinfo.key])
    writer.writerow([])
    writer.writerow(_columns())
    for line in [*s.performances, s.total]:
        writer.writerow(_cells(line))
    writer.writerow([])
    writer.writerow([_("Payment method"), pgettext("money", "Taken"), pgettext("money", "Refunded"), _("Net")])
    for label, taken, refunded in s.methods:
        writer.writerow([label, taken, refunded, taken + refunded])
    writer.writerow([_("Total"), s.total.taken, s.total.refunded, s.total.net])
    if s.cash_rounding:
        writer.writerow([_rounding_label(), "", "", s.cash_rounding])
    if s.taxes or s.taxes_not_split:
        writer.writerow([])
        writer.writerow(_tax_columns())
        for row in _tax_rows(s):
            writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()


def _tax_columns() -> list[str]:
    return [_("Tax"), _("Registration"), _("On tickets and their fees"), _("On orders' fees"),
            _("On fees kept from refunds and exchanges"), _("To remit")]


def _tax_rows(s: Settlement) -> list[list]:
    rows = [[name, registration, tickets, orders, kept, tickets + orders + kept]
            for name, registration, tickets, orders, kept in s.taxes]
    if s.taxes_not_split:  # tickets sold before each kept its taxes by name: their taxes, not apart
        rows.append([_("Earlier sales, not split by tax"), "", s.taxes_not_split,
                     ZERO, ZERO, s.taxes_not_split])
    return [*rows, [_("Total"), "", *(sum((r[i] for r in rows), ZERO) for i in range(2, 6))]]


def _wrapped(text: str, width: float, font: str, size: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _heading_size(heading: str) -> float:
    """A column heading's font size: 7 points, smaller when one of its words (a French
    "remboursements") would not fit the column's 19 mm whole."""
    widest = max((stringWidth(word, "Helvetica-Bold", 1) for word in heading.split()), default=0)
    return min(7.0, (19 * mm / widest) if widest else 7.0)


def _figure(value) -> str:
    """A figure as its reader writes numbers (1,234.50 and 1,000 tickets; in French 1 234,50
    and 1 000), in the PDF's standard font, which has no narrow space."""
    if isinstance(value, Decimal):
        return number_format(value, 2, use_l10n=True, force_grouping=True).replace("\u202f", " ").replace(
            "\xa0", " ")
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value).replace("\u202f", " ")
    return str(value)


def settlement_pdf(s: Settlement) -> bytes:
    buf = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(_title(s))
    margin = 12 * mm
    # The performance's label is wide; the figures right-aligned at these x positions.
    right = [margin + 50 * mm + (i + 1) * 20.5 * mm for i in range(11)]
    y = height - 16 * mm

    def row(cells, bold=False):
        """A row of figures; its label wrapped within its column, on as many lines as it needs."""
        nonlocal y
        font = "Helvetica-Bold" if bold else "Helvetica"
        label = _wrapped(str(cells[0]), right[0] - margin - 22 * mm, font, 8)
        if y - (len(label) - 1) * 3.5 * mm < margin + 10 * mm:
            pdf.showPage()
            y = height - 16 * mm
        pdf.setFont(font, 8)
        for i, line in enumerate(label):
            pdf.drawString(margin, y - i * 3.5 * mm, line)
        for x, value in zip(right, cells[1:], strict=False):
            pdf.drawRightString(x, y, _figure(value))
        y -= 5.5 * mm + (len(label) - 1) * 3.5 * mm

    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(margin, y, _title(s))
    y -= 7 * mm
    pdf.setFont("Helvetica", 9)
    pdf.drawString(margin, y, _("Made %(when)s. Amounts as recorded at each sale, payment and refund.") % {
        "when": when(s.made_at, "j F Y, H:i")})
    y -= 10 * mm
    def headings(cells):
        """Headings wrapped to their narrow columns, bottom-aligned, on as many lines as they need."""
        nonlocal y
        sizes = [_heading_size(str(h)) for h in cells[1:]]
        wrapped = [_wrapped(str(h), 19 * mm, "Helvetica-Bold", size) for h, size in zip(cells[1:], sizes, strict=True)]
        tallest = max(len(lines) for lines in wrapped)
        y -= (tallest - 1) * 3 * mm
        pdf.setFont("Helvetica-Bold", 7)
        pdf.drawString(margin, y, str(cells[0]))
        for x, lines, size in zip(right, wrapped, sizes, strict=False):
            pdf.setFont("Helvetica-Bold", size)
            for i, line in enumerate(reversed(lines)):
                pdf.drawRightString(x, y + i * 3 * mm, line)
        y -= 6 * mm

    headings(_columns())
    for line in s.performances:
        row(_cells(line))
    pdf.line(margin, y + 4 * mm, right[-1], y + 4 * mm)
    row(_cells(s.total), bold=True)
    y -= 6 * mm
    row([_("Payment method"), pgettext("money", "Taken"), pgettext("money", "Refunded"), _("Net")], bold=True)
    for label, taken, refunded in s.methods:
        row([label, taken, refunded, taken + refunded])
    row([_("Total"), s.total.taken, s.total.refunded, s.total.net], bold=True)
    if s.cash_rounding:
        row([_rounding_label(), "", "", s.cash_rounding])
    if s.taxes or s.taxes_not_split:
        y -= 6 * mm
        name, _registration, *figures = _tax_columns()
        headings([name, *figures])
        *each, together = _tax_rows(s)
        for tax_row in each:
            row([f"{tax_row[0]} ({tax_row[1]})" if tax_row[1] else tax_row[0], *tax_row[2:]])
        row([together[0], *together[2:]], bold=True)
    y -= 12 * mm
    pdf.setFont("Helvetica", 9)
    blank = "_" * 24
    pdf.drawString(margin, y, (_("%(label)s: %(text)s") % {"label": _("Organizer"), "text": blank}) + " " * 8
                   + _("%(label)s: %(text)s") % {"label": _("Promoter"), "text": blank})
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
