"""Stripe's documented decline test cards, paid with as a newcomer would (no customer, the
card straight into a PaymentIntent), are declined by the local provider as Stripe declines
them: through each door that takes a card, with the reason the buyer reads, the seats
still held and nothing sold."""

from __future__ import annotations

import json
import re

import pytest
import requests
from django.conf import settings
from django.test import Client

from sales.errors import PaymentDeclined
from sales.holds import hold_is_live
from sales.models import Hold, Order, Place
from sales.orders import order_place
from tests.sales.test_card_payments import BUYER, card, held
from tests.sales.test_phone_card_payments import console_sale, text_of
from tests.support import BUYER as API_BUYER
from tests.support import assert_error, card_token, client_for, make_performance, places_of

pytestmark = pytest.mark.django_db
GENERIC_DECLINE = "4000000000000002"


def nothing_sold(perf) -> bool:
    return not Place.objects.filter(performance=perf, state="sold").exists() and not Order.objects.filter(
        status="paid").exists()


def test_the_provider_answers_each_decline_card_as_stripe_does():
    """The wire itself: HTTP 402, a card_error with Stripe's code and decline code, and the
    PaymentIntent left waiting for another card with that error as its last one."""
    base, key = settings.STRIPE_API_BASE, {"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"}
    cases = {
        GENERIC_DECLINE: ("card_declined", "generic_decline", "Your card was declined."),
        "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
        "4000000000000069": ("expired_card", None, "Your card has expired."),
        "4000000000000127": ("incorrect_cvc", None, "Your card's security code is incorrect."),
    }
    for number, (code, decline_code, message) in cases.items():
        token = requests.get(f"{base}/v1/tokens/{card_token(number)}", headers=key, timeout=5).json()
        intent = requests.post(f"{base}/v1/payment_intents", headers=key, timeout=5, data={
            "amount": 1000, "currency": "eur", "payment_method": token["card"]["id"]}).json()
        answer = requests.post(f"{base}/v1/payment_intents/{intent['id']}/confirm", headers=key, timeout=5)
        assert answer.status_code == 402, (number, answer.text)
        error = answer.json()["error"]
        assert (error["type"], error["code"], error.get("decline_code"), error["message"]) == (
            "card_error", code, decline_code, message), (number, error)
        held_intent = requests.get(f"{base}/v1/payment_intents/{intent['id']}", headers=key, timeout=5).json()
        last = held_intent["last_payment_error"]
        assert held_intent["status"] == "requires_payment_method", number
        assert (last["type"], last["code"], last.get("decline_code")) == ("card_error", code, decline_code), number
    # A good card is still taken.
    token = requests.get(f"{base}/v1/tokens/{card_token()}", headers=key, timeout=5).json()
    intent = requests.post(f"{base}/v1/payment_intents", headers=key, timeout=5, data={
        "amount": 1000, "currency": "eur", "payment_method": token["card"]["id"], "confirm": "true"}).json()
    assert intent["status"] == "succeeded", json.dumps(intent)


def test_the_shop_declines_stripes_generic_decline_card_and_keeps_the_seats(client):
    perf = make_performance(rows=1, per_row=4)
    seats = places_of(perf)[:2]
    client.post(f"/performances/{perf.pk}/hold/", {"seats": ",".join(str(p.pk) for p in seats)})
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
    answer = client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                                        "card_token": card_token(GENERIC_DECLINE)})
    assert answer.status_code == 402, answer.status_code
    assert "Payment declined: your card was declined. Your seats are still held." in text_of(answer)
    assert {p.state for p in Place.objects.filter(pk__in=[p.pk for p in seats])} == {"held"}
    assert Order.objects.get().status == "failed" and hold_is_live(Hold.objects.get()) and nothing_sold(perf)


def test_the_api_declines_stripes_generic_decline_card_and_keeps_the_hold():
    perf = make_performance(rows=1, per_row=4)
    client = client_for()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                       format="json").json()
    answer = client.post("/api/v1/orders/", {"hold": hold["token"], "customer": API_BUYER,
                                             "payment": {"method": "card", "token": card_token(GENERIC_DECLINE)}},
                         format="json")
    error = assert_error(answer, 402, "payment_declined")
    assert "Your card was declined" in error["message"], error
    assert hold_is_live(Hold.objects.get(token=hold["token"])) and nothing_sold(perf)


def test_a_payment_link_declines_stripes_generic_decline_card_and_stays_reserved():
    from datetime import timedelta

    from django.utils import timezone

    perf = make_performance(rows=1, per_row=4)
    phone, url, hold = console_sale(perf)
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "link", "deadline": when, "language": "en"})
    order = Order.objects.get()
    answer = Client().post(f"/orders/{order.code}/{order.access_token}/pay/",
                           {"card_token": card_token(GENERIC_DECLINE)})
    assert answer.status_code == 402 and "Payment declined: your card was declined." in text_of(answer)
    assert Order.objects.get(pk=order.pk).status == "reserved" and hold_is_live(hold) and nothing_sold(perf)


def test_the_phone_console_declines_stripes_generic_decline_card_and_keeps_the_seats():
    perf = make_performance(rows=1, per_row=4)
    phone, url, hold = console_sale(perf)
    answer = phone.post(url, {"action": "pay", "card_token": card_token(GENERIC_DECLINE), "attempt": "1"})
    assert answer.status_code == 400, answer.status_code  # the console's refusals are its form's errors
    assert "Payment declined: your card was declined. The seats are still held." in text_of(answer)
    assert hold_is_live(hold) and nothing_sold(perf)


@pytest.mark.parametrize("number, reason", [
    ("4000000000009995", "Your card has insufficient funds."),
    ("4000000000000069", "Your card has expired."),
    ("4000000000000127", "Your card's security code is incorrect."),
    ("4000000000009987", "Your card was declined."),  # lost: Stripe tells the buyer no more
])
def test_the_other_decline_cards_give_their_reasons(number, reason):
    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    with pytest.raises(PaymentDeclined) as declined:
        order_place(hold=hold, customer=BUYER, payment=card(number))
    assert declined.value.message == reason
    order = Order.objects.get()
    assert order.status == "failed" and order.payments.get().status == "declined"
    assert hold_is_live(hold) and nothing_sold(perf)


def test_the_card_fields_hint_names_the_cards_the_readme_names():
    """The test cards a buyer reads under the card field are those the README lists: one
    card that approves, one that is declined, one that asks the bank."""
    from pathlib import Path

    from sales.channels.forms import card_field_context

    hint = str(card_field_context()["card_test_help"])
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    approves, declined = (re.search(rf"`(\d{{16}})` {word}", readme)[1] for word in ("approves", "is declined"))
    assert f"{approves} approves" in hint and f"{declined} is declined" in hint
    assert declined == GENERIC_DECLINE
