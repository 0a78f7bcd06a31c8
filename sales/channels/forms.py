"""Fields and forms the doors share. The staff consoles (counter and phone): amounts typed
the way a clerk types them, ids from the seat map, which places a sale asks for, and a
payment. All three doors, the shop included: a price type per held place, a promo code
and a comp's reason (PricesForm), and the receipt of a quote as the pages show it.
Every error reads as a sentence a clerk or a buyer can act on, in their language."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import SYMBOLS, PriceType
from sales.errors import SalesError
from sales.formatting import money, percent
from sales.holds import hold_keep_choices
from sales.models import REFUND_OWED, REFUND_REFUSED, Payment
from sales.orders import PriceRequest, Quote, hold_quote, refunds_refused, refused_words
from sales.policy import counted_row, policy_for, refunds_at_all
from sales.reads import list_price_basis

MAX_AMOUNT = Decimal("1000000")
# The largest id a row has (PostgreSQL's bigint): an id past it names nothing, and sent to
# the database it is refused there, for a bare "cannot be stored" page instead of the door's.
LARGEST_ID = 2**63 - 1


def currency_marks(currency: str | None = None) -> set[str]:
    """What may stand before or after an amount typed at a window, in capitals: the signs
    `money` writes ($, €, £), the codes of the currencies it knows, the box office's own
    and `currency`'s (the sale's: "CHF")."""
    codes = set(SYMBOLS) | {settings.BOXOFFICE_CURRENCY.upper()} | ({currency.upper()} if currency else set())
    return set(SYMBOLS.values()) | codes


def without_currency(raw: str, marks: set[str]) -> str:
    """`raw` (its spaces single) less one currency mark before or after it ("€20", "20 €",
    "EUR 20", "20eur"); as it is if it has none. Raises ValueError("not an amount") for a
    mark with no amount, or more than one."""
    found = re.fullmatch(r"([^\d\s.,-]*) ?(.*?) ?([^\d\s.,-]*)", raw)
    before, number, after = found[1].upper(), found[2], found[3].upper()
    if not (before or after):
        return raw
    if (before and after) or (before or after) not in marks or not number:
        raise ValueError("not an amount")
    return number


def typed_amount(typed: str, currency: str | None = None) -> str:
    """An amount as typed in either language, as Decimal reads it: "1,000.50" and
    "1 000,50" are 1000.50; "20,5" is 20.50; spaces (no-break ones too, as French writes
    them) go, and so does a currency mark before or after it ("€20", "20,50 €", "EUR 20":
    currency_marks, with `currency`'s code); "" stays "". Raises ValueError("two readings")
    for an amount that reads two ways ("1,000" or "1.000": a thousand, or one with three
    decimals), ValueError("not an amount") for the rest."""
    raw = without_currency(" ".join(typed.split()), currency_marks(currency))
    if " " in raw:  # spaces group thousands, and only that: "1 000,50", never "10 50"
        spaced = re.fullmatch(r"([0-9]{1,3})((?: [0-9]{3})+)(?:[.,]([0-9]{1,2}))?", raw)
        if spaced is None:
            raise ValueError("not an amount")
        return spaced[1] + spaced[2].replace(" ", "") + (f".{spaced[3]}" if spaced[3] else "")
    marks = [c for c in raw if c in ",."]
    cents = None
    if len(set(marks)) == 2:  # both: the last is the decimal mark, the other groups thousands
        whole, _mark, cents = raw.rpartition(marks[-1])
        groups = whole.split(marks[0])
        if marks[-1] in whole:
            raise ValueError("not an amount")
    elif len(marks) > 1:  # one mark, several times: it groups thousands
        groups = raw.split(marks[0])
    elif marks:
        whole, _mark, cents = raw.partition(marks[0])
        if len(cents) == 3 and 1 <= len(whole) <= 3 and whole.isdigit() and not whole.startswith("0"):
            raise ValueError("two readings")
        groups = [whole]
    else:
        groups = [raw]
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError("not an amount")
    number = "".join(groups) + (f".{cents}" if cents is not None else "")
    if number and not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", number):
        raise ValueError("not an amount")
    return number


class MoneyField(forms.Field):
    """An amount as typed at a window, in the page's language or not: "20", "20.00",
    "20,00", "$20", "1,000.00" or "1 000,00"; empty is None. "1,000" is refused: a
    thousand in English, one dollar in French. With a currency mark before or after it
    ("€20", "20,00 €"): `currency` is the sale's, whose code is one (typed_amount)."""

    currency = None

    def to_python(self, value):
        field = str(self.label)
        if (value or "").strip().startswith("-"):
            raise forms.ValidationError(_("%(field)s cannot be negative") % {"field": field})
        try:
            raw = typed_amount(value or "", self.currency)
        except ValueError as exc:
            if exc.args == ("two readings",):
                raise forms.ValidationError(_("%(field)s: “%(typed)s” reads two ways. Type the amount without a "
                                              "thousands separator, like 1000 or 1000.00") % {
                    "field": field, "typed": value.strip()[:20]}) from None
            raise forms.ValidationError(_("%(field)s must be an amount, like 20.00") % {"field": field}) from None
        if not raw:
            return None
        amount = Decimal(raw)
        if amount > MAX_AMOUNT:  # first: a number too long to round to the cent is only too large
            raise forms.ValidationError(_("%(field)s is more than %(max)s: check the amount")
                                        % {"field": field, "max": MAX_AMOUNT})
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("%(field)s has more than two decimals") % {"field": field})
        if not amount.is_finite() or amount < 0:
            raise forms.ValidationError(_("%(field)s cannot be negative") % {"field": field})
        return amount.quantize(Decimal("0.01"))


