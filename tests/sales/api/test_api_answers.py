"""What an integration reads in the API's answers: the request's own field named in a
refusal, the change due said the same way whatever the card, an order read back by its
buyer, and messages in the request's language."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from sales.models import Hold, Order, Payment
from sales.payments import DECLINE
from tests.support import BUYER, CARD, assert_error, card_token, client_for, drawer, make_user, places_of

pytestmark = pytest.mark.django_db
THREE_D_SECURE = "4000002500003155"  # a card whose bank asks the cardholder to confirm


def _hold(client, perf, n=1) -> str:
    ids = [p.pk for p in places_of(perf, state="available")[:n]]
    made = client.post("/api/v1/holds/", {"performance": perf.pk, "places": ids}, format="json")
    assert made.status_code == 201, made.content
    return made.json()["token"]


def _order(client, perf, payment, **headers):
    return client.post("/api/v1/orders/", {"hold": _hold(client, perf), "customer": BUYER, "payment": payment},
                       format="json", headers=headers)


# --- the field a refusal names ----------------------------------------------------------

def test_a_card_token_refused_names_the_requests_own_field(performance, operator):
    """The card's token is sent as `payment.token` (`token` when paying a reservation):
    a refusal of it names that field, as a refusal of `tendered` or `email` names those,
    never the pages' `card` field, which no request has. Nothing is sold."""
    buyer = client_for()
    malformed = _order(buyer, performance, {"method": "card", "token": "not-a-token"})
    error = assert_error(malformed, 400, "invalid")
    assert (error["field"], error["message"]) == ("token", "enter the card in the card field")
    unknown = _order(buyer, performance, {"method": "card", "token": "tok_nobodyhasthis"})  # the provider refuses it
    error = assert_error(unknown, 400, "invalid")
    assert (error["field"], error["message"]) == ("token", "the provider could not use this card; enter it again")
    assert not Order.objects.filter(status=Order.Status.PAID).exists() and not Payment.objects.exists()

    phone = client_for(operator)
    assert assert_error(_order(phone, performance, {"method": "card_not_present", "token": "4242"}),
                        400, "invalid")["field"] == "token"
    reserved = phone.post("/api/v1/orders/", {"hold": _hold(phone, performance), "customer": BUYER,
                                              "reserve_until": (timezone.now() + timedelta(days=2)).isoformat()},
                          format="json")
    assert reserved.status_code == 201, reserved.content
    pay = phone.post(f"/api/v1/orders/{reserved.json()['code']}/pay/",
                     {"method": "card_not_present", "token": "pm_"}, format="json")
    assert assert_error(pay, 400, "invalid")["field"] == "token"
    assert Order.objects.get(code=reserved.json()["code"]).status == Order.Status.RESERVED


def test_a_declined_card_is_a_402_without_a_field(performance):
    """A decline is the bank's answer, not a field to correct: no `field`, and the hold kept."""
    declined = _order(client_for(), performance, {"method": "test_card", "card_number": DECLINE})
    assert "field" not in assert_error(declined, 402, "payment_declined")
    assert Hold.objects.get().status == Hold.Status.ACTIVE


# --- change due ---------------------------------------------------------------------------

