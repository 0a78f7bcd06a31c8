"""Prices as venues sell them: price types per zone, comps, promo and presale codes,
booking fees and sales taxes, each receipt checked against a computation by hand."""

import threading
import time
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events.models import Channel, OnSaleWindow
from sales.errors import InvalidRequest, NotOnSale, NotPermitted
from sales.holds import hold_create
from sales.models import Customer, Order, Payment, Presale, PresaleCode, PromoCode, Ticket
from sales.orders import CustomerDetails, PriceRequest, order_pay_reservation, order_place, order_refund, order_reserve
from sales.payments import APPROVE, DECLINE, PaymentRequest
from sales.policy import COUNTER_CLERK, PHONE_OPERATOR
from tests.support import (
    booking_fee,
    card_token,
    make_performance,
    make_user,
    places_of,
    price_types,
    quebec_taxes,
    race,
)

pytestmark = pytest.mark.django_db

FAMILY = CustomerDetails(name="Famille Tremblay", email="tremblay@example.org")
CARD = PaymentRequest(method="test_card", card_number=APPROVE)
CENT = Decimal("0.01")


def by_hand(list_price: str, *, percent_off: str = "0", fee: str = "0") -> Decimal:
    """One ticket's price and fee before taxes: its price less its discount, and its fee."""
    def c(x):
        return x.quantize(CENT, rounding=ROUND_HALF_UP)
    price = Decimal(list_price)
    return price - c(price * Decimal(percent_off) / 100) + Decimal(fee)


def family_setup(perf):
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"}})
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    return types


def test_a_family_of_four_online_with_a_promo_code_pays_what_the_receipt_says():
    perf = make_performance(rows=2, per_row=10)
    types = family_setup(perf)
    promo = PromoCode.objects.create(code="FAMILLE10", percent_off=Decimal("10"))
    seats = [p.pk for p in places_of(perf)[:4]]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats)
    chosen = {seats[0]: types["Adult"].pk, seats[1]: types["Adult"].pk,
              seats[2]: types["Child"].pk, seats[3]: types["Child"].pk}
    order = order_place(hold=hold, customer=FAMILY, payment=CARD,
                        prices=PriceRequest(types=chosen, promo_code="famille10"))
    expected = {seats[0]: by_hand("60.00", percent_off="10", fee="3.50"),
                seats[1]: by_hand("60.00", percent_off="10", fee="3.50"),
                seats[2]: by_hand("35.00", percent_off="10", fee="3.50"),
                seats[3]: by_hand("35.00", percent_off="10", fee="3.50")}
    assert expected[seats[0]] == Decimal("57.50") and expected[seats[2]] == Decimal("35.00")
    tickets = {t.place_id: t for t in Ticket.objects.filter(order=order)}
    assert {pk: t.price - t.tax for pk, t in tickets.items()} == expected
    assert [tickets[pk].price_type_name for pk in seats] == ["Adult", "Adult", "Child", "Child"]
    assert tickets[seats[2]].discount == Decimal("3.50") and tickets[seats[2]].list_price == Decimal("35.00")
    # Each tax once on the order's 171.00 of prices and 14.00 of fees: GST 9.25 and QST
    # 18.45375; each ticket keeps its share, on its price and on its fee.
    order.refresh_from_db()
    assert order.total == sum(expected.values()) + Decimal("9.25") + Decimal("18.45") == Decimal("212.70")
    assert Payment.objects.get(order=order).amount == order.total
    taxes = {name: Decimal(amount) for name, _p, _r, amount in order.receipt["taxes"]}
    assert taxes == {"GST": Decimal("9.25"), "QST": Decimal("18.45")}
    for name in taxes:
        assert sum(Decimal(t.taxes[part][name]) for t in tickets.values() for part in ("price", "fee")) == taxes[name]
    assert sum(t.tax for t in tickets.values()) == Decimal("27.70")
    # 3.50 of fee: GST 0.175 and QST 0.349125, each share the cent below or above.
    assert tickets[seats[2]].fee - Decimal("3.50") in {Decimal(g) + Decimal(q) for g in ("0.17", "0.18")
                                                        for q in ("0.34", "0.35")}
    assert Decimal(order.receipt["discount"]) == Decimal("19.00")
    assert order.receipt["promo_code"] == "FAMILLE10" and order.promo_code == promo
    promo.refresh_from_db()
    assert promo.uses == 1


