"""Who is buying: a customer found by email whatever its case, or created, in the same
statement as the order."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _

from events.models import unprintable

from .. import rows
from ..errors import IllegalTransition, InvalidRequest
from ..formatting import WALK_IN_EMAIL, WALK_IN_NAME, refuse_card_number
from ..models import Customer, CustomerNote, Order, address_as_sent, mailbox
from ..notifications import resend_confirmation
from .status import record


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str
    phone: str = ""


# Nobody in particular: the record of every walk-in sold to without an address.
WALK_IN = CustomerDetails(name=WALK_IN_NAME, email=WALK_IN_EMAIL)


def buyer_or_walk_in(details: CustomerDetails, *, walk_ins: bool) -> CustomerDetails:
    """The buyer as given; or, where the channel sells to walk-ins (ChannelPolicy.walk_ins),
    given no email address, the walk-in, under the name given if any; given an address
    and no name, a walk-in who wants their tickets by email, named by the address."""
    if not walk_ins:
        return details
    name, email = details.name.strip(), details.email.strip()
    if email:
        return details if name else CustomerDetails(name=email, email=email, phone=details.phone)
    return CustomerDetails(name=name, email=WALK_IN_EMAIL, phone=details.phone) if name else WALK_IN


EMAIL_MAX = 254  # the customer record's (and the mail standards' path limit)
NAME_MAX = 200  # the customer record's, and a ballot application's


def clean_customer(details: CustomerDetails, *, walk_in: bool = False) -> CustomerDetails:
    """The buyer's details checked and tidied. An address that cannot receive email (at a
    reserved `.invalid` domain) is refused: it would buy tickets nobody is sent. The one
    exception, for the counter (`walk_in`), is its record of nobody in particular."""
    # One mailbox, one way of writing it: as its email is sent (quotes it needs not, a domain's
    # full-width letters or ASCII form), so that each rule counting by mailbox sees one.
    name, email = details.name.strip(), address_as_sent(details.email.strip().lower())
    if not name:
        raise InvalidRequest(_("enter the customer's name"), field="name")
    if len(name) > NAME_MAX:
        raise InvalidRequest(_("the name is too long (at most %(n)d characters)") % {"n": NAME_MAX}, field="name")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidRequest(_("enter a valid email address"), field="email") from None
    if len(email) > EMAIL_MAX:  # well formed, but longer than any mailbox the record keeps
        raise InvalidRequest(_("the email address is too long (at most %(n)d characters)") % {"n": EMAIL_MAX},
                             field="email")
    if email.rpartition(".")[2] == "invalid" and not (walk_in and email == WALK_IN_EMAIL):
        raise InvalidRequest(_("this address cannot receive email; enter one that can"), field="email")
    if unprintable(name):
        raise InvalidRequest(_("the name holds a character that cannot be printed"), field="name")
    if len(details.phone) > 40:
        raise InvalidRequest(_("the phone number is too long"), field="phone")
    if unprintable(details.phone):
        raise InvalidRequest(_("the phone number holds a character that cannot be printed"), field="phone")
    refuse_card_number(name, field="name")
    refuse_card_number(details.phone, field="phone")
    return CustomerDetails(name=name, email=email, phone=details.phone.strip())


# An erasure of a mailbox's personal data (sales.privacy) and an order creating a record
# of that mailbox (or a ballot application, sales.lottery) take turns here, for the rest
# of their transactions: the erasure before anything else, the order only when it creates
# the record (one it finds is locked instead), so neither holds a lock the other waits
# for first. Its parameter: mailbox().
ERASURE_TURN = "pg_advisory_xact_lock(hashtext('customer erasure'), hashtext(%s))"


def customer_cte(details: CustomerDetails, only_if: tuple[str, list] = ("TRUE", [])) -> tuple[str, list]:
    """The one rule for a buyer's customer record, as common table expressions ending in
    `customer` (id, name, email, phone): found by email whatever its case (by the
    Upper(email) index; lowered too, the two must agree: UPPER() alone writes a dotless ı
    as I, and jdoe@gmaıl.com, another domain, as jdoe@gmail.com), a missing phone number
    filled in; else created. `only_if`: an SQL
    condition (over the statement's other parts) and its parameters, without which nothing
    is written.

    The record found is locked (FOR KEY SHARE, the lock the order's foreign key takes at
    commit anyway, taken here instead) until the transaction ends: an erasure of the
    person's data (sales.privacy) waits for it, then sees what was written. One that
    locked it first is waited for, and a record it erased meanwhile (its address
    changed) is neither used nor created again: `customer` is then empty, and the caller
    refuses (customer_changed). A record to create takes its turn with an erasure of the
    mailbox first (ERASURE_TURN, held until the transaction ends), in the same statement:
    an erasure under way is waited for, and the record made after it; one coming waits
    for the record and then sees it."""
    condition, condition_params = only_if
    columns, values, params = rows.insert(
        Customer(email=details.email), name="(SELECT name FROM typed)",
        phone="(SELECT phone FROM typed)")
    # `typed`: the name and phone as typed, each a parameter once (the order's statement
    # names its buyer from them too).
    return f"""
        typed AS (SELECT %s::varchar AS name, %s::varchar AS phone),
        seen AS (
            SELECT id, email FROM sales_customer
            WHERE UPPER(email) = UPPER(%s) AND LOWER(email) = LOWER(%s) ORDER BY id LIMIT 1),
        found AS (
            SELECT id, name, email, phone FROM sales_customer
            WHERE id = (SELECT id FROM seen) AND email = (SELECT email FROM seen) FOR KEY SHARE),
        fill_phone AS (UPDATE sales_customer SET phone = (SELECT phone FROM typed)
                       WHERE id = (SELECT id FROM found) AND phone = '' AND (SELECT phone FROM typed) <> ''
                         AND {condition}),
        turn AS (SELECT {ERASURE_TURN} WHERE NOT EXISTS (SELECT FROM seen) AND {condition}),
        created AS (
            INSERT INTO sales_customer {columns} SELECT {values} WHERE EXISTS (SELECT FROM turn)
            RETURNING id, name, email, phone),
        customer AS (SELECT id, name, email, CASE WHEN phone = '' THEN (SELECT phone FROM typed) ELSE phone END
                       AS phone FROM found
                     UNION ALL SELECT id, name, email, phone FROM created)""", [
        details.name, details.phone, details.email, details.email, *condition_params, mailbox(details.email),
        *condition_params, *params]


CUSTOMER_FIELDS = ["id", "name", "email", "phone"]


def customer_changed() -> InvalidRequest:
    """The refusal when the buyer's record changed (their data erased, say) as it was found."""
    return InvalidRequest(_("the customer record of this address changed just now; try again"), field="email")


def customer_for(details: CustomerDetails) -> Customer:
    sql, params = customer_cte(details)
    found = rows.fetch(f"WITH {sql} SELECT id, name, email, phone FROM customer", params)
    if not found:
        raise customer_changed()
    return Customer.from_db(connection.alias, CUSTOMER_FIELDS, found[0])


NOTE_MAX = 2000


def customer_note_add(*, customer: Customer, text: str, actor) -> CustomerNote:
    """A note on the customer (the phone console's), kept as typed: over several lines if
    need be, with nothing unprintable in it."""
    text = text.strip()
    if not text or len(text) > NOTE_MAX:
        raise InvalidRequest(_("Write a note of 1 to 2000 characters."), field="text")
    if unprintable(text, lines=True):
        raise InvalidRequest(_("the note holds a character that cannot be printed"), field="text")
    refuse_card_number(text, field="text")
    return CustomerNote.objects.create(customer=customer, text=text, author=actor)


def customer_register(*, details: CustomerDetails) -> Customer:
    """Find the customer by email, or create them (phone console)."""
    return customer_for(clean_customer(details))


def order_email_to(*, order: Order, details: CustomerDetails, actor) -> Order:
    """A walk-in's order (sold at the counter to nobody in particular) given its buyer: its
    tickets and receipt are emailed to them, as every later email of the order is. Only a
    paid walk-in's order: any other has its buyer already (send theirs again instead)."""
    details = clean_customer(details)
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
        if order.customer.email != WALK_IN_EMAIL:
            raise IllegalTransition(_("this order's buyer is %(email)s already: send their tickets again instead") % {
                "email": order.customer.email})
        if order.status != Order.Status.PAID:
            raise IllegalTransition(_("order %(code)s is %(status)s; only a paid order's tickets are emailed") % {
                "code": order.code, "status": order.get_status_display().lower()})
        customer = customer_for(details)
        Order.objects.filter(pk=order.pk).update(customer=customer, buyer_name=details.name,
                                                 buyer_phone=details.phone)
        record(order, "tickets emailed to the buyer", details.email, actor)
        resend_confirmation(order)
    order.refresh_from_db()
    return order
