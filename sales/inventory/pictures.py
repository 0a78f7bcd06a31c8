"""What each process remembers of a zone's seats between best-available requests: the
layout of its rows (seats do not move) and the runs of free seats it last read. Only
sources of candidates: the guarded move decides."""

from __future__ import annotations

import itertools
import operator
import threading
import time
from datetime import datetime, timedelta

from django.db import connection

from events.models import PriceZone

from ..models import Hold, Place
from . import statements


class ZoneLayout:
    """A zone's seats as they stand in their rows, in order of position: what the runs of
    free seats are cut from. Seats do not move, so each process reads a zone's layout
    once (and again after `TTL`, or when the zone is found to hold a place the layout does
    not know: a seat moved into the zone), and a refresh of a zone's free runs reads only
    which seats are free, one array, instead of the whole zone with its seats and
    sections (measured: that read was 70 % of PostgreSQL's time in a sell-out of 9,000
    seats). Only a source of candidates, like FreeRuns: the guarded lock decides."""

    TTL = 300.0
    _lock = threading.Lock()
    _reading = threading.Lock()  # one thread reads a layout; the others wait for it, not read it too
    _zones: dict[tuple, ZoneLayout] = {}

    def __init__(self, performance_id: int, zone_id: int):
        self.read_at = time.monotonic()  # before the read: what it says is at least this fresh
        seats = (Place.objects.filter(performance_id=performance_id, price_zone_id=zone_id, seat__isnull=False)
                 .order_by("section__rank", "section_id", "seat__row_index", "seat__position")
                 .values_list("section__rank", "section_id", "seat__row_index", "seat__position", "pk",
                              "centre_offset"))
        # ((section rank, section, row index), [(position, place id, centre offset), ...]) per row
        self.rows = [(row, [seat[3:] for seat in in_row])
                     for row, in_row in itertools.groupby(seats, key=operator.itemgetter(0, 1, 2))]
        self.ids = {pk for _row, in_row in self.rows for _position, pk, _offset in in_row}

    @classmethod
    def of(cls, performance_id: int, zone_id: int, free: list[int]) -> ZoneLayout:
        key = (performance_id, zone_id)

        def usable(layout: ZoneLayout | None, since: float) -> bool:
            return layout is not None and (layout.read_at >= since or (
                time.monotonic() - layout.read_at <= cls.TTL and layout.ids.issuperset(free)))

        asked = time.monotonic()
        known = cls._zones.get(key)
        if usable(known, asked):
            return known
        with cls._reading:
            known = cls._zones.get(key)
            if usable(known, asked):  # read by another thread while this one waited
                return known
            known = cls(performance_id, zone_id)
            with cls._lock:
                if len(cls._zones) >= 64:  # a long-lived process sells many performances
                    for stale in [k for k, v in cls._zones.items() if time.monotonic() - v.read_at > 60]:
                        del cls._zones[stale]
                cls._zones[key] = known
        return known

    def runs(self, free: set[int]) -> list[tuple]:
        """The runs of adjacent free seats: (section rank, section, row, place ids, centre
        offsets) each; free seats whose positions follow one another are one run."""
        out = []
        for (rank, section_id, row_index), in_row in self.rows:
            ids, offsets, last = [], [], None
            for position, pk, offset in in_row:
                if pk not in free:
                    continue
                if ids and position != last + 1:
                    out.append((rank, section_id, row_index, ids, offsets))
                    ids, offsets = [], []
                ids.append(pk)
                offsets.append(offset)
                last = position
            if ids:
                out.append((rank, section_id, row_index, ids, offsets))
        return out



