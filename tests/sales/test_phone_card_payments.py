"""Cards by phone and payment links through the provider (localstripe), and what each door
says when the provider declines, the bank's question fails, or the provider is down or
silent: the hold stays usable until it lapses."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from events.models import Channel
from sales import inventory, notifications
from sales.holds import hold_create, hold_is_live
from sales.models import Customer, Hold, Order, Payment, Place
from sales.orders import reservations_tidy
from sales.orders.settling import payment_settle
from sales.policy import PHONE_OPERATOR
from tests.sales.test_card_payments import authenticate
from tests.support import BUYER, card_token, client_for, make_performance, make_user, places_of, provider, signed_in

pytestmark = pytest.mark.django_db
THREE_D_SECURE = "4000002500003155"
DECLINED = "4000000000000341"


def console_sale(perf, quantity=2):
    """An operator with a caller on the line, their places held: the console and the sale's URL."""
    phone = signed_in(make_user("operator-card", PHONE_OPERATOR))
    phone.post("/phone/customers/new/", {"name": "Élise Tremblay", "email": "elise@example.org"})
    caller = Customer.objects.get(email="elise@example.org")
    phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                        "quantity": quantity})
    hold = Hold.objects.get(status=Hold.Status.ACTIVE, channel=Channel.PHONE)
    return phone, f"/phone/customers/{caller.pk}/sale/{hold.pk}/", hold


