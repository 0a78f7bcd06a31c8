"""API sell-out load test, the way production runs: granian (WSGI, several worker
processes) and a Celery worker, PostgreSQL and Redis from the local stack.

    python -m tooling.loadtest --concurrency 64 [--web-workers 2] [--rows 40 --per-row 50]
                               [--pooling direct|session|session-per-request|transaction]

C concurrent buyers (an asyncio client speaking plain HTTP/1.1, tooling.http1: cheap
enough not to take the servers' CPU) hold 1-4 best-available seats and pay for them
through /api/v1/ until the performance is sold out, choosing a price type (adult or
child) for each ticket and typing a promo code on one order in five. Like an integration, a buyer refused
with "only N places left" asks for at most N there next time, and none once N is 0.

The servers are warmed up first by the same buyers selling out a small performance of its
own (--warm-up seats, not counted): a sell-out meets servers that have been running, not
processes still importing code, connecting and preparing their statements (--warm-up 0
measures from cold). Prints tickets sold per second,
p50/p95/p99 per request type, errors, the CPU and the write-ahead log flushes an order
cost, /healthz throughput on the same server in the same run, the ratio of the two, and
an oversell check read from the database.

--pooling puts PgBouncer between the web workers and PostgreSQL (session: each thread
keeps its connection, statements prepared as without PgBouncer; session-per-request: a
connection per request, let go at its end; transaction: nothing prepared), and the peak
number of server connections the web workers held is printed either way (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import time
from collections import defaultdict

from tooling import http1, stack

PORT = int(os.environ.get("BOXOFFICE_LOADTEST_PORT", "18000"))
PGBOUNCER_PORT = int(os.environ.get("BOXOFFICE_LOADTEST_PGBOUNCER_PORT", str(stack.PG_PORT + 2)))
PROMO_CODE = "LOADTEST10"


def priced(performance) -> None:
    """Price types as a venue sells them (adult, and child at 60 %) in every zone, and a
    promo code of 10 % off."""
    from decimal import Decimal

    from events.models import Price, PriceType
    from sales.models import PromoCode

    for rank, (name, share) in enumerate((("Adult", Decimal("1")), ("Child", Decimal("0.6")))):
        price_type = PriceType.objects.create(performance=performance, name=name, rank=rank)
        Price.objects.bulk_create(Price(price_type=price_type, zone=zone, amount=(zone.price * share).quantize(
            Decimal("0.01"))) for zone in performance.price_zones.all())
    PromoCode.objects.get_or_create(code=PROMO_CODE, defaults={"percent_off": Decimal("10")})


def start_servers(web_workers: int, threads: int, pooling: str = "direct",
                  pool_size: int = 8) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_DEBUG": "0", "BOXOFFICE_RATE_LIMITS": "0", "DJANGO_SECRET_KEY": os.environ.get(
        "DJANGO_SECRET_KEY", "loadtest-only-secret"), "LOG_LEVEL": "WARNING",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "CELERY_BROKER_URL": stack.benchmark_broker(),
        "PAYMENT_TEST_CARD": "1"}  # the built-in test card: the figure is the box office's, not a provider's
    log = open(stack.STACK / "loadtest-servers.log", "ab")  # noqa: SIM115 - lives as long as the servers
    children = []
    web_env = {**env, "BOXOFFICE_POOL": "public"}
    if pooling != "direct":
        # Session mode keeps a server connection per client connection: as many as the
        # workers' threads. Otherwise `pool_size` of them are shared.
        config = stack.pgbouncer_config(public_mode=pooling, port=PGBOUNCER_PORT, name="pgbouncer-loadtest",
                                        public_size=web_workers * threads if pooling == "session" else pool_size)
        children.append(stack.spawn(stack.pgbouncer(config), cwd=stack.ROOT, stdout=log, stderr=subprocess.STDOUT))
        stack.wait_for(lambda: stack.port_open(PGBOUNCER_PORT), "PgBouncer")
        web_env.update(stack.pgbouncer_environment("public", config, pooling, PGBOUNCER_PORT))
    web = stack.spawn(stack.granian(PORT, web_workers, threads), cwd=stack.ROOT, env=web_env, stdout=log,
                      stderr=subprocess.STDOUT)
    # As `make run` does: background work (confirmation emails with PDF tickets) yields the
    # CPU to the web workers and catches up after the rush.
    worker = stack.spawn([sys.executable, "-m", "celery", "-A", "boxoffice", "worker", "-l", "warning",
                          "--concurrency", "1", "-n", f"loadtest-{os.getpid()}@%h"], idle=True, nice=19,
                         cwd=stack.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    stack.wait_for(lambda: stack.port_open(PORT), "granian")
    return [web, worker, *children]


def _stat(pid: int) -> list[str] | None:
    try:
        raw = open(f"/proc/{pid}/stat").read()  # noqa: SIM115, PTH123 - read once, closed at once
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from the state on (the name may hold spaces)


def cpu_seconds(root: int) -> float:
    """CPU time used by process `root` and all its descendants, the exited ones included
    (their time is in their parent's cutime and cstime once reaped)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        fields = _stat(pid)
        if fields is None:
            continue
        utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
        total += (utime + stime + (cutime + cstime if pid == root else 0)) / tick
        todo.extend(children.get(pid, []))
    return total


class CpuUse:
    """CPU seconds spent by PostgreSQL (the postmaster and its backends), the web workers
    and PgBouncer over a stretch: what a sale costs each, which a busy machine stretches
    far less than it stretches the time a sale takes."""

    def __init__(self, servers: list[subprocess.Popen]):
        postmaster = int((stack.pg_base() / "data" / "postmaster.pid").read_text().split()[0])
        self.roots = {"PostgreSQL": postmaster, "web workers": servers[0].pid}
        if len(servers) > 2:
            self.roots["PgBouncer"] = servers[2].pid
        self.celery = servers[1].pid
        self.used: dict[str, float] = {}
        self.celery_used = 0.0
        self.machine_busy = 0.0  # cores busy on average, all processes (this run's or not)

    def __enter__(self):
        self._start = {name: cpu_seconds(pid) for name, pid in self.roots.items()}
        self._celery, self._machine, self._clock = cpu_seconds(self.celery), machine_busy_seconds(), time.monotonic()
        return self

    def __exit__(self, *exc):
        self.used = {name: cpu_seconds(pid) - self._start[name] for name, pid in self.roots.items()}
        self.celery_used = cpu_seconds(self.celery) - self._celery
        self.machine_busy = (machine_busy_seconds() - self._machine) / (time.monotonic() - self._clock)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since it started (all cores, every
    process and the kernel's own work: all of /proc/stat's first line but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = [int(f) for f in stat.readline().split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def server_connections() -> stack.PeakCounts:
    """The most PostgreSQL connections the web workers held at once, sampled every 0.2 s."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return stack.PeakCounts(("web workers",), "SELECT count(*) FROM pg_stat_activity "
                            "WHERE application_name = 'boxoffice-public'",
                            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])


def wal_flushes() -> int:
    """How many times PostgreSQL has flushed its write-ahead log to disk (every process's,
    the cluster's count since its statistics were reset)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT wal_sync FROM pg_stat_wal")
        return cursor.fetchone()[0]


def wal_flushes_since(before: int) -> int:
    """Flushes since `before`, once the servers' backends have reported theirs (a backend
    reports its counts when idle, up to ten seconds later): read until two readings agree."""
    last, deadline = wal_flushes(), time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(1.5)
        now = wal_flushes()
        if now == last:
            break
        last = now
    return last - before


async def buyers(base: str, perf: dict, concurrency: int, max_tickets: int, deadline: float):
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    refused: dict[str, int] = defaultdict(int)
    sold = [0]
    zones = [z["id"] for z in perf["zones"]]
    types = [t["id"] for t in perf.get("price_types", [])]
    card = {"method": "test_card", "card_number": "4242424242424242"}

    async def timed(connection, kind, path, body, headers=None):
        t0 = time.perf_counter()
        status, answer = await connection.json("POST", path, json=body, headers=headers)
        lat[kind].append((time.perf_counter() - t0) * 1000)
        return status, answer

    async def buyer(i: int):
        rng = random.Random(i)
        connection = http1.Connection(base)
        # A crowd of new customers, not one customer (nor those of the warm-up or an earlier run).
        customer = {"name": f"Load Test {i}", "email": f"load-{perf['id']}-{i}@example.org"}
        left: dict[int, int] = {}  # what a refusal said is left in a zone (an integration reads it)
        try:
            while any(left.get(z, 1) for z in zones) and time.monotonic() < deadline:
                zone = rng.choice([z for z in zones if left.get(z, 1)])
                qty = min(rng.randint(1, max_tickets), left.get(zone, max_tickets))
                try:
                    status, body = await timed(connection, "hold", "/api/v1/holds/",
                                               {"performance": perf["id"], "zone": zone, "quantity": qty})
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                    errors[f"hold {type(exc).__name__}"] += 1
                    await asyncio.sleep(0.5)  # a server that is down is not hammered
                    continue
                if status == 409:
                    error = body.get("error", {})
                    refused[re.sub(r"\d+", "N", error.get("message", "?"))] += 1
                    if "available" in error:
                        left[zone] = error["available"]
                    elif qty == 1:
                        left[zone] = 0
                    continue
                if status != 201:
                    errors[f"hold {status}"] += 1
                    continue
                order = {"hold": body["token"], "customer": customer, "payment": card}
                if types:
                    order["tickets"] = [{"place": p["id"], "price_type": rng.choice(types)} for p in body["places"]]
                    if rng.random() < 0.2:
                        order["promo_code"] = PROMO_CODE
                try:
                    status, body = await timed(connection, "order", "/api/v1/orders/", order, {
                        "Idempotency-Key": f"lt-{perf['id']}-{i}-{time.monotonic_ns()}"})
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                    errors[f"order {type(exc).__name__}"] += 1
                    await asyncio.sleep(0.5)
                    continue
                if status == 201:
                    sold[0] += len(body["tickets"])
                else:
                    errors[f"order {status}"] += 1
        finally:
            await connection.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(buyer(i) for i in range(concurrency)))
    return sold[0], time.perf_counter() - t0, lat, errors, refused


async def healthz(base: str, concurrency: int, seconds: float) -> tuple[int, float, int]:
    count, errors = [0], [0]
    stop = time.monotonic() + seconds

    async def hit():
        connection = http1.Connection(base)
        try:
            while time.monotonic() < stop:
                try:
                    status, _headers, _body = await connection.request("GET", "/healthz")
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                    errors[0] += 1
                    await asyncio.sleep(0.5)
                    continue
                if status == 200:
                    count[0] += 1
                else:
                    errors[0] += 1
        finally:
            await connection.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(hit() for _ in range(concurrency)))
    return count[0], time.perf_counter() - t0, errors[0]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8, help="blocking threads per web worker")
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--per-row", type=int, default=50)
    ap.add_argument("--max-tickets", type=int, default=4)
    ap.add_argument("--healthz-seconds", type=float, default=5)
    ap.add_argument("--warm-up", type=int, default=400, help="seats sold before measuring (0: none)")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--pooling", choices=("direct", "session", "session-per-request", "transaction"), default="direct",
                    help="web workers to PostgreSQL directly, or through PgBouncer in this mode")
    ap.add_argument("--pool-size", type=int, default=8, help="PgBouncer's server connections (shared modes)")
    args = ap.parse_args(argv)

    started = stack.up()
    servers: list[subprocess.Popen] = []
    performance = None
    try:
        stack.setup_django()
        from django.db.models import Count

        from sales.benchmark import bench_performance, pct
        from sales.models import Place, Ticket

        performance = bench_performance(args.rows, args.per_row)
        capacity = args.rows * args.per_row
        warm = bench_performance(max(2, -(-args.warm_up // args.per_row)), args.per_row) if args.warm_up else None
        for each in (performance, warm):
            if each is not None:
                priced(each)
        servers = start_servers(args.web_workers, args.threads, args.pooling, args.pool_size)
        base = f"http://127.0.0.1:{PORT}"
        import json
        import urllib.request

        def catalogue(pk: int) -> dict:
            return json.loads(urllib.request.urlopen(f"{base}/api/v1/performances/{pk}/").read())

        print(f"granian WSGI: {args.web_workers} workers x {args.threads} threads; Celery worker running; "
              f"database: {args.pooling if args.pooling == 'direct' else 'PgBouncer, ' + args.pooling + ' pooling'}")
        if warm is not None:
            w_sold, w_elapsed, _lat, w_errors, _refused = asyncio.run(
                buyers(base, catalogue(warm.pk), args.concurrency, args.max_tickets, time.monotonic() + args.timeout))
            print(f"warm-up: {w_sold} tickets of performance {warm.pk} in {w_elapsed:.1f} s, not counted "
                  f"({sum(w_errors.values())} errors)")
        perf = catalogue(performance.pk)
        print(f"performance {performance.pk}: {capacity} seats; {args.concurrency} concurrent buyers "
              f"of 1-{args.max_tickets} seats via the API", flush=True)
        flushes = wal_flushes()
        with server_connections() as connections, CpuUse(servers) as cpu:
            client_cpu = time.process_time()
            sold, elapsed, lat, errors, refused = asyncio.run(
                buyers(base, perf, args.concurrency, args.max_tickets, time.monotonic() + args.timeout))
            client_cpu = time.process_time() - client_cpu
        flushes = wal_flushes_since(flushes)
        hz_count, hz_elapsed, hz_errors = asyncio.run(healthz(base, args.concurrency, args.healthz_seconds))

        db_sold = Place.objects.filter(performance=performance, state="sold").count()
        valid = Ticket.objects.filter(place__performance=performance, status="valid")
        doubles = valid.values("place").annotate(n=Count("pk")).filter(n__gt=1).count()
        ok = db_sold == valid.count() <= capacity and doubles == 0 and db_sold == sold
        tps = sold / elapsed
        hz_rps = hz_count / hz_elapsed
        print(f"sold {sold} tickets in {elapsed:.2f} s: {tps:.1f} tickets/s "
              f"({len(lat['order'])} orders, {len(lat['order']) / elapsed:.1f} orders/s)")
        for kind in ("hold", "order"):
            v = lat[kind]
            print(f"  {kind:5} n={len(v):5}  p50 {pct(v, 50):7.1f} ms  p95 {pct(v, 95):7.1f} ms  "
                  f"p99 {pct(v, 99):7.1f} ms")
        print(f"errors: {sum(errors.values())} {dict(errors)}")
        print(f"PostgreSQL server connections of the web workers: {connections.peak['web workers']} at most")
        orders = max(1, len(lat["order"]))
        print("CPU per order: " + ", ".join(f"{name} {seconds * 1000 / orders:.2f} ms"
                                            for name, seconds in cpu.used.items())
              + f"; the load test's own process (its buyers) {client_cpu * 1000 / orders:.2f} ms; "
              f"the Celery worker (idle priority) {cpu.celery_used * 1000 / orders:.2f} ms")
        print(f"machine: {cpu.machine_busy:.2f} of {os.cpu_count()} cores busy during the sell-out "
              f"({cpu.machine_busy * elapsed * 1000 / orders:.2f} ms of CPU an order, every process included)")
        print(f"write-ahead log flushed to disk: {flushes} times, {flushes / orders:.2f} per order")
        print(f"holds refused (409, expected as zones run out): {sum(refused.values())}: "
              + "; ".join(f"{n} x {r}" for r, n in sorted(refused.items(), key=lambda x: -x[1])[:4]))
        print(f"/healthz on the same server: {hz_rps:.0f} req/s ({hz_errors} errors); "
              f"sell-out/healthz ratio: {len(lat['hold'] + lat['order']) / elapsed / hz_rps:.3f} "
              f"(API requests/s over healthz requests/s)")
        print(f"oversell check: {db_sold} places sold of {capacity}, {valid.count()} valid tickets, "
              f"{doubles} places in two tickets -> {'OK' if ok else 'OVERSOLD'}")
        return 0 if ok and not errors and not (warm is not None and w_errors) else 1
    finally:
        stack.benchmark_finished(servers, started, django_set_up=performance is not None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
