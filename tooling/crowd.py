"""On-sale crowd benchmark: a Beijing-like arrival, scaled to this machine.

    python -m tooling.crowd [--visitors 20000 --arrival 60 --rows 70 --per-row 50] [--automatic]
                            [--shop-share 0.25] [--shop-mode auto|normal|light]

Runs the production shape on the local stack: the public pool (granian, `--public-workers`,
at a lower CPU priority), the waiting room's pool (two workers), the staff pool (granian,
one worker), and a Celery worker with beat; the client routes as the load balancer would.
Then:

1. idle: the venue's staff (`--counters` counter terminals, `--phones` phone operators,
   tooling.terminals) sell a performance of their own through their pages, each signed
   in with its own session; their latency is the baseline;
2. probe: C connections join and poll the queue as fast as they can: what the queue holds;
3. crowd: V visitors arrive within A seconds (some before the on-sale, so the draw runs),
   poll the queue, and once admitted buy 1-4 seats, until sold out: `--shop-share` of them
   through the shop's pages as a browser does (the performance page; in normal mode its
   largest section and the seat states; the best seats of a zone; the basket; the card
   tokenised by the provider, localstripe; the checkout), the others through the API with
   their pass; the staff sell the same performance meanwhile. The shop's mode is left to
   the load, or forced with `--shop-mode` as an organizer forces it. The waiting room admits at
   `--admit-per-minute`, or with `--automatic` starts there and finds the rate itself
   within `--min-per-minute` and `--max-per-minute` (sales.admission).

Prints queue join/poll throughput, automatic admission's decisions, buyers' latency (API
and shop), when the shop's mode changed, the CPU the public pool and the database spent,
admitted per second, tickets sold per second, time to sell out, each staff channel's
latency p50/p99 during the crowd against idle (and each step's: which page a clerk waits
for), errors, and an oversell check from the database.
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

from tooling import background, costs, http1, stack, terminals

PORT = int(os.environ.get("BOXOFFICE_CROWD_PORT", "18100"))
POLL_EVERY = re.compile(r'hx-trigger="every (\d+)ms"')


# Where the crowd's servers and clients run. "idle" is the production shape on one
# machine: the crowd yields every cycle to the staff. On a machine busy with other work
# it yields to that too and barely runs; "shared" then runs it at normal priority, beside
# that work, and the staff's pool and terminals above it (nice -10), so that the staff
# still come first and the crowd gets a share it can sell with.
CROWD = {"idle": {"idle": True, "nice": 19}, "shared": {}}
STAFF = {"idle": {}, "shared": {"nice": -10}}


def servers(public_workers: int, priority: str = "idle") -> list[subprocess.Popen]:
    # BEHIND_PROXY: the simulated visitors come from many addresses, as through a load balancer.
    env = {**os.environ, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "PAYMENT_TEST_CARD": "1",
           "BEHIND_PROXY": "1", "CELERY_BROKER_URL": stack.benchmark_broker(),
           # Plain HTTP on loopback (TLS ends at the load balancer): the staff's session cookies travel over it.
           "DJANGO_SECURE_COOKIES": "0",
           "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "crowd-benchmark-only")}
    log = open(stack.STACK / "crowd-servers.log", "ab")  # noqa: SIM115 - as long as the servers live
    procs = []
    for cmd, pool, nice in (
        # Everything the crowd reaches, and background work, runs as background CPU
        # (tooling.background: the idle cgroup where the machine allows, the idle class in
        # sessions of the lowest share): it uses whatever CPU the staff leave, and yields it
        # the moment a staff request wakes.
        (stack.granian(PORT, public_workers, threads=8), "public", CROWD[priority]),
        (stack.granian(PORT + 2, 2, threads=2), "queue", CROWD[priority]),
        (stack.granian(PORT + 1, 1), "staff", STAFF[priority]),
        ([sys.executable, "-m", "celery", "-A", "boxoffice", "worker", "-B", "-l", "warning", "--concurrency", "1",
          "-n", f"crowd-{os.getpid()}@%h", "-s", str(stack.STACK / "crowd-beat")], "all", {"idle": True, "nice": 19}),
    ):
        procs.append(stack.spawn(cmd, **nice, cwd=stack.ROOT, env={**env, "BOXOFFICE_POOL": pool}, stdout=log,
                                 stderr=subprocess.STDOUT))
    try:
        stack.wait_for(lambda: all(stack.port_open(PORT + i) for i in range(3)), "granian pools", 120)
    except SystemExit:  # not left behind, holding the ports
        stack.stop_groups(procs)
        raise
    return procs


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


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
SECTION = re.compile(r'data-section="(\d+)"')


async def crowd(base: str, queue_base: str, perf: dict, visitors: int, arrival: float, opens_in: float, poll: float,
                timeout: float, stats: dict, shop_share: float = 0.0, provider: tuple[str, str] = ("", "")):
    import aiohttp

    pk = perf["id"]
    zones = [z["id"] for z in perf["zones"]]
    queue_path = f"/performances/{pk}/queue/"
    start = time.monotonic()
    deadline = start + timeout
    card = {"method": "test_card", "card_number": "4242424242424242"}
    rng = random.Random(7)

    async def visitor(i: int, polls, buying, shop):
        """A browser: the queue page once, then htmx polls at the interval each answer asks."""
        await asyncio.sleep(rng.uniform(0, arrival))
        cookie = None
        addr = {"X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
        wait = poll
        while time.monotonic() < deadline and not stats["sold_out_at"]:
            t0 = time.perf_counter()
            headers = {**addr, "Cookie": cookie, "HX-Request": "true"} if cookie else addr
            try:
                status, answer, body = await polls.request("GET", queue_path, headers=headers)
                stats["queue_requests"] += 1
                stats["queue_ms"].append((time.perf_counter() - t0) * 1000)
                got = http1.cookies(answer)
                if cookie is None and "wr_visitor" in got:
                    cookie = f"wr_visitor={got['wr_visitor']}"
                if status == 302 or (status == 204 and "hx-redirect" in answer):
                    stats["admitted"] += 1
                    pass_token = got[f"wr_pass_{pk}"]
                    if rng.random() < shop_share:
                        await shop_buy(shop, pass_token, addr)
                    else:
                        await buy(buying, pass_token, addr)
                    return
                text = body.decode()
                if status != 200:
                    stats["errors"][f"queue {status}"] += 1
                elif "sold out" in text:
                    return
                asked = POLL_EVERY.search(text)
                wait = int(asked[1]) / 1000 if asked else poll
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError, KeyError) as exc:
                stats["errors"][type(exc).__name__] += 1
            await asyncio.sleep(wait)

    async def buy(buying, pass_token, addr):
        headers = {"X-Queue-Pass": pass_token, **addr}
        qty = rng.randint(1, 4)
        for zone in rng.sample(zones, len(zones)):
            for q in (qty, 1):
                t0 = time.perf_counter()
                status, body = await buying.json("POST", "/api/v1/holds/", headers=headers,
                                                 json={"performance": pk, "zone": zone, "quantity": q})
                stats["buy_ms"].append((time.perf_counter() - t0) * 1000)
                if status == 201:
                    fan = {"name": "Fan", "email": f"fan{rng.random()}@example.org"}
                    t0 = time.perf_counter()
                    status, data = await buying.json("POST", "/api/v1/orders/", headers=addr,
                                                     json={"hold": body["token"], "customer": fan, "payment": card})
                    stats["buy_ms"].append((time.perf_counter() - t0) * 1000)
                    if status == 201:
                        stats["tickets"] += len(data["tickets"])
                        stats["last_sale"] = time.monotonic()
                    else:
                        stats["errors"][f"order {status}"] += 1
                    return
                if status != 409:
                    stats["errors"][f"hold {status}"] += 1
                    return
        stats["sold_out_at"] = stats["sold_out_at"] or time.monotonic()

    async def shop_buy(session, pass_token, addr):
        """As a browser buys in the shop: the performance page; in normal mode its largest
        section and the live seat states too; the best seats of a zone; the basket; the card
        typed into the provider's field (a token from localstripe); the checkout."""
        import aiohttp

        jar = {f"wr_pass_{pk}": pass_token}

        async def call(method, path, kind, data=None):
            t0 = time.perf_counter()
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
            try:
                async with session.request(method, f"{base}{path}", data=data, allow_redirects=False,
                                           headers={**addr, "Cookie": cookie}) as r:
                    text = await r.text()
            except (TimeoutError, aiohttp.ClientError) as exc:
                stats["errors"][f"shop {type(exc).__name__}"] += 1
                return None, ""
            stats["shop_ms"].setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            jar.update({name: morsel.value for name, morsel in r.cookies.items()})
            if r.status >= 400 and not (kind == "checkout" and r.status in (402, 409)):
                stats["errors"][f"shop {kind} {r.status}"] += 1
                return None, text
            return r, text

        r, page = await call("GET", f"/performances/{pk}/", "page")
        if r is None or r.status != 200:
            return
        light = 'id="light-mode"' in page
        stats["shop_light_pages" if light else "shop_normal_pages"] += 1
        if not light:  # the shopper opens the largest section and the map refreshes itself
            sections = SECTION.findall(page)
            if sections:
                await call("GET", f"/performances/{pk}/seats/?section={sections[0]}", "section")
            await call("GET", f"/performances/{pk}/seat-states/", "seat states")
        csrf = dict(HIDDEN.findall(page)).get("csrfmiddlewaretoken", "")
        qty = rng.randint(1, 4)
        held = False
        for zone in rng.sample(zones, len(zones)):
            for q in (qty, 1):
                r, _ = await call("POST", f"/performances/{pk}/hold/", "hold",
                                  {"csrfmiddlewaretoken": csrf, "zone": zone, "quantity": q})
                if r is None:
                    return
                if r.headers.get("Location", "").endswith("/basket/"):
                    held, qty = True, q
                    break
            if held:
                break
        if not held:
            stats["sold_out_at"] = stats["sold_out_at"] or time.monotonic()
            return
        r, basket = await call("GET", "/basket/", "basket")
        if r is None:
            return
        api_base, key = provider
        try:
            async with session.post(f"{api_base}/v1/tokens", data={
                    "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2031",
                    "card[cvc]": "123", "key": key}) as t:
                token = (await t.json(content_type=None))["id"]
        except (TimeoutError, aiohttp.ClientError, KeyError, ValueError) as exc:
            stats["errors"][f"provider {type(exc).__name__}"] += 1
            return
        form = dict(HIDDEN.findall(basket))
        form.update(name="Fan", email=f"fan{rng.random()}@example.org", card_token=token)
        r, _ = await call("POST", "/checkout/", "checkout", form)
        if r is not None and "/orders/" in r.headers.get("Location", ""):
            stats["tickets"] += qty
            stats["shop_orders"] += 1
            stats["last_sale"] = time.monotonic()
        elif r is not None:
            stats["errors"][f"shop checkout {r.status}"] += 1

    # Browsers each have their own connections: one pool for the queue's polls and one for
    # buying, so that a poll never waits for a connection behind a buyer's slower requests.
    # The polls and the API buyers (most of the crowd's requests) speak plain HTTP/1.1
    # (tooling.http1: an HTTP library's CPU here would be taken from the servers); the shop
    # buyers, with their forms and the provider, an HTTP library.
    polls, buying = http1.Pool(queue_base, 256), http1.Pool(base, 256)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256), cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=30)) as shop:
        try:
            await asyncio.gather(*(visitor(i, polls, buying, shop) for i in range(visitors)))
        finally:
            await polls.close()
            await buying.close()


