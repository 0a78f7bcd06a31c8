"""A person's personal data erased at their request (Québec's Law 25, the GDPR), the
accounting records kept: what was sold, paid and refunded, for how much and when, as tax
law requires. docs/operations.md ("Personal data") says what goes, what stays and why.

Erased: the customer records of the person's mailbox (name, address, phone, notes,
language, the account they were linked to), their notes, the name and phone typed on each
of their orders, their cards' fingerprints, their ballot entries' names and addresses, and
every copy of these quoted in an order's text (its failure or comps reason, its audit
lines, its payments' notes, its hold's price choices) and in the API's stored answers.
Kept: orders, tickets, places, payments with their amounts, methods, states, dates and the
provider's reference (what a refund or the provider's reconciliation needs), and the audit
trail's lines themselves, so every report, settlement and export adds up as before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Performance

from . import rows
from .errors import IllegalTransition, NotPermitted
from .formatting import WALK_IN_EMAIL
from .models import (
    ERASED_DOMAIN,
    ERASED_NAME,
    NOT_YET_TAKEN,
    REFUND_REFUSED,
    BallotEntry,
    Customer,
    CustomerNote,
    Hold,
    IdempotencyRecord,
    Order,
    OrderEvent,
    Payment,
    Ticket,
    erased_email,
    mailbox,
)
from .orders.customers import ERASURE_TURN
from .orders.limits import MAILBOX_SQL
from .orders.status import record
from .policy import erases_personal_data
from .tickets import ON_THE_DAY

# What stands in, in a text kept for its other words (an audit line, a stored API answer),
# for a name, an address or a phone number erased from it.
REDACTED = "[…]"
# The audit line written on each of the person's orders (in English, as the others are):
# who erased and when, nothing of what was erased.
ERASED = "personal data erased"


@dataclass(frozen=True)
class Erasure:
    """What erasing the data of the person at `email` does (or did): their customer records
    (one per way of writing their mailbox), their orders, ballot entries and notes; or why
    it may not be done yet (`refusals`, each naming the order, performance or ballot)."""

    email: str
    customers: list[Customer]
    orders: list[Order]
    ballot_entries: list[BallotEntry]
    notes: int
    refusals: list[str]
    already_erased: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.customers or self.ballot_entries)


def erasure_plan(*, email: str, now: datetime | None = None) -> Erasure:
    """What customer_erase would erase for `email`, or why it would refuse: read only."""
    return _plan(email, now or timezone.now(), lock=False)


def customer_erase(*, email: str, actor, now: datetime | None = None) -> Erasure:
    """Erase the personal data of the person at `email` (as the organizer `actor`), in one
    transaction, or refuse (IllegalTransition, naming what blocks it) while they have
    something still running that needs it. Erasing again finds nothing and changes nothing
    (the Erasure says so: `anything` false, `already_erased` for a record erased before)."""
    if not erases_personal_data(actor):
        raise NotPermitted(_("only the organizer erases a customer's personal data"))
    with transaction.atomic():
        plan = _plan(email, now or timezone.now(), lock=True)
        if plan.refusals:
            raise IllegalTransition("; ".join(plan.refusals), refusals=plan.refusals)
        if plan.anything:
            _erase(plan, actor)
    return plan


def _plan(email: str, now: datetime, *, lock: bool) -> Erasure:
    email = email.strip()
    if email.lower() == WALK_IN_EMAIL:
        return Erasure(email, [], [], [], 0, [_("this is the counter's record of nobody in particular, not a person")])
    if erased_email(email):
        return Erasure(email, [], [], [], 0, [], already_erased=True)
    box = mailbox(email)
    if lock:  # first: an order creating a record of the mailbox has committed it, or waits
        rows.fetch(f"SELECT {ERASURE_TURN}", [box])
    ids = [pk for (pk,) in rows.fetch(f"SELECT c.id FROM sales_customer c WHERE {MAILBOX_SQL} = %s", [box])]
    customers = Customer.objects.filter(pk__in=ids).order_by("pk")
    orders = Order.objects.filter(customer__in=ids).select_related("performance__event", "performance__venue")
    entries = BallotEntry.objects.filter(Q(mailbox=box) | Q(email__iexact=email)).select_related(
        "ballot__performance__event", "ballot__performance__venue", "ballot__zone").order_by("pk")
    if lock:  # in primary-key order, as every lock is taken (no deadlock with a sale)
        customers = customers.select_for_update(of=("self",))
        orders = orders.select_for_update(of=("self",))
        entries = entries.select_for_update(of=("self",))
    customers, orders, entries = list(customers), list(orders.order_by("pk")), list(entries)
    notes = CustomerNote.objects.filter(customer__in=ids).count()
    return Erasure(email, customers, orders, entries, notes, _refusals(orders, entries, now))


def _refusals(orders: list[Order], entries: list[BallotEntry], now: datetime) -> list[str]:
    """What still needs the person's data: an order not paid yet, valid tickets for a
    performance not over (or cancelled, not yet paid back), a refund the provider has not
    made, an application not drawn yet, a ballot won and not yet paid."""
    said = []
    for order in orders:
        if order.status in (Order.Status.PENDING, Order.Status.RESERVED):
            said.append(_("order %(code)s is not paid yet (%(status)s): cancel it, or wait until it is paid or "
                          "lapses") % {"code": order.code, "status": order.get_status_display().lower()})
    running = (Ticket.objects.filter(order__in=orders, status=Ticket.Status.VALID)
               .filter(Q(place__performance__starts_at__gt=now - ON_THE_DAY)
                       | Q(place__performance__cancelled_at__isnull=False))
               .values_list("order_id", "place__performance_id").distinct().order_by("order_id"))
    by_pk = {order.pk: order for order in orders}
    for order_id, performance_id in running:
        order = by_pk[order_id]
        perf = (order.performance if order.performance_id == performance_id  # else exchanged from another date
                else Performance.objects.select_related("event", "venue").get(pk=performance_id))
        if perf.cancelled_at is not None:
            said.append(_("order %(code)s has valid tickets for %(performance)s, which was cancelled: refund it "
                          "first") % {"code": order.code, "performance": perf})
        else:
            said.append(_("order %(code)s has valid tickets for %(performance)s, which is not over yet: refund it "
                          "first, or wait until the performance is over") % {"code": order.code, "performance": perf})
    owed = (Payment.objects.filter(order__in=orders, status=Payment.Status.REFUNDED)
            .filter(message__in=(*NOT_YET_TAKEN, REFUND_REFUSED)).values_list("order_id", "message").distinct())
    for order_id, message in sorted(set(owed)):
        if message == REFUND_REFUSED:
            said.append(_("order %(code)s has a refund the payment provider refused: settle it first (paid back "
                          "by other means)") % {"code": by_pk[order_id].code})
        else:
            said.append(_("order %(code)s has a card refund the payment provider has not made yet: wait until it "
                          "has") % {"code": by_pk[order_id].code})
    for entry in entries:
        if entry.status in (BallotEntry.Status.UNCONFIRMED, BallotEntry.Status.APPLIED):
            said.append(_("their application (%(ballot)s) is not drawn yet: wait for the draw") % {
                "ballot": entry.ballot})
        elif entry.status == BallotEntry.Status.WON:
            said.append(_("they won a ballot (%(ballot)s) and its seats are held for them until they pay: wait "
                          "until they pay or the deadline passes") % {"ballot": entry.ballot})
    return said


def _erase(plan: Erasure, actor) -> None:
    orders = [order.pk for order in plan.orders]
    typed = [plan.email]
    for customer in plan.customers:
        typed += [customer.name, customer.email, customer.phone]
    for order in plan.orders:
        typed += [order.buyer_name, order.buyer_phone]
    for entry in plan.ballot_entries:
        typed += [entry.name, entry.email]
    # Longest first: a name is taken out whole before a part of it that is also typed.
    words = sorted({word.strip() for word in typed if word.strip()}, key=len, reverse=True)
    quoted = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)

    for order in plan.orders:
        Order.objects.filter(pk=order.pk).update(
            buyer_name="", buyer_phone="", failure_reason=_redacted(order.failure_reason, quoted),
            comp_reason=_redacted(order.comp_reason, quoted), receipt=_redacted(order.receipt, quoted))
    _redact_rows(OrderEvent.objects.filter(order__in=orders), "detail", quoted)
    _redact_rows(Payment.objects.filter(order__in=orders), "message", quoted)
    # The card's fingerprint counts one card's purchases against a per-customer limit; a
    # refund goes back through the provider's own reference, which stays.
    Payment.objects.filter(order__in=orders).exclude(card_fingerprint="").update(card_fingerprint="")
    _redact_rows(Hold.objects.filter(orders__in=orders).distinct(), "price_choices", quoted)
    # The API's stored answers quoting the person: found by their orders' codes or address.
    found = Q(pk__in=[])
    for word in [order.code for order in plan.orders] + [w for w in words if "@" in w]:
        found |= Q(response_text__icontains=word)
    _redact_rows(IdempotencyRecord.objects.alias(response_text=Cast("response", TextField())).filter(found),
                 "response", quoted)

    for entry in plan.ballot_entries:
        stand_in = f"erased-entry-{entry.pk}@{ERASED_DOMAIN}"
        BallotEntry.objects.filter(pk=entry.pk).update(name=ERASED_NAME, email=stand_in, mailbox=mailbox(stand_in))
    ids = [customer.pk for customer in plan.customers]
    CustomerNote.objects.filter(customer__in=ids).delete()
    for customer in plan.customers:
        # Unique to the record, at a reserved domain (RFC 2606): no real address matches it.
        customer.name, customer.email = ERASED_NAME, f"erased-{customer.pk}@{ERASED_DOMAIN}"
        customer.phone = customer.notes = customer.language = ""
        customer.user = None
        customer.save(update_fields=["name", "email", "phone", "notes", "language", "user"])
    # The admin's own history of changes to the records names them as they were.
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Customer),
                            object_id__in=[str(pk) for pk in ids]).update(object_repr=REDACTED, change_message="")
    for order in plan.orders:
        record(order, ERASED, actor=actor)


def _redacted(value, quoted: re.Pattern):
    """`value` (a text, or JSON of texts) with every quote of the person's data replaced."""
    if isinstance(value, str):
        return quoted.sub(REDACTED, value)
    if isinstance(value, list):
        return [_redacted(item, quoted) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item, quoted) for key, item in value.items()}
    return value


def _redact_rows(queryset, field: str, quoted: re.Pattern) -> None:
    for pk, value in queryset.values_list("pk", field):
        if (redacted := _redacted(value, quoted)) != value:
            queryset.model.objects.filter(pk=pk).update(**{field: redacted})
