import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from sales import draws, lottery
from sales.errors import IllegalTransition, InvalidRequest
from sales.formatting import when
from sales.models import Ballot, BallotEntry, Place
from tests.support import apply_confirmed, card_token, make_performance

pytestmark = pytest.mark.django_db


def ballot_with(perf, applicants: int, closed=True):
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                   opens_at=now - timedelta(days=2), closes_at=now + timedelta(hours=1))
    for i in range(applicants):
        apply_confirmed(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=1 + i % 4)
    if closed:
        Ballot.objects.filter(pk=ballot.pk).update(closes_at=now - timedelta(minutes=1))
        ballot.refresh_from_db()
    return ballot


def test_applications_are_checked(performance):
    ballot = ballot_with(performance, 1, closed=False)
    with pytest.raises(InvalidRequest, match="already applied"):
        apply_confirmed(ballot=ballot, name="Again", email="FAN0@example.org", quantity=1)
    with pytest.raises(InvalidRequest, match="1 to 4 tickets"):
        apply_confirmed(ballot=ballot, name="Greedy", email="g@example.org", quantity=5)
    with pytest.raises(InvalidRequest, match="closed"):
        apply_confirmed(ballot=ballot, name="Late", email="l@example.org", quantity=1,
                             now=ballot.closes_at + timedelta(seconds=1))


def test_the_draw_is_the_published_one_and_never_gives_a_seat_twice():
    perf = make_performance(rows=4, per_row=10)  # 40 seats, far fewer than asked for
    ballot = ballot_with(perf, 60)
    with pytest.raises(IllegalTransition, match="still open"):
        lottery.ballot_draw(ballot=ballot, now=ballot.closes_at - timedelta(minutes=5))
    result = lottery.ballot_draw(ballot=ballot)
    ballot.refresh_from_db()
    assert result["seed"] == ballot.draw.seed
    ranked = list(ballot.entries.order_by("rank").values_list("reference", flat=True))
    checked = draws.verify(draws.published(ballot.draw), draws.published_listing(ballot.draw))
    assert checked.ok and list(checked.order) == [draws.hashed_reference(r) for r in ranked]
    assert ranked != list(ballot.entries.order_by("pk").values_list("reference", flat=True))
    held = list(Place.objects.filter(performance=perf, state="held").values_list("pk", flat=True))
    assert len(held) == len(set(held)) <= 40
    winners = ballot.entries.filter(status="won")
    assert sum(w.quantity for w in winners) == len(held) and result["won"] == winners.count()
    for w in winners:  # each winner's seats are their own hold's, in the numbers they asked for
        assert Place.objects.filter(hold=w.hold).count() == w.quantity
    assert ballot.entries.filter(status="lost").count() == 60 - winners.count()
    lottery.send_pending_notices()  # as the task the draw's commit asks for
    assert len(mail.outbox) == 60  # everyone is told
    with pytest.raises(IllegalTransition, match="already been drawn"):
        lottery.ballot_draw(ballot=ballot)


def test_an_unpaid_win_goes_to_the_next_in_the_draw():
    perf = make_performance(rows=1, per_row=4)
    ballot = ballot_with(perf, 6)
    lottery.ballot_draw(ballot=ballot)
    first_winners = set(ballot.entries.filter(status="won").values_list("pk", flat=True))
    later = timezone.now() + timedelta(hours=49)
    assert lottery.ballot_reallocate(ballot=ballot, now=later) == len(first_winners)
    assert set(ballot.entries.filter(status="lapsed").values_list("pk", flat=True)) == first_winners
    assert ballot.entries.filter(status="won").exists()
    new = ballot.entries.filter(status="won").order_by("rank").first()
    assert new.pk not in first_winners


def test_a_winner_who_does_not_pay_in_time_is_told_the_seats_went_to_the_next():
    perf = make_performance(rows=1, per_row=4)
    ballot = ballot_with(perf, 0, closed=False)
    for name in ("Élise", "Noémie"):
        apply_confirmed(ballot=ballot, name=name, email=f"{name[-3:]}@example.org", quantity=4, language="fr")
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot)
    first = ballot.entries.get(status="won")
    deadline = first.hold.expires_at
    with translation.override("en"):  # the worker's language
        assert lottery.ballot_reallocate(ballot=ballot, now=deadline + timedelta(minutes=1)) == 1
        lottery.send_pending_notices()
    told = {m.to[0]: m for m in mail.outbox}
    lapsed = told[first.email]
    assert lapsed.subject == f"Vos billets du tirage au sort pour {perf.event.title} ont été libérés"
    assert lapsed.body.startswith(f"Bonjour {first.name},") and "Rien n’a été débité" in lapsed.body
    with translation.override("fr"):
        assert when(perf.local(deadline), "l j F Y, H:i") in lapsed.body  # on the venue's clock, in French
    second = ballot.entries.exclude(pk=first.pk).get()
    assert second.status == "won" and told[second.email].subject.startswith("Vous avez été tiré au sort")


