import json
import re
import zoneinfo
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from sales import policy
from sales.formatting import (
    buyer_name,
    customer_name,
    group_mark,
    money,
    number,
    paid_with,
    payment_note,
    running_time,
    when,
    zone_place,
)
from sales.models import Payment
from sales.reads import list_price_basis
from sales.shifts import shift_current
from sales.tickets import ticket_qr

register = template.Library()


register.filter("money", money)
# A count on a page, grouped in the reader's language (never in an address, a value or JSON).
register.filter("number", number)
# For the scripts that write counts on a page (data-group): the same mark as `number`'s.
register.simple_tag(group_mark, name="group_mark")
# As Django's `date` does: an aware moment on the template's clock (the active time zone,
# or the one `|timezone:` gave it) before it is written.
register.filter("when", when, expects_localtime=True)
register.filter("customer_name", customer_name)
register.filter("buyer_name", buyer_name)
register.filter("payment_note", payment_note)
register.filter("running_time", running_time)


@register.simple_tag(takes_context=True)
def shift_is_open(context) -> bool:
    """Whether the signed-in clerk has a shift open: the counter's menu offers to sell and
    to close it, or else to open one."""
    request = context.get("request")
    return request is not None and shift_current(request.user) is not None


@register.simple_tag(takes_context=True, name="list_price_basis")
def price_basis(context) -> str:
    """What the prices the organizer typed hold ("before tax", "taxes included", or nothing
    with no tax): said beside a zone's or a price type's price. Read once a request,
    however many lists on the page say it."""
    request = context.get("request")
    if request is None:
        return list_price_basis()
    if not hasattr(request, "_price_basis"):
        request._price_basis = list_price_basis()
    return request._price_basis


register.filter("paid_with", paid_with)


@register.filter
def venue_clock(performance) -> str:
    """The place the clock of a performance's venue is named after ("Toronto"): what a
    time written on it says it is ("…, Toronto time")."""
    return zone_place(performance.venue.time_zone)


@register.filter
def paid_price(line, currency: str | None = None):
    """A ticket's price as charged, and what it holds: "$102.33 taxes included"."""
    said = paid_with(line)
    amount = money(line.price, currency)
    return format_html('{} <small class="price-basis">{}</small>', amount, said) if said else amount


@register.filter
def directions(venue) -> str:
    """Where a map finds the way to the venue: its name and address searched on OpenStreetMap
    (a link the buyer follows; nothing is fetched from it)."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": f"{venue.name}, {venue.address}"})


@register.filter
def place_label(place):
    """A place as a narrow column writes it: the line may break between the section's words,
    never inside its row and seat ("K-10") or its standing number ("#12", « nº 12 »)."""
    section, _, code = str(place).rpartition(" ")
    return format_html('{} <span class="seat-code">{}</span>', section, code) if section else str(place)


@register.filter
def add_label(opts) -> str:
    """The words of a table's add button and add page (`opts`: its model's _meta): its
    admin's `add_label`, with the article its name needs (« Ajouter une salle »), else
    Django's ("Add %(name)s")."""
    from django.contrib import admin

    model_admin = admin.site.get_model_admin(opts.model) if admin.site.is_registered(opts.model) else None
    said = getattr(model_admin, "add_label", None)
    return str(said) if said else gettext("Add %(name)s") % {"name": opts.verbose_name}


# The links beside a chooser (templates/admin/widgets/related_widget_wrapper.html): the
# label of the linked table's admin that names each, and Django's words else, read from
# Django's catalogue (named here without gettext_noop, they stay out of ours).
CHOOSER_LINKS = {"add": ("add_another_label", "Add another %(model)s"),
                 "change": ("change_selected_label", "Change selected %(model)s"),
                 "view": ("view_selected_label", "View selected %(model)s"),
                 "delete": ("delete_selected_label", "Delete selected %(model)s")}


