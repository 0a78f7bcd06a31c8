"""What a hold's places cost: each ticket's price type in its zone, a promo code's
discount, the channel's fee and the organizer's sales taxes, computed here on the
server (sales.receipts does the arithmetic), never taken from the request.

What the computation reads comes in one query with the hold (`pricing_sql`): the places
with their zones, the performance's price types with their prices per zone, the
channel's fee, the taxes and whether prices include them, the promo code typed with its
restrictions, and the price types a presale code opens. A performance with no price
types sells at its zones' prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Channel, reader_language, unprintable

from .. import inventory, receipts, rows
from ..errors import InvalidRequest, NotPermitted
from ..models import FOLD_SQL, Hold, Order, PresaleCode, PromoCode, Ticket
from ..policy import roles_of
from .customers import refuse_card_number


def hold_prices_sql(hold_id: str) -> str:
    """SQL: the places the hold `hold_id` (an SQL expression) took, with their zones, as
    [[place id, zone price, currency, zone name, zone id], ...] in place order: exactly
    the places a sale sells (inventory.places_of_hold_sql)."""
    return f"""SELECT json_agg(json_build_array(place.id, zone.price::text, zone.currency, zone.name, zone.id)
                                ORDER BY place.id)
               FROM sales_place place JOIN events_pricezone zone ON zone.id = place.price_zone_id
               WHERE place.id IN ({inventory.places_of_hold_sql(hold_id)})"""


def pricing_sql(hold: str) -> str:
    """SQL: what pricing reads besides the places, for the hold row `hold` (an SQL alias):
    the price types [[id, name, limit per order, complimentary, note, {zone id: amount}],
    ...], the channel's fee [per ticket, per order, refundable], the taxes [[name,
    percent, on fees, registration], ...], whether prices include them, the promo code
    typed (PROMO_SQL; its one parameter, the code or None) and the price types the hold's
    presale code opens ([id, ...], or None for all)."""
    return f"""SELECT json_build_array(
        (SELECT json_agg(json_build_array(pt.id, pt.name, pt.order_limit, pt.complimentary, pt.note,
                                          (SELECT json_object_agg(p.zone_id, p.amount::text) FROM events_price p
                                           WHERE p.price_type_id = pt.id),
                                          json_build_object('en', json_build_array(pt.name_en, pt.note_en),
                                                            'fr', json_build_array(pt.name_fr, pt.note_fr)))
                          ORDER BY pt.rank, pt.name, pt.id)
         FROM events_pricetype pt WHERE pt.performance_id = {hold}.performance_id),
        (SELECT json_build_array(per_ticket::text, per_order::text, refundable) FROM sales_feerule
         WHERE channel = {hold}.channel),
        (SELECT json_agg(json_build_array(name, percent::text, on_fees, registration) ORDER BY rank, name)
         FROM sales_taxrate WHERE active),
        (SELECT prices_include_tax FROM sales_organizer ORDER BY id LIMIT 1),
        ({PROMO_SQL}),
        (SELECT json_agg(opened.pricetype_id) FROM sales_presalecode code
         JOIN sales_presale_price_types opened ON opened.presale_id = code.presale_id
         WHERE code.id = {hold}.presale_code_id))"""


# The promo code typed, whatever its accents and case (by the index on its folded form,
# models.Folded), with what it is restricted to, as PROMO_FIELDS in the model's field
# order (PromoCode.from_db takes them so); NULL if there is no such active code.
PROMO_FIELDS = ("id", "code", "description", "percent_off", "amount_off", "currency", "per_order", "max_uses",
                "max_uses_per_customer", "valid_from", "valid_until", "channels", "uses", "active")
PROMO_SQL = """SELECT json_build_array(
        promo.id, promo.code, promo.description, promo.percent_off::text, promo.amount_off::text, promo.currency,
        promo.per_order, promo.max_uses, promo.max_uses_per_customer, promo.valid_from, promo.valid_until,
        promo.channels, promo.uses, promo.active,
        (SELECT json_agg(performance_id) FROM sales_promocode_performances WHERE promocode_id = promo.id),
        (SELECT json_agg(pricezone_id) FROM sales_promocode_zones WHERE promocode_id = promo.id),
        (SELECT json_agg(pricetype_id) FROM sales_promocode_price_types WHERE promocode_id = promo.id))
    FROM sales_promocode promo
    WHERE """ + FOLD_SQL.format("promo.code::text") + " = " + FOLD_SQL.format("%s::text") + " AND promo.active"


_QUOTE = f"""SELECT ({hold_prices_sql("sales_hold.id")}), ({pricing_sql("sales_hold")})
             FROM sales_hold WHERE sales_hold.id = %s"""


def typed_code(request: PriceRequest) -> str | None:
    """The promo code as pricing_sql's parameter: what was typed, or None."""
    return request.promo_code.strip()[:40] or None


