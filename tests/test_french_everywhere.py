"""French everywhere: a French buyer, clerk, operator or door keeper reads no English of
ours. Every page, email and PDF below is rendered in French and read as a person would
(its visible text), and fails if it shows one of our catalogue's English sentences as
it is (where the French differs) or an English sentence of our own making."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from events.models import Seat
from sales import lottery
from sales.holds import hold_create
from sales.models import Ballot, Order, Organizer
from sales.notifications import send_confirmation, send_reservation_reminders
from sales.orders import CustomerDetails, order_reserve
from sales.policy import COUNTER_CLERK, DOOR_STAFF, PHONE_OPERATOR
from tests.factories import CustomerFactory
from tests.support import (
    BUYER,
    CARD,
    card_token,
    drawer,
    make_performance,
    make_user,
    on_the_day,
    places_of,
    price_types,
    quebec_taxes,
    signed_in,
)

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
# English words of our sentences that French never uses; test data (names of zones,
# price types, venues) is chosen so that none of them is in it.
ENGLISH_WORDS = {"the", "your", "you", "is", "are", "was", "and", "with", "this", "these", "not", "of", "for",
                 "has", "have", "been", "no", "please", "seats", "tickets", "order", "held", "sold", "card",
                 "declined", "payment", "left", "again", "only"}
# Service messages seen in French pages before they were translated.
KNOWN_LEAKS = ["card declined", "insufficient funds", "Your card was declined", "place unavailable",
               "places unavailable", "already sold", "held by another buyer", "the hold has lapsed"]


@cache
def our_english() -> list[re.Pattern]:
    """A pattern per English sentence of the catalogue whose French differs: the sentence's
    longest stretch without placeholders, as whole words."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    patterns = []
    for entry in po:
        french = entry.msgstr or (entry.msgstr_plural or {}).get(0, "")
        if entry.obsolete or not french or french == entry.msgid:
            continue
        stretch = max((s.strip(" :;,.—") for s in re.split(r"%\(\w+\)[sd]|%[sd]|\n", entry.msgid)), key=len)
        if len(stretch) < 3 or stretch in french:
            continue
        # Not inside a link or a code ("orders" in /orders/..., "reference" in ?reference=):
        # whole words of a sentence.
        patterns.append(re.compile(rf"(?<![\w/?&=-]){re.escape(stretch)}(?![\w/=-])"))
    return patterns


class _Visible(HTMLParser):
    """The text a person reads or hears: text outside scripts and styles, and the
    attributes read out (labels, titles, placeholders, button values)."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden, self.foreign = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        # An element marked as in another language (a language named in its own, lang="en")
        # is not English leaking into French: its text is left out, until its end tag.
        if tag == "option" and (dict(attrs).get("lang") or "fr")[:2] != "fr":
            self.foreign.append(tag)
            self.hidden += 1
        for name, value in attrs:
            if value and (name in ("title", "alt", "placeholder", "aria-label")
                          or (name == "value" and dict(attrs).get("type") in ("submit", "button"))):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden = max(0, self.hidden - 1)
        if self.foreign and tag == self.foreign[-1]:
            self.foreign.pop()
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def english_in(text: str) -> list[str]:
    """What in `text` is English of ours."""
    found = [p.pattern for p in our_english() if p.search(text)]
    found += [leak for leak in KNOWN_LEAKS if leak.lower() in text.lower()]
    words = set(re.findall(r"(?<![\w/-])[A-Za-z]+(?![\w/-])", text))  # not inside codes, tokens or links
    found += sorted(words & ENGLISH_WORDS)
    return found


def assert_french(what: str, text: str) -> None:
    leaks = english_in(text)
    assert leaks == [], f"English in the French {what}: {leaks}\n---\n{text[:3000]}"


def page(client: Client, url: str, **kwargs) -> str:
    response = client.get(url, **FRENCH, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Language"] == "fr"
    return response.content.decode()


def pdf_text(data: bytes) -> str:
    """The text drawn on a PDF of ours (reportlab's standard fonts: literal strings in
    page streams, ASCII85 and Flate encoded)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            stream = zlib.decompress(base64.a85decode(b"<~" + stream.strip(), adobe=True))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream):
            raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), literal)
            text.append(re.sub(rb"\\(.)", rb"\1", raw).decode("cp1252"))
    return "\n".join(text)


def test_the_check_finds_english():
    """The checks themselves: the English they are meant to find is found."""
    assert english_in("Paiement refusé\u00a0: card declined: insufficient funds")
    assert english_in("<p>Your basket</p>") and english_in(visible('<button title="Release these seats">x</button>'))
    assert english_in("Réservé. Seats held for 5 minutes")
    assert english_in("https://example.org/orders/AB12/x9is3-no_of/ 4f7the") == []  # codes and links are no words
    assert english_in(visible("<p>Votre panier</p><script>var t = 'Your basket';</script>")) == []


@pytest.fixture
def french_performance():
    perf = make_performance(rows=2, per_row=6, price="50.00")
    perf.event.title = "Soirée Lumière"
    perf.event.save()
    perf.venue.name = "Théâtre Bleu"
    perf.venue.save()
    perf.price_zones.update(name="Parterre")
    price_types(perf, {"Adulte": {"Parterre": "50.00"}, "Enfant": {"Parterre": "30.00"}})
    quebec_taxes()
    Organizer.objects.update(name="Théâtre Bleu")  # the organizer's own name, on receipts
    return perf


