import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from sales import draws, waiting_room
from sales.models import Draw, WaitingRoom
from tests.support import make_performance

pytestmark = pytest.mark.django_db


def room_for(perf, opens_in=timedelta(minutes=5), per_minute=60, **extra):
    room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() + opens_in,
                                      admit_per_minute=per_minute, **extra)
    waiting_room.publish(room)
    return room


def test_early_visitors_are_drawn_in_the_published_order_and_none_is_lost(performance):
    room = room_for(performance)
    opens = room.opens_at.timestamp()
    early = [f"v{i}" for i in range(300)]
    for i, v in enumerate(early):
        assert waiting_room.join(performance.pk, v, now=opens - 60 + i * 0.1).state == "before"
    assert waiting_room.draw(performance.pk) == 300
    order = waiting_room.drawn_order(performance.pk)
    assert sorted(order) == sorted(early)  # complete: each early visitor has exactly one place
    assert order != early  # not arrival order
    positions = [waiting_room.join(performance.pk, v, now=opens + 1).position for v in early]
    assert sorted(positions) == list(range(1, 301))
    # The queue's order is the draw's, as anyone recomputes it from what the draw published.
    draw = Draw.objects.get(waiting_room=room)
    checked = draws.verify(draws.published(draw), draws.published_listing(draw))
    assert checked.ok
    assert list(checked.order) == [draws.hashed_reference(draws.queue_reference(performance.pk, v)) for v in order]
    assert waiting_room.draw(performance.pk) == -1  # the draw happens once
    assert waiting_room.drawn_order(performance.pk) == order


def test_later_arrivals_queue_first_in_first_out(performance):
    room = room_for(performance)
    opens = room.opens_at.timestamp()
    for v in ("a", "b", "c"):
        waiting_room.join(performance.pk, v, now=opens - 10)
    late = [waiting_room.join(performance.pk, v, now=opens + 5 + i).position for i, v in enumerate("xyz")]
    assert late == [4, 5, 6]  # the first late visitor draws the early ones in, then FIFO
    assert waiting_room.join(performance.pk, "x", now=opens + 30).position == 4  # polling keeps the place


def test_admission_moves_at_the_rate_and_a_live_change_keeps_who_is_in(performance):
    room = room_for(performance, per_minute=60)  # one a second
    opens = room.opens_at.timestamp()
    for i in range(20):
        waiting_room.join(performance.pk, f"v{i}", now=opens + 0.001 * i)
    last = waiting_room.drawn_order(performance.pk)[-1]
    assert waiting_room.status(performance.pk, last, now=opens + 5).state == "queued"
    place = waiting_room.status(performance.pk, last, now=opens + 5)
    assert place.ahead == 15 and place.wait_seconds == 15 and 0 < place.progress < 1
    assert waiting_room.status(performance.pk, last, now=opens + 21).state == "admitted"


def test_a_live_rate_change_rebases_the_frontier(performance):
    room = room_for(performance, opens_in=timedelta(seconds=-10), per_minute=60)
    before = waiting_room.config(performance.pk).frontier(time.time())
    room.admit_per_minute = 600
    room.save()
    waiting_room.publish(room)
    cfg = waiting_room.config(performance.pk)
    now = time.time()
    assert cfg.frontier(now) >= before  # nobody admitted is sent back
    assert cfg.frontier(now + 6) - cfg.frontier(now) == pytest.approx(60, rel=0.01)


def test_sold_out_stops_admission_and_says_so(performance):
    room = room_for(performance)
    opens = room.opens_at.timestamp()
    waiting_room.join(performance.pk, "first", now=opens + 1)
    waiting_room.set_sold_out(performance.pk, True)
    assert waiting_room.status(performance.pk, "first", now=opens + 100).state == "soldout"
    assert waiting_room.join(performance.pk, "late", now=opens + 100).state == "soldout"


def test_while_every_place_left_is_in_a_basket_the_queue_stands_then_moves_on_from_there(performance):
    """Nothing free, places in baskets that lapse soon: those waiting keep their place and
    are told when places may come back; nobody more is let in meanwhile, and when places
    come back the queue moves on at its rate from where it stood, not in one burst of
    everyone the rate would have let in while it stood."""
    from sales import admission

    real = time.time()  # the organizer's save below happens now: the scripted times stay close to it
    room = room_for(performance, opens_in=timedelta(seconds=-1000), per_minute=6)  # one every 10 s
    opens = room.opens_at.timestamp()
    for i in range(300):
        waiting_room.join(performance.pk, f"v{i}", now=opens + 0.001 * i)  # FIFO: v{i} is at place i + 1
    waiting_room.set_sold_out(performance.pk, True, back=real + 600, now=opens + 500)  # 50 let in so far

    waiting = waiting_room.status(performance.pk, "v59", now=real - 100)
    assert (waiting.state, waiting.ahead, waiting.back) == ("paused", 10, real + 600)
    front = waiting_room.status(performance.pk, "v9", now=real - 100)  # let in before: a pass keeps them in the shop
    assert (front.state, front.ahead) == ("paused", 0)  # without one, they wait here at the front
    room.admit_per_minute = 600  # the organizer raises the rate meanwhile, and so does the controller
    room.save()
    waiting_room.publish(room)
    waiting_room.client().eval(admission.SET_RATE, 1, waiting_room._keys(performance.pk)["cfg"], real + 1, 10)
    assert waiting_room.config(performance.pk).frontier(real + 2) == pytest.approx(50)

    waiting_room.set_sold_out(performance.pk, False, now=real + 3)  # a basket lapsed
    assert waiting_room.status(performance.pk, "v59", now=real + 4.05).state == "admitted"  # 10 a second from 50
    behind = waiting_room.status(performance.pk, "v99", now=real + 4.05)  # the frontier at 60.5
    assert (behind.state, behind.ahead) == ("queued", 39)


def test_two_watchers_out_of_order_neither_take_anyone_back_nor_let_the_pause_in(performance):
    """Beat and a web process watch the same room; the later read may arrive first. An
    older read is dropped, and the frontier's clock never goes back."""
    room = room_for(performance, opens_in=timedelta(seconds=-1000), per_minute=60)
    opens = room.opens_at.timestamp()
    waiting_room.set_sold_out(performance.pk, True, back=opens + 900, now=opens + 101)  # read at 101, written first
    waiting_room.set_sold_out(performance.pk, False, now=opens + 100)  # read at 100, written after: dropped
    cfg = waiting_room.config(performance.pk)
    assert cfg.paused and cfg.frontier(opens + 300) == pytest.approx(101)
    waiting_room.set_sold_out(performance.pk, False, now=opens + 400)
    assert waiting_room.config(performance.pk).frontier(opens + 410) == pytest.approx(111)

    # A host whose clock runs an hour ahead is believed only up to 5 s past Redis's: the
    # others' writes are not held off for the hour.
    waiting_room.set_sold_out(performance.pk, True, back=time.time() + 600, now=time.time() + 3600)
    waiting_room.set_sold_out(performance.pk, False, now=time.time() + 6)
    assert not waiting_room.config(performance.pk).soldout


def test_a_room_sold_out_under_the_previous_rules_keeps_who_it_let_in(performance):
    """A config written before the frontier stood still while sold out (no `back`) moved
    all along: it is read that way, and rebased from there by the next watch."""
    room = room_for(performance, opens_in=timedelta(seconds=-1000), per_minute=60)
    opens = room.opens_at.timestamp()
    key = waiting_room._keys(performance.pk)["cfg"]
    waiting_room.client().hset(key, "soldout", "1")
    waiting_room.client().hdel(key, "back")
    assert waiting_room.config(performance.pk).frontier(opens + 900) == pytest.approx(900)
    waiting_room.set_sold_out(performance.pk, True, back=opens + 1500, now=opens + 900)
    assert waiting_room.config(performance.pk).frontier(opens + 1200) == pytest.approx(900)  # stands from there


