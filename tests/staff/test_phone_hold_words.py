"""On a phone sale in French, the seats held for the call are a "retenue" and a reservation
to pay later a "réservation": the countdown and the button that extends the hold never say
"réservation", which the Reserve button beside them means."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from sales.models import Customer, Hold
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
    assert countdown.strip() == "Places retenues encore"
    assert extend.strip() == "Prolonger la retenue"
    # The lapsed hold's message beside them says the same.
    assert "La retenue a expiré" in page



def messages_of(answer) -> list[str]:
    return [unescape(text) for text in re.findall(r'<p class="msg msg-\w+">([^<]*)</p>', answer.content.decode())]


def test_what_the_phone_says_of_a_hold_in_french_calls_it_a_retenue():
    """A hold at its longest, released twice, lapsed: what the operator is told in French
    calls it a "retenue", as the countdown and the Extend button do, never a "réservation"
    (the caller's order to pay later)."""
    perf = make_performance(rows=2, per_row=6)
    caller = Customer.objects.create(name="Hélène Côté", email="helene@example.org")
    phone = signed_in(make_user("operator-words-2", "phone operator"))
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    sale = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                              "quantity": 2}, **fr)["Location"]
    hold = Hold.objects.get()
    Hold.objects.filter(pk=hold.pk).update(created_at=timezone.now() - timedelta(minutes=45))
    longest = messages_of(phone.post(sale + "extend/", follow=True, **fr))
    assert longest == ["Une retenue du canal Téléphone dure au plus 45 minutes."], longest
    released = messages_of(phone.post(sale + "release/", follow=True, **fr))
    assert released == ["Les places ont été libérées."], released
    again = messages_of(phone.post(sale + "release/", follow=True, **fr))
    assert again == ["Cette retenue est déjà\u00a0: libérée."], again
    lapsed = phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk,
                                                                "zone": perf.price_zones.get().pk, "quantity": 1}, **fr)
    Hold.objects.filter(status=Hold.Status.ACTIVE).update(expires_at=timezone.now() - timedelta(seconds=1))
    said = messages_of(phone.get(lapsed["Location"], follow=True, **fr))
    assert said == ["La retenue a expiré\u00a0; les places ont été libérées."], said
    # Refusals of the phone's sale, exchange and extend further down, said as they are.
    with translation.override("fr"):
        for english in ("the hold has lapsed; hold the seats again", "you may not extend holds of this channel",
                        "the hold on the new seats lapsed; pick them again",
                        "the hold has no places; pick the new seats again",
                        "the hold has no places; hold the seats again", "hold lapsed"):
            french = gettext(english)
            assert "retenue" in french and "réserv" not in french, (english, french)
