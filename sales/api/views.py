"""The REST door. Each view parses input, makes one service call, and renders."""

from __future__ import annotations

import contextlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, UnsupportedMediaType
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from events.models import Event, Performance, Venue
from events.seating import seating_plan_import
from events.services import WindowSpec, ZoneSpec, performance_create
from sales import inventory, network_holds, rows, waiting_room
from sales.availability import announced, availability_changed, seat_map, zone_counts
from sales.errors import (
    HoldNotActive,
    IllegalTransition,
    InProgress,
    InvalidRequest,
    NotFound,
    NotPermitted,
    PaymentProcessing,
    RateLimited,
    SalesError,
    ServiceUnavailable,
)
from sales.holds import hold_create, hold_give_back, hold_is_live, hold_of_caller, hold_targets
from sales.models import Hold, Order, Place, Ticket
from sales.notifications import resend_confirmation, send_payment_link
from sales.orders import (
    CustomerDetails,
    PriceRequest,
    hold_quote,
    order_cancel,
    order_interrupted,
    order_pay_reservation,
    order_place,
    order_refund,
    order_reserve,
    refunds_refused,
    tickets_refund,
)
from sales.orders.settling import bank_question, give_way, payment_confirmed
from sales.payments import PROCESSING, PaymentRequest
from sales.policy import COUNTER_CLERK, ORGANIZER, SELLING_ROLES, default_channel, policy_for, roles_of
from sales.shifts import shift_current
from sales.tickets import ticket_check_in

from . import serializers as s
from .errors import error_body
from .idempotency import HEADER, idempotent, order_key, scope_of
from .parsers import JsonParser
from .permissions import IsBuyerOrSeller, IsDoorRole, IsOrganizer, IsReservationRole, IsStaffRole, TokenWithRoles

logger = logging.getLogger(__name__)
IDEMPOTENCY = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=False,
                               description="Retries with the same key return the first response.")
# Every member an error may hold (sales.api.errors), one component in the schema.
ERROR = s.ErrorOut
# When to ask again (sales.api.errors): ApiSchema declares it on every 429 and 503.
RETRY_AFTER = OpenApiParameter("Retry-After", int, OpenApiParameter.HEADER, required=True, response=[429, 503],
                               description="seconds to wait before sending the same request again")
LIMITED = OpenApiResponse(ERROR, description=(
    "rate_limited: too many from the caller's address (or queue pass) this clock minute"))
# Any call may find PostgreSQL or Redis out of reach; what takes or pays back money may
# also meet the payment provider's silence.
OUTAGE = OpenApiResponse(ERROR, description=(
    "service_unavailable: PostgreSQL or Redis out of reach; on a payment, payment_provider_unavailable: "
    "the provider did not answer. Send the same request again (with the same Idempotency-Key where it takes one)"))
NOT_JSON = OpenApiResponse(ERROR, description="unsupported_media_type: a body that is not application/json")
ERRORS = {**dict.fromkeys((400, 401, 402, 403, 404, 409, 413, 422), ERROR), 415: NOT_JSON, 429: LIMITED,
          503: OUTAGE}
READ_ERRORS = {**dict.fromkeys((400, 401, 403, 404), ERROR), 503: OUTAGE}
# Holds and orders: anyone, without a token (AllowAny says so to the schema too), but no
# staff token whose role does not sell (IsBuyerOrSeller: both must pass).
BUYERS = [AllowAny, IsBuyerOrSeller]


class JsonOnly(DefaultContentNegotiation):
    """The API answers in JSON whatever the Accept header says (its docs page is the
    browsable part): no header to weigh at every request."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Described(SimpleMetadata):
    """OPTIONS: the methods (in Allow) and the media types, without the view's docstring,
    which is written for the code's readers; the API's description is /api/schema/."""

    def determine_metadata(self, request, view):
        described = super().determine_metadata(request, view)
        described.pop("description", None)
        return described


class ApiSchema(AutoSchema):
    """Every answer of the API's views that says when to ask again says so in the schema too."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), RETRY_AFTER]


