"""Card payments the provider finishes out of band: after the cardholder's 3-D Secure
step, on the provider's webhook, and by the reconciliation job that asks the provider
about every payment left unconfirmed (a lost webhook, a crash between the charge and the
sale). Whichever comes first finishes the order; the others find nothing left to do.

Money and seats agree: a payment that succeeded is sold if its places can still be
sold, else paid back; a payment taken for an order that failed on our side (the provider
did not answer in time, the request died) is sold if its buyer asks again for it while its
places can still be (payment_asked_again), else paid back once its hold has lapsed."""

from __future__ import annotations

import bisect
import contextlib
import hmac
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Channel

from .. import inventory, rows
from ..availability import availability_changed
from ..errors import (
    IllegalTransition,
    InProgress,
    InvalidRequest,
    NotFound,
    PaymentActionRequired,
    PlacesUnavailable,
    ProviderUnavailable,
    SalesError,
)
from ..holds import hold_is_live
from ..models import REFUND_SENDING, Hold, Order, OrderEvent, Payment
from ..notifications import confirmations_due, refund_answered
from ..payments import (
    APPROVED,
    BANK_ASKS,
    CARD_FINGERPRINT,
    PROVIDERS,
    Charge,
    PaymentRequest,
    StripeProvider,
    from_minor_units,
)
from .charging import (
    ABANDONED,
    INTERRUPTED,
    NO_ANSWER,
    REFUND_OWED,
    SILENT_IN_A_ROW,
    fail_quietly,
    payment_record,
    refund_at_provider,
    settler_turn,
)
from .limits import check_customer_limit, customer_limit
from .pricing import lines_of
from .status import ACTIONS, LAPSED, OrderStatusConflict, codes_used_again, order_transition, record

logger = logging.getLogger(__name__)

# Reconciliation leaves a payment this young to the request that is taking it.
SETTLE_AFTER = timedelta(minutes=1)
# A refund still on its way to the provider after this long was left by a request that
# died before the provider answered it (charging.sending): well past any request's own
# tries (STRIPE_TIMEOUT_SECONDS, each retried STRIPE_NETWORK_RETRIES times).
REFUND_SENDING_FOR = timedelta(minutes=15)
# A cardholder who has not confirmed with their bank by then has given up.
ACTION_TIMEOUT = timedelta(minutes=20)
# Failures on our side after which the provider may still have taken the money.
UNCERTAIN = (NO_ANSWER, INTERRUPTED, ABANDONED)
# The audit lines of an order's cancellation: its age, for the asking below, counts from then.
CANCELLING = (ACTIONS[Order.Status.CANCELLED], LAPSED)
# How long such an order is followed (its payment asked about at the provider): the
# reconciliation asks at each of its runs while the order is young, then at intervals
# growing with its age (a quarter of it, an hour at most), and again at each run of its
# last minutes. Money its bank took late is paid back all the same, at most an interval
# later, and the provider is asked some 75 times in those two days, not at every minute.
# An order cancelled with its payment unsettled is asked about in the same way, its age
# counted from its cancellation, for two days past its creation or its payment deadline
# (the later): hourly past two days from its cancellation, and at each run of its last minutes.
FOLLOW_FOR = timedelta(days=2)
ASK_AT_EACH_RUN_FOR = timedelta(minutes=15)
ASK_AT_LEAST_EVERY = timedelta(hours=1)


def _asking_ages() -> tuple[timedelta, ...]:
    ages, age = [], ASK_AT_EACH_RUN_FOR
    while age < FOLLOW_FOR:
        ages.append(age)
        age += min(age / 4, ASK_AT_LEAST_EVERY)
    return tuple(ages)


ASKING_AGES = _asking_ages()