@pytest.mark.django_db(transaction=True)
def test_a_french_purchase_at_the_shop_is_french_from_the_map_to_the_pdf(french_performance, mailoutbox):
    perf = french_performance
    shop = Client()
    assert_french("event list", visible(page(shop, "/")))
    assert_french("performance page", visible(page(shop, f"/performances/{perf.pk}/")))
    a1, a2, a3 = (p.pk for p in places_of(perf)[:3])
    Seat.objects.filter(pk=places_of(perf)[1].seat_id).update(restricted_view=True)
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": f"{a1},{a2}"}, **FRENCH)
    basket = visible(page(shop, "/basket/"))
    assert "Visibilité réduite" in basket
    assert_french("basket", basket)

    # A refusal from the inventory: these seats are someone else's.
    other = Client()
    refused = other.post(f"/performances/{perf.pk}/hold/", {"seats": f"{a1},{a3}"}, follow=True, **FRENCH)
    assert "Non retenu\u00a0: Stalls A-1 (dans le panier d’un autre acheteur)." in visible(refused.content.decode())
    assert "Vos autres choix restent cochés" in visible(refused.content.decode())
    assert_french("refused hold", visible(refused.content.decode()))

    # The form's own errors, then a declined card, then a good one.
    missing = shop.post("/checkout/", {"name": "", "email": "pas-un-courriel", "card_token": ""}, **FRENCH)
    assert missing.status_code == 400
    assert_french("checkout errors", visible(missing.content.decode()))
    details = {"name": "Camille Roy", "email": "camille@example.org"}
    declined = shop.post("/checkout/", {**details, "card_token": card_token("4000000000000341"), "nonce": "1"},
                         **FRENCH)
    assert declined.status_code == 402
    text = visible(declined.content.decode())
    assert "Paiement refusé\u00a0: votre carte a été refusée." in text
    assert_french("declined checkout", text)
    paid = shop.post("/checkout/", {**details, "card_token": card_token(), "nonce": "2"}, follow=True, **FRENCH)
    order = Order.objects.get(status=Order.Status.PAID)
    assert order.language == "fr"
    assert_french("order page", visible(paid.content.decode()))

    # What the worker sends later, whatever the language of the process sending it.
    with translation.override("en"):
        assert send_confirmation(order.pk)
    (email,) = mailoutbox
    assert email.subject.startswith("Vos billets pour Soirée Lumière")
    assert_french("confirmation subject", email.subject)
    assert "Merci pour votre commande" in email.body
    assert_french("confirmation email", email.body)
    ((_name, pdf, _type),) = email.attachments
    text = pdf_text(pdf)
    assert f"Commande {order.code}" in text
    assert_french("tickets PDF", text)
    with translation.override("en"):
        again = shop.get(f"/orders/{order.code}/{order.access_token}/tickets.pdf")
    assert_french("tickets PDF from the order page", pdf_text(again.content))


