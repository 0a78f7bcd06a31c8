"""Card payments through the provider (Stripe's API, served by the local stack's
localstripe): no card number reaches the box office; 3-D Secure, declines, refunds; and
money and seats agree whatever dies between the provider's answer and the sale."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales import notifications
from sales.errors import InvalidRequest, PaymentActionRequired, PaymentDeclined, PaymentProcessing
from sales.holds import hold_create, hold_is_live
from sales.models import Hold, Order, Payment, Place
from sales.orders import CustomerDetails, order_place, order_refund
from sales.orders.settling import payment_confirmed, payments_reconcile
from sales.payments import PaymentRequest
from sales.reports import MONEY_MOVED
from tests.support import (
    booking_fee,
    card_token,
    make_performance,
    places_of,
    process_env,
    provider,
    stripe_signature,
)

BUYER = CustomerDetails(name="Carte Bleue", email="carte@example.org")
DECLINED = "4000000000000341"
THREE_D_SECURE = "4000002500003155"


def card(number: str = "4242424242424242") -> PaymentRequest:
    return PaymentRequest(method="card", token=card_token(number))


def held(perf, n=2):
    return hold_create(performance=perf, channel=Channel.ONLINE,
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])


def authenticate(order: Order, *, success: bool) -> None:
    """What the provider's script does in the cardholder's page after the bank's question."""
    intent = provider().v1.payment_intents.retrieve(order.payment_intent)
    answer = requests.post(f"{django_settings.STRIPE_API_BASE}/v1/payment_intents/{intent.id}/_authenticate"
                           f"?success={'true' if success else 'false'}", timeout=5,
                           data=json.dumps({"key": django_settings.STRIPE_PUBLISHABLE_KEY,
                                            "client_secret": intent.client_secret}))
    answer.raise_for_status()


@pytest.mark.django_db
def test_a_card_payment_goes_through_the_provider_and_no_card_number_reaches_us():
    perf = make_performance(rows=1, per_row=4)
    order = order_place(hold=held(perf), customer=BUYER, payment=card())
    assert order.status == "paid"
    payment = Payment.objects.get(order=order)
    intent = provider().v1.payment_intents.retrieve(payment.reference)
    assert intent.status == "succeeded" and intent.amount == 10000 and intent.metadata["order"] == order.code
    assert order.payment_intent == intent.id and not payment.card_fingerprint
    with pytest.raises(InvalidRequest, match="provider's field"):
        order_place(hold=held(perf), customer=BUYER,
                    payment=PaymentRequest(method="card", token=card_token(), card_number="4242424242424242"))


@pytest.mark.django_db
def test_a_declined_card_is_said_and_the_hold_stays_usable():
    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    with pytest.raises(PaymentDeclined, match="declined"):
        order_place(hold=hold, customer=BUYER, payment=card(DECLINED))
    assert Order.objects.get().status == "failed" and hold_is_live(hold)
    assert order_place(hold=hold, customer=BUYER, payment=card()).status == "paid"


@pytest.mark.django_db
def test_three_d_secure_waits_for_the_cardholder_then_sells_or_fails():
    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    with pytest.raises(PaymentActionRequired) as asked:
        order_place(hold=hold, customer=BUYER, payment=card(THREE_D_SECURE))
    order = Order.objects.get(code=asked.value.detail["order"])
    assert order.status == "pending" and asked.value.detail["client_secret"].startswith(order.payment_intent)
    authenticate(order, success=False)
    assert payment_confirmed(order=order).status == "failed" and hold_is_live(hold)
    with pytest.raises(PaymentActionRequired) as asked:
        order_place(hold=hold, customer=BUYER, payment=card(THREE_D_SECURE))
    order = Order.objects.get(code=asked.value.detail["order"])
    authenticate(order, success=True)
    assert payment_confirmed(order=order).status == "paid"
    assert payment_confirmed(order=order).status == "paid"  # asked again: nothing more happens
    assert Payment.objects.filter(order=order, status="approved").count() == 1


