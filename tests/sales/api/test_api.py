import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory

from sales.api.permissions import TokenWithRoles
from sales.models import Hold, Order, Payment, Place
from sales.payments import APPROVE, DECLINE
from sales.policy import COUNTER_CLERK, policy_for
from sales.shifts import seats_held_by, shift_close, shift_open
from tests.factories import EventFactory, VenueFactory
from tests.support import (
    BUYER,
    CARD,
    assert_error,
    card_token,
    client_for,
    drawer,
    make_performance,
    make_user,
    on_the_day,
    places_of,
    provider,
)

pytestmark = pytest.mark.django_db


def buy(client, perf, n=2, payment=CARD, headers=None, **hold):
    hold = hold or {"places": [p.pk for p in places_of(perf, state="available")[:n]]}
    h = client.post("/api/v1/holds/", {"performance": perf.pk, **hold}, format="json")
    assert h.status_code == 201, h.content
    return client.post("/api/v1/orders/", {"hold": h.json()["token"], "customer": BUYER, "payment": payment},
                       format="json", headers=headers or {})


# --- catalogue ------------------------------------------------------------------------

def test_catalogue_is_public(performance):
    client = client_for()
    assert client.get("/api/v1/events/").json()[0]["title"] == performance.event.title
    perfs = client.get("/api/v1/performances/").json()
    assert {w["channel"] for w in perfs[0]["on_sale"]} == {"online", "counter", "phone"}
    assert all(w["open_now"] for w in perfs[0]["on_sale"])
    detail = client.get(f"/api/v1/performances/{performance.pk}/").json()
    assert detail["zones"][0] | {"id": 0} == {"id": 0, "name": "Stalls", "price": "50.00", "currency": "CAD",
                                             "color": "#3b82f6", "available": 100, "total": 100}


def test_seat_map_shows_every_place_and_its_state():
    perf = make_performance(rows=2, per_row=3, standing=10, wheelchair=True)
    client = client_for()
    assert buy(client, perf, n=1).status_code == 201
    data = client.get(f"/api/v1/performances/{perf.pk}/seatmap/").json()
    cols = data["columns"]
    assert len(data["seats"]) == 6
    states = [row[cols.index("state")] for row in data["seats"]]
    assert states.count("s") == 1 and states.count("a") == 5
    assert data["standing"][0]["capacity"] == 10 and data["standing"][0]["available"] == 10
    assert any("w" in row[cols.index("flags")] for row in data["seats"])
    assert client.get(f"/api/v1/performances/{perf.pk}/").json()["zones"][0]["available"] == 5


def test_the_seat_map_shows_seats_kept_for_another_channel_as_the_caller_sees_them(operator):
    """A seat the organizer keeps for the phone is not offered to an online buyer as free;
    the phone sees it free. Each flag and state the map uses is named in it."""
    from django.utils import timezone

    from events.models import Seat
    from sales import inventory

    perf = make_performance(rows=1, per_row=4, wheelchair=True)
    kept = places_of(perf)[1].pk
    inventory.allocate(performance=perf, place_ids=[kept], channel="phone", now=timezone.now())
    Seat.objects.filter(pk=places_of(perf)[2].seat_id).update(companion=True)
    online = client_for().get(f"/api/v1/performances/{perf.pk}/seatmap/").json()
    state = {row[0]: row[online["columns"].index("state")] for row in online["seats"]}
    assert state[kept] == "k" and online["states"]["k"] == "kept for another channel"
    phone = client_for(operator).get(f"/api/v1/performances/{perf.pk}/seatmap/").json()
    assert {row[0]: row[-1] for row in phone["seats"]}[kept] == "a"
    assert {"w", "c", "r"} <= set(online["flags"]) and online["flags"]["c"] == "companion seat"
    assert any("c" in row[online["columns"].index("flags")] for row in online["seats"])


# --- holds ----------------------------------------------------------------------------

def test_hold_best_and_standing_and_release():
    perf = make_performance(rows=2, per_row=5, standing=20)
    client = client_for()
    zone = perf.price_zones.get(name="Stalls")
    best = client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone.pk, "quantity": 3}, format="json")
    assert best.status_code == 201 and len(best.json()["places"]) == 3 and best.json()["live"]
    lawn = perf.venue.sections.get(kind="standing")
    standing = client.post("/api/v1/holds/", {"performance": perf.pk, "section": lawn.pk, "quantity": 4},
                           format="json")
    assert [p["section"] for p in standing.json()["places"]] == ["Lawn"] * 4
    token = best.json()["token"]
    assert client.get(f"/api/v1/holds/{token}/").json()["channel"] == "online"
    assert client.delete(f"/api/v1/holds/{token}/").status_code == 204
    assert_error(client.delete(f"/api/v1/holds/{token}/"), 409, "hold_not_active")
    assert Place.objects.filter(performance=perf, state="held").count() == 4


def test_a_standing_place_has_no_row_or_number_and_the_schema_says_it_may_not(tmp_path):
    import yaml

    perf = make_performance(rows=1, per_row=2, standing=4)
    lawn = perf.venue.sections.get(kind="standing")
    held = client_for().post("/api/v1/holds/", {"performance": perf.pk, "section": lawn.pk, "quantity": 1},
                             format="json").json()
    assert (held["places"][0]["row"], held["places"][0]["number"]) == (None, None)
    with open("docs/openapi.yaml") as schema:
        place = yaml.safe_load(schema)["components"]["schemas"]["PlaceOut"]["properties"]
    assert place["row"].get("nullable") and place["number"].get("nullable")


def test_a_hold_no_longer_active_is_not_priced(performance):
    """A quote is what buying the hold would cost: a basket released or sold has none."""
    client = client_for()
    token = client.post("/api/v1/holds/", {"performance": performance.pk,
                                           "places": [places_of(performance)[0].pk]}, format="json").json()["token"]
    assert client.post(f"/api/v1/holds/{token}/quote/", {}, format="json").status_code == 200
    client.delete(f"/api/v1/holds/{token}/")
    assert_error(client.post(f"/api/v1/holds/{token}/quote/", {}, format="json"), 409, "hold_not_active")


def test_a_token_sent_under_another_scheme_is_refused_not_taken_for_nobody(performance, clerk):
    """"Authorization: Bearer <key>" is a mistake to say, not an anonymous buyer to serve."""
    key = Token.objects.create(user=clerk).key
    wrong = APIClient().get("/api/v1/performances/", headers={"Authorization": f"Bearer {key}"})
    assert_error(wrong, 401, "authentication_failed")
    assert "Authorization: Token" in wrong.json()["error"]["message"]
    assert APIClient().get("/api/v1/performances/", headers={"Authorization": f"Token {key}"}).status_code == 200
    # A proxy's Basic credentials in front of a staff page are left to the page's session.
    from tests.support import signed_in

    behind_basic = signed_in(clerk).get("/api/v1/performances/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert behind_basic.status_code == 200


@pytest.mark.parametrize("header", ["Token\xa0{key}", "Token \xe9{key}", "Token\t\x85{key}", "\xa0Token {key}"])
def test_a_token_header_with_odd_characters_is_refused_not_taken_for_nobody(performance, clerk, header):
    """A staff token behind a character that is not plain ASCII (a non-breaking space, a
    byte a client mangled) is refused, never served as an anonymous buyer's request: a
    clerk's call made that way would hold places on the online channel."""
    key = Token.objects.create(user=clerk).key
    zone = performance.price_zones.get().pk
    odd = APIClient().post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 1},
                           format="json", HTTP_AUTHORIZATION=header.format(key=key))
    assert_error(odd, 401, "authentication_failed")
    assert not Hold.objects.filter(performance=performance).exists()


