"""A paid order refunded (tickets void, places back on sale, every payment paid back its
own way), or an order never paid cancelled."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Performance

from .. import inventory
from ..availability import availability_changed
from ..errors import IllegalTransition, InvalidRequest, NotPermitted, SalesError
from ..formatting import money
from ..holds import hold_release
from ..models import Hold, Order, Payment, Ticket
from ..notifications import payback_changed, refund_notice, resend_confirmation
from ..policy import may_refund, refunds_at_all, ticket_value
from .charging import (
    cash_handed_back,
    paid_back_by,
    payback_cash,
    payback_plan,
    refund_at_provider,
    refund_not_asked,
    refundable,
    refuse_uncounted,
    sending,
    shift_still_open,
)
from .pricing import fees_given_back, kept_on_refund
from .status import OrderStatusConflict, order_transition, record, staff


def order_refund(*, order: Order, actor=None, shift=None, approver=None, now: datetime | None = None,
                 cancelled_only: bool = False, provider_silent: str = "") -> Order:
    """Refund a paid order in full: tickets void, places back on sale, and every payment
    paid back what it still holds (an exchange may already have paid some back), less
    the fees when the organizer made them not refundable. `cancelled_only`: only while the
    order is for a cancelled performance (refund_cancelled, which read it as such).
    The limit is the `approver`'s (a supervisor signing for the clerk), else the actor's;
    `actor=None` is the system itself (no role limit applies). `provider_silent`: why the
    provider is not asked now (it has not been answering): the order is refunded all the
    same, its refunds owed for the reconciliation to send (refund_not_asked)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        # Refunded before its performance was cancelled, it kept the fees that were not
        # refundable then: a performance that never happened gives those back too.
        if cancelled_only and not performance_cancelled(order):
            # Read for a cancelled performance, it moved to another date meanwhile: not this refund's.
            raise IllegalTransition(_("order %(code)s is no longer for a cancelled performance") % {
                "code": order.code})
        late = order.status == Order.Status.REFUNDED and performance_cancelled(order)
        if order.status != Order.Status.PAID and not late:
            raise IllegalTransition(_not_paid(order))
        plan, amount, _kept = refund_amounts(order)
        if late and not amount:
            raise IllegalTransition(_not_paid(order))
        _may_pay_back(order, plan, amount, actor=actor, approver=approver, shift=shift)
        tickets = list(order.tickets.filter(status=Ticket.Status.VALID))
        cancelled = performance_cancelled(order)
        if any(t.checked_in_at for t in tickets) and not cancelled:
            raise IllegalTransition(_("a ticket of this order has already been used at the door"))
        inventory.return_to_sale(order=order, tickets=tickets, now=now, actor=actor, withdraw=cancelled,
                                 refund=True)
        if cancelled:  # paid back whole: every fee it ever held, the order's too
            fees_given_back(order.tickets.all(), order)
        refunds = _paid_back(order, plan, actor=actor, approver=approver, shift=shift,
                             note=gettext_noop("fees refunded") if late else gettext_noop("refund"))
        if late:
            record(order, "fees refunded", f"{amount} {order.currency}", actor)
        else:
            order_transition(order, Order.Status.REFUNDED, actor=actor, reason=f"{amount} {order.currency}")
        _approved(order, actor=actor, approver=approver)
        transaction.on_commit(lambda: availability_changed(order.performance_id), robust=True)
        if late:  # the refund's email again, its receipt as it now stands
            payback_changed(order)
        else:
            refund_notice(order)
    # The order is already REFUNDED, so a retried refund cannot pay back twice; the
    # providers are called with no transaction open, each refund with its own key (two
    # refunds of one amount against one payment are two refunds).
    for _paid, back, row in refunds:
        if provider_silent:
            refund_not_asked(order, row, back, provider_silent)
        else:
            refund_at_provider(order, row, back, note=gettext_noop("fees refunded") if late else gettext_noop("refund"))
    return order


def _not_paid(order: Order) -> str:
    return _("order %(code)s is %(status)s; only a paid order can be refunded") % {
        "code": order.code, "status": order.get_status_display().lower()}


def refund_amounts(order: Order) -> tuple[list, Decimal, Decimal]:
    """What a full refund of `order` would do now: each payment with what it pays back,
    what goes back to the buyer in all, and what is kept (fees that are not refundable
    stay paid)."""
    plan = refundable(order)
    held = sum((a for _p, a in plan), Decimal("0"))
    # A cancelled performance is paid back whole: its fees bought nothing.
    kept = Decimal("0") if performance_cancelled(order) else min(kept_on_refund(order), held)
    if kept:
        plan = payback_plan(order, held - kept) if held - kept else []
    return plan, held - kept, kept


