"""In French, the few minutes seats are kept for a buyer before payment are a "retenue"
(the seats are "retenues"), in the shop, at the counter, in the API's refusals and in the
admin, as on the phone (tests/staff/test_phone_hold_words.py); "réservation" is only an
order reserved now and paid later."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from events.models import Channel
from sales.holds import hold_create
from sales.models import Hold, Place
from tests.support import BUYER, CARD, client_for, make_performance, make_user, places_of, signed_in

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def visible(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


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
                        "too many holds from your address; wait a minute",
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
