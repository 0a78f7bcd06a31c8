"""Automatic admission: the waiting room's rate, found from what the public pool measures.

A room in automatic mode starts at its admission rate and, every `TICK_SECONDS` once the
on-sale has opened, looks at the last `WINDOW_SECONDS` of buyers' requests and at the
performance's active online holds, and chooses the next rate within the organizer's
bounds (`min_per_minute`, `max_per_minute`):

- errors among buyers' requests (5xx): halve the rate;
- buyers' p99 over the target (`ADMISSION_TARGET_P99_MS`), or more active holds than the
  room's target: lower it by 30 %;
- p99 under half the target and holds under 90 % of theirs: raise it, doubling while it
  has never had to lower (a ramp from the opening), by a quarter after;
- in between, with no buyer request measured, or within `COOLDOWN_SECONDS` of a
  lowering: keep it. The band between the
  two latency thresholds and the cool-down are the hysteresis: the rate does not swing
  on every tick.

It only sets a rate. Who may buy is still the queue's order and the pass, and what is
sold is still the inventory's: a wrong rate makes a sale slower or busier, never wrong.

Where each part runs, so that joining and polling stay free of database queries:

- the public pool's web processes count each buyer request (latency, error) in memory
  and add the counts to one Redis hash per second, at most once a second per process
  (`record`, from boxoffice.pools.BuyerLatencyMiddleware);
- the same web processes, once a tick across the fleet (a Redis gate asked in the same
  round trip as the latency counts), read from PostgreSQL whether each room's
  performance is sold out and how many holds are active (`watch`), so both are fresh
  while buyers buy, however late the Celery worker runs; beat does it too, for a room
  nobody buys in. A holds count older than `HOLDS_FRESH_SECONDS` is left out of the
  decision and the reason says so;
- whoever serves the queue page runs the decision (`tick`): at most once per tick across
  the fleet (a Redis gate), Redis only. Beat runs it too, for a queue nobody polls. If
  both are late, the frontier keeps moving at the last rate chosen: nothing waits on them.

The rate chosen and why are kept in the room's `auto` hash; the admin shows them.
"""

from __future__ import annotations

import json
import logging
import operator
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce

import redis
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Channel
from sales import shop_mode, waiting_room
from sales.formatting import number
from sales.formatting import when as written
from sales.inventory import free_ways, in_baskets, open_to
from sales.models import Hold, Place, WaitingRoom
from sales.policy import policy_for

logger = logging.getLogger(__name__)

TICK_SECONDS = 2.0
WINDOW_SECONDS = 3
COOLDOWN_SECONDS = 6.0
HOLDS_FRESH_SECONDS = 30.0
RAMP, STEP_UP, SLOWER, ERRORS = 2.0, 1.25, 0.7, 0.5
# Upper bounds (ms) of the latency histogram's buckets; the last one is everything slower.
BUCKETS = (5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000)
OVER = 10000  # what a p99 beyond the last bucket reads as


def _auto_key(perf_id: int) -> str:
    return waiting_room._keys(perf_id)["auto"]  # one of the room's keys, as the queue names them


def _second_key(second: int) -> str:
    return f"adm:m:{second}"


ROOMS = "adm:rooms"  # the performances whose room is published and enabled: to watch
WATCH_GATE = "adm:watch:due"  # set by the process whose turn it is to watch them


# --- measuring: in the public pool's web processes --------------------------------------

class _Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()
        self.flushed = 0.0

    def clear(self):
        self.n = self.errors = 0
        self.buckets = [0] * (len(BUCKETS) + 1)


_counts = _Counts()


def record(ms: float, error: bool, now: float | None = None) -> None:
    """Count one buyer request. Cheap: memory, and one Redis round trip a second."""
    now = time.time() if now is None else now
    with _counts.lock:
        _counts.n += 1
        _counts.errors += bool(error)
        _counts.buckets[bisect_left(BUCKETS, ms)] += 1
        due = now - _counts.flushed >= 1.0
    if due:
        flush(now)


def forget() -> None:
    """This process forgets the buyer requests it has not yet added to Redis (tests)."""
    with _counts.lock:
        _counts.clear()
        _counts.flushed = 0.0