def as_id(raw) -> int:
    """An id from a form; anything else (an id no row could have too) is simply not found (0)."""
    try:
        found = int(raw)
    except (TypeError, ValueError):
        return 0
    return found if 0 < found <= LARGEST_ID else 0


class IdsField(forms.Field):
    """Comma-separated ids ("12,13"), from the seat map; one or several values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        return sorted({as_id(x) for raw in values for x in (raw or "").split(",") if x.strip()})


def picked_on_map(request, limit: int) -> str:
    """The seats picked on a staff seat map before it opened another section (?picked=,
    at most `limit` ids): picked again on the page it opens. Ids only; the hold checks them."""
    ids = [pk for pk in IdsField().to_python(request.GET.get("picked", "")[:2000]) if pk > 0]
    return ",".join(str(pk) for pk in ids[:limit])


class WholeNumberField(forms.IntegerField):
    default_error_messages = {"invalid": gettext_lazy("The quantity must be a whole number.")}


def buyer_language_field() -> forms.ChoiceField:
    """The buyer's language, asked by the clerk or operator: their emails, tickets and
    receipt speak it. Empty: the venue's."""
    return forms.ChoiceField(choices=[("", ""), *settings.LANGUAGES], required=False,
                             label=gettext_lazy("Buyer's language"))


class SaleStartForm(forms.Form):
    """What a new sale asks for: seats picked on the map, a quantity in a price zone (best
    available), or a quantity in a standing area. Unknown ids are left for the view to
    refuse as not found."""

    performance = forms.CharField(required=False)
    seats = forms.CharField(required=False)
    zone = forms.CharField(required=False)
    section = forms.CharField(required=False)
    quantity = WholeNumberField(required=False)
    language = buyer_language_field()

    def clean_seats(self):
        return IdsField().to_python(self.cleaned_data.get("seats"))

    def clean(self):
        data = super().clean()
        for name in ("performance", "zone"):
            data[name] = as_id(data.get(name))
        # A standing area may come as "s12" (the phone's one list of zones and areas).
        section = (data.get("section") or "").removeprefix("s")
        zone_raw = self.data.get("zone") or ""
        if zone_raw.startswith("s"):
            section, data["zone"] = zone_raw[1:], 0
        data["section"] = as_id(section) if section else None
        return data


