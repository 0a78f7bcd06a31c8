"""Best available and standing: which places to try, then the guarded move (SKIP LOCKED:
two buyers never wait for each other; the one who finds a place taken moves on)."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import threading
import time
from datetime import datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext, ngettext

from events.models import PriceZone, Section

from ..errors import PlacesUnavailable
from ..formatting import number
from ..models import Hold, Place
from . import statements
from .moves import Partial, attempt, hold_into
from .pictures import FreeRuns
from .results import Held
from .rules import STANDING, free, open_to


def best_runs(runs: list[tuple], quantity: int, limit: int = 8) -> list[tuple]:
    """The runs long enough for `quantity`, best first: a run that can give `quantity`
    seats without leaving an orphan single (every run except one exactly one seat
    longer), then front section and row, then central."""
    fit = [r for r in runs if len(r[3]) >= quantity]
    fit.sort(key=lambda r: (len(r[3]) == quantity + 1, r[0], r[2], min(r[4]), r[1]))
    return fit[:limit]


def seat_windows(runs: list[tuple], quantity: int, limit: int) -> list[list[int]]:
    """Up to `limit` disjoint windows of `quantity` seats in these runs, best first: no
    orphan single seat left beside it, then front section and row, then central. (Rows
    are visited best first and windows cut out only when chosen, so that a hold looks at
    the first rows with room, not at every slice of the zone.)"""
    return _windows(runs, quantity, limit)[0]


def _windows(runs: list[tuple], quantity: int, limit: int) -> tuple[list[list[int]], int]:
    """seat_windows', and how many of them (the first ones) leave no orphan seat."""
    order = sorted(range(len(runs)), key=lambda n: (runs[n][0], runs[n][2]))
    chosen, used, orphans = [], set(), []

    def take(windows) -> bool:
        for _score, n, start in sorted(windows):
            ids = runs[n][3][start:start + quantity]
            if used.isdisjoint(ids):
                chosen.append(ids)
                used.update(ids)
                if len(chosen) == limit:
                    return True
        return False

    for (rank, row_index), row in itertools.groupby(order, key=lambda n: (runs[n][0], runs[n][2])):
        windows = []  # this row's windows that leave no orphan; they all rank before later rows'
        for n in row:
            _rank, section_id, _row, ids, offsets = runs[n]
            prefix = list(itertools.accumulate(offsets, initial=0))  # a window's offsets sum in one step
            last = len(ids) - quantity
            for start in range(last + 1):
                score = (prefix[start + quantity] - prefix[start], section_id)
                if start == 1 or start == last - 1:  # leaves one seat alone: after every other window
                    orphans.append(((rank, row_index, *score), n, start))
                else:
                    windows.append((score, n, start))
        if take(windows):
            return chosen, len(chosen)
    clean = len(chosen)
    take(orphans)
    return chosen, clean


# Processes selling one zone each see the others' sales only when they read it again
# (FreeRuns.TTL): walking the same rows best first, each tries the blocks the others have
# just sold, one failed statement per sale of every other process. Once a process has
# collided in a zone, it looks first in its own lane of rows (row index modulo LANES), so
# that processes sell side by side; alone or unhurried, a buyer gets the best block of
# the zone. Lanes are dealt to processes in turn by a counter in the shared cache (by
# process id when the cache is away).
LANES = 2
LANE_COUNTER = "inventory:lanes"
CONTENDED_FOR = 5.0  # seconds after a collision that a process keeps to its lane
_collided: dict[tuple[int, int], float] = {}
_lane_of: dict[int, int] = {}  # process id: its lane (a forked child deals itself a new one)
_dealing = threading.Lock()


def forget_lanes() -> None:
    """Forget the collisions seen and the lane dealt (the next collision deals one again)."""
    _collided.clear()
    _lane_of.clear()


