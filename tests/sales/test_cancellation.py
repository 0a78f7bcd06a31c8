"""A performance cancelled from the admin: nothing more is sold on any door, no hold
outlives it, every card buyer is paid back in full by the box office (fees included, at
the real provider), every counter buyer is told to come to the counter, where they are
paid back in full too, and the door lets nobody in."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales import notifications
from sales.errors import IllegalTransition, NotOnSale, SalesError
from sales.holds import hold_create
from sales.models import Hold, Order, Place, Ticket
from sales.notifications import order_link
from sales.orders import CustomerDetails, order_place, order_reserve
from sales.orders.cancellation import performance_cancel, refund_cancelled
from sales.payments import PaymentRequest
from sales.tickets import ticket_check_in
from tests.support import (
    assert_error,
    booking_fee,
    card_token,
    client_for,
    drawer,
    make_performance,
    make_user,
    places_of,
    provider,
    race,
    signed_in,
    table_rows,
)

CARD_BUYER = CustomerDetails(name="Remi Boursé", email="remi@example.org")
CASH_BUYER = CustomerDetails(name="Anne Comptant", email="anne@example.org")
CALLER = CustomerDetails(name="Paul Appel", email="paul@example.org")


@pytest.fixture
def night(db, clerk, operator):
    """A performance with one order of each kind: paid by card online (with a booking fee
    the organizer keeps on a refund), paid in cash at the counter, reserved by phone, and a
    basket in progress."""
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    perf = make_performance(rows=1, per_row=8)
    free = [p.pk for p in places_of(perf, state="available")]
    card = order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=free[:2]),
                       customer=CARD_BUYER, payment=PaymentRequest(method="card", token=card_token()))
    cash = order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=free[2:3]),
                       customer=CASH_BUYER, actor=clerk, shift=drawer(clerk),
                       payments=[PaymentRequest(method="cash", tendered=Decimal("60"))])
    reserved = order_reserve(hold=hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                                              place_ids=free[3:4]),
                             customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=2))
    basket = hold_create(performance=perf, channel=Channel.ONLINE, owner_key="someone", place_ids=free[4:6])
    assert card.status == cash.status == "paid" and card.total == Decimal("107.00")
    assert notifications.send_pending_confirmations() == 2
    mail.outbox.clear()
    return perf, card, cash, reserved, basket


@pytest.mark.django_db
def test_the_cancellation_says_which_counter_buyers_cannot_be_told(night, organizer, clerk):
    """A walk-in sold to nobody in particular gave no address: the organizer is told so
    before cancelling, not that every counter buyer is emailed."""
    from sales.formatting import WALK_IN_EMAIL, WALK_IN_NAME

    perf = night[0]
    free = [p.pk for p in places_of(perf, state="available")]
    order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=free[:1]),
                customer=CustomerDetails(name=WALK_IN_NAME, email=WALK_IN_EMAIL), actor=clerk, shift=drawer(clerk),
                payments=[PaymentRequest(method="cash", tendered=Decimal("60"))])
    page = signed_in(organizer).get(f"/admin/events/performance/{perf.pk}/cancel/").content.decode()
    plan = page[page.find("cancel-plan"):][:2500]
    assert "2 paid in cash or on the card terminal are paid back at the counter when their buyers come" in plan, plan
    assert "1 of these buyers is emailed to come with the tickets" in plan, plan
    assert "1 bought at the counter without an email address and cannot be told" in plan, plan


@pytest.mark.django_db
def test_the_organizer_cancels_and_everyone_is_paid_back(night, organizer, clerk):
    perf, card, cash, reserved, basket = night
    admin = signed_in(organizer)
    url = f"/admin/events/performance/{perf.pk}/cancel/"
    assert url.encode() in admin.get(f"/admin/events/performance/{perf.pk}/change/").content
    page = admin.get(url).content.decode()
    for said in ("2 paid orders, $157.00 in all", "1 paid by card online or by phone is paid back",
                 "1 paid in cash or on the card terminal is paid back at the counter when its buyer comes",
                 "1 of these buyers is emailed to come with the tickets",
                 "1 phone reservation not yet paid is cancelled", "1 basket or hold in progress is released"):
        assert said in page, page[page.find("cancel-plan"):][:1500]
    # Not ticked: nothing happens, the page says why.
    page = admin.post(url, {"note": "Storm"}).content.decode()
    assert "Tick this to cancel the performance." in page
    perf.refresh_from_db()
    assert perf.cancelled_at is None

    # The storm comes after the doors opened: one card buyer is already in.
    ticket_check_in(code=card.tickets.order_by("pk").first().code, performance=perf, actor=organizer,
                    now=perf.starts_at)
    note = "The storm closed the amphitheatre. Your tickets are refunded."
    page = admin.post(url, {"note": note, "confirm": "on"}, follow=True).content.decode()
    assert "The performance is cancelled" in page and "Still to pay back: 1 by the box office" in page
    perf.refresh_from_db()
    assert perf.cancelled_at is not None and perf.cancellation_note == note

    # Nothing is held or free any more: the reservation is cancelled, the basket released,
    # and every place not sold is blocked.
    assert Order.objects.get(pk=reserved.pk).status == "cancelled"
    assert Hold.objects.get(pk=basket.pk).status == "released"
    assert not Hold.objects.filter(performance=perf, status="active").exists()
    assert {p.state for p in Place.objects.filter(performance=perf)} == {"sold", "blocked"}
    assert Place.objects.filter(performance=perf, state="sold").count() == 3

    # The card buyer is paid back by the box office, fees included, at the provider.
    assert refund_cancelled(perf.pk) == 1 and refund_cancelled(perf.pk) == 0
    assert Order.objects.get(pk=card.pk).status == "refunded"
    # Their places stay off sale: a refund of a cancelled performance puts nothing back on sale.
    assert Place.objects.filter(performance=perf, state="sold").count() == 1
    assert not Place.objects.filter(performance=perf, state="available").exists()
    refunds = provider().v1.refunds.list({"payment_intent": Order.objects.get(pk=card.pk).payment_intent}).data
    assert [r.amount for r in refunds] == [10700]
    # Emails: the card buyer's refund, the cash buyer's call to the counter, with the note.
    assert notifications.send_pending_confirmations() == 2
    sent = {m.to[0]: m for m in mail.outbox}
    refund, counter = sent[CARD_BUYER.email], sent[CASH_BUYER.email]
    assert "This performance is cancelled" in refund.body and "fees included" in refund.body and note in refund.body
    assert counter.subject.startswith("Cancelled:") and "Bring your tickets" in counter.body
    assert note in counter.body and not counter.attachments
    # The caller whose reservation ended is told once that nothing was charged.
    assert notifications.send_reservation_cancelled(reserved.pk)
    assert not notifications.send_reservation_cancelled(reserved.pk)
    told = mail.outbox[-1]
    assert told.to == [CALLER.email] and told.subject.startswith("Cancelled:")
    assert "nothing was charged" in told.body and note in told.body

    # The cash buyer comes to the counter: paid back in full there.
    client = signed_in(clerk)
    page = client.get(f"/counter/orders/{cash.code}/").content.decode()
    assert "This performance is cancelled." in page and 'id="refund"' in page
    assert 'id="print"' not in page and 'id="exchange"' not in page
    page = client.post(f"/counter/orders/{cash.code}/refund/", follow=True).content.decode()
    assert Order.objects.get(pk=cash.pk).status == "refunded", page
    assert "Refunded: Cash $50.00. The performance is cancelled." in page
    assert {p.state for p in Place.objects.filter(performance=perf)} == {"blocked"}
    page = admin.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    assert "Every buyer has been paid back." in page
    assert url.encode() not in admin.get(f"/admin/events/performance/{perf.pk}/change/").content


@pytest.mark.django_db
def test_no_door_sells_or_admits_a_cancelled_performance(night, organizer, clerk):
    perf, card, cash, _reserved, _basket = night
    performance_cancel(performance=perf, note="", actor=organizer)
    with pytest.raises(IllegalTransition, match="already cancelled"):
        performance_cancel(performance=perf, actor=organizer)
    for channel, user in ((Channel.ONLINE, None), (Channel.COUNTER, clerk)):
        with pytest.raises(NotOnSale, match="is cancelled"):
            hold_create(performance=perf, channel=channel, user=user, zone=perf.price_zones.get(), quantity=1)
    answer = client_for().post("/api/v1/holds/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                  "quantity": 1}, format="json")
    assert "is cancelled" in assert_error(answer, 409, "not_on_sale")["message"]
    detail = client_for().get(f"/api/v1/performances/{perf.pk}/").json()
    assert detail["cancelled_at"] and not any(w["open_now"] for w in detail["on_sale"])
    shop = signed_in(make_user("browser")).get(f"/performances/{perf.pk}/").content.decode()
    assert "This performance is cancelled." in shop and "Find seats" not in shop
    assert "Cancelled" in client_for().get("/").content.decode()
    # The counter no longer offers it; the door turns its tickets away.
    assert f"/counter/performances/{perf.pk}/".encode() not in signed_in(clerk).get("/counter/").content
    with pytest.raises(IllegalTransition, match="cancelled"):
        ticket_check_in(code=cash.tickets.get().code, performance=perf, actor=organizer)
    order_page = client_for().get(f"/orders/{card.code}/{card.access_token}/").content.decode()
    assert "This performance is cancelled." in order_page
    counter_page = signed_in(clerk).get(f"/counter/orders/{card.code}/").content.decode()
    assert 'name="tickets_given"' not in counter_page  # refunded whole: no tickets to tick
    phone = signed_in(make_user("phone-cancelled", "phone operator"))
    assert "This performance is cancelled." in phone.get(f"/phone/orders/{card.code}/").content.decode()
    door = make_user("door-cancelled", "door staff")
    scan_page = signed_in(door).get(f"/door/performances/{perf.pk}/").content.decode()
    assert "This performance is cancelled: nobody is let in." in scan_page
    # Its ticket scanned at another date's door is not sent to a show that will not be.
    other = make_performance(rows=1, per_row=2)
    with pytest.raises(SalesError, match="which is cancelled: nobody is let in with it"):
        ticket_check_in(code=card.tickets.first().code, performance=other, actor=door)


def test_a_staff_sale_open_when_the_performance_is_cancelled_says_why_it_is_gone(organizer, clerk, operator):
    from sales.models import Customer

    perf = make_performance(rows=1, per_row=4)
    drawer(clerk)  # the counter sells in an open shift
    at_counter = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, quantity=1,
                             zone=perf.price_zones.get())
    caller = Customer.objects.create(name="Paul Appel", email="paul@example.org")
    by_phone = hold_create(performance=perf, channel=Channel.PHONE, user=operator, quantity=1,
                           zone=perf.price_zones.get(), owner_key=f"customer:{caller.pk}")
    performance_cancel(performance=perf, note="", actor=organizer)
    for user, url in ((clerk, f"/counter/sale/{at_counter.pk}/"),
                      (operator, f"/phone/customers/{caller.pk}/sale/{by_phone.pk}/")):
        page = signed_in(user).get(url, follow=True).content.decode()
        assert "This performance was cancelled; the seats were released." in page, url
        assert "lapsed" not in page


@pytest.mark.django_db
def test_a_basket_open_when_the_performance_is_cancelled_says_why_it_is_gone(organizer):
    from django.test import Client

    perf = make_performance(rows=1, per_row=4)
    shopper = Client()
    shopper.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    assert Hold.objects.filter(status="active").exists()
    performance_cancel(performance=perf, note="The artist is ill.", actor=organizer)
    page = shopper.get("/basket/", follow=True).content.decode()
    assert "This performance is cancelled: your seats were released." in page
    assert "The artist is ill." in page and "Your hold expired" not in page


@pytest.mark.django_db(transaction=True)
def test_no_hold_made_while_cancelling_outlives_the_cancellation(organizer):
    """Buyers hold places while the organizer cancels: whoever wins each race, nothing is
    left held afterwards, and every place is off sale."""
    perf = make_performance(rows=4, per_row=25)
    zone = perf.price_zones.get()

    def act(i):
        if i == 0:
            return performance_cancel(performance=perf, actor=None)
        holds = []
        for _ in range(6):
            try:
                holds.append(hold_create(performance=perf, channel=Channel.ONLINE, owner_key=f"b{i}",
                                         zone=zone, quantity=2))
            except SalesError:  # not on sale any more, or its places blocked
                break
        return holds

    results = race(9, act)
    made = sum(len(r) for r in results[1:] if isinstance(r, list))
    assert not Hold.objects.filter(performance=perf, status="active").exists()
    assert Hold.objects.filter(performance=perf).count() == made
    assert set(Place.objects.filter(performance=perf).values_list("state", flat=True)) == {"blocked"}


def test_tickets_of_a_cancelled_performance_exchanged_for_another_date(night, organizer, clerk):
    """The buyer takes another date instead of the money: the cancelled date's places stay
    off sale, its tickets count all they cost (the fee the organizer keeps on a refund
    included), and a ticket already used that night is exchanged too."""
    from events.services import performance_copy
    from sales import inventory
    from sales.orders import order_exchange, tickets_refund

    perf, card, cash, _reserved, _basket = night
    other = performance_copy(perf, perf.starts_at + timedelta(days=7))
    inventory.put_on_sale(performance=other)
    first, second = card.tickets.order_by("pk")
    ticket_check_in(code=first.code, performance=perf, actor=clerk, now=perf.starts_at)
    performance_cancel(performance=perf, actor=organizer, note="Storm")
    shift = drawer(clerk)
    new = hold_create(performance=other, channel=Channel.COUNTER, user=clerk, quantity=1,
                      zone=other.price_zones.get())
    exchanged = order_exchange(order=Order.objects.get(pk=cash.pk), ticket_ids=[cash.tickets.get().pk], hold=new,
                               actor=clerk, shift=shift)
    assert exchanged.performance_id == other.pk and exchanged.status == "paid"
    assert Place.objects.filter(performance=perf, state="available").count() == 0
    # A cancelled performance's order is refunded whole or not at all: two partial cash
    # refunds, each to the coin, paid back more than the drawer took.
    with pytest.raises(IllegalTransition, match="refund the order in full"):
        tickets_refund(order=Order.objects.get(pk=card.pk), ticket_ids=[second.pk], actor=clerk, shift=shift)
    # The card order's two 53.50 tickets (a 3.50 fee each, kept on an ordinary refund), one
    # of them used: both move to the new date at 50.00, and 7.00 is paid back.
    new = hold_create(performance=other, channel=Channel.COUNTER, user=clerk, quantity=2,
                      zone=other.price_zones.get())
    exchanged = order_exchange(order=Order.objects.get(pk=card.pk), ticket_ids=[first.pk, second.pk], hold=new,
                               actor=clerk, shift=shift)
    assert exchanged.performance_id == other.pk
    assert -card.payments.filter(status="refunded").get().amount == Decimal("7.00")
    assert Place.objects.filter(performance=perf, state="available").count() == 0


@pytest.mark.django_db
def test_fees_kept_by_a_refund_made_before_the_cancellation_are_paid_back_too(night, organizer, clerk):
    """A buyer refunded a week before kept none of the tickets but paid the fees that were
    not refundable then. The performance never happens: those fees go back too, the way
    they were paid (the card's by the box office, the counter's at the counter), and the
    box office holds nothing of a performance that never took place."""
    from django.db.models import Sum

    from sales.models import Payment
    from sales.orders import order_refund
    from sales.reports import MONEY_MOVED

    perf, card, cash, reserved, basket = night
    booking_fee(Channel.COUNTER, per_ticket="2.00")
    free = [p.pk for p in places_of(perf, state="available")]
    walk_in = order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=free[:1]),
                          customer=CASH_BUYER, actor=clerk, shift=drawer(clerk),
                          payments=[PaymentRequest(method="cash", tendered=Decimal("60"))])
    order_refund(order=card, actor=None)
    order_refund(order=walk_in, actor=clerk, shift=drawer(clerk))

    def held(order):
        return Payment.objects.filter(MONEY_MOVED, order=order).aggregate(s=Sum("amount"))["s"]

    assert held(card) == Decimal("7.00") and held(walk_in) == Decimal("2.00")  # the fees, not refundable
    admin = signed_in(organizer)
    url = f"/admin/events/performance/{perf.pk}/cancel/"
    page = admin.get(url).content.decode()
    assert "2 orders refunded earlier kept $9.00 of fees in all: they are paid back too" in page
    admin.post(url, {"note": "Storm", "confirm": "on"})
    mail.outbox.clear()

    assert refund_cancelled(perf.pk) == 1 and refund_cancelled(perf.pk) == 0  # the card's, at the provider
    assert held(card) == 0 and Order.objects.get(pk=card.pk).status == "refunded"
    refunds = provider().v1.refunds.list({"payment_intent": card.payment_intent}).data
    assert sorted(r.amount for r in refunds) == [700, 10000]
    assert notifications.send_pending_confirmations() >= 1
    assert any(m.to == [CARD_BUYER.email] and "7.00" in m.body for m in mail.outbox)

    page = signed_in(clerk).get(f"/counter/orders/{walk_in.code}/").content.decode()
    assert "kept $2.00 of fees: they go back too" in page and 'id="fees-back"' in page
    page = signed_in(clerk).post(f"/counter/orders/{walk_in.code}/refund/", follow=True).content.decode()
    assert "Refunded: Cash $2.00. The performance is cancelled." in page
    assert held(walk_in) == 0 and 'id="fees-back"' not in page
    # What the box office still holds of it: only the cash buyer's, who has yet to come.
    assert held(cash) == Decimal("50.00")
    assert Payment.objects.filter(MONEY_MOVED, order__performance=perf).aggregate(s=Sum("amount"))["s"] == 50


@pytest.mark.django_db
def test_a_cancelled_performance_is_not_put_on_sale_and_is_told_so(organizer):
    from sales.inventory.stock import put_on_sale

    perf = make_performance(rows=1, per_row=4, on_sale=False)
    performance_cancel(performance=perf, actor=organizer)
    with pytest.raises(IllegalTransition, match="is cancelled: it is not put on sale"):
        put_on_sale(performance=perf)
    assert not Place.objects.filter(performance=perf).exists()


@pytest.mark.django_db
def test_fees_back_over_the_clerks_limit_are_signed_by_a_supervisor(organizer, clerk):
    """The clerk paid back 300.00 before the cancellation, their limit on one order: the
    fees that order kept go back with a supervisor's signature, from the same page."""
    from sales.orders import order_refund

    booking_fee(Channel.COUNTER, per_ticket="2.00")
    perf = make_performance(rows=1, per_row=8)
    order = order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                                         place_ids=[p.pk for p in places_of(perf)[:6]]),
                        customer=CASH_BUYER, actor=clerk, shift=drawer(clerk),
                        payments=[PaymentRequest(method="cash", tendered=Decimal("400"))])
    order_refund(order=order, actor=clerk, shift=drawer(clerk))  # 300.00 back, 12.00 of fees kept
    performance_cancel(performance=perf, actor=organizer)
    counter = signed_in(clerk)
    page = counter.get(f"/counter/orders/{order.code}/").content.decode()
    fees_form = page.split('id="fees-back-form"')[1].split("</form>")[0]
    assert 'name="supervisor"' in fees_form and 'name="supervisor_password"' in fees_form
    refused = counter.post(f"/counter/orders/{order.code}/refund/", follow=True).content.decode()
    assert "needs a supervisor" in refused
    signed = counter.post(f"/counter/orders/{order.code}/refund/", {
        "supervisor": "organizer1", "supervisor_password": "pw-organizer1"}, follow=True).content.decode()
    assert "Refunded: Cash $12.00. The performance is cancelled." in signed


