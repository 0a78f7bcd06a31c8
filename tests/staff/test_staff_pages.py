import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from events.models import Channel
from sales.channels.forms import MoneyField
from sales.errors import InvalidRequest, NotPermitted
from sales.holds import hold_create
from sales.models import Customer, Hold, Order, Place, Shift, Ticket
from sales.notifications import send_reservation_reminders
from sales.orders import CustomerDetails, order_exchange, order_pay_reservation, order_reserve
from sales.payments import PaymentRequest
from sales.shifts import shift_close, shift_open
from tests.factories import CustomerFactory
from tests.support import card_token, make_performance, make_user, places_of, race, signed_in, table_rows

pytestmark = pytest.mark.django_db
CALLER = CustomerDetails(name="Caller", email="caller@example.org")


def test_clerk_cannot_reach_the_phone_console_or_the_admin(clerk):
    c = signed_in(clerk)
    assert c.get("/counter/").status_code == 200
    assert c.get("/phone/").status_code == 403
    assert c.get("/admin/").status_code == 302  # to the admin's own login: clerks are not staff


def test_another_roles_page_says_whose_it_is_and_the_ways_on(clerk):
    page = signed_in(clerk).get("/phone/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "This page is for the phone operator role; you are signed in as clerk1." in text
    assert 'href="/staff/"' in text and 'href="/login/?next=/phone/"' in text
    # Every role by its name in the reader's language.
    door = signed_in(clerk).get("/door/", headers={"accept-language": "fr"}).content.decode()
    assert "rôle préposé à l’entrée" in door.replace("'", "’") and "door staff" not in door


def test_signing_in_as_someone_else_comes_back_to_the_very_page_whatever_its_path_holds(clerk, operator):
    """The page's address goes whole into the sign-in link: an & # ? or space in it is not
    taken for the link's own, and the one who signs in lands where the clerk was refused."""
    url = "/phone/orders/A%26B%23C%3FD%20E/?tab=1&x=2"
    page = signed_in(clerk).get(url)
    assert page.status_code == 403
    link = unescape(re.search(r'href="(/login/[^"]*)"[^>]*>Sign in as someone else', page.content.decode())[1])
    assert "#" not in link and link.count("?") == 1 and link.count("&") == 0
    someone_else = Client()
    signed = someone_else.post(link, {"username": operator.username, "password": f"pw-{operator.username}"})
    assert signed.status_code == 302
    back, asked = urlsplit(signed["Location"]), urlsplit(url)
    assert (unquote(back.path), back.query) == ("/phone/orders/A&B#C?D E/", asked.query)


def test_signing_out_lands_on_the_staff_sign_in(clerk):
    answer = signed_in(clerk).post("/logout/")
    assert answer.status_code == 302 and answer["Location"] == "/login/"


def test_operator_cannot_open_a_cash_drawer(operator):
    c = signed_in(operator)
    assert c.get("/phone/").status_code == 200
    assert c.get("/counter/").status_code == 403
    assert c.post("/counter/shift/open/", {"cash_float": "100"}).status_code == 403
    assert not Shift.objects.exists()
    with pytest.raises(NotPermitted):
        shift_open(clerk=operator, cash_float=Decimal("100"))


@pytest.mark.parametrize("url", ["/counter/", "/phone/", "/counter/lookup/?q=x", "/phone/customers/1/"])
def test_anonymous_reaches_neither(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_lands_each_role_on_its_screen(client, clerk):
    response = client.post("/login/", {"username": "clerk1", "password": "pw-clerk1"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/counter/"


def test_a_signed_in_page_reads_the_user_with_their_roles_in_one_query_and_a_role_taken_away_counts_at_once(operator):
    """Every staff page checks its user's roles: they come with the user's row. Taken away
    by an organizer, a role no longer opens its pages at the next request."""
    from django.contrib.auth import signals
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    assert client.post("/login/", {"username": "operator1", "password": "pw-operator1"}).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/phone/").status_code == 200
    sent = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(sent) == 2, sent  # the session, the user with their roles
    operator.groups.clear()
    assert client.get("/phone/").status_code == 403
    # A wrong password is refused once, by one backend: one failure recorded, one hash.
    failed = []
    signals.user_login_failed.connect(lambda sender, **kw: failed.append(kw), weak=False,
                                      dispatch_uid="count-failures")
    try:
        with CaptureQueriesContext(connection) as queries:
            assert Client().post("/login/", {"username": "operator1", "password": "wrong"}).status_code == 200
    finally:
        signals.user_login_failed.disconnect(dispatch_uid="count-failures")
    assert len(failed) == 1
    assert sum('FROM "auth_user"' in q["sql"] for q in queries.captured_queries) == 1


def test_a_session_signed_in_by_the_model_backend_stays_signed_in(operator):
    """Sessions from before the staff backend name Django's own: they still read their user."""
    client = Client()
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/phone/").status_code == 200


def open_sale(client, perf, quantity="2"):
    client.post("/counter/shift/open/", {"cash_float": "100"})
    zone = perf.price_zones.get()
    return client.post("/counter/sale/", {"performance": perf.pk, "zone": zone.pk, "quantity": quantity})


@pytest.mark.parametrize("quantity, message", [("-1", "at least one"), ("abc", "whole number"),
                                               ("99", "at most 10 tickets")])
def test_counter_refuses_a_bad_quantity(clerk, performance, quantity, message):
    c = signed_in(clerk)
    response = open_sale(c, performance, quantity)
    page = c.get(response["Location"]).content.decode()
    assert message in page
    assert not Hold.objects.exists()


def test_counter_refuses_tendered_below_the_price(clerk, performance):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    response = c.post(sale_url, {"tendered": "99.99"})
    assert response.status_code == 400
    assert "The $99.99 tendered is less than the total of $100.00" in unescape(response.content.decode())
    assert not Order.objects.filter(status="paid").exists()
    assert Place.objects.filter(state="held").count() == 2  # still held, nothing lost
    assert c.post(sale_url, {"tendered": "-5"}).status_code == 400


def test_counter_split_payment_and_unknown_order(clerk, performance):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    response = c.post(sale_url, {"tendered": "50", "card_amount": "60", "card_reference": "AUTH42"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert sorted((p.method, p.amount) for p in order.payments.all()) == [
        ("card_terminal", Decimal("60.00")), ("cash", Decimal("40.00"))]
    # The order's page notes the terminal's reference beside its payment (its method says
    # it was the terminal already), as the clerk typed it: what the terminal's slip shows.
    rows = table_rows(c.get(response["Location"]).content.decode(), "order-payments")
    terminal = next(row for row in rows if "Card terminal" in row)
    assert "reference AUTH42" in terminal and "card terminal" not in terminal, terminal
    page = c.get("/counter/lookup/?q=NOPE9999", follow=True).content.decode()
    assert "No order matches" in page


def test_a_paid_orders_page_at_the_counter_works_out_its_refund_once(clerk, performance):
    """The order's page says what a refund of the whole order hands back twice (its button,
    its question): worked out once, as the clerk opens the page after every sale, and the
    payments come with who took them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.support import statements

    c = signed_in(clerk)
    sale_url = open_sale(c, performance, quantity="1")["Location"]
    paid = c.post(sale_url, {"tendered": "20", "card_amount": "40", "card_reference": "AUTH43"})
    with CaptureQueriesContext(connection) as queries:
        page = c.get(paid["Location"])
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Refund the whole order? $50.00 goes back: $10.00 cash from the drawer, $40.00 on the card terminal." \
        in text
    assert "Refund the whole order: $50.00" in text
    sent = statements(queries)
    assert sum("cancelled_at" in sql and "IS NOT NULL" in sql for sql in sent) == 1, sent
    # the clerk signed in, with their roles; nobody else read for the payments' "taken by"
    assert sum('FROM "auth_user"' in sql or "FROM auth_user" in sql for sql in sent) == 1, sent
    assert len(sent) <= 17, sent  # one of them: the new seats the clerk still holds for an exchange of it


def test_reprint_is_marked(clerk, performance):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    c.post(sale_url, {"tendered": "100"})
    code = Order.objects.get().code
    first = c.post(f"/counter/orders/{code}/print/").content.decode()
    again = c.post(f"/counter/orders/{code}/print/").content.decode()
    assert "REPRINT" not in first and again.count('class="reprint"') == 2
    assert "size: 80mm" in again
    pdf = c.get(f"/counter/orders/{code}/tickets.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_after_an_exchange_the_print_is_the_new_ticket_only(clerk, performance):
    """The buyer keeps the tickets they were not asked to hand back: the print after an
    exchange is the new ticket, with the whole order's receipt, not a REPRINT of the others
    (a second copy of a ticket still valid); once every ticket has been printed, the print
    is all of them again, marked REPRINT."""
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "100"})
    order = Order.objects.get()
    c.post(f"/counter/orders/{order.code}/print/")
    kept, handed_back = order.tickets.order_by("pk")
    hold = hold_create(performance=performance, channel=Channel.COUNTER, user=clerk,
                       zone=performance.price_zones.get(), quantity=1)
    order_exchange(order=order, ticket_ids=[handed_back.pk], hold=hold, actor=clerk, shift=Shift.objects.get())
    new = order.tickets.get(status=Ticket.Status.VALID, printed_count=0)
    slip = c.post(f"/counter/orders/{order.code}/print/").content.decode()
    assert re.findall(r'<div class="code">([^<]*)</div>', slip) == [new.code] and "REPRINT" not in slip
    receipt = " ".join(unescape(re.sub(r"<[^>]+>", " ", slip.split('<div class="slip">')[1])).split())
    assert str(kept.place) in receipt  # on the receipt still
    again = c.post(f"/counter/orders/{order.code}/print/").content.decode()
    assert sorted(re.findall(r'<div class="code">([^<]*)</div>', again)) == sorted([kept.code, new.code])
    assert again.count('class="reprint"') == 2


def test_shift_close_shows_a_difference(clerk, performance):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    c.post(sale_url, {"tendered": "100"})
    shift = Shift.objects.get()
    closed = shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("195"), counted_card=Decimal("0"))
    assert closed.difference == Decimal("-5.00")
    with pytest.raises(Exception, match="already closed"):
        shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("195"), counted_card=Decimal("0"))
    def cells(response):  # the page's text, no-break spaces kept
        return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))

    report = c.get(f"/counter/shift/{shift.pk}/report/")
    assert "Cash $200.00 $195.00 \u2212$5.00" in cells(report)  # float 100 + 100 taken, 195 counted
    french = c.get(f"/counter/shift/{shift.pk}/report/", headers={"accept-language": "fr"})
    assert "200,00\u00a0$ 195,00\u00a0$ \u22125,00\u00a0$" in cells(french)
    # The shift's difference sits under the Difference column, and each payment under its heading.
    page = report.content.decode()
    total = re.search(r"<tfoot><tr>(.*?)</tr></tfoot>", page, re.S).group(1)
    assert re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", total) == ["Total difference", "\u2212$5.00"]
    assert 'colspan="3"' in total
    assert cells(report).count("Time Order Method Amount Status") == 1



def test_the_shift_report_sets_its_amounts_in_columns_of_figures(clerk, performance):
    """Expected, counted, difference and each payment: right-aligned, as every other table
    of money on the staff pages, so that a printed count is read down its columns."""
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "100"})
    c.post("/counter/shift/close/", {"counted_cash": "200", "counted_card": "0"})  # as expected: no check
    page = c.get(f"/counter/shift/{Shift.objects.get().pk}/report/").content.decode()
    money = re.findall(r"<td([^>]*)>[^<]*\$[^<]*</td>", page)
    assert len(money) == 14  # the cash drawer's 6 lines, 2 lines of 3, the total difference, the one payment
    assert all('class="num"' in attributes for attributes in money)
    headings = page.split('id="balance"')[1]  # the cash drawer's lines name rows, not columns
    assert re.findall(r'<th([^>]*)>(?:Expected|Counted|Difference|Amount)</th>', headings) == [' class="num"'] * 3 + \
        [' scope="col" class="num"']


def test_the_shift_report_links_each_payment_to_its_order(clerk, performance):
    """The report is the clerk's, and so is the counter's order page: each code leads there."""
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "100"})
    order = Order.objects.get()
    c.post("/counter/shift/close/", {"counted_cash": "200", "counted_card": "0"})
    page = c.get(f"/counter/shift/{Shift.objects.get().pk}/report/").content.decode()
    payments = page.split('id="shift-payments"')[1]
    assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', payments) == [(f"/counter/orders/{order.code}/", order.code)]
    assert c.get(f"/counter/orders/{order.code}/").status_code == 200


def test_a_mistyped_count_keeps_what_was_typed_and_names_the_field_as_the_page_does(clerk):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    page = c.post("/counter/shift/close/", {"counted_cash": "abc", "counted_card": "12,50"}).content.decode()
    assert "Cash counted in the drawer (float included)" in page.split('role="alert"')[1].split("</p>")[0]
    assert 'value="abc"' in page and 'value="12,50"' in page
    assert Shift.objects.get().closed_at is None

def test_reservation_rules_payment_and_reminder(operator, performance, clerk):
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       place_ids=[p.pk for p in places_of(performance)[:2]])
    with pytest.raises(InvalidRequest, match="within 7 days"):
        order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=8))
    with pytest.raises(InvalidRequest, match="the deadline has passed"):
        order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() - timedelta(days=1))
    deadline = timezone.now() + timedelta(hours=20)
    order = order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=deadline)
    assert set(Place.objects.filter(hold=hold).values_list("hold_expires_at", flat=True)) == {deadline}
    assert send_reservation_reminders() == 1 and send_reservation_reminders() == 0
    assert "Reminder" in mail.outbox[0].subject
    paid = order_pay_reservation(order=order, actor=operator, payment=PaymentRequest(
        method="card_not_present", token=card_token()))
    assert paid.status == "paid" and Place.objects.filter(state="sold").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_counter_phone_and_shop_screens_race_for_the_same_seats():
    """The same two seats, at the same moment, from the three channels' own pages: one
    wins, the others see a clear message on their screen and nothing is sold twice."""
    perf = make_performance(rows=1, per_row=4)
    seats = ",".join(str(p.pk) for p in places_of(perf)[:2])
    zone = perf.price_zones.get()
    clerk, operator = make_user("clerk-x", "counter clerk"), make_user("operator-x", "phone operator")
    counter, phone, shop = signed_in(clerk), signed_in(operator), Client()
    counter.post("/counter/shift/open/", {"cash_float": "0"})
    caller = phone.post("/phone/customers/new/", {"name": "C", "email": "c@example.org"})["Location"]
    # Only two places are on offer beyond these, so best-available must collide with them.
    from sales import inventory
    inventory.block(performance=perf, place_ids=[p.pk for p in places_of(perf)[2:]], now=timezone.now())

    def act(i):
        if i == 0:
            return counter.post("/counter/sale/", {"performance": perf.pk, "zone": zone.pk, "quantity": 2},
                                follow=True)
        if i == 1:
            return phone.post(caller + "sale/", {"performance": perf.pk, "zone": zone.pk, "quantity": 2},
                              follow=True)
        return shop.post(f"/performances/{perf.pk}/hold/", {"seats": seats}, follow=True)

    pages = [r.content.decode() for r in race(3, act)]
    won = [p for p in pages if re.search(r"Payment|Card by phone|Checkout", p)]
    lost = [p for p in pages if re.search(r"could not be held|Nothing held|Not held: ", p)]
    assert len(won) == 1 and len(lost) == 2, [p[:200] for p in pages]
    assert Place.objects.filter(performance=perf, state="held").count() == 2


def test_a_retried_take_payment_lands_on_the_sale_not_a_second_one(clerk, performance):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    page = c.get(sale_url).content.decode()
    attempt = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    first = c.post(sale_url, {"tendered": "120", "attempt": attempt})
    assert "Sold. Change due: $20.00" in c.get(first["Location"]).content.decode()  # its message, read
    again = c.post(sale_url, {"tendered": "120", "attempt": attempt}, follow=True)
    assert first.status_code == 302 and again.redirect_chain[-1][0] == first["Location"]
    # The change is said again (the browser may have dropped the first answer and its message).
    assert "Sold. Change due: $20.00" in again.content.decode()
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_take_payment_pressed_several_times_at_once_sells_once_and_never_fails():
    """Enter pressed twice in a row on "Take payment": the presses that come while the
    first is still selling are answered by its sale or told it is under way, never a
    server error."""
    perf = make_performance(rows=1, per_row=4)
    clerk = make_user("clerk-twice", "counter clerk")
    c = signed_in(clerk)
    sale_url = open_sale(c, perf)["Location"]
    attempt = re.search(r'name="attempt" value="([^"]+)"', c.get(sale_url).content.decode()).group(1)
    for _round in range(3):
        answers = race(4, lambda i: c.post(sale_url, {"tendered": "200", "attempt": attempt}))
        assert all(a.status_code in (302, 400) for a in answers), [a.status_code for a in answers]
    assert Order.objects.filter(status="paid").count() == 1
    assert Place.objects.filter(performance=perf, state="sold").count() == 2


def test_a_sale_left_open_is_listed_on_the_counter_home_with_the_way_back(clerk, performance):
    """The Sell key (H) pressed mid-sale asks first; a sale left all the same keeps its
    seats held until it lapses, and the counter's first page leads back to it (for its
    own clerk only)."""
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    sale_page = c.get(sale_url).content.decode()
    sell = re.search(r'<a href="/counter/" data-key="h"[^>]*>', sale_page).group(0)
    assert 'data-confirm="Leave this sale? Its seats stay held' in sell
    home = c.get("/counter/").content.decode()
    assert "Sales in progress" in home and f'href="{sale_url}"' in home and "2 seats held until" in home
    other = signed_in(make_user("clerk-other", "counter clerk"))
    other.post("/counter/shift/open/", {"cash_float": "0"})
    assert "Sales in progress" not in other.get("/counter/").content.decode()
    c.post(sale_url, {"tendered": "200", "attempt": "1"})  # sold: no longer in progress
    assert "Sales in progress" not in c.get("/counter/").content.decode()
    assert "data-confirm" not in re.search(r'<a href="/counter/" data-key="h"[^>]*>',
                                           c.get("/counter/").content.decode()).group(0)


def test_seats_picked_on_the_map_and_sold_elsewhere_meanwhile_are_named_and_the_others_kept(clerk):
    """The shop sold one of the clerk's picks a moment before the clerk held them: nothing is
    held, the refused seat is named, and the map opens again with the other picks."""
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest

    perf = make_performance(rows=1, per_row=4)
    taken, free = places_of(perf)[:2]
    order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[taken.pk]),
                customer=CustomerDetails(name="Léa", email="lea@example.org"),
                payment=PaymentRequest(method="test_card", card_number=APPROVE))
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    answer = c.post("/counter/sale/", {"performance": perf.pk, "seats": f"{taken.pk},{free.pk}"})
    assert answer.status_code == 302 and answer["Location"] == f"/counter/performances/{perf.pk}/map/?picked={free.pk}"
    page = unescape(c.get(answer["Location"]).content.decode())
    assert f"({taken}). The other seats are still picked." in page and f'data-picked="{free.pk}"' in page
    assert not Hold.objects.filter(status="active").exists()


@pytest.mark.parametrize("tendered", ["1e30", "100000000", "NaN", "9" * 30, "9" * 40 + ".50"])
def test_absurd_amounts_are_refused_with_a_message(clerk, performance, tendered):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    response = c.post(sale_url, {"tendered": tendered})
    assert response.status_code == 400
    assert not Order.objects.filter(status="paid").exists()


def test_refund_and_sale_need_an_open_shift(clerk, performance):
    c = signed_in(clerk)
    zone = performance.price_zones.get()
    response = c.post("/counter/sale/", {"performance": performance.pk, "zone": zone.pk, "quantity": 1}, follow=True)
    assert "Open a shift first." in response.content.decode()
    assert not Hold.objects.exists()
    assert c.post("/counter/sale/", {"performance": "abc", "zone": "x", "quantity": 1}).status_code in (302, 404)


def test_a_reservation_is_paid_at_the_counter_and_cannot_be_sold_twice(clerk, operator, performance):
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[p.pk for p in places_of(performance)[:2]])
    order = order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=2))
    with pytest.raises(Exception, match="already order"):
        order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=2))
    phone = signed_in(operator)
    sale_page = phone.get(f"/phone/customers/{order.customer_id}/sale/{hold.pk}/")
    assert sale_page.status_code == 302 and order.code in sale_page["Location"]
    # The operator reads back to the caller what is reserved: the seats and what each costs.
    console = unescape(phone.get(f"/phone/orders/{order.code}/").content.decode()).split('id="reserved-places"')[1]
    console = re.sub(r"<[^>]+>", "", console)  # the words: "Stalls <span>A-1</span>" reads "Stalls A-1"
    assert all(str(p) in console for p in places_of(performance)[:2]) and "$100.00" in console
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    # The clerk sees what is reserved and what it costs before taking the money.
    shown = unescape(c.get(f"/counter/orders/{order.code}/").content.decode())
    reserved = re.sub(r"<[^>]+>", "", shown.split('id="reserved-places"')[1])
    assert all(str(p) in reserved for p in places_of(performance)[:2]) and "$100.00" in reserved
    assert 'name="card_amount"' in shown.split('id="reservation-payment"')[1]
    assert "Amount due $100.00" in re.sub(r"<[^>]+>", "", shown.split('id="amount-due"')[1].split("</p>")[0])
    # Too little: refused, and what was typed is still in its fields.
    short = unescape(c.post(f"/counter/orders/{order.code}/pay/", {"tendered": "30", "card_amount": "60",
                                                                  "card_reference": "AUTH7"}, follow=True)
                     .content.decode())
    assert "Not paid:" in short and 'value="30"' in short and 'value="AUTH7"' in short
    # Part on the card terminal, the rest in cash.
    page = c.post(f"/counter/orders/{order.code}/pay/", {"tendered": "40", "card_amount": "60",
                                                          "card_reference": "AUTH7"}, follow=True).content.decode()
    assert "Paid. Change due: $0.00" in page
    order.refresh_from_db()
    assert order.status == "paid" and {(p.method, p.amount, p.shift.clerk) for p in order.payments.all()} == {
        ("card_terminal", Decimal("60.00"), clerk), ("cash", Decimal("40.00"), clerk)}


def test_order_links_with_odd_tokens_are_404_not_500(client, performance):
    assert client.get("/orders/ABCDEFGH/%C3%A9t%C3%A9/").status_code == 404


def test_a_refund_over_the_clerks_limit_needs_a_supervisor(clerk, organizer, performance):
    performance.price_zones.update(price=Decimal("200.00"))
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    c.post(sale_url, {"tendered": "400"})
    order = Order.objects.get()
    refused = unescape(c.post(f"/counter/orders/{order.code}/refund/", follow=True).content.decode())
    assert "Not refunded: a refund of $400.00 needs a supervisor" in refused  # as the page writes amounts
    in_french = unescape(c.post(f"/counter/orders/{order.code}/refund/", follow=True,
                                headers={"accept-language": "fr"}).content.decode())
    assert "un remboursement de 400,00\u00a0$ demande un superviseur" in in_french
    wrong = c.post(f"/counter/orders/{order.code}/refund/", {"supervisor": "organizer1",
                                                            "supervisor_password": "nope"}, follow=True)
    assert "password is wrong" in wrong.content.decode()
    done = c.post(f"/counter/orders/{order.code}/refund/", {"supervisor": "organizer1",
                                                           "supervisor_password": "pw-organizer1"}, follow=True)
    assert "Refunded: Cash $400.00. The seats are back on sale." in done.content.decode()  # what to hand back
    order.refresh_from_db()
    assert order.status == "refunded"
    assert order.events.get(action="refund approved").actor == organizer


def test_the_supervisor_fields_do_not_tell_a_clerk_whether_another_accounts_password_is_right(clerk, performance):
    """Door staff sign no refund: their right password is answered as a wrong one is."""
    from sales.policy import DOOR_STAFF

    make_user("door1", DOOR_STAFF)
    performance.price_zones.update(price=Decimal("200.00"))
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "400"})
    order = Order.objects.get()
    url = f"/counter/orders/{order.code}/refund/"
    said = [c.post(url, {"supervisor": "door1", "supervisor_password": password}, follow=True).content.decode()
            for password in ("nope", "pw-door1")]
    for text in said:
        assert "Not refunded: the supervisor&#x27;s name or password is wrong, or they do not sign refunds." in text
        assert "does not refund" not in text
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_a_supervisor_locked_out_by_wrong_passwords_is_said_so_on_the_counters_page(clerk, organizer, performance):
    """After five wrong supervisor passwords the counter says the supervisor is locked
    out, even when the sixth is right, and the clerk's own page goes on working."""
    performance.price_zones.update(price=Decimal("200.00"))
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "400"})
    order = Order.objects.get()
    url = f"/counter/orders/{order.code}/refund/"
    for _ in range(5):
        c.post(url, {"supervisor": "organizer1", "supervisor_password": "nope"}, follow=True)  # messages read
    answer = c.post(url, {"supervisor": "organizer1", "supervisor_password": "pw-organizer1"}, follow=True)
    text = answer.content.decode()
    assert answer.status_code == 200 and "locked out" in text and "password is wrong" not in text
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert c.get(f"/counter/orders/{order.code}/").status_code == 200


def test_counter_and_phone_pick_on_the_map_with_their_own_view_of_allocations(clerk, operator, performance):
    from sales import inventory

    a1, a2 = places_of(performance)[:2]
    inventory.allocate(performance=performance, place_ids=[a1.pk], channel=Channel.COUNTER, now=timezone.now())
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "0"})
    page = c.get(f"/counter/performances/{performance.pk}/map/").content.decode()
    seat = re.search(rf'<a class="seat[^"]*" data-id="{a1.pk}"', page).group(0)
    assert "taken" not in seat  # kept for the counter: free here
    assert str(a1.pk) not in c.get(f"/counter/performances/{performance.pk}/seat-states/").content.decode()
    shop_states = Client().get(f"/performances/{performance.pk}/seat-states/").content.decode()
    assert str(a1.pk) in shop_states  # and taken for the shop
    response = c.post("/counter/sale/", {"performance": performance.pk, "seats": f"{a1.pk},{a2.pk}"})
    assert response.status_code == 302 and "/counter/sale/" in response["Location"]
    assert set(Place.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("state", flat=True)) == {"held"}
    phone = signed_in(operator)
    caller = phone.post("/phone/customers/new/", {"name": "P", "email": "p@example.org"})["Location"]
    assert phone.get(caller.rstrip("/") + f"/performances/{performance.pk}/map/").status_code == 200
    a3 = places_of(performance)[2]
    response = phone.post(caller + "sale/", {"performance": performance.pk, "seats": str(a3.pk)})
    assert "/sale/" in response["Location"] and Place.objects.get(pk=a3.pk).state == "held"


def test_the_sale_screens_say_which_performance_on_the_venues_clock(clerk, operator):
    """Two nights of one show: the counter's and the phone's sale screens name the night (in
    the venue's time: 20:00 in Montréal is 01:00 the next day in UTC) before money is taken."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sales.orders import customer_register

    perf = make_performance(rows=1, per_row=4)
    perf.starts_at = datetime(2027, 1, 2, 20, 0, tzinfo=ZoneInfo(perf.venue.time_zone))
    perf.save()
    c = signed_in(clerk)
    page = c.get(open_sale(c, perf, quantity="1")["Location"]).content.decode()
    assert "Sat 2 Jan 2027 20:00" in page and perf.venue.name in page
    caller = customer_register(details=CALLER)
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[places_of(perf, state="available")[0].pk])
    page = signed_in(operator).get(f"/phone/customers/{caller.pk}/sale/{hold.pk}/").content.decode()
    assert "Sat 2 Jan 2027 20:00" in page and perf.venue.name in page


def test_a_new_caller_with_a_bad_email_keeps_what_was_typed_and_an_address_on_file_says_whose(operator):
    phone = signed_in(operator)
    refused = phone.post("/phone/customers/new/", {"name": "Eric Autre", "email": "eric@", "phone": "418 555 0199"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "valid email" in page
    assert 'value="Eric Autre"' in page and 'value="418 555 0199"' in page and 'value="eric@"' in page
    CustomerFactory(name="Eric Tremblay", email="eric@example.org")
    answer = phone.post("/phone/customers/new/", {"name": "Eric Autre", "email": "eric@example.org"}, follow=True)
    page = answer.content.decode()
    assert "Eric Tremblay" in page and "is already the address of Eric Tremblay" in page
    assert Customer.objects.filter(email="eric@example.org").count() == 1


@pytest.mark.parametrize(("language", "said"), [("en", "New caller added: Élise Tremblay."),
                                                 ("fr", "Nouvelle personne ajoutée\u00a0: Élise Tremblay.")])
def test_a_new_caller_is_said_added_and_one_found_again_is_not(operator, language, said):
    phone = signed_in(operator)
    typed = {"name": "Élise Tremblay", "email": "elise@example.org"}
    added = phone.post("/phone/customers/new/", typed, follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert said in unescape(added.content.decode())
    again = phone.post("/phone/customers/new/", typed, follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert again.redirect_chain == added.redirect_chain and said not in unescape(again.content.decode())
    assert Customer.objects.filter(email="elise@example.org").count() == 1


def new_caller_form(page: str) -> dict[str, str]:
    """What the New caller form's fields hold as the page comes."""
    form = page.split('action="/phone/customers/new/"')[1].split("</form>")[0]
    return {name: unescape(value) for name, value in re.findall(r'<input name="(\w+)"[^>]*? value="([^"]*)"', form)}


@pytest.mark.parametrize(("typed", "filled"), [
    ("eric.autre@example.org", {"name": "", "email": "eric.autre@example.org", "phone": ""}),
    ("(418) 555-0199", {"name": "", "email": "", "phone": "(418) 555-0199"}),
    ("+33 6 12 34 56 78", {"name": "", "email": "", "phone": "+33 6 12 34 56 78"}),
    ("Éric Autre", {"name": "Éric Autre", "email": "", "phone": ""}),
    ("Autre, Éric", {"name": "Éric Autre", "email": "", "phone": ""}),
    ("Éric Autre 418 555 0199 eric@example.org",
     {"name": "Éric Autre", "email": "eric@example.org", "phone": "418 555 0199"}),
])
def test_a_search_that_finds_nobody_starts_the_new_caller_with_what_was_typed(operator, typed, filled):
    """The caller is not on file: what the operator typed to find them is not typed again.
    An email goes to the email, a number to the phone, the rest to the name (a caller who
    says "Autre, Éric" is Éric Autre)."""
    CustomerFactory(name="Élise Tremblay", email="elise@example.org", phone="514 555 0100")
    page = signed_in(operator).get("/phone/", {"q": typed}).content.decode()
    assert "Nobody matches" in page
    assert new_caller_form(page) == filled


def test_a_search_that_finds_someone_leaves_the_new_caller_empty(operator):
    CustomerFactory(name="Élise Tremblay", email="elise@example.org", phone="514 555 0100")
    for typed in ("Tremblay", "elise@example.org", "514-555-0100"):
        page = signed_in(operator).get("/phone/", {"q": typed}).content.decode()
        assert "Élise Tremblay" in page and new_caller_form(page) == {"name": "", "email": "", "phone": ""}, typed


def test_extending_a_phone_hold_says_until_when(operator, performance):
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[places_of(performance)[0].pk])
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    page = signed_in(operator).post(f"/phone/customers/{caller.pk}/sale/{hold.pk}/extend/", follow=True)
    assert "The seats are held until" in page.content.decode()


