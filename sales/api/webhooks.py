"""The card provider's webhook: Stripe tells the box office how a payment ended, and of a
refund that failed after it was taken. Only a request signed with the webhook secret is
heard; a payment's event only asks the order to agree with the provider
(sales.orders.settling), and a replayed event changes nothing."""

from __future__ import annotations

import logging
import re

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events.models import storable_text
from sales.errors import ProviderUnavailable
from sales.models import Order
from sales.orders.charging import refund_failed_later
from sales.orders.settling import payment_settle
from sales.payments import REFUND_KEY

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not settings.STRIPE_WEBHOOK_SECRET:
        return _error(404, "not_found", "no card provider is set up here")
    try:
        event = stripe.Webhook.construct_event(request.body, request.headers.get("Stripe-Signature", ""),
                                               settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, RawPostDataException, stripe.SignatureVerificationError):
        # (RawPostDataException: a form body, already read as a form: not the provider's JSON.)
        return _error(400, "bad_signature", "the event's signature does not match the webhook secret")
    except (AttributeError, KeyError, TypeError):  # signed, but JSON that is not an object
        return _error(400, "malformed_event", "the event is not a provider's event of the expected shape")
    failed = _refund_failed(event)
    if failed is None:
        return _error(400, "malformed_event", "the event is not a provider's event of the expected shape")
    if failed:
        refund_failed_later(*failed)
        return JsonResponse({"received": True})
    intent = _intent_of(event)
    if intent is None:
        return _error(400, "malformed_event", "the event is not a provider's event of the expected shape")
    if intent:
        order = Order.objects.filter(payment_intent=intent).first()
        if order is not None:
            try:
                payment_settle(order)
            except (stripe.StripeError, ProviderUnavailable):  # the provider did not answer: it sends again
                logger.exception("order %s: could not ask the provider", order.code)
                return _error(503, "service_unavailable", "the provider could not be reached; send the event again")
    return JsonResponse({"received": True})


def _intent_of(event) -> str | None:
    """The payment intent a payment_intent.* event is about; "" for an event of another
    type; None for a signed body that is not an event of the provider's shape."""
    try:
        kind = event["type"]
        if not isinstance(kind, str):
            return None
        if not kind.startswith("payment_intent."):
            return ""
        intent = event["data"]["object"]["id"]
    except (AttributeError, KeyError, TypeError):
        return None
    return intent if _identifier(intent) else None


def _identifier(value) -> bool:
    """A provider's id (pi_…, re_…): letters, digits and underscores, nothing a database
    could not store (a NUL, a lone surrogate)."""
    return isinstance(value, str) and bool(IDENTIFIER.fullmatch(value))


IDENTIFIER = re.compile(r"[A-Za-z0-9_]{1,255}")


# A refund's events; one that failed (the card's bank would not take the money back, after
# the provider had taken the refund as pending) is owed to the buyer by other means.
REFUND_EVENTS = ("charge.refund.updated", "refund.updated", "refund.failed")


def _refund_failed(event) -> tuple[str, ...] | None:
    """(the box office's key of the refund, the provider's reason, the payment it refunds)
    for an event saying a refund failed; () for any other event; None for a refund event of
    another shape."""
    try:
        if event["type"] not in REFUND_EVENTS:
            return ()
        refund = event["data"]["object"]
        if refund["object"] != "refund" or refund["status"] not in ("failed", "canceled"):
            return ()
        key = _field(_field(refund, "metadata") or {}, REFUND_KEY) or ""
        reason = _field(refund, "failure_reason") or refund["status"]
        intent = _field(refund, "payment_intent") or ""
    except (AttributeError, KeyError, TypeError):
        return None
    if not all(isinstance(v, str) for v in (key, reason, intent)) or (intent and not _identifier(intent)):
        return None
    if not storable_text(key) or not storable_text(reason):
        return None
    return (key, f"the refund failed at the provider ({reason[:100]})", intent) if key else ()


def _field(obj, name: str):
    """An event object's field, or None (the provider's objects are not dictionaries)."""
    try:
        return obj[name]
    except KeyError:
        return None
