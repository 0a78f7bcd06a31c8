"""The one address: HAProxy running deploy/haproxy.cfg, as `make run` and production run
it, in front of real pools (granian) working on the test database. Which pool a request
reached is read from HAProxy's own counters."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from sales.policy import COUNTER_CLERK
from tests.support import make_user, process_env
from tests.test_stack import free_port
from tooling import stack, supervisor

# The pools work on the test database: it must be set up (the tests write nothing themselves).
pytestmark = pytest.mark.django_db

def wait_until(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} within {seconds:.0f} s"
        time.sleep(0.2)


class Front:
    def __init__(self, port: int, runtime_api: Path, pools: dict[str, subprocess.Popen]):
        self.port, self.runtime_api, self.pools = port, runtime_api, pools
        self.base = f"http://127.0.0.1:{port}"

    def stat(self) -> dict:
        return stack.haproxy_stat(self.runtime_api)

    def status(self, backend: str, server: str) -> str:
        return self.stat()[(backend, server)]["status"]

    def request(self, method: str, path: str, headers: dict | None = None) -> tuple[str, http.client.HTTPResponse]:
        """Send one request as written (no client-side normalising of the path) and say
        which backend HAProxy sent it to."""
        before = self.stat()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, headers={"Host": "localhost", **(headers or {})})
            response = conn.getresponse()
            response.body = response.read()
        finally:
            conn.close()
        after = self.stat()
        moved = [b for b in ("public", "queue", "staff")
                 if int(after[(b, "BACKEND")]["stot"]) > int(before[(b, "BACKEND")]["stot"])]
        assert len(moved) <= 1, moved
        return (moved[0] if moved else "HAProxy"), response


@pytest.fixture(scope="module")
def clerk_token(django_db_setup, django_db_blocker):
    from rest_framework.authtoken.models import Token

    with django_db_blocker.unblock():
        clerk = make_user("front-clerk", COUNTER_CLERK)
        token = Token.objects.create(user=clerk)
        yield token.key
        clerk.delete()


@pytest.fixture(scope="module")
def front(django_db_setup, tmp_path_factory):
    redis_base = settings.REDIS_URL.rsplit("/", 1)[0]
    env = process_env(BEHIND_PROXY="1", CACHE_URL=f"{redis_base}/3", WAITING_ROOM_REDIS_URL=f"{redis_base}/5",
                      CELERY_BROKER_URL=f"{redis_base}/2", LOG_LEVEL="WARNING")
    ports = {pool: free_port() for pool in ("public", "queue", "staff", "unready")}
    pools = {}
    for pool, port in ports.items():
        pool_env = {**env, "BOXOFFICE_POOL": pool}
        if pool == "unready":  # alive (/healthz) but its Redis is away: not ready (/readyz)
            pool_env.update(BOXOFFICE_POOL="public", CACHE_URL=f"redis://127.0.0.1:{free_port()}/1")
        pools[pool] = subprocess.Popen(stack.granian(port, workers=1, threads=2), cwd=settings.BASE_DIR,
                                       env=pool_env, start_new_session=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    front_port, runtime_api = free_port(), tmp_path_factory.mktemp("haproxy") / "haproxy.sock"
    haproxy_env = stack.haproxy_environment(
        f"127.0.0.1:{front_port}", public=[f"127.0.0.1:{ports['public']}", f"127.0.0.1:{ports['unready']}"],
        queue=[f"127.0.0.1:{ports['queue']}"], staff=[f"127.0.0.1:{ports['staff']}"], socket=runtime_api,
        check_inter="300ms")
    log = runtime_api.with_name("haproxy.log")
    with open(log, "wb") as out:
        proxy = subprocess.Popen(stack.haproxy(haproxy_env), env={**env, **haproxy_env}, start_new_session=True,
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: runtime_api.exists() or proxy.poll() is not None, "HAProxy's runtime API")
        assert proxy.poll() is None, log.read_text()
        served = Front(front_port, runtime_api, pools)
        wait_until(lambda: all(supervisor.http_ok(port)() for port in ports.values()), "the pools started")
        wait_until(lambda: all(served.status(b, f"{b}1") == "UP" for b in ("public", "queue", "staff"))
                   and served.status("public", "public2") == "DOWN", "health checks settled")
        yield served
    finally:
        for proc in (proxy, *pools.values()):
            supervisor.kill_group(proc)
            proc.wait()


def test_each_door_reaches_its_pool_through_the_one_address(front, clerk_token):
    signed = {"Authorization": f"Token {clerk_token}"}
    doors = [
        ("GET", "/", {}, "public", 200),
        ("GET", "/api/v1/performances/", {}, "public", 200),
        ("GET", "/api/v1/performances/", signed, "staff", 200),
        ("GET", "/performances/1/queue/", {}, "queue", 302),  # no waiting room: on to the shop
        ("GET", "/counter/", {}, "staff", 302),
        ("GET", "/admin/", {}, "staff", 302),
        ("GET", "/login/", {}, "staff", 200),
        # Written so that HAProxy's prefix does not see a staff page: the public pool, which
        # reads the decoded path, refuses it.
        ("GET", "/%63ounter/", {}, "public", 404),
    ]
    for method, path, headers, pool, status in doors:
        served_by, response = front.request(method, path, headers)
        assert (served_by, response.status) == (pool, status), (method, path, headers)
    assert front.stat()[("public", "public2")]["stot"] == "0"  # not ready: never sent a request


def test_a_clerk_opens_the_counter_at_the_one_address(front, clerk_token):
    browser = requests.Session()
    page = browser.get(f"{front.base}/counter/")  # to the sign-in, and back after it
    assert page.url.startswith(f"{front.base}/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    counter = browser.post(page.url, data={"username": "front-clerk", "password": "pw-front-clerk",
                                           "csrfmiddlewaretoken": csrf}, headers={"Referer": page.url})
    assert counter.status_code == 200 and counter.url == f"{front.base}/counter/"
    assert "Open a shift" in counter.text  # the counter, as a clerk starting the day sees it


def test_a_dead_pool_is_taken_out_and_its_doors_say_so(front):
    supervisor.kill_group(front.pools["staff"], signal.SIGKILL)
    wait_until(lambda: front.status("staff", "staff1") == "DOWN", "the staff pool marked down", seconds=10)
    served_by, response = front.request("GET", "/counter/")
    assert (served_by, response.status) == ("staff", 503)
    served_by, response = front.request("GET", "/")  # the other doors are unaffected
    assert (served_by, response.status) == ("public", 200)
