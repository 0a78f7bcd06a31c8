"""Fault drills: the night of an on-sale, with things dying.

    make drill                      # all five drills
    make drill ARGS="--only redis"  # one of: celery, redis, postgres, crash, web

Starts the whole box office as `make run` does (its supervised runner, on ports of its
own, on a scratch database and Redis databases of its own), keeps API buyers selling
(hold, then a paid order, each with an Idempotency-Key, retried with the same key until
it gets an answer, as a careful client does), and in each drill does to the running
stack what an operator's bad night does:

- celery:   kill -9 the Celery worker mid-burst, twice;
- redis:    stop Redis for 20 s, then start it again;
- postgres: `pg_ctl restart -m fast`;
- crash:    `pg_ctl restart -m immediate` (a crash: recovery from the log, the last
            commits that did not wait for the disk lost);
- web:      kill -9 one public web worker while buyers pay with a slow (3 s) card.

After each, once the buyers have their answers and the outbox has drained, it prints
what the buyers saw and what the database and the mail drop show, and whether each
target is met: 0 duplicated or missing emails, 0 inconsistent rows, 0 keys unanswered
after 60 s, 0 leaked holds, sales never stopping for a Celery or Redis fault and
resuming within 2 s of a PostgreSQL restart. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

from tooling import stack, supervisor

PORT = int(os.environ.get("BOXOFFICE_DRILL_PORT", "18200"))
DB_NAME = "boxoffice_drill"
FOLDER = stack.STACK / "drill"
MAIL = FOLDER / "mail"
APPROVE, SLOW = "4242424242424242", "4000000000000259"
ANSWER_WITHIN = 60.0  # a key not answered by then is "unanswered"
CLAIM_SECONDS = 10  # confirmation claims taken over this soon (the drill waits for them)


@dataclass
class Tally:
    """What the buyers saw in one drill."""

    attempted: int = 0
    paid: int = 0
    failed_clear: int = 0
    failed_unclear: int = 0
    unanswered_keys: int = 0
    hold_refusals: int = 0
    retries: int = 0
    failures: Counter = field(default_factory=Counter)
    sales_at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts):
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class Buyer(threading.Thread):
    def __init__(self, n: int, perf: dict, card: str, tally: Tally, stop: threading.Event):
        super().__init__(daemon=True)
        self.n, self.perf, self.card, self.tally, self.stop = n, perf, card, tally, stop
        self.http = requests.Session()

    def call(self, method: str, path: str, body: dict | None = None, key: str | None = None):
        """(status, json) once the box office answers; None if it did not within
        ANSWER_WITHIN. A careful client: the same key on every retry."""
        started, pause = time.monotonic(), 0.2
        headers = {"Idempotency-Key": key} if key else {}
        while time.monotonic() - started < ANSWER_WITHIN:
            try:
                r = self.http.request(method, f"http://127.0.0.1:{PORT}{path}", json=body, headers=headers,
                                      timeout=(2, 20))
                data = r.json() if r.content else {}
                code = (data.get("error") or {}).get("code") if isinstance(data, dict) else None
                if r.status_code < 500 and r.status_code != 429 and code != "idempotency_conflict":
                    return r.status_code, data
            except (requests.RequestException, ValueError):
                pass  # the connection broke or the answer was cut: ask again, same key
            self.tally.add(retries=1)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        return None

    def run(self):
        zones = [z["id"] for z in self.perf["zones"]]
        i = 0
        while not self.stop.is_set():
            i += 1
            held = self.call("POST", "/api/v1/holds/", {"performance": self.perf["id"], "zone": zones[i % len(zones)],
                                                        "quantity": 1 + i % 2}, key=str(uuid.uuid4()))
            if held is None:
                self.tally.add(unanswered_keys=1)
                continue
            if held[0] != 201:
                self.tally.add(hold_refusals=1)
                time.sleep(0.2)
                continue
            token = held[1]["token"]
            self.tally.add(attempted=1)
            order = self.call("POST", "/api/v1/orders/", {
                "hold": token, "payment": {"method": "test_card", "card_number": self.card},
                "customer": {"name": f"Drill buyer {self.n}",
                             "email": f"drill-{self.n}-{i}-{uuid.uuid4().hex[:6]}@example.org"}},
                key=str(uuid.uuid4()))
            if order is not None and order[0] == 201 and order[1].get("status") == "paid":
                with self.tally.lock:
                    self.tally.paid += 1
                    self.tally.sales_at.append(time.monotonic())
                continue
            if order is None:
                self.tally.add(failed_unclear=1, unanswered_keys=1)
            else:
                with self.tally.lock:
                    self.tally.failed_clear += 1
                    self.tally.failures[(order[1].get("error") or {}).get("code", order[0])] += 1
            # Not bought: give the seats back, as a client that knows its hold does.
            self.call("DELETE", f"/api/v1/holds/{token}/")


# --- the stack under test -------------------------------------------------------------

def database_url() -> str:
    run_dir = stack.pg_base() / "run"
    return f"postgres://{stack.DB_USER}@{str(run_dir).replace('/', '%2F')}:{stack.PG_PORT}/{DB_NAME}"


def fresh_database() -> None:
    with psycopg.connect(host="127.0.0.1", port=stack.PG_PORT, user=stack.DB_USER, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def start_box_office(log) -> subprocess.Popen:
    redis = f"redis://127.0.0.1:{stack.REDIS_PORT}"
    for db in (8, 9, 10):
        with contextlib.suppress(Exception):
            import redis as redis_client

            redis_client.Redis.from_url(f"{redis}/{db}").flushdb()
    env = {**os.environ, "BOXOFFICE_WEB_PORT": str(PORT), "PAYMENT_TEST_CARD": "1", "DATABASE_URL": database_url(),
           "REDIS_URL": f"{redis}/8", "CACHE_URL": f"{redis}/9", "WAITING_ROOM_REDIS_URL": f"{redis}/10",
           "BOXOFFICE_STACK_DIR": str(FOLDER), "EMAIL_FILE_PATH": str(MAIL), "LOG_LEVEL": "WARNING",
           "CONFIRMATION_CLAIM_SECONDS": str(CLAIM_SECONDS), "CONFIRMATION_SWEEP_SECONDS": "5",
           "BOXOFFICE_RATE_LIMITS": "0"}  # every buyer here is one address
    return subprocess.Popen([sys.executable, "-m", "tooling.stack", "run"], cwd=stack.ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_up(runner: subprocess.Popen, log) -> None:
    """Until the box office says it is up (however long: a busy machine is slow to start
    its pools). The caller holds `runner` already: a Ctrl-C meanwhile stops it too."""
    log_path = Path(log.name)
    while "Box office is up" not in log_path.read_text(errors="replace"):
        if runner.poll() is not None:
            raise SystemExit(f"[drill] the box office did not start; see {log_path}")
        time.sleep(0.5)


def processes(pattern: str) -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of this machine's processes whose command matches."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if re.search(pattern, cmd):
                    ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    found.append((int(proc.name), ppid, cmd))
    return found


def celery_worker_main() -> int:
    workers = processes(rf"celery -A boxoffice worker .*worker-{PORT}@")
    pids = {pid for pid, _ppid, _cmd in workers}
    return next(pid for pid, ppid, _cmd in workers if ppid not in pids)


def public_web_worker() -> int:
    _staff, public, _queue = stack.pool_ports(PORT)  # PORT is HAProxy's, in front of the pools
    granians = processes(rf"granian .*--port {public} ")
    pids = {pid for pid, _ppid, _cmd in granians}
    return next(pid for pid, ppid, _cmd in granians if ppid in pids)


def pg_restart(mode: str = "fast") -> None:
    base = stack.pg_base()
    stack.pg_as_owner([str(stack.pg_bindir() / "pg_ctl"), "-D", str(base / "data"), "-l",
                       str(base / "postgres.log"), "-m", mode, "-w", "restart"],
                      check=True, stdout=subprocess.DEVNULL, start_new_session=True)


# --- what the database and the mail drop show -------------------------------------------

CHECKS = {
    "sold place without a valid ticket": """
        SELECT count(*) FROM sales_place p WHERE p.state = 'sold'
          AND NOT EXISTS (SELECT FROM sales_ticket t WHERE t.place_id = p.id AND t.status = 'valid')""",
    "valid ticket on a place not sold": """
        SELECT count(*) FROM sales_ticket t JOIN sales_place p ON p.id = t.place_id
        WHERE t.status = 'valid' AND p.state <> 'sold'""",
    "place with two valid tickets": """
        SELECT count(*) FROM (SELECT place_id FROM sales_ticket WHERE status = 'valid'
                              GROUP BY place_id HAVING count(*) > 1) twice""",
    "paid order without tickets": """
        SELECT count(*) FROM sales_order o WHERE o.status = 'paid'
          AND NOT EXISTS (SELECT FROM sales_ticket t WHERE t.order_id = o.id AND t.status = 'valid')""",
    "paid order whose payments differ from its total": """
        SELECT count(*) FROM sales_order o WHERE o.status = 'paid' AND o.total <> (
            SELECT coalesce(sum(amount), 0) FROM sales_payment WHERE order_id = o.id AND status = 'approved')""",
    "money kept on an order not paid": """
        SELECT count(*) FROM sales_order o WHERE o.status <> 'paid' AND (
            SELECT coalesce(sum(amount), 0) FROM sales_payment WHERE order_id = o.id AND status = 'approved')
          > (SELECT coalesce(sum(amount), 0) FROM sales_payment WHERE order_id = o.id AND status = 'refunded')""",
    "place held by a hold no longer active": """
        SELECT count(*) FROM sales_place p JOIN sales_hold h ON h.id = p.hold_id
        WHERE p.state = 'held' AND h.status <> 'active'""",
    "order left awaiting payment": "SELECT count(*) FROM sales_order WHERE status = 'pending'",
}


def sql(query: str, params=()) -> list[tuple]:
    with psycopg.connect(host=str(stack.pg_base() / "run"), port=stack.PG_PORT, user=stack.DB_USER,
                         dbname=DB_NAME) as conn:
        return conn.execute(query, params).fetchall()


def outbox_drained(since) -> bool:
    (due,), = sql("""SELECT count(*) FROM sales_order o JOIN sales_customer c ON c.id = o.customer_id
                     WHERE o.status = 'paid' AND o.confirmation_sent_at IS NULL AND o.created_at >= %s
                       AND c.email NOT LIKE '%%.invalid'""", [since])
    return due == 0


def mail_of(codes: set[str]) -> tuple[int, int, int]:
    """(orders with a confirmation, orders with more than one, resends of the same message)."""
    per_order: dict[str, set[str]] = {}
    for path in MAIL.glob("confirmation.*.eml"):
        _prefix, code, nth = path.name.split("@", 1)[0].split(".", 2)
        if code in codes:
            per_order.setdefault(code, set()).add(nth)
    resent_log = MAIL / "resent.log"
    resent = sum(1 for line in (resent_log.read_text().splitlines() if resent_log.exists() else [])
                 if line.split(".")[1:2] and line.split(".")[1] in codes)
    return len(per_order), sum(1 for n in per_order.values() if len(n) > 1), resent


# --- the drills --------------------------------------------------------------------------

@dataclass
class Fault:
    name: str
    title: str
    card: str
    do: callable  # runs the fault; returns when it has cleared (monotonic time of clearing)
    stops_sales: bool


def kill_celery_twice() -> float:
    for _ in range(2):
        pid = celery_worker_main()
        print(f"[drill]   kill -9 Celery worker {pid}", flush=True)
        os.kill(pid, signal.SIGKILL)
        time.sleep(6)
    return time.monotonic()


def redis_down_20s() -> float:
    print("[drill]   stopping Redis for 20 s", flush=True)
    stack.redis_down()
    time.sleep(20)
    stack.redis_up()
    return time.monotonic()


def restart_postgres() -> float:
    print("[drill]   pg_ctl restart -m fast", flush=True)
    pg_restart()
    return time.monotonic()


def crash_postgres() -> float:
    """As a power cut does: no shutdown checkpoint, what the log had not flushed is lost
    (the last holds and keys' answers, which do not wait for the disk) and PostgreSQL
    recovers from its log on start."""
    print("[drill]   pg_ctl restart -m immediate", flush=True)
    pg_restart("immediate")
    return time.monotonic()


def kill_web_worker() -> float:
    time.sleep(2)  # slow payments under way
    pid = public_web_worker()
    print(f"[drill]   kill -9 public web worker {pid} (buyers paying with a 3 s card)", flush=True)
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()


FAULTS = [
    Fault("celery", "kill -9 Celery worker mid-burst, twice", APPROVE, kill_celery_twice, False),
    Fault("redis", "Redis down 20 s", APPROVE, redis_down_20s, False),
    Fault("postgres", "PostgreSQL restart -m fast", APPROVE, restart_postgres, True),
    Fault("crash", "PostgreSQL crash (restart -m immediate)", APPROVE, crash_postgres, True),
    Fault("web", "one web worker killed during slow-card payments", SLOW, kill_web_worker, True),
]


def drill(fault: Fault, perf: dict, buyers: int) -> dict:
    print(f"[drill] {fault.title}", flush=True)
    since = sql("SELECT now()")[0][0]
    tally, stop = Tally(), threading.Event()
    crowd = [Buyer(n, perf, fault.card, tally, stop) for n in range(buyers)]
    for b in crowd:
        b.start()
    time.sleep(4)  # steady sales first
    fault_at = time.monotonic()
    cleared_at = fault.do()
    time.sleep(6)  # and after
    stop.set()
    for b in crowd:
        b.join()
    waited = time.monotonic()
    while not outbox_drained(since) and time.monotonic() - waited < CLAIM_SECONDS * 6 + 60:
        time.sleep(1)
    codes = {code for (code,) in sql("""SELECT o.code FROM sales_order o JOIN sales_customer c ON c.id = o.customer_id
                                         WHERE o.status = 'paid' AND o.created_at >= %s
                                           AND c.email NOT LIKE '%%.invalid'""", [since])}
    mailed, doubled, resent = mail_of(codes)
    inconsistent = {name: sql(q)[0][0] for name, q in CHECKS.items()}
    (unanswered_records,), = sql("""SELECT count(*) FROM sales_idempotencyrecord WHERE status_code IS NULL
                                    AND created_at >= %s AND created_at < now() - interval '60 seconds'""", [since])
    (leaked,), = sql("""SELECT count(*) FROM sales_hold h WHERE h.status = 'active' AND h.created_at >= %s
                        AND EXISTS (SELECT FROM sales_place p WHERE p.hold_id = h.id AND p.state = 'held'
                                    AND p.hold_expires_at > now())""", [since])
    times = sorted(tally.sales_at)
    during = [t for t in times if t >= fault_at - 1]
    gaps = [b - a for a, b in zip([fault_at] + during, during + [times[-1] if times else fault_at], strict=False)]
    after = [t for t in times if t >= cleared_at]
    return {
        "drill": fault.name, "title": fault.title, "tally": tally, "expected": len(codes), "mailed": mailed,
        "doubled": doubled, "missing": len(codes) - mailed, "resent": resent, "inconsistent": inconsistent,
        "unanswered": tally.unanswered_keys + unanswered_records, "leaked": leaked,
        "longest_gap": max(gaps) if gaps else float("inf"),
        "resumed_in": (after[0] - cleared_at) if after else float("inf"), "stops_sales": fault.stops_sales,
    }


def report(r: dict) -> bool:
    t: Tally = r["tally"]
    bad = sum(r["inconsistent"].values())
    resumed = r["resumed_in"] if r["stops_sales"] else r["longest_gap"]
    checks = {
        "0 duplicated": r["doubled"] == 0, "0 missing": r["missing"] == 0, "0 inconsistent": bad == 0,
        "0 unanswered keys": r["unanswered"] == 0, "0 leaked holds": r["leaked"] == 0,
        ("resumed within 2 s" if r["stops_sales"] else "sales never stopped (no gap over 2 s)"): resumed <= 2.0,
    }
    print(f"\n== {r['title']} ==")
    print(f"  orders   attempted {t.attempted}  paid {t.paid}  failed with a clear error {t.failed_clear}"
          f"  failed unclear {t.failed_unclear}   (holds refused {t.hold_refusals}, retries {t.retries})")
    if t.failures:
        print("           clear errors: " + ", ".join(f"{code} {n}" for code, n in t.failures.most_common()))
    print(f"  emails   expected {r['expected']}  sent {r['mailed']}  duplicated {r['doubled']}  missing {r['missing']}"
          f"   (the same message sent again after a crash: {r['resent']})")
    print(f"  database inconsistent rows {bad}" + ("" if not bad else "  " + ", ".join(
        f"{k}: {v}" for k, v in r["inconsistent"].items() if v)))
    print(f"  keys     unanswered after 60 s {r['unanswered']}   holds leaked {r['leaked']}")
    if r["stops_sales"]:
        print(f"  sales    resumed {r['resumed_in']:.2f} s after the fault cleared")
    else:
        print(f"  sales    longest gap between two sales {r['longest_gap']:.2f} s")
    print("  targets  " + "  ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks.items()))
    return all(checks.values())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=[f.name for f in FAULTS], action="append")
    parser.add_argument("--buyers", type=int, default=6)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = stack.up()
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in MAIL.glob("*"):
        old.unlink()
    fresh_database()
    log = open(FOLDER / "box-office.log", "w")  # noqa: SIM115 - as long as the box office runs
    runner = None
    try:
        print(f"[drill] starting the box office on :{PORT} (its output: {log.name})", flush=True)
        # In a process group of its own, which a terminal's Ctrl-C does not reach: whatever stops
        # the drill from here on stops it in `finally`.
        runner = start_box_office(log)
        wait_until_up(runner, log)
        perfs = requests.get(f"http://127.0.0.1:{PORT}/api/v1/performances/", timeout=10).json()
        results = []
        for fault in (f for f in FAULTS if not args.only or f.name in args.only):
            # The performance with the most places left: a drill measures faults, not a sell-out.
            details = [requests.get(f"http://127.0.0.1:{PORT}/api/v1/performances/{p['id']}/", timeout=10).json()
                       for p in perfs]
            perf = max(details, key=lambda d: sum(z.get("available", 0) for z in d["zones"]))
            results.append(drill(fault, perf, args.buyers))
        print(f"\nFault drills on {os.cpu_count()} cores, {args.buyers} API buyers, one supervised box office "
              f"(2 public web workers, 1 staff, Celery worker with 2 processes, beat).")
        met = [report(r) for r in results]
        print(f"\n{sum(met)} of {len(met)} drills met every target.")
        return 0 if all(met) else 1
    except KeyboardInterrupt:
        return 130
    finally:
        if runner is not None:
            supervisor.kill_group(runner, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                runner.wait(timeout=30)
            supervisor.kill_group(runner)
        if not stack.port_open(stack.REDIS_PORT):
            stack.redis_up()
        stack.down(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
