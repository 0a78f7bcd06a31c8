"""Taking the money, then the sale, and paying back whatever was taken for a sale that did
not happen.

The payment provider is called with no transaction and no row lock open: the places are
protected by the hold meanwhile, and the sale is confirmed afterwards by a fresh guarded
update that fails cleanly (and pays back) if the hold lapsed and the seats were taken.
"""

from __future__ import annotations

import contextlib
import logging
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Performance, unprintable

from .. import inventory
from ..availability import availability_changed
from ..errors import (
    HoldNotActive,
    IllegalTransition,
    InvalidRequest,
    NotPermitted,
    OrderMovedOn,
    PaymentActionRequired,
    PaymentDeclined,
    PaymentProcessing,
    PlacesUnavailable,
    ProviderUnavailable,
    SalesError,
    ShiftClosed,
)
from ..formatting import money
from ..holds import hold_is_live, hold_release
from ..models import REFUND_OWED, REFUND_REFUSED, REFUND_SENDING, REFUND_SETTLED, Order, Payment, Shift
from ..notifications import confirmations_due, payback_changed, refund_answered
from ..payments import PAYMENT_FAILED, PROVIDERS, PaymentRequest, card_fingerprint, declined_because
from ..policy import cash_paid_back, change_for, may_refund
from .customers import refuse_card_number
from .status import OrderStatusConflict, order_transition, record, staff

logger = logging.getLogger(__name__)

# Cash and a card terminal's payments, taken or paid back at the counter, are counted when
# the clerk's shift closes: with no shift open they would be in no count.
def refuse_uncounted(shift, methods, *, paying_back: bool = False) -> None:
    """Refuse to take (or pay back) cash or a card terminal's payment when no shift is open
    to count it: the counter's pages ask for a shift first, and so must every other door."""
    if shift is not None:
        return
    for method in methods:
        if method == Payment.Method.CASH and paying_back:
            raise InvalidRequest(_("cash is paid back at the counter, from the drawer of an open shift"))
        if method == Payment.Method.CASH:
            raise InvalidRequest(_("cash is taken at the counter, into the drawer of an open shift: open one first"),
                                 field="payment")
        if method == Payment.Method.CARD_TERMINAL and paying_back:
            raise InvalidRequest(_("a card terminal's payment is paid back at the counter, in an open shift"))
        if method == Payment.Method.CARD_TERMINAL:
            raise InvalidRequest(_("the card terminal is used at the counter, in an open shift: open one first"),
                                 field="payment")


def shift_still_open(shift) -> None:
    """In the caller's transaction, about to record payments (or paybacks) into `shift`,
    once its places are locked: its row shared-locked until the commit, so that a close
    under way is waited for and one to come waits for this, and ShiftClosed if it closed
    meanwhile (its drawer was counted without them). No shift (online, phone): nothing."""
    if shift is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT closed_at FROM {Shift._meta.db_table} WHERE id = %s FOR KEY SHARE", [shift.pk])
        found = cursor.fetchone()
    if found is None or found[0] is not None:
        raise ShiftClosed(_("your shift was closed meanwhile; open a shift and start again"))


def money_not_kept(*, cash=Decimal("0"), terminal=Decimal("0"), card=Decimal("0"),
                   difference: bool = False, currency: str | None = None) -> list[str]:
    """What a clerk is told of the money a sale (or, `difference`, an exchange's difference)
    took before it was refused, and was paid back on the record (undo_charges): the cash
    the customer handed over, to hand back; what the card terminal took, to pay back on
    the terminal; a card's payment, which the provider pays back to the card. One sentence
    each, the same in every door; nothing for what was never taken."""
    said = []
    if cash:
        said.append((_("The %(amount)s in cash the customer handed over for the difference was not taken: "
                       "hand it back.") if difference else
                     _("The %(amount)s in cash the customer handed over was not taken: hand it back."))
                    % {"amount": money(cash, currency)})
    if terminal:
        said.append((_("The %(amount)s taken on the card terminal for the difference was not kept: pay it "
                       "back on the terminal.") if difference else
                     _("The %(amount)s taken on the card terminal was not kept: pay it back on the terminal."))
                    % {"amount": money(terminal, currency)})
    if card:
        said.append((_("The %(amount)s paid by card for the difference was not kept: it is paid back to the "
                       "card.") if difference else
                     _("The %(amount)s paid by card was not kept: it is paid back to the card."))
                    % {"amount": money(card, currency)})
    return said


