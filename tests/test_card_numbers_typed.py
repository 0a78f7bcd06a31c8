"""No card number on the box office's servers, even one typed by hand: a phone operator's
note, a counter clerk's terminal reference, a buyer's phone number or name, a comp's
reason, a door's name, a cancellation note. Each would be printed on slips, exported to
spreadsheets, emailed or kept in backups."""

from html import unescape

import pytest

from sales.formatting import holds_card_number
from sales.models import CustomerNote, Order, Payment
from tests.staff.test_staff_pages import open_sale
from tests.support import BUYER, assert_error, client_for, drawer, places_of, signed_in

pytestmark = pytest.mark.django_db

REFUSED = "this looks like a card number, and card numbers are never kept here: take it out"


@pytest.mark.parametrize("text", ["4242424242424242", "4242 4242 4242 4242", "card 4242-4242-4242-4242 exp 12/27",
                                  "Amex 3782 822463 10005", "6011111111111117.", "4000 0566 5566 5556 called back"])
def test_a_card_number_is_found_however_it_is_grouped(text):
    assert holds_card_number(text)


@pytest.mark.parametrize("text", ["AUTH-0042", "4242 4242 4242 4241",  # its check digit is wrong
                                  "+1 514 555 0199", "+33 6 12 34 56 78", "2026-12-07 2026-12-08 2026",
                                  "Ref 12345678901234567890123", "0000000000000000", "Row 4, seats 12 13 14 15",
                                  # a terminal's long references whose last digit happens to check,
                                  # beginning as no card's number does
                                  "RRN 1234567812345670", "9000000000000001", "7000 1234 5678 9010",
                                  "8800123456789010"])
def test_what_is_no_card_number_is_left_alone(text):
    assert not holds_card_number(text)


def test_a_card_number_typed_into_a_note_or_a_terminal_reference_is_refused_and_nothing_kept(
        performance, clerk, operator):
    from sales.models import Customer

    customer = Customer.objects.create(name="Ana Roy", email="ana@example.org")
    phone = signed_in(operator)
    page = phone.post(f"/phone/customers/{customer.pk}/notes/", {"text": "Pays with 4242 4242 4242 4242, 12/27"},
                      follow=True)
    assert REFUSED in unescape(page.content.decode()).lower()
    assert not CustomerNote.objects.exists()

    counter = signed_in(clerk)
    sale = open_sale(counter, performance, "1")["Location"]
    page = counter.post(sale, {"card_amount": "50", "card_reference": "4242424242424242"})
    assert page.status_code == 400 and REFUSED in unescape(page.content.decode()).lower()
    assert not Order.objects.filter(status="paid").exists() and not Payment.objects.exists()
    assert counter.post(sale, {"card_amount": "50", "card_reference": "AUTH-0042"}).status_code == 302
    assert Payment.objects.get().reference == "AUTH-0042"


@pytest.mark.parametrize("field, payment, customer", [
    ("reference", {"method": "card_terminal", "reference": "4242 4242 4242 4242"}, BUYER),
    ("phone", {"method": "cash", "tendered": "100"}, {**BUYER, "phone": "4242-4242-4242-4242"}),
    ("name", {"method": "cash", "tendered": "100"}, {**BUYER, "name": "Ana 4242424242424242"}),
])
def test_the_api_refuses_a_card_number_in_a_field_of_text(performance, clerk, field, payment, customer):
    drawer(clerk)
    api = client_for(clerk)
    hold = api.post("/api/v1/holds/", {"performance": performance.pk,
                                       "places": [places_of(performance, state="available")[0].pk]}, format="json")
    assert hold.status_code == 201, hold.content
    refused = api.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": customer, "payment": payment},
                       format="json")
    error = assert_error(refused, 400, "invalid")
    assert error["field"] == field and error["message"].lower() == REFUSED, error
    assert not Order.objects.filter(status="paid").exists() and not Payment.objects.exists()


