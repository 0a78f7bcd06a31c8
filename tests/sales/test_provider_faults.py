"""Card payments whose answer the network loses: a real proxy (tests.provider_proxy)
between the box office and the local provider lets each request reach the provider, which
does the work, and then loses or holds back its answer. Money and seats agree all the
same: what was taken is sold once or paid back, and the buyer is told which."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from events.models import Channel
from sales.errors import PaymentDeclined, ProviderUnavailable
from sales.holds import hold_create, hold_is_live, hold_release
from sales.models import REFUND_OWED, Hold, Order, Payment
from sales.orders import CustomerDetails, order_cancel, order_place, order_refund, reservations_tidy, tickets_refund
from sales.orders.cancellation import performance_cancel, refund_cancelled
from sales.orders.reservations import order_pay_by_link, order_reserve
from sales.orders.settling import payments_reconcile
from sales.payments import PaymentRequest
from sales.policy import ORGANIZER, PHONE_OPERATOR
from tests.provider_proxy import ProviderProxy
from tests.support import (
    card_token,
    client_for,
    make_performance,
    make_user,
    places_of,
    provider,
    race,
    stripe_signature,
)

BUYER = CustomerDetails(name="Carte Bleue", email="carte@example.org")
CONFIRM = r"/v1/payment_intents/pi_\w+/confirm"
REFUNDS = "/v1/refunds"
DECLINED = "4000000000000341"
THREE_D_SECURE = "4000002500003155"


@pytest.fixture
def lossy():
    """The provider behind a proxy that loses the answers a test names (`proxy.fault`);
    `retries(n)`: the box office's calls tried `n` more times with the same key, each
    waiting `wait` seconds at most for its answer (one: a stalled answer is given up soon)."""
    with ProviderProxy(settings.STRIPE_API_BASE) as proxy:
        def retries(n: int, wait: float = 1):
            return override_settings(STRIPE_API_BASE=proxy.url, STRIPE_TIMEOUT_SECONDS=wait, STRIPE_NETWORK_RETRIES=n)
        proxy.retries = retries
        yield proxy


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode().replace("&#x27;", "'")))


def charges_of(intent: str) -> tuple[str, list[int]]:
    """The payment at the provider: its status and the amounts paid back of it."""
    refunds = provider().v1.refunds.list({"payment_intent": intent}).data
    return provider().v1.payment_intents.retrieve(intent).status, [r.amount for r in refunds]


def checkout_form(nonce: str, number: str = "4242424242424242") -> dict:
    """The shop's checkout form as Ana sends it, paying with a card token of its own (the
    form's `nonce`: one a form shown)."""
    return {"name": "Ana", "email": "ana@example.org", "card_token": card_token(number), "nonce": nonce}


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
        paid = shop.post("/checkout/", checkout_form("1"))
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


@pytest.mark.django_db
def test_payments_made_one_after_another_share_one_connection_to_the_provider(lossy):
    """A web process keeps its connection to the provider between payments: with Stripe
    itself each new one is a TLS handshake (a round trip or two across the continent, and
    its certificate authorities read again) before the card is even sent."""
    perf = make_performance(rows=1, per_row=4)
    cards = [card_token("4242424242424242") for _place in places_of(perf)]  # the buyers' browsers
    with lossy.retries(1, wait=5):
        for number, (place, card) in enumerate(zip(places_of(perf), cards, strict=True)):
            if number == 3:  # lost with its answer, a connection is replaced; the payments go on
                lossy.fault("POST", CONFIRM, "cut")
            hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[place.pk])
            order_place(hold=hold, customer=CustomerDetails(name="Ana", email=f"ana{number}@example.org"),
                        payment=PaymentRequest(method="card", token=card))
            if number == 2:
                assert lossy.count("POST", CONFIRM) == 3 and lossy.connections == 1
    assert Order.objects.filter(status="paid").count() == 4 and lossy.connections == 2


def webhook_told(intent: str) -> None:
    """The provider's webhook, signed, says the payment went through."""
    event = json.dumps({"id": "evt_lost", "object": "event", "type": "payment_intent.succeeded",
                        "data": {"object": {"id": intent, "object": "payment_intent"}}}).encode()
    try:
        answer = Client().post("/payments/stripe/webhook/", event, content_type="application/json",
                               HTTP_STRIPE_SIGNATURE=stripe_signature(event))
        assert answer.status_code == 200
    finally:
        connection.close()  # the webhook's own request, on a thread of its own


