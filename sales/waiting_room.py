"""The waiting room in front of the online shop during an on-sale. Redis only.

- Visitors who arrive before the on-sale time wait in `early`. At the on-sale they are
  frozen and put into the queue in the order of a draw anyone can check (sales.draws):
  a fair draw, not a race to refresh. Later arrivals take the next number: FIFO.
- Admission is a frontier that moves at the configured rate from the on-sale time:
  `admitted = base + (now - at) * rate`. A rate change rebases it, so nothing needs a
  worker to let people in. Position <= frontier: admitted, and given a signed pass.
- A pass names the performance and the visitor, expires, and is bound to the first
  shop session that uses it: copied to other browsers, it is refused there.
- An admission lasts the pass's minutes from the first time the frontier let the visitor
  in, however many passes they are given meanwhile. Past them their place is given up:
  the page says their shopping time ended, and joining again puts them at the back. A
  buyer paying for seats already held is not cut off (the shop's checkout of a live hold
  asks for no pass).
- Joining and polling read and write Redis only: no database query, no session write.

The config lives in PostgreSQL (`WaitingRoom`, edited in the admin) and is published
into the `cfg` hash on every save; an automatic room's settings also into its `auto` hash,
where sales.admission, which chooses its rate, keeps what it decided.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import redis
from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.utils.translation import gettext as _

from sales.errors import SalesError, ServiceUnavailable
from sales.policy import policy_for

PASS_SALT = "sales.waiting_room.pass"
logger = logging.getLogger(__name__)

JOIN = """
-- One round trip: read the room's config, then join. KEYS: cfg, early, queue, seq, drawn,
-- admitted   ARGV: visitor, now. Returns {state, value, config..., admitted at}; state -1 =
-- no queue open, -2 = no room published (none, or Redis lost it), 3 = the visitor's
-- admission is over: their place is given up, and joining again puts them at the back.
local cfg = redis.call('HMGET', KEYS[1], 'enabled', 'opens', 'rate', 'base', 'at', 'ttl', 'soldout', 'back')
if not cfg[1] then return {-2} end
if cfg[1] ~= '1' then return {-1} end
local now = tonumber(ARGV[2])
local function answer(state, value, since)
  return {state, value, cfg[2], cfg[3], cfg[4], cfg[5], cfg[6], cfg[7], cfg[8] or false, since or ''}
end
local drawn = redis.call('EXISTS', KEYS[5]) == 1
local opens = tonumber(cfg[2])
if not drawn and now < opens then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
  return answer(0, redis.call('ZCARD', KEYS[2]))
end
local pos = redis.call('ZSCORE', KEYS[3], ARGV[1])
if pos then
  pos = tonumber(pos)
elseif not drawn then
  return answer(2, 0)
else
  pos = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[3], pos, ARGV[1])
end
-- An admission lasts the pass's minutes from the first time the frontier let the visitor in
-- (as Config.frontier and _placed say: not sold out, place <= frontier), not from each pass.
local since = redis.call('HGET', KEYS[6], ARGV[1])
if since then
  if now >= tonumber(since) + tonumber(cfg[6]) then
    redis.call('ZREM', KEYS[3], ARGV[1])
    redis.call('HDEL', KEYS[6], ARGV[1])
    return answer(3, pos)
  end
elseif cfg[7] ~= '1' and now >= opens then
  local at = math.max(tonumber(cfg[5]), opens)
  if pos <= tonumber(cfg[4]) + math.max(0, now - at) * tonumber(cfg[3]) then
    since = ARGV[2]
    redis.call('HSET', KEYS[6], ARGV[1], since)
  end
end
return answer(1, pos, since)
"""

FREEZE = """
-- KEYS: early, frozen, drawn, lock   ARGV: token, lock seconds
-- {-1}: drawn already; {0}: another process is drawing; else {1, the early arrivals...}.
if redis.call('EXISTS', KEYS[3]) == 1 then return {-1} end
if not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', ARGV[2]) then return {0} end
if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
end
local m = redis.call('ZRANGE', KEYS[2], 0, -1)
table.insert(m, 1, 1)
return m
"""

OPEN = """
-- The early arrivals are in the queue at their drawn positions: open it to later ones.
-- KEYS: seq, drawn, seedkey, lock   ARGV: count, seed, token
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[4]) == ARGV[3] then redis.call('DEL', KEYS[4]) end
return tonumber(ARGV[1])
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
"""
# How long one process may take to draw before another takes over, and how long a visitor
# arriving meanwhile waits for it.
DRAW_LOCK_SECONDS = 30
DRAW_WAIT_SECONDS = 40


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    # Short timeouts: with Redis away, a shop page says so at once instead of hanging.
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30,
                                socket_connect_timeout=1, socket_timeout=2)


def client() -> redis.Redis:
    return _client_for(settings.WAITING_ROOM_REDIS_URL)


def forget_clients() -> None:
    """Drop this process's Redis clients and loaded scripts, so the next call connects to
    the waiting room's Redis as the settings name it now."""
    _client_for.cache_clear()
    _join_script.cache_clear()
    _drawn_counts.clear()
    _no_room.clear()


def _keys(perf_id: int) -> dict[str, str]:
    base = f"wr:{perf_id}"
    return {k: f"{base}:{k}" for k in ("cfg", "early", "queue", "seq", "drawn", "seed", "bind", "passes",
                                       "frozen", "drawing", "auto", "admitted")}


