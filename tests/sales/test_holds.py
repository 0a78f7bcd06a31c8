from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from events.models import Channel
from sales import inventory
from sales.errors import InvalidRequest, NotOnSale, NotPermitted, PlacesUnavailable
from sales.holds import hold_create, hold_extend, hold_release, holds_tidy
from sales.models import Hold, Place, PlaceEvent
from sales.policy import COUNTER_CLERK, PHONE_OPERATOR
from tests.support import make_performance, make_user, places_of

pytestmark = pytest.mark.django_db
ONLINE, COUNTER, PHONE = Channel.ONLINE, Channel.COUNTER, Channel.PHONE


def state_counts(perf):
    from collections import Counter

    return Counter(Place.objects.filter(performance=perf).values_list("state", flat=True))


def test_put_on_sale_creates_one_row_per_place():
    perf = make_performance(rows=3, per_row=4, standing=25)
    assert Place.objects.filter(performance=perf).count() == 12 + 25
    assert Place.objects.filter(performance=perf, seat__isnull=True).count() == 25
    with pytest.raises(Exception, match="already on sale"):
        inventory.put_on_sale(performance=perf)


def test_put_on_sale_refuses_places_without_a_price_zone():
    perf = make_performance(on_sale=False)
    perf.price_zones.all().delete()
    with pytest.raises(InvalidRequest, match="100 places have no price zone"):
        inventory.put_on_sale(performance=perf)
    assert not Place.objects.filter(performance=perf).exists()


def test_hold_named_seats(performance):
    a1, a2 = places_of(performance)[:2]
    hold = hold_create(performance=performance, channel=ONLINE, place_ids=[a1.pk, a2.pk])
    held = Place.objects.filter(hold=hold)
    assert {p.pk for p in held} == {a1.pk, a2.pk}
    assert all(p.state == "held" and p.hold_expires_at == hold.expires_at for p in held)
    assert PlaceEvent.objects.filter(hold=hold, action="hold").count() == 2


def test_hold_is_all_or_nothing(performance):
    a1, a2, a3 = places_of(performance)[:3]
    hold_create(performance=performance, channel=ONLINE, place_ids=[a2.pk])
    with pytest.raises(PlacesUnavailable) as exc:
        hold_create(performance=performance, channel=ONLINE, place_ids=[a1.pk, a2.pk, a3.pk])
    assert exc.value.places == {a2.pk: "held by another buyer"}
    assert Place.objects.get(pk=a1.pk).state == "available"
    assert Hold.objects.count() == 1  # the failed hold left no row behind


@pytest.mark.parametrize("ids, message", [
    (lambda perf, other: [999_999_999], "does not exist in this performance"),
    (lambda perf, other: [places_of(other)[0].pk], "does not exist in this performance"),
    (lambda perf, other: [], "ask for at least one ticket"),
    (lambda perf, other: [p.pk for p in places_of(perf)[:11]], "at most 10 tickets per order"),
    (lambda perf, other: [places_of(perf)[0].pk] * 2, "the same place is asked for twice"),
])
def test_bad_hold_requests_are_refused_and_write_nothing(performance, ids, message):
    other = make_performance()
    with pytest.raises(InvalidRequest, match=message):
        hold_create(performance=performance, channel=ONLINE, place_ids=ids(performance, other))
    assert Hold.objects.count() == 0
    assert state_counts(performance) == {"available": 100}
    assert state_counts(other) == {"available": 100}


def test_zero_or_negative_quantity_is_refused(performance):
    zone = performance.price_zones.get()
    for qty in (0, -2):
        with pytest.raises(InvalidRequest, match="at least one"):
            hold_create(performance=performance, channel=ONLINE, zone=zone, quantity=qty)
    assert Hold.objects.count() == 0


def test_zone_of_another_performance_is_refused(performance):
    other = make_performance()
    with pytest.raises(InvalidRequest, match="another performance"):
        hold_create(performance=performance, channel=ONLINE,
                    zone=other.price_zones.get(), quantity=2)