def test_unavailable_seats_answer_409_with_which_and_why(performance):
    client = client_for()
    a1, a2, a3 = places_of(performance)[:3]
    client.post("/api/v1/holds/", {"performance": performance.pk, "places": [a1.pk]}, format="json")
    error = assert_error(client.post("/api/v1/holds/", {"performance": performance.pk,
                                                        "places": [a1.pk, a2.pk]}, format="json"),
                         409, "unavailable")
    assert error["places"] == [{"id": a1.pk, "reason": "held by another buyer"}]
    assert Place.objects.get(pk=a2.pk).state == "available"


def test_asking_for_more_than_is_left_says_how_many_are():
    perf = make_performance(rows=1, per_row=3, standing=2)
    client = client_for()
    zone, lawn = perf.price_zones.get(name="Stalls"), perf.venue.sections.get(kind="standing")
    assert buy(client, perf, n=2).status_code == 201
    error = assert_error(client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone.pk, "quantity": 2},
                                     format="json"), 409, "unavailable")
    assert error["message"] == "only 1 place left in Stalls" and error["available"] == 1
    assert client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone.pk, "quantity": 1},
                       format="json").status_code == 201
    error = assert_error(client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone.pk, "quantity": 1},
                                     format="json"), 409, "unavailable")
    assert error["available"] == 0  # sold out: said, not left out as an empty value
    error = assert_error(client.post("/api/v1/holds/", {"performance": perf.pk, "section": lawn.pk, "quantity": 3},
                                     format="json"), 409, "unavailable")
    assert error["available"] == 2 and "standing" in error["message"]


@pytest.mark.parametrize("body, status, code, fragment", [
    ([], 400, "invalid", "JSON object"),
    ({"performance": "x"}, 400, "invalid", "performance"),
    ({"performance": 1}, 400, "invalid", "exactly one of places, zone or section"),
    ({"performance": 1, "zone": 1}, 400, "invalid", "quantity"),
    ({"performance": 1, "places": ["a"]}, 400, "invalid", "places"),
    ({"performance": 1, "places": [1] * 101}, 400, "invalid", "places"),
    ({"performance": 1, "places": [1], "zone": 2, "quantity": 1}, 400, "invalid", "exactly one"),
    ({"performance": 999999, "places": [1]}, 400, "invalid", "no such performance"),
    ({"performance": 1, "zone": 1, "quantity": 0}, 400, "invalid", "quantity"),
    ({"performance": 1, "places": [1], "channel": "fax"}, 400, "invalid", "channel"),
])
def test_bad_hold_bodies_get_one_error_shape(performance, body, status, code, fragment):
    if isinstance(body, dict) and body.get("performance") == 1:
        body = {**body, "performance": performance.pk}
    error = assert_error(client_for().post("/api/v1/holds/", body, format="json"), status, code)
    assert fragment in error["message"] or fragment in str(error.get("fields")), error
    assert Hold.objects.count() == 0


def test_a_hold_asked_with_what_its_way_does_not_read_is_refused_not_half_heard(performance):
    """`quantity` is for a zone or a section, `accessible` for a zone: sent with `places`,
    either had been dropped without a word (five places asked for, the one named held).
    Refused, naming the field, in the request's language; nothing held."""
    ids = [p.pk for p in places_of(performance, state="available")[:1]]
    zone = performance.price_zones.first().pk
    for extra, field in (({"places": ids, "quantity": 5}, "quantity"), ({"places": ids, "accessible": True},
                                                                         "accessible")):
        error = assert_error(client_for().post("/api/v1/holds/", {"performance": performance.pk, **extra},
                                               format="json"), 400, "invalid")
        assert error["fields"] == {field: [f"{field} is for a zone" + (" or a section" if field == "quantity"
                                                                        else "") + ", not with places"]}, error
    french = client_for().post("/api/v1/holds/", {"performance": performance.pk, "places": ids, "quantity": 2},
                               format="json", headers={"Accept-Language": "fr"})
    assert assert_error(french, 400, "invalid")["message"] == \
        "quantity: quantity va avec une zone ou une section, pas avec places"
    assert not Hold.objects.exists()
    fine = client_for().post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 1,
                                                "accessible": False}, format="json")
    assert fine.status_code == 201, fine.content


def test_input_fields_built_once_keep_no_request_of_their_own():
    """Inputs share their fields across requests (built once per class): threads
    validating good and bad bodies at once each get their own answer."""
    from concurrent.futures import ThreadPoolExecutor

    from sales.api.serializers import OrderIn

    def check(i):
        body = {"hold": f"h{i}", "customer": {"name": f"N{i}", "email": f"b{i}@example.org"},
                "payment": {"method": "test_card", "card_number": str(i)}}
        if i % 3 == 0:
            body["customer"]["email"] = "not an address"
        serializer = OrderIn(data=body)
        if serializer.is_valid():
            data = serializer.validated_data
            return (data["hold"], data["customer"]["email"], data["payment"]["card_number"]) == (
                f"h{i}", f"b{i}@example.org", str(i)) and i % 3 != 0
        return list(serializer.errors) == ["customer"] and "email" in serializer.errors["customer"] and i % 3 == 0

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(check, range(2000)))
    assert OrderIn().fields["customer"].fields is OrderIn().fields["customer"].fields
    # what they are bound to holds no request's data (no card number kept in memory)
    assert not hasattr(OrderIn().fields.serializer, "initial_data")
    assert not hasattr(OrderIn().fields["payment"].fields.serializer.root, "initial_data")


def test_malformed_json_is_a_400_not_a_500():
    response = client_for().post("/api/v1/holds/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")



def test_a_lone_surrogate_anywhere_in_a_body_is_a_400_not_a_500(performance, organizer):
    """Valid JSON, but not text: a choice field's "not a valid choice" quoted it back and
    the answer could not be encoded."""
    import json

    def body(data, lone="\\ud800"):  # JSON text with the escape itself, as a hostile client sends it
        return json.dumps(data).replace("LONE", lone)

    place = places_of(performance)[0].pk
    buyer = {"name": "a", "email": "a@b.co"}
    bodies = [
        ("/api/v1/holds/", body({"performance": performance.pk, "places": [place], "channel": "LONE"}), None),
        ("/api/v1/orders/", body({"hold": "x", "customer": buyer, "payment": {"method": "LONE"}}, "\\udfff"), None),
        ("/api/v1/orders/", body({"hold": "x", "customer": buyer, "language": "LONE",
                                  "payment": {"method": "card", "token": "tok_x"}}), None),
        ("/api/v1/holds/", body({"performance": performance.pk, "places": [place], "LONE": 1}, "\\ud83d"), None),
        (f"/api/v1/performances/{performance.pk}/allocate/", body({"places": [place], "channel": "LONE"}), organizer),
    ]
    for path, text, user in bodies:
        response = client_for(user).post(path, text, content_type="application/json")
        assert_error(response, 400, "parse_error")
        assert "surrogate" in response.json()["error"]["message"]
    assert not Hold.objects.exists()
    # A pair of surrogates is one character (a mask): read, and quoted back as itself.
    pair = body({"performance": performance.pk, "places": [place], "LONE": 1}, "\\ud83c\\udfad")
    unknown = client_for().post("/api/v1/holds/", pair, content_type="application/json")
    assert assert_error(unknown, 400, "invalid")["fields"] == {"\U0001f3ad": ["unknown field: nothing was done"]}