@dataclass(frozen=True)
class Config:
    enabled: bool
    opens: float
    rate: float  # visitors per second
    base: float
    at: float
    ttl: int
    soldout: bool  # no place the queue's buyers may buy is free: nobody more is let in
    # When soldout: the time the first place held in a basket lapses, if soon (see
    # sales.admission.watch); 0 when every place is sold or kept for long. None: a config
    # written before the frontier stood still while sold out (not rebased yet).
    back: float | None = 0.0

    @property
    def paused(self) -> bool:
        """Nothing free now, but places in buyers' baskets may come back soon."""
        return self.soldout and bool(self.back)

    def frontier(self, now: float) -> float:
        if now < self.opens:
            return 0.0
        if self.soldout and self.back is not None:  # it stands where it was when nothing was left
            return self.base
        return self.base + max(0.0, now - max(self.at, self.opens)) * self.rate


def publish(room, *, lost: bool = False) -> None:
    """Write a room's config into Redis. A live rate change keeps everyone already
    admitted: the frontier is rebased at the moment of the change. `lost`: Redis lost the
    room after its opening, and where its frontier stood: it moves on from now, at the
    rate (not at once by all the time since the opening); an automatic room's rate is
    chosen again from a fresh start (start_automatic). A room past KEPT_AFTER_START is
    withdrawn instead: saved in the admin or cancelled afterwards, it queues nobody."""
    if is_past(room.performance):
        withdraw(room.performance_id)
        return
    now = time.time()
    opens = room.opens_at.timestamp()
    old = config(room.performance_id, restore=False)
    if old is not None and old.opens == opens and now > opens:
        base, at = old.frontier(now), now
    elif lost and now > opens:
        base, at = 0.0, now
    else:
        base, at = 0.0, opens
    # A cancelled performance queues nobody: its page says it was cancelled.
    enabled = room.enabled and room.performance.cancelled_at is None
    per_minute = start_automatic(room) if lost and room.automatic else room.admit_per_minute
    client().hset(_keys(room.performance_id)["cfg"], mapping={
        "enabled": "1" if enabled else "0", "opens": opens, "rate": per_minute / 60.0,
        "base": base, "at": at, "ttl": room.pass_minutes * 60,
        "soldout": "1" if old is not None and old.soldout else "0", "back": old.back or 0 if old is not None else 0,
        **headings(room),
    })


def automatic_settings(room) -> dict:
    """An automatic room's settings, as its `auto` hash keeps them for sales.admission."""
    return {"on": "1", "min": room.min_per_minute, "max": room.max_per_minute, "holds_target": room.holds_target or "",
            "target_ms": settings.ADMISSION_TARGET_P99_MS}


def start_automatic(room) -> int:
    """Automatic admission started afresh for `room` (sales.admission): its settings, and
    a ramp up from its starting rate (its rate within its bounds), which is returned, per
    minute, for the queue to admit at meanwhile."""
    start = min(room.max_per_minute, max(room.min_per_minute, room.admit_per_minute))
    key = _keys(room.performance_id)["auto"]
    pipe = client().pipeline()  # no decision reads the hash half written
    pipe.delete(key)
    pipe.hset(key, mapping={"ramp": "1", "rate": start, "verdict": "kept", "cause": "start",
                            **automatic_settings(room)})
    pipe.execute()
    return start


def headings(room) -> dict[str, str]:
    """What the queue's page says it is for, in each language (the performance, where and
    when, and when the sale opens), kept with the room's config so that the page needs no
    database: `heading_<language>`, a JSON object. The opening is kept as a moment on the
    venue's clock (`opens_ms`, `time_zone`), put in words as the page is (heading)."""
    import json

    from django.utils import translation

    from sales.formatting import when, zone_place

    perf = room.performance
    written = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # The page adds the visitor's own clock where it differs (static/queue.js).
            written[f"heading_{language}"] = json.dumps({
                "title": perf.event.title, "venue": perf.venue.name, "starts": when(perf.local(), "l j F Y, H:i"),
                "place": zone_place(perf.venue.time_zone), "time_zone": perf.venue.time_zone,
                "opens_ms": int(room.opens_at.timestamp() * 1000)})
    return written


# Fields written on a room only while it is published (see SET_SOLD_OUT): a room withdrawn
# meanwhile is not brought back as a config holding nothing but these.
# KEYS: cfg   ARGV: field, value, field, value, ...
SET_IF_PUBLISHED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


def heading(perf_id: int, language: str) -> dict | None:
    """The queue page's heading in `language` (see headings), or None. Its `opens`: the
    opening's day and hour on the venue's clock, written now for a sentence ("Sales open on
    %(day)s at %(time)s"), whatever words a room published earlier kept. A room published
    by an earlier release kept no heading, or its opening in words without its moment and
    the venue's time zone (a room saved on a host not yet updated during a rolling deploy,
    or published before the update and kept in Redis): its headings are written again from
    the database, once (_headings_restored)."""
    import json
    import zoneinfo
    from datetime import datetime

    from django.utils import translation

    from sales.formatting import when

    raw = client().hget(_keys(perf_id)["cfg"], f"heading_{language}")
    said = json.loads(raw) if raw else None
    if (said is None or said.get("opens_ms") is None or not said.get("time_zone")) and \
            language in dict(settings.LANGUAGES):
        said = _headings_restored(perf_id, language) or said
    if said is None:
        return None
    said["opens"] = ""
    if said.get("opens_ms") is not None and said.get("time_zone"):
        opens = datetime.fromtimestamp(said["opens_ms"] / 1000, zoneinfo.ZoneInfo(said["time_zone"]))
        with translation.override(language):
            said["opens"] = {"day": when(opens, "l j F"), "time": when(opens, "H:i")}
    return said


