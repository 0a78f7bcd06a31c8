"""The door's pages: who may open them, a scan's answer for the page's script and for a
browser without it, scans refused off the performance's day, finding a guest by name."""

import re
import time
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Channel, Performance
from sales.formatting import at_venue
from sales.policy import DOOR_STAFF
from sales.tickets import EARLY_DOORS
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.sales.test_check_in import sell, venue_clock
from tests.support import assert_error, client_for, make_performance, make_user, on_the_day, signed_in

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def door():
    return make_user("door1", DOOR_STAFF)


def test_door_staff_reach_the_door_and_nothing_that_sells(door, performance):
    c = signed_in(door)
    page = c.get("/door/")
    assert page.status_code == 200 and performance.event.title in page.content.decode()
    assert c.get(f"/door/performances/{performance.pk}/").status_code == 200
    assert c.get("/counter/").status_code == 403 and c.get("/phone/").status_code == 403
    assert c.get("/admin/").status_code == 302
    ticket, = sell(performance)
    api = client_for(door)
    assert_error(api.post(f"/api/v1/orders/{ticket.order.code}/cancel/"), 403, "permission_denied")
    assert_error(api.post(f"/api/v1/orders/{ticket.order.code}/refund/"), 403, "permission_denied")
    on_the_day(performance)
    assert api.post(f"/api/v1/tickets/{ticket.code}/check-in/", {"performance": performance.pk},
                    format="json").status_code == 200


