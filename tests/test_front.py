"""The one address: HAProxy running deploy/haproxy.cfg, as `make run` and production run
it, in front of real pools (granian) working on the test database through PgBouncer.
Which pool a request reached is read from HAProxy's own counters."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings

from sales.policy import COUNTER_CLERK
from tests.support import BROKER_DB, CACHE_DB, WAITING_ROOM_DB, drawer, make_performance, make_user, process_env
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
    def __init__(self, port: int, runtime_api: Path, pools: dict[str, subprocess.Popen], starts: dict):
        self.port, self.runtime_api, self.pools, self.starts = port, runtime_api, pools, starts
        self.base = f"http://127.0.0.1:{port}"

    def restart(self, pool: str) -> None:
        """Start a pool again and wait until HAProxy sends it requests."""
        self.pools[pool] = self.starts[pool]()
        wait_until(lambda: self.status(pool, f"{pool}1") == "UP", f"the {pool} pool back up")

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
    env = process_env(BEHIND_PROXY="1", CACHE_URL=f"{redis_base}/{CACHE_DB}", LOG_LEVEL="WARNING",
                      WAITING_ROOM_REDIS_URL=f"{redis_base}/{WAITING_ROOM_DB}",
                      CELERY_BROKER_URL=f"{redis_base}/{BROKER_DB}")
    # Each pool reaches PostgreSQL through PgBouncer, as under `make run`.
    db = settings.DATABASES["default"]
    bouncer_port = free_port()
    bouncer = stack.pgbouncer_config(port=bouncer_port, pg_host=db["HOST"], pg_port=db["PORT"], db_name=db["NAME"],
                                     name=f"pgbouncer-test-{bouncer_port}")
    pools = {"pgbouncer": subprocess.Popen(stack.pgbouncer(bouncer), start_new_session=True,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)}
    ports = {pool: free_port() for pool in ("public", "queue", "staff", "unready")}
    starts = {}
    for pool, port in ports.items():
        database = "staff" if pool == "staff" else "public"
        pool_env = {**env, "BOXOFFICE_POOL": pool,
                    **stack.pgbouncer_environment(database, bouncer, stack.PGBOUNCER_POOLS[database], bouncer_port)}
        if pool == "unready":  # alive (/healthz) but its PostgreSQL is away: not ready (/readyz)
            pool_env.update(BOXOFFICE_POOL="public", DATABASE_URL=f"postgres://boxoffice@127.0.0.1:{free_port()}/x")
        starts[pool] = lambda port=port, pool_env=pool_env: subprocess.Popen(
            stack.granian(port, workers=1, threads=2), cwd=settings.BASE_DIR, env=pool_env,
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pools[pool] = starts[pool]()
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
        served = Front(front_port, runtime_api, pools, starts)
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
        # What a staff page asks for beside itself (its styles, its scripts, the language
        # switch) comes from the staff pool: a crowd on the public pool does not leave the
        # counter without them. The shop's, from the public pool.
        ("GET", "/static/staff.js", {"Referer": "http://localhost/counter/sale/12/"}, "staff", 200),
        ("GET", "/i18n/setlang/", {"Referer": "http://localhost/phone/"}, "staff", 302),
        ("GET", "/i18n/setlang/", {"Referer": "http://localhost/"}, "public", 302),
        ("GET", "/static/staff.js", {"Referer": "https://localhost/admin/sales/order/"}, "staff", 200),
        ("GET", "/static/shop.css", {"Referer": "http://localhost/performances/1/"}, "public", 200),
        ("GET", "/static/shop.css", {"Referer": "http://localhost/static/counterfeit/"}, "public", 200),
        ("GET", "/static/shop.css", {}, "public", 200),
    ]
    for method, path, headers, pool, status in doors:
        served_by, response = front.request(method, path, headers)
        assert (served_by, response.status) == (pool, status), (method, path, headers)
        assert response.getheader("Server") is None, path  # which server runs the pools is nobody's business
    assert front.stat()[("public", "public2")]["stot"] == "0"  # not ready: never sent a request


def test_only_a_staff_token_takes_an_api_call_to_the_staff_pool(front, clerk_token):
    """A proxy or a gateway in front of the shop adding Basic credentials (an intranet, a
    staging site) leaves its callers what they are: anonymous buyers, served by the
    public pool. The staff pool gets the calls signed with a token (its scheme in any
    case), and refuses one that signs in nobody."""
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    served_by, response = front.request("GET", "/api/v1/performances/", basic)
    assert (served_by, response.status) == ("public", 200)
    served_by, response = front.request("GET", "/api/v1/tickets/NOPE/", basic)  # staff only: for anonymous callers, no
    assert (served_by, response.status) == ("public", 401), response.body
    assert json.loads(response.body)["error"]["code"] == "not_authenticated"
    for scheme in ("Token", "token", "TOKEN"):  # a clerk, asking for a ticket that is not
        signed = {"Authorization": f"{scheme} {clerk_token}"}
        served_by, response = front.request("GET", "/api/v1/tickets/NOPE/", signed)
        assert (served_by, response.status) == ("staff", 404), scheme
    served_by, response = front.request("GET", "/api/v1/performances/", {"Authorization": "Token " + "0" * 40})
    assert (served_by, response.status) == ("staff", 401)
    assert json.loads(response.body)["error"]["code"] == "authentication_failed"


def test_a_clerk_opens_the_counter_at_the_one_address(front, clerk_token):
    browser = requests.Session()
    page = browser.get(f"{front.base}/counter/")  # to the sign-in, and back after it
    assert page.url.startswith(f"{front.base}/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    counter = browser.post(page.url, data={"username": "front-clerk", "password": "pw-front-clerk",
                                           "csrfmiddlewaretoken": csrf}, headers={"Referer": page.url})
    assert counter.status_code == 200 and counter.url == f"{front.base}/counter/"
    assert "Open a shift" in counter.text  # the counter, as a clerk starting the day sees it


@pytest.mark.django_db(transaction=True)  # committed: the pools must see the performance
def test_a_buyer_and_a_clerk_sell_at_the_one_address_through_pgbouncer(front):
    from rest_framework.authtoken.models import Token

    from sales.models import Place

    perf = make_performance(rows=1, per_row=4)
    clerk_user = make_user("front-clerk-2", COUNTER_CLERK)
    drawer(clerk_user)  # the cash goes into the clerk's open shift
    clerk = Token.objects.create(user=clerk_user).key
    card = {"method": "test_card", "card_number": "4242424242424242"}
    for headers, payment in (({}, card), ({"Authorization": f"Token {clerk}"}, {"method": "cash", "tendered": "100"})):
        seller = requests.Session()
        seller.headers.update(headers)
        place = Place.objects.filter(performance=perf, state="available").order_by("pk").first()
        hold = seller.post(f"{front.base}/api/v1/holds/", json={"performance": perf.pk, "places": [place.pk]})
        assert hold.status_code == 201, hold.text
        order = {"hold": hold.json()["token"], "customer": {"name": "Front", "email": "front@example.org"},
                 "payment": payment}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        paid = seller.post(f"{front.base}/api/v1/orders/", json=order, headers=key)
        assert paid.status_code == 201, paid.text
        again = seller.post(f"{front.base}/api/v1/orders/", json=order, headers=key)  # a retry is answered as the first
        assert again.json() == paid.json() and again.headers["Idempotent-Replayed"] == "true"
    assert Place.objects.filter(performance=perf, state="sold").count() == 2


@pytest.mark.django_db(transaction=True)  # committed: the pools must see the performance
def test_a_body_sent_in_chunks_reaches_the_api_whole(front):
    """Transfer-Encoding: chunked, no Content-Length (a client streaming its body): the
    hold is made, not refused as if its body were empty."""
    from sales.models import Place

    perf = make_performance(rows=1, per_row=2)
    place = Place.objects.filter(performance=perf).order_by("pk").first()
    body = json.dumps({"performance": perf.pk, "places": [place.pk]}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=30)
    try:
        conn.request("POST", "/api/v1/holds/", body=iter([body[:9], body[9:]]), encode_chunked=True,
                     headers={"Host": "localhost", "Content-Type": "application/json"})
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    assert response.status == 201, answer
    assert json.loads(answer)["places"][0]["id"] == place.pk


@pytest.mark.parametrize(("pool", "page", "api", "other"), [
    ("staff", "/counter/", {"Authorization": "Token x"}, "/"),
    ("public", "/", {"Authorization": "Basic dXNlcjpwYXNz"}, "/counter/"),
    ("queue", "/performances/1/queue/", None, "/"),
])
def test_a_dead_pool_is_taken_out_and_its_doors_say_so(front, pool, page, api, other):
    """While no server of a pool is up, its pages answer people with a page of ours, in
    both languages (HAProxy cannot know theirs), saying when to try again; its API calls
    get the API's own error shape. The other pools' doors are unaffected."""
    supervisor.kill_group(front.pools[pool], signal.SIGKILL)
    front.pools[pool].wait()
    try:
        wait_until(lambda: front.status(pool, f"{pool}1") == "DOWN", f"the {pool} pool marked down", seconds=10)
        served_by, response = front.request("GET", page)
        assert (served_by, response.status) == (pool, 503)
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.getheader("Retry-After") == "5" and response.getheader("Cache-Control") == "no-store"
        text = response.body.decode()
        assert "try again in a few seconds" in text and "réessayez dans quelques secondes" in text
        # Nothing to fetch from a pool that is down.
        assert "://" not in text and "src=" not in text and "href" not in text
        if api is not None:
            served_by, response = front.request("GET", "/api/v1/orders/ABC/", api)
            assert (served_by, response.status) == ("HAProxy", 503)  # the API's own shape, not an HTML page
            assert json.loads(response.body)["error"]["code"] == "service_unavailable"
            assert response.getheader("Retry-After")
        served_by, response = front.request("GET", other)  # the other doors are unaffected
        assert served_by != pool and response.status in (200, 302)
    finally:
        # Back for the module's other tests, whichever order they run in (pytest-django
        # runs the transactional ones last).
        front.restart(pool)
    served_by, response = front.request("GET", page)
    assert (served_by, response.status) == (pool, 302 if pool != "public" else 200)


def test_a_server_without_redis_keeps_selling_and_one_without_postgresql_is_taken_out(tmp_path):
    """Every server shares the one Redis: were its absence to make a server unready, the
    front would take them all out at once and stop the sales that go on without Redis
    (docs/operations.md). A server is ready when PostgreSQL answers."""
    away = f"redis://127.0.0.1:{free_port()}"
    redis_base = settings.REDIS_URL.rsplit("/", 1)[0]
    env = process_env(BEHIND_PROXY="1", LOG_LEVEL="WARNING", BOXOFFICE_POOL="public")
    servers = {
        "no Redis": {"REDIS_URL": f"{away}/0", "CACHE_URL": f"{away}/1", "WAITING_ROOM_REDIS_URL": f"{away}/4",
                     "CELERY_BROKER_URL": f"{away}/0"},
        "no PostgreSQL": {"DATABASE_URL": f"postgres://boxoffice@127.0.0.1:{free_port()}/boxoffice",
                          "CACHE_URL": f"{redis_base}/{CACHE_DB}",
                          "WAITING_ROOM_REDIS_URL": f"{redis_base}/{WAITING_ROOM_DB}",
                          "CELERY_BROKER_URL": f"{redis_base}/{BROKER_DB}"},
    }
    ports = {name: free_port() for name in servers}
    processes = [subprocess.Popen(stack.granian(ports[name], workers=1, threads=2), cwd=settings.BASE_DIR,
                                  env={**env, **extra}, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for name, extra in servers.items()]
    runtime_api = tmp_path / "haproxy.sock"
    no_redis, no_postgresql = (f"127.0.0.1:{ports[name]}" for name in servers)
    haproxy_env = stack.haproxy_environment(f"127.0.0.1:{free_port()}", public=[no_redis, no_postgresql],
                                            queue=[no_redis], staff=[no_redis], socket=runtime_api,
                                            check_inter="300ms")
    try:
        wait_until(lambda: all(supervisor.http_ok(port)() for port in ports.values()), "the servers started")
        processes.append(subprocess.Popen(stack.haproxy(haproxy_env), env={**env, **haproxy_env},
                                          start_new_session=True, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.STDOUT))
        wait_until(runtime_api.exists, "HAProxy's runtime API")
        front = Front(int(haproxy_env["BOXOFFICE_FRONT"].rsplit(":", 1)[1]), runtime_api, {}, {})
        wait_until(lambda: front.status("public", "public2") == "DOWN", "the server without PostgreSQL taken out")
        wait_until(lambda: front.status("public", "public1") == "UP", "the server without Redis in", seconds=10)
        served_by, response = front.request("GET", "/")
        assert (served_by, response.status) == ("public", 200)
        assert front.stat()[("public", "public2")]["stot"] == "0"
    finally:
        for proc in processes:
            supervisor.kill_group(proc)
            proc.wait()


def test_every_page_has_an_icon_and_browsers_asking_for_favicon_ico_find_it(client):
    from pathlib import Path

    from django.conf import settings

    assert (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text().startswith("<svg")
    asked = client.get("/favicon.ico")
    assert asked.status_code == 301 and "favicon" in asked["Location"] and asked["Location"].endswith(".svg")
    assert 'rel="icon"' in client.get("/").content.decode()


class HoldingServer(ThreadingHTTPServer):
    """A pool's server that is ready at once and holds every other request for the
    seconds its `hold` parameter says (none: answers at once); with `cut`, it then closes
    the connection without an answer."""

    daemon_threads = True

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                asked = parse_qs(urlsplit(self.path).query)
                time.sleep(float(asked.get("hold", ["0"])[0]))
                if "cut" in asked:  # its worker gone before the answer: the connection closed
                    self.close_connection = True
                    return
                body = b"served"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # HAProxy may have given up on it
                    self.wfile.write(body)

            do_POST = do_GET  # the body left unread: what a pool does before it answers

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@contextlib.contextmanager
def front_of_holding_server(tmp_path, config: str | None = None):
    """deploy/haproxy.cfg (or `config`, a changed copy of it), with the files beside it, in
    front of one HoldingServer serving every pool: (the front's port, a Front to read it)."""
    deploy = tmp_path / "deploy"
    shutil.copytree(stack.HAPROXY_CONFIG.parent, deploy)
    if config is not None:
        (deploy / "haproxy.cfg").write_text(config)
    server = HoldingServer()
    address = f"127.0.0.1:{server.server_address[1]}"
    runtime_api = tmp_path / "haproxy.sock"
    port = free_port()
    haproxy_env = stack.haproxy_environment(f"127.0.0.1:{port}", public=[address], queue=[address],
                                            staff=[address], socket=runtime_api, check_inter="300ms")
    proxy = subprocess.Popen(stack.haproxy(haproxy_env, config=deploy / "haproxy.cfg"),
                             env={**os.environ, **haproxy_env}, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until(runtime_api.exists, "HAProxy's runtime API")
        yield port, Front(port, runtime_api, {}, {})
    finally:
        supervisor.kill_group(proxy)
        proxy.wait()
        server.shutdown()


def test_a_request_held_up_by_a_busy_pool_meets_our_page_and_the_api_its_json(tmp_path):
    """Past `timeout queue` (every connection a pool's servers take in use) and past
    `timeout server` (a server that does not answer), HAProxy answers itself, as while no
    server is up: people meet our page in both languages with when to try again, the API
    its own error shape. deploy/haproxy.cfg as it is, but with one connection per server
    and short waits, so that one held request fills a pool."""
    config = stack.HAPROXY_CONFIG.read_text()
    for pattern, short in ((r"timeout queue \S+", "timeout queue 1s"), (r"timeout server \S+", "timeout server 3s"),
                           (r"maxconn \d+", "maxconn 1")):
        config, count = re.subn(pattern, short, config)
        assert count, pattern

    def get(path: str, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": "localhost", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()  # headers: any case
        finally:
            conn.close()

    signed = {"Authorization": "Token x"}
    pages = {"public": "/", "queue": "/performances/1/queue/", "staff": "/counter/"}
    api = {"public": ({}, "/api/v1/performances/"), "staff": (signed, "/api/v1/tickets/NOPE/")}
    with front_of_holding_server(tmp_path, config) as (port, front):
        wait_until(lambda: all(front.status(b, f"{b}1") == "UP" for b in pages), "the pools up")
        with ThreadPoolExecutor(max_workers=16) as pool:
            # Each pool's one connection held for longer than a request may wait for it.
            holding = [pool.submit(get, f"{page}?hold=2.5") for page in pages.values()]
            time.sleep(0.5)
            waiting = {(name, "page"): pool.submit(get, page) for name, page in pages.items()}
            waiting.update({(name, "api"): pool.submit(get, path, headers) for name, (headers, path) in api.items()})
            answers = {key: future.result() for key, future in waiting.items()}
            assert all(future.result()[0] == 200 for future in holding)  # the held ones were served
            # A server silent for longer than `timeout server`: 504, in the same shapes (the
            # pages first, then the API calls: one connection per pool).
            silent = {(name, "page"): pool.submit(get, f"{page}?hold=5") for name, page in pages.items()}
            late = {key: future.result() for key, future in silent.items()}
            silent = {(name, "api"): pool.submit(get, f"{path}?hold=5", headers)
                      for name, (headers, path) in api.items()}
            late.update({key: future.result() for key, future in silent.items()})
            # A server cut off before its answer (its worker killed): 502, in the same shapes.
            cut = {(name, "page"): pool.submit(get, f"{page}?cut=1") for name, page in pages.items()}
            cut.update({(name, "api"): pool.submit(get, f"{path}?cut=1", headers)
                        for name, (headers, path) in api.items()})
            cut = {key: future.result() for key, future in cut.items()}
        for status, replies in ((503, answers), (504, late), (502, cut)):
            for (name, door), (got, headers, body) in replies.items():
                assert got == status, (name, door, got, body)
                assert headers.get("Retry-After") == "5", (name, door, dict(headers))
                assert headers.get("Cache-Control") == "no-store", (name, door, dict(headers))
                if door == "api":
                    assert headers["Content-Type"] == "application/json", (name, headers)
                    error = json.loads(body)["error"]
                    codes = {503: "service_unavailable", 504: "gateway_timeout", 502: "bad_gateway"}
                    assert error["code"] == codes[status]
                    assert error["message"]
                else:
                    assert headers["Content-Type"] == "text/html; charset=utf-8", (name, headers)
                    text = body.decode()
                    assert "try again" in text and "réessayez" in text, (name, text)
                    # As written (HAProxy's formatting escapes a line break as text: %0A).
                    assert text.startswith("<!doctype html>") and "%0A" not in text, (name, text[:200])
                    # The same page, with a 504's or a 502's own words: what was asked may have been done.
                    assert "<style>" in text and ("did not finish answering" in text) == (status != 503), (name, text)
                    assert "://" not in text and "src=" not in text and "href" not in text


def test_too_many_requests_meet_our_page_and_the_api_its_json(tmp_path):
    """HAProxy's own rate limit on the staff pool (per address) answers a person with a
    short page of ours in both languages, saying when to try again, and a staff API call
    with the API's error shape; nothing is sent on to the pool. deploy/haproxy.cfg as it
    is, with a limit of three requests, so that a few requests reach it."""
    config, count = re.subn(r"sc_http_req_rate\(0\) gt \d+", "sc_http_req_rate(0) gt 3",
                            stack.HAPROXY_CONFIG.read_text())
    assert count
    with front_of_holding_server(tmp_path, config) as (port, front):
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: front.status("staff", "staff1") == "UP", "the staff pool up")
        pages = [requests.get(f"{base}/counter/", timeout=10) for _ in range(6)]
        assert [page.status_code for page in pages[:3]] == [200] * 3
        page = pages[-1]
        assert page.status_code == 429
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page.headers["Retry-After"] == "10" and page.headers["Cache-Control"] == "no-store"
        assert page.text.startswith("<!doctype html>") and "%0A" not in page.text
        assert "<title>" in page.text and "wait a few seconds" in page.text and "quelques secondes" in page.text
        assert "://" not in page.text and "src=" not in page.text and "href" not in page.text
        api = requests.get(f"{base}/api/v1/tickets/NOPE/", headers={"Authorization": "Token x"}, timeout=10)
        assert api.status_code == 429 and api.headers["Content-Type"] == "application/json"
        assert api.headers["Retry-After"] == "10"
        error = api.json()["error"]
        assert error["code"] == "rate_limited" and "wait a few seconds" in error["message"]
        # The public pool has no limit here: the shop goes on.
        assert requests.get(f"{base}/", timeout=10).status_code == 200


def test_a_request_whose_body_cannot_be_read_meets_our_page_and_the_api_its_json(tmp_path):
    """A body whose chunked framing is broken (sent after its headers, as a client
    streaming it would) is refused by HAProxy itself with 400: people meet a short page of
    ours in both languages, an API call the API's error shape, never HAProxy's own page."""
    def broken_body(path: str) -> tuple[int, dict, str]:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
            time.sleep(0.3)  # the headers on their way first: the body is read apart
            conn.sendall(b"ZZ\r\nnot a chunk size\r\n0\r\n\r\n")
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        head, _sep, body = answer.decode().partition("\r\n\r\n")
        status_line, *lines = head.split("\r\n")
        headers = {name.lower(): value.strip() for name, _colon, value in (line.partition(":") for line in lines)}
        return int(status_line.split()[1]), headers, body

    with front_of_holding_server(tmp_path) as (port, front):
        wait_until(lambda: all(front.status(b, f"{b}1") == "UP" for b in ("public", "staff")), "the pools up")
        # The server holds the request: HAProxy meets the broken body before any answer.
        status, headers, page = broken_body("/?hold=3")
        assert status == 400 and headers["content-type"] == "text/html; charset=utf-8", (status, headers, page)
        assert headers["cache-control"] == "no-store"
        assert page.startswith("<!doctype html>") and "%0A" not in page and "<style>" in page
        assert "could not be read" in page and "n’a pas pu être lue" in page, page
        assert "://" not in page and "src=" not in page and "href" not in page
        status, headers, body = broken_body("/api/v1/holds/?hold=3")
        assert status == 400 and headers["content-type"] == "application/json", (status, headers, body)
        error = json.loads(body)["error"]
        assert error["code"] == "bad_request" and "nothing was done" in error["message"]


# What HAProxy answers itself, before a request reaches any rule: a request whose first line
# or headers cannot be parsed (400), or whose headers do not arrive within `timeout
# http-request` (408). Files beside haproxy.cfg, whole HTTP responses, in both languages.
OWN_ERROR_FILES = {
    "unreadable-request.http": (400, "Your request could not be read; please reload.",
                                "Votre demande n’a pas pu être lue\u00a0; veuillez recharger la page."),
    "slow-request.http": (408, "Your request did not arrive in time; please reload.",
                          "Votre demande n’est pas arrivée à temps\u00a0; veuillez recharger la page."),
}


def parsed_response(raw: bytes) -> tuple[int, dict, str]:
    head, _sep, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("ascii").split("\r\n")
    headers = {name.lower(): value.strip() for name, _colon, value in (line.partition(":") for line in lines)}
    if "content-length" in headers:
        assert int(headers["content-length"]) == len(body), (headers, len(body))
    return int(status_line.split()[1]), headers, body.decode()


def test_haproxys_own_error_files_are_whole_responses_in_both_languages():
    """HAProxy sends an errorfile as it is, head and body: each is a complete response
    whose Content-Length is its body's, a page of ours with no outside resources, and the
    front names it for its status."""
    config = stack.HAPROXY_CONFIG.read_text()
    for name, (code, english, french) in OWN_ERROR_FILES.items():
        status, headers, page = parsed_response((stack.HAPROXY_CONFIG.parent / name).read_bytes())
        assert status == code and headers["content-type"] == "text/html; charset=utf-8", (name, headers)
        assert headers["cache-control"] == "no-store" and headers["connection"] == "close"
        assert page.startswith("<!doctype html>") and "<style>" in page
        assert english in page and french in page, page
        assert "://" not in page and "src=" not in page and "href" not in page
        assert re.search(rf"^\s*errorfile {code} {re.escape(name)}$", config, re.M), name


def haproxy_version() -> tuple[int, int]:
    program = stack.debian_program("/usr/sbin/haproxy", "haproxy", "HAProxy")
    shown = subprocess.run([program, "-v"], capture_output=True, text=True, check=True).stdout
    major, minor = re.search(r"version (\d+)\.(\d+)", shown).groups()
    return int(major), int(minor)


def test_a_malformed_or_unfinished_request_meets_the_box_offices_page(tmp_path, request):
    """A request line HAProxy cannot parse gets our 400 page; headers that never finish
    within `timeout http-request` (shortened here) our 408 page; neither reaches a pool."""
    if haproxy_version() < (3, 3):
        # Its HTTP/1 layer answers these before any stream exists, from fixed text.
        request.applymarker(pytest.mark.xfail(reason="HAProxy before 3.3 answers an unparsable or unfinished "
                                                     "request with its own page, whatever errorfile says"))

    def answer(sent: bytes) -> tuple[int, dict, str]:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(sent)
            raw = b""
            while chunk := conn.recv(65536):
                raw += chunk
        return parsed_response(raw)

    config, count = re.subn(r"timeout http-request \S+", "timeout http-request 1s", stack.HAPROXY_CONFIG.read_text())
    assert count == 1
    with front_of_holding_server(tmp_path, config) as (port, front):
        wait_until(lambda: front.status("public", "public1") == "UP", "the public pool up")
        for sent, name in ((b"GET /a page with spaces HTTP/1.1\r\nHost: localhost\r\n\r\n", "unreadable-request.http"),
                           (b"GET / HTTP/1.1\r\nHost: localhost\r\n", "slow-request.http")):
            code, english, french = OWN_ERROR_FILES[name]
            status, headers, page = answer(sent)
            assert status == code and headers["content-type"] == "text/html; charset=utf-8", (status, headers, page)
            assert english in page and french in page, page
        assert int(front.stat()[("public", "BACKEND")]["stot"]) == 0
