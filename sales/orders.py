"""Orders: placed from a live hold in one service call, paid, refunded.

The payment provider is called with no transaction and no row lock open: the places
are protected by the hold meanwhile, and the sale is confirmed afterwards by a fresh
guarded update that fails cleanly (and pays back) if the hold lapsed and the seats
were taken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Channel

from . import enqueue, inventory, rows
from .availability import availability_changed
from .errors import (
    HoldNotActive,
    IdempotencyConflict,
    IllegalTransition,
    InProgress,
    InvalidRequest,
    NotPermitted,
    PaymentDeclined,
    PaymentInterrupted,
    PlacesUnavailable,
    SalesError,
)
from .holds import hold_is_live, hold_release
from .models import Customer, Hold, Order, OrderEvent, Payment, Place, Ticket, WaitingRoom
from .notifications import confirmations_due
from .payments import PROVIDERS, PaymentRequest, card_fingerprint
from .policy import may_refund, policy_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str
    phone: str = ""


def _clean_customer(details: CustomerDetails) -> CustomerDetails:
    name, email = details.name.strip(), details.email.strip().lower()
    if not name or len(name) > 200:
        raise InvalidRequest("enter the customer's name", field="name")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidRequest("enter a valid email address", field="email") from None
    if len(details.phone) > 40:
        raise InvalidRequest("the phone number is too long", field="phone")
    return CustomerDetails(name=name, email=email, phone=details.phone.strip())


def _customer(details: CustomerDetails, user) -> tuple[str, list]:
    """The one rule for a buyer's customer record, as common table expressions ending in
    `customer` (id, name, email, phone): found by email whatever its case (by the
    Upper(email) index), a missing phone number filled in; else created."""
    columns, values, params = rows.insert(Customer(name=details.name, email=details.email, phone=details.phone,
                                                   user=_staff(user)))
    return f"""
        found AS (
            SELECT id, name, email, phone FROM sales_customer WHERE UPPER(email) = UPPER(%s) ORDER BY id LIMIT 1),
        fill_phone AS (UPDATE sales_customer SET phone = %s WHERE id = (SELECT id FROM found) AND phone = ''
                                                                 AND %s <> ''),
        created AS (
            INSERT INTO sales_customer {columns} SELECT {values} WHERE NOT EXISTS (SELECT FROM found)
            RETURNING id, name, email, phone),
        customer AS (SELECT id, name, email, CASE WHEN phone = '' THEN %s ELSE phone END AS phone FROM found
                     UNION ALL SELECT id, name, email, phone FROM created)""", [
        details.email, details.phone, details.phone, *params, details.phone]


_CUSTOMER_FIELDS = ["id", "name", "email", "phone"]


def customer_for(details: CustomerDetails, user=None) -> Customer:
    sql, params = _customer(details, user)
    (row,) = rows.fetch(f"WITH {sql} SELECT id, name, email, phone FROM customer", params)
    return Customer.from_db(connection.alias, _CUSTOMER_FIELDS, row)


def _record(order: Order, action: str, detail: str = "", actor=None) -> None:
    OrderEvent.objects.create(order=order, action=action, detail=detail[:300],
                              actor=actor if actor is not None and actor.is_authenticated else None)


def change_given(order: Order) -> Decimal:
    """The change handed back for an order's cash, from its payment records."""
    return sum((p.tendered - p.amount for p in order.payments.filter(
        method="cash", status=Payment.Status.APPROVED, tendered__isnull=False)), Decimal("0"))


# A hold's places with their prices: [[place id, price, currency], ...] in place order,
# over exactly the places `inventory.sell` will sell.
def _hold_prices(hold_id: str) -> str:
    """SQL: the places of the hold `hold_id` (an SQL expression) with their prices."""
    return f"""SELECT json_agg(json_build_array(place.id, zone.price::text, zone.currency) ORDER BY place.id)
               FROM sales_place place JOIN events_pricezone zone ON zone.id = place.price_zone_id
               WHERE place.id IN ({inventory.places_of_hold_sql(hold_id)})"""


_HOLD_PRICES = _hold_prices("%s")


def _priced(priced: list | None) -> tuple[Decimal, str, list[int]]:
    priced = priced or []
    currencies = {currency for _pk, _price, currency in priced}
    if len(currencies) > 1:
        raise InvalidRequest("the held places are priced in different currencies")
    total = sum((Decimal(price) for _pk, price, _c in priced), Decimal("0"))
    return total, (currencies.pop() if priced else "CAD"), [pk for pk, _p, _c in priced]


