"""Project-wide views: health, and errors in the API's shape under /api/."""

from django.http import JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as server_error_page


def not_found(request, exception=None):
    """API clients get the API's error shape; people get the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "no such resource"}}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "server_error", "message": "internal error"}}, status=500)
    return server_error_page(request)


def healthz(request):
    """Liveness for load balancers: no database, no Redis."""
    return JsonResponse({"status": "ok"})
