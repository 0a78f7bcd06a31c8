"""Holds: the one service every channel calls to take, give back or stretch places."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import IN_A_SENTENCE, Channel, OnSaleWindow, Performance, PriceZone, Section

from . import inventory, network_holds, rows
from .availability import availability_changed
from .errors import HoldNotActive, IllegalTransition, InvalidRequest, NotOnSale, NotPermitted, SalesError
from .formatting import when
from .models import Hold, Order, Place, PlaceState, PresaleCode
from .policy import begun_for, policy_for, roles_of

# A hold made for an exchange (at the counter or by phone) carries its order's code in its
# owner key, "exchange:<ORDER CODE>": its seats are sold by that exchange only
# (orders.order_exchange), never as a sale of their own (refuse_exchange_hold).
EXCHANGE_MARK = "exchange:"


def refuse_exchange_hold(hold: Hold) -> None:
    """Refuse to sell or reserve `hold` as an order of its own if it was made for an
    exchange: whoever holds its token (its clerk's or operator's API token) would otherwise
    sell the exchange's seats as a second order, the exchange left undone."""
    if hold.owner_key.startswith(EXCHANGE_MARK):
        raise IllegalTransition(_("these places are held for an exchange of order %(code)s: only that exchange "
                                  "takes them") % {"code": hold.owner_key[len(EXCHANGE_MARK):]})


# Whether a performance has been put on sale (has places). Not `EXISTS (SELECT 1 ...)`:
# in a prepared statement's generic plan PostgreSQL expects thousands of places per
# performance and, for the first one, scans the table from its start, so the newest
# performance's places, last in the table, cost a scan of all the others (measured: 7.6
# ms a hold, after 60,000 places, instead of 0.05). Ordered by its index, it reads one entry.
def _stocked(performance_id: str) -> str:
    return f"""((SELECT performance_id FROM sales_place WHERE performance_id = {performance_id}
                 ORDER BY performance_id, state LIMIT 1) IS NOT NULL)"""


ON_SALE_WINDOW = f"""SELECT opens_at, closes_at, {_stocked("%s")}
                      FROM events_onsalewindow WHERE performance_id = %s AND channel = %s"""
READ = object()  # check_on_sale: read the window from the database


def check_on_sale(*, performance: Performance, channel: str, now: datetime, window=READ) -> None:
    """Refuse, saying why, unless `channel` sells `performance` right now. `window` is
    (opens_at, closes_at, put on sale) or None for no window, when already read (see
    hold_targets)."""
    if window is READ:
        found = rows.fetch(ON_SALE_WINDOW, [performance.pk, performance.pk, channel])
        window = found[0] if found else None
    def named():  # as the pages write it; read only to refuse (the hot path reads no event or venue)
        return f"{performance.event} — {when(performance.local(), 'D j M Y H:i')}"

    if performance.cancelled_at is not None:
        raise NotOnSale(_("%(performance)s is cancelled") % {"performance": named()})
    if window is None:
        raise NotOnSale(_("%(performance)s is not sold through this channel") % {"performance": named()})
    opens_at, closes_at, stocked = window
    if now < opens_at:
        raise NotOnSale(_("sales open on %(when)s") % {"when": when(performance.local(opens_at), IN_A_SENTENCE)})
    if now >= closes_at:
        raise NotOnSale(_("sales for this performance have closed"))
    if begun_for(channel, performance.starts_at, now):  # whatever its window says
        raise NotOnSale(_("this performance has begun; sales have closed"))
    if not stocked:
        raise NotOnSale(_("%(performance)s has not been put on sale yet") % {"performance": named()})


