"""`Idempotency-Key` for the API's writes.

The first request with a key is recorded before it runs; its answer (success or 4xx) is
stored and replayed to any retry with the same key and body. The same key with another
body is refused (422); a retry while the first is still running gets 409.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from sales.errors import IdempotencyConflict, InvalidRequest, SalesError
from sales.models import IdempotencyRecord

from .errors import error_body, exception_handler

HEADER = "Idempotency-Key"


class KeyReused(SalesError):
    code = "idempotency_key_reused"
    status = 422


def scope_of(request) -> str:
    return f"user:{request.user.pk}" if request.user.is_authenticated else "anonymous"


def idempotent(endpoint: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if not key:
                return view(self, request, *args, **kwargs)
            if len(key) > 100:
                raise InvalidRequest(f"{HEADER} is at most 100 characters", field=HEADER)
            body = json.dumps(request.data, sort_keys=True, default=str)
            fingerprint = hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()
            scope = scope_of(request)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        scope=scope, endpoint=endpoint, key=key, fingerprint=fingerprint)
            except IntegrityError:
                first = IdempotencyRecord.objects.get(scope=scope, endpoint=endpoint, key=key)
                if first.fingerprint != fingerprint:
                    raise KeyReused("this Idempotency-Key was used with a different request") from None
                if first.status_code is None:
                    raise IdempotencyConflict("a request with this Idempotency-Key is still in progress") from None
                return Response(first.response, status=first.status_code,
                                headers={"Idempotent-Replayed": "true"})
            try:
                response = view(self, request, *args, **kwargs)
            except SalesError as exc:
                response = exception_handler(exc, {})
            except Exception:
                record.delete()  # unexpected failure: let the client retry for real
                raise
            if response.status_code >= 500:
                record.delete()
                return response
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response=response.data)
            return response
        return wrapper
    return decorator


__all__ = ["idempotent", "HEADER", "error_body"]
