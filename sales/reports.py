"""What the organizer reads about a performance: its places by zone and state, its
takings by day, channel and payment method, refunds and comps, and its sales over time.
Read-only; every figure comes from what was recorded at the sale (tickets' prices,
payments' amounts), never recomputed from today's prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from events.models import Channel, Performance, Venue

from . import waiting_room
from .inventory import free
from .models import Order, Payment, Place, PlaceState, Ticket

ZERO = Decimal("0.00")
# Money that moved: a payment taken, or a refund paid out (a negative row). A charge paid
# straight back because the sale failed is one row marked refunded with a positive
# amount: nothing moved.
MONEY_MOVED = Q(status=Payment.Status.APPROVED) | Q(status=Payment.Status.REFUNDED, amount__lt=0)


def _taken_and_refunded() -> dict:
    return {"taken": Sum("amount", filter=Q(amount__gt=0)), "refunded": Sum("amount", filter=Q(amount__lt=0))}


@dataclass
class ZoneLine:
    name: str
    sold: int = 0
    held: int = 0
    reserved: int = 0
    available: int = 0
    blocked: int = 0

    @property
    def total(self) -> int:
        return self.sold + self.held + self.reserved + self.available + self.blocked


@dataclass
class Dashboard:
    performance: Performance
    zones: list[ZoneLine]
    # [(day on the venue's clock, taken, refunded, tickets sold that day, tickets sold so far)]
    days: list[tuple[date, Decimal, Decimal, int, int]]
    by_channel: list[tuple[str, int, Decimal]]  # (channel label, tickets, net takings)
    by_method: list[tuple[str, Decimal, Decimal]]  # (method label, taken, refunded)
    taken: Decimal = ZERO
    refunded: Decimal = ZERO
    comps: int = 0
    comps_list_value: Decimal = ZERO
    scanned: int = 0
    # Collected on the tickets still valid and their paid orders: booking fees (with their
    # own taxes) and fees per order, and every tax (a fee's taxes count in both).
    fees: Decimal = ZERO
    taxes: Decimal = ZERO
    totals: ZoneLine = field(default_factory=lambda: ZoneLine(""))

    @property
    def net(self) -> Decimal:
        return self.taken + self.refunded


def zone_states(performance: Performance, now: datetime | None = None) -> list[ZoneLine]:
    """Each price zone's places: sold, held in a live hold, reserved (held for a phone
    reservation to pay later), available (a lapsed hold counts as available), blocked."""
    now = now or timezone.now()
    reserved = Exists(Order.objects.filter(hold_id=OuterRef("hold_id"), status=Order.Status.RESERVED))
    rows = (Place.objects.filter(performance=performance).values("price_zone_id", "price_zone__name")
            .annotate(sold=Count("pk", filter=Q(state=PlaceState.SOLD)),
                      blocked=Count("pk", filter=Q(state=PlaceState.BLOCKED)),
                      available=Count("pk", filter=free(now)),
                      reserved=Count("pk", filter=Q(state=PlaceState.HELD, hold_expires_at__gt=now) & Q(reserved)),
                      held=Count("pk", filter=Q(state=PlaceState.HELD, hold_expires_at__gt=now) & ~Q(reserved)))
            .order_by("price_zone__name"))
    return [ZoneLine(r["price_zone__name"], r["sold"], r["held"], r["reserved"], r["available"], r["blocked"])
            for r in rows]


def performance_dashboard(performance: Performance, now: datetime | None = None) -> Dashboard:
    zones = zone_states(performance, now)
    totals = ZoneLine("", *(sum(getattr(z, f) for z in zones)
                            for f in ("sold", "held", "reserved", "available", "blocked")))
    zone = performance.venue.zone
    payments = Payment.objects.filter(MONEY_MOVED, order__performance=performance)
    money = payments.aggregate(**_taken_and_refunded())
    money_by_day = {r["day"]: (r["taken"] or ZERO, r["refunded"] or ZERO) for r in (
        payments.annotate(day=TruncDate("created_at", tzinfo=zone)).values("day").annotate(**_taken_and_refunded()))}
    # Tickets sold per day: the tickets still valid, by the day they were sold, so that the
    # days add up to the places sold (a refund or an exchange shows in the money of its own
    # day; an exchange's new tickets count on the day of the exchange).
    tickets = Ticket.objects.filter(place__performance=performance)
    sold_by_day = dict(tickets.filter(status=Ticket.Status.VALID).annotate(day=TruncDate("created_at", tzinfo=zone))
                       .values("day").annotate(n=Count("pk")).values_list("day", "n"))
    days, so_far = [], 0
    for day in sorted(set(money_by_day) | set(sold_by_day)):
        so_far += sold_by_day.get(day, 0)
        taken, refunded = money_by_day.get(day, (ZERO, ZERO))
        days.append((day, taken, refunded, sold_by_day.get(day, 0), so_far))
    channel_tickets = dict(tickets.filter(status=Ticket.Status.VALID).values("order__channel")
                           .annotate(n=Count("pk")).values_list("order__channel", "n"))
    channel_money = dict(payments.values("order__channel").annotate(net=Sum("amount"))
                         .values_list("order__channel", "net"))
    by_channel = [(Channel(c).label, channel_tickets.get(c, 0), channel_money.get(c) or ZERO)
                  for c in Channel.values if c in channel_tickets or c in channel_money]
    by_method = [(Payment.Method(r["method"]).label, r["taken"] or ZERO, r["refunded"] or ZERO)
                 for r in payments.values("method").annotate(**_taken_and_refunded()).order_by("method")]
    valid = tickets.filter(status=Ticket.Status.VALID).aggregate(
        comps=Count("pk", filter=Q(complimentary=True)),
        comps_value=Sum("list_price", filter=Q(complimentary=True)),
        scanned=Count("pk", filter=Q(checked_in_at__isnull=False)), fees=Sum("fee"), taxes=Sum("tax"))
    order_fees = order_fee_taxes = ZERO
    for fee, tax in (Order.objects.filter(performance=performance, status=Order.Status.PAID)
                     .exclude(receipt__order_fee=None).values_list("receipt__order_fee", "receipt__order_fee_tax")):
        order_fees += Decimal(fee or 0)
        order_fee_taxes += Decimal(tax or 0)
    return Dashboard(performance=performance, zones=zones, days=days, by_channel=by_channel, by_method=by_method,
                     taken=money["taken"] or ZERO, refunded=money["refunded"] or ZERO, comps=valid["comps"],
                     comps_list_value=valid["comps_value"] or ZERO, scanned=valid["scanned"], totals=totals,
                     fees=(valid["fees"] or ZERO) + order_fees, taxes=(valid["taxes"] or ZERO) + order_fee_taxes)


def on_sale_now(performance: Performance, now: datetime | None = None) -> dict:
    """During an on-sale, refreshed by the dashboard: the waiting room's queue and the
    visitors it has let in, and the tickets sold in the last minute."""
    now = now or timezone.now()
    room = waiting_room.stats(performance.pk)
    sold = Ticket.objects.filter(place__performance=performance, created_at__gt=now - timedelta(minutes=1)).count()
    return {"in_queue": room["in_queue"], "admitted": room["admitted"], "sold_last_minute": sold,
            "sold": Place.objects.filter(performance=performance, state=PlaceState.SOLD).count()}


def takings_today(now: datetime | None = None, venue: Venue | None = None) -> list[tuple[Venue, Decimal, Decimal]]:
    """Each venue's takings since midnight on its own clock: (venue, taken, refunded)."""
    now = now or timezone.now()
    venues = [venue] if venue is not None else list(Venue.objects.order_by("name"))
    out = []
    for v in venues:
        midnight = timezone.localtime(now, v.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        money = Payment.objects.filter(MONEY_MOVED, order__performance__venue=v, created_at__gte=midnight,
                                       created_at__lte=now).aggregate(**_taken_and_refunded())
        out.append((v, money["taken"] or ZERO, money["refunded"] or ZERO))
    return out
