"""Placing an order while its hold or its order changes underneath: a lapsed hold that
another hold took a seat from, a cancel during payment, an allocation of a held seat,
bad payment input, and a release racing the payment."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Channel
from sales import inventory
from sales.errors import IllegalTransition, InvalidRequest, SalesError
from sales.holds import hold_create, hold_release
from sales.models import Order, Payment, Place, Ticket
from sales.orders import CustomerDetails, order_cancel, order_place
from sales.payments import APPROVE, PROVIDERS, PaymentRequest
from tests.support import make_performance, places_of, race

ALICE = CustomerDetails(name="Alice", email="alice@example.org")
CARD = PaymentRequest(method="test_card", card_number=APPROVE)


@pytest.mark.django_db
def test_a_lapsed_hold_pays_for_every_seat_it_gets(performance):
    a1, a2 = [p.pk for p in places_of(performance)[:2]]
    old = timezone.now() - timedelta(minutes=40)
    hold_a = hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[a1, a2], now=old)
    hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[a1],
                now=old + timedelta(minutes=15))  # B takes seat 1, then lapses too
    order = order_place(hold=hold_a, customer=ALICE, payment=CARD)
    assert order.tickets.count() == 2
    assert Order.objects.get(pk=order.pk).total == Decimal("100.00") == order.payments.get().amount


@pytest.mark.django_db
def test_a_cancel_during_payment_is_not_undone(performance, monkeypatch):
    """The system giving up an order while its card is being charged: the charge is paid
    back and the order stays cancelled."""
    hold = hold_create(performance=performance, channel=Channel.ONLINE,
                       place_ids=[places_of(performance)[0].pk])
    real_charge = PROVIDERS["test_card"].charge

    def charge_while_cancelled(**kwargs):
        order_cancel(order=Order.objects.get(hold=hold))
        return real_charge(**kwargs)

    monkeypatch.setattr(PROVIDERS["test_card"], "charge", charge_while_cancelled)
    with pytest.raises(IllegalTransition, match="cancelled while the payment"):
        order_place(hold=hold, customer=ALICE, payment=CARD)
    order = Order.objects.get()
    assert order.status == "cancelled"
    assert order.payments.filter(status=Payment.Status.REFUNDED).exists()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_give_up_an_order_while_its_buyer_pays(performance, monkeypatch, organizer):
    hold = hold_create(performance=performance, channel=Channel.ONLINE,
                       place_ids=[places_of(performance)[0].pk])
    real_charge = PROVIDERS["test_card"].charge
    refusals = []

    def charge_while_staff_cancel(**kwargs):
        with pytest.raises(IllegalTransition, match="awaiting its buyer's payment") as refused:
            order_cancel(order=Order.objects.get(hold=hold), actor=organizer)
        refusals.append(refused.value)
        return real_charge(**kwargs)

    monkeypatch.setattr(PROVIDERS["test_card"], "charge", charge_while_staff_cancel)
    assert order_place(hold=hold, customer=ALICE, payment=CARD).status == "paid"
    assert len(refusals) == 1 and Ticket.objects.count() == 1


@pytest.mark.django_db
def test_allocating_a_held_seat_does_not_break_its_sale(performance):
    a1 = places_of(performance)[0].pk
    hold = hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[a1])
    inventory.allocate(performance=performance, place_ids=[a1], channel=Channel.COUNTER,
                       now=timezone.now())
    assert order_place(hold=hold, customer=ALICE, payment=CARD).status == "paid"


@pytest.mark.django_db
def test_bad_payment_input_creates_no_order(performance):
    hold = hold_create(performance=performance, channel=Channel.ONLINE,
                       place_ids=[places_of(performance)[0].pk])
    with pytest.raises(InvalidRequest, match="card number"):
        order_place(hold=hold, customer=ALICE, idempotency_key="k",
                    payment=PaymentRequest(method="test_card", card_number="1"))
    assert not Order.objects.exists()
    assert order_place(hold=hold, customer=ALICE, payment=CARD, idempotency_key="k").status == "paid"


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_paying_while_the_hold_is_released_never_deadlocks():
    for _round in range(10):
        perf = make_performance(rows=1, per_row=4)
        ids = [p.pk for p in places_of(perf)[:3]]
        hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=ids)

        def act(i, hold=hold):
            if i == 0:
                return order_place(hold=hold, customer=ALICE, payment=CARD)
            return hold_release(hold=hold)

        results = race(2, act)
        assert all(r is None or isinstance(r, (Order, SalesError)) for r in results), results
        sold = Place.objects.filter(pk__in=ids, state="sold").count()
        assert sold in (0, 3)
        assert sold == Ticket.objects.filter(place__in=ids, status="valid").count()
