"""A performance's stock: one row per sellable place, created when it goes on sale."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import MAX_PLACES, Performance, Section, grouped, venue_places

from ..errors import IllegalTransition, InvalidRequest
from ..models import Place


def put_on_sale(*, performance: Performance) -> int:
    """Create the performance's inventory: one row per seat and per standing place, each
    priced by its seat's zone, else its section's. Refuses a place with no price zone."""
    with transaction.atomic():
        if Performance.objects.select_for_update().get(pk=performance.pk).cancelled_at is not None:
            raise IllegalTransition(_("%(performance)s is cancelled: it is not put on sale") % {
                "performance": performance})
        if Place.objects.filter(performance=performance).exists():
            raise IllegalTransition(_("%(performance)s is already on sale") % {"performance": performance})
        # Its places are made here, in this request: a venue beyond any real one (a standing
        # capacity typed with zeros too many) is refused, not attempted.
        there = venue_places(performance.venue)
        if there > MAX_PLACES:
            raise InvalidRequest(_("%(venue)s holds %(there)s places: at most %(max)s are put on sale for a "
                                   "performance; correct its sections' capacities") % {
                "venue": performance.venue, "there": grouped(there), "max": grouped(MAX_PLACES)})
        section_zone, seat_zone, twice = {}, {}, []
        for zone in performance.price_zones.prefetch_related("sections", "seats__section"):
            # A place two zones claim would sell at either price: refused, saying which.
            for claimed, places in ((section_zone, zone.sections.all()), (seat_zone, zone.seats.all())):
                for place in places:
                    other = claimed.setdefault(place.pk, zone)
                    if other != zone:
                        twice.append(_("%(place)s is in two price zones, %(one)s and %(other)s") % {
                            "place": place.name if claimed is section_zone else place, "one": other.name,
                            "other": zone.name})
        if twice:
            raise InvalidRequest("; ".join(twice))
        places, unpriced, unpriced_places = [], [], 0  # names shown; places counted (a standing area: each)
        for section in performance.venue.sections.prefetch_related("seats"):
            if section.kind == Section.Kind.STANDING:
                zone = section_zone.get(section.pk)
                if zone is None:
                    unpriced.append(section.name)
                    unpriced_places += section.capacity
                    continue
                places += [Place(performance=performance, section=section, standing_index=i,
                                 price_zone=zone) for i in range(1, section.capacity + 1)]
                continue
            rows = defaultdict(list)
            for seat in section.seats.all():
                rows[seat.row_index].append(seat)
            for seats in rows.values():
                centre = (min(s.position for s in seats) + max(s.position for s in seats)) / 2
                for seat in seats:
                    zone = seat_zone.get(seat.pk) or section_zone.get(section.pk)
                    if zone is None:
                        unpriced.append(f"{section.name} {seat.row}-{seat.number}")
                        unpriced_places += 1
                        continue
                    places.append(Place(performance=performance, section=section, seat=seat,
                                        price_zone=zone, accessible=seat.wheelchair or seat.companion,
                                        centre_offset=round(abs(seat.position - centre) * 2)))
        if unpriced:
            shown = ", ".join(unpriced[:10]) + (_(" and %(n)d more") % {"n": len(unpriced) - 10}
                                                if len(unpriced) > 10 else "")
            raise InvalidRequest(ngettext("%(n)d place has no price zone: %(places)s",
                                          "%(n)d places have no price zone: %(places)s", unpriced_places)
                                 % {"n": unpriced_places, "places": shown})
        if not places:
            raise InvalidRequest(_("%(venue)s has no seats or standing places") % {"venue": performance.venue})
        Place.objects.bulk_create(places, batch_size=5000)
        return len(places)