def config(perf_id: int, *, restore: bool = True) -> Config | None:
    """The room's config as published; `restore`: a room Redis lost is published again
    from the database first (_restored)."""
    raw = client().hgetall(_keys(perf_id)["cfg"])
    if not raw and restore and isinstance(perf_id, int) and _restored(perf_id):
        raw = client().hgetall(_keys(perf_id)["cfg"])
    if not raw:
        return None
    return Config(enabled=raw["enabled"] == "1", opens=float(raw["opens"]), rate=float(raw["rate"]),
                  base=float(raw["base"]), at=float(raw["at"]), ttl=int(raw["ttl"]),
                  soldout=raw.get("soldout") == "1", back=_back(raw.get("back")))


# A queue is of no use once its performance has begun (nothing more is sold online). A day
# later its room counts as none: nothing publishes it again, and beat drops what a crowd
# left of it in Redis (sales.tasks.forget_past_queues).
KEPT_AFTER_START = timedelta(days=1)


def past_before(now=None):
    """A performance that began before this moment is past: its room counts as none."""
    from django.utils import timezone

    return (now or timezone.now()) - KEPT_AFTER_START


def is_past(performance, now=None) -> bool:
    return performance.starts_at <= past_before(now)


def live_rooms(rooms, now=None):
    """`rooms` (a WaitingRoom queryset) less those of past performances."""
    return rooms.filter(performance__starts_at__gt=past_before(now))


# Performances found without a room in the database, in this process, until when
# (time.monotonic): their pages do not ask the database again at every request.
_no_room: dict[int, float] = {}
NO_ROOM_SECONDS = 10
NO_ROOM_KEPT = 10_000


def _room_in_database(perf_id: int):
    """The performance's live room as the database has it, or None (none, or the database
    unreachable). That it has none is remembered in this process for NO_ROOM_SECONDS;
    saving a room forgets it here (room_saved)."""
    from sales.models import WaitingRoom

    if _no_room.get(perf_id, 0.0) > time.monotonic():
        return None
    try:
        room = (live_rooms(WaitingRoom.objects.select_related("performance__event", "performance__venue"))
                .filter(performance_id=perf_id).first())
    except DatabaseError as exc:  # nothing can be sold without it either
        logger.warning("the waiting room of performance %s could not be read: %s", perf_id, exc)
        return None
    if room is None:
        if len(_no_room) >= NO_ROOM_KEPT:  # ids asked by the million are not kept by the million
            _no_room.clear()
        _no_room[perf_id] = time.monotonic() + NO_ROOM_SECONDS
    return room


def _restored(perf_id: int) -> bool:
    """A room the database has and Redis does not (Redis restarted without its data, or
    the room was saved without the admin publishing it) is published again from the
    database: a queued on-sale is never taken for one without a queue. A room the admin
    publishes is read from Redis first."""
    room = _room_in_database(perf_id)
    if room is None:
        return False
    logger.warning("the waiting room of performance %s was not in Redis: published again from the database", perf_id)
    publish(room, lost=True)
    return True


def _headings_restored(perf_id: int, language: str) -> dict | None:
    """The room's heading in `language` as the database says it, its headings in every
    language kept in its published config for the pages after (not for a room withdrawn
    meanwhile); None if the database cannot say."""
    import json

    room = _room_in_database(perf_id)
    if room is None:
        return None
    written = headings(room)
    client().eval(SET_IF_PUBLISHED, 1, _keys(perf_id)["cfg"], *(x for pair in written.items() for x in pair))
    return json.loads(written[f"heading_{language}"])


def room_saved(perf_id: int) -> None:
    """A room was saved: this process asks the database again (see _restored)."""
    _no_room.pop(perf_id, None)


def _back(raw: str | None) -> float | None:
    return None if raw is None else float(raw)


KEY_OF_A_ROOM = re.compile(r"^wr:(\d+):")


def queue_keys() -> dict[int, list[str]]:
    """Every queue key Redis keeps, by performance (one SCAN: for a sweep, not a request)."""
    found: dict[int, list[str]] = {}
    for key in client().scan_iter("wr:*", count=1000):
        if m := KEY_OF_A_ROOM.match(key):
            found.setdefault(int(m[1]), []).append(key)
    return found


def forget(keys: list[str]) -> int:
    """Drop these queue keys from Redis (queue_keys' of past performances: their queues,
    admissions, frozen arrivals, presale queues, passes' bindings). Returns how many went."""
    r, gone = client(), 0
    for start in range(0, len(keys), 500):
        gone += r.unlink(*keys[start:start + 500])
    return gone


def withdraw(perf_id: int) -> None:
    """The room was deleted: its config goes, so the shop is no longer gated (the queue
    itself goes a day after the performance began, sales.tasks.forget_past_queues)."""
    client().delete(_keys(perf_id)["cfg"])