def test_extending_a_lapsed_phone_hold_is_refused_in_words_and_holds_nothing_again(operator, performance):
    """The countdown reached zero (the page left open, or sent from another tab): the
    server refuses to extend the hold, says why once, and holds nothing again."""
    from sales.holds import holds_tidy
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    seat = places_of(performance)[0]
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[seat.pk])
    lapsed = timezone.now() - timedelta(seconds=5)
    Hold.objects.filter(pk=hold.pk).update(expires_at=lapsed)
    Place.objects.filter(pk=seat.pk).update(hold_expires_at=lapsed)
    phone = signed_in(operator)
    for tidied in (False, True):
        if tidied:
            holds_tidy()
        page = phone.post(f"/phone/customers/{caller.pk}/sale/{hold.pk}/extend/", follow=True)
        assert page.status_code == 200 and page.redirect_chain[-1][0] == f"/phone/customers/{caller.pk}/"
        said = re.findall(r'<p class="msg msg-(\w+)">([^<]*)</p>', page.content.decode())
        assert said == [("error", "The hold lapsed; the seats were released.")], said
        assert "The seats are held until" not in page.content.decode()
        assert Hold.objects.get(pk=hold.pk).expires_at == lapsed
        assert Place.objects.get(pk=seat.pk).state == ("available" if tidied else "held")
        assert Place.objects.get(pk=seat.pk).hold_expires_at in (lapsed, None)


