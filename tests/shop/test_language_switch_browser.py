"""Switching the shop's language mid-way, on a phone: what the buyer had chosen stays."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from events.models import Channel
from sales import inventory
from sales.models import Hold, Place
from tests.browser import open_page, screenshot
from tests.factories import PerformanceFactory, PriceZoneFactory, SectionFactory, VenueFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def two_sections():
    venue = VenueFactory()
    left = SectionFactory(venue=venue, name="Left", rows=2, per_row=6)
    right = SectionFactory(venue=venue, name="Right", rows=2, per_row=6)
    perf = PerformanceFactory(venue=venue, channels=tuple(Channel.values))
    PriceZoneFactory(performance=perf, name="Stalls", price=Decimal("40.00"), sections=[left, right])
    inventory.put_on_sale(performance=perf)
    return perf, right


def test_switching_language_on_the_seat_map_keeps_the_open_section_and_the_seats_picked(browser, live_server):
    perf, right = two_sections()
    context, page = open_page(browser, live_server, {"width": 375, "height": 740}, touch=True)
    page.goto(f"/performances/{perf.pk}/")
    page.locator(f'.section-link[data-section="{right.pk}"]').click()
    seats = page.locator(f'#seatmap[data-section="{right.pk}"] .seat')
    seats.first.wait_for()
    seats.nth(2).tap()
    seats.nth(3).tap()
    expect(page.locator("#picked-count")).to_have_text("2 selected")
    picked = sorted(seats.nth(i).get_attribute("data-id") for i in (2, 3))

    page.get_by_role("button", name="FR", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    seats = page.locator(f'#seatmap[data-section="{right.pk}"] .seat')
    seats.first.wait_for()
    expect(page.locator("#picked-count")).to_have_text("2 choisies")
    assert sorted(page.locator('#seatmap .seat[aria-checked="true"]').evaluate_all(
        "els => els.map(e => e.dataset.id)")) == picked
    assert "picked" not in page.url  # a reload later does not pick them again
    screenshot(page, "language-switch-seat-map")
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    hold = Hold.objects.get(status=Hold.Status.ACTIVE)
    assert sorted(str(pk) for pk in Place.objects.filter(hold=hold).values_list("pk", flat=True)) == picked
    context.close()
