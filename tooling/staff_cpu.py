"""CPU per staff page, in this process (Django's test client: no server, no network), as
the counter and the phone console are used:

- a counter sale: the quick sale's hold, the sale page, cash, the order page;
- a phone reservation: a new caller, the caller's page, best seats, the sale page, the
  reservation, the order page;
- then the pages that list performances (the counter's sale page, a caller's page, the
  door's) with `--on-sale` performances on sale, made for the measure in a transaction
  rolled back at the end.

CPU time and statements per page, not the clock: a busy machine stretches wall-clock
figures, not these.

    python -m tooling.staff_cpu [--sales 60] [--on-sale 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta

from tooling import stack
from tooling.terminals import ATTEMPT, TOTAL, tendered


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sales", type=int, default=60, help="counter sales and phone reservations (after 5 not counted)")
    ap.add_argument("--on-sale", type=int, default=200, help="performances on sale for the listing pages")
    args = ap.parse_args(argv)
    with stack.in_process_benchmark():
        clients = _signed_in()
        sales(clients, args.sales)
        listings(clients, args.on_sale)
    return 0


def _signed_in() -> dict:
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from sales.policy import DOOR_STAFF
    from sales.roles import ensure_roles
    from tooling.terminals import accounts

    ensure_roles()
    clerk, operator = accounts(1, 1)
    door, _ = User.objects.get_or_create(username="staff-cpu-door")
    door.groups.add(Group.objects.get(name=DOOR_STAFF))
    clients = {}
    for name, username in (("counter", clerk.username), ("phone", operator.username), ("door", door.username)):
        client = Client()
        client.force_login(User.objects.get(username=username), backend=settings.AUTHENTICATION_BACKENDS[1])
        clients[name] = client
    clients["counter"].post("/counter/shift/open/", {"cash_float": "100"})
    return clients


class Pages:
    """CPU and statements per named page."""

    def __init__(self):
        self.cpu, self.statements, self.count = defaultdict(float), Counter(), Counter()

    def get(self, client, step: str, method: str, path: str, data=None, expect=200, counted=True):
        from django.db import connection

        sent = []

        def record(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            cpu = time.process_time()
            response = getattr(client, method)(path, data or {})
            cpu = time.process_time() - cpu
        if response.status_code != expect:
            raise SystemExit(f"{step}: {response.status_code} {response.content[:300]!r}")
        if counted:
            self.cpu[step] += cpu
            self.statements[step] += len(sent)
            self.count[step] += 1
        return response

    def print(self, steps: list[str]) -> float:
        total = 0.0
        for step in steps:
            ms = self.cpu[step] / self.count[step] * 1000
            total += ms
            print(f"  {step:24} {ms:6.1f} ms CPU  {self.statements[step] / self.count[step]:5.1f} statements")
        return total


def sales(clients: dict, count: int) -> None:
    from django.utils import timezone

    from sales.benchmark import bench_performance

    # Room for every ticket in either zone (the best seats are asked of one at random).
    perf = bench_performance(max(4, -(-(count + 5) * 4 // 50)), 50)
    zones = list(perf.price_zones.values_list("pk", flat=True))
    rng, pages = random.Random(1), Pages()
    counter, phone = clients["counter"], clients["phone"]
    for i in range(count + 5):
        counted = i >= 5  # the first ones import, connect and prepare
        r = pages.get(counter, "counter: hold", "post", "/counter/sale/",
                      {"performance": perf.pk, "zone": rng.choice(zones), "quantity": 1}, 302, counted)
        sale = r["Location"]
        page = pages.get(counter, "counter: sale page", "get", sale, counted=counted).content.decode()
        paid = {"attempt": ATTEMPT.search(page)[1], "tendered": tendered(TOTAL.search(page)[1])}
        r = pages.get(counter, "counter: cash", "post", sale, paid, 302, counted)
        pages.get(counter, "counter: order page", "get", r["Location"], counted=counted)
        who = f"staff-cpu-{time.time_ns()}"
        r = pages.get(phone, "phone: new caller", "post", "/phone/customers/new/",
                      {"name": f"Caller {who}", "email": f"{who}@example.org", "phone": "418-555-0199"}, 302, counted)
        caller = r["Location"]
        pages.get(phone, "phone: caller page", "get", caller, counted=counted)
        r = pages.get(phone, "phone: hold", "post", f"{caller}sale/",
                      {"performance": perf.pk, "zone": rng.choice(zones), "quantity": 1}, 302, counted)
        sale = r["Location"]
        page = pages.get(phone, "phone: sale page", "get", sale, counted=counted).content.decode()
        deadline = (timezone.localtime() + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M")
        r = pages.get(phone, "phone: reservation", "post", sale,
                      {"action": "reserve", "deadline": deadline, "attempt": ATTEMPT.search(page)[1]}, 302, counted)
        pages.get(phone, "phone: order page", "get", r["Location"], counted=counted)
    print(f"{count} counter sales and {count} phone reservations, one ticket each:")
    counter_sale = pages.print([s for s in pages.count if s.startswith("counter")])
    phone_sale = pages.print([s for s in pages.count if s.startswith("phone")])
    print(f"  a counter sale: {counter_sale:.0f} ms of CPU; a phone reservation: {phone_sale:.0f} ms")


def listings(clients: dict, on_sale: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from events.models import Channel, Event, OnSaleWindow, Performance, PriceZone, Venue
    from sales.models import Customer

    now = timezone.now()
    with transaction.atomic():
        selling = Performance.objects.filter(on_sale_windows__channel=Channel.PHONE, on_sale_windows__opens_at__lte=now,
                                             on_sale_windows__closes_at__gt=now).count()
        venue, event = Venue.objects.create(name="Festival grounds"), Event.objects.create(title="Festival show")
        perf = Performance.objects.filter(on_sale_windows__channel=Channel.COUNTER).order_by("starts_at").last()
        for i in range(max(0, on_sale - selling)):
            perf = Performance.objects.create(event=event, venue=venue, starts_at=now + timedelta(days=3, minutes=i))
            for channel in (Channel.COUNTER, Channel.PHONE):
                OnSaleWindow.objects.create(performance=perf, channel=channel, opens_at=now - timedelta(days=1),
                                            closes_at=now + timedelta(days=2))
            for zone in range(3):
                PriceZone.objects.create(performance=perf, name=f"Zone {zone + 1}", price=50)
        caller = Customer.objects.create(name="Festival caller", email=f"festival-{time.time_ns()}@example.org")
        pages, sizes = Pages(), {}
        lists = (("counter: performances", clients["counter"], "/counter/"),
                 ("phone: caller page", clients["phone"], f"/phone/customers/{caller.pk}/"),
                 ("door: performances", clients["door"], "/door/"),
                 ("counter: a day found", clients["counter"], f"/counter/?find={perf.local():%Y-%m-%d}"))
        for step, client, path in lists:
            for i in range(45):
                sizes[step] = len(pages.get(client, step, "get", path, counted=i >= 5).content)
        print(f"Pages that list performances, {max(on_sale, selling)} on sale:")
        pages.print([step for step, _, _ in lists])
        for step, size in sizes.items():
            print(f"  {step:24} {size / 1024:6.1f} KB")
        transaction.set_rollback(True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
