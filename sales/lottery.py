"""Lottery (ballot) sales, for demand far above supply.

Customers apply during a window for up to N tickets in a zone; each application gets an
entry reference. At the close the entry list freezes (its hash is published), then a draw
anyone can check (sales.draws) orders the applications; seats are allocated in that
order, planned for them all at once (sales.inventory.parties: together where a block is
left, rows filled, groups split over two rows if the ballot allows) and held through the
inventory's guarded move, each winner's hold lasting until the payment deadline.
Winners get a payment link; unpaid allocations lapse (by timestamp, like every hold) and
their seats go to the next applicants in the draw order.

An application counts once its address is confirmed: applying emails a link (a random
token, good once, until the close), and only following it enters the application in the
draw. Anyone may type anyone's address, so an unconfirmed application keeps nobody out:
applying again with its mailbox updates it (its link kept: every link emailed for it works
until it is confirmed), the owner's confirmation page lets them put their own name and
tickets, and the mailbox's owner confirming is what counts. A confirmed application is one
per mailbox. A mailbox is emailed its link a few times an hour at most, however often its
address is typed.

The emails (the confirmation link, the entry, drawn with its payment link, not drawn,
lapsed) go through an
outbox as the order confirmations do (sales.notifications): an entry whose status differs
from the one its applicant was last told of (`told_status`) is owed that status's email.
A commit that changes it asks the worker for `send_ballot_notices`, and `run_ballots`
(beat, every minute) sends whatever is still due: claim, send, mark, each send with a
Message-ID of its own entry and status.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from functools import partial

from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Channel

from . import draws, inventory, rows
from .errors import IllegalTransition, InvalidRequest, NotFound, PlacesUnavailable
from .formatting import money, when
from .models import Ballot, BallotEntry, Draw, Hold, Order, Place, mailbox, new_secret
from .notifications import (
    ballot_notices_due,
    buyer_email,
    claim_timeout,
    mail_domain,
    send_each_due,
    site_link,
)
from .orders import CustomerDetails, buyer_language, clean_customer, hold_quote, order_place
from .orders.customers import ERASURE_TURN
from .payments import PaymentRequest

logger = logging.getLogger(__name__)


def ballot_apply(*, ballot: Ballot, name: str, email: str, quantity: int, now: datetime | None = None,
                 language: str | None = None) -> BallotEntry:
    """An application; `language` is the applicant's (default: the request's), which every
    email about it speaks.

    Applying again with a mailbox whose application is unconfirmed updates that application
    (name, address as typed, tickets, language) and keeps its link. The entry returned says
    in `link_emailed` whether its link is emailed now: not when the mailbox was sent
    CONFIRM_EMAILS_PER_HOUR emails of it in the last hour (the link emailed before still works)."""
    now = now or timezone.now()
    if not ballot.opens_at <= now < ballot.closes_at or ballot.drawn_at:
        raise InvalidRequest(_("applications for this ballot are closed"))
    performance = ballot.performance
    if performance.cancelled_at is not None:  # its places are off sale: no draw can give one
        raise InvalidRequest(_("%(performance)s is cancelled") % {
            "performance": f"{performance.event} — {when(performance.local(), 'D j M Y H:i')}"})
    name, email, quantity = _application(ballot, name, email, quantity)
    draws.draw_commit(ballot=ballot)  # set up with the ballot; here too, for a ballot made in code
    box = mailbox(email)
    for attempt in range(3):
        try:
            with transaction.atomic():
                # One application of a mailbox at a time: another at this moment waits here, then
                # finds this one (its look-up would otherwise miss a row not yet committed). So
                # does an erasure of the mailbox's personal data (sales.privacy), either way.
                rows.execute("SELECT pg_advisory_xact_lock(hashtext('ballot entry'), hashtext(%s::text || ' ' || %s)),"
                             f" {ERASURE_TURN}", [ballot.pk, box or email, box])
                # The database holds one confirmed application per mailbox
                # (ballot_one_entry_per_mailbox): one confirmed already is said now.
                if BallotEntry.objects.filter(ballot=ballot, mailbox=box, status=BallotEntry.Status.APPLIED).exists():
                    raise InvalidRequest(_(ALREADY_APPLIED), field="email")
                # An unconfirmed one (whoever typed the address) is updated, its link kept: a
                # stranger typing the address again spoils no link its owner was sent.
                entry = (BallotEntry.objects.select_for_update()
                         .filter(ballot=ballot, mailbox=box, status=BallotEntry.Status.UNCONFIRMED).first())
                if entry is None:
                    entry = BallotEntry.objects.create(
                        ballot=ballot, name=name, email=email, mailbox=box, quantity=quantity,
                        language=buyer_language(language), status=BallotEntry.Status.UNCONFIRMED,
                        confirm_token=new_secret(), confirm_emailed_at=[now])
                    entry.link_emailed = True
                else:
                    entry.name, entry.email, entry.quantity = name, email, quantity
                    entry.language = buyer_language(language)
                    entry.link_emailed = _email_link_again(entry, now)
                    entry.save(update_fields=["name", "email", "quantity", "language", "confirm_emails",
                                              "confirm_emailed_at", "told_status", "notice_claimed_at"])
            break
        except IntegrityError:  # the same mailbox applying at the same moment: look again
            if attempt == 2:
                raise InvalidRequest(_("this email address is applying at this very moment; try again"),
                                     field="email") from None
    # The link to confirm, within moments (the worker sends it, not this request).
    transaction.on_commit(ballot_notices_due, robust=True)
    return entry


# The emails of its confirmation link a mailbox is sent an hour, in a ballot, however many
# times its address is typed (each application is still taken: its details updated).
CONFIRM_EMAILS_PER_HOUR = 3


def _email_link_again(entry: BallotEntry, now: datetime) -> bool:
    """Whether the unconfirmed application applied for again is owed an email of its link
    (the entry's outbox fields set so). An email still waiting for the worker says the
    application as it is when it goes: no second one. Else a new one, if the mailbox was
    sent fewer than CONFIRM_EMAILS_PER_HOUR in the last hour. Counted in the entry's row,
    which the application holds: exact whatever applies at once, and with no Redis."""
    if entry.told_status != entry.status and entry.notice_claimed_at is None:
        return True  # owed and not being sent yet: the email going says the new details
    recent = [at for at in entry.confirm_emailed_at if at > now - timedelta(hours=1)]
    if len(recent) >= CONFIRM_EMAILS_PER_HOUR:
        return False
    entry.confirm_emailed_at = recent + [now]
    entry.confirm_emails += 1
    # Owed again; a sender sending the previous one right now finds its claim gone when it
    # marks it sent, and this one goes after it.
    entry.told_status, entry.notice_claimed_at = "", None
    return True


def _application(ballot: Ballot, name, email: str, quantity) -> tuple[str, str, int]:
    """The name, address and tickets of an application, checked and tidied (as an
    application or its confirmation page takes them)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequest(_("enter your name"), field="name")
    # As any buyer's: a name and an address the records keep (not too long, printable).
    applicant = clean_customer(CustomerDetails(name=name, email=email))
    if not isinstance(quantity, int) or not 1 <= quantity <= ballot.max_per_application:
        raise InvalidRequest(_("apply for 1 to %(max_per_application)s tickets") % {
            "max_per_application": ballot.max_per_application}, field="quantity")
    return applicant.name, applicant.email, quantity


# The refusal of a second confirmed application of a mailbox.
ALREADY_APPLIED = gettext_noop("this email address has already applied (or the same mailbox written another way: "
                               "with a +tag, or with dots at Gmail)")
CONFIRM_LINK_INVALID = gettext_noop("this confirmation link is not valid: it has been used already. If you "
                                    "confirmed, the email with your entry reference says so.")
CONFIRM_TOO_LATE = gettext_noop("applications for this ballot closed before this application was confirmed: it is "
                                "not in the draw")


def ballot_confirm(*, token: str, name: str | None = None, quantity: int | None = None,
                   now: datetime | None = None) -> BallotEntry:
    """Confirm the application whose link this is: it is entered in the draw (and its
    applicant emailed its entry reference). The link works once, until the close. `name`
    and `quantity`, if given, are the applicant's, checked as an application's: whoever
    typed the address first, its owner confirms their own."""
    now = now or timezone.now()
    if not _token_shaped(token):
        raise NotFound(_(CONFIRM_LINK_INVALID))
    with transaction.atomic():
        # The ballot's entries are not frozen while this commits: the freeze waits for the
        # share of the ballot's row taken here, and once it has frozen them, this says so.
        # (A confirmation the freeze did not wait for would be outside the list it publishes,
        # and the draw would refuse the entries as not the ones frozen.)
        turn = rows.fetch(_CONFIRM_TURN, [token])
        if not turn:
            raise NotFound(_(CONFIRM_LINK_INVALID))
        # Read once the share is ours, in a statement of its own: the one that waited for it
        # reads the tables as they stood when it began, before a freeze it waited for.
        [(frozen,)] = rows.fetch(_FROZEN, [turn[0][0]])
        entry = (BallotEntry.objects.select_for_update(of=("self",))
                 .select_related("ballot__performance__event", "ballot__performance__venue")
                 .filter(confirm_token=token, status=BallotEntry.Status.UNCONFIRMED).first())
        if entry is None:
            raise NotFound(_(CONFIRM_LINK_INVALID))
        ballot = entry.ballot
        if not ballot.opens_at <= now < ballot.closes_at or ballot.drawn_at or ballot.performance.cancelled_at \
                or frozen:
            raise IllegalTransition(_(CONFIRM_TOO_LATE))
        entry.name, _email, entry.quantity = _application(
            ballot, entry.name if name is None else name, entry.email,
            entry.quantity if quantity is None else quantity)
        try:
            with transaction.atomic():
                BallotEntry.objects.filter(pk=entry.pk).update(status=BallotEntry.Status.APPLIED, confirm_token=None,
                                                               name=entry.name, quantity=entry.quantity)
        except IntegrityError:  # the mailbox's owner confirmed another application of it first
            raise InvalidRequest(_(ALREADY_APPLIED)) from None
        # Proof of the entry and its reference, from the worker.
        transaction.on_commit(ballot_notices_due, robust=True)
    entry.status, entry.confirm_token = BallotEntry.Status.APPLIED, None
    return entry


_CONFIRM_TURN = """
    SELECT b.id FROM sales_ballot b WHERE b.id = (SELECT ballot_id FROM sales_ballotentry WHERE confirm_token = %s)
    FOR SHARE OF b"""
_FROZEN = "SELECT EXISTS (SELECT FROM sales_draw WHERE ballot_id = %s AND frozen_at IS NOT NULL)"


def _token_shaped(token) -> bool:
    """Whether it can be a token at all (what the database is not asked about)."""
    return isinstance(token, str) and 0 < len(token) <= 40 and "\x00" not in token


def unconfirmed_entry(token: str) -> BallotEntry | None:
    """The application a confirmation link is for, while it can still be confirmed."""
    if not _token_shaped(token):
        return None
    return (BallotEntry.objects.select_related("ballot__performance__event", "ballot__performance__venue")
            .filter(confirm_token=token, status=BallotEntry.Status.UNCONFIRMED).first())


def _hashed_entries(ballot: Ballot) -> dict[str, int]:
    """The ballot's confirmed entries by hashed reference."""
    confirmed = ballot.entries.exclude(status=BallotEntry.Status.UNCONFIRMED)  # the unconfirmed are not drawn
    return {draws.hashed_reference(ref): pk for pk, ref in confirmed.values_list("pk", "reference")}


def ballot_freeze(*, ballot: Ballot, now: datetime | None = None) -> Draw:
    """Freeze the entries of a closed ballot: the entry list and its hash are published,
    the seed not yet."""
    now = now or timezone.now()
    if now < ballot.closes_at:
        raise IllegalTransition("applications are still open")
    draw = draws.draw_commit(ballot=ballot)
    with transaction.atomic():
        # After the confirmations under way (each holds a share of this row): all are listed.
        Ballot.objects.select_for_update().filter(pk=ballot.pk).first()
        return draws.draw_freeze(draw=draw, hashed=list(_hashed_entries(ballot)), now=now)


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
        # One statement for every entry (bulk_update's CASE of 20,000 branches took 30 s).
        rows.execute(_RANKS, [[entries[h] for h in order], list(range(1, len(order) + 1))])
        ballot.drawn_at = now
        ballot.save(update_fields=["drawn_at"])
    return {"seed": draw.seed, **ballot_allocate(ballot=ballot, now=now)}


_RANKS = """UPDATE sales_ballotentry SET rank = drawn.rank
             FROM unnest(%s::bigint[], %s::integer[]) AS drawn(id, rank) WHERE sales_ballotentry.id = drawn.id"""
_WON = """UPDATE sales_ballotentry SET status = 'won', hold_id = won.hold
          FROM unnest(%s::bigint[], %s::bigint[]) AS won(id, hold) WHERE sales_ballotentry.id = won.id"""


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
        transaction.on_commit(ballot_notices_due, robust=True)  # each is owed its email now
    return {"won": len(won), "lost": len(lost)}


def pay_by(ballot: Ballot, now: datetime) -> datetime:
    """A winner's deadline: the ballot's hours to pay, and never past the performance's start."""
    return min(now + timedelta(hours=min(ballot.payment_hours, 720)), ballot.performance.starts_at)


# A winner drawn later than this before the show could not pay in time: none is drawn then.
LAST_CALL = timedelta(minutes=30)


def _allocate(ballot: Ballot, now: datetime) -> list[BallotEntry]:
    """Give seats to the applicants waiting, in draw order: planned for all of them at once
    (inventory.plan: groups together, rows filled, split over two rows if the ballot
    allows), then taken for each through the inventory's guarded move in a hold of its
    own. A seat taken meanwhile (by the shop, in the same zone) makes it plan again for
    those still waiting, as long as its plans make progress. None once the time left to
    pay before the show is too short."""
    won: list[BallotEntry] = []
    if pay_by(ballot, now) < now + LAST_CALL:
        return won
    waiting = list(ballot.entries.filter(status__in=(BallotEntry.Status.APPLIED, BallotEntry.Status.LOST))
                   .order_by("rank", "pk"))
    stalled = 0
    while waiting and stalled < 3:  # three plans in a row whose first seats were taken: it gives up
        rows_free, standing = inventory.free_places(performance_id=ballot.performance_id, zone_id=ballot.zone_id,
                                                    channel=Channel.ONLINE, now=now)
        planned = inventory.plan(rows_free, standing, [e.quantity for e in waiting], split=ballot.split_groups)
        seated: dict[int, Hold] = {}
        for placed in planned:
            entry = waiting[placed.party]
            hold = Hold(performance=ballot.performance, channel=Channel.ONLINE, owner_key=f"ballot:{entry.pk}",
                        expires_at=pay_by(ballot, now))
            # One statement, all or nothing by itself (no savepoint needed); the entries are
            # marked together below, in the same transaction (the caller's), so a run cut
            # short leaves neither.
            try:
                inventory.hold_places(hold=hold, place_ids=placed.place_ids, now=now)
            except PlacesUnavailable:
                break  # a seat of the plan is taken: plan again for those still waiting
            seated[placed.party] = hold
            won.append(entry)
        rows.execute(_WON, [[waiting[n].pk for n in seated], [hold.pk for hold in seated.values()]])
        if len(seated) == len(planned):
            return won
        stalled = 0 if seated else stalled + 1
        waiting = [e for n, e in enumerate(waiting) if n not in seated]
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
        # Each is owed its email (else a winner who missed the deadline would never hear what
        # became of the seats), and so is each next applicant drawn for them.
        count = BallotEntry.objects.filter(pk__in=[e.pk for e in lapsed]).update(status=BallotEntry.Status.LAPSED)
        if count:
            _allocate(ballot, now)
            transaction.on_commit(ballot_notices_due, robust=True)
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
CONFIRM = (gettext_noop("Confirm your ballot application for %(show)s"),
           gettext_noop("Someone, we hope you, applied with this address for %(quantity)s tickets for %(show)s "
                        "(%(starts)s, %(venue)s). The application enters the draw only once you confirm it, before "
                        "applications close, %(closes)s; the page lets you correct its name and number of tickets "
                        "first: %(link)s\n\nIf you did not apply, ignore this email: the application will not be "
                        "entered, and your address can still apply."))
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
# Added to DRAWN when the winner's seats are not one block side by side (split over rows).
APART = gettext_noop("Your seats are not all together: no block of %(quantity)s seats side by side was left when "
                     "you were drawn, so they are in two rows, one behind the other.")
LAPSED = (gettext_noop("Your ballot tickets for %(show)s were released"),
          gettext_noop("The tickets held for you were not paid for by the deadline, %(until)s: they went to the next "
                       "applicants in the draw. Nothing was charged."))


# What the button of an email with a link says (the link is in its text too).
ACTIONS = {BallotEntry.Status.UNCONFIRMED: gettext_noop("Confirm your application"),
           BallotEntry.Status.WON: gettext_noop("Pay for your tickets")}

# The email each status owes (a paid allocation's is its order's confirmation).
NOTICES = {BallotEntry.Status.UNCONFIRMED: CONFIRM, BallotEntry.Status.APPLIED: APPLIED,
           BallotEntry.Status.WON: DRAWN, BallotEntry.Status.LOST: NOT_DRAWN,
           BallotEntry.Status.LAPSED: LAPSED}
_SILENT = (BallotEntry.Status.PAID,)

# The claim: every condition on the entry's own row, so that of two senders racing for it
# PostgreSQL lets exactly one win (as sales.notifications._CLAIM). It returns the status
# claimed: the email sent is that status's, and the mark records it.
_CLAIM = """
    UPDATE sales_ballotentry SET notice_claimed_at = %(now)s
    WHERE id = %(entry)s AND NOT (told_status = status) AND NOT (status = ANY(%(silent)s))
      AND (notice_claimed_at IS NULL OR notice_claimed_at < %(stale)s)
    RETURNING status"""


def message_id(entry: BallotEntry, status: str) -> str:
    """The same for every attempt at one email (an entry reaches each status once; the
    confirmation link's emails are numbered), so that one sent again after a crash between
    sending and recording it is recognisable as the same message, and a link emailed again
    is not taken for a copy of the first (a mailbox drops a Message-ID it holds already)."""
    again = f".{entry.confirm_emails}" if status == BallotEntry.Status.UNCONFIRMED and entry.confirm_emails > 1 else ""
    return f"<ballot.{entry.pk}.{status}{again}@{mail_domain()}>"


def pending_notices(now: datetime | None = None):
    """The entries owed an email and not being sent one. A winner whose deadline has passed
    is not sent a payment link that no longer works: the lapse's email follows. Nor is an
    unconfirmed application a confirmation link once applications are closed."""
    now = now or timezone.now()
    unclaimed = Q(notice_claimed_at__isnull=True) | Q(notice_claimed_at__lt=now - claim_timeout())
    return (BallotEntry.objects.exclude(told_status=F("status")).exclude(status__in=_SILENT).filter(unclaimed)
            .exclude(status=BallotEntry.Status.WON, hold__expires_at__lte=now)
            .exclude(status=BallotEntry.Status.UNCONFIRMED, ballot__closes_at__lte=now))


def send_notice(entry_id: int) -> bool:
    """Send the email the entry is owed, if it is owed one and nobody else is sending it.
    Returns False if there was none to send here.

    Claim, send, then mark: a sender that fails gives the claim back at once (the email
    stays due); one that dies leaves it to lapse (claim_timeout), and the sweep sends it."""
    now = timezone.now()
    claimed = rows.fetch(_CLAIM, {"now": now, "entry": entry_id, "silent": list(_SILENT),
                                  "stale": now - claim_timeout()})
    if not claimed:
        return False
    [(status,)] = claimed
    try:
        entry = BallotEntry.objects.select_related("ballot__performance__event", "ballot__performance__venue",
                                                   "hold").filter(pk=entry_id).first()
        if entry is None:  # an unconfirmed application deleted since the claim: nothing to send
            return False
        if not _still_claimed(entry, now):
            return False
        values = _notice_values(entry, status, now)
        if values is not None:
            message = _message(entry, status, values)
    except Exception:
        _give_back(entry_id, now)
        raise
    if values is None:  # a winner past the deadline: the lapse's email follows
        _give_back(entry_id, now)
        return False
    try:
        message.send()
    except Exception:
        _give_back(entry_id, now)
        raise
    marked = BallotEntry.objects.filter(pk=entry_id, notice_claimed_at=now).update(told_status=status,
                                                                                 notice_claimed_at=None)
    if not marked:  # the send outlasted its claim and another sender took it over
        logger.warning("the %s email of ballot entry %s took longer than its claim; it may be sent twice "
                       "(same Message-ID)", status, entry_id)
    return bool(marked)


def _still_claimed(entry: BallotEntry, claimed_at: datetime) -> bool:
    """Whether the entry as read still holds this sender's claim. An application made
    again since the claim took it back: the email owed now is another (its link's next,
    with its own Message-ID), for the next sender."""
    return entry.notice_claimed_at == claimed_at


def _give_back(entry_id: int, claimed_at: datetime) -> None:
    with contextlib.suppress(DatabaseError):  # unreachable: the claim lapses instead
        BallotEntry.objects.filter(pk=entry_id, notice_claimed_at=claimed_at).update(notice_claimed_at=None)


def seats_apart(places: list[Place]) -> bool:
    """Whether these places are not one block side by side: seats in more than one row,
    or with a gap between them (standing places have no neighbours to be apart from)."""
    seats = sorted((p.seat.section_id, p.seat.row_index, p.seat.position) for p in places if p.seat_id)
    if len(seats) < len(places):
        return bool(seats)  # seats and standing places together
    return any((s[0], s[1], s[2] - 1) != r for r, s in zip(seats, seats[1:], strict=False))


def _notice_values(entry: BallotEntry, status: str, now: datetime) -> dict | None:
    """What the status's email says, as things stand when it is sent (None: nothing to say)."""
    ballot, perf = entry.ballot, entry.ballot.performance
    if status == BallotEntry.Status.UNCONFIRMED:
        if entry.confirm_token is None or ballot.closes_at <= now:
            return None  # confirmed meanwhile (its entry's email follows), or too late to
        return {"show": perf.event.title, "starts": perf.local(), "venue": perf.venue.name,
                "quantity": entry.quantity, "closes": perf.local(ballot.closes_at),
                "link": site_link(f"/lottery/confirm/{entry.confirm_token}/")}
    if status == BallotEntry.Status.APPLIED:
        return {"show": perf.event.title, "starts": perf.local(), "venue": perf.venue.name,
                "quantity": entry.quantity, "closes": perf.local(ballot.closes_at)}
    if status == BallotEntry.Status.LOST:
        return {"show": perf.event.title}
    hold = entry.hold
    if status == BallotEntry.Status.LAPSED:
        return {"show": perf.event.title, "until": perf.local(hold.expires_at)}
    if hold is None or hold.expires_at <= now:
        return None
    # The seats and what they cost, as the payment page shows them.
    places = list(Place.objects.filter(hold=hold).select_related("seat", "section").order_by("pk"))
    priced = hold_quote(hold, now=now)
    return {"seats": ", ".join(str(p) for p in places), "show": perf.event.title, "venue": perf.venue.name,
            "quantity": len(places), "apart": seats_apart(places),
            "starts": perf.local(), "until": perf.local(hold.expires_at),
            "total": partial(money, priced.total, priced.currency),
            "link": site_link(f"/lottery/pay/{entry.pay_token}/")}


def _message(entry: BallotEntry, status: str, values: dict) -> EmailMultiAlternatives:
    subject, body = NOTICES[status]
    with translation.override(entry.language):
        # Moments and amounts written as the applicant's language writes them (an amount
        # comes as a function, called here), moments on the venue's clock.
        written = {k: v() if callable(v) else when(v, "l j F Y, H:i") if isinstance(v, datetime) else v
                   for k, v in values.items()}
        said = _(body) % written
        if values.get("apart"):
            said += " " + _(APART) % written
        context = {"greeting": _("Hello %(name)s,") % {"name": entry.name}, "said": said,
                   "link": values.get("link"), "action": _(ACTIONS[status]) if status in ACTIONS else ""}
        if status != BallotEntry.Status.UNCONFIRMED:  # a reference is given once the application is confirmed
            context["check"] = _("Your entry reference: %(reference)s. The draw, and how to check it: %(link)s") % {
                "reference": draws.format_reference(entry.reference),
                "link": site_link(f"/lottery/{entry.ballot_id}/draw/?reference={entry.reference}")}
        return buyer_email(subject=_(subject) % written, template="sales/email/ballot", context=context,
                           to=entry.email, headers={"Message-ID": message_id(entry, status),
                                                    "Content-Language": entry.language or "en"})


# Entries whose send failed in this worker process: monotonic time before which it is not
# tried again (30 s, doubling up to an hour), as for the confirmations.
_failed: dict[int, tuple[float, float]] = {}


def send_pending_notices(*, batch: int = 200) -> int:
    """Send every ballot email due, oldest entry first; returns how many were sent. An
    entry whose send fails stays due, tried again after a back-off; the others go."""
    def due(resting):
        return list(pending_notices().exclude(pk__in=resting).order_by("pk").values_list("pk", flat=True)[:batch])

    return send_each_due(due, send_notice, _failed, "the email of ballot entry %s was not sent")
