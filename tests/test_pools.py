import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_public_pool_never_serves_staff_pages(settings, clerk):
    settings.BOXOFFICE_POOL = "public"
    c = Client()
    c.force_login(clerk)
    assert c.get("/counter/").status_code == 404
    assert c.get("/admin/").status_code == 404
    assert c.get("/").status_code == 200


def test_a_staff_page_asked_of_the_public_address_says_where_it_lives(settings):
    settings.BOXOFFICE_POOL = "public"
    settings.STAFF_SITE_URL = "https://staff.example.org"
    page = Client().get("/counter/")
    assert page.status_code == 404
    assert b"Staff pages live at the staff address." in page.content
    assert b'href="https://staff.example.org/counter/"' in page.content
    settings.BOXOFFICE_POOL = "staff"
    settings.SITE_URL = "https://tickets.example.org"
    assert b'href="https://tickets.example.org/events/"' in Client().get("/events/").content



def test_the_public_pool_refuses_an_api_call_signed_with_a_staff_token(settings, performance, clerk):
    """The load balancer sends a staff token's calls to the staff pool. One that reaches the
    public pool anyway (a load balancer set up without that rule) is refused there in the
    API's shape, as a staff page is, rather than served beside the crowd: nothing is held."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from sales.models import Hold
    from tests.support import places_of

    settings.BOXOFFICE_POOL = "public"
    key = Token.objects.create(user=clerk).key
    hold = {"performance": performance.pk, "places": [places_of(performance)[0].pk]}
    for header in (f"Token {key}", f"token {key}"):
        misrouted = APIClient(HTTP_AUTHORIZATION=header).post("/api/v1/holds/", hold, format="json")
        assert misrouted.status_code == 404, misrouted.content
        assert misrouted.json()["error"]["code"] == "wrong_pool"
        assert "staff pool" in misrouted.json()["error"]["message"]
    assert not Hold.objects.exists()
    settings.BOXOFFICE_POOL = "staff"
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").post("/api/v1/holds/", hold, format="json").status_code == 201

def test_the_staff_pool_serves_only_staff(settings, clerk):
    settings.BOXOFFICE_POOL = "staff"
    c = Client()
    c.force_login(clerk)
    assert c.get("/counter/").status_code == 200
    assert c.get("/").status_code == 404
    assert c.get("/healthz").status_code == 200


def test_the_staff_pool_serves_the_api_to_signed_in_staff_only(settings, performance, clerk):
    """The load balancer sends an API call signed with a staff token's scheme (`Token`, in
    any case) to the staff pool, whose capacity keeps the counter and the phone selling
    while the online crowd fills the public one. A token there that signs in no member of
    staff (an account without a role, or no account) is refused, and buys nothing. Any
    other scheme (a proxy's Basic credentials) is the public pool's: the staff pool says
    so, and the public pool serves it as an anonymous buyer."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from sales.models import Hold
    from tests.support import client_for, make_user, places_of

    settings.BOXOFFICE_POOL = "staff"
    seat = places_of(performance)[0].pk
    hold = {"performance": performance.pk, "places": [seat]}
    roleless = Token.objects.create(user=make_user("no-role")).key
    for header, code in ((f"Token {roleless}", "staff_only"), (f"tOKEN {roleless}", "staff_only"),
                         ("Token " + "0" * 40, "authentication_failed")):
        api = APIClient(HTTP_AUTHORIZATION=header)
        refused = api.post("/api/v1/holds/", hold, format="json")
        assert refused.status_code == 401, refused.content
        assert refused.json()["error"]["code"] == code, header
        if code == "staff_only":
            assert "without a token" in refused.json()["error"]["message"]
        assert api.get("/api/v1/events/").status_code == 401
    for header in ("Basic dXNlcjpwYXNz", "", "Tokens x"):
        misrouted = APIClient(HTTP_AUTHORIZATION=header).post("/api/v1/holds/", hold, format="json")
        assert misrouted.status_code == 404 and misrouted.json()["error"]["code"] == "wrong_pool", header
    assert not Hold.objects.exists()
    assert client_for(clerk).get("/api/v1/events/").status_code == 200
    settings.BOXOFFICE_POOL = "public"
    assert APIClient(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").get("/api/v1/events/").status_code == 200
    settings.BOXOFFICE_POOL = "all"  # one process serving every door: the buyer is served
    assert APIClient(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").get("/api/v1/events/").status_code == 200


def test_the_queue_pool_serves_the_waiting_room_only(settings, clerk):
    settings.BOXOFFICE_POOL = "queue"
    c = Client()
    c.force_login(clerk)
    assert c.get("/").status_code == 404
    assert c.get("/counter/").status_code == 404
    assert c.get("/healthz").status_code == 200


CONNECT = """
import sys, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    print(cursor.fetchone()[0], flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize(("prefix", "policy", "nice"), [
    (["chrt", "--idle", "0", "nice", "-n", "5"], os.SCHED_IDLE, 5),  # make run's public pool
    (["nice", "-n", "7"], os.SCHED_OTHER, 7),
    ([], os.SCHED_OTHER, 0),  # the staff pool: left as it is
])
def test_a_pools_database_backend_runs_at_the_pools_priority(prefix, policy, nice):
    """On one machine, a process's PostgreSQL backend (in the server's own session) gets
    the process's scheduling class and niceness as soon as Django connects."""
    child = subprocess.Popen([*prefix, sys.executable, "-c", CONNECT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             env=_database_here(), text=True)
    try:
        backend = int(child.stdout.readline())
        assert os.sched_getscheduler(backend) == policy
        assert os.getpriority(os.PRIO_PROCESS, backend) == nice
    finally:
        child.communicate("", timeout=30)


def test_background_work_and_its_database_backend_run_in_the_idle_cgroup():
    """Where the machine lets us make cgroups, a pool spawned as background work (make
    run's public pool and Celery worker, the crowd benchmark's pools) starts inside the
    idle cgroup, before it can fork its workers, and so does the PostgreSQL backend it
    opens; the staff pool stays where it is."""
    from tooling import background, stack

    if background.idle_cgroup() is None:
        pytest.skip("no cgroup of ours on this machine: the idle class and niceness remain")
    env = _database_here()
    children = {idle: stack.spawn([sys.executable, "-c", CONNECT], idle=idle, nice=3 if idle else 0, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for idle in (True, False)}
    try:
        for idle, child in children.items():
            backend = int(child.stdout.readline())
            for pid in (child.pid, backend):
                in_group = background.NAME in Path(f"/proc/{pid}/cgroup").read_text()
                assert in_group == idle, (pid, idle)
            assert (os.sched_getscheduler(backend) == os.SCHED_IDLE) == idle
    finally:
        for child in children.values():
            child.communicate("", timeout=30)
        background.remove()


def _database_here() -> dict:
    """The environment for a child process to reach the test database, or a skip when
    PostgreSQL runs elsewhere (its backends are not ours to inspect)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        try:
            os.getpriority(os.PRIO_PROCESS, cursor.fetchone()[0])
        except OSError:
            pytest.skip("PostgreSQL runs elsewhere")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url}


@pytest.mark.django_db(transaction=True)  # pg_stat_activity read afresh, not a transaction's snapshot
def test_a_web_thread_that_ends_closes_its_database_connection():
    """The web server ends a thread left idle (granian: --blocking-threads-idle-timeout)
    and starts another when requests come back. The connection the ended thread opened
    must close with it: left for the garbage collector, such connections pile up, and
    behind PgBouncer in session mode they hold the pool's server connections until the
    live threads wait for one and the pool stops answering."""
    import concurrent.futures

    import requests
    from django.conf import settings
    from django.db import connection

    from tests.support import process_env
    from tests.test_front import wait_until
    from tests.test_stack import free_port
    from tooling import stack, supervisor

    def open_connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND application_name = 'boxoffice-public'")
            return cursor.fetchone()[0]

    threads, idle_timeout = 2, 5  # granian's shortest
    port = free_port()
    command = stack.granian(port, workers=1, threads=threads)
    command[-1:-1] = ["--blocking-threads-idle-timeout", str(idle_timeout)]
    server = subprocess.Popen(
        command, cwd=settings.BASE_DIR, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env=process_env(
            BOXOFFICE_POOL="public", LOG_LEVEL="CRITICAL", REDIS_URL=settings.REDIS_URL,
            WAITING_ROOM_REDIS_URL=settings.WAITING_ROOM_REDIS_URL, CACHE_URL=settings.CACHES["default"]["LOCATION"]))
    try:
        wait_until(supervisor.http_ok(port), "the pool started")
        ready = f"http://127.0.0.1:{port}/readyz"  # a query on the thread's connection
        seen = []
        for _ in range(4):  # busy, then idle long enough for its threads to end
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda _: requests.get(ready, timeout=30).status_code, range(40)))
            assert set(answers) == {200}
            time.sleep(idle_timeout + 1.5)
            seen.append(open_connections())
        assert max(seen) <= threads, f"connections left open after each idle spell: {seen}"
    finally:
        supervisor.kill_group(server)
        server.wait()
