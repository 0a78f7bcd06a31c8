"""Round trips on the hot path: every extra statement on a hold or an order costs a
sell-out its throughput."""

import psycopg._queries as psycopg_queries
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Channel
from sales.holds import hold_create
from sales.inventory import statements as inventory_statements
from sales.models import Hold, Place
from tests.support import BUYER, CARD, client_for, make_performance, places_of, statements

pytestmark = pytest.mark.django_db
ONLINE = Channel.ONLINE


def test_a_sale_through_the_api_takes_few_statements(performance):
    """The hot path's budget of database round trips: every extra statement on a hold or an
    order costs the sell-out its throughput."""
    client = client_for()
    zone = performance.price_zones.get().pk
    client.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 1}, format="json")
    with CaptureQueriesContext(connection) as queries:
        h = client.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 2},
                        format="json")
    assert h.status_code == 201 and len(h.json()["places"]) == 2
    assert len(statements(queries)) <= 2, statements(queries)  # what it names; the hold with its places
    with CaptureQueriesContext(connection) as queries:
        o = client.post("/api/v1/orders/", {"hold": h.json()["token"], "customer": BUYER, "payment": CARD},
                        format="json", headers={"Idempotency-Key": "few-statements-0001"})
    assert o.status_code == 201 and len(o.json()["tickets"]) == 2 and o.json()["paid_at"]
    # the key, the hold with the checks, the order, the sale with its tickets, the key's answer
    assert len(statements(queries)) <= 5, statements(queries)


def test_best_available_reads_a_zone_once_and_survives_a_stale_picture():
    """Best-available reuses this process's picture of the zone's free runs; a block taken
    meanwhile by another route costs a failed try, then the next block, never a wrong sale."""
    perf = make_performance(rows=3, per_row=10)
    zone = perf.price_zones.get()
    first = hold_create(performance=perf, channel=ONLINE, zone=zone, quantity=2)
    with CaptureQueriesContext(connection) as queries:
        hold_create(performance=perf, channel=ONLINE, zone=zone, quantity=2)
    assert not any("GROUP BY" in q["sql"] for q in queries.captured_queries)  # the picture, not a re-read
    # The picture's next best block goes to a named-seat buyer behind its back.
    row_a = sorted((p for p in places_of(perf, state="available") if p.seat.row == "A"),
                   key=lambda p: p.centre_offset)
    hold_create(performance=perf, channel=ONLINE, place_ids=[p.pk for p in row_a[:4]])
    third = hold_create(performance=perf, channel=ONLINE, zone=zone, quantity=2)
    seats = sorted(Place.objects.filter(hold=third).select_related("seat"), key=lambda p: p.seat.position)
    assert len(seats) == 2 and seats[0].seat.row == seats[1].seat.row
    assert seats[1].seat.position == seats[0].seat.position + 1
    assert not set(Place.objects.filter(hold=first).values_list("pk", flat=True)) & {p.pk for p in seats}
    assert Hold.objects.filter(performance=perf).count() == 4  # the failed try left no hold behind


def test_a_priced_sale_with_a_promo_code_takes_few_statements(performance):
    """Price types, taxes, a fee and a promo code cost an order no more round trips than
    one price per zone: what pricing needs comes with the hold's read."""
    from decimal import Decimal

    from sales.models import PromoCode
    from tests.support import booking_fee, price_types, quebec_taxes

    types = price_types(performance, {"Adult": {"Stalls": "60.00"}, "Child": {"Stalls": "35.00"}})
    quebec_taxes()
    booking_fee(ONLINE, per_ticket="3.50")
    PromoCode.objects.create(code="BUDGET10", percent_off=Decimal("10"))
    client = client_for()
    zone = performance.price_zones.get().pk
    for n, promo in enumerate(("", "budget10", "", "budget10")):
        h = client.post("/api/v1/holds/", {"performance": performance.pk, "zone": zone, "quantity": 2},
                        format="json").json()
        body = {"hold": h["token"], "customer": BUYER, "payment": CARD,
                "tickets": [{"place": p["id"], "price_type": types[name].pk}
                            for p, name in zip(h["places"], ("Adult", "Child"), strict=True)]}
        if promo:
            body["promo_code"] = promo
        with CaptureQueriesContext(connection) as queries:
            o = client.post("/api/v1/orders/", body, format="json",
                            headers={"Idempotency-Key": f"priced-budget-{n:04}"})
        assert o.status_code == 201, o.json()
        # as without prices: the key, the hold with the checks (and the code), the order, the sale, the answer
        assert len(statements(queries)) <= 5, (promo, statements(queries))
        assert "sales_promocode_zones" not in " ".join(statements(queries)[2:])  # read with the hold, not apart
    assert PromoCode.objects.get().uses == 2