def asked_at(age: timedelta, followed: timedelta = FOLLOW_FOR) -> bool:
    """Does the reconciliation's run ask about an order failed on our side `age` old (or
    cancelled `age` ago, followed for `followed` from then)? The run after each of the
    ASKING_AGES does (runs come every PAYMENT_RECONCILE_SECONDS), then, past the last, the
    run after each hour, and each run of the last two before `followed`."""
    run = timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["reconcile-payments"]["schedule"])
    if age < ASK_AT_EACH_RUN_FOR or age >= followed - 2 * run:
        return True
    if age >= ASKING_AGES[-1]:
        return (age - ASKING_AGES[-1]) % ASK_AT_LEAST_EVERY < run
    last = bisect.bisect_right(ASKING_AGES, age)
    return last > 0 and age - ASKING_AGES[last - 1] < run
# Failure reasons, kept in English on the order and read out in the reader's language.
SEATS_GONE = gettext_noop("your hold lapsed and the seats were sold to another buyer; the payment was refunded")
NOT_CONFIRMED = gettext_noop("the payment was not confirmed with the bank in time")
REPLACED = gettext_noop("the buyer paid with another card instead")
PAID_BACK = gettext_noop("nothing was sold and the payment was refunded")
# An order sold after all (its payment found taken) that its buyer's orders since have
# taken over the on-sale's per-customer limit.
OVER_LIMIT = gettext_noop("with the tickets you bought since, this order would take you over this on-sale's limit "
                          "of tickets per customer; nothing was sold and the payment was refunded")


def _provider() -> StripeProvider:
    return PROVIDERS["card"]


def payment_settle(order: Order, *, now: datetime | None = None, replacing: bool = False,
                   reason: str = NOT_CONFIRMED, asked_again: bool = False) -> Order:
    """Make the order agree with its payment at the provider. Safe to run any number of
    times, and at once from several places: one settler per order at a time.

    An order awaiting payment is sold or failed. A reservation paid by card (a payment
    link, the console) stays a reservation when its payment fails: it can be paid again
    until its deadline. `replacing`: a new payment (of the reservation, or of the basket) is
    about to start, so one still waiting for the cardholder's bank is given up, for
    `reason`.

    An order failed on our side while its payment was uncertain (UNCERTAIN: the buyer was
    told to try again) whose payment went through is its buyer's while its hold is live:
    `asked_again` (the buyer trying again, payment_asked_again) sells it if its places still
    can be; the webhook and the reconciliation leave it alone until then, and pay it back
    once the hold has lapsed or its places went to another order. Its payment declined,
    the decline becomes its failure (_declined_after_all)."""
    if not order.payment_intent:
        return order
    now = now or timezone.now()
    with transaction.atomic():
        settler_turn(order)
        order.refresh_from_db()
        if not order.payment_intent:
            return order
        # With its charge, in the same round trip: what was paid back of it.
        intent = _provider().retrieve(order.payment_intent, charge=True)
        waiting = order.status in (Order.Status.PENDING, Order.Status.RESERVED)
        if waiting and intent.status == "succeeded" and StripeProvider.refunded(intent):
            # Paid back before it sold anything (the request paying it back died before it
            # said so): the payment still reads `succeeded`, but is not sold nor paid back again.
            _paid_back_unsold(order, intent, claimed=replacing)
            return order
        if waiting and intent.status == "succeeded":
            return _finish(order, intent, now)
        if waiting and intent.status in ("requires_payment_method", "canceled"):
            _not_paid(order, StripeProvider.answer(intent).message, intent, claimed=replacing)
        elif (waiting and intent.status in ("requires_action", "requires_confirmation")
              and (replacing or now - (order.payment_started_at or order.created_at) > ACTION_TIMEOUT)):
            _provider().cancel(intent.id)
            _not_paid(order, reason, intent, claimed=replacing)
        elif (order.status == Order.Status.FAILED and order.failure_reason in UNCERTAIN
              and intent.status == "requires_payment_method" and intent.to_dict().get("last_payment_error")):
            _declined_after_all(order, intent)
        elif (order.status in (Order.Status.FAILED, Order.Status.CANCELLED) and intent.status == "succeeded"
                and not Payment.objects.filter(order=order, reference=intent.id,
                                               status=Payment.Status.REFUNDED).exists()):
            if (order.status == Order.Status.FAILED and order.failure_reason in UNCERTAIN
                    and not StripeProvider.refunded(intent)):
                if asked_again:
                    return _finish(order, intent, now)
                if order.hold_id is not None and hold_is_live(order.hold, now):
                    return order  # its buyer's to ask again for while its places are held
            _pay_back(order, intent, gettext_noop("the order had failed when the payment went through"))
    return order