def test_a_callers_page_leads_back_to_the_seats_held_for_them(operator, performance):
    """The call dropped, or the operator opened another page: the caller's page lists the
    seats still held for them, each with the way back to its sale; none once they lapse."""
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    other = customer_register(details=CustomerDetails(name="Someone Else", email="else@example.org"))
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[places_of(performance)[0].pk])
    theirs = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                         owner_key=f"customer:{other.pk}", place_ids=[places_of(performance)[1].pk])
    phone = signed_in(operator)
    page = phone.get(f"/phone/customers/{caller.pk}/").content.decode()
    assert "Seats held for this caller" in page and f"/phone/customers/{caller.pk}/sale/{hold.pk}/" in page
    assert f"/sale/{theirs.pk}/" not in page  # not another caller's
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "Seats held for this caller" not in phone.get(f"/phone/customers/{caller.pk}/").content.decode()


def test_the_phones_sale_page_loads_the_card_field_once_and_names_its_channel_in_plain_text(operator, performance):
    phone = signed_in(operator)
    caller = phone.post("/phone/customers/new/", {"name": "C", "email": "c@example.org"})["Location"]
    sale = phone.post(caller + "sale/", {"performance": performance.pk, "zone": performance.price_zones.get().pk,
                                         "quantity": 1})["Location"]
    page = phone.get(sale).content.decode()
    assert page.count("card.js") == 1
    assert re.search(r"<strong>\s*Phone\s*</strong>", page)