def give_back_words(charged, currency: str | None = None) -> str:
    """What a clerk whose shift closed while a sale was being paid is told: nothing was
    sold, and what to do with the money `charged` took (money_not_kept), the cash as the
    customer handed it over."""
    cash = sum(((r.tendered if r.tendered is not None else a) for r, a, _c in charged
                if r.method == Payment.Method.CASH), Decimal("0"))
    terminal = sum((a for r, a, _c in charged if r.method == Payment.Method.CARD_TERMINAL), Decimal("0"))
    card = sum((a for r, a, _c in charged if r.method not in Payment.AT_COUNTER), Decimal("0"))
    return " ".join([_("Your shift was closed while the payment was taken: nothing was sold."),
                     *money_not_kept(cash=cash, terminal=terminal, card=card, currency=currency),
                     _("Open a shift to sell again.")])


# An order's failure after which the provider may still have taken the money. Kept on the
# order in English (the record); read out in the reader's language.
NO_ANSWER = gettext_noop("the payment provider did not answer")
NOT_TAKEN = gettext_noop("the payment provider did not answer: nothing was sold and the places are still held; "
                         "anything it took is paid back. Try again in a moment")
NOT_ASKED = gettext_noop("the payment provider did not answer: nothing was charged and the places are still held. "
                         "Try again in a moment")
# The request placing an order died (sales.orders.placing.order_interrupted), or was left
# awaiting payment for good (orders_abandoned_tidy): its order failed with these.
INTERRUPTED = gettext_noop("the payment was interrupted before it completed; nothing was sold")
ABANDONED = gettext_noop("abandoned while being paid")


def change_given(order: Order) -> Decimal:
    """The change handed back for an order's cash, from its payment records."""
    return sum((change_for(p.tendered, p.amount) for p in order.payments.filter(
        method="cash", status=Payment.Status.APPROVED, tendered__isnull=False)), Decimal("0"))


def _parts(payment: PaymentRequest | None, payments: list[PaymentRequest] | None,
           total: Decimal) -> list[tuple[PaymentRequest, Decimal]]:
    """Split a total between payment methods: each part names its amount, and one part
    may leave it blank to take the rest."""
    if total == 0:  # complimentary tickets only: nothing to take
        return []
    parts = list(payments or ([payment] if payment else []))
    if not parts:
        raise InvalidRequest(_("choose a payment method"), field="method")
    open_parts = [p for p in parts if p.amount is None]
    if len(open_parts) > 1:
        raise InvalidRequest(_("only one part of a split payment can take the rest"), field="amount")
    named = sum((p.amount for p in parts if p.amount is not None), Decimal("0"))
    if any(p.amount is not None and p.amount <= 0 for p in parts):
        raise InvalidRequest(_("each part of a payment must be more than zero"), field="amount")
    rest = total - named
    if (open_parts and rest <= 0) or (not open_parts and rest != 0):
        raise InvalidRequest(_("the parts add up to %(named)s, the total is %(total)s") % {
            "named": named, "total": total}, field="amount")
    return [(p, p.amount if p.amount is not None else rest) for p in parts]


def validated_parts(policy, payment, payments, total, currency: str | None = None):
    parts = _parts(payment, payments, total)
    for request, amount in parts:
        if request.method not in policy.payment_methods:
            raise InvalidRequest(_("%(method)s is not a payment method of this channel") % {"method": request.method},
                                 field="method")
        if unprintable(request.reference):
            raise InvalidRequest(_("the reference holds a character that cannot be printed"), field="reference")
        refuse_card_number(request.reference, field="reference")
        PROVIDERS[request.method].validate(amount=amount, request=request, currency=currency)  # before any order
    return parts


