"""Exchanging tickets of a paid order for other places, in one step and one order: only
the difference changes hands."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from events.models import PriceType

from .. import inventory
from ..availability import availability_changed
from ..errors import HoldNotActive, IllegalTransition, InvalidRequest, NotPermitted, SalesError
from ..formatting import at_venue, money
from ..holds import hold_create, hold_is_live, hold_release
from ..models import Hold, Order, Payment, Place, Ticket
from ..notifications import resend_confirmation
from ..payments import PaymentRequest
from ..policy import may_refund, policy_for, ticket_value
from .charging import (
    change_due,
    charge,
    paid_back_by,
    payback_cash,
    payback_plan,
    record_charges,
    refund_at_provider,
    refuse_uncounted,
    sending,
    shift_still_open,
    undo_charges,
    validated_parts,
)
from .limits import check_customer_limit, customer_limit
from .pricing import (
    PriceRequest,
    fees_given_back,
    hold_quote,
    kept_before,
    order_fee_given_back,
    order_fee_held,
    ticket_lines,
)
from .refunds import performance_cancelled
from .status import record, staff

PAID_BACK_NOTE = gettext_noop("exchange: difference paid back")


@dataclass(frozen=True)
class ExchangeQuote:
    """What an exchange would cost: positive = the customer pays, negative = paid back."""
    old_total: Decimal
    new_total: Decimal
    currency: str
    lines: tuple = ()  # the new tickets as priced (pricing.QuoteLine)
    code_not_kept: str = ""  # the promo code the old tickets were discounted by: not on the new ones
    cancelled: bool = False  # the old tickets priced as a cancelled performance's: fees included
    kept: Decimal = Decimal("0")  # in old_total: fees the order's earlier refunds and exchanges kept, given back
    order_fee: Decimal = Decimal("0")  # in old_total: the fee per order, given back off a cancelled date

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.old_total


# The card provider's charges are made on orders not yet paid: a charge its provider leaves
# uncertain (no answer after it took the money) is found again there by the order's status
# (settling.payments_reconcile). An exchange's order is paid already, so the difference of a
# dearer one is taken at the counter, where the money changes hands in front of the clerk.
PROVIDER_CHARGED = (Payment.Method.CARD, Payment.Method.CARD_NOT_PRESENT)
DEARER_AT_COUNTER = gettext_lazy("a dearer exchange is paid at the counter, in cash or on its card terminal: by phone, "
                                 "choose seats that cost the same or less")


def _exchange_checks(order: Order, ticket_ids, hold: Hold,
                     now: datetime) -> tuple[list[Ticket], list[inventory.TicketLine], ExchangeQuote]:
    if order.status != Order.Status.PAID:
        raise IllegalTransition(_("order %(code)s is %(status)s; only a paid order can be exchanged") % {
            "code": order.code, "status": order.get_status_display().lower()})
    valid = {t.pk: t for t in order.tickets.select_related("place__seat", "place__section")
             .filter(status=Ticket.Status.VALID)}
    wanted = set(ticket_ids)
    if not wanted:
        raise InvalidRequest(_("tick the tickets to exchange"), field="tickets")
    if not wanted <= valid.keys():
        raise InvalidRequest(_("some of those are not valid tickets of this order"), field="tickets")
    old = [valid[pk] for pk in sorted(wanted)]
    # A cancelled performance's tickets are exchanged for another date whenever, used or not.
    cancelled = order.performance.cancelled_at is not None
    if any(t.checked_in_at for t in old) and not cancelled:
        raise IllegalTransition(_("a ticket to exchange has already been used at the door"))
    if order.performance.starts_at <= now and not cancelled:
        raise IllegalTransition(_("this performance has already begun; its tickets cannot be exchanged"))
    if hold.status != Hold.Status.ACTIVE or not hold_is_live(hold, now):
        raise HoldNotActive(_("the hold on the new seats lapsed; pick them again"))
    if hold.performance.event_id != order.performance.event_id:
        raise InvalidRequest(_("an exchange stays within the same event"), field="performance")
    if hold.performance_id != order.performance_id and len(old) != len(valid):
        raise InvalidRequest(_("to move to another performance, exchange every ticket of the order"),
                             field="tickets")
    # The new places keep the old tickets' price types, in order, where the new
    # performance sells them (a child stays a child); the others take the default.
    # By any of its names: a ticket keeps its type's name in the language that sold it.
    types = {name: t.pk for t in PriceType.objects.filter(performance_id=hold.performance_id, complimentary=False)
             for name in (t.name, t.name_en, t.name_fr) if name}
    new_places = inventory.places_of_hold(hold)
    wanted = {pk: types[t.price_type_name] for pk, t in zip(new_places, old, strict=False)
              if t.price_type_name in types}
    quote = hold_quote(hold, PriceRequest(types=wanted), now=now, language=order.language)  # as its buyer reads
    # The new places' tickets, each with its fee; not the fee per order, which the order
    # paid once already (an exchange makes no new order).
    currency, lines = quote.currency, _as_charged(quote, order, old)
    new_total = sum((line.price for line in lines), Decimal("0"))
    if not lines:
        raise HoldNotActive(_("the hold has no places; pick the new seats again"))
    if currency != order.currency:
        raise InvalidRequest(_("the new seats are priced in another currency"))
    if len(valid) - len(old) + len(lines) > hold.performance.ticket_limit:
        raise InvalidRequest(_("at most %(n)d tickets per order") % {
            "n": hold.performance.ticket_limit}, field="quantity")
    _within_customer_limit(order, hold, old, lines)
    # What the old tickets are worth: what was paid for them, less a fee that is not refundable.
    old_value = sum((ticket_value(t, cancelled=cancelled) for t in old), Decimal("0"))
    # Off a cancelled date (every ticket of the order leaves it), the fees its earlier
    # refunds and exchanges kept go back as well, and the fee per order, as a refund of the
    # order gives them back: its buyer is whole whichever they choose.
    kept = _kept(order) if cancelled else Decimal("0")
    order_fee = order_fee_held(order) if cancelled else Decimal("0")
    discounted = any(t.discount for t in old if t.discount is not None)
    code = (order.receipt or {}).get("promo_code") or "" if discounted else ""
    return old, lines, ExchangeQuote(old_value + kept + order_fee, new_total, currency, tuple(lines), code, cancelled,
                                     kept, order_fee)


def _fee_before_taxes(fee: Decimal, taxes: dict) -> Decimal:
    return fee - sum((Decimal(a) for a in (taxes or {}).get("fee", {}).values()), Decimal("0"))


def _tax_setup(receipt: dict) -> tuple:
    """The taxes an order was priced with (pricing.receipt_record): their names and rates,
    and whether its prices held them."""
    return (bool(receipt.get("tax_included")),
            tuple((name, Decimal(rate)) for name, rate, *_rest in receipt.get("taxes") or ()))


def _like_for_like(old: list[Ticket], list_price: Decimal, discount: Decimal, fee: Decimal,
                   refundable: bool) -> list[Ticket]:
    """The tickets of `old` a new ticket with these parts (its fee before taxes) is the same
    ticket as: the same list price, discount, fee and refundability, under taxes by name."""
    return [t for t in old if not t.complimentary and t.taxes
            and (t.list_price, t.discount, t.fee_refundable) == (list_price, discount, refundable)
            and _fee_before_taxes(t.fee, t.taxes) == fee]


def _as_charged(quote, order: Order, old: list[Ticket]) -> list[inventory.TicketLine]:
    """The new places' lines, each charged what a ticket handed back was when it is the
    same ticket: the same list price, discount and fee before taxes, under the same taxes.
    An order's taxes are rounded once and shared out over its tickets (receipts), so a
    ticket may carry a cent less or more than one priced alone: exchanged like for like,
    it costs nothing and pays back nothing, and the order's taxes still add up."""
    if _tax_setup(quote.receipt) != _tax_setup(order.receipt or {}):
        return list(quote.lines)  # the taxes changed since: the new places cost what they cost now
    left = list(old)
    out = []
    for line in quote.lines:
        same = None if line.complimentary else next(iter(_like_for_like(
            left, line.list_price, line.discount, _fee_before_taxes(line.fee, line.taxes), line.fee_refundable)), None)
        if same is None:
            out.append(line)
            continue
        left.remove(same)
        out.append(replace(line, price=same.price, fee=same.fee, tax=same.tax, taxes=same.taxes))
    return out


