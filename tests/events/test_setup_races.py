"""Two organizers (or an organizer and an import through the API) saving at the same
moment: one hall holds one performance a minute, and a section or a seat is in one zone
of a performance, however the saves interleave.

Real PostgreSQL, each thread its own connection, released together by a barrier; each
race is run a few rounds, on a fresh minute or section, so that a check that only reads
before it writes lets two through at least once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import OnSaleWindow, Performance, PriceZone
from tests.events.test_one_hall import typed
from tests.factories import EventFactory, PerformanceFactory, PriceZoneFactory, SectionFactory, VenueFactory
from tests.sales.test_pricing_admin import form_of, page_of, saved
from tests.support import client_for, race, signed_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

ROUNDS = 4
HALL_TAKEN = "at this time: one hall sells its seats once."


def _api(organizer, venue, starts_at):
    """A new performance through the API, with a zone and a window (to show nothing of a
    refused one is left)."""
    api = client_for(organizer)
    event = EventFactory(title="Imported")
    body = {"event": event.pk, "venue": venue.pk, "starts_at": starts_at.isoformat(), "ticket_limit": 4,
            "zones": [{"name": "Hall", "price": "30.00", "sections": [venue.sections.first().pk]}],
            "windows": [{"channel": "online", "opens_at": timezone.now().isoformat(),
                         "closes_at": (starts_at - timedelta(hours=1)).isoformat()}]}

    def send():
        answer = api.post("/api/v1/performances/", body, format="json")
        if answer.status_code == 201:
            return event, True
        assert answer.status_code == 400, answer.content
        assert HALL_TAKEN in answer.json()["error"]["message"], answer.json()
        return event, False
    return send


def _admin_add(organizer, venue, starts_at):
    """A new performance typed on the admin's add page."""
    client = signed_in(organizer)
    event = EventFactory(title="Typed")
    add = "/admin/events/performance/add/"
    data = {**form_of(client.get(add)), "event": [str(event.pk)], "venue": [str(venue.pk)],
            **typed(starts_at, venue.zone)}

    def send():
        answer = client.post(add, data)
        if saved(answer):
            return event, True
        assert answer.status_code == 200 and HALL_TAKEN in page_of(answer), page_of(answer)[:3000]
        return event, False
    return send


def _copy(organizer, venue, starts_at):
    """Another date of a show already in the hall, made with the "Other dates" tool."""
    client = signed_in(organizer)
    source = PerformanceFactory(venue=venue, starts_at=starts_at + timedelta(days=3),
                                event=EventFactory(title="Copied"), channels=["online"])
    PriceZoneFactory(performance=source, name="Hall", sections=list(venue.sections.all()))
    line = timezone.localtime(starts_at, venue.zone).strftime("%Y-%m-%d %H:%M")

    def send():
        answer = client.post(f"/admin/events/performance/{source.pk}/copy/", {"starts": line})
        if answer.status_code == 302:
            return source.event, True
        assert answer.status_code == 200, answer.status_code
        assert "already has" in page_of(answer), page_of(answer)[:3000]
        return source.event, False
    return send


DOORS = {"api": _api, "admin": _admin_add, "copy": _copy}


@pytest.mark.parametrize("doors", [("api", "admin"), ("copy", "api")], ids="-".join)
def test_two_performances_saved_at_once_in_one_hall_at_one_minute_one_wins(organizer, doors):
    venue = VenueFactory()
    SectionFactory(venue=venue, name="Stalls", rows=1, per_row=4)
    first = (timezone.now() + timedelta(days=20)).replace(second=0, microsecond=0)
    for round_ in range(ROUNDS):
        starts_at = first + timedelta(hours=round_)
        sends = [DOORS[door](organizer, venue, starts_at) for door in doors]
        results = race(2, lambda i, sends=sends: sends[i]())
        won = [event for event, ok in results if ok]
        lost = [event for event, ok in results if not ok]
        at_that_minute = Performance.objects.filter(venue=venue, starts_at=starts_at, cancelled_at__isnull=True)
        assert at_that_minute.count() == 1, f"round {round_}: {at_that_minute.count()} performances at {starts_at}"
        assert len(won) == 1 and len(lost) == 1, results
        # The refused one left nothing behind: no performance at that minute, no zone, no window.
        refused = Performance.objects.filter(event=lost[0], starts_at=starts_at)
        assert not refused.exists()
        assert not PriceZone.objects.filter(performance__in=refused).exists()
        assert not OnSaleWindow.objects.filter(performance__in=refused).exists()


def _index_of(data: dict, zone) -> int:
    return next(int(key.split("-")[1]) for key, value in data.items()
                if key.startswith("price_zones-") and key.endswith("-id") and value == [str(zone.pk)])


def test_one_section_put_in_two_zones_at_once_is_in_one_of_them(organizer):
    """Two organizers on the same performance's page, each adding the same section to a
    different zone (and changing that zone's price): one is saved, the other is told, and
    none of its changes are written."""
    venue = VenueFactory()
    sections = [SectionFactory(venue=venue, name=f"Balcony {n}", rows=1, per_row=2) for n in range(ROUNDS)]
    perf = PerformanceFactory(venue=venue)
    front = PriceZoneFactory(performance=perf, name="Front", price=Decimal("60.00"))
    back = PriceZoneFactory(performance=perf, name="Back", price=Decimal("40.00"))
    url = f"/admin/events/performance/{perf.pk}/change/"
    for round_, section in enumerate(sections):
        clients = [signed_in(organizer), signed_in(organizer)]
        prices = {front.pk: f"{61 + round_}.00", back.pk: f"{41 + round_}.00"}
        datas = []
        for client, zone in zip(clients, (front, back), strict=True):
            data = form_of(client.get(url))
            i = _index_of(data, zone)
            data[f"price_zones-{i}-sections"] = [*data[f"price_zones-{i}-sections"], str(section.pk)]
            data[f"price_zones-{i}-price"] = [prices[zone.pk]]
            datas.append(data)
        before = {z.pk: z.price for z in PriceZone.objects.filter(performance=perf)}
        answers = race(2, lambda i, clients=clients, datas=datas: clients[i].post(url, datas[i]))
        holders = list(PriceZone.objects.filter(performance=perf, sections=section))
        assert len(holders) == 1, f"round {round_}: {section} in {holders}"
        assert [saved(a) for a in answers].count(True) == 1, [a.status_code for a in answers]
        loser = (front, back)[[saved(a) for a in answers].index(False)]
        page = page_of(answers[[saved(a) for a in answers].index(False)])
        assert f"{section.name} is already in the zone {holders[0].name}" in page, page[:3000]
        loser.refresh_from_db()
        assert loser.price == before[loser.pk]  # its new price was not written either
        assert holders[0].price == Decimal(prices[holders[0].pk])