@pytest.mark.django_db(transaction=True)
def test_an_order_the_webhook_sold_while_the_answer_was_lost_is_said_paid(lossy):
    """The provider takes the money and sends its webhook, which sells the order, while
    its answer to the request paying is lost: the buyer is told their order is paid (with
    its tickets), not that nothing was sold and to try again."""
    perf = make_performance(rows=1, per_row=4)
    lossy.fault("POST", CONFIRM, "cut", times=2, then=lambda: webhook_told(Order.objects.latest("pk").payment_intent))
    shop = shop_basket(perf)
    # The answer is lost once the webhook has sold the order, however long that takes on a
    # busy machine: the call must not give up waiting before, which is another case.
    with lossy.retries(0, wait=30):
        paid = shop.post("/checkout/", checkout_form("1"))
    assert paid.status_code == 302 and "/orders/" in paid["Location"], text_of(paid)
    api = client_for()
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[1].pk]},
                    format="json").json()
    body = {"hold": held["token"], "customer": {"name": "Bea", "email": "bea@example.org"},
            "payment": {"method": "card", "token": card_token()}}
    with lossy.retries(0, wait=30):
        placed = api.post("/api/v1/orders/", body, format="json")
    assert placed.status_code == 201 and placed.json()["status"] == "paid", placed.content
    for order in Order.objects.all():
        assert order.status == "paid" and order.tickets.count() == 1
        assert Payment.objects.filter(order=order).count() == 1
        assert charges_of(order.payment_intent) == ("succeeded", [])


@pytest.mark.parametrize("how", ["lapsed at its deadline", "cancelled by the operator"])
@pytest.mark.django_db
def test_a_reservation_cancelled_after_its_payments_answer_was_lost_is_paid_back(lossy, how):
    """A payment link's card is taken and the answer lost: the reservation waits for the
    reconciliation to ask. Cancelled first (its deadline passed, or the operator gave it
    up), the money the provider took is paid back all the same."""
    perf = make_performance(rows=1, per_row=4)
    operator = make_user("operator-lost", PHONE_OPERATOR)
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                       place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_reserve(hold=hold, customer=BUYER, deadline=timezone.now() + timedelta(hours=2), actor=operator)
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0), pytest.raises(ProviderUnavailable, match="anything it took is paid back"):
        order_pay_by_link(order=order, access_token=order.access_token,
                          payment=PaymentRequest(method="card", token=card_token()))
    order.refresh_from_db()
    assert order.status == "reserved" and charges_of(order.payment_intent) == ("succeeded", [])
    if how == "lapsed at its deadline":
        Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now())
        assert reservations_tidy() == 1
    else:
        order_cancel(order=order, actor=operator)
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert charges_of(order.payment_intent) == ("succeeded", [10000])
    paid_back = [("refunded", Decimal("100.00"))]
    assert list(Payment.objects.filter(order=order).values_list("status", "amount")) == paid_back
    assert payments_reconcile(now=timezone.now() + timedelta(minutes=3)) == 0  # settled: not asked again
    assert charges_of(order.payment_intent) == ("succeeded", [10000])


@pytest.mark.django_db
def test_a_refund_whose_answer_was_lost_is_paid_back_once(lossy):
    """The provider takes a refund and its answer is lost. Sent again, by the client's own
    retry or by the reconciliation for a refund left owed, the refund is looked for at the
    provider first: the buyer is paid back once, whether or not the provider remembers the
    refund's key (localstripe keeps none; Stripe forgets them after a day)."""
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    lossy.fault("POST", REFUNDS, "cut")
    with lossy.retries(1):
        tickets_refund(order=order, ticket_ids=[order.tickets.order_by("pk").first().pk], actor=None)
    assert charges_of(order.payment_intent) == ("succeeded", [5000])
    # The rest, its answer held back past the wait: owed, then asked about again.
    lossy.fault("POST", REFUNDS, "stall")
    with lossy.retries(0):
        order_refund(order=order)
    assert Payment.objects.filter(order=order, message=REFUND_OWED).count() == 1
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert charges_of(order.payment_intent) == ("succeeded", [5000, 5000])
    assert not Payment.objects.filter(order=order, message=REFUND_OWED).exists()


