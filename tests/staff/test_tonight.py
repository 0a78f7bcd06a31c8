""""Tonight" and "Today" on the counter's and the door's lists, on the venue's clock: a
show at 00:30 or 02:00 is the evening's before it (tonight until it is over), not the
next day's; a matinee is today's; last night's show, the next morning, is neither."""

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.utils import timezone

from sales.policy import COUNTER_CLERK, DOOR_STAFF
from tests.support import drawer, make_performance, make_user, on_the_day, signed_in

pytestmark = pytest.mark.django_db
TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def toronto(settings):
    """A performance at a venue in Toronto, on a server in UTC (whose midnight is 19:00 there)."""
    settings.TIME_ZONE = "UTC"
    perf = make_performance(rows=1, per_row=2)
    perf.venue.time_zone = "America/Toronto"
    perf.venue.save()
    return perf


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 1, day, hour, minute, tzinfo=TORONTO)  # Friday the 17th, Saturday the 18th


@pytest.mark.parametrize(("starts", "now", "label"), [
    # Half past midnight, Saturday: Friday's night, on both sides of midnight.
    (at(18, 0, 30), at(17, 10), "Tonight"),
    (at(18, 0, 30), at(17, 22), "Tonight"),
    (at(18, 0, 30), at(18, 0, 10), "Tonight"),
    (at(18, 0, 30), at(18, 1, 45), "Tonight"),  # running
    (at(18, 0, 30), at(18, 9), ""),  # that morning, it was last night's
    (at(18, 0, 30), at(16, 22), ""),  # the night before is not its night
    (at(18, 2), at(17, 23, 59), "Tonight"),
    (at(18, 2), at(18, 10), ""),
    # An evening show running past midnight stays tonight's until the night is over.
    (at(17, 20), at(17, 9), "Tonight"),
    (at(17, 20), at(18, 1), "Tonight"),
    (at(17, 20), at(18, 8), ""),
    (at(17, 20), at(16, 23), ""),
    # A matinee, and a show at dawn, are today's.
    (at(17, 14), at(17, 0, 30), ""),  # still Thursday's night
    (at(17, 14), at(17, 9), "Today"),
    (at(17, 14), at(17, 21), "Today"),
    (at(18, 6), at(18, 5, 30), "Today"),
    (at(18, 6), at(17, 22), ""),
])
def test_a_performance_is_tonights_or_todays_on_the_venues_clock(toronto, starts, now, label):
    from sales.formatting import day_label

    toronto.starts_at = starts
    assert day_label(toronto, now) == label
    # The server's clock (UTC, past its midnight at 19:00 in Toronto) does not count.
    assert day_label(toronto, now.astimezone(UTC)) == label


def _clock_at(hour: int) -> tuple[str, datetime]:
    """A real time zone whose clock shows `hour` now (Etc/GMT-N is N hours ahead of UTC),
    and that clock's midnight today: the pages are read at that hour there."""
    now = timezone.now()
    offset = (hour - now.astimezone(UTC).hour + 12) % 24 - 12
    name = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    assert name in available_timezones()
    local = now.astimezone(ZoneInfo(name))
    assert local.hour == hour
    return name, local.replace(hour=0, minute=0, second=0, microsecond=0)


def _shows(clock: str, midnight: datetime, hours: dict[str, float]):
    """One performance per name, each starting `hours` after `midnight` at one venue on `clock`."""
    shows = {}
    for name, hour in hours.items():
        perf = make_performance(rows=1, per_row=2)
        perf.event.title = name
        perf.event.save()
        perf.venue.time_zone = clock
        perf.venue.save()
        shows[name] = on_the_day(perf, midnight + timedelta(hours=hour))
    return shows


def _tags(page: str) -> dict[str, str]:
    """Each show's title with the tag before it on a list ("" without one)."""
    found = re.findall(r'(?:<span class="tag tag-few">([^<]*)</span>\s*)?(?:<strong>)?(Show [a-z]+)',
                       html.unescape(page))
    return {title: tag for tag, title in found}


def test_at_the_counter_late_in_the_evening_a_show_after_midnight_is_tonights():
    clock, midnight = _clock_at(22)
    _shows(clock, midnight, {"Show late": 24.5, "Show dawn": 30, "Show matinee": 38})
    clerk = make_user("clerk-night", COUNTER_CLERK)
    drawer(clerk)
    assert _tags(signed_in(clerk).get("/counter/").content.decode()) == {
        "Show late": "Tonight", "Show dawn": "", "Show matinee": ""}


def test_at_the_door_in_the_morning_last_nights_show_is_not_tonights():
    clock, midnight = _clock_at(10)
    _shows(clock, midnight, {"Show early": 2, "Show matinee": 14, "Show evening": 20, "Show late": 24.5})
    page = signed_in(make_user("door-morning", DOOR_STAFF)).get("/door/").content.decode()
    assert _tags(page) == {"Show early": "", "Show matinee": "Today", "Show evening": "Tonight", "Show late": ""}
    french = signed_in(make_user("door-matin", DOOR_STAFF)).get("/door/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert _tags(french) == {"Show early": "", "Show matinee": "Aujourd’hui", "Show evening": "Ce soir",
                             "Show late": ""}
