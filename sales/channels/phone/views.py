"""The phone console: an operator with a caller on the line."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.db.models import F, Func, Q, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from events.models import Channel, Performance, PriceZone, Section
from sales.availability import seat_rows, taken_seats
from sales.channels.forms import (
    CardForm,
    CustomerForm,
    IdsField,
    NoteForm,
    PricesForm,
    ReserveForm,
    SaleStartForm,
    approver_of,
    card_field_context,
    card_missing,
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
from sales.errors import InvalidRequest, PaymentDeclined, ProviderUnavailable, SalesError
from sales.formatting import money, when
from sales.holds import EXCHANGE_MARK, hold_create, hold_extend, hold_is_live, hold_release, holds_live
from sales.models import Customer, Hold, Order, Payment, Ticket
from sales.notifications import resend_confirmation, send_payment_link
from sales.orders import (
    DEARER_AT_COUNTER,
    CustomerDetails,
    customer_note_add,
    customer_register,
    exchange_hold,
    exchange_quote,
    held_at_counter,
    order_cancel,
    order_exchange,
    order_pay_reservation,
    order_place,
    order_refund,
    order_reserve,
    payback_plan,
    refund_amounts,
    refund_payback,
    tickets_refund,
)
from sales.payments import PaymentRequest, after_a_colon
from sales.policy import PHONE_OPERATOR, policy_for, refunds_at_all
from sales.reads import names_match
from sales.tickets import price_type_names, with_type_names

logger = logging.getLogger(__name__)
operator_only = role_required(PHONE_OPERATOR)
# What a refusal names when it is about the prices chosen rather than the card or the deadline.
PRICE_FIELDS = ("promo_code", "comp_reason", "tickets")


@operator_only
def home(request):
    q = search_query(request)
    if q is None:
        return render(request, "phone/home.html", {"q": "", "customers": []}, status=400)
    customers = []
    if q.isalnum() and len(q) <= 40:  # the order code the caller reads from their email
        found = Order.objects.filter(code=q.upper()).values_list("code", flat=True).first()
        if found is not None:
            return redirect("phone:order", code=found)
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        match = Q(email__iexact=q) | names_match("name", q)
        if len(digits) >= 4:  # a number matches however it was typed: 418-555-0199, (418) 555 0199
            match |= Q(phone_digits__contains=digits[-7:])
        customers = (Customer.objects.annotate(phone_digits=Func(
            F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"))
            .filter(match).order_by("name")[:25])
    # Nobody on file: the New caller form starts with what was typed to find them.
    new = None if customers else new_caller(q)
    return render(request, "phone/home.html", {"q": q, "customers": customers, "new": new})


# A word of a phone number as people type it: 418, (418), 555-0199, +33, 06.12.34.
PHONE_WORD = re.compile(r"^\+?[\d().\-/]*\d[\d().\-/]*$")


def new_caller(typed: str) -> dict[str, str] | None:
    """The New caller form's fields from a search that found nobody: a word with an @ is
    the email, the words of a number (four digits or more, as the search reads a number)
    the phone, the rest the name ("Autre, Éric" as the search reads it: Éric Autre)."""
    words = typed.split()
    if not words:
        return None
    email = [word for word in words if "@" in word]
    phone = [word for word in words if "@" not in word and PHONE_WORD.match(word)]
    if sum(ch.isdigit() for word in phone for ch in word) < 4:
        phone = []
    name = " ".join(word for word in words if word not in email and word not in phone)
    last, comma, first = name.partition(",")
    if comma and first.strip() and last.strip() and "," not in first:
        name = f"{first.strip()} {last.strip()}"
    return {"name": name, "email": " ".join(email), "phone": " ".join(phone)}


@operator_only
@require_POST
def customer_create(request):
    form, asked_at = CustomerForm(request.POST), timezone.now()
    try:
        if not form.is_valid():
            raise SalesError(first_error(form))
        cust = customer_register(details=CustomerDetails(**form.cleaned_data))
    except SalesError as exc:
        # The form again with what the operator typed, and what to correct.
        messages.error(request, exc.message)
        return render(request, "phone/home.html", {"q": "", "customers": [], "new": {
            name: request.POST.get(name, "") for name in ("name", "email", "phone")}}, status=400)
    if cust.name.casefold() != form.cleaned_data["name"].casefold():
        messages.info(request, _("%(email)s is already the address of %(name)s: here is their page (nothing of "
                                 "it was changed).") % {"email": cust.email, "name": cust.name})
    elif cust.created_at >= asked_at:  # not one found again by their address
        messages.success(request, _("New caller added: %(name)s.") % {"name": cust.name})
    return redirect("phone:customer", pk=cust.pk)


def _callers_language(cust: Customer) -> str:
    """The language the caller is known to speak: the one they gave the phone, else the one
    they last ordered in (online too); empty if neither (the venue's is offered)."""
    return cust.language or cust.orders.order_by("-created_at").values_list("language", flat=True).first() or ""


@operator_only
def customer(request, pk: int):
    cust = get_object_or_404(Customer, pk=pk)
    now = timezone.now()
    found = performances_page(on_sale(Channel.PHONE, now).prefetch_related(
        "price_zones", "venue__sections", price_types_prefetched()), request.GET, today=timezone.localdate(now))
    performances = []
    for perf in found.performances:
        types = with_amounts(perf.price_types.all())
        zones = list(perf.price_zones.all())
        # A standing area that is a price zone of its own (a lawn) is offered once, as its zone.
        named = {z.name.casefold() for z in zones}
        standing = [s for s in perf.venue.sections.all()
                    if s.kind == Section.Kind.STANDING and s.name.casefold() not in named]
        performances.append((perf, [(z, from_price(z, types) if types else None) for z in zones], standing))
    return render(request, "phone/customer.html", {
        # A payment that failed (declined, the bank's step refused) charged nothing and is
        # no order of theirs to talk about: it stays in the admin's records.
        "customer": cust, "orders": cust.orders.exclude(status=Order.Status.FAILED)
                                     .select_related("performance__event", "performance__venue")
                                     .prefetch_related("payments")  # what a refunded order paid back
                                     .order_by("-created_at")[:20],
        "notes": cust.note_entries.select_related("author")[:20], "performances": performances, "found": found,
        # A sale left open (the call dropped, another page opened): the way back to its seats.
        # A reservation keeps its hold until its deadline: it is among the orders, not open.
        "held": Hold.objects.filter(owner_key=f"customer:{cust.pk}", channel=Channel.PHONE, status=Hold.Status.ACTIVE,
                                    expires_at__gt=now)
                                    .exclude(orders__status__in=(Order.Status.RESERVED, Order.Status.PAID))
                                    .select_related("performance__event", "performance__venue")
                                    .order_by("expires_at"),
        "language": _callers_language(cust), "languages": settings.LANGUAGES})


@operator_only
@require_POST
def note_add(request, pk: int):
    cust = get_object_or_404(Customer, pk=pk)
    form = NoteForm(request.POST)
    try:
        customer_note_add(customer=cust, text=form.cleaned_data["text"] if form.is_valid() else "",
                          actor=request.user)
    except SalesError as exc:
        messages.error(request, exc.message)
    return redirect("phone:customer", pk=cust.pk)


@operator_only
@require_POST
def sale_new(request, pk: int):
    cust = get_object_or_404(Customer, pk=pk)
    form = SaleStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("phone:customer", pk=cust.pk)
    asked = form.cleaned_data
    perf = get_object_or_404(Performance, pk=asked["performance"])
    if asked["language"] and asked["language"] != cust.language:  # the caller's, for this call and the next
        Customer.objects.filter(pk=cust.pk).update(language=asked["language"])
    try:
        seats = asked["seats"]
        zone = section = None
        if seats:
            pass
        elif asked["section"] is not None:
            section = get_object_or_404(Section, pk=asked["section"])
        else:
            zone = get_object_or_404(PriceZone, pk=asked["zone"])
        hold = hold_create(performance=perf, channel=Channel.PHONE, user=request.user,
                           owner_key=f"customer:{cust.pk}", place_ids=seats or None, zone=zone, section=section,
                           quantity=None if seats else asked["quantity"] or 0)
    except SalesError as exc:
        messages.error(request, _("Nothing held: %(reason)s") % {"reason": exc.message})
        return redirect("phone:customer", pk=cust.pk)
    return redirect("phone:sale", pk=cust.pk, hold_id=hold.pk)


def _order_of(hold: Hold) -> Order | None:
    return Order.objects.filter(hold=hold, status__in=(Order.Status.RESERVED, Order.Status.PAID)).first()


def _hold(request, pk: int, hold_id: int) -> Hold:
    """A phone hold taken for this caller (any operator may pick the call up). Named by its
    id, never by its token: see the counter's _own_hold."""
    return get_object_or_404(Hold.objects.select_related("performance__venue"), pk=hold_id, channel=Channel.PHONE,
                             owner_key=f"customer:{pk}")


@operator_only
def sale(request, pk: int, hold_id: int):
    """The caller's sale: a price type per ticket, a promo code, comps with their reason, the
    totals priced by the server; then the card by phone, or a reservation to pay later at
    these prices. POST with action=quote (a choice changed; with htmx, only the totals come
    back) prices without selling."""
    cust = get_object_or_404(Customer, pk=pk)
    hold = _hold(request, pk, hold_id)
    done = _order_of(hold)
    if done is not None:  # reserved or paid already (a retried submit lands here too)
        return to_page(request, reverse("phone:order", args=[done.code]))
    if not hold_is_live(hold):
        messages.error(request, sale_gone_words(hold, _("The hold lapsed; the seats were released.")))
        return to_page(request, reverse("phone:customer", args=[cust.pk]))
    errors = []
    details = CustomerDetails(name=cust.name, email=cust.email, phone=cust.phone)
    places = list(hold.places.filter(state="held").select_related("seat", "section", "price_zone").order_by("pk"))
    posted = request.method == "POST"
    prices = PricesForm(request.POST if posted else kept_choices(request, hold), places=places,
                        types=price_types_of(hold.performance_id), staff=True, basis_apart=True)
    if posted:
        keep_choices(request, hold, prices)
    quote = None
    if posted and request.POST.get("action") != "quote":  # pay (the default), or reserve
        form = ReserveForm(request.POST)
        try:
            if not form.is_valid():
                raise SalesError(first_error(form))
            asked = form.cleaned_data
            action = asked["action"] or "pay"
            deadline = _deadline(asked["deadline"], hold.performance) if action in ("reserve", "link") else None
            if deadline is None and not asked["card_token"]:
                raise SalesError(card_missing(request.POST, _("Type the caller's card into the card field.")))
            key = f"phone:{hold.token}:{asked['attempt'][:20]}"
            # The same payment again (a double press) is answered as the first, by its key.
            retry = deadline is None and Order.objects.filter(idempotency_key=key).exists()
            quote = None if retry else priced(prices, hold, actor=request.user, email=cust.email, paying=True)
            if retry or (quote is not None and not prices.errors):
                language = asked["language"] or cust.language or hold.performance.venue.language
                if deadline is not None:
                    order = order_reserve(hold=hold, customer=details, deadline=deadline, actor=request.user,
                                          prices=prices.price_request(), language=language)
                    messages.success(request, _("Reserved until %(when)s.") % {
                        "when": when(hold.performance.local(deadline), "D j M H:i")})
                    if action == "link":
                        _send_link(request, order)
                else:
                    order = order_place(hold=hold, customer=details, actor=request.user,
                                        payment=PaymentRequest(method="card_not_present", token=asked["card_token"]),
                                        idempotency_key=key, prices=prices.price_request(), language=language)
                    messages.success(request, _("Paid. The tickets are on their way to %(email)s.")
                                     % {"email": cust.email})
                return redirect("phone:order", code=order.code)
        except SalesError as exc:
            if exc.detail.get("field") in PRICE_FIELDS:
                prices.refused(exc)
                quote = None  # not what these choices cost after all
            else:
                errors.append(_refusal(exc))
    if quote is None and not prices.errors:
        quote = priced(prices, hold, actor=request.user, email=cust.email)
    context = {
        "customer": cust, "hold": hold, "prices": prices, "errors": errors, **_card_field(),
        "language": request.POST.get("language") or _callers_language(cust) or hold.performance.venue.language,
        "languages": settings.LANGUAGES,
        "receipt": receipt_of(quote, places, prices.types) if quote is not None else None,
        "seconds_left": max(0, int((hold.expires_at - timezone.now()).total_seconds())),
        "attempt": timezone.now().strftime("%H%M%S%f"), "deadline": _deadline_choices(hold.performance)}
    # Opened again with the choices last sent (kept_choices): a refusal of those is shown, not answered 400.
    status = 400 if posted and (errors or prices.errors) else 200
    if request.htmx and posted and request.POST.get("action") == "quote":
        # 200 even with a refusal: htmx swaps only successful answers, and the refusal is
        # shown in the totals it sends.
        return render(request, "sales/_staff_prices.html#totals", context)
    prices.focus_first_error()
    return render(request, "phone/sale.html", context, status=status)


DEADLINE_FORMAT = "%Y-%m-%dT%H:%M"  # a datetime-local field's value


def _deadline_choices(perf) -> dict:
    """The "Pay by" field's bounds (now, and the phone's longest reservation or the
    performance, whichever is first) and what it offers: three days on, at 18:00. On the
    venue's clock, as the confirmation, the order's page and the caller's email say it."""
    now = perf.local(timezone.now())
    latest = max(now, min(now + policy_for(Channel.PHONE).reservation_for,  # a show about to begin: no later
                          perf.local() - timedelta(minutes=1)))
    offered = min((now + timedelta(days=3)).replace(hour=18, minute=0, second=0, microsecond=0), latest)
    return {"min": now.strftime(DEADLINE_FORMAT), "max": latest.strftime(DEADLINE_FORMAT),
            "offered": offered.strftime(DEADLINE_FORMAT)}


def _deadline(raw: str | None, perf) -> datetime:
    """The deadline typed, read on the venue's clock (the field offers it so)."""
    try:
        naive = datetime.strptime((raw or "").strip(), DEADLINE_FORMAT)
    except ValueError:
        raise SalesError(_("Enter the payment deadline as a date and time.")) from None
    return timezone.make_aware(naive, perf.venue.zone)


@operator_only
@require_POST
def sale_extend(request, pk: int, hold_id: int):
    hold = _hold(request, pk, hold_id)
    try:
        hold = hold_extend(hold=hold, actor=request.user)
    except SalesError as exc:
        # A hold that lapsed (or whose performance was cancelled): the sale's page says which
        # once, and goes back to the caller; said here too, it would be said twice.
        if hold_is_live(hold):
            messages.error(request, exc.message)
    else:
        messages.success(request, _("The seats are held until %(time)s.") % {
            "time": when(hold.performance.local(hold.expires_at), "H:i")})
    return redirect("phone:sale", pk=pk, hold_id=hold_id)


@operator_only
@require_POST
def sale_release(request, pk: int, hold_id: int):
    hold = _hold(request, pk, hold_id)
    if (done := _order_of(hold)) is not None:
        messages.error(request, _("These seats are order %(code)s: cancel that order instead.") % {"code": done.code})
        return redirect("phone:order", code=done.code)
    try:
        hold_release(hold=hold, actor=request.user)
        messages.success(request, _("The seats were released."))
    except SalesError as exc:
        messages.info(request, exc.message)
    return redirect("phone:customer", pk=pk)


@operator_only
def order(request, code: str):
    order = get_object_or_404(Order.objects.select_related("customer", "performance__event"), code=code.upper())
    tickets = with_type_names(list(order.tickets.select_related("place__seat", "place__section")))
    context = {"order": order, "tickets": tickets, "events": order.events.select_related("actor"), **_card_field(),
               "payments": as_handed(order.payments.select_related("created_by")),
               "attempt": timezone.now().strftime("%H%M%S%f"),
               # New seats still held for an exchange of this order (by any operator, who may
               # pick the call up): released from here.
               "exchange_held": holds_live(channel=Channel.PHONE, owner_key=f"{EXCHANGE_MARK}{order.code}")
               .select_related("performance__venue")}
    if order.status == Order.Status.PAID:
        context.update(_refund_and_exchange(request, order, tickets))
    return render(request, "phone/order.html", context)


def _refund_and_exchange(request, order: Order, tickets: list) -> dict:
    """What the order's page offers a caller who paid: a refund to their card (whole, or the
    tickets they name), and an exchange to another performance of the event."""
    cancelled = order.performance.cancelled_at is not None
    unused = [t for t in tickets if t.status == "valid" and not t.checked_in_at]
    # Refunded by the ticket when there is a choice, or when some are already in; a
    # cancelled performance's order is refunded whole (as at the counter).
    by_ticket = not cancelled and (len(unused) > 1 or len(unused) < sum(t.status == "valid" for t in tickets))
    at_counter = held_at_counter(order)
    exchange_to, found = [], None
    # Not off a cancelled performance: its card orders are paid back in full by themselves
    # (refund_cancelled), and what the counter took, the counter pays back or exchanges.
    if not cancelled and unused:
        exchange_to, found = exchange_offers(Channel.PHONE, order, request.GET, tickets)
    asked = refund_asked(request, reverse("phone:order", args=[order.code]))
    whole = refund_amounts(order) if not by_ticket and not at_counter else None  # asked once for the page
    return {
        "valid_tickets": unused, "refund_by_ticket": by_ticket, "exchange_to": exchange_to, "found": found,
        # The new seats picked on a performance's map instead, for the caller of the order.
        "exchange_maps": [(perf, f"{reverse('phone:map', args=[order.customer_id, perf.pk])}?exchange={order.code}")
                          for perf, _zones in exchange_to],
        "at_counter": _at_counter_words(order, at_counter) if at_counter else "",
        "whole_back": whole[1] if whole else None,
        "refund_question": "" if at_counter else refund_question(
            order, by_ticket, refund_payback(order, whole) if whole else None),
        # An operator refunds nothing alone: the supervisor's fields are open from the start.
        "refunds_alone": refunds_at_all(request.user), "asked": exchange_asked(request.GET),
        "refund_asked": asked,
        # With the tickets ticked (a refusal's, shown again): what they pay back to the card.
        "ticked": ticked_payback(order, asked["tickets"] if asked else []) if by_ticket else None}


def _at_counter_words(order: Order, at_counter) -> str:
    """Why the phone does not refund this order: part of it was paid at the counter."""
    by_method: dict[str, Decimal] = {}
    for paid, back in at_counter:
        by_method[paid.get_method_display()] = by_method.get(paid.get_method_display(), Decimal("0")) + back
    return _("%(paid)s of this order was paid at the counter, and only the counter hands it back: send the caller "
             "to the counter to refund this order.") % {
        "paid": ", ".join(f"{method} {money(amount, order.currency)}" for method, amount in by_method.items())}


@operator_only
def order_refund_payback(request, code: str):
    return ticked_payback_page(request, code)


@operator_only
@require_POST
def order_refund_view(request, code: str):
    """Refund a paid order to the card it was paid with (the payment provider pays it back;
    no card number is asked): the whole order, or the tickets ticked. A supervisor signs
    for the operator. An order paid in part at the counter (cash, the card terminal) is
    refused whole: the counter refunds it, from a drawer."""
    order = get_object_or_404(Order, code=code.upper())
    last = order.payments.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        if at_counter := held_at_counter(order):
            raise SalesError(_at_counter_words(order, at_counter))
        approver = approver_of(request)
        if approver is None:
            raise SalesError(_("the supervisor's name or password is wrong, or they do not sign refunds"))
        if request.POST.get("tickets_given"):  # the tickets ticked on the order's page
            tickets = IdsField().to_python(request.POST.getlist("tickets"))
            order = tickets_refund(order=order, ticket_ids=tickets, actor=request.user, approver=approver)
        else:
            order = order_refund(order=order, actor=request.user, approver=approver)
    except SalesError as exc:
        messages.error(request, _("Not refunded: %(reason)s") % {"reason": exc.message})
        # The order page comes back with the tickets ticked as they were, to be signed again.
        return refund_back(request, reverse("phone:order", args=[order.code]))
    tell_refunded(request, order, after=last)
    messages.info(request, _("The card is paid back by the payment provider; %(email)s is emailed what was "
                             "paid back.") % {"email": order.customer.email})
    return redirect("phone:order", code=order.code)


@operator_only
@require_POST
def order_exchange_start(request, code: str):
    """Hold the new seats of an exchange (best available in a zone of a performance of the
    same event, or picked on its map), marked as this order's exchange, then confirm it on
    its own page."""
    order = get_object_or_404(Order, code=code.upper())
    # Refused, the order page comes back with the choices as they were made.
    asked, back = exchange_started(request, reverse('phone:order', args=[order.code]))
    if asked is None:
        return back
    tickets = asked["tickets"]
    try:
        # Marked as the order's exchange (EXCHANGE_MARK), as at the counter: never sold as a sale.
        if asked["seats"]:
            where = {"performance": get_object_or_404(Performance, pk=asked["performance"]),
                     "place_ids": asked["seats"]}
        else:
            zone = PriceZone.objects.select_related("performance").filter(pk=asked["zone"] or 0).first()
            if zone is None:
                raise SalesError(_("choose the zone of the new seats"))
            where = {"zone": zone, "quantity": asked["quantity"]}
        hold, quote = exchange_hold(order=order, ticket_ids=tickets, channel=Channel.PHONE, user=request.user,
                                    owner_key=f"{EXCHANGE_MARK}{order.code}", **where)
        more = quote.difference
        if more > 0:  # paid at the counter: the seats are not kept from others meanwhile
            hold_release(hold=hold, actor=request.user)
            raise SalesError(_("the new seats cost %(amount)s more; %(rule)s") % {
                "amount": money(more, order.currency), "rule": DEARER_AT_COUNTER})
    except SalesError as exc:
        messages.error(request, _("Nothing held: %(reason)s") % {"reason": exc.message})
        return back
    return redirect(f"{reverse('phone:order-exchange', args=[order.code, hold.pk])}?"
                    f"tickets={','.join(map(str, tickets))}")


def _exchange_hold(order: Order, hold_id: int) -> Hold:
    """A phone hold made for this order's exchange, and for no other (any operator may pick
    the call up, as a caller's sale)."""
    return get_object_or_404(Hold.objects.select_related("performance__event", "performance__venue"), pk=hold_id,
                             channel=Channel.PHONE, owner_key=f"{EXCHANGE_MARK}{order.code}")


@operator_only
def order_exchange_view(request, code: str, hold_id: int):
    """The exchange, confirmed with a supervisor's signature: to seats that cost the same, or
    less, the difference paid back to the card (a dearer one is paid at the counter)."""
    order = get_object_or_404(Order.objects.select_related("customer", "performance__event"), code=code.upper())
    hold = _exchange_hold(order, hold_id)
    tickets = IdsField().to_python(request.GET.getlist("tickets") + request.POST.getlist("tickets"))
    try:
        quote = exchange_quote(order=order, ticket_ids=tickets, hold=hold)
        payback_to = payback_plan(order, -quote.difference) if quote.difference < 0 else []
    except SalesError as exc:  # the order or its tickets changed: these seats exchange nothing
        exchange_refused(request, hold, exc)
        return redirect("phone:order", code=order.code)
    to_counter = [(paid, amount) for paid, amount in payback_to if paid.method in Payment.AT_COUNTER]
    errors = []
    if request.method == "POST":
        last = order.payments.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            if quote.difference > 0:
                raise SalesError(str(DEARER_AT_COUNTER))
            if to_counter:
                raise SalesError(_at_counter_words(order, to_counter))
            approver = approver_of(request)
            if approver is None:
                raise SalesError(_("the supervisor's name or password is wrong, or they do not sign refunds"))
            order = order_exchange(order=order, ticket_ids=tickets, hold=hold, actor=request.user,
                                   approver=approver)
        except SalesError as exc:
            errors.append(_refusal(exc))
        else:
            if quote.difference < 0:
                back = sum(paid_back_since(request, order, after=last).values(), Decimal("0"))
                note = _("Exchanged. %(amount)s paid back to the card.") % {"amount": money(back, order.currency)}
            else:
                note = _("Exchanged, no difference to pay.")
            messages.success(request, note)
            messages.info(request, _("The new tickets are on their way to %(email)s.") % {
                "email": order.customer.email})
            return redirect("phone:order", code=order.code)
    old = with_type_names(list(order.tickets.select_related("place__seat", "place__section").filter(pk__in=tickets)))
    places = {p.pk: p for p in hold.places.filter(state="held").select_related("seat", "section", "price_zone")}
    names = price_type_names(hold.performance_id)
    new = [(places.get(line.place_id), line, names.get(line.price_type_name, line.price_type_name))
           for line in quote.lines]
    return render(request, "phone/exchange.html", {
        "order": order, "hold": hold, "old": old, "new": new, "quote": quote, "errors": errors,
        "dearer": str(DEARER_AT_COUNTER) if quote.difference > 0 else "", "tickets": ",".join(map(str, tickets)),
        "payback": -quote.difference if quote.difference < 0 else None, "payback_to": payback_to,
        "at_counter": _at_counter_words(order, to_counter) if to_counter else "",
        "refunds_alone": refunds_at_all(request.user),
        "seconds_left": max(0, int((hold.expires_at - timezone.now()).total_seconds())),
    }, status=400 if errors else 200)


@operator_only
@require_POST
def order_exchange_release(request, code: str, hold_id: int):
    """Keep the old seats: the new ones go back on sale."""
    order = get_object_or_404(Order, code=code.upper())
    try:
        hold_release(hold=_exchange_hold(order, hold_id), actor=request.user)
    except SalesError as exc:
        messages.info(request, exc.message)
    else:
        if order.tickets.filter(status=Ticket.Status.VALID).exists():
            messages.success(request, _("The new seats were released; the caller keeps their tickets."))
        else:  # refunded from another screen while the new seats were held
            messages.success(request, _("The new seats were released."))
            messages.info(request, _("The tickets were refunded meanwhile: the caller has none left."))
    return redirect("phone:order", code=order.code)


@operator_only
@require_POST
def order_pay(request, code: str):
    """The caller pays their reservation by card, read out and typed into the provider's field."""
    order = get_object_or_404(Order, code=code.upper())
    form = CardForm(request.POST)
    try:
        if not form.is_valid():
            raise SalesError(first_error(form))
        if not form.cleaned_data["card_token"]:
            raise SalesError(card_missing(request.POST, _("Type the caller's card into the card field.")))
        order_pay_reservation(order=order, actor=request.user, payment=PaymentRequest(
            method="card_not_present", token=form.cleaned_data["card_token"]))
    except SalesError as exc:
        messages.error(request, _("Not paid: %(reason)s") % {"reason": _refusal(exc)})
    else:
        messages.success(request, _("Paid. The tickets are on their way to %(email)s.")
                         % {"email": order.customer.email})
    return redirect("phone:order", code=order.code)


@operator_only
@require_POST
def order_send_link(request, code: str):
    """Email the caller the link to pay their reservation themselves."""
    order = get_object_or_404(Order, code=code.upper())
    if order.status != Order.Status.RESERVED:
        messages.error(request, _("Only a reservation is paid through a link."))
    else:
        _send_link(request, order)
    return redirect("phone:order", code=order.code)


def _send_link(request, order: Order) -> None:
    try:
        send_payment_link(order, actor=request.user)
    except Exception:  # the mail server: the reservation stands, the link can be sent again
        logger.exception("payment link of order %s not sent", order.code)
        messages.error(request, _("The payment link could not be emailed; send it again from the order."))
    else:
        messages.success(request, _("The payment link was emailed to %(email)s.") % {"email": order.customer.email})


def _refusal(exc: SalesError) -> str:
    """A refusal as the operator tells the caller: the provider's failures in plain words."""
    if isinstance(exc, PaymentDeclined):
        return _("Payment declined: %(reason)s. The seats are still held.") % {"reason": after_a_colon(exc.message)}
    if isinstance(exc, ProviderUnavailable):
        return _("The payment provider did not answer, so nothing was sold; if it took the money, it is paid "
                 "back. The seats are still held: try again, or email a payment link.")
    if isinstance(exc, InvalidRequest) and exc.detail.get("field") == "card":
        return _("The payment provider could not use this card: type it again.")
    return exc.message


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@operator_only
def card_field(request):
    """The payment provider's card field, framed in the console (the shop's, served from
    the staff pages' own address)."""
    return render(request, "shop/card_field.html", card_field_context(by_phone=True))


def _card_field() -> dict:
    return {"card_frame_url": reverse("phone:card-field"), **card_field_context(by_phone=True),
            "card_help": _("Type the card the caller reads out into the payment provider's field: it never "
                           "reaches the box office.")}


@operator_only
@require_POST
def order_cancel_view(request, code: str):
    order = get_object_or_404(Order, code=code.upper())
    try:
        order_cancel(order=order, actor=request.user)
    except SalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cancelled; the seats are back on sale."))
    return redirect("phone:order", code=order.code)


@operator_only
@require_POST
def order_resend(request, code: str):
    order = get_object_or_404(Order, code=code.upper(), status=Order.Status.PAID)
    resend_confirmation(order)
    messages.success(request, _("The confirmation will be sent again to %(email)s.") % {"email": order.customer.email})
    return redirect("phone:order", code=order.code)


@operator_only
def seat_map(request, pk: int, perf_pk: int):
    cust = get_object_or_404(Customer, pk=pk)
    perf = get_object_or_404(Performance.objects.select_related("event", "venue"), pk=perf_pk)
    seats, box = seat_rows(perf, timezone.now(), Channel.PHONE)
    pick_url, pick_fields = reverse("phone:sale-new", args=[cust.pk]), [("performance", perf.pk)]
    # With ?exchange=CODE&tickets=...: the new seats of an exchange of this caller's order.
    exchange = Order.objects.filter(code=(request.GET.get("exchange") or "").upper()[:20], customer=cust).first()
    if exchange is not None:
        pick_url = reverse("phone:order-exchange-start", args=[exchange.code])
        pick_fields.append(("tickets", ",".join(map(str, IdsField().to_python(request.GET.getlist("tickets"))))))
    zones, types = list(perf.price_zones.all()), price_types_of(perf.pk)
    return render(request, "phone/map.html", {
        "customer": cust, "performance": perf, "seats": seats, "box": box, "exchange": exchange,
        "zone_colors": {z.pk: z.color for z in zones}, "zone_prices": zone_prices(types, zones),
        # Each section from the price the caller's list of performances says its zone sells from.
        "section_prices": section_prices(seats, zones, types),
        "states_url": reverse("phone:seat-states", args=[perf.pk]), "pick_url": pick_url,
        "pick_fields": pick_fields, "repick": picked_on_map(request, perf.ticket_limit)})


@operator_only
def phone_seat_states(request, pk: int):
    perf = get_object_or_404(Performance, pk=pk)
    return render(request, "sales/_seat_states.html", {"taken": taken_seats(perf, timezone.now(), Channel.PHONE)})
