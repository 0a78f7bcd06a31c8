"""Sign-in throttling, per-address limits on every door, debug pages, security headers,
error shapes and outages."""

import os
import re
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from sales.models import Hold, IdempotencyRecord, Order
from tests.staff.test_staff_pages import open_sale
from tests.support import places_of, signed_in

pytestmark = pytest.mark.django_db
OUTSIDER = "203.0.113.5"
CARD = {"method": "test_card", "card_number": "4242424242424242"}
BUYER = {"name": "Ana", "email": "ana@example.org"}


# --- sign-in -----------------------------------------------------------------------------

def _fail(client, url, username, times):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "not-the-password"})
        assert response.status_code == 200, response.status_code


@pytest.mark.parametrize(("url", "who", "password"), [("/login/", "clerk1", "pw-clerk1"),
                                                       ("/admin/login/", "organizer1", "pw-organizer1")])
def test_sign_in_locks_out_an_address_and_account_after_repeated_failures(url, who, password, clerk, organizer):
    from axes.models import AccessAttempt

    attacker = Client(REMOTE_ADDR=OUTSIDER)
    _fail(attacker, url, who, 4)
    assert attacker.post(url, {"username": who, "password": "still-wrong"}).status_code == 429  # the fifth
    locked = attacker.post(url, {"username": who, "password": password})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "/orders/find/" not in locked.content.decode()  # a staff page: not the shop's "My tickets"
    assert AccessAttempt.objects.filter(username=who, ip_address=OUTSIDER, failures_since_start__gte=5).exists()
    # The real staff member, from their own desk, is not locked out by it.
    desk = Client(REMOTE_ADDR="198.51.100.20")
    assert desk.post(url, {"username": who, "password": password}).status_code == 302


def test_one_address_trying_many_accounts_is_locked_out(clerk):
    attacker = Client(REMOTE_ADDR=OUTSIDER)
    for n in range(30):
        attacker.post("/login/", {"username": f"guess{n}", "password": "x"})
    locked = attacker.post("/login/", {"username": "clerk1", "password": "pw-clerk1"},
                           headers={"Accept-Language": "fr"})
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.content.decode()


def test_an_ipv6_network_trying_a_password_from_many_of_its_addresses_is_locked_out(clerk):
    """An IPv6 subscriber picks any of the 2**64 addresses of its network at will: guesses
    each sent from a new one are counted as from one address."""
    for n in range(4):
        _fail(Client(REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}"), "/login/", "clerk1", 1)
    assert Client(REMOTE_ADDR="2001:db8:5:6:a::1").post(
        "/login/", {"username": "clerk1", "password": "still-wrong"}).status_code == 429  # the fifth
    locked = Client(REMOTE_ADDR="2001:db8:5:6:b::2").post("/login/", {"username": "clerk1", "password": "pw-clerk1"})
    assert locked.status_code == 429
    # The real staff member, from another network, is not locked out by it.
    desk = Client(REMOTE_ADDR="2001:db8:5:7::1")
    assert desk.post("/login/", {"username": "clerk1", "password": "pw-clerk1"}).status_code == 302


# --- limits on every door --------------------------------------------------------------------

def in_one_clock_minute(needs: float = 20) -> None:
    """The limits count per clock minute: a test's requests must fall in one of them. The
    tests that call this make theirs within a second or two on a quiet machine (a few
    beside the browser tests): with fewer than `needs` seconds left in this minute, they
    wait for the next."""
    if time.time() % 60 > 60 - needs:
        time.sleep(60 - time.time() % 60)


def test_api_holds_count_against_the_per_address_limit_of_the_shop(performance):
    in_one_clock_minute()
    api = APIClient(REMOTE_ADDR=OUTSIDER)
    seats = places_of(performance)
    answers = [api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[i].pk]},
                        format="json") for i in range(31)]
    assert [a.status_code for a in answers[:30]] == [201] * 30
    assert answers[30].status_code == 429 and answers[30].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[30]["Retry-After"]) <= 60  # the limits count per clock minute: when this one ends
    assert Hold.objects.count() == 30
    # A refusal for now is not the key's answer for good: once the minute is over, the
    # same key is tried again.
    keyed = api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[31].pk]},
                     format="json", headers={"Idempotency-Key": "after-the-minute-0001"})
    assert keyed.status_code == 429 and not IdempotencyRecord.objects.filter(key="after-the-minute-0001").exists()
    shop = Client(REMOTE_ADDR=OUTSIDER)
    shop.post(f"/performances/{performance.pk}/hold/", {"seats": str(seats[40].pk)})
    assert Hold.objects.count() == 30  # one budget per address, whatever the door