def card_fingerprints(parts):
    """`parts` with the provider's fingerprint of each card it holds (the box office never
    sees a number to count a card by): one round trip each, asked before any order is
    written or any money taken, so that a provider away leaves nothing behind."""
    fingerprinted = []
    for request, amount in parts:
        provider = PROVIDERS[request.method]
        if request.token and hasattr(provider, "fingerprinted"):
            try:
                request = provider.fingerprinted(request)
            except ProviderUnavailable as exc:
                raise ProviderUnavailable(_(NOT_ASKED)) from exc
        fingerprinted.append((request, amount))
    return fingerprinted


def fail_quietly(order: Order, reason: str, actor) -> None:
    # An order cancelled while its payment was being taken stays cancelled.
    with contextlib.suppress(OrderStatusConflict):
        order_transition(order, Order.Status.FAILED, actor=actor, reason=reason, failure_reason=reason)


def charge(order, parts, actor, shift, *, fail_order: bool) -> list[tuple]:
    """Take each part of a payment. No transaction and no lock is open while the providers
    answer. A decline pays back the parts already taken, records the decline and raises."""
    charged = []
    for request, amount in parts:
        try:
            taken = PROVIDERS[request.method].charge(amount=amount, currency=order.currency, request=request,
                                                     order=order)
        except Exception as exc:
            # No answer from the provider (an outage, a timeout), or a request it could not
            # use: what was taken is paid back and the order fails, so that its hold can be
            # paid for again (one live order per hold), instead of staying "awaiting
            # payment" for good. After its silence the provider may still have taken this
            # part: the reason says so, and the reconciliation asks it (settling.UNCERTAIN).
            for done_request, done_amount, done in charged:
                pay_back(order, done_request, done_amount, done.reference,
                         gettext_noop("another part could not be taken"), actor, shift, fail=False)
            if fail_order:
                answered = isinstance(exc, SalesError) and not isinstance(exc, ProviderUnavailable)
                with transaction.atomic():
                    fail_quietly(order, exc.message if answered else NO_ANSWER, actor)
            if isinstance(exc, ProviderUnavailable):
                raise ProviderUnavailable(_(NOT_TAKEN)) from exc
            raise
        if taken.pending:  # the outcome is not known yet: the order waits (sales.orders.settling)
            if taken.client_secret:  # the bank asks the cardholder
                raise PaymentActionRequired(_(taken.message), order=order.code, client_secret=taken.client_secret)
            raise PaymentProcessing(_(taken.message), order=order.code)
        if not taken.approved:
            for done_request, done_amount, done in charged:
                pay_back(order, done_request, done_amount, done.reference, gettext_noop("another part was declined"),
                         actor, shift, fail=False)
            with transaction.atomic():
                Payment.objects.create(order=order, method=request.method, amount=amount, shift=shift,
                                       status=Payment.Status.DECLINED, message=taken.message[:300],
                                       reference=taken.reference, created_by=staff(actor))
                if fail_order:
                    fail_quietly(order, taken.message, actor)
                elif taken.reference:  # a reservation: its declined payment is done with
                    Order.objects.filter(pk=order.pk, payment_intent=taken.reference).update(payment_intent="")
            raise PaymentDeclined(declined_because(taken.message or PAYMENT_FAILED))
        charged.append((request, amount, taken))
    return charged


def record_charges(order, charged, actor, shift) -> None:
    for request, amount, taken in charged:
        Payment.objects.create(order=order, method=request.method, amount=amount, shift=shift,
                               status=Payment.Status.APPROVED, reference=taken.reference,
                               tendered=request.tendered, message=_payment_note(taken),
                               card_fingerprint=card_fingerprint(request), created_by=staff(actor))


def undo_charges(order, charged, exc, actor, shift, *, fail_order: bool):
    """Money was taken but nothing was sold: pay it back, whatever went wrong."""
    drop_lost_connection()
    reason = {PlacesUnavailable: gettext_noop("the hold lapsed and the seats were sold to someone else")}.get(
        type(exc), getattr(exc, "message", None) or gettext_noop("the sale could not be completed"))
    for request, amount, taken in charged:
        pay_back(order, request, amount, taken.reference, reason, actor, shift, fail=fail_order)
    if isinstance(exc, PlacesUnavailable) and Performance.objects.filter(
            pk=order.performance_id, cancelled_at__isnull=False).exists():
        return HoldNotActive(_("this performance was cancelled; the payment was refunded") if charged
                             else _("this performance was cancelled"))
    if isinstance(exc, OrderMovedOn) and charged:
        return OrderMovedOn(_("the order was cancelled while the payment was taken; the payment was refunded"))
    if isinstance(exc, PlacesUnavailable):
        return HoldNotActive(_("your hold lapsed and the seats were taken by another buyer; the payment was refunded")
                             if charged else _("your hold lapsed and the seats were taken by another buyer"))
    return exc


