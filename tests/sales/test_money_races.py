"""Races around a sale: two people acting on the same order, ticket or payment at once.
Each actor is a thread with its own connection to the real PostgreSQL (and, for cards, the
local stack's localstripe), all released together by a barrier (tests.support.race).
Whatever the order they land in, the money agrees with the tickets: nothing is paid back
twice, nothing is kept without a ticket, nothing is half-written, and the loser is told
why in words."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales import inventory
from sales.errors import SalesError
from sales.holds import hold_create
from sales.models import Hold, Order, Payment, Place, Ticket
from sales.orders import (
    CustomerDetails,
    order_cancel,
    order_exchange,
    order_pay_by_link,
    order_place,
    order_refund,
    order_reserve,
    reservations_tidy,
    tickets_refund,
)
from sales.orders.cancellation import performance_cancel, refund_cancelled
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR
from sales.shifts import shift_expected, shift_open
from sales.tickets import ticket_check_in
from tests.factories import PriceZoneFactory
from tests.sales.test_confirmations import waiting_on_a_lock
from tests.staff.test_counter_exchange import counter_sale
from tests.support import (
    card_token,
    intent_mark,
    make_performance,
    make_user,
    places_of,
    provider,
    race,
    signed_in,
)
from tests.support import intents_of as provider_intents_of

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

BUYER = CustomerDetails(name="Marie Côté", email="marie@example.org")


def paid_back(order) -> Decimal:
    """What went back to the buyer, as the refund rows record it."""
    return -sum((p.amount for p in Payment.objects.filter(order=order, status="refunded", amount__lt=0)),
                Decimal("0"))


def taken(order) -> Decimal:
    return sum((p.amount for p in Payment.objects.filter(order=order, status="approved")), Decimal("0"))


def refunded_at_provider(intent_id: str) -> Decimal:
    """What the provider itself says it paid back of one payment."""
    refunds = provider().v1.refunds.list({"payment_intent": intent_id, "limit": 100})
    return sum((Decimal(r.amount) / 100 for r in refunds.data if r.status in ("succeeded", "pending")), Decimal("0"))


MARK = {}


@pytest.fixture(autouse=True)
def _intents_from_here():
    MARK["after"] = intent_mark()  # the provider's intents are read from this test's on


def intents_of(code: str) -> list:
    return provider_intents_of(code, MARK["after"])


def clerks(n: int, cash_float: str = "1000"):
    people = [make_user(f"clerk-r{i}", COUNTER_CLERK) for i in range(n)]
    return people, [shift_open(clerk=c, cash_float=Decimal(cash_float)) for c in people]


def card_sale(perf, n: int = 2) -> Order:
    hold = hold_create(performance=perf, channel=Channel.ONLINE,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    return order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))


def errors(results) -> list[str]:
    return [r.message for r in results if isinstance(r, SalesError)]


def while_it_waits(lock, request, then=None, *, what: str, kill: bool = False):
    """`request()`'s answer, sent on a thread of its own while another holds the rows
    `lock()` locks (in a transaction): once the request waits on them, its database
    connection is killed (`kill`) or not, then `then()` runs in the locking transaction,
    which commits, letting the request go on."""
    locked, release, answers = threading.Event(), threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                lock()
                locked.set()
                release.wait(10)
                if then is not None:
                    then()
        finally:
            connection.close()

    def asker():
        try:
            answers.append(request())
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=asker)]
    threads[0].start()
    assert locked.wait(10)
    threads[1].start()
    assert waiting_on_a_lock(1), f"{what} did not reach the lock"
    if kill:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database() AND pid <> pg_backend_pid()")
            assert cursor.fetchall() == [(True,)]
    release.set()
    for t in threads:
        t.join(30)
    (answer,) = answers
    return answer


def upgrade_started(clerk, shift, *, browser: bool = False):
    """A $50.00 Stalls ticket sold by `clerk`, and the clerk's page starting its exchange for
    a seat in Front ($80.00): the page and where its payment is posted, with the perf,
    order and ticket."""
    perf = make_performance(rows=2, per_row=4, on_sale=False)
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("80.00"),
                     seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    order = counter_sale(clerk, shift, perf, "Stalls", 1)
    ticket = order.tickets.get()
    page = signed_in(clerk)
    page.raise_request_exception = not browser  # browser: answered as a browser would see it
    start = page.post(f"/counter/orders/{order.code}/exchange/",
                      {"tickets": [str(ticket.pk)], "zone": perf.price_zones.get(name="Front").pk, "quantity": "1"})
    return page, start["Location"], perf, order, ticket


def the_order(order):
    return lambda: Order.objects.select_for_update().get(pk=order.pk)


def said(answer) -> str:
    return " ".join(unescape(answer.content.decode()).split())


# --- refunds against refunds ----------------------------------------------------------

def test_two_clerks_refunding_the_same_order_at_once_pay_it_back_once():
    people, shifts = clerks(2)
    perf = make_performance(rows=1, per_row=4)
    order = counter_sale(people[0], shifts[0], perf, "Stalls", 2)

    results = race(2, lambda i: order_refund(order=Order.objects.get(pk=order.pk), actor=people[i],
                                             shift=shifts[i]))

    assert [type(r).__name__ for r in results].count("Order") == 1, results
    assert errors(results) == [f"order {order.code} is refunded; only a paid order can be refunded"]
    assert paid_back(order) == Decimal("100.00")
    assert Payment.objects.filter(order=order, status="refunded").count() == 1
    assert Place.objects.filter(performance=perf, state="available").count() == 4


def test_two_organizers_refunding_one_card_order_at_once_pay_back_once_at_the_provider():
    """The provider is asked after the commit, with no lock held: the loser, refused under
    the order's lock, asks it nothing."""
    people = [make_user(f"organizer-r{i}", ORGANIZER) for i in range(2)]
    perf = make_performance(rows=1, per_row=4)
    order = card_sale(perf)

    results = race(2, lambda i: order_refund(order=Order.objects.get(pk=order.pk), actor=people[i]))

    assert len(errors(results)) == 1, results
    assert paid_back(order) == Decimal("100.00")
    assert refunded_at_provider(order.payment_intent) == Decimal("100.00")


