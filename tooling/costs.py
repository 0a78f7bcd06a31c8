"""What each thing a visitor or a buyer does costs the machine, in CPU time per request,
by the process that spends it, and the fleet that follows for a given on-sale.

    python -m tooling.costs [--requests 1500 --concurrency 16 --utilisation 0.6]

Wall-clock rates on a shared machine say more about the neighbours than about the code;
CPU time per request does not: it is read from the kernel's accounting (user + system)
of every process that serves the request: the web pool's workers, the waiting room's
pool, PostgreSQL (all of its processes, background writers included), Redis and the
Celery worker. So the figures hold on a busy machine and add up to a capacity model.

Measured, each on its own, C concurrent clients: /healthz (the floor of a Django request),
a queue join and a queue poll (the waiting room's page, answered before Django), a seat-map
read (the live seat states of the performance on sale), a hold (best available, one
place, through the API), a payment (order with the test card, through the API), and a
confirmation (the Celery worker rendering and sending the email with its PDF tickets).

The model then sizes each part for two on-sale hours (SCENARIOS below: Beijing 2008's
first hour, 8 million connection attempts, about 2,222 page loads a second; a stadium
tour's, 30 million queue requests from a million visitors) at a target CPU utilisation
(`--utilisation`, 0.6: the headroom a burst needs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from tooling import stack

PORT = int(os.environ.get("BOXOFFICE_COSTS_PORT", "18200"))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and all their descendants, dead children's
    time included (the kernel adds a reaped child's time to its parent's c-fields)."""
    total = 0.0
    for pid in _with_descendants(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # After the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
        total += sum(int(f) for f in fields[11:15]) / TICK
    return total


def _with_descendants(pids: list[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    seen, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, []))
    return seen


def stack_pids() -> dict[str, list[int]]:
    """The local stack's PostgreSQL and Redis, by their pid files."""
    pg = [int((stack.STACK / "pg" / "data" / "postmaster.pid").read_text().split()[0])]
    redis = [int((stack.STACK / "redis" / "redis.pid").read_text().strip())]
    return {"postgres": pg, "redis": redis}


def environment(broker: str) -> dict:
    return {**os.environ, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "BOXOFFICE_RATE_LIMITS": "0",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "BEHIND_PROXY": "1", "CELERY_BROKER_URL": broker,
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "costs-benchmark-only")}


def servers(env: dict) -> dict[str, subprocess.Popen]:
    log = open(stack.STACK / "costs-servers.log", "ab")  # noqa: SIM115 - as long as the servers live
    procs = {}
    for name, cmd, pool in (
        ("public", stack.granian(PORT, 1, threads=8), "public"),
        ("queue", stack.granian(PORT + 2, 1, threads=2), "queue"),
    ):
        procs[name] = stack.spawn(cmd, cwd=stack.ROOT, env={**env, "BOXOFFICE_POOL": pool}, stdout=log,
                                  stderr=subprocess.STDOUT)
    stack.wait_for(lambda: stack.port_open(PORT) and stack.port_open(PORT + 2), "granian pools")
    return procs


def worker(env: dict) -> subprocess.Popen:
    log = open(stack.STACK / "costs-servers.log", "ab")  # noqa: SIM115 - as long as the worker lives
    return stack.spawn([sys.executable, "-m", "celery", "-A", "boxoffice", "worker", "-l", "warning",
                        "--concurrency", "1", "-n", f"costs-{os.getpid()}@%h"], cwd=stack.ROOT,
                       env={**env, "BOXOFFICE_POOL": "all"}, stdout=log, stderr=subprocess.STDOUT)


async def requests(make, n: int, concurrency: int) -> tuple[int, int]:
    """Run n requests made by make(i, session) -> (ok: bool); returns (ok, failed)."""
    import aiohttp

    done = {"ok": 0, "failed": 0}
    next_i = iter(range(n))

    async def client(session):
        for i in next_i:
            if await make(i, session):
                done["ok"] += 1
            else:
                done["failed"] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                     cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    return done["ok"], done["failed"]