def test_prices_entered_taxes_included_contain_their_taxes_to_the_cent():
    perf = make_performance(rows=1, per_row=3)
    types = price_types(perf, {"Adult": {"Stalls": "10.00"}})
    quebec_taxes(included=True)
    seat = places_of(perf)[0].pk
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat])
    order = order_place(hold=hold, customer=FAMILY, payment=CARD, prices=PriceRequest(types={seat: types["Adult"].pk}))
    ticket = Ticket.objects.get(order=order)
    # 10.00 / 1.14975 = 8.6975...: GST 0.434... -> 0.43, QST 0.8675... -> 0.87; the base takes the rest.
    assert ticket.price == order.total == Decimal("10.00") and ticket.tax == Decimal("1.30")
    assert [(n, a) for n, _p, _r, a in order.receipt["taxes"]] == [("GST", "0.43"), ("QST", "0.87")]


def test_what_one_ticket_costs_in_all_is_what_an_order_of_that_ticket_alone_is_charged():
    """The prices a zone lists (each price type with its taxes) are each one ticket bought
    alone: an order's taxes are shared out over its tickets, never over the price types
    a list shows together. 47.70: GST 2.385 and QST 4.758075 -> 54.85; shared with 80.10's,
    its GST would be 2.38."""
    from sales.orders import ticket_prices

    perf = make_performance(rows=1, per_row=3)
    types = price_types(perf, {"Adult": {"Stalls": "80.10"}, "Child": {"Stalls": "47.70"}})
    quebec_taxes()
    [(_zone, listed)] = ticket_prices(performance_id=perf.pk, channel=Channel.ONLINE).items()
    for (name, amount), seat in zip(listed, places_of(perf)[:2], strict=True):
        hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])
        order = order_place(hold=hold, customer=FAMILY, payment=CARD,
                            prices=PriceRequest(types={seat.pk: types[name].pk}))
        assert amount == order.total, name
    assert dict(listed) == {"Adult": Decimal("92.10"), "Child": Decimal("54.85")}


def test_a_comp_at_the_counter_needs_its_reason_and_costs_nothing():
    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}}, comp="Press")
    clerk = make_user("clerk-comp", COUNTER_CLERK)
    seats = [p.pk for p in places_of(perf)[:2]]
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=seats)
    comp = PriceRequest(types={seats[0]: types["Press"].pk, seats[1]: types["Press"].pk})
    with pytest.raises(InvalidRequest, match="reason"):
        order_place(hold=hold, customer=FAMILY, actor=clerk, payment=PaymentRequest(method="cash"), prices=comp)
    order = order_place(hold=hold, customer=FAMILY, actor=clerk, payment=PaymentRequest(method="cash"),
                        prices=PriceRequest(types=comp.types, comp_reason="Le Devoir, critique"))
    assert order.status == "paid" and order.total == 0 and not Payment.objects.filter(order=order).exists()
    assert Order.objects.get(pk=order.pk).comp_reason == "Le Devoir, critique"
    assert set(Ticket.objects.filter(order=order).values_list("complimentary", "price")) == {(True, Decimal("0"))}


def test_shoppers_are_never_given_comps():
    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}}, comp="Press")
    seat = places_of(perf)[0].pk
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat])
    with pytest.raises(NotPermitted, match="staff only"):
        order_place(hold=hold, customer=FAMILY, payment=CARD,
                    prices=PriceRequest(types={seat: types["Press"].pk}, comp_reason="a friend"))
    assert not Order.objects.exists()