def test_two_clerks_refunding_the_same_ticket_at_once_pay_it_back_once():
    people, shifts = clerks(2)
    perf = make_performance(rows=1, per_row=4)
    order = counter_sale(people[0], shifts[0], perf, "Stalls", 3)
    first = order.tickets.order_by("pk").first()

    results = race(2, lambda i: tickets_refund(order=order, ticket_ids=[first.pk], actor=people[i],
                                               shift=shifts[i]))

    assert errors(results) == ["some of those are not valid tickets of this order"], results
    assert paid_back(order) == Decimal("50.00")
    order.refresh_from_db()
    assert order.status == "paid" and order.total == Decimal("100.00")
    assert Ticket.objects.filter(order=order, status="valid").count() == 2


def test_partial_refunds_of_every_ticket_at_once_with_a_full_refund_never_pay_back_more_than_was_paid():
    """Four clerks each refund one ticket of a four-ticket order while a fifth refunds the
    whole order. Whoever lands last finds nothing left; the order is paid back exactly once
    in all, its total and its rows agreeing."""
    people, shifts = clerks(5)
    perf = make_performance(rows=1, per_row=6)
    order = counter_sale(people[0], shifts[0], perf, "Stalls", 4)
    ids = list(order.tickets.order_by("pk").values_list("pk", flat=True))

    def act(i):
        if i == 4:
            return order_refund(order=Order.objects.get(pk=order.pk), actor=people[i], shift=shifts[i])
        return tickets_refund(order=Order.objects.get(pk=order.pk), ticket_ids=[ids[i]], actor=people[i],
                              shift=shifts[i])

    results = race(5, act)

    order.refresh_from_db()
    assert order.status == "refunded", results
    assert paid_back(order) == taken(order) == Decimal("200.00")
    assert not Ticket.objects.filter(order=order, status="valid").exists()
    assert Place.objects.filter(performance=perf, state="available").count() == 6
    # Each refund row pays back a payment it still held: none overdrawn.
    for paid in Payment.objects.filter(order=order, status="approved"):
        assert -sum((r.amount for r in paid.refunds.all()), Decimal("0")) <= paid.amount
    for message in errors(results):
        assert message in (f"order {order.code} is refunded; only a paid order can be refunded",
                           "some of those are not valid tickets of this order"), message


