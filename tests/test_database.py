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
    assert type(connections["default"]).__module__ == "boxoffice.db.base"
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


def test_statements_of_ones_own_share_one_cursor_for_the_connections_life():
    from django.db import DatabaseError, transaction
    from django.test.utils import CaptureQueriesContext

    worker = connections.create_connection("default")
    try:
        with worker.kept_cursor() as first:
            first.execute("SELECT %s::int + 1", [1])
            assert first.fetchone() == (2,)
        with worker.kept_cursor() as again:
            again.execute("SELECT now()")
            assert again.fetchall()
        assert again is first and not first.cursor.closed  # kept open, not closed after use
        assert time.monotonic() - worker._used_at < 1  # the health check knows it is busy

        with pytest.raises(DatabaseError), transaction.atomic(using=worker.alias), worker.kept_cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        with worker.kept_cursor() as cursor:  # a failed statement leaves it usable
            cursor.execute("SELECT 'after the error'")
            assert cursor.fetchone() == ("after the error",) and cursor is first

        worker.close()  # a new connection gets a cursor of its own
        with worker.kept_cursor() as cursor:
            cursor.execute("SELECT 'a new connection'")
            assert cursor.fetchone() == ("a new connection",) and cursor is not first

        with CaptureQueriesContext(worker) as seen, worker.kept_cursor() as cursor:  # a test counting sees them
            cursor.execute("SELECT 'counted'")
        assert [q["sql"] for q in seen.captured_queries] == ["SELECT 'counted'"]
    finally:
        worker.close()