SET_SOLD_OUT = """
-- KEYS: cfg   ARGV: soldout ('1' or '0'), back, now (when the watcher read the database)
-- Only on a room still published: a room withdrawn meanwhile is not brought back as a
-- config holding nothing but these fields. A read older than the last one written is
-- dropped (two watchers, out of order). Sold out, the frontier stops where it stands;
-- open again, it moves on from there at the rate: nobody is let in for the time nothing
-- was free (those behind do not come in at once when a basket lapses). A config written
-- before the frontier stood still (no 'back') moved all along: it is rebased the first time.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local c = redis.call('HMGET', KEYS[1], 'opens', 'rate', 'base', 'at', 'soldout', 'back', 'watched')
-- A watcher's clock ahead of Redis's by more than 5 s is not believed: one host's clock
-- would otherwise hold every other watcher's writes off until real time caught up.
local t = redis.call('TIME')
local read = math.min(tonumber(ARGV[3]), tonumber(t[1]) + tonumber(t[2]) / 1e6 + 5)
if read < tonumber(c[7] or '0') then return 0 end
local opens, base, at = tonumber(c[1]), tonumber(c[3]), tonumber(c[4])
local now = math.max(read, at)
local legacy = not c[6]
local standing = c[5] == '1' and not legacy
if (standing ~= (ARGV[1] == '1') or legacy) and now > opens then
  if not standing then base = base + math.max(0, now - math.max(at, opens)) * tonumber(c[2]) end
  redis.call('HSET', KEYS[1], 'base', string.format('%.6f', base), 'at', string.format('%.6f', now))
end
redis.call('HSET', KEYS[1], 'soldout', ARGV[1], 'back', ARGV[2], 'watched', string.format('%.6f', read))
return 1
"""


def set_sold_out(perf_id: int, sold_out: bool, back: float = 0.0, now: float | None = None) -> None:
    set_sold_out_all({perf_id: (sold_out, back)}, now=now)


def set_sold_out_all(flags: dict[int, tuple[bool, float]], now: float | None = None) -> None:
    """Mark each performance's queue sold out or not, in one round trip; `back`: when the
    first place in a basket lapses, if that is soon (the queue is then paused, not over)."""
    now = time.time() if now is None else now
    pipe = client().pipeline(transaction=False)
    for perf_id, (sold_out, back) in flags.items():
        pipe.eval(SET_SOLD_OUT, 1, _keys(perf_id)["cfg"], "1" if sold_out else "0", back if sold_out else 0, now)
    pipe.execute()


def new_visitor() -> str:
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Place:
    # "before" (waiting for the on-sale), "queued", "admitted", "paused" (nothing free now,
    # places in baskets may come back at `back`), "stopped" (the organizer set the rate to
    # 0: nobody moves until it is raised, so no wait can be told), "soldout", "ended" (the
    # visitor's admission is over: no longer in the queue), "none" (no queue: on to the
    # shop, which asks for no pass)
    state: str
    position: int = 0
    ahead: int = 0
    wait_seconds: int = 0
    progress: float = 0.0
    early_count: int = 0
    ttl: int = 0  # how long a pass given now lasts
    back: float = 0.0
    admitted_at: float = 0.0  # when the visitor was first let in: their admission lasts the ttl from then


@lru_cache(maxsize=4)
def _join_script(url: str):
    return _client_for(url).register_script(JOIN)  # EVALSHA: the script is sent once


def join(perf_id: int, visitor: str, now: float | None = None) -> Place:
    """Join (or re-find one's place in) the queue. Idempotent per visitor. One Redis round
    trip in the common case (config and place read by the same script)."""
    now = time.time() if now is None else now
    k = _keys(perf_id)
    keys = [k["cfg"], k["early"], k["queue"], k["seq"], k["drawn"], k["admitted"]]
    script = _join_script(settings.WAITING_ROOM_REDIS_URL)
    answer = script(keys=keys, args=[visitor, now])
    if answer[0] == -2 and _restored(perf_id):  # Redis lost the room: published again, joined
        answer = script(keys=keys, args=[visitor, now])
    if answer[0] == 2:  # the on-sale has begun and nobody has drawn yet: draw, then join
        try:
            draw(perf_id)
        except (DatabaseError, SalesError):
            # The draw is recorded in PostgreSQL and checked against what it froze: if it
            # cannot be made now, the visitor waits on the holding page, whose next poll
            # tries again.
            logger.exception("the opening draw of performance %s could not be made", perf_id)
            return Place("before")
        answer = script(keys=keys, args=[visitor, now])
    if answer[0] < 0:
        return Place("none")
    return _answered(answer, now)


def _answered(answer: list, now: float) -> Place:
    """A visitor's place from the queue script's answer (a queue's or a presale's)."""
    state, value, opens, rate, base, at, ttl, soldout, back, since = answer
    cfg = Config(enabled=True, opens=float(opens), rate=float(rate), base=float(base), at=float(at), ttl=int(ttl),
                 soldout=soldout == "1", back=_back(back))
    if state == 0:
        return Place("before", early_count=int(value), wait_seconds=int(cfg.opens - now), ttl=cfg.ttl)
    if state == 3:
        return Place("ended", position=int(value))
    return _placed(cfg, int(value), now, float(since) if since else now)