def text_of(response) -> str:
    """The page's words, its tags out ("Stalls <span>A-1</span>" reads "Stalls A-1")."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'"))


def test_the_console_takes_a_moto_payment_by_token_and_no_card_number():
    perf = make_performance(rows=1, per_row=4)
    phone, url, hold = console_sale(perf)
    number = phone.post(url, {"action": "pay", "card_number": "4242424242424242", "attempt": "1"})
    assert number.status_code == 400 and "Type the caller's card into the card field." in text_of(number)
    # What the provider's field said, when it gave no token, is what the operator reads.
    short = phone.post(url, {"action": "pay", "card_error": "Your card number is incomplete.", "attempt": "1"})
    assert short.status_code == 400 and "Your card number is incomplete." in text_of(short)
    assert not Order.objects.exists()
    # The bank asks its question anyway (localstripe ignores the MOTO flag): the operator
    # cannot ask the caller, so nothing is charged and the page says what to do instead.
    asked = phone.post(url, {"action": "pay", "card_token": card_token(THREE_D_SECURE), "attempt": "2"})
    assert asked.status_code == 400 and "send the caller a payment link instead" in text_of(asked)
    failed = Order.objects.get(status="failed")
    assert provider().v1.payment_intents.retrieve(failed.payment_intent).status == "canceled"
    assert hold_is_live(hold)
    paid = phone.post(url, {"action": "pay", "card_token": card_token(), "attempt": "3"})
    assert paid.status_code == 302
    order = Order.objects.get(status="paid")
    intent = provider().v1.payment_intents.retrieve(order.payment_intent)
    assert intent.status == "succeeded" and intent.to_dict()["metadata"]["method"] == "card_not_present"
    assert order.payments.get(status="approved").method == "card_not_present"


def test_a_payment_link_in_the_callers_language_pays_once_and_sends_the_tickets_once():
    perf = make_performance(rows=1, per_row=4)
    phone, url, hold = console_sale(perf)
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    reserved = phone.post(url, {"action": "link", "deadline": when, "language": "fr"}, follow=True)
    assert "The payment link was emailed to elise@example.org." in text_of(reserved)
    order = Order.objects.get()
    assert order.status == "reserved" and order.language == "fr"
    [link_mail] = mail.outbox
    assert link_mail.to == ["elise@example.org"] and link_mail.subject == (
        f"Payez votre réservation\u00a0: {perf.event.title} — commande {order.code}")
    link = re.search(r"http\S+/pay/", link_mail.body).group(0)
    assert "Payez par carte ici" in link_mail.body and link.endswith(f"/orders/{order.code}/{order.access_token}/pay/")
    assert order.events.filter(action="payment link sent").exists()

    caller = Client(HTTP_ACCEPT_LANGUAGE="fr")
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = caller.get("/" + path)
    assert page.status_code == 200 and "data-card-frame" in page.content.decode()
    assert "Payez votre réservation" in text_of(page)
    # The caller sees what they pay for: each seat held for them, and its price.
    held = [str(p) for p in Place.objects.filter(hold_id=order.hold_id).order_by("pk")]
    assert held and all(label in text_of(page) for label in held) and "Montant à payer" in text_of(page)
    assert caller.get(f"/orders/{order.code}/not-the-token/pay/").status_code == 404
    declined = caller.post("/" + path, {"card_token": card_token(DECLINED)})
    assert declined.status_code == 402 and "Paiement refusé" in text_of(declined)
    assert Order.objects.get(pk=order.pk).status == "reserved" and hold_is_live(hold)
    paid = caller.post("/" + path, {"card_token": card_token()})
    assert paid.status_code == 302 and paid["Location"] == f"/orders/{order.code}/{order.access_token}/"
    order.refresh_from_db()
    assert order.status == "paid" and {p.state for p in Place.objects.filter(tickets__order=order)} == {"sold"}
    approved = order.payments.get(status="approved")
    assert approved.method == "card" and provider().v1.payment_intents.retrieve(
        approved.reference).status == "succeeded"
    again = caller.post("/" + path, {"card_token": card_token()})  # the form sent again: no second payment
    assert again.status_code == 302 and order.payments.filter(status="approved").count() == 1
    assert notifications.send_pending_confirmations() == 1
    assert notifications.send_pending_confirmations() == 0
    tickets = [m for m in mail.outbox if m is not link_mail]
    assert [m.to for m in tickets] == [["elise@example.org"]] and tickets[0].subject.startswith("Vos billets")


def test_a_payment_link_with_the_banks_question_pays_or_waits_for_another_try():
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf, quantity=1)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "link", "deadline": when, "language": "en"})
    order = Order.objects.get()
    caller, pay = Client(), f"/orders/{order.code}/{order.access_token}/pay/"
    # Never kept by the browser: Back after paying asks again, and finds the order paid.
    assert "no-store" in caller.get(pay)["Cache-Control"]
    asked = caller.post(pay, {"card_token": card_token(THREE_D_SECURE)})
    assert asked.status_code == 200 and "Confirm with your bank" in text_of(asked)
    assert "no-store" in asked["Cache-Control"]
    secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode()).group(1)
    order.refresh_from_db()
    authenticate(order, success=False)
    failed = caller.post(f"/checkout/{order.code}/bank/", {"client_secret": secret}, follow=True)
    assert "your bank did not confirm it" in text_of(failed)
    order.refresh_from_db()
    assert order.status == "reserved" and not order.payment_intent  # the reservation waits for another payment
    assert order.payments.filter(status="declined").count() == 1
    asked = caller.post(pay, {"card_token": card_token(THREE_D_SECURE)})
    assert asked.status_code == 200  # a new try at once: the last one's claim ended with its answer
    secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode()).group(1)
    order.refresh_from_db()
    authenticate(order, success=True)
    done = caller.post(f"/checkout/{order.code}/bank/", {"client_secret": secret})
    assert done.status_code == 302 and done["Location"] == f"/orders/{order.code}/{order.access_token}/"
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_the_banks_answer_to_a_payment_link_is_said_in_the_customers_language():
    """The payment link's pages speak the language of its email, whatever the browser's;
    so do the words after the bank's answer, not the browser's language in the middle of
    a French page."""
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf, quantity=1)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "link", "deadline": when, "language": "fr"})
    order = Order.objects.get()
    caller, pay = Client(HTTP_ACCEPT_LANGUAGE="en"), f"/orders/{order.code}/{order.access_token}/pay/"
    for success, said in ((False, "votre banque ne l’a pas confirmé"), (True, "Merci ! Vos billets sont ci-dessous")):
        asked = caller.post(pay, {"card_token": card_token(THREE_D_SECURE)})
        assert "Confirmez auprès de votre banque" in text_of(asked)
        secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode()).group(1)
        order.refresh_from_db()
        authenticate(order, success=success)
        answered = text_of(caller.post(f"/checkout/{order.code}/bank/", {"client_secret": secret}, follow=True))
        assert said in answered, answered
        assert "Thank you" not in answered and "your bank did not confirm" not in answered


def test_a_payment_link_not_paid_by_its_deadline_releases_the_seats():
    perf = make_performance(rows=1, per_row=4)
    phone, url, hold = console_sale(perf)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "link", "deadline": when})
    order = Order.objects.get()
    past = timezone.now() - timedelta(minutes=1)  # the deadline passes, as a clock would
    Order.objects.filter(pk=order.pk).update(payment_deadline=past)
    Place.objects.filter(hold=hold).update(hold_expires_at=past)
    pay = f"/orders/{order.code}/{order.access_token}/pay/"
    late = Client().post(pay, {"card_token": card_token()})
    assert late.status_code == 409 and "The payment deadline has passed" in text_of(late)
    assert reservations_tidy() == 1
    assert Order.objects.get(pk=order.pk).status == "cancelled" and not Payment.objects.exists()
    assert "The payment deadline has passed" in text_of(Client().get(pay))
    again = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:2]])
    assert again.places.count() == 2  # the seats are on sale again


@pytest.fixture
def provider_down():
    """What the box office meets when the provider is down (nothing listens: refused) or
    silent (it takes the connection and never answers: a time-out)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 8112))  # within this suite's ports
    silent.listen(64)

    def fault(kind: str):
        base = {"down": "http://127.0.0.1:8113", "silent": "http://127.0.0.1:8112"}[kind]
        return override_settings(STRIPE_API_BASE=base, STRIPE_TIMEOUT_SECONDS=0.5, STRIPE_NETWORK_RETRIES=0)

    yield fault
    silent.close()