def test_the_queue_page_says_paused_or_sold_out_in_the_visitors_language(performance):
    room_for(performance, opens_in=timedelta(seconds=-30), per_minute=1)
    waiting_room.draw(performance.pk)
    client = Client()
    client.get(f"/performances/{performance.pk}/queue/")  # joins behind the frontier
    waiting_room.set_sold_out(performance.pk, True, back=time.time() + 590)
    page = client.get(f"/performances/{performance.pk}/queue/").content.decode()
    assert "Every place left is in another buyer's basket right now" in page
    assert "within about 10 minutes" in page and "sold out" not in page
    french = client.get(f"/performances/{performance.pk}/queue/", headers={"Accept-Language": "fr"}).content.decode()
    assert "dans le panier d’autres acheteurs" in french and "d’ici environ 10 minutes" in french
    waiting_room.set_sold_out(performance.pk, True)  # every place sold
    page = client.get(f"/performances/{performance.pk}/queue/").content.decode()
    assert "Sorry, this performance is sold out." in page and "basket" not in page


def test_passes_forged_expired_or_shared_are_refused(performance):
    room_for(performance, opens_in=timedelta(seconds=-1))
    good = waiting_room.issue_pass(performance.pk, "visitor-1")
    assert waiting_room.check_pass(performance.pk, good, "session-A")
    assert waiting_room.check_pass(performance.pk, good, "session-A")  # same browser, again
    assert not waiting_room.check_pass(performance.pk, good, "session-B")  # copied elsewhere
    forged = signing.dumps({"p": performance.pk, "v": "visitor-2"}, key="not-our-secret",
                           salt=waiting_room.PASS_SALT)
    assert not waiting_room.check_pass(performance.pk, forged, "session-C")
    other = make_performance()
    room_for(other, opens_in=timedelta(seconds=-1))
    assert not waiting_room.check_pass(other.pk, waiting_room.issue_pass(performance.pk, "v3"), "s")
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 3600):
        old = waiting_room.issue_pass(performance.pk, "visitor-4")
    assert not waiting_room.check_pass(performance.pk, old, "session-D")  # 15-minute pass, an hour old


def test_queue_page_costs_no_database_query_and_no_session(performance, django_assert_num_queries):
    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)  # once, at the opening (by beat, or the first visitor after it)
    client = Client()
    with django_assert_num_queries(0):
        first = client.get(f"/performances/{performance.pk}/queue/")
        again = client.get(f"/performances/{performance.pk}/queue/", headers={"HX-Request": "true"})
    assert first.status_code == 200 and again.status_code in (200, 204)
    assert "sessionid" not in first.cookies and "sessionid" not in again.cookies
    assert "wr_visitor" in first.cookies


def test_the_shop_sends_visitors_without_a_pass_to_the_queue_and_lets_them_in_with_one(performance):
    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=6000)
    client = Client()
    page = client.get(f"/performances/{performance.pk}/")
    assert page.status_code == 302 and page["Location"].endswith(f"/performances/{performance.pk}/queue/")
    hold = client.post(f"/performances/{performance.pk}/hold/", {"seats": "1"})
    assert hold["Location"].endswith("/queue/")
    time.sleep(0.05)
    admitted = client.get(f"/performances/{performance.pk}/queue/")
    assert admitted.status_code == 302 and admitted["Location"] == f"/performances/{performance.pk}/"
    assert client.get(f"/performances/{performance.pk}/").status_code == 200
    stranger = Client()  # the same pass cookie copied into another browser
    stranger.cookies[f"wr_pass_{performance.pk}"] = client.cookies[f"wr_pass_{performance.pk}"].value
    assert stranger.get(f"/performances/{performance.pk}/").status_code == 302


def test_before_the_on_sale_the_shop_shows_the_holding_page(performance):
    room_for(performance, opens_in=timedelta(minutes=10))
    client = Client()
    page = client.get(f"/performances/{performance.pk}/", follow=True)
    assert "The sale has not started yet" in page.content.decode()


def test_customer_limit_across_orders_by_email_and_by_card(performance):
    from events.models import Channel
    from sales.errors import InvalidRequest
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import places_of

    room_for(performance, customer_limit=4)
    card = PaymentRequest(method="test_card", card_number=APPROVE)

    def buy(n, email, start):
        hold = hold_create(performance=performance, channel=Channel.ONLINE,
                           place_ids=[p.pk for p in places_of(performance)[start:start + n]])
        return order_place(hold=hold, customer=CustomerDetails(name="N", email=email), payment=card)

    buy(3, "fan@example.org", 0)
    with pytest.raises(InvalidRequest, match="at most 4 tickets per customer.*already have 3"):
        buy(2, "FAN@example.org", 10)
    with pytest.raises(InvalidRequest, match="at most 4 tickets per customer"):
        buy(2, "another-name@example.org", 20)  # the same card
    buy(1, "fan@example.org", 30)


def test_walk_ins_at_the_counter_are_nobody_in_particular_to_the_customer_limit(performance, clerk):
    """Counter sales to nobody in particular share one customer record: a queued on-sale's
    per-customer limit does not add them up (the counter could sell no more walk-ins once
    four tickets had gone), and no buyer may give that record's address as their own."""
    from rest_framework.test import APIClient

    from sales.models import Order
    from tests.support import card_token, signed_in

    room_for(performance, opens_in=timedelta(seconds=-1), customer_limit=4)
    counter = signed_in(clerk)
    counter.post("/counter/shift/open/", {"cash_float": "100"})
    zone = performance.price_zones.get()
    for _ in range(3):
        sale = counter.post("/counter/sale/", {"performance": performance.pk, "zone": zone.pk, "quantity": "2"})
        assert counter.post(sale["Location"], {"tendered": "100"}).status_code == 302
    assert Order.objects.filter(status="paid").count() == 3
    # Online, the walk-ins' address (or any address that cannot receive email) is refused.
    api = APIClient()
    token = waiting_room.issue_pass(performance.pk, "walk-in-v")
    for email in ("counter@boxoffice.invalid", "Counter+x@BoxOffice.invalid", "fan@example.invalid"):
        hold = api.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone.pk, "quantity": 1},
                        format="json", headers={"X-Queue-Pass": token})
        assert hold.status_code == 201, hold.content
        order = api.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": {"name": "M", "email": email},
                                             "payment": {"method": "card", "token": card_token()}},
                         format="json", headers={"X-Queue-Pass": token})
        assert order.status_code == 400, order.content
        assert order.json()["error"]["field"] == "email" and "cannot receive email" in order.json()["error"]["message"]
    assert Order.objects.count() == 3


def test_a_phone_reservation_is_no_way_round_the_customer_limit(performance, operator):
    """A caller who already bought up to a queued on-sale's limit is not reserved more to
    pay later (by the payment link, or at the counter): the reservation is refused as a sale
    is, and nothing stays held or written. Within the limit, it is made and counts."""
    from events.models import Channel
    from sales.errors import InvalidRequest
    from sales.holds import hold_create
    from sales.models import Order, Place
    from sales.orders import CustomerDetails, order_place, order_reserve
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import places_of

    room_for(performance, customer_limit=4)
    places = places_of(performance)
    bought = hold_create(performance=performance, channel=Channel.ONLINE, place_ids=[p.pk for p in places[:3]])
    order_place(hold=bought, customer=CustomerDetails(name="Fan", email="fan@example.org"),
                payment=PaymentRequest(method="test_card", card_number=APPROVE))
    deadline = timezone.now() + timedelta(days=2)

    def reserve(start, n, email):
        hold = hold_create(performance=performance, channel=Channel.PHONE, user=operator,
                           place_ids=[p.pk for p in places[start:start + n]])
        return hold, lambda: order_reserve(hold=hold, customer=CustomerDetails(name="Fan", email=email),
                                           deadline=deadline, actor=operator)

    hold, make = reserve(10, 2, "Fan+phone@Example.org")
    with pytest.raises(InvalidRequest, match="at most 4 tickets per customer.*already have 3"):
        make()
    assert not Order.objects.filter(status="reserved").exists()
    hold.refresh_from_db()
    assert hold.expires_at < deadline  # not kept until the deadline
    assert Place.objects.filter(hold=hold, hold_expires_at__gte=deadline).count() == 0
    _hold, make = reserve(20, 1, "fan@example.org")
    assert make().status == "reserved"
    _hold, make = reserve(30, 1, "fan@example.org")  # the reservation counts: 3 bought, 1 reserved
    with pytest.raises(InvalidRequest, match="already have 4"):
        make()


