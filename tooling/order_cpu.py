"""CPU per ticket of a sale through the API: hold, then order, one buyer at a time in this
process, counting this process's CPU and its PostgreSQL backend's (read from /proc: the
local stack's server runs on this machine), not the clock. A busy machine stretches
wall-clock figures; the CPU a sale costs stays put.

    python -m tooling.order_cpu [--orders 300]

Two performances, sold alternately: one at its zones' prices (`plain`), one priced as the
load test prices (`priced`: adult or child per ticket, a promo code on one order in five).
Prints the CPU per ticket of each and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from tooling import stack


def backend_cpu_seconds() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=300, help="orders per performance (after 20 not counted)")
    args = ap.parse_args(argv)
    # The built-in test card, as the load test pays: the figure is the box office's, not a provider's.
    os.environ["PAYMENT_TEST_CARD"] = "1"
    started = stack.up()
    ready = False
    try:
        stack.setup_django()
        ready = True
        from django.conf import settings
        from rest_framework.test import APIClient

        from sales.benchmark import bench_performance
        from tooling.loadtest import PROMO_CODE, priced

        # One in-process client buying fast, with none of development's query log.
        settings.ALLOWED_HOSTS, settings.RATE_LIMITS, settings.DEBUG = ["*"], False, False
        client = APIClient()
        card = {"method": "test_card", "card_number": "4242424242424242"}
        performances = {}
        for kind in ("plain", "priced"):
            perf = bench_performance(max(2, -(-args.orders * 4 // 50)), 50)
            if kind == "priced":
                priced(perf)
            performances[kind] = (perf, list(perf.price_types.values_list("pk", flat=True)),
                                  list(perf.price_zones.values_list("pk", flat=True)))
        rng = random.Random(1)
        spent = {kind: [0.0, 0] for kind in performances}
        for i in range(args.orders + 20):
            for kind, (perf, types, zones) in performances.items():
                cpu = time.process_time() + backend_cpu_seconds()
                hold = client.post("/api/v1/holds/", {"performance": perf.pk, "zone": rng.choice(zones),
                                                      "quantity": rng.randint(1, 4)}, format="json")
                if hold.status_code != 201:
                    continue
                places = hold.json()["places"]
                order = {"hold": hold.json()["token"], "payment": card,
                         "customer": {"name": "CPU Test", "email": f"cpu-{perf.pk}-{i}@example.org"}}
                if types:
                    order["tickets"] = [{"place": p["id"], "price_type": rng.choice(types)} for p in places]
                    if rng.random() < 0.2:
                        order["promo_code"] = PROMO_CODE
                answer = client.post("/api/v1/orders/", order, format="json",
                                     headers={"Idempotency-Key": f"order-cpu-benchmark-{perf.pk}-{i}"})
                if answer.status_code != 201:
                    print(f"order refused: {answer.status_code} {answer.content[:200]!r}")
                    return 1
                if i >= 20:  # the first ones import, connect and prepare
                    spent[kind][0] += time.process_time() + backend_cpu_seconds() - cpu
                    spent[kind][1] += len(places)
        per_ticket = {kind: seconds / tickets * 1000 for kind, (seconds, tickets) in spent.items()}
        for kind, ms in per_ticket.items():
            print(f"{kind:6}: {spent[kind][1]} tickets, {ms:.2f} ms of CPU per ticket (web process + PostgreSQL)")
        print(f"priced / plain: {per_ticket['priced'] / per_ticket['plain']:.3f}")
        return 0
    finally:
        stack.benchmark_finished([], started, django_set_up=ready)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
