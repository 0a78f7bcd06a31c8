"""The organizer's office in a real browser: the dashboard draws its sales chart (Chart.js,
served from the site), its XLSX download opens and adds up to the payments, and an
organizer (not a superuser) creates a door account."""

import io
from decimal import Decimal

import openpyxl
import pytest

from sales.models import Payment, StaffMember
from sales.policy import DOOR_STAFF
from sales.reports import MONEY_MOVED
from tests.browser import login, screenshot
from tests.sales.test_check_in import sell
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DESKTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


def test_an_organizer_reads_the_dashboard_downloads_the_payments_and_opens_a_door_account(browser, live_server):
    perf = make_performance(rows=2, per_row=10, price="40.00")
    sell(perf, 3)
    sell(perf, 2, name="Jean Tremblay", email="jt@example.org")
    organizer = make_user("organizer-chart", "organizer", is_staff=True)
    assert not organizer.is_superuser
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
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
    assert page.locator("#figure-net").inner_text() == "$200.00"
    screenshot(page, "office-dashboard-desktop")
    # Every column of the zones' table in view on a desktop, in English and in French.
    hidden = "() => { const t = document.getElementById('zones'); return t.scrollWidth - t.parentElement.clientWidth; }"
    assert page.evaluate(hidden) <= 0
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/sales/performancedashboard/{perf.pk}/change/")
    page.get_by_role("heading", name="Places par zone").wait_for()
    assert page.evaluate(hidden) <= 0, "the zones' table is cut in French"
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"/admin/sales/performancedashboard/{perf.pk}/change/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Payments and refunds (XLSX)").click()
    assert download.value.suggested_filename == f"payments-{perf.pk}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    header, *rows = book.active.iter_rows(values_only=True)
    amounts = [Decimal(str(row[header.index("Amount")])) for row in rows]
    moved = Payment.objects.filter(MONEY_MOVED, order__performance=perf)
    assert len(amounts) == moved.count() == 2 and sum(amounts) == sum(p.amount for p in moved) == Decimal("200.00")

    page.set_viewport_size(PHONE)
    page.goto(f"/admin/sales/performancedashboard/{perf.pk}/change/")
    page.wait_for_function("document.getElementById('sales-chart').chart !== undefined")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, "office-dashboard-phone")
    page.screenshot(path=str(screenshot(page, "office-dashboard-phone-full")), full_page=True)
    assert overflow <= 0, f"the dashboard is {overflow}px wider than a phone"
    # The exports' performance list names each performance whole: a long name wraps in
    # the page, or the list takes the width there is, and the page never scrolls sideways.
    perf.event.title = "Les Étoiles — tournée d'été, grande soirée de clôture sous le chapiteau"
    perf.event.save()
    page.goto("/admin/sales/performancedashboard/exports/")
    choice = page.get_by_label("Performance")
    choice.select_option(str(perf.pk))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    right = choice.evaluate("e => e.getBoundingClientRect().right")
    screenshot(page, "office-exports-phone")
    assert overflow <= 0 and right <= PHONE["width"], \
        f"the exports page is {overflow}px wider than a phone; its list ends at {right}px"

    page.set_viewport_size(DESKTOP)
    page.goto("/admin/sales/staffmember/add/")
    page.get_by_label("Username").fill("north-gate")
    page.get_by_label("Door staff").check()
    page.locator("#id_password1").fill("a long door password 7")
    page.locator("#id_password2").fill("a long door password 7")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    member = StaffMember.objects.get(username="north-gate")
    assert [g.name for g in member.groups.all()] == [DOOR_STAFF] and not member.is_superuser
    assert member.check_password("a long door password 7")
    assert not errors
    context.close()