def test_change_due_is_a_decimal_when_cash_was_tendered_and_null_otherwise(performance, clerk, operator):
    """The answer to a request that took cash says the change to hand back ("0.00" for the
    exact amount); every other answer says null: a card online, a card terminal, a card by
    phone, a reservation, and any answer that took no payment (a read)."""
    counter = client_for(clerk)
    drawer(clerk)
    exact = _order(counter, performance, {"method": "cash", "tendered": "50.00"})
    assert exact.status_code == 201, exact.content
    assert exact.json()["change_due"] == "0.00"
    over = _order(counter, performance, {"method": "cash", "tendered": "60.00"})
    assert over.json()["change_due"] == "10.00"
    terminal = _order(counter, performance, {"method": "card_terminal", "reference": "AUTH-1"})
    assert terminal.status_code == 201, terminal.content
    assert terminal.json()["change_due"] is None
    online = _order(client_for(), performance, {"method": "card", "token": card_token()})
    assert online.status_code == 201, online.content
    assert online.json()["change_due"] is None
    test_card = _order(client_for(), performance, CARD)
    assert test_card.status_code == 201, test_card.content
    assert test_card.json()["change_due"] is None
    phone = client_for(operator)
    by_phone = _order(phone, performance, {"method": "card_not_present", "token": card_token()})
    assert by_phone.status_code == 201, by_phone.content
    assert by_phone.json()["change_due"] is None
    for answer in (exact, over, online):
        assert counter.get(f"/api/v1/orders/{answer.json()['code']}/").json()["change_due"] is None

    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    reserved = [phone.post("/api/v1/orders/", {"hold": _hold(phone, performance), "customer": BUYER,
                                               "reserve_until": deadline}, format="json") for _ in range(2)]
    assert reserved[0].json()["change_due"] is None
    by_card = phone.post(f"/api/v1/orders/{reserved[0].json()['code']}/pay/",
                         {"method": "card_not_present", "token": card_token()}, format="json")
    assert by_card.status_code == 200, by_card.content
    assert by_card.json()["change_due"] is None
    in_cash = counter.post(f"/api/v1/orders/{reserved[1].json()['code']}/pay/",
                           {"method": "cash", "tendered": "50"}, format="json")
    assert in_cash.status_code == 200, in_cash.content
    assert in_cash.json()["change_due"] == "0.00"


# --- a walk-in at the counter ------------------------------------------------------------

def test_a_clerk_sells_to_a_walk_in_without_an_email_as_the_counters_page_does(performance, clerk, operator):
    """The counter sells to nobody in particular: a clerk's order with no email address (no
    customer at all, or a name only) is the walk-in's, as at the counter's page. Every other
    channel needs an address to send the tickets to, and says so by its field."""
    from sales.formatting import WALK_IN_EMAIL

    counter = client_for(clerk)
    drawer(clerk)
    for customer in ({}, {"name": "Ana"}, {"name": "", "email": ""}):
        body = {"hold": _hold(counter, performance), "payment": {"method": "cash", "tendered": "50.00"}}
        sold = counter.post("/api/v1/orders/", {**body, **({"customer": customer} if customer else {})},
                            format="json")
        assert sold.status_code == 201, sold.content
        order = Order.objects.get(code=sold.json()["code"])
        assert order.status == Order.Status.PAID and order.customer.email == WALK_IN_EMAIL
    assert Order.objects.get(buyer_name="Ana").buyer == "Ana"
    assert sold.json()["customer"]["name"] == "Counter customer"

    online = client_for().post("/api/v1/orders/", {"hold": _hold(client_for(), performance),
                                                   "customer": {"name": "Ana"}, "payment": CARD}, format="json")
    assert assert_error(online, 400, "invalid")["field"] == "email"
    phone = client_for(operator).post("/api/v1/orders/", {
        "hold": _hold(client_for(operator), performance), "customer": {"name": "Ana", "email": ""},
        "reserve_until": (timezone.now() + timedelta(days=2)).isoformat()}, format="json")
    assert assert_error(phone, 400, "invalid")["field"] == "email"
    assert Order.objects.count() == 3


def test_a_walk_in_who_gives_an_address_only_is_named_by_it_as_at_the_counters_page(performance, clerk):
    """At the counter's window a walk-in who wants their tickets by email gives the address
    and may keep their name: the order's buyer is then named by the address. A clerk's API
    order is sold the same way; an online buyer still gives a name."""
    counter = client_for(clerk)
    drawer(clerk)
    sold = counter.post("/api/v1/orders/", {
        "hold": _hold(counter, performance), "customer": {"email": "ana@example.org"},
        "payment": {"method": "cash", "tendered": "50.00"}}, format="json")
    assert sold.status_code == 201, sold.content
    assert sold.json()["customer"] == {"name": "ana@example.org", "email": "ana@example.org", "phone": ""}
    assert Order.objects.get(code=sold.json()["code"]).buyer == "ana@example.org"

    online = client_for().post("/api/v1/orders/", {"hold": _hold(client_for(), performance),
                                                   "customer": {"email": "ana@example.org"}, "payment": CARD},
                               format="json")
    assert assert_error(online, 400, "invalid")["field"] == "name"


