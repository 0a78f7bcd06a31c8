"""The counter terminal: a clerk with a queue at the window. Keyboard first; every action
is one service call, recorded with the clerk."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Channel, Performance, PriceZone, Section, Venue
from sales.availability import seat_rows, taken_seats, zone_counts
from sales.channels.forms import (
    IdsField,
    PaymentForm,
    PricesForm,
    SaleStartForm,
    ShiftCloseForm,
    ShiftOpenForm,
    approver_of,
    exchange_asked,
    exchange_started,
    first_error,
    from_price,
    keep_choices,
    kept_choices,
    paid_back_since,
    picked_on_map,
    price_types_of,
    price_types_prefetched,
    priced,
    receipt_of,
    refund_asked,
    refund_back,
    section_prices,
    tell_refunded,
    with_amounts,
    zone_prices,
)
from sales.channels.staff import (
    as_handed,
    exchange_offers,
    exchange_refused,
    give_back,
    held_until,
    on_sale,
    performances_page,
    refund_question,
    role_required,
    sale_gone_words,
    search_query,
    ticked_payback,
    ticked_payback_page,
    to_page,
)
from sales.errors import InvalidRequest, SalesError, ShiftClosed
from sales.formatting import WALK_IN_EMAIL, day_label, money
from sales.holds import EXCHANGE_MARK, hold_create, hold_is_live, hold_release
from sales.models import Hold, Order, Payment, Place, Shift
from sales.order_receipt import paid_in_all
from sales.orders import (
    WALK_IN,
    CustomerDetails,
    buyer_or_walk_in,
    cash_handed_back,
    change_given,
    exchange_hold,
    exchange_quote,
    money_not_kept,
    order_email_to,
    order_exchange,
    order_pay_reservation,
    order_place,
    order_refund,
    payback_plan,
    refund_payback,
    tickets_refund,
)
from sales.policy import COUNTER_CLERK, cash_due, counted_row
from sales.reads import names_match
from sales.shifts import (
    seats_held_by,
    shift_cash,
    shift_check_holds,
    shift_close,
    shift_current,
    shift_differences,
    shift_expected,
    shift_open,
)
from sales.tickets import price_type_names, price_type_notes, tickets_printed, with_type_names
from sales.tickets_pdf import order_pdf as tickets_pdf

clerk_only = role_required(COUNTER_CLERK)
logger = logging.getLogger(__name__)
# What a refusal names when it is about the prices chosen rather than the money.
PRICE_FIELDS = ("promo_code", "comp_reason", "tickets")


def _valid(form):
    """The form's data, or a SalesError with its first error (shown like a refusal)."""
    if not form.is_valid():
        raise SalesError(first_error(form))
    return form.cleaned_data


@clerk_only
def home(request):
    shift = shift_current(request.user)
    if shift is None:  # opened, the drawer leads back to the page that asked for it (_open_shift_then)
        # Seats still held (the shift closed from another tab mid-sale) are released from here.
        return render(request, "counter/open_shift.html", {"next": _counter_page(request.GET.get("next")),
                                                           "in_progress": _in_progress(request)})
    now = timezone.now()
    # The soonest first: the queue at the window is mostly for tonight.
    found = performances_page(on_sale(Channel.COUNTER, now).prefetch_related(
        "price_zones", "venue__sections", price_types_prefetched()), request.GET, today=timezone.localdate(now))
    rows = []
    for perf in found.performances:
        counts = zone_counts(perf.pk, Channel.COUNTER)
        types = with_amounts(perf.price_types.all())
        rows.append({"performance": perf, "day": day_label(perf, now),
                     "zones": [(z, counts.get(z.pk, {}).get("available", 0), from_price(z, types) if types else None)
                               for z in perf.price_zones.all()],
                     "standing": [s for s in perf.venue.sections.all() if s.kind == Section.Kind.STANDING]})
    # The clerk's sales left open (the Sell key pressed mid-sale, a page closed): their
    # seats stay held until the hold lapses, so the way back to each is on this page.
    return render(request, "counter/home.html", {"shift": shift, "rows": rows, "found": found,
                                                 "in_progress": _in_progress(request, now)[:10]})


def _in_progress(request, now=None, **which) -> list[Hold]:
    """The clerk's sales left open (`which` of them), each with the exchange it is for (or None)."""
    exchanges = request.session.get(EXCHANGES, {})
    holds = list(seats_held_by(request.user, now).filter(**which)
                 .select_related("performance__event", "performance__venue"))
    for hold in holds:
        hold.exchange = _exchange_of(hold, exchanges)
    return holds


# The session that made an exchange's hold (marked EXCHANGE_MARK) keeps its page (with the tickets).
EXCHANGES = "counter_exchanges"  # in the session: {hold id: {"order": code, "page": url}}


