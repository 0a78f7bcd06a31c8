"""Amounts as the buyer reads them, in the active language: the templates' `money`
filter and the seat map's labels say prices the same way."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop


def money(amount, currency: str = "CAD") -> str:
    """89.00 → "$89.00" in English, "89,00 $" in French (Québec usage)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"))
    if (get_language() or "en").startswith("fr"):
        whole, cents = f"{value:,.2f}".split(".")
        thin, nbsp = "\u202f", "\u00a0"
        return whole.replace(",", thin) + "," + cents + nbsp + "$"
    return f"${value:,.2f}"


def at_venue(moment, performance):
    """`moment` on the clock of the performance's venue (events.models.Venue.time_zone)."""
    return timezone.localtime(moment, performance.venue.zone)


# A counter sale's customer is nobody in particular: kept under this name, read in the
# reader's language.
WALK_IN_NAME = gettext_noop("Counter customer")
WALK_IN_EMAIL = "counter@boxoffice.invalid"


def customer_name(customer) -> str:
    if customer.name == WALK_IN_NAME and customer.email == WALK_IN_EMAIL:
        return gettext(WALK_IN_NAME)
    return customer.name


def payment_note(payment) -> str:
    """A payment's note (kept in English, the record) in the reader's language: the
    providers' and services' notes are messages of ours; a provider's own reference or
    words are shown as they are."""
    text = payment.message or ""
    if text.startswith("change due "):
        return gettext("change due %(amount)s") % {"amount": text.removeprefix("change due ")}
    if text.startswith("refunded: "):
        return gettext("refunded: %(reason)s") % {"reason": gettext(text.removeprefix("refunded: "))}
    return gettext(text) if text else ""
