"""The organizer's refund and exchange policy, read by the buyer before buying (on the
performance's page, beside the pay button), and kept with the tickets (the order's page,
the confirmation email). It is the organizer's text: shown as text, never as markup."""

import re
from html import unescape

import pytest
from django.test import Client

from events.models import Event
from sales.models import Order
from sales.notifications import send_confirmation
from tests.shop.test_shop_pages import hold_seats
from tests.support import card_token, make_performance, places_of

pytestmark = pytest.mark.django_db

POLICY = ("No refunds <b>after</b> 48 hours before the show; exchanges for another date of the run until "
          "the day before.\nA cancelled show is refunded in full.")
POLICY_FR = "Aucun remboursement moins de 48 heures avant le spectacle ; échanges jusqu’à la veille."


def test_the_buyer_reads_the_refund_and_exchange_policy_before_buying_and_with_the_tickets(mailoutbox):
    perf = make_performance(rows=1, per_row=4)
    Event.objects.filter(pk=perf.event_id).update(refund_policy=POLICY, refund_policy_fr=POLICY_FR)
    buyer = Client()  # anonymous

    page = buyer.get(f"/performances/{perf.pk}/").content.decode()
    section = re.search(r'<section[^>]*id="refund-policy"[^>]*>(.*?)</section>', page, re.S)
    assert section, "no refund policy on the performance's page"
    assert "Refunds and exchanges" in section[1]
    assert "No refunds &lt;b&gt;after&lt;/b&gt; 48 hours" in section[1] and "<b>" not in section[1]
    assert "A cancelled show is refunded in full." in section[1]
    french = unescape(buyer.get(f"/performances/{perf.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Remboursements et échanges" in french and POLICY_FR in french and "No refunds" not in french

    hold_seats(buyer, perf, str(places_of(perf)[0].pk))
    basket = buyer.get("/basket/").content.decode()
    form = basket[basket.index('id="checkout"'):]
    note = re.search(r'<p[^>]*id="refund-policy-note"[^>]*>(.*?)</p>', form, re.S)
    assert note, "no refund policy beside the pay button"
    assert form.index('id="refund-policy-note"') < form.index('id="pay"')
    assert "No refunds &lt;b&gt;after&lt;/b&gt;" in note[1] and "<b>" not in note[1]
    assert f'href="/performances/{perf.pk}/#refund-policy"' in note[1]

    nonce = re.search(r'name="nonce" value="([^"]+)"', basket).group(1)
    buyer.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "card_token": card_token(), "nonce": nonce})
    order = Order.objects.get()
    page = buyer.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert 'id="refund-policy"' in page and "No refunds &lt;b&gt;after&lt;/b&gt; 48 hours" in page

    assert send_confirmation(order.pk)
    [email] = mailoutbox
    assert "Refunds and exchanges:" in email.body and POLICY in email.body, email.body
    [(html, _type)] = email.alternatives
    assert "Refunds and exchanges" in html and "No refunds &lt;b&gt;after&lt;/b&gt; 48 hours" in html


def test_without_a_policy_nothing_is_said(client):
    perf = make_performance(rows=1, per_row=4)
    page = client.get(f"/performances/{perf.pk}/").content.decode()
    assert 'id="refund-policy"' not in page
    hold_seats(client, perf, str(places_of(perf)[0].pk))
    assert 'id="refund-policy-note"' not in client.get("/basket/").content.decode()
