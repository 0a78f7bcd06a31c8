"""CPU per ticket of a sale through the API: hold, then order, one buyer at a time in this
process, counting this process's CPU and its PostgreSQL backend's (read from /proc: the
local stack's server runs on this machine), not the clock. A busy machine stretches
wall-clock figures; the CPU a sale costs stays put.

    python -m tooling.order_cpu [--orders 300]
    python -m tooling.order_cpu --floor [--orders 600]

Two performances, sold alternately: one at its zones' prices (`plain`), one priced as the
load test prices (`priced`: adult or child per ticket, a promo code on one order in five).
Prints the CPU per ticket of each and their ratio.

`--floor`: one-ticket orders priced as the load test prices, sold alternately through the
API (the requests, their middleware, the idempotency keys) and by calling the services
the API calls (the hold in its transaction, then the order), with no request at all. The
second is what an order costs whatever serves it: the floor under any web framework.
Prints the process's and PostgreSQL's CPU per order of each.
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
    ap.add_argument("--floor", action="store_true", help="one-ticket orders through the API against the services alone")
    args = ap.parse_args(argv)
    # The built-in test card, as the load test pays: the figure is the box office's, not a provider's.
    with stack.in_process_benchmark():
        from rest_framework.test import APIClient

        from sales.benchmark import bench_performance
        from tooling.loadtest import PROMO_CODE, priced

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
        if args.floor:
            return floor(client, card, performances["priced"], args.orders, rng)
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


def floor(client, card: dict, priced_performance, orders: int, rng: random.Random) -> int:
    """One-ticket orders, alternately through the API and through the services alone."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import transaction

    from sales.holds import hold_create, hold_targets
    from sales.orders import order_place
    from sales.orders.customers import CustomerDetails
    from sales.orders.pricing import PriceRequest
    from sales.payments import PaymentRequest
    from tooling.loadtest import PROMO_CODE

    perf, types, zones = priced_performance
    nobody = AnonymousUser()

    def through_api(i: int) -> bool:
        hold = client.post("/api/v1/holds/", {"performance": perf.pk, "zone": rng.choice(zones), "quantity": 1},
                           format="json", headers={"Idempotency-Key": f"order-cpu-floor-hold-{perf.pk}-{i}"})
        if hold.status_code != 201:
            return False
        order = {"hold": hold.json()["token"], "payment": card,
                 "customer": {"name": "CPU Test", "email": f"cpu-api-{perf.pk}-{i}@example.org"},
                 "tickets": [{"place": p["id"], "price_type": rng.choice(types)} for p in hold.json()["places"]]}
        if rng.random() < 0.2:
            order["promo_code"] = PROMO_CODE
        answer = client.post("/api/v1/orders/", order, format="json",
                             headers={"Idempotency-Key": f"order-cpu-floor-order-{perf.pk}-{i}"})
        return answer.status_code == 201

    def services_alone(i: int) -> bool:
        with transaction.atomic():
            found, zone, _section, window, _queued = hold_targets(
                performance_id=perf.pk, channel="online", zone_id=rng.choice(zones), section_id=None)
            hold = hold_create(performance=found, channel="online", user=nobody, owner_key="ip:192.0.2.1",
                               zone=zone, quantity=1, window=window)
        prices = PriceRequest(types={place.id: rng.choice(types) for place in hold.taken},
                              promo_code=PROMO_CODE if rng.random() < 0.2 else "")
        order_place(hold_token=hold.token, actor=nobody, owner_key="ip:192.0.2.1", prices=prices,
                    customer=CustomerDetails(name="CPU Test", email=f"cpu-alone-{perf.pk}-{i}@example.org"),
                    payment=PaymentRequest(method="test_card", card_number="4242424242424242"),
                    idempotency_key=f"order-cpu-floor-{perf.pk}-{i}")
        return True

    ways = {"through the API": through_api, "services alone": services_alone}
    spent = {way: [0.0, 0.0, 0] for way in ways}  # process CPU, PostgreSQL CPU, orders
    for i in range(orders // 2 + 10):
        for way, sell in ways.items():
            process, backend = time.process_time(), backend_cpu_seconds()
            if not sell(i):
                print(f"{way}: a one-ticket hold was refused (sold out?)")
                return 1
            if i >= 10:  # the first ones import, connect and prepare
                spent[way][0] += time.process_time() - process
                spent[way][1] += backend_cpu_seconds() - backend
                spent[way][2] += 1
    for way, (process, backend, count) in spent.items():
        process, backend = process / count * 1000, backend / count * 1000
        print(f"{way:16}: {count} one-ticket orders, {process:.2f} ms process + {backend:.2f} ms PostgreSQL = "
              f"{process + backend:.2f} ms of CPU an order")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
