"""What a hold's places cost: computed here from their price zones, never taken from the
request."""

from __future__ import annotations

from decimal import Decimal

from .. import inventory, rows
from ..errors import InvalidRequest
from ..models import Hold


# A hold's places with their prices: [[place id, price, currency], ...] in place order,
# over exactly the places `inventory.sell` will sell.
def hold_prices_sql(hold_id: str) -> str:
    """SQL: the places of the hold `hold_id` (an SQL expression) with their prices."""
    return f"""SELECT json_agg(json_build_array(place.id, zone.price::text, zone.currency) ORDER BY place.id)
               FROM sales_place place JOIN events_pricezone zone ON zone.id = place.price_zone_id
               WHERE place.id IN ({inventory.places_of_hold_sql(hold_id)})"""


_HOLD_PRICES = hold_prices_sql("%s")


def priced(places: list | None) -> tuple[Decimal, str, list[int]]:
    """The total, the currency and the place ids of `hold_prices_sql`'s answer."""
    places = places or []
    currencies = {currency for _pk, _price, currency in places}
    if len(currencies) > 1:
        raise InvalidRequest("the held places are priced in different currencies")
    total = sum((Decimal(price) for _pk, price, _c in places), Decimal("0"))
    return total, (currencies.pop() if places else "CAD"), [pk for pk, _p, _c in places]


def hold_total(hold: Hold) -> tuple[Decimal, str, list[int]]:
    """Price of the hold's places."""
    return priced(rows.fetch(_HOLD_PRICES, [hold.pk])[0][0])
