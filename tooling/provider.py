"""The local payment provider: localstripe, with Stripe's decline test cards added, then
localstripe's own server. The local stack runs it in Stripe's place (tooling.stack):

    python -m tooling.provider --store DIR/localstripe.pickle --port 8420 --from-scratch
                                    (--store ours, the rest localstripe's own arguments)

Local stand-in only: production talks to Stripe itself and never runs this.

localstripe declines Stripe's decline test cards (4000 0000 0000 0002 and its kin) only
when one is attached to a customer, which the box office never does; paid with straight
into a PaymentIntent, they were approved. Here a charge of one of them is declined as
Stripe declines it (docs.stripe.com/testing, "Declined payments"): HTTP 402, an error of
type `card_error` with Stripe's `code`, `decline_code` and message, and the
PaymentIntent back at `requires_payment_method` with that error as its
`last_payment_error`. Every other card behaves as localstripe has it.

Two more differences. It keeps its store where it is told (the stack's folder), not in
localstripe's one /tmp/localstripe.pickle, which every instance on the machine would
write. And it says what it is at IDENTITY (the hash of this file, VERSION), so that the
stack knows a provider of this checkout's from one an older checkout started, or plain
localstripe, which approve the decline cards (tooling.stack.stripe_up restarts those).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
from pathlib import Path

# What this provider is: the same file, the same behaviour.
VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
IDENTITY = "/_config/boxoffice/provider"

# Stripe's decline test cards: number -> (error code, decline code, the message Stripe gives).
DECLINE_CARDS = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", None, "Your card has expired."),
    "4000000000000127": ("incorrect_cvc", None, "Your card's security code is incorrect."),
    "4000000000000119": ("processing_error", None,
                         "An error occurred while processing your card. Try again in a little bit."),
}


def add_decline_cards() -> None:
    """Teach localstripe's charges (of a PaymentIntent, or made directly) the cards above."""
    from localstripe.errors import UserError
    from localstripe.resources import Charge, PaymentIntent, PaymentMethod

    charging_is_declined = PaymentMethod._charging_is_declined
    set_auth_failure = Charge._set_auth_failure
    last_payment_error = PaymentIntent.last_payment_error

    def declined(method) -> bool:  # a PaymentMethod, or a Card (which asks the same question)
        return charging_is_declined(method) or (
            getattr(method, "type", None) == "card" and getattr(method, "_card_number", None) in DECLINE_CARDS)

    def set_failure(charge) -> None:
        set_auth_failure(charge)
        card = PaymentMethod._api_retrieve(charge.payment_method)
        charge._decline_code = None
        if getattr(card, "_card_number", None) in DECLINE_CARDS:
            charge.failure_code, charge._decline_code, charge.failure_message = DECLINE_CARDS[card._card_number]

    def raise_failure(charge) -> None:  # a declined charge is a card error, as at Stripe
        error = {"code": charge.failure_code, "charge": charge.id}
        if getattr(charge, "_decline_code", None):
            error["decline_code"] = charge._decline_code
        failure = UserError(402, charge.failure_message, error)
        failure.body["error"]["type"] = "card_error"
        raise failure

    def last_error(intent):
        error = last_payment_error.fget(intent)
        if error and intent.latest_charge is not None and error.get("charge") == intent.latest_charge.id:
            error["type"] = "card_error"
            if getattr(intent.latest_charge, "_decline_code", None):
                error["decline_code"] = intent.latest_charge._decline_code
        return error

    PaymentMethod._charging_is_declined = declined
    Charge._set_auth_failure = set_failure
    Charge._raise_failure = raise_failure
    PaymentIntent.last_payment_error = property(last_error)


def keep_store_at(path: Path) -> None:
    """localstripe's store read from and written to `path` (whole, then moved in place: a
    provider killed mid-write leaves the last whole store), not /tmp/localstripe.pickle."""
    from localstripe.resources import Store

    def load(store) -> None:
        try:
            with open(path, "rb") as f:
                old = pickle.load(f)
        except FileNotFoundError:
            return
        store.clear()
        store.update(old)

    def dump(store) -> None:
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)

    Store.try_load_from_disk = load
    Store.dump_to_disk = dump


def answer_identity() -> None:
    """GET IDENTITY answers {"provider": "boxoffice", "version": VERSION}; localstripe
    itself answers it 404."""
    from aiohttp import web
    from localstripe import server

    async def identity(_request):
        return web.Response(text=json.dumps({"provider": "boxoffice", "version": VERSION}),
                            content_type="application/json")

    server.app.router.add_get(IDENTITY, identity)


def main() -> None:
    from localstripe import server

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store", type=Path, default=Path("localstripe.pickle"))
    ours, theirs = parser.parse_known_args()
    sys.argv[1:] = theirs  # localstripe's server reads its own arguments
    keep_store_at(ours.store.resolve())
    add_decline_cards()
    answer_identity()
    server.start()


if __name__ == "__main__":
    main()
