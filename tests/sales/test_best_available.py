"""The best-available search's shortcuts give the same answers as plain reference
computations: ranking every window of every run, cutting a zone's picture from scratch,
and finding a zone's runs of free seats in SQL."""

import itertools
import random

import pytest
from django.utils import timezone

from sales.inventory.best import seat_windows
from sales.inventory.pictures import FreeRuns


def every_window_ranked(runs, quantity, limit):
    """Every window of every run scored in full, then taken best first while disjoint."""
    scored = sorted(((start in (1, len(run[3]) - quantity - 1), run[0], run[2], sum(run[4][start:start + quantity]),
                      run[1]), n, start)
                    for n, run in enumerate(runs) for start in range(len(run[3]) - quantity + 1))
    chosen = []
    for _score, n, start in scored:
        window = runs[n][3][start:start + quantity]
        if len(chosen) < limit and not any(set(window) & set(taken) for taken in chosen):
            chosen.append(window)
    return chosen


def cut_from_scratch(runs, gone):
    """Each run split where a place is gone, by grouping its places by whether they are."""
    out = []
    for rank, section_id, row_index, ids, offsets in runs:
        pairs = list(zip(ids, offsets, strict=True))
        for kept, group in itertools.groupby(pairs, key=lambda pair: pair[0] not in gone):
            group = list(group)
            if kept:
                out.append((rank, section_id, row_index, [pk for pk, _o in group], [o for _pk, o in group]))
    return out


def random_runs(rng):
    runs, pk = [], 0
    for _ in range(rng.randint(0, 10)):
        length = rng.randint(1, 14)
        ids = list(range(pk, pk + length))
        pk += length + 1
        runs.append((rng.randint(0, 2), rng.randint(1, 3), rng.randint(0, 3), ids,
                     [rng.randint(0, 6) for _ in ids]))
    return runs, pk


def test_rows_best_first_choose_as_ranking_every_window_does():
    rng = random.Random(1)
    for _ in range(5000):
        runs, _n = random_runs(rng)
        quantity, limit = rng.randint(1, 4), rng.randint(1, 8)
        assert seat_windows(runs, quantity, limit) == every_window_ranked(runs, quantity, limit), runs


def test_a_picture_cut_as_places_go_matches_one_cut_from_scratch():
    rng = random.Random(2)
    for _ in range(1000):
        runs, places = random_runs(rng)
        picture = FreeRuns(runs, timezone.now())
        for _step in range(rng.randint(1, 12)):
            picture.claim(rng.sample(range(places), min(places, rng.randint(1, 4))) if places else [])
            if rng.random() < 0.6:
                assert picture.current() == cut_from_scratch(runs, picture.gone)
        assert picture.current() == cut_from_scratch(runs, picture.gone)


# The plain way to read the zone's runs: the whole zone with its seats and sections,
# the runs found in SQL (gaps and islands: adjacent positions share position - row_number).
RUNS_IN_SQL = """
    SELECT section.rank, place.section_id, seat.row_index,
           array_agg(place.id ORDER BY seat.position), array_agg(place.centre_offset ORDER BY seat.position)
    FROM (SELECT place.*, seat.position - row_number() OVER (
                     PARTITION BY place.section_id, seat.row_index ORDER BY seat.position) AS run
          FROM sales_place place JOIN events_seat seat ON seat.id = place.seat_id
          WHERE place.performance_id = %(perf)s AND place.price_zone_id = %(zone)s
            AND (place.state = 'available' OR (place.state = 'held' AND place.hold_expires_at <= %(now)s))
            AND place.allocation IN ('', %(channel)s) AND NOT place.accessible) AS place
    JOIN events_seat seat ON seat.id = place.seat_id JOIN events_section section ON section.id = place.section_id
    GROUP BY section.rank, place.section_id, seat.row_index, place.run"""


