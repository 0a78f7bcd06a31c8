"""Public pages of the foundation: what is on sale, and the private order link.

The shop, counter and phone channels live in sales/channels/."""

import secrets

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from events.models import Channel, Performance

from .availability import zone_counts
from .models import Order


def not_found(request, exception=None):
    """API clients get the API's error shape; people get the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "no such resource"}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "server_error", "message": "internal error"}}, status=500)
    from django.views.defaults import server_error as page

    return page(request)


def healthz(request):
    """Liveness for load balancers: no database, no Redis."""
    return JsonResponse({"status": "ok"})


def home(request):
    now = timezone.now()
    performances = (Performance.objects
                    .filter(on_sale_windows__channel=Channel.ONLINE, on_sale_windows__closes_at__gt=now)
                    .select_related("event", "venue").prefetch_related("price_zones")
                    .order_by("starts_at"))
    rows = []
    for perf in performances:
        counts = zone_counts(perf.pk)
        zones = [(z, counts.get(z.pk, {"total": 0, "available": 0})) for z in perf.price_zones.all()]
        rows.append({"performance": perf, "zones": zones,
                     "available": sum(c["available"] for _z, c in zones)})
    return render(request, "sales/home.html", {"rows": rows})


def order_detail(request, code: str, token: str):
    order = get_object_or_404(
        Order.objects.select_related("customer", "performance__event", "performance__venue"),
        code=code.upper())
    # Constant-time compare; a wrong token looks exactly like an unknown order.
    if not secrets.compare_digest(order.access_token, token):
        raise Http404("No such order")
    tickets = order.tickets.select_related("place__seat", "place__section")
    return render(request, "sales/order_detail.html", {"order": order, "tickets": tickets})
