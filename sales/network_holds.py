"""How many places one client network holds at once of a performance, online.

The per-minute limits (waiting_room.over_channel_limit) cap how fast an address takes
new holds, not how much it keeps: with 30 holds a minute of up to 8 places, each lasting
10 minutes, one address kept some 2,400 places held for ever ("seat spinning"), and a
request without a cookie is a new session each time, so one basket per session stopped
none of it. This caps what one network holds at once of a performance through the online
channel (the shop and anonymous API callers; staff are never capped): as many places as
HELD_BASKETS_PER_NETWORK full orders (the performance's ticket limit each). A request with
a valid queue pass counts as a network of its own (holding_network).

Counted in Redis, one hash per performance and network: a hold's token -> its places, the
latest it can live to (made, plus the channel's longest hold: extensions included) and
when it was counted. One script drops the entries past that time, adds up the others and
counts the new hold only if the sum stays within the cap: holds made at once count each
other, whichever process or door they come by. The count is an upper bound: a hold
released, sold or lapsed early is not taken out when it goes (no door, service or task
has to remember its network). Only when that bound says no does the database say which
of the counted holds are still live (active, not past their `expires_at`: no Celery task
needs to have run); the others are dropped and the script asked again, so only a network
really holding that much is refused, and that read is made near the cap only, never for
an ordinary hold. A counted token the database does not know yet is a hold being made
now (or one whose transaction rolled back): it counts for IN_FLIGHT_SECONDS.

With Redis away nothing is counted and holds go on, as with the per-minute limits (the
database's own limits, per order and per customer, still hold).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Channel

from .errors import TooManyHeld
from .models import Hold
from .policy import policy_for, roles_of
from .waiting_room import client, client_ip

logger = logging.getLogger(__name__)

# The IPv6 network counted as one client here. The per-minute limits count a /64, the
# smallest network a subscriber is given; but a home is usually given a /56 (RIPE-690's
# advice for residential customers), 256 networks of /64 its holder may use at will: per
# /64 that home would hold 256 times the cap. Per /56 it holds the cap, like one IPv4
# address. (A business's /48 is still 256 of these; a cap on places a network holds is
# only worth having if one subscriber cannot multiply it by itself.)
IPV6_NETWORK = 56
# How long a counted hold the database does not know yet is believed to be on its way: a
# hold's statement, or the transaction of the API's keyed request, is done well within it.
IN_FLIGHT_SECONDS = 60

COUNT = """
-- KEYS: the network's hash   ARGV: now, token, places, until, cap, ttl, tokens to drop...
-- An entry: "places until counted_at". Entries to drop and those past their time go; the
-- new hold is counted if the others and it stay within the cap: {-1}. Otherwise nothing
-- is written and the answer is {held, token, counted_at, ...} of the entries counted.
for i = 7, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local now, held, counted = tonumber(ARGV[1]), 0, {}
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local places, till, at = string.match(entries[i + 1], '^(%S+) (%S+) (%S+)$')
  if places == nil or tonumber(till) <= now then
    redis.call('HDEL', KEYS[1], entries[i])
  else
    held = held + tonumber(places)
    table.insert(counted, entries[i])
    table.insert(counted, at)
  end
end
if held + tonumber(ARGV[3]) > tonumber(ARGV[5]) then
  table.insert(counted, 1, held)
  return counted
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[6])
return {-1}
"""


@lru_cache(maxsize=1)
def _script():
    # Bound to no client: each call names the waiting room's client as the settings name it now.
    return redis.Redis().register_script(COUNT)


def holding_network(request, holder: str | None = None) -> str:
    """The network whose held places this request's hold counts with: the caller's IPv4
    address (written as IPv6 by a dual-stack server, or not), or its IPv6 address's /56
    (IPV6_NETWORK), written as that network with its length. A request with a valid queue
    pass counts with that pass instead (`holder`: waiting_room.pass_holder), which holds
    one basket at a time: buyers the queue let in behind one address each have the cap."""
    if holder:
        return holder
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address: counted as it is
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    return str(ipaddress.IPv6Network((ip, IPV6_NETWORK), strict=False))


def cap_for(*, channel: str, user, network: str, ticket_limit: int) -> int | None:
    """The most places `network` may hold at once of a performance whose orders take at
    most `ticket_limit` tickets, through `channel`; None when not capped: staff channels
    and staff, a caller with no network (a service's own holds), or the limits off (the
    benchmarks, whose buyers share one address, as for the per-minute limits)."""
    if channel != Channel.ONLINE or not network or not settings.RATE_LIMITS or not settings.HELD_BASKETS_PER_NETWORK:
        return None
    if roles_of(user):
        return None
    return settings.HELD_BASKETS_PER_NETWORK * ticket_limit


def _key(performance_id: int, network: str) -> str:
    return f"held:{performance_id}:{network}"


def count_in(*, performance_id: int, network: str, token: str, places: int, cap: int) -> bool:
    """Count a hold of `places` under `token`, about to be made, for `network`; raise
    TooManyHeld, counting nothing, if its live holds and it would be more than `cap`
    places. False if it could not be counted (Redis away): the hold goes on uncounted."""
    key = _key(performance_id, network)
    longest = int(policy_for(Channel.ONLINE).max_hold.total_seconds())
    now = time.time()
    args = [f"{now:.3f}", token, places, f"{now + longest:.3f}", cap, longest + 1]
    try:
        answer = _script()(keys=[key], args=args, client=client())
        if answer[0] != -1:
            gone = _not_live(answer[1::2], answer[2::2], now)
            if gone:
                answer = _script()(keys=[key], args=[*args, *gone], client=client())
    except redis.RedisError as exc:
        logger.warning("places held per network not counted: %s", exc)
        return False
    if answer[0] != -1:
        held = int(answer[0])
        raise TooManyHeld(
            _("your network already holds %(held)d places of this performance; one network may hold at most "
              "%(cap)d at once: buy or release some of them, or wait until they lapse") % {
                "held": held, "cap": cap}, held=held, limit=cap)
    return True


def _not_live(tokens: list[str], counted_at: list[str], now: float) -> list[str]:
    """Which of the counted holds are no longer held: released, sold or lapsed, or never
    made (unknown to the database IN_FLIGHT_SECONDS after they were counted)."""
    moment = timezone.now()
    live = {token: status == Hold.Status.ACTIVE and expires_at > moment for token, status, expires_at
            in Hold.objects.filter(token__in=tokens).values_list("token", "status", "expires_at")}
    return [token for token, at in zip(tokens, counted_at, strict=True)
            if not live.get(token, float(at) >= now - IN_FLIGHT_SECONDS)]


def count_out(*, performance_id: int, network: str, token: str) -> None:
    """A counted hold was not made after all (its places were taken): it counts no more."""
    try:
        client().hdel(_key(performance_id, network), token)
    except redis.RedisError as exc:  # it is dropped when next near the cap (never made)
        logger.warning("a hold not made is still counted for its network: %s", exc)
