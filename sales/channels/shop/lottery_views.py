"""Ballot pages: apply during the window, pay with the link a winner receives."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sales import waiting_room
from sales.channels.forms import card_field_context, card_missing
from sales.draws import format_reference
from sales.errors import (
    IllegalTransition,
    InvalidRequest,
    NotFound,
    PaymentActionRequired,
    PaymentDeclined,
    ProviderUnavailable,
    SalesError,
    too_many,
)
from sales.formatting import zone_place
from sales.lottery import (
    CONFIRM_LINK_INVALID,
    CONFIRM_TOO_LATE,
    ballot_apply,
    ballot_confirm,
    ballot_paid,
    ballot_pay,
    seats_apart,
    unconfirmed_entry,
)
from sales.models import Ballot, BallotEntry, Draw, Order, Place
from sales.orders import hold_quote

from .views import PROVIDER_SILENT, declined, in_buyers_language


def apply(request, pk: int):
    ballot = get_object_or_404(Ballot.objects.select_related("performance__event", "performance__venue", "zone"), pk=pk)
    errors, status, wait = [], 200, 0
    if request.method == "POST" and (wait := too_many_applications(request)):
        errors, status = [too_many(_("Too many applications from your network"), wait)], 429
    elif request.method == "POST":
        try:
            quantity = int(request.POST.get("quantity") or 0)
        except ValueError:
            quantity = 0
        try:
            entry = ballot_apply(ballot=ballot, name=request.POST.get("name", ""),
                                 email=request.POST.get("email", ""), quantity=quantity)
        except SalesError as exc:
            errors, status = [exc.message], 400
        else:
            # No reference yet: whoever typed the address may not be its owner.
            if entry.link_emailed:
                messages.success(request, _("Check your mailbox: we have emailed a link to %(email)s. Your "
                                            "application enters the draw only once you follow it, before "
                                            "applications close.") % {"email": entry.email})
            else:  # the mailbox's emails of the link this hour are sent: the one it has works
                messages.warning(request, _("A link was already emailed to %(email)s and is still valid: follow it "
                                            "to confirm the application (you can correct its name and number of "
                                            "tickets there). No other email is sent to this address for now.")
                                 % {"email": entry.email})
            return redirect("shop:ballot", pk=ballot.pk)
    # A refused application keeps what was typed (the name and address at most as long as kept).
    typed = {field: str(request.POST.get(field, ""))[:limit] for field, limit in (("name", 200), ("email", 254))}
    response = render(request, "shop/ballot.html", {
        "ballot": ballot, "errors": errors, "typed": typed, "quantity": request.POST.get("quantity", "2")[:3],
        "has_draw": Draw.objects.filter(ballot=ballot).exists(), "state": ballot_state(ballot),
        # its times are the venue's: the page names that clock
        "clock": zone_place(ballot.performance.venue.time_zone)}, status=status)
    if status == 429:
        response["Retry-After"] = str(wait)
    return response


def ballot_state(ballot: Ballot) -> str:
    """Whether the ballot takes applications now ("open"), or why not: the page offers its
    form only when one can be taken."""
    now = timezone.now()
    if ballot.performance.cancelled_at is not None:
        return "cancelled"
    if now < ballot.opens_at:
        return "soon"
    return "open" if now < ballot.closes_at and ballot.drawn_at is None else "closed"


@never_cache
def confirm(request, token: str):
    """The link emailed to an applicant: a page with a button, so that a mail scanner
    opening the link confirms nothing (and uses nothing up); the button confirms. The page
    shows the application's name and tickets in a form: whoever typed the address, its
    owner confirms their own."""
    waiting = unconfirmed_entry(token)
    if waiting is not None:  # its page speaks the email's language
        in_buyers_language(request, waiting.language)
    if request.method == "POST":
        name, quantity = request.POST.get("name"), request.POST.get("quantity")
        try:
            entry = ballot_confirm(token=token, name=name, quantity=None if quantity is None else _number(quantity))
        except InvalidRequest as exc:
            entry = unconfirmed_entry(token)
            if exc.detail.get("field") is None or entry is None:
                return _link_refused(request, entry, exc)
            return _confirm_page(request, entry, errors=[exc.message], status=400,
                                 typed={"name": str(name or "")[:200], "quantity": str(quantity or "")[:3]})
        except SalesError as exc:
            return _link_refused(request, unconfirmed_entry(token), exc)
        messages.success(request, _("Your application is confirmed and entered in the draw. Your entry reference is "
                                    "%(reference)s: keep it to check the draw. We will email you after the draw.")
                         % {"reference": format_reference(entry.reference)})
        return redirect("shop:ballot", pk=entry.ballot_id)
    entry = waiting
    if entry is None:
        return _link_refused(request, None, NotFound(_(CONFIRM_LINK_INVALID)))
    if ballot_state(entry.ballot) != "open":
        return _link_refused(request, entry, IllegalTransition(_(CONFIRM_TOO_LATE)))
    return _confirm_page(request, entry)


def _number(typed: str) -> int:
    """A number of tickets as typed (0, which no application asks for, if it is none)."""
    try:
        return int(typed)
    except ValueError:  # not a number, or too long to be one
        return 0


def _confirm_page(request, entry: BallotEntry, errors=(), status: int = 200, typed: dict | None = None):
    typed = typed or {"name": entry.name, "quantity": str(entry.quantity)}
    return render(request, "shop/ballot_confirm.html", {"entry": entry, "ballot": entry.ballot, "errors": errors,
                                                        "typed": typed}, status=status)


def _link_refused(request, entry: BallotEntry | None, exc: SalesError):
    """A link that cannot confirm (unknown, used, replaced, too late): said on a page."""
    return render(request, "shop/ballot_confirm.html", {"entry": None, "error": exc.message,
                                                        "ballot": entry.ballot if entry else None},
                  status=exc.status if exc.status != 400 else 409)


# Applications an address may send a minute: a household, an office or a mobile carrier's
# shared address applies for each of its people (as many as it may hold seats); a script
# sending a name a second is slowed to this. One mailbox applies once whatever the address.
APPLICATIONS_PER_MINUTE = 30


def too_many_applications(request) -> int:
    """The seconds until this address may apply again, once over its limit; else 0."""
    if not settings.RATE_LIMITS:
        return 0
    return waiting_room.rate_limited("ballot", waiting_room.client_network(request), limit=APPLICATIONS_PER_MINUTE)


@never_cache
def pay(request, token: str):
    entry = get_object_or_404(BallotEntry.objects.select_related("ballot__performance__event",
                                                                 "ballot__performance__venue", "hold"),
                              pay_token=token)
    entry = ballot_paid(entry)
    errors, status = [], 200
    if request.method == "POST":
        try:
            order = ballot_pay(entry=entry, card_token=(request.POST.get("card_token") or "")[:255],
                               attempt=request.POST.get("nonce", ""))
        except PaymentActionRequired as exc:  # the bank asks the winner: the provider's script does it
            order = Order.objects.get(code=exc.detail["order"])
            return render(request, "shop/bank_step.html", {
                "order": order, "client_secret": exc.detail["client_secret"], **card_field_context()})
        except PaymentDeclined as exc:
            errors, status = [declined(exc)], 402
        except ProviderUnavailable:
            errors, status = [PROVIDER_SILENT], 503
        except InvalidRequest as exc:
            errors, status = [card_missing(request.POST) if exc.detail.get("field") == "card"
                              else exc.message], 400
        except SalesError as exc:  # in its own status: a payment still processing is 409, as the API says
            errors, status = [exc.message], exc.status
        else:
            if order.status == Order.Status.PENDING:  # a second click while the first is being charged
                errors, status = [_("Your payment is being processed; please wait a moment and reload.")], 409
            else:
                return redirect("shop:order", code=order.code, token=order.access_token)
    return render(request, "shop/ballot_pay.html", {
        "entry": entry, "errors": errors, "nonce": secrets.token_urlsafe(16), **card_field_context(),
        "reference": format_reference(entry.reference), **_what_is_paid(entry),
        "card_frame_url": reverse("shop:card-field")}, status=status)


def _what_is_paid(entry: BallotEntry) -> dict:
    """A winner's seats and what they cost, as the payment will charge them."""
    if entry.status != BallotEntry.Status.WON or entry.hold is None:
        return {}
    quote = hold_quote(entry.hold)
    labels = Place.objects.select_related("seat", "section").in_bulk([line.place_id for line in quote.lines])
    # A fee per order, or taxes added to the prices, are what the lines do not say.
    rest = quote.total - sum((line.price for line in quote.lines), Decimal("0"))
    return {"lines": [(labels[line.place_id], line) for line in quote.lines], "quote": quote, "rest": rest,
            "apart": seats_apart(list(labels.values()))}
