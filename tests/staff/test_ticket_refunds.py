"""Refunding some tickets of an order ("my friend cannot come"): those places back on sale,
what they cost paid back the way the order was paid, the rest of the order still good."""

import re
import threading
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection

from events.models import Channel
from sales import inventory
from sales.errors import IllegalTransition, InvalidRequest, NotPermitted
from sales.holds import hold_create
from sales.models import Hold, Order, Payment, Place, Ticket
from sales.orders import CustomerDetails, order_exchange, order_place, order_refund, tickets_refund
from sales.payments import PaymentRequest
from sales.policy import COUNTER_CLERK, DOOR_STAFF, PHONE_OPERATOR
from sales.shifts import shift_expected, shift_open
from sales.tickets import ticket_check_in
from tests.factories import PriceZoneFactory
from tests.staff.test_counter_exchange import counter_sale, two_stalls_sold_at_the_counter, zone
from tests.support import (
    assert_error,
    booking_fee,
    client_for,
    make_performance,
    make_user,
    quebec_taxes,
    signed_in,
    table_rows,
)

pytestmark = pytest.mark.django_db


def paid_back(order) -> Decimal:
    return -sum((p.amount for p in Payment.objects.filter(order=order, status="refunded")), Decimal("0"))


def test_refunding_one_ticket_of_three_pays_it_back_and_keeps_the_others(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    first, *others = order.tickets.order_by("pk")

    done = tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)

    assert done.status == "paid" and done.total == Decimal("100.00")
    assert Ticket.objects.get(pk=first.pk).status == "void"
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in others])} == {"valid"}
    assert Place.objects.get(pk=first.place_id).state == "available"
    assert paid_back(order) == Decimal("50.00")
    assert shift_expected(shift)["cash"] == Decimal("200.00")  # float + 150 taken - 50 back
    assert "tickets refunded" in list(order.events.values_list("action", flat=True))
    # The rest refunded later: the whole order, its last tickets included, is paid back once.
    order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)
    assert paid_back(order) == Decimal("150.00")
    assert Order.objects.get(pk=order.pk).status == "refunded"


def test_refunding_every_valid_ticket_refunds_the_order(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    done = tickets_refund(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), actor=clerk,
                          shift=shift)
    assert done.status == "refunded" and paid_back(order) == Decimal("100.00")


def test_a_fee_that_is_not_refundable_stays_paid_ticket_by_ticket(clerk, hall):
    booking_fee(Channel.COUNTER, per_ticket="3.50", per_order="2.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    assert order.total == Decimal("109.00")
    first, second = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    assert paid_back(order) == Decimal("50.00")
    order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)
    assert paid_back(order) == Decimal("100.00")  # both fees and the order's fee kept


def test_a_refund_after_an_exchange_keeps_the_fees_of_the_new_tickets_too(clerk, hall):
    booking_fee(Channel.COUNTER, per_ticket="3.50")
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)  # 2 × 53.50
    front = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk,
                        zone=hall.price_zones.get(name="Front"), quantity=2)
    order = order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=front,
                           actor=clerk, shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("67"))])
    assert order.total == Decimal("174.00")  # 107 + 167 for Front - 100 for the Stalls, their fees kept
    order_refund(order=order, actor=clerk, shift=shift)
    assert paid_back(order) == Decimal("160.00")  # the two Front seats; all four fees kept


def test_what_cannot_be_refunded_by_the_ticket(clerk, operator, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    first, second, third = order.tickets.order_by("pk")
    other = counter_sale(clerk, shift, hall, "Stalls", 1)
    with pytest.raises(InvalidRequest, match="tick the tickets"):
        tickets_refund(order=order, ticket_ids=[], actor=clerk, shift=shift)
    with pytest.raises(InvalidRequest, match="not valid tickets of this order"):
        tickets_refund(order=order, ticket_ids=[first.pk, other.tickets.get().pk], actor=clerk, shift=shift)
    ticket_check_in(code=second.code, performance=hall, actor=clerk, now=hall.starts_at)
    with pytest.raises(IllegalTransition, match="already been used"):
        tickets_refund(order=order, ticket_ids=[second.pk], actor=clerk, shift=shift)
    with pytest.raises(NotPermitted, match="your role does not refund"):
        tickets_refund(order=order, ticket_ids=[third.pk], actor=operator, shift=shift)
    with pytest.raises(InvalidRequest, match="drawer of an open shift"):
        tickets_refund(order=order, ticket_ids=[third.pk], actor=clerk, shift=None)
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    with pytest.raises(InvalidRequest, match="not valid tickets of this order"):
        tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)  # already refunded
    assert paid_back(order) == Decimal("50.00")
    assert Ticket.objects.filter(order=order, status="valid").count() == 2


def test_a_ticket_refund_over_the_clerks_limit_needs_a_supervisor(clerk, organizer, hall):
    hall.price_zones.filter(name="Front").update(price=Decimal("400.00"))
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Front", 2)
    first = order.tickets.order_by("pk").first()
    with pytest.raises(NotPermitted, match="supervisor"):
        tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift, approver=organizer)
    assert paid_back(order) == Decimal("400.00")
    assert "refund approved" in list(order.events.values_list("action", flat=True))


