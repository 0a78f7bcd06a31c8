"""What the shop's list of performances says of one with nothing free."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales.availability import availability_changed
from sales.holds import hold_create
from sales.models import Place
from tests.support import make_performance, places_of

pytestmark = pytest.mark.django_db


def listing_of(perf) -> str:
    availability_changed(perf.pk)
    page = Client().get("/").content.decode()
    start = page.index(perf.event.title)
    return page[start:page.index("</li>", start)]


def test_every_place_in_a_basket_is_not_sold_out_and_a_sold_out_show_is():
    perf = make_performance(rows=2, per_row=5)
    places = [p.pk for p in places_of(perf)]
    for i in range(0, len(places), 5):
        hold_create(performance=perf, channel=Channel.ONLINE, place_ids=places[i:i + 5])
    shown = listing_of(perf)
    assert "Every place is in a basket: some may come back" in shown and "Sold out" not in shown
    assert "Choose seats" in shown  # the buyer may wait on the seat map, or in the queue

    # Kept for longer than a basket (as a phone reservation is): sold out.
    Place.objects.filter(performance=perf).update(hold_expires_at=timezone.now() + timedelta(hours=2))
    shown = listing_of(perf)
    assert "Sold out" in shown and "basket" not in shown and "Choose seats" not in shown
