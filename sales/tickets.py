"""Tickets at the door: their QR codes and the check-in."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

import segno
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, Collate, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import IN_A_SENTENCE, NAMES, Performance, PriceType

from . import formatting
from .errors import IllegalTransition, InvalidRequest, NotFound, WrongPerformance
from .formatting import at_venue, refuse_card_number
from .models import Order, Place, PlaceEvent, PlaceState, Ticket
from .reads import names_match


def ticket_qr(code: str) -> segno.QRCode:
    """A ticket's QR code, the same on the order page and in the PDF.

    The mask is fixed (7) rather than searched: segno's search scores all eight, about 2 ms
    a code, half the CPU of a confirmation email. Ticket codes are random, so the masks
    score alike: over 300 codes, mask 7's penalty was within 3 % of the best at the median
    and 21 % at worst, and a reader decodes any mask."""
    return segno.make(code, error="m", mask=7, micro=False)


# A scan queued on a door's device while the network was down is sent with the time it
# was made; one older than this, or ahead of the server's clock by more than the skew, is
# refused (a device with a wrong clock, a queue left for days).
QUEUED_SCAN_MAX_AGE = timedelta(hours=12)
CLOCK_SKEW = timedelta(minutes=2)


# A performance's day, at its door: from the start of its calendar day on the venue's
# clock, or from its doors if they open earlier, or this long before a show starting soon
# after midnight (its guests come the evening before, whenever its doors are set to open),
# to this long after it starts (a guest may come late to a show running past midnight).
ON_THE_DAY = timedelta(hours=12)
EARLY_DOORS = timedelta(hours=6)


def off_day(performance: Performance, moment: datetime) -> str:
    """"before" or "after" the performance's day at `moment` (see ON_THE_DAY), or "" on it."""
    midnight = at_venue(performance.starts_at, performance).replace(hour=0, minute=0, second=0, microsecond=0)
    early = performance.starts_at - EARLY_DOORS
    doors = min(performance.doors_open_at, early) if performance.doors_open_at else early
    if moment < min(midnight, doors):
        return "before"
    if moment > performance.starts_at + ON_THE_DAY:
        return "after"
    return ""


def _day_and_time(moment: datetime, performance: Performance) -> str:
    """`moment` as a refusal names it inside its sentence, on the clock of `performance`'s
    venue: "Sunday 6 December 2026 at 20:00" after "on", « dimanche 6 décembre 2026 à
    20 h » after « le »."""
    return formatting.when(at_venue(moment, performance), IN_A_SENTENCE)


def _refuse_off_day(performance: Performance, moment: datetime) -> None:
    """A scan made off the performance's day is refused, and nothing written: the door was
    most likely opened on the wrong performance, and the ticket is its holder's on the day."""
    off = off_day(performance, moment)
    if not off:
        return
    day = _day_and_time(performance.starts_at, performance)
    if off == "before":
        raise IllegalTransition(_("this performance is on %(when)s: its tickets are refused until the day") % {
            "when": day})
    raise IllegalTransition(_("this performance was on %(when)s: its tickets are no longer let in") % {
        "when": day})


def scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """When a scan was made: the time its device recorded for a queued scan, else now. A
    device's time too far from now is refused rather than believed."""
    if scanned_at is None:
        return now
    if scanned_at < now - QUEUED_SCAN_MAX_AGE or scanned_at > now + CLOCK_SKEW:
        raise InvalidRequest(_("this scan's time is too far from now: check the device's clock"), field="scanned_at")
    return min(scanned_at, now)


@dataclass(frozen=True)
class CheckIn:
    ticket: Ticket
    # The same scan sent again (its answer was lost on the way back): admitted by it before.
    replayed: bool = False