@pytest.mark.django_db
def test_a_refund_reaches_the_provider_and_keeps_a_fee_that_is_not_refundable():
    perf = make_performance(rows=1, per_row=4)
    booking_fee(Channel.ONLINE, per_ticket="3.50")
    order = order_place(hold=held(perf), customer=BUYER, payment=card())
    assert order.total == Decimal("107.00")
    order_refund(order=order)
    refunds = provider().v1.refunds.list({"payment_intent": order.payment_intent}).data
    assert [r.amount for r in refunds] == [10000]  # a partial refund: the fees stay paid


def dies_running(script: str) -> None:
    """Run `script` in a real process of the box office (Django set up, `os` and `signal`
    imported), which must die by SIGKILL where the script says."""
    process = subprocess.run([sys.executable, "-c", "import django, os, signal; django.setup()\n" + script],
                             env=process_env(), cwd=django_settings.BASE_DIR, capture_output=True, text=True,
                             timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr


def paying_by_card(order_hold: Hold) -> str:
    """A script's lines for the request paying for `order_hold` by card (dies_running)."""
    return ("from sales.orders import CustomerDetails, order_place\n"
            "from sales.payments import PaymentRequest\n"
            f"order_place(hold_token={order_hold.token!r}, customer=CustomerDetails(name='Crash', "
            f"email='crash@example.org'), payment=PaymentRequest(method='card', token={card_token()!r}))\n")


def crash_after_the_provider(order_hold: Hold) -> Order:
    """A real request process that places the order and dies (SIGKILL) the moment the
    provider has taken the money, before the sale."""
    dies_running("from sales.orders import charging\n"
                 "real = charging.charge\n"
                 "def charge_then_die(*args, **kwargs):\n"
                 "    real(*args, **kwargs)\n"
                 "    os.kill(os.getpid(), signal.SIGKILL)\n"
                 "charging.charge = charge_then_die\n" + paying_by_card(order_hold))
    order = Order.objects.get(hold=order_hold)
    assert order.status == "pending" and order.payment_intent
    assert provider().v1.payment_intents.retrieve(order.payment_intent).status == "succeeded"
    return order


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_the_providers_success_and_the_sale_is_finished_by_reconciliation():
    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    order = crash_after_the_provider(hold)
    assert payments_reconcile() == 0  # too young: the request may still be finishing it
    later = timezone.now() + timedelta(minutes=2)
    assert payments_reconcile(now=later) == 1
    order.refresh_from_db()
    assert order.status == "paid" and set(Place.objects.filter(hold__isnull=True, tickets__order=order)
                                           .values_list("state", flat=True)) == {"sold"}
    assert payments_reconcile(now=later) == 0
    assert notifications.send_pending_confirmations() == 1
    assert notifications.send_pending_confirmations() == 0
    assert [m.to for m in mail.outbox] == [["crash@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_crash_whose_seats_were_sold_meanwhile_is_paid_back():
    perf = make_performance(rows=1, per_row=2)
    hold = held(perf)
    order = crash_after_the_provider(hold)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    Place.objects.filter(hold=hold).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    again = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)])
    other = order_place(hold=again, customer=CustomerDetails(name="Other", email="o@example.org"), payment=card())
    assert other.status == "paid"
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    order.refresh_from_db()
    assert order.status == "failed" and "refunded" in order.failure_reason
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data] == [10000]
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))  # again: no second refund
    assert len(provider().v1.refunds.list({"payment_intent": order.payment_intent}).data) == 1
    # Taken and paid straight back: on the books, as a sale that failed at once, nothing moved.
    assert list(order.payments.values_list("status", "amount")) == [("refunded", Decimal("100.00"))]
    moved = Payment.objects.filter(MONEY_MOVED, order__performance=perf)
    assert list(moved.values_list("order__code", "amount")) == [(other.code, Decimal("100.00"))]