def flush(now: float | None = None) -> None:
    """Add this process's counts to the current second's hash in Redis. Best effort: with
    Redis away the counts are dropped (and selling goes on)."""
    now = time.time() if now is None else now
    with _counts.lock:
        n, errors, buckets = _counts.n, _counts.errors, _counts.buckets
        _counts.clear()
        _counts.flushed = now
    if not n:
        return
    key = _second_key(int(now))
    try:
        pipe = waiting_room.client().pipeline(transaction=False)
        pipe.hincrby(key, "n", n)
        if errors:
            pipe.hincrby(key, "err", errors)
        for i, count in enumerate(buckets):
            if count:
                pipe.hincrby(key, f"b{i}", count)
        pipe.expire(key, 120)
        pipe.set(WATCH_GATE, "1", nx=True, px=int(TICK_SECONDS * 1000))
        pipe.smembers(ROOMS)
        *_, my_turn, rooms = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("buyer latency not recorded: %s", exc)
        return
    if my_turn and rooms:
        # Housekeeping in a buyer's request, after its answer was made: whatever goes wrong
        # here must not take that answer's place. Beat's run does it later.
        try:
            watch(*(int(pk) for pk in rooms))
        except Exception:
            logger.exception("waiting rooms not watched")


@dataclass(frozen=True)
class Measures:
    requests: int
    errors: int
    p99_ms: int
    holds: int | None  # None: no fresh count

    @property
    def as_dict(self) -> dict:
        return {"requests": self.requests, "errors": self.errors, "p99_ms": self.p99_ms, "holds": self.holds}


def measures(perf_id: int, now: float, auto: dict | None = None) -> Measures:
    """The buyers' requests of the last WINDOW_SECONDS (the fleet's, all performances: they
    share its capacity) and this performance's active holds, if counted recently."""
    r = waiting_room.client()
    pipe = r.pipeline(transaction=False)
    for second in range(int(now) - WINDOW_SECONDS, int(now) + 1):
        pipe.hgetall(_second_key(second))
    buckets = [0] * (len(BUCKETS) + 1)
    n = errors = 0
    for raw in pipe.execute():
        n += int(raw.get("n", 0))
        errors += int(raw.get("err", 0))
        for i in range(len(buckets)):
            buckets[i] += int(raw.get(f"b{i}", 0))
    auto = r.hgetall(_auto_key(perf_id)) if auto is None else auto
    holds = None
    if auto.get("holds_at") and now - float(auto["holds_at"]) <= HOLDS_FRESH_SECONDS:
        holds = int(auto["holds"])
    return Measures(n, errors, _p99(buckets, n), holds)


def _p99(buckets: list[int], n: int) -> int:
    if not n:
        return 0
    seen = 0
    for i, count in enumerate(buckets):
        seen += count
        if seen >= 0.99 * n:
            return BUCKETS[i] if i < len(BUCKETS) else OVER
    return OVER


def _queued() -> list[str]:
    """The channels whose buyers come through the waiting room."""
    return [c for c in Channel.values if policy_for(c).queued]


def watch(*perf_ids: int, now=None) -> None:
    """What the queues of these performances need from the database while buyers buy:
    whether any place the queue's buyers may buy is still free (a queue with none stops
    admitting, and tells those waiting whether places in baskets may soon come back), and
    the active holds for the controller. Index ranges that stop at their first row."""
    now = now or timezone.now()
    theirs = reduce(operator.or_, (open_to(c) for c in _queued()))  # not the places kept for the counter
    places = Place.objects.filter(performance_id=OuterRef("performance_id"))
    first_back = places.filter(in_baskets(now) & theirs).order_by("hold_expires_at").values("hold_expires_at")[:1]
    rooms = {pk: (any(ways), back) for pk, back, *ways in
             waiting_room.live_rooms(WaitingRoom.objects.filter(performance_id__in=perf_ids, enabled=True), now)
             .values_list("performance_id", Subquery(first_back),
                          *(Exists(places.filter(way & theirs)) for way in free_ways(now)))}
    if gone := set(perf_ids) - set(rooms):  # deleted or disabled other than through the admin
        waiting_room.client().srem(ROOMS, *gone)
    if rooms:
        waiting_room.set_sold_out_all({pk: (not has_free, back.timestamp() if back is not None else 0.0)
                                       for pk, (has_free, back) in rooms.items()}, now=now.timestamp())
        measure_holds(*rooms, now=now)


