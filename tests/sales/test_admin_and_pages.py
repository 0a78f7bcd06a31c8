import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from events.models import Channel, Performance
from sales.holds import hold_create
from sales.models import Order, Place, PlaceEvent
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from tests.support import make_performance, places_of, signed_in

pytestmark = pytest.mark.django_db


def sell_two(perf):
    hold = hold_create(performance=perf, channel=Channel.ONLINE,
                       place_ids=[p.pk for p in places_of(perf)[:2]])
    return order_place(hold=hold, customer=CustomerDetails(name="Léa", email="lea@example.org"),
                       payment=PaymentRequest(method="test_card", card_number=APPROVE))


def test_organizer_puts_a_performance_on_sale_from_the_admin(client, organizer):
    perf = make_performance(on_sale=False)
    client.force_login(organizer)
    response = client.post("/admin/events/performance/", {
        "action": "put_on_sale", "_selected_action": [perf.pk]}, follow=True)
    assert "places created: 100" in response.content.decode()
    assert Place.objects.filter(performance=perf).count() == 100
    response = client.post("/admin/events/performance/", {
        "action": "put_on_sale", "_selected_action": [perf.pk]}, follow=True)
    assert "Nothing changed" in response.content.decode()


def test_a_performance_not_on_sale_is_put_on_sale_from_its_page_and_the_list_says_which_are(client, organizer):
    """Its page, once saved, says it is not on sale and offers to put it on sale there (a
    form that posts: nothing changes by following a link); the list says which are."""
    from html import unescape

    from django.contrib.auth.models import Permission

    waiting = make_performance(on_sale=False)
    selling = make_performance()
    client.force_login(organizer)
    change = f"/admin/events/performance/{waiting.pk}/change/"
    page = unescape(client.get(change).content.decode())
    assert "Not on sale yet: put it on sale with the button “Put on sale” above." in re.sub(r"<[^>]+>", "", page)
    put = f"/admin/events/performance/{waiting.pk}/put-on-sale/"
    assert f'action="{put}"' in page and 'id="put-on-sale"' in page
    assert 'id="put-on-sale"' not in client.get(f"/admin/events/performance/{selling.pk}/change/").content.decode()
    listed = client.get("/admin/events/performance/").content.decode()
    assert "column-on_sale" in listed
    rows = {pk: next(r for r in listed.split("<tr")[1:] if f"/admin/events/performance/{pk}/change/" in r)
            for pk in (waiting.pk, selling.pk)}
    assert 'class="field-on_sale"><img src="/static/admin/img/icon-no.svg"' in rows[waiting.pk]
    assert 'class="field-on_sale"><img src="/static/admin/img/icon-yes.svg"' in rows[selling.pk]
    # Following the address changes nothing; one who may only read the performance is refused.
    assert client.get(put).status_code == 302 and not Place.objects.filter(performance=waiting).exists()
    reader = User.objects.create_user("reader", password="x", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_performance"))
    client.force_login(reader)
    assert 'id="put-on-sale"' not in client.get(change).content.decode()
    assert client.post(put).status_code == 403 and not Place.objects.filter(performance=waiting).exists()
    client.force_login(organizer)
    answer = client.post(put, follow=True)
    assert answer.redirect_chain[-1][0] == change
    assert f"{waiting}: places created: 100" in unescape(answer.content.decode())
    assert Place.objects.filter(performance=waiting).count() == 100
    assert 'id="put-on-sale"' not in answer.content.decode()
    answer = client.post(put, follow=True)  # twice: said, nothing made twice
    assert Place.objects.filter(performance=waiting).count() == 100
    # A cancelled performance is not put on sale: no button, and no word of one.
    cancelled = make_performance(on_sale=False)
    Performance.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    page = unescape(client.get(f"/admin/events/performance/{cancelled.pk}/change/").content.decode())
    assert 'id="put-on-sale"' not in page and "with the button" not in page
    assert "Cancelled before it was put on sale." in page
    # One who may only read it is told it is not on sale, and of no button.
    client.force_login(reader)
    page = unescape(client.get(f"/admin/events/performance/{make_performance(on_sale=False).pk}/change/")
                    .content.decode())
    assert "with the button" not in page and "Not on sale yet." in page


def test_a_performance_put_on_sale_with_no_on_sale_window_is_said_to_be_sold_nowhere(client, organizer):
    """Putting on sale creates the places; with no on-sale window, no channel sells them:
    the admin says so beside what it created, and says nothing of the kind once one is added."""
    from tests.factories import OnSaleWindowFactory

    perf = make_performance(on_sale=False, channels=())
    client.force_login(organizer)
    page = client.post("/admin/events/performance/", {
        "action": "put_on_sale", "_selected_action": [perf.pk]}, follow=True).content.decode()
    warning = (f"{perf}: no channel sells it yet, it has no on-sale window. Add one on its page "
               "for each channel that sells it.")
    assert "places created: 100" in page and warning in page
    other = make_performance(on_sale=False, channels=())
    OnSaleWindowFactory(performance=other, channel=Channel.COUNTER)
    page = client.post("/admin/events/performance/", {
        "action": "put_on_sale", "_selected_action": [other.pk]}, follow=True).content.decode()
    assert "places created: 100" in page and "no channel sells it yet" not in page


def test_organizer_blocks_and_allocates_places_and_the_trail_names_them(client, organizer):
    perf = make_performance()
    a1, a2 = places_of(perf)[:2]
    client.force_login(organizer)
    client.post("/admin/sales/place/", {"action": "block", "_selected_action": [a1.pk]})
    assert Place.objects.get(pk=a1.pk).state == "blocked"
    client.post("/admin/sales/place/", {"action": "allocate", "_selected_action": [a2.pk],
                                        "channel": "counter", "apply": "1"})
    assert Place.objects.get(pk=a2.pk).allocation == "counter"
    assert set(PlaceEvent.objects.values_list("action", "actor__username")) == {
        ("block", "organizer1"), ("allocate", "organizer1")}
    page = client.get(f"/admin/sales/place/{a1.pk}/change/").content.decode()
    assert "organizer1" in page and "block" in page


def test_blocking_a_sold_place_is_refused_with_a_message(client, organizer):
    perf = make_performance()
    order = sell_two(perf)
    place = order.tickets.first().place
    client.force_login(organizer)
    response = client.post("/admin/sales/place/", {"action": "block",
                                                   "_selected_action": [place.pk]}, follow=True)
    assert "Nothing changed: 1 place unavailable: already sold" in response.content.decode()
    assert Place.objects.get(pk=place.pk).state == "sold"


def test_organizer_reads_orders_and_sales_by_channel(client, organizer):
    perf = make_performance()
    order = sell_two(perf)
    client.force_login(organizer)
    page = client.get(f"/admin/sales/order/{order.pk}/change/").content.decode()
    assert order.code in page and "paid" in page and "placed" in page
    page = client.get(f"/admin/events/performance/{perf.pk}/change/").content.decode()
    assert "Online shop" in page and "100.00" in page


@pytest.mark.parametrize(("language", "shown"), [("en", "$100.00"), ("fr", "100,00\u00a0$")])
def test_an_orders_page_shows_its_total_as_money(client, organizer, language, shown):
    """An order's total reads as every amount in the office does, with its currency: not a
    bare "100,00"."""
    order = sell_two(make_performance())
    assert order.total == Decimal("100.00")
    client.force_login(organizer)
    page = client.get(f"/admin/sales/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    total = re.findall(r'<div class="form-row field-total\w*">.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert total == [shown], total


def test_an_order_no_staff_member_made_says_so_with_the_admins_blank_not_none(client, organizer):
    """An order bought in the shop was made by no staff member: its page shows the
    admin's blank there, as for any field left empty, not Python's word None."""
    order = sell_two(make_performance())
    client.force_login(organizer)
    page = client.get(f"/admin/sales/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    made_by = re.search(r'field-created_by_name.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert made_by is not None and "Créé par" in page
    assert made_by.group(1) == "-"
    assert '<div class="readonly">None</div>' not in page


def test_refund_from_the_admin_says_what_goes_back_before_any_money_moves(client, organizer):
    order = sell_two(make_performance())
    reserved = sell_two(make_performance())
    Order.objects.filter(pk=reserved.pk).update(status="cancelled")
    client.force_login(organizer)
    asked = client.post("/admin/sales/order/", {"action": "refund", "_selected_action": [order.pk, reserved.pk]})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Refund these orders?" in page and "This cannot be undone." in page
    assert "less the fees that are not refundable" in page  # as its table keeps them apart
    assert order.code in page and "$100.00" in page
    assert f"Order {reserved.code} is cancelled; only a paid order can be refunded" in page
    assert 'value="Yes, refund 1 order"' in page
    order.refresh_from_db()
    assert order.status == "paid" and not order.payments.filter(status="refunded").exists()
    client.post("/admin/sales/order/", {"action": "refund", "_selected_action": [order.pk], "confirmed": "yes"})
    order.refresh_from_db()
    assert order.status == "refunded"


@pytest.mark.parametrize("role", ["counter clerk", "phone operator"])
def test_clerks_and_operators_cannot_reach_the_admin(client, role):
    from tests.support import make_user

    user = make_user("staffer", role)
    client.force_login(user)
    response = client.get("/admin/sales/order/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_anonymous_cannot_reach_the_admin(client):
    assert client.get("/admin/sales/place/").status_code == 302


def test_an_admin_account_that_may_only_read_runs_no_action_that_changes_anything(client):
    """An account given the admin to read (a superuser can give one view permissions alone)
    sees the lists, but puts nothing on sale, blocks or allocates no place, draws no ballot
    and refunds no order: each of those actions is for whoever may change what it changes."""
    from django.contrib.auth.models import Permission

    from sales.models import Ballot
    from tests.support import make_user

    reader = make_user("reader", is_staff=True)
    reader.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_performance", "view_place", "view_ballot", "view_order"]))
    unsold = make_performance(on_sale=False)
    perf = make_performance()
    order = sell_two(perf)
    place = places_of(perf, state="available")[0]
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), opens_at=now - timedelta(days=2),
                                   closes_at=now - timedelta(days=1))
    client.force_login(reader)
    for url, action, pk, extra in [("/admin/events/performance/", "put_on_sale", unsold.pk, {}),
                                   ("/admin/sales/place/", "block", place.pk, {}),
                                   ("/admin/sales/place/", "allocate", place.pk, {"channel": "counter", "apply": "1"}),
                                   ("/admin/sales/ballot/", "draw", ballot.pk, {}),
                                   ("/admin/sales/order/", "refund", order.pk, {"confirmed": "yes"})]:
        assert client.get(url).status_code == 200  # the list is the reader's
        client.post(url, {"action": action, "_selected_action": [pk], **extra})
    assert not Place.objects.filter(performance=unsold).exists()
    place.refresh_from_db()
    assert (place.state, place.allocation) == ("available", "")
    ballot.refresh_from_db()
    assert ballot.drawn_at is None
    order.refresh_from_db()
    assert order.status == "paid"


def test_private_order_link(client):
    order = sell_two(make_performance())
    page = client.get(f"/orders/{order.code}/{order.access_token}/")
    assert page.status_code == 200
    for ticket in order.tickets.all():
        assert ticket.code in page.content.decode()
    assert client.get(f"/orders/{order.code}/wrong-token/").status_code == 404
    assert client.get(f"/orders/NOPE1234/{order.access_token}/").status_code == 404


def test_home_lists_what_is_on_sale(client):
    perf = make_performance()
    page = client.get("/").content.decode()
    assert perf.event.title in page and "From $50.00" in page


def test_healthz_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}


def test_demo_loads_once():
    from sales.demo import HALL, VENUE, load_demo
    from sales.tickets import off_day

    assert load_demo().startswith("demo loaded")
    assert load_demo() == "demo already loaded"
    assert Place.objects.filter(seat__isnull=False, performance__venue__name=VENUE).count() == 2 * 3500
    assert Place.objects.filter(seat__isnull=True).count() == 2 * 5500
    # Tonight's open rehearsal: to sell at the counter and scan at the door today.
    tonight = Performance.objects.get(venue__name=HALL)
    assert tonight.places.filter(state="available").count() == 60
    assert timezone.now() < tonight.starts_at < timezone.now() + timedelta(hours=3)
    assert not off_day(tonight, timezone.now())
    assert User.objects.get(username="clerk").groups.filter(name="counter clerk").exists()
    from sales.models import Organizer

    assert Organizer.objects.get().name == "Productions du Lac"  # who sells, on the demo's receipts
    from events.models import Venue

    assert Venue.objects.get(name=VENUE).language == "fr"  # a Québec venue: the counter offers French first
    # As a venue sells: price types in every zone, and a promo code to try.
    from events.models import PriceType
    from sales.models import PromoCode

    perf = Performance.objects.filter(event__title__startswith="Les").order_by("starts_at").first()
    kinds = list(PriceType.objects.filter(performance=perf).order_by("rank"))
    assert [k.name for k in kinds] == ["Adult", "Child (under 12)", "Senior (65+)", "Guest"] and kinds[-1].complimentary
    assert {(p.zone.name, p.amount) for p in kinds[1].prices.all()} == {
        ("Premium", 53), ("Parterre", 41), ("Gradins", 29), ("Pelouse", 21)}
    promo = PromoCode.objects.get(code="ETE10", percent_off=10)
    assert set(promo.performances.all()) == set(Performance.objects.filter(event=perf.event))  # the demo's only


def test_the_demos_promo_code_is_described_in_the_organizers_language(organizer):
    """A promo code's description is the organizer's own note, in one language: the demo's
    Québec organizer writes it in French, as it names its venues, sections and zones, not
    in English among the French pages of its office."""
    from sales.demo import load_demo

    load_demo()
    page = signed_in(organizer).get("/admin/sales/promocode/", headers={"accept-language": "fr"}).content.decode()
    assert "ETE10" in page and "infolettre de la tournée d’été" in page
    assert "newsletter" not in page


def test_the_demos_french_texts_keep_their_punctuation_on_the_line_it_ends():
    """The French an organizer types is shown as typed: the demo's puts a no-break space
    before « : ; ! ? », so that a phone never starts a line with the sign."""
    from events.models import Event, PriceType
    from sales.demo import load_demo

    load_demo()
    texts = [*Event.objects.values_list("title", "description_fr"),
             *PriceType.objects.values_list("name_fr", "note_fr")]
    loose = [text for pair in texts for text in pair if re.search(r"[^\S\u00a0][:;!?]", text)]
    assert loose == []


def test_the_demo_charges_quebec_taxes_on_top_of_its_prices(client):
    """A Québec venue's receipt: the 69.00 seat, GST 5% (3.45) and QST 9.975% (6.88)."""
    from sales.demo import load_demo

    load_demo()
    perf = Performance.objects.filter(event__title__startswith="Les").order_by("starts_at").first()
    seat = Place.objects.filter(performance=perf, section__name="Parterre gauche").first()
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[seat.pk])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert order.total == 69 + Decimal("3.45") + Decimal("6.88")
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    assert "TPS/GST" in page and "TVQ/QST" in page and "$79.33" in page


