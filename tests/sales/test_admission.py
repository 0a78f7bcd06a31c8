"""Automatic admission on real Redis: the controller raises the rate while buyers are
served fast, lowers it on errors, slowness or too many holds, stays within the
organizer's bounds, and does not swing on every tick; the queue goes on at the last rate
when nobody decides."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Channel
from sales import admission, waiting_room
from sales.holds import hold_create, hold_release
from sales.models import Hold, Place, WaitingRoom
from sales.orders.cancellation import performance_cancel
from sales.tasks import refresh_waiting_rooms
from tests.support import make_performance, places_of, signed_in

pytestmark = pytest.mark.django_db


def automatic_room(perf, start=600, low=300, high=6000, holds_target=None, opened_ago=10):
    room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() - timedelta(seconds=opened_ago),
                                      admit_per_minute=start, automatic=True, min_per_minute=low,
                                      max_per_minute=high, holds_target=holds_target)
    admission.publish(room)
    return room


def buyers(now, n, ms, errors=0):
    """n buyer requests of `ms` each, `errors` of them failed, counted at `now`."""
    for i in range(n):
        admission.record(ms, i < errors, now=now)
    admission.flush(now=now)


def rate(perf):
    return waiting_room.config(perf.pk).rate * 60


def test_raises_while_buyers_are_served_fast_doubling_until_it_first_lowers(performance):
    automatic_room(performance, start=600)
    now = time.time()
    steps = []
    for i in range(3):
        t = now + i * admission.TICK_SECONDS
        buyers(t, 200, 40)
        steps.append(admission.adjust(performance.pk, now=t))
    assert [(d.verdict, d.cause, d.per_minute) for d in steps] == [
        ("raised", "healthy", 1200), ("raised", "healthy", 2400), ("raised", "healthy", 4800)]
    assert rate(performance) == pytest.approx(4800)
    assert steps[0].measures.requests == 200 and steps[0].measures.p99_ms == 50
    # One slow window: lowered, and from then on it climbs by a quarter, not by doubling.
    t = now + 3 * admission.TICK_SECONDS
    buyers(t, 200, 900)
    assert admission.adjust(performance.pk, now=t).per_minute == 3360
    t += admission.COOLDOWN_SECONDS + 4  # past the cool-down; the slow second out of the window
    buyers(t, 200, 40)
    assert admission.adjust(performance.pk, now=t).per_minute == 4200


def test_lowers_on_errors_and_on_slow_requests(performance):
    automatic_room(performance, start=4000, low=100, high=10000)
    now = time.time()
    buyers(now, 500, 30, errors=1)  # one 5xx in 500: errors halve the rate
    d = admission.adjust(performance.pk, now=now)
    assert (d.verdict, d.cause, d.per_minute) == ("lowered", "errors", 2000)
    assert rate(performance) == pytest.approx(2000)
    later = now + 5 + admission.COOLDOWN_SECONDS  # the errors are out of the window
    buyers(later, 300, 30)
    buyers(later, 10, 2500)  # p99 2.5 s, over the 400 ms target
    d = admission.adjust(performance.pk, now=later)
    assert (d.verdict, d.cause, d.per_minute) == ("lowered", "slow", 1400)
    assert d.measures.p99_ms == 3000  # the histogram's bucket: 2-3 s


def test_lowers_while_more_holds_are_active_than_the_target_counted_from_the_database(performance, clerk):
    automatic_room(performance, start=1000, holds_target=2)
    for place in places_of(performance)[:3]:
        hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[place.pk])
    hold_create(performance=performance, channel=Channel.COUNTER, user=clerk, place_ids=[places_of(performance)[5].pk])
    refresh_waiting_rooms()  # beat: counts the online holds, and decides since nobody polled
    auto = admission.state(performance.pk)
    assert auto["measures"]["holds"] == 3  # the counter's hold is not the queue's
    assert (auto["verdict"], auto["cause"], int(auto["rate"])) == ("lowered", "holds", 700)
    assert "3 active holds (target 2)" in admission.explain(performance.pk)


def test_the_buyers_requests_keep_the_holds_count_fresh_with_no_celery_worker(performance, client):
    """Under a crowd the Celery worker can be minutes behind (a backlog of confirmations):
    the public pool's own processes count the holds, once a tick across the fleet."""
    automatic_room(performance, start=1000, holds_target=2)
    places = places_of(performance)
    for place in places[:3]:
        hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[place.pk])
    assert admission.measures(performance.pk, time.time()).holds is None  # nobody has counted yet

    assert client.get("/api/v1/performances/").status_code == 200  # a buyer's request, its count flushed
    assert admission.measures(performance.pk, time.time()).holds == 3  # over the target of 2: the next tick lowers

    # Once a tick, not on every flush: the next process to flush within it does not count.
    waiting_room.client().pexpire(admission.WATCH_GATE, 60_000)  # however slow this machine, still the same tick
    hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[places[3].pk])
    admission.forget()
    client.get("/api/v1/performances/")
    assert admission.measures(performance.pk, time.time()).holds == 3
    waiting_room.client().delete(admission.WATCH_GATE)  # the tick has passed
    admission.forget()
    client.get("/api/v1/performances/")
    assert admission.measures(performance.pk, time.time()).holds == 4

    # A room disabled is no longer watched.
    room = WaitingRoom.objects.get(performance=performance)
    room.enabled = False
    admission.publish(room)
    assert performance.pk not in {int(pk) for pk in waiting_room.client().smembers(admission.ROOMS)}


