"""On-sale crowd benchmark: a Beijing-like arrival, scaled to this machine.

    python -m tooling.crowd [--visitors 20000 --arrival 60 --rows 70 --per-row 50]

Runs the production shape on the local stack: the public pool (granian, `--public-workers`,
at a lower CPU priority), the waiting room's pool (one worker), the staff pool (granian,
one worker), and a Celery worker with beat; the client routes as the load balancer would.
Then:

1. idle: a simulated counter sells through the staff pool; its latency is the baseline;
2. probe: C connections join and poll the queue as fast as they can: what the queue holds;
3. crowd: V visitors arrive within A seconds (some before the on-sale, so the draw runs),
   poll the queue, and once admitted buy 1-4 seats through the API with their pass, until
   sold out; the counter keeps selling meanwhile.

Prints queue join/poll throughput, admitted per second, tickets sold per second, time to
sell out, counter latency p50/p99 during the crowd against idle, errors, and an oversell
check from the database.
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
from collections import Counter
from datetime import timedelta

from tooling import background, stack

PORT = int(os.environ.get("BOXOFFICE_CROWD_PORT", "18100"))
POLL_EVERY = re.compile(r'hx-trigger="every (\d+)ms"')


def servers(public_workers: int) -> list[subprocess.Popen]:
    # BEHIND_PROXY: the simulated visitors come from many addresses, as through a load balancer.
    env = {**os.environ, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "PAYMENT_TEST_CARD": "1",
           "BEHIND_PROXY": "1", "CELERY_BROKER_URL": stack.benchmark_broker(),
           "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "crowd-benchmark-only")}
    log = open(stack.STACK / "crowd-servers.log", "ab")  # noqa: SIM115 - as long as the servers live
    procs = []
    for cmd, pool, priority in (
        # Everything the crowd reaches, and background work, runs as background CPU
        # (tooling.background: the idle cgroup where the machine allows, the idle class in
        # sessions of the lowest share): it uses whatever CPU the staff leave, and yields it
        # the moment a staff request wakes.
        (stack.granian(PORT, public_workers, threads=8), "public", {"idle": True, "nice": 19}),
        (stack.granian(PORT + 2, 2, threads=2), "queue", {"idle": True, "nice": 19}),
        (stack.granian(PORT + 1, 1), "staff", {}),
        ([sys.executable, "-m", "celery", "-A", "boxoffice", "worker", "-B", "-l", "warning", "--concurrency", "1",
          "-n", f"crowd-{os.getpid()}@%h", "-s", str(stack.STACK / "crowd-beat")], "all", {"idle": True, "nice": 19}),
    ):
        procs.append(stack.spawn(cmd, **priority, cwd=stack.ROOT, env={**env, "BOXOFFICE_POOL": pool}, stdout=log,
                                 stderr=subprocess.STDOUT))
    stack.wait_for(lambda: all(stack.port_open(PORT + i) for i in range(3)), "granian pools")
    return procs


async def counter_sales(base: str, token: str, perf_id: int, zone_id: int, until, lat: list, errors: Counter):
    """A clerk selling one seat at a time, as fast as the window allows."""
    import aiohttp

    headers = {"Authorization": f"Token {token}"}
    async with aiohttp.ClientSession(headers=headers) as s:
        while not until():
            t0 = time.perf_counter()
            async with s.post(f"{base}/api/v1/holds/", json={"performance": perf_id, "zone": zone_id,
                                                             "quantity": 1}) as r:
                body = await r.json(content_type=None)
                if r.status == 409:
                    return  # the zone is sold out: the window closes
                if r.status != 201:
                    errors[f"counter hold {r.status}"] += 1
                    await asyncio.sleep(0.2)
                    continue
            async with s.post(f"{base}/api/v1/orders/", json={
                    "hold": body["token"], "customer": {"name": "Walk-in", "email": "walkin@example.org"},
                    "payment": {"method": "cash", "tendered": "500.00"}}) as r:
                await r.read()
                if r.status != 201:
                    errors[f"counter order {r.status}"] += 1
            lat.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.25)  # the next customer steps up to the window


async def probe(base: str, perf_id: int, connections: int, seconds: float) -> tuple[float, int]:
    """C keep-alive connections join and poll the queue as fast as it answers. The client
    speaks plain HTTP/1.1 over asyncio streams: on this machine it shares the two cores
    with the server, and a full HTTP client library cost more CPU per request than the
    queue itself (a real crowd's clients are elsewhere)."""
    done, errors = [0], [0]
    stop = time.monotonic() + seconds
    host, port = base.removeprefix("http://").split(":")
    path = f"/performances/{perf_id}/queue/"

    async def one():
        addr = f"10.200.{random.randrange(256)}.{random.randrange(256)}"
        cookie = ""
        while time.monotonic() < stop:
            try:
                await session(addr, cookie_box := [cookie])
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors[0] += 1  # a dropped or garbled answer: count it, connect again
            cookie = cookie_box[0]

    async def session(addr, cookie_box):
        reader, writer = await asyncio.open_connection(host, int(port))
        cookie = cookie_box[0]
        try:
            while time.monotonic() < stop:
                extra = f"Cookie: {cookie}\r\nHX-Request: true\r\n" if cookie else ""
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {addr}\r\n{extra}\r\n"
                             .encode())
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    name = name.lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "set-cookie" and value.strip().startswith("wr_visitor=") and not cookie:
                        cookie = cookie_box[0] = value.strip().split(";", 1)[0]
                if length:
                    await reader.readexactly(length)
                if status in (200, 204, 302):
                    done[0] += 1
                else:
                    errors[0] += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    return done[0] / (time.perf_counter() - t0), errors[0]