INTENT = r"/v1/payment_intents/pi_\w+"


def api_order(perf, place, key: str, **more):
    """An API buyer's hold of `place`, and the request paying for it with `key`: call it
    to send it (again)."""
    api = client_for()
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [place.pk]}, format="json").json()
    body = {"hold": held["token"], "customer": {"name": "Bea", "email": "bea@example.org"},
            "payment": {"method": "card", "token": card_token()}, **more}
    return lambda: api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_an_api_retry_with_the_same_key_after_the_answer_was_lost_sells_the_payment_taken(lossy):
    """The provider charges the card and its answer is lost: the order fails, the buyer is
    told the provider did not answer. Sent again with the same key, the request asks the
    provider how that payment stands (still silent: asked again later, nothing changed),
    and sells the seats to it: the card is charged once, and nothing is paid back, by the
    retry or by the reconciliation after it."""
    perf = make_performance(rows=1, per_row=4)
    send = api_order(perf, places_of(perf)[0], "lost-answer-retry-0001")
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0):
        first = send()
    assert first.status_code == 503, first.content
    order = Order.objects.get()
    assert order.status == "failed" and charges_of(order.payment_intent) == ("succeeded", [])
    lossy.fault("GET", INTENT, "cut")
    with lossy.retries(0):
        silent = send()
    assert silent.status_code == 503 and "same idempotency key" in silent.json()["error"]["message"], silent.content
    assert Order.objects.get().status == "failed"
    with lossy.retries(0):
        again = send()
    assert again.status_code == 201, again.content
    assert again.json()["code"] == order.code and again.json()["status"] == "paid"
    assert len(again.json()["tickets"]) == 1
    order.refresh_from_db()
    assert order.status == "paid" and order.failure_reason == "" and order.tickets.filter(status="valid").count() == 1
    assert list(Payment.objects.filter(order=order).values_list("status", "reference")) == [
        ("approved", order.payment_intent)]
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert charges_of(order.payment_intent) == ("succeeded", [])
    assert send().json()["status"] == "paid" and Order.objects.count() == 1  # and again: the same order


@pytest.mark.django_db
def test_a_retry_whose_seats_went_to_another_buyer_is_told_its_payment_was_paid_back(lossy):
    """The answer lost, the hold released and its seat sold to someone else: the retry
    with the same key finds the payment taken, pays it back once, and says so; the
    reconciliation then finds nothing left to do."""
    perf = make_performance(rows=1, per_row=4)
    send = api_order(perf, places_of(perf)[0], "lost-answer-retry-0002")
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0):
        assert send().status_code == 503
    order = Order.objects.get()
    hold_release(hold=order.hold)
    other = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    order_place(hold=other, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    again = send()
    assert again.status_code == 409 and "refunded" in again.json()["error"]["message"], again.content
    order.refresh_from_db()
    assert order.status == "failed" and charges_of(order.payment_intent) == ("succeeded", [5000])
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert charges_of(order.payment_intent) == ("succeeded", [5000])
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["refunded"]


@pytest.mark.django_db
def test_the_shop_paying_again_for_a_basket_whose_answer_was_lost_charges_nothing_more(lossy):
    """The shop's buyer, told the provider did not answer, pays again for the same basket
    (a new form, a new card token): the first payment went through, so the basket is sold
    with it, and the card is not charged a second time."""
    perf = make_performance(rows=1, per_row=4)
    shop = shop_basket(perf)
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0):
        lost = shop.post("/checkout/", checkout_form("1"))
    assert lost.status_code == 503, text_of(lost)
    with lossy.retries(0):
        paid = shop.post("/checkout/", checkout_form("2"), follow=True)
    assert "Nothing more was charged" in text_of(paid), text_of(paid)
    order = Order.objects.get()  # no second order, no second charge
    assert order.status == "paid" and order.tickets.count() == 1
    assert lossy.count("POST", "/v1/payment_intents") == 1
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert charges_of(order.payment_intent) == ("succeeded", [])


