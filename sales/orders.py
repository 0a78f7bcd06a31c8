"""Orders: placed from a live hold in one service call, paid, refunded.

The payment provider is called with no transaction and no row lock open: the places
are protected by the hold meanwhile, and the sale is confirmed afterwards by a fresh
guarded update that fails cleanly (and pays back) if the hold lapsed and the seats
were taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import inventory
from .availability import availability_changed
from .channels.policy import may_refund, policy_for
from .errors import (
    HoldNotActive,
    IdempotencyConflict,
    IllegalTransition,
    InvalidRequest,
    NotPermitted,
    PaymentDeclined,
    PlacesUnavailable,
)
from .models import Customer, Hold, Order, OrderEvent, Payment, Place, Ticket
from .payments import PROVIDERS, PaymentRequest


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


def customer_for(details: CustomerDetails, user=None) -> Customer:
    customer = Customer.objects.filter(email__iexact=details.email).order_by("pk").first()
    if customer is None:
        return Customer.objects.create(
            name=details.name, email=details.email, phone=details.phone,
            user=user if user is not None and user.is_authenticated else None)
    if details.phone and not customer.phone:
        customer.phone = details.phone
        customer.save(update_fields=["phone"])
    return customer


def _record(order: Order, action: str, detail: str = "", actor=None) -> None:
    OrderEvent.objects.create(order=order, action=action, detail=detail[:300],
                              actor=actor if actor is not None and actor.is_authenticated else None)


def hold_total(hold: Hold) -> tuple[Decimal, str, list[int]]:
    """Price of the hold's places: computed here from the price zones, never taken from
    the request, over exactly the places `inventory.sell` will sell."""
    rows = list(Place.objects.filter(pk__in=inventory.places_of_hold(hold))
                .values_list("pk", "price_zone__price", "price_zone__currency"))
    currencies = {currency for _pk, _price, currency in rows}
    if len(currencies) > 1:
        raise InvalidRequest("the held places are priced in different currencies")
    total = sum((price for _pk, price, _c in rows), Decimal("0"))
    return total, (currencies.pop() if rows else "CAD"), [pk for pk, _p, _c in rows]


def order_place(
    *,
    hold: Hold,
    customer: CustomerDetails,
    payment: PaymentRequest,
    actor=None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Place and pay an order for everything in `hold`. With an idempotency key, a retry
    returns the first order instead of selling twice."""
    policy = policy_for(hold.channel)
    if not policy.allows(actor):
        raise NotPermitted(f"you may not sell through the {hold.channel} channel")
    if idempotency_key:
        existing = Order.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, hold)
    if payment.method not in policy.payment_methods:
        raise InvalidRequest(f"{payment.method} is not a payment method of this channel",
                             field="method")
    customer = _clean_customer(customer)
    if hold.status in (Hold.Status.RELEASED, Hold.Status.SOLD):
        raise HoldNotActive(f"this hold is {hold.get_status_display().lower()}; hold the seats again")
    total, currency, place_ids = hold_total(hold)
    count = len(place_ids)
    if count == 0:
        raise HoldNotActive("the hold has no places; hold the seats again")
    provider = PROVIDERS[payment.method]
    provider.validate(amount=total, request=payment)  # bad input: refused before any order exists

    try:
        with transaction.atomic():
            order = Order.objects.create(
                performance_id=hold.performance_id, customer=customer_for(customer, actor),
                channel=hold.channel, hold=hold, idempotency_key=idempotency_key or None,
                total=total, currency=currency, status=Order.Status.PENDING,
                created_by=_staff(actor),
            )
            _record(order, "placed", f"{count} tickets, {total} {currency}", actor)
    except IntegrityError:
        # The same key raced us in another request: answer as that one does.
        existing = Order.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _replay(existing, hold)

    # No transaction and no lock is open while the provider answers.
    charge = provider.charge(amount=total, currency=currency, request=payment)
    if not charge.approved:
        with transaction.atomic():
            Payment.objects.create(order=order, method=payment.method, amount=total,
                                   status=Payment.Status.DECLINED, message=charge.message,
                                   created_by=_staff(actor))
            _fail(order, charge.message, actor)
        raise PaymentDeclined(charge.message or "payment declined")

    try:
        with transaction.atomic():
            # Places first, then the order and hold rows: the lock order of every service.
            inventory.sell(hold=hold, order=order, now=timezone.now(), actor=actor, place_ids=place_ids)
            if not Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
                    status=Order.Status.PAID, paid_at=timezone.now()):
                raise IllegalTransition("the order was cancelled while the payment was taken")
            Payment.objects.create(order=order, method=payment.method, amount=total,
                                   status=Payment.Status.APPROVED, reference=charge.reference,
                                   message=_payment_note(charge), created_by=_staff(actor))
            Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.SOLD)
            _record(order, "paid", f"{payment.method} {total} {currency}", actor)
            transaction.on_commit(lambda: _after_sale(order))
    except Exception as exc:
        # Money was taken but nothing was sold: pay it back, whatever went wrong.
        reason = {PlacesUnavailable: "the hold lapsed and the seats were sold to someone else"}.get(
            type(exc), getattr(exc, "message", None) or "the sale could not be completed")
        _pay_back(order, provider, payment.method, total, charge.reference, reason, actor)
        if isinstance(exc, PlacesUnavailable):
            raise HoldNotActive("your hold lapsed and the seats were taken by another buyer; "
                                "the payment was refunded") from None
        raise
    order.status, order.change_due = Order.Status.PAID, charge.change_due
    return order