def hold_total(hold: Hold) -> tuple[Decimal, str, list[int]]:
    """Price of the hold's places: computed here from the price zones, never taken from
    the request."""
    return _priced(rows.fetch(_HOLD_PRICES, [hold.pk])[0][0])


def _parts(payment: PaymentRequest | None, payments: list[PaymentRequest] | None,
           total: Decimal) -> list[tuple[PaymentRequest, Decimal]]:
    """Split a total between payment methods: each part names its amount, and one part
    may leave it blank to take the rest."""
    parts = list(payments or ([payment] if payment else []))
    if not parts:
        raise InvalidRequest("choose a payment method", field="method")
    open_parts = [p for p in parts if p.amount is None]
    if len(open_parts) > 1:
        raise InvalidRequest("only one part of a split payment can take the rest", field="amount")
    named = sum((p.amount for p in parts if p.amount is not None), Decimal("0"))
    if any(p.amount is not None and p.amount <= 0 for p in parts):
        raise InvalidRequest("each part of a payment must be more than zero", field="amount")
    rest = total - named
    if (open_parts and rest <= 0) or (not open_parts and rest != 0):
        raise InvalidRequest(f"the parts add up to {named}, the total is {total}", field="amount")
    return [(p, p.amount if p.amount is not None else rest) for p in parts]


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
    now: datetime | None = None,
) -> Order:
    """Place and pay an order for everything in `hold` (or the hold whose token is
    `hold_token`), with one payment or a split between several. With an idempotency key, a
    retry returns the first order instead of selling twice. Counter payments name the
    clerk's `shift`."""
    # What the checks need, in one read: the hold as it is now, an order already made with
    # this key or from this hold, the on-sale's per-customer limit, and the places priced.
    found = rows.fetch(_SALE_FACTS_BY_TOKEN if hold is None else _SALE_FACTS_BY_ID, [
        idempotency_key, Order.Status.RESERVED, Order.Status.PAID, hold_token if hold is None else hold.pk])
    if not found:
        raise InvalidRequest("no such hold", field="hold")
    hold = rows.instance(Hold, found[0])
    by_key, of_hold, limit, priced = found[0][-4:]
    policy = policy_for(hold.channel)
    if not policy.allows(actor):
        raise NotPermitted(f"you may not sell through the {hold.channel} channel")
    if by_key is not None:
        return _replay(Order.objects.get(pk=by_key), hold)
    customer = _clean_customer(customer)
    if hold.status in (Hold.Status.RELEASED, Hold.Status.SOLD):
        raise HoldNotActive(f"this hold is {hold.get_status_display().lower()}; hold the seats again")
    if of_hold is not None:
        taken = Order.objects.get(pk=of_hold)
        raise IllegalTransition(f"these seats are already order {taken.code} ({taken.get_status_display().lower()})")
    total, currency, place_ids = _priced(priced)
    if not place_ids:
        raise HoldNotActive("the hold has no places; hold the seats again")
    parts = _validated_parts(policy, payment, payments, total)
    _check_customer_limit(hold=hold, email=customer.email, parts=parts, count=len(place_ids), limit=limit)
    order = _create_order(hold=hold, customer=customer, total=total, currency=currency, actor=actor,
                          idempotency_key=idempotency_key, count=len(place_ids))
    if order.status != Order.Status.PENDING or order.hold_id != hold.pk:
        return _replay(order, hold)
    return _charge_and_sell(order=order, hold=hold, parts=parts, place_ids=place_ids, actor=actor,
                            shift=shift, from_status=Order.Status.PENDING)


_SALE_FACTS = f"""
    SELECT {rows.columns(Hold)},
           (SELECT id FROM sales_order WHERE idempotency_key = %s),
           (SELECT id FROM sales_order WHERE hold_id = sales_hold.id AND status IN (%s, %s) ORDER BY id LIMIT 1),
           (SELECT customer_limit FROM sales_waitingroom WHERE performance_id = sales_hold.performance_id AND enabled),
           ({_hold_prices("sales_hold.id")})
    FROM sales_hold"""
_SALE_FACTS_BY_ID = _SALE_FACTS + " WHERE sales_hold.id = %s"
_SALE_FACTS_BY_TOKEN = _SALE_FACTS + " WHERE sales_hold.token = %s"


def _by_key(idempotency_key: str) -> Order | None:
    return rows.first(Order, "idempotency_key = %s", [idempotency_key])


def _order_of_hold(hold: Hold) -> Order | None:
    """The reservation or paid order already made from this hold, if any."""
    return rows.first(Order, "hold_id = %s AND status IN (%s, %s)", [hold.pk, Order.Status.RESERVED, Order.Status.PAID])


