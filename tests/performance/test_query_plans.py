"""The plans PostgreSQL picks for the hot path's statements, with a control that shows
each trap is real on this server."""

import itertools
import re

import pytest
from django.db import connection

from sales.holds import ON_SALE_WINDOW
from sales.models import Order, PromoCode
from tests.support import BUYER, CARD, client_for, make_performance

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


def test_an_order_without_a_code_is_planned_once_per_connection(settings):
    """The order's statement is prepared after its fifth use; PostgreSQL then plans it five
    times for the values given and compares with one plan for any values. A part for an
    absent promo code (its count of a customer's uses, estimated as a scan of every
    customer) made the plan for any values look dear, so every order was planned afresh.
    Most orders carry no code: their statement has no such part, and keeps one plan."""
    settings.RATE_LIMITS = False  # one address buying 21 times
    performance = make_performance(rows=3, per_row=10)
    zone = performance.price_zones.get().pk
    client = client_for()

    def buy(email: str) -> None:
        hold = client.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 1},
                           format="json")
        order = client.post("/api/v1/orders/", {"hold": hold.json()["token"], "payment": CARD,
                                                "customer": {**BUYER, "email": email}}, format="json")
        assert order.status_code == 201, order.content

    # A box office that has sold before: 3,000 customers with an order each, one in five
    # with a promo code (the orders below carry none).
    buy("first@example.org")
    spring = PromoCode.objects.create(code="SPRING", percent_off=10)
    copied = {"code": "'EARLIER' || c.id", "access_token": "md5(c.id::text)", "customer_id": "c.id",
              "hold_id": "NULL", "idempotency_key": "NULL",
              "promo_code_id": f"CASE WHEN c.id % 5 = 0 THEN {int(spring.pk)} END"}
    columns = [f.column for f in Order._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO sales_customer (name, email, phone, notes, language, created_at)"
                       " SELECT 'Earlier', 'earlier-' || n || '@example.org', '', '', 'en', now()"
                       " FROM generate_series(1, 3000) n")
        cursor.execute(f"INSERT INTO sales_order ({', '.join(columns)})"
                       f" SELECT {', '.join(copied.get(c, 'o.' + c) for c in columns)}"
                       " FROM sales_customer c, (SELECT * FROM sales_order LIMIT 1) o WHERE c.name = 'Earlier'")
        cursor.execute("ANALYZE sales_customer, sales_order, sales_promocode")
    for i in range(20):
        buy(f"plan-{i}@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                       " WHERE statement LIKE %s", ["%INSERT INTO sales_order %"])
        plans = cursor.fetchall()
    assert len(plans) == 1, plans  # prepared once, after its fifth use
    (generic, custom), = plans
    assert custom <= 5 and generic >= 10, plans