@pytest.mark.django_db(transaction=True)  # the webhook's request closes its connection
def test_a_payment_taken_for_a_failed_order_is_left_to_its_buyer_until_its_hold_lapses(lossy):
    """The reconciliation (and the webhook) leave a payment whose answer was lost to its
    buyer's retry while the hold is live, and pay it back, once, after it lapsed."""
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0), pytest.raises(ProviderUnavailable):
        order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    order = Order.objects.get()
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    webhook_told(order.payment_intent)
    assert charges_of(order.payment_intent) == ("succeeded", []) and not Payment.objects.exists()
    payments_reconcile(now=hold.expires_at + timedelta(seconds=1))
    payments_reconcile(now=hold.expires_at + timedelta(minutes=1))
    assert charges_of(order.payment_intent) == ("succeeded", [5000])
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["refunded"]
    assert Order.objects.get(pk=order.pk).status == "failed"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rivals", [("retry", "reconcile"), ("retry", "webhook"), ("retry", "reconcile", "webhook")])
def test_a_retry_racing_the_reconciliation_and_the_webhook_sells_once_and_pays_back_nothing(lossy, rivals):
    """The buyer's retry with the same key, the reconciliation and the provider's webhook
    ask about the same lost payment at once, each on its own connection: the order is sold
    once, with one payment, and nothing is paid back."""
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    payment = PaymentRequest(method="card", token=card_token())
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0), pytest.raises(ProviderUnavailable):
        order_place(hold=hold, customer=BUYER, payment=payment, idempotency_key="race-key")
    order = Order.objects.get()
    assert order.status == "failed"
    actors = {
        "retry": lambda: order_place(hold=Hold.objects.get(pk=hold.pk), customer=BUYER, payment=payment,
                                     idempotency_key="race-key"),
        "reconcile": lambda: payments_reconcile(now=timezone.now() + timedelta(minutes=2)),
        "webhook": lambda: webhook_told(order.payment_intent),
    }
    results = race(len(rivals), lambda i: actors[rivals[i]]())
    assert results[0].pk == order.pk and results[0].status == "paid", results
    order.refresh_from_db()
    assert order.status == "paid" and order.tickets.filter(status="valid").count() == 1
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["approved"]
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert charges_of(order.payment_intent) == ("succeeded", [])
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_a_cancelled_performances_refunds_with_the_provider_silent_wait_on_it_three_times_only(lossy):
    """A performance cancelled while the provider is silent: its refunds do not each wait
    out the provider in turn (hours for a few hundred orders). After three in a row left
    unanswered the others are refunded without asking it, their refunds owed on their
    records; the reconciliation, three at a time while it is still silent, sends them once
    it answers: each buyer paid back once, the one the provider took unanswered included."""
    perf = make_performance(rows=1, per_row=8)
    orders = [order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[place.pk]),
                          customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
              for place in places_of(perf)]
    performance_cancel(performance=perf, actor=make_user("organizer-silent", ORGANIZER))
    lossy.fault("POST", REFUNDS, "stall")  # the first refund is made, its answer never comes
    lossy.fault("GET", REFUNDS, "pass")
    lossy.fault("GET", REFUNDS, "stall", times=100)  # then the provider says nothing at all
    with lossy.retries(0):
        assert refund_cancelled(perf.pk) == 8
    assert lossy.count("GET", REFUNDS) == 3 and lossy.count("POST", REFUNDS) == 1
    assert set(Order.objects.values_list("status", flat=True)) == {"refunded"}
    assert Payment.objects.filter(status="refunded", message=REFUND_OWED).count() == 8
    not_asked = [o for o in orders if o.events.filter(action="refund pending at provider",
                                                      detail__contains="did not answer the refunds before it").exists()]
    assert not_asked == orders[3:]
    assert [charges_of(o.payment_intent)[1] for o in orders] == [[5000]] + [[]] * 7
    with lossy.retries(0):  # still silent: asked three times, not eight
        payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert lossy.count("GET", REFUNDS) == 6
    lossy.faults.clear()  # it answers again
    with lossy.retries(0):
        payments_reconcile(now=timezone.now() + timedelta(minutes=3))
    assert lossy.count("POST", REFUNDS) == 8  # the first found made already: not sent again
    assert [charges_of(o.payment_intent)[1] for o in orders] == [[5000]] * 8
    assert not Payment.objects.filter(message=REFUND_OWED).exists()


