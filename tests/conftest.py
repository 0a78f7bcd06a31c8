"""Shared fixtures. Everything runs on the real stack: PostgreSQL (pytest-django's test
database on the stack's server) and Redis (cache and Celery broker)."""

from __future__ import annotations

import itertools
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.utils import timezone

from boxoffice.celery import app as celery_app
from events.models import Channel, Event, OnSaleWindow, Performance, PriceZone, Venue
from events.seating import seating_plan_import
from sales import inventory
from sales.policy import COUNTER_CLERK, ORGANIZER, PHONE_OPERATOR
from sales.roles import ensure_roles

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Tests get their own Redis databases, so a `make run` on the same machine neither
# serves them stale cache entries nor has its worker steal their tasks.
_redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:16379/0").rsplit("/", 1)[0]
celery_app.conf.broker_url = f"{_redis_base}/2"

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"{_redis_base}/3",
    }}
    cache.clear()
    settings.WAITING_ROOM_REDIS_URL = f"{_redis_base}/5"
    from sales import waiting_room

    waiting_room.client().flushdb()
    yield


def plan_csv(rows: int, per_row: int, standing: int = 0, section: str = "Stalls") -> str:
    lines = ["section,kind,row,number,x,y,flags,capacity"]
    for r in range(rows):
        for n in range(per_row):
            flags = "wheelchair" if (r, n) == (rows - 1, 0) else ""
            lines.append(f"{section},seated,{chr(65 + r)},{n + 1},{n * 10},{r * 10},{flags},")
    if standing:
        lines.append(f"Lawn,standing,,,,,,{standing}")
    return "\n".join(lines)


def make_performance(*, rows: int = 10, per_row: int = 10, standing: int = 0,
                     ticket_limit: int = 10, price: str = "50.00",
                     channels=tuple(Channel.values), on_sale: bool = True) -> Performance:
    n = next(_names)
    venue = Venue.objects.create(name=f"Test hall {n}")
    seating_plan_import(venue=venue, text=plan_csv(rows, per_row, standing))
    event = Event.objects.create(title=f"Test event {n}")
    now = timezone.now()
    perf = Performance.objects.create(event=event, venue=venue, ticket_limit=ticket_limit,
                                      starts_at=now + timedelta(days=10))
    for channel in channels:
        OnSaleWindow.objects.create(performance=perf, channel=channel,
                                    opens_at=now - timedelta(days=1),
                                    closes_at=now + timedelta(days=9))
    seated = PriceZone.objects.create(performance=perf, name="Stalls", price=Decimal(price))
    seated.sections.set(venue.sections.filter(kind="seated"))
    if standing:
        lawn = PriceZone.objects.create(performance=perf, name="Lawn", price=Decimal("20.00"))
        lawn.sections.set(venue.sections.filter(kind="standing"))
    if on_sale:
        inventory.put_on_sale(performance=perf)
    return perf


def make_user(username: str, role: str | None = None, **extra) -> User:
    ensure_roles()
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def performance(db):
    return make_performance()


@pytest.fixture
def clerk(db):
    return make_user("clerk1", COUNTER_CLERK)


@pytest.fixture
def operator(db):
    return make_user("operator1", PHONE_OPERATOR)


@pytest.fixture
def organizer(db):
    return make_user("organizer1", ORGANIZER, is_staff=True)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker consuming from Redis, in a thread of this process (so it
    uses the test database and the test mail outbox)."""
    from celery.contrib.testing.worker import start_worker

    celery_app.loader.import_default_modules()
    celery_app.control.purge()  # tasks asked for by earlier tests' sales are not this test's
    with start_worker(celery_app, pool="solo", perform_ping_check=False,
                      shutdown_timeout=20) as worker:
        yield worker


def process_env(**extra) -> dict:
    """The environment for a process of the test's own (a sender, a request) that works on
    the test database, so that the test can kill it for real."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'].replace('/', '%2F')}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": url, **extra}


def places_of(performance, **filters):
    from sales.models import Place

    return list(Place.objects.filter(performance=performance, **filters)
                .select_related("seat").order_by("seat__row_index", "seat__position", "pk"))


from tests.browser import browser, page  # noqa: E402, F401 - one browser for the whole run
