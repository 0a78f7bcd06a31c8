"""What may move a place, and where to: each action's target state and its guard, the
condition a place must meet to be moved (PostgreSQL re-checks it on the latest version
of a row before locking it).

Guards are SQL over `sales_place` with named parameters: `%(now)s`, `%(channel)s`,
`%(hold)s`, `%(order)s`. `free()` and `open_to()` say the same to the ORM's readers
(seat maps, counts); a test holds the two spellings together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_noop

from ..models import PlaceState

AVAILABLE, HELD, SOLD, BLOCKED = (PlaceState.AVAILABLE, PlaceState.HELD, PlaceState.SOLD,
                                  PlaceState.BLOCKED)


def free_ways(now: datetime) -> tuple[Q, Q]:
    """The two ways a place is sellable right now: available; held by a hold that has
    lapsed. Apart, each is one range of the index on (performance, state, hold expiry):
    an existence asked of each stops at its first row, where asked of both at once it
    reads every place of a sold-out performance."""
    return Q(state=AVAILABLE), Q(state=HELD, hold_expires_at__lte=now)


def free(now: datetime) -> Q:
    """Sellable right now: available, or held by a hold that has lapsed."""
    available, lapsed = free_ways(now)
    return available | lapsed


# A place held in a basket that lapses within this time may soon be on sale again: with
# nothing free, the queue pauses and the shop's listing says so, rather than "sold out"
# (a phone reservation kept for days does not count).
BACK_SOON = timedelta(minutes=30)


def in_baskets(now: datetime) -> Q:
    """Held by a hold that lapses soon (BACK_SOON)."""
    return Q(state=HELD, hold_expires_at__gt=now, hold_expires_at__lte=now + BACK_SOON)


def open_to(channel: str) -> Q:
    """Not kept back for another channel."""
    return Q(allocation="") | Q(allocation=channel)


STANDING = Q(seat__isnull=True)

# The same as SQL, with the states as literals (so that the partial index of held places
# serves the sweep's guard).
FREE = f"(state = '{AVAILABLE}' OR (state = '{HELD}' AND hold_expires_at <= %(now)s))"
OPEN = "(allocation = '' OR allocation = %(channel)s)"
HELD_HERE = f"(state = '{HELD}' AND hold_id = %(hold)s)"


@dataclass(frozen=True)
class Rule:
    to_state: str
    guard: str


TRANSITIONS: dict[str, Rule] = {
    # A buyer takes free places into their hold.
    "hold": Rule(HELD, f"({FREE} AND {OPEN})"),
    # The buyer (or the organizer) gives them back.
    "release": Rule(AVAILABLE, HELD_HERE),
    # The sweep tidies lapsed holds (they already count as free).
    "expire": Rule(AVAILABLE, f"(state = '{HELD}' AND hold_expires_at <= %(now)s)"),
    # Payment taken: places still in this hold, or free again after it lapsed.
    "sell": Rule(SOLD, f"({HELD_HERE} OR ({FREE} AND {OPEN}))"),
    # Refund or exchange: the ticket is void, the place goes back on sale.
    "return": Rule(AVAILABLE, f"(state = '{SOLD}' AND ticket_id IN (SELECT id FROM sales_ticket "
                              "WHERE order_id = %(order)s))"),
    # A cancelled performance's refund: the ticket is void, the place stays off sale.
    "withdraw": Rule(BLOCKED, f"(state = '{SOLD}' AND ticket_id IN (SELECT id FROM sales_ticket "
                              "WHERE order_id = %(order)s))"),
    # The organizer kills a place or keeps it back; only free places.
    "block": Rule(BLOCKED, FREE),
    "unblock": Rule(AVAILABLE, f"(state = '{BLOCKED}')"),
}


# Why a place failed its guard. The API gives these per place as they are (stable words a
# program may match); people read them in their language (moves._refuse translates them).
KEPT_FOR = {"online": gettext_noop("kept for the online channel"),
            "counter": gettext_noop("kept for the counter channel"),
            "phone": gettext_noop("kept for the phone channel")}
HELD_BY_ANOTHER = gettext_noop("held by another buyer")
BY_STATE = {SOLD: gettext_noop("already sold"), BLOCKED: gettext_noop("not for sale"),
            AVAILABLE: gettext_noop("not in this state"), HELD: gettext_noop("hold lapsed")}
JUST_CHANGED = gettext_noop("just changed; try again")
UNKNOWN_PLACE = gettext_noop("unknown place")


def reason(row: dict, *, now: datetime, channel: str) -> str:
    """Why a place failed its guard, for the refusal."""
    if row["allocation"] and channel and row["allocation"] != channel:
        return KEPT_FOR.get(row["allocation"], KEPT_FOR["online"])
    if row["state"] == HELD and row["hold_expires_at"] > now:
        return HELD_BY_ANOTHER
    return BY_STATE[row["state"]]