@pytest.mark.django_db
def test_refunds_left_on_their_way_by_dead_requests_wait_on_a_silent_provider_three_times_only(lossy):
    """Refunds recorded as being sent whose requests died before the provider answered
    (found by the reconciliation a quarter of an hour later): sent again while the provider
    is silent, they stay on their way, and the run stops asking after three, as it does for
    refunds owed."""
    from sales.models import REFUND_SENDING

    perf = make_performance(rows=1, per_row=6)
    for place in places_of(perf):
        order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[place.pk]),
                    customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    performance_cancel(performance=perf, actor=make_user("organizer-sending", ORGANIZER))
    lossy.fault("GET", REFUNDS, "stall", times=100)  # the provider says nothing at all
    with lossy.retries(0):
        refund_cancelled(perf.pk)
    # As the requests that died left them: on their way, long ago.
    Payment.objects.filter(status="refunded", message=REFUND_OWED).update(
        message=REFUND_SENDING, created_at=timezone.now() - timedelta(hours=1))
    assert Payment.objects.filter(message=REFUND_SENDING).count() == 6
    asked = lossy.count("GET", REFUNDS)
    with lossy.retries(0):
        payments_reconcile()
    assert lossy.count("GET", REFUNDS) - asked == 3


@pytest.mark.django_db
def test_a_promo_code_given_back_when_the_answer_was_lost_is_used_again_when_the_retry_sells(lossy):
    """The order failed gave its promo code's use back; sold after all on the retry, it
    uses the code again: a code of one use is used up, not free for another order."""
    from sales.models import PromoCode

    code = PromoCode.objects.create(code="ONCE10", percent_off=Decimal("10"), max_uses=1)
    perf = make_performance(rows=1, per_row=4)
    send = api_order(perf, places_of(perf)[0], "lost-answer-retry-promo", promo_code="ONCE10")
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0):
        assert send().status_code == 503
    code.refresh_from_db()
    assert code.uses == 0  # the failed order gave it back
    again = send()
    assert again.status_code == 201 and again.json()["status"] == "paid", again.content
    code.refresh_from_db()
    assert code.uses == 1
@pytest.mark.django_db(transaction=True)
def test_two_reconciliations_at_once_send_an_owed_refund_once(lossy):
    """A refund the provider never took is owed; two runs of the reconciliation overlap (a
    run slowed by the provider outlasts its minute) and both look for it at the provider,
    find it not made, and would send it: the buyer is paid back once all the same."""
    import contextlib
    import threading

    from tests.support import race

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nobody there
        order_refund(order=order)
    assert Payment.objects.filter(order=order, message=REFUND_OWED).count() == 1
    both_looked = threading.Barrier(2)

    def look_together():
        with contextlib.suppress(threading.BrokenBarrierError):  # the other run did not look meanwhile
            both_looked.wait(timeout=5)  # each run has found no refund made, and goes on to make it

    lossy.fault("GET", REFUNDS, "pass", times=2, then=look_together)
    later = timezone.now() + timedelta(minutes=2)
    with lossy.retries(0):
        race(2, lambda _i: payments_reconcile(now=later))
    assert charges_of(order.payment_intent) == ("succeeded", [10000])
    assert not Payment.objects.filter(order=order, message=REFUND_OWED).exists()


@pytest.mark.django_db
def test_a_retry_after_the_answer_was_lost_of_a_card_declined_is_told_it_was_declined(lossy):
    """The provider declines the card and its answer is lost: the buyer is told the
    provider did not answer. The retry with the same key asks it how that payment stands,
    and is answered as a decline is (402, its reason), so that the buyer pays with another
    card rather than trying again; the decline is on the order's record, asked once."""
    perf = make_performance(rows=1, per_row=4)
    send = api_order(perf, places_of(perf)[0], "lost-answer-declined-0001",
                     payment={"method": "card", "token": card_token(DECLINED)})
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0):
        assert send().status_code == 503
    order = Order.objects.get()
    assert order.status == "failed" and charges_of(order.payment_intent)[0] == "requires_payment_method"
    for _attempt in range(2):
        with lossy.retries(0):
            again = send()
        assert again.status_code == 402, again.content
        error = again.json()["error"]
        assert error["code"] == "payment_declined" and error["message"] == "Your card was declined.", error
    order.refresh_from_db()
    assert order.status == "failed" and order.failure_reason == "Your card was declined."
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["declined"]
    assert lossy.count("GET", INTENT) == 1  # known declined: not asked again
    assert hold_is_live(order.hold)


