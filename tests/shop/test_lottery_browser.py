"""A ballot in a real browser: found from the shop, applied for, confirmed by the link emailed,
drawn by the worker, paid by link."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from sales.models import Ballot, BallotEntry, Draw, Order, Place
from sales.tasks import run_ballots
from tests.browser import screenshot, type_card
from tests.support import make_performance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def apply(page, name: str, email: str, quantity: int) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Tickets").fill(str(quantity))
    page.get_by_role("button", name="Apply").click()


def wait_for(condition, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_a_ballot_from_application_to_paid_tickets(page, celery_worker):
    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=2,
                                   opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=1))

    # The shop's front page lists the open ballot.
    page.goto("/")
    page.locator("#ballots ~ ul").get_by_role("link", name="Apply").click()
    page.wait_for_url(f"**/lottery/{ballot.pk}/")
    applicants = (("Ana Silva", "ana@example.org"), ("Ben Okafor", "ben@example.org"),
                  ("Chloé Martin", "chloe@example.org"), ("Eve Quiet", "eve@example.org"))
    for name, email in applicants:
        apply(page, name, email, 2)
        expect(page.locator(".msg").first).to_contain_text(f"Check your mailbox: we have emailed a link to {email}")
    # Each address is emailed a link to confirm, by the worker the application asked.
    wait_for(lambda: len(mail.outbox) >= 4, "the worker sent no confirmation link")
    links = {m.to[0]: re.search(r"/lottery/confirm/[\w-]+/", m.body)[0] for m in mail.outbox}
    assert sorted(links) == sorted(email for _, email in applicants)
    for _, email in applicants[:3]:  # Eve never follows hers: her application is not drawn
        page.goto(links[email])
        page.get_by_role("button", name="Confirm my application").click()
        page.wait_for_url(f"**/lottery/{ballot.pk}/")
        expect(page.locator(".msg").first).to_contain_text("Your application is confirmed and entered in the draw")
    page.goto(links["ana@example.org"])  # a link works once
    expect(page.get_by_role("alert")).to_contain_text("This confirmation link is not valid")
    page.goto(f"/lottery/{ballot.pk}/")
    apply(page, "Ana again", "ANA@example.org", 1)  # the same address, another spelling
    expect(page.get_by_role("alert")).to_contain_text("already applied")
    # Over the limit: the browser refuses it, and so does the server when the browser does not.
    page.eval_on_selector("form.card", "f => f.noValidate = true")
    apply(page, "Dan Roy", "dan@example.org", 3)
    expect(page.get_by_role("alert")).to_contain_text("Apply for 1 to 2 tickets")
    assert ballot.entries.exclude(status="unconfirmed").count() == 3
    # Each confirmed applicant is emailed their entry.
    wait_for(lambda: len(mail.outbox) >= 7, "the worker sent no entry's email")
    assert sorted(m.to[0] for m in mail.outbox[4:]) == ["ana@example.org", "ben@example.org", "chloe@example.org"]
    mail.outbox.clear()

    # The window closes; the beat's task freezes the entries, and at its next run draws on
    # the real worker and writes to everyone.
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    run_ballots()
    assert Draw.objects.get(ballot=ballot).entry_count == 3
    run_ballots.delay()
    wait_for(lambda: len(mail.outbox) >= 3, "the worker drew no ballot and wrote to nobody")
    ballot.refresh_from_db()
    assert ballot.drawn_at is not None and ballot.draw.drawn_at == ballot.drawn_at
    statuses = sorted(ballot.entries.values_list("status", flat=True))
    assert statuses == ["lost", "unconfirmed", "won", "won"]  # Eve's, never confirmed, is not drawn
    assert Place.objects.filter(performance=perf, state="held").count() == 4
    by_address = {m.to[0]: m for m in mail.outbox}
    loser = ballot.entries.get(status="lost")
    assert "not drawn" in by_address[loser.email].body

    # A winner follows the link in their email; a declined card keeps the seats.
    winner = ballot.entries.filter(status="won").order_by("rank").first()
    link = re.search(r"/lottery/pay/[\w-]+/", by_address[winner.email].body)[0]
    page.goto(link)
    assert "You were drawn: 2 tickets are held for you" in page.content()
    type_card(page, "4000 0000 0000 0341")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("alert")).to_contain_text("Payment declined")
    assert Place.objects.filter(performance=perf, state="held").count() == 4
    type_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/orders/**")
    order = Order.objects.get(customer__email=winner.email, status="paid")  # and one declined before it
    assert order.status == "paid" and order.tickets.count() == 2
    assert page.locator(".ticket .qr svg").count() == 2
    screenshot(page, "ballot-paid")
    winner.refresh_from_db()
    assert winner.status == BallotEntry.Status.PAID
    # The link now says so instead of taking a second payment.
    page.goto(link)
    expect(page.locator(".msg")).to_contain_text("Paid")
    assert page.get_by_role("button", name="Pay").count() == 0
