"""The database backend's health check: no round trip for a healthy connection, and a
connection the server dropped is found and replaced before a request uses it."""

import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


def _last_query(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def test_a_busy_healthy_connection_is_not_asked_and_a_dropped_one_is_replaced():
    from boxoffice.db import base

    assert isinstance(connections["default"], base.DatabaseWrapper)
    worker = connections.create_connection("default")  # a web thread's own connection
    try:
        worker.health_check_enabled = True
        with worker.cursor() as cursor:
            cursor.execute("SELECT 'the last request'")
        pid = worker.connection.info.backend_pid
        worker.health_check_done = False  # a new request begins
        worker.close_if_health_check_failed()
        assert worker.connection is not None and _last_query(pid) == "SELECT 'the last request'"

        with connection.cursor() as cursor:  # the server drops it while it is idle
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while worker.is_usable() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not worker.is_usable()
        worker.health_check_done = False  # the next request: it gets a fresh connection, no error
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        worker.close()


def test_a_connection_quiet_for_a_while_is_asked_as_before():
    from boxoffice.db import base

    worker = connections.create_connection("default")
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT 'long ago'")
        pid = worker.connection.info.backend_pid
        worker._used_at -= base.FRESH_FOR + 1
        assert worker.is_usable() and _last_query(pid) == "SELECT 1"
    finally:
        worker.close()
