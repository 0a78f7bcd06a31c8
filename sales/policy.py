"""A channel is a parameter with a policy, not a copy of the checkout.

Services take the channel code and read its rules from here; nothing else branches on
which channel it is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from events.models import Channel

ORGANIZER = "organizer"
COUNTER_CLERK = "counter clerk"
PHONE_OPERATOR = "phone operator"
# Scans tickets at the entrance; sells nothing and sees no takings.
DOOR_STAFF = "door staff"
# The roles that sell or manage sales (the staff API's order actions are theirs).
SELLING_ROLES = (ORGANIZER, COUNTER_CLERK, PHONE_OPERATOR)
ROLES = (*SELLING_ROLES, DOOR_STAFF)
# The roles with a channel of their own (ChannelPolicy.role), whose members make holds and
# orders as the counter or the phone. The organizer sets up and manages sales, door staff
# scan tickets: neither buys like a buyer.
CHANNEL_ROLES = (COUNTER_CLERK, PHONE_OPERATOR)
# Who gives up an unpaid order or emails a reservation's payment link: the phone, whose
# reservations they are (its console's actions), and the organizer over it. The counter
# only takes a reservation's payment at the window.
RESERVATION_ROLES = (ORGANIZER, PHONE_OPERATOR)
ROLE_LABELS = {ORGANIZER: _("Organizer"), COUNTER_CLERK: _("Counter clerk"), PHONE_OPERATOR: _("Phone operator"),
               DOOR_STAFF: _("Door staff")}


@dataclass(frozen=True)
class ChannelPolicy:
    code: str
    hold_for: timedelta
    # Group a user must be in to sell through this channel; None = anyone, anonymous too.
    role: str | None
    payment_methods: frozenset[str]
    # Behind the waiting room during an on-sale.
    queued: bool
    # Longest a hold may be stretched to (phone operators extend while on the call).
    max_hold: timedelta
    # Pay-later reservations: how far ahead the deadline may be (None: not offered).
    reservation_for: timedelta | None = None
    # Holds and payments a minute from one address, through any door (None: no limit).
    holds_per_minute: int | None = None
    payments_per_minute: int | None = None
    # Sells a performance that has begun (the counter, to a latecomer at the venue),
    # whatever its windows say; the other channels stop at the start.
    sells_after_start: bool = False
    # Sells to nobody in particular: a buyer who gives no email address is the channel's
    # walk-in (the counter's, paying at the window and leaving with printed tickets). The
    # other channels need an address to send the tickets to.
    walk_ins: bool = False

    def allows(self, user) -> bool:
        if self.role is None:
            return True
        return self.role in roles_of(user)


POLICIES: dict[str, ChannelPolicy] = {
    Channel.ONLINE: ChannelPolicy(
        code=Channel.ONLINE, hold_for=timedelta(minutes=10), role=None,
        # A buyer warned in the last minute may ask for more time, once (WCAG's adjustable
        # time limits): the seats are others' to buy too, so not without end.
        payment_methods=frozenset({"card", "test_card"}), queued=True, max_hold=timedelta(minutes=20),
        holds_per_minute=30, payments_per_minute=20,
    ),
    Channel.COUNTER: ChannelPolicy(
        code=Channel.COUNTER, hold_for=timedelta(minutes=5), role=COUNTER_CLERK,
        payment_methods=frozenset({"cash", "card_terminal"}), queued=False,
        max_hold=timedelta(minutes=15), sells_after_start=True, walk_ins=True,
    ),
    Channel.PHONE: ChannelPolicy(
        code=Channel.PHONE, hold_for=timedelta(minutes=15), role=PHONE_OPERATOR,
        payment_methods=frozenset({"card_not_present"}), queued=False,
        max_hold=timedelta(minutes=45), reservation_for=timedelta(days=7),
    ),
}


def policy_for(channel: str) -> ChannelPolicy:
    return POLICIES[Channel(channel)]


def begun_for(channel: str, starts_at: datetime, now: datetime) -> bool:
    """Has the performance starting at `starts_at` begun, for `channel`'s sales? (The
    counter sells on after the start.)"""
    return now >= starts_at and not policy_for(channel).sells_after_start


# How large an order each role may refund on its own (None: any amount). A role not listed
# may not refund; beyond its limit a supervisor (organizer) must.
REFUND_LIMITS: dict[str, Decimal | None] = {
    ORGANIZER: None,
    COUNTER_CLERK: Decimal("300.00"),
}
STAFF_ROLES = ROLES
ROLES_CACHE = "_boxoffice_roles"


def roles_of(user) -> frozenset[str]:
    """The staff roles of `user`, read once per user object (that is, per request, as
    Django caches permissions), unless the login already brought them
    (sales.api.permissions.TokenWithRoles)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    roles = getattr(user, ROLES_CACHE, None)
    if roles is None:
        roles = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        setattr(user, ROLES_CACHE, roles)
    return roles