def customer_limit(performance_id: int) -> int | None:
    room = rows.first(WaitingRoom, "performance_id = %s AND enabled", [performance_id])
    return room.customer_limit if room is not None else None


def _check_customer_limit(*, hold: Hold, email: str, parts, count: int, limit: int | None) -> None:
    """A queued on-sale may cap what one customer buys over all their orders, counted by
    email and by card, so that a second basket or a second name does not get round it."""
    if limit is None:
        return
    valid = Ticket.objects.filter(order__performance_id=hold.performance_id, status=Ticket.Status.VALID)
    by_email = valid.filter(order__customer__email__iexact=email).count()
    fingerprints = [card_fingerprint(r) for r, _a in parts if r.card_number]
    by_card = valid.filter(order__payments__card_fingerprint__in=[f for f in fingerprints if f],
                           order__payments__status=Payment.Status.APPROVED).distinct().count()
    if max(by_email, by_card) + count > limit:
        already = max(by_email, by_card)
        raise InvalidRequest(f"at most {limit} tickets per customer for this on-sale"
                             + (f"; you already have {already}" if already else ""), field="quantity")


def _validated_parts(policy, payment, payments, total):
    parts = _parts(payment, payments, total)
    for request, amount in parts:
        if request.method not in policy.payment_methods:
            raise InvalidRequest(f"{request.method} is not a payment method of this channel", field="method")
        PROVIDERS[request.method].validate(amount=amount, request=request)  # before any order exists
    return parts


def _create_order(*, hold, customer, total, currency, actor, idempotency_key, count,
                  status=Order.Status.PENDING, payment_deadline=None) -> Order:
    """The order, its customer (`_customer`) and its audit line, in one statement."""
    staff = _staff(actor)
    order = Order(performance_id=hold.performance_id, channel=hold.channel, hold=hold,
                  idempotency_key=idempotency_key or None, total=total, currency=currency, status=status,
                  payment_deadline=payment_deadline, created_by=staff)
    columns, values, params = rows.insert(order, customer_id="(SELECT id FROM customer)")
    customer_sql, customer_params = _customer(customer, actor)
    sql = f"""
        WITH {customer_sql},
        placed AS (INSERT INTO sales_order {columns} SELECT {values} RETURNING id),
        placed_audit AS (INSERT INTO sales_orderevent (order_id, action, detail, actor_id, at)
                         SELECT id, %s, %s, %s, %s FROM placed)
        SELECT placed.id, customer.id, customer.name, customer.email, customer.phone FROM placed, customer"""
    try:
        with inventory.attempt():
            (order.pk, *who), = rows.fetch(sql, [
                *customer_params, *params,
                "placed" if status == Order.Status.PENDING else "reserved",
                f"{count} tickets, {total} {currency}"[:300], staff.pk if staff else None, order.created_at])
    except IntegrityError as exc:
        # The same key raced us in another request: answer as that one does.
        existing = _by_key(idempotency_key) if idempotency_key else None
        if existing is not None:
            return existing
        if _constraint_of(exc) == "order_one_live_per_hold":
            # Another request (another key, or none) is paying for these seats: refused
            # before any card is charged.
            taken = rows.first(Order, "hold_id = %s AND status IN (%s, %s, %s)",
                               [hold.pk, Order.Status.PENDING, Order.Status.RESERVED, Order.Status.PAID])
            paying = taken is None or taken.status == Order.Status.PENDING
            raise (InProgress if paying else IllegalTransition)("these seats are already " + (
                f"order {taken.code} ({taken.get_status_display().lower()})" if taken else "being paid for")) from None
        raise
    order._state.adding, order._state.db = False, connection.alias
    order.customer = Customer.from_db(connection.alias, _CUSTOMER_FIELDS, who)
    return order


def _constraint_of(exc: IntegrityError) -> str | None:
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


def _charge(order, parts, actor, shift, *, fail_order: bool) -> list[tuple]:
    """Take each part of a payment. No transaction and no lock is open while the providers
    answer. A decline pays back the parts already taken, records the decline and raises."""
    charged = []
    for request, amount in parts:
        try:
            charge = PROVIDERS[request.method].charge(amount=amount, currency=order.currency, request=request)
        except Exception:
            # No answer from the provider (an outage, a timeout): what was taken is paid back
            # and the order fails, so that its hold can be paid for again (one live order
            # per hold), instead of staying "awaiting payment" for good.
            for done_request, done_amount, done in charged:
                _pay_back(order, done_request, done_amount, done.reference, "another part could not be taken",
                          actor, shift, fail=False)
            if fail_order:
                with transaction.atomic():
                    _fail(order, "the payment provider did not answer", actor)
            raise
        if not charge.approved:
            for done_request, done_amount, done in charged:
                _pay_back(order, done_request, done_amount, done.reference, "another part was declined",
                          actor, shift, fail=False)
            with transaction.atomic():
                Payment.objects.create(order=order, method=request.method, amount=amount, shift=shift,
                                       status=Payment.Status.DECLINED, message=charge.message,
                                       created_by=_staff(actor))
                if fail_order:
                    _fail(order, charge.message, actor)
            raise PaymentDeclined(charge.message or "payment declined")
        charged.append((request, amount, charge))
    return charged