def refund_payback(order: Order, amounts: tuple | None = None) -> list[tuple[str, Decimal]]:
    """What a full refund of `order` would hand back now, way by way (a payment method, in
    the order refund_amounts pays them back), as it changes hands: cash to the coin, as the
    drawer counts it out. What a clerk is told before confirming it. `amounts`: what
    refund_amounts(order) gave, when the caller already asked it."""
    return _as_handed((amounts or refund_amounts(order))[0])


def _as_handed(plan) -> list[tuple[str, Decimal]]:
    """A payback plan way by way, as it changes hands: cash to the coin."""
    ways: dict[str, Decimal] = {}
    for paid, back in plan:
        cash = cash_handed_back(paid, back)
        ways[paid.method] = ways.get(paid.method, Decimal("0")) + (back if cash is None else cash)
    return list(ways.items())


def tickets_payback(order: Order, ticket_ids) -> list[tuple[str, Decimal]]:
    """What refunding the tickets `ticket_ids` of `order` would hand back now, way by way
    (as refund_payback says it for the whole order): what tickets_refund would pay back,
    worked out by the same steps, or the SalesError it would refuse them with. What a
    clerk is told before confirming it."""
    valid = _valid_tickets(order)
    wanted = _wanted(order, ticket_ids, valid)
    if wanted == valid.keys():  # every valid ticket: the order is refunded (order_refund)
        return refund_payback(order)
    _tickets, _amount, plan = _tickets_plan(order, wanted, valid)
    return _as_handed(plan)


def _valid_tickets(order: Order) -> dict[int, Ticket]:
    return {t.pk: t for t in order.tickets.select_related("place__seat", "place__section")
            .filter(status=Ticket.Status.VALID)}


def _wanted(order: Order, ticket_ids, valid: dict[int, Ticket]) -> set[int]:
    """The tickets asked for, refused as tickets_refund refuses them: none, or some that are
    not valid tickets of a paid `order`."""
    wanted = set(ticket_ids)
    if not wanted:
        raise InvalidRequest(_("tick the tickets to refund"), field="tickets")
    if order.status != Order.Status.PAID:
        raise IllegalTransition(_not_paid(order))
    if not wanted <= valid.keys():
        raise InvalidRequest(_("some of those are not valid tickets of this order"), field="tickets")
    return wanted


def _tickets_plan(order: Order, wanted: set[int], valid: dict[int, Ticket]):
    """Some (not all) valid tickets of `order` to refund: those tickets, what they are worth
    (less their fees when those are not refundable), and the payments that pay it back."""
    tickets = [valid[pk] for pk in sorted(wanted)]
    if performance_cancelled(order):  # the whole order is paid back, to the cent and its coin
        raise IllegalTransition(_("this performance is cancelled: refund the order in full"))
    if any(t.checked_in_at for t in tickets):
        raise IllegalTransition(_("a ticket to refund has already been used at the door"))
    amount = sum((ticket_value(t) for t in tickets), Decimal("0"))
    return tickets, amount, payback_plan(order, amount) if amount else []


def refund_ways(order: Order) -> list[str]:
    """The payment methods a refund of some tickets of `order` pays back to, the first the
    one paid back first (payback_plan takes the latest payments first)."""
    return list(dict.fromkeys(paid.method for paid, _can in refundable(order)))


def performance_cancelled(order: Order) -> bool:
    """Whether the order's performance is cancelled: its places are withdrawn rather than
    put back on sale, its tickets worth all they cost, a used one included."""
    return Performance.objects.filter(pk=order.performance_id, cancelled_at__isnull=False).exists()


def refund_refusal(order: Order, actor) -> str:
    """Why `actor` could not refund `order` in full now (as order_refund would refuse it,
    with no shift open), or "" if they could: said before any money moves."""
    late = order.status == Order.Status.REFUNDED and performance_cancelled(order)
    if order.status != Order.Status.PAID and not late:
        return _not_paid(order)
    plan, amount, _kept = refund_amounts(order)
    if late and not amount:
        return _not_paid(order)
    try:
        _may_pay_back(order, plan, amount, actor=actor, approver=None, shift=None)
    except SalesError as exc:
        return exc.message
    return ""