def test_holds_from_the_addresses_of_one_ipv6_network_count_as_one_address(performance, settings):
    in_one_clock_minute()
    # These /64s share a /56, whose places held at once have a cap of their own (three
    # orders' worth: tests/sales/test_network_holds.py); this is about the holds a minute.
    settings.HELD_BASKETS_PER_NETWORK = 4
    seats = places_of(performance)

    def hold(address: str, i: int):
        return APIClient(REMOTE_ADDR=address).post("/api/v1/holds/", {"performance": performance.pk,
                                                                      "places": [seats[i].pk]}, format="json")

    answers = [hold(f"2001:db8:5:6:{i:x}::{i + 1:x}", i) for i in range(31)]
    assert [a.status_code for a in answers[:30]] == [201] * 30
    assert answers[30].status_code == 429 and answers[30].json()["error"]["code"] == "rate_limited"
    # Another network, and an IPv4 client (written as IPv6 by a dual-stack server, or not), count apart.
    assert hold("2001:db8:5:7::1", 31).status_code == 201
    assert hold("::ffff:198.51.100.7", 32).status_code == 201
    assert hold("198.51.100.8", 33).status_code == 201


def test_api_orders_count_against_the_per_address_payment_limit(performance):
    api = APIClient(REMOTE_ADDR=OUTSIDER)
    seats = places_of(performance)
    statuses = []
    in_one_clock_minute()
    for i in range(21):
        hold = api.post("/api/v1/holds/", {"performance": performance.pk, "places": [seats[i].pk]},
                        format="json").json()["token"]
        statuses.append(api.post("/api/v1/orders/", {"hold": hold, "customer": {**BUYER, "email": f"a{i}@example.org"},
                                                     "payment": CARD}, format="json").status_code)
    assert statuses[:20] == [201] * 20 and statuses[20] == 429


def test_codes_guessed_through_the_api_count_against_the_shops_tries(performance):
    """Promo codes tried on a hold's quote, like those typed in the basket, are 30 a minute
    an address, whatever the door: a valid code found on the 31st try is not given away."""
    from sales.models import PromoCode

    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    in_one_clock_minute()
    api = APIClient(REMOTE_ADDR=OUTSIDER)
    token = api.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                     format="json").json()["token"]
    guesses = [api.post(f"/api/v1/holds/{token}/quote/", {"promo_code": f"GUESS{i}"}, format="json")
               for i in range(30)]
    assert {answer.status_code for answer in guesses} == {400}
    found = api.post(f"/api/v1/holds/{token}/quote/", {"promo_code": "ETE10"}, format="json")
    assert found.status_code == 429 and found.json()["error"]["code"] == "rate_limited"
    assert api.post(f"/api/v1/holds/{token}/quote/", {}, format="json").status_code == 200  # no code: no try