@pytest.mark.django_db
def test_the_shops_pay_sent_again_after_a_declined_cards_answer_was_lost_says_declined(lossy):
    """The same basket form sent again (the browser's Pay pressed again) after the answer
    to a declined card was lost: the page says the card was declined, not that the
    provider did not answer."""
    perf = make_performance(rows=1, per_row=4)
    shop = shop_basket(perf)
    form = checkout_form("1", DECLINED)
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0):
        assert shop.post("/checkout/", form).status_code == 503
    again = shop.post("/checkout/", form)
    assert again.status_code == 402, text_of(again)
    assert "Payment declined: your card was declined. Your seats are still held." in text_of(again)
    assert "did not answer" not in text_of(again)


@pytest.mark.django_db
def test_a_retry_that_would_exceed_the_customer_limit_is_refused_and_its_payment_paid_back_once(lossy):
    """Under a limit of two tickets per customer, an order's answer is lost and it fails,
    so it stops counting; its buyer then buys two tickets in another order. The retry finds
    the first payment taken: selling it would give the buyer three, so nothing is sold, the
    payment is paid back once and the buyer told why."""
    from sales.errors import InvalidRequest
    from sales.models import WaitingRoom

    perf = make_performance(rows=1, per_row=4)
    WaitingRoom.objects.create(performance=perf, opens_at=timezone.now(), admit_per_minute=60, customer_limit=2)
    first = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    payment = PaymentRequest(method="card", token=card_token())
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0), pytest.raises(ProviderUnavailable):
        order_place(hold=first, customer=BUYER, payment=payment, idempotency_key="over-the-limit")
    order = Order.objects.get()
    assert order.status == "failed" and charges_of(order.payment_intent) == ("succeeded", [])
    second = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[1:3]])
    other = order_place(hold=second, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    assert other.status == "paid"
    for _attempt in range(2):
        with pytest.raises(InvalidRequest, match="limit of tickets per customer.*the payment was refunded"):
            order_place(hold=Hold.objects.get(pk=first.pk), customer=BUYER, payment=payment,
                        idempotency_key="over-the-limit")
    order.refresh_from_db()
    assert order.status == "failed" and not order.tickets.exists()
    assert charges_of(order.payment_intent) == ("succeeded", [5000])
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["refunded"]
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    payments_reconcile(now=first.expires_at + timedelta(minutes=1))
    assert charges_of(order.payment_intent) == ("succeeded", [5000])
    assert Payment.objects.filter(order=order).count() == 1
    assert other.tickets.filter(status="valid").count() == 2


INTENT_READ = r"/v1/payment_intents/pi_\w+"


@pytest.mark.django_db(transaction=True)
def test_a_failed_orders_uncertain_payment_is_asked_about_less_often_as_it_ages_for_as_long(lossy):
    """The provider's answer to a confirmation was lost, and the payment waits on the
    bank's question: the order failed on our side, its payment uncertain. The
    reconciliation asks the provider about it at every run while it is young, then at
    growing intervals, and still at the end of the two days it follows it; a payment found
    taken then is paid back all the same."""
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0), pytest.raises(ProviderUnavailable):
        order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token(THREE_D_SECURE)))
    order = Order.objects.get()
    assert order.status == "failed" and order.failure_reason == "the payment provider did not answer"
    assert provider().v1.payment_intents.retrieve(order.payment_intent).status == "requires_action"
    born = order.created_at

    def asked_at(age: timedelta) -> int:
        """The provider's reads of the payment by one run of the reconciliation at `age`."""
        before = lossy.count("GET", INTENT_READ)
        with lossy.retries(0):
            payments_reconcile(now=born + age)
        return lossy.count("GET", INTENT_READ) - before

    assert [asked_at(timedelta(minutes=m, seconds=5)) for m in range(2, 6)] == [1, 1, 1, 1]  # young: each run
    runs = [timedelta(hours=6, minutes=m, seconds=5) for m in range(60)]  # an hour of runs, 6 hours on
    asks = [asked_at(age) for age in runs]
    assert sum(asks) == 1, asks  # once in that hour, not at each of its 60 runs
    # One run after it was asked it is not asked again; an interval later it is.
    asked = runs[asks.index(1)]
    assert asked_at(asked + timedelta(minutes=1)) == 0
    assert sum(asked_at(asked + timedelta(minutes=m)) for m in range(2, 62)) == 1
    # Followed for as long as before: asked at the last run of its two days, then no more.
    assert asked_at(timedelta(days=2) - timedelta(seconds=30)) == 1
    assert asked_at(timedelta(days=2) + timedelta(minutes=1)) == 0
    # Its money taken late at the provider (its hold long lapsed): paid back at the next asking.
    intent = provider().v1.payment_intents.retrieve(order.payment_intent)
    requests.post(f"{settings.STRIPE_API_BASE}/v1/payment_intents/{intent.id}/_authenticate?success=true", timeout=5,
                  data=json.dumps({"key": settings.STRIPE_PUBLISHABLE_KEY, "client_secret": intent.client_secret})
                  ).raise_for_status()
    assert asked_at(timedelta(days=2) - timedelta(seconds=20)) == 1
    assert charges_of(order.payment_intent) == ("succeeded", [5000])
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["refunded"]


