"""The online shop: parse, one service call, render. The basket is the shopper's hold,
kept in their session by its token."""

from __future__ import annotations

import contextlib
import secrets

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Channel, Performance
from sales import waiting_room
from sales.availability import seat_rows, taken_seats, zone_counts
from sales.errors import HoldNotActive, PaymentDeclined, SalesError, ServiceUnavailable
from sales.holds import hold_create, hold_is_live, hold_release
from sales.inventory import free
from sales.models import Ballot, Hold, Order, Place
from sales.orders import CustomerDetails, hold_total, order_place
from sales.payments import PaymentRequest
from sales.seatmap import overview, section_svg, sections_of
from sales.tickets_pdf import order_pdf

from .forms import CheckoutForm, HoldForm
from .queue import pass_ok

BASKET = "basket_hold"
# What the shopper typed at checkout (never the card), kept when their hold lapses so that
# choosing seats again does not mean typing it all again.
DETAILS = "checkout_details"


def _owner_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return f"session:{request.session.session_key}"


def _basket(request) -> Hold | None:
    token = request.session.get(BASKET)
    if not token:
        return None
    return Hold.objects.filter(token=token, owner_key=_owner_key(request)).select_related(
        "performance__event", "performance__venue").first()


def _on_sale_online(now):
    return (Performance.objects
            .filter(on_sale_windows__channel=Channel.ONLINE, on_sale_windows__closes_at__gt=now)
            .select_related("event", "venue").prefetch_related("price_zones", "on_sale_windows")
            .order_by("starts_at"))