def own_lane() -> int:
    pid = os.getpid()
    lane = _lane_of.get(pid)
    if lane is None:
        # One deal per process, however many of its threads collide at once; a thread that
        # finds another dealing does not wait for the cache, it takes the process id's lane.
        if not _dealing.acquire(blocking=False):
            return pid % LANES
        try:
            lane = _lane_of.get(pid)
            if lane is None:
                try:
                    cache.add(LANE_COUNTER, 0, timeout=None)
                    dealt = cache.incr(LANE_COUNTER)
                except Exception:  # noqa: BLE001 - the cache is an aid: any failure, and the process id serves
                    dealt = pid
                lane = _lane_of[pid] = dealt % LANES
        finally:
            _dealing.release()
    return lane


def _lane(performance_id: int, zone_id: int) -> int | None:
    at = _collided.get((performance_id, zone_id))
    if at is None or time.monotonic() - at > CONTENDED_FOR:
        return None
    return own_lane()


def _collision(performance_id: int, zone_id: int) -> None:
    if len(_collided) >= 256:  # a long-lived process sells many performances
        _collided.clear()
    _collided[(performance_id, zone_id)] = time.monotonic()


def candidate_windows(runs: list[tuple], quantity: int, lane: int | None) -> list[list[int]]:
    """The blocks to try, best first: in this process's lane of rows when it has one and
    they hold a block that leaves no orphan seat (or no block anywhere does), else
    anywhere in the zone."""
    if lane is not None:
        mine, clean = _windows(best_runs([run for run in runs if run[2] % LANES == lane], quantity), quantity, 6)
        if clean:
            return mine
        everywhere, clean_anywhere = _windows(best_runs(runs, quantity), quantity, 6)
        return mine if mine and not clean_anywhere else everywhere
    return seat_windows(best_runs(runs, quantity), quantity, 6)


def hold_best(*, hold: Hold, zone: PriceZone, quantity: int, now: datetime, actor=None,
              rounds: int = 4, accessible: bool = False) -> Held:
    """Hold the best `quantity` places of a price zone: adjacent in one row, never
    leaving an orphan single seat when an alternative exists. A party is never split:
    with no `quantity` seats side by side left, the refusal says how many places are left
    and how many of them together, so the caller can ask for fewer or pick seats.

    Candidates come from the zone's free runs as this process last read them (see
    pictures.FreeRuns), then are taken with SKIP LOCKED: two buyers never wait for each other;
    the one who finds a seat taken moves on to the next block. Before giving up, the
    runs are read again from the database."""
    asked = time.monotonic()
    picture = FreeRuns.of(hold, zone, now, accessible=accessible)
    tries = 0
    for _ in range(rounds * 3):  # a round whose every block another buyer here was trying does not count
        if tries == rounds:
            break
        candidates = candidate_windows(picture.current(), quantity, _lane(hold.performance_id, zone.pk))
        if tries > 1:
            random.shuffle(candidates)  # racers who collided spread out on the next round
        tried = False
        for ids in candidates:
            # Crossed out before the try: this process's other buyers move on to other
            # blocks at once instead of racing this one (it is taken now, by this buyer
            # or another).
            if not picture.claim(ids):
                continue
            tried = True
            taken = try_block(ids, hold, now=now, actor=actor)
            if taken:
                return taken
            _collision(hold.performance_id, zone.pk)
        tries += tried or not candidates
        if not candidates:
            left = _left_in_zone(hold, zone, now, accessible)
            if not left and accessible:  # "only 0 left" reads as a slip; places in baskets may come back
                raise PlacesUnavailable(gettext("no wheelchair space or companion seat is free in %(zone)s now")
                                        % {"zone": zone.name}, available=0)
            if left < quantity and accessible:  # the zone may have many other places free
                raise PlacesUnavailable(ngettext("only %(n)d wheelchair space or companion seat left in %(zone)s",
                                                 "only %(n)d wheelchair spaces or companion seats left in %(zone)s",
                                                 left) % {"n": left, "zone": zone.name}, available=left)
            if not left:  # "only 0 places left" reads as a slip; places in baskets may come back
                raise PlacesUnavailable(gettext("no place is free in %(zone)s now") % {"zone": zone.name},
                                        available=0)
            if left < quantity:
                raise PlacesUnavailable(ngettext("only %(n)d place left in %(zone)s",
                                                 "only %(n)d places left in %(zone)s", left)
                                        % {"n": left, "zone": zone.name}, available=left)
            if picture.age < 0.05 or picture.read_at >= asked:
                # No block of seats in a picture this fresh (read just now, or read from the
                # database since this buyer asked, however slowly it answered): there is
                # none. A zone's standing places have no neighbours to keep together: any
                # of them do.
                taken = not accessible and _take_any(STANDING & Q(price_zone=zone), quantity, hold, now, actor)
                if taken:
                    return taken
                break
        picture = FreeRuns.of(hold, zone, now, newer_than=picture, accessible=accessible)
    left = _left_in_zone(hold, zone, now, accessible)
    standing = 0 if accessible else (Place.objects.filter(STANDING, price_zone=zone, performance_id=hold.performance_id)
                                     .filter(free(now) & open_to(hold.channel)).count())
    together = max([standing, *(len(run[3]) for run in picture.current())])
    raise PlacesUnavailable(ngettext(
        "could not find %(quantity)d places together in %(zone)s (%(left)s left, at most %(together)d side by side); "
        "ask for fewer or pick the seats",
        "could not find %(quantity)d places together in %(zone)s (%(left)s left, at most %(together)d side by side); "
        "ask for fewer or pick the seats", quantity) % {"quantity": quantity, "zone": zone.name, "left": number(left),
                                                         "together": together},
        available=left, together=min(together, left))