def test_a_winner_pays_through_the_link():
    perf = make_performance(rows=2, per_row=5)
    ballot = ballot_with(perf, 3)
    lottery.ballot_draw(ballot=ballot)
    lottery.send_pending_notices()
    winner = ballot.entries.filter(status="won").first()
    client = Client()
    page = client.get(f"/lottery/pay/{winner.pay_token}/")
    assert "You were drawn" in page.content.decode()
    # What is paid for: the performance, each seat held, the total on the button.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    seats = [str(p) for p in Place.objects.filter(hold=winner.hold)]
    assert perf.venue.name in text and all(seat in text for seat in seats)
    total = f"${50 * winner.quantity:.2f}"
    assert f"Total {total}" in text and f"Pay {total}" in text
    drawn_mail = next(m for m in mail.outbox if m.to == [winner.email])
    assert drawn_mail.subject == f"You were drawn in the ballot for {perf.event.title}"
    assert perf.venue.name in drawn_mail.body and not re.search(r"\d{4}-\d\d-\d\d", drawn_mail.body)
    assert all(seat in drawn_mail.body for seat in seats) and f"{total} to pay" in drawn_mail.body
    number = client.post(f"/lottery/pay/{winner.pay_token}/", {"card_number": "4242424242424242"})
    assert number.status_code == 400 and "Enter your card in the card field" in number.content.decode()
    assert not winner.hold.orders.exists()  # a card number is not a way to pay
    response = client.post(f"/lottery/pay/{winner.pay_token}/", {"card_token": card_token()})
    assert response.status_code == 302 and "/orders/" in response["Location"]
    winner.refresh_from_db()
    assert winner.status == BallotEntry.Status.PAID and winner.order.tickets.count() == winner.quantity
    assert client.get("/lottery/pay/not-a-token/").status_code == 404


def test_a_french_winner_is_told_what_to_pay_as_french_writes_it():
    """The draw is made by a worker speaking the site's language; the winner's email, and
    the amount in it, speak the applicant's."""
    perf = make_performance(rows=1, per_row=4)
    ballot = ballot_with(perf, 0, closed=False)
    apply_confirmed(ballot=ballot, name="Élise", email="elise@example.org", quantity=2, language="fr")
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    ballot.refresh_from_db()
    with translation.override("en"):
        lottery.ballot_draw(ballot=ballot)
        lottery.send_pending_notices()
    body = mail.outbox[0].body
    assert body.startswith("Bonjour Élise,")
    assert "100,00\u00a0$ à payer" in body and "$100" not in body


def test_an_applicant_is_emailed_their_entry_at_once():
    """Their reference and what they applied for, in their language: an applicant who
    mistyped their address finds out now, not after a draw whose email never comes."""
    perf = make_performance(rows=1, per_row=4)
    ballot = ballot_with(perf, 0, closed=False)
    with translation.override("en"):
        entry = apply_confirmed(ballot=ballot, name="Élise", email="elise@example.org", quantity=2, language="fr")
        lottery.send_pending_notices()  # the task the application's commit asks for
    [sent] = mail.outbox
    assert sent.extra_headers["Content-Language"] == "fr"
    assert sent.to == ["elise@example.org"]
    assert sent.subject == f"Votre inscription au tirage au sort pour {perf.event.title}"
    assert sent.body.startswith("Bonjour Élise,") and "billets demandés\u00a0: 2" in sent.body
    assert draws.format_reference(entry.reference) in sent.body and f"/lottery/{ballot.pk}/draw/" in sent.body
    with translation.override("fr"):
        assert when(perf.local(ballot.closes_at), "l j F Y, H:i") in sent.body


