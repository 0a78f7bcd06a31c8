"""A performance's page in French on a laptop: its title (the show's whole name, its night
and its venue's clock) is long, and the buttons beside it (cancel, other dates, history)
are written out in full. Neither hides the other, at a laptop's width or a tablet's."""

import pytest

from events.models import Performance
from sales.policy import ORGANIZER
from tests.browser import login, open_page, screenshot
from tests.support import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

OVERLAPS = """() => {
  const title = document.querySelector('#content > h2').getBoundingClientRect();
  return [...document.querySelectorAll('.object-tools a')].map(a => a.getBoundingClientRect())
    .filter(b => b.left < title.right && title.left < b.right && b.top < title.bottom && title.top < b.bottom).length;
}"""


def test_a_performances_title_and_its_buttons_do_not_cover_each_other(browser, live_server):
    from sales.demo import VENUE, load_demo

    load_demo()
    perf = Performance.objects.filter(venue__name=VENUE).order_by("starts_at").first()
    organizer = make_user("tools-organizer", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 800})
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    for width in (1280, 1024, 768):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/admin/events/performance/{perf.pk}/change/")
        assert page.locator("#cancel-performance").count() == 1
        screenshot(page, f"performance-title-fr-{width}")
        assert page.evaluate(OVERLAPS) == 0, width
    context.close()
