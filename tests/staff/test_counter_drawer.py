"""The counter's drawer: a shift is closed with no seats left held by its clerk, and a cash
tender typed absurdly (2000 for 20.00) is refused before any change is counted out."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from events.models import Channel
from sales.errors import IllegalTransition, InvalidRequest
from sales.holds import hold_create
from sales.models import Hold, Order, Place, Shift
from sales.orders import CustomerDetails, order_place, order_reserve
from sales.payments import PaymentRequest
from sales.shifts import shift_close, shift_open
from tests.support import assert_error, client_for, make_performance, make_user, race, signed_in

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    # Spaces collapsed, the no-break ones kept (amounts in French are written with them).
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _start_sale(client, perf, quantity="2") -> str:
    answer = client.post("/counter/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                            "quantity": quantity})
    assert answer.status_code == 302 and "/counter/sale/" in answer["Location"], answer
    return answer["Location"]


def test_a_shift_with_a_sale_in_progress_says_so_and_closes_once_its_seats_are_released(clerk):
    perf = make_performance(rows=1, per_row=6, price="20.00")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale_url = _start_sale(c, perf)
    hold = Hold.objects.get()

    # The close page says the seats are held, names the sale, and leads back to it.
    page = c.get("/counter/shift/close/")
    text = _text(page)
    assert "Your sales in progress still hold seats" in text, text
    assert "2 seats held until" in text and perf.event.title in text
    assert f'href="{sale_url}"' in page.content.decode() and "Finish this sale" in text
    assert f'name="release" value="{hold.pk}"' in page.content.decode()
    assert "Release these seats, close and print the report" in text
    french = _text(c.get("/counter/shift/close/", headers={"accept-language": "fr"}))
    assert "Vos ventes en cours retiennent encore des places" in french, french
    assert "Terminer cette vente" in french and "Libérer ces places, fermer et imprimer le rapport" in french
    # A shift is « un quart » on the counter's pages, as its buttons say (« Fermer le quart »).
    assert "fermer le quart les libère" in french and "quart de travail" not in french, french

    # Closed without choosing: refused, the sale listed, nothing closed, the seats still held.
    refused = c.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0"})
    assert refused.status_code == 400
    assert "Your sales in progress still hold 2 seats" in _text(refused)
    refused = _text(c.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0"},
                           headers={"accept-language": "fr"}))
    assert "pour fermer le quart" in refused and "quart de travail" not in refused, refused
    assert Shift.objects.get().closed_at is None
    assert Place.objects.filter(performance=perf, state="held").count() == 2

    # Released through the holds service, then closed: nothing left held.
    closed = c.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0", "release": hold.pk})
    assert closed.status_code == 302 and "/report/" in closed["Location"]
    assert Shift.objects.get().closed_at is not None
    hold.refresh_from_db()
    assert hold.status == Hold.Status.RELEASED
    assert not Place.objects.filter(performance=perf, state="held").exists()


def test_going_back_to_finish_the_sale_closes_the_shift_with_nothing_to_release(clerk):
    perf = make_performance(rows=1, per_row=6, price="20.00")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale_url = _start_sale(c, perf)
    assert "Finish this sale" in _text(c.get("/counter/shift/close/"))
    assert c.post(sale_url, {"tendered": "40", "attempt": "1"}).status_code == 302
    page = _text(c.get("/counter/shift/close/"))
    assert "still hold" not in page and "Close and print the report" in page
    closed = c.post("/counter/shift/close/", {"counted_cash": "140", "counted_card": "0"})
    assert closed.status_code == 302 and Shift.objects.get().difference == 0
    assert Place.objects.filter(performance=perf, state="sold").count() == 2


def test_the_closed_shifts_report_offers_no_close_only_a_new_shift(clerk):
    """Once the shift is closed, its report's bar does not offer to close it again (the
    link led to 'You have no open shift'): it leads to the counter, to open the next one."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    assert 'href="/counter/shift/close/"' in c.get("/counter/").content.decode()  # open: it may be closed
    closed = c.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0"})
    report = c.get(closed["Location"], headers={"accept-language": "fr"})
    assert "Rapport de quart" in _text(report)
    assert 'href="/counter/shift/close/"' not in report.content.decode()
    assert "Fermer le quart" not in _text(report)
    assert "Vous n’avez aucun quart ouvert." in _text(c.get("/counter/shift/close/", follow=True,
                                                                          headers={"accept-language": "fr"}))