def test_apply_page(performance):
    ballot = ballot_with(performance, 0, closed=False)
    client = Client()
    ok = client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "2"})
    assert ok.status_code == 302
    bad = client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "x"})
    assert bad.status_code == 400 and "1 to 4 tickets" in bad.content.decode()
    # A name longer than the records keep, or holding a control character: said on the form.
    for name, said in (("N" * 300, "the name is too long (at most 200 characters)"),
                       ("Ana\x07", "the name holds a character that cannot be printed"),
                       ("Ana\u202etnuoc", "the name holds a character that cannot be printed"),  # reads "Anacount"
                       ("Ana\u200b", "the name holds a character that cannot be printed"),
                       ("Ana\u200f", "the name holds a character that cannot be printed")):
        long = client.post(f"/lottery/{ballot.pk}/", {"name": name, "email": "bo@example.org", "quantity": "1"})
        assert long.status_code == 400 and said in long.content.decode().replace("&#x27;", "'").lower(), said
        assert 'name="email"' in long.content.decode() and "bo@example.org" in long.content.decode()


def test_the_apply_page_offers_its_form_only_while_applications_are_taken(performance):
    """Before the window or after it, the page says so instead of a form that could only
    be refused ("applications are closed", even before they opened)."""
    ballot = ballot_with(performance, 1, closed=False)
    client = Client()
    assert 'name="email"' in client.get(f"/lottery/{ballot.pk}/").content.decode()
    now = timezone.now()
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    soon = client.get(f"/lottery/{ballot.pk}/").content.decode()
    assert 'name="email"' not in soon and "Applications open " in soon and "apply now" not in soon
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=now - timedelta(days=2), closes_at=now - timedelta(minutes=1))
    closed = client.get(f"/lottery/{ballot.pk}/").content.decode()
    assert 'name="email"' not in closed and "apply now" not in closed and "applications close" not in closed
    assert "Applications are closed: every applicant is emailed after the draw." in closed
    lottery.ballot_draw(ballot=Ballot.objects.get(pk=ballot.pk))
    drawn = client.get(f"/lottery/{ballot.pk}/").content.decode()
    assert 'name="email"' not in drawn and f'href="/lottery/{ballot.pk}/draw/"' in drawn


def test_a_declined_card_can_be_tried_again_and_a_resent_form_pays_once():
    perf = make_performance(rows=2, per_row=5)
    ballot = ballot_with(perf, 3)
    lottery.ballot_draw(ballot=ballot)
    winner = ballot.entries.filter(status="won").first()
    url = f"/lottery/pay/{winner.pay_token}/"
    client = Client()
    declined_card, good_card = card_token("4000000000000341"), card_token()
    for _ in range(2):  # the same declined attempt, sent twice
        declined = client.post(url, {"card_token": declined_card, "nonce": "first"})
        assert declined.status_code == 402
        assert "Payment declined: your card was declined. Your seats are still held." in declined.content.decode()
    assert winner.hold.orders.filter(status="failed").count() == 1
    for _ in range(2):  # a new attempt with a good card, sent twice: one payment
        paid = client.post(url, {"card_token": good_card, "nonce": "second"})
        assert paid.status_code == 302 and "/orders/" in paid["Location"]
    assert winner.hold.orders.filter(status="paid").count() == 1
    winner.refresh_from_db()
    assert winner.status == BallotEntry.Status.PAID and winner.order.payments.count() == 1


def test_ballot_settings_that_cannot_work_are_refused_in_the_admin(client, organizer):
    """A zone of another performance, a window that closes before it opens or after the
    show, applications for no ticket, a payment time past any calendar: each is said on
    its field, and nothing is saved."""
    from tests.sales.test_pricing_admin import form_of, page_of

    perf = make_performance(rows=1, per_row=4)
    other = make_performance(rows=1, per_row=4)
    client.force_login(organizer)
    data = form_of(client.get("/admin/sales/ballot/add/"))
    local = timezone.localtime(timezone.now())
    data.update(performance=[str(perf.pk)], zone=[str(other.price_zones.get().pk)],
                opens_at_0=[f"{local:%Y-%m-%d}"], opens_at_1=["12:00:00"],
                closes_at_0=[f"{local - timedelta(days=1):%Y-%m-%d}"], closes_at_1=["12:00:00"],
                max_per_application=["0"], payment_hours=["999999999"])
    page = page_of(client.post("/admin/sales/ballot/add/", data))
    for said in ("This zone is another performance's", "The ballot closes before it opens",
                 "Ensure this value is greater than or equal to 1", "Ensure this value is less than or equal to 720"):
        assert said in page, said
    data.update(zone=[str(perf.price_zones.get().pk)], closes_at_0=[f"{perf.starts_at + timedelta(days=1):%Y-%m-%d}"],
                max_per_application=["2"], payment_hours=["48"])
    assert "The ballot closes after the performance starts" in page_of(client.post("/admin/sales/ballot/add/", data))
    assert not Ballot.objects.exists()