@dataclass(frozen=True)
class PriceRequest:
    """What the buyer (or the clerk) chose: a price type per place (place id: price type
    id; places not named get the default, the first type sold in their zone), a promo
    code, and for complimentary tickets the reason."""

    types: dict[int, int] = field(default_factory=dict)
    promo_code: str = ""
    comp_reason: str = ""


NO_CHOICE = PriceRequest()


@dataclass(frozen=True)
class PriceType:
    id: int
    name: str
    order_limit: int | None
    complimentary: bool
    note: str
    prices: dict[int, Decimal]  # zone id: amount


@dataclass
class Quote:
    """An order's price, as it will be charged and recorded."""

    lines: list[inventory.TicketLine]
    total: Decimal
    currency: str
    receipt: dict  # Order.receipt
    promo: PromoCode | None = None
    comp_reason: str = ""

    @property
    def count(self) -> int:
        return len(self.lines)


def price_types_of(setup, language: str | None = None) -> list[PriceType]:
    """The price types pricing_sql read, named in `language` (the buyer's: a ticket keeps
    its price type's name as its buyer reads it), by default the language being written."""
    language = language or reader_language()
    out = []
    for pk, name, limit, comp, note, prices, versions in ((setup or [None])[0] or []):
        own_name, own_note = (versions or {}).get(language) or ("", "")
        out.append(PriceType(pk, own_name or name, limit, comp, own_note or note,
                             {int(z): Decimal(a) for z, a in (prices or {}).items()}))
    return out


def hold_quote(hold: Hold, request: PriceRequest = NO_CHOICE, *, actor=None, email: str = "",
               now: datetime | None = None, language: str | None = None) -> Quote:
    """The price of the hold's places as `request` asks (one read); its tickets named in
    `language` (the buyer's), by default the page's."""
    places, setup = rows.fetch(_QUOTE, [typed_code(request), hold.pk])[0]
    return quote(places, setup, request, hold=hold, actor=actor, email=email, now=now, language=language)


def hold_total(hold: Hold) -> tuple[Decimal, str, list[inventory.TicketLine]]:
    """The total, currency and ticket lines of the hold's places at their default prices."""
    q = hold_quote(hold)
    return q.total, q.currency, q.lines


