"""A buyer's emails come in two parts, multipart/alternative: the text as it always was,
and the same said in HTML for the mail apps that show it (one column, inline styles, no
remote resources), in the buyer's language, with what organizers and buyers typed
escaped."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone, translation

from events.models import Channel
from sales import lottery, notifications
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_place, order_refund
from sales.payments import APPROVE, PaymentRequest
from tests.sales.test_order_receipts import family_order, receipt_rows
from tests.sales.test_reservation_emails import reservation
from tests.support import make_performance, places_of
from tests.test_french_everywhere import assert_french, visible

pytestmark = pytest.mark.django_db

CARD = PaymentRequest(method="test_card", card_number=APPROVE)
SCRIPT = "<script>alert(1)</script>"


def rows_of(html: str) -> list[list[str]]:
    """The rows of every table of an email's HTML, each a list of its cells' text."""
    return receipt_rows(html, whole=True)


def two_parts(message) -> tuple[str, str]:
    """The message's text and HTML, checked to be exactly one of each, alternatives of
    each other, as the mail server is sent them."""
    raw = message.message()
    kinds = [part.get_content_type() for part in raw.walk()]
    assert kinds.count("multipart/alternative") == 1, kinds
    assert kinds.count("text/plain") == 1 and kinds.count("text/html") == 1, kinds
    (alternative,) = (part for part in raw.walk() if part.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    (html, kind), = message.alternatives
    assert kind == "text/html"
    return message.body, html


class Unbroken(HTMLParser):
    """The text of each element whose style keeps it on one line (white-space:nowrap)."""

    VOID = {"br", "meta", "img", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.open, self.kept = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            nowrap = "nowrap" in (dict(attrs).get("style") or "").replace(" ", "")
            self.open.append([tag, nowrap, ""])

    def handle_endtag(self, tag):
        while self.open:
            name, nowrap, text = self.open.pop()
            if nowrap:
                self.kept.append(" ".join(text.split()))
            if name == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element[2] += data


def kept_on_one_line(html: str) -> list[str]:
    parser = Unbroken()
    parser.feed(html)
    return parser.kept


def assert_self_contained(html: str, language: str) -> None:
    """One document that a mail app shows as it is: its language, a title, inline styles
    only, nothing fetched from elsewhere."""
    assert f'<html lang="{language}">' in html
    assert "<title>" in html and "<title></title>" not in html
    assert "<style" not in html and "<link" not in html and "<script" not in html.lower()
    assert "src=" not in html and "url(" not in html
    assert "max-width:600px" in html


def in_french(perf):
    """The show as a French organizer names it (the factory's names are English)."""
    perf.event.title = "Soirée Lumière"
    perf.event.save()
    perf.venue.name = f"Théâtre Bleu {perf.venue.pk}"  # a venue's name is its own
    perf.venue.save()
    return perf


def paid_order(*, language="en", title="Le Songe", name="Ann Lee", address="12 rue des Lilas, Montréal"):
    perf = in_french(make_performance(rows=1, per_row=4))
    perf.event.title = title
    perf.event.save()
    perf.venue.address = address
    perf.venue.save()
    seats = places_of(perf)[:2]
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in seats])
    with translation.override(language):
        order = order_place(hold=hold, customer=CustomerDetails(name=name, email="ann@example.org"), payment=CARD)
    return order, seats


def test_the_confirmation_has_the_text_and_an_html_part_saying_the_same():
    order, seats = paid_order()
    assert notifications.send_pending_confirmations() == 1
    (message,) = mail.outbox
    text, html = two_parts(message)
    assert "Thank you for your order" in text  # the text part as it always was
    assert_self_contained(html, "en")
    link = notifications.order_link(order)
    assert f'href="{link}"' in html
    page = visible(html)
    assert order.code in page and "Le Songe" in page and "12 rue des Lilas, Montréal" in page
    assert "openstreetmap.org/search?query=" in html  # the way there
    perf = order.performance
    assert timezone.localtime(perf.starts_at, timezone=perf.venue.zone).strftime("%H:%M") in page
    rows = rows_of(html)
    for seat, ticket in zip(seats, order.tickets.order_by("place_id"), strict=True):
        assert [seat.section.name, seat.seat.row, seat.seat.number, ticket.price_zone_name, "$50.00"] in rows
        assert ticket.code in page
    assert ["Total", "$100.00"] in rows  # the receipt's totals
    # No price types at this performance: the column says what it shows, the zone.
    assert ["Section", "Row", "Seat", "Zone", "Price"] in rows
    ((name, _pdf, kind),) = message.attachments  # the tickets, attached as before
    assert name == f"tickets-{order.code}.pdf" and kind == "application/pdf"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_tickets_fit_a_phone_what_a_price_holds_wrapping_under_it(language):
    """On a phone's 375 px only an amount is kept on one line: the words under a ticket's
    price ("fees and taxes included") wrap, or the table is wider than the screen."""
    order, _mine = family_order(language=language)
    assert notifications.send_pending_confirmations() == 1
    _text, html = two_parts(mail.outbox[0])
    said = "frais et taxes inclus" if language == "fr" else "fees and taxes included"
    assert said in visible(html)
    # The zone and the price type, under a heading that names both.
    heading = (["Section", "Rangée", "Siège", "Zone, tarif", "Prix"] if language == "fr"
               else ["Section", "Row", "Seat", "Zone, price type", "Price"])
    assert heading in rows_of(html), rows_of(html)[:3]
    kept = kept_on_one_line(html)
    assert kept and all(re.fullmatch(r"[−-]?\$?[\d,.\u00a0\u202f ]+\$?", text) for text in kept), kept