def test_expired_hold_is_available_to_the_next_buyer_at_once(performance):
    a1 = places_of(performance)[0]
    now = timezone.now()
    first = hold_create(performance=performance, channel=ONLINE, place_ids=[a1.pk], now=now)
    later = now + timedelta(minutes=11)  # online holds last 10 minutes; no sweep has run
    second = hold_create(performance=performance, channel=ONLINE, place_ids=[a1.pk], now=later)
    assert Place.objects.get(pk=a1.pk).hold_id == second.pk
    assert first.pk != second.pk


def test_sweep_tidies_lapsed_holds(performance):
    ids = [p.pk for p in places_of(performance)[:3]]
    now = timezone.now()
    hold = hold_create(performance=performance, channel=ONLINE, place_ids=ids, now=now)
    assert holds_tidy(now=now) == 0
    assert holds_tidy(now=now + timedelta(minutes=11)) == 3
    assert state_counts(performance) == {"available": 100}
    hold.refresh_from_db()
    assert hold.status == "expired"
    assert PlaceEvent.objects.filter(action="expire").count() == 3


def test_best_available_takes_adjacent_seats_in_the_front_row(performance):
    hold = hold_create(performance=performance, channel=ONLINE,
                       zone=performance.price_zones.get(), quantity=4)
    seats = sorted(Place.objects.filter(hold=hold).select_related("seat"),
                   key=lambda p: p.seat.position)
    assert {p.seat.row for p in seats} == {"A"}
    positions = [p.seat.position for p in seats]
    assert positions == list(range(positions[0], positions[0] + 4))
    assert positions[0] in (3, 4)  # the middle of a row of ten, leaving no single seat


def test_best_available_never_leaves_an_orphan_single_seat_when_it_can_avoid_it():
    perf = make_performance(rows=1, per_row=5)
    zone = perf.price_zones.get()
    for _ in range(2):  # 5 seats, pairs: 2+2 then 1 must remain, never 1+2+...
        hold_create(performance=perf, channel=ONLINE, zone=zone, quantity=2)
        taken = sorted(p.seat.position for p in places_of(perf, state="held"))
        free = [i for i in range(5) if i not in taken]
        runs = _runs(free)
        assert 1 not in runs or len(free) == 1, (taken, runs)


def _runs(positions):
    runs, last = [], None
    for p in positions:
        if last is not None and p == last + 1:
            runs[-1] += 1
        else:
            runs.append(1)
        last = p
    return runs


def test_best_available_does_not_split_a_party():
    perf = make_performance(rows=2, per_row=3)
    places = places_of(perf)
    # Leave only A1, A3, B2 free: no two adjacent.
    inventory.block(performance=perf, now=timezone.now(),
                    place_ids=[places[1].pk, places[3].pk, places[5].pk])
    with pytest.raises(PlacesUnavailable, match="could not find 2 places together") as refused:
        hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(), quantity=2)
    assert refused.value.detail["available"] == 3 and refused.value.detail["together"] == 1
    hold = hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(), quantity=1)
    assert Place.objects.filter(hold=hold).count() == 1


def test_best_available_in_a_zone_of_standing_places_takes_any_of_them():
    perf = make_performance(rows=1, per_row=2, standing=5)
    lawn = perf.price_zones.get(name="Lawn")
    hold = hold_create(performance=perf, channel=ONLINE, zone=lawn, quantity=3)
    assert Place.objects.filter(hold=hold, seat__isnull=True).count() == 3


def test_standing_places():
    perf = make_performance(rows=1, per_row=2, standing=5)
    lawn = perf.venue.sections.get(kind="standing")
    hold = hold_create(performance=perf, channel=ONLINE, section=lawn, quantity=3)
    assert Place.objects.filter(hold=hold, seat__isnull=True).count() == 3
    with pytest.raises(PlacesUnavailable, match="only 2 standing places left in Lawn"):
        hold_create(performance=perf, channel=ONLINE, section=lawn, quantity=3)


