"""Small input and output serializers. Inputs are parsed here; rules live in the services."""

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Channel, Event, Performance, PriceZone, default_currency, in_reach, validate_currency
from sales import reads
from sales.models import Hold, Order, Payment, Place, Ticket
from sales.order_receipt import order_receipt
from sales.policy import begun_for

MAX_PLACES = 100


class ListField(serializers.ListField):
    """DRF's list, refused for its length before any item is checked (DRF checks max_length
    after validating every item: a 2 MB body of a million numbers kept a web process busy
    for seconds before being told it is too long)."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


# An input serializer whose fields are built once per class. DRF deep-copies every
# declared field for each instance, which on the hot path (a hold, an order) cost more
# than the validation itself. The fields are bound to an instance of their own, which
# holds no request's data; validating reads nothing of a request from them (no context,
# no partial updates). (A comment, not a docstring: the schema would show it as every
# input's description.)
#
# A field the input does not have is refused, with nothing done: a misspelt optional field
# (`payment_lnk`, `reserve_untill`) would otherwise be dropped without a word, and the
# request done as if it had not been sent.
class Input(serializers.Serializer):
    @property
    def fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = serializers.Serializer.fields.func(type(self)())
            type(self)._built_fields = built
        return built

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(key for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {str(unknown[0])[:60]: [_("unknown field: nothing was done")]})
        return super().to_internal_value(data)


# --- catalogue ------------------------------------------------------------------------

class EventOut(serializers.ModelSerializer):
    refund_policy = serializers.CharField(
        source="shown_refund_policy", read_only=True,
        help_text="whether, and until when, tickets can be refunded or exchanged, in the caller's language "
                  "when the organizer wrote it in it; empty when none is given")

    class Meta:
        model = Event
        fields = ["id", "title", "description", "refund_policy"]


class ZoneOut(serializers.ModelSerializer):
    available = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = PriceZone
        fields = ["id", "name", "price", "currency", "color", "available", "total"]

    def get_available(self, zone) -> int:
        return self.context.get("counts", {}).get(zone.pk, {}).get("available", 0)

    def get_total(self, zone) -> int:
        return self.context.get("counts", {}).get(zone.pk, {}).get("total", 0)


class WindowOut(serializers.Serializer):
    channel = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    open_now = serializers.BooleanField()


class PerformanceOut(serializers.ModelSerializer):
    event = EventOut()
    venue = serializers.CharField(source="venue.name")
    on_sale = serializers.SerializerMethodField()

    class Meta:
        model = Performance
        fields = ["id", "event", "venue", "starts_at", "doors_open_at", "running_minutes", "ticket_limit",
                  "cancelled_at", "on_sale"]
        extra_kwargs = {"running_minutes": {"help_text": "how long the show runs, intervals included; null when "
                                                         "not said"},
                        "cancelled_at": {"help_text": "set once the performance is cancelled: nothing is sold, "
                                                      "its buyers are paid back"}}

    @extend_schema_field(WindowOut(many=True))
    def get_on_sale(self, perf):
        now = self.context["now"]
        return WindowOut([{"channel": w.channel, "opens_at": w.opens_at, "closes_at": w.closes_at,
                           "open_now": w.opens_at <= now < w.closes_at
                           and not begun_for(w.channel, perf.starts_at, now) and perf.cancelled_at is None
                           and getattr(perf, "stocked", False)}
                          for w in perf.on_sale_windows.all()], many=True).data


class PriceOut(serializers.Serializer):
    zone = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)


class PriceTypeOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    note = serializers.CharField()
    order_limit = serializers.IntegerField(allow_null=True)
    complimentary = serializers.BooleanField(help_text="given by staff with a reason; free")
    prices = PriceOut(many=True)


class PerformanceDetailOut(PerformanceOut):
    zones = serializers.SerializerMethodField()
    price_types = serializers.SerializerMethodField()

    class Meta(PerformanceOut.Meta):
        fields = PerformanceOut.Meta.fields + ["zones", "price_types"]

    @extend_schema_field(ZoneOut(many=True))
    def get_zones(self, perf):
        return ZoneOut(perf.price_zones.all(), many=True, context=self.context).data

    @extend_schema_field(PriceTypeOut(many=True))
    def get_price_types(self, perf):
        staff = self.context.get("staff", False)
        return PriceTypeOut([{"id": t.pk, "name": t.name, "note": t.note, "order_limit": t.order_limit,
                              "complimentary": t.complimentary,
                              "prices": [{"zone": p.zone_id, "amount": p.amount} for p in t.prices.all()]}
                             for t in perf.price_types.prefetch_related("prices") if staff or not t.complimentary],
                            many=True).data


# --- holds ----------------------------------------------------------------------------

class HoldIn(Input):
    performance = serializers.IntegerField(min_value=1, max_value=2**62)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    places = ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                       required=False, max_length=MAX_PLACES)
    zone = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    section = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PLACES)
    access_code = serializers.CharField(required=False, max_length=40, default="",
                                        help_text="a presale code: holds before the general on-sale")
    accessible = serializers.BooleanField(required=False, default=False,
                                          help_text="with zone: best available among wheelchair spaces and "
                                                    "companion seats (never offered otherwise)")

    def validate(self, data):
        ways = [k for k in ("places", "zone", "section") if k in data]
        if len(ways) != 1:
            raise serializers.ValidationError(_("give exactly one of places, zone or section"))
        if ways[0] in ("zone", "section") and "quantity" not in data:
            raise serializers.ValidationError({"quantity": [_("how many places?")]})
        # Else dropped without a word: five places asked for, the one named held.
        if ways[0] == "places" and "quantity" in data:
            raise serializers.ValidationError({"quantity": [_("quantity is for a zone or a section, not with places")]})
        if ways[0] != "zone" and data.get("accessible"):
            raise serializers.ValidationError({"accessible": [_("accessible is for a zone, not with %(way)s")
                                                              % {"way": ways[0]}]})
        return data


class PlaceOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField()
    section = serializers.CharField(source="section.name")
    row = serializers.CharField(source="seat.row", default=None, allow_null=True)  # none for a standing place
    number = serializers.CharField(source="seat.number", default=None, allow_null=True)
    zone = serializers.CharField(source="price_zone.name")
    price = serializers.DecimalField(source="price_zone.price", max_digits=9, decimal_places=2)


# The hot responses (a hold, an order) are built by hand from one fixed query each: the
# declared fields describe them for the schema, and the schema tests hold the two together.
_DATETIME = serializers.DateTimeField()
_PRICE = serializers.DecimalField(max_digits=12, decimal_places=2)


def _when(value):
    return _DATETIME.to_representation(value) if value is not None else None


class HoldOut(serializers.ModelSerializer):
    places = serializers.SerializerMethodField()
    live = serializers.SerializerMethodField()

    class Meta:
        model = Hold
        fields = ["token", "performance", "channel", "status", "live", "expires_at", "places"]

    @extend_schema_field(PlaceOut(many=True))
    def get_places(self, hold):
        places = getattr(hold, "taken", None) or reads.held_places(hold.pk)  # just made: as the hold took them
        return [{"id": p.id, "label": Place.label_of(p.section, p.row, p.number, p.standing_index),
                 "section": p.section, "row": p.row, "number": p.number, "zone": p.zone,
                 "price": _PRICE.to_representation(p.price)}
                for p in places]

    def get_live(self, hold) -> bool:
        return hold.status == Hold.Status.ACTIVE and hold.expires_at > self.context["now"]

    def to_representation(self, hold):
        return {"token": hold.token, "performance": hold.performance_id, "channel": hold.channel,
                "status": hold.status, "live": self.get_live(hold), "expires_at": _when(hold.expires_at),
                "places": self.get_places(hold)}


# --- orders ---------------------------------------------------------------------------

class CustomerIn(Input):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                 help_text="required with an email address, except at the counter (a counter clerk's "
                                           "token): there a walk-in who gives an address only is named by it")
    email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default="",
        help_text="required, except at the counter (a counter clerk's token): there an order without one is a "
                  "walk-in's, sold to nobody in particular, as at the counter's window")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class PaymentIn(Input):
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    token = serializers.CharField(max_length=255, required=False, allow_blank=True, default="",
                                  help_text="card (online) and card_not_present (by phone, a MOTO payment): the "
                                            "provider's token for the card typed into its own field (Stripe.js "
                                            "createToken, or a PaymentMethod id); the card number never comes here")
    card_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="",
                                        help_text="test_card only, accepted only where load tests and benchmarks "
                                                  "turn the built-in test card on (PAYMENT_TEST_CARD)")
    tendered = serializers.DecimalField(max_digits=10, decimal_places=2, required=False,
                                        min_value=0, allow_null=True, default=None)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


    def validate(self, data):
        # A card number is refused unheard by every method but the built-in test card's,
        # and by that one too unless load tests turned it on.
        if data.get("card_number") and not (data["method"] == "test_card" and settings.TEST_CARD_PROVIDER):
            raise serializers.ValidationError(
                {"card_number": _("card numbers are not accepted: send the token of the card typed into the "
                                  "payment provider's field")})
        return data


class ConfirmPaymentIn(Input):
    client_secret = serializers.CharField(max_length=255)


class TicketChoiceIn(Input):
    place = serializers.IntegerField(min_value=1, max_value=2**62)
    price_type = serializers.IntegerField(min_value=1, max_value=2**62)


class PricingIn(Input):
    tickets = TicketChoiceIn(many=True, required=False, max_length=MAX_PLACES,
                             help_text="a price type per place, each place once (others get the performance's default)")
    promo_code = serializers.CharField(required=False, max_length=40, default="", allow_blank=True)
    comp_reason = serializers.CharField(required=False, max_length=200, default="", allow_blank=True,
                                        help_text="required for complimentary tickets (staff only)")


def with_its_offset(serializer, field: str, value, refusal: str):
    """`value`, the field's time, if it was sent with its offset from UTC; else refused."""
    raw = serializer.initial_data.get(field)
    parsed = parse_datetime(raw.strip()) if isinstance(raw, str) else None
    if value is not None and parsed is not None and timezone.is_naive(parsed):
        raise serializers.ValidationError(refusal)
    return value