def test_an_organizer_cancels_a_performance_from_a_phone(browser, live_server):
    """The cancel page fits a phone: the note to the buyers is typed in a box that ends
    on the screen, and the cancellation goes through from there."""
    perf = make_performance(rows=2, per_row=10, price="40.00")
    sell(perf, 2)
    organizer = make_user("organizer-cancel", "organizer", is_staff=True)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-CA",
                                  extra_http_headers={"Accept-Language": "fr"})
    login(context, organizer, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/admin/events/performance/{perf.pk}/cancel/")
    note = page.get_by_label("Ce qui est dit aux acheteurs")
    right = page.evaluate("e => e.getBoundingClientRect().right", note.element_handle())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, "office-cancel-phone")
    assert right <= PHONE["width"] and overflow <= 0, f"the note ends at {right}px; the page is {overflow}px too wide"
    note.fill("Reportée à l'été prochain : vos billets sont remboursés.")
    page.get_by_label("Je comprends que c’est irréversible.").check()
    page.get_by_role("button", name="Annuler la représentation et rembourser tout le monde").click()
    page.get_by_text("Annulée le").wait_for()
    perf.refresh_from_db()
    assert perf.cancelled_at is not None
    context.close()


def test_the_organizers_links_in_running_text_are_told_from_it_without_colour(browser, live_server):
    """The dashboard's way to the event's performances and its settlement (PDF, CSV) sit in
    sentences: underlined, not told apart by their colour alone (axe-core: link-in-text-block)."""
    from tests.browser import axe_violations, open_page

    perf = make_performance(rows=1, per_row=4, price="40.00")
    sell(perf, 1)
    organizer = make_user("organizer-links", "organizer", is_staff=True)
    context, page = open_page(browser, live_server, DESKTOP)
    login(context, organizer, live_server)
    for url in (f"/admin/sales/performancedashboard/{perf.pk}/change/",
                f"/admin/sales/performancedashboard/event/{perf.event_id}/"):
        page.goto(url)
        assert [v for v in axe_violations(page, "#content") if v[0] == "link-in-text-block"] == [], url
    context.close()


def test_the_dashboards_chart_shows_the_net_takings_of_a_single_day_of_sales(browser, live_server):
    """Everything sold on one day: the chart's net takings that day is seen, not drawn under
    the day's bar and the tickets sold so far (which, for one day, are that bar again)."""
    perf = make_performance(rows=1, per_row=6, price="40.00")
    sell(perf, 3)
    organizer = make_user("organizer-one-day", "organizer", is_staff=True)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    login(context, organizer, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/admin/sales/performancedashboard/{perf.pk}/change/")
    page.wait_for_function("document.getElementById('sales-chart').chart !== undefined")
    seen = page.evaluate("""() => {
        const c = document.getElementById('sales-chart'), chart = c.chart;
        const i = chart.data.datasets.findIndex(d => d.label === 'Net takings that day');
        const point = chart.getDatasetMeta(i).data[0], ratio = chart.currentDevicePixelRatio;
        // The green of its line (#15803d) around its point, as drawn on the canvas.
        const r = 6 * ratio, x = Math.round(point.x * ratio - r), y = Math.round(point.y * ratio - r);
        const px = c.getContext('2d').getImageData(x, y, 2 * r, 2 * r).data;
        let green = 0;
        for (let k = 0; k < px.length; k += 4)
            if (Math.abs(px[k] - 21) < 40 && Math.abs(px[k + 1] - 128) < 40 && Math.abs(px[k + 2] - 61) < 40) green++;
        return {green, taken: chart.data.datasets[i].data, shown: chart.isDatasetVisible(i)};
    }""")
    screenshot(page, "office-dashboard-one-day")
    assert seen["taken"] == [120] and seen["shown"]
    assert seen["green"] >= 8, seen
    context.close()


def test_the_dashboards_chart_draws_the_tickets_alone_for_whoever_may_not_read_the_payments(browser, live_server):
    """Without the payments' permission the page leaves the takings out: the chart draws the
    tickets sold, with no takings line and no money axis."""
    from django.contrib.auth.models import Permission

    perf = make_performance(rows=1, per_row=6, price="40.00")
    sell(perf, 3)
    manager = make_user("door-manager-chart", is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="view_performancedashboard"))
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    login(context, manager, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/admin/sales/performancedashboard/{perf.pk}/change/")  # its scripts run before "load"
    seen = page.evaluate("""() => {
        const chart = document.getElementById('sales-chart').chart;
        return chart && {data: chart.data.datasets.map(d => d.data), scales: Object.keys(chart.scales).sort()};
    }""")
    assert errors == [] and seen == {"data": [[3]], "scales": ["tickets", "x"]}, (errors, seen)
    context.close()