def drop_lost_connection() -> None:
    """Close this thread's connection if the database dropped it (a failover, a restart, its
    backend killed), so that the next query opens another: what a failed sale pays back is
    then written, not lost with it. Inside a transaction nothing changes (it is rolled back
    as a whole first)."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def settler_turn(order: Order) -> None:
    """Wait for the order's settler (sales.orders.settling: one per order at a time), in the
    caller's transaction, until it commits. An advisory lock: no row waits on it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('settle'), %s)", [order.pk % 2**31])


def pay_back(order, request, amount, reference, reason, actor, shift, fail=True) -> None:
    """A charge that sold nothing, paid straight back. The provider's webhook may be paying
    the same charge back that moment (settling._finish): in the settler's turn, so that
    whichever comes second finds it paid back, and neither the provider nor the order's
    record pays it twice."""
    with transaction.atomic():
        settler_turn(order)
        if reference and Payment.objects.filter(order=order, reference=reference, amount__gt=0,
                                                status=Payment.Status.REFUNDED).exists():
            logger.info("order %s: %s was paid back by its settler already", order.code, reference)
        else:
            PROVIDERS[request.method].refund(amount=amount, currency=order.currency, reference=reference)
            Payment.objects.create(order=order, method=request.method, amount=amount, shift=shift,
                                   status=Payment.Status.REFUNDED, reference=reference,
                                   performance_id=order.performance_id, message=f"refunded: {reason}"[:300],
                                   created_by=staff(actor))
        if fail:
            fail_quietly(order, reason, actor)


def sending(paid: Payment, note: str) -> str:
    """The message of a refund row of the payment `paid` as it is recorded: `note`, or, for
    a payment the provider holds, REFUND_SENDING until the provider has answered
    (refund_at_provider writes `note` then). A request that dies between its commit and
    that answer leaves the row so marked, and the reconciliation sends it again."""
    return note if paid.method in Payment.AT_COUNTER else REFUND_SENDING


def refund_at_provider(order: Order, row: Payment, amount: Decimal, *, again: bool = False,
                       note: str = "refund") -> bool:
    """Pay back `amount` through the provider of the payment `row` refunds (already
    recorded and committed), keyed by that row: sent again, it is one refund. Taken, the
    row says `note` (it said REFUND_SENDING meanwhile: `sending`). A provider
    that does not answer leaves it owed, on the order's record, for the reconciliation
    (`again`: the reconciliation asking, which records only an answer); a provider that
    refuses leaves it refused, on the record with its words, for a person."""
    try:
        answer = PROVIDERS[row.method].refund(amount=amount, currency=order.currency, reference=row.reference,
                                              key=f"refund-{row.pk}")
    except ProviderUnavailable:
        if not again:
            with transaction.atomic():
                Payment.objects.filter(pk=row.pk).update(message=REFUND_OWED)
                record(order, "refund pending at provider", f"{amount} {order.currency}: sent again until it answers")
            refund_answered(order)  # its notice, which waited: on its way
        return False
    except InvalidRequest as exc:
        cause = exc.__cause__
        if cause is None:  # not the provider's answer (card payments not set up here): asked again later
            with transaction.atomic():
                Payment.objects.filter(pk=row.pk).update(message=REFUND_OWED)
                if not again:
                    record(order, "refund pending at provider", f"{amount} {order.currency}: {exc.message}")
            if not again:
                refund_answered(order)  # its notice, which waited: on its way
            return False
        words = getattr(cause, "user_message", None) or str(cause)  # the provider's own words
    else:
        if answer.approved:
            if again:
                with transaction.atomic():
                    Payment.objects.filter(pk=row.pk, message__in=(REFUND_OWED, REFUND_SENDING)).update(
                        message="refund")
                    record(order, "refund taken by provider", f"{amount} {order.currency}")
            else:
                Payment.objects.filter(pk=row.pk, message=REFUND_SENDING).update(message=note)
                refund_answered(order)  # its notice, which waited: paid back
            return True
        words = answer.message
    logger.error("order %s: the payment provider refused to pay back %s %s (%s)", order.code, amount,
                 order.currency, words)
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=order.pk).first()  # as refunds_settle: one at a time
        # Refused or settled already (the webhook told first, a person settled it): as it is.
        if Payment.objects.filter(pk=row.pk).exclude(message__in=(REFUND_REFUSED, REFUND_SETTLED)).update(
                message=REFUND_REFUSED):
            record(order, "refund refused by provider", f"{amount} {order.currency}: {words}")
            payback_changed(order)  # the buyer told it is still owed, not that it went back to their card
    return False