class ApiView(APIView):
    schema = ApiSchema()
    authentication_classes = [TokenWithRoles, SessionAuthentication]
    renderer_classes = [JSONRenderer]
    parser_classes = [JsonParser]
    content_negotiation_class = JsonOnly
    metadata_class = Described

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A token sends an API call to the staff pool (boxoffice.pools), whose capacity is
        # the counter's and the phone's during an on-sale: a token that signs in no member
        # of staff buys through the public pool, without it.
        if settings.BOXOFFICE_POOL == "staff" and not roles_of(request.user):
            raise AuthenticationFailed(_("this address serves staff API tokens only: send Authorization: Token "
                                         "<key> of a staff account, or call the API without a token"),
                                   code="staff_only")
        self.body_is_json(request)

    def body_is_json(self, request) -> None:
        """A body of a type the API does not read is refused for its type (415) before any
        view looks at it. A form's (multipart) was read as no body at all: the safety
        middleware had read it for NUL bytes, and DRF then parses a form already read as
        empty, so its fields were "required", and a refund asked for one ticket was the
        whole order's. A read's body is read by no view: left alone."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0 and self.get_content_negotiator().select_parser(request, self.get_parsers()) is None:
            media_type = request.content_type.split(";")[0].strip()[:100]
            raise UnsupportedMediaType(media_type, _("the body is %(type)s; the API reads JSON only: send it as "
                                                     "application/json") % {"type": media_type} if media_type
                                       else _("the body has no Content-Type; the API reads JSON only: send it as "
                                              "application/json"))

    def ctx(self, **extra):
        return {"request": self.request, "now": timezone.now(), **extra}


def _object(model, pk, field: str):
    obj = rows.by_pk(model, pk)
    if obj is None:
        raise InvalidRequest(_("no such %(field)s") % {"field": field}, field=field)
    return obj


class ApiRoot(ApiView):
    """Where the API's resources and its reference are: the address a newcomer opens first."""
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        names = {"docs": "api-docs", "schema": "api-schema", "events": "api-events",
                 "performances": "api-performances", "holds": "api-holds", "orders": "api-orders"}
        return Response({"version": "1", **{key: request.build_absolute_uri(reverse(name))
                                            for key, name in names.items()}})


# --- catalogue ------------------------------------------------------------------------

class EventList(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.EventOut(many=True), **READ_ERRORS})
    def get(self, request):
        return Response(s.EventOut(announced(Event.objects.all(), request.user), many=True).data)


def _stocked(performances):
    """With `stocked`: put on sale (it has places); before that, no window is open."""
    return performances.annotate(stocked=Exists(Place.objects.filter(performance=OuterRef("pk"))))


class PerformanceList(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.PerformanceOut(many=True), **READ_ERRORS})
    def get(self, request):
        perfs = (_stocked(announced(Performance.objects, request.user)).select_related("event", "venue")
                 .prefetch_related("on_sale_windows").order_by("starts_at"))
        return Response(s.PerformanceOut(perfs, many=True, context=self.ctx()).data)

    @extend_schema(request=s.PerformanceIn, responses={201: s.PerformanceDetailOut, **ERRORS})
    def post(self, request):
        if ORGANIZER not in roles_of(request.user):
            self.permission_denied(request, message=_("organizers only"))
        data = _valid(s.PerformanceIn, request)
        perf = performance_create(
            event=_object(Event, data["event"], "event"), venue=_object(Venue, data["venue"], "venue"),
            starts_at=data["starts_at"], ticket_limit=data["ticket_limit"],
            zones=[ZoneSpec(**z) for z in data["zones"]], windows=[WindowSpec(**w) for w in data["windows"]])
        return Response(s.PerformanceDetailOut(perf, context=self.ctx(counts={})).data,
                        status=status.HTTP_201_CREATED)