def test_a_card_number_typed_as_how_a_refused_refund_was_paid_back_is_refused_and_nothing_settled(organizer):
    """The organizer settles a refund the card provider refused by saying how it was paid
    back (a cheque and its number, a transfer and its reference): a card number typed there
    ("to their other card, 4242 …") is refused beside the field, and neither kept on the
    order's record nor emailed to the buyer; the refund stays owed."""
    from sales.errors import InvalidRequest
    from sales.models import REFUND_REFUSED
    from sales.orders import order_refund
    from sales.orders.charging import refunds_settle
    from tests.sales.test_card_refunds import paid_by_card, refused_at_provider
    from tests.support import make_performance

    order = paid_by_card(make_performance(rows=1, per_row=4))
    refused_at_provider(order)
    order_refund(order=order, actor=organizer)
    admin = signed_in(organizer)
    page = admin.post("/admin/sales/order/", {"action": "settle_refused", "_selected_action": [order.pk],
                                              "confirmed": "yes", "how": "To their other card, 4242 4242 4242 4242"})
    assert page.status_code == 200 and REFUSED in unescape(page.content.decode()).lower()
    with pytest.raises(InvalidRequest, match="card number"):
        refunds_settle(order, how="Card 4000 0566 5566 5556", actor=organizer)
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_REFUSED
    assert not order.events.filter(action="refund settled by other means").exists()
    assert not any("4242" in event.detail or "5556" in event.detail for event in order.events.all())
    settled = admin.post("/admin/sales/order/", {"action": "settle_refused", "_selected_action": [order.pk],
                                                 "confirmed": "yes", "how": "Cheque 1043"}, follow=True)
    assert "Settled the refused refunds of 1 order." in settled.content.decode()


def test_a_card_number_typed_as_a_door_name_is_refused_and_nobody_admitted(performance, clerk):
    """The door's name is shown to other staff ("already checked in at … at <door>") and
    kept with every scan: a card number typed there is refused, the ticket left unscanned."""
    from sales.errors import InvalidRequest
    from sales.models import Ticket
    from sales.tickets import ticket_check_in
    from tests.sales.test_check_in import sell
    from tests.support import on_the_day

    first, second = sell(performance, n=2)
    on_the_day(performance)
    with pytest.raises(InvalidRequest, match="card number") as refused:
        ticket_check_in(code=first.code, performance=performance, door="Gate 4242 4242 4242 4242", actor=clerk)
    assert refused.value.detail["field"] == "door"
    error = assert_error(client_for(clerk).post(f"/api/v1/tickets/{second.code}/check-in/", {
        "performance": performance.pk, "door": "4000056655665556"}, format="json"), 400, "invalid")
    assert error["field"] == "door" and error["message"].lower() == REFUSED
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()
    assert ticket_check_in(code=first.code, performance=performance, door="North gate", actor=clerk)


def test_a_card_number_in_a_cancellation_note_is_refused_and_nothing_cancelled(organizer):
    """What the organizer tells the buyers of a cancelled performance is emailed to every one
    of them and shown on their orders' pages, in each language: never a card number."""
    from events.models import Performance
    from sales.errors import InvalidRequest
    from sales.orders.cancellation import performance_cancel
    from tests.support import make_performance

    perf = make_performance(rows=1, per_row=4)
    for note, notes, field in (("Paid back to card 4242 4242 4242 4242", {}, "note"),
                               ("Storm", {"fr": "Remboursé sur la carte 4242424242424242"}, "note_fr")):
        with pytest.raises(InvalidRequest, match="card number") as refused:
            performance_cancel(performance=perf, note=note, notes=notes, actor=organizer)
        assert refused.value.detail["field"] == field
    page = signed_in(organizer).post(f"/admin/events/performance/{perf.pk}/cancel/", {
        "note": "Storm", "note_en": "Refunds to 4000 0566 5566 5556", "confirm": "on"})
    assert page.status_code == 200 and REFUSED in unescape(page.content.decode()).lower()
    perf = Performance.objects.get(pk=perf.pk)
    assert perf.cancelled_at is None and not perf.cancellation_note
    assert performance_cancel(performance=perf, note="Storm", actor=organizer).cancelled_at