def test_organizer_sets_up_a_waiting_room_and_a_ballot_in_the_admin(client, organizer):
    """The organizer role (not only a superuser) switches on a waiting room, changes its
    rate live, and runs ballots; ballot applications are read-only to them."""
    from django.utils import timezone

    from sales.models import WaitingRoom

    perf = make_performance()
    client.force_login(organizer)
    for url in ("/admin/sales/waitingroom/add/", "/admin/sales/ballot/", "/admin/sales/ballot/add/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/admin/sales/waitingroom/add/", {
        "performance": perf.pk, "enabled": "on", "opens_at_0": timezone.localtime().strftime("%Y-%m-%d"),
        "opens_at_1": "20:00:00", "admit_per_minute": 600, "pass_minutes": 15, "customer_limit": 4}, follow=True)
    assert response.status_code == 200
    room = WaitingRoom.objects.get(performance=perf)
    response = client.post(f"/admin/sales/waitingroom/{room.pk}/change/", {
        "performance": perf.pk, "enabled": "on", "opens_at_0": timezone.localtime().strftime("%Y-%m-%d"),
        "opens_at_1": "20:00:00", "admit_per_minute": 1200, "pass_minutes": 15, "customer_limit": 4}, follow=True)
    room.refresh_from_db()
    assert room.admit_per_minute == 1200
    assert not organizer.has_perm("sales.change_ballotentry") and organizer.has_perm("sales.view_ballotentry")


