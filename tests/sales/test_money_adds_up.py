"""What money does around the sale: an exchange, a refund after a cancelled date, the
taxes of kept fees, a currency without cents, and every report of the money adding up to
the same figure."""
from datetime import timedelta
from decimal import Decimal

import pytest

from events.models import Channel
from sales import inventory
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_exchange, order_place, order_refund
from sales.orders.cancellation import performance_cancel
from sales.payments import APPROVE, PaymentRequest
from sales.shifts import shift_open
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import booking_fee, make_performance, places_of

pytestmark = pytest.mark.django_db


def online_order(perf, n, email="marie@example.org"):
    hold = hold_create(performance=perf, channel=Channel.ONLINE, owner_key="buyer",
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    return order_place(hold=hold, customer=CustomerDetails(name="Marie", email=email), owner_key="buyer",
                       payment=PaymentRequest(method="test_card", card_number=APPROVE))


def test_an_exchange_for_a_seat_of_the_same_price_does_not_charge_the_order_fee_again(organizer):
    """A fee per order is charged once per order; swapping one seat for another of the same
    price in the same order should cost nothing."""
    perf = make_performance(rows=1, per_row=6, price="50.00")
    booking_fee(Channel.ONLINE, per_ticket="0", per_order="5.00", refundable=True)
    order = online_order(perf, 1)
    assert order.total == Decimal("55.00")
    ticket, = order.tickets.all()
    hold = hold_create(performance=perf, channel=Channel.ONLINE, user=organizer,
                       place_ids=[places_of(perf, state="available")[0].pk])
    done = order_exchange(order=order, ticket_ids=[ticket.pk], hold=hold, actor=organizer,
                          payments=[PaymentRequest(method="test_card", card_number=APPROVE)])
    charged = done.payments.filter(status="approved").order_by("pk")
    assert [p.amount for p in charged] == [Decimal("55.00")], "the exchange charged the order fee a second time"
    assert done.total == Decimal("55.00")


def other_date(perf, price="50.00"):
    later = PerformanceFactory(event=perf.event, venue=perf.venue, starts_at=perf.starts_at + timedelta(days=1),
                               channels=[Channel.ONLINE])
    PriceZoneFactory(performance=later, name="Stalls", price=Decimal(price), sections=perf.venue.sections.all())
    inventory.put_on_sale(performance=later)
    return later


def test_refund_after_exchanging_out_of_a_cancelled_performance_keeps_fees_already_credited(organizer):
    """A cancelled show's tickets are worth all they cost, fees included: the buyer moves to
    another date with the old fees credited. Refunding that new date later must keep only
    the new tickets' non-refundable fees, not the old ones the exchange already gave back."""
    perf = make_performance(rows=1, per_row=6, price="50.00")
    booking_fee(Channel.ONLINE, per_ticket="4.00", refundable=False)
    later = other_date(perf)
    order = online_order(perf, 2)
    assert order.total == Decimal("108.00")
    performance_cancel(performance=perf, actor=organizer)
    hold = hold_create(performance=later, channel=Channel.ONLINE, user=organizer,
                       place_ids=[p.pk for p in places_of(later, state="available")[:2]])
    done = order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=hold,
                          actor=organizer)
    # Old 2 x 54.00 credited in full, new 2 x 54.00: nothing changes hands.
    assert done.total == Decimal("108.00")
    assert not done.payments.exclude(pk=order.payments.get().pk).exists()
    refunded = order_refund(order=done, actor=organizer)
    back = -sum(p.amount for p in refunded.payments.filter(status="refunded"))
    # Paid 108.00; the new tickets' fees (8.00) are not refundable: 100.00 back.
    assert back == Decimal("100.00"), f"paid back {back}: the old, already credited fees were kept again"


