"""The shop's light mode: it turns on under pressure and off after calm (hysteresis), an
organizer can force either mode, and in light mode the shop sells by best available with
a seat map that does not refresh, while the staff doors stay as they are."""

import pytest
from django.test import Client, override_settings

from sales import shop_mode
from sales.models import Hold, Organizer, Place
from tests.support import make_performance

pytestmark = pytest.mark.django_db

T0 = 1_900_000_000.0  # a clock of the test's own: the hysteresis is about seconds passing


@pytest.fixture(autouse=True)
def fresh_mode(reset_process_caches):
    shop_mode.reset()
    yield
    shop_mode.reset()


def load(at: float, ms: float, n: int = 50, error: bool = False) -> None:
    for i in range(n):
        shop_mode.record(ms, error, now=at + i / (10 * n))


def mode_at(at: float) -> shop_mode.Mode:
    shop_mode.forget_read()
    return shop_mode.current(now=at)


@override_settings(SHOP_MODE_AUTOMATIC=True)
def test_light_after_sustained_pressure_and_back_after_sustained_calm():
    load(T0, 2500)
    assert not mode_at(T0 + 0.5).light, "one slow moment is not yet a saturation"
    load(T0 + 1, 2500)
    assert not mode_at(T0 + 2).light
    load(T0 + 3, 2500)
    mode = mode_at(T0 + 4)
    assert mode.light and "p95" in mode.why
    # Still slow a while; then calm, but not for long enough: light stays.
    load(T0 + 14.5, 80)
    assert mode_at(T0 + 15).light
    load(T0 + 30, 80)
    assert mode_at(T0 + 30.5).light, "calm for 15 s only: no flapping back"
    load(T0 + 45, 80)
    assert not mode_at(T0 + 46).light
    assert [what.split()[0] for _at, what in shop_mode.switches()] == ["light", "normal"]


@override_settings(SHOP_MODE_AUTOMATIC=True)
def test_one_shopper_with_slow_pages_is_no_crowd():
    """Three slow pages a second for six seconds (one shopper on a busy machine, failing
    ones among them): too few requests to say the shop is saturated."""
    for second in range(6):
        load(T0 + second, 2500, n=2)
        load(T0 + second, 2500, n=1, error=True)
        assert not mode_at(T0 + second + 0.5).light
    assert shop_mode.switches() == []


def test_processes_seeing_the_pressure_at_once_switch_the_mode_once():
    """Two web processes read the same state and both find the pressure long enough: one
    switch, logged once."""
    r = shop_mode.waiting_room.client()
    r.hset(shop_mode.KEY, mapping={"pressed_since": f"{T0}"})
    seen = r.hgetall(shop_mode.KEY)
    for _process in range(2):
        assert shop_mode._step(r, dict(seen), T0 + 4, True, False, "slow").light
    assert [what for _at, what in shop_mode.switches()] == ["light slow"]


@override_settings(SHOP_MODE_AUTOMATIC=True)
def test_errors_alone_make_it_light():
    for second in range(5):
        load(T0 + second, 50, n=90)
        load(T0 + second, 50, n=10, error=True)
        mode = mode_at(T0 + second + 0.5)
    assert mode.light and "failing" in mode.why


@override_settings(SHOP_MODE_AUTOMATIC=True)
def test_an_organizer_forcing_normal_wins_over_pressure_and_light_wins_over_calm():
    shop_mode.force(shop_mode.NORMAL)
    for second in range(6):
        load(T0 + second, 3000)
        assert not mode_at(T0 + second + 0.5).light
    shop_mode.force(shop_mode.LIGHT)
    assert mode_at(T0 + 7).light and mode_at(T0 + 7).forced
    shop_mode.force(shop_mode.AUTO)
    assert not mode_at(T0 + 60).forced


