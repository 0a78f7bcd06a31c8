"""Refunds and exchanges by phone: the caller's card paid back by the payment provider
(localstripe), or charged the difference, with a supervisor signing for the operator; what
was paid at the counter is handed back at the counter only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from events.models import Channel
from sales import inventory, notifications
from sales.errors import InvalidRequest
from sales.formatting import at_venue
from sales.holds import hold_create, hold_is_live
from sales.models import Customer, Hold, Order, Payment, Place, Ticket
from sales.orders import CustomerDetails, order_exchange, order_place, order_refund
from sales.orders.charging import REFUND_REFUSED
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR
from sales.shifts import shift_open
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import (
    card_token,
    intent_mark,
    intents_of,
    make_performance,
    make_user,
    price_types,
    provider,
    quebec_taxes,
    signed_in,
    table_rows,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's words, as read (its tags left out)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", response.content.decode())))


@pytest.fixture
def phone(db):
    return signed_in(make_user("operator-refunds", PHONE_OPERATOR))


@pytest.fixture
def supervisor(db):
    return make_user("supervisor", ORGANIZER, is_staff=True)


SIGNED = {"supervisor": "supervisor", "supervisor_password": "pw-supervisor"}


def sold_by_phone(phone, perf, quantity=2, zone=None) -> Order:
    """A caller's order, sold through the console and paid by card (MOTO)."""
    phone.post("/phone/customers/new/", {"name": "Élise Tremblay", "email": "elise@example.org"})
    caller = Customer.objects.get(email="elise@example.org")
    phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk, "quantity": quantity,
                                                        "zone": (zone or perf.price_zones.first()).pk})
    hold = Hold.objects.filter(status=Hold.Status.ACTIVE, channel=Channel.PHONE).latest("pk")
    paid = phone.post(f"/phone/customers/{caller.pk}/sale/{hold.pk}/",
                      {"action": "pay", "card_token": card_token(), "attempt": str(hold.pk)})
    assert paid.status_code == 302
    order = Order.objects.get(hold=hold, status="paid")
    mail.outbox.clear()
    return order


def at_provider(order: Order) -> tuple[int, list[int]]:
    """What the provider took for the order's first card payment, and each refund of it (cents)."""
    first = order.payments.filter(status="approved").earliest("pk").reference
    intent = provider().v1.payment_intents.retrieve(first)
    return intent.amount, [r.amount for r in provider().v1.refunds.list({"payment_intent": first}).data]


def net_paid(order: Order) -> Decimal:
    """What the buyer paid in all, less what went back to them, from the payment records."""
    rows = Payment.objects.filter(order=order, status__in=("approved", "refunded"))
    return sum((p.amount for p in rows), Decimal("0"))


def snapshot(order: Order) -> tuple:
    order = Order.objects.get(pk=order.pk)
    return (order.status, order.total, order.performance_id,
            sorted(Ticket.objects.filter(order=order).values_list("pk", "status")),
            sorted(Payment.objects.filter(order=order).values_list("pk", "amount", "status")),
            sorted(Place.objects.filter(tickets__order=order).values_list("pk", "state")))


