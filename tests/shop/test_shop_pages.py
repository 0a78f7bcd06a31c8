"""Bad input at the shop: a clear message, and nothing changes."""

import re

import pytest
from django.test import Client

from sales.models import Hold, Order, Place
from tests.support import card_token, make_performance, places_of, signed_in

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def hold_seats(client, perf, seats):
    return client.post(f"/performances/{perf.pk}/hold/", {"seats": seats}, follow=True)


@pytest.mark.parametrize("seats, message", [
    ("1,abc", "The seat selection is not valid."),
    ("999999999", "does not exist in this performance"),
])
def test_tampered_seat_ids_are_refused(client, performance, seats, message):
    response = hold_seats(client, performance, seats)
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert not Hold.objects.exists()


def test_seats_of_another_performance_are_refused(client, performance):
    other = make_performance()
    response = hold_seats(client, performance, str(places_of(other)[0].pk))
    assert any("1 of the requested places does not exist in this performance" in m for m in messages_of(response))
    assert not Place.objects.filter(state="held").exists()


def test_over_the_ticket_limit_is_refused(client, performance):
    ids = ",".join(str(p.pk) for p in places_of(performance)[:11])
    response = hold_seats(client, performance, ids)
    assert any("At most 10 tickets per order." in m for m in messages_of(response))
    assert not Hold.objects.exists()



def test_a_wrong_number_of_tickets_is_one_plain_message_under_its_field(client, performance):
    zone = performance.price_zones.get().pk
    for quantity, said in (("0", "Choose at least one ticket."), ("-1", "Choose at least one ticket."),
                           ("11", "At most 10 tickets per order."), ("2.5", "must be a whole number.")):
        response = client.post(f"/performances/{performance.pk}/hold/", {"zone": zone, "quantity": quantity},
                               follow=True)
        page = response.content.decode()
        said_now = re.findall(r'<span class="error" id="quantity-best-error">([^<]*)</span>', page)
        assert len(said_now) == 1 and said in said_now[0], (quantity, said_now)
        assert messages_of(response) == []  # not at the top as well
        assert f'id="quantity-best" value="{quantity}"' in page and "aria-invalid" in page  # what was typed, kept
    assert not Hold.objects.exists()

def test_a_price_in_the_form_is_ignored(client, performance):
    hold_seats(client, performance, ",".join(str(p.pk) for p in places_of(performance)[:2]))
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
    client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "card_token": card_token(),
                               "nonce": nonce, "total": "0.01", "price": "0.01"})
    assert Order.objects.get().total == 100



def test_back_to_the_basket_after_paying_asks_the_server_and_leads_to_the_order(client, performance):
    """The basket is never kept by the browser (Back after paying would show live seats and
    a Pay button); asked again, it says the order is paid and links to it."""
    hold_seats(client, performance, str(places_of(performance)[0].pk))
    basket = client.get("/basket/")
    assert "no-store" in basket["Cache-Control"]
    nonce = re.search(r'name="nonce" value="([^"]+)"', basket.content.decode()).group(1)
    client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "card_token": card_token(), "nonce": nonce})
    order = Order.objects.get()
    back = client.get("/basket/").content.decode()
    assert f"Your order {order.code} is paid." in back and f"/orders/{order.code}/{order.access_token}/" in back
    assert "Your basket is empty." in back and 'id="pay"' not in back

def test_an_order_link_works_only_with_its_own_token(client, performance):
    codes = []
    for i in range(2):
        c = Client()
        hold_seats(c, performance, str(places_of(performance, state="available")[0].pk))
        nonce = re.search(r'name="nonce" value="([^"]+)"', c.get("/basket/").content.decode()).group(1)
        r = c.post("/checkout/", {"name": "A", "email": f"a{i}@example.org",
                                  "card_token": card_token(), "nonce": nonce})
        codes.append(r["Location"])
    a, b = Order.objects.order_by("pk")
    assert client.get(f"/orders/{a.code}/{a.access_token}/").status_code == 200
    assert client.get(f"/orders/{b.code}/{a.access_token}/").status_code == 404
    assert client.get(f"/orders/{b.code}/{a.access_token}/tickets.pdf").status_code == 404


