"""One thing, one name, on the staff pages: the language of the person on the line is
the caller's language on every phone page, in English and in French."""

import re
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
