"""Celery tasks: thin, take primary keys, idempotent, bounded retries."""

from celery import shared_task

from . import holds, notifications, orders


@shared_task(bind=True, max_retries=8, default_retry_delay=20, acks_late=True)
def send_order_confirmation(self, order_id: int) -> bool:
    try:
        return notifications.send_confirmation(order_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def release_expired_holds() -> int:
    return holds.holds_tidy()


@shared_task
def release_lapsed_reservations() -> int:
    return orders.reservations_tidy()


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_reservation_reminders(self) -> int:
    try:
        return notifications.send_reservation_reminders()
    except Exception as exc:
        raise self.retry(exc=exc) from exc
