"""Receipts: each line's price, discount, fee and taxes, checked against a computation of
its own (exact fractions, rounded half up to the cent, each tax once on the order's
taxable base, as a receipt prints it)."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from sales.receipts import Discount, Fee, Item, Tax, cents, price_order, refund_of

GST, QST = Tax("GST", Decimal("0.05"), registration="123456789 RT0001"), Tax("QST", Decimal("0.09975"))
D = Decimal


def rounded(x: Fraction) -> Fraction:
    """Half up to the cent, for the non-negative amounts of a receipt."""
    return Fraction(math.floor(x * 100 + Fraction(1, 2)), 100)


def F(x) -> Fraction:
    return Fraction(str(x))


def test_a_family_of_four_online_with_a_promo_code_gst_and_qst():
    items = [Item(D("60.00")), Item(D("60.00")), Item(D("35.00")), Item(D("35.00"))]
    receipt = price_order(items, fee=Fee(per_ticket=D("3.50")), taxes=[GST, QST],
                          discount=Discount(percent=D("10")))
    expected_total = Fraction(0)
    for item, line in zip(items, receipt.tickets, strict=True):
        off = rounded(F(item.price) * Fraction(10, 100))
        base, fee = F(item.price) - off, F("3.50")
        assert (F(line.discount), F(line.price), F(line.fee)) == (off, base, fee)
        # Its shares of each tax, on its price and on its fee: each within a cent of its exact tax.
        for name, rate in (("GST", F("0.05")), ("QST", F("0.09975"))):
            assert abs(F(line.price_taxes[name]) - base * rate) < Fraction(1, 100)
            assert abs(F(line.fee_taxes[name]) - fee * rate) < Fraction(1, 100)
        assert F(line.total) == base + fee + F(line.taxes["GST"]) + F(line.taxes["QST"])
        expected_total += base + fee
    # 171.00 of prices and 14.00 of fees: each tax rounded once on the whole 185.00,
    # GST 9.25 and QST 18.45375, as the receipt prints them under its subtotal and fees.
    assert receipt.taxes() == {"GST": D("9.25"), "QST": D("18.45")}
    assert F(receipt.total) == expected_total + F("9.25") + F("18.45")
    assert receipt.discounts == D("19.00") and receipt.fees == D("14.00") and receipt.order_fee is None
    assert receipt.total == D("212.70")


def test_each_tax_is_rounded_once_on_the_order_and_its_tickets_share_it_to_the_cent():
    """An adult (89.00) and a child (53.00) with 10 % off: 80.10 and 47.70. Rounded per
    ticket, GST would be 4.01 (4.005) + 2.39 (2.385) = 6.40 under a subtotal of 127.80,
    5 % of which is 6.39: the receipt prints the tax of its own subtotal."""
    receipt = price_order([Item(D("89.00")), Item(D("53.00"))], taxes=[GST, QST],
                          discount=Discount(percent=D("10")))
    base = sum((line.price for line in receipt.tickets), D("0"))
    assert base == D("127.80")
    for tax in (GST, QST):
        assert receipt.taxes()[tax.name] == cents(tax.rate * base), tax.name
        assert sum(line.taxes[tax.name] for line in receipt.tickets) == receipt.taxes()[tax.name]
        # Each ticket's share is its own exact tax, give or take the cent the order rounds.
        for line in receipt.tickets:
            assert abs(F(line.taxes[tax.name]) - F(line.price) * F(tax.rate)) < Fraction(1, 100)
    assert receipt.taxes() == {"GST": D("6.39"), "QST": D("12.75")}
    assert receipt.total == D("127.80") + D("6.39") + D("12.75") == sum(line.total for line in receipt.tickets)


def test_random_orders_print_each_tax_of_their_own_taxable_base():
    """Prices, a discount, fees per ticket and per order, a tax that is not on fees; taxes
    added: each tax is its rate times its base, rounded half up; its shares, one per
    part taxed, are each within a cent of their exact tax and add up to it. Taxes
    included: the order costs what its prices say, each tax being its rate times the
    order's exact base, rounded."""
    rng = random.Random(11)
    pst = Tax("PST", D("0.07"), on_fees=False)
    for n in range(400):
        taxes = rng.choice([[GST, QST], [GST, pst], [pst]])
        included = rng.random() < 0.3
        items = [Item(D(rng.choice([rng.randint(0, 20000), 1250, 210, 8900, 5300])) / 100,
                      comp=rng.random() < 0.1) for _ in range(rng.randint(1, 7))]
        fee = Fee(per_ticket=D(rng.choice([0, 175, 350, 210])) / 100, per_order=D(rng.choice([0, 200, 115])) / 100)
        discount = rng.choice([None, Discount(percent=D(rng.randint(0, 30))),
                               Discount(amount=D("7.00"), per_order=True)])
        receipt = price_order(items, fee=fee, taxes=taxes, discount=discount, tax_included=included)
        lines = receipt.lines
        for tax in taxes:
            parts = [(line.price, line.price_taxes) for line in lines] + \
                    ([(line.fee, line.fee_taxes) for line in lines] if tax.on_fees else [])
            printed = receipt.taxes().get(tax.name, D("0.00"))
            assert sum((taxed.get(tax.name, D("0")) for _b, taxed in parts), D("0")) == printed, n
            if not included:
                assert printed == cents(tax.rate * sum((base for base, _t in parts), D("0"))), (n, tax.name)
                assert all(abs(F(taxed.get(tax.name, 0)) - F(base) * F(tax.rate)) < Fraction(1, 100)
                           for base, taxed in parts), n
        if included:
            gross = [F(0 if item.comp else item.price - line.discount) for item, line in zip(
                items, receipt.tickets, strict=True)]
            fees = [F(0 if item.comp else fee.per_ticket) for item in items] + \
                   ([F(fee.per_order)] if receipt.order_fee else [])
            assert F(receipt.total) == sum(gross) + sum(fees), n
            for tax in taxes:
                rates = sum(F(t.rate) for t in taxes)
                on_fees = 1 + sum(F(t.rate) for t in taxes if t.on_fees)
                exact = sum(g / (1 + rates) for g in gross) * F(tax.rate)
                if tax.on_fees:
                    exact += sum(f / on_fees for f in fees) * F(tax.rate)
                assert F(receipt.taxes().get(tax.name, D("0.00"))) == rounded(exact), (n, tax.name)


