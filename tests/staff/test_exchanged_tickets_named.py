"""An order's page at the counter and on the phone names each ticket no longer valid by
what happened to it: refunded, or exchanged for another seat (never a bare "Void", which
French reads "Annulé", as if the caller had lost the seat)."""

import re
from decimal import Decimal
from html import unescape

import pytest

from events.models import Channel
from sales.holds import hold_create
from sales.orders import order_exchange, tickets_refund
from sales.payments import PaymentRequest
from sales.shifts import shift_open
from tests.staff.test_counter_exchange import counter_sale, zone
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def ticket_states(page: bytes, table: str) -> dict[str, str]:
    """Place → the state column of the order's ticket table."""
    body = unescape(page.decode()).split(f'id="{table}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td>.*?<td class=\"num\">.*?</td><td>([^<]+)", body)
    return {re.sub(r"<[^>]+>", "", place): state.strip() for place, state in rows}


def test_an_exchanged_ticket_is_called_exchanged_and_a_refunded_one_refunded(clerk, operator, hall):
    shift = shift_open(clerk=clerk, cash_float=Decimal("100"))
    order = counter_sale(clerk, shift, hall, "Stalls", 3)
    first, second, third = order.tickets.order_by("pk")
    tickets_refund(order=order, ticket_ids=[third.pk], actor=clerk, shift=shift)
    new_hold = hold_create(performance=hall, channel=Channel.COUNTER, user=clerk, zone=zone(hall, "Front"),
                           quantity=1)
    order_exchange(order=order, ticket_ids=[first.pk], hold=new_hold, actor=clerk, shift=shift,
                   payments=[PaymentRequest(method="cash", tendered=Decimal("100"))])
    places = [str(t.place) for t in (first, second, third)]
    for who, url, table in ((clerk, f"/counter/orders/{order.code}/", "order-tickets"),
                            (operator, f"/phone/orders/{order.code}/", "order-tickets")):
        client = signed_in(who)
        english = ticket_states(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content, table)
        french = ticket_states(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content, table)
        assert [english[p] for p in places] == ["Exchanged", "Valid", "Refunded"], url
        assert [french[p] for p in places] == ["Échangé", "Valide", "Remboursé"], url
