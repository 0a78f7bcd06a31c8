"""An Idempotency-Key whose request died is never left "in progress" for good: a retry is
answered from what the database shows. The requests here are real processes of the
test's own, killed with SIGKILL while the card provider is still answering."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from sales.models import Hold, IdempotencyRecord, Order, Place
from sales.payments import SLOW
from tests.support import (
    BUYER,
    CARD,
    assert_error,
    card_token,
    client_for,
    make_performance,
    places_of,
    process_env,
)

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from rest_framework.test import APIClient
APIClient().post("/api/v1/orders/", json.loads(sys.argv[1]), format="json",
                 headers={"Idempotency-Key": sys.argv[2]})
"""


def request_in_a_process(body: dict, key: str) -> subprocess.Popen:
    """The order request, made by a process of its own (as a web worker would serve it)
    from the same address as the test's client, so the key is the same caller's."""
    return subprocess.Popen([sys.executable, "-c", REQUEST, json.dumps(body), key], env=process_env(),
                            cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def paying(hold_token: str, process: subprocess.Popen) -> None:
    """Wait until the process has placed its order and is waiting for the card provider."""
    deadline = time.monotonic() + 30
    while not Order.objects.filter(hold__token=hold_token, status="pending").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the request never reached the payment"
        time.sleep(0.02)


def held(perf, n=2) -> str:
    response = client_for().post("/api/v1/holds/", {"performance": perf.pk, "places": [
        p.pk for p in places_of(perf, state="available")[:n]]}, format="json")
    assert response.status_code == 201
    return response.json()["token"]


def test_a_retry_after_the_request_was_killed_mid_payment_gets_a_clear_answer_at_once():
    perf = make_performance(rows=1, per_row=4)
    token, key = held(perf), str(uuid.uuid4())
    body = {"hold": token, "customer": BUYER, "payment": {"method": "test_card", "card_number": SLOW}}
    process = request_in_a_process(body, key)
    paying(token, process)
    process.send_signal(signal.SIGKILL)
    process.wait()

    api = client_for()
    retried_at = time.monotonic()
    retry = api.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
    assert time.monotonic() - retried_at < 2
    error = assert_error(retry, 409, "payment_interrupted")
    assert "nothing was sold" in error["message"]
    # The same answer for good, and the hold can be paid for at once with a new key.
    assert_error(api.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key}),
                 409, "payment_interrupted")
    paid = api.post("/api/v1/orders/", {**body, "payment": CARD}, format="json",
                    headers={"Idempotency-Key": str(uuid.uuid4())})
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    assert not Order.objects.filter(status="pending").exists()
    assert Place.objects.filter(state="sold").count() == 2


def test_control_while_the_first_request_is_alive_a_retry_is_told_it_is_in_progress():
    perf = make_performance(rows=1, per_row=4)
    token, key = held(perf), str(uuid.uuid4())
    body = {"hold": token, "customer": BUYER, "payment": {"method": "test_card", "card_number": SLOW}}
    process = request_in_a_process(body, key)
    try:
        paying(token, process)
        retry = client_for().post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
        assert_error(retry, 409, "idempotency_conflict")
    finally:
        assert process.wait(30) == 0
    replay = client_for().post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["status"] == "paid"


def test_a_sale_that_committed_before_its_request_died_is_replayed_to_the_retry():
    """What a request leaves when it dies after its sale committed and before its answer
    was kept (a web worker killed, the database gone between the two): a paid order and an
    unanswered key, with nobody at it."""
    perf = make_performance(rows=1, per_row=4)
    api, key = client_for(), str(uuid.uuid4())
    body = {"hold": held(perf), "customer": BUYER, "payment": CARD}
    first = api.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == 201
    IdempotencyRecord.objects.filter(key=key).update(status_code=None, response=None)
    retry = api.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
    assert retry.status_code == 201 and retry.json()["code"] == first.json()["code"]
    assert retry.json()["status"] == "paid" and Order.objects.count() == 1


