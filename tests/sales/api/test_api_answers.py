"""What an integration reads in the API's answers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support import BUYER, CARD, card_token, client_for, drawer, places_of

pytestmark = pytest.mark.django_db


def _hold(client, perf, n=1) -> str:
    ids = [p.pk for p in places_of(perf, state="available")[:n]]
    made = client.post("/api/v1/holds/", {"performance": perf.pk, "places": ids}, format="json")
    assert made.status_code == 201, made.content
    return made.json()["token"]


def _order(client, perf, payment, **headers):
    return client.post("/api/v1/orders/", {"hold": _hold(client, perf), "customer": BUYER, "payment": payment},
                       format="json", headers=headers)


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
