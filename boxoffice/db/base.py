"""PostgreSQL (Django's backend) with a health check that costs no round trip while a
connection is busy.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the first query of each request
on a reused connection: a round trip per request, a fifth of a sale's statements. But a
connection the server has dropped (a restart, a terminated backend, an idle timeout) has
something to read, its last error and the end of the stream, while a healthy idle one
has nothing. So a connection that ran a query in the last few seconds, is idle (not in a
transaction) and has nothing on its socket is trusted as it is; any other gets Django's
stock check. (A connection that died silently, its host gone without a word, is found by the
stock check once it has been quiet for FRESH_FOR seconds; busier than that, its first
query fails, as it would if the host went between the check and the query.)"""

import contextlib
import select
import threading
import time

from django.db.backends.postgresql import base
from psycopg import pq

FRESH_FOR = 5.0


class _ClosedWithItsThread:
    """The connections opened on one thread, closed when that thread ends. Django keeps a
    connection per thread and closes it only at the end of a request; the web server ends
    a thread left idle (granian: after 30 s) with its connection still open, and Django's
    wrapper, a web of references to itself, lets it go only when the cyclic garbage
    collector comes by, which in a quiet process can take hours. Behind PgBouncer in
    session mode each such connection keeps a server connection of the pool, until the
    pool has none left for the live threads. This object lives in the thread's own storage
    and in no cycle: it goes, and closes them, the moment the thread does."""

    __slots__ = ("connections",)

    def __init__(self):
        self.connections = []

    def keep(self, conn) -> None:
        self.connections = [c for c in self.connections if not c.closed]
        self.connections.append(conn)

    # (suppress bound here: this may run while the interpreter exits, its modules gone)
    def __del__(self, suppress=contextlib.suppress):
        for conn in self.connections:
            with suppress(Exception):
                conn.close()


_this_thread = threading.local()


class DatabaseWrapper(base.DatabaseWrapper):
    _used_at = 0.0

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if not hasattr(_this_thread, "opened"):
            _this_thread.opened = _ClosedWithItsThread()
        _this_thread.opened.keep(conn)
        return conn

    def create_cursor(self, name=None):
        self._used_at = time.monotonic()
        return super().create_cursor(name)

    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            if (time.monotonic() - self._used_at < FRESH_FOR
                    and conn.info.transaction_status == pq.TransactionStatus.IDLE):
                poller = select.poll()
                poller.register(conn.fileno(), select.POLLIN)
                if not poller.poll(0):
                    return True
        except (OSError, ValueError, base.Database.Error):
            return False
        return super().is_usable()