def quote(places, setup, request: PriceRequest, *, hold: Hold, actor=None, email: str = "",
          now: datetime | None = None, language: str | None = None) -> Quote:
    """Price `places` (hold_prices_sql's answer) with `setup` (pricing_sql's) as `request`
    asks. Raises InvalidRequest or NotPermitted, saying what is wrong, for a choice that
    cannot be sold."""
    now = now or timezone.now()
    places = places or []
    currencies = {currency for _pk, _price, currency, _name, _zone in places}
    if len(currencies) > 1:
        raise InvalidRequest(_("the held places are priced in different currencies"))
    currency = currencies.pop() if places else settings.BOXOFFICE_CURRENCY
    types = price_types_of(setup, language)
    fee_row, tax_rows, included, promo_row, opened_types = (setup or [None] * 6)[1:]
    by_id = {t.id: t for t in types}
    unknown = set(request.types) - {pk for pk, *_rest in places}
    if unknown:
        raise InvalidRequest(_("a price type is given for a place that is not in this hold"), field="tickets")
    comp_allowed = bool(roles_of(actor)) and hold.channel != Channel.ONLINE
    # A hold made with a presale code buys the price types its presale opens (all if none named).
    opened = set(opened_types or ())
    chosen: list[PriceType | None] = []
    for pk, _price, _currency, zone_name, zone_id in places:
        if not types:
            if request.types.get(pk) is not None:
                raise InvalidRequest(_("this performance has no price types"), field="tickets")
            chosen.append(None)
            continue
        wanted = request.types.get(pk)
        if wanted is None:
            price_type = next((t for t in types if not t.complimentary and zone_id in t.prices
                               and (not opened or t.id in opened)), None)
            if price_type is None:
                raise InvalidRequest(_("nothing is sold in %(zone_name)s yet") % {
                    "zone_name": zone_name}, field="tickets")
        else:
            price_type = by_id.get(wanted)
            if price_type is None:
                raise InvalidRequest(_("no such price type for this performance"), field="tickets")
            if price_type.complimentary and not comp_allowed:
                raise NotPermitted(_("complimentary tickets are given by staff only"))
            if not price_type.complimentary and zone_id not in price_type.prices:
                raise InvalidRequest(_("%(name)s is not sold in %(zone_name)s") % {
                    "name": price_type.name, "zone_name": zone_name}, field="tickets")
            if opened and price_type.id not in opened:
                raise InvalidRequest(_("the presale does not sell %(name)s tickets") % {
                    "name": price_type.name}, field="tickets")
        chosen.append(price_type)
    for price_type in types:
        n = sum(c is price_type for c in chosen)
        if price_type.order_limit is not None and n > price_type.order_limit:
            raise InvalidRequest(_("at most %(order_limit)s %(name)s tickets per order") % {
                "order_limit": price_type.order_limit, "name": price_type.name},
                                 field="tickets")
    comps = any(c is not None and c.complimentary for c in chosen)
    comp_reason = request.comp_reason.strip()[:200]
    if comps and not comp_reason:
        raise InvalidRequest(_("give the reason for the complimentary tickets"), field="comp_reason")
    if unprintable(comp_reason):
        raise InvalidRequest(_("the reason holds a character that cannot be printed"), field="comp_reason")
    refuse_card_number(comp_reason, field="comp_reason")
    items = [(price_type, zone_id, Decimal(price) if price_type is None
              else price_type.prices.get(zone_id, Decimal("0.00")))
             for (_pk, price, _currency, _name, zone_id), price_type in zip(places, chosen, strict=True)]
    promo = promo_for(promo_row, request.promo_code, hold=hold, now=now) if request.promo_code.strip() else None
    if promo is not None and promo.amount_off is not None and places and promo.currency != currency:
        raise InvalidRequest(_("the code %(code)s takes an amount in %(currency)s off; these tickets are priced "
                               "in %(priced_in)s") % {"code": promo.code, "currency": promo.currency,
                                                   "priced_in": currency}, field="promo_code")
    discountable = [promo_applies(promo, zone_id, price_type) for price_type, zone_id, _p in items] \
        if promo else [True] * len(items)
    if promo is not None and not any(ok for ok, (t, _z, _p) in zip(discountable, items, strict=True)
                                     if not (t and t.complimentary)):
        raise InvalidRequest(_("the code %(code)s does not apply to these tickets") % {
            "code": promo.code}, field="promo_code")
    fee, taxes = _fee_and_taxes(fee_row, tax_rows)
    discount = None
    if promo is not None:
        discount = receipts.Discount(percent=promo.percent_off, amount=promo.amount_off, per_order=promo.per_order)
    receipt = receipts.price_order(
        [receipts.Item(price=p, comp=bool(t and t.complimentary), discountable=ok)
         for (t, _z, p), ok in zip(items, discountable, strict=True)],
        fee=fee, taxes=taxes, discount=discount, tax_included=bool(included))
    lines = []
    for (pk, _price, _currency, zone_name, _zone), (price_type, _z, _p), line in zip(
            places, items, receipt.tickets, strict=True):
        lines.append(inventory.TicketLine(
            place_id=pk, zone_name=zone_name, price=line.total,
            price_type_name=price_type.name if price_type else "", list_price=line.list_price,
            discount=line.discount, fee=line.fee + sum(line.fee_taxes.values(), Decimal("0")), tax=line.tax,
            fee_refundable=fee.refundable, complimentary=bool(price_type and price_type.complimentary),
            taxes=tax_parts(line)))
    return Quote(lines=lines, total=receipt.total, currency=currency, promo=promo,
                 comp_reason=comp_reason if comps else "",
                 receipt=receipt_record(receipt, lines, taxes, fee, promo, bool(included)))