def ticket_check_in(*, code: str, performance: Performance, door: str = "", actor=None, scan: str = "",
                    scanned_at: datetime | None = None, now: datetime | None = None) -> CheckIn:
    """Admit the ticket once, at the door of its own performance.

    A ticket for another performance is refused with the one it is for; a second scan is
    refused with when, at which door and by whom the first was; a void ticket, with when and
    how it became void (_refuse_void), whichever door scans it. The first scan recorded
    wins, whatever its device says: a scan queued offline and sent later is refused if
    another door recorded the ticket meanwhile, even if it was made earlier."""
    now = now or timezone.now()
    # A door's name is shown to other staff ("already checked in at … at <door>"): no
    # control or direction-override characters to disguise it.
    door = "".join(ch for ch in (door or "") if unicodedata.category(ch) not in ("Cc", "Cf")).strip()
    # Kept with the scan and shown to other staff: never a card number typed there by mistake.
    refuse_card_number(door, field="door")
    door = door[:60]
    scan = (scan or "").strip()[:40]
    when = scan_time(scanned_at, now)
    ticket = (Ticket.objects.select_related("order__customer", "place__seat", "place__section",
                                            "place__performance__event", "place__performance__venue")
              .filter(code=code).first()) if code else None
    if ticket is None:
        # A walk-in's counter slip shows its order's code too: typed here, say what it is.
        order = Order.objects.filter(code=code.strip().upper()).only("code").first() if code else None
        if order is not None:
            raise NotFound(_("%(code)s is an order's code, not a ticket's: look it up under “Find a guest”")
                           % {"code": order.code}, field="code", order=order.code)
        raise NotFound(_("no ticket has this code"), field="code")
    if ticket.status != Ticket.Status.VALID:  # before its performance: an exchange may have brought its guest here
        _refuse_void(ticket, performance)
    if ticket.place.performance_id != performance.pk:
        other = ticket.place.performance
        if other.cancelled_at is not None:  # not a date to send its holder to
            raise WrongPerformance(
                _("this ticket is for %(event)s on %(when)s, which is cancelled: nobody is let in with it") % {
                    "event": other.event.title,
                    "when": _day_and_time(other.starts_at, other)},
                performance=other.pk, starts_at=at_venue(other.starts_at, other).isoformat())
        raise WrongPerformance(
            _("this ticket is for %(event)s on %(when)s") % {
                "event": other.event.title, "when": _day_and_time(other.starts_at, other)},
            performance=other.pk, starts_at=at_venue(other.starts_at, other).isoformat())  # as the API writes times
    if performance.cancelled_at is not None:
        raise IllegalTransition(_("this performance is cancelled: nobody is let in"))
    _refuse_off_day(performance, when)  # a scan sent late is judged by when it was made
    # Compare-and-set on the ticket's own row: two doors scanning it at once admit it once
    # (PostgreSQL re-checks these conditions on the row's latest version).
    admitted = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.VALID, checked_in_at__isnull=True).update(
        checked_in_at=when, checked_in_door=door,
        checked_in_by=actor if actor is not None and actor.is_authenticated else None, check_in_scan=scan)
    ticket.refresh_from_db(fields=["status", "checked_in_at", "checked_in_door", "checked_in_by", "check_in_scan"])
    if admitted:
        return CheckIn(ticket)
    if ticket.status != Ticket.Status.VALID:
        _refuse_void(ticket, performance)
    if scan and ticket.check_in_scan == scan:
        return CheckIn(ticket, replayed=True)
    performance = ticket.place.performance
    first = at_venue(ticket.checked_in_at, performance)
    # The time alone for a scan of today ("at 20:01:05"); with its day for one of another
    # (a ticket used at an earlier performance's door by mistake, or a copy), as a sentence
    # names a day ("on Friday 4 December 2026 at 20:00", « le vendredi … à 20 h »).
    first = _("at %(time)s") % {"time": formatting.when(first, "H:i:s")} \
        if first.date() == at_venue(now, performance).date() else \
        _("on %(when)s") % {"when": _day_and_time(first, performance)}
    by = ticket.checked_in_by.get_username() if ticket.checked_in_by_id else ""
    where = ticket.checked_in_door
    if where:
        message = _("already checked in %(first)s at %(door)s") % {"first": first, "door": where}
    elif by:  # a door whose staff typed no name for it: who scanned it there
        message = _("already checked in %(first)s by %(by)s") % {"first": first, "by": by}
    else:
        message = _("already checked in %(first)s") % {"first": first}
    raise IllegalTransition(message, checked_in_at=ticket.checked_in_at.isoformat(), door=where, by=by)


def _voided(ticket: Ticket):
    """When `ticket` became void, and the ticket an exchange sold in its place then (None:
    it was refunded), as what recorded it tells: the move that put its place back on sale
    for its order, and the tickets an exchange sold into the order at that same moment
    (order_exchange returns and sells with one `now`). (None, None): its trail does not say."""
    voided = (PlaceEvent.objects.filter(place_id=ticket.place_id, order_id=ticket.order_id,
                                        action__in=("return", "withdraw"), at__gte=ticket.created_at)
              .order_by("at", "pk").values_list("at", flat=True).first())
    if voided is None:
        return None, None
    return voided, (Ticket.objects.filter(order_id=ticket.order_id, created_at=voided)
                    .select_related("place__performance__event", "place__performance__venue").first())


def _refuse_void(ticket: Ticket, performance: Performance) -> NoReturn:
    """Refuse a void ticket saying when, on the clock of the door's venue, and how it
    became void: refunded, or exchanged, and then for which performance the guest holds a
    ticket now (this one: they have a new ticket for tonight). An exchange's new ticket may
    have been exchanged or refunded in turn: the chain is followed to its end."""
    voided, new = _voided(ticket)
    if voided is None:  # not told by its place's trail
        raise IllegalTransition(_("this ticket was refunded or exchanged and is void"))
    when = _day_and_time(voided, performance)
    voided_at = at_venue(voided, performance).isoformat()  # as the API writes times
    if new is None:
        raise IllegalTransition(_("this ticket was refunded on %(when)s and is void") % {"when": when},
                                void="refunded", voided_at=voided_at)
    for _step in range(20):  # each exchange of the order is a step; a chain this long is not met
        if new.status == Ticket.Status.VALID:
            break
        later, newer = _voided(new)
        if later is None:
            break
        if newer is None:
            refunded = _day_and_time(later, performance)
            raise IllegalTransition(_("this ticket was exchanged on %(when)s; the ticket it became was refunded on "
                                      "%(refunded)s and is void") % {"when": when, "refunded": refunded},
                                    void="refunded", voided_at=at_venue(later, performance).isoformat())
        new = newer
    other = new.place.performance
    detail = {"void": "exchanged", "voided_at": voided_at, "exchanged_for": other.pk,
              "starts_at": at_venue(other.starts_at, other).isoformat()}
    if other.pk == performance.pk:
        raise IllegalTransition(_("this ticket was exchanged on %(when)s for another ticket to this performance: "
                                  "scan the new one") % {"when": when}, **detail)
    raise IllegalTransition(_("this ticket was exchanged on %(when)s for a ticket to %(event)s on %(starts)s") % {
        "when": when, "event": other.event.title,
        "starts": _day_and_time(other.starts_at, other)}, **detail)


