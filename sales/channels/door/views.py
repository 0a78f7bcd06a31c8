"""The door: staff at the entrance pick tonight's performance, then scan tickets with the
device's camera, type a code, or find a guest by name. Each scan is one call to the
check-in service; the page keeps scans made while the network is down and sends them
when it is back (static/door.js), and a service worker keeps the page itself, so that it
opens again after a reload with the network down (templates/door/service_worker.js)."""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.models import Performance
from sales.channels.staff import performances_page, role_required
from sales.errors import InvalidRequest, NotFound, SalesError
from sales.formatting import buyer_name, day_label
from sales.models import Place
from sales.policy import DOOR_STAFF
from sales.tickets import (
    ON_THE_DAY,
    attendance,
    elsewhere,
    off_day,
    price_type_notes,
    ticket_check_in,
    tickets_find,
    with_type_names,
)

door_only = role_required(DOOR_STAFF)

# Every static file the scanning page loads (base.html, staff_base.html, door/scan.html),
# kept on the device by the door's service worker with the page.
OFFLINE_FILES = ("favicon.svg", "shop.css", "django_htmx/htmx-2.min.js", "shop.js", "door.css",
                 "vendor/html5-qrcode/html5-qrcode.min.js", "door.js", "scrollbox.js", "staff.js")
# Sent with the scanning page: when its member of staff's session ends unless used again
# (boxoffice.signin): the page kept on the device is not shown past it.
SESSION_ENDS = "X-Staff-Session-Ends"
# Set with the scanning page: a cookie the browser forgets when it closes, as it forgets the
# staff session's own (boxoffice.signin), and which the page's script can read (the
# session's it cannot). The page kept on the device, opened in a browser closed since, finds
# it gone: nobody is signed in there, and the page scans nothing (static/door.js).
BROWSER_OPEN = "door_browser_open"


def _next_step(refused: SalesError) -> str:
    """What the door does with a guest whose scan leaves nothing to let in, when the refusal
    does not say it already (an order's code says where to find the guest): a code nobody
    has may be misread or mistyped, and a refunded ticket is the box office's to sort out."""
    if isinstance(refused, NotFound) and refused.detail.get("field") == "code" and "order" not in refused.detail:
        return _("Look the guest up by name.")
    if refused.detail.get("void") == "refunded":
        return _("Send the guest to the box office.")
    return ""


def _performance(pk: int) -> Performance:
    return get_object_or_404(Performance.objects.select_related("event", "venue"), pk=pk)


@door_only
@require_GET
def home(request):
    now = timezone.now()
    # A festival's day has dozens of performances: ten at a time, found by show, venue or day.
    # Listed until their day is over, tonight's first; one still being set up (never put on
    # sale) has no ticket to scan.
    found = performances_page(Performance.objects.filter(starts_at__gte=now - ON_THE_DAY)
                              .filter(Exists(Place.objects.filter(performance=OuterRef("pk"))))
                              .select_related("event", "venue").order_by("starts_at", "pk"),
                              request.GET, today=timezone.localdate(now))
    # Tonight's or today's, of those the door lets in now (an 00:30 show is not, at noon).
    rows = [{"performance": p, "day": "" if off_day(p, now) else day_label(p, now)} for p in found.performances]
    return render(request, "door/home.html", {"rows": rows, "found": found})


@door_only
@require_GET
def scan_page(request, pk: int):
    """The scanning page; `?q=` finds guests by name, email or order code (the results
    alone for htmx)."""
    performance = _performance(pk)
    query = request.GET.get("q", "")[:100]
    found = with_type_names(tickets_find(performance_id=performance.pk, query=query))
    context = {"performance": performance, "counts": attendance(performance.pk), "q": query, "found": found,
               "elsewhere": None if found else elsewhere(performance_id=performance.pk, query=query),
               "result": None, "off_day": off_day(performance, timezone.now()), "door": _door_typed(request.GET)}
    if request.htmx:
        return render(request, "door/scan.html#found", context)
    return _scanning_page(request, context)


