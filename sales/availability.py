"""Availability for display: counts per price zone and per section, cached in Redis. A
decision to sell never reads this; the inventory decides.

Every change to a performance is counted in Redis; a reader finding changes the cached
counts have not seen counts again, unless they were counted less than
`AVAILABILITY_REFRESH_SECONDS` ago: then it shows those. When sales are
quiet a page after a change shows it; in an on-sale rush, with a hold or a sale every few
milliseconds, the counts (about 10 ms of CPU for a 3,500-seat house) are made once a
second per performance instead of at nearly every page, and are at most that old."""

import functools
import logging
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, QuerySet
from django.utils import timezone

from events.models import Event, PriceZone, Section

from .inventory import free, in_baskets, open_to
from .models import Place
from .policy import roles_of
from .replica import replica_configured, replica_reads

logger = logging.getLogger(__name__)


def announced(queryset: QuerySet, user) -> QuerySet:
    """What of `queryset` (performances, or events) `user` may see. Staff see everything.
    Anyone else sees what is put on sale (it has places; an event, once one of its
    performances is): a show still being set up in the admin (its event, zones and windows
    entered, *Put on sale* not yet run) is not announced, and its number, one more than
    the last, is no way to learn of it, by the shop's page or by the API."""
    if roles_of(user):
        return queryset
    outer = "performance__event" if queryset.model is Event else "performance"
    return queryset.filter(Exists(Place.objects.filter(**{outer: OuterRef("pk")})))


# The counts' keys, "display-counts:", were "availability:" when the counts were cached
# bare: a process of the earlier release reading an entry of this one (or the reverse)
# during a rolling deploy would take a stamped entry for counts.
def _key(performance_id: int, channel: str) -> str:
    return f"display-counts:{performance_id}:zones:{channel}"


@functools.cache
def _redis() -> redis.Redis:
    # One client per process: the cache backend builds a new one per call, which costs
    # more than the delete itself on the sale path.
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


def forget_client() -> None:
    """Drop this process's Redis client, so the next call connects to the cache as the
    settings name it now (a test that moves the cache, or kills its server)."""
    _redis.cache_clear()


def _sections_key(performance_id: int, channel: str) -> str:
    return f"display-counts:{performance_id}:sections:{channel}"


def _changes_key(performance_id: int) -> str:
    return f"display-counts:{performance_id}:changes"


CHANGES_KEPT_SECONDS = 86_400  # far longer than any counts are cached (15 s)


def availability_changed(performance_id: int) -> None:
    """The counts for display are out of date: count the change. Best effort, after a sale
    has committed: with Redis away they lapse by their short timeout instead."""
    key = cache.make_and_validate_key(_changes_key(performance_id))
    try:
        _redis().pipeline(transaction=False).incr(key).expire(key, CHANGES_KEPT_SECONDS).execute()
    except redis.RedisError as exc:
        logger.warning("availability of performance %s not refreshed: %s", performance_id, exc)


def _counted(performance_id: int, key: str, count, timeout: int):
    """The counts under `key`: the cached ones if the performance has not changed since they
    were counted, or if they are less than AVAILABILITY_REFRESH_SECONDS old; otherwise
    `count()`, cached with the time and the number of changes seen before counting (a
    change made while counting leaves them out of date). Counted on a replica, which may
    not have replayed the latest change yet, they are trusted for AVAILABILITY_REFRESH_SECONDS
    only, changes or not."""
    changes_key = _changes_key(performance_id)
    try:
        found = cache.get_many([key, changes_key])
    except redis.RedisError as exc:  # the cache is an aid: when Redis is away, the database answers
        logger.warning("cache unavailable: %s", exc)
        return count()
    changes, entry = found.get(changes_key, 0), found.get(key)
    if not (isinstance(entry, tuple) and len(entry) == 3):
        entry = None  # none, or not of this shape: counted again
    if entry is not None and (entry[1] == changes
                              or time.time() - entry[0] < settings.AVAILABILITY_REFRESH_SECONDS):
        return entry[2]
    counted_at = time.time()
    value = count()
    _cache(key, (counted_at, None if replica_configured() else changes, value), timeout=timeout)
    return value


