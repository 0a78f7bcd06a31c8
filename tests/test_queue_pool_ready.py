"""The waiting room's pool answers from Redis alone. With PostgreSQL away (a restart, a
failover), its servers stay ready for HAProxy (/readyz) and the queue page goes on giving
the crowd its places, while the pools that sell say they cannot."""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from sales import waiting_room
from sales.channels.shop import queue as queue_page
from sales.models import WaitingRoom
from tests.support import make_performance, process_env
from tests.test_front import wait_until
from tests.test_stack import free_port
from tooling import stack, supervisor


@pytest.fixture
def pools_without_database():
    """A queue server and a public server whose PostgreSQL is away (nothing listens at its
    address), on the test's Redis."""
    away = f"postgres://boxoffice@127.0.0.1:{free_port()}/boxoffice"
    servers = {}
    try:
        for pool in ("queue", "public"):
            port = free_port()
            env = process_env(BOXOFFICE_POOL=pool, DATABASE_URL=away, LOG_LEVEL="CRITICAL",
                              REDIS_URL=settings.REDIS_URL, WAITING_ROOM_REDIS_URL=settings.WAITING_ROOM_REDIS_URL,
                              CACHE_URL=settings.CACHES["default"]["LOCATION"])
            servers[pool] = (port, subprocess.Popen(
                stack.granian(port, workers=1, threads=2), cwd=settings.BASE_DIR, env=env, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_until(lambda: all(supervisor.http_ok(port)() for port, _ in servers.values()), "the pools started")
        yield {pool: f"http://127.0.0.1:{port}" for pool, (port, _) in servers.items()}
    finally:
        for _, proc in servers.values():
            supervisor.kill_group(proc)
            proc.wait()


def room(opened_ago: timedelta):
    perf = make_performance(rows=1, per_row=2)
    waiting_room.publish(WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() - opened_ago,
                                                    admit_per_minute=1))
    return perf


@pytest.mark.django_db(transaction=True)  # committed: the opening draw is recorded
def test_the_queue_pool_stays_ready_and_queues_the_crowd_while_postgresql_is_away(pools_without_database):
    perf = room(timedelta(minutes=1))
    assert waiting_room.join(perf.pk, "first").state in ("queued", "admitted")  # opened and drawn, the database up
    queue, public = pools_without_database["queue"], pools_without_database["public"]

    ready = requests.get(f"{queue}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["postgresql"].startswith("error"), ready.json()
    assert requests.get(f"{public}/readyz", timeout=10).status_code == 503  # it sells: not ready

    pages = [requests.get(f"{queue}/performances/{perf.pk}/queue/", timeout=10, allow_redirects=False)
             for _ in range(3)]
    assert [page.status_code for page in pages] == [200, 200, 200]
    places = [waiting_room.status(perf.pk, queue_page._visitor_signer().unsign(page.cookies["wr_visitor"]))
              for page in pages]
    assert [place.state for place in places] == ["queued"] * 3, places  # each given a place in the line, in turn
    assert places[0].position < places[1].position < places[2].position, places


@pytest.mark.django_db(transaction=True)
def test_a_queue_opening_while_postgresql_is_away_keeps_its_visitors_waiting_without_stalling(
        pools_without_database):
    """The opening draw is recorded in PostgreSQL: while it is away the visitors see the
    holding page, each answered at once, and the draw is tried again at their next poll
    (a failed try used to keep the draw's lock, and every visitor's request waited for it
    to lapse, taking the pool's threads with it)."""
    perf = room(timedelta(seconds=1))
    queue = pools_without_database["queue"]
    for _ in range(3):
        started = time.monotonic()
        page = requests.get(f"{queue}/performances/{perf.pk}/queue/", timeout=30, allow_redirects=False)
        assert page.status_code == 200 and time.monotonic() - started < 5, time.monotonic() - started
    assert waiting_room.join(perf.pk, "later").state in ("queued", "admitted")  # the database back: drawn
