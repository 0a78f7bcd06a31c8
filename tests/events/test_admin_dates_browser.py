"""The admin's moments are typed in two boxes, a date and a time: each box says which
field and which half it is, to a screen reader as to axe-core (no input without a name),
in the admin's language."""

import pytest

from tests.browser import axe_violations, login, open_page
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DATE_AND_TIME = "p.datetime input"


def pages(perf) -> list[str]:
    """Every admin form with a moment typed as a date and a time."""
    return [f"/admin/events/performance/{perf.pk}/change/", "/admin/events/performance/add/",
            "/admin/sales/waitingroom/add/", "/admin/sales/ballot/add/", "/admin/sales/presale/add/"]


def test_every_date_and_time_box_of_the_admin_has_a_name(browser, live_server):
    perf = make_performance(rows=1, per_row=4)  # its on-sale windows: a row of moments each
    boss = make_user("dates-boss", is_staff=True, is_superuser=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 900})
    login(context, boss, live_server)
    for url in pages(perf):
        page.goto(url)
        boxes = page.locator(DATE_AND_TIME)
        assert boxes.count() >= 2, url
        assert axe_violations(page, DATE_AND_TIME) == [], url
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    for name in ("Starts at — date", "Starts at — time", "Doors open at — date", "Doors open at — time"):
        assert page.get_by_role("textbox", name=name, exact=True).count() == 1, name
    # The on-sale windows' rows, one per channel, each with its moments.
    assert page.get_by_role("textbox", name="Opens at — date", exact=True).count() == perf.on_sale_windows.count() == 3
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    assert page.get_by_role("textbox", name="Début — heure", exact=True).count() == 1
    assert axe_violations(page, DATE_AND_TIME) == []
    context.close()