def test_a_clerks_refund_limit_holds_for_two_of_their_refunds_at_once():
    """Two refunds of 200.00 each by one clerk on one order (limit 300.00): the second to
    take the order's lock counts the first and needs a supervisor."""
    people, shifts = clerks(1)
    clerk, shift = people[0], shifts[0]
    perf = make_performance(rows=2, per_row=4, on_sale=False)
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("100.00"),
                     seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    order = counter_sale(clerk, shift, perf, "Front", 4)  # 400.00
    a, b, c, d = order.tickets.order_by("pk").values_list("pk", flat=True)
    pairs = [[a, b], [c, d]]

    results = race(2, lambda i: tickets_refund(order=Order.objects.get(pk=order.pk), ticket_ids=pairs[i],
                                               actor=clerk, shift=shift))

    assert errors(results) == ["a refund of $200.00 needs a supervisor"], results
    assert paid_back(order) == Decimal("200.00")
    assert Ticket.objects.filter(order=order, status="valid").count() == 2


# --- refunds, exchanges and the door ---------------------------------------------------

def test_a_refund_and_an_exchange_of_the_same_ticket_at_once_do_one_of_them():
    people, shifts = clerks(2)
    perf = make_performance(rows=2, per_row=4)
    order = counter_sale(people[0], shifts[0], perf, "Stalls", 2)
    first, second = order.tickets.order_by("pk")
    new = hold_create(performance=perf, channel=Channel.COUNTER, user=people[1], zone=perf.price_zones.get(),
                      quantity=1)

    def act(i):
        if i == 0:
            return tickets_refund(order=Order.objects.get(pk=order.pk), ticket_ids=[first.pk], actor=people[0],
                                  shift=shifts[0])
        return order_exchange(order=Order.objects.get(pk=order.pk), ticket_ids=[first.pk], hold=new,
                              actor=people[1], shift=shifts[1])

    refund, exchange = race(2, act)

    assert isinstance(refund, SalesError) != isinstance(exchange, SalesError), (refund, exchange)
    order.refresh_from_db()
    assert Ticket.objects.get(pk=first.pk).status == "void" and Ticket.objects.get(pk=second.pk).status == "valid"
    sold = Place.objects.filter(performance=perf, state="sold").count()
    if isinstance(exchange, SalesError):
        assert exchange.message in ("some of those are not valid tickets of this order",
                                    "a ticket of this order was just refunded or exchanged; look the order up again")
        assert paid_back(order) == Decimal("50.00") and order.total == Decimal("50.00") and sold == 1
        if exchange.message.startswith("a ticket of this order was just"):  # refused under the order's lock
            assert Hold.objects.get(pk=new.pk).status == "released"  # the new seat not kept for nothing
            assert not Place.objects.filter(performance=perf, state="held").exists()
    else:
        assert refund.message == "some of those are not valid tickets of this order"
        assert paid_back(order) == 0 and order.total == Decimal("100.00") and sold == 2
        assert Ticket.objects.filter(order=order, status="valid").count() == 2


@pytest.mark.parametrize("how", ["order", "ticket", "exchange"])
def test_a_ticket_scanned_at_the_door_while_it_is_refunded_or_exchanged_is_either_in_or_paid_back(how):
    """The guest walks in as the clerk refunds (or exchanges) their ticket: they are let in
    and keep it, or it is void and the door refuses it; never let in and paid back too."""
    people, shifts = clerks(1)
    door = make_user("door-r", DOOR_STAFF)
    perf = make_performance(rows=2, per_row=4)
    order = counter_sale(people[0], shifts[0], perf, "Stalls", 1)
    ticket = order.tickets.get()
    new = hold_create(performance=perf, channel=Channel.COUNTER, user=people[0], zone=perf.price_zones.get(),
                      quantity=1)

    def act(i):
        if i == 1:  # on the day, as the door sees it
            return ticket_check_in(code=ticket.code, performance=perf, door="gate A", actor=door, now=perf.starts_at)
        fresh = Order.objects.get(pk=order.pk)
        if how == "order":
            return order_refund(order=fresh, actor=people[0], shift=shifts[0])
        if how == "ticket":  # its only ticket: the order refunded
            return tickets_refund(order=fresh, ticket_ids=[ticket.pk], actor=people[0], shift=shifts[0])
        return order_exchange(order=fresh, ticket_ids=[ticket.pk], hold=new, actor=people[0], shift=shifts[0])

    clerk_side, door_side = race(2, act)

    ticket.refresh_from_db()
    order.refresh_from_db()
    assert isinstance(clerk_side, SalesError) != isinstance(door_side, SalesError), (clerk_side, door_side)
    if isinstance(door_side, SalesError):  # the clerk first: the door refuses a void ticket, saying why
        assert ticket.status == "void" and ticket.checked_in_at is None
        assert "refunded" in door_side.message or "exchanged" in door_side.message, door_side.message
    else:  # the guest first: nothing paid back, nothing exchanged
        assert ticket.status == "valid" and ticket.checked_in_at is not None
        assert "used at the door" in clerk_side.message, clerk_side.message
        assert paid_back(order) == 0 and order.status == "paid"
        assert Place.objects.get(pk=ticket.place_id).state == "sold"
        assert Place.objects.filter(performance=perf, state="sold").count() == 1  # no new seat sold