def test_an_order_with_a_promo_code_is_parsed_once_by_the_driver(performance):
    """psycopg keeps a statement's conversion to PostgreSQL's placeholders only up to a
    length and a number of parameters; the order's statement with its customer and its
    codes had 51, and was converted again at every order."""
    from decimal import Decimal

    from sales.models import PromoCode

    PromoCode.objects.create(code="PARSED10", percent_off=Decimal("10"))
    client = client_for()
    h = client.post("/api/v1/holds/", {"performance": performance.pk, "zone": performance.price_zones.get().pk,
                                       "quantity": 1}, format="json").json()
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        o = client.post("/api/v1/orders/", {"hold": h["token"], "customer": BUYER, "payment": CARD,
                                            "promo_code": "parsed10"},
                        format="json", headers={"Idempotency-Key": "parsed-once-0001"})
    assert o.status_code == 201, o.json()
    assert PromoCode.objects.get().uses == 1
    assert any("promo_use" in sql for sql, _params in sent)
    for sql, params in sent:
        assert len(sql.encode()) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, sql[:120]
        assert len(params or ()) <= psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, (len(params), sql[:120])


@pytest.mark.parametrize("name", sorted(inventory_statements.NAMED))
@pytest.mark.parametrize("skip_locked", [False, True])
@pytest.mark.parametrize("quick", [False, True])
def test_every_move_is_short_enough_for_the_driver_to_keep_it_parsed(name, skip_locked, quick):
    """psycopg keeps a statement's conversion to PostgreSQL's placeholders only up to a
    length; a longer one is converted again at every sale (about 0.2 ms of CPU)."""
    sql = inventory_statements.statement(name, skip_locked=skip_locked, quick=quick).encode()
    assert len(sql) <= psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, (name, len(sql))


@pytest.mark.parametrize("name", sorted(inventory_statements.NAMED))
def test_folding_a_move_changes_no_literal_and_hides_nothing_in_a_comment(name):
    """Whitespace is folded outside literals only: a literal with two spaces in it, or a
    `--` comment (which would swallow the rest of the folded line), must not appear."""
    import re

    action, part = inventory_statements.NAMED[name]
    raw = inventory_statements._move(action, inventory_statements.TRANSITIONS[action], part, skip_locked=False,
                                     scoped=True)
    literals = re.findall(r"'[^']*'", raw)
    assert literals == re.findall(r"'[^']*'", inventory_statements.statement(name))
    assert "--" not in raw


@pytest.mark.django_db(transaction=True)
def test_a_one_seat_hold_with_a_key_sends_no_savepoint():
    """A hold with an Idempotency-Key runs in one transaction with its recorded answer.
    A failed try of one seat has locked nothing another buyer could take, so it is tried
    without a savepoint (two round trips fewer); a try of several seats keeps one, which
    lets go of the seats it locked when another is gone."""
    perf = make_performance(rows=2, per_row=6)
    zone = perf.price_zones.get().pk
    client = client_for()
    sent = {}
    for quantity in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            h = client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone, "quantity": quantity},
                            format="json", headers={"Idempotency-Key": f"one-seat-savepoint-{quantity:04d}"})
        assert h.status_code == 201 and len(h.json()["places"]) == quantity, h.content
        sent[quantity] = [q["sql"] for q in queries.captured_queries]
    assert not any(sql.startswith("SAVEPOINT") for sql in sent[1]), sent[1]
    assert any(sql.startswith("SAVEPOINT") for sql in sent[2]), sent[2]