def test_others_are_kept_out(client, clerk, performance):
    assert signed_in(clerk).get("/door/").status_code == 403
    response = client.get(f"/door/performances/{performance.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_lands_door_staff_on_the_door(client, door):
    response = client.post("/login/", {"username": "door1", "password": "pw-door1"})
    assert client.get(response["Location"])["Location"] == "/door/"


def test_a_scan_answers_the_script_with_the_counts(door, performance):
    tickets = sell(performance, 3)
    on_the_day(performance)
    c = signed_in(door)
    url = f"/door/performances/{performance.pk}/scan/"
    first = c.post(url, {"code": tickets[0].code, "door": "Main", "scan": "a1"}, **JSON)
    assert first.status_code == 200
    body = first.json()
    assert body["admitted"] and body["name"] == "Marie Côté" and body["counts"] == {"sold": 3, "scanned": 1}
    again = c.post(url, {"code": tickets[0].code, "door": "Side", "scan": "a2"}, **JSON)
    assert again.status_code == 409 and not again.json()["admitted"]
    assert again.json()["message"].endswith("at Main")
    resent = c.post(url, {"code": tickets[0].code, "door": "Main", "scan": "a1",
                          "scanned_at": timezone.now().isoformat()}, **JSON)
    assert resent.status_code == 200 and resent.json()["replayed"]
    for when in ("yesterday", "2026-13-45T25:00:00+00:00", "2026-01-01T10:00:00"):  # no zone: ambiguous
        bad_time = c.post(url, {"code": tickets[1].code, "scan": "a3", "scanned_at": when}, **JSON)
        assert bad_time.status_code == 400 and bad_time.json()["code"] == "invalid"
    assert c.get(f"/door/performances/{performance.pk}/attendance/").json() == {"sold": 3, "scanned": 1}


def test_another_dates_ticket_is_refused_on_the_page_without_script(door, performance):
    later = PerformanceFactory(event=performance.event, venue=performance.venue,
                               starts_at=performance.starts_at + timedelta(days=1), channels=[Channel.ONLINE])
    PriceZoneFactory(performance=later, name="Stalls", sections=performance.venue.sections.all())
    from sales import inventory

    inventory.put_on_sale(performance=later)
    ticket, = sell(later)
    on_the_day(performance)
    page = signed_in(door).post(f"/door/performances/{performance.pk}/scan/", {"code": ticket.code})
    assert page.status_code == 409
    html = page.content.decode()
    assert "door-no" in html and "Refused" in html and "This ticket is for" in html  # a sentence


def test_a_refunded_ticket_says_when_on_the_page_and_in_the_api(door, performance, organizer):
    """The door's page, with its script and without, and the API's check-in say alike when
    the ticket was refunded, on the venue's clock."""
    from sales.orders import order_refund

    ticket, = sell(performance)
    refunded_at = timezone.now()
    order_refund(order=ticket.order, actor=organizer, now=refunded_at)
    on_the_day(performance)
    when = at_venue(refunded_at, performance)
    said = f"this ticket was refunded on {venue_clock(refunded_at)} and is void"
    c = signed_in(door)
    url = f"/door/performances/{performance.pk}/scan/"
    answer = c.post(url, {"code": ticket.code, "scan": "v1"}, **JSON)
    assert answer.status_code == 409 and answer.json()["message"] == said, answer.json()
    page = c.post(url, {"code": ticket.code})
    assert page.status_code == 409 and said[0].upper() + said[1:] in unescape(page.content.decode())
    refused = assert_error(client_for(door).post(f"/api/v1/tickets/{ticket.code}/check-in/",
                                                 {"performance": performance.pk}, format="json"),
                           409, "illegal_transition")
    assert refused["message"] == said and refused["void"] == "refunded"
    assert refused["voided_at"] == when.isoformat()
    french = c.post(url, {"code": ticket.code, "scan": "v2"}, **JSON, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["message"].startswith("ce billet a été remboursé le "), french


def test_the_doors_sentences_name_a_day_and_its_time_as_french_writes_them(door, performance):
    """In French a day and its time inside a sentence read « le dimanche 6 décembre 2026 à
    20 h »: the banner of a door opened on another day, a guest found by their order code
    at the wrong door, a ticket scanned in on another day."""
    from sales.models import Ticket

    c = signed_in(door)
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    starts = venue_clock(performance.starts_at, "fr")
    page = unescape(c.get(f"/door/performances/{performance.pk}/", **french).content.decode())
    assert (f"Pas aujourd’hui\u00a0: cette représentation a lieu le {starts}. Ses billets sont refusés jusqu’au "
            f"jour venu.") in page
    other = make_performance(rows=1, per_row=2)
    theirs, = sell(other)
    wrong = unescape(c.get(f"/door/performances/{performance.pk}/", {"q": theirs.order.code}, **french)
                     .content.decode())
    assert (f"La commande {theirs.order.code} est pour {other.event.title} le {venue_clock(other.starts_at, 'fr')}, "
            f"pas pour cette représentation.") in wrong
    ticket, = sell(performance)
    on_the_day(performance)
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now() - timedelta(days=2), checked_in_door="")
    earlier = venue_clock(Ticket.objects.get(pk=ticket.pk).checked_in_at, "fr")
    again = c.post(f"/door/performances/{performance.pk}/scan/", {"code": ticket.code}, **JSON, **french)
    assert again.status_code == 409 and again.json()["message"] == f"déjà entré le {earlier}"


def test_find_a_guest_and_admit_them(door, performance):
    ticket, = sell(performance, name="Jean Tremblay", email="jt@example.org")
    on_the_day(performance)
    c = signed_in(door)
    page = c.get(f"/door/performances/{performance.pk}/", {"q": "tremblay"})
    assert "Jean Tremblay" in page.content.decode() and ticket.code in page.content.decode()
    assert "door-admit" in page.content.decode()  # on the day: admitted from the list
    fragment = c.get(f"/door/performances/{performance.pk}/", {"q": "tremblay"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="found">')
    nobody = c.get(f"/door/performances/{performance.pk}/", {"q": "counter"}).content.decode()
    assert "No ticket" in nobody and "A counter walk-in is found by the order code on their slip." in nobody
    # A guest at the wrong door, found by their order code: told which performance it is for.
    other = make_performance(rows=1, per_row=2)
    theirs, = sell(other)
    wrong = unescape(c.get(f"/door/performances/{performance.pk}/", {"q": theirs.order.code.lower()}).content.decode())
    assert (f"Order {theirs.order.code} is for {other.event.title} on {venue_clock(other.starts_at)}, not this "
            f"performance.") in wrong and "No ticket" not in wrong
    admitted = c.post(f"/door/performances/{performance.pk}/scan/", {"code": ticket.code})
    assert admitted.status_code == 200 and "door-ok" in admitted.content.decode()


def test_a_door_opened_on_another_day_warns_and_an_earlier_scan_gives_its_date(door, performance):
    """Door staff who picked next month's show by mistake read so before they scan; a
    ticket scanned on an earlier day is refused with that day, not only a time."""
    from sales.formatting import at_venue
    from sales.models import Ticket

    c = signed_in(door)
    assert at_venue(performance.starts_at, performance).date() != at_venue(timezone.now(), performance).date()
    page = unescape(c.get(f"/door/performances/{performance.pk}/").content.decode())
    assert 'id="not-today"' in page and (f"Not today: this performance is on {venue_clock(performance.starts_at)}. "
                                         f"Its tickets are refused until the day.") in page
    ticket, = sell(performance, name="Jean Tremblay")
    # Found by name on another day: no button to admit them, which the scan would refuse.
    found = c.get(f"/door/performances/{performance.pk}/", {"q": "tremblay"}).content.decode()
    assert "Jean Tremblay" in found and "door-admit" not in found
    on_the_day(performance)
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now() - timedelta(days=2), checked_in_door="")
    again = c.post(f"/door/performances/{performance.pk}/scan/", {"code": ticket.code}, **JSON)
    earlier = venue_clock(Ticket.objects.get(pk=ticket.pk).checked_in_at)
    assert again.status_code == 409 and again.json()["message"] == f"already checked in on {earlier}"
    Ticket.objects.filter(pk=ticket.pk).update(checked_in_at=timezone.now())
    today = c.post(f"/door/performances/{performance.pk}/scan/", {"code": ticket.code}, **JSON).json()["message"]
    assert re.fullmatch(r"already checked in at \d\d:\d\d:\d\d", today)
    tonight = PerformanceFactory(event=performance.event, venue=performance.venue,
                                 starts_at=timezone.now(), channels=[])  # the venue's today, sold by nobody
    assert 'id="not-today"' not in c.get(f"/door/performances/{tonight.pk}/").content.decode()


def test_an_admitted_ticket_of_a_checked_kind_says_what_to_check(door):
    """A student's ticket: the door reads "Show student ID" with it, on the script's answer
    and on the page without script."""
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, PriceRequest, order_place
    from sales.payments import APPROVE, PaymentRequest
    from tests.support import make_performance, places_of, price_types

    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "50.00"}, "Student": {"Stalls": "30.00"}})
    types["Student"].note = "Show student ID"
    types["Student"].save()
    seats = places_of(perf)[:2]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in seats])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE),
                        prices=PriceRequest(types={seats[0].pk: types["Student"].pk, seats[1].pk: types["Adult"].pk}))
    student, adult = (order.tickets.get(place=p) for p in seats)
    on_the_day(perf)
    c = signed_in(door)
    url = f"/door/performances/{perf.pk}/scan/"
    assert c.post(url, {"code": student.code, "scan": "s1"}, **JSON).json()["note"] == "Show student ID"
    page = c.post(url, {"code": adult.code, "scan": "s2"}).content.decode()
    assert "Admitted" in page and "Show student ID" not in page