# After this many calls in a row that the provider did not answer (each waits its whole
# timeout, retries included), a run over many orders (a cancelled performance's refunds,
# the reconciliation) stops asking it: the rest wait, owed, for a run it answers.
SILENT_IN_A_ROW = 3


def refund_not_asked(order: Order, row: Payment, amount: Decimal, why: str) -> None:
    """A refund recorded and committed (as for refund_at_provider) that is not sent to the
    provider now, for `why` (it has just failed to answer several in a row): owed, on the
    order's record, and sent by the reconciliation (refund_at_provider `again`, keyed by
    its row as always, so paid back once)."""
    with transaction.atomic():
        Payment.objects.filter(pk=row.pk).update(message=REFUND_OWED)
        record(order, "refund pending at provider", f"{amount} {order.currency}: {why}; sent again until it answers")


def refund_failed_later(key: str, words: str, intent: str = "") -> Order | None:
    """The provider says a refund it had taken (pending: the card's bank still to answer)
    has failed: the refund recorded under `key` (refund_at_provider's, "refund-<row>") of
    the payment `intent` is refused, on the order's record with the provider's words, for a
    person to settle. Told again (the provider sends several events of one failure, and
    sends each again), nothing changes, a refund settled since included. The order, or None
    if the key is not one of ours."""
    pk = key.removeprefix("refund-")
    if not key.startswith("refund-") or not pk.isdigit() or len(pk) > 18:
        return None
    found = Payment.objects.filter(pk=int(pk), status=Payment.Status.REFUNDED).values_list("order_id", flat=True)
    if not found:
        return None
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=found[0])  # as refunds_settle: one at a time
        row = Payment.objects.filter(pk=int(pk)).first()
        if intent and row.reference != intent:  # another site's refund under the same account, say
            return None
        if row.message in (REFUND_REFUSED, REFUND_SETTLED):
            return order
        Payment.objects.filter(pk=row.pk).update(message=REFUND_REFUSED)
        amount = -row.amount
        record(order, "refund refused by provider", f"{amount} {order.currency}: {words}")
        payback_changed(order)
    logger.error("order %s: %s %s not paid back: %s", order.code, amount, order.currency, words)
    return order


def refunds_settle(order: Order, *, how: str, actor) -> Decimal:
    """The refunds the provider refused of `order`, paid back to the buyer by other means
    (`how`: a cheque, a bank transfer, its reference): marked settled, so that they leave
    the refunds to settle, on the order's record with who said so. What was settled; 0 if
    nothing was refused (settled already, say). Within the actor's refund limit. `how` is
    kept on the order's record and told the buyer: never a card number (refuse_card_number)."""
    refuse_card_number(how, field="how")
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=order.pk).first()  # one settler at a time
        rows = list(order.payments.filter(status=Payment.Status.REFUNDED, message=REFUND_REFUSED)
                    .values_list("pk", "amount"))
        refused = -sum((amount for _pk, amount in rows), Decimal("0"))
        if refused and actor is not None and not may_refund(actor, refused):
            raise NotPermitted(_("settling %(amount)s needs a supervisor") % {"amount": money(refused, order.currency)})
        if refused:
            Payment.objects.filter(pk__in=[pk for pk, _a in rows]).update(message=REFUND_SETTLED)
            record(order, "refund settled by other means", f"{refused} {order.currency}: {how}", actor)
            payback_changed(order)
    return refused