def test_the_counter_page_refunds_the_ticked_tickets_and_says_what_to_hand_back(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    first, second = order.tickets.order_by("pk")
    client = signed_in(clerk)
    page = client.get(f"/counter/orders/{order.code}/").content.decode()
    assert re.search(rf'name="tickets" value="{first.pk}">', page) and 'name="tickets_given"' in page
    assert "checked" not in page[page.find('id="refund-form"'):page.find('id="refund"')]  # none ticked at first
    assert ">Refund the ticked tickets<" in page
    answer = client.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [str(first.pk)]},
                         follow=True)
    text = answer.content.decode()
    assert "Refunded: Cash $50.00." in text and "still valid" in text
    # One ticket left: the button says it refunds the order, and what goes back.
    assert ">Refund the whole order: $50.00 back<" in text
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert Ticket.objects.get(pk=second.pk).status == "valid"
    # Nothing ticked is a mistake, not the whole order.
    answer = client.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1"}, follow=True)
    assert "tick the tickets" in answer.content.decode().lower()
    assert Ticket.objects.get(pk=second.pk).status == "valid"


def test_the_order_page_writes_every_amount_as_money_in_the_clerks_language(clerk, hall):
    """The tickets to refund or exchange, the zones to exchange into, the tickets' and the
    payments' tables: each amount as money, as the clerk reads it."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    page = signed_in(clerk).get(f"/counter/orders/{order.code}/", headers={"accept-language": "fr"}).content.decode()
    text = re.sub(r"<[^>]+>", "", page).replace("\xa0", " ").replace("\u202f", " ")
    assert "50.00" not in text and "100.00" not in text, re.findall(r".{30}\d+\.\d\d.{10}", text)
    assert text.count("50,00 $") >= 6  # two tickets in each form, two rows of tickets, a zone
    assert "100,00 $" in text  # the payment


def test_the_order_history_says_which_tickets_were_refunded_as_french_writes_it(clerk, hall):
    """The history's line for some tickets refunded reads in French as French is written:
    its places, then a no-break space before the semicolon, then what they cost."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    first = order.tickets.order_by("pk").first()
    client = signed_in(clerk)
    client.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [str(first.pk)]})
    page = client.get(f"/counter/orders/{order.code}/", headers={"accept-language": "fr"}).content.decode()
    history = unescape(page[page.find(">Historique<"):])
    assert f"billets remboursés\u00a0: {first.place}\u00a0; 50,00\u00a0$" in history, history[:400]


def test_the_api_refunds_some_tickets_by_their_codes_and_refuses_bad_ones_as_json(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    other = counter_sale(clerk, shift, hall, "Stalls", 1)
    first, second = order.tickets.order_by("pk")
    api = client_for(clerk)
    url = f"/api/v1/orders/{order.code}/refund/"
    assert_error(api.post(url, {"tickets": "not a list"}, format="json"), 400, "invalid")
    assert_error(api.post(url, {"tickets": []}, format="json"), 400, "invalid")
    refused = assert_error(api.post(url, {"tickets": [first.code, other.tickets.get().code]}, format="json"),
                           400, "invalid")
    assert refused["field"] == "tickets"
    assert_error(client_for(make_user("op", PHONE_OPERATOR)).post(url, {"tickets": [first.code]}, format="json"),
                 403, "not_permitted")
    answer = api.post(url, {"tickets": [first.code]}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "paid" and Decimal(body["total"]) == Decimal("50.00")
    assert {t["code"]: t["status"] for t in body["tickets"]}[second.code] == "valid"
    assert Ticket.objects.get(pk=first.pk).status == "void" and paid_back(order) == Decimal("50.00")
    assert Decimal(body["receipt"]["total"]) == Decimal("50.00")


def _scanned_meanwhile(monkeypatch, perf, door_user):
    """Between the refund's (or exchange's) checks and its move, a door admits the tickets
    (another connection, committed), as a guest walking in that very second would."""
    original = inventory.return_to_sale

    def scan_then_return(*, order, tickets, **kwargs):
        tickets = list(tickets)

        def scan():
            try:
                for t in tickets:
                    ticket_check_in(code=t.code, performance=perf, actor=door_user, now=perf.starts_at)
            finally:
                connection.close()

        thread = threading.Thread(target=scan)
        thread.start()
        thread.join()
        return original(order=order, tickets=tickets, **kwargs)

    monkeypatch.setattr(inventory, "return_to_sale", scan_then_return)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["whole", "some"])
def test_a_ticket_admitted_while_its_refund_runs_is_not_refunded(monkeypatch, how):
    clerk, door = make_user("clerk-race", COUNTER_CLERK), make_user("door-race", DOOR_STAFF)
    perf = make_performance(rows=1, per_row=4)
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, perf, "Stalls", 2)
    first = order.tickets.order_by("pk").first()
    _scanned_meanwhile(monkeypatch, perf, door)
    with pytest.raises(IllegalTransition, match="just been used at the door"):
        if how == "whole":
            order_refund(order=order, actor=clerk, shift=shift)
        else:
            tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    assert Order.objects.get(pk=order.pk).status == "paid" and paid_back(order) == 0
    assert not Ticket.objects.filter(order=order, status="void").exists()
    assert Place.objects.filter(performance=perf, state="sold").count() == 2


