"""An order's receipt as the buyer reads it: each ticket with its place, price type, list
price, discount and fee; the subtotal, the fees, each tax with its rate and the
organizer's registration number, the total and the promo code.

Read from what was recorded when the order was priced (Order.receipt, and each ticket's
own price columns), never from today's settings: a receipt printed a year later says what
was charged then. The order page, the confirmation email, the PDF, the counter's slip and
the admin all show it through one template, templates/sales/_receipt.html (its `html`,
`text` and `email` partials), in the buyer's language.

The amounts are shown as the organizer entered them. With taxes added, the list prices,
discounts and fees are before taxes and the taxes follow: subtotal + fees + taxes =
total. With prices that include taxes, they are shown taxes included and the taxes they
contain are listed: subtotal + fees = total."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.models import IN_A_SENTENCE, IN_FULL

from .formatting import when
from .models import NOT_YET_TAKEN, REFUND_OWED, REFUND_REFUSED, REFUND_SETTLED, Order, Organizer, Payment, Place, Ticket
from .policy import counted_row

ZERO = Decimal("0.00")
# The orders with a receipt: paid or refunded (what was charged), reserved (what is to
# pay). A failed, cancelled or still unpaid order was charged nothing and shows none.
SHOWN = {Order.Status.PAID, Order.Status.REFUNDED, Order.Status.RESERVED}


@dataclass(frozen=True)
class ReceiptLine:
    place: str
    zone: str
    price_type: str  # empty for a performance sold at its zones' prices
    list_price: Decimal
    discount: Decimal
    fee: Decimal
    complimentary: bool
    refunded: bool = False  # a ticket refunded since, from an order still paid for its others

    @property
    def amount(self) -> Decimal:
        """What the line adds to the subtotal (its price less its discount; a comp: nothing)."""
        return ZERO if self.complimentary else self.list_price - self.discount


@dataclass(frozen=True)
class ReceiptTax:
    name: str
    percent: Decimal  # 9.975 for 9.975 %
    registration: str
    amount: Decimal | None  # None when the tickets are no longer those it was recorded for


@dataclass(frozen=True)
class Payback:
    at: datetime
    method: str
    amount: Decimal  # positive: what went back to the buyer
    # "" paid back its way; "waiting": recorded, and on its way to the card provider, which
    # has not taken it yet; "refused": the card provider would not, so it is still owed;
    # "settled": paid back by other means since.
    state: str = ""


@dataclass(frozen=True)
class OrderReceipt:
    code: str
    status: str
    currency: str
    language: str
    seller: str
    seller_address: str
    lines: list[ReceiptLine]
    order_fee: Decimal  # the fee per order, as shown
    kept: Decimal  # fees kept from tickets exchanged away
    taxes: list[ReceiptTax]
    tax: Decimal  # every tax together
    tax_included: bool
    total: Decimal
    discount: Decimal
    promo_code: str
    # What was bought and when it was paid, shown on the clock of the venue (time_zone):
    # a receipt read in another zone still says the show's own time.
    event: str = ""
    starts_at: datetime | None = None
    paid_at: datetime | None = None
    time_zone: str = "UTC"
    # What was paid back since (a refund, tickets refunded, an exchange's difference):
    # when, how (the payment method's label) and how much, and, once the order is
    # refunded, what was kept of what it cost (fees that are not refundable).
    paybacks: tuple[Payback, ...] = ()
    not_refunded: Decimal = ZERO
    # The tickets refunded from an order still paid for its others: not in its total, and
    # named apart below it, with no amount. (A refunded order's lines are all its tickets.)
    refunded: tuple[ReceiptLine, ...] = ()
    # Whether tickets alike (the same list price, discount and fee) were charged amounts a
    # cent apart: each tax is rounded once for the order and shared out over its tickets
    # (sales.receipts), so one may carry the odd cent, and the receipt says why.
    shared_out: bool = False

    @property
    def starts(self) -> str:
        """When the show starts, as the shop's pages write it (IN_FULL), on the venue's clock."""
        return self._written(self.starts_at, IN_FULL)

    @property
    def paid_on(self) -> str:
        """When it was paid, as a sentence writes a moment ("Paid on …"), on the venue's clock."""
        return self._written(self.paid_at, IN_A_SENTENCE)

    def _written(self, moment: datetime | None, style: str) -> str:
        return when(timezone.localtime(moment, zoneinfo.ZoneInfo(self.time_zone)), style) if moment else ""

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def typed(self) -> bool:
        """Whether a line has a price type (else the receipt's column names zones)."""
        return any(line.price_type for line in self.lines)

    @property
    def fees(self) -> Decimal:
        return sum((line.fee for line in self.lines), ZERO) + self.order_fee

    @property
    def taxes_apart(self) -> bool:
        return all(tax.amount is not None for tax in self.taxes)

    @property
    def paid(self) -> bool:
        return self.status != Order.Status.RESERVED


