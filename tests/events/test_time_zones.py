"""Each venue has a clock: a 20:00 show in Toronto reads 20:00 in the shop, the emails,
the tickets, at the door and in the admin, whatever the server's clock says."""

import base64
import re
import zlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.html import escape

from events.models import IN_A_SENTENCE, IN_FULL, Venue, when
from sales.exports import ExportFilter, export_rows
from sales.formatting import money
from sales.notifications import send_confirmation
from sales.order_receipt import receipt_html, receipt_text
from sales.policy import COUNTER_CLERK, DOOR_STAFF, PHONE_OPERATOR
from sales.tickets import ticket_check_in
from sales.tickets_pdf import order_pdf
from tests.sales.test_check_in import sell
from tests.support import make_performance, make_user, signed_in
from tests.test_french_everywhere import pdf_text as french_pdf_text
from tests.test_french_everywhere import visible

pytestmark = pytest.mark.django_db
TORONTO = ZoneInfo("America/Toronto")


def test_a_venue_takes_the_servers_zone_by_default_and_only_real_zones(settings):
    assert Venue.objects.create(name="Hall").time_zone == settings.TIME_ZONE
    Venue(name="Quay", time_zone="Europe/Paris").full_clean()
    for wrong in ("Mars/Olympus", "", "../../etc/passwd", "america/toronto"):
        with pytest.raises(ValidationError):
            Venue(name="Nowhere", time_zone=wrong).full_clean()


@pytest.fixture
def toronto_show(settings):
    """A winter show at 20:00 in Toronto (01:00 the next day in UTC), on a server in UTC."""
    settings.TIME_ZONE = "UTC"
    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "America/Toronto"
    perf.venue.address = "60 Simcoe Street, Toronto"
    perf.venue.save()
    perf.starts_at = datetime(2031, 1, 17, 20, 0, tzinfo=TORONTO)
    perf.doors_open_at = datetime(2031, 1, 17, 19, 0, tzinfo=TORONTO)
    perf.save()
    return perf


def test_the_shop_shows_the_venues_time(client, toronto_show):
    page = client.get(f"/performances/{toronto_show.pk}/").content.decode()
    assert "Friday 17 January 2031, 20:00" in page and "19:00" in page
    assert "01:00" not in page and "Saturday 18 January" not in page
    assert "Friday 17 January 2031, 20:00" in client.get("/").content.decode()


def test_the_email_and_the_tickets_show_the_venues_time(toronto_show):
    ticket, = sell(toronto_show)
    send_confirmation(ticket.order_id)
    body = mail.outbox[-1].body
    # Not the server's clock: 01:00 UTC the next day (the time of the payment on the
    # receipt is today's, whatever hour the test runs at).
    assert "Friday 17 January 2031, 20:00" in body and "18 January 2031" not in body
    text = pdf_text(order_pdf(ticket.order))
    assert b"Friday 17 January 2031, 20:00" in text and b"18 January 2031" not in text


def test_the_email_the_order_page_and_the_tickets_say_where_and_when_the_doors_open(client, toronto_show):
    ticket, = sell(toronto_show)
    order = ticket.order
    send_confirmation(order.pk)
    body = mail.outbox[-1].body
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    text = pdf_text(order_pdf(order))
    for shown in (body, page):
        assert "60 Simcoe Street, Toronto" in shown and "Doors open 19:00" in shown
    assert b"60 Simcoe Street, Toronto" in text and b"Doors open 19:00" in text


# French typography's clock (the OQLF's, the Imprimerie nationale's): the hour without a
# leading zero, then "h" between no-break spaces, then the minutes, which a whole hour
# leaves out: "20 h", "20 h 30".
EIGHT_PM, SEVEN_PM = "20\u00a0h", "19\u00a0h"
# A whole hour written with its minutes ("20 h 00"), which French typography does not do.
ZERO_MINUTES = re.compile(r"\d\u00a0h\u00a000(?!\u00a0min)")
# A time of day as English writes it ("20:00"), which French never shows in words.
ENGLISH_CLOCK = re.compile(r"\b\d{1,2}:\d\d\b")


