"""The confirmation outbox: exactly one email per paid order, whatever dies when."""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from events.models import Channel
from sales import notifications
from sales.holds import hold_create
from sales.models import Order
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from tests.support import card_token, make_performance, places_of, process_env

pytestmark = pytest.mark.django_db(transaction=True)


def paid_order(email="claim@example.org"):
    perf = make_performance(rows=1, per_row=2)
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])
    return order_place(hold=hold, customer=CustomerDetails(name="Claim", email=email),
                       payment=PaymentRequest(method="test_card", card_number=APPROVE))


def waiting_on_a_lock(n: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone()[0] >= n:
                return True
            time.sleep(0.02)
    return False


def race_two_senders(order_id: int, send) -> list:
    """Both senders reach their claim while a third transaction holds the order's row,
    so both claims wait on it together and run one after the other once it is let go:
    the interleaving that, under load, happens by chance."""
    locked, results = threading.Event(), []
    release = threading.Event()

    def blocker():
        try:
            with transaction.atomic():
                Order.objects.select_for_update().get(pk=order_id)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    def sender():
        try:
            results.append(send(order_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=blocker)]
    threads[0].start()
    assert locked.wait(10)
    threads += [threading.Thread(target=sender) for _ in range(2)]
    for t in threads[1:]:
        t.start()
    assert waiting_on_a_lock(2), "the two senders did not both reach the claim"
    release.set()
    for t in threads:
        t.join(30)
    return results


def test_two_senders_racing_for_one_order_send_one_email():
    order = paid_order()
    results = race_two_senders(order.pk, notifications.send_confirmation)
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert Order.objects.get(pk=order.pk).events.filter(action="confirmation sent").count() == 1


def test_control_a_claim_through_a_subquery_lets_both_senders_win():
    """The same race against a claim whose conditions sit in `id IN (SELECT ...)`:
    PostgreSQL re-checks only the outer condition on the row it waited for, so both win.
    This is why the claim's conditions are on the updated row itself."""
    order = paid_order()

    def subquery_claim(order_id):
        return bool(Order.objects.filter(pk=order_id, status="paid", confirmation_sent_at__isnull=True)
                    .exclude(customer__email__endswith=".invalid").update(confirmation_sent_at=timezone.now()))

    assert race_two_senders(order.pk, subquery_claim) == [True, True]


def test_a_sender_killed_mid_send_is_taken_over_and_the_email_goes_once(settings):
    """A real sender process, killed with SIGKILL while the mail server keeps it waiting:
    its claim lapses and the sweep sends the confirmation, once."""
    order = paid_order("killed@example.org")
    sender = subprocess.Popen(
        [sys.executable, "-c", "import django; django.setup(); from sales.notifications import "
         f"send_confirmation; send_confirmation({order.pk})"],
        env=process_env(EMAIL_BACKEND="tests.sales.hanging_mail.Backend"), cwd=django_settings.BASE_DIR,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while Order.objects.filter(pk=order.pk, confirmation_claimed_at__isnull=True,
                                   confirmation_sent_at__isnull=True).exists():
            assert time.monotonic() < deadline and sender.poll() is None, "the sender never claimed the order"
            time.sleep(0.05)
        time.sleep(0.3)  # rendering done, now hanging in the mail server
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait()
    # While the claim is recent, nobody else sends: the sender may only be slow.
    assert notifications.send_pending_confirmations() == 0 and mail.outbox == []
    settings.CONFIRMATION_CLAIM_SECONDS = 1
    time.sleep(1.2)
    assert notifications.send_pending_confirmations() == 1
    assert notifications.send_pending_confirmations() == 0
    assert [m.to for m in mail.outbox] == [["killed@example.org"]]
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is not None


def test_the_message_id_is_stable_per_confirmation_and_new_for_a_staff_resend():
    order = paid_order("mid@example.org")
    assert notifications.send_confirmation(order.pk) is True
    first = mail.outbox[0].extra_headers["Message-ID"]
    assert first == f"<confirmation.{order.code}.1@localhost>"
    notifications.resend_confirmation(order)
    assert notifications.send_confirmation(order.pk) is True
    assert mail.outbox[1].extra_headers["Message-ID"] == f"<confirmation.{order.code}.2@localhost>"


def test_links_in_emails_follow_the_configured_site_url():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    code = "from django.conf import settings; print(settings.SITE_URL)"
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], capture_output=True, text=True,
                         env={**env, "BOXOFFICE_WEB_PORT": "8123"}, cwd=django_settings.BASE_DIR, check=True)
    assert out.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123"