def test_nothing_free_is_said_as_none_left_not_as_only_zero_left():
    """Every place in someone's basket: the buyer reads that none is free now, not "only 0 left"."""
    perf = make_performance(rows=1, per_row=2, standing=2)
    lawn = perf.venue.sections.get(kind="standing")
    hold_create(performance=perf, channel=ONLINE, section=lawn, quantity=2)
    hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(name="Stalls"), quantity=2)
    with pytest.raises(PlacesUnavailable, match="^no standing place is free in Lawn now$"):
        hold_create(performance=perf, channel=ONLINE, section=lawn, quantity=1)
    with pytest.raises(PlacesUnavailable, match="^no place is free in Stalls now$"):
        hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(name="Stalls"), quantity=1)


def test_release_gives_places_back(performance):
    ids = [p.pk for p in places_of(performance)[:2]]
    hold = hold_create(performance=performance, channel=ONLINE, place_ids=ids)
    hold_release(hold=hold)
    assert state_counts(performance) == {"available": 100}
    assert Hold.objects.get(pk=hold.pk).status == "released"


def test_counter_allocation_is_sold_at_the_counter_only(performance, clerk, organizer):
    a1 = places_of(performance)[0]
    inventory.allocate(performance=performance, place_ids=[a1.pk], channel=COUNTER,
                       now=timezone.now(), actor=organizer)
    with pytest.raises(PlacesUnavailable) as exc:
        hold_create(performance=performance, channel=ONLINE, place_ids=[a1.pk])
    assert exc.value.places == {a1.pk: "kept for the counter channel"}
    hold = hold_create(performance=performance, channel=COUNTER, user=clerk, place_ids=[a1.pk])
    assert Place.objects.get(pk=a1.pk).hold_id == hold.pk
    event = PlaceEvent.objects.get(action="allocate")
    assert event.actor == organizer and event.allocation == COUNTER


def test_blocked_places_are_sold_by_nobody(performance, clerk):
    a1 = places_of(performance)[0]
    inventory.block(performance=performance, place_ids=[a1.pk], now=timezone.now())
    for channel, user in ((ONLINE, None), (COUNTER, clerk)):
        with pytest.raises(PlacesUnavailable, match="not for sale"):
            hold_create(performance=performance, channel=channel, user=user, place_ids=[a1.pk])
    inventory.unblock(performance=performance, place_ids=[a1.pk], now=timezone.now())
    hold_create(performance=performance, channel=ONLINE, place_ids=[a1.pk])


def test_staff_channels_need_their_role(performance, clerk, operator):
    a1 = places_of(performance)[0]
    for user in (None, AnonymousUser(), operator):
        with pytest.raises(NotPermitted):
            hold_create(performance=performance, channel=COUNTER, user=user, place_ids=[a1.pk])
    with pytest.raises(NotPermitted):
        hold_create(performance=performance, channel=PHONE, user=clerk, place_ids=[a1.pk])
    assert Hold.objects.count() == 0


def test_sales_only_inside_the_channel_window():
    perf = make_performance(channels=[COUNTER])
    with pytest.raises(NotOnSale, match="not sold through this channel"):
        hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(), quantity=1)
    window = perf.on_sale_windows.get()
    window.opens_at = timezone.now() + timedelta(hours=1)
    window.closes_at = timezone.now() + timedelta(hours=2)
    window.save()
    perf.on_sale_windows.create(channel=ONLINE, opens_at=timezone.now() - timedelta(hours=2),
                                closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(NotOnSale, match="closed"):
        hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(), quantity=1)


def test_phone_hold_can_be_extended_up_to_its_limit(performance, operator):
    a1 = places_of(performance)[0]
    now = timezone.now()
    hold = hold_create(performance=performance, channel=PHONE, user=operator,
                       place_ids=[a1.pk], now=now)
    hold = hold_extend(hold=hold, actor=operator, now=now + timedelta(minutes=10))
    assert hold.expires_at == now + timedelta(minutes=25)
    assert Place.objects.get(pk=a1.pk).hold_expires_at == hold.expires_at
    hold = hold_extend(hold=hold, actor=operator, now=now + timedelta(minutes=24))
    hold = hold_extend(hold=hold, actor=operator, now=now + timedelta(minutes=38))
    assert hold.expires_at == hold.created_at + timedelta(minutes=45)  # capped
    with pytest.raises(InvalidRequest, match="at most 45 minutes"):
        hold_extend(hold=hold, actor=operator, now=now + timedelta(minutes=40))