def free_runs(hold: Hold, zone, now: datetime, accessible: bool = False) -> list[tuple]:
    """The runs of adjacent free seats in each row of a zone: (section rank, section, row,
    place ids, centre offsets) each. The database says which seats are free now; the
    zone's layout, read once per process, says which of them are side by side."""
    with connection.cursor() as cursor:
        cursor.execute(statements.FREE_SEATS, {"now": now, "channel": hold.channel,
                                               "performance": hold.performance_id, "zone": zone.pk,
                                               "accessible": accessible})
        (free,) = cursor.fetchone()
    return ZoneLayout.of(hold.performance_id, zone.pk, free).runs(set(free))


class FreeRuns:
    """This process's picture of a zone's free runs, read once and then reused by every
    best-available request for up to `TTL` seconds: the runs query reads the whole zone,
    the most expensive statement of a sale, and without this every buyer ran it.

    Only a list of candidates: taking still goes through `_apply`'s guarded lock, so a
    stale candidate (sold by another process since) costs one failed try, never a
    double sale. Places this process takes or finds taken are crossed out at once, so
    its buyers spread over different blocks instead of colliding on the same best one.
    Any change in this process that can free places (release, expiry, refund, unblock)
    drops the picture; elsewhere such changes are seen within `TTL`."""

    TTL = 1.0
    _lock = threading.Lock()
    _zones: dict[tuple, FreeRuns] = {}

    def __init__(self, runs: list[tuple], now: datetime):
        self.runs, self.now, self.read_at, self.gone = runs, now, time.monotonic(), set()
        # current() as last cut, and the crossed-out places it reflects.
        self._cut, self._cut_for = runs, set()

    @classmethod
    def of(cls, hold: Hold, zone: PriceZone, now: datetime, *, newer_than: FreeRuns | None = None,
           accessible: bool = False) -> FreeRuns:
        """The zone's picture; with `newer_than`, one read after that one (a buyer whose
        candidates all failed): read again, unless another buyer of this process already
        did meanwhile (as a zone sells out, buyers fail together, and each re-read costs
        more than a sale)."""
        key = (hold.performance_id, zone.pk, hold.channel, accessible)
        with cls._lock:
            known = cls._zones.get(key)
        # A picture is only reused forward in time (a later `now` may find lapsed holds
        # free, an earlier one may not) and while young.
        if (known is None or (newer_than is not None and known.read_at <= newer_than.read_at)
                or not known.now <= now < known.now + timedelta(seconds=cls.TTL)
                or time.monotonic() - known.read_at > cls.TTL):
            known = cls(free_runs(hold, zone, now, accessible), now)
            with cls._lock:
                if len(cls._zones) >= 64:  # a long-lived process sells many performances
                    for stale in [k for k, v in cls._zones.items() if v.age > cls.TTL]:
                        del cls._zones[stale]
                cls._zones[key] = known
        return known

    @property
    def age(self) -> float:
        return time.monotonic() - self.read_at

    def current(self) -> list[tuple]:
        """The runs without the places crossed out (a run cut by one becomes two). Cut
        from the last cut, only where places were crossed out since: a zone has a
        thousand places, a hold crosses out a few."""
        with self._lock:
            fresh = self.gone - self._cut_for
            if not fresh:
                return self._cut
            out = []
            for run in self._cut:
                rank, section_id, row_index, ids, offsets = run
                if fresh.isdisjoint(ids):
                    out.append(run)
                    continue
                start = 0
                for i, pk in enumerate([*ids, None]):
                    if pk is None or pk in fresh:
                        if i > start:
                            out.append((rank, section_id, row_index, ids[start:i], offsets[start:i]))
                        start = i + 1
            self._cut, self._cut_for = out, self._cut_for | fresh
            return out

    def claim(self, ids: list[int]) -> bool:
        """Cross these places out, unless one already is (another buyer has them)."""
        with self._lock:
            if not self.gone.isdisjoint(ids):
                return False
            self.gone.update(ids)
            return True

    @classmethod
    def forget(cls, performance_id: int | None) -> None:
        with cls._lock:
            for key in [k for k in cls._zones if performance_id is None or k[0] == performance_id]:
                del cls._zones[key]