@pytest.mark.django_db
def test_runs_cut_from_the_zone_layout_match_the_runs_found_in_sql():
    """Random states on a zone of two sections with an aisle in every row: blocked, held
    (live and lapsed) and allocated places, read both ways."""
    from datetime import timedelta

    from django.db import connection
    from django.db.models import F

    from events.models import Seat
    from sales import inventory
    from sales.inventory.pictures import ZoneLayout, free_runs
    from sales.models import Hold, Place
    from tests.factories import PerformanceFactory, PriceZoneFactory, SectionFactory, VenueFactory

    venue = VenueFactory()
    for name in ("Stalls", "Circle"):
        SectionFactory(venue=venue, name=name, rows=4, per_row=11)
    # An aisle after seat 6: the positions skip one there (seats beside it are not adjacent).
    Seat.objects.filter(section__venue=venue, position__gte=6).update(position=F("position") + 1)
    perf = PerformanceFactory(venue=venue, starts_at=timezone.now() + timedelta(days=3))
    zone = PriceZoneFactory(performance=perf, name="All", price="10.00", sections=venue.sections.all())
    inventory.put_on_sale(performance=perf)
    hold = Hold.objects.create(performance=perf, channel="online", expires_at=timezone.now())
    ids = list(Place.objects.filter(performance=perf).values_list("pk", flat=True))
    rng = random.Random(7)
    now = timezone.now()
    seen = []
    for _ in range(30):
        Place.objects.filter(performance=perf).update(state="available", hold=None, hold_expires_at=None,
                                                      allocation="")
        for pk in rng.sample(ids, rng.randint(0, len(ids))):
            # (a sold place needs a ticket: blocked stands for taken)
            state = rng.choice(["blocked", "blocked", "held", "held", "available"])
            lapses = now + timedelta(minutes=rng.choice([-5, 5]))
            Place.objects.filter(pk=pk).update(
                state=state, hold=hold if state == "held" else None,
                hold_expires_at=lapses if state == "held" else None,
                allocation=rng.choice(["", "", "counter", "online"]))
        FreeRuns.forget(perf.pk)
        for channel in ("online", "counter"):
            with connection.cursor() as cursor:
                cursor.execute(RUNS_IN_SQL, {"perf": perf.pk, "zone": zone.pk, "now": now, "channel": channel})
                in_sql = sorted((r[0], r[1], r[2], list(r[3]), list(r[4])) for r in cursor.fetchall())
            probe = Hold(performance=perf, channel=channel)
            assert sorted(free_runs(probe, zone, now)) == in_sql
            seen.extend(len(r[3]) for r in in_sql)
    assert len(seen) > 300 and max(seen) == 6 and seen.count(1) > 30  # many runs, cut at the aisle and between
    # A seat moved into a zone after the zone's layout was read is found all the same (the
    # layout is read again), and one moved out is no longer offered there.
    other = PriceZoneFactory(performance=perf, name="Other", price="5.00")
    probe = Hold(performance=perf, channel="online")
    moved, second = Place.objects.filter(performance=perf, state="available")[:2]
    Place.objects.filter(pk=moved.pk).update(price_zone=other)
    assert [run[3] for run in free_runs(probe, other, now)] == [[moved.pk]]
    layout = ZoneLayout.of(perf.pk, other.pk, [moved.pk])
    Place.objects.filter(pk=second.pk).update(price_zone=other)
    assert sorted(pk for run in free_runs(probe, other, now) for pk in run[3]) == sorted([moved.pk, second.pk])
    assert ZoneLayout.of(perf.pk, other.pk, [second.pk]) is not layout
    assert not {moved.pk, second.pk} & {pk for run in free_runs(probe, zone, now) for pk in run[3]}


@pytest.mark.django_db
def test_best_available_offers_wheelchair_spaces_and_companion_seats_only_when_asked():
    from events.models import Channel, Seat
    from sales.holds import hold_create
    from sales.models import Place
    from tests.support import make_performance

    perf = make_performance(rows=2, per_row=4, on_sale=False)
    front = Seat.objects.filter(section__venue=perf.venue, row="A")
    front.filter(number__in=["1", "2"]).update(wheelchair=True)
    front.filter(number__in=["3", "4"]).update(companion=True)
    from sales import inventory

    inventory.put_on_sale(performance=perf)
    zone = perf.price_zones.get()
    accessible = set(Place.objects.filter(performance=perf, seat__row="A").values_list("pk", flat=True))
    taken = set()
    for _ in range(2):  # the whole back row, two by two, though the front row is better
        hold = hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=2)
        taken |= set(Place.objects.filter(hold=hold).values_list("pk", flat=True))
    assert not taken & accessible
    from sales.errors import PlacesUnavailable

    with pytest.raises(PlacesUnavailable, match="no place is free in"):
        hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=2)
    asked = hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=2, accessible=True)
    assert set(Place.objects.filter(hold=asked).values_list("pk", flat=True)) <= accessible
    # Asked for more accessible places than are left, the refusal says which places are
    # short, not that the zone is sold out.
    with pytest.raises(PlacesUnavailable, match="only 2 wheelchair spaces or companion seats left") as refused:
        hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=3, accessible=True)
    assert refused.value.detail["available"] == 2
    # Every one of them held: none is free now, not "only 0 left".
    hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=2, accessible=True)
    with pytest.raises(PlacesUnavailable, match="no wheelchair space or companion seat is free in") as refused:
        hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=1, accessible=True)
    assert refused.value.detail["available"] == 0


def test_a_lane_never_leaves_an_orphan_seat_while_the_zone_has_a_clean_block():
    """Under contention a process looks first in its lane of rows, but not at the cost of
    the rule against single seats left alone: a pair in a run of three (lane 0's row)
    gives way to a clean pair in the other lane's row, and is taken only when no clean
    block is left anywhere."""
    from sales.inventory.best import candidate_windows

    three = (0, 1, 0, [1, 2, 3], [1, 0, 1])  # row index 0: lane 0
    two = (0, 1, 1, [10, 11], [0, 1])  # row index 1: lane 1
    four = (0, 1, 2, [20, 21, 22, 23], [1, 0, 0, 1])  # row index 2: lane 0
    assert candidate_windows([three, two], 2, lane=0)[0] == [10, 11]
    assert candidate_windows([three, two, four], 2, lane=0)[0] in ([20, 21], [22, 23])  # clean, in its own lane
    assert candidate_windows([three], 2, lane=0)[0] in ([1, 2], [2, 3])  # nothing clean anywhere
    assert candidate_windows([three, two], 2, lane=1)[0] == [10, 11]
    assert candidate_windows([three, two], 2, lane=None)[0] == [10, 11]