def refunds_refused(order: Order, after: int = 0) -> Decimal:
    """What the provider refused to pay back of this order's refunds recorded after the
    payment `after`: owed to the buyer by other means."""
    refused = order.payments.filter(pk__gt=after, status=Payment.Status.REFUNDED, message=REFUND_REFUSED)
    return -(refused.aggregate(total=Sum("amount"))["total"] or Decimal("0"))


def refused_words(order: Order, amount: Decimal) -> str:
    """What staff are told of a refund the provider refused."""
    return _("%(code)s: the payment provider refused to pay back %(amount)s. It is still owed to the buyer: pay it "
             "back by other means (the order's record has the provider's words).") % {
        "code": order.code, "amount": money(amount, order.currency)}


def payment_record(order, charged, shift, from_status) -> inventory.Payment:
    """What a sale writes besides its places and tickets (see inventory.sell): the order
    paid if it still is `from_status`, its payments as taken, and its audit line."""
    methods = " + ".join(f"{r.method} {a}" for r, a, _c in charged)
    return inventory.Payment(
        from_status=from_status, shift_id=shift.pk if shift else None, detail=f"{methods} {order.currency}",
        lines=tuple(inventory.PaymentLine(method=r.method, amount=a, reference=c.reference, message=_payment_note(c),
                                          tendered=r.tendered, fingerprint=card_fingerprint(r))
                    for r, a, c in charged))


def charge_and_sell(*, order, hold, parts, lines, actor, shift, from_status) -> Order:
    pending = from_status == Order.Status.PENDING
    try:
        charged = charge(order, parts, actor, shift, fail_order=pending)
    except ProviderUnavailable:
        # The provider took the money and its answer was lost, while its webhook sold the
        # order (sales.orders.settling): the buyer is told it is paid, not to pay again.
        if not _sold_with_its_intent(order):
            raise
        order.refresh_from_db()
        order.change_due = None  # a card's payment: no cash was tendered
        return order
    now = timezone.now()
    issued = None
    try:
        with inventory.attempt():
            # One statement: places sold, tickets issued, order paid, payments and audit.
            issued = inventory.sell(hold=hold, order=order, lines=lines, now=now, actor=actor,
                                    payment=payment_record(order, charged, shift, from_status))
    except Exception as exc:
        drop_lost_connection()  # asked below whether the sale committed: on a connection that answers
        if not isinstance(exc, SalesError) and _sale_committed(order):
            # Outside a transaction the statement commits as it returns: whatever failed
            # after it (the connection, reading its answer) must not pay back a sale that stands.
            logger.exception("order %s is paid; an error after its sale is ignored", order.code)
        elif isinstance(exc, IllegalTransition | PlacesUnavailable) and _sold_with(order, charged):
            # The provider's webhook (sales.orders.settling) sold the order with this very
            # payment while this request was on its way to do it: sold once, and kept.
            order.refresh_from_db()
            order.change_due = change_due(charged)
            return order
        else:
            raised = undo_charges(order, charged, exc, actor, shift, fail_order=pending)
            if isinstance(exc, ShiftClosed):
                if pending:  # its seats are not left held by a clerk whose drawer is closed
                    with contextlib.suppress(SalesError):
                        hold_release(hold=hold, actor=actor)
                raise ShiftClosed(give_back_words(charged, order.currency)) from None
            if raised is exc:
                raise
            raise raised from None
    # Robust, and each on its own: the sale is committed; a broker or cache hiccup must not
    # look like a failed sale, nor keep the other from running. Places sold from a live hold
    # were not free before either, so the counts for display stand; a lapsed hold's were.
    if not hold_is_live(hold, now):
        transaction.on_commit(lambda: availability_changed(order.performance_id), robust=True)
    transaction.on_commit(confirmations_due, robust=True)
    order.status, order.paid_at = Order.Status.PAID, now
    order.change_due = change_due(charged)
    order.issued = issued  # what the sale's statement said it issued (inventory.IssuedTicket), if it answered
    return order


