"""The moves: each runs one named statement (see statements) and answers with plain
values, or raises without having written anything."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import rows
from ..errors import IllegalTransition, InvalidRequest, OrderMovedOn, PlacesUnavailable, ShiftClosed
from ..models import Hold, Order, Place, PlaceEvent, Shift, Ticket, new_secret
from . import statements
from .pictures import FreeRuns
from .results import Held, IssuedTicket, Payment, PlaceFacts, TicketLine
from .rules import AVAILABLE, HELD, JUST_CHANGED, TRANSITIONS, UNKNOWN_PLACE, reason


class Partial(Exception):
    """With SKIP LOCKED: a place was locked by another transaction or failed its guard."""


class Refused(Exception):
    """Every place could be moved, but the statement's further condition said no."""


def run(name: str, place_ids: Iterable[int], *, now: datetime, channel: str = "", hold: Hold | None = None,
        order: Order | None = None, actor=None, performance_id: int | None = None, skip_locked: bool = False,
        **params) -> tuple[list[int], tuple]:
    """Run the named move over these places. Returns the ids moved and the statement's
    further output. Raises without writing anything: PlacesUnavailable (saying which
    places and why), Partial with `skip_locked`, Refused when its further condition fails."""
    ids = sorted(set(place_ids))
    if not ids:
        return [], ()
    scoped = performance_id is not None
    values = {"ids": ids, "performance": performance_id, "count": len(ids), "now": now, "channel": channel,
              "hold": hold.pk if hold is not None else None, "order": order.pk if order is not None else None,
              "actor": actor_id(actor), "expires": None, **params}
    values = {name: rows.array_literal(v) if isinstance(v, list) else v for name, v in values.items()}
    with connection.cursor() as cursor:
        cursor.execute(statements.statement(name, skip_locked=skip_locked, scoped=scoped,
                                            quick=rows.own_transaction()), values)
        locked, moved, *output = cursor.fetchone()
    if not moved:
        if skip_locked:
            raise Partial
        if len(locked) == len(ids):  # every place was there: the further condition said no
            raise Refused
        _refuse(statements.NAMED[name][0], ids, set(locked), values, scoped)
    if TRANSITIONS[statements.NAMED[name][0]].to_state == AVAILABLE:
        FreeRuns.forget(performance_id)  # places freed here: best-available reads the zone again
    return moved, tuple(output)


def _refuse(action: str, ids: list[int], locked: set[int], values: dict, scoped: bool) -> None:
    """Say which places failed the guard, and why."""
    with connection.cursor() as cursor:
        cursor.execute(statements.why_not(action, scoped=scoped), values)
        found = {r[0]: dict(zip(("pk", "state", "allocation", "hold_expires_at", "ok"), r, strict=True))
                 for r in cursor.fetchall()}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise InvalidRequest(ngettext("%(n)d of the requested places does not exist in this performance",
                                      "%(n)d of the requested places do not exist in this performance",
                                      len(missing)) % {"n": len(missing)},
                             places=dict.fromkeys(missing, UNKNOWN_PLACE))
    # A place that passes now but was not locked changed between the two reads.
    refused = {pk: reason(found[pk], now=values["now"], channel=values["channel"]) if not found[pk]["ok"]
               else JUST_CHANGED for pk in ids if pk not in locked}
    n = len(refused)
    # The reasons per place stay as they are (the API's words); the sentence is the reader's.
    reasons = ", ".join(sorted({_(why) for why in refused.values()}))
    raise PlacesUnavailable(ngettext("%(n)d place unavailable: %(reasons)s", "%(n)d places unavailable: %(reasons)s",
                                     n) % {"n": n, "reasons": reasons}, places=refused)