def test_bad_choices_are_refused_saying_what_is_wrong():
    perf = make_performance(rows=1, per_row=6, standing=10)
    types = price_types(perf, {"Adult": {"Stalls": "60.00", "Lawn": "20.00"}, "Child": {"Stalls": "35.00"}},
                        Child=1)
    seats = [p.pk for p in places_of(perf, seat__isnull=False)[:2]]
    lawn = hold_create(performance=perf, channel=Channel.ONLINE, section=perf.venue.sections.get(name="Lawn"),
                       quantity=1)
    lawn_place = lawn.taken[0].id
    with pytest.raises(InvalidRequest, match="Child is not sold in Lawn"):
        order_place(hold=lawn, customer=FAMILY, payment=CARD,
                    prices=PriceRequest(types={lawn_place: types["Child"].pk}))
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats)
    with pytest.raises(InvalidRequest, match="at most 1 Child tickets per order"):
        order_place(hold=hold, customer=FAMILY, payment=CARD,
                    prices=PriceRequest(types=dict.fromkeys(seats, types["Child"].pk)))
    with pytest.raises(InvalidRequest, match="does not exist"):
        order_place(hold=hold, customer=FAMILY, payment=CARD, prices=PriceRequest(promo_code="NOPE"))
    PromoCode.objects.create(code="OLD", amount_off=Decimal("5"), valid_until=timezone.now() - timedelta(days=1))
    with pytest.raises(InvalidRequest, match="expired"):
        order_place(hold=hold, customer=FAMILY, payment=CARD, prices=PriceRequest(promo_code="old"))
    assert not Order.objects.exists() and not Payment.objects.exists()
    # The default, with nothing chosen: the first type sold in each place's zone.
    order = order_place(hold=hold, customer=FAMILY, payment=CARD)
    assert order.total == Decimal("120.00")


def test_a_presale_code_opens_its_zone_early_until_its_uses_are_gone():
    perf = make_performance(rows=2, per_row=5, standing=10)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now - timedelta(hours=1),
                                     closes_at=now + timedelta(days=1))
    presale.zones.set([perf.price_zones.get(name="Stalls")])
    PresaleCode.objects.create(presale=presale, code="FANS-2027", max_uses=2)
    stalls = perf.price_zones.get(name="Stalls")
    with pytest.raises(NotOnSale):
        hold_create(performance=perf, channel=Channel.ONLINE, zone=stalls, quantity=2)
    with pytest.raises(NotOnSale, match="opens Stalls only"):
        hold_create(performance=perf, channel=Channel.ONLINE, section=perf.venue.sections.get(name="Lawn"),
                    quantity=2, access_code="fans-2027")
    for _ in range(2):
        hold = hold_create(performance=perf, channel=Channel.ONLINE, zone=stalls, quantity=2,
                           access_code="fans-2027")
        assert order_place(hold=hold, customer=FAMILY, payment=CARD).status == "paid"
    with pytest.raises(InvalidRequest, match="used up"):
        hold_create(performance=perf, channel=Channel.ONLINE, zone=stalls, quantity=2, access_code="FANS-2027")
    assert PresaleCode.objects.get().uses == 2


@pytest.mark.django_db(transaction=True)
def test_a_single_use_presale_code_spent_by_another_order_takes_nothing_from_the_promo_code():
    """Two holds made with one single-use presale code: the second order is refused, and the
    promo code it carried keeps its use (committed for real: no test transaction to undo it)."""
    perf = make_performance(rows=2, per_row=5)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(days=1))
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now - timedelta(hours=1),
                                     closes_at=now + timedelta(days=1))
    PresaleCode.objects.create(presale=presale, code="ONLY-ONCE", max_uses=1)
    promo = PromoCode.objects.create(code="TEN", percent_off=Decimal("10"))
    stalls = perf.price_zones.get()
    first, second = (hold_create(performance=perf, channel=Channel.ONLINE, zone=stalls, quantity=1,
                                 access_code="only-once") for _ in range(2))
    order_place(hold=first, customer=FAMILY, payment=CARD)
    with pytest.raises(InvalidRequest, match="presale code has been used up"):
        order_place(hold=second, customer=CustomerDetails(name="Late Fan", email="late@example.org"), payment=CARD,
                    prices=PriceRequest(promo_code="ten"))
    promo.refresh_from_db()
    assert promo.uses == 0 and PresaleCode.objects.get().uses == 1
    assert not Customer.objects.filter(email="late@example.org").exists()


def test_a_declined_payment_gives_the_promo_code_its_use_back():
    perf = make_performance(rows=1, per_row=4)
    promo = PromoCode.objects.create(code="ONCE", amount_off=Decimal("5"), max_uses=1)
    seat = places_of(perf)[0].pk
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat])
    with pytest.raises(Exception, match="declined"):
        order_place(hold=hold, customer=FAMILY, payment=PaymentRequest(method="test_card", card_number=DECLINE),
                    prices=PriceRequest(promo_code="once"))
    promo.refresh_from_db()
    assert promo.uses == 0
    order = order_place(hold=hold, customer=FAMILY, payment=CARD, prices=PriceRequest(promo_code="once"))
    assert order.total == Decimal("45.00")


