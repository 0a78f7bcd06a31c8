"""A ballot's seats: every seat it puts in the draw goes to an applicant while some losing
application fits it; groups together wherever a block side by side is left, else (if the
ballot allows) in two rows one behind the other, and told so."""

import itertools
import random
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from sales import draws, inventory, lottery
from sales.inventory import Held
from sales.models import Ballot, Hold, Place
from tests.support import apply_confirmed, make_performance

pytestmark = pytest.mark.django_db


def drawn_ballot(perf, sizes, *, split=True):
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                   split_groups=split, opens_at=now - timedelta(days=2),
                                   closes_at=now + timedelta(hours=1))
    for i, size in enumerate(sizes):
        apply_confirmed(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=size)
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=now - timedelta(minutes=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot)
    return ballot


def seats_of(entry):
    return sorted((p.seat.row_index, p.seat.position) for p in Place.objects.filter(hold=entry.hold)
                  .select_related("seat"))


def free_rows(perf):
    """Each row's free positions, as the database says now."""
    rows = {}
    for row, position in (Place.objects.filter(performance=perf, state="available").order_by("seat__row_index",
                          "seat__position").values_list("seat__row_index", "seat__position")):
        rows.setdefault(row, []).append(position)
    return rows


def runs(positions):
    """Runs of positions side by side: (first, last) each."""
    out = []
    for position in positions:
        if out and position == out[-1][1] + 1:
            out[-1] = (out[-1][0], position)
        else:
            out.append((position, position))
    return out


def fits(size, rows, split):
    """Whether a group of `size` could still be seated in these free seats: side by side
    in one row, or (split allowed, 3 or more) in two runs of consecutive rows that overlap."""
    by_row = {row: runs(positions) for row, positions in rows.items()}
    if any(last - first + 1 >= size for row_runs in by_row.values() for first, last in row_runs):
        return True
    if not split or size < 3:
        return False
    for row, row_runs in by_row.items():
        for (a1, a2), (b1, b2) in itertools.product(row_runs, by_row.get(row + 1, [])):
            if b1 <= a2 + 1 and a1 <= b2 + 1 and (a2 - a1 + 1) + (b2 - b1 + 1) >= size:
                return True
    return False


@pytest.mark.parametrize("sizes", [[4] * 20 + [2] * 6, [4] * 20], ids=["fours-and-twos", "fours"])
def test_a_60_seat_hall_is_full_and_split_groups_are_told(sizes):
    """The walk that left 24 of 60 seats empty while fourteen applications for four lost
    (each row of 10 had a four in its centre and a two beside it, the 3 seats on either
    side too few for any four), and the same hall among fours only (36 left empty)."""
    perf = make_performance(rows=6, per_row=10)
    ballot = drawn_ballot(perf, sizes)
    assert Place.objects.filter(performance=perf, state="available").count() == 0
    held = list(Place.objects.filter(performance=perf, state="held").values_list("hold_id", flat=True))
    winners = list(ballot.entries.filter(status="won").select_related("hold"))
    assert len(held) == 60 == sum(w.quantity for w in winners)
    apart = []
    for w in winners:
        assert held.count(w.hold_id) == w.quantity  # each its own seats, as many as it asked for
        seats = seats_of(w)
        rows = sorted({row for row, _position in seats})
        if len(rows) == 1:
            assert [p for _row, p in seats] == list(range(seats[0][1], seats[0][1] + w.quantity))
        else:  # two rows one behind the other, each part side by side, one behind the other
            assert w.quantity > 2 and len(rows) == 2 and rows[1] - rows[0] == 1
            front, back = ([p for r, p in seats if r == row] for row in rows)
            for part in (front, back):
                assert part == list(range(part[0], part[0] + len(part)))
            assert set(front) & set(back)
            apart.append(w)
    if sizes == [4] * 20:
        assert len(apart) == 3  # 15 fours: two in each row of 10, three more over two rows' last 2 seats
    lottery.send_pending_notices()
    for w in winners:
        body = next(m.body for m in mail.outbox if m.to == [w.email])
        assert ("Your seats are not all together" in body) == (w in apart), body
    for w in apart[:1]:
        page = Client().get(f"/lottery/pay/{w.pay_token}/").content.decode()
        assert "Your seats are not all together: no block of 4 seats side by side was left" in page
    together = next(w for w in winners if w not in apart)
    assert "not all together" not in Client().get(f"/lottery/pay/{together.pay_token}/").content.decode()


