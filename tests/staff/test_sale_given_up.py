"""A sale its seller gave up (Esc and confirmed at the counter, Release on the phone, the
basket emptied in the shop), opened again by its address (Back, a link left open), says
that it was cancelled: not that its hold lapsed, which nobody did."""

import re
from html import unescape

import pytest

from sales.models import Customer
from tests.support import make_performance, make_user, places_of, signed_in

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def said(response) -> list[str]:
    return [unescape(text) for text in re.findall(r'<p class="msg msg-\w+">([^<]*)</p>', response.content.decode())]


def test_a_counter_sale_cancelled_then_opened_again_says_it_was_cancelled():
    perf = make_performance(rows=1, per_row=6)
    counter = signed_in(make_user("clerk-cancels", "counter clerk"))
    counter.post("/counter/shift/open/", {"cash_float": "100"})
    sale = counter.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                           "quantity": 2})["Location"]
    cancelled = counter.post(sale + "cancel/", follow=True)
    assert said(cancelled) == ["The seats were released."], said(cancelled)  # the clerk is told it was done
    again = counter.get(sale, follow=True)
    assert again.redirect_chain[-1][0] == "/counter/"
    assert said(again) == ["This sale was cancelled; its places were released."], said(again)
    french = counter.get(sale, follow=True, **FR)
    assert said(french) == ["Cette vente a été annulée\u00a0; ses places ont été libérées."], said(french)
    assert all(p.state == "available" for p in places_of(perf))


def test_a_phone_sale_released_then_opened_again_says_it_was_cancelled():
    perf = make_performance(rows=1, per_row=6)
    caller = Customer.objects.create(name="Ada Caller", email="ada@example.org")
    phone = signed_in(make_user("operator-releases", "phone operator"))
    sale = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk,
                                                              "zone": perf.price_zones.get().pk,
                                                              "quantity": 2})["Location"]
    released = phone.post(sale + "release/", follow=True, **FR)
    assert said(released) == ["Les places ont été libérées."], said(released)
    again = phone.get(sale, follow=True)
    assert again.redirect_chain[-1][0] == f"/phone/customers/{caller.pk}/"
    assert said(again) == ["This sale was cancelled; its places were released."], said(again)


def test_a_basket_emptied_then_opened_again_is_empty_and_says_nothing_lapsed(client):
    perf = make_performance(rows=1, per_row=4)
    client.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    client.post("/basket/release/")
    again = client.get("/basket/", follow=True)
    page = again.content.decode()
    assert again.status_code == 200 and "expired" not in page and "lapsed" not in page
    assert "basket is empty" in page
