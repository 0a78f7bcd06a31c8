"""A performance's price zones are told apart on the seat map by colour alone: each zone
added in its admin page shows, before it is saved, the colour saving gives it (the first
of ZONE_COLOURS no zone on the page has), and saving keeps the colour shown."""

import pytest

from events.models import ZONE_COLOURS
from sales.policy import ORGANIZER
from tests.browser import login, open_page
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_each_zone_added_shows_a_colour_of_its_own_and_saving_keeps_it(browser, live_server):
    perf = make_performance(rows=1, per_row=4, on_sale=False)  # Stalls, in the first colour
    assert list(perf.price_zones.values_list("color", flat=True)) == [ZONE_COLOURS[0]]
    organizer = make_user("organizer-zone-colours", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 900})
    login(context, organizer, live_server)
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    add = page.locator("#price_zones-group .add-row a")
    add.click()
    add.click()
    shown = [page.locator(f"#id_price_zones-{i}-color").input_value() for i in (1, 2)]
    assert shown == list(ZONE_COLOURS[1:3])
    for i, (name, price) in enumerate((("Balcony", "30.00"), ("Gallery", "20.00")), start=1):
        page.fill(f"#id_price_zones-{i}-name", name)
        page.fill(f"#id_price_zones-{i}-price", price)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert dict(perf.price_zones.values_list("name", "color")) == {
        "Stalls": ZONE_COLOURS[0], "Balcony": shown[0], "Gallery": shown[1]}
    context.close()


def test_a_zone_row_added_and_left_blank_does_not_stop_the_page_saving(browser, live_server):
    """A row added by mistake, left as it came but for the colour the page gave it, is no
    zone: the page saves without it, as Django's inlines save without an untouched row."""
    perf = make_performance(rows=1, per_row=4, on_sale=False)
    organizer = make_user("organizer-zone-blank", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 900})
    login(context, organizer, live_server)
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    page.locator("#price_zones-group .add-row a").click()
    assert page.locator("#id_price_zones-1-color").input_value() == ZONE_COLOURS[1]
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert list(perf.price_zones.values_list("name", flat=True)) == ["Stalls"]
    context.close()
