"""The one way services ask the Celery worker for work: by the task's registered name.

The task module imports the services (a task is a thin door onto them), so a service
that imported it back would close a cycle. Looking the task up by name at call time also
keeps what a test or a broker outage patches on the task itself in force.
"""

from __future__ import annotations

from celery import current_app


def _task(name: str):
    return current_app.tasks[f"sales.tasks.{name}"]


def send_confirmations(*, countdown: float | None = None) -> None:
    """Have the worker send every confirmation due (the paid orders are the outbox)."""
    _task("send_confirmations").apply_async(countdown=countdown)


def send_ballot_notices(*, countdown: float | None = None) -> None:
    """Have the worker send every ballot email due (the entries are the outbox)."""
    _task("send_ballot_notices").apply_async(countdown=countdown)


def send_order_confirmation(order_id: int) -> None:
    _task("send_order_confirmation").delay(order_id)


def refund_cancelled(performance_id: int) -> None:
    """Have the worker pay back a cancelled performance's orders (beat's sweep catches up)."""
    _task("refund_cancelled").delay(performance_id)


def send_reservation_cancelled(order_id: int) -> None:
    _task("send_reservation_cancelled").delay(order_id)
