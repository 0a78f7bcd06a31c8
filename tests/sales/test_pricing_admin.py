"""The organizer sets pricing up in the admin with no developer: price types with their
prices per zone, who sells with the taxes and booking fees, promo codes, presales with
their codes generated and exported. Bad set-ups are refused, or flagged, in words."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from events.models import Channel, OnSaleWindow, Performance, Price, PriceType, PriceZone
from sales.errors import InvalidRequest
from sales.holds import hold_create
from sales.models import ALPHABET, FeeRule, Organizer, Presale, PresaleCode, PromoCode, TaxRate
from sales.orders import CustomerDetails, PriceRequest, hold_quote, order_place
from sales.payments import APPROVE, PaymentRequest
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import make_performance, places_of, price_types

pytestmark = pytest.mark.django_db

BUYER = CustomerDetails(name="Léa Roy", email="lea@example.org")
CARD = PaymentRequest(method="test_card", card_number=APPROVE)


class FormValues(HTMLParser):
    """What a browser would send for the admin form on a page, as the page fills it in."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.select: tuple[str, bool, list[str]] | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio"):
                self.values.setdefault(name, [])
                if "checked" in a:
                    self.values[name].append(a.get("value") or "on")
            else:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self.select = (name, "multiple" in a, [])
            self.values.setdefault(name, [])
        elif tag == "option" and self.select is not None:
            self.select[2].append(a.get("value") or "")
            if "selected" in a:
                self.values[self.select[0]].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None:
            name, multiple, options = self.select
            if not multiple and not self.values[name] and options:
                self.values[name] = [options[0]]  # a browser sends the first option
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea][0] += data


def form_of(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    parser = FormValues()
    parser.feed(response.content.decode())
    return {k: v for k, v in parser.values.items() if "__prefix__" not in k and k != "_saveasnew"}


def add_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    """Fill the inline `prefix`'s blank rows, then add rows, with `rows`' values."""
    first = int(data[f"{prefix}-INITIAL_FORMS"][0])
    for i, row in enumerate(rows, start=first):
        for field, value in row.items():
            data[f"{prefix}-{i}-{field}"] = [str(value)]
    data[f"{prefix}-TOTAL_FORMS"] = [str(max(int(data[f"{prefix}-TOTAL_FORMS"][0]), first + len(rows)))]
    return data


def when(at) -> dict:
    """A split date-and-time field's two inputs."""
    local = timezone.localtime(at)
    return [local.strftime("%Y-%m-%d")], [local.strftime("%H:%M:%S")]


def page_of(response) -> str:
    return unescape(response.content.decode())


def saved(response) -> bool:
    """A change form that saved redirects; one that refused shows itself again."""
    return response.status_code == 302


# --- price types and their prices ------------------------------------------------------------

def test_an_organizer_sets_up_price_types_and_their_prices_in_each_zone(client, organizer):
    perf = make_performance(rows=2, per_row=5, standing=20)
    stalls, lawn = perf.price_zones.get(name="Stalls"), perf.price_zones.get(name="Lawn")
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = add_rows(form_of(client.get(url)), "price_types", [
        {"name": "Adult", "rank": 0},
        {"name": "Child", "rank": 1, "order_limit": 2, "note": "Under 12"},
        {"name": "Press", "rank": 9, "complimentary": "on"}])
    response = client.post(url, data, follow=True)
    page = page_of(response)
    types = {t.name: t for t in PriceType.objects.filter(performance=perf)}
    assert set(types) == {"Adult", "Child", "Press"}, page
    assert types["Child"].order_limit == 2 and types["Press"].complimentary
    # Saved, each type at each zone's own price, and told so (a comp needs no price).
    assert "Adult costs each zone's own price: Stalls $50.00, Lawn $20.00." in page
    assert "has no price" not in page and "Press costs" not in page

    # Each price type's page shows a row for each zone's price, to change where it differs.
    def rows(data) -> dict[str, int]:
        return {data[f"prices-{i}-zone"][0]: i for i in range(int(data["prices-TOTAL_FORMS"][0]))}

    url = f"/admin/events/pricetype/{types['Adult'].pk}/change/"
    data = form_of(client.get(url))
    at = rows(data)
    assert set(at) == {str(stalls.pk), str(lawn.pk)}
    response = client.post(url, {**data, f"prices-{at[str(stalls.pk)]}-amount": ["60.00"],
                                 f"prices-{at[str(lawn.pk)]}-amount": ["25.00"]}, follow=True)
    assert "has no price" not in page_of(response)
    # A price taken off leaves its zone without one, and the page says the type is not sold there.
    child_url = f"/admin/events/pricetype/{types['Child'].pk}/change/"
    child = form_of(client.get(child_url))
    at = rows(child)
    response = client.post(child_url, {**child, f"prices-{at[str(stalls.pk)]}-amount": ["35.00"],
                                       f"prices-{at[str(lawn.pk)]}-DELETE": ["on"]}, follow=True)
    assert "Child has no price in Lawn: it is not sold there until it has one." in page_of(response)
    assert list(Price.objects.filter(price_type=types["Child"]).values_list("zone", "amount")) == [
        (stalls.pk, Decimal("35.00"))]
    assert set(Price.objects.values_list("price_type__name", "zone__name", "amount")) == {
        ("Adult", "Stalls", Decimal("60.00")), ("Adult", "Lawn", Decimal("25.00")),
        ("Child", "Stalls", Decimal("35.00"))}

    # The list and the performance's page both name the zone a type is missing.
    listing = page_of(client.get(f"/admin/events/pricetype/?performance__event__id__exact={perf.event_id}"))
    assert "Zones without a price" in listing and "Lawn</strong> (not sold there)" in listing
    assert "No price in Lawn" in page_of(client.get(f"/admin/events/performance/{perf.pk}/change/"))

    # And the shop sells them at those prices.
    seats = [p.pk for p in places_of(perf, seat__isnull=False)[:2]]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats)
    order = order_place(hold=hold, customer=BUYER, payment=CARD,
                        prices=PriceRequest(types={seats[0]: types["Adult"].pk, seats[1]: types["Child"].pk}))
    assert order.total == Decimal("95.00")


