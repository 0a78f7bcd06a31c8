"""A new performance's price zones price the sections of the venue chosen in it: each
zone's list of sections to choose from offers that venue's once it is chosen, not every
venue's, in the zones on the page and in those added after."""

import pytest

from sales.policy import ORGANIZER
from tests.browser import login, open_page
from tests.factories import SectionFactory, VenueFactory
from tests.support import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

OFFERED = "id => [...document.getElementById(id).options].map(o => o.text)"


def test_a_new_performances_zones_offer_the_chosen_venues_sections(browser, live_server):
    hall, club = VenueFactory(name="Grand Hall"), VenueFactory(name="Blue Club")
    SectionFactory(venue=hall, name="Stalls")
    SectionFactory(venue=hall, name="Balcony")
    SectionFactory(venue=club, name="Floor")
    organizer = make_user("organizer-zone-sections", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 900})
    login(context, organizer, live_server)
    page.goto("/admin/events/performance/add/")
    page.click("#price_zones-group .add-row a")
    assert len(page.evaluate(OFFERED, "id_price_zones-0-sections_from")) == 3  # no venue yet: every one's
    page.select_option("#id_venue", str(club.pk))
    assert page.evaluate(OFFERED, "id_price_zones-0-sections_from") == ["Blue Club / Floor"]
    page.select_option("#id_venue", str(hall.pk))
    assert sorted(page.evaluate(OFFERED, "id_price_zones-0-sections_from")) == [
        "Grand Hall / Balcony", "Grand Hall / Stalls"]
    # The list's own filter box filters among that venue's.
    page.fill("#id_price_zones-0-sections_input", "sta")
    page.keyboard.press("End")
    assert page.evaluate(OFFERED, "id_price_zones-0-sections_from") == ["Grand Hall / Stalls"]
    page.click("#price_zones-group .add-row a")  # a zone added once the venue is chosen
    assert sorted(page.evaluate(OFFERED, "id_price_zones-1-sections_from")) == [
        "Grand Hall / Balcony", "Grand Hall / Stalls"]
    context.close()
