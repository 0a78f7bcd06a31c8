"""`Idempotency-Key` for the API's writes.

The first request with a key is recorded before it runs; its answer (success or 4xx) is
stored and replayed to any retry with the same key and body. Keys are a user's own, or
an anonymous caller's address's (and then at least 16 characters long). The same key with another
body is refused (422); a retry while the first is still running gets 409. A retry after
the first request died (its process killed, the database restarted) is answered from what
the database shows: the paid order, or a clear failure, and never "in progress" for good.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from sales.errors import IdempotencyConflict, InvalidRequest, SalesError
from sales.models import IdempotencyRecord
from sales.rows import QUICK_COMMIT, execute, fetch, own_transaction, value
from sales.waiting_room import client_ip

from .errors import error_body, exception_handler

HEADER = "Idempotency-Key"


class KeyReused(SalesError):
    code = "idempotency_key_reused"
    status = 422


ANONYMOUS_KEY_MIN = 16


def scope_of(request) -> str:
    """Whose keys these are: a user's, or an anonymous caller's address (anonymous callers
    sharing one scope would get each other's first answers, a hold's token among them),
    hashed: a forwarded address is the caller's to write, and may be anything."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return "anonymous:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]


def order_key(request) -> str | None:
    """The order's own idempotency key for this request's header: fixed length, whatever
    the header's (up to 100 characters) and the scope's."""
    key = request.headers.get(HEADER)
    return "api:" + hashlib.sha256(f"{scope_of(request)}\n{key}".encode()).hexdigest() if key else None


def _forget(record_id: int) -> None:
    with contextlib.suppress(DatabaseError):  # the database is away: the record is settled on retry
        execute("DELETE FROM sales_idempotencyrecord WHERE id = %s", [record_id])


# Who is running a key's request is told by a session-level advisory lock on the key, taken
# before the record and held while the request runs. PostgreSQL lets it go with the
# connection: when the process is killed, or the server restarts, a retry gets the lock at
# once and knows the first request is gone (no timeout to guess). One statement: the lock,
# then the record if the lock is ours.
#
# The record and its answer are bookkeeping: a crash may lose the last of them, and the
# retry then runs again or is settled from what the database shows, as after a request
# that died. So they do not wait for the disk (rows.QUICK_COMMIT); what they record (an
# order, a sale) does.
_BEGIN_QUICK = f"""
    WITH lock AS (SELECT pg_try_advisory_lock(%(lock)s) AS mine, {QUICK_COMMIT} AS quick),
    created AS (
        INSERT INTO sales_idempotencyrecord (scope, endpoint, key, fingerprint, created_at)
        SELECT %(scope)s, %(endpoint)s, %(key)s, %(fingerprint)s, now() FROM lock WHERE mine
        ON CONFLICT (scope, endpoint, key) DO NOTHING RETURNING id)
    SELECT (SELECT mine FROM lock), (SELECT id FROM created)"""
_BEGIN = _BEGIN_QUICK.replace(f", {QUICK_COMMIT} AS quick", "")