def _exchange_of(hold: Hold, exchanges: dict) -> dict | None:
    """The exchange `hold` was made for, with the page that goes on with it (the order's
    page, from another session of the clerk), or None for a sale's hold."""
    if not hold.owner_key.startswith(EXCHANGE_MARK):
        return None
    code = hold.owner_key[len(EXCHANGE_MARK):]
    return exchanges.get(str(hold.pk)) or {"order": code, "page": reverse("counter:order", args=[code])}


def _counter_page(url) -> str:
    """`url` if it is one of the counter's own pages (where to go once the shift is open),
    else the empty string: never another site's, nor another channel's."""
    url = str(url or "")[:2000]
    home = reverse("counter:home")
    return url if url.startswith(home) and url_has_allowed_host_and_scheme(url, allowed_hosts=None) else ""


def _open_shift_then(page: str):
    """The form opening the clerk's shift, which then goes back to `page`."""
    return redirect(f"{reverse('counter:home')}?{urlencode({'next': page})}")


@clerk_only
@require_POST
def open_shift(request):
    then = _counter_page(request.POST.get("next"))
    form = ShiftOpenForm(request.POST)
    try:
        shift_open(clerk=request.user, cash_float=_valid(form)["cash_float"])
    except SalesError as exc:
        if form.is_valid() and exc.detail.get("field") != "cash_float":  # a shift opened elsewhere meanwhile
            messages.error(request, exc.message)
            return redirect(then or "counter:home")
        # The float as typed comes back in its field, with the focus and named by its error,
        # to be corrected rather than typed again (and with no click to get back into it).
        return render(request, "counter/open_shift.html", {
            "next": then, "in_progress": _in_progress(request), "float_error": exc.message,
            "typed": request.POST.get("cash_float", "")[:20]}, status=400)
    return redirect(then or "counter:home")


@clerk_only
@require_POST
def sale_new(request):
    if shift_current(request.user) is None:
        messages.error(request, _("Open a shift first."))
        return redirect("counter:home")
    form = SaleStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("counter:home")
    asked = form.cleaned_data
    perf = get_object_or_404(Performance, pk=asked["performance"])
    try:
        zone = section = None
        seats, quantity = asked["seats"], asked["quantity"] or 0
        if seats:
            quantity = None
        elif asked["section"] is not None:
            section = get_object_or_404(Section, pk=asked["section"])
        else:
            zone = get_object_or_404(PriceZone, pk=asked["zone"])
        hold = hold_create(performance=perf, channel=Channel.COUNTER, user=request.user,
                           place_ids=seats or None, zone=zone, section=section, quantity=quantity)
    except SalesError as exc:
        refused = {int(pk) for pk in (exc.detail.get("places") or {}) if str(pk).isdigit()}
        if not seats or not refused:
            messages.error(request, _("Nothing held: %(reason)s") % {"reason": exc.message})
            return redirect("counter:home")
        # Seats picked on the map: which were refused, and back to the map with the others.
        named = ", ".join(str(p) for p in Place.objects.filter(pk__in=refused, performance=perf)
                          .select_related("seat", "section").order_by("pk")[:10])
        messages.error(request, _("Nothing held: %(reason)s (%(seats)s). The other seats are still picked.")
                       % {"reason": exc.message, "seats": named})
        kept = ",".join(str(pk) for pk in seats if pk not in refused)
        return redirect(f"{reverse('counter:map', args=[perf.pk])}?{urlencode({'picked': kept})}")
    return redirect("counter:sale", hold_id=hold.pk)


def _own_hold(request, hold_id: int, **marked) -> Hold:
    """The clerk's own counter hold. Staff pages name a hold by its id, never by its token
    (a bearer secret for the API), so a URL seen over a shoulder or in a log gives nothing.
    `marked`: owner_key, for an exchange's hold, made for one order and no other."""
    return get_object_or_404(Hold.objects.select_related("performance__event", "performance__venue"), pk=hold_id,
                             channel=Channel.COUNTER, user=request.user, **marked)


def _sale_currency(places) -> str:
    """What a sale of these held places is priced in: their zones' currency."""
    return next((p.price_zone.currency for p in places if p.price_zone), settings.BOXOFFICE_CURRENCY)


