"""Celery tasks: thin, take primary keys, idempotent, bounded retries."""

from celery import shared_task

from . import holds, notifications


@shared_task(bind=True, max_retries=8, default_retry_delay=20, acks_late=True)
def send_order_confirmation(self, order_id: int) -> bool:
    try:
        return notifications.send_confirmation(order_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def release_expired_holds() -> int:
    return holds.holds_tidy()