def test_a_sale_started_after_the_close_page_was_shown_is_not_released_unseen(clerk):
    """The clerk released the seats the page listed; another sale begun since (in another
    tab) is not given up unseen: the close is refused and lists it, nothing released."""
    perf = make_performance(rows=1, per_row=6, price="20.00")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    _start_sale(c, perf, "1")
    first = Hold.objects.get()
    _start_sale(c, perf, "2")
    refused = c.post("/counter/shift/close/", {"counted_cash": "0", "counted_card": "0", "release": first.pk})
    assert refused.status_code == 400 and "still hold 2 seats" in _text(refused)
    assert Shift.objects.get().closed_at is None
    assert Place.objects.filter(performance=perf, state="held").count() == 3  # the first not released either
    assert set(Hold.objects.values_list("status", flat=True)) == {Hold.Status.ACTIVE}


def test_the_service_refuses_to_close_over_held_seats_and_releases_those_it_is_told(clerk):
    perf = make_performance(rows=1, per_row=6, price="20.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=2)
    # Another clerk's sale and a shop's hold are theirs: never in this shift's way.
    other = make_user("clerk-two", "counter clerk")
    theirs = hold_create(performance=perf, channel=Channel.COUNTER, user=other, zone=perf.price_zones.get(),
                         quantity=1)
    hold_create(performance=perf, channel=Channel.ONLINE, zone=perf.price_zones.get(), quantity=1)
    with pytest.raises(IllegalTransition, match="still hold 2 seats") as refused:
        shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("0"), counted_card=Decimal("0"))
    assert refused.value.detail["holds"] == [hold.pk]
    shift.refresh_from_db()
    assert shift.closed_at is None
    closed = shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("0"), counted_card=Decimal("0"),
                         release=[hold.pk, theirs.pk])  # another clerk's hold is not this close's to release
    assert closed.closed_at is not None
    assert Hold.objects.get(pk=hold.pk).status == Hold.Status.RELEASED
    assert Hold.objects.get(pk=theirs.pk).status == Hold.Status.ACTIVE
    assert Place.objects.filter(performance=perf, state="held").count() == 2  # the other clerk's and the shop's


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_a_close_releasing_a_sale_and_its_payment_at_once_leave_nothing_held():
    """The clerk closes the shift, releasing a sale's seats, while another tab takes that
    sale's payment: either the sale goes through or the release does; the shift closes (at
    once, or when asked again if the payment was under way), nothing stays held, never a 500."""
    perf = make_performance(rows=1, per_row=12, price="10.00")
    clerk = make_user("clerk-race", "counter clerk")
    closing, paying = signed_in(clerk), signed_in(clerk)
    for round_ in range(4):
        closing.post("/counter/shift/open/", {"cash_float": "100"})
        sale_url = _start_sale(paying, perf, "1")
        hold = Hold.objects.get(status=Hold.Status.ACTIVE)

        def act(i, sale_url=sale_url, hold=hold, round_=round_):
            if i == 0:
                return closing.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0",
                                                              "confirmed": "100.00|0.00", "release": hold.pk})
            return paying.post(sale_url, {"tendered": "10", "attempt": f"r{round_}"})

        answers = race(2, act)
        assert answers[0].status_code in (302, 400) and answers[1].status_code in (302, 400), answers
        if answers[0].status_code == 400:
            # The close came while the payment was being taken (the order made, the sale not
            # yet settled): refused, readably, the shift still open; once the sale is through,
            # closing again closes it.
            assert answers[1].status_code == 302, answers
            assert "your sales in progress still hold 1 seat" in _text(answers[0]), _text(answers[0])
            assert Shift.objects.order_by("-pk").first().closed_at is None
            again = closing.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0",
                                                           "confirmed": "100.00|0.00"})
            assert again.status_code == 302, _text(again)
        shift = Shift.objects.order_by("-pk").first()
        assert shift.closed_at is not None
        assert not Place.objects.filter(performance=perf, state="held").exists()
        if not Order.objects.filter(hold=hold, status="paid").exists():  # the close released it first
            assert Hold.objects.get(pk=hold.pk).status == Hold.Status.RELEASED
    assert Order.objects.filter(status="paid").count() == Place.objects.filter(performance=perf,
                                                                                 state="sold").count()


# --- cash tendered ---------------------------------------------------------------------------