@pytest.mark.parametrize("how", ["scanned", "refunded"])
def test_an_exchange_refused_after_its_cash_was_taken_tells_the_clerk_to_hand_the_cash_back(how):
    """The clerk takes $100.00 for a $60.00 upgrade; the guest's ticket is scanned at the door
    (or the order refunded at another counter) as the exchange reaches the order's lock:
    refused there, after the cash was taken. The page says so, and to hand the $100.00 back."""
    (clerk, other), (shift, other_shift) = clerks(2, cash_float="100")
    page, pay, perf, order, ticket = upgrade_started(clerk, shift)

    def meanwhile():  # the door (or another counter)
        if how == "scanned":
            ticket_check_in(code=ticket.code, performance=perf, door="gate A",
                            actor=make_user("door-x", DOOR_STAFF), now=perf.starts_at)
        else:
            order_refund(order=Order.objects.get(pk=order.pk), actor=other, shift=other_shift)

    refused = while_it_waits(the_order(order), lambda: page.post(pay, {"tendered": "100"}), meanwhile,
                             what="the exchange")
    text = said(refused)
    assert refused.status_code == 400
    assert ("used at the door" if how == "scanned" else "The order changed meanwhile") in text
    assert "The $100.00 in cash the customer handed over for the difference was not taken: hand it back." in text
    assert Ticket.objects.get(pk=ticket.pk).price_zone_name == "Stalls"
    # The drawer agrees: the float and the sale ($50.00, or nothing once refunded), no difference.
    assert shift_expected(shift)["cash"] == Decimal("150.00")
    assert shift_expected(other_shift)["cash"] == Decimal("100.00") - (50 if how == "refunded" else 0)


def test_an_exchange_refused_after_its_card_terminal_payment_tells_the_clerk_to_pay_it_back_there():
    """The clerk takes the $30.00 upgrade on the card terminal; the guest's ticket is scanned
    at the door as the exchange reaches the order's lock: refused there, after the terminal
    charged the card. Recorded as paid back, it is still on the customer's card: the page
    says to pay the $30.00 back on the terminal."""
    (clerk,), (shift,) = clerks(1, cash_float="100")
    page, pay, perf, order, ticket = upgrade_started(clerk, shift)
    refused = while_it_waits(
        the_order(order), lambda: page.post(pay, {"card_amount": "30", "card_reference": "AUTH-42"}),
        lambda: ticket_check_in(code=ticket.code, performance=perf, door="gate A",
                                actor=make_user("door-x", DOOR_STAFF), now=perf.starts_at),
        what="the exchange")
    text = said(refused)
    assert refused.status_code == 400 and "used at the door" in text
    assert "The $30.00 taken on the card terminal for the difference was not kept: pay it back on the terminal" \
        in text, text
    assert "in cash" not in text
    assert Ticket.objects.get(pk=ticket.pk).price_zone_name == "Stalls"
    assert shift_expected(shift)["card_terminal"] == Decimal("0.00")  # nothing kept on the terminal's count


def test_an_exchange_whose_connection_dies_after_its_cash_was_taken_tells_the_clerk_to_hand_it_back():
    """The clerk takes $100.00 for a $30.00 upgrade; as the exchange waits on the order's lock
    its database connection is killed (a failover, a restart): no sales refusal, an error
    from the database. The page still says the exchange was not made and to hand the $100.00
    back, never a server error, and nothing of the exchange is written."""
    (clerk,), (shift,) = clerks(1, cash_float="100")
    page, pay, perf, order, ticket = upgrade_started(clerk, shift, browser=True)
    refused = while_it_waits(the_order(order), lambda: page.post(pay, {"tendered": "100"}), what="the exchange",
                             kill=True)
    text = said(refused)
    assert refused.status_code == 400, (refused.status_code, text[:300])
    assert "The exchange could not be completed" in text, text
    assert "The $100.00 in cash the customer handed over for the difference was not taken: hand it back." in text
    order.refresh_from_db()
    assert order.status == "paid" and order.total == Decimal("50.00")
    assert Ticket.objects.get(pk=ticket.pk).status == "valid"
    assert Ticket.objects.get(pk=ticket.pk).price_zone_name == "Stalls"
    assert not Place.objects.filter(performance=perf, price_zone__name="Front", state="sold").exists()
    assert not order.payments.filter(status="approved", amount__gt=50).exists()
    assert shift_expected(shift)["cash"] == Decimal("150.00")  # the float and the first sale only