async def crowd(base: str, queue_base: str, perf: dict, visitors: int, arrival: float, opens_in: float, poll: float,
                timeout: float, stats: dict):
    import aiohttp

    pk = perf["id"]
    zones = [z["id"] for z in perf["zones"]]
    queue_url = f"{queue_base}/performances/{pk}/queue/"
    start = time.monotonic()
    deadline = start + timeout
    card = {"method": "test_card", "card_number": "4242424242424242"}
    rng = random.Random(7)

    async def visitor(i: int, session, shop):
        """A browser: the queue page once, then htmx polls at the interval each answer asks."""
        await asyncio.sleep(rng.uniform(0, arrival))
        cookie = None
        addr = {"X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
        wait = poll
        while time.monotonic() < deadline and not stats["sold_out_at"]:
            t0 = time.perf_counter()
            headers = {**addr, "Cookie": cookie, "HX-Request": "true"} if cookie else addr
            try:
                async with session.get(queue_url, headers=headers, allow_redirects=False) as r:
                    text = await r.text()
                    stats["queue_requests"] += 1
                    stats["queue_ms"].append((time.perf_counter() - t0) * 1000)
                    if cookie is None and "wr_visitor" in r.cookies:
                        cookie = f"wr_visitor={r.cookies['wr_visitor'].value}"
                    if r.status == 302 or (r.status == 204 and "HX-Redirect" in r.headers):
                        stats["admitted"] += 1
                        await buy(shop, r.cookies[f"wr_pass_{pk}"].value, addr)
                        return
                    if r.status != 200:
                        stats["errors"][f"queue {r.status}"] += 1
                    elif "sold out" in text:
                        return
                    asked = POLL_EVERY.search(text)
                    wait = int(asked[1]) / 1000 if asked else poll
            except (TimeoutError, aiohttp.ClientError) as exc:
                stats["errors"][type(exc).__name__] += 1
            await asyncio.sleep(wait)

    async def buy(session, pass_token, addr):
        headers = {"X-Queue-Pass": pass_token, **addr}
        qty = rng.randint(1, 4)
        for zone in rng.sample(zones, len(zones)):
            for q in (qty, 1):
                async with session.post(f"{base}/api/v1/holds/", json={"performance": pk, "zone": zone,
                                                                       "quantity": q}, headers=headers) as r:
                    body = await r.json(content_type=None)
                if r.status == 201:
                    fan = {"name": "Fan", "email": f"fan{rng.random()}@example.org"}
                    async with session.post(f"{base}/api/v1/orders/", headers=addr,
                                            json={"hold": body["token"], "customer": fan, "payment": card}) as o:
                        data = await o.json(content_type=None)
                        if o.status == 201:
                            stats["tickets"] += len(data["tickets"])
                            stats["last_sale"] = time.monotonic()
                        else:
                            stats["errors"][f"order {o.status}"] += 1
                    return
                if r.status != 409:
                    stats["errors"][f"hold {r.status}"] += 1
                    return
        stats["sold_out_at"] = stats["sold_out_at"] or time.monotonic()

    # Browsers each have their own connections: one pool for the queue's polls and one for
    # buying, so that a poll never waits for a connection behind a buyer's slower requests.
    timeout_cfg = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256), cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=timeout_cfg) as session, \
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256), cookie_jar=aiohttp.DummyCookieJar(),
                                  timeout=timeout_cfg) as shop:
        await asyncio.gather(*(visitor(i, session, shop) for i in range(visitors)))


