"""Card payments whose answer the network loses: a real proxy (tests.provider_proxy)
between the box office and the local provider lets each request reach the provider, which
does the work, and then loses or holds back its answer. Money and seats agree all the
same: what was taken is sold once or paid back, and the buyer is told which."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings

from events.models import Channel
from sales.errors import PaymentDeclined
from sales.holds import hold_create, hold_is_live
from sales.models import Order, Payment
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from tests.provider_proxy import ProviderProxy
from tests.support import card_token, make_performance, places_of, provider

BUYER = CustomerDetails(name="Carte Bleue", email="carte@example.org")
CONFIRM = r"/v1/payment_intents/pi_\w+/confirm"
DECLINED = "4000000000000341"


@pytest.fixture
def lossy():
    """The provider behind a proxy that loses the answers a test names (`proxy.fault`);
    `retries(n)`: the box office's calls tried `n` more times with the same key, each
    waiting a second at most for its answer."""
    with ProviderProxy(settings.STRIPE_API_BASE) as proxy:
        def retries(n: int):
            return override_settings(STRIPE_API_BASE=proxy.url, STRIPE_TIMEOUT_SECONDS=1, STRIPE_NETWORK_RETRIES=n)
        proxy.retries = retries
        yield proxy


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode().replace("&#x27;", "'")))


def charges_of(intent: str) -> tuple[str, list[int]]:
    """The payment at the provider: its status and the amounts paid back of it."""
    refunds = provider().v1.refunds.list({"payment_intent": intent}).data
    return provider().v1.payment_intents.retrieve(intent).status, [r.amount for r in refunds]


def shop_basket(perf) -> Client:
    shop = Client()
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    return shop


@pytest.mark.django_db
def test_a_payment_taken_whose_answer_was_lost_and_asked_again_is_sold_once(lossy):
    """The provider confirms the payment and its answer is lost; the box office's client
    sends the confirmation again with the same key, which the provider refuses (it has
    confirmed that payment already). The buyer is not told to type their card again while
    the money stays taken: the payment as the provider holds it is the answer."""
    perf = make_performance(rows=1, per_row=4)
    shop = shop_basket(perf)
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(1):
        paid = shop.post("/checkout/", {"name": "Ana", "email": "ana@example.org", "card_token": card_token(),
                                        "nonce": "1"})
    assert lossy.count("POST", CONFIRM) == 2  # sent, its answer lost, and sent again
    assert paid.status_code == 302 and "/orders/" in paid["Location"], text_of(paid)
    order = Order.objects.get()
    assert order.status == "paid" and Payment.objects.filter(order=order, status="approved").count() == 1
    assert charges_of(order.payment_intent) == ("succeeded", [])
    # A card declined whose answer was lost is said declined, and nothing is owed.
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[1].pk])
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(1), pytest.raises(PaymentDeclined, match="declined"):
        order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token(DECLINED)))
    declined = Order.objects.get(hold=hold)
    assert declined.status == "failed" and charges_of(declined.payment_intent)[0] == "requires_payment_method"
    assert hold_is_live(hold)
