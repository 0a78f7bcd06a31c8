"""Answers that carry a person's data, or a staff page, are kept by no cache: not a shared
proxy's, not the browser's back/forward cache on a shared counter computer."""

import pytest
from django.test import Client

from sales.models import Order, Ticket
from sales.policy import DOOR_STAFF
from tests.factories import CustomerFactory
from tests.support import client_for, make_user, places_of

pytestmark = pytest.mark.django_db
BUYER = {"name": "Ada Buyer", "email": "ada@example.org"}
CARD = {"method": "test_card", "card_number": "4242424242424242"}


def directives(response) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def kept_by_no_one(response) -> bool:
    return {"private", "no-store"} <= directives(response)


@pytest.fixture
def paid(performance, settings):
    settings.PAYMENT_TEST_CARD = True
    buyer = client_for()
    hold = buyer.post("/api/v1/holds/", {"performance": performance.pk,
                                         "places": [places_of(performance, state="available")[0].pk]}, format="json")
    answer = buyer.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER, "payment": CARD},
                        format="json")
    assert answer.status_code == 201, answer.content
    return Order.objects.get(code=answer.json()["code"])


def test_staff_pages_are_kept_by_no_one(paid, performance, clerk, operator, organizer):
    door = make_user("door-cache", DOOR_STAFF)
    customer = CustomerFactory()
    ticket = Ticket.objects.filter(order=paid).first()
    pages = [
        (clerk, "/counter/"), (clerk, f"/counter/orders/{paid.code}/"),
        (clerk, f"/counter/orders/{paid.code}/tickets.pdf"), (clerk, "/counter/lookup/?q=Ada"),
        (operator, "/phone/"), (operator, f"/phone/customers/{customer.pk}/"),
        (operator, f"/phone/orders/{paid.code}/"), (door, "/door/"), (door, f"/door/performances/{performance.pk}/"),
        (organizer, "/admin/"), (organizer, f"/admin/sales/order/{paid.pk}/change/"), (None, "/login/"),
    ]
    for user, url in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        assert kept_by_no_one(answer), (url, answer.get("Cache-Control"))
    counter = Client()
    counter.force_login(clerk)
    slip = counter.post(f"/counter/orders/{paid.code}/print/")  # the printable slip
    assert slip.status_code == 200 and kept_by_no_one(slip), slip.get("Cache-Control")
    staff_token = client_for(door).get(f"/api/v1/tickets/{ticket.code}/")
    assert staff_token.status_code == 200 and kept_by_no_one(staff_token), staff_token.get("Cache-Control")


def test_a_buyers_own_pages_and_the_apis_private_reads_are_kept_by_no_one(paid, performance, clerk):
    link = f"/orders/{paid.code}/{paid.access_token}/"
    for url in (link, link + "tickets.pdf", link + "calendar.ics"):
        answer = Client().get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        assert kept_by_no_one(answer), (url, answer.get("Cache-Control"))
    for client, url in ((client_for(), f"/api/v1/orders/{paid.code}/?token={paid.access_token}"),
                        (client_for(clerk), f"/api/v1/orders/{paid.code}/")):
        answer = client.get(url)
        assert answer.status_code == 200 and kept_by_no_one(answer), (url, answer.get("Cache-Control"))
    buyer = client_for()
    hold = buyer.post("/api/v1/holds/", {"performance": performance.pk,
                                         "places": [places_of(performance, state="available")[0].pk]}, format="json")
    assert hold.status_code == 201 and kept_by_no_one(hold)
    read = buyer.get(f"/api/v1/holds/{hold.json()['token']}/")
    assert read.status_code == 200 and kept_by_no_one(read), read.get("Cache-Control")
    # Not found is private too: it says whether an order of that code exists for this caller.
    assert kept_by_no_one(Client().get(f"/orders/{paid.code}/wrong-token/"))


def test_the_catalogue_and_static_files_keep_their_caching(performance):
    for url in ("/", f"/performances/{performance.pk}/", "/api/v1/events/", f"/api/v1/performances/{performance.pk}/"):
        answer = Client().get(url)
        assert answer.status_code == 200, url
        assert not {"private", "no-store"} & directives(answer), (url, answer.get("Cache-Control"))
