"""What a buyer finds after paying: the PDF tickets whole however long the show's title,
and the order page telling a refunded, exchanged or used ticket for what it is."""


import re
import time
from datetime import UTC, timedelta
from html import unescape

import pytest
from django.utils import timezone

from events.models import Channel, Event, Seat
from sales.holds import hold_create
from sales.models import Order
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from sales.tickets import ticket_check_in
from sales.tickets_pdf import order_pdf
from tests.sales.test_order_receipts import pdf_text
from tests.support import make_performance, make_user, on_the_day, places_of

pytestmark = pytest.mark.django_db

CARD = PaymentRequest(method="test_card", card_number=APPROVE)
BUYER = CustomerDetails(name="Marie-Ève Bélanger", email="marie@example.org")


def paid(perf, count: int = 1, *, language: str = "en") -> Order:
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:count]])
    order = order_place(hold=hold, customer=BUYER, payment=CARD)
    Order.objects.filter(pk=order.pk).update(language=language)
    order.refresh_from_db()
    return order


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("title", [
    "Les Misérables — la grande tournée d'adieu du Théâtre du Nouveau Monde, version intégrale",
    ("Le Festival international de musique baroque et contemporaine de Lanaudière présente : "
     "les quatre saisons de Vivaldi revisitées par l'Orchestre symphonique de Trois-Rivières, "
     "avec chœur et solistes invités")[:200],
])
def test_a_long_show_title_is_printed_whole_on_each_ticket(title):
    """The title a buyer checks first on a ticket: wrapped, never cut in the middle of a
    word, every line within the page, and the date and places still printed under it."""
    perf = make_performance(rows=1, per_row=2)
    Event.objects.filter(pk=perf.event_id).update(title=title)
    order = paid(perf, 2, language="fr")
    lines = pdf_text(order_pdf(order))
    year = str(timezone.localtime(perf.starts_at).year)
    for ticket in order.tickets.all():
        start = next(i for i, line in enumerate(lines) if title.startswith(line) and line)
        end = next(i for i in range(start, len(lines)) if year in lines[i])  # the date's line
        shown = lines[start:end]
        assert words(" ".join(shown)) == words(title), shown
        assert str(ticket.place) in lines[end:]
        lines = lines[end + 1:]


def ticket_cards(client, order) -> dict[str, str]:
    """Each ticket's card on the order page, by its place: its text, spaces collapsed."""
    page = client.get(f"/orders/{order.code}/{order.access_token}/").content.decode()
    cards = re.findall(r'<li class="ticket card">(.*?)</li>', page, re.S)
    return {re.search(r"<h3>(.*?)</h3>", card).group(1):
            words(unescape(re.sub(r"<[^>]+>", " ", card))) for card in cards}


@pytest.mark.parametrize("language, said", [
    ("en", {"refunded": "Refunded on ", "exchanged": "Exchanged: this ticket is no longer valid.",
            "used": "Used: scanned at the door on ", "at": " at "}),
    ("fr", {"refunded": "Remboursé le ", "exchanged": "Échangé : ce billet n’est plus valide.",
            "used": "Utilisé : scanné à l’entrée le ", "at": " à "}),
])
def test_the_order_page_says_which_tickets_were_refunded_exchanged_or_used(client, language, said):
    """A buyer opening their link after the box office refunded one ticket, exchanged
    another, and the door scanned a third, reads which is which, with when, on the venue's
    clock: not a bare "Void" for two different things, nor a used ticket shown as unused."""
    from sales.orders import order_exchange, tickets_refund

    perf = make_performance(rows=2, per_row=4)
    order = paid(perf, 3, language=language)
    refunded, exchanged, used = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[refunded.pk], actor=None)
    clerk = make_user("clerk-after-paying", "counter clerk")
    hold = hold_create(performance=perf, channel=Channel.COUNTER, user=clerk, place_ids=[places_of(perf)[5].pk])
    order_exchange(order=Order.objects.get(pk=order.pk), ticket_ids=[exchanged.pk], hold=hold, actor=clerk)
    on_the_day(perf, timezone.now() + timedelta(hours=1))
    ticket_check_in(code=used.code, performance=perf, door="North gate", actor=make_user("door-after", "door staff"))
    used.refresh_from_db()
    refunded.refresh_from_db()
    cards = ticket_cards(client, order)
    clock = perf.venue.zone
    # "15:05" in English, "15 h 05" in French, a whole hour "15 h" (French typography's
    # clock; spaces collapsed).
    written = {"en": lambda t: f"{t:%H:%M}", "fr": lambda t: f"{t.hour} h" + (f" {t:%M}" if t.minute else "")}[language]
    assert said["refunded"] in cards[str(refunded.place)], cards
    assert written(timezone.localtime(refunded.refunded_at, clock)) in cards[str(refunded.place)]
    assert said["exchanged"] in cards[str(exchanged.place)], cards
    card = cards[str(used.place)]
    used_at = written(timezone.localtime(used.checked_in_at, clock))
    assert said["used"] in card and f'{said["at"]}{used_at}' in card, card
    assert "Void" not in " ".join(cards.values()) and "Annulé" not in " ".join(cards.values())
    new = order.tickets.get(place=places_of(perf)[5])
    assert said["used"] not in cards[str(new.place)] and new.code in cards[str(new.place)]