def test_the_api_is_no_way_round_the_queue(performance, clerk):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.support import places_of

    room_for(performance, opens_in=timedelta(seconds=-1))
    body = {"performance": performance.pk, "places": [places_of(performance)[0].pk]}
    anonymous = APIClient().post("/api/v1/holds/", body, format="json")
    assert anonymous.status_code == 403 and "X-Queue-Pass" in anonymous.json()["error"]["message"]
    with_pass = APIClient().post("/api/v1/holds/", body, format="json",
                                 headers={"X-Queue-Pass": waiting_room.issue_pass(performance.pk, "api-v")})
    assert with_pass.status_code == 201
    counter = APIClient()  # the counter is never queued
    counter.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    body["places"] = [places_of(performance)[1].pk]
    assert counter.post("/api/v1/holds/", body, format="json").status_code == 201


def test_one_admission_holds_one_basket_at_a_time_through_the_api(performance, django_capture_on_commit_callbacks):
    """As the shop keeps one basket a session: a pass's new hold releases the one before,
    so that one admission cannot sit on the seats of many buyers."""
    from rest_framework.test import APIClient

    from sales.models import Hold

    room_for(performance, opens_in=timedelta(seconds=-1))
    one, other = (waiting_room.issue_pass(performance.pk, v) for v in ("api-one", "api-other"))
    api = APIClient()

    def hold(queue_pass, n=4):
        zone = performance.price_zones.first().pk
        with django_capture_on_commit_callbacks(execute=True):  # as if committed: the basket before goes
            answer = api.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": n},
                              format="json", headers={"X-Queue-Pass": queue_pass})
        assert answer.status_code == 201, answer.content
        return answer.json()["token"]

    tokens = [hold(one) for _ in range(5)]
    theirs = hold(other)
    live = set(Hold.objects.filter(status="active").values_list("token", flat=True))
    assert live == {tokens[-1], theirs}  # each admission's last basket only
    assert performance.places.filter(state="held").count() == 8


def wsgi_get(app, path, cookie="", **extra):
    """Call a WSGI application as granian would."""
    import io

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
               "REMOTE_ADDR": "192.0.2.7", "HTTP_COOKIE": cookie, **extra}
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = int(status.split()[0]), headers

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def test_the_fast_path_serves_the_queue_in_front_of_django_with_redis_only(performance, django_assert_num_queries):
    from sales.channels.shop.queue import fast_path

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)  # once, at the opening (by beat, or the first visitor after it)
    seen = []

    def django_app(environ, start_response):  # stands for Django: records what reaches it
        seen.append(environ["PATH_INFO"])
        start_response("404 Not Found", [])
        return [b""]

    app = fast_path(django_app)
    url = f"/performances/{performance.pk}/queue/"
    with django_assert_num_queries(0):
        status, headers, body = wsgi_get(app, url, HTTP_ACCEPT_LANGUAGE="fr")
        cookie = next(v for k, v in headers if k == "Set-Cookie").split(";")[0]
        assert status == 200 and b'lang="fr"' in body and cookie.startswith("wr_visitor=")
        assert "Vous êtes dans la file d’attente".encode() in body.replace(b"&#x27;", b"'"), body
        assert ("X-Frame-Options", "DENY") in headers and ("Content-Type", "text/html; charset=utf-8") in headers
        again, _h, partial = wsgi_get(app, url, cookie, HTTP_HX_REQUEST="true")
    assert again == 200 and partial.lstrip().startswith(b'<section class="card" id="queue-status"')
    assert seen == []  # Django never saw the queue
    # The same visitor, the same page as Django's own view gives.
    django_page = Client(HTTP_HX_REQUEST="true")
    django_page.cookies["wr_visitor"] = cookie.split("=", 1)[1]
    assert django_page.get(url).content.split(b"every")[0] == partial.split(b"every")[0]
    # Anything else goes on to Django; a forged visitor cookie is a new visitor.
    assert wsgi_get(app, "/healthz")[0] == 404 and seen == ["/healthz"]
    _s, forged_headers, _b = wsgi_get(app, url, "wr_visitor=someone:forged:sig")
    assert any(k == "Set-Cookie" and v.startswith("wr_visitor=") for k, v in forged_headers)


def test_the_fast_path_admits_with_a_pass_and_the_staff_pool_does_not_serve_it(performance, settings):
    from sales.channels.shop.queue import fast_path

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=60000)
    url = f"/performances/{performance.pk}/queue/"
    def django_app(environ, start_response):
        start_response("404 Not Found", [])
        return [b"django"]

    app = fast_path(django_app)
    status, headers, _b = wsgi_get(app, url)
    cookie = next(v for k, v in headers if k == "Set-Cookie").split(";")[0]
    time.sleep(0.01)
    status, headers, _b = wsgi_get(app, url, cookie, HTTP_HX_REQUEST="true")
    assert status == 204 and ("HX-Redirect", f"/performances/{performance.pk}/") in headers
    token = next(v for k, v in headers if k == "Set-Cookie" and v.startswith("wr_pass_")).split(";")[0].split("=", 1)[1]
    assert waiting_room.check_pass(performance.pk, token, "session-1")
    settings.BOXOFFICE_POOL = "staff"
    assert wsgi_get(fast_path(django_app), url)[2] == b"django"


def test_the_queue_polls_rarely_from_far_back_and_often_near_the_front():
    from sales.channels.shop.queue import poll_interval_ms

    far = waiting_room.Place("queued", position=9000, ahead=8000, wait_seconds=600)
    near = waiting_room.Place("queued", position=30, ahead=5, wait_seconds=4)
    soon = waiting_room.Place("before", wait_seconds=3)
    assert 25_000 <= poll_interval_ms(far) <= 35_000
    assert 2_500 <= poll_interval_ms(near) <= 3_500
    assert poll_interval_ms(soon) <= 1_800
    # A sold-out page still asks (seats come back when holds lapse), but every half minute,
    # not every 3 s as at the front of a queue: a crowd stays on it after a sell-out.
    assert 25_500 <= poll_interval_ms(waiting_room.Place("soldout", position=40)) <= 34_500
    # Paused, it asks again when the first basket lapses, at most every half minute, and
    # not more often than every 15 s: the whole crowd is paused at once.
    assert 12_500 <= poll_interval_ms(waiting_room.Place("paused", position=40, back=time.time() + 5)) <= 17_500
    assert 25_500 <= poll_interval_ms(waiting_room.Place("paused", position=40, back=time.time() + 600)) <= 34_500


