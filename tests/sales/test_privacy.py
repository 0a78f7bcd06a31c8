"""A customer's personal data erased on request (Law 25, the GDPR): every copy gone from
the database, the accounts adding up as before, refused while something still needs it,
and only the organizer may do it."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from events.models import Channel, Performance
from sales import notifications
from sales.errors import IllegalTransition, InvalidRequest, NotPermitted, SalesError
from sales.holds import hold_create
from sales.models import (
    ERASED_DOMAIN,
    REFUND_OWED,
    Ballot,
    BallotEntry,
    Customer,
    CustomerNote,
    Hold,
    IdempotencyRecord,
    Order,
    OrderEvent,
    Payment,
    mailbox,
)
from sales.orders import CustomerDetails, order_place, order_refund
from sales.payments import APPROVE, PaymentRequest
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR
from sales.privacy import customer_erase, erasure_plan
from sales.settlement import event_settlement
from tests.support import (
    apply_confirmed,
    card_token,
    client_for,
    drawer,
    make_performance,
    make_user,
    places_of,
    signed_in,
)

pytestmark = pytest.mark.django_db

NAME, PHONE = "Geneviève Lachance-Okafor", "+1 514 555 0199"
EMAIL = "g.lachance+shows@example.org"  # her orders' address
BALLOT_EMAIL = "G.Lachance@example.org"  # her ballot's: the same mailbox, written otherwise
PERSON = CustomerDetails(name=NAME, email=EMAIL, phone=PHONE)


def online_order(perf, person=PERSON):
    hold = hold_create(performance=perf, channel=Channel.ONLINE, owner_key="buyer",
                       place_ids=[places_of(perf, state="available")[0].pk])
    return order_place(hold=hold, customer=person, owner_key="buyer",
                       payment=PaymentRequest(method="test_card", card_number=APPROVE))


def counter_order(perf, clerk):
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                       place_ids=[places_of(perf, state="available")[0].pk])
    return order_place(hold=hold, customer=PERSON, actor=clerk, shift=drawer(clerk),
                       payments=[PaymentRequest(method="cash", tendered=Decimal("60"))])


def phone_card_order(perf):
    """Sold by the phone console to her on the line, her card typed into the provider's field."""
    phone = signed_in(make_user("operator-privacy", PHONE_OPERATOR))
    phone.post("/phone/customers/new/", {"name": NAME, "email": EMAIL, "phone": PHONE})
    caller = Customer.objects.get(email=EMAIL)
    phone.post(f"/phone/customers/{caller.pk}/notes/", {"text": f"{NAME} asks for the aisle; call {PHONE}"})
    phone.post(f"/phone/customers/{caller.pk}/sale/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                        "quantity": 1})
    hold = Hold.objects.get(status=Hold.Status.ACTIVE, channel=Channel.PHONE)
    paid = phone.post(f"/phone/customers/{caller.pk}/sale/{hold.pk}/",
                      {"action": "pay", "card_token": card_token(), "attempt": "1"})
    assert paid.status_code == 302, paid.content
    return Order.objects.get(channel=Channel.PHONE, status="paid")


def api_order(perf):
    """Bought through the API with an Idempotency-Key: its answer is kept for a retry."""
    client = client_for()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk, "places": [places_of(perf, state="available")[0].pk]},
                       format="json")
    answer = client.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": {
        "name": NAME, "email": EMAIL, "phone": PHONE}, "payment": {"method": "test_card", "card_number": APPROVE}},
        format="json", HTTP_IDEMPOTENCY_KEY="3f0c9a52-privacy-order")
    assert answer.status_code == 201, answer.content
    return Order.objects.get(code=answer.json()["code"])


def ballot_entry(perf):
    """Her application to a ballot, drawn since (not among the winners)."""
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), opens_at=now - timedelta(days=1),
                                   closes_at=now + timedelta(hours=1))
    entry = apply_confirmed(ballot=ballot, name=NAME, email=BALLOT_EMAIL, quantity=2)
    return entry


def over(perf):
    """The performance played two days ago."""
    Performance.objects.filter(pk=perf.pk).update(starts_at=timezone.now() - timedelta(days=2))
    perf.refresh_from_db()
    return perf


