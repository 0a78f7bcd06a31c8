"""Direct connections against PgBouncer, back to back on the same stack: the API sell-out of
tooling.loadtest with the web workers connected to PostgreSQL directly (statements
prepared after 5 uses), through PgBouncer in session mode (the same), in session mode
with a connection per request (server connections shared, so prepared statements last one
request), and in transaction mode (nothing prepared: PgBouncer 1.18 cannot carry a
prepared statement from one transaction to the next), each with 2 and then 4 web workers.

    python -m tooling.poolbench [--workers 2 4] [--rounds 3] [loadtest arguments, e.g. --rows 30]

The modes take turns, round after round (a machine whose load drifts favours none), and
each mode's median round counts. Prints, per run, tickets per second, hold and order p99,
errors, the peak number of server connections the web workers held and the CPU time one
order cost PostgreSQL, the web workers and PgBouncer (which a busy machine disturbs far
less than throughput), then each mode's medians and their ratio to direct connections'
at the same number of workers (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys

from tooling import stack

FIGURES = {
    "tps": re.compile(r"sold \d+ tickets in [\d.]+ s: ([\d.]+) tickets/s \(\d+ orders, ([\d.]+) orders/s\)"),
    "hold_p99": re.compile(r"hold\s+n=\s*\d+.*p99\s+([\d.]+) ms"),
    "order_p99": re.compile(r"order n=\s*\d+.*p99\s+([\d.]+) ms"),
    "errors": re.compile(r"^errors: (\d+)", re.M),
    "connections": re.compile(r"server connections of the web workers: (\d+)"),
    "oversell": re.compile(r"oversell check: .* -> (\w+)"),
    "pg_cpu": re.compile(r"CPU per order: PostgreSQL ([\d.]+) ms"),
    "web_cpu": re.compile(r"CPU per order: .*web workers ([\d.]+) ms"),
    "bouncer_cpu": re.compile(r"CPU per order: .*PgBouncer ([\d.]+) ms"),
}


def run(pooling: str, workers: int, extra: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "tooling.loadtest", "--pooling", pooling, "--web-workers",
                          str(workers), *extra], cwd=stack.ROOT, capture_output=True, text=True).stdout
    found = {}
    for name, pattern in FIGURES.items():
        match = pattern.search(out)
        found[name] = match.groups() if match else None
    if found["tps"] is None:
        print(out, flush=True)
        raise SystemExit(f"[poolbench] the {pooling} run with {workers} workers did not finish")
    return found


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--modes", nargs="+", default=["direct", "session", "session-per-request", "transaction"])
    ap.add_argument("--rounds", type=int, default=3)
    args, extra = ap.parse_known_args(argv)
    started = stack.up()  # once for all runs: each loadtest reuses it
    try:
        results: dict[tuple[int, str], list[dict]] = {}
        print(f"{'round':>5} {'workers':>7} {'database':<32} {'tickets/s':>9} {'hold p99':>9} {'order p99':>9} "
              f"{'errors':>6} {'server conns':>12} {'CPU/order: PostgreSQL':>21} {'web':>7} {'PgBouncer':>9} "
              f"{'oversell':>8}", flush=True)
        for workers in args.workers:
            for round_ in range(1, args.rounds + 1):
                for mode in args.modes:
                    r = run(mode, workers, extra)
                    figures = {"tps": float(r["tps"][0]), "pg": float(r["pg_cpu"][0]), "web": float(r["web_cpu"][0]),
                               "bouncer": float(r["bouncer_cpu"][0]) if r["bouncer_cpu"] else 0.0}
                    results.setdefault((workers, mode), []).append(figures)
                    where = "direct" if mode == "direct" else f"PgBouncer {mode}"
                    print(f"{round_:>5} {workers:>7} {where:<32} {figures['tps']:>9.1f} "
                          f"{float(r['hold_p99'][0]):>7.0f}ms {float(r['order_p99'][0]):>7.0f}ms {r['errors'][0]:>6} "
                          f"{r['connections'][0]:>12} {figures['pg']:>19.2f}ms {figures['web']:>5.2f}ms "
                          f"{figures['bouncer']:>7.2f}ms {r['oversell'][0]:>8}", flush=True)
        print("medians: tickets/s; CPU per order of PostgreSQL, of PostgreSQL + PgBouncer, of everything "
              "(ratio to direct connections')")
        for workers in args.workers:
            base = None
            for mode in args.modes:
                runs = results[(workers, mode)]
                tps = statistics.median(x["tps"] for x in runs)
                pg = statistics.median(x["pg"] for x in runs)
                database = statistics.median(x["pg"] + x["bouncer"] for x in runs)
                everything = statistics.median(x["pg"] + x["bouncer"] + x["web"] for x in runs)
                if mode == "direct":
                    base = (tps, pg, database, everything)
                ratio = (f" ({tps / base[0]:.2f}, {pg / base[1]:.2f}, {database / base[2]:.2f}, "
                         f"{everything / base[3]:.2f})") if base else ""
                print(f"  {workers} workers, {mode:<20} {tps:6.1f} tickets/s; CPU/order PostgreSQL {pg:.2f} ms, "
                      f"+PgBouncer {database:.2f} ms, all {everything:.2f} ms{ratio}", flush=True)
        return 0
    finally:
        stack.down(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
