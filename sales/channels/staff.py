"""What the staff channels share: the role guard, the landing page after login, finding
a performance among many, and leaving a page for another."""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from events.models import Performance
from sales.availability import zone_counts
from sales.channels.forms import IdsField
from sales.errors import SalesError
from sales.formatting import money, number, when
from sales.holds import hold_give_back, hold_is_live
from sales.models import Hold, Order, Payment, Place
from sales.orders import exchange_prices, refund_payback, refund_ways, tickets_payback
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR, counted_row, policy_for, roles_of

# A festival has hundreds of performances on sale: each staff page lists them a page at a time,
# the soonest first, and finds one by its show, venue or date.
PERFORMANCES_PER_PAGE = 10
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# The longest search a staff search box takes (the counter's order lookup, the phone's caller
# search): longer than any name, email or order code. A longer one never reaches the database.
SEARCH_MAX_CHARS = 200
DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")  # 24/12 or 24/12/2026, as Québec and France write it


class StaffOnly(PermissionDenied):
    """A page for another staff role (the error page names it)."""

    def __init__(self, role: str):
        super().__init__(f"this page is for the {role} role")
        self.role = role


def role_required(role: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if role not in roles_of(request.user):
                raise StaffOnly(role)
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def search_query(request) -> str | None:
    """The search box's `?q=`, stripped; None when it is longer than SEARCH_MAX_CHARS, with
    a message saying so on the page: the caller then searches nothing."""
    q = (request.GET.get("q") or "").strip()
    if len(q) <= SEARCH_MAX_CHARS:
        return q
    messages.error(request, _("A search has at most %(max)s characters (this one had %(count)s): type a shorter one.")
                   % {"max": number(SEARCH_MAX_CHARS), "count": number(len(q))})
    return None


def to_page(request, url: str):
    """Go to `url`; from an htmx request (the totals of a sale asked again), the whole page goes."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@dataclass
class PerformancesPage:
    """One page of performances (those a channel sells now, those the door will let in):
    `find` as it was typed, `page` from 1, `more` if a later page has some."""

    performances: list[Performance]
    find: str
    page: int
    more: bool


def on_sale(channel: str, now: datetime) -> QuerySet[Performance]:
    """Performances on sale on `channel` right now, the soonest first (begun ones at the
    counter only, as check_on_sale sells them; put on sale, with places, only)."""
    found = Performance.objects.filter(on_sale_windows__channel=channel, on_sale_windows__opens_at__lte=now,
                                       on_sale_windows__closes_at__gt=now, cancelled_at__isnull=True).filter(
        Exists(Place.objects.filter(performance=OuterRef("pk"))))
    if not policy_for(channel).sells_after_start:
        found = found.filter(starts_at__gt=now)
    return found.select_related("event", "venue").order_by("starts_at", "pk")


def performances_page(performances: QuerySet[Performance], asked: Mapping[str, str], *,
                      today: date) -> PerformancesPage:
    """The page `asked` (a request's ?page=, from 1) of `performances` (ordered, with what
    the page prefetches) that every word of `asked`'s ?find= finds: in the show's title or
    the venue's name, whatever the case and the accents (etoiles finds Les Étoiles), or as
    the performance's day at its venue (2026-12-24, 24/12, 24/12/2026, or written out as the
    list writes it: Tue 24 Dec, Dec 24, 24 décembre 2026; a day without its year is the
    next such day from `today`). Words written as a day find a title with them too (a show
    called 24/7)."""
    find = " ".join(str(asked.get("find", "")).split())[:100]
    try:
        page = max(1, min(int(asked.get("page") or 1), 10_000))
    except (TypeError, ValueError):
        page = 1
    words = find.split()
    if words:
        # Matched here rather than by the database, whose collation may not know that É
        # is é: a festival's few hundred titles are read once, with nothing prefetched.
        texts = {pk: _folded(f"{title} {venue}") for pk, title, venue in
                 performances.prefetch_related(None).values_list("pk", "event__title", "venue__name")}
        terms = _terms(words, today)
        if any(day for _words, day in terms):
            performances = performances.alias(local_day=Cast(
                Func(F("venue__time_zone"), F("starts_at"), function="timezone"), DateField()))
        for said, day in terms:
            match = Q(pk__in=[pk for pk, text in texts.items() if all(_folded(word) in text for word in said)])
            if day:
                match |= Q(local_day=day)
            performances = performances.filter(match)
    start = (page - 1) * PERFORMANCES_PER_PAGE
    found = list(performances[start:start + PERFORMANCES_PER_PAGE + 1])
    return PerformancesPage(found[:PERFORMANCES_PER_PAGE], find, page, len(found) > PERFORMANCES_PER_PAGE)


def _folded(text: str) -> str:
    """`text` without case or accents."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


# Months and weekdays as English and French write them (without accents: _folded), each
# also found by its first three letters or more ("Jan", "janv.", "sept").
MONTHS = [(name, n) for names in (
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"],
    ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre",
     "decembre"]) for n, name in enumerate(names, start=1)]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