def test_a_finished_benchmark_leaves_the_lists_of_what_is_on_sale_and_other_performances_stay(client, performance):
    from sales.benchmark import bench_finished, bench_performance
    from sales.notifications import pending_confirmations

    def sold(perf):
        hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
        return order_place(hold=hold, customer=CustomerDetails(name="B", email="b@example.org"),
                           payment=PaymentRequest(method="test_card", card_number=APPROVE))

    bench = bench_performance(2, 5)
    assert bench.event.title in client.get("/").content.decode()
    made_up, real = sold(bench), sold(performance)
    bench_finished()
    page = client.get("/").content.decode()
    assert bench.event.title not in page and performance.event.title in page
    # The benchmark's unsent confirmations leave the outbox (saying so); a real order's stays.
    assert list(pending_confirmations().values_list("pk", flat=True)) == [real.pk]
    assert made_up.events.filter(action="confirmation not sent").exists()


@pytest.mark.django_db(transaction=True)
def test_make_bench_leaves_its_sold_out_performance_off_sale_and_emails_no_made_up_buyer(client, settings):
    """`make bench` sells in the database `make run` serves: once it has printed its
    figures, its performance is in no list of what is on sale and `make run`'s worker has
    no confirmation of its to send."""
    import io

    from django.core.management import call_command

    from sales.notifications import pending_confirmations

    call_command("bench_sellout", workers=2, rows=2, per_row=4, stdout=io.StringIO())
    bench = Performance.objects.get(event__title__startswith="Benchmark ")
    assert Order.objects.filter(performance=bench, status=Order.Status.PAID).exists()
    assert bench.event.title not in client.get("/").content.decode()
    assert not pending_confirmations().filter(performance=bench).exists()