def her_history(clerk):
    """Everything the box office keeps of her: orders from each door (one refunded), the
    confirmation emailed, a note, a ballot entry, an API answer. The performance is over."""
    perf = make_performance(rows=1, per_row=8, price="50.00")
    online = online_order(perf)
    counter_order(perf, clerk)
    phone_card_order(perf)
    api_order(perf)
    assert notifications.send_confirmation(online.pk)
    order_refund(order=Order.objects.get(channel=Channel.PHONE), actor=make_user("boss", ORGANIZER))
    entry = ballot_entry(perf)
    BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.LOST, rank=1)
    # A superuser corrected her record in the admin once: its history names her.
    customer = Customer.objects.get()
    LogEntry.objects.create(user=make_user("root", is_superuser=True), object_id=str(customer.pk),
                            content_type=ContentType.objects.get_for_model(Customer), object_repr=str(customer),
                            action_flag=CHANGE, change_message=f"Phone {PHONE}")
    return over(perf)


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public'
                            AND data_type IN ('text', 'character varying', 'json', 'jsonb')
                          ORDER BY table_name, column_name""")
        return cursor.fetchall()


def rows_quoting(*words: str) -> list[str]:
    """Every table.column (of every text and JSON column in the database) holding one of `words`."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for word in words:
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                               [f"%{word}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} holds {word!r}")
    return found