def test_the_counter_speaks_french_to_a_french_clerk_and_prints_in_the_buyers_language(french_performance):
    perf = french_performance
    clerk = make_user("guichet", COUNTER_CLERK)
    counter = signed_in(clerk)
    assert_french("counter home before a shift", visible(page(counter, "/counter/")))
    assert 'value="200,00"' in page(counter, "/counter/")  # the float offered as the clerk types it
    counter.post("/counter/shift/open/", {"cash_float": "100"}, **FRENCH)
    assert_french("counter home", visible(page(counter, "/counter/")))
    assert "<kbd>Entrée</kbd>" in page(counter, "/counter/")  # the keys as a French keyboard names them
    assert_french("counter map", visible(page(counter, f"/counter/performances/{perf.pk}/map/")))
    zone = perf.price_zones.get()
    answer = counter.post("/counter/sale/", {"performance": perf.pk, "zone": zone.pk, "quantity": 2}, **FRENCH)
    sale_url = answer["Location"]
    assert_french("counter sale", visible(page(counter, sale_url)))
    short = counter.post(sale_url, {"tendered": "1", "attempt": "1", "language": "fr"}, **FRENCH)
    assert short.status_code == 400
    assert re.search(r"1,00\u00a0\$ est inférieur au total de \d+,\d\d\u00a0\$", visible(short.content.decode()))
    assert_french("counter sale refused", visible(short.content.decode()))
    # An English-speaking clerk sells to a French-speaking buyer: the printout is French.
    sold = counter.post(sale_url, {"tendered": "200", "attempt": "2", "language": "fr"}, follow=True,
                        HTTP_ACCEPT_LANGUAGE="en")
    order = Order.objects.get(status=Order.Status.PAID)
    assert order.language == "fr" and "Sold." in sold.content.decode()
    assert_french("counter order", visible(page(counter, f"/counter/orders/{order.code}/")))
    french_money = re.compile(r"\d,\d\d\u00a0\$")  # 45,00 $, as Québec writes it
    assert french_money.search(page(counter, f"/counter/orders/{order.code}/"))
    printed = counter.post(f"/counter/orders/{order.code}/print/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="fr"' in printed and french_money.search(printed)
    # On screen only, never on the paper: the slip's Print and Close, for the clerk, in their language.
    bar = re.search(r'<div class="slip-bar".*?</div>', printed, flags=re.S)
    assert bar and "Close" in bar[0]
    assert_french("printed tickets", visible(printed.replace(bar[0], "")))
    assert_french("counter PDF", pdf_text(counter.get(f"/counter/orders/{order.code}/tickets.pdf").content))
    assert_french("lookup", visible(page(counter, "/counter/lookup/", data={"q": order.customer.email})))
    ticket = order.tickets.first()
    exchange = counter.post(f"/counter/orders/{order.code}/exchange/", {"tickets": ticket.pk, "zone": zone.pk},
                            follow=True, **FRENCH)
    assert "/exchange/" in exchange.redirect_chain[-1][0]
    assert_french("exchange", visible(exchange.content.decode()))
    closing = page(counter, "/counter/shift/close/")
    assert_french("close shift", visible(closing))
    # The exchange left open holds its seats: the close releases them, as its page offers.
    release = re.findall(r'name="release" value="(\d+)"', closing)
    assert len(release) == 1
    check = counter.post("/counter/shift/close/", {"counted_cash": "214.98", "counted_card": "0",
                                                   "release": release}, **FRENCH)
    assert_french("count check", visible(check.content.decode()))
    confirmed = re.search(r'name="confirmed" value="([^"]*)"', check.content.decode()).group(1)
    report = counter.post("/counter/shift/close/", {"counted_cash": "214.98", "counted_card": "0",
                                                    "confirmed": confirmed, "release": release},
                          follow=True, **FRENCH)
    assert "/report/" in report.redirect_chain[-1][0]
    assert_french("shift report", visible(report.content.decode()))


def test_the_phone_console_speaks_french_and_writes_in_the_callers_language(french_performance, mailoutbox):
    perf = french_performance
    operator = make_user("telephone", PHONE_OPERATOR)
    phone = signed_in(operator)
    caller = CustomerFactory(name="Luc Tremblay", email="luc@example.org")
    assert_french("phone home", visible(page(phone, "/phone/", data={"q": "Tremblay"})))
    assert_french("caller", visible(page(phone, f"/phone/customers/{caller.pk}/")))
    zone = perf.price_zones.get()
    # The operator, on an English screen, notes that the caller speaks French.
    answer = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk, "zone": zone.pk,
                                                               "quantity": 2, "language": "fr"})
    caller.refresh_from_db()
    assert caller.language == "fr"
    sale_url = answer["Location"]
    assert_french("phone sale", visible(page(phone, sale_url)))
    assert_french("phone map", visible(page(phone, f"/phone/customers/{caller.pk}/performances/{perf.pk}/map/")))
    too_late = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    refused = phone.post(sale_url, {"action": "reserve", "deadline": too_late, "attempt": "0"}, **FRENCH)
    assert refused.status_code == 400 and "L’échéance doit tomber dans les 7 prochains jours" in visible(
        refused.content.decode())
    assert_french("phone sale refused", visible(refused.content.decode()))
    deadline = (timezone.localtime() + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    phone.post(sale_url, {"action": "reserve", "deadline": deadline, "attempt": "1"}, follow=True,
               HTTP_ACCEPT_LANGUAGE="en")
    order = Order.objects.get(status=Order.Status.RESERVED)
    assert order.language == "fr"
    assert_french("phone order", visible(page(phone, f"/phone/orders/{order.code}/")))
    assert send_reservation_reminders() == 1
    (email,) = mailoutbox
    assert email.subject.startswith("Rappel")
    assert_french("reminder", email.subject + "\n" + email.body)


def test_the_door_speaks_french(french_performance):
    perf = french_performance
    door = signed_in(make_user("portier", DOOR_STAFF))
    assert_french("door home", visible(page(door, "/door/")))
    assert_french("scanning page", visible(page(door, f"/door/performances/{perf.pk}/")))
    unknown = door.post(f"/door/performances/{perf.pk}/scan/", {"code": "NOPE"}, **FRENCH)
    assert_french("door refusal", visible(unknown.content.decode()))


def test_the_api_keeps_its_codes_and_speaks_the_callers_language(french_performance):
    perf = french_performance
    a1 = places_of(perf)[0]
    hold_create(performance=perf, channel="online", place_ids=[a1.pk])
    response = Client().post("/api/v1/holds/", {"performance": perf.pk, "places": [a1.pk]},
                             content_type="application/json", **FRENCH)
    error = response.json()["error"]
    assert response.status_code == 409 and error["code"] == "unavailable"
    assert error["places"] == [{"id": a1.pk, "reason": "held by another buyer"}]  # a program's words, kept
    assert error["message"] == "1 place indisponible\u00a0: dans le panier d’un autre acheteur"
    # An order placed in French is the buyer's in French: its emails will be.
    api = Client()
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[1].pk]},
                    content_type="application/json", **FRENCH).json()
    placed = api.post("/api/v1/orders/", {"hold": held["token"], "customer": BUYER, "payment": CARD},
                      content_type="application/json", **FRENCH)
    assert placed.status_code == 201, placed.content
    assert Order.objects.get(code=placed.json()["code"]).language == "fr"