def tickets_refund(*, order: Order, ticket_ids, actor, shift=None, approver=None,
                   now: datetime | None = None) -> Order:
    """Refund some tickets of a paid order ("my friend cannot come"): their places go back
    on sale and what they cost is paid back the way the order was paid (less their fees
    when those are not refundable); the order stays paid for the others. Every valid
    ticket of the order: the order is refunded (order_refund)."""
    now, ticket_ids = now or timezone.now(), list(ticket_ids)
    if not ticket_ids:
        raise InvalidRequest(_("tick the tickets to refund"), field="tickets")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        valid = _valid_tickets(order)
        wanted = _wanted(order, ticket_ids, valid)
        if wanted == valid.keys():
            whole = True
        else:
            whole = False
            tickets, amount, plan = _tickets_plan(order, wanted, valid)
            _may_pay_back(order, plan, amount, actor=actor, approver=approver, shift=shift)
            inventory.return_to_sale(order=order, tickets=tickets, now=now, actor=actor, refund=True)
            refunds = _paid_back(order, plan, actor=actor, approver=approver, shift=shift,
                                 note=gettext_noop("tickets refunded"))
            Order.objects.filter(pk=order.pk).update(total=order.total - amount)
            record(order, "tickets refunded", f"{', '.join(str(t.place) for t in tickets)}; "
                   f"{amount} {order.currency}", actor)
            _approved(order, actor=actor, approver=approver)
            transaction.on_commit(lambda: availability_changed(order.performance_id), robust=True)
            # The buyer's tickets as they now stand replace the first email's.
            transaction.on_commit(lambda: resend_confirmation(order), robust=True)
    if whole:
        return order_refund(order=order, actor=actor, shift=shift, approver=approver, now=now)
    for _paid, back, row in refunds:  # committed first, so a retry cannot pay back twice
        refund_at_provider(order, row, back, note=gettext_noop("tickets refunded"))
    order.refresh_from_db()
    return order


def _may_pay_back(order: Order, plan, amount: Decimal, *, actor, approver, shift) -> None:
    """Refuse a payback the actor may not make: cash or the terminal with no shift to count
    it in, a role that refunds nothing, or an amount over the limit of whoever signs."""
    signer = approver or actor
    if signer is not None and not refunds_at_all(signer):
        raise NotPermitted(_("your role does not refund orders; ask a supervisor"))
    if signer is not None and not may_refund(signer, amount + paid_back_by(order, signer)):
        raise NotPermitted(_("a refund of %(amount)s needs a supervisor") % {
            "amount": money(amount, order.currency)})
    if actor is not None:
        refuse_uncounted(shift, [paid.method for paid, _a in plan], paying_back=True)


def _paid_back(order: Order, plan, *, actor, approver, shift, note: str) -> list[tuple[Payment, Decimal, Payment]]:
    """Each payment of the plan paid back its own way (cash from the clerk's drawer)."""
    signed = staff(approver) if approver is not None and actor is not None and approver.pk != actor.pk else None
    if plan:  # into the clerk's drawer: not one its close has counted already
        shift_still_open(shift)
    return [(paid, back, Payment.objects.create(order=order, method=paid.method, amount=-back, shift=shift,
                                                status=Payment.Status.REFUNDED, reference=paid.reference,
                                                refund_of=paid, created_by=staff(actor), approved_by=signed,
                                                performance_id=order.performance_id,
                                                message=sending(paid, note), cash=payback_cash(paid, back)))
            for paid, back in plan]


def _approved(order: Order, *, actor, approver) -> None:
    if approver is not None and actor is not None and approver.pk != actor.pk:
        record(order, "refund approved", f"for {actor.get_username()}", approver)


def order_cancel(*, order: Order, actor=None) -> Order:
    """Give up an order that was never paid: its hold (if still live) is released. An
    order awaiting its buyer's payment (the bank's step, say) is not given up by anyone
    else: the buyer may be paying that minute. It fails or expires on its own."""
    if actor is not None and Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).exists():
        raise IllegalTransition(_("order %(code)s is awaiting its buyer's payment; it is given up when that "
                                  "payment fails or its hold expires") % {"code": order.code})
    with transaction.atomic():
        hold = order.hold
        if hold is not None and Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE).exists():
            hold_release(hold=hold, actor=actor)  # places first, as everywhere
        try:
            order_transition(order, Order.Status.CANCELLED, actor=actor)
        except OrderStatusConflict:
            order.refresh_from_db()
            raise IllegalTransition(_("order %(code)s is %(status)s; a paid order is refunded, not cancelled") % {
                "code": order.code, "status": order.get_status_display().lower()}) from None
    order.refresh_from_db()
    return order
