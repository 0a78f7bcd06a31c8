"""Amounts as the buyer reads them, in the active language: the templates' `money`
filter and the seat map's labels say prices the same way."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language


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
