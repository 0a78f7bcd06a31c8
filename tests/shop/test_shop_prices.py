"""Prices at the shop: "from" prices per zone, a price type per place in the basket, a
promo code, the receipt before payment, presale access codes. Every figure is what the
pricing service charges; the page only shows it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Channel, OnSaleWindow
from sales import inventory
from sales.models import Hold, Order, Presale, PresaleCode, PromoCode, Ticket
from tests.factories import PerformanceFactory, PriceZoneFactory, SectionFactory, VenueFactory
from tests.support import booking_fee, card_token, clock_of, make_performance, places_of, price_types, quebec_taxes

pytestmark = pytest.mark.django_db

BUYER = {"name": "Famille Tremblay", "email": "tremblay@example.org"}


def buyer() -> dict:
    """The buyer's details and a card token, as the checkout form sends them."""
    return {**BUYER, "card_token": card_token()}


def family_show(**limits):
    perf = make_performance(rows=2, per_row=10, standing=10)
    types = price_types(perf, {"Adult": {"Stalls": "60.00", "Lawn": "25.00"},
                               "Child": {"Stalls": "35.00"},
                               "Student": {"Stalls": "40.00"}}, comp="Press", **limits)
    types["Student"].note = "Show student ID at the door"
    types["Student"].save()
    return perf, types


def hold_seats(client, perf, places):
    response = client.post(f"/performances/{perf.pk}/hold/", {"seats": ",".join(str(p.pk) for p in places)})
    assert response.status_code == 302 and response["Location"] == "/basket/", response
    return Hold.objects.get(status=Hold.Status.ACTIVE)


