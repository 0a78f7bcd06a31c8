"""Worker pools. In production the load balancer sends the counter, the phone console,
the admin and staff API calls (those signed with `Authorization: Token <key>`, the one
scheme staff sign in with, sales.api.permissions.TokenWithRoles) to the `staff` pool, the waiting room's page
(/performances/<pk>/queue/) to the `queue` pool, and everything else to `public`, so an
online crowd can take neither the staff's capacity nor the queue's (buyers' requests are
slow next to a queue poll). Each pool refuses the others' pages, so a misrouted request
fails loudly instead of quietly mixing them. The queue page itself is answered before
Django (sales.channels.shop.queue.fast_path); in the `queue` pool Django sees only
what is misrouted."""

import re
import time

from django.conf import settings
from django.http import HttpResponseNotFound, JsonResponse
from django.template import loader
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from sales import admission, payments

STAFF_PREFIXES = ("/counter/", "/phone/", "/door/", "/admin/", "/login/", "/logout/", "/staff/")
SHARED_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/")
# The scheme of a staff API token, in any case (HTTP's schemes are case-insensitive), alone
# or followed by its key. deploy/haproxy.cfg's `acl signed` says the same, and must: other
# schemes (a proxy's or a gateway's Basic credentials) are the public's, whose pool serves
# them as anonymous buyers; only a staff token is worth the staff pool's capacity.
STAFF_SCHEME = re.compile(r"token(?:[ \t]|$)", re.IGNORECASE | re.ASCII)


def is_staff_request(request) -> bool:
    return request.path.startswith(STAFF_PREFIXES) or (
        request.path.startswith("/api/") and signs_with_a_token(request.META.get("HTTP_AUTHORIZATION")))


def signs_with_a_token(authorization: str | None) -> bool:
    """Whether the value of an Authorization header names a staff token's scheme."""
    return authorization is not None and STAFF_SCHEME.match(authorization.strip(" \t")) is not None


class PoolMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pool = settings.BOXOFFICE_POOL

    def __call__(self, request):
        if self.pool == "public" and request.path.startswith(STAFF_PREFIXES):
            return _misrouted(request, "Staff pages are served by the staff pool.",
                              _("Staff pages live at the staff address."), settings.STAFF_SITE_URL)
        if self.pool == "public" and is_staff_request(request):  # an API call signed with a staff token
            return _misrouted(request, "API calls signed with a staff token are served by the staff pool.")
        if self.pool == "staff" and not (is_staff_request(request) or request.path.startswith(SHARED_PREFIXES)):
            return _misrouted(request, "The public site is served by the public pool.",
                              _("The shop lives at the public address."), settings.SITE_URL)
        if self.pool == "queue" and not request.path.startswith(SHARED_PREFIXES):
            return _misrouted(request, "The queue pool serves the waiting room only.")
        return self.get_response(request)


# A buyer's own pages: their basket and checkout, their order (its page, tickets and calendar
# under the private link), a ballot's payment; and the API's holds, orders and tickets.
PRIVATE_PREFIXES = ("/basket/", "/checkout/", "/orders/", "/lottery/pay/", "/lottery/confirm/",
                    "/api/v1/holds/", "/api/v1/orders/", "/api/v1/tickets/")


def is_private(request) -> bool:
    """Whether the answer carries a person's data or a staff page: every staff address,
    every staff API call (a token's, or a signed-in session's), a buyer's own pages."""
    return (is_staff_request(request) or request.path.startswith(PRIVATE_PREFIXES)
            or (request.path.startswith("/api/") and settings.SESSION_COOKIE_NAME in request.COOKIES))


class PrivateAnswersMiddleware:
    """A private answer is kept by no one: `Cache-Control: private, no-store`. `Vary: Cookie`
    alone let a shared proxy keep a page whose address holds its secret (an order's private
    link) or a token's answer, and a shared counter computer's back button show the last
    clerk's order after sign-out (the browser's back/forward cache). Public pages, static
    files and the queue page (answered before Django) keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request):
            patch_cache_control(response, private=True, no_store=True)  # drops a `public`
        return response


QUEUE_PAGE = re.compile(r"^/performances/\d+/queue/$")


class BuyerLatencyMiddleware:
    """What buyers meet, for automatic admission (sales.admission): the time and outcome
    of each request of the public site, counted in memory and sent to Redis once a second.
    Staff requests, the queue page, static files and health checks are not buyers'. The
    time a request waits on the payment provider is left out: it is the provider's, the
    same whatever the rate of admission (a slow provider holds threads, which shows in
    the other requests' time)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = settings.BOXOFFICE_POOL in ("public", "all")

    def __call__(self, request):
        if not self.active or is_staff_request(request) or request.path.startswith(SHARED_PREFIXES) \
                or QUEUE_PAGE.match(request.path):
            return self.get_response(request)
        t0, provider0 = time.perf_counter(), payments.provider_seconds()
        failed = True
        try:
            response = self.get_response(request)
            failed = response.status_code >= 500
            return response
        finally:
            ours = time.perf_counter() - t0 - (payments.provider_seconds() - provider0)
            admission.record(ours * 1000, failed)


def _misrouted(request, message: str, readable: str = "", home: str = ""):
    if request.path.startswith("/api/"):  # an API client reads the API's error shape
        return JsonResponse({"error": {"code": "wrong_pool", "message": message}}, status=404)
    if not readable:
        return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")
    where = home.rstrip("/") + request.path
    page = loader.render_to_string("error.html", {"title": _("Not here"), "message": readable,
                                                  "links": [(where, where)]})
    return HttpResponseNotFound(page)

