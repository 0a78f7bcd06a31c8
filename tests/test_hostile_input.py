"""Whatever is sent, the answer is a 4xx in the door's own shape, never a 500: NUL bytes,
lone surrogates, deep nesting, huge numbers, over-long paths and headers, bodies over
the limit."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import VenueFactory
from tests.support import make_user

pytestmark = pytest.mark.django_db

ANONYMOUS_URLS = [
    "/api/v1/holds/ab%00cd/",
    "/api/v1/orders/AB%00CD/",
    "/api/v1/orders/AB%00CD/?token=x%00y",
    "/orders/AB%00CD/x/",
    "/orders/AB%00CD/x/tickets.pdf",
    "/orders/ABCDEFGH/x%00/",
    "/lottery/pay/ab%00cd/",
    "/lottery/confirm/ab%00cd/",
    "/?q=%00",
    "/api/v1/performances/?x=%00",
]
STAFF_URLS = [
    "/counter/lookup/?q=%00",
    "/counter/orders/AB%00CD/",
    "/counter/orders/AB%00CD/tickets.pdf",
    "/counter/performances/1/map/?exchange=%00",
    "/phone/?q=%00",
    "/phone/orders/AB%00CD/",
    "/api/v1/tickets/ab%00cd/",
    "/api/v1/orders/AB%00CD/",
    "/admin/sales/order/?q=%00",
    "/admin/sales/order/?status__exact=%00",
]


def no_server_error(response):
    assert response.status_code < 500, (response.status_code, response.content[:300])
    assert response.status_code >= 400


def assert_api_error(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"]


@pytest.fixture
def boss(db):
    return make_user("boss", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("url", ANONYMOUS_URLS)
def test_a_nul_byte_in_a_public_url_is_refused(url):
    response = Client(raise_request_exception=False).get(url)
    no_server_error(response)
    if url.startswith("/api/"):
        assert_api_error(response, response.status_code)


@pytest.mark.parametrize("url", STAFF_URLS)
def test_a_nul_byte_in_a_staff_url_is_refused(url, boss):
    client = Client(raise_request_exception=False)
    client.force_login(boss)
    no_server_error(client.get(url))


@pytest.mark.parametrize("method", ["get", "delete"])
def test_a_nul_byte_in_the_api_token_header_is_refused(method):
    response = getattr(Client(raise_request_exception=False), method)(
        "/api/v1/events/", headers={"Authorization": "Token ab\x00cd"})
    no_server_error(response)
    assert response.json()["error"]["code"]


@pytest.mark.parametrize("body", [
    {"hold": "ab\x00cd", "customer": {"name": "A", "email": "a@example.org"},
     "payment": {"method": "test_card", "card_number": "4242424242424242"}},
    {"hold": "abcd", "customer": {"name": "A\ud800", "email": "a@example.org"},
     "payment": {"method": "test_card", "card_number": "4242424242424242"}},
    {"hold": "abcd", "customer": {"name": "A", "email": "a@example.org"},
     "payment": {"method": "test_card", "card_number": "4242424242424242", "tendered": 1e400}},
])
def test_hostile_strings_in_a_json_body_are_a_400(body):
    raw = json.dumps(body).replace("1e400", "1" + "0" * 5000).replace("Infinity", "1" + "0" * 5000)
    response = Client(raise_request_exception=False).post("/api/v1/orders/", raw, content_type="application/json")
    assert_api_error(response)


def test_deeply_nested_json_is_a_400_not_a_500():
    deep = "[" * 100_000 + "]" * 100_000
    client = Client(raise_request_exception=False)
    assert_api_error(client.post("/api/v1/holds/", deep, content_type="application/json"))
    assert_api_error(client.post("/api/v1/holds/", '{"performance": ' + deep + "}",
                                 content_type="application/json"))


def test_a_deeply_nested_seating_plan_is_refused(organizer):
    venue = VenueFactory()
    client = Client(raise_request_exception=False)
    token = Token.objects.create(user=organizer).key
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(f"/api/v1/venues/{venue.pk}/seating-plan/", {"format": "json", "content": deep},
                           content_type="application/json", headers={"Authorization": f"Token {token}"})
    assert_api_error(response)
    admin = Client(raise_request_exception=False)
    admin.force_login(organizer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = admin.post(f"/admin/events/venue/{venue.pk}/import/",
                        {"plan": SimpleUploadedFile("plan.json", deep.encode())})
    assert upload.status_code == 200 and "not valid JSON" in upload.content.decode()
    assert not venue.sections.exists()


def test_nul_bytes_in_staff_forms_are_refused(operator):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    response = client.post("/phone/customers/new/", {"name": "Eve\x00", "email": "eve@example.org",
                                                     "phone": "1"})
    assert response.status_code < 500
    from sales.models import Customer

    assert not Customer.objects.filter(email="eve@example.org").exists()


def test_an_over_long_path_and_header_are_refused():
    client = Client(raise_request_exception=False)
    no_server_error(client.get("/api/v1/orders/" + "A" * 20_000 + "/"))
    no_server_error(client.get("/orders/" + "A" * 20_000 + "/" + "b" * 20_000 + "/"))
    no_server_error(client.get("/api/v1/events/", headers={"Authorization": "Token " + "a" * 20_000}))
    no_server_error(client.get("/api/v1/holds/x/", headers={"Idempotency-Key": "k" * 20_000}))


@pytest.mark.parametrize("size", [3 * 1024 * 1024, 10 * 1024 * 1024])
def test_a_body_over_the_limit_is_a_413_in_the_api_shape(size):
    response = Client(raise_request_exception=False).post(
        "/api/v1/holds/", b"[" + b"1," * (size // 2) + b"1]", content_type="application/json")
    assert_api_error(response, 413)


def test_a_body_over_the_limit_is_a_413_page_in_the_shop(performance):
    response = Client(raise_request_exception=False).post(
        f"/performances/{performance.pk}/hold/", {"seats": "1," * (2 * 1024 * 1024)})
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")


def test_unknown_api_urls_answer_in_json():
    client = Client(raise_request_exception=False)
    for url in ("/api/v1/nope/", "/api/nope", "/api/v1/holds/x/y/z/"):
        assert_api_error(client.get(url), 404)


@pytest.mark.parametrize(("name", "phone", "field"), [
    ("Bell\x07man", "", "name"), ("Esc\x1b[31mape", "", "name"), ("Two\nlines", "", "name"),
    ("Anne", "+1 514\x00 555", "phone"), ("Anne", "+1\x1b514", "phone"),
    ("Ana\u2028Roy", "", "name"), ("Ana\u2029Roy", "", "name"), ("Ana\tRoy", "", "name"),
    ("Ana\x00", "", "name"), ("Ana\u202eyoR", "", "name"), ("Anne", "+1\u2028514", "phone"),
])
def test_control_characters_in_a_buyers_details_are_refused(name, phone, field):
    """Names and phone numbers end up on tickets, door lists and spreadsheets: a control
    character in them is a typing accident or an attack, and is refused with its field."""
    from sales.errors import InvalidRequest
    from sales.orders.customers import CustomerDetails, clean_customer

    with pytest.raises(InvalidRequest) as refused:
        clean_customer(CustomerDetails(name=name, email="anne@example.org", phone=phone))
    assert refused.value.detail["field"] == field
    assert clean_customer(CustomerDetails(name=" Anne-Marie O'Brien ", email="A@Example.org",
                                          phone="+1 (514) 555-0100")).name == "Anne-Marie O'Brien"


def test_a_refused_request_is_refused_in_the_visitors_language(client):
    page = client.post("/orders/find/", {"email": "a\x00@example.org"}, headers={"Accept-Language": "fr"})
    assert page.status_code == 400 and 'lang="fr"' in page.content.decode()
    assert "NUL" in page.content.decode() and "The request holds" not in page.content.decode()
    assert page["Content-Language"] == "fr" and "Accept-Language" in page["Vary"]


def test_a_refused_request_answers_json_to_a_page_script_that_asks_for_it():
    """The door's script sends each scan asking for JSON and reads any other answer as the
    network or the sign-in gone, keeping the scan to send again: a NUL byte in a scan
    (a crafted QR code) refused as an HTML page would block every scan queued behind it."""
    from sales.policy import DOOR_STAFF
    from tests.support import make_performance

    perf = make_performance(rows=1, per_row=2)
    client = Client(raise_request_exception=False)
    client.force_login(make_user("door-nul", DOOR_STAFF))
    scan = client.post(f"/door/performances/{perf.pk}/scan/", {"code": "GUEST\x00QR", "scan": "s1"},
                       headers={"Accept": "application/json"})
    assert scan.status_code == 400 and scan["Content-Type"] == "application/json"
    assert scan.json()["error"]["message"] == "The request holds a NUL character."
    page = client.post(f"/door/performances/{perf.pk}/scan/", {"code": "GUEST\x00QR", "scan": "s2"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")  # a person: a page


UNPRINTABLE = "Ana\u2028Roy"  # Unicode's line separator: some readers start a line there


def test_an_unprintable_name_is_refused_through_every_door_by_its_field(performance, clerk, operator):
    """The shop's checkout, the counter, the phone console and the API refuse a name that
    holds a line separator, each in its own shape, and sell nothing; names of every script,
    with accents, apostrophes and hyphens, are sold to."""
    from sales.models import Customer, Order
    from tests.shop.test_shop_pages import hold_seats
    from tests.staff.test_staff_pages import open_sale
    from tests.support import BUYER, card_token, client_for, places_of, signed_in

    api = client_for()

    def api_order(name):
        hold = api.post("/api/v1/holds/", {"performance": performance.pk,
                                           "places": [places_of(performance, state="available")[0].pk]},
                        format="json").json()["token"]
        return api.post("/api/v1/orders/", {"hold": hold, "customer": {**BUYER, "name": name},
                                            "payment": {"method": "card", "token": card_token()}}, format="json")

    refused = api_order(UNPRINTABLE)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "name", refused.content
    assert "cannot be printed" in refused.json()["error"]["message"]

    shopper = Client()
    hold_seats(shopper, performance, str(places_of(performance, state="available")[0].pk))
    page = shopper.post("/checkout/", {"name": UNPRINTABLE, "email": "ana@example.org",
                                       "card_token": card_token()}).content.decode().replace("&#x27;", "'")
    assert "The name holds a character that cannot be printed." in page

    counter = signed_in(clerk)
    sale = open_sale(counter, performance, "1")["Location"]
    page = counter.post(sale, {"tendered": "60", "email": "ana@example.org", "name": UNPRINTABLE},
                        follow=True).content.decode()
    assert "the name holds a character that cannot be printed" in page.lower()

    phone = signed_in(operator)
    page = phone.post("/phone/customers/new/", {"name": UNPRINTABLE, "email": "ana@example.org", "phone": ""},
                      follow=True).content.decode()
    assert "the name holds a character that cannot be printed" in page.lower()
    assert not Order.objects.exists() and not Customer.objects.filter(email="ana@example.org").exists()

    for name in ("Zoë O'Brien-Ngô", "李小龙", "Ægir"):
        sold = api_order(name)
        assert sold.status_code == 201, sold.content
        assert sold.json()["customer"]["name"] == name


def test_a_note_on_a_customer_keeps_its_lines_and_refuses_hidden_characters(operator):
    """An operator's note may run over lines (the field is a text box), but a tab, a line
    separator or a direction override in it is refused, and nothing is written."""
    from sales.models import Customer, CustomerNote
    from tests.support import signed_in

    customer = Customer.objects.create(name="Ana Roy", email="ana@example.org")
    phone = signed_in(operator)
    for note in ("Calls\tback", "Calls\u2028back", "Calls \u202ekcab"):
        page = phone.post(f"/phone/customers/{customer.pk}/notes/", {"text": note}, follow=True).content.decode()
        assert "the note holds a character that cannot be printed" in page.lower()
    assert not CustomerNote.objects.exists()
    phone.post(f"/phone/customers/{customer.pk}/notes/", {"text": "Wheelchair space.\r\nCalls back at 5."})
    assert CustomerNote.objects.get().text == "Wheelchair space.\r\nCalls back at 5."


def test_a_moment_in_an_add_pages_address_is_read_or_left_out(boss):
    """Django's admin fills a new object's fields from its add page's address
    (?starts_at=…): a moment there that is no moment leaves its boxes empty, one that is
    shows in them as written, on every add page with a date and time."""
    from django.contrib import admin
    from django.db import models
    from django.test import RequestFactory

    client = Client(raise_request_exception=False)
    client.force_login(boss)
    asked = RequestFactory().get("/")
    asked.user = boss
    pages = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(asked):
            continue
        on_the_form = model_admin.get_form(asked)().fields
        moments = [f.name for f in model._meta.get_fields()
                   if isinstance(f, models.DateTimeField) and f.name in on_the_form]
        if not moments:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
        for said in ("0", "2026-02-30 10:00", "25:61", "1e309", "x" * 10_000):
            page = client.get(url, dict.fromkeys(moments, said))
            assert page.status_code == 200, (url, said, page.status_code)
        pages += 1
        shown = client.get(url, {moments[0]: "2031-05-04 20:30"}).content.decode()
        assert 'value="2031-05-04"' in shown and 'value="20:30' in shown, url
    assert pages >= 4


# One past the largest id PostgreSQL's bigint holds: no place, ticket or hold has it.
PAST_ANY_ID = str(2**63)


@pytest.mark.parametrize("seats", [PAST_ANY_ID, f"1,{PAST_ANY_ID}", f"-{2**63 + 1}", "9" * 30])
def test_a_seat_id_past_any_id_is_refused_on_each_doors_own_page(performance, clerk, operator, seats):
    """Seats picked on a map come back as ids typed into the form: one no place could have
    (past bigint) is a seat that does not exist, said on the counter's, the phone's and the
    shop's own pages as any unknown seat is, not a page saying the database refused it."""
    from sales.models import Customer, Hold
    from tests.support import drawer, signed_in

    drawer(clerk)
    counter = signed_in(clerk)
    sale = counter.post("/counter/sale/", {"performance": performance.pk, "seats": seats}, follow=True)
    assert sale.status_code == 200, sale.content[:300]
    assert "Nothing held:" in sale.content.decode()

    caller = Customer.objects.create(name="Ana Roy", email="ana@example.org")
    phone = signed_in(operator)
    sale = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": performance.pk, "seats": seats},
                      follow=True)
    assert sale.status_code == 200, sale.content[:300]
    assert "Nothing held:" in sale.content.decode()

    shopper = Client()
    held = shopper.post(f"/performances/{performance.pk}/hold/", {"seats": seats}, follow=True)
    assert held.status_code == 200, held.content[:300]
    assert "The seat selection is not valid." in held.content.decode()
    assert not Hold.objects.exists()
