from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Channel
from sales.errors import (
    HoldNotActive,
    IdempotencyConflict,
    InvalidRequest,
    PaymentDeclined,
)
from sales.holds import hold_create
from sales.models import Order, Payment, Place, Ticket
from sales.orders import CustomerDetails, order_place, order_refund, placing
from sales.payments import APPROVE, DECLINE, PaymentRequest
from tests.support import drawer, places_of

pytestmark = pytest.mark.django_db
ALICE = CustomerDetails(name="Alice Tremblay", email="alice@example.org")
CARD = PaymentRequest(method="test_card", card_number=APPROVE)


def hold_two(perf, now=None, channel=Channel.ONLINE, user=None):
    ids = [p.pk for p in places_of(perf)[:2]]
    return hold_create(performance=perf, channel=channel, user=user, place_ids=ids, now=now), ids


def test_paid_order_sells_the_places_and_issues_tickets(performance):
    hold, ids = hold_two(performance)
    order = order_place(hold=hold, customer=ALICE, payment=CARD)
    assert order.status == "paid" and order.total == Decimal("100.00")
    tickets = list(order.tickets.all())
    assert len(tickets) == 2 and len({t.code for t in tickets}) == 2
    assert all(len(t.code) >= 32 for t in tickets)  # unguessable
    for place in Place.objects.filter(pk__in=ids):
        assert place.state == "sold" and place.ticket.order_id == order.pk and place.hold is None
    assert order.payments.get().status == "approved"
    assert [e.action for e in order.events.all()] == ["placed", "paid"]


def test_same_idempotency_key_returns_the_first_order(performance):
    hold, _ = hold_two(performance)
    first = order_place(hold=hold, customer=ALICE, payment=CARD, idempotency_key="k-1")
    again = order_place(hold=hold, customer=ALICE, payment=CARD, idempotency_key="k-1")
    assert again.pk == first.pk
    assert Order.objects.count() == 1 and Ticket.objects.count() == 2
    other, _ = hold_create(performance=performance, channel=Channel.ONLINE,
                           place_ids=[places_of(performance)[5].pk]), None
    with pytest.raises(IdempotencyConflict):
        order_place(hold=other, customer=ALICE, payment=CARD, idempotency_key="k-1")


def test_declined_card_keeps_the_hold(performance):
    hold, ids = hold_two(performance)
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        order_place(hold=hold, customer=ALICE,
                    payment=PaymentRequest(method="test_card", card_number=DECLINE))
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"held"}
    assert Ticket.objects.count() == 0
    assert Order.objects.get().status == "failed"
    # ...and a good card then works on the same hold.
    assert order_place(hold=hold, customer=ALICE, payment=CARD).status == "paid"


def test_payment_amount_is_computed_on_the_server(performance):
    hold, _ = hold_two(performance)
    performance.price_zones.update(price=Decimal("12.50"))
    order = order_place(hold=hold, customer=ALICE, payment=CARD)
    assert order.total == Decimal("25.00") == order.payments.get().amount


@pytest.mark.parametrize("customer, payment, message", [
    (CustomerDetails(name="", email="a@example.org"), CARD, "enter the customer's name"),
    (CustomerDetails(name="A", email="not-an-email"), CARD, "enter a valid email"),
    (ALICE, PaymentRequest(method="test_card", card_number="12"), "enter a card number"),
    (ALICE, PaymentRequest(method="cash", tendered=Decimal("500")), "not a payment method"),
])
def test_bad_order_input_is_refused_and_loses_nothing(performance, customer, payment, message):
    hold, ids = hold_two(performance)
    with pytest.raises(InvalidRequest, match=message):
        order_place(hold=hold, customer=customer, payment=payment)
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"held"}
    assert Ticket.objects.count() == 0
    assert not Order.objects.filter(status="paid").exists()