def test_a_promo_code_sent_with_an_order_counts_against_the_same_tries(performance):
    """An order sent with a promo code tries it as a quote does: past the address's 30 tries
    a minute, the order is refused before the code is looked at, and nothing is sold. Else
    each order sent (20 a minute) would be one more guess."""
    from sales.models import PromoCode

    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    in_one_clock_minute()
    api = APIClient(REMOTE_ADDR=OUTSIDER)
    token = api.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                     format="json").json()["token"]
    guesses = [api.post(f"/api/v1/holds/{token}/quote/", {"promo_code": f"GUESS{i}"}, format="json")
               for i in range(30)]
    assert {answer.status_code for answer in guesses} == {400}
    found = api.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "promo_code": "ETE10", "payment": CARD},
                     format="json")
    assert found.status_code == 429 and found.json()["error"]["code"] == "rate_limited", found.content
    assert not Order.objects.exists() and Hold.objects.get(token=token).status == Hold.Status.ACTIVE
    # Without a code the order is no try, and goes through.
    assert api.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD},
                    format="json").status_code == 201


def test_confirming_a_payment_does_not_tell_which_order_codes_exist_and_is_rate_limited(performance):
    """An order code that does not exist and one that does, with a wrong secret, get the
    same answer; guesses are 30 a minute an address, and none reaches the card provider."""
    api = APIClient(REMOTE_ADDR=OUTSIDER)
    token = api.post("/api/v1/holds/", {"performance": performance.pk, "places": [places_of(performance)[0].pk]},
                     format="json").json()["token"]
    real = api.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "payment": CARD}, format="json")
    code = real.json()["code"]
    in_one_clock_minute()
    unknown = api.post("/api/v1/orders/ZZZZZZZZ/confirm-payment/", {"client_secret": "x"}, format="json")
    wrong = api.post(f"/api/v1/orders/{code}/confirm-payment/", {"client_secret": "x"}, format="json")
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.json() == wrong.json()
    answers = [api.post(f"/api/v1/orders/Z{i:07d}/confirm-payment/", {"client_secret": "x"}, format="json")
               for i in range(28)]
    assert {a.status_code for a in answers} == {404}
    limited = api.post(f"/api/v1/orders/{code}/confirm-payment/", {"client_secret": "x"}, format="json")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"


def test_a_rate_limited_caller_is_told_how_many_seconds_to_wait_as_its_retry_after_says(performance):
    """A refusal by a rate limit says when to try again, in the caller's language, in the
    seconds the answer's Retry-After gives (the limits count per clock minute): the API's
    error message and the shop's page alike."""
    api, shop = APIClient(REMOTE_ADDR=OUTSIDER), Client(REMOTE_ADDR=OUTSIDER)
    in_one_clock_minute()
    for i in range(30):
        api.post(f"/api/v1/orders/Z{i:07d}/confirm-payment/", {"client_secret": "x"}, format="json")
    limited = api.post("/api/v1/orders/ZZZZZZZZ/confirm-payment/", {"client_secret": "x"}, format="json")
    seconds = int(limited["Retry-After"])
    assert limited.status_code == 429 and 1 <= seconds <= 60
    said = limited.json()["error"]["message"]
    assert said == f"too many payments confirmed from your address; try again in {seconds} seconds", said
    assert set(limited.json()["error"]) == {"code", "message"}
    french = api.post("/api/v1/orders/ZZZZZZZZ/confirm-payment/", {"client_secret": "x"}, format="json",
                      HTTP_ACCEPT_LANGUAGE="fr")
    seconds = int(french["Retry-After"])
    unit = "seconde" if seconds == 1 else "secondes"
    assert french.json()["error"]["message"].endswith(f"\u00a0; réessayez dans {seconds} {unit}"), french.json()
    page = shop.post("/checkout/ZZZZZZZZ/bank/", {"client_secret": "x"})
    seconds = int(page["Retry-After"])
    assert page.status_code == 429 and f"try again in {seconds} second" in page.content.decode()


def test_the_sentence_after_a_rate_limit_counts_its_seconds_in_the_callers_language():
    from django.utils import translation

    from sales.errors import try_again_in
    assert try_again_in(1) == "try again in 1 second" and try_again_in(42) == "try again in 42 seconds"
    with translation.override("fr"):
        assert try_again_in(1) == "réessayez dans 1 seconde" and try_again_in(42) == "réessayez dans 42 secondes"