class PerformanceDetail(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.PerformanceDetailOut, **READ_ERRORS})
    def get(self, request, pk: int):
        perf = _found(_stocked(announced(Performance.objects, request.user)).select_related("event", "venue"),
                      _("no such performance"), pk=pk)
        return Response(s.PerformanceDetailOut(perf, context=self.ctx(
            counts=zone_counts(perf.pk, default_channel(request.user)), staff=bool(roles_of(request.user)))).data)


class SeatMap(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: {"type": "object"}, **READ_ERRORS},
                   description="Geometry and state of every place. `seats` rows follow `columns`.")
    def get(self, request, pk: int):
        perf = _found(announced(Performance.objects, request.user).select_related("venue"), _("no such performance"),
                      pk=pk)
        return Response(seat_map(perf, default_channel(request.user)))


# --- holds ----------------------------------------------------------------------------

class HoldCreate(ApiView):
    permission_classes = BUYERS

    @extend_schema(request=s.HoldIn, responses={201: s.HoldOut, **ERRORS}, parameters=[IDEMPOTENCY])
    @idempotent("holds", atomic=True, quick=True)
    def post(self, request):
        data = _valid(s.HoldIn, request)
        channel = data.get("channel") or default_channel(request.user)
        found = hold_targets(performance_id=data["performance"], channel=channel, zone_id=data.get("zone"),
                             section_id=data.get("section"), user=request.user)
        if found is None:
            raise InvalidRequest(_("no such performance"), field="performance")
        perf, zone, section, window, queued = found
        queue_pass, binding = request.headers.get("X-Queue-Pass"), _pass_binding(request)
        passed = policy_for(channel).queued and queued
        # A valid pass counts the limits on its own (checked once: a pass it names is valid).
        holder = waiting_room.pass_holder(perf.pk, queue_pass, binding) if passed else None
        if wait := waiting_room.over_channel_limit(request, channel, "holds", holder):
            raise RateLimited(_("too many holds from your address"), wait)
        if data.get("access_code") and (wait := waiting_room.too_many_code_tries(request, holder)):
            raise RateLimited(_("too many codes tried from your address"), wait)
        for field, obj in (("zone", zone), ("section", section)):
            if field in data and obj is None:
                raise InvalidRequest(_("no such %(field)s") % {"field": field}, field=field)
        if passed and holder is None and not (waiting_room.check_pass(perf.pk, queue_pass, binding)
                                              or waiting_room.check_presale_pass(perf.pk, queue_pass, binding)):
            raise NotPermitted(_("this on-sale is queued: join the waiting room at %(queue)s and send its pass as "
                                 "X-Queue-Pass") % {"queue": f"/performances/{perf.pk}/queue/"})
        hold = hold_create(
            performance=perf, channel=channel,
            user=request.user, owner_key=scope_of(request), place_ids=data.get("places"),
            zone=zone, section=section, quantity=data.get("quantity"), window=window,
            access_code=data.get("access_code", ""), accessible=data.get("accessible", False),
            network=network_holds.holding_network(request, holder))
        if passed:
            # One admission, one basket at a time: the new hold replaces the one before, once
            # it is committed (with an Idempotency-Key the view runs in a transaction; holds
            # made at once with one pass each replace whichever was recorded before them).
            transaction.on_commit(lambda: _one_basket(perf.pk, queue_pass, hold.token), robust=True)
        return Response(s.HoldOut(hold, context=self.ctx()).data, status=status.HTTP_201_CREATED)


def _pass_binding(request) -> str:
    """What a queue pass sent by this caller is bound to on its first use: its account, or
    for an anonymous caller its address."""
    return scope_of(request) if request.user.is_authenticated else f"ip:{waiting_room.client_ip(request)}"


