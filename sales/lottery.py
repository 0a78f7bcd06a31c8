"""Lottery (ballot) sales, for demand far above supply.

Customers apply during a window for up to N tickets in a zone; each application gets an
entry reference. At the close the entry list freezes (its hash is published), then a draw
anyone can check (sales.draws) orders the applications; seats are allocated in that
order through the inventory's own best-available hold, which lasts until the payment
deadline. Winners get a payment link; unpaid allocations lapse (by timestamp, like every
hold) and their seats go to the next applicants in the draw order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Channel

from . import draws, inventory
from .errors import IllegalTransition, InvalidRequest, PlacesUnavailable
from .formatting import money, when
from .models import Ballot, BallotEntry, Draw, Hold, Order, Place, mailbox
from .notifications import site_link
from .orders import CustomerDetails, buyer_language, clean_customer, hold_quote, order_place
from .payments import PaymentRequest


def ballot_apply(*, ballot: Ballot, name: str, email: str, quantity: int, now: datetime | None = None,
                 language: str | None = None) -> BallotEntry:
    """An application; `language` is the applicant's (default: the request's), which every
    email about it speaks."""
    now = now or timezone.now()
    if not ballot.opens_at <= now < ballot.closes_at or ballot.drawn_at:
        raise InvalidRequest(_("applications for this ballot are closed"))
    performance = ballot.performance
    if performance.cancelled_at is not None:  # its places are off sale: no draw can give one
        raise InvalidRequest(_("%(performance)s is cancelled") % {
            "performance": f"{performance.event} — {when(performance.local(), 'D j M Y H:i')}"})
    if not name.strip():
        raise InvalidRequest(_("enter your name"), field="name")
    # As any buyer's: a name and an address the records keep (not too long, printable).
    applicant = clean_customer(CustomerDetails(name=name, email=email))
    name, email = applicant.name, applicant.email
    if not isinstance(quantity, int) or not 1 <= quantity <= ballot.max_per_application:
        raise InvalidRequest(_("apply for 1 to %(max_per_application)s tickets") % {
            "max_per_application": ballot.max_per_application}, field="quantity")
    draws.draw_commit(ballot=ballot)  # set up with the ballot; here too, for a ballot made in code
    try:
        with transaction.atomic():
            entry = BallotEntry.objects.create(ballot=ballot, name=name, email=email, mailbox=mailbox(email),
                                               quantity=quantity, language=buyer_language(language))
    except IntegrityError:  # the database holds one application per mailbox (ballot_one_entry_per_mailbox)
        raise InvalidRequest(_("this email address has already applied (or the same mailbox written another way: "
                               "with a +tag, or with dots at Gmail)"), field="email") from None
    # Proof of the entry and its reference, at once: an applicant whose address was mistyped
    # hears nothing now, rather than nothing after the draw.
    _tell(entry, APPLIED, show=performance.event.title, starts=performance.local(), venue=performance.venue.name,
          quantity=quantity, closes=performance.local(ballot.closes_at))
    return entry


def _hashed_entries(ballot: Ballot) -> dict[str, int]:
    """The ballot's entries by hashed reference."""
    return {draws.hashed_reference(ref): pk for pk, ref in ballot.entries.values_list("pk", "reference")}


def ballot_freeze(*, ballot: Ballot, now: datetime | None = None) -> Draw:
    """Freeze the entries of a closed ballot: the entry list and its hash are published,
    the seed not yet."""
    now = now or timezone.now()
    if now < ballot.closes_at:
        raise IllegalTransition("applications are still open")
    return draws.draw_freeze(draw=draws.draw_commit(ballot=ballot), hashed=list(_hashed_entries(ballot)), now=now)


def ballot_draw(*, ballot: Ballot, now: datetime | None = None) -> dict:
    """Draw once (freezing the entries first if they are not yet): rank every
    application, allocate seats in rank order while they last."""
    now = now or timezone.now()
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.drawn_at is not None:
            raise IllegalTransition(_("this ballot has already been drawn"))
        if now < ballot.closes_at:
            raise IllegalTransition(_("applications are still open"))
        entries = _hashed_entries(ballot)
        draw = draws.draw_commit(ballot=ballot)
        order = draws.draw_run(draw=draw, hashed=list(entries), now=now)
        BallotEntry.objects.bulk_update([BallotEntry(pk=entries[h], rank=rank) for rank, h in enumerate(order, 1)],
                                        ["rank"], batch_size=2000)
        ballot.drawn_at = now
        ballot.save(update_fields=["drawn_at"])
    return {"seed": draw.seed, **ballot_allocate(ballot=ballot, now=now)}


def ballot_allocate(*, ballot: Ballot, now: datetime | None = None) -> dict:
    """Seats for the drawn applications in draw order while they last; the others are told
    they were not drawn. Once the draw is committed this may be run again: a run cut short
    (a worker stopped) is finished by the next (sales.tasks.run_ballots)."""
    with transaction.atomic():
        # One allocation of a ballot at a time: a run overlapping another (a beat run while a
        # long one sends its emails) waits for it, then finds its entries decided. The
        # emails go once it commits.
        list(Ballot.objects.select_for_update().filter(pk=ballot.pk).values_list("pk", flat=True))
        won = _allocate(ballot, now or timezone.now())
        lost = list(ballot.entries.filter(status=BallotEntry.Status.APPLIED))
        BallotEntry.objects.filter(pk__in=[e.pk for e in lost]).update(status=BallotEntry.Status.LOST)
        for entry in lost:
            _tell(entry, NOT_DRAWN, show=ballot.performance.event.title)
    return {"won": len(won), "lost": len(lost)}


