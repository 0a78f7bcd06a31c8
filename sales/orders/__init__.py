"""Orders: placed from a live hold in one service call, paid, exchanged, refunded.

One module per concern; the doors import from here.

- customers: who is buying (found by email, or created in the sale's own statement);
- pricing: what a hold's places cost, computed on the server;
- status: the order's states and the one guarded move between them, with its audit line;
- charging: taking the money (no transaction open while a provider answers), then the
  sale statement, and paying back whatever was taken for a sale that did not happen;
- placing: an order from a hold, idempotent;
- reservations: a phone reservation to pay later, and paying it (staff, or the customer
  through the payment link they were emailed);
- settling: card payments the provider finishes out of band (3-D Secure, webhooks,
  reconciliation);
- exchanges: tickets of a paid order for other places, the difference changing hands;
- refunds: a paid order refunded, an unpaid one cancelled.
"""

from .charging import (
    REFUND_OWED,
    REFUND_REFUSED,
    REFUND_SETTLED,
    cash_handed_back,
    change_given,
    held_at_counter,
    money_not_kept,
    payback_plan,
    refundable,
    refunds_refused,
    refunds_settle,
    refused_words,
)
from .customers import (
    WALK_IN,
    CustomerDetails,
    buyer_or_walk_in,
    clean_customer,
    customer_for,
    customer_note_add,
    customer_register,
    order_email_to,
    refuse_card_number,
)
from .exchanges import (
    DEARER_AT_COUNTER,
    ExchangePrice,
    ExchangeQuote,
    exchange_hold,
    exchange_prices,
    exchange_quote,
    order_exchange,
)
from .placing import buyer_language, order_interrupted, order_place, orders_abandoned_tidy
from .pricing import NO_CHOICE, PriceRequest, Quote, hold_quote, hold_total, ticket_prices
from .refunds import (
    order_cancel,
    order_refund,
    refund_amounts,
    refund_payback,
    refund_refusal,
    refund_ways,
    tickets_payback,
    tickets_refund,
)
from .reservations import order_pay_by_link, order_pay_reservation, order_reserve, reservations_tidy
from .status import TRANSITIONS, OrderStatusConflict, order_transition

__all__ = (
    "DEARER_AT_COUNTER",
    "NO_CHOICE",
    "REFUND_OWED",
    "REFUND_REFUSED",
    "REFUND_SETTLED",
    "TRANSITIONS",
    "WALK_IN",
    "CustomerDetails",
    "buyer_or_walk_in",
    "ExchangePrice",
    "ExchangeQuote",
    "OrderStatusConflict",
    "PriceRequest",
    "Quote",
    "buyer_language",
    "cash_handed_back",
    "change_given",
    "clean_customer",
    "customer_for",
    "customer_note_add",
    "customer_register",
    "exchange_hold",
    "exchange_prices",
    "exchange_quote",
    "held_at_counter",
    "hold_quote",
    "hold_total",
    "money_not_kept",
    "order_cancel",
    "order_email_to",
    "order_exchange",
    "order_interrupted",
    "order_pay_by_link",
    "order_pay_reservation",
    "order_place",
    "order_refund",
    "refund_amounts",
    "refund_payback",
    "refund_refusal",
    "refund_ways",
    "refunds_refused",
    "refunds_settle",
    "refuse_card_number",
    "refused_words",
    "order_reserve",
    "order_transition",
    "orders_abandoned_tidy",
    "payback_plan",
    "refundable",
    "reservations_tidy",
    "ticket_prices",
    "tickets_payback",
    "tickets_refund",
)
