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

import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

FRESH_FOR = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _used_at = 0.0

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