def watch_all() -> None:
    """Beat: watch every enabled room, and list them for the public pool, which watches
    them while buyers buy (a room published before Redis lost its data, or whose listing
    a watch removed in the instant between the admin's save and its commit, is listed
    again here)."""
    rooms = list(waiting_room.live_rooms(WaitingRoom.objects.filter(enabled=True))
                 .values_list("performance_id", flat=True))
    if rooms:
        waiting_room.client().sadd(ROOMS, *rooms)
        watch(*rooms)


def measure_holds(*perf_ids: int, now=None) -> dict[int, int]:
    """Count the performances' live holds of queued channels (the buyers let in and still
    choosing or paying) into Redis for the controller. One grouped, indexed count."""
    now = now or timezone.now()
    counted = dict(Hold.objects.filter(performance_id__in=perf_ids, channel__in=_queued(), status=Hold.Status.ACTIVE,
                                       expires_at__gt=now)
                   .values_list("performance_id").annotate(n=Count("id")).order_by())
    counts = {pk: counted.get(pk, 0) for pk in perf_ids}
    pipe = waiting_room.client().pipeline(transaction=False)
    for pk, count in counts.items():
        pipe.hset(_auto_key(pk), mapping={"holds": count, "holds_at": now.timestamp()})
    pipe.execute()
    return counts


# --- deciding ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    per_minute: int
    verdict: str  # "raised", "lowered", "kept"
    cause: str  # "errors", "slow", "holds", "healthy", "quiet", "band", "cooling", "bound"
    measures: Measures


def decide(*, rate: float, low: float, high: float, target_ms: int, holds_target: int | None, ramp: bool,
           cooling: bool, m: Measures, halted: bool = False) -> tuple[float, str, str]:
    """The next rate (visitors per minute) from the current one and the measures; with the
    verdict and its cause. Pure: the rules of the module's docstring. `halted`: nothing is
    free (sold out, or every place in a basket): the buyers still in the shop are served
    fast, but that is no reason to let more in the moment places come back."""
    holds_over = holds_target is not None and m.holds is not None and m.holds > holds_target
    holds_room = holds_target is None or m.holds is None or m.holds <= 0.9 * holds_target
    if m.errors:
        new, cause = rate * ERRORS, "errors"
    elif m.requests and m.p99_ms > target_ms:
        new, cause = rate * SLOWER, "slow"
    elif holds_over:
        new, cause = rate * SLOWER, "holds"
    elif cooling:
        return rate, "kept", "cooling"
    elif halted:
        return rate, "kept", "halted"
    elif not m.requests:  # nothing measured yet (the first admitted are still on their way): no reason to move
        return rate, "kept", "quiet"
    elif m.p99_ms <= target_ms / 2 and holds_room:
        new, cause = rate * (RAMP if ramp else STEP_UP), "healthy"
    else:
        return rate, "kept", "band"
    bounded = min(high, max(low, new))
    if abs(bounded - rate) < 0.5:
        return rate, "kept", "bound" if cause == "healthy" else cause
    return bounded, "raised" if bounded > rate else "lowered", cause


GATE = """
-- KEYS: auto, cfg   ARGV: now, tick. The room's automatic settings if it is this caller's
-- turn to decide (automatic, open, enabled, the last decision a tick ago), else nil.
if redis.call('HGET', KEYS[1], 'on') ~= '1' then return nil end
local cfg = redis.call('HMGET', KEYS[2], 'enabled', 'opens', 'rate', 'soldout')
if cfg[1] ~= '1' or tonumber(ARGV[1]) < tonumber(cfg[2]) then return nil end
local due = tonumber(redis.call('HGET', KEYS[1], 'due') or '0')
if tonumber(ARGV[1]) < due then return nil end
redis.call('HSET', KEYS[1], 'due', tonumber(ARGV[1]) + tonumber(ARGV[2]))
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 'current')
table.insert(out, cfg[3])
table.insert(out, 'halted')
table.insert(out, cfg[4] or '0')
return out
"""

