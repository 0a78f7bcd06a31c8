import pytest
from django.db import connection
from rest_framework.test import APIClient

from sales.models import Order, Ticket
from tests.support import BUYER, CARD, make_performance, places_of, race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_the_same_order_request_sent_in_parallel_creates_one_order():
    perf = make_performance(rows=1, per_row=4)
    client = APIClient()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                       format="json").json()["token"]
    body = {"hold": hold, "customer": BUYER, "payment": CARD}

    def send(i):
        return APIClient().post("/api/v1/orders/", body, format="json",
                                headers={"Idempotency-Key": "same-order-request"})

    responses = race(12, send)
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    assert Order.objects.count() == 1 and Ticket.objects.count() == 1
    codes = {r.json()["code"] for r in responses if r.status_code == 201}
    assert codes == {Order.objects.get().code}
    for r in responses:
        if r.status_code == 409:
            assert "still in progress" in r.json()["error"]["message"]


def test_a_retry_while_the_first_request_is_still_running_gets_409(monkeypatch):
    """The first request is in the card provider (a slow approval) when its retry comes:
    the retry is refused with 409, not run a second time; once the first has answered, a
    retry gets the first answer."""
    import threading
    import time

    from sales.models import IdempotencyRecord
    from sales.payments import SLOW, TestCardProvider

    monkeypatch.setattr(TestCardProvider, "slow_seconds", 1.5)
    perf = make_performance(rows=1, per_row=4)
    hold = APIClient().post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                            format="json").json()["token"]
    body = {"hold": hold, "customer": BUYER, "payment": {"method": "test_card", "card_number": SLOW}}
    headers = {"Idempotency-Key": "slow-order-request-1"}
    first = {}

    def send():
        try:
            first["response"] = APIClient().post("/api/v1/orders/", body, format="json", headers=headers)
        finally:
            connection.close()

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 10
    while not IdempotencyRecord.objects.filter(key="slow-order-request-1", status_code__isnull=True).exists():
        assert time.monotonic() < deadline, "the first request never started"
        time.sleep(0.02)
    retry = APIClient().post("/api/v1/orders/", body, format="json", headers=headers)
    assert retry.status_code == 409, retry.content
    assert retry.json()["error"]["code"] == "idempotency_conflict"
    assert "still in progress" in retry.json()["error"]["message"]
    thread.join(timeout=20)
    assert first["response"].status_code == 201, first["response"].content
    later = APIClient().post("/api/v1/orders/", body, format="json", headers=headers)
    assert later.status_code == 201 and later.json()["code"] == first["response"].json()["code"]
    assert later["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and Ticket.objects.count() == 1


def test_orders_for_one_hold_sent_at_once_under_different_keys_charge_one_card():
    """A double click, or a retry with a new key: only one of the requests for a hold's
    seats is let through to the card provider; the others are refused (409) before any
    charge, not charged and then paid back when the first has sold."""
    from sales.models import Payment

    perf = make_performance(rows=1, per_row=4)
    hold = APIClient().post("/api/v1/holds/", {"performance": perf.pk, "places": [p.pk for p in places_of(perf)[:2]]},
                            format="json").json()["token"]
    body = {"hold": hold, "customer": BUYER, "payment": CARD}

    def send(i):
        headers = {"Idempotency-Key": f"double-click-{i:04d}"} if i % 2 else {}
        return APIClient().post("/api/v1/orders/", body, format="json", headers=headers)

    responses = race(12, send)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and set(statuses) == {201, 409}, statuses
    assert Order.objects.filter(status="paid").count() == 1 and Ticket.objects.count() == 2
    assert list(Payment.objects.values_list("status", flat=True)) == ["approved"]  # no charge paid back
    for r in responses:
        if r.status_code == 409:
            message = r.json()["error"]["message"]  # while the first is paying, or once it has sold
            assert "already order" in message or "hold is sold" in message, message


def test_a_reservation_paid_from_two_consoles_at_once_is_charged_once():
    """Ten payments of one reservation at once, each with a card of its own, through the
    provider (localstripe): one is taken; the others are refused before their card is
    charged, while it runs or once it is paid (a refusal while it runs is not kept as its key's answer)."""
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from sales.models import Payment
    from sales.policy import PHONE_OPERATOR
    from tests.support import card_token, intent_mark, intents_of, make_user

    perf = make_performance(rows=1, per_row=4)
    operators = [make_user(f"operator-{i}", PHONE_OPERATOR) for i in range(2)]
    tokens = [Token.objects.create(user=u).key for u in operators]

    def console(i) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i % 2]}")
        return client

    hold = console(0).post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                           format="json").json()["token"]
    code = console(0).post("/api/v1/orders/", {"hold": hold, "customer": BUYER, "reserve_until": (
        timezone.now() + timedelta(days=1)).isoformat()}, format="json").json()["code"]
    cards = [{"method": "card_not_present", "token": card_token()} for _ in range(10)]
    mark = intent_mark()
    responses = race(10, lambda i: console(i).post(f"/api/v1/orders/{code}/pay/", cards[i], format="json",
                                                   headers={"Idempotency-Key": f"pay-{i}"}))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1 and set(statuses) == {200, 409}, statuses
    assert all((r.json()["error"]["code"], r.json()["error"]["message"].split(";")[0]) in (
        ("in_progress", f"order {code} is being paid right now"),
        ("illegal_transition", f"order {code} is paid, not a reservation")) for r in responses if r.status_code == 409)
    assert list(Payment.objects.values_list("status", flat=True)) == ["approved"]  # no charge paid back
    assert [i.status for i in intents_of(code, after=mark)] == ["succeeded"]  # one card charged at the provider
    assert Order.objects.get(code=code).status == "paid" and Ticket.objects.count() == 1
    # Sent again now, every refused console is told the order is paid. A key refused while the
    # payment ran kept no answer (it runs again); one refused once it was paid keeps that answer.
    for i, r in enumerate(responses):
        if r.status_code != 409:
            continue
        again = console(i).post(f"/api/v1/orders/{code}/pay/", cards[i], format="json",
                                headers={"Idempotency-Key": f"pay-{i}"})
        assert again.status_code == 409 and "is paid, not a reservation" in again.json()["error"]["message"]
        assert ("Idempotent-Replayed" in again) == (r.json()["error"]["code"] == "illegal_transition")