def event_list(request):
    now = timezone.now()
    rows = []
    for perf in _on_sale_online(now):
        counts = zone_counts(perf.pk)
        zones = list(perf.price_zones.all())
        available = sum(counts.get(z.pk, {}).get("available", 0) for z in zones)
        total = sum(counts.get(z.pk, {}).get("total", 0) for z in zones)
        window = next(w for w in perf.on_sale_windows.all() if w.channel == Channel.ONLINE)
        rows.append({
            "performance": perf, "from_price": min((z.price for z in zones), default=None),
            "currency": zones[0].currency if zones else "CAD", "available": available,
            "few_left": 0 < available <= max(20, total // 20), "sold_out": total and not available,
            "opens_at": window.opens_at if window.opens_at > now else None,
        })
    ballots = (Ballot.objects.filter(opens_at__lte=now, closes_at__gt=now, drawn_at__isnull=True)
               .select_related("performance__event", "performance__venue", "zone").order_by("closes_at"))
    return render(request, "shop/event_list.html", {"rows": rows, "ballots": ballots})


def _compressed(request, response):
    """Gzip a response that carries no secret and reflects nothing the client sent (seat
    geometry, seat ids), so compressing it cannot leak a token the way BREACH does. Pages
    with a CSRF token are left as they are."""
    return GZipMiddleware(lambda r: response).process_response(request, response)


def _behind_queue(request, perf_id: int):
    """During a queued on-sale, the shop's pages need a valid pass: else, to the queue.
    With the waiting room's Redis away, a queued on-sale says so (and sells nothing)."""
    try:
        if waiting_room.gated(perf_id) and not pass_ok(request, perf_id, _owner_key(request)):
            return redirect("shop:queue", pk=perf_id)
    except ServiceUnavailable:
        response = render(request, "shop/unavailable.html", status=503)
        response["Retry-After"] = "10"
        return response
    return None


def performance_detail(request, pk: int):
    if (to_queue := _behind_queue(request, pk)) is not None:
        return to_queue
    perf = get_object_or_404(Performance.objects.select_related("event", "venue"), pk=pk)
    now = timezone.now()
    counts = zone_counts(perf.pk)
    zones = [(z, counts.get(z.pk, {"available": 0, "total": 0})) for z in perf.price_zones.all()]
    standing = (Place.objects.filter(performance=perf, seat__isnull=True).filter(free(now))
                .values("section_id", "section__name", "price_zone__name", "price_zone__price",
                        "price_zone__currency").order_by("section_id"))
    standing_areas = {}
    for row in standing:
        area = standing_areas.setdefault(row["section_id"], {**row, "available": 0})
        area["available"] += 1
    basket = _basket(request)
    return render(request, "shop/performance.html", {
        "performance": perf, "zones": zones, "zone_colors": {z.pk: z.color for z, _c in zones},
        "overview": overview(perf, now, Channel.ONLINE), "standing": list(standing_areas.values()),
        "basket": basket if basket and basket.performance_id == perf.pk and hold_is_live(basket, now) else None,
        "now": now, "form": HoldForm(performance=perf),
        "section_url": reverse("shop:seat-section", args=[perf.pk]),
    })


def seat_section(request, pk: int, channel: str = Channel.ONLINE):
    """One section of the seat map, fetched when the shopper opens it."""
    if (to_queue := _behind_queue(request, pk)) is not None:
        return to_queue
    perf = get_object_or_404(Performance, pk=pk)
    try:
        section_id = int(request.GET.get("section", ""))
    except ValueError:
        raise Http404(_("No such section")) from None
    seats, _box = seat_rows(perf, timezone.now(), channel, section_id=section_id)
    if not seats:
        raise Http404(_("No such section"))
    section = sections_of(seats)[0]
    response = render(request, "shop/_seatsection.html", {
        "section": section, "performance": perf,
        "svg": mark_safe(section_svg(section, {z.pk: z.color for z in perf.price_zones.all()})),  # noqa: S308 - built with escape()
    })
    return _compressed(request, response)


def seat_states(request, pk: int):
    """Polled by the open seat map: the ids of seats no longer free, nothing else."""
    perf = get_object_or_404(Performance, pk=pk)
    return _compressed(request, render(request, "sales/_seat_states.html",
                                       {"taken": taken_seats(perf, timezone.now(), Channel.ONLINE)}))


@require_POST
def hold(request, pk: int):
    if (to_queue := _behind_queue(request, pk)) is not None:
        return to_queue
    if waiting_room.over_channel_limit(request, Channel.ONLINE, "holds"):
        messages.error(request, _("Too many attempts from your network; wait a minute."))
        return redirect("shop:performance", pk=pk)
    perf = get_object_or_404(Performance, pk=pk)
    form = HoldForm(request.POST, performance=perf)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("shop:performance", pk=perf.pk)
    data = form.cleaned_data
    previous = _basket(request)
    try:
        new = hold_create(performance=perf, channel=Channel.ONLINE, user=request.user,
                          owner_key=_owner_key(request), place_ids=data.get("seats") or None,
                          zone=data.get("zone"), section=data.get("section"),
                          quantity=data.get("quantity") if not data.get("seats") else None)
    except SalesError as exc:
        # The basket the shopper already had is kept.
        messages.error(request, _("Those seats could not be held: %(reason)s") % {"reason": exc.message})
        return redirect("shop:performance", pk=perf.pk)
    if previous is not None and hold_is_live(previous):
        with contextlib.suppress(SalesError):  # it lapsed or was paid meanwhile: nothing to give back
            hold_release(hold=previous)  # the new choice replaces the basket
    request.session[BASKET] = new.token
    return redirect("shop:basket")


def basket(request):
    hold = _basket(request)
    now = timezone.now()
    if hold is None:
        return render(request, "shop/basket.html", {"hold": None})
    if not hold_is_live(hold, now):
        request.session.pop(BASKET, None)
        if hold.status != Hold.Status.SOLD:
            messages.warning(request, _("Your hold expired and the seats were released. Please choose again."))
        return redirect("shop:performance", pk=hold.performance_id)
    return _render_basket(request, hold, CheckoutForm(initial=request.session.get(DETAILS)), now)


def _render_basket(request, hold, form, now, status=200):
    places = hold.places.filter(state="held").select_related("seat", "section", "price_zone").order_by("pk")
    total, currency, _ids = hold_total(hold)  # what will be charged, computed where the charge is
    return render(request, "shop/basket.html", {
        "hold": hold, "places": places, "total": total, "currency": currency, "form": form,
        "seconds_left": max(0, int((hold.expires_at - now).total_seconds())),
        "nonce": secrets.token_urlsafe(16),
    }, status=status)


def basket_status(request):
    """Polled by the countdown: tells the page when the hold has lapsed."""
    hold = _basket(request)
    live = hold is not None and hold_is_live(hold)
    return render(request, "shop/basket.html#status", {"hold": hold, "live": live})


@require_POST
def basket_release(request):
    hold = _basket(request)
    if hold is not None and hold.status == Hold.Status.ACTIVE:
        hold_release(hold=hold)
        messages.info(request, _("Your seats were released."))
    request.session.pop(BASKET, None)
    return redirect("shop:events")


@require_POST
def checkout(request):
    hold = _basket(request)
    now = timezone.now()
    if hold is None:
        messages.error(request, _("Your basket is empty."))
        return redirect("shop:events")
    if (to_queue := _behind_queue(request, hold.performance_id)) is not None:
        return to_queue
    if waiting_room.over_channel_limit(request, Channel.ONLINE, "payments"):
        form = CheckoutForm(request.POST)
        form.add_error(None, _("Too many attempts from your network; wait a minute."))
        return _render_basket(request, hold, form, now, status=429)
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _render_basket(request, hold, form, now, status=400)
    data = form.cleaned_data
    try:
        order = order_place(
            hold=hold, actor=request.user,
            customer=CustomerDetails(name=data["name"], email=data["email"], phone=data["phone"]),
            payment=PaymentRequest(method="test_card", card_number=data["card_number"]),
            idempotency_key=f"shop:{hold.token}:{request.POST.get('nonce', '')[:40]}",
        )
    except PaymentDeclined as exc:
        form.add_error("card_number", _("Payment declined: %(reason)s. Your seats are still held.")
                       % {"reason": exc.message})
        return _render_basket(request, hold, form, now, status=402)
    except HoldNotActive as exc:
        request.session.pop(BASKET, None)
        request.session[DETAILS] = {k: data[k] for k in ("name", "email", "phone")}
        messages.error(request, exc.message)
        return redirect("shop:performance", pk=hold.performance_id)
    except SalesError as exc:
        form.add_error(None, exc.message)
        return _render_basket(request, hold, form, now, status=400)
    if order.status == Order.Status.PENDING:  # a second click while the first is being charged
        form.add_error(None, _("Your payment is being processed; please wait a moment and reload."))
        return _render_basket(request, hold, form, now, status=409)
    request.session.pop(BASKET, None)
    request.session.pop(DETAILS, None)
    return redirect("shop:order", code=order.code, token=order.access_token)


def _order(code: str, token: str) -> Order:
    order = Order.objects.select_related("customer", "performance__event", "performance__venue").filter(
        code=code.upper()).first()
    # Constant-time compare; a wrong token looks exactly like an unknown order.
    if order is None or not secrets.compare_digest(order.access_token.encode(), token.encode()):
        raise Http404(_("No such order"))
    return order


def order_detail(request, code: str, token: str):
    order = _order(code, token)
    tickets = order.tickets.select_related("place__seat", "place__section")
    return render(request, "shop/order.html", {"order": order, "tickets": tickets})


def order_tickets_pdf(request, code: str, token: str):
    order = _order(code, token)
    if order.status != Order.Status.PAID:
        raise Http404(_("This order has no valid tickets"))
    response = HttpResponse(order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    return response

