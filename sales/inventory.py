"""The only writer of seat state.

Every change of a place's state goes through `_apply` (`_transition`), which reads its
rule from TRANSITIONS. Each call is one statement that:

1. locks exactly the places concerned that pass the rule's guard, in primary-key order
   (no performance-wide lock: buyers of different seats never wait for each other);
2. only if it has them all, moves them (the compare-and-set) and records one PlaceEvent
   per place (who moved it, from what, to what), with any rows that must stand or fall
   with the move (`Also`: a new hold's row, a sale's tickets and payments);
3. else writes nothing, and a second read says which places failed and why.

All or nothing by itself; inside a caller's transaction, any later failure rolls it back.
A hold lapses by timestamp: a `held` place whose hold_expires_at has passed matches
`free()` everywhere, so nothing waits for the Celery sweep (`release_expired`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import operator
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from events.models import Performance, PriceZone, Section

from . import rows
from .errors import IllegalTransition, InvalidRequest, PlacesUnavailable
from .models import Hold, Order, Place, PlaceEvent, PlaceState, Ticket, new_secret

AVAILABLE, HELD, SOLD, BLOCKED = (PlaceState.AVAILABLE, PlaceState.HELD, PlaceState.SOLD,
                                  PlaceState.BLOCKED)


def free(now: datetime) -> Q:
    """Sellable right now: available, or held by a hold that has lapsed."""
    return Q(state=AVAILABLE) | Q(state=HELD, hold_expires_at__lte=now)


def open_to(channel: str) -> Q:
    """Not kept back for another channel."""
    return Q(allocation="") | Q(allocation=channel)


@dataclass(frozen=True)
class Ctx:
    now: datetime
    channel: str = ""
    hold: Hold | None = None
    actor: object | None = None
    order: Order | None = None


@dataclass(frozen=True)
class Rule:
    to_state: str
    guard: Callable[[Ctx], Q]


TRANSITIONS: dict[str, Rule] = {
    # A buyer takes free places into their hold.
    "hold": Rule(HELD, lambda c: free(c.now) & open_to(c.channel)),
    # The buyer (or the organizer) gives them back.
    "release": Rule(AVAILABLE, lambda c: Q(state=HELD, hold=c.hold)),
    # The sweep tidies lapsed holds (they already count as free).
    "expire": Rule(AVAILABLE, lambda c: Q(state=HELD, hold_expires_at__lte=c.now)),
    # Payment taken: places still in this hold, or free again after it lapsed.
    "sell": Rule(SOLD, lambda c: Q(state=HELD, hold=c.hold) | (free(c.now) & open_to(c.channel))),
    # Refund or exchange: the ticket is void, the place goes back on sale.
    "return": Rule(AVAILABLE, lambda c: Q(state=SOLD, ticket__in=Ticket.objects.filter(order=c.order))),
    # The organizer kills a place or keeps it back; only free places.
    "block": Rule(BLOCKED, lambda c: free(c.now)),
    "unblock": Rule(AVAILABLE, lambda c: Q(state=BLOCKED)),
}


def _reason(row: dict, ctx: Ctx) -> str:
    if row["allocation"] and ctx.channel and row["allocation"] != ctx.channel:
        return f"kept for the {row['allocation']} channel"
    if row["state"] == HELD and row["hold_expires_at"] > ctx.now:
        return "held by another buyer"
    return {SOLD: "already sold", BLOCKED: "not for sale", AVAILABLE: "not in this state",
            HELD: "hold lapsed"}[row["state"]]


def _where(q: Q) -> tuple[str, list]:
    """A guard as SQL over "sales_place", compiled by the ORM from the same Q the readers use."""
    query = Place.objects.filter(q).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


# Stand-ins for a context's values, so that each rule's guard is compiled by the ORM once
# per process (compiling it at every sale cost more than running it) and then filled in.
_AT, _CHANNEL, _HOLD, _ORDER = (datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC), "\x00channel", -7_000_001,
                                -7_000_002)


@functools.cache
def _guard_template(rule: Rule, with_hold: bool, with_order: bool) -> tuple[str, tuple]:
    ctx = Ctx(now=_AT, channel=_CHANNEL, hold=Hold(pk=_HOLD) if with_hold else None,
              order=Order(pk=_ORDER) if with_order else None)
    return _where(rule.guard(ctx))


def _filled(template: tuple, values: dict) -> list:
    return [values.get(p, p) if isinstance(p, (datetime, str, int)) else p for p in template]


def _guard(rule: Rule, ctx: Ctx) -> tuple[str, list]:
    sql, template = _guard_template(rule, ctx.hold is not None, ctx.order is not None)
    return sql, _filled(template, {_AT: ctx.now, _CHANNEL: ctx.channel, _HOLD: ctx.hold and ctx.hold.pk,
                                   _ORDER: ctx.order and ctx.order.pk})


@dataclass(frozen=True)
class Also:
    """Rows written in the same statement as a transition, so that they stand or fall with
    it (a hold's own row, a sale's tickets and payment) without a transaction of round trips
    around it. Every part is optional SQL with its parameters in text order:

    - `requires`: a further condition for the move, checked once the places are locked
      (e.g. the order is still payable; lock it there, after the places);
    - `before`: common table expressions (", name AS (...)") run once the places are
      locked; they may read `locked` (id, state, allocation, price_zone_id) and must write
      only `WHERE (SELECT ok FROM whole)`;
    - `hold`: the hold the moved places and their audit rows point at (e.g. one inserted
      in `before`), instead of the caller's `hold`;
    - `ticket`: each moved place's ticket (may read `sales_place.id`);
    - `after`: common table expressions run with the move; they may read `moved` (id);
    - `output`: more columns of the statement's one row;
    - `refusal`: what the caller is told when `requires` says no (IllegalTransition)."""

    requires: str = ""
    requires_params: tuple = ()
    refusal: str = ""
    before: str = ""
    before_params: tuple = ()
    hold: str = ""
    ticket: str = ""
    after: str = ""
    after_params: tuple = ()
    output: str = ""

    def __add__(self, other: Also) -> Also:
        def one(a: str, b: str, what: str) -> str:
            if a and b and a != b:
                raise ValueError(f"two writes set the places' {what}")
            return a or b

        return Also(
            requires=" AND ".join(x for x in (self.requires, other.requires) if x),
            requires_params=self.requires_params + other.requires_params,
            before=self.before + other.before, before_params=self.before_params + other.before_params,
            hold=one(self.hold, other.hold, "hold"),
            ticket=one(self.ticket, other.ticket, "ticket"),
            after=self.after + other.after, after_params=self.after_params + other.after_params,
            output=self.output + other.output, refusal=self.refusal or other.refusal)


NOTHING_ELSE = Also()


def _apply(action: str, place_ids: Iterable[int], ctx: Ctx, *, performance_id: int | None = None,
           hold: Hold | None = None, hold_expires_at: datetime | None = None, also: Also = NOTHING_ELSE,
           skip_locked: bool = False) -> list[int]:
    return _transition(action, place_ids, ctx, performance_id=performance_id, hold=hold,
                       hold_expires_at=hold_expires_at, also=also, skip_locked=skip_locked)[0]


def _transition(action: str, place_ids: Iterable[int], ctx: Ctx, *, performance_id: int | None = None,
                hold: Hold | None = None, hold_expires_at: datetime | None = None, also: Also = NOTHING_ELSE,
                skip_locked: bool = False) -> tuple[list[int], tuple]:
    """The guarded transition, in one statement. Returns the ids moved and the `also`
    output; raises without writing anything. With `skip_locked`, a place another
    transaction has locked, or one that fails the guard, raises _Partial instead
    (best-available moves on to other places).

    The statement is the compare-and-set: it locks the places that pass the guard (in
    primary-key order; PostgreSQL re-checks the guard on a row's latest version before it
    locks it), and only if it has every one of them (and `also.requires` holds) moves
    exactly those it locked, writes one audit row per place and the `also` rows. So it
    moves all the places or none. One round trip whatever the number of places, and
    atomic by itself: outside a transaction its locks end with it. Only
    places that pass the guard are locked: a buyer never locks a place it cannot take
    (another's held seat being paid for, say), so it never makes that sale wait for it.
    A refusal costs one more read, to say which places and why."""
    rule = TRANSITIONS[action]
    ids = sorted(set(place_ids))
    if not ids:
        return [], ()
    guard, guard_params = _guard(rule, ctx)
    same_performance = "AND performance_id = %s" if performance_id is not None else ""
    scope = [ids, *([performance_id] if performance_id is not None else [])]
    place_hold, event_hold = (also.hold, also.hold) if also.hold else ("%s", "%s")
    sql = f"""
        WITH locked AS (
            SELECT id, state, allocation, price_zone_id FROM sales_place
            WHERE id = ANY(%s) {same_performance} AND ({guard})
            ORDER BY id FOR UPDATE{" SKIP LOCKED" if skip_locked else ""}),
        whole AS (SELECT count(*) = %s {"AND " + also.requires if also.requires else ""} AS ok FROM locked)
        {also.before},
        moved AS (
            UPDATE sales_place SET state = %s, updated_at = %s, hold_id = {place_hold}, hold_expires_at = %s,
                                   ticket_id = {also.ticket or "NULL"}
            FROM locked WHERE sales_place.id = locked.id AND (SELECT ok FROM whole)
            RETURNING sales_place.id, locked.state, locked.allocation),
        audit AS (
            INSERT INTO sales_placeevent (place_id, action, from_state, to_state, allocation, channel,
                                          hold_id, order_id, actor_id, at)
            SELECT id, %s, state, %s, allocation, %s, {event_hold}, %s, %s, %s FROM moved)
        {also.after}
        SELECT ARRAY(SELECT id FROM locked), ARRAY(SELECT id FROM moved ORDER BY id) {also.output}"""
    params = [*scope, *guard_params, len(ids), *also.requires_params, *also.before_params,
              rule.to_state, ctx.now, *([] if also.hold else [hold.pk if hold else None]), hold_expires_at,
              action, rule.to_state, ctx.channel, *([] if also.hold else [ctx.hold.pk if ctx.hold else None]),
              ctx.order.pk if ctx.order else None, getattr(_user(ctx.actor), "pk", None), ctx.now,
              *also.after_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        locked, moved, *output = cursor.fetchone()
    if not moved:
        if skip_locked:
            raise _Partial
        if len(locked) == len(ids):  # every place was there: `also.requires` said no
            raise _Refused
        _refuse(ids, set(locked), ctx, guard, guard_params, same_performance, scope)
    if rule.to_state == AVAILABLE:
        _FreeRuns.forget(performance_id)  # places freed here: best-available reads the zone again
    return moved, tuple(output)


class _Refused(Exception):
    """Every place could be moved, but the rest of the statement (`Also.requires`) refused."""


def _refuse(ids: list[int], locked: set[int], ctx: Ctx, guard: str, guard_params: list, same_performance: str,
            scope: list) -> None:
    """Say which places failed the guard, and why (read without locks: nothing is taken)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT id, state, allocation, hold_expires_at, {guard} FROM sales_place
                           WHERE id = ANY(%s) {same_performance}""", [*guard_params, *scope])
        rows = {r[0]: dict(zip(("pk", "state", "allocation", "hold_expires_at", "ok"), r, strict=True))
                for r in cursor.fetchall()}
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        raise InvalidRequest(f"{len(missing)} of the requested places do not exist in this performance",
                             places=dict.fromkeys(missing, "unknown place"))
    # A place that passes now but was not locked changed between the two reads.
    refused = {pk: _reason(rows[pk], ctx) if not rows[pk]["ok"] else "just changed; try again"
               for pk in ids if pk not in locked}
    raise PlacesUnavailable(_unavailable_message(refused), places=refused)


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _unavailable_message(refused: dict[int, str]) -> str:
    n = len(refused)
    reasons = sorted(set(refused.values()))
    return f"{n} place{'s' if n != 1 else ''} unavailable: {', '.join(reasons)}"


def attempt():
    """Around a try that may fail after locking some places: inside a caller's transaction a
    savepoint (rolling it back drops those locks); outside one, nothing (the statement's
    locks end with it)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def _new_hold(hold: Hold, now: datetime) -> Also:
    """A hold not yet saved is written in the statement that takes its places: no hold is
    ever seen without them, and no failed try leaves an empty one behind."""
    columns, values, params = rows.insert(hold)
    return Also(
        before=f""",
            new_hold AS (
                INSERT INTO sales_hold {columns} SELECT {values} WHERE (SELECT ok FROM whole) RETURNING id)""",
        before_params=tuple(params), hold="(SELECT id FROM new_hold)", output=f""", (SELECT id FROM new_hold),
            (SELECT json_agg(json_build_array(place.id, section.name, seat.row, seat.number, place.standing_index,
                                              zone.name, zone.price::text) ORDER BY place.id)
             FROM moved JOIN sales_place place ON place.id = moved.id {_LABEL_JOINS}
             JOIN events_pricezone zone ON zone.id = place.price_zone_id)""")


# From a place (aliased `place`) to what names it: its section, and its seat if any.
_LABEL_JOINS = """JOIN events_section section ON section.id = place.section_id
                  LEFT JOIN events_seat seat ON seat.id = place.seat_id"""


def _hold_into(ids: Iterable[int], ctx: Ctx, hold: Hold, *, skip_locked: bool = False) -> list[int]:
    """Move places into `hold` (saving it with them if it is new)."""
    if hold.pk is not None:
        return _apply("hold", ids, ctx, performance_id=hold.performance_id, hold=hold,
                      hold_expires_at=hold.expires_at, skip_locked=skip_locked)
    moved, (hold_id, taken) = _transition("hold", ids, ctx, performance_id=hold.performance_id,
                                          hold_expires_at=hold.expires_at, also=_new_hold(hold, ctx.now),
                                          skip_locked=skip_locked)
    hold.pk, hold._state.adding, hold._state.db = hold_id, False, connection.alias
    # What the hold took, as its answer shows it: [place id, section, row, number, standing
    # index, zone, price] each (sales.api.serializers.HoldOut), with no read of its own.
    hold.taken = taken
    return moved


# --- holds ----------------------------------------------------------------------------

def hold_places(*, hold: Hold, place_ids: Iterable[int], now: datetime, actor=None) -> list[int]:
    """Hold these named places, all or none."""
    return _hold_into(place_ids, Ctx(now=now, channel=hold.channel, hold=hold, actor=actor), hold)


def _try_block(ids: list[int], ctx: Ctx, hold: Hold) -> list[int] | None:
    """Take exactly these places if every one can be locked now; else leave no lock."""
    try:
        with attempt():
            return _hold_into(ids, ctx, hold, skip_locked=True)
    except _Partial:
        return None


class _Partial(Exception):
    pass


_PERFORMANCE, _ZONE = -7_000_003, -7_000_004


@functools.cache
def _free_seats_template() -> tuple[str, tuple]:
    free_seats = (Place.objects.filter(performance_id=_PERFORMANCE, price_zone_id=_ZONE, seat__isnull=False)
                  .filter(free(_AT) & open_to(_CHANNEL)).values("pk"))
    inner, params = free_seats.query.sql_with_params()
    return f"SELECT ARRAY({inner})", tuple(params)


class _ZoneLayout:
    """A zone's seats as they stand in their rows, in order of position: what the runs of
    free seats are cut from. Seats do not move, so each process reads a zone's layout
    once (and again after `TTL`, or when the zone is found to hold a place the layout does
    not know: a seat moved into the zone), and a refresh of a zone's free runs reads only
    which seats are free, one array, instead of the whole zone with its seats and
    sections (measured: that read was 70 % of PostgreSQL's time in a sell-out of 9,000
    seats). Only a source of candidates, like _FreeRuns: the guarded lock decides."""

    TTL = 300.0
    _lock = threading.Lock()
    _reading = threading.Lock()  # one thread reads a layout; the others wait for it, not read it too
    _zones: dict[tuple, _ZoneLayout] = {}

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
    def of(cls, performance_id: int, zone_id: int, free: list[int]) -> _ZoneLayout:
        key = (performance_id, zone_id)

        def usable(layout: _ZoneLayout | None, since: float) -> bool:
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


def _runs(hold: Hold, zone: PriceZone, now: datetime) -> list[tuple]:
    """The runs of adjacent free seats in each row of a zone: (section rank, section, row,
    place ids, centre offsets) each. The database says which seats are free now (the
    query compiled by the ORM once per process, like the guards); the zone's layout,
    read once per process, says which of them are side by side."""
    sql, template = _free_seats_template()
    (free,), = rows.fetch(sql, _filled(template, {_AT: now, _CHANNEL: hold.channel,
                                                  _PERFORMANCE: hold.performance_id, _ZONE: zone.pk}))
    return _ZoneLayout.of(hold.performance_id, zone.pk, free).runs(set(free))


class _FreeRuns:
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
    _zones: dict[tuple, _FreeRuns] = {}

    def __init__(self, runs: list[tuple], now: datetime):
        self.runs, self.now, self.read_at, self.gone = runs, now, time.monotonic(), set()
        # current() as last cut, and the crossed-out places it reflects.
        self._cut, self._cut_for = runs, set()

    @classmethod
    def of(cls, hold: Hold, zone: PriceZone, now: datetime, *, newer_than: _FreeRuns | None = None) -> _FreeRuns:
        """The zone's picture; with `newer_than`, one read after that one (a buyer whose
        candidates all failed): read again, unless another buyer of this process already
        did meanwhile (as a zone sells out, buyers fail together, and each re-read costs
        more than a sale)."""
        key = (hold.performance_id, zone.pk, hold.channel)
        with cls._lock:
            known = cls._zones.get(key)
        # A picture is only reused forward in time (a later `now` may find lapsed holds
        # free, an earlier one may not) and while young.
        if (known is None or (newer_than is not None and known.read_at <= newer_than.read_at)
                or not known.now <= now < known.now + timedelta(seconds=cls.TTL)
                or time.monotonic() - known.read_at > cls.TTL):
            known = cls(_runs(hold, zone, now), now)
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


def _best_runs(runs: list[tuple], quantity: int, limit: int = 8) -> list[tuple]:
    """The runs long enough for `quantity`, best first: a run that can give `quantity`
    seats without leaving an orphan single (every run except one exactly one seat
    longer), then front section and row, then central."""
    fit = [r for r in runs if len(r[3]) >= quantity]
    fit.sort(key=lambda r: (len(r[3]) == quantity + 1, r[0], r[2], min(r[4]), r[1]))
    return fit[:limit]


def _seat_windows(runs: list[tuple], quantity: int, limit: int) -> list[list[int]]:
    """Up to `limit` disjoint windows of `quantity` seats in these runs, best first: no
    orphan single seat left beside it, then front section and row, then central. (Rows
    are visited best first and windows cut out only when chosen, so that a hold looks at
    the first rows with room, not at every slice of the zone.)"""
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
            return chosen
    take(orphans)
    return chosen


def hold_best(*, hold: Hold, zone: PriceZone, quantity: int, now: datetime, actor=None,
              rounds: int = 4) -> list[int]:
    """Hold the best `quantity` places of a price zone: adjacent in one row, never
    leaving an orphan single seat when an alternative exists. A party is never split:
    with no `quantity` seats side by side left, the refusal says how many places are left
    and how many of them together, so the caller can ask for fewer or pick seats.

    Candidates come from the zone's free runs as this process last read them (see
    _FreeRuns), then are taken with SKIP LOCKED: two buyers never wait for each other;
    the one who finds a seat taken moves on to the next block. Before giving up, the
    runs are read again from the database."""
    ctx = Ctx(now=now, channel=hold.channel, hold=hold, actor=actor)
    picture = _FreeRuns.of(hold, zone, now)
    attempt = 0
    for _ in range(rounds * 3):  # a round whose every block another buyer here was trying does not count
        if attempt == rounds:
            break
        candidates = _seat_windows(_best_runs(picture.current(), quantity), quantity, 6)
        if attempt > 1:
            random.shuffle(candidates)  # racers who collided spread out on the next round
        tried = False
        for ids in candidates:
            # Crossed out before the try: this process's other buyers move on to other
            # blocks at once instead of racing this one (it is taken now, by this buyer
            # or another).
            if not picture.claim(ids):
                continue
            tried = True
            taken = _try_block(ids, ctx, hold)
            if taken:
                return taken
        attempt += tried or not candidates
        if not candidates:
            left = _left_in_zone(ctx, hold, zone)
            if left < quantity:
                raise PlacesUnavailable(f"only {left} place{'s' if left != 1 else ''} left in {zone.name}",
                                        available=left)
            if picture.age < 0.05:
                # No block of seats in a picture this fresh: there is none. A zone's
                # standing places have no neighbours to keep together: any of them do.
                taken = _take_any(STANDING & Q(price_zone=zone), quantity, ctx, hold)
                if taken:
                    return taken
                break
        picture = _FreeRuns.of(hold, zone, now, newer_than=picture)
    left = _left_in_zone(ctx, hold, zone)
    standing = (Place.objects.filter(STANDING, price_zone=zone, performance_id=hold.performance_id)
                .filter(free(now) & open_to(hold.channel)).count())
    together = max([standing, *(len(run[3]) for run in picture.current())])
    raise PlacesUnavailable(f"could not find {quantity} places together in {zone.name} ({left} left, at most "
                            f"{together} side by side); ask for fewer or pick the seats", available=left,
                            together=min(together, left))


def _left_in_zone(ctx: Ctx, hold: Hold, zone: PriceZone) -> int:
    """How many places of the zone this channel could hold now, from the database, the
    only authority (as a zone sells out, most refusals end here: it must cost little)."""
    guard, params = _guard(TRANSITIONS["hold"], ctx)
    (left,), = rows.fetch(f"""SELECT count(*) FROM sales_place
                              WHERE performance_id = %s AND price_zone_id = %s AND {guard}""",
                          [hold.performance_id, zone.pk, *params])
    return left


STANDING = Q(seat__isnull=True)


def _take_any(where: Q, quantity: int, ctx: Ctx, hold: Hold, order_by=("pk",)) -> list[int] | None:
    """Lock the first `quantity` free places matching `where` that nobody else has locked."""
    try:
        with transaction.atomic():  # a savepoint: rolling it back drops partial locks
            ids = list(
                Place.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(where, performance_id=hold.performance_id)
                .filter(free(ctx.now) & open_to(ctx.channel))
                .order_by(*order_by).values_list("pk", flat=True)[:quantity]
            )
            if len(ids) != quantity:
                raise _Partial
            return _hold_into(ids, ctx, hold)
    except _Partial:
        return None


def hold_standing(*, hold: Hold, section: Section, quantity: int, now: datetime,
                  actor=None) -> list[int]:
    """Hold `quantity` places of a standing area. SKIP LOCKED lets any number of buyers
    take places side by side without queueing on the same rows."""
    ctx = Ctx(now=now, channel=hold.channel, hold=hold, actor=actor)
    where = Q(section=section, standing_index__isnull=False)  # as place_one_per_standing_index says it
    for _ in range(3):
        taken = _take_any(where, quantity, ctx, hold)
        if taken:
            return taken
    left = (Place.objects.filter(where, performance_id=hold.performance_id)
            .filter(free(now) & open_to(hold.channel)).count())
    raise PlacesUnavailable(f"only {left} standing place{'s' if left != 1 else ''} left in "
                            f"{section.name}", available=left)


def release(*, hold: Hold, now: datetime, actor=None) -> list[int]:
    """Give back every place still in this hold."""
    with transaction.atomic():
        ids = list(Place.objects.select_for_update(of=("self",)).filter(hold=hold, state=HELD)
                   .order_by("pk").values_list("pk", flat=True))
        return _apply("release", ids, Ctx(now=now, channel=hold.channel, hold=hold, actor=actor))


def extend(*, hold: Hold, until: datetime, now: datetime) -> int:
    """Stretch a live hold. A lapsed hold cannot be revived: its places may be gone."""
    with transaction.atomic():
        ids = list(Place.objects.select_for_update(of=("self",))
                   .filter(hold=hold, state=HELD, hold_expires_at__gt=now)
                   .order_by("pk").values_list("pk", flat=True))
        return Place.objects.filter(pk__in=ids, hold=hold, state=HELD).update(
            hold_expires_at=until, updated_at=now)


def release_expired(*, now: datetime, batch: int = 1000) -> int:
    """Tidy lapsed holds back to available. Only tidying: they already count as free."""
    with transaction.atomic():
        ids = list(Place.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(state=HELD, hold_expires_at__lte=now)
                   .order_by("pk").values_list("pk", flat=True)[:batch])
        return len(_apply("expire", ids, Ctx(now=now)))


# --- sale and return ------------------------------------------------------------------

# Every place the hold took when it was made: still held, or lost by lapsing and possibly
# still free. Pricing and selling both use this one set.
def places_of_hold_sql(hold_id: str = "%s") -> str:
    """SQL: the ids of the places the hold `hold_id` (an SQL expression) took."""
    return f"SELECT place_id FROM sales_placeevent WHERE hold_id = {hold_id} AND action = 'hold'"


PLACES_OF_HOLD = places_of_hold_sql()


def places_of_hold_qs(hold: Hold):
    return Place.objects.filter(pk__in=RawSQL(PLACES_OF_HOLD, [hold.pk])).order_by("pk")


def places_of_hold(hold: Hold) -> list[int]:
    return list(places_of_hold_qs(hold).values_list("pk", flat=True))


def sell(*, hold: Hold, order: Order, now: datetime, actor=None,
         place_ids: list[int] | None = None, also: Also = NOTHING_ELSE) -> list[Ticket]:
    """Turn the hold's places (`place_ids`, as priced, or else read again) into tickets of
    `order`, with the caller's `also` rows (the order paid), in one statement. Fails
    cleanly, writing nothing, if any was taken by someone else after the hold lapsed."""
    ctx = Ctx(now=now, channel=hold.channel, hold=hold, actor=actor, order=order)
    ids = sorted(place_ids if place_ids is not None else places_of_hold(hold))
    if not ids:
        raise PlacesUnavailable("the hold has no places", places={})
    issued = Also(
        before=""",
            issued AS (
                INSERT INTO sales_ticket (order_id, place_id, code, price_zone_name, price, status, printed_count,
                                          created_at)
                SELECT %s, locked.id, new.code, zone.name, zone.price, %s, 0, %s
                FROM locked JOIN unnest(%s::bigint[], %s::text[]) AS new(place_id, code) ON new.place_id = locked.id
                JOIN events_pricezone zone ON zone.id = locked.price_zone_id
                WHERE (SELECT ok FROM whole) ORDER BY locked.id
                RETURNING id, place_id, code, price_zone_name, price)""",
        before_params=(order.pk, Ticket.Status.VALID, now, ids, [new_secret() for _ in ids]),
        ticket="(SELECT issued.id FROM issued WHERE issued.place_id = sales_place.id)",
        output=f""", (SELECT json_agg(json_build_array(issued.id, place.id, code, price_zone_name, price::text,
                                                   section.name, seat.row, seat.number, place.standing_index)
                                 ORDER BY place.id)
                      FROM issued JOIN sales_place place ON place.id = issued.place_id {_LABEL_JOINS})""")
    try:
        _moved, (rows, *_rest) = _transition("sell", ids, ctx, performance_id=hold.performance_id,
                                             also=issued + also)
    except _Refused:
        raise IllegalTransition(also.refusal or "the order changed while it was being paid") from None
    tickets = []
    for pk, place_id, code, name, price, section, row, number, standing in rows:
        ticket = Ticket(pk=pk, order=order, place_id=place_id, code=code, price_zone_name=name, price=Decimal(price),
                        status=Ticket.Status.VALID, created_at=now)
        ticket.label = Place.label_of(section, row, number, standing)  # its place's, with no read of its own
        tickets.append(ticket)
    return tickets


def return_to_sale(*, order: Order, tickets: Iterable[Ticket], now: datetime, actor=None) -> list[int]:
    """Refund or exchange: the places of these tickets go back on sale."""
    tickets = list(tickets)
    ids = [t.place_id for t in tickets]
    ctx = Ctx(now=now, channel=order.channel, actor=actor, order=order)
    with transaction.atomic():
        moved = _apply("return", ids, ctx, performance_id=order.performance_id)
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Ticket.Status.VOID)
    return moved


