"""The only writer of seat state.

Every change of a place's state is one named statement (`statements`) that moves the
places only if each passes its rule's guard (`rules.TRANSITIONS`), with an audit row per
place and the rows that stand or fall with the move: all or nothing, by itself, with no
lock wider than the places concerned. A hold lapses by timestamp: a `held` place whose
hold has passed its time matches `free()` everywhere, so nothing waits for the sweep
(`release_expired`). Answers are plain values (`results`); the doors shape them.

- `rules`: states, guards and the transition table;
- `statements`: the SQL of every move, by name, with named parameters;
- `moves`: runs them (hold, release, expire, sell, sell and pay, return, block, ...);
- `best`: best available and standing places, over `pictures`, each process's memory of
  a zone's rows and free runs;
- `parties`: seats for many parties at once, in a given order (a ballot's draw);
- `stock`: a performance's places, created when it goes on sale."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .best import forget_lanes, hold_best, hold_standing, try_block
from .moves import (
    allocate,
    attempt,
    block,
    extend,
    hold_places,
    places_of_hold,
    release,
    release_expired,
    return_to_sale,
    sell,
    unblock,
)
from .parties import Placed, free_places, plan
from .pictures import FreeRuns, ZoneLayout
from .results import Held, IssuedTicket, Payment, PaymentLine, PlaceFacts, TicketLine
from .rules import (
    AVAILABLE,
    BACK_SOON,
    BLOCKED,
    HELD,
    SOLD,
    STANDING,
    TRANSITIONS,
    Rule,
    free,
    free_ways,
    in_baskets,
    open_to,
)
from .statements import places_lost as places_lost_sql
from .statements import places_of_hold as places_of_hold_sql
from .stock import put_on_sale

__all__ = [
    "AVAILABLE", "BACK_SOON", "BLOCKED", "HELD", "SOLD", "STANDING", "TRANSITIONS", "FreeRuns", "Held", "IssuedTicket",
    "Payment", "PaymentLine", "PlaceFacts", "Placed", "Rule", "TicketLine", "allocate", "attempt", "block", "extend",
    "forget_pictures", "free", "free_places", "free_ways", "hold_best", "hold_places", "hold_standing", "in_baskets",
    "now", "open_to", "places_lost_sql", "places_of_hold", "places_of_hold_sql", "plan", "put_on_sale", "release",
    "release_expired", "return_to_sale", "sell", "try_block", "unblock",
]


def forget_pictures() -> None:
    """Forget what this process remembers of zones (their rows and free runs): the next
    best-available request reads them again."""
    FreeRuns.forget(None)
    with ZoneLayout._lock:
        ZoneLayout._zones.clear()
    forget_lanes()


def now() -> datetime:
    return timezone.now()