# --- what a cancellation still owes ---------------------------------------------------------

def _online_order(perf, n, email="marie@example.org"):
    from sales.payments import APPROVE

    hold = hold_create(performance=perf, channel=Channel.ONLINE, owner_key=email,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    return order_place(hold=hold, customer=CustomerDetails(name="Marie", email=email), owner_key=email,
                       payment=PaymentRequest(method="test_card", card_number=APPROVE))


def _counter_order(perf, clerk, n, tendered="150"):
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    return order_place(hold=hold, customer=CustomerDetails(name="Anne", email="anne@example.org"), actor=clerk,
                       shift=drawer(clerk), payments=[PaymentRequest(method="cash", tendered=Decimal(tendered))])


def _other_date(perf, price="50.00"):
    from sales import inventory
    from tests.factories import PerformanceFactory, PriceZoneFactory

    later = PerformanceFactory(event=perf.event, venue=perf.venue, starts_at=perf.starts_at + timedelta(days=1),
                               channels=list(Channel.values))
    PriceZoneFactory(performance=later, name="Stalls", price=Decimal(price), sections=perf.venue.sections.all())
    inventory.put_on_sale(performance=later)
    return later


def _held(order):
    from django.db.models import Sum

    from sales.models import Payment
    from sales.reports import MONEY_MOVED

    return Payment.objects.filter(MONEY_MOVED, order=order).aggregate(s=Sum("amount"))["s"] or Decimal("0")


@pytest.mark.django_db
def test_refund_cancelled_does_not_refund_an_order_moved_to_another_date_meanwhile(organizer, monkeypatch):
    perf = make_performance(rows=1, per_row=6, price="50.00")
    booking_fee(Channel.ONLINE, per_ticket="4.00", refundable=False)
    later = _other_date(perf)
    _online_order(perf, 2, "a@example.org")
    second = _online_order(perf, 2, "b@example.org")
    performance_cancel(performance=perf, actor=organizer)

    from sales.orders import order_exchange, refunds
    real = refunds.refund_at_provider
    moved = []

    def slow_provider(order, row, amount, **kw):
        # While the provider answers the first refund, the second buyer takes another date.
        if not moved:
            hold = hold_create(performance=later, channel=Channel.ONLINE, user=organizer,
                               place_ids=[p.pk for p in places_of(later, state="available")[:2]])
            moved.append(order_exchange(order=Order.objects.get(pk=second.pk),
                                        ticket_ids=list(second.tickets.values_list("pk", flat=True)),
                                        hold=hold, actor=organizer))
        return real(order, row, amount, **kw)

    monkeypatch.setattr(refunds, "refund_at_provider", slow_provider)
    refund_cancelled(perf.pk)
    second.refresh_from_db()
    assert second.performance_id == later.pk
    valid = Ticket.objects.filter(order=second, status="valid").count()
    assert (second.status, valid, _held(second)) == ("paid", 2, Decimal("108.00")), \
        f"moved to {later} yet refunded by the cancellation task: {second.status}, {valid} valid tickets, " \
        f"still holds {_held(second)}"


@pytest.mark.django_db
def test_the_cancelled_performance_does_not_say_everyone_is_paid_back_while_fees_are_still_held(organizer, clerk):
    """A counter buyer refunded before the cancellation kept a 2.00 fee; the cancellation
    gives it back at the counter. Until they come, the box office still holds it."""
    perf = make_performance(rows=1, per_row=6, price="50.00")
    booking_fee(Channel.COUNTER, per_ticket="2.00", refundable=False)
    order = _counter_order(perf, clerk, 1)
    from sales.orders import order_refund

    order_refund(order=order, actor=clerk, shift=drawer(clerk))
    assert _held(order) == Decimal("2.00")
    # Refunded, and told so, three days before the cancellation.
    notifications.send_pending_confirmations()
    Order.objects.filter(pk=order.pk).update(refunded_at=timezone.now() - timedelta(days=3),
                                             confirmation_sent_at=timezone.now() - timedelta(days=3))
    mail.outbox.clear()
    admin = signed_in(organizer)
    admin.post(f"/admin/events/performance/{perf.pk}/cancel/", {"note": "Storm", "confirm": "on"})
    refund_cancelled(perf.pk)
    assert _held(order) == Decimal("2.00")  # still to pay back at the counter
    page = admin.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    assert "Every buyer has been paid back." not in page, "said while 2.00 of a buyer's fees is still held"
    assert "1 order refunded earlier still holds fees to give back." in page
    # Its buyer is told to come for them.
    assert notifications.send_pending_confirmations() >= 1
    told = [m for m in mail.outbox if m.to == ["anne@example.org"]]
    assert told and "Bring this email to the box office." in told[-1].body
    assert "refunded in full" not in told[-1].body and "card refund" not in told[-1].body


@pytest.mark.django_db
def test_the_cancelled_performance_does_not_say_everyone_is_paid_back_when_a_card_refund_failed(organizer):
    from sales.orders.charging import refund_failed_later, refunds_refused

    perf = make_performance(rows=1, per_row=6, price="50.00")
    order = _online_order(perf, 1)
    admin = signed_in(organizer)
    admin.post(f"/admin/events/performance/{perf.pk}/cancel/", {"note": "Storm", "confirm": "on"})
    assert refund_cancelled(perf.pk) == 1
    row = order.payments.get(status="refunded")
    refund_failed_later(f"refund-{row.pk}", "the card is closed")  # the provider's refund.failed
    assert refunds_refused(order) == Decimal("50.00")
    page = admin.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    assert "Every buyer has been paid back." not in page, "said while the buyer's 50.00 is still owed"
    assert "1 card refund was refused by the payment provider: owed by other means." in page


@pytest.mark.django_db
def test_an_exchange_priced_before_the_cancellation_and_sold_after_it_is_refused_and_charges_nothing(
        organizer, monkeypatch):
    """Priced while the date was on (the old fee not refundable, 10.00 to pay), committed
    after it was cancelled (the old ticket then worth its fee too): refused, the charge paid
    straight back, the ticket and its fee as they were."""
    from sales.models import Payment
    from sales.orders import exchanges, order_exchange
    from sales.payments import APPROVE
    from sales.reports import MONEY_MOVED

    booking_fee(Channel.ONLINE, per_ticket="4.00", refundable=False)
    perf = make_performance(rows=1, per_row=6, price="50.00")
    later = _other_date(perf, price="56.00")
    order = _online_order(perf, 1)
    ticket = order.tickets.get()
    real = exchanges.charge

    def charge_while_cancelling(*args, **kw):
        taken = real(*args, **kw)
        performance_cancel(performance=perf, actor=organizer)  # at that moment, the storm
        return taken

    monkeypatch.setattr(exchanges, "charge", charge_while_cancelling)
    hold = hold_create(performance=later, channel=Channel.ONLINE, user=organizer,
                       place_ids=[places_of(later, state="available")[0].pk])
    with pytest.raises(IllegalTransition, match="just cancelled"):
        order_exchange(order=order, ticket_ids=[ticket.pk], hold=hold, actor=organizer,
                       payments=[PaymentRequest(method="test_card", card_number=APPROVE)])
    ticket.refresh_from_db()
    assert ticket.status == "valid" and not ticket.fee_refundable
    assert sum(p.amount for p in Payment.objects.filter(MONEY_MOVED, order=order)) == order.total


@pytest.mark.django_db
def test_an_exchange_off_a_cancelled_date_at_the_counter_gives_back_the_fee_an_earlier_refund_kept(
        organizer, clerk):
    """Two tickets bought at the counter, one refunded before the storm (its 2.00 fee kept).
    The buyer comes back for another date: the counter says and pays back that fee too."""
    from sales.orders import tickets_refund

    booking_fee(Channel.COUNTER, per_ticket="2.00", refundable=False)
    perf = make_performance(rows=1, per_row=6, price="50.00")
    later = _other_date(perf)
    order = _counter_order(perf, clerk, 2, tendered="104")
    first, second = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=drawer(clerk))  # 50.00 back
    assert _held(order) == Decimal("54.00")
    performance_cancel(performance=perf, actor=organizer)
    counter = signed_in(clerk)
    start = counter.post(f"/counter/orders/{order.code}/exchange/", {
        "tickets": [str(second.pk)], "zone": later.price_zones.get().pk, "quantity": "1"})
    page = counter.get(start["Location"]).content.decode()
    assert "Of which $2.00 of fees this order kept" in page
    done = counter.post(start["Location"], {}, follow=True).content.decode()
    assert "Exchanged. Pay back $2.00." in done, "the fee the earlier refund kept was not paid back"
    assert _held(order) == Decimal("52.00") == Order.objects.get(pk=order.pk).total
    # The slip reprinted: the ticket refunded before the storm gave back 50.00 then, its fee
    # later with the exchange; the slip never says its refund gave 52.00. What went back, in
    # all, is the refunds' own sum.
    slip = counter.post(f"/counter/orders/{order.code}/print/").content.decode()
    rows = table_rows(slip, 'class="receipt')
    at = rows.index(["Ticket refunded since (not in the total above):"])
    assert rows[at + 1:] == [[f"{first.place} · Stalls"]] and "Refund amount" not in slip
    assert table_rows(slip, 'id="slip-paid"')[0] == ["Cash", "$104.00"]  # what was paid, said once
    assert table_rows(slip, 'id="slip-net"') == [["Refunded", "−$52.00"], ["Net paid", "$52.00"]]
    with pytest.raises(IllegalTransition):  # paid back once: the order is for the new date now
        from sales.orders import order_refund

        order_refund(order=Order.objects.get(pk=order.pk), actor=None, cancelled_only=True)