def _record_charges(order, charged, actor, shift) -> None:
    for request, amount, charge in charged:
        Payment.objects.create(order=order, method=request.method, amount=amount, shift=shift,
                               status=Payment.Status.APPROVED, reference=charge.reference,
                               tendered=request.tendered, message=_payment_note(charge),
                               card_fingerprint=card_fingerprint(request), created_by=_staff(actor))


def _undo_charges(order, charged, exc, actor, shift, *, fail_order: bool):
    """Money was taken but nothing was sold: pay it back, whatever went wrong."""
    reason = {PlacesUnavailable: "the hold lapsed and the seats were sold to someone else"}.get(
        type(exc), getattr(exc, "message", None) or "the sale could not be completed")
    for request, amount, charge in charged:
        _pay_back(order, request, amount, charge.reference, reason, actor, shift, fail=fail_order)
    if isinstance(exc, PlacesUnavailable):
        return HoldNotActive("your hold lapsed and the seats were taken by another buyer"
                             + ("; the payment was refunded" if charged else ""))
    return exc


def _paid(order, hold, charged, actor, shift, from_status, now) -> inventory.Also:
    """The writes of a sale besides its places and tickets, in the same statement: the order
    paid (if it still is `from_status`: locked and checked after the places, the lock order
    of every service), its payments as taken, the hold sold and the audit line."""
    staff = _staff(actor)
    methods = " + ".join(f"{r.method} {a}" for r, a, _c in charged)
    parts = [(r.method, a, c.reference, _payment_note(c), r.tendered, card_fingerprint(r)) for r, a, c in charged]
    return inventory.Also(
        requires="EXISTS (SELECT FROM sales_order WHERE id = %s AND status = %s FOR UPDATE)",
        requires_params=(order.pk, from_status), refusal="the order was cancelled while the payment was taken",
        after=""",
            paid AS (
                UPDATE sales_order SET status = %s, paid_at = %s
                WHERE id = %s AND status = %s AND EXISTS (SELECT FROM moved) RETURNING id),
            payments AS (
                INSERT INTO sales_payment (order_id, shift_id, method, amount, status, reference, message, tendered,
                                           card_fingerprint, created_by_id, created_at)
                SELECT paid.id, %s, part.method, part.amount, %s, part.reference, part.message, part.tendered,
                       part.fingerprint, %s, %s
                FROM paid, unnest(%s::text[], %s::numeric[], %s::text[], %s::text[], %s::numeric[], %s::text[])
                           WITH ORDINALITY AS part(method, amount, reference, message, tendered, fingerprint, n)
                ORDER BY part.n),
            sold AS (UPDATE sales_hold SET status = %s WHERE id = %s AND EXISTS (SELECT FROM paid)),
            paid_audit AS (INSERT INTO sales_orderevent (order_id, action, detail, actor_id, at)
                           SELECT paid.id, 'paid', %s, %s, %s FROM paid)""",
        after_params=(
            Order.Status.PAID, now, order.pk, from_status,
            shift.pk if shift else None, Payment.Status.APPROVED, staff.pk if staff else None, now,
            *([list(column) for column in zip(*parts, strict=True)] if parts else [[]] * 6),
            Hold.Status.SOLD, hold.pk,
            f"{methods} {order.currency}"[:300], staff.pk if staff else None, now))


def _charge_and_sell(*, order, hold, parts, place_ids, actor, shift, from_status) -> Order:
    pending = from_status == Order.Status.PENDING
    charged = _charge(order, parts, actor, shift, fail_order=pending)
    now = timezone.now()
    try:
        with inventory.attempt():
            # One statement: places sold, tickets issued, order paid, payments and audit.
            order.issued = inventory.sell(hold=hold, order=order, now=now, actor=actor, place_ids=place_ids,
                                          also=_paid(order, hold, charged, actor, shift, from_status, now))
    except Exception as exc:
        if not isinstance(exc, SalesError) and _sale_committed(order):
            # Outside a transaction the statement commits as it returns: whatever failed
            # after it (the connection, reading its answer) must not pay back a sale that stands.
            logger.exception("order %s is paid; an error after its sale is ignored", order.code)
        else:
            raised = _undo_charges(order, charged, exc, actor, shift, fail_order=pending)
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
    order.change_due = sum((c.change_due for _r, _a, c in charged), Decimal("0"))
    return order


