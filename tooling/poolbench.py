"""Direct connections against PgBouncer, back to back on the same stack: the API sell-out of
tooling.loadtest with the web workers connected to PostgreSQL directly (statements
prepared after 5 uses), through PgBouncer in session mode (the same), in session mode
with a connection per request (server connections shared, so prepared statements last one
request), and in transaction mode (nothing prepared: PgBouncer 1.18 cannot carry a
prepared statement from one transaction to the next), each with 2 and then 4 web workers.

    python -m tooling.poolbench [--workers 2 4] [--rounds 3] [loadtest arguments, e.g. --rows 30]

The modes take turns, round after round (a machine whose load drifts favours none), and
each mode's median round counts. Prints, per run, tickets and orders per second, hold and
order p99, errors and the peak number of server connections the web workers held, then
each mode's median throughput as a ratio of direct connections' at the same number of
workers (docs/scaling.md).
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
        results: dict[tuple[int, str], list[float]] = {}
        print(f"{'round':>5} {'workers':>7} {'database':<32} {'tickets/s':>9} {'hold p99':>9} {'order p99':>9} "
              f"{'errors':>6} {'server conns':>12} {'oversell':>8}", flush=True)
        for workers in args.workers:
            for round_ in range(1, args.rounds + 1):
                for mode in args.modes:
                    r = run(mode, workers, extra)
                    results.setdefault((workers, mode), []).append(float(r["tps"][0]))
                    where = "direct" if mode == "direct" else f"PgBouncer {mode}"
                    print(f"{round_:>5} {workers:>7} {where:<32} {float(r['tps'][0]):>9.1f} "
                          f"{float(r['hold_p99'][0]):>7.0f}ms {float(r['order_p99'][0]):>7.0f}ms {r['errors'][0]:>6} "
                          f"{r['connections'][0]:>12} {r['oversell'][0]:>8}", flush=True)
        print("median tickets/s (one-ticket orders: orders/s too), and as a ratio of direct connections':")
        for workers in args.workers:
            base = statistics.median(results[(workers, "direct")]) if "direct" in args.modes else None
            print(f"  {workers} workers: " + ", ".join(
                f"{mode} {statistics.median(results[(workers, mode)]):.1f}"
                + (f" ({statistics.median(results[(workers, mode)]) / base:.2f})" if base else "")
                for mode in args.modes), flush=True)
        return 0
    finally:
        stack.down(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
