"""Domain errors. Each has a stable `code` for the API and a message a clerk can read."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class SalesError(Exception):
    code = "sales_error"
    status = 400

    def __init__(self, message: str, **detail):
        self.message = message
        self.detail = detail
        super().__init__(message)


class InvalidRequest(SalesError):
    """The request itself is wrong (unknown seats, zero tickets, over the limit)."""

    code = "invalid"


class NotFound(SalesError):
    """What the request names does not exist (an unknown ticket code at the door)."""

    code = "not_found"
    status = 404


class NotPermitted(SalesError):
    code = "not_permitted"
    status = 403


class NotOnSale(SalesError):
    code = "not_on_sale"
    status = 409


class PlacesUnavailable(SalesError):
    """Some places cannot be had. `places` maps place id -> reason; `available`, when
    known, is how many places the zone or area still has, so that a caller can ask for
    that many or look elsewhere instead of guessing; `together`, how many of them are
    side by side at most (best-available does not split a party)."""

    code = "unavailable"
    status = 409

    def __init__(self, message: str, places: dict[int, str] | None = None, available: int | None = None,
                 together: int | None = None):
        detail = {"places": places or {}}
        if available is not None:
            detail["available"] = available
        if together is not None:
            detail["together"] = together
        super().__init__(message, **detail)
        self.places = places or {}


def try_again_in(seconds: int) -> str:
    """When a caller refused by a rate limit may try again, as the answer's Retry-After
    says it: "try again in 42 seconds", to follow the refusal's reason (too_many)."""
    return ngettext("try again in %(seconds)d second", "try again in %(seconds)d seconds", seconds) % {
        "seconds": seconds}


def too_many(reason: str, seconds: int) -> str:
    """A rate limit's refusal: its `reason`, then when to try again ("too many holds from
    your address; try again in 42 seconds"), `seconds` being what the limit counted
    (sales.waiting_room.rate_limited), as the answer's Retry-After gives them."""
    return _("%(reason)s; %(try_again)s") % {"reason": reason, "try_again": try_again_in(seconds)}


class RateLimited(SalesError):
    """Too many requests of one kind from one address in the last minute: `retry_after`,
    the seconds until the limit's window ends, is said in the message and in the answer's
    Retry-After."""

    code = "rate_limited"
    status = 429
    transient = True  # a retry after the minute may pass: never kept as an idempotency key's answer

    def __init__(self, reason: str, retry_after: int, **detail):
        super().__init__(too_many(reason, retry_after), **detail)
        self.retry_after = retry_after


class TooManyHeld(SalesError):
    """The caller's network holds as many places of the performance as one network may
    hold at once online (sales.network_holds): nothing was held. It may pass once some of
    them are bought, released or lapse, so it is never kept as an idempotency key's answer."""

    code = "too_many_held"
    status = 409
    transient = True


class HoldNotActive(SalesError):
    code = "hold_not_active"
    status = 409


class ReservationLapsed(HoldNotActive):
    """A reservation's payment asked for once its deadline has passed: nothing was charged."""


class PaymentDeclined(SalesError):
    code = "payment_declined"
    status = 402


class IllegalTransition(SalesError):
    code = "illegal_transition"
    status = 409


class OrderMovedOn(IllegalTransition):
    """The sale found its order no longer awaiting payment or reserved: cancelled, failed or
    lapsed while its payment was being taken (which is then paid back)."""


class ShiftClosed(IllegalTransition):
    """The clerk's shift closed while its payment was being recorded: the close counted
    the drawer without it, so nothing is sold, exchanged or paid back into that shift."""


class InProgress(IllegalTransition):
    """Another request is doing this right now (paying for these seats): try again shortly.
    Not kept as an idempotency key's answer, since it does not last."""

    code = "in_progress"
    transient = True


class PaymentProcessing(InProgress):
    """The provider is still processing the payment (its money may yet arrive): the order
    waits, its hold kept, as for a bank's question, until the provider's webhook or the
    reconciliation settles it (sold, or failed as declined). Asked again meanwhile, the
    same key answers with the order awaiting payment."""


class PaymentInterrupted(SalesError):
    """The request paying for this order died before it finished (its process killed, the
    database restarted): nothing was sold, and the hold can be paid for again."""

    code = "payment_interrupted"
    status = 409


class ServiceUnavailable(SalesError):
    """A part the request cannot do without is down for a moment (the waiting room's Redis
    for a queued on-sale): nothing was done; try again shortly."""

    code = "service_unavailable"
    status = 503
    transient = True


class ProviderUnavailable(SalesError):
    """The payment provider did not answer (down, timed out): nothing was sold, the hold is
    still usable, and whatever the provider may have taken meanwhile is paid back by the
    reconciliation. Trying again shortly may work."""

    code = "payment_provider_unavailable"
    status = 503
    transient = True


class IdempotencyConflict(SalesError):
    code = "idempotency_conflict"
    status = 409


class PaymentActionRequired(SalesError):
    """The cardholder must confirm the payment with their bank (3-D Secure): the page does
    it with the provider's script and `client_secret`, then asks for the order again. The
    order waits, its hold kept until it lapses."""

    code = "payment_action_required"
    status = 402


class WrongPerformance(SalesError):
    """A ticket scanned at the door of another performance (another date, another show):
    the message says which one it is for."""

    code = "wrong_performance"
    status = 409
