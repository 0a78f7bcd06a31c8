"""Availability for display: counts per price zone, cached in Redis and dropped on every
change. A decision to sell never reads this; the inventory decides."""

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from .inventory import free
from .models import Place


def _key(performance_id: int) -> str:
    return f"availability:{performance_id}"


def availability_changed(performance_id: int) -> None:
    cache.delete(_key(performance_id))


def zone_counts(performance_id: int) -> dict[int, dict[str, int]]:
    """{price_zone_id: {"total": n, "available": n}} for a performance."""
    cached = cache.get(_key(performance_id))
    if cached is not None:
        return cached
    rows = (Place.objects.filter(performance_id=performance_id).values("price_zone_id")
            .annotate(total=Count("pk"), available=Count("pk", filter=free(timezone.now()))))
    counts = {r["price_zone_id"]: {"total": r["total"], "available": r["available"]} for r in rows}
    # Short TTL as well: a hold lapsing changes availability with no write to announce it.
    cache.set(_key(performance_id), counts, timeout=15)
    return counts
