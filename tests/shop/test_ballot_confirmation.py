"""A ballot application counts once its address is confirmed: anyone may type anyone's
address, and an unconfirmed application keeps nobody out of the ballot."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from sales import lottery, tasks
from sales.draws import format_reference
from sales.models import Ballot, BallotEntry, Draw
from tests.support import make_performance, signed_in

pytestmark = pytest.mark.django_db


def open_ballot(seats: int = 4) -> Ballot:
    now = timezone.now()
    perf = make_performance(rows=1, per_row=seats)
    return Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                 opens_at=now - timedelta(days=2), closes_at=now + timedelta(hours=1))


def close(ballot: Ballot) -> Ballot:
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    ballot.refresh_from_db()
    return ballot


def link_in(message) -> str:
    return re.search(r"/lottery/confirm/[\w-]+/", message.body)[0]


def emailed_link(to: str) -> str:
    """The confirmation link last emailed to this address (sent by the sweep, as the worker would)."""
    lottery.send_pending_notices()
    return link_in([m for m in mail.outbox if m.to == [to]][-1])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("&#x27;", "'")


def test_someone_applying_with_anothers_address_does_not_lock_its_owner_out():
    ballot = open_ballot()
    stranger, owner = Client(REMOTE_ADDR="203.0.113.20"), Client(REMOTE_ADDR="198.51.100.7")
    first = stranger.post(f"/lottery/{ballot.pk}/", {"name": "Mallory", "email": "olivia@example.org", "quantity": "4"})
    assert first.status_code == 302
    said = text_of(stranger.get(first["Location"]))
    assert "Check your mailbox: we have emailed a link to olivia@example.org" in said
    assert "entry reference" not in said  # no reference to whoever typed the address
    strangers_link = emailed_link("olivia@example.org")  # the stranger's application reached her mailbox

    # Olivia applies herself: the unconfirmed application does not stand in her way.
    again = owner.post(f"/lottery/{ballot.pk}/", {"name": "Olivia Owner", "email": "Olivia+tickets@example.org",
                                                  "quantity": "2"})
    assert again.status_code == 302, text_of(again)
    [entry] = ballot.entries.all()  # the one application of her mailbox, now with her details
    assert (entry.name, entry.email, entry.quantity, entry.status) == (
        "Olivia Owner", "olivia+tickets@example.org", 2, "unconfirmed")
    link = emailed_link("olivia+tickets@example.org")
    assert link == strangers_link  # the link emailed first still works: nobody can spoil it
    page = owner.get(link)
    assert page.status_code == 200 and "in the name of Olivia Owner" in text_of(page)
    confirmed = owner.post(link, {"name": "Olivia Owner", "quantity": "2"})
    assert confirmed.status_code == 302
    assert "Your application is confirmed and entered in the draw" in text_of(owner.get(confirmed["Location"]))
    entry.refresh_from_db()
    assert entry.status == "applied" and entry.confirm_token is None
    # Confirmed, the mailbox applies once, as before.
    late = stranger.post(f"/lottery/{ballot.pk}/", {"name": "Mallory", "email": "olivia@example.org", "quantity": "4"})
    assert late.status_code == 400 and "This email address has already applied" in text_of(late)
    assert list(ballot.entries.values_list("name", "status")) == [("Olivia Owner", "applied")]


def test_a_stranger_applying_again_and_again_leaves_the_owners_link_working_and_the_owner_corrects_it():
    """Applying again with a mailbox whose application is unconfirmed updates it and keeps
    its link: a stranger re-applying with the owner's address every minute spoils no link
    the owner was sent, and the owner confirms their own details on the link's page."""
    ballot = open_ballot()
    stranger, owner = Client(REMOTE_ADDR="203.0.113.20"), Client(REMOTE_ADDR="198.51.100.7")
    assert stranger.post(f"/lottery/{ballot.pk}/", {"name": "Mallory", "email": "olivia@example.org",
                                                    "quantity": "3"}).status_code == 302
    first = emailed_link("olivia@example.org")
    for quantity in ("4", "1"):  # again and again, each a minute later
        assert stranger.post(f"/lottery/{ballot.pk}/", {"name": "Mallory", "email": "olivia@example.org",
                                                        "quantity": quantity}).status_code == 302
    assert emailed_link("olivia@example.org") == first
    [entry] = ballot.entries.all()
    assert (entry.name, entry.quantity, entry.status) == ("Mallory", 1, "unconfirmed")

    page = owner.get(first)  # the owner follows the first link she was sent
    assert page.status_code == 200
    said = text_of(page)
    assert "in the name of Mallory" in said and "correct them" in said
    assert 'name="name"' in page.content.decode() and 'value="Mallory"' in page.content.decode()
    confirmed = owner.post(first, {"name": "  Olivia Owner ", "quantity": "2"})
    assert confirmed.status_code == 302, text_of(confirmed)
    entry.refresh_from_db()
    assert (entry.name, entry.quantity, entry.status, entry.confirm_token) == ("Olivia Owner", 2, "applied", None)
    lottery.send_pending_notices()  # her entry's email, with her details
    applied = [m for m in mail.outbox if m.subject.startswith("Your ballot application")]
    assert len(applied) == 1 and applied[0].body.startswith("Hello Olivia Owner,")
    assert "tickets asked for: 2" in applied[0].body


