"""What the shop's seat map costs: bytes over the wire (compressed as served) and server
time, for a performance of 3,500 and of 9,000 seats.

    make up && DJANGO_DEBUG=1 .venv/bin/python manage.py migrate
    DJANGO_DEBUG=1 .venv/bin/python manage.py bench_seatmap --sizes 3500,9000 [--light]

Requests go through the whole Django stack in process (middleware included), so the times
are the server's own, without the network; the page's display counts are dropped from the
cache before each request, as a hold or a sale does. The static files are counted gzip-compressed,
as WhiteNoise serves them after `collectstatic`. Everything is rolled back at the end.
The shop's normal mode is measured, or its light mode with `--light`, in this process
only: the shop's own mode is left as it is. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.text import compress_string

from events.models import Channel, Event, OnSaleWindow, Performance, PriceZone, Venue
from events.seating import seating_plan_import
from sales import inventory
from sales.availability import availability_changed
from sales.benchmark import pct
from sales.demo import amphitheatre_plan
from sales.models import Place

# seats → (rows, seats per row) in each of the demo's five sections
SHAPES = {3500: (20, 35), 9000: (30, 60)}
STATIC_REF = re.compile(r'(?:src|href)="/static/([^"?]+\.(?:js|css))"')


def _performance(seats: int) -> Performance:
    rows, per_row = SHAPES[seats]
    plan = amphitheatre_plan(rows, per_row)
    plan["sections"] = [s for s in plan["sections"] if s["kind"] == "seated"]
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    venue = Venue.objects.create(name=f"Benchmark amphitheatre {stamp}")
    seating_plan_import(venue=venue, text=json.dumps(plan), filename="bench.json")
    now = timezone.now()
    perf = Performance.objects.create(event=Event.objects.create(title=f"Benchmark {stamp}"), venue=venue,
                                      starts_at=now + timedelta(days=1))
    for channel in Channel.values:
        OnSaleWindow.objects.create(performance=perf, channel=channel, opens_at=now - timedelta(hours=1),
                                    closes_at=now + timedelta(hours=23))
    for name, price, colour, names in (("Premium", "89.00", "#b91c1c", ["Parterre centre"]),
                                       ("Parterre", "69.00", "#2563eb", ["Parterre gauche", "Parterre droit"]),
                                       ("Gradins", "49.00", "#059669", ["Gradins ouest", "Gradins est"])):
        zone = PriceZone.objects.create(performance=perf, name=name, price=Decimal(price), color=colour)
        zone.sections.set(venue.sections.filter(name__in=names))
    inventory.put_on_sale(performance=perf)
    # A sale under way: one seat in five gone, scattered, so states are not all alike.
    ids = list(Place.objects.filter(performance=perf).values_list("pk", flat=True))
    inventory.block(performance=perf, place_ids=random.Random(1).sample(ids, len(ids) // 5), now=now)
    return perf


def _timed(client: Client, url: str, n: int, before=None) -> tuple[dict, object]:
    """Each request's time on the clock and the CPU time this process spent on it (the
    web server's own work, without PostgreSQL's, nor the time spent waiting for a core on a
    busy machine)."""
    wall, cpu, response = [], [], None
    for _ in range(n):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"wall": wall, "cpu": cpu}, response


def _figures(times: dict) -> str:
    return (f"p50 {pct(times['wall'], 50):5.1f} ms  p95 {pct(times['wall'], 95):5.1f} ms"
            f"   (CPU p50 {pct(times['cpu'], 50):5.1f} ms  p95 {pct(times['cpu'], 95):5.1f} ms)")


class Command(BaseCommand):
    help = "Print the seat map's bytes over the wire and server p95 for 3,500 and 9,000 seats."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="3500,9000")
        parser.add_argument("--requests", type=int, default=40)
        parser.add_argument("--light", action="store_true", help="measure the shop's light mode")

    def handle(self, *args, sizes: str, requests: int, **options):
        from sales import shop_mode

        # One mode, whatever an organizer or the load chose for the shop, which stays as it is.
        shop_mode.pin(options["light"])
        self.stdout.write(f"the shop's {'light' if options['light'] else 'normal'} mode")
        try:
            for seats in (int(s) for s in sizes.split(",")):
                with transaction.atomic():
                    self._measure(seats, requests)
                    transaction.set_rollback(True)
        finally:
            shop_mode.pin(None)

    def _measure(self, seats: int, n: int) -> None:
        perf = _performance(seats)
        client = Client(HTTP_ACCEPT_ENCODING="gzip", SERVER_NAME="localhost")
        base = f"/performances/{perf.pk}/"
        # The static files the page links to, as WhiteNoise serves them after collectstatic.
        names = sorted(set(STATIC_REF.findall(client.get(base).content.decode())))
        static = 0
        for name in names:
            with open(finders.find(name), "rb") as f:
                static += len(compress_string(f.read()))
        self.stdout.write(f"static files ({', '.join(names)}), gzip: {static / 1024:.1f} KB")
        # The page's counts come from the display cache, out of date after every hold and sale
        # and counted again at most once a second: the worst case, each timed request
        # counting the places itself.
        with override_settings(AVAILABILITY_REFRESH_SECONDS=0):
            page_times, page = _timed(client, base, n, before=lambda: availability_changed(perf.pk))
        # In an on-sale rush: a change before every page, the counts counted again at most
        # once a second, as configured.
        rush_times, _page = _timed(client, base, n, before=lambda: availability_changed(perf.pk))
        states_times, states = _timed(client, base + "seat-states/", n)
        sections = list(perf.venue.sections.values_list("pk", flat=True))
        sizes = {}
        for pk in sections:
            sizes[pk] = len(client.get(f"{base}seats/?section={pk}").content)
        biggest = max(sizes, key=sizes.get)
        section_times, section = _timed(client, f"{base}seats/?section={biggest}", n)
        raw = len(client.get(f"{base}seats/?section={biggest}", HTTP_ACCEPT_ENCODING="").content)
        first_view = len(page.content) + static + len(states.content)
        self.stdout.write(
            f"\n{seats:,} seats, {len(sections)} sections, {n} requests each (load average {os.getloadavg()[0]:.1f})\n"
            f"  page (not compressed: CSRF token; counts not cached) {len(page.content) / 1024:5.1f} KB   "
            f"{_figures(page_times)}\n"
            f"  page in a rush (a change before each: counts up to 1 s old)     {_figures(rush_times)}\n"
            f"  seat states, gzip                                   {len(states.content) / 1024:5.1f} KB   "
            f"{_figures(states_times)}\n"
            f"  largest section, gzip (raw {raw / 1024:3.0f} KB)                 {sizes[biggest] / 1024:5.1f} KB   "
            f"{_figures(section_times)}\n"
            f"  over the wire: first view {first_view / 1024:.1f} KB; with a section open "
            f"{(first_view + sizes[biggest]) / 1024:.1f} KB")
