"""Every statement that moves seats, by name, with named parameters.

A move is one statement (see `move`): it locks the places asked for that pass the rule's
guard, in primary-key order (no performance-wide lock: buyers of different seats never
wait for each other), and only if it has every one of them (and its part's further
condition holds) moves exactly those, writes one audit row per place and the rows that
must stand or fall with the move (a new hold's row; a sale's tickets; a paid order's
payments). So it moves all the places or none, in one round trip, atomic by itself.

Parameters every move takes: ids, performance, count, now, channel, hold, order, actor,
and `expires` for a move into a hold. A part adds its own (documented with it). Every
array parameter is cast to its type where the statement reads it (`::bigint[]`): moves.run
sends arrays as PostgreSQL's array literals (rows.array_literal)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..models import Hold, Order, Payment, Ticket
from ..rows import QUICK_COMMIT
from .rules import FREE, HELD, OPEN, SOLD, TRANSITIONS, Rule


@dataclass(frozen=True)
class Part:
    """What a statement adds to the bare move.

    - `requires`: a further condition for the move, checked once the places are locked;
    - `before`: common table expressions (", name AS (...)") run once the places are
      locked; they may read `locked` (id, state, allocation, price_zone_id) and must write
      only `WHERE (SELECT ok FROM whole)`;
    - `hold`: the hold the moved places and their audit rows point at;
    - `ticket`: each sold place's ticket (may read `sales_place.id`);
    - `after`: common table expressions run with the move; they may read `moved` (id);
    - `output`: more columns of the statement's one row."""

    requires: str = ""
    before: str = ""
    hold: str = "%(hold)s"
    ticket: str = "NULL"
    after: str = ""
    output: str = ""


BARE = Part()

# From a place (aliased `place`) to what names it: its section, and its seat if any.
LABEL_JOINS = """JOIN events_section section ON section.id = place.section_id
                 LEFT JOIN events_seat seat ON seat.id = place.seat_id"""


def hold_columns() -> tuple[str, ...]:
    """The columns of a new hold's row, each given as parameter `new_hold_<column>`."""
    return tuple(f.column for f in Hold._meta.concrete_fields if not f.primary_key)


# Into a hold not yet saved: its row is written by the statement that takes its places,
# so no hold is ever seen without them, and no failed try leaves an empty one behind.
# Output: the new hold's id, and what it took as [id, section, row, number, standing
# index, zone, price] each.
NEW_HOLD = Part(
    before=f""",
        new_hold AS (
            INSERT INTO sales_hold ({", ".join(f'"{c}"' for c in hold_columns())})
            SELECT {", ".join(f"%(new_hold_{c})s" for c in hold_columns())}
            WHERE (SELECT ok FROM whole) RETURNING id)""",
    hold="(SELECT id FROM new_hold)",
    output=f""", (SELECT id FROM new_hold),
        (SELECT json_agg(json_build_array(place.id, section.name, seat.row, seat.number, place.standing_index,
                                          zone.name, zone.price::text) ORDER BY place.id)
         FROM moved JOIN sales_place place ON place.id = moved.id {LABEL_JOINS}
         JOIN events_pricezone zone ON zone.id = place.price_zone_id)""")

# A sale's tickets, one per place, as the caller priced them. Parameters: ticket_places,
# ticket_codes, ticket_zones, ticket_prices, ticket_types, ticket_list_prices,
# ticket_discounts, ticket_fees, ticket_taxes, ticket_tax_parts (JSON), ticket_fee_refundable, ticket_comps (arrays
# in the same order). Output: the tickets issued as [id, place, code, zone, price,
# section, row, number, standing index].
TICKETS = Part(
    before=f""",
        issued AS (
            INSERT INTO sales_ticket (order_id, place_id, code, price_zone_name, price, price_type_name, list_price,
                                      discount, fee, tax, taxes, fee_refundable, complimentary, status,
                                      printed_count, created_at)
            SELECT %(order)s, locked.id, line.code, line.zone, line.price, line.type, line.list_price, line.discount,
                   line.fee, line.tax, line.taxes::jsonb, line.fee_refundable, line.comp, '{Ticket.Status.VALID}', 0,
                   %(now)s
            FROM locked JOIN unnest(%(ticket_places)s::bigint[], %(ticket_codes)s::text[],
                                    %(ticket_zones)s::text[], %(ticket_prices)s::numeric[], %(ticket_types)s::text[],
                                    %(ticket_list_prices)s::numeric[], %(ticket_discounts)s::numeric[],
                                    %(ticket_fees)s::numeric[], %(ticket_taxes)s::numeric[],
                                    %(ticket_tax_parts)s::text[], %(ticket_fee_refundable)s::boolean[],
                                    %(ticket_comps)s::boolean[])
                             AS line(place_id, code, zone, price, type, list_price, discount, fee, tax, taxes,
                                     fee_refundable, comp) ON line.place_id = locked.id
            WHERE (SELECT ok FROM whole) ORDER BY locked.id
            RETURNING id, place_id, code, price_zone_name, price)""",
    ticket="(SELECT issued.id FROM issued WHERE issued.place_id = sales_place.id)",
    output=f""", (SELECT json_agg(json_build_array(issued.id, place.id, code, price_zone_name, price::text,
                                               section.name, seat.row, seat.number, place.standing_index)
                             ORDER BY place.id)
                  FROM issued JOIN sales_place place ON place.id = issued.place_id {LABEL_JOINS})""")

