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
from tests.conftest import make_performance, places_of

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
