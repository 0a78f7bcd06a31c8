from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Performance, PriceZone, Section
from sales.channels.forms import LARGEST_ID, card_missing

# In the pages' own words ("email", "courriel"), not the framework's.
EMAIL_INVALID = _("Enter a valid email address, like name@example.org.")


class HoldForm(forms.Form):
    """One of: picked seats (ids from the map), the best N of a zone, or N standing places."""

    seats = forms.CharField(required=False, widget=forms.HiddenInput)
    zone = forms.ModelChoiceField(queryset=PriceZone.objects.none(), required=False, label=_("Zone"))
    section = forms.ModelChoiceField(queryset=Section.objects.none(), required=False,
                                     widget=forms.HiddenInput)
    quantity = forms.IntegerField(required=False, min_value=1, label=_("Tickets"), error_messages={
        "min_value": _("Choose at least one ticket."), "invalid": _("The number of tickets must be a whole number.")})

    def __init__(self, *args, performance: Performance, **kwargs):
        super().__init__(*args, **kwargs)
        self.performance = performance
        self.fields["zone"].queryset = performance.price_zones.all()
        self.fields["section"].queryset = performance.venue.sections.filter(kind=Section.Kind.STANDING)
        self.fields["quantity"].max_value = performance.ticket_limit
        self.fields["quantity"].widget.attrs.update(min=1, max=performance.ticket_limit)

    def clean_seats(self):
        raw = self.cleaned_data.get("seats") or ""
        try:
            ids = [int(x) for x in raw.replace(" ", "").split(",") if x]
        except ValueError:
            ids = [0]
        if not all(0 < pk <= LARGEST_ID for pk in ids):
            raise forms.ValidationError(_("The seat selection is not valid."))
        if len(ids) > self.performance.ticket_limit:
            raise forms.ValidationError(
                _("At most %(n)d tickets per order.") % {"n": self.performance.ticket_limit})
        return ids

    def clean(self):
        data = super().clean()
        if not data.get("seats") and not data.get("zone") and not data.get("section"):
            raise forms.ValidationError(_("Pick seats on the map, or choose a zone and a number of tickets."))
        if not data.get("seats") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("How many tickets?"))
        return data


class CheckoutForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             error_messages={"invalid": EMAIL_INVALID})
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    # The payment provider's token for the card typed into its own field (static/card.js):
    # the card itself never comes here.
    card_token = forms.CharField(max_length=255, widget=forms.HiddenInput, label=_("Card"),
                                 error_messages={"required": _("Enter your card in the card field.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:  # no token: what the provider's field said, if it said something
            self.fields["card_token"].error_messages["required"] = card_missing(self.data)


class AccessCodeForm(forms.Form):
    """A presale's access code, typed before the general online sale opens."""

    access_code = forms.CharField(label=_("Access code"), max_length=40,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class FindOrdersForm(forms.Form):
    """The address a buyer bought with: their orders' links are emailed to it."""

    email = forms.EmailField(label=_("Email"), max_length=254, error_messages={"invalid": EMAIL_INVALID},
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}))