def test_the_admins_refund_page_says_which_orders_need_the_counters_drawer(client, organizer, clerk):
    """Cash goes back from a clerk's open drawer: the admin's page says so before anything
    is tried, and offers to refund none."""
    from decimal import Decimal

    from sales.shifts import shift_open

    perf = make_performance()
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, zone=perf.price_zones.get(), quantity=1)
    cash = order_place(hold=hold, customer=CustomerDetails(name="Léa", email="lea@example.org"), actor=clerk,
                       shift=shift_open(clerk=clerk, cash_float=Decimal("0")),
                       payments=[PaymentRequest(method="cash", tendered=Decimal("50"))])
    client.force_login(organizer)
    page = client.post("/admin/sales/order/", {"action": "refund", "_selected_action": [cash.pk]}).content.decode()
    assert "Cash is paid back at the counter, from the drawer of an open shift" in page
    assert 'value="Yes, refund' not in page


def test_the_admin_has_the_language_switch_every_other_page_has(organizer):
    from tests.support import signed_in

    admin = signed_in(organizer)
    page = admin.get("/admin/").content.decode()
    assert 'id="admin-lang"' in page and 'value="fr" lang="fr"' in page
    switched = admin.post("/i18n/setlang/", {"language": "fr", "next": "/admin/"}, follow=True)
    page = switched.content.decode()
    assert switched.redirect_chain[-1][0] == "/admin/" and '<html lang="fr"' in page
    assert "Bureau de l’organisateur" in page and 'value="fr" lang="fr"' in page
    assert re.search(r'value="fr" lang="fr" title="[^"]+" aria-current="true"', page)


