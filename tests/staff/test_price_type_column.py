"""A performance with no price types (a rehearsal sold at one price a zone): the staff
pages' ticket tables have no "Price type" column, which would be empty on every row;
with a price type on a ticket, the column is there."""

import pytest

from events.models import Channel
from sales.holds import hold_create
from sales.models import Shift
from sales.orders import CustomerDetails, hold_total, order_place
from sales.payments import PaymentRequest
from sales.policy import cash_due
from tests.support import make_performance, make_user, price_types, signed_in

pytestmark = pytest.mark.django_db


def sold_at_the_counter(clerk, perf):
    shift = Shift.objects.get(clerk=clerk, closed_at__isnull=True)
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=2)
    return order_place(hold=hold, customer=CustomerDetails(name="Ada Caller", email="ada@example.org"),
                       actor=clerk, shift=shift, payments=[PaymentRequest(method="cash",
                                                                          tendered=cash_due(hold_total(hold)[0]))])


@pytest.mark.parametrize("typed", [False, True])
def test_a_price_type_column_only_where_a_ticket_has_a_price_type(typed):
    perf = make_performance(rows=2, per_row=6, price="30.00")
    clerk = make_user("clerk-columns", "counter clerk")
    counter = signed_in(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "100"})
    if typed:
        price_types(perf, {"Adult": {perf.price_zones.get().name: "30.00"}})
    order = sold_at_the_counter(clerk, perf)
    assert all(bool(t.price_type_name) == typed for t in order.tickets.all())
    page = counter.get(f"/counter/orders/{order.code}/").content.decode()
    assert ("Price type" in page) == typed, page
    start = counter.post(f"/counter/orders/{order.code}/exchange/",
                         {"tickets": [str(t.pk) for t in order.tickets.all()], "zone": perf.price_zones.get().pk,
                          "quantity": "2"})
    exchange = counter.get(start["Location"]).content.decode()
    assert ("Price type" in exchange) == typed, exchange
    phone = signed_in(make_user("operator-columns", "phone operator"))
    assert ("Price type" in phone.get(f"/phone/orders/{order.code}/").content.decode()) == typed
