"""Payment providers behind one small interface.

The built-in test card provider approves or declines by card number, so the shop works
with no outside service:

    4242 4242 4242 4242   approved
    4000 0000 0000 0002   declined (insufficient funds)
    4000 0000 0000 0259   approved after a slow (3 s) answer
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidRequest

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


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str = ""
    message: str = ""
    change_due: Decimal = Decimal("0")


class TestCardProvider:
    slow_seconds = 3.0

    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        number = "".join(ch for ch in request.card_number if ch.isdigit())
        if not 12 <= len(number) <= 19:
            raise InvalidRequest("enter a card number", field="card_number")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest) -> Charge:
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

    def refund(self, *, amount: Decimal, reference: str) -> Charge:
        return Charge(True, reference=f"REFUND-{reference}")


class CashProvider:
    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        if request.tendered is None:
            raise InvalidRequest("enter the amount tendered", field="tendered")
        if request.tendered < amount:
            raise InvalidRequest(f"tendered {request.tendered} is less than the total {amount}",
                                 field="tendered")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest) -> Charge:
        self.validate(amount=amount, request=request)
        return Charge(True, message="cash", change_due=request.tendered - amount)

    def refund(self, *, amount: Decimal, reference: str) -> Charge:
        return Charge(True, message="cash paid back")


class CardTerminalProvider:
    def validate(self, *, amount: Decimal, request: PaymentRequest) -> None:
        ref = request.reference.strip()
        if not ref or len(ref) > 100:
            raise InvalidRequest("enter the terminal's authorisation reference", field="reference")

    def charge(self, *, amount: Decimal, currency: str, request: PaymentRequest) -> Charge:
        self.validate(amount=amount, request=request)
        return Charge(True, reference=request.reference.strip(), message="card terminal")

    def refund(self, *, amount: Decimal, reference: str) -> Charge:
        return Charge(True, reference=f"REFUND-{reference}")


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
    "test_card": TestCardProvider(),
    "card_not_present": TestCardProvider(),
    "cash": CashProvider(),
    "card_terminal": CardTerminalProvider(),
}