def test_the_banks_answer_page_with_the_provider_down_gives_no_one_the_orders_private_link(provider_down):
    """Whoever posts an order's code to the bank's answer page while the provider cannot
    check their secret is told to wait, not sent to the order's private payment page."""
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf, quantity=1)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "link", "deadline": when, "language": "en"})
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(payment_intent="pi_in_progress")  # a bank step under way
    with provider_down("down"):
        guess = Client().post(f"/checkout/{order.code}/bank/", {"client_secret": "a guess"})
        answer = Client().post(f"/checkout/{order.code}/bank/", {"client_secret": "pi_in_progress_secret_guess"})
    # A secret that does not name the order's payment is refused without asking the provider.
    assert guess.status_code == 404 and order.access_token not in guess.content.decode()
    assert answer.status_code == 503 and order.access_token not in answer.content.decode()
    assert order.access_token not in answer.get("Location", "")
    assert "The payment provider did not answer" in text_of(answer)
    assert Order.objects.get(pk=order.pk).status == "reserved"


@pytest.mark.parametrize("kind", ["down", "silent"])
def test_a_provider_down_or_silent_is_said_in_each_channel_and_the_hold_stays(provider_down, kind):
    perf = make_performance(rows=1, per_row=6)
    seats = [p.pk for p in places_of(perf)]
    # The shop.
    shop = Client()
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(seats[0])})
    buyer = {"name": "Ana", "email": "ana@example.org"}
    token = card_token()
    with provider_down(kind):
        refused = shop.post("/checkout/", {**buyer, "card_token": token, "nonce": "1"})
    assert refused.status_code == 503 and "The payment provider did not answer" in text_of(refused)
    assert "Your seats are still held" in text_of(refused)
    paid = shop.post("/checkout/", {**buyer, "card_token": card_token(), "nonce": "2"})
    assert paid.status_code == 302 and "/orders/" in paid["Location"]
    # The phone console.
    phone, url, hold = console_sale(perf)
    token = card_token()
    with provider_down(kind):
        refused = phone.post(url, {"action": "pay", "card_token": token, "attempt": "1"})
    assert refused.status_code == 400 and "The payment provider did not answer" in text_of(refused)
    assert hold_is_live(hold)
    assert phone.post(url, {"action": "pay", "card_token": card_token(), "attempt": "2"}).status_code == 302
    # The API.
    api = client_for()
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [seats[-1]]}, format="json").json()
    body = {"hold": held["token"], "customer": BUYER, "payment": {"method": "card", "token": card_token()}}
    with provider_down(kind):
        refused = api.post("/api/v1/orders/", body, format="json")
    assert refused.status_code == 503 and refused["Retry-After"]
    assert refused.json()["error"]["code"] == "payment_provider_unavailable"
    body["payment"]["token"] = card_token()
    assert api.post("/api/v1/orders/", body, format="json").json()["status"] == "paid"
    failed = Order.objects.filter(status="failed")
    assert failed.count() == 3 and {o.failure_reason for o in failed} == {"the payment provider did not answer"}
    assert Order.objects.filter(status="paid").count() == 3