def _shown_fee(fee_with_taxes: Decimal, line_total: Decimal, net: Decimal, tax: Decimal, included: bool) -> Decimal:
    """A ticket's fee as the receipt shows it. Taxes included: as recorded (with its
    taxes, as entered). Taxes added: before them, which is what the line's total leaves
    once its net price and its taxes are taken off (all four recorded on the line)."""
    return fee_with_taxes if included else line_total - net - tax


def _line_of_ticket(ticket: Ticket, included: bool) -> tuple[ReceiptLine, Decimal]:
    """(the line, its taxes) from the ticket's own columns; a ticket sold before its parts
    were recorded is its price, with nothing else."""
    if ticket.list_price is None:
        return ReceiptLine(str(ticket.place), ticket.price_zone_name, ticket.price_type_name, ticket.price,
                           ZERO, ZERO, ticket.complimentary), ZERO
    net = ZERO if ticket.complimentary else ticket.list_price - ticket.discount
    fee = _shown_fee(ticket.fee, ticket.price, net, ticket.tax, included)
    return ReceiptLine(str(ticket.place), ticket.price_zone_name, ticket.price_type_name, ticket.list_price,
                       ticket.discount, fee, ticket.complimentary), ticket.tax


def _lines_recorded(rows: list, included: bool) -> list[tuple[ReceiptLine, Decimal]]:
    """The lines of an order not sold yet (a reservation), as it was priced."""
    places = {p.pk: str(p) for p in Place.objects.select_related("seat", "section")
              .filter(pk__in=[row[0] for row in rows])}
    out = []
    for place_id, zone, type_name, list_price, discount, fee, tax, total, comp in rows:
        list_price, discount, fee, tax, total = (Decimal(x) for x in (list_price, discount, fee, tax, total))
        net = ZERO if comp else list_price - discount
        out.append((ReceiptLine(places.get(place_id, zone), zone, type_name, list_price, discount,
                                _shown_fee(fee, total, net, tax, included), comp), tax))
    return out


def _taxes_of(tickets, recorded: dict) -> dict[str, Decimal] | None:
    """Each tax by name on `tickets` and the order's own fee, or None where a ticket (sold
    before taxes were kept by name) or the order's fee does not say."""
    if not tickets or any(t.tax and not t.taxes for t in tickets):
        return None
    if Decimal(recorded.get("order_fee_tax") or "0") and not recorded.get("order_fee_taxes"):
        return None
    out: dict[str, Decimal] = {}
    for parts in [*(part for t in tickets for part in (t.taxes or {}).values()), recorded.get("order_fee_taxes") or {}]:
        for name, amount in parts.items():
            out[name] = out.get(name, ZERO) + Decimal(amount)
    return out


def _cents_apart(lines: list[ReceiptLine], charged: list[Decimal]) -> bool:
    """Whether lines alike (the same list price, discount and fee) were charged different
    amounts (`charged`: each line's, taxes in)."""
    seen: dict[tuple, Decimal] = {}
    for line, amount in zip(lines, charged, strict=True):
        if seen.setdefault((line.list_price, line.discount, line.fee, line.complimentary), amount) != amount:
            return True
    return False


