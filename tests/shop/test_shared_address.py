"""Buyers behind one public address (a mobile carrier's NAT, a campus, an office): once
the queue has let them in, each counts the per-address limits (holds and payments a
minute, code tries, places held at once) on its own pass, by the shop and by the API.
Without a valid pass for the performance, the address counts, as it always did."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.test import Client
from rest_framework.test import APIClient

from sales import waiting_room
from sales.models import Hold, Order, PromoCode
from tests.shop.test_shop_prices import nonce_of, text_of
from tests.shop.test_waiting_room import room_for
from tests.support import card_token, make_performance, places_of
from tests.test_security import in_one_clock_minute

pytestmark = pytest.mark.django_db
CARRIER = "198.51.100.44"  # one address for a whole carrier's subscribers
CARD = {"method": "test_card", "card_number": "4242424242424242"}
REFUSED = "Too many attempts from your network"


def admitted(perf) -> Client:
    """A buyer behind the carrier's address, let in by the queue: their browser has its pass."""
    shopper = Client(REMOTE_ADDR=CARRIER)
    for _ in range(40):
        if shopper.get(f"/performances/{perf.pk}/queue/").status_code == 302:
            assert f"wr_pass_{perf.pk}" in shopper.cookies
            return shopper
        time.sleep(0.05)
    raise AssertionError("never let in")


def forged(perf) -> str:
    return signing.dumps({"p": perf.pk, "v": "forger", "a": time.time()}, key="not-our-secret",
                         salt=waiting_room.PASS_SALT)


def test_forty_buyers_let_in_behind_one_address_each_hold_and_pay_in_the_shop(performance):
    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=6000)
    seats = places_of(performance)
    shoppers = [admitted(performance) for _ in range(40)]
    in_one_clock_minute(30)
    held = [shopper.post(f"/performances/{performance.pk}/hold/", {"seats": str(seats[i].pk)})
            for i, shopper in enumerate(shoppers)]
    # One address, 40 holds in a minute (its limit is 30) and 40 places held at once (its cap
    # is three orders of ten): each pass counts its own.
    assert [answer["Location"] for answer in held] == ["/basket/"] * 40
    assert Hold.objects.filter(status=Hold.Status.ACTIVE).count() == 40
    nonces = [nonce_of(shopper.get("/basket/").content.decode()) for shopper in shoppers]
    in_one_clock_minute(40)
    for i, (shopper, nonce) in enumerate(zip(shoppers, nonces, strict=True)):
        paid = shopper.post("/checkout/", {"name": "Ana", "email": f"ana{i}@example.org", "nonce": nonce,
                                           "card_token": card_token()})
        assert paid.status_code == 302, text_of(paid.content.decode())[:500]
    assert Order.objects.filter(status=Order.Status.PAID).count() == 40  # 20 payments a minute each, not in all


def test_without_a_queue_the_shop_counts_the_address_whatever_pass_it_is_sent(performance):
    elsewhere = make_performance()
    room_for(elsewhere, opens_in=timedelta(seconds=-1))
    seats = places_of(performance)
    in_one_clock_minute()
    for i in range(31):
        shopper = Client(REMOTE_ADDR=CARRIER)  # each a browser of its own, at the carrier's address
        shopper.cookies[f"wr_pass_{performance.pk}"] = waiting_room.issue_pass(elsewhere.pk, f"elsewhere-{i}")
        shopper.post(f"/performances/{performance.pk}/hold/", {"seats": str(seats[i].pk)})
    assert Hold.objects.count() == 30
    assert REFUSED in shopper.get(f"/performances/{performance.pk}/").content.decode()


def test_each_buyer_let_in_behind_one_address_has_their_own_code_tries_in_the_shop(performance):
    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=6000)
    seats = places_of(performance)
    guesser, neighbour = admitted(performance), admitted(performance)
    for shopper, seat in ((guesser, seats[0]), (neighbour, seats[1])):
        assert shopper.post(f"/performances/{performance.pk}/hold/", {"seats": str(seat.pk)})["Location"] == "/basket/"
    in_one_clock_minute()
    tries = [guesser.post("/basket/", {"promo_code": f"GUESS{i}"}).content.decode() for i in range(31)]
    assert not any(REFUSED in page for page in tries[:30]) and REFUSED in tries[30]
    found = text_of(neighbour.post("/basket/", {"promo_code": "ete10"}).content.decode())
    assert REFUSED not in found and "Discount (ETE10)" in found