def attendance(performance_id: int) -> dict[str, int]:
    """Tickets sold for the performance and how many of them were scanned in (one index
    range: the performance's sold places)."""
    return (Place.objects.filter(performance_id=performance_id, state=PlaceState.SOLD)
            .aggregate(sold=Count("pk"), scanned=Count("pk", filter=Q(ticket__checked_in_at__isnull=False))))


def tickets_find(*, performance_id: int, query: str, limit: int = 20) -> list[Ticket]:
    """The performance's valid tickets whose buyer's name or email, or order code, matches
    (at the door: a guest without their ticket). A walk-in is found by its order code
    alone: all of them share the counter's record of nobody in particular, whose name
    would list every one."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    # A name's words in any order ("Tremblay, Élise"), as the counter and the phone find them.
    named = (names_match("order__buyer_name", query)
             | (Q(order__buyer_name="") & names_match("order__customer__name", query))
             | Q(order__customer__email__icontains=query))
    found = Q(order__code=query.upper()) | (named & ~Q(order__customer__email=formatting.WALK_IN_EMAIL))
    return list(Ticket.objects.filter(place__performance_id=performance_id, status=Ticket.Status.VALID)
                .filter(found)
                .select_related("order__customer", "place__seat", "place__section")
                .order_by(Collate(Coalesce(NullIf("order__buyer_name", Value("")), "order__customer__name"), NAMES),
                          "order_id", "pk")[:limit])


def tickets_printed(*, order, actor=None) -> list[Ticket]:
    """Count a print of the order's valid tickets not printed yet (an exchange's new ones:
    the buyer keeps the others, and a second copy of a valid ticket is one too many), or of
    them all once each has been (a lost ticket); a count above one prints as REPRINT."""
    from django.db.models import F

    from .models import OrderEvent

    valid = order.tickets.filter(status=Ticket.Status.VALID)
    ids = list(valid.filter(printed_count=0).values_list("pk", flat=True)) or list(valid.values_list("pk", flat=True))
    tickets = order.tickets.filter(pk__in=ids)
    tickets.update(printed_count=F("printed_count") + 1)
    printed = list(tickets.select_related("place__seat", "place__section").order_by("pk"))
    reprint = any(t.printed_count > 1 for t in printed)
    OrderEvent.objects.create(order=order, action="reprinted" if reprint else "printed",
                              detail=f"{len(printed)} tickets",
                              actor=actor if actor is not None and actor.is_authenticated else None)
    return printed


def price_type_names(performance_id: int) -> dict[str, str]:
    """Each price type of the performance named in the reader's language, by any of its
    names: a ticket keeps its type's name in the language that sold it, and staff read
    one type as one name whatever the buyers spoke."""
    return _by_any_name(PriceType.objects.filter(performance_id=performance_id), "shown_name")


def _by_any_name(price_types, shown: str) -> dict[str, str]:
    """{each name a type goes by, in any language: its `shown` attribute}."""
    return {name: getattr(t, shown) for t in price_types for name in (t.name, t.name_en, t.name_fr) if name}


def elsewhere(*, performance_id: int, query: str) -> Order | None:
    """The order whose code `query` is, when it is for another performance: a guest at the
    wrong door, found by the code on their confirmation or slip."""
    code = query.strip().upper()
    if not code or len(code) > 20:
        return None
    return (Order.objects.filter(code=code).exclude(performance_id=performance_id)
            .select_related("performance__event", "performance__venue").first())


def with_type_names(tickets: list) -> list:
    """The tickets, each with `type_name`: its price type named in the reader's language
    (price_type_names), for staff pages. Each ticket's place comes with it."""
    names: dict[int, dict[str, str]] = {}
    for ticket in tickets:
        performance = ticket.place.performance_id
        if performance not in names:
            names[performance] = price_type_names(performance)
        ticket.type_name = names[performance].get(ticket.price_type_name, ticket.price_type_name)
    return tickets


def price_type_notes(performance_id: int) -> dict[str, str]:
    """What each price type of the performance asks of its ticket's holder ("Show student
    ID at the door"), in the reader's language, by any of the type's names: a ticket keeps
    its type's name in the language that sold it."""
    return _by_any_name(PriceType.objects.filter(performance_id=performance_id)
                        .exclude(note="", note_en="", note_fr=""), "shown_note")
