"""Celery tasks: thin, take primary keys, idempotent, bounded retries."""

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from . import holds, notifications, orders
from .errors import SalesError

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=8, default_retry_delay=20, acks_late=True)
def send_order_confirmation(self, order_id: int) -> bool:
    try:
        return notifications.send_confirmation(order_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=8, default_retry_delay=30, acks_late=True)
def send_reservation_cancelled(self, order_id: int) -> bool:
    try:
        return notifications.send_reservation_cancelled(order_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def send_confirmations() -> int:
    """Every confirmation due (notifications: the paid orders are the outbox)."""
    return notifications.send_pending_confirmations()


@shared_task(acks_late=True)
def send_ballot_notices() -> int:
    """Every ballot email due (sales.lottery: the entries are the outbox)."""
    from . import lottery

    return lottery.send_pending_notices()


@shared_task
def release_expired_holds() -> int:
    return holds.holds_tidy()


@shared_task
def release_lapsed_reservations() -> int:
    return orders.reservations_tidy()


@shared_task
def fail_abandoned_orders() -> int:
    return orders.orders_abandoned_tidy()


@shared_task(acks_late=True)
def refund_cancelled(performance_id: int | None = None) -> int:
    """Pay back the paid orders of a cancelled performance (or of every one: the sweep)."""
    from .orders.cancellation import refund_cancelled as refund

    return refund(performance_id)


@shared_task
def reconcile_payments() -> int:
    """Ask the card provider about every payment left unconfirmed (sales.orders.settling)."""
    from .orders.settling import payments_reconcile

    return payments_reconcile()


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_reservation_reminders(self) -> int:
    try:
        return notifications.send_reservation_reminders()
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def clear_expired_sessions() -> None:
    """Delete the sessions that have ended (Django's `clearsessions`): every shopper with
    a basket leaves one, and nothing else removes them."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task
def forget_past_queues() -> int:
    """Drop from Redis the queues of performances that began over a day ago, or that no
    longer exist: a crowd leaves megabytes there (its queue, admissions, frozen arrivals),
    which nothing else removes. The opening draws stay in the database. Returns how many
    performances' queues went."""
    from events.models import Performance

    from . import admission, waiting_room

    found = waiting_room.queue_keys()
    if not found:
        return 0
    live = set(Performance.objects.filter(pk__in=found, starts_at__gt=waiting_room.past_before())
               .values_list("pk", flat=True))
    over = sorted(set(found) - live)
    if over:
        waiting_room.forget([key for pk in over for key in found[pk]])
        waiting_room.client().srem(admission.ROOMS, *over)
        logger.info("forgot the queues of %d past performances in Redis", len(over))
    return len(over)


@shared_task
def refresh_waiting_rooms() -> int:
    """Tell each live queue whether its performance is sold out, and make the opening draw
    of a queue that has opened, so that it is seldom a visitor's request that makes it.
    For automatic admission: count the active holds, and decide the rate if nobody polling
    the queue has lately."""
    from . import admission, waiting_room
    from .models import WaitingRoom

    rooms = waiting_room.live_rooms(WaitingRoom.objects.filter(enabled=True))
    admission.watch_all()  # sold out or not, and the active holds
    for room in rooms:
        if room.opens_at <= timezone.now():
            try:
                waiting_room.draw(room.performance_id)
            except SalesError:  # logged; the other rooms are still looked after, and it is tried again
                logger.exception("the opening draw of performance %s could not be made", room.performance_id)
        if room.automatic:
            admission.adjust(room.performance_id)
    return len(rooms)


@shared_task
def run_ballots() -> int:
    """Freeze the entries of ballots whose window has closed, and draw those frozen at an
    earlier run: the frozen list's hash is public before the seed is revealed. Then pass
    lapsed winners' seats down the draw, and send the ballot emails still due."""
    from . import lottery
    from .models import Ballot

    now = timezone.now()
    closed = Ballot.objects.filter(drawn_at__isnull=True, closes_at__lte=now)
    # A ballot whose public value was announced waits until the organizer enters it.
    awaiting = Q(draw__public_value="") & ~Q(draw__public_value_source="")
    drawn = Ballot.objects.filter(drawn_at__isnull=False)
    steps = [
        *((lottery.ballot_draw, b) for b in closed.filter(draw__frozen_at__lt=now).exclude(awaiting)),
        *((lottery.ballot_freeze, b) for b in closed.exclude(draw__frozen_at__isnull=False)),
        # Drawn, but the allocation was cut short: finished now.
        *((lottery.ballot_allocate, b) for b in drawn.filter(entries__status="applied").distinct()),
        *((lottery.ballot_reallocate, b) for b in drawn.filter(entries__status="won").distinct()),
    ]
    failed = 0
    for step, ballot in steps:
        try:  # one ballot's failure is logged, and tried again at the next run; the others go on
            step(ballot=ballot, now=now)
        except Exception:
            failed += 1
            logger.exception("ballot %s: %s failed", ballot.pk, step.__name__)
    # The sweep of the draw's emails: those the steps' own requests for the task did not
    # bring (a lost message, a failed send) go now.
    lottery.send_pending_notices()
    return failed
