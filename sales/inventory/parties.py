"""Seats for many parties at once, served in a given order (a ballot's draw): planned in
memory from the zone's free places, then taken party by party through the guarded move
(`moves.hold_places`), as any hold is. Pure down to `free_places`: the same free places and
the same order give the same seats, every time.

Best available serves one buyer at a time and puts each in the centre of the best row
with room: for a ballot that leaves gaps (a row of 10 with a party of 4 in its centre has
3 and 3 seats left, which no other party of 4 fits). Knowing every party in advance, the
plan fills rows instead:

1. **Together**, in the order given: each party goes into the best run of free seats
   (front section and row first, then the most central run) with room left for it
   (first fit). A party that fits in no run waits.
2. **Split** (if allowed), over the parties that waited, in the same order: a party of 3
   or more goes into two runs in consecutive rows of one section, one behind the other,
   as evenly as they allow. A party of 2 is never split.
3. Then each run is laid out: its whole parties side by side, the first served in the
   middle, the next alternately to its left and right, as a block placed where it is
   most central; the two parts of a split party each at the same end of its run (the
   front run's outer end, the one farther from the section's centre), one behind the
   other.

A party that waits at the end of a step fits nowhere after it (runs only shrink), so no
run left has room for a party left out, nor (when splitting) two runs one behind the
other. A zone's standing places are one more run, last, where any party fits together.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from ..models import Place
from . import statements
from .pictures import ZoneLayout
from .rules import STANDING, free, open_to

# A free seat: (position in its row, place id, centre offset).
Seat = tuple[int, int, int]
# A row's free seats: ((section rank, section id, row index), seats in order of position).
Row = tuple[tuple[int, int, int], list[Seat]]


@dataclass(frozen=True)
class Placed:
    party: int  # its index in the order given
    place_ids: tuple[int, ...]
    together: bool  # False: split over two rows


@dataclass
class _Run:
    rank: int
    section: int
    row: int
    seats: list[Seat]
    standing: bool = False
    left: int = 0
    whole: list[tuple[int, int]] = field(default_factory=list)  # (party, size)
    parts: list[tuple[int, int, bool]] = field(default_factory=list)  # (party, size, at the right end)

    def __post_init__(self):
        self.left = len(self.seats)

    @property
    def quality(self) -> tuple:
        if self.standing:
            return (1, 0, 0, 0, 0, 0)
        return (0, self.rank, self.row, min(s[2] for s in self.seats), self.section, self.seats[0][0])

    @property
    def outer_right(self) -> bool:
        """Its right end is the one farther from the section's centre (or as far)."""
        return self.seats[-1][2] >= self.seats[0][2]

    def behind(self, other: _Run) -> bool:
        """This run is in the row just behind `other`'s, in the same section, overlapping it."""
        return (not self.standing and not other.standing and self.section == other.section
                and self.row == other.row + 1 and self.seats[0][0] <= other.seats[-1][0] + 1
                and other.seats[0][0] <= self.seats[-1][0] + 1)