def test_confirming_payments_is_not_limited_where_rate_limits_are_turned_off(performance, settings):
    """BOXOFFICE_RATE_LIMITS=0 (a load test from one address) turns this limit off too."""
    settings.RATE_LIMITS = False
    api = APIClient(REMOTE_ADDR=OUTSIDER)
    in_one_clock_minute()
    answers = [api.post(f"/api/v1/orders/Z{i:07d}/confirm-payment/", {"client_secret": "x"}, format="json")
               for i in range(35)]
    assert {a.status_code for a in answers} == {404}


def test_a_stranger_using_someones_email_does_not_name_their_tickets(performance, clerk):
    """Anyone may type any email: a declined order under a victim's email, with another
    name and phone, does not rename the victim's later order, its tickets, its email, the
    door's list or the counter's page: each order carries the name its buyer typed."""
    from django.core import mail

    from sales.tickets import tickets_find

    api = APIClient(REMOTE_ADDR=OUTSIDER)

    def order(name, email, phone, card):
        hold = api.post("/api/v1/holds/", {"performance": performance.pk, "quantity": 1,
                                           "zone": performance.price_zones.first().pk}, format="json")
        return api.post("/api/v1/orders/", {"hold": hold.json()["token"], "payment": card,
                                            "customer": {"name": name, "email": email, "phone": phone}},
                        format="json")

    planted = order("IMPOSTOR do not admit", "victor@example.org", "+1 555 0100",
                    {"method": "test_card", "card_number": "4000000000000002"})
    assert planted.status_code == 402
    mail.outbox.clear()
    real = order("Victor Real", "Victor@Example.org", "+1 514 555 0199", CARD)
    assert real.status_code == 201, real.content
    body = real.json()
    assert body["customer"]["name"] == "Victor Real" and body["customer"]["phone"] == "+1 514 555 0199"
    code = body["code"]
    found = Order.objects.get(code=code)
    from sales.notifications import send_confirmation

    assert send_confirmation(found.pk)
    assert "Hello Victor Real," in mail.outbox[-1].body
    assert [t.order.code for t in tickets_find(performance_id=performance.pk, query="victor real")] == [code]
    assert not tickets_find(performance_id=performance.pk, query="impostor")
    page = signed_in(clerk).get(f"/counter/orders/{code}/").content.decode()
    assert "Victor Real" in page and "IMPOSTOR" not in page
    assert found.customer.email == "victor@example.org"  # one customer for the address, as before


def test_a_form_sent_without_its_token_gets_a_readable_page_of_the_site(performance):
    """A shopper whose page outlived its session (or whose browser refused the cookie)
    reads what happened and how to go on, in their language, on a page of the site."""
    shop = Client(enforce_csrf_checks=True)
    page = f"http://testserver/performances/{performance.pk}/"
    refused = shop.post(f"/performances/{performance.pk}/hold/", {"seats": str(places_of(performance)[0].pk)},
                        HTTP_REFERER=page)
    assert refused.status_code == 403 and refused["Content-Type"].startswith("text/html")
    text = refused.content.decode()
    assert "Form expired" in text and "reload the page and try again" in text and f'href="{page}"' in text
    assert "CSRF" not in text and not Hold.objects.exists()
    elsewhere = shop.post("/counter/", {}, HTTP_REFERER="https://evil.example/")
    assert elsewhere.status_code == 403 and 'href="/"' in elsewhere.content.decode()  # no way out to another site
    french = shop.post(f"/performances/{performance.pk}/hold/", {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Formulaire expiré" in french.content.decode()


def test_a_shoppers_session_key_is_kept_nowhere_an_organizer_reads(performance, organizer):
    """A basket belongs to its session, and the session's key is its cookie: the hold keeps a
    digest of it, never the key itself. An organizer reading holds in the admin (or anyone
    with a copy of the database) could otherwise sign in as whoever shopped, a superuser
    trying the shop included."""
    from tests.support import make_user

    shopper = signed_in(make_user("boss", is_staff=True, is_superuser=True))
    shopper.post(f"/performances/{performance.pk}/hold/", {"seats": str(places_of(performance)[0].pk)})
    hold = Hold.objects.get()
    key = shopper.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert key not in hold.owner_key and hold.owner_key.startswith("session:")
    page = signed_in(organizer).get(f"/admin/sales/hold/{hold.pk}/change/")
    assert page.status_code == 200 and key not in page.content.decode()
    # The basket is still the session's, and no other's.
    seat = str(hold.places.get())
    def words(page) -> str:  # the page's text, its tags out ("Stalls <span>A-1</span>")
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode()))

    assert seat in words(shopper.get("/basket/"))
    assert seat not in words(Client().get("/basket/", follow=True))