def _pay_back(order, provider, method, total, reference, reason, actor) -> None:
    provider.refund(amount=total, reference=reference)
    with transaction.atomic():
        Payment.objects.create(order=order, method=method, amount=total,
                               status=Payment.Status.REFUNDED, reference=reference,
                               message=f"refunded: {reason}"[:300], created_by=_staff(actor))
        Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
            status=Order.Status.FAILED, failure_reason=reason[:300])
        _record(order, "failed", reason, actor)


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
    return existing


def _after_sale(order: Order) -> None:
    from .tasks import send_order_confirmation

    availability_changed(order.performance_id)
    send_order_confirmation.delay(order.pk)


def order_refund(*, order: Order, actor=None, now: datetime | None = None) -> Order:
    """Refund a paid order in full: tickets void, places back on sale, payment returned.
    `actor=None` is the system itself (no role limit applies)."""
    now = now or timezone.now()
    if actor is not None and not may_refund(actor, order.total):
        raise NotPermitted(f"a refund of {order.total} {order.currency} needs a supervisor")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PAID:
            raise IllegalTransition(f"order {order.code} is {order.get_status_display().lower()}; "
                                    "only a paid order can be refunded")
        tickets = list(order.tickets.filter(status=Ticket.Status.VALID))
        if any(t.checked_in_at for t in tickets):
            raise IllegalTransition("a ticket of this order has already been used at the door")
        inventory.return_to_sale(order=order, tickets=tickets, now=now, actor=actor)
        paid = list(order.payments.filter(status=Payment.Status.APPROVED))
        amount = sum((p.amount for p in paid), Decimal("0"))
        Payment.objects.create(order=order, method=paid[0].method if paid else "cash",
                               amount=-amount, status=Payment.Status.REFUNDED,
                               created_by=_staff(actor), message="refund")
        order.status = Order.Status.REFUNDED
        order.save(update_fields=["status"])
        _record(order, "refunded", f"{amount} {order.currency}", actor)
        transaction.on_commit(lambda: availability_changed(order.performance_id))
    # The order is already REFUNDED, so a retried refund cannot pay back twice; the
    # providers are called with no transaction open.
    for payment in paid:
        PROVIDERS[payment.method].refund(amount=payment.amount, reference=payment.reference)
    return order


def order_cancel(*, order: Order, actor=None) -> Order:
    """Give up an order that was never paid: its hold (if still live) is released."""
    from .holds import hold_release

    with transaction.atomic():
        hold = order.hold
        if hold is not None and Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE).exists():
            hold_release(hold=hold, actor=actor)  # places first, as everywhere
        if not Order.objects.filter(pk=order.pk, status__in=(Order.Status.PENDING, Order.Status.FAILED)
                                    ).update(status=Order.Status.CANCELLED):
            order.refresh_from_db()
            raise IllegalTransition(f"order {order.code} is {order.get_status_display().lower()}; "
                                    "a paid order is refunded, not cancelled")
        _record(order, "cancelled", "", actor)
    order.refresh_from_db()
    return order