def test_counter_cash_below_the_total_is_refused(performance, clerk):
    hold, ids = hold_two(performance, channel=Channel.COUNTER, user=clerk)
    with pytest.raises(InvalidRequest, match=r"less than the total of \$100.00"):
        order_place(hold=hold, customer=ALICE, actor=clerk,
                    payment=PaymentRequest(method="cash", tendered=Decimal("99.99")))
    assert Ticket.objects.count() == 0
    order = order_place(hold=hold, customer=ALICE, actor=clerk, shift=drawer(clerk),
                        payment=PaymentRequest(method="cash", tendered=Decimal("120")))
    assert order.change_due == Decimal("20.00")
    assert order.payments.get(status="approved").created_by == clerk


def test_paying_after_the_hold_lapsed_works_if_the_seats_are_still_free(performance):
    now = timezone.now()
    hold, ids = hold_two(performance, now=now - timedelta(minutes=30))
    order = order_place(hold=hold, customer=ALICE, payment=CARD)
    assert order.status == "paid"
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"sold"}


def test_paying_after_the_hold_lapsed_is_refused_before_any_charge_if_the_seats_were_taken(performance):
    hold, ids = hold_two(performance, now=timezone.now() - timedelta(minutes=30))
    thief = hold_create(performance=performance, channel=Channel.ONLINE, place_ids=ids[:1])
    with pytest.raises(HoldNotActive, match="taken by another buyer$"):
        order_place(hold=hold, customer=ALICE, payment=CARD)
    assert Ticket.objects.count() == 0
    assert Place.objects.get(pk=ids[0]).hold_id == thief.pk
    assert not Order.objects.exists() and not Payment.objects.exists()  # no charge, so nothing to pay back


def test_refund_returns_the_places(performance, organizer):
    hold, ids = hold_two(performance)
    order = order_place(hold=hold, customer=ALICE, payment=CARD)
    order_refund(order=order, actor=organizer)
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"available"}
    assert set(order.tickets.values_list("status", flat=True)) == {"void"}
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert order.events.get(action="refunded").actor == organizer
    # The places sell again; the old tickets stay void in the history.
    hold2 = hold_create(performance=performance, channel=Channel.ONLINE, place_ids=ids)
    order_place(hold=hold2, customer=ALICE, payment=CARD)
    assert Ticket.objects.filter(status="valid").count() == 2


def test_an_order_finds_its_customer_by_email_whatever_its_case_and_fills_in_a_phone(performance):
    first = order_place(hold=hold_two(performance)[0], customer=ALICE, payment=CARD)
    ids = [p.pk for p in places_of(performance, state="available")[:1]]
    again = order_place(hold=hold_create(performance=performance, channel=Channel.ONLINE, place_ids=ids),
                        customer=CustomerDetails(name="A. Tremblay", email="ALICE@Example.org", phone="514 555 0101"),
                        payment=CARD)
    assert again.customer_id == first.customer_id
    assert (again.customer.name, again.customer.phone) == ("Alice Tremblay", "514 555 0101")
    first.customer.refresh_from_db()
    assert first.customer.phone == "514 555 0101"
    assert Order.objects.get(pk=again.pk).customer.email == "alice@example.org"


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_sale_statement_committed_does_not_pay_the_sale_back(monkeypatch):
    """Outside a transaction the sale commits as its statement returns: a failure after it
    (reading the answer, the connection) must leave the sale standing, not refund it."""
    from sales import inventory
    from tests.support import make_performance

    perf = make_performance(rows=1, per_row=4)
    hold, ids = hold_two(perf)
    real_sell = inventory.sell

    def sell_then_fail(**kwargs):
        real_sell(**kwargs)
        raise RuntimeError("the connection dropped after the commit")

    monkeypatch.setattr(inventory, "sell", sell_then_fail)
    order = order_place(hold=hold, customer=ALICE, payment=CARD)
    assert order.status == "paid" and Order.objects.get(pk=order.pk).status == "paid"
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["approved"]
    assert Ticket.objects.filter(order=order, status="valid").count() == 2
    assert set(Place.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"sold"}