def pay_by(ballot: Ballot, now: datetime) -> datetime:
    """A winner's deadline: the ballot's hours to pay, and never past the performance's start."""
    return min(now + timedelta(hours=min(ballot.payment_hours, 720)), ballot.performance.starts_at)


# A winner drawn later than this before the show could not pay in time: none is drawn then.
LAST_CALL = timedelta(minutes=30)


def _allocate(ballot: Ballot, now: datetime) -> list[BallotEntry]:
    """Give seats to applicants in draw order, each through one best-available hold; none
    once the time left to pay before the show is too short to use."""
    won = []
    if pay_by(ballot, now) < now + LAST_CALL:
        return won
    waiting = ballot.entries.filter(status__in=(BallotEntry.Status.APPLIED, BallotEntry.Status.LOST)).order_by("rank")
    for entry in waiting:
        try:
            with transaction.atomic():
                hold = Hold.objects.create(performance=ballot.performance, channel=Channel.ONLINE,
                                           owner_key=f"ballot:{entry.pk}", expires_at=pay_by(ballot, now))
                inventory.hold_best(hold=hold, zone=ballot.zone, quantity=entry.quantity, now=now)
                BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.WON, hold=hold)
        except PlacesUnavailable:
            continue  # not enough left for this application; a smaller one further down may fit
        entry.refresh_from_db()
        won.append(entry)
        perf = ballot.performance
        # The seats and what they cost, as the payment page will show them.
        places = Place.objects.filter(hold=hold).select_related("seat", "section").order_by("pk")
        priced = hold_quote(hold, now=now)
        _tell(entry, DRAWN, seats=", ".join(str(p) for p in places), show=perf.event.title, venue=perf.venue.name,
              starts=perf.local(), until=perf.local(entry.hold.expires_at),
              total=partial(money, priced.total, priced.currency),
              link=site_link(f"/lottery/pay/{entry.pay_token}/"))
    return won


def ballot_reallocate(*, ballot: Ballot, now: datetime | None = None) -> int:
    """Winners who did not pay in time lapse; their seats go to the next in the draw."""
    now = now or timezone.now()
    won = BallotEntry.objects.filter(ballot=ballot, status=BallotEntry.Status.WON)
    for entry in won.filter(hold__status=Hold.Status.SOLD):
        ballot_paid(entry)  # paid after their bank's question: not lapsed
    with transaction.atomic():
        # One allocation at a time (see ballot_allocate).
        list(Ballot.objects.select_for_update().filter(pk=ballot.pk).values_list("pk", flat=True))
        lapsed = list(BallotEntry.objects.select_for_update(of=("self",)).select_related("hold").filter(
            ballot=ballot, status=BallotEntry.Status.WON, hold__expires_at__lte=now).order_by("pk"))
        count = BallotEntry.objects.filter(pk__in=[e.pk for e in lapsed]).update(status=BallotEntry.Status.LAPSED)
        perf = ballot.performance
        for entry in lapsed:  # else a winner who missed the deadline would never hear what became of the seats
            _tell(entry, LAPSED, show=perf.event.title, until=perf.local(entry.hold.expires_at))
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
        raise IllegalTransition(_("this allocation is %(status)s") % {"status": entry.get_status_display().lower()})
    if entry.hold.expires_at <= timezone.now():
        raise IllegalTransition(_("the payment deadline has passed; the seats went to the next in the draw"))
    order = order_place(hold=entry.hold, customer=CustomerDetails(name=entry.name, email=entry.email),
                        payment=PaymentRequest(method="card", token=card_token),
                        idempotency_key=f"ballot:{entry.pk}:{attempt[:40]}", language=entry.language)
    if order.status == Order.Status.PAID:
        BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.PAID, order=order)
    return order


# The emails of the draw: (subject, body), translated into the applicant's language when sent.
APPLIED = (gettext_noop("Your ballot application for %(show)s"),
           gettext_noop("We have your application for %(show)s (%(starts)s, %(venue)s), tickets asked for: "
                        "%(quantity)s. Applications close %(closes)s; we will write to you after the draw with its "
                        "result."))
NOT_DRAWN = (gettext_noop("Your ballot application for %(show)s was not drawn"),
             gettext_noop("Sorry: your application was not drawn this time. If a winner does not pay, the seats go "
                          "to the next applicants in the draw and we will write to you."))
DRAWN = (gettext_noop("You were drawn in the ballot for %(show)s"),
         gettext_noop("Tickets held for you: %(seats)s, for %(show)s (%(starts)s, %(venue)s), until %(until)s: "
                      "%(total)s to pay, fees and taxes included. Pay for them here: %(link)s"))
LAPSED = (gettext_noop("Your ballot tickets for %(show)s were released"),
          gettext_noop("The tickets held for you were not paid for by the deadline, %(until)s: they went to the next "
                       "applicants in the draw. Nothing was charged."))


def _tell(entry: BallotEntry, message: tuple[str, str], **values) -> None:
    subject, body = message

    def send():
        with translation.override(entry.language):
            # Moments and amounts written as the applicant's language writes them (an amount
            # comes as a function, called here), moments on the venue's clock.
            written = {k: v() if callable(v) else when(v, "l j F Y, H:i") if isinstance(v, datetime) else v
                       for k, v in values.items()}
            check = _("Your entry reference: %(reference)s. The draw, and how to check it: %(link)s") % {
                "reference": draws.format_reference(entry.reference),
                "link": site_link(f"/lottery/{entry.ballot_id}/draw/?reference={entry.reference}")}
            text = _("Hello %(name)s,") % {"name": entry.name} + "\n\n" + _(body) % written + "\n\n" + check + "\n"
            send_mail(_(subject) % written, text, None, [entry.email], fail_silently=True)

    transaction.on_commit(send, robust=True)