def payment_asked_again(order: Order) -> Order:
    """The buyer asks again for an order that failed on our side while its payment was
    uncertain (the provider's answer lost, the request died), by the retry of its request
    (the same idempotency key) or by paying again for the same hold. The provider is asked
    how that payment stands: if it went through, the order is sold if its places can still
    be sold to it, else paid back (then PAID_BACK: `was_paid_back`); if it was declined,
    the decline becomes the order's failure (answered as a decline); if it never happened,
    the order is left as it is. Raises ProviderUnavailable if the provider still does not
    answer: nothing is known, nothing is changed."""
    if order.status != Order.Status.FAILED or order.failure_reason not in UNCERTAIN or not order.payment_intent:
        return order
    return payment_settle(order, asked_again=True)


def was_paid_back(order: Order) -> bool:
    """Was the order's card payment taken and paid back (by the settler)?"""
    return bool(order.payment_intent) and Payment.objects.filter(
        order=order, reference=order.payment_intent, status=Payment.Status.REFUNDED).exists()


def _not_paid(order: Order, reason: str, intent, *, claimed: bool = False) -> None:
    """The provider says no: the decline on record; an order awaiting payment fails, a
    reservation waits for another payment (its deadline unchanged). Its claim is given
    back, unless it is the claim of the request (`claimed`) about to take that payment."""
    Payment.objects.create(order=order, method=_method(order, intent), amount=order.total,
                           status=Payment.Status.DECLINED, reference=intent.id, message=reason[:300])
    if order.status == Order.Status.RESERVED:
        done = {"payment_intent": ""} if claimed else {"payment_intent": "", "payment_started_at": None}
        Order.objects.filter(pk=order.pk, payment_intent=intent.id).update(**done)
        order.payment_intent = ""
        record(order, "payment declined", reason)
    else:
        fail_quietly(order, reason, None)


def _declined_after_all(order: Order, intent) -> None:
    """The payment of an order failed on our side while it was uncertain (UNCERTAIN) was
    declined: the decline on record, and the order's failure, so that its buyer is
    answered as after any decline (pay with another card), and it is not asked about again."""
    reason = StripeProvider.answer(intent).message
    Payment.objects.create(order=order, method=_method(order, intent), amount=order.total,
                           status=Payment.Status.DECLINED, reference=intent.id, message=reason[:300])
    Order.objects.filter(pk=order.pk, status=Order.Status.FAILED).update(failure_reason=reason)
    order.failure_reason = reason
    record(order, "payment declined", f"the provider had declined the payment its lost answer was for: {reason}")


def _paid_back_unsold(order: Order, intent, *, claimed: bool = False) -> None:
    """The provider paid the payment back before it was sold: the payback on record (once:
    the request that paid it back may have written it), and an order awaiting payment
    failed; a reservation waits for another payment, as after a decline."""
    if not Payment.objects.filter(order=order, reference=intent.id, status=Payment.Status.REFUNDED).exists():
        _pay_back(order, intent, PAID_BACK)
    if order.status == Order.Status.RESERVED:
        done = {"payment_intent": ""} if claimed else {"payment_intent": "", "payment_started_at": None}
        Order.objects.filter(pk=order.pk, payment_intent=intent.id).update(**done)
        order.payment_intent = ""
    else:
        fail_quietly(order, PAID_BACK, None)


def payment_confirmed(*, order: Order, client_secret: str | None = None) -> Order:
    """The cardholder's page says the bank step is done: finish the order now. Asked with
    the payment's `client_secret` (what the page was given), only its holder may ask."""
    if client_secret is not None:
        # A secret names its payment ("pi_…_secret_…"): one that names another is refused
        # without asking the provider (a guess costs it nothing).
        named = bool(order.payment_intent) and client_secret.startswith(f"{order.payment_intent}_secret_")
        intent = _provider().retrieve(order.payment_intent) if named else None
        if intent is None or not hmac.compare_digest(intent.client_secret.encode(), client_secret.encode()):
            raise NotFound(_("no such payment"))
    return payment_settle(order)