def test_a_draw_cut_short_is_finished_by_the_next_run_and_one_ballot_failing_stops_no_other(monkeypatch):
    """Seats are allocated after the draw is committed: a run cut short there leaves
    applications neither won nor lost, and the next run finishes them. A ballot whose
    draw fails is logged and tried again; the others are drawn meanwhile."""
    from sales import tasks

    perf = make_performance(rows=2, per_row=5)
    cut, broken, fine = (ballot_with(perf, 3) for _ in range(3))
    original = lottery._allocate

    def cut_short(ballot, now):
        raise RuntimeError("the worker was stopped")

    monkeypatch.setattr(lottery, "_allocate", cut_short)
    with pytest.raises(RuntimeError):
        lottery.ballot_draw(ballot=cut)
    monkeypatch.setattr(lottery, "_allocate", original)
    assert set(cut.entries.values_list("status", flat=True)) == {"applied"}

    real_draw = lottery.ballot_draw

    def draw(*, ballot, now=None):
        if ballot.pk == broken.pk:
            raise OverflowError("date value out of range")
        return real_draw(ballot=ballot, now=now)

    monkeypatch.setattr(lottery, "ballot_draw", draw)
    for _ in range(2):  # the first run freezes the entries, the next draws
        tasks.run_ballots()
    assert set(cut.entries.values_list("status", flat=True)) <= {"won", "lost"}
    assert "won" in set(cut.entries.values_list("status", flat=True))
    assert set(fine.entries.values_list("status", flat=True)) <= {"won", "lost"}
    assert set(broken.entries.values_list("status", flat=True)) == {"applied"}
    monkeypatch.setattr(lottery, "ballot_draw", real_draw)
    tasks.run_ballots()
    assert set(broken.entries.values_list("status", flat=True)) <= {"won", "lost"}


def test_one_mailbox_applies_once_and_one_address_a_few_times_a_minute(performance):
    ballot = ballot_with(performance, 0, closed=False)
    apply_confirmed(ballot=ballot, name="Ana", email="ana@example.org", quantity=2)
    with pytest.raises(InvalidRequest, match="already applied"):
        apply_confirmed(ballot=ballot, name="Ana again", email="Ana+second@Example.org", quantity=2)
    from tests.test_security import in_one_clock_minute

    in_one_clock_minute()
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [client.post(f"/lottery/{ballot.pk}/", {"name": f"Bot {i}", "email": f"bot{i}@example.org",
                                                      "quantity": "2"}) for i in range(32)]
    assert [a.status_code for a in answers[:30]] == [302] * 30
    assert answers[30].status_code == 429 and "Too many applications from your network" in answers[30].content.decode()
    assert ballot.entries.count() == 31


def test_no_winner_is_drawn_when_the_show_is_too_close_to_pay_for():
    """A ballot drawn, or a lapsed win passed on, within half an hour of the show: nobody
    is emailed a deadline already past or a few minutes away."""
    perf = make_performance(rows=1, per_row=4)
    ballot = ballot_with(perf, 3)
    mail.outbox.clear()
    lottery.ballot_draw(ballot=ballot, now=perf.starts_at - timedelta(minutes=10))
    assert set(ballot.entries.values_list("status", flat=True)) == {"lost"}
    assert not Place.objects.filter(performance=perf, state="held").exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_runs_allocating_one_ballot_at_once_give_each_entry_one_hold():
    from tests.support import race

    perf = make_performance(rows=2, per_row=5)
    ballot = ballot_with(perf, 6)
    draw = lottery.ballot_draw

    original = lottery._allocate
    lottery._allocate = lambda ballot, now: []  # the draw committed, its allocation cut short
    try:
        draw(ballot=ballot)
    finally:
        lottery._allocate = original
    race(2, lambda i: lottery.ballot_allocate(ballot=ballot))
    from sales.models import Hold

    for entry in ballot.entries.filter(status="won"):
        assert Hold.objects.filter(owner_key=f"ballot:{entry.pk}").count() == 1
    held = Place.objects.filter(performance=perf, state="held")
    assert held.count() == sum(e.quantity for e in ballot.entries.filter(status="won"))