def test_tickets_of_another_performance_and_too_many(performance):
    other = make_performance()
    client = client_for()
    error = assert_error(client.post("/api/v1/holds/", {"performance": performance.pk,
                                                        "places": [places_of(other)[0].pk]}, format="json"),
                         400, "invalid")
    assert error["places"][0]["reason"] == "unknown place"
    assert_error(client.post("/api/v1/holds/", {"performance": performance.pk,
                                                "places": [p.pk for p in places_of(performance)[:11]]},
                             format="json"), 400, "invalid")


# --- orders ---------------------------------------------------------------------------

def test_anonymous_buys_online_and_gets_tickets_and_codes(performance):
    response = buy(client_for(), performance)
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "paid" and order["total"] == "100.00" and len(order["tickets"]) == 2
    assert all(len(t["code"]) >= 32 for t in order["tickets"])
    assert order["link"].endswith(f"/orders/{order['code']}/{Order.objects.get().access_token}/")


def test_declined_card_is_402_and_keeps_the_hold(performance):
    client = client_for()
    response = buy(client, performance, payment={"method": "test_card", "card_number": DECLINE})
    assert_error(response, 402, "payment_declined")
    assert Place.objects.filter(performance=performance, state="held").count() == 2


def test_anonymous_cannot_use_the_counter_channel(performance):
    response = client_for().post("/api/v1/holds/", {"performance": performance.pk, "channel": "counter",
                                                    "places": [places_of(performance)[0].pk]}, format="json")
    assert_error(response, 403, "not_permitted")
    hold = client_for().post("/api/v1/holds/", {"performance": performance.pk,
                                                "places": [places_of(performance)[0].pk]}, format="json")
    paid_cash = client_for().post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER,
                                                      "payment": {"method": "cash", "tendered": "100"}},
                                  format="json")
    assert_error(paid_cash, 400, "invalid")


def test_clerk_token_sells_at_the_counter_with_cash(performance, clerk):
    client = client_for(clerk)
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    response = buy(client, performance, payment={"method": "cash", "tendered": "120.00"})
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "counter" and response.json()["change_due"] == "20.00"
    assert Order.objects.get(code=response.json()["code"]).payments.get().shift == shift  # in the drawer's count
    low = buy(client, performance, payment={"method": "cash", "tendered": "10"})
    assert "less than the total" in assert_error(low, 400, "invalid")["message"]


def test_cash_through_the_api_goes_into_an_open_shift_or_not_at_all(performance, clerk, organizer):
    """As at the counter's pages: no cash is taken or paid back outside a drawer that is counted."""
    client = client_for(clerk)
    refused = buy(client, performance, payment={"method": "cash", "tendered": "100"})
    assert "drawer of an open shift" in assert_error(refused, 400, "invalid")["message"]
    assert not Order.objects.exists() and not Payment.objects.exists()
    shift = shift_open(clerk=clerk, cash_float=Decimal("50"))
    code = buy(client, performance, payment={"method": "cash", "tendered": "100"}).json()["code"]
    # The seats of the purchase refused above are still held by the clerk: released with the close.
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("150"), counted_card=Decimal("0"),
                release=seats_held_by(clerk).values_list("pk", flat=True))
    for caller in (client, client_for(organizer)):  # the drawer is closed; the organizer has none
        no_drawer = caller.post(f"/api/v1/orders/{code}/refund/")
        assert "drawer of an open shift" in assert_error(no_drawer, 400, "invalid")["message"]
    assert Order.objects.get(code=code).status == "paid" and Payment.objects.count() == 1
    later = shift_open(clerk=clerk, cash_float=Decimal("100"))
    refunded = client.post(f"/api/v1/orders/{code}/refund/")
    assert refunded.json()["status"] == "refunded"
    assert Payment.objects.get(amount__lt=0).shift == later


def test_counter_card_terminal_and_phone_card_not_present(performance, clerk, operator):
    terminal = {"method": "card_terminal", "reference": "AUTH-0042"}
    # The terminal's takings are counted when the shift closes, as the drawer's are.
    no_shift = buy(client_for(clerk), performance, payment=terminal)
    assert "open shift" in assert_error(no_shift, 400, "invalid")["message"]
    assert not Order.objects.exists() and not Payment.objects.exists()
    shift = drawer(clerk)
    counter = buy(client_for(clerk), performance, payment=terminal)
    assert counter.status_code == 201, counter.content
    assert counter.json()["channel"] == "counter" and counter.json()["change_due"] is None
    taken = Order.objects.get(code=counter.json()["code"]).payments.get()
    assert taken.reference == "AUTH-0042" and taken.shift == shift
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("100"), counted_card=Decimal("100"),
                release=seats_held_by(clerk).values_list("pk", flat=True))  # the refused purchase's seats
    refused = client_for(clerk).post(f"/api/v1/orders/{counter.json()['code']}/refund/")
    assert "open shift" in assert_error(refused, 400, "invalid")["message"]
    assert Payment.objects.count() == 1
    later = drawer(clerk)
    assert client_for(clerk).post(f"/api/v1/orders/{counter.json()['code']}/refund/").json()["status"] == "refunded"
    assert Payment.objects.get(amount__lt=0).shift == later
    no_ref = buy(client_for(clerk), performance, payment={"method": "card_terminal", "reference": ""})
    assert "authorisation reference" in assert_error(no_ref, 400, "invalid")["message"]
    phone = client_for(operator)
    by_number = buy(phone, performance, payment={"method": "card_not_present", "card_number": APPROVE})
    assert assert_error(by_number, 400, "invalid")["fields"]["payment"]["card_number"]
    by_phone = buy(phone, performance, payment={"method": "card_not_present", "token": card_token()})
    assert by_phone.status_code == 201, by_phone.content
    assert by_phone.json()["channel"] == "phone" and len(by_phone.json()["tickets"]) == 2
    intent = Order.objects.get(code=by_phone.json()["code"]).payments.get().reference
    assert provider().v1.payment_intents.retrieve(intent).status == "succeeded"
    cash = buy(phone, performance, payment={"method": "cash", "tendered": "500"})
    assert_error(cash, 400, "invalid")  # the phone channel takes no cash