@pytest.mark.django_db
def test_the_cancelled_performance_does_not_say_everyone_is_paid_back_while_the_provider_has_not_taken_a_refund(
        organizer):
    """The payment provider did not answer when the box office paid a buyer back: the
    refund is sent again until it answers, and until then the buyer is not paid back."""
    from django.test import override_settings

    from sales.orders.settling import payments_reconcile

    perf = make_performance(rows=1, per_row=6, price="50.00")
    order = order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE,
                                         place_ids=[places_of(perf)[0].pk]),
                        customer=CARD_BUYER, payment=PaymentRequest(method="card", token=card_token()))
    admin = signed_in(organizer)
    admin.post(f"/admin/events/performance/{perf.pk}/cancel/", {"note": "Storm", "confirm": "on"})
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        assert refund_cancelled(perf.pk) == 1
    assert provider().v1.refunds.list({"payment_intent": order.payment_intent}).data == []
    page = admin.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    assert "Every buyer has been paid back." not in page, "said while the provider has not taken the 50.00 refund"
    assert "1 card refund is not yet taken by the payment provider: it is sent again until it answers." in page
    payments_reconcile()
    page = admin.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    assert "Every buyer has been paid back." in page


@pytest.mark.django_db
def test_an_exchange_off_a_cancelled_date_gives_back_the_fee_per_order_once(organizer, clerk, monkeypatch):
    """Two tickets bought at the counter at 52.00 (a 2.00 fee each) with a 3.00 fee per
    order, both kept on an ordinary refund: 107.00. The date is cancelled and the buyer
    takes another at the same price: the 3.00 goes back too, as a refund would give it
    back. The order, its receipt and the settlement then hold nothing of it; that date
    cancelled in turn, the next exchange gives it back no more, nor does a refund."""
    from sales.models import Payment
    from sales.order_receipt import order_receipt
    from sales.orders import exchanges, order_exchange, order_refund
    from sales.settlement import event_settlement

    booking_fee(Channel.COUNTER, per_ticket="2.00", per_order="3.00", refundable=False)
    perf = make_performance(rows=1, per_row=6, price="50.00")
    later = _other_date(perf)
    order = _counter_order(perf, clerk, 2)
    assert order.total == _held(order) == Decimal("107.00")
    performance_cancel(performance=perf, actor=organizer)

    def exchange(onto, **kw):
        hold = hold_create(performance=onto, channel=Channel.COUNTER, user=clerk, quantity=2,
                           zone=onto.price_zones.get())
        current = Order.objects.get(pk=order.pk)
        return order_exchange(order=current, hold=hold, actor=clerk, shift=drawer(clerk),
                              ticket_ids=list(current.tickets.filter(status="valid").values_list("pk", flat=True)),
                              **kw)

    # An exchange that fails at its last step leaves nothing half-written.
    def fails(*args, **kw):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(exchanges, "record", fails)
        with pytest.raises(RuntimeError):
            exchange(later)
    stands = Order.objects.get(pk=order.pk)
    assert (stands.performance_id, stands.total, stands.receipt["order_fee"]) == (perf.pk, Decimal("107.00"), "3.00")
    assert _held(order) == Decimal("107.00") and not Payment.objects.filter(order=order, amount__lt=0).exists()
    assert Ticket.objects.filter(order=order, status="valid", place__performance=perf).count() == 2

    counter = signed_in(clerk)
    start = counter.post(f"/counter/orders/{order.code}/exchange/", {
        "tickets": list(order.tickets.values_list("pk", flat=True)), "zone": later.price_zones.get().pk,
        "quantity": "2"})
    page = counter.get(start["Location"]).content.decode()
    done = counter.post(start["Location"], {}, follow=True).content.decode()
    assert "Exchanged. Pay back $3.00." in done, "the fee per order was not paid back"
    assert "Of which $3.00 is the fee per order: the performance is cancelled, it goes back too." in page
    order.refresh_from_db()
    assert order.performance_id == later.pk
    assert order.total == _held(order) == Decimal("104.00")
    receipt = order_receipt(order)
    assert (receipt.total, receipt.order_fee, receipt.kept) == (Decimal("104.00"), 0, 0)
    line = {line.performance_id: line for line in event_settlement(perf.event).performances}[later.pk]
    assert (line.net, line.ticket_sales, line.order_fees, line.kept) == (
        Decimal("104.00"), Decimal("104.00"), 0, 0)

    # That date is cancelled too: the next exchange gives back the new tickets' fees, as
    # every exchange off a cancelled date does, and not the fee per order a second time.
    third = _other_date(later)
    performance_cancel(performance=later, actor=organizer)
    order = exchange(third)
    assert order.total == _held(order) == Decimal("104.00")
    # An ordinary refund of the third date keeps its tickets' fees only.
    order = order_refund(order=order, actor=clerk, shift=drawer(clerk))
    assert order.status == "refunded" and _held(order) == Decimal("4.00")
    assert -sum(Payment.objects.filter(order=order, amount__lt=0).values_list("amount", flat=True)) \
        == Decimal("103.00")


