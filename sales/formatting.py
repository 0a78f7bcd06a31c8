"""Amounts as the buyer reads them, in the active language: the templates' `money`
filter and the seat map's labels say prices the same way."""

import contextlib
import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

# A moment and an amount as the reader writes them: events.models' (a performance's name
# writes its start so, a price zone's name its price), here with the rest of what pages write.
from events.models import group_mark, money, when
from events.models import percent as percent  # a tax rate, as sales.models names one

from .errors import InvalidRequest
from .models import ERASED_NAME, erased_email


def number(count) -> str:
    """A count (places, tickets, orders, people in a queue) as the reader writes it, grouped
    as `money` groups amounts: 1398 → "1,398" in English, "1 398" in French. Only for
    words on a page: a number in an address, a form's value or JSON is written bare."""
    if count is None or count == "":
        return ""
    try:
        value = int(count)
    except (TypeError, ValueError):  # not a count: as it is
        return str(count)
    return f"{value:,}".replace(",", group_mark())


def paid_with(line) -> str:
    """What a ticket's price as charged (a Ticket's or a priced line's `price`: its list
    price less its discount, with its fee and the taxes on both) holds beyond its list
    price, in words to say beside it."""
    fee, tax = getattr(line, "fee", 0) or 0, getattr(line, "tax", 0) or 0
    if fee and tax:
        return gettext("fees and taxes included")
    if tax:
        return gettext("taxes included")
    if fee:
        return gettext("fees included")
    return ""


def zone_place(name) -> str:
    """A time zone as a reader names it: the place it is named after ("America/Toronto" is
    Toronto's, "America/Argentina/Buenos_Aires" Buenos Aires's)."""
    return str(name).rsplit("/", 1)[-1].replace("_", " ")


def performance_label(performance, style: str = "D j M Y H:i") -> str:
    """A performance as a page's title names it: its show and its start on the venue's
    clock, written as the active language writes dates (in the default `style`, as
    str(performance) names it)."""
    return f"{performance.event.title} — {when(performance.local(), style)}"


def at_venue(moment, performance):
    """`moment` on the clock of the performance's venue (events.models.Venue.time_zone)."""
    return timezone.localtime(moment, performance.venue.zone)


def running_time(performance) -> str:
    """How long a performance runs and when it ends on its venue's clock, as its pages say
    it ("About 2 h 15, ending around 22:15"), or "" when the organizer has not said."""
    if not performance.running_minutes:
        return ""
    hours, minutes = divmod(performance.running_minutes, 60)
    if not hours:
        length = gettext("%(minutes)d min") % {"minutes": minutes}
    elif not minutes:
        length = gettext("%(hours)d h") % {"hours": hours}
    else:
        length = gettext("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": minutes}
    return gettext("About %(length)s, ending around %(end)s") % {
        "length": length, "end": when(at_venue(performance.ends_at, performance), "H:i")}


# On a venue's clock a night runs on past midnight: a show at 00:30 or 02:00 is the
# evening's before it, and a moment before this hour is still the day before's night.
NIGHT_ENDS = 5
# A show starting from this hour (or in the night after) is "tonight"; earlier, "today".
EVENING_BEGINS = 17


def _evening_of(local):
    """The day whose evening a moment on a venue's clock belongs to."""
    return (local - timedelta(hours=NIGHT_ENDS)).date()


def day_label(performance, now) -> str:
    """"Tonight" for a performance of this evening or the night after it (an 00:30 show,
    seen at 22:00 or at 00:10), "Today" for a matinee of today, or "" (last night's show
    the next morning, tomorrow's), in the reader's language: on the venue's clock, not the
    server's."""
    starts, local_now = at_venue(performance.starts_at, performance), at_venue(now, performance)
    if _evening_of(starts) != _evening_of(local_now):
        return ""
    if starts.hour < NIGHT_ENDS or starts.hour >= EVENING_BEGINS:
        return gettext("Tonight")
    return gettext("Today")


# A counter sale's customer is nobody in particular: kept under this name, read in the
# reader's language.
WALK_IN_NAME = gettext_noop("Counter customer")
WALK_IN_EMAIL = "counter@boxoffice.invalid"