def plan(rows: list[Row], standing: list[int], sizes: list[int], *, split: bool) -> list[Placed]:
    """Places for parties of `sizes`, served in that order (see the module's text); the
    parties placed, in that order. `rows`: each row's free seats in order of position."""
    runs = []
    for (rank, section, row), seats in rows:
        run: list[Seat] = []
        for seat in seats:
            if run and seat[0] != run[-1][0] + 1:
                runs.append(_Run(rank, section, row, run))
                run = []
            run.append(seat)
        if run:
            runs.append(_Run(rank, section, row, run))
    runs.sort(key=lambda r: r.quality)
    if standing:
        runs.append(_Run(0, 0, 0, [(0, pk, 0) for pk in standing], standing=True))

    # 1. Together, first fit in order of quality.
    waiting, open_runs = [], list(runs)
    most = max((r.left for r in runs), default=0)
    for party, size in enumerate(sizes):
        if size > most:
            waiting.append(party)
            continue
        run = next(r for r in open_runs if r.left >= size)
        run.whole.append((party, size))
        run.left -= size
        if run.left == 0:
            open_runs.remove(run)
        if run.left + size == most:
            most = max((r.left for r in open_runs), default=0)

    # 2. Split over two runs one behind the other.
    placed_split = set()
    if split:
        by_row: dict[tuple[int, int], list[_Run]] = {}
        for run in runs:
            by_row.setdefault((run.section, run.row), []).append(run)
        pairs = [(front, back) for front in runs for back in by_row.get((front.section, front.row + 1), [])
                 if back.behind(front)]
        pairs.sort(key=lambda p: (p[0].quality, p[1].quality))
        for party in waiting:
            size = sizes[party]
            if size < 3:
                continue
            for front, back in pairs:
                if front.left and back.left and front.left + back.left >= size:
                    first = min(front.left, max((size + 1) // 2, size - back.left))
                    # Both parts at the same end (the front run's outer one): one behind the other.
                    front.parts.append((party, first, front.outer_right))
                    back.parts.append((party, size - first, front.outer_right))
                    front.left -= first
                    back.left -= size - first
                    placed_split.add(party)
                    pairs = [p for p in pairs if p[0].left and p[1].left]
                    break

    # 3. Lay each run out.
    taken: dict[int, list[int]] = {}
    for run in runs:
        for party, ids in _lay_out(run):
            taken.setdefault(party, []).extend(ids)
    return [Placed(party, tuple(taken[party]), party not in placed_split) for party in sorted(taken)]


def _lay_out(run: _Run) -> list[tuple[int, list[int]]]:
    """The run's places for each of its parties (see the module's text)."""
    ids = [pk for _position, pk, _offset in run.seats]
    if run.standing:
        out, at = [], 0
        for party, size in run.whole:
            out.append((party, ids[at:at + size]))
            at += size
        return out
    offsets = [offset for _position, _pk, offset in run.seats]
    out = []
    # The split parties' parts at their end of the run, first served outermost.
    left, right = 0, len(ids)
    for party, size, at_right in run.parts:
        if at_right:
            out.append((party, ids[right - size:right]))
            right -= size
        else:
            out.append((party, ids[left:left + size]))
            left += size
    inner = range(left, right)
    # The whole parties centre out: the first served in the middle of the block.
    block: deque[tuple[int, int]] = deque()
    for n, item in enumerate(run.whole):
        (block.appendleft if n % 2 else block.append)(item)
    width = sum(size for _party, size in block)
    if width:
        prefix = list(itertools.accumulate(offsets, initial=0))
        start = min(range(inner.start, inner.stop - width + 1),
                    key=lambda s: (prefix[s + width] - prefix[s], s))
        for party, size in block:
            out.append((party, ids[start:start + size]))
            start += size
    return out


def free_places(*, performance_id: int, zone_id: int, channel: str, now: datetime) -> tuple[list[Row], list[int]]:
    """The zone's places a party could be given now on `channel`, wheelchair spaces aside
    (best available keeps them for who asks): each row's free seats, in order of
    position, and its free standing places."""
    with connection.cursor() as cursor:
        cursor.execute(statements.FREE_SEATS, {"now": now, "channel": channel, "performance": performance_id,
                                               "zone": zone_id, "accessible": False})
        (ids,) = cursor.fetchone()
    free_ids = set(ids)
    layout = ZoneLayout.of(performance_id, zone_id, ids)
    rows = [(key, [seat for seat in seats if seat[1] in free_ids]) for key, seats in layout.rows]
    standing = list(Place.objects.filter(STANDING, performance_id=performance_id, price_zone_id=zone_id)
                    .filter(free(now) & open_to(channel)).order_by("pk").values_list("pk", flat=True))
    return [row for row in rows if row[1]], standing
