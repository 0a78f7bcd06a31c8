"""Seat exchange at the counter: one step, one order, only the difference changes hands."""

import re
import threading
import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Channel, PriceZone
from sales import inventory
from sales.errors import HoldNotActive, IllegalTransition, InvalidRequest, NotPermitted
from sales.holds import hold_create
from sales.models import Hold, Order, Payment, Place, Shift, Ticket
from sales.orders import CustomerDetails, PriceRequest, hold_total, order_exchange, order_place, order_refund
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK, cash_due
from sales.shifts import shift_expected, shift_open
from sales.tickets import ticket_check_in
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import make_performance, make_user, places_of, price_types, quebec_taxes, signed_in

pytestmark = pytest.mark.django_db


def zone(perf, name) -> PriceZone:
    return perf.price_zones.get(name=name)


def counter_sale(clerk, shift, perf, zone_name, quantity) -> Order:
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=zone(perf, zone_name),
                       quantity=quantity)
    # Paid with the exact cash (a tender far beyond the total would be refused as mistyped).
    return order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                       shift=shift, payments=[PaymentRequest(method="cash", tendered=cash_due(hold_total(hold)[0]))])


def test_upgrade_two_seats_pays_the_difference_and_keeps_one_order(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    old = list(order.tickets.all())
    new_hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"),
                           quantity=2)
    done = order_exchange(order=order, ticket_ids=[t.pk for t in old], hold=new_hold, actor=clerk, shift=shift,
                          payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])

    assert done.pk == order.pk and done.status == "paid" and done.total == Decimal("160.00")
    assert done.change_due == Decimal("40.00")
    tickets = Ticket.objects.filter(order=order)
    assert {t.status for t in tickets if t.pk in {o.pk for o in old}} == {"void"}
    valid = tickets.filter(status="valid")
    assert sorted(t.price_zone_name for t in valid) == ["Front", "Front"]
    for t in old:
        assert Place.objects.get(pk=t.place_id).state == "available"  # back on sale
    assert all(Place.objects.get(pk=t.place_id).state == "sold" for t in valid)
    assert Hold.objects.get(pk=new_hold.pk).status == "sold"
    assert order.payments.filter(status="approved").values_list("amount", flat=True).last() == Decimal("60.00")
    assert shift_expected(shift)["cash"] == Decimal("260.00")  # float + 100 sale + 60 difference
    assert "difference +60.00" in order.events.get(action="exchanged").detail


def test_a_cheaper_exchange_pays_back_within_the_clerks_limit(clerk, organizer, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Front", 2)
    ids = list(order.tickets.values_list("pk", flat=True))
    cheaper = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"),
                          quantity=2)
    order_exchange(order=order, ticket_ids=ids, hold=cheaper, actor=clerk, shift=shift)
    order.refresh_from_db()
    assert order.total == Decimal("100.00")
    payback = order.payments.get(status="refunded")
    assert (payback.method, payback.amount) == ("cash", Decimal("-60.00"))
    assert shift_expected(shift)["cash"] == Decimal("200.00")  # 100 + 160 - 60



