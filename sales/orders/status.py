"""An order's status moves along TRANSITIONS only, and each move writes its audit line.

The sale itself (awaiting payment or reserved, to paid) is part of the one sale statement
(charging.charge_and_sell, through sales.inventory.sell), which checks the order's status
on its row in the same way; every other move comes through `order_transition`.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext as _

from ..errors import IllegalTransition
from ..models import Order, OrderEvent

S = Order.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PAID, S.FAILED, S.CANCELLED}),
    S.RESERVED: frozenset({S.PAID, S.CANCELLED}),
    # A failed order is kept for its record; staff may still cancel it.
    S.FAILED: frozenset({S.CANCELLED}),
    S.PAID: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The audit line a move writes, unless the caller names a more precise one.
ACTIONS = {S.FAILED: "failed", S.CANCELLED: "cancelled", S.REFUNDED: "refunded", S.PAID: "paid"}
# The audit line of a reservation cancelled at its deadline (reservations_tidy).
LAPSED = "reservation lapsed"


LIVE = (S.PENDING, S.RESERVED)


def _codes_given_back(order_id: int, by: int = -1) -> None:
    with connection.cursor() as cursor:
        cursor.execute("""
            WITH promo AS (UPDATE sales_promocode SET uses = uses + %(by)s
                           WHERE id = (SELECT promo_code_id FROM sales_order WHERE id = %(order)s)
                             AND uses + %(by)s >= 0),
            presale AS (UPDATE sales_presalecode SET uses = uses + %(by)s
                        WHERE id = (SELECT h.presale_code_id FROM sales_order o JOIN sales_hold h ON h.id = o.hold_id
                                    WHERE o.id = %(order)s) AND uses + %(by)s >= 0)
            SELECT 1""", {"order": order_id, "by": by})


def codes_used_again(order_id: int) -> None:
    """A failed order (its codes' uses given back) sold after all: it uses them again,
    whoever used them meanwhile (it was sold at the price they gave)."""
    _codes_given_back(order_id, by=1)


class OrderStatusConflict(IllegalTransition):
    """The order is in no state this move starts from: another request moved it first."""


def staff(actor):
    return actor if actor is not None and actor.is_authenticated else None


def record(order: Order, action: str, detail: str = "", actor=None) -> None:
    OrderEvent.objects.create(order=order, action=action, detail=detail[:300], actor=staff(actor))


def order_transition(order: Order, to: str, *, actor=None, reason: str = "", action: str | None = None,
                     failure_reason: str | None = None, only_from: tuple[str, ...] | None = None) -> Order:
    """Move `order` to `to` if its row is in a state that may (compare-and-set on the row,
    so a concurrent move makes this one fail), and write the audit line `action` (by
    default the new status) with `reason` as its detail. `only_from` narrows the starting
    states (a reservation's lapse cancels reservations only)."""
    sources = [s for s, targets in TRANSITIONS.items() if to in targets and (only_from is None or s in only_from)]
    fields = {"status": to}
    if failure_reason is not None:
        fields["failure_reason"] = failure_reason[:300]
    # An order that was live (awaiting payment or reserved) and is no more gives back the
    # uses of its promo and presale codes; told apart from a failed order cancelled later.
    gives_back = [s for s in sources if s in LIVE] if to in (S.FAILED, S.CANCELLED) else []
    with transaction.atomic(savepoint=False):
        moved = gives_back and Order.objects.filter(pk=order.pk, status__in=gives_back).update(**fields)
        if moved:
            _codes_given_back(order.pk)
        else:
            moved = Order.objects.filter(pk=order.pk, status__in=[s for s in sources if s not in gives_back]).update(
                **fields)
        if moved:
            record(order, action or ACTIONS[to], reason, actor)
    # Raised outside the block: a refusal leaves the caller's transaction usable.
    if not moved:
        raise OrderStatusConflict(_("order %(code)s cannot become %(status)s from where it is") % {
            "code": order.code, "status": S(to).label.lower()})
    for name, value in fields.items():
        setattr(order, name, value)
    return order
