"""One client network may hold at most HELD_BASKETS_PER_NETWORK full orders' worth of a
performance's places at once online (sales.network_holds): a client taking new holds as
fast as the per-minute limit lets it, each from a new session, cannot keep a hall held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales.errors import TooManyHeld
from sales.holds import hold_create
from sales.models import Hold, IdempotencyRecord, Place
from sales.roles import ensure_roles
from tests.sales.test_redis_outage import redis_dies  # noqa: F401 - a fixture
from tests.support import BUYER, CARD, assert_error, client_for, make_performance, make_user, places_of, race

pytestmark = pytest.mark.django_db
SPINNER = "203.0.113.77"


def api_hold(perf, address=SPINNER, quantity=4, client=None, **extra):
    client = client or client_for()
    return client.post("/api/v1/holds/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                          "quantity": quantity, **extra},
                       format="json", REMOTE_ADDR=address)


def made(response):
    assert response.status_code == 201, response.content
    return response.json()


def held_places(perf) -> int:
    return Place.objects.filter(performance=perf, state="held").count()


def test_one_address_without_cookies_cannot_hold_more_than_three_orders_of_places_in_the_shop():
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    zone = perf.price_zones.get()
    for _ in range(3):  # each a new session, as a client sending no cookie is
        basket = Client(REMOTE_ADDR=SPINNER).post(f"/performances/{perf.pk}/hold/", {"zone": zone.pk, "quantity": 4})
        assert basket.status_code == 302 and basket["Location"].endswith("/basket/")
    assert held_places(perf) == 12
    refused = Client(REMOTE_ADDR=SPINNER).post(f"/performances/{perf.pk}/hold/", {"zone": zone.pk, "quantity": 1},
                                               follow=True)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Your network already holds 12 places of this performance" in page
    assert "at most 12 at once" in page
    assert held_places(perf) == 12 and Hold.objects.count() == 3  # nothing more held
    # Another address is not held back by it.
    other = Client(REMOTE_ADDR="198.51.100.30").post(f"/performances/{perf.pk}/hold/", {"zone": zone.pk,
                                                                                       "quantity": 4})
    assert other["Location"].endswith("/basket/")
    # Nor is another performance.
    elsewhere = make_performance(rows=1, per_row=10, ticket_limit=4)
    made(api_hold(elsewhere))


def test_the_refusal_reads_in_french():
    perf = make_performance(rows=2, per_row=10, ticket_limit=2)
    for _ in range(3):
        made(api_hold(perf, quantity=2))
    refused = Client(REMOTE_ADDR=SPINNER).post(f"/performances/{perf.pk}/hold/",
                                               {"zone": perf.price_zones.get().pk, "quantity": 1},
                                               headers={"Accept-Language": "fr"}, follow=True)
    assert "Votre réseau retient déjà 6 places de cette représentation" in refused.content.decode()


def test_the_api_refuses_in_its_error_shape_and_keeps_no_answer_for_the_key():
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    for _ in range(3):
        made(api_hold(perf))
    refused = client_for().post(
        "/api/v1/holds/", {"performance": perf.pk, "zone": perf.price_zones.get().pk, "quantity": 1},
        format="json", REMOTE_ADDR=SPINNER, headers={"Idempotency-Key": "spinner-key-00001"})
    error = assert_error(refused, 409, "too_many_held")
    assert error["held"] == 12 and error["limit"] == 12
    assert held_places(perf) == 12 and Hold.objects.count() == 3
    assert not IdempotencyRecord.objects.filter(key="spinner-key-00001").exists()  # may pass later


def test_a_hold_released_sold_or_lapsed_no_longer_counts():
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    api = client_for()
    tokens = [api_hold(perf, client=api).json()["token"] for _ in range(3)]
    assert_error(api_hold(perf, quantity=1, client=api), 409, "too_many_held")

    assert api.delete(f"/api/v1/holds/{tokens[0]}/", REMOTE_ADDR=SPINNER).status_code == 204  # released
    tokens[0] = api_hold(perf, client=api).json()["token"]
    assert_error(api_hold(perf, quantity=1, client=api), 409, "too_many_held")

    order = api.post("/api/v1/orders/", {"hold": tokens[1], "customer": BUYER, "payment": CARD}, format="json",
                     REMOTE_ADDR=SPINNER)
    assert order.status_code == 201 and order.json()["status"] == "paid"  # sold
    tokens[1] = api_hold(perf, client=api).json()["token"]
    assert_error(api_hold(perf, quantity=1, client=api), 409, "too_many_held")

    # Lapsed, and no task has tidied it: it is still `active` in the database.
    past = timezone.now() - timedelta(seconds=1)
    Hold.objects.filter(token=tokens[2]).update(expires_at=past)
    Place.objects.filter(hold__token=tokens[2]).update(hold_expires_at=past)
    assert Hold.objects.get(token=tokens[2]).status == Hold.Status.ACTIVE
    made(api_hold(perf, client=api))
    assert_error(api_hold(perf, quantity=1, client=api), 409, "too_many_held")


def test_a_family_choosing_again_and_again_in_its_basket_is_never_refused():
    """The shop holds the new choice before it lets the old one go: a full basket chosen
    again counts twice for a moment, then once."""
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    family = Client(REMOTE_ADDR=SPINNER)
    for _ in range(6):
        basket = family.post(f"/performances/{perf.pk}/hold/", {"zone": perf.price_zones.get().pk, "quantity": 4})
        assert basket["Location"].endswith("/basket/")
    assert held_places(perf) == 4


def test_a_hold_refused_for_want_of_places_is_not_counted():
    perf = make_performance(rows=2, per_row=10, ticket_limit=4)
    seats = [p.pk for p in places_of(perf)]
    taken = client_for().post("/api/v1/holds/", {"performance": perf.pk, "places": seats[:4]}, format="json",
                              REMOTE_ADDR="198.51.100.31")
    assert taken.status_code == 201
    for _ in range(3):  # 12 places asked for, none had
        refused = client_for().post("/api/v1/holds/", {"performance": perf.pk, "places": seats[:4]}, format="json",
                                    REMOTE_ADDR=SPINNER)
        assert_error(refused, 409, "unavailable")
    for n in range(3):
        made(client_for().post("/api/v1/holds/", {"performance": perf.pk, "places": seats[4 + 4 * n:8 + 4 * n]},
                               format="json", REMOTE_ADDR=SPINNER))


def test_staff_are_not_capped():
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    ensure_roles()
    clerk = client_for(make_user("clerk-cap", "counter clerk"))
    operator = client_for(make_user("operator-cap", "phone operator"))
    for _ in range(4):
        made(api_hold(perf, client=clerk))  # the counter
        made(api_hold(perf, client=operator, channel=Channel.ONLINE))  # staff, online
    assert held_places(perf) == 32


def test_the_addresses_of_one_ipv6_slash_56_count_as_one_network():
    """A home is given a /56: 256 networks of /64, each of which would otherwise hold as
    much as the whole cap."""
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    for address in ("2001:db8:5:600::1", "2001:db8:5:6ff::2", "2001:db8:5:6a0:1::3"):
        made(api_hold(perf, address=address))
    assert_error(api_hold(perf, address="2001:db8:5:601::9", quantity=1), 409, "too_many_held")
    # An IPv4 client written as IPv6 by a dual-stack server is the same as written plainly.
    for _ in range(3):
        made(api_hold(perf, address="::ffff:198.51.100.40"))
    assert_error(api_hold(perf, address="198.51.100.40", quantity=1), 409, "too_many_held")
    # The next /56 is another home.
    made(api_hold(perf, address="2001:db8:5:700::1"))


def test_the_cap_is_the_operators_to_set(settings):
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    settings.HELD_BASKETS_PER_NETWORK = 1
    made(api_hold(perf))
    assert_error(api_hold(perf, quantity=1), 409, "too_many_held")
    settings.HELD_BASKETS_PER_NETWORK = 0  # off
    for _ in range(4):
        made(api_hold(perf))


def test_off_with_the_rate_limits_for_the_benchmarks_whose_buyers_share_one_address(settings):
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    settings.RATE_LIMITS = False
    for _ in range(6):
        made(api_hold(perf))
    assert held_places(perf) == 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_holds_sent_at_once_from_one_network_cannot_all_slip_under_the_cap():
    """Twenty holds of four places from one address, each request on its own connection,
    released together: three fit under the cap of twelve, and only three are made."""
    perf = make_performance(rows=10, per_row=10, ticket_limit=4)
    answers = race(20, lambda i: api_hold(perf))
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 17, [a.content for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"too_many_held"}
    assert held_places(perf) == 12 and Hold.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_holds_sent_at_once_count_each_other_when_lapsed_holds_are_dropped():
    """At the cap, with every counted hold lapsed: the holds sent at once each find the
    lapsed ones to drop, and still only as many are made as fit."""
    perf = make_performance(rows=10, per_row=10, ticket_limit=4)
    zone = perf.price_zones.get()
    for _ in range(3):
        hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=4, network=SPINNER)
    past = timezone.now() - timedelta(seconds=1)
    Hold.objects.update(expires_at=past)
    Place.objects.filter(state="held").update(hold_expires_at=past)
    results = race(20, lambda i: hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=4,
                                             network=SPINNER))
    holds = [r for r in results if isinstance(r, Hold)]
    assert len(holds) == 3, results
    assert all(isinstance(r, TooManyHeld) for r in results if not isinstance(r, Hold)), results


@pytest.mark.django_db(transaction=True)
def test_holds_go_on_uncounted_while_redis_is_away(redis_dies):  # noqa: F811
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    redis_dies()
    for _ in range(4):
        made(api_hold(perf))
    shop = Client(REMOTE_ADDR=SPINNER).post(f"/performances/{perf.pk}/hold/",
                                            {"zone": perf.price_zones.get().pk, "quantity": 4})
    assert shop["Location"].endswith("/basket/")
    assert held_places(perf) == 20


def test_a_service_hold_without_a_network_is_not_capped():
    perf = make_performance(rows=8, per_row=8, ticket_limit=4)
    zone = perf.price_zones.get()
    for _ in range(4):
        hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=4)
    assert held_places(perf) == 16