def test_the_shop_and_the_api_say_when_the_bank_does_not_confirm_and_keep_the_hold():
    perf = make_performance(rows=1, per_row=4)
    shop = Client()
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    asked = shop.post("/checkout/", {"name": "Ana", "email": "ana@example.org",
                                     "card_token": card_token(THREE_D_SECURE), "nonce": "1"})
    assert "Confirm with your bank" in text_of(asked)
    order = Order.objects.get()
    authenticate(order, success=False)
    secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode()).group(1)
    told = shop.post(f"/checkout/{order.code}/bank/", {"client_secret": secret}, follow=True)
    assert "The payment was not made" in text_of(told) and "Your seats are still held" in text_of(told)
    assert Order.objects.get(pk=order.pk).status == "failed" and hold_is_live(order.hold)

    api = client_for()
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[1].pk]},
                    format="json").json()
    answer = api.post("/api/v1/orders/", {"hold": held["token"], "customer": BUYER, "payment": {
        "method": "card", "token": card_token(THREE_D_SECURE)}}, format="json").json()["error"]
    api_order = Order.objects.get(code=answer["order"])
    authenticate(api_order, success=False)
    done = api.post(f"/api/v1/orders/{api_order.code}/confirm-payment/", {"client_secret": answer["client_secret"]},
                    format="json")
    assert done.status_code == 200 and done.json()["status"] == "failed"
    assert hold_is_live(api_order.hold)


@pytest.mark.parametrize("language, said", [
    ("en", "The payment was not made: your card was declined. Your seats are still held."),
    ("fr", "Le paiement n’a pas été fait : votre carte a été refusée. Vos places sont toujours retenues."),
])
def test_a_card_declined_after_the_banks_question_is_said_in_one_sentence(language, said):
    """The bank confirms, then the card is declined (4000 0082 6000 3178): the reason
    reads as the end of the shop's sentence, in lower case, as after any other decline."""
    perf = make_performance(rows=1, per_row=4)
    shop = Client(headers={"Accept-Language": language})
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(places_of(perf)[0].pk)})
    asked = shop.post("/checkout/", {"name": "Ana", "email": "ana@example.org",
                                     "card_token": card_token("4000008260003178"), "nonce": "1"})
    order = Order.objects.get()
    with pytest.raises(requests.HTTPError):  # the provider's script is told the card is declined
        authenticate(order, success=True)
    secret = re.search(r'name="client_secret" value="([^"]+)"', asked.content.decode()).group(1)
    told = shop.post(f"/checkout/{order.code}/bank/", {"client_secret": secret}, follow=True)
    assert said in text_of(told)
    assert Order.objects.get(pk=order.pk).status == "failed" and hold_is_live(order.hold)


@pytest.mark.django_db(transaction=True)
def test_a_webhook_that_sells_the_order_first_leaves_the_payment_kept(monkeypatch):
    """The provider's webhook may finish an order while the request that charged it is on
    its way to the sale: the request then finds it sold with its own payment, and neither
    sells twice nor pays it back."""
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    real_sell, webhook_done = inventory.sell, []

    def webhook_first(**kwargs):
        if not webhook_done:  # the webhook arrives between the provider's answer and the sale
            webhook_done.append(None)
            webhook_done[0] = payment_settle(Order.objects.get(pk=kwargs["order"].pk))
        return real_sell(**kwargs)

    monkeypatch.setattr(inventory, "sell", webhook_first)
    order = order_place(hold=hold, customer=CustomerDetails(name="Web", email="web@example.org"),
                        payment=PaymentRequest(method="card", token=card_token()))
    assert webhook_done[0].status == "paid" and order.status == "paid"
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["approved"]
    assert provider().v1.refunds.list({"payment_intent": order.payment_intent}).data == []


def test_the_console_takes_a_reservations_card_or_emails_its_link_again():
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "reserve", "deadline": when})
    order = Order.objects.get(status="reserved")
    assert not mail.outbox  # a plain reservation emails no link
    page = phone.get(f"/phone/orders/{order.code}/")
    assert 'src="/phone/card-field/"' in page.content.decode()
    assert "data-card-field" in phone.get("/phone/card-field/").content.decode()
    assert Client().get("/phone/card-field/").status_code == 302  # staff only: to the sign-in
    sent = phone.post(f"/phone/orders/{order.code}/payment-link/", follow=True)
    assert "The payment link was emailed to elise@example.org." in text_of(sent)
    assert [m.to for m in mail.outbox] == [["elise@example.org"]]
    number = phone.post(f"/phone/orders/{order.code}/pay/", {"card_number": "4242424242424242"}, follow=True)
    assert "Not paid: Type the caller's card into the card field." in text_of(number)
    short = phone.post(f"/phone/orders/{order.code}/pay/", {"card_error": "Your card number is incomplete."},
                       follow=True)
    assert "Not paid: Your card number is incomplete." in text_of(short)
    paid = phone.post(f"/phone/orders/{order.code}/pay/", {"card_token": card_token()}, follow=True)
    assert "Paid. The tickets are on their way" in text_of(paid)
    order.refresh_from_db()
    assert order.status == "paid" and order.payments.get(status="approved").method == "card_not_present"
    late = phone.post(f"/phone/orders/{order.code}/payment-link/", follow=True)
    assert "Only a reservation is paid through a link." in text_of(late) and len(mail.outbox) == 1