def _sale_committed(order: Order) -> bool:
    """Did this order's sale statement commit, whatever was raised after it? (Inside a
    caller's transaction it was rolled back with its savepoint.)"""
    if connection.in_atomic_block:
        return False
    try:
        return Order.objects.filter(pk=order.pk, status=Order.Status.PAID).exists()
    except DatabaseError:
        return False  # unknown: treated as not committed, so the charge is paid back


@dataclass(frozen=True)
class ExchangeQuote:
    """What an exchange would cost: positive = the customer pays, negative = paid back."""
    old_total: Decimal
    new_total: Decimal
    currency: str

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.old_total


def _exchange_checks(order: Order, ticket_ids, hold: Hold,
                     now: datetime) -> tuple[list[Ticket], list[int], ExchangeQuote]:
    if order.status != Order.Status.PAID:
        raise IllegalTransition(f"order {order.code} is {order.get_status_display().lower()}; "
                                "only a paid order can be exchanged")
    valid = {t.pk: t for t in order.tickets.select_related("place__seat", "place__section")
             .filter(status=Ticket.Status.VALID)}
    wanted = set(ticket_ids)
    if not wanted:
        raise InvalidRequest("tick the tickets to exchange", field="tickets")
    if not wanted <= valid.keys():
        raise InvalidRequest("some of those are not valid tickets of this order", field="tickets")
    old = [valid[pk] for pk in sorted(wanted)]
    if any(t.checked_in_at for t in old):
        raise IllegalTransition("a ticket to exchange has already been used at the door")
    if order.performance.starts_at <= now:
        raise IllegalTransition("this performance has already begun; its tickets cannot be exchanged")
    if hold.status != Hold.Status.ACTIVE or not hold_is_live(hold, now):
        raise HoldNotActive("the hold on the new seats lapsed; pick them again")
    if hold.performance.event_id != order.performance.event_id:
        raise InvalidRequest("an exchange stays within the same event", field="performance")
    if hold.performance_id != order.performance_id and len(old) != len(valid):
        raise InvalidRequest("to move to another performance, exchange every ticket of the order",
                             field="tickets")
    new_total, currency, place_ids = hold_total(hold)
    if not place_ids:
        raise HoldNotActive("the hold has no places; pick the new seats again")
    if currency != order.currency:
        raise InvalidRequest("the new seats are priced in another currency")
    if len(valid) - len(old) + len(place_ids) > hold.performance.ticket_limit:
        raise InvalidRequest(f"at most {hold.performance.ticket_limit} tickets per order", field="quantity")
    if len(place_ids) > len(old):
        _check_customer_limit(hold=hold, email=order.customer.email, parts=[], count=len(place_ids) - len(old),
                              limit=customer_limit(hold.performance_id))
    return old, place_ids, ExchangeQuote(sum((t.price for t in old), Decimal("0")), new_total, currency)


def exchange_quote(*, order: Order, ticket_ids, hold: Hold, now: datetime | None = None) -> ExchangeQuote:
    return _exchange_checks(order, ticket_ids, hold, now or timezone.now())[2]