def test_bad_checkout_details_keep_the_hold(client, performance):
    hold_seats(client, performance, str(places_of(performance)[0].pk))
    response = client.post("/checkout/", {"name": "", "email": "nope", "card_token": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address, like name@example.org." in page
    # The field names its error, and the error is there under that name (read with the field).
    assert re.search(r'<input[^>]*name="email"[^>]*aria-describedby="id_email_error"', page)
    assert re.search(r'<span class="error" id="id_email_error">Enter a valid email address', page)
    assert Place.objects.filter(state="held").count() == 1 and not Order.objects.exists()


def test_forms_need_the_csrf_token(performance):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/performances/{performance.pk}/hold/", {"seats": str(places_of(performance)[0].pk)})
    assert response.status_code == 403
    assert not Hold.objects.exists()


def test_a_basket_belongs_to_its_session(client, performance):
    hold_seats(client, performance, str(places_of(performance)[0].pk))
    stranger = Client()
    assert "Your basket is empty." in stranger.get("/basket/").content.decode()


def test_a_performance_offers_to_buy_only_while_it_is_on_sale_online(client, organizer):
    """Before its online sale opens or after it closed, a performance's page says so, with
    no form that would only be refused. Before it is put on sale it is not announced: only
    the staff find its page, which says so."""
    from datetime import timedelta

    from django.utils import timezone, translation

    from events.models import IN_A_SENTENCE, OnSaleWindow
    from sales.formatting import when
    from tests.support import client_for

    perf = make_performance(rows=2, per_row=4, on_sale=False)
    hold_form = f'action="/performances/{perf.pk}/hold/"'
    assert client.get(f"/performances/{perf.pk}/").status_code == 404
    page = signed_in(organizer).get(f"/performances/{perf.pk}/").content.decode()
    assert "This performance is not on sale online." in page and hold_form not in page
    # Put on sale by the organizer, the page offers it at once (its counts were of no places).
    assert client_for(organizer).post(f"/api/v1/performances/{perf.pk}/put-on-sale/").json()["count"] == 8
    assert hold_form in client.get(f"/performances/{perf.pk}/").content.decode()
    online = OnSaleWindow.objects.filter(performance=perf, channel="online")
    opens = timezone.now() + timedelta(days=2)
    online.update(opens_at=opens)
    page = client.get(f"/performances/{perf.pk}/").content.decode()
    assert f"On sale online from {perf.local(opens):%A} {perf.local(opens).day}" in page and hold_form not in page
    refused = client.post(f"/performances/{perf.pk}/hold/", {"zone": perf.price_zones.get().pk, "quantity": 1},
                          follow=True).content.decode()
    # Inside a sentence, as a sentence writes a day and its time, in each language.
    assert f"sales open on {when(perf.local(opens), IN_A_SENTENCE)}" in refused
    assert " at " in when(perf.local(opens), IN_A_SENTENCE)
    refused = client.post(f"/performances/{perf.pk}/hold/", {"zone": perf.price_zones.get().pk, "quantity": 1},
                          HTTP_ACCEPT_LANGUAGE="fr", follow=True).content.decode()
    with translation.override("fr"):
        assert f"la vente ouvre le {when(perf.local(opens), IN_A_SENTENCE)}" in refused
        assert f" à {perf.local(opens).hour}\u00a0h" in refused
    online.update(opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1))
    page = client.get(f"/performances/{perf.pk}/").content.decode()
    assert "The online sale of this performance is closed." in page and hold_form not in page


def test_a_new_choice_says_which_places_of_the_basket_it_released(client):
    perf = make_performance(rows=2, per_row=4, standing=10)
    seats = places_of(perf)[:2]
    client.post(f"/performances/{perf.pk}/hold/", {"seats": f"{seats[0].pk},{seats[1].pk}"})
    page = client.get(f"/performances/{perf.pk}/").content.decode()
    assert "Holding other places here releases them." in page
    lawn = perf.venue.sections.get(name="Lawn")
    basket = client.post(f"/performances/{perf.pk}/hold/", {"section": lawn.pk, "quantity": 2}, follow=True)
    text = basket.content.decode()
    assert f"the places it held before ({seats[0]}, {seats[1]}) were released" in text
    assert {p.state for p in Place.objects.filter(pk__in=[s.pk for s in seats])} == {"available"}


def test_a_buyer_who_lost_the_email_gets_the_links_to_their_orders_by_email(client):
    """Only the inbox learns anything: the page says the same whether the address has
    bought or not, and asking is limited per mailbox."""
    from django.core import mail

    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import make_performance, places_of
    from tests.test_security import in_one_clock_minute

    perf = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=perf, channel="online", place_ids=[places_of(perf)[0].pk])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    mail.outbox.clear()
    in_one_clock_minute()
    assert "My tickets" in client.get("/").content.decode()
    answers = [client.post("/orders/find/", {"email": email}) for email in ("Lea@Example.org", "nobody@example.org")]
    said = [a.content.decode().split('id="find-sent">')[1].split("</p>")[0] for a in answers]
    assert said[0].replace("lea@example.org", "X") == said[1].replace("nobody@example.org", "X")
    found, none = mail.outbox
    assert found.to == ["lea@example.org"] and f"/orders/{order.code}/{order.access_token}/" in found.body
    assert perf.event.title in found.body and order.access_token not in answers[0].content.decode()
    assert none.to == ["nobody@example.org"] and "/orders/" not in none.body
    french = client.post("/orders/find/", {"email": "lea+x@example.org"}, headers={"accept-language": "fr"})
    assert french.status_code == 200 and mail.outbox[-1].subject == "Aucun billet acheté avec cette adresse"
    assert mail.outbox[-1].extra_headers["Content-Language"] == "fr" and found.extra_headers["Content-Language"] == "en"
    assert client.post("/orders/find/", {"email": "lea@example.org"}).status_code == 200  # the mailbox's third
    limited = client.post("/orders/find/", {"email": "lea@example.org"})
    assert limited.status_code == 429 and len(mail.outbox) == 4  # three an hour for one mailbox
    assert client.post("/orders/find/", {"email": "not an email"}).status_code == 400