def test_phone_operator_reserves_and_the_caller_pays_later(performance, operator, clerk):
    phone = client_for(operator)
    ids = [p.pk for p in places_of(performance)[:2]]
    token = phone.post("/api/v1/holds/", {"performance": performance.pk, "places": ids}, format="json").json()["token"]
    too_far = timezone.now() + timedelta(days=30)
    late = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "reserve_until": too_far.isoformat()},
                      format="json")
    assert assert_error(late, 400, "invalid")["field"] == "reserve_until"  # the request's own field
    assert "within 7 days" in late.json()["error"]["message"]
    both = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD,
                                          "reserve_until": too_far.isoformat()}, format="json")
    assert "exactly one of payment or reserve_until" in assert_error(both, 400, "invalid")["message"]
    deadline = timezone.now() + timedelta(days=2)
    naive = deadline.replace(tzinfo=None).isoformat()  # on whose clock? refused, nothing reserved
    for language, words in (("en", "with its offset from UTC"), ("fr", "avec son décalage par rapport à UTC")):
        unclear = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "reserve_until": naive},
                             format="json", headers={"Accept-Language": language})
        assert list(assert_error(unclear, 400, "invalid")["fields"]) == ["reserve_until"]
        assert words in unclear.json()["error"]["message"] and not Order.objects.exists()
    unknown = phone.post("/api/v1/orders/", {"hold": "no-such-hold", "customer": BUYER,
                                             "reserve_until": deadline.isoformat()}, format="json")
    assert assert_error(unknown, 400, "invalid")["field"] == "hold" and not Order.objects.exists()
    reserved = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "reserve_until": deadline.isoformat()},
                          format="json", headers={"Idempotency-Key": "reserve-1"})
    assert reserved.status_code == 201, reserved.content
    order = reserved.json()
    assert order["status"] == "reserved" and order["tickets"] == [] and order["total"] == "100.00"
    assert abs(timezone.datetime.fromisoformat(order["payment_deadline"]) - deadline) < timedelta(seconds=1)
    held = Place.objects.filter(pk__in=ids)
    assert {p.state for p in held} == {"held"} and all(abs(p.hold_expires_at - deadline) < timedelta(seconds=1)
                                                     for p in held)
    code = order["code"]
    assert_error(client_for().post(f"/api/v1/orders/{code}/pay/", CARD, format="json"), 401, "not_authenticated")
    declined = phone.post(f"/api/v1/orders/{code}/pay/", {"method": "card_not_present",
                                                          "token": card_token("4000000000000341")}, format="json")
    assert_error(declined, 402, "payment_declined")
    pay = {"method": "card_not_present", "token": card_token()}
    paid = phone.post(f"/api/v1/orders/{code}/pay/", pay, format="json", headers={"Idempotency-Key": "pay-1"})
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid" and len(paid.json()["tickets"]) == 2
    again = phone.post(f"/api/v1/orders/{code}/pay/", pay, format="json", headers={"Idempotency-Key": "pay-1"})
    assert again.json() == paid.json() and again["Idempotent-Replayed"] == "true"
    assert_error(phone.post(f"/api/v1/orders/{code}/pay/", pay, format="json"), 409, "illegal_transition")
    assert Order.objects.get(code=code).payments.filter(status="approved").count() == 1
    assert {p.state for p in Place.objects.filter(pk__in=ids)} == {"sold"}


def test_who_may_pay_a_reservation(performance, operator, clerk, organizer):
    phone = client_for(operator)
    token = phone.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                       format="json").json()["token"]
    code = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "reserve_until": (
        timezone.now() + timedelta(days=1)).isoformat()}, format="json").json()["code"]
    card = {"method": "card_not_present", "token": card_token()}
    shopper = make_user("shopper")
    assert_error(client_for(shopper).post(f"/api/v1/orders/{code}/pay/", card, format="json"), 403,
                 "permission_denied")
    # A clerk takes a reservation's payment at the counter, by the counter's means and into
    # an open shift; a card by phone is the phone operators' work.
    at_counter = client_for(clerk)
    for method in ({"method": "cash", "tendered": "60"}, {"method": "card_terminal", "reference": "AUTH-7"}):
        assert "open shift" in assert_error(at_counter.post(f"/api/v1/orders/{code}/pay/", method, format="json"),
                                            400, "invalid")["message"]
    assert_error(at_counter.post(f"/api/v1/orders/{code}/pay/", card, format="json"), 400, "invalid")
    drawer(clerk)
    assert_error(at_counter.post(f"/api/v1/orders/{code}/pay/", card, format="json"), 400, "invalid")
    assert not Payment.objects.exists()
    # An organizer sets up and refunds; taking payments is the operators' and clerks' work.
    assert_error(client_for(organizer).post(f"/api/v1/orders/{code}/pay/", card, format="json"), 403,
                 "not_permitted")
    assert Order.objects.get(code=code).status == "reserved"
    assert phone.post(f"/api/v1/orders/{code}/pay/", card, format="json").json()["status"] == "paid"
    assert_error(phone.post("/api/v1/orders/NOPE/pay/", card, format="json"), 404, "not_found")


def test_only_the_phone_reserves_to_pay_later(performance, clerk):
    for client in (client_for(), client_for(clerk)):
        hold = client.post("/api/v1/holds/", {"performance": performance.pk,
                                              "places": [places_of(performance, state="available")[0].pk]},
                           format="json").json()["token"]
        response = client.post("/api/v1/orders/", {"hold": hold, "customer": BUYER, "reserve_until": (
            timezone.now() + timedelta(days=1)).isoformat()}, format="json")
        assert_error(response, 403, "not_permitted")
    assert not Order.objects.exists()


def test_token_login_brings_the_roles_and_refuses_unknown_or_inactive_users(performance, clerk,
                                                                           django_assert_num_queries):
    client = client_for(clerk)
    place = places_of(performance)[0].pk
    # The login reads the user and their roles in one query; the role check reads nothing more.
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=clerk).key}")
    with django_assert_num_queries(1):
        user, _token = TokenWithRoles().authenticate(request)
        assert user == clerk and policy_for("counter").allows(user) and not policy_for("phone").allows(user)
    clerk.groups.clear()
    assert policy_for("counter").allows(user)  # this request's roles: read once
    assert COUNTER_CLERK not in TokenWithRoles().authenticate(request)[0]._boxoffice_roles  # the next one's
    refused = client.post("/api/v1/holds/", {"performance": performance.pk, "channel": "counter",
                                             "places": [place]}, format="json")
    assert_error(refused, 403, "not_permitted")
    clerk.is_active = False
    clerk.save()
    assert client.get("/api/v1/orders/LOOKUP/").status_code == 401
    unknown = APIClient()
    unknown.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert unknown.get("/api/v1/events/").status_code == 401