@pytest.mark.parametrize("paid, meanwhile", [("cash", "cancelled"), ("terminal", "cancelled"), ("cash", "killed")])
def test_a_counter_sale_refused_after_its_money_was_taken_tells_the_clerk_to_give_it_back(paid, meanwhile):
    """The clerk presses Pay as the organizer cancels the performance: the sale waits on the
    seats the cancellation has locked, the cash (or the terminal's charge) is taken, and the
    sale is refused once the cancellation commits. The page says what to hand back (or pay
    back on the terminal), with the amount, and the sale is undone in full. So too when the
    sale's database connection is killed as it waits (no refusal: an error), never a
    server error."""
    organizer = make_user("organizer-r", ORGANIZER, is_staff=True)
    perf = make_performance(rows=1, per_row=4)  # $50.00 a seat
    (clerk,), (shift,) = clerks(1, cash_float="100")
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:1]])
    page = signed_in(clerk)
    page.raise_request_exception = False  # answered as a browser would see it
    money = {"tendered": "60"} if paid == "cash" else {"card_amount": "50", "card_reference": "AUTH-7"}
    refused = while_it_waits(
        # The seats locked first, as the cancellation does, until the sale waits on them.
        lambda: list(Place.objects.select_for_update().filter(performance=perf).values_list("pk", flat=True)),
        lambda: page.post(f"/counter/sale/{hold.pk}/", {**money, "attempt": "1"}),
        (lambda: performance_cancel(performance=perf, actor=organizer)) if meanwhile == "cancelled" else None,
        what="the sale", kill=meanwhile == "killed")
    text = said(refused)
    assert refused.status_code == 400, text
    assert ("This performance was cancelled" if meanwhile == "cancelled" else "The sale could not be completed") \
        in text, text
    if paid == "cash":
        assert "The $60.00 in cash the customer handed over was not taken: hand it back." in text, text
        assert "card terminal" not in text
    else:
        assert "The $50.00 taken on the card terminal was not kept: pay it back on the terminal." in text, text
        assert "hand it back" not in text
    order = Order.objects.get(hold=hold)
    assert order.status == "failed" and not order.tickets.exists()
    assert not Place.objects.filter(performance=perf, state="sold").exists()
    # The drawer and the terminal agree: only the float, nothing kept.
    assert shift_expected(shift)["cash"] == Decimal("100.00")
    assert shift_expected(shift)["card_terminal"] == Decimal("0.00")


# --- payment links and reservations ------------------------------------------------

def reserved(perf, operator, n: int = 2, days: int = 2) -> Order:
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, zone=perf.price_zones.get(),
                       quantity=n)
    return order_reserve(hold=hold, customer=BUYER, deadline=timezone.now() + timedelta(days=days), actor=operator)


def money_agrees(order: Order) -> None:
    """Whatever the provider took for `order` is either its sale (paid, its tickets valid,
    its places sold) or paid back in full (no ticket, no place sold)."""
    order.refresh_from_db()
    kept = sum((Decimal(i.amount) / 100 - refunded_at_provider(i.id) for i in intents_of(order.code)
                if i.status == "succeeded"), Decimal("0"))
    valid = Ticket.objects.filter(order=order, status="valid").count()
    if order.status == "paid":
        assert kept == order.total and valid and taken(order) == order.total, (order.status, kept, valid)
        assert set(Place.objects.filter(tickets__order=order, tickets__status="valid")
                   .values_list("state", flat=True)) == {"sold"}
    else:
        assert kept == 0 and not valid and taken(order) == 0, (order.status, kept, valid)


