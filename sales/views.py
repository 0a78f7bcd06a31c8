"""Project-wide views: health, and errors in each door's own shape: the API's JSON error
under /api/, a readable page elsewhere."""

import logging
import sys
from urllib.parse import quote

import redis
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR

# PostgreSQL or Redis out of reach: the request may well succeed in a moment.
OUTAGES = (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER_SECONDS = 5
logger = logging.getLogger(__name__)
ROLE_NAMES = {ORGANIZER: gettext_lazy("organizer"), COUNTER_CLERK: gettext_lazy("counter clerk"),
              PHONE_OPERATOR: gettext_lazy("phone operator"), DOOR_STAFF: gettext_lazy("door staff")}


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def wants_json(request) -> bool:
    """The API, or a page's script that asks for JSON first (the door's scans): either
    reads a refusal only in JSON."""
    return is_api(request) or request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def page_text(status: int, title: str, message: str, links=()) -> str:
    try:
        return loader.render_to_string("error.html", {"status": status, "title": title, "message": message,
                                                      "links": links})
    except Exception:  # noqa: BLE001 - an error page must not fail in turn
        return f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(message)}</p>"


def refusal(request, status: int, code: str, message: str, title: str | None = None, links=(),
            **headers) -> HttpResponse:
    if wants_json(request):
        response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    else:
        response = HttpResponse(page_text(status, title or message, message, links), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def not_found(request, exception=None):
    return refusal(request, 404, "not_found", _("No such page.") if not is_api(request) else _("no such resource"),
                   title=_("Not found"))


def bad_request(request, exception=None):
    """What Django refuses before a view runs (a body too large, a suspicious request).
    A fixed message: Django's own names settings (ALLOWED_HOSTS) a caller need not know."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return refusal(request, 413, "too_large", _("The request is too large."), title=_("Too large"))
    return refusal(request, 400, "bad_request",
                   _("The request was refused (too large, or for a host not served here)."), title=_("Bad request"))


def permission_denied(request, exception=None):
    if is_api(request):
        return refusal(request, 403, "permission_denied", str(exception or "") or _("permission denied"))
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return refusal(request, 403, "permission_denied", _("You may not open this page."), title=_("Forbidden"))
    # A member of staff on another role's page: say so, and the ways on.
    role = getattr(exception, "role", None)
    message = (_("This page is for the %(role)s role; you are signed in as %(user)s.")
               % {"role": ROLE_NAMES.get(role, role), "user": user.get_username()} if role else
               _("You are signed in as %(user)s, who may not open this page.") % {"user": user.get_username()})
    return refusal(request, 403, "permission_denied", message, title=_("Not your page"),
                   links=[(reverse("staff-home"), _("Back to your staff home")),
                          # The page's address whole, as sent (an & # ? or space in it kept its own).
                          (reverse("login") + "?next=" + quote(request.get_full_path()),
                           _("Sign in as someone else"))])


def csrf_failure(request, reason=""):
    """A form sent without the security token of the page it came from (a page kept open
    past its session, cookies refused): a readable page with a way back, not Django's."""
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "/"
    return refusal(request, 403, "csrf_failed",
                   _("This form could not be sent: the page was open too long, or your browser refused our "
                     "cookie. Go back, reload the page and try again."),
                   title=_("Form expired"), links=[(back, _("Back to the page"))])


def server_error(request):
    """The exception being handled decides: an outage of PostgreSQL or Redis is a 503 to
    retry; a value the database refused (it got past the checks) is the request's fault."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGES):
        return refusal(request, 503, "service_unavailable",
                       _("The box office is briefly unavailable; please try again in a moment."),
                       title=_("Briefly unavailable"), Retry_After=str(RETRY_AFTER_SECONDS))
    if isinstance(exc, DataError):
        return refusal(request, 400, "bad_request", _("The request holds a value that cannot be stored."),
                       title=_("Bad request"))
    return refusal(request, 500, "server_error", _("Something went wrong on our side. Please try again.")
                   if not is_api(request) else _("internal error"), title=_("Server error"))


def favicon(request):
    """Browsers ask every site for /favicon.ico, the admin's pages too."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def healthz(request):
    """Liveness for load balancers: no database, no Redis."""
    return JsonResponse({"status": "ok"})