# --- debug pages, settings, headers ----------------------------------------------------------

@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.crash_urls"
    return settings


def test_debug_pages_reach_loopback_clients_only(debug_on):
    outsider = Client(REMOTE_ADDR=OUTSIDER, raise_request_exception=False)
    unknown = outsider.get("/no-such-page/")
    assert unknown.status_code == 404 and "URLconf" not in unknown.content.decode()
    host = outsider.get("/", headers={"Host": "evil.example"})
    assert host.status_code == 400
    assert "ALLOWED_HOSTS" not in host.content.decode() and "DisallowedHost" not in host.content.decode()
    crash = outsider.get("/crash/")
    assert crash.status_code == 500
    for secret in ("DATABASE_URL", "REDIS_URL", "Traceback", "a bug"):
        assert secret not in crash.content.decode()
    api = outsider.get("/api/v1/crash/")
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"
    assert outsider.get("/api/v1/nope/").json()["error"]["code"] == "not_found"
    # The developer at the machine still gets Django's pages.
    local = Client(REMOTE_ADDR="127.0.0.1", raise_request_exception=False)
    assert "URLconf" in local.get("/no-such-page/").content.decode()


def _settings_in_a_child(code: str = "from django.conf import settings; print(settings.DEBUG)",
                         **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run([sys.executable, "-c", code], cwd=django_settings.BASE_DIR,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "boxoffice.settings", **env},
                          capture_output=True, text=True)


def test_settings_are_production_safe_by_default():
    # No key, debug off: the web application refuses to start, naming the variable, and
    # nothing can be signed with an empty key...
    refused = _settings_in_a_child("import boxoffice.wsgi")
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY must be set" in refused.stderr
    unsigned = _settings_in_a_child("from django.core import signing; signing.dumps(1)")
    assert unsigned.returncode != 0 and "SECRET_KEY" in unsigned.stderr
    # ...while a command that signs nothing runs (a fresh checkout's migration check).
    check = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                           cwd=django_settings.BASE_DIR, capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")})
    assert check.returncode == 0, check.stderr
    assert _settings_in_a_child().stdout.strip() == "False"
    assert _settings_in_a_child(DJANGO_SECRET_KEY="k" * 50).stdout.strip() == "False"
    assert _settings_in_a_child(DJANGO_DEBUG="1").stdout.strip() == "True"