def _left_in_zone(hold: Hold, zone: PriceZone, now: datetime, accessible: bool = False) -> int:
    """How many places of the zone this channel could hold now, from the database, the
    only authority (as a zone sells out, most refusals end here: it must cost little)."""
    with connection.cursor() as cursor:
        cursor.execute(statements.LEFT_IN_ZONE, {"performance": hold.performance_id, "zone": zone.pk, "now": now,
                                                 "channel": hold.channel, "accessible": accessible})
        (left,) = cursor.fetchone()
    return left


def _take_any(where: Q, quantity: int, hold: Hold, now: datetime, actor) -> Held | None:
    """Lock the first `quantity` free places matching `where` that nobody else has locked."""
    try:
        with transaction.atomic():  # a savepoint: rolling it back drops partial locks
            ids = list(
                Place.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(where, performance_id=hold.performance_id)
                .filter(free(now) & open_to(hold.channel))
                .order_by("pk").values_list("pk", flat=True)[:quantity]
            )
            if len(ids) != quantity:
                raise Partial
            return hold_into(ids, hold, now=now, actor=actor)
    except Partial:
        return None


def hold_standing(*, hold: Hold, section: Section, quantity: int, now: datetime,
                  actor=None) -> Held:
    """Hold `quantity` places of a standing area. SKIP LOCKED lets any number of buyers
    take places side by side without queueing on the same rows."""
    where = Q(section=section, standing_index__isnull=False)  # as place_one_per_standing_index says it
    for _ in range(3):
        taken = _take_any(where, quantity, hold, now, actor)
        if taken:
            return taken
    left = (Place.objects.filter(where, performance_id=hold.performance_id)
            .filter(free(now) & open_to(hold.channel)).count())
    if not left:
        raise PlacesUnavailable(gettext("no standing place is free in %(area)s now") % {"area": section.name},
                                available=0)
    raise PlacesUnavailable(ngettext("only %(n)d standing place left in %(area)s",
                                     "only %(n)d standing places left in %(area)s", left)
                            % {"n": left, "area": section.name}, available=left)


def try_block(ids: list[int], hold: Hold, *, now: datetime, actor=None) -> Held | None:
    """Take exactly these places if every one can be locked now; else leave no lock on a
    place another buyer could take. A try of several places may have locked some of them
    when it fails: inside a transaction, a savepoint lets go of those. A try of one place
    that fails has locked nothing free (it was locked by another, or was taken by the time
    it was locked), so it needs no savepoint: two round trips fewer for each single seat."""
    try:
        with attempt() if len(ids) > 1 else contextlib.nullcontext():
            return hold_into(ids, hold, now=now, actor=actor, skip_locked=True)
    except Partial:
        return None