def crash_after_paying_back(order_hold: Hold) -> Order:
    """A real request process whose card is charged as the hold lapses and its seats go to
    another buyer's hold: the sale fails, the charge is paid back at the provider, and the
    process dies (SIGKILL) the moment the provider has answered, before the payback is
    recorded or the order failed."""
    dies_running("from datetime import timedelta\n"
                 "from django.utils import timezone\n"
                 "from events.models import Channel\n"
                 "from sales.holds import hold_create\n"
                 "from sales.models import Hold, Place\n"
                 "from sales.orders import charging\n"
                 "from sales.payments import PROVIDERS\n"
                 "real_charge, real_refund = charging.charge, PROVIDERS['card'].refund\n"
                 "def charge_as_the_hold_lapses(order, *args, **kwargs):\n"
                 "    charged = real_charge(order, *args, **kwargs)\n"
                 "    past = timezone.now() - timedelta(minutes=1)\n"
                 "    Hold.objects.filter(pk=order.hold_id).update(expires_at=past)\n"
                 "    places = list(Place.objects.filter(hold_id=order.hold_id).values_list('pk', flat=True))\n"
                 "    Place.objects.filter(pk__in=places).update(hold_expires_at=past)\n"
                 "    hold_create(performance=order.performance, channel=Channel.ONLINE, place_ids=places)\n"
                 "    return charged\n"
                 "def refund_then_die(**kwargs):\n"
                 "    real_refund(**kwargs)\n"
                 "    os.kill(os.getpid(), signal.SIGKILL)\n"
                 "charging.charge = charge_as_the_hold_lapses\n"
                 "PROVIDERS['card'].refund = refund_then_die\n" + paying_by_card(order_hold))
    order = Order.objects.get(hold=order_hold)
    assert order.status == "pending" and not order.payments.exists()  # nothing recorded of the payback
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data] == [10000]
    return order


@pytest.mark.parametrize("seats", ["free again", "still held by another buyer"])
@pytest.mark.django_db(transaction=True)
def test_a_crash_after_paying_back_a_charge_that_sold_nothing_sells_nothing_and_pays_back_once(seats):
    """The card was paid back at the provider and the request died before it said so: the
    payment still reads `succeeded` there. The reconciliation neither sells the order for
    money that went back (the seats free again meanwhile) nor pays the card back twice
    (the seats still taken): the order fails, with the payback on its record."""
    perf = make_performance(rows=1, per_row=2)
    hold = held(perf)
    order = crash_after_paying_back(hold)
    other = Hold.objects.exclude(pk=hold.pk).get()
    if seats == "free again":  # the other buyer's hold lapsed unpaid: the seats could be sold
        Hold.objects.filter(pk=other.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        Place.objects.filter(hold=other).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    later = timezone.now() + timedelta(minutes=2)
    payments_reconcile(now=later)
    order.refresh_from_db()
    assert order.status == "failed" and "refunded" in order.failure_reason, (order.status, order.failure_reason)
    assert not order.tickets.exists() and not Place.objects.filter(state="sold").exists()
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data] == [10000]
    assert list(order.payments.values_list("status", "amount")) == [("refunded", Decimal("100.00"))]
    assert payments_reconcile(now=later) == 0  # settled: not asked again
    assert len(provider().v1.refunds.list({"payment_intent": order.payment_intent}).data) == 1
    assert not Payment.objects.filter(MONEY_MOVED, order__performance=perf).exists()  # nothing moved, on the books


def refund_and_die(order: Order, *, when: str, tickets: bool = False) -> None:
    """A real process that refunds `order` (in full, or its first ticket: `tickets`) and is
    killed (SIGKILL) once the refund is recorded: `before` the provider is asked to pay it
    back, or `after` the provider has paid it back, before its answer is recorded."""
    refund = ("tickets_refund(order=order, ticket_ids=[order.tickets.order_by('pk').first().pk], actor=None)"
              if tickets else "order_refund(order=order)")
    dies_running("from sales.models import Order\n"
                 "from sales.orders import order_refund, tickets_refund\n"
                 "from sales.payments import PROVIDERS\n"
                 "real = PROVIDERS['card'].refund\n"
                 "def refund_but_die(**kwargs):\n"
                 f"    if {when!r} == 'after':\n"
                 "        real(**kwargs)\n"
                 "    os.kill(os.getpid(), signal.SIGKILL)\n"
                 "PROVIDERS['card'].refund = refund_but_die\n"
                 f"order = Order.objects.get(pk={order.pk})\n"
                 f"{refund}\n")