class PaymentForm(forms.Form):
    """Cash with the amount tendered, a card-terminal amount with its reference, or both;
    and the buyer's language, for their receipt and tickets."""

    tendered = MoneyField(required=False, label=gettext_lazy("Cash tendered"))
    card_amount = MoneyField(required=False, label=gettext_lazy("Card amount"))
    card_reference = forms.CharField(required=False, max_length=100)
    # A fresh value per form shown: a resubmitted form is the same attempt, not a new sale.
    attempt = forms.CharField(required=False)
    language = buyer_language_field()

    def __init__(self, *args, currency: str | None = None, **kwargs):
        """`currency`: the sale's, whose code may be typed with an amount ("CHF 50")."""
        super().__init__(*args, **kwargs)
        for name in ("tendered", "card_amount"):
            self.fields[name].currency = currency

    def parts(self):
        from sales.payments import PaymentRequest

        tendered, card = self.cleaned_data["tendered"], self.cleaned_data["card_amount"]
        parts = []
        if card:
            parts.append(PaymentRequest(method="card_terminal", amount=card,
                                        reference=self.cleaned_data["card_reference"]))
        if tendered is not None or not card:
            parts.append(PaymentRequest(method="cash", tendered=tendered))
        return parts

    def attempt_key(self, prefix: str) -> str:
        return f"{prefix}:{self.cleaned_data['attempt'][:20]}"


class SupervisorForm(forms.Form):
    """A supervisor's signature, for what is beyond the clerk's own limit."""

    supervisor = forms.CharField(required=False, max_length=150)
    supervisor_password = forms.CharField(required=False, max_length=200)


def approver_of(request):
    """Who signs a payback: the staff member, or a supervisor who typed their own name and
    password (for a refund beyond the staff member's limit; a phone operator has none).
    None if the supervisor's password is wrong."""
    form = SupervisorForm(request.POST)
    if not form.is_valid():
        raise SalesError(first_error(form))
    signature = form.cleaned_data
    if not signature["supervisor"]:
        return request.user
    signer = authenticate(request, username=signature["supervisor"], password=signature["supervisor_password"])
    if signer is None and getattr(request, "axes_locked_out", False):
        # The lockout is the supervisor's name's, not the staff member's session: their
        # page says so, instead of the sign-in's lockout page.
        request.axes_locked_out = False
        raise SalesError(_("%(name)s is locked out for %(minutes)d minutes after too many wrong passwords; "
                           "ask another supervisor") % {
            "name": signature["supervisor"][:150],
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})
    if signer is not None and signer.pk != request.user.pk and not refunds_at_all(signer):
        # Said as a wrong password is: the form must not tell anyone whether another
        # account's password is right.
        return None
    return signer


class ShiftOpenForm(forms.Form):
    cash_float = MoneyField(required=False, label=gettext_lazy("Cash float"))


class ShiftCloseForm(forms.Form):
    # Labelled as on the page, which the errors name.
    counted_cash = MoneyField(required=False, label=gettext_lazy("Cash counted in the drawer (float included)"))
    counted_card = MoneyField(required=False, label=gettext_lazy("Card terminal total"))


class ExchangeStartForm(SaleStartForm):
    tickets = IdsField(required=False)


class CardForm(forms.Form):
    """A card read out over the phone, typed by the operator into the provider's own field
    (card not present): only the provider's token for it comes here."""

    card_token = forms.CharField(required=False, max_length=255)
    attempt = forms.CharField(required=False)


class CustomerForm(forms.Form):
    name = forms.CharField(required=False, max_length=200)
    email = forms.CharField(required=False, max_length=254)
    phone = forms.CharField(required=False, max_length=40)


class NoteForm(forms.Form):
    text = forms.CharField(required=False, max_length=2000, strip=True)


class ReserveForm(CardForm):
    action = forms.CharField(required=False)
    deadline = forms.CharField(required=False)
    # The caller's language: every email about the order (the payment link, reminders,
    # the tickets) speaks it.
    language = forms.ChoiceField(required=False, choices=settings.LANGUAGES)


