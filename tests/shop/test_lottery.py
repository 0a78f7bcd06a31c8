from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from sales import draws, lottery
from sales.errors import IllegalTransition, InvalidRequest
from sales.models import Ballot, BallotEntry, Place
from tests.support import card_token, make_performance

pytestmark = pytest.mark.django_db


def ballot_with(perf, applicants: int, closed=True):
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                   opens_at=now - timedelta(days=2), closes_at=now + timedelta(hours=1))
    for i in range(applicants):
        lottery.ballot_apply(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=1 + i % 4)
    if closed:
        Ballot.objects.filter(pk=ballot.pk).update(closes_at=now - timedelta(minutes=1))
        ballot.refresh_from_db()
    return ballot


def test_applications_are_checked(performance):
    ballot = ballot_with(performance, 1, closed=False)
    with pytest.raises(InvalidRequest, match="already applied"):
        lottery.ballot_apply(ballot=ballot, name="Again", email="FAN0@example.org", quantity=1)
    with pytest.raises(InvalidRequest, match="1 to 4 tickets"):
        lottery.ballot_apply(ballot=ballot, name="Greedy", email="g@example.org", quantity=5)
    with pytest.raises(InvalidRequest, match="closed"):
        lottery.ballot_apply(ballot=ballot, name="Late", email="l@example.org", quantity=1,
                             now=ballot.closes_at + timedelta(seconds=1))


def test_the_draw_is_the_published_one_and_never_gives_a_seat_twice(django_capture_on_commit_callbacks):
    perf = make_performance(rows=4, per_row=10)  # 40 seats, far fewer than asked for
    ballot = ballot_with(perf, 60)
    with pytest.raises(IllegalTransition, match="still open"):
        lottery.ballot_draw(ballot=ballot, now=ballot.closes_at - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
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


def test_a_winner_pays_through_the_link():
    perf = make_performance(rows=2, per_row=5)
    ballot = ballot_with(perf, 3)
    lottery.ballot_draw(ballot=ballot)
    winner = ballot.entries.filter(status="won").first()
    client = Client()
    page = client.get(f"/lottery/pay/{winner.pay_token}/")
    assert "You were drawn" in page.content.decode()
    number = client.post(f"/lottery/pay/{winner.pay_token}/", {"card_number": "4242424242424242"})
    assert number.status_code == 400 and "Enter your card in the card field" in number.content.decode()
    assert not winner.hold.orders.exists()  # a card number is not a way to pay
    response = client.post(f"/lottery/pay/{winner.pay_token}/", {"card_token": card_token()})
    assert response.status_code == 302 and "/orders/" in response["Location"]
    winner.refresh_from_db()
    assert winner.status == BallotEntry.Status.PAID and winner.order.tickets.count() == winner.quantity
    assert client.get("/lottery/pay/not-a-token/").status_code == 404


def test_apply_page(performance):
    ballot = ballot_with(performance, 0, closed=False)
    client = Client()
    ok = client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "2"})
    assert ok.status_code == 302
    bad = client.post(f"/lottery/{ballot.pk}/", {"name": "Ana", "email": "ana@example.org", "quantity": "x"})
    assert bad.status_code == 400 and "1 to 4 tickets" in bad.content.decode()


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
        assert "Payment declined: Your card was declined. Your seats are still held." in declined.content.decode()
    assert winner.hold.orders.filter(status="failed").count() == 1
    for _ in range(2):  # a new attempt with a good card, sent twice: one payment
        paid = client.post(url, {"card_token": good_card, "nonce": "second"})
        assert paid.status_code == 302 and "/orders/" in paid["Location"]
    assert winner.hold.orders.filter(status="paid").count() == 1
    winner.refresh_from_db()
    assert winner.status == BallotEntry.Status.PAID and winner.order.payments.count() == 1
