"""A paid order refunded (tickets void, places back on sale, every payment paid back its
own way), or an order never paid cancelled."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import inventory
from ..availability import availability_changed
from ..errors import IllegalTransition, NotPermitted
from ..holds import hold_release
from ..models import Hold, Order, Payment, Ticket
from ..policy import may_refund, refunds_at_all
from .charging import payback_plan, refund_at_provider, refundable, refuse_uncounted
from .pricing import kept_on_refund
from .status import OrderStatusConflict, order_transition, record, staff


def order_refund(*, order: Order, actor=None, shift=None, approver=None, now: datetime | None = None) -> Order:
    """Refund a paid order in full: tickets void, places back on sale, and every payment
    paid back what it still holds (an exchange may already have paid some back), less
    the fees when the organizer made them not refundable.
    The limit is the `approver`'s (a supervisor signing for the clerk), else the actor's;
    `actor=None` is the system itself (no role limit applies)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PAID:
            raise IllegalTransition(_("order %(code)s is %(status)s; only a paid order can be refunded") % {
                "code": order.code, "status": order.get_status_display().lower()})
        plan = refundable(order)
        amount = sum((a for _p, a in plan), Decimal("0"))
        kept = min(kept_on_refund(order), amount)  # fees that are not refundable stay paid
        if kept:
            amount -= kept
            plan = payback_plan(order, amount) if amount else []
        if actor is not None:
            refuse_uncounted(shift, [paid.method for paid, _a in plan], paying_back=True)
        signer = approver or actor
        if signer is not None and not refunds_at_all(signer):
            raise NotPermitted(_("your role does not refund orders; ask a supervisor"))
        if signer is not None and not may_refund(signer, amount):
            raise NotPermitted(_("a refund of %(amount)s %(currency)s needs a supervisor") % {
                "amount": amount, "currency": order.currency})
        tickets = list(order.tickets.filter(status=Ticket.Status.VALID))
        if any(t.checked_in_at for t in tickets):
            raise IllegalTransition(_("a ticket of this order has already been used at the door"))
        inventory.return_to_sale(order=order, tickets=tickets, now=now, actor=actor)
        refunds = [  # each method paid back its own way (cash from the clerk's drawer)
            (paid, back, Payment.objects.create(order=order, method=paid.method, amount=-back, shift=shift,
                                                status=Payment.Status.REFUNDED, reference=paid.reference,
                                                refund_of=paid, created_by=staff(actor),
                                                message=gettext_noop("refund")))
            for paid, back in plan]
        order_transition(order, Order.Status.REFUNDED, actor=actor, reason=f"{amount} {order.currency}")
        if signer is not None and actor is not None and signer.pk != actor.pk:
            record(order, "refund approved", f"at the counter of {actor.get_username()}", signer)
        transaction.on_commit(lambda: availability_changed(order.performance_id), robust=True)
    # The order is already REFUNDED, so a retried refund cannot pay back twice; the
    # providers are called with no transaction open, each refund with its own key (two
    # refunds of one amount against one payment are two refunds).
    for _paid, back, row in refunds:
        refund_at_provider(order, row, back)
    return order


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
