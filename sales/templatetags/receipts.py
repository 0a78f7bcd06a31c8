"""An order's receipt in a page: `{% receipt order tickets %}` (add `narrow=True` for the
counter's 80 mm slip, `paybacks=False` where the page says what was paid back itself), in
the buyer's language; and what templates/sales/_receipt.html writes with. (The email and
the PDF take order_receipt.receipt_text as it is.)"""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sales.formatting import money, percent
from sales.order_receipt import ReceiptTax, paid_back, receipt_html

register = template.Library()


@register.simple_tag
def receipt(order, tickets=None, narrow=False, paybacks=True) -> str:
    return receipt_html(order, tickets, narrow=narrow, paybacks=paybacks)


@register.filter
def order_amount(order) -> str:
    """An order's amount in a staff page: its total; once refunded, what was paid back in
    all (a refund of some tickets lowered the total first, so it says neither)."""
    if order.status == "refunded":
        return _("%(amount)s paid back") % {"amount": money(paid_back(order), order.currency)}
    return money(order.total, order.currency)


def _french() -> bool:
    return (get_language() or "en").startswith("fr")


@register.simple_tag
def colon() -> str:
    """Between a label and its amount: ": " in English, " : " in French (the space
    before it does not break)."""
    return "\u00a0: " if _french() else ": "


@register.simple_tag
def tax_label(tax: ReceiptTax) -> str:
    """"GST 5% (no. 123456789 RT0001)": a tax, its rate as the language writes it
    (formatting.percent) and the organizer's registration."""
    if tax.registration:
        return _("%(name)s %(rate)s (no. %(registration)s)") % {
            "name": tax.name, "rate": percent(tax.percent), "registration": tax.registration}
    return _("%(name)s %(rate)s") % {"name": tax.name, "rate": percent(tax.percent)}