def test_a_reservation_made_in_english_is_reminded_in_english(french_performance, mailoutbox):
    """The control: the language is the order's, not always French."""
    perf = french_performance
    operator = make_user("operator2", PHONE_OPERATOR)
    hold = hold_create(performance=perf, channel="phone", user=operator, place_ids=[places_of(perf)[0].pk])
    with translation.override("en"):
        order_reserve(hold=hold, customer=CustomerDetails(name="Ann Lee", email="ann@example.org"),
                      deadline=timezone.now() + timedelta(hours=20), actor=operator)
    assert send_reservation_reminders() == 1
    assert mail.outbox[0].subject.startswith("Reminder: pay for your reservation")


def test_a_ballot_writes_to_each_applicant_in_their_language(french_performance):
    perf = french_performance
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=12,
                                   opens_at=now - timedelta(days=2), closes_at=now + timedelta(hours=1))
    applied = Client().post(f"/lottery/{ballot.pk}/", {"name": "Élise", "email": "elise@example.org",
                                                       "quantity": "2"}, follow=True, **FRENCH)
    assert_french("ballot page", visible(applied.content.decode()))
    Client().post(f"/lottery/{ballot.pk}/", {"name": "Ann", "email": "ann@example.org", "quantity": "12"},
                  HTTP_ACCEPT_LANGUAGE="en")
    lottery.send_pending_notices()  # each address is asked to confirm, in its applicant's language
    links = {m.to[0]: (m, re.search(r"/lottery/confirm/[\w-]+/", m.body)[0]) for m in mail.outbox}
    asked, link = links["elise@example.org"]
    assert_french("ballot confirmation email", asked.subject + "\n" + asked.body)
    assert links["ann@example.org"][0].body.startswith("Hello Ann,")
    assert_french("ballot confirmation page", visible(Client().get(link, **FRENCH).content.decode()))
    confirmed = Client().post(link, follow=True, **FRENCH)
    assert_french("ballot confirmed", visible(confirmed.content.decode()))
    Client().post(links["ann@example.org"][1], HTTP_ACCEPT_LANGUAGE="en")
    mail.outbox.clear()
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=now - timedelta(minutes=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot)
    lottery.send_pending_notices()  # as the task the draw's commit asks for
    by_email = {m.to[0]: m for m in mail.outbox}
    assert set(by_email) == {"elise@example.org", "ann@example.org"}
    french = by_email["elise@example.org"]
    assert french.body.startswith("Bonjour Élise,")
    assert_french("ballot email", french.subject + "\n" + french.body)
    assert by_email["ann@example.org"].body.startswith("Hello Ann,")  # the control: her language, not French