class OrderIn(PricingIn):
    hold = serializers.CharField(max_length=40, help_text="the hold's token")
    customer = CustomerIn(required=False, help_text="the buyer; a counter clerk selling to a walk-in may leave it out")
    payment = PaymentIn(required=False, help_text="pay now (give this or reserve_until)")
    reserve_until = serializers.DateTimeField(
        required=False,
        help_text="reserve to pay later, until this time, with its offset or Z (phone channel; give this or payment)")
    payment_link = serializers.BooleanField(
        required=False, default=False,
        help_text="with reserve_until: email the customer a link to pay the reservation by card themselves")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False,
        help_text="the customer's language, which every email about the order speaks (default: the request's)")

    def validate_reserve_until(self, value):
        # Without an offset it would be read on the server's clock, neither the caller's nor
        # the venue's: a reservation could lapse hours before or after the time meant.
        return with_its_offset(self, "reserve_until", value,
                               _("give the reservation's deadline with its offset from UTC (or Z)"))

    def validate(self, data):
        if ("payment" in data) == ("reserve_until" in data):
            raise serializers.ValidationError(_("give exactly one of payment or reserve_until"))
        if data.get("payment_link") and "reserve_until" not in data:
            raise serializers.ValidationError(
                {"payment_link": _("a payment link is for a reservation (reserve_until)")})
        return data


