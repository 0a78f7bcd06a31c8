"""The organizer's dashboard draws its sales chart (Chart.js, served from the site)."""

import pytest

from tests.browser import login, screenshot
from tests.sales.test_check_in import sell
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_dashboard_renders_its_chart(browser, live_server):
    perf = make_performance(rows=2, per_row=10, price="40.00")
    sell(perf, 3)
    sell(perf, 2, name="Jean Tremblay", email="jt@example.org")
    organizer = make_user("organizer-chart", "organizer", is_staff=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    login(context, organizer, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/admin/sales/performancedashboard/{perf.pk}/change/")
    page.wait_for_function("document.getElementById('sales-chart').chart !== undefined")
    drawn = page.evaluate("""() => {
        const c = document.getElementById('sales-chart');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
        return {inked, bars: c.chart.data.datasets[0].data};
    }""")
    assert drawn["bars"] == [5] and drawn["inked"] > 1000
    assert page.locator("#figure-sold").inner_text() == "5"
    assert page.locator("#figure-net").inner_text() == "200.00"
    assert not errors
    screenshot(page, "office-dashboard")
    context.close()