def test_a_room_deleted_in_the_admin_no_longer_gates_the_shop_or_the_api(performance, admin_client):
    from rest_framework.test import APIClient

    from tests.support import places_of

    room = room_for(performance, opens_in=timedelta(seconds=-1))
    assert waiting_room.gated(performance.pk)
    response = admin_client.post(f"/admin/sales/waitingroom/{room.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not WaitingRoom.objects.exists()
    assert not waiting_room.gated(performance.pk)
    body = {"performance": performance.pk, "places": [places_of(performance)[0].pk]}
    assert APIClient().post("/api/v1/holds/", body, format="json").status_code == 201


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_the_customer_limit_holds_for_baskets_paid_at_once_and_for_sub_addresses():
    """Four baskets of two under one email, paid at the same moment with four cards, under
    a limit of two a customer: one is sold. A sub-address (name+tag@) is the same mailbox."""
    from events.models import Channel
    from sales.errors import InvalidRequest
    from sales.holds import hold_create
    from sales.models import Order
    from sales.orders import CustomerDetails, order_place
    from sales.payments import PaymentRequest
    from tests.support import card_token, places_of, race

    performance = make_performance(rows=2, per_row=10)
    room_for(performance, customer_limit=2)
    free = [p.pk for p in places_of(performance)]
    holds = [hold_create(performance=performance, channel=Channel.ONLINE, place_ids=free[2 * i:2 * i + 2])
             for i in range(5)]
    cards = [card_token() for _ in range(5)]

    def buy(i, email="fan@example.org"):
        return order_place(hold=holds[i], customer=CustomerDetails(name="N", email=email),
                           payment=PaymentRequest(method="card", token=cards[i]))

    results = race(4, buy)
    sold = [r for r in results if isinstance(r, Order)]
    assert len(sold) == 1 and all(isinstance(r, InvalidRequest) for r in results if r not in sold), results
    assert Order.objects.filter(status="paid").count() == 1
    with pytest.raises(InvalidRequest, match="at most 2 tickets per customer.*already have 2"):
        buy(4, "Fan+second@Example.org")


def test_the_queue_page_says_which_show_when_the_sale_opens_and_who_is_next(performance, django_assert_num_queries):
    """A visitor sent to the queue sees what it is for and when it opens, in their
    language, with no database query; at the front, "you are next", not "0 people ahead"."""
    import re

    from sales.formatting import when

    room_for(performance, opens_in=timedelta(minutes=5, seconds=30))
    url = f"/performances/{performance.pk}/queue/"
    with django_assert_num_queries(0):
        english = Client().get(url).content.decode()
        french = Client().get(url, headers={"Accept-Language": "fr"}).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", english))
    assert performance.event.title in text and performance.venue.name in text
    from django.utils import translation

    with translation.override("en"):
        starts = when(performance.local(), "l j F Y, H:i")
    assert starts in text and "It opens in 6 minutes." in text
    assert "Sales open on " in text
    assert "La vente ouvre " in french and "Elle ouvre dans 6 minutes." in french
    waiting = Client()
    waiting.get(url)
    assert 'id="queue-opens"' not in waiting.get(url, headers={"HX-Request": "true"}).content.decode()

    other = make_performance(rows=1, per_row=4)
    room_for(other, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(other.pk)
    url = f"/performances/{other.pk}/queue/"
    first = Client()
    page = first.get(url).content.decode()  # the first in the queue, not let in yet
    assert "You are next: you will be let in in a moment." in page and "0 people ahead" not in page
    assert "Sales open on" not in page  # a page loaded after the opening says nothing of it
    # The sale has opened: a refresh takes "Sales open on …" away from the heading it does
    # not redraw (an empty element of that id, swapped in out of band).
    refreshed = first.get(url, headers={"HX-Request": "true"}).content.decode()
    assert re.search(r'<span id="queue-opens" hx-swap-oob="true"></span>', refreshed)
    assert page.count('id="queue-opens"') <= 1
    assert "less than a minute" in page
    assert "1 person ahead of you" in Client().get(url).content.decode()


def test_the_queue_page_says_when_sales_open_as_a_sentence(performance):
    """« La vente ouvre le vendredi 17 janvier à 20 h »: the day after « le », the hour
    after « à », a whole hour without its minutes, as the shop's other sentences say it;
    "Sales open on Friday 17 January at 20:00". A room published with the opening stored
    in words (« vendredi 17 janvier, 20 h 00 ») reads the same: they are written as the
    page is. The visitor's own clock is still the browser's to write, next to it."""
    import json
    import re
    from datetime import datetime
    from html import unescape
    from zoneinfo import ZoneInfo

    zone = performance.venue.time_zone
    opens = datetime(2031, 1, 17, 20, 0, tzinfo=ZoneInfo(zone))
    room = WaitingRoom.objects.create(performance=performance, opens_at=opens, admit_per_minute=60)
    waiting_room.publish(room)
    url = f"/performances/{performance.pk}/queue/"
    place = zone.rsplit("/", 1)[-1].replace("_", " ")

    def said(language: str) -> str:
        page = Client().get(url, headers={"Accept-Language": language}).content.decode()
        assert f'data-at="{int(opens.timestamp() * 1000)}" data-zone="{zone}"' in page  # the browser's part
        opening = re.search(r'id="queue-opens">(.*?)<span data-your-time', page, re.S)[1]
        return re.sub(r"[ \n]+", " ", unescape(opening)).strip()  # French's no-break spaces kept

    english = f"Sales open on Friday 17 January at 20:00, {place} time."
    french = f"La vente ouvre le vendredi 17 janvier à 20\u00a0h, heure de {place}."
    assert (said("en"), said("fr")) == (english, french)
    key = waiting_room._keys(performance.pk)["cfg"]
    for language, words in (("en", "Friday 17 January, 20:00"), ("fr", "vendredi 17 janvier, 20\u00a0h\u00a000")):
        stored = json.loads(waiting_room.client().hget(key, f"heading_{language}"))
        waiting_room.client().hset(key, f"heading_{language}", json.dumps({**stored, "opens": words}))
    assert (said("en"), said("fr")) == (english, french)


@pytest.mark.parametrize("published", ["in words", "without a heading"])
def test_a_room_published_by_an_earlier_release_still_says_when_sales_open(
        performance, published, django_assert_num_queries):
    """A room published by an earlier release (a rolling deploy: an admin saving it on a
    host not yet updated, or a room published before the update and kept in Redis) kept
    its opening in words, with neither its moment nor the venue's time zone (or kept no
    heading at all): the page still says when sales open, read once from the database
    and kept in Redis for every page after it, which reads no database."""
    import json
    import re
    from datetime import datetime
    from html import unescape
    from zoneinfo import ZoneInfo

    zone = performance.venue.time_zone
    opens = datetime(2031, 1, 17, 20, 0, tzinfo=ZoneInfo(zone))
    room = WaitingRoom.objects.create(performance=performance, opens_at=opens, admit_per_minute=60)
    waiting_room.publish(room)
    key = waiting_room._keys(performance.pk)["cfg"]
    for language, words in (("en", "Friday 17 January, 20:00"), ("fr", "vendredi 17 janvier, 20 h 00")):
        stored = json.loads(waiting_room.client().hget(key, f"heading_{language}"))
        if published == "in words":  # as the release that first said which show it was wrote it
            earlier = {k: stored[k] for k in ("title", "venue", "starts")}
            waiting_room.client().hset(key, f"heading_{language}", json.dumps({**earlier, "opens": words}))
        else:
            waiting_room.client().hdel(key, f"heading_{language}")
    url = f"/performances/{performance.pk}/queue/"
    place = zone.rsplit("/", 1)[-1].replace("_", " ")

    def said(language: str) -> str:
        page = Client().get(url, headers={"Accept-Language": language}).content.decode()
        assert performance.event.title in page
        opening = re.search(r'id="queue-opens">(.*?)(?:<span data-your-time|</span>)', page, re.S)
        return re.sub(r"[ \n]+", " ", unescape(opening[1])).strip() if opening else ""

    english = f"Sales open on Friday 17 January at 20:00, {place} time."
    french = f"La vente ouvre le vendredi 17 janvier à 20\u00a0h, heure de {place}."
    assert said("en") == english
    stored = json.loads(waiting_room.client().hget(key, "heading_fr"))  # every language's, kept at once
    assert (stored["opens_ms"], stored["time_zone"]) == (int(opens.timestamp() * 1000), zone)
    with django_assert_num_queries(0):
        assert (said("en"), said("fr")) == (english, french)


def test_a_heading_is_not_brought_back_for_a_room_withdrawn_meanwhile(performance):
    """The room's heading is read from the database only for a room still published:
    withdrawn (deleted in the admin) between the page's two reads, it is not brought back
    into Redis as a config holding nothing but its headings."""
    room_for(performance)
    key = waiting_room._keys(performance.pk)["cfg"]
    waiting_room.client().hdel(key, "heading_en")
    assert waiting_room.heading(performance.pk, "en")["title"] == performance.event.title  # the control
    waiting_room.client().hdel(key, "heading_en")
    real_headings = waiting_room.headings

    def withdrawn_meanwhile(r):
        waiting_room.withdraw(performance.pk)
        return real_headings(r)

    with mock.patch.object(waiting_room, "headings", withdrawn_meanwhile):
        waiting_room.heading(performance.pk, "en")
    assert not waiting_room.client().exists(key)


def test_each_poll_swaps_out_of_band_only_into_what_the_page_has(performance):
    """A page loaded after the opening still has the (empty) place of "Sales open on …":
    the answer to each of its polls clears it out of band, and htmx finds what it swaps
    into (no htmx:oobErrorNoTarget in the visitor's console), with or without a heading."""
    import re

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)
    url = f"/performances/{performance.pk}/queue/"
    Client().get(url)  # someone ahead: the visitors below stay queued
    for headless in (False, True):
        if headless:  # a config published without one, the database unable to say: the page names no show
            waiting_room.client().hdel(waiting_room._keys(performance.pk)["cfg"], "heading_en")
        visitor = Client()
        with mock.patch.object(waiting_room, "_room_in_database", return_value=None):
            page = visitor.get(url).content.decode()
        assert ("queue-show" in page) is not headless and "Sales open on" not in page
        for _poll in range(2):
            polled = visitor.get(url, headers={"HX-Request": "true"}).content.decode()
            swapped = re.findall(r'id="([^"]+)"[^>]*hx-swap-oob', polled)
            assert swapped == ["queue-opens"]  # the control: the answer does swap one out of band
            for target in swapped:
                assert page.count(f'id="{target}"') == 1, (target, headless)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_payment_sent_twice_at_once_under_the_limit_is_not_refused_by_its_own_first(monkeypatch):
    """Under a per-customer limit, a request sent twice (one key) waits its turn behind its
    first, then counts that first's seats: it is told the payment is under way (or given
    the order), not 'at most N tickets', while the first charges the card."""
    import threading

    from django.db import connection

    from events.models import Channel
    from sales.errors import InProgress
    from sales.holds import hold_create
    from sales.models import Order
    from sales.orders import CustomerDetails, order_place, placing
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import places_of

    performance = make_performance(rows=1, per_row=10)
    room_for(performance, customer_limit=4)
    hold = hold_create(performance=performance, channel=Channel.ONLINE,
                       place_ids=[p.pk for p in places_of(performance)[:4]])
    buy = {"hold": hold, "customer": CustomerDetails(name="N", email="fan@example.org"),
           "payment": PaymentRequest(method="test_card", card_number=APPROVE), "idempotency_key": "shop:twice"}
    real_check, real_create, main = placing.check_customer_limit, placing.create_order, threading.current_thread()
    second_waits, seen = threading.Event(), []

    def check(**kwargs):
        if threading.current_thread() is not main:
            second_waits.set()  # it read before the first's order existed; now it waits its turn
        return real_check(**kwargs)

    def again():
        try:
            seen.append(order_place(**buy))
        except Exception as exc:  # noqa: BLE001 - what the second request met, asserted below
            seen.append(exc)
        finally:
            connection.close()

    def create_order(**kwargs):
        if threading.current_thread() is main:
            threading.Thread(target=again).start()
            second_waits.wait(10)
        return real_create(**kwargs)

    monkeypatch.setattr(placing, "check_customer_limit", check)
    monkeypatch.setattr(placing, "create_order", create_order)
    order = order_place(**buy)
    deadline = time.monotonic() + 20
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert order.status == "paid"
    assert len(seen) == 1 and (isinstance(seen[0], InProgress) or seen[0] == order), seen
    assert Order.objects.count() == 1


def test_the_queue_page_switches_language_and_keeps_the_visitor_in_line(performance):
    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)
    client = Client(enforce_csrf_checks=True)
    url = f"/performances/{performance.pk}/queue/"
    page = client.get(url)
    visitor = page.cookies["wr_visitor"].value
    html = page.content.decode()
    assert 'action="/i18n/setlang/"' in html and f'name="next" type="hidden" value="{url}"' in html
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    switched = client.post("/i18n/setlang/", {"language": "fr", "next": url, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302 and switched["Location"] == url
    french = client.get(url).content.decode().replace("&#x27;", "'")
    assert 'lang="fr"' in french and "Vous êtes dans la file d’attente" in french
    assert client.cookies["wr_visitor"].value == visitor  # the same place in the queue
    polled = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "setlang" not in polled  # the polls stay small


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_one_admission_holds_one_basket_even_when_its_holds_are_sent_at_once():
    """Each request with its own Idempotency-Key runs in a transaction: the basket it
    replaces is released once it is committed, whatever the interleaving."""
    from rest_framework.test import APIClient

    from sales.models import Hold
    from tests.support import race

    perf = make_performance(rows=4, per_row=10)
    room_for(perf, opens_in=timedelta(seconds=-1))
    one = waiting_room.issue_pass(perf.pk, "api-racer")
    zone = perf.price_zones.first().pk

    def hold(i):
        return APIClient().post("/api/v1/holds/", {"performance": perf.pk, "zone": zone, "quantity": 2},
                                format="json", headers={"X-Queue-Pass": one,
                                                        "Idempotency-Key": f"racer-basket-{i:04d}-abcdefgh"})

    answers = race(8, hold)
    assert all(a.status_code == 201 for a in answers), [a.content for a in answers]
    assert Hold.objects.filter(status="active").count() == 1
    assert perf.places.filter(state="held").count() == 2


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_one_admission_holds_one_basket_in_the_shop_even_when_its_holds_are_sent_at_once():
    """The shop keeps a basket in its session, whose last write wins: holds sent at once
    from one session each found no basket before them. The pass keeps the count."""
    from sales.models import Hold
    from tests.support import race

    perf = make_performance(rows=4, per_row=10)
    room_for(perf, opens_in=timedelta(seconds=-1), per_minute=6000)
    shopper = Client()
    shopper.get(f"/performances/{perf.pk}/")
    time.sleep(0.05)
    assert shopper.get(f"/performances/{perf.pk}/queue/")["Location"] == f"/performances/{perf.pk}/"
    zone = perf.price_zones.first().pk

    def hold(i):
        tab = Client()  # another tab of the same browser: its cookies, its session
        tab.cookies = shopper.cookies
        return tab.post(f"/performances/{perf.pk}/hold/", {"zone": zone, "quantity": 2})

    answers = race(6, hold)
    assert all(a.status_code == 302 and a["Location"].endswith("/basket/") for a in answers), answers
    assert Hold.objects.filter(status="active").count() == 1
    assert perf.places.filter(state="held").count() == 2


def test_a_queued_on_sale_stays_queued_when_redis_lost_its_room(performance):
    """The queue's Redis restarted without its data (or the room was saved without the
    admin): the room is read again from the database, never taken as no queue at all."""
    from rest_framework.test import APIClient

    from tests.support import places_of

    room = room_for(performance, opens_in=timedelta(seconds=-1))
    waiting_room.client().delete(f"wr:{performance.pk}:cfg")  # lost
    body = {"performance": performance.pk, "places": [places_of(performance)[0].pk]}
    refused = APIClient().post("/api/v1/holds/", body, format="json")
    assert refused.status_code == 403 and "X-Queue-Pass" in refused.json()["error"]["message"]
    assert waiting_room.gated(performance.pk)
    assert Client().get(f"/performances/{performance.pk}/")["Location"].endswith("/queue/")
    # A room saved without the admin's publishing it: queued as soon as it is saved.
    other = make_performance(rows=1, per_row=4)
    assert not waiting_room.gated(other.pk)  # no room: asked of the database, and remembered a moment
    WaitingRoom.objects.create(performance=other, opens_at=room.opens_at, admit_per_minute=60)
    assert waiting_room.gated(other.pk)


def test_the_queue_page_lets_nobody_past_a_room_redis_lost(performance):
    """Visitors polling the queue page when its Redis lost the room's config are queued
    again (the room read back from the database), never handed a pass that lets them past
    the queue once the room is back."""
    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)
    url = f"/performances/{performance.pk}/queue/"
    visitors = [Client() for _ in range(3)]
    for visitor in visitors:
        visitor.get(url)
    waiting_room.client().delete(f"wr:{performance.pk}:cfg")  # lost
    for visitor in visitors:
        answer = visitor.get(url)
        assert answer.status_code == 200 and "You are in the queue" in answer.content.decode()
        assert not any(name.startswith("wr_pass_") for name in answer.cookies)
    assert waiting_room.gated(performance.pk)


def test_a_queue_whose_redis_lost_everything_admits_at_its_rate_again_neither_stuck_nor_all_at_once(performance):
    """Redis restarted without its data an hour into a queued on-sale (its draw made and
    recorded): the room is read back from the database and the queue starts again from
    now, in order of arrival, at the room's rate. Not everyone at once (an hour at the
    rate), and not nobody for ever (a draw that cannot be made twice)."""
    room = room_for(performance, opens_in=timedelta(seconds=-1), per_minute=60)
    early = Client()
    WaitingRoom.objects.filter(pk=room.pk).update(opens_at=timezone.now() + timedelta(seconds=5))
    waiting_room.publish(WaitingRoom.objects.get(pk=room.pk))
    early.get(f"/performances/{performance.pk}/queue/")  # before the opening: in the draw
    opened = timezone.now() - timedelta(hours=1)
    WaitingRoom.objects.filter(pk=room.pk).update(opens_at=opened)
    with mock.patch("time.time", return_value=opened.timestamp() + 1):
        waiting_room.draw(performance.pk)
    assert Draw.objects.get(waiting_room=room).drawn_at is not None
    waiting_room.client().flushdb()  # lost, all of it

    visitors = [Client() for _ in range(5)]
    answers = [v.get(f"/performances/{performance.pk}/queue/") for v in visitors]
    assert [a.status_code for a in answers].count(302) <= 1  # at the rate from now, not an hour's worth
    assert all(a.status_code in (200, 302) for a in answers)
    assert "You are in the queue" in answers[-1].content.decode()
    assert waiting_room.gated(performance.pk) and waiting_room.stats(performance.pk)["in_queue"] == 5


def test_the_queue_page_of_a_performance_without_a_queue_writes_nothing_lasting(performance):
    """Without a room (or for an id no performance has) the queue page sends the visitor on
    to the shop: no pass, and nothing kept in the queue's Redis, whatever ids one visitor
    asks for."""
    from sales.channels.shop.queue import fast_path

    app = fast_path(lambda environ, start_response: [])
    _status, headers, _body = wsgi_get(app, f"/performances/{performance.pk}/queue/")
    cookie = next(v for k, v in headers if k == "Set-Cookie" and v.startswith("wr_visitor=")).split(";")[0]
    r = waiting_room.client()
    before = r.dbsize()
    for pk in [performance.pk, *range(999000000100, 999000000150)]:
        status, headers, _body = wsgi_get(app, f"/performances/{pk}/queue/", cookie)
        assert status == 302 and ("Location", f"/performances/{pk}/") in headers
        assert not any(k == "Set-Cookie" for k, _v in headers)
    assert r.dbsize() == before


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_performance_queues_nobody_and_its_page_says_it_was_cancelled(organizer):
    """Everyone in its queue (and whoever comes later) goes through to the performance's
    page, which says it was cancelled: not "sold out", as its withdrawn places would make
    the queue say. Published again from the database, the room stays open."""
    from sales.orders.cancellation import performance_cancel

    perf = make_performance(rows=1, per_row=4)
    room_for(perf, opens_in=timedelta(seconds=-30), per_minute=1)
    waiting_room.draw(perf.pk)
    visitor = Client()
    for _ in range(3):
        visitor.get(f"/performances/{perf.pk}/queue/")
    assert "You are in the queue" in visitor.get(f"/performances/{perf.pk}/queue/").content.decode()
    performance_cancel(performance=perf, note="The artist is ill", actor=organizer)
    waiting_room.set_sold_out(perf.pk, True)  # what its withdrawn places make the watcher say
    queued = visitor.get(f"/performances/{perf.pk}/queue/")
    assert queued.status_code == 302 and queued["Location"] == f"/performances/{perf.pk}/"
    page = visitor.get(queued["Location"]).content.decode()
    assert "cancelled" in page.lower() and "sold out" not in page.lower()
    assert not waiting_room.gated(perf.pk)
    waiting_room.client().delete(f"wr:{perf.pk}:cfg")  # Redis lost it: restored, still open
    assert not waiting_room.gated(perf.pk)
    assert Client().get(f"/performances/{perf.pk}/").status_code == 200


def test_the_fast_path_answers_head_and_refuses_a_crowd_from_one_network_with_a_page(performance, settings):
    """HEAD is answered without joining the queue. A network that sends more new visitors
    in a minute than the limit is told, in its language, on a page, when to come back."""
    from sales.channels.shop.queue import fast_path

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)

    def django_app(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"django"]

    app = fast_path(django_app)
    url = f"/performances/{performance.pk}/queue/"
    for _ in range(3):  # a monitor's checks: answered, and nobody joins the queue for them
        status, headers, body = wsgi_get(app, url, REQUEST_METHOD="HEAD", REMOTE_ADDR="192.0.2.99")
        assert status == 200 and body == b"" and ("Content-Type", "text/html; charset=utf-8") in headers
    assert waiting_room.stats(performance.pk)["in_queue"] == 0
    answers = []
    while len(answers) < 125 and (not answers or answers[-1][0] != 429):  # 60 a minute (two, at a minute's turn)
        answers.append(wsgi_get(app, url, REMOTE_ADDR="192.0.2.99", HTTP_ACCEPT_LANGUAGE="fr"))
    status, headers, body = answers[-1]
    seconds = int(dict(headers)["Retry-After"])  # to the end of the clock minute the joins are counted in
    assert status == 429 and 1 <= seconds <= 60
    assert ("Content-Type", "text/html; charset=utf-8") in headers and b'<html lang="fr">' in body
    assert f"réessayez dans {seconds} seconde".encode() in body
    assert all(a[0] == 200 for a in answers[:-1])