HOLD_REQUEST = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from rest_framework.test import APIClient
APIClient().post("/api/v1/holds/", json.loads(sys.argv[1]), format="json", headers={"Idempotency-Key": sys.argv[2]})
"""


def test_a_hold_whose_request_died_before_its_answer_was_kept_left_nothing():
    """A hold and its kept answer commit together. The request's connection is cut and its
    process killed after its hold statement ran, while the statement keeping its answer
    waits on the record's row: nothing of it stays, and the retry holds the seat, once.
    (Were the hold committed on its own, the dead request's hold would keep the seat from
    the retry.)"""
    perf = make_performance(rows=1, per_row=4)
    seat = places_of(perf)[0].pk
    key, body = str(uuid.uuid4()), {"performance": perf.pk, "places": [seat]}
    seat_lock, record_lock, watch = psycopg_connection(), psycopg_connection(), psycopg_connection()
    seat_lock.execute("BEGIN")
    seat_lock.execute("SELECT id FROM sales_place WHERE id = %s FOR UPDATE", [seat])
    process = subprocess.Popen([sys.executable, "-c", HOLD_REQUEST, json.dumps(body), key], env=process_env(),
                               cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        waiting(process, watch)  # on the seat: its record is written
        record_lock.execute("BEGIN")
        record_lock.execute("SELECT id FROM sales_idempotencyrecord WHERE key = %s FOR UPDATE", [key])
        seat_lock.execute("ROLLBACK")
        waiting(process, watch, on="UPDATE sales_idempotencyrecord")  # its hold statement done
        # Its connection is cut (a killed process's backend would finish the statement it
        # waits in once the lock goes; a dropped connection does not).
        watch.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                      "AND datname = current_database() "
                      "AND ltrim(query, E' \\n') LIKE 'UPDATE sales_idempotencyrecord%%'")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        record_lock.execute("ROLLBACK")
        for conn in (seat_lock, record_lock, watch):
            conn.close()
    api = client_for()
    retry = api.post("/api/v1/holds/", body, format="json", headers={"Idempotency-Key": key})
    assert retry.status_code == 201, retry.content
    again = api.post("/api/v1/holds/", body, format="json", headers={"Idempotency-Key": key})
    assert again.json()["token"] == retry.json()["token"] and Hold.objects.count() == 1


def waiting(process, conn, on: str = "", seconds: float = 30) -> None:
    """Until the request's statement (the one starting with `on`) waits on a lock. `conn`
    is outside a transaction: pg_stat_activity is read once per transaction."""
    deadline = time.monotonic() + seconds
    while not conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database() AND ltrim(query, E' \\n') LIKE %s",
                           [on + "%"]).fetchone()[0]:
        assert process.poll() is None and time.monotonic() < deadline, "the request never reached the lock"
        time.sleep(0.02)


def test_a_reservation_paid_before_its_request_died_is_replayed_to_the_retry(operator):
    from datetime import timedelta

    from django.utils import timezone

    perf = make_performance(rows=1, per_row=4)
    staff = client_for(operator)
    hold = staff.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk],
                                         "channel": "phone"}, format="json")
    assert hold.status_code == 201, hold.content
    reserved = staff.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER,
                                              "reserve_until": (timezone.now() + timedelta(days=1)).isoformat()},
                          format="json")
    assert reserved.status_code == 201, reserved.content
    code, key = reserved.json()["code"], str(uuid.uuid4())
    body = {"method": "card_not_present", "token": card_token()}
    paid = staff.post(f"/api/v1/orders/{code}/pay/", body, format="json", headers={"Idempotency-Key": key})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    IdempotencyRecord.objects.filter(key=key).update(status_code=None, response=None)  # as a death leaves it
    retry = staff.post(f"/api/v1/orders/{code}/pay/", body, format="json", headers={"Idempotency-Key": key})
    assert retry.status_code == 200 and retry.json()["status"] == "paid", retry.content


def psycopg_connection():
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True)


def test_a_key_lets_go_of_its_lock_with_its_answer():
    """Each key's request holds a lock on the key while it runs, released in the statement
    that keeps its answer: none is left held afterwards, for a hold (one transaction with
    its answer) or an order, and a retry from another connection afterwards is replayed,
    not told the request is still running. (The moment between that statement and its
    commit is not provoked here.)"""
    perf = make_performance(rows=1, per_row=4)
    api, watch = client_for(), psycopg_connection()
    try:
        hold_key, order_key = str(uuid.uuid4()), str(uuid.uuid4())
        body = {"performance": perf.pk, "places": [places_of(perf)[0].pk]}
        hold = api.post("/api/v1/holds/", body, format="json", headers={"Idempotency-Key": hold_key})
        assert hold.status_code == 201
        order = {"hold": hold.json()["token"], "customer": BUYER, "payment": CARD}
        assert api.post("/api/v1/orders/", order, format="json",
                        headers={"Idempotency-Key": order_key}).status_code == 201
        assert watch.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                             "(SELECT oid FROM pg_database WHERE datname = current_database())").fetchone() == (0,)
    finally:
        watch.close()
    process = subprocess.run([sys.executable, "-c", HOLD_REQUEST.replace(
        "APIClient().post(", "print(APIClient().post(").replace("sys.argv[2]})", "sys.argv[2]}).status_code)"),
        json.dumps(body), hold_key], env=process_env(), cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert process.stdout.strip() == "201", process.stderr[-2000:]
    assert Hold.objects.count() == 1