def test_a_fee_that_is_not_refundable_is_kept_by_a_refund():
    perf = make_performance(rows=1, per_row=4)
    booking_fee(Channel.ONLINE, per_ticket="3.50", per_order="2.00")
    seats = [p.pk for p in places_of(perf)[:2]]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats)
    order = order_place(hold=hold, customer=FAMILY, payment=CARD)
    assert order.total == Decimal("109.00")  # 2 × 50.00 + 2 × 3.50 + 2.00
    order_refund(order=order)
    refunds = Payment.objects.filter(order=order, status=Payment.Status.REFUNDED)
    assert sum(p.amount for p in refunds) == Decimal("-100.00")


def test_a_reservation_is_paid_at_the_prices_it_was_made_with():
    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}, "Senior": {"Stalls": "45.00"}})
    operator = make_user("operator-prices", PHONE_OPERATOR)
    seat = places_of(perf)[0].pk
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, place_ids=[seat])
    order = order_reserve(hold=hold, customer=FAMILY, actor=operator, deadline=timezone.now() + timedelta(days=2),
                          prices=PriceRequest(types={seat: types["Senior"].pk}))
    assert order.total == Decimal("45.00")
    paid = order_pay_reservation(order=order, actor=operator,
                                 payment=PaymentRequest(method="card_not_present", token=card_token()))
    assert paid.status == "paid" and Ticket.objects.get(order=order).price_type_name == "Senior"
    assert Payment.objects.get(order=order).amount == Decimal("45.00")


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_promo_code_with_five_uses_makes_exactly_five_orders_in_a_race():
    perf = make_performance(rows=2, per_row=10)
    promo = PromoCode.objects.create(code="FIVE", percent_off=Decimal("20"), max_uses=5)
    holds = [hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk]) for p in places_of(perf)]
    results = race(20, lambda i: order_place(hold=holds[i], customer=CustomerDetails(
        name=f"Buyer {i}", email=f"buyer{i}@example.org"), payment=CARD, prices=PriceRequest(promo_code="five")))
    won = [r for r in results if isinstance(r, Order)]
    assert len(won) == 5 and all(r.total == Decimal("40.00") for r in won)
    assert all(isinstance(r, InvalidRequest) and "used up" in r.message for r in results if r not in won)
    assert Order.objects.filter(promo_code=promo, status="paid").count() == 5
    # A code used up writes nothing, not even its buyer's customer record.
    assert Customer.objects.filter(email__startswith="buyer").count() == 5
    promo.refresh_from_db()
    assert promo.uses == 5


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                       " WHERE NOT l.granted AND a.datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_code_once_per_customer_makes_one_order_for_one_email_in_a_race():
    """Ten baskets of one buyer pay at once with a code they may use once: one order gets
    it (the others are refused before any charge), whatever the interleaving."""
    perf = make_performance(rows=2, per_row=10)
    PromoCode.objects.create(code="ONEEACH", percent_off=Decimal("50"), max_uses_per_customer=1)
    holds = [hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk]) for p in places_of(perf)[:10]]
    locked, release = threading.Event(), threading.Event()

    def keep_the_code_locked():
        """Another order's transaction holds the code's row while the ten arrive: they all
        queue on it, each statement begun before the first of them commits."""
        try:
            with transaction.atomic():
                PromoCode.objects.select_for_update().get()
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    blocker = threading.Thread(target=keep_the_code_locked)
    blocker.start()
    locked.wait(timeout=30)

    def buy(i):
        if i == 0:  # the first of the ten lets the lock go once the others wait on it
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and _waiting_on_locks() < 9:
                time.sleep(0.05)
            release.set()
        return order_place(hold=holds[i], customer=CustomerDetails(
            name="Same Buyer", email="Same@Example.org" if i % 2 else "same@example.org"), payment=CARD,
            prices=PriceRequest(promo_code="oneeach"))

    results = race(10, buy)
    blocker.join()
    won = [r for r in results if isinstance(r, Order)]
    assert len(won) == 1 and won[0].total == Decimal("25.00"), results
    assert all(isinstance(r, InvalidRequest) and "used up" in r.message for r in results if r not in won)
    assert PromoCode.objects.get().uses == 1