def test_prices_entered_tax_included_add_up_to_the_price_exactly():
    receipt = price_order([Item(D("50.00"))], taxes=[GST, QST], tax_included=True)
    line = receipt.tickets[0]
    base = F("50.00") / (1 + F("0.05") + F("0.09975"))
    assert F(line.taxes["GST"]) == rounded(base * F("0.05")) and F(line.taxes["QST"]) == rounded(base * F("0.09975"))
    assert line.total == D("50.00") and line.price == D("50.00") - line.tax
    assert (line.price, line.taxes) == (D("43.49"), {"GST": D("2.17"), "QST": D("4.34")})


def test_identical_tickets_cost_the_same_when_the_total_shares_out_evenly():
    """Two adults at 69.00 with 10 % off: 62.10 each, GST 6.21 and QST 12.39 on 124.20, a
    total of 142.80, which is 71.40 twice. The cent each tax rounds goes to one ticket or
    the other, never both to the same one (71.41 and 71.39 for the same seat and price)."""
    receipt = price_order([Item(D("69.00")), Item(D("69.00"))], taxes=[GST, QST],
                          discount=Discount(percent=D("10")))
    assert receipt.taxes() == {"GST": D("6.21"), "QST": D("12.39")} and receipt.total == D("142.80")
    assert [line.total for line in receipt.tickets] == [D("71.40"), D("71.40")]
    # However many, identical tickets are within a cent of each other, with fees and
    # taxes on them, and still add up to the order's taxes exactly.
    rng = random.Random(7)
    for _ in range(300):
        price, n = D(rng.randint(100, 20000)) / 100, rng.randint(2, 9)
        fee = Fee(per_ticket=D(rng.choice((0, 150, 275))) / 100)
        receipt = price_order([Item(price)] * n, fee=fee, taxes=[GST, Tax("QST", D("0.09975"), on_fees=True)])
        totals = [line.total for line in receipt.tickets]
        assert max(totals) - min(totals) <= D("0.01"), (price, n, fee, totals)
        assert sum(totals) == receipt.total