def _fee_and_taxes(fee_row, tax_rows) -> tuple[receipts.Fee, list[receipts.Tax]]:
    """The channel's fee and the organizer's taxes, as pricing_sql read them."""
    fee = receipts.Fee(*(Decimal(fee_row[0]), Decimal(fee_row[1]), bool(fee_row[2]))) if fee_row else receipts.Fee()
    taxes = [receipts.Tax(name=name, rate=Decimal(percent) / 100, on_fees=on_fees, registration=registration)
             for name, percent, on_fees, registration in (tax_rows or [])]
    return fee, taxes


# A performance's zones [[id, price, currency], ...] and what pricing reads, for a sale on a
# channel with no promo code: pricing_sql over a hold that is not made.
_TICKET_PRICES = f"""
    SELECT (SELECT json_agg(json_build_array(zone.id, zone.price::text, zone.currency) ORDER BY zone.id)
            FROM events_pricezone zone WHERE zone.performance_id = sale.performance_id),
           ({pricing_sql("sale")})
    FROM (SELECT %s::bigint AS performance_id, %s::varchar AS channel, NULL::bigint AS presale_code_id) sale"""


def ticket_prices(*, performance_id: int, channel: str, language: str | None = None) -> dict[int, list]:
    """What one ticket costs in all in each zone of the performance, sold on `channel`, as
    `quote` prices it: each price type sold in the zone ([(its name, amount)], comps
    aside), else the zone's own price [("", amount)], with the channel's fee per ticket and
    the taxes, with no promo code. Not the fee per order, which an order pays once (an
    exchange's new tickets do not pay it again). By zone id; one read."""
    return {zone_id: [(name, line.total) for name, line in lines]
            for zone_id, lines in ticket_lines(performance_id=performance_id, channel=channel,
                                               language=language).zones.items()}


@dataclass(frozen=True)
class ListedTickets:
    """One ticket of each price type in each zone, priced as `ticket_prices` says
    ({zone id: [(name, receipts.Line)]}), with the fee and the taxes it was priced under
    (`receipt`: what receipt_record keeps of them, to compare with an order's)."""

    zones: dict[int, list[tuple[str, receipts.Line]]]
    fee: receipts.Fee
    receipt: dict


def ticket_lines(*, performance_id: int, channel: str, language: str | None = None) -> ListedTickets:
    """`ticket_prices` with each ticket's parts (list price, fee and taxes). One read."""
    zones, setup = rows.fetch(_TICKET_PRICES, [None, performance_id, channel])[0]
    types = [t for t in price_types_of(setup, language) if not t.complimentary]
    fee_row, tax_rows, included = (setup or [None] * 6)[1:4]
    fee, taxes = _fee_and_taxes(fee_row, tax_rows)
    per_ticket = receipts.Fee(per_ticket=fee.per_ticket, refundable=fee.refundable)
    out = {}
    for zone_id, price, _currency in zones or []:
        sold = [(t.name, t.prices[zone_id]) for t in types if zone_id in t.prices] or [("", Decimal(price))]
        # Each as one ticket bought alone (an order's taxes are shared out over its tickets).
        out[zone_id] = [(name, receipts.price_order([receipts.Item(price=amount)], fee=per_ticket, taxes=taxes,
                                                    tax_included=bool(included)).tickets[0]) for name, amount in sold]
    return ListedTickets(out, per_ticket, {"tax_included": bool(included),
                                           "taxes": [[t.name, str(t.rate * 100)] for t in taxes]})


