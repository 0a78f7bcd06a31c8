"""Sell out a fresh performance with N concurrent buyers through the service layer.

    python manage.py bench_sellout --workers 16 --rows 40 --per-row 50

Prints seats sold per second, p50/p99 of a hold and of an order, and an oversell check
read back from the database. A benchmark, not a test: it prints figures. Its performance
then leaves the lists of what is on sale, and its buyers are emailed nothing (`make run`
serves the same database).
"""

from __future__ import annotations

import random
import statistics
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from events.models import Channel
from sales import inventory
from sales.benchmark import bench_finished, bench_performance, pct
from sales.errors import PlacesUnavailable, SalesError
from sales.holds import hold_create
from sales.models import Place, Ticket
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest


class Command(BaseCommand):
    help = "Sell out a fresh performance with concurrent buyers and print throughput and latency."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=16)
        parser.add_argument("--rows", type=int, default=40)
        parser.add_argument("--per-row", type=int, default=50)
        parser.add_argument("--max-tickets", type=int, default=4)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, workers, rows, per_row, max_tickets, seed, **options):
        settings.TEST_CARD_PROVIDER = True  # a benchmark of selling, not of a card provider
        perf = bench_performance(rows, per_row)
        zones = list(perf.price_zones.all())
        capacity = rows * per_row
        hold_ms, order_ms, errors = [], [], []
        unavailable = [0]
        sold_out = threading.Event()
        lock = threading.Lock()
        customer = CustomerDetails(name="Bench Buyer", email="bench@example.org")
        card = PaymentRequest(method="test_card", card_number=APPROVE)
        barrier = threading.Barrier(workers)

        def buyer(i: int) -> None:
            rng = random.Random(seed * 1000 + i)
            barrier.wait()
            try:
                while not sold_out.is_set():
                    zone = rng.choice(zones)
                    qty = rng.randint(1, max_tickets)
                    t0 = time.perf_counter()
                    try:
                        hold = hold_create(performance=perf, channel=Channel.ONLINE, zone=zone,
                                           quantity=qty)
                    except PlacesUnavailable:
                        with lock:
                            unavailable[0] += 1
                        if not Place.objects.filter(performance=perf).filter(
                                inventory.free(timezone.now())).exists():
                            sold_out.set()
                        continue
                    t1 = time.perf_counter()
                    order_place(hold=hold, customer=customer, payment=card)
                    t2 = time.perf_counter()
                    with lock:
                        hold_ms.append((t1 - t0) * 1000)
                        order_ms.append((t2 - t1) * 1000)
            except SalesError as exc:  # anything but "sold out" is an error worth showing
                with lock:
                    errors.append(repr(exc))
            finally:
                connection.close()

        self.stdout.write(f"Performance {perf.pk}: {capacity} seats, {workers} concurrent buyers "
                          f"of 1-{max_tickets} seats")
        threads = [threading.Thread(target=buyer, args=(i,)) for i in range(workers)]
        start = time.perf_counter()
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
        finally:
            # `make run` serves the same database: the sold-out benchmark leaves the lists of
            # what is on sale, and its made-up buyers' confirmations leave the outbox.
            bench_finished()

        sold = Place.objects.filter(performance=perf, state="sold").count()
        tickets = Ticket.objects.filter(place__performance=perf, status="valid").count()
        doubles = (Ticket.objects.filter(place__performance=perf, status="valid").values("place")
                   .annotate(n=Count("pk")).filter(n__gt=1).count())
        ok = sold == tickets <= capacity and doubles == 0
        w = self.stdout.write
        w(f"sold {sold} seats in {len(order_ms)} orders in {elapsed:.2f} s: "
          f"{sold / elapsed:.1f} seats/s, {len(order_ms) / elapsed:.1f} orders/s")
        w(f"hold   p50 {pct(hold_ms, 50):7.1f} ms   p99 {pct(hold_ms, 99):7.1f} ms   "
          f"mean {statistics.fmean(hold_ms) if hold_ms else 0:7.1f} ms")
        w(f"order  p50 {pct(order_ms, 50):7.1f} ms   p99 {pct(order_ms, 99):7.1f} ms   "
          f"mean {statistics.fmean(order_ms) if order_ms else 0:7.1f} ms")
        w(f"holds refused (zone full): {unavailable[0]}; errors: {len(errors)} {errors[:3]}")
        w(f"oversell check: {sold} places sold of {capacity}, {tickets} valid tickets, "
          f"{doubles} places in two tickets -> {'OK' if ok else 'OVERSOLD'}")
        if not ok or errors:
            raise SystemExit(1)
