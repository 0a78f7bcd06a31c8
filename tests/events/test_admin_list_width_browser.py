"""An organizer's lists on a laptop (1366 × 768), in French, with a show and a hall named
at length as theatres name them: the long names wrap in their column, and the columns
after them (the date, the hall, the state) stay in sight without scrolling sideways."""

import pytest

from events.models import Channel
from sales.holds import hold_create
from sales.policy import ORGANIZER
from tests.browser import login, open_page, screenshot
from tests.support import make_performance, make_user, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

TITLE = "Le Malade imaginaire — Molière, mise en scène de Catherine Vidal (version intégrale avec entracte)"
HALL = "Théâtre du Vieux-Port — Grande salle Jean-Paul-Riopelle"
# How far the list's box scrolls sideways, and where the last column's heading ends against it.
SIDEWAYS = """() => { const box = document.querySelector('#changelist .results');
    const last = [...document.querySelectorAll('#result_list thead th')].pop();
    return {by: box.scrollWidth - box.clientWidth,
            last_out: Math.round(last.getBoundingClientRect().right - box.getBoundingClientRect().right)}; }"""


def test_a_long_show_and_hall_name_wrap_and_the_lists_columns_stay_in_sight(browser, live_server):
    perf = make_performance(rows=1, per_row=4)
    perf.event.title = TITLE
    perf.event.save()
    perf.venue.name = HALL
    perf.venue.save()
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])  # a row of holds
    organizer = make_user("organizer-lists", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 768})
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    for url in ("/admin/events/performance/", "/admin/sales/place/", "/admin/sales/hold/"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("#result_list tbody tr").count() >= 1, url
        said = page.evaluate(SIDEWAYS)
        if said["by"] > 1:
            screenshot(page, "admin-list-" + url.strip("/").replace("/", "-"))
        assert said["by"] <= 1 and said["last_out"] <= 1, (url, said)
    page.goto("/admin/events/performance/")
    start = page.locator("#result_list tbody td.field-local_start").first
    assert start.is_visible() and start.bounding_box()["x"] + start.bounding_box()["width"] <= 1366
    context.close()


def test_the_seating_plan_import_names_its_file_field_and_ties_its_errors_to_it(browser, live_server):
    """The import page's one field is named to a screen reader (axe-core: no input without a
    label), in French, and a refused file's errors are read with the field."""
    from tests.browser import axe_violations
    from tests.factories import VenueFactory

    venue = VenueFactory(name=HALL)
    organizer = make_user("organizer-import", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 768})
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/events/venue/{venue.pk}/import/")
    assert axe_violations(page, "#content form") == []
    field = page.get_by_label("Plan de salle (CSV ou JSON)")
    field.set_input_files(files=[{"name": "plan.csv", "mimeType": "text/csv",
                                  "buffer": b"section,kind,row,number,x,y,flags,capacity\nA,assis,1,1,0,0,,\n"}])
    page.get_by_role("button", name="Importer").click()
    error = page.locator("#content .errorlist li").first
    assert "assis" in error.inner_text()
    described = page.get_by_label("Plan de salle (CSV ou JSON)").get_attribute("aria-describedby") or ""
    assert page.locator("#content .errorlist").get_attribute("id") in described.split()
    assert axe_violations(page, "#content form") == []
    context.close()