def test_the_same_payment_link_paid_from_two_browsers_at_once_charges_one_card():
    operator = make_user("operator-r", PHONE_OPERATOR)
    perf = make_performance(rows=1, per_row=4)
    order = reserved(perf, operator)
    link = f"/orders/{order.code}/{order.access_token}/pay/"
    tokens = [card_token() for _ in range(4)]

    answers = race(4, lambda i: Client().post(link, {"card_token": tokens[i]}))

    codes = sorted(a.status_code for a in answers)
    assert codes.count(302) >= 1 and set(codes) <= {302, 409}, codes
    for a in answers:  # refused while the first was paying, or told it is paid once it was
        if a.status_code == 409:
            page = a.content.decode()
            assert "A payment of this reservation is already under way" in page or 'msg-warning">Paid<' in page
    money_agrees(order)
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert [i.status for i in intents_of(order.code)] == ["succeeded"]  # one card charged


def test_a_reservation_paid_by_its_link_while_the_operator_cancels_it_keeps_no_money_without_tickets():
    operator = make_user("operator-r", PHONE_OPERATOR)
    perf = make_performance(rows=1, per_row=4)
    order = reserved(perf, operator)
    token = card_token()

    def act(i):
        if i == 0:
            return order_pay_by_link(order=Order.objects.get(pk=order.pk), access_token=order.access_token,
                                     payment=PaymentRequest(method="card", token=token))
        return order_cancel(order=Order.objects.get(pk=order.pk), actor=operator)

    paying, cancelling = race(2, act)

    money_agrees(order)
    order.refresh_from_db()
    assert isinstance(paying, SalesError) != isinstance(cancelling, SalesError), (paying, cancelling)
    if order.status == "paid":
        assert "a paid order is refunded, not cancelled" in cancelling.message, cancelling.message
    else:
        assert order.status == "cancelled"
        assert not Place.objects.filter(performance=perf).exclude(state="available").exists()
        assert paying.message, paying


def test_a_reservation_paid_by_its_link_as_its_deadline_lapses_keeps_no_money_without_tickets():
    operator = make_user("operator-r", PHONE_OPERATOR)
    perf = make_performance(rows=1, per_row=4)
    order = reserved(perf, operator)
    token = card_token()
    later = order.payment_deadline + timedelta(minutes=1)  # the sweep's clock has passed the deadline

    def act(i):
        if i == 0:
            return order_pay_by_link(order=Order.objects.get(pk=order.pk), access_token=order.access_token,
                                     payment=PaymentRequest(method="card", token=token))
        return reservations_tidy(now=later)

    paying, tidied = race(2, act)

    money_agrees(order)
    order.refresh_from_db()
    assert order.status in ("paid", "cancelled"), order.status
    if order.status == "cancelled":
        assert isinstance(paying, SalesError) and paying.message, paying


# --- a performance cancelled while a buyer pays ---------------------------------------

def test_a_performance_cancelled_while_a_buyer_pays_for_a_hold_of_it_keeps_no_money_without_tickets():
    organizer = make_user("organizer-r", ORGANIZER, is_staff=True)
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    token = card_token()

    def act(i):
        if i == 0:
            return order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=token))
        return performance_cancel(performance=perf, actor=organizer)

    paying, cancelling = race(2, act)

    assert not isinstance(cancelling, SalesError), cancelling
    refund_cancelled(perf.pk)  # the task the cancellation asks for
    assert not Place.objects.filter(performance=perf).exclude(state="blocked").exists()
    order = Order.objects.filter(hold=hold).first()
    if order is None:  # the cancellation came first: the payment was refused before any order, or charge
        assert isinstance(paying, SalesError), paying
        return
    assert not Ticket.objects.filter(order=order, status="valid").exists()
    assert not Place.objects.filter(performance=perf).exclude(state="blocked").exists()
    for intent in intents_of(order.code):
        if intent.status == "succeeded":
            assert refunded_at_provider(intent.id) == Decimal(intent.amount) / 100
    if isinstance(paying, SalesError):
        assert "cancelled" in paying.message, paying.message
        assert order.status in ("failed", "cancelled")
    else:
        assert Order.objects.get(pk=order.pk).status == "refunded"


# --- the provider's webhook and the request that charged --------------------------------

