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
import functools
import logging
import os
import secrets
import time
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import MINOR_DIGITS

from .errors import InvalidRequest, ProviderUnavailable
from .formatting import money
from .policy import cash_due, change_for, tender_too_large

logger = logging.getLogger(__name__)
APPROVE = "4242424242424242"
DECLINE = "4000000000000002"
SLOW = "4000000000000259"

# What a decline says. Kept on the payment and the order in English (the record, and what
# staff search for); read out in the reader's language (`declined_because`).
DECLINED = gettext_noop("Your card was declined.")
INSUFFICIENT_FUNDS = gettext_noop("card declined: insufficient funds")
DECLINED_BY_ISSUER = gettext_noop("card declined by the issuer")
PAYMENT_FAILED = gettext_noop("payment failed")
BANK_ASKS = gettext_noop("the bank asks the cardholder to confirm the payment")
PROCESSING = gettext_noop("the payment is still being processed; the places stay held until it is known")
APPROVED = gettext_noop("approved")
# The provider's decline codes (Stripe's `decline_code`, else its error `code`), each as
# the buyer reads it; any other is a plain decline (the provider's own words are English).
DECLINES = {
    "card_declined": DECLINED,
    "generic_decline": DECLINED,
    "insufficient_funds": gettext_noop("Your card has insufficient funds."),
    "expired_card": gettext_noop("Your card has expired."),
    "incorrect_cvc": gettext_noop("Your card's security code is incorrect."),
    "incorrect_number": gettext_noop("Your card number is incorrect."),
    "processing_error": gettext_noop("An error occurred while processing your card. Try again in a little bit."),
    "payment_intent_authentication_failure": gettext_noop("Your bank did not confirm the payment."),
}


def decline_of(code: str | None) -> str:
    """Why the provider declined, as a message of ours (English; translated when read)."""
    return DECLINES.get(code or "", DECLINED)


def declined_because(message: str | None) -> str:
    """A decline's kept message in the active language (the words kept are English
    messages of ours; anything else is shown as it was kept)."""
    return _(message) if message else _(PAYMENT_FAILED)


def after_a_colon(reason: str) -> str:
    """A decline's reason as the end of one of our sentences ("Payment declined: %(reason)s."):
    without its own full stop, and in lower case (neither English nor French writes a
    capital after a colon) unless its first word is an acronym."""
    reason = reason.strip().rstrip(".")
    first = reason.split(" ", 1)[0]
    return reason if len(first) > 1 and first.isupper() else reason[:1].lower() + reason[1:]


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
    # The provider's fingerprint of that card: one card's, whatever token or address it
    # comes with. Asked for only where a per-customer limit counts cards (fingerprinted).
    fingerprint: str = ""


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str = ""
    message: str = ""
    change_due: Decimal = Decimal("0")
    # The outcome is not known yet; the order waits, its hold kept, until the provider says
    # (sales.orders.settling). With a `client_secret`: the cardholder must still confirm
    # with their bank (3-D Secure), which the page does with the provider's script.
    # Without: the provider is still processing the payment (its money may yet arrive).
    pending: bool = False
    client_secret: str = ""


class TestCardProvider:
    slow_seconds = 3.0

    def validate(self, *, amount: Decimal, request: PaymentRequest, currency: str | None = None) -> None:
        from django.conf import settings

        if not settings.TEST_CARD_PROVIDER or request.method != "test_card":
            raise InvalidRequest(_("the test card is not accepted here"), field="method")
        number = "".join(ch for ch in request.card_number if ch.isdigit())
        if not 12 <= len(number) <= 19:
            raise InvalidRequest(_("enter a card number"), field="card_number")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request)
        number = "".join(ch for ch in request.card_number if ch.isdigit())
        if number == DECLINE:
            return Charge(False, message=INSUFFICIENT_FUNDS)
        if number == SLOW:
            with waiting_on_provider():
                time.sleep(self.slow_seconds)
        if number in (APPROVE, SLOW):
            return Charge(True, reference="TEST-" + secrets.token_hex(6).upper(),
                          message=APPROVED)
        return Charge(False, message=DECLINED_BY_ISSUER)

    def refund(self, *, amount: Decimal, currency: str, reference: str, key: str = "") -> Charge:
        return Charge(True, reference=f"REFUND-{reference}")


