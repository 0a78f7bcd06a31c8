"""The admin's tables of rows inside a form (a hall's sections, a performance's on-sale
windows and price types, a price type's prices, the organizer's taxes and fees, a
presale's codes): a column's heading is not a label, so each box of a row is named after
its column, to a screen reader as to axe-core (no input without a name), in the admin's
language, a row added in the page as well as the rows drawn."""

from datetime import timedelta
from decimal import Decimal

import pytest

from events.models import PriceType
from sales.models import FeeRule, Organizer, Presale, PresaleCode, TaxRate
from tests.browser import axe_violations, login, open_page
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ROWS = "div.tabular"


def test_every_box_of_an_admin_table_of_rows_is_named_after_its_column(browser, live_server):
    perf = make_performance(rows=1, per_row=4)
    adult = PriceType.objects.create(performance=perf, name="Adult")
    organizer = Organizer.load()
    TaxRate.objects.create(organizer=organizer, name="GST", percent=Decimal("5"))
    FeeRule.objects.create(organizer=organizer, channel="online", per_ticket=Decimal("1.50"))
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=perf.starts_at - timedelta(days=2),
                                     closes_at=perf.starts_at)
    PresaleCode.objects.create(presale=presale, code="FANS", max_uses=None)
    boss = make_user("rows-boss", is_staff=True, is_superuser=True)
    context, page = open_page(browser, live_server, {"width": 1280, "height": 900})
    login(context, boss, live_server)
    for url in (f"/admin/events/venue/{perf.venue.pk}/change/", f"/admin/events/performance/{perf.pk}/change/",
                f"/admin/events/pricetype/{adult.pk}/change/", "/admin/events/pricetype/add/",
                f"/admin/sales/organizer/{organizer.pk}/change/", f"/admin/sales/presale/{presale.pk}/change/"):
        page.goto(url)
        assert page.locator(f"{ROWS} tbody tr.form-row:not(.empty-form)").count() >= 1, url
        assert axe_violations(page, ROWS) == [], url
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    windows = perf.on_sale_windows.count()
    assert page.get_by_role("combobox", name="Channel", exact=True).count() == windows == 3
    assert page.locator("#on_sale_windows-group").get_by_role("checkbox", name="Delete", exact=True).count() == 3
    assert page.get_by_role("textbox", name="Opens at — date", exact=True).count() == 3  # not overridden
    assert page.locator("#price_types-group").get_by_role("textbox", name="Name", exact=True).count() == 1
    page.goto(f"/admin/events/venue/{perf.venue.pk}/change/")
    page.locator("#sections-group .add-row a").click()  # a row the page adds from its blank model
    assert page.locator("#sections-group").get_by_role("textbox", name="Name", exact=True).count() == 2
    assert axe_violations(page, ROWS) == []
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/events/performance/{perf.pk}/change/")
    assert page.get_by_role("combobox", name="Canal", exact=True).count() == 3
    assert page.locator("#on_sale_windows-group").get_by_role("checkbox", name="Supprimer", exact=True).count() == 3
    assert axe_violations(page, ROWS) == []
    context.close()


def test_every_table_of_rows_in_the_admin_names_its_boxes():
    """A table of rows added later names its boxes too: each is the admin's own TabularInline."""
    from django.contrib import admin

    from events.admin import TabularInline

    tables = [inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines
              if issubclass(inline, admin.TabularInline)]
    assert len(tables) >= 7
    assert [t.__name__ for t in tables if not issubclass(t, TabularInline)] == []