def test_a_whole_order_is_refunded_to_the_callers_card_with_a_supervisors_signature(phone, supervisor):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    page = text_of(phone.get(f"/phone/orders/{order.code}/"))
    assert "Refund the ticked tickets" in page and "ask the caller for no card number" in page
    url = f"/phone/orders/{order.code}/refund/"
    before = snapshot(order)

    alone = phone.post(url, follow=True)
    assert "Not refunded: your role does not refund orders; ask a supervisor" in text_of(alone)
    wrong = phone.post(url, {"supervisor": "supervisor", "supervisor_password": "nope"}, follow=True)
    assert ("Not refunded: the supervisor's name or password is wrong, or they do not sign refunds"
            in text_of(wrong))
    assert snapshot(order) == before and at_provider(order) == (10000, [])

    done = phone.post(url, SIGNED, follow=True)
    page = text_of(done)
    assert done.status_code == 200 and "Refunded: Card by phone $100.00. The seats are back on sale." in page
    order.refresh_from_db()
    assert order.status == "refunded"
    assert set(Ticket.objects.filter(order=order).values_list("status", flat=True)) == {"void"}
    assert set(Place.objects.filter(performance=perf).values_list("state", flat=True)) == {"available"}
    back = Payment.objects.get(order=order, status="refunded")
    assert back.amount == Decimal("-100.00") and back.method == "card_not_present" and back.shift is None
    assert back.approved_by.username == "supervisor" and back.created_by.username == "operator-refunds"
    # The approval names whom it was for, not a counter the phone does not have.
    assert order.events.get(action="refund approved", actor=supervisor).detail == "for operator-refunds"
    page = phone.get(f"/phone/orders/{order.code}/")
    assert "refund approved: for operator-refunds (supervisor)" in text_of(page)
    # The operator sees the order's payments, the card's payback among them, as the counter does.
    header, *listed = table_rows(page.content.decode(), 'id="order-tickets"')
    assert {row[header.index("Status")] for row in listed} == {"Refunded"}
    payments = table_rows(page.content.decode(), 'id="order-payments"')
    assert [row[1:3] for row in payments[1:]] == [["Card by phone", "$100.00"], ["Card by phone", "−$100.00"]]
    assert at_provider(order) == (10000, [10000]) and net_paid(order) == Decimal("0")
    # The buyer is told, as after the counter's refund.
    notifications.send_pending_confirmations()
    [notice] = mail.outbox
    assert notice.to == ["elise@example.org"] and notice.subject.startswith("Your refund for ")
    # Refunded once: the form sent again pays nothing back twice.
    again = phone.post(url, SIGNED, follow=True)
    assert "Not refunded:" in text_of(again) and at_provider(order) == (10000, [10000])


def test_chosen_tickets_are_refunded_and_the_others_stay_valid(phone, supervisor):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf, quantity=3)
    first, *others = order.tickets.order_by("pk")
    done = phone.post(f"/phone/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [first.pk], **SIGNED},
                      follow=True)
    assert ("Refunded: Card by phone $50.00. Those seats are back on sale; the order's other tickets are still "
            "valid.") in text_of(done)
    order.refresh_from_db()
    assert order.status == "paid" and order.total == Decimal("100.00")
    assert Place.objects.get(pk=first.place_id).state == "available"
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in others])} == {"valid"}
    assert at_provider(order) == (15000, [5000]) and net_paid(order) == order.total
    nothing = phone.post(f"/phone/orders/{order.code}/refund/", {"tickets_given": "1", **SIGNED}, follow=True)
    assert "Not refunded: tick the tickets to refund" in text_of(nothing)
    assert at_provider(order) == (15000, [5000])


def refund_question(page) -> str:
    """What the refund form's confirmation asks before anything is paid back."""
    return unescape(re.search(r'data-confirm="([^"]*)" id="refund-form"', page.content.decode())[1])


def test_the_refund_buttons_ask_what_goes_back_to_the_callers_card(phone, supervisor):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf, quantity=2)
    url = f"/phone/orders/{order.code}/"
    assert refund_question(phone.get(url)) == ("Refund the ticked tickets? What they cost goes back the way the "
                                               "order was paid: to the card, by the payment provider.")
    first, _second = order.tickets.order_by("pk")
    phone.post(f"/phone/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [first.pk], **SIGNED})
    assert refund_question(phone.get(url)) == (
        "Refund the whole order? $50.00 goes back: $50.00 to the card, by the payment provider.")
    page = phone.get(url, headers={"accept-language": "fr"})
    assert refund_question(page).replace("\xa0", " ") == (
        "Rembourser toute la commande ? 50,00 $ sont rendus : 50,00 $ sur la carte, par le prestataire de paiement.")


def test_what_was_paid_at_the_counter_is_refunded_at_the_counter(phone, supervisor):
    """A phone order whose exchange was paid up in cash at the counter: the phone refunds
    none of it, and says to send the caller to the counter."""
    perf = make_performance(rows=2, per_row=4, on_sale=False)
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("80.00"),
                     seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    order = sold_by_phone(phone, perf, quantity=2, zone=perf.price_zones.get(name="Stalls"))
    clerk = make_user("clerk-cash", COUNTER_CLERK)
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    front = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                        zone=perf.price_zones.get(name="Front"), quantity=1)
    first, second = order.tickets.order_by("pk")
    order_exchange(order=order, ticket_ids=[first.pk], hold=front, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("30"))])
    before = snapshot(order)
    page = text_of(phone.get(f"/phone/orders/{order.code}/"))
    told = ("Cash $30.00 of this order was paid at the counter, and only the counter hands it back: send the caller "
            "to the counter to refund this order.")
    assert told in page and "Refund the whole order" not in page
    for posted in ({"tickets_given": "1", "tickets": [second.pk], **SIGNED}, SIGNED):
        refused = phone.post(f"/phone/orders/{order.code}/refund/", posted, follow=True)
        assert f"Not refunded: {told}" in text_of(refused)
    assert snapshot(order) == before
    assert at_provider(order)[1] == []
    # An order paid all in cash at the counter: the same.
    cash = order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                                        zone=perf.price_zones.get(name="Stalls"), quantity=1),
                       customer=CustomerDetails(name="Walk in", email="walk@example.org"), actor=clerk, shift=shift,
                       payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    refused = phone.post(f"/phone/orders/{cash.code}/refund/", SIGNED, follow=True)
    assert "Not refunded: Cash $50.00 of this order was paid at the counter" in text_of(refused)
    assert Order.objects.get(pk=cash.pk).status == "paid"