class TicketAtDoorOut(serializers.ModelSerializer):
    """A ticket as door staff look it up: what admits a guest (its place, zone and price
    type, whether it is valid and scanned), not what it cost: the door sees no takings."""
    place = serializers.CharField(source="place.label")
    place_id = serializers.IntegerField()

    class Meta:
        model = Ticket
        fields = ["code", "place_id", "place", "price_zone_name", "price_type_name", "status", "checked_in_at"]


class TicketOut(TicketAtDoorOut):
    """A ticket with what was charged for it, as an order's answer and selling staff have it."""

    class Meta(TicketAtDoorOut.Meta):
        fields = ["code", "place_id", "place", "price_zone_name", "price_type_name", "list_price", "discount", "fee",
                  "tax", "complimentary", "price", "status", "checked_in_at"]


class TaxOut(serializers.Serializer):
    name = serializers.CharField()
    percent = serializers.CharField()
    registration = serializers.CharField()
    amount = serializers.CharField(allow_null=True, help_text="null once an exchange sold other tickets into the "
                                                              "order: the taxes are then known together only")


class ReceiptOut(serializers.Serializer):
    subtotal = serializers.CharField(help_text="the tickets' prices less discounts (before taxes when they are added)")
    discount = serializers.CharField()
    fees = serializers.CharField()
    order_fee = serializers.CharField(allow_null=True)
    taxes = TaxOut(many=True)
    tax_included = serializers.BooleanField()
    total = serializers.CharField()
    promo_code = serializers.CharField()


