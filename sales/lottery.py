"""Lottery (ballot) sales, for demand far above supply.

Customers apply during a window for up to N tickets in a zone. At the close a seeded
random draw orders the applications; seats are allocated in that order through the
inventory's own best-available hold, which lasts until the payment deadline. Winners get
a payment link; unpaid allocations lapse (by timestamp, like every hold) and their seats
go to the next applicants in the draw order. The seed and each entry's rank are stored,
so anyone can re-run the draw and check it.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Channel

from . import inventory
from .errors import IllegalTransition, InvalidRequest, PlacesUnavailable
from .models import Ballot, BallotEntry, Hold, Order
from .notifications import site_link
from .orders import CustomerDetails, order_place
from .payments import PaymentRequest


def ballot_apply(*, ballot: Ballot, name: str, email: str, quantity: int, now: datetime | None = None) -> BallotEntry:
    now = now or timezone.now()
    if not ballot.opens_at <= now < ballot.closes_at or ballot.drawn_at:
        raise InvalidRequest("applications for this ballot are closed")
    name, email = name.strip(), email.strip().lower()
    if not name:
        raise InvalidRequest("enter your name", field="name")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidRequest("enter a valid email address", field="email") from None
    if not isinstance(quantity, int) or not 1 <= quantity <= ballot.max_per_application:
        raise InvalidRequest(f"apply for 1 to {ballot.max_per_application} tickets", field="quantity")
    try:
        with transaction.atomic():
            return BallotEntry.objects.create(ballot=ballot, name=name, email=email, quantity=quantity)
    except IntegrityError:
        raise InvalidRequest("this email address has already applied", field="email") from None


def draw_order(entry_ids: list[int], seed: int) -> list[int]:
    """The draw itself: entries by id, shuffled by a generator seeded with `seed`."""
    order = sorted(entry_ids)
    random.Random(seed).shuffle(order)
    return order


def ballot_draw(*, ballot: Ballot, seed: int | None = None, now: datetime | None = None) -> dict:
    """Draw once: rank every application, allocate seats in rank order while they last."""
    now = now or timezone.now()
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.drawn_at is not None:
            raise IllegalTransition("this ballot has already been drawn")
        if now < ballot.closes_at:
            raise IllegalTransition("applications are still open")
        seed = secrets.randbelow(2**63) if seed is None else seed
        ids = list(ballot.entries.values_list("pk", flat=True))
        for rank, pk in enumerate(draw_order(ids, seed), start=1):
            BallotEntry.objects.filter(pk=pk).update(rank=rank)
        ballot.seed, ballot.drawn_at = str(seed), now
        ballot.save(update_fields=["seed", "drawn_at"])
    won = _allocate(ballot, now)
    lost = list(ballot.entries.filter(status=BallotEntry.Status.APPLIED))
    BallotEntry.objects.filter(pk__in=[e.pk for e in lost]).update(status=BallotEntry.Status.LOST)
    for entry in lost:
        _tell(entry, "Your ballot application was not drawn",
              "Sorry: your application was not drawn this time. If a winner does not pay, the seats go "
              "to the next applicants in the draw and we will write to you.")
    return {"seed": seed, "won": len(won), "lost": len(lost)}


def _allocate(ballot: Ballot, now: datetime) -> list[BallotEntry]:
    """Give seats to applicants in draw order, each through one best-available hold."""
    won = []
    waiting = ballot.entries.filter(status__in=(BallotEntry.Status.APPLIED, BallotEntry.Status.LOST)).order_by("rank")
    for entry in waiting:
        try:
            with transaction.atomic():
                hold = Hold.objects.create(performance=ballot.performance, channel=Channel.ONLINE,
                                           owner_key=f"ballot:{entry.pk}",
                                           expires_at=now + timedelta(hours=ballot.payment_hours))
                inventory.hold_best(hold=hold, zone=ballot.zone, quantity=entry.quantity, now=now)
                BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.WON, hold=hold)
        except PlacesUnavailable:
            continue  # not enough left for this application; a smaller one further down may fit
        entry.refresh_from_db()
        won.append(entry)
        _tell(entry, "You were drawn in the ballot",
              f"Your {entry.quantity} tickets are held for you until "
              f"{timezone.localtime(entry.hold.expires_at):%Y-%m-%d %H:%M}. Pay here: "
              f"{site_link(f'/lottery/pay/{entry.pay_token}/')}")
    return won


def ballot_reallocate(*, ballot: Ballot, now: datetime | None = None) -> int:
    """Winners who did not pay in time lapse; their seats go to the next in the draw."""
    now = now or timezone.now()
    won = BallotEntry.objects.filter(ballot=ballot, status=BallotEntry.Status.WON)
    for entry in won.filter(hold__status=Hold.Status.SOLD):
        ballot_paid(entry)  # paid after their bank's question: not lapsed
    lapsed = BallotEntry.objects.filter(ballot=ballot, status=BallotEntry.Status.WON, hold__expires_at__lte=now)
    count = lapsed.update(status=BallotEntry.Status.LAPSED)
    if count:
        _allocate(ballot, now)
    return count


def ballot_paid(entry: BallotEntry) -> BallotEntry:
    """A winner's allocation marked paid once its order is (paid after the bank's question,
    the order finished by the provider's webhook or the reconciliation)."""
    if entry.status == BallotEntry.Status.WON and entry.hold_id:
        paid = Order.objects.filter(hold_id=entry.hold_id, status=Order.Status.PAID).first()
        if paid is not None:
            BallotEntry.objects.filter(pk=entry.pk, status=BallotEntry.Status.WON).update(
                status=BallotEntry.Status.PAID, order=paid)
            entry.refresh_from_db()
    return entry


def ballot_pay(*, entry: BallotEntry, card_token: str, attempt: str = "") -> Order:
    """Pay a won allocation by card (the provider's token for the card the winner typed into
    its field). `attempt` names one submission of the payment form: sent twice, it pays
    once; a new attempt after a declined card is a new payment."""
    entry = ballot_paid(entry)
    if entry.status == BallotEntry.Status.PAID and entry.order_id:
        return entry.order  # the form sent again after it paid: the same order, not an error
    if entry.status != BallotEntry.Status.WON:
        raise IllegalTransition(f"this allocation is {entry.get_status_display().lower()}")
    if entry.hold.expires_at <= timezone.now():
        raise IllegalTransition("the payment deadline has passed; the seats went to the next in the draw")
    order = order_place(hold=entry.hold, customer=CustomerDetails(name=entry.name, email=entry.email),
                        payment=PaymentRequest(method="card", token=card_token),
                        idempotency_key=f"ballot:{entry.pk}:{attempt[:40]}")
    if order.status == Order.Status.PAID:
        BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.PAID, order=order)
    return order


def _tell(entry: BallotEntry, subject: str, body: str) -> None:
    def send():
        send_mail(subject, f"Hello {entry.name},\n\n{body}\n", None, [entry.email], fail_silently=True)

    transaction.on_commit(send, robust=True)