def _placed(cfg: Config, position: int, now: float, since: float) -> Place:
    """`since`: when the visitor was first let in (the queue script keeps it)."""
    frontier = cfg.frontier(now)
    if cfg.paused:  # those with a pass wait in the shop; the others here, at the front if that is their place
        return Place("paused", position=position, ahead=max(0, int(position - frontier)), back=cfg.back,
                     progress=min(1.0, frontier / position) if position else 1.0)
    if position <= frontier:
        if cfg.soldout:
            return Place("soldout", position=position, ttl=cfg.ttl)
        return Place("admitted", position=position, ttl=max(1, round(since + cfg.ttl - now)), admitted_at=since)
    if cfg.soldout:
        return Place("soldout", position=position)
    ahead = int(position - frontier)
    if not cfg.rate:  # stopped by the organizer: no wait to tell ("less than a minute" from rate 0 was wrong)
        return Place("stopped", position=position, ahead=ahead, progress=min(1.0, frontier / position), ttl=cfg.ttl)
    return Place("queued", position=position, ahead=ahead,
                 wait_seconds=int(ahead / cfg.rate) if cfg.rate else 0,
                 progress=min(1.0, frontier / position) if position else 1.0, ttl=cfg.ttl)


def status(perf_id: int, visitor: str, now: float | None = None) -> Place:
    """Where a visitor stands (polled by the queue page). Joins them if they are new."""
    return join(perf_id, visitor, now)


def draw(perf_id: int) -> int:
    """Put the early arrivals into the queue in the order of the opening draw, once.
    Returns how many, or -1 if drawn already. Visitors arriving while a process draws wait
    for it (a draw of 100,000 takes a few seconds); if that process dies, one of them
    takes over and, the seed and the frozen arrivals being the same, draws the same order."""
    from . import draws

    k = _keys(perf_id)
    r = client()
    token = secrets.token_hex(8)
    deadline = time.monotonic() + DRAW_WAIT_SECONDS
    while True:
        answer = r.eval(FREEZE, 4, k["early"], k["frozen"], k["drawn"], k["drawing"], token, DRAW_LOCK_SECONDS)
        if answer[0] == -1:
            return -1
        if answer[0] == 1:
            break
        if time.monotonic() > deadline:
            raise ServiceUnavailable("the queue is opening; please try again in a moment")
        time.sleep(0.05)
    try:
        # Drawn and recorded with early arrivals Redis no longer has: Redis lost the queue.
        # It opens again, in order of arrival (a process that died mid-draw left them
        # frozen, and the same draw is made again from them below).
        lost = _drawn_before(perf_id) if not answer[1:] else None
        if lost is None:
            order, seed = draws.opening_draw(performance_id=perf_id, visitors=answer[1:])
    except Exception:
        # PostgreSQL away, say: the next caller tries again at once, instead of every
        # visitor's request waiting for the lock to lapse.
        r.eval(RELEASE, 1, k["drawing"], token)
        raise
    if lost is not None:
        logger.warning("the queue of performance %s was lost with Redis: its visitors queue again as they come",
                       perf_id)
        return int(r.eval(OPEN, 4, k["seq"], k["drawn"], k["seed"], k["drawing"], 0, lost, token))
    pipe = r.pipeline(transaction=False)
    for start in range(0, len(order), 10_000):
        pipe.zadd(k["queue"], {v: start + i for i, v in enumerate(order[start:start + 10_000], start=1)})
    pipe.execute()
    return int(r.eval(OPEN, 4, k["seq"], k["drawn"], k["seed"], k["drawing"], len(order), seed, token))


def _drawn_before(perf_id: int) -> str | None:
    """The seed of the opening draw if it was made already, of early arrivals (the database
    keeps them; Redis, where the queue lives, may have lost them), else None."""
    from .models import Draw

    return (Draw.objects.filter(waiting_room__performance_id=perf_id, drawn_at__isnull=False, entry_count__gt=0)
            .values_list("seed", flat=True).first())


def drawn_order(perf_id: int) -> list[str]:
    """The queue from its first place: the early arrivals in the order drawn, then the rest."""
    return client().zrange(_keys(perf_id)["queue"], 0, -1)


_drawn_counts: dict[int, int] = {}


def drawn_count(perf_id: int) -> int | None:
    """How many were drawn at the opening (queue places 1 to n); None before the draw.
    Kept by the process once known: it never changes."""
    if perf_id not in _drawn_counts:
        count = client().get(_keys(perf_id)["drawn"])
        if count is None:
            return None
        _drawn_counts[perf_id] = int(count)
    return _drawn_counts[perf_id]


# --- passes ---------------------------------------------------------------------------

def issue_pass(perf_id: int, visitor: str, admitted_at: float | None = None) -> str:
    """A pass for a visitor first let in at `admitted_at` (now if not given): a pass given
    again later in the same admission ends with it."""
    client().incr(_keys(perf_id)["passes"])
    admitted_at = time.time() if admitted_at is None else admitted_at
    return signing.dumps({"p": perf_id, "v": visitor, "a": admitted_at}, salt=PASS_SALT, compress=True)


def _unreachable(perf_id: int, exc: Exception) -> bool:
    """Redis is away: whether this performance is gated is then the database's to say
    (a queued on-sale is refused clearly, not opened to all); False if it is not."""
    from .errors import ServiceUnavailable
    from .models import WaitingRoom

    logger.warning("waiting room unreachable: %s", exc)
    if WaitingRoom.objects.filter(performance_id=perf_id, enabled=True, performance__cancelled_at=None).exists():
        raise ServiceUnavailable(_("the waiting room is unavailable for a moment; please try again shortly")) from exc
    return False