@dataclass(frozen=True)
class ExchangePrice:
    """What a new ticket of a price type (`name`) costs an exchange of the order: `amounts`,
    one, or each that the order's tickets it would replace like for like were paid
    (`as_paid`: an order's taxes are shared out over its tickets, so such a ticket may
    have been paid a cent more or less than one bought alone)."""

    name: str
    amounts: tuple[Decimal, ...]
    as_paid: bool = False


def exchange_prices(*, order: Order, performance_id: int, channel: str,
                    tickets: list[Ticket] | None = None) -> dict[int, list[ExchangePrice]]:
    """What a ticket of each price type costs in each zone of the performance, by zone id,
    as an exchange of the order's valid tickets there charges it (`_as_charged`): what it
    costs sold alone (pricing.ticket_prices), or, where it is the same ticket as some of
    the order's, what those were paid. One read, and the order's tickets unless given
    (`tickets`: the page's, read once for every performance it offers)."""
    listed = ticket_lines(performance_id=performance_id, channel=channel)  # named as the page reads
    if _tax_setup(listed.receipt) != _tax_setup(order.receipt or {}):
        valid = []  # the taxes changed since: the new places cost what they cost now
    elif tickets is None:
        valid = list(order.tickets.filter(status=Ticket.Status.VALID))
    else:
        valid = [t for t in tickets if t.status == Ticket.Status.VALID]
    out = {}
    for zone_id, lines in listed.zones.items():
        out[zone_id] = []
        for name, line in lines:
            paid = sorted({t.price for t in _like_for_like(valid, line.list_price, line.discount, line.fee,
                                                           listed.fee.refundable)})
            alone = (line.total,)
            out[zone_id].append(ExchangePrice(name, tuple(paid), True) if paid and tuple(paid) != alone
                                else ExchangePrice(name, alone))
    return out


