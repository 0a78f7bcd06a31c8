from django import template
from django.templatetags.tz import do_timezone
from django.utils.safestring import mark_safe

from sales.formatting import money
from sales.tickets import ticket_qr

register = template.Library()


register.filter("money", money)


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


@register.filter
def at_venue(value, performance):
    """`value` on the clock of the performance's venue: `date` and `time` then show it as
    it is, not on the server's clock."""
    if not value:
        return value
    return do_timezone(value, performance.venue.zone)