def test_a_staff_session_may_use_the_api_with_its_csrf_token(performance, clerk):
    """Token or session: a clerk signed in to the counter may call the API from the page,
    as the counter channel, but only with the CSRF token (a session is what a forged
    cross-site request would ride on)."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk)
    body = {"performance": performance.pk, "places": [places_of(performance)[0].pk]}
    forged = browser.post("/api/v1/holds/", body, content_type="application/json")
    assert "CSRF" in assert_error(forged, 403, "permission_denied")["message"]
    assert not Hold.objects.exists()
    browser.get("/login/")  # any page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    held = browser.post("/api/v1/holds/", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert held.status_code == 201, held.content
    assert held.json()["channel"] == "counter"


def test_permission_matrix_for_refunds(performance, clerk, operator, organizer):
    cheap = buy(client_for(), performance, n=2).json()["code"]
    performance.price_zones.update(price=Decimal("200.00"))
    dear = buy(client_for(), performance, n=2).json()["code"]
    assert_error(client_for().post(f"/api/v1/orders/{cheap}/refund/"), 401, "not_authenticated")
    refused = assert_error(client_for(operator).post(f"/api/v1/orders/{cheap}/refund/"), 403, "not_permitted")
    assert refused["message"] == "your role does not refund orders; ask a supervisor"  # not a matter of amount
    assert_error(client_for(clerk).post(f"/api/v1/orders/{dear}/refund/"), 403, "not_permitted")
    assert client_for(clerk).post(f"/api/v1/orders/{cheap}/refund/").json()["status"] == "refunded"
    assert client_for(organizer).post(f"/api/v1/orders/{dear}/refund/").json()["status"] == "refunded"
    assert_error(client_for(organizer).post(f"/api/v1/orders/{dear}/refund/"), 409, "illegal_transition")


def test_a_customer_reads_only_their_own_orders(performance):
    alice, bob = make_user("alice"), make_user("bob")
    code = buy(client_for(alice), performance).json()["code"]
    assert client_for(alice).get(f"/api/v1/orders/{code}/").status_code == 200
    assert_error(client_for(bob).get(f"/api/v1/orders/{code}/"), 404, "not_found")
    assert_error(client_for().get(f"/api/v1/orders/{code}/"), 404, "not_found")
    token = Order.objects.get(code=code).access_token
    assert client_for().get(f"/api/v1/orders/{code}/?token={token}").status_code == 200


def test_an_account_that_bought_with_an_email_does_not_read_what_others_buy_with_it(performance):
    """An email address typed for an order proves nothing about who owns it: an account
    that bought with a buyer's address first does not read that buyer's later orders."""
    squatter = client_for(make_user("squatter"))
    first = squatter.post("/api/v1/orders/", {
        "hold": squatter.post("/api/v1/holds/", {"performance": performance.pk, "places": [
            places_of(performance, state="available")[0].pk]}, format="json").json()["token"],
        "customer": {"name": "Someone", "email": BUYER["email"]}, "payment": CARD}, format="json")
    assert first.status_code == 201, first.content
    theirs = buy(client_for(), performance).json()["code"]  # the address's owner, later, anonymously
    assert_error(squatter.get(f"/api/v1/orders/{theirs}/"), 404, "not_found")
    assert squatter.get(f"/api/v1/orders/{first.json()['code']}/").status_code == 200  # their own, still


def test_cancel_unpaid_and_resend(performance, organizer, django_capture_on_commit_callbacks):
    client = client_for()
    failed = buy(client, performance, payment={"method": "test_card", "card_number": DECLINE})
    assert failed.status_code == 402
    order = Order.objects.get()
    staff = client_for(organizer)
    assert staff.post(f"/api/v1/orders/{order.code}/cancel/").json()["status"] == "cancelled"
    assert not Place.objects.filter(performance=performance, state="held").exists()
    paid = buy(client, performance).json()["code"]
    assert_error(staff.post(f"/api/v1/orders/{paid}/cancel/"), 409, "illegal_transition")
    Order.objects.filter(code=paid).update(confirmation_sent_at=timezone.now())  # as the worker records it
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert staff.post(f"/api/v1/orders/{paid}/resend-confirmation/").status_code == 200
    # Due again, and its task asked for after commit (the worker's sending is test_worker.py's).
    assert Order.objects.get(code=paid).confirmation_sent_at is None and len(callbacks) == 1
    assert_error(client_for().post(f"/api/v1/orders/{paid}/resend-confirmation/"), 401, "not_authenticated")



def test_staff_do_not_give_up_an_order_its_buyer_is_paying(performance, operator, organizer):
    """A shopper at their bank's step: no operator pulls the seats from under them."""
    shopper = client_for()
    waiting = buy(shopper, performance, payment={"method": "card", "token": card_token("4000002500003155")})
    assert waiting.status_code == 402, waiting.content
    code = waiting.json()["error"]["order"]
    for staff in (operator, organizer):
        refused = client_for(staff).post(f"/api/v1/orders/{code}/cancel/")
        assert "awaiting its buyer's payment" in assert_error(refused, 409, "illegal_transition")["message"]
    assert Order.objects.get(code=code).status == "pending"
    assert Place.objects.filter(performance=performance, state="held").count() == 2


def test_door_staff_read_no_order_and_no_order_is_resent_unless_paid(performance, clerk, operator):
    door = make_user("door-api", "door staff")
    drawer(clerk)
    paid = buy(client_for(clerk), performance, payment={"method": "card_terminal", "reference": "AUTH-1"}).json()
    assert_error(client_for(door).get(f"/api/v1/orders/{paid['code']}/"), 404, "not_found")
    assert client_for(operator).get(f"/api/v1/orders/{paid['code']}/").status_code == 200
    zone = performance.price_zones.get().pk
    hold = client_for(operator).post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 1},
                                     format="json").json()
    reserved = client_for(operator).post("/api/v1/orders/", {
        "hold": hold["token"], "customer": BUYER, "reserve_until": (timezone.now() + timedelta(days=2)).isoformat()},
        format="json").json()
    before = Order.objects.values("confirmation_number", "confirmation_sent_at").get(code=reserved["code"])
    refused = client_for(operator).post(f"/api/v1/orders/{reserved['code']}/resend-confirmation/")
    assert "only a paid order" in assert_error(refused, 409, "illegal_transition")["message"]
    assert Order.objects.values("confirmation_number", "confirmation_sent_at").get(code=reserved["code"]) == before

def _reservation(performance, operator) -> str:
    zone = performance.price_zones.get().pk
    hold = client_for(operator).post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 1},
                                     format="json").json()
    reserved = client_for(operator).post("/api/v1/orders/", {
        "hold": hold["token"], "customer": BUYER, "reserve_until": (timezone.now() + timedelta(days=2)).isoformat()},
        format="json")
    assert reserved.status_code == 201, reserved.content
    return reserved.json()["code"]


def test_only_the_phone_and_the_organizer_cancel_a_reservation_or_email_its_payment_link(
        performance, clerk, operator, organizer, django_capture_on_commit_callbacks):
    """The counter takes a reservation's payment, and nothing else of it: its pages neither
    cancel it nor email its link (the phone console's actions). Its token is refused both,
    with nothing done; the operator's and the organizer's do them."""
    drawer(clerk)
    code = _reservation(performance, operator)
    refused = assert_error(client_for(clerk).post(f"/api/v1/orders/{code}/payment-link/"), 403, "permission_denied")
    assert "phone operator" in refused["message"]
    assert_error(client_for(clerk).post(f"/api/v1/orders/{code}/cancel/"), 403, "permission_denied")
    order = Order.objects.get(code=code)
    assert order.status == "reserved" and not order.events.filter(action="payment link sent").exists()
    assert Place.objects.filter(performance=performance, state="held").count() == 1
    for staff in (operator, organizer):
        with django_capture_on_commit_callbacks(execute=True):
            sent = client_for(staff).post(f"/api/v1/orders/{code}/payment-link/")
        assert sent.status_code == 200, sent.content
    assert order.events.filter(action="payment link sent").count() == 2
    assert client_for(organizer).post(f"/api/v1/orders/{code}/cancel/").json()["status"] == "cancelled"
    assert client_for(operator).post(f"/api/v1/orders/{_reservation(performance, operator)}/cancel/"
                                     ).json()["status"] == "cancelled"
    assert not Place.objects.filter(performance=performance, state="held").exists()


# --- idempotency ----------------------------------------------------------------------

def test_idempotency_key_replays_the_first_response(performance):
    client = client_for()
    ids = [p.pk for p in places_of(performance)[:2]]
    body = {"performance": performance.pk, "places": ids}
    first = client.post("/api/v1/holds/", body, format="json", headers={"Idempotency-Key": "hold-key-0000001"})
    again = client.post("/api/v1/holds/", body, format="json", headers={"Idempotency-Key": "hold-key-0000001"})
    assert first.status_code == again.status_code == 201
    assert first.json()["token"] == again.json()["token"] and again["Idempotent-Replayed"] == "true"
    assert Hold.objects.count() == 1
    other = client.post("/api/v1/holds/", {**body, "places": ids[:1]}, format="json",
                        headers={"Idempotency-Key": "hold-key-0000001"})
    assert_error(other, 422, "idempotency_key_reused")
    order_body = {"hold": first.json()["token"], "customer": BUYER, "payment": CARD}
    o1 = client.post("/api/v1/orders/", order_body, format="json", headers={"Idempotency-Key": "order-key-000001"})
    o2 = client.post("/api/v1/orders/", order_body, format="json", headers={"Idempotency-Key": "order-key-000001"})
    assert o1.json()["code"] == o2.json()["code"] and Order.objects.count() == 1