def test_the_place_trail_says_each_move_and_channel_in_the_readers_words(client, organizer):
    perf = make_performance(rows=1, per_row=4)
    sell_two(perf)
    client.force_login(organizer)
    page = client.get("/admin/sales/placeevent/", headers={"accept-language": "fr"}).content.decode()
    cells = re.findall(r'<td class="field-(move|sold_by)">([^<]*)</td>', page)
    assert ("move", "vendue") in cells and ("sold_by", "Boutique en ligne") in cells
    assert not {value for _f, value in cells} & {"sell", "hold", "online"}


def test_the_admin_lists_write_moments_on_a_24_hour_clock_and_amounts_as_money(client, organizer, settings):
    """A customer's record, away from any venue, reads on the box office's clock as the
    other lists write their moments (never "10:32 p.m."); an order's total, a ticket's
    price and a payment's amount read as money, in English and in French."""
    from django.utils import translation

    from sales.formatting import money
    from sales.models import Customer

    settings.TIME_ZONE = "America/Vancouver"
    sell_two(make_performance(rows=1, per_row=4, price="1250.00"))
    customer = Customer.objects.get()
    Customer.objects.filter(pk=customer.pk).update(created_at=datetime(2026, 12, 6, 6, 32, tzinfo=UTC))
    client.force_login(organizer)
    customers = client.get("/admin/sales/customer/").content.decode()
    assert "Sat 5 Dec 2026 22:32" in customers, customers[customers.find("result_list"):][:1500]
    assert "p.m." not in customers and "a.m." not in customers
    for url, amount in (("/admin/sales/order/", "2500.00"), ("/admin/sales/ticket/", "1250.00"),
                        ("/admin/sales/payment/", "2500.00")):
        for language in ("en", "fr"):
            with translation.override(language):
                written = money(Decimal(amount))
            page = client.get(url, headers={"accept-language": language}).content.decode()
            assert re.search(rf'<td class="field-\w+">{re.escape(written)}</td>', page), (url, language)


