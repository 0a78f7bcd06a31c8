"""What a hold's places cost: computed here from their price zones, never taken from the
request."""

from __future__ import annotations

from decimal import Decimal

from .. import inventory, rows
from ..errors import InvalidRequest
from ..models import Hold


# A hold's places with their prices: [[place id, price, currency, zone], ...] in place
# order, over exactly the places the hold took (inventory.places_of_hold_sql), which a
# sale sells.
def hold_prices_sql(hold_id: str) -> str:
    """SQL: the places of the hold `hold_id` (an SQL expression) with their prices."""
    return f"""SELECT json_agg(json_build_array(place.id, zone.price::text, zone.currency, zone.name) ORDER BY place.id)
               FROM sales_place place JOIN events_pricezone zone ON zone.id = place.price_zone_id
               WHERE place.id IN ({inventory.places_of_hold_sql(hold_id)})"""


_HOLD_PRICES = hold_prices_sql("%s")


def priced(places: list | None) -> tuple[Decimal, str, list[inventory.TicketLine]]:
    """The total, the currency and each place's ticket line from `hold_prices_sql`'s answer."""
    places = places or []
    currencies = {currency for _pk, _price, currency, _zone in places}
    if len(currencies) > 1:
        raise InvalidRequest("the held places are priced in different currencies")
    lines = [inventory.TicketLine(place_id=pk, zone_name=zone, price=Decimal(price))
             for pk, price, _currency, zone in places]
    return sum((line.price for line in lines), Decimal("0")), (currencies.pop() if places else "CAD"), lines


def hold_total(hold: Hold) -> tuple[Decimal, str, list[inventory.TicketLine]]:
    """Price of the hold's places."""
    return priced(rows.fetch(_HOLD_PRICES, [hold.pk])[0][0])