def test_the_limit_of_new_visitors_per_network_is_the_operators_and_only_where_a_queue_runs(performance, settings):
    """A carrier's network puts many phones behind one address: the operator sets how many
    new visitors a minute one address may bring, and a performance with no queue is not
    limited at all (its queue address only sends visitors on to the shop)."""
    from sales.channels.shop.queue import fast_path

    settings.QUEUE_NEW_VISITORS_PER_NETWORK = 3
    app = fast_path(lambda environ, start_response: [])
    free = make_performance(rows=1, per_row=4)
    statuses = [wsgi_get(app, f"/performances/{free.pk}/queue/", REMOTE_ADDR="192.0.2.98")[0] for _ in range(8)]
    assert 429 not in statuses and set(statuses) == {302}

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)
    url = f"/performances/{performance.pk}/queue/"
    statuses = [wsgi_get(app, url, REMOTE_ADDR="192.0.2.97")[0] for _ in range(8)]
    assert 429 in statuses and statuses.index(429) <= 6  # 3 a minute (twice that at a minute's turn)
    assert all(s == 200 for s in statuses[:3])
    settings.QUEUE_NEW_VISITORS_PER_NETWORK = 0  # no limit
    assert 429 not in [wsgi_get(app, url, REMOTE_ADDR="192.0.2.96")[0] for _ in range(8)]