def order_receipt(order: Order, tickets=None) -> OrderReceipt:
    """The receipt of `order`. `tickets`: the order's tickets with their places, when the
    caller has them. It lists the valid tickets (all of them once refunded)."""
    recorded = order.receipt or {}
    included = bool(recorded.get("tax_included"))
    tickets = list(order.tickets.select_related("place__seat", "place__section") if tickets is None else tickets)
    shown = [t for t in tickets if t.status == Ticket.Status.VALID] or tickets
    # What each refund paid back is said by the refunds themselves (paybacks): a ticket's
    # value now may not be what its refund gave (a fee it kept, given back since by an
    # exchange off a cancelled date, counts in that exchange).
    refunded = () if shown is tickets else tuple(
        replace(_line_of_ticket(t, included)[0], refunded=True) for t in tickets if t.refunded_at)
    if shown:
        priced = [_line_of_ticket(t, included) for t in shown]
        amounts = [t.price for t in shown]
        charged = sorted((t.place_id, t.price) for t in shown)
    else:
        priced = _lines_recorded(recorded.get("tickets") or [], included)
        amounts = [Decimal(row[7]) for row in recorded.get("tickets") or []]
        charged = sorted((row[0], Decimal(row[7])) for row in recorded.get("tickets") or [])
    # Each tax's amount was recorded for the order as priced: it still holds while the
    # order has those tickets (an exchange sells others into it; their taxes are known
    # only together).
    as_recorded = charged == sorted((row[0], Decimal(row[7])) for row in recorded.get("tickets") or [])
    order_fee_total = Decimal(recorded.get("order_fee") or "0.00")
    order_fee_tax = Decimal(recorded.get("order_fee_tax") or "0.00")
    order_fee = order_fee_total if included else order_fee_total - order_fee_tax
    tax = sum((t for _line, t in priced), ZERO) + order_fee_tax
    # After an exchange, each tax is read from the tickets shown, where each kept its own.
    by_name = _taxes_of(shown, recorded) if not as_recorded else None
    taxes = [ReceiptTax(name, Decimal(percent).normalize(), registration,
                        Decimal(amount) if as_recorded else by_name.get(name, ZERO) if by_name is not None else None)
             for name, percent, registration, amount in recorded.get("taxes") or []]
    if as_recorded and taxes:
        tax = sum((t.amount for t in taxes), ZERO)
    lines = [line for line, _t in priced]
    shown_total = sum((line.amount + line.fee for line in lines), ZERO) + order_fee + (ZERO if included else tax)
    # The order's total is what was charged; what the lines do not account for is what an
    # exchange kept of the tickets it took back (their fees, when not refundable).
    kept = ZERO if as_recorded else order.total - shown_total
    seller = Organizer.objects.order_by("pk").first()
    perf = order.performance
    paybacks = ()
    # Read only where something may have been paid back: an order refunded, or whose total
    # is no longer what it was priced at (tickets refunded or exchanged).
    not_refunded = ZERO
    if order.status == Order.Status.REFUNDED or str(order.total) != str(recorded.get("total", order.total)):
        # Paybacks only: a charge undone at once (a refund row of a positive amount) was
        # never the buyer's to see. Cash as it was counted out: to the nearest coin.
        payments = list(order.payments.filter(status__in=(Payment.Status.APPROVED, Payment.Status.REFUNDED))
                        .order_by("created_at", "pk"))
        paybacks = tuple(Payback(p.created_at, p.get_method_display(), -counted_row(p),
                                 {REFUND_REFUSED: "refused", REFUND_SETTLED: "settled",
                                  **dict.fromkeys(NOT_YET_TAKEN, "waiting")}.get(p.message, ""))
                         for p in payments if p.status == Payment.Status.REFUNDED and p.amount < 0)
        if order.status == Order.Status.REFUNDED:  # what the payments took, less every payback
            taken = sum((p.amount for p in payments if p.status == Payment.Status.APPROVED), ZERO)
            not_refunded = max(ZERO, taken + sum((p.amount for p in payments
                                                  if p.status == Payment.Status.REFUNDED and p.amount < 0), ZERO))
    return OrderReceipt(
        code=order.code, status=order.status, currency=order.currency, language=order.language,
        seller=seller.shown_name() if seller else "", seller_address=seller.address if seller else "",
        lines=lines, order_fee=order_fee, kept=kept, taxes=taxes, tax=tax, tax_included=included,
        total=shown_total + kept, discount=sum((line.discount for line in lines), ZERO),
        promo_code=recorded.get("promo_code") or "", event=perf.event.title, starts_at=perf.starts_at,
        paid_at=order.paid_at, time_zone=perf.venue.time_zone, paybacks=paybacks, not_refunded=not_refunded,
        refunded=refunded, shared_out=_cents_apart(lines, amounts))