def test_the_payments_export_adds_up_to_the_settlement_after_a_declined_card(organizer):
    """A declined card moved no money: the payments export must still add up to the
    settlement's net (as the payments list does)."""
    import csv
    import io

    from sales.errors import PaymentDeclined
    from sales.payments import DECLINE
    from sales.settlement import event_settlement
    from tests.support import signed_in

    perf = make_performance(rows=1, per_row=6, price="50.00")
    online_order(perf, 1)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, owner_key="other",
                       place_ids=[places_of(perf, state="available")[0].pk])
    with pytest.raises(PaymentDeclined):
        order_place(hold=hold, customer=CustomerDetails(name="Paul", email="paul@example.org"), owner_key="other",
                    payment=PaymentRequest(method="test_card", card_number=DECLINE))
    net = event_settlement(perf.event).total.net
    assert net == Decimal("50.00")
    response = signed_in(organizer).get("/admin/sales/performancedashboard/exports/",
                                        {"kind": "payments", "format": "csv", "performance": perf.pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    amount = rows[0].index("Amount")
    exported = sum(Decimal(r[amount]) for r in rows[1:])
    assert exported == net, f"export sums to {exported}, settlement says {net}: {rows[1:]}"


def test_a_zero_decimal_currency_is_charged_and_paid_back_in_its_own_units_at_the_provider(organizer):
    """Stripe takes amounts in the currency's smallest unit: cents for CAD, but yen for
    JPY (a zero-decimal currency). A 5,000 JPY ticket must be a PaymentIntent of 5000."""
    from tests.support import card_token, provider

    perf = make_performance(rows=1, per_row=4, price="5000.00")
    perf.price_zones.update(currency="JPY")
    hold = hold_create(performance=perf, channel=Channel.ONLINE, owner_key="buyer",
                       place_ids=[places_of(perf, state="available")[0].pk])
    order = order_place(hold=hold, customer=CustomerDetails(name="Taro", email="taro@example.org"),
                        owner_key="buyer", payment=PaymentRequest(method="card", token=card_token()))
    assert order.status == "paid" and order.currency == "JPY" and order.total == Decimal("5000.00")
    intent = provider().v1.payment_intents.retrieve(order.payment_intent)
    assert intent.amount == 5000, f"charged {intent.amount} {intent.currency}"
    order_refund(order=order, actor=organizer)
    refund, = provider().v1.refunds.list({"payment_intent": order.payment_intent}).data
    assert (refund.amount, refund.currency) == (5000, "jpy")


def test_taxes_on_fees_a_refund_keeps_are_still_to_remit(organizer):
    """A refund keeps the booking fee (not refundable) and the GST/QST charged on it: the
    organizer holds that tax and must remit it. The settlement's taxes to remit leave it out."""
    from sales.settlement import event_settlement
    from tests.support import quebec_taxes

    perf = make_performance(rows=1, per_row=4, price="40.00")
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="2.00", per_order="1.00", refundable=False)
    order = online_order(perf, 1)
    ticket, = order.tickets.all()
    fee_taxes = {name: Decimal(a) for name, a in ticket.taxes["fee"].items()}
    order_fee_taxes = {name: Decimal(a) for name, a in order.receipt["order_fee_taxes"].items()}
    assert sum(fee_taxes.values()) > 0 and sum(order_fee_taxes.values()) > 0
    order_refund(order=order, actor=organizer)
    s = event_settlement(perf.event)
    kept = s.total.kept
    assert kept == Decimal("2.00") + Decimal("1.00") + sum(fee_taxes.values()) + sum(order_fee_taxes.values())
    to_remit = {name: tickets + orders + kept_fees for name, _reg, tickets, orders, kept_fees in s.taxes}
    assert to_remit == {name: fee_taxes[name] + order_fee_taxes[name] for name in ("GST", "QST")}, (
        f"the settlement remits {to_remit} though {kept} of fees and their taxes were kept")


def test_cancelling_says_the_money_to_pay_back_without_charges_already_paid_straight_back(clerk, monkeypatch):
    """An exchange whose sale fails after its difference was taken pays it straight back:
    one row, refunded, with the positive amount (nothing moved). The cancellation's plan
    must not count that row as money to pay back."""
    from sales.errors import IllegalTransition
    from sales.orders.cancellation import cancellation_plan

    perf = make_performance(rows=2, per_row=4, price="50.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=1)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    # The exchange takes two places for the one ticket: 50.00 more, then its sale fails.
    bigger = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                         quantity=2)

    def failing_sell(**kwargs):
        raise IllegalTransition("the order was cancelled while the payment was taken")

    monkeypatch.setattr(inventory, "sell", failing_sell)
    with pytest.raises(IllegalTransition):
        order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=bigger,
                       actor=clerk, shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    monkeypatch.undo()
    order.refresh_from_db()
    assert order.status == "paid" and order.payments.filter(status="refunded", amount=Decimal("50.00")).exists()
    plan = cancellation_plan(perf)
    assert plan.amount == Decimal("50.00"), f"the cancellation says {plan.amount} is to be paid back"


def test_a_price_zone_takes_a_currency_by_its_code_in_capitals():
    """Amounts are added up by currency: "cad" beside "CAD" would be two currencies."""
    from django.core.exceptions import ValidationError

    zone = make_performance(rows=1, per_row=2).price_zones.get()
    for wrong in ("cad", "CA", "C$D", "CADX"):
        zone.currency = wrong
        with pytest.raises(ValidationError, match="three-letter code"):
            zone.full_clean()
    zone.currency = "JPY"  # no cents to price to
    with pytest.raises(ValidationError, match="JPY has no cents"):
        zone.full_clean()
    zone.currency = "EUR"
    zone.full_clean()


def test_the_api_takes_a_price_zone_currency_as_the_admin_does(organizer):
    from tests.factories import EventFactory, VenueFactory
    from tests.support import client_for

    venue, event = VenueFactory(), EventFactory()
    org = client_for(organizer)
    plan = "section,row,number\n" + "\n".join(f"Floor,A,{n}" for n in range(1, 3))
    org.post(f"/api/v1/venues/{venue.pk}/seating-plan/", {"format": "csv", "content": plan}, format="json")
    section = venue.sections.get()
    for currency, status in (("cad", 400), ("JPY", 400), ("CAD", 201)):
        made = org.post("/api/v1/performances/", {
            "event": event.pk, "venue": venue.pk, "starts_at": "2030-06-01T20:00:00Z", "ticket_limit": 4,
            "zones": [{"name": "All", "price": "25.00", "currency": currency, "sections": [section.pk]}],
            "windows": []}, format="json")
        assert made.status_code == status, (currency, made.content)


def test_a_fee_kept_by_a_chosen_exchange_stays_kept_when_the_old_date_is_cancelled_later(organizer):
    """Only what a cancelled date gave back is given back: a buyer who moved by choice
    before the cancellation left their old fee kept, and it stays kept."""
    perf = make_performance(rows=1, per_row=6, price="50.00")
    booking_fee(Channel.ONLINE, per_ticket="4.00", refundable=False)
    later = other_date(perf)
    order = online_order(perf, 1)
    hold = hold_create(performance=later, channel=Channel.ONLINE, user=organizer,
                       place_ids=[places_of(later, state="available")[0].pk])
    done = order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=hold,
                          actor=organizer, payments=[PaymentRequest(method="test_card", card_number=APPROVE)])
    assert sum(p.amount for p in done.payments.filter(status="approved")) == Decimal("58.00")
    performance_cancel(performance=perf, actor=organizer)
    refunded = order_refund(order=done, actor=organizer)
    back = -sum(p.amount for p in refunded.payments.filter(status="refunded"))
    assert back == Decimal("50.00"), f"paid 58.00, paid back {back}"