@register.filter
def chooser_link(opts, link: str) -> str:
    """The title of the link `link` ("add", "change", "view", "delete") beside a chooser of
    the table of `opts` (its model's _meta): as the table's admin names it, with the article
    its name needs (« Ajouter une autre salle », « Modifier la salle sélectionnée »), else
    Django's ("Add another %(model)s": « Ajouter un autre objet salle »)."""
    from django.contrib import admin

    label, django_words = CHOOSER_LINKS[link]
    model_admin = admin.site.get_model_admin(opts.model) if admin.site.is_registered(opts.model) else None
    said = getattr(model_admin, label, None)
    return str(said) if said else gettext(django_words) % {"model": opts.verbose_name}


@register.filter
def inline_formset_data(inline_admin_formset) -> str:
    """Django's data for an inline's rows (its inlines.js), the link adding one named as
    its inline's `add_another_label` says it, with the article its name needs (« Ajouter
    une autre section »), else Django's ("Add another %(verbose_name)s": « Ajouter un objet
    section supplémentaire »)."""
    data = json.loads(inline_admin_formset.inline_formset_data())
    said = getattr(inline_admin_formset.opts, "add_another_label", None)
    if said:
        data["options"]["addText"] = str(said)
    return json.dumps(data)


@register.filter
def readonly_contents(field):
    """A read-only field of an admin form (Django's AdminReadonlyField) as Django shows it,
    but a moment written as the rest of the admin writes one (when): on the page's clock
    (a venue's, on a page VenueClockMixin puts on it), and a whole hour without its minutes
    in French, « 20 h », where Django writes « 20 h 00 » (« 20 h 30 » as Django does)."""
    from django.contrib.admin.utils import lookup_field

    try:
        model_field, _attr, value = lookup_field(field.field["field"], field.form.instance, field.model_admin)
    except (AttributeError, ValueError, ObjectDoesNotExist):
        return field.contents()
    if isinstance(model_field, models.DateTimeField) and value is not None:
        return when(timezone.template_localtime(value), "DATETIME_FORMAT")
    return field.contents()


@register.filter
def full_stop(text):
    """A service's message ("the name holds a character that cannot be printed") ended as a
    sentence on a page: a full stop, unless it ends with its own mark."""
    out = str(text).rstrip()
    if out and out[-1] not in ".!?…:»)":
        out += "."
    return mark_safe(out) if hasattr(text, "__html__") else out


@register.filter
def sentence(text):
    """A service's message as a sentence on a page: a capital first, a full stop last."""
    out = full_stop(text)
    capital = out[:1].upper() + out[1:]
    return mark_safe(capital) if hasattr(out, "__html__") else capital


@register.simple_tag
def qr_svg(data: str, scale: int = 4, fluid: bool = False) -> str:
    """A QR code as inline SVG (no image files, no network): `scale` pixels a module, or
    `fluid`, as wide as the page's style makes it."""
    svg = ticket_qr(data).svg_inline(scale=scale, title="QR", dark="#111827", omitsize=fluid)
    return mark_safe(svg)  # noqa: S308 - segno's own SVG output, data is our ticket code


@register.filter
def seconds_left(hold, now) -> int:
    return max(0, int((hold.expires_at - now).total_seconds()))


@register.filter
def minutes_seconds(seconds: int) -> str:
    """A hold's time left as its countdown shows it ("9:05"): what the page says before
    its script runs, or without one."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{rest:02d}"


def _time_left_units(n: int) -> dict[str, str]:
    """A number of minutes and of seconds in words, "{n}" left for the number."""
    return {"minute": ngettext("{n} minute", "{n} minutes", n), "second": ngettext("{n} second", "{n} seconds", n)}


@register.filter
def time_left_words(seconds: int) -> str:
    """A hold's time left as a screen reader should say it ("9 minutes 5 seconds", not
    "9:05", which reads as a time of day); the minutes alone on the minute, the seconds
    alone in the last one. The countdown's script says the same as it ticks (shop.js)."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    said = [_time_left_units(minutes)["minute"].format(n=minutes)] if minutes else []
    if rest or not minutes:
        said.append(_time_left_units(rest)["second"].format(n=rest))
    return " ".join(said)


