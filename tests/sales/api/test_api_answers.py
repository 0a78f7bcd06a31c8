"""What an integration reads in the API's answers: the request's own field named in a
refusal, and the change due said the same way whatever the card."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sales.models import Hold, Order, Payment
from sales.payments import DECLINE
from tests.support import BUYER, CARD, assert_error, card_token, client_for, drawer, places_of

pytestmark = pytest.mark.django_db


def _hold(client, perf, n=1) -> str:
    ids = [p.pk for p in places_of(perf, state="available")[:n]]
    made = client.post("/api/v1/holds/", {"performance": perf.pk, "places": ids}, format="json")
    assert made.status_code == 201, made.content
    return made.json()["token"]


def _order(client, perf, payment, **headers):
    return client.post("/api/v1/orders/", {"hold": _hold(client, perf), "customer": BUYER, "payment": payment},
                       format="json", headers=headers)


# --- the field a refusal names ----------------------------------------------------------

def test_a_card_token_refused_names_the_requests_own_field(performance, operator):
    """The card's token is sent as `payment.token` (`token` when paying a reservation):
    a refusal of it names that field, as a refusal of `tendered` or `email` names those,
    never the pages' `card` field, which no request has. Nothing is sold."""
    buyer = client_for()
    malformed = _order(buyer, performance, {"method": "card", "token": "not-a-token"})
    error = assert_error(malformed, 400, "invalid")
    assert (error["field"], error["message"]) == ("token", "enter the card in the card field")
    unknown = _order(buyer, performance, {"method": "card", "token": "tok_nobodyhasthis"})  # the provider refuses it
    error = assert_error(unknown, 400, "invalid")
    assert (error["field"], error["message"]) == ("token", "the provider could not use this card; enter it again")
    assert not Order.objects.filter(status=Order.Status.PAID).exists() and not Payment.objects.exists()

    phone = client_for(operator)
    assert assert_error(_order(phone, performance, {"method": "card_not_present", "token": "4242"}),
                        400, "invalid")["field"] == "token"
    reserved = phone.post("/api/v1/orders/", {"hold": _hold(phone, performance), "customer": BUYER,
                                              "reserve_until": (timezone.now() + timedelta(days=2)).isoformat()},
                          format="json")
    assert reserved.status_code == 201, reserved.content
    pay = phone.post(f"/api/v1/orders/{reserved.json()['code']}/pay/",
                     {"method": "card_not_present", "token": "pm_"}, format="json")
    assert assert_error(pay, 400, "invalid")["field"] == "token"
    assert Order.objects.get(code=reserved.json()["code"]).status == Order.Status.RESERVED


def test_a_declined_card_is_a_402_without_a_field(performance):
    """A decline is the bank's answer, not a field to correct: no `field`, and the hold kept."""
    declined = _order(client_for(), performance, {"method": "test_card", "card_number": DECLINE})
    assert "field" not in assert_error(declined, 402, "payment_declined")
    assert Hold.objects.get().status == Hold.Status.ACTIVE


# --- change due ---------------------------------------------------------------------------

def test_change_due_is_a_decimal_when_cash_was_tendered_and_null_otherwise(performance, clerk, operator):
    """The answer to a request that took cash says the change to hand back ("0.00" for the
    exact amount); every other answer says null: a card online, a card terminal, a card by
    phone, a reservation, and any answer that took no payment (a read)."""
    counter = client_for(clerk)
    drawer(clerk)
    exact = _order(counter, performance, {"method": "cash", "tendered": "50.00"})
    assert exact.status_code == 201, exact.content
    assert exact.json()["change_due"] == "0.00"
    over = _order(counter, performance, {"method": "cash", "tendered": "60.00"})
    assert over.json()["change_due"] == "10.00"
    terminal = _order(counter, performance, {"method": "card_terminal", "reference": "AUTH-1"})
    assert terminal.status_code == 201, terminal.content
    assert terminal.json()["change_due"] is None
    online = _order(client_for(), performance, {"method": "card", "token": card_token()})
    assert online.status_code == 201, online.content
    assert online.json()["change_due"] is None
    test_card = _order(client_for(), performance, CARD)
    assert test_card.status_code == 201, test_card.content
    assert test_card.json()["change_due"] is None
    phone = client_for(operator)
    by_phone = _order(phone, performance, {"method": "card_not_present", "token": card_token()})
    assert by_phone.status_code == 201, by_phone.content
    assert by_phone.json()["change_due"] is None
    for answer in (exact, over, online):
        assert counter.get(f"/api/v1/orders/{answer.json()['code']}/").json()["change_due"] is None

    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    reserved = [phone.post("/api/v1/orders/", {"hold": _hold(phone, performance), "customer": BUYER,
                                               "reserve_until": deadline}, format="json") for _ in range(2)]
    assert reserved[0].json()["change_due"] is None
    by_card = phone.post(f"/api/v1/orders/{reserved[0].json()['code']}/pay/",
                         {"method": "card_not_present", "token": card_token()}, format="json")
    assert by_card.status_code == 200, by_card.content
    assert by_card.json()["change_due"] is None
    in_cash = counter.post(f"/api/v1/orders/{reserved[1].json()['code']}/pay/",
                           {"method": "cash", "tendered": "50"}, format="json")
    assert in_cash.status_code == 200, in_cash.content
    assert in_cash.json()["change_due"] == "0.00"