def test_a_price_typed_with_a_decimal_comma_is_read_as_such_or_refused_never_made_a_hundred_times_dearer(
        client, organizer):
    """A French organizer types 25,20. A number field of a browser set to English drops
    the comma and sends 2520: the price fields are text, read in the page's language (25,20
    in French, 25.20 in either), and a comma English does not read is refused, not dropped."""
    perf = make_performance(rows=1, per_row=4)
    stalls = perf.price_zones.get()
    child = PriceType.objects.create(performance=perf, name="Enfant")
    client.force_login(organizer)
    url = f"/admin/events/pricetype/{child.pk}/change/"
    page = page_of(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert 'name="prices-0-amount"' in page and 'type="number"' not in page.split('name="prices-0-amount"')[0][-200:]
    english = client.post(url, add_rows(form_of(client.get(url, HTTP_ACCEPT_LANGUAGE="en")), "prices",
                                        [{"zone": stalls.pk, "amount": "25,20"}]), HTTP_ACCEPT_LANGUAGE="en")
    assert not saved(english) and not Price.objects.exists()
    french = client.post(url, add_rows(form_of(client.get(url, HTTP_ACCEPT_LANGUAGE="fr")), "prices",
                                       [{"zone": stalls.pk, "amount": "25,20"}]), HTTP_ACCEPT_LANGUAGE="fr")
    assert saved(french), page_of(french)
    assert Price.objects.get().amount == Decimal("25.20")


def test_a_performances_price_types_list_their_prices_as_amounts_of_the_admins_language(client, organizer):
    """The performance's page lists each price type's price in each zone: in French with a
    decimal comma, as every other amount of the admin, with its currency,
    not 1234.50 as the database holds it."""
    perf = make_performance(rows=1, per_row=4)
    price_types(perf, {"Adulte": {"Stalls": "1234.50"}, "Étudiant": {"Stalls": "30"}})
    client.force_login(organizer)
    page = page_of(client.get(f"/admin/events/performance/{perf.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr"))
    listed = re.findall(r'<p>([^<]*?)\s*<a href="/admin/events/pricetype/\d+/change/">Fixer les prix', page)
    assert listed == ["Stalls 1\u202f234,50\u00a0$", "Stalls 30,00\u00a0$"], listed


def test_bad_prices_are_refused_in_words_an_organizer_reads(client, organizer):
    perf, other = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    stalls, elsewhere = perf.price_zones.get(), other.price_zones.get()
    adult = PriceType.objects.create(performance=perf, name="Adult")
    client.force_login(organizer)
    url = f"/admin/events/pricetype/{adult.pk}/change/"

    response = client.post(url, add_rows(form_of(client.get(url)), "prices", [{"zone": elsewhere.pk, "amount": "10"}]))
    assert not saved(response)
    assert "Choose one of this performance's price zones (Stalls)." in page_of(response)

    response = client.post(url, add_rows(form_of(client.get(url)), "prices", [{"zone": stalls.pk, "amount": "-5"}]))
    assert not saved(response)
    assert "A price cannot be negative; enter 0.00 for a free ticket." in page_of(response)

    response = client.post(url, add_rows(form_of(client.get(url)), "prices", [{"zone": stalls.pk, "amount": "10"},
                                                                                {"zone": stalls.pk, "amount": "12"}]))
    assert not saved(response) and "Stalls has two prices here; keep one." in page_of(response)

    # Added from the list, with no performance chosen beforehand: every zone is offered,
    # named with its performance, and one of another performance is refused by name.
    add = "/admin/events/pricetype/add/"
    data = form_of(client.get(add))
    data.update(performance=[str(perf.pk)], name=["Child"], rank=["1"])
    response = client.post(add, add_rows(data, "prices", [{"zone": elsewhere.pk, "amount": "10"}]))
    assert not saved(response)
    assert f"Stalls is a price zone of another performance ({other}); choose one of {perf}'s zones." \
        in page_of(response)

    # Two price types of one name on the performance's page.
    url = f"/admin/events/performance/{perf.pk}/change/"
    response = client.post(url, add_rows(form_of(client.get(url)), "price_types", [{"name": "adult", "rank": 2}]))
    assert not saved(response)
    assert "There are two price types called adult; give each its own name." in page_of(response)

    assert not Price.objects.exists() and PriceType.objects.count() == 1


# --- the organizer: taxes and fees -----------------------------------------------------------

def test_the_organizer_page_says_how_taxes_are_rounded_as_receipts_round_them(client, organizer):
    """Where the organizer types the taxes, the page says how each is rounded, and it is
    how a receipt rounds it: once on the order. Three tickets (38.25, 25.50, 38.25) with
    fees of 1.50 and 2.00 an order pay 10.82 of QST; rounded on every line they would pay
    10.83, which the page used to say."""
    from sales.receipts import Fee, Item, Tax, price_order

    qst = Tax(name="QST", rate=Decimal("0.09975"))
    receipt = price_order([Item(Decimal("38.25")), Item(Decimal("25.50")), Item(Decimal("38.25"))],
                          fee=Fee(per_ticket=Decimal("1.50"), per_order=Decimal("2.00")), taxes=[qst])
    assert receipt.taxes() == {"QST": Decimal("10.82")}
    client.force_login(organizer)
    page = page_of(client.get(f"/admin/sales/organizer/{Organizer.load().pk}/change/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Taxes de vente (chacune arrondie au cent une fois par commande" in page
    assert "sur chaque ligne" not in page


def test_an_organizer_sets_name_taxes_and_booking_fees_on_the_one_organizer_page(client, organizer):
    client.force_login(organizer)
    response = client.get("/admin/sales/organizer/")
    url = response["Location"]
    assert response.status_code == 302 and url == f"/admin/sales/organizer/{Organizer.load().pk}/change/"
    assert client.get("/admin/sales/organizer/add/").status_code == 403
    data = form_of(client.get(url))
    data.update(name=["Théâtre de la Ville"], address=["1 rue Saint-Denis, Montréal"], prices_include_tax=["on"])
    add_rows(data, "tax_rates", [
        {"name": "GST", "percent": "5", "registration": "123456789 RT0001", "on_fees": "on", "rank": 1, "active": "on"},
        {"name": "QST", "percent": "9.975", "registration": "1234567890 TQ0001", "on_fees": "on", "rank": 2,
         "active": "on"}])
    add_rows(data, "fee_rules", [{"channel": "online", "per_ticket": "1.15", "per_order": "0"}])
    assert saved(client.post(url, data))
    organizer_row = Organizer.load()
    assert (organizer_row.name, organizer_row.prices_include_tax) == ("Théâtre de la Ville", True)
    assert list(TaxRate.objects.values_list("name", "percent")) == [("GST", Decimal("5")), ("QST", Decimal("9.975"))]

    # A sale is priced with them: taxes included, so the buyer pays the prices as entered.
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    order = order_place(hold=hold, customer=BUYER, payment=CARD)
    assert order.total == Decimal("51.15")
    assert [(n, r) for n, _p, r, _a in order.receipt["taxes"]] == [("GST", "123456789 RT0001"),
                                                                  ("QST", "1234567890 TQ0001")]

    # A rate that is no percentage, and two fees for one channel, are refused in words.
    data = form_of(client.get(url))
    add_rows(data, "tax_rates", [{"name": "Bad", "percent": "150", "rank": 3, "active": "on"}])
    add_rows(data, "fee_rules", [{"channel": "online", "per_ticket": "2.00", "per_order": "0"}])
    response = client.post(url, data)
    page = page_of(response)
    assert not saved(response)
    assert "A tax rate is a percentage between 0 and 100, e.g. 9.975." in page
    assert "Online shop has a booking fee already; change that one." in page
    assert "onstraint" not in page
    assert TaxRate.objects.count() == 2 and FeeRule.objects.count() == 1


def test_rows_without_their_channel_or_their_code_are_refused_in_words_not_a_crash(client, organizer):
    """Two booking fees whose channel is not one, two presale codes left blank: each row
    says what is wrong with it; the rows are not compared as "twice" by the value they
    lack (which failed, a 500)."""
    client.force_login(organizer)
    url = f"/admin/sales/organizer/{Organizer.load().pk}/change/"
    data = add_rows(form_of(client.get(url)), "fee_rules", [
        {"channel": "١٢", "per_ticket": "1.00", "per_order": "0"},
        {"channel": "nowhere", "per_ticket": "2.00", "per_order": "0"}])
    response = client.post(url, data)
    assert response.status_code == 200 and not saved(response)
    assert "Select a valid choice." in page_of(response) and not FeeRule.objects.exists()
    perf = make_performance(rows=1, per_row=4)
    add = "/admin/sales/presale/add/"
    opens, closes = when(timezone.now()), when(timezone.now() + timedelta(days=1))
    data = form_of(client.get(add))
    data.update(performance=[str(perf.pk)], name=["Fan club"], opens_at_0=opens[0], opens_at_1=opens[1],
                closes_at_0=closes[0], closes_at_1=closes[1])
    add_rows(data, "codes", [{"code": "", "max_uses": "5"}, {"code": "", "max_uses": "3"}])
    response = client.post(add, data)
    assert response.status_code == 200 and not saved(response)
    assert "This field is required." in page_of(response) and not Presale.objects.exists()


# --- promo codes -------------------------------------------------------------------------------

def test_an_organizer_makes_a_promo_code_and_a_bad_one_is_explained(client, organizer):
    perf, other = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    client.force_login(organizer)
    add = "/admin/sales/promocode/add/"
    # The form says whose clock its times are on: that of the venues it is for (a new code
    # may be for any, and these are all on one clock).
    assert page_of(client.get(add)).count("On the clock of the venues it is for (America/Toronto).") == 2

    def attempt(**values):
        data = form_of(client.get(add))
        data.update({k: v if isinstance(v, list) else [str(v)] for k, v in values.items()})
        return client.post(add, data)

    assert saved(attempt(code="FAMILLE10", percent_off="10", channels=["online"], performances=[str(perf.pk)],
                         max_uses="100"))
    promo = PromoCode.objects.get()
    assert (promo.channels, list(promo.performances.all()), promo.uses) == ("online", [perf], 0)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    assert order_place(hold=hold, customer=BUYER, payment=CARD,
                       prices=PriceRequest(promo_code="famille10")).total == Decimal("45.00")
    assert "1 of 100" in page_of(client.get("/admin/sales/promocode/"))

    now = timezone.now()
    start, end = when(now + timedelta(days=2)), when(now + timedelta(days=1))
    refusals = {
        "Give a percentage off or an amount off, not both.": attempt(code="BOTH", percent_off="10", amount_off="5"),
        "Give a percentage off or an amount off.": attempt(code="NEITHER"),
        "A percentage off is more than 0 and at most 100.": attempt(code="TOOMUCH", percent_off="150"),
        "An amount off is more than 0.": attempt(code="NOTHING", amount_off="0"),
        "The code must stop being valid after it starts.": attempt(
            code="BACKWARDS", amount_off="5", valid_from_0=start[0], valid_from_1=start[1], valid_until_0=end[0],
            valid_until_1=end[1]),
        "There is already a promo code FAMILLE10 (accents and case do not matter).": attempt(
            code="famille10", amount_off="5"),
        f"Not a performance this code is valid for: {other} — Stalls.": attempt(
            code="ELSEWHERE", amount_off="5", performances=[str(perf.pk)],
            zones=[str(other.price_zones.get().pk)]),
        # A limit of no use at all: a code that never takes anything off.
        "At most 0 uses: the code would never take anything off. Leave it empty for no limit.": attempt(
            code="NEVER", percent_off="10", max_uses="0"),
    }
    never_per_customer = page_of(attempt(code="NEVERMINE", percent_off="10", max_uses_per_customer="0"))
    assert "At most 0 uses: the code would never take anything off. Leave it empty for no limit." in never_per_customer
    for message, response in refusals.items():
        page = page_of(response)
        assert not saved(response) and message in page, message
        assert "onstraint" not in page, message
    # Both given, one of them also out of range: each said on its field.
    for both in (attempt(code="BOTHWRONG", percent_off="150", amount_off="5"),
                 attempt(code="BOTHZERO", percent_off="0", amount_off="5")):
        page = page_of(both)
        assert "A percentage off is more than 0 and at most 100." in page and "onstraint" not in page
    assert PromoCode.objects.count() == 1


def test_the_promo_code_list_says_which_performances_each_code_is_for_and_filters_by_one(
        client, organizer, django_assert_max_num_queries):
    """An organizer with many codes sees at a glance which is for which show, without a
    query per code, and finds a performance's codes: those for it and those for every one."""
    client.force_login(organizer)
    tonight, *others = [PerformanceFactory() for _ in range(4)]
    PromoCode.objects.create(code="EVERYONE", percent_off=10)
    PromoCode.objects.create(code="TONIGHT", percent_off=10).performances.set([tonight])
    many = PromoCode.objects.create(code="TOUR", amount_off=5)
    many.performances.set(others)
    many.zones.set([PriceZoneFactory(performance=others[0])])
    elsewhere = PromoCode.objects.create(code="ELSEWHERE", percent_off=5)
    elsewhere.performances.set([others[0]])
    # No performance named, but zones of one: valid there only, and said so.
    zoned = PromoCode.objects.create(code="ZONED", percent_off=5)
    zoned.zones.set([PriceZoneFactory(performance=others[1])])

    with django_assert_max_num_queries(12) as few:
        page = page_of(client.get("/admin/sales/promocode/"))
    for i in range(10):  # ten more codes, each for a performance: no more queries
        PromoCode.objects.create(code=f"MORE{i}", percent_off=1).performances.set([others[i % 3]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/admin/sales/promocode/").status_code == 200
    rows = dict(re.findall(r'>(EVERYONE|TONIGHT|TOUR|ELSEWHERE|ZONED)</a>(.*?)</tr>', page, re.S))
    assert "All performances" not in rows["ZONED"] and str(others[1]) in rows["ZONED"]
    assert "All performances" in rows["EVERYONE"]
    assert str(tonight) in rows["TONIGHT"]
    # Many: the first ones, then how many more; and that it is limited to some zones.
    assert str(others[0]) in rows["TOUR"] and "and 1 more" in rows["TOUR"] and "1 zone only" in rows["TOUR"]

    found = page_of(client.get(f"/admin/sales/promocode/?performance={tonight.pk}"))
    assert ">TONIGHT<" in found and ">EVERYONE<" in found
    assert ">TOUR<" not in found and ">ELSEWHERE<" not in found and ">ZONED<" not in found
    assert ">ZONED<" in page_of(client.get(f"/admin/sales/promocode/?performance={others[1].pk}"))
    fr = page_of(client.get("/admin/sales/promocode/", headers={"accept-language": "fr"}))
    assert "Toutes les représentations" in fr and "1 zone seulement" in fr


# --- presales ----------------------------------------------------------------------------------

def test_an_organizer_opens_a_presale_generates_twenty_codes_and_downloads_them(client, organizer):
    perf = make_performance(rows=2, per_row=10)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    client.force_login(organizer)
    add = "/admin/sales/presale/add/"
    opens, closes = when(now - timedelta(hours=1)), when(now + timedelta(days=1))
    data = form_of(client.get(add))
    data.update(performance=[str(perf.pk)], name=["Fan club"], opens_at_0=opens[0], opens_at_1=opens[1],
                closes_at_0=closes[0], closes_at_1=closes[1])
    assert saved(client.post(add, data))
    presale = Presale.objects.get()

    asked = page_of(client.post("/admin/sales/presale/", {"action": "generate_codes",
                                                          "_selected_action": [presale.pk]}))
    assert "How many codes" in asked
    done = client.post("/admin/sales/presale/", {"action": "generate_codes", "_selected_action": [presale.pk],
                                                 "apply": "1", "count": "20"}, follow=True)
    assert f"{presale}: 20 single-use codes generated." in page_of(done)
    codes = list(PresaleCode.objects.filter(presale=presale))
    assert len(codes) == 20 and len({c.code.upper() for c in codes}) == 20
    assert all(len(c.code) == 10 and set(c.code) <= set(ALPHABET) and c.max_uses == 1 for c in codes)
    assert not set("01IO") & set("".join(c.code for c in codes))  # nothing to misread

    # A code opens the presale once.
    hold = hold_create(performance=perf, channel=Channel.ONLINE, zone=perf.price_zones.get(), quantity=2,
                       access_code=codes[0].code.lower())
    order_place(hold=hold, customer=BUYER, payment=CARD)

    response = client.post("/admin/sales/presale/", {"action": "export_codes", "_selected_action": [presale.pk]})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="codes-fan-club.csv"' in response["Content-Disposition"]
    # UTF-8 with its mark, so that a spreadsheet opens a code typed with accents as typed.
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["code", "uses", "max uses"] and len(rows) == 21
    assert {row[0]: row[1:] for row in rows[1:]} == {
        c.code: ["1" if c.pk == codes[0].pk else "0", "1"] for c in codes}
    # Asked in French, cells are separated as a French spreadsheet reads them: ";".
    PresaleCode.objects.create(presale=presale, code="FÊTE, 2027", max_uses=None)
    french = client.post("/admin/sales/presale/", {"action": "export_codes", "_selected_action": [presale.pk]},
                         HTTP_ACCEPT_LANGUAGE="fr").content
    assert french.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(french.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["code", "utilisations", "utilisations au plus"] and len(rows) == 22
    assert ["FÊTE, 2027", "0", ""] in rows


HOSTILE = ['=HYPERLINK("https://evil.example","Go")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("language, separator, header", [
    ("en", ",", ["code", "uses", "max uses"]),
    ("fr", ";", ["code", "utilisations", "utilisations au plus"]),
])
def test_presale_codes_typed_as_formulas_download_as_text_under_a_header_in_the_language(
        client, organizer, language, separator, header):
    """An organizer types codes that a spreadsheet would run as formulas: the download
    (the admin's action, as the organizer asks for it) names its columns in their language
    and gives each such code as text (a leading '), as every other export does; the codes
    themselves are kept as typed."""
    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now,
                                     closes_at=now + timedelta(days=1))
    client.force_login(organizer)
    url = f"/admin/sales/presale/{presale.pk}/change/"
    data = add_rows(form_of(client.get(url)), "codes", [{"code": code, "max_uses": "2"} for code in HOSTILE]
                    + [{"code": "PLAIN-2027", "max_uses": ""}])
    answer = client.post(url, data)
    assert saved(answer), re.findall(r'class="errorlist[^>]*>(.*?)</ul>', page_of(answer), re.S)
    assert sorted(PresaleCode.objects.values_list("code", flat=True)) == sorted([*HOSTILE, "PLAIN-2027"])

    download = client.post("/admin/sales/presale/", {"action": "export_codes", "_selected_action": [presale.pk]},
                           HTTP_ACCEPT_LANGUAGE=language)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=separator))
    assert rows[0] == header
    assert sorted(rows[1:]) == sorted([["'" + code, "0", "2"] for code in HOSTILE] + [["PLAIN-2027", "0", ""]])


def test_a_bad_presale_is_explained(client, organizer):
    perf, other = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    now = timezone.now()
    presale = Presale.objects.create(performance=perf, name="Fans", opens_at=now, closes_at=now + timedelta(days=1))
    PresaleCode.objects.create(presale=presale, code="FANS-2027", max_uses=None)
    client.force_login(organizer)
    url = f"/admin/sales/presale/{presale.pk}/change/"
    opens, closes = when(now + timedelta(days=2)), when(now + timedelta(days=1))
    data = form_of(client.get(url))
    data.update(opens_at_0=opens[0], opens_at_1=opens[1], closes_at_0=closes[0], closes_at_1=closes[1])
    response = client.post(url, data)
    assert not saved(response) and "A presale closes after it opens." in page_of(response)

    data = add_rows(form_of(client.get(url)), "codes", [{"code": "fans-2027", "max_uses": "1"}])
    response = client.post(url, data)
    assert not saved(response)
    assert "The code fans-2027 is already used (accents and case do not matter)." in page_of(response)

    # Its zones are the performance's own: another performance's is not offered.
    page = page_of(client.get(url))
    assert f"· Stalls — {perf.event}<" in page and f"· Stalls — {other.event}<" not in page
    assert "onstraint" not in page_of(response) and PresaleCode.objects.count() == 1


def test_an_organizer_working_in_french_reads_each_refusal_of_the_set_up_in_french(client, organizer):
    """Prices, taxes, booking fees and presale codes typed wrong are refused in the
    language the admin is in, and generating presale codes is asked and told in it too."""
    perf, other = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    stalls, elsewhere = perf.price_zones.get(), other.price_zones.get()
    adult = PriceType.objects.create(performance=perf, name="Adult")
    FeeRule.objects.create(channel=Channel.ONLINE, per_ticket=Decimal("1.00"))
    now = timezone.now()
    presale = Presale.objects.create(performance=perf, name="Fans", opens_at=now, closes_at=now + timedelta(days=1))
    PresaleCode.objects.create(presale=presale, code="FANS-2027", max_uses=None)
    client.force_login(organizer)
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}

    def refused(url, prefix, rows, *, data=None):
        data = data or form_of(client.get(url, **fr))
        response = client.post(url, add_rows(data, prefix, rows), **fr)
        assert not saved(response)
        return page_of(response)

    url = f"/admin/events/pricetype/{adult.pk}/change/"
    assert "Un prix ne peut être négatif\u00a0; entrez 0,00 pour un billet gratuit." in refused(
        url, "prices", [{"zone": stalls.pk, "amount": "-5"}])
    assert "Stalls a deux prix ici\u00a0; gardez-en un." in refused(
        url, "prices", [{"zone": stalls.pk, "amount": "10"}, {"zone": stalls.pk, "amount": "12"}])
    add = "/admin/events/pricetype/add/"
    data = form_of(client.get(add, **fr))
    data.update(performance=[str(perf.pk)], name=["Enfant"], rank=["1"])
    with translation.override("fr"):  # as the page names them, whatever the test's own language
        names = {"other": str(other), "perf": str(perf)}
    assert (f"Stalls est une zone de prix d’une autre représentation ({names['other']})\u00a0; choisissez une des "
            f"zones de cette représentation-ci ({names['perf']}).") in refused(
        add, "prices", [{"zone": elsewhere.pk, "amount": "10"}], data=data)

    url = f"/admin/sales/organizer/{Organizer.load().pk}/change/"
    page = refused(url, "tax_rates", [{"name": "Taxe", "percent": "150", "rank": 3, "active": "on"}])
    assert "Un taux de taxe est un pourcentage entre 0 et 100, par exemple 9,975." in page
    assert "Boutique en ligne a déjà des frais de service\u00a0; modifiez ceux-là." in refused(
        url, "fee_rules", [{"channel": "online", "per_ticket": "2,00", "per_order": "0"}])
    assert "Guichet a deux lignes de frais de service\u00a0; gardez-en une" in refused(
        url, "fee_rules", [{"channel": "counter", "per_ticket": "1", "per_order": "0"},
                           {"channel": "counter", "per_ticket": "2", "per_order": "0"}])

    url = f"/admin/sales/presale/{presale.pk}/change/"
    assert "Le code fans-2027 est déjà utilisé (accents, majuscules et minuscules ne comptent pas)." in refused(
        url, "codes", [{"code": "fans-2027", "max_uses": "1"}])
    assert "Le code nouveau figure deux fois dans cette liste." in refused(
        url, "codes", [{"code": "NOUVEAU", "max_uses": "1"}, {"code": "nouveau", "max_uses": "1"}])
    asked = page_of(client.post("/admin/sales/presale/", {"action": "generate_codes",
                                                          "_selected_action": [presale.pk]}, **fr))
    assert "Générer des codes de prévente à usage unique" in asked and "Nouveaux codes à usage unique" in asked
    done = client.post("/admin/sales/presale/", {"action": "generate_codes", "_selected_action": [presale.pk],
                                                 "apply": "1", "count": "3"}, follow=True, **fr)
    assert f"{presale}\u00a0: 3 codes à usage unique générés. Exportez-les en CSV pour les envoyer." in page_of(done)
    assert Price.objects.count() == 0 and TaxRate.objects.count() == 0 and FeeRule.objects.count() == 1
    assert PresaleCode.objects.count() == 4


def test_half_set_up_sales_stay_out_of_the_shop_and_a_zone_elsewhere_is_refused(client, organizer):
    perf = make_performance(rows=1, per_row=2)
    unstocked = PerformanceFactory(event=perf.event, venue=perf.venue, starts_at=perf.starts_at + timedelta(days=2),
                                   channels=[Channel.ONLINE])  # a window, but never put on sale
    listing = client.get("/").content.decode()
    assert f"/performances/{perf.pk}/" in listing and f"/performances/{unstocked.pk}/" not in listing

    foreign = make_performance(rows=1, per_row=2).venue.sections.get()
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    first = int(data["price_zones-INITIAL_FORMS"][0])
    add_rows(data, "price_zones", [{"name": "Balcony", "price": "30.00", "currency": "CAD", "color": "#123456"}])
    data[f"price_zones-{first}-sections"] = [str(foreign.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    # The picker offers the performance's own hall only: another's section is not a choice.
    assert f"Select a valid choice. {foreign.pk} is not one of the available choices." in page_of(response)
    assert not PriceZone.objects.filter(name="Balcony").exists()


def test_a_presale_that_could_never_open_anything_is_refused_in_words(client, organizer):
    """A presale's codes are asked for in the online shop, only before its on-sale: one
    opening once the online sale is open, or for a performance not sold online, would
    never sell a ticket. Each is refused on its field, saying when the online sale opens
    on the venue's clock; one opening before it is saved."""
    from events.models import when as on_clock

    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    window = OnSaleWindow.objects.get(performance=perf, channel=Channel.ONLINE)
    client.force_login(organizer)
    add = "/admin/sales/presale/add/"

    def attempt(opens, closes):
        data = form_of(client.get(add))
        (d0, t0), (d1, t1) = when(opens), when(closes)
        data.update(performance=[str(perf.pk)], name=["Fan club"], opens_at_0=d0, opens_at_1=t0,
                    closes_at_0=d1, closes_at_1=t1)
        return client.post(add, data)

    late = attempt(now + timedelta(days=2), now + timedelta(days=3))
    said = (f"The online sale opens {on_clock(perf.local(window.opens_at))}: a presale opens before it "
            "(its codes are asked for only until then).")
    assert not saved(late) and said in page_of(late), re.findall(r'errorlist[^>]*>(.*?)</ul>', page_of(late), re.S)
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).delete()
    offline = attempt(now - timedelta(hours=1), now + timedelta(days=1))
    assert not saved(offline)
    assert ("This performance is not sold online: presale codes are typed in the online shop. "
            "Add its online on-sale window first.") in page_of(offline)
    assert not Presale.objects.exists()
    OnSaleWindow.objects.create(performance=perf, channel=Channel.ONLINE, opens_at=window.opens_at,
                                closes_at=window.closes_at)
    assert saved(attempt(now - timedelta(hours=1), now + timedelta(days=1)))
    assert Presale.objects.count() == 1


def test_a_promo_code_ended_before_it_is_made_is_refused_in_words(client, organizer):
    """A new code whose validity ended already (its window all past, or its end alone)
    would never take anything off: refused on its end, saying so on the box office's
    clock, in the organizer's language. An existing code's end set in the past is how it
    is stopped: saved."""
    from events.admin import VENUE_TIME
    from sales.formatting import when as written

    client.force_login(organizer)
    add = "/admin/sales/promocode/add/"
    now = timezone.now().replace(second=0, microsecond=0)

    def attempt(url=add, language="en", **values):
        data = form_of(client.get(url))
        data.update({k: v if isinstance(v, list) else [str(v)] for k, v in values.items()})
        return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)

    ended = now - timedelta(days=1)
    for language, said in (("en", "{} has passed: the code would never be valid. Give an end to come, or none."),
                           ("fr", "{} est passé\u00a0: le code ne serait jamais valable. Donnez une fin à venir, "
                                  "ou aucune.")):
        with translation.override(language):
            end = written(timezone.localtime(ended), VENUE_TIME)
        (d1, t1), (d0, t0) = when(ended), when(now - timedelta(days=3))
        for window in ({}, {"valid_from_0": d0, "valid_from_1": t0}):
            refused = attempt(language=language, code="PAST", percent_off="10", valid_until_0=d1, valid_until_1=t1,
                              **window)
            assert not saved(refused) and said.format(end) in page_of(refused), re.findall(
                r'errorlist[^>]*>(.*?)</ul>', page_of(refused), re.S)
    assert not PromoCode.objects.exists()
    (d2, t2) = when(now + timedelta(days=1))
    assert saved(attempt(code="SOON", percent_off="10", valid_until_0=d2, valid_until_1=t2))
    code = PromoCode.objects.get()
    assert saved(attempt(f"/admin/sales/promocode/{code.pk}/change/", valid_until_0=d1, valid_until_1=t1))
    assert PromoCode.objects.get().valid_until == ended


def test_a_performances_online_sale_that_cannot_sell_as_it_says_is_said_on_saving(client, organizer):
    """Saving a performance whose online window closes after the show starts (the shop
    stops at the start; the counter sells on, by design), or whose online sale now opens
    before a presale does (the presale's codes are asked for only until then: it would
    sell nothing), saves and says so, in the organizer's language."""
    from events.admin import VENUE_TIME
    from sales.formatting import when as written

    perf = make_performance(rows=1, per_row=4)
    Performance.objects.filter(pk=perf.pk).update(starts_at=perf.starts_at.replace(second=0, microsecond=0))
    perf.refresh_from_db()
    now = timezone.now().replace(second=0, microsecond=0)
    online = OnSaleWindow.objects.get(performance=perf, channel=Channel.ONLINE)
    OnSaleWindow.objects.filter(pk=online.pk).update(opens_at=now + timedelta(days=2), closes_at=perf.starts_at)
    Presale.objects.create(performance=perf, name="Fan club", opens_at=now + timedelta(days=1),
                           closes_at=now + timedelta(days=2))
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    row = next(k.split("-")[1] for k, v in data.items() if k.endswith("-channel") and v == ["online"])
    quiet = page_of(client.post(url, data, follow=True))
    assert "online shop stops" not in quiet and "Fan club" not in quiet  # as it was: nothing to say

    late, early = perf.starts_at + timedelta(hours=2), now + timedelta(hours=12)
    (d0, t0), (d1, t1) = when(early), when(late)
    moved = {f"on_sale_windows-{row}-opens_at_0": d0, f"on_sale_windows-{row}-opens_at_1": t0,
             f"on_sale_windows-{row}-closes_at_0": d1, f"on_sale_windows-{row}-closes_at_1": t1}
    for language, closes_said, presale_said in (
            ("en", "The online sale closes {closes}, after the show starts ({starts}): the online shop stops selling "
                   "at the start. The counter sells on until its own window closes.",
             "The presale Fan club opens {opens}, once the online sale is open ({online}): its codes are asked for "
             "only before then, so it will sell nothing. Open it earlier, or delete it."),
            ("fr", "La vente en ligne ferme le {closes}, après le début du spectacle ({starts})\u00a0: la boutique en "
                   "ligne cesse de vendre au début. Le guichet vend jusqu’à la fin de sa propre période.",
             "La prévente Fan club ouvre le {opens}, quand la vente en ligne est déjà ouverte ({online})\u00a0: ses "
             "codes ne sont demandés qu’avant, elle ne vendra donc rien. Ouvrez-la plus tôt, ou supprimez-la.")):
        with translation.override(language):
            said = {"closes": written(perf.local(late), VENUE_TIME), "starts": written(perf.local(), VENUE_TIME),
                    "opens": written(perf.local(now + timedelta(days=1)), VENUE_TIME),
                    "online": written(perf.local(early), VENUE_TIME)}
        answer = client.post(url, {**form_of(client.get(url)), **moved}, follow=True, HTTP_ACCEPT_LANGUAGE=language)
        page = page_of(answer)
        assert answer.redirect_chain, re.findall(r'errorlist[^>]*>(.*?)</ul>', page, re.S)
        assert closes_said.format(**said) in page, re.findall(r'<li class="warning">(.*?)</li>', page, re.S)
        assert presale_said.format(**said) in page
    online.refresh_from_db()
    assert (online.opens_at, online.closes_at) == (early, late)  # saved as typed


def test_a_presale_codes_columns_say_which_is_the_limit_and_which_the_count(client, organizer):
    """A presale's codes are listed with how many times each may be used and how many
    times it was: two columns, two headings, in the organizer's language."""
    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now - timedelta(days=2),
                                     closes_at=now - timedelta(days=1))
    PresaleCode.objects.create(presale=presale, code="FANS", max_uses=2, uses=1)
    client.force_login(organizer)
    url = f"/admin/sales/presale/{presale.pk}/change/"
    for language, limit, count in (("en", "Max uses", "Uses"), ("fr", "Utilisations au plus", "Utilisations")):
        page = page_of(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
        table = page[page.index('id="codes-group"'):]
        headings = [re.sub(r"<[^>]+>|\s+", " ", h).strip()
                    for h in re.findall(r"<th[^>]*>(.*?)</th>", table[:table.index("</thead>")], re.S)]
        assert [h for h in headings if h][:3] == ["Code", limit, count], headings


def test_a_presale_saved_in_the_admin_of_a_queued_on_sale_gets_its_own_queue(client, organizer):
    from sales import waiting_room
    from sales.models import WaitingRoom

    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    room = WaitingRoom.objects.create(performance=perf, opens_at=now + timedelta(days=1))
    waiting_room.publish(room)
    client.force_login(organizer)
    add = "/admin/sales/presale/add/"
    opens, closes = when(now - timedelta(hours=1)), when(now + timedelta(days=2))
    data = form_of(client.get(add))
    data.update(performance=[str(perf.pk)], name=["Fan club"], opens_at_0=opens[0], opens_at_1=opens[1],
                closes_at_0=closes[0], closes_at_1=closes[1])
    assert saved(client.post(add, data))
    presale = Presale.objects.get()
    assert waiting_room.presale_open(perf.pk)
    assert waiting_room.presale_status(perf.pk, presale.pk, "fan").state == "admitted"  # rate 300/min, an hour open
    # It closes at the general on-sale, not at its own closing a day later.
    assert waiting_room.presale_status(perf.pk, presale.pk, "fan", now=room.opens_at.timestamp()) is None
    client.post(f"/admin/sales/presale/{presale.pk}/delete/", {"post": "yes"})
    assert not Presale.objects.exists() and not waiting_room.presale_open(perf.pk)
    assert waiting_room.presale_status(perf.pk, presale.pk, "fan") is None


def test_doors_after_the_start_and_a_window_closing_before_it_opens_are_refused_in_plain_words(client, organizer):
    from datetime import date, timedelta

    perf = make_performance(rows=1, per_row=4)
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    starts = date.fromisoformat(data["starts_at_0"][0])
    late = {**data, "doors_open_at_0": [(starts + timedelta(days=1)).isoformat()], "doors_open_at_1": ["21:00"]}
    refused = client.post(url, late)
    assert not saved(refused) and "The doors open before the performance starts, not after." in page_of(refused)
    backwards = {**data, "on_sale_windows-0-closes_at_0": [data["on_sale_windows-0-opens_at_0"][0]],
                 "on_sale_windows-0-closes_at_1": ["00:00"], "on_sale_windows-0-opens_at_1": ["12:00"]}
    refused = page_of(client.post(url, backwards))
    assert "A sale window closes after it opens." in refused and "window_closes_after_opening" not in refused
    perf.refresh_from_db()
    assert perf.doors_open_at is None


def test_zones_added_without_a_colour_each_get_one_of_their_own(client, organizer):
    """The seat map tells zones apart by colour: zones added with the colour field left as
    it came get one no other zone of the performance has; a colour chosen is kept."""
    perf = make_performance(rows=1, per_row=2)
    existing = set(perf.price_zones.values_list("color", flat=True))
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    default = PriceZone._meta.get_field("color").default
    add_rows(data, "price_zones", [{"name": "Balcony", "price": "30.00", "currency": "CAD", "color": default},
                                   {"name": "Gallery", "price": "20.00", "currency": "CAD", "color": default},
                                   {"name": "Boxes", "price": "90.00", "currency": "CAD", "color": "#123456"}])
    assert saved(client.post(url, data))
    colours = dict(perf.price_zones.values_list("name", "color"))
    assert colours["Boxes"] == "#123456"
    assert len({colours["Balcony"], colours["Gallery"], *existing}) == len(existing) + 2


def test_the_first_zones_of_a_performance_added_at_once_each_get_their_own_colour(client, organizer):
    perf = make_performance(rows=1, per_row=2, on_sale=False)
    perf.price_zones.all().delete()
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    default = PriceZone._meta.get_field("color").default
    add_rows(data, "price_zones", [{"name": name, "price": "30.00", "currency": "CAD", "color": default}
                                   for name in ("Zone A", "Zone B", "Lawn")])
    assert saved(client.post(url, data))
    assert len(set(perf.price_zones.values_list("color", flat=True))) == 3


def test_a_zone_on_sale_is_kept_and_the_organizer_is_told_why_in_a_sentence(client, organizer):
    perf = make_performance(rows=2, per_row=5)
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    at = next(k for k, v in data.items() if k.startswith("price_zones-") and k.endswith("-id"))
    data[at.replace("-id", "-DELETE")] = ["on"]
    page = page_of(client.post(url, data))
    assert "Stalls prices 10 places of this performance, which is on sale" in page
    assert "protected related objects" not in page and "place Stalls" not in page
    # The browser's title names the performance first, then the clock its times are on.
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.strip().startswith(f"Error: {perf}") and "Times on the clock of the venue" in title, title
    assert perf.price_zones.filter(name="Stalls").exists()


def test_a_performance_moved_sends_its_buyers_their_tickets_again_with_the_new_time(client, organizer):
    from datetime import date, timedelta

    from django.core import mail

    from sales import notifications
    from sales.formatting import when as written
    from sales.models import Order

    perf = make_performance(rows=1, per_row=4)
    was = perf.starts_at = perf.starts_at.replace(microsecond=0)  # as the admin's form sends it back
    perf.save()
    # Online sells until the show; the phone stopped taking calls two days before.
    perf.on_sale_windows.filter(channel=Channel.ONLINE).update(closes_at=was)
    perf.on_sale_windows.filter(channel=Channel.PHONE).update(closes_at=was - timedelta(days=2))
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert notifications.send_pending_confirmations() == 1
    assert "has moved" not in mail.outbox[-1].body
    # A buyer of another date of the show, before the move (exchanged into this one later).
    other = make_performance(rows=1, per_row=4)
    type(other).objects.filter(pk=other.pk).update(event=perf.event)  # another date of the same show
    other.refresh_from_db()
    hold = hold_create(performance=other, channel=Channel.ONLINE, place_ids=[places_of(other)[0].pk])
    earlier = order_place(hold=hold, customer=CustomerDetails(name="Zoé Roy", email="zoe@example.org"),
                          payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert notifications.send_pending_confirmations() == 1
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    later = (date.fromisoformat(data["starts_at_0"][0]) + timedelta(days=1)).isoformat()
    page = page_of(client.post(url, {**data, "starts_at_0": [later]}, follow=True))
    assert "The buyer of 1 paid order is sent their tickets again, with the new time and place." in page
    perf.refresh_from_db()
    assert perf.starts_at == was + timedelta(days=1) and perf.moved_from == was
    # The window that ran until the show moved with it; the one that closed earlier is pointed out.
    assert perf.on_sale_windows.get(channel=Channel.ONLINE).closes_at == perf.starts_at
    assert perf.on_sale_windows.get(channel=Channel.PHONE).closes_at == was - timedelta(days=2)
    assert "The sale window that ran until the show moved with it: Online shop until" in page
    kept = re.search(r"Check these sale windows, which did not move: (.*?)\.</li>", page).group(1)
    assert "Telephone until" in kept and "Online" not in kept
    order.refresh_from_db()
    assert order.confirmation_sent_at is None and order.confirmation_number == 2
    assert notifications.send_pending_confirmations() == 1
    body = mail.outbox[-1].body
    assert written(perf.local(), "l j F Y, H:i") in body
    assert f"The performance has moved: it was on {written(perf.local(was), 'l j F Y, H:i')}." in body
    assert "has moved from" in client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    # A buyer after the move bought the new time: nothing moved for them.
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[1].pk])
    since = order_place(hold=hold, customer=CustomerDetails(name="Marc Roy", email="marc@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert notifications.send_pending_confirmations() == 1 and "has moved" not in mail.outbox[-1].body
    assert "has moved" not in client.get(f"/orders/{since.code}/{since.access_token}/").content.decode()
    # Nor for a buyer of another date who exchanged into this one after the move.
    from sales.orders import order_exchange
    from sales.policy import COUNTER_CLERK
    from sales.shifts import shift_open
    from tests.support import make_user

    clerk = make_user("clerk-x", COUNTER_CLERK)
    into = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[places_of(perf)[2].pk])
    moved_in = order_exchange(order=earlier, ticket_ids=list(earlier.tickets.values_list("pk", flat=True)),
                              hold=into, actor=clerk, shift=shift_open(clerk=clerk, cash_float=Decimal("0")))
    assert moved_in.performance_id == perf.pk and Order.objects.get(pk=moved_in.pk).moved_from is None
    assert Order.objects.get(pk=order.pk).moved_from == was  # the first buyer's notice stays
    # Saved with its time unchanged: nobody is written to.
    page = page_of(client.post(url, form_of(client.get(url)), follow=True))
    assert "sent their tickets again" not in page and Order.objects.get(pk=order.pk).confirmation_sent_at is not None


def test_other_dates_of_a_show_copy_its_zones_prices_and_windows_and_sell_as_set(client, organizer):
    """A run of the same show: the organizer types the other dates, each becomes a
    performance priced and windowed as the first, sold once put on sale."""
    from datetime import datetime

    from sales.inventory.stock import put_on_sale
    from tests.support import price_types

    perf = make_performance(rows=2, per_row=4)
    perf.doors_open_at = perf.starts_at - timedelta(minutes=45)
    perf.save()
    perf.venue.time_zone = "America/Toronto"  # whose clocks go forward on 9 March 2031, back on 2 November
    perf.venue.save()
    price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "30.00"}}, Child=2)
    PriceType.objects.filter(performance=perf, name="Child").update(note="Under 12")
    online = perf.on_sale_windows.get(channel=Channel.ONLINE)
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/copy/"
    assert url in page_of(client.get(f"/admin/events/performance/{perf.pk}/change/"))
    # Bad lines are said, and nothing is made.
    own = timezone.localtime(perf.starts_at, perf.venue.zone).strftime("%Y-%m-%d %H:%M")
    page = page_of(client.post(url, {"starts": "\n".join((
        "2027-13-01 20:00", "2020-01-15 20:00", "2031-01-15 20:00", "2031-01-15 20:00", own,
        "2031-03-09 02:30", "2031-11-02 01:30", "9999-12-31 23:59"))}))
    for said in ("“2027-13-01 20:00” is not a date and time like 2027-01-15 20:00.",
                 "The date 2020-01-15 20:00 has passed.", "2031-01-15 20:00 appears twice.",
                 f"The show already has a performance on {own}.",
                 "On 9 March 2031 the clocks of America/Toronto jump from 02:00 to 03:00: 02:30 does not exist "
                 "there. Choose another time.",
                 "On 2 November 2031 the clocks of America/Toronto go back from 02:00 to 01:00: 01:30 happens "
                 "twice there. Choose a time before 01:00 or from 02:00 on.",
                 "The date 9999-12-31 23:59 is more than ten years away."):
        assert said in page, re.search(r'<ul class="errorlist.*?</ul>', page, re.S).group(0)  # all at once
    assert OnSaleWindow.objects.filter(performance__event=perf.event).count() == 3

    venue = perf.venue.zone
    first = datetime(2031, 1, 15, 20, 0, tzinfo=venue)
    page = page_of(client.post(url, {"starts": "2031-01-15 20:00\n 2031-01-16T14:30 \n"}, follow=True))
    assert "Made 2 performances, not on sale yet:" in page
    made = list(perf.event.performances.exclude(pk=perf.pk).order_by("starts_at"))
    assert [p.starts_at for p in made] == [first, datetime(2031, 1, 16, 14, 30, tzinfo=venue)]
    copy = made[0]
    assert copy.doors_open_at == first - timedelta(minutes=45) and copy.ticket_limit == perf.ticket_limit
    assert [(z.name, z.price, list(z.sections.all())) for z in copy.price_zones.all()] == \
        [(z.name, z.price, list(z.sections.all())) for z in perf.price_zones.all()]
    kinds = {t.name: t for t in copy.price_types.all()}
    assert kinds["Child"].order_limit == 2 and kinds["Child"].note == "Under 12"
    assert {(p.price_type.name, p.zone.name, p.amount) for p in Price.objects.filter(price_type__performance=copy)} == {
        ("Adult", "Stalls", Decimal("60.00")), ("Child", "Stalls", Decimal("30.00"))}
    window = copy.on_sale_windows.get(channel=Channel.ONLINE)
    assert window.opens_at == online.opens_at  # the run goes on sale at once
    assert window.closes_at == online.closes_at + (first - perf.starts_at)  # as long before its start
    assert not copy.places.exists()
    # Not on sale until put on sale: the API's windows say so to the staff (the public does
    # not see it yet), the counter does not offer it.
    from sales.channels.staff import on_sale
    from tests.support import client_for

    assert copy.pk not in [p["id"] for p in client_for().get("/api/v1/performances/").json()]
    listed = {p["id"]: p for p in client_for(organizer).get("/api/v1/performances/").json()}
    assert not any(w["open_now"] for w in listed[copy.pk]["on_sale"])
    assert any(w["open_now"] for w in listed[perf.pk]["on_sale"])
    assert copy not in on_sale(Channel.COUNTER, timezone.now()) and perf in on_sale(Channel.COUNTER, timezone.now())
    put_on_sale(performance=copy)
    assert any(w["open_now"] for w in client_for().get(f"/api/v1/performances/{copy.pk}/").json()["on_sale"])
    hold = hold_create(performance=copy, channel=Channel.ONLINE, zone=copy.price_zones.get(), quantity=1)
    assert hold.status == "active" and hold.taken[0].zone == "Stalls"


