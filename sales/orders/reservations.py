"""A reservation to pay later (the phone console): the places stay held until its
deadline, then lapse by themselves; paid later at the phone or the counter."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Channel

from .. import inventory
from ..errors import (
    HoldNotActive,
    IllegalTransition,
    InProgress,
    InvalidRequest,
    NotFound,
    NotPermitted,
    PaymentActionRequired,
    PaymentProcessing,
    ReservationLapsed,
)
from ..holds import hold_is_live, hold_may_be_used_by, refuse_exchange_hold
from ..models import Hold, Order, Payment
from ..payments import PROCESSING, PROVIDERS, PaymentRequest
from ..policy import policy_for
from . import limits, placing
from .charging import charge_and_sell, refuse_uncounted, validated_parts
from .customers import CustomerDetails, clean_customer
from .pricing import NO_CHOICE, PriceRequest, hold_quote, hold_total, lines_of
from .settling import payment_settle
from .status import LAPSED, OrderStatusConflict, order_transition

PAYING_FOR = timedelta(minutes=2)


def order_reserve(*, hold: Hold | None = None, hold_token: str | None = None, customer: CustomerDetails,
                  deadline: datetime, actor, idempotency_key: str | None = None,
                  owner_key: str | None = None, prices: PriceRequest = NO_CHOICE,
                  now: datetime | None = None, language: str | None = None) -> Order:
    """A reservation to pay later for everything in `hold` (or the hold whose token is
    `hold_token`): the places stay in the hold until `deadline`, then lapse by themselves
    (the Celery sweep only marks the order and tidies). `language`: the caller's, which
    every email about the order speaks (else the request's)."""
    now = now or timezone.now()
    if hold is None:
        hold = Hold.objects.select_related("performance").filter(token=hold_token).first()
        if hold is None or (owner_key is not None
                            and not hold_may_be_used_by(hold, user=actor, owner_key=owner_key)):
            raise InvalidRequest(_("no such hold"), field="hold")
    refuse_exchange_hold(hold)
    policy = policy_for(hold.channel)
    if not policy.allows(actor) or policy.reservation_for is None:
        raise NotPermitted(_("this channel cannot make reservations to pay later"))
    if idempotency_key:
        existing = placing.by_idempotency_key(idempotency_key)
        if existing is not None:
            return placing.replay(existing, hold)
    if deadline <= now:
        raise InvalidRequest(_("the deadline has passed; give one to come"), field="deadline")
    if deadline > now + policy.reservation_for:
        raise InvalidRequest(_("the deadline must be within %(days)s days from now") % {
            "days": policy.reservation_for.days}, field="deadline")
    if deadline >= hold.performance.starts_at:
        raise InvalidRequest(_("the deadline must be before the performance"), field="deadline")
    customer = clean_customer(customer)
    if not hold_is_live(hold, now):
        raise HoldNotActive(_("the hold has lapsed; hold the seats again"))
    taken = placing.order_of_hold(hold)
    if taken is not None:
        raise IllegalTransition(_("these seats are already order %(code)s (%(status)s)") % {
            "code": taken.code, "status": taken.get_status_display().lower()})
    language = placing.buyer_language(language)  # its tickets named as the caller reads
    quote = hold_quote(hold, prices, actor=actor, email=customer.email, now=now, language=language)
    try:
        with transaction.atomic():
            # A queued on-sale's per-customer limit, as a sale's: the places reserved are the
            # caller's until the deadline (and then paid by link or at the counter, uncounted
            # again). Its turn is kept until the reservation commits.
            limits.check_customer_limit(hold=hold, email=customer.email, parts=[], count=quote.count,
                                        limit=limits.customer_limit(hold.performance_id))
            if inventory.extend(hold=hold, until=deadline, now=now) != quote.count:
                raise HoldNotActive(_("some of the seats are no longer held; hold them again"))
            Hold.objects.filter(pk=hold.pk).update(expires_at=deadline)
            order = placing.create_order(hold=hold, customer=customer, quote=quote, actor=actor,
                                         idempotency_key=idempotency_key,
                                         status=Order.Status.RESERVED, payment_deadline=deadline,
                                         language=language)
            if order.hold_id != hold.pk or order.payment_deadline != deadline:
                raise _Raced(order)  # the same key's first request: its answer, and none of this one's writes
    except _Raced as raced:
        return placing.replay(raced.order, hold)
    return order


class _Raced(Exception):
    def __init__(self, order: Order):
        super().__init__(order.code)
        self.order = order


def order_pay_reservation(*, order: Order, payment: PaymentRequest | None = None,
                          payments: list[PaymentRequest] | None = None, actor=None, shift=None) -> Order:
    """Staff take the payment of a reservation: the phone console (a card by phone) or the
    counter (cash, card terminal)."""
    policy = policy_for(order.channel)
    if not (policy.allows(actor) or policy_for(Channel.COUNTER).allows(actor)):
        raise NotPermitted(_("staff only"))
    # A clerk takes the counter's methods (into their shift); only those who may sell
    # through the reservation's own channel take its methods (a card by phone).
    at_counter = shift is not None or not policy.allows(actor)
    method_policy = policy_for(Channel.COUNTER) if at_counter else policy

    def parts(total):
        found = validated_parts(method_policy, payment, payments, total, order.currency)
        refuse_uncounted(shift, [request.method for request, _a in found])
        return found

    return _pay_reserved(order, parts, actor=actor, shift=shift)


def order_pay_by_link(*, order: Order, access_token: str, payment: PaymentRequest) -> Order:
    """The customer pays their reservation themselves, through the payment link they were
    emailed: by card, typed into the provider's field, with their bank's 3-D Secure
    question as in the shop. The link's token is the order's private one."""
    if not secrets.compare_digest(order.access_token.encode(), access_token.encode()):
        raise NotFound(_("no such order"))
    if payment.method != Payment.Method.CARD:
        raise InvalidRequest(_("a payment link is paid by card"), field="method")

    def parts(total):
        PROVIDERS[payment.method].validate(amount=total, request=payment, currency=order.currency)
        return [(payment, total)]

    return _pay_reserved(order, parts, actor=None, shift=None)


def _still_reserved(order: Order) -> None:
    if order.status != Order.Status.RESERVED:
        raise IllegalTransition(_("order %(code)s is %(status)s, not a reservation") % {
            "code": order.code, "status": order.get_status_display().lower()})


def _pay_reserved(order: Order, parts_of, *, actor, shift) -> Order:
    order.refresh_from_db()
    _still_reserved(order)
    now = timezone.now()
    if order.payment_deadline <= now:
        raise ReservationLapsed(_("the reservation lapsed at its deadline; its seats were released"))
    hold = order.hold
    # As priced when it was reserved (a reservation from before prices were recorded: now).
    if order.receipt.get("tickets"):
        total, lines = order.total, lines_of(order)
    else:
        total, _currency, lines = hold_total(hold)
    parts = parts_of(total)
    # One payment at a time (compare-and-set, no lock held while the provider answers): a
    # second at once (two operators, a double click) is refused before its card is charged.
    # A claim left by a request that died lapses after PAYING_FOR; so does one whose
    # cardholder did not answer their bank's question.
    if not Order.objects.filter(pk=order.pk, status=Order.Status.RESERVED).filter(
            Q(payment_started_at__isnull=True) | Q(payment_started_at__lt=now - PAYING_FOR)).update(
            payment_started_at=now):
        # Cancelled, lapsed or paid since it was read: said as such, not as a payment under way.
        order.refresh_from_db(fields=["status"])
        _still_reserved(order)
        raise InProgress(_("order %(code)s is being paid right now; try again in a few minutes") % {"code": order.code})
    try:
        if order.payment_intent:
            # A card payment begun before (its bank's question unanswered, or the provider
            # silent): finished if it went through, else given up for this one.
            order = payment_settle(order, replacing=True)
            if order.status != Order.Status.RESERVED:
                return order
            if order.payment_intent:  # still processing at the provider: not charged twice
                raise PaymentProcessing(_(PROCESSING), order=order.code)
        return charge_and_sell(order=order, hold=hold, parts=parts, lines=lines, actor=actor,
                               shift=shift, from_status=Order.Status.RESERVED)
    except (PaymentActionRequired, PaymentProcessing):
        raise  # the claim stays while the bank or the provider answers (settling finishes it)
    except Exception:  # (not a worker killed mid-charge: then the claim lapses by itself)
        Order.objects.filter(pk=order.pk, status=Order.Status.RESERVED, payment_started_at=now).update(
            payment_started_at=None)
        raise


def reservations_tidy(*, now: datetime | None = None) -> int:
    """Reservations past their deadline: the order is cancelled (its places already lapsed
    at the deadline and count as free)."""
    now = now or timezone.now()
    lapsed = list(Order.objects.filter(status=Order.Status.RESERVED, payment_deadline__lte=now))
    for order in lapsed:
        try:
            with transaction.atomic():
                order_transition(order, Order.Status.CANCELLED, action=LAPSED,
                                 reason=f"deadline {order.payment_deadline:%Y-%m-%d %H:%M}",
                                 failure_reason="not paid by the deadline", only_from=(Order.Status.RESERVED,))
        except OrderStatusConflict:
            continue  # paid at the last moment, or cancelled by staff
    return len(lapsed)