def actor_id(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def attempt():
    """Around a try that may fail after locking some places: inside a caller's transaction a
    savepoint (rolling it back drops those locks); outside one, nothing (the statement's
    locks end with it)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


# --- holds ----------------------------------------------------------------------------

def hold_into(ids: Iterable[int], hold: Hold, *, now: datetime, actor=None,
              skip_locked: bool = False) -> Held:
    """Move places into `hold`, saving it with them if it is new."""
    common = {"now": now, "channel": hold.channel, "actor": actor, "performance_id": hold.performance_id,
              "skip_locked": skip_locked, "expires": hold.expires_at}
    if hold.pk is not None:
        return Held(run("hold", ids, hold=hold, **common)[0])
    new = {f"new_hold_{f.column}": f.get_db_prep_save(f.pre_save(hold, add=True), connection)
           for f in Hold._meta.concrete_fields if not f.primary_key}
    moved, (hold_id, taken) = run("hold into a new hold", ids, **common, **new)
    hold.pk, hold._state.adding, hold._state.db = hold_id, False, connection.alias
    return Held(moved, tuple(PlaceFacts(pk, section, row, number, standing, zone, Decimal(price))
                             for pk, section, row, number, standing, zone, price in taken))


def hold_places(*, hold: Hold, place_ids: Iterable[int], now: datetime, actor=None) -> Held:
    """Hold these named places, all or none."""
    return hold_into(place_ids, hold, now=now, actor=actor)


def release(*, hold: Hold, now: datetime, actor=None) -> list[int]:
    """Give back every place still in this hold."""
    with transaction.atomic():
        ids = list(Place.objects.select_for_update(of=("self",)).filter(hold=hold, state=HELD)
                   .order_by("pk").values_list("pk", flat=True))
        return run("release", ids, now=now, channel=hold.channel, hold=hold, actor=actor)[0]


def extend(*, hold: Hold, until: datetime, now: datetime) -> int:
    """Stretch a live hold. A lapsed hold cannot be revived: its places may be gone."""
    with transaction.atomic():
        ids = list(Place.objects.select_for_update(of=("self",))
                   .filter(hold=hold, state=HELD, hold_expires_at__gt=now)
                   .order_by("pk").values_list("pk", flat=True))
        return Place.objects.filter(pk__in=ids, hold=hold, state=HELD).update(
            hold_expires_at=until, updated_at=now)


def release_expired(*, now: datetime, batch: int = 1000) -> int:
    """Tidy lapsed holds back to available. Only tidying: they already count as free."""
    with transaction.atomic():
        ids = list(Place.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(state=HELD, hold_expires_at__lte=now)
                   .order_by("pk").values_list("pk", flat=True)[:batch])
        return len(run("expire", ids, now=now)[0])


# --- sale and return ------------------------------------------------------------------

def places_of_hold(hold: Hold) -> list[int]:
    """Every place the hold took when it was made (statements.places_of_hold)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT place_id FROM ({statements.places_of_hold('%s')}) taken ORDER BY place_id",
                       [hold.pk])
        return [pk for (pk,) in cursor.fetchall()]


def sell(*, hold: Hold, order: Order, lines: list[TicketLine], now: datetime, actor=None,
         payment: Payment | None = None) -> list[IssuedTicket]:
    """Turn the hold's places (those of `lines`, as priced) into tickets of `order`, in one
    statement; with `payment`, the order paid in the same statement. Fails cleanly,
    writing nothing, if any place was taken by someone else after the hold lapsed (or the
    order is no longer `payment.from_status`)."""
    lines = sorted(lines, key=lambda line: line.place_id)
    ids = [line.place_id for line in lines]
    if not ids:
        raise PlacesUnavailable(_("the hold has no places"), places={})
    if len(set(ids)) != len(ids):
        raise InvalidRequest(_("a place is priced twice"))
    params = {"ticket_places": ids, "ticket_codes": [new_secret() for _ in ids],
              "ticket_zones": [line.zone_name for line in lines], "ticket_prices": [line.price for line in lines],
              "ticket_types": [line.price_type_name for line in lines],
              "ticket_list_prices": [line.price if line.list_price is None else line.list_price for line in lines],
              "ticket_discounts": [line.discount for line in lines], "ticket_fees": [line.fee for line in lines],
              "ticket_taxes": [line.tax for line in lines],
              "ticket_tax_parts": [json.dumps(line.taxes) for line in lines],
              "ticket_fee_refundable": [line.fee_refundable for line in lines],
              "ticket_comps": [line.complimentary for line in lines]}
    if payment is not None:
        parts = payment.lines
        params.update(from_status=payment.from_status, paid_detail=payment.detail[:300], shift=payment.shift_id,
                      pay_methods=[p.method for p in parts], pay_amounts=[p.amount for p in parts],
                      pay_references=[p.reference for p in parts], pay_messages=[p.message for p in parts],
                      pay_tendered=[p.tendered for p in parts], pay_fingerprints=[p.fingerprint for p in parts])
    try:
        _moved, (issued, *_rest) = run("sell and pay" if payment is not None else "sell", ids, now=now,
                                       channel=hold.channel, hold=hold, order=order, actor=actor,
                                       performance_id=hold.performance_id, **params)
    except Refused:
        if payment.shift_id is not None and Shift.objects.filter(pk=payment.shift_id,
                                                                 closed_at__isnull=False).exists():
            raise ShiftClosed(_("your shift was closed while the payment was taken; nothing was sold")) from None
        raise OrderMovedOn(_("the order was cancelled while the payment was taken")) from None
    return [IssuedTicket(pk, place_id, code, zone, Decimal(price), section, row, number, standing)
            for pk, place_id, code, zone, price, section, row, number, standing in issued]


