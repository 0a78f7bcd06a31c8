"""One JSON shape for every 4xx:

    {"error": {"code": "unavailable", "message": "2 places unavailable: already sold",
               "field": "places", "places": [{"id": 17, "reason": "already sold"}],
               "fields": {"quantity": ["..."]}}}

A refusal for quantity ("only 2 places left in Stalls") also says `"available": 2`.
"""


from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from events.seating import SeatingPlanError
from events.services import SetupError
from sales.errors import RateLimited, SalesError


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message,
                      **{k: v for k, v in extra.items() if v not in (None, "", [], {})}}}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            return f"{key}: {_first_message(value)}" if key != "non_field_errors" else _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _retry_after(exc: SalesError) -> dict | None:
    """When to ask again: a moment for an outage, and for a rate limit the end of the
    window its requests are counted in, as its message says (RateLimited)."""
    if exc.status == 503:
        return {"Retry-After": "10"}
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return None


# The services' names for what a request sent, as the API's requests name it: the card is
# the pages' card field, and every API request sends its provider token as `token`.
REQUEST_FIELDS = {"card": "token"}


def exception_handler(exc, context):
    if isinstance(exc, SalesError):
        places = exc.detail.get("places") or {}
        extra = {k: v for k, v in exc.detail.items() if k not in ("places",)}
        if "field" in extra:
            extra["field"] = REQUEST_FIELDS.get(extra["field"], extra["field"])
        return Response(error_body(exc.code, exc.message,
                                   places=[{"id": k, "reason": v} for k, v in places.items()],
                                   **extra), status=exc.status, headers=_retry_after(exc))
    if isinstance(exc, SeatingPlanError):
        return Response(error_body("invalid_seating_plan", _("the seating plan has errors; nothing was imported"),
                                   errors=exc.errors), status=400)
    if isinstance(exc, SetupError):
        return Response(error_body("invalid", exc.message, field=exc.field), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _first_message(exc.detail), fields=exc.detail)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = error_body(code, str(exc.detail))
    return response
