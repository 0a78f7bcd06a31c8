"""Worker pools. In production the load balancer sends the counter, the phone console,
the admin and staff API calls to the `staff` pool and everything else to `public`, so an
online crowd cannot take the staff's capacity. Each pool refuses the other's pages, so a
misrouted request fails loudly instead of quietly mixing the two."""

from django.conf import settings
from django.http import HttpResponseNotFound

STAFF_PREFIXES = ("/counter/", "/phone/", "/admin/", "/login/", "/logout/", "/staff/")
SHARED_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/")


def is_staff_request(request) -> bool:
    return request.path.startswith(STAFF_PREFIXES) or (
        request.path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META)


class PoolMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pool = settings.BOXOFFICE_POOL

    def __call__(self, request):
        if self.pool == "public" and request.path.startswith(STAFF_PREFIXES):
            return HttpResponseNotFound("Staff pages are served by the staff pool.")
        if self.pool == "staff" and not (is_staff_request(request) or request.path.startswith(SHARED_PREFIXES)):
            return HttpResponseNotFound("The public site is served by the public pool.")
        return self.get_response(request)
