"""Amounts are written in their own currency, in English and in French; an amount of no
order is in the box office's own currency."""

from decimal import Decimal

import pytest
from django.utils import translation

from events.models import PriceZone
from events.services import ZoneSpec
from sales.formatting import money
from tests.support import make_performance

pytestmark = pytest.mark.django_db

NBSP, THIN, MINUS = "\u00a0", "\u202f", "\u2212"


@pytest.mark.parametrize(("language", "amount", "currency", "written"), [
    ("en", "89", "CAD", "$89.00"),
    ("fr", "89", "CAD", f"89,00{NBSP}$"),
    ("en", "1234.5", "CAD", "$1,234.50"),
    ("fr", "1234.5", "CAD", f"1{THIN}234,50{NBSP}$"),
    ("en", "-5", "CAD", f"{MINUS}$5.00"),
    ("fr", "-5", "CAD", f"{MINUS}5,00{NBSP}$"),
    ("en", "89", "USD", "$89.00"),
    ("en", "89", "EUR", "€89.00"),
    ("fr", "1234.5", "EUR", f"1{THIN}234,50{NBSP}€"),
    ("en", "-5", "EUR", f"{MINUS}€5.00"),
    ("fr", "-5", "EUR", f"{MINUS}5,00{NBSP}€"),
    ("en", "89", "GBP", "£89.00"),
    ("fr", "89", "GBP", f"89,00{NBSP}£"),
    ("en", "89", "CHF", f"CHF{NBSP}89.00"),
    ("fr", "89", "CHF", f"89,00{NBSP}CHF"),
    ("en", "-5", "CHF", f"{MINUS}CHF{NBSP}5.00"),
])
def test_an_amount_is_written_in_its_currency(language, amount, currency, written):
    with translation.override(language):
        assert money(Decimal(amount), currency) == written


def test_without_a_currency_an_amount_is_in_the_box_offices_own(settings):
    with translation.override("en"):
        assert money(Decimal("5")) == "$5.00"  # CAD unless told
        settings.BOXOFFICE_CURRENCY = "EUR"
        assert money(Decimal("5")) == "€5.00"
        assert money("") == "" and money(None) == ""


def test_a_new_price_zone_is_priced_in_the_box_offices_currency(settings):
    perf = make_performance(rows=1, per_row=2)
    assert perf.price_zones.get().currency == "CAD"
    settings.BOXOFFICE_CURRENCY = "EUR"
    zone = PriceZone.objects.create(performance=perf, name="Balcony", price=Decimal("30.00"))
    assert PriceZone.objects.get(pk=zone.pk).currency == "EUR"
    assert ZoneSpec(name="Balcony", price=Decimal("30.00")).currency == "EUR"