def test_half_a_cent_rounds_up_as_a_receipt_prints_it():
    line = price_order([Item(D("0.10"))], taxes=[GST]).tickets[0]
    assert line.taxes == {"GST": D("0.01")}  # 0.005: half up, not to even


def test_an_order_discount_is_shared_out_to_the_cent_and_never_over_a_ticket():
    receipt = price_order([Item(D("33.33")), Item(D("33.33")), Item(D("33.34"))],
                          discount=Discount(amount=D("10.00"), per_order=True))
    shares = [line.discount for line in receipt.tickets]
    assert sum(shares) == D("10.00") and shares == [D("3.33"), D("3.33"), D("3.34")]
    rng = random.Random(7)
    for _ in range(300):
        prices = [D(rng.randint(0, 20000)) / 100 for _ in range(rng.randint(1, 8))]
        off = D(rng.randint(0, 30000)) / 100
        kind = rng.choice([Discount(amount=off, per_order=True),
                           Discount(percent=D(rng.randint(0, 100)), per_order=True)])
        lines = price_order([Item(p) for p in prices], discount=kind).tickets
        whole = min(sum(prices), off) if kind.amount is not None else min(
            sum(prices), D(rounded(F(sum(prices)) * F(kind.percent) / 100).numerator)
            / rounded(F(sum(prices)) * F(kind.percent) / 100).denominator)
        assert sum(line.discount for line in lines) == whole.quantize(D("0.01")), (prices, kind)
        assert all(D(0) <= line.discount <= line.list_price for line in lines)


def test_a_discount_is_never_more_than_the_ticket():
    line = price_order([Item(D("5.00"))], discount=Discount(amount=D("8.00"))).tickets[0]
    assert (line.discount, line.price, line.total) == (D("5.00"), D("0.00"), D("0.00"))


def test_a_comp_is_free_has_no_fee_and_takes_no_discount_but_is_on_the_receipt():
    receipt = price_order([Item(D("60.00"), comp=True), Item(D("60.00"))], fee=Fee(per_ticket=D("3.50")),
                          taxes=[GST], discount=Discount(amount=D("10.00"), per_order=True))
    comp, paid = receipt.tickets
    assert (comp.price, comp.fee, comp.discount, comp.total) == (D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    assert comp.list_price == D("60.00") and paid.discount == D("10.00")


def test_a_fee_per_order_is_its_own_taxed_line():
    receipt = price_order([Item(D("40.00")), Item(D("40.00"))], fee=Fee(per_order=D("2.00")), taxes=[GST, QST])
    assert receipt.order_fee.fee == D("2.00") and receipt.order_fee.taxes == {"GST": D("0.10"), "QST": D("0.20")}
    assert receipt.total == D("80.00") + D("4.00") + D("7.98") + D("2.30")
    assert receipt.taxes() == {"GST": D("4.10"), "QST": D("8.18")}
    assert price_order([Item(D("40.00"), comp=True)], fee=Fee(per_order=D("2.00"))).order_fee is None


def test_refunding_a_ticket_gives_back_its_fee_only_if_the_fee_is_refundable():
    kept, given = Fee(per_ticket=D("3.50")), Fee(per_ticket=D("3.50"), refundable=True)
    line = price_order([Item(D("60.00"))], fee=kept, taxes=[GST, QST], discount=Discount(percent=D("10"))).tickets[0]
    assert refund_of(line, kept) == D("54.00") + D("2.70") + D("5.39")
    assert refund_of(line, given) == line.total


@pytest.mark.parametrize("bad", [{"percent": D("10"), "amount": D("1")}, {}, {"percent": D("101")},
                                 {"amount": D("-1")}])
def test_a_discount_is_a_percentage_or_an_amount(bad):
    with pytest.raises(ValueError):
        Discount(**bad)