def order_exchange(*, order: Order, ticket_ids, hold: Hold, actor, shift=None,
                   payments: list[PaymentRequest] | None = None, approver=None,
                   now: datetime | None = None) -> Order:
    """Exchange tickets of a paid order for the places in `hold`, in one step and one order:
    the old places go back on sale, the new ones are sold into the same order, and only the
    difference changes hands: charged with `payments`, or paid back the way the order was
    paid, within the refund limit of the clerk (or of the `approver` who signs for them)."""
    now = now or timezone.now()
    policy = policy_for(hold.channel)
    if not policy.allows(actor):
        raise NotPermitted(f"you may not sell through the {hold.channel} channel")
    order.refresh_from_db()
    hold.refresh_from_db()
    old, place_ids, quote = _exchange_checks(order, ticket_ids, hold, now)
    difference = quote.difference
    signer = approver or actor
    if difference < 0 and not may_refund(signer, -difference):
        raise NotPermitted(f"paying back {-difference} {quote.currency} needs a supervisor")
    parts = _validated_parts(policy, None, payments, difference) if difference > 0 else []
    charged = _charge(order, parts, actor, shift, fail_order=False)
    payback: list[tuple[Payment, Decimal]] = []
    try:
        with transaction.atomic():
            if not Order.objects.select_for_update().filter(pk=order.pk, status=Order.Status.PAID).exists():
                raise IllegalTransition("the order changed meanwhile; look it up again")
            if Ticket.objects.filter(pk__in=[t.pk for t in old], checked_in_at__isnull=False).exists():
                raise IllegalTransition("a ticket to exchange has just been used at the door")
            if difference < 0:
                payback = payback_plan(order, -difference)
                if shift is None and any(p.method == "cash" for p, _a in payback):
                    raise InvalidRequest("open a shift: part of the difference is paid back in cash")
            inventory.return_to_sale(order=order, tickets=old, now=now, actor=actor)
            new = inventory.sell(hold=hold, order=order, now=now, actor=actor, place_ids=place_ids)
            Order.objects.filter(pk=order.pk).update(total=F("total") + difference,
                                                     performance_id=hold.performance_id)
            _record_charges(order, charged, actor, shift)
            for paid, amount in payback:
                Payment.objects.create(order=order, method=paid.method, amount=-amount, shift=shift,
                                       status=Payment.Status.REFUNDED, reference=paid.reference, refund_of=paid,
                                       created_by=_staff(actor), message="exchange: difference paid back")
            Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.SOLD)
            labels = Place.objects.in_bulk([t.place_id for t in new])
            _record(order, "exchanged", f"{', '.join(str(t.place) for t in old)} → "
                    f"{', '.join(str(labels[t.place_id]) for t in new)}; difference {difference:+} {quote.currency}",
                    actor)
            if signer.pk != actor.pk:
                _record(order, "exchange approved", f"at the counter of {actor.get_username()}", signer)
            perfs = {order.performance_id, hold.performance_id}
            # Robust: once committed the exchange stands, whatever a callback meets.
            transaction.on_commit(lambda: [availability_changed(p) for p in perfs], robust=True)
            transaction.on_commit(lambda: _send_again(order), robust=True)
    except Exception as exc:
        raised = _undo_charges(order, charged, exc, actor, shift, fail_order=False)
        if raised is exc:
            raise
        raise raised from None
    for paid, amount in payback:  # committed first, so a retry cannot pay back twice
        PROVIDERS[paid.method].refund(amount=amount, reference=paid.reference)
    order.refresh_from_db()
    order.change_due = sum((c.change_due for _r, _a, c in charged), Decimal("0"))
    return order


def refundable(order: Order) -> list[tuple[Payment, Decimal]]:
    """Each approved payment of the order with what can still be paid back to it (its
    amount less the refunds already made against it), latest first."""
    rows = (order.payments.filter(status=Payment.Status.APPROVED)
            .annotate(back=Coalesce(Sum("refunds__amount"), Decimal("0"))).order_by("-pk"))
    return [(p, p.amount + p.back) for p in rows if p.amount + p.back > 0]


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
    raise IllegalTransition(f"the order's payments cannot cover a payback of {amount}")


def _send_again(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(confirmation_sent_at=None)
    enqueue.send_order_confirmation(order.pk)


def _pay_back(order, request, amount, reference, reason, actor, shift, fail=True) -> None:
    PROVIDERS[request.method].refund(amount=amount, reference=reference)
    with transaction.atomic():
        Payment.objects.create(order=order, method=request.method, amount=amount, shift=shift,
                               status=Payment.Status.REFUNDED, reference=reference,
                               message=f"refunded: {reason}"[:300], created_by=_staff(actor))
        if fail:
            Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
                status=Order.Status.FAILED, failure_reason=reason[:300])
            _record(order, "failed", reason, actor)