def test_best_available_prefers_the_centre_of_a_fragmented_front_row():
    """With many runs in the best row, the hold takes the central one."""
    perf = make_performance(rows=2, per_row=40)
    row_a = [p for p in places_of(perf) if p.seat.row == "A"]
    inventory.block(performance=perf, place_ids=[p.pk for p in row_a if p.seat.position % 2 == 0],
                    now=timezone.now())
    best = min((p for p in row_a if p.seat.position % 2 == 1), key=lambda p: p.centre_offset)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, zone=perf.price_zones.get(), quantity=1)
    assert Place.objects.get(hold=hold).pk == best.pk


def test_the_guards_in_sql_say_what_the_readers_say():
    """The moves' guards are SQL; the seat maps and counts read `free()` and `open_to()`
    through the ORM. Over places in every state, kept back or not, both pick the same."""
    from django.db import connection

    from sales.inventory.rules import FREE, OPEN

    perf = make_performance(rows=4, per_row=6)
    places = [p.pk for p in places_of(perf)]
    now = timezone.now()
    hold = Hold.objects.create(performance=perf, channel=ONLINE, expires_at=now)
    for n, pk in enumerate(places):
        state = ["available", "held", "held", "blocked"][n % 4]
        Place.objects.filter(pk=pk).update(
            state=state, hold=hold if state == "held" else None, allocation=["", "counter", "online"][n % 3],
            hold_expires_at=(now + timedelta(minutes=(-1) ** n)) if state == "held" else None)
    for channel in ("", ONLINE, Channel.COUNTER):
        readers = set(Place.objects.filter(performance=perf).filter(inventory.free(now) & inventory.open_to(channel))
                      .values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM sales_place WHERE performance_id = %(performance)s AND {FREE} AND {OPEN}",
                           {"performance": perf.pk, "now": now, "channel": channel})
            moves = {pk for (pk,) in cursor.fetchall()}
        assert readers == moves and 0 < len(readers) < len(places), channel


def test_best_available_pictures_of_past_zones_do_not_pile_up(monkeypatch):
    """A long-lived web process sells many performances: pictures older than their life
    are dropped once enough have gathered."""
    perf = make_performance(rows=1, per_row=4)
    monkeypatch.setattr(inventory.FreeRuns, "_zones", {})
    old = inventory.FreeRuns([], timezone.now())
    old.read_at -= 60
    inventory.FreeRuns._zones.update({(-i, -i, ONLINE, False): old for i in range(1, 65)})
    hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(), quantity=2)
    assert list(inventory.FreeRuns._zones) == [(perf.pk, perf.price_zones.get().pk, ONLINE, False)]


def test_a_begun_performance_is_sold_at_the_counter_only_whatever_its_windows_say(client):
    """Its windows left open past the start (moved earlier, or set so): the shop and the
    phone no longer list or sell it; the counter still sells to a latecomer at the venue."""
    from django.core.exceptions import ValidationError

    from events.models import Performance
    from sales.channels.staff import on_sale

    perf = make_performance()
    now = timezone.now()
    perf.on_sale_windows.update(closes_at=now + timedelta(hours=3))
    Performance.objects.filter(pk=perf.pk).update(starts_at=now - timedelta(minutes=10))
    perf.refresh_from_db()
    staff = {PHONE: make_user("op-late", PHONE_OPERATOR), COUNTER: make_user("clerk-late", COUNTER_CLERK)}
    for channel in (ONLINE, PHONE):
        with pytest.raises(NotOnSale, match="has begun"):
            hold_create(performance=perf, channel=channel, user=staff.get(channel), zone=perf.price_zones.get(),
                        quantity=1)
    # Nor does a presale's code open it online.
    from sales.models import Presale, PresaleCode

    presale = Presale.objects.create(performance=perf, name="Fans", opens_at=now - timedelta(days=1),
                                     closes_at=now + timedelta(hours=3))
    PresaleCode.objects.create(presale=presale, code="FANS", max_uses=None)
    with pytest.raises(NotOnSale, match="has begun"):
        hold_create(performance=perf, channel=ONLINE, zone=perf.price_zones.get(), quantity=1, access_code="FANS")
    assert perf not in on_sale(PHONE, now) and perf in on_sale(COUNTER, now)
    assert f"/performances/{perf.pk}/" not in client.get("/").content.decode()
    assert hold_create(performance=perf, channel=COUNTER, user=staff[COUNTER], zone=perf.price_zones.get(),
                       quantity=1)
    # The admin's rule: a start may not be moved into the past; a past one's doors may be corrected.
    perf.doors_open_at = perf.starts_at - timedelta(minutes=30)
    perf.full_clean()
    perf.starts_at = perf.starts_at.replace(microsecond=0)  # as the admin's field sends it back
    perf.full_clean()
    perf.starts_at = now - timedelta(days=1)
    with pytest.raises(ValidationError, match="has passed"):
        perf.full_clean()