def test_a_ticket_of_a_checked_kind_says_what_to_bring_printed_and_in_its_pdf(clerk):
    """The price type's note ("Show student ID at the door") is on the ticket, as the
    admin says: on the counter's slip and in the tickets PDF, in the buyer's language."""
    from sales.holds import hold_create
    from sales.orders import CustomerDetails, PriceRequest, order_place
    from sales.payments import APPROVE, PaymentRequest
    from sales.tickets_pdf import order_pdf
    from tests.support import make_performance, places_of, price_types
    from tests.test_french_everywhere import pdf_text

    perf = make_performance(rows=1, per_row=4)
    types = price_types(perf, {"Adult": {"Stalls": "50.00"}, "Student": {"Stalls": "30.00"}})
    types["Student"].note_en, types["Student"].note_fr = "Show student ID at the door", "Carte étudiante à la porte"
    types["Student"].save()
    seats = places_of(perf)[:2]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in seats])
    order = order_place(hold=hold, customer=CustomerDetails(name="Léa Roy", email="lea@example.org"),
                        payment=PaymentRequest(method="test_card", card_number=APPROVE), language="fr",
                        prices=PriceRequest(types={seats[0].pk: types["Student"].pk, seats[1].pk: types["Adult"].pk}))
    pdf = pdf_text(order_pdf(order))
    assert pdf.count("Carte étudiante à la porte") == 1, pdf[-3000:]
    slip = signed_in(clerk).post(f"/counter/orders/{order.code}/print/").content.decode()
    assert slip.count("Carte étudiante à la porte") == 1