def test_an_operator_is_asked_for_the_supervisor_before_the_refund_question(phone, supervisor):
    """A phone operator refunds nothing alone: the supervisor's name and password are asked
    by the form itself (the browser stops the refund and says which field is missing),
    before the question of what goes back is put, not after it as a refusal. Whoever may
    refund alone is not asked (the fields are for going over their limit)."""
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf, quantity=1)
    page = phone.get(f"/phone/orders/{order.code}/").content.decode()
    form = page[page.find('id="refund-form"'):]
    form = form[:form.find("</form>")]
    assert re.search(r'<input name="supervisor"[^>]* required', form), form
    assert re.search(r'<input name="supervisor_password"[^>]* required', form), form
    both = make_user("operator-and-clerk", PHONE_OPERATOR)
    both.groups.add(Group.objects.get(name=COUNTER_CLERK))  # a clerk refunds within a limit
    alone = signed_in(both)
    page = alone.get(f"/phone/orders/{order.code}/").content.decode()
    form = page[page.find('id="refund-form"'):]
    form = form[:form.find("</form>")]
    assert 'name="supervisor"' in form and " required" not in form


def test_a_refund_the_provider_refuses_is_said_and_still_owed(phone, supervisor):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf, quantity=1)
    Payment.objects.filter(order=order, status="approved").update(reference="pi_unknown_to_the_provider")
    done = phone.post(f"/phone/orders/{order.code}/refund/", SIGNED, follow=True)
    page = text_of(done)
    assert f"{order.code}: the payment provider refused to pay back $50.00. It is still owed to the buyer" in page
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_REFUSED
    assert "Refunded: Card by phone $50.00" not in page  # not paid back: owed


def test_a_refund_the_provider_has_not_answered_is_said_to_wait_for_it(phone, supervisor):
    """The provider did not answer: the refund is recorded and sent again until it is
    taken. The operator is told it waits for the provider, not that the card is paid back."""
    from django.test import override_settings

    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf, quantity=1)
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        page = text_of(phone.post(f"/phone/orders/{order.code}/refund/", SIGNED, follow=True))
    assert "Refunded: $0.00." in page and "Refunded: Card by phone" not in page
    assert "$50.00 waits for the payment provider: it is sent again until the provider takes it." in page


@pytest.mark.parametrize("who", ["clerk", "door", "anonymous"])
def test_only_phone_operators_refund_or_exchange_by_phone(phone, supervisor, who):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    tickets = list(order.tickets.values_list("pk", flat=True))
    client = {"clerk": lambda: signed_in(make_user("clerk-only", COUNTER_CLERK)),
              "door": lambda: signed_in(make_user("door-only", DOOR_STAFF)),
              "anonymous": Client}[who]()
    before = snapshot(order)
    answers = [client.post(f"/phone/orders/{order.code}/refund/", SIGNED),
               client.post(f"/phone/orders/{order.code}/exchange/", {"tickets": tickets,
                                                                     "zone": perf.price_zones.get().pk}),
               client.get(f"/phone/orders/{order.code}/")]
    for answer in answers:
        if who == "anonymous":
            assert answer.status_code == 302 and answer["Location"].startswith("/login/")
        else:
            assert answer.status_code == 403
    assert snapshot(order) == before and not Hold.objects.filter(owner_key__startswith="exchange:").exists()


def later_date(perf, price="70.00"):
    """Another performance of the same event, on sale by phone, its seats at `price`."""
    later = PerformanceFactory(event=perf.event, venue=perf.venue, starts_at=perf.starts_at + timedelta(days=1),
                               channels=[Channel.PHONE, Channel.COUNTER])
    PriceZoneFactory(performance=later, name="Stalls", price=Decimal(price), sections=perf.venue.sections.all())
    inventory.put_on_sale(performance=later)
    return later