def money_figures(organizer, perf) -> tuple:
    settlement = event_settlement(perf.event).total
    response = signed_in(organizer).get("/admin/sales/performancedashboard/exports/",
                                        {"kind": "payments", "format": "csv", "performance": perf.pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    amount = rows[0].index("Amount")
    return settlement, sum(Decimal(r[amount]) for r in rows[1:]), len(rows)


def test_no_row_of_any_table_quotes_her_once_erased_and_the_money_adds_up_the_same(clerk, organizer):
    perf = her_history(clerk)
    words = (NAME, EMAIL, BALLOT_EMAIL, "g.lachance@example.org", PHONE)
    assert len(rows_quoting(*words)) > 5  # the scan finds her where she is
    assert Payment.objects.exclude(card_fingerprint="").exists()
    before = money_figures(organizer, perf)
    tickets = sorted(Order.objects.values_list("tickets__price", "tickets__status", "tickets__place"))

    done = customer_erase(email=EMAIL, actor=organizer)

    assert (len(done.customers), len(done.orders), len(done.ballot_entries), done.notes) == (1, 4, 1, 1)
    assert rows_quoting(*words) == []
    assert money_figures(organizer, perf) == before
    assert sorted(Order.objects.values_list("tickets__price", "tickets__status", "tickets__place")) == tickets
    assert not Payment.objects.exclude(card_fingerprint="").exists()
    assert not CustomerNote.objects.exists()
    customer = Customer.objects.get()
    assert customer.email == f"erased-{customer.pk}@erased.invalid" and customer.phone == ""
    for order in Order.objects.all():
        erased = order.events.get(action="personal data erased")
        assert erased.actor == organizer and erased.detail == ""
    # The audit trail keeps its lines, her address taken out of them.
    assert OrderEvent.objects.get(action="confirmation sent").detail == "[…]"
    assert IdempotencyRecord.objects.get(key="3f0c9a52-privacy-order").response["customer"]["email"] == "[…]"


def test_erasing_again_does_nothing_and_says_so(clerk, organizer):
    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    over(perf)
    first = customer_erase(email=EMAIL, actor=organizer)
    assert first.anything
    events = OrderEvent.objects.count()
    again = customer_erase(email=EMAIL, actor=organizer)
    assert not again.anything and not again.already_erased
    erased = Customer.objects.get().email
    by_record = customer_erase(email=erased, actor=organizer)
    assert by_record.already_erased and not by_record.anything
    assert OrderEvent.objects.count() == events and Customer.objects.get().email == erased


def test_it_is_refused_while_something_still_needs_her_data_and_says_which(clerk, organizer):
    played, coming = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    online_order(played)
    over(played)
    future = online_order(coming)
    entry = ballot_entry(coming)
    with pytest.raises(IllegalTransition) as refused:
        customer_erase(email=EMAIL, actor=organizer)
    said = refused.value.message
    assert f"order {future.code} has valid tickets for {coming}, which is not over yet" in said
    assert "application (Ballot for" in said and "is not drawn yet" in said
    assert Customer.objects.get().name == NAME and BallotEntry.objects.get().email == BALLOT_EMAIL.lower()
    assert not OrderEvent.objects.filter(action="personal data erased").exists()

    # Refunded, its card refund not yet made by the provider: still refused.
    order_refund(order=future, actor=organizer)
    Payment.objects.filter(order=future, status=Payment.Status.REFUNDED).update(message=REFUND_OWED)
    BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.LOST)
    plan = erasure_plan(email=EMAIL)
    assert plan.refusals == [f"order {future.code} has a card refund the payment provider has not made yet: "
                             "wait until it has"]
    Payment.objects.filter(order=future, status=Payment.Status.REFUNDED).update(message="")
    assert customer_erase(email=EMAIL, actor=organizer).anything


def test_an_unpaid_reservation_blocks_it(organizer):
    from sales.orders import order_reserve

    perf = make_performance(rows=1, per_row=4)
    operator = make_user("operator-r", PHONE_OPERATOR)
    hold = hold_create(performance=perf, channel=Channel.PHONE, user=operator,
                       place_ids=[places_of(perf, state="available")[0].pk])
    reserved = order_reserve(hold=hold, customer=PERSON, deadline=timezone.now() + timedelta(days=1), actor=operator)
    assert f"order {reserved.code} is not paid yet (reserved, to pay)" in erasure_plan(email=EMAIL).refusals[0]


def answer_of(call):
    """`call()`'s answer, or the refusal it raised."""
    try:
        return call()
    except SalesError as exc:
        return exc


def raced_with_her_erasure(organizer, first: str, person: CustomerDetails, at_its_end=None):
    """Her order (as `person`) of a performance to come and her erasure at the same moment,
    her earlier order's performance over: the `first` holds its transaction open, its
    rows locked, while the other runs into it; `at_its_end()` runs in the erasure's
    transaction as it is about to commit. Their answers, her earlier order, the hold."""
    from tests.sales.test_money_races import while_it_waits

    earlier = online_order(played := make_performance(rows=1, per_row=4))
    over(played)
    coming = make_performance(rows=1, per_row=4)
    hold = hold_create(performance=coming, channel=Channel.ONLINE, owner_key="buyer",
                       place_ids=[places_of(coming, state="available")[0].pk])
    answers = {}

    def order():
        answers["order"] = answer_of(lambda: order_place(
            hold=hold, customer=person, owner_key="buyer",
            payment=PaymentRequest(method="test_card", card_number=APPROVE)))

    def erasure():
        answers["erasure"] = answer_of(lambda: customer_erase(email=EMAIL, actor=organizer))

    if first == "erasure":
        while_it_waits(erasure, order, then=at_its_end, what="the order")
    else:
        while_it_waits(order, erasure, what="the erasure")
    return answers, earlier, hold


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["erasure", "order"])
def test_an_order_for_her_placed_as_she_is_erased_leaves_none_of_her_data_behind_a_done_erasure(organizer, first):
    """Her order and her erasure at the same moment take turns: the erasure first, her
    order (which found her record before it was erased) is refused; her order first, the
    erasure sees it and is refused for it. Never an erasure done with her data still there."""
    answers, _earlier, hold = raced_with_her_erasure(organizer, first, PERSON)

    if first == "erasure":
        assert answers["erasure"].anything
        assert isinstance(answers["order"], InvalidRequest), answers["order"]
        assert "changed just now; try again" in answers["order"].message
        assert rows_quoting(NAME, EMAIL, PHONE) == []
        assert not Order.objects.filter(performance=hold.performance).exists()
        assert Hold.objects.get(pk=hold.pk).status == Hold.Status.ACTIVE  # hers to pay for again
    else:
        placed = answers["order"]
        assert placed.status == Order.Status.PAID and placed.buyer_name == NAME
        assert isinstance(answers["erasure"], IllegalTransition), answers["erasure"]
        assert f"order {placed.code} has valid tickets for {hold.performance}" in answers["erasure"].message
        assert Customer.objects.get().email == EMAIL