def test_the_queue_learns_from_the_buyers_that_the_show_sold_out_with_no_celery_worker(performance, client):
    """Once no place is free the queue stops admitting and tells those waiting, without
    waiting for beat (behind a crowd's confirmations): paused while places are in baskets
    that lapse soon, sold out when none is; a place freed again reopens it."""
    automatic_room(performance)
    places = [place.pk for place in places_of(performance)]
    holds = [hold_create(performance=performance, channel=Channel.ONLINE, place_ids=places[i:i + 10])
             for i in range(0, len(places), 10)]
    client.get("/api/v1/performances/")  # a buyer's request: its process's turn to watch
    cfg = waiting_room.config(performance.pk)
    assert cfg.soldout and cfg.back == pytest.approx(min(h.expires_at for h in holds).timestamp())
    assert waiting_room.join(performance.pk, waiting_room.new_visitor()).state == "paused"

    # The baskets' places kept for longer than a queue should wait (as a phone reservation
    # is): sold out.
    Place.objects.filter(performance=performance).update(hold_expires_at=timezone.now() + timedelta(hours=2))
    waiting_room.client().delete(admission.WATCH_GATE)
    admission.forget()
    client.get("/api/v1/performances/")
    assert waiting_room.join(performance.pk, waiting_room.new_visitor()).state == "soldout"

    hold_release(hold=holds[0])  # a buyer gives seats back
    waiting_room.client().delete(admission.WATCH_GATE)
    admission.forget()
    client.get("/api/v1/performances/")
    assert not waiting_room.config(performance.pk).soldout


def test_does_not_raise_while_nothing_is_free(performance):
    """Paused (every place in a basket), the buyers still in the shop are served fast:
    no reason to let more in the moment a few places come back."""
    automatic_room(performance, start=1000)
    places = [place.pk for place in places_of(performance)]
    for i in range(0, len(places), 10):
        hold_create(performance=performance, channel=Channel.ONLINE, place_ids=places[i:i + 10])
    admission.watch(performance.pk)
    assert waiting_room.config(performance.pk).paused
    now = time.time()
    buyers(now, 200, 40)
    decision = admission.adjust(performance.pk, now=now)
    assert (decision.verdict, decision.cause, decision.per_minute) == ("kept", "halted", 1000)
    assert "nothing is free to buy" in admission.explain(performance.pk)


def test_stays_within_the_organizers_bounds(performance):
    automatic_room(performance, start=5000, low=500, high=6000)
    assert rate(performance) == pytest.approx(5000)
    now = time.time()
    buyers(now, 100, 20)
    assert admission.adjust(performance.pk, now=now).per_minute == 6000  # not 10,000
    buyers(now + 2, 100, 20)
    d = admission.adjust(performance.pk, now=now + 2)
    assert (d.verdict, d.cause, d.per_minute) == ("kept", "bound", 6000)
    for i in range(8):  # errors on every tick: down to the floor and no further
        t = now + 4 + i * admission.TICK_SECONDS
        buyers(t, 100, 20, errors=5)
        d = admission.adjust(performance.pk, now=t)
    assert (d.verdict, d.cause, d.per_minute) == ("kept", "errors", 500)
    assert rate(performance) == pytest.approx(500)
    # A starting rate outside the bounds starts at the nearest bound.
    other = make_performance()
    automatic_room(other, start=100, low=500, high=6000)
    assert rate(other) == pytest.approx(500)


