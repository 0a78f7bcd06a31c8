"""What an order costs, line by line: the price of each ticket (its price type's, in its
zone), a discount, a booking fee, sales taxes, and the order's own fee. Pure arithmetic
on what the organizer set up, computed on the server when an order is priced; each
ticket keeps what was charged for it, so that receipts, refunds and reports never
recompute from today's settings.

Amounts are to the cent, rounded half up (as a receipt prints them). Each tax is
computed once for the order, on its taxable base (the tickets' prices after discount,
and for a tax on fees the tickets' fees and the order's fee), as the receipt prints it:
its rate times its base, rounded. It is then shared out over the order's taxed parts in
proportion to them (largest remainder), so that each ticket keeps its own amount of
each tax, on its price and on its fee, and these add up to the order's exactly:
refunding one ticket gives back its own share, refunding every ticket all that was paid.
Prices entered tax-included: the order's total is what its prices say; it is split into
the base and each tax once for the order (each tax rounded, the base takes the rest),
and the taxes are shared out the same way, each part's base being what its taxes leave
of it. An order-wide discount is shared out over its tickets in proportion to their
prices (largest remainder), so that refunding one ticket gives back its own share of
the discount, never the whole of it twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

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


def _shares(whole: Decimal, exact: list, owners: list | None = None, given: dict | None = None) -> list[Decimal]:
    """`whole` (in cents) shared out in whole cents in proportion to `exact` (the exact
    shares, which add up to about `whole`: within half a cent a share), by largest
    remainder: each share is its exact amount rounded down, and the cents left go to the
    largest remainders. On a tie, a cent goes to the part whose owner (`owners`, its
    ticket) was `given` the fewest such cents so far, by this share-out or an earlier one
    (`given` is updated), then to the earlier part: identical tickets do not all take
    their extra cents on the first one. They add up to `whole` exactly."""
    shares = [_floor_cents(x) for x in exact]
    owners = owners if owners is not None else list(range(len(exact)))
    given = given if given is not None else {}
    rest = [_left_over(x, share) for x, share in zip(exact, shares, strict=True)]
    order = sorted(range(len(exact)), key=lambda i: rest[i], reverse=True)  # stable: earlier first
    left, k = int((whole - sum(shares, ZERO)) / CENT), 0
    while left > 0 and k < len(order):
        end = k + 1
        while end < len(order) and rest[order[end]] == rest[order[k]]:
            end += 1
        tied, k = order[k:end], end
        for _cent in range(min(left, len(tied))):
            i = min(tied, key=lambda i: (given.get(owners[i], 0), i))
            tied.remove(i)
            shares[i] += CENT
            given[owners[i]] = given.get(owners[i], 0) + 1
            left -= 1
    return [share.quantize(CENT) for share in shares]


def _cents(amount: Fraction | Decimal) -> Decimal:
    """A non-negative exact amount to the cent, half up."""
    if isinstance(amount, Decimal):
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return Decimal(math.floor(amount * 100 + Fraction(1, 2))) / 100


# Amounts typed tax-excluded are taxed in Decimal, exactly (cents times a rate of a few
# decimals); what needs a division (a share of a discount, a tax within a price) is a
# Fraction, exact too.
def _floor_cents(amount) -> Decimal:
    if isinstance(amount, Decimal):
        return amount.quantize(CENT, rounding=ROUND_FLOOR)
    return Decimal(math.floor(Fraction(amount) * 100)) / 100


def _left_over(exact, share: Decimal):
    """What rounding `exact` down to `share` left, exactly."""
    return exact - share if isinstance(exact, Decimal) else Fraction(exact) - Fraction(share)


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
    return _shares(off, [Fraction(off) * Fraction(item.price) / Fraction(base) if ok else 0
                         for item, ok in zip(items, eligible, strict=True)])


def _taxed(parts: list[tuple[Decimal, list[Tax]]], *, included: bool,
           owners: list | None = None) -> list[tuple[Decimal, dict]]:
    """(tax base, {tax: amount}) of each part of an order, an amount entered tax-included
    or tax-excluded with the taxes that apply to it. Each tax is rounded once on the
    order's base of it, and shared out over the parts it applies to (`_shares`)."""
    # Each part's exact tax base: the amount, or what it holds before its taxes.
    bases = [Fraction(amount) / (1 + sum((Fraction(t.rate) for t in taxes), Fraction(0))) if included
             else amount for amount, taxes in parts]
    amounts: list[dict] = [{} for _part in parts]
    owners = owners if owners is not None else list(range(len(parts)))  # a ticket's price and fee: one owner
    given: dict = {}  # the cents each owner took above its exact taxes, tax after tax
    names = list(dict.fromkeys(t.name for _a, taxes in parts for t in taxes))
    for name in names:
        on = [(i, next(t for t in taxes if t.name == name)) for i, (amount, taxes) in enumerate(parts)
              if amount and any(t.name == name for t in taxes)]
        exact = [bases[i] * (Fraction(t.rate) if included else t.rate) for i, t in on]
        shares = _shares(_cents(sum(exact, Fraction(0) if included else ZERO)), exact,
                         [owners[i] for i, _t in on], given)
        for (i, _t), share in zip(on, shares, strict=True):
            amounts[i][name] = share
    out = []
    for (amount, _taxes), taxes in zip(parts, amounts, strict=True):
        base = amount - sum(taxes.values(), ZERO) if included else amount
        out.append((base, taxes))
    return out


def price_order(items: list[Item], *, fee: Fee | None = None, taxes: list[Tax] = (),
                discount: Discount | None = None, tax_included: bool = False) -> Receipt:
    """The receipt for `items` with the channel's `fee`, the organizer's `taxes` and an
    optional `discount` (a promo code's)."""
    fee = fee or Fee()
    on_fees = [t for t in taxes if t.on_fees]
    offs = _discounts(items, discount)
    parts: list[tuple[Decimal, list[Tax]]] = []  # each ticket's price and fee, then the order's fee
    for item, off in zip(items, offs, strict=True):
        parts += [(ZERO if item.comp else item.price - off, list(taxes)),
                  (ZERO if item.comp else fee.per_ticket, on_fees)]
    charged = fee.per_order and any(not item.comp for item in items)
    if charged:
        parts.append((fee.per_order, on_fees))
    owners = [n for n in range(len(items)) for _part in (0, 1)] + (["order"] if charged else [])
    taxed = _taxed(parts, included=tax_included, owners=owners)
    tickets = []
    for n, (item, off) in enumerate(zip(items, offs, strict=True)):
        (base, price_taxes), (fee_base, fee_taxes) = taxed[2 * n], taxed[2 * n + 1]
        tickets.append(Line(list_price=item.price, discount=ZERO if item.comp else off, price=base, fee=fee_base,
                            price_taxes=price_taxes, fee_taxes=fee_taxes))
    order_fee = None
    if charged:
        base, fee_taxes = taxed[-1]
        order_fee = Line(list_price=ZERO, discount=ZERO, price=ZERO, fee=base, fee_taxes=fee_taxes)
    return Receipt(tickets=tickets, order_fee=order_fee)


def refund_of(line: Line, fee: Fee) -> Decimal:
    """What refunding one ticket gives back: its price and taxes, and its fee (with the
    fee's taxes) only if the fee is refundable. The discount it had stays taken off."""
    if fee.refundable:
        return line.total
    return line.price + sum(line.price_taxes.values(), ZERO)
