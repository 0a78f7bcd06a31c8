"""A hold is used (read, released, extended) only by whoever made it, or by staff of the
channel that made it; its token alone is not enough, and staff pages never show it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Channel
from sales.holds import hold_create
from sales.models import Hold, Order
from sales.orders import CustomerDetails, customer_register, order_reserve
from sales.policy import COUNTER_CLERK
from tests.support import assert_error, card_token, client_for, make_user, places_of

pytestmark = pytest.mark.django_db
CALLER = CustomerDetails(name="Caller", email="caller@example.org")


def held(hold: Hold) -> int:
    return hold.places.filter(state="held").count()


def counter_hold(clerk, performance) -> Hold:
    return hold_create(performance=performance, channel=Channel.COUNTER, user=clerk,
                       place_ids=[p.pk for p in places_of(performance)[:2]])


def test_an_anonymous_caller_can_neither_read_nor_release_a_clerks_hold(clerk, performance):
    hold = counter_hold(clerk, performance)
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/holds/{hold.token}/").status_code == 404
    assert anonymous.delete(f"/api/v1/holds/{hold.token}/").status_code == 404
    hold.refresh_from_db()
    assert hold.status == "active" and held(hold) == 2


def test_an_operator_cannot_release_a_clerks_hold_but_a_fellow_clerk_can(clerk, operator, performance):
    hold = counter_hold(clerk, performance)
    assert client_for(operator).delete(f"/api/v1/holds/{hold.token}/").status_code == 404
    assert held(hold) == 2
    assert client_for(clerk).get(f"/api/v1/holds/{hold.token}/").json()["token"] == hold.token
    colleague = make_user("clerk2", COUNTER_CLERK)
    assert client_for(colleague).delete(f"/api/v1/holds/{hold.token}/").status_code == 204
    assert held(hold) == 0


def test_a_phone_reservations_places_stay_held_whoever_asks(operator, performance):
    caller = customer_register(details=CALLER)
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[p.pk for p in places_of(performance)[:2]])
    order = order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=2))
    assert APIClient().delete(f"/api/v1/holds/{hold.token}/").status_code == 404
    # Even its operator: the reservation is cancelled, not its hold released under it.
    refused = client_for(operator).delete(f"/api/v1/holds/{hold.token}/")
    assert refused.status_code == 409 and order.code in refused.json()["error"]["message"]
    assert held(hold) == 2
    order.refresh_from_db()
    assert order.status == Order.Status.RESERVED


def test_an_anonymous_api_hold_belongs_to_its_caller(performance):
    mine = APIClient(REMOTE_ADDR="198.51.100.7")
    other = APIClient(REMOTE_ADDR="203.0.113.9")
    token = mine.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[-1].pk]},
                      format="json").json()["token"]
    assert other.get(f"/api/v1/holds/{token}/").status_code == 404
    assert other.delete(f"/api/v1/holds/{token}/").status_code == 404
    assert mine.get(f"/api/v1/holds/{token}/").json()["live"] is True
    assert mine.delete(f"/api/v1/holds/{token}/").status_code == 204


def test_a_shop_basket_cannot_be_released_through_the_api_by_its_token(performance):
    shopper = Client()
    shopper.post(f"/performances/{performance.pk}/hold/", {"seats": str(places_of(performance)[0].pk)})
    hold = Hold.objects.get()
    assert APIClient().delete(f"/api/v1/holds/{hold.token}/").status_code == 404
    assert held(hold) == 1


def test_staff_sale_pages_do_not_carry_the_hold_token(clerk, operator, performance):
    counter = Client()
    counter.force_login(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "0"})
    zone = performance.price_zones.get()
    sale = counter.post("/counter/sale/", {"performance": performance.pk, "zone": zone.pk, "quantity": 2})
    hold = Hold.objects.get(channel=Channel.COUNTER)
    assert sale.status_code == 302 and hold.token not in sale["Location"]
    page = counter.get(sale["Location"])
    assert page.status_code == 200 and hold.token not in page.content.decode()

    phone = Client()
    phone.force_login(operator)
    caller = customer_register(details=CALLER)
    sale = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": performance.pk, "zone": zone.pk,
                                                               "quantity": 2})
    hold = Hold.objects.get(channel=Channel.PHONE)
    assert sale.status_code == 302 and hold.token not in sale["Location"]
    page = phone.get(sale["Location"])
    assert page.status_code == 200 and hold.token not in page.content.decode()
    # Another operator picks the call up; a clerk cannot open it.
    colleague = Client()
    colleague.force_login(make_user("operator2", "phone operator"))
    assert colleague.get(sale["Location"]).status_code == 200
    counter_page = counter.get(sale["Location"])
    assert counter_page.status_code == 403


def test_a_hold_token_alone_does_not_pay_for_someone_elses_seats(performance, clerk):
    """Whoever learns another buyer's (or a clerk's) hold token cannot place the order for
    those seats and take them: to them the hold does not exist."""
    from tests.support import BUYER, CARD

    mine = APIClient(REMOTE_ADDR="198.51.100.7")
    token = mine.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[-1].pk]},
                      format="json").json()["token"]
    thief = APIClient(REMOTE_ADDR="203.0.113.9")
    taken = thief.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD}, format="json")
    assert taken.status_code == 400 and taken.json()["error"]["field"] == "hold"
    clerks = counter_hold(clerk, performance).token
    assert thief.post("/api/v1/orders/", {"hold": clerks, "customer": BUYER, "payment": CARD},
                      format="json").status_code == 400
    assert not Order.objects.exists()
    paid = mine.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD}, format="json")
    assert paid.status_code == 201 and paid.json()["status"] == "paid"


@pytest.mark.parametrize("role", ["clerk", "operator"])
def test_an_exchanges_hold_is_not_sold_or_reserved_as_an_order_of_its_own(request, role, performance):
    """The seats held for an exchange (marked with its order's code) are the exchange's: its
    member of staff, holding the hold's token, cannot pay for them or reserve them through
    the API as a second order."""
    from sales.orders import order_place
    from sales.orders.exchanges import exchange_hold
    from sales.payments import PaymentRequest
    from tests.support import drawer

    user = request.getfixturevalue(role)
    channel = Channel.COUNTER if role == "clerk" else Channel.PHONE
    seats = [p.pk for p in places_of(performance, state="available")[:2]]
    first = hold_create(performance=performance, channel=channel, user=user, place_ids=seats[:1])
    payment = (PaymentRequest(method="cash", tendered=Decimal("100")) if role == "clerk"
               else PaymentRequest(method="card_not_present", token=card_token()))
    order = order_place(hold=first, customer=CALLER, actor=user, payment=payment,
                        shift=drawer(user) if role == "clerk" else None)
    ticket = order.tickets.get()
    hold, _quote = exchange_hold(order=order, ticket_ids=[ticket.pk], channel=channel, user=user,
                                 performance=performance, place_ids=seats[1:], owner_key=f"exchange:{order.code}")
    api, orders = client_for(user), Order.objects.count()
    body = {"hold": hold.token, "customer": {"name": "Someone Else", "email": "else@example.org"}}
    paid = api.post("/api/v1/orders/", {**body, "payment": {"method": "cash", "tendered": "100"}
                                        if role == "clerk" else {"method": "card_not_present",
                                                                 "token": card_token()}}, format="json")
    assert_error(paid, 409, "illegal_transition")
    assert order.code in paid.json()["error"]["message"]
    if role == "operator":
        until = (timezone.now() + timedelta(days=1)).isoformat()
        assert_error(api.post("/api/v1/orders/", {**body, "reserve_until": until}, format="json"), 409,
                     "illegal_transition")
    hold.refresh_from_db()
    assert Order.objects.count() == orders and hold.status == "active" and held(hold) == 1
    ticket.refresh_from_db()
    assert ticket.status == "valid"