def test_the_clerks_limit_holds_for_all_they_pay_back_on_one_order(clerk, organizer, hall):
    """An exchange down, then a refund, then a refund of some tickets: each within 300.00,
    together over it. The limit counts what the clerk has paid back on the order alone;
    what a supervisor signed for is the supervisor's."""
    hall.price_zones.filter(name="Front").update(price=Decimal("90.00"))
    shift = shift_open(clerk=clerk, cash_float=Decimal("1000"))
    order = counter_sale(clerk, shift, hall, "Front", 4)  # 360.00
    cheaper = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk,
                          zone=hall.price_zones.get(name="Stalls"), quantity=4)
    order = order_exchange(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)), hold=cheaper,
                           actor=clerk, shift=shift)  # 160.00 back: within the limit
    valid = list(order.tickets.filter(status="valid").order_by("pk").values_list("pk", flat=True))
    tickets_refund(order=order, ticket_ids=valid[:2], actor=clerk, shift=shift)  # 100.00 more: 260.00
    with pytest.raises(NotPermitted, match="needs a supervisor"):
        order_refund(order=order, actor=clerk, shift=shift)  # 100.00 more would be 360.00
    order_refund(order=order, actor=clerk, shift=shift, approver=organizer)
    assert paid_back(order) == Decimal("360.00")
    # What the organizer signed for is not the clerk's: a new order starts again from 0.
    other = counter_sale(clerk, shift, hall, "Stalls", 1)
    assert order_refund(order=other, actor=clerk, shift=shift).status == "refunded"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_exchange_whose_tickets_were_just_refunded_says_so_and_sells_nothing(monkeypatch):
    from sales.orders import exchanges

    clerk = make_user("clerk-swap", COUNTER_CLERK)
    perf = make_performance(rows=2, per_row=4)
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, perf, "Stalls", 2)
    first, second = order.tickets.order_by("pk")
    new = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=2)
    original = exchanges.charge

    def refunded_meanwhile(*args, **kwargs):
        def refund():
            try:
                tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
            finally:
                connection.close()

        thread = threading.Thread(target=refund)
        thread.start()
        thread.join()
        return original(*args, **kwargs)

    monkeypatch.setattr(exchanges, "charge", refunded_meanwhile)
    with pytest.raises(IllegalTransition, match="just refunded or exchanged"):
        order_exchange(order=order, ticket_ids=[first.pk, second.pk], hold=new, actor=clerk, shift=shift)
    assert Ticket.objects.get(pk=second.pk).status == "valid"
    assert Place.objects.filter(performance=perf, state="sold").count() == 1
    assert paid_back(order) == Decimal("50.00")  # the refund's, nothing else
    # The new seats are not kept for an exchange that can no longer be made.
    assert Hold.objects.get(pk=new.pk).status == "released"
    assert Place.objects.filter(performance=perf, state="held").count() == 0


def test_the_counter_refunds_the_ticket_not_used_when_the_other_guest_is_in(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    inside, away = order.tickets.order_by("pk")
    ticket_check_in(code=inside.code, performance=hall, actor=clerk, now=hall.starts_at)
    client = signed_in(clerk)
    page = client.get(f"/counter/orders/{order.code}/").content.decode()
    refund_form = page.split('id="refund-form"')[1].split("</form>")[0]
    assert 'name="tickets_given"' in refund_form
    assert f'name="tickets" value="{away.pk}"' in refund_form and f'value="{inside.pk}"' not in refund_form
    answer = client.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [str(away.pk)]},
                         follow=True)
    assert "Refunded: Cash $50.00." in answer.content.decode()
    assert Ticket.objects.get(pk=away.pk).status == "void" and Ticket.objects.get(pk=inside.pk).status == "valid"
    # The other guest is in: the page says when and where, and that nothing is left to refund.
    page = client.get(f"/counter/orders/{order.code}/").content.decode()
    assert re.search(rf'id="used-{inside.pk}">used at the door, \d\d:\d\d</span>', page)
    assert 'id="refund-form"' not in page
    assert "Every ticket still valid was used at the door: nothing to refund." in page.replace("&#x27;", "'")


def test_who_paid_money_back_and_who_signed_for_it_stay_on_record(clerk, organizer, hall):
    """A payback names the clerk who made it and the supervisor who signed for it. Their
    accounts cannot be deleted from under it (they are disabled instead): the limit counts
    what each signed, and the drawer's record says who handed money back."""
    from django.db.models import ProtectedError

    shift = shift_open(clerk=clerk, cash_float=Decimal("1000"))
    order = counter_sale(clerk, shift, hall, "Front", 1)
    order_refund(order=order, actor=clerk, shift=shift, approver=organizer)
    payback = Payment.objects.get(order=order, status="refunded")
    assert (payback.created_by, payback.approved_by) == (clerk, organizer)
    with pytest.raises(ProtectedError):
        organizer.delete()
    payback.refresh_from_db()
    assert (payback.created_by, payback.approved_by) == (clerk, organizer)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_refund_made_while_an_exchange_runs_counts_toward_the_clerks_limit(monkeypatch):
    """The clerk's limit is checked once the order is locked: a refund by the same clerk
    committed while their exchange waits on the card terminal counts, and the two together
    over the limit need a supervisor."""
    from sales.orders import exchanges

    clerk = make_user("clerk-limit", COUNTER_CLERK)
    perf = make_performance(rows=2, per_row=4, price="50.00", on_sale=False)
    front = PriceZoneFactory(performance=perf, name="Front", price=Decimal("150.00"),
                             seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    shift = shift_open(clerk=clerk, cash_float=Decimal("1000"))
    order = counter_sale(clerk, shift, perf, "Front", 4)  # 600.00
    first, second, third, fourth = order.tickets.order_by("pk")
    cheaper = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                          zone=perf.price_zones.exclude(pk=front.pk).get(), quantity=2)
    original = exchanges.charge

    def refunded_meanwhile(*args, **kwargs):
        def refund():
            try:
                tickets_refund(order=order, ticket_ids=[third.pk, fourth.pk], actor=clerk, shift=shift)  # 300.00
            finally:
                connection.close()

        thread = threading.Thread(target=refund)
        thread.start()
        thread.join()
        return original(*args, **kwargs)

    monkeypatch.setattr(exchanges, "charge", refunded_meanwhile)
    with pytest.raises(NotPermitted, match="needs a supervisor"):  # 200.00 more: 500.00 in all
        order_exchange(order=order, ticket_ids=[first.pk, second.pk], hold=cheaper, actor=clerk, shift=shift)
    assert paid_back(order) == Decimal("300.00")  # the refund's alone
    assert set(Ticket.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"valid"}