def person_name(name: str, email: str) -> str:
    """A buyer's name as shown: the counter's walk-in (nobody in particular) and a person
    whose data was erased in the reader's language, anyone else as typed."""
    if name == WALK_IN_NAME and email == WALK_IN_EMAIL or name == ERASED_NAME and erased_email(email):
        return gettext(name)
    return name


def customer_name(customer) -> str:
    return person_name(customer.name, customer.email)


def buyer_name(order) -> str:
    """The name the order was bought under (Order.buyer), in the reader's language for a
    counter sale's nobody in particular."""
    return person_name(order.buyer, order.customer.email)


def payment_note(payment) -> str:
    """A payment's note (kept in English, the record) in the reader's language: the
    providers' and services' notes are messages of ours; a provider's own reference or
    words are shown as they are."""
    text = payment.message or ""
    if text == "approved":  # the provider's yes (payments.APPROVED): the payment's status says it already
        return ""
    if text.startswith("change due "):
        amount = text.removeprefix("change due ")
        with contextlib.suppress(ArithmeticError):  # a note written some other way: as it is
            amount = money(Decimal(amount), payment.order.currency if payment.order_id else None)
        return gettext("change due %(amount)s") % {"amount": amount}
    if text == "card terminal":  # its method says so: the reference typed from its slip, if any
        return gettext("reference %(reference)s") % {"reference": payment.reference} if payment.reference else ""
    if text.startswith("refunded: "):
        return gettext("refunded: %(reason)s") % {"reason": gettext(text.removeprefix("refunded: "))}
    return gettext(text) if text else ""


# What a spreadsheet reads as the start of a formula in a cell of text that someone typed
# (a buyer's name "=HYPERLINK(...)", an organizer's tax name): written as text instead.
# Amounts are numbers, not text, and keep their sign.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_marks() -> tuple[str, str]:
    """The cell separator and the decimal mark of a CSV file in the active language, as a
    spreadsheet there opens it: French writes 2,50, so Excel in French separates cells with
    ";" (a "," file opens as one column); English keeps "," and "."."""
    return (";", ",") if (get_language() or "en").startswith("fr") else (",", ".")


def csv_cell(value, decimal_mark: str = "."):
    """A value as a CSV cell a spreadsheet opens (every CSV export and the settlement): None
    is empty, text that would start a formula is marked as text, and an amount is written
    with `decimal_mark` (csv_marks)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # the usual mark of text in a spreadsheet
    if isinstance(value, Decimal) and decimal_mark != ".":
        return format(value, "f").replace(".", decimal_mark)
    return value


# A card number (PAN): 13 to 19 digits, typed whole or in groups split by a space or a
# dash (4-4-4-4, Amex's 4-6-5, 4-4-4-4-3), its last digit the Luhn check of the others.
DIGIT_RUN = re.compile(r"\d+(?:[ -]\d+)*")
# The networks' numbers begin with 2 to 6 (Mastercard's 2-series, Amex, Diners and JCB,
# Visa, Mastercard and Maestro, Discover and UnionPay): a long reference beginning
# otherwise is no card's, even when its last digit happens to check.
CARD_FIRST_DIGITS = "23456"


def holds_card_number(text: str) -> bool:
    """Does `text` hold a card number? The box office never keeps one, not even typed by
    hand into a note or a terminal's reference: what staff type is printed on slips,
    exported to spreadsheets and kept in backups. Groups of fewer than four digits inside
    it (a date's, a phone number's) are not a card number's."""
    for run in DIGIT_RUN.finditer(text):
        groups = re.split(r"[ -]", run.group())
        for start in range(len(groups)):
            digits = ""
            for end in range(start, len(groups)):
                if end > start and len(groups[end - 1]) < 4:
                    break
                digits += groups[end]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and digits[0] in CARD_FIRST_DIGITS and _luhn(digits):
                    return True
    return False


def refuse_card_number(text: str, *, field: str) -> None:
    """Refuse what staff or a buyer typed if it holds a card number (holds_card_number): a
    note, a name, a phone number, a terminal's reference, a comp's reason, a door's name, what
    the buyers of a cancelled performance are told."""
    if holds_card_number(text):
        raise InvalidRequest(gettext("this looks like a card number, and card numbers are never kept here: "
                                     "take it out"), field=field)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0