def test_hysteresis_a_band_of_latencies_and_a_cool_down_after_lowering(performance):
    automatic_room(performance, start=2000, low=100, high=10000)
    now = time.time()
    buyers(now, 200, 250)  # p99 300 ms: over half the target, under the target
    d = admission.adjust(performance.pk, now=now)
    assert (d.verdict, d.cause, d.per_minute) == ("kept", "band", 2000)
    # Nothing measured (the first admitted are still on their way): no reason to move.
    assert admission.adjust(performance.pk, now=now + 30).cause == "quiet"
    assert rate(performance) == pytest.approx(2000)
    now += 40
    buyers(now, 200, 250)
    admission.adjust(performance.pk, now=now)
    # One decision per tick across the fleet: a second caller within the tick does nothing.
    assert admission.adjust(performance.pk, now=now + 0.5) is None
    t = now + 5
    buyers(t, 200, 900)
    assert admission.adjust(performance.pk, now=t).verdict == "lowered"
    t += admission.TICK_SECONDS + 2  # the slow second out of the window, within the cool-down
    buyers(t, 200, 20)  # fast again at once: kept while cooling down
    d = admission.adjust(performance.pk, now=t)
    assert (d.verdict, d.cause) == ("kept", "cooling")
    t += admission.COOLDOWN_SECONDS
    buyers(t, 200, 20)
    assert admission.adjust(performance.pk, now=t).verdict == "raised"
    # Control: a fixed-rate room is left alone whatever buyers meet.
    fixed = make_performance()
    WaitingRoom.objects.create(performance=fixed, opens_at=timezone.now() - timedelta(seconds=5), admit_per_minute=600)
    admission.publish(WaitingRoom.objects.get(performance=fixed))
    assert admission.adjust(fixed.pk, now=t + 10) is None
    assert rate(fixed) == pytest.approx(600)


def test_a_rate_change_takes_nobody_back_and_the_queue_goes_on_at_the_last_rate_undecided(performance):
    automatic_room(performance, start=600, opened_ago=30)
    now = time.time()
    before = waiting_room.config(performance.pk).frontier(now)
    assert before == pytest.approx(300, abs=2)  # 30 s at 10 a second
    buyers(now, 100, 30, errors=2)
    admission.adjust(performance.pk, now=now)
    cfg = waiting_room.config(performance.pk)
    assert cfg.frontier(now) == pytest.approx(before, abs=0.01)
    # Nobody decides for a minute (Celery late, nobody polling): admission goes on at 5/s.
    assert cfg.frontier(now + 60) == pytest.approx(before + 300, abs=0.01)
    # Not before the opening: the ramp starts with the on-sale.
    later = make_performance()
    room = automatic_room(later, start=600, opened_ago=-60)
    buyers(now, 100, 20)
    assert admission.adjust(later.pk, now=now) is None
    assert admission.explain(later.pk).startswith("Automatic: 600 a minute to start with")
    # Saving the room in the admin during its on-sale keeps the rate it found, within the new bounds.
    found = make_performance()
    room = automatic_room(found, start=600)
    buyers(now + 10, 100, 20)
    assert admission.adjust(found.pk, now=now + 10).per_minute == 1200
    room.pass_minutes = 20
    admission.publish(room)
    assert rate(found) == pytest.approx(1200)  # not the starting 600
    room.max_per_minute = 1000
    admission.publish(room)
    assert rate(found) == pytest.approx(1000)


def test_buyer_requests_are_measured_and_the_queue_page_decides(client, performance, clerk):
    automatic_room(performance, start=600)
    admission.flush()
    now = time.time()
    client.get(f"/performances/{performance.pk}/")  # a buyer's page: measured
    signed_in(clerk).get("/counter/")  # staff: not a buyer's
    admission.flush()
    assert admission.measures(performance.pk, time.time()).requests == 1
    admission._due.clear()
    response = client.get(f"/performances/{performance.pk}/queue/")  # who admits decides
    assert response.status_code in (200, 302)
    auto = admission.state(performance.pk)
    assert float(auto["decided_at"]) >= now and auto["measures"]["requests"] == 1