def test_the_counter_pages_say_a_payback_as_money(clerk, hall):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    order = counter_sale(clerk, Shift.objects.get(), hall, "Front", 1)
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(order.tickets.get().pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    done = c.post(start["Location"], {}, follow=True).content.decode()
    assert "Exchanged. Pay back $30.00." in done


def test_the_seats_handed_back_say_what_was_paid_for_them_in_french(clerk, hall):
    """The column of what each seat handed back cost is the money paid ("Payé"), not the
    order's state ("Payée")."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    order = counter_sale(clerk, Shift.objects.get(), hall, "Front", 1)
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(order.tickets.get().pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    page = c.get(start["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    handed_back = re.search(r'<table id="old-seats">.*?</thead>', page, re.S).group(0)
    assert re.findall(r"<th[^>]*>([^<]*)</th>", handed_back)[-1] == "Payé"


def zone_offered(page: str, zone_id: int) -> str:
    """What the exchange's choice of a zone says of it, as read."""
    option = re.search(rf'<option value="{zone_id}"[^>]*>(.*?)</option>', page, re.S).group(1)
    return " ".join(unescape(option).split())


def test_an_exchange_offers_each_zone_at_what_a_ticket_there_costs_taxes_in(clerk, hall):
    """Taxes on top of the prices (Québec's): a ticket in the stalls cost 57.49, and the
    exchange offers the front at what a ticket there costs, 91.98 for an adult, not its
    price before tax, so that the difference it then asks adds up with what was shown."""
    quebec_taxes()
    price_types(hall, {"Adult": {"Stalls": "50.00", "Front": "80.00"}, "Child": {"Front": "48.00"}})
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    assert set(order.tickets.values_list("price", flat=True)) == {Decimal("57.49")}
    c = signed_in(clerk)
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    assert zone_offered(page, zone(hall, "Front").pk).endswith("— Front, Adult $91.98, Child $55.19 (6 left)")
    assert zone_offered(page, zone(hall, "Stalls").pk).endswith("— Stalls, Adult $57.49 (16 left)")
    start = c.post(f"/counter/orders/{order.code}/exchange/", {
        "tickets": [str(t.pk) for t in order.tickets.all()], "zone": zone(hall, "Front").pk, "quantity": "2"})
    pays = re.search(r'id="total"[^>]*>([^<]+)<', unescape(c.get(start["Location"]).content.decode())).group(1)
    assert pays == "$68.98"  # 2 × (91.98 − 57.49)
    # Without price types, a zone's own price, taxes in.
    hall.price_types.all().delete()
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    assert zone_offered(page, zone(hall, "Front").pk).endswith("— Front $91.98 (6 left)")


def test_a_like_for_like_exchange_costs_what_its_ticket_was_charged(clerk, hall):
    """Two child tickets with Québec's taxes: the order's taxes are rounded once and shared
    out, so one ticket was charged 60.94 and the other 60.93 (one alone costs 60.94).
    Exchanging either for a child seat of the same zone costs nothing and pays back
    nothing: the new seat is charged what the ticket handed back was, taxes as they were."""
    quebec_taxes()
    price_types(hall, {"Child": {"Stalls": "53.00"}})
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    assert sorted(order.tickets.values_list("price", flat=True)) == [Decimal("60.93"), Decimal("60.94")]
    c = signed_in(clerk)
    for old in sorted(order.tickets.filter(status="valid"), key=lambda t: t.price):
        start = c.post(f"/counter/orders/{order.code}/exchange/",
                       {"tickets": [str(old.pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
        page = unescape(c.get(start["Location"]).content.decode())
        assert "No difference to pay" in page
        new_seats = re.search(r'<table id="new-seats">.*?</table>', page, re.S).group(0)
        assert re.findall(r'<td class="num">\$([0-9.]+)', new_seats) == [str(old.price)]
        c.post(start["Location"], {"tickets": str(old.pk)})
        new = order.tickets.filter(status="valid").latest("pk")
        assert (new.price, new.tax, new.taxes) == (old.price, old.tax, old.taxes)
    order.refresh_from_db()
    assert order.total == Decimal("121.87") and not order.payments.exclude(status="approved").exists()
    assert sum(t.price for t in order.tickets.filter(status="valid")) == order.total


def test_the_exchange_list_offers_a_like_for_like_seat_at_what_its_ticket_was_paid(clerk, hall):
    """An adult at 50.00 and a child at 53.00 with Québec's taxes: the order's taxes are
    rounded once and shared out, so the child's ticket was paid 60.93 (one alone costs
    60.94). The list offers a child seat of the stalls at 60.93, as paid, which is what
    the exchange's page then says and charges: a clerk reads out one figure."""
    quebec_taxes()
    types = price_types(hall, {"Adult": {"Stalls": "50.00"}, "Child": {"Stalls": "53.00"}})
    shift = shift_open(clerk=clerk, cash_float=Decimal("200"))
    adult, child = [p.pk for p in places_of(hall) if p.price_zone.name == "Stalls"][:2]
    hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, place_ids=[adult, child])
    prices = PriceRequest(types={adult: types["Adult"].pk, child: types["Child"].pk})
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=shift, prices=prices,
                        payments=[PaymentRequest(method="cash", tendered=cash_due(Decimal("118.42")))])
    paid = order.tickets.get(place_id=child)
    assert (paid.price, order.total) == (Decimal("60.93"), Decimal("118.42"))
    c = signed_in(clerk)
    offered = zone_offered(c.get(f"/counter/orders/{order.code}/").content.decode(), zone(hall, "Stalls").pk)
    assert offered.endswith("— Stalls, Adult $57.49, Child $60.93 (as paid) (16 left)"), offered
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(paid.pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    page = unescape(c.get(start["Location"]).content.decode())
    new_seats = re.search(r'<table id="new-seats">.*?</table>', page, re.S).group(0)
    assert re.findall(r'<td class="num">\$([0-9.]+)', new_seats) == ["60.93"]
    assert "No difference to pay" in page


def test_the_exchange_list_says_each_amount_like_tickets_were_paid(clerk, hall):
    """Two child tickets paid 60.93 and 60.94 (one alone costs 60.94): a child seat of the
    stalls costs what the ticket handed back was, so the list says both, as paid."""
    quebec_taxes()
    price_types(hall, {"Child": {"Stalls": "53.00"}, "Adult": {"Front": "80.00"}})
    order = counter_sale(clerk, shift_open(clerk=clerk, cash_float=Decimal("100")), hall, "Stalls", 2)
    page = signed_in(clerk).get(f"/counter/orders/{order.code}/").content.decode()
    assert zone_offered(page, zone(hall, "Stalls").pk).endswith("— Stalls, Child $60.93 or $60.94 (as paid) (16 left)")
    # Nothing of the order's is sold like for like in the front: a ticket there as sold alone.
    assert zone_offered(page, zone(hall, "Front").pk).endswith("— Front, Adult $91.98 (6 left)")
    page = signed_in(clerk).get(f"/counter/orders/{order.code}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"Child 60,93\s\$ ou 60,94\s\$ \(au prix payé\)", zone_offered(page, zone(hall, "Stalls").pk))


def test_the_exchange_says_in_french_that_its_prices_hold_fees_and_taxes(clerk, hall):
    quebec_taxes()
    order = counter_sale(clerk, shift_open(clerk=clerk, cash_float=Decimal("100")), hall, "Stalls", 1)
    page = signed_in(clerk).get(f"/counter/orders/{order.code}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    label = re.search(r'<label for="exchange-zone">(.*?)</label>', page, re.S).group(1)
    said = re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", label))).strip()
    assert said == "Nouvelles places\u00a0: les meilleures en (prix, frais et taxes inclus)"


def test_a_payback_in_cash_is_counted_out_to_the_nearest_five_cents(clerk, hall):
    """80.02 for the front, 50.00 for the stalls: 30.02 back in cash is 30.00 from the
    drawer, on the exchange's page, in its message and in what the drawer expects."""
    hall.price_zones.filter(name="Front").update(price=Decimal("80.02"))
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    shift = Shift.objects.get()
    order = counter_sale(clerk, shift, hall, "Front", 1)
    assert shift_expected(shift)["cash"] == Decimal("180.00")
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(order.tickets.get().pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    page = c.get(start["Location"]).content.decode()
    assert "Cash $30.00 (from your drawer)" in page
    assert '<span class="big" id="payback">$30.00</span>' in page  # one figure: what leaves the drawer
    done = c.post(start["Location"], {}, follow=True).content.decode()
    assert "Exchanged. Pay back $30.00." in done
    assert shift_expected(shift)["cash"] == Decimal("150.00")
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    assert "−$30.00" in page and "$80.00" in page  # its payments as the drawer moved them

def test_a_cent_back_that_rounds_to_no_coin_is_no_payback(clerk, hall):
    """50.02 for the front, 50.00 for the stalls: two cents back in cash is no coin at all.
    The exchange's page says there is nothing to pay, and so does its message after: the
    clerk is not told to pay back $0.00."""
    hall.price_zones.filter(name="Front").update(price=Decimal("50.02"))
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    order = counter_sale(clerk, Shift.objects.get(), hall, "Front", 1)
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(order.tickets.get().pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    assert "No difference to pay" in c.get(start["Location"]).content.decode()
    done = c.post(start["Location"], {}, follow=True).content.decode()
    assert "Exchanged, no difference to pay." in done and "Pay back" not in done
    assert order.tickets.get(status="valid").place.price_zone.name == "Stalls"


def test_a_payback_over_the_limit_needs_a_supervisor_and_changes_nothing(clerk, organizer, hall):
    hall.price_zones.filter(name="Front").update(price=Decimal("400.00"))
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Front", 1)
    ticket = order.tickets.get()
    cheaper = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"),
                          quantity=1)
    with pytest.raises(NotPermitted, match=r"^paying back \$350\.00 needs a supervisor$"):
        order_exchange(order=order, ticket_ids=[ticket.pk], hold=cheaper, actor=clerk, shift=shift)
    ticket.refresh_from_db()
    assert ticket.status == "valid" and Place.objects.get(pk=ticket.place_id).state == "sold"
    assert Hold.objects.get(pk=cheaper.pk).status == "active"
    order_exchange(order=order, ticket_ids=[ticket.pk], hold=cheaper, actor=clerk, shift=shift, approver=organizer)
    assert order.events.get(action="exchange approved").actor == organizer


def test_same_price_moves_seats_without_a_payment(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 1)
    ticket = order.tickets.get()
    other = places_of(hall, state="available", price_zone__name="Stalls")[-1]
    hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, place_ids=[other.pk])
    order_exchange(order=order, ticket_ids=[ticket.pk], hold=hold, actor=clerk, shift=shift)
    assert order.payments.count() == 1
    assert order.tickets.get(status="valid").place_id == other.pk


def test_refusals_leave_the_order_as_it_was(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    first, second = order.tickets.all()
    later = PerformanceFactory(event=hall.event, venue=hall.venue, starts_at=hall.starts_at + timedelta(days=1),
                               channels=[Channel.COUNTER])
    PriceZoneFactory(performance=later, name="Stalls", price=Decimal("50.00"), sections=hall.venue.sections.all())
    inventory.put_on_sale(performance=later)
    elsewhere = hold_create(performance=later, channel=Channel.COUNTER, user=clerk,
                            zone=later.price_zones.get(), quantity=1)
    with pytest.raises(InvalidRequest, match="exchange every ticket"):
        order_exchange(order=order, ticket_ids=[first.pk], hold=elsewhere, actor=clerk, shift=shift)
    with pytest.raises(InvalidRequest, match="not valid tickets of this order"):
        order_exchange(order=order, ticket_ids=[first.pk + 1000], hold=elsewhere, actor=clerk, shift=shift)
    ticket_check_in(code=second.code, performance=hall, actor=clerk, now=hall.starts_at)
    here = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"),
                       quantity=1)
    with pytest.raises(IllegalTransition, match="used at the door"):
        order_exchange(order=order, ticket_ids=[second.pk], hold=here, actor=clerk, shift=shift)
    Hold.objects.filter(pk=here.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(HoldNotActive):
        order_exchange(order=order, ticket_ids=[first.pk], hold=here, actor=clerk, shift=shift)
    assert order.tickets.filter(status="valid").count() == 2
    assert Place.objects.filter(performance=hall, state="sold").count() == 2


def test_moving_the_whole_order_to_another_performance(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    later = make_performance(rows=2, per_row=4)
    later.event = hall.event
    later.save()
    hold = hold_create(performance=later, channel=Channel.COUNTER, user=clerk, zone=later.price_zones.get(),
                       quantity=2)
    order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=hold,
                   actor=clerk, shift=shift)
    order.refresh_from_db()
    assert order.performance_id == later.pk
    assert Place.objects.filter(performance=hall, state="sold").count() == 0
    assert Place.objects.filter(performance=later, state="sold").count() == 2
    # The history says from which date to which: the same seat names may be on both.
    from sales.formatting import at_venue

    said = order.events.get(action="exchanged").detail
    assert f"({at_venue(hall.starts_at, hall):%Y-%m-%d %H:%M})" in said.split(" → ")[0]
    assert f"({at_venue(later.starts_at, later):%Y-%m-%d %H:%M})" in said.split(" → ")[1]
    assert said.endswith("; difference +0.00 CAD")


def test_an_order_moved_to_another_date_reads_both_dates_as_its_other_lines_do(clerk, hall):
    """The history of an order moved to another performance says each side's date as its
    other lines say theirs ("6 Dec 10:14", "6 décembre 10:14"), on the venue's clock, not
    as the numbers the record keeps: a late show far west of the box office, whose date is
    another on the server's clock."""
    from django.utils import translation

    from events.models import Performance, Venue
    from sales.formatting import when

    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 1)
    later = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk__in=[hall.venue_id, later.venue_id]).update(time_zone="America/Vancouver")
    Performance.objects.filter(pk=later.pk).update(event=hall.event)
    west = zoneinfo.ZoneInfo("America/Vancouver")
    day = timezone.localtime(timezone.now(), west).date() + timedelta(days=20)
    starts = (datetime.combine(day, time(23, 30)), datetime.combine(day + timedelta(days=1), time(20, 5)))
    for perf, start in zip((hall, later), starts, strict=True):
        Performance.objects.filter(pk=perf.pk).update(starts_at=timezone.make_aware(start, west))
    hold = hold_create(performance=later, channel=Channel.COUNTER, user=clerk, zone=later.price_zones.get(),
                       quantity=1)
    order_exchange(order=Order.objects.get(pk=order.pk), ticket_ids=list(order.tickets.values_list("pk", flat=True)),
                   hold=hold, actor=clerk, shift=shift)
    counter = signed_in(clerk)
    for language in ("en", "fr"):
        with translation.override(language):
            first, second = (when(start, "j M H:i") for start in starts)
        clock = {"en": " 23:30", "fr": " 23\u00a0h\u00a030"}[language]  # French typography's clock in French
        assert first.startswith(f"{starts[0].day} ") and first.endswith(clock)
        page = unescape(counter.get(f"/counter/orders/{order.code}/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
        line = next(li for li in re.findall(r"<li>(.*?)</li>", page, re.S) if "→" in li)
        assert f"({first})" in line.split("→")[0] and f"({second})" in line.split("→")[1], line
        assert not re.search(r"\d{4}-\d\d-\d\d", line), line


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_clerks_exchanging_the_same_tickets_at_once_one_wins():
    perf = make_performance(rows=3, per_row=6)
    clerks = [make_user(f"clerk-x{i}", COUNTER_CLERK) for i in range(2)]
    shifts = [shift_open(clerk=c, cash_float=Decimal("0")) for c in clerks]
    order = counter_sale(clerks[0], shifts[0], perf, "Stalls", 2)
    ids = list(order.tickets.values_list("pk", flat=True))
    holds = [hold_create(performance=perf, channel=Channel.COUNTER, user=c, zone=perf.price_zones.get(), quantity=2)
             for c in clerks]
    barrier, results = threading.Barrier(2), []

    def exchange(i):
        try:
            barrier.wait()
            order_exchange(order=Order.objects.get(pk=order.pk), ticket_ids=ids, hold=holds[i], actor=clerks[i],
                           shift=shifts[i])
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - counted below
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=exchange, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert Ticket.objects.filter(order=order, status="valid").count() == 2
    assert Place.objects.filter(performance=perf, state="sold").count() == 2
    assert not Payment.objects.filter(order=order, status="refunded").exists()


def two_stalls_sold_at_the_counter(clerk, hall):
    """A clerk's client, its shift open, and the order of two Stalls seats it sold in cash."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale = c.post("/counter/sale/", {"performance": hall.pk, "zone": zone(hall, "Stalls").pk, "quantity": "2"})
    c.post(sale["Location"], {"tendered": "100"})
    return c, Order.objects.get()


def test_an_exchange_paid_on_the_card_terminal_says_so_and_no_change(clerk, hall):
    c, order = two_stalls_sold_at_the_counter(clerk, hall)
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(i) for i in order.tickets.values_list("pk", flat=True)],
                    "zone": zone(hall, "Front").pk, "quantity": "2"})
    done = c.post(start["Location"], {"card_amount": "60", "card_reference": "AUTH9"}, follow=True).content.decode()
    assert "Exchanged. $60.00 paid." in done and "Exchanged. Change due" not in done


def test_the_counter_pages_exchange_in_one_step(clerk, hall):
    c, order = two_stalls_sold_at_the_counter(clerk, hall)
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    assert 'id="exchange-form"' in page and "?exchange=" in page
    ids = list(order.tickets.values_list("pk", flat=True))
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(i) for i in ids], "zone": zone(hall, "Front").pk, "quantity": "2"})
    assert start.status_code == 302 and "/exchange/" in start["Location"]
    confirm = c.get(start["Location"]).content.decode()
    assert "The customer pays" in confirm and "60.00" in confirm
    short = c.post(start["Location"], {"tendered": "50"})
    assert short.status_code == 400 and "less than the total of $60.00" in unescape(short.content.decode())
    assert "hand it back" not in short.content.decode()  # refused before any cash was taken
    assert Ticket.objects.filter(order=order, status="valid", price_zone_name="Stalls").count() == 2
    done = c.post(start["Location"], {"tendered": "60"}, follow=True).content.decode()
    assert "Exchanged. Change due: $0.00" in done
    assert sorted(Ticket.objects.filter(order=order, status="valid").values_list("price_zone_name", flat=True)) == [
        "Front", "Front"]
    # Nothing ticked: refused with a message, nothing held.
    refused = c.post(f"/counter/orders/{order.code}/exchange/", {"zone": zone(hall, "Stalls").pk}, follow=True)
    assert "Tick the tickets to exchange" in refused.content.decode()
    assert not Hold.objects.filter(status="active").exists()
    # Refused, the page comes back with the clerk's choices as they made them.
    first, second = sorted(Ticket.objects.filter(order=order, status="valid").values_list("pk", flat=True))
    too_many = c.post(f"/counter/orders/{order.code}/exchange/",
                      {"tickets": [str(second)], "zone": zone(hall, "Stalls").pk, "quantity": "30"}, follow=True)
    page = too_many.content.decode()
    assert "Nothing held" in page and not Hold.objects.filter(status="active").exists()
    assert f'value="{first}">' in page and f'value="{second}" checked>' in page
    assert f'<option value="{zone(hall, "Stalls").pk}" selected>' in page and 'name="quantity"' in page
    assert re.search(r'id="exchange-qty"[^>]*value="30"', page)


def test_keeping_the_old_seats_releases_the_new_ones(clerk, hall):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale = c.post("/counter/sale/", {"performance": hall.pk, "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    c.post(sale["Location"], {"tendered": "50"})
    order = Order.objects.get()
    ticket = order.tickets.get()
    start = c.post(f"/counter/orders/{order.code}/exchange/", {"tickets": str(ticket.pk),
                                                               "zone": zone(hall, "Front").pk})
    hold_id = start["Location"].split("/exchange/")[1].split("/")[0]
    back = c.post(f"/counter/sale/{hold_id}/cancel/", {"order": order.code})
    assert back["Location"] == f"/counter/orders/{order.code}/"
    assert Hold.objects.get(pk=hold_id).status == "released"
    assert Place.objects.filter(performance=hall, state="held").count() == 0
    map_page = c.get(f"/counter/performances/{hall.pk}/map/?exchange={order.code}&tickets={ticket.pk}")
    assert f'action="/counter/orders/{order.code}/exchange/"' in map_page.content.decode()


# --- money and limits after an exchange -----------------------------------------------

def _paid_in_and_out(order):
    payments = Payment.objects.filter(order=order)
    paid_in = sum(p.amount for p in payments.filter(status="approved"))
    paid_out = -sum(p.amount for p in payments.filter(status="refunded", refund_of__isnull=False))
    return paid_in, paid_out


def test_a_refund_after_a_cheaper_exchange_pays_back_only_what_is_left(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Front", 2)  # 160
    cheaper = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"),
                          quantity=2)
    order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=cheaper,
                   actor=clerk, shift=shift)  # 60 back
    order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)  # the 100 left
    assert _paid_in_and_out(order) == (Decimal("160.00"), Decimal("160.00"))
    assert shift_expected(shift)["cash"] == Decimal("100.00")  # the float, nothing else


def test_the_refund_limit_counts_what_is_really_paid_back(clerk, organizer, hall):
    hall.price_zones.filter(name="Front").update(price=Decimal("400.00"))
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Front", 1)
    cheaper = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"),
                          quantity=1)
    order_exchange(order=order, ticket_ids=[order.tickets.get().pk], hold=cheaper, actor=clerk, shift=shift,
                   approver=organizer)  # 350 back, signed by the organizer
    order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)  # 50 left: within the limit
    assert _paid_in_and_out(order) == (Decimal("400.00"), Decimal("400.00"))


def test_paybacks_never_take_more_from_a_payment_than_it_paid(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("500"))
    hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"), quantity=2)
    order = order_place(hold=hold, customer=CustomerDetails(name="W", email="w@example.org"), actor=clerk,
                        shift=shift, payments=[PaymentRequest(method="card_terminal", reference="AUTH1")])
    for _cycle in range(3):  # down 60 (paid back), then up 30 + 30 (paid in cash)
        ids = list(order.tickets.filter(status="valid").values_list("pk", flat=True))
        down = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"),
                           quantity=2)
        order = order_exchange(order=order, ticket_ids=ids, hold=down, actor=clerk, shift=shift)
        for ticket_id in order.tickets.filter(status="valid").values_list("pk", flat=True):
            up = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"),
                             quantity=1)
            order = order_exchange(order=order, ticket_ids=[ticket_id], hold=up, actor=clerk, shift=shift,
                                   payments=[PaymentRequest(method="cash", tendered=Decimal("30"))])
    for paid in Payment.objects.filter(order=order, status="approved"):
        assert -sum(r.amount for r in paid.refunds.all()) <= paid.amount
    paid_in, paid_out = _paid_in_and_out(order)
    assert paid_in - paid_out == Order.objects.get(pk=order.pk).total == Decimal("160.00")


def test_an_exchange_keeps_the_ticket_limit(clerk, db):
    perf = make_performance(rows=2, per_row=6, ticket_limit=2)
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, perf, "Stalls", 1)
    more = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=2)
    order_exchange(order=order, ticket_ids=[order.tickets.get().pk], hold=more, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])  # 1 -> 2: allowed
    valid = list(order.tickets.filter(status="valid").values_list("pk", flat=True))
    three = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                        quantity=2)
    with pytest.raises(InvalidRequest, match="at most 2 tickets"):
        order_exchange(order=order, ticket_ids=valid[:1], hold=three, actor=clerk, shift=shift,
                       payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])


@pytest.mark.django_db(transaction=True)
def test_a_failing_after_commit_callback_does_not_undo_a_paid_exchange(monkeypatch):
    clerk = make_user("clerk-cb", COUNTER_CLERK)
    perf = make_performance(rows=2, per_row=6)
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, perf, "Stalls", 1)
    PriceZone.objects.filter(performance=perf).update(price=Decimal("80.00"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=1)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("sales.tasks.send_order_confirmation.delay", broker_down)
    order_exchange(order=order, ticket_ids=[order.tickets.get().pk], hold=hold, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("30"))])
    assert not Payment.objects.filter(order=order, status="refunded").exists()
    assert Order.objects.get(pk=order.pk).total == Decimal("80.00")


def test_the_exchange_page_prices_each_new_seat_as_it_will_be_sold_and_says_a_code_is_not_kept(clerk, hall):
    """The new seats keep the old tickets' price types: the page lists each at the price it
    will be sold at (the child's too), adding up to the new total, and says that the promo
    code of the tickets handed back does not discount the new ones."""
    from sales.models import PromoCode
    from sales.orders.pricing import PriceRequest
    from tests.support import price_types

    types = price_types(hall, {"Adult": {"Stalls": "50.00", "Front": "80.00"},
                               "Child": {"Stalls": "30.00", "Front": "45.00"}})
    PromoCode.objects.create(code="ETE10", percent_off=Decimal("10"))
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Stalls"), quantity=2)
    adult, child = inventory.places_of_hold(hold)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=Shift.objects.get(), payments=[PaymentRequest(method="cash", tendered=Decimal("100"))],
                        prices=PriceRequest(types={adult: types["Adult"].pk, child: types["Child"].pk},
                                            promo_code="ETE10"))
    assert order.total == Decimal("72.00")  # (50 + 30) less 10 %
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(t.pk) for t in order.tickets.order_by("place_id")], "zone": zone(hall, "Front").pk,
                    "quantity": "2"})
    page = c.get(start["Location"]).content.decode()
    new = re.search(r'<table id="new-seats">(.*?)</table>', page, re.S).group(1)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", new, re.S)]
    assert [(r[2], r[3]) for r in rows if r] == [("Adult", "$80.00"), ("Child", "$45.00")]
    assert "Was $72.00 · now $125.00" in page and 'data-amount="53.00"' in page
    assert "The promo code ETE10 discounted the tickets handed back" in page


def test_a_refund_paid_back_from_two_cash_payments_names_one_amount(clerk, hall):
    """Two seats bought in cash, upgraded (a second cash payment), then the whole order
    refunded: both payments pay back, and the clerk is told one handful of cash."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    upgrade = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"), quantity=2)
    order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=upgrade,
                   actor=clerk, shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    page = signed_in(clerk).post(f"/counter/orders/{order.code}/refund/", follow=True).content.decode()
    assert order.payments.filter(amount__lt=0).count() == 2  # each payment paid back
    assert "Refunded: Cash $160.00. The seats are back on sale." in unescape(page)


def test_an_exchange_left_open_leads_back_to_the_exchange_never_to_a_sale_of_its_seats(clerk, hall):
    """An exchange holds its new seats as the clerk's counter hold, as a sale does: the
    counter's first page lists it as the order's exchange, and its seats are never sold as
    an order of their own (the buyer would pay in full and keep the old tickets)."""
    c, order = two_stalls_sold_at_the_counter(clerk, hall)
    ids = list(order.tickets.values_list("pk", flat=True))
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(i) for i in ids], "zone": zone(hall, "Front").pk, "quantity": "2"})
    hold_id = int(re.search(r"/exchange/(\d+)/", start["Location"]).group(1))
    home = unescape(c.get("/counter/").content.decode())
    assert f'<a href="{start["Location"]}">Exchange for order {order.code},' in home
    assert f'href="/counter/sale/{hold_id}/"' not in home
    sold = c.post(f"/counter/sale/{hold_id}/", {"tendered": "500", "attempt": "1"})
    assert sold.status_code == 302 and sold["Location"] == start["Location"]
    # From another session of the clerk (another terminal, signed in again): the order's page.
    other = signed_in(clerk)
    home = unescape(other.get("/counter/").content.decode())
    assert f'<a href="/counter/orders/{order.code}/">Exchange for order {order.code},' in home
    sold = other.post(f"/counter/sale/{hold_id}/", {"tendered": "500", "attempt": "1"})
    assert sold.status_code == 302 and sold["Location"] == f"/counter/orders/{order.code}/"
    assert Order.objects.filter(status="paid").count() == 1
    assert Ticket.objects.filter(order=order, status="valid", price_zone_name="Stalls").count() == 2


def test_an_exchange_takes_only_the_seats_held_for_its_own_order(clerk, hall):
    """Seats held for one order's exchange, or for a plain sale, are not another order's
    exchange, even for the clerk who holds them: that page answers 404 and moves nothing."""
    c, order = two_stalls_sold_at_the_counter(clerk, hall)
    other = counter_sale(clerk, Shift.objects.get(clerk=clerk, closed_at=None), hall, "Stalls", 1)
    ids = list(order.tickets.values_list("pk", flat=True))
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(i) for i in ids], "zone": zone(hall, "Front").pk, "quantity": "2"})
    marked = int(re.search(r"/exchange/(\d+)/", start["Location"]).group(1))
    sale = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"), quantity=1)
    theirs = other.tickets.get().pk
    for hold_id in (marked, sale.pk):
        url = f"/counter/orders/{other.code}/exchange/{hold_id}/?tickets={theirs}"
        assert c.get(url).status_code == 404
        assert c.post(url, {"tickets": str(theirs), "tendered": "500"}).status_code == 404
    assert not other.events.filter(action="exchanged").exists()
    assert Ticket.objects.get(pk=theirs).status == "valid"