def check_pass(perf_id: int, token: str | None, binding: str) -> bool:
    """A valid pass for this performance, not expired, and used by one session only."""
    try:
        return _check_pass(perf_id, token, binding)
    except redis.RedisError as exc:
        return not _unreachable(perf_id, exc)


def _check_pass(perf_id: int, token: str | None, binding: str) -> bool:
    cfg = config(perf_id)
    if cfg is None or not cfg.enabled:
        return True
    return _visitor_of_pass(perf_id, cfg, token, binding) is not None


def _visitor_of_pass(perf_id: int, cfg: Config, token: str | None, binding: str) -> str | None:
    """The visitor a valid pass of this performance's open queue names, bound to `binding`; else None."""
    now = time.time()
    if now < cfg.opens or not token:  # before the on-sale nobody is admitted
        return None
    try:
        data = signing.loads(token, salt=PASS_SALT, max_age=cfg.ttl)
    except signing.BadSignature:
        return None
    if data.get("p") != perf_id or now >= data.get("a", now) + cfg.ttl:
        return None
    key = f"{_keys(perf_id)['bind']}:{data['v']}"
    r = client()
    r.set(key, binding, nx=True, ex=cfg.ttl)
    return data["v"] if r.get(key) == binding else None


def pass_holder(perf_id: int, token: str | None, binding: str) -> str | None:
    """Whom the per-address limits count for a request that sends `token`, instead of its
    address: `pass:<performance>:<visitor>` when it is a valid pass of this performance's
    queue, general or presale (checked, and bound to `binding`, as check_pass and
    check_presale_pass do). Every pass a visitor is given counts as one: it is the same
    admission. None, and the address counts, for no pass, a forged one, one expired, of
    another performance or bound to another session, where no queue gates the performance
    now, or with Redis away (nothing is counted then)."""
    if not token:
        return None
    try:
        cfg = config(perf_id)
        visitor = _visitor_of_pass(perf_id, cfg, token, binding) if cfg is not None and cfg.enabled else None
    except redis.RedisError:
        return None
    visitor = visitor or _visitor_of_presale_pass(perf_id, token, binding)
    return f"pass:{perf_id}:{visitor}" if visitor else None


def holder_of_pass(token: str | None, binding: str) -> str | None:
    """pass_holder for a request that names no performance of its own, of the performance
    the pass itself was signed for. A payment's confirmation names an order: which budget
    it counts must not wait for that order to be looked up, or a limit reached on one
    budget and not the other would tell whether an order code exists, and of which
    performance."""
    for salt in (PASS_SALT, PRESALE_PASS_SALT):
        try:
            perf_id = signing.loads(token or "", salt=salt).get("p")
        except (signing.BadSignature, AttributeError):  # not ours, or not a pass's data
            continue
        return pass_holder(perf_id, token, binding) if isinstance(perf_id, int) else None
    return None


def pass_basket(perf_id: int, token: str, hold_token: str) -> str | None:
    """One basket a pass, as the shop keeps one a session: `hold_token` is now the basket
    of the (already checked) pass `token`; the basket it replaces, if any, for the caller
    to release. Kept a day, longer than any pass lives."""
    for salt in (PASS_SALT, PRESALE_PASS_SALT):
        try:
            data = signing.loads(token, salt=salt)
        except signing.BadSignature:
            continue
        key = f"wr:{perf_id}:basket:{'s' + str(data.get('s')) if salt == PRESALE_PASS_SALT else 'g'}:{data['v']}"
        with client().pipeline(transaction=True) as pipe:
            previous, _expire = pipe.getset(key, hold_token).expire(key, 24 * 3600).execute()
        return previous if previous and previous != hold_token else None
    return None


def gated(perf_id: int) -> bool:
    """Is the shop of this performance behind the queue right now?"""
    try:
        cfg = config(perf_id)
    except redis.RedisError as exc:
        return _unreachable(perf_id, exc)
    return bool(cfg and cfg.enabled)


