"""A multi-host rehearsal on one machine: the box office as separate hosts, each in a
network namespace of its own on a private bridge, with HAProxy in front.

    python -m tooling.fleet [--rows 30 --per-row 50] [--concurrency 32] [--kill-at 0.4] [--probes 6]

Hosts (10.77.N.0/24, N from BOXOFFICE_WEB_PORT; nothing leaves this machine):
  db      PostgreSQL primary (:5432), a streaming replica made with pg_basebackup (:5433),
          and PgBouncer (:6432, deploy/pgbouncer.ini) in front of the primary
  redis   Redis (cache, broker, waiting room) and the Celery worker, through PgBouncer
  web1    granian serving the public pool, through PgBouncer; seat maps and catalogue
          counts from the replica
  web2    the same
HAProxy, in this machine's own namespace, listens on 127.0.0.1:BOXOFFICE_WEB_PORT+4 with
both web hosts as servers of every pool (deploy/haproxy.cfg), checking /readyz every 0.5 s.

Buyers (hold + pay through the API, retrying a failed request with the same idempotency
key, as an integration does) sell out a performance through HAProxy. When --kill-at of
it is sold, every process of web1 is killed (SIGKILL). Meanwhile a probe buys single
seats of a small performance from web1 and reads the seat map from web2, which reads the
replica, until the seat shows sold. Printed: tickets sold, the oversell check (read from
the primary), the errors clients saw during the failover, the time to recover, HAProxy's
time to mark web1 down, how stale the seat map on one host is after a sale on the
other, and the most server connections the primary had from PgBouncer and from the web
hosts directly (none). Last, the replica is stopped and web2's seat map must still answer, from the
primary. The namespaces, the bridge and every process are removed at the end, failure or not.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tooling import stack

PREFIX = f"bo{stack.WEB_PORT}"
SUBNET = f"10.77.{stack.WEB_PORT % 250}"
BRIDGE = f"{PREFIX}br"
HOSTS = {"db": 2, "redis": 3, "web1": 4, "web2": 5}
# Past the ports of `make run` (WEB_PORT to WEB_PORT+3), which may be up beside a rehearsal.
FRONT_PORT = int(os.environ.get("BOXOFFICE_FLEET_PORT", str(stack.WEB_PORT + 4)))
WEB = 8000  # each web host has its own ports: the same one on both
FLEET = stack.STACK / "fleet"
LIVE_UPDATE_SECONDS = 3.0  # an open seat map polls its taken seats this often (templates/sales/_seatmap.html)


def log(msg: str) -> None:
    print(f"[fleet] {msg}", flush=True)


def ns(host: str) -> str:
    return f"{PREFIX}-{host}"


def addr(host: str) -> str:
    return f"{SUBNET}.{HOSTS[host]}"


def sh(*args: str, host: str | None = None, check: bool = True, **kw) -> subprocess.CompletedProcess:
    prefix = ["ip", "netns", "exec", ns(host)] if host else []
    return subprocess.run([*prefix, *args], check=check, **kw)


def as_postgres(*args: str, host: str = "db", **kw) -> subprocess.CompletedProcess:
    return sh("runuser", "-u", "postgres", "--", *args, host=host, **kw)


def answers(address: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((address, port)) == 0


def in_host(host: str, cmd: list[str], out, **kw) -> subprocess.Popen:
    return subprocess.Popen(["ip", "netns", "exec", ns(host), *cmd], start_new_session=True, cwd=stack.ROOT,
                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)


# --- the network -----------------------------------------------------------------------

def network_up() -> None:
    log(f"bridge {BRIDGE} {SUBNET}.1/24; hosts " + ", ".join(f"{h} {addr(h)}" for h in HOSTS))
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", f"{SUBNET}.1/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    for host in HOSTS:
        sh("ip", "netns", "add", ns(host))
        sh("ip", "link", "add", f"{PREFIX}{host}", "type", "veth", "peer", "name", "eth0", "netns", ns(host))
        sh("ip", "link", "set", f"{PREFIX}{host}", "master", BRIDGE, "up")
        sh("ip", "addr", "add", f"{addr(host)}/24", "dev", "eth0", host=host)
        sh("ip", "link", "set", "eth0", "up", host=host)
        sh("ip", "link", "set", "lo", "up", host=host)


def host_pids(host: str) -> list[int]:
    found = sh("ip", "netns", "pids", ns(host), check=False, capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()] if found.returncode == 0 else []


def kill_host(host: str) -> int:
    """SIGKILL every process of the host, as a power cut would. Returns how many."""
    pids = host_pids(host)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def network_down() -> None:
    """Everything this command made, whatever state a failed run left it in."""
    for host in HOSTS:
        kill_host(host)
    time.sleep(0.3)
    for host in HOSTS:
        sh("ip", "netns", "del", ns(host), check=False, stderr=subprocess.DEVNULL)
        sh("ip", "link", "del", f"{PREFIX}{host}", check=False, stderr=subprocess.DEVNULL)
    sh("ip", "link", "del", BRIDGE, check=False, stderr=subprocess.DEVNULL)


# --- the hosts -------------------------------------------------------------------------

def database_host() -> Path:
    """A primary, then a hot standby copied from it by pg_basebackup and kept up to date
    by streaming replication."""
    bindir = stack.pg_bindir()
    base = FLEET / "pg"
    (base / "run").mkdir(parents=True)
    subprocess.run(["chown", "-R", "postgres:", str(FLEET)], check=True)
    if subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(base)]).returncode != 0:
        # `postgres` cannot reach the checkout (a private home folder): as tooling.stack does.
        base = Path(f"/var/tmp/boxoffice-fleet-{stack.WEB_PORT}")
        shutil.rmtree(base, ignore_errors=True)
        (base / "run").mkdir(parents=True)
        subprocess.run(["chown", "-R", "postgres:", str(base)], check=True)
    primary, replica = base / "primary", base / "replica"
    as_postgres(str(bindir / "initdb"), "-D", str(primary), "-U", stack.DB_USER, "--auth=trust", *stack.LOCALE,
                stdout=subprocess.DEVNULL)
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(f"\nlisten_addresses = '{addr('db')}'\nport = 5432\nunix_socket_directories = '{base / 'run'}'\n"
                   "max_connections = 200\nshared_buffers = 128MB\nwal_level = replica\n")
    with open(primary / "pg_hba.conf", "a") as hba:
        hba.write(f"host all all {SUBNET}.0/24 trust\nhost replication all {SUBNET}.0/24 trust\n")
    as_postgres(str(bindir / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start",
                stdout=subprocess.DEVNULL)
    as_postgres(str(bindir / "createdb"), "-h", addr("db"), "-U", stack.DB_USER, stack.DB_NAME)
    log("primary up; copying it to the replica (pg_basebackup)")
    as_postgres(str(bindir / "pg_basebackup"), "-h", addr("db"), "-p", "5432", "-U", stack.DB_USER, "-D",
                str(replica), "-R", "-X", "stream", "-c", "fast")
    as_postgres(str(bindir / "pg_ctl"), "-D", str(replica), "-l", str(base / "replica.log"), "-o", "-p 5433",
                "-w", "start", stdout=subprocess.DEVNULL)
    return replica


def replica_outage(replica: Path, performance_id: int, sold: int) -> bool:
    """Stop the replica as a crash would, then read web2's seat map: it must still answer,
    from the primary, with every sold seat."""
    import json
    import urllib.request

    as_postgres(str(stack.pg_bindir() / "pg_ctl"), "-D", str(replica), "-m", "immediate", "-w", "stop",
                stdout=subprocess.DEVNULL)
    try:
        with urllib.request.urlopen(f"http://{addr('web2')}:{WEB}/api/v1/performances/{performance_id}/seatmap/",
                                    timeout=30) as r:
            status, data = r.status, json.loads(r.read())
    except OSError as exc:
        print(f"replica stopped: web2's seat map FAILED ({exc})")
        return False
    shown = sum(1 for row in data["seats"] if row[-1] == "s")
    print(f"replica stopped (immediate shutdown): web2's seat map answered {status} from the primary, "
          f"{shown} seats sold")
    return status == 200 and shown == sold


BOUNCER = 6432


def bouncer_host(out) -> None:
    """PgBouncer on the database host, in front of the primary: each web host and the
    worker connects to it, and the primary's connections stay what its pools allow
    however many web hosts there are."""
    config = stack.pgbouncer_config(port=BOUNCER, listen_addr=addr("db"), pg_host=addr("db"), pg_port=5432,
                                    name=f"pgbouncer-fleet-{stack.WEB_PORT}")
    in_host("db", stack.pgbouncer(config), out)
    stack.wait_for(lambda: answers(addr("db"), BOUNCER), "PgBouncer on the database host")


def through_bouncer(pool: str) -> str:
    return f"postgres://{stack.DB_USER}@{addr('db')}:{BOUNCER}/boxoffice_{pool}"


def primary_connections() -> stack.PeakCounts:
    """The most client connections the primary had at once, by where they came from:
    PgBouncer (the database host's own address) and the web hosts directly."""
    return stack.PeakCounts(
        ("PgBouncer", "web hosts directly"),
        "SELECT count(*) FILTER (WHERE client_addr = %s::inet), count(*) FILTER (WHERE client_addr IN "
        "(%s::inet, %s::inet)) FROM pg_stat_activity WHERE backend_type = 'client backend'",
        (addr("db"), addr("web1"), addr("web2")), every=0.25,
        host=addr("db"), port=5432, user=stack.DB_USER, dbname=stack.DB_NAME)


def environment() -> dict:
    return {**stack.run_environment(), "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "BOXOFFICE_RATE_LIMITS": "0",
            "PAYMENT_TEST_CARD": "1",  # the built-in test provider: no payment provider in the rehearsal
            "DATABASE_URL": f"postgres://{stack.DB_USER}@{addr('db')}:5432/{stack.DB_NAME}",
            "REDIS_URL": f"redis://{addr('redis')}:6379/0",
            "DJANGO_ALLOWED_HOSTS": f"127.0.0.1,localhost,{addr('web1')},{addr('web2')}"}


def redis_host(env: dict, out) -> None:
    in_host("redis", [stack.redis_binary(), "--bind", addr("redis"), "--port", "6379", "--save", "",
                      "--appendonly", "no", "--protected-mode", "no", "--maxclients", "4000"], out)
    stack.wait_for(lambda: answers(addr("redis"), 6379), "Redis on its host")


def workers(env: dict, out) -> None:
    in_host("redis", ["nice", "-n", "19", sys.executable, "-m", "celery", "-A", "boxoffice", "worker", "-l",
                      "warning", "--concurrency", "1", "-n", f"fleet-{stack.WEB_PORT}@%h"], out,
            env={**env, "DATABASE_URL": through_bouncer("worker")})


def web_host(host: str, env: dict, out) -> None:
    cmd = stack.granian(WEB, workers=1, threads=8)
    cmd[cmd.index("--host") + 1] = "0.0.0.0"  # noqa: S104 - the host's own address on the bridge
    in_host(host, cmd, out, env={**env, "BOXOFFICE_POOL": "public", "BEHIND_PROXY": "1",
                                 "DATABASE_URL": through_bouncer("public"),
                                 "DATABASE_REPLICA_URL": f"postgres://{stack.DB_USER}@{addr('db')}:5433/"
                                                         f"{stack.DB_NAME}"})


def front(out) -> subprocess.Popen:
    servers = [f"{addr('web1')}:{WEB}", f"{addr('web2')}:{WEB}"]
    env = stack.haproxy_environment(f"127.0.0.1:{FRONT_PORT}", public=servers, queue=servers, staff=servers,
                                    socket=FLEET / "haproxy.sock", check_inter="500ms", check_timeout="5s")
    proc = stack.spawn(stack.haproxy(env), cwd=stack.ROOT, env={**os.environ, **env}, stdout=out,
                       stderr=subprocess.STDOUT)
    return proc


# --- the sale --------------------------------------------------------------------------

class Timeline:
    """Each client request's end: when, and whether it failed (a refusal for want of
    seats is an answer, not a failure)."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.events: list[tuple[float, bool]] = []
        self.kill_at: float | None = None
        self.down_at: float | None = None
        self.refused: collections.Counter = collections.Counter()
        self.interrupted = 0

    def note(self, ok: bool) -> None:
        self.events.append((time.monotonic() - self.t0, ok))


async def request(session, timeline: Timeline, method: str, url: str, **kw) -> tuple[int, dict]:
    """One request, retried with the same idempotency key until it gets an answer: what a
    client sees of a host dying under it is the failed attempts."""
    import aiohttp

    for _attempt in range(50):
        try:
            async with session.request(method, url, timeout=aiohttp.ClientTimeout(total=30), **kw) as r:
                body = await r.json(content_type=None)
            if r.status < 500:
                timeline.note(True)
                return r.status, body or {}
        except (TimeoutError, aiohttp.ClientError, ValueError):
            pass
        timeline.note(False)
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{method} {url} failed 50 times")


async def sell_out(base: str, perf: dict, concurrency: int, timeline: Timeline, sold: list[int],
                   deadline: float) -> None:
    import aiohttp

    zones = [z["id"] for z in perf["zones"]]
    card = {"method": "test_card", "card_number": "4242424242424242"}

    async def buyer(i: int, session):
        customer = {"name": f"Fleet {i}", "email": f"fleet-{perf['id']}-{i}@example.org"}
        left: dict[int, int] = {}
        n = 0
        while any(left.get(z, 1) for z in zones) and time.monotonic() < deadline:
            n += 1
            zone = [z for z in zones if left.get(z, 1)][(i + n) % len([z for z in zones if left.get(z, 1)])]
            qty = min(1 + (i + n) % 4, left.get(zone, 4))
            key = f"fleet-{perf['id']}-{i}-{n}"
            status, body = await request(session, timeline, "POST", f"{base}/api/v1/holds/",
                                         json={"performance": perf["id"], "zone": zone, "quantity": qty},
                                         headers={"Idempotency-Key": f"{key}-hold"})
            if status == 409:
                error = body.get("error", {})
                left[zone] = error.get("available", 0 if qty == 1 else left.get(zone, 4))
                continue
            if status != 201:
                timeline.refused[f"hold {status}: {str(body)[:120]}"] += 1
                continue
            order = {"hold": body["token"], "customer": customer, "payment": card}
            for again in range(3):
                status, body = await request(session, timeline, "POST", f"{base}/api/v1/orders/", json=order,
                                             headers={"Idempotency-Key": f"{key}-order-{again}"})
                # Cut off mid-payment with the dead host: nothing was sold, the hold still
                # stands, and the answer says to pay again under a new key.
                if body.get("error", {}).get("code") != "payment_interrupted":
                    break
                timeline.interrupted += 1
            if status == 201:
                sold[0] += len(body["tickets"])
            else:
                timeline.refused[f"order {status}: {str(body)[:120]}"] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(buyer(i, session) for i in range(concurrency)))


async def staleness_probe(perf: dict, seats: list[int], lags: list[float], stop: asyncio.Event) -> None:
    """Buy one seat on web1, then read the seat map on web2 (from the replica) until it
    shows the seat sold: the lag a buyer looking at another host's map sees."""
    import aiohttp

    one, other = f"http://{addr('web1')}:{WEB}", f"http://{addr('web2')}:{WEB}"
    card = {"method": "test_card", "card_number": "4242424242424242"}
    async with aiohttp.ClientSession() as session:
        for seat in seats:
            if stop.is_set():
                return
            async with session.post(f"{one}/api/v1/holds/", json={"performance": perf["id"], "places": [seat]}) as r:
                hold = await r.json()
            async with session.post(f"{one}/api/v1/orders/", json={
                    "hold": hold["token"], "payment": card,
                    "customer": {"name": "Probe", "email": f"probe-{seat}@example.org"}}) as r:
                assert r.status == 201, await r.text()
            sold_at = time.monotonic()
            while True:
                async with session.get(f"{other}/api/v1/performances/{perf['id']}/seatmap/") as r:
                    data = await r.json()
                state = next(row[-1] for row in data["seats"] if row[0] == seat)
                if state == "s":
                    lags.append(time.monotonic() - sold_at)
                    break
                if time.monotonic() - sold_at > 30:
                    lags.append(float("inf"))
                    break
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.1)