def test_the_organizers_admin_names_its_sections_in_french(organizer, french_performance):
    """The admin's index names our apps and tables in the organizer's language, and a
    table's pages call its rows so."""
    office = signed_in(organizer)
    index = visible(page(office, "/admin/"))
    for name in ("Ventes", "Salles et événements", "Commandes", "Représentations", "Codes promo",
                 "Salles d’attente", "Tirages au sort", "Tirages vérifiables", "Quarts de travail"):
        assert name in index, name
    assert_french("admin index", index)
    orders = visible(page(office, "/admin/sales/order/"))
    assert "Sélectionnez l’objet commande à changer" in orders and "Ventes" in orders
    assert_french("admin list of orders", orders)
    for url in ("/admin/events/performance/add/", "/admin/sales/waitingroom/add/",
                "/admin/events/performance/"):
        form = visible(page(office, url))
        assert_french(url, form)
    added = visible(page(office, "/admin/events/performance/add/"))
    for label in ("Événement", "Début", "Limite de billets", "Canal", "Prix par zone"):
        assert label in added, label

    # The pages an organizer sets a new show up with: the seating plan's import (and its
    # errors), a promo code (its sections, help and refusals), a price type's prices.
    venue = french_performance.venue
    imports = visible(page(office, f"/admin/events/venue/{venue.pk}/import/"))  # the CSV's columns stay as typed
    assert "Téléversez un plan de salle" in imports and "Importer un plan de salle dans" in imports
    assert "Importer le plan de salle" in visible(page(office, f"/admin/events/venue/{venue.pk}/change/"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = office.post(f"/admin/events/venue/{venue.pk}/import/", {"plan": SimpleUploadedFile(
        "plan.csv", b"section,row,number,x\nBalcon,A,1,xx\n")}, **FRENCH)
    assert "ligne 2\u00a0: x doit être un nombre" in visible(refused.content.decode())
    promo = visible(page(office, "/admin/sales/promocode/add/"))
    assert_french("promo code form", promo)
    assert "Où il s’applique" in promo and "Canaux" in promo
    both = office.post("/admin/sales/promocode/add/", {"code": "BOTH", "percent_off": "10", "amount_off": "5"},
                       **FRENCH)
    assert "pas les deux" in visible(both.content.decode())


# French elides « de », « le », « la » before a vowel or a mute h (no name of ours starts
# with an aspirated h); it writes its apostrophe curly and a no-break space before a colon.
NOT_ELIDED = re.compile(r"\b(?:[dDlL]e|[lL]a) [aeiouyàâäéèêëîïôöûùüœhAEIOUYÀÂÉÈÊÎÔÛŒH]")


def test_the_admin_titles_every_table_in_french_that_reads_right(organizer, french_performance):
    """The titles Django's admin builds from a table's name (adding, changing, viewing one
    row, deleting those ticked) read right in French for every table of the office,
    whatever its name's gender or first letter: no « Ajout de événement », no « les salles
    sélectionnés »."""
    from django.contrib import admin

    with translation.override("fr"):
        for model in admin.site._registry:
            opts = model._meta
            titles = [translation.gettext(title) % opts.verbose_name for title in ("Add %s", "Change %s", "View %s")]
            titles.append(translation.gettext("Delete selected %(verbose_name_plural)s") % {
                "verbose_name_plural": opts.verbose_name_plural})
            for title in titles:
                assert not NOT_ELIDED.search(title), (opts.label, title)
                assert "'" not in title and not re.search(r"[^\u00a0]:", title), (opts.label, title)
                # A participle agrees with the name's gender, which a sentence for every name cannot know.
                assert "sélectionnés" not in title, (opts.label, title)
    office = signed_in(organizer)
    # A table of ours names its add page with its article, as its add button does.
    assert "Ajouter une salle" in visible(page(office, "/admin/events/venue/add/"))
    assert "Modification\u00a0: événement" in visible(page(office, f"/admin/events/event/"
                                                                     f"{french_performance.event_id}/change/"))
    assert ">Supprimer la sélection\u00a0: salles<" in page(office, "/admin/events/venue/")
    # A stacked row's heading names its table, then its row, after a colon written as French writes it.
    priced = page(office, f"/admin/events/performance/{french_performance.pk}/change/")
    headings = re.findall(r"<h3><b>(.*?)</b>", priced)
    assert headings and all(heading.endswith("\u00a0:") for heading in headings), headings


def test_the_admin_names_the_counters_walk_in_customer_in_french(organizer, french_performance):
    from sales.formatting import WALK_IN_EMAIL, WALK_IN_NAME
    from sales.payments import PaymentRequest

    clerk = make_user("guichet-admin", COUNTER_CLERK)
    hold = hold_create(performance=french_performance, channel="counter", user=clerk,
                       place_ids=[places_of(french_performance)[0].pk])
    from sales.orders import order_place
    from tests.support import drawer

    order = order_place(hold=hold, customer=CustomerDetails(name=WALK_IN_NAME, email=WALK_IN_EMAIL), actor=clerk,
                        shift=drawer(clerk), payment=PaymentRequest(method="cash", tendered=Decimal("100")))
    office = signed_in(organizer)
    orders = visible(page(office, "/admin/sales/order/"))
    assert "Client au comptoir" in orders and "Counter customer" not in orders
    detail = office.get(f"/admin/sales/order/{order.pk}/change/", **FRENCH).content.decode()
    assert re.search(r'class="fieldset-heading">Prix</h2>', detail)  # its receipt is in the buyer's language
    # Its history and its payments' notes, kept in English, read in French.
    assert "Ce qui s’est passé" in detail and "passée\u00a0: 1 billet" in detail.replace("&nbsp;", " ")
    assert ">placed<" not in detail and ">cash<" not in detail


def test_an_orders_history_rows_have_no_english_title_above_them(organizer, french_performance):
    """Each row of an order's history says what happened in French; the row is not titled
    with the line as it is kept (in English: "placed 1 tickets, 45.00 CAD")."""
    from sales.orders import order_place
    from sales.payments import PaymentRequest

    clerk = make_user("guichet-histoire", COUNTER_CLERK)
    hold = hold_create(performance=french_performance, channel="counter", user=clerk,
                       place_ids=[places_of(french_performance)[0].pk])
    order = order_place(hold=hold, customer=CustomerDetails(**BUYER), actor=clerk, shift=drawer(clerk),
                        payment=PaymentRequest(method="cash", tendered=Decimal("100")))
    detail = visible(page(signed_in(organizer), f"/admin/sales/order/{order.pk}/change/"))
    assert "passée\u00a0: 1 billet" in detail
    for event in order.events.all():
        assert str(event).strip() not in detail, str(event)


MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def test_every_field_has_a_name_in_french(organizer, french_performance):
    """The admin heads its columns and labels its fields with the fields' names: each of
    ours is marked for translation and has its French, and the list of holds reads so."""
    from django.apps import apps
    from django.utils.functional import Promise

    french = {(e.msgctxt, e.msgid) for e in polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "fr"
                                                          / "LC_MESSAGES" / "django.po")) if e.msgstr}

    def marked(name) -> tuple:  # (its context, its text): gettext_lazy's or pgettext_lazy's
        return (None, *name._args) if len(name._args) == 1 else tuple(name._args)

    unnamed = [f"{model.__name__}.{field.name}" for app in ("events", "sales")
               for model in apps.get_app_config(app).get_models() if not model._meta.proxy
               for field in model._meta.get_fields()
               if field.concrete and not field.auto_created
               and not (isinstance(field.verbose_name, Promise) and marked(field.verbose_name) in french)]
    assert unnamed == []
    hold_create(performance=french_performance, channel="online", owner_key="buyer",
                place_ids=[places_of(french_performance)[0].pk])
    holds = visible(page(signed_in(organizer), "/admin/sales/hold/"))
    for heading in ("Canal", "Utilisateur", "Statut", "Expire"):
        assert heading in holds, heading
    assert_french("admin list of holds", holds)
    # Its times as French writes them: the month whole and lower case, as on every other page.
    start = french_performance.local()
    with translation.override("fr"):
        month = start.strftime("%m")
        written = f"{start.day} {translation.gettext(MONTHS_EN[int(month) - 1])} {start.year}"
    performances = visible(page(signed_in(organizer), "/admin/events/performance/"))
    assert written in performances and written.lower() == written