DAY_OF_MONTH = re.compile(r"^(\d{1,2})(?:er)?$")  # 5, or 1er as French writes the first
YEAR = re.compile(r"^\d{4}$")


def _begins(word: str, name: str) -> bool:
    """Whether `word` writes `name` or its first three letters or more."""
    word = _folded(word).strip(".,")
    return len(word) >= 3 and name.startswith(word)


def _month(word: str) -> int | None:
    months = {n for name, n in MONTHS if _begins(word, name)}
    return months.pop() if len(months) == 1 else None


def _terms(words: list[str], today: date) -> list[tuple[list[str], date | None]]:
    """What each word of a search asks, with the day it writes if it does: a day written
    out as the lists write it ("Tue 5 Jan", "Jan 5", "5 janvier 2027", "mar. 1er déc.")
    is one term of its words, the day they write together."""
    terms, i = [], 0
    while i < len(words):
        # A weekday first ("Tue 5 Jan"); but "mar." is March as well as French's mardi:
        # "Mar 5" is read as the month if no day follows it as a weekday.
        weekday = i + 1 < len(words) and any(_begins(words[i], name) for name in WEEKDAYS)
        day = month = None
        for at in (i + 1, i) if weekday else (i,):
            for figure, name in ((at, at + 1), (at + 1, at)):  # 5 Jan, or Jan 5
                if max(figure, name) < len(words):
                    found, month = DAY_OF_MONTH.match(words[figure].strip(".,")), _month(words[name])
                    if found and month:
                        day = int(found[1])
                        break
            if day is not None:
                break
        if day is None:
            terms.append(([words[i]], _day(words[i], today)))
            i += 1
            continue
        end, written = at + 2, f"{day}/{month}"
        if end < len(words) and YEAR.match(words[end].strip(".,")):
            written, end = f"{written}/{words[end].strip('.,')}", end + 1
        terms.append((words[i:end], _day(written, today)))
        i = end
    return terms


def _day(word: str, today: date) -> date | None:
    """The day `word` writes, if it writes one the calendar has (not 31/02)."""
    iso, dm = ISO_DAY.match(word), DAY_MONTH.match(word)
    if iso:
        year, month, day = (int(n) for n in iso.groups())
    elif dm:
        day, month = int(dm[1]), int(dm[2])
        year = int(dm[3]) if dm[3] else None
    else:
        return None
    years = [year] if year is not None else [today.year + n for n in range(5)]
    for candidate in years:
        try:
            found = date(candidate, month, day)
        except ValueError:  # 31/02; 29/02 waits for a leap year
            continue
        if dm is None or dm[3] or found >= today:
            return found
    return None


@login_required
def staff_home(request):
    roles = roles_of(request.user)
    if COUNTER_CLERK in roles and not request.user.is_superuser:
        return redirect("counter:home")
    if PHONE_OPERATOR in roles and not request.user.is_superuser:
        return redirect("phone:home")
    if DOOR_STAFF in roles and not request.user.is_superuser:
        return redirect("door:home")
    if ORGANIZER in roles and request.user.is_staff:
        return redirect("admin:index")
    raise PermissionDenied("no staff role")


def exchange_offers(channel: str, order, asked: Mapping[str, str], tickets: list):
    """The performances of an order's event an exchange may go to on `channel`, a page at a
    time (a show that runs for months has a hundred dates on sale), each with its zones,
    the places left in each and what a ticket there costs in all, as the order's tickets
    say what they cost (taxes and the fee per ticket in), and as the exchange then charges
    it: a ticket like one of the order's at what that one was paid (exchange_prices):
    ([(performance, [(zone, available, [ExchangePrice])])], the page). `tickets`: the
    order's, as the page read them. The order's own performance comes first, on every
    page: an exchange is most often within the same night, and the clerk must not hold
    seats on another by mistake."""
    now = timezone.now()
    dates = on_sale(channel, now).filter(event_id=order.performance.event_id).prefetch_related("price_zones")
    found = performances_page(dates, asked, today=timezone.localdate(now))
    offered = found.performances
    if not found.find and order.performance_id not in {perf.pk for perf in offered}:
        offered = list(dates.filter(pk=order.performance_id)) + offered
    offers = []
    for perf in offered:
        counts = zone_counts(perf.pk, channel)
        prices = exchange_prices(order=order, performance_id=perf.pk, channel=channel, tickets=tickets)
        offers.append((perf, [(z, counts.get(z.pk, {}).get("available", 0), prices.get(z.pk, []))
                              for z in perf.price_zones.all()]))
    return offers, found


def as_handed(payments) -> list:
    """An order's payments, each with what changed hands (`counted`): cash to the coin, a
    payback as it left the drawer, as the shift counts them. In the order they were made:
    a table's rows come back in no order of their own (a row written again moves)."""
    rows = list(payments.order_by("created_at", "pk"))
    for p in rows:
        p.counted = counted_row(p)
    return rows