def _holder(request, perf_id: int | None) -> str | None:
    """Whom the per-address limits count for a request about this performance: the caller's
    valid X-Queue-Pass for it (each buyer let in has their own budget), or None: its address."""
    if perf_id is None:
        return None
    return waiting_room.pass_holder(perf_id, request.headers.get("X-Queue-Pass"), _pass_binding(request))


def _holder_of_hold(request, token: str) -> str | None:
    """_holder for the performance of the hold `token` (read only when a pass is sent)."""
    if not request.headers.get("X-Queue-Pass"):
        return None
    return _holder(request, Hold.objects.filter(token=token).values_list("performance_id", flat=True).first())


def _one_basket(perf_id: int, queue_pass: str, token: str) -> None:
    previous = waiting_room.pass_basket(perf_id, queue_pass, token)
    earlier = Hold.objects.filter(token=previous).first() if previous else None
    if earlier is not None and hold_is_live(earlier):
        with contextlib.suppress(SalesError):  # an order stands on it, or it just lapsed: left as it is
            hold_give_back(hold=earlier)


def _prices(data) -> PriceRequest:
    types = {}
    for ticket in data.get("tickets", []):
        if ticket["place"] in types:  # else priced at whichever came last, silently
            raise InvalidRequest(_("place %(place)s is given a price type twice") % {"place": ticket["place"]},
                                 field="tickets")
        types[ticket["place"]] = ticket["price_type"]
    return PriceRequest(types=types, promo_code=data.get("promo_code", ""), comp_reason=data.get("comp_reason", ""))


class HoldQuote(ApiView):
    """What the hold's places would cost with these price types and promo code: the
    receipt shown before payment (nothing is written)."""
    permission_classes = BUYERS

    @extend_schema(request=s.PricingIn, responses={200: s.QuoteOut, **ERRORS})
    def post(self, request, token: str):
        hold = hold_of_caller(token=token, user=request.user, owner_key=scope_of(request))
        if hold is None:
            raise NotFound(_("no such hold"))
        if hold.status in (Hold.Status.RELEASED, Hold.Status.SOLD):  # as buying it would say
            raise HoldNotActive(_("this hold is %(status)s; hold the seats again") % {
                "status": hold.get_status_display().lower()})
        prices = _prices(_valid(s.PricingIn, request))
        if prices.promo_code and (wait := waiting_room.too_many_code_tries(request,
                                                                         _holder(request, hold.performance_id))):
            raise RateLimited(_("too many codes tried from your address"), wait)
        quote = hold_quote(hold, prices, actor=request.user)
        return Response({"total": f"{quote.total:.2f}", "currency": quote.currency,
                         "tickets": [{"place_id": line.place_id, "price_type_name": line.price_type_name,
                                      "list_price": f"{line.list_price:.2f}", "discount": f"{line.discount:.2f}",
                                      "fee": f"{line.fee:.2f}", "tax": f"{line.tax:.2f}", "price": f"{line.price:.2f}",
                                      "complimentary": line.complimentary} for line in quote.lines],
                         "receipt": s.receipt_out(quote.receipt)})