def test_dates_are_written_as_each_language_writes_them():
    """French writes its months lower case, and whole (Django's short month is
    capitalised as in English, Jan, Déc, and says jui. for June and July alike)."""
    from datetime import datetime

    from django.template import Context, Template

    from sales.formatting import when

    moment = datetime(2027, 1, 3, 20, 0)
    with translation.override("fr"):
        assert when(moment) == "dim 3 janvier 2027 20\u00a0h"  # a whole hour without its minutes
        assert when(datetime(2026, 7, 3, 9, 5), "j M H:i") == "3 juillet 9\u00a0h\u00a005"
        rendered = Template('{% load boxoffice %}{{ at|when:"D j M H:i" }}').render(Context({"at": moment}))
        assert rendered == "dim 3 janvier 20\u00a0h"
    with translation.override("en"):
        assert when(moment) == "Sun 3 Jan 2027 20:00"
        assert when("not a date") == when(None) == ""


def test_shifts_tax_rates_and_payment_lines_speak_french():
    from decimal import Decimal

    from django.utils import translation

    from sales.models import Order, Payment, Shift
    from sales.pricing_admin import TaxRateForm

    shift = Shift.objects.create(clerk=make_user("guichet-b", COUNTER_CLERK), cash_float=Decimal("0"))
    shift.opened_at = datetime(2026, 12, 5, 12, 55, tzinfo=UTC)  # 07:55 in Toronto, the box office's clock
    with translation.override("en"):  # a date no reader takes for 12 May
        assert str(shift) == "Shift of guichet-b from 5 December 2026 07:55"
    with translation.override("fr"):
        assert str(shift) == "Quart de travail de guichet-b depuis le 5 décembre 2026 7\u00a0h\u00a055"
        form = TaxRateForm()
        assert str(form.fields["percent"].label) == "Taux (%)"
        assert str(form.fields["registration"].help_text) == "Imprimé sur les reçus à côté de la taxe."
        assert str(Payment._meta.get_field("created_by").verbose_name) == "créé par"
        assert str(Order._meta.get_field("created_by").verbose_name) == "créé par"
        # Money taken is not a seat taken, and a place held is not a place reserved.
        assert (translation.pgettext("money", "Taken"), translation.gettext("Taken")) == ("Encaissé", "Prise")
        assert translation.gettext("Held") != translation.gettext("Reserved")


def test_an_orders_history_reads_in_the_readers_language_with_its_amounts_as_money():
    from sales.formatting import payment_note
    from sales.models import OrderEvent, Payment
    from sales.templatetags.boxoffice import audit_line

    lines = [("placed", "2 tickets, 70.00 CAD"), ("paid", "card_terminal 50.00 + cash 20.00 CAD"),
             ("payment link sent", "elodie@example.com"),
             ("exchanged", "Stalls A-1 → Stalls B-2; difference +60.00 CAD"), ("printed", "1 tickets")]
    with translation.override("fr"):
        read = [audit_line(OrderEvent(action=action, detail=detail)) for action, detail in lines]
        assert payment_note(Payment(message="change due 8.00")) == "monnaie rendue 8,00\u00a0$"
        # The provider's yes is the payment's status already: not said twice ("Approuvé approuvé").
        assert payment_note(Payment(message="approved", status="approved")) == ""
    assert read[4] == "imprimée\u00a0: 1 billet"
    assert read[0] == "passée\u00a0: 2 billets, 70,00\u00a0$"
    assert read[1] == "payée\u00a0: Terminal de paiement 50,00\u00a0$ + Espèces 20,00\u00a0$"
    assert read[2].endswith(" elodie@example.com") and "payment link" not in read[2]
    assert read[3].endswith("+60,00\u00a0$") and "CAD" not in read[3]
    with translation.override("en"):
        assert audit_line(OrderEvent(action="placed", detail="2 tickets, 70.00 CAD")) == "placed: 2 tickets, $70.00"
    with translation.override("fr"):  # whom an approval was for; not any detail that begins with "for"
        assert audit_line(OrderEvent(action="refund approved", detail="for marc")).endswith(" pour marc")
        assert audit_line(OrderEvent(action="payment declined", detail="for want of funds")).endswith(
            " for want of funds")