def as_elsewhere(pidfile) -> None:
    """The payment provider (localstripe) runs on the provider's machines, not the box
    office's: here, as background CPU like the crowd's clients, so that what it spends on
    the shop buyers' cards is not taken from the staff."""
    try:
        pid = int(pidfile.read_text())
        background.join(pid, background.idle_cgroup())
        os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, ValueError):
        return
    stack.lower_session(pid, 19)


def as_the_internet(target, *args, priority: str = "idle"):
    """Run `target(*args)` in a child process, as the crowd's clients would be: elsewhere.
    On this machine that means the background cgroup (where it may) and the idle class in
    its own session, so that its CPU is not counted against the counter's latency.
    Returns the process and the queue where its result will be."""
    import multiprocessing

    from django.db import connections

    def child(results):
        os.setsid()
        if priority == "shared":  # a session of its own at normal priority, beside the machine's other work
            os.setpriority(os.PRIO_PROCESS, 0, 0)
            stack.lower_session(os.getpid(), 0)
        else:
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


def _crowd_process(public, queue, perf_id, zone_ids, visitors, arrival, opens_in, poll, timeout, shop_share,
                   provider):
    t0 = time.monotonic()
    stats = {"queue_requests": 0, "queue_ms": [], "buy_ms": [], "admitted": 0, "tickets": 0, "errors": Counter(),
             "sold_out_at": None, "last_sale": None, "shop_ms": {}, "shop_orders": 0, "shop_light_pages": 0,
             "shop_normal_pages": 0}
    asyncio.run(crowd(public, queue, {"id": perf_id, "zones": [{"id": z} for z in zone_ids]}, visitors, arrival,
                      opens_in, poll, timeout, stats, shop_share, provider))
    stats["last_sale"] = stats["last_sale"] and stats["last_sale"] - t0
    stats["sold_out_at"] = None
    stats["cpu"] = time.process_time()  # the simulated visitors' own CPU, the whole run
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
    ap.add_argument("--admit-per-minute", type=int, default=900, help="the rate; automatic: the starting rate")
    ap.add_argument("--automatic", action="store_true", help="automatic admission within the bounds below")
    ap.add_argument("--min-per-minute", type=int, default=900)
    ap.add_argument("--max-per-minute", type=int, default=30000)
    ap.add_argument("--holds-target", type=int, default=1000, help="automatic: active online holds aimed at")
    ap.add_argument("--counters", type=int, default=4, help="counter terminals selling through the crowd")
    ap.add_argument("--phones", type=int, default=12, help="phone operators selling through the crowd")
    ap.add_argument("--staff-pause", type=float, default=1.0,
                    help="seconds a clerk or operator takes between two steps (0.5x to 1.5x, at random)")
    ap.add_argument("--poll", type=float, default=15,
                    help="seconds between two polls when the page does not say (it does: the browser's htmx interval)")
    ap.add_argument("--public-workers", type=int, default=2)
    ap.add_argument("--idle-seconds", type=float, default=60,
                    help="the staff's baseline: long enough that its p99 is not just its slowest requests")
    ap.add_argument("--probe-seconds", type=float, default=10)
    ap.add_argument("--probe-connections", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=420)
    ap.add_argument("--shop-share", type=float, default=0.25,
                    help="share of admitted visitors who buy through the shop's pages (the rest through the API)")
    ap.add_argument("--shop-mode", choices=("auto", "normal", "light"), default="auto",
                    help="the shop's mode: chosen by load (auto), or forced as an organizer forces it")
    ap.add_argument("--priority", choices=("idle", "shared"), default="idle",
                    help="idle: the crowd yields to everything (a machine of its own); shared: the crowd at normal "
                         "priority beside other work, the staff above it")
    args = ap.parse_args(argv)

    started = stack.up()
    procs: list[subprocess.Popen] = []
    perf = None
    forced: str | None = None  # the organizer's choice, when the crowd forces another
    try:
        stack.setup_django()
        from django.conf import settings
        from django.db.models import Count
        from django.utils import timezone

        from sales import admission, shop_mode, waiting_room
        from sales.benchmark import bench_performance
        from sales.models import Place, Ticket, WaitingRoom

        staff_accounts = terminals.accounts(args.counters, args.phones)
        perf = bench_performance(args.rows, args.per_row)
        # The staff's idle baseline sells a performance of its own: the crowd's keeps every seat.
        idle_perf = bench_performance(args.rows, args.per_row)
        capacity = args.rows * args.per_row
        zones = list(perf.price_zones.all())
        procs = servers(args.public_workers, args.priority)
        if args.priority == "idle" and stack.stripe_down in started:  # ours, not a running stack's
            as_elsewhere(stack.STACK / "stripe" / "localstripe.pid")
        if args.priority == "shared":  # the staff's terminals run here (after the servers: they would inherit it)
            os.setpriority(os.PRIO_PROCESS, 0, -10)
            stack.lower_session(os.getpid(), -10)
        # The load balancer's routes: the shop and public API, the staff, the waiting room.
        public, staff, queue = (f"http://127.0.0.1:{PORT + i}" for i in range(3))

        where = ("normal priority, the staff at nice -10" if args.priority == "shared" else
                 "the idle cgroup" if background.idle_cgroup() else "the idle class")
        admitting = (f"admitted automatically from {args.admit_per_minute}/min within {args.min_per_minute}-"
                     f"{args.max_per_minute}/min" if args.automatic else f"admitted at {args.admit_per_minute}/min")
        print(f"performance {perf.pk}: {capacity} seats; public pool {args.public_workers} workers and queue pool "
              f"2 workers (in {where}), staff pool 1 worker; {args.visitors} visitors arriving "
              f"within {args.arrival:.0f} s, {admitting}; {args.counters} counter terminals and {args.phones} "
              f"phone operators selling through their pages", flush=True)
        deadline = (timezone.localtime() + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M")
        idle_lat: dict[str, list[float]] = {"counter": [], "phone": []}
        crowd_lat: dict[str, list[float]] = {"counter": [], "phone": []}
        errors: Counter = Counter()
        idle_sales: Counter = Counter()
        crowd_sales: Counter = Counter()

        zone_ids = {perf.pk: [z.pk for z in zones], idle_perf.pk: [z.pk for z in idle_perf.price_zones.all()],
                    None: []}

        idle_steps: dict[str, list[float]] = {}
        crowd_steps: dict[str, list[float]] = {}

        def staff_phase(perf_id, until, lat, sales, measuring=lambda: True, also=None, by_step=None):
            async def both():
                work = terminals.staff_at_work(
                    staff, staff_accounts, perf_id, zone_ids[perf_id], until, lat, errors, sales,
                    pause=args.staff_pause, deadline=deadline, measuring=measuring, by_step=by_step)
                await asyncio.gather(work, *([also()] if also else []))
            asyncio.run(both())

        staff_phase(None, lambda: True, {"counter": [], "phone": []}, Counter())  # sign in, open the shifts
        warm = time.monotonic() + 3  # connections and caches first; not measured
        t_idle = warm + args.idle_seconds
        staff_phase(idle_perf.pk, lambda: time.monotonic() > t_idle, idle_lat, idle_sales,
                    measuring=lambda: time.monotonic() > warm, by_step=idle_steps)
        for channel in ("counter", "phone"):
            print(f"{channel}, idle: {idle_sales[channel]} sales, {len(idle_lat[channel])} requests, "
                  f"{spread(idle_lat[channel])}", flush=True)

        # The queue opens a few seconds into the crowd's arrival: the early ones are drawn.
        opens_in = min(10.0, args.arrival / 4)
        room = WaitingRoom.objects.create(
            performance=perf, opens_at=timezone.now() + timedelta(seconds=args.probe_seconds + opens_in + 2),
            admit_per_minute=args.admit_per_minute, pass_minutes=15, automatic=args.automatic,
            min_per_minute=args.min_per_minute, max_per_minute=args.max_per_minute, holds_target=args.holds_target)
        admission.publish(room)
        prober, answer = as_the_internet(lambda: asyncio.run(
            probe(queue, perf.pk, args.probe_connections, args.probe_seconds)), priority=args.priority)
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
        admission.publish(room)
        was = shop_mode.forced()
        shop_mode.reset()  # a fresh history; the organizer's choice, if forced
        if args.shop_mode != "auto":
            shop_mode.force(args.shop_mode)
            forced = was
        parts = {"public pool": [procs[0].pid], "queue pool": [procs[1].pid], "staff pool": [procs[2].pid],
                 "Celery": [procs[3].pid], **costs.stack_pids()}
        cpu_before = {name: costs.cpu_seconds(pids) for name, pids in parts.items()}

        t0 = time.monotonic()
        client, results = as_the_internet(_crowd_process, public, queue, perf.pk, [z.pk for z in zones],
                                          args.visitors, args.arrival, opens_in, args.poll, args.timeout,
                                          args.shop_share, (settings.STRIPE_API_BASE, settings.STRIPE_PUBLISHABLE_KEY),
                                          priority=args.priority)
        staff_until = time.monotonic() + args.timeout
        decisions: list[tuple[float, dict]] = []

        def crowd_over():  # the client's answer may be waiting in the pipe, its process not yet gone
            return not client.is_alive() or not results.empty() or time.monotonic() > staff_until

        async def watch_the_rate():  # what the organizer's admin line says, once a second
            while not crowd_over():
                if args.automatic and (auto := admission.state(perf.pk)) and auto.get("decided_at") and (
                        not decisions or decisions[-1][1]["decided_at"] != auto["decided_at"]):
                    decisions.append((float(auto["decided_at"]) - room.opens_at.timestamp(), auto))
                await asyncio.sleep(0.5)

        staff_phase(perf.pk, crowd_over, crowd_lat, crowd_sales, also=watch_the_rate, by_step=crowd_steps)
        while client.is_alive() and not crowd_over():
            time.sleep(0.5)
        stats = results.get(timeout=args.timeout + 60)
        client.join(timeout=30)
        cpu = {name: costs.cpu_seconds(pids) - cpu_before[name] for name, pids in parts.items()}
        stats["errors"] = Counter(stats["errors"])
        opens_at = t0 + opens_in
        stats["last_sale"] = stats["last_sale"] and t0 + stats["last_sale"]
        elapsed = time.monotonic() - t0
        sold_window = (stats["last_sale"] or time.monotonic()) - opens_at
        sold = Place.objects.filter(performance=perf, state="sold").count()
        reserved = Place.objects.filter(performance=perf, state="held", hold__orders__status="reserved").count()
        valid = Ticket.objects.filter(place__performance=perf, status="valid")
        doubles = valid.values("place").annotate(n=Count("pk")).filter(n__gt=1).count()
        ok = sold == valid.count() and sold + reserved <= capacity and doubles == 0
        q = stats["queue_requests"]
        if decisions:
            print("automatic admission (s after the opening: rate/min, why):")
            for at, auto in decisions:
                m = auto["measures"] or {}
                print(f"  {at:5.1f} s  {auto['verdict']:7} {int(float(auto['rate'])):6}  {auto['cause']:8} "
                      f"buyer p99 {m.get('p99_ms')} ms, {m.get('requests')} requests, {m.get('errors')} errors, "
                      f"{m.get('holds')} holds")
        print(f"crowd: {q} queue requests in {elapsed:.1f} s ({q / elapsed:.0f}/s average), "
              f"queue p50 {pct(stats['queue_ms'], 50):.0f} ms p99 {pct(stats['queue_ms'], 99):.0f} ms")
        print(f"buyers' hold and order requests through the API: {len(stats['buy_ms'])}, {spread(stats['buy_ms'])}")
        shop_all = [ms for values in stats["shop_ms"].values() for ms in values]
        print(f"shop buyers ({args.shop_share:.0%} of those admitted, shop mode {args.shop_mode}): "
              f"{stats['shop_orders']} orders; performance pages {stats['shop_normal_pages']} normal, "
              f"{stats['shop_light_pages']} light; {len(shop_all)} requests ({len(shop_all) / elapsed:.1f}/s), "
              f"{spread(shop_all)}")
        for kind, values in stats["shop_ms"].items():
            print(f"  {kind:12} {len(values):6} requests, {spread(values)}")
        every = stats["buy_ms"] + shop_all
        print(f"every buyer request (API and shop): {len(every)}, p50 {pct(every, 50):.1f} ms, "
              f"p99 {pct(every, 99):.1f} ms")
        opened = room.opens_at.timestamp()
        print("shop mode: " + (", ".join(f"{what} at {at - opened:+.1f} s" for at, what in shop_mode.switches())
                               or "no change (normal throughout)"))
        print("CPU during the crowd: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in cpu.items())
              + f"; the crowd's own client {stats['cpu']:.1f} s")
        print(f"admitted {stats['admitted']} ({stats['admitted'] / max(sold_window, 1):.1f}/s); "
              f"{stats['tickets']} tickets sold online in {sold_window:.1f} s after the opening "
              f"({stats['tickets'] / max(sold_window, 1):.1f}/s); {sold} places sold in all, counter included; "
              f"{reserved} reserved by phone")
        for channel in ("counter", "phone"):
            i, c = idle_lat[channel], crowd_lat[channel]
            ratio = pct(c, 99) / pct(i, 99) if i and c else float("nan")
            print(f"{channel}: idle p50 {pct(i, 50):.1f} / p99 {pct(i, 99):.1f} ms ({len(i)} requests) -> "
                  f"crowd p50 {pct(c, 50):.1f} / p99 {pct(c, 99):.1f} ms ({len(c)} requests, "
                  f"{crowd_sales[channel]} sales); p99 ratio crowd/idle {ratio:.2f} (target <= 1.5)")
        for step in sorted(crowd_steps):
            i, c = idle_steps.get(step, []), crowd_steps[step]
            print(f"  {step:20} p50 {pct(i, 50):6.1f} -> {pct(c, 50):6.1f} ms, p99 {pct(i, 99):6.1f} -> "
                  f"{pct(c, 99):6.1f} ms ({len(i)} -> {len(c)} requests)" if i else f"  {step:20} crowd only")
        all_errors = stats["errors"] + errors
        print(f"errors: {sum(all_errors.values())} {dict(all_errors)}")
        print(f"oversell check: {sold} places sold of {capacity} and {reserved} reserved, {valid.count()} valid "
              f"tickets, {doubles} places in two tickets -> {'OK' if ok else 'OVERSOLD'}")
        return 0 if ok else 1
    finally:
        if forced is not None:  # the organizer's choice is put back
            from redis import RedisError

            from sales import shop_mode

            try:
                shop_mode.force(forced)
            except RedisError as exc:
                print(f"the shop's mode was left forced to {args.shop_mode}: {exc}", file=sys.stderr)
        stack.benchmark_finished(procs, started, django_set_up=perf is not None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
