"""A staff sign-in, on a computer the counter or the door shares, ends when the browser
closes, after a working day and after a while unused; a shopper's session keeps its two weeks."""

import html
import json
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from boxoffice.signin import SEEN_AT, SIGNED_IN_AT
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR
from tests.support import make_user, places_of

pytestmark = pytest.mark.django_db


def signed_in_through_the_form(username: str, role: str, **extra) -> tuple[Client, object]:
    make_user(username, role, **extra)
    client = Client()
    answer = client.post("/login/", {"username": username, "password": f"pw-{username}"})
    assert answer.status_code == 302, answer.content
    return client, answer.cookies[settings.SESSION_COOKIE_NAME]


@pytest.mark.parametrize("role", [COUNTER_CLERK, PHONE_OPERATOR, DOOR_STAFF, ORGANIZER])
def test_a_staff_sign_in_ends_with_the_browser(role):
    _, cookie = signed_in_through_the_form(f"who-{role.replace(' ', '-')}", role, is_staff=role == ORGANIZER)
    assert cookie.value
    assert cookie["max-age"] == "" and cookie["expires"] == "", (cookie["max-age"], cookie["expires"])


def test_a_shoppers_basket_session_keeps_its_two_weeks(performance):
    shopper = Client()
    held = shopper.post(f"/performances/{performance.pk}/hold/", {"seats": str(places_of(performance)[0].pk)})
    assert held.status_code == 302, held.content
    cookie = held.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def moved_back(client: Client, **seconds) -> None:
    """The session's stamps, as if signed in and last used that long ago."""
    session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    for key, ago in seconds.items():
        session[key] = int(time.time() - ago)
    session.save()


def test_a_staff_session_ends_after_a_working_day_even_in_use():
    client, _ = signed_in_through_the_form("long-day", COUNTER_CLERK)
    assert client.get("/counter/").status_code == 200
    moved_back(client, **{SIGNED_IN_AT: 12 * 3600 - 60, SEEN_AT: 10})
    assert client.get("/counter/").status_code == 200
    moved_back(client, **{SIGNED_IN_AT: 12 * 3600 + 60, SEEN_AT: 10})
    ended = client.get("/counter/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert client.get("/counter/").status_code == 302  # and stays ended


def test_a_staff_session_unused_for_an_hour_ends_and_one_in_use_goes_on():
    client, _ = signed_in_through_the_form("idle-door", DOOR_STAFF)
    moved_back(client, **{SIGNED_IN_AT: 3 * 3600, SEEN_AT: 50 * 60})
    assert client.get("/door/").status_code == 200  # in use: the last use moves on
    seen = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)[SEEN_AT]
    assert time.time() - seen < 5
    moved_back(client, **{SEEN_AT: 61 * 60})
    ended = client.get("/door/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")


def aged(client: Client, seconds: int) -> None:
    """As if `seconds` went by: the session's stamps that much further back."""
    session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    for key in (SIGNED_IN_AT, SEEN_AT):
        session[key] -= seconds
    session.save()


def map_poll(client: Client, performance):
    """The counter's seat map as it polls the seats' states by itself: the address and the
    headers its polling element gives htmx, sent as htmx sends them."""
    page = client.get(f"/counter/performances/{performance.pk}/map/").content.decode()
    url, headers = re.search(r'hx-get="([^"]+)"(?: hx-headers=\'([^\']+)\')? hx-trigger="every ', page).groups()
    return lambda: client.get(html.unescape(url), headers={
        **json.loads(html.unescape(headers or "{}")), "HX-Request": "true", "HX-Trigger": "seat-states-box"})


def signed_out(answer) -> bool:
    return "/login/" in (answer.headers.get("HX-Redirect") or answer.headers.get("Location") or "")


def test_a_page_polling_by_itself_does_not_keep_an_idle_staff_session(performance):
    """A counter page left open polls the seats' states every few seconds, and the door's
    page its counts: nobody is at the terminal, and after an hour it signs out as if
    closed. Whatever the person does in that hour (a click) keeps it."""
    client, _ = signed_in_through_the_form("left-open", COUNTER_CLERK)
    client.post("/counter/shift/open/", {"cash_float": "100"})
    poll = map_poll(client, performance)
    for _minute in range(0, 55, 5):
        aged(client, 5 * 60)
        assert poll().status_code == 200
    aged(client, 6 * 60)  # 61 minutes of nothing but polling
    assert signed_out(poll())
    ended = client.get("/counter/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")

    client, _ = signed_in_through_the_form("at-the-window", COUNTER_CLERK)
    client.post("/counter/shift/open/", {"cash_float": "100"})
    poll = map_poll(client, performance)
    aged(client, 50 * 60)
    assert poll().status_code == 200
    assert client.get("/counter/").status_code == 200  # a click, within the hour
    for _minute in range(0, 40, 5):
        aged(client, 5 * 60)
        assert poll().status_code == 200
    assert client.get("/counter/").status_code == 200


def test_the_doors_counts_polled_by_itself_do_not_keep_its_session():
    """The door's page asks for the counts every few seconds (door.js, with the polling
    header): that alone ends, after the idle hour, in the sign-in page."""
    from tests.support import make_performance

    perf = make_performance(rows=1, per_row=2)
    client, _ = signed_in_through_the_form("door-left-open", DOOR_STAFF)
    for _minute in range(0, 50, 10):
        aged(client, 10 * 60)
        assert client.get(f"/door/performances/{perf.pk}/attendance/", headers={"X-Poll": "1"}).status_code == 200
    aged(client, 11 * 60)
    ended = client.get(f"/door/performances/{perf.pk}/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert '"X-Poll": "1"' in (settings.BASE_DIR / "static" / "door.js").read_text()  # as the page sends them
