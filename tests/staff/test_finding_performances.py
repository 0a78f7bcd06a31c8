"""A festival sells hundreds of performances at once: the counter's sale page and the
phone's caller page list them a page at a time (the counter's exchange, an event's), the
soonest first, and find one by its show, its venue or its day at the venue; their cost
does not grow with how many are on sale."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Channel
from sales.channels.staff import PERFORMANCES_PER_PAGE
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_place
from sales.payments import PaymentRequest
from sales.policy import DOOR_STAFF
from sales.shifts import shift_open
from tests.factories import CustomerFactory, EventFactory, PerformanceFactory, PriceZoneFactory, VenueFactory
from tests.support import make_performance, make_user, one_place, signed_in

pytestmark = pytest.mark.django_db
LISTED = re.compile(r'name="performance" value="(\d+)"')


def on_sale(count: int, *, title: str = "Show", venue=None, first_in_days: int = 5) -> list:
    """`count` performances of one show on sale at the counter and by phone, a day apart."""
    event, venue = EventFactory(title=title), venue or VenueFactory()
    performances = []
    for n in range(count):
        perf = PerformanceFactory(event=event, venue=venue, channels=[Channel.COUNTER, Channel.PHONE],
                                  starts_at=timezone.now() + timedelta(days=first_in_days + n))
        one_place(perf, PriceZoneFactory(performance=perf, name="Floor"))
        performances.append(perf)
    return performances


@pytest.fixture
def counter(clerk):
    client = signed_in(clerk)
    client.post("/counter/shift/open/", {"cash_float": "100"})
    return lambda query="": client.get(f"/counter/{query}")


@pytest.fixture
def phone(operator):
    client, caller = signed_in(operator), CustomerFactory()
    return lambda query="": client.get(f"/phone/customers/{caller.pk}/{query}")


def listed(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in LISTED.findall(response.content.decode())]


@pytest.mark.parametrize("console", ["counter", "phone"])
def test_a_page_at_a_time_the_soonest_first(console, request):
    page = request.getfixturevalue(console)
    performances = on_sale(2 * PERFORMANCES_PER_PAGE + 3)
    ids = [p.pk for p in performances]
    first = page()
    assert listed(first) == ids[:PERFORMANCES_PER_PAGE]
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()
    assert listed(page("?page=2")) == ids[PERFORMANCES_PER_PAGE:2 * PERFORMANCES_PER_PAGE]
    last = page("?page=3")
    assert listed(last) == ids[2 * PERFORMANCES_PER_PAGE:]
    assert 'rel="next"' not in last.content.decode() and 'rel="prev"' in last.content.decode()
    assert "No later performance" in page("?page=9").content.decode()


@pytest.mark.parametrize("console", ["counter", "phone"])
def test_a_page_costs_the_same_however_many_performances_are_on_sale(console, request):
    page = request.getfixturevalue(console)
    on_sale(3)
    page()  # the first request reads what later ones find cached (the counter's seats left)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(page())) == 3
    on_sale(40)
    page()
    with CaptureQueriesContext(connection) as many:
        assert len(listed(page())) == PERFORMANCES_PER_PAGE
    assert len(many) == len(few)
    # What a page reads is one page: the performances' statement has its limit.
    assert any(f"LIMIT {PERFORMANCES_PER_PAGE + 1}" in q["sql"] for q in many.captured_queries)


@pytest.mark.parametrize("console", ["counter", "phone"])
def test_found_by_show_and_venue_words_in_any_case(console, request):
    page = request.getfixturevalue(console)
    on_sale(12, title="Les Misérables")
    hamlet = on_sale(2, title="Hamlet", venue=VenueFactory(name="Théâtre du Trident"))
    stars = on_sale(1, title="Les Étoiles — tournée d'été", first_in_days=40)
    around_the_clock = on_sale(1, title="24/7 Comedy", first_in_days=41)
    assert listed(page("?find=hamlet")) == [p.pk for p in hamlet]
    assert listed(page("?find=TRIDENT+ham")) == [p.pk for p in hamlet]
    assert listed(page("?find=theatre+trident")) == [p.pk for p in hamlet]  # typed without its accents
    for typed in ("étoiles", "ÉTOILES", "etoiles", "Tournée+Été"):
        assert listed(page(f"?find={typed}")) == [p.pk for p in stars], typed
    # A title, though written as a day (24 July: what falls on it is found too).
    assert around_the_clock[0].pk in listed(page("?find=24/7"))
    nothing = page("?find=hamlet+misérables")
    assert listed(nothing) == []
    assert "matches “hamlet misérables”" in nothing.content.decode()
    # Searching keeps the words through the pages.
    assert "find=Mis%C3%A9rables&amp;page=2" in page("?find=Misérables").content.decode()


@pytest.mark.parametrize("console", ["counter", "phone"])
def test_found_by_march_written_first_and_short(console, request):
    """"Mar 5" is 5 March, as "Jan 5" is 5 January, though "mar." is also how French
    shortens mardi: with no day after it as a weekday, it is the month."""
    page = request.getfixturevalue(console)
    today = timezone.localdate()
    march = date(today.year if today < date(today.year, 3, 5) else today.year + 1, 3, 5)
    fifth = on_sale(1, first_in_days=(march - today).days)[0]
    fifth.starts_at = datetime(march.year, 3, 5, 20, 0, tzinfo=ZoneInfo(fifth.venue.time_zone))
    fifth.save()
    on_sale(2, first_in_days=(march - today).days + 1)
    for typed in ("Mar 5", "mar. 5", f"Mar 5 {march.year}", "mar. 5 mars", "5 Mar"):
        assert listed(page("?" + urlencode({"find": typed}))) == [fifth.pk], typed


@pytest.mark.parametrize("console", ["counter", "phone"])
def test_found_by_its_day_at_the_venue(console, request):
    page = request.getfixturevalue(console)
    toronto = VenueFactory(time_zone="America/Toronto")
    day = timezone.localdate() + timedelta(days=20)
    # 23:30 in Toronto is the next day in UTC: the venue's day is the one the clerk means.
    late = on_sale(1, venue=toronto, first_in_days=20)[0]
    late.starts_at = datetime(day.year, day.month, day.day, 23, 30, tzinfo=ZoneInfo("America/Toronto"))
    late.save()
    on_sale(3, first_in_days=30)
    assert listed(page(f"?find={day:%Y-%m-%d}")) == [late.pk]
    assert listed(page(f"?find={day.day}/{day.month}")) == [late.pk]
    assert listed(page(f"?find={day.day}/{day.month}/{day.year}")) == [late.pk]
    assert listed(page(f"?find={day + timedelta(days=1):%Y-%m-%d}")) == []
    # As the list writes the day, in English or in French, the weekday or the year with it.
    english = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december"][day.month - 1]
    french = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"][day.month - 1]
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day.weekday()]
    for typed in (f"{day.day} {english[:3].title()}", f"{english.title()} {day.day}",
                  f"{weekday} {day.day} {english[:3]}", f"{day.day} {french}", f"{day.day} {french[:4]}.",
                  f"{day.day} {english} {day.year}", f"{toronto.name} {day.day} {english[:3]}"):
        assert listed(page("?" + urlencode({"find": typed}))) == [late.pk], typed
    assert listed(page("?" + urlencode({"find": f"{day.day} {english[:3]} {day.year + 1}"}))) == []


@pytest.mark.parametrize("console", ["counter", "phone"])
@pytest.mark.parametrize("query", ["?find=31/02", "?find=2026-13-45", "?page=abc", "?page=-4", "?page=99999999999999",
                                   "?find=" + "x" * 5000, "?find=%27%22<script>", "?find=+++&page=", "?page=1.5"])
def test_odd_searches_read_as_nothing_found_or_the_first_page(console, query, request):
    page = request.getfixturevalue(console)
    on_sale(2)
    answer = page(query)
    assert answer.status_code == 200
    assert "<script>" not in answer.content.decode()


def test_an_exchange_offers_the_events_performances_a_page_at_a_time_its_own_first(clerk):
    perf = make_performance(rows=2, per_row=4)
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=1)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    others = []
    for n in range(30):  # fifteen dates before the order's, fifteen after
        offset = timedelta(hours=12 * (n - 15)) if n < 15 else timedelta(days=n - 14)
        other = PerformanceFactory(event=perf.event, venue=perf.venue, channels=[Channel.COUNTER],
                                   starts_at=perf.starts_at + offset)
        one_place(other, PriceZoneFactory(performance=other, name="Floor"))
        others.append(other)
    own = f'<option value="{perf.price_zones.get().pk}" selected>'
    client = signed_in(clerk)
    # On every page the order's own performance is offered and chosen (X holds seats on
    # its night): first, on the pages of dates before or after it; in its place on its own.
    for query, offered in (("", PERFORMANCES_PER_PAGE + 1), ("?page=2", PERFORMANCES_PER_PAGE),
                           ("?page=3", PERFORMANCES_PER_PAGE + 1)):
        page = client.get(f"/counter/orders/{order.code}/{query}").content.decode()
        assert page.count("<optgroup") == offered and page.count(" selected>") == 1 and own in page, query
        if offered > PERFORMANCES_PER_PAGE:
            assert page.index(own) < page.index("<optgroup", page.index("<optgroup") + 1)
    day = others[20].local().date()
    found = client.get(f"/counter/orders/{order.code}/?find={day:%Y-%m-%d}").content.decode()
    assert found.count("<optgroup") == 1 and f"/counter/performances/{others[20].pk}/map/" in found
    assert " selected>" not in found  # the date found, not the order's, is the one offered
    nothing = client.get(f"/counter/orders/{order.code}/?find=nowhere").content.decode()
    assert "<optgroup" not in nothing and "matches “nowhere”" in nothing and 'name="find"' in nothing


def test_the_door_lists_what_is_to_come_a_page_at_a_time_and_finds_by_venue(db):
    door = signed_in(make_user("door-f", DOOR_STAFF))
    tonight = on_sale(15, first_in_days=1)
    trident = on_sale(1, title="Hamlet", venue=VenueFactory(name="Théâtre du Trident"), first_in_days=30)
    home = door.get("/door/").content.decode()
    assert [f"/door/performances/{p.pk}/" in home for p in tonight[:11]] == [True] * PERFORMANCES_PER_PAGE + [False]
    assert "/static/door.css" in home  # the cards' own styles
    found = door.get("/door/?find=trident").content.decode()
    assert f"/door/performances/{trident[0].pk}/" in found and found.count('class="card door-pick"') == 1
    assert "matches “nowhere”" in door.get("/door/?find=nowhere").content.decode()