def test_forty_buyers_let_in_behind_one_address_each_hold_and_pay_through_the_api(performance):
    room_for(performance, opens_in=timedelta(seconds=-1))
    seats = places_of(performance)
    passes = [{"X-Queue-Pass": waiting_room.issue_pass(performance.pk, f"carrier-{i}")} for i in range(40)]
    api = APIClient(REMOTE_ADDR=CARRIER)
    in_one_clock_minute(30)
    holds = [api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[i].pk]}, format="json",
                      headers=queue_pass) for i, queue_pass in enumerate(passes)]
    assert [answer.status_code for answer in holds] == [201] * 40, holds[-1].content
    in_one_clock_minute(30)
    orders = [api.post("/api/v1/orders/", {"hold": hold.json()["token"], "payment": CARD,
                                           "customer": {"name": "Ana", "email": f"ana{i}@example.org"}},
                       format="json", headers=queue_pass) for i, (hold, queue_pass) in enumerate(zip(holds, passes,
                                                                                                     strict=True))]
    assert [answer.status_code for answer in orders] == [201] * 40, orders[-1].content


def test_a_full_order_each_for_buyers_let_in_behind_one_address_through_the_api(performance):
    """The cap on places held at once (three orders of the ticket limit) counts each pass."""
    room_for(performance, opens_in=timedelta(seconds=-1))
    zone = performance.price_zones.get().pk
    api = APIClient(REMOTE_ADDR=CARRIER)
    holds = [api.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 10},
                      format="json", headers={"X-Queue-Pass": waiting_room.issue_pass(performance.pk, f"family-{i}")})
             for i in range(5)]
    assert [answer.status_code for answer in holds] == [201] * 5, holds[-1].content
    assert performance.places.filter(state="held").count() == 50


def test_a_forged_copied_expired_or_other_performances_pass_counts_against_the_address(performance):
    room_for(performance, opens_in=timedelta(seconds=-1))
    elsewhere = make_performance()
    room_for(elsewhere, opens_in=timedelta(seconds=-1))
    copied = waiting_room.issue_pass(performance.pk, "first-used-elsewhere")
    assert APIClient(REMOTE_ADDR="192.0.2.99").post(  # bound to the address that used it first
        "/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[99].pk]},
        format="json", headers={"X-Queue-Pass": copied}).status_code == 201
    expired = waiting_room.issue_pass(performance.pk, "an-hour-ago", admitted_at=time.time() - 3600)
    wrong = [forged(performance), copied, expired, waiting_room.issue_pass(elsewhere.pk, "elsewhere")]
    seats = places_of(performance)
    api = APIClient(REMOTE_ADDR=CARRIER)

    def hold(i, queue_pass=None):
        return api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[i].pk]}, format="json",
                        headers={"X-Queue-Pass": queue_pass} if queue_pass else {})

    in_one_clock_minute()
    refused = [hold(i, wrong[i % 4]) for i in range(30)]
    assert {answer.status_code for answer in refused} == {403}  # not let in, and counted on the address
    for queue_pass in [*wrong, None]:
        answer = hold(30, queue_pass)
        assert answer.status_code == 429 and answer.json()["error"]["code"] == "rate_limited"
    assert hold(30, waiting_room.issue_pass(performance.pk, "let-in")).status_code == 201  # a pass of its own


def test_passes_given_again_to_one_visitor_share_one_budget(performance):
    """A visitor let in is given a new pass at each poll: each is the same admission."""
    room_for(performance, opens_in=timedelta(seconds=-1))
    seats = places_of(performance)
    api = APIClient(REMOTE_ADDR=CARRIER)
    in_one_clock_minute()
    answers = []
    for i in range(31):
        answers.append(api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[i].pk]},
                                format="json", headers={"X-Queue-Pass": waiting_room.issue_pass(
                                    performance.pk, "polling", admitted_at=time.time() - i)}))
    assert [answer.status_code for answer in answers[:30]] == [201] * 30
    assert answers[30].status_code == 429