def test_the_phone_offers_a_deadline_within_its_bounds_and_says_times_as_the_page_writes_them(operator, performance):
    phone = signed_in(operator)
    caller = phone.post("/phone/customers/new/", {"name": "C", "email": "c@example.org"})["Location"]
    zone = performance.price_zones.get()
    sale = phone.post(caller + "sale/", {"performance": performance.pk, "zone": zone.pk, "quantity": 1})["Location"]
    page = phone.get(sale).content.decode()
    field = re.search(r'<input id="deadline"[^>]*>', page).group(0)
    offered, earliest, latest = (re.search(fr'{name}="([^"]+)"', field).group(1) for name in ("value", "min", "max"))
    assert earliest < offered <= latest and offered.endswith("T18:00")  # three days on, at six, unless later
    extended = phone.post(sale + "extend/", follow=True).content.decode()
    assert re.search(r"The seats are held until \d\d:\d\d\.<", extended)  # one full stop
    reserved = phone.post(sale, {"action": "reserve", "deadline": offered, "attempt": "1"}, follow=True)
    local = datetime.strptime(offered, "%Y-%m-%dT%H:%M")
    assert f"Reserved until {local:%a} {local.day} {local:%b} 18:00." in reserved.content.decode()
    assert Order.objects.get().status == "reserved"


