"""Export many orders as CSV and XLSX and print how long each took and how much memory
it held at most. The orders are made for the run, in a transaction rolled back at the
end: the database is left as it was.

    .venv/bin/python -m tooling.stack up
    DJANGO_DEBUG=1 .venv/bin/python manage.py bench_exports            # 100,000 orders
    DJANGO_DEBUG=1 .venv/bin/python manage.py bench_exports --orders 20000 --python-memory
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import reset_queries, transaction
from django.utils import timezone

from events.models import Channel, Event, Performance, Venue
from sales.exports import ExportFilter, csv_chunks, order_rows, xlsx_file
from sales.models import Customer, Order, new_order_code, new_secret


def _kb(field: str) -> int:
    """A figure of this process's /proc/self/status, in kB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _resident_peak_reset() -> int | None:
    """Reset the kernel's record of this process's peak resident size (VmHWM) and return
    the resident size now; None where Linux does not offer it. Memory that C code holds
    (the database driver's buffers, an XML writer's) counts here, not in tracemalloc.
    What the process freed is given back to the system first (glibc's malloc_trim), so
    that what the export needs shows as growth rather than hiding in freed memory."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return _kb("VmRSS")
    except (OSError, KeyError):
        return None


class Command(BaseCommand):
    help = "Export N orders (100,000 by default) as CSV and XLSX; print the time and peak memory of each."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100_000)
        parser.add_argument("--python-memory", action="store_true",
                            help="export each format a second time under tracemalloc, for the peak of Python's own "
                                 "allocations (several times slower)")

    def handle(self, *args, orders: int, python_memory: bool, **options):
        with transaction.atomic():
            performance = self._orders(orders)
            reset_queries()
            for fmt in ("csv", "xlsx"):
                resident = _resident_peak_reset()
                seconds, size = self._export(fmt, performance)
                grown = _kb("VmHWM") - resident if resident is not None else None
                figures = [f"{fmt}: {orders:,} orders in {seconds:.1f} s ({orders / seconds:,.0f} a second)",
                           f"{size / 1e6:.1f} MB", "resident size at its peak " + (
                               f"{grown / 1e3:+.1f} MB over its start" if grown is not None else "not measured here")]
                if python_memory:
                    tracemalloc.start()
                    self._export(fmt, performance)
                    _current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    figures.append(f"peak Python memory {peak / 1e6:.1f} MB")
                self.stdout.write(", ".join(figures))
            transaction.set_rollback(True)

    def _orders(self, n: int) -> Performance:
        started = time.perf_counter()
        venue = Venue.objects.create(name=f"Export bench {new_secret()[:8]}")
        event = Event.objects.create(title="Export bench")
        performance = Performance.objects.create(event=event, venue=venue,
                                                 starts_at=timezone.now() + timedelta(days=30))
        customers = Customer.objects.bulk_create(
            Customer(name=f"Customer {i}", email=f"customer{i}@example.org", phone="418-555-0199") for i in range(1000))
        now = timezone.now()
        batch = 5000
        for start in range(0, n, batch):
            Order.objects.bulk_create(
                Order(code=new_order_code() + f"{i:04d}"[-4:], access_token=new_secret(), performance=performance,
                      customer=customers[i % len(customers)], channel=Channel.ONLINE, status=Order.Status.PAID,
                      total=Decimal("89.00"), currency="CAD", paid_at=now, language="en")
                for i in range(start, min(n, start + batch)))
        self.stdout.write(f"made {n:,} orders in {time.perf_counter() - started:.1f} s")
        return performance

    @staticmethod
    def _export(fmt: str, performance: Performance) -> tuple[float, int]:
        started = time.perf_counter()
        header, rows = order_rows(ExportFilter(performance=performance))
        if fmt == "csv":
            size = sum(len(chunk) for chunk in csv_chunks(header, rows))
        else:
            with xlsx_file(header, rows, title="orders") as out:
                size = out.seek(0, 2)
        return time.perf_counter() - started, size
