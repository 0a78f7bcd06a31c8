"""Québec and France write names with accents, capitals included: Élise, Émile, Ève. A
clerk, an operator or a door keeper typing a name in lower case, or without its accents
as it is heard on the phone, finds it, as an organizer in the admin does."""

from decimal import Decimal

import pytest
from django.db import connection

from events.models import Channel
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from sales.policy import DOOR_STAFF
from sales.shifts import shift_open
from tests.factories import CustomerFactory
from tests.support import make_performance, make_user, signed_in

pytestmark = pytest.mark.django_db


def test_the_database_knows_the_capital_of_an_accented_letter():
    with connection.cursor() as cursor:
        cursor.execute("SELECT upper('élise ève ærø'), 'Émile' ILIKE 'émile'")
        assert cursor.fetchone() == ("ÉLISE ÈVE ÆRØ", True)


def test_the_phone_finds_a_caller_by_a_name_typed_in_lower_case(operator):
    elise = CustomerFactory(name="Élise Tremblay", email="elise@example.org")
    for typed in ("élise", "elise", "ELISE TREMBLAY"):
        page = signed_in(operator).get(f"/phone/?q={typed}").content.decode()
        assert f"/phone/customers/{elise.pk}/" in page, typed


def test_the_phone_finds_a_caller_by_their_names_in_either_order(operator):
    """A caller says their family name first ("Tremblay, Élise"): each name typed is found,
    in whatever order, and only a caller who has them all is listed."""
    elise = CustomerFactory(name="Élise Tremblay", email="elise@example.org")
    other = CustomerFactory(name="Marc Tremblay", email="marc@example.org")
    for typed in ("tremblay elise", "Tremblay, Élise", "elise  tremblay"):
        page = signed_in(operator).get("/phone/", {"q": typed}).content.decode()
        assert f"/phone/customers/{elise.pk}/" in page, typed
        assert f"/phone/customers/{other.pk}/" not in page, typed


def test_the_counter_finds_an_order_by_its_buyers_name_typed_in_lower_case(clerk):
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=1)
    order = order_place(hold=hold, customer=CustomerDetails(name="Émile Gagnon", email="emile@example.org"),
                        actor=clerk, shift=shift_open(clerk=clerk, cash_float=Decimal("0")),
                        payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    for typed in ("émile", "emile gagnon"):
        page = signed_in(clerk).get(f"/counter/lookup/?q={typed}").content.decode()
        assert order.code in page, typed
    door = signed_in(make_user("door-a", DOOR_STAFF))
    page = door.get(f"/door/performances/{perf.pk}/?q=emile").content.decode()
    assert order.code in page


def test_the_admin_finds_a_customer_by_a_name_typed_in_lower_case(organizer):
    CustomerFactory(name="Ève Côté", email="eve@example.org")
    for typed in ("ève+côté", "eve+cote"):
        page = signed_in(organizer).get(f"/admin/sales/customer/?q={typed}").content.decode()
        assert "eve@example.org" in page, typed


def test_the_counter_finds_an_order_by_its_buyers_names_in_either_order(clerk):
    perf = make_performance(rows=1, per_row=4)
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    orders = [order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                                           zone=perf.price_zones.get(), quantity=1),
                          customer=CustomerDetails(name=name, email=f"{name.split()[1].lower()}{n}@example.org"),
                          actor=clerk, shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
              for n, name in enumerate(("Émile Gagnon", "Marc Gagnon"))]
    page = signed_in(clerk).get("/counter/lookup/", {"q": "Gagnon, emile"}).content.decode()
    assert orders[0].code in page and orders[1].code not in page
    # At the door too: a guest without their ticket gives their family name first.
    door = signed_in(make_user("door-b", DOOR_STAFF))
    page = door.get(f"/door/performances/{perf.pk}/", {"q": "Gagnon, emile"}).content.decode()
    assert orders[0].code in page and orders[1].code not in page
