"""`Idempotency-Key` for the API's writes.

The first request with a key is recorded before it runs; its answer (success or 4xx) is
stored and replayed to any retry with the same key and body. Keys are a user's own, or
an anonymous caller's address's (and then at least 16 characters long). The same key with another
body is refused (422); a retry while the first is still running gets 409.
"""

from __future__ import annotations

import functools
import hashlib
import json

from rest_framework.response import Response

from sales.errors import IdempotencyConflict, InvalidRequest, SalesError
from sales.models import IdempotencyRecord
from sales.rows import execute, fetch, value
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
    execute("DELETE FROM sales_idempotencyrecord WHERE id = %s", [record_id])


def idempotent(endpoint: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if not key:
                return view(self, request, *args, **kwargs)
            if len(key) > 100:
                raise InvalidRequest(f"{HEADER} is at most 100 characters", field=HEADER)
            if len(key) < ANONYMOUS_KEY_MIN and not request.user.is_authenticated:
                # Callers behind one address (a venue's kiosks, a network's NAT) share a
                # scope: a short or counted key could be another's, and replay its answer.
                raise InvalidRequest(f"without a login, {HEADER} must be at least {ANONYMOUS_KEY_MIN} characters "
                                     "(a random UUID, say)", field=HEADER)
            body = json.dumps(request.data, sort_keys=True, default=str)
            fingerprint = hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()
            scope = scope_of(request)
            # One statement, no transaction of its own: the unique key decides who is first.
            created = fetch("""INSERT INTO sales_idempotencyrecord (scope, endpoint, key, fingerprint, created_at)
                               VALUES (%s, %s, %s, %s, now())
                               ON CONFLICT (scope, endpoint, key) DO NOTHING RETURNING id""",
                            [scope, endpoint, key, fingerprint])
            if not created:
                first = IdempotencyRecord.objects.filter(scope=scope, endpoint=endpoint, key=key).first()
                if first is not None and first.fingerprint != fingerprint:
                    raise KeyReused("this Idempotency-Key was used with a different request")
                if first is None or first.status_code is None:  # None: the first gave up just now
                    raise IdempotencyConflict("a request with this Idempotency-Key is still in progress")
                return Response(first.response, status=first.status_code,
                                headers={"Idempotent-Replayed": "true"})
            record_id = created[0][0]
            try:
                response = view(self, request, *args, **kwargs)
            except SalesError as exc:
                response = exception_handler(exc, {})
                if getattr(exc, "transient", False):  # another request is at it: a retry may fare otherwise
                    _forget(record_id)
                    return response
            except Exception:
                _forget(record_id)  # unexpected failure: let the client retry for real
                raise
            if response.status_code >= 500:
                _forget(record_id)
                return response
            execute("UPDATE sales_idempotencyrecord SET status_code = %s, response = %s WHERE id = %s",
                    [response.status_code, value(IdempotencyRecord, "response", response.data), record_id])
            return response
        return wrapper
    return decorator


__all__ = ["idempotent", "HEADER", "error_body"]
