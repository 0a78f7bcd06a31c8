"""An order from a live hold, in one service call; with an idempotency key, a retry
returns the first order instead of selling twice."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import inventory, rows
from ..errors import (
    HoldNotActive,
    IdempotencyConflict,
    IllegalTransition,
    InProgress,
    InvalidRequest,
    NotPermitted,
    PaymentDeclined,
    PaymentInterrupted,
    ProviderUnavailable,
)
from ..holds import hold_is_live, hold_may_be_used_by, refuse_exchange_hold
from ..models import Customer, Hold, Order, PromoCode, mailbox
from ..payments import PaymentRequest, declined_because
from ..policy import policy_for
from . import pricing
from .charging import (
    ABANDONED,
    INTERRUPTED,
    NO_ANSWER,
    NOT_ASKED,
    card_fingerprints,
    charge_and_sell,
    refuse_uncounted,
    validated_parts,
)
from .customers import (
    CUSTOMER_FIELDS,
    CustomerDetails,
    buyer_or_walk_in,
    clean_customer,
    customer_changed,
    customer_cte,
)
from .limits import MAILBOX_SQL, check_customer_limit
from .pricing import NO_CHOICE, PRESALE_USES_LEFT, PROMO_USES_LEFT, PriceRequest, Quote
from .settling import OVER_LIMIT, PAID_BACK, UNCERTAIN, payment_asked_again, was_paid_back
from .status import OrderStatusConflict, order_transition, staff


def order_place(
    *,
    hold: Hold | None = None,
    hold_token: str | None = None,
    customer: CustomerDetails,
    payment: PaymentRequest | None = None,
    payments: list[PaymentRequest] | None = None,
    actor=None,
    shift=None,
    idempotency_key: str | None = None,
    owner_key: str | None = None,
    prices: PriceRequest = NO_CHOICE,
    now: datetime | None = None,
    language: str | None = None,
) -> Order:
    """Place and pay an order for everything in `hold` (or the hold whose token is
    `hold_token`), priced as `prices` asks (price types, a promo code, a comp's reason),
    with one payment or a split between several. With an idempotency key, a
    retry returns the first order instead of selling twice. Counter payments name the
    clerk's `shift`. A hold named by its token is paid for only by whoever may use it
    (`owner_key`, see holds.hold_may_be_used_by): a token alone is not enough. `language`:
    the buyer's, which every later email speaks (default: the request's, buyer_language)."""
    # What the checks need, in one read: the hold as it is now, an order already made with
    # this key or from this hold, the on-sale's per-customer limit, the places priced and
    # the promo code typed.
    found = rows.fetch(_SALE_FACTS_BY_TOKEN if hold is None else _SALE_FACTS_BY_ID, [
        idempotency_key, Order.Status.RESERVED, Order.Status.PAID, Order.Status.FAILED, list(UNCERTAIN),
        pricing.typed_code(prices), hold_token if hold is None else hold.pk])
    if not found:
        raise InvalidRequest(_("no such hold"), field="hold")
    hold = rows.instance(Hold, found[0])
    if owner_key is not None and not hold_may_be_used_by(hold, user=actor, owner_key=owner_key):
        raise InvalidRequest(_("no such hold"), field="hold")
    refuse_exchange_hold(hold)
    by_key, of_hold, uncertain, limit, lost, places, setup = found[0][-7:]
    policy = policy_for(hold.channel)
    if not policy.allows(actor):
        raise NotPermitted(_("you may not sell through the channel %(channel)s") % {
            "channel": hold.get_channel_display()})
    if by_key is not None:
        return replay(Order.objects.get(pk=by_key), hold)
    customer = clean_customer(buyer_or_walk_in(customer, walk_ins=policy.walk_ins), walk_in=policy.walk_ins)
    if hold.status in (Hold.Status.RELEASED, Hold.Status.SOLD):
        raise HoldNotActive(_("this hold is %(status)s; hold the seats again") % {
            "status": hold.get_status_display().lower()})
    if of_hold is not None:
        taken = Order.objects.get(pk=of_hold)
        raise IllegalTransition(_("these seats are already order %(code)s (%(status)s)") % {
            "code": taken.code, "status": taken.get_status_display().lower()})
    if lost:
        raise HoldNotActive(_("your hold lapsed and the seats were taken by another buyer"))
    if uncertain is not None and (paid := _paid_after_all(Order.objects.get(pk=uncertain))) is not None:
        return paid  # the payment the buyer was told to make again went through the first time
    language = buyer_language(language)  # its tickets named as the buyer reads, whoever sells them
    quote = pricing.quote(places, setup, prices, hold=hold, actor=actor, email=customer.email, now=now,
                          language=language)
    if not quote.lines:
        raise HoldNotActive(_("the hold has no places; hold the seats again"))
    parts = validated_parts(policy, payment, payments, quote.total, quote.currency)
    refuse_uncounted(shift, [request.method for request, _a in parts])
    if limit is not None:  # counted by card too: the provider's fingerprint, asked only here
        parts = card_fingerprints(parts)
    # Under a per-customer limit, the customer's orders take turns from the count to the
    # order's row: a second basket paid at the same moment counts the first.
    with transaction.atomic() if limit is not None else contextlib.nullcontext():
        try:
            check_customer_limit(hold=hold, email=customer.email, parts=parts, count=quote.count, limit=limit)
        except InvalidRequest:
            # The same request sent twice at once: its first made the order counted here.
            first = by_idempotency_key(idempotency_key) if idempotency_key else None
            if first is None:
                raise
            if first.status == Order.Status.PENDING:
                raise _under_way() from None
            return replay(first, hold)
        order = create_order(hold=hold, customer=customer, quote=quote, actor=actor,
                             idempotency_key=idempotency_key, language=language)
    if order.status != Order.Status.PENDING or order.hold_id != hold.pk:
        return replay(order, hold)
    return charge_and_sell(order=order, hold=hold, parts=parts, lines=quote.lines, actor=actor,
                           shift=shift, from_status=Order.Status.PENDING)


_SALE_FACTS = f"""
    SELECT {rows.columns(Hold)},
           (SELECT id FROM sales_order WHERE idempotency_key = %s),
           (SELECT id FROM sales_order WHERE hold_id = sales_hold.id AND status IN (%s, %s) ORDER BY id LIMIT 1),
           -- The hold's last payment failed on our side, uncertain at the provider, not paid back.
           (SELECT id FROM sales_order o WHERE hold_id = sales_hold.id AND status = %s AND failure_reason = ANY(%s)
              AND payment_intent <> '' AND NOT EXISTS (SELECT FROM sales_payment p WHERE p.order_id = o.id
                                                       AND p.reference = o.payment_intent)
            ORDER BY id DESC LIMIT 1),
           (SELECT customer_limit FROM sales_waitingroom WHERE performance_id = sales_hold.performance_id AND enabled),
           -- A lapsed hold: how many of its places it lost (a live one loses none).
           CASE WHEN sales_hold.expires_at > now() THEN 0 ELSE ({inventory.places_lost_sql("sales_hold.id")}) END,
           ({pricing.hold_prices_sql("sales_hold.id")}), ({pricing.pricing_sql("sales_hold")})
    FROM sales_hold"""
_SALE_FACTS_BY_ID = _SALE_FACTS + " WHERE sales_hold.id = %s"
_SALE_FACTS_BY_TOKEN = _SALE_FACTS + " WHERE sales_hold.token = %s"


def by_idempotency_key(idempotency_key: str) -> Order | None:
    return rows.first(Order, "idempotency_key = %s", [idempotency_key])


def order_of_hold(hold: Hold) -> Order | None:
    """The reservation or paid order already made from this hold, if any."""
    return rows.first(Order, "hold_id = %s AND status IN (%s, %s)", [hold.pk, Order.Status.RESERVED, Order.Status.PAID])


def buyer_language(language: str | None = None) -> str:
    """`language` (the caller's, chosen by the clerk or operator), else the language the
    request speaks (the shop's and the API's choice), among those the box office speaks;
    else the default."""
    active = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def create_order(*, hold, customer, quote: Quote, actor, idempotency_key,
                 status=Order.Status.PENDING, payment_deadline=None, language: str | None = None) -> Order:
    """The order, its customer (`customer_cte`), its audit line and the use of its promo
    and presale codes, in one statement. A code's use is taken only while it has uses
    left (pricing.PROMO_USES_LEFT): if none is left, nothing is written."""
    by = staff(actor)
    promo_id = quote.promo.pk if quote.promo is not None else None
    presale_id = hold.presale_code_id
    order = Order(performance_id=hold.performance_id, channel=hold.channel, hold=hold,
                  idempotency_key=idempotency_key or None, total=quote.total, currency=quote.currency, status=status,
                  payment_deadline=payment_deadline, created_by=by, language=buyer_language(language),
                  promo_code_id=promo_id, comp_reason=quote.comp_reason, receipt=quote.receipt,
                  buyer_name=customer.name, buyer_phone=customer.phone)
    columns, values, params = rows.insert(order, customer_id="(SELECT id FROM customer)",
                                          buyer_name="(SELECT name FROM typed)",
                                          buyer_phone="(SELECT phone FROM typed)")
    # Every write waits for the codes' uses: a code used up writes nothing, not even the customer.
    # An order without a code has no part for it: the statement is then one PostgreSQL
    # plans once per connection (a part for an absent code, its per-customer count
    # estimated as a scan, made it plan the statement afresh at every order).
    codes, code_params, used = [], [], []
    if promo_id is not None:
        live = [Order.Status.PENDING, Order.Status.RESERVED, Order.Status.PAID]
        codes.append(f"""promo_use AS (
            UPDATE sales_promocode SET uses = uses + 1
            WHERE id = %s AND {PROMO_USES_LEFT}
              AND (max_uses_per_customer IS NULL OR max_uses_per_customer > ({_code_uses_of("sales_promocode.id")}))
            RETURNING id),""")
        code_params += [promo_id, mailbox(customer.email), live]
        used.append("EXISTS (SELECT FROM promo_use)")
    if presale_id is not None:
        codes.append(f"""presale_use AS (UPDATE sales_presalecode SET uses = uses + 1
                        WHERE id = %s AND {PRESALE_USES_LEFT} RETURNING id),""")
        code_params.append(presale_id)
        used.append("EXISTS (SELECT FROM presale_use)")
    customer_sql, customer_params = customer_cte(customer, only_if=("(SELECT ok FROM codes_used)", []))
    # Each value a parameter once, 50 at most: psycopg keeps a statement's conversion to
    # PostgreSQL's placeholders only up to that many (converting it again: 0.1 ms an order).
    sql = f"""
        WITH {"".join(codes)}
        codes_used AS (SELECT {" AND ".join(used) or "TRUE"} AS ok),
        {customer_sql},
        placed AS (INSERT INTO sales_order {columns} SELECT {values} WHERE (SELECT ok FROM codes_used)
                   RETURNING id, created_at),
        placed_audit AS (INSERT INTO sales_orderevent (order_id, action, detail, actor_id, at)
                         SELECT id, %s, %s, %s, created_at FROM placed)
        SELECT placed.id, customer.id, customer.name, customer.email, customer.phone FROM placed, customer"""
    # A code limited per customer counts that customer's orders with it, in a subquery
    # that sees only what was committed when the statement began: two of their orders at
    # once would both find none. Such a code is locked first, in a transaction of its own,
    # so that the statement begins after the last order with it has committed.
    per_customer = quote.promo is not None and quote.promo.max_uses_per_customer is not None
    try:
        # With both codes, one may be used up after the other's use was taken: a transaction
        # of its own gives that use back. One code alone needs none (see codes_used).
        with (transaction.atomic() if per_customer or (promo_id is not None and presale_id is not None)
              else inventory.attempt()):
            if per_customer:
                rows.fetch("SELECT id FROM sales_promocode WHERE id = %s FOR UPDATE", [promo_id])
            found = rows.fetch(sql, [
                *code_params, *customer_params, *params,
                "placed" if status == Order.Status.PENDING else "reserved",
                f"{quote.count} tickets, {quote.total} {quote.currency}"[:300], by.pk if by else None])
            if not found:
                raise _CodeUsedUp
        (order.pk, *who), = found
    except _CodeUsedUp:
        if promo_id is not None and not _uses_left(PromoCode, promo_id, customer.email):
            raise InvalidRequest(_("the code %(code)s has been used up") % {"code": quote.promo.code},
                                 field="promo_code") from None
        raise InvalidRequest(_("this presale code has been used up"), field="access_code") from None
    except IntegrityError as exc:
        if rows.left_empty(exc) == "customer_id":
            # The buyer's record, found, was erased (their personal data) before its lock was
            # given: nothing of theirs is written again (customers.customer_cte).
            raise customer_changed() from None
        # The same key raced us in another request: answer as that one does.
        existing = by_idempotency_key(idempotency_key) if idempotency_key else None
        if existing is not None and existing.status == Order.Status.PENDING == status:
            # Its first request is taking the payment right now: this one charges nothing
            # (it would charge the same order twice, and pay one back).
            raise _under_way() from None
        if existing is not None:
            return existing
        if rows.constraint_of(exc) == "order_one_live_per_hold":
            # Another request (another key, or none) is paying for these seats: refused
            # before any card is charged.
            taken = rows.first(Order, "hold_id = %s AND status IN (%s, %s, %s)",
                               [hold.pk, Order.Status.PENDING, Order.Status.RESERVED, Order.Status.PAID])
            paying = taken is None or taken.status == Order.Status.PENDING
            raise (InProgress if paying else IllegalTransition)(
                _("these seats are already order %(code)s (%(status)s)") % {
                    "code": taken.code, "status": taken.get_status_display().lower()} if taken
                else _("these seats are already being paid for")) from None
        raise
    order._state.adding, order._state.db = False, connection.alias
    order.customer = Customer.from_db(connection.alias, CUSTOMER_FIELDS, who)
    return order


class _CodeUsedUp(Exception):
    pass


def _code_uses_of(code: str) -> str:
    """SQL: the live orders with the promo code `code` (an SQL expression) of one customer's
    mailbox (its parameters: the mailbox, the live statuses), as its per-customer limit
    counts them."""
    return (f"SELECT count(*) FROM sales_order o JOIN sales_customer c ON c.id = o.customer_id"
            f" WHERE o.promo_code_id = {code} AND {MAILBOX_SQL} = %s AND o.status = ANY(%s)")


def _uses_left(model, pk: int, email: str) -> bool:
    code = model.objects.get(pk=pk)
    if code.max_uses is not None and code.uses >= code.max_uses:
        return False
    if getattr(code, "max_uses_per_customer", None) is not None:  # by mailbox, as the order's statement counts
        (used,), = rows.fetch(_code_uses_of("%s"), [
            pk, mailbox(email), [Order.Status.PENDING, Order.Status.RESERVED, Order.Status.PAID]])
        return used < code.max_uses_per_customer
    return True


ABANDONED_AFTER = timedelta(minutes=30)


def replay(existing: Order, hold: Hold) -> Order:
    """The answer to a retry: the first order made with its key, or that order's failure.
    A failure on our side with the payment uncertain (the provider's answer lost, the
    request died) is asked about at the provider first: a payment that went through is
    sold, if its places can still be, and the retry answered with the paid order; one
    declined is answered as a decline."""
    if existing.hold_id != hold.pk:
        raise IdempotencyConflict(_("this idempotency key was used for another order"))
    again = (_("; pay again with a new idempotency key") if hold_is_live(hold)
             else _("; pay again with a new idempotency key after holding the seats again"))
    if existing.status == Order.Status.FAILED and existing.failure_reason in UNCERTAIN and existing.payment_intent:
        try:
            existing = payment_asked_again(existing)
        except ProviderUnavailable:  # still unknown: paying again could take it twice
            raise ProviderUnavailable(_(NO_ANSWER) + _("; try again in a moment with the same idempotency key")) \
                from None
        if existing.status != Order.Status.FAILED:
            return existing
        # Taken, but its places could no longer be sold to it (over the limit: said below).
        if was_paid_back(existing) and existing.failure_reason != OVER_LIMIT:
            raise PaymentInterrupted(_(PAID_BACK) + again)
    if existing.status == Order.Status.FAILED and existing.failure_reason == OVER_LIMIT:
        raise InvalidRequest(_(OVER_LIMIT), field="quantity")
    if existing.status == Order.Status.FAILED and existing.failure_reason == INTERRUPTED:
        raise PaymentInterrupted(_(INTERRUPTED) + again)
    if existing.status == Order.Status.FAILED and existing.failure_reason == NO_ANSWER:
        raise ProviderUnavailable(_(NO_ANSWER) + _("; pay again with a new idempotency key"))
    if existing.status == Order.Status.FAILED:  # the declined attempt sent again: still declined
        raise PaymentDeclined(declined_because(existing.failure_reason))
    return existing


def _paid_after_all(earlier: Order) -> Order | None:
    """The hold's earlier order, failed on our side with its payment uncertain, if that
    payment went through after all and it is now sold (payment_asked_again): the buyer
    paying for the same hold again is answered with it, and charged nothing more."""
    try:
        earlier = payment_asked_again(earlier)
    except ProviderUnavailable:
        raise ProviderUnavailable(_(NOT_ASKED)) from None
    if earlier.status == Order.Status.FAILED and earlier.failure_reason == OVER_LIMIT:
        raise InvalidRequest(_(OVER_LIMIT), field="quantity")  # paying again would be refused as well
    return earlier if earlier.status == Order.Status.PAID else None


def orders_abandoned_tidy(*, now: datetime | None = None) -> int:
    """Orders still awaiting payment long after any request could be paying them (a worker
    killed while the provider answered): failed, so that their holds can be paid for
    again. Nothing was sold to them (a sale marks its order paid in the same statement)."""
    now = now or timezone.now()
    # (A card payment's order is the reconciliation's: only the provider knows how it stands.)
    stale = list(Order.objects.filter(status=Order.Status.PENDING, created_at__lt=now - ABANDONED_AFTER,
                                      payment_intent=""))
    for order in stale:
        _fail_if_pending(order, ABANDONED)
    return len(stale)


def order_interrupted(*, idempotency_key: str) -> bool:
    """The request placing the order with this key died before answering (the caller
    knows it: sales.api.idempotency). An order still awaiting payment then fails, so that
    its hold can be paid for again at once, rather than after ABANDONED_AFTER. Nothing was
    sold to it: a sale marks its order paid in the same statement. The built-in providers
    answer within the request, so nothing was taken either; a provider that charges out of
    band is asked by its reconciliation."""
    order = by_idempotency_key(idempotency_key) if idempotency_key else None
    return order is not None and _fail_if_pending(order, INTERRUPTED)


def _fail_if_pending(order: Order, reason: str) -> bool:
    try:
        with transaction.atomic():
            order_transition(order, Order.Status.FAILED, reason=reason, failure_reason=reason)
    except OrderStatusConflict:
        return False  # paid, failed or cancelled meanwhile: nothing left to do
    return True


def _under_way() -> InProgress:
    """The answer to a request whose first, with the same key, is still being paid."""
    return InProgress(_("this payment is already under way; wait a moment, then look again"))
