"""The online shop: parse, one service call, render. The basket is the shopper's hold,
kept in their session by its token."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import time
from dataclasses import replace
from datetime import timedelta

import redis
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from events.models import Channel, OnSaleWindow, Performance
from sales import network_holds, waiting_room
from sales.availability import announced, seat_rows, taken_seats, zone_counts
from sales.calendar import order_calendar
from sales.channels.forms import (
    CHOICES,
    PricesForm,
    card_field_context,
    card_missing,
    from_price,
    keep_choices,
    kept_choices,
    picked_on_map,
    price_range,
    price_types_of,
    price_types_prefetched,
    priced,
    range_text,
    receipt_of,
    with_amounts,
    zone_prices,
)
from sales.errors import (
    HoldNotActive,
    InProgress,
    InvalidRequest,
    NotFound,
    NotOnSale,
    PaymentActionRequired,
    PaymentDeclined,
    PlacesUnavailable,
    ProviderUnavailable,
    ReservationLapsed,
    SalesError,
    ServiceUnavailable,
    too_many,
)
from sales.holds import hold_create, hold_extend, hold_give_back, hold_is_live, presale_opening
from sales.inventory import free, open_to
from sales.models import Ballot, Hold, Order, Place, Presale, PresaleCode, Ticket, mailbox
from sales.notifications import resend_confirmation, send_orders_found
from sales.orders import CustomerDetails, order_pay_by_link, order_place
from sales.orders.settling import bank_question, give_way, payment_confirmed
from sales.payments import PaymentRequest, after_a_colon, declined_because
from sales.policy import begun_for, policy_for
from sales.seatmap import overview, section_svg, sections_of, stage_of
from sales.tickets import off_day
from sales.tickets_pdf import order_pdf
from sales.views import refusal

from .forms import AccessCodeForm, CheckoutForm, FindOrdersForm, HoldForm
from .queue import PRESALE_COOKIE, TURN_COOKIE, pass_holder, pass_ok, passes_of, presale_cookie

logger = logging.getLogger(__name__)

BASKET = "basket_hold"
# What the shopper typed at checkout (never the card), kept when their hold lapses so that
# choosing seats again does not mean typing it all again: for as long as a hold lasts, no
# longer (on a shared computer, the next person is not offered them), and gone once an
# order is placed (its page and email have them).
DETAILS = "checkout_details"
DETAIL_FIELDS = ("name", "email", "phone")
# The price types and promo code last chosen in the basket, with the hold they are for.
# Seats picked on the map and still free when others of the same pick were taken: the map
# opens with them ticked again.
REPICK = "repick"
# A number of tickets the best-available or a standing area's form refused: the page shows
# its error under that form's field, with what was typed.
QUANTITY_REFUSED = "quantity_refused"
# The order the last basket became: a basket page from before it, paid again, leads there,
# for as long as a hold lasts (on a shared computer, the next person is not led to it).
LAST_ORDER = "last_order"
# Presale access codes the shopper typed and the presale accepted: {performance id: code},
# passed with every hold they make for that performance.
ACCESS_CODES = "access_codes"
# The card provider's failures, said to the person paying.
PROVIDER_SILENT = gettext_lazy("The payment provider did not answer, so nothing was sold; if it took the money, "
                               "it is paid back. Your seats are still held: try again in a moment.")
CARD_UNUSABLE = gettext_lazy("The payment provider could not use this card. Your seats are still held: "
                             "enter the card again.")


def declined(exc) -> str:
    """A declined card, in the provider's words, in one sentence."""
    return _("Payment declined: %(reason)s. Your seats are still held.") % {"reason": after_a_colon(exc.message)}


# In light mode the listing and a performance's prices, counts and seat-map overview are
# read from a cache this old at most, and the page does not refresh the map.
LIGHT_CACHE_SECONDS = 15


def _light(request) -> bool:
    mode = getattr(request, "shop_mode", None)
    return bool(mode and mode.light)