@pytest.mark.parametrize("tickets", [False, True], ids=["order", "one ticket"])
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.django_db(transaction=True)
def test_a_refund_whose_request_died_once_it_was_recorded_is_paid_back_once(when, tickets):
    """The refund is recorded (the order refunded, its tickets void) and the request dies
    before the provider is asked, or once it has paid back before the answer is kept: the
    card is paid back all the same, by the reconciliation, and only once."""
    perf = make_performance(rows=1, per_row=2)
    order = order_place(hold=held(perf), customer=BUYER, payment=card())
    refund_and_die(order, when=when, tickets=tickets)
    order.refresh_from_db()
    assert order.status == ("paid" if tickets else "refunded")
    refunds = provider().v1.refunds.list({"payment_intent": order.payment_intent}).data
    assert len(refunds) == (1 if when == "after" else 0)
    later = timezone.now() + timedelta(hours=1)
    payments_reconcile(now=later)
    back = 5000 if tickets else 10000
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data] == [back]
    payments_reconcile(now=later)  # again: nothing more
    assert [r.amount for r in provider().v1.refunds.list({"payment_intent": order.payment_intent}).data] == [back]
    row = order.payments.get(status="refunded")
    assert row.amount == -Decimal(back) / 100 and row.message == "refund"


@pytest.mark.django_db
def test_the_webhook_refuses_a_bad_signature_and_a_replay_changes_nothing(client):
    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    with pytest.raises(PaymentActionRequired) as asked:
        order_place(hold=hold, customer=BUYER, payment=card(THREE_D_SECURE))
    order = Order.objects.get(code=asked.value.detail["order"])
    authenticate(order, success=True)
    event = json.dumps({"id": "evt_test", "object": "event", "type": "payment_intent.succeeded",
                        "data": {"object": {"id": order.payment_intent, "object": "payment_intent"}}}).encode()
    forged = client.post("/payments/stripe/webhook/", event, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=stripe_signature(event, "whsec_someone_else"))
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "bad_signature"
    as_a_form = client.post("/payments/stripe/webhook/", {"type": "payment_intent.succeeded"})
    assert as_a_form.status_code == 400 and as_a_form.json()["error"]["code"] == "bad_signature"
    assert Order.objects.get(pk=order.pk).status == "pending"
    for _ in range(2):  # delivered, then delivered again
        answer = client.post("/payments/stripe/webhook/", event, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=stripe_signature(event))
        assert answer.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert Payment.objects.filter(order=order, status="approved").count() == 1


@pytest.mark.django_db
def test_an_api_buyer_pays_by_card_confirming_with_the_bank():
    from tests.support import BUYER as API_BUYER
    from tests.support import client_for

    perf = make_performance(rows=1, per_row=4)
    client = client_for()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]}, format="json")
    answer = client.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": API_BUYER,
                                             "payment": {"method": "card", "token": card_token(THREE_D_SECURE)}},
                         format="json")
    assert answer.status_code == 402, answer.content
    error = answer.json()["error"]
    assert error["code"] == "payment_action_required" and error["client_secret"]
    order = Order.objects.get(code=error["order"])
    authenticate(order, success=True)
    wrong = client.post(f"/api/v1/orders/{order.code}/confirm-payment/", {"client_secret": "pi_x_secret_y"},
                        format="json")
    assert wrong.status_code == 404 and Order.objects.get(pk=order.pk).status == "pending"
    done = client.post(f"/api/v1/orders/{order.code}/confirm-payment/", {"client_secret": error["client_secret"]},
                       format="json")
    assert done.status_code == 200 and done.json()["status"] == "paid"