def test_a_french_order_has_its_html_in_french():
    order, seats = paid_order(language="fr", title="Soirée Lumière")
    with translation.override("en"):  # whatever the language of the process sending it
        assert notifications.send_pending_confirmations() == 1
    (message,) = mail.outbox
    _text, html = two_parts(message)
    assert_self_contained(html, "fr")
    page = visible(html)
    assert "Merci pour votre commande" in page and order.code in page
    assert f'href="{notifications.order_link(order)}"' in html
    assert seats[0].seat.number in page
    assert_french("confirmation email's HTML", page)


def test_what_organizers_and_buyers_typed_is_escaped_in_the_html():
    order, _seats = paid_order(title=f"Gala {SCRIPT}", name=f"Eve {SCRIPT}", address=f"1 rue {SCRIPT}")
    assert notifications.send_pending_confirmations() == 1
    text, html = two_parts(mail.outbox[0])
    assert SCRIPT in text  # text is text: shown as typed
    assert "<script" not in html.lower()
    assert "Gala &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1 rue &lt;script&gt;" in html


def test_the_refund_notice_has_its_html_part_too():
    order, seats = paid_order(language="fr", title="Soirée Lumière")
    assert notifications.send_pending_confirmations() == 1
    order_refund(order=order, actor=None)
    assert notifications.send_pending_confirmations() == 1
    notice = mail.outbox[-1]
    text, html = two_parts(notice)
    assert "remboursée" in text
    assert_self_contained(html, "fr")
    page = visible(html)
    assert order.code in page and "remboursée" in page
    assert f'href="{notifications.order_link(order)}"' in html
    assert str(seats[0]) in page  # the receipt names what was refunded
    assert_french("refund notice's HTML", page)
    assert notice.attachments == []  # no tickets: they are void


def test_the_payment_link_and_the_reminder_have_a_button_to_pay():
    order = reservation("fr")
    in_french(order.performance)
    notifications.send_payment_link(order)
    assert notifications.send_reservation_reminders() == 1
    for message in mail.outbox:
        _text, html = two_parts(message)
        assert_self_contained(html, "fr")
        assert f'href="{notifications.payment_link(order)}"' in html
        page = visible(html)
        assert order.code in page and "réservation" in page
        assert_french("reservation email's HTML", page)


def test_a_ballot_email_has_its_html_part_with_the_link_to_follow():
    now = timezone.now()
    perf = in_french(make_performance(rows=1, per_row=4))
    ballot = lottery.Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                           opens_at=now - timedelta(days=1), closes_at=now + timedelta(hours=1))
    entry = lottery.ballot_apply(ballot=ballot, name=f"Eve {SCRIPT}", email="eve@example.org", quantity=2,
                                 language="fr")
    lottery.send_pending_notices()
    (message,) = mail.outbox
    text, html = two_parts(message)
    assert text.startswith(f"Bonjour Eve {SCRIPT},")
    assert_self_contained(html, "fr")
    assert f'href="{notifications.site_link(f"/lottery/confirm/{entry.confirm_token}/")}"' in html
    assert "Eve &lt;script&gt;" in html and "<script" not in html.lower()
    assert_french("ballot email's HTML", visible(html))



def test_the_orders_found_and_a_reservation_ended_by_a_cancellation_have_their_html_too():
    order, _seats = paid_order()
    held = reservation("fr")
    in_french(held.performance)
    assert notifications.send_orders_found("ann@example.org") == 1
    assert notifications.send_reservation_cancelled(held.pk)
    found, ended = mail.outbox
    _text, html = two_parts(found)
    assert_self_contained(html, "en")
    assert f'href="{notifications.order_link(order)}"' in html and order.code in visible(html)
    _text, html = two_parts(ended)
    assert_self_contained(html, "fr")
    assert held.code in visible(html)
    assert_french("cancelled reservation's HTML", visible(html))


def test_the_orders_found_email_says_in_its_subject_when_there_is_no_order():
    """Asked for the tickets of an address that bought none: its subject does not promise
    tickets the email then says there are none of."""
    order, _seats = paid_order()
    assert notifications.send_orders_found("ann@example.org") == 1
    assert notifications.send_orders_found("nobody@example.org") == 0
    with translation.override("fr"):
        assert notifications.send_orders_found("personne@example.org") == 0
    found, none, aucun = mail.outbox
    assert found.subject == "Your tickets" and order.code in found.body
    assert none.subject == "No tickets bought with this address"
    assert aucun.subject == "Aucun billet acheté avec cette adresse"
    assert f"<title>{aucun.subject}</title>" in two_parts(aucun)[1]