def test_a_tender_absurdly_over_the_amount_due_is_refused_and_says_what_to_check(clerk):
    """2000 typed for 20.00: more than the amount due and the largest banknote in use (a
    $100 note in Canada) cannot be what the customer handed over."""
    perf = make_performance(rows=1, per_row=6, price="10.00")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale_url = _start_sale(c, perf)
    refused = c.post(sale_url, {"tendered": "2000", "attempt": "1"})
    assert refused.status_code == 400
    text = _text(refused)
    assert ("The $2,000.00 tendered is more than the $20.00 due and a $100.00 note: check the amount typed "
            "(its decimal point?)") in text, text
    assert not Order.objects.filter(status="paid").exists()
    assert Place.objects.filter(performance=perf, state="held").count() == 2  # still held, to be paid
    french = _text(c.post(sale_url, {"tendered": "2000", "attempt": "2"}, headers={"accept-language": "fr"}))
    assert ("Le montant reçu de 2\u202f000,00\u00a0$ dépasse les 20,00\u00a0$ dus plus un billet de "
            "100,00\u00a0$\u00a0: vérifiez le montant tapé (sa virgule\u00a0?)") in french, french
    # The amount due and a whole note is still a tender: change of 100.00.
    sold = c.post(sale_url, {"tendered": "120", "attempt": "3"}, follow=True)
    assert "Sold. Change due: $100.00" in _text(sold)


def test_a_large_tender_that_is_right_is_taken(clerk):
    perf = make_performance(rows=1, per_row=10, price="150.00")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    sale_url = _start_sale(c, perf, "6")  # 900.00, paid with ten $100 notes
    sold = c.post(sale_url, {"tendered": "1000", "attempt": "1"}, follow=True)
    assert "Sold. Change due: $100.00" in _text(sold)
    assert Order.objects.get().status == "paid"


def test_every_door_that_takes_cash_refuses_an_absurd_tender(clerk):
    """The rule is the cash payment's own: a split with the card terminal, and the API."""
    perf = make_performance(rows=1, per_row=6, price="10.00")
    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=2)
    split = [PaymentRequest(method="card_terminal", amount=Decimal("15.00"), reference="AUTH1"),
             PaymentRequest(method="cash", tendered=Decimal("500"))]  # 5.00 left in cash
    with pytest.raises(InvalidRequest, match="more than the \\$5.00 due") as refused:
        order_place(hold=hold, customer=CustomerDetails(name="W", email="w@example.org"), actor=clerk,
                    shift=shift, payments=split)
    assert refused.value.detail.get("field") == "tendered"
    assert not Order.objects.filter(status="paid").exists()
    api = client_for(clerk)
    held = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(),
                       quantity=1)
    answer = api.post("/api/v1/orders/", {"hold": str(held.token), "customer": {"name": "W", "email": "w@example.org"},
                                          "payment": {"method": "cash", "tendered": "1000.00"}}, format="json")
    message = assert_error(answer, 400, "invalid")["message"]
    assert "more than the $10.00 due and a $100.00 note" in message, message
    assert not Order.objects.filter(status="paid").exists()


def test_a_sale_on_the_card_terminal_alone_speaks_of_no_change(clerk):
    """No cash changed hands: the clerk is told it is sold, not of a change of nothing;
    a sale with cash still says its change, even when it is none."""
    perf = make_performance(rows=1, per_row=6, price="20.00")
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    sold = c.post(_start_sale(c, perf), {"card_amount": "40", "card_reference": "AUTH1", "attempt": "1"},
                  follow=True)
    assert "Sold." in _text(sold) and "Change due" not in _text(sold)
    french = c.post(_start_sale(c, perf), {"card_amount": "40", "card_reference": "AUTH2", "attempt": "2"},
                    follow=True, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Vendu." in _text(french) and "Monnaie" not in _text(french)
    cash = c.post(_start_sale(c, perf, "1"), {"tendered": "20", "attempt": "3"}, follow=True)
    assert "Sold. Change due: $0.00" in _text(cash)


def test_a_reservation_paid_on_the_card_terminal_alone_speaks_of_no_change(clerk, operator):
    perf = make_performance(rows=1, per_row=6, price="20.00")
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator, zone=perf.price_zones.get(),
                       quantity=2)
    order = order_reserve(hold=hold, customer=CustomerDetails(name="W", email="w@example.org"), actor=operator,
                          deadline=timezone.now() + timedelta(days=2))
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    paid = _text(c.post(f"/counter/orders/{order.code}/pay/", {"card_amount": "40", "card_reference": "AUTH3"},
                        follow=True))
    assert "Paid." in paid and "Change due" not in paid
    assert Order.objects.get(pk=order.pk).status == "paid"
