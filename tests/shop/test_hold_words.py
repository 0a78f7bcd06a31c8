"""In French, the few minutes seats are kept for a buyer before payment are a "retenue"
(the seats are "retenues"), in the shop, at the counter, in the API's refusals and in the
admin, as on the phone (tests/staff/test_phone_hold_words.py); "réservation" is only an
order reserved now and paid later."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from events.models import Channel
from sales.holds import hold_create
from sales.models import Customer, Hold, Place
from tests.support import BUYER, CARD, client_for, make_performance, make_user, places_of, signed_in

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def visible(response) -> str:
    return visible_text(response.content.decode())


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def lapse(hold: Hold) -> None:
    lapsed = timezone.now() - timedelta(minutes=1)
    Hold.objects.filter(pk=hold.pk).update(expires_at=lapsed)
    Place.objects.filter(hold=hold).update(hold_expires_at=lapsed)


def test_the_shops_hold_is_a_retenue_from_the_map_to_the_checkout(client):
    perf = make_performance(rows=1, per_row=4, standing=10)
    before = visible(client.get(f"/performances/{perf.pk}/", **FR))
    assert "Retenir les places choisies" in before and "Retenir des places debout" in before
    seat = places_of(perf)[0]
    basket = client.post(f"/performances/{perf.pk}/hold/", {"seats": str(seat.pk)}, follow=True, **FR)
    page = basket.content.decode()
    assert re.search(r"Places retenues pendant\s*<strong>", page), page
    assert "Votre retenue a expiré et les places ont été libérées. Veuillez choisir à nouveau." in visible(basket)
    assert "réserv" not in visible(basket).lower()
    again = visible(client.get(f"/performances/{perf.pk}/", **FR))
    assert "Vous avez des places retenues : aller au panier" in again
    assert "Retenir d’autres places ici les libère." in again
    assert "réserv" not in again.lower()
    # Lapsed, and the seat taken by another buyer before this one paid.
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    lapse(Hold.objects.get())
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])
    refused = client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                                         "card_token": "tok_unused"}, follow=True, **FR)
    assert "Votre retenue a expiré et les places ont été prises par un autre acheteur" in visible(refused)


def test_the_counters_lapsed_hold_is_a_retenue(clerk):
    perf = make_performance(rows=1, per_row=6)
    counter = signed_in(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "100"})
    sale = counter.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                           "quantity": "2"})["Location"]
    lapse(Hold.objects.get())
    said = visible(counter.get(sale, follow=True, **FR))
    assert "La retenue a expiré ; les places ont été libérées. Recommencez la vente." in said


def test_the_apis_refusals_of_a_hold_call_it_a_retenue():
    perf = make_performance(rows=1, per_row=6)
    api = client_for(make_user("api-seller-words", "phone operator"))
    ids = [p.pk for p in places_of(perf)[:2]]
    token = api.post("/api/v1/holds/", {"performance": perf.pk, "places": ids}, format="json").json()["token"]
    Hold.objects.filter(token=token).update(status=Hold.Status.RELEASED)
    order = {"hold": token, "customer": BUYER, "payment": CARD}
    released = api.post("/api/v1/orders/", order, format="json", headers={"Idempotency-Key": "words-1"}, **FR)
    said = released.json()["error"]["message"]
    assert said.startswith("cette retenue est\u00a0: libérée\u00a0; retenez de nouveau les places"), said
    unknown = api.post("/api/v1/orders/", {**order, "hold": "no-such-hold"}, format="json",
                       headers={"Idempotency-Key": "words-2"}, **FR)
    assert unknown.json()["error"]["message"] == "retenue introuvable", unknown.json()


def test_the_admin_and_the_rest_of_what_is_said_of_a_hold_call_it_a_retenue():
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    with translation.override("fr"):
        assert str(hold).startswith(f"Retenue {hold.pk} ("), str(hold)
        assert str(Place._meta.get_field("hold_expires_at").verbose_name) == "fin de la retenue"
        for english in ("the hold has no places", "a price type is given for a place that is not in this hold",
                        "too many holds from your address",
                        "the hold lapsed and the seats were sold to someone else",
                        "your hold lapsed and the seats were taken by another buyer; the payment was refunded",
                        "your hold lapsed and the seats were sold to another buyer; the payment was refunded",
                        "; pay again with a new idempotency key after holding the seats again",
                        "some of the seats are no longer held; hold them again",
                        "Those seats could not be held: %(reason)s",
                        "Payment declined: %(reason)s. Your seats are still held.",
                        "The payment was not made: %(reason)s. Your seats are still held.",
                        "Your bank asks you to confirm this payment. Follow its steps; your seats stay held "
                        "meanwhile.",
                        "The waiting room for this performance is unavailable for a moment. Nothing was bought or "
                        "held: please try again shortly."):
            french = gettext(english)
            assert french != english and "réserv" not in french.lower() and "reten" in french, (english, french)


def countdown_of(response) -> tuple[str, str]:
    """A hold's countdown: what the eye reads (hidden from a screen reader), what a screen reader reads."""
    box = re.search(r'<p [^>]*id="countdown"[^>]*>(.*?)</p>', response.content.decode(), re.S).group(0)
    assert 'role="timer"' in box and 'aria-live="off"' in box  # read when visited, not every second
    digits = re.search(r'<span class="clock" aria-hidden="true">([^<]*)</span>', box).group(1)
    heard = re.sub(r'<span class="clock" aria-hidden="true">[^<]*</span>', "", box)
    return digits, visible_text(heard)


def test_every_countdown_says_minutes_and_seconds_to_a_screen_reader_not_a_time_of_day(clerk, operator):
    """"9:59" reads as a time of day: the shop's basket, the counter's sale and the phone's
    each give the time left in words, in the page's language."""
    perf = make_performance(rows=2, per_row=6)
    shop = Client()
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    counter = signed_in(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "100"})
    counter_sale = counter.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                   "quantity": "1"})["Location"]
    phone = signed_in(operator)
    caller = Customer.objects.create(name="Hélène Côté", email="helene@example.org")
    phone_sale = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk, "quantity": 1,
                                                                     "zone": perf.price_zones.get().pk})["Location"]
    for page, (english, french) in (
            ((shop, "/basket/"), ("Seats held for", "Places retenues pendant")),
            ((counter, counter_sale), ("Held for", "Places retenues encore")),
            ((phone, phone_sale), ("Held for", "Places retenues encore"))):
        client, url = page
        for language, held_for, seconds in (({}, english, "seconds"), (FR, french, "secondes")):
            digits, heard = countdown_of(client.get(url, **language))
            minutes, rest = (int(n) for n in digits.split(":"))  # a few minutes: "minutes" in both languages
            assert heard == f"{held_for} {minutes} minutes" + (f" {rest} {seconds}" if rest else ""), (digits, heard)


@pytest.mark.parametrize(("seconds", "english", "french"), [
    (600, "10 minutes", "10 minutes"), (61, "1 minute 1 second", "1 minute 1 seconde"),
    (59, "59 seconds", "59 secondes"), (1, "1 second", "1 seconde"), (0, "0 seconds", "0 seconde")])
def test_the_time_left_in_words(seconds, english, french):
    from sales.templatetags.boxoffice import time_left_words

    with translation.override("en"):
        assert time_left_words(seconds) == english
    with translation.override("fr"):
        assert time_left_words(seconds) == french