def _lock_id(scope: str, endpoint: str, key: str) -> int:
    digest = hashlib.sha256(f"{scope}\n{endpoint}\n{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _unlock(lock: int) -> None:
    with contextlib.suppress(DatabaseError):  # a broken connection took the lock with it
        execute("SELECT pg_advisory_unlock(%s)", [lock])


def _replayed(first: IdempotencyRecord) -> Response:
    return Response(first.response, status=first.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(endpoint: str, *, atomic: bool = False, settle=None, quick: bool = False):
    """`atomic`: the view and its recorded answer commit together (a request that dies
    leaves nothing behind, so a retry simply runs again); `quick` with it: what the view
    writes is no more than bookkeeping is (a hold), so that commit does not wait for the
    disk either. `settle(request, **kwargs)`:
    for a view that cannot be one transaction (a payment), settles what a request that
    died left, before the retry runs again; if it returns a response (what the dead
    request did stands), that is the key's answer."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if not key:
                return view(self, request, *args, **kwargs)
            if len(key) > 100:
                raise InvalidRequest(_("%(header)s is at most 100 characters") % {"header": HEADER}, field=HEADER)
            if len(key) < ANONYMOUS_KEY_MIN and not request.user.is_authenticated:
                # Callers behind one address (a venue's kiosks, a network's NAT) share a
                # scope: a short or counted key could be another's, and replay its answer.
                raise InvalidRequest(_("without a login, %(header)s must be at least %(n)d characters (a random UUID, "
                                       "say)") % {"header": HEADER, "n": ANONYMOUS_KEY_MIN}, field=HEADER)
            body = json.dumps(request.data, sort_keys=True, default=str)
            fingerprint = hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()
            scope = scope_of(request)
            lock = _lock_id(scope, endpoint, key)
            try:
                begin = _BEGIN_QUICK if own_transaction() else _BEGIN
                (mine, record_id), = fetch(begin, {"lock": lock, "scope": scope, "endpoint": endpoint, "key": key,
                                                   "fingerprint": fingerprint})
            except DatabaseError:
                _unlock(lock)  # the lock may have been taken before the statement failed
                raise
            try:
                if record_id is None:
                    first = IdempotencyRecord.objects.filter(scope=scope, endpoint=endpoint, key=key).first()
                    if first is not None and first.fingerprint != fingerprint:
                        raise KeyReused(_("this Idempotency-Key was used with a different request"))
                    if first is not None and first.status_code is not None:
                        return _replayed(first)
                    if not mine or first is None:  # running now (or gave up just now)
                        raise IdempotencyConflict(_("a request with this Idempotency-Key is still in progress"))
                    # Unanswered, and nobody holds its lock. The first request may have let go of
                    # it in the statement that keeps its answer, not yet committed: wait for
                    # that row, then look again.
                    (answered,), = fetch("SELECT status_code IS NOT NULL FROM sales_idempotencyrecord "
                                         "WHERE id = %s FOR UPDATE", [first.pk])
                    if answered:
                        return _replayed(IdempotencyRecord.objects.get(pk=first.pk))
                    # Its request died. Settle what it left, then answer as it would have.
                    settled = settle(request, **kwargs) if settle is not None else None
                    if settled is not None:  # what it did stands: that is the answer
                        _answer(first.pk, settled, None)
                        return settled
                    record_id = first.pk
                # The lock is let go in the statement that keeps the answer (one round trip
                # fewer). A retry that slips in before that commits waits on the record's
                # row above, then gets the replay; if the commit fails, it finds the record
                # unanswered and nobody at it, as after a request that died.
                response, released = _run(view, self, request, args, kwargs, record_id, atomic,
                                          lock if mine else None, quick)
                mine = mine and not released
                return response
            finally:
                if mine:
                    _unlock(lock)
        return wrapper
    return decorator


def _run(view, self, request, args, kwargs, record_id: int, atomic: bool, lock: int | None, quick: bool):
    """Run the view and record its answer. Returns (response, whether the lock was let go)."""
    quick = quick and atomic and own_transaction()  # the transaction opened here is the outermost
    answered = False
    try:
        with transaction.atomic() if atomic else contextlib.nullcontext():
            response = view(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                answered = True
                return response, _answer(record_id, response, lock, quick=quick)
    except SalesError as exc:
        response = exception_handler(exc, {})
        if getattr(exc, "transient", False):  # another request is at it: a retry may fare otherwise
            _forget(record_id)
            return response, False
    except Exception:
        if not answered:  # else the answer's transaction failed at its commit: see the wrapper
            _forget(record_id)  # unexpected failure: let the client retry for real
        raise
    if response.status_code >= 500:
        _forget(record_id)
        return response, False
    return response, _answer(record_id, response, lock)


def _answer(record_id: int, response, lock: int | None, *, quick: bool = False) -> bool:
    """Keep the answer for retries; let go of `lock` in the same statement if given.
    `quick`: this is the end of the view's transaction, and it may commit without waiting
    for the disk (set at its last statement, the commit still reads it)."""
    execute("UPDATE sales_idempotencyrecord SET status_code = %s, response = %s"
            + (f" FROM (SELECT {QUICK_COMMIT}) quick" if quick or own_transaction() else "") + " WHERE id = %s"
            + (" RETURNING pg_advisory_unlock(%s)" if lock is not None else ""),
            [response.status_code, value(IdempotencyRecord, "response", response.data), record_id,
             *([lock] if lock is not None else [])])
    return lock is not None


__all__ = ["idempotent", "HEADER", "error_body"]