def exchange_hold(*, order: Order, ticket_ids, channel: str, user, performance=None, zone=None, place_ids=None,
                  quantity: int | None = None, owner_key: str) -> tuple[Hold, ExchangeQuote]:
    """Hold the new seats of an exchange (these places of `performance`, or the best
    `quantity` of a `zone`) under the order's exchange mark `owner_key`, and check they can
    take the tickets (exchange_quote), returning the hold and its quote. If they cannot, the
    seats go back at once and the refusal is raised: nothing stays held."""
    if place_ids:
        hold = hold_create(performance=performance, channel=channel, user=user, place_ids=place_ids,
                           owner_key=owner_key)
    else:
        hold = hold_create(performance=zone.performance, channel=channel, user=user, zone=zone,
                           quantity=quantity or len(ticket_ids), owner_key=owner_key)
    try:
        quote = exchange_quote(order=order, ticket_ids=ticket_ids, hold=hold)
    except SalesError:
        hold_release(hold=hold, actor=user)  # nothing to exchange into: the seats go back
        raise
    return hold, quote


def _within_customer_limit(order: Order, hold: Hold, old, lines) -> None:
    """A queued on-sale's per-customer limit, on the places an exchange adds to the order's
    buyer there: those beyond the old ones, or all of them when the order moves from
    another performance (none of its tickets were of this one). Inside the exchange's
    transaction, the buyer's other orders of the performance wait for it from here."""
    added = len(lines) if hold.performance_id != order.performance_id else len(lines) - len(old)
    if added > 0:
        check_customer_limit(hold=hold, email=order.customer.email, parts=[], count=added,
                             limit=customer_limit(hold.performance_id))


def _kept(order: Order) -> Decimal:
    return sum((t.fee for t in kept_before(order)), Decimal("0"))


def exchange_quote(*, order: Order, ticket_ids, hold: Hold, now: datetime | None = None) -> ExchangeQuote:
    return _exchange_checks(order, ticket_ids, hold, now or timezone.now())[2]