def test_the_confirmation_comes_from_the_configured_sender(settings):
    """The buyer's confirmation is sent from the venue's sender (DEFAULT_FROM_EMAIL, read
    from the environment, "Box office <tickets@localhost>" where it is not set), its name
    written as mail writes one outside ASCII, and its Message-ID made at its domain."""
    env = {k: v for k, v in os.environ.items() if k != "DEFAULT_FROM_EMAIL"}
    code = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)"

    def configured(**extra) -> str:
        out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], capture_output=True, text=True,
                             env={**env, **extra}, cwd=django_settings.BASE_DIR, check=True)
        return out.stdout.strip().splitlines()[-1]

    assert configured() == "Box office <tickets@localhost>"
    venue = "Salle du Quai <billets@quai.example>"
    assert configured(DEFAULT_FROM_EMAIL=venue) == venue

    settings.DEFAULT_FROM_EMAIL = "Théâtre du Quai <billets@quai.example>"
    order = paid_order("sender@example.org")
    assert notifications.send_confirmation(order.pk) is True
    sent, = mail.outbox
    assert sent.from_email == "Théâtre du Quai <billets@quai.example>"
    raw = sent.message().as_bytes()
    assert b"\nFrom: =?utf-8?" in raw  # the name encoded, as a mail header must be
    from_header = email.message_from_bytes(raw, policy=email.policy.default)["From"]
    assert (from_header.addresses[0].display_name, from_header.addresses[0].addr_spec) == (
        "Théâtre du Quai", "billets@quai.example")
    assert sent.extra_headers["Message-ID"] == f"<confirmation.{order.code}.1@quai.example>"


def test_the_local_mail_drop_keeps_one_file_per_message_and_notes_a_resend(tmp_path, settings):
    from django.core.mail import EmailMessage, get_connection

    backend = get_connection("sales.mail.MessageFolderBackend", file_path=str(tmp_path))
    first = EmailMessage("Your tickets", "body", to=["a@example.org"],
                         headers={"Message-ID": "<confirmation.AB12.1@x>"}, connection=backend)
    first.send()
    first.send()  # the same confirmation, sent again after a crash
    EmailMessage("Your tickets", "body", to=["a@example.org"],
                 headers={"Message-ID": "<confirmation.AB12.2@x>"}, connection=backend).send()
    files = sorted(p.name for p in tmp_path.glob("*.eml"))
    assert files == ["confirmation.AB12.1@x.eml", "confirmation.AB12.2@x.eml"]
    assert (tmp_path / "resent.log").read_text() == "<confirmation.AB12.1@x>\n"
    assert "Subject: Your tickets" in (tmp_path / files[0]).read_text()


def test_a_confirmation_asked_again_while_one_is_on_its_way_is_sent_after_it(settings, monkeypatch):
    """An exchange (or staff) asks for a new confirmation while a worker is still sending
    the old one: the old send's mark no longer counts, and the new one goes."""
    from tests.sales import interleaving_mail

    order = paid_order("again@example.org")
    monkeypatch.setattr(interleaving_mail, "during_send",
                        lambda: notifications.resend_confirmation(Order.objects.get(pk=order.pk)))
    settings.EMAIL_BACKEND = "tests.sales.interleaving_mail.Backend"
    assert notifications.send_confirmation(order.pk) is False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.send_pending_confirmations() == 1
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        f"<confirmation.{order.code}.1@localhost>", f"<confirmation.{order.code}.2@localhost>"]
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is not None


