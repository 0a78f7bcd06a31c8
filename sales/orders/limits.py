"""The per-customer limit of a queued on-sale (its waiting room's customer_limit): what
one customer may buy of a performance over all their orders, counted by mailbox and by
card. Checked where an order is placed, reserved or exchanged, and where an order that
failed on our side is sold after all (settling)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .. import rows
from ..errors import InvalidRequest
from ..formatting import WALK_IN_EMAIL
from ..models import Hold, Order, Payment, PlaceState, Ticket, WaitingRoom, mailbox
from ..payments import card_fingerprint


def customer_limit(performance_id: int) -> int | None:
    room = rows.first(WaitingRoom, "performance_id = %s AND enabled", [performance_id])
    return room.customer_limit if room is not None else None


# The customer's tickets of the performance: valid ones, and the places of their orders
# not yet paid (being charged, or reserved until a deadline).
# mailbox() (sales.models, where the ballots' entries and their migration find it too) of
# the customer `c`'s address (kept lower case), in SQL.
_SUBADDRESSED = r"lower(regexp_replace(c.email, '\+[^@]*@', '@'))"
MAILBOX_SQL = (rf"(CASE WHEN {_SUBADDRESSED} ~ '@(gmail|googlemail)\.com$'"
                rf" THEN replace(regexp_replace({_SUBADDRESSED}, '@[^@]*$', ''), '.', '') || '@gmail.com'"
                rf" ELSE {_SUBADDRESSED} END)")
_CUSTOMER_TURN = ("SELECT pg_advisory_xact_lock(hashtext('customer limit'),"
                  " hashtext(%(perf)s::text || ' ' || %(mailbox)s))")
_CUSTOMER_HAS = f"""
    SELECT (SELECT count(*) FROM sales_ticket t JOIN sales_order o ON o.id = t.order_id
              JOIN sales_customer c ON c.id = o.customer_id
        WHERE o.performance_id = %(perf)s AND t.status = %(valid)s AND {MAILBOX_SQL} = %(mailbox)s)
    + (SELECT count(*) FROM sales_place p JOIN sales_order o ON o.hold_id = p.hold_id
              JOIN sales_customer c ON c.id = o.customer_id
        WHERE o.performance_id = %(perf)s AND o.status IN (%(pending)s, %(reserved)s) AND p.state = %(held)s
          AND {MAILBOX_SQL} = %(mailbox)s)"""


def check_customer_limit(*, hold: Hold, email: str, parts, count: int, limit: int | None) -> None:
    """A queued on-sale may cap what one customer buys over all their orders, counted by
    mailbox and by card (the number typed, or the provider's fingerprint of the card it
    holds: charging.card_fingerprints), so that a second basket, a second name or a
    sub-address does not get round it. In the caller's transaction, until it commits, the
    customer's other orders of the performance wait for their turn here."""
    if limit is None:
        return
    # The counter's nobody in particular is many people: counted by card only.
    by_email = 0 if email == WALK_IN_EMAIL else _count_by_mailbox(hold, email)
    valid = Ticket.objects.filter(order__performance_id=hold.performance_id, status=Ticket.Status.VALID)
    fingerprints = [f for f in (card_fingerprint(r) for r, _a in parts) if f]
    by_card = valid.filter(order__payments__card_fingerprint__in=fingerprints,
                           order__payments__status=Payment.Status.APPROVED).distinct().count() if fingerprints else 0
    if max(by_email, by_card) + count > limit:
        already = max(by_email, by_card)
        raise InvalidRequest(_("at most %(limit)d tickets per customer for this on-sale") % {"limit": limit}
                             + (_("; you already have %(n)d") % {"n": already} if already else ""), field="quantity")


def _count_by_mailbox(hold: Hold, email: str) -> int:
    facts = {"perf": hold.performance_id, "mailbox": mailbox(email), "valid": Ticket.Status.VALID,
             "pending": Order.Status.PENDING, "reserved": Order.Status.RESERVED, "held": PlaceState.HELD}
    # The turn first, in a statement of its own: the count's snapshot then begins after
    # the order before it has committed.
    rows.fetch(_CUSTOMER_TURN, facts)
    (by_email,), = rows.fetch(_CUSTOMER_HAS, facts)
    return by_email