@pytest.mark.django_db
def test_an_api_buyer_who_left_the_bank_step_pays_for_the_same_hold_with_another_card():
    """The bank's question never answered (the buyer closed it): another card for the same
    hold gives that payment up, as the shop does, rather than refusing it until the hold
    lapses."""
    from tests.support import BUYER as API_BUYER
    from tests.support import client_for

    perf = make_performance(rows=1, per_row=4)
    client = client_for()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                       format="json").json()["token"]
    first = client.post("/api/v1/orders/", {"hold": hold, "customer": API_BUYER,
                                            "payment": {"method": "card", "token": card_token(THREE_D_SECURE)}},
                        format="json", headers={"Idempotency-Key": "bank-step-left-first-try"})
    assert first.status_code == 402
    again = client.post("/api/v1/orders/", {"hold": hold, "customer": API_BUYER,
                                            "payment": {"method": "card", "token": card_token()}},
                        format="json", headers={"Idempotency-Key": "bank-step-left-other-card"})
    assert again.status_code == 201 and again.json()["status"] == "paid", again.content
    given_up = Order.objects.get(code=first.json()["error"]["order"])
    assert given_up.status == "failed" and given_up.payments.filter(status="approved").count() == 0
    assert provider().v1.payment_intents.retrieve(given_up.payment_intent).status == "canceled"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    b"[1, 2]",
    b'{"id": "evt_x", "object": "event", "type": "payment_intent.succeeded"}',
    b'{"id": "evt_x", "object": "event", "type": "payment_intent.succeeded", "data": {}}',
    b'{"id": "evt_x", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": 7}}}',
    b'{"id": "evt_x", "object": "event", "type": 7}',
])
def test_a_signed_event_of_the_wrong_shape_is_a_400_not_a_500(body):
    answer = Client(raise_request_exception=False).post(
        "/payments/stripe/webhook/", body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body))
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"] == "malformed_event"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_request_sent_again_at_the_same_moment_charges_nothing(monkeypatch):
    """A double click on Pay: two requests with one key both find no order yet, and the
    second's insert meets the first's. The second charges nothing (it used to charge the
    first's order again and pay one back) and is told the payment is under way."""
    import threading

    from django.db import connection

    from sales.errors import InProgress
    from sales.orders import placing

    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    real, main = placing.create_order, threading.current_thread()
    second_read, first_inserted, seen = threading.Event(), threading.Event(), []

    def again():
        try:
            seen.append(order_place(hold=hold, customer=BUYER, payment=card(), idempotency_key="shop:double"))
        except Exception as exc:  # noqa: BLE001 - what the second request met, asserted below
            seen.append(exc)
        finally:
            connection.close()

    def create_order(**kwargs):
        if threading.current_thread() is not main:  # the second: it read before the first inserted
            second_read.set()
            first_inserted.wait(10)
            return real(**kwargs)
        thread = threading.Thread(target=again)
        thread.start()
        second_read.wait(10)
        order = real(**kwargs)
        first_inserted.set()
        thread.join()
        return order

    monkeypatch.setattr(placing, "create_order", create_order)
    order = order_place(hold=hold, customer=BUYER, payment=card(), idempotency_key="shop:double")
    assert order.status == "paid"
    assert len(seen) == 1 and isinstance(seen[0], InProgress), seen
    assert [p.status for p in order.payments.all()] == ["approved"]


@pytest.mark.django_db
def test_a_bank_step_answered_too_early_asks_the_bank_again(client):
    """"I have answered my bank" pressed before answering: the bank's question comes back
    (the same payment), not a basket whose seats are stuck in a payment nobody can finish."""
    perf = make_performance(rows=1, per_row=4)
    client.get(f"/performances/{perf.pk}/")
    held_page = client.post(f"/performances/{perf.pk}/hold/", {"zone": perf.price_zones.get().pk, "quantity": 1},
                            follow=True)
    assert held_page.status_code == 200
    nonce = re.search(r'name="nonce" value="([^"]+)"', held_page.content.decode())[1]
    asked = client.post("/checkout/", {"name": "Camille Roy", "email": "camille@example.org",
                                       "card_token": card_token(THREE_D_SECURE), "nonce": nonce})
    assert "Confirm with your bank" in asked.content.decode()
    secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode())[1]
    order = Order.objects.get()
    # The form sent again (Back, then Pay): the same payment's question, not a second payment.
    again = client.post("/checkout/", {"name": "Camille Roy", "email": "camille@example.org",
                                       "card_token": card_token(THREE_D_SECURE), "nonce": nonce})
    assert "Confirm with your bank" in again.content.decode() and secret in again.content.decode()
    assert Order.objects.count() == 1
    early = client.post(f"/checkout/{order.code}/bank/", {"client_secret": secret})
    page = early.content.decode()
    assert early.status_code == 200 and "Confirm with your bank" in page and secret in page
    assert "Your bank has not answered yet" in page
    authenticate(order, success=True)
    done = client.post(f"/checkout/{order.code}/bank/", {"client_secret": secret})
    assert done.status_code == 302 and Order.objects.get().status == "paid"


