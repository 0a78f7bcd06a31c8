"""Lists of people, shows, venues and zones sort as a French or English reader expects:
accented letters with their plain letters (Élise before Eric, not after Zoé), capitals
with small letters, and numbers by their value (Salle 2 before Salle 10)."""

import re

import pytest

from events.models import Event, PriceZone, Section, Venue
from sales.models import Customer
from tests.factories import CustomerFactory, EventFactory, VenueFactory
from tests.support import make_performance, signed_in

pytestmark = pytest.mark.django_db

PEOPLE = ["adam Roy", "Élise Tremblay", "Émile Gagnon", "eric Roy", "Ève Côté", "Zoé Roy"]


def test_customers_sort_by_their_names_as_people_read_them():
    for name in reversed(PEOPLE):
        CustomerFactory(name=name, email=f"{name.split()[0].lower()}@example.org")
    assert list(Customer.objects.values_list("name", flat=True)) == PEOPLE


def test_the_phone_lists_callers_in_the_order_people_read_them(operator):
    for name in reversed(PEOPLE):
        CustomerFactory(name=name, email=f"{name.split()[0].lower()}@example.org")
    page = signed_in(operator).get("/phone/?q=e").content.decode()
    shown = [name for name in re.findall(r">([^<>]+)</a>", page) if name in PEOPLE]
    assert shown == ["Élise Tremblay", "Émile Gagnon", "eric Roy", "Ève Côté", "Zoé Roy"]


def test_venues_shows_sections_and_zones_sort_numbers_by_their_value():
    for name in ("Salle 10", "Salle 2", "salle 1", "Édifice"):
        VenueFactory(name=name)
    assert list(Venue.objects.values_list("name", flat=True)) == ["Édifice", "salle 1", "Salle 2", "Salle 10"]
    for title in ("Zazie", "Les Étoiles", "les étés", "Le 9e", "Le 10e"):
        EventFactory(title=title)
    assert list(Event.objects.values_list("title", flat=True)) == [
        "Le 9e", "Le 10e", "les étés", "Les Étoiles", "Zazie"]
    perf = make_performance(rows=1, per_row=2)
    for name in ("Parterre 10", "Parterre 9"):
        PriceZone.objects.create(performance=perf, name=name, price=10)
    assert list(perf.price_zones.filter(name__startswith="Parterre").values_list("name", flat=True)) == [
        "Parterre 9", "Parterre 10"]
    for name in ("Balcon 10", "Balcon 2", "Étage"):
        Section.objects.create(venue=perf.venue, name=name, rank=7)
    assert list(Section.objects.filter(venue=perf.venue, rank=7).order_by("name").values_list("name", flat=True)) == [
        "Balcon 2", "Balcon 10", "Étage"]


def test_the_admins_orders_sorted_by_customer_follow_their_names(organizer):
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest

    perf = make_performance(rows=1, per_row=6)
    for i, name in enumerate(reversed(PEOPLE)):
        hold = hold_create(performance=perf, channel="online", zone=perf.price_zones.get(), quantity=1)
        order_place(hold=hold, customer=CustomerDetails(name=name, email=f"buyer{i}@example.org"),
                    payments=[PaymentRequest(method="test_card", card_number="4242424242424242")])
    page = signed_in(organizer).get("/admin/sales/order/?o=3").content.decode()  # 0 is the action's box
    shown = re.findall(r"<td class=\"field-buyer[^>]*>([^<&]+?)<br>", page)  # the name, its address under it
    assert shown == PEOPLE, shown