def test_a_secret_key_is_rotated_without_dropping_what_the_old_one_signed():
    """DJANGO_SECRET_KEY_FALLBACKS: what the previous key signed (waiting-room passes,
    staff sessions) is still accepted while the new key signs everything new."""
    setup = "import django; django.setup(); from sales import waiting_room; from django.core import signing; "
    old, new = "o" * 50, "n" * 50
    issued = _settings_in_a_child(setup + "print(waiting_room.issue_pass(7, 'visitor'))", DJANGO_SECRET_KEY=old)
    assert issued.returncode == 0, issued.stderr
    read = setup + f"print(signing.loads({issued.stdout.strip()!r}, salt=waiting_room.PASS_SALT)['v'])"
    assert _settings_in_a_child(read, DJANGO_SECRET_KEY=new).returncode != 0  # the old key forgotten: refused
    rotated = _settings_in_a_child(read, DJANGO_SECRET_KEY=new, DJANGO_SECRET_KEY_FALLBACKS=f"{old}, {'p' * 50}")
    assert rotated.returncode == 0 and rotated.stdout.strip() == "visitor", rotated.stderr


def test_security_headers_on_the_shop_and_staff_pages(clerk):
    shop = Client().get("/", secure=True)
    assert shop.status_code == 200
    assert "script-src 'self'" in shop["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in shop["Content-Security-Policy"]
    assert shop["X-Content-Type-Options"] == "nosniff"
    assert shop["X-Frame-Options"] == "DENY"
    assert shop["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in Client().get("/")  # only where the request came over TLS
    staff = Client()
    staff.force_login(clerk)
    counter = staff.get("/counter/")
    assert "Content-Security-Policy" in counter and counter["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in Client().get("/login/")


def test_each_page_gets_the_policy_django_csp_would_give_it_and_the_api_none(clerk, performance, settings):
    """The policy built once serves the pages that neither use a nonce nor change it; a page
    with a nonce (the counter's slip prints itself) and one with its own policy (the card
    field, framed by the shop) are built by django-csp; the JSON API carries none."""
    import re

    from csp.utils import build_policy

    plain = build_policy()
    assert Client().get("/")["Content-Security-Policy"] == plain
    assert Client().get("/login/")["Content-Security-Policy"] == plain
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "100"})
    slip = c.post(f"/counter/orders/{Order.objects.get().code}/print/")
    nonce = re.search(r'<script nonce="([^"]+)"', slip.content.decode()).group(1)
    assert slip["Content-Security-Policy"] == build_policy(nonce=nonce) != plain
    framed = Client().get("/payments/card-field/")["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in framed and framed == build_policy(replace={"frame-ancestors": ["'self'"]})
    assert "Content-Security-Policy" not in Client().get(f"/api/v1/performances/{performance.pk}/")
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "DIRECTIVES": {
        **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'", "https://images.example.org"]}}
    assert "https://images.example.org" in Client().get("/")["Content-Security-Policy"]  # a changed setting counts


# --- error shapes and outages ------------------------------------------------------------------

def test_an_address_opened_with_a_method_it_does_not_take_is_a_readable_page(clerk, performance):
    """The checkout's address reloaded, a slip's address typed: a page in the door's shape
    that says where to go on, not a blank one."""
    # The checkout's address opened again after a refused payment: the basket, as it stands.
    assert Client().get("/checkout/", follow=True).redirect_chain == [("/basket/", 302)]
    shop = Client().get("/basket/release/")
    assert shop.status_code == 405 and shop["Allow"] == "POST"
    assert "not typed in or reloaded" in shop.content.decode() and 'href="/"' in shop.content.decode()
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "100"})
    slip = c.get(f"/counter/orders/{Order.objects.get().code}/print/")
    assert slip.status_code == 405 and "Back to your staff home" in slip.content.decode()
    french = Client(headers={"accept-language": "fr"}).get("/basket/release/")
    assert french.status_code == 405 and "<html" in french.content.decode() and "not typed in" not in \
        french.content.decode()
    api = APIClient().delete(f"/api/v1/performances/{performance.pk}/")
    assert api.status_code == 405 and api.json()["error"]["code"]



def test_a_streamed_refusal_of_a_method_passes_through_as_it_is():
    """A view that streams its own 405 (an export) keeps it: its body cannot be read
    before it is sent, so it is not replaced by the readable page (and reading it was a 500)."""
    from django.http import StreamingHttpResponse
    from django.test import RequestFactory

    from boxoffice.safety import MethodNotAllowedPageMiddleware

    streamed = StreamingHttpResponse(iter([b"use ", b"GET"]), status=405)
    answer = MethodNotAllowedPageMiddleware(lambda request: streamed)(RequestFactory().post("/office/export.csv"))
    assert answer is streamed and b"".join(answer.streaming_content) == b"use GET"

def test_an_unhandled_api_error_is_json(settings):
    settings.ROOT_URLCONF = "tests.crash_urls"
    client = Client(raise_request_exception=False)
    for url in ("/api/v1/crash/", "/api/v1/crash-plain/"):
        response = client.get(url)
        assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"


def test_an_api_call_the_staff_pool_cannot_serve_is_told_in_json(settings):
    settings.BOXOFFICE_POOL = "staff"
    response = Client().get("/api/v1/events/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "wrong_pool"


def test_a_redis_outage_is_a_503_with_retry_after_where_nothing_can_answer_without_it(settings, performance,
                                                                                         reset_process_caches):
    """What can answer from the database does (the counts for display); what cannot (the
    waiting room's queue) is a 503 with Retry-After in the door's shape."""

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/3"}}  # nothing listens on port 9
    settings.WAITING_ROOM_REDIS_URL = "redis://127.0.0.1:9/4"
    client = Client(raise_request_exception=False)
    assert client.get(f"/api/v1/performances/{performance.pk}/").status_code == 200
    try:
        page = client.get(f"/performances/{performance.pk}/queue/")
        assert page.status_code == 503 and page["Retry-After"] and page["Content-Type"].startswith("text/html")
        assert "try again" in page.content.decode()
    finally:
        reset_process_caches()


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_503_with_retry_after():
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 9  # nothing listens there
    try:
        client = Client(raise_request_exception=False)
        api = client.get("/api/v1/events/")
        assert api.status_code == 503 and api["Retry-After"] and api.json()["error"]["code"] == "service_unavailable"
        page = client.get("/")
        assert page.status_code == 503 and page["Retry-After"] and "try again" in page.content.decode()
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


# --- best available with single seats left ------------------------------------------------------

def test_best_available_never_splits_a_party_and_says_what_is_left():
    from tests.support import make_performance

    perf = make_performance(rows=1, per_row=5)
    seats = places_of(perf)
    api = APIClient()
    # Seats 2 and 4 go: 1, 3 and 5 are left, none beside another.
    assert api.post("/api/v1/holds/", {"performance": perf.pk, "places": [seats[1].pk, seats[3].pk]},
                    format="json").status_code == 201
    zone = perf.price_zones.get()
    for pause in (0, 0.2):  # with this process's picture of the zone fresh, and once it has aged
        time.sleep(pause)
        refused = api.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone.pk, "quantity": 2},
                           format="json")
        assert refused.status_code == 409, refused.json()
        error = refused.json()["error"]
        assert error["available"] == 3 and error["together"] == 1
    assert Hold.objects.count() == 1
    single = api.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone.pk, "quantity": 1}, format="json")
    assert single.status_code == 201


