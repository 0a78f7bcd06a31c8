"""Shared fixtures. Everything runs on the real stack: PostgreSQL (pytest-django's test
database on the stack's server) and Redis (cache and Celery broker)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache

from boxoffice.celery import app as celery_app
from sales.policy import COUNTER_CLERK, ORGANIZER, PHONE_OPERATOR
from tests.support import (
    BROKER_DB,
    CACHE_DB,
    WAITING_ROOM_DB,
    forget_process_caches,
    make_performance,
    make_user,
)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Tests get their own Redis databases, so a `make run` on the same machine neither
# serves them stale cache entries nor has its worker steal their tasks.
_redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:16379/0").rsplit("/", 1)[0]
celery_app.conf.broker_url = f"{_redis_base}/{BROKER_DB}"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"{_redis_base}/{CACHE_DB}",
    }}
    cache.clear()
    settings.WAITING_ROOM_REDIS_URL = f"{_redis_base}/{WAITING_ROOM_DB}"
    from sales import waiting_room

    waiting_room.client().flushdb()
    # What earlier tests left in this process: buyer requests counted in memory, and the
    # language the last request through LocaleMiddleware activated on this thread.
    from django.utils import translation

    from sales import admission, shop_mode

    admission.forget()
    shop_mode.forget()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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
def reset_process_caches():
    """Forget what this process keeps between requests (Redis clients, broker connections,
    when it last asked for a task), before the test and after it. The test may call the
    fixture's value again, once it has pointed the settings somewhere else."""
    forget_process_caches()
    yield forget_process_caches
    forget_process_caches()


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


from tests.browser import browser, page  # noqa: E402, F401 - one browser for the whole run
