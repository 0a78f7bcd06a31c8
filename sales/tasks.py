"""Celery tasks: thin, take primary keys, idempotent, bounded retries."""

from celery import shared_task
from django.utils import timezone

from . import holds, notifications, orders


@shared_task(bind=True, max_retries=8, default_retry_delay=20, acks_late=True)
def send_order_confirmation(self, order_id: int) -> bool:
    try:
        return notifications.send_confirmation(order_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def send_confirmations() -> int:
    """Every confirmation due (notifications: the paid orders are the outbox)."""
    return notifications.send_pending_confirmations()


@shared_task
def release_expired_holds() -> int:
    return holds.holds_tidy()


@shared_task
def release_lapsed_reservations() -> int:
    return orders.reservations_tidy()


@shared_task
def fail_abandoned_orders() -> int:
    return orders.orders_abandoned_tidy()


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
def refresh_waiting_rooms() -> int:
    """Tell each live queue whether its performance is sold out, and keep the draw's seed
    in the database for audit."""
    from . import waiting_room
    from .inventory import free
    from .models import Place, WaitingRoom

    rooms = WaitingRoom.objects.filter(enabled=True)
    for room in rooms:
        has_free = Place.objects.filter(performance_id=room.performance_id).filter(free(timezone.now())).exists()
        waiting_room.set_sold_out(room.performance_id, not has_free)
        seed = waiting_room.stats(room.performance_id)["seed"]
        if seed and not room.draw_seed:
            WaitingRoom.objects.filter(pk=room.pk).update(draw_seed=seed)
    return len(rooms)


@shared_task
def run_ballots() -> int:
    """Draw ballots whose window has closed; pass lapsed winners' seats down the draw."""
    from . import lottery
    from .models import Ballot

    now = timezone.now()
    for ballot in Ballot.objects.filter(drawn_at__isnull=True, closes_at__lte=now):
        lottery.ballot_draw(ballot=ballot, now=now)
    for ballot in Ballot.objects.filter(drawn_at__isnull=False, entries__status="won").distinct():
        lottery.ballot_reallocate(ballot=ballot, now=now)
    return 0
