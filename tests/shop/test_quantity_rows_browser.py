"""The rows of "Best available" where a buyer says how many tickets: the seated zones' row
and one row per standing area. Their "Tickets" fields stand in one column, on a desk and
on a phone, whatever the length of a standing area's name, and a standing area's name
sits level with its field, as the zone's list does on the seated row."""

import pytest

from events.models import Section
from tests.browser import open_page, screenshot
from tests.support import make_performance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Each row of the section: its first item (the zone's list, or the standing area's name),
# and its "Tickets" label and field, as boxes.
ROWS = """section => [...section.querySelectorAll("form")].map(form => {
  const box = e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const field = form.querySelector("input[name=quantity]");
  const first = form.querySelector("select") || form.querySelector("[id^=standing-]");
  return {tickets: box(field.closest("label")), field: box(field), first: box(first)};
})"""


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("en", 375), ("fr", 1280), ("fr", 375)])
def test_the_tickets_fields_of_the_seated_and_standing_rows_stand_in_one_column(
        browser, live_server, language, width):
    perf = make_performance(rows=2, per_row=6, standing=50, ticket_limit=6)
    Section.objects.filter(venue=perf.venue, name="Lawn").update(name="Lawn by the river")
    context, page = open_page(browser, live_server, {"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"/performances/{perf.pk}/")
    section = page.locator("section[aria-labelledby=best-h]")
    section.scroll_into_view_if_needed()
    seated, standing = section.evaluate(ROWS)
    screenshot(page, f"quantity-rows-{language}-{width}")

    assert abs(standing["tickets"]["x"] - seated["tickets"]["x"]) <= 1, (seated, standing)
    assert abs(standing["field"]["x"] - seated["field"]["x"]) <= 1, (seated, standing)
    assert abs(standing["field"]["w"] - seated["field"]["w"]) <= 1, (seated, standing)
    name, field = standing["first"], standing["field"]
    if width > 640:  # the standing area's name reads level with its field, as the zone's list does
        assert abs((name["y"] + name["h"] / 2) - (field["y"] + field["h"] / 2)) <= 2, (name, field)
        zones = seated["first"]
        assert abs((zones["y"] + zones["h"] / 2) - (seated["field"]["y"] + seated["field"]["h"] / 2)) <= 2
    else:  # on a phone it takes its own line, over its "Tickets", as the zone's list does
        assert name["y"] + name["h"] <= standing["tickets"]["y"], (name, standing["tickets"])
        assert seated["first"]["y"] + seated["first"]["h"] <= seated["tickets"]["y"], seated
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    context.close()