@pytest.mark.parametrize("how", ["checkout", "payment link"])
def test_a_webhook_that_reads_the_order_before_the_request_sells_it_pays_nothing_back(monkeypatch, how):
    """The provider's webhook arrives as the request that charged the card goes on to the
    sale: the webhook reads the order still awaiting payment (or still reserved) and asks
    the provider about it, and meanwhile the request sells it. The webhook's own sale then finds it sold, with this
    very payment: the buyer keeps their tickets and the box office its money."""
    import threading

    from django.db import connection

    from sales.orders.settling import payment_settle
    from sales.payments import PROVIDERS

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    card, real_sell, real_retrieve = PROVIDERS["card"], inventory.sell, PROVIDERS["card"].retrieve
    asked, sold, webhook = threading.Event(), threading.Event(), []

    def retrieve(reference, **how):
        intent = real_retrieve(reference, **how)
        if threading.current_thread().name == "webhook":  # it has read the order, then asked the provider
            asked.set()
            assert sold.wait(timeout=30)
        return intent

    def settle(pk):
        try:
            webhook.append(payment_settle(Order.objects.get(pk=pk)))
        except Exception as exc:  # noqa: BLE001 - asserted below
            webhook.append(exc)
        finally:
            connection.close()

    def sell(**kwargs):
        if threading.current_thread().name == "webhook":
            return real_sell(**kwargs)
        thread = threading.Thread(target=settle, args=(kwargs["order"].pk,), name="webhook")
        thread.start()
        assert asked.wait(timeout=30)
        try:
            return real_sell(**kwargs)  # the request's sale commits as it returns
        finally:
            sold.set()
            webhook.append(thread)

    monkeypatch.setattr(card, "retrieve", retrieve)
    monkeypatch.setattr(inventory, "sell", sell)
    if how == "checkout":
        order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    else:
        order = reserved(perf, make_user("operator-r", PHONE_OPERATOR))
        order = order_pay_by_link(order=order, access_token=order.access_token,
                                  payment=PaymentRequest(method="card", token=card_token()))
    webhook[0].join()

    assert order.status == "paid" and not isinstance(webhook[1], Exception), webhook
    order.refresh_from_db()
    assert order.status == "paid" and Ticket.objects.filter(order=order, status="valid").count() == 2
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["approved"]
    assert refunded_at_provider(order.payment_intent) == 0


@pytest.mark.parametrize("meanwhile", ["cancelled", "lapsed", "paid"])
def test_a_reservation_that_stops_being_one_as_its_payment_starts_says_what_it_became(monkeypatch, meanwhile):
    """Its payment is about to claim the reservation when an operator cancels it, the sweep
    finds its deadline passed, or another console pays it: the claim is refused, and the
    payer is told what the order now is, not that it is being paid (try again later)."""
    import threading

    from django.db import connection

    from sales.orders import order_pay_reservation, reservations

    operator = make_user("operator-r", PHONE_OPERATOR)
    perf = make_performance(rows=1, per_row=4)
    order = reserved(perf, operator)
    real_lines_of, done = reservations.lines_of, []

    def other():
        try:
            if meanwhile == "cancelled":
                order_cancel(order=Order.objects.get(pk=order.pk), actor=operator)
            elif meanwhile == "lapsed":
                reservations_tidy(now=order.payment_deadline + timedelta(minutes=1))
            else:
                order_pay_reservation(order=Order.objects.get(pk=order.pk), actor=operator,
                                      payment=PaymentRequest(method="card_not_present", token=card_token()))
        finally:
            connection.close()

    def lines_of(o):  # read once the order was found reserved, before its payment claims it
        if not done:
            done.append(threading.Thread(target=other))
            done[0].start()
            done[0].join()
        return real_lines_of(o)

    monkeypatch.setattr(reservations, "lines_of", lines_of)
    status = {"cancelled": "cancelled", "lapsed": "cancelled", "paid": "paid"}[meanwhile]
    with pytest.raises(SalesError) as refused:
        order_pay_by_link(order=Order.objects.get(pk=order.pk), access_token=order.access_token,
                          payment=PaymentRequest(method="card", token=card_token()))
    assert refused.value.message == f"order {order.code} is {status}, not a reservation"
    assert done, "the reservation was not read as such first"
    money_agrees(order)


