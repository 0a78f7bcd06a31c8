"""One thing, one name, on the staff pages: the language of the person on the line is
the caller's language on every phone page, in English and in French; cash is « espèces »
in French."""

import re
from decimal import Decimal
from html import unescape

import pytest

from sales.models import Customer
from tests.support import make_performance, make_user, signed_in

pytestmark = pytest.mark.django_db


def _language_labels(page: str) -> set[str]:
    """The words of each label around or for a field named "language"."""
    around = re.findall(r'<label>([^<]*)<select name="language"', page)
    beside = re.findall(r'<label for="language">([^<]*)</label><select id="language" name="language"', page)
    return {unescape(words).strip() for words in around + beside}


@pytest.mark.parametrize(("language", "words"), [("en", "Caller's language"), ("fr", "Langue de l’appelant")])
def test_the_phone_names_the_callers_language_the_same_on_the_caller_and_on_the_sale(language, words):
    perf = make_performance(rows=2, per_row=6)
    caller = Customer.objects.create(name="Hélène Côté", email="helene@example.org")
    phone = signed_in(make_user("operator-language-words", "phone operator"))
    said = {"HTTP_ACCEPT_LANGUAGE": language}
    callers_page = phone.get(f"/phone/customers/{caller.pk}/", **said).content.decode()
    held = phone.post(f"/phone/customers/{caller.pk}/sale/",
                      {"performance": perf.pk, "zone": perf.price_zones.get().pk, "quantity": 1}, **said)
    sale_page = phone.get(held["Location"], **said).content.decode()
    assert _language_labels(callers_page) == {words}
    assert _language_labels(sale_page) == {words}


def test_french_calls_cash_espèces_on_the_shift_report_and_the_order_and_throughout(clerk, hall):
    """Cash is « espèces » in French, as most of the catalogue says it: never « comptant »
    beside it, on the shift report and the order's page a clerk reads, nor anywhere else."""
    import polib
    from django.conf import settings

    from sales.shifts import shift_close, shift_open
    from tests.staff.test_counter_exchange import counter_sale

    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("200"), counted_card=Decimal("0"))
    c = signed_in(clerk)
    fr = {"headers": {"accept-language": "fr"}}
    for url in (f"/counter/shift/{shift.pk}/report/", f"/counter/orders/{order.code}/"):
        page = unescape(re.sub(r"<[^>]+>", " ", c.get(url, **fr).content.decode()))
        assert "Espèces" in page or "espèces" in page, url
        assert "omptant" not in page, (url, page[page.find("omptant") - 200:][:400])
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    said_comptant = [entry.msgid for entry in catalogue if re.search(r"\bcash\b", entry.msgid, re.I)
                     and "omptant" in entry.msgstr + "".join(entry.msgstr_plural.values())]
    assert said_comptant == []
