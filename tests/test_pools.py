import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_public_pool_never_serves_staff_pages(settings, clerk):
    settings.BOXOFFICE_POOL = "public"
    c = Client()
    c.force_login(clerk)
    assert c.get("/counter/").status_code == 404
    assert c.get("/admin/").status_code == 404
    assert c.get("/").status_code == 200


def test_the_staff_pool_serves_only_staff(settings, clerk):
    settings.BOXOFFICE_POOL = "staff"
    c = Client()
    c.force_login(clerk)
    assert c.get("/counter/").status_code == 200
    assert c.get("/").status_code == 404
    assert c.get("/healthz").status_code == 200


def test_the_queue_pool_serves_the_waiting_room_only(settings, clerk):
    settings.BOXOFFICE_POOL = "queue"
    c = Client()
    c.force_login(clerk)
    assert c.get("/").status_code == 404
    assert c.get("/counter/").status_code == 404
    assert c.get("/healthz").status_code == 200


def test_public_pool_connections_run_at_the_pools_priority(settings):
    """On one machine, the public pool's PostgreSQL backend is reniced to the pool's own
    niceness (this process's), never raised above it."""
    import os

    from django.db import connection

    from boxoffice.pools import lower_database_priority

    settings.BOXOFFICE_POOL = "public"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        before = os.getpriority(os.PRIO_PROCESS, pid)
    except OSError:
        pytest.skip("PostgreSQL runs elsewhere")
    lower_database_priority(None, connection)
    assert os.getpriority(os.PRIO_PROCESS, pid) == max(before, os.getpriority(os.PRIO_PROCESS, 0))