async def watch_front(timeline: Timeline, stop: asyncio.Event) -> None:
    """When HAProxy marks web1 down (its runtime API, every 50 ms)."""
    while not stop.is_set():
        if timeline.kill_at is not None and timeline.down_at is None:
            with contextlib.suppress(OSError):
                row = stack.haproxy_stat(FLEET / "haproxy.sock").get(("public", "public1"), {})
                if row.get("status", "").startswith("DOWN"):
                    timeline.down_at = time.monotonic() - timeline.t0
        await asyncio.sleep(0.05)


async def rehearsal(base: str, perf: dict, probe_perf: dict, probe_seats: list[int], capacity: int,
                    concurrency: int, kill_at: float, timeout: float,
                    probes: int) -> tuple[Timeline, list[int], list[float]]:
    timeline, sold, lags = Timeline(), [0], []
    stop, probing_done = asyncio.Event(), asyncio.Event()

    async def killer():
        # The probe buys from web1: it has its readings before web1 dies.
        while sold[0] < kill_at * capacity or len(lags) < min(probes, len(probe_seats)):
            await asyncio.sleep(0.02)
        n = kill_host("web1")
        timeline.kill_at = time.monotonic() - timeline.t0
        probing_done.set()
        log(f"killed web1 ({n} processes, SIGKILL) at {timeline.kill_at:.2f} s, {sold[0]} tickets sold")

    watchers = [asyncio.create_task(watch_front(timeline, stop)), asyncio.create_task(killer()),
                asyncio.create_task(staleness_probe(probe_perf, probe_seats, lags, probing_done))]
    await sell_out(base, perf, concurrency, timeline, sold, time.monotonic() + timeout)
    for _ in range(100):  # a sale that ends right after the kill: HAProxy's verdict still counts
        if timeline.kill_at is None or timeline.down_at is not None:
            break
        await asyncio.sleep(0.05)
    stop.set()
    for task in watchers:
        task.cancel()
    for outcome in await asyncio.gather(*watchers, return_exceptions=True):
        if isinstance(outcome, Exception):
            log(f"a watcher failed: {outcome!r}")
    return timeline, sold, lags