# The frontier moves at the new rate from now, from where the old rate had brought it
# (sales.waiting_room.Config.frontier): nobody admitted is taken back. One script, so a
# decision and an organizer's save cannot interleave between read and write.
SET_RATE = """
-- KEYS: cfg   ARGV: now, rate (per second)
local c = redis.call('HMGET', KEYS[1], 'opens', 'rate', 'base', 'at', 'soldout', 'back')
if not c[1] then return 0 end
local opens, base, at = tonumber(c[1]), tonumber(c[3]), tonumber(c[4])
local t = redis.call('TIME')  -- a caller's clock ahead of Redis's by more than 5 s is not believed
local now = math.max(math.min(tonumber(ARGV[1]), tonumber(t[1]) + tonumber(t[2]) / 1e6 + 5), at)  -- never back
if now > opens then
  if c[5] ~= '1' or not c[6] then  -- sold out (and rebased when it sold out), it stands
    base = base + math.max(0, now - math.max(at, opens)) * tonumber(c[2])
  end
  at = now
end
redis.call('HSET', KEYS[1], 'rate', ARGV[2], 'base', string.format('%.6f', base), 'at', string.format('%.6f', at))
return 1
"""


def adjust(perf_id: int, now: float | None = None) -> Decision | None:
    """Decide the room's next rate, if it is automatic, open, and a tick has passed since
    the last decision anywhere; None otherwise. Redis only."""
    now = time.time() if now is None else now
    r = waiting_room.client()
    keys = waiting_room._keys(perf_id)  # the room's own key names, as the queue names them
    raw = r.eval(GATE, 2, _auto_key(perf_id), keys["cfg"], now, TICK_SECONDS)
    if raw is None:
        return None
    auto = dict(zip(raw[::2], raw[1::2], strict=True))
    m = measures(perf_id, now, auto)
    low, high = float(auto["min"]), float(auto["max"])
    rate = float(auto["current"]) * 60
    target = int(auto.get("target_ms") or settings.ADMISSION_TARGET_P99_MS)
    holds_target = int(auto["holds_target"]) if auto.get("holds_target") else None
    new, verdict, cause = decide(rate=rate, low=low, high=high, target_ms=target, holds_target=holds_target,
                                 ramp=auto.get("ramp") == "1", cooling=now < float(auto.get("cool_until") or 0), m=m,
                                 halted=auto.get("halted") == "1")
    if verdict != "kept":
        r.eval(SET_RATE, 1, keys["cfg"], now, new / 60)
    change = {"rate": round(new), "verdict": verdict, "cause": cause, "decided_at": now,
              "measures": json.dumps(m.as_dict)}
    if verdict == "lowered":
        change.update(ramp="0", cool_until=now + COOLDOWN_SECONDS)
    r.hset(_auto_key(perf_id), mapping=change)
    if cause in ("healthy", "bound") and new >= high and _crowd_waiting(perf_id, now):
        # The buyers could take more than the organizer lets in, and people are waiting: the
        # shop is under pressure until the next decision (the queue's, or beat's).
        beat = settings.CELERY_BEAT_SCHEDULE["refresh-waiting-rooms"]["schedule"]
        shop_mode.admission_at_bound(perf_id, round(new), lasting=beat + 2 * TICK_SECONDS)
    return Decision(round(new), verdict, cause, m)


def _crowd_waiting(perf_id: int, now: float) -> bool:
    """Visitors queued past the frontier of a performance not sold out."""
    queue = waiting_room.stats(perf_id, now)
    return not queue["sold_out"] and queue["in_queue"] > queue["admitted"]


_due: dict[int, float] = {}


def tick(perf_id: int) -> None:
    """Called by whoever serves the queue page: at most every half tick per process does
    it ask Redis whether a decision is due (the gate lets one caller per tick through)."""
    mono = time.monotonic()
    if _due.get(perf_id, 0.0) > mono:
        return
    _due[perf_id] = mono + TICK_SECONDS / 2
    try:
        adjust(perf_id)
    except redis.RedisError as exc:  # the frontier goes on at the last rate
        logger.warning("admission rate not adjusted: %s", exc)


# --- settings, from the admin -------------------------------------------------------------

