"""A staff sign-in, on a computer the counter or the door shares, ends when the browser
closes, after a working day and after a while unused; a shopper's session keeps its two weeks."""

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