def order_receipt_out(order: Order) -> dict | None:
    """The order's receipt as recorded when it was priced, or as it stands since an exchange."""
    if order.receipt and Decimal(order.receipt["total"]) != order.total:
        return _receipt_since_exchange(order)
    return receipt_out(order.receipt)


def receipt_out(receipt: dict) -> dict | None:
    if not receipt:
        return None
    return {"subtotal": receipt["subtotal"], "discount": receipt["discount"], "fees": receipt["fees"],
            "order_fee": receipt["order_fee"], "tax_included": receipt["tax_included"], "total": receipt["total"],
            "promo_code": receipt["promo_code"],
            "taxes": [{"name": n, "percent": p, "registration": r, "amount": a} for n, p, r, a in receipt["taxes"]]}


def _receipt_since_exchange(order: Order) -> dict:
    """An exchange sold other tickets into the order after it was priced: its receipt as it
    now stands, as its page shows it (each tax's amount from the tickets shown, null for
    tickets sold before taxes were kept by name; what the exchange kept of the old
    tickets' fees is among the fees)."""
    now = order_receipt(order)
    amounts = {t.name: None if t.amount is None else f"{t.amount:.2f}" for t in now.taxes}
    return {"subtotal": f"{now.subtotal:.2f}", "discount": f"{now.discount:.2f}", "fees": f"{now.fees + now.kept:.2f}",
            "order_fee": order.receipt["order_fee"], "tax_included": now.tax_included, "total": f"{now.total:.2f}",
            "promo_code": now.promo_code,
            "taxes": [{"name": n, "percent": p, "registration": r, "amount": amounts.get(n)}
                      for n, p, r, _a in order.receipt["taxes"]]}


class QuoteOut(serializers.Serializer):
    total = serializers.CharField()
    currency = serializers.CharField()
    tickets = serializers.ListField(child=serializers.DictField())
    receipt = ReceiptOut()


class RefundIn(serializers.Serializer):
    tickets = ListField(
        child=serializers.CharField(max_length=40), required=False, allow_empty=False, max_length=100,
        help_text="the codes of the tickets to refund; without it, the whole order")

    def validate(self, attrs):
        # A typo for `tickets` would otherwise refund the whole order.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({unknown[0]: [_("unknown field: nothing was refunded")]})
        return attrs


