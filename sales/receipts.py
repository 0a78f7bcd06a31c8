"""What an order costs, line by line: the price of each ticket (its price type's, in its
zone), a discount, a booking fee, sales taxes, and the order's own fee. Pure arithmetic
on what the organizer set up, computed on the server when an order is priced; each
ticket keeps what was charged for it, so that receipts, refunds and reports never
recompute from today's settings.

Rounding is per line, to the cent, half up (as a receipt prints it): each tax of a line
is rounded on its own, and the line's total is the sum of what it prints. Prices entered
tax-included are split into the tax base and each tax so that they add up to the price
exactly (the cent of rounding goes to the base). An order-wide discount is shared out
over its tickets in proportion to their prices (largest remainder), so that refunding
one ticket gives back its own share of the discount, never the whole of it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tax:
    name: str  # as printed: "GST", "QST"
    rate: Decimal  # 0.05 for 5 %
    on_fees: bool = True
    registration: str = ""  # the organizer's registration number, printed on receipts


@dataclass(frozen=True)
class Fee:
    per_ticket: Decimal = ZERO
    per_order: Decimal = ZERO
    refundable: bool = False


@dataclass(frozen=True)
class Discount:
    """`percent` (0-100) or `amount` off, on each ticket it applies to or once on the order."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    per_order: bool = False

    def __post_init__(self):
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a discount is a percentage or an amount, not both")
        if self.percent is not None and not ZERO <= self.percent <= 100:
            raise ValueError("a percentage is between 0 and 100")
        if self.amount is not None and self.amount < 0:
            raise ValueError("an amount off cannot be negative")


@dataclass(frozen=True)
class Item:
    """One ticket to price: its list price (as entered), and whether it is a comp (free,
    no fee) and whether the discount applies to it."""

    price: Decimal
    comp: bool = False
    discountable: bool = True


@dataclass
class Line:
    """What one ticket, or the order's own fee, is charged. `price` and `fee` are tax
    bases; the taxes on each are per tax name; `total` is what the line adds."""

    list_price: Decimal
    discount: Decimal
    price: Decimal
    fee: Decimal
    price_taxes: dict[str, Decimal] = field(default_factory=dict)
    fee_taxes: dict[str, Decimal] = field(default_factory=dict)

    @property
    def taxes(self) -> dict[str, Decimal]:
        out = dict(self.price_taxes)
        for name, amount in self.fee_taxes.items():
            out[name] = out.get(name, ZERO) + amount
        return out

    @property
    def tax(self) -> Decimal:
        return sum(self.price_taxes.values(), ZERO) + sum(self.fee_taxes.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.price + self.fee + self.tax


@dataclass
class Receipt:
    tickets: list[Line]
    order_fee: Line | None

    @property
    def lines(self) -> list[Line]:
        return self.tickets + ([self.order_fee] if self.order_fee else [])

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    def taxes(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in self.lines:
            for name, amount in line.taxes.items():
                out[name] = out.get(name, ZERO) + amount
        return out

    @property
    def discounts(self) -> Decimal:
        return sum((line.discount for line in self.tickets), ZERO)

    @property
    def fees(self) -> Decimal:
        return sum((line.fee for line in self.lines), ZERO)


def _discounts(items: list[Item], discount: Discount | None) -> list[Decimal]:
    """Each ticket's share of the discount, never more than its price."""
    eligible = [not item.comp and item.discountable for item in items]
    if discount is None or not any(eligible):
        return [ZERO] * len(items)
    if not discount.per_order:
        return [min(item.price, cents(item.price * discount.percent / 100) if discount.percent is not None
                    else discount.amount) if ok else ZERO for item, ok in zip(items, eligible, strict=True)]
    base = sum((item.price for item, ok in zip(items, eligible, strict=True) if ok), ZERO)
    off = min(base, cents(base * discount.percent / 100) if discount.percent is not None else discount.amount)
    if base == 0:
        return [ZERO] * len(items)
    # Largest remainder: shares in whole cents that add up to the discount exactly.
    exact = [off * item.price / base if ok else ZERO for item, ok in zip(items, eligible, strict=True)]
    shares = [x.quantize(CENT, rounding=ROUND_DOWN) for x in exact]
    left = int((off - sum(shares, ZERO)) / CENT)
    for i in sorted(range(len(items)), key=lambda i: (exact[i] - shares[i], -i), reverse=True)[:left]:
        shares[i] += CENT
    return shares


def _split(amount: Decimal, taxes: list[Tax], *, included: bool) -> tuple[Decimal, dict]:
    """(tax base, {tax: amount}) of an amount entered tax-included or tax-excluded."""
    if not taxes or amount == 0:
        return amount, {}
    if not included:
        return amount, {t.name: cents(amount * t.rate) for t in taxes}
    base = amount / (1 + sum(t.rate for t in taxes))
    amounts = {t.name: cents(base * t.rate) for t in taxes}
    return amount - sum(amounts.values(), ZERO), amounts


def price_order(items: list[Item], *, fee: Fee | None = None, taxes: list[Tax] = (),
                discount: Discount | None = None, tax_included: bool = False) -> Receipt:
    """The receipt for `items` with the channel's `fee`, the organizer's `taxes` and an
    optional `discount` (a promo code's)."""
    fee = fee or Fee()
    tickets = []
    for item, off in zip(items, _discounts(items, discount), strict=True):
        price = ZERO if item.comp else item.price
        base, price_taxes = _split(price - off, taxes, included=tax_included)
        line_fee = ZERO if item.comp else fee.per_ticket
        fee_base, fee_taxes = _split(line_fee, [t for t in taxes if t.on_fees], included=tax_included)
        tickets.append(Line(list_price=item.price, discount=ZERO if item.comp else off, price=base, fee=fee_base,
                            price_taxes=price_taxes, fee_taxes=fee_taxes))
    order_fee = None
    if fee.per_order and any(not item.comp for item in items):
        base, fee_taxes = _split(fee.per_order, [t for t in taxes if t.on_fees], included=tax_included)
        order_fee = Line(list_price=ZERO, discount=ZERO, price=ZERO, fee=base, fee_taxes=fee_taxes)
    return Receipt(tickets=tickets, order_fee=order_fee)


def refund_of(line: Line, fee: Fee) -> Decimal:
    """What refunding one ticket gives back: its price and taxes, and its fee (with the
    fee's taxes) only if the fee is refundable. The discount it had stays taken off."""
    if fee.refundable:
        return line.total
    return line.price + sum(line.price_taxes.values(), ZERO)