def hold_targets(*, performance_id: int, channel: str, zone_id: int | None = None, section_id: int | None = None,
                 user=None):
    """What a hold request names, read in one query (the API's hot path): the performance,
    the price zone and the standing section (None where not asked for or not found), the
    channel's on-sale window for check_on_sale, and whether the online sale is behind the
    waiting room (the `WaitingRoom` row, which the room's Redis config is published from).
    Returns None if there is no such performance, or none announced to `user`
    (availability.announced: one not yet put on sale is the staff's only, and to anyone else
    is no more there than a number no performance has)."""
    found = rows.fetch(f"""
        SELECT {rows.columns(Performance)}, {rows.columns(PriceZone)}, {rows.columns(Section)},
               window_.opens_at, window_.closes_at, window_.id IS NOT NULL,
               {_stocked("events_performance.id")},
               EXISTS (SELECT 1 FROM sales_waitingroom WHERE performance_id = events_performance.id AND enabled)
        FROM events_performance
        LEFT JOIN events_pricezone ON events_pricezone.id = %s
        LEFT JOIN events_section ON events_section.id = %s
        LEFT JOIN events_onsalewindow window_ ON window_.performance_id = events_performance.id
                                             AND window_.channel = %s
        WHERE events_performance.id = %s AND (%s OR {_stocked("events_performance.id")})""",
        [zone_id, section_id, channel, performance_id, bool(roles_of(user))])
    if not found:
        return None
    row = found[0]
    performance, zone, section = rows.instances(row, Performance, PriceZone, Section)
    opens_at, closes_at, has_window, stocked, queued = row[-5:]
    return performance, zone, section, (opens_at, closes_at, stocked) if has_window else None, queued


def hold_create(
    *,
    performance: Performance,
    channel: str,
    user=None,
    owner_key: str = "",
    place_ids: list[int] | None = None,
    zone: PriceZone | None = None,
    section: Section | None = None,
    quantity: int | None = None,
    now: datetime | None = None,
    window=READ,
    access_code: str = "",
    accessible: bool = False,
    network: str = "",
) -> Hold:
    """Hold named places (`place_ids`), the best `quantity` of a price `zone`, or
    `quantity` places of a standing `section`. All or nothing. `window`: the on-sale
    window if already read (check_on_sale). `access_code`: a presale code, which opens
    the sale (or some of its zones) before the general on-sale. `accessible`: best
    available among the wheelchair spaces and companion seats, which it otherwise never
    offers. `network`: the caller's client network (network_holds.holding_network), whose
    places held at once online are capped; the doors of the public pass it."""
    now = now or timezone.now()
    policy = policy_for(channel)
    if not policy.allows(user):
        raise NotPermitted(_("you may not sell through the channel %(channel)s") % {"channel": Channel(channel).label})
    ways = sum(x is not None for x in (place_ids, zone, section))
    if ways != 1:
        raise InvalidRequest(_("ask for named places, a price zone or a standing area (one of them)"))
    count = len(set(place_ids)) if place_ids is not None else quantity
    if place_ids is not None and len(set(place_ids)) != len(place_ids):
        raise InvalidRequest(_("the same place is asked for twice"))
    if not isinstance(count, int) or count < 1:
        raise InvalidRequest(_("ask for at least one ticket"), field="quantity")
    if count > performance.ticket_limit:
        raise InvalidRequest(_("at most %(n)d tickets per order") % {"n": performance.ticket_limit},
                             field="quantity")
    if zone is not None and zone.performance_id != performance.pk:
        raise InvalidRequest(_("that price zone belongs to another performance"), field="zone")
    if section is not None and (section.venue_id != performance.venue_id
                                or section.kind != Section.Kind.STANDING):
        raise InvalidRequest(_("that is not a standing area of this performance"), field="section")
    presale_code = None
    try:
        check_on_sale(performance=performance, channel=channel, now=now, window=window)
    except NotOnSale as closed:
        if not access_code.strip() or begun_for(channel, performance.starts_at, now) or performance.cancelled_at:
            raise  # no presale code opens a performance that has begun, or is cancelled
        presale_code = presale_opening(performance=performance, channel=channel, code=access_code, now=now,
                                       closed=closed, zone=zone, section=section, place_ids=place_ids)

    # Not saved here: the inventory writes the hold in the statement that takes its places.
    hold = Hold(performance=performance, channel=channel,
                user=user if user is not None and user.is_authenticated else None,
                owner_key=owner_key, expires_at=now + policy.hold_for, presale_code=presale_code)
    # Counted for its network before it takes anything, so that holds made at once count
    # each other; taken out again when refused. (After any other error it may have been
    # made: it stays counted, until the database says otherwise near the cap.)
    cap = network_holds.cap_for(channel=channel, user=user, network=network, ticket_limit=performance.ticket_limit)
    counted = cap is not None and network_holds.count_in(performance_id=performance.pk, network=network,
                                                         token=hold.token, places=count, cap=cap)
    try:
        if place_ids is not None:
            held = inventory.hold_places(hold=hold, place_ids=place_ids, now=now, actor=user)
        elif zone is not None:
            held = inventory.hold_best(hold=hold, zone=zone, quantity=count, now=now, actor=user,
                                       accessible=accessible)
        else:
            held = inventory.hold_standing(hold=hold, section=section, quantity=count, now=now, actor=user)
    except SalesError:
        if counted:
            network_holds.count_out(performance_id=performance.pk, network=network, token=hold.token)
        raise
    hold.taken = held.places  # what it took (inventory.PlaceFacts), so that its answer needs no read
    # Robust: the hold stands whatever happens to the cache; its taker must get its token.
    transaction.on_commit(lambda: availability_changed(performance.pk), robust=True)
    return hold


