"""A counter sale paid while its clerk's shift closes: the close and the sale's last step
(the statement that records its payments into the shift) race, each on its own connection
to the real PostgreSQL, released together. Whatever the order they land in, every payment
of a closed shift is in the drawer it expected, or the sale was refused and the clerk told
to give the money back."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Channel, PriceZone
from sales import inventory
from sales.errors import SalesError
from sales.holds import hold_create
from sales.models import Hold, Order, Payment, Place, Ticket
from sales.orders import CustomerDetails, order_exchange, order_place, order_refund
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK, cash_due
from sales.shifts import shift_close, shift_expected, shift_open
from tests.factories import PriceZoneFactory
from tests.support import make_performance, make_user, places_of, race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

ROUNDS = 24


def lapsed_hold(perf, clerk, channel=Channel.COUNTER) -> Hold:
    """A counter hold of the clerk (or one of `channel`) that has lapsed, its seats still
    free to pay for: the close's check of seats held does not see it, so only the shift's
    lock orders the two."""
    hold = hold_create(performance=perf, channel=channel, user=clerk,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:1]])
    past = timezone.now() - timedelta(seconds=1)
    Hold.objects.filter(pk=hold.pk).update(expires_at=past)
    Place.objects.filter(hold=hold).update(hold_expires_at=past)
    hold.refresh_from_db()
    return hold


# What the clerk is told to do with the money of a refused sale: the words the counter's
# pages use for it (sales.orders.money_not_kept), the cash as it was handed over.
GIVE_BACK = {
    "cash": "The $60.00 in cash the customer handed over was not taken: hand it back.",
    "card_terminal": "The $50.00 taken on the card terminal was not kept: pay it back on the terminal.",
    "test_card": "The $50.00 paid by card was not kept: it is paid back to the card.",
}


@pytest.mark.parametrize("method", ["cash", "card_terminal", "test_card"])
def test_a_sale_paid_as_its_shift_closes_is_in_its_drawer_or_refused(method):
    clerk = make_user("clerk-close", COUNTER_CLERK)
    perf = make_performance(rows=1, per_row=ROUNDS)
    refused = sold = 0
    for n in range(ROUNDS):
        shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
        # A card: a clerk paying for an online hold by the API, their open shift at hand.
        hold = lapsed_hold(perf, clerk, Channel.ONLINE if method == "test_card" else Channel.COUNTER)
        tendered = Decimal("60") if method == "cash" else None
        card = "4242424242424242" if method == "test_card" else ""
        before = set(Payment.objects.values_list("pk", flat=True))

        def act(i, shift=shift, hold=hold, tendered=tendered, card=card, n=n):
            if i == 0:
                return order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"),
                                   actor=clerk, shift=shift,
                                   payments=[PaymentRequest(method=method, tendered=tendered, card_number=card,
                                                            reference="" if tendered or card else f"AUTH-{n}")])
            time.sleep((n % 12) * 0.004)  # the close lands at each step of the sale in turn
            return shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("0"), counted_card=Decimal("0"))

        sale, _closed = race(2, act)
        shift.refresh_from_db()
        assert shift.closed_at is not None, _closed
        order = Order.objects.get(hold=hold)
        taken = Payment.objects.filter(shift=shift, status="approved").exclude(pk__in=before)
        if isinstance(sale, SalesError):
            refused += 1
            assert GIVE_BACK[method] in sale.message, sale.message
            assert order.status == "failed" and not taken.exists()
            assert not order.tickets.exists()
            assert not Place.objects.filter(hold=hold, state__in=("held", "sold")).exists()
        else:
            sold += 1
            assert sale.status == "paid" and taken.count() == 1
        # Every payment recorded in the closed shift is in what it expected.
        assert {k: Decimal(v) for k, v in shift.expected.items()} == shift_expected(shift), (n, sale)
        want = Decimal("100") + sum((cash_due(p.amount) for p in taken if p.method == "cash"), Decimal("0"))
        assert Decimal(shift.expected["cash"]) == want, (n, sale)
        card = sum((p.amount for p in taken if p.method == "card_terminal"), Decimal("0"))
        assert Decimal(shift.expected["card_terminal"]) == card, (n, sale)
    connection.close()
    assert refused and sold, (refused, sold)  # both orders were met


def test_a_cash_refund_paid_back_as_the_shift_closes_is_in_its_drawer_or_refused():
    """The payback leaves the drawer of the clerk's shift: recorded into it only while it
    is open, so that the close counts it, or refused with nothing paid back."""
    clerk = make_user("clerk-refund", COUNTER_CLERK)
    perf = make_performance(rows=1, per_row=ROUNDS)
    refused = refunded = 0
    for n in range(ROUNDS):
        seller = shift_open(clerk=clerk, cash_float=Decimal("0"))
        hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                           place_ids=[p.pk for p in places_of(perf, state="available")[:1]])
        order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"),
                            actor=clerk, shift=seller, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
        shift_close(shift=seller, clerk=clerk, counted_cash=Decimal("50"), counted_card=Decimal("0"))
        shift = shift_open(clerk=clerk, cash_float=Decimal("100"))

        def act(i, shift=shift, order=order, n=n):
            if i == 0:
                return order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)
            time.sleep((n % 12) * 0.004)
            return shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("0"), counted_card=Decimal("0"))

        result, _closed = race(2, act)
        shift.refresh_from_db()
        order.refresh_from_db()
        back = Payment.objects.filter(order=order, status="refunded", amount__lt=0)
        if isinstance(result, SalesError):
            refused += 1
            assert "shift was closed" in result.message, result.message
            assert order.status == "paid" and not back.exists() and order.tickets.filter(status="valid").exists()
        else:
            refunded += 1
            assert order.status == "refunded" and back.get().shift_id == shift.pk
        assert {k: Decimal(v) for k, v in shift.expected.items()} == shift_expected(shift), (n, result)
        paid_out = Decimal("0") if isinstance(result, SalesError) else Decimal("50")
        assert Decimal(shift.expected["cash"]) == Decimal("100") - paid_out, (n, result)
    connection.close()
    assert refused and refunded, (refused, refunded)


def test_an_exchange_paid_in_cash_as_the_shift_closes_is_in_its_drawer_or_refused():
    """An exchange's difference goes into the drawer of the clerk's shift in the
    exchange's transaction, once its places are locked: recorded only while the shift is
    open. The hold is seen lapsed by the close (its seats are not counted as held) and
    live by the exchange (`now` a moment before): only the shift's lock orders the two."""
    clerk = make_user("clerk-exchange", COUNTER_CLERK)
    perf = make_performance(rows=2, per_row=ROUNDS, on_sale=False)
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("80.00"),
                     seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    front = PriceZone.objects.get(performance=perf, name="Front")
    refused = exchanged = 0
    for n in range(ROUNDS):
        shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
        stalls = [p for p in places_of(perf, state="available") if p.price_zone_id != front.pk][:1]
        sale = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[p.pk for p in stalls])
        order = order_place(hold=sale, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                            shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
        new = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[
            p.pk for p in places_of(perf, state="available") if p.price_zone_id == front.pk][:1])
        then = timezone.now()
        past = then - timedelta(seconds=1)
        Hold.objects.filter(pk=new.pk).update(expires_at=past)
        Place.objects.filter(hold=new).update(hold_expires_at=past)
        new.refresh_from_db()
        ticket = order.tickets.get()
        before = shift_expected(shift)["cash"]  # the float and the sale's 50.00

        def act(i, shift=shift, order=order, new=new, ticket=ticket, then=then, n=n):
            if i == 0:
                return order_exchange(order=Order.objects.get(pk=order.pk), ticket_ids=[ticket.pk], hold=new,
                                      actor=clerk, shift=shift, now=then - timedelta(seconds=2),
                                      payments=[PaymentRequest(method="cash", tendered=Decimal("30"))])
            time.sleep((n % 12) * 0.01)  # an exchange reads more before its last step
            return shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("0"), counted_card=Decimal("0"))

        result, _closed = race(2, act)
        shift.refresh_from_db()
        order.refresh_from_db()
        taken = Payment.objects.filter(order=order, status="approved", amount=Decimal("30.00"))
        if isinstance(result, SalesError):
            refused += 1
            assert "shift was closed" in result.message, result.message
            assert not taken.exists() and order.total == Decimal("50.00")
            assert Ticket.objects.get(pk=ticket.pk).status == "valid"
            assert not Place.objects.filter(hold=new, state__in=("held", "sold")).exists()
        else:
            exchanged += 1
            assert taken.get().shift_id == shift.pk and order.total == Decimal("80.00")
        assert {k: Decimal(v) for k, v in shift.expected.items()} == shift_expected(shift), (n, result)
        assert Decimal(shift.expected["cash"]) == before + (0 if isinstance(result, SalesError) else 30), (n, result)
    connection.close()
    assert refused and exchanged, (refused, exchanged)