def test_a_scan_at_another_days_performance_is_refused_and_the_ticket_kept_for_its_day(door, performance):
    """Admitted now, the ticket would be refused on its day: a door opened on the wrong
    performance refuses every way it scans (script, page without it, a guest found by
    name), says the performance's date, and records nothing."""
    ticket, = sell(performance)
    c = signed_in(door)
    url = f"/door/performances/{performance.pk}/scan/"
    day = venue_clock(performance.starts_at)
    answer = c.post(url, {"code": ticket.code, "scan": "d1"}, **JSON)
    assert answer.status_code == 409 and not answer.json()["admitted"], answer.json()
    assert day in answer.json()["message"] and answer.json()["counts"] == {"sold": 1, "scanned": 0}
    page = c.get(f"/door/performances/{performance.pk}/", {"q": "côté"}).content.decode()
    # The banner; the guest found, with no Admit button (it would be refused).
    assert "refused until the day" in page and ticket.order.code in page and "door-admit" not in page
    admit = c.post(url, {"code": ticket.code})  # the page without script
    assert admit.status_code == 409 and "door-no" in admit.content.decode() and day in admit.content.decode()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None and ticket.check_in_scan == ""
    on_the_day(performance)
    assert c.post(url, {"code": ticket.code, "scan": "d2"}, **JSON).json()["admitted"]


def test_a_scan_made_on_the_day_and_sent_late_is_judged_by_when_it_was_made(door, performance):
    """A scan kept on the device while the network was down is sent with the time it was
    made: made on the performance's day it is admitted though sent after; made before,
    refused though sent on the day."""
    tickets = sell(performance, 3)
    c = signed_in(door)
    url = f"/door/performances/{performance.pk}/scan/"
    now = timezone.now()
    on_the_day(performance, now - timedelta(hours=13))  # its day ended an hour ago
    made = now - timedelta(hours=2)
    late = c.post(url, {"code": tickets[0].code, "scan": "l1", "scanned_at": made.isoformat()}, **JSON)
    assert late.status_code == 200 and late.json()["admitted"], late.json()
    tickets[0].refresh_from_db()
    assert tickets[0].checked_in_at == made
    now_over = c.post(url, {"code": tickets[2].code, "scan": "l3"}, **JSON)
    assert now_over.status_code == 409 and "no longer let in" in now_over.json()["message"]
    assert "no longer let in" in c.get(f"/door/performances/{performance.pk}/").content.decode()
    # Just after midnight tomorrow, its doors open an hour ago: its day began then.
    tomorrow = at_venue(now, performance).replace(hour=0, minute=30, second=0, microsecond=0) + timedelta(days=1)
    on_the_day(performance, tomorrow)
    Performance.objects.filter(pk=performance.pk).update(doors_open_at=now - timedelta(hours=1))
    # Made before its day: before its doors, and before the evening ahead of a show soon
    # after midnight (EARLY_DOORS), whatever the hour the test runs at.
    before = min(made, tomorrow - EARLY_DOORS - timedelta(hours=1))
    early = c.post(url, {"code": tickets[1].code, "scan": "l2", "scanned_at": before.isoformat()}, **JSON)
    assert early.status_code == 409 and "refused until the day" in early.json()["message"], early.json()
    tickets[1].refresh_from_db()
    assert tickets[1].checked_in_at is None


