"""PgBouncer as `make run` and production run it (deploy/pgbouncer.ini), in front of the
test database: many clients, few server connections; and what each pooling mode does to
the session state the API's idempotency keys rely on (an advisory lock held while a
request runs)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.support import process_env as process_environment
from tests.test_stack import free_port
from tooling import stack, supervisor

pytestmark = pytest.mark.django_db  # the test database, which PgBouncer serves
POOL_SIZE = 3


@pytest.fixture(scope="module")
def bouncer(django_db_setup):
    db = settings.DATABASES["default"]
    port = free_port()
    config = stack.pgbouncer_config(public_mode=stack.PGBOUNCER_POOLS["public"], public_size=POOL_SIZE,
                                    staff_size=1, worker_size=1, port=port, pg_host=db["HOST"], pg_port=db["PORT"],
                                    db_name=db["NAME"], name=f"pgbouncer-test-{port}")
    proc = subprocess.Popen(stack.pgbouncer(config), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stack.wait_for(lambda: stack.port_open(port) or proc.poll() is not None, "PgBouncer")
        assert proc.poll() is None, (config.parent / "pgbouncer.log").read_text()
        yield Bouncer(config.parent, port)
    finally:
        supervisor.kill_group(proc)
        proc.wait()


class Bouncer:
    def __init__(self, socket_dir: Path, port: int):
        self.socket_dir, self.port = socket_dir, port

    def connect(self, database: str) -> psycopg.Connection:
        """A client of `database` (public, staff, worker), as Django connects: by the socket."""
        return psycopg.connect(host=str(self.socket_dir), port=self.port, user=stack.DB_USER,
                               dbname=f"boxoffice_{database}", autocommit=True)


def direct() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True)


def backends_seen(connect, clients: int, per_request: bool) -> set[int]:
    """`clients` clients at once, each a web thread serving requests of a few statements:
    which PostgreSQL backends served them."""
    seen, barrier, failures = set(), threading.Barrier(clients), []

    def client():
        try:
            conn = connect()
            barrier.wait(timeout=30)
            for _ in range(3):
                if per_request and conn.closed:
                    conn = connect()
                seen.add(conn.execute("SELECT pg_backend_pid() FROM pg_sleep(0.02)").fetchone()[0])
                if per_request:
                    conn.close()
            conn.close()
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    return seen


def test_server_connections_stay_flat_however_many_clients(bouncer):
    mode = stack.PGBOUNCER_POOLS["public"]
    through = backends_seen(lambda: bouncer.connect("public"), clients=24, per_request=mode == "session-per-request")
    assert 1 <= len(through) <= POOL_SIZE
    assert len(backends_seen(direct, clients=24, per_request=False)) == 24  # control: one backend each


def test_a_session_lock_left_by_a_request_is_gone_for_the_next_in_session_mode(bouncer):
    """The staff (and any session-mode) database: what a client leaves on its server
    connection (an idempotency key's advisory lock, a prepared statement) is reset before
    the next client gets it, so a retry after a dead request is not told it still runs."""
    with bouncer.connect("staff") as first:
        assert first.execute("SELECT pg_try_advisory_lock(4242)").fetchone()[0]
        first_backend = first.execute("SELECT pg_backend_pid()").fetchone()[0]
    with bouncer.connect("staff") as retry:  # the pool's one server connection, again
        assert retry.execute("SELECT pg_backend_pid()").fetchone()[0] == first_backend
        assert retry.execute("SELECT pg_try_advisory_lock(4242)").fetchone()[0]
        retry.execute("SELECT pg_advisory_unlock_all()")


def test_transaction_pooling_would_strand_a_session_lock():
    """Why the API's idempotency keys need session pooling: in transaction mode a session
    lock stays on the shared server connection when its client goes, and the next client
    there cannot take it."""
    db = settings.DATABASES["default"]
    port = free_port()
    config = stack.pgbouncer_config(public_mode="transaction", public_size=1, port=port, pg_host=db["HOST"],
                                    pg_port=db["PORT"], db_name=db["NAME"], name=f"pgbouncer-test-{port}")
    proc = subprocess.Popen(stack.pgbouncer(config), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stack.wait_for(lambda: stack.port_open(port), "PgBouncer")
        transaction_pooled = Bouncer(config.parent, port)
        with transaction_pooled.connect("public") as first:
            assert first.execute("SELECT pg_try_advisory_lock(4343)").fetchone()[0]
        with transaction_pooled.connect("public") as retry, direct() as other:
            # The lock outlived its client: no other session can take it.
            assert not other.execute("SELECT pg_try_advisory_lock(4343)").fetchone()[0]
            retry.execute("SELECT pg_advisory_unlock_all()")
    finally:
        supervisor.kill_group(proc)
        proc.wait()


def test_a_process_behind_transaction_pooling_prepares_nothing():
    """What `pgbouncer_environment` gives a process in transaction mode reaches psycopg."""
    env = stack.pgbouncer_environment("public", Path("/run/pgbouncer/pgbouncer.ini"), "transaction")
    shown = subprocess.run(
        [sys.executable, "-c", "from boxoffice import settings; o = settings.DATABASES['default']; "
         "print(o['OPTIONS']['prepare_threshold'], o['NAME'], o['PORT'])"],
        env={**process_environment(), **env}, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR)
    assert shown.stdout.split() == ["None", "boxoffice_public", str(stack.PGBOUNCER_PORT)]