def bank_question(order: Order) -> None:
    """An order still awaiting payment whose payment waits on the cardholder's bank (a
    page that showed the question was left, or answered too early): raise
    PaymentActionRequired with the payment's secret, so that the page asks again. For the
    order's owner only: the caller knows them (their basket, their key)."""
    if order.status != Order.Status.PENDING or not order.payment_intent:
        return
    intent = _provider().retrieve(order.payment_intent)
    if intent.status == "requires_action":
        raise PaymentActionRequired(_(BANK_ASKS), order=order.code, client_secret=intent.client_secret)


def bank_step_give_up(order: Order) -> Order:
    """The buyer pays again for the same basket, with another card, and so gives up the
    payment of `order` that waits on their bank's question (its page left, the question
    never answered): cancelled at the provider, the order failed, its hold kept for the
    new payment. A payment that went through meanwhile is finished instead; one being
    charged right now (another tab) is left alone. For the order's owner only: the caller
    knows them (their basket)."""
    if order.status != Order.Status.PENDING or not order.payment_intent:
        return order
    if _provider().retrieve(order.payment_intent).status == "requires_action":
        return payment_settle(order, replacing=True, reason=REPLACED)
    return payment_settle(order)


def give_way(hold: Hold, key: str | None, busy: InProgress) -> Order | None:
    """A payment for `hold` (keyed `key`) was refused as `busy`: another payment of the
    same hold stands in the way. If that one waits on the bank's question (its page left,
    the question never answered), it is given up for this one (bank_step_give_up) and None
    is returned: place the order again. If it went through after all, its order is the
    answer. One being charged right now (another tab) refuses this one still (`busy`).
    For the hold's owner only: the caller has checked it."""
    others = Order.objects.filter(hold=hold, status=Order.Status.PENDING)
    earlier = (others.exclude(idempotency_key=key) if key else others).first()
    if earlier is None:
        raise busy
    try:
        earlier = bank_step_give_up(earlier)
    except ProviderUnavailable:
        raise
    except SalesError:  # the provider would not cancel it: it went through that moment, say
        try:
            earlier = payment_settle(earlier)
        except ProviderUnavailable:
            raise
        except SalesError:
            raise busy from None
    if earlier.status == Order.Status.PAID:
        return earlier
    if earlier.status == Order.Status.PENDING:
        raise busy
    return None


def _method(order: Order, intent) -> str:
    """The payment method the intent was made for (the shop's and a payment link's card,
    or a card by phone); as the channel says for an intent from before it was named."""
    named = (intent.to_dict().get("metadata") or {}).get("method")
    if named in (Payment.Method.CARD, Payment.Method.CARD_NOT_PRESENT):
        return named
    return Payment.Method.CARD if order.channel == Channel.ONLINE else Payment.Method.CARD_NOT_PRESENT


def _pay_back(order: Order, intent, reason: str) -> None:
    """Taken at the provider, paid straight back (no sale came of it): one row, refunded,
    with the positive amount, as charging.pay_back writes it; no money moved (reports).
    What the provider paid back of it already (`intent` retrieved with its charge: a
    request that paid it back and died before recording it) is not paid back again."""
    amount = from_minor_units(intent.amount, intent.currency)
    rest = intent.amount - StripeProvider.refunded(intent)
    how = "paid back at the provider already"
    if rest > 0:
        how = _provider().refund(amount=from_minor_units(rest, intent.currency), currency=intent.currency,
                                 reference=intent.id, key=f"settle-{intent.id}").reference
    Payment.objects.create(order=order, method=_method(order, intent), amount=amount, status=Payment.Status.REFUNDED,
                           reference=intent.id, message=f"refunded: {reason}"[:300],
                           performance_id=order.performance_id)
    record(order, "payment refunded", f"{amount} {order.currency}: {reason}, {how}")


