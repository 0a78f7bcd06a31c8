"""Fields and forms the staff consoles (counter and phone) share: amounts typed the way a
clerk types them, ids from the seat map, which places a sale asks for, and a payment.
Every error reads as a sentence a clerk can act on, in the clerk's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_AMOUNT = Decimal("1000000")


class MoneyField(forms.Field):
    """An amount as typed at a window: "20", "20.00", "20,00" or "$20"; empty is None."""

    def to_python(self, value):
        raw = (value or "").strip().replace(",", ".").replace("$", "")
        if not raw:
            return None
        field = str(self.label)
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError(_("%(field)s must be an amount, like 20.00") % {"field": field}) from None
        if not amount.is_finite() or amount < 0:
            raise forms.ValidationError(_("%(field)s cannot be negative") % {"field": field})
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(_("%(field)s is more than %(max)s: check the amount")
                                        % {"field": field, "max": MAX_AMOUNT})
        return amount.quantize(Decimal("0.01"))


def as_id(raw) -> int:
    """An id from a form; anything else is simply not found (0)."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


class IdsField(forms.Field):
    """Comma-separated ids ("12,13"), from the seat map; one or several values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        return sorted({as_id(x) for raw in values for x in (raw or "").split(",") if x.strip()})


class WholeNumberField(forms.IntegerField):
    default_error_messages = {"invalid": gettext_lazy("The quantity must be a whole number.")}


class SaleStartForm(forms.Form):
    """What a new sale asks for: seats picked on the map, a quantity in a price zone (best
    available), or a quantity in a standing area. Unknown ids are left for the view to
    refuse as not found."""

    performance = forms.CharField(required=False)
    seats = forms.CharField(required=False)
    zone = forms.CharField(required=False)
    section = forms.CharField(required=False)
    quantity = WholeNumberField(required=False)

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
    """Cash with the amount tendered, a card-terminal amount with its reference, or both."""

    tendered = MoneyField(required=False, label=gettext_lazy("Cash tendered"))
    card_amount = MoneyField(required=False, label=gettext_lazy("Card amount"))
    card_reference = forms.CharField(required=False, max_length=100)
    # A fresh value per form shown: a resubmitted form is the same attempt, not a new sale.
    attempt = forms.CharField(required=False)

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


class ShiftOpenForm(forms.Form):
    cash_float = MoneyField(required=False, label=gettext_lazy("Cash float"))


class ShiftCloseForm(forms.Form):
    counted_cash = MoneyField(required=False, label=gettext_lazy("Counted cash"))
    counted_card = MoneyField(required=False, label=gettext_lazy("Card total"))


class ExchangeStartForm(SaleStartForm):
    tickets = IdsField(required=False)


class CardForm(forms.Form):
    """A card number read over the phone (card not present)."""

    card_number = forms.CharField(required=False, max_length=40)
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


def first_error(form: forms.Form) -> str:
    """The first error of a form that did not validate, as a sentence."""
    for errors in form.errors.values():
        for error in errors:
            return error
    return _("Check the form.")