def card_field_context(*, by_phone: bool = False) -> dict:
    """What a page needs for the payment provider's card field (templates/sales/_card_field.html
    and its frame, shop/card_field.html). `by_phone`: an operator types a caller's card, and a
    card whose bank asks its holder to confirm cannot be paid on a call."""
    if not settings.STRIPE_API_BASE:
        test_help = ""
    elif by_phone:
        test_help = _("Test cards (the digits alone, the year in two digits): 4242424242424242 approves, "
                      "4000000000000002 is declined, 4000002500003155 needs its holder's bank, which a call "
                      "cannot reach (send a payment link).")
    else:
        test_help = _("Test cards (the digits alone, the year in two digits): 4242424242424242 approves, "
                      "4000000000000002 is declined, 4000002500003155 asks your bank.")
    # The local provider's stand-in field takes the digits alone and a two-digit year.
    return {"stripe_js": settings.STRIPE_JS_URL, "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
            "card_test_help": test_help}


# The session's note of the price choices last sent for a hold (see keep_choices).
CHOICES = "price_choices"


def _kept_with_hold(request, hold) -> bool:
    """Whether the choices are kept with the hold rather than in the session: a staff
    console's hold, at its own clerk's (or operator's) hands. It outlives their session (one
    that timed out mid-sale, signed in again), as its seats do; a buyer's ends with theirs."""
    return (policy_for(hold.channel).role is not None and hold.user_id is not None
            and hold.user_id == request.user.pk)


def keep_choices(request, hold, prices: PricesForm) -> None:
    """The price types, the promo code and the comps' reasons as last sent for this hold
    (the form's own fields only): its page opened again (a reload, the back button, a
    declined card, another tab, a sign-in again) shows them, not the defaults, and totals
    what they cost."""
    choices = {name: request.POST[name][:200] for name in prices.fields if name in request.POST}
    if _kept_with_hold(request, hold):
        hold_keep_choices(hold=hold, choices=choices)
    else:
        request.session[CHOICES] = {"hold": hold.token, "choices": choices}


def kept_choices(request, hold) -> dict | None:
    """What keep_choices kept for this hold, as form data; None if nothing was."""
    if _kept_with_hold(request, hold):
        return hold.price_choices
    kept = request.session.get(CHOICES) or {}
    return kept.get("choices") if kept.get("hold") == hold.token else None


def exchange_asked(query) -> dict | None:
    """The tickets, zone and quantity of an exchange just refused (the counter's and the
    phone's order_exchange_start), to show them chosen again; None when the order's page
    is opened afresh."""
    if "zone" not in query:
        return None
    tickets = IdsField().to_python(query.get("tickets", "")[:2000])

    def number(name):
        value = query.get(name, "")
        return int(value) if value.isdigit() and len(value) < 10 else None

    return {"tickets": set(tickets), "zone": number("zone"), "quantity": number("quantity")}


def exchange_started(request, order_page: str):
    """An exchange's first step as posted from an order's page: (its choices, or None with
    what to fix said; that page back with them chosen again, for any refusal)."""
    chosen = {"tickets": ",".join(request.POST.getlist("tickets"))[:2000], "zone": request.POST.get("zone", "")[:20],
              "quantity": request.POST.get("quantity", "")[:5]}
    back = redirect(f"{order_page}?{urlencode(chosen)}#exchange")
    form = ExchangeStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return None, back
    if not form.cleaned_data["tickets"]:
        messages.error(request, _("Tick the tickets to exchange."))
        return None, back
    return form.cleaned_data, back


# The supervisor's name typed for a refund just refused, for the order's page it comes back
# to (refund_back): kept in the session, not in that page's address, which the browser's
# history and the server's logs keep (and where a password typed in the wrong field would go).
REFUND_SIGNER = "refund_supervisor"


def refund_back(request, order_page: str):
    """The order's page after a refund was refused (a supervisor's wrong password, say):
    the tickets ticked come back as they were posted, and the supervisor's name by the
    session, never the password, to be signed again rather than ticked again
    (refund_asked reads them)."""
    request.session[REFUND_SIGNER] = {"page": order_page, "name": request.POST.get("supervisor", "")[:150]}
    chosen = {"refund": ",".join(request.POST.getlist("tickets"))[:2000]}
    return redirect(f"{order_page}?{urlencode(chosen)}#refund-form")