def stats(perf_id: int, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    cfg = config(perf_id)
    r = client()
    k = _keys(perf_id)
    early = 0 if r.exists(k["drawn"]) else r.zcard(k["early"])
    queued = r.zcard(k["queue"]) + early
    frontier = cfg.frontier(now) if cfg else 0
    # Counted by place, not by how many: a visitor whose admission ended left a gap there.
    admitted = queued - early - r.zcount(k["queue"], f"({frontier}", "+inf")
    # in_queue: everyone who joined; waiting: those of them not let in yet.
    return {"in_queue": int(queued), "admitted": admitted, "waiting": int(queued) - admitted,
            "passes": int(r.get(k["passes"]) or 0), "rate_per_minute": round(cfg.rate * 60) if cfg else 0,
            "sold_out": bool(cfg and cfg.soldout), "paused": bool(cfg and cfg.paused), "seed": r.get(k["seed"])}


def client_ip(request) -> str:
    """The caller's address. Behind a load balancer (BEHIND_PROXY=1), the last address the
    proxy appended to X-Forwarded-For; otherwise the socket's, which cannot be forged."""
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


# The smallest IPv6 network one subscriber is given (a home, a phone, a server): its holder
# picks any of its 2**64 addresses at will, so a limit counted per IPv6 address would be a
# limit per guess. Per-address limits count an IPv6 caller by this network.
IPV6_NETWORK = 64


def client_network(request) -> str:
    """Whom a per-address limit (and sign-in throttling) counts: the caller's IPv4 address
    (written as IPv6 by a dual-stack server, or not), or the IPv6 network its address is
    in, written as that network's first address (an address still, as the records keep)."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address: counted as it is
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    host_bits = 128 - IPV6_NETWORK
    return str(ipaddress.IPv6Address(int(ip) >> host_bits << host_bits))


def over_channel_limit(request, channel: str, what: str, holder: str | None = None) -> int:
    """Has this address made more than its channel's `what` ("holds" or "payments") this
    minute? If so, the seconds until it may try again (rate_limited), else 0. One count
    per address (per network for IPv6: client_network), whichever door (shop or API) the
    requests came by; for a request with a valid queue pass, one count
    per pass instead (`holder`: pass_holder), with the same limit: buyers the queue let in
    behind one address (a carrier's NAT, a campus) do not share one budget."""
    limit = getattr(policy_for(channel), f"{what}_per_minute")
    if not settings.RATE_LIMITS or limit is None:
        return 0
    return rate_limited(what, holder or client_network(request), limit=limit)


# Promo and presale codes typed by one address in a minute, by the shop or the API: enough
# for a family's typos, far too few to guess a code.
CODE_TRIES_PER_MINUTE = 30
# Each buyer let in has the tries above on their own pass, and one address may gather a
# pass for every new visitor it brings into a queue: without a ceiling, those would add up
# to tens of thousands of guesses a minute. The address may try, over all its passes, ten
# codes a minute for each new visitor it may bring in a minute
# (QUEUE_NEW_VISITORS_PER_NETWORK, as if 60 where joining is not limited): far more than
# the buyers behind a carrier's address type, and raised with that setting for them.
CODE_TRIES_PER_NEW_VISITOR = 10


def code_tries_per_network() -> int:
    return CODE_TRIES_PER_NEW_VISITOR * (settings.QUEUE_NEW_VISITORS_PER_NETWORK or 60)


def too_many_code_tries(request, holder: str | None = None) -> int:
    """Has this address (or the valid queue pass `holder`, as over_channel_limit counts it)
    typed more than CODE_TRIES_PER_MINUTE codes this minute, or the address more than
    code_tries_per_network() over all its passes? If so, the seconds until it may try
    again, else 0. This try counts."""
    if not settings.RATE_LIMITS:
        return 0
    network = client_network(request)
    over = rate_limited("codes", holder or network, limit=CODE_TRIES_PER_MINUTE)
    return rate_limited("codes-network", network, limit=code_tries_per_network()) or over


# The bank's confirmations of card payments (3-D Secure) one address, or one valid queue
# pass, sends through the API in a minute: a buyer sends one or two.
CONFIRMATIONS_PER_MINUTE = 30


def too_many_confirmations(request, holder: str | None = None) -> int:
    """As too_many_code_tries, for confirmations: CONFIRMATIONS_PER_MINUTE on the address
    (or the valid queue pass `holder`), and the address's ceiling over all its passes,
    code_tries_per_network(), so that the passes one address gathers do not multiply its
    tries at guessing a payment's secret. The seconds until it may try again, or 0. This
    one counts."""
    if not settings.RATE_LIMITS:
        return 0
    network = client_network(request)
    over = rate_limited("confirm", holder or network, limit=CONFIRMATIONS_PER_MINUTE)
    return rate_limited("confirm-network", network, limit=code_tries_per_network()) or over


def rate_limited(bucket: str, key: str, limit: int, window: int = 60) -> int:
    """Fixed-window rate limit in Redis: once `key` has made more than `limit` calls in
    this window (a clock minute, by default), the seconds until the window ends, when it
    may try again (what the refusal says, and its Retry-After); 0 while within the limit.
    With Redis away, nobody is limited: selling goes on (the database's own limits, per
    order and per customer, still hold)."""
    r = client()
    now = int(time.time())
    name = f"rl:{bucket}:{key}:{now // window}"
    pipe = r.pipeline()
    pipe.incr(name)
    pipe.expire(name, window + 1)
    try:
        count, _ = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("rate limit %s not counted: %s", bucket, exc)
        return 0
    return window - now % window if count > limit else 0


# --- presale queues ---------------------------------------------------------------------
# A presale of a queued performance has a queue of its own, for the holders of its codes:
# the same scripts on keys of its own (`wr:<performance>:presale:<presale>:...`), so the
# general queue never sees them. It opens at the presale's opening (who came earlier is
# drawn, as for the general queue) and admits at the room's rate until the presale closes
# or the general on-sale opens, whichever is first: a presale pass never lets anyone past
# the general queue. Joining and polling read Redis only, as for the general queue; the
# code itself is checked once, in the database, when it is typed.

PRESALE_PASS_SALT = "sales.waiting_room.presale_pass"
# The early code holders, shuffled into the presale's queue once, at its opening: a seeded
# Fisher-Yates in one script (the seed kept in Redis). Not the published opening draw of
# the general queue: a presale's own queue is its code holders' only.
PRESALE_DRAW = """
-- KEYS: early, queue, seq, drawn, seedkey   ARGV: seed
if not redis.call('SET', KEYS[4], '1', 'NX') then return -1 end
redis.call('SET', KEYS[5], ARGV[1])
math.randomseed(tonumber(ARGV[1]))
local m = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = #m, 2, -1 do
  local j = math.random(i)
  m[i], m[j] = m[j], m[i]
end
for i = 1, #m do redis.call('ZADD', KEYS[2], i, m[i]) end
redis.call('SET', KEYS[3], #m)
return #m
"""


def presale_room(perf_id: int, presale_id: int) -> str:
    return f"{perf_id}:presale:{presale_id}"


def _presale_index(perf_id: int) -> str:
    return f"wr:{perf_id}:presales"  # presale id: "opens closes" (epoch seconds)


def publish_presales(room, presales) -> None:
    """Write the presale queues of `room`'s performance (one per presale in `presales`),
    with the room's rate and pass length; presales no longer listed are withdrawn. A live
    rate change keeps who is admitted, as publish does; a past room's are all withdrawn."""
    if is_past(room.performance):
        withdraw_presales(room.performance_id)
        return
    r = client()
    index = _presale_index(room.performance_id)
    now = time.time()
    pipe = r.pipeline()
    kept = set()
    enabled = room.enabled and room.performance.cancelled_at is None  # a cancelled performance queues nobody
    for presale in presales:
        key = presale_room(room.performance_id, presale.pk)
        opens, closes = presale.opens_at.timestamp(), min(presale.closes_at, room.opens_at).timestamp()
        old = config(key)
        base, at = (old.frontier(now), now) if old is not None and old.opens == opens and now > opens else (0.0, opens)
        pipe.hset(_keys(key)["cfg"], mapping={
            "enabled": "1" if enabled and opens < closes else "0", "opens": opens, "closes": closes,
            "rate": room.admit_per_minute / 60.0, "base": base, "at": at, "ttl": room.pass_minutes * 60,
            "soldout": "1" if old is not None and old.soldout else "0",
            "back": old.back or 0 if old is not None else 0})
        if enabled:
            pipe.hset(index, str(presale.pk), f"{opens} {closes}")
            kept.add(str(presale.pk))
    for gone in set(r.hkeys(index)) - kept:
        pipe.hdel(index, gone)
        pipe.delete(_keys(presale_room(room.performance_id, int(gone)))["cfg"])
    pipe.execute()


def withdraw_presales(perf_id: int) -> None:
    """The room was deleted: its presale queues stop admitting."""
    r = client()
    index = _presale_index(perf_id)
    for presale_id in r.hkeys(index):
        r.delete(_keys(presale_room(perf_id, int(presale_id)))["cfg"])
    r.delete(index)


def presale_open(perf_id: int, now: float | None = None) -> bool:
    """Is a presale queue of this performance open now (the queue page then asks for codes)?"""
    now = time.time() if now is None else now
    try:
        windows = client().hvals(_presale_index(perf_id))
    except redis.RedisError:
        return False
    return any(float(opens) <= now < float(closes) for opens, closes in (w.split() for w in windows))


def presale_status(perf_id: int, presale_id: int, visitor: str, now: float | None = None) -> Place | None:
    """Where a code holder stands in the presale's queue (joining it if new); None when
    that queue is not open now (not published, withdrawn, or past its close)."""
    now = time.time() if now is None else now
    key = presale_room(perf_id, presale_id)
    k = _keys(key)
    closes = client().hget(k["cfg"], "closes")
    if closes is None or now >= float(closes):
        return None
    keys = [k["cfg"], k["early"], k["queue"], k["seq"], k["drawn"], k["admitted"]]
    script = _join_script(settings.WAITING_ROOM_REDIS_URL)
    answer = script(keys=keys, args=[visitor, now])
    if answer[0] == 2:  # the presale has opened and nobody has drawn its early arrivals yet
        client().eval(PRESALE_DRAW, 5, k["early"], k["queue"], k["seq"], k["drawn"], k["seed"],
                      secrets.randbelow(2**31))
        answer = script(keys=keys, args=[visitor, now])
    if answer[0] < 0:
        return None
    return _answered(answer, now)


def issue_presale_pass(perf_id: int, presale_id: int, visitor: str, ttl: int) -> str:
    client().incr(_keys(presale_room(perf_id, presale_id))["passes"])
    return signing.dumps({"p": perf_id, "s": presale_id, "v": visitor, "e": time.time() + ttl},
                         salt=PRESALE_PASS_SALT, compress=True)


def check_presale_pass(perf_id: int, token: str | None, binding: str) -> bool:
    """A presale pass for this performance, not expired, its presale queue still open, and
    used by one session only. With Redis away, no (the general queue says why)."""
    return _visitor_of_presale_pass(perf_id, token, binding) is not None


def _visitor_of_presale_pass(perf_id: int, token: str | None, binding: str) -> str | None:
    """The visitor a valid presale pass names (as check_presale_pass checks it); else None."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=PRESALE_PASS_SALT)
    except signing.BadSignature:
        return None
    now = time.time()
    if data.get("p") != perf_id or now >= data.get("e", 0):
        return None
    k = _keys(presale_room(perf_id, data["s"]))
    try:
        r = client()
        raw = r.hmget(k["cfg"], "enabled", "opens", "closes")
        if raw[0] != "1" or not float(raw[1]) <= now < float(raw[2]):
            return None
        key = f"{k['bind']}:{data['v']}"
        r.set(key, binding, nx=True, ex=max(1, int(data["e"] - now)))
        return data["v"] if r.get(key) == binding else None
    except redis.RedisError as exc:
        logger.warning("presale queue unreachable: %s", exc)
        return None