def test_an_exchange_without_an_open_shift_holds_nothing_and_leads_to_opening_one(clerk, hall):
    """Selling needs the clerk's shift open before any seat is held; so does an exchange:
    refused, nothing stays held, and the clerk is taken to open their shift, then back to
    the order with the tickets still ticked."""
    other = make_user("clerk2", COUNTER_CLERK)
    order = counter_sale(other, shift_open(clerk=other, cash_float=Decimal("100")), hall, "Stalls", 1)
    ticket = order.tickets.get()
    c = signed_in(clerk)
    asked = {"tickets": [str(ticket.pk)], "zone": zone(hall, "Front").pk, "quantity": "1"}
    refused = c.post(f"/counter/orders/{order.code}/exchange/", asked)
    assert not Hold.objects.filter(status="active").exists()
    assert Place.objects.filter(performance=hall, state="held").count() == 0
    page = unescape(c.get(refused["Location"]).content.decode())
    assert "Open your shift first, then hold the new seats again." in page
    opening = re.search(r'<form method="post" action="/counter/shift/open/".*?</form>', page, re.S).group(0)
    assert 'name="cash_float"' in opening and "Open the drawer" in opening
    back = re.search(r'name="next" value="([^"]+)"', opening).group(1)
    opened = c.post("/counter/shift/open/", {"cash_float": "100", "next": back})
    assert opened.status_code == 302 and opened["Location"].startswith(f"/counter/orders/{order.code}/?")
    assert f"tickets={ticket.pk}" in opened["Location"]
    assert Shift.objects.filter(clerk=clerk, closed_at__isnull=True).exists()
    start = c.post(f"/counter/orders/{order.code}/exchange/", asked)
    assert "/exchange/" in start["Location"] and Hold.objects.filter(status="active").count() == 1


