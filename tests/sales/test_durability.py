"""What waits for the disk: an order, a sale, a payment; not a hold, not the API's
idempotency bookkeeping (sales.rows.QUICK_COMMIT). Counted with PostgreSQL's own count of
write-ahead log flushes (the whole cluster's: the suite runs one test at a time)."""

import pytest
from django.db import connection, transaction

from events.models import Channel
from sales.holds import hold_create
from sales.models import Hold, IdempotencyRecord, Order
from tests.support import BUYER, CARD, client_for, make_performance

pytestmark = pytest.mark.django_db(transaction=True)


def wal_flushes() -> int:
    """The cluster's count of log flushes, this connection's own included (a backend
    reports its counts when idle; told to, it does so after its next statement)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT wal_sync FROM pg_stat_wal")
        return cursor.fetchone()[0]


def fewest_flushes(run, under: int, tries: int = 3) -> tuple[int, int]:
    """The fewest log flushes counted over `run(attempt)`, tried up to `tries` times until a
    count is under `under`. The count is the cluster's, and the suite's other run (the
    browser tests, on the same server) adds its own commits to it now and then: they only
    ever add, so the fewest is the truest. Commits that waited would be there every time.
    Returns (the fewest, how many times `run` ran)."""
    counts = []
    for attempt in range(tries):
        before = wal_flushes()
        run(attempt)
        counts.append(wal_flushes() - before)
        if counts[-1] < under:
            break
    return min(counts), len(counts)


def test_a_hold_of_its_own_does_not_wait_for_the_disk():
    perf = make_performance(rows=2, per_row=60)
    zone = perf.price_zones.get()

    def holds(_attempt):
        for _ in range(20):
            hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=1)

    flushed, runs = fewest_flushes(holds, under=10)
    assert Hold.objects.filter(performance=perf, status=Hold.Status.ACTIVE).count() == 20 * runs
    # 20 commits that waited would be 20 flushes; the log writer's own, a few.
    assert flushed < 10, flushed


def test_a_hold_inside_a_callers_transaction_commits_with_it():
    """Inside a transaction the hold cannot choose: the caller's commit waits, whatever it wrote."""
    perf = make_performance(rows=2, per_row=30)
    zone = perf.price_zones.get()
    before = wal_flushes()
    for _ in range(10):
        with transaction.atomic():
            hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=1)
            Order.objects.filter(pk=0).update(total=0)  # a caller's write of its own
    assert wal_flushes() - before >= 10


def test_a_paid_order_waits_for_the_disk_and_its_key_does_not():
    perf = make_performance(rows=2, per_row=30)
    zone = perf.price_zones.get().pk
    client = client_for()

    def sales(attempt):
        for n in range(10):
            hold = client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone, "quantity": 1},
                               format="json")
            order = client.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER,
                                                    "payment": CARD}, format="json",
                                headers={"Idempotency-Key": f"durability-test-key-{attempt}-{n:04}"})
            assert order.status_code == 201 and order.json()["paid_at"], order.json()

    flushed, runs = fewest_flushes(sales, under=10 * 2 + 20)
    assert IdempotencyRecord.objects.filter(status_code=201).count() == 10 * runs
    # The order and its sale wait, each: at least 2 a sale (the log writer may flush one
    # of them first now and then). The hold, the key and its answer do not: 5 a sale if they
    # did, 50 in all. The count is the cluster's: the log writer and what other connections
    # commit meanwhile (a server still up from an earlier test) add some, 35 seen in a full run.
    assert 15 <= flushed < 10 * 2 + 20, flushed


def test_a_hold_with_a_key_does_not_wait_for_the_disk():
    """The API's hold with an Idempotency-Key commits with its recorded answer, neither
    waiting: there is no money in either."""
    perf = make_performance(rows=2, per_row=30)
    zone = perf.price_zones.get().pk
    client = client_for()

    def holds(attempt):
        for n in range(20):
            hold = client.post("/api/v1/holds/", {"performance": perf.pk, "zone": zone, "quantity": 1},
                               format="json", headers={"Idempotency-Key": f"durability-hold-key-{attempt}-{n:04}"})
            assert hold.status_code == 201, hold.json()

    flushed, runs = fewest_flushes(holds, under=10)
    assert IdempotencyRecord.objects.filter(endpoint="holds", status_code=201).count() == 20 * runs
    assert flushed < 10, flushed