def test_without_a_queue_the_api_counts_the_address_whatever_pass_it_is_sent(performance):
    seats = places_of(performance)
    api = APIClient(REMOTE_ADDR=CARRIER)
    in_one_clock_minute()
    answers = [api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[i].pk]}, format="json",
                        headers={"X-Queue-Pass": forged(performance)}) for i in range(31)]
    assert [answer.status_code for answer in answers[:30]] == [201] * 30
    assert answers[30].status_code == 429


def test_each_buyer_let_in_behind_one_address_has_their_own_code_tries_through_the_api(performance):
    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    room_for(performance, opens_in=timedelta(seconds=-1))
    seats = places_of(performance)
    api = APIClient(REMOTE_ADDR=CARRIER)
    guesser, neighbour = ({"X-Queue-Pass": waiting_room.issue_pass(performance.pk, v)} for v in ("guesser", "next"))
    mine, theirs = (api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seat.pk]}, format="json",
                             headers=queue_pass).json()["token"]
                    for seat, queue_pass in ((seats[0], guesser), (seats[1], neighbour)))

    def quote(token, code, headers=None):
        return api.post(f"/api/v1/holds/{token}/quote/", {"promo_code": code}, format="json", headers=headers or {})

    in_one_clock_minute()
    guesses = [quote(mine, f"GUESS{i}", guesser).status_code for i in range(31)]
    assert guesses == [400] * 30 + [429]
    assert quote(theirs, "ETE10", neighbour).status_code == 200
    # Without a pass, or with a forged one, the address counts: 30 tries, then no more.
    assert [quote(theirs, f"GUESS{i}").status_code for i in range(30)] == [400] * 30
    assert quote(theirs, "ETE10", {"X-Queue-Pass": forged(performance)}).status_code == 429
    assert quote(theirs, "ETE10").status_code == 429
    assert quote(theirs, "ETE10", neighbour).status_code == 200


def test_each_buyer_let_in_behind_one_address_confirms_payments_on_their_own_pass(performance):
    """The bank's confirmation (30 a minute) counts each valid pass on its own too. Which
    budget a confirmation counts is read from the pass alone, never from the order it names:
    an order code that exists and one that does not are counted, and answered, alike."""
    room_for(performance, opens_in=timedelta(seconds=-1))
    guesser, neighbour = ({"X-Queue-Pass": waiting_room.issue_pass(performance.pk, v)} for v in ("guesser", "next"))
    api = APIClient(REMOTE_ADDR=CARRIER)
    hold = api.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                    format="json", headers=neighbour).json()["token"]
    code = api.post("/api/v1/orders/", {"hold": hold, "payment": CARD, "customer": {"name": "Ana", "email":
                    "ana@example.org"}}, format="json", headers=neighbour).json()["code"]

    def confirm(order_code, headers=None):
        return api.post(f"/api/v1/orders/{order_code}/confirm-payment/", {"client_secret": "x"}, format="json",
                        headers=headers or {})

    in_one_clock_minute(40)
    assert [confirm(f"Z{i:07d}", guesser).status_code for i in range(30)] == [404] * 30
    over = [confirm(code, guesser), confirm("ZZZZZZZZ", guesser)]
    assert [answer.status_code for answer in over] == [429, 429] and over[0].json() == over[1].json()
    known, unknown = confirm(code, neighbour), confirm("ZZZZZZZZ", neighbour)
    assert known.status_code == unknown.status_code == 404 and known.json() == unknown.json()
    # Without a pass, or with a forged one, the address counts: 30 confirmations, then no more.
    assert [confirm(f"Y{i:07d}").status_code for i in range(30)] == [404] * 30
    assert confirm(code, {"X-Queue-Pass": forged(performance)}).status_code == 429
    assert confirm("ZZZZZZZZ").status_code == 429
    assert confirm("ZZZZZZZZ", neighbour).status_code == 404


