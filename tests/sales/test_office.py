"""The organizer's office: shifts and payments in the admin, the dashboard per
performance, and exports that add up to the payments."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Channel
from sales import inventory
from sales.holds import hold_create
from sales.models import Place, Shift
from sales.orders import CustomerDetails, order_place, order_refund, order_reserve
from sales.payments import PaymentRequest
from sales.shifts import shift_close, shift_open
from tests.sales.test_check_in import sell
from tests.support import make_performance, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(clerk, operator, organizer):
    """A performance of 20 seats at 50.00: 3 tickets online (one order of 2 then refunded),
    2 at the counter in cash, 1 reserved by phone, 1 place blocked; and another
    performance's online sale, which no export of the first may include."""
    perf = make_performance(rows=2, per_row=10, price="50.00")
    refunded = sell(perf, 2)[0].order
    sell(perf, 1, name="Jean Tremblay", email="jt@example.org")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=2)
    order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk, shift=shift,
                payments=[PaymentRequest(method="cash", tendered=Decimal("120"))])
    order_refund(order=refunded, actor=organizer)
    phone = hold_create(performance=perf, channel=Channel.PHONE, user=operator, zone=perf.price_zones.get(),
                        quantity=1)
    order_reserve(hold=phone, customer=CustomerDetails(name="Caller", email="c@example.org"), actor=operator,
                  deadline=timezone.now() + timedelta(days=2))
    free = Place.objects.filter(performance=perf, state="available").order_by("pk").first()
    inventory.block(performance=perf, place_ids=[free.pk], now=timezone.now(), actor=organizer)
    other = make_performance(rows=1, per_row=2)
    sell(other, 1, name="Elsewhere", email="e@example.org")
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("195.00"), counted_card=Decimal("0"))
    return perf


def test_shifts_and_payments_in_the_admin(sales, organizer):
    admin = signed_in(organizer)
    shifts = admin.get("/admin/sales/shift/").content.decode()
    assert "clerk1" in shifts and "money-off" in shifts and "Cash -5.00" in shifts  # 195 counted, 200 expected
    shift_page = admin.get(f"/admin/sales/shift/{Shift.objects.get().pk}/change/").content.decode()
    assert "Walk in" not in shift_page and "-5.00" in shift_page and "200.00" in shift_page
    payments = admin.get("/admin/sales/payment/", {"method__exact": "cash"}).content.decode()
    assert "Taken by the listed payments: 100.00" in payments
    refunds = admin.get("/admin/sales/payment/", {"kind": "refund"}).content.decode()
    assert "paid back: -100.00" in refunds
    assert admin.get("/admin/sales/payment/", {"order__channel__exact": "counter"}).status_code == 200