def order_exchange(*, order: Order, ticket_ids, hold: Hold, actor, shift=None,
                   payments: list[PaymentRequest] | None = None, approver=None,
                   now: datetime | None = None) -> Order:
    """Exchange tickets of a paid order for the places in `hold`, in one step and one order:
    the old places go back on sale, the new ones are sold into the same order, and only the
    difference changes hands: charged with `payments`, or paid back the way the order was
    paid, within the refund limit of the clerk (or of the `approver` who signs for them)."""
    now = now or timezone.now()
    policy = policy_for(hold.channel)
    if not policy.allows(actor):
        raise NotPermitted(_("you may not sell through the channel %(channel)s") % {
            "channel": hold.get_channel_display()})
    order.refresh_from_db()
    hold.refresh_from_db()
    old, lines, quote = _exchange_checks(order, ticket_ids, hold, now)
    difference = quote.difference
    signer = approver or actor
    parts = validated_parts(policy, None, payments, difference, quote.currency) if difference > 0 else []
    if any(request.method in PROVIDER_CHARGED for request, _a in parts):
        raise InvalidRequest(str(DEARER_AT_COUNTER), field="payment")
    refuse_uncounted(shift, [request.method for request, _a in parts])
    charged = charge(order, parts, actor, shift, fail_order=False)
    payback: list[tuple[Payment, Decimal]] = []
    refunds: list[tuple[Payment, Decimal, Payment]] = []
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().filter(pk=order.pk, status=Order.Status.PAID).first()
            if locked is None:
                raise IllegalTransition(_("the order changed meanwhile; look it up again"))
            if difference < 0 and not may_refund(signer, -difference + paid_back_by(order, signer)):
                # Under the order's lock: what was paid back on it so far is settled.
                raise NotPermitted(_("paying back %(difference)s needs a supervisor") % {
                    "difference": money(-difference, quote.currency)})
            cancelled = performance_cancelled(order)  # its places stay off sale
            if cancelled != quote.cancelled:  # cancelled since it was priced: its fees count otherwise
                raise IllegalTransition(_("the performance was just cancelled; look the order up again"))
            if cancelled and (_kept(order), order_fee_held(locked)) != (quote.kept, quote.order_fee):
                # Under the order's lock: as it now stands, so that no fee goes back twice.
                raise IllegalTransition(_("the order changed meanwhile; look it up again"))
            if not cancelled and Ticket.objects.filter(pk__in=[t.pk for t in old],
                                                       checked_in_at__isnull=False).exists():
                raise IllegalTransition(_("a ticket to exchange has just been used at the door"))
            # Counted again in this transaction: its turn is kept until the exchange commits,
            # so an order of the same buyer paid meanwhile counts these places.
            _within_customer_limit(order, hold, old, lines)
            if difference < 0:
                payback = payback_plan(order, -difference)
                refuse_uncounted(shift, [p.method for p, _a in payback], paying_back=True)
            inventory.return_to_sale(order=order, tickets=old, now=now, actor=actor, withdraw=cancelled)
            if cancelled:  # credited in full (ticket_value), fees included, and those kept before
                fees_given_back(old + kept_before(order))
            if quote.order_fee:
                order_fee_given_back(locked)
            new = inventory.sell(hold=hold, order=order, lines=lines, now=now, actor=actor)
            Order.objects.filter(pk=order.pk).update(total=F("total") + difference,
                                                     performance_id=hold.performance_id)
            if charged or payback:  # into the clerk's drawer (places locked first, as the close does)
                shift_still_open(shift)
            record_charges(order, charged, actor, shift)
            refunds = [
                (paid, amount, Payment.objects.create(
                    order=order, method=paid.method, amount=-amount, shift=shift, status=Payment.Status.REFUNDED,
                    reference=paid.reference, refund_of=paid, created_by=staff(actor),
                    performance_id=locked.performance_id,  # the date the tickets leave
                    approved_by=staff(signer) if signer.pk != actor.pk else None,
                    message=sending(paid, PAID_BACK_NOTE),
                    cash=payback_cash(paid, amount)))
                for paid, amount in payback]
            Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.SOLD)
            labels = Place.objects.in_bulk([t.place_id for t in new])
            # Each side's date when the order moves to another performance: its seats may bear
            # the same names. Written as numbers, to be read in any language (audit_line writes
            # them as the history writes its moments).
            dates = ((f" ({at_venue(order.performance.starts_at, order.performance):%Y-%m-%d %H:%M})",
                      f" ({at_venue(hold.performance.starts_at, hold.performance):%Y-%m-%d %H:%M})")
                     if hold.performance_id != order.performance_id else ("", ""))
            record(order, "exchanged", f"{', '.join(str(t.place) for t in old)}{dates[0]} → "
                   f"{', '.join(str(labels[t.place_id]) for t in new)}{dates[1]}; "
                   f"difference {difference:+} {quote.currency}", actor)
            if signer.pk != actor.pk:
                record(order, "exchange approved", f"for {actor.get_username()}", signer)
            perfs = {order.performance_id, hold.performance_id}
            # Robust: once committed the exchange stands, whatever a callback meets.
            transaction.on_commit(lambda: [availability_changed(p) for p in perfs], robust=True)
            transaction.on_commit(lambda: _send_again(order), robust=True)
    except Exception as exc:
        raised = undo_charges(order, charged, exc, actor, shift, fail_order=False)
        if isinstance(exc, IllegalTransition):
            # The order or its tickets changed meanwhile: the new seats go back on sale
            # rather than wait for the hold to lapse.
            with contextlib.suppress(SalesError):
                hold_release(hold=hold, actor=actor)
        if raised is exc:
            raise
        raise raised from None
    for _paid, amount, row in refunds:  # committed first, so a retry cannot pay back twice
        refund_at_provider(order, row, amount, note=PAID_BACK_NOTE)
    order.refresh_from_db()
    order.change_due = change_due(charged)
    return order


def _send_again(order: Order) -> None:
    """The exchanged tickets replace the first email's: the next confirmation goes out
    (notifications.resend_confirmation)."""
    resend_confirmation(order)