# --- organizer ------------------------------------------------------------------------

def block(*, performance: Performance, place_ids: Iterable[int], now: datetime, actor=None) -> list[int]:
    with transaction.atomic():  # its own savepoint: the admin reports a refusal and goes on
        return _apply("block", place_ids, Ctx(now=now, actor=actor), performance_id=performance.pk)


def unblock(*, performance: Performance, place_ids: Iterable[int], now: datetime, actor=None) -> list[int]:
    with transaction.atomic():
        return _apply("unblock", place_ids, Ctx(now=now, actor=actor), performance_id=performance.pk)


def allocate(*, performance: Performance, place_ids: Iterable[int], channel: str, now: datetime,
             actor=None) -> list[int]:
    """Keep places for one channel ('' gives them back to every channel). Allocation is an
    attribute, not a state: a sold place keeps its ticket, a held one its hold."""
    ids = sorted(set(place_ids))
    with transaction.atomic():
        rows = list(Place.objects.select_for_update(of=("self",))
                    .filter(pk__in=ids, performance=performance).order_by("pk")
                    .values("pk", "state"))
        if len(rows) != len(ids):
            raise InvalidRequest("some of the places do not exist in this performance")
        Place.objects.filter(pk__in=ids).update(allocation=channel, updated_at=now)
        _FreeRuns.forget(performance.pk)
        PlaceEvent.objects.bulk_create(
            PlaceEvent(place_id=r["pk"], action="allocate", from_state=r["state"],
                       to_state=r["state"], allocation=channel, actor=_user(actor))
            for r in rows
        )
    return ids