def nonce_of(page: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def text_of(page: str) -> str:
    """The page's text, tags gone and spaces folded: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_performance_page_says_from_what_price_each_zone_sells(client):
    perf, _types = family_show()
    page = text_of(client.get(f"/performances/{perf.pk}/").content.decode())
    # Child is the cheapest in Stalls; the comp (free) is not a price anyone pays.
    assert "Stalls — from $35.00" in page and "Adult $60.00, Child $35.00, Student $40.00" in page
    assert "Lawn (standing) — from $25.00" in page
    assert "Student: Show student ID at the door" in page
    html = client.get(f"/performances/{perf.pk}/").content.decode()
    options = re.findall(r'<option value="\d+">([^<]+)</option>', html)
    assert "Stalls — from $35.00" in options


def test_without_price_types_the_zones_sell_at_their_own_prices(client):
    perf = make_performance(rows=1, per_row=4)
    page = text_of(client.get(f"/performances/{perf.pk}/").content.decode())
    assert "Stalls — $50.00" in page and "from" not in page.split("Best available")[1].split("Pick your seats")[0]
    hold_seats(client, perf, places_of(perf)[:2])
    basket = client.get("/basket/").content.decode()
    assert "<select" not in basket.split('id="basket-places"')[1].split("</table>")[0]
    assert re.search(r'id="basket-total">\$100.00<', basket)
    nonce = nonce_of(basket)
    client.post("/checkout/", {**buyer(), "nonce": nonce, "expected_total": "100.00"})
    assert Order.objects.get().total == Decimal("100.00")


def test_the_seat_map_labels_list_the_price_types_of_the_seat(client):
    perf, _types = family_show()
    section = perf.venue.sections.get(name="Stalls")
    svg = client.get(f"/performances/{perf.pk}/seats/?section={section.pk}").content.decode()
    assert 'aria-label="Stalls, row A, seat 1, Adult $60.00, Child $35.00, Student $40.00"' in svg
    assert "$35.00 – $60.00" in svg  # the section's range, from its price types


def test_each_place_gets_a_price_type_select_without_comps_defaulting_to_the_first_sold(client):
    perf, types = family_show()
    seat = places_of(perf, seat__isnull=False)[0]
    hold = hold_seats(client, perf, [seat])
    lawn = client.post(f"/performances/{perf.pk}/hold/", {"section": perf.venue.sections.get(name="Lawn").pk,
                                                          "quantity": 1})
    assert lawn.status_code == 302
    page = client.get("/basket/").content.decode()
    hold = Hold.objects.get(status=Hold.Status.ACTIVE)  # the lawn replaced the seat
    lawn_place = hold.places.get()
    select = re.search(rf'<select name="type_{lawn_place.pk}"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", select) == ["Adult — $25.00"]  # only what Lawn sells; no comp
    client.post(f"/performances/{perf.pk}/hold/", {"seats": str(seat.pk)})
    page = client.get("/basket/").content.decode()
    select = re.search(rf'<select name="type_{seat.pk}"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", select) == ["Adult — $60.00", "Child — $35.00", "Student — $40.00"]
    assert f'<option value="{types["Adult"].pk}" selected>' in select
    assert "Press" not in page


def test_the_receipt_is_recomputed_with_htmx_and_checkout_charges_it(client):
    perf, types = family_show()
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    PromoCode.objects.create(code="FAMILLE10", percent_off=Decimal("10"))
    seats = places_of(perf, seat__isnull=False)[:4]
    hold_seats(client, perf, seats)
    chosen = {f"type_{seats[0].pk}": types["Adult"].pk, f"type_{seats[1].pk}": types["Adult"].pk,
              f"type_{seats[2].pk}": types["Child"].pk, f"type_{seats[3].pk}": types["Student"].pk}
    response = client.post("/basket/", {**chosen, "promo_code": "famille10"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<div id="receipt"')  # a fragment: the receipt, the messages, the button
    assert "<html" not in part and 'id="pay" hx-swap-oob="true"' in part
    text = text_of(part)
    # 60 + 60 + 35 + 40 = 195, 10 % off = 19.50; fees 4 × 3.50; each tax on the whole, as the receipt prints.
    assert "Discount (FAMILLE10) −$19.50" in text and "Subtotal $175.50" in text and "Booking fees $14.00" in text
    assert "GST (5%)" in text and "QST (9.975%)" in text
    assert "Show student ID at the door" in text
    total = re.search(r'id="basket-total">\$([\d.,]+)<', part).group(1)
    expected = re.search(r'name="expected_total" value="([\d.]+)"', part).group(1)
    assert total == expected
    nonce = nonce_of(client.get("/basket/").content.decode())
    response = client.post("/checkout/", {**buyer(), **chosen, "promo_code": "FAMILLE10", "nonce": nonce,
                                          "expected_total": expected})
    assert response.status_code == 302, text_of(response.content.decode())[:2000]
    order = Order.objects.get()
    assert order.total == Decimal(expected) and order.receipt["promo_code"] == "FAMILLE10"
    assert sorted(Ticket.objects.filter(order=order).values_list("price_type_name", flat=True)) == [
        "Adult", "Adult", "Child", "Student"]


@pytest.mark.parametrize("case", ["expired", "used up", "not sold", "limit"])
def test_refusals_are_readable_errors_at_the_top_with_the_choices_kept(client, case):
    perf, types = family_show(Child=1)
    seats = places_of(perf, seat__isnull=False)[:2]
    hold_seats(client, perf, seats)
    PromoCode.objects.create(code="OLD", amount_off=Decimal("5"), valid_until=timezone.now() - timedelta(days=1))
    PromoCode.objects.create(code="GONE", amount_off=Decimal("5"), max_uses=1, uses=1)
    data = {"promo_code": {"expired": "old", "used up": "gone"}.get(case, "")}
    if case == "limit":
        data.update({f"type_{p.pk}": types["Child"].pk for p in seats})
    if case == "not sold":  # a tampered form: a type Stalls does not sell (Lawn's own price only)
        lawn_only = price_types(perf, {"Lawn pass": {"Lawn": "15.00"}})["Lawn pass"]
        data[f"type_{seats[0].pk}"] = lawn_only.pk
    response = client.post("/checkout/", {**buyer(), **data, "nonce": "n1"})
    assert response.status_code == 400
    page = response.content.decode()
    summary = text_of(page.split('id="error-summary"')[1].split("</div>")[0])
    assert {"expired": "Promo code: the code OLD has expired",
            "used up": "Promo code: the code GONE has been used up",
            "not sold": "Lawn pass is not sold in Stalls",
            "limit": "At most 1 Child tickets per order"}[case] in summary
    assert 'role="alert" tabindex="-1"' in page  # focused by shop.js on load
    if data["promo_code"]:
        assert f'value="{data["promo_code"]}"' in page  # what was typed is still there
    assert 'value="Famille Tremblay"' in page
    assert not Order.objects.exists()


def test_a_changed_total_is_shown_before_anything_is_charged(client):
    perf, types = family_show()
    seats = places_of(perf, seat__isnull=False)[:2]
    hold_seats(client, perf, seats)
    # The page showed 120.00 (two adults); a select changed without the receipt being asked again.
    response = client.post("/checkout/", {**buyer(), "nonce": "n2", "expected_total": "120.00",
                                          f"type_{seats[1].pk}": types["Child"].pk})
    assert response.status_code == 409
    text = text_of(response.content.decode())
    assert "With these choices the total is $95.00; nothing was paid. Check it, then go on." in text
    assert not Order.objects.exists()
    assert re.search(r'name="expected_total" value="95.00"', response.content.decode())


def test_a_comp_cannot_be_bought_online(client):
    perf, types = family_show()
    seat = places_of(perf, seat__isnull=False)[0]
    hold_seats(client, perf, [seat])
    response = client.post("/checkout/", {**buyer(), "nonce": "n3", f"type_{seat.pk}": types["Press"].pk})
    assert response.status_code == 400
    assert "Complimentary tickets are given by staff only" in response.content.decode()
    assert not Order.objects.exists()


def presale_show():
    perf = make_performance(rows=2, per_row=5)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now - timedelta(hours=1),
                                     closes_at=now + timedelta(hours=20))
    presale.zones.set(perf.price_zones.all())
    PresaleCode.objects.create(presale=presale, code="FANS-2027", max_uses=5)
    return perf


def test_before_the_sale_opens_a_presale_code_opens_it(client):
    perf = presale_show()
    page = client.get(f"/performances/{perf.pk}/").content.decode()
    assert "Presale: Fan club" in page and 'name="access_code"' in page
    assert "It sells: Stalls." in text_of(page)
    zone = perf.price_zones.get()
    refused = client.post(f"/performances/{perf.pk}/hold/", {"zone": zone.pk, "quantity": 2}, follow=True)
    assert "sales open" in refused.content.decode() and not Hold.objects.exists()
    wrong = client.post(f"/performances/{perf.pk}/", {"access_code": "FANS-2026"})
    assert wrong.status_code == 400
    assert "this presale code is not valid for this performance" in wrong.content.decode()
    assert 'value="FANS-2026"' in wrong.content.decode()
    right = client.post(f"/performances/{perf.pk}/", {"access_code": "fans-2027"}, follow=True)
    assert "Your access code fans-2027 opens the presale" in right.content.decode()
    assert client.post(f"/performances/{perf.pk}/hold/", {"zone": zone.pk, "quantity": 2})["Location"] == "/basket/"
    hold = Hold.objects.get()
    assert hold.presale_code.code == "FANS-2027"
    nonce = nonce_of(client.get("/basket/").content.decode())
    client.post("/checkout/", {**buyer(), "nonce": nonce})
    assert Order.objects.get().status == "paid" and PresaleCode.objects.get().uses == 1


# A day and its time inside a sentence, as each language writes it: the day's whole name,
# "at" (« à ») before the hour.
IN_WORDS = {"en": "l j F Y \\a\\t ", "fr": "l j F Y \\à "}


@pytest.mark.parametrize(("language", "said"), [
    ("en", "the presale Fan club is open from {opens} to {closes}"),
    ("fr", "la prévente Fan club est ouverte du {opens} au {closes}")])
def test_a_presale_code_typed_too_early_says_when_its_presale_opens_in_a_sentence(client, language, said):
    from django.utils import formats, translation

    perf = presale_show()
    Presale.objects.update(opens_at=timezone.now() + timedelta(hours=2))
    presale = Presale.objects.get()
    refused = client.post(f"/performances/{perf.pk}/presale/", {"access_code": "fans-2027"},
                          HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        opens, closes = (formats.date_format(moment, IN_WORDS[language] + clock_of(moment, language))
                         for moment in (perf.local(presale.opens_at), perf.local(presale.closes_at)))
    assert said.format(opens=opens, closes=closes) in refused and not Hold.objects.exists()


def test_no_access_code_field_once_the_sale_is_open(client):
    perf = make_performance(rows=1, per_row=3)
    now = timezone.now()
    Presale.objects.create(performance=perf, name="Fan club", opens_at=now - timedelta(hours=1),
                           closes_at=now + timedelta(hours=1))
    assert 'name="access_code"' not in client.get(f"/performances/{perf.pk}/").content.decode()
    response = client.post(f"/performances/{perf.pk}/", {"access_code": "X"}, follow=True)
    assert "No presale is open for this performance now." in response.content.decode()


def test_the_event_list_says_from_the_cheapest_price_type(client):
    family_show()
    assert "From $25.00" in text_of(client.get("/").content.decode())


def test_a_payment_sent_twice_with_a_single_use_code_is_answered_as_the_first(client):
    perf, _types = family_show()
    PromoCode.objects.create(code="ONCE", amount_off=Decimal("5"), max_uses=1)
    hold = hold_seats(client, perf, places_of(perf, seat__isnull=False)[:1])
    data = {**buyer(), "nonce": "same-click", "promo_code": "once", "expected_total": "55.00"}
    first = client.post("/checkout/", data)
    assert first.status_code == 302 and "/orders/" in first["Location"]
    session = client.session  # the second click left before the first answered: it still has the basket
    session["basket_hold"] = hold.token
    session.save()
    again = client.post("/checkout/", data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Order.objects.count() == 1 and PromoCode.objects.get().uses == 1


def test_the_sections_overview_gives_each_section_the_range_of_its_price_types(client):
    venue = VenueFactory()
    stalls = SectionFactory(venue=venue, name="Stalls", rows=2, per_row=4)
    balcony = SectionFactory(venue=venue, name="Balcony", rows=1, per_row=4)
    perf = PerformanceFactory(venue=venue, channels=[Channel.ONLINE])
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("90.00"), sections=[stalls])
    PriceZoneFactory(performance=perf, name="Rear", price=Decimal("30.00"), sections=[balcony])
    inventory.put_on_sale(performance=perf)
    price_types(perf, {"Adult": {"Front": "70.00", "Rear": "40.00"}, "Child": {"Front": "45.00"}})
    links = {a: text_of(b) for a, b in re.findall(
        r'<a class="section-link"[^>]*>\s*(?:<span class="swatch"[^>]*></span>)?<strong>(\w+)</strong>(.*?)</a>',
        client.get(f"/performances/{perf.pk}/").content.decode(), re.S)}
    assert "$45.00 – $70.00" in links["Stalls"] and "$40.00" in links["Balcony"]
    assert "$90.00" not in links["Stalls"] and "$30.00" not in links["Balcony"]


def test_prices_entered_with_their_taxes_show_the_taxes_they_contain(client):
    perf = make_performance(rows=1, per_row=3, price="10.00")
    quebec_taxes(included=True)
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    hold_seats(client, perf, places_of(perf)[:1])
    text = text_of(client.get("/basket/").content.decode())
    # 10.00 and its fee 3.50, taxes included: the receipt adds up to what the buyer reads.
    assert "Stalls A-1 Stalls $10.00 Booking fees $3.50 Total $13.50 including GST (5%)" in text
    assert "including QST (9.975%)" in text and "Prices include taxes." in text


def test_a_presale_code_opens_its_zone_in_the_shop_and_the_api_and_is_refused_once_used_up(client):
    """Before the general sale, a code of two uses opens the presale's zone (Stalls, not the
    Lawn) to a shopper and to an API caller; a third buyer is told it is used up."""
    from django.test import Client

    from tests.support import BUYER, CARD, client_for

    perf = make_performance(rows=2, per_row=5, standing=10)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now - timedelta(hours=1),
                                     closes_at=now + timedelta(hours=20))
    stalls, lawn = perf.price_zones.get(name="Stalls"), perf.venue.sections.get(name="Lawn")
    presale.zones.set([stalls])
    PresaleCode.objects.create(presale=presale, code="FANS-2027", max_uses=2)
    # The shop: the code opens the Stalls, not the Lawn.
    client.post(f"/performances/{perf.pk}/", {"access_code": "fans-2027"})
    lawn_refused = client.post(f"/performances/{perf.pk}/hold/", {"section": lawn.pk, "quantity": 1}, follow=True)
    assert "The presale Fan club opens Stalls only." in lawn_refused.content.decode()  # under the Lawn's number
    assert client.post(f"/performances/{perf.pk}/hold/", {"zone": stalls.pk, "quantity": 2})["Location"] == "/basket/"
    client.post("/checkout/", {**buyer(), "nonce": nonce_of(client.get("/basket/").content.decode())})
    # The API: the same code, the same zone only.
    api = client_for()
    refused = api.post("/api/v1/holds/", {"performance": perf.pk, "section": lawn.pk, "quantity": 1,
                                          "access_code": "FANS-2027"}, format="json")
    assert refused.status_code == 409 and "opens Stalls only" in refused.json()["error"]["message"]
    hold = api.post("/api/v1/holds/", {"performance": perf.pk, "zone": stalls.pk, "quantity": 1,
                                       "access_code": "FANS-2027"}, format="json")
    assert hold.status_code == 201, hold.json()
    order = api.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER, "payment": CARD},
                     format="json", headers={"Idempotency-Key": "presale-api-order-0001"})
    assert order.status_code == 201 and Order.objects.filter(status="paid").count() == 2
    assert PresaleCode.objects.get().uses == 2
    # Used up: refused at the shop's code field and at the API's hold, nothing held.
    late = Client().post(f"/performances/{perf.pk}/", {"access_code": "FANS-2027"})  # a third buyer
    assert late.status_code == 400 and "this presale code has been used up" in late.content.decode()
    used_up = api.post("/api/v1/holds/", {"performance": perf.pk, "zone": stalls.pk, "quantity": 1,
                                          "access_code": "FANS-2027"}, format="json")
    assert used_up.status_code == 400 and "used up" in used_up.json()["error"]["message"]
    assert Hold.objects.filter(status="active").count() == 0


def test_the_basket_opened_again_keeps_the_price_types_and_the_code_chosen(client):
    """A child's ticket and a promo code chosen, then the basket opened again (after a
    declined card, the back button, another tab): the same choices and total, not the
    defaults; another hold starts from the defaults."""
    perf, types = family_show()
    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    seats = places_of(perf, seat__isnull=False)[:2]
    hold_seats(client, perf, seats)
    chosen = {f"type_{seats[0].pk}": types["Adult"].pk, f"type_{seats[1].pk}": types["Child"].pk}
    client.post("/basket/", {**chosen, "promo_code": "ete10"}, HTTP_HX_REQUEST="true")
    declined = client.post("/checkout/", {**BUYER, "card_token": card_token("4000000000000341"), **chosen,
                                          "promo_code": "ete10", "nonce": "n1"})
    assert declined.status_code in (400, 402) and not Order.objects.filter(status="paid").exists()
    page = client.get("/basket/").content.decode()
    child = re.search(rf'<select name="type_{seats[1].pk}"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert f'<option value="{types["Child"].pk}" selected>' in child
    assert 'value="ete10"' in page.lower() and "Discount (ETE10)" in text_of(page)  # (60 + 35) − 10 %
    client.post("/basket/release/")
    hold_seats(client, perf, places_of(perf, seat__isnull=False, state="available")[:1])
    assert "Discount" not in text_of(client.get("/basket/").content.decode())


def test_paying_again_from_a_basket_page_before_the_payment_leads_to_the_order(client):
    """The back button after paying shows the basket as it was; its Pay button leads to the
    order made, not to a second payment nor to an empty basket."""
    perf, types = family_show()
    seats = places_of(perf, seat__isnull=False)[:1]
    hold_seats(client, perf, seats)
    form = {**buyer(), f"type_{seats[0].pk}": types["Adult"].pk, "nonce": "first"}
    paid = client.post("/checkout/", form)
    order = Order.objects.get()
    assert paid.status_code == 302 and order.code in paid["Location"]
    again = client.post("/checkout/", {**form, "card_token": card_token(), "nonce": "second"}, follow=True)
    assert again.redirect_chain[-1][0] == paid["Location"] and "already paid" in again.content.decode()
    assert Order.objects.count() == 1 and order.payments.count() == 1
    hold_seats(client, perf, places_of(perf, seat__isnull=False, state="available")[:1])
    Hold.objects.filter(status=Hold.Status.ACTIVE).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.get("/basket/")  # the new basket lapsed: paying from an old page is an empty basket again
    assert "already paid" not in client.post("/checkout/", form, follow=True).content.decode()


def test_a_refused_code_is_said_with_its_field_as_each_language_punctuates(client):
    perf, types = family_show()
    seat = places_of(perf, seat__isnull=False)[0]
    hold_seats(client, perf, [seat])
    chosen = {f"type_{seat.pk}": types["Adult"].pk, "promo_code": "faux"}
    english = client.post("/basket/", chosen, HTTP_HX_REQUEST="true").content.decode()
    assert "Promo code: the code faux does not exist" in english
    french = client.post("/basket/", chosen, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Code promo\u00a0: le code faux n" in french  # a French colon stands apart


def test_a_refused_code_leaves_the_receipt_shown_without_it_and_nothing_is_paid(client):
    """A code that does not exist is said on its field; the receipt and the total stay,
    as they are without the code, and paying waits until the code is cleared."""
    perf, types = family_show()
    seat = places_of(perf, seat__isnull=False)[0]
    hold_seats(client, perf, [seat])
    chosen = {f"type_{seat.pk}": types["Adult"].pk, "promo_code": "NOPE"}
    part = client.post("/basket/", chosen, HTTP_HX_REQUEST="true").content.decode()
    assert "the code NOPE does not exist" in part
    assert re.search(r'id="basket-total">\$60\.00<', part), text_of(part)[:800]
    assert "Pay $60.00" in text_of(part)
    nonce = nonce_of(client.get("/basket/").content.decode())
    refused = client.post("/checkout/", {**buyer(), **chosen, "nonce": nonce})
    assert refused.status_code == 400 and "the code NOPE does not exist" in refused.content.decode()
    assert re.search(r'id="basket-total">\$60\.00<', refused.content.decode())
    assert not Order.objects.exists()


def test_an_email_too_long_to_keep_is_said_on_its_field_and_the_basket_stays(client):
    perf, types = family_show()
    seat = places_of(perf, seat__isnull=False)[0]
    hold_seats(client, perf, [seat])
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"  # well formed, 310 characters
    nonce = nonce_of(client.get("/basket/").content.decode())
    refused = client.post("/checkout/", {**buyer(), "email": long_email, "nonce": nonce,
                                         f"type_{seat.pk}": types["Adult"].pk})
    page = refused.content.decode()
    assert refused.status_code == 400 and 'id="checkout-form"' in page and 'id="error-summary"' in page
    assert "Email: Ensure this value has at most 254 characters" in text_of(page)
    assert client.get("/basket/").status_code == 200 and "Famille Tremblay" in page
    assert not Order.objects.exists()
    from rest_framework.test import APIClient

    api = APIClient()
    token = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[1].pk]},
                     format="json").json()["token"]
    answer = api.post("/api/v1/orders/", {"hold": token, "customer": {"name": "N", "email": long_email},
                                          "payment": {"method": "card", "token": "tok_x"}}, format="json")
    assert answer.status_code == 400 and "email" in answer.json()["error"]["fields"]["customer"]
    from sales.errors import InvalidRequest
    from sales.orders.customers import CustomerDetails, clean_customer

    with pytest.raises(InvalidRequest, match="too long"):  # whichever door the details came by
        clean_customer(CustomerDetails(name="N", email=long_email))


def test_places_left_are_counted_with_the_thousands_grouped_as_each_language_does(client):
    perf = make_performance(rows=12, per_row=100, standing=1500)
    english = text_of(client.get(f"/performances/{perf.pk}/").content.decode())
    assert "(1,200 left)" in english and "1,500 left" in english
    french = text_of(client.get(f"/performances/{perf.pk}/", headers={"accept-language": "fr"}).content.decode())
    assert re.search(r"\(1[\u202f\u00a0 ]200 restantes\)", french), french[:1500]


def test_what_the_card_field_said_is_what_the_page_says_when_no_card_came(client):
    """The provider's field gave no token and said why (in the buyer's language): the page
    says that again, not only 'enter your card'."""
    perf, types = family_show()
    seat = places_of(perf, seat__isnull=False)[0]
    hold_seats(client, perf, [seat])
    nonce = nonce_of(client.get("/basket/").content.decode())
    data = {**buyer(), "nonce": nonce, f"type_{seat.pk}": types["Adult"].pk}
    data.pop("card_token")
    said = client.post("/checkout/", {**data, "card_error": "Your card's expiration year is in the past."})
    assert said.status_code == 400 and "Your card&#x27;s expiration year is in the past." in said.content.decode()
    plain = client.post("/checkout/", data)
    assert plain.status_code == 400 and "Enter your card in the card field." in plain.content.decode()
    # The error summary's link goes to the card field itself.
    assert 'href="#id_card_token"' in plain.content.decode() and 'id="id_card_token" data-card-frame' in \
        plain.content.decode()
    tricky = client.post("/checkout/", {**data, "card_error": "<b>x</b>"})
    assert "<b>x</b>" not in tricky.content.decode() and "&lt;b&gt;x&lt;/b&gt;" in tricky.content.decode()


def test_a_basket_page_another_window_replaced_never_pays_for_the_new_places(client):
    """Window 1 shows the stalls seats of one show; window 2 holds places of another show,
    which replaces the basket. Window 1's Pay charges nothing, and its countdown says its
    places were released; the other show's page had warned before window 2 held."""
    first, second = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    seat = places_of(first)[0]
    old = hold_seats(client, first, [seat])
    page = client.get("/basket/").content.decode()
    assert f'name="basket" value="{old.pk}"' in page
    warned = text_of(client.get(f"/performances/{second.pk}/").content.decode())
    assert f"You have seats on hold for {first.event.title}" in warned and "Holding places here releases them" in warned
    client.post(f"/performances/{second.pk}/hold/", {"seats": str(places_of(second)[0].pk)})
    assert 'data-lapsed="true"' in client.get(f"/basket/status/?basket={old.pk}").content.decode()
    paid = client.post("/checkout/", {**buyer(), "nonce": nonce_of(page), "basket": old.pk}, follow=True)
    assert "Your basket changed in another window; nothing was paid." in text_of(paid.content.decode())
    assert not Order.objects.exists()