def test_a_mailbox_is_sent_three_confirmation_emails_an_hour_whoever_applies():
    ballot = open_ballot()
    stranger = Client(REMOTE_ADDR="203.0.113.20")

    def apply(name: str):
        response = stranger.post(f"/lottery/{ballot.pk}/", {"name": name, "email": "olivia@example.org",
                                                            "quantity": "2"})
        assert response.status_code == 302, text_of(response)
        lottery.send_pending_notices()  # the worker sends what is owed at once
        return text_of(stranger.get(response["Location"]))

    for n in range(1, 4):
        assert "Check your mailbox: we have emailed a link to olivia@example.org" in apply(f"Mallory {n}")
    sent = [m for m in mail.outbox if m.to == ["olivia@example.org"]]
    assert len(sent) == 3 and len({link_in(m) for m in sent}) == 1  # one link, emailed three times
    assert len({m.extra_headers["Message-ID"] for m in sent}) == 3  # three emails, not one sent thrice
    fourth = apply("Mallory 4")
    assert len(mail.outbox) == 3  # no fourth email
    assert "A link was already emailed to olivia@example.org and is still valid" in fourth
    assert "we have emailed a link" not in fourth
    entry = ballot.entries.get()
    assert entry.name == "Mallory 4" and entry.status == "unconfirmed"  # the application is still updated
    assert not lottery.pending_notices().exists()

    # An hour after the first, the mailbox may be sent one again.
    BallotEntry.objects.filter(pk=entry.pk).update(
        confirm_emailed_at=[t - timedelta(minutes=61) if i == 0 else t
                            for i, t in enumerate(entry.confirm_emailed_at)])
    assert "Check your mailbox: we have emailed a link" in apply("Mallory 5")
    assert len(mail.outbox) == 4 and link_in(mail.outbox[3]) == link_in(sent[0])
    assert mail.outbox[3].body.startswith("Hello Mallory 5,")


def test_applications_made_before_the_email_goes_are_one_email():
    """Applied again before the worker sent the link: one email, with the last details,
    and the mailbox's allowance is not spent on emails that never went."""
    ballot = open_ballot()
    for n in range(5):
        lottery.ballot_apply(ballot=ballot, name=f"Ana {n}", email="ana@example.org", quantity=1 + n % 4)
    assert lottery.send_pending_notices() == 1
    [sent] = mail.outbox
    assert sent.body.startswith("Hello Ana 4,") and "for 1 tickets" in sent.body
    again = lottery.ballot_apply(ballot=ballot, name="Ana", email="ana@example.org", quantity=2)
    assert again.link_emailed and lottery.send_pending_notices() == 1