def test_an_organizer_deletes_a_room_whose_draw_is_not_made_but_not_one_drawn(organizer):
    from sales import draws
    from tests.support import signed_in

    admin = signed_in(organizer)
    perf = make_performance(rows=1, per_row=4)
    room = room_for(perf, opens_in=timedelta(days=1))
    draws.draw_commit(waiting_room=room)  # as the admin's save does
    url = f"/admin/sales/waitingroom/{room.pk}/delete/"
    page = admin.get(url).content.decode()
    assert "Are you sure" in page and "permission" not in page
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not WaitingRoom.objects.exists() and not Draw.objects.exists() and not waiting_room.gated(perf.pk)

    other = make_performance(rows=1, per_row=4)
    drawn = room_for(other, opens_in=timedelta(seconds=-1))
    draws.draw_commit(waiting_room=drawn)
    waiting_room.join(other.pk, "early-bird", now=drawn.opens_at.timestamp() - 5)
    assert waiting_room.draw(other.pk) == 1
    url = f"/admin/sales/waitingroom/{drawn.pk}/delete/"
    page = admin.get(url).content.decode()
    assert "made and published, kept for anyone to check" in page
    admin.post(url, {"post": "yes"})
    assert WaitingRoom.objects.filter(pk=drawn.pk).exists() and waiting_room.gated(other.pk)


def test_the_queue_counted_now_is_those_still_waiting_not_everyone_who_joined(performance):
    from sales.reports import on_sale_now

    room = room_for(performance, opens_in=timedelta(seconds=-10), per_minute=60)  # ten let in so far
    for i in range(15):
        waiting_room.join(performance.pk, f"v{i}", now=room.opens_at.timestamp() + 1)
    live = on_sale_now(performance)
    assert live["admitted"] == 10 and live["in_queue"] == 5


def _api_order(api, queue, perf, n, email, card="4242424242424242"):
    from tests.support import card_token

    zone = perf.price_zones.get().pk
    hold = api.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone, "quantity": n}, format="json",
                    headers=queue)
    assert hold.status_code == 201, hold.content
    return api.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": {"name": "Lim", "email": email},
                                        "payment": {"method": "card", "token": card_token(card)}},
                    format="json", headers=queue)


def client_for_nobody(perf, visitor):
    return APIClient(), {"X-Queue-Pass": waiting_room.issue_pass(perf.pk, visitor)}