def test_a_page_refused_to_a_role_is_logged_in_one_line_not_with_a_traceback(operator):
    """Staff open each other's pages by mistake all day: each refusal is a warning of one
    line in the log, so that the tracebacks there are the errors worth reading."""
    import logging

    console = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    records = []
    handler = logging.Handler()
    handler.handle = lambda record: records.append(record) or True
    handler.filters = console.filters
    logging.getLogger("django.request").addHandler(handler)
    try:
        assert signed_in(operator).get("/counter/").status_code == 403
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    refused = [r for r in records if "Forbidden" in r.getMessage()]
    assert refused and all(console.filter(r) for r in refused)
    assert all(not r.exc_info and "Traceback" not in console.format(r) for r in refused)


# --- what is public ----------------------------------------------------------------------
def test_a_performance_being_set_up_is_answered_as_one_that_does_not_exist(performance, clerk):
    """Whatever the public asks of a performance not yet announced (to hold its places, its
    details, its seat map and prices, the shop's pages of it), the answer is the one for a
    number no performance has: nothing says that it exists. The staff reach it as before."""
    from tests.support import client_for, make_performance

    secret = make_performance(on_sale=False)
    missing = secret.pk + 1000
    zone = secret.price_zones.first().pk
    api, anonymous = client_for(), Client()

    def answers(pk):
        asked = [api.post("/api/v1/holds/", body, format="json") for body in (
            {"performance": pk, "zone": zone, "quantity": 1}, {"performance": pk, "places": [1]})]
        asked += [api.get(f"/api/v1/performances/{pk}/{end}") for end in ("", "seatmap/")]
        asked += [anonymous.get(f"/performances/{pk}/{end}") for end in (
            "", "seat-states/", "seats/", "queue/", "presale/", "draw/", "draw/draw.json")]
        asked += [anonymous.post(f"/performances/{pk}/{end}", {"zone": zone, "quantity": "1"})
                  for end in ("hold/", "presale/")]
        return [(a.status_code, a.content.decode().replace(str(pk), "<pk>")) for a in asked]

    for said, alike in zip(answers(secret.pk), answers(missing), strict=True):
        assert said == alike
    assert not Hold.objects.exists()
    staff = client_for(clerk).post("/api/v1/holds/", {"performance": secret.pk, "zone": zone, "quantity": 1},
                                   format="json")
    assert staff.status_code == 409 and "not been put on sale" in staff.json()["error"]["message"]