def publish(room) -> None:
    """Publish a room (sales.waiting_room.publish) with its automatic settings. Saving an
    automatic room during its on-sale keeps the rate it had found (within the new bounds):
    changing a bound is not a restart from the starting rate. A room past
    waiting_room.KEPT_AFTER_START is withdrawn and no longer watched."""
    if waiting_room.is_past(room.performance):
        waiting_room.withdraw(room.performance_id)
        waiting_room.client().srem(ROOMS, room.performance_id)
        return
    before = waiting_room.config(room.performance_id, restore=False)  # the room being published now
    waiting_room.publish(room)
    key = _auto_key(room.performance_id)
    r = waiting_room.client()
    if room.enabled:
        r.sadd(ROOMS, room.performance_id)
    else:
        r.srem(ROOMS, room.performance_id)
    if not room.automatic:
        r.hset(key, "on", "0")
        return
    now = time.time()
    running = before is not None and before.opens == room.opens_at.timestamp() and now > before.opens
    if running and r.hget(key, "on") == "1":
        start = min(room.max_per_minute, max(room.min_per_minute, before.rate * 60))
        r.hset(key, mapping=waiting_room.automatic_settings(room))
    else:  # a fresh start: ramp up from the starting rate
        start = waiting_room.start_automatic(room)
    r.eval(SET_RATE, 1, waiting_room._keys(room.performance_id)["cfg"], now, start / 60)


def withdraw(perf_id: int) -> None:
    """The room was deleted: it is no longer watched."""
    r = waiting_room.client()
    r.hset(_auto_key(perf_id), "on", "0")
    r.srem(ROOMS, perf_id)


def state(perf_id: int) -> dict | None:
    """The automatic room's last decision, for the organizer; None if not automatic."""
    auto = waiting_room.client().hgetall(_auto_key(perf_id))
    if auto.get("on") != "1":
        return None
    auto["measures"] = json.loads(auto["measures"]) if auto.get("measures") else None
    return auto


def explain(perf_id: int) -> str | None:
    """One line for the organizer: the rate chosen, when, and why."""
    try:
        auto = state(perf_id)
    except redis.RedisError:
        return None
    if auto is None:
        return None
    rate = number(int(float(auto["rate"])))
    bounds = {"min": number(int(float(auto["min"]))), "max": number(int(float(auto["max"])))}
    m = auto.get("measures")
    if not m:
        return _("Automatic: %(rate)s a minute to start with (bounds %(min)s to %(max)s); it adjusts once the "
                 "on-sale opens.") % {"rate": rate, **bounds}
    when = timezone.localtime(datetime.fromtimestamp(float(auto["decided_at"]), tz=UTC))
    verdict = {"raised": _("raised to"), "lowered": _("lowered to"), "kept": _("kept at")}[auto["verdict"]]
    target = int(auto.get("target_ms") or settings.ADMISSION_TARGET_P99_MS)
    holds = (_("holds not counted lately") if m["holds"] is None else
             _("%(holds)s active holds (target %(target)s)") % {
                 "holds": number(m["holds"]), "target": number(auto.get("holds_target")) or "-"})
    cause = {
        "errors": _("buyers met errors"),
        "slow": _("buyers' requests are slower than the target"),
        "holds": _("more active holds than the target"),
        "healthy": _("buyers are served fast"),
        "quiet": _("no buyer traffic"),
        "band": _("latency between half the target and the target"),
        "cooling": _("waiting a few seconds after lowering"),
        "halted": _("nothing is free to buy: the queue stands until places come back"),
        "bound": _("at its bound"),
        "start": _("starting rate"),
    }[auto["cause"]]
    return _("Automatic: %(verdict)s %(rate)s a minute at %(time)s (bounds %(min)s to %(max)s): %(cause)s. "
             "Last %(window)s s: %(requests)s buyer requests, %(errors)s errors, p99 %(p99)s ms (target %(target)s "
             "ms); %(holds)s.") % {
        "verdict": verdict, "rate": rate, "time": written(when, "H:i:s"), **bounds, "cause": cause,
        "window": WINDOW_SECONDS + 1, "requests": m["requests"], "errors": m["errors"], "p99": m["p99_ms"],
        "target": target, "holds": holds}