def her_records_not_erased() -> list[str]:
    """The addresses of her mailbox's customer records (every way of writing it) not erased."""
    return [c.email for c in Customer.objects.order_by("pk") if mailbox(c.email) == mailbox(EMAIL)]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["erasure", "order"])
def test_an_order_making_her_a_new_record_as_she_is_erased_commits_wholly_before_or_after_it(organizer, first):
    """Her order under another way of writing her address (a record of its own, created by
    the order) and her erasure at the same moment take turns: the erasure first, the order
    waits for it and makes a fresh record once it is done; the order first, the erasure
    waits for it, sees the new record and its order, and is refused for it. Never an
    erasure done while a record of her mailbox it did not see was written meanwhile."""
    again = CustomerDetails(name=NAME, email="G.Lachance+encore@example.org", phone=PHONE)
    at_its_end = []
    answers, earlier, hold = raced_with_her_erasure(
        organizer, first, again, at_its_end=lambda: at_its_end.extend(her_records_not_erased()))

    placed = answers["order"]
    assert placed.status == Order.Status.PAID and placed.buyer_name == NAME
    if first == "erasure":
        assert at_its_end == []  # as it commits: nothing of her mailbox left but what it erased
        assert [c.pk for c in answers["erasure"].customers] == [earlier.customer_id]
        assert her_records_not_erased() == ["g.lachance+encore@example.org"]  # the fresh one
        assert Order.objects.get(pk=earlier.pk).buyer_name == ""
    else:
        assert isinstance(answers["erasure"], IllegalTransition), answers["erasure"]
        assert f"order {placed.code} has valid tickets for {hold.performance}" in answers["erasure"].message
        assert her_records_not_erased() == [EMAIL, "g.lachance+encore@example.org"]
    # No order of an erased record carries her data again.
    assert not Order.objects.filter(customer__email__endswith=f"@{ERASED_DOMAIN}").exclude(buyer_name="").exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["erasure", "application"])
def test_a_ballot_application_of_hers_made_as_she_is_erased_commits_wholly_before_or_after_it(organizer, first):
    """Her ballot application (an entry of her mailbox) and her erasure at the same moment
    take turns: the erasure first, the application waits and is taken once it is done;
    the application first, the erasure waits, sees it and is refused for it (not drawn)."""
    from sales.lottery import ballot_apply
    from tests.sales.test_money_races import while_it_waits

    online_order(played := make_performance(rows=1, per_row=4))
    over(played)
    coming = make_performance(rows=1, per_row=4)
    ballot = Ballot.objects.create(performance=coming, zone=coming.price_zones.get(),
                                   opens_at=timezone.now() - timedelta(days=1),
                                   closes_at=timezone.now() + timedelta(hours=1))
    answers, at_its_end = {}, []

    def application():
        answers["application"] = answer_of(lambda: ballot_apply(ballot=ballot, name=NAME, email=BALLOT_EMAIL,
                                                                quantity=2))

    def erasure():
        answers["erasure"] = answer_of(lambda: customer_erase(email=EMAIL, actor=organizer))

    if first == "erasure":
        while_it_waits(erasure, application, what="the application", then=lambda: at_its_end.extend(
            BallotEntry.objects.filter(mailbox=mailbox(EMAIL)).values_list("name", flat=True)))
    else:
        while_it_waits(application, erasure, what="the erasure")

    entry = answers["application"]
    assert isinstance(entry, BallotEntry) and entry.status == BallotEntry.Status.UNCONFIRMED, entry
    if first == "erasure":
        assert at_its_end == []  # as it commits: no entry of her mailbox it did not erase
        assert answers["erasure"].anything and answers["erasure"].ballot_entries == []
        assert BallotEntry.objects.get().name == NAME  # taken after it, as she applied again
    else:
        assert isinstance(answers["erasure"], IllegalTransition), answers["erasure"]
        assert "is not drawn yet" in answers["erasure"].message
        assert Customer.objects.get().email == EMAIL