class OrderOut(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    change_due = serializers.SerializerMethodField(
        help_text="in the answer to the request that took cash (`cash` with `tendered`): the change to hand back, "
                  "\"0.00\" for the exact amount; null when that request took no cash (a card, the card terminal, "
                  "a reservation) and in any answer that took no payment (a read, a refund)")
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["code", "status", "performance", "channel", "total", "currency", "customer",
                  "tickets", "receipt", "created_at", "paid_at", "payment_deadline", "confirmation_sent_at",
                  "failure_reason", "link", "change_due"]

    @extend_schema_field(ReceiptOut(allow_null=True))
    def get_receipt(self, order):
        return order_receipt_out(order)

    def get_customer(self, order) -> dict:
        return {"name": order.buyer, "email": order.customer.email, "phone": order.phone}

    @extend_schema_field(TicketOut(many=True))
    def get_tickets(self, order):
        issued = getattr(order, "issued", None)  # just sold: the sale's statement said what it issued
        if issued is not None:
            lines = {line[0]: line for line in (order.receipt or {}).get("tickets", [])}
            return [{"code": t.code, "place_id": t.place_id,
                     "place": Place.label_of(t.section, t.row, t.number, t.standing_index),
                     "price_zone_name": t.zone_name, **_parts(lines.get(t.place_id), t.price),
                     "price": _PRICE.to_representation(t.price), "status": Ticket.Status.VALID, "checked_in_at": None}
                    for t in issued]
        return [{"code": t.code, "place_id": t.place_id,
                 "place": Place.label_of(t.section, t.row, t.number, t.standing_index),
                 "price_zone_name": t.zone_name, "price_type_name": t.price_type_name,
                 "list_price": _PRICE.to_representation(t.list_price if t.list_price is not None else t.price),
                 "discount": _PRICE.to_representation(t.discount), "fee": _PRICE.to_representation(t.fee),
                 "tax": _PRICE.to_representation(t.tax), "complimentary": t.complimentary,
                 "price": _PRICE.to_representation(t.price), "status": t.status,
                 "checked_in_at": _when(t.checked_in_at)}
                for t in reads.order_tickets(order.pk)]

    def get_link(self, order) -> str:
        from sales.notifications import order_link

        return order_link(order)

    def get_change_due(self, order) -> str | None:
        change = getattr(order, "change_due", None)
        return f"{change:.2f}" if change is not None else None

    def to_representation(self, order):
        return {"code": order.code, "status": order.status, "performance": order.performance_id,
                "channel": order.channel, "total": _PRICE.to_representation(order.total),
                "currency": order.currency, "customer": self.get_customer(order),
                "tickets": self.get_tickets(order), "receipt": order_receipt_out(order),
                "created_at": _when(order.created_at),
                "paid_at": _when(order.paid_at), "payment_deadline": _when(order.payment_deadline),
                "confirmation_sent_at": _when(order.confirmation_sent_at),
                "failure_reason": order.failure_reason, "link": self.get_link(order),
                "change_due": self.get_change_due(order)}


def _parts(line, price) -> dict:
    """A just-sold ticket's price parts, from its order's receipt line."""
    if line is None:
        return {"price_type_name": "", "list_price": _PRICE.to_representation(price), "discount": "0.00",
                "fee": "0.00", "tax": "0.00", "complimentary": False}
    _pk, _zone, type_name, list_price, discount, fee, tax, _total, comp = line
    return {"price_type_name": type_name, "list_price": list_price, "discount": discount, "fee": fee, "tax": tax,
            "complimentary": comp}



class RefundOut(OrderOut):
    refused_by_provider = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True,
        help_text="what the card provider refused to pay back of this refund (the payment disputed, too old): "
                  "still owed to the buyer, to be paid back by other means; 0.00 when it took it all")

    class Meta(OrderOut.Meta):
        fields = [*OrderOut.Meta.fields, "refused_by_provider"]

    def to_representation(self, order):
        return {**super().to_representation(order),
                "refused_by_provider": _PRICE.to_representation(order.refused_by_provider)}


class CheckInIn(Input):
    performance = serializers.IntegerField(min_value=1, max_value=2**62,
                                           help_text="the performance at whose door the ticket is scanned")
    door = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                 help_text="the door or device scanning, recorded with the check-in")
    scan = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                 help_text="the device's id for this scan: sending the same scan again is "
                                           "answered as the first time")
    scanned_at = serializers.DateTimeField(required=False, default=None, allow_null=True,
                                           help_text="when a scan queued offline was made (at most 12 hours ago), "
                                                     "with its offset or Z")

    def validate_scanned_at(self, value):
        # Without an offset the time would be read on the server's clock, not the device's:
        # a scan could be dated hours off, in or out of its performance's day.
        return with_its_offset(self, "scanned_at", value, _("give the scan's time with its offset from UTC (or Z)"))


class CheckInOut(serializers.Serializer):
    code = serializers.CharField(source="ticket.code")
    order = serializers.CharField(source="ticket.order.code")
    place = serializers.CharField(source="ticket.place.label")
    checked_in_at = serializers.DateTimeField(source="ticket.checked_in_at")
    door = serializers.CharField(source="ticket.checked_in_door")
    replayed = serializers.BooleanField(help_text="this scan was recorded before (a resend)")


# --- organizer ------------------------------------------------------------------------

class SeatingPlanIn(Input):
    format = serializers.ChoiceField(choices=["csv", "json"])
    content = serializers.CharField(max_length=5_000_000, trim_whitespace=False)


