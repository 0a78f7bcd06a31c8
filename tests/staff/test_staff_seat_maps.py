"""The seat map at the counter and on the phone: staff pick seats for someone else, and
read its prices as the rest of their pages say them (before tax, or taxes included)."""

import re

import pytest

from tests.support import quebec_taxes, signed_in

pytestmark = pytest.mark.django_db


def map_heading(page: bytes) -> str:
    heading = re.search(r'<h2 id="map-h">(.*?)</h2>', page.decode(), re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", heading)).strip()


def counter_map(clerk, performance, language):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    return c.get(f"/counter/performances/{performance.pk}/map/", headers={"accept-language": language}).content


def phone_map(operator, performance, language):
    c = signed_in(operator)
    caller = c.post("/phone/customers/new/", {"name": "Lou Morin", "email": "lou@example.org"})["Location"]
    return c.get(caller.rstrip("/") + f"/performances/{performance.pk}/map/",
                 headers={"accept-language": language}).content


@pytest.mark.parametrize("door", [counter_map, phone_map])
@pytest.mark.parametrize(("language", "heading"), [("en", "Pick the seats (prices before tax)"),
                                                   ("fr", "Choisir les places (prix avant taxes)")])
def test_the_staff_map_is_headed_for_staff_with_its_prices_basis(clerk, operator, performance, door,
                                                                 language, heading):
    quebec_taxes()
    user = clerk if door is counter_map else operator
    assert map_heading(door(user, performance, language)) == heading


@pytest.mark.parametrize("door", [counter_map, phone_map])
def test_with_no_tax_the_staff_map_names_no_basis(clerk, operator, performance, door):
    user = clerk if door is counter_map else operator
    assert map_heading(door(user, performance, "fr")) == "Choisir les places"


def two_zones_with_price_types(channel: str, **comps):
    """A performance sold by `channel`: its Left section in the Front zone (60.00, its
    price types 60.00 and 35.00), its Right section in the Back zone (40.00; 40.00 and
    25.00)."""
    from decimal import Decimal

    from sales import inventory
    from tests.factories import PerformanceFactory, PriceZoneFactory, SectionFactory, VenueFactory
    from tests.support import price_types

    venue = VenueFactory()
    left, right = (SectionFactory(venue=venue, name=name, rows=1, per_row=4) for name in ("Left", "Right"))
    perf = PerformanceFactory(venue=venue, channels=[channel])
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("60.00"), sections=[left])
    PriceZoneFactory(performance=perf, name="Back", price=Decimal("40.00"), sections=[right])
    inventory.put_on_sale(performance=perf)
    price_types(perf, {"Adult": {"Front": "60.00", "Back": "40.00"}, "Child": {"Front": "35.00", "Back": "25.00"}},
                **comps)
    return perf


def mapped_prices(page: bytes) -> dict:
    return dict(re.findall(r"<strong>(Left|Right)</strong> <span>(\$[\d.]+)", re.sub(r"\s+", " ", page.decode())))


def test_the_counters_map_and_its_list_of_performances_sell_from_the_same_price(clerk):
    """A section on the counter's map sells from the price the counter's list of
    performances says its zone sells from: the cheapest price type's (comps aside, before
    tax as both pages say), not the zone's own price."""
    from events.models import Channel

    perf = two_zones_with_price_types(Channel.COUNTER, comp="Press")
    quebec_taxes()
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    home = re.sub(r"\s+", " ", c.get("/counter/").content.decode())
    listed = dict(re.findall(r"> (Front|Back) from (\$[\d.]+)", home))
    mapped = mapped_prices(c.get(f"/counter/performances/{perf.pk}/map/").content)
    assert listed == {"Front": "$35.00", "Back": "$25.00"}
    assert mapped == {"Left": listed["Front"], "Right": listed["Back"]}


def test_the_phones_map_and_its_list_of_performances_sell_from_the_same_price(operator):
    """By phone as at the counter: a section on the map sells from the price the caller's
    list of performances says its zone sells from (its cheapest price type's)."""
    from events.models import Channel
    from sales.models import Customer

    perf = two_zones_with_price_types(Channel.PHONE)
    caller = Customer.objects.create(name="Élise Tremblay", email="elise@example.org")
    c = signed_in(operator)
    listed = dict(re.findall(r">(Front|Back) from (\$[\d.]+)<",
                             re.sub(r"\s+", " ", c.get(f"/phone/customers/{caller.pk}/").content.decode())))
    mapped = mapped_prices(c.get(f"/phone/customers/{caller.pk}/performances/{perf.pk}/map/").content)
    assert listed == {"Front": "$35.00", "Back": "$25.00"}
    assert mapped == {"Left": listed["Front"], "Right": listed["Back"]}


def test_the_phones_map_names_the_seats_picked_in_a_section_it_does_not_draw(operator):
    """Opening the Right section with a seat of Left already picked (?picked=), the phone's
    map names both for the picked seats' summary: Left's seats are not drawn on the page."""
    import json

    from events.models import Channel
    from sales.models import Customer, Place

    perf = two_zones_with_price_types(Channel.PHONE)
    places = Place.objects.filter(performance=perf).select_related("seat__section").order_by("pk")
    left = next(p for p in places if p.seat.section.name == "Left")
    right = next(p for p in places if p.seat.section.name == "Right")
    caller = Customer.objects.create(name="Élise Tremblay", email="elise@example.org")
    page = signed_in(operator).get(f"/phone/customers/{caller.pk}/performances/{perf.pk}/map/",
                                   {"section": right.seat.section_id, "picked": f"{left.pk},{right.pk}"}).content
    known = re.search(r'<script id="picked-known" type="application/json">(.*?)</script>', page.decode()).group(1)
    assert json.loads(known) == {str(left.pk): f"Left {left.seat.row}-{left.seat.number}",
                                 str(right.pk): f"Right {right.seat.row}-{right.seat.number}"}