def order_reserve(*, hold: Hold | None = None, hold_token: str | None = None, customer: CustomerDetails,
                  deadline: datetime, actor, idempotency_key: str | None = None,
                  now: datetime | None = None) -> Order:
    """A reservation to pay later for everything in `hold` (or the hold whose token is
    `hold_token`): the places stay in the hold until `deadline`, then lapse by themselves
    (the Celery sweep only marks the order and tidies)."""
    now = now or timezone.now()
    if hold is None:
        hold = Hold.objects.select_related("performance").filter(token=hold_token).first()
        if hold is None:
            raise InvalidRequest("no such hold", field="hold")
    policy = policy_for(hold.channel)
    if not policy.allows(actor) or policy.reservation_for is None:
        raise NotPermitted("this channel cannot make reservations to pay later")
    if idempotency_key:
        existing = _by_key(idempotency_key)
        if existing is not None:
            return _replay(existing, hold)
    if not now < deadline <= now + policy.reservation_for:
        raise InvalidRequest(f"the deadline must be within {policy.reservation_for.days} days from now",
                             field="deadline")
    if deadline >= hold.performance.starts_at:
        raise InvalidRequest("the deadline must be before the performance", field="deadline")
    customer = _clean_customer(customer)
    if not hold_is_live(hold, now):
        raise HoldNotActive("the hold has lapsed; hold the seats again")
    taken = _order_of_hold(hold)
    if taken is not None:
        raise IllegalTransition(f"these seats are already order {taken.code} ({taken.get_status_display().lower()})")
    total, currency, place_ids = hold_total(hold)
    try:
        with transaction.atomic():
            if inventory.extend(hold=hold, until=deadline, now=now) != len(place_ids):
                raise HoldNotActive("some of the seats are no longer held; hold them again")
            Hold.objects.filter(pk=hold.pk).update(expires_at=deadline)
            order = _create_order(hold=hold, customer=customer, total=total, currency=currency, actor=actor,
                                  idempotency_key=idempotency_key, count=len(place_ids),
                                  status=Order.Status.RESERVED, payment_deadline=deadline)
            if order.hold_id != hold.pk or order.payment_deadline != deadline:
                raise _Raced(order)  # the same key's first request: its answer, and none of this one's writes
    except _Raced as raced:
        return _replay(raced.order, hold)
    return order


class _Raced(Exception):
    def __init__(self, order: Order):
        super().__init__(order.code)
        self.order = order


def order_pay_reservation(*, order: Order, payment: PaymentRequest | None = None,
                          payments: list[PaymentRequest] | None = None, actor=None, shift=None) -> Order:
    policy = policy_for(order.channel)
    if not (policy.allows(actor) or policy_for(Channel.COUNTER).allows(actor)):
        raise NotPermitted("staff only")
    order.refresh_from_db()
    if order.status != Order.Status.RESERVED:
        raise IllegalTransition(f"order {order.code} is {order.get_status_display().lower()}, not a reservation")
    now = timezone.now()
    if order.payment_deadline <= now:
        raise HoldNotActive("the reservation lapsed at its deadline; its seats were released")
    hold = order.hold
    total, _currency, place_ids = hold_total(hold)
    method_policy = policy_for(Channel.COUNTER) if shift is not None else policy
    parts = _validated_parts(method_policy, payment, payments, total)
    # One payment at a time (compare-and-set, no lock held while the provider answers): a
    # second at once (two operators, a double click) is refused before its card is charged.
    # A claim left by a request that died lapses after PAYING_FOR.
    if not Order.objects.filter(pk=order.pk, status=Order.Status.RESERVED).filter(
            Q(payment_started_at__isnull=True) | Q(payment_started_at__lt=now - PAYING_FOR)).update(
            payment_started_at=now):
        raise InProgress(f"order {order.code} is being paid right now")
    try:
        return _charge_and_sell(order=order, hold=hold, parts=parts, place_ids=place_ids, actor=actor,
                                shift=shift, from_status=Order.Status.RESERVED)
    except Exception:  # (not a worker killed mid-charge: then the claim lapses by itself)
        Order.objects.filter(pk=order.pk, status=Order.Status.RESERVED, payment_started_at=now).update(
            payment_started_at=None)
        raise


PAYING_FOR = timedelta(minutes=2)


def orders_abandoned_tidy(*, now: datetime | None = None) -> int:
    """Orders still awaiting payment long after any request could be paying them (a worker
    killed while the provider answered): failed, so that their holds can be paid for
    again. Nothing was sold to them (a sale marks its order paid in the same statement)."""
    now = now or timezone.now()
    stale = list(Order.objects.filter(status=Order.Status.PENDING, created_at__lt=now - ABANDONED_AFTER))
    for order in stale:
        with transaction.atomic():
            if Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
                    status=Order.Status.FAILED, failure_reason="abandoned while being paid"):
                _record(order, "failed", "abandoned while being paid")
    return len(stale)


ABANDONED_AFTER = timedelta(minutes=30)
INTERRUPTED = "the payment was interrupted before it completed; nothing was sold"


def order_interrupted(*, idempotency_key: str) -> bool:
    """The request placing the order with this key died before answering (the caller
    knows it: sales.api.idempotency). An order still awaiting payment then fails, so that
    its hold can be paid for again at once, rather than after ABANDONED_AFTER. Nothing was
    sold to it: a sale marks its order paid in the same statement. The built-in providers
    answer within the request, so nothing was taken either; a provider that charges out of
    band is asked by its reconciliation."""
    order = _by_key(idempotency_key) if idempotency_key else None
    if order is None:
        return False
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
                status=Order.Status.FAILED, failure_reason=INTERRUPTED):
            return False
        _record(order, "failed", INTERRUPTED)
    return True