# --- reading one's order ------------------------------------------------------------------

def test_a_buyer_reads_their_order_with_the_token_of_its_link(performance):
    """The order's `link` ends in its private token: sent as `?token=`, it lets the buyer
    (no account) read the order. Without it, or with a wrong one, or for an unknown code:
    a JSON 404, the same for each, in the request's language."""
    buyer = client_for()
    sold = _order(buyer, performance, CARD)
    assert sold.status_code == 201, sold.content
    code, link = sold.json()["code"], sold.json()["link"]
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]
    assert token == Order.objects.get(code=code).access_token

    read = client_for().get(f"/api/v1/orders/{code}/", {"token": token})
    assert read.status_code == 200 and read.json()["code"] == code and read.json()["status"] == "paid"
    assert client_for().get(f"/api/v1/orders/{code.lower()}/", {"token": token}).status_code == 200
    for query in ({}, {"token": ""}, {"token": token[:-1]}, {"token": token + "x"}, {"token": "é" * 40}):
        refused = client_for().get(f"/api/v1/orders/{code}/", query)
        assert refused["Content-Type"] == "application/json"
        assert assert_error(refused, 404, "not_found")["message"] == "no such order"
    assert assert_error(client_for().get("/api/v1/orders/NOSUCH00/", {"token": token}), 404, "not_found")
    in_french = client_for().get(f"/api/v1/orders/{code}/", {"token": "wrong"}, headers={"Accept-Language": "fr"})
    assert assert_error(in_french, 404, "not_found")["message"] == "commande introuvable"


# --- language -----------------------------------------------------------------------------

def test_refusals_speak_the_requests_language_and_the_order_keeps_its_own(performance):
    """The messages follow the request's Accept-Language; what the order holds (the
    customer's language for its emails, its tickets' names) is given as it was stored."""
    buyer = client_for()
    refused = _order(buyer, performance, {"method": "card", "token": "tok_nobodyhasthis"}, **{"Accept-Language": "fr"})
    assert assert_error(refused, 400, "invalid")["message"] == \
        "le prestataire de paiement n’a pas pu utiliser cette carte\u00a0; saisissez-la de nouveau"
    sold = buyer.post("/api/v1/orders/", {"hold": _hold(buyer, performance), "customer": BUYER, "payment": CARD,
                                          "language": "fr"}, format="json", headers={"Accept-Language": "en"})
    assert sold.status_code == 201, sold.content
    assert Order.objects.get(code=sold.json()["code"]).language == "fr"
    declined = buyer.post("/api/v1/orders/", {"hold": _hold(buyer, performance), "customer": BUYER, "language": "fr",
                                              "payment": {"method": "test_card", "card_number": DECLINE}},
                          format="json", headers={"Accept-Language": "en"})
    assert assert_error(declined, 402, "payment_declined")["message"] == "card declined: insufficient funds"


def test_staff_refusals_speak_the_requests_language(performance, clerk, organizer):
    """Who may not do something is told so in their language, as DRF's own refusals are."""
    from sales.policy import DOOR_STAFF
    from tests.support import make_user

    code = _order(client_for(), performance, CARD).json()["code"]
    french = {"Accept-Language": "fr"}
    cancel = client_for(clerk).post(f"/api/v1/orders/{code}/cancel/", headers=french)
    assert assert_error(cancel, 403, "permission_denied")["message"] == \
        "seul un téléphoniste ou un organisateur annule une commande ou envoie son lien de paiement"
    door = client_for(make_user("door1", DOOR_STAFF))
    assert assert_error(door.post(f"/api/v1/orders/{code}/refund/", headers=french), 403,
                        "permission_denied")["message"] == "personnel seulement"
    plan = client_for(clerk).post(f"/api/v1/venues/{performance.venue_id}/seating-plan/", {}, format="json",
                                  headers=french)
    assert assert_error(plan, 403, "permission_denied")["message"] == "organisateurs seulement"
    link = client_for(organizer).post(f"/api/v1/orders/{code}/payment-link/", headers=french)
    assert assert_error(link, 409, "illegal_transition")["message"] == \
        f"la commande {code} est payée\u00a0; seule une réservation se paie par un lien"