@pytest.mark.parametrize("meanwhile", ["cancelled", "lapsed"])
def test_a_payment_link_whose_reservation_ends_while_the_card_is_charged_tells_the_buyer_it_was_refunded(
        monkeypatch, meanwhile):
    """The card is taken, and before the sale the operator cancels the reservation (or the
    sweep finds its deadline passed): the payment goes back, and the buyer's page says so
    beside what became of the reservation, not only "Cancelled"."""
    import re
    import threading

    from django.db import connection

    from sales.orders import charging

    operator = make_user("operator-r", PHONE_OPERATOR)
    perf = make_performance(rows=1, per_row=4)
    order = reserved(perf, operator)
    real_charge = charging.charge

    def other():
        try:
            if meanwhile == "cancelled":
                order_cancel(order=Order.objects.get(pk=order.pk), actor=operator)
            else:
                reservations_tidy(now=order.payment_deadline + timedelta(minutes=1))
        finally:
            connection.close()

    def charge(*args, **kwargs):
        charged = real_charge(*args, **kwargs)
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        return charged

    monkeypatch.setattr(charging, "charge", charge)
    page = Client().post(f"/orders/{order.code}/{order.access_token}/pay/", {"card_token": card_token()})

    text = re.sub(r"\s+", " ", page.content.decode())
    assert page.status_code == 409
    assert "The order was cancelled while the payment was taken; the payment was refunded" in text, text
    assert 'id="pay-form"' not in text
    money_agrees(order)
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_a_payment_link_whose_seats_go_as_its_deadline_passes_tells_the_buyer_it_was_refunded(monkeypatch):
    """The card is taken as the reservation's deadline passes, and before the sale its
    seats go to another buyer (the sweep has not marked it lapsed yet): the payment goes
    back, and the buyer's page says so beside the deadline passed, not only that."""
    import re
    import time

    from sales.orders import charging

    operator = make_user("operator-r", PHONE_OPERATOR)
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, zone=perf.price_zones.get(),
                       quantity=2)
    order = order_reserve(hold=hold, customer=BUYER, deadline=timezone.now() + timedelta(seconds=5), actor=operator)
    token = card_token()
    real_charge = charging.charge

    def charge(*args, **kwargs):
        charged = real_charge(*args, **kwargs)
        time.sleep(max(0.0, (order.payment_deadline - timezone.now()).total_seconds()) + 0.2)  # the deadline passes
        hold_create(performance=perf, channel=Channel.ONLINE,  # its seats, free again, held by another buyer
                    place_ids=list(Place.objects.filter(hold=hold).values_list("pk", flat=True)))
        return charged

    monkeypatch.setattr(charging, "charge", charge)
    page = Client().post(f"/orders/{order.code}/{order.access_token}/pay/", {"card_token": token})

    text = re.sub(r"\s+", " ", unescape(page.content.decode()))
    assert page.status_code == 409
    assert "The payment deadline has passed; the seats were released." in text
    assert "the payment was refunded" in text, text
    money_agrees(order)


def test_a_webhook_and_its_request_both_finding_the_seats_gone_pay_the_card_back_once(monkeypatch):
    """The performance is cancelled as a card is charged, and the provider's webhook reads
    the order still awaiting payment: the request and the webhook each find the seats gone
    and pay the card back. The provider pays it back once."""
    import threading

    from django.db import connection

    from sales.orders.settling import payment_settle
    from sales.payments import PROVIDERS

    organizer = make_user("organizer-r", ORGANIZER, is_staff=True)
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    card, real_sell, real_retrieve = PROVIDERS["card"], inventory.sell, PROVIDERS["card"].retrieve
    asked, webhook = threading.Event(), []

    def retrieve(reference, **how):
        intent = real_retrieve(reference, **how)
        if threading.current_thread().name == "webhook":
            asked.set()
        return intent

    def settle(pk):
        try:
            webhook.append(payment_settle(Order.objects.get(pk=pk)))
        except Exception as exc:  # noqa: BLE001 - asserted below
            webhook.append(exc)
        finally:
            connection.close()

    def sell(**kwargs):
        if threading.current_thread().name == "webhook":
            return real_sell(**kwargs)
        performance_cancel(performance=perf, actor=organizer)  # the seats gone before the sale
        thread = threading.Thread(target=settle, args=(kwargs["order"].pk,), name="webhook")
        thread.start()
        webhook.append(thread)
        assert asked.wait(timeout=30)  # both now on their way to the sale, and to pay back
        return real_sell(**kwargs)

    monkeypatch.setattr(card, "retrieve", retrieve)
    monkeypatch.setattr(inventory, "sell", sell)
    with pytest.raises(SalesError) as refused:
        order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    webhook[0].join()

    order = Order.objects.get(hold=hold)
    assert refused.value.message == "this performance was cancelled; the payment was refunded", refused.value.message
    assert not isinstance(webhook[1], Exception), webhook
    assert refunded_at_provider(order.payment_intent) == Decimal("100.00")
    assert order.status == "failed" and not Ticket.objects.filter(order=order).exists()
    assert Payment.objects.filter(order=order, status="refunded").count() == 1  # one row, whoever wrote it