class ZoneIn(Input):
    name = serializers.CharField(max_length=100)
    price = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, default=default_currency, validators=[validate_currency],
                                     help_text="ISO 4217 code; the box office's own (BOXOFFICE_CURRENCY) if left out")
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", default="#3b82f6")
    sections = ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                         default=list, max_length=1000)
    seats = ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                      default=list, max_length=100_000)


class WindowIn(Input):
    channel = serializers.ChoiceField(choices=Channel.choices)
    opens_at = serializers.DateTimeField(validators=[in_reach])
    closes_at = serializers.DateTimeField(validators=[in_reach])


class PerformanceIn(Input):
    event = serializers.IntegerField(min_value=1, max_value=2**62)
    venue = serializers.IntegerField(min_value=1, max_value=2**62)
    starts_at = serializers.DateTimeField(validators=[in_reach])
    ticket_limit = serializers.IntegerField(min_value=1, max_value=100, default=10)
    zones = ZoneIn(many=True, max_length=50)
    windows = WindowIn(many=True, max_length=3)


class PlacesIn(Input):
    places = ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                       min_length=1, max_length=10_000)


class BlockIn(PlacesIn):
    unblock = serializers.BooleanField(default=False)


class AllocateIn(PlacesIn):
    channel = serializers.ChoiceField(choices=[("", "every channel")] + list(Channel.choices),
                                      allow_blank=True)


class CountOut(serializers.Serializer):
    count = serializers.IntegerField()


# --- errors (sales.api.errors writes them; these describe them to the schema) ---------

class RefusedPlaceOut(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class ErrorDetailOut(serializers.Serializer):
    """An error: `code` to act on, `message` to show; each other member comes only with
    the refusals its description names."""

    code = serializers.CharField(help_text=(
        "stable, to act on: invalid, not_found, unavailable, hold_not_active, too_many_held, rate_limited, "
        "payment_declined, payment_action_required, payment_provider_unavailable, service_unavailable, "
        "idempotency_key_reused, permission_denied, ..."))
    message = serializers.CharField(help_text="to show a person, in the request's Accept-Language")
    field = serializers.CharField(required=False, help_text=(
        "the field of the request to correct, by its name in the body (a field of payment or customer by its "
        "own: token, tendered, email)"))
    fields = serializers.DictField(required=False, help_text=(
        "a refusal by validation: each field's messages, nested as the body is"))
    places = RefusedPlaceOut(many=True, required=False, help_text="unavailable: each place refused and why")
    available = serializers.IntegerField(required=False, help_text=(
        "on a refusal for quantity: how many places are left"))
    together = serializers.IntegerField(required=False, help_text=(
        "on a refusal for want of seats side by side: how many of them are together at most"))
    held = serializers.IntegerField(required=False, help_text=(
        "too_many_held: the places the caller's network holds now"))
    limit = serializers.IntegerField(required=False, help_text="too_many_held: the most it may hold at once")
    order = serializers.CharField(required=False, help_text=(
        "payment_action_required: the order's code, waiting for the bank"))
    client_secret = serializers.CharField(required=False, help_text=(
        "payment_action_required: for the provider's script to ask the bank"))
    performance = serializers.IntegerField(required=False, help_text=(
        "wrong_performance: the performance the ticket is for"))
    starts_at = serializers.DateTimeField(required=False, help_text=(
        "wrong_performance, or a ticket exchanged: when its performance starts"))
    void = serializers.ChoiceField(choices=[("refunded", "refunded"), ("exchanged", "exchanged")], required=False,
                                   help_text="a void ticket scanned: why it is void")
    voided_at = serializers.DateTimeField(required=False)
    exchanged_for = serializers.IntegerField(required=False, help_text=(
        "a ticket exchanged: the performance it became a ticket to"))
    checked_in_at = serializers.DateTimeField(required=False, help_text="a second scan: when the first was")
    door = serializers.CharField(required=False, help_text="a second scan: at which door the first was")
    by = serializers.CharField(required=False, help_text="a second scan: who made the first")
    errors = serializers.ListField(child=serializers.CharField(), required=False, help_text=(
        "invalid_seating_plan: every error of the file, with its line"))


class ErrorOut(serializers.Serializer):
    error = ErrorDetailOut()