def _cached(key: str):
    """The cache is an aid: when Redis is away, the database answers."""
    try:
        return cache.get(key)
    except redis.RedisError as exc:
        logger.warning("cache unavailable: %s", exc)
        return None


def _cache(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except redis.RedisError as exc:
        logger.warning("cache unavailable: %s", exc)


@replica_reads
def zone_counts(performance_id: int, channel: str) -> dict[int, dict[str, int]]:
    """{price_zone_id: {"total": n, "available": n, "in_baskets": n}} for a performance as
    `channel` sees it: available, the places it may sell now (a place kept for another
    channel is not); in_baskets, those it may sell that holds lapsing soon keep
    (inventory.in_baskets); total, every place."""
    # Short TTL as well: a hold lapsing changes availability with no write to announce it.
    return _counted(performance_id, _key(performance_id, channel), lambda: _zone_counts(performance_id, channel),
                    timeout=15)


def _zone_counts(performance_id: int, channel: str) -> dict[int, dict[str, int]]:
    now = timezone.now()
    mine = open_to(channel)
    rows = (Place.objects.filter(performance_id=performance_id).values("price_zone_id")
            .annotate(total=Count("pk"), available=Count("pk", filter=free(now) & mine),
                      in_baskets=Count("pk", filter=in_baskets(now) & mine)))
    return {r["price_zone_id"]: {"total": r["total"], "available": r["available"], "in_baskets": r["in_baskets"]}
            for r in rows}


@replica_reads
def section_counts(performance_id: int, channel: str) -> list[dict]:
    """Each seated section of a performance as `channel` sees it, in the sections' order:
    its seats, those it can sell, its price range, the colour of its main price zone and its
    zones, for the seat map's overview. Cached like the zone counts."""
    return _counted(performance_id, _sections_key(performance_id, channel),
                    lambda: _section_counts(performance_id, channel), timeout=15)


def _section_counts(performance_id: int, channel: str) -> list[dict]:
    sellable = free(timezone.now()) & open_to(channel)
    # Counted by section and zone alone, joined to the few sections and zones afterwards:
    # at 9,000 places, the join and the sort of every place took most of the page's time.
    groups = list(Place.objects.filter(performance_id=performance_id, seat__isnull=False)
                  .values_list("section_id", "price_zone_id")
                  .annotate(total=Count("pk"), available=Count("pk", filter=sellable)).order_by())
    sections = {s["pk"]: s for s in Section.objects.filter(pk__in={g[0] for g in groups}).values("pk", "name", "rank")}
    zones = {z["pk"]: z for z in PriceZone.objects.filter(pk__in={g[1] for g in groups if g[1]})
             .values("pk", "price", "currency", "color")}
    counts: dict[int, dict] = {}
    for section_id, zone_id, total, available in groups:
        section = sections[section_id]
        row = counts.setdefault(section_id, {
            "section_id": section_id, "section__name": section["name"], "section__rank": section["rank"],
            "total": 0, "available": 0, "lo": None, "hi": None, "currency": None, "color": None,
            "zones": [], "_main": 0})
        row["total"] += total
        row["available"] += available
        zone = zones.get(zone_id)
        if zone is None:
            continue
        row["zones"].append(zone_id)
        row["lo"] = zone["price"] if row["lo"] is None else min(row["lo"], zone["price"])
        row["hi"] = zone["price"] if row["hi"] is None else max(row["hi"], zone["price"])
        row["currency"] = zone["currency"]
        if total > row["_main"]:
            row["color"], row["_main"] = zone["color"], total
    result = sorted(counts.values(), key=lambda r: (r["section__rank"], r["section_id"]))
    for row in result:
        row.pop("_main", None)
        row["zones"].sort()
    return result


def _geometry(performance_id: int) -> dict:
    """The static part of a seat map, cached: it changes only if the plan does."""
    key = f"seatmap-geometry:{performance_id}"
    geometry = _cached(key)
    if geometry is None:
        seats = (Place.objects.filter(performance_id=performance_id, seat__isnull=False)
                 .order_by("pk").values_list("pk", "section_id", "seat__row", "seat__number",
                                             "seat__x", "seat__y", "price_zone_id",
                                             "seat__wheelchair", "seat__companion", "seat__restricted_view"))
        geometry = {
            "seats": [[pk, sec, row, num, x, y, zone, ("w" if wc else "") + ("c" if cp else "") + ("r" if rv else "")]
                      for pk, sec, row, num, x, y, zone, wc, cp, rv in seats],
        }
        _cache(key, geometry, timeout=3600)
    return geometry


STATE_CODES = {"available": "a", "held": "h", "sold": "s", "blocked": "b"}


@replica_reads
def seat_map(performance, channel: str) -> dict:
    """Geometry plus each place's state in one compact response (a 9,000-place venue is
    a few hundred kB): seats as arrays, standing areas as counts; as `channel` sees them
    (a place kept for another channel is "k", and not counted available)."""
    now = timezone.now()
    geometry = _geometry(performance.pk)
    states = {}
    for pk, state, expires, allocation in (Place.objects.filter(performance=performance, seat__isnull=False)
                                           .values_list("pk", "state", "hold_expires_at", "allocation")):
        lapsed = state == "held" and expires <= now
        states[pk] = "a" if lapsed else STATE_CODES[state]
        if states[pk] == "a" and allocation not in ("", channel):
            states[pk] = "k"
    standing = (Place.objects.filter(performance=performance, seat__isnull=True)
                .values("section_id", "section__name", "price_zone_id")
                .annotate(capacity=Count("pk"), available=Count("pk", filter=free(now) & open_to(channel))))
    sections = performance.venue.sections.values("id", "name", "kind")
    return {
        "performance": performance.pk,
        "sections": list(sections),
        "columns": ["id", "section", "row", "number", "x", "y", "zone", "flags", "state"],
        "states": {"a": "available", "h": "held", "s": "sold", "b": "blocked", "k": "kept for another channel"},
        "flags": {"w": "wheelchair space", "c": "companion seat", "r": "restricted view"},
        "seats": [[*s, states.get(s[0], "b")] for s in geometry["seats"]],
        "standing": [{"section": r["section_id"], "name": r["section__name"], "zone": r["price_zone_id"],
                      "capacity": r["capacity"], "available": r["available"]} for r in standing],
    }


@replica_reads
def seat_rows(perf, now, channel: str, section_id: int | None = None) -> tuple[list[dict], dict]:
    """The seat map as `channel` sees it (seats kept for another channel look taken), of
    one section if asked."""
    # Sellable or not is the inventory's rule (free and open to this channel), asked of the database.
    places = Place.objects.filter(performance=perf, seat__isnull=False)
    if section_id is not None:
        places = places.filter(section_id=section_id)
    places = (places
              .annotate(sellable=ExpressionWrapper(free(now) & open_to(channel), output_field=BooleanField()))
              .values("pk", "sellable", "seat__x", "seat__y", "seat__row", "seat__row_index",
                      "seat__number", "seat__wheelchair", "seat__restricted_view", "section_id",
                      "section__name", "price_zone_id", "price_zone__price", "price_zone__currency")
              # Document order is focus order: by section, row, and seat along the row.
              .order_by("section__rank", "section_id", "seat__row_index", "seat__position"))
    seats = [{**p, "taken": not p["sellable"]} for p in places]
    if not seats:
        return [], {}
    xs, ys = [s["seat__x"] for s in seats], [s["seat__y"] for s in seats]
    pad = 12
    box = {"x": int(min(xs) - pad), "y": int(min(ys) - pad) - 10, "w": int(max(xs) - min(xs) + 2 * pad),
           "h": int(max(ys) - min(ys) + 2 * pad) + 10, "cx": round((min(xs) + max(xs)) / 2, 1)}
    return seats, box


@replica_reads
def taken_seats(perf, now, channel: str) -> list[int]:
    """The ids of the seats `channel` can no longer sell, for an open seat map to poll."""
    return list(Place.objects.filter(performance=perf, seat__isnull=False)
                .exclude(free(now) & open_to(channel)).order_by("pk").values_list("pk", flat=True))
