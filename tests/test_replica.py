"""Display reads from a replica, sales from the primary (sales.replica).

The replica here is the test database reached by a second connection whose sessions are
read-only, as a hot standby's are: a write sent there fails, and a counter on the alias
shows which requests read there. `make fleet` runs the same router against a real
streaming replica made with pg_basebackup."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DatabaseError, connections

from sales.models import Place
from sales.replica import REPLICA
from tests.support import BUYER, CARD, client_for, make_performance, places_of
from tooling import fleet, stack


@pytest.fixture
def replica_queries():
    """The replica alias configured for the test, and the statements it has run."""
    primary = connections["default"].settings_dict
    replica = copy.deepcopy(primary)
    replica["OPTIONS"]["options"] = "-c default_transaction_read_only=on"
    replica["CONN_MAX_AGE"] = None
    settings.DATABASES[REPLICA] = replica
    # Connected here: the test case forbids opening connections to aliases it was not told of.
    connections[REPLICA].connect()
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    try:
        with connections[REPLICA].execute_wrapper(count):
            yield seen
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]


def seat_states(client, perf) -> list[str]:
    data = client.get(f"/api/v1/performances/{perf.pk}/seatmap/").json()
    return [row[data["columns"].index("state")] for row in data["seats"]]


@pytest.mark.django_db(transaction=True)  # the replica's connection sees only what was committed
def test_seat_map_reads_the_replica_and_a_sale_never_touches_it(replica_queries):
    perf = make_performance(rows=2, per_row=5)
    client = client_for()
    assert seat_states(client, perf) == ["a"] * 10
    assert replica_queries, "the seat map was not read from the replica"

    replica_queries.clear()
    hold = client.post("/api/v1/holds/", {"performance": perf.pk,
                                          "places": [p.pk for p in places_of(perf)[:2]]}, format="json")
    assert hold.status_code == 201, hold.content
    order = client.post("/api/v1/orders/", {"hold": hold.json()["token"], "customer": BUYER, "payment": CARD},
                        format="json")
    assert order.status_code == 201, order.content
    assert replica_queries == [], f"a sale read or wrote the replica: {replica_queries}"

    # What the primary committed, the replica's seat map shows.
    assert sorted(seat_states(client, perf)) == ["a"] * 8 + ["s"] * 2
    assert replica_queries
    # And a write that strayed there would fail rather than be lost on a standby.
    with pytest.raises(DatabaseError, match="read-only"):
        Place.objects.using(REPLICA).filter(performance=perf).update(state="blocked")
    assert Place.objects.filter(performance=perf, state="sold").count() == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_fleet_sells_out_across_hosts_through_a_host_dying_and_cleans_up():
    """Also: with the replica stopped, a web host's seat map answers from the primary."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    run = subprocess.run([sys.executable, "-m", "tooling.fleet", "--rows", "4", "--per-row", "50", "--concurrency",
                          "8", "--probes", "3"], cwd=stack.ROOT, env=env, capture_output=True, text=True,
                         timeout=600)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr[-3000:]
    assert "sold 200 tickets of 200" in out and "0 places still held" in out, out
    assert "0 places in two tickets -> OK" in out, out
    assert "killed web1" in out and "HAProxy marked web1 down" in out, out
    assert "a hot standby (read-only, in recovery)" in out, out
    assert "seat-map staleness across hosts" in out, out
    assert "from web hosts directly 0" in out and "from PgBouncer" in out, out  # hosts reach the primary through it
    assert "seat map answered 200 from the primary, 200 seats sold" in out, out  # the replica stopped
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    links = subprocess.run(["ip", "link"], capture_output=True, text=True).stdout
    assert fleet.PREFIX not in namespaces and fleet.BRIDGE not in links