class CashProvider:
    def validate(self, *, amount: Decimal, request: PaymentRequest, currency: str | None = None) -> None:
        if request.tendered is None:
            raise InvalidRequest(_("enter the amount tendered"), field="tendered")
        if request.tendered < cash_due(amount):
            raise InvalidRequest(_("the %(tendered)s tendered is less than the total of %(total)s") % {
                "tendered": money(request.tendered, currency), "total": money(cash_due(amount), currency)},
                field="tendered")
        if tender_too_large(request.tendered, amount):
            raise InvalidRequest(_("the %(tendered)s tendered is more than the %(total)s due and a %(note)s note: "
                                   "check the amount typed (its decimal point?)") % {
                "tendered": money(request.tendered, currency), "total": money(cash_due(amount), currency),
                "note": money(settings.CASH_LARGEST_NOTE, currency)}, field="tendered")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request, currency=currency)
        return Charge(True, message=gettext_noop("cash"), change_due=change_for(request.tendered, amount))

    def refund(self, *, amount: Decimal, currency: str, reference: str, key: str = "") -> Charge:
        return Charge(True, message=gettext_noop("cash paid back"))


class CardTerminalProvider:
    def validate(self, *, amount: Decimal, request: PaymentRequest, currency: str | None = None) -> None:
        ref = request.reference.strip()
        if not ref or len(ref) > 100:
            raise InvalidRequest(_("enter the terminal's authorisation reference"), field="reference")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest, order=None) -> Charge:
        self.validate(amount=amount, request=request)
        return Charge(True, reference=request.reference.strip(), message=gettext_noop("card terminal"))

    def refund(self, *, amount: Decimal, currency: str, reference: str, key: str = "") -> Charge:
        return Charge(True, reference=f"REFUND-{reference}")


# The metadata of a refund at the provider naming the box office's refund it is.
REFUND_KEY = "boxoffice_refund"
# The metadata of a payment at the provider: its card's fingerprint, when it was asked for.
CARD_FINGERPRINT = "card_fingerprint"


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def minor_units(amount: Decimal, currency: str) -> int:
    """`amount` in the currency's smallest unit, as a provider takes it: 12.34 CAD is 1234,
    5000 JPY is 5000."""
    return int((amount * 10 ** MINOR_DIGITS.get(currency.upper(), 2)).to_integral_value())


def from_minor_units(units: int, currency: str) -> Decimal:
    return Decimal(units) / 10 ** MINOR_DIGITS.get(currency.upper(), 2)


NO_ANSWER = gettext_noop("the payment provider did not answer; try again in a moment")
BANK_STEP_BY_PHONE = gettext_noop("the card's bank asks the cardholder to confirm the payment, which cannot be "
                                  "done by phone; nothing was charged: send the caller a payment link instead")
BANK_DID_NOT_CONFIRM = gettext_noop("the card's bank did not confirm the payment")