def reservations_tidy(*, now: datetime | None = None) -> int:
    """Reservations past their deadline: the order is cancelled (its places already lapsed
    at the deadline and count as free)."""
    now = now or timezone.now()
    lapsed = list(Order.objects.filter(status=Order.Status.RESERVED, payment_deadline__lte=now))
    for order in lapsed:
        with transaction.atomic():
            if Order.objects.filter(pk=order.pk, status=Order.Status.RESERVED).update(
                    status=Order.Status.CANCELLED, failure_reason="not paid by the deadline"):
                _record(order, "reservation lapsed", f"deadline {order.payment_deadline:%Y-%m-%d %H:%M}")
    return len(lapsed)


def _payment_note(charge) -> str:
    return f"change due {charge.change_due}" if charge.change_due else charge.message


def _staff(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _fail(order: Order, reason: str, actor) -> None:
    Order.objects.filter(pk=order.pk).update(status=Order.Status.FAILED, failure_reason=reason[:300])
    order.status, order.failure_reason = Order.Status.FAILED, reason[:300]
    _record(order, "failed", reason, actor)


def _replay(existing: Order, hold: Hold) -> Order:
    if existing.hold_id != hold.pk:
        raise IdempotencyConflict("this idempotency key was used for another order")
    if existing.status == Order.Status.FAILED and existing.failure_reason == INTERRUPTED:
        raise PaymentInterrupted(INTERRUPTED + "; pay again with a new idempotency key"
                                 + ("" if hold_is_live(hold) else " after holding the seats again"))
    if existing.status == Order.Status.FAILED:  # the declined attempt sent again: still declined
        raise PaymentDeclined(existing.failure_reason or "payment failed")
    return existing


def order_refund(*, order: Order, actor=None, shift=None, approver=None, now: datetime | None = None) -> Order:
    """Refund a paid order in full: tickets void, places back on sale, and every payment
    paid back what it still holds (an exchange may already have paid some back).
    The limit is the `approver`'s (a supervisor signing for the clerk), else the actor's;
    `actor=None` is the system itself (no role limit applies)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PAID:
            raise IllegalTransition(f"order {order.code} is {order.get_status_display().lower()}; "
                                    "only a paid order can be refunded")
        plan = refundable(order)
        amount = sum((a for _p, a in plan), Decimal("0"))
        signer = approver or actor
        if signer is not None and not may_refund(signer, amount):
            raise NotPermitted(f"a refund of {amount} {order.currency} needs a supervisor")
        tickets = list(order.tickets.filter(status=Ticket.Status.VALID))
        if any(t.checked_in_at for t in tickets):
            raise IllegalTransition("a ticket of this order has already been used at the door")
        inventory.return_to_sale(order=order, tickets=tickets, now=now, actor=actor)
        for paid, back in plan:  # each method paid back its own way (cash from the clerk's drawer)
            Payment.objects.create(order=order, method=paid.method, amount=-back, shift=shift,
                                   status=Payment.Status.REFUNDED, reference=paid.reference, refund_of=paid,
                                   created_by=_staff(actor), message="refund")
        order.status = Order.Status.REFUNDED
        order.save(update_fields=["status"])
        _record(order, "refunded", f"{amount} {order.currency}", actor)
        if signer is not None and actor is not None and signer.pk != actor.pk:
            _record(order, "refund approved", f"at the counter of {actor.get_username()}", signer)
        transaction.on_commit(lambda: availability_changed(order.performance_id), robust=True)
    # The order is already REFUNDED, so a retried refund cannot pay back twice; the
    # providers are called with no transaction open.
    for paid, back in plan:
        PROVIDERS[paid.method].refund(amount=back, reference=paid.reference)
    return order


def order_cancel(*, order: Order, actor=None) -> Order:
    """Give up an order that was never paid: its hold (if still live) is released."""
    with transaction.atomic():
        hold = order.hold
        if hold is not None and Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE).exists():
            hold_release(hold=hold, actor=actor)  # places first, as everywhere
        if not Order.objects.filter(pk=order.pk, status__in=(Order.Status.PENDING, Order.Status.FAILED,
                                                             Order.Status.RESERVED)
                                    ).update(status=Order.Status.CANCELLED):
            order.refresh_from_db()
            raise IllegalTransition(f"order {order.code} is {order.get_status_display().lower()}; "
                                    "a paid order is refunded, not cancelled")
        _record(order, "cancelled", "", actor)
    order.refresh_from_db()
    return order


def customer_register(*, details: CustomerDetails, user=None) -> Customer:
    """Find the customer by email, or create them (phone console)."""
    return customer_for(_clean_customer(details), user)
