"""A performance's places are its hall's seats and standing places, and its price zones
price its hall's sections and seats: moved to another venue in the admin, neither would
fit. A performance on sale (sold, held or not) stays in its hall, and one whose zones
price places is moved once its zones are emptied; the organizer is told why on the
venue's own field, and nothing of the refused save is written."""

import re

import pytest

from events.models import Channel, Performance
from sales.holds import hold_create
from sales.models import Place, Ticket
from tests.factories import SectionFactory, VenueFactory
from tests.sales.test_admin_and_pages import sell_two
from tests.sales.test_pricing_admin import form_of, page_of, saved
from tests.support import make_performance, places_of

pytestmark = pytest.mark.django_db


def errors_of(response) -> list[str]:
    """Each form error on the page, as the organizer reads it."""
    return [re.sub(r"<[^>]+>", "", item).strip()
            for errors in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page_of(response), re.S)
            for item in re.findall(r"<li>(.*?)</li>", errors, re.S)]


def venue_error(response) -> str:
    """The error shown on the venue's own field."""
    found = re.search(r'<div class="form-row[^"]*field-venue[^"]*">.*?<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>',
                      page_of(response), re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def move(client, perf, venue):
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    data["venue"] = [str(venue.pk)]
    return client.post(url, data)


def twin_hall(name="Salle jumelle"):
    """Another venue with a hall like make_performance's: Stalls, 2 rows of 4."""
    venue = VenueFactory(name=name)
    SectionFactory(venue=venue, name="Stalls", rows=2, per_row=4)
    return venue


def test_a_performance_with_tickets_sold_stays_in_its_hall_and_the_venue_field_says_what_is_sold(client, organizer):
    perf = make_performance(rows=2, per_row=4)
    hall = perf.venue
    sell_two(perf)
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[5].pk])
    other = twin_hall()
    client.force_login(organizer)
    refused = move(client, perf, other)
    assert not saved(refused)
    assert venue_error(refused) == (
        "This performance is on sale (2 tickets sold, 1 place held in a basket or a reservation) and its 8 places "
        f"are those of its venue, {hall.name}, so it stays there. To play at another venue, cancel it (its buyers "
        "are paid back) and add a performance there.")
    # Said once, on the venue; not as a zone's places refused in a list of ids.
    assert errors_of(refused) == [venue_error(refused)]
    perf.refresh_from_db()
    assert perf.venue_id == hall.pk and perf.moved_at is None
    assert set(Place.objects.filter(performance=perf).values_list("section__venue", flat=True)) == {hall.pk}
    assert Ticket.objects.filter(order__performance=perf).count() == 2


def test_a_performance_on_sale_with_nothing_sold_stays_in_its_hall_too(client, organizer):
    """Even once its zone's sections are taken out of it: its places keep that zone."""
    perf = make_performance(rows=2, per_row=4)
    perf.price_zones.get().sections.clear()
    client.force_login(organizer)
    refused = move(client, perf, twin_hall())
    assert not saved(refused)
    assert venue_error(refused).startswith("This performance is on sale (nothing sold yet) and its 8 places are "
                                           f"those of its venue, {perf.venue.name}, so")
    assert errors_of(refused) == [venue_error(refused)]
    assert Performance.objects.get(pk=perf.pk).venue_id == perf.venue_id


def test_zones_pricing_the_halls_places_are_emptied_before_the_performance_moves(client, organizer):
    perf = make_performance(rows=2, per_row=4, on_sale=False)
    hall = perf.venue
    other = twin_hall()
    client.force_login(organizer)
    refused = move(client, perf, other)
    assert not saved(refused)
    assert venue_error(refused) == (
        f"Its price zones (Stalls) price sections and seats that only its venue, {hall.name}, has: take them out "
        "of the zones below and save first, then choose the other venue.")
    assert errors_of(refused) == [venue_error(refused)]
    assert Performance.objects.get(pk=perf.pk).venue_id == hall.pk
    assert list(perf.price_zones.get().sections.values_list("venue", flat=True)) == [hall.pk]

    # As told: the zone emptied and saved, then the venue chosen.
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(client.get(url))
    data["price_zones-0-sections"] = []
    assert saved(client.post(url, data))
    assert saved(move(client, perf, other))
    assert Performance.objects.get(pk=perf.pk).venue_id == other.pk
    # Its zone's picker now offers the new hall's sections.
    page = page_of(client.get(url))
    assert f'<option value="{other.sections.get().pk}">Stalls</option>' in page


def test_the_venue_field_says_in_french_whatever_the_halls_name(client, organizer):
    """A hall's name often begins with the word for hall ("Salle du Quai"): the French names it
    beside the word, never after it ("la salle Salle du Quai")."""
    perf = make_performance(rows=2, per_row=4)
    perf.venue.name = "Salle du Quai"
    perf.venue.save()
    client.force_login(organizer)
    client.cookies["django_language"] = "fr"
    refused = move(client, perf, twin_hall())
    assert venue_error(refused) == (
        "Cette représentation est en vente (rien de vendu pour le moment) et ses 8 places sont celles de sa salle, "
        "Salle du Quai\u00a0: elle y reste donc. Pour jouer dans une autre salle, annulez-la (ses acheteurs sont "
        "remboursés) et ajoutez une représentation dans celle-ci.")
    unsold = make_performance(rows=2, per_row=4, on_sale=False)
    unsold.venue.name = "Salle Octave"
    unsold.venue.save()
    refused = move(client, unsold, twin_hall("Salle jumelle 2"))
    assert venue_error(refused) == (
        "Ses zones de prix (Stalls) tarifent des sections et des sièges que seule sa salle, Salle Octave, "
        "possède\u00a0: retirez-les des zones ci-dessous et enregistrez d’abord, puis choisissez l’autre salle.")
