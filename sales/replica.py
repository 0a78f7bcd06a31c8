"""Reads for display from a streaming replica, when one is configured.

Only what a sale never decides on may be read there: seat maps, the taken seats an open
map polls for, the free-place counts of the catalogue and of the seat map's sections.
They ask for the replica with `@replica_reads`; everything else (holds, orders, payments,
the inventory) reads and writes the primary, because a replica lags and refuses writes. Inside a transaction on
the primary, display reads stay on it too: that transaction must see its own writes.
"""

from __future__ import annotations

import contextvars
import functools
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)
REPLICA = "replica"
_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_reads(read):
    """Decorator: the reads of `read` may come from the replica (a display that may lag).
    A replica that cannot be reached is a display served from the primary, not an error
    page: the function runs again there."""

    @functools.wraps(read)
    def reading(*args, **kwargs):
        if not replica_configured():
            return read(*args, **kwargs)
        token = _wanted.set(True)
        try:
            return read(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            logger.warning("replica unavailable, reading the primary: %s", exc)
        finally:
            _wanted.reset(token)
        return read(*args, **kwargs)

    return reading


class ReplicaRouter:
    """DATABASE_ROUTERS entry: the primary unless a display read asked for the replica."""

    def db_for_read(self, model, **hints):
        if _wanted.get() and replica_configured() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data: the replica is a copy of the primary

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # a standby follows the primary's schema; it is never migrated