def test_bad_input_on_the_confirmation_page_is_a_form_error_and_confirms_nothing():
    ballot = open_ballot()
    client = Client()
    client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "2"})
    link = emailed_link("ana@example.org")
    for typed, said in ((
            {"name": "   ", "quantity": "2"}, "Enter your name"),
            ({"name": "Ana", "quantity": "5"}, "Apply for 1 to 4 tickets"),
            ({"name": "Ana", "quantity": "0"}, "Apply for 1 to 4 tickets"),
            ({"name": "Ana", "quantity": "two"}, "Apply for 1 to 4 tickets"),
            ({"name": "Ana", "quantity": "9" * 5000}, "Apply for 1 to 4 tickets"),
            ({"name": "Ana", "quantity": ""}, "Apply for 1 to 4 tickets"),
            ({"name": "A" * 300, "quantity": "2"}, "name"),
            ({"name": "Ana\u202e", "quantity": "2"}, "cannot be printed")):
        response = client.post(link, typed)
        assert response.status_code == 400, (typed, response.status_code)
        assert said.lower() in text_of(response).lower(), typed
        assert 'role="alert"' in response.content.decode()
        assert 'name="quantity"' in response.content.decode()  # the form again, to put right
        entry = ballot.entries.get()
        assert (entry.name, entry.quantity, entry.status) == ("Ana", 2, "unconfirmed")
    client.cookies["django_language"] = "fr"  # chosen on the site: the page speaks it
    french = client.post(link, {"name": "Ana", "quantity": "7"})
    assert french.status_code == 400 and "Demandez de 1 à 4 billets" in text_of(french)
    assert client.post(link, {"name": "Ana", "quantity": "3"}).status_code == 302  # the link still works
    assert ballot.entries.get().quantity == 3


def test_an_unconfirmed_application_is_not_drawn():
    """Nor told it was not drawn. An application made before addresses were confirmed
    (its status `applied`) is in the draw."""
    ballot = open_ballot()
    before = BallotEntry.objects.create(ballot=ballot, name="Early", email="early@example.org",
                                        mailbox="early@example.org", quantity=2, told_status="applied")
    lottery.ballot_apply(ballot=ballot, name="Never confirmed", email="quiet@example.org", quantity=2)
    lottery.send_pending_notices()
    mail.outbox.clear()
    close(ballot)
    tasks.run_ballots()  # freezes the entries
    assert Draw.objects.get(ballot=ballot).entry_count == 1
    tasks.run_ballots()  # draws
    statuses = dict(ballot.entries.values_list("email", "status"))
    assert statuses == {"early@example.org": "won", "quiet@example.org": "unconfirmed"}
    assert [m.to for m in mail.outbox] == [[before.email]]


def test_a_confirmed_application_is_drawn():
    ballot = open_ballot()
    client = Client()
    assert client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org",
                                                  "quantity": "2"}).status_code == 302
    assert client.post(emailed_link("ana@example.org")).status_code == 302
    close(ballot)
    result = lottery.ballot_draw(ballot=ballot)
    entry = ballot.entries.get()
    assert result["won"] == 1 and entry.status == "won" and entry.rank == 1
    assert ballot.draw.entry_count == 1


def test_the_link_works_once():
    ballot = open_ballot()
    client = Client()
    client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "2"})
    link = emailed_link("ana@example.org")
    assert client.post(link).status_code == 302
    for used in (client.post(link), client.get(link)):
        assert used.status_code == 404
        assert "This confirmation link is not valid: it has been used already" in text_of(used)
    entry = ballot.entries.get()
    assert entry.status == "applied"
    lottery.send_pending_notices()  # once confirmed, its reference: one email, not one a click
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [f"Confirm your ballot application for {ballot.performance.event.title}",
                        f"Your ballot application for {ballot.performance.event.title}"]
    assert format_reference(entry.reference) in mail.outbox[1].body
    assert format_reference(entry.reference) not in mail.outbox[0].body


def test_a_bad_or_late_link_is_a_readable_page():
    ballot = open_ballot()
    client = Client()
    for bad in ("/lottery/confirm/not-a-token/", "/lottery/confirm/" + "x" * 300 + "/", "/lottery/confirm/%E2%80%AE/"):
        for response in (client.get(bad), client.post(bad)):
            assert response.status_code == 404, bad
            assert "This confirmation link is not valid" in text_of(response)
    client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "2"})
    link = emailed_link("ana@example.org")
    close(ballot)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 409
        assert ("Applications for this ballot closed before this application was confirmed: it is not in the draw"
                in text_of(response))
    assert ballot.entries.get().status == "unconfirmed"


def test_a_confirmation_email_is_not_sent_once_applications_are_closed():
    ballot = open_ballot()
    lottery.ballot_apply(ballot=ballot, name="Ana", email="ana@example.org", quantity=1)
    close(ballot)
    assert not lottery.pending_notices().exists()
    assert lottery.send_pending_notices() == 0 and mail.outbox == []