@pytest.mark.parametrize("language, message", [
    ("en", "the payment provider did not answer; try again in a moment"),
    ("fr", "le prestataire de paiement n’a pas répondu\u00a0; réessayez dans un instant"),
])
def test_the_provider_silent_is_said_in_the_requests_language(performance, settings, language, message):
    """A payment waiting on the bank, confirmed while the provider does not answer
    (nothing listens where it is sent): a 503 in the request's language, the order
    left pending."""
    answer = _order(client_for(), performance, {"method": "card", "token": card_token(THREE_D_SECURE)})
    error = assert_error(answer, 402, "payment_action_required")
    settings.STRIPE_API_BASE, settings.STRIPE_NETWORK_RETRIES = "http://127.0.0.1:9", 0
    silent = client_for().post(f"/api/v1/orders/{error['order']}/confirm-payment/",
                               {"client_secret": error["client_secret"]}, format="json",
                               headers={"Accept-Language": language})
    assert assert_error(silent, 503, "payment_provider_unavailable")["message"] == message
    assert Order.objects.get(code=error["order"]).status == Order.Status.PENDING


@pytest.mark.parametrize("language, deep, lone", [
    ("en", "JSON parse error - nested more than 16 levels deep",
     "JSON parse error - a string holds a lone surrogate, which is not a character"),
    ("fr", "erreur d’analyse JSON\u00a0: imbriqué sur plus de 16 niveaux",
     "erreur d’analyse JSON\u00a0: un texte contient un demi-codet isolé (surrogate), qui n’est pas un caractère"),
])
def test_a_body_refused_by_the_parser_is_said_in_the_requests_language(performance, language, deep, lone):
    """Nested past the limit, at once (the parser's own recursion) or just past it, or
    holding a lone surrogate: a 400 `parse_error` in the request's language, no hold made."""
    buyer, headers = client_for(), {"Accept-Language": language}
    for body in ("[" * 5000 + "]" * 5000, '{"places": ' + "[" * 17 + "]" * 17 + "}",
                 '{"performance": 1, "places": [1], "note": "\\ud800"}'):
        refused = buyer.post("/api/v1/holds/", body, content_type="application/json", headers=headers)
        assert assert_error(refused, 400, "parse_error")["message"] == (lone if "ud800" in body else deep)
    assert not Hold.objects.exists()


BROKEN_BODIES = [
    '{performance: 1}',
    '{"performance": 1, "places": [1,]}',
    '{"performance": 1\n "places": [1]}',
    '{"performance": 1, "note": "unfinished',
    b'{"performance": 1, "note": "\xff"}',
    '{"performance": ' + "9" * 5000 + '}',
    '{"performance": NaN}',
    '\ufeff{"performance": 1}',
]