@pytest.mark.parametrize(("language", "said"), [
    ("en", "already checked in at {time} by door1"),
    ("fr", "déjà entré à {time}, scanné par door1"),
])
def test_a_second_scan_says_when_and_by_whom_the_first_was_from_a_door_with_no_name(door, language, said):
    """The first scan came from a door whose staff typed no name for it: the second still
    says when (on the venue's clock, not the server's) and by whom it was scanned, and
    nothing of the door's missing name."""
    perf = make_performance(rows=1, per_row=2)
    perf.venue.time_zone = "Europe/Paris"  # the server's clock is America/Toronto's
    perf.venue.save()
    ticket, = sell(perf)
    on_the_day(perf)
    c = signed_in(door)
    assert c.post(f"/door/performances/{perf.pk}/scan/", {"code": ticket.code, "door": ""}, **JSON).status_code == 200
    ticket.refresh_from_db()
    first = timezone.localtime(ticket.checked_in_at, perf.venue.zone)
    # "20:01:05" in English; French typography's "20 h 01 min 05 s" in French.
    time = first.strftime("%H:%M:%S") if language == "en" else \
        f"{first.hour}\u00a0h\u00a0{first:%M}\u00a0min\u00a0{first:%S}\u00a0s"
    again = c.post(f"/door/performances/{perf.pk}/scan/", {"code": ticket.code, "door": "South gate"},
                   HTTP_ACCEPT_LANGUAGE=language, **JSON)
    assert again.status_code == 409 and again.json()["message"] == said.format(time=time)
    page = c.post(f"/door/performances/{perf.pk}/scan/", {"code": ticket.code}, HTTP_ACCEPT_LANGUAGE=language)
    sentence = said.format(time=time)
    assert sentence[0].upper() + sentence[1:] in unescape(page.content.decode())