@pytest.mark.django_db
def test_a_code_once_per_customer_counts_a_sub_address_as_its_mailbox():
    perf = make_performance(rows=1, per_row=6)
    PromoCode.objects.create(code="ONEEACH", percent_off=Decimal("50"), max_uses_per_customer=1)

    def buy(email, place):
        return order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[place.pk]),
                           customer=CustomerDetails(name="Same Buyer", email=email), payment=CARD,
                           prices=PriceRequest(promo_code="oneeach"))

    free = list(places_of(perf))
    assert buy("pc@example.com", free[0]).total == Decimal("25.00")
    for again, place in zip(["PC@example.com", "pc+1@example.com", "Pc+Deals@Example.com"], free[1:], strict=False):
        with pytest.raises(InvalidRequest, match="has been used up"):
            buy(again, place)
    assert buy("other@example.com", free[4]).total == Decimal("25.00")
    assert PromoCode.objects.get().uses == 2


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_control_without_the_guard_the_same_race_spends_more_uses_than_the_code_has(monkeypatch):
    from sales.orders import placing

    monkeypatch.setattr(placing, "PROMO_USES_LEFT", "TRUE")
    perf = make_performance(rows=2, per_row=10)
    promo = PromoCode.objects.create(code="FIVE", percent_off=Decimal("20"), max_uses=5)
    holds = [hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk]) for p in places_of(perf)]
    results = race(20, lambda i: order_place(hold=holds[i], customer=CustomerDetails(
        name=f"Buyer {i}", email=f"buyer{i}@example.org"), payment=CARD, prices=PriceRequest(promo_code="five")))
    assert sum(isinstance(r, Order) for r in results) > 5
    promo.refresh_from_db()
    assert promo.uses > 5