def test_anonymous_callers_keys_are_their_own(performance):
    """Two anonymous callers who happen to pick the same key (and ask for the same thing)
    each get their own answer: one must not be handed the other's hold."""
    zone = performance.price_zones.get().pk
    body = {"performance": performance.pk, "zone": zone, "quantity": 2}
    first = APIClient(REMOTE_ADDR="198.51.100.7").post("/api/v1/holds/", body, format="json",
                                                        headers={"Idempotency-Key": "the-same-key-0001"})
    other = APIClient(REMOTE_ADDR="203.0.113.9").post("/api/v1/holds/", body, format="json",
                                                       headers={"Idempotency-Key": "the-same-key-0001"})
    assert first.status_code == other.status_code == 201
    assert first.json()["token"] != other.json()["token"] and "Idempotent-Replayed" not in other
    assert Hold.objects.count() == 2


def test_longest_key_on_an_order_is_kept_whole_and_replays(performance):
    key = "k" * 100
    hold = client_for().post("/api/v1/holds/", {"performance": performance.pk, "places": [
        places_of(performance)[0].pk]}, format="json").json()["token"]
    body = {"hold": hold, "customer": BUYER, "payment": CARD}
    first = client_for().post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
    again = client_for().post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201, first.content
    assert again.json()["code"] == first.json()["code"] and again["Idempotent-Replayed"] == "true"
    assert_error(client_for().post("/api/v1/orders/", {}, format="json", headers={"Idempotency-Key": key + "x"}),
                 400, "invalid")


def test_anonymous_keys_must_be_long_enough_to_be_nobody_elses(performance, clerk):
    body = {"performance": performance.pk, "places": [places_of(performance)[0].pk]}
    short = client_for().post("/api/v1/holds/", body, format="json", headers={"Idempotency-Key": "1"})
    assert "at least 16 characters" in assert_error(short, 400, "invalid")["message"]
    assert not Hold.objects.exists()
    # A login is a scope of its own: its keys may be short.
    assert client_for(clerk).post("/api/v1/holds/", body, format="json",
                                  headers={"Idempotency-Key": "1"}).status_code == 201


# --- tickets --------------------------------------------------------------------------

def test_check_in_once(performance, clerk):
    code = buy(client_for(), performance).json()["tickets"][0]["code"]
    here = {"performance": performance.pk, "door": "North gate"}
    assert_error(client_for().post(f"/api/v1/tickets/{code}/check-in/", here, format="json"), 401,
                 "not_authenticated")
    door = client_for(clerk)
    assert_error(door.post(f"/api/v1/tickets/{code}/check-in/"), 400, "invalid")  # which performance?
    other = make_performance()
    refused = assert_error(door.post(f"/api/v1/tickets/{code}/check-in/", {"performance": other.pk}, format="json"),
                           409, "wrong_performance")
    assert refused["performance"] == performance.pk and "this ticket is for" in refused["message"]
    # On the venue's clock, as every time the API writes (the performance's own starts_at).
    assert refused["starts_at"] == client_for().get(f"/api/v1/performances/{performance.pk}/").json()["starts_at"]
    # Days before the performance (gate hardware set to the wrong show): refused, kept for its day.
    early = assert_error(door.post(f"/api/v1/tickets/{code}/check-in/", here, format="json"), 409,
                         "illegal_transition")
    assert "its tickets are refused until the day" in early["message"]
    assert not door.get(f"/api/v1/tickets/{code}/").json()["checked_in_at"]
    on_the_day(performance)
    admitted = door.post(f"/api/v1/tickets/{code}/check-in/", here, format="json")
    assert admitted.status_code == 200 and admitted.json()["door"] == "North gate"
    again = assert_error(door.post(f"/api/v1/tickets/{code}/check-in/", here, format="json"), 409,
                         "illegal_transition")
    assert "already checked in at" in again["message"] and again["checked_in_at"] and again["door"] == "North gate"
    assert_error(door.post("/api/v1/tickets/nope/check-in/", here, format="json"), 404, "not_found")
    assert_error(door.get("/api/v1/tickets/nope/"), 404, "not_found")
    assert door.get(f"/api/v1/tickets/{code}/").json()["checked_in_at"]


def test_a_scan_time_without_its_offset_is_refused_not_read_on_the_servers_clock(performance, clerk):
    """A scan queued offline says when it was made; without an offset that time would be
    read on the server's clock, not the device's, and the check-in dated hours off."""
    code = buy(client_for(), performance).json()["tickets"][0]["code"]
    on_the_day(performance)
    door = client_for(clerk)
    made = timezone.localtime(timezone.now() - timedelta(minutes=5))
    naive = {"performance": performance.pk, "scanned_at": made.replace(tzinfo=None).isoformat()}
    refused = assert_error(door.post(f"/api/v1/tickets/{code}/check-in/", naive, format="json"), 400, "invalid")
    assert "offset" in refused["message"]
    assert not door.get(f"/api/v1/tickets/{code}/").json()["checked_in_at"]
    aware = {"performance": performance.pk, "scanned_at": made.isoformat()}
    assert door.post(f"/api/v1/tickets/{code}/check-in/", aware, format="json").status_code == 200


# --- organizer ------------------------------------------------------------------------

def test_organizer_sets_up_and_puts_on_sale(organizer, clerk):
    venue, event = VenueFactory(), EventFactory()
    org = client_for(organizer)
    bad = org.post(f"/api/v1/venues/{venue.pk}/seating-plan/",
                   {"format": "csv", "content": "section,row,number\nS,A,1\nS,A,1"}, format="json")
    assert "line 3" in assert_error(bad, 400, "invalid_seating_plan")["errors"][0]
    plan = "section,row,number\n" + "\n".join(f"Floor,A,{n}" for n in range(1, 6))
    assert org.post(f"/api/v1/venues/{venue.pk}/seating-plan/", {"format": "csv", "content": plan},
                    format="json").json() == {"count": 5}
    section = venue.sections.get()
    perf = org.post("/api/v1/performances/", {
        "event": event.pk, "venue": venue.pk, "starts_at": "2030-06-01T20:00:00Z", "ticket_limit": 4,
        "zones": [{"name": "All", "price": "25.00", "sections": [section.pk]}],
        "windows": [{"channel": "online", "opens_at": "2020-01-01T00:00:00Z",
                     "closes_at": "2030-06-01T20:00:00Z"}]}, format="json")
    assert perf.status_code == 201, perf.content
    pk = perf.json()["id"]
    assert org.post(f"/api/v1/performances/{pk}/put-on-sale/").json() == {"count": 5}
    seat_ids = list(Place.objects.filter(performance_id=pk).values_list("pk", flat=True))
    assert org.post(f"/api/v1/performances/{pk}/block/", {"places": seat_ids[:2]}, format="json").json() == {
        "count": 2}
    assert org.post(f"/api/v1/performances/{pk}/allocate/", {"places": seat_ids[2:3], "channel": "counter"},
                    format="json").json() == {"count": 1}
    assert_error(client_for(clerk).post(f"/api/v1/performances/{pk}/put-on-sale/"), 403, "permission_denied")
    assert_error(client_for().post("/api/v1/performances/", {}, format="json"), 401, "not_authenticated")


# --- health and schema ----------------------------------------------------------------