def _door_typed(data) -> str:
    """The door's name sent by a form of the scanning page posted alone (no script: a code
    typed, a guest found or admitted), for the page it answers with to keep it for the next
    guest."""
    return data.get("door", "").strip()[:60]


def _scanning_page(request, context: dict, status: int = 200):
    """The scanning page, with what its copy kept on the device is checked by: when its
    staff session ends unless used (SESSION_ENDS) and whether the browser is still open
    (BROWSER_OPEN)."""
    ends = getattr(request, "staff_session_ends", None)
    response = render(request, "door/scan.html", {**context, "browser_open": BROWSER_OPEN if ends else ""},
                      status=status)
    if ends:
        response[SESSION_ENDS] = str(ends)
        response.set_cookie(BROWSER_OPEN, "1", path=reverse("door:home"), secure=settings.SESSION_COOKIE_SECURE,
                            samesite="Lax")  # no age: gone when the browser closes
    return response


@functools.cache
def _offline_files_version() -> str:
    """What the files kept offline hold, in short: a deployment that changes one changes the
    service worker's script, whose new copy fetches them again and drops the old ones."""
    digest = hashlib.sha256()
    for name in OFFLINE_FILES:
        with open(finders.find(name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:16]


@door_only
@require_GET
def service_worker(request):
    """The door's service worker, scoped to /door/ by its address."""
    context = {"files": json.dumps([static(name) for name in OFFLINE_FILES]),
               "version": _offline_files_version(), "session_ends": SESSION_ENDS}
    return render(request, "door/service_worker.js", context, content_type="text/javascript; charset=utf-8")


def _wants_json(request) -> bool:
    return request.accepts("application/json") and not request.accepts("text/html")


@door_only
@require_POST
def scan(request, pk: int):
    """One scan. The page's script sends it with `Accept: application/json` and reads the
    answer; without the script, the form posts here and the page shows the answer."""
    performance = _performance(pk)
    code = request.POST.get("code", "").strip()[:100]
    status = 200
    now = timezone.now()
    try:
        scanned_at = None
        if request.POST.get("scanned_at"):
            try:
                scanned_at = parse_datetime(request.POST["scanned_at"][:40])
            except ValueError:  # well formed, but no such date (a 13th month)
                scanned_at = None
            if scanned_at is None or timezone.is_naive(scanned_at):
                raise InvalidRequest(_("this scan's time is not a date and time"), field="scanned_at")
        checked = ticket_check_in(code=code, performance=performance, door=request.POST.get("door", ""),
                                  scan=request.POST.get("scan", ""), scanned_at=scanned_at, actor=request.user,
                                  now=now)
    except SalesError as exc:
        status = exc.status
        result = {"admitted": False, "code": exc.code, "message": exc.message, "ticket": code,
                  "next": _next_step(exc)}
    else:
        ticket, = with_type_names([checked.ticket])
        result = {"admitted": True, "code": "admitted", "replayed": checked.replayed, "ticket": ticket.code,
                  "message": _("Admitted"), "place": ticket.place.label, "zone": ticket.price_zone_name,
                  "price_type": ticket.type_name, "name": buyer_name(ticket.order),
                  "order": ticket.order.code,
                  # What the door checks for this kind of ticket ("Show student ID at the door").
                  "note": price_type_notes(performance.pk).get(ticket.price_type_name, "")
                  if ticket.price_type_name else ""}
    counts = attendance(performance.pk)
    if _wants_json(request):
        return JsonResponse({**result, "counts": counts}, status=status)
    return _scanning_page(request, {
        "performance": performance, "counts": counts, "off_day": off_day(performance, now),
        "q": "", "found": [], "result": result,
        "door": _door_typed(request.POST)}, status=status)


@door_only
@require_GET
def attendance_now(request, pk: int):
    """Scanned and sold, for the page's live counter (every door's scans count)."""
    return JsonResponse(attendance(get_object_or_404(Performance, pk=pk).pk))