def report(timeline: Timeline, sold: int, lags: list[float], performance, capacity: int, elapsed: float) -> bool:
    from django.db.models import Count

    from sales.benchmark import pct
    from sales.models import Place, Ticket

    db_sold = Place.objects.filter(performance=performance, state="sold").count()
    valid = Ticket.objects.filter(place__performance=performance, status="valid")
    doubles = valid.values("place").annotate(n=Count("pk")).filter(n__gt=1).count()
    held = Place.objects.filter(performance=performance, state="held").count()
    oversell_ok = db_sold == valid.count() <= capacity and doubles == 0 and db_sold == sold
    import psycopg

    with psycopg.connect(host=addr("db"), port=5433, user=stack.DB_USER, dbname=stack.DB_NAME) as replica:
        (standby,), = replica.execute("SELECT pg_is_in_recovery()").fetchall()
        (on_replica,), = replica.execute("SELECT count(*) FROM sales_place WHERE performance_id = %s AND "
                                         "state = 'sold'", (performance.pk,)).fetchall()
    print(f"replica: {'a hot standby (read-only, in recovery)' if standby else 'NOT A STANDBY'}, "
          f"{on_replica} places sold there as on the primary")
    failures = [t for t, ok in timeline.events if not ok]
    if timeline.refused:
        print(f"requests refused: {dict(timeline.refused.most_common(5))}")
    kill = timeline.kill_at or 0.0
    print(f"\nsold {sold} tickets of {capacity} in {elapsed:.1f} s through HAProxy across web1 and web2 "
          f"({len(timeline.events)} client requests)")
    print(f"oversell check (primary): {db_sold} places sold, {valid.count()} valid tickets, {doubles} places in "
          f"two tickets -> {'OK' if oversell_ok else 'OVERSOLD'}; {held} places still held; "
          f"{timeline.interrupted} orders cut off mid-payment, paid again under a new key")
    print(f"web1 killed at {kill:.2f} s; client errors during the failover: {len(failures)} failed attempts "
          f"(each retried with its idempotency key; {sum(1 for t in failures if t < kill)} before the kill)")
    if failures:
        first, last = failures[0], failures[-1]
        recovered = next((t for t, ok in timeline.events if ok and t > last), None)
        print(f"time to recover: first error {first - kill:+.2f} s after the kill, first success after the last "
              f"error {(recovered or last) - kill:+.2f} s after it -> {(recovered or last) - first:.2f} s of errors")
    else:
        print("time to recover: no client saw an error (HAProxy retried on web2)")
    if timeline.down_at is not None:
        print(f"HAProxy marked web1 down {timeline.down_at - kill:.2f} s after the kill (checks every 0.5 s, "
              "fall 2)")
    finite = [x * 1000 for x in lags if x != float("inf")]
    if finite:
        print(f"seat-map staleness across hosts (sold on web1, read on web2 from the replica): {len(lags)} probes, "
              f"p50 {pct(finite, 50):.0f} ms, max {max(finite):.0f} ms (live-update interval "
              f"{LIVE_UPDATE_SECONDS * 1000:.0f} ms){'; some never seen' if len(finite) < len(lags) else ''}")
    stale_ok = bool(finite) and len(finite) == len(lags) and max(finite) <= LIVE_UPDATE_SECONDS * 1000
    return oversell_ok and stale_ok and standby


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--per-row", type=int, default=50)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--kill-at", type=float, default=0.4, help="share of the seats sold when web1 is killed")
    ap.add_argument("--probes", type=int, default=6, help="seat-map staleness readings before the kill")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("[fleet] network namespaces need root")
    signal.signal(signal.SIGTERM, stack._interrupt)
    stack.refuse_busy_ports([FRONT_PORT])
    network_down()  # what a run killed before its clean-up left
    shutil.rmtree(FLEET, ignore_errors=True)
    FLEET.mkdir(parents=True)
    haproxy = None
    performance = None
    try:
        network_up()
        replica = database_host()
        env = environment()
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL")})
        with open(FLEET / "hosts.log", "ab") as out:
            bouncer_host(out)
            redis_host(env, out)
            stack.setup_django()
            from sales.benchmark import bench_performance

            performance = bench_performance(args.rows, args.per_row)
            probe = bench_performance(1, 40)
            from sales.models import Place

            probe_seats = list(Place.objects.filter(performance=probe, seat__isnull=False).order_by("pk")
                               .values_list("pk", flat=True))
            workers(env, out)
            for host in ("web1", "web2"):
                web_host(host, env, out)
            haproxy = front(out)
            stack.wait_for(stack.haproxy_ready(FLEET / "haproxy.sock"), "both web hosts behind HAProxy", 120)
            stack.wait_for(lambda: all(stack.haproxy_stat(FLEET / "haproxy.sock")[("public", s)]["status"] == "UP"
                                       for s in ("public1", "public2")), "web1 and web2 both up", 60)
            base = f"http://127.0.0.1:{FRONT_PORT}"
            import json
            import urllib.request

            def catalogue(pk: int) -> dict:
                return json.loads(urllib.request.urlopen(f"{base}/api/v1/performances/{pk}/").read())

            capacity = args.rows * args.per_row
            log(f"selling {capacity} seats with {args.concurrency} buyers through {base}; web1 dies at "
                f"{args.kill_at:.0%}")
            t0 = time.monotonic()
            with primary_connections() as primary:
                timeline, sold, lags = asyncio.run(rehearsal(
                    base, catalogue(performance.pk), catalogue(probe.pk), probe_seats, capacity, args.concurrency,
                    args.kill_at, args.timeout, args.probes))
            elapsed = time.monotonic() - t0
            print("the primary's client connections at most: " + ", ".join(
                f"from {where} {n}" for where, n in primary.peak.items()))
            served = stack.haproxy_stat(FLEET / "haproxy.sock")
            print("requests per web host (HAProxy): " + ", ".join(
                f"{s} {served[('public', s)]['stot']}" for s in ("public1", "public2")))
            reported = report(timeline, sold[0], lags, performance, capacity, elapsed)
            return 0 if replica_outage(replica, performance.pk, sold[0]) and reported else 1
    except KeyboardInterrupt:
        log("stopping")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if haproxy is not None:
            stack.stop_groups([haproxy])
        if performance is not None:
            with contextlib.suppress(Exception):
                from sales.benchmark import bench_finished

                bench_finished()
            from django.db import connections

            connections.close_all()
        network_down()
        log("namespaces, bridge and hosts removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