@dataclass(frozen=True)
class PaidInAll:
    """What the buyer paid for an order in all and what went back to them, each payment as
    it changed hands (cash to the coin, as the drawer counted it)."""

    taken: Decimal
    back: Decimal  # negative: paid back (by card once the provider took it, or settled by other means)
    waiting: Decimal  # card refunds the provider has not taken yet: not back yet
    refused: Decimal  # card refunds the provider refused: still owed, by other means
    charges: int = 1  # the payments taken (`taken` is their sum)

    @property
    def net(self) -> Decimal:
        return self.taken + self.back

    @property
    def summed(self) -> bool:
        """Whether what was paid needs a sum of its own: one payment's own line says it."""
        return self.charges > 1


def paid_in_all(order: Order) -> PaidInAll | None:
    """What `order` was paid in all (an exchange's difference too), what went back and the
    net; a card refund the provider has not taken yet, or refused, is not back yet. None
    for a single payment and nothing paid back, whose own line says it all."""
    moved = [p for p in order.payments.filter(status__in=(Payment.Status.APPROVED, Payment.Status.REFUNDED))
             if p.status == Payment.Status.APPROVED or p.amount < 0]  # not a charge undone at once
    if len(moved) < 2:
        return None

    def counted(rows) -> Decimal:
        return sum((counted_row(p) for p in rows), ZERO)

    backs = [p for p in moved if p.amount < 0]
    return PaidInAll(taken=counted(p for p in moved if p.amount > 0), charges=sum(p.amount > 0 for p in moved),
                     back=counted(p for p in backs if p.message not in (REFUND_OWED, REFUND_REFUSED)),
                     waiting=-counted(p for p in backs if p.message == REFUND_OWED),
                     refused=-counted(p for p in backs if p.message == REFUND_REFUSED))


def paid_back(order: Order) -> Decimal:
    """What went back to the buyer of `order` in all, each payback as it changed hands (cash
    to the coin), as paid_in_all counts it back: a card refund the provider has not taken
    yet, or refused, is not. What a staff page says of a refunded order, whose total a
    refund of some of its tickets lowered first. Reads `order.payments.all()`, so a list
    of orders prefetches their payments once."""
    return -sum((counted_row(p) for p in order.payments.all()
                 if p.status == Payment.Status.REFUNDED and p.amount < 0
                 and p.message not in (REFUND_OWED, REFUND_REFUSED)), ZERO)


def _render(partial: str, order: Order, tickets, **context) -> str:
    if order.status not in SHOWN:
        return ""
    with translation.override(order.language or None):
        return render_to_string(f"sales/_receipt.html#{partial}",
                                {"receipt": order_receipt(order, tickets), **context})


def receipt_html(order: Order, tickets=None, *, narrow: bool = False, paybacks: bool = True) -> str:
    """The receipt for a page (`narrow`: the counter's 80 mm slip), in the buyer's
    language. Without `paybacks` for a page that says what was paid and paid back itself
    (the slip: paid_in_all)."""
    return _render("html", order, tickets, narrow=narrow, paybacks=paybacks)


def receipt_text(order: Order, tickets=None) -> str:
    """The receipt as lines of text (the email, the PDF), in the buyer's language."""
    return _render("text", order, tickets).strip("\n")


def receipt_email(order: Order, tickets=None) -> str:
    """The receipt for an email's HTML part (inline styles only), in the buyer's language."""
    return _render("email", order, tickets)
