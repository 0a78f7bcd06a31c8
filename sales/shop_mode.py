"""The shop's light mode: when the public side nears saturation, the shop sheds its
heaviest work on purpose instead of slowing down for everyone.

In light mode the shop sells by best available (by zone, and standing places), shows the
seat map's overview from a short-lived cache without live refresh, and serves its
listing from cache; it says so on the page. The staff doors never change.

How the mode is chosen: every public web process keeps its own buyers' recent request
times and errors in memory (no I/O on the request path) and, at most every
`PUBLISH_EVERY` seconds, writes a summary to Redis (p95 and error share over the last
`WINDOW` seconds) and reads everyone's. Pressure is high when the slowest process's p95
is over `SLOW_MS`, errors are over `ERROR_SHARE` (each counted from a process that served
at least `MIN_REQUESTS` in the window), or a waiting room in automatic admission
wants to admit faster than its organizer's upper bound allows (`admission_at_bound`: the
crowd outruns what the venue chose to let in). Light mode starts after
`ENTER_AFTER` seconds of high pressure and ends after `LEAVE_AFTER` seconds of low
pressure (p95 under half the target, no errors): the
hysteresis keeps the page from flapping. An organizer can force either mode.

Nothing sold depends on this: it only changes what the shop offers. With Redis away the
shop stays in normal mode (the waiting room is away too, and says so).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass

from django.conf import settings

from . import waiting_room

log = logging.getLogger(__name__)

NORMAL, LIGHT, AUTO = "normal", "light", "auto"
WINDOW = 10.0
PUBLISH_EVERY = 1.0
SLOW_MS = float(os.environ.get("BOXOFFICE_LIGHT_SLOW_MS", "1000"))
ERROR_SHARE = 0.01
ENTER_AFTER = 3.0
# A process's p95 and error share count once it served this many buyers' requests in the
# window: a handful of requests is one shopper (whose one slow page on a busy machine is
# no saturation), not a crowd.
MIN_REQUESTS = 30
LEAVE_AFTER = 30.0
KEY = "shopmode"


@dataclass(frozen=True)
class Mode:
    light: bool
    forced: bool = False
    since: float = 0.0
    why: str = ""


class _Process:
    """This process's buyers' requests (time, ms, error) and the mode it last read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: deque[tuple[float, float, bool]] = deque(maxlen=20000)
        self.next_publish = 0.0
        self.mode = Mode(light=False)
        self.pinned: Mode | None = None  # a benchmark's mode for this process alone (pin)


_here = _Process()


def record(ms: float, error: bool, now: float | None = None) -> None:
    """One buyer's request served by this process (called by the web door for every shop
    and public API request)."""
    now = time.time() if now is None else now
    _here.requests.append((now, ms, error))


def _summary(now: float) -> tuple[float, float, int]:
    with _here.lock:
        while _here.requests and _here.requests[0][0] < now - WINDOW:
            _here.requests.popleft()
        recent = list(_here.requests)
    if not recent:
        return 0.0, 0.0, 0
    times = sorted(ms for _t, ms, _e in recent)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return p95, sum(1 for *_r, e in recent if e) / len(recent), len(recent)


def current(now: float | None = None) -> Mode:
    """The shop's mode, as this process last read it; re-read (and this process's load
    published) at most every PUBLISH_EVERY seconds."""
    if _here.pinned is not None:
        return _here.pinned
    now = time.time() if now is None else now
    if now < _here.next_publish:
        return _here.mode
    _here.next_publish = now + PUBLISH_EVERY
    try:
        _here.mode = _exchange(now)
    except Exception as exc:  # noqa: BLE001 - a mode is a nicety; selling goes on in normal mode
        log.warning("shop mode unknown (%s); normal mode", exc)
        _here.mode = Mode(light=False)
    return _here.mode


def _exchange(now: float) -> Mode:
    r = waiting_room.client()
    p95, errors, n = _summary(now)
    me = f"{os.getpid()}@{os.uname().nodename}"
    pipe = r.pipeline()
    if n:
        pipe.hset(f"{KEY}:load", me, f"{now:.3f} {p95:.1f} {errors:.4f} {n}")
    pipe.hgetall(f"{KEY}:load")
    pipe.hgetall(KEY)
    pipe.get(f"{KEY}:bound")
    *_written, loads, state, bound = pipe.execute()
    forced = state.get("forced", AUTO)
    if forced in (NORMAL, LIGHT):
        return Mode(light=forced == LIGHT, forced=True, since=float(state.get("forced_since", now)))
    if not settings.SHOP_MODE_AUTOMATIC:
        return Mode(light=False)
    worst_p95, worst_errors, stale = 0.0, 0.0, []
    for who, line in loads.items():
        at, w_p95, w_errors, w_n = line.split()
        if float(at) < now - WINDOW:
            stale.append(who)
            continue
        if int(w_n) < MIN_REQUESTS:
            continue
        worst_p95, worst_errors = max(worst_p95, float(w_p95)), max(worst_errors, float(w_errors))
    if stale:
        r.hdel(f"{KEY}:load", *stale)
    reasons = []
    if worst_p95 > SLOW_MS:
        reasons.append(f"buyers' p95 {worst_p95:.0f} ms over {SLOW_MS:.0f} ms")
    if worst_errors > ERROR_SHARE:
        reasons.append(f"{worst_errors:.1%} of buyers' requests failing")
    if bound:
        reasons.append(f"admission at its upper bound ({bound})")
    calm = worst_p95 < SLOW_MS / 2 and not worst_errors and not reasons
    return _step(r, state, now, bool(reasons), calm, "; ".join(reasons))