def test_other_dates_typed_as_the_french_admin_writes_them_are_read_day_first(client, organizer):
    """The admin in French writes its dates day first (15/01/2027) and a Québec organizer
    writes 20h30: the other dates typed so are read so, 01/02 being the first of February."""
    from datetime import datetime

    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "America/Toronto"
    perf.venue.save()
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/copy/"
    response = client.post(url, {"starts": "01/02/2031 20:00\n16/01/2031 14h30\n 2031-01-17 20:00 "}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="fr")
    page = page_of(response)
    assert "n’est pas une date" not in page, re.search(r'<ul class="errorlist.*?</ul>', page, re.S).group(0)
    venue = perf.venue.zone
    assert sorted(p.starts_at for p in perf.event.performances.exclude(pk=perf.pk)) == [
        datetime(2031, 1, 16, 14, 30, tzinfo=venue), datetime(2031, 1, 17, 20, 0, tzinfo=venue),
        datetime(2031, 2, 1, 20, 0, tzinfo=venue)]
    # What is not a date is still said, in French, with the way to write one.
    page = page_of(client.post(url, {"starts": "32/01/2031 20:00"}, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "«\u00a032/01/2031 20:00\u00a0» n’est pas une date et une heure comme 15/01/2027 20:00." in page


def test_a_window_changed_in_the_same_save_as_the_start_is_as_the_organizer_typed_it(client, organizer):
    from datetime import date

    perf = make_performance(rows=1, per_row=2)
    was = perf.starts_at = perf.starts_at.replace(microsecond=0)
    perf.save()
    perf.on_sale_windows.update(closes_at=was)  # every window runs until the show
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    prefix = {v[0]: k[:-len("-channel")] for k, v in data.items() if k.endswith("-channel")}
    later = (date.fromisoformat(data["starts_at_0"][0]) + timedelta(days=1)).isoformat()
    # The start a day later; in the same save, the online window opens at another time and
    # the phone's is made to close at noon of the old day.
    typed = {**data, "starts_at_0": [later], f"{prefix['online']}-opens_at_1": ["09:15:00"],
             f"{prefix['phone']}-closes_at_1": ["12:00:00"]}
    page = page_of(client.post(url, typed, follow=True))
    assert "errornote" not in page, page[:2000]
    perf.refresh_from_db()
    windows = {w.channel: w for w in perf.on_sale_windows.all()}
    assert windows["online"].closes_at == perf.starts_at  # its opening typed, its close still follows
    assert perf.local(windows["online"].opens_at).time().isoformat() == "09:15:00"
    phone = perf.local(windows["phone"].closes_at)
    assert (phone.date(), phone.time().isoformat()) == (perf.local(was).date(), "12:00:00")  # as typed
    assert windows["counter"].closes_at == perf.starts_at


def test_the_ballots_zone_chooser_names_each_zones_performance(client, organizer):
    """Every date of a run has a "Stalls": the chooser says whose each one is, and a
    ballot's page offers only its own performance's."""
    from sales.models import Ballot

    first, second = make_performance(rows=1, per_row=2), make_performance(rows=1, per_row=2)
    client.force_login(organizer)
    page = page_of(client.get("/admin/sales/ballot/add/"))
    for perf in (first, second):
        zone = perf.price_zones.get()
        assert re.search(rf'<option value="{zone.pk}">{re.escape(escape(str(perf)))} — Stalls</option>', page), page
    start = first.starts_at
    ballot = Ballot.objects.create(performance=first, zone=first.price_zones.get(),
                                   opens_at=start - timedelta(days=3), closes_at=start - timedelta(days=2))
    page = page_of(client.get(f"/admin/sales/ballot/{ballot.pk}/change/"))
    offered = re.findall(r'<option value="(\d+)"[^>]*>[^<]* — Stalls</option>', page)
    assert offered == [str(first.price_zones.get().pk)]


def test_a_sections_capacity_is_said_on_its_field_for_its_kind(client, organizer):
    """A standing section needs its capacity, a seated one has none: each said on the
    field in words, not as the database's constraint, and nothing saved."""
    from events.models import Section

    perf = make_performance(rows=1, per_row=2)
    client.force_login(organizer)
    url = f"/admin/events/venue/{perf.venue_id}/change/"
    data = add_rows(form_of(client.get(url)), "sections", [{"name": "Terrace", "kind": "standing", "rank": "5"},
                                                          {"name": "Loge", "kind": "seated", "capacity": "20"}])
    answer = client.post(url, data)
    page = page_of(answer)
    assert not saved(answer) and not Section.objects.filter(name__in=["Terrace", "Loge"]).exists()
    assert "A standing section holds a number of people: give its capacity." in page
    assert "A seated section holds its seats: leave its capacity empty." in page
    assert "section_standing_has_capacity" not in page


def test_a_section_or_seat_chosen_in_two_zones_is_refused_not_priced_by_whichever_comes_last(client, organizer):
    """Putting on sale gives each place one zone: a section (or a seat) in two zones of a
    performance would sell at one of the two prices, unsaid. The form names both."""
    perf = make_performance(rows=2, per_row=3, on_sale=False)
    stalls = perf.venue.sections.get()
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    first = int(data["price_zones-INITIAL_FORMS"][0])
    add_rows(data, "price_zones", [{"name": "Cheap", "price": "5.00", "currency": "CAD", "color": "#123456"}])
    data[f"price_zones-{first}-sections"] = [str(stalls.pk)]
    refused = client.post(url, data)
    assert not saved(refused)
    assert "Stalls is already in the zone Stalls: a section or a seat is priced by one zone." in page_of(refused)
    assert not PriceZone.objects.filter(name="Cheap").exists()

    seat = stalls.seats.order_by("pk").first()
    data[f"price_zones-{first}-sections"] = []
    data[f"price_zones-{first + 1}-name"], data[f"price_zones-{first + 1}-price"] = ["Front"], ["80.00"]
    data[f"price_zones-{first + 1}-currency"], data[f"price_zones-{first + 1}-color"] = ["CAD"], ["#654321"]
    data[f"price_zones-{first}-seats"] = data[f"price_zones-{first + 1}-seats"] = [str(seat.pk)]
    data["price_zones-TOTAL_FORMS"] = [str(first + 2)]
    refused = client.post(url, data)
    assert not saved(refused)
    assert f"{seat} is already in the zone Cheap: a section or a seat is priced by one zone." in page_of(refused)
    # A seat of its own zone inside a section's zone is how a front row is priced apart.
    data[f"price_zones-{first + 1}-seats"] = []
    assert saved(client.post(url, data))


def test_putting_on_sale_refuses_a_place_two_zones_claim(organizer):
    from sales import inventory
    from sales.errors import InvalidRequest
    from sales.models import Place
    from tests.factories import PriceZoneFactory

    perf = make_performance(rows=1, per_row=3, on_sale=False)
    PriceZoneFactory(performance=perf, name="Cheap", price=Decimal("5.00"), sections=[perf.venue.sections.get()])
    with pytest.raises(InvalidRequest, match="Stalls is in two price zones"):
        inventory.put_on_sale(performance=perf)
    assert not Place.objects.filter(performance=perf).exists()


def test_zones_that_overlapped_before_the_rule_stay_editable_until_a_change_keeps_the_overlap(client, organizer):
    """A section in two zones from before the rule: the performance's page still saves
    what does not touch those zones' places (a price, the ticket limit); changing a zone's
    sections while it keeps the shared one is refused; taking it out is saved."""
    from tests.factories import PriceZoneFactory, SectionFactory

    perf = make_performance(rows=1, per_row=3, on_sale=False)
    stalls = perf.venue.sections.get()
    box = SectionFactory(venue=perf.venue, name="Box", rows=1, per_row=2)
    cheap = PriceZoneFactory(performance=perf, name="Cheap", price=Decimal("5.00"), sections=[stalls])
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"

    def at(data, zone):
        return next(key.split("-")[1] for key, value in data.items()
                    if key.startswith("price_zones-") and key.endswith("-id") and value == [str(zone.pk)])

    data = form_of(client.get(url))
    data["ticket_limit"] = ["7"]
    data[f"price_zones-{at(data, cheap)}-price"] = ["6.00"]
    answer = client.post(url, data)
    assert saved(answer), page_of(answer)
    cheap.refresh_from_db()
    assert cheap.price == Decimal("6.00") and Performance.objects.get(pk=perf.pk).ticket_limit == 7

    data = form_of(client.get(url))
    data[f"price_zones-{at(data, cheap)}-sections"] = [str(stalls.pk), str(box.pk)]
    refused = client.post(url, data)
    assert not saved(refused)
    assert "Stalls is already in the zone Stalls: a section or a seat is priced by one zone." in page_of(refused)
    assert list(cheap.sections.all()) == [stalls]

    data[f"price_zones-{at(data, cheap)}-sections"] = [str(box.pk)]
    answer = client.post(url, data)
    assert saved(answer), page_of(answer)
    assert list(cheap.sections.all()) == [box]


def test_other_dates_are_not_copied_from_zones_that_overlapped_before_the_rule(client, organizer):
    """A performance whose zones share a place from before the rule is not copied as it is:
    the organizer is told which place, and nothing is made until its zones are put right."""
    from tests.factories import PriceZoneFactory

    perf = make_performance(rows=1, per_row=3, on_sale=False)
    PriceZoneFactory(performance=perf, name="Cheap", price=Decimal("5.00"), sections=[perf.venue.sections.get()])
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/copy/"
    refused = client.post(url, {"starts": "2031-01-15 20:00"})
    assert refused.status_code == 200
    assert ("Stalls is already in the zone Stalls: a section or a seat is priced by one zone. Put this "
            "performance's zones right before making other dates of it.") in page_of(refused)
    assert list(Performance.objects.filter(event=perf.event)) == [perf]

    PriceZone.objects.filter(performance=perf, name="Cheap").delete()
    made = client.post(url, {"starts": "2031-01-15 20:00"}, follow=True)
    assert "Made 1 performance, not on sale yet:" in page_of(made)
    assert Performance.objects.filter(event=perf.event).count() == 2


def test_the_api_refuses_a_new_performance_whose_zones_share_a_place(organizer):
    """The API's door keeps the admin's rule: one zone for each section and seat."""
    from events.models import Event
    from tests.support import client_for

    perf = make_performance(rows=1, per_row=3, on_sale=False)
    stalls = perf.venue.sections.get()
    seat = stalls.seats.order_by("pk").first()
    api = client_for(organizer)
    body = {"event": Event.objects.create(title="Marées").pk, "venue": perf.venue_id,
            "starts_at": (perf.starts_at + timedelta(days=1)).isoformat(), "ticket_limit": 4, "windows": [],
            "zones": [{"name": "Stalls", "price": "30.00", "sections": [stalls.pk]},
                      {"name": "Cheap", "price": "5.00", "sections": [stalls.pk]}]}
    refused = api.post("/api/v1/performances/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"] == {
        "code": "invalid", "field": "zones",
        "message": "Stalls is already in the zone Stalls: a section or a seat is priced by one zone."}
    assert not Performance.objects.filter(event_id=body["event"]).exists()
    # A seat of its own zone inside a section's zone is how a front row is priced apart.
    body["zones"][1] = {"name": "Front", "price": "80.00", "seats": [seat.pk]}
    assert api.post("/api/v1/performances/", body, format="json").status_code == 201


def test_a_page_open_since_before_another_organizer_saved_zones_does_not_undo_them(client, organizer):
    """Two organizers open one performance's page; the first puts a section in a zone and
    saves. The second's page, saved afterwards for another change, leaves that zone's
    places as the first saved them; putting the same section in another zone is refused."""
    from django.test import Client

    from tests.factories import SectionFactory

    perf = make_performance(rows=1, per_row=3, on_sale=False)
    stalls_zone = perf.price_zones.get()
    box = SectionFactory(venue=perf.venue, name="Box", rows=1, per_row=2)
    other = Client()
    client.force_login(organizer)
    other.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    first, second = form_of(client.get(url)), form_of(other.get(url))
    at = next(key.split("-")[1] for key, value in first.items()
              if key.startswith("price_zones-") and key.endswith("-id") and value == [str(stalls_zone.pk)])
    first[f"price_zones-{at}-sections"] = [*first[f"price_zones-{at}-sections"], str(box.pk)]
    assert saved(client.post(url, first))

    second["ticket_limit"] = ["3"]
    answer = other.post(url, second)
    assert saved(answer), page_of(answer)
    assert {s.name for s in stalls_zone.sections.all()} == {"Stalls", "Box"}

    add_rows(second, "price_zones", [{"name": "Cheap", "price": "5.00", "currency": "CAD", "color": "#123456"}])
    second[f"price_zones-{int(second['price_zones-INITIAL_FORMS'][0])}-sections"] = [str(box.pk)]
    refused = other.post(url, second)
    assert not saved(refused)
    assert "Box is already in the zone Stalls: a section or a seat is priced by one zone." in page_of(refused)
    assert not PriceZone.objects.filter(name="Cheap").exists()


def test_a_price_type_added_with_its_performance_costs_the_zones_price_without_typing_it_again(client, organizer):
    """An organizer adds a performance with a zone "Salle" at 30.00 and a price type
    "Adulte": Adulte costs 30.00 in Salle, as saved, and the page says so; a zone added
    later, which Adulte has no price in, is still flagged."""
    from tests.factories import EventFactory, SectionFactory, VenueFactory

    venue = VenueFactory()
    hall = SectionFactory(venue=venue, name="Orchestre", rows=1, per_row=4)
    balcony = SectionFactory(venue=venue, name="Balcon", rows=1, per_row=2)
    event = EventFactory(title="Les Étoiles")
    client.force_login(organizer)
    add = "/admin/events/performance/add/"
    starts = timezone.localtime(timezone.now() + timedelta(days=20), venue.zone)
    data = {**form_of(client.get(add)), "event": [str(event.pk)], "venue": [str(venue.pk)],
            "starts_at_0": [starts.strftime("%Y-%m-%d")], "starts_at_1": ["20:00"]}
    colour = PriceZone._meta.get_field("color").default
    add_rows(data, "price_zones", [{"name": "Salle", "price": "30.00", "currency": "CAD", "color": colour}])
    data["price_zones-0-sections"] = [str(hall.pk)]
    add_rows(data, "price_types", [{"name": "Adulte", "rank": 0}, {"name": "Presse", "rank": 9,
                                                                    "complimentary": "on"}])
    response = client.post(add, data, follow=True)
    page = page_of(response)
    perf = Performance.objects.get(event=event)
    assert set(Price.objects.filter(price_type__performance=perf).values_list(
        "price_type__name", "zone__name", "amount")) == {("Adulte", "Salle", Decimal("30.00"))}, page
    assert "has no price" not in page
    assert "Adulte costs each zone's own price: Salle $30.00. Change it on the price type's page where it differs." \
        in page

    # In French, as the organizer reads it.
    data["event"] = [str(EventFactory(title="Marées").pk)]
    data["price_types-0-name"] = ["Enfant"]
    data["starts_at_0"] = [(starts + timedelta(days=1)).strftime("%Y-%m-%d")]
    french = page_of(client.post(add, data, follow=True, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Enfant coûte le prix de chaque zone\u00a0: Salle 30,00\u00a0$." in french
    assert "n’a pas de prix" not in french

    # A zone added once the types have their prices: what Adulte costs there is the
    # organizer's to say, and the page still says it is not sold there yet.
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = add_rows(form_of(client.get(url)), "price_zones", [
        {"name": "Balcon", "price": "20.00", "currency": "CAD", "color": colour}])
    data[f"price_zones-{int(data['price_zones-INITIAL_FORMS'][0])}-sections"] = [str(balcony.pk)]
    page = page_of(client.post(url, data, follow=True))
    assert "Adulte has no price in Balcon: it is not sold there until it has one." in page
    assert not Price.objects.filter(zone__name="Balcon").exists()

    # In French the zones come after a colon, which reads whatever their names ("en Balcon",
    # "en Salle" did not).
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    french = page_of(client.post(url, form_of(client.get(url, **fr)), follow=True, **fr))
    assert "Adulte n’a pas de prix pour\u00a0: Balcon\u00a0; il n’y est pas vendu tant qu’il n’en a pas." in french
    row = page_of(client.get(url, **fr))
    assert "Pas de prix pour\u00a0: Balcon" in row
    assert "en Balcon" not in french + row


def test_the_french_admin_names_the_set_up_in_one_vocabulary(client, organizer):
    """In French, an order of sections, price types and taxes is an "ordre" (a "rang" is a
    row of seats in a theatre), a price type is a "tarif", a sale window a "période de
    vente": each page of the set-up says so, and no other word for them."""
    perf = make_performance(rows=1, per_row=4)
    PriceType.objects.create(performance=perf, name="Adult")
    client.force_login(organizer)
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}

    def text(url):
        response = client.get(url, **fr)
        assert response.status_code == 200, url
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))

    pages = {url: text(url) for url in (
        "/admin/events/pricetype/", "/admin/events/pricetype/add/", "/admin/events/section/",
        f"/admin/events/section/{perf.venue.sections.first().pk}/change/", "/admin/sales/presale/add/",
        f"/admin/sales/organizer/{Organizer.load().pk}/change/", f"/admin/events/performance/{perf.pk}/copy/")}
    assert "Ordre" in pages["/admin/events/pricetype/"] and "Ordre" in pages["/admin/events/section/"]
    assert "Tarifs" in pages["/admin/events/pricetype/"]
    assert "Les tarifs qu’elle vend ; aucun choisi : tous." in pages["/admin/sales/presale/add/"]
    copy = pages[f"/admin/events/performance/{perf.pk}/copy/"]
    assert "zones de prix, tarifs et prix" in copy and "ses périodes de vente" in copy
    for url, page in pages.items():
        said = re.findall(r"\b(?:[Rr]angs?|[Tt]ypes? de (?:prix|tarif)|[Ff]enêtres? de vente)\b", page)
        assert not said, (url, said)


def test_a_performance_moved_says_how_many_paid_buyers_have_no_address_to_tell(client, organizer, clerk):
    """A walk-in sold at the counter to nobody in particular left no email address: moving
    the performance says how many such paid orders cannot be told, beside the ones that
    are sent their tickets again, so that staff can call them or tell them at the counter."""
    from datetime import date

    from sales.formatting import WALK_IN_EMAIL, WALK_IN_NAME
    from tests.support import drawer

    perf = make_performance(rows=1, per_row=4)
    free = [p.pk for p in places_of(perf)]
    order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=free[:1]),
                customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                payment=PaymentRequest(method="test_card", card_number=APPROVE))
    for place in free[1:3]:
        order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[place]),
                    customer=CustomerDetails(name=WALK_IN_NAME, email=WALK_IN_EMAIL), actor=clerk,
                    shift=drawer(clerk), payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    client.force_login(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    later = (date.fromisoformat(data["starts_at_0"][0]) + timedelta(days=1)).isoformat()
    page = page_of(client.post(url, {**data, "starts_at_0": [later]}, follow=True))
    assert "The buyer of 1 paid order is sent their tickets again, with the new time and place." in page
    assert ("2 paid orders have no email address to send the new time to: call their buyers or tell them at "
            "the counter.") in page, page[:3000]
    # In French, the same.
    data = form_of(client.get(url))
    later = (date.fromisoformat(data["starts_at_0"][0]) + timedelta(days=1)).isoformat()
    page = page_of(client.post(url, {**data, "starts_at_0": [later]}, follow=True, HTTP_ACCEPT_LANGUAGE="fr"))
    assert ("2 commandes payées n’ont pas d’adresse courriel où envoyer la nouvelle heure\u00a0: appelez leurs "
            "acheteurs ou prévenez-les au guichet.") in page


def test_an_organizer_reading_french_sees_the_price_types_french_names_and_their_prices_as_money(
        client, organizer):
    """A price type named in French too (Adult, Adulte): the organizer's office in French
    names it Adulte wherever it lists or offers it (the price types' list, the presale's and
    the promo code's pickers), and writes its prices as amounts, "1 250,50 $", never "1250.50"."""
    perf = make_performance(rows=1, per_row=4)
    adult = price_types(perf, {"Adult": {"Stalls": "1250.50"}})["Adult"]
    adult.name_fr = "Adulte"
    adult.save()
    client.force_login(organizer)
    client.cookies["django_language"] = "fr"
    listing = page_of(client.get("/admin/events/pricetype/"))
    assert ">Adulte</a>" in listing and ">Adult<" not in listing, listing
    assert "Stalls 1\u202f250,50\u00a0$" in listing and "1250.50" not in listing, listing
    performance_page = page_of(client.get(f"/admin/events/performance/{perf.pk}/change/"))
    assert "Stalls 1\u202f250,50\u00a0$" in performance_page and "1250.50" not in performance_page
    for add in ("/admin/sales/presale/add/", "/admin/sales/promocode/add/"):
        offered = page_of(client.get(add))
        assert "· Adulte —" in offered and "· Adult —" not in offered, add


def test_a_tax_rate_is_named_with_its_rate_as_each_language_writes_it():
    # The name the admin gives a tax (its choices, its confirmations): "GST 5%" in English,
    # « TPS 5 % » (a no-break space before the sign) in French.
    gst, qst = TaxRate(name="GST", percent=Decimal("5.000")), TaxRate(name="QST", percent=Decimal("9.975"))
    with translation.override("en"):
        assert [str(gst), str(qst)] == ["GST 5%", "QST 9.975%"]
    with translation.override("fr"):
        assert [str(gst), str(qst)] == ["GST 5\u00a0%", "QST 9,975\u00a0%"]


def test_a_promo_codes_times_are_on_the_clock_of_the_venue_it_is_for(client, organizer, settings):
    """An organizer in Paris types "valid until 31 December 23:59" for a code of their
    Paris performance: the code is refused from midnight in Paris, whatever the box
    office's own clock (TIME_ZONE). A code for venues on several clocks is on the box
    office's clock, and its form says which clock it is on."""
    import zoneinfo
    from datetime import datetime

    settings.TIME_ZONE = "America/Toronto"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "Europe/Paris"
    perf.venue.save()
    year = timezone.now().year + 1
    client.force_login(organizer)
    add = "/admin/sales/promocode/add/"
    data = form_of(client.get(add))
    assert "Europe/Paris" in page_of(client.get(add))
    data.update({"code": ["NOEL"], "percent_off": ["10"], "performances": [str(perf.pk)],
                 "valid_until_0": [f"{year}-12-31"], "valid_until_1": ["23:59"]})
    assert saved(client.post(add, data))
    code = PromoCode.objects.get(code="NOEL")
    assert code.valid_until == datetime(year, 12, 31, 23, 59, tzinfo=paris)
    page = page_of(client.get(f"/admin/sales/promocode/{code.pk}/change/"))
    assert "Europe/Paris" in page and f'value="{year}-12-31"' in page and 'value="23:59:00"' in page
    assert f"31 Dec {year} 23:59" in page_of(client.get("/admin/sales/promocode/"))
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    noel = PriceRequest(promo_code="noel")
    assert hold_quote(hold, noel, now=datetime(year, 12, 31, 23, 58, tzinfo=paris)).total < hold_quote(hold).total
    with pytest.raises(InvalidRequest, match="expired"):
        hold_quote(hold, noel, now=datetime(year + 1, 1, 1, 0, 0, tzinfo=paris))

    # For venues on several clocks: the box office's, which the form names. The form sent
    # was read on the clock it showed: the moment typed is kept, shown on the new clock.
    montreal = make_performance(rows=1, per_row=2)
    change = f"/admin/sales/promocode/{code.pk}/change/"
    data = form_of(client.get(change))
    data["performances"] = [str(perf.pk), str(montreal.pk)]
    assert saved(client.post(change, data))
    assert PromoCode.objects.get(pk=code.pk).valid_until == datetime(year, 12, 31, 23, 59, tzinfo=paris)
    page = page_of(client.get(change))
    assert "box office" in page and "America/Toronto" in page
    assert 'value="17:59:00"' in page  # 23:59 in Paris, on the box office's clock


def test_the_promo_code_lists_performance_filter_offers_those_to_come_first(client, organizer):
    """Codes are looked up for a performance to come: the filter offers those first, the
    soonest at the top, and the past ones after, the latest first (still there, to look
    back at what a code was used for)."""
    client.force_login(organizer)
    now = timezone.now()
    long_ago, last_week, tomorrow, next_month = (
        PerformanceFactory(starts_at=now + timedelta(days=days)) for days in (-300, -7, 1, 30))
    page = page_of(client.get("/admin/sales/promocode/"))
    offered = [int(pk) for pk in re.findall(r'href="\?performance=(\d+)"', page)]
    assert offered == [tomorrow.pk, next_month.pk, last_week.pk, long_ago.pk], offered


def test_the_blank_zone_rows_a_page_is_drawn_with_each_show_a_colour_no_zone_has(rf, organizer):
    """Saving gives a zone left at its colour the first one no other zone has: a blank row
    drawn with the page shows that colour already (one added in the page: zone_colours.js)."""
    from django.contrib import admin

    from events.admin import PriceZoneInline
    from events.models import ZONE_COLOURS

    perf = make_performance(rows=1, per_row=2, on_sale=False)  # Stalls, in the first colour
    PriceZone.objects.filter(performance=perf).update(color=ZONE_COLOURS[1].upper())
    request = rf.get("/")
    request.user = organizer
    formset = PriceZoneInline(Performance, admin.site).get_formset(request, perf, extra=2)(instance=perf)
    assert [form["color"].value() for form in formset.extra_forms] == [ZONE_COLOURS[0], ZONE_COLOURS[2]]


def test_a_new_promo_code_for_one_venue_is_read_on_that_venues_clock_among_venues_on_several(
        client, organizer, settings):
    """A box office on Toronto's clock with a venue in Paris as well: a new code for the
    Paris performance, typed "valid until 31 December 23:59", ends at midnight in Paris,
    not on the box office's clock that the blank form of a code for any venue is on."""
    import zoneinfo
    from datetime import datetime

    settings.TIME_ZONE = "America/Toronto"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    make_performance(rows=1, per_row=2)  # in Toronto
    perf = make_performance(rows=1, per_row=2)
    perf.venue.time_zone = "Europe/Paris"
    perf.venue.save()
    year = timezone.now().year + 1
    client.force_login(organizer)
    add = "/admin/sales/promocode/add/"
    data = form_of(client.get(add))
    data.update({"code": ["REVEILLON"], "percent_off": ["10"], "performances": [str(perf.pk)],
                 "valid_until_0": [f"{year}-12-31"], "valid_until_1": ["23:59"]})
    assert saved(client.post(add, data))
    assert PromoCode.objects.get(code="REVEILLON").valid_until == datetime(year, 12, 31, 23, 59, tzinfo=paris)
    # Refused for another reason, the form comes back on the clock it was read on, saying so.
    data.update({"code": ["REVEILLON"]})
    page = page_of(client.post(add, data))
    assert "already" in page.lower() and "(Europe/Paris)" in page and 'value="23:59"' in page


def test_the_promo_code_list_reads_the_clock_of_codes_for_every_venue_once(
        client, organizer, django_assert_max_num_queries):
    """Codes for every performance, with their times: the list finds their clock once,
    not once per code and time shown."""
    client.force_login(organizer)
    PerformanceFactory()
    until = timezone.now() + timedelta(days=30)
    PromoCode.objects.create(code="ALL0", percent_off=10, valid_from=timezone.now(), valid_until=until)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/admin/sales/promocode/").status_code == 200
    for i in range(1, 6):
        PromoCode.objects.create(code=f"ALL{i}", percent_off=10, valid_from=timezone.now(), valid_until=until)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/admin/sales/promocode/").status_code == 200
def test_a_promo_codes_amount_off_is_in_a_currency_the_form_names_and_checks(client, organizer):
    paris = make_performance(rows=1, per_row=4)
    paris.price_zones.update(currency="EUR")
    client.force_login(organizer)
    add = "/admin/sales/promocode/add/"
    form = form_of(client.get(add))
    assert form["currency"] == ["CAD"]
    assert "The amount off is taken off prices in this currency only" in page_of(client.get(add))

    def attempt(**values):
        data = form_of(client.get(add))
        data.update({k: v if isinstance(v, list) else [str(v)] for k, v in values.items()})
        return client.post(add, data)

    refused = attempt(code="DIX", amount_off="10", performances=[str(paris.pk)])
    assert not saved(refused)
    assert f"Priced in another currency, where this amount off would never apply: {paris}." in page_of(refused)
    assert saved(attempt(code="DIX", amount_off="10", currency="EUR", performances=[str(paris.pk)]))
    assert saved(attempt(code="DIXPC", percent_off="10", performances=[str(paris.pk)]))
    assert PromoCode.objects.get(code="DIX").currency == "EUR"
    listed = page_of(client.get("/admin/sales/promocode/"))
    assert "€10.00 off each ticket" in listed and "10\u00a0% off each ticket" in listed