@pytest.mark.django_db
def test_back_and_pay_after_the_banks_confirmation_lead_to_the_order(client):
    """A payment the bank confirmed is remembered as a card paid at once is: the basket page
    opened again says the order is paid, and its form sent again (Back, then Pay, or the
    browser's resubmit) leads to the order, not to "Your basket is empty"."""
    perf = make_performance(rows=1, per_row=4)
    client.get(f"/performances/{perf.pk}/")
    held_page = client.post(f"/performances/{perf.pk}/hold/", {"zone": perf.price_zones.get().pk, "quantity": 1},
                            follow=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', held_page.content.decode())[1]
    form = {"name": "Camille Roy", "email": "camille@example.org", "nonce": nonce}
    asked = client.post("/checkout/", {**form, "card_token": card_token(THREE_D_SECURE)})
    secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode())[1]
    order = Order.objects.get()
    authenticate(order, success=True)
    done = client.post(f"/checkout/{order.code}/bank/", {"client_secret": secret})
    order_url = f"/orders/{order.code}/{order.access_token}/"
    assert done.status_code == 302 and done["Location"] == order_url
    basket = client.get("/basket/").content.decode()
    assert order.code in basket and order_url in basket
    again = client.post("/checkout/", {**form, "card_token": card_token()}, follow=True)
    assert again.redirect_chain[-1][0] == order_url and "already paid" in again.content.decode()
    assert Order.objects.count() == 1 and Payment.objects.filter(status="approved").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("intent", ["\ud800", "pi_\u0000", "pi 1", ""])
def test_a_signed_event_naming_no_storable_payment_is_refused_in_json(client, intent):
    """Signed with the secret, but its payment's id is no id the provider gives (a lone
    surrogate, a NUL): refused as an event of the wrong shape, in JSON."""
    event = json.dumps({"id": "evt_odd", "object": "event", "type": "payment_intent.succeeded",
                        "data": {"object": {"id": intent, "object": "payment_intent"}}}).encode()
    answer = client.post("/payments/stripe/webhook/", event, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=stripe_signature(event))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_event"
    refund = json.dumps({"id": "evt_odd", "object": "event", "type": "refund.failed", "data": {"object": {
        "object": "refund", "status": "failed", "metadata": {"boxoffice_refund": "refund-1\ud800"},
        "payment_intent": "pi_1"}}}).encode()
    answer = client.post("/payments/stripe/webhook/", refund, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=stripe_signature(refund))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_event"


def under_a_limit_of_four(perf) -> None:
    """A queued on-sale of `perf` that caps each customer at four tickets."""
    from sales.models import WaitingRoom

    WaitingRoom.objects.create(performance=perf, opens_at=timezone.now(), admit_per_minute=60, customer_limit=4)