@pytest.mark.parametrize("how", ["lapsed at its deadline", "cancelled by the operator"])
@pytest.mark.django_db(transaction=True)
def test_a_cancelled_orders_unsettled_payment_is_asked_about_less_often_as_it_ages_for_as_long(lossy, how):
    """A payment link's card waits on the bank's question and the provider's answer is
    lost; the reservation is then cancelled (its deadline passed, or the operator gave it
    up) with its payment unsettled. The reconciliation asks the provider about it at every
    run just after the cancellation, then at growing intervals, and at each run of the end
    of the time it follows it; money the bank lets through late is paid back all the same,
    at the next asking."""
    perf = make_performance(rows=1, per_row=4)
    operator = make_user("operator-unsettled", PHONE_OPERATOR)
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                       place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_reserve(hold=hold, customer=BUYER, deadline=timezone.now() + timedelta(hours=2), actor=operator)
    lossy.fault("POST", CONFIRM, "cut")
    with lossy.retries(0), pytest.raises(ProviderUnavailable):
        order_pay_by_link(order=order, access_token=order.access_token,
                          payment=PaymentRequest(method="card", token=card_token(THREE_D_SECURE)))
    if how == "lapsed at its deadline":
        Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now())
        assert reservations_tidy() == 1
    else:
        order_cancel(order=order, actor=operator)
    order.refresh_from_db()
    assert order.status == "cancelled" and order.payment_intent
    assert provider().v1.payment_intents.retrieve(order.payment_intent).status == "requires_action"
    cancelled = order.events.get(action__in=("cancelled", "reservation lapsed")).at
    # Followed as long as before: two days past its creation or its deadline, the later.
    followed = max(order.created_at, order.payment_deadline) + timedelta(days=2) - cancelled

    def asked_at(age: timedelta) -> int:
        """The provider's reads of the payment by one run of the reconciliation `age`
        after the order was cancelled."""
        before = lossy.count("GET", INTENT_READ)
        with lossy.retries(0):
            payments_reconcile(now=cancelled + age)
        return lossy.count("GET", INTENT_READ) - before

    assert [asked_at(timedelta(minutes=m, seconds=5)) for m in range(2, 6)] == [1, 1, 1, 1]  # young: each run
    # Asked at the last run of the time it is followed, then no more (nothing on the order
    # depends on when the last run was: the runs' times are the test's to choose).
    assert asked_at(followed - timedelta(seconds=30)) == 1
    assert asked_at(followed + timedelta(minutes=1)) == 0
    if followed > timedelta(days=2, hours=1):  # its deadline hours after it was cancelled: hourly past two days
        asks = [asked_at(timedelta(days=2, minutes=m, seconds=5)) for m in range(60)]
        assert sum(asks) == 1, asks
    runs = [timedelta(hours=6, minutes=m, seconds=5) for m in range(60)]  # an hour of runs, 6 hours on
    asks = [asked_at(age) for age in runs]
    assert sum(asks) == 1, asks  # once in that hour, not at each of its 60 runs
    asked = runs[asks.index(1)]
    assert asked_at(asked + timedelta(minutes=1)) == 0  # not at the next run
    # Then the bank lets its money through, late: the runs until the next asking leave it
    # (not asked), which pays it back, once; settled, it is asked about no more.
    intent = provider().v1.payment_intents.retrieve(order.payment_intent)
    requests.post(f"{settings.STRIPE_API_BASE}/v1/payment_intents/{intent.id}/_authenticate?success=true", timeout=5,
                  data=json.dumps({"key": settings.STRIPE_PUBLISHABLE_KEY, "client_secret": intent.client_secret})
                  ).raise_for_status()
    seen = []
    for m in range(2, 62):
        reads = asked_at(asked + timedelta(minutes=m))
        seen.append((reads, Payment.objects.filter(order=order).exists()))
    first = [reads for reads, _ in seen].index(1)
    assert first > 0 and seen == [(0, False)] * first + [(1, True)] + [(0, True)] * (len(seen) - first - 1), seen
    assert charges_of(order.payment_intent) == ("succeeded", [10000])
    assert list(Payment.objects.filter(order=order).values_list("status", "amount")) == [
        ("refunded", Decimal("100.00"))]
    assert asked_at(followed - timedelta(seconds=30)) == 0
    assert Order.objects.get(pk=order.pk).status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_the_refund_email_picked_up_while_the_provider_answers_waits_for_its_answer(lossy, mailoutbox):
    """The worker may pick a refund's email up as soon as the refund is recorded, while its
    request is still asking the provider: the email waits for the answer, so a refund the
    provider takes at once is told as going back to the card, not as still on its way. A
    refund whose request died before the answer (left "being sent") is told on its way,
    once the answer would have come."""
    from sales import notifications
    from sales.models import REFUND_SENDING

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    sent_meanwhile = the_worker_while_the_provider_answers(lossy)
    mailoutbox.clear()
    with lossy.retries(0):
        order_refund(order=order)
    assert sent_meanwhile == [0] and mailoutbox == []
    assert notifications.send_pending_confirmations() == 1
    [told] = mailoutbox
    assert "goes back the way it was paid" in told.body and "on its way" not in told.body, told.body

    # A refund left "being sent" by a request that died: told on its way once its answer is overdue.
    other = order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[1].pk]),
                        customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    order_refund(order=other)
    notifications.send_pending_confirmations()
    mailoutbox.clear()
    Payment.objects.filter(order=other, status="refunded").update(message=REFUND_SENDING)
    notifications.payback_changed(other)
    assert notifications.send_pending_confirmations() == 0  # its answer may still come
    Payment.objects.filter(order=other, status="refunded").update(created_at=timezone.now() - timedelta(minutes=5))
    assert notifications.send_pending_confirmations() == 1
    assert "The refund to your card is recorded and on its way" in mailoutbox[0].body, mailoutbox[0].body


