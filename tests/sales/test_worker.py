"""Confirmation and hold clean-up on a real Celery worker consuming from Redis."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Channel
from sales.holds import hold_create
from sales.models import Hold, Order, Place
from sales.notifications import send_confirmation
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from sales.tasks import release_expired_holds
from tests.support import make_performance, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def wait_until(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_confirmation_email_is_sent_by_the_worker_after_commit_and_only_once(celery_worker):
    perf = make_performance(rows=1, per_row=4)
    ids = [p.pk for p in places_of(perf)[:2]]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=ids)
    order = order_place(hold=hold, customer=CustomerDetails(name="Zoé", email="zoe@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert wait_until(lambda: len(mail.outbox) == 1), "the worker sent no email"
    message = mail.outbox[0]
    assert message.to == ["zoe@example.org"]
    assert order.code in message.subject
    for ticket in order.tickets.all():
        assert ticket.code in message.body
    assert f"/orders/{order.code}/{order.access_token}/" in message.body
    ((html, kind),) = message.alternatives  # its HTML part, made by the worker too
    assert kind == "text/html" and f"/orders/{order.code}/{order.access_token}/" in html
    assert wait_until(lambda: Order.objects.get(pk=order.pk).confirmation_sent_at is not None)
    assert Order.objects.get(pk=order.pk).events.filter(action="confirmation sent").count() == 1
    # A retried task does not send it twice.
    assert send_confirmation(order.pk) is False
    time.sleep(0.5)
    assert len(mail.outbox) == 1


def test_beat_task_tidies_expired_holds_on_the_worker(celery_worker):
    perf = make_performance(rows=1, per_row=4)
    ids = [p.pk for p in places_of(perf)[:3]]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=ids,
                       now=timezone.now() - timedelta(minutes=15))
    release_expired_holds.delay()
    assert wait_until(lambda: not Place.objects.filter(pk__in=ids, state="held").exists())
    assert wait_until(lambda: Hold.objects.get(pk=hold.pk).status == "expired")
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"available"}


def test_beat_clears_the_sessions_that_have_ended(celery_worker, settings):
    """Every shopper with a basket leaves a session row behind; once it has ended, beat
    deletes it, so an on-sale's tens of thousands of rows do not pile up for ever."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    from sales.tasks import clear_expired_sessions

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended, current = store(), store()
    ended.set_expiry(timezone.now() - timedelta(seconds=1))
    ended.create()
    current.create()
    assert "sales.tasks.clear_expired_sessions" in {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    clear_expired_sessions.delay()
    assert wait_until(lambda: not Session.objects.filter(session_key=ended.session_key).exists())
    assert Session.objects.filter(session_key=current.session_key).exists()


def test_failed_send_gives_the_claim_back(transactional_db, settings):
    perf = make_performance(rows=1, per_row=2)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    settings.EMAIL_BACKEND = "tests.sales.broken_mail.Backend"
    order = order_place(hold=hold, customer=CustomerDetails(name="Z", email="z@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    with pytest.raises(ConnectionError):
        send_confirmation(order.pk)
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is None  # a retry will send it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_confirmation(order.pk) is True


def buy_one(perf, place, email):
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[place.pk])
    return order_place(hold=hold, customer=CustomerDetails(name="Buyer", email=email),
                       payment=PaymentRequest(method="test_card", card_number=APPROVE))


def test_a_burst_of_sales_asks_for_few_tasks_and_every_confirmation_is_sent(celery_worker, monkeypatch,
                                                                               reset_process_caches):
    """One task sends every confirmation due: in a rush a web process asks for it at most
    twice per ASK_EVERY instead of once per sale, and no sale's confirmation is left out."""
    from sales import notifications, tasks

    asked, real = [], tasks.send_confirmations.apply_async  # delay() calls apply_async() too
    monkeypatch.setattr(tasks.send_confirmations, "apply_async",
                        lambda *a, **k: asked.append(k.get("countdown", 0)) or real(*a, **k))
    perf = make_performance(rows=2, per_row=6)
    started = time.monotonic()
    orders = [buy_one(perf, place, f"burst-{i}@example.org") for i, place in enumerate(places_of(perf)[:12])]
    elapsed = time.monotonic() - started
    assert wait_until(lambda: len(mail.outbox) == 12), f"{len(mail.outbox)} of 12 confirmations sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.customer.email for o in orders)
    assert 1 <= len(asked) <= 2 * (elapsed // notifications.ASK_EVERY + 1) and len(asked) < 12, (asked, elapsed)
    time.sleep(notifications.ASK_EVERY + 0.3)
    assert len(mail.outbox) == 12  # and none twice


def test_a_confirmation_lost_with_the_broker_is_sent_by_the_next_sweep(celery_worker, monkeypatch,
                                                                      reset_process_caches):
    from sales import notifications, tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    perf = make_performance(rows=1, per_row=2)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.send_confirmations, "apply_async", broker_down)  # delay() calls it too
        reset_process_caches()  # no earlier sale's window: it asks at once, and fails
        order = buy_one(perf, places_of(perf)[0], "lost@example.org")
    reset_process_caches()  # nor does the broker's pause outlive the outage
    assert order.status == "paid"  # the sale stands
    time.sleep(0.5)
    assert mail.outbox == [] and notifications.pending_confirmations().filter(pk=order.pk).exists()
    tasks.send_confirmations.delay()  # as beat does every CONFIRMATION_SWEEP_SECONDS
    assert wait_until(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["lost@example.org"]
    assert not notifications.pending_confirmations().filter(pk=order.pk).exists()