def test_the_api_reserves_and_emails_the_payment_link_in_the_customers_language():
    perf = make_performance(rows=1, per_row=4)
    api = client_for(make_user("operator-api", PHONE_OPERATOR))
    held = api.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                    format="json").json()
    deadline = (timezone.now() + timedelta(days=1)).isoformat()
    linked = api.post("/api/v1/orders/", {"hold": held["token"], "customer": BUYER, "reserve_until": deadline,
                                          "payment_link": True, "language": "fr"}, format="json",
                      headers={"Idempotency-Key": "reserve-with-link"})
    assert linked.status_code == 201, linked.content
    again = api.post("/api/v1/orders/", {"hold": held["token"], "customer": BUYER, "reserve_until": deadline,
                                         "payment_link": True, "language": "fr"}, format="json",
                     headers={"Idempotency-Key": "reserve-with-link"})
    assert again.json()["code"] == linked.json()["code"]
    code = linked.json()["code"]
    subject = f"Payez votre réservation\u00a0: {perf.event.title} — commande {code}"
    assert [m.subject for m in mail.outbox] == [subject]  # sent once
    resent = api.post(f"/api/v1/orders/{code}/payment-link/", format="json")
    assert resent.status_code == 200 and len(mail.outbox) == 2
    paying = api.post("/api/v1/orders/", {"hold": held["token"], "customer": BUYER, "payment_link": True,
                                          "payment": {"method": "card_not_present", "token": "tok_x"}}, format="json")
    assert paying.status_code == 400 and "payment_link" in paying.json()["error"]["fields"]


def test_a_payment_link_left_at_the_banks_question_is_replaced_by_a_new_payment_once_its_claim_lapses():
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf, quantity=1)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    phone.post(url, {"action": "link", "deadline": when})
    order = Order.objects.get()
    caller, pay = Client(), f"/orders/{order.code}/{order.access_token}/pay/"
    assert "Confirm with your bank" in text_of(caller.post(pay, {"card_token": card_token(THREE_D_SECURE)}))
    first = Order.objects.get(pk=order.pk).payment_intent
    at_once = caller.post(pay, {"card_token": card_token()})  # the bank's question still open
    assert at_once.status_code == 409 and "already under way" in text_of(at_once)
    Order.objects.filter(pk=order.pk).update(payment_started_at=timezone.now() - timedelta(minutes=3))
    paid = caller.post(pay, {"card_token": card_token()})
    assert paid.status_code == 302
    order.refresh_from_db()
    assert order.status == "paid" and order.payment_intent != first
    assert provider().v1.payment_intents.retrieve(first).status == "canceled"
    assert order.payments.filter(status="approved").count() == 1
    assert order.payments.get(status="declined").reference == first


def test_no_door_takes_a_card_number_unless_load_tests_turn_the_test_card_on(operator):
    perf = make_performance(rows=1, per_row=4)
    with override_settings(TEST_CARD_PROVIDER=False):  # as deployed: PAYMENT_TEST_CARD unset
        for client, method in ((client_for(), "test_card"), (client_for(), "card"),
                               (client_for(operator), "card_not_present")):
            held = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf)[0].pk]},
                               format="json").json()
            answer = client.post("/api/v1/orders/", {"hold": held["token"], "customer": BUYER, "payment": {
                "method": method, "card_number": "4242424242424242"}}, format="json")
            assert answer.status_code == 400 and "card_number" in answer.json()["error"]["fields"]["payment"]
            client.delete(f"/api/v1/holds/{held['token']}/")
    assert not Order.objects.exists()


def test_the_test_cards_hint_tells_an_operator_the_banks_card_needs_a_payment_link():
    """With the local provider, the card field names its test cards. An operator cannot ask
    a caller's bank anything: for the card whose bank asks, the console says to send a
    payment link (as its refusal does), where the shop says it asks your bank."""
    perf = make_performance(rows=1, per_row=4)
    phone, url, _hold = console_sale(perf, quantity=1)
    said = text_of(phone.get(url))
    assert f"{THREE_D_SECURE} needs its holder's bank, which a call cannot reach (send a payment link)." in said
    assert "asks your bank" not in said
    framed = text_of(phone.get("/phone/card-field/"))
    assert "asks your bank" not in framed
