"""Québec and France write names with accents, capitals included: Élise, Émile, Ève. A
clerk or an operator typing a name in lower case finds it, as an organizer in the admin
does; the database upper-cases é as É."""

from decimal import Decimal

import pytest
from django.db import connection

from events.models import Channel
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from sales.shifts import shift_open
from tests.factories import CustomerFactory
from tests.support import make_performance, signed_in

pytestmark = pytest.mark.django_db


def test_the_database_knows_the_capital_of_an_accented_letter():
    with connection.cursor() as cursor:
        cursor.execute("SELECT upper('élise ève ærø'), 'Émile' ILIKE 'émile'")
        assert cursor.fetchone() == ("ÉLISE ÈVE ÆRØ", True)


def test_the_phone_finds_a_caller_by_a_name_typed_in_lower_case(operator):
    elise = CustomerFactory(name="Élise Tremblay", email="elise@example.org")
    page = signed_in(operator).get("/phone/?q=élise").content.decode()
    assert f"/phone/customers/{elise.pk}/" in page


def test_the_counter_finds_an_order_by_its_buyers_name_typed_in_lower_case(clerk):
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=1)
    order = order_place(hold=hold, customer=CustomerDetails(name="Émile Gagnon", email="emile@example.org"),
                        actor=clerk, shift=shift_open(clerk=clerk, cash_float=Decimal("0")),
                        payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    page = signed_in(clerk).get("/counter/lookup/?q=émile").content.decode()
    assert order.code in page


def test_the_admin_finds_a_customer_by_a_name_typed_in_lower_case(organizer):
    CustomerFactory(name="Ève Côté", email="eve@example.org")
    page = signed_in(organizer).get("/admin/sales/customer/?q=ève+côté").content.decode()
    assert "eve@example.org" in page