@override_settings(SHOP_MODE_AUTOMATIC=True)
def test_automatic_admission_at_its_upper_bound_with_people_waiting_makes_it_light(performance):
    """Buyers served fast, but the waiting room would admit faster than the organizer's
    upper bound while people wait: the crowd outruns what the venue lets in, and the shop
    goes light. At the bound with nobody waiting, nothing is under pressure."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from sales import admission, waiting_room
    from sales.models import WaitingRoom

    room = WaitingRoom.objects.create(performance=performance, opens_at=timezone.now() - timedelta(seconds=1),
                                      admit_per_minute=600, automatic=True, min_per_minute=300, max_per_minute=600)
    admission.publish(room)

    def fast_buyers_and_a_decision(now):
        for _ in range(100):
            admission.record(20, False, now=now)
        admission.flush(now=now)
        return admission.adjust(performance.pk, now=now)

    now = time.time()
    d = fast_buyers_and_a_decision(now)
    assert (d.verdict, d.cause, d.per_minute) == ("kept", "bound", 600)
    for second in range(6):  # at the bound, but nobody waits past the frontier
        assert not mode_at(T0 + second).light
    for _ in range(60):
        waiting_room.join(performance.pk, waiting_room.new_visitor(), now=now)
    assert fast_buyers_and_a_decision(now + admission.TICK_SECONDS + 0.1).cause == "bound"
    assert not mode_at(T0 + 10).light
    mode = mode_at(T0 + 13.5)
    assert mode.light and "upper bound" in mode.why


def test_the_automatic_mode_can_be_switched_off():
    for second in range(6):
        load(T0 + second, 3000)
        assert not mode_at(T0 + second + 0.5).light


def test_light_shop_sells_by_best_available_and_says_so_while_staff_pages_stay(
        admin_client, clerk, django_capture_on_commit_callbacks):
    perf = make_performance(rows=4, per_row=10)
    page = Client().get(f"/performances/{perf.pk}/").content.decode()
    assert 'hx-trigger="every' in page and "light-mode" not in page

    # The organizer forces light mode in the admin.
    organizer = Organizer.load()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/sales/organizer/{organizer.pk}/change/", {
            "name": organizer.name, "address": "", "shop_mode": "light",
            "tax_rates-TOTAL_FORMS": "0", "tax_rates-INITIAL_FORMS": "0",
            "fee_rules-TOTAL_FORMS": "0", "fee_rules-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    shop_mode.forget_read()

    shopper = Client()
    page = shopper.get(f"/performances/{perf.pk}/").content.decode()
    assert 'id="light-mode"' in page
    assert 'hx-trigger="every' not in page, "no live refresh of the seat map in light mode"
    assert "Find seats" in page and "40 of 40 seats left" in page
    # Best available still sells.
    shopper.post(f"/performances/{perf.pk}/hold/", {"zone": perf.price_zones.get().pk, "quantity": 2})
    assert Place.objects.filter(hold=Hold.objects.get()).count() == 2
    # The map's counts come from a cache a few seconds old: the hold is not yet in them.
    assert "40 of 40 seats left" in shopper.get(f"/performances/{perf.pk}/").content.decode()
    assert "light" in admin_client.get(f"/admin/sales/organizer/{organizer.pk}/change/").content.decode()

    staff = Client()
    staff.force_login(clerk)
    counter = staff.get("/counter/").content.decode()
    assert 'id="light-mode"' not in counter


def test_the_mode_history_is_in_the_organizers_words_and_only_a_change_of_mode_is_logged(
        admin_client, django_capture_on_commit_callbacks):
    organizer = Organizer.load()
    url = f"/admin/sales/organizer/{organizer.pk}/change/"
    form = {"name": organizer.name, "address": "", "tax_rates-TOTAL_FORMS": "0", "tax_rates-INITIAL_FORMS": "0",
            "fee_rules-TOTAL_FORMS": "0", "fee_rules-INITIAL_FORMS": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {**form, "shop_mode": "light"})
        admin_client.post(url, {**form, "shop_mode": "light", "name": "Another name"})  # the mode unchanged
    assert [what for _at, what in shop_mode.switches()] == ["forced light"]
    page = admin_client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "l’organisateur a choisi allégé" in page.replace("&#x27;", "'") and "forced" not in page
