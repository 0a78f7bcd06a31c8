"""Shared by the benchmarks: a fresh performance to sell out, and percentiles."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from events.models import Channel, Event, OnSaleWindow, Performance, PriceZone, Venue
from events.seating import seating_plan_import
from sales import inventory
from sales.models import Order, OrderEvent


def bench_finished() -> None:
    """End the sale of every benchmark performance, so that none stays in the counter's,
    the phone's or the shop's lists of what is on sale (`make run` uses the same database;
    a sold-out benchmark first in the counter's list would take the clerk's quick-sale keys)."""
    now = timezone.now()
    OnSaleWindow.objects.filter(performance__event__title__startswith="Benchmark ", opens_at__lt=now,
                                closes_at__gt=now).update(closes_at=now)
    # A benchmark's buyers are made up: the confirmations its own worker did not send
    # leave the outbox, or `make run`'s worker (or the next benchmark's, while it measures)
    # would send them. The orders say so.
    with transaction.atomic():
        pending = list(Order.objects.select_for_update().filter(
            performance__event__title__startswith="Benchmark ", status=Order.Status.PAID,
            confirmation_sent_at__isnull=True).values_list("pk", flat=True))
        Order.objects.filter(pk__in=pending).update(confirmation_sent_at=now)
        OrderEvent.objects.bulk_create(OrderEvent(order_id=pk, action="confirmation not sent",
                                                  detail="benchmark ended") for pk in pending)


def bench_performance(rows: int, per_row: int) -> Performance:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    venue = Venue.objects.create(name=f"Benchmark hall {stamp}")
    lines = ["section,row,number,x,y"] + [
        f"{'Front' if r < rows // 2 else 'Back'},R{r + 1},{n + 1},{n},{r}"
        for r in range(rows) for n in range(per_row)]
    seating_plan_import(venue=venue, text="\n".join(lines))
    event = Event.objects.create(title=f"Benchmark {stamp}")
    now = timezone.now()
    perf = Performance.objects.create(event=event, venue=venue, starts_at=now + timedelta(days=1))
    for channel in Channel.values:
        OnSaleWindow.objects.create(performance=perf, channel=channel,
                                    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=23))
    for name, price in (("Front", "80.00"), ("Back", "50.00")):
        zone = PriceZone.objects.create(performance=perf, name=name, price=Decimal(price))
        zone.sections.set(venue.sections.filter(name=name))
    inventory.put_on_sale(performance=perf)
    return perf


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