def test_cash_paid_back_ticket_by_ticket_never_exceeds_the_cash_taken(clerk, hall):
    """Two tickets at 102.33 paid in cash (204.66: 204.65 handed over), refunded one by one:
    the drawer hands back 102.35 then 102.30, not 102.35 twice."""
    from sales.models import PriceZone

    PriceZone.objects.filter(performance=hall, name="Stalls").update(price=Decimal("102.33"))
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    assert order.total == Decimal("204.66") and shift_expected(shift)["cash"] == Decimal("304.65")
    first, second = order.tickets.order_by("pk")
    client = signed_in(clerk)
    answer = client.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [str(first.pk)]},
                         follow=True)
    assert "Refunded: Cash $102.35." in answer.content.decode()
    answer = client.post(f"/counter/orders/{order.code}/refund/", follow=True)
    assert "Refunded: Cash $102.30." in answer.content.decode()
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert shift_expected(shift)["cash"] == Decimal("100.00")  # the float, to the cent: all handed back
    client.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0"})
    report = client.get(f"/counter/shift/{shift.pk}/report/").content.decode()
    assert "$204.65" in report and "−$102.35" in report and "−$102.30" in report  # as the drawer moved


def test_the_email_after_a_change_says_what_changed_not_thank_you(clerk, hall, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    """After some tickets are refunded or exchanged, the buyer's next email says so and
    gives the tickets as they now stand; "Thank you for your order" and "Total paid" with
    the new total read as if the buyer had paid nothing more."""
    from sales import notifications

    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    assert notifications.send_pending_confirmations() == 1
    assert "Thank you for your order" in mailoutbox[-1].body
    first = order.tickets.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    assert notifications.send_pending_confirmations() == 1
    body = mailoutbox[-1].body
    assert f"Some tickets of your order {order.code} were refunded" in body and "Thank you" not in body
    assert "Your tickets now total: $100.00" in body and "Total paid" not in body
    # Asked for again later, with nothing changed since: the usual email.
    notifications.resend_confirmation(Order.objects.get(pk=order.pk))
    assert notifications.send_pending_confirmations() == 1
    assert "Thank you for your order" in mailoutbox[-1].body


def test_a_slip_reprinted_after_an_exchange_and_a_refund_says_what_was_paid_in_all(clerk, hall):
    """Reprinted after the order changed, the slip adds the money up as the order's page
    lists it: every payment taken (an exchange's difference too), what went back, and the
    net the buyer paid. A slip of one payment needs no sum."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)  # 2 × 50.00
    c = signed_in(clerk)
    assert 'id="slip-net"' not in c.post(f"/counter/orders/{order.code}/print/").content.decode()
    first, second = order.tickets.order_by("pk")
    up = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"), quantity=1)
    order_exchange(order=order, ticket_ids=[first.pk], hold=up, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("40"))])  # 30.00 more
    order = tickets_refund(order=Order.objects.get(pk=order.pk), ticket_ids=[second.pk], actor=clerk,
                           shift=shift)  # 50.00 back
    slip = unescape(c.post(f"/counter/orders/{order.code}/print/").content.decode())
    net = re.search(r'<table id="slip-net".*?</table>', slip, re.S)
    assert net is not None, "no net paid on the slip"
    rows = [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", net.group(0), re.S)]
    assert rows == [["Total paid", "$130.00"], ["Refunded", "−$50.00"], ["Net paid", "$80.00"]]
    assert order.total == Decimal("80.00")  # the order page's total


def test_a_slip_says_each_amount_of_cash_once_after_a_sale_and_a_refund(clerk):
    """Cash paid for a total to the cent (23.02, taxes in) is 23.00 to the coin: the slip
    says the cash that changed hands once, not the payment to the cent and then again
    rounded; after a refund, the sum of what was paid is not said again for one payment."""
    quebec_taxes()
    perf = make_performance(rows=1, per_row=4, price="10.01")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=2)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    assert order.total == Decimal("23.02")
    c = signed_in(clerk)
    cash = [["Cash, rounded to the coin", "$23.00"], ["Cash tendered", "$50.00"], ["Change due", "$27.00"]]
    slip = c.post(f"/counter/orders/{order.code}/print/").content.decode()
    assert table_rows(slip, 'id="slip-paid"') == cash and 'id="slip-net"' not in slip
    order = tickets_refund(order=order, ticket_ids=[order.tickets.order_by("pk").first().pk], actor=clerk,
                           shift=shift)
    slip = c.post(f"/counter/orders/{order.code}/print/").content.decode()
    assert table_rows(slip, 'id="slip-paid"') == cash
    assert table_rows(slip, 'id="slip-net"') == [["Refunded", "−$11.50"], ["Net paid", "$11.50"]]
    assert ["Total", "$11.51"] in table_rows(slip, 'class="receipt')


def test_a_slip_reprinted_after_a_ticket_is_refunded_names_it_and_says_the_refund_once(clerk, hall):
    """One ticket of three refunded, the slip names it apart, below the total and with no
    amount, the others as valid; what went back (its fee kept: not refundable) is said once, in the
    slip's own table, where paid in all less paid back is the net, the receipt's total."""
    booking_fee(Channel.COUNTER, per_ticket="3.50")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)  # 3 × 53.50
    first, second, third = order.tickets.order_by("pk")
    order = tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)  # 50.00 back
    # The order's page says which ticket was refunded, not only that it is void.
    listed = table_rows(signed_in(clerk).get(f"/counter/orders/{order.code}/").content.decode(), 'id="order-tickets"')
    status = listed[0].index("Status")
    assert sorted(row[status] for row in listed[1:]) == ["Refunded", "Valid", "Valid"]
    slip = signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode()
    rows = table_rows(slip, 'class="receipt')
    start = rows.index(["Ticket refunded since (not in the total above):"])
    assert rows[start + 1] == [f"{first.place} · Stalls"] and rows.index(["Total", "$110.50"]) < start
    assert [f"{second.place} · Stalls · Valid"] in rows and [f"{third.place} · Stalls · Valid"] in rows
    assert ["Total", "$110.50"] in rows and not any(row[0].startswith("Paid back") for row in rows)
    assert table_rows(slip, 'id="slip-paid"')[0] == ["Cash", "$160.50"]  # what was paid, said once
    assert table_rows(slip, 'id="slip-net"') == [["Refunded", "−$50.00"], ["Net paid", "$110.50"]]
    assert order.total == Decimal("110.50")
    # An exchanged ticket is not a refunded one: the slip names only the tickets it holds.
    up = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"), quantity=1)
    order_exchange(order=order, ticket_ids=[second.pk], hold=up, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("40"))])
    rows = table_rows(signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode(),
                      'class="receipt')
    assert [row[0] for row in rows if " · " in row[0]] == [
        f"{third.place} · Stalls · Valid", f"{Order.objects.get(pk=order.pk).tickets.order_by('pk').last().place}"
        f" · Front · Valid", f"{first.place} · Stalls"]


def test_a_receipt_after_a_ticket_is_refunded_adds_up_as_printed(clerk, hall):
    """One ticket of three refunded: every form of the receipt (the slip, the page, the
    email's text and HTML) lists above its subtotal only the tickets it sums, and names
    the refunded one apart, under its own heading below the total."""
    from sales.order_receipt import receipt_email, receipt_html, receipt_text

    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)  # 3 × 50.00
    first = order.tickets.order_by("pk").first()
    order = tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    order = Order.objects.get(pk=order.pk)
    refunded = str(first.place)
    for narrow in (True, False):
        rows = table_rows(receipt_html(order, narrow=narrow), 'class="receipt')
        summed = rows[:next(i for i, row in enumerate(rows) if row[0] == "Subtotal")]
        amounts = [Decimal(cell.strip("$")) for row in summed for cell in row[1:] if cell.startswith("$")]
        assert sum(amounts) == Decimal("100.00") and ["Subtotal", "$100.00"] in rows, (narrow, rows)
        assert not any(refunded in row[0] for row in summed), (narrow, summed)
        after = rows[rows.index(["Total", "$100.00"]) + 1:]
        head = after.index(["Ticket refunded since (not in the total above):"])
        assert [refunded + " · Stalls"] == after[head + 1], (narrow, after)
        assert all(len(row) == 1 for row in after[head:head + 2])  # no amount beside them
    for text in (receipt_text(order), re.sub(r"<[^>]+>", "\n", receipt_email(order))):
        before, _subtotal, below = text.partition("Subtotal")
        assert refunded not in before and "Ticket refunded since (not in the total above):" in below
        assert f"{refunded} · Stalls" in below.split("Total")[1]


@pytest.mark.parametrize(("language", "one", "two"), [
    ("en", "Ticket refunded since (not in the total above):", "Tickets refunded since (not in the total above):"),
    ("fr", "Billet remboursé depuis (hors du total ci-dessus)\u00a0:",
     "Billets remboursés depuis (hors du total ci-dessus)\u00a0:")])
def test_the_receipts_heading_of_the_tickets_refunded_counts_them(clerk, hall, language, one, two):
    """One ticket refunded is headed in the singular, two in the plural, in every form of
    the receipt (the slip, the page, the email's text and HTML), in the buyer's language."""
    from sales.order_receipt import receipt_email, receipt_html, receipt_text

    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    Order.objects.filter(pk=order.pk).update(language=language)
    first, second, _third = order.tickets.order_by("pk")
    for refunded, heading, other in (([first], one, two), ([second], two, one)):
        tickets_refund(order=Order.objects.get(pk=order.pk), ticket_ids=[t.pk for t in refunded], actor=clerk,
                       shift=shift)
        again = Order.objects.get(pk=order.pk)
        for form in (receipt_html(again, narrow=True), receipt_html(again), receipt_text(again),
                     receipt_email(again)):
            said = unescape(form)
            assert heading in said and other not in said, (heading, said[-800:])


def test_a_cash_refund_rounded_to_the_coin_says_so(clerk):
    """A 47.14 ticket (41.00 and Québec's taxes) comes back as 47.15 in cash: the clerk is
    told the amount was rounded for cash, as the sale's cash line says it; a refund that
    needed no rounding says nothing of it."""
    quebec_taxes()
    perf = make_performance(rows=1, per_row=4, price="41.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=2)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    first, second = order.tickets.order_by("pk")
    assert first.price == Decimal("47.14")
    c = signed_in(clerk)
    page = unescape(c.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [first.pk]},
                           follow=True).content.decode())
    assert "Refunded: Cash $47.15." in page
    assert "In cash, to the nearest $0.05: $47.14 is paid back as $47.15." in page
    even = make_performance(rows=1, per_row=2, price="43.49")  # 50.00 with its taxes
    hold = hold_create(performance=even, channel=Channel.COUNTER, user=clerk, zone=even.price_zones.get(),
                       quantity=1)
    order = order_place(hold=hold, customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk,
                        shift=shift, payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    page = unescape(c.post(f"/counter/orders/{order.code}/refund/", follow=True).content.decode())
    assert "Refunded: Cash $50.00." in page and "to the nearest" not in page


def test_the_shift_report_sets_out_the_cash_from_the_float_to_the_difference(clerk, hall):
    """A clerk reconciling the drawer reads, apart: the float, the cash taken, the cash paid
    back, what the drawer should hold, what was counted and the difference, in English and
    in French, on the page that is also the printed report."""
    from sales.shifts import shift_close

    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)  # 100.00 in cash
    tickets_refund(order=order, ticket_ids=[order.tickets.order_by("pk").first().pk], actor=clerk, shift=shift)
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("149"), counted_card=Decimal("0"))
    c = signed_in(clerk)
    page = c.get(f"/counter/shift/{shift.pk}/report/").content.decode()
    assert table_rows(page, 'id="drawer-cash"') == [
        ["Cash float", "$100.00"], ["Cash taken", "$100.00"], ["Cash paid back", "−$50.00"],
        ["Expected in the drawer", "$150.00"], ["Counted", "$149.00"], ["Difference", "−$1.00"]]
    french = c.get(f"/counter/shift/{shift.pk}/report/", headers={"accept-language": "fr"}).content.decode()
    assert [row[0] for row in table_rows(french, 'id="drawer-cash"')] == [
        "Fonds de caisse", "Espèces encaissées", "Espèces remboursées", "Attendu dans le tiroir", "Compté", "Écart"]


def test_the_orders_tables_say_what_each_column_is(clerk, hall):
    """A clerk (and a screen reader) reads what each column of the order's tickets and
    payments is (with no price type on any ticket, there is no column for one)."""
    c, order = two_stalls_sold_at_the_counter(clerk, hall)
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    assert "Price type" not in page.split('id="order-tickets"')[1].split("</table>")[0]
    for table, headings in (("order-tickets", ("Place", "Zone", "Price", "Status", "Printed")),
                            ("order-payments", ("Time", "Method", "Amount", "Status", "Note", "Staff"))):
        head = page.split(f'id="{table}"')[1].split("</thead>")[0]
        assert [h in head for h in headings] == [True] * len(headings), table


def test_a_receipt_without_price_types_names_its_column_zone(clerk, hall):
    """A performance sold at its zones' prices has no price types: the receipt's column of
    zones is headed "Zone", before payment and on the order's receipt."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale = c.post("/counter/sale/", {"performance": hall.pk, "zone": zone(hall, "Stalls").pk, "quantity": "1"})
    for page in (c.get(sale["Location"]).content.decode(),):
        head = page.split('class="receipt"')[1].split("</thead>")[0]
        assert "Zone" in head and "Price type" not in head
    c.post(sale["Location"], {"tendered": "100", "email": "buyer@example.org", "name": "A buyer"})
    order = Order.objects.get()
    page = client_for().get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    head = page.split('<section class="receipt')[1].split("</thead>")[0]
    assert "Zone" in head and "Price type" not in head


def test_tickets_refunded_before_refunds_were_dated_are_read_as_refunded_from_their_places_trail(clerk, hall):
    """Tickets refunded before a ticket kept when it was refunded (sales 0045) take that
    moment from their place's trail: refunded one by one, with the whole order, or after an
    exchange gave them; a ticket exchanged away stays void without it, and the order's
    page then says which were refunded."""
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("sales.migrations.0045_ticket_refunded_at_backfill").refunded_when
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 4)
    first, second, third, fourth = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    up = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"), quantity=1)
    order_exchange(order=Order.objects.get(pk=order.pk), ticket_ids=[second.pk], hold=up, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("40"))])
    order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)  # the rest, the new one too
    other = counter_sale(clerk, shift, hall, "Stalls", 2)  # still paid: its tickets are valid
    refunded = dict(Ticket.objects.filter(refunded_at__isnull=False).values_list("pk", "refunded_at"))
    new = order.tickets.get(price_zone_name="Front")
    assert refunded.keys() == {first.pk, third.pk, fourth.pk, new.pk}
    # As the rows were before refunds were dated.
    Ticket.objects.update(refunded_at=None)

    with connection.schema_editor() as editor:
        backfill(apps, editor)

    assert dict(Ticket.objects.filter(refunded_at__isnull=False).values_list("pk", "refunded_at")) == refunded
    assert Ticket.objects.get(pk=second.pk).status == "void"  # exchanged away, not refunded
    assert set(other.tickets.values_list("status", "refunded_at")) == {("valid", None)}
    listed = table_rows(signed_in(clerk).get(f"/counter/orders/{order.code}/").content.decode(), 'id="order-tickets"')
    status = listed[0].index("Status")
    assert sorted(row[status] for row in listed[1:]) == ["Exchanged", "Refunded", "Refunded", "Refunded", "Refunded"]
    with connection.schema_editor() as editor:  # run again, it changes nothing
        backfill(apps, editor)
    assert dict(Ticket.objects.filter(refunded_at__isnull=False).values_list("pk", "refunded_at")) == refunded


