"""Project-wide views: health, and errors in the API's shape under /api/."""

from django.http import JsonResponse
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found
from django.views.defaults import permission_denied as permission_denied_page
from django.views.defaults import server_error as server_error_page


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def not_found(request, exception=None):
    """API clients get the API's error shape; people get the page."""
    if request.path.startswith("/api/"):
        return _api_error("not_found", "no such resource", 404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """What Django refuses before a view runs (a body too large, a suspicious request)."""
    if request.path.startswith("/api/"):
        # A fixed message: Django's own names settings (ALLOWED_HOSTS) a caller need not know.
        return _api_error("bad_request", "the request was refused (too large, or for a host not served here)", 400)
    return bad_request_page(request, exception)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return _api_error("permission_denied", str(exception or "") or "permission denied", 403)
    return permission_denied_page(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error("server_error", "internal error", 500)
    return server_error_page(request)


def healthz(request):
    """Liveness for load balancers: no database, no Redis."""
    return JsonResponse({"status": "ok"})