@clerk_only
def sale(request, hold_id: int):
    """The sale of a hold: a price type per ticket (by keys), a promo code, comps with their
    reason, the totals as priced by the server, then the money. POST with action=quote (a
    choice changed; with htmx, only the totals come back) prices without selling."""
    hold = _own_hold(request, hold_id)
    shift = shift_current(request.user)
    if exchange := _exchange_of(hold, request.session.get(EXCHANGES, {})):  # not for sale: an exchange's seats
        return redirect(exchange["page"])
    sold = Order.objects.filter(hold=hold, status=Order.Status.PAID).first()
    if shift is None and sold is None and request.method != "POST" and hold_is_live(hold):
        # Closed meanwhile (from another tab), and the page merely opened again (a reload, a
        # restored tab): no seat changes on a GET. Once a shift is open the sale goes on;
        # its seats are released from there (_in_progress), or when the hold lapses.
        messages.error(request, _("Not sold: your shift was closed meanwhile. The seats stay held until %(time)s: "
                                  "open a shift to finish the sale, or release them.") % {"time": held_until(hold)})
        return _open_shift_then(reverse("counter:sale", args=[hold.pk]))
    if shift is None and sold is None:
        # Closed meanwhile (from another tab): no seat is left held by a drawer that is closed.
        if request.method == "POST":
            give_back(hold, request.user)
        messages.error(request, _("Not sold: your shift was closed meanwhile, and the seats were released. Open a "
                                  "shift and start the sale again."))
        return to_page(request, reverse("counter:home"))
    if sold is not None:  # a retried "Take payment": the sale went through the first time
        # Said again: the first answer, and its message, may be the one the browser dropped.
        messages.success(request, _sold_words(sold))
        return to_page(request, reverse("counter:order", args=[sold.code]))
    if not hold_is_live(hold):
        messages.error(request, sale_gone_words(
            hold, _("The hold lapsed; the seats were released. Start the sale again.")))
        return to_page(request, reverse("counter:home"))
    places = list(hold.places.filter(state="held").select_related("seat", "section", "price_zone").order_by("pk"))
    posted = request.method == "POST"
    prices = PricesForm(request.POST if posted else kept_choices(request, hold), places=places,
                        types=price_types_of(hold.performance_id), staff=True, basis_apart=True)
    if posted:
        keep_choices(request, hold, prices)
    errors, quote, order = [], None, None
    if posted and request.POST.get("action") != "quote":
        payment = PaymentForm(request.POST, currency=_sale_currency(places))
        charging = None  # the attempt's key, once its money may be taken
        try:
            _valid(payment)
            key = payment.attempt_key(f"counter:{hold.token}")
            # The same attempt again (a double press) is answered as the first, by its key.
            retry = Order.objects.filter(idempotency_key=key).exists()
            quote = None if retry else priced(prices, hold, actor=request.user, paying=True)
            if retry or (quote is not None and not prices.errors):
                charging = None if retry else key  # a retry takes nothing: the first press did
                order = order_place(hold=hold, customer=_buyer(request.POST), payments=payment.parts(),
                                    actor=request.user,
                                    shift=shift, idempotency_key=key, prices=prices.price_request(),
                                    language=payment.cleaned_data["language"] or hold.performance.venue.language)
        except SalesError as exc:
            if exc.detail.get("field") in PRICE_FIELDS:
                prices.refused(exc)
                quote = None  # not what these choices cost after all
            else:
                errors.append(exc.message)
                if not isinstance(exc, ShiftClosed):  # its message names the money to give back already
                    errors += _sale_not_kept(charging, payment)
        except Exception:
            # Not a refusal (the database gone mid-sale, a fault): what was taken was paid
            # back on the record (charging.undo_charges), and the clerk is told so, not shown
            # a server error with the customer's money in hand.
            logger.exception("counter sale of hold %s failed", hold.pk)
            connection.close_if_unusable_or_obsolete()
            errors.append(_("the sale could not be completed"))
            errors += _sale_not_kept(charging, payment)
            quote = None
        if order is not None:
            messages.success(request, _sold_words(order))
            return redirect("counter:order", code=order.code)
    if quote is None and not prices.errors:
        quote = priced(prices, hold, actor=request.user)
    context = {
        "hold": hold, "prices": prices, "errors": errors,
        "receipt": receipt_of(quote, places, prices.types) if quote is not None else None,
        "seconds_left": max(0, int((hold.expires_at - timezone.now()).total_seconds())),
        "attempt": timezone.now().strftime("%H%M%S%f"),
        "languages": settings.LANGUAGES,
        "buyer_language": request.POST.get("language") or hold.performance.venue.language,
        # What the sale is priced in: the change due is written in it, on the page and by its script.
        "currency": quote.currency if quote is not None else _sale_currency(places),
    }
    # Opened again with the choices last sent (kept_choices): a refusal of those is shown, not answered 400.
    status = 400 if posted and (errors or prices.errors) else 200
    if request.htmx and posted and request.POST.get("action") == "quote":
        # 200 even with a refusal: htmx swaps only successful answers, and the refusal is
        # shown in the totals it sends.
        return render(request, "sales/_staff_prices.html#totals", context)
    prices.focus_first_error()
    return render(request, "counter/sale.html", context, status=status)