@pytest.mark.django_db
def test_the_cancelled_performance_counts_the_card_payback_of_an_exchange_off_it_until_the_provider_takes_it(
        organizer):
    """A card buyer takes another date at 46.00 instead of the money: 4.00 of the 54.00 they
    paid goes back to the card, and the provider does not answer. Until it takes that
    refund, and after it refuses it, the buyer is not paid back. An order exchanged off
    the date before it was cancelled is none of its buyers'."""
    from django.test import override_settings

    from sales.models import REFUND_OWED
    from sales.orders import order_exchange
    from sales.orders.charging import refund_failed_later
    from sales.orders.settling import payments_reconcile

    booking_fee(Channel.ONLINE, per_ticket="4.00")
    perf = make_performance(rows=1, per_row=6, price="50.00")
    later = _other_date(perf, price="46.00")
    cheaper = _other_date(later, price="40.00")
    moved, order = (order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE,
                                                 place_ids=[places_of(perf, state="available")[0].pk]),
                                customer=CARD_BUYER, payment=PaymentRequest(method="card", token=card_token()))
                    for _n in range(2))

    def exchange(buyer, onto):
        hold = hold_create(performance=onto, channel=Channel.ONLINE, user=organizer,
                           place_ids=[places_of(onto, state="available")[0].pk])
        with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
            order_exchange(order=Order.objects.get(pk=buyer.pk), ticket_ids=[buyer.tickets.get().pk], hold=hold,
                           actor=organizer)
        return buyer.payments.get(status="refunded")

    assert exchange(moved, cheaper).message == REFUND_OWED  # 6.00, a week before the storm
    admin = signed_in(organizer)
    admin.post(f"/admin/events/performance/{perf.pk}/cancel/", {"note": "Storm", "confirm": "on"})
    row = exchange(order, later)
    assert (row.amount, row.message) == (Decimal("-4.00"), REFUND_OWED)
    url = f"/admin/events/performance/{perf.pk}/change/"
    page = admin.get(url).content.decode()
    assert "Every buyer has been paid back." not in page, "said while the provider has not taken the 4.00 refund"
    assert "1 card refund is not yet taken by the payment provider: it is sent again until it answers." in page
    payments_reconcile()
    assert "Every buyer has been paid back." in admin.get(url).content.decode()
    refund_failed_later(f"refund-{row.pk}", "the card is closed")  # the provider's refund.failed
    page = admin.get(url).content.decode()
    assert "Every buyer has been paid back." not in page, "said while the buyer's 4.00 is still owed"
    assert "1 card refund was refused by the payment provider: owed by other means." in page