def test_the_provider_away_while_the_card_is_counted_is_said_and_the_same_request_goes_through_later(performance):
    """Under a per-customer limit the card's fingerprint is asked of the provider before the
    order is written: the provider away, the API says so (503), nothing is written, and
    the request sent again with its key goes through once it answers."""
    from django.test import override_settings

    from sales.models import Order
    from tests.support import card_token

    room_for(performance, opens_in=timedelta(seconds=-1), customer_limit=4)
    api, queue = client_for_nobody(performance, "fan-away")
    hold = api.post("/api/v1/holds/", {"performance": performance.pk, "zone": performance.price_zones.get().pk,
                                       "quantity": 2}, format="json", headers=queue)
    order = {"hold": hold.json()["token"], "customer": {"name": "Lim", "email": "fan@example.org"},
             "payment": {"method": "card", "token": card_token()}}
    keyed = {**queue, "Idempotency-Key": "fan-away-0f3c9a7e-order"}
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_NETWORK_RETRIES=0):  # nothing listens
        away = api.post("/api/v1/orders/", order, format="json", headers=keyed)
    assert away.status_code == 503, away.content
    assert "did not answer: nothing was charged and the places are still held" in away.json()["error"]["message"]
    assert not Order.objects.exists()
    paid = api.post("/api/v1/orders/", order, format="json", headers=keyed)
    assert paid.status_code == 201, paid.content


def test_the_customer_limit_takes_gmail_dots_as_one_mailbox_and_other_domains_dots_as_two(performance):
    """At Gmail, j.dupont@, jdupont@ and j.du.pont@googlemail.com are one mailbox; at
    another domain a dot makes another name."""
    from sales import rows
    from sales.orders.placing import MAILBOX_SQL, mailbox

    room_for(performance, opens_in=timedelta(seconds=-1), customer_limit=4)
    api, queue = client_for_nobody(performance, "gmail-api")
    assert _api_order(api, queue, performance, 3, "Jean.Dupont@gmail.com").status_code == 201
    # Each order with a card of its own: the limit counts a card too.
    for email in ("jeandupont@gmail.com", "j.e.a.n.dupont+fete@googlemail.com", "JEANDUPONT@GoogleMail.com"):
        refused = _api_order(api, queue, performance, 2, email, card="5555555555554444")
        assert refused.status_code == 400, (email, refused.content)
        assert "you already have 3" in refused.json()["error"]["message"]
    assert _api_order(api, queue, performance, 3, "jean.dupont@example.org", card="5200828282828210").status_code == 201
    assert _api_order(api, queue, performance, 3, "jeandupont@example.org", card="4000056655665556").status_code == 201
    # The Python and SQL ways of naming a mailbox agree.
    emails = ["a.b+c@gmail.com", "a.b@googlemail.com", "ab@gmail.com", "a.b@gmail.com.example.org", "a.b@example.org",
              "a.b+x.y@example.org", "+x@gmail.com", "x.y@mail.gmail.com"]
    in_sql = rows.fetch(f"SELECT {MAILBOX_SQL} FROM unnest(%s::text[]) AS c(email)", [emails])
    assert [mailbox(e) for e in emails] == [box for (box,) in in_sql]
    assert mailbox("J.Dupont+x@GoogleMail.com") == "jdupont@gmail.com"
    assert mailbox("j.dupont@example.org") == "j.dupont@example.org"


def test_an_exchange_to_another_performance_counts_every_new_place_against_its_limit(performance, clerk):
    """Moved from another date, none of the order's tickets were of this performance: the
    limit counts all the new places there, not only those beyond the old count."""
    from decimal import Decimal

    from events.models import Channel
    from sales import inventory
    from sales.errors import InvalidRequest
    from sales.holds import hold_create
    from sales.models import Order
    from sales.orders import order_exchange
    from sales.payments import PaymentRequest
    from tests.factories import PerformanceFactory, PriceZoneFactory
    from tests.support import drawer

    other = PerformanceFactory(event=performance.event, venue=performance.venue,
                               starts_at=performance.starts_at + timedelta(days=1),
                               channels=[Channel.ONLINE, Channel.COUNTER])
    PriceZoneFactory(performance=other, name="Stalls", price=performance.price_zones.get().price,
                     sections=performance.venue.sections.all())
    inventory.put_on_sale(performance=other)
    room_for(performance, opens_in=timedelta(seconds=-1), customer_limit=4)
    api, queue = client_for_nobody(performance, "fan-here")
    assert _api_order(api, queue, performance, 4, "fan@example.org").status_code == 201
    elsewhere = _api_order(APIClient(), {}, other, 2, "fan@example.org")
    assert elsewhere.status_code == 201, elsewhere.content
    order = Order.objects.get(code=elsewhere.json()["code"])
    hold = hold_create(performance=performance, channel=Channel.COUNTER, user=clerk,
                       zone=performance.price_zones.get(), quantity=2)
    with pytest.raises(InvalidRequest, match="at most 4 tickets per customer.*already have 4"):
        order_exchange(order=order, ticket_ids=[t.pk for t in order.tickets.all()], hold=hold, actor=clerk,
                       shift=drawer(clerk), payments=[PaymentRequest(method="cash", tendered=Decimal("1000"))])
    assert Order.objects.get(pk=order.pk).performance_id == other.pk