def test_codes_match_whatever_accents_and_case_the_buyer_types(client):
    """A promo code made as molière15 is taken as moliere15, MOLIÈRE15 or Molière15, at
    the shop and through the API; a presale code made as ÉTÉ-2027 opens the presale typed
    ete-2027. Two codes that differ only by their accents cannot both be made: a typed
    code finds one code or none."""
    from django.db import IntegrityError, transaction

    from sales.pricing_admin import PresaleCodeForm, PromoCodeForm
    from tests.support import BUYER, CARD, client_for

    perf, types = family_show()
    PromoCode.objects.create(code="molière15", percent_off=Decimal("15"))
    seat = places_of(perf, seat__isnull=False)[0]
    hold_seats(client, perf, [seat])
    chosen = {f"type_{seat.pk}": types["Adult"].pk}
    text = text_of(client.post("/basket/", {**chosen, "promo_code": "moliere15"}, HTTP_HX_REQUEST="true")
                   .content.decode())
    assert "Discount (molière15) −$9.00" in text, text[:1500]
    # 60 − 15 % = 51.00
    expected = "51.00"
    nonce = nonce_of(client.get("/basket/").content.decode())
    response = client.post("/checkout/", {**buyer(), **chosen, "promo_code": "MOLIERE15", "nonce": nonce,
                                          "expected_total": expected})
    assert response.status_code == 302, text_of(response.content.decode())[:2000]
    assert Order.objects.get().total == Decimal(expected)

    api = client_for()
    zone = perf.price_zones.get(name="Stalls").pk
    hold = api.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone, "quantity": 1}, format="json").json()
    order = api.post("/api/v1/orders/", {"hold": hold["token"], "customer": BUYER, "payment": CARD,
                                         "tickets": [{"place": hold["places"][0]["id"],
                                                      "price_type": types["Adult"].pk}],
                                         "promo_code": "Molière15"}, format="json",
                     headers={"Idempotency-Key": "accented-code-order-01"})
    assert order.status_code == 201, order.json()
    assert Decimal(order.json()["total"]) == Decimal("51.00")
    assert PromoCode.objects.get().uses == 2

    # The same code with other accents is the same code: refused by the form and the table.
    form = PromoCodeForm(data={"code": "MOLIERE15", "percent_off": "5"})
    assert not form.is_valid() and "already a promo code molière15" in str(form.errors["code"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCode.objects.create(code="Moliere15", percent_off=Decimal("5"))

    # A presale's access code, typed without its accents.
    early = make_performance(rows=1, per_row=5)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=early, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    presale = Presale.objects.create(performance=early, name="Fan club", opens_at=now - timedelta(hours=1),
                                     closes_at=now + timedelta(hours=20))
    code = PresaleCode.objects.create(presale=presale, code="ÉTÉ-2027", max_uses=5)
    right = client.post(f"/performances/{early.pk}/", {"access_code": "ete-2027"}, follow=True)
    assert "Your access code ete-2027 opens the presale" in right.content.decode()
    held = api.post("/api/v1/holds/", {"performance": early.pk, "zone": early.price_zones.get().pk, "quantity": 1,
                                       "access_code": "Ete-2027"}, format="json")
    assert held.status_code == 201, held.json()
    assert Hold.objects.get(token=held.json()["token"]).presale_code == code
    form = PresaleCodeForm(data={"code": "ete-2027", "max_uses": "1"}, instance=PresaleCode(presale=presale))
    assert not form.is_valid() and "already used" in str(form.errors["code"])


@pytest.mark.django_db(transaction=True)  # as an upgrade runs: each migration its own transaction
def test_an_upgrade_with_codes_told_apart_only_by_accents_stops_and_names_them():
    """Before codes were one whatever their accents, ÉTÉ and ETE could both exist. The
    upgrade that makes them one cannot choose which a buyer means: it stops with the
    codes to rename, changes nothing, and goes through once they are renamed."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate(target or executor.loader.graph.leaf_nodes())

    before = [("sales", "0051_ballot_entry_confirmation_emails")]
    try:
        migrate(before)
        with connection.cursor() as cursor:
            for code in ("ÉTÉ", "ete", "SPRING"):
                cursor.execute("INSERT INTO sales_promocode (code, description, per_order, channels, uses, active, "
                               "percent_off) VALUES (%s, '', false, '', 0, true, 10)", [code])
        with pytest.raises(RuntimeError, match=r"promo codes ete, ÉTÉ\. Rename all but one"):
            migrate(None)
        assert MigrationExecutor(connection).loader.applied_migrations.keys() >= {before[0]}
        assert ("sales", "0052_codes_whatever_their_accents") not in MigrationExecutor(
            connection).loader.applied_migrations
        assert sorted(PromoCode.objects.values_list("code", flat=True)) == ["SPRING", "ete", "ÉTÉ"]
        PromoCode.objects.filter(code="ete").update(code="ete-2")
        migrate(None)
        assert PromoCode.objects.typed("Ete").get().code == "ÉTÉ"
    finally:
        PromoCode.objects.all().delete()
        migrate(None)


@pytest.mark.parametrize("included", [False, True])
def test_a_tax_rate_is_written_as_its_language_writes_it_on_one_line(client, included):
    # On a phone the receipt's narrow column wrapped "QST (9,975" from "%)": the rate and its
    # sign are one word, in both languages and whether prices include the taxes or not.
    # English writes the sign right after the number, French after a no-break space.
    perf = make_performance(rows=1, per_row=3, price="10.00")
    quebec_taxes(included=included)
    hold_seats(client, perf, places_of(perf)[:1])
    english = client.get("/basket/").content.decode()
    french = client.get("/basket/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "(5%)" in english and "(9.975%)" in english, text_of(english)
    assert "(5\u00a0%)" in french and "(9,975\u00a0%)" in french, text_of(french)
    assert not re.search(r"\d\s%", english) and not re.search(r"\d %", french)
