"""A performance cancelled (a storm over the amphitheatre, the artist ill): nothing more is
sold, every place still unsold is taken off sale, and every buyer is paid back in full,
fees included. Card payments the provider holds are paid back by the box office itself,
order by order; cash and the card terminal are paid back at the counter, where each buyer
is told to come."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Performance

from .. import enqueue, inventory, waiting_room
from ..availability import availability_changed
from ..errors import IllegalTransition, SalesError
from ..formatting import refuse_card_number
from ..holds import hold_release
from ..inventory.rules import free
from ..models import REFUND_OWED, REFUND_REFUSED, Hold, Order, Payment, Place, PlaceEvent, Presale, WaitingRoom
from ..notifications import performance_cancelled_notice
from ..reports import MONEY_MOVED
from .charging import SILENT_IN_A_ROW
from .refunds import order_cancel, order_refund

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CancellationPlan:
    """What cancelling a performance does, said before it is done."""
    paid: int             # paid orders
    by_provider: int      # of them, paid back by the box office to the card they were paid with
    at_counter: int       # of them, paid (in part) in cash or on the terminal: the buyer comes to the counter
    unreachable: int      # of these, sold at the counter to nobody in particular: no address to tell them
    amount: Decimal       # paid back in all
    kept_fees: int        # orders refunded before, which kept fees not refundable then: paid back too
    kept_amount: Decimal  # what they kept
    reserved: int         # phone reservations not yet paid: cancelled
    holds: int            # baskets and holds in progress: released
    currency: str

    @property
    def told(self) -> int:
        """Paid back at the counter, their buyers emailed to come."""
        return self.at_counter - self.unreachable


def _at_counter() -> Exists:
    return Exists(Payment.objects.filter(order=OuterRef("pk"), status=Payment.Status.APPROVED,
                                         method__in=Payment.AT_COUNTER))


def cancellation_plan(performance: Performance) -> CancellationPlan:
    paid = Order.objects.filter(performance=performance, status=Order.Status.PAID)
    amount = (Payment.objects.filter(MONEY_MOVED, order__in=paid)  # not a charge paid straight back
              .aggregate(s=Sum("amount"))["s"] or Decimal("0"))
    by_provider, counter = paid_orders_split(performance)
    kept = list(fees_kept(Order.objects.filter(performance=performance)))
    # Addresses that cannot receive email (the counter's walk-ins' among them) are not written to.
    unreachable = paid.filter(_at_counter(), customer__email__endswith=".invalid").count()
    return CancellationPlan(
        paid=by_provider + counter, by_provider=by_provider, at_counter=counter, unreachable=unreachable,
        amount=amount, kept_fees=len(kept), kept_amount=sum((o.held for o in kept), Decimal("0")),
        reserved=Order.objects.filter(performance=performance, status=Order.Status.RESERVED).count(),
        holds=Hold.objects.filter(performance=performance, status=Hold.Status.ACTIVE)
        .exclude(Exists(Order.objects.filter(hold=OuterRef("pk"), status=Order.Status.RESERVED))).count(),
        currency=paid.values_list("currency", flat=True).first() or (kept[0].currency if kept else ""))


def performance_cancel(*, performance: Performance, note: str = "", actor=None,
                       now: datetime | None = None, notes: dict[str, str] | None = None) -> Performance:
    """Cancel `performance`, once. In one transaction: it is marked cancelled (no channel
    sells it from then on), its phone reservations are cancelled, every hold on it is
    released, and every place not sold is blocked, so that no hold made in the same
    instant can outlive it. Then its paid orders are paid back (refund_cancelled), the
    counter's buyers told to come. `note` is what the buyers are told; `notes` its versions
    by language ("en", "fr"), for those who read it."""
    now = now or timezone.now()
    note = (note or "").strip()
    versions = {f"cancellation_note_{language}": (text or "").strip()
                for language, text in (notes or {}).items() if language in ("en", "fr")}
    # Emailed to every buyer and shown on their orders' pages: never a card number.
    refuse_card_number(note, field="note")
    for name, text in versions.items():
        refuse_card_number(text, field=name.replace("cancellation_", ""))
    with transaction.atomic():
        if not Performance.objects.filter(pk=performance.pk, cancelled_at__isnull=True).update(
                cancelled_at=now, cancellation_note=note, **versions):
            raise IllegalTransition(_("this performance is already cancelled"))
        # Every place of the performance locked first (places first, as everywhere): a hold,
        # a sale or a release being made now either committed before (and is seen below) or
        # waits, and then finds its places blocked.
        list(Place.objects.select_for_update(of=("self",)).filter(performance=performance)
             .order_by("pk").values_list("pk", flat=True))
        told = []
        for order in Order.objects.filter(performance=performance, status=Order.Status.RESERVED):
            with contextlib.suppress(SalesError):  # paid or lapsed a moment ago: seen as such below
                order_cancel(order=order, actor=None)
                told.append(order.pk)
        for hold in Hold.objects.filter(performance=performance, status=Hold.Status.ACTIVE):
            with contextlib.suppress(SalesError):
                hold_release(hold=hold, actor=actor, now=now)  # a checkout in flight fails, its payment paid back
        _block_free(performance, timezone.now(), actor)
        counter = list(Order.objects.filter(performance=performance, status=Order.Status.PAID)
                       .filter(_at_counter()).values_list("pk", flat=True))
        # Refunded before, paid at the counter, with fees kept: those are paid back there too.
        counter += list(fees_kept(Order.objects.filter(performance=performance)).filter(_at_counter())
                        .values_list("pk", flat=True))
        performance_cancelled_notice(counter)
        transaction.on_commit(lambda: availability_changed(performance.pk), robust=True)
        transaction.on_commit(lambda: _close_queue(performance.pk), robust=True)
        transaction.on_commit(lambda: _refund_soon(performance.pk), robust=True)
        transaction.on_commit(lambda: [_tell_caller(pk) for pk in told], robust=True)
    performance.refresh_from_db(fields=["cancelled_at", "cancellation_note", "cancellation_note_en",
                                          "cancellation_note_fr"])
    return performance


def _block_free(performance: Performance, now: datetime, actor) -> None:
    ids = list(Place.objects.select_for_update(of=("self",)).filter(free(now), performance=performance)
               .order_by("pk").values_list("pk", flat=True))
    inventory.block(performance=performance, place_ids=ids, now=now, actor=actor)


def _close_queue(performance_id: int) -> None:
    """Its waiting room lets everyone through to the performance's page, which says it was
    cancelled (a queue would go on saying it is sold out)."""
    room = (WaitingRoom.objects.select_related("performance__event", "performance__venue")
            .filter(performance_id=performance_id).first())
    if room is not None:
        waiting_room.publish(room)
        waiting_room.publish_presales(room, Presale.objects.filter(performance_id=performance_id))


def _refund_soon(performance_id: int) -> None:
    enqueue.refund_cancelled(performance_id)


def _tell_caller(order_id: int) -> None:
    enqueue.send_reservation_cancelled(order_id)


NOT_ASKED = "not sent: the payment provider did not answer the refunds before it"


def refund_cancelled(performance_id: int | None = None, *, batch: int = 200) -> int:
    """Pay back the paid orders of cancelled performances (`performance_id`, or every one)
    whose money the provider holds, each in full in its own transaction, a batch at a time
    through all of them; returns how many. One that fails is left for the next run and does
    not hold up the others. Run again, it goes on where it stopped: an order once refunded
    is no longer paid. A provider that stops answering holds up SILENT_IN_A_ROW orders,
    not all of them: the others' refunds are left owed, for the reconciliation."""
    paid = Order.objects.filter(status=Order.Status.PAID, performance__cancelled_at__isnull=False)
    done = silent = 0
    for due in (paid, fees_kept(Order.objects.filter(performance__cancelled_at__isnull=False))):
        due = due.exclude(_at_counter())
        if performance_id is not None:
            due = due.filter(performance_id=performance_id)
        after = 0
        while orders := list(due.filter(pk__gt=after).order_by("pk")[:batch]):
            for order in orders:
                after = order.pk
                asked = silent < SILENT_IN_A_ROW
                last = Payment.objects.filter(order=order).order_by("-pk").values_list("pk", flat=True).first()
                try:
                    order_refund(order=order, actor=None, cancelled_only=True,
                                 provider_silent="" if asked else NOT_ASKED)
                    done += 1
                    if asked:  # its refunds left owed: the provider did not answer
                        silent = silent + 1 if _owed(order, after=last or 0) else 0
                        if silent == SILENT_IN_A_ROW:
                            logger.warning("the payment provider did not answer %d refunds in a row: the other "
                                           "orders' card refunds are left owed, for the reconciliation", silent)
                except IllegalTransition:  # refunded meanwhile (the other run, the counter): done
                    pass
                except SalesError:
                    logger.exception("order %s of a cancelled performance was not refunded", order.code)
    return done