def test_no_list_of_the_box_office_shows_a_moment_or_an_amount_as_the_admin_would_by_itself():
    """Django writes a date and time field "Dec. 5, 2026, 10:32 p.m." on the server's clock
    and an amount as a bare number: every list column of one goes through the box office's
    own (on a venue's or the box office's clock, as money)."""
    from django.contrib import admin
    from django.db import models

    raw = []
    for model, model_admin in admin.site._registry.items():
        if not type(model_admin).__module__.startswith(("sales.", "events.")):
            continue
        for column in model_admin.list_display:
            field = next((f for f in model._meta.fields if f.name == column), None)
            if isinstance(field, models.DateTimeField | models.DecimalField):
                raw.append(f"{model.__name__}.{column}")
    assert raw == []


def test_languages_are_named_as_the_admin_writes_them_and_a_new_venue_speaks_the_admins(client, organizer):
    """An order's and a customer's language are named in the admin's words ("français",
    "anglais"; "French", "English"), never as their code; a venue added in the French
    admin is French to begin with, in the English admin English."""
    from sales.models import Customer

    order = sell_two(make_performance())
    Order.objects.filter(pk=order.pk).update(language="fr")
    Customer.objects.filter(pk=order.customer_id).update(language="en")
    client.force_login(organizer)

    def readonly(page, field):
        return re.search(rf'field-{field}.*?<div class="readonly">(.*?)</div>', page, re.S).group(1)

    def chosen(page, field):
        select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', page, re.S).group(1)
        return re.findall(r'<option value="([^"]*)" selected>([^<]*)<', select)

    for accept, french, english in (("fr", "français", "anglais"), ("en", "French", "English")):
        page = client.get(f"/admin/sales/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert readonly(page, "language") == french
        page = client.get(f"/admin/sales/customer/{order.customer_id}/change/",
                          HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert readonly(page, "language") == english
        page = client.get("/admin/events/venue/add/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert [code for code, _name in chosen(page, "language")] == [accept]


def test_an_orders_tickets_name_their_price_type_in_the_organizers_language(client, organizer):
    """A ticket keeps its price type's name in the language that sold it ("Adult", bought
    in English); the French admin reads it as the type's French name, as staff pages do."""
    from events.models import PriceType
    from sales.orders import PriceRequest
    from tests.support import price_types

    perf = make_performance()
    adult = price_types(perf, {"Adult": {"Stalls": "50.00"}})["Adult"]
    PriceType.objects.filter(pk=adult.pk).update(name_en="Adult", name_fr="Adulte")
    place = places_of(perf)[0]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[place.pk])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa", email="lea@example.org"),
                        prices=PriceRequest(types={place.pk: adult.pk}),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    assert order.tickets.get().price_type_name == "Adult"
    client.force_login(organizer)
    page = client.get(f"/admin/sales/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    shown = re.findall(r'<td class="field-price_type[^"]*">\s*<p>(.*?)</p>', page, re.S)
    assert shown == ["Adulte"], shown
    page = client.get(f"/admin/sales/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.findall(r'<td class="field-price_type[^"]*">\s*<p>(.*?)</p>', page, re.S) == ["Adult"]


def test_the_admin_names_the_places_audit_trail_as_an_organizer_reads_it(client, organizer):
    """Every move of every place is kept: the office lists it as the places' history, not
    under the code's word for its rows ("Place events")."""
    client.force_login(organizer)
    english = client.get("/admin/", headers={"accept-language": "en"}).content.decode()
    assert ">Place history<" in english and "Place events" not in english
    french = client.get("/admin/", headers={"accept-language": "fr"}).content.decode()
    assert ">Historique des places<" in french and "Événements de place" not in french


def test_the_tickets_list_shows_a_codes_first_characters_with_the_whole_code_in_their_title(client, organizer):
    """A ticket's 32-character code took a column as wide as three in the list: its first
    characters are shown, the whole code in their title, and the search still finds the
    ticket by the whole code."""
    from sales.models import Ticket

    order = sell_two(make_performance(rows=1, per_row=4))
    first, second = order.tickets.order_by("pk")
    client.force_login(organizer)
    page = client.get("/admin/sales/ticket/").content.decode()
    assert f'<abbr title="{first.code}">{first.code[:8]}…</abbr>' in page
    assert f">{first.code}<" not in page
    found = client.get("/admin/sales/ticket/", {"q": second.code}).content.decode()
    assert f'title="{second.code}"' in found and f'title="{first.code}"' not in found
    assert Ticket.objects.count() == 2
