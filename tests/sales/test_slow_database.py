"""Selling while PostgreSQL answers slowly (a loaded database, or one a few milliseconds
away): slower, never refused for it. The latency is real: a TCP proxy between the box
office and PostgreSQL holds back each of the database's answers."""

import socket
import threading
import time

import pytest
from django.db import connection

from events.models import Channel
from sales.holds import hold_create
from sales.models import Place
from tests.support import make_performance

pytestmark = pytest.mark.django_db(transaction=True)


class SlowDatabase:
    """127.0.0.1:<port> is PostgreSQL, each of its answers held back `delay` seconds."""

    def __init__(self, upstream: tuple[str, int], delay: float):
        self.upstream, self.delay = upstream, delay
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            database = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, database, 0.0), daemon=True).start()
            threading.Thread(target=self._pipe, args=(database, client, self.delay), daemon=True).start()

    @staticmethod
    def _pipe(source, sink, delay):
        try:
            while chunk := source.recv(65536):
                time.sleep(delay)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def close(self):
        self.server.close()


def in_own_connection(port: int, fn):
    """fn() on a thread of its own, its database connection through 127.0.0.1:`port`."""
    result = {}

    def run():
        connection.settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": port}
        try:
            result["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - the test reads it
            result["value"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    return result["value"]


def test_best_available_in_a_standing_zone_sells_while_the_database_is_slow():
    perf = make_performance(rows=1, per_row=2, standing=20)
    lawn = perf.price_zones.get(name="Lawn")
    slow = SlowDatabase(("127.0.0.1", int(connection.settings_dict["PORT"])), delay=0.06)
    try:
        held = in_own_connection(slow.port, lambda: hold_create(performance=perf, channel=Channel.ONLINE,
                                                                 zone=lawn, quantity=3))
    finally:
        slow.close()
    assert not isinstance(held, Exception), held
    assert Place.objects.filter(hold=held, seat__isnull=True).count() == 3