def buys(user) -> bool:
    """Whether `user` makes holds and orders: a buyer (anonymous, or an account with no
    staff role), or staff who sell through a channel of theirs. What a staff member's
    role is not for, their token does not do."""
    roles = roles_of(user)
    return not roles or not roles.isdisjoint(CHANNEL_ROLES)


def refunds_at_all(user) -> bool:
    """Does one of the user's roles refund at all (within some limit)?"""
    return any(role in REFUND_LIMITS for role in roles_of(user))


def erases_personal_data(user) -> bool:
    """Only the organizer (or a superuser) erases a customer's personal data on request:
    it cannot be undone, and no selling or door role answers for the box office's records."""
    return ORGANIZER in roles_of(user)


def may_refund(user, amount: Decimal) -> bool:
    for role in roles_of(user):
        if role in REFUND_LIMITS and (REFUND_LIMITS[role] is None or amount <= REFUND_LIMITS[role]):
            return True
    return False


def ticket_value(ticket, *, cancelled: bool = False) -> Decimal:
    """What giving a ticket back is worth: what was paid for it, less its fee when that is
    not refundable (an exchange counts it against the new places; a refund pays it back,
    and its receipt says so). A ticket of a cancelled performance is worth all it cost:
    its fee bought nothing."""
    return ticket.price - (Decimal("0") if ticket.fee_refundable or cancelled else ticket.fee)


def default_channel(user) -> str:
    """The channel a staff member sells through when they do not say."""
    roles = roles_of(user)
    if user is not None and user.is_authenticated and not user.is_superuser:
        if COUNTER_CLERK in roles:
            return Channel.COUNTER
        if PHONE_OPERATOR in roles:
            return Channel.PHONE
    return Channel.ONLINE


def cash_due(amount: Decimal) -> Decimal:
    """What changes hands in cash for `amount` (a payment, or a payback when negative):
    rounded to the nearest coin (CASH_ROUNDING; 0.05 in Canada: 1.97 is 1.95, 1.98 is
    2.00). The order's total and its taxes stay to the cent; only the cash is rounded."""
    step = settings.CASH_ROUNDING
    if step <= Decimal("0.01"):
        return amount
    return ((amount / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


def change_for(tendered: Decimal, amount: Decimal) -> Decimal:
    """The change handed back for `tendered` in cash against `amount`: coins too (163.26
    tendered for 163.27, which is 163.25 in cash, gives 0.00 back, not 0.01)."""
    return cash_due(tendered - cash_due(amount))


def tender_too_large(tendered: Decimal, amount: Decimal) -> bool:
    """Is `tendered` more than the cash due for `amount` and the largest banknote in common
    use (CASH_LARGEST_NOTE)? No one hands over a whole note more than the change they need:
    2000 typed for 20.00 is a slip of the decimal point, not 1,980 of change to count out."""
    return tendered > cash_due(amount) + settings.CASH_LARGEST_NOTE


def counted(method: str, amount: Decimal) -> Decimal:
    """What a payment row of `method` moved, as it was handed over: cash to the nearest
    coin (cash_due), anything else to the cent."""
    return cash_due(amount) if method == "cash" else amount


def counted_row(payment) -> Decimal:
    """What a payment row moved, as it was handed over: a cash payback as it left the
    drawer (its `cash`, cash_paid_back), else as `counted` says."""
    if payment.cash is not None:
        return payment.cash
    return counted(payment.method, payment.amount)


def cash_paid_back(before: Decimal, back: Decimal) -> Decimal:
    """The cash handed back for a payback of `back` to a cash payment of which `before`
    was paid back already: the running total to the coin, less what was handed back
    before. Two paybacks of 102.33 of a payment of 204.66 (204.65 in cash) hand back
    102.35 and 102.30: never more than the drawer took, as each rounded alone would."""
    return cash_due(before + back) - cash_due(before)