@pytest.mark.parametrize("role", [COUNTER_CLERK, PHONE_OPERATOR, DOOR_STAFF])
def test_no_clerk_operator_or_door_staff_may_erase(role):
    from django.contrib.auth.models import Permission

    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    over(perf)
    staff = make_user(f"staff-{role.replace(' ', '-')}", role, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_customer"))  # even seeing the list
    with pytest.raises(NotPermitted):
        customer_erase(email=EMAIL, actor=staff)
    client = signed_in(staff)
    listing = client.get("/admin/sales/customer/")
    assert listing.status_code == 200 and "erase_personal_data" not in listing.content.decode()
    pk = Customer.objects.get().pk
    client.post("/admin/sales/customer/", {"action": "erase_personal_data", "_selected_action": [pk]})
    client.post("/admin/sales/customer/", {"action": "erase_personal_data", "_selected_action": [pk],
                                           "confirmed": "yes"})
    assert Customer.objects.get().name == NAME


@pytest.mark.parametrize("superuser", [False, True])
def test_the_organizer_erases_from_the_customers_list_after_a_page_saying_what_goes(organizer, superuser):
    user = make_user("root", is_staff=True, is_superuser=True) if superuser else organizer
    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    online_order(perf)
    over(perf)
    customer = Customer.objects.get()
    CustomerNote.objects.create(customer=customer, text="Prefers the aisle")
    client = signed_in(user)
    assert "erase_personal_data" in client.get("/admin/sales/customer/").content.decode()
    page = client.post("/admin/sales/customer/", {"action": "erase_personal_data",
                                                  "_selected_action": [customer.pk]}).content.decode()
    assert "Erase their personal data?" in page and "2 orders, 0 ballot entries, 1 note" in page and NAME in page
    assert Customer.objects.get().name == NAME
    done = client.post("/admin/sales/customer/", {"action": "erase_personal_data", "_selected_action": [customer.pk],
                                                  "confirmed": "yes"}, follow=True).content.decode()
    assert "Erased the personal data of 1 customer." in done
    assert Customer.objects.get().name == "Personal data erased" and not CustomerNote.objects.exists()
    # Again: nothing to do, said so.
    again = client.post("/admin/sales/customer/", {"action": "erase_personal_data",
                                                   "_selected_action": [customer.pk]}).content.decode()
    assert "Already erased: nothing more to erase." in again


def test_the_page_names_each_order_her_data_is_erased_from_and_links_to_it(organizer):
    """The orders stay (only their buyer's details go): the page does not list them as
    things to erase, and names each by its code, its performance and its state, with a
    link to it, so that the organizer sees whose sales these are before confirming."""
    played, coming = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    first, second = online_order(played), online_order(played)
    over(played)
    other = online_order(make_performance(rows=1, per_row=4), CustomerDetails(name="Paul Appel",
                                                                              email="paul@example.org"))
    page = signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [first.customer_id]}).content.decode()
    start = page.find('id="erasure-plan"')
    plan = page[start:page.find("</table>", start)]
    assert "To erase" not in plan and "Erased from" in plan
    for order in (first, second):
        assert f'<a href="/admin/sales/order/{order.pk}/change/">{order.code}</a> — {played} (paid)' in plan
    assert other.code not in plan
    # Refused: the order to refund first is a click away.
    future = online_order(coming)
    page = signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [first.customer_id]}).content.decode()
    assert f'<a href="/admin/sales/order/{future.pk}/change/">{future.code}</a>' in page
    assert f"Order {future.code} has valid tickets for" in page


def test_the_page_says_why_it_is_refused_and_offers_nothing_to_confirm(organizer):
    coming = make_performance(rows=1, per_row=4)
    order = online_order(coming)
    page = signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [order.customer_id]}).content.decode()
    assert f"Order {order.code} has valid tickets for" in page
    assert 'name="confirmed"' not in page


def test_the_page_says_what_goes_and_what_stays_as_it_is_done(organizer):
    """Her ballot entries stay (their draw and result with them): only her name and address
    on them go. Her notes and her cards' fingerprints are deleted outright."""
    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    over(perf)
    page = html.unescape(signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [Customer.objects.get().pk]}).content.decode())
    assert "ballot entries are erased" not in page
    assert ("their name, email address and phone number are erased from their customer records (every one "
            "with the same mailbox), their orders, their ballot entries, the orders' history and the answers "
            "kept for the API; the notes about them and their payments' card fingerprints are deleted.") in page
    assert "Their orders, tickets, payments and ballot entries stay" in page