def test_health_and_readiness(client, django_assert_num_queries, settings):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz").json()
    assert ready == {"status": "ok", "checks": {"postgresql": "ok", "redis": "ok"}}
    # A Redis that does not answer: still ready (every door sells without it), said degraded.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.5}}}
    down = client.get("/readyz")
    assert down.status_code == 200
    assert down.json()["status"] == "degraded" and down.json()["checks"]["postgresql"] == "ok"
    assert down.json()["checks"]["redis"].startswith("error")
    assert client.get("/healthz").status_code == 200  # liveness does not depend on it


def test_options_names_the_methods_and_media_types_not_the_codes_own_notes(performance):
    client = client_for()
    token = client.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                        format="json").json()["token"]
    for path, methods in ((f"/api/v1/holds/{token}/", "GET, DELETE, HEAD, OPTIONS"),
                          ("/api/v1/holds/", "POST, OPTIONS")):
        answer = client.options(path)
        assert answer.status_code == 200 and answer["Allow"] == methods
        assert "description" not in answer.json() and answer.json()["parses"] == ["application/json"]
        assert "holds." not in answer.content.decode()  # the docstring's reference to the code


@pytest.mark.parametrize("method, path, kwargs, status, code", [
    ("get", "/api/v1/holds/", {}, 405, "method_not_allowed"),
    ("delete", "/api/v1/orders/", {}, 405, "method_not_allowed"),
    ("post", "/api/v1/holds/", {"data": "performance=1", "content_type": "application/x-www-form-urlencoded"},
     415, "unsupported_media_type"),
    ("get", "/api/v1/no-such-thing/", {}, 404, "not_found"),
    ("get", "/api/v1/performances/999999/", {}, 404, "not_found"),
    ("get", "/api/v1/events/", {"HTTP_HOST": "evil.example"}, 400, "bad_request"),
])
def test_the_frameworks_own_refusals_keep_the_error_shape(client, method, path, kwargs, status, code):
    assert_error(getattr(client, method)(path, **kwargs), status, code)


def test_hold_detail_shows_its_expiry_and_a_release_frees_the_seats(performance):
    client = client_for()
    ids = [p.pk for p in places_of(performance)[:2]]
    token = client.post("/api/v1/holds/", {"performance": performance.pk, "places": ids},
                        format="json").json()["token"]
    seen = client.get(f"/api/v1/holds/{token}/").json()
    lapses = timezone.datetime.fromisoformat(seen["expires_at"])
    assert timedelta(minutes=9) < lapses - timezone.now() <= policy_for("online").hold_for
    assert seen["live"] and [p["id"] for p in seen["places"]] == ids
    assert client.delete(f"/api/v1/holds/{token}/").status_code == 204
    assert client.get(f"/api/v1/holds/{token}/").json()["status"] == "released"
    assert {p.state for p in Place.objects.filter(pk__in=ids)} == {"available"}
    assert_error(client.get("/api/v1/holds/no-such-hold/"), 404, "not_found")


def test_seat_map_of_a_9000_place_venue_is_one_small_response():
    perf = make_performance(rows=60, per_row=150)
    response = client_for().get(f"/api/v1/performances/{perf.pk}/seatmap/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and len(response.json()["seats"]) == 9000
    size = len(response.content)
    print(f"seat map of 9,000 seats: {size / 1024:.0f} kB")
    assert size < 450 * 1024, size  # about 40 bytes a seat


def test_the_api_root_names_its_resources_and_its_reference(db):
    """/api/v1/, the address `make run` prints, answers with where to go, not a 404."""
    client = APIClient()
    root = client.get("/api/v1/")
    assert root.status_code == 200 and root["Content-Type"] == "application/json"
    links = root.json()
    assert set(links) >= {"docs", "schema", "events", "performances", "holds", "orders"}
    assert links["docs"] == "http://testserver/api/docs/"
    for name in ("docs", "events", "performances"):
        assert client.get(links[name]).status_code == 200, name


def test_openapi_schema_is_in_step_with_the_code(tmp_path):
    from pathlib import Path

    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    committed = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"
    assert out.read_text() == committed.read_text(), (
        "docs/openapi.yaml is stale: run `manage.py spectacular --file docs/openapi.yaml`")


def test_the_schema_tells_an_integrator_how_a_sale_goes(client):
    """What the reference page opens with (the schema's description): how to sign in, a
    sale's two steps, the idempotency key, the error shape and the limits, each pointing at
    what the endpoints below hold, so that /api/docs/ is enough to start."""
    import yaml

    described = yaml.safe_load(client.get("/api/schema/").content)["info"]["description"]
    for said in ("Authorization: Token", "POST /api/v1/holds/", "POST /api/v1/orders/", "Idempotency-Key",
                 '{"error": {"code"', "ErrorDetailOut", "429", "Retry-After", "503", "?token=", "Accept-Language"):
        assert said in described, said


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()


@pytest.mark.parametrize("method, url", [("options", "/api/docs/"), ("post", "/api/docs/"),
                                         ("post", "/api/schema/"), ("delete", "/api/schema/")])
def test_the_api_description_is_read_only_and_says_so_in_json(client, method, url):
    answer = getattr(client, method)(url)
    assert_error(answer, 405, "method_not_allowed")
    assert answer["Allow"] == "GET, HEAD" and answer["Content-Type"] == "application/json"
    assert client.head(url).status_code == 200


def test_confirmation_email_via_api_order(performance, django_capture_on_commit_callbacks, settings):
    # The worker's effect is proved in test_worker.py; here: the API order queues it after commit.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert buy(client_for(), performance).status_code == 201
    assert callbacks and not mail.outbox


def test_counts_for_display_follow_every_sale(django_capture_on_commit_callbacks):
    """The cached counts are dropped when a sale changes them (a lapsed hold's places were
    counted free) and kept when it cannot (a live hold's were not)."""
    from django.core.cache import cache

    from sales import availability

    perf = make_performance(rows=1, per_row=4)
    cache.delete(availability._key(perf.pk, "online"))
    client = client_for()

    def shown():
        return client.get(f"/api/v1/performances/{perf.pk}/").json()["zones"][0]["available"]

    def hold(n):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [
                p.pk for p in places_of(perf, state="available")[:n]]}, format="json")
        assert response.status_code == 201, response.content
        return response.json()["token"]

    def pay(token):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD},
                                   format="json")
        assert response.status_code == 201, response.content

    live = hold(2)
    assert shown() == 2
    pay(live)
    assert shown() == 2 == Place.objects.filter(performance=perf, state="available").count()
    lapsed = hold(1)
    Hold.objects.filter(token=lapsed).update(expires_at=timezone.now() - timedelta(seconds=1))
    Place.objects.filter(hold__token=lapsed).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    cache.delete(availability._key(perf.pk, "online"))
    assert shown() == 2  # the lapsed hold's place counts as free again
    pay(lapsed)  # sold all the same: nobody else took it
    assert shown() == 1


@pytest.mark.parametrize("body", ["null", "[]", "false", "0", '""', '{"ticket": ["TICKET"]}',
                                  '{"tickets": ["TICKET"], "all": true}'])
def test_a_refund_whose_body_is_not_understood_refunds_nothing(performance, organizer, body):
    """Nothing undoes a refund: only no body, or {}, refunds the whole order. Any other body
    that is not an object of the known fields (a typo for `tickets`, say) is refused."""
    bought = buy(client_for(), performance, n=2).json()
    code, ticket = bought["code"], bought["tickets"][0]["code"]
    answer = client_for(organizer).post(f"/api/v1/orders/{code}/refund/", body.replace("TICKET", ticket),
                                        content_type="application/json")
    assert_error(answer, 400, "invalid")
    order = Order.objects.get(code=code)
    assert order.status == "paid" and not order.payments.filter(amount__lt=0).exists()
    assert client_for(organizer).post(f"/api/v1/orders/{code}/refund/", "{}",
                                      content_type="application/json").json()["status"] == "refunded"