def payment_method(number: str) -> PaymentRequest:
    """A card given as the provider's PaymentMethod (`pm_...`), as its card field gives it."""
    method = provider().v1.payment_methods.create({"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}})
    return PaymentRequest(method="card", token=method.id)


@pytest.mark.django_db
def test_the_customer_limit_counts_a_card_paid_through_the_provider_under_any_address():
    """One card, two addresses: the provider's fingerprint of the card counts the first
    order's tickets against the second, which is refused before any money is taken."""
    perf = make_performance(rows=2, per_row=8)
    under_a_limit_of_four(perf)
    first = order_place(hold=held(perf, 3), customer=CustomerDetails(name="A", email="ana@example.org"),
                        payment=card())
    hold = held(perf, 2)
    for same_card in (card(), payment_method("4242424242424242")):  # a token, or a PaymentMethod
        with pytest.raises(InvalidRequest, match="at most 4 tickets per customer.*already have 3"):
            order_place(hold=hold, customer=CustomerDetails(name="B", email="bea@example.net"), payment=same_card)
    # Refused before its order was written: no order, so nothing asked of the provider to charge.
    assert list(Order.objects.values_list("pk", flat=True)) == [first.pk] and Payment.objects.count() == 1
    assert hold_is_live(hold)
    other = order_place(hold=hold, customer=CustomerDetails(name="B", email="bea@example.net"),
                        payment=payment_method("5555555555554444"))
    assert other.status == "paid"
    # Kept as a keyed hash of the provider's fingerprint, one per card.
    kept = [Payment.objects.get(order=o).card_fingerprint for o in (first, other)]
    assert all(len(f) == 64 for f in kept) and kept[0] != kept[1]


@pytest.mark.django_db
def test_a_card_whose_bank_confirmed_later_counts_for_the_customer_limit_too():
    perf = make_performance(rows=2, per_row=8)
    under_a_limit_of_four(perf)
    with pytest.raises(PaymentActionRequired) as asked:
        order_place(hold=held(perf, 3), customer=BUYER, payment=card(THREE_D_SECURE))
    order = Order.objects.get(code=asked.value.detail["order"])
    authenticate(order, success=True)
    assert payment_confirmed(order=order).status == "paid"
    with pytest.raises(InvalidRequest, match="at most 4 tickets per customer.*already have 3"):
        order_place(hold=held(perf, 2), customer=CustomerDetails(name="B", email="bea@example.net"),
                    payment=card(THREE_D_SECURE))


@pytest.mark.django_db
def test_the_provider_away_when_its_card_is_counted_leaves_nothing_written_and_says_so():
    from django.test import override_settings

    from sales.errors import ProviderUnavailable

    perf = make_performance(rows=1, per_row=4)
    under_a_limit_of_four(perf)
    hold, typed = held(perf), card()
    away = override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0)  # nothing listens
    with away, pytest.raises(ProviderUnavailable, match="did not answer: nothing was charged and the places are still"):
        order_place(hold=hold, customer=BUYER, payment=typed)
    assert not Order.objects.exists() and not Payment.objects.exists() and hold_is_live(hold)
    assert order_place(hold=hold, customer=BUYER, payment=typed).status == "paid"


def sepa_debit(iban: str) -> PaymentRequest:
    """A payment method whose money the provider takes out of band: its payment stays
    `processing` for a while after it is confirmed (localstripe: half a second for a SEPA
    debit; this IBAN's then fails)."""
    method = provider().v1.payment_methods.create({"type": "sepa_debit", "sepa_debit": {"iban": iban}})
    return PaymentRequest(method="card", token=method.id)


SEPA_FAILS_LATER = "DE62370400440532013001"


@pytest.mark.django_db(transaction=True)
def test_a_payment_the_provider_is_still_processing_waits_with_its_places_held():
    """`processing` is no decline: the money may yet arrive. The order waits, its places
    held, and the provider's later answer settles it (here: failed, so the order fails and
    its hold can be paid for again)."""
    perf = make_performance(rows=1, per_row=4)
    hold = held(perf)
    with pytest.raises(PaymentProcessing) as waiting:
        order_place(hold=hold, customer=BUYER, payment=sepa_debit(SEPA_FAILS_LATER))
    order = Order.objects.get(code=waiting.value.detail["order"])
    assert waiting.value.code == "in_progress" and waiting.value.status == 409
    assert order.status == "pending" and order.payment_intent and hold_is_live(hold)
    assert not order.payments.exists()  # nothing declined on its record
    assert set(Place.objects.filter(hold=hold).values_list("state", flat=True)) == {"held"}
    deadline = time.monotonic() + 10
    while provider().v1.payment_intents.retrieve(order.payment_intent).status == "processing":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    order.refresh_from_db()
    assert order.status == "failed" and "declined" in order.failure_reason and hold_is_live(hold)
    assert list(order.payments.values_list("status", flat=True)) == ["declined"]
    assert order_place(hold=hold, customer=BUYER, payment=card()).status == "paid"


def intent_object(status: str, **fields):
    import stripe

    return stripe.PaymentIntent.construct_from({"id": "pi_processing", "object": "payment_intent", "status": status,
                                                "amount": 10000, "currency": "eur",
                                                "client_secret": "pi_processing_secret_x", **fields}, "sk_test")


def test_the_providers_processing_is_an_answer_still_to_come_not_a_decline():
    from sales.payments import StripeProvider

    answer = StripeProvider.answer(intent_object("processing"))
    assert (answer.approved, answer.pending, answer.client_secret, answer.reference) == (
        False, True, "", "pi_processing")
    asked = StripeProvider.answer(intent_object("requires_action"))
    assert asked.pending and asked.client_secret == "pi_processing_secret_x"
    declined = StripeProvider.answer(intent_object("requires_payment_method",
                                                   last_payment_error={"code": "card_declined"}))
    assert not declined.approved and not declined.pending


def confirmations_asked_for(order_id: int) -> int:
    """How many times the worker has been asked, on the broker (Redis), to send this order's
    email (sales.enqueue.send_order_confirmation), and not yet done it (no worker runs here)."""
    from celery import current_app

    with current_app.connection_for_read() as conn:
        client = conn.default_channel.client
        asked = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    return sum(1 for message in asked if message["headers"]["task"] == "sales.tasks.send_order_confirmation"
               and message["headers"]["argsrepr"] == f"({order_id},)")


@pytest.mark.django_db(transaction=True)
def test_the_email_a_dead_refund_request_left_waiting_is_asked_for_when_the_refund_is_sent_again():
    """Some tickets of an order bought days ago refunded, and the request killed before the
    provider answered: the confirmation it queued waited for that answer (the refund being
    sent), and no sweep looks at an order paid days ago. The reconciliation that sends the
    refund again asks for it, and it tells the refund paid back."""
    from celery import current_app

    perf = make_performance(rows=1, per_row=2)
    order = order_place(hold=held(perf), customer=BUYER, payment=card())
    assert notifications.send_confirmation(order.pk)
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(days=3))
    refund_and_die(order, when="before", tickets=True)
    assert notifications.send_confirmation(order.pk) is False  # the worker, meanwhile: its refund is being asked
    current_app.control.purge()
    assert notifications.send_pending_confirmations() == 0  # paid days ago: not the sweep's
    mail.outbox.clear()
    payments_reconcile(now=timezone.now() + timedelta(hours=1))
    assert confirmations_asked_for(order.pk) == 1
    assert notifications.send_confirmation(order.pk)  # as the worker does, asked
    [told] = mail.outbox
    assert "Paid back " in told.body and "on its way" not in told.body, told.body