def _cached_if_light(request, key: str, compute):
    """compute(), or in light mode the answer of a compute() up to LIGHT_CACHE_SECONDS old."""
    if not _light(request):
        return compute()
    try:
        return cache.get_or_set(key, compute, LIGHT_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - the cache away: compute, as in normal mode
        return compute()


def _owner_key(request) -> str:
    """The session's mark on its holds and waiting-room passes: a digest of its key, never
    the key, which is the session's cookie (holds are read in the admin and kept in backups)."""
    if not request.session.session_key:
        request.session.save()
    return "session:" + hashlib.sha256(request.session.session_key.encode()).hexdigest()[:32]


def _holder(request, perf_id: int) -> str | None:
    """Whom the per-address limits count for this request: its valid queue pass for the
    performance (each buyer let in has their own budget), or None: its address. A pass is
    bound to the session of the shop's first page it opened: without a session, none is
    valid (and none is begun here for each guess). Checked once a request."""
    if not request.session.session_key:
        return None
    holders = request.__dict__.setdefault("_queue_pass_holders", {})
    if perf_id not in holders:
        holders[perf_id] = pass_holder(request, perf_id, _owner_key(request))
    return holders[perf_id]


def _basket(request) -> Hold | None:
    token = request.session.get(BASKET)
    if not token:
        return None
    return Hold.objects.filter(token=token, owner_key=_owner_key(request)).select_related(
        "performance__event", "performance__venue").first()


def _on_sale_online(now):
    # Put on sale only: a performance with a window but no places yet is still being set up.
    return (Performance.objects
            .filter(on_sale_windows__channel=Channel.ONLINE, on_sale_windows__closes_at__gt=now,
                    starts_at__gt=now)
            .filter(Exists(Place.objects.filter(performance=OuterRef("pk"))))
            .select_related("event", "venue").prefetch_related(
                "price_zones", "on_sale_windows",
                price_types_prefetched())
            .order_by("starts_at"))


def event_list(request):
    now = timezone.now()
    rows = _cached_if_light(request, "shop:light:listing", lambda: _listing(now))
    ballots = (Ballot.objects.filter(opens_at__lte=now, closes_at__gt=now, drawn_at__isnull=True)
               .select_related("performance__event", "performance__venue", "zone").order_by("closes_at"))
    basket = _basket(request)  # the way back to it, for a buyer who came back here mid-checkout
    return render(request, "shop/event_list.html", {
        "rows": rows, "ballots": ballots, "basket": basket if basket and hold_is_live(basket, now) else None})


def _listing(now) -> list[dict]:
    rows = []
    for perf in _on_sale_online(now):
        counts = zone_counts(perf.pk, Channel.ONLINE)
        zones = list(perf.price_zones.all())
        types = with_amounts(perf.price_types.all())
        available = sum(counts.get(z.pk, {}).get("available", 0) for z in zones)
        total = sum(counts.get(z.pk, {}).get("total", 0) for z in zones)
        in_baskets = sum(counts.get(z.pk, {}).get("in_baskets", 0) for z in zones)
        window = next(w for w in perf.on_sale_windows.all() if w.channel == Channel.ONLINE)
        rows.append({
            "performance": perf, "from_price": min((from_price(z, types) for z in zones), default=None),
            "currency": zones[0].currency if zones else settings.BOXOFFICE_CURRENCY, "available": available,
            "few_left": 0 < available <= max(20, total // 20),
            # Nothing free, but places in buyers' baskets may come back: not sold out.
            "sold_out": total and not available and not in_baskets,
            "in_baskets": total and not available and in_baskets,
            "opens_at": window.opens_at if window.opens_at > now else None,
            "cancelled": perf.cancelled_at is not None,
        })
    return rows


def _compressed(request, response):
    """Gzip a response that carries no secret and reflects nothing the client sent (seat
    geometry, seat ids), so compressing it cannot leak a token the way BREACH does. Pages
    with a CSRF token are left as they are."""
    return GZipMiddleware(lambda r: response).process_response(request, response)


def _behind_queue(request, perf_id: int):
    """During a queued on-sale, the shop's pages need a valid pass: else, to the queue.
    With the waiting room's Redis away, a queued on-sale says so (and sells nothing)."""
    try:
        # A pass the limits count is valid: checked once for both (a hold, a checkout).
        if (waiting_room.gated(perf_id) and _holder(request, perf_id) is None
                and not pass_ok(request, perf_id, _owner_key(request))):
            return redirect("shop:queue", pk=perf_id)
    except ServiceUnavailable:
        response = render(request, "shop/unavailable.html", status=503)
        response["Retry-After"] = "10"
        return response
    return None


def _online_windows(perf) -> list[tuple]:
    """The performance's online on-sale windows, (opens_at, closes_at), first first."""
    return list(OnSaleWindow.objects.filter(performance=perf, channel=Channel.ONLINE).order_by("opens_at")
                .values_list("opens_at", "closes_at"))


def _presale_now(perf, now, windows) -> Presale | None:
    """The presale open now for a performance whose online sale has not opened yet: the
    page then offers its access code field."""
    if not windows or windows[0][0] <= now or now >= windows[0][1]:
        return None
    return (Presale.objects.filter(performance=perf, opens_at__lte=now, closes_at__gt=now)
            .prefetch_related("zones").order_by("closes_at").first())


def _too_many_attempts(seconds: int) -> str:
    """The shop's refusal by a rate limit (sales.waiting_room): when to try again, in the
    `seconds` the limit counted, as the answer's Retry-After gives them where it has one."""
    return too_many(_("Too many attempts from your network"), seconds)


def _access_code(request, perf_id: int) -> str:
    return (request.session.get(ACCESS_CODES) or {}).get(str(perf_id), "")


def presale_code(request, pk: int):
    """A presale's access code, typed on the queue page of a queued on-sale (the page itself
    is answered without a session): checked once by the presale here, then kept with the
    shopper's holds; the shopper then waits in that presale's own queue, not the general
    one. Without a waiting room, on to the performance page."""
    perf = get_object_or_404(announced(Performance.objects, request.user), pk=pk)
    access = AccessCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if wait := waiting_room.too_many_code_tries(request, _holder(request, perf.pk)):
            access.add_error("access_code", _too_many_attempts(wait))
        elif access.is_valid():
            code = access.cleaned_data["access_code"]
            now = timezone.now()
            try:
                found = presale_opening(performance=perf, channel=Channel.ONLINE, code=code, now=now,
                                        closed=NotOnSale(_("The online sale of this performance is closed.")))
            except SalesError as exc:
                access.add_error("access_code", exc.message)
            else:
                request.session[ACCESS_CODES] = {**(request.session.get(ACCESS_CODES) or {}), str(perf.pk): code}
                _owner_key(request)  # the session exists before its pass is bound to it
                try:
                    queued = waiting_room.gated(perf.pk)
                except ServiceUnavailable:
                    queued = True
                if not queued:
                    messages.success(request, _("Your access code opens the presale: choose your seats."))
                    return redirect("shop:performance", pk=perf.pk)
                response = redirect("shop:queue", pk=perf.pk)
                response.set_cookie(PRESALE_COOKIE.format(perf.pk), presale_cookie(perf.pk, found.presale_id),
                                    max_age=max(1, int((found.presale.closes_at - now).total_seconds())),
                                    httponly=True, samesite="Lax")
                return response
    return render(request, "shop/presale_code.html", {"performance": perf, "access": access}, status=status)


def performance_detail(request, pk: int):
    """The performance: its prices, best available, the seat map; before the online sale
    opens, a presale's access code (POST: the code, checked by the presale)."""
    if (to_queue := _behind_queue(request, pk)) is not None:
        return to_queue
    perf = get_object_or_404(announced(Performance.objects.select_related("event", "venue"), request.user), pk=pk)
    # Just let in from the queue (its pass came with this cookie): said once, on this page.
    turn = request.method == "GET" and TURN_COOKIE.format(pk) in request.COOKIES
    if turn:
        messages.success(request, _("It's your turn: you are in the shop. Choose your seats."))
    now = timezone.now()
    windows = _online_windows(perf)
    presale = _presale_now(perf, now, windows)
    access = AccessCodeForm(initial={"access_code": _access_code(request, perf.pk)})
    status = 200
    if request.method == "POST":
        access = AccessCodeForm(request.POST)
        if presale is None:
            messages.error(request, _("No presale is open for this performance now."))
            return redirect("shop:performance", pk=perf.pk)
        if wait := waiting_room.too_many_code_tries(request, _holder(request, perf.pk)):
            access.add_error("access_code", _too_many_attempts(wait))
        elif access.is_valid():
            code = access.cleaned_data["access_code"]
            try:
                presale_opening(performance=perf, channel=Channel.ONLINE, code=code, now=now,
                                closed=NotOnSale(_("The online sale of this performance is closed.")))
            except SalesError as exc:
                access.add_error("access_code", exc.message)
            else:
                request.session[ACCESS_CODES] = {**(request.session.get(ACCESS_CODES) or {}), str(perf.pk): code}
                messages.success(request, _("Your access code opens the presale: choose your seats."))
                return redirect("shop:performance", pk=perf.pk)
        status = 400
    rows, standing, sections, box, notes = _cached_if_light(
        request, f"shop:light:performance:{perf.pk}", lambda: _offer(perf, now))
    basket = _basket(request)
    code = _access_code(request, perf.pk)
    opens = min((o for o, c in windows if o > now), default=None)
    # Forms to buy only while something can be bought: put on sale, and an online window
    # (or a presale whose code this buyer gave) open now.
    repick = request.session.pop(REPICK, None) if REPICK in request.session else None
    if repick is None and request.GET.get("picked"):  # picked before the buyer switched language
        repick = {"performance": perf.pk, "seats": picked_on_map(request, perf.ticket_limit).split(",")}
    refused = request.session.pop(QUANTITY_REFUSED, None) if QUANTITY_REFUSED in request.session else None
    stocked = any(row.get("total") for row in rows) or bool(standing)
    open_now = ((any(o <= now < c for o, c in windows) or bool(presale and code))
                and not begun_for(Channel.ONLINE, perf.starts_at, now) and perf.cancelled_at is None)
    # Nothing free, and nothing in a basket that may come back: sold out, said at the top
    # instead of forms whose every answer would be "only 0 left".
    free_now = sum(row["available"] for row in rows)
    coming_back = sum(row.get("in_baskets", 0) for row in rows)
    sold_out = stocked and not free_now and not coming_back
    selling = stocked and open_now and not sold_out
    if refused and refused["performance"] == perf.pk:
        shown = {"best"} | {str(area["section_id"]) for area in standing} if selling else set()
        if refused["key"] not in shown:  # that form is gone meanwhile (sold out, sale closed): said at the top
            messages.error(request, refused["top"])
            refused = None
    response = render(request, "shop/performance.html", {
        "selling": selling, "opens": opens, "sold_out": sold_out,
        "all_in_baskets": stocked and not free_now and bool(coming_back),
        "closed": bool(windows) and not open_now and opens is None,
        "performance": perf, "zones": rows, "zone_colors": {row["zone"].pk: row["zone"].color for row in rows},
        "overview": (sections, box), "standing": standing, "light": _light(request),
        "basket": basket if basket and hold_is_live(basket, now) else None,
        "now": now, "form": HoldForm(performance=perf),
        "section_url": reverse("shop:seat-section", args=[perf.pk]),
        "presale": presale, "access": access, "access_code": code if presale else "",
        "notes": notes,
        "repick": ",".join(str(pk) for pk in repick["seats"]) if repick and repick["performance"] == perf.pk else "",
        "refused": refused if refused and refused["performance"] == perf.pk else None,
        "turn": turn,  # the tab's title says so, for a visitor who waited with it in the background
    }, status=status)
    if turn:
        response.delete_cookie(TURN_COOKIE.format(pk), samesite="Lax")
    return response


def _offer(perf, now) -> tuple:
    """What the performance page offers: zones with their prices and what is left, standing
    areas, the seat map's overview by section, and the price types' notes."""
    counts = zone_counts(perf.pk, Channel.ONLINE)
    types = price_types_of(perf.pk)
    zones = list(perf.price_zones.all())
    by_id = {z.pk: z for z in zones}
    priced = zone_prices(types, zones)
    rows = [{"zone": z, "from": from_price(z, types), "types": priced.get(z.pk, ""), "has_types": z.pk in priced,
             "available": counts.get(z.pk, {"available": 0})["available"],
             "total": counts.get(z.pk, {"total": 0})["total"],
             "in_baskets": counts.get(z.pk, {"in_baskets": 0})["in_baskets"]} for z in zones]
    # Counted by the database: a lawn of 5,500 places is one row here, not 5,500.
    standing = (Place.objects.filter(performance=perf, seat__isnull=True).filter(free(now) & open_to(Channel.ONLINE))
                .values("section_id", "section__name", "price_zone_id", "price_zone__currency")
                .annotate(places_free=Count("pk")).order_by("section_id", "price_zone_id"))
    standing_areas = {}
    for row in standing:
        places = row.pop("places_free")
        area = standing_areas.setdefault(row["section_id"], {**row, "available": 0})
        area["available"] += places
    for area in standing_areas.values():
        zone = by_id.get(area["price_zone_id"])
        area["from"] = from_price(zone, types) if zone else None
        area["has_types"] = area["price_zone_id"] in priced
    sections, box = overview(perf, Channel.ONLINE)
    if types:  # the sections' price ranges as the price types make them, not the zones' own prices
        ranged = []
        for summary in sections:
            span = price_range(summary.zone_ids, by_id, types)
            ranged.append(replace(summary, lo=span[0], hi=span[1]) if span else summary)
        sections = ranged
    notes = [(t.shown_name, t.shown_note) for t in types if t.shown_note and not t.complimentary]
    return rows, list(standing_areas.values()), sections, box, notes


def seat_section(request, pk: int, channel: str = Channel.ONLINE):
    """One section of the seat map, fetched when the shopper opens it."""
    if (to_queue := _behind_queue(request, pk)) is not None:
        return to_queue
    perf = get_object_or_404(announced(Performance.objects, request.user), pk=pk)
    try:
        section_id = int(request.GET.get("section", ""))
    except ValueError:
        raise Http404(_("No such section")) from None
    seats, _box = seat_rows(perf, timezone.now(), channel, section_id=section_id)
    if not seats:
        raise Http404(_("No such section"))
    section = sections_of(seats)[0]
    zones = list(perf.price_zones.all())
    types = price_types_of(perf.pk)
    by_id = {z.pk: z for z in zones}
    span = price_range({s["price_zone_id"] for s in seats}, by_id, types) if types else None
    response = render(request, "shop/_seatsection.html", {
        "section": section, "performance": perf,
        "price_range": range_text(span),
        "svg": mark_safe(section_svg(section, {z.pk: z.color for z in zones},  # noqa: S308 - built with escape()
                                     zone_prices(types, zones), stage_of(perf.venue_id))),
    })
    return _compressed(request, response)


def seat_states(request, pk: int):
    """Polled by the open seat map: the ids of seats no longer free, nothing else."""
    perf = get_object_or_404(announced(Performance.objects, request.user), pk=pk)
    taken = _cached_if_light(request, f"shop:light:taken:{perf.pk}",
                             lambda: taken_seats(perf, timezone.now(), Channel.ONLINE))
    return _compressed(request, render(request, "sales/_seat_states.html", {"taken": taken}))


@require_POST
def hold(request, pk: int):
    if (to_queue := _behind_queue(request, pk)) is not None:
        return to_queue
    holder = _holder(request, pk)
    if wait := waiting_room.over_channel_limit(request, Channel.ONLINE, "holds", holder):
        messages.error(request, _too_many_attempts(wait))
        return redirect("shop:performance", pk=pk)
    perf = get_object_or_404(announced(Performance.objects, request.user), pk=pk)
    form = HoldForm(request.POST, performance=perf)
    by_number = not request.POST.get("seats")
    if not form.is_valid():
        said = [str(error) for errors in form.errors.values() for error in errors]
        if by_number and set(form.errors) == {"quantity"}:
            return _quantity_refused(request, perf, " ".join(said), " ".join(said))
        for error in said:
            messages.error(request, error)
        return redirect("shop:performance", pk=perf.pk)
    data = form.cleaned_data
    previous = _basket(request)
    try:
        new = hold_create(performance=perf, channel=Channel.ONLINE, user=request.user,
                          owner_key=_owner_key(request), place_ids=data.get("seats") or None,
                          zone=data.get("zone"), section=data.get("section"),
                          quantity=data.get("quantity") if not data.get("seats") else None,
                          access_code=_access_code(request, perf.pk),
                          network=network_holds.holding_network(request, holder))
    except SalesError as exc:
        # The basket the shopper already had is kept.
        if isinstance(exc, PlacesUnavailable) and data.get("seats") and exc.detail.get("places"):
            return _not_held(request, perf, data["seats"], exc.detail["places"])
        said = _("Those seats could not be held: %(reason)s") % {"reason": exc.message}
        if by_number:
            return _quantity_refused(request, perf, str(exc.message), said)
        messages.error(request, said)
        return redirect("shop:performance", pk=perf.pk)
    replaced = [previous, *_baskets_of_pass(request, perf.pk, new.token)]
    for earlier in {hold.pk: hold for hold in replaced if hold is not None and hold.pk != new.pk}.values():
        if not hold_is_live(earlier):
            continue
        before = [str(p) for p in Place.objects.filter(hold=earlier).select_related("seat", "section")
                  .order_by("pk")]
        with contextlib.suppress(SalesError):  # it lapsed or was paid meanwhile: nothing to give back
            hold_give_back(hold=earlier)  # the new choice replaces the basket (not one being paid for)
            messages.info(request, _("Your basket holds one choice at a time: the places it held before "
                                     "(%(places)s) were released.") % {"places": ", ".join(before)})
    request.session[BASKET] = new.token
    request.session.pop(LAST_ORDER, None)
    return redirect("shop:basket")


def _quantity_refused(request, perf, said: str, at_the_top: str):
    """A number of tickets asked of a zone or a standing area, refused: the page opens with
    the reason under that form's field (which has the focus), what was typed kept, and the
    basket the shopper had kept too; `at_the_top` if that form is no longer there."""
    request.session[QUANTITY_REFUSED] = {
        "performance": perf.pk, "key": request.POST.get("section") or "best", "zone": request.POST.get("zone") or "",
        "quantity": (request.POST.get("quantity") or "")[:12], "error": said, "top": str(at_the_top)}
    return redirect("shop:performance", pk=perf.pk)


def _baskets_of_pass(request, perf_id: int, token: str) -> list[Hold]:
    """One admission, one basket, as through the API: `token` is now the basket of the
    waiting-room pass this request came with, and the basket it replaces is returned to be
    released. The session alone could not say it: holds sent at once from one session each
    find no basket before them (its last write wins); the pass's record is swapped in one
    step. Without Redis the session's basket is the one replaced."""
    replaced = []
    for queue_pass in passes_of(request, perf_id, _owner_key(request)):
        try:
            previous = waiting_room.pass_basket(perf_id, queue_pass, token)
        except redis.RedisError:
            logger.warning("the basket of a waiting-room pass could not be recorded", exc_info=True)
            continue
        if previous:
            replaced += Hold.objects.filter(token=previous, owner_key=_owner_key(request))
    return replaced


def _not_held(request, perf, picked: list[int], refused: dict):
    """Seats picked on the map, some taken meanwhile: say which, and open the map again
    on their section with the others still ticked (the basket the shopper had is kept)."""
    places = Place.objects.select_related("seat", "section").in_bulk(picked)
    gone = [places[pk] for pk in picked if pk in refused and pk in places]
    kept = [pk for pk in picked if pk not in refused]
    reasons = ", ".join(sorted({_(why) for why in refused.values()}))
    said = _("Not held: %(places)s (%(reasons)s).") % {"places": ", ".join(str(p) for p in gone), "reasons": reasons}
    if kept:
        said += " " + _("Your other choices are still ticked: hold them, or pick others.")
    messages.error(request, said)
    request.session[REPICK] = {"performance": perf.pk, "seats": kept}
    section = f"?section={gone[0].section_id}" if gone else ""
    return redirect(reverse("shop:performance", args=[perf.pk]) + section)


def _prices_form(hold, data=None) -> PricesForm:
    """The basket's price choices: a price type per place (comps are never offered online;
    a presale that names price types offers only those), and a promo code."""
    places = list(hold.places.filter(state="held").select_related("seat", "section", "price_zone").order_by("pk"))
    opened = frozenset()
    if hold.presale_code_id:
        opened = frozenset(PresaleCode.objects.get(pk=hold.presale_code_id).presale.price_types
                           .values_list("pk", flat=True))
    form = PricesForm(data, places=places, types=price_types_of(hold.performance_id), opened=opened, basis_apart=True)
    # Read with the error the page shows under it (the basket's promo-errors, swapped in by htmx).
    form.fields["promo_code"].widget.attrs["aria-describedby"] = "promo-errors"
    return form


def _lapsed(request, hold):
    request.session.pop(BASKET, None)
    if hold.performance.cancelled_at is not None:  # its page says so, and why
        messages.warning(request, _("This performance is cancelled: your seats were released."))
    elif hold.status != Hold.Status.SOLD:
        messages.warning(request, _("Your hold expired and the seats were released. Please choose again."))
    if request.htmx:  # a price change on a page whose hold has gone: the whole page moves on
        return HttpResponseClientRedirect(reverse("shop:performance", args=[hold.performance_id]))
    return redirect("shop:performance", pk=hold.performance_id)


@never_cache
def basket(request):
    """The basket: the held places, a price type for each, a promo code, the receipt, and
    checkout. POST (a price type or the code changed): the receipt again, priced by the
    server; with htmx, only the receipt and the messages above it. Never kept by the
    browser: Back after paying asks again, and is told the order is paid."""
    hold = _basket(request)
    now = timezone.now()
    if hold is None:
        if request.htmx:
            return HttpResponseClientRedirect(reverse("shop:basket"))
        paid = _still_kept(request, LAST_ORDER, now)  # Back after paying: the order, not a bare page
        return render(request, "shop/basket.html", {"hold": None, "paid": paid})
    if not hold_is_live(hold, now):
        return _lapsed(request, hold)
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in DETAIL_FIELDS}
        prices = _prices_form(hold, request.POST)
        keep_choices(request, hold, prices)
        return _render_basket(request, hold, CheckoutForm(initial=typed), now, prices)
    return _render_basket(request, hold, CheckoutForm(initial=_kept_details(request, now)), now,
                          _prices_form(hold, kept_choices(request, hold)))


def kept_for() -> timedelta:
    """How long the session keeps what a basket leaves behind (the details typed at a
    checkout whose hold lapsed, the order it became): a hold's time."""
    return policy_for(Channel.ONLINE).hold_for


def _keep_details(request, data: dict, now) -> None:
    request.session[DETAILS] = {**{k: data[k] for k in DETAIL_FIELDS},
                                "until": (now + kept_for()).timestamp()}


def _kept_details(request, now) -> dict | None:
    """The details kept after a lapse, if still kept; dropped from the session once not."""
    kept = _still_kept(request, DETAILS, now)
    return kept and {k: kept[k] for k in DETAIL_FIELDS}


def _still_kept(request, key: str, now=None) -> dict | None:
    """The session's `key` (kept with its "until"), if still kept; dropped once not."""
    kept = request.session.get(key)
    if kept is not None and kept.get("until", 0) <= (now or timezone.now()).timestamp():
        request.session.pop(key)
        return None
    return kept


def _priced(request, hold, prices: PricesForm, paying: bool = False):
    """The quote of the choices in `prices`, or None with the refusal on the form (see
    priced). Trying a promo code counts against the code tries of the address, or of the
    buyer's queue pass."""
    if (prices.is_bound and prices.is_valid() and prices.cleaned_data["promo_code"]
            and (wait := waiting_room.too_many_code_tries(request, _holder(request, hold.performance_id)))):
        prices.refused(SalesError(_too_many_attempts(wait), field="promo_code"))
        return None
    return priced(prices, hold, actor=request.user, paying=paying)


def _render_basket(request, hold, form, now, prices: PricesForm, status=200, quote=None):
    if quote is None and not prices.errors:
        quote = _priced(request, hold, prices)
    if prices.errors and status == 200:
        status = 400
    context = {
        "hold": hold, "form": form, "prices": prices,
        "receipt": receipt_of(quote, prices.places, prices.types) if quote is not None else None,
        "total": quote.total if quote is not None else None, "currency": quote.currency if quote else "",
        "errors": bool(form.errors or prices.errors),
        "error_title": _("The payment was not made:") if request.resolver_match.url_name == "checkout"
        else _("Check your tickets:"),
        "seconds_left": max(0, int((hold.expires_at - now).total_seconds())),
        # What is typed is kept in the tab until then: for a lapse's next basket (shop.js).
        "kept_for": max(0, int((hold.expires_at + kept_for() - now).total_seconds())),
        "more_time": more_time_left(hold),
        "nonce": secrets.token_urlsafe(16),
        **_card_field(),
    }
    if request.htmx:
        # 200 even with a refusal: htmx swaps only successful answers, and the refusal is
        # shown in the messages it sends.
        return render(request, "shop/basket.html#priced", {**context, "oob": True})
    return render(request, "shop/basket.html", context, status=status)


_card_field = card_field_context


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def card_field(request):
    """The payment provider's card field, in a frame of the shop's own pages (as the
    provider's fields are): its script touches nothing of the page around it."""
    return render(request, "shop/card_field.html", _card_field())


def basket_status(request):
    """Polled by the countdown: tells the page when the hold has lapsed."""
    hold = _basket(request)
    # A page showing a basket another window has since replaced: its places were released.
    shown = request.GET.get("basket")
    live = hold is not None and hold_is_live(hold) and shown in (None, str(hold.pk))
    return render(request, "shop/basket.html#status", {"hold": hold, "live": live})


@require_POST
def basket_release(request):
    hold = _basket(request)
    if hold is not None and hold.status == Hold.Status.ACTIVE:
        try:
            hold_give_back(hold=hold)
        except HoldNotActive:  # released already (a second click), or lapsed
            pass
        except SalesError:  # an order is being paid for on it (the bank's step): its seats stay
            messages.error(request, _("These seats are being paid for (your bank's step, in another window): "
                                      "finish that payment, or let it lapse, first."))
            return redirect("shop:basket")
        messages.info(request, _("Your seats were released."))
    request.session.pop(BASKET, None)
    return redirect("shop:events")


def more_time_left(hold: Hold) -> bool:
    """Whether the basket's hold may still be given more time (its channel's longest hold)."""
    return hold.expires_at < hold.created_at + policy_for(hold.channel).max_hold


@require_POST
def basket_extend(request):
    """More time on the basket's hold, asked from the last minute's warning (WCAG's
    adjustable time limits), up to the channel's longest hold. With htmx, the page is told
    the seconds left and what to say (the event `hold-extended`), and the buyer stays where
    they were typing; without, the basket again with the message."""
    hold = _basket(request)
    if hold is None:
        return HttpResponseClientRedirect(reverse("shop:basket")) if request.htmx else redirect("shop:basket")
    now = timezone.now()
    if not hold_is_live(hold, now):
        return _lapsed(request, hold)
    try:
        hold = hold_extend(hold=hold, now=now)
    except HoldNotActive:
        return _lapsed(request, hold)
    except SalesError:
        said, extended = _("Your seats cannot be held any longer: pay now, or they are released."), False
    else:
        minutes = round((hold.expires_at - now).total_seconds() / 60)
        said, extended = ngettext("Your seats are now held for %(n)d minute.",
                                  "Your seats are now held for %(n)d minutes.", minutes) % {"n": minutes}, True
    if request.htmx:
        response = HttpResponse()  # nothing to swap (hx-swap="none"): the event says it
        return trigger_client_event(response, "hold-extended", {
            "seconds": max(0, int((hold.expires_at - now).total_seconds())), "said": said,
            "extended": extended, "more": more_time_left(hold)})
    (messages.success if extended else messages.error)(request, said)
    return redirect("shop:basket")


@never_cache  # its answer (the bank's question, a refusal) is not for Back to show again
def checkout(request):
    if request.method != "POST":  # the address bar after a refused payment, opened again: the basket
        return redirect("shop:basket")
    hold = _basket(request)
    now = timezone.now()
    if hold is None:
        paid = _still_kept(request, LAST_ORDER, now)
        if paid:  # a basket page from before the payment (the back button): that order, not a second one
            messages.info(request, _("This basket is already paid: here is your order."))
            return redirect("shop:order", code=paid["code"], token=paid["token"])
        messages.error(request, _("Your basket is empty."))
        return redirect("shop:events")
    # Seats held while the pass was good are paid for even once it has ended: a buyer
    # paying is not sent back to the queue (a lapsed hold still needs a pass, then a new hold).
    if not hold_is_live(hold, now) and (to_queue := _behind_queue(request, hold.performance_id)) is not None:
        return to_queue
    if request.POST.get("basket", str(hold.pk)) != str(hold.pk):
        # A page of a basket another window has since replaced: never the new places at its price.
        messages.error(request, _("Your basket changed in another window; nothing was paid. These are the "
                                  "places in it now."))
        return redirect("shop:basket")
    form, prices = CheckoutForm(request.POST), _prices_form(hold, request.POST)
    keep_choices(request, hold, prices)
    if wait := waiting_room.over_channel_limit(request, Channel.ONLINE, "payments",
                                               _holder(request, hold.performance_id)):
        form.add_error(None, _too_many_attempts(wait))
        response = _render_basket(request, hold, form, now, prices, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not (form.is_valid() & prices.is_valid()):  # both, so that every error shows at once
        return _render_basket(request, hold, form, now, prices, status=400)
    data = form.cleaned_data
    key = f"shop:{hold.token}:{request.POST.get('nonce', '')[:40]}"
    quote = None
    # What the page showed is what is charged: choices changed since the receipt was last
    # computed (without JavaScript, say) show the new receipt first. A retry of a payment
    # already made is answered as the first was (order_place, by its key).
    if not Order.objects.filter(idempotency_key=key).exists():
        quote = _priced(request, hold, prices, paying=True)
        if quote is None or prices.errors:
            changed = quote is not None and not prices.errors.get("promo_code")
            return _render_basket(request, hold, form, now, prices, status=409 if changed else 400, quote=quote)
    try:
        order = _place_replacing(
            key, hold=hold, actor=request.user,
            customer=CustomerDetails(name=data["name"], email=data["email"], phone=data["phone"]),
            payment=PaymentRequest(method="card", token=data["card_token"]), prices=prices.price_request(),
        )
    except InProgress:  # another tab is paying for these seats
        form.add_error(None, _("Your payment is being processed; please wait a moment and reload."))
        return _render_basket(request, hold, form, now, prices, status=409, quote=quote)
    except PaymentActionRequired as exc:  # the bank asks the cardholder: the provider's script does it
        order = Order.objects.get(code=exc.detail["order"])
        return render(request, "shop/bank_step.html", {
            "order": order, "client_secret": exc.detail["client_secret"], **_card_field()})
    except PaymentDeclined as exc:
        form.add_error("card_token", declined(exc))
        return _render_basket(request, hold, form, now, prices, status=402, quote=quote)
    except ProviderUnavailable:
        form.add_error("card_token", PROVIDER_SILENT)
        return _render_basket(request, hold, form, now, prices, status=503, quote=quote)
    except InvalidRequest as exc:
        if exc.detail.get("field") in ("name", "email", "phone"):  # the buyer's details, refused by the service
            form.add_error(exc.detail["field"], exc.message)
            return _render_basket(request, hold, form, now, prices, status=400, quote=quote)
        if exc.detail.get("field") != "card":
            prices.refused(exc)
            return _render_basket(request, hold, form, now, prices, status=400)
        form.add_error("card_token", CARD_UNUSABLE)
        return _render_basket(request, hold, form, now, prices, status=400, quote=quote)
    except HoldNotActive as exc:
        request.session.pop(BASKET, None)
        _keep_details(request, data, now)
        messages.error(request, capfirst(exc.message))
        return redirect("shop:performance", pk=hold.performance_id)
    except SalesError as exc:
        prices.refused(exc)
        return _render_basket(request, hold, form, now, prices, status=400)
    if order.status == Order.Status.PENDING:  # a second click while the first is being charged
        form.add_error(None, _("Your payment is being processed; please wait a moment and reload."))
        return _render_basket(request, hold, form, now, prices, status=409, quote=quote)
    if order.idempotency_key != key:  # the payment left at the bank went through after all
        messages.info(request, _("Your bank confirmed your earlier payment: here is your order. Nothing more "
                                 "was charged."))
    return _paid(request, order)


def _paid(request, order: Order):
    """The basket is paid by `order`: emptied, and the buyer sent to their order."""
    request.session.pop(BASKET, None)
    request.session.pop(DETAILS, None)
    request.session.pop(CHOICES, None)
    request.session[LAST_ORDER] = {"code": order.code, "token": order.access_token,
                                   "until": (timezone.now() + kept_for()).timestamp()}
    return _thanked(request, order)


def _thanked(request, order: Order):
    """To the order just paid, thanked once (its page, opened again later from the email's
    link, says no thank-you)."""
    messages.success(request, _("Thank you! Your tickets are below; a confirmation was sent to %(email)s.")
                     % {"email": order.customer.email})
    return redirect("shop:order", code=order.code, token=order.access_token)


# How long a second click on Pay waits for the first click's payment before saying it is
# under way: a card payment is answered within a second or two.
SETTLE_WAIT = 10.0


def _place_once(key: str, **order) -> Order:
    """order_place with the basket form's key. The browser shows the answer to the last
    request it sent: a second click while the first is being charged charges nothing,
    waits for the first's outcome, and answers as it does (its order, or its refusal)."""
    try:
        placed = order_place(idempotency_key=key, **order)
    except InProgress:
        if not Order.objects.filter(idempotency_key=key).exists():
            raise  # another key (another tab) is paying for these seats
        placed = None
    if placed is None or placed.status == Order.Status.PENDING:
        _ask_the_bank_again(Order.objects.filter(idempotency_key=key).first())  # no need to wait for it
        deadline = time.monotonic() + SETTLE_WAIT
        while (time.monotonic() < deadline
               and Order.objects.filter(idempotency_key=key, status=Order.Status.PENDING).exists()):
            time.sleep(0.2)
        placed = order_place(idempotency_key=key, **order)  # the first's answer now
        _ask_the_bank_again(placed)
    return placed


def _place_replacing(key: str, *, hold: Hold, **order) -> Order:
    """_place_once; and if another payment of this basket stands in the way, left at the
    bank's question, that payment is given up for this one, or, if it went through after
    all, its order is the answer (settling.give_way)."""
    try:
        return _place_once(key, hold=hold, **order)
    except InProgress as busy:
        paid = give_way(hold, key, busy)
        if paid is not None:
            return paid
    return _place_once(key, hold=hold, **order)


def _ask_the_bank_again(order: Order | None) -> None:
    """The first request was answered with the bank's question: the same question here
    (PaymentActionRequired). A provider that does not answer just now is no answer: the
    page then says the payment is being processed."""
    if order is not None:
        with contextlib.suppress(ProviderUnavailable):
            bank_question(order)


@never_cache
@require_POST
def confirm_payment(request, code: str):
    """After the bank's question: the order is finished as the provider says (paid, or
    failed with the seats still held until the hold lapses). Only the holder of the
    payment's client secret may ask."""
    order = Order.objects.filter(code=code.upper()).first()
    # Each answer asks the provider about a secret: counted on the buyer's valid queue pass
    # for the order's performance, else on the address, as the API's are; unknown codes too.
    if wait := waiting_room.too_many_confirmations(request,
                                                   _holder(request, order.performance_id) if order else None):
        return refusal(request, 429, "rate_limited", _too_many_attempts(wait),
                       title=_("Too many attempts"), links=[("/", _("Back to the shop"))], Retry_After=str(wait))
    if order is None:
        raise Http404(_("No such order"))
    try:
        order = payment_confirmed(order=order, client_secret=request.POST.get("client_secret", "")[:255])
    except NotFound:
        raise Http404(_("No such order")) from None
    except ProviderUnavailable:
        # The secret could not be checked: whoever asked is not known to hold the order,
        # so nothing of it is shown (its payment page's address is its private link).
        return refusal(request, 503, "payment_provider_unavailable",
                       _("The payment provider did not answer; please wait a moment and reload."),
                       title=_("The payment provider did not answer"), links=[("/", _("Back to the shop"))])
    in_buyers_language(request, order.language)  # the page it leads to speaks it: what is said there too
    if order.status == Order.Status.PAID:
        if order.hold_id is not None and Hold.objects.filter(
                pk=order.hold_id, token=request.session.get(BASKET) or "").exists():
            return _paid(request, order)  # this basket's: Back and Pay then lead to it, as after a card paid at once
        return _thanked(request, order)  # a payment link's: the basket the shopper may have stays theirs
    if order.status == Order.Status.RESERVED:  # paid through its payment link: back to it
        if order.payment_intent:
            messages.info(request, _("Your bank has not answered yet; please wait a moment and reload."))
        else:
            messages.error(request, _("The payment was not made: your bank did not confirm it. "
                                      "Your seats are still held until the deadline."))
        return redirect("shop:order-pay", code=order.code, token=order.access_token)
    if order.status == Order.Status.PENDING:
        try:  # answered too early, or the bank's box was closed: the bank's question again
            bank_question(order)
        except PaymentActionRequired as exc:
            return render(request, "shop/bank_step.html", {
                "order": order, "client_secret": exc.detail["client_secret"], **_card_field(),
                "notice": _("Your bank has not answered yet: answer its question, then press the button.")})
        except ProviderUnavailable:
            pass
        messages.info(request, _("Your bank has not answered yet; please wait a moment and reload."))
    elif order.hold_id is not None and (
            paid := Order.objects.filter(hold_id=order.hold_id, status=Order.Status.PAID).first()) is not None:
        # Given up for another card, which paid for the same seats: that order is theirs.
        if paid.pk != order.pk and (_still_kept(request, LAST_ORDER) or {}).get("code") == paid.code:
            messages.info(request, _("This payment was replaced by your payment with another card: here is your "
                                     "order."))
            return redirect("shop:order", code=paid.code, token=paid.access_token)
        messages.error(request, _("The payment was not made: %(reason)s.")
                       % {"reason": after_a_colon(declined_because(order.failure_reason))})
    else:
        messages.error(request, _("The payment was not made: %(reason)s. Your seats are still held.")
                       % {"reason": after_a_colon(declined_because(order.failure_reason))})
    return redirect("shop:basket")


def _order(code: str, token: str) -> Order:
    order = Order.objects.select_related("customer", "performance__event", "performance__venue").filter(
        code=code.upper()).first()
    # Constant-time compare; a wrong token looks exactly like an unknown order.
    if order is None or not secrets.compare_digest(order.access_token.encode(), token.encode()):
        raise Http404(_("No such order"))
    return order


# Per address, a minute; per mailbox, an hour: enough for a buyer who mistyped, too few to
# fill someone's inbox.
FIND_PER_MINUTE, FIND_PER_MAILBOX_HOUR = 5, 3


@never_cache
def find_orders(request):
    """A buyer who lost their confirmation: the links to their orders, emailed to the
    address they bought with (never shown here: only that inbox may open them)."""
    form, errors, sent, status = FindOrdersForm(request.POST or None), [], "", 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if settings.RATE_LIMITS and (
                waiting_room.rate_limited("find", waiting_room.client_network(request), limit=FIND_PER_MINUTE)
                or waiting_room.rate_limited("find-mailbox", mailbox(email), limit=FIND_PER_MAILBOX_HOUR,
                                             window=3600)):
            errors, status = [_("Too many requests for this address; wait a while, then ask again.")], 429
        else:
            try:
                send_orders_found(email)
            except Exception:  # noqa: BLE001 - the mail server's failure is said, not a 500
                logger.exception("the orders found could not be emailed")
                errors, status = [_("The email could not be sent just now; please try again in a moment.")], 503
            else:
                sent, form = email, FindOrdersForm()
    elif request.method == "POST":
        status = 400
    return render(request, "shop/find_orders.html", {"form": form, "errors": errors, "sent": sent}, status=status)


def in_buyers_language(request, language: str) -> None:
    """A page opened from an email (an order's, a ballot application's) speaks the language
    the email spoke, `language`, unless the reader chose one on this site."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def order_detail(request, code: str, token: str):
    order = _order(code, token)
    in_buyers_language(request, order.language)
    tickets = order.tickets.select_related("place__seat", "place__section")
    # After its day, as the door counts it: its tickets no longer let anyone in.
    over = off_day(order.performance, timezone.now()) == "after"
    return render(request, "shop/order.html", {"order": order, "tickets": tickets, "over": over})


# A buyer's own order's email, sent again: per order, an hour (as many as a buyer who
# cannot find it needs); per client address, a minute.
RESEND_PER_ORDER_HOUR, RESEND_PER_MINUTE = 3, 5


@never_cache
@require_POST
def order_resend(request, code: str, token: str):
    """The order's confirmation (its tickets attached) emailed again by the worker, to the
    address the order was bought with, never another."""
    order = _order(code, token)
    in_buyers_language(request, order.language)
    if order.status != Order.Status.PAID or order.performance.cancelled_at is not None:
        messages.error(request, _("This order no longer has valid tickets to send."))
    elif settings.RATE_LIMITS and (
            waiting_room.rate_limited("resend", waiting_room.client_network(request), limit=RESEND_PER_MINUTE)
            or waiting_room.rate_limited("resend-order", order.code, limit=RESEND_PER_ORDER_HOUR, window=3600)):
        messages.error(request, _("Your tickets were already sent several times in the last hour; try again "
                                  "later."))
    else:
        try:
            resend_confirmation(order)
        except SalesError:  # refunded since the page was shown
            messages.error(request, _("This order no longer has valid tickets to send."))
        else:
            messages.success(request, _("Your tickets are being sent again to %(email)s.")
                             % {"email": order.customer.email})
    return redirect("shop:order", code=order.code, token=order.access_token)


@never_cache  # Back after paying asks again, and finds the order paid
def order_pay(request, code: str, token: str):
    """A reservation paid by the customer through the link they were emailed: the card in
    the provider's field, as at checkout."""
    order = _order(code, token)
    in_buyers_language(request, order.language)
    if order.status == Order.Status.PAID:
        return redirect("shop:order", code=order.code, token=order.access_token)
    errors, status, wait = [], 200, 0
    if request.method == "POST" and order.status == Order.Status.RESERVED:
        card = (request.POST.get("card_token") or "")[:255]
        if wait := waiting_room.over_channel_limit(request, Channel.ONLINE, "payments"):
            errors, status = [_too_many_attempts(wait)], 429
        elif not card:
            errors, status = [card_missing(request.POST)], 400
        else:
            try:
                order = order_pay_by_link(order=order, access_token=token,
                                          payment=PaymentRequest(method="card", token=card))
            except PaymentActionRequired as exc:
                return render(request, "shop/bank_step.html", {
                    "order": order, "client_secret": exc.detail["client_secret"], **_card_field()})
            except PaymentDeclined as exc:
                errors, status = [declined(exc)], 402
            except ProviderUnavailable:
                errors, status = [PROVIDER_SILENT], 503
            except InProgress:
                errors, status = [_("A payment of this reservation is already under way (your bank may be "
                                    "asking you to confirm it). Wait a few minutes, then reload.")], 409
            except ReservationLapsed:  # nothing charged: the page says the deadline passed by itself
                errors, status = [], 409
            except HoldNotActive as exc:  # a payment paid back (its seats gone as it was taken), in its own words
                errors, status = [exc.message], 409
            except InvalidRequest as exc:
                errors, status = [CARD_UNUSABLE if exc.detail.get("field") == "card" else exc.message], 400
            except SalesError as exc:
                errors, status = [exc.message], 409
            else:
                return _thanked(request, order)
        order.refresh_from_db()
    response = render(request, "shop/pay.html", {"order": order, "errors": errors, "now": timezone.now(),
                                                  "card_frame_url": reverse("shop:card-field"), **_card_field()},
                      status=status)
    if status == 429:
        response["Retry-After"] = str(wait)
    return response


def order_tickets_pdf(request, code: str, token: str):
    order = _order(code, token)
    if order.status != Order.Status.PAID:
        raise Http404(_("This order has no valid tickets"))
    response = HttpResponse(order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    return response



def order_calendar_file(request, code: str, token: str):
    """The performance of a paid order, for the buyer's calendar (sales.calendar)."""
    order = _order(code, token)
    if order.status != Order.Status.PAID or order.performance.cancelled_at is not None:
        raise Http404(_("This order has no valid tickets"))
    tickets = order.tickets.select_related("place__seat", "place__section").filter(status=Ticket.Status.VALID)
    response = HttpResponse(order_calendar(order, tickets), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{order.code}.ics"'
    return response
