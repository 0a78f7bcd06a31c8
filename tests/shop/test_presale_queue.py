"""A presale of a queued on-sale: its code holders wait in the presale's own queue, which
admits them to what the presale opens, before the general on-sale; the general queue
never sees them. Joining and polling it cost Redis only."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from events.models import Channel, OnSaleWindow
from sales import waiting_room
from sales.models import Hold, Presale, PresaleCode, WaitingRoom
from tests.shop.test_waiting_room import wsgi_get
from tests.support import make_performance

pytestmark = pytest.mark.django_db


def presale_on_sale(*, per_minute=60, presale_opened=timedelta(minutes=1), max_uses=None, code="FANS-2027"):
    """A performance whose general online sale opens in an hour behind a waiting room, and a
    fan-club presale of its Stalls, open since `presale_opened`, with the code `code`."""
    perf = make_performance(rows=2, per_row=5, standing=10)
    now = timezone.now()
    OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).update(opens_at=now + timedelta(hours=1))
    room = WaitingRoom.objects.create(performance=perf, opens_at=now + timedelta(hours=1), admit_per_minute=per_minute)
    presale = Presale.objects.create(performance=perf, name="Fan club", opens_at=now - presale_opened,
                                     closes_at=now + timedelta(days=1))
    presale.zones.set([perf.price_zones.get(name="Stalls")])
    PresaleCode.objects.create(presale=presale, code=code, max_uses=max_uses)
    waiting_room.publish(room)
    waiting_room.publish_presales(room, [presale])
    return perf, room, presale


def test_code_holders_queue_apart_and_are_admitted_before_the_general_on_sale():
    perf, room, presale = presale_on_sale(per_minute=60)
    now = presale.opens_at.timestamp() + 60  # open a minute at one a second: 60 admitted
    assert waiting_room.join(perf.pk, "general-1", now=now).state == "before"
    places = [waiting_room.presale_status(perf.pk, presale.pk, f"fan-{i}", now=now) for i in range(100)]
    assert [p.position for p in places] == list(range(1, 101))  # first come, first served once open
    assert places[0].state == "admitted" and places[-1].state == "queued" and places[-1].ahead == 40
    # The general queue is unaffected: one early visitor, nobody drawn, nobody admitted.
    assert waiting_room.join(perf.pk, "general-2", now=now).early_count == 2
    assert waiting_room.drawn_order(perf.pk) == []
    assert not waiting_room.check_pass(perf.pk, waiting_room.issue_pass(perf.pk, "general-1"), "s")
    # A presale pass lets its session in while the presale is open, and no other session.
    token = waiting_room.issue_presale_pass(perf.pk, presale.pk, "fan-0", places[0].ttl)
    assert waiting_room.check_presale_pass(perf.pk, token, "session-A")
    assert not waiting_room.check_presale_pass(perf.pk, token, "session-B")
    other, *_ = presale_on_sale(code="OTHER-FANS")
    assert not waiting_room.check_presale_pass(other.pk, token, "session-A")
    forged = signing.dumps({"p": perf.pk, "s": presale.pk, "v": "x", "e": now + 900}, key="not-ours",
                           salt=waiting_room.PRESALE_PASS_SALT)
    assert not waiting_room.check_presale_pass(perf.pk, forged, "session-C")
    # At the general on-sale the presale queue closes: its passes no longer open the shop.
    room.opens_at = timezone.now() - timedelta(seconds=1)
    waiting_room.publish_presales(room, [presale])
    assert not waiting_room.check_presale_pass(perf.pk, token, "session-A")
    assert waiting_room.presale_status(perf.pk, presale.pk, "fan-0") is None
    assert not waiting_room.presale_open(perf.pk)


def test_early_code_holders_are_drawn_when_the_presale_opens():
    perf, room, presale = presale_on_sale(presale_opened=-timedelta(minutes=5))  # opens in 5 minutes
    opens = presale.opens_at.timestamp()
    fans = [f"fan-{i}" for i in range(50)]
    for i, fan in enumerate(fans):
        assert waiting_room.presale_status(perf.pk, presale.pk, fan, now=opens - 60 + i).state == "before"
    positions = [waiting_room.presale_status(perf.pk, presale.pk, fan, now=opens + 1).position for fan in fans]
    assert sorted(positions) == list(range(1, 51)) and positions != list(range(1, 51))  # a draw, not arrival order


def _form_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def test_a_code_typed_on_the_queue_page_opens_the_presale_zones_and_nothing_else(django_assert_num_queries):
    from sales.channels.shop.queue import fast_path

    perf, _room, presale = presale_on_sale(per_minute=6000, max_uses=1)
    queue_url, shop_url = f"/performances/{perf.pk}/queue/", f"/performances/{perf.pk}/"
    fan = Client(enforce_csrf_checks=True)
    # The queue page, as the fast path answers it (no database), asks for a code while a presale is open.
    with django_assert_num_queries(0):
        status, headers, body = wsgi_get(fast_path(None), queue_url)
    assert status == 200 and b"A presale is open" in body
    for name, value in (v.split(";")[0].split("=", 1) for k, v in headers if k == "Set-Cookie"):
        fan.cookies[name] = value
    token = _form_token(body.decode())
    wrong = fan.post(f"/performances/{perf.pk}/presale/", {"access_code": "NOT-A-CODE", "csrfmiddlewaretoken": token})
    assert wrong.status_code == 400 and "not valid for this performance" in wrong.content.decode()
    typed = fan.post(f"/performances/{perf.pk}/presale/", {"access_code": "fans-2027", "csrfmiddlewaretoken": token})
    assert typed.status_code == 302 and typed["Location"] == queue_url
    # Polls of the presale queue cost no database query either; the fan is let in.
    time.sleep(0.01)
    with django_assert_num_queries(0):
        admitted = fan.get(queue_url)
    assert admitted.status_code == 302 and admitted["Location"] == shop_url
    page = fan.get(shop_url)
    assert page.status_code == 200 and "Your access code fans-2027 opens the presale" in page.content.decode()
    token = _form_token(page.content.decode())
    lawn = perf.venue.sections.get(name="Lawn")
    refused = fan.post(f"/performances/{perf.pk}/hold/", {"section": lawn.pk, "quantity": 2,
                                                         "csrfmiddlewaretoken": token}, follow=True)
    assert "opens Stalls only" in refused.content.decode()
    stalls = perf.price_zones.get(name="Stalls")
    held = fan.post(f"/performances/{perf.pk}/hold/", {"zone": stalls.pk, "quantity": 2, "csrfmiddlewaretoken": token})
    assert held.status_code == 302 and held["Location"] == "/basket/"
    assert Hold.objects.get(performance=perf).presale_code.code == "FANS-2027"
    # Everyone else still waits for the general on-sale, in the general queue.
    stranger = Client()
    assert stranger.get(shop_url)["Location"] == queue_url
    assert "The sale has not started yet" in stranger.get(queue_url).content.decode()
    stranger.cookies[f"wr_presale_pass_{perf.pk}"] = fan.cookies[f"wr_presale_pass_{perf.pk}"].value
    assert stranger.get(shop_url).status_code == 302  # a pass copied to another browser is refused


def test_a_used_up_code_joins_no_presale_queue():
    perf, _room, presale = presale_on_sale(max_uses=1)
    PresaleCode.objects.filter(presale=presale).update(uses=1)
    client = Client()
    answer = client.post(f"/performances/{perf.pk}/presale/", {"access_code": "FANS-2027"})
    assert answer.status_code == 400 and "used up" in answer.content.decode()
    assert f"wr_presale_{perf.pk}" not in client.cookies


def test_the_access_code_page_names_the_performance_on_its_venues_clock():
    """A refused code is answered on a page of its own: it says which performance the code
    is for (its title and venue), at the time the venue's tickets say."""
    perf, _room, _presale = presale_on_sale()
    perf.venue.time_zone = "America/Vancouver"
    perf.venue.save(update_fields=["time_zone"])
    # 03:30 UTC: 19:30 there in winter, 20:30 in summer; 22:30 or 23:30 on the box office's clock.
    for starts, there in ((datetime(2027, 1, 15, 3, 30, tzinfo=UTC), ", 19:30"),
                          (datetime(2027, 7, 15, 3, 30, tzinfo=UTC), ", 20:30")):
        perf.starts_at = starts
        perf.save(update_fields=["starts_at"])
        answer = Client().post(f"/performances/{perf.pk}/presale/", {"access_code": "NOT-A-CODE"})
        line = re.search(r"<h1>.*?</h1>\s*<p>(.*?)</p>", answer.content.decode(), re.S)[1]
        assert answer.status_code == 400
        assert line.startswith(f"{perf.event.title} — {perf.venue.name}, ") and line.endswith(there), line