def tax_parts(line: receipts.Line) -> dict:
    """A line's taxes by name, on its price and on its fee (Ticket.taxes)."""
    return {"price": {name: str(a) for name, a in line.price_taxes.items()},
            "fee": {name: str(a) for name, a in line.fee_taxes.items()}}


def receipt_record(receipt: receipts.Receipt, lines, taxes, fee, promo, included: bool) -> dict:
    """What the order keeps of its pricing, for its receipt and its refunds."""
    order_fee = receipt.order_fee
    amounts = receipt.taxes()
    return {
        "tax_included": included,
        "tickets": [[line.place_id, line.zone_name, line.price_type_name, str(line.list_price), str(line.discount),
                     str(line.fee), str(line.tax), str(line.price), line.complimentary] for line in lines],
        "ticket_taxes": {str(line.place_id): line.taxes for line in lines},  # by place: Ticket.taxes
        "order_fee": str(order_fee.total) if order_fee else None,
        "order_fee_tax": str(order_fee.tax) if order_fee else None,
        "order_fee_taxes": {name: str(a) for name, a in order_fee.fee_taxes.items()} if order_fee else {},
        "fee_refundable": fee.refundable,
        "taxes": [[t.name, str(t.rate * 100), t.registration, str(amounts.get(t.name, Decimal("0.00")))]
                  for t in taxes],
        "subtotal": str(sum((line.price for line in receipt.tickets), Decimal("0.00"))),
        "discount": str(receipt.discounts),
        "fees": str(sum((line.fee for line in receipt.lines), Decimal("0.00"))),
        "total": str(receipt.total),
        "promo_code": promo.code if promo else "",
    }


def lines_of(order) -> list[inventory.TicketLine]:
    """An order's ticket lines as priced when it was placed (a reservation paid later)."""
    return [inventory.TicketLine(place_id=pk, zone_name=zone, price=Decimal(total), price_type_name=type_name,
                                 list_price=Decimal(list_price), discount=Decimal(discount), fee=Decimal(fee),
                                 tax=Decimal(tax), fee_refundable=order.receipt.get("fee_refundable", False),
                                 complimentary=comp, taxes=order.receipt.get("ticket_taxes", {}).get(str(pk), {}))
            for pk, zone, type_name, list_price, discount, fee, tax, total, comp in order.receipt["tickets"]]


def kept_on_refund(order) -> Decimal:
    """What a full refund keeps of what the order was paid: the fees (with their taxes)
    that are not refundable, of every ticket it ever had (an exchange or a refund of some
    tickets kept theirs then, and the money still holds them) and of the order itself. A
    fee given back (a cancelled performance's, see `fees_given_back` and
    `order_fee_given_back`) is refundable since, or no longer the order's."""
    receipt = order.receipt or {}
    fees = sum((fee for fee, refundable in order.tickets.values_list("fee", "fee_refundable") if not refundable),
               Decimal("0.00"))
    if receipt and not receipt.get("fee_refundable", True):
        fees += Decimal(receipt.get("order_fee") or "0.00")
    return fees


def kept_before(order) -> list[Ticket]:
    """The order's tickets given back earlier (refunded, or exchanged) whose fees were kept,
    not refundable then: an order leaving a cancelled performance takes those back too."""
    return list(order.tickets.filter(fee_refundable=False).exclude(status=Ticket.Status.VALID))


def order_fee_held(order) -> Decimal:
    """The fee per order, with its taxes, that the order still holds: as its receipt records
    it, nothing once an exchange off a cancelled date gave it back (`order_fee_given_back`)."""
    return Decimal((order.receipt or {}).get("order_fee") or "0.00")