def test_the_organizer_sets_bounds_in_the_admin_and_reads_the_rate_chosen(client, organizer):
    perf = make_performance()
    client.force_login(organizer)
    form = {"performance": perf.pk, "enabled": "on", "opens_at_0": timezone.localtime().strftime("%Y-%m-%d"),
            "opens_at_1": timezone.localtime().strftime("%H:%M:%S"), "admit_per_minute": 600, "automatic": "on",
            "min_per_minute": 900, "max_per_minute": 300, "pass_minutes": 15}
    response = client.post("/admin/sales/waitingroom/add/", form)
    assert response.status_code == 200 and "The upper bound is below the lower one." in response.content.decode()
    assert not WaitingRoom.objects.exists()
    response = client.post("/admin/sales/waitingroom/add/", {**form, "min_per_minute": "", "max_per_minute": 300})
    assert "Automatic admission needs both bounds" in response.content.decode()
    # A queue that opens after the show, or a pass of no time at all, is refused on its field.
    late = timezone.localtime(perf.starts_at + timedelta(days=1))
    for changed, said in (({"opens_at_0": late.strftime("%Y-%m-%d")}, "The queue opens before the performance starts."),
                          ({"pass_minutes": 0}, "Ensure this value is greater than or equal to 1.")):
        response = client.post("/admin/sales/waitingroom/add/", {**form, "min_per_minute": 300, "max_per_minute": 900,
                                                                  **changed})
        assert response.status_code == 200 and said in response.content.decode()
    assert not WaitingRoom.objects.exists()
    client.post("/admin/sales/waitingroom/add/", {**form, "min_per_minute": 300, "max_per_minute": 9000})
    room = WaitingRoom.objects.get(performance=perf)
    assert rate(perf) == pytest.approx(600)
    now = time.time()
    buyers(now, 50, 20)
    admission.adjust(perf.pk, now=now + 1)
    page = client.get(f"/admin/sales/waitingroom/{room.pk}/change/").content.decode()
    assert "Automatic: raised to 1,200 a minute" in page and "buyers are served fast" in page


