"""The best-available search's shortcuts give the answers of the plain ways they replace:
ranking every window of every run, and cutting a zone's picture from scratch."""

import itertools
import random

from django.utils import timezone

from sales.inventory import _FreeRuns, _seat_windows


def every_window_ranked(runs, quantity, limit):
    windows = []
    for n, (rank, section_id, row_index, ids, offsets) in enumerate(runs):
        prefix = list(itertools.accumulate(offsets, initial=0))
        last = len(ids) - quantity
        windows.extend(((start == 1 or start == last - 1, rank, row_index,
                         prefix[start + quantity] - prefix[start], section_id), n, start)
                       for start in range(last + 1))
    chosen, used = [], set()
    for _score, n, start in sorted(windows):
        ids = runs[n][3][start:start + quantity]
        if used.isdisjoint(ids):
            chosen.append(ids)
            used.update(ids)
            if len(chosen) == limit:
                break
    return chosen


def cut_from_scratch(runs, gone):
    out = []
    for rank, section_id, row_index, ids, offsets in runs:
        start = 0
        for i, pk in enumerate([*ids, None]):
            if pk is None or pk in gone:
                if i > start:
                    out.append((rank, section_id, row_index, ids[start:i], offsets[start:i]))
                start = i + 1
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
        assert _seat_windows(runs, quantity, limit) == every_window_ranked(runs, quantity, limit), runs


def test_a_picture_cut_as_places_go_matches_one_cut_from_scratch():
    rng = random.Random(2)
    for _ in range(1000):
        runs, places = random_runs(rng)
        picture = _FreeRuns(runs, timezone.now())
        for _step in range(rng.randint(1, 12)):
            picture.claim(rng.sample(range(places), min(places, rng.randint(1, 4))) if places else [])
            if rng.random() < 0.6:
                assert picture.current() == cut_from_scratch(runs, picture.gone)
        assert picture.current() == cut_from_scratch(runs, picture.gone)
