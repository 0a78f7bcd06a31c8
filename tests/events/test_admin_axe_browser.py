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
