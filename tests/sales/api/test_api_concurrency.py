import pytest
from rest_framework.test import APIClient

from sales.models import Order, Ticket
from tests.conftest import make_performance, places_of
from tests.sales.api.test_api import BUYER, CARD
from tests.sales.test_concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_the_same_order_request_sent_in_parallel_creates_one_order():
    perf = make_performance(rows=1, per_row=4)
    client = APIClient()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                       format="json").json()["token"]
    body = {"hold": hold, "customer": BUYER, "payment": CARD}

    def send(i):
        return APIClient().post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "same"})

    responses = race(12, send)
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    assert Order.objects.count() == 1 and Ticket.objects.count() == 1
    codes = {r.json()["code"] for r in responses if r.status_code == 201}
    assert codes == {Order.objects.get().code}
    for r in responses:
        if r.status_code == 409:
            assert "still in progress" in r.json()["error"]["message"]