def test_taxes_on_fees_kept_by_a_refund_stay_to_remit_when_the_date_is_cancelled_later(organizer):
    from sales.settlement import event_settlement
    from tests.support import quebec_taxes

    perf = make_performance(rows=1, per_row=4, price="40.00")
    quebec_taxes()
    booking_fee(Channel.ONLINE, per_ticket="2.00", per_order="1.00", refundable=False)
    order_refund(order=online_order(perf, 1), actor=organizer)
    before = event_settlement(perf.event)
    assert sum(k for *_x, k in before.taxes) > 0
    performance_cancel(performance=perf, actor=organizer)
    after = event_settlement(perf.event)
    assert after.total.kept == before.total.kept and after.taxes == before.taxes
    # A cancelled date's own refunds give every fee back: none of theirs is kept, nor its taxes.
    other = make_performance(rows=1, per_row=4, price="40.00")
    online_order(other, 1)
    performance_cancel(performance=other, actor=organizer)
    from sales.orders.cancellation import refund_cancelled

    refund_cancelled(other.pk)
    settled = event_settlement(other.event)
    assert settled.total.kept == 0 and sum(k for *_x, k in settled.taxes) == 0


def test_a_fee_kept_by_a_refund_before_the_cancellation_goes_back_once_with_an_exchange_off_it(organizer):
    """One of two tickets refunded before the date was cancelled kept its fee (not
    refundable then). The buyer then moves the other to another date: the kept fee goes
    back with that exchange, and neither a later refund nor the cancellation task pays it
    again; the settlement and the dashboard still make the net."""
    from sales.orders import tickets_refund
    from sales.orders.cancellation import refund_cancelled
    from sales.reports import performance_dashboard
    from sales.settlement import event_settlement

    perf = make_performance(rows=1, per_row=6, price="50.00")
    booking_fee(Channel.ONLINE, per_ticket="4.00", refundable=False)
    later = other_date(perf)
    order = online_order(perf, 2)
    first, second = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[first.pk], actor=organizer)  # 50.00 back, 4.00 kept
    performance_cancel(performance=perf, actor=organizer)
    hold = hold_create(performance=later, channel=Channel.ONLINE, user=organizer,
                       place_ids=[places_of(later, state="available")[0].pk])
    done = order_exchange(order=order, ticket_ids=[second.pk], hold=hold, actor=organizer)
    back = -sum(p.amount for p in done.payments.filter(status="refunded"))
    # Paid 108.00; 54.00 for the new ticket, fee included: 54.00 in all goes back.
    assert back == Decimal("54.00"), f"paid back {back}: the fee the refund kept stayed kept"
    assert refund_cancelled(perf.pk) == 0
    s = event_settlement(perf.event)
    assert (s.total.kept, s.total.net) == (0, Decimal("54.00"))
    assert s.total.ticket_sales + s.total.order_fees + s.total.kept == s.total.net
    refunded = order_refund(order=done, actor=organizer)
    back = -sum(p.amount for p in refunded.payments.filter(status="refunded"))
    assert back == Decimal("104.00"), f"paid back {back} of 108.00: only the new date's 4.00 fee is kept"
    assert refund_cancelled(perf.pk) == 0
    s = event_settlement(perf.event)
    assert (s.total.kept, s.total.net) == (Decimal("4.00"), Decimal("4.00"))
    boards = [performance_dashboard(p) for p in (perf, later)]
    assert sum(b.fees + b.taxes for b in boards) == sum(b.net for b in boards) == Decimal("4.00")