def test_gmail_dots_and_googlemail_are_one_mailbox_at_every_door_of_the_ballot(performance):
    """At Gmail (gmail.com, googlemail.com: one domain), j.doe@ and jdoe@ are one mailbox,
    as the per-customer limit of an on-sale counts them: one application. Elsewhere a dot
    makes another address."""
    from sales.models import mailbox

    ballot = ballot_with(performance, 0, closed=False)
    first = apply_confirmed(ballot=ballot, name="Jo Doe", email="jdoe@gmail.com", quantity=2)
    for variant in ("j.doe@gmail.com", "J.Doe+ballot@GoogleMail.com", "jd.o.e@googlemail.com"):
        assert mailbox(variant) == mailbox(first.email)
        with pytest.raises(InvalidRequest, match="already applied") as refused:
            apply_confirmed(ballot=ballot, name="Jo again", email=variant, quantity=2)
        assert refused.value.detail == {"field": "email"}
    client = Client(REMOTE_ADDR="203.0.113.10")
    page = client.post(f"/lottery/{ballot.pk}/", {"name": "Jo D.", "email": "j.d.o.e@googlemail.com",
                                                  "quantity": "2"})
    assert page.status_code == 400
    assert "This email address has already applied" in page.content.decode()
    assert list(ballot.entries.values_list("email", flat=True)) == ["jdoe@gmail.com"]
    # Elsewhere, dots are part of the name: two people.
    assert client.post(f"/lottery/{ballot.pk}/", {"name": "Jo Doe", "email": "jdoe@example.org",
                                                  "quantity": "1"}).status_code == 302
    assert client.post(f"/lottery/{ballot.pk}/", {"name": "J. O. Doe", "email": "j.doe@example.org",
                                                  "quantity": "1"}).status_code == 302
    assert ballot.entries.count() == 3


def test_applications_of_one_mailbox_made_before_it_was_kept_leave_its_first_in_the_draw(performance):
    """Entries made before each kept its mailbox (none kept): the migration gives each its
    own, and of a mailbox's several applications to a ballot keeps the first. In a ballot
    whose entry list is published, none is taken out: the draw still runs on that list."""
    import importlib

    from django.apps import apps

    open_ballot, frozen_ballot = ballot_with(performance, 0, closed=False), ballot_with(performance, 0)

    def applied(ballot, email):
        return BallotEntry.objects.create(ballot=ballot, name="Jo", email=email, quantity=1, mailbox=None)

    first, *_later, other = [applied(open_ballot, e) for e in (
        "jdoe@gmail.com", "j.doe@gmail.com", "j.d.o.e+two@googlemail.com", "j.doe@example.org")]
    kept, *_seconds = [applied(frozen_ballot, e) for e in ("j.doe@googlemail.com", "jdoe@gmail.com")]
    lottery.ballot_freeze(ballot=frozen_ballot)
    importlib.import_module("sales.migrations.0047_ballot_entry_mailbox").keep_one_per_mailbox(apps, None)
    assert dict(open_ballot.entries.values_list("pk", "mailbox")) == {
        first.pk: "jdoe@gmail.com", other.pk: "j.doe@example.org"}
    assert list(frozen_ballot.entries.order_by("pk").values_list("mailbox", flat=True)) == ["jdoe@gmail.com", None]
    assert lottery.ballot_draw(ballot=frozen_ballot)["won"] == 2
    with pytest.raises(InvalidRequest, match="already applied"):
        apply_confirmed(ballot=open_ballot, name="Jo", email="J.Doe@gmail.com", quantity=1)