@pytest.mark.django_db
def test_refunds_of_an_order_on_the_date_it_was_exchanged_to_are_not_the_cancelled_dates(organizer):
    """A card buyer of two tickets at 50.00 takes another date at 46.00 once theirs is
    cancelled: 8.00 goes back to the card, for the cancelled date. Later, on the new date,
    one ticket is refunded and the provider refuses it, then the other, and the provider
    does not answer: those refunds are the new date's, in its figures, not the cancelled
    date's, whose buyers have all been paid back."""
    from django.test import override_settings

    from sales.models import Payment
    from sales.orders import order_exchange, order_refund, tickets_refund
    from sales.orders.cancellation import also_owed
    from sales.orders.charging import refund_failed_later
    from sales.reports import performance_dashboard

    perf = make_performance(rows=1, per_row=6, price="50.00")
    later = _other_date(perf, price="46.00")
    order = order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE,
                                         place_ids=[p.pk for p in places_of(perf, state="available")[:2]]),
                        customer=CARD_BUYER, payment=PaymentRequest(method="card", token=card_token()))
    admin = signed_in(organizer)
    admin.post(f"/admin/events/performance/{perf.pk}/cancel/", {"note": "Storm", "confirm": "on"})
    hold = hold_create(performance=later, channel=Channel.ONLINE, user=organizer,
                       place_ids=[p.pk for p in places_of(later, state="available")[:2]])
    order = order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=hold,
                           actor=organizer)
    payback = order.payments.get(status="refunded")
    assert (payback.amount, payback.performance_id) == (Decimal("-8.00"), perf.pk)
    url = f"/admin/events/performance/{perf.pk}/change/"
    assert "Every buyer has been paid back." in admin.get(url).content.decode()
    assert also_owed(perf) == (0, 0, 0)

    first, second = order.tickets.filter(status="valid").order_by("pk")
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        tickets_refund(order=order, ticket_ids=[first.pk], actor=organizer)
        refused = order.payments.filter(status="refunded").latest("pk")
        refund_failed_later(f"refund-{refused.pk}", "the card is closed")
        order_refund(order=Order.objects.get(pk=order.pk), actor=organizer)
    owed = order.payments.filter(status="refunded").latest("pk")
    assert [(r.amount, r.performance_id) for r in (refused, owed)] == [(Decimal("-46.00"), later.pk)] * 2
    assert also_owed(perf) == (0, 0, 0), "the new date's refunds are counted on the cancelled date"
    page = admin.get(url).content.decode()
    assert "Every buyer has been paid back." in page
    assert "not yet taken by the payment provider" not in page and "refused by the payment provider" not in page
    # The new date's figures have them: what its order took and paid back, the 8.00 included.
    dashboard = performance_dashboard(later)
    assert dashboard.refunded == sum(Payment.objects.filter(order=order, amount__lt=0).values_list(
        "amount", flat=True)) == Decimal("-100.00")
    # Cancelled in turn, the new date counts them as its own.
    admin.post(f"/admin/events/performance/{later.pk}/cancel/", {"note": "Storm again", "confirm": "on"})
    assert also_owed(later) == (0, 1, 1)
    # Rows written before refunds named their performance: the migration finds each one's again.
    import importlib

    from django.db import connection

    named = dict(Payment.objects.filter(status="refunded").values_list("pk", "performance_id"))
    assert sorted(named.values()) == [perf.pk, later.pk, later.pk]
    Payment.objects.update(performance=None)
    assert also_owed(later) == (0, 1, 1)  # rows not named yet: their order's, as before
    migration = importlib.import_module("sales.migrations.0046_payment_performance")
    migration.name_performances(connection)
    assert dict(Payment.objects.filter(status="refunded").values_list("pk", "performance_id")) == named
    # A range of ids at a time (each its own transaction): the last rows too.
    Payment.objects.update(performance=None)
    migration.name_performances(connection, batch=1)
    assert dict(Payment.objects.filter(status="refunded").values_list("pk", "performance_id")) == named


