"""What is sold: the per-performance inventory, holds, orders, tickets, payments.

Seat state (Place.state, .hold, .hold_expires_at, .ticket, .allocation) is written by
`sales.inventory` only; the check constraints below make a bug elsewhere fail loudly
instead of overselling.
"""

import contextlib
import re
import secrets
import unicodedata

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from events.models import (
    LANGUAGE_CHOICES,
    NAMES,
    Channel,
    Performance,
    PriceType,
    PriceZone,
    Seat,
    Section,
    default_currency,
    in_reach,
    money,
    percent,
    validate_currency,
    when,
)

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter


def new_order_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


# Crockford's base 32: no I, L, O or U, so a reference read aloud or copied by hand survives.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_entry_reference() -> str:
    """An entrant's reference in a draw: 12 characters (60 random bits), not a secret and
    nothing personal; the draw publishes only its SHA-256."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))


GMAIL = ("gmail.com", "googlemail.com")


# A dot-atom, the name before the @ that needs no quotes (RFC 5322), as Django's validator reads it.
_DOT_ATOM = re.compile(r"[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*", re.ASCII | re.IGNORECASE)


def address_as_sent(email: str) -> str:
    """An address written as its email goes out (django.core.mail sends to the name without
    quotes it does not need and to the domain as the DNS reads it): "jdoe"@ is jdoe@, and a
    domain is written as its international form reads back, full-width letters and all
    (jdoe@ｇｍａｉｌ.com is jdoe@gmail.com; xn--bcher-kva.de is bücher.de). Two ways of
    writing one mailbox are then one address, as the customer record, the per-customer
    limit and a ballot's one application per mailbox need."""
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    if len(local) > 2 and local[0] == local[-1] == '"' and _DOT_ATOM.fullmatch(local[1:-1]):
        local = local[1:-1]
    # A domain the DNS cannot read stays as written (the address's check refuses it).
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("idna")
    return f"{local}@{domain}"


def mailbox(email: str) -> str:
    """The mailbox an address delivers to, as the per-customer limit counts it (and a
    ballot its applications): case aside, a sub-address (name+tag@) is its mailbox's, and
    at Gmail (gmail.com, googlemail.com: one domain) dots in the name do not make another
    mailbox. Elsewhere a dot is part of the name. Its SQL twin: sales.orders.limits'
    MAILBOX_SQL."""
    local, _at, domain = address_as_sent(email.strip().lower()).rpartition("@")
    if not local:
        return domain
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), GMAIL[0]
    return f"{local}@{domain}"


class PlaceState(models.TextChoices):
    # Free to sell. A `held` place whose hold has lapsed counts as available too.
    AVAILABLE = "available", _("Available")
    # In a hold (a basket, a call, a counter sale in progress) until hold_expires_at.
    HELD = "held", _("Held")
    # On a valid ticket.
    SOLD = "sold", _("Sold")
    # Killed or kept back by the organizer: no channel may sell it.
    BLOCKED = "blocked", _("Blocked")