def presale_opening(*, performance: Performance, channel: str, code: str, now: datetime, closed: NotOnSale,
                    zone=None, section=None, place_ids=None) -> PresaleCode:
    """The presale code that opens this sale now, before its general on-sale; else why
    not (`closed`: why the general sale refused). Its use is counted when the order is made."""
    found = PresaleCode.objects.select_related("presale").typed(code.strip()[:40]).filter(
        presale__performance=performance).first()
    if found is None:
        raise InvalidRequest(_("this presale code is not valid for this performance"), field="access_code")
    presale = found.presale
    if channel != Channel.ONLINE:
        raise InvalidRequest(_("presale codes are for the online sale"), field="access_code")
    if not presale.opens_at <= now < presale.closes_at:
        raise NotOnSale(_("the presale %(name)s is open from %(opens)s to %(closes)s") % {
            "name": presale.name, "opens": when(performance.local(presale.opens_at), IN_A_SENTENCE),
            "closes": when(performance.local(presale.closes_at), IN_A_SENTENCE)})
    window = OnSaleWindow.objects.filter(performance=performance, channel=channel).first()
    if window is None or now >= window.closes_at or not Place.objects.filter(performance=performance).exists():
        raise closed
    if found.max_uses is not None and found.uses >= found.max_uses:
        raise InvalidRequest(_("this presale code has been used up"), field="access_code")
    zones = set(presale.zones.values_list("pk", flat=True))
    if zones:
        if section is not None:
            zone_ids = set(Place.objects.filter(performance=performance, section=section)
                           .values_list("price_zone_id", flat=True).distinct())
        elif zone is not None:
            zone_ids = {zone.pk}
        else:
            zone_ids = set(Place.objects.filter(performance=performance, pk__in=place_ids or [])
                           .values_list("price_zone_id", flat=True).distinct())
        if not zone_ids <= zones:
            names = ", ".join(presale.zones.order_by("name").values_list("name", flat=True))
            raise NotOnSale(_("the presale %(name)s opens %(zones)s only") % {"name": presale.name, "zones": names})
    return found


def hold_may_be_used_by(hold: Hold, *, user, owner_key: str) -> bool:
    """Whether a caller may read, release or extend `hold`: whoever made it (the same shop
    session or API caller, `owner_key`; the same signed-in user), or staff with the role
    of the channel that made it (a colleague at the counter, another operator picking up
    the call). Its token alone is not enough: staff tokens pass through pages and URLs."""
    if hold.owner_key and hold.owner_key == owner_key:
        return True
    if hold.user_id is not None and user is not None and user.is_authenticated and hold.user_id == user.pk:
        return True
    role = policy_for(hold.channel).role
    return role is not None and role in roles_of(user)