def measured(what: str, parts: dict[str, list[int]], run) -> dict:
    before = {name: cpu_seconds(pids) for name, pids in parts.items()}
    t0 = time.perf_counter()
    ok, failed = run()
    wall = time.perf_counter() - t0
    spent = {name: (cpu_seconds(pids) - before[name]) * 1000 / max(ok, 1) for name, pids in parts.items()}
    row = {"what": what, "n": ok, "failed": failed, "wall_s": wall, "ms": spent}
    print(f"{what:13} n={ok:5} failed={failed:3}  " + "  ".join(f"{k} {v:6.2f}" for k, v in spent.items())
          + f"  | total {sum(spent.values()):6.2f} ms CPU", flush=True)
    return row


SCENARIOS = {
    # Beijing 2008's first hour: 8 million connection attempts, each counted as a fresh
    # page load (a join: the dearer kind), and the sale bounded by what there was to sell.
    "beijing": {"joins_per_s": 8_000_000 / 3600, "polls_per_s": 0, "seat_maps_per_s": 150, "orders_per_s": 100},
    # A stadium tour's on-sale: 30 million queue requests in the hour from 1 million
    # visitors (each joins once and polls every 15 s or so); 50 dates of 50,000 seats,
    # 2.5 tickets an order, sold within the hour.
    "stadium": {"joins_per_s": 1_000_000 / 3600, "polls_per_s": 29_000_000 / 3600, "seat_maps_per_s": 400,
                "orders_per_s": 280},
}


