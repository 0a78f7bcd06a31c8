"""Read-side queries the doors answer from, written once as SQL (the API's hot answers):
plain values, shaped by the door that asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Q

from . import rows
from .inventory import PlaceFacts
from .inventory.statements import LABEL_JOINS
from .models import PlaceState


def held_places(hold_id: int) -> list[PlaceFacts]:
    """The places still in this hold."""
    found = rows.fetch(f"""
        SELECT place.id, section.name, seat.row, seat.number, place.standing_index, zone.name, zone.price
        FROM sales_place place {LABEL_JOINS}
        JOIN events_pricezone zone ON zone.id = place.price_zone_id
        WHERE place.hold_id = %s AND place.state = '{PlaceState.HELD}' ORDER BY place.id""", [hold_id])
    return [PlaceFacts(*row) for row in found]


@dataclass(frozen=True)
class TicketFacts:
    code: str
    place_id: int
    section: str
    row: str | None
    number: str | None
    standing_index: int | None
    zone_name: str
    price: Decimal
    status: str
    checked_in_at: datetime | None
    price_type_name: str
    list_price: Decimal | None
    discount: Decimal
    fee: Decimal
    tax: Decimal
    complimentary: bool


def order_tickets(order_id: int) -> list[TicketFacts]:
    """The order's tickets with what names their places, in the order they were issued."""
    found = rows.fetch(f"""
        SELECT ticket.code, ticket.place_id, section.name, seat.row, seat.number, place.standing_index,
               ticket.price_zone_name, ticket.price, ticket.status, ticket.checked_in_at, ticket.price_type_name,
               ticket.list_price, ticket.discount, ticket.fee, ticket.tax, ticket.complimentary
        FROM sales_ticket ticket JOIN sales_place place ON place.id = ticket.place_id {LABEL_JOINS}
        WHERE ticket.order_id = %s ORDER BY ticket.id""", [order_id])
    return [TicketFacts(*row) for row in found]


_USER_WITH_ROLES = """SELECT {columns},
                                ARRAY(SELECT g.name FROM auth_group g
                                      JOIN auth_user_groups ug ON ug.group_id = g.id
                                      WHERE ug.user_id = auth_user.id AND g.name = ANY(%s))
                         FROM auth_user {join} WHERE {where} = %s"""


def _user_with_roles(join: str, where: str, value, roles: list[str]) -> tuple[User, frozenset[str]] | None:
    found = rows.fetch(_USER_WITH_ROLES.format(columns=rows.columns(User), join=join, where=where), [roles, value])
    if not found:
        return None
    return rows.instance(User, found[0]), frozenset(found[0][-1])


def user_by_token(key: str, roles: list[str]) -> tuple[User, frozenset[str]] | None:
    """The user an API token names, with those of `roles` they have, in one query (every
    staff API call checks them)."""
    return _user_with_roles("JOIN authtoken_token token ON token.user_id = auth_user.id", "token.key", key, roles)


def user_by_id(pk: int, roles: list[str]) -> tuple[User, frozenset[str]] | None:
    """A signed-in session's user, with those of `roles` they have, in one query (every
    staff page checks them)."""
    return _user_with_roles("", "auth_user.id", pk, roles)


def names_match(field: str, typed: str) -> Q:
    """`field` (a person's name) holds every word of `typed`, whatever their order, case and
    accents: a caller who says "Tremblay, Élise" is Élise Tremblay. Nothing typed: nobody."""
    words = typed.replace(",", " ").split()
    if not words:
        return Q(pk__in=[])
    match = Q()
    for word in words:
        match &= Q(**{f"{field}__unaccent__icontains": word})
    return match


def list_price_basis() -> str:
    """What the prices the organizer typed (a zone's, a price type's) hold, in words to say
    beside them: "before tax" when the taxes are added at the checkout, "taxes included"
    when the prices hold them (Organizer.prices_include_tax), nothing with no tax to add."""
    from django.utils.translation import gettext

    found = rows.fetch("""
        SELECT (SELECT prices_include_tax FROM sales_organizer ORDER BY id LIMIT 1),
               EXISTS (SELECT 1 FROM sales_taxrate WHERE active AND percent > 0)""", [])
    included, taxed = found[0] if found else (False, False)
    if not taxed:
        return ""
    return gettext("taxes included") if included else gettext("before tax")