def hold_of_caller(*, token: str, user, owner_key: str) -> Hold | None:
    """The hold with this token, if this caller may use it (hold_may_be_used_by); else
    None, as for a token that does not exist."""
    hold = Hold.objects.filter(token=token).first()
    if hold is None or not hold_may_be_used_by(hold, user=user, owner_key=owner_key):
        return None
    return hold


def hold_give_back(*, hold: Hold, actor=None, now: datetime | None = None) -> None:
    """The holder gives the places back. Not those of an order standing on the hold (a
    reservation keeps its places held until it is paid or cancelled): that order is
    cancelled instead, which releases them."""
    order = Order.objects.filter(hold=hold, status__in=(Order.Status.PENDING, Order.Status.RESERVED,
                                                        Order.Status.PAID)).first()
    if order is not None:
        raise IllegalTransition(_("these places are order %(code)s (%(status)s): cancel or refund that order "
                                  "instead") % {"code": order.code, "status": order.get_status_display().lower()})
    hold_release(hold=hold, actor=actor, now=now)


def hold_keep_choices(*, hold: Hold, choices: dict) -> None:
    """Keep the price choices last sent for a live hold's sale (Hold.price_choices); choices
    kept already are not written again."""
    if hold.price_choices == choices:
        return
    Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE).update(price_choices=choices)
    hold.price_choices = choices


def hold_is_live(hold: Hold, now: datetime | None = None) -> bool:
    return hold.status == Hold.Status.ACTIVE and hold.expires_at > (now or timezone.now())


def holds_live(now: datetime | None = None, **which) -> QuerySet[Hold]:
    """The live holds `which` (filters on Hold) that still hold places, the newest first.
    `seats`: how many each holds."""
    return (Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__gt=now or timezone.now(), **which)
            .annotate(seats=Count("places", filter=Q(places__state=PlaceState.HELD))).filter(seats__gt=0)
            .order_by("-created_at"))


def hold_release(*, hold: Hold, actor=None, now: datetime | None = None) -> None:
    now = now or timezone.now()
    # Lock order everywhere: places first, then the hold and order rows.
    with transaction.atomic():
        inventory.release(hold=hold, now=now, actor=actor)
        if not Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE).update(status=Hold.Status.RELEASED):
            hold.refresh_from_db()
            raise HoldNotActive(_("this hold is already %(status)s") % {"status": hold.get_status_display().lower()})
        hold.status = Hold.Status.RELEASED
        transaction.on_commit(lambda: availability_changed(hold.performance_id), robust=True)


def hold_extend(*, hold: Hold, actor=None, now: datetime | None = None) -> Hold:
    """Give a live hold another full hold period, up to the channel's longest hold."""
    now = now or timezone.now()
    policy = policy_for(hold.channel)
    if not policy.allows(actor):
        raise NotPermitted(_("you may not extend holds of this channel"))
    hold.refresh_from_db()
    if not hold_is_live(hold, now):
        raise HoldNotActive(_("the hold has lapsed; hold the seats again"))
    until = min(now + policy.hold_for, hold.created_at + policy.max_hold)
    if until <= hold.expires_at:
        raise InvalidRequest(_("a hold of the channel %(channel)s lasts at most %(n)d minutes") % {
            "channel": hold.get_channel_display(), "n": int(policy.max_hold / timedelta(minutes=1))})
    with transaction.atomic():
        inventory.extend(hold=hold, until=until, now=now)
        if not Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE, expires_at__gt=now).update(
                expires_at=until):
            raise HoldNotActive(_("the hold has lapsed; hold the seats again"))
        hold.expires_at = until
    return hold


def holds_tidy(*, now: datetime | None = None) -> int:
    """Return lapsed holds' places to available and mark the holds expired. Only tidying:
    lapsed places are already sold to whoever asks (see inventory.free)."""
    now = now or timezone.now()
    total = 0
    while True:
        n = inventory.release_expired(now=now)
        total += n
        if n == 0:
            break
    Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__lte=now).update(
        status=Hold.Status.EXPIRED)
    return total