@register.simple_tag
def time_left_forms() -> str:
    """The words of time_left_words for the countdown's script: each unit's singular and
    plural, chosen there by the language's plural rule (Intl.PluralRules)."""
    one, other = _time_left_units(1), _time_left_units(2)
    return json.dumps({unit: [one[unit], other[unit]] for unit in one}, ensure_ascii=False)


@register.filter
def seat_label(place) -> str:
    """A place's label that a narrow column wraps between the section's words, never inside
    its seat ("Parterre gauche" / "A-17", not "Parterre gauche A-" / "17")."""
    section, _space, seat = str(place).rpartition(" ")
    if not section:
        return escape(seat)
    return format_html('{} <span class="nowrap">{}</span>', section, seat)


@register.filter
def cash_due(amount):
    """What changes hands in cash for `amount`: to the nearest coin (sales.policy.cash_due)."""
    return policy.cash_due(amount)


@register.filter
def change_for(tendered, amount):
    """The change handed back for `tendered` in cash against `amount` (sales.policy.change_for)."""
    return policy.change_for(tendered, amount)


@register.simple_tag
def cash_step() -> str:
    """The coin cash is rounded to (CASH_ROUNDING), for the counter's live change."""
    return str(settings.CASH_ROUNDING)


@register.filter
def in_cash(amount):
    """What `amount` is in cash: to the nearest coin (policy.cash_due)."""
    return policy.cash_due(amount)


@register.filter
def any_price_type(rows) -> bool:
    """Whether a ticket table has a price type to show: its column, empty on every row (a
    performance with no price types), is left out. Rows are tickets (their `type_name`; a
    complimentary one is said so in that column) or an exchange's new seats (place, line,
    price type's name)."""
    return any(row[2] if isinstance(row, tuple) else (row.type_name or row.complimentary) for row in rows)


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