def test_a_mailbox_written_with_quotes_or_a_domain_in_full_width_letters_applies_once(performance):
    """"jdoe"@gmail.com and jdoe@ｇｍａｉｌ.com are sent to jdoe@gmail.com (the mail goes to the
    name without the quotes it does not need, and to the domain as the DNS reads it): one
    mailbox, so one application. An international domain is one whether written in its own
    letters or in its ASCII form."""
    ballot = ballot_with(performance, 0, closed=False)
    client = Client(REMOTE_ADDR="203.0.113.11")
    assert client.post(f"/lottery/{ballot.pk}/", {"name": "Jo", "email": "jdoe@gmail.com",
                                                  "quantity": "2"}).status_code == 302
    lottery.ballot_confirm(token=ballot.entries.get().confirm_token)  # the link emailed followed
    for variant in ('"jdoe"@gmail.com', "jdoe@ｇｍａｉｌ.com", '"j.doe"@ＧＭＡＩＬ.com', "JDoe@gmail．com"):
        page = client.post(f"/lottery/{ballot.pk}/", {"name": "Jo again", "email": variant, "quantity": "2"})
        assert page.status_code == 400, variant
        assert "This email address has already applied" in page.content.decode()
    apply_confirmed(ballot=ballot, name="Bea", email="bea@Bücher.de", quantity=1)
    with pytest.raises(InvalidRequest, match="already applied"):
        apply_confirmed(ballot=ballot, name="Bea", email="bea@xn--bcher-kva.de", quantity=1)
    assert sorted(ballot.entries.values_list("email", flat=True)) == ["bea@bücher.de", "jdoe@gmail.com"]


def test_a_cancelled_performance_takes_no_more_ballot_applications(performance, organizer):
    """Once its performance is cancelled a ballot takes no application: nobody is given an
    entry reference and told to wait for a draw that can give no seat."""
    from sales.orders.cancellation import performance_cancel

    ballot = ballot_with(performance, 1, closed=False)
    performance_cancel(performance=performance, actor=organizer)
    with pytest.raises(InvalidRequest, match="cancelled"):
        apply_confirmed(ballot=Ballot.objects.get(pk=ballot.pk), name="Late fan", email="late@example.org",
                             quantity=1)
    page = Client(REMOTE_ADDR="203.0.113.12").post(f"/lottery/{ballot.pk}/", {
        "name": "Late fan", "email": "late@example.org", "quantity": "1"})
    assert page.status_code == 400
    assert f"{performance.event} — " in page.content.decode() and " is cancelled" in page.content.decode()
    assert ballot.entries.count() == 1


def test_the_apply_page_names_the_venues_clock_for_its_opening_and_close(performance):
    """"applications close Sunday 6 December 2026 at 11:31" is the venue's clock: a fan on another one
    (Paris, for a show in Toronto) read it as theirs. The page names the clock, in English
    and in French, for the close and for an opening still to come."""
    assert performance.venue.time_zone == "America/Toronto"
    ballot = ballot_with(performance, 0, closed=False)
    client = Client()

    def text(language):
        page = client.get(f"/lottery/{ballot.pk}/", headers={"Accept-Language": language}).content.decode()
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    # As a sentence writes a day and its time: « à 11 h 31 », « à 11 h » on the hour.
    assert re.search(r"applications close \w+ \d+ \w+ \d{4} at \d\d:\d\d, Toronto time", text("en"))
    assert re.search(r"inscriptions jusqu’au \w+ \d+ \w+ \d{4} à \d\d?\sh(\s\d\d)?, heure de Toronto", text("fr"))
    now = timezone.now()
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    assert re.search(r"Applications open \w+ \d+ \w+ \d{4} at \d\d:\d\d, Toronto time\.", text("en"))
    assert re.search(r"Les inscriptions ouvrent le \w+ \d+ \w+ \d{4} à \d\d?\sh(\s\d\d)?, heure de Toronto\.",
                     text("fr"))


def test_the_shops_list_and_the_confirmation_page_name_the_venues_clock_for_the_close(performance):
    """The front page's ballot and the page of the link an applicant follows give the close
    on the venue's clock: they name it, as the ballot's own page does."""
    from tests.shop.test_ballot_confirmation import emailed_link

    ballot = ballot_with(performance, 0, closed=False)
    links = {}
    for language, email in (("en", "ana@example.org"), ("fr", "elise@example.org")):
        with translation.override(language):  # the link's page speaks its applicant's language
            lottery.ballot_apply(ballot=ballot, name="Fan", email=email, quantity=2)
        links[language] = emailed_link(email)
    for language, clock in (("en", "Toronto time"), ("fr", "heure de Toronto")):
        for url in ("/", links[language]):
            page = Client().get(url, headers={"Accept-Language": language}).content.decode()
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
            assert clock in text, (language, url)
