"""Counts of places and tickets on the staff's and the organizer's pages are written as the
reader's language writes numbers, grouped as money is ("1,100" in English, "1 100" in
French, with a narrow no-break space), never inside an address, a form's value or JSON."""

import re

import pytest

from sales.formatting import money, number
from sales.policy import COUNTER_CLERK, DOOR_STAFF
from tests.sales.test_check_in import sell
from tests.support import drawer, make_performance, make_user, signed_in

pytestmark = pytest.mark.django_db
THIN = "\u202f"
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def full_house():
    """1,100 seats, 1,000 of them sold in one order."""
    perf = make_performance(rows=11, per_row=100, ticket_limit=1000)
    # Names of their own: the factories' numbered ones ("Test hall 1000", late in a full run)
    # would put a bare 1000 on a wrapped line of the settlement's label.
    perf.venue.name, perf.event.title = "Grand Hall", "Full House"
    perf.venue.save(update_fields=["name"])
    perf.event.save(update_fields=["title"])
    sell(perf, n=1000)
    return perf


def test_a_count_is_grouped_as_an_amount_is(settings):
    from django.utils import translation

    assert (number(1398), number(0), number(None), number("")) == ("1,398", "0", "", "")
    with translation.override("fr"):
        assert number(1398) == f"1{THIN}398" and number(1234567) == f"1{THIN}234{THIN}567"
        assert money(1398).startswith(f"1{THIN}398,00")  # the same mark


def test_the_counter_says_the_places_left_in_each_zone_grouped():
    perf = make_performance(rows=11, per_row=100)
    clerk = make_user("clerk-many", COUNTER_CLERK)
    drawer(clerk)
    page = signed_in(clerk).get("/counter/").content.decode()
    assert "(1,100)" in page
    assert f'name="performance" value="{perf.pk}"' in page and 'max="10"' in page  # values stay bare
    assert f"(1{THIN}100)" in signed_in(clerk).get("/counter/", **FR).content.decode()


def test_the_door_counts_its_tickets_grouped_and_its_script_groups_them_alike(full_house):
    door = signed_in(make_user("door-many", DOOR_STAFF))
    url = f"/door/performances/{full_house.pk}/"
    page = door.get(url).content.decode()
    assert re.search(r'<span id="sold">1,000</span>', page) and 'data-group=","' in page
    french = door.get(url, **FR).content.decode()
    assert f'<span id="sold">1{THIN}000</span>' in french and f'data-group="{THIN}"' in french
    # What the script is sent stays a number: it groups it itself (static/door.js).
    assert door.get(f"/door/performances/{full_house.pk}/attendance/").json() == {"sold": 1000, "scanned": 0}


def test_the_organizers_dashboard_groups_its_counts(full_house, organizer):
    admin = signed_in(organizer)
    url = f"/admin/sales/performancedashboard/{full_house.pk}/change/"
    page = admin.get(url).content.decode()
    assert '<strong id="figure-sold">1,000</strong>' in page
    assert re.search(r'<td class="n">1,000</td><td class="n">0</td><td class="n">0</td><td class="n">100</td>', page)
    assert 'data-group=","' in page
    french = admin.get(url, **FR).content.decode()
    assert f'<strong id="figure-sold">1{THIN}000</strong>' in french
    assert admin.get(f"{url}?live=1").json()["sold"] == 1000  # the live figures' JSON stays bare
    listing = admin.get("/admin/sales/performancedashboard/").content.decode()
    assert '<td class="field-sold">1,000</td>' in listing and '<td class="field-available">100</td>' in listing


def test_the_settlement_counts_its_tickets_as_it_writes_its_amounts(full_house, organizer):
    """The PDF's font has no narrow space: an amount there reads 1 234,50 in French, and a
    count of tickets 1 000, not 1000."""
    from tests.events.test_time_zones import pdf_text

    admin = signed_in(organizer)
    url = f"/admin/sales/performancedashboard/settlement/{full_house.event_id}.pdf"
    english = pdf_text(admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content).decode("cp1252")
    french = pdf_text(admin.get(url, HTTP_ACCEPT_LANGUAGE="fr").content).decode("cp1252")
    assert "(1,000)" in english and "(1000)" not in english
    assert "(1 000)" in french and "(1000)" not in french
    csv = admin.get(url.replace(".pdf", ".csv")).content.decode()
    assert ",1000," in csv and "1,000" not in csv  # data stays bare