def test_the_phones_deadline_is_typed_and_offered_on_the_venues_clock(operator, performance):
    """A hall three hours behind the box office's own clock: 18:00 typed is 18:00 there, as
    the confirmation, the order's page and the caller's email say it."""
    from events.models import Venue

    Venue.objects.filter(pk=performance.venue_id).update(time_zone="America/Vancouver")
    performance.refresh_from_db()
    phone = signed_in(operator)
    caller = phone.post("/phone/customers/new/", {"name": "C", "email": "c@example.org"})["Location"]
    sale = phone.post(caller + "sale/", {"performance": performance.pk, "zone": performance.price_zones.get().pk,
                                         "quantity": 1})["Location"]
    field = re.search(r'<input id="deadline"[^>]*>', phone.get(sale).content.decode()).group(0)
    earliest = re.search(r'min="([^"]+)"', field).group(1)
    there = performance.local(timezone.now())
    assert abs(datetime.strptime(earliest, "%Y-%m-%dT%H:%M") - there.replace(tzinfo=None)) < timedelta(minutes=2)
    typed = (there + timedelta(days=2)).replace(hour=18, minute=0)
    reserved = phone.post(sale, {"action": "reserve", "deadline": typed.strftime("%Y-%m-%dT%H:%M"), "attempt": "1"},
                          follow=True).content.decode()
    assert f"Reserved until {typed:%a} {typed.day} {typed:%b} 18:00." in reserved
    assert performance.local(Order.objects.get().payment_deadline).replace(tzinfo=None) == typed.replace(
        tzinfo=None, second=0, microsecond=0)


def test_a_callers_past_orders_say_which_performance_and_what_they_cost(operator, performance):
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[p.pk for p in places_of(performance)[:2]])
    order = order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=2))
    page = signed_in(operator).get(f"/phone/customers/{caller.pk}/").content.decode()
    row = re.search(rf'<tr><td><a href="/phone/orders/{order.code}/">.*?</tr>', page, re.S).group(0)
    start = performance.local()
    assert f"{start:%a} {start.day} {start:%b} {start.year} {start:%H:%M}" in row and "$100.00" in row
    assert "<th scope=\"col\">Performance</th>" in page


def test_the_printed_slip_says_how_it_was_paid_and_the_change(clerk, performance):
    c = signed_in(clerk)
    sale_url = open_sale(c, performance)["Location"]
    c.post(sale_url, {"tendered": "50", "card_amount": "60", "card_reference": "AUTH42"})
    slip = c.post(f"/counter/orders/{Order.objects.get().code}/print/").content.decode()
    paid = re.search(r'<table id="slip-paid".*?</table>', slip, re.S).group(0)
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", paid, re.S)]
    assert rows == [["Card terminal (AUTH42)", "$60.00"], ["Cash", "$40.00"], ["Cash tendered", "$50.00"],
                    ["Change due", "$10.00"]]


def test_the_phones_deadline_keeps_its_bounds_in_order_for_a_show_about_to_begin(operator, performance):
    from events.models import Performance

    Performance.objects.filter(pk=performance.pk).update(starts_at=timezone.now() + timedelta(seconds=30))
    phone = signed_in(operator)
    caller = phone.post("/phone/customers/new/", {"name": "C", "email": "c@example.org"})["Location"]
    sale = phone.post(caller + "sale/", {"performance": performance.pk, "zone": performance.price_zones.get().pk,
                                         "quantity": 1})["Location"]
    field = re.search(r'<input id="deadline"[^>]*>', phone.get(sale).content.decode()).group(0)
    earliest, offered, latest = (re.search(fr'{name}="([^"]+)"', field).group(1) for name in ("min", "value", "max"))
    assert earliest <= offered <= latest


def test_the_phone_offers_a_lawn_once_as_its_price_zone(operator):
    from sales.models import Customer

    perf = make_performance(rows=1, per_row=4, standing=20)
    caller = Customer.objects.create(name="Élise Tremblay", email="elise@example.org")
    page = signed_in(operator).get(f"/phone/customers/{caller.pk}/").content.decode()
    lawn = perf.price_zones.get(name="Lawn")
    assert f'<option value="{lawn.pk}">Lawn' in page
    assert "Lawn (standing)" not in page