def test_the_confirmation_email_speaks_the_applicants_language():
    ballot = open_ballot()
    Client(HTTP_ACCEPT_LANGUAGE="fr").post(f"/lottery/{ballot.pk}/", {
        "name": "Élise", "email": "elise@example.org", "quantity": "2"})
    with translation.override("en"):  # the worker's language
        lottery.send_pending_notices()
    [sent] = mail.outbox
    title = ballot.performance.event.title
    assert sent.subject == f"Confirmez votre inscription au tirage au sort pour {title}"
    assert sent.body.startswith("Bonjour Élise,") and "/lottery/confirm/" in sent.body
    assert sent.extra_headers["Content-Language"] == "fr"
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get(link_in(sent))
    assert "Confirmer mon inscription" in page.content.decode()
    # Its link opened where the browser asks for English (a phone's mail app): the page
    # speaks the application's language, as the email did, unless the reader chose one here.
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(link_in(sent))
    assert "Confirmer mon inscription" in page.content.decode()
    chosen = Client(HTTP_ACCEPT_LANGUAGE="fr")
    chosen.cookies["django_language"] = "en"
    assert "Confirm my application" in chosen.get(link_in(sent)).content.decode()


def test_the_organizer_sees_confirmed_and_unconfirmed_applications(organizer):
    ballot = open_ballot()
    for i in range(3):
        lottery.ballot_apply(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=1)
    lottery.ballot_confirm(token=ballot.entries.order_by("pk").first().confirm_token)
    client = signed_in(organizer)
    listing = text_of(client.get("/admin/sales/ballot/"))
    assert "Confirmed applications" in listing and "Applications not confirmed (not in the draw)" in listing
    change = text_of(client.get(f"/admin/sales/ballot/{ballot.pk}/change/"))
    assert re.search(r"Confirmed applications: 1 ", change) and re.search(r"not in the draw\): 2 ", change)
    french = text_of(client.get("/admin/sales/ballot/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Inscriptions confirmées" in french and "Inscriptions non confirmées (hors tirage)" in french


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_one_mailbox_applying_twice_at_once_leaves_one_application_to_confirm():
    from tests.support import race

    ballot = open_ballot()
    answers = race(4, lambda i: lottery.ballot_apply(ballot=ballot, name=f"Twin {i}", email="twin@example.org",
                                                      quantity=1))
    assert all(isinstance(a, BallotEntry) for a in answers), answers  # each updated the one before
    [entry] = ballot.entries.all()
    assert entry.status == "unconfirmed"
    tokens = [a.confirm_token for a in answers]
    assert set(tokens) == {entry.confirm_token}  # one link, whichever application came last
    assert {a.pk for a in answers} == {entry.pk}
    confirmed = race(4, lambda i: lottery.ballot_confirm(token=tokens[i]))
    assert sum(isinstance(c, BallotEntry) for c in confirmed) == 1
    assert list(ballot.entries.values_list("status", flat=True)) == ["applied"]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_mailbox_applied_for_many_times_at_once_is_sent_three_emails_an_hour():
    """Eight applications with one address at the same moment, each followed at once by a
    worker's sending: the mailbox still gets three emails of its one link in the hour,
    counted in the application's row whoever applies and sends at once."""
    from tests.support import race

    ballot = open_ballot()

    def apply_and_send(i):
        entry = lottery.ballot_apply(ballot=ballot, name=f"Many {i}", email="many@example.org", quantity=1)
        lottery.send_pending_notices()
        return entry

    answers = race(8, apply_and_send)
    assert all(isinstance(a, BallotEntry) for a in answers), answers
    lottery.send_pending_notices()  # whatever a sender left owed
    [entry] = ballot.entries.all()
    sent = [m for m in mail.outbox if m.to == ["many@example.org"]]
    assert 1 <= len(sent) <= 3, len(sent)
    assert {link_in(m) for m in sent} == {link_in(sent[0])}  # one link
    assert len({m.extra_headers["Message-ID"] for m in sent}) == len(sent)  # no email sent twice
    assert len(entry.confirm_emailed_at) == entry.confirm_emails <= 3
    assert not lottery.pending_notices().exists()


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_under_way_at_the_close_is_in_the_frozen_list_and_the_ballot_draws():
    """A confirmation made as applications close, still writing when the entries freeze,
    is in the list the freeze publishes: the freeze waits for it. Before, the list missed
    it, and the draw then refused the entries as not the ones frozen, for good."""
    import threading

    from django.db import transaction

    from tests.sales.test_confirmations import waiting_on_a_lock

    ballot, early, late = early_and_late()
    after_close = ballot.closes_at + timedelta(seconds=1)
    holding, release, answers = threading.Event(), threading.Event(), {}

    def holder():  # whatever keeps the confirmation's write waiting a moment (the entry's row)
        with transaction.atomic():
            list(BallotEntry.objects.select_for_update().filter(pk=late.pk))
            holding.set()
            release.wait(10)
        return "released"

    threads = [on_its_own(answers, "holder", holder)]
    threads[0].start()
    assert holding.wait(10)
    threads.append(on_its_own(answers, "confirm", lambda: lottery.ballot_confirm(token=late.confirm_token)))
    threads[1].start()
    assert waiting_on_a_lock(1), "the confirmation did not reach the entry's row"
    threads.append(on_its_own(answers, "freeze", lambda: lottery.ballot_freeze(ballot=ballot, now=after_close)))
    threads[2].start()
    waiting_on_a_lock(2, seconds=2)  # the freeze waits for the confirmation (before: it went on)
    release.set()
    for thread in threads:
        thread.join(20)
    assert isinstance(answers["confirm"], BallotEntry), answers
    draw = Draw.objects.get(ballot=ballot)
    assert draw.entry_count == 2, answers
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot, now=timezone.now())
    assert sorted(BallotEntry.objects.filter(ballot=ballot).values_list("rank", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_waiting_behind_the_freeze_is_refused_as_too_late_and_the_ballot_draws():
    """The other way round: the freeze holds the ballot's row (slowed here on the draw's
    row) when a confirmation comes. The confirmation waits, then finds the entries frozen
    and is refused as too late; the frozen list and the draw agree."""
    import threading

    from django.db import transaction

    from sales import draws
    from sales.errors import IllegalTransition
    from tests.sales.test_confirmations import waiting_on_a_lock

    ballot, early, late = early_and_late()
    draw = draws.draw_commit(ballot=ballot)
    holding, release, answers = threading.Event(), threading.Event(), {}

    def holder():  # the draw's row: the freeze waits on it, holding the ballot's
        with transaction.atomic():
            list(Draw.objects.select_for_update().filter(pk=draw.pk))
            holding.set()
            release.wait(10)

    threads = [on_its_own(answers, "holder", holder)]
    threads[0].start()
    assert holding.wait(10)
    threads.append(on_its_own(answers, "freeze", lambda: lottery.ballot_freeze(ballot=ballot,
                                                                      now=ballot.closes_at + timedelta(seconds=1))))
    threads[1].start()
    assert waiting_on_a_lock(1), "the freeze did not reach the draw's row"
    threads.append(on_its_own(answers, "confirm", lambda: lottery.ballot_confirm(token=late.confirm_token)))
    threads[2].start()
    assert waiting_on_a_lock(2), "the confirmation did not wait for the freeze"
    release.set()
    for thread in threads:
        thread.join(20)
    assert isinstance(answers["confirm"], IllegalTransition), answers
    assert BallotEntry.objects.get(pk=late.pk).status == "unconfirmed"
    draw.refresh_from_db()
    assert draw.entry_count == 1
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot, now=timezone.now())
    assert BallotEntry.objects.get(pk=early.pk).rank == 1


def early_and_late():
    """An open ballot with one application confirmed and one still to confirm."""
    ballot = open_ballot()
    early = lottery.ballot_apply(ballot=ballot, name="Early", email="early@example.org", quantity=1)
    lottery.ballot_confirm(token=early.confirm_token)
    return ballot, early, lottery.ballot_apply(ballot=ballot, name="Late", email="late@example.org", quantity=1)


def on_its_own(answers: dict, name: str, fn):
    """A thread that runs `fn` with its own connection, its answer (or what it raised) in
    `answers[name]`."""
    import threading

    from django.db import connection

    def run():
        try:
            answers[name] = fn()
        except Exception as exc:  # noqa: BLE001 - the answer the test looks at
            answers[name] = exc
        finally:
            connection.close()
    return threading.Thread(target=run)