def refund_form(page: str) -> tuple[list[str], dict[str, str]]:
    """The order page's refund form: the tickets ticked in it, and its typed fields (name: value)."""
    form = re.search(r'<form[^>]*id="refund-form".*?</form>', page, re.S).group(0)
    ticked = re.findall(r'<input type="checkbox"[^>]*? name="tickets" value="(\d+)" checked>', form)
    typed = {}
    for field in re.findall(r'<input name="supervisor[^>]*>', form):
        value = re.search(r'value="([^"]*)"', field)
        typed[re.search(r'name="(\w+)"', field).group(1)] = value.group(1) if value else ""
    return ticked, typed


def test_a_refund_refused_for_a_wrong_password_comes_back_with_the_tickets_still_ticked(clerk, organizer, hall):
    """The clerk ticked two tickets and a supervisor typed a wrong password: the order's page
    says so with the same two tickets ticked and the supervisor's name as typed (never the
    password), to sign again; nothing was refunded."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    first, second, third = order.tickets.order_by("pk")
    c = signed_in(clerk)
    assert refund_form(c.get(f"/counter/orders/{order.code}/").content.decode())[0] == []  # nothing ticked at first
    back = c.post(f"/counter/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [first.pk, third.pk], "supervisor": organizer.username,
        "supervisor_password": "not-it"}, follow=True)
    page = unescape(back.content.decode())
    assert "Not refunded: the supervisor's name or password is wrong" in page
    ticked, typed = refund_form(page)
    assert ticked == [str(first.pk), str(third.pk)]
    assert typed == {"supervisor": organizer.username, "supervisor_password": ""}
    assert paid_back(order) == 0 and set(order.tickets.values_list("status", flat=True)) == {"valid"}
    # Signed as it should be, the same tickets are refunded.
    c.post(f"/counter/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [first.pk, third.pk], "supervisor": organizer.username,
        "supervisor_password": f"pw-{organizer.username}"})
    assert paid_back(order) == Decimal("100.00")
    assert refund_form(c.get(f"/counter/orders/{order.code}/").content.decode())[0] == []


def test_a_refund_refused_keeps_the_supervisors_name_out_of_the_pages_address(clerk, organizer, hall):
    """The page a refused refund comes back to keeps the ticked tickets in its address, not
    what was typed for the supervisor: the browser's history and the server's logs keep
    that address (with a password typed in the name's field by mistake). The name comes
    back in the form once, on that order's page only."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    other = counter_sale(clerk, shift, hall, "Stalls", 2)
    first, _second, third = order.tickets.order_by("pk")
    c = signed_in(clerk)
    typed = "pw-typed-in-the-wrong-field"
    back = c.post(f"/counter/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [first.pk, third.pk], "supervisor": typed, "supervisor_password": ""})
    assert back.status_code == 302 and typed not in back["Location"] and "supervisor" not in back["Location"]
    assert refund_form(c.get(f"/counter/orders/{other.code}/?refund=").content.decode())[1]["supervisor"] == ""
    back = c.post(f"/counter/orders/{order.code}/refund/", {
        "tickets_given": "1", "tickets": [first.pk, third.pk], "supervisor": typed, "supervisor_password": ""})
    page = unescape(c.get(back["Location"]).content.decode())
    assert refund_form(page) == ([str(first.pk), str(third.pk)], {"supervisor": typed, "supervisor_password": ""})
    # The address alone, opened again, ticks the tickets but names nobody.
    again = unescape(c.get(back["Location"]).content.decode())
    assert refund_form(again) == ([str(first.pk), str(third.pk)], {"supervisor": "", "supervisor_password": ""})


def test_a_refund_signed_keeps_no_supervisors_name_in_the_session(clerk, organizer, hall):
    """What was typed for the supervisor is kept (in the session) for the page of a refund
    refused, to be signed again; a refund that went through keeps nothing of it."""
    from sales.channels.forms import REFUND_SIGNER

    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    first, _second = order.tickets.order_by("pk")
    c = signed_in(clerk)
    done = c.post(f"/counter/orders/{order.code}/refund/", {"tickets_given": "1", "tickets": [first.pk]})
    assert done.status_code == 302 and Ticket.objects.get(pk=first.pk).status == "void"
    assert REFUND_SIGNER not in c.session


def test_an_order_refunded_in_two_steps_says_what_was_paid_back_on_every_staff_page(clerk, operator, hall):
    """Some tickets refunded, then the rest: the order's total was lowered by the first
    refund and is neither what was paid nor what went back. The staff pages say the order
    is refunded and what was paid back in all."""
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    first, *_others = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    order_refund(order=Order.objects.get(pk=order.pk), actor=clerk, shift=shift)
    order.refresh_from_db()
    assert order.status == "refunded" and order.total == Decimal("100.00")  # what reports read, left as it is
    assert paid_back(order) == Decimal("150.00")

    def header(page) -> str:  # the order's heading and the line under it
        html = page.content.decode()
        html = html[html.index("<h1"):]
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", html[:html.index("</p>")])))

    counter, phone = signed_in(clerk), signed_in(operator)
    for page in (counter.get(f"/counter/orders/{order.code}/"), phone.get(f"/phone/orders/{order.code}/")):
        assert "Refunded" in header(page) and "$150.00 paid back" in header(page), header(page)
        assert "$100.00" not in header(page)
    [row] = table_rows(counter.get("/counter/lookup/", {"q": order.customer.email}).content.decode(), 'id="results"')
    assert row[4:] == ["Refunded", "$150.00 paid back"]
    rows = table_rows(phone.get(f"/phone/customers/{order.customer_id}/").content.decode(), 'id="past-orders"')
    assert rows[1][3:] == ["Refunded", "$150.00 paid back"]
    # In French too.
    page = header(counter.get(f"/counter/orders/{order.code}/", headers={"accept-language": "fr"}))
    assert "150,00 $ remboursés" in page.replace("\xa0", " ").replace("\u202f", " "), page


def refund_question(page) -> str:
    """What the refund form's confirmation asks before anything is paid back."""
    return unescape(re.search(r'data-confirm="([^"]*)" id="refund-form"', page.content.decode())[1])


def test_the_refund_buttons_ask_what_goes_back_and_how_before_anything_is_paid_back(clerk, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 2)
    counter = signed_in(clerk)
    url = f"/counter/orders/{order.code}/"
    # Two tickets: refunded by the ticket, their value back the way the order was paid.
    assert refund_question(counter.get(url)) == ("Refund the ticked tickets? What they cost goes back the way the "
                                                 "order was paid: cash from the drawer.")
    first, _second = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[first.pk], actor=clerk, shift=shift)
    # One left: the whole order, its amount and its way, as the refund would pay it back.
    assert refund_question(counter.get(url)) == "Refund the whole order? $50.00 goes back: $50.00 cash from the drawer."
    # Paid in part on the card terminal: each way with its amount, cash to the coin.
    both = order_place(hold=hold_create(performance=hall, channel=Channel.COUNTER, user=clerk,
                                        zone=hall.price_zones.get(name="Front"), quantity=1),
                       customer=CustomerDetails(name="Walk in", email="w@example.org"), actor=clerk, shift=shift,
                       payments=[PaymentRequest(method="card_terminal", amount=Decimal("30.03"), reference="AUTH1"),
                                 PaymentRequest(method="cash", tendered=Decimal("50"))])
    assert refund_question(counter.get(f"/counter/orders/{both.code}/")) == (
        "Refund the whole order? $79.98 goes back: $49.95 cash from the drawer, $30.03 on the card terminal.")
    page = counter.get(url, headers={"accept-language": "fr"})
    assert refund_question(page).replace("\xa0", " ") == (
        "Rembourser toute la commande ? 50,00 $ sont rendus : 50,00 $ en espèces, sortis du tiroir-caisse.")


def test_what_ticking_tickets_pays_back_is_what_their_refund_then_pays_back(clerk, operator, hall):
    """The order's page asks, as the ticks change, what refunding those tickets pays back:
    worked out as the refund works it out (a fee that is not refundable kept, every ticket
    ticked the whole order), and said in the clerk's language; ticks that are not tickets
    of the order are said to be so, not answered with a server error."""
    booking_fee(Channel.COUNTER, per_ticket="3.50", per_order="2.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    first, second, third = order.tickets.order_by("pk")
    other = counter_sale(clerk, shift, hall, "Stalls", 1).tickets.get()
    counter = signed_in(clerk)
    url = f"/counter/orders/{order.code}/refund/payback/"

    def said(*ids, language="en"):
        answer = counter.get(url, {"tickets": [str(pk) for pk in ids]}, headers={"accept-language": language})
        assert answer.status_code == 200
        found = re.search(r'<p id="refund-payback" data-ticked="([^"]*)" data-question="([^"]*)">([^<]*)</p>',
                          answer.content.decode())
        return [unescape(text).replace("\xa0", " ").replace("\u202f", " ") for text in found.groups()]

    assert said(second.pk, first.pk) == [
        f"{first.pk},{second.pk}", "Refund the ticked tickets? $100.00 goes back: $100.00 cash from the drawer.",
        "$100.00 goes back: $100.00 cash from the drawer."]
    # Every ticket: the whole order, less the fees that stay paid (as order_refund pays it).
    assert said(first.pk, second.pk, third.pk)[2] == "$150.00 goes back: $150.00 cash from the drawer."
    assert said(first.pk, language="fr")[1] == (
        "Rembourser les billets cochés ? 50,00 $ sont rendus : 50,00 $ en espèces, sortis du tiroir-caisse.")
    # Nothing ticked asks nothing; ticks of another order's ticket, or no ticket, are refused in words.
    assert said() == ["", "", ""]
    assert said(first.pk, other.pk) == [f"{first.pk},{other.pk}", "",
                                        "Some of those are not valid tickets of this order"]
    assert said("x")[2] == "Some of those are not valid tickets of this order"
    assert counter.get(url, {"tickets": "9" * 40}).status_code == 200
    assert signed_in(operator).get(url, {"tickets": str(first.pk)}).status_code == 403
    assert counter.get("/counter/orders/NOPE/refund/payback/").status_code == 404

    tickets_refund(order=order, ticket_ids=[first.pk, second.pk], actor=clerk, shift=shift)
    assert paid_back(order) == Decimal("100.00")  # as it was said