# A switch, made and logged once: several processes may see the pressure (or the calm) at
# the same moment; only the first one to get here changes the mode.
SWITCH = """
-- KEYS: state, log   ARGV: the mode expected now ('0' normal, '1' light), the new one, now, why, log line
if (redis.call('HGET', KEYS[1], 'light') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'light', ARGV[2], 'since', ARGV[3], 'why', ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[5])
return 1
"""


def _step(r, state: dict, now: float, pressed: bool, calm: bool, why: str) -> Mode:
    """Hysteresis: enter after ENTER_AFTER s of pressure, leave after LEAVE_AFTER s of calm."""
    light = state.get("light") == "1"
    since = float(state.get("since", now))
    pressed_since = float(state["pressed_since"]) if state.get("pressed_since") else None
    calm_since = float(state["calm_since"]) if state.get("calm_since") else None
    update: dict[str, str] = {}
    if pressed:
        pressed_since = pressed_since or now
        update.update(pressed_since=f"{pressed_since}", calm_since="")
        calm_since = None
    elif calm:
        calm_since = calm_since or now
        update.update(calm_since=f"{calm_since}", pressed_since="")
        pressed_since = None
    else:
        update.update(pressed_since="", calm_since="")
        pressed_since = calm_since = None
    if not light and pressed_since is not None and now - pressed_since >= ENTER_AFTER:
        light, since = True, now
        r.eval(SWITCH, 2, KEY, f"{KEY}:log", "0", "1", f"{now}", why, f"{now:.3f} light {why}")
        state = {**state, "why": why}
    elif light and calm_since is not None and now - calm_since >= LEAVE_AFTER:
        light, since = False, now
        r.eval(SWITCH, 2, KEY, f"{KEY}:log", "1", "0", f"{now}", "", f"{now:.3f} normal")
    r.hset(KEY, mapping=update)
    return Mode(light=light, since=since, why=state.get("why") or why if light else "")


def admission_at_bound(perf_id: int, per_minute: int, lasting: float) -> None:
    """A waiting room's automatic admission would raise its rate but is at the organizer's
    upper bound: pressure for the next `lasting` seconds (sales.admission, at each tick)."""
    waiting_room.client().set(f"{KEY}:bound", f"performance {perf_id}, {per_minute}/min", ex=max(1, round(lasting)))


def pin(light: bool | None) -> None:
    """This process serves the shop in light (True) or normal (False) mode whatever the
    load and the organizer say, or as they say again (None): for benchmarks, which measure
    one mode without changing the shop's."""
    _here.pinned = None if light is None else Mode(light=light, forced=True, why="pinned")


def forced() -> str:
    """The organizer's choice: AUTO, NORMAL or LIGHT."""
    return waiting_room.client().hget(KEY, "forced") or AUTO


def force(mode: str) -> None:
    """The organizer's choice: AUTO, or NORMAL / LIGHT whatever the load."""
    if mode not in (AUTO, NORMAL, LIGHT):
        raise ValueError(mode)
    r = waiting_room.client()
    r.hset(KEY, mapping={"forced": mode, "forced_since": f"{time.time()}"})
    r.rpush(f"{KEY}:log", f"{time.time():.3f} forced {mode}")
    _here.next_publish = 0.0


def switches() -> list[tuple[float, str]]:
    """When the mode changed, and to what (for the organizer and the crowd benchmark)."""
    out = []
    for line in waiting_room.client().lrange(f"{KEY}:log", 0, -1):
        at, what = line.split(" ", 1)
        out.append((float(at), what))
    return out


def reset() -> None:
    """Back to automatic and normal, history forgotten (tests and benchmarks)."""
    r = waiting_room.client()
    r.delete(KEY, f"{KEY}:load", f"{KEY}:log", f"{KEY}:bound")
    forget()


def forget_read() -> None:
    """The next current() reads the mode again, whenever it was last read."""
    _here.next_publish = 0.0


def forget() -> None:
    """This process forgets its requests and the mode it read."""
    with _here.lock:
        _here.requests.clear()
    _here.next_publish = 0.0
    _here.mode = Mode(light=False)


def serves_shop() -> bool:
    return settings.BOXOFFICE_POOL in ("public", "all")