def test_a_paid_order_goes_into_the_buyers_calendar(client):
    """"Add to calendar" on the order page: an iCalendar file a phone's or a computer's
    calendar opens, with the show, its start to the minute whatever the buyer's own zone,
    where it is, the doors and the tickets, and the way back to the order."""
    from sales.notifications import order_link

    perf = make_performance(rows=1, per_row=3)
    Event.objects.filter(pk=perf.event_id).update(title="Cyrano, de Bergerac; en plein air")
    perf.venue.__class__.objects.filter(pk=perf.venue_id).update(
        name="Amphithéâtre du Lac", address="1 chemin du Lac, Québec", time_zone="America/Vancouver")
    perf.__class__.objects.filter(pk=perf.pk).update(doors_open_at=perf.starts_at - timedelta(minutes=45))
    perf.refresh_from_db()
    order = paid(perf, 2, language="fr")
    page = unescape(client.get(f"/orders/{order.code}/{order.access_token}/").content.decode())
    link = re.search(r"""<a[^>]*href="([^"]+)"[^>]*>\s*Ajouter à l’agenda\s*</a>""", page)
    assert link, "no link to the calendar on the order page"
    answer = client.get(link.group(1))
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    ics = answer.content.decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n")), "lines longer than 75 octets"
    unfolded = ics.replace("\r\n ", "")
    fields = dict(line.split(":", 1) for line in unfolded.split("\r\n") if ":" in line)
    assert fields["DTSTART"] == f"{perf.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    assert fields["SUMMARY"] == r"Cyrano\, de Bergerac\; en plein air"
    assert fields["LOCATION"] == r"Amphithéâtre du Lac\, 1 chemin du Lac\, Québec"
    assert fields["URL"] == order_link(order)
    assert fields["UID"].startswith(order.code)
    doors = timezone.localtime(perf.doors_open_at, perf.venue.zone)
    # Written as the buyer's language writes the time, as the order's page and email say it.
    for said in (f"Commande {order.code}", f"Ouverture des portes {doors.hour}\u00a0h\u00a0{doors:%M}",
                 str(places_of(perf)[0]), order_link(order)):
        assert said in fields["DESCRIPTION"].replace("\\n", "\n").replace("\\,", ","), fields["DESCRIPTION"]
    other = client.get(link.group(1).replace(order.access_token, "x" * len(order.access_token)))
    assert other.status_code == 404  # the private link's token, as for the tickets


def test_a_line_break_in_a_name_stays_inside_its_calendar_field(client):
    """Names written before the one-line rule (a seat's row typed with a carriage return,
    a title with a line break) are written as the format's escaped new line: a calendar
    splits lines at a bare CR or LF too, and would read the rest as a field of its own."""
    perf = make_performance(rows=1, per_row=1)
    Event.objects.filter(pk=perf.event_id).update(title="Cyrano\rEND:VEVENT\u2028\x0b")
    Seat.objects.filter(section__venue=perf.venue_id).update(row="A\rATTACH:x")
    perf.refresh_from_db()
    order = paid(perf)
    ics = client.get(f"/orders/{order.code}/{order.access_token}/calendar.ics").content.decode()
    lines = ics.split("\r\n")
    assert not any("\r" in line or "\n" in line for line in lines), ics
    assert lines.count("END:VEVENT") == 1 and not any(line.startswith("ATTACH") for line in lines)
    fields = dict(line.split(":", 1) for line in ics.replace("\r\n ", "").split("\r\n") if ":" in line)
    assert fields["SUMMARY"] == r"Cyrano\nEND:VEVENT\n"