class HoldDetail(ApiView):
    """Only for whoever made the hold, or staff of its channel (holds.hold_may_be_used_by);
    to anyone else it does not exist."""
    permission_classes = BUYERS

    def hold(self, token: str) -> Hold:
        hold = hold_of_caller(token=token, user=self.request.user, owner_key=scope_of(self.request))
        if hold is None:
            raise NotFound(_("no such hold"))
        return hold

    @extend_schema(responses={200: s.HoldOut, **READ_ERRORS})
    def get(self, request, token: str):
        return Response(s.HoldOut(self.hold(token), context=self.ctx()).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, token: str):
        hold_give_back(hold=self.hold(token), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- orders ---------------------------------------------------------------------------

def _order_for(request, code: str) -> Order:
    """Selling staff see every order (door staff none: they scan tickets); an account the
    orders it placed; anyone with the private token. An email address typed for an order
    proves nothing: an account that bought with it does not read others' orders with it."""
    order = Order.objects.select_related("customer").filter(code=code.upper()).first()
    token = request.query_params.get("token", "")
    user = request.user
    allowed = order is not None and (
        not roles_of(user).isdisjoint(SELLING_ROLES)
        or (token and secrets.compare_digest(order.access_token.encode(), token.encode()))
        or (user.is_authenticated and order.created_by_id == user.pk)
    )
    if not allowed:
        raise _not_found()
    return order


def _drawer(request):
    """The caller's open shift, if they are a clerk with one: cash goes into its drawer,
    as at the counter's pages (without one, the services take and pay back no cash)."""
    if not request.user.is_authenticated or COUNTER_CLERK not in roles_of(request.user):
        return None
    return shift_current(request.user)


def _found(queryset, missing: str, **lookup):
    """The one row of `queryset` matching `lookup`, or a 404 saying what is missing, in
    the caller's language."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise NotFound(missing) from None


def _not_found():
    from rest_framework.exceptions import NotFound

    return NotFound(_("no such order"))


def _order_out(order: Order, ctx) -> dict:
    return s.OrderOut(order, context=ctx).data


def _interrupted(request) -> None:
    """An order request died: fail its order if it was left awaiting payment; the retry
    then answers as the order stands (paid: replayed; interrupted: said so)."""
    order_interrupted(idempotency_key=order_key(request))


class OrderCreate(ApiView):
    permission_classes = BUYERS

    @extend_schema(request=s.OrderIn, responses={201: s.OrderOut, **ERRORS}, parameters=[IDEMPOTENCY])
    @idempotent("orders", settle=lambda request: _interrupted(request))
    def post(self, request):
        data = _valid(s.OrderIn, request)
        # The hold's channel is the caller's: only staff sell through the counter and the phone.
        holder = _holder_of_hold(request, data["hold"])
        if wait := waiting_room.over_channel_limit(request, default_channel(request.user), "payments", holder):
            raise RateLimited(_("too many payments from your address"), wait)
        key = order_key(request)
        customer = CustomerDetails(**data.get("customer", {"name": "", "email": ""}))
        prices = _prices(data)
        if prices.promo_code and (wait := waiting_room.too_many_code_tries(request, holder)):  # a guess, as at a quote
            raise RateLimited(_("too many codes tried from your address"), wait)
        if "reserve_until" in data:  # pay later: the places stay held until the deadline
            try:
                order = order_reserve(hold_token=data["hold"], customer=customer, deadline=data["reserve_until"],
                                      actor=request.user, idempotency_key=key, owner_key=scope_of(request),
                                      prices=prices, language=data.get("language"))
            except InvalidRequest as exc:
                if exc.detail.get("field") == "deadline":  # the service's word; the request's is reserve_until
                    exc.detail["field"] = "reserve_until"
                raise
            # A retry of the request (the reservation's answer replayed) sends it once.
            if data["payment_link"] and not order.events.filter(action="payment link sent").exists():
                _send_link(order, request.user)
        else:
            def place() -> Order:
                return order_place(hold_token=data["hold"], customer=customer, actor=request.user,
                                   payment=PaymentRequest(**data["payment"]), shift=_drawer(request),
                                   idempotency_key=key, owner_key=scope_of(request), prices=prices,
                                   language=data.get("language"))
            try:
                order = place()
            except InProgress as busy:
                # Another payment of the hold stands in the way: one left at the bank's question
                # is given up for this one, as the shop does (the caller owns the hold: the
                # service checked it before saying so).
                order = give_way(Hold.objects.get(token=data["hold"]), key, busy) or place()
            if order.status == Order.Status.PENDING:
                # The retry of a request answered in_progress while the provider still
                # processes its payment: in_progress again, which the key does not keep, so
                # that a retry once the provider has answered gets what then stands (a 201
                # here would be the key's answer for good). One waiting on the bank's
                # question is asked it again.
                bank_question(order)
                raise PaymentProcessing(_(PROCESSING), order=order.code)
        return Response(_order_out(order, self.ctx()), status=status.HTTP_201_CREATED)


class OrderDetail(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.OrderOut, **READ_ERRORS},
                   parameters=[OpenApiParameter(
                       "token", str, description="the order's private token, the last part of the path of its "
                                                 "`link`: what a buyer without an account sends to read their order "
                                                 "(selling staff, and the account that placed it, need none). "
                                                 "Missing or wrong: 404 `not_found`, as for an unknown code")])
    def get(self, request, code: str):
        return Response(_order_out(_order_for(request, code), self.ctx()))


class OrderConfirmPayment(ApiView):
    """After the cardholder confirmed with their bank (3-D Secure, with the provider's
    script and the `client_secret` of the 402 `payment_action_required` answer): the order
    is finished, paid or failed. Only the holder of the payment's client secret may ask.
    At most 30 confirmations a minute, counted per address, or per valid `X-Queue-Pass` sent;
    an address has a ceiling over all the passes it sends, as for promo and presale codes."""
    permission_classes = BUYERS

    @extend_schema(request=s.ConfirmPaymentIn, responses={200: s.OrderOut, **ERRORS})
    def post(self, request, code: str):
        data = _valid(s.ConfirmPaymentIn, request)
        # Counted on the caller's valid queue pass if it sends one (buyers let in behind one
        # address each have their own), else on its address; never on the order it names.
        holder = waiting_room.holder_of_pass(request.headers.get("X-Queue-Pass"), _pass_binding(request))
        if wait := waiting_room.too_many_confirmations(request, holder):
            raise RateLimited(_("too many payments confirmed from your address"), wait)
        order = Order.objects.select_related("customer").filter(code=code.upper()).first()
        if order is None:  # as for a wrong secret: an order's code is not told by this door
            raise NotFound(_("no such payment"))
        return Response(_order_out(payment_confirmed(order=order, client_secret=data["client_secret"]), self.ctx()))


class OrderAction(ApiView):
    permission_classes = [IsStaffRole]
    action = ""

    @extend_schema(request=None, responses={200: s.OrderOut, **ERRORS})
    def post(self, request, code: str):
        order = _order_for(request, code)
        if self.action == "refund":
            last = order.payments.order_by("-pk").values_list("pk", flat=True).first() or 0
            order = _refund(request, order)
            order.refused_by_provider = refunds_refused(order, after=last)
            return Response(s.RefundOut(order, context=self.ctx()).data)
        elif self.action == "cancel":
            order = order_cancel(order=order, actor=request.user)
        elif self.action == "payment-link":
            if order.status != Order.Status.RESERVED:
                raise IllegalTransition(_("order %(code)s is %(status)s; only a reservation is paid through a link")
                                        % {"code": order.code, "status": order.get_status_display().lower()})
            _send_link(order, request.user)
        else:
            resend_confirmation(order)
        return Response(_order_out(order, self.ctx()))


def _send_link(order: Order, actor) -> None:
    try:
        send_payment_link(order, actor=actor)
    except Exception:  # the mail server: the reservation stands
        logger.exception("payment link of order %s not sent", order.code)
        raise ServiceUnavailable(_("the payment link could not be emailed; send it again with "
                                   "POST orders/%(code)s/payment-link/") % {"code": order.code}) from None


def _paid_already(request, code: str) -> Response | None:
    """A payment request died after its sale committed: the reservation is paid, and the
    retry is told so (a new attempt would be refused as not a reservation any more)."""
    order = Order.objects.filter(code=code.upper(), status=Order.Status.PAID).first()
    if order is None:
        return None
    return Response(_order_out(order, {"request": request, "now": timezone.now()}))


class OrderPay(ApiView):
    """A reservation paid later, by the staff who took it (phone) or at the counter."""
    permission_classes = [IsStaffRole]

    @extend_schema(request=s.PaymentIn, responses={200: s.OrderOut, **ERRORS}, parameters=[IDEMPOTENCY])
    @idempotent("order-payments", settle=lambda request, code: _paid_already(request, code))
    def post(self, request, code: str):
        order = _order_for(request, code)
        payment = PaymentRequest(**_valid(s.PaymentIn, request))
        return Response(_order_out(order_pay_reservation(order=order, payment=payment, actor=request.user,
                                                         shift=_drawer(request)), self.ctx()))


class OrderRefund(OrderAction):
    """Refund the whole order, or only the tickets named by their codes (the order stays
    paid for the others)."""
    action = "refund"

    @extend_schema(request=s.RefundIn, responses={200: s.RefundOut, **ERRORS})
    def post(self, request, code: str):
        return super().post(request, code)


def _refund(request, order: Order) -> Order:
    # Nothing undoes a refund: only no body, or {}, is the whole order; any other body is read strictly.
    data = {} if isinstance(request.data, dict) and not request.data else _valid(s.RefundIn, request)
    if "tickets" not in data:
        return order_refund(order=order, actor=request.user, shift=_drawer(request))
    codes = set(data["tickets"])
    ids = list(order.tickets.filter(code__in=codes).values_list("pk", flat=True))
    if len(ids) != len(codes):
        raise InvalidRequest(_("some of those are not valid tickets of this order"), field="tickets")
    return tickets_refund(order=order, ticket_ids=ids, actor=request.user, shift=_drawer(request))


class OrderCancel(OrderAction):
    """Give up an order never paid (a phone reservation, say): its places go back on sale.
    A phone operator's (the phone console's action) or an organizer's; not a counter clerk's."""
    permission_classes = [IsReservationRole]
    action = "cancel"


class OrderResend(OrderAction):
    action = "resend"


class OrderPaymentLink(OrderAction):
    """Email the customer the link to pay their reservation by card themselves. A phone
    operator's (the phone console's action) or an organizer's; not a counter clerk's."""
    permission_classes = [IsReservationRole]
    action = "payment-link"


# --- tickets --------------------------------------------------------------------------

class TicketDetail(ApiView):
    """A ticket looked up by its code: with what it cost for selling staff; for door staff,
    who see no takings, what admits a guest only (TicketAtDoorOut)."""
    permission_classes = [IsDoorRole]

    @extend_schema(responses={200: PolymorphicProxySerializer(
        component_name="TicketLookedUp", serializers=[s.TicketOut, s.TicketAtDoorOut], resource_type_field_name=None),
        **READ_ERRORS})
    def get(self, request, code: str):
        ticket = _found(Ticket.objects.select_related("place__seat", "place__section"), _("no such ticket"), code=code)
        sells = not roles_of(request.user).isdisjoint(SELLING_ROLES)
        return Response((s.TicketOut if sells else s.TicketAtDoorOut)(ticket).data)


class TicketCheckIn(ApiView):
    """Admit a ticket at the door of its performance, once: another performance's ticket
    is refused (409 `wrong_performance`, saying which one), a second scan too (409, saying
    when and at which door the first was), and a void ticket (409, saying when it was
    refunded, or exchanged and for which performance)."""
    permission_classes = [IsDoorRole]

    @extend_schema(request=s.CheckInIn, responses={200: s.CheckInOut, **ERRORS})
    def post(self, request, code: str):
        data = _valid(s.CheckInIn, request)
        performance = _object(Performance, data["performance"], "performance")
        return Response(s.CheckInOut(ticket_check_in(
            code=code, performance=performance, door=data["door"], scan=data["scan"],
            scanned_at=data["scanned_at"], actor=request.user)).data)


# --- organizer ------------------------------------------------------------------------

class SeatingPlanImport(ApiView):
    permission_classes = [IsOrganizer]

    @extend_schema(request=s.SeatingPlanIn, responses={201: s.CountOut, **ERRORS})
    def post(self, request, pk: int):
        venue = _found(Venue.objects, _("no such venue"), pk=pk)
        data = _valid(s.SeatingPlanIn, request)
        sections = seating_plan_import(venue=venue, text=data["content"], filename=f"plan.{data['format']}")
        return Response({"count": sum(sec.seats.count() or sec.capacity or 0 for sec in sections)},
                        status=status.HTTP_201_CREATED)


class PerformanceOrganizerAction(ApiView):
    permission_classes = [IsOrganizer]


class PutOnSale(PerformanceOrganizerAction):
    @extend_schema(request=None, responses={200: s.CountOut, **ERRORS})
    def post(self, request, pk: int):
        count = inventory.put_on_sale(performance=_found(Performance.objects, _("no such performance"), pk=pk))
        availability_changed(pk)  # the pages' counts were of no places
        return Response({"count": count})


class Block(PerformanceOrganizerAction):
    @extend_schema(request=s.BlockIn, responses={200: s.CountOut, **ERRORS})
    def post(self, request, pk: int):
        perf = _found(Performance.objects, _("no such performance"), pk=pk)
        data = _valid(s.BlockIn, request)
        fn = inventory.unblock if data["unblock"] else inventory.block
        moved = fn(performance=perf, place_ids=data["places"], now=timezone.now(), actor=request.user)
        availability_changed(perf.pk)
        return Response({"count": len(moved)})


class Allocate(PerformanceOrganizerAction):
    @extend_schema(request=s.AllocateIn, responses={200: s.CountOut, **ERRORS})
    def post(self, request, pk: int):
        perf = _found(Performance.objects, _("no such performance"), pk=pk)
        data = _valid(s.AllocateIn, request)
        moved = inventory.allocate(performance=perf, place_ids=data["places"], channel=data["channel"],
                                   now=timezone.now(), actor=request.user)
        return Response({"count": len(moved)})


def _valid(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidRequest(_("the body must be a JSON object"))
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- the API's own description --------------------------------------------------------

class _ReadOnly:
    """Read only. Another method is told so in the API's JSON, not in the format of the
    page asked for (the schema's YAML, the docs' HTML page, which has no template for it)."""
    http_method_names = ["get", "head"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        answer = JsonResponse(error_body("method_not_allowed", _("%(method)s is not allowed here; use GET")
                                         % {"method": request.method[:20]}), status=405)
        answer["Allow"] = "GET, HEAD"
        return answer


class Schema(_ReadOnly, SpectacularAPIView):
    pass


class Docs(_ReadOnly, SpectacularSwaggerView):
    pass


# --- health ---------------------------------------------------------------------------

class Ready(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: {"type": "object"}, 503: {"type": "object"}})
    def get(self, request):
        checks = {}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            checks["postgresql"] = "ok"
        except Exception as exc:  # noqa: BLE001 - report, do not crash
            checks["postgresql"] = f"error: {exc.__class__.__name__}"
        try:
            cache.set("readyz", "1", timeout=5)
            checks["redis"] = "ok" if cache.get("readyz") == "1" else "error"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
        # Ready means able to sell, and every sale is decided in PostgreSQL. Redis is reported
        # (degraded) but does not make a server unready: the doors sell without it, and every
        # server shares it, so a load balancer taking out those that lost it would take out
        # all of them at once. The waiting room's pool sells nothing and reads Redis alone
        # (sales.channels.shop.queue): PostgreSQL away, it goes on queueing the crowd, and
        # Redis away, each of its servers says the same "try again shortly".
        queue_pool = settings.BOXOFFICE_POOL == "queue"
        ready = queue_pool or checks["postgresql"] == "ok"
        working = checks["redis"] == "ok" and (queue_pool or checks["postgresql"] == "ok")
        status = "ok" if working else "degraded" if ready else "unavailable"
        return Response({"status": status, "checks": checks}, status=200 if ready else 503)
