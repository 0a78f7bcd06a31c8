"""Organizer writes on the supply side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from .models import (
    Event,
    OnSaleWindow,
    Performance,
    Price,
    PriceType,
    PriceZone,
    Seat,
    Section,
    Venue,
    default_currency,
    hall_taken,
)


class SetupError(Exception):
    def __init__(self, message: str, field: str | None = None):
        self.message, self.field = message, field
        super().__init__(message)


@dataclass
class ZoneSpec:
    name: str
    price: Decimal
    currency: str = field(default_factory=default_currency)
    color: str = "#3b82f6"
    sections: list[int] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)


@dataclass
class WindowSpec:
    channel: str
    opens_at: datetime
    closes_at: datetime


# --- one hall, one performance a minute; one zone for each place ---------------------------
# Both rules are read-then-write: two organizers (or an organizer and an import through the
# API) saving at once would each read "free" and both write. They are kept by a row lock
# taken before the read, in the transaction that writes, by every door (the admin's forms,
# the "Other dates" tool, the API): the venue's row for the hall, the performance's row for
# its zones. The second saver waits for the first to commit, then reads what it wrote.
#
# Not a database constraint: a unique index (or an exclusion constraint) cannot be added
# NOT VALID, so installations holding clashes from before the rules could not migrate
# without the migration moving or deleting an organizer's performances or zones; and a
# place's zone is in two many-to-many tables, keyed by zone, not by performance. The locks
# are FOR NO KEY UPDATE: they queue organizers' saves of one venue (or one performance),
# rare, and leave alone the inserts that only refer to the row (a sale, a new section).
# A performance's start or venue, or a zone's places, left as they were are not checked:
# clashes from before the rules do not stop an organizer correcting the rest.


def hall_claim(venue_id: int, starts_at: datetime, besides: int | None = None) -> None:
    """Refuse (SetupError on starts_at) a performance starting in the venue in the minute
    another not cancelled does (events.models.hall_taken), after locking the venue's row
    until the caller's transaction ends: whoever else claims the hall waits, then sees this
    one. Called inside the transaction that saves the performance."""
    list(Venue.objects.select_for_update(no_key=True).filter(pk=venue_id).values_list("pk", flat=True))
    clash = hall_taken(venue_id, starts_at, besides=besides)
    if clash is not None:
        raise SetupError(_("%(venue)s already has %(performance)s at this time: one hall sells its seats once.")
                         % {"venue": clash.venue.name, "performance": clash}, field="starts_at")


@dataclass
class ZonePlaces:
    """A zone of a performance as it is to be saved: its id (None: a new zone), its name,
    and its sections and seats, each None if left as it is saved."""
    zone: int | None
    name: str
    sections: list[Section] | None = None
    seats: list[Seat] | None = None


def zone_places_claim(performance_id: int | None, zones: list[ZonePlaces],
                      dropped=frozenset()) -> list[tuple[int, str, str]]:
    """Where `zones` would put a section or a seat in two zones of the performance, as
    (index in `zones`, "sections" or "seats", what to say). The sections and seats given
    are checked against the performance's other zones as saved, and against those given
    before them; zones in `dropped` (ids: being deleted) free theirs. A performance already
    saved has its row locked until the caller's transaction ends, so that two saves of its
    zones are checked one after the other. Called inside the transaction that saves them."""
    claimed: dict[tuple[str, int], tuple[object, str]] = {}  # place: (whose, the zone's name)
    if performance_id is not None:
        list(Performance.objects.select_for_update(no_key=True).filter(pk=performance_id)
             .values_list("pk", flat=True))
        named = {z.zone: z for z in zones if z.zone is not None}
        for field, through in (("sections", PriceZone.sections.through), ("seats", PriceZone.seats.through)):
            place = "section_id" if field == "sections" else "seat_id"
            rows = (through.objects.filter(pricezone__performance_id=performance_id)
                    .exclude(pricezone_id__in=dropped).values_list("pricezone_id", place, "pricezone__name"))
            for zone_id, place_id, name in rows:
                given = named.get(zone_id)
                if given is None or getattr(given, field) is None:  # as saved: it stays
                    claimed.setdefault((field, place_id), (zone_id, given.name if given else name))
    clashes = []
    for i, spec in enumerate(zones):
        for field in ("sections", "seats"):
            for place in getattr(spec, field) or []:
                whose, first = claimed.setdefault((field, place.pk), (spec.zone or -1 - i, spec.name))
                if whose != (spec.zone or -1 - i):
                    clashes.append((i, field, _("%(place)s is already in the zone %(zone)s: a section or a seat is "
                                                "priced by one zone.") % {
                        "place": place.name if field == "sections" else place, "zone": first}))
    return clashes


@transaction.atomic
def performance_create(*, event: Event, venue: Venue, starts_at: datetime, ticket_limit: int,
                       zones: list[ZoneSpec], windows: list[WindowSpec]) -> Performance:
    """A performance with its price zones and on-sale windows, all or nothing. Not in a hall
    another performance takes at that time, nor with a section or seat in two zones, as the
    admin says (hall_claim, zone_places_claim)."""
    hall_claim(venue.pk, starts_at)
    perf = Performance.objects.create(event=event, venue=venue, starts_at=starts_at,
                                      ticket_limit=ticket_limit)
    names = [z.name for z in zones]
    if len(set(names)) != len(names):
        raise SetupError("two price zones have the same name", field="zones")
    places = []
    for spec in zones:
        sections = list(Section.objects.filter(pk__in=spec.sections, venue=venue))
        seats = list(Seat.objects.filter(pk__in=spec.seats, section__venue=venue))
        if len(sections) != len(set(spec.sections)) or len(seats) != len(set(spec.seats)):
            raise SetupError(f"zone {spec.name}: sections and seats must belong to {venue}",
                             field="zones")
        if spec.price < 0:
            raise SetupError(f"zone {spec.name}: a price cannot be negative", field="zones")
        places.append(ZonePlaces(zone=None, name=spec.name, sections=sections, seats=seats))
    clashes = zone_places_claim(None, places)  # a new performance: no one else sees its zones yet
    if clashes:
        raise SetupError(clashes[0][2], field="zones")
    for spec, given in zip(zones, places, strict=True):
        zone = PriceZone.objects.create(performance=perf, name=spec.name, price=spec.price,
                                        currency=spec.currency, color=spec.color)
        zone.sections.set(given.sections)
        zone.seats.set(given.seats)
    channels = [w.channel for w in windows]
    if len(set(channels)) != len(channels):
        raise SetupError("one on-sale window per channel", field="windows")
    for w in windows:
        if w.closes_at <= w.opens_at:
            raise SetupError(f"{w.channel}: the window must close after it opens", field="windows")
        OnSaleWindow.objects.create(performance=perf, channel=w.channel, opens_at=w.opens_at,
                                    closes_at=w.closes_at)
    return perf


def windows_follow(performance: Performance, was: datetime,
                   leave=frozenset()) -> tuple[list[OnSaleWindow], list[OnSaleWindow]]:
    """The performance's start moved from `was`: its sale windows that ran until the show
    (closing at or after the old start) move with it, so a show moved later is not taken
    off sale early. Returns (moved, kept): those that closed earlier, or that the move
    would close before they open, are left for the organizer to look at; those in `leave`
    (ids: just set by hand) are left as they are, and not named."""
    moved, kept = [], []
    shift = performance.starts_at - was
    with transaction.atomic():
        windows = OnSaleWindow.objects.select_for_update().filter(performance=performance).exclude(pk__in=leave)
        for window in windows:
            if window.closes_at >= was and window.closes_at + shift > window.opens_at:
                window.closes_at += shift
                window.save(update_fields=["closes_at"])
                moved.append(window)
            else:
                kept.append(window)
    return moved, kept


@transaction.atomic
def performance_copy(source: Performance, starts_at: datetime) -> Performance:
    """Another date of `source` (a run of the same show): its venue, ticket limit and doors
    (as long before the start), its price zones with their sections and seats, its price
    types with their prices, and its sale windows: opening when the source's do (a run goes
    on sale at once) and closing as long before the start (as long after it opens, if the
    new date comes before that opening). It is not
    on sale until the organizer puts it on sale; a presale, a waiting room or a ballot is
    set up for each date on its own. Not in a hall another performance takes at that time
    (hall_claim: the form's check, made again under the venue's lock). Nor from zones that
    share a place (saved before that rule): the copy would carry the clash on (SetupError
    naming the place)."""
    hall_claim(source.venue_id, starts_at)
    source_zones = list(source.price_zones.prefetch_related("sections", "seats"))
    clashes = zone_places_claim(None, [ZonePlaces(None, zone.name, list(zone.sections.all()), list(zone.seats.all()))
                                       for zone in source_zones])
    if clashes:
        raise SetupError(_("%(clash)s Put this performance's zones right before making other dates of it.")
                         % {"clash": clashes[0][2]}, field="starts")
    shift = starts_at - source.starts_at
    copy = Performance.objects.create(
        event=source.event, venue=source.venue, starts_at=starts_at, ticket_limit=source.ticket_limit,
        running_minutes=source.running_minutes,
        doors_open_at=source.doors_open_at + shift if source.doors_open_at else None)
    zones = {}
    for zone in source_zones:
        zones[zone.pk] = new = PriceZone.objects.create(performance=copy, name=zone.name, price=zone.price,
                                                        currency=zone.currency, color=zone.color)
        new.sections.set(zone.sections.all())
        new.seats.set(zone.seats.all())
    for kind in source.price_types.prefetch_related("prices"):
        new = PriceType.objects.create(performance=copy, name=kind.name, rank=kind.rank, note=kind.note,
                                       order_limit=kind.order_limit, complimentary=kind.complimentary,
                                       name_en=kind.name_en, name_fr=kind.name_fr, note_en=kind.note_en,
                                       note_fr=kind.note_fr)
        Price.objects.bulk_create(Price(price_type=new, zone=zones[p.zone_id], amount=p.amount)
                                  for p in kind.prices.all())
    OnSaleWindow.objects.bulk_create(
        OnSaleWindow(performance=copy, channel=w.channel, closes_at=w.closes_at + shift,
                     opens_at=w.opens_at if w.opens_at < w.closes_at + shift else w.opens_at + shift)
        for w in source.on_sale_windows.all())
    return copy