# How a payback reaches the buyer, as the clerk or the operator is told before confirming it.
PAYBACK_WAYS = {
    Payment.Method.CASH: gettext_lazy("cash from the drawer"),
    Payment.Method.CARD_TERMINAL: gettext_lazy("on the card terminal"),
    Payment.Method.CARD: gettext_lazy("to the card, by the payment provider"),
    Payment.Method.TEST_CARD: gettext_lazy("to the card, by the payment provider"),
    Payment.Method.CARD_NOT_PRESENT: gettext_lazy("to the card, by the payment provider"),
}


def refund_question(order, by_ticket: bool, payback: list | None = None) -> str:
    """What the refund form asks before anything is paid back: for the whole order, what
    goes back and each way it goes (as the refund would pay it: refunds.refund_payback,
    or `payback` when the page already worked it out); for the tickets ticked, the ways
    their value goes back (its amount depends on the ticks: ticked_payback says it for
    the tickets ticked, as the page asks it)."""
    if by_ticket:
        ways = ", ".join(str(PAYBACK_WAYS.get(m, m)) for m in refund_ways(order))
        if not ways:
            return _("Refund the ticked tickets?")
        return _("Refund the ticked tickets? What they cost goes back the way the order was paid: %(ways)s.") % {
            "ways": ways}
    if payback is None:
        payback = refund_payback(order)
    if not payback:
        return _("Refund the whole order? Nothing is paid back.")
    return _("Refund the whole order? %(amount)s goes back: %(ways)s.") % _payback_words(order, payback)


def _payback_words(order, payback) -> dict[str, str]:
    return {"amount": money(sum((a for _m, a in payback), Decimal("0")), order.currency),
            "ways": ", ".join(f"{money(a, order.currency)} {PAYBACK_WAYS.get(m, m)}" for m, a in payback)}


@dataclass
class TickedPayback:
    """What refunding the tickets ticked on an order's page would pay back, as the refund
    itself works it out (refunds.tickets_payback): `said` on the page beside the ticks,
    `question` asked before the refund (empty: the form's own question is asked), and
    `ticked`, the tickets it is for ("12,15", by id), for the page's script to know it
    is not asking about ticks changed since."""

    said: str
    question: str
    ticked: str


def ticked_payback_page(request, code: str):
    """What refunding the tickets ticked on an order's page pays back, and how, as the
    refund itself works it out (the counter's and the phone's): asked again as the ticks
    change, and by the refund's confirmation before anything is paid back."""
    order = get_object_or_404(Order, code=code.upper())
    return render(request, "staff/_refund_payback.html",
                  {"payback": ticked_payback(order, IdsField().to_python(request.GET.getlist("tickets")))})


def ticked_payback(order, ticket_ids) -> TickedPayback:
    ids = sorted(set(ticket_ids))
    ticked = ",".join(map(str, ids))
    if not ids:
        return TickedPayback("", "", ticked)
    try:
        payback = tickets_payback(order, ids)
    except SalesError as exc:  # refused as the refund would refuse them: said before confirming
        return TickedPayback(exc.message, "", ticked)
    if not payback:
        return TickedPayback(_("Nothing is paid back."), _("Refund the ticked tickets? Nothing is paid back."), ticked)
    words = _payback_words(order, payback)
    return TickedPayback(_("%(amount)s goes back: %(ways)s.") % words,
                         _("Refund the ticked tickets? %(amount)s goes back: %(ways)s.") % words, ticked)


def sale_gone_words(hold: Hold, lapsed: str) -> str:
    """What a staff sale's page, opened again once its hold is no longer live, says of its
    seats: its performance was cancelled, its seller cancelled the sale (the hold released,
    by a person), or else `lapsed`."""
    if hold.performance.cancelled_at is not None:
        return _("This performance was cancelled; the seats were released.")
    if hold.status == Hold.Status.RELEASED:
        return _("This sale was cancelled; its places were released.")
    return lapsed


def give_back(hold, actor) -> bool:
    """The seats of a sale or an exchange staff will not go on with go back on sale at
    once, rather than when the hold lapses: not those of an order standing on the hold (a
    sale that went through), nor those of a hold no longer live (nothing to give back).
    Whether they went back."""
    try:
        hold_give_back(hold=hold, actor=actor)
    except SalesError:
        return False
    return True


def held_until(hold: Hold) -> str:
    """When a live hold lapses, on its venue's clock, as staff pages say it (the time alone)."""
    return when(hold.performance.local(hold.expires_at), "H:i")


def exchange_refused(request, hold: Hold, exc: SalesError) -> None:
    """Say why an exchange no longer goes on (its order or tickets changed). Its new seats go
    back on sale when staff asked for the exchange (a POST); a page merely opened (a reload,
    a restored tab, the browser's own doing) changes no seat: they stay held, to be released
    from the order's page, or when the hold lapses."""
    messages.error(request, _("Not exchanged: %(reason)s") % {"reason": exc.message})
    if request.method == "POST":
        if give_back(hold, request.user):
            messages.info(request, _("The new seats were released."))
    elif hold_is_live(hold):
        messages.info(request, _("The new seats stay held until %(time)s, or until you release them.")
                      % {"time": held_until(hold)})

