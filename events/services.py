"""Organizer writes on the supply side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Event, OnSaleWindow, Performance, Price, PriceType, PriceZone, Seat, Section, Venue, hall_taken


class SetupError(Exception):
    def __init__(self, message: str, field: str | None = None):
        self.message, self.field = message, field
        super().__init__(message)


@dataclass
class ZoneSpec:
    name: str
    price: Decimal
    currency: str = "CAD"
    color: str = "#3b82f6"
    sections: list[int] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)


@dataclass
class WindowSpec:
    channel: str
    opens_at: datetime
    closes_at: datetime


@transaction.atomic
def performance_create(*, event: Event, venue: Venue, starts_at: datetime, ticket_limit: int,
                       zones: list[ZoneSpec], windows: list[WindowSpec]) -> Performance:
    """A performance with its price zones and on-sale windows, all or nothing. Not in a hall
    another performance takes at that time (events.models.hall_taken), as the admin says."""
    clash = hall_taken(venue.pk, starts_at)
    if clash is not None:
        raise SetupError(_("%(venue)s already has %(performance)s at this time: one hall sells its seats once.")
                         % {"venue": clash.venue.name, "performance": clash}, field="starts_at")
    perf = Performance.objects.create(event=event, venue=venue, starts_at=starts_at,
                                      ticket_limit=ticket_limit)
    names = [z.name for z in zones]
    if len(set(names)) != len(names):
        raise SetupError("two price zones have the same name", field="zones")
    for spec in zones:
        sections = list(Section.objects.filter(pk__in=spec.sections, venue=venue))
        seats = list(Seat.objects.filter(pk__in=spec.seats, section__venue=venue))
        if len(sections) != len(set(spec.sections)) or len(seats) != len(set(spec.seats)):
            raise SetupError(f"zone {spec.name}: sections and seats must belong to {venue}",
                             field="zones")
        if spec.price < 0:
            raise SetupError(f"zone {spec.name}: a price cannot be negative", field="zones")
        zone = PriceZone.objects.create(performance=perf, name=spec.name, price=spec.price,
                                        currency=spec.currency, color=spec.color)
        zone.sections.set(sections)
        zone.seats.set(seats)
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
    set up for each date on its own."""
    shift = starts_at - source.starts_at
    copy = Performance.objects.create(
        event=source.event, venue=source.venue, starts_at=starts_at, ticket_limit=source.ticket_limit,
        doors_open_at=source.doors_open_at + shift if source.doors_open_at else None)
    zones = {}
    for zone in source.price_zones.prefetch_related("sections", "seats"):
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