def test_a_provider_that_does_not_answer_fails_the_order_and_frees_its_hold(performance, monkeypatch):
    """One live order per hold: an order whose provider raised (an outage, a timeout) must
    not stay "awaiting payment" and block its seats' next try."""
    from sales.payments import TestCardProvider

    hold, ids = hold_two(performance)

    def down(self, **kwargs):
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr(TestCardProvider, "charge", down)
    with pytest.raises(ConnectionError):
        order_place(hold=hold, customer=ALICE, payment=CARD)
    failed = Order.objects.get()
    assert failed.status == "failed" and "did not answer" in failed.failure_reason
    monkeypatch.undo()
    order = order_place(hold=hold, customer=ALICE, payment=CARD)
    assert order.status == "paid" and {p.state for p in Place.objects.filter(pk__in=ids)} == {"sold"}


def test_an_order_abandoned_while_being_paid_is_failed_by_the_sweep(performance):
    """A worker killed while the provider answered leaves a pending order; the sweep fails
    it once no request can still be paying it, and the seats can be paid for again."""
    from sales.errors import IllegalTransition
    from sales.orders import orders_abandoned_tidy
    from sales.orders.placing import create_order
    from sales.orders.pricing import hold_quote

    hold, _ids = hold_two(performance)
    stuck = create_order(hold=hold, customer=ALICE, quote=hold_quote(hold), actor=None, idempotency_key=None)
    with pytest.raises(IllegalTransition, match=f"already order {stuck.code}"):
        order_place(hold=hold, customer=ALICE, payment=CARD)
    assert Payment.objects.count() == 0  # refused before any charge
    assert orders_abandoned_tidy() == 0  # too recent: a request may still be paying it
    assert orders_abandoned_tidy(now=timezone.now() + timedelta(minutes=31)) == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.failure_reason == "abandoned while being paid"
    assert order_place(hold=hold, customer=ALICE, payment=CARD).status == "paid"


def test_a_reservation_raced_by_its_own_key_keeps_none_of_the_second_requests_writes(performance, operator,
                                                                                      monkeypatch):
    """The same key sent for another hold while the first request ran: the second answers
    as the key's first order did (a conflict), and its hold is not stretched to a deadline."""
    from sales.orders import order_reserve

    first_hold, _ = hold_two(performance, channel=Channel.PHONE, user=operator)
    deadline = timezone.now() + timedelta(days=2)
    order_reserve(hold=first_hold, customer=ALICE, deadline=deadline, actor=operator, idempotency_key="phone:key-1")
    other_ids = [p.pk for p in places_of(performance, state="available")[:1]]
    other = hold_create(performance=performance, channel=Channel.PHONE, user=operator, place_ids=other_ids)
    lapses = other.expires_at
    real, calls = placing.by_idempotency_key, []

    def not_yet(key):  # the first check sees nothing: the race the statement's unique key settles
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(placing, "by_idempotency_key", not_yet)
    with pytest.raises(IdempotencyConflict):
        order_reserve(hold=other, customer=ALICE, deadline=deadline, actor=operator, idempotency_key="phone:key-1")
    other.refresh_from_db()
    assert other.expires_at == lapses and Place.objects.get(pk=other_ids[0]).hold_expires_at == lapses
    assert Order.objects.count() == 1


def test_an_order_moves_only_along_its_transitions_each_move_with_its_audit_line(performance, organizer):
    from sales.errors import IllegalTransition
    from sales.orders import TRANSITIONS, OrderStatusConflict, order_transition

    order = order_place(hold=hold_two(performance)[0], customer=ALICE, payment=CARD)
    assert Order.Status.CANCELLED not in TRANSITIONS[Order.Status.PAID]
    with pytest.raises(OrderStatusConflict) as refused:
        order_transition(order, Order.Status.CANCELLED, actor=organizer)
    assert isinstance(refused.value, IllegalTransition)  # the doors answer it as a 409
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert not order.events.filter(action="cancelled").exists()
    order_transition(order, Order.Status.REFUNDED, actor=organizer, reason="by hand")
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert order.events.get(action="refunded").detail == "by hand"
