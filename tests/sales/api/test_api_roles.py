"""A staff token does what its role is for: door staff look up and check in tickets,
the organizer sets up and manages sales, counter clerks and phone operators sell through
their channels. Holds and orders are a buyer's, a clerk's or an operator's: a door staff's
or an organizer's token that tries is refused, and nothing is written."""

import pytest

from sales.models import Hold, Order, Ticket
from sales.policy import DOOR_STAFF
from tests.support import assert_error, client_for, make_user, places_of

pytestmark = pytest.mark.django_db
BUYER = {"name": "Ada Buyer", "email": "ada@example.org"}
CARD = {"method": "test_card", "card_number": "4242424242424242"}


@pytest.fixture
def door(db):
    return make_user("door-api-roles", DOOR_STAFF)


@pytest.fixture
def bought(performance, settings):
    """A buyer's paid order, and a hold of theirs not yet bought."""
    settings.PAYMENT_TEST_CARD = True
    buyer = client_for()
    seats = [p.pk for p in places_of(performance, state="available")[:2]]
    first = buyer.post("/api/v1/holds/", {"performance": performance.pk, "places": seats[:1]}, format="json")
    paid = buyer.post("/api/v1/orders/", {"hold": first.json()["token"], "customer": BUYER, "payment": CARD},
                      format="json")
    assert paid.status_code == 201, paid.content
    pending = buyer.post("/api/v1/holds/", {"performance": performance.pk, "places": seats[1:]}, format="json")
    assert pending.status_code == 201, pending.content
    return Order.objects.get(code=paid.json()["code"]), pending.json()["token"]


def refused(client, method: str, url: str, body=None) -> dict:
    return assert_error(getattr(client, method)(url, body, format="json"), 403, "permission_denied")


@pytest.mark.parametrize("role", ["door", "organizer"])
def test_a_token_whose_role_does_not_sell_makes_no_hold_and_no_order(request, role, performance, bought):
    order, hold = bought
    staff = client_for(request.getfixturevalue(role))
    holds, orders = Hold.objects.count(), Order.objects.count()
    seat = places_of(performance, state="available")[0].pk
    message = refused(staff, "post", "/api/v1/holds/", {"performance": performance.pk, "places": [seat]})["message"]
    assert "does not sell" in message
    refused(staff, "post", "/api/v1/orders/", {"hold": hold, "customer": BUYER, "payment": CARD})
    refused(staff, "post", f"/api/v1/holds/{hold}/quote/", {})
    refused(staff, "get", f"/api/v1/holds/{hold}/")
    refused(staff, "delete", f"/api/v1/holds/{hold}/")
    refused(staff, "post", f"/api/v1/orders/{order.code}/confirm-payment/", {"client_secret": "x"})
    assert (Hold.objects.count(), Order.objects.count()) == (holds, orders)
    assert Hold.objects.get(token=hold).status == Hold.Status.ACTIVE


def test_door_staff_do_their_work_and_nothing_else(door, performance, bought):
    order, _ = bought
    staff = client_for(door)
    ticket = Ticket.objects.filter(order=order).first()
    looked_up = staff.get(f"/api/v1/tickets/{ticket.code}/")
    assert looked_up.status_code == 200, looked_up.content
    # What admits a guest (the place, its zone and price type, whether it is valid and
    # scanned), not what it cost: door staff see no takings.
    assert looked_up.json() == {"code": ticket.code, "place_id": ticket.place_id, "place": ticket.place.label,
                                "price_zone_name": ticket.price_zone_name, "price_type_name": ticket.price_type_name,
                                "status": "valid", "checked_in_at": None}
    assert staff.get("/api/v1/performances/").status_code == 200  # the catalogue is anyone's
    for url in (f"/api/v1/orders/{order.code}/refund/", f"/api/v1/orders/{order.code}/resend-confirmation/",
                f"/api/v1/orders/{order.code}/cancel/", f"/api/v1/performances/{performance.pk}/put-on-sale/"):
        refused(staff, "post", url, {})
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_clerks_and_operators_sell_through_their_channel_and_do_not_set_up(clerk, operator, organizer, performance,
                                                                             bought):
    order, _ = bought
    seats = [p.pk for p in places_of(performance, state="available")[:3]]
    for user, seat, channel in ((clerk, seats[0], "counter"), (operator, seats[1], "phone")):
        staff = client_for(user)
        held = staff.post("/api/v1/holds/", {"performance": performance.pk, "places": [seat]}, format="json")
        assert held.status_code == 201 and held.json()["channel"] == channel, held.content
        refused(staff, "post", f"/api/v1/performances/{performance.pk}/put-on-sale/", {})
        refused(staff, "post", f"/api/v1/performances/{performance.pk}/block/", {"places": [seat]})
    refused(client_for(clerk), "post", f"/api/v1/orders/{order.code}/cancel/", {})
    # The organizer reads and manages what sold, and the sellers what a ticket cost.
    assert client_for(organizer).get(f"/api/v1/orders/{order.code}/").status_code == 200
    ticket = order.tickets.first()
    for user in (organizer, clerk, operator):
        assert client_for(user).get(f"/api/v1/tickets/{ticket.code}/").json()["price"] == f"{ticket.price:.2f}"
    # A buyer with an account buys as before.
    plain = client_for(make_user("plain-buyer")).post("/api/v1/holds/", {"performance": performance.pk,
                                                                         "places": [seats[2]]}, format="json")
    assert plain.status_code == 201 and plain.json()["channel"] == "online", plain.content
