"""The plans PostgreSQL picks for the hot path's statements, with a control that shows
each trap is real on this server."""

import itertools
import re

import pytest
from django.db import connection

from sales.holds import ON_SALE_WINDOW
from tests.support import make_performance

pytestmark = pytest.mark.django_db


def test_the_on_sale_check_reads_an_index_entry_in_a_generic_plan():
    """Prepared statements (server-side, after five uses) end up with generic plans. For
    `EXISTS (SELECT 1 FROM sales_place WHERE performance_id = $1)` PostgreSQL's generic
    plan scans the table from its start, expecting thousands of places per performance:
    the newest performance's places, at the end, cost a scan of everyone else's. The
    check as written reads one index entry (the control shows the trap is real here)."""
    make_performance(rows=1, per_row=1, standing=20000)
    newest = make_performance(rows=2, per_row=5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_place")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")

        def generic_plan(sql: str) -> str:
            numbers = itertools.count(1)
            cursor.execute("DEALLOCATE ALL")
            cursor.execute("PREPARE probe(bigint, bigint, text) AS "
                           + re.sub("%s", lambda _: f"${next(numbers)}", sql))
            cursor.execute(f"EXPLAIN ANALYZE EXECUTE probe({int(newest.pk)}, {int(newest.pk)}, 'online')")
            return "\n".join(row[0] for row in cursor.fetchall())

        control = generic_plan("""
            SELECT opens_at, closes_at, EXISTS (SELECT 1 FROM sales_place WHERE performance_id = %s)
            FROM events_onsalewindow WHERE performance_id = %s AND channel = %s""")
        assert "Seq Scan on sales_place" in control, control
        plan = generic_plan(ON_SALE_WINDOW)
    assert "Seq Scan on sales_place" not in plan and "Index Only Scan" in plan, plan