@pytest.mark.parametrize("split", [True, False])
def test_with_more_demand_than_seats_no_seat_stays_empty_that_a_losing_application_fits(split):
    """Halls with seats sold and kept back beforehand (runs of every length), drawn among
    more applications than seats: once drawn, no losing application fits the seats left,
    and groups are together unless the ballot lets them be split."""
    for layout in range(6):
        rng = random.Random(layout)
        perf = make_performance(rows=rng.randint(3, 8), per_row=rng.randint(5, 16))
        seats = list(Place.objects.filter(performance=perf).order_by("pk").values_list("pk", flat=True))
        now = timezone.now()
        gone = rng.sample(seats, len(seats) // 6)
        inventory.hold_places(hold=Hold.objects.create(performance=perf, channel="online", owner_key="before",
                                                       expires_at=now + timedelta(days=1)),
                              place_ids=gone[::2], now=now)
        inventory.block(performance=perf, place_ids=gone[1::2], now=now)
        # Groups only, or with some singles and twos among them.
        sizes = rng.choices([1, 2, 3, 4], weights=[1, 3, 3, 5] if layout % 2 else [0, 0, 2, 5], k=len(seats))
        ballot = drawn_ballot(perf, sizes, split=split)
        left = free_rows(perf)
        lost = ballot.entries.filter(status="lost")
        assert lost.exists()
        for entry in lost:
            assert not fits(entry.quantity, left, split), (layout, entry.quantity, left)
        for w in ballot.entries.filter(status="won").select_related("hold"):
            rows = {row for row, _position in seats_of(w)}
            assert len(seats_of(w)) == w.quantity
            assert len(rows) == 1 or (split and w.quantity >= 3 and len(rows) == 2)
        assert not Place.objects.filter(pk__in=gone[::2]).exclude(hold__owner_key="before").exists()
        assert Place.objects.filter(pk__in=gone[1::2], state="blocked").count() == len(gone[1::2])


def test_the_seats_follow_from_the_published_draw_alone():
    """The draw's order, redone from its published files, seats the same hall the same
    way: the seats given are the draw's, not chance's."""
    sizes = [4, 3, 2, 4, 1, 4, 2, 3, 4, 4, 2, 4, 3, 4, 4, 1]
    perf = make_performance(rows=4, per_row=9)
    ballot = drawn_ballot(perf, sizes)
    checked = draws.verify(draws.published(ballot.draw), draws.published_listing(ballot.draw))
    assert checked.ok
    by_hash = {draws.hashed_reference(e.reference): e for e in ballot.entries.all()}
    order = [by_hash[h] for h in checked.order]
    twin = make_performance(rows=4, per_row=9)  # the same hall, empty
    rows, standing = inventory.free_places(performance_id=twin.pk, zone_id=twin.price_zones.get().pk,
                                           channel="online", now=timezone.now())
    labels = {p.pk: str(p) for p in Place.objects.filter(performance=twin).select_related("seat", "section")}
    replayed = {order[p.party].pk: sorted(labels[pk] for pk in p.place_ids)
                for p in inventory.plan(rows, standing, [e.quantity for e in order], split=True)}
    given = {e.pk: sorted(str(p) for p in Place.objects.filter(hold=e.hold).select_related("seat", "section"))
             for e in ballot.entries.filter(status="won")}
    assert replayed == given and len(given) < len(sizes)


def test_the_first_drawn_sits_in_the_middle_of_the_front_row():
    row = [(position, 100 + position, round(abs(position - 5.5) * 2)) for position in range(1, 11)]
    placed = inventory.plan([((0, 1, 0), row), ((0, 1, 1), [(p, 200 + p, o) for p, _i, o in row])], [],
                            [2, 4, 4, 2, 3], split=True)
    first, second, third, fourth, fifth = (sorted(p.place_ids) for p in placed)
    assert first == [105, 106]  # rank 1 in the centre of the front row
    assert second == [101, 102, 103, 104] and third == [107, 108, 109, 110]  # the row filled around it
    assert fourth == [206, 207] and fifth == [203, 204, 205]  # the next row: the block central, the fourth in it
    assert all(p.together for p in placed)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_draw_and_the_shop_selling_the_same_zone_at_once_never_give_a_seat_twice():
    """Best available sells in the zone while the ballot seats its winners: a seat of the
    plan sold meanwhile makes the draw plan again; nobody holds a seat another holds."""
    from tests.support import race

    perf = make_performance(rows=6, per_row=10)
    ballot = drawn_ballot(perf, [], split=True)  # drawn: nobody applied yet, make some
    Ballot.objects.filter(pk=ballot.pk).update(drawn_at=None)
    ballot.entries.all().delete()
    for i in range(30):
        ballot.entries.create(name=f"Fan {i}", email=f"f{i}@example.org", mailbox=f"f{i}@example.org",
                              quantity=4 if i % 3 else 2, rank=i + 1, status="lost", told_status="lost")
    zone = perf.price_zones.get()
    bought: list[Held] = []

    def act(i):
        if i == 0:
            # A moment after the buyers: on its own the draw seats its 18 winners in the time
            # a buyer's first hold takes, and there would be no race to see.
            time.sleep(0.05)
            return lottery.ballot_allocate(ballot=ballot)
        for _ in range(8):
            hold = Hold.objects.create(performance=perf, channel="online", owner_key=f"shop{i}",
                                       expires_at=timezone.now() + timedelta(minutes=10))
            try:
                bought.append(inventory.hold_best(hold=hold, zone=zone, quantity=2, now=timezone.now()))
            except Exception:  # noqa: BLE001 - sold out: the draw took the rest
                return

    drawn = race(3, act)[0]
    holders = list(Place.objects.filter(performance=perf, state="held").values_list("pk", "hold_id"))
    assert len(holders) == len({pk for pk, _hold in holders})
    for w in ballot.entries.filter(status="won"):
        assert Place.objects.filter(hold=w.hold, state="held").count() == w.quantity
    assert drawn["won"] == ballot.entries.filter(status="won").count() > 0 and bought, drawn