def refund_asked(request, order_page: str) -> dict | None:
    """The tickets and the supervisor's name of a refund just refused (refund_back), to
    show them again; None when the order's page is opened afresh. The name is shown once."""
    if "refund" not in request.GET:
        return None
    kept = request.session.pop(REFUND_SIGNER, None) or {}
    return {"tickets": set(IdsField().to_python(request.GET.get("refund", "")[:2000])),
            "supervisor": kept.get("name", "") if kept.get("page") == order_page else ""}


def paid_back_since(request, order, *, after: int) -> dict[str, Decimal]:
    """What the order's payments after the one numbered `after` paid back, by way of paying,
    cash to the nearest coin as it is counted out. What the card provider refused, or has
    not taken yet, is not paid back: each is said to the staff member instead."""
    by_method: dict[str, Decimal] = {}
    waiting = Decimal("0")
    for p in order.payments.filter(pk__gt=after, amount__lt=0).order_by("pk"):
        if p.message == REFUND_OWED:  # sent again until the provider takes it
            waiting -= p.amount
        elif p.message != REFUND_REFUSED:  # refused: said below, still owed
            by_method[p.get_method_display()] = by_method.get(p.get_method_display(), Decimal("0")) - counted_row(p)
    if refused := refunds_refused(order, after=after):
        messages.warning(request, refused_words(order, refused))
    if waiting:
        messages.warning(request, _("%(amount)s waits for the payment provider: it is sent again until the provider "
                                    "takes it.") % {"amount": money(waiting, order.currency)})
    return by_method


def tell_refunded(request, order, *, after: int) -> None:
    """Say what a refund just paid back (paid_back_since), one amount a way of paying, and
    where the seats went."""
    by_method = paid_back_since(request, order, after=after)
    back = ", ".join(f"{method} {money(amount, order.currency)}" for method, amount in by_method.items()) \
        or money(0, order.currency)
    if order.performance.cancelled_at is not None:  # its places stay off sale
        said = _("Refunded: %(back)s. The performance is cancelled.") % {"back": back}
    elif order.status == order.Status.PAID:
        said = _("Refunded: %(back)s. Those seats are back on sale; the order's other "
                 "tickets are still valid.") % {"back": back}
    else:
        said = _("Refunded: %(back)s. The seats are back on sale.") % {"back": back}
    messages.success(request, " ".join(filter(None, (said, cash_rounding_words(order, after=after)))))


def cash_rounding_words(order, *, after: int) -> str:
    """What a cash payback just made was rounded from, when it was (cash goes back to the
    nearest coin, CASH_ROUNDING, as the sale's cash line says it): the clerk and the buyer
    read why the amount is not the tickets' own. Empty when nothing was rounded."""
    cash = [p for p in order.payments.filter(pk__gt=after, amount__lt=0, method=Payment.Method.CASH)
            if p.message not in (REFUND_OWED, REFUND_REFUSED)]
    exact = -sum((p.amount for p in cash), Decimal("0"))
    counted = -sum((counted_row(p) for p in cash), Decimal("0"))
    if exact == counted:
        return ""
    return _("In cash, to the nearest %(step)s: %(exact)s is paid back as %(cash)s.") % {
        "step": money(settings.CASH_ROUNDING, order.currency), "exact": money(exact, order.currency),
        "cash": money(counted, order.currency)}


def first_error(form: forms.Form) -> str:
    """The first error of a form that did not validate, as a sentence."""
    for errors in form.errors.values():
        for error in errors:
            return error
    return _("Check the form.")


# --- prices: what the doors offer, and what a quote says --------------------------------
# What is charged is computed by the pricing service (sales.orders.hold_quote, order_place);
# here is only what the forms offer and how the pages show the answer.