def test_the_api_takes_a_presale_pass_as_its_queue_pass():
    from tests.support import client_for

    perf, _room, presale = presale_on_sale(code="API-FANS")
    stalls = perf.price_zones.get(name="Stalls")
    body = {"performance": perf.pk, "zone": stalls.pk, "quantity": 1, "access_code": "API-FANS"}
    api = client_for()
    assert api.post("/api/v1/holds/", body, format="json").status_code == 403  # no pass: to the queue
    general = waiting_room.issue_pass(perf.pk, "api-fan")  # the general queue admits nobody before its on-sale
    assert api.post("/api/v1/holds/", body, format="json", headers={"X-Queue-Pass": general}).status_code == 403
    token = waiting_room.issue_presale_pass(perf.pk, presale.pk, "api-fan", 900)
    held = api.post("/api/v1/holds/", body, format="json", headers={"X-Queue-Pass": token})
    assert held.status_code == 201, held.json()


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_performance_lets_its_presale_queue_through_too(organizer):
    from sales.orders.cancellation import performance_cancel

    perf, room, presale = presale_on_sale(per_minute=1)
    for i in range(5):
        waiting_room.presale_status(perf.pk, presale.pk, f"fan-{i}")
    assert waiting_room.presale_open(perf.pk)
    performance_cancel(performance=perf, actor=organizer)
    assert not waiting_room.presale_open(perf.pk)
    assert waiting_room.presale_status(perf.pk, presale.pk, "fan-4") is None