def exchange_held(phone, order, later) -> tuple[str, Hold]:
    """The operator asks to move every ticket of `order` to `later`: the tickets (as the
    exchange page's address gives them) and the new seats' hold."""
    tickets = ",".join(map(str, order.tickets.values_list("pk", flat=True)))
    phone.post(f"/phone/orders/{order.code}/exchange/", {"tickets": tickets.split(","),
                                                          "zone": later.price_zones.get().pk})
    return tickets, Hold.objects.get(performance=later, status=Hold.Status.ACTIVE)


def test_a_dearer_exchange_is_not_held_by_phone_its_difference_is_paid_at_the_counter(phone, supervisor):
    """The card provider's charges are made on orders not yet paid, where a charge left
    uncertain (the provider silent after taking the money) is found again. An exchange's
    order is paid, so the difference of a dearer one is not charged on the caller's card:
    the operator is told what it costs more and that it is paid at the counter, and its
    seats are not kept from others meanwhile. The service refuses such a charge too."""
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf)
    page = text_of(phone.get(f"/phone/orders/{order.code}/"))
    assert "Exchange seats" in page and "Hold the new seats" in page
    tickets = list(order.tickets.values_list("pk", flat=True))
    before, mark = snapshot(order), intent_mark()
    refused = phone.post(f"/phone/orders/{order.code}/exchange/", {"tickets": tickets,
                                                                    "zone": later.price_zones.get().pk, "quantity": 2},
                         follow=True)
    said = text_of(refused)
    assert "Nothing held: the new seats cost $40.00 more; a dearer exchange is paid at the counter" in said
    assert not Hold.objects.filter(performance=later, status=Hold.Status.ACTIVE).exists()
    assert Place.objects.filter(performance=later, state="available").count() == 4
    assert snapshot(order) == before
    assert intents_of(order.code, after=mark) == []  # nothing charged at the provider
    # Nor through the service, whatever asks it.
    hold = hold_create(performance=later, channel=Channel.PHONE, user=order.created_by, zone=later.price_zones.get(),
                       quantity=2, owner_key=f"exchange:{order.code}")
    with pytest.raises(InvalidRequest, match="paid at the counter"):
        order_exchange(order=order, ticket_ids=tickets, hold=hold, actor=order.created_by, approver=supervisor,
                       payments=[PaymentRequest(method="card_not_present", token=card_token())])
    assert snapshot(order) == before and hold_is_live(Hold.objects.get(pk=hold.pk))
    # Opened all the same (its seats held by other means), the page says so and takes no card.
    page = phone.get(f"/phone/orders/{order.code}/exchange/{hold.pk}/?tickets={','.join(map(str, tickets))}")
    assert "A dearer exchange is paid at the counter" in text_of(page)
    assert "data-card-frame" not in page.content.decode() and 'id="exchange-confirm"' not in page.content.decode()


def test_a_cheaper_exchange_pays_the_card_back_with_a_supervisors_signature(phone, supervisor):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="30.00")
    tickets, hold = exchange_held(phone, order, later)
    url = f"/phone/orders/{order.code}/exchange/{hold.pk}/"
    page = text_of(phone.get(f"{url}?tickets={tickets}"))
    assert "Pay back $40.00" in page and "Card by phone $40.00" in page
    when = at_venue(perf.starts_at, perf)
    assert f"Handed back — {when:%a} {when.day} {when:%b %H:%M}" in page  # each side's date
    before = snapshot(order)
    wrong = phone.post(url, {"tickets": tickets, "supervisor": "supervisor", "supervisor_password": "nope"})
    assert wrong.status_code == 400 and "The supervisor's name or password is wrong" in text_of(wrong)
    alone = phone.post(url, {"tickets": tickets})
    assert alone.status_code == 400 and "needs a supervisor" in text_of(alone)
    assert snapshot(order) == before and at_provider(order) == (10000, [])

    done = phone.post(url, {"tickets": tickets, **SIGNED}, follow=True)
    assert "Exchanged. $40.00 paid back to the card." in text_of(done)
    order.refresh_from_db()
    assert order.total == Decimal("60.00") and order.performance_id == later.pk
    assert at_provider(order) == (10000, [4000]) and net_paid(order) == Decimal("60.00")
    back = Payment.objects.get(order=order, status="refunded")
    assert back.approved_by == supervisor and back.method == "card_not_present"
    assert set(Place.objects.filter(performance=perf).values_list("state", flat=True)) == {"available"}


