from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from sales.tickets import ticket_qr

register = template.Library()


@register.filter
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


@register.simple_tag
def qr_svg(data: str, scale: int = 4) -> str:
    """A QR code as inline SVG (no image files, no network)."""
    svg = ticket_qr(data).svg_inline(scale=scale, title="QR", dark="#111827")
    return mark_safe(svg)  # noqa: S308 - segno's own SVG output, data is our ticket code


@register.filter
def seconds_left(hold, now) -> int:
    return max(0, int((hold.expires_at - now).total_seconds()))


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