@register.filter
def clock(value, performance) -> str:
    """A moment of a sale (a payment, a step of its order) as "H:i" on the clock of the
    performance's venue, as its order's page shows it, with the clock's name when it is
    not the box office's (on which a shift's own times are): "16:47 PST". A zone of
    another name on the same clock then (America/Montreal's, Toronto's) is not named."""
    if not value:
        return ""
    local = do_timezone(value, performance.venue.zone)
    shown = when(local, "H:i")
    own = do_timezone(value, zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return f"{shown} {local.tzname()}" if local.utcoffset() != own.utcoffset() else shown


# An order's audit lines are kept in English (the record, as searched and exported); the
# consoles read them in their own language. The actions the services write:
AUDIT_ACTIONS = (gettext_noop("placed"), gettext_noop("reserved"), gettext_noop("paid"), gettext_noop("failed"),
                 gettext_noop("cancelled"), gettext_noop("refunded"), gettext_noop("reservation lapsed"),
                 gettext_noop("payment refunded"), gettext_noop("exchanged"), gettext_noop("exchange approved"),
                 gettext_noop("refund approved"), gettext_noop("printed"), gettext_noop("reprinted"),
                 gettext_noop("confirmation sent"), gettext_noop("reminder sent"), gettext_noop("payment link sent"),
                 gettext_noop("confirmation not sent"), gettext_noop("payment declined"),
                 gettext_noop("refund pending at provider"), gettext_noop("refund taken by provider"),
                 gettext_noop("tickets refunded"), gettext_noop("refund notice sent"),
                 gettext_noop("cancellation notice sent"), gettext_noop("refund refused by provider"),
                 gettext_noop("refund settled by other means"), gettext_noop("tickets emailed to the buyer"))
# Amounts in an audit line: "70.00 CAD", or "card_terminal 50.00 + cash 20.00 CAD" (one
# currency, at the end, for them all).
_AMOUNT = re.compile(r"(?<![\w.])-?\d+\.\d{2}(?![\w.])")
_CURRENCY = re.compile(r" ([A-Z]{3})(?=$|[,;:)])")


def _amounts_as_money(text: str) -> str:
    """Each amount of `text` written as money in the reader's language (70,00 $)."""
    found = _CURRENCY.search(text)
    if not found:
        return text
    currency = found[1]
    text = _CURRENCY.sub("", text)
    return _AMOUNT.sub(lambda m: money(Decimal(m[0]), currency), text)


# A payment method in a "paid" line, with its amount as recorded (the payment's row's, to
# the cent): "card_terminal 50.00 + cash 20.02 CAD".
_METHODS = re.compile(r"\b(" + "|".join(sorted(Payment.Method.values, key=len, reverse=True)) + r")\b"
                      r"(?: (\d+\.\d{2})(?![\w.]))?")


def _as_handed(found) -> str:
    """A payment of a "paid" line named in the reader's language, with what changed hands,
    as the order's payments and the drawer count it: cash to the nearest coin, the rest
    to the cent (policy.counted)."""
    label = str(Payment.Method(found[1]).label)
    return label if found[2] is None else f"{label} {policy.counted(found[1], Decimal(found[2]))}"


# A date in an audit line, as the record keeps it (an exchange's sides: "(2026-12-06 23:30)",
# already on the venue's clock), to be read as the history's own moments are ("6 Dec 23:30").
_RECORDED_DATE = re.compile(r"\((\d{4}-\d\d-\d\d \d\d:\d\d)\)")
HISTORY_TIME = "j M H:i"


def _dates_as_read(text: str) -> str:
    def read(found):
        try:
            return f"({when(datetime.strptime(found[1], '%Y-%m-%d %H:%M'), HISTORY_TIME)})"
        except ValueError:  # not a date after all: as it is
            return found[0]
    return _RECORDED_DATE.sub(read, text)


@register.filter
def audit_line(event) -> str:
    """An audit line, "action detail", in the reader's language, its dates written as the
    history writes its moments."""
    detail = _dates_as_read(event.detail or "")
    if m := re.fullmatch(r"(\d+) tickets, (.*)", detail):
        detail = ngettext("%(n)d ticket, %(total)s", "%(n)d tickets, %(total)s", int(m[1])) % {
            "n": int(m[1]), "total": m[2]}
    elif m := re.fullmatch(r"(\d+) tickets", detail):
        detail = ngettext("%(n)d ticket", "%(n)d tickets", int(m[1])) % {"n": int(m[1])}
    elif m := re.fullmatch(r"at the counter of (.*)", detail):  # as approvals were written before
        detail = gettext("at the counter of %(clerk)s") % {"clerk": m[1]}
    elif event.action in ("refund approved", "exchange approved") and (m := re.fullmatch(r"for (.*)", detail)):
        detail = gettext("for %(clerk)s") % {"clerk": m[1]}
    elif m := re.fullmatch(r"(.*); difference (\S+ \S+)", detail):
        detail = gettext("%(places)s; difference %(amount)s") % {"places": m[1], "amount": m[2]}
    elif event.action == "tickets refunded" and (m := re.fullmatch(r"(.*); (\S+ [A-Z]{3})", detail)):
        detail = gettext("%(places)s; %(amount)s") % {"places": m[1], "amount": m[2]}
    elif m := re.fullmatch(r"([-\d.]+ [A-Z]{3}): (.*), (\S+)", detail):
        detail = f"{m[1]}: {gettext(m[2])}, {m[3]}"
    elif event.action == "paid":
        detail = _METHODS.sub(_as_handed, detail)
    elif detail:
        detail = gettext(detail)
    if not detail:
        return gettext(event.action)
    return gettext("%(action)s: %(detail)s") % {"action": gettext(event.action), "detail": _amounts_as_money(detail)}