def test_a_cancelled_performances_order_is_not_offered_an_exchange_by_phone_and_its_page_says_the_fees(
        phone, supervisor):
    """A cancelled performance's card orders are paid back in full by themselves: the
    phone's order page offers no exchange. Its exchange page, opened all the same before the
    payback, says the fee per order goes back with the rest."""
    from sales.orders.cancellation import performance_cancel
    from tests.support import booking_fee

    booking_fee(Channel.PHONE, per_order="3.00")
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="50.00")
    performance_cancel(performance=perf, actor=supervisor)
    assert "Hold the new seats" not in text_of(phone.get(f"/phone/orders/{order.code}/"))
    tickets, hold = exchange_held(phone, order, later)
    page = text_of(phone.get(f"/phone/orders/{order.code}/exchange/{hold.pk}/?tickets={tickets}"))
    assert "Of which $3.00 is the fee per order: the performance is cancelled, it goes back too." in page


def test_a_cheaper_exchange_whose_payback_waits_for_the_provider_says_so(phone, supervisor):
    """The provider does not answer: the exchange stands, its payback is sent again until it
    is taken, and the operator is told it waits, not that the card is paid back."""
    from django.test import override_settings

    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="30.00")
    tickets, hold = exchange_held(phone, order, later)
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        done = text_of(phone.post(f"/phone/orders/{order.code}/exchange/{hold.pk}/", {"tickets": tickets, **SIGNED},
                                  follow=True))
    assert "Exchanged. $0.00 paid back to the card." in done
    assert "$40.00 waits for the payment provider: it is sent again until the provider takes it." in done
    assert Order.objects.get(pk=order.pk).performance_id == later.pk


def test_keeping_the_old_seats_puts_the_new_ones_back_on_sale(phone):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="50.00")
    tickets = list(order.tickets.values_list("pk", flat=True))
    phone.post(f"/phone/orders/{order.code}/exchange/", {"tickets": tickets, "zone": later.price_zones.get().pk})
    hold = Hold.objects.get(performance=later, status=Hold.Status.ACTIVE)
    kept = phone.post(f"/phone/orders/{order.code}/exchange/{hold.pk}/release/", follow=True)
    assert "The new seats were released; the caller keeps their tickets." in text_of(kept)
    assert set(Place.objects.filter(performance=later).values_list("state", flat=True)) == {"available"}
    # Only the caller's own performance's event: another event's zone holds nothing.
    other = make_performance(rows=1, per_row=4)
    refused = phone.post(f"/phone/orders/{order.code}/exchange/", {"tickets": tickets,
                                                                    "zone": other.price_zones.get().pk}, follow=True)
    assert "Nothing held: an exchange stays within the same event" in text_of(refused)
    assert set(Place.objects.filter(performance=other).values_list("state", flat=True)) == {"available"}
    # One ticket of two cannot move to another date.
    one = phone.post(f"/phone/orders/{order.code}/exchange/", {"tickets": tickets[:1],
                                                                "zone": later.price_zones.get().pk}, follow=True)
    assert "Nothing held: to move to another performance, exchange every ticket of the order" in text_of(one)
    assert not Hold.objects.filter(status=Hold.Status.ACTIVE, performance=later).exists()


def test_new_seats_released_after_the_order_was_refunded_do_not_say_the_caller_keeps_tickets(phone, supervisor):
    """Refunded from another screen while the exchange's new seats were held: releasing
    them says so, not that the caller keeps tickets they no longer have."""
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    _tickets, hold = exchange_held(phone, order, later_date(perf, price="50.00"))
    order_refund(order=order, actor=order.created_by, approver=supervisor)
    released = text_of(phone.post(f"/phone/orders/{order.code}/exchange/{hold.pk}/release/", follow=True))
    assert "The new seats were released." in released
    assert "keeps their tickets" not in released
    assert "The tickets were refunded meanwhile: the caller has none left." in released
    assert Hold.objects.get(pk=hold.pk).status == Hold.Status.RELEASED