def test_my_tickets_finds_an_address_typed_in_full_width_letters(client):
    """A buyer's address is kept as its email is sent (jdoe@gmail.com); typed with the
    domain in full-width letters, as a phone's keyboard may, it still finds their orders."""
    from django.core import mail

    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import make_performance, places_of

    typed = "jdoe@\uff47\uff4d\uff41\uff49\uff4c.com"  # gmail.com in full-width letters
    perf = make_performance(rows=1, per_row=2)
    hold = hold_create(performance=perf, channel="online", place_ids=[places_of(perf)[0].pk])
    order = order_place(hold=hold, customer=CustomerDetails(name="J Doe", email=typed),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert order.customer.email == "jdoe@gmail.com"
    mail.outbox.clear()
    assert client.post("/orders/find/", {"email": typed}).status_code == 200
    found, = mail.outbox
    assert f"/orders/{order.code}/{order.access_token}/" in found.body


def test_an_address_upper_case_reads_as_a_buyers_neither_finds_their_orders_nor_files_under_them(client):
    """PostgreSQL's UPPER() writes a dotless ı as I: jdoe@gmaıl.com, another domain (its mail
    goes to xn--gmal-nza.com, which anyone may register), compared that way is jdoe@gmail.com.
    Typed in My tickets it is sent no link to jdoe@gmail.com's orders; bought with, it is a
    customer of its own, whose tickets are not emailed to jdoe@gmail.com."""
    from django.core import mail

    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import make_performance, places_of

    perf = make_performance(rows=1, per_row=2)
    seats = places_of(perf)

    def bought(email):
        hold = hold_create(performance=perf, channel="online", place_ids=[seats.pop().pk])
        return order_place(hold=hold, customer=CustomerDetails(name="J Doe", email=email),
                           payment=PaymentRequest(method="test_card", card_number=APPROVE))

    order = bought("jdoe@gmail.com")
    mail.outbox.clear()
    assert client.post("/orders/find/", {"email": "jdoe@gma\u0131l.com"}).status_code == 200
    sent, = mail.outbox
    assert order.access_token not in sent.body and "/orders/" not in sent.body
    other = bought("jdoe@gma\u0131l.com")
    assert other.customer_id != order.customer_id and other.customer.email == "jdoe@gma\u0131l.com"
    assert client.post("/orders/find/", {"email": "JDoe@Gmail.com"}).status_code == 200  # its own, whatever its case
    assert f"/orders/{order.code}/{order.access_token}/" in mail.outbox[-1].body
    assert other.access_token not in mail.outbox[-1].body


def test_seats_at_the_banks_step_are_not_released_by_the_basket_or_a_new_choice(client):
    """A shopper at their bank's step in one tab, who releases the basket or picks other
    seats in another: the seats being paid for stay held, and the payment can finish."""
    perf = make_performance(rows=1, per_row=6)
    seats = places_of(perf)
    hold_seats(client, perf, str(seats[0].pk))
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
    client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                               "card_token": card_token("4000002500003155")})  # 3-D Secure: the bank asks
    order = Order.objects.get()
    assert order.status == "pending" and Place.objects.get(pk=seats[0].pk).state == "held"
    released = client.post("/basket/release/", follow=True)
    assert "These seats are being paid for (your bank's step, in another window)" in released.content.decode(
        ).replace("&#x27;", "'")
    hold_seats(client, perf, str(seats[1].pk))
    assert Place.objects.get(pk=seats[0].pk).state == "held" and order.hold.status == "active"