def test_the_organizers_own_words_in_each_language(clerk):
    """Price types, their notes and the event's description written in both languages: each
    reader gets theirs, a ticket keeps its type's name as the page that sold it wrote it,
    and the door and an exchange still know the type by either name."""
    from events.models import PriceType
    from sales.orders import PriceRequest, order_place
    from sales.orders.exchanges import exchange_quote
    from sales.payments import APPROVE, PaymentRequest

    perf = make_performance(rows=1, per_row=6, price="50.00")
    perf.event.description, perf.event.description_fr = "Two nights by the lake.", "Deux soirs au bord du lac."
    perf.event.save()
    kinds = price_types(perf, {"Adult": {"Stalls": "50.00"}, "Child": {"Stalls": "30.00"}})
    PriceType.objects.filter(pk=kinds["Child"].pk).update(name_fr="Enfant", note="Ages 2 to 11",
                                                          note_fr="De 2 à 11 ans")
    PriceType.objects.filter(pk=kinds["Adult"].pk).update(name_fr="Adulte")
    english = visible(Client().get(f"/performances/{perf.pk}/").content.decode())
    french = visible(page(Client(), f"/performances/{perf.pk}/"))
    assert "Child" in english and "Ages 2 to 11" in english and "Two nights by the lake." in english
    assert "Enfant" in french and "De 2 à 11 ans" in french and "Deux soirs au bord du lac." in french
    assert "Child" not in french and "Ages 2 to 11" not in french and "Two nights" not in french

    first, second, third = (p.pk for p in places_of(perf)[:3])
    with translation.override("fr"):
        hold = hold_create(performance=perf, channel="online", place_ids=[first])
        order = order_place(hold=hold, customer=CustomerDetails(**BUYER),
                            prices=PriceRequest(types={first: kinds["Child"].pk}),
                            payment=PaymentRequest(method="test_card", card_number=APPROVE))
    ticket = order.tickets.get()
    assert ticket.price_type_name == "Enfant"
    with translation.override("fr"):
        assert "Enfant" in visible(page(Client(), f"/orders/{order.code}/{order.access_token}/"))
    # Another buyer's child ticket, sold in French, exchanged at an English counter.
    with translation.override("fr"):
        hold = hold_create(performance=perf, channel="online", place_ids=[second])
        other = order_place(hold=hold, customer=CustomerDetails(**BUYER),
                            prices=PriceRequest(types={second: kinds["Child"].pk}),
                            payment=PaymentRequest(method="test_card", card_number=APPROVE))
    new = hold_create(performance=perf, channel="counter", user=clerk, place_ids=[third])
    with translation.override("en"):
        quote = exchange_quote(order=other, ticket_ids=[other.tickets.get().pk], hold=new)
    # The ticket is named in its buyer's language, whatever the clerk's page speaks.
    assert quote.difference == 0 and quote.lines[0].price_type_name == "Enfant"
    # Known by its French name, the door says its note on the performance's day.
    on_the_day(perf)
    door = make_user("door-words", DOOR_STAFF)
    answer = signed_in(door).post(f"/door/performances/{perf.pk}/scan/", {"code": ticket.code},
                                  HTTP_ACCEPT="application/json", **FRENCH).json()
    assert answer["admitted"] and answer["note"] == "De 2 à 11 ans"


