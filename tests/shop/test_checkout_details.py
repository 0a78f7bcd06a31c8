"""The buyer's name, email and phone typed at checkout stay in the shop's session no longer
than needed (a library's computer, a venue's kiosk: the next person uses the same browser):
gone once the order is placed, and kept after a lapse only to fill the next basket in
while a hold lasts. A checkout sent back with an error keeps what was typed."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from events.models import Channel
from sales.holds import hold_create
from sales.models import Hold, Order, Place
from sales.policy import policy_for
from tests.support import card_token, make_performance, places_of

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Camille Roy-Tremblay", "camille.roy@example.org", "+1 418 555 0142"
TYPED = {"name": NAME, "email": EMAIL, "phone": PHONE}
DECLINE = "4000000000000002"


def stored(client) -> str:
    """The browser's session as the database keeps it."""
    return json.dumps(Session.objects.get(session_key=client.cookies["sessionid"].value).get_decoded(),
                      ensure_ascii=False)


def holds_her(client) -> list[str]:
    return [value for value in (NAME, EMAIL, PHONE) if value in stored(client)]


def form_of(page: str) -> dict[str, str]:
    """The checkout form's name, email and phone as the page fills them in."""
    found = {}
    for field in ("name", "email", "phone"):
        tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', page).group(0)
        value = re.search(r'value="([^"]*)"', tag)
        found[field] = unescape(value.group(1)) if value else ""
    return found


def basket_of(client, perf, place) -> tuple[str, str]:
    """A basket of `place`: its page, and the nonce its checkout sends."""
    client.post(f"/performances/{perf.pk}/hold/", {"seats": str(place.pk)})
    page = client.get("/basket/").content.decode()
    return page, re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def lapsed_checkout(client, perf) -> None:
    """Her checkout finds her hold lapsed and its seat taken by another buyer."""
    seat = places_of(perf, state="available")[0]
    _page, nonce = basket_of(client, perf, seat)
    lapsed = timezone.now() - timedelta(minutes=1)
    Hold.objects.update(expires_at=lapsed)
    Place.objects.filter(pk=seat.pk).update(hold_expires_at=lapsed)
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])
    answer = client.post("/checkout/", {**TYPED, "nonce": nonce, "card_token": card_token()})
    assert answer.status_code == 302 and not Order.objects.exists()


def test_once_her_order_is_placed_the_session_keeps_none_of_her_details_and_the_next_form_is_empty(client):
    perf = make_performance(rows=1, per_row=6)
    lapsed_checkout(client, perf)
    page, nonce = basket_of(client, perf, places_of(perf, state="available")[0])
    assert form_of(page) == TYPED  # choosing again after the lapse: nothing to type again

    paid = client.post("/checkout/", {**TYPED, "nonce": nonce, "card_token": card_token()}, follow=True)
    assert Order.objects.get(status=Order.Status.PAID).buyer_name == NAME
    assert NAME in paid.content.decode()  # the order's page has them
    assert holds_her(client) == []
    page, _nonce = basket_of(client, perf, places_of(perf, state="available")[0])
    assert form_of(page) == {"name": "", "email": "", "phone": ""}
    assert holds_her(client) == []


def test_details_kept_after_a_lapse_are_not_offered_to_whoever_comes_after_a_hold_would_have_lapsed(
        client, monkeypatch):
    perf = make_performance(rows=1, per_row=6)
    lapsed_checkout(client, perf)
    assert holds_her(client)  # kept to fill the next basket in
    later = timezone.now() + policy_for(Channel.ONLINE).hold_for + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # she walked away; the next person, at her screen

    page, _nonce = basket_of(client, perf, places_of(perf, state="available")[0])

    assert form_of(page) == {"name": "", "email": "", "phone": ""}
    assert holds_her(client) == []


def test_a_checkout_sent_back_with_an_error_keeps_what_was_typed(client):
    perf = make_performance(rows=1, per_row=6)
    _page, nonce = basket_of(client, perf, places_of(perf, state="available")[0])
    invalid = client.post("/checkout/", {**TYPED, "email": "camille@", "nonce": nonce, "card_token": card_token()})
    assert invalid.status_code == 400
    assert form_of(invalid.content.decode()) == {**TYPED, "email": "camille@"}

    declined = client.post("/checkout/", {**TYPED, "nonce": nonce, "card_token": card_token(DECLINE)})
    assert declined.status_code == 402
    assert form_of(declined.content.decode()) == TYPED


def test_the_paid_order_is_offered_back_for_a_while_not_to_whoever_comes_after(client, monkeypatch):
    """Back to the basket just after paying leads to the order (its private link); later,
    the next person at the same browser is offered no link to it, and the session keeps
    neither its code nor its token."""
    perf = make_performance(rows=1, per_row=6)
    _page, nonce = basket_of(client, perf, places_of(perf, state="available")[0])
    client.post("/checkout/", {**TYPED, "nonce": nonce, "card_token": card_token()})
    order = Order.objects.get(status=Order.Status.PAID)
    back = client.get("/basket/").content.decode()
    assert f"/orders/{order.code}/{order.access_token}/" in back

    later = timezone.now() + policy_for(Channel.ONLINE).hold_for + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = client.get("/basket/").content.decode()
    assert order.access_token not in page and order.code not in page
    assert order.access_token not in stored(client) and order.code not in stored(client)
    again = client.post("/checkout/", {**TYPED, "nonce": nonce, "card_token": card_token()}, follow=True)
    assert order.access_token not in again.content.decode()
