"""The seller's name on a receipt: the organizer's own as typed, or, while it is still the
name the box office starts with ("Box office"), that name in the buyer's language."""

import re
from html import unescape

import pytest
from django.core import mail
from django.utils import translation

from events.models import Channel
from sales import notifications
from sales.holds import hold_create
from sales.models import Organizer
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from sales.tickets_pdf import order_pdf
from tests.sales.test_order_receipts import pdf_text
from tests.support import make_performance, places_of, signed_in

pytestmark = pytest.mark.django_db


def bought(language: str):
    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    with translation.override(language):
        return order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                           payment=PaymentRequest(method="test_card", card_number=APPROVE))


def seller_on_the_page(client, order) -> str:
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    return unescape(re.search(r'id="receipt-[^"]+">.*?</h2>\s*<p>([^<]*)', page, re.S).group(1)).strip()


def test_a_french_receipt_names_the_untouched_seller_billetterie(client):
    assert Organizer.load().name == "Box office"  # as the box office starts
    order = bought("fr")
    assert seller_on_the_page(client, order) == "Billetterie"
    assert notifications.send_pending_confirmations() == 1
    body = mail.outbox[0].body
    assert "\nBilletterie\n" in body and "Box office" not in body, body
    assert "Billetterie" in pdf_text(order_pdf(order))
    assert seller_on_the_page(client, bought("en")) == "Box office"


def test_a_seller_named_by_the_organizer_keeps_its_name_in_french(client):
    Organizer.objects.filter(pk=Organizer.load().pk).update(name="Théâtre du Lac")
    assert seller_on_the_page(client, bought("fr")) == "Théâtre du Lac"


def test_the_counter_slip_of_a_french_order_names_the_untouched_seller_billetterie(clerk):
    slip = signed_in(clerk).post(f"/counter/orders/{bought('fr').code}/print/").content.decode()
    seller = unescape(re.search(r'class="slip">.*?</h2>\s*<p>([^<]*)', slip, re.S).group(1)).strip()
    assert seller == "Billetterie", seller


def test_the_organizer_page_in_french_names_the_untouched_seller_billetterie(client, organizer):
    client.force_login(organizer)
    url = f"/admin/sales/organizer/{Organizer.load().pk}/change/"
    page = unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1).startswith("Billetterie |")
    assert "<h2>Billetterie</h2>" in page, re.findall(r"<h2>.*?</h2>", page)
    # The name field holds the stored name, which the page says is read in each language.
    assert 'value="Box office"' in page and "Billetterie" in re.search(
        r'id="id_name_helptext"[^>]*>(.*?)</div>', page, re.S).group(1)
    Organizer.objects.filter(pk=Organizer.load().pk).update(name="Théâtre du Lac")
    page = unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "<h2>Théâtre du Lac</h2>" in page