def test_cash_changes_hands_to_the_nearest_five_cents_and_the_drawer_counts_it_so(clerk, settings):
    """Canada has no cent: 2 × 10.01 = 20.02 is 20.00 in cash, with change from it; the
    order and its card payments stay to the cent; the drawer expects what was handed over."""
    from sales.policy import cash_due

    assert [cash_due(Decimal(a)) for a in ("137.97", "1.98", "1.93", "1.92", "-59.97", "0.02")] == [
        Decimal(a) for a in ("137.95", "2.00", "1.95", "1.90", "-59.95", "0.00")]
    c = signed_in(clerk)
    sale_url = open_sale(c, make_performance(rows=1, per_row=4, price="10.01"))["Location"]
    # The sale's page says what to collect in cash, beside the total to the cent.
    page = unescape(c.get(sale_url).content.decode())
    assert re.search(r'id="total"[^>]*>\$20\.02<', page)
    assert re.search(r'id="cash-total"[^>]*>In cash, to the nearest \$0\.05: <strong>\$20\.00</strong>', page)
    short = c.post(sale_url, {"tendered": "19.95"})
    assert "The $19.95 tendered is less than the total of $20.00" in unescape(short.content.decode())
    sold = c.post(sale_url, {"tendered": "50"}, follow=True)
    assert "Sold. Change due: $30.00" in unescape(sold.content.decode())
    order = Order.objects.get()
    assert order.total == Decimal("20.02") and order.payments.get().amount == Decimal("20.02")
    slip = unescape(c.post(f"/counter/orders/{order.code}/print/").content.decode())
    assert re.search(r"Cash, rounded to the coin</td><td>\$20\.00<", slip)
    assert re.search(r"Change due</td><td>\$30\.00<", slip)
    # Tendered in odd cents (typed so), the change is still in coins.
    from sales.policy import change_for

    assert change_for(Decimal("163.26"), Decimal("163.27")) == 0 and change_for(Decimal("170"), Decimal("163.27")) \
        == Decimal("6.75")
    closed = shift_close(shift=Shift.objects.get(), clerk=clerk, counted_cash=Decimal("120.00"),
                         counted_card=Decimal("0"))
    assert closed.difference == 0
    # The settlement adds up to the amounts recorded, and says what the drawers took beside them.
    from sales.settlement import event_settlement, settlement_csv

    settled = event_settlement(order.performance.event)
    assert settled.total.net == Decimal("20.02") and settled.cash_rounding == Decimal("-0.02")
    assert "Cash rounding to the coin (what the drawers took beyond the amounts above),,,-0.02" in \
        settlement_csv(settled).decode("utf-8-sig")
    # The shift's report lists the cash as it changed hands, as the drawer counted it; the
    # counter's home says its float as money.
    report = unescape(c.get(f"/counter/shift/{closed.pk}/report/").content.decode())
    assert re.search(rf"{order.code}</a></td><td>Cash</td><td class=\"num\">\$20\.00</td>", report), report
    c.post("/counter/shift/open/", {"cash_float": "1250"})
    assert "float $1,250.00." in unescape(c.get("/counter/").content.decode())
    settings.CASH_ROUNDING = Decimal("0.01")  # where cents are still paid
    assert cash_due(Decimal("137.97")) == Decimal("137.97")


def test_the_orders_history_says_the_cash_as_it_changed_hands_as_its_payments_do(clerk):
    """A sale of 20.02 paid 10.00 on the card terminal and the rest in cash (10.02, which is
    10.00 in coins): the order's page gives the cash as it was handed over, to the coin, in
    its history as in its payments; the card to the cent, and the order's total too."""
    c = signed_in(clerk)
    sale_url = open_sale(c, make_performance(rows=1, per_row=4, price="10.01"))["Location"]
    c.post(sale_url, {"tendered": "20", "card_amount": "10", "card_reference": "AUTH7"})
    order = Order.objects.get()
    page = c.get(f"/counter/orders/{order.code}/").content.decode()
    payments = table_rows(page, 'id="order-payments"')
    assert [row[1:3] for row in payments[1:]] == [["Card terminal", "$10.00"], ["Cash", "$10.00"]]
    history = [unescape(re.sub(r"<[^>]+>", "", line)) for line in re.findall(r"<li>(.*?)</li>", page, re.S)]
    paid = next(line for line in history if " — paid: " in line)
    assert "paid: Card terminal $10.00 + Cash $10.00 " in paid, history
    assert any("placed: 2 tickets, $20.02" in line for line in history)


def test_a_declined_payment_is_not_among_a_buyers_orders_at_the_counter_or_on_the_phone(clerk, operator):
    """It charged nothing: a clerk finding 'Tremblay' sees the paid order, not three failed
    tries at full price beside it; its code still finds it."""
    from sales.errors import PaymentDeclined
    from sales.orders import order_place
    from sales.payments import APPROVE, DECLINE

    perf = make_performance(rows=1, per_row=4)
    buyer = CustomerDetails(name="Élise Tremblay", email="elise@example.org")
    orders = []
    for number in (DECLINE, APPROVE):
        hold = hold_create(performance=perf, channel=Channel.ONLINE, zone=perf.price_zones.get(), quantity=1)
        try:
            orders.append(order_place(hold=hold, customer=buyer,
                                      payment=PaymentRequest(method="test_card", card_number=number)))
        except PaymentDeclined:
            orders.append(Order.objects.get(status="failed"))
    failed, paid = orders
    found = signed_in(clerk).get("/counter/lookup/?q=tremblay").content.decode()
    assert paid.code in found and failed.code not in found
    # Its code opens it.
    assert signed_in(clerk).get(f"/counter/lookup/?q={failed.code}")["Location"] == f"/counter/orders/{failed.code}/"
    caller = signed_in(operator).get(f"/phone/customers/{paid.customer_id}/").content.decode()
    assert paid.code in caller and failed.code not in caller


def test_amounts_at_the_window_read_as_each_language_writes_them_and_never_two_ways(clerk):
    """"1,000" is a thousand in English and one dollar in French: refused, and the float
    comes back as typed. "1,000.00" and "1 000,00" (as the pages print them) are a thousand."""
    c = signed_in(clerk)
    answer = c.post("/counter/shift/open/", {"cash_float": "1,000"}, follow=True)
    page = answer.content.decode()
    assert "“1,000” reads two ways" in page and 'value="1,000"' in page
    assert not Shift.objects.exists()
    c.post("/counter/shift/open/", {"cash_float": "1\u202f000,00"})
    assert Shift.objects.get().cash_float == Decimal("1000.00")
    for typed, read in (("1,000.00", "1000.00"), ("$1,250.5", "1250.50"), ("20,5", "20.50")):
        assert MoneyField(label="Cash").clean(typed) == Decimal(read)
    assert MoneyField(label="Cash").clean("1 000") == Decimal("1000.00")
    for typed in ("1.000", "12,34", "1e3", "NaN", "1.2.3", "10 50", "20 00"):  # 20 00 is not 2000
        with pytest.raises(ValidationError):
            MoneyField(label="Cash").clean(typed + ("0" if typed == "12,34" else ""))


def test_a_float_refused_comes_back_in_its_field_and_a_second_opening_changes_nothing(clerk):
    """A float below zero, or none, comes back as typed, the field naming its error; a shift opened
    meanwhile in another tab is not opened twice, nor its float changed: the counter says so."""
    c = signed_in(clerk)
    answer = c.post("/counter/shift/open/", {"cash_float": "-5"})
    page = answer.content.decode()
    assert answer.status_code == 400 and not Shift.objects.exists()
    field = re.search(r'<input id="cash_float"[^>]*>', page).group(0)
    assert 'value="-5"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="cash_float_error"' in field
    assert re.search(r'id="cash_float_error"[^>]*>Cash float cannot be negative\.<', page)
    page = c.post("/counter/shift/open/", {"cash_float": ""}).content.decode()
    assert re.search(r'id="cash_float_error"[^>]*>Enter the cash float \(0 or more\)<', page)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    answer = c.post("/counter/shift/open/", {"cash_float": "250"}, follow=True)
    page = answer.content.decode()
    assert answer.redirect_chain[-1][0] == "/counter/" and "You already have an open shift." in page
    assert 'id="cash_float"' not in page
    assert Shift.objects.get().cash_float == Decimal("100")


