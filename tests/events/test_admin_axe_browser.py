"""The admin's pages as axe-core reads them whole: no critical or serious violation from
our templates or from Django's own widgets as the admin uses them (the breadcrumbs'
links, the two-box pickers' search icons), on the page as drawn and once a row with a
picker is added in the page."""

import pytest

from tests.browser import axe_violations, login, open_page
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_admins_pages_have_no_serious_violation(browser, live_server):
    perf = make_performance(rows=1, per_row=4)  # a price zone: a picker of its sections
    boss = make_user("axe-boss", is_staff=True, is_superuser=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 900})
    login(context, boss, live_server)
    for url in ("/admin/sales/promocode/add/", f"/admin/events/performance/{perf.pk}/change/"):
        page.goto(url)
        page.wait_for_load_state("load")  # the pickers are drawn once the page has loaded
        assert page.locator(".selector .search-label-icon").count() >= 2, url
        assert axe_violations(page, "html") == [], url
    # A zone added in the page draws its own picker.
    page.locator("#price_zones-group .add-row a").click()
    assert page.locator("#price_zones-group .selector .search-label-icon").count() == 4
    assert axe_violations(page, "html") == []
    # The pickers' filter boxes keep the name their icon gives them.
    assert page.get_by_role("textbox", name="Type into this box to filter down the list of available sections.",
                            exact=True).count() == 2
    page.goto("/admin/sales/promocode/add/")
    assert page.get_by_role("textbox", name="Type into this box to filter down the list of selected performances.",
                            exact=True).count() == 1
    context.close()


def test_the_help_under_a_moment_describes_both_its_boxes(browser, live_server):
    """A moment is typed in two boxes, a date and a time, which Django ties to no help: a
    screen reader in either box hears the help shown under them, on every page of the
    admin that has one (the performance's times already were)."""
    from playwright.sync_api import expect

    perf = make_performance(rows=1, per_row=4)
    boss = make_user("axe-moments", is_staff=True, is_superuser=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 900})
    login(context, boss, live_server)
    described = 0
    for url in ("/admin/sales/waitingroom/add/", "/admin/sales/presale/add/", "/admin/sales/ballot/add/",
                "/admin/sales/promocode/add/", "/admin/events/performance/add/",
                f"/admin/events/performance/{perf.pk}/change/"):
        page.goto(url)
        for row in page.locator(".form-row:has(p.datetime)").all():
            helps = row.locator(".help")
            if not helps.count():
                continue
            said = " ".join(helps.first.inner_text().split())
            for box in row.locator("p.datetime input").all():
                expect(box).to_have_accessible_description(said)
                described += 1
        assert axe_violations(page, "html") == [], url
    assert described >= 6  # the waiting room's opening, the performance's start and doors (added and changed)
    page.goto("/admin/sales/waitingroom/add/")
    expect(page.get_by_role("textbox", name="Opens at — time", exact=True)).to_have_accessible_description(
        "The on-sale time: who arrives before is put in random order.")
    context.close()
