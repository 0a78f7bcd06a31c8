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