def wait_for_mail(count: int, seconds: float = 30) -> list:
    from django.core import mail

    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # nothing more on its way
    return list(mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_buyer_has_the_tickets_emailed_again_from_the_order_page(client, celery_worker):
    """"Email me the tickets again" on the order page: the confirmation and its PDF sent
    again by the worker to the order's own address (never another), in the buyer's
    language; asked too often, a clear refusal and nothing sent; for a refunded order,
    no button, and a request made anyway is told why, not a 500."""
    from sales.orders import order_refund

    perf = make_performance(rows=1, per_row=3)
    order = paid(perf, 1, language="fr")
    assert len(wait_for_mail(1)) == 1  # the first confirmation
    page = f"/orders/{order.code}/{order.access_token}/"
    form = re.search(r"""<form[^>]*action="([^"]+)"[^>]*>[^<]*<input[^>]*>\s*<button[^>]*>M’envoyer de nouveau""",
                     unescape(client.get(page).content.decode()))
    assert form, "no way to have the tickets emailed again"
    answer = client.post(form.group(1), {"email": "someone-else@example.org"}, follow=True)
    assert answer.redirect_chain[-1][0] == page
    assert "Vos billets vous sont envoyés de nouveau à marie@example.org." in unescape(answer.content.decode())
    sent = wait_for_mail(2)
    assert len(sent) == 2 and sent[1].to == ["marie@example.org"]
    assert sent[1].subject.startswith("Vos billets pour") and sent[1].attachments[0][0] == f"tickets-{order.code}.pdf"
    for sent_by_now in (3, 4):  # each sent before the next is asked (asked at once, they are one email)
        client.post(form.group(1))
        assert len(wait_for_mail(sent_by_now)) == sent_by_now
    refused = client.post(form.group(1), follow=True)
    assert refused.status_code == 200 and refused.redirect_chain[-1][0] == page
    assert ("Vos billets ont déjà été envoyés plusieurs fois dans la dernière heure\u00a0; réessayez plus tard."
            in unescape(refused.content.decode()))
    # The first, and three asked for: each of those came within a second or two of its
    # asking, so a fifth sent for the refusal would have come within five.
    assert len(wait_for_mail(5, seconds=5)) == 4
    order_refund(order=Order.objects.get(pk=order.pk))
    assert "M’envoyer de nouveau" not in unescape(client.get(page).content.decode())
    late = client.post(form.group(1), follow=True)
    assert late.status_code == 200
    assert "Cette commande n’a plus de billets valides à envoyer." in unescape(late.content.decode())


@pytest.mark.parametrize("language, said, door", [
    ("en", "This performance took place on ", "At the door, show"),
    ("fr", "Ce spectacle a eu lieu le ", "À l’entrée, présentez"),
])
def test_after_the_show_the_order_page_says_it_took_place(client, language, said, door):
    """Opened the day after, the order page does not still tell the buyer to show the
    codes at the door (which no longer lets them in) nor to add it to a calendar: it says
    when the show took place. The PDF and the receipt stay."""
    perf = make_performance(rows=1, per_row=2)
    order = paid(perf, 1, language=language)
    page = f"/orders/{order.code}/{order.access_token}/"
    assert door in unescape(client.get(page).content.decode())  # before: what to do at the door
    perf.__class__.objects.filter(pk=perf.pk).update(starts_at=timezone.now() - timedelta(days=1, hours=2))
    perf.refresh_from_db()
    shown = words(unescape(re.sub(r"<[^>]+>", " ", client.get(page).content.decode())))
    day = timezone.localtime(perf.starts_at, perf.venue.zone)
    assert said in shown and f"{day.year}" in shown.split(said, 1)[1][:40], shown
    assert door not in shown and "calendar.ics" not in client.get(page).content.decode()
    assert f"/orders/{order.code}/{order.access_token}/tickets.pdf" in client.get(page).content.decode()
