"""A hold past its expires_at, as docs/api.md tells it: tidied by the sweep (status
`expired`, its places back on sale) it is still priced and bought while its places are
free, and refused (409 hold_not_active) once another buyer took them; a hold released
by its buyer is never bought."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sales.holds import holds_tidy
from sales.models import Hold, Place
from tests.support import BUYER, CARD, assert_error, client_for, places_of

pytestmark = pytest.mark.django_db


def lapsed_hold(client, perf, place) -> str:
    token = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [place.pk]}, format="json").json()["token"]
    past = timezone.now() - timedelta(minutes=1)
    Hold.objects.filter(token=token).update(expires_at=past)
    Place.objects.filter(hold__token=token).update(hold_expires_at=past)
    holds_tidy()
    assert client.get(f"/api/v1/holds/{token}/").json()["status"] == "expired"
    return token


def test_a_swept_hold_is_bought_while_its_places_are_free(performance):
    buyer = client_for()
    token = lapsed_hold(buyer, performance, places_of(performance)[0])
    assert buyer.post(f"/api/v1/holds/{token}/quote/", {}, format="json").status_code == 200
    order = buyer.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD}, format="json")
    assert order.status_code == 201, order.content
    assert order.json()["status"] == "paid"


def test_a_swept_hold_whose_places_were_taken_is_refused(performance):
    buyer, other = client_for(), client_for()
    place = places_of(performance)[0]
    token = lapsed_hold(buyer, performance, place)
    taken = other.post("/api/v1/holds/", {"performance": performance.pk, "places": [place.pk]}, format="json")
    assert taken.status_code == 201, taken.content
    answer = buyer.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD}, format="json")
    assert_error(answer, 409, "hold_not_active")


def test_a_released_hold_is_neither_priced_nor_bought(performance):
    buyer = client_for()
    token = buyer.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                       format="json").json()["token"]
    assert buyer.delete(f"/api/v1/holds/{token}/").status_code == 204
    assert_error(buyer.post(f"/api/v1/holds/{token}/quote/", {}, format="json"), 409, "hold_not_active")
    answer = buyer.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD}, format="json")
    assert_error(answer, 409, "hold_not_active")