def price_types_of(performance_id: int) -> list[PriceType]:
    """The performance's price types in the order pricing takes them (the first sold in a
    zone is its default), each with `amounts`: {zone id: price}."""
    return with_amounts(PriceType.objects.filter(performance_id=performance_id).prefetch_related("prices")
                        .order_by("rank", "name", "pk"))


def price_types_prefetched() -> Prefetch:
    """For a list of performances: each one's price types with their prices, in one query
    (then with_amounts(performance.price_types.all()))."""
    return Prefetch("price_types", PriceType.objects.prefetch_related("prices"))


def with_amounts(types) -> list[PriceType]:
    """Price types (their prices prefetched), each given `amounts`: {zone id: price}."""
    types = list(types)
    for price_type in types:
        price_type.amounts = {p.zone_id: p.amount for p in price_type.prices.all()}
    return types


def offered(types: list[PriceType], zone_id: int, *, comps: bool = False, opened=frozenset()) -> list[PriceType]:
    """The price types offered for a place of this zone: those sold in it (only those a
    presale opens, if it names some), and the complimentary ones when staff sell (`comps`)."""
    return [t for t in types if (comps and t.complimentary)
            or (not t.complimentary and zone_id in t.amounts and (not opened or t.pk in opened))]


def zone_amounts(zone, types: list[PriceType]) -> list[Decimal]:
    """What a buyer pays for a place in `zone`: its price types' prices, comps aside; the
    zone's own price when none is sold there (a performance without price types)."""
    return [t.amounts[zone.pk] for t in types if not t.complimentary and zone.pk in t.amounts] or [zone.price]


def from_price(zone, types: list[PriceType]) -> Decimal:
    """The lowest price a buyer pays in `zone` (the lists' "from")."""
    return min(zone_amounts(zone, types))


def price_range(zone_ids, zones: dict, types: list[PriceType]) -> tuple | None:
    """The lowest and highest prices a buyer pays in these zones, ((amount, currency),
    (amount, currency)): the lowest is the cheapest zone's from_price, as the lists say."""
    found = [zones[zone_id] for zone_id in zone_ids if zone_id in zones]
    if not found:
        return None
    return (min((from_price(zone, types), zone.currency) for zone in found),
            max((max(zone_amounts(zone, types)), zone.currency) for zone in found))


def section_prices(seats: list[dict], zones, types: list[PriceType]) -> dict[int, str]:
    """What each section of a staff seat map sells at, in words ({section id: "$35.00 –
    $60.00"}): price_range of its seats' zones, so that a section sells from the price the
    list of performances says its zone sells from."""
    zone_ids: dict[int, set] = {}
    for seat in seats:
        zone_ids.setdefault(seat["section_id"], set()).add(seat["price_zone_id"])
    by_id = {zone.pk: zone for zone in zones}
    return {section: range_text(price_range(ids, by_id, types)) for section, ids in zone_ids.items()}


def range_text(span: tuple | None) -> str:
    """A price range (price_range's answer) as read: "$35.00 – $60.00", or one price."""
    if not span:
        return ""
    return money(*span[0]) if span[0] == span[1] else f"{money(*span[0])} – {money(*span[1])}"


def zone_prices(types: list[PriceType], zones) -> dict[int, str]:
    """What each zone's places cost in words, where the performance has price types
    ({zone id: "Adult $60.00, Child $35.00"}, comps aside): seat labels and price lists."""
    out = {}
    for zone in zones:
        sold = [t for t in types if not t.complimentary and zone.pk in t.amounts]
        if sold:
            out[zone.pk] = ", ".join(f"{t.shown_name} {money(t.amounts[zone.pk], zone.currency)}" for t in sold)
    return out


def type_label(price_type: PriceType, zone, basis: str = "") -> str:
    """A price type as its list offers it, with its price there and what that price holds
    (list_price_basis: "before tax" or "taxes included")."""
    if price_type.complimentary:
        return _("%(type)s (complimentary)") % {"type": price_type.shown_name}
    price = money(price_type.amounts.get(zone.pk), zone.currency)
    return f"{price_type.shown_name} — {price} {basis}" if basis else f"{price_type.shown_name} — {price}"