def test_a_payment_left_at_the_banks_question_gives_way_to_another_card(client):
    """The buyer leaves the bank's question unanswered and pays with another card: the
    first payment is cancelled at the provider and the second goes through, not refused
    as "being processed" until the basket lapses."""
    from tests.support import provider

    perf = make_performance(rows=1, per_row=4)
    hold_seats(client, perf, str(places_of(perf)[0].pk))

    def pay(number):
        nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
        return client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                                          "card_token": card_token(number)})

    assert pay("4000002500003155").status_code == 200  # the bank's question
    first = Order.objects.get()
    assert first.status == "pending"
    second = pay("4242424242424242")
    paid = Order.objects.get(status="paid")
    assert second.status_code == 302 and second["Location"] == f"/orders/{paid.code}/{paid.access_token}/"
    assert Order.objects.get(pk=first.pk).status == "failed"
    assert Order.objects.get(pk=first.pk).failure_reason == "the buyer paid with another card instead"
    intent = provider().v1.payment_intents.retrieve(first.payment_intent)
    assert intent.status == "canceled"
    # The first tab, its bank's question answered late: sent to the order that paid.
    late = client.post(f"/checkout/{first.code}/bank/", {"client_secret": intent.client_secret}, follow=True)
    assert "This payment was replaced by your payment with another card: here is your order." in messages_of(late)
    assert late.redirect_chain[-1][0] == f"/orders/{paid.code}/{paid.access_token}/"


def test_a_basket_whose_seats_went_to_another_buyer_is_refused_before_the_card_is_charged(client):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Channel
    from sales.holds import hold_create
    from sales.models import Payment

    perf = make_performance(rows=1, per_row=4)
    seat = places_of(perf)[0]
    hold_seats(client, perf, str(seat.pk))
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
    lapsed = timezone.now() - timedelta(minutes=1)
    Hold.objects.update(expires_at=lapsed)
    Place.objects.filter(pk=seat.pk).update(hold_expires_at=lapsed)
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])  # another buyer
    answer = client.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                                        "card_token": card_token()}, follow=True)
    assert "Your hold lapsed and the seats were taken by another buyer" in messages_of(answer)
    assert not Payment.objects.exists() and not Order.objects.exists()


def test_the_services_refusals_read_as_sentences_on_the_page(client, performance):
    hold_seats(client, performance, str(places_of(performance)[0].pk))
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/basket/").content.decode()).group(1)
    page = client.post("/checkout/", {"name": "Ana\tRoy", "email": "ana@example.org", "nonce": nonce,
                                      "card_token": card_token()}).content.decode().replace("&#x27;", "'")
    assert "Full name: the name holds a character that cannot be printed.</a>" in page
    assert "The name holds a character that cannot be printed.</span>" in page



def test_the_buyer_is_thanked_once_not_at_every_visit_of_the_order(client, performance):
    hold_seats(client, performance, str(places_of(performance)[0].pk))
    paid = client.post("/checkout/", {"name": "Léa Roy", "email": "lea@example.org", "card_token": card_token()},
                       follow=True)
    assert "Thank you! Your tickets are below; a confirmation was sent to lea@example.org." in messages_of(paid)
    order = Order.objects.get()
    later = Client().get(f"/orders/{order.code}/{order.access_token}/")  # from the email, another day
    assert later.status_code == 200 and "Thank you" not in later.content.decode()


def test_more_time_on_the_basket_once_then_refused_in_words(client, performance):
    from datetime import timedelta

    from django.utils import timezone

    hold_seats(client, performance, str(places_of(performance)[0].pk))
    hold = Hold.objects.get()
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() + timedelta(seconds=50))
    response = client.post("/basket/extend/", follow=True)
    assert "Your seats are now held for 10 minutes." in messages_of(response)
    hold.refresh_from_db()
    assert hold.expires_at > timezone.now() + timedelta(minutes=9)
    assert set(Place.objects.filter(hold=hold).values_list("hold_expires_at", flat=True)) == {hold.expires_at}
    # A hold of the shop lasts 20 minutes at most: asked again at its end, it stays as it is.
    Hold.objects.filter(pk=hold.pk).update(created_at=timezone.now() - timedelta(minutes=19, seconds=30))
    before = Hold.objects.get(pk=hold.pk).expires_at
    response = client.post("/basket/extend/", follow=True)
    assert response.status_code == 200
    assert any("cannot be held any longer" in m for m in messages_of(response)), messages_of(response)
    assert Hold.objects.get(pk=hold.pk).expires_at == before
    # No basket: back to it, which says it is empty; nothing is written.
    assert Client().post("/basket/extend/", follow=True).status_code == 200


def test_the_basket_says_the_time_left_in_minutes_before_its_script_runs(client, performance):
    """The countdown as the page comes (no script yet on a slow network, or none at all):
    minutes and seconds, as the script then shows it, not a count of seconds."""
    hold_seats(client, performance, str(places_of(performance)[0].pk))
    page = client.get("/basket/").content.decode()
    assert re.search(r'<span class="clock" aria-hidden="true">(10:00|9:5\d)</span>', page), \
        re.search(r'class="clock"[^>]*>[^<]*', page)