def test_a_french_buyer_gets_the_confirmation_in_french_and_an_english_one_in_english():
    from django.test import Client

    perf = make_performance(rows=1, per_row=4)
    seats = places_of(perf)
    shop = Client(HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    shop.post(f"/performances/{perf.pk}/hold/", {"seats": str(seats[0].pk)})
    done = shop.post("/checkout/", {"name": "Zoé", "email": "zoe@example.org", "card_token": card_token()})
    assert done.status_code == 302, done.content
    french = Order.objects.get(customer__email="zoe@example.org")
    assert french.language == "fr"
    from django.utils import translation

    with translation.override("en"):  # a request of its own, in English (this thread kept the shop's)
        english = paid_order("ann@example.org")
    assert english.language == "en"
    assert notifications.send_pending_confirmations() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    fr, en = by_address["zoe@example.org"], by_address["ann@example.org"]
    assert fr.subject.startswith("Vos billets pour") and french.code in fr.subject
    for words in ("Bonjour Zoé,", f"Merci pour votre commande {french.code}.", "Vos billets\u00a0:",
                  "Total payé\u00a0:", "Gardez ce lien privé"):
        assert words in fr.body, words
    for english_words in ("Hello", "Thank you", "Your tickets", "Total paid", "Keep this link"):
        assert english_words not in fr.body and english_words not in fr.subject, english_words
    # Amounts as each language writes them, in the ticket lines as in the receipt.
    # No amount written with its code ("50.00 CAD"); an order's random code may hold the letters.
    assert "Total payé\u00a0: 50,00\u00a0$" in fr.body and "(Stalls, 50,00\u00a0$)" in fr.body
    assert "Total paid: $50.00" in en.body and "(Stalls, $50.00)" in en.body
    assert not re.search("\\d[ \u00a0]CAD", fr.body + en.body)
    from tests.events.test_time_zones import pdf_text

    tickets = pdf_text(fr.attachments[0][1])
    assert b"(Stalls \\227 50,00 $)" in tickets  # \227: the dash, in the PDF's encoding
    assert not re.search(rb"\d[ \xa0]CAD", tickets)
    assert en.subject.startswith("Your tickets for") and "Thank you for your order" in en.body


def test_a_title_with_a_line_break_neither_saves_nor_stops_the_tickets_email(organizer):
    """The admin refuses a pasted title with a line break (an email's subject cannot carry
    one); a title saved with one before still gets its buyers their tickets, on one line."""
    from events.models import Event
    from tests.support import signed_in

    order = paid_order()
    event = order.performance.event
    admin = signed_in(organizer)
    page = admin.post(f"/admin/events/event/{event.pk}/change/",
                      {"title": "Les Étoiles\r\nBcc: evil@example.com", "description": "", "image_url": "",
                       "performances-TOTAL_FORMS": "0", "performances-INITIAL_FORMS": "0"}).content.decode()
    assert "Write this on one line, without line breaks or tabs." in page
    Event.objects.filter(pk=event.pk).update(title="Les Étoiles\r\nBcc: evil@example.com")
    assert notifications.send_pending_confirmations() == 1
    assert mail.outbox[-1].subject == f"Your tickets for Les Étoiles Bcc: evil@example.com — order {order.code}"
    assert mail.outbox[-1].bcc == []


@pytest.mark.parametrize("pasted", ["Les Étoiles\u2028Bcc: x@example.com", "Les Étoiles\u0085", "Les\u2029Étoiles"])
def test_unicode_line_separators_are_line_breaks_too(pasted):
    from django.core.exceptions import ValidationError

    from events.models import one_line

    with pytest.raises(ValidationError, match="on one line"):
        one_line(pasted)
    one_line("Les Étoiles — Québec, 20 h")  # dashes, accents and spaces are one line