def put_on_sale(*, performance: Performance) -> int:
    """Create the performance's inventory: one row per seat and per standing place, each
    priced by its seat's zone, else its section's. Refuses a place with no price zone."""
    with transaction.atomic():
        Performance.objects.select_for_update().get(pk=performance.pk)
        if Place.objects.filter(performance=performance).exists():
            raise IllegalTransition(f"{performance} is already on sale")
        section_zone, seat_zone = {}, {}
        for zone in performance.price_zones.prefetch_related("sections", "seats"):
            for section in zone.sections.all():
                section_zone[section.pk] = zone
            for seat in zone.seats.all():
                seat_zone[seat.pk] = zone
        places, unpriced = [], []
        for section in performance.venue.sections.prefetch_related("seats"):
            if section.kind == Section.Kind.STANDING:
                zone = section_zone.get(section.pk)
                if zone is None:
                    unpriced.append(section.name)
                    continue
                places += [Place(performance=performance, section=section, standing_index=i,
                                 price_zone=zone) for i in range(1, section.capacity + 1)]
                continue
            rows = defaultdict(list)
            for seat in section.seats.all():
                rows[seat.row_index].append(seat)
            for seats in rows.values():
                centre = (min(s.position for s in seats) + max(s.position for s in seats)) / 2
                for seat in seats:
                    zone = seat_zone.get(seat.pk) or section_zone.get(section.pk)
                    if zone is None:
                        unpriced.append(f"{section.name} {seat.row}-{seat.number}")
                        continue
                    places.append(Place(performance=performance, section=section, seat=seat,
                                        price_zone=zone,
                                        centre_offset=round(abs(seat.position - centre) * 2)))
        if unpriced:
            shown = ", ".join(unpriced[:10]) + (f" and {len(unpriced) - 10} more" if len(unpriced) > 10 else "")
            raise InvalidRequest(f"{len(unpriced)} places have no price zone: {shown}")
        if not places:
            raise InvalidRequest(f"{performance.venue} has no seats or standing places")
        Place.objects.bulk_create(places, batch_size=5000)
        return len(places)


def now() -> datetime:
    return timezone.now()
