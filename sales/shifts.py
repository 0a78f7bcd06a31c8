"""Counter shifts: a cash float at the start, counted takings at the end."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import IllegalTransition, InvalidRequest, NotPermitted
from .models import Payment, Shift
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


def shift_expected(shift: Shift) -> dict[str, Decimal]:
    """What the drawer and the card terminal should hold: the float, plus every payment
    taken, less every refund paid out, during the shift."""
    taken = (shift.payments.filter(status__in=(Payment.Status.APPROVED, Payment.Status.REFUNDED))
             .exclude(status=Payment.Status.REFUNDED, amount__gt=0))  # a charge paid straight back
    rows = dict(taken.exclude(method="cash").values_list("method").annotate(total=Sum("amount")))
    # Cash as it changed hands: each payment to the nearest coin, each payback as it left the drawer.
    cash = sum((cash_due(amount) if out is None else out
                for amount, out in taken.filter(method="cash").values_list("amount", "cash")), Decimal("0"))
    return {"cash": shift.cash_float + cash, "card_terminal": rows.get("card_terminal") or Decimal("0")}


def shift_differences(shift: Shift) -> dict[str, Decimal]:
    return {m: Decimal(str(shift.counted.get(m, 0))) - Decimal(str(shift.expected.get(m, 0))) for m in METHODS}


def shift_close(*, shift: Shift, clerk, counted_cash: Decimal, counted_card: Decimal) -> Shift:
    if shift.clerk_id != clerk.pk:
        raise NotPermitted(_("only the clerk of a shift closes it"))
    for value, field in ((counted_cash, "counted_cash"), (counted_card, "counted_card")):
        if value is None or value < 0:
            raise InvalidRequest(_("enter what you counted (0 or more)"), field=field)
    with transaction.atomic():
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