@functools.lru_cache(maxsize=1)
def stripe_client(pid: int, key: str, api_base: str, timeout: float, retries: int):
    """One client per process (a forked worker makes its own: `pid`) and per setting, so
    that its connections to the provider stay open from one payment to the next (one per
    thread): with Stripe, each new one is a TLS handshake, a round trip or two away, before
    the card is sent. A connection the provider has closed meanwhile is opened again."""
    import stripe

    # A bounded wait: a request paying for seats must answer the buyer, not hang on the
    # provider (the library's own default is 80 s, retried).
    http = stripe.RequestsClient(timeout=timeout)
    return stripe.StripeClient(key, base_addresses={"api": api_base} if api_base else None, http_client=http,
                               max_network_retries=retries)


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
        from django.conf import settings

        if not settings.STRIPE_SECRET_KEY:
            raise InvalidRequest(_("card payments are not set up (STRIPE_SECRET_KEY)"), field="method")
        return stripe_client(os.getpid(), settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE,
                             settings.STRIPE_TIMEOUT_SECONDS, settings.STRIPE_NETWORK_RETRIES)

    def validate(self, *, amount: Decimal, request: PaymentRequest, currency: str | None = None) -> None:
        if request.card_number:
            raise InvalidRequest(_("card numbers are typed into the provider's field, not sent here"), field="card")
        if not request.token.startswith(("tok_", "pm_")) or len(request.token) > 255:
            raise InvalidRequest(_("enter the card in the card field"), field="card")

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
        params = {"amount": minor_units(amount, currency), "currency": currency.lower(),
                  "metadata": {"order": code, "method": request.method},
                  **self._payment_method(client, request.token)}
        if request.fingerprint:  # a payment the bank confirms later is recorded with it (settling)
            params["metadata"][CARD_FINGERPRINT] = request.fingerprint
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
            return Charge(False, reference=intent.id,
                          message=decline_of(getattr(exc.error, "decline_code", None) or exc.code))
        except stripe.InvalidRequestError:
            # A confirmation whose answer was lost may have been taken: sent again (the
            # library's retry, with the same key) it is refused as one of a payment already
            # confirmed by a provider that keeps no idempotency keys (localstripe), or that
            # has forgotten the key. The payment as the provider holds it is the answer;
            # one still unconfirmed was refused for what the request said.
            held = client.v1.payment_intents.retrieve(intent.id)
            if held.status == "requires_confirmation":
                raise
            intent = held
        if self.moto and intent.status == "requires_action":
            self.cancel(intent.id)
            return Charge(False, reference=intent.id, message=BANK_STEP_BY_PHONE)
        return self.answer(intent)

    @staticmethod
    def answer(intent) -> Charge:
        if intent.status == "succeeded":
            return Charge(True, reference=intent.id, message=APPROVED)
        if intent.status == "requires_action":
            return Charge(False, pending=True, reference=intent.id, client_secret=intent.client_secret,
                          message=BANK_ASKS)
        if intent.status == "processing":  # not a decline: its webhook or the reconciliation says later
            return Charge(False, pending=True, reference=intent.id, message=PROCESSING)
        error = intent.to_dict().get("last_payment_error") or {}
        if error.get("code") == "payment_intent_authentication_failure":
            return Charge(False, reference=intent.id, message=BANK_DID_NOT_CONFIRM)
        return Charge(False, reference=intent.id, message=decline_of(error.get("decline_code") or error.get("code")))

    def fingerprinted(self, request: PaymentRequest) -> PaymentRequest:
        """`request` with the provider's fingerprint of its card (Stripe's
        `card.fingerprint` of a PaymentMethod, or of a token's card): one round trip."""
        with provider_errors():
            client = self.client()
            if request.token.startswith("pm_"):
                card = client.v1.payment_methods.retrieve(request.token).card
            else:
                card = client.v1.tokens.retrieve(request.token).card
        return replace(request, fingerprint=getattr(card, "fingerprint", None) or "")

    def retrieve(self, reference: str, *, charge: bool = False):
        """The PaymentIntent `reference`; with its charge (`charge`: what was paid back of
        it, read by `refunded`) in the same round trip."""
        params = {"expand": ["latest_charge"]} if charge else None
        with provider_errors():
            return self.client().v1.payment_intents.retrieve(reference, params)

    @staticmethod
    def refunded(intent) -> int:
        """What was paid back of a PaymentIntent retrieved with its charge, in minor units."""
        charge = intent.to_dict().get("latest_charge")
        return int(charge.get("amount_refunded") or 0) if isinstance(charge, dict) else 0

    def cancel(self, reference: str) -> None:
        with provider_errors():
            self.client().v1.payment_intents.cancel(reference, options={"idempotency_key": f"cancel-{reference}"})

    def refund(self, *, amount: Decimal, currency: str, reference: str, key: str = "") -> Charge:
        import stripe
        from django.conf import settings

        key = key or f"refund-{reference}-{cents(amount)}"
        # The key comes back with the refund's later events: a refund pending now that
        # fails later is found by it (sales.orders.charging.refund_failed_later).
        params = {"payment_intent": reference, "amount": minor_units(amount, currency), "metadata": {REFUND_KEY: key}}
        with provider_errors():
            client = self.client()
            # A refund sent before whose answer was lost (by this call, or by an earlier one
            # that left it owed) is looked for by its key before it is sent again: made once
            # even by a provider that keeps no idempotency keys (localstripe) or has
            # forgotten this one (Stripe keeps them a day). Hence no retry by the library.
            refund, tries = self._refund_keyed(client, reference, key), settings.STRIPE_NETWORK_RETRIES
            while refund is None:
                try:
                    refund = client.v1.refunds.create(params, {"idempotency_key": key, "max_network_retries": 0})
                except stripe.APIConnectionError:
                    if tries <= 0:
                        raise
                    tries -= 1
                    refund = self._refund_keyed(client, reference, key)
        notes = {"succeeded": gettext_noop("refund succeeded"), "pending": gettext_noop("refund pending")}
        return Charge(refund.status in ("succeeded", "pending"), reference=refund.id,
                      message=notes.get(refund.status, f"refund {refund.status}"))


    @staticmethod
    def _refund_keyed(client, reference: str, key: str):
        """The refund of the payment `reference` made with the box office's `key`, if any."""
        refunds = client.v1.refunds.list({"payment_intent": reference, "limit": 100}).data
        return next((r for r in refunds if (r.to_dict().get("metadata") or {}).get(REFUND_KEY) == key), None)