def test_a_count_that_differs_is_shown_back_before_the_shift_closes_and_the_expected_never(clerk):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    page = c.post("/counter/shift/close/", {"counted_cash": "1.00", "counted_card": "0"}).content.decode()
    assert Shift.objects.get().closed_at is None
    assert "The count differs from what the shift took." in page
    assert re.search(r"Cash</th><td>\$1\.00</td><td><strong>differs: count it again</strong>", page)
    assert re.search(r"Card terminal</th><td>\$0\.00</td><td>matches</td>", page)
    assert "100.00" not in page  # which count is off, never what was expected
    assert 'name="confirmed" value="1.00|0.00"' in page
    # Counted again and right: it closes at once.
    report = c.post("/counter/shift/close/", {"counted_cash": "100", "counted_card": "0"}, follow=True)
    assert "/report/" in report.redirect_chain[-1][0] and Shift.objects.get().difference == 0


def test_a_count_that_differs_closes_once_confirmed_as_counted(clerk):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    c.post("/counter/shift/close/", {"counted_cash": "95", "counted_card": "0"})
    # A count changed on the confirmation page is shown against the expected again.
    c.post("/counter/shift/close/", {"counted_cash": "90", "counted_card": "0", "confirmed": "95.00|0.00"})
    assert Shift.objects.get().closed_at is None
    report = c.post("/counter/shift/close/", {"counted_cash": "90", "counted_card": "0", "confirmed": "90.00|0.00"},
                    follow=True)
    assert "/report/" in report.redirect_chain[-1][0] and Shift.objects.get().difference == Decimal("-10.00")


def test_a_walk_in_gets_their_tickets_by_email_at_the_sale_or_later(clerk, performance, mailoutbox):
    from sales import notifications

    c = signed_in(clerk)
    sale_url = open_sale(c, performance, "1")["Location"]
    page = c.get(sale_url).content.decode()
    assert "Email the tickets to the buyer" in page
    sold = c.post(sale_url, {"tendered": "60", "email": "Lea@Example.org", "name": ""})
    assert sold.status_code == 302
    order = Order.objects.get()
    assert order.customer.email == "lea@example.org" and order.buyer == "Lea@Example.org"
    assert notifications.send_pending_confirmations() == 1
    assert mailoutbox[-1].to == ["lea@example.org"] and mailoutbox[-1].attachments
    # A walk-in sold to nobody in particular asks afterwards.
    sale_url = open_sale(c, performance, "1")["Location"]
    c.post(sale_url, {"tendered": "60"})
    walk_in = Order.objects.exclude(pk=order.pk).get()
    assert notifications.send_pending_confirmations() == 0  # no address: nothing sent
    page = c.get(f"/counter/orders/{walk_in.code}/").content.decode()
    named = c.get(f"/counter/orders/{order.code}/").content.decode()
    assert 'id="email-form"' in page and 'id="email-form"' not in named  # an order with its buyer has none
    bad = c.post(f"/counter/orders/{walk_in.code}/email/", {"email": "not an address"}, follow=True)
    assert "Not sent: enter a valid email address" in bad.content.decode()
    done = c.post(f"/counter/orders/{walk_in.code}/email/", {"email": "marc@example.org", "name": "Marc Roy"},
                  follow=True)
    assert "The tickets are being emailed to marc@example.org." in done.content.decode()
    walk_in.refresh_from_db()
    assert walk_in.customer.email == "marc@example.org" and walk_in.buyer == "Marc Roy"
    assert walk_in.events.filter(action="tickets emailed to the buyer", detail="marc@example.org").exists()
    assert notifications.send_pending_confirmations() == 1 and mailoutbox[-1].to == ["marc@example.org"]
    again = c.post(f"/counter/orders/{walk_in.code}/email/", {"email": "eve@example.org"}, follow=True)
    assert "buyer is marc@example.org already" in again.content.decode()
    walk_in.refresh_from_db()
    assert walk_in.customer.email == "marc@example.org"


def test_a_payment_is_at_one_time_on_the_order_and_on_the_shift_report(clerk):
    """A venue on another clock than the box office's: its payments are shown on the
    venue's clock everywhere, and say which clock that is."""
    from django.utils import timezone as tz

    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "America/Vancouver"
    perf.venue.save()
    c = signed_in(clerk)
    c.post(open_sale(c, perf, "1")["Location"], {"tendered": "100"})
    order = Order.objects.get()
    paid = tz.localtime(order.payments.get().created_at, perf.venue.zone)
    shown = f"{paid:%H:%M} {paid.tzname()}"
    assert re.search(rf"<td>{shown}</td><td>Cash</td>", c.get(f"/counter/orders/{order.code}/").content.decode())
    shift = Shift.objects.get()
    shift_close(shift=shift, clerk=clerk, counted_cash=shift.cash_float + order.total, counted_card=Decimal("0"))
    report = c.get(f"/counter/shift/{shift.pk}/report/").content.decode()
    assert re.search(rf'<td>{shown}</td><td><a href="[^"]*">{order.code}</a></td>', report), report


def test_the_phone_finds_an_order_by_the_code_the_caller_reads_out(operator, clerk):
    c = signed_in(clerk)
    c.post(open_sale(c, make_performance(rows=1, per_row=4), "1")["Location"], {"tendered": "100"})
    order = Order.objects.get()
    found = signed_in(operator).get(f"/phone/?q={order.code.lower()}")
    assert found.status_code == 302 and found["Location"] == f"/phone/orders/{order.code}/"
    assert "Nobody matches" in signed_in(operator).get("/phone/?q=ZZZZ9999").content.decode()


@pytest.mark.parametrize("url", ["/counter/lookup/", "/phone/"])
def test_a_search_too_long_is_refused_with_a_message_before_the_database(clerk, operator, url):
    """The counter's order lookup and the phone's caller search: a query longer than any
    name, email or order code is refused on the page, in the staff member's language, and
    never sent to the database; one of the longest allowed is still searched."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(clerk if url.startswith("/counter/") else operator)
    long = "Tremblay" + "z" * 300
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": long})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "A search has at most 200 characters (this one had 308)" in page
    assert "Nobody matches" not in page and "No order matches" not in page
    assert not [q["sql"] for q in queries if "zzzzzzzzzz" in q["sql"]]
    french = unescape(client.get(url, {"q": long}, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Une recherche compte au plus 200 caractères (celle-ci en avait 308)" in french
    longest = "Tremblay" + "z" * 192
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": longest})
    assert response.status_code == 200
    assert [q["sql"] for q in queries if "zzzzzzzzzz" in q["sql"]]  # searched


def test_a_callers_reservation_is_a_past_order_not_seats_still_held_for_them(operator, performance):
    """Reserved, the seats are the order's until its deadline: the caller's page lists the
    order, and only a sale still open (seats held, nothing placed) as seats held for them."""
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    reserved_hold, open_hold = (
        hold_create(performance=performance, channel=Channel.PHONE, user=operator, owner_key=f"customer:{caller.pk}",
                    place_ids=[p.pk]) for p in places_of(performance)[:2])
    order = order_reserve(hold=reserved_hold, customer=CALLER, actor=operator,
                          deadline=timezone.now() + timedelta(days=2))
    page = unescape(signed_in(operator).get(f"/phone/customers/{caller.pk}/").content.decode())
    held = page.split('id="held-for-caller"')[1].split("</section>")[0]
    assert f"/sale/{open_hold.pk}/" in held
    assert f"/sale/{reserved_hold.pk}/" not in held  # a link that only leads to the order
    assert order.code in page.split('id="held-for-caller"')[1]  # among the past orders


def test_a_reservations_page_shows_no_empty_table_of_tickets_it_has_not_issued_yet(clerk, operator, performance):
    """A reservation's tickets are issued when it is paid: its page at the phone and at the
    counter lists its places (what is reserved), not a table of tickets with no rows."""
    from sales.orders import customer_register

    caller = customer_register(details=CALLER)
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[p.pk for p in places_of(performance)[:2]])
    order = order_reserve(hold=hold, customer=CALLER, actor=operator, deadline=timezone.now() + timedelta(days=2))
    counter = signed_in(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "0"})
    phone = signed_in(operator)
    for page in (phone.get(f"/phone/orders/{order.code}/"), counter.get(f"/counter/orders/{order.code}/")):
        html = unescape(page.content.decode())
        assert 'id="reserved-places"' in html
        assert 'id="order-tickets"' not in html


def test_staff_pages_keep_their_people_in_the_staff_doors(clerk, operator):
    """A clerk, an operator or a door keeper tapping the page's title goes to their own
    door, not to the shop; the shop's "My tickets" is not offered to them."""
    from sales.policy import DOOR_STAFF
    from tests.support import make_user, signed_in

    for person, page in ((clerk, "/counter/"), (operator, "/phone/"), (make_user("door-k", DOOR_STAFF), "/door/")):
        text = signed_in(person).get(page).content.decode()
        assert re.search(r'<a class="brand" href="/staff/">', text), (page, text[:1500])
        assert "/orders/find/" not in text, page
    shop = Client().get("/").content.decode()
    assert '<a class="brand" href="/">' in shop and "/orders/find/" in shop


