"""What the shop's list of performances says of one with nothing free."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales.availability import availability_changed
from sales.holds import hold_create
from sales.inventory import allocate
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


def performance_page(perf, language="en") -> str:
    availability_changed(perf.pk)
    return Client(headers={"accept-language": language}).get(f"/performances/{perf.pk}/").content.decode()


def test_a_sold_out_performance_page_says_so_and_offers_nothing_to_hold():
    """A buyer following a link to a sold-out performance is told so at once, with the way
    to what is on sale, not offered a best available that answers "only 0 places left"."""
    perf = make_performance(rows=2, per_row=5)
    places = [p.pk for p in places_of(perf)]
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=places)
    page = performance_page(perf)
    # Every place in a basket: some may come back, and the seat map shows them coming back.
    assert "Every place is in a basket: some may come back" in page and "sold out" not in page
    assert "Find seats" in page and 'id="seatmap-box"' in page

    Place.objects.filter(performance=perf).update(hold_expires_at=timezone.now() + timedelta(hours=2))
    page = performance_page(perf)
    assert 'id="not-selling"' in page and "Sorry, this performance is sold out." in page
    assert 'href="/"' in page.split('id="not-selling"')[1].split("</p>")[0]
    assert "Find seats" not in page and "Hold selected seats" not in page and "0 left" not in page
    page = performance_page(perf, "fr")
    assert "Désolé, cette représentation est complète." in page and "Trouver des places" not in page


def test_the_list_of_performances_leads_back_to_a_basket_held():
    """A buyer who goes back to the list mid-checkout (the header's first link) finds the
    way back to the seats they hold, not a list that says nothing of them."""
    perf = make_performance(rows=2, per_row=5)
    client = Client(headers={"accept-language": "fr"})
    zone = perf.price_zones.get()
    assert client.post(f"/performances/{perf.pk}/hold/", {"zone": zone.pk, "quantity": 2}).status_code == 302
    page = client.get("/").content.decode()
    note = page[page.index('id="basket-note"'):]
    note = note[:note.index("</p>")]
    assert 'href="/basket/"' in note and "Vous avez des places retenues pour " + perf.event.title in note

    client.post("/basket/release/")
    assert 'id="basket-note"' not in client.get("/").content.decode()


def test_places_kept_for_the_counter_are_not_on_sale_online():
    """Online sold, the rest kept for the counter (seats and a lawn): the shop says sold
    out, in its list and on the performance page, instead of forms whose only answer is
    that nothing is free; and with a few places left online it counts those only."""
    perf = make_performance(rows=2, per_row=5, standing=4)
    seats = [p.pk for p in places_of(perf, seat__isnull=False)]
    lawn = [p.pk for p in places_of(perf, seat__isnull=True)]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats[:4])
    Place.objects.filter(hold=hold).update(hold_expires_at=timezone.now() + timedelta(hours=2))
    allocate(performance=perf, place_ids=seats[4:] + lawn, channel=Channel.COUNTER, now=timezone.now())
    shown = listing_of(perf)
    assert "Sold out" in shown and "Choose seats" not in shown
    page = performance_page(perf)
    assert "Sorry, this performance is sold out." in page
    assert "Find seats" not in page and "Hold selected seats" not in page and "left" not in page

    allocate(performance=perf, place_ids=seats[4:6] + lawn[:1], channel="", now=timezone.now())
    assert "Sold out" not in listing_of(perf)
    page = performance_page(perf)
    assert "sold out" not in page and "Find seats" in page
    assert "(2 left)" in page and "(1 left)" in page  # the stalls' two seats, the lawn's one place