def test_french_refusals_name_the_zone_and_write_dates_as_french_does():
    """A zone's name after "en" reads wrong in French ("en Balcon"): the refusals say "dans
    la zone"; a presale not open yet says when it opens on the venue's clock, in words."""
    from django.utils import translation

    from sales.models import Presale, PresaleCode

    perf = make_performance(rows=1, per_row=2, standing=1)
    zone, lawn = perf.price_zones.get(name="Stalls"), perf.venue.sections.get(kind="standing")
    opens = perf.starts_at - timedelta(days=5)
    presale = Presale.objects.create(performance=perf, name="Fans", opens_at=opens, closes_at=opens + timedelta(days=1))
    PresaleCode.objects.create(presale=presale, code="FANS", max_uses=None)
    general = perf.on_sale_windows.filter(channel=Channel.ONLINE)
    with translation.override("fr"):
        with pytest.raises(PlacesUnavailable) as few:
            hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=3)
        with pytest.raises(PlacesUnavailable) as standing:
            hold_create(performance=perf, channel=Channel.ONLINE, section=lawn, quantity=2)
        general.update(opens_at=opens + timedelta(days=2))  # the general sale: after the presale
        with pytest.raises(NotOnSale) as early:
            hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=1, access_code="FANS")
    assert str(few.value) == "plus que 2 places libres dans la zone Stalls"
    assert str(standing.value) == "plus que 1 place debout libre dans l’espace Lawn"
    local = perf.local(opens)
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
    # As a sentence writes a day: « du samedi 12 décembre 2026 à 9 h 38 ».
    day = f"{local.day} {months[local.month - 1]} {local.year}"
    assert f"{day} à {local.hour}\u00a0h\u00a0{local:%M}" in str(early.value)
    assert str(local.year) + "-" not in str(early.value)


def test_put_on_sale_counts_each_place_of_a_standing_area_without_a_price_zone(client, organizer):
    """A standing area is one name but many places: an organizer told "1 place has no price
    zone" for a lawn of 30 looks for one seat."""
    perf = make_performance(rows=1, per_row=4, standing=30, on_sale=False)
    perf.price_zones.filter(name="Lawn").delete()
    with pytest.raises(InvalidRequest) as refused:
        inventory.put_on_sale(performance=perf)
    assert refused.value.message == "30 places have no price zone: Lawn"
    perf.price_zones.all().delete()
    with pytest.raises(InvalidRequest) as refused:
        inventory.put_on_sale(performance=perf)
    assert refused.value.message == "34 places have no price zone: Stalls A-1, Stalls A-2, Stalls A-3, Stalls A-4, Lawn"
    client.force_login(organizer)  # as the admin's action says it
    page = client.post("/admin/events/performance/", {"action": "put_on_sale", "_selected_action": [perf.pk]},
                       follow=True).content.decode()
    assert "Nothing changed: 34 places have no price zone: Stalls A-1" in page
    assert not Place.objects.filter(performance=perf).exists()