@clerk_only
@require_POST
def sale_cancel(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    try:
        hold_release(hold=hold, actor=request.user)
        messages.success(request, _("The new seats were released.") if hold.owner_key.startswith(EXCHANGE_MARK)
                         else _("The seats were released."))
    except SalesError as exc:
        messages.info(request, exc.message)
    order = Order.objects.filter(code=str(request.POST.get("order") or "")[:20].upper()).first()
    return redirect("counter:order", code=order.code) if order else redirect("counter:home")


@clerk_only
def order(request, code: str):
    order = get_object_or_404(Order.objects.select_related("customer", "performance__event", "performance__venue"),
                              code=code.upper())
    tickets = with_type_names(list(order.tickets.select_related("place__seat", "place__section")))
    exchange_to, found = [], None
    if order.status == Order.Status.PAID:
        exchange_to, found = exchange_offers(Channel.COUNTER, order, request.GET, tickets)
    unused = [t for t in tickets if t.status == "valid" and not t.checked_in_at]
    by_ticket = order.performance.cancelled_at is None and (
        len(unused) > 1 or len(unused) < sum(t.status == "valid" for t in tickets))
    asked = refund_asked(request, reverse("counter:order", args=[order.code]))
    # What refunding the whole order hands back, worked out once for the page's two uses.
    payback = refund_payback(order) if order.status == Order.Status.PAID and not by_ticket else None
    return render(request, "counter/order.html", {
        "order": order, "tickets": tickets, "exchange_to": exchange_to, "found": found,
        "exchange_maps": [(perf, f"{reverse('counter:map', args=[perf.pk])}?exchange={order.code}")
                          for perf, _zones in exchange_to],
        # New seats the clerk still holds for an exchange of this order: released from here.
        "exchange_held": _in_progress(request, owner_key=f"{EXCHANGE_MARK}{order.code}"),
        "asked": exchange_asked(request.GET), "valid_tickets": unused,
        "refund_asked": asked,
        # Refunded by the ticket when there is a choice, or when some are already in: the
        # unused ones can still be refunded, not the whole order.
        # A cancelled performance's order is refunded whole.
        "refund_by_ticket": by_ticket,
        # The whole order's refund says what goes back (fees that are not refundable kept).
        "whole_back": _total(payback) if payback is not None else None,
        # Asked before anything is paid back: how much goes back, and how.
        "refund_question": refund_question(order, by_ticket, payback) if order.status == Order.Status.PAID else "",
        # With the tickets ticked (a refusal's, shown again): what they pay back.
        "ticked": ticked_payback(order, asked["tickets"] if asked else []) if by_ticket else None,
        # Refunded before its performance was cancelled, it kept fees: those go back too.
        "fees_back": (_handed_back(order) or None) if order.status == Order.Status.REFUNDED
        and order.performance.cancelled_at is not None else None,
        "payments": as_handed(order.payments.select_related("created_by")),
        "events": order.events.select_related("actor"), "walk_in": order.customer.email == WALK_IN_EMAIL,
        "due_in_cash": cash_due(order.total) if order.status == Order.Status.RESERVED else None})


def _handed_back(order: Order) -> Decimal:
    """What refunding the whole order hands back, as it changes hands: cash to the coin."""
    return _total(refund_payback(order))


def _total(payback: list[tuple[str, Decimal]]) -> Decimal:
    return sum((back for _way, back in payback), Decimal("0"))


def _buyer(posted) -> CustomerDetails:
    """Nobody in particular, unless the buyer wants their tickets by email: then their
    address, and their name if given."""
    email = posted.get("email", "").strip()[:300]
    if not email:
        return WALK_IN
    return buyer_or_walk_in(CustomerDetails(name=posted.get("name", "")[:300], email=email), walk_ins=True)


@clerk_only
@require_POST
def order_email(request, code: str):
    """A walk-in who wants their tickets by email: the order is given their address, and
    its confirmation (tickets and receipt) is sent to it."""
    order = get_object_or_404(Order.objects.select_related("customer"), code=code.upper())
    buyer = _buyer(request.POST)
    try:
        if buyer is WALK_IN:
            raise InvalidRequest(_("enter a valid email address"), field="email")
        order = order_email_to(order=order, actor=request.user, details=buyer)
    except SalesError as exc:
        messages.error(request, _("Not sent: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("The tickets are being emailed to %(email)s.") % {"email": order.customer.email})
    return redirect("counter:order", code=order.code)


@clerk_only
@require_POST
def order_exchange_start(request, code: str):
    """Hold the new seats for an exchange (best available in a zone, or picked on the map),
    then confirm the exchange on its own page."""
    order = get_object_or_404(Order, code=code.upper())
    # Refused, the order page comes back with the choices as they were made.
    asked, back = exchange_started(request, reverse('counter:order', args=[order.code]))
    if asked is None:
        return back
    tickets = asked["tickets"]
    if shift_current(request.user) is None:  # as a sale: no seat held without a drawer to take the difference
        messages.error(request, _("Open your shift first, then hold the new seats again."))
        return _open_shift_then(back["Location"])
    try:
        # Marked as the order's exchange (EXCHANGE_MARK): its seats are never sold as a sale.
        where = ({"performance": get_object_or_404(Performance, pk=asked["performance"]), "place_ids": asked["seats"]}
                 if asked["seats"] else
                 {"zone": get_object_or_404(PriceZone.objects.select_related("performance"), pk=asked["zone"]),
                  "quantity": asked["quantity"]})
        hold, _quote = exchange_hold(order=order, ticket_ids=tickets, channel=Channel.COUNTER, user=request.user,
                                     owner_key=f"{EXCHANGE_MARK}{order.code}", **where)
    except SalesError as exc:
        messages.error(request, _("Nothing held: %(reason)s") % {"reason": exc.message})
        return back
    page = f"{reverse('counter:order-exchange', args=[order.code, hold.pk])}?tickets={','.join(map(str, tickets))}"
    # Its seats are held by the clerk as a sale's are: the counter's first page leads back to
    # the exchange, never to a sale of them (which would sell them as a second order).
    exchanges = dict(list(request.session.get(EXCHANGES, {}).items())[-20:])
    exchanges[str(hold.pk)] = {"order": order.code, "page": page}
    request.session[EXCHANGES] = exchanges
    return redirect(page)


@clerk_only
def order_exchange_view(request, code: str, hold_id: int):
    order = get_object_or_404(Order.objects.select_related("performance__event"), code=code.upper())
    hold = _own_hold(request, hold_id, owner_key=f"{EXCHANGE_MARK}{order.code}")
    tickets = IdsField().to_python(request.GET.getlist("tickets") + request.POST.getlist("tickets"))
    shift = shift_current(request.user)
    if shift is None and request.method != "POST" and hold_is_live(hold):
        # Closed meanwhile (from another tab), and the page merely opened again: as a sale's.
        messages.error(request, _("Not exchanged: your shift was closed meanwhile. The new seats stay held until "
                                  "%(time)s: open a shift to go on with the exchange, or release them; the customer "
                                  "keeps their tickets.") % {"time": held_until(hold)})
        return _open_shift_then(request.get_full_path())
    if shift is None:  # closed meanwhile (from another tab): no seat is left held by a drawer that is closed
        if request.method == "POST":
            give_back(hold, request.user)
        messages.error(request, _("Not exchanged: your shift was closed meanwhile, and the new seats were released; "
                                  "the customer keeps their tickets. Open a shift to exchange again."))
        return _open_shift_then(reverse("counter:order", args=[order.code]))
    errors = []
    try:
        quote = exchange_quote(order=order, ticket_ids=tickets, hold=hold)
    except SalesError as exc:  # the order or its tickets changed: these seats exchange nothing
        exchange_refused(request, hold, exc)
        return redirect("counter:order", code=order.code)
    if request.method == "POST":
        last = None
        try:
            approver = approver_of(request)
            if approver is None:
                raise SalesError(_("the supervisor's name or password is wrong, or they do not sign refunds"))
            payment = PaymentForm(request.POST, currency=order.currency)
            _valid(payment)
            last = order.payments.order_by("-pk").values_list("pk", flat=True).first() or 0
            order = order_exchange(order=order, ticket_ids=tickets, hold=hold, actor=request.user,
                                   approver=approver, shift=shift,
                                   payments=payment.parts() if quote.difference > 0 else None)
        except SalesError as exc:
            errors.append(exc.message)
            if last is not None:
                errors += _money_not_kept(order, payment, after=last, difference=True)
        except Exception:
            # Not a refusal (the database gone mid-exchange, a fault): nothing of the exchange
            # was written and its money was paid back on the record (exchanges.order_exchange,
            # charging.undo_charges). The clerk is told, never shown a server error.
            logger.exception("counter exchange of order %s failed", order.code)
            connection.close_if_unusable_or_obsolete()
            errors.append(_("the exchange could not be completed; nothing was changed"))
            if last is not None:
                errors += _money_not_kept(order, payment, after=last, difference=True)
        else:
            if quote.difference > 0 and any(part.method == "cash" for part in payment.parts()):
                note = _("Exchanged. Change due: %(change)s") % {"change": money(order.change_due, order.currency)}
            elif quote.difference > 0:
                note = _("Exchanged. %(amount)s paid.") % {"amount": money(quote.difference, quote.currency)}
            # Cash to the nearest coin, as it is counted out of the drawer: a cent or two back
            # in cash is no coin at all, and nothing to pay back, as the exchange's page said.
            elif quote.difference < 0 and order.payments.filter(pk__gt=last, amount__lt=0).exclude(cash=0).exists():
                back = sum(paid_back_since(request, order, after=last).values(), Decimal("0"))
                note = _("Exchanged. Pay back %(amount)s.") % {"amount": money(back, order.currency)}
            else:
                note = _("Exchanged, no difference to pay.")
            messages.success(request, note)
            return redirect("counter:order", code=order.code)
    old = with_type_names(list(order.tickets.select_related("place__seat", "place__section").filter(pk__in=tickets)))
    places = {p.pk: p for p in hold.places.filter(state="held").select_related("seat", "section", "price_zone")}
    names = price_type_names(hold.performance_id)  # the clerk's language, as the old tickets' above
    new = [(places.get(line.place_id), line, names.get(line.price_type_name, line.price_type_name))
           for line in quote.lines]
    # Cash as it will leave the drawer (to the coin, on the payment's running total).
    payback_to = [(paid, amount if (cash := cash_handed_back(paid, amount)) is None else cash)
                  for paid, amount in (payback_plan(order, -quote.difference) if quote.difference < 0 else [])]
    return render(request, "counter/exchange.html", {
        "order": order, "hold": hold, "old": old, "new": new, "quote": quote,
        "pay": quote.difference if quote.difference > 0 else None, "tickets": ",".join(map(str, tickets)),
        "payback": sum((amount for _paid, amount in payback_to), Decimal("0")) if payback_to else None,
        "errors": errors, "payback_to": payback_to,
        "seconds_left": max(0, int((hold.expires_at - timezone.now()).total_seconds())),
    }, status=400 if errors else 200)


def _money_not_kept(order: Order, payment, *, after: int, difference: bool = False) -> list[str]:
    """What a sale (or, `difference`, an exchange) refused after its money was taken tells
    the clerk to give back (charging's money_not_kept: the same words as every door's)."""
    return money_not_kept(cash=_cash_not_kept(order, payment, after=after),
                          terminal=_terminal_not_kept(order, after=after), difference=difference,
                          currency=order.currency)


def _sale_not_kept(key: str | None, payment) -> list[str]:
    """What a counter sale refused after its money was taken gives back: the order its
    attempt `key` made (a new one, None for a retry, which took nothing)."""
    order = Order.objects.filter(idempotency_key=key).first() if key else None
    return _money_not_kept(order, payment, after=0) if order is not None else []


def _cash_not_kept(order: Order, payment, *, after: int) -> Decimal:
    """The cash an exchange refused under the order's lock took for its difference and paid
    straight back on the record (sales.orders.charging.undo_charges), as the customer
    handed it over: still in the clerk's hand, owed to the customer. Nothing if the
    refusal came before any cash was taken."""
    taken = sum(order.payments.filter(pk__gt=after, method="cash", status=Payment.Status.REFUNDED, amount__gt=0)
                .values_list("amount", flat=True), Decimal("0"))
    tendered = payment.cleaned_data.get("tendered")
    return (tendered if tendered is not None else taken) if taken else Decimal("0")


def _terminal_not_kept(order: Order, *, after: int) -> Decimal:
    """What an exchange refused under the order's lock took on the card terminal for its
    difference and paid straight back on the record (sales.orders.charging.undo_charges):
    the terminal charged the customer's card all the same, and the clerk pays it back
    there. Nothing if the refusal came before the terminal's part was taken."""
    return sum(order.payments.filter(pk__gt=after, method=Payment.Method.CARD_TERMINAL,
                                     status=Payment.Status.REFUNDED, amount__gt=0)
               .values_list("amount", flat=True), Decimal("0"))


@clerk_only
@require_POST
def order_print(request, code: str):
    order = get_object_or_404(Order, code=code.upper(), status=Order.Status.PAID)
    tickets = tickets_printed(order=order, actor=request.user)
    clerk_language = translation.get_language()  # the slip's buttons, for the clerk, on screen only
    with translation.override(order.language):  # handed to the buyer: in their language
        with_type_names(tickets)
        paid = order.payments.filter(status=Payment.Status.APPROVED, amount__gt=0).order_by("pk")
        notes = price_type_notes(order.performance_id)
        for ticket in tickets:  # what the door will ask to see
            ticket.note = notes.get(ticket.price_type_name, "")
        return render(request, "counter/print.html", {"order": order, "tickets": tickets, "paid": paid,
                                                      "in_all": paid_in_all(order), "clerk_language": clerk_language})


@clerk_only
def order_pdf(request, code: str):
    """The same PDF as the shop's, for a customer who wants it at the counter."""
    order = get_object_or_404(Order, code=code.upper(), status=Order.Status.PAID)
    response = HttpResponse(tickets_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tickets-{order.code}.pdf"'
    return response


@clerk_only
def order_refund_payback(request, code: str):
    return ticked_payback_page(request, code)


@clerk_only
@require_POST
def order_refund_view(request, code: str):
    order = get_object_or_404(Order, code=code.upper())
    # Refused, the order page comes back with the tickets ticked as they were (and the
    # supervisor's name kept for it: only then).
    def back():
        return refund_back(request, reverse("counter:order", args=[order.code]))

    shift = shift_current(request.user)
    if shift is None:  # cash paid back comes out of a drawer that must be counted
        messages.error(request, _("Open a shift first."))
        return back()
    try:
        approver = approver_of(request)
    except SalesError as exc:
        messages.error(request, _("Not refunded: %(reason)s") % {"reason": exc.message})
        return back()
    if approver is None:
        messages.error(request, _("Not refunded: the supervisor's name or password is wrong, or they do not sign "
                                  "refunds."))
        return back()
    last = order.payments.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        if request.POST.get("tickets_given"):  # the tickets ticked on the order's page
            tickets = IdsField().to_python(request.POST.getlist("tickets"))
            order = tickets_refund(order=order, ticket_ids=tickets, actor=request.user, approver=approver,
                                   shift=shift)
        else:
            order = order_refund(order=order, actor=request.user, approver=approver, shift=shift)
    except SalesError as exc:
        messages.error(request, _("Not refunded: %(reason)s") % {"reason": exc.message})
        return back()
    # What to hand back, and how: the clerk counts it out of the drawer or the terminal.
    tell_refunded(request, order, after=last)
    return redirect("counter:order", code=order.code)


@clerk_only
@require_POST
def order_pay(request, code: str):
    """Take payment at the window for a phone reservation."""
    order = get_object_or_404(Order, code=code.upper())
    shift = shift_current(request.user)
    if shift is None:
        messages.error(request, _("Open a shift first."))
        return redirect("counter:order", code=order.code)
    try:
        # Cash, the card terminal, or both, as at a sale.
        form = PaymentForm(request.POST, currency=order.currency)
        _valid(form)
        order = order_pay_reservation(order=order, actor=request.user, shift=shift, payments=form.parts())
    except SalesError as exc:
        messages.error(request, _("Not paid: %(reason)s") % {"reason": exc.message})
        # What was typed comes back in its fields, to be corrected rather than typed again.
        typed = {k: request.POST.get(k, "")[:40] for k in ("tendered", "card_amount", "card_reference")}
        return redirect(f"{reverse('counter:order', args=[order.code])}?{urlencode(typed)}#reservation-payment")
    else:
        messages.success(request, _("Paid. Change due: %(change)s") % {
            "change": money(change_given(order), order.currency)} if _cash_taken(order) else _("Paid."))
    return redirect("counter:order", code=order.code)


def _cash_taken(order: Order) -> bool:
    return order.payments.filter(method=Payment.Method.CASH, status=Payment.Status.APPROVED,
                                 tendered__isnull=False).exists()


def _sold_words(order: Order) -> str:
    """What the clerk is told of a sale: the change to hand back when cash was taken (even
    none); paid on the card terminal alone, there is no change to speak of."""
    if _cash_taken(order):
        return _("Sold. Change due: %(change)s") % {"change": money(change_given(order), order.currency)}
    return _("Sold.")


LOOKUP_LIMIT = 25  # orders found at once: the latest


@clerk_only
def lookup(request):
    q = search_query(request)
    if q is None:
        return render(request, "counter/lookup.html", {"q": "", "orders": []}, status=400)
    orders, more = [], False
    # An order's code as typed from a slip or a confirmation opens that order (a failed
    # payment's too, which charged nothing and is found by its code only): a list of one
    # would be a page more, its link about ten Tabs away.
    exact = Order.objects.filter(code__iexact=q).values_list("code", flat=True).first() if q else None
    if exact:
        return redirect("counter:order", code=exact)
    if q:
        # Never a failed payment among a buyer's orders.
        orders = list(Order.objects.filter(~Q(status=Order.Status.FAILED) & (
                          Q(customer__email__iexact=q) | names_match("buyer_name", q)
                          | (Q(buyer_name="") & names_match("customer__name", q))))
                      .select_related("customer", "performance__event", "performance__venue")
                      .prefetch_related("payments")  # what a refunded order paid back
                      .order_by("-created_at")[:LOOKUP_LIMIT + 1])
        orders, more = orders[:LOOKUP_LIMIT], len(orders) > LOOKUP_LIMIT
        if len(orders) == 0:
            messages.error(request, _("No order matches “%(q)s”.") % {"q": q})
    # Each order says its performance: the venue's too where there are several.
    return render(request, "counter/lookup.html", {
        "q": q, "orders": orders, "more": more,
        "venues": bool(orders) and Venue.objects.all()[1:2].exists()})


@clerk_only
def close_shift(request):
    shift = shift_current(request.user)
    if shift is None:
        messages.error(request, _("You have no open shift."))
        return redirect("counter:home")
    errors, check, said = [], [], ""
    # The holds the clerk chose to release with the close: those the page listed.
    release = IdsField().to_python(request.POST.getlist("release")) if request.method == "POST" else []
    if request.method == "POST":
        try:
            counted = _valid(ShiftCloseForm(request.POST))
            # Seats still held by a sale in progress first: finished or released, before counting.
            shift_check_holds(clerk=request.user, release=release)
            # Counted blind, and kept blind: a count that differs from what the drawer should
            # hold is said to differ, and shown back as typed (never the amount expected), to
            # count again or to close with.
            said = f"{counted['counted_cash']}|{counted['counted_card']}"
            if request.POST.get("confirmed") != said:
                check = _count_differences(shift, counted)
            if not check:
                shift = shift_close(shift=shift, clerk=request.user, counted_cash=counted["counted_cash"],
                                    counted_card=counted["counted_card"], release=release)
        except SalesError as exc:
            errors.append(exc.message)
        else:
            if not check:  # "close and print the report": the report asks the printer once
                return redirect(reverse("counter:shift-report", kwargs={"pk": shift.pk}) + "?print=1")
    # Each sale still holding seats, with the way back to it; closing releases those listed.
    return render(request, "counter/close_shift.html", {
        "shift": shift, "errors": errors, "check": check, "confirm": said, "held": _in_progress(request)},
        status=400 if errors else 200)


def _count_differences(shift, counted) -> list[dict]:
    expected = shift_expected(shift)
    rows = [(_("Cash"), counted["counted_cash"], expected["cash"]),
            (_("Card terminal"), counted["counted_card"], expected["card_terminal"])]
    if any(value is None for _what, value, _expected in rows):
        return []  # shift_close says what is missing
    if all(value == should for _what, value, should in rows):
        return []
    # Which count is off, never by how much: the clerk knows what to count again.
    return [{"what": what, "counted": money(value), "differs": value != should} for what, value, should in rows]


@clerk_only
def shift_report(request, pk: int):
    shift = get_object_or_404(Shift, pk=pk, clerk=request.user)
    if shift.closed_at is None:
        # The drawer is counted blind (the close says only whether each count matches):
        # what the shift took is not shown before its count.
        return render(request, "counter/shift_report.html", {"shift": shift, "still_open": True}, status=409)
    payments = list(shift.payments.select_related("order__performance__venue").order_by("created_at"))
    for p in payments:  # as it changed hands: cash to the nearest coin, as the drawer's expected amount counts it
        p.counted = counted_row(p)
    return render(request, "counter/shift_report.html", {"shift": shift, "payments": payments,
                                                         "differences": shift_differences(shift),
                                                         "drawer": shift_cash(shift)})


@clerk_only
def seat_map(request, pk: int):
    """Pick seats on the map: for a new sale, or (with ?exchange=CODE&tickets=...) as the
    new seats of an exchange."""
    perf = get_object_or_404(Performance.objects.select_related("event", "venue"), pk=pk)
    seats, box = seat_rows(perf, timezone.now(), Channel.COUNTER)
    pick_url, pick_fields = reverse("counter:sale-new"), [("performance", perf.pk)]
    exchange = Order.objects.filter(code=(request.GET.get("exchange") or "").upper()).first()
    if exchange is not None:
        pick_url = reverse("counter:order-exchange-start", args=[exchange.code])
        pick_fields.append(("tickets", ",".join(map(str, IdsField().to_python(request.GET.getlist("tickets"))))))
    zones, types = list(perf.price_zones.all()), price_types_of(perf.pk)
    return render(request, "counter/map.html", {
        "performance": perf, "seats": seats, "box": box, "exchange": exchange,
        "zone_colors": {z.pk: z.color for z in zones}, "zone_prices": zone_prices(types, zones),
        # Each section from the price the counter's list says its zone sells from (from_price).
        "section_prices": section_prices(seats, zones, types),
        "states_url": reverse("counter:seat-states", args=[perf.pk]), "pick_url": pick_url,
        "pick_fields": pick_fields, "repick": picked_on_map(request, perf.ticket_limit)})


@clerk_only
def counter_seat_states(request, pk: int):
    perf = get_object_or_404(Performance, pk=pk)
    return render(request, "sales/_seat_states.html", {"taken": taken_seats(perf, timezone.now(), Channel.COUNTER)})