def test_a_performance_being_set_up_is_shown_to_staff_only(performance, clerk, organizer):
    """An organizer sets a show up in the admin (its event, performances, zones and
    windows) before it is announced; *Put on sale* publishes it. Until then nobody outside
    the staff learns of it, not by the shop's page of its number (numbers follow each
    other: the next one is easy to guess), nor by the API's catalogue."""
    from sales.inventory import put_on_sale
    from tests.support import client_for, make_performance

    secret = make_performance(on_sale=False)
    secret.event.title = "Unannounced reunion tour"
    secret.event.save()
    anonymous = Client()
    page = anonymous.get(f"/performances/{secret.pk}/")
    assert page.status_code == 404 and "Unannounced" not in page.content.decode()
    assert "text/html" in page["Content-Type"]
    api = client_for()
    assert "Unannounced" not in api.get("/api/v1/events/").content.decode()
    listed = [p["id"] for p in api.get("/api/v1/performances/").json()]
    assert secret.pk not in listed and performance.pk in listed
    for address in (f"/api/v1/performances/{secret.pk}/", f"/api/v1/performances/{secret.pk}/seatmap/"):
        refused = api.get(address)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
        assert "Unannounced" not in refused.content.decode()
    # What is on sale is the public's, as before.
    assert anonymous.get(f"/performances/{performance.pk}/").status_code == 200
    assert api.get(f"/api/v1/performances/{performance.pk}/").status_code == 200
    # The staff see what they are setting up.
    assert client_for(clerk).get(f"/api/v1/performances/{secret.pk}/").json()["event"]["title"] == \
        "Unannounced reunion tour"
    assert secret.pk in [p["id"] for p in client_for(organizer).get("/api/v1/performances/").json()]
    assert "Unannounced" in client_for(organizer).get("/api/v1/events/").content.decode()
    assert "Unannounced" in signed_in(organizer).get(f"/performances/{secret.pk}/").content.decode()
    # Put on sale, it is announced.
    put_on_sale(performance=secret)
    assert "Unannounced" in anonymous.get(f"/performances/{secret.pk}/").content.decode()
    assert secret.pk in [p["id"] for p in api.get("/api/v1/performances/").json()]
    assert "Unannounced" in api.get("/api/v1/events/").content.decode()