# --- promo codes ------------------------------------------------------------------------

def promo_for(found, code: str, *, hold: Hold, now: datetime) -> PromoCode:
    """The promo code as typed (`found`: PROMO_SQL's answer for it), if it may be used for
    this hold now; else why not. Its uses are counted for good when the order is made
    (placing: one guarded statement)."""
    if found is None:
        raise InvalidRequest(_("the code %(code)s does not exist") % {"code": code.strip()[:40]}, field="promo_code")
    values = list(found[:len(PROMO_FIELDS)])
    values[3:5] = (None if x is None else Decimal(x) for x in values[3:5])  # percent_off, amount_off
    values[9:11] = (None if x is None else datetime.fromisoformat(x) for x in values[9:11])  # valid_from, _until
    promo = PromoCode.from_db(connection.alias, PROMO_FIELDS, values)
    performances, promo.zone_ids, promo.type_ids = (set(ids or ()) for ids in found[len(PROMO_FIELDS):])
    if promo.valid_from and now < promo.valid_from:
        raise InvalidRequest(_("the code %(code)s is not valid yet") % {"code": promo.code}, field="promo_code")
    if promo.valid_until and now >= promo.valid_until:
        raise InvalidRequest(_("the code %(code)s has expired") % {"code": promo.code}, field="promo_code")
    if promo.channel_list() and hold.channel not in promo.channel_list():
        raise InvalidRequest(_("the code %(code)s is not valid for this channel") % {
            "code": promo.code}, field="promo_code")
    if performances and hold.performance_id not in performances:
        raise InvalidRequest(_("the code %(code)s is not valid for this performance") % {
            "code": promo.code}, field="promo_code")
    if promo.max_uses is not None and promo.uses >= promo.max_uses:
        raise InvalidRequest(_("the code %(code)s has been used up") % {"code": promo.code}, field="promo_code")
    return promo


def promo_applies(promo: PromoCode, zone_id: int, price_type: PriceType | None) -> bool:
    if promo.zone_ids and zone_id not in promo.zone_ids:
        return False
    return not promo.type_ids or (price_type is not None and price_type.id in promo.type_ids)


# A promo code's use, taken in the statement that makes its order: only while uses are
# left (PostgreSQL re-checks this on the row's latest version, so N uses make exactly N
# orders however many race for the last one) and while this customer has uses left.
PROMO_USES_LEFT = "(max_uses IS NULL OR uses < max_uses)"
PRESALE_USES_LEFT = "(max_uses IS NULL OR uses < max_uses)"


def presale_code_for(code: str) -> PresaleCode | None:
    return PresaleCode.objects.select_related("presale").typed(code.strip()[:40]).first()


def fees_given_back(tickets, order=None) -> None:
    """A cancelled performance's fees bought nothing: those of `tickets` (and, with
    `order`, the order's own fee) are given back, and so marked refundable from now on: a
    later refund does not keep them again, and the settlement does not count them kept."""
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(fee_refundable=True)
    if order is not None and order.receipt and not order.receipt.get("fee_refundable", True):
        order.receipt["fee_refundable"] = True
        Order.objects.filter(pk=order.pk).update(receipt=order.receipt)


def order_fee_given_back(order) -> None:
    """An exchange off a cancelled date gives the fee per order back, as a refund of the
    order does: its receipt then records it as given back (`order_fee_given_back`: the
    fee, its tax and its taxes by name, as they were), no longer as the order's fee, so
    that it goes back once, and neither the receipt, a later refund nor the settlement
    counts it as held. `order`: as read under its lock."""
    receipt = dict(order.receipt)
    receipt["order_fee_given_back"] = {key: receipt.get(key) for key in ("order_fee", "order_fee_tax",
                                                                         "order_fee_taxes")}
    receipt.update(order_fee=None, order_fee_tax=None, order_fee_taxes={})
    Order.objects.filter(pk=order.pk).update(receipt=receipt)