def test_the_staff_sign_in_is_a_staff_door_without_the_shops_links(client):
    """Whoever opens the staff sign-in is staff: its title leads to their door, and the
    shop's "My tickets" (the buyers') is not offered."""
    page = client.get("/login/").content.decode()
    assert re.search(r'<a class="brand" href="/staff/">', page), page[:1500]
    assert "/orders/find/" not in page and "My tickets" not in page


def _callers_languages(page: str) -> list[str]:
    """The language each "Caller's language" field of a page offers first."""
    fields = re.findall(r'<select (?:id="language" )?name="language"[^>]*>(.*?)</select>', page, re.S)
    return [re.search(r'<option value="(\w+)"[^>]*selected', f)[1] for f in fields]


def test_the_phone_offers_first_the_language_the_caller_is_known_to_speak(operator, performance):
    """A hall that speaks French, a caller who bought online in English: the phone offers
    English; a language the caller gave the phone wins over their orders'; someone never
    heard from is offered the hall's."""
    from events.models import Venue
    from sales.orders import customer_register, order_place
    from sales.payments import APPROVE, PaymentRequest

    Venue.objects.filter(pk=performance.venue_id).update(language="fr")
    order_place(hold=hold_create(performance=performance, channel=Channel.ONLINE,
                                 place_ids=[places_of(performance)[0].pk]),
                customer=CALLER, payment=PaymentRequest(method="test_card", card_number=APPROVE), language="en")
    caller = Customer.objects.get(email=CALLER.email)
    newcomer = customer_register(details=CustomerDetails(name="New", email="new@example.org"))
    phone = signed_in(operator)
    assert _callers_languages(phone.get(f"/phone/customers/{caller.pk}/").content.decode()) == ["en"]
    assert _callers_languages(phone.get(f"/phone/customers/{newcomer.pk}/").content.decode()) == ["fr"]
    # Seats picked on the map: the sale's own field offers the same.
    hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                       owner_key=f"customer:{caller.pk}", place_ids=[places_of(performance)[1].pk])
    assert _callers_languages(phone.get(f"/phone/customers/{caller.pk}/sale/{hold.pk}/").content.decode()) == ["en"]
    Customer.objects.filter(pk=caller.pk).update(language="fr")
    assert _callers_languages(phone.get(f"/phone/customers/{caller.pk}/").content.decode()) == ["fr"]


def test_orders_found_at_the_counter_say_which_performance_and_what_was_found(clerk, monkeypatch):
    """A buyer with tickets for two nights of one show: each order found says its night on
    the venue's clock, the venue too once the organizer has several, and the results say
    what was searched for."""
    from events.models import Venue
    from sales.orders import order_place
    from sales.payments import APPROVE, PaymentRequest
    from tests.factories import PerformanceFactory, PriceZoneFactory, VenueFactory
    from tests.support import one_place

    first = make_performance(rows=1, per_row=4)
    Venue.objects.filter(pk=first.venue_id).update(time_zone="America/Vancouver", name="Théâtre Ouest")
    second = PerformanceFactory(event=first.event, venue=first.venue, starts_at=first.starts_at + timedelta(days=1),
                                channels=[Channel.ONLINE])
    one_place(second, PriceZoneFactory(performance=second, name="Floor"))
    buyer = CustomerDetails(name="Élise Tremblay", email="elise@example.org")
    for perf in (first, second):
        order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk]),
                    customer=buyer, payment=PaymentRequest(method="test_card", card_number=APPROVE))
    nights = [timezone.localtime(p.starts_at, ZoneInfo("America/Vancouver")) for p in (second, first)]
    said = [f"{first.event.title} — {n:%a} {n.day} {n:%b} {n.year} {n:%H:%M}" for n in nights]
    counter = signed_in(clerk)
    page = counter.get("/counter/lookup/?q=Tremblay").content.decode()
    assert [row[3] for row in table_rows(page, 'id="results"')] == said  # the latest order first
    assert "2 orders match “Tremblay”" in unescape(page)
    VenueFactory(name="Salle Nord")
    page = counter.get("/counter/lookup/?q=Tremblay").content.decode()
    assert [row[3] for row in table_rows(page, 'id="results"')] == [f"{s} · Théâtre Ouest" for s in said]
    # More than a page finds: the latest, said so.
    monkeypatch.setattr("sales.channels.counter.views.LOOKUP_LIMIT", 1)
    page = unescape(counter.get("/counter/lookup/?q=Tremblay").content.decode())
    assert "The latest order matching “Tremblay”" in page and len(table_rows(page, 'id="results"')) == 1


def test_the_printed_slip_writes_the_performances_date_in_full_as_its_tickets_do(clerk):
    """The slip handed over the counter says when the show starts as the PDF tickets and the
    receipt write it, in the buyer's language: « vendredi 17 janvier 2031, 20 h », not a
    short weekday beside a full month."""
    perf = make_performance()
    perf.starts_at = datetime(2031, 1, 17, 20, 0, tzinfo=perf.venue.zone)
    perf.save(update_fields=["starts_at"])
    c = signed_in(clerk)
    sale_url = open_sale(c, perf, quantity="1")["Location"]
    c.post(sale_url, {"tendered": "100", "language": "fr"})
    order = Order.objects.get()
    assert order.language == "fr"
    slip = unescape(re.sub(r"\s+", " ", c.post(f"/counter/orders/{order.code}/print/").content.decode()))
    ticket = slip[slip.index('class="ticket"'):]
    assert "<div>vendredi 17 janvier 2031, 20 h</div>" in ticket, ticket[:400]  # (spaces made plain above)


def test_an_open_shifts_report_keeps_the_count_blind_until_the_close(clerk, performance):
    """The drawer is counted blind: the close says only whether each count matches. The
    report of a shift still open (its address typed mid-shift) must not tell the clerk what
    the drawer took, so it says the shift is open and leads to its close."""
    c = signed_in(clerk)
    c.post(open_sale(c, performance)["Location"], {"tendered": "100"})
    shift = Shift.objects.get()
    c.get("/counter/")  # the sale's message (its change due) shown there
    page = c.get(f"/counter/shift/{shift.pk}/report/")
    text = unescape(re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert page.status_code == 409
    assert "$" not in text and "Cash taken" not in text
    assert "This shift is still open: its report is printed when it is closed." in " ".join(text.split())
    assert 'href="/counter/shift/close/"' in page.content.decode()
    c.post("/counter/shift/close/", {"counted_cash": "200", "counted_card": "0"})
    assert "$100.00" in c.get(f"/counter/shift/{shift.pk}/report/").content.decode()