def fleet(costs: dict[str, dict], scenario: dict, utilisation: float) -> dict[str, float]:
    """Cores each part needs: rate x CPU per request, over the utilisation kept."""
    def ms(what, part):
        return costs[what]["ms"].get(part, 0.0)

    orders = scenario["orders_per_s"]
    rates = {"queue join": scenario["joins_per_s"], "queue poll": scenario["polls_per_s"],
             "seat map": scenario["seat_maps_per_s"], "hold": orders, "payment": orders, "confirmation": orders}
    need = {}
    for part in ("queue", "public", "postgres", "redis", "worker"):
        need[part] = sum(rate * ms(what, part) for what, rate in rates.items()) / 1000 / utilisation
    return need


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1500, help="requests per kind measured")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--utilisation", type=float, default=0.6)
    ap.add_argument("--json", help="also write the measured costs to this file")
    args = ap.parse_args(argv)
    n, c = args.requests, args.concurrency

    started = stack.up()
    procs: dict[str, subprocess.Popen] = {}
    perf = None
    try:
        stack.setup_django()
        from django.utils import timezone

        from sales import waiting_room
        from sales.benchmark import bench_performance
        from sales.models import Order, WaitingRoom
        from tooling.loadtest import priced

        perf = bench_performance(max(2, -(-n // 50) + 2), 50)
        priced(perf)
        queued = bench_performance(2, 10)
        # Open, admitting almost nobody: every request below meets a visitor who waits.
        room = WaitingRoom.objects.create(performance=queued, opens_at=timezone.now() - timedelta(minutes=1),
                                          admit_per_minute=1, pass_minutes=15)
        waiting_room.publish(room)
        env = environment(stack.benchmark_broker())  # emptied once: the worker finds what the sale queued
        procs = servers(env)
        public, queue = f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{PORT + 2}"
        parts = {"public": [procs["public"].pid], "queue": [procs["queue"].pid], **stack_pids()}
        catalogue = json.loads(urllib.request.urlopen(f"{public}/api/v1/performances/{perf.pk}/").read())
        zones = [z["id"] for z in catalogue["zones"]]
        adult = catalogue["price_types"][0]["id"]
        print(f"one public worker (8 threads), one queue worker, then one Celery worker; {c} concurrent clients, "
              f"{n} requests of each kind; CPU ms per request by process:", flush=True)

        async def healthz(i, s):
            async with s.get(f"{public}/healthz") as r:
                await r.read()
                return r.status == 200

        visitors: list[str] = []

        async def join(i, s):
            headers = {"X-Forwarded-For": f"10.9.{i // 256 % 256}.{i % 256}"}
            async with s.get(f"{queue}/performances/{queued.pk}/queue/", headers=headers,
                             allow_redirects=False) as r:
                await r.read()
                if "wr_visitor" in r.cookies:
                    visitors.append(r.cookies["wr_visitor"].value)
                return r.status in (200, 302)

        async def poll(i, s):
            headers = {"Cookie": f"wr_visitor={visitors[i % len(visitors)]}", "HX-Request": "true",
                       "X-Forwarded-For": f"10.9.{i // 256 % 256}.{i % 256}"}
            async with s.get(f"{queue}/performances/{queued.pk}/queue/", headers=headers,
                             allow_redirects=False) as r:
                await r.read()
                return r.status in (200, 204, 302)

        async def seat_map(i, s):
            async with s.get(f"{public}/performances/{perf.pk}/seat-states/", headers={"HX-Request": "true"}) as r:
                await r.read()
                return r.status == 200

        holds: list[dict] = []

        async def hold(i, s):
            async with s.post(f"{public}/api/v1/holds/", json={"performance": perf.pk, "zone": zones[i % 2],
                                                               "quantity": 1}) as r:
                body = await r.json(content_type=None)
                if r.status == 201:
                    holds.append(body)
                return r.status == 201

        async def pay(i, s):
            body = holds[i]
            buyer = {"name": f"Cost {i}", "email": f"cost-{perf.pk}-{i}@example.org"}
            order = {"hold": body["token"], "customer": buyer,
                     "payment": {"method": "test_card", "card_number": "4242424242424242"},
                     "tickets": [{"place": p["id"], "price_type": adult} for p in body["places"]]}
            async with s.post(f"{public}/api/v1/orders/", json=order,
                              headers={"Idempotency-Key": f"costs-{perf.pk}-{i:08d}"}) as r:
                await r.read()
                return r.status == 201

        def run(make, count=n):
            return lambda: asyncio.run(requests(make, count, c))

        # Warm up: connections, caches and prepared statements, as a running server has them.
        asyncio.run(requests(healthz, 200, c))
        asyncio.run(requests(seat_map, 50, c))
        asyncio.run(requests(join, 100, c))
        visitors.clear()
        rows = [measured("healthz", parts, run(healthz)),
                measured("queue join", parts, run(join)),
                measured("queue poll", parts, run(poll)),
                measured("seat map", parts, run(seat_map, n // 3))]
        rows.append(measured("hold", parts, run(hold)))
        rows.append(measured("payment", parts, run(pay, len(holds))))

        # The confirmations wait in the broker until a worker starts: it sends them alone, and
        # what it spends starting (imports, connections) is left out by measuring from its
        # first sent email on.
        mine = Order.objects.filter(performance=perf, status=Order.Status.PAID)
        unsent = mine.filter(confirmation_sent_at__isnull=True)
        procs["worker"] = worker(env)
        deadline = time.monotonic() + 600
        while unsent.count() == mine.count() and time.monotonic() < deadline:
            time.sleep(0.05)
        first = mine.count() - unsent.count()

        def confirmations():
            while unsent.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            left = unsent.count()
            return mine.count() - left - first, left

        rows.append(measured("confirmation", {"worker": [procs["worker"].pid], **stack_pids()}, confirmations))
        costs = {row["what"]: row for row in rows}
        if args.json:
            Path(args.json).write_text(json.dumps(costs, indent=2))

        print(f"\nfleet at {args.utilisation:.0%} CPU (cores per part; each worker process uses one core at most):")
        for name, scenario in SCENARIOS.items():
            need = fleet(costs, scenario, args.utilisation)
            print(f"  {name}: {scenario['joins_per_s']:.0f} queue joins/s, {scenario['polls_per_s']:.0f} polls/s, "
                  f"{scenario['seat_maps_per_s']} seat maps/s, "
                  f"{scenario['orders_per_s']} orders/s -> "
                  + ", ".join(f"{part} {cores:.1f}" for part, cores in need.items())
                  + f"; in all {sum(need.values()):.1f} cores ({math.ceil(sum(need.values()) / 16)} hosts of 16)")
        return 0 if not any(row["failed"] for row in rows) else 1
    finally:
        stack.benchmark_finished(list(procs.values()), started, django_set_up=perf is not None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