@pytest.mark.parametrize("language, said", [
    ("en", ["JSON parse error - line 1, column 2: a property name in double quotes was expected",
            "JSON parse error - line 1, column 33: a value was expected",
            "JSON parse error - line 2, column 2: a comma was expected",
            "JSON parse error - line 1, column 28: a string is not closed",
            "JSON parse error - the body is not utf-8 text (byte 29)",
            "JSON parse error - a number has more than 4300 digits",
            "JSON parse error - NaN and Infinity are not numbers in JSON",
            "JSON parse error - the body begins with a byte order mark (BOM): send it without one"]),
    ("fr", ["erreur d’analyse JSON\u00a0: ligne 1, colonne 2\u00a0: un nom de propriété entre guillemets doubles "
            "était attendu",
            "erreur d’analyse JSON\u00a0: ligne 1, colonne 33\u00a0: une valeur était attendue",
            "erreur d’analyse JSON\u00a0: ligne 2, colonne 2\u00a0: une virgule était attendue",
            "erreur d’analyse JSON\u00a0: ligne 1, colonne 28\u00a0: un texte n’est pas fermé",
            "erreur d’analyse JSON\u00a0: le corps n’est pas du texte utf-8 (octet 29)",
            "erreur d’analyse JSON\u00a0: un nombre a plus de 4300 chiffres",
            "erreur d’analyse JSON\u00a0: NaN et Infinity ne sont pas des nombres en JSON",
            "erreur d’analyse JSON\u00a0: le corps commence par une marque d’ordre des octets (BOM)\u00a0: "
            "envoyez-le sans"]),
])
def test_a_body_that_is_not_json_is_said_in_the_requests_language_with_where(performance, language, said):
    """A body that does not parse is a 400 `parse_error` whose message is in the request's
    language and says where the body went wrong (line and column, or byte), never the
    parser's own English words (nor Python's advice on its settings). Nothing is held."""
    buyer = client_for()
    for body, message in zip(BROKEN_BODIES, said, strict=True):
        refused = buyer.post("/api/v1/holds/", body, content_type="application/json",
                             headers={"Accept-Language": language})
        assert refused["Content-Type"] == "application/json"
        assert refused.json() == {"error": {"code": "parse_error", "message": message}}, body
    assert not Hold.objects.exists()


@pytest.mark.parametrize("charset", ["zlib", "bz2", "base64", "hex", "rot13", "uu", "quopri"])
def test_a_body_in_a_charset_that_is_no_text_encoding_is_refused_not_unpacked(performance, charset):
    """The charset of a JSON body names the text encoding it is written in; Python's codecs
    also name compressions and bytes-to-bytes transforms, which DRF refuses (a compressed
    body would be unpacked past the size limit), but as a parse error in English whatever
    the request's language. It is a 415 naming the charset, in the request's language;
    nothing is held."""
    import codecs
    import json

    text = json.dumps({"performance": performance.pk, "places": [places_of(performance)[0].pk]})
    body = codecs.encode(text if charset == "rot13" else text.encode(), charset)
    refused = client_for().post("/api/v1/holds/", body, content_type=f"application/json; charset={charset}",
                                headers={"Accept-Language": "fr"})
    assert assert_error(refused, 415, "unsupported_media_type")["message"] == \
        f"le corps est écrit en {charset}, qui n’est pas un encodage de texte\u00a0: envoyez-le en UTF-8"
    assert not Hold.objects.exists()


@pytest.mark.parametrize("language, crashed, forbidden, not_allowed", [
    ("fr", "erreur interne", "permission refusée", "la méthode POST n’est pas permise ici"),
    ("en", "internal error", "permission denied", "method POST not allowed here"),
])
def test_the_project_wide_refusals_speak_the_requests_language(settings, language, crashed, forbidden, not_allowed):
    """What no view of the API words itself (a crash, a refusal without a reason, a method
    a plain view does not take) is said in the request's language too, in the same shape."""
    from django.test import Client

    settings.ROOT_URLCONF = "tests.crash_urls"
    client, headers = Client(raise_request_exception=False), {"Accept-Language": language}
    for url in ("/api/v1/crash/", "/api/v1/crash-plain/"):
        assert assert_error(client.get(url, headers=headers), 500, "server_error")["message"] == crashed
    assert assert_error(client.get("/api/v1/forbidden/", headers=headers), 403,
                        "permission_denied")["message"] == forbidden
    refused = client.post("/api/v1/read-only/", headers=headers)
    assert assert_error(refused, 405, "method_not_allowed")["message"] == not_allowed


# --- addresses ----------------------------------------------------------------------------

