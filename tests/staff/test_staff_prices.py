"""Prices at the counter and on the phone: a price type per ticket, a promo code, comps
with their reason, and the totals before the money, all priced by the server."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Channel
from sales.models import Hold, Order, PromoCode, Ticket
from sales.policy import COUNTER_CLERK, PHONE_OPERATOR
from tests.support import booking_fee, card_token, make_performance, make_user, places_of, price_types, signed_in

pytestmark = pytest.mark.django_db


def show(**limits):
    perf = make_performance(rows=2, per_row=8)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"}}, comp="Press", **limits)
    return perf, types


def text_of(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.decode() if isinstance(page, bytes) else page))


def counter_sale(client, perf, quantity=2):
    client.post("/counter/shift/open/", {"cash_float": "100"})
    response = client.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                              "quantity": quantity})
    hold = Hold.objects.get(status=Hold.Status.ACTIVE)
    return response["Location"], [p.pk for p in hold.places.order_by("pk")]


def test_the_sale_screen_numbers_the_price_types_and_offers_comps_with_a_reason(clerk):
    perf, types = show()
    c = signed_in(clerk)
    url, places = counter_sale(c, perf)
    page = c.get(url).content.decode()
    keys = re.findall(r'<li data-type="(\d+)" data-name="([^"]+)"><kbd>(\d)</kbd>', page)
    assert keys == [(str(types["Adult"].pk), "Adult", "1"), (str(types["Child"].pk), "Child", "2"),
                    (str(types["Press"].pk), "Press", "3")]
    select = re.search(rf'<select name="type_{places[0]}"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", select) == ["Adult — $60.00", "Child — $35.00", "Press (complimentary)"]
    assert 'name="comp_reason"' in page and 'data-key="r"' in page and 'data-key="d"' in page
    assert re.search(r'id="total" data-amount="120.00">\$120.00<', page)  # two adults, the default
    assert "autofocus" not in page.split('id="tendered"')[1].split(">")[0]  # the keys work at once


def test_a_changed_type_or_code_comes_back_as_totals_only(clerk):
    perf, types = show()
    PromoCode.objects.create(code="TEN", amount_off=Decimal("10"), channels="counter")
    c = signed_in(clerk)
    url, places = counter_sale(c, perf)
    response = c.post(url, {"action": "quote", f"type_{places[1]}": types["Child"].pk, "promo_code": "ten"},
                      HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<div id="totals"') and "<html" not in part
    assert re.search(r'id="total" data-amount="75.00">\$75.00<', part)  # 60 + 35, 10.00 off each
    assert "Discount (TEN) −$20.00" in text_of(part)
    assert not Order.objects.exists()
    # The page opened again (a reload, Back, another tab) shows those choices and their
    # total, not two adults at the full price.
    again = c.get(url).content.decode()
    chosen = re.search(rf'<select name="type_{places[1]}"[^>]*>(.*?)</select>', again, re.S).group(1)
    assert re.search(rf'<option value="{types["Child"].pk}" selected>', chosen), chosen
    assert re.search(r'id="total" data-amount="75.00">\$75.00<', again) and 'value="ten"' in again
    # Choices refused since (a code unknown, used up, expired) are shown again, as a page, not a 400.
    c.post(url, {"action": "quote", "promo_code": "nope"}, HTTP_HX_REQUEST="true")
    reopened = c.get(url)
    assert reopened.status_code == 200 and 'value="nope"' in reopened.content.decode()


def test_the_chosen_types_outlive_the_clerks_session_while_the_hold_lives(clerk):
    """The clerk's session times out mid-sale: signed in again, the sale (its seats still
    held) shows the price types chosen and their total, not the defaults. Another clerk
    reaches neither the sale nor its choices."""
    perf, types = show()
    PromoCode.objects.create(code="TEN", amount_off=Decimal("10"), channels="counter")
    c = signed_in(clerk)
    url, places = counter_sale(c, perf)
    c.post(url, {"action": "quote", f"type_{places[1]}": types["Child"].pk, "promo_code": "ten"},
           HTTP_HX_REQUEST="true")
    c.session.delete()  # timed out: the session and all it kept are gone
    assert c.get(url)["Location"].startswith("/login/")
    assert c.post("/login/", {"username": clerk.username, "password": f"pw-{clerk.username}"}).status_code == 302
    again = c.get(url).content.decode()
    chosen = re.search(rf'<select name="type_{places[1]}"[^>]*>(.*?)</select>', again, re.S).group(1)
    assert re.search(rf'<option value="{types["Child"].pk}" selected>', chosen), "the defaults again"
    assert re.search(r'id="total" data-amount="75.00">\$75.00<', again) and 'value="ten"' in again
    other = signed_in(make_user("clerk2", COUNTER_CLERK))
    other.post("/counter/shift/open/", {"cash_float": "100"})
    assert other.get(url).status_code == 404
    # Sold with them, by the clerk: what was chosen is what was sold.
    sold = c.post(url, {f"type_{places[1]}": types["Child"].pk, "promo_code": "ten", "tendered": "100",
                        "expected_total": "75.00", "attempt": "6"})
    assert sold.status_code == 302 and Order.objects.get().total == Decimal("75.00")


def test_the_counter_sells_the_chosen_types_with_a_promo_code(clerk):
    perf, types = show()
    booking_fee(Channel.COUNTER, per_order="2.00")
    half = PromoCode.objects.create(code="HALF", percent_off=Decimal("50"))
    half.price_types.set([types["Child"]])
    c = signed_in(clerk)
    url, places = counter_sale(c, perf, quantity=3)
    chosen = {f"type_{places[0]}": types["Adult"].pk, f"type_{places[1]}": types["Child"].pk,
              f"type_{places[2]}": types["Child"].pk}
    response = c.post(url, {**chosen, "promo_code": "half", "tendered": "100", "expected_total": "97.00",
                            "attempt": "1"})
    assert response.status_code == 302, text_of(response.content)[:1500]
    order = Order.objects.get()
    assert order.total == Decimal("97.00")  # 60 + 2 × 17.50 + 2.00 for the order
    assert sorted(Ticket.objects.filter(order=order).values_list("price_type_name", "price")) == [
        ("Adult", Decimal("60.00")), ("Child", Decimal("17.50")), ("Child", Decimal("17.50"))]
    assert order.receipt["promo_code"] == "HALF"
    slip = text_of(c.post(f"/counter/orders/{order.code}/print/").content)
    assert slip.count("Stalls — Child — $17.50") == 2 and "Stalls — Adult — $60.00" in slip  # the door checks a type


def test_a_comp_needs_its_reason_and_then_costs_nothing(clerk):
    perf, types = show()
    c = signed_in(clerk)
    url, places = counter_sale(c, perf, quantity=1)
    comp = {f"type_{places[0]}": types["Press"].pk, "tendered": "", "attempt": "2"}
    refused = c.post(url, comp)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "give the reason for the complimentary tickets" in text_of(page)
    assert re.search(r'<input[^>]*name="comp_reason"[^>]*autofocus', page)  # the field to fill, focused
    assert not Order.objects.exists()
    response = c.post(url, {**comp, "comp_reason": "Le Devoir, critique"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == "paid" and order.total == 0 and order.comp_reason == "Le Devoir, critique"
    assert Ticket.objects.get(order=order).complimentary


def test_a_comp_refused_for_want_of_its_reason_keeps_the_total_beside_the_error(clerk):
    """The reason forgotten, the page comes back with its error and the total the clerk was
    shown for those choices (the comp at nothing), so the money is not asked for blind."""
    perf, types = show()
    c = signed_in(clerk)
    url, places = counter_sale(c, perf)
    chosen = {f"type_{places[0]}": types["Press"].pk}
    shown = c.post(url, {**chosen, "action": "quote"}, HTTP_HX_REQUEST="true").content.decode()
    refused = c.post(url, {**chosen, "tendered": "100", "expected_total": "60.00", "attempt": "4"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "give the reason for the complimentary tickets" in text_of(page)
    assert re.search(r'id="total" data-amount="60.00">\$60.00<', page), "no total beside the error"
    assert re.search(r'id="total" data-amount="60.00">\$60.00<', shown)  # as the clerk saw it
    assert "give the reason for the complimentary tickets" in text_of(shown)
    assert not Order.objects.exists()
    sold = c.post(url, {**chosen, "comp_reason": "Le Devoir, critique", "tendered": "100",
                        "expected_total": "60.00", "attempt": "5"})
    assert sold.status_code == 302
    assert Order.objects.get().total == Decimal("60.00")  # one comp, one adult


def test_a_total_the_clerk_did_not_see_is_not_taken(clerk):
    perf, types = show()
    c = signed_in(clerk)
    url, places = counter_sale(c, perf)
    response = c.post(url, {f"type_{places[0]}": types["Child"].pk, "tendered": "200", "expected_total": "120.00",
                            "attempt": "3"})
    assert response.status_code == 400
    assert "With these choices the total is $95.00; nothing was paid." in text_of(response.content)
    assert re.search(r'id="total" data-amount="95.00">\$95.00<', response.content.decode())
    assert not Order.objects.exists()


def test_a_type_limit_is_a_readable_refusal(clerk):
    perf, types = show(Child=1)
    c = signed_in(clerk)
    url, places = counter_sale(c, perf)
    data = {f"type_{pk}": types["Child"].pk for pk in places}
    response = c.post(url, {**data, "action": "quote"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # the refusal is in the totals htmx shows
    assert "At most 1 Child tickets per order" in text_of(response.content)


def caller(client):
    client.post("/phone/customers/new/", {"name": "Lou Morin", "email": "lou@example.org"})
    from sales.models import Customer

    return Customer.objects.get(email="lou@example.org")


def phone_sale(client, perf, cust, quantity=2):
    client.post(f"/phone/customers/{cust.pk}/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                      "quantity": quantity})
    hold = Hold.objects.get(status=Hold.Status.ACTIVE, channel=Channel.PHONE)
    return f"/phone/customers/{cust.pk}/sale/{hold.pk}/", [p.pk for p in hold.places.order_by("pk")]


def test_the_phone_takes_a_card_for_the_chosen_types_and_code():
    perf, types = show()
    operator = make_user("operator-p", PHONE_OPERATOR)
    PromoCode.objects.create(code="PHONE5", amount_off=Decimal("5"), per_order=True)
    c = signed_in(operator)
    url, places = phone_sale(c, perf, caller(c))
    quote = c.post(url, {"action": "quote", f"type_{places[1]}": types["Child"].pk, "promo_code": "phone5"},
                   HTTP_HX_REQUEST="true")
    assert re.search(r'id="total" data-amount="90.00">\$90.00<', quote.content.decode())  # 60 + 35 - 5 off the order
    assert re.search(r'id="total" data-amount="90.00">\$90.00<', c.get(url).content.decode())  # kept on a reload
    response = c.post(url, {"action": "pay", "card_token": card_token(), "attempt": "1",
                            f"type_{places[1]}": types["Child"].pk, "promo_code": "phone5", "expected_total": "90.00"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == "paid" and order.total == Decimal("90.00") and order.channel == "phone"


def test_the_phone_reserves_a_comp_with_its_reason_to_pay_later():
    perf, types = show()
    operator = make_user("operator-q", PHONE_OPERATOR)
    c = signed_in(operator)
    url, places = phone_sale(c, perf, caller(c))
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"action": "reserve", "deadline": when, f"type_{places[0]}": types["Press"].pk}
    refused = c.post(url, data)
    assert refused.status_code == 400 and "give the reason" in text_of(refused.content)
    assert f'value="{when}"' in refused.content.decode()  # the deadline typed is kept
    assert re.search(r'id="total" data-amount="60.00">\$60.00<', refused.content.decode())  # and its total
    assert not Order.objects.exists()
    response = c.post(url, {**data, "comp_reason": "Guest of the director"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == "reserved" and order.total == Decimal("60.00")  # one comp, one adult
    assert order.comp_reason == "Guest of the director"
    assert [line[2] for line in order.receipt["tickets"]] == ["Press", "Adult"]


def test_staff_seat_maps_label_seats_with_their_price_types(clerk):
    perf, _types = show()
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    page = c.get(f"/counter/performances/{perf.pk}/map/").content.decode()
    assert f'data-id="{places_of(perf)[0].pk}"' in page
    assert "Stalls, row A, seat 1, Adult $60.00, Child $35.00" in page
    assert "Press" not in page.split('id="seatmap"')[1]
    assert "from $35.00" in text_of(c.get("/counter/").content)


def test_a_retried_sale_reads_the_price_types_of_a_form_not_yet_checked():
    """A "Take payment" pressed again while the first is selling passes on the types asked
    without pricing them again: read from the form as sent, checked on the way."""
    from sales.channels.forms import PricesForm, price_types_of

    perf, types = show()
    places = places_of(perf)[:2]
    form = PricesForm({f"type_{places[0].pk}": types["Child"].pk, f"type_{places[1].pk}": types["Adult"].pk,
                       "promo_code": ""}, places=places, types=price_types_of(perf.pk), staff=True)
    asked = form.price_request()
    assert asked.types == {places[0].pk: types["Child"].pk, places[1].pk: types["Adult"].pk}
    assert asked.promo_code == "" and asked.comp_reason == ""


def test_each_price_type_choice_says_its_price_and_the_basis_is_said_beside_it(clerk):
    """A closed list cuts a long choice at its width ("Adult — $60.00 before" lost its
    "tax"): each choice says its type and price only, and what the prices hold is said
    once beside the list, which names it as its description."""
    from tests.support import quebec_taxes

    quebec_taxes()
    perf, _types = show()
    c = signed_in(clerk)
    sale_url, places = counter_sale(c, perf, quantity=1)
    page = c.get(sale_url).content.decode()
    field = f"type_{places[0]}"
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page[page.index(f'name="{field}"'):].split("</select>")[0])
    assert options[:2] == ["Adult — $60.00", "Child — $35.00"], options
    assert f'aria-describedby="id_{field}_basis"' in page
    assert re.search(rf'<small class="price-basis" id="id_{field}_basis">before tax</small>', page), page
