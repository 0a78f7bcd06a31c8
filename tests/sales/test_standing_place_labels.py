"""A standing place as each language numbers it: "Lawn #1" in English, « Lawn nº 1 » in
French (the number kept with its sign by a no-break space), on the order page, the
confirmation email, the PDF tickets, the door and the exports."""

import re
from html import unescape

import pytest
from django.core import mail
from django.utils import translation

from events.models import Channel
from sales import notifications
from sales.exports import ExportFilter, ticket_rows
from sales.holds import hold_create
from sales.models import Place
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from sales.tickets_pdf import order_pdf
from tests.sales.test_order_receipts import pdf_text, printed
from tests.support import make_performance

pytestmark = pytest.mark.django_db

NUMBER_ONE = "Lawn nº\u00a01"


def bought(language: str):
    perf = make_performance(rows=0, per_row=0, standing=3)
    first = Place.objects.get(performance=perf, standing_index=1)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[first.pk])
    with translation.override(language):
        return order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                           payment=PaymentRequest(method="test_card", card_number=APPROVE))


def test_a_standing_place_reads_as_each_language_numbers_it():
    place = Place.objects.get(performance=make_performance(rows=0, per_row=0, standing=2), standing_index=2)
    with translation.override("en"):
        assert str(place) == "Lawn #2"
    with translation.override("fr"):
        assert str(place) == "Lawn nº\u00a02"


def test_a_french_order_numbers_its_standing_place_in_french(client):
    order = bought("fr")
    page = unescape(client.get(f"/orders/{order.code}/{order.access_token}/",
                               HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert f"<h3>{NUMBER_ONE}</h3>" in page
    # The receipt's narrow column wraps between the section's words, never inside the number.
    assert 'Lawn <span class="seat-code">nº\u00a01</span>' in page
    assert "Lawn #" not in page
    assert notifications.send_pending_confirmations() == 1
    message = mail.outbox[0]
    assert f"- {NUMBER_ONE} (" in message.body, message.body
    html = unescape(message.alternatives[0][0])
    assert re.search(r">nº\u00a01</td>", html), html
    assert "#1" not in message.body and ">#1<" not in html
    assert "Lawn nº 1" in printed(pdf_text(order_pdf(order)))


def test_an_english_order_keeps_the_number_sign(client):
    order = bought("en")
    page = unescape(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    assert "<h3>Lawn #1</h3>" in page


def test_the_tickets_export_numbers_a_standing_place_in_the_staff_language():
    order = bought("fr")
    for language, number in (("fr", "nº\u00a01"), ("en", "#1")):
        with translation.override(language):
            _header, rows = ticket_rows(ExportFilter(performance=order.performance))
            assert [row[3:6] for row in rows] == [("Lawn", "", number)]
