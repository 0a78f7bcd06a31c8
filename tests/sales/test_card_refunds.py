"""Card refunds reach the payment provider (localstripe) from every door that refunds: the
admin, the counter and the API; partial when the fees are not refundable; and a refund the
provider did not take when asked is sent again by the reconciliation, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from events.models import Channel
from sales.holds import hold_create
from sales.models import Order, Payment
from sales.orders import CustomerDetails, order_place, order_refund, tickets_refund
from sales.orders.charging import REFUND_OWED, REFUND_REFUSED
from sales.orders.settling import payments_reconcile
from sales.payments import PaymentRequest
from sales.shifts import shift_open
from tests.support import (
    booking_fee,
    card_token,
    client_for,
    make_performance,
    places_of,
    provider,
    signed_in,
    stripe_signature,
    table_rows,
)

pytestmark = pytest.mark.django_db
BUYER = CustomerDetails(name="Remi Boursé", email="remi@example.org")


def paid_by_card(perf, n=2) -> Order:
    hold = hold_create(performance=perf, channel=Channel.ONLINE,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()))
    assert order.status == "paid"
    return order


def refunds_at_provider(order: Order) -> list[int]:
    return [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data]


@pytest.fixture
def fee_kept():
    """A booking fee the organizer keeps on a refund: the provider pays back less than it took."""
    return booking_fee(Channel.ONLINE, per_ticket="3.50")


def test_the_admin_refund_reaches_the_provider(organizer, fee_kept):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    assert order.total == Decimal("107.00")
    client = signed_in(organizer)
    answer = client.post("/admin/sales/order/", {"action": "refund", "_selected_action": [order.pk],
                                                  "confirmed": "yes"}, follow=True)
    assert answer.status_code == 200 and "Refunded 1 order." in answer.content.decode()
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert refunds_at_provider(order) == [10000]  # partial: the 7.00 of fees stay paid


def test_the_counter_refund_reaches_the_provider(clerk, fee_kept):
    order = paid_by_card(make_performance(rows=1, per_row=4), n=1)
    client = signed_in(clerk)
    shift_open(clerk=clerk, cash_float=Decimal("0"))
    answer = client.post(f"/counter/orders/{order.code}/refund/", follow=True)
    assert "Refunded: Card (online) $50.00. The seats are back on sale." in answer.content.decode()  # less the fee kept
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert refunds_at_provider(order) == [5000]
    back = Payment.objects.get(order=order, status="refunded")
    assert back.amount == Decimal("-50.00") and back.method == "card" and back.created_by == clerk


def test_the_api_refund_reaches_the_provider(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    answer = client_for(organizer).post(f"/api/v1/orders/{order.code}/refund/", format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "refunded"
    assert refunds_at_provider(order) == [10000]


def test_two_refunds_of_one_amount_against_one_payment_are_two_refunds():
    """Each refund carries its own key: the provider's idempotency must not fold a second
    partial refund of the same amount into the first."""
    from sales.orders.charging import refund_at_provider

    order = paid_by_card(make_performance(rows=1, per_row=4))
    paid = Payment.objects.get(order=order, status="approved")
    for _ in range(2):
        row = Payment.objects.create(order=order, method=paid.method, amount=Decimal("-20.00"), refund_of=paid,
                                     status=Payment.Status.REFUNDED, reference=paid.reference, message="refund")
        assert refund_at_provider(order, row, Decimal("20.00"))
    assert refunds_at_provider(order) == [2000, 2000]


def test_a_refund_the_provider_did_not_take_is_sent_again_once_it_answers(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        refunded = order_refund(order=order, actor=organizer)
    assert refunded.status == "refunded" and refunds_at_provider(order) == []
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_OWED
    assert order.events.filter(action="refund pending at provider").exists()
    payments_reconcile()
    payments_reconcile()  # again: nothing more to send
    assert refunds_at_provider(order) == [10000]
    assert Payment.objects.get(order=order, status="refunded").message == "refund"


def refused_at_provider(order: Order) -> None:
    """The provider will not pay this order back: it knows no such payment any more (as
    for a payment disputed or too old, it answers, and asking again gets the same)."""
    Payment.objects.filter(order=order, status="approved").update(reference="pi_unknown_to_the_provider")


def test_a_refund_the_provider_refuses_is_recorded_and_the_organizer_told(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    refused_at_provider(order)
    client = signed_in(organizer)
    answer = client.post("/admin/sales/order/", {"action": "refund", "_selected_action": [order.pk],
                                                  "confirmed": "yes"}, follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200 and "Refunded 1 order." in page
    assert f"{order.code}: the payment provider refused to pay back $100.00. It is still owed" in page
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_REFUSED
    event = order.events.get(action="refund refused by provider")
    assert event.detail.startswith("100.00 CAD: ") and "enter it again" not in event.detail  # the provider's words
    listed = client.get("/admin/sales/order/?refunds=refused").content.decode()
    assert order.code in listed
    assert order.code not in client.get("/admin/sales/order/?refunds=owed").content.decode()


def test_the_counter_is_told_of_a_refund_the_provider_refuses(clerk):
    order = paid_by_card(make_performance(rows=1, per_row=4), n=1)
    refused_at_provider(order)
    shift_open(clerk=clerk, cash_float=Decimal("0"))
    answer = signed_in(clerk).post(f"/counter/orders/{order.code}/refund/", follow=True)
    page = answer.content.decode()
    assert "the payment provider refused to pay back $50.00" in page
    assert "Refunded: $0.00." in page and "Refunded: Card (online) $50.00" not in page  # owed, not paid back


def test_the_api_says_what_the_provider_refused_to_pay_back(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    answer = client_for(organizer).post(f"/api/v1/orders/{order.code}/refund/", format="json")
    assert answer.status_code == 200 and answer.json()["refused_by_provider"] == "0.00"
    order = paid_by_card(make_performance(rows=1, per_row=4))
    refused_at_provider(order)
    answer = client_for(organizer).post(f"/api/v1/orders/{order.code}/refund/", format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "refunded" and answer.json()["refused_by_provider"] == "100.00"


def test_a_slip_says_a_card_refund_the_provider_refused_is_still_owed(clerk):
    """Reprinted after the provider refused to pay back a ticket refunded, the slip does not
    count it paid back: it is still owed, outside the net the buyer paid."""
    order = paid_by_card(make_performance(rows=1, per_row=4))
    refused_at_provider(order)
    tickets_refund(order=order, ticket_ids=[order.tickets.order_by("pk").first().pk], actor=None)
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_REFUSED
    slip = signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode()
    # One payment, nothing back: its own line says what was paid, no sum says it again.
    assert table_rows(slip, 'id="slip-net"') == [["Refund refused by the card provider, still owed", "$50.00"]]


def test_a_slip_says_a_card_refund_the_provider_has_not_taken_is_waiting_for_it(clerk):
    """Printed while the provider has not yet taken the card refund of a ticket (it did not
    answer), the slip does not count it paid back: it waits for the card provider, outside
    the net the buyer paid, until the provider takes it."""
    order = paid_by_card(make_performance(rows=1, per_row=4))
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        tickets_refund(order=order, ticket_ids=[order.tickets.order_by("pk").first().pk], actor=None)
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_OWED
    slip = signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode()
    assert table_rows(slip, 'id="slip-net"') == [["Refund waiting for the card provider", "$50.00"]]
    payments_reconcile()  # the provider answers and takes it: paid back
    slip = signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode()
    assert table_rows(slip, 'id="slip-net"') == [["Refunded", "−$50.00"], ["Net paid", "$50.00"]]


def test_a_refund_refused_when_asked_again_does_not_stop_the_others(organizer):
    """The reconciliation asks again for refunds the provider did not answer; one it now
    refuses is recorded as refused, and the next one is still sent."""
    orders = [paid_by_card(make_performance(rows=1, per_row=4)) for _ in range(2)]
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        for order in orders:
            order_refund(order=order, actor=organizer)
    Payment.objects.filter(order=orders[0]).update(reference="pi_unknown_to_the_provider")
    payments_reconcile()
    assert Payment.objects.get(order=orders[0], status="refunded").message == REFUND_REFUSED
    assert orders[0].events.filter(action="refund refused by provider").exists()
    assert refunds_at_provider(orders[1]) == [10000]
    assert Payment.objects.get(order=orders[1], status="refunded").message == "refund"


def test_a_refund_asked_while_card_payments_are_not_set_up_is_owed_not_refused(organizer):
    order = paid_by_card(make_performance(rows=1, per_row=4))
    with override_settings(STRIPE_SECRET_KEY=""):
        order_refund(order=order, actor=organizer)
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_OWED
    payments_reconcile()  # set up again: the refund is made
    assert refunds_at_provider(order) == [10000]


def test_a_refund_that_fails_after_the_provider_took_it_is_refused_and_listed(organizer):
    """The provider took the refund (pending, say: the card's bank still to answer), then
    tells by a signed event that it failed. The refund is owed by other means."""
    import json

    from django.test import Client

    order = paid_by_card(make_performance(rows=1, per_row=4))
    order_refund(order=order, actor=organizer)
    refund = provider().v1.refunds.list({"payment_intent": order.payment_intent}).data[0]
    row = Payment.objects.get(order=order, status="refunded")
    assert refund.metadata["boxoffice_refund"] == f"refund-{row.pk}" and row.message == "refund"
    failed = {**refund.to_dict(), "status": "failed", "failure_reason": "expired_or_canceled_card"}

    def deliver(kind, body):
        event = json.dumps({"id": "evt_refund", "object": "event", "type": kind, "data": {"object": body}}).encode()
        return Client().post("/payments/stripe/webhook/", event, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=stripe_signature(event))

    assert deliver("charge.refund.updated", refund.to_dict()).status_code == 200  # succeeded: nothing to do
    assert Payment.objects.get(pk=row.pk).message == "refund"
    for _ in range(2):  # delivered, then delivered again
        assert deliver("charge.refund.updated", failed).status_code == 200
    assert Payment.objects.get(pk=row.pk).message == REFUND_REFUSED
    [event] = order.events.filter(action="refund refused by provider")
    assert event.detail == "100.00 CAD: the refund failed at the provider (expired_or_canceled_card)"
    assert order.code in signed_in(organizer).get("/admin/sales/order/?refunds=refused").content.decode()
    # Not ours, or not of the expected shape: nothing changes, and never a 500.
    assert deliver("refund.failed", {**failed, "metadata": {"boxoffice_refund": "refund-999999999"}}).status_code == 200
    assert deliver("refund.failed", {**failed, "metadata": {}}).status_code == 200
    assert deliver("refund.failed", {"object": "refund"}).json()["error"]["code"] == "malformed_event"
    assert deliver("refund.failed", {**failed, "metadata": {"boxoffice_refund": ["x"]}}).status_code == 400


def test_a_refused_refund_paid_back_by_other_means_is_settled_on_the_record(organizer, mailoutbox):
    from sales import notifications

    order = paid_by_card(make_performance(rows=1, per_row=4))
    other = paid_by_card(make_performance(rows=1, per_row=4))
    refused_at_provider(order)
    order_refund(order=order, actor=organizer)
    mailoutbox.clear()
    notifications.send_pending_confirmations()
    [told] = [m for m in mailoutbox if order.code in m.body]  # the buyer is told it is still owed
    assert "Still owed: the card provider refused the refund of" in told.body and "Paid back" not in told.body
    assert "you will be paid back by other means." in told.body
    assert "goes back the way it was paid" not in told.body and "take a few days" not in told.body
    client = signed_in(organizer)
    chosen = {"action": "settle_refused", "_selected_action": [order.pk, other.pk]}
    page = client.post("/admin/sales/order/", chosen).content.decode()
    assert "$100.00" in page and "Nothing refused to settle" in page and "Mark 1 order's refund settled" in page
    blank = client.post("/admin/sales/order/", {**chosen, "confirmed": "yes", "how": " "}).content.decode()
    assert "This field is required." in blank
    assert Payment.objects.get(order=order, status="refunded").message == REFUND_REFUSED
    done = client.post("/admin/sales/order/", {**chosen, "confirmed": "yes", "how": "Cheque 1043"}, follow=True)
    assert "Settled the refused refunds of 1 order." in done.content.decode()
    assert order.code not in client.get("/admin/sales/order/?refunds=refused").content.decode()
    [event] = order.events.filter(action="refund settled by other means")
    assert event.detail == "100.00 CAD: Cheque 1043" and event.actor == organizer
    mailoutbox.clear()
    notifications.send_pending_confirmations()
    [told] = mailoutbox  # and told again once paid back
    assert "Paid back by other means (the card provider refused the refund of" in told.body
    assert "was paid back to you by other means." in told.body and "take a few days" not in told.body
    again = client.post("/admin/sales/order/", {**chosen, "confirmed": "yes", "how": "Cheque 1043"}, follow=True)
    assert "None of these orders has a refund the provider refused." in again.content.decode()
    assert order.events.filter(action="refund settled by other means").count() == 1
    # The provider's failure events for that refund, sent again after it was settled, or
    # naming another payment: nothing changes.
    from sales.orders.charging import REFUND_SETTLED, refund_failed_later, refunds_settle

    row = Payment.objects.get(order=order, status="refunded")
    assert refund_failed_later(f"refund-{row.pk}", "failed", row.reference) == order
    assert refund_failed_later(f"refund-{row.pk}", "failed", "pi_of_another_site") is None
    from sales.orders.charging import refund_at_provider

    assert not refund_at_provider(order, row, Decimal("100.00"), again=True)  # asked again, refused again
    assert Payment.objects.get(pk=row.pk).message == REFUND_SETTLED
    assert not order.events.filter(action="refund refused by provider").exclude(pk__lte=event.pk).exists()
    # Settling is paying back: within the signer's refund limit.
    from sales.errors import NotPermitted
    from sales.policy import COUNTER_CLERK
    from tests.support import make_user

    big = paid_by_card(make_performance(rows=1, per_row=4, price="200.00"))
    refused_at_provider(big)
    order_refund(order=big, actor=organizer)
    with pytest.raises(NotPermitted, match="needs a supervisor"):
        refunds_settle(big, how="Cheque 1044", actor=make_user("clerk-s", COUNTER_CLERK))
    assert Payment.objects.get(order=big, status="refunded").message == REFUND_REFUSED


# What the refund's email says of the money (English, French): sent back to the card, or
# recorded and still on its way to the provider.
SENT_BACK = {"en": ["goes back the way it was paid", "A card refund can take a few days to show on your statement.",
                    "Paid back "],
             "fr": ["vous est rendu par le même moyen de paiement",
                    "Un remboursement sur carte peut prendre quelques jours", "Remboursé le "]}
ON_ITS_WAY = {"en": ["The refund to your card is recorded and on its way: the card provider has not taken it yet",
                     "Being paid back: the refund of "],
              "fr": ["Le remboursement sur votre carte est enregistré et en route\u00a0: le prestataire de carte ne "
                     "l’a pas encore pris", "En cours de remboursement\u00a0: le remboursement du "]}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("why", ["provider silent", "not asked"])
def test_a_refund_not_yet_taken_by_the_provider_is_said_on_its_way_not_back_on_the_card(
        organizer, mailoutbox, language, why):
    """A refund recorded that the provider has not taken (it did not answer, or was not
    asked while silent): the buyer is told it is on its way, not that it is back on their
    card. Once the reconciliation has sent it, nothing more is emailed; a refund the
    provider took at once is told as usual."""
    from sales import notifications
    from sales.orders.cancellation import performance_cancel

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    order = order_place(hold=hold, customer=BUYER, payment=PaymentRequest(method="card", token=card_token()),
                        language=language)
    if why == "provider silent":
        with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
            order_refund(order=order, actor=organizer)
    else:  # a cancelled performance's refunds while the provider has stopped answering
        performance_cancel(performance=perf, note="Storm")
        order_refund(order=order, cancelled_only=True, provider_silent="the provider has not been answering")
    assert refunds_at_provider(order) == [] and Payment.objects.get(order=order, status="refunded").message == \
        REFUND_OWED
    mailoutbox.clear()
    notifications.send_pending_confirmations()
    [told] = [m for m in mailoutbox if order.code in m.body]
    for words in ON_ITS_WAY[language]:
        assert words in told.body, told.body
    for words in [*SENT_BACK[language], "est rendu de la façon dont il a été payé"]:  # (the last: cancelled)
        assert words not in told.body, told.body
    payments_reconcile()  # the provider answers again: the refund is sent, and that is all
    assert refunds_at_provider(order) == [5000]
    mailoutbox.clear()
    notifications.send_pending_confirmations()
    assert mailoutbox == []

    usual = paid_by_card(make_performance(rows=1, per_row=4), n=1)
    Order.objects.filter(pk=usual.pk).update(language=language)
    order_refund(order=usual, actor=organizer)
    notifications.send_pending_confirmations()
    [told] = [m for m in mailoutbox if usual.code in m.body]
    for words in SENT_BACK[language]:
        assert words in told.body, told.body
    for words in ON_ITS_WAY[language]:
        assert words not in told.body, told.body