def as_the_internet(target, *args):
    """Run `target(*args)` in a child process, as the crowd's clients would be: elsewhere.
    On this machine that means the background cgroup (where it may) and the idle class in
    its own session, so that its CPU is not counted against the counter's latency.
    Returns the process and the queue where its result will be."""
    import multiprocessing

    from django.db import connections

    def child(results):
        os.setsid()
        background.join(os.getpid(), background.idle_cgroup())
        stack.lower_session(os.getpid(), 19)
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        results.put(target(*args))

    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    connections.close_all()  # the child must not inherit (and close) our PostgreSQL socket
    process = ctx.Process(target=child, args=(results,))
    process.start()
    return process, results


def _crowd_process(public, queue, perf_id, zone_ids, visitors, arrival, opens_in, poll, timeout):
    t0 = time.monotonic()
    stats = {"queue_requests": 0, "queue_ms": [], "admitted": 0, "tickets": 0, "errors": Counter(),
             "sold_out_at": None, "last_sale": None}
    asyncio.run(crowd(public, queue, {"id": perf_id, "zones": [{"id": z} for z in zone_ids]}, visitors, arrival,
                      opens_in, poll, timeout, stats))
    stats["last_sale"] = stats["last_sale"] and stats["last_sale"] - t0
    stats["sold_out_at"] = None
    stats["errors"] = dict(stats["errors"])
    return stats


def pct(values, p):
    from sales.benchmark import pct as _pct

    return _pct(values, p)