def test_an_exchange_counts_its_places_again_when_it_commits(performance, clerk, monkeypatch):
    """The buyer's order paid while an exchange for more places is under way (here, while
    its difference is taken) is counted by the exchange as it commits: never more tickets
    than the limit between them."""
    from decimal import Decimal

    from events.models import Channel
    from sales.errors import InvalidRequest
    from sales.holds import hold_create
    from sales.models import Order, Ticket
    from sales.orders import exchanges, order_exchange
    from sales.payments import PaymentRequest
    from tests.support import drawer

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=6000, customer_limit=4)
    api, queue = client_for_nobody(performance, "fan-race")
    first = _api_order(api, queue, performance, 2, "fan@example.org")
    order = Order.objects.get(code=first.json()["code"])
    real = exchanges.charge

    def charge_while_the_buyer_pays(*args, **kw):
        taken = real(*args, **kw)
        meanwhile = _api_order(APIClient(), client_for_nobody(performance, "fan-race-2")[1], performance, 2,
                               "fan@example.org")
        assert meanwhile.status_code == 201, meanwhile.content  # 2 + 2: within the limit, alone
        return taken

    monkeypatch.setattr(exchanges, "charge", charge_while_the_buyer_pays)
    hold = hold_create(performance=performance, channel=Channel.COUNTER, user=clerk,
                       zone=performance.price_zones.get(), quantity=4)
    with pytest.raises(InvalidRequest, match="at most 4 tickets per customer"):
        order_exchange(order=order, ticket_ids=[t.pk for t in order.tickets.all()], hold=hold, actor=clerk,
                       shift=drawer(clerk), payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    assert Ticket.objects.filter(order__performance=performance, status="valid",
                                 order__customer__email="fan@example.org").count() == 4


def test_a_long_wait_is_said_in_hours(performance):
    """A queue hours long (an on-sale of the year at a fixed rate) says its wait in hours,
    not in a thousand minutes, and an opening days off in days; a wait under an hour and
    a half stays in minutes."""
    from django.utils import translation

    from sales.channels.shop.queue import _page

    def said(place: waiting_room.Place, language: str) -> str:
        with translation.override(language):
            return _page(performance.pk, place, "visitor", htmx=True, cookies=[]).body.decode()

    long = waiting_room.Place("queued", position=70_000, ahead=65_940, wait_seconds=65_940)
    assert "about 19 hours" in said(long, "en") and "minute" not in said(long, "en")
    assert "environ 19 heures" in said(long, "fr")
    assert "It opens in about 6 hours." in said(waiting_room.Place("before", wait_seconds=5.5 * 3600), "en")
    opening = waiting_room.Place("before", wait_seconds=4 * 86_400)
    assert "It opens in about 4 days." in said(opening, "en")
    assert "Elle ouvre dans environ 4 jours." in said(opening, "fr")
    hour = waiting_room.Place("queued", position=80, ahead=70, wait_seconds=80 * 60)
    assert "about 80 minutes" in said(hour, "en")


def test_a_queue_the_organizer_stopped_says_so_and_promises_no_wait(performance):
    """An organizer who sets the rate to 0 stops admission: a visitor with hundreds ahead
    is told the queue is stopped and keeps their place, not "less than a minute", in
    English and in French; the page polls as rarely as a paused queue's, not every 3 s."""
    import re

    from sales.channels.shop.queue import poll_interval_ms

    room = room_for(performance, opens_in=timedelta(seconds=-1), per_minute=1)
    waiting_room.draw(performance.pk)
    url = f"/performances/{performance.pk}/queue/"
    for _ahead in range(3):
        Client().get(url)
    room.admit_per_minute = 0
    room.save()
    waiting_room.publish(room)
    visitor = Client()
    for language, said, unsaid in (
            ("en", ["3 people ahead of you", "The organizer has stopped letting people in for now",
                    "you keep your place"], ["less than a minute", "Estimated wait"]),
            ("fr", ["3 personnes devant vous", "L’organisateur a suspendu les entrées pour le moment",
                    "vous gardez votre place"], ["moins d’une minute", "Attente estimée"])):
        page = visitor.get(url, headers={"Accept-Language": language}).content.decode()
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
        for words in said:
            assert words in text, (language, words)
        for words in unsaid:
            assert words not in text, (language, words)
    place = waiting_room.status(performance.pk, "somebody-far-back")
    assert place.state == "stopped" and place.ahead == 4
    assert min(poll_interval_ms(place) for _ in range(50)) >= 15_000 * 0.85


def test_an_admission_lasts_its_pass_minutes_then_the_visitor_queues_again_at_the_back(performance):
    """The pass's minutes run from the visitor's first admission. Past them, polling again
    does not let them in on their old place (which the frontier passed long ago): they are
    told their shopping time ended, and joining again gives them a new number, after
    everyone already queued. Who was let in and never came keeps their place."""
    room = room_for(performance, per_minute=1, pass_minutes=15)  # one a minute
    opens = room.opens_at.timestamp()
    for i in range(30):
        waiting_room.join(performance.pk, f"v{i}", now=opens + 0.001 * i)  # FIFO: v0 is first
    admitted_at = opens + 60
    assert waiting_room.status(performance.pk, "v0", now=admitted_at).state == "admitted"
    later = waiting_room.status(performance.pk, "v0", now=admitted_at + 600)
    assert later.state == "admitted" and later.ttl == 300  # a pass given now ends with the admission
    assert waiting_room.status(performance.pk, "v0", now=admitted_at + 900).state == "ended"
    again = waiting_room.join(performance.pk, "v0", now=admitted_at + 901)
    assert (again.state, again.position) == ("queued", 31)
    assert waiting_room.status(performance.pk, "v0", now=admitted_at + 902).position == 31
    assert waiting_room.status(performance.pk, "v1", now=admitted_at + 902).state == "admitted"


def test_a_pass_given_again_ends_with_the_first_admission(performance):
    room_for(performance, opens_in=timedelta(seconds=-1))
    now = time.time()
    recent = waiting_room.issue_pass(performance.pk, "v", admitted_at=now - 60)
    assert waiting_room.check_pass(performance.pk, recent, "s")
    late = waiting_room.issue_pass(performance.pk, "w", admitted_at=now - 15 * 60 - 1)  # signed now
    assert not waiting_room.check_pass(performance.pk, late, "s")


@pytest.mark.parametrize("language, said", [
    ("en", ["Your shopping time has ended", "your place in the queue has gone to the people behind you",
            "Join the queue again"]),
    ("fr", ["Votre temps pour acheter est écoulé", "votre place dans la file est passée aux personnes derrière vous",
            "Rejoindre la file d’attente"]),
])
def test_the_queue_page_says_the_shopping_time_ended_and_lets_the_visitor_join_again(performance, language, said):
    import re
    from html import unescape

    room_for(performance, opens_in=timedelta(minutes=-30), per_minute=6000)
    url = f"/performances/{performance.pk}/queue/"
    visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
    with mock.patch("time.time", return_value=time.time() - 16 * 60):  # let in 16 minutes ago
        visitor.get(url)
        assert visitor.get(url).status_code == 302
    shop = visitor.get(f"/performances/{performance.pk}/")
    assert shop.status_code == 302 and shop["Location"].endswith(url)  # the pass is over
    page = visitor.get(url)
    assert page.status_code == 200 and f"wr_pass_{performance.pk}" not in page.cookies
    html = page.content.decode()
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    for words in said:
        assert words in text, words
    assert "hx-trigger" not in html and 'http-equiv="refresh"' not in html  # it waits for the visitor
    assert f'href="{url}"' in html
    assert visitor.get(url).status_code == 302  # joined again, at the back: let in at this rate


def test_a_buyer_whose_pass_ended_with_seats_in_the_basket_can_still_pay(performance):
    import re

    from sales.models import Order
    from tests.support import card_token, places_of

    room_for(performance, opens_in=timedelta(seconds=-1), per_minute=6000)
    buyer = Client()
    buyer.get(f"/performances/{performance.pk}/queue/")
    time.sleep(0.05)
    assert buyer.get(f"/performances/{performance.pk}/queue/").status_code == 302
    buyer.post(f"/performances/{performance.pk}/hold/", {"seats": str(places_of(performance)[0].pk)})
    nonce = re.search(r'name="nonce" value="([^"]+)"', buyer.get("/basket/").content.decode()).group(1)
    del buyer.cookies[f"wr_pass_{performance.pk}"]  # the pass's minutes are over: the browser drops it
    assert buyer.get(f"/performances/{performance.pk}/").status_code == 302  # no more choosing
    paid = buyer.post("/checkout/", {"name": "Eve", "email": "eve@example.org", "nonce": nonce,
                                     "card_token": card_token()})
    assert Order.objects.get().status == Order.Status.PAID, paid.get("Location")


def test_a_queue_is_forgotten_in_redis_once_its_performance_is_over_and_not_before(performance):
    """A crowd leaves its queue, its admissions and the draw's frozen arrivals in Redis:
    megabytes an on-sale. They are dropped a day after the performance started (or once it
    is deleted); a queue still to be used, and Redis's other keys, are kept. Nothing brings
    a past queue back: not beat's rounds of the rooms, the public pool's watch, a visitor,
    nor the room or its presale saved again."""
    from sales import admission
    from sales.models import Presale
    from sales.tasks import forget_past_queues, refresh_waiting_rooms

    past = make_performance(rows=1, per_row=2)
    rooms = {}
    for perf in (performance, past):
        rooms[perf.pk] = room = WaitingRoom.objects.create(
            performance=perf, opens_at=timezone.now() - timedelta(seconds=30), admit_per_minute=60, automatic=True,
            min_per_minute=60, max_per_minute=600)
        admission.publish(room)
        presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=timezone.now(),
                                         closes_at=timezone.now() + timedelta(days=1))
        waiting_room.publish_presales(room, [presale])
        for i in range(3):  # ten seconds on, at one a second: let in
            waiting_room.join(perf.pk, f"v{i}", now=time.time() + 10 + i)
    past.starts_at = timezone.now() - timedelta(days=1, minutes=1)
    past.save(update_fields=["starts_at"])
    r = waiting_room.client()
    r.set("wr:999999999:queue", "a deleted performance's")
    r.set("rl:elsewhere", "1")
    kept = set(r.scan_iter(f"wr:{performance.pk}:*"))
    assert {f"wr:{performance.pk}:queue", f"wr:{performance.pk}:admitted", f"wr:{performance.pk}:auto",
            f"wr:{performance.pk}:presales"} <= kept
    assert set(r.scan_iter(f"wr:{past.pk}:*"))
    assert r.sismember(admission.ROOMS, past.pk)

    assert forget_past_queues() == 2
    assert set(r.scan_iter(f"wr:{past.pk}:*")) == set()
    assert not r.exists("wr:999999999:queue") and not r.sismember(admission.ROOMS, past.pk)
    assert set(r.scan_iter(f"wr:{performance.pk}:*")) == kept
    assert r.get("rl:elsewhere") == "1"

    r.sadd(admission.ROOMS, past.pk)  # listed by a process that had not heard yet
    refresh_waiting_rooms()
    admission.watch(past.pk, performance.pk)
    assert not r.sismember(admission.ROOMS, past.pk) and r.sismember(admission.ROOMS, performance.pk)
    assert waiting_room.join(past.pk, "late").state == "none"
    visitor = Client().get(f"/performances/{past.pk}/queue/")
    assert visitor.status_code == 302 and visitor["Location"] == f"/performances/{past.pk}/"
    room = WaitingRoom.objects.get(performance=past)
    admission.publish(room)  # saved in the admin afterwards
    waiting_room.publish_presales(room, Presale.objects.filter(performance=past))
    assert set(r.scan_iter(f"wr:{past.pk}:*")) == set()
    assert forget_past_queues() == 0