def test_a_queue_opening_after_the_show_with_its_bounds_upside_down_is_told_both_in_words(client, organizer):
    """Two mistakes in one form are each said on their field, in words: never the name of
    the table's rule on the bounds."""
    perf = make_performance()
    client.force_login(organizer)
    late = timezone.localtime(perf.starts_at + timedelta(days=1))
    form = {"performance": perf.pk, "enabled": "on", "opens_at_0": late.strftime("%Y-%m-%d"),
            "opens_at_1": late.strftime("%H:%M:%S"), "admit_per_minute": 600, "automatic": "on",
            "min_per_minute": 900, "max_per_minute": 300, "pass_minutes": 15}
    response = client.post("/admin/sales/waitingroom/add/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The queue opens before the performance starts." in page
    assert "The upper bound is below the lower one." in page
    assert "onstraint" not in page and "waiting_room_automatic_bounds" not in page
    assert not WaitingRoom.objects.exists()


def test_bounds_upside_down_are_refused_with_automatic_admission_unticked(client, organizer):
    """Bounds kept for later are still bounds: a lowest rate above the highest is said on
    its field whether automatic admission is ticked or not, and nothing is saved."""
    perf = make_performance()
    client.force_login(organizer)
    form = {"performance": perf.pk, "enabled": "on", "opens_at_0": timezone.localtime().strftime("%Y-%m-%d"),
            "opens_at_1": timezone.localtime().strftime("%H:%M:%S"), "admit_per_minute": 600,
            "min_per_minute": 500, "max_per_minute": 100, "pass_minutes": 15}
    response = client.post("/admin/sales/waitingroom/add/", form)
    assert response.status_code == 200 and "The upper bound is below the lower one." in response.content.decode()
    assert not WaitingRoom.objects.exists()
    # Unticked, one bound or none is fine: they are only needed once it is ticked.
    response = client.post("/admin/sales/waitingroom/add/", {**form, "max_per_minute": ""})
    assert response.status_code == 302
    assert WaitingRoom.objects.get(performance=perf).min_per_minute == 500


def test_the_organizer_reads_in_the_admin_whether_the_queue_is_paused_or_sold_out(client, organizer):
    perf = make_performance(rows=2, per_row=5)
    room = automatic_room(perf)
    places = [place.pk for place in places_of(perf)]
    for i in range(0, len(places), 5):
        hold_create(performance=perf, channel=Channel.ONLINE, place_ids=places[i:i + 5])
    admission.watch(perf.pk)
    client.force_login(organizer)
    listing = client.get("/admin/sales/waitingroom/").content.decode()
    assert "Paused: every place left is in a basket" in listing
    url = f"/admin/sales/waitingroom/{room.pk}/change/"
    page = client.get(url, headers={"Accept-Language": "fr"}).content.decode()
    assert "Dans la file\u00a0: 0\u00a0; admis\u00a0: " in page
    assert "En pause\u00a0: toutes les places restantes sont dans des paniers" in page
    Place.objects.filter(performance=perf).update(hold_expires_at=timezone.now() + timedelta(hours=2))
    admission.watch(perf.pk)
    assert "Sold out" in client.get("/admin/sales/waitingroom/").content.decode()
    # A cancelled performance's places are blocked: its queue says so, not "sold out".
    performance_cancel(performance=perf, note="Storm", actor=organizer)
    listing = client.get("/admin/sales/waitingroom/").content.decode()
    assert "Sold out" not in listing and "<td class=\"field-halted\">Cancelled</td>" in listing


def test_a_room_gone_without_the_admin_is_no_longer_watched_and_leaves_no_queue_behind(performance, client):
    """A room deleted by other means than the admin (a performance deleted with it, a
    script) drops out of the watched rooms at the next tick; no queue is written for it."""
    automatic_room(performance)
    WaitingRoom.objects.filter(performance=performance).delete()
    waiting_room.withdraw(performance.pk)  # its queue's config, as the admin removes it
    client.get("/api/v1/performances/")
    r = waiting_room.client()
    assert performance.pk not in {int(pk) for pk in r.smembers(admission.ROOMS)}
    assert not r.exists(waiting_room._keys(performance.pk)["cfg"])
    waiting_room.set_sold_out(performance.pk, True)  # a check that started before the room went
    assert not r.exists(waiting_room._keys(performance.pk)["cfg"])


def test_places_kept_for_the_counter_do_not_keep_the_queue_open(performance, client):
    """The queue's buyers cannot buy a place kept back for another channel: once the only
    free places are the counter's, the queue is sold out."""
    automatic_room(performance)
    places = [place.pk for place in places_of(performance)]
    for i in range(0, len(places) - 3, 10):
        hold_create(performance=performance, channel=Channel.ONLINE, place_ids=places[i:min(i + 10, len(places) - 3)])
    Place.objects.filter(pk__in=places[-3:]).update(allocation=Channel.COUNTER)
    client.get("/api/v1/performances/")
    assert waiting_room.config(performance.pk).soldout


def test_beat_lists_again_the_rooms_the_public_pool_watches(performance):
    """A room whose listing Redis lost (a restart, or a watch in the instant between the
    admin's save and its commit) is listed again by beat's next run."""
    automatic_room(performance)
    waiting_room.client().srem(admission.ROOMS, performance.pk)
    refresh_waiting_rooms()
    assert performance.pk in {int(pk) for pk in waiting_room.client().smembers(admission.ROOMS)}


def test_an_automatic_room_redis_lost_comes_back_automatic_and_its_controller_goes_on(performance):
    """Redis restarted without its data during an automatic room's on-sale: read back from
    the database when the next visitor comes, the room is automatic again, within the
    organizer's bounds, from its starting rate, and its controller decides again; not a
    room at a fixed rate until the organizer saves it."""
    from django.test import Client

    automatic_room(performance, start=600, low=300, high=6000)
    now = time.time()
    buyers(now, 200, 40)
    assert admission.adjust(performance.pk, now=now).per_minute == 1200
    waiting_room.client().flushdb()  # lost, all of it
    assert Client().get(f"/performances/{performance.pk}/queue/").status_code == 200  # read back, queued
    assert rate(performance) == pytest.approx(600)
    auto = admission.state(performance.pk)
    assert auto is not None and (float(auto["min"]), float(auto["max"])) == (300, 6000), auto
    later = now + 2 * admission.TICK_SECONDS
    buyers(later, 200, 40)
    decided = admission.adjust(performance.pk, now=later)
    assert decided is not None and (decided.verdict, decided.per_minute) == ("raised", 1200)
    assert rate(performance) == pytest.approx(1200)


def test_a_failure_while_watching_never_replaces_the_buyers_answer(performance, client, monkeypatch):
    """The watch runs in a buyer's request after its answer was made: a database gone, or
    any other failure, is logged, and the buyer still gets the answer."""
    from django.db import InterfaceError

    automatic_room(performance)

    def gone(*perf_ids, now=None):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(admission, "watch", gone)
    response = client.get("/api/v1/performances/")
    assert response.status_code == 200 and response.json()



def rows_read(*tables: str) -> int:
    """Rows this transaction has read from these tables so far, by any scan."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)"
                       " FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)", [list(tables)])
        return cursor.fetchone()[0]


def test_watching_a_sold_out_show_reads_a_few_rows_however_large_the_hall():
    """After an on-sale its room stays enabled on a sold-out performance, watched every two
    seconds: whether a place is free, and how many of the queue's holds are live, must be
    answered from an index range, without reading the hall's places or its phone
    reservations (which hold places, and stay live for days)."""
    from django.db import connection

    perf = make_performance(rows=20, per_row=60)
    automatic_room(perf)
    places = [place.pk for place in places_of(perf)]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=places[:1])
    Hold.objects.bulk_create(Hold(performance=perf, channel=Channel.PHONE, expires_at=hold.expires_at)
                             for _ in range(600))
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE sales_place SET state = 'held', hold_id = phone.id, hold_expires_at = phone.expires_at
            FROM (SELECT id, expires_at, row_number() OVER (ORDER BY id) AS n FROM sales_hold
                  WHERE performance_id = %(perf)s AND channel = 'phone') AS phone,
                 (SELECT id, row_number() OVER (ORDER BY id) AS n FROM sales_place
                  WHERE performance_id = %(perf)s AND state = 'available') AS place
            WHERE sales_place.id = place.id AND place.n = phone.n""", {"perf": perf.pk})
        cursor.execute("UPDATE sales_place SET state = 'blocked' WHERE performance_id = %s AND state = 'available'",
                       [perf.pk])  # the rest as good as sold
        # On tables this small the planner may as well read them whole; in an inventory
        # of hundreds of thousands of places it takes an index, and the question is then
        # how many rows that index leaves it to read.
        cursor.execute("ANALYZE sales_place, sales_hold")
        cursor.execute("SET LOCAL enable_seqscan = off")

    before = {table: rows_read(table) for table in ("sales_place", "sales_hold")}
    admission.watch(perf.pk)
    read = {table: rows_read(table) - n for table, n in before.items()}
    assert waiting_room.config(perf.pk).soldout
    assert admission.measures(perf.pk, time.time()).holds == 1
    assert read["sales_place"] <= 5 and read["sales_hold"] <= 5, f"rows read for 1,200 places and 600 holds: {read}"


def test_the_time_a_buyer_waits_on_the_payment_provider_is_not_counted_as_the_box_offices(monkeypatch):
    """A slow provider is slow whatever the rate of admission: lowering the rate for it
    would only sell slower. The order counts its own time, without the provider's."""
    from rest_framework.test import APIClient

    from sales.payments import SLOW, TestCardProvider
    from tests.support import BUYER

    monkeypatch.setattr(TestCardProvider, "slow_seconds", 1.2)
    admission.forget()
    perf = make_performance(rows=1, per_row=4)
    client = APIClient()
    now = time.time()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]}, format="json")
    assert hold.status_code == 201, hold.content
    order = client.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER,
                                            "payment": {"method": "test_card", "card_number": SLOW}}, format="json")
    assert order.status_code == 201, order.content
    assert time.time() - now >= 1.2  # the buyer did wait
    admission.flush()
    seen = admission.measures(perf.pk, time.time())
    assert seen.requests == 2 and seen.errors == 0
    assert seen.p99_ms <= 500