def test_french_pages_emails_and_tickets_write_the_clock_as_french_typography_does(client, toronto_show):
    """"20 h", never "20:00" nor "20 h 00", in French: the shop's performance page, the door's page,
    the confirmation email (text and HTML, its receipt's payment time too) and the PDF
    tickets; on the venue's clock as in English."""
    page = visible(client.get(f"/performances/{toronto_show.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert f"vendredi 17 janvier 2031, {EIGHT_PM}" in page and SEVEN_PM in page
    assert not ENGLISH_CLOCK.search(page), ENGLISH_CLOCK.findall(page)
    assert not ZERO_MINUTES.search(page), ZERO_MINUTES.findall(page)
    door = signed_in(make_user("door1", DOOR_STAFF)).get(f"/door/performances/{toronto_show.pk}/",
                                                         HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"ven 17 janvier {EIGHT_PM}" in visible(door) and not ENGLISH_CLOCK.search(visible(door))
    assert not ZERO_MINUTES.search(visible(door)), ZERO_MINUTES.findall(visible(door))
    ticket, = sell(toronto_show)
    order = ticket.order
    order.language = "fr"
    order.save(update_fields=["language"])
    send_confirmation(order.pk)
    message = mail.outbox[-1]
    (html, _kind), = message.alternatives
    for written in (message.body, visible(html)):
        assert f"vendredi 17 janvier 2031, {EIGHT_PM}" in written and f"Ouverture des portes {SEVEN_PM}" in written
        assert not ENGLISH_CLOCK.search(written), ENGLISH_CLOCK.findall(written)
        assert not ZERO_MINUTES.search(written), ZERO_MINUTES.findall(written)
    tickets = french_pdf_text(order_pdf(order)).replace("\u00a0", " ")  # printed as a space by the PDF's fonts
    assert "vendredi 17 janvier 2031, 20 h — Ouverture des portes 19 h" in tickets
    assert not ENGLISH_CLOCK.search(tickets), ENGLISH_CLOCK.findall(tickets)


def test_english_keeps_its_24_hour_clock(client, toronto_show):
    page = visible(client.get(f"/performances/{toronto_show.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Friday 17 January 2031, 20:00" in page and " h " not in page
    with translation.override("en"):
        assert when(datetime(2031, 1, 17, 9, 5), "D j M Y H:i") == "Fri 17 Jan 2031 09:05"
        assert when(datetime(2031, 1, 17, 9, 5, 7), "H:i:s") == "09:05:07"


def test_french_writes_the_hour_without_its_zero_and_seconds_with_their_units():
    with translation.override("fr"):
        assert when(datetime(2031, 1, 17, 9, 5), "D j M Y H:i") == "ven 17 janvier 2031 9\u00a0h\u00a005"
        assert when(datetime(2031, 1, 17, 0, 30), "H:i") == "0\u00a0h\u00a030"
        assert when(datetime(2031, 1, 17, 9, 5, 7), "H:i:s") == "9\u00a0h\u00a005\u00a0min\u00a007\u00a0s"
        # A whole hour without its minutes, in every style; a clock with seconds keeps them all.
        assert when(datetime(2031, 1, 17, 20, 0), "H:i") == EIGHT_PM
        assert when(datetime(2031, 1, 17, 20, 0), "D j M Y H:i") == f"ven 17 janvier 2031 {EIGHT_PM}"
        assert when(datetime(2031, 1, 17, 20, 0), IN_FULL) == f"vendredi 17 janvier 2031, {EIGHT_PM}"
        assert when(datetime(2031, 1, 17, 20, 0), IN_A_SENTENCE) == f"vendredi 17 janvier 2031 à {EIGHT_PM}"
        assert when(datetime(2031, 1, 17, 20, 30), IN_A_SENTENCE) == "vendredi 17 janvier 2031 à 20\u00a0h\u00a030"
        assert when(datetime(2031, 1, 17, 20, 0, 5), "H:i:s") == "20\u00a0h\u00a000\u00a0min\u00a005\u00a0s"
        # Django's own output (a read-only moment in the admin): its format cannot leave the
        # minutes out, so it writes them always.
        assert formats.date_format(datetime(2031, 1, 17, 20, 0), "DATETIME_FORMAT") == \
            "ven 17 janvier 2031 20\u00a0h\u00a000"
    with translation.override("en"):  # English keeps its minutes
        assert when(datetime(2031, 1, 17, 20, 0), IN_A_SENTENCE) == "Friday 17 January 2031 at 20:00"


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its pages' content streams inflated, to look for what they draw."""
    return pdf + b"".join(_inflated(s) for s in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S))


def _inflated(stream: bytes) -> bytes:
    """A page's content stream as text (reportlab writes it ASCII85, then Flate)."""
    stream = stream.strip()
    try:
        if stream.endswith(b"~>"):
            stream = base64.a85decode(stream, adobe=True)
        return zlib.decompressobj().decompress(stream)
    except (ValueError, zlib.error):
        return b""


def test_the_door_shows_the_venues_time(toronto_show):
    page = signed_in(make_user("door1", DOOR_STAFF)).get(f"/door/performances/{toronto_show.pk}/").content.decode()
    assert "Fri 17 Jan 20:00" in page


def test_the_admin_shows_and_takes_times_on_the_venues_clock(organizer, toronto_show):
    admin = signed_in(organizer)
    listing = admin.get("/admin/events/performance/").content.decode()
    assert "Fri 17 Jan 2031 20:00 (America/Toronto)" in listing
    form = admin.get(f"/admin/events/performance/{toronto_show.pk}/change/").content.decode()
    assert 'value="20:00:00"' in form and "America/Toronto" in form
    assert str(toronto_show) == f"{toronto_show.event} — Fri 17 Jan 2031 20:00"
    window = toronto_show.on_sale_windows.first()
    window.opens_at, window.closes_at = datetime(2031, 1, 10, 15, tzinfo=UTC), datetime(2031, 1, 18, 0, 30, tzinfo=UTC)
    # The fields' clock, in the inline's title.
    assert str(window).endswith(": 10 January 2031 10:00 – 17 January 2031 19:30")


def test_a_time_the_clocks_skip_or_pass_twice_is_refused_saying_which(organizer, toronto_show):
    """Toronto's clocks jump from 02:00 to 03:00 on 9 March 2031 and go back from 02:00 to
    01:00 on 2 November: a performance at 02:30 the first day never starts, at 01:30 the
    second starts twice. Refused, saying so and what to choose, in the organizer's
    language; nothing saved. Likewise the performance's on-sale window."""
    from events.models import OnSaleWindow, Performance
    from tests.sales.test_pricing_admin import form_of, page_of, saved

    admin = signed_in(organizer)
    url = f"/admin/events/performance/{toronto_show.pk}/change/"
    cases = (
        ("2031-03-09", "02:30:00", "en", "On 9 March 2031 the clocks of America/Toronto jump from 02:00 to 03:00: "
                                         "02:30 does not exist there. Choose another time."),
        ("2031-11-02", "01:30:00", "en", "On 2 November 2031 the clocks of America/Toronto go back from 02:00 to "
                                         "01:00: 01:30 happens twice there. Choose a time before 01:00 or from 02:00 "
                                         "on."),
        # French typography's clock (2 h 30), as French pages write every time of day.
        ("2031-03-09", "02:30:00", "fr", "Le 9 mars 2031, les horloges de America/Toronto avancent de 2\u00a0h "
                                         "à 3\u00a0h\u00a0: 2\u00a0h\u00a030 n’y existe pas. Choisissez une "
                                         "autre heure."),
        ("2031-11-02", "01:30:00", "fr", "Le 2 novembre 2031, les horloges de America/Toronto reculent de "
                                         "2\u00a0h à 1\u00a0h\u00a0: 1\u00a0h\u00a030 y passe deux "
                                         "fois. Choisissez une heure avant 1\u00a0h ou à partir de "
                                         "2\u00a0h."),
    )
    for day, time, language, said in cases:
        data = form_of(admin.get(url, HTTP_ACCEPT_LANGUAGE=language))
        refused = admin.post(url, {**data, "starts_at_0": [day], "starts_at_1": [time],
                                   "doors_open_at_0": ["2031-01-17"], "doors_open_at_1": ["19:00:00"]},
                             HTTP_ACCEPT_LANGUAGE=language)
        assert not saved(refused) and said in page_of(refused), re.findall(
            r'<ul class="errorlist.*?</ul>', page_of(refused), re.S)
        assert "may be ambiguous" not in page_of(refused) and "ambigu" not in page_of(refused)
        window = next(k for k in data if k.startswith("on_sale_windows-") and k.endswith("-closes_at_0"))
        refused = admin.post(url, {**data, window: [day], window.replace("_0", "_1"): [time]},
                             HTTP_ACCEPT_LANGUAGE=language)
        assert not saved(refused) and said in page_of(refused)
    assert Performance.objects.get(pk=toronto_show.pk).starts_at == datetime(2031, 1, 17, 20, 0, tzinfo=TORONTO)
    assert not OnSaleWindow.objects.filter(closes_at__month__in=[3, 11]).exists()
    # The hour after the jump, and the times on either side of the hour passed twice, are kept.
    for day, time in (("2031-03-09", "03:30:00"), ("2031-11-02", "00:59:00"), ("2031-11-02", "02:00:00")):
        data = form_of(admin.get(url))
        assert saved(admin.post(url, {**data, "starts_at_0": [day], "starts_at_1": [time],
                                      "doors_open_at_0": [day], "doors_open_at_1": ["00:00:00"]}))


def test_the_admin_tells_a_venues_clock_to_staff_who_may_see_or_add_venues(organizer, toronto_show):
    """What a performance's form asks of a venue its chooser got from the admin's popup."""
    venue = toronto_show.venue
    url = f"/admin/events/venue/{venue.pk}/clock/"
    offset = int(datetime.now(TORONTO).utcoffset().total_seconds())
    assert signed_in(organizer).get(url).json() == {"time_zone": "America/Toronto", "utc_offset": offset}
    missing = signed_in(organizer).get(f"/admin/events/venue/{venue.pk + 1000}/clock/")
    assert missing.status_code == 404 and missing.json() == {"error": "No such venue."}
    clerk = make_user("clock-clerk", COUNTER_CLERK, is_staff=True)
    refused = signed_in(clerk).get(url)
    assert refused.status_code == 403 and "error" in refused.json()
    assert signed_in(make_user("clock-buyer")).get(url).status_code == 302  # to the admin's sign-in


@pytest.mark.parametrize(("language", "written"), [("en", "Fri 17 Jan 2031 20:00"),
                                                    ("fr", f"ven 17 janvier 2031 {EIGHT_PM}")])
def test_a_performance_is_named_in_admin_lists_and_dropdowns_as_the_reader_writes_dates(
        organizer, toronto_show, language, written):
    """On its venue's clock and as the page's language writes a date (the shop's and the
    tickets' way), never as ISO's "2031-01-17 20:00": the orders' filter, the exports'
    choice of performance."""
    name = f"{toronto_show.event} — {written}"
    with translation.override(language):
        assert str(toronto_show) == name
    sell(toronto_show)
    admin = signed_in(organizer)
    said = {"headers": {"accept-language": language}}
    for url in ("/admin/sales/order/", "/admin/sales/performancedashboard/exports/"):
        page = admin.get(url, **said).content.decode()
        assert escape(name) in page, url
        assert "2031-01-17" not in page and "2031-01-18" not in page, url


def test_the_events_page_lists_its_performances_on_their_venues_clocks(organizer, toronto_show):
    """On a server whose clock is UTC, the event's page lists the 20:00 Toronto show at
    20:00; its times are typed on the performance's own page, on its venue's clock (a row
    on the event's page took the server's clock for every venue)."""
    admin = signed_in(organizer)
    page = admin.get(f"/admin/events/event/{toronto_show.event_id}/change/").content.decode()
    assert "Fri 17 Jan 2031 20:00" in page and "Sat 18 Jan" not in page
    assert 'name="performances-0-starts_at' not in page and "performances-empty" not in page
    assert f'href="/admin/events/performance/add/?event={toronto_show.event_id}"' in page
    added = admin.get(f"/admin/events/performance/add/?event={toronto_show.event_id}").content.decode()
    assert re.search(rf'<option value="{toronto_show.event_id}" selected>', added)


def _toronto(moment, fmt="%H:%M"):
    return moment.astimezone(TORONTO).strftime(fmt)


def test_the_counter_and_the_phone_show_the_venues_time(toronto_show):
    ticket, = sell(toronto_show)
    order = ticket.order
    counter = signed_in(make_user("clerk-tz", COUNTER_CLERK))
    for url in (f"/counter/orders/{order.code}/", f"/counter/performances/{toronto_show.pk}/map/"):
        page = counter.get(url).content.decode()
        assert "Fri 17 Jan" in page and "20:00" in page and "Sat 18 Jan" not in page, url
    # The slip handed to the buyer writes the day in full, as the tickets do.
    slip = counter.post(f"/counter/orders/{order.code}/print/").content.decode()
    assert "Friday 17 January 2031, 20:00" in slip and "Saturday 18 January" not in slip
    paid = counter.get(f"/counter/orders/{order.code}/").content.decode()
    assert _toronto(order.payments.get().created_at) in paid
    phone = signed_in(make_user("operator-tz", PHONE_OPERATOR)).get(f"/phone/orders/{order.code}/").content.decode()
    assert "Fri 17 Jan 2031 20:00" in phone and "Sat 18 Jan" not in phone
    assert f'<td class="num">{money(ticket.price)}</td>' in phone  # the ticket's price as money


def test_the_receipt_says_the_show_and_the_payment_on_the_venues_clock(toronto_show):
    ticket, = sell(toronto_show)
    order = ticket.order
    at = order.paid_at.astimezone(TORONTO)
    paid = f"{at:%A} {at.day} {at:%B %Y} at {at:%H:%M}"
    for receipt in (receipt_text(order), receipt_html(order)):
        assert "Friday 17 January 2031, 20:00" in receipt and f"Paid on {paid}" in receipt
    assert "Paid on " in receipt_text(order).split("Subtotal")[0]


def test_the_admin_lists_and_exports_show_the_venues_time(organizer, toronto_show):
    ticket, = sell(toronto_show)
    ticket_check_in(code=ticket.code, performance=toronto_show, door="North", actor=organizer,
                    now=toronto_show.starts_at)
    ticket.refresh_from_db()
    payment = ticket.order.payments.get()
    admin = signed_in(organizer)
    for url, moment in (("/admin/sales/order/", ticket.order.created_at),
                        ("/admin/sales/payment/", payment.created_at),
                        ("/admin/sales/ticket/", ticket.checked_in_at)):
        listing = admin.get(url).content.decode()
        assert _toronto(moment, "%d %b %Y %H:%M").lstrip("0") in listing, url
        assert moment.astimezone(ZoneInfo("UTC")).strftime("%H:%M") not in listing, url
    header, rows = export_rows("payments", ExportFilter(performance=toronto_show))
    row = dict(zip(header, next(rows), strict=True))
    assert row["Date"] == payment.created_at.astimezone(TORONTO).replace(tzinfo=None, microsecond=0)
    assert row["Performance"].endswith("2031-01-17 20:00")
    dashboard = admin.get(f"/admin/sales/performancedashboard/{toronto_show.pk}/change/").content.decode()
    assert "Friday 17 January 2031, 20:00 (local time, Toronto)" in dashboard


def test_the_admins_read_only_moments_write_the_clock_as_french_typography_does(organizer, toronto_show):
    """An order's, a payment's and a ticket's page (and the tables of tickets and payments
    in an order's) write their moments as the rest of the admin does: on the venue's clock,
    a whole hour without its minutes in French ("20 h", not Django's "20 h 00"), "18 h 30"
    otherwise; "20:00" in English."""
    from sales.models import Order, Payment

    ticket, = sell(toronto_show)
    ticket_check_in(code=ticket.code, performance=toronto_show, door="North", actor=organizer,
                    now=toronto_show.starts_at)
    order = ticket.order
    Order.objects.filter(pk=order.pk).update(created_at=datetime(2031, 1, 9, 18, 30, tzinfo=TORONTO))
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(created_at=datetime(2031, 1, 9, 19, 0, tzinfo=TORONTO))
    admin = signed_in(organizer)
    pages = {f"/admin/sales/order/{order.pk}/change/": ("jeu 9 janvier 2031 18\u00a0h\u00a030",
                                                        f"jeu 9 janvier 2031 {SEVEN_PM}",
                                                        f"ven 17 janvier 2031 {EIGHT_PM}"),
             f"/admin/sales/payment/{payment.pk}/change/": (f"jeu 9 janvier 2031 {SEVEN_PM}",),
             f"/admin/sales/ticket/{ticket.pk}/change/": (f"ven 17 janvier 2031 {EIGHT_PM}",)}
    for url, moments in pages.items():
        page = visible(admin.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
        assert not ZERO_MINUTES.search(page), (url, ZERO_MINUTES.findall(page))
        for moment in moments:
            assert moment in page.split("\n"), (url, moment)
    english = visible(admin.get(f"/admin/sales/ticket/{ticket.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Fri 17 Jan 2031 20:00" in english.split("\n")


def test_a_sales_moment_names_its_clock_only_when_it_is_not_the_box_offices(settings):
    """A hall in Montréal keeps the box office's clock (Toronto's, under another name): its
    payments read 20:05, not 20:05 EST. A hall in Vancouver's are on another clock, named."""
    settings.TIME_ZONE = "America/Toronto"
    clerk = signed_in(make_user("clerk-clocks", COUNTER_CLERK))
    for zone, named in (("America/Montreal", False), ("America/Vancouver", True)):
        perf = make_performance(rows=1, per_row=4)
        perf.venue.time_zone = zone
        perf.venue.save()
        ticket, = sell(perf)
        paid = ticket.order.payments.get().created_at.astimezone(ZoneInfo(zone))
        page = clerk.get(f"/counter/orders/{ticket.order.code}/").content.decode()
        shown = f"<td>{paid:%H:%M} {paid.tzname()}</td>" if named else f"<td>{paid:%H:%M}</td>"
        assert shown in page, (zone, re.findall(r"<td>\d\d:\d\d[^<]*</td>", page))


def test_every_date_and_time_the_admin_takes_says_which_clock_change_it_meets():
    """Every page of the admin that takes a date and time (a performance's, its windows', a
    presale's, a promo code's, a waiting room's, a ballot's) takes it in a field that says
    which clock change a time meets (events.admin.OnTheClock), not Django's own."""
    from django.contrib import admin
    from django.db import models

    from events.admin import OnTheClock

    plain = []
    for model, model_admin in admin.site._registry.items():
        if not type(model_admin).__module__.startswith(("sales.", "events.")):
            continue
        for page in [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]:
            for field in page.model._meta.fields:
                if isinstance(field, models.DateTimeField) and field.editable:
                    taken = page.formfield_for_dbfield(field, request=None)
                    if taken is not None and not isinstance(taken, OnTheClock):
                        plain.append(f"{type(page).__name__}.{field.name}")
    # Pages that show their times and never take them.
    shown_only = {"PlaceAdmin", "HoldAdmin", "OrderAdmin", "TicketInline", "TicketAdmin", "StaffMemberAdmin",
                  "ShiftAdmin", "PerformanceDashboardAdmin", "PerformanceInline"}
    assert [name for name in plain if name.split(".")[0] not in shown_only] == []


@pytest.mark.parametrize("page", ["waitingroom", "presale", "ballot"])
def test_a_new_on_sale_says_its_times_are_on_the_clock_of_the_performances_venue(organizer, page):
    """A waiting room's, a presale's or a ballot's times are typed on the clock of the venue
    of the performance chosen on the same page: its add page says so before one is chosen
    (a Vancouver show's 10:00 is not the box office's), as its change page names the clock."""
    perf = make_performance(rows=1, per_row=2)
    Venue.objects.filter(pk=perf.venue_id).update(time_zone="America/Vancouver")
    admin = signed_in(organizer)
    for language, said in (("en", "Times on the clock of the venue of the performance chosen below."),
                           ("fr", "Heures de la salle de la représentation choisie ci-dessous, à son heure "
                                  "locale.")):
        page_text = visible(admin.get(f"/admin/sales/{page}/add/", headers={"accept-language": language})
                            .content.decode())
        assert said in page_text, (language, page_text[:600])