def change_due(charged) -> Decimal | None:
    """The change to hand back for the cash tendered among the parts `charged` (0 for the
    exact amount); None when no cash was tendered (a card, the card terminal): there is
    no change to speak of, rather than a change of nothing."""
    cash = [c.change_due for r, _a, c in charged if r.method == Payment.Method.CASH]
    return sum(cash, Decimal("0")) if cash else None


def _sold_with(order: Order, charged) -> bool:
    references = [c.reference for _r, _a, c in charged if c.reference]
    return bool(references) and not connection.in_atomic_block and Payment.objects.filter(
        order=order, order__status=Order.Status.PAID, status=Payment.Status.APPROVED,
        reference__in=references).exists()


def _sold_with_its_intent(order: Order) -> bool:
    return bool(order.payment_intent) and not connection.in_atomic_block and Payment.objects.filter(
        order=order, order__status=Order.Status.PAID, status=Payment.Status.APPROVED,
        reference=order.payment_intent).exists()


def _sale_committed(order: Order) -> bool:
    """Did this order's sale statement commit, whatever was raised after it? (Inside a
    caller's transaction it was rolled back with its savepoint.)"""
    if connection.in_atomic_block:
        return False
    try:
        return Order.objects.filter(pk=order.pk, status=Order.Status.PAID).exists()
    except DatabaseError:
        return False  # unknown: treated as not committed, so the charge is paid back


def _payment_note(taken) -> str:
    return f"change due {taken.change_due}" if taken.change_due else taken.message


def refundable(order: Order) -> list[tuple[Payment, Decimal]]:
    """Each approved payment of the order with what can still be paid back to it (its
    amount less the refunds already made against it), latest first."""
    payments = (order.payments.filter(status=Payment.Status.APPROVED)
                .annotate(back=Coalesce(Sum("refunds__amount"), Decimal("0"))).order_by("-pk"))
    return [(p, p.amount + p.back) for p in payments if p.amount + p.back > 0]


def held_at_counter(order: Order) -> list[tuple[Payment, Decimal]]:
    """The order's payments taken at the counter (cash, the card terminal), each with what
    it still holds: only a clerk with an open shift hands that back. The others the card
    provider holds, and pays back from any door."""
    return [(paid, back) for paid, back in refundable(order) if paid.method in Payment.AT_COUNTER]


def paid_back_by(order: Order, signer) -> Decimal:
    """What `signer` has already paid back on the order on their own authority: paybacks
    they made unsigned, and those they signed for someone else. A refund limit holds for
    that and the next payback together, not for each step of an exchange and refunds."""
    mine = Q(approved_by=signer) | Q(approved_by__isnull=True, created_by=signer)
    back = (order.payments.filter(mine, status=Payment.Status.REFUNDED, refund_of__isnull=False)
            .aggregate(back=Coalesce(Sum("amount"), Decimal("0")))["back"])
    return -back


def cash_handed_back(paid: Payment, back: Decimal) -> Decimal | None:
    """The cash that leaves the drawer for a payback of `back` to the payment `paid` (as
    refundable or payback_plan give it: it knows what was paid back of it before), or
    None if `paid` was not cash."""
    if paid.method != Payment.Method.CASH:
        return None
    before = getattr(paid, "back", None)
    if before is None:
        before = paid.refunds.aggregate(back=Coalesce(Sum("amount"), Decimal("0")))["back"]
    return cash_paid_back(-before, back)


def payback_cash(paid: Payment, back: Decimal) -> Decimal | None:
    """The `cash` of the payback row of `back` to `paid`: negative, out of the drawer."""
    cash = cash_handed_back(paid, back)
    return -cash if cash is not None else None


def payback_plan(order: Order, amount: Decimal) -> list[tuple[Payment, Decimal]]:
    """Pay `amount` back the way the order was paid: to the latest payments first, none
    beyond what it took."""
    plan, left = [], amount
    for paid, can in refundable(order):
        take = min(can, left)
        plan.append((paid, take))
        left -= take
        if not left:
            return plan
    raise IllegalTransition(_("the order's payments cannot cover a payback of %(amount)s") % {"amount": amount})