def test_opening_a_shift_goes_back_only_to_a_counter_page(clerk):
    c = signed_in(clerk)
    away = c.post("/counter/shift/open/", {"cash_float": "100", "next": "https://elsewhere.example/counter/"})
    assert away.status_code == 302 and away["Location"] == "/counter/"


def first_cells(page: str, table_id: str) -> list[str]:
    """The first cell of each body row of the table `table_id`, as sent."""
    body = re.search(rf'<table id="{table_id}">.*?</table>', page, re.S).group(0)
    return re.findall(r"<tr><td>(.*?)</td>", body.split("</thead>", 1)[-1], re.S)


def test_staff_tables_keep_a_seats_row_and_number_on_one_line(clerk, hall):
    """The exchange's two tables and the order's tickets, in a narrow column, wrap a place's
    label between the section's words, never inside its row and seat ("A-" / "19")."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    order = counter_sale(clerk, Shift.objects.get(), hall, "Front", 1)
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": [str(order.tickets.get().pk)], "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    exchange = c.get(start["Location"]).content.decode()
    ticket_page = c.get(f"/counter/orders/{order.code}/").content.decode()
    for page, table in ((exchange, "old-seats"), (exchange, "new-seats"), (ticket_page, "order-tickets")):
        cells = first_cells(page, table)
        assert cells, table
        for cell in cells:
            assert re.fullmatch(r'.+ <span class="nowrap">[A-Z]+-\d+</span>', cell), (table, cell)