# The order paid with its tickets: only if it still is `from_status` (locked after the
# places, the lock order of every service) and its counter payments' shift is still open
# (its row shared-locked after the order's: a close under way is waited for, and read as
# it committed, so that no payment lands in a drawer already counted), its payments as
# taken, its hold sold and its audit line. Parameters: from_status, paid_detail, shift,
# pay_methods, pay_amounts, pay_references, pay_messages, pay_tendered, pay_fingerprints.
PAID = Part(
    requires="EXISTS (SELECT FROM sales_order WHERE id = %(order)s AND status = %(from_status)s FOR UPDATE)"
             " AND (%(shift)s::bigint IS NULL OR EXISTS (SELECT FROM sales_shift WHERE id = %(shift)s::bigint"
             " AND closed_at IS NULL FOR KEY SHARE))",
    after=f""",
        paid AS (
            UPDATE sales_order SET status = '{Order.Status.PAID}', paid_at = %(now)s
            WHERE id = %(order)s AND status = %(from_status)s AND EXISTS (SELECT FROM moved) RETURNING id),
        payments AS (
            INSERT INTO sales_payment (order_id, shift_id, method, amount, status, reference, message, tendered,
                                       card_fingerprint, created_by_id, created_at)
            SELECT paid.id, %(shift)s, part.method, part.amount, '{Payment.Status.APPROVED}', part.reference,
                   part.message, part.tendered, part.fingerprint, %(actor)s, %(now)s
            FROM paid, unnest(%(pay_methods)s::text[], %(pay_amounts)s::numeric[], %(pay_references)s::text[],
                              %(pay_messages)s::text[], %(pay_tendered)s::numeric[], %(pay_fingerprints)s::text[])
                       WITH ORDINALITY AS part(method, amount, reference, message, tendered, fingerprint, n)
            ORDER BY part.n),
        sold AS (UPDATE sales_hold SET status = '{Hold.Status.SOLD}'
                 WHERE id = %(hold)s AND EXISTS (SELECT FROM paid)),
        paid_audit AS (INSERT INTO sales_orderevent (order_id, action, detail, actor_id, at)
                       SELECT paid.id, 'paid', %(paid_detail)s, %(actor)s, %(now)s FROM paid)""")


def _joined(a: Part, b: Part) -> Part:
    return Part(requires=" AND ".join(x for x in (a.requires, b.requires) if x), before=a.before + b.before,
                hold=b.hold if b.hold != BARE.hold else a.hold,
                ticket=b.ticket if b.ticket != BARE.ticket else a.ticket,
                after=a.after + b.after, output=a.output + b.output)


# Each named statement: the transition it makes and what it writes besides.
NAMED: dict[str, tuple[str, Part]] = {
    "hold": ("hold", BARE),
    "hold into a new hold": ("hold", NEW_HOLD),
    "release": ("release", BARE),
    "expire": ("expire", BARE),
    "sell": ("sell", TICKETS),
    "sell and pay": ("sell", _joined(TICKETS, PAID)),
    "return": ("return", BARE),
    "withdraw": ("withdraw", BARE),
    "block": ("block", BARE),
    "unblock": ("unblock", BARE),
}


def statement(name: str, *, skip_locked: bool = False, scoped: bool = True, quick: bool = False) -> str:
    """The SQL of the named statement. `skip_locked`: places another transaction has
    locked are not waited for (and so not taken); `scoped`: the places must be of
    %(performance)s; `quick`: a move into a hold run as its own transaction, whose commit
    does not wait for the disk (rows.QUICK_COMMIT)."""
    action, part = NAMED[name]
    return move(action, TRANSITIONS[action], part, skip_locked=skip_locked, scoped=scoped,
                quick=quick and TRANSITIONS[action].to_state == HELD)