class PriceTypeField(forms.TypedChoiceField):
    """A price type's id. Any id is passed on: whether it may be sold for this place is the
    pricing service's to say (sales.orders.pricing), in words the page shows."""

    def valid_value(self, value) -> bool:
        return True


class PricesForm(forms.Form):
    """What the buyer or the clerk chooses before paying: a price type per held place
    (`type_<place id>`, offered only where the performance has price types), a promo code,
    and the reason for complimentary tickets (staff only). `expected_total` is the total
    the page showed: if the choices now cost something else, the payment is not taken."""

    promo_code = forms.CharField(label=gettext_lazy("Promo code"), required=False, max_length=40,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    comp_reason = forms.CharField(label=gettext_lazy("Reason for the complimentary tickets"), required=False,
                                  max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    expected_total = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, data=None, *, places, types: list[PriceType], staff: bool = False, opened=frozenset(),
                 basis_apart: bool = False, **kwargs):
        """`staff`: a staff console's sale, which may give comps (with their reason) and is
        driven by keys (static/staff.js): D the promo code, R the reason; Enter in either
        asks for the totals again rather than taking the payment. `basis_apart`: each choice
        says its price only, the page saying beside it what the prices hold (`basis`): a
        closed select cuts a long label at its width rather than wrap it (the shop's basket
        on a phone, the staff consoles' narrow column of price types)."""
        super().__init__(data, **kwargs)
        self.places, self.types = places, types
        # What the list prices shown (the types' and the zones') hold: before tax or not.
        self.basis = list_price_basis()
        self.tickets = []  # (place, its field name or None, the types offered for it)
        for place in places:
            choices = offered(types, place.price_zone_id, comps=staff, opened=opened) if types else []
            name = f"type_{place.pk}" if choices else None
            if name:
                default = next((t for t in choices if not t.complimentary), choices[0])
                self.fields[name] = PriceTypeField(
                    required=False, empty_value=None, coerce=int, initial=default.pk,
                    label=_("Price type for %(place)s") % {"place": place},
                    choices=[(t.pk, type_label(t, place.price_zone, "" if basis_apart else self.basis))
                             for t in choices],
                    error_messages={"invalid_choice": _("Choose a price type for %(place)s.") % {"place": place}})
                if basis_apart and self.basis:  # read with the choice: what its price holds
                    self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_basis"
            self.tickets.append((place, name, choices))
        if not (staff and any(t.complimentary for t in types)):
            del self.fields["comp_reason"]
        if staff:
            for name, key in (("promo_code", "d"), ("comp_reason", "r")):
                if name in self.fields:
                    self.fields[name].widget.attrs.update({"data-key": key, "data-enter": "quote"})

    @property
    def ticket_fields(self):
        """(place, its bound price-type field or None) in place order, for the pages."""
        return [(place, self[name] if name else None) for place, name, _choices in self.tickets]

    def chosen(self) -> dict[int, int]:
        """The price type asked for each place: as submitted, else as first offered."""
        out = {}
        for place, name, _choices in self.tickets:
            if name is None:
                continue
            value = self.cleaned_data.get(name) if self.is_bound else self.fields[name].initial
            if value not in (None, ""):
                out[place.pk] = int(value)
        return out

    def price_request(self) -> PriceRequest:
        if self.is_bound:
            self.is_valid()  # checked once, here too: a retried sale passes its choices on unpriced
        data = self.cleaned_data if self.is_bound else {}
        return PriceRequest(types=self.chosen(), promo_code=data.get("promo_code") or "",
                            comp_reason=data.get("comp_reason") or "")

    def refused(self, exc: SalesError) -> None:
        """A service's refusal as this form's error: on the field it names (the promo code,
        the comp's reason), else on the form as a whole (a price type, a limit per order)."""
        if not hasattr(self, "cleaned_data"):  # the page's first showing: nothing typed yet
            self.cleaned_data = {}
        field = exc.detail.get("field")
        self.add_error(field if field in self.fields and field != "expected_total" else None, exc.message)

    def focus_first_error(self) -> None:
        """A page shown again after a refusal opens with the field to correct focused."""
        for name in ("comp_reason", "promo_code"):
            if self.errors.get(name):
                self.fields[name].widget.attrs["autofocus"] = True
                return

    def total_changed(self, quote: Quote) -> bool:
        """Whether the choices now cost something other than the total the page showed
        (nothing shown, as from an older page: not changed)."""
        raw = (self.cleaned_data.get("expected_total") or "").strip()
        if not raw:
            return False
        try:
            return Decimal(raw) != quote.total
        except InvalidOperation:
            return True


# Prices the comps of a sale refused for want of their reason, for its receipt only (never sold).
REASON_TO_COME = "-"


def priced(prices: PricesForm, hold, *, actor, email: str = "", paying: bool = False) -> Quote | None:
    """The pricing service's quote for the choices on `prices`, or None with its refusal
    (or the form's own errors) on the form. A promo code refused or a comp's reason missing
    is on the form too, beside a quote without the code, or with the comps, for the page's
    receipt. `paying`: the money is about to be taken, and it must be the total the page
    showed; if the choices now cost something else (changed with the page not yet told),
    the form gets an error saying the new total."""
    if prices.is_bound and not prices.is_valid():
        return None
    asked = shown = prices.price_request()
    while True:
        try:
            quote = hold_quote(hold, shown, actor=actor, email=email)
            break
        except SalesError as exc:
            prices.refused(exc)
            field = exc.detail.get("field")
            # Nothing is paid while the error stands; the total stays beside it.
            if field == "promo_code" and shown.promo_code:
                # A code refused: the receipt without it (the buyer clears it or types another).
                shown = replace(shown, promo_code="")
            elif field == "comp_reason" and not shown.comp_reason.strip():
                # A comp's reason missing: the receipt as it will be once typed, comps at nothing.
                shown = replace(shown, comp_reason=REASON_TO_COME)
            else:
                return None
    if shown is not asked:
        return quote
    if paying and prices.total_changed(quote):
        prices.add_error(None, _("With these choices the total is %(total)s; nothing was paid. Check it, then go on.")
                         % {"total": money(quote.total, quote.currency)})
    return quote


@dataclass
class ReceiptLine:
    place: str
    type_name: str
    note: str
    list_price: Decimal
    complimentary: bool


def receipt_of(quote: Quote, places, types: list[PriceType]) -> dict:
    """A quote as the pages show it before payment: each ticket with its price type (and the
    type's note) and list price, the discount, the fees, each tax by name and the total,
    all as the pricing service computed them (Quote.receipt)."""
    names = {place.pk: str(place) for place in places}
    notes = {t.shown_name: t.shown_note for t in types}  # the quote names them as the page does
    receipt = quote.receipt
    fees_with_taxes = sum((line.fee for line in quote.lines), Decimal("0.00")) + Decimal(
        receipt.get("order_fee") or "0")
    return {
        "lines": [ReceiptLine(place=names.get(line.place_id, line.zone_name),
                              type_name=line.price_type_name or line.zone_name,
                              note=notes.get(line.price_type_name, ""),
                              list_price=line.list_price, complimentary=line.complimentary)
                  for line in quote.lines],
        "typed": any(line.price_type_name for line in quote.lines),  # else the column names zones
        "currency": quote.currency,
        "discount": Decimal(receipt["discount"]),
        "promo_code": receipt["promo_code"],
        "subtotal": Decimal(receipt["subtotal"]),
        "fees": Decimal(receipt["fees"]),
        "fees_with_taxes": fees_with_taxes,
        "taxes": [(name, percent(rate), Decimal(amount)) for name, rate, _registration, amount in receipt["taxes"]],
        "tax_included": receipt["tax_included"],
        "total": quote.total,
    }


def card_missing(data, otherwise: str = "") -> str:
    """What to say when a form came without a card token: what the provider's own field
    said (an incomplete number, a date in the past, in the buyer's language), else
    `otherwise` (by default, to enter the card)."""
    said = " ".join(str(data.get("card_error") or "").split())[:200]
    return said or otherwise or _("Enter your card in the card field.")