@pytest.mark.django_db(transaction=True)
def test_the_email_of_some_tickets_refunded_waits_for_the_providers_answer_too(lossy, mailoutbox):
    """Some tickets refunded: the order stays paid and its confirmation goes again, its
    receipt with the payback, queued by the commit that records it, before its request
    asks the provider. As for a whole refund's email, it waits for the answer: a refund the
    provider takes at once is told paid back, not "on its way to the card provider"."""
    from sales import notifications

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    sent_meanwhile = the_worker_while_the_provider_answers(lossy)
    mailoutbox.clear()
    with lossy.retries(0):
        tickets_refund(order=order, ticket_ids=[order.tickets.order_by("pk").first().pk], actor=None)
    assert sent_meanwhile == [0] and mailoutbox == [], [m.body for m in mailoutbox]
    # What the request asked for once the provider answered (refund_answered), as the worker runs it.
    assert notifications.send_confirmation(order.pk)
    [told] = mailoutbox
    assert "Paid back " in told.body and "on its way" not in told.body, told.body


def the_worker_while_the_provider_answers(lossy) -> list[int]:
    """The emails due sent first; then, once the provider has answered the next refund and
    before its answer reaches the request, the email worker's sweep runs: how many it sent."""
    from sales import notifications

    notifications.send_pending_confirmations()
    sent_meanwhile = []

    def the_worker_meanwhile():
        try:
            sent_meanwhile.append(notifications.send_pending_confirmations())
        finally:
            connection.close()

    lossy.fault("POST", REFUNDS, "pass", then=the_worker_meanwhile)
    return sent_meanwhile