@functools.cache
def move(action: str, rule: Rule, part: Part = BARE, *, skip_locked: bool = False, scoped: bool = True,
         quick: bool = False) -> str:
    """The statement as sent: its runs of whitespace made one space (none is in a literal),
    so that the driver keeps its parsed form (psycopg does up to 4 KB) instead of parsing
    it again at every sale."""
    return " ".join(_move(action, rule, part, skip_locked=skip_locked, scoped=scoped, quick=quick).split())


def _move(action: str, rule: Rule, part: Part, *, skip_locked: bool, scoped: bool, quick: bool = False) -> str:
    into_hold = rule.to_state == HELD
    # `whole` is computed once, whatever was locked: the place to set how this commits.
    return f"""
        WITH locked AS (
            SELECT id, state, allocation, price_zone_id FROM sales_place
            WHERE id = ANY(%(ids)s::bigint[]) {"AND performance_id = %(performance)s" if scoped else ""}
              AND {rule.guard}
            ORDER BY id FOR UPDATE{" SKIP LOCKED" if skip_locked else ""}),
        whole AS (SELECT count(*) = %(count)s {"AND " + part.requires if part.requires else ""} AS ok
                         {", " + QUICK_COMMIT + " AS quick" if quick else ""} FROM locked)
        {part.before},
        moved AS (
            UPDATE sales_place SET state = '{rule.to_state}', updated_at = %(now)s,
                                   hold_id = {part.hold if into_hold else "NULL"},
                                   hold_expires_at = {"%(expires)s" if into_hold else "NULL"},
                                   ticket_id = {part.ticket if rule.to_state == SOLD else "NULL"}
            FROM locked WHERE sales_place.id = locked.id AND (SELECT ok FROM whole)
            RETURNING sales_place.id, locked.state, locked.allocation),
        audit AS (
            INSERT INTO sales_placeevent (place_id, action, from_state, to_state, allocation, channel,
                                          hold_id, order_id, actor_id, at)
            SELECT id, '{action}', state, '{rule.to_state}', allocation, %(channel)s, {part.hold}, %(order)s,
                   %(actor)s, %(now)s
            FROM moved)
        {part.after}
        SELECT ARRAY(SELECT id FROM locked), ARRAY(SELECT id FROM moved ORDER BY id) {part.output}"""


def why_not(action: str, *, scoped: bool = True) -> str:
    """After a refusal: each place asked for, and whether it passes the guard now (read
    without locks: nothing is taken)."""
    return f"""SELECT id, state, allocation, hold_expires_at, {TRANSITIONS[action].guard} FROM sales_place
               WHERE id = ANY(%(ids)s::bigint[]) {"AND performance_id = %(performance)s" if scoped else ""}"""


# A zone's seats that `channel` could hold now: what best-available cuts its runs from
# (wheelchair spaces and companion seats only when asked for, and then only those).
FREE_SEATS = f"""SELECT ARRAY(SELECT id FROM sales_place
                              WHERE performance_id = %(performance)s AND price_zone_id = %(zone)s
                                AND seat_id IS NOT NULL AND accessible = %(accessible)s AND {FREE} AND {OPEN})"""

# How many places of a zone best available could hold now for `channel`.
LEFT_IN_ZONE = f"""SELECT count(*) FROM sales_place
                   WHERE performance_id = %(performance)s AND price_zone_id = %(zone)s
                     AND accessible = %(accessible)s AND {FREE} AND {OPEN}"""


def places_of_hold(hold_id: str) -> str:
    """SQL: the ids of every place the hold `hold_id` (an SQL expression) took when it was
    made: still held, or lost by lapsing and possibly free again. Pricing and selling
    both use this one set."""
    return f"SELECT place_id FROM sales_placeevent WHERE hold_id = {hold_id} AND action = 'hold'"


def places_lost(hold_id: str) -> str:
    """SQL: how many of the places the hold `hold_id` (an SQL expression) took are neither
    its own still nor free now (FREE, on the database's clock): taken by another buyer,
    sold, kept back. A lapsed hold that lost none may still be paid for; one that lost
    some is refused before any card is charged."""
    free_now = FREE.replace("%(now)s", "now()")
    return f"""SELECT count(*) FROM sales_place WHERE id IN ({places_of_hold(hold_id)})
               AND NOT ({free_now} OR (state = '{HELD}' AND hold_id = {hold_id}))"""
