"""Counter shifts: a cash float at the start, counted takings at the end."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Channel

from .errors import HoldNotActive, IllegalTransition, InvalidRequest, NotPermitted
from .holds import hold_give_back, holds_live
from .models import Hold, Payment, Shift
from .policy import COUNTER_CLERK, cash_due, roles_of

METHODS = ("cash", "card_terminal")


def shift_current(clerk) -> Shift | None:
    return Shift.objects.filter(clerk=clerk, closed_at__isnull=True).first()


def shift_open(*, clerk, cash_float: Decimal) -> Shift:
    if COUNTER_CLERK not in roles_of(clerk):
        raise NotPermitted(_("only counter clerks open a cash drawer"))
    if cash_float is None or cash_float < 0 or cash_float > Decimal("100000"):
        raise InvalidRequest(_("enter the cash float (0 or more)"), field="cash_float")
    try:
        with transaction.atomic():
            return Shift.objects.create(clerk=clerk, cash_float=cash_float)
    except IntegrityError:
        raise IllegalTransition(_("you already have an open shift")) from None


@dataclass(frozen=True)
class DrawerCash:
    """The cash drawer of a shift, as a clerk reconciles it: the float it opened with, the
    cash taken and the cash paid back (each as it changed hands), and so what it should hold."""

    cash_float: Decimal
    taken: Decimal
    paid_back: Decimal  # negative: what left the drawer

    @property
    def expected(self) -> Decimal:
        return self.cash_float + self.taken + self.paid_back


def _moved(shift: Shift) -> QuerySet[Payment]:
    return (shift.payments.filter(status__in=(Payment.Status.APPROVED, Payment.Status.REFUNDED))
            .exclude(status=Payment.Status.REFUNDED, amount__gt=0))  # a charge paid straight back


def shift_cash(shift: Shift) -> DrawerCash:
    """The shift's cash from its float to what the drawer should hold (DrawerCash)."""
    # Cash as it changed hands: each payment to the nearest coin, each payback as it left the drawer.
    moved = [cash_due(amount) if out is None else out
             for amount, out in _moved(shift).filter(method="cash").values_list("amount", "cash")]
    return DrawerCash(cash_float=shift.cash_float, taken=sum((m for m in moved if m > 0), Decimal("0")),
                      paid_back=sum((m for m in moved if m < 0), Decimal("0")))


def shift_expected(shift: Shift) -> dict[str, Decimal]:
    """What the drawer and the card terminal should hold: the float, plus every payment
    taken, less every refund paid out, during the shift."""
    rows = dict(_moved(shift).exclude(method="cash").values_list("method").annotate(total=Sum("amount")))
    return {"cash": shift_cash(shift).expected, "card_terminal": rows.get("card_terminal") or Decimal("0")}


def shift_differences(shift: Shift) -> dict[str, Decimal]:
    return {m: Decimal(str(shift.counted.get(m, 0))) - Decimal(str(shift.expected.get(m, 0))) for m in METHODS}


def seats_held_by(clerk, now: datetime | None = None) -> QuerySet[Hold]:
    """The clerk's sales in progress at the counter (and exchanges begun there): their live
    holds that still hold seats, not paid. `seats`: how many each holds."""
    return holds_live(now, channel=Channel.COUNTER, user=clerk)


def shift_check_holds(*, clerk, release: Iterable[int] = (), now: datetime | None = None) -> None:
    """Refuse to close a shift while its clerk holds seats not among `release` (the holds
    the clerk chose to give up): a sale in progress is finished or its seats released
    first, never left held by a drawer that is closed. detail["holds"]: their ids."""
    release = set(release)
    kept = [(hold.pk, hold.seats) for hold in seats_held_by(clerk, now) if hold.pk not in release]
    if kept:
        n = sum(seats for _pk, seats in kept)
        raise IllegalTransition(ngettext(
            "your sales in progress still hold %(n)d seat: finish the sale, or release its seat, to close the shift",
            "your sales in progress still hold %(n)d seats: finish the sales, or release their seats, to close the "
            "shift", n) % {"n": n}, holds=sorted(pk for pk, _seats in kept))


def shift_close(*, shift: Shift, clerk, counted_cash: Decimal, counted_card: Decimal,
                release: Iterable[int] = ()) -> Shift:
    """Close the clerk's shift with what they counted. Seats the clerk still holds at the
    counter refuse it (shift_check_holds), unless they are among `release`, the holds the
    clerk chose to give up: those are released through the holds service, in the same
    transaction as the close (refused, nothing is released)."""
    if shift.clerk_id != clerk.pk:
        raise NotPermitted(_("only the clerk of a shift closes it"))
    for value, field in ((counted_cash, "counted_cash"), (counted_card, "counted_card")):
        if value is None or value < 0:
            raise InvalidRequest(_("enter what you counted (0 or more)"), field=field)
    release = set(release)
    with transaction.atomic():
        # Places first (the holds service locks them), then the shift: the order a sale takes.
        for hold in seats_held_by(clerk).filter(pk__in=release):
            # Sold (or lapsed) meanwhile, its sale's payment is in this count; an order still
            # standing on it keeps its seats, and the check below names them.
            with contextlib.suppress(HoldNotActive, IllegalTransition):
                hold_give_back(hold=hold, actor=clerk)
        shift_check_holds(clerk=clerk, release=())
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if shift.closed_at is not None:
            raise IllegalTransition(_("this shift is already closed"))
        expected = shift_expected(shift)
        counted = {"cash": counted_cash, "card_terminal": counted_card}
        shift.expected, shift.counted = expected, counted
        # Stored per method too (in the report): a drawer surplus must not hide a card shortfall.
        shift.difference = sum(counted.values()) - sum(expected.values())
        shift.closed_at = timezone.now()
        shift.save()
    return shift