def test_the_organizers_export_names_each_price_type_in_the_readers_language(organizer):
    """Tickets sold in French and in English are one price type to the organizer: the
    export names each in the language of whoever exports, so a spreadsheet's totals by type
    are not split by the buyers' languages."""
    import csv

    from events.models import PriceType
    from sales.orders import PriceRequest, order_place
    from sales.payments import APPROVE, PaymentRequest

    perf = make_performance(rows=1, per_row=4, price="50.00")
    kinds = price_types(perf, {"Adult": {"Stalls": "50.00"}, "Child": {"Stalls": "30.00"}})
    PriceType.objects.filter(pk=kinds["Child"].pk).update(name_fr="Enfant")
    for place, language in zip((p.pk for p in places_of(perf)[:2]), ("fr", "en"), strict=True):
        with translation.override(language):
            hold = hold_create(performance=perf, channel="online", place_ids=[place])
            order_place(hold=hold, customer=CustomerDetails(**BUYER), language=language,
                        prices=PriceRequest(types={place: kinds["Child"].pk}),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    url = "/admin/sales/performancedashboard/exports/"
    for headers, named in (({}, "Child"), (FRENCH, "Enfant")):
        response = signed_in(organizer).get(url, {"kind": "tickets", "format": "csv", "performance": perf.pk},
                                            **headers)
        rows = list(csv.reader(b"".join(response.streaming_content).decode("utf-8-sig").splitlines(),
                               delimiter=";" if headers else ","))
        column = 7  # Price type
        assert [r[column] for r in rows[1:]] == [named, named], headers


def test_staff_read_a_price_type_in_their_own_language_whoever_bought_it(clerk, operator):
    """A French buyer's "Enfant" is "Child" on an English clerk's, operator's or door's
    page, and the other way round: one price type, one name for whoever reads it."""
    from events.models import PriceType
    from sales.orders import PriceRequest, order_place
    from sales.payments import PaymentRequest

    perf = make_performance(rows=1, per_row=4, price="50.00")
    kinds = price_types(perf, {"Adult": {"Stalls": "50.00"}, "Child": {"Stalls": "30.00"}})
    PriceType.objects.filter(pk=kinds["Child"].pk).update(name_fr="Enfant")
    place = places_of(perf)[0].pk
    hold = hold_create(performance=perf, channel="counter", user=clerk, place_ids=[place])
    order = order_place(hold=hold, customer=CustomerDetails(**BUYER), actor=clerk, shift=drawer(clerk),
                        prices=PriceRequest(types={place: kinds["Child"].pk}), language="fr",
                        payments=[PaymentRequest(method="cash", tendered=Decimal("30"))])
    ticket = order.tickets.get()
    assert ticket.price_type_name == "Enfant"
    door = signed_in(make_user("door-types", DOOR_STAFF))
    for headers, named, other in (({}, "Child", "Enfant"), (FRENCH, "Enfant", "Child")):
        for who, url in ((clerk, f"/counter/orders/{order.code}/"), (operator, f"/phone/orders/{order.code}/")):
            shown = visible(signed_in(who).get(url, **headers).content.decode())
            assert named in shown and other not in shown, (url, headers)
        found = visible(door.get(f"/door/performances/{perf.pk}/", {"q": order.code}, **headers).content.decode())
        assert named in found and other not in found, headers
    # An exchange at an English counter: the tickets given back and the new ones, "Child".
    start = signed_in(clerk).post(f"/counter/orders/{order.code}/exchange/", {
        "tickets": str(ticket.pk), "zone": perf.price_zones.get().pk, "quantity": "1"})
    exchange = visible(signed_in(clerk).get(start["Location"]).content.decode())
    assert exchange.count("Child") == 2 and "Enfant" not in exchange, exchange
    # The slip is the buyer's: in their language, whoever prints it.
    slip = visible(signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode())
    assert "Enfant" in slip and "Child" not in slip
    on_the_day(perf)
    answer = door.post(f"/door/performances/{perf.pk}/scan/", {"code": ticket.code}, HTTP_ACCEPT="application/json")
    assert answer.json()["price_type"] == "Child"


def test_a_ticket_sold_at_the_counter_or_by_phone_is_named_in_its_buyers_language(clerk, operator):
    """A French caller's tickets say "Enfant" though the clerk's page is English, and an
    English buyer's "Child" at a French counter; the payment link opens in the caller's
    language, as its email."""
    from events.models import PriceType
    from sales.orders import PriceRequest, order_place, order_reserve
    from sales.payments import PaymentRequest

    perf = make_performance(rows=1, per_row=6, price="50.00")
    kinds = price_types(perf, {"Adult": {"Stalls": "50.00"}, "Child": {"Stalls": "30.00"}})
    PriceType.objects.filter(pk=kinds["Child"].pk).update(name_fr="Enfant")
    first, second, third = (p.pk for p in places_of(perf)[:3])
    for place, page_language, buyer, named in ((first, "en", "fr", "Enfant"), (second, "fr", "en", "Child")):
        with translation.override(page_language):
            hold = hold_create(performance=perf, channel="counter", user=clerk, place_ids=[place])
            order = order_place(hold=hold, customer=CustomerDetails(**BUYER), actor=clerk, shift=drawer(clerk),
                                prices=PriceRequest(types={place: kinds["Child"].pk}), language=buyer,
                                payments=[PaymentRequest(method="cash", tendered=Decimal("30"))])
        assert order.tickets.get().price_type_name == named
    with translation.override("en"):
        hold = hold_create(performance=perf, channel="phone", user=operator, place_ids=[third])
        reserved = order_reserve(hold=hold, customer=CustomerDetails(**BUYER), actor=operator, language="fr",
                                 prices=PriceRequest(types={third: kinds["Child"].pk}),
                                 deadline=timezone.now() + timedelta(days=2))
    assert reserved.receipt["tickets"][0][2] == "Enfant"  # its tickets, issued when paid, are named so
    link = Client().get(f"/orders/{reserved.code}/{reserved.access_token}/pay/").content.decode()
    assert 'lang="fr"' in link and "Enfant" in visible(link)
    chosen = Client()
    chosen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # a reader who chose English on this site
    assert 'lang="en"' in chosen.get(f"/orders/{reserved.code}/{reserved.access_token}/pay/").content.decode()


def test_the_admins_own_words_for_seats_and_prices_are_french_too(organizer):
    perf = make_performance(rows=1, per_row=2)
    seat = Seat.objects.filter(section__venue=perf.venue).order_by("number").first()
    with translation.override("fr"):
        assert str(seat) == f"{seat.section.name} rangée {seat.row} siège {seat.number}"
        assert translation.gettext("none yet") == "aucune pour l’instant"


def test_an_error_page_says_its_language_and_looks_like_the_shop(client):
    page = client.get("/orders/NOSUCH/x/", headers={"Accept-Language": "fr-CA"})
    text = page.content.decode()
    assert page.status_code == 404 and '<html lang="fr">' in text and "Introuvable" in text
    assert 'rel="stylesheet"' in text and 'class="brand"' in text
