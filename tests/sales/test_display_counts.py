"""The counts shown (free places per zone and per section) follow every change, but in an
on-sale rush are counted again at most once a second per performance, not at every page:
a page after a quiet change shows it; pages during a rush show counts at most a second
old, and only the pages that find them older count again (one a second, when pages
come one at a time)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Channel
from sales import availability
from sales.availability import section_counts, zone_counts
from sales.holds import hold_create
from tests.support import make_performance

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, start: float):
        self.now = start

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(settings, monkeypatch):
    settings.AVAILABILITY_REFRESH_SECONDS = 1.0
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(availability, "time", fake)
    return fake


def free_places(perf) -> int:
    return sum(zone["available"] for zone in zone_counts(perf.pk, Channel.ONLINE).values())


def free_in_sections(perf) -> int:
    return sum(section["available"] for section in section_counts(perf.pk, Channel.ONLINE))


def counting(queries) -> list[str]:
    """The statements that count a performance's places by zone."""
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and "GROUP BY" in q["sql"]]


def sell_one(perf, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        hold_create(performance=perf, channel=Channel.ONLINE, zone=perf.price_zones.get(), quantity=1)


def test_a_page_after_a_quiet_change_shows_it(clock, django_capture_on_commit_callbacks):
    perf = make_performance(rows=2, per_row=5)
    assert (free_places(perf), free_in_sections(perf)) == (10, 10)
    clock.now += 5  # a quiet moment, then a sale
    sell_one(perf, django_capture_on_commit_callbacks)
    assert (free_places(perf), free_in_sections(perf)) == (9, 9)


def test_unchanged_counts_are_read_from_the_cache_however_old(clock):
    perf = make_performance(rows=2, per_row=5)
    free_places(perf), free_in_sections(perf)
    clock.now += 10
    with CaptureQueriesContext(connection) as queries:
        assert (free_places(perf), free_in_sections(perf)) == (10, 10)
    assert len(queries) == 0


def test_in_a_rush_the_counts_are_made_once_a_second_and_are_at_most_that_old(
        clock, django_capture_on_commit_callbacks):
    perf = make_performance(rows=4, per_row=10)
    assert free_places(perf) == 40
    with CaptureQueriesContext(connection) as queries:
        shown = []
        for _ in range(10):  # ten sales in a tenth of a second, a page after each
            clock.now += 0.01
            sell_one(perf, django_capture_on_commit_callbacks)
            shown.append(free_places(perf))
    assert shown == [40] * 10 and counting(queries) == []  # the counts of a moment ago, not counted again
    clock.now += 1  # a second after they were counted, the next page counts again
    with CaptureQueriesContext(connection) as queries:
        assert free_places(perf) == 30
        assert free_places(perf) == 30
    assert len(counting(queries)) == 1


def test_counts_made_before_a_change_are_not_kept_as_current(clock, django_capture_on_commit_callbacks):
    """A sale committed while a page counts: the counts that page caches are at most a
    second old, like any other."""
    perf = make_performance(rows=2, per_row=5)

    def count_then_sale():
        counts = availability._zone_counts(perf.pk, Channel.ONLINE)
        sell_one(perf, django_capture_on_commit_callbacks)
        return counts

    counted = availability._counted(perf.pk, availability._key(perf.pk, Channel.ONLINE), count_then_sale, timeout=15)
    assert sum(zone["available"] for zone in counted.values()) == 10
    assert free_places(perf) == 10  # a moment later: the counts of a moment ago
    clock.now += 1
    assert free_places(perf) == 9


def test_counts_of_another_shape_under_the_key_are_counted_again(clock):
    """A rolling deploy: whatever another release left under the key is not taken for counts."""
    from django.core.cache import cache

    perf = make_performance(rows=2, per_row=5)
    for left in ({1: {"available": 3}}, [1, 2], (1.0, 2)):
        cache.set(availability._key(perf.pk, Channel.ONLINE), left, timeout=15)
        assert free_places(perf) == 10


def test_counts_from_a_replica_are_trusted_a_second_only(clock, monkeypatch):
    """A replica may not have replayed the latest change when it counts: what it counted is
    counted again a second later, changes or not."""
    perf = make_performance(rows=2, per_row=5)
    monkeypatch.setattr(availability, "replica_configured", lambda: True)
    assert free_places(perf) == 10
    clock.now += 0.5
    with CaptureQueriesContext(connection) as queries:
        free_places(perf)
    assert counting(queries) == []
    clock.now += 0.6
    with CaptureQueriesContext(connection) as queries:
        free_places(perf)
    assert len(counting(queries)) == 1


def test_the_count_of_changes_does_not_stay_in_redis_for_ever(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    perf = make_performance(rows=2, per_row=5)
    sell_one(perf, django_capture_on_commit_callbacks)
    key = cache.make_and_validate_key(availability._changes_key(perf.pk))
    assert 0 < availability._redis().ttl(key) <= availability.CHANGES_KEPT_SECONDS
