"""When a sale or a ballot opens or closes, the shop says it inside a sentence, as a
sentence writes a day and its time (events.models.IN_A_SENTENCE): the day's whole name,
the year, "at" (« à ») before the hour, « 20 h » on the hour; on the venue's clock."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from events.models import OnSaleWindow
from sales import lottery
from sales.models import Ballot
from tests.support import make_performance
from tests.test_french_everywhere import visible

pytestmark = pytest.mark.django_db
TORONTO = ZoneInfo("America/Toronto")
FRIDAY_8PM = datetime(2031, 1, 17, 20, 0, tzinfo=TORONTO)
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def said(client, url: str, **headers) -> str:
    """The page's text, its lines joined, its no-break spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", visible(client.get(url, **headers).content.decode()))


@pytest.fixture
def later_sale():
    """A show in Toronto whose online sale opens on Friday 17 January 2031 at 20:00."""
    perf = make_performance(rows=1, per_row=4)
    perf.starts_at = datetime(2031, 3, 1, 19, 30, tzinfo=TORONTO)
    perf.save(update_fields=["starts_at"])
    OnSaleWindow.objects.filter(performance=perf, channel="online").update(
        opens_at=FRIDAY_8PM, closes_at=perf.starts_at)
    return perf


def test_the_list_and_the_performance_say_when_the_sale_opens_in_a_sentence(client, later_sale):
    assert "On sale Friday 17 January 2031 at 20:00" in said(client, "/")
    assert "En vente le vendredi 17 janvier 2031 à 20\u00a0h" in said(client, "/", **FRENCH)
    page = f"/performances/{later_sale.pk}/"
    assert "On sale online from Friday 17 January 2031 at 20:00." in said(client, page)
    assert "En vente en ligne à partir du vendredi 17 janvier 2031 à 20\u00a0h." in said(client, page, **FRENCH)


def ballot_closing(opens_at) -> Ballot:
    perf = make_performance(rows=1, per_row=4)
    perf.starts_at = datetime(2031, 3, 1, 19, 30, tzinfo=TORONTO)
    perf.save(update_fields=["starts_at"])
    return Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                 opens_at=opens_at, closes_at=FRIDAY_8PM)


def test_a_ballot_says_when_applications_close_in_a_sentence(client):
    ballot = ballot_closing(timezone.now() - timedelta(days=1))
    for url in ("/", f"/lottery/{ballot.pk}/"):
        assert "applications close Friday 17 January 2031 at 20:00, Toronto time" in said(client, url), url
        assert ("inscriptions jusqu’au vendredi 17 janvier 2031 à 20\u00a0h, heure de Toronto"
                in said(client, url, **FRENCH)), url
    Client().post(f"/lottery/{ballot.pk}/", {"name": "Élise", "email": "elise@example.org", "quantity": "2"},
                  **FRENCH)
    lottery.send_pending_notices()
    link = re.search(r"/lottery/confirm/[\w-]+/", mail.outbox[-1].body)[0]
    assert ("les inscriptions ferment le vendredi 17 janvier 2031 à 20\u00a0h, heure de Toronto"
            in said(client, link, **FRENCH))


def test_a_ballot_not_open_yet_says_when_applications_open_in_a_sentence(client):
    ballot = ballot_closing(datetime(2031, 1, 10, 9, 30, tzinfo=TORONTO))
    url = f"/lottery/{ballot.pk}/"
    assert "Applications open Friday 10 January 2031 at 09:30, Toronto time." in said(client, url)
    assert ("Les inscriptions ouvrent le vendredi 10 janvier 2031 à 9\u00a0h\u00a030, heure de Toronto."
            in said(client, url, **FRENCH))