def test_the_service_worker_keeps_every_file_the_scanning_page_loads(door, performance):
    c = signed_in(door)
    page = c.get(f"/door/performances/{performance.pk}/")
    worker = c.get("/door/service-worker.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    loaded = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.content.decode()))
    assert loaded and all(f'"{url}"' in worker.content.decode() for url in loaded)
    # Nobody signed out gets it (nor, through it, a page kept on a device).
    assert Client().get("/door/service-worker.js").status_code == 302


def test_the_scanning_page_says_when_its_staff_session_ends(door, performance, settings):
    c = signed_in(door)
    before = time.time()
    ends = int(c.get(f"/door/performances/{performance.pk}/")["X-Staff-Session-Ends"])
    idle = settings.STAFF_SESSION_IDLE.total_seconds()
    assert before + idle - 61 <= ends <= time.time() + idle


@pytest.mark.parametrize(("language", "unknown", "refunded"), [
    ("en", "Look the guest up by name.", "Send the guest to the box office."),
    ("fr", "Cherchez la personne par son nom.", "Envoyez la personne à la billetterie."),
])
def test_a_refusal_with_nothing_to_scan_says_what_the_door_does_next(door, performance, organizer, language,
                                                                    unknown, refunded):
    """A code no ticket has (misread, or typed wrong) and a refunded ticket leave the door
    nothing to scan: the answer says, on a line of its own, what to do with the guest. A
    refusal that already says it (an order's code) gets no second step."""
    from sales.orders import order_refund

    ticket, = sell(performance)
    kept, = sell(performance, name="Paul Roy", email="paul@example.org")
    on_the_day(performance)
    c = signed_in(door)
    url = f"/door/performances/{performance.pk}/scan/"
    said = {"HTTP_ACCEPT_LANGUAGE": language}
    answer = c.post(url, {"code": "NOBODY-HAS-THIS", "scan": "n1"}, **JSON, **said).json()
    assert (answer["code"], answer["next"]) == ("not_found", unknown), answer
    page = unescape(c.post(url, {"code": "NOBODY-HAS-THIS"}, **said).content.decode())
    assert f'<p class="door-next">{unknown}</p>' in page
    assert c.post(url, {"code": ticket.order.code, "scan": "n2"}, **JSON, **said).json()["next"] == ""
    order_refund(order=ticket.order, actor=organizer)
    answer = c.post(url, {"code": ticket.code, "scan": "n3"}, **JSON, **said).json()
    assert (answer["code"], answer["next"]) == ("illegal_transition", refunded), answer
    page = unescape(c.post(url, {"code": ticket.code}, **said).content.decode())
    assert f'<p class="door-next">{refunded}</p>' in page
    assert c.post(url, {"code": kept.code, "scan": "n4"}, **JSON, **said).json()["admitted"]
    assert "door-next" not in unescape(c.post(url, {"code": kept.code}, **said).content.decode())


def form_fields(page: str, opening: str) -> dict[str, str]:
    """The named fields a form of `page` posts (its inputs, and those tied to it by their
    `form` attribute), `opening` being a piece of its opening tag."""
    form = re.search(rf"<form[^>]*{re.escape(opening)}[^>]*>(.*?)</form>", page, re.S)
    own_id = re.search(r'id="([^"]+)"', form[0])
    tied = re.findall(rf'<input[^>]*form="{own_id[1]}"[^>]*>', page) if own_id else []
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form[1]) + tied:
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name[1]] = unescape(value[1]) if value else ""
    return fields


def test_without_the_script_a_guest_found_by_name_is_admitted_at_the_doors_name(door, performance):
    """Without door.js the forms post alone: the door's name typed on the page goes with a
    search for a guest and with the Admit button of the guest found, and stays on each page
    after, as it does with a code typed."""
    ticket, = sell(performance, name="Jean Tremblay", email="jt@example.org")
    on_the_day(performance)
    c = signed_in(door)
    page = c.get(f"/door/performances/{performance.pk}/").content.decode()
    search = form_fields(page, 'id="search-form"')
    assert "door" in search, search
    found = c.get(f"/door/performances/{performance.pk}/", {**search, "q": "tremblay", "door": "South gate"})
    found = found.content.decode()
    assert form_fields(found, 'id="code-form"')["door"] == "South gate"
    admit = form_fields(found, 'class="door-admit"')
    assert admit["code"] == ticket.code and admit["door"] == "South gate"
    answer = c.post(f"/door/performances/{performance.pk}/scan/", admit).content.decode()
    assert "door-ok" in answer
    ticket.refresh_from_db()
    assert ticket.checked_in_door == "South gate"
    assert form_fields(answer, 'id="code-form"')["door"] == "South gate"


def test_the_door_lists_only_performances_put_on_sale(door, performance):
    """A performance still being set up in the admin (never put on sale) has no ticket to
    scan: the door does not offer it beside tonight's show."""
    draft = PerformanceFactory(event__title="Not yet on sale", venue=performance.venue,
                               starts_at=performance.starts_at + timedelta(hours=1))
    page = signed_in(door).get("/door/").content.decode()
    assert performance.event.title in page
    assert draft.event.title not in page