def _finish(order: Order, intent, now: datetime) -> Order:
    """The provider took the money: sell the order's places in one statement, or pay it
    back if they are gone. An order failed on our side counts again for its buyer's
    per-customer limit: over it (their orders since), it is paid back (OVER_LIMIT)."""
    amount = from_minor_units(intent.amount, intent.currency)
    hold = order.hold
    # The card's fingerprint, if asked for when the payment was made (a per-customer limit).
    card = (intent.to_dict().get("metadata") or {}).get(CARD_FINGERPRINT) or ""
    charged = [(PaymentRequest(method=_method(order, intent), fingerprint=card), amount,
                Charge(True, reference=intent.id, message=APPROVED))]
    failed = order.status == Order.Status.FAILED
    try:
        with transaction.atomic():
            if failed:  # it stopped counting for the customer's limit: counted again, in its turn
                try:
                    check_customer_limit(hold=hold, email=order.customer.email, parts=[(charged[0][0], amount)],
                                         count=len(lines_of(order)), limit=customer_limit(order.performance_id))
                except InvalidRequest as exc:
                    raise _OverLimit(exc.message) from exc
            issued = inventory.sell(hold=hold, order=order, lines=lines_of(order), now=now,
                                    payment=payment_record(order, charged, None, order.status))
            if failed:  # sold after all: no longer a failure on its record, its codes used again
                Order.objects.filter(pk=order.pk).update(failure_reason="")
                codes_used_again(order.pk)
                record(order, "payment found taken", "the provider had taken the payment its lost answer was for")
    except _OverLimit as exc:  # its buyer has bought up to the limit since: refused, and paid back
        logger.info("order %s: paid at the provider but over the customer limit (%s); paying back", order.code, exc)
        _pay_back(order, intent, OVER_LIMIT)
        Order.objects.filter(pk=order.pk, status=Order.Status.FAILED).update(failure_reason=OVER_LIMIT)
        order.failure_reason = OVER_LIMIT
        return order
    except (PlacesUnavailable, IllegalTransition, IntegrityError) as exc:
        if isinstance(exc, IntegrityError) and not (failed and rows.constraint_of(exc) == "order_one_live_per_hold"):
            raise
        # (A failed order's hold may have another order live: its buyer paid again.)
        if Payment.objects.filter(order=order, order__status=Order.Status.PAID, status=Payment.Status.APPROVED,
                                  reference=intent.id).exists():
            # The request that charged the card sold the order with this very payment while
            # the provider was being asked: sold once, and kept.
            order.refresh_from_db()
            return order
        logger.info("order %s: paid at the provider but not sold (%s); paying back", order.code, exc)
        _pay_back(order, intent, PAID_BACK if failed else SEATS_GONE)
        if order.status == Order.Status.RESERVED:  # paid after its deadline, its seats sold since
            with contextlib.suppress(OrderStatusConflict):
                order_transition(order, Order.Status.CANCELLED, reason=SEATS_GONE, failure_reason=SEATS_GONE)
        else:
            fail_quietly(order, SEATS_GONE, None)
        return order
    transaction.on_commit(confirmations_due, robust=True)
    transaction.on_commit(lambda: availability_changed(order.performance_id), robust=True)
    order.status, order.paid_at, order.issued = Order.Status.PAID, now, issued
    if failed:
        order.failure_reason = ""
    return order


class _OverLimit(Exception):
    pass