def test_the_phone_pages_for_refunds_and_exchanges_speak_french(phone, supervisor):
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later_date(perf)
    page = text_of(phone.get(f"/phone/orders/{order.code}/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Rembourser les billets cochés" in page and "Échanger des places" in page
    alone = phone.post(f"/phone/orders/{order.code}/refund/", HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "Non remboursé" in text_of(alone)


def test_a_refund_refused_for_a_wrong_password_comes_back_with_the_tickets_still_ticked(phone, supervisor):
    """By phone as at the counter: the operator ticked the caller's tickets, the supervisor
    mistyped their password; the page says so with those tickets ticked and the name typed."""
    from tests.staff.test_ticket_refunds import refund_form

    order = sold_by_phone(phone, make_performance(rows=1, per_row=4), quantity=3)
    first, second, third = order.tickets.order_by("pk")
    back = phone.post(f"/phone/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [second.pk], "supervisor": "supervisor", "supervisor_password": "nope"},
        follow=True)
    page = unescape(back.content.decode())
    assert "Not refunded: the supervisor's name or password is wrong" in page
    assert refund_form(page) == ([str(second.pk)], {"supervisor": "supervisor", "supervisor_password": ""})
    assert at_provider(order) == (15000, [])
    # The name comes back by the session, not in the page's address (history, server logs).
    back = phone.post(f"/phone/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [second.pk], "supervisor": "supervisor", "supervisor_password": "nope"})
    assert "supervisor" not in back["Location"] and f"refund={second.pk}" in back["Location"]


def test_an_exchange_by_phone_offers_each_zone_at_what_a_ticket_there_costs_taxes_in(phone):
    """As at the counter: the caller's tickets cost 57.49 each, taxes in, and the zones
    they may exchange to are offered at what a ticket there costs, taxes in too."""
    from tests.staff.test_counter_exchange import zone_offered
    from tests.support import quebec_taxes

    quebec_taxes()
    perf = make_performance(rows=2, per_row=4, price="50.00", on_sale=False)
    cheaper = PriceZoneFactory(performance=perf, name="Back", price=Decimal("30.00"),
                               seats=perf.venue.sections.get().seats.filter(row="B"))
    inventory.put_on_sale(performance=perf)
    order = sold_by_phone(phone, perf, zone=perf.price_zones.get(name="Stalls"))
    assert set(order.tickets.values_list("price", flat=True)) == {Decimal("57.49")}
    page = phone.get(f"/phone/orders/{order.code}/").content.decode()
    assert zone_offered(page, cheaper.pk).endswith("— Back $34.49 (4 left)")


def test_what_ticking_tickets_pays_back_to_the_callers_card_is_said_before_confirming(phone, supervisor):
    """As at the counter: the order's page asks, as the ticks change, what refunding those
    tickets pays back to the caller's card, worked out as the refund works it out; the
    page shown again after a refusal says it for the tickets still ticked."""
    order = sold_by_phone(phone, make_performance(rows=1, per_row=4), quantity=3)
    first, second, third = order.tickets.order_by("pk")
    url = f"/phone/orders/{order.code}/refund/payback/"

    def said(answer):
        assert answer.status_code == 200
        found = re.search(r'<p id="refund-payback" data-ticked="([^"]*)" data-question="([^"]*)">([^<]*)</p>',
                          answer.content.decode())
        return [unescape(text).replace("\xa0", " ").replace("\u202f", " ") for text in found.groups()]

    assert said(phone.get(url, {"tickets": [str(second.pk), str(first.pk)]})) == [
        f"{first.pk},{second.pk}",
        "Refund the ticked tickets? $100.00 goes back: $100.00 to the card, by the payment provider.",
        "$100.00 goes back: $100.00 to the card, by the payment provider."]
    assert said(phone.get(url, {"tickets": [str(first.pk)]}, headers={"accept-language": "fr"}))[2] == (
        "50,00 $ sont rendus : 50,00 $ sur la carte, par le prestataire de paiement.")
    assert said(phone.get(url)) == ["", "", ""]
    assert said(phone.get(url, {"tickets": "x"}))[2] == "Some of those are not valid tickets of this order"
    assert phone.get("/phone/orders/NOPE/refund/payback/").status_code == 404
    clerk = signed_in(make_user("clerk-payback", COUNTER_CLERK))
    assert clerk.get(url, {"tickets": str(first.pk)}).status_code == 403
    # The order's page asks it as the ticks change, and says it for a refusal's ticks.
    page = phone.get(f"/phone/orders/{order.code}/").content.decode()
    assert f'hx-get="{url}"' in page and said(phone.get(f"/phone/orders/{order.code}/"))[0] == ""
    phone.post(f"/phone/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [third.pk], "supervisor": "supervisor", "supervisor_password": "nope"})
    assert said(phone.get(f"/phone/orders/{order.code}/?refund={third.pk}"))[2] == (
        "$50.00 goes back: $50.00 to the card, by the payment provider.")
    # What was said is what the refund pays back to the card.
    phone.post(f"/phone/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [third.pk], **SIGNED})
    assert at_provider(order) == (15000, [5000])


def test_an_exchange_its_order_no_longer_allows_gives_its_new_seats_back_by_phone(phone, supervisor):
    """The order was refunded by a colleague after the new seats were held: the exchange is
    refused, and its seats are free again at once, not when the hold lapses."""
    from sales.orders import order_refund

    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="50.00")
    tickets, hold = exchange_held(phone, order, later)
    order_refund(order=order, actor=order.created_by, approver=supervisor)
    refused = phone.post(f"/phone/orders/{order.code}/exchange/{hold.pk}/", {"tickets": tickets, **SIGNED},
                         follow=True)
    assert not Place.objects.filter(performance=later, state="held").exists()
    hold.refresh_from_db()
    assert hold.status == "released"
    page = text_of(refused)
    assert "Not exchanged: order" in page and "only a paid order can be exchanged" in page
    assert "The new seats were released." in page


def test_an_exchange_page_its_order_no_longer_allows_keeps_its_new_seats_held_by_phone(phone, supervisor):
    """Opening the exchange's page (a reload, a restored tab) once the order was refunded
    says it is refused and releases nothing; the order's page offers to release them."""
    from sales.orders import order_refund

    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="50.00")
    tickets, hold = exchange_held(phone, order, later)
    order_refund(order=order, actor=order.created_by, approver=supervisor)
    shown = phone.get(f"/phone/orders/{order.code}/exchange/{hold.pk}/", {"tickets": tickets}, follow=True)
    assert shown.redirect_chain[-1][0] == f"/phone/orders/{order.code}/"
    assert Place.objects.filter(hold=hold, state="held").count() == 2
    hold.refresh_from_db()
    assert hold.status == "active"
    page = text_of(shown)
    assert "Not exchanged: order" in page and "only a paid order can be exchanged" in page
    assert "The new seats were released" not in page
    assert "The new seats stay held until" in page
    release = f"/phone/orders/{order.code}/exchange/{hold.pk}/release/"
    assert f'action="{release}"' in shown.content.decode() and "Release the new seats" in page
    released = phone.post(release, follow=True)
    assert not Place.objects.filter(performance=later, state="held").exists()
    assert "The new seats were released" in text_of(released)
    assert f'action="{release}"' not in released.content.decode()


def test_a_caller_exchanges_a_ticket_for_the_same_by_phone_at_no_cost(phone):
    """Québec's taxes are rounded once on an order and shared out: one of two child tickets
    cost 60.93, one alone costs 60.94. Exchanged for a seat like it, it costs nothing more,
    and the phone, which takes no difference, holds the new seat."""
    quebec_taxes()
    perf = make_performance(rows=1, per_row=4, price="53.00")
    price_types(perf, {"Child": {perf.price_zones.get().name: "53.00"}})
    order = sold_by_phone(phone, perf)
    cheaper = order.tickets.order_by("price").first()
    assert cheaper.price == Decimal("60.93")
    held = phone.post(f"/phone/orders/{order.code}/exchange/", {"tickets": [cheaper.pk],
                                                                "zone": perf.price_zones.get().pk, "quantity": 1})
    order_page = f"/phone/orders/{order.code}/"
    assert f"{order_page}exchange/" in held["Location"], text_of(phone.get(order_page))
    assert "No difference to pay" in text_of(phone.get(held["Location"]))


def test_an_exchange_by_phone_takes_the_seats_picked_on_the_map(phone, supervisor):
    """As at the counter, the operator may pick the new seats on the performance's map
    (the caller asks for those two, at the end of the row) rather than the best available."""
    perf = make_performance(rows=1, per_row=4)
    order = sold_by_phone(phone, perf)
    later = later_date(perf, price="50.00")
    tickets = ",".join(map(str, order.tickets.values_list("pk", flat=True)))
    map_url = f"/phone/customers/{order.customer_id}/performances/{later.pk}/map/?exchange={order.code}"
    page = phone.get(f"/phone/orders/{order.code}/").content.decode()
    assert f'data-base="{map_url}"' in page and f'href="{map_url}&amp;tickets={tickets}"' in page
    shown = phone.get(f"{map_url}&tickets={tickets}")
    assert "New seats for an exchange of order" in text_of(shown)
    assert f'action="/phone/orders/{order.code}/exchange/"' in shown.content.decode()
    # Another caller's map says nothing of this order's exchange: its picks make a sale.
    phone.post("/phone/customers/new/", {"name": "Autre Appelant", "email": "autre@example.org"})
    other = Customer.objects.get(email="autre@example.org")
    elsewhere = phone.get(f"/phone/customers/{other.pk}/performances/{later.pk}/map/?exchange={order.code}")
    assert "New seats for an exchange" not in text_of(elsewhere)
    assert f'action="/phone/customers/{other.pk}/sale/"' in elsewhere.content.decode()

    picked = sorted(Place.objects.filter(performance=later).order_by("-pk").values_list("pk", flat=True)[:2])
    # Seats of the order's own date picked with them (taken: they are the caller's): refused,
    # said, and nothing held.
    mine = list(order.tickets.values_list("place_id", flat=True))
    refused = phone.post(f"/phone/orders/{order.code}/exchange/",
                         {"performance": later.pk, "seats": ",".join(map(str, [*picked, *mine])), "tickets": tickets},
                         follow=True)
    assert "Nothing held:" in text_of(refused)
    assert not Hold.objects.filter(status=Hold.Status.ACTIVE).exists()
    start = phone.post(f"/phone/orders/{order.code}/exchange/",
                       {"performance": later.pk, "seats": ",".join(map(str, picked)), "tickets": tickets})
    hold = Hold.objects.get(performance=later, status=Hold.Status.ACTIVE)
    assert sorted(inventory.places_of_hold(hold)) == picked
    assert start["Location"] == f"/phone/orders/{order.code}/exchange/{hold.pk}/?tickets={tickets}"
    done = phone.post(start["Location"].split("?")[0], {"tickets": tickets, **SIGNED}, follow=True)
    assert "Exchanged, no difference to pay." in text_of(done)
    assert sorted(order.tickets.filter(status="valid").values_list("place_id", flat=True)) == picked
    assert Place.objects.filter(pk__in=picked, state="sold").count() == 2


def test_a_phone_order_says_when_its_performance_starts_on_the_venues_clock(phone):
    """A venue three time zones west of the office: the order's page tells the caller the
    hour on the tickets (the venue's), as every other staff page does."""
    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "America/Vancouver"
    perf.venue.save(update_fields=["time_zone"])
    perf.starts_at = datetime(2031, 1, 17, 20, 0, tzinfo=perf.venue.zone)
    perf.save(update_fields=["starts_at"])
    order = sold_by_phone(phone, perf)
    page = text_of(phone.get(f"/phone/orders/{order.code}/"))
    assert "Fri 17 Jan 2031 20:00" in page and "23:00" not in page


def test_the_phones_search_says_it_finds_an_order_by_its_code_as_it_does(phone):
    """A caller reads their order's code from the confirmation: the search box says it
    takes one, and a code found opens its order."""
    order = sold_by_phone(phone, make_performance(rows=1, per_row=4))
    page = phone.get("/phone/").content.decode()
    assert 'placeholder="Phone, email, name or order code"' in page
    french = phone.get("/phone/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'placeholder="Téléphone, courriel, nom ou code de commande"' in french
    assert phone.get("/phone/", {"q": order.code.lower()})["Location"] == f"/phone/orders/{order.code}/"


def test_the_phones_exchange_list_offers_a_like_for_like_seat_at_what_its_tickets_were_paid(phone):
    """Two child tickets by phone with Québec's taxes: 60.93 and 60.94 (one alone costs
    60.94, the order's taxes rounded once). A child seat of the same zone costs what the
    ticket handed back was, so the list says both, as paid, as at the counter."""
    perf = make_performance(rows=1, per_row=6)
    quebec_taxes()
    price_types(perf, {"Child": {"Stalls": "53.00"}})
    order = sold_by_phone(phone, perf)
    assert sorted(order.tickets.values_list("price", flat=True)) == [Decimal("60.93"), Decimal("60.94")]
    page = unescape(phone.get(f"/phone/orders/{order.code}/").content.decode())
    option = re.search(rf'<option value="{perf.price_zones.get().pk}"[^>]*>(.*?)</option>', page, re.S).group(1)
    assert " ".join(option.split()).endswith("— Stalls, Child $60.93 or $60.94 (as paid) (4 left)")