def test_random_orders_are_charged_to_the_cent_what_an_independent_computation_gives():
    """Orders placed through the service with random prices, price types, codes (per
    ticket, a percentage or an amount), fees and taxes added or included: each ticket and
    the order as recorded, against exact fractions: each tax rounded half up once on the
    order, each ticket's share within a cent of its own."""
    import math
    import random
    from fractions import Fraction

    from events.models import Price
    from sales.models import FeeRule, Organizer

    def half_up(x: Fraction) -> Fraction:
        return Fraction(math.floor(x * 100 + Fraction(1, 2)), 100)

    def F(x) -> Fraction:
        return Fraction(str(x))

    rates = [F("0.05"), F("0.09975")]
    rng = random.Random(2027)
    perf = make_performance(rows=4, per_row=10)
    types = price_types(perf, {"Adult": {"Stalls": "1.00"}, "Child": {"Stalls": "1.00"}, "Senior": {"Stalls": "1.00"}})
    quebec_taxes()
    fee_rule = booking_fee(Channel.ONLINE)
    free = [p.pk for p in places_of(perf)]
    for n in range(10):
        # Random cents, and amounts whose taxes fall on half a cent (12.50: GST 0.625; 2.10: GST 0.105).
        amounts = {name: Decimal(rng.choice([rng.randint(100, 15000), 1250, 210])) / 100 for name in types}
        for name, amount in amounts.items():
            Price.objects.filter(price_type=types[name]).update(amount=amount)
        included = rng.random() < 0.5
        Organizer.objects.update(prices_include_tax=included)
        per_ticket, per_order = (Decimal(rng.choice(["0", "1.25", "3.49", "2.10", "0.10"])) for _ in range(2))
        FeeRule.objects.filter(pk=fee_rule.pk).update(per_ticket=per_ticket, per_order=per_order)
        percent = rng.random() < 0.5
        off = Decimal(rng.choice(["5", "10", "12.5", "15", "33"])) if percent else Decimal(rng.choice(["1.99", "5"]))
        PromoCode.objects.create(code=f"RANDOM{n}", **{"percent_off" if percent else "amount_off": off})
        seats, free = free[:rng.randint(1, 4)], free[4:]
        chosen = {seat: rng.choice(list(types)) for seat in seats}
        hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats)
        order = order_place(hold=hold, customer=FAMILY, payment=CARD, prices=PriceRequest(
            types={seat: types[name].pk for seat, name in chosen.items()}, promo_code=f"random{n}"))

        # Each tax once on the order: its rate times the order's exact base of it (the
        # prices after discount, the fees; entered taxes included, what they hold before
        # them), rounded; each part's share of it within a cent of its own exact tax.
        def base_of(amount: Fraction, included: bool = included) -> Fraction:
            return amount / (1 + sum(rates)) if included else amount

        gross, exact_total = Fraction(0), [Fraction(0)] * len(rates)
        tickets = {t.place_id: t for t in Ticket.objects.filter(order=order)}
        shared = [Fraction(0)] * len(rates)
        for seat, name in chosen.items():
            price = F(amounts[name])
            discount = half_up(price * F(off) / 100) if percent else min(price, F(off))
            ticket = tickets[seat]
            assert (F(ticket.list_price), F(ticket.discount)) == (price, discount), (n, seat)
            for part, amount in (("price", price - discount), ("fee", F(per_ticket))):
                for i, (tax, rate) in enumerate(zip(("GST", "QST"), rates, strict=True)):
                    share = F(ticket.taxes[part].get(tax, "0"))
                    assert abs(share - base_of(amount) * rate) < Fraction(1, 100), (n, seat, part, tax)
                    shared[i] += share
                    exact_total[i] += base_of(amount) * rate
            parts_taxes = sum(F(a) for part in ticket.taxes.values() for a in part.values())
            assert F(ticket.tax) == parts_taxes, (n, seat)
            fee_taxes = sum(F(a) for a in ticket.taxes["fee"].values())
            assert F(ticket.fee) == F(per_ticket) + (0 if included else fee_taxes), (n, seat)
            assert F(ticket.price) == price - discount + F(per_ticket) + (0 if included else parts_taxes), (n, seat)
            gross += price - discount + F(per_ticket)
        order.refresh_from_db()
        if per_order:
            gross += F(per_order)
            for i, (tax, rate) in enumerate(zip(("GST", "QST"), rates, strict=True)):
                shared[i] += F(order.receipt["order_fee_taxes"][tax])
                exact_total[i] += base_of(F(per_order)) * rate
        tax_total = [half_up(x) for x in exact_total]
        assert shared == tax_total, n
        total = gross if included else gross + sum(tax_total)
        assert F(order.total) == total and F(order.receipt["total"]) == total, n
        assert [F(amount) for _name, _rate, _no, amount in order.receipt["taxes"]] == tax_total, n
        assert Payment.objects.get(order=order).amount == order.total


def test_an_amount_off_comes_off_prices_in_its_own_currency_only():
    """A Paris performance priced in euros: "10 off" made in the box office's dollars is
    refused there, saying why, and takes nothing off; a percentage has no currency, and a
    code made in euros takes its euros off."""
    perf = make_performance(rows=1, per_row=4)
    perf.price_zones.update(currency="EUR")
    types = price_types(perf, {"Adult": {"Stalls": "60.00"}})
    seats = [p.pk for p in places_of(perf)[:3]]
    adult = PriceRequest(types={seats[0]: types["Adult"].pk})
    PromoCode.objects.create(code="DIX", amount_off=Decimal("10"))
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats[:1])
    with pytest.raises(InvalidRequest, match="takes an amount in CAD off; these tickets are priced in EUR") as refused:
        order_place(hold=hold, customer=FAMILY, payment=CARD,
                    prices=PriceRequest(types=adult.types, promo_code="dix"))
    assert refused.value.detail["field"] == "promo_code" and not Order.objects.exists()
    PromoCode.objects.create(code="DIXPC", percent_off=Decimal("10"))
    order = order_place(hold=hold, customer=FAMILY, payment=CARD,
                        prices=PriceRequest(types=adult.types, promo_code="dixpc"))
    assert (order.total, order.currency) == (Decimal("54.00"), "EUR")
    PromoCode.objects.create(code="DIXEUR", amount_off=Decimal("10"), currency="EUR")
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=seats[1:2])
    order = order_place(hold=hold, customer=FAMILY, payment=CARD,
                        prices=PriceRequest(types={seats[1]: types["Adult"].pk}, promo_code="dixeur"))
    assert (order.total, order.currency) == (Decimal("50.00"), "EUR")