def payments_reconcile(*, now: datetime | None = None) -> int:
    """Ask the provider about every card payment left unconfirmed: orders still awaiting
    payment, orders failed on our side for a reason that leaves the payment uncertain, and
    orders cancelled while their payment was unsettled.
    Returns how many were looked at."""
    now = now or timezone.now()
    due = list(Order.objects.filter(status=Order.Status.PENDING, created_at__lt=now - SETTLE_AFTER)
               .exclude(payment_intent=""))
    # A reservation's payment is left to the request taking it while that one holds its claim.
    due += list(Order.objects.filter(status=Order.Status.RESERVED).exclude(payment_intent="").filter(
        Q(payment_started_at__isnull=True) | Q(payment_started_at__lt=now - SETTLE_AFTER)))
    # Failed on our side, its payment not paid back yet: asked less often as it ages.
    due += [order for order in Order.objects.filter(
        status=Order.Status.FAILED, failure_reason__in=UNCERTAIN, created_at__gte=now - FOLLOW_FOR).exclude(
        payment_intent="").exclude(Exists(Payment.objects.filter(
            order=OuterRef("pk"), reference=OuterRef("payment_intent"), status=Payment.Status.REFUNDED)))
        if asked_at(now - order.created_at)]
    # Cancelled with a payment nothing on our side settled (a reservation lapsed or given up
    # while the provider's answer to its card was lost): the provider may have taken it.
    # Asked less often as its cancellation ages, until two days past its creation or its
    # deadline, the later.
    recent = Q(created_at__gte=now - FOLLOW_FOR) | Q(payment_deadline__gte=now - FOLLOW_FOR)
    cancelled = OrderEvent.objects.filter(order=OuterRef("pk"), action__in=CANCELLING).order_by("-at", "-pk")
    for order in Order.objects.filter(recent, status=Order.Status.CANCELLED).exclude(payment_intent="").exclude(
            Exists(Payment.objects.filter(order=OuterRef("pk"), reference=OuterRef("payment_intent")))).annotate(
            cancelled_at=Coalesce(Subquery(cancelled.values("at")[:1]), "created_at")):
        until = max(order.created_at, order.payment_deadline or order.created_at) + FOLLOW_FOR
        if asked_at(now - order.cancelled_at, until - order.cancelled_at):
            due.append(order)
    # A provider that does not answer SILENT_IN_A_ROW calls in a row is asked no more in
    # this run (each call waits its whole timeout): the rest are asked by the next.
    silent = 0
    for order in due:
        if silent >= SILENT_IN_A_ROW:
            logger.warning("the payment provider did not answer %d times in a row: %d orders left for the next run",
                           silent, len(due) - due.index(order))
            break
        try:
            payment_settle(order, now=now)
            silent = 0
        except ProviderUnavailable:
            silent += 1
            logger.warning("could not settle order %s: the payment provider did not answer", order.code)
        except Exception:  # one order's trouble must not stop the others
            logger.exception("could not settle order %s", order.code)
    left = Q(message=REFUND_SENDING, created_at__lt=now - REFUND_SENDING_FOR)  # its request died before the answer
    owed = list(Payment.objects.filter(Q(message=REFUND_OWED) | left, status=Payment.Status.REFUNDED)
                .select_related("order").order_by("pk"))
    silent = 0
    for n, row in enumerate(owed):  # refunds the provider did not take when asked (or never asked): same key
        if silent >= SILENT_IN_A_ROW:
            logger.warning("the payment provider did not answer %d refunds in a row: %d left owed for the next run",
                           silent, len(owed) - n)
            break
        try:
            _send_again(row)
        except Exception:  # one row's trouble must not stop the others
            logger.exception("refund %s of order %s not asked again", row.pk, row.order.code)
        # Still owed, or still on its way (sent again, a silent provider leaves it so): unanswered.
        unanswered = Payment.objects.filter(pk=row.pk, message__in=(REFUND_OWED, REFUND_SENDING)).exists()
        silent = silent + 1 if unanswered else 0
    return len(due) + len(owed)


def _send_again(row: Payment) -> None:
    """An owed refund sent again, in its order's settler turn: of two runs of the
    reconciliation at once (one slowed by the provider outlasts its minute), the second
    finds it taken by the first rather than both finding it not made at the provider and
    making it twice (the key alone does not stop that where the provider keeps no keys, or
    has forgotten this one)."""
    with transaction.atomic():
        settler_turn(row.order)
        if Payment.objects.filter(pk=row.pk, message=row.message).exists():  # still as it was read
            refund_at_provider(row.order, row, -row.amount, again=True)
            if row.message == REFUND_SENDING:
                # Its request died before the provider answered: the email it queued waited
                # for that answer (notifications._refund_being_asked), and an order paid
                # days ago (some of its tickets refunded) is no sweep's. Asked for now.
                refund_answered(row.order)