@pytest.mark.parametrize("debug", [False, True])
def test_an_address_without_its_final_slash_is_a_json_404_naming_the_right_one(performance, settings, debug):
    """Every address of the API ends in a slash. Without it, a GET, a POST or a DELETE is
    answered a JSON 404 that names the address with it, in the request's language: never
    Django's redirect with an empty page (which would lose a POST's body), nor, with DEBUG
    on, its error page. Nothing is done: no hold made, none released."""
    settings.DEBUG = debug
    buyer = client_for()
    ids = [p.pk for p in places_of(performance, state="available")[:1]]
    made = buyer.post("/api/v1/holds", {"performance": performance.pk, "places": ids}, format="json")
    assert made["Content-Type"] == "application/json"
    assert assert_error(made, 404, "not_found")["message"] == \
        "no such resource; this address ends with a slash: /api/v1/holds/"
    assert not Hold.objects.exists()

    token = _hold(buyer, performance)
    for method in ("get", "delete"):
        answer = getattr(buyer, method)(f"/api/v1/holds/{token}")
        assert assert_error(answer, 404, "not_found")["message"] == \
            f"no such resource; this address ends with a slash: /api/v1/holds/{token}/"
    assert Hold.objects.get().status == Hold.Status.ACTIVE
    for path in ("/api/v1", "/api/v1/orders/NOSUCH00", "/api/v1/orders/NOSUCH00/pay"):
        answer = buyer.post(path, {}, format="json", headers={"Accept-Language": "fr"})
        assert answer["Content-Type"] == "application/json"
        assert assert_error(answer, 404, "not_found")["message"] == \
            f"ressource introuvable\u00a0; cette adresse se termine par une barre oblique\u00a0: {path}/"
    # An address that is none, slash or not, is the plain 404 (with DEBUG on, a loopback
    # client gets Django's debug page for it instead).
    for path in ("/api/v1/no-such-thing", "/api/v1/no-such-thing/") if not debug else ():
        assert assert_error(buyer.get(path), 404, "not_found")["message"] == "no such resource"


@pytest.mark.parametrize("debug", [False, True])
def test_the_docs_page_typed_without_its_slash_opens_it(db, settings, debug):
    """A person typing /api/docs in a browser is sent on to the docs page, /api/docs/, its
    query kept; a POST there (no page to go on to) and the API's own addresses without
    their slash keep their JSON 404 naming the address to use."""
    from django.test import Client

    settings.DEBUG = debug
    person = Client()
    for method in ("get", "head"):
        sent = getattr(person, method)("/api/docs", headers={"Accept": "text/html"})
        assert sent.status_code == 301 and sent["Location"] == "/api/docs/", (method, sent.content[:200])
    assert person.get("/api/docs?tag=holds")["Location"] == "/api/docs/?tag=holds"
    opened = person.get("/api/docs", follow=True)
    assert opened.status_code == 200 and "swagger-ui" in opened.content.decode()
    assert assert_error(person.post("/api/docs"), 404, "not_found")["message"] == \
        "no such resource; this address ends with a slash: /api/docs/"
    for path in ("/api/v1/events", "/api/schema"):
        refused = person.get(path, headers={"Accept": "text/html"})
        assert refused["Content-Type"] == "application/json"
        assert assert_error(refused, 404, "not_found")["message"] == \
            f"no such resource; this address ends with a slash: {path}/"


