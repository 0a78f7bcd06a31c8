"""On a phone sale in French, the seats held for the call are a "retenue" and a reservation
to pay later a "réservation": the countdown and the button that extends the hold never say
"réservation", which the Reserve button beside them means."""

import re

import pytest

from sales.models import Customer
from tests.support import make_performance, make_user, signed_in

pytestmark = pytest.mark.django_db


def test_the_hold_of_a_phone_sale_is_never_called_a_reservation_in_french():
    perf = make_performance(rows=2, per_row=6)
    caller = Customer.objects.create(name="Hélène Côté", email="helene@example.org")
    phone = signed_in(make_user("operator-words", "phone operator"))
    zone = perf.price_zones.get()
    answer = phone.post(f"/phone/customers/{caller.pk}/sale/",
                        {"performance": perf.pk, "zone": zone.pk, "quantity": 2, "language": "fr"},
                        HTTP_ACCEPT_LANGUAGE="fr")
    page = phone.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    countdown = re.search(r'<p class="countdown" id="countdown"[^>]*>(.*?)<span', page).group(1)
    extend = re.search(r'form="extend-form"[^>]*>(.*?)<kbd>', page).group(1)
    assert countdown.strip() == "Retenues encore"
    assert extend.strip() == "Prolonger la retenue"
    # The lapsed hold's message beside them says the same.
    assert "La retenue a expiré" in page