def _owed(order: Order, *, after: int) -> bool:
    """Did the provider leave a refund of `order` recorded after the payment `after` owed?"""
    return Payment.objects.filter(order=order, pk__gt=after, status=Payment.Status.REFUNDED,
                                  message=REFUND_OWED).exists()


def fees_kept(orders):
    """Of `orders`, those refunded that still hold money: fees that were not refundable
    when they were refunded, which a cancelled performance gives back too."""
    held = Sum("payments__amount", filter=Q(payments__status=Payment.Status.APPROVED)
               | Q(payments__status=Payment.Status.REFUNDED, payments__amount__lt=0))
    return orders.filter(status=Order.Status.REFUNDED).annotate(held=held).filter(held__gt=0)


def paid_orders_split(performance: Performance) -> tuple[int, int]:
    """(paid orders the box office pays back itself, paid orders paid back at the counter);
    once cancelled, what is still to pay back."""
    paid = Order.objects.filter(performance=performance, status=Order.Status.PAID)
    counter = paid.filter(_at_counter()).count()
    return paid.count() - counter, counter


def also_owed(performance: Performance) -> tuple[int, int, int]:
    """Once cancelled, besides the paid orders: (orders refunded before that still hold fees
    to give back; card refunds recorded that the provider has not taken yet, sent again
    until it answers: not paid back either; orders whose card refund the provider refused,
    owed by other means). The refunds are those made for it (each row names its
    performance), of its orders and of the orders exchanged off it for another date since
    it was cancelled (the exchange's payback among them), not what such an order is paid
    back later on its new date: that is the new date's."""
    # Its places withdrawn by an order: refunded or exchanged off it once cancelled.
    left = PlaceEvent.objects.filter(action="withdraw", place__performance=performance, order__isnull=False)
    # A row left unnamed (written by the code before while sales 0046 ran) is its order's.
    named = Q(performance=performance) | Q(performance__isnull=True, order__performance=performance)
    refunds = Payment.objects.filter(Q(order__performance=performance) | Q(order__in=left.values("order")),
                                     named, status=Payment.Status.REFUNDED)
    refused = refunds.filter(message=REFUND_REFUSED).values("order").distinct().count()
    return (fees_kept(Order.objects.filter(performance=performance)).count(),
            refunds.filter(message=REFUND_OWED).count(), refused)


__all__ = ("CancellationPlan", "also_owed", "cancellation_plan", "fees_kept", "paid_orders_split",
           "performance_cancel", "refund_cancelled")