def return_to_sale(*, order: Order, tickets: Iterable[Ticket], now: datetime, actor=None,
                   withdraw: bool = False, refund: bool = False) -> list[int]:
    """Refund or exchange: the places of these tickets go back on sale. A ticket admitted
    at the door meanwhile (its check-in is a compare-and-set on the same row), or refunded
    or exchanged by another clerk, stops it all: a guest who walked in keeps their place,
    and nothing is paid back twice. `withdraw`: the performance is cancelled; its places
    stay off sale, and a ticket used at the door is paid back too. `refund`: the tickets
    are refunded, not exchanged (their receipt says so)."""
    tickets = list(tickets)
    unused = {} if withdraw else {"checked_in_at__isnull": True}
    refunded = {"refunded_at": now} if refund else {}
    with transaction.atomic():
        voided = Ticket.objects.filter(pk__in=[t.pk for t in tickets], status=Ticket.Status.VALID,
                                       **unused).update(status=Ticket.Status.VOID, **refunded)
        if voided != len(tickets):
            if Ticket.objects.filter(pk__in=[t.pk for t in tickets], checked_in_at__isnull=False).exists():
                raise IllegalTransition(_("a ticket of this order has just been used at the door"))
            raise IllegalTransition(_("a ticket of this order was just refunded or exchanged; look the order up "
                                      "again"))
        moved = run("withdraw" if withdraw else "return", [t.place_id for t in tickets], now=now,
                    channel=order.channel, order=order, actor=actor, performance_id=order.performance_id)[0]
    return moved


# --- organizer ------------------------------------------------------------------------

def block(*, performance, place_ids: Iterable[int], now: datetime, actor=None) -> list[int]:
    with transaction.atomic():  # its own savepoint: the admin reports a refusal and goes on
        return run("block", place_ids, now=now, actor=actor, performance_id=performance.pk)[0]


def unblock(*, performance, place_ids: Iterable[int], now: datetime, actor=None) -> list[int]:
    with transaction.atomic():
        return run("unblock", place_ids, now=now, actor=actor, performance_id=performance.pk)[0]


def allocate(*, performance, place_ids: Iterable[int], channel: str, now: datetime, actor=None) -> list[int]:
    """Keep places for one channel ('' gives them back to every channel). Allocation is an
    attribute, not a state: a sold place keeps its ticket, a held one its hold."""
    ids = sorted(set(place_ids))
    with transaction.atomic():
        found = list(Place.objects.select_for_update(of=("self",))
                     .filter(pk__in=ids, performance=performance).order_by("pk").values("pk", "state"))
        if len(found) != len(ids):
            raise InvalidRequest(_("some of the places do not exist in this performance"))
        Place.objects.filter(pk__in=ids).update(allocation=channel, updated_at=now)
        FreeRuns.forget(performance.pk)
        PlaceEvent.objects.bulk_create(
            PlaceEvent(place_id=r["pk"], action="allocate", from_state=r["state"], to_state=r["state"],
                       allocation=channel, actor_id=actor_id(actor))
            for r in found)
    return ids