class Hold(models.Model):
    class Status(models.TextChoices):
        # Places are held until expires_at (after that they are free, whatever this says).
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        SOLD = "sold", _("Sold")
        EXPIRED = "expired", _("Expired")

    performance = models.ForeignKey(Performance, verbose_name=_("performance"), on_delete=models.PROTECT,
                                    related_name="holds", db_index=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, db_index=False,
                             on_delete=models.SET_NULL, related_name="holds")
    # An anonymous owner (a shop session, an API client): only its owner may use the hold.
    owner_key = models.CharField(_("owner key"), max_length=64, blank=True)
    token = models.CharField(_("token"), max_length=40, default=new_secret, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    # The presale access code that let this hold be made before the general on-sale.
    presale_code = models.ForeignKey("PresaleCode", verbose_name=_("presale code"), null=True, blank=True,
                                     on_delete=models.PROTECT,
                                     related_name="holds", db_index=False)
    # A staff console's price choices last sent for its sale (a price type per place, the
    # promo code, the comps' reason; sales.channels.forms.keep_choices): kept with the hold,
    # not in a session, so that its clerk signed in again finds them while the seats are held.
    price_choices = models.JSONField(_("price choices"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        # Uniqueness and indexes are declared here, not on the fields: a field's own
        # unique or db_index on text adds a second, LIKE-only index that nothing here
        # uses and every insert pays for. A user key is indexed only where it is set
        # (online buyers have none). A performance's live holds are one range of
        # hold_performance_live (the waiting room counts them every two seconds; phone
        # reservations keep thousands of holds alive for days).
        constraints = [models.UniqueConstraint(fields=["token"], name="hold_token_unique")]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["performance", "status", "channel", "expires_at"], name="hold_performance_live"),
            models.Index(fields=["owner_key"], name="hold_owner_key"),
            models.Index(fields=["user"], name="hold_user", condition=Q(user__isnull=False)),
        ]

    def __str__(self) -> str:
        return _("Hold %(pk)s (%(channel)s, %(status)s)") % {
            "pk": self.pk, "channel": self.get_channel_display(), "status": self.get_status_display()}


class Place(models.Model):
    """One sellable place of one performance: a numbered seat or one standing place."""

    # No single-column indexes on performance and price zone: the (performance, state) and
    # (price zone, state) indexes below serve those lookups, and every sale updates every
    # index of the rows it moves.
    performance = models.ForeignKey(Performance, verbose_name=_("performance"), on_delete=models.CASCADE,
                                    related_name="places", db_index=False)
    # Not indexed on their own: a seat's places are found by place_one_per_seat (seat
    # first), a standing area's by place_one_per_standing_index; nothing looks a section's
    # places up without its performance.
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    seat = models.ForeignKey(Seat, verbose_name=_("seat"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+",
                             db_index=False)
    standing_index = models.PositiveIntegerField(_("standing index"), null=True, blank=True)
    price_zone = models.ForeignKey(PriceZone, verbose_name=_("price zone"), on_delete=models.PROTECT,
                                   related_name="places", db_index=False)
    # Distance from the middle of its row (0 = centre): best-available prefers low values.
    centre_offset = models.PositiveIntegerField(_("centre offset"), default=0)
    # A wheelchair space or a companion seat: best available offers it only when asked for.
    accessible = models.BooleanField(_("accessible"), default=False)

    state = models.CharField(_("state"), max_length=10, choices=PlaceState.choices,
                             default=PlaceState.AVAILABLE)
    # The hold and the ticket are indexed only where set (place_hold, place_one_per_ticket):
    # most places have neither, and each transition would add an entry for their empty value.
    hold = models.ForeignKey(Hold, verbose_name=_("hold"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="places", db_index=False)
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    ticket = models.ForeignKey("Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    # Kept for one channel (e.g. the counter); empty = every channel may sell it.
    allocation = models.CharField(_("allocation"), max_length=10, choices=Channel.choices, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["seat", "performance"], condition=Q(seat__isnull=False),
                                    name="place_one_per_seat"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False),
                                    name="place_one_per_ticket"),
            models.UniqueConstraint(fields=["performance", "section", "standing_index"],
                                    condition=Q(standing_index__isnull=False),
                                    name="place_one_per_standing_index"),
            models.CheckConstraint(
                condition=Q(seat__isnull=False, standing_index__isnull=True)
                | Q(seat__isnull=True, standing_index__isnull=False),
                name="place_is_seat_or_standing"),
            models.CheckConstraint(
                condition=(Q(state="held", hold__isnull=False, hold_expires_at__isnull=False)
                           | (~Q(state="held") & Q(hold__isnull=True, hold_expires_at__isnull=True))),
                name="place_held_iff_hold"),
            models.CheckConstraint(
                condition=Q(state="sold", ticket__isnull=False) | (~Q(state="sold") & Q(ticket__isnull=True)),
                name="place_sold_iff_ticket"),
        ]
        indexes = [
            # With the hold's expiry, so that "a lapsed hold's place" is a range too (see
            # inventory.rules.free_ways).
            models.Index(fields=["performance", "state", "hold_expires_at"], name="place_performance_state"),
            models.Index(fields=["price_zone", "state"]),
            models.Index(fields=["state", "hold_expires_at"], condition=Q(state="held"),
                         name="place_held_expiry"),
            models.Index(fields=["hold"], condition=Q(hold__isnull=False), name="place_hold"),
        ]

    def __str__(self) -> str:
        if self.seat_id:
            return self.label_of(self.section.name, self.seat.row, self.seat.number, None)
        return self.label_of(self.section.name, None, None, self.standing_index)

    @staticmethod
    def label_of(section: str, row: str | None, number: str | None, standing_index: int | None) -> str:
        if standing_index is None:
            return f"{section} {row}-{number}"
        # Translators: a standing area's place, "Lawn #12"; the number stays with its sign
        # (a narrow column breaks the line at the section's last space).
        return gettext("%(section)s #%(number)s") % {"section": section, "number": standing_index}

    @property
    def label(self) -> str:
        return str(self)


# A customer whose personal data was erased (sales.privacy) is kept under this name, in
# the reader's language, with an address at this reserved domain that nobody receives at.
ERASED_NAME = gettext_noop("Personal data erased")
ERASED_DOMAIN = "erased.invalid"


def erased_email(email: str) -> bool:
    return email.rpartition("@")[2] == ERASED_DOMAIN


class Customer(models.Model):
    name = models.CharField(max_length=200, db_collation=NAMES, verbose_name=_("name"))
    email = models.EmailField(verbose_name=_("email"))  # found whatever its case: sales_customer_email_upper
    phone = models.CharField(max_length=40, blank=True,
                             verbose_name=_("phone"))  # searched by its digits: no index serves
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    # The language a phone operator was asked to write to them in; empty: the venue's.
    language = models.CharField(max_length=10, blank=True, choices=LANGUAGE_CHOICES, verbose_name=_("language"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, db_index=False,
                             on_delete=models.SET_NULL, related_name="customers")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        # Customers are found by email whatever its case, at every order: without this
        # index that lookup reads the whole customer table.
        indexes = [models.Index(Upper("email"), name="sales_customer_email_upper"),
                   models.Index(fields=["user"], name="customer_user", condition=Q(user__isnull=False))]

    def __str__(self) -> str:
        name = gettext(self.name) if self.name == ERASED_NAME and erased_email(self.email) else self.name
        return f"{name} <{self.email}>"


class Order(models.Model):
    class Status(models.TextChoices):
        # Created, payment being taken: places still in the hold.
        PENDING = "pending", _("Awaiting payment")
        # Paid: tickets issued.
        PAID = "paid", _("Paid")
        # Payment declined or the hold lapsed and the seats were taken: nothing sold.
        FAILED = "failed", _("Failed")
        # Paid, then refunded: tickets void, places back on sale.
        REFUNDED = "refunded", _("Refunded")
        # Given up before payment by staff, or a reservation not paid by its deadline.
        CANCELLED = "cancelled", _("Cancelled")
        # Phone reservation to pay later: places held until payment_deadline.
        RESERVED = "reserved", _("Reserved, to pay")

    code = models.CharField(max_length=12, default=new_order_code, editable=False, verbose_name=_("code"))
    # The private link to the order (no account needed).
    access_token = models.CharField(_("access token"), max_length=40, default=new_secret, editable=False)
    # Found through the (performance, status) index.
    performance = models.ForeignKey(Performance, on_delete=models.PROTECT, related_name="orders", db_index=False,
                                    verbose_name=_("performance"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    # The name and phone number the buyer typed for this order. The customer is found by
    # email, which anyone may type: its record's name is whoever used the address first,
    # so the order's tickets, emails and door list are named from here (empty: an order
    # from before, named by its customer).
    buyer_name = models.CharField(_("buyer's name"), max_length=200, blank=True, default="", db_default="")
    buyer_phone = models.CharField(_("buyer's phone"), max_length=40, blank=True, default="", db_default="")
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    hold = models.ForeignKey(Hold, verbose_name=_("hold"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="orders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, db_index=False,
                                   on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by"))
    # A retried request with the same key returns this order instead of selling twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    failure_reason = models.CharField(max_length=300, blank=True, verbose_name=_("failure reason"))
    total = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("total"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    # Refunded in full: when (its notice to the buyer is due from then; sales.notifications).
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    # A sender has taken the confirmation (sales.notifications): nobody else sends it while
    # the claim is recent; a claim older than CONFIRMATION_CLAIM_SECONDS is a dead sender's.
    confirmation_claimed_at = models.DateTimeField(_("confirmation claimed at"), null=True, blank=True)
    # Which confirmation is due: the first, then one more each time staff or an exchange
    # ask for it again. Part of its Message-ID, the same for every attempt at it.
    confirmation_number = models.PositiveIntegerField(_("confirmation number"), default=1)
    # The buyer's language when the order was placed: every email about it speaks it.
    language = models.CharField(max_length=10, default="en", choices=LANGUAGE_CHOICES, verbose_name=_("language"))
    payment_deadline = models.DateTimeField(null=True, blank=True, verbose_name=_("payment deadline"))
    # When a reservation's payment began: while it is recent, another is refused
    # (sales.orders.order_pay_reservation).
    payment_started_at = models.DateTimeField(_("payment started at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # How the total was made, as charged (sales.orders.pricing): never recomputed from
    # today's settings. `receipt` holds the order's own lines (its fee, each tax with its
    # registration number) for the printed and emailed receipt.
    promo_code = models.ForeignKey("PromoCode", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="orders", db_index=False, verbose_name=_("promo code"))
    comp_reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason for the complimentary tickets"))
    receipt = models.JSONField(_("receipt"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The card provider's payment for this order (a Stripe PaymentIntent), recorded before
    # any money moves: reconciliation asks the provider about it (sales.orders.settling).
    payment_intent = models.CharField(_("payment intent"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        # Declared here rather than on the fields: see Hold.Meta.
        constraints = [models.UniqueConstraint(fields=["code"], name="order_code_unique"),
                       models.UniqueConstraint(fields=["access_token"], name="order_access_token_unique"),
                       models.UniqueConstraint(fields=["idempotency_key"], name="order_idempotency_key_unique"),
                       # One order at a time from a hold: a second request for the same seats
                       # (a retry with a new key, a double click) is refused before its card is
                       # charged, instead of being charged and paid back when the first has sold.
                       models.UniqueConstraint(fields=["hold"], name="order_one_live_per_hold",
                                               condition=Q(status__in=["pending", "reserved", "paid"]))]
        indexes = [models.Index(fields=["created_by"], name="order_created_by",
                                condition=Q(created_by__isnull=False)),
                   # A promo code's uses by one customer's mailbox, counted at each order
                   # with the code: its orders only, not every order.
                   models.Index(fields=["promo_code"], name="order_promo_code",
                                condition=Q(promo_code__isnull=False)),
                   models.Index(fields=["performance", "status"]),
                   models.Index(fields=["status", "payment_deadline"]),
                   # The confirmation outbox (sales.notifications): small, whatever the orders.
                   models.Index(fields=["paid_at"], name="order_confirmation_due",
                                condition=Q(status="paid", confirmation_sent_at__isnull=True)),
                   models.Index(fields=["refunded_at"], name="order_refund_notice_due",
                                condition=Q(status="refunded", confirmation_sent_at__isnull=True)),
                   models.Index(fields=["payment_intent"], name="order_payment_intent",
                                condition=~Q(payment_intent=""))]

    def __str__(self) -> str:
        return _("Order %(code)s") % {"code": self.code}

    @property
    def buyer(self) -> str:
        """Who bought: the name typed for this order, else its customer's."""
        return self.buyer_name or self.customer.name

    @property
    def phone(self) -> str:
        return self.buyer_phone or self.customer.phone

    @property
    def moved_from(self):
        """The start its performance was moved from since this order's tickets for it were
        sold, or None: an order placed after the move, or exchanged into the performance
        after it, was sold the new time."""
        perf = self.performance
        if perf.moved_from is None:
            return None
        if perf.moved_at is not None:
            sold = (self.tickets.filter(status=Ticket.Status.VALID, place__performance_id=perf.pk)
                    .aggregate(first=models.Min("created_at"))["first"]) or self.created_at
            if sold >= perf.moved_at:
                return None
        return perf.moved_from


class Ticket(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        # Refunded or exchanged: no longer admits anyone.
        VOID = "void", _("Void")

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="tickets")
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="tickets")
    code = models.CharField(_("code"), max_length=40, default=new_secret, editable=False)
    price_zone_name = models.CharField(_("price zone name"), max_length=100)
    # What was charged for this ticket in all (its price less its discount, its fee, and
    # the taxes on both), and its parts: what receipts, refunds and reports read. `fee` is
    # the booking fee with its own taxes (what a refund keeps when fees are not
    # refundable); `tax` is every tax of the line, the fee's included, so the two overlap
    # by the fee's taxes (sales.order_receipt shows the fee before them).
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2)
    price_type_name = models.CharField(_("price type name"), max_length=100, blank=True)
    list_price = models.DecimalField(_("list price"), max_digits=9, decimal_places=2, null=True, blank=True)
    discount = models.DecimalField(_("discount"), max_digits=9, decimal_places=2, default=0)
    fee = models.DecimalField(_("fee"), max_digits=9, decimal_places=2, default=0, help_text="with its taxes")
    tax = models.DecimalField(_("tax"), max_digits=9, decimal_places=2, default=0)
    # `tax` by tax name, on the price and on the fee: {"price": {"GST": "2.50"}, "fee": {...}}
    # (what a settlement remits per tax, and the fee before its taxes); {} for a ticket sold
    # before it was kept.
    taxes = models.JSONField(_("taxes"), default=dict, blank=True)
    fee_refundable = models.BooleanField(_("fee refundable"), default=False)
    complimentary = models.BooleanField(_("complimentary"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    # When it was refunded (void since): its receipt lists it as refunded. A ticket
    # exchanged for another is void without it.
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    # The first scan that admitted the ticket (sales.tickets.ticket_check_in): when it was
    # made (at the device, for a scan queued while the network was down), at which door or
    # device, by whom, and the device's id for it (a resend of the same scan is answered as
    # the first). Defaults in the database: the sale's own statements insert tickets
    # without them (sales.inventory.statements).
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_door = models.CharField(_("checked in door"), max_length=60, blank=True, db_default="")
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), null=True,
                                      blank=True, db_index=False,
                                      on_delete=models.SET_NULL, related_name="+")
    check_in_scan = models.CharField(_("check in scan"), max_length=40, blank=True, db_default="")
    # Times printed at the counter: above 1, the printout says REPRINT.
    printed_count = models.PositiveIntegerField(_("printed count"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="ticket_code_unique"),  # see Hold.Meta
            # The last line of defence against overselling: one valid ticket per place.
            models.UniqueConstraint(fields=["place"], condition=Q(status="valid"),
                                    name="ticket_one_valid_per_place"),
        ]

    def __str__(self) -> str:
        return _("Ticket %(place)s (%(code)s)") % {"place": self.place, "code": self.order.code}


# What a refund's row says of it at the provider (its `message`).
# A refund recorded here that the provider has not taken yet (it did not answer): the
# reconciliation sends it again, with the same key, until it does (settling.payments_reconcile).
REFUND_OWED = gettext_noop("refund: waiting for the payment provider")
# A refund recorded here that is on its way to the provider: the request that recorded it
# asks the provider next, and writes what the provider answered. One still on its way long
# after (that request died in between) is sent again by the reconciliation, as an owed one:
# looked for at the provider by its key first, so that it is made once.
REFUND_SENDING = gettext_noop("refund: being sent to the payment provider")
# A refund recorded that the provider has not taken yet: the buyer is told it is on its way.
NOT_YET_TAKEN = (REFUND_OWED, REFUND_SENDING)
# A refund the provider answered and would not make (the payment disputed, too old, already
# paid back there): asking again gets the same answer. The money is still owed to the
# buyer, by other means; the order is listed under "Refunds to settle" in the admin.
REFUND_REFUSED = gettext_noop("refund: refused by the payment provider")
# A refused refund a person paid back by other means (sales.orders.charging.refunds_settle).
REFUND_SETTLED = gettext_noop("refund: refused by the payment provider, paid back by other means")


class Payment(models.Model):
    class Method(models.TextChoices):
        TEST_CARD = "test_card", _("Test card")
        CARD = "card", _("Card (online)")
        CASH = "cash", _("Cash")
        CARD_TERMINAL = "card_terminal", _("Card terminal")
        CARD_NOT_PRESENT = "card_not_present", _("Card by phone")

    # Taken and paid back at the counter, by a clerk with an open shift (the others, the
    # provider holds: the box office pays them back on its own).
    AT_COUNTER = (Method.CASH, Method.CARD_TERMINAL)

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        REFUNDED = "refunded", pgettext_lazy("money", "Refunded")  # a payment (un paiement remboursé)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    # Counter payments belong to the clerk's open shift (the cash drawer they go into).
    shift = models.ForeignKey("Shift", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="payments", db_index=False, verbose_name=_("shift"))
    method = models.CharField(max_length=20, choices=Method.choices, verbose_name=_("method"))
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("amount"))
    status = models.CharField(max_length=10, choices=Status.choices, verbose_name=_("status"))
    reference = models.CharField(max_length=100, blank=True, verbose_name=_("reference"))
    message = models.CharField(_("message"), max_length=300, blank=True)
    # Cash: what was handed over (the change is tendered - amount).
    tendered = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("tendered"))
    # Cash paid back: what left the drawer, to the coin (negative). Rounded on the running
    # total of the payment's paybacks, so that they never hand back more than it took in
    # cash (sales.policy.cash_paid_back); a row without it counts as cash_due(amount).
    cash = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                               verbose_name=_("cash handed over"))
    # A keyed hash of the card number: enough to count one card's purchases, never the number.
    card_fingerprint = models.CharField(_("card fingerprint"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, db_index=False,
                                   on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # A refund row (negative amount) names the approved payment it pays back, so that no
    # payment is ever paid back more than it took.
    refund_of = models.ForeignKey("self", verbose_name=_("refund of"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="refunds", db_index=False)
    # A refund row names the performance it pays back for: the order's when it was made (an
    # exchange's payback, the date the tickets left). An order moves to another date with
    # an exchange, so its own performance says nothing of its earlier refunds.
    performance = models.ForeignKey(Performance, verbose_name=_("performance"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", db_index=False)
    # A payback over its clerk's limit names the supervisor who signed for it: the limit
    # holds for what each pays back on an order in all (sales.orders.charging.paid_back_by).
    # Kept while the payment is: a staff account that signed for money is disabled, not deleted.
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, db_index=False,
                                    on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        # Optional keys and the card's fingerprint are indexed only where set (most online
        # payments have no shift, no staff and no refund).
        indexes = [
            models.Index(fields=["shift"], name="payment_shift", condition=Q(shift__isnull=False)),
            models.Index(fields=["card_fingerprint"], name="payment_card", condition=~Q(card_fingerprint="")),
            models.Index(fields=["created_by"], name="payment_created_by", condition=Q(created_by__isnull=False)),
            models.Index(fields=["refund_of"], name="payment_refund_of", condition=Q(refund_of__isnull=False)),
            models.Index(fields=["performance"], name="payment_performance", condition=Q(performance__isnull=False)),
        ]

    def __str__(self) -> str:
        # As the admin names it above its row in the order's page and on its own page.
        currency = self.order.currency if self.order_id else None
        return f"{self.get_method_display()} {money(self.amount, currency)} ({self.get_status_display()})"


class PlaceEvent(models.Model):
    """The audit trail of seat state: who moved which place from what to what."""

    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from state"), max_length=10, choices=PlaceState.choices)
    to_state = models.CharField(_("to state"), max_length=10, choices=PlaceState.choices)
    allocation = models.CharField(_("allocation"), max_length=10, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    hold = models.ForeignKey(Hold, verbose_name=_("hold"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="place_events", db_index=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, db_index=False,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        # A place's every move, as the office reads it: its history, an entry at a time.
        verbose_name = _("place history entry")
        verbose_name_plural = _("place history")
        ordering = ["-at", "-pk"]
        # Two entries per place moved: the optional keys only where set (a hold has no
        # order, an online buyer is no staff actor).
        indexes = [models.Index(fields=["order"], name="placeevent_order", condition=Q(order__isnull=False)),
                   models.Index(fields=["actor"], name="placeevent_actor", condition=Q(actor__isnull=False))]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class OrderEvent(models.Model):
    """The audit trail of an order: placed, paid, declined, refunded, confirmation sent."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, db_index=False,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["actor"], name="orderevent_actor", condition=Q(actor__isnull=False))]

    def __str__(self) -> str:
        return f"{self.action} {self.detail}"


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an `Idempotency-Key` header. A retry with the
    same key and body gets this answer again; status_code is null while in flight."""

    scope = models.CharField(_("scope"), max_length=60)
    endpoint = models.CharField(_("endpoint"), max_length=60)
    key = models.CharField(_("key"), max_length=100)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.JSONField(_("response"), null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["scope", "endpoint", "key"],
                                               name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key} ({self.status_code or 'in flight'})"


class CustomerNote(models.Model):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="note_entries")
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.text[:60]


class StaffMember(User):
    """A staff account as an organizer manages it (sales.staff_accounts): the user, seen
    through the roles an organizer may give."""

    class Meta:
        proxy = True
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")


class PerformanceDashboard(Performance):
    """A performance as the organizer reads its sales (the admin's dashboard, sales.reports)."""

    class Meta:
        proxy = True
        verbose_name = _("performance dashboard")
        verbose_name_plural = _("performance dashboards")


class Shift(models.Model):
    """A clerk's session at a counter window: opened with a cash float, closed with the
    counted takings set against what the payments say."""

    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts",
                              verbose_name=_("clerk"))
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    cash_float = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("cash float"))
    expected = models.JSONField(_("expected"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    counted = models.JSONField(_("counted"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    difference = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                     verbose_name=_("difference"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["clerk"], condition=Q(closed_at__isnull=True),
                                               name="shift_one_open_per_clerk")]

    def __str__(self) -> str:
        # On the reader's clock (the admin's is the venue's), in their language.
        return _("Shift of %(clerk)s from %(when)s") % {
            "clerk": self.clerk, "when": when(localtime(self.opened_at), "j F Y H:i")}  # "12/05" reads two ways


class WaitingRoom(models.Model):
    """An on-sale behind a queue (online shop only). Published to Redis on every save: the
    queue itself never reads this table."""

    performance = models.OneToOneField(Performance, on_delete=models.CASCADE, related_name="waiting_room",
                                       verbose_name=_("performance"))
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    opens_at = models.DateTimeField(help_text=_("The on-sale time: who arrives before is put in random order."),
                                    verbose_name=_("opens at"), validators=[in_reach])
    admit_per_minute = models.PositiveIntegerField(default=300, help_text=_("Visitors let into the shop per minute; "
                                                                            "change it live."),
                                                   verbose_name=_("admitted per minute"))
    pass_minutes = models.PositiveIntegerField(default=15, help_text=_("How long an admission pass is valid."),
                                               validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
                                               verbose_name=_("pass minutes"))
    # Automatic admission (sales.admission): the rate above is where it starts; it then
    # follows what buyers meet, within these bounds.
    automatic = models.BooleanField(_("automatic admission"), default=False, help_text=_(
        "Let the box office raise and lower the admission rate from buyers' response times, errors and active "
        "holds, within the bounds below, starting from the rate above."))
    min_per_minute = models.PositiveIntegerField(_("lowest rate per minute"), null=True, blank=True, help_text=_(
        "Automatic admission never goes below this many visitors per minute."))
    max_per_minute = models.PositiveIntegerField(_("highest rate per minute"), null=True, blank=True, help_text=_(
        "Automatic admission never goes above this many visitors per minute."))
    holds_target = models.PositiveIntegerField(_("active holds aimed at"), null=True, blank=True, help_text=_(
        "Automatic admission slows down while more online holds than this are active (buyers choosing or paying); "
        "empty: no limit."))
    # Tickets one customer (by email, and by card) may buy for this performance, all orders together.
    customer_limit = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("tickets per customer"))

    class Meta:
        verbose_name = _("waiting room")
        verbose_name_plural = _("waiting rooms")
        constraints = [models.CheckConstraint(
            condition=Q(automatic=False) | Q(min_per_minute__gte=1, max_per_minute__gte=models.F("min_per_minute")),
            name="waiting_room_automatic_bounds")]

    def __str__(self) -> str:
        return _("Waiting room for %(performance)s") % {"performance": self.performance}

    def clean(self):
        errors = {}
        if self.opens_at and self.performance_id and self.opens_at >= self.performance.starts_at:
            errors["opens_at"] = _("The queue opens before the performance starts.")
        if self.automatic:
            for name in ("min_per_minute", "max_per_minute"):
                if not getattr(self, name):
                    errors[name] = _("Automatic admission needs both bounds, of at least 1 a minute.")
        # Said whatever else is wrong (skipped, it would come back as the table's rule by its
        # name), and whatever the tick: bounds kept for later are wrong the day it is ticked.
        if self.min_per_minute and self.max_per_minute and self.min_per_minute > self.max_per_minute:
            errors["max_per_minute"] = _("The upper bound is below the lower one.")
        if errors:
            raise ValidationError(errors)


class Ballot(models.Model):
    """A lottery sale: applications during a window, then a seeded draw."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="ballots",
                                    verbose_name=_("performance"))
    zone = models.ForeignKey(PriceZone, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("zone"))
    opens_at = models.DateTimeField(verbose_name=_("opens at"), validators=[in_reach])
    closes_at = models.DateTimeField(verbose_name=_("closes at"), validators=[in_reach])
    max_per_application = models.PositiveIntegerField(default=4, validators=[MinValueValidator(1)],
                                                      verbose_name=_("most tickets per application"))
    payment_hours = models.PositiveIntegerField(default=48, validators=[MinValueValidator(1), MaxValueValidator(720)],
                                                help_text=_("How long a winner has to pay (at most 30 days, and "
                                                            "never past the start of the performance)."),
                                                verbose_name=_("hours to pay"))
    split_groups = models.BooleanField(
        default=True, verbose_name=_("split groups rather than leave seats empty"),
        help_text=_("Once no block of seats side by side is left for an application of 3 tickets or more, seat it "
                    "in two rows, one behind the other (it is told its seats are not all together). An application "
                    "of 2 is never split. Unticked, such applications are not drawn, and seats may stay empty."))
    drawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("drawn at"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")), name="ballot_opens_first",
                                              violation_error_message=_("The ballot closes before it opens."))]

    def __str__(self) -> str:
        return _("Ballot for %(performance)s (%(zone)s)") % {"performance": self.performance, "zone": self.zone.name}

    def clean(self):
        errors = {}
        if self.zone_id and self.performance_id and self.zone.performance_id != self.performance_id:
            errors["zone"] = _("This zone is another performance's: choose one of %(performance)s.") % {
                "performance": self.performance}
        if self.opens_at and self.closes_at:
            if self.closes_at <= self.opens_at:
                errors["closes_at"] = _("The ballot closes before it opens.")
            elif self.performance_id and self.closes_at > self.performance.starts_at:
                errors["closes_at"] = _("The ballot closes after the performance starts.")
        if errors:
            raise ValidationError(errors)


class BallotEntry(models.Model):
    class Status(models.TextChoices):
        # Applied, its address not confirmed yet (the link emailed to it not followed):
        # not in the draw, and it keeps nobody else of its mailbox out.
        UNCONFIRMED = "unconfirmed", _("Email not confirmed")
        APPLIED = "applied", _("Applied")
        # Seats held for them until the payment deadline.
        WON = "won", _("Won, to pay")
        LOST = "lost", _("Not drawn")
        PAID = "paid", _("Paid")
        # Won, not paid in time: the seats went to the next in the draw.
        LAPSED = "lapsed", _("Lapsed")

    ballot = models.ForeignKey(Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="entries")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    # The mailbox the address delivers to (mailbox() above: a +tag, Gmail's
    # dots and googlemail.com aside), as the per-customer limit of an on-sale counts a
    # buyer. Empty (null) only for a second application of a mailbox made before it was
    # kept, in a ballot whose entry list was already published (migration 0047).
    mailbox = models.CharField(_("mailbox"), max_length=254, null=True, blank=True, editable=False)
    quantity = models.PositiveIntegerField(_("quantity"))
    # An entry made by ballot_apply starts unconfirmed; APPLIED is the default of the entries
    # made before addresses were confirmed (they stay in the draw).
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.APPLIED)
    # Position in the draw (1 = drawn first); set by the draw.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    hold = models.ForeignKey(Hold, verbose_name=_("hold"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    pay_token = models.CharField(_("pay token"), max_length=40, unique=True, default=new_secret, editable=False)
    # The secret of the confirmation link emailed to the address (null once confirmed: a
    # link works once). Applying again with the mailbox keeps it: every link emailed for
    # the application works until it is confirmed.
    confirm_token = models.CharField(_("confirmation token"), max_length=40, unique=True, null=True, blank=True,
                                     editable=False)
    # The emails of that link asked for (sales.lottery.ballot_apply): how many in all (each
    # has a Message-ID of its own), and when the last few of them were, so that a mailbox
    # is sent a few an hour whoever types its address.
    confirm_emails = models.PositiveIntegerField(_("confirmation emails"), default=1, db_default=1, editable=False)
    confirm_emailed_at = ArrayField(models.DateTimeField(), verbose_name=_("confirmation emails asked at"),
                                    default=list, db_default=[], blank=True, editable=False)
    # What the entrant sees and checks the draw with (its SHA-256 is all the draw publishes).
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_entry_reference,
                                 editable=False)
    # The applicant's language: the draw's emails speak it.
    language = models.CharField(_("language"), max_length=10, default="en", choices=LANGUAGE_CHOICES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The outbox of the draw's emails (sales.lottery.send_notice): the status the applicant
    # was last emailed about. An entry whose status differs (paid aside: its order's
    # confirmation tells it) is owed that status's email; a sender claims it by setting
    # notice_claimed_at, sends, then records the status here.
    told_status = models.CharField(_("status last emailed"), max_length=12, blank=True, default="", db_default="",
                                   editable=False)
    notice_claimed_at = models.DateTimeField(_("email claimed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ballot entry")
        verbose_name_plural = _("ballot entries")
        ordering = ["ballot", "rank", "pk"]
        # The sweep reads the few entries owed an email, not the whole table.
        indexes = [models.Index(fields=["id"], condition=~Q(told_status=F("status")) & ~Q(status="paid"),
                                name="ballot_entry_notice_due")]
        # One confirmed application per mailbox. Applications are all made before the draw,
        # while every entry is `applied` (or unconfirmed). Of the unconfirmed, one per mailbox
        # too: applying again updates it (sales.lottery.ballot_apply).
        constraints = [models.UniqueConstraint(fields=["ballot", "mailbox"], condition=Q(status="applied"),
                                               name="ballot_one_entry_per_mailbox"),
                       models.UniqueConstraint(fields=["ballot", "mailbox"], condition=Q(status="unconfirmed"),
                                               name="ballot_one_unconfirmed_per_mailbox")]

    def __str__(self) -> str:
        return f"{self.name} ({self.quantity})"


class Draw(models.Model):
    """A draw anyone can check (docs/draws.md): the waiting room's opening shuffle or a
    ballot's. The SHA-256 of its secret seed is public from the moment it is set up, before
    anyone enters; the entry list (each entry by the SHA-256 of its reference) and its hash
    from the moment the entries freeze; the seed itself once the draw is made."""

    waiting_room = models.OneToOneField(WaitingRoom, verbose_name=_("waiting room"), null=True, blank=True,
                                        on_delete=models.CASCADE,
                                        related_name="draw")
    ballot = models.OneToOneField(Ballot, verbose_name=_("ballot"), null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="draw")
    # 32 random bytes in hex: secret until drawn_at, shown to nobody before.
    seed = models.CharField(_("seed"), max_length=64, editable=False)
    seed_commitment = models.CharField(_("seed commitment"), max_length=64, editable=False)
    committed_at = models.DateTimeField(_("committed at"), editable=False)
    # A public value mixed into the draw (docs/draws.md). Its source can be announced until
    # the entries freeze; the value itself entered until the draw if a source was
    # announced, else only until the freeze (so that nobody who knows the seed picks it
    # after seeing the entries). A ballot is not drawn while its announced value is missing.
    public_value_source = models.CharField(
        _("source of the public value"), max_length=300, blank=True,
        help_text=_("Optional, before the entries freeze: where the public value will come from, e.g. "
                    "“the national lottery's winning numbers of 5 December, in ascending order, separated by "
                    "spaces”. A ballot then waits for the value before it is drawn."))
    public_value = models.CharField(
        _("public value"), max_length=200, blank=True,
        help_text=_("Optional: a value mixed into the draw. Once the entries are frozen, only the value of "
                    "the source announced before, until the draw."))
    entry_count = models.PositiveIntegerField(_("entry count"), null=True, blank=True, editable=False)
    entries_hash = models.CharField(_("entries hash"), max_length=64, blank=True, editable=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True, editable=False)
    # The frozen entry list: hashed references, 32 bytes each, in ascending order.
    entries = models.BinaryField(_("entries"), default=b"", editable=False)
    # The same hashed references in the order of the draw (rank 1 first).
    ranked = models.BinaryField(_("ranked"), default=b"", editable=False)

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [
            models.CheckConstraint(
                condition=Q(waiting_room__isnull=False, ballot__isnull=True)
                | Q(waiting_room__isnull=True, ballot__isnull=False),
                name="draw_one_subject"),
            # Drawn only once frozen, and frozen with its hash and count.
            models.CheckConstraint(condition=Q(drawn_at__isnull=True) | Q(frozen_at__isnull=False),
                                   name="draw_drawn_after_frozen"),
            models.CheckConstraint(condition=Q(frozen_at__isnull=True)
                                   | (Q(entry_count__isnull=False) & ~Q(entries_hash="")),
                                   name="draw_frozen_with_hash"),
        ]

    def __str__(self) -> str:
        return _("Draw for %(subject)s") % {"subject": self.waiting_room or self.ballot}


class Organizer(models.Model):
    """Who sells: the name and address printed on receipts, and how prices are entered.
    One row (Organizer.load)."""

    # The name a box office starts with, until the organizer types its own.
    DEFAULT_NAME = gettext_noop("Box office")

    name = models.CharField(_("name"), max_length=200, default=DEFAULT_NAME)
    address = models.CharField(_("address"), max_length=300, blank=True)
    prices_include_tax = models.BooleanField(
        _("prices include taxes"), default=False,
        help_text=_("Prices and fees are entered taxes included (the receipt shows the taxes they contain)."))

    class ShopMode(models.TextChoices):
        AUTO = "auto", _("automatic: light while the public side is near saturation")
        NORMAL = "normal", _("normal, whatever the load")
        LIGHT = "light", _("light: best available and a seat map without live refresh")

    shop_mode = models.CharField(
        _("shop mode"), max_length=10, choices=ShopMode.choices, default=ShopMode.AUTO,
        help_text=_("The staff doors are never made light."))

    class Meta:
        verbose_name_plural = _("organizers")
        verbose_name = _("organizer")

    def __str__(self) -> str:
        return self.shown_name()

    def shown_name(self) -> str:
        """The name for a receipt or a page, in the active language: the organizer's own as typed,
        or the name it started with, translated ("Billetterie" in French)."""
        return gettext(self.name) if self.name == self.DEFAULT_NAME else self.name

    @classmethod
    def load(cls) -> "Organizer":
        return cls.objects.get_or_create(pk=1)[0]


class TaxRate(models.Model):
    """A sales tax on every ticket (e.g. GST 5 %, QST 9.975 %), each rounded per line."""

    organizer = models.ForeignKey(Organizer, verbose_name=_("organizer"), on_delete=models.CASCADE,
                                  related_name="tax_rates", default=1)
    name = models.CharField(_("name"), max_length=50)
    percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3,
                                  validators=[MinValueValidator(0)])
    registration = models.CharField(_("registration number"), max_length=50, blank=True)
    on_fees = models.BooleanField(_("also on fees"), default=True)
    rank = models.PositiveSmallIntegerField(default=0, verbose_name=pgettext_lazy("ordering", "rank"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["rank", "name"]
        constraints = [models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100),
                                              name="tax_rate_is_a_percentage")]

    def __str__(self) -> str:
        return f"{self.name} {percent(self.percent)}"


class FeeRule(models.Model):
    """The booking fee of one channel: per ticket and/or per order (comps pay none)."""

    organizer = models.ForeignKey(Organizer, verbose_name=_("organizer"), on_delete=models.CASCADE,
                                  related_name="fee_rules", default=1)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    per_ticket = models.DecimalField(_("per ticket"), max_digits=7, decimal_places=2, default=0,
                                     validators=[MinValueValidator(0)])
    per_order = models.DecimalField(_("per order"), max_digits=7, decimal_places=2, default=0,
                                    validators=[MinValueValidator(0)])
    refundable = models.BooleanField(_("refundable"), default=False,
                                     help_text=_("Paid back with a refund; otherwise kept."))

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        ordering = ["channel"]
        constraints = [models.UniqueConstraint(fields=["channel"], name="fee_one_per_channel"),
                       models.CheckConstraint(condition=Q(per_ticket__gte=0) & Q(per_order__gte=0),
                                              name="fee_not_negative")]

    def __str__(self) -> str:
        return _("%(channel)s: %(per_ticket)s a ticket, %(per_order)s an order") % {
            "channel": self.get_channel_display(), "per_ticket": money(self.per_ticket),
            "per_order": money(self.per_order)}


# A code as typed, whatever its accents and case: its compatibility decomposition (NFKD:
# é is e and its accent, ﬁ is fi) without the combining accents, in capitals. Immutable,
# so that a unique index on it finds a typed code in one probe: molière15, MOLIÈRE15 and
# moliere15 are one code. FOLD_SQL is the same for raw SQL ({} the expression folded).
FOLD_SQL = r"UPPER(REGEXP_REPLACE(NORMALIZE(({}), NFKD), '[\u0300-\u036f]', '', 'g'))"


def fold(code: str) -> str:
    """FOLD_SQL in Python, for codes not yet in the database (a list being entered)."""
    return "".join(c for c in unicodedata.normalize("NFKD", code) if not "\u0300" <= c <= "\u036f").upper()


class Folded(models.Func):
    template = FOLD_SQL.format("%(expressions)s::text")
    output_field = models.TextField()


class CodeQuerySet(models.QuerySet):
    def typed(self, code: str):
        """The codes typed as `code`, whatever its accents and case (one at most)."""
        return self.alias(folded_code=Folded("code")).filter(folded_code=Folded(models.Value(code)))


class PromoCode(models.Model):
    """A discount a buyer types in: a percentage or an amount, off each ticket or off the
    order, within its window, its uses and its restrictions (empty: no restriction)."""

    code = models.CharField(_("code"), max_length=40, help_text=_("Typed by buyers; accents and case do not matter."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    percent_off = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount_off = models.DecimalField(_("amount off"), max_digits=9, decimal_places=2, null=True, blank=True)
    # An amount off is money in one currency: taken off only prices in that currency
    # (sales.orders.pricing), never counted as euros off a price in dollars.
    currency = models.CharField(_("currency of the amount off"), max_length=3, default=default_currency,
                                validators=[validate_currency])
    per_order = models.BooleanField(_("once per order"), default=False,
                                    help_text=_("Off the order as a whole instead of off each ticket."))
    max_uses = models.PositiveIntegerField(_("uses in all"), null=True, blank=True)
    max_uses_per_customer = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True, validators=[in_reach])
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True, validators=[in_reach])
    channels = models.CharField(_("channels"), max_length=40, blank=True,
                                help_text=_("Comma-separated (online, counter, phone); empty for every channel."))
    performances = models.ManyToManyField(Performance, blank=True, related_name="+", verbose_name=_("performances"))
    zones = models.ManyToManyField(PriceZone, blank=True, related_name="+", verbose_name=_("zones"))
    price_types = models.ManyToManyField(PriceType, blank=True, related_name="+", verbose_name=_("price types"))
    # Orders awaiting payment, reserved or paid with this code (sales.orders.pricing).
    uses = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("uses"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    objects = CodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Folded("code"), name="promo_code_unique"),
            models.CheckConstraint(condition=Q(percent_off__isnull=True) ^ Q(amount_off__isnull=True),
                                   name="promo_percent_or_amount"),
            models.CheckConstraint(condition=Q(percent_off__isnull=True)
                                   | (Q(percent_off__gt=0) & Q(percent_off__lte=100)), name="promo_percent_range"),
            models.CheckConstraint(condition=Q(amount_off__isnull=True) | Q(amount_off__gt=0),
                                   name="promo_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    def channel_list(self) -> list[str]:
        return [c.strip() for c in self.channels.split(",") if c.strip()]


class Presale(models.Model):
    """Early access to a performance before its general on-sale, for holders of one of
    its codes (a fan club's shared code, or single-use codes sent one per person); it may
    open only some zones or price types (empty: all)."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="presales",
                                    verbose_name=_("performance"))
    name = models.CharField(_("name"), max_length=100)
    opens_at = models.DateTimeField(_("opens at"), validators=[in_reach])
    closes_at = models.DateTimeField(_("closes at"), validators=[in_reach])
    zones = models.ManyToManyField(PriceZone, blank=True, related_name="+", verbose_name=_("zones"))
    price_types = models.ManyToManyField(PriceType, blank=True, related_name="+", verbose_name=_("price types"))

    class Meta:
        verbose_name = _("presale")
        verbose_name_plural = _("presales")
        ordering = ["performance", "opens_at"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="presale_closes_after_opening")]

    def __str__(self) -> str:
        return f"{self.name} ({self.performance})"


class PresaleCode(models.Model):
    presale = models.ForeignKey(Presale, verbose_name=_("presale"), on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=40)
    max_uses = models.PositiveIntegerField(_("uses"), null=True, blank=True, default=1,
                                           help_text=_("1 for a single-use code; empty for a shared code."))
    # Orders awaiting payment, reserved or paid made with this code.
    uses = models.PositiveIntegerField(_("uses"), default=0, editable=False)

    objects = CodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("presale code")
        verbose_name_plural = _("presale codes")
        ordering = ["presale", "code"]
        constraints = [models.UniqueConstraint(Folded("code"), name="presale_code_unique")]

    def __str__(self) -> str:
        return self.code