def test_the_page_fits_a_phone_a_long_address_wrapping_in_its_column(organizer):
    """An address is one long word: kept whole, it pushed the table past a phone's 375 px."""
    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    over(perf)
    page = signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [Customer.objects.get().pk]}).content.decode()
    assert "@media (max-width: 767px) { #erasure-plan td:first-child { overflow-wrap: anywhere; } }" in page


def test_confirming_erases_those_the_page_offered_and_leaves_the_others_without_an_error(organizer):
    """Two people chosen, one whose order is still to come ("Not yet" on the page): the
    button erases the one it counts, and the other, already told why not, is not named
    again as a red error; a page offering nobody asks no question it cannot be answered."""
    played, coming = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    past = online_order(played)
    over(played)
    waiting = online_order(coming, CustomerDetails(name="Paul Appel", email="paul@example.org"))
    client = signed_in(organizer)
    chosen = [past.customer_id, waiting.customer_id]
    page = client.post("/admin/sales/customer/", {"action": "erase_personal_data",
                                                  "_selected_action": chosen}).content.decode()
    assert "Yes, erase the personal data of 1 person" in page and "Not yet:" in page
    posted = [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', page)]
    assert posted == [past.customer_id]  # what the button counts, nobody else
    done = client.post("/admin/sales/customer/", {"action": "erase_personal_data", "_selected_action": posted,
                                                  "confirmed": "yes"}, follow=True).content.decode()
    assert "Erased the personal data of 1 customer." in done and "not erased" not in done
    assert Customer.objects.get(pk=past.customer_id).name == "Personal data erased"
    assert Customer.objects.get(pk=waiting.customer_id).name == "Paul Appel"
    nobody = client.post("/admin/sales/customer/", {"action": "erase_personal_data",
                                                    "_selected_action": [waiting.customer_id]}).content.decode()
    assert "Erase their personal data?" not in nobody and "This cannot be undone" not in nobody
    assert "Nobody chosen can be erased now" in nobody and "Not yet:" in nobody


@pytest.mark.parametrize("language", ["en", "fr"])
def test_confirmed_with_someone_refused_it_says_whose_data_was_not_erased_and_why(organizer, language):
    """Confirmed for several people, one of whom is refused: the refusal names their
    address as typed (not capitalised like the start of a sentence) and says their data
    was not erased, and what to do first."""
    coming = make_performance(rows=1, per_row=4)
    order = online_order(coming, CustomerDetails(name="Paul Appel", email="paul@example.org"))
    page = signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [order.customer_id], "confirmed": "yes"},
        HTTP_ACCEPT_LANGUAGE=language, follow=True).content.decode()
    said = {"en": f"Personal data of paul@example.org not erased: order {order.code} has valid tickets for",
            "fr": f"Données personnelles de paul@example.org non effacées\u00a0: la commande {order.code} a des "
                  "billets valides pour"}[language]
    assert said in page
    assert "Paul@example.org" not in page and Customer.objects.get().name == "Paul Appel"


def test_the_page_speaks_french_to_a_french_organizer(organizer):
    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    over(perf)
    page = signed_in(organizer).post("/admin/sales/customer/", {
        "action": "erase_personal_data", "_selected_action": [Customer.objects.get().pk]},
        HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Effacer leurs données personnelles\u00a0?" in page
    assert "1 commande, 0 demande de tirage au sort, 0 note" in page and "Données effacées de" in page
    assert "Oui, effacer les données personnelles de 1 personne" in page


def test_an_erased_customer_is_listed_in_the_organizers_language(organizer):
    perf = make_performance(rows=1, per_row=4)
    online_order(perf)
    over(perf)
    customer_erase(email=EMAIL, actor=organizer)
    page = signed_in(organizer).get("/admin/sales/customer/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Données personnelles effacées" in page and "Personal data erased" not in page
