"""Card refunds reach the payment provider (localstripe) from every door that refunds: the
admin, the counter and the API; partial when the fees are not refundable; and a refund the
provider did not take when asked is sent again by the reconciliation, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from events.models import Channel
from sales.holds import hold_create
from sales.models import Order, Payment
from sales.orders import CustomerDetails, order_place, order_refund
from sales.orders.charging import REFUND_OWED
from sales.orders.settling import payments_reconcile
from sales.payments import PaymentRequest
from sales.shifts import shift_open
from tests.support import booking_fee, card_token, client_for, make_performance, places_of, provider, signed_in

pytestmark = pytest.mark.django_db
BUYER = CustomerDetails(name="Remi Boursé", email="remi@example.org")


def paid_by_card(perf, n=2) -> Order:
    hold = hold_create(performance=perf, channel=Channel.ONLINE,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    assert order.status == "paid"
    return order


def refunds_at_provider(order: Order) -> list[int]:
    return [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data]


@pytest.fixture
def fee_kept():
    """A booking fee the organizer keeps on a refund: the provider pays back less than it took."""
    return booking_fee(Channel.ONLINE, per_ticket="3.50")


def test_the_admin_refund_reaches_the_provider(organizer, fee_kept):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    assert order.total == Decimal("107.00")
    client = signed_in(organizer)
    answer = client.post("/admin/sales/order/", {"action": "refund", "_selected_action": [order.pk],
                                                  "confirmed": "yes"}, follow=True)
    assert answer.status_code == 200 and "Refunded 1 order." in answer.content.decode()
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert refunds_at_provider(order) == [10000]  # partial: the 7.00 of fees stay paid


def test_the_counter_refund_reaches_the_provider(clerk, fee_kept):
    order = paid_by_card(make_performance(rows=1, per_row=4), n=1)
    client = signed_in(clerk)
    shift_open(clerk=clerk, cash_float=Decimal("0"))
    answer = client.post(f"/counter/orders/{order.code}/refund/", follow=True)
    assert "Refunded: Card (online) $50.00. The seats are back on sale." in answer.content.decode()  # less the fee kept
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert refunds_at_provider(order) == [5000]
    back = Payment.objects.get(order=order, status="refunded")
    assert back.amount == Decimal("-50.00") and back.method == "card" and back.created_by == clerk


def test_the_api_refund_reaches_the_provider(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    answer = client_for(organizer).post(f"/api/v1/orders/{order.code}/refund/", format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "refunded"
    assert refunds_at_provider(order) == [10000]


def test_two_refunds_of_one_amount_against_one_payment_are_two_refunds():
    """Each refund carries its own key: the provider's idempotency must not fold a second
    partial refund of the same amount into the first."""
    from sales.orders.charging import refund_at_provider

    order = paid_by_card(make_performance(rows=1, per_row=4))
    paid = Payment.objects.get(order=order, status="approved")
    for _ in range(2):
        row = Payment.objects.create(order=order, method=paid.method, amount=Decimal("-20.00"), refund_of=paid,
                                     status=Payment.Status.REFUNDED, reference=paid.reference, message="refund")
        assert refund_at_provider(order, row, Decimal("20.00"))
    assert refunds_at_provider(order) == [2000, 2000]


def test_a_refund_the_provider_did_not_take_is_sent_again_once_it_answers(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        refunded = order_refund(order=order, actor=organizer)
    assert refunded.status == "refunded" and refunds_at_provider(order) == []
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_OWED
    assert order.events.filter(action="refund pending at provider").exists()
    payments_reconcile()
    payments_reconcile()  # again: nothing more to send
    assert refunds_at_provider(order) == [10000]
    assert Payment.objects.get(order=order, status="refunded").message == "refund"