def test_one_address_tries_a_bounded_number_of_codes_however_many_passes_it_gathers(performance, settings):
    """Each pass has its own code tries, but the passes one address gathers do not multiply
    them without end: the address has a ceiling over all of them, ten a minute for each new
    visitor it may bring into a queue in a minute. Another address is not touched by it."""
    settings.QUEUE_NEW_VISITORS_PER_NETWORK = 6  # a ceiling of 60 tries: two passes' budgets
    room_for(performance, opens_in=timedelta(seconds=-1))
    seats = places_of(performance)
    api, elsewhere = APIClient(REMOTE_ADDR=CARRIER), APIClient(REMOTE_ADDR="203.0.113.9")
    passes = [{"X-Queue-Pass": waiting_room.issue_pass(performance.pk, f"gathered{i}")} for i in range(3)]
    tokens = [api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seat.pk]}, format="json",
                       headers=queue_pass).json()["token"] for seat, queue_pass in zip(seats, passes, strict=False)]
    other_pass = {"X-Queue-Pass": waiting_room.issue_pass(performance.pk, "elsewhere")}
    theirs = elsewhere.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[3].pk]},
                            format="json", headers=other_pass).json()["token"]

    def quote(client, token, code, headers):
        return client.post(f"/api/v1/holds/{token}/quote/", {"promo_code": code}, format="json",
                           headers=headers).status_code

    in_one_clock_minute()
    for token, queue_pass in zip(tokens[:2], passes[:2], strict=True):
        assert [quote(api, token, f"GUESS{i}", queue_pass) for i in range(30)] == [400] * 30
    answer = api.post(f"/api/v1/holds/{tokens[2]}/quote/", {"promo_code": "GUESS"}, format="json",
                      headers=passes[2])
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "rate_limited"
    assert quote(elsewhere, theirs, "GUESS", other_pass) == 400


def test_one_address_confirms_a_bounded_number_of_payments_however_many_passes_it_gathers(performance, settings):
    """Each pass has its own 30 confirmations a minute, but one address gathering passes
    does not multiply them without end: the address has the same ceiling over all of them
    as for code tries. Another address is not touched by it."""
    settings.QUEUE_NEW_VISITORS_PER_NETWORK = 6  # a ceiling of 60 confirmations: two passes' budgets
    room_for(performance, opens_in=timedelta(seconds=-1))
    api, elsewhere = APIClient(REMOTE_ADDR=CARRIER), APIClient(REMOTE_ADDR="203.0.113.9")
    passes = [{"X-Queue-Pass": waiting_room.issue_pass(performance.pk, f"gathered{i}")} for i in range(3)]

    def confirm(client, order_code, headers):
        return client.post(f"/api/v1/orders/{order_code}/confirm-payment/", {"client_secret": "x"}, format="json",
                           headers=headers)

    in_one_clock_minute()
    for queue_pass in passes[:2]:
        assert [confirm(api, f"Z{i:07d}", queue_pass).status_code for i in range(30)] == [404] * 30
    answer = confirm(api, "ZZZZZZZZ", passes[2])
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "rate_limited"
    assert 0 < int(answer["Retry-After"]) <= 60
    other_pass = {"X-Queue-Pass": waiting_room.issue_pass(performance.pk, "elsewhere")}
    assert confirm(elsewhere, "ZZZZZZZZ", other_pass).status_code == 404


def test_the_shops_bank_step_confirms_a_bounded_number_of_payments_an_address(performance):
    """The shop's answer to the bank's question checks a payment's secret with the
    provider: like the API's, one address (without a pass of its own) has 30 of them a
    minute, whatever orders it names; the 31st is told to wait, on a page. Another address
    is not touched by it."""
    guesser, elsewhere = Client(REMOTE_ADDR=CARRIER), Client(REMOTE_ADDR="203.0.113.9")
    in_one_clock_minute()
    tries = [guesser.post(f"/checkout/Z{i:07d}/bank/", {"client_secret": "x"}).status_code for i in range(30)]
    assert tries == [404] * 30
    answer = guesser.post("/checkout/ZZZZZZZZ/bank/", {"client_secret": "x"})
    assert answer.status_code == 429 and REFUSED in text_of(answer.content.decode())
    assert 0 < int(answer["Retry-After"]) <= 60
    assert elsewhere.post("/checkout/ZZZZZZZZ/bank/", {"client_secret": "x"}).status_code == 404