def spread(values) -> str:
    return ", ".join(f"{name} {pct(values, p):.1f} ms" for name, p in (("p50", 50), ("p90", 90), ("p99", 99))) + (
        f", max {max(values):.1f} ms" if values else "")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visitors", type=int, default=20000)
    ap.add_argument("--arrival", type=float, default=60, help="seconds over which the crowd arrives")
    ap.add_argument("--rows", type=int, default=70)
    ap.add_argument("--per-row", type=int, default=50)
    ap.add_argument("--admit-per-minute", type=int, default=900)
    ap.add_argument("--poll", type=float, default=15,
                    help="seconds between two polls when the page does not say (it does: the browser's htmx interval)")
    ap.add_argument("--public-workers", type=int, default=2)
    ap.add_argument("--idle-seconds", type=float, default=30)
    ap.add_argument("--probe-seconds", type=float, default=10)
    ap.add_argument("--probe-connections", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=420)
    args = ap.parse_args(argv)

    started = stack.up()
    procs: list[subprocess.Popen] = []
    perf = None
    try:
        stack.setup_django()
        from django.contrib.auth.models import Group, User
        from django.db.models import Count
        from django.utils import timezone
        from rest_framework.authtoken.models import Token

        from sales import waiting_room
        from sales.benchmark import bench_performance
        from sales.models import Place, Ticket, WaitingRoom
        from sales.roles import ensure_roles

        ensure_roles()
        clerk, _ = User.objects.get_or_create(username="crowd-clerk")
        clerk.groups.add(Group.objects.get(name="counter clerk"))
        token = Token.objects.get_or_create(user=clerk)[0].key
        perf = bench_performance(args.rows, args.per_row)
        capacity = args.rows * args.per_row
        zones = list(perf.price_zones.all())
        procs = servers(args.public_workers)
        # The load balancer's routes: the shop and public API, the staff, the waiting room.
        public, staff, queue = (f"http://127.0.0.1:{PORT + i}" for i in range(3))

        where = "the idle cgroup" if background.idle_cgroup() else "the idle class"
        print(f"performance {perf.pk}: {capacity} seats; public pool {args.public_workers} workers and queue pool "
              f"2 workers (in {where}), staff pool 1 worker; {args.visitors} visitors arriving "
              f"within {args.arrival:.0f} s, admitted at {args.admit_per_minute}/min", flush=True)
        idle_lat: list[float] = []
        errors: Counter = Counter()
        warm = time.monotonic() + 2  # connections and caches first; not measured
        asyncio.run(counter_sales(staff, token, perf.pk, zones[-1].pk, lambda: time.monotonic() > warm, [], errors))
        t_idle = time.monotonic() + args.idle_seconds
        asyncio.run(counter_sales(staff, token, perf.pk, zones[-1].pk, lambda: time.monotonic() > t_idle,
                                  idle_lat, errors))
        print(f"counter, idle: {len(idle_lat)} sales, {spread(idle_lat)}", flush=True)

        # The queue opens a few seconds into the crowd's arrival: the early ones are drawn.
        opens_in = min(10.0, args.arrival / 4)
        room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() + timedelta(
            seconds=args.probe_seconds + opens_in + 2), admit_per_minute=args.admit_per_minute, pass_minutes=15)
        waiting_room.publish(room)
        prober, answer = as_the_internet(lambda: asyncio.run(
            probe(queue, perf.pk, args.probe_connections, args.probe_seconds)))
        rps, probe_errors = answer.get(timeout=args.probe_seconds + 60)
        prober.join(timeout=30)
        print(f"queue probe: {rps:.0f} join/poll requests/s with {args.probe_connections} connections, "
              f"{probe_errors} errors", flush=True)
        # The probe's visitors joined too; start the crowd with a fresh queue.
        r = waiting_room.client()
        for key in r.scan_iter(f"wr:{perf.pk}:*"):
            if not key.endswith(":cfg"):
                r.delete(key)
        room.opens_at = timezone.now() + timedelta(seconds=opens_in)
        room.save()
        waiting_room.publish(room)

        crowd_lat: list[float] = []
        t0 = time.monotonic()

        client, results = as_the_internet(_crowd_process, public, queue, perf.pk, [z.pk for z in zones],
                                          args.visitors, args.arrival, opens_in, args.poll, args.timeout)
        counter_until = time.monotonic() + args.timeout

        def crowd_over():
            return not client.is_alive() or time.monotonic() > counter_until

        asyncio.run(counter_sales(staff, token, perf.pk, zones[-1].pk, crowd_over, crowd_lat, errors))
        stats = results.get(timeout=args.timeout + 60)
        client.join(timeout=30)
        stats["errors"] = Counter(stats["errors"])
        opens_at = t0 + opens_in
        stats["last_sale"] = stats["last_sale"] and t0 + stats["last_sale"]
        elapsed = time.monotonic() - t0
        sold_window = (stats["last_sale"] or time.monotonic()) - opens_at
        sold = Place.objects.filter(performance=perf, state="sold").count()
        valid = Ticket.objects.filter(place__performance=perf, status="valid")
        doubles = valid.values("place").annotate(n=Count("pk")).filter(n__gt=1).count()
        ok = sold == valid.count() <= capacity and doubles == 0
        q = stats["queue_requests"]
        print(f"crowd: {q} queue requests in {elapsed:.1f} s ({q / elapsed:.0f}/s average), "
              f"queue p50 {pct(stats['queue_ms'], 50):.0f} ms p99 {pct(stats['queue_ms'], 99):.0f} ms")
        print(f"admitted {stats['admitted']} ({stats['admitted'] / max(sold_window, 1):.1f}/s); "
              f"{stats['tickets']} tickets sold online in {sold_window:.1f} s after the opening "
              f"({stats['tickets'] / max(sold_window, 1):.1f}/s); {sold} places sold in all, counter included")
        ratio = pct(crowd_lat, 99) / pct(idle_lat, 99) if idle_lat and crowd_lat else float("nan")
        print(f"counter during the crowd: {len(crowd_lat)} sales, {spread(crowd_lat)}; "
              f"p99 ratio crowd/idle {ratio:.2f} (target <= 1.5)")
        all_errors = stats["errors"] + errors
        print(f"errors: {sum(all_errors.values())} {dict(all_errors)}")
        print(f"oversell check: {sold} places sold of {capacity}, {valid.count()} valid tickets, "
              f"{doubles} places in two tickets -> {'OK' if ok else 'OVERSOLD'}")
        return 0 if ok else 1
    finally:
        stack.benchmark_finished(procs, started, django_set_up=perf is not None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