@pytest.mark.parametrize("language, message", [
    ("en", "the body is multipart/form-data; the API reads JSON only: send it as application/json"),
    ("fr", "le corps est en multipart/form-data\u00a0; l’API ne lit que du JSON\u00a0: envoyez-le en application/json"),
])
def test_a_form_posted_to_the_api_is_refused_for_its_type_and_nothing_done(performance, organizer, language,
                                                                            message):
    """The API reads JSON only: a form (multipart, as an HTTP library sends `files=` or
    `data=` with a file) is a 415 saying so, as an urlencoded one is. It had been read as
    an empty body: "performance: this field is required" for fields that were sent, and a
    refund asked for one ticket refunded the whole order."""
    bought = buy(client_for(), performance, n=2).json()
    code, ticket = bought["code"], bought["tickets"][0]["code"]
    headers = {"Accept-Language": language}
    ids = [p.pk for p in places_of(performance, state="available")[:1]]
    forms = [(client_for(), "/api/v1/holds/", {"performance": performance.pk, "places": ids}),
             (client_for(), "/api/v1/orders/", {"hold": "x", "customer": "x"}),
             (client_for(organizer), f"/api/v1/orders/{code}/refund/", {"tickets": [ticket]})]
    for client, path, form in forms:
        refused = client.post(path, form, format="multipart", headers=headers)
        assert assert_error(refused, 415, "unsupported_media_type")["message"] == message, path
    body = json.dumps({"performance": performance.pk, "places": ids})
    untyped = client_for().generic("POST", "/api/v1/holds/", body, content_type="", headers=headers)
    assert assert_error(untyped, 415, "unsupported_media_type")["message"] == \
        message.replace("is multipart/form-data", "has no Content-Type").replace("est en multipart/form-data",
                                                                                  "n’a pas de Content-Type")
    order = Order.objects.get(code=code)
    assert order.status == "paid" and not order.payments.filter(amount__lt=0).exists()
    assert {t.status for t in order.tickets.all()} == {"valid"}
    assert Hold.objects.filter(status="active").count() == 0


@pytest.mark.parametrize("language, message", [
    ("en", "place {place} is given a price type twice"),
    ("fr", "la place {place} reçoit deux fois un type de prix"),
])
def test_a_place_given_two_price_types_is_refused_not_sold_at_the_last(performance, language, message):
    """Each place of `tickets` is given its price type once: a place named twice (an adult
    ticket, then a child's) had been priced and sold at whichever came last, silently.
    It is refused (400, `field` tickets) by the quote and the order alike; nothing sold."""
    from tests.support import price_types

    types = price_types(performance, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "20.00"}})
    buyer, headers = client_for(), {"Accept-Language": language}
    place = places_of(performance, state="available")[0].pk
    token = buyer.post("/api/v1/holds/", {"performance": performance.pk, "places": [place]},
                       format="json").json()["token"]
    twice = [{"place": place, "price_type": types["Adult"].pk}, {"place": place, "price_type": types["Child"].pk}]
    quote = buyer.post(f"/api/v1/holds/{token}/quote/", {"tickets": twice}, format="json", headers=headers)
    order = buyer.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD, "tickets": twice},
                       format="json", headers=headers)
    for refused in (quote, order):
        error = assert_error(refused, 400, "invalid")
        assert (error["message"], error["field"]) == (message.format(place=place), "tickets")
    assert not Order.objects.exists() and Hold.objects.get(token=token).status == "active"
    once = buyer.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD, "tickets": twice[:1]},
                      format="json")
    assert once.status_code == 201 and once.json()["total"] == "60.00", once.content


def test_a_seating_plan_of_more_places_than_any_venue_holds_is_refused_whole(organizer):
    """Sections of 200,000 standing places each are allowed one by one; thousands of them
    would be billions of places, made in one request when the performance goes on sale."""
    venue = VenueFactory()
    org = client_for(organizer)
    lawns = {"sections": [{"name": f"Lawn {n}", "kind": "standing", "capacity": 200_000} for n in range(3)]}
    refused = assert_error(org.post(f"/api/v1/venues/{venue.pk}/seating-plan/",
                                    {"format": "json", "content": json.dumps(lawns)}, format="json"),
                           400, "invalid_seating_plan")
    assert "600,000 places" in refused["errors"][0] and "500,000" in refused["errors"][0]
    assert not venue.sections.exists()
    # Two of them fit; a third, imported later, would take the venue past the bound.
    two = {"sections": lawns["sections"][:2]}
    assert org.post(f"/api/v1/venues/{venue.pk}/seating-plan/", {"format": "json", "content": json.dumps(two)},
                    format="json").status_code == 201
    third = {"sections": [{"name": "Lawn 3", "kind": "standing", "capacity": 200_000}]}
    assert_error(org.post(f"/api/v1/venues/{venue.pk}/seating-plan/", {"format": "json", "content": json.dumps(third)},
                          format="json"), 400, "invalid_seating_plan")
    assert venue.sections.count() == 2


def test_putting_on_sale_a_venue_larger_than_any_is_refused_not_attempted(organizer):
    """A standing capacity typed in the admin has no bound of its own: the performance is
    refused clearly instead of making its places in memory one by one."""
    from events.models import Section

    venue = VenueFactory()
    lawn = Section.objects.create(venue=venue, name="Lawn", kind="standing", capacity=600_000)
    org = client_for(organizer)
    perf = org.post("/api/v1/performances/", {
        "event": EventFactory().pk, "venue": venue.pk, "starts_at": "2030-06-01T20:00:00Z", "ticket_limit": 4,
        "zones": [{"name": "All", "price": "25.00", "sections": [lawn.pk]}],
        "windows": [{"channel": "online", "opens_at": "2020-01-01T00:00:00Z",
                     "closes_at": "2030-06-01T20:00:00Z"}]}, format="json").json()["id"]
    refused = assert_error(org.post(f"/api/v1/performances/{perf}/put-on-sale/"), 400, "invalid")
    assert "600,000 places" in refused["message"] and "500,000" in refused["message"]
    assert not Place.objects.filter(performance_id=perf).exists()


def test_the_catalogue_says_when_doors_open_how_long_the_show_runs_and_the_refund_policy(performance):
    """What the shop's performance page tells a buyer before they pay, an API client can tell
    them too: the policy in the caller's language when the organizer wrote one in it."""
    from datetime import datetime, timedelta

    from events.models import Event, Performance

    Performance.objects.filter(pk=performance.pk).update(
        running_minutes=135, doors_open_at=performance.starts_at - timedelta(minutes=45))
    Event.objects.filter(pk=performance.event_id).update(refund_policy="No refunds.",
                                                         refund_policy_fr="Aucun remboursement.")
    client = client_for()
    detail = client.get(f"/api/v1/performances/{performance.pk}/").json()
    assert detail["running_minutes"] == 135
    assert datetime.fromisoformat(detail["doors_open_at"]) == performance.starts_at - timedelta(minutes=45)
    assert detail["event"]["refund_policy"] == "No refunds."
    [event] = client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert event["refund_policy"] == "Aucun remboursement."