# The seconds this thread (or task) has spent waiting on the payment provider, ever: a
# request's share is the difference across it. The provider's time is not the box
# office's: automatic admission (boxoffice.pools.BuyerLatencyMiddleware) leaves it out.
_provider_seconds: ContextVar[float] = ContextVar("provider_seconds", default=0.0)


def provider_seconds() -> float:
    return _provider_seconds.get()


@contextlib.contextmanager
def waiting_on_provider():
    t0 = time.perf_counter()
    try:
        yield
    finally:
        _provider_seconds.set(_provider_seconds.get() + time.perf_counter() - t0)


@contextlib.contextmanager
def provider_errors():
    """The provider's failures as the box office's errors: its silence (down, timed out,
    refusing our keys) as ProviderUnavailable, a request it could not use (a token used
    twice, an unknown card) as InvalidRequest. A decline is an answer, not an error.
    The time spent inside is the provider's (`provider_seconds`)."""
    import stripe

    try:
        with waiting_on_provider():
            yield
    except stripe.CardError:
        raise
    except stripe.InvalidRequestError as exc:
        logger.warning("payment provider: %s", exc)
        raise InvalidRequest(_("the provider could not use this card; enter it again"), field="card") from exc
    except stripe.StripeError as exc:
        logger.warning("payment provider: %s", exc)
        raise ProviderUnavailable(_(NO_ANSWER)) from exc


def card_fingerprint(request: PaymentRequest) -> str:
    """A keyed hash of the card: counts one card's purchases without keeping its number.
    Of the number typed (the built-in test card), else of the provider's fingerprint of the
    card (when it was asked for: `fingerprinted`); "" for neither."""
    import hashlib
    import hmac

    from django.conf import settings

    digits = "".join(ch for ch in request.card_number if ch.isdigit())
    # The provider's fingerprint kept apart from any number: a number has no letters.
    card = digits or (f"provider:{request.fingerprint}" if request.fingerprint else "")
    if not card:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), card.encode(), hashlib.sha256).hexdigest()


PROVIDERS = {
    "card": StripeProvider(),
    "card_not_present": StripeProvider(moto=True),
    "test_card": TestCardProvider(),
    "cash": CashProvider(),
    "card_terminal": CardTerminalProvider(),
}