def test_the_refunds_are_named_their_performance_without_stopping_sales():
    """Every sale writes a payment: the migration that names each refund's performance
    does not hold the payments in one transaction while it reads every order's trail (the
    column added on its own, the rows named a range at a time, each range committed), and
    builds its index concurrently, which lets payments be written meanwhile."""
    from django.contrib.postgres.operations import AddIndexConcurrently
    from django.db import migrations
    from django.db.migrations.loader import MigrationLoader

    migration = MigrationLoader(None, ignore_no_migrations=True).get_migration("sales", "0046_payment_performance")
    assert migration.atomic is False
    kinds = [migrations.AddField, migrations.RunPython, AddIndexConcurrently]
    assert len(migration.operations) == 3 and all(map(isinstance, migration.operations, kinds))
    assert not migration.operations[1].atomic


@pytest.mark.django_db(transaction=True)
def test_the_migration_naming_refunds_their_performance_runs_again_after_stopping_midway():
    """Not one transaction, it can stop anywhere (a lost connection, a batch of the backfill
    that fails): run again, it goes on from where it stopped, with the column already added
    or an index its concurrent build left invalid."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate(target or executor.loader.graph.leaf_nodes())

    def index_valid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'payment_performance'::regclass")
            return cursor.fetchone()[0]

    added = ('ALTER TABLE sales_payment ADD COLUMN performance_id bigint NULL REFERENCES events_performance (id) '
             'DEFERRABLE INITIALLY DEFERRED')
    before = [("sales", "0045_ticket_refunded_at_backfill")]
    try:
        migrate(before)
        with connection.cursor() as cursor:
            cursor.execute(added)  # stopped after its first step
        migrate(None)
        assert index_valid()
        migrate(before)
        with connection.cursor() as cursor:
            cursor.execute(added)  # stopped in its index's concurrent build: left invalid
            cursor.execute('CREATE INDEX payment_performance ON sales_payment (performance_id) '
                           'WHERE performance_id IS NOT NULL')
            cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'payment_performance'::regclass")
        migrate(None)
        assert index_valid()
    finally:
        migrate(None)


@pytest.mark.django_db
def test_a_cancelled_performances_page_offers_no_prices_or_counts(organizer):
    """It says it is cancelled; a list of its zones' prices with "(0 left)" beside each
    would read as sold out, and offers what cannot be bought."""
    perf = make_performance(rows=1, per_row=4)
    zone = perf.price_zones.get()
    before = client_for().get(f"/performances/{perf.pk}/").content.decode()
    assert 'id="zones-h"' in before and "4 left" in before  # the control: on sale, it lists them
    performance_cancel(performance=perf, actor=organizer)
    page = client_for().get(f"/performances/{perf.pk}/").content.decode()
    assert "This performance is cancelled." in page
    assert 'id="zones-h"' not in page and " left)" not in page and f"{zone.name} —" not in page


@pytest.mark.django_db
def test_each_buyer_reads_the_cancellation_note_in_their_own_language(night, organizer):
    """The organizer writes the note once, and again in French: a buyer who bought in
    French reads the French one, in the email and on the order's page; one who bought in
    English reads the note as typed, which stands for any language not written."""
    perf, card, cash, reserved, basket = night
    Order.objects.filter(pk=card.pk).update(language="fr")
    note, note_fr = "The storm closed the amphitheatre.", "L'orage a fermé l'amphithéâtre."
    page = signed_in(organizer).post(f"/admin/events/performance/{perf.pk}/cancel/", {
        "note": note, "note_en": "", "note_fr": note_fr, "confirm": "on"}, follow=True).content.decode()
    assert "The performance is cancelled" in page
    assert refund_cancelled(perf.pk) == 1
    assert notifications.send_pending_confirmations() == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert note_fr in sent[CARD_BUYER.email].body and note not in sent[CARD_BUYER.email].body
    assert note in sent[CASH_BUYER.email].body and note_fr not in sent[CASH_BUYER.email].body
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(order_link(Order.objects.get(pk=card.pk))).content.decode()
    assert "L&#x27;orage a fermé l&#x27;amphithéâtre." in french and note not in french


@pytest.mark.django_db
def test_the_cancellation_plan_leaves_out_what_there_is_none_of(organizer):
    """Only cards paid: no line says "0 paid in cash", "0 phone reservations" or "0
    baskets"; with nothing sold at all, the page says that nothing has been paid."""
    perf = make_performance(rows=1, per_row=4)
    admin = signed_in(organizer)
    url = f"/admin/events/performance/{perf.pk}/cancel/"

    def plan():
        page = admin.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        return " ".join(re.sub(r"<[^>]+>", " ", re.search(r'<ul id="cancel-plan">(.*?)</ul>\s*<form', page,
                                                          re.S).group(1)).split())

    assert plan() == "Rien n’a encore été payé pour elle."
    free = [p.pk for p in places_of(perf)]
    order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=free[:1]),
                customer=CARD_BUYER, payment=PaymentRequest(method="card", token=card_token()))
    said = plan()
    assert "1 payée par carte en ligne ou par téléphone est remboursée" in said, said
    assert not re.search(r"(?<![\d,])0 ", said), said


@pytest.mark.django_db
def test_the_cancel_page_reads_as_the_admins_other_forms(organizer):
    """Each box of the cancel page is labelled as the admin's forms label theirs (with the
    colon French writes after a space) and its help sits under it, named by it."""
    perf = make_performance(rows=1, per_row=4)
    page = signed_in(organizer).get(f"/admin/events/performance/{perf.pk}/cancel/",
                                    HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r'<label[^>]*for="id_note">Ce qui est dit aux acheteurs\u00a0:</label>', page), page
    for name in ("note", "note_en", "note_fr"):
        box = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page).group()
        assert f'aria-describedby="id_{name}_helptext"' in box, box
        assert re.search(rf'<div class="help"[^>]*id="id_{name}_helptext"', page), name
    # A box ticked is labelled after it, with no colon.
    assert re.search(r'<label[^>]*for="id_confirm"[^>]*>Je comprends que c’est irréversible.</label>', page), page
