"""What the staff channels share: the role guard, the landing page after login, finding
a performance on sale, and leaving a page for another."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, F, Func, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from events.models import Performance
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR, roles_of

# A festival has hundreds of performances on sale: a console lists them a page at a time,
# the soonest first, and finds one by its show, venue or date.
PERFORMANCES_PER_PAGE = 10
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
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


def to_page(request, url: str):
    """Go to `url`; from an htmx request (the totals of a sale asked again), the whole page goes."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@dataclass
class OnSalePage:
    """One page of the performances a channel sells now: `find` as it was typed, `page`
    from 1, `more` if a later page has some."""

    performances: list[Performance]
    find: str
    page: int
    more: bool


def on_sale(channel: str, now: datetime) -> QuerySet[Performance]:
    """Performances on sale on `channel` right now, the soonest first."""
    return (Performance.objects.filter(on_sale_windows__channel=channel, on_sale_windows__opens_at__lte=now,
                                       on_sale_windows__closes_at__gt=now)
            .select_related("event", "venue").order_by("starts_at", "pk"))


def on_sale_page(performances: QuerySet[Performance], *, find: str = "", page: str | int | None = 1,
                 today: date | None = None) -> OnSalePage:
    """A page of `performances` (on_sale, with what the page prefetches) whose show or
    venue holds every word of `find`, and whose day, at its venue, is the one a word
    gives (2026-12-24, 24/12, 24/12/2026; a day without its year is the next such day
    after `today`). A word that is not a day the calendar has finds nothing."""
    find = " ".join(find.split())[:100]
    try:
        page = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        page = 1
    for word in find.split():
        day = _day(word, today)
        if day is None:
            performances = performances.filter(Q(event__title__icontains=word) | Q(venue__name__icontains=word))
        elif day is False:
            performances = performances.none()
        else:
            performances = performances.alias(local_day=Cast(
                Func(F("venue__time_zone"), F("starts_at"), function="timezone"), DateField())).filter(local_day=day)
    start = (page - 1) * PERFORMANCES_PER_PAGE
    found = list(performances[start:start + PERFORMANCES_PER_PAGE + 1])
    return OnSalePage(found[:PERFORMANCES_PER_PAGE], find, page, len(found) > PERFORMANCES_PER_PAGE)


def _day(word: str, today: date | None) -> date | None | bool:
    """The day `word` writes; None if it is not written as a day; False if it is written
    as one the calendar does not have (31/02)."""
    iso, dm = ISO_DAY.match(word), DAY_MONTH.match(word)
    if iso:
        year, month, day = (int(n) for n in iso.groups())
    elif dm:
        day, month = int(dm[1]), int(dm[2])
        year = int(dm[3]) if dm[3] else None
    else:
        return None
    today = today or date.today()
    years = [year] if year is not None else [today.year + n for n in range(5)]
    for candidate in years:
        try:
            found = date(candidate, month, day)
        except ValueError:  # 31/02; 29/02 waits for a leap year
            continue
        if dm is None or dm[3] or found >= today:
            return found
    return False


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