@pytest.mark.django_db(transaction=True)
def test_an_api_retry_while_the_payment_is_processing_is_told_so_and_later_gets_what_stands():
    """The API's answer to a payment the provider is still processing is a 409 in_progress,
    which the key does not keep: a retry with the same key meanwhile is told the same, not
    a 201 for an order not paid (kept as the key's answer for good), and once the provider
    has answered, a retry gets what then stands."""
    from tests.support import BUYER as API_BUYER
    from tests.support import client_for

    perf = make_performance(rows=1, per_row=4)
    client = client_for()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                       format="json").json()["token"]
    body = {"hold": hold, "customer": API_BUYER,
            "payment": {"method": "card", "token": sepa_debit(SEPA_FAILS_LATER).token}}

    def pay():
        return client.post("/api/v1/orders/", body, format="json",
                           headers={"Idempotency-Key": "sepa-processing-first-try"})

    first = pay()
    assert first.status_code == 409 and first.json()["error"]["code"] == "in_progress", first.content
    order = Order.objects.get(code=first.json()["error"]["order"])
    again = pay()
    assert again.status_code == 409 and again.json()["error"]["code"] == "in_progress", again.content
    assert again.json()["error"]["order"] == order.code
    deadline = time.monotonic() + 10
    while provider().v1.payment_intents.retrieve(order.payment_intent).status == "processing":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    payments_reconcile(now=timezone.now() + timedelta(minutes=2))
    assert Order.objects.get(pk=order.pk).status == "failed"
    later = pay()
    assert later.status_code == 402 and later.json()["error"]["code"] == "payment_declined", later.content