@pytest.mark.parametrize("language, said", [
    ("en", ["give exactly one of places, zone or section", "quantity: how many places?",
            "give exactly one of payment or reserve_until",
            "payment_link: a payment link is for a reservation (reserve_until)",
            "payment: card_number: card numbers are not accepted: send the token of the card typed into the "
            "payment provider's field"]),
    ("fr", ["donnez exactement un de places, zone ou section", "quantity: combien de places\u00a0?",
            "donnez exactement un de payment ou reserve_until",
            "payment_link: un lien de paiement est pour une réservation (reserve_until)",
            "payment: card_number: les numéros de carte ne sont pas acceptés\u00a0: envoyez le jeton de la carte "
            "saisie dans le champ du prestataire de paiement"]),
])
def test_the_apis_own_checks_of_a_body_speak_the_requests_language(performance, language, said):
    """What the API's own checks of a body say (a hold asked for two ways or none, an order
    paid and reserved at once, a card number sent) is in the request's language, as the
    framework's checks are; nothing is held or sold."""
    buyer, headers = client_for(), {"Accept-Language": language}
    bodies = [("/api/v1/holds/", {"performance": performance.pk}),
              ("/api/v1/holds/", {"performance": performance.pk, "zone": 1}),
              ("/api/v1/orders/", {"hold": "x", "customer": BUYER}),
              ("/api/v1/orders/", {"hold": "x", "customer": BUYER, "payment": CARD, "payment_link": True}),
              ("/api/v1/orders/", {"hold": "x", "customer": BUYER,
                                   "payment": {"method": "card", "card_number": "4242"}})]
    for (path, body), message in zip(bodies, said, strict=True):
        refused = buyer.post(path, body, format="json", headers=headers)
        assert assert_error(refused, 400, "invalid")["message"] == message, body
    assert not Hold.objects.exists() and not Order.objects.exists()


@pytest.mark.parametrize("language, said", [("en", "unknown field: nothing was done"),
                                            ("fr", "champ inconnu\u00a0: rien n’a été fait")])
def test_a_misspelt_field_is_refused_by_its_name_and_nothing_is_done(performance, operator, language, said):
    """A field the request does not have (a typo for an optional one) is named and refused,
    at the top of the body or inside one of its parts: dropped without a word, a misspelt
    `payment_link` reserved without emailing the link, a misspelt `quantity` held one seat."""
    phone, headers = client_for(operator), {"Accept-Language": language}
    seat = places_of(performance)[0].pk
    held = phone.post("/api/v1/holds/", {"performance": performance.pk, "places": [seat], "acessible": True},
                      format="json", headers=headers)
    assert assert_error(held, 400, "invalid")["fields"] == {"acessible": [said]}
    token = phone.post("/api/v1/holds/", {"performance": performance.pk, "places": [seat]},
                       format="json").json()["token"]
    until = (timezone.now() + timedelta(days=2)).isoformat()
    for body, field in (({"payment_lnk": True}, "payment_lnk"),
                        ({"customer": {**BUYER, "phon": "514 555 0100"}}, "customer")):
        refused = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "reserve_until": until, **body},
                             format="json", headers=headers)
        assert said in assert_error(refused, 400, "invalid")["message"] and field in refused.json()["error"]["fields"]
    assert not Order.objects.exists() and Hold.objects.count() == 1
    reserved = phone.post("/api/v1/orders/", {"hold": token, "customer": BUYER, "reserve_until": until,
                                              "payment_link": True}, format="json")
    assert reserved.status_code == 201, reserved.content


@pytest.mark.parametrize("language, said", [
    ("en", ["no such hold", "no such hold", "no such performance", "no such performance", "no such ticket"]),
    ("fr", ["retenue introuvable", "retenue introuvable", "représentation introuvable",
            "représentation introuvable", "billet introuvable"]),
])
def test_what_is_not_found_is_named_in_the_callers_language(performance, organizer, language, said):
    """A hold of another caller's (to them it does not exist), an unknown performance or
    ticket: a 404 that says which, as an unknown order already did, not "Not found."."""
    theirs = client_for().post("/api/v1/holds/", {"performance": performance.pk,
                                                  "places": [places_of(performance)[0].pk]}, format="json")
    stranger, staff, headers = client_for(make_user("stranger")), client_for(organizer), {"Accept-Language": language}
    answers = [stranger.get(f"/api/v1/holds/{theirs.json()['token']}/", headers=headers),
               stranger.post("/api/v1/holds/no-such-token/quote/", {}, format="json", headers=headers),
               staff.get("/api/v1/performances/999999/", headers=headers),
               staff.get("/api/v1/performances/999999/seatmap/", headers=headers),
               staff.get("/api/v1/tickets/NOSUCHCODE/", headers=headers)]
    assert [assert_error(answer, 404, "not_found")["message"] for answer in answers] == said
