"""What the organizer reads about a performance: its places by zone and state, its
takings by day, channel and payment method, refunds and comps, and its sales over time.
Read-only; every figure comes from what was recorded at the sale (tickets' prices,
payments' amounts), never recomputed from today's prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Round, TruncDate
from django.utils import timezone

from events.models import Channel, Performance, Venue

from . import waiting_room
from .inventory import free
from .models import Order, Payment, Place, PlaceState, TaxRate, Ticket

ZERO = Decimal("0.00")
# Money that moved: a payment taken, or a refund paid out (a negative row). A charge paid
# straight back because the sale failed is one row marked refunded with a positive
# amount: nothing moved.
MONEY_MOVED = Q(status=Payment.Status.APPROVED) | Q(status=Payment.Status.REFUNDED, amount__lt=0)


def _taken_and_refunded() -> dict:
    return {"taken": Sum("amount", filter=Q(amount__gt=0)), "refunded": Sum("amount", filter=Q(amount__lt=0))}


def cash_as_handed():
    """What a cash payment row moved as it changed hands, in SQL (policy.counted_row): a
    payback as it left the drawer (its `cash`), else its amount to the nearest coin
    (policy.cash_due: CASH_ROUNDING, halves away from zero, as PostgreSQL's round does)."""
    step = settings.CASH_ROUNDING
    money = DecimalField(max_digits=12, decimal_places=2)
    due = F("amount") if step <= Decimal("0.01") else Round(
        F("amount") / Value(step, output_field=money), output_field=money) * Value(step, output_field=money)
    return Coalesce(F("cash"), due, output_field=money)


def cash_rounding() -> dict:
    """Aggregates of payment rows: what cash rounding to the coin moved beside the amounts
    recorded, on the payments taken and on the paybacks (0 where none was cash). The
    amounts stay the takings, to the cent; a drawer holds them plus this."""
    cash = Q(method=Payment.Method.CASH)
    moved = cash_as_handed() - F("amount")
    return {"rounding_taken": Coalesce(Sum(moved, filter=cash & Q(amount__gt=0)), Value(ZERO)),
            "rounding_refunded": Coalesce(Sum(moved, filter=cash & Q(amount__lt=0)), Value(ZERO))}


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
    # Collected on the tickets still valid and their paid orders: booking fees and fees per
    # order before their taxes, and every tax, on the tickets and on the fees (by name too:
    # a ticket sold before taxes were kept by name is in `taxes` only).
    fees: Decimal = ZERO
    taxes: Decimal = ZERO
    taxes_by_name: list[tuple[str, Decimal]] = field(default_factory=list)
    totals: ZoneLine = field(default_factory=lambda: ZoneLine(""))
    # Cash changes hands to the nearest coin (policy.cash_due) while the amounts above are
    # recorded to the cent: what the drawers took beyond them, on payments and on paybacks.
    cash_rounding_taken: Decimal = ZERO
    cash_rounding_refunded: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.taken + self.refunded

    @property
    def cash_rounding(self) -> Decimal:
        return self.cash_rounding_taken + self.cash_rounding_refunded

    @property
    def channels_total(self) -> tuple[int, Decimal]:
        """The by-channel table's total row: its tickets and net takings added up."""
        return sum(n for _, n, _ in self.by_channel), sum((net for _, _, net in self.by_channel), ZERO)


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
    money = payments.aggregate(**_taken_and_refunded(), **cash_rounding())
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
    by_name, on_fees, order_fees_by_name, kept = taxes_by_name([performance.pk])
    names = list(TaxRate.objects.order_by("rank", "name").values_list("name", flat=True))
    named = sorted(set(by_name) | set(order_fees_by_name) | set(kept),
                   key=lambda n: (names.index(n) if n in names else 99, n))
    return Dashboard(performance=performance, zones=zones, days=days, by_channel=by_channel, by_method=by_method,
                     taken=money["taken"] or ZERO, refunded=money["refunded"] or ZERO, comps=valid["comps"],
                     cash_rounding_taken=money["rounding_taken"], cash_rounding_refunded=money["rounding_refunded"],
                     comps_list_value=valid["comps_value"] or ZERO, scanned=valid["scanned"], totals=totals,
                     # The fees still sold and those refunds kept, each before its taxes.
                     fees=(valid["fees"] or ZERO) - on_fees.get(performance.pk, ZERO) + order_fees - order_fee_taxes
                     + kept_fee_amounts([performance.pk]).get(performance.pk, ZERO) - sum(kept.values(), ZERO),
                     taxes=(valid["taxes"] or ZERO) + order_fee_taxes + sum(kept.values(), ZERO),
                     taxes_by_name=[(n, by_name.get(n, ZERO) + Decimal(order_fees_by_name.get(n) or 0)
                                     + kept.get(n, ZERO)) for n in named])


def on_sale_now(performance: Performance, now: datetime | None = None) -> dict:
    """During an on-sale, refreshed by the dashboard: the waiting room's queue and the
    visitors it has let in, and the tickets sold in the last minute."""
    now = now or timezone.now()
    room = waiting_room.stats(performance.pk)
    # Tickets still sold: an exchange's new ticket (its old one given back) is no sale, nor
    # is a ticket refunded since, as the board's days count them.
    sold = Ticket.objects.filter(place__performance=performance, status=Ticket.Status.VALID,
                                 created_at__gt=now - timedelta(minutes=1)).count()
    return {"in_queue": room["waiting"], "admitted": room["admitted"], "sold_last_minute": sold,
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


def taxes_by_name(performance_ids: list[int]):
    """Each tax by name on the valid tickets (on their prices and fees), the taxes on each
    performance's ticket fees, each tax by name on the paid orders' own fees, and each tax
    by name on the fees that refunds and exchanges kept (collected, and to remit)."""
    by_name, on_fees, order_fees = {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT place.performance_id, part.key, tax.key, sum(tax.value::numeric)
            FROM sales_ticket ticket JOIN sales_place place ON place.id = ticket.place_id
            CROSS JOIN LATERAL jsonb_each(ticket.taxes) part CROSS JOIN LATERAL jsonb_each_text(part.value) tax
            WHERE ticket.status = %s AND place.performance_id = ANY(%s)
            GROUP BY 1, 2, 3""", [Ticket.Status.VALID, performance_ids])
        for performance_id, part, name, amount in cursor.fetchall():
            by_name[name] = by_name.get(name, ZERO) + amount
            if part == "fee":
                on_fees[performance_id] = on_fees.get(performance_id, ZERO) + amount
        cursor.execute("""
            SELECT tax.key, sum(tax.value::numeric) FROM sales_order o
            CROSS JOIN LATERAL jsonb_each_text(coalesce(o.receipt -> 'order_fee_taxes', '{}')) tax
            WHERE o.status = %s AND o.performance_id = ANY(%s) GROUP BY 1""",
                       [Order.Status.PAID, performance_ids])
        order_fees = dict(cursor.fetchall())
        # Kept: the fees not refundable of tickets given back (refunded or exchanged), and of
        # orders refunded; not those a cancelled performance gave back (pricing.fees_given_back).
        cursor.execute("""
            SELECT tax.key, sum(tax.value::numeric) FROM (
                SELECT ticket.taxes -> 'fee' AS taxes FROM sales_ticket ticket
                JOIN sales_place place ON place.id = ticket.place_id
                WHERE ticket.status <> %s AND NOT ticket.fee_refundable AND place.performance_id = ANY(%s)
                UNION ALL
                SELECT o.receipt -> 'order_fee_taxes' FROM sales_order o
                WHERE o.status = %s AND o.receipt ->> 'fee_refundable' = 'false' AND o.performance_id = ANY(%s)
            ) kept CROSS JOIN LATERAL jsonb_each_text(coalesce(kept.taxes, '{}')) tax GROUP BY 1""",
                       [Ticket.Status.VALID, performance_ids, Order.Status.REFUNDED, performance_ids])
        kept = dict(cursor.fetchall())
    return by_name, on_fees, order_fees, kept


def kept_fee_amounts(performance_ids: list[int]) -> dict[int, Decimal]:
    """Each performance's fees that refunds and exchanges kept, taxes included: the fees
    not refundable of tickets given back, and of orders refunded (as taxes_by_name keeps
    their taxes)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT performance_id, sum(fee) FROM (
                SELECT place.performance_id, ticket.fee FROM sales_ticket ticket
                JOIN sales_place place ON place.id = ticket.place_id
                WHERE ticket.status <> %s AND NOT ticket.fee_refundable AND place.performance_id = ANY(%s)
                UNION ALL
                SELECT o.performance_id, (o.receipt ->> 'order_fee')::numeric FROM sales_order o
                WHERE o.status = %s AND o.receipt ->> 'fee_refundable' = 'false' AND o.performance_id = ANY(%s)
            ) kept WHERE fee IS NOT NULL GROUP BY 1""",
                       [Ticket.Status.VALID, performance_ids, Order.Status.REFUNDED, performance_ids])
        return dict(cursor.fetchall())


def taxes_not_split(performance_ids: list[int]) -> Decimal:
    """The taxes of valid tickets sold before each ticket kept its taxes by name: in the
    total of taxes, in no tax's own."""
    return (Ticket.objects.filter(place__performance_id__in=performance_ids, status=Ticket.Status.VALID, taxes={})
            .exclude(tax=0).aggregate(total=Sum("tax"))["total"] or ZERO)
