"""Payment providers behind one small interface: `validate` (before any order exists),
`charge` and `refund`, each answering a Charge.

Cards are taken by Stripe (StripeProvider): the card is typed into the provider's own
field in the page, which gives the box office a token; no card number reaches it. The
local stack runs localstripe, a Stripe-compatible server, in its place.

The built-in test card provider approves or declines by card number, for benchmarks and
load tests only (settings.TEST_CARD_PROVIDER, off unless PAYMENT_TEST_CARD=1; never with
real keys): it is the one door through which a card number reaches the box office.

    4242 4242 4242 4242   approved
    4000 0000 0000 0002   declined (insufficient funds)
    4000 0000 0000 0259   approved after a slow (3 s) answer
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidRequest, ProviderUnavailable

logger = logging.getLogger(__name__)
APPROVE = "4242424242424242"
DECLINE = "4000000000000002"
SLOW = "4000000000000259"


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    card_number: str = ""
    # Cash: what the customer handed over. Card terminal: the terminal's authorisation code.
    tendered: Decimal | None = None
    reference: str = ""
    # A part of a split payment; None: the whole total (or what the other parts leave).
    amount: Decimal | None = None
    # The card provider's token for the card typed into its own field (Stripe.js).
    token: str = ""


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str = ""
    message: str = ""
    change_due: Decimal = Decimal("0")
    # The cardholder must still confirm with their bank (3-D Secure): the page finishes
    # it with the provider's script and `client_secret`; the order waits, its hold kept.
    pending: bool = False
    client_secret: str = ""


class TestCardProvider:
    slow_seconds = 3.0

    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        from django.conf import settings

        if not settings.TEST_CARD_PROVIDER or request.method != "test_card":
            raise InvalidRequest("the test card is not accepted here", field="method")
        number = "".join(ch for ch in request.card_number if ch.isdigit())
        if not 12 <= len(number) <= 19:
            raise InvalidRequest("enter a card number", field="card_number")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request)
        number = "".join(ch for ch in request.card_number if ch.isdigit())
        if number == DECLINE:
            return Charge(False, message="card declined: insufficient funds")
        if number == SLOW:
            time.sleep(self.slow_seconds)
        if number in (APPROVE, SLOW):
            return Charge(True, reference="TEST-" + secrets.token_hex(6).upper(),
                          message="approved")
        return Charge(False, message="card declined by the issuer")

    def refund(self, *, amount: Decimal, reference: str, key: str = "") -> Charge:
        return Charge(True, reference=f"REFUND-{reference}")


class CashProvider:
    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        if request.tendered is None:
            raise InvalidRequest("enter the amount tendered", field="tendered")
        if request.tendered < amount:
            raise InvalidRequest(f"tendered {request.tendered} is less than the total {amount}",
                                 field="tendered")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request)
        return Charge(True, message="cash", change_due=request.tendered - amount)

    def refund(self, *, amount: Decimal, reference: str, key: str = "") -> Charge:
        return Charge(True, message="cash paid back")


class CardTerminalProvider:
    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        ref = request.reference.strip()
        if not ref or len(ref) > 100:
            raise InvalidRequest("enter the terminal's authorisation reference", field="reference")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request)
        return Charge(True, reference=request.reference.strip(), message="card terminal")

    def refund(self, *, amount: Decimal, reference: str, key: str = "") -> Charge:
        return Charge(True, reference=f"REFUND-{reference}")


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


NO_ANSWER = "the payment provider did not answer; try again in a moment"
BANK_STEP_BY_PHONE = ("the card's bank asks the cardholder to confirm the payment, which cannot be done by "
                      "phone; nothing was charged: send the caller a payment link instead")


class StripeProvider:
    """Card payments through Stripe's PaymentIntents, with the provider's idempotency key
    on every call. The PaymentIntent is created, recorded on the order, then confirmed: a
    crash at any point leaves a reference that reconciliation asks the provider about.

    `moto`: the card is read out by a caller over the phone and typed by the operator
    (mail order / telephone order): the bank asks no 3-D Secure question of a MOTO payment;
    a provider that asks anyway is answered by cancelling it (the operator cannot ask)."""

    def __init__(self, *, moto: bool = False):
        self.moto = moto

    def client(self):
        import stripe
        from django.conf import settings

        if not settings.STRIPE_SECRET_KEY:
            raise InvalidRequest("card payments are not set up (STRIPE_SECRET_KEY)", field="method")
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        # A bounded wait: a request paying for seats must answer the buyer, not hang on the
        # provider (the library's own default is 80 s, retried).
        http = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, http_client=http,
                                   max_network_retries=settings.STRIPE_NETWORK_RETRIES)

    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        if request.card_number:
            raise InvalidRequest("card numbers are typed into the provider's field, not sent here", field="card")
        if not request.token.startswith(("tok_", "pm_")) or len(request.token) > 255:
            raise InvalidRequest("enter the card in the card field", field="card")

    def _payment_method(self, client, token: str) -> dict:
        from django.conf import settings

        if token.startswith("pm_"):
            return {"payment_method": token}
        if settings.STRIPE_API_BASE:  # localstripe: a token's card is itself a payment method
            return {"payment_method": client.v1.tokens.retrieve(token).card.id}
        return {"payment_method_data": {"type": "card", "card": {"token": token}}}

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request)
        with provider_errors():
            return self._charge(amount=amount, currency=currency, request=request, order=order)

    def _charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        import stripe

        client = self.client()
        code = order.code if order is not None else "none"
        params = {"amount": cents(amount), "currency": currency.lower(),
                  "metadata": {"order": code, "method": request.method},
                  **self._payment_method(client, request.token)}
        if self.moto:
            params["payment_method_options"] = {"card": {"moto": True}}
        intent = client.v1.payment_intents.create(params, {"idempotency_key": f"create-{code}-{request.token}"})
        if order is not None:
            from .models import Order

            Order.objects.filter(pk=order.pk).update(payment_intent=intent.id)
            order.payment_intent = intent.id
        try:
            intent = client.v1.payment_intents.confirm(intent.id, options={"idempotency_key": f"confirm-{intent.id}"})
        except stripe.CardError as exc:
            return Charge(False, reference=intent.id, message=exc.user_message or "card declined")
        if self.moto and intent.status == "requires_action":
            self.cancel(intent.id)
            return Charge(False, reference=intent.id, message=BANK_STEP_BY_PHONE)
        return self.answer(intent)

    @staticmethod
    def answer(intent) -> Charge:
        if intent.status == "succeeded":
            return Charge(True, reference=intent.id, message="approved")
        if intent.status == "requires_action":
            return Charge(False, pending=True, reference=intent.id, client_secret=intent.client_secret,
                          message="the bank asks the cardholder to confirm the payment")
        error = intent.to_dict().get("last_payment_error") or {}
        if error.get("code") == "payment_intent_authentication_failure":
            return Charge(False, reference=intent.id, message="the card's bank did not confirm the payment")
        return Charge(False, reference=intent.id, message=error.get("message") or "card declined")

    def retrieve(self, reference: str):
        with provider_errors():
            return self.client().v1.payment_intents.retrieve(reference)

    def cancel(self, reference: str) -> None:
        with provider_errors():
            self.client().v1.payment_intents.cancel(reference, options={"idempotency_key": f"cancel-{reference}"})

    def refund(self, *, amount: Decimal, reference: str, key: str = "") -> Charge:
        with provider_errors():
            refund = self.client().v1.refunds.create(
                {"payment_intent": reference, "amount": cents(amount)},
                {"idempotency_key": key or f"refund-{reference}-{cents(amount)}"})
        return Charge(refund.status in ("succeeded", "pending"), reference=refund.id, message=f"refund {refund.status}")


@contextlib.contextmanager
def provider_errors():
    """The provider's failures as the box office's errors: its silence (down, timed out,
    refusing our keys) as ProviderUnavailable, a request it could not use (a token used
    twice, an unknown card) as InvalidRequest. A decline is an answer, not an error."""
    import stripe

    try:
        yield
    except stripe.CardError:
        raise
    except stripe.InvalidRequestError as exc:
        logger.warning("payment provider: %s", exc)
        raise InvalidRequest("the provider could not use this card; enter it again", field="card") from exc
    except stripe.StripeError as exc:
        logger.warning("payment provider: %s", exc)
        raise ProviderUnavailable(NO_ANSWER) from exc


def card_fingerprint(request: PaymentRequest) -> str:
    """A keyed hash of the card number: counts one card's purchases without keeping it."""
    import hashlib
    import hmac

    from django.conf import settings

    digits = "".join(ch for ch in request.card_number if ch.isdigit())
    if not digits:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()


PROVIDERS = {
    "card": StripeProvider(),
    "card_not_present": StripeProvider(moto=True),
    "test_card": TestCardProvider(),
    "cash": CashProvider(),
    "card_terminal": CardTerminalProvider(),
}
