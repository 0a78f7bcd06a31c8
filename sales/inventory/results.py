"""What the inventory answers and what it is given: plain values, no models. The doors
shape them for their own output."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class PlaceFacts:
    """A place as a hold's answer shows it."""

    id: int
    section: str
    row: str | None
    number: str | None
    standing_index: int | None
    zone: str
    price: Decimal


@dataclass(frozen=True)
class Held:
    """Places moved into a hold: their ids and, for a hold made by the move, what it took."""

    place_ids: list[int]
    places: tuple[PlaceFacts, ...] = ()


@dataclass(frozen=True)
class TicketLine:
    """What one place's ticket records when it is sold: its price is the caller's to
    compute (sales.orders.pricing), never the request's."""

    place_id: int
    zone_name: str
    price: Decimal  # what is charged for the ticket in all
    price_type_name: str = ""
    list_price: Decimal | None = None
    discount: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")  # with its taxes
    tax: Decimal = Decimal("0.00")
    fee_refundable: bool = False
    complimentary: bool = False
    # `tax` by tax name, on the price and on the fee: {"price": {name: "amount"}, "fee": {...}}.
    taxes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket the sale issued, with what names its place."""

    id: int
    place_id: int
    code: str
    zone_name: str
    price: Decimal
    section: str
    row: str | None
    number: str | None
    standing_index: int | None


@dataclass(frozen=True)
class PaymentLine:
    """One payment a sale records with its places (see sell_and_pay)."""

    method: str
    amount: Decimal
    reference: str
    message: str
    tendered: Decimal | None
    fingerprint: str


@dataclass(frozen=True)
class Payment:
    """The order paid in the statement that sells its places: only if it still is
    `from_status` (locked and checked after the places), with its payments, its hold sold
    and its audit line (`detail`)."""

    from_status: str
    lines: tuple[PaymentLine, ...]
    detail: str
    shift_id: int | None = None
