"""A declined card is told in one sentence, in English and in French: the decline's reason
follows "Payment declined:" in lower case, and the basket's list of errors does not put the
card field's name and a second colon before it ("Card: Payment declined: your card…")."""

import re
from html import unescape

import pytest
from django.test import Client

from tests.sales.test_phone_card_payments import console_sale
from tests.support import card_token, make_performance, places_of

pytestmark = pytest.mark.django_db
DECLINE = "4000000000000002"


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


def declined_at_the_shop(language: str) -> str:
    shop = Client(HTTP_ACCEPT_LANGUAGE=language)
    perf = make_performance(rows=1, per_row=4)
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    nonce = re.search(r'name="nonce" value="([^"]+)"', shop.get("/basket/").content.decode()).group(1)
    answer = shop.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                                      "card_token": card_token(DECLINE)})
    assert answer.status_code == 402, answer.status_code
    return answer.content.decode()


@pytest.mark.parametrize("language, sentence", [
    ("en", "Payment declined: your card was declined. Your seats are still held."),
    ("fr", "Paiement refusé : votre carte a été refusée. Vos places sont toujours retenues."),
])
def test_a_declined_card_at_the_shop_is_one_sentence_in_the_summary_and_under_the_field(language, sentence):
    page = declined_at_the_shop(language)
    summary = re.search(r'<div id="error-summary".*?<ul>(.*?)</ul>', page, re.S).group(1)
    assert [visible(item) for item in re.findall(r"<li>(.*?)</li>", summary, re.S)] == [sentence]
    under = re.search(r'<span class="error" data-card-errors[^>]*>(.*?)</span>', page, re.S).group(1)
    assert visible(under) == sentence


def test_the_phone_console_says_a_decline_in_one_sentence():
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf)
    answer = phone.post(url, {"action": "pay", "card_token": card_token(DECLINE), "attempt": "1"},
                        HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 400, answer.status_code
    assert "Paiement refusé : votre carte a été refusée. Les places sont toujours retenues." in visible(
        answer.content.decode())

