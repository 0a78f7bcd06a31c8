"""A counter sale or exchange refused once its seats were held gives them back at once,
rather than leaving them held until the hold lapses."""

import threading
import time
from html import unescape

import pytest
from django.db import connection, transaction

from sales.models import Hold, Order, Place, Shift, Ticket
from sales.shifts import shift_expected
from tests.support import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_a_lock(seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def closed_from_another_tab_meanwhile(clerk, meanwhile):
    """The clerk closes their shift from another tab, and `meanwhile()` (this tab) runs
    after the close found no seat held but before it committed: the interleaving that,
    under load, happens by chance. A third transaction holds the shift's row so that the
    close waits on it once its checks are done. What `meanwhile()` returned."""
    shift = Shift.objects.get(clerk=clerk, closed_at__isnull=True)
    cash = str(shift_expected(shift)["cash"])  # counted right: closed without a second look
    locked, let_go, closed = threading.Event(), threading.Event(), []

    def blocker():
        try:
            with transaction.atomic():
                Shift.objects.select_for_update().get(pk=shift.pk)
                locked.set()
                let_go.wait(10)
        finally:
            connection.close()

    def other_tab():
        try:
            closed.append(signed_in(clerk).post("/counter/shift/close/",
                                                {"counted_cash": cash, "counted_card": "0"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=blocker), threading.Thread(target=other_tab)]
    threads[0].start()
    assert locked.wait(10)
    threads[1].start()
    try:
        assert waiting_on_a_lock(), f"the close never reached the shift's row: {closed}"
        done = meanwhile()
    finally:
        let_go.set()
        for thread in threads:
            thread.join(20)
    assert closed[0].status_code == 302, closed[0].content.decode()[:2000]
    assert Shift.objects.get(pk=shift.pk).closed_at is not None
    return done


def two_stalls_sold(clerk, hall):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    sale = c.post("/counter/sale/", {"performance": hall.pk, "zone": hall.price_zones.get(name="Stalls").pk,
                                     "quantity": "2"})
    c.post(sale["Location"], {"tendered": "100"})
    return c, Order.objects.get()


def test_an_exchange_refused_for_a_closed_shift_gives_its_new_seats_back(clerk, hall):
    """The new seats were held as the shift was being closed from another tab: the
    confirmation is refused, says so, and the seats are free again at once."""
    c, order = two_stalls_sold(clerk, hall)
    tickets = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    start = closed_from_another_tab_meanwhile(clerk, lambda: c.post(
        f"/counter/orders/{order.code}/exchange/",
        {"tickets": tickets, "zone": hall.price_zones.get(name="Front").pk, "quantity": "2"}))
    assert start.status_code == 302 and "/exchange/" in start["Location"], start.content.decode()[:2000]
    hold = Hold.objects.get(owner_key=f"exchange:{order.code}")
    assert Place.objects.filter(hold=hold, state="held").count() == 2  # held by a drawer now closed
    refused = c.post(start["Location"], {"tendered": "60"}, follow=True)
    assert not Place.objects.filter(performance=hall, state="held").exists()
    hold.refresh_from_db()
    assert hold.status == "released"
    page = unescape(refused.content.decode())
    assert "Not exchanged: your shift was closed meanwhile, and the new seats were released" in page
    assert "Open the drawer" in page  # and the shift is opened again from there
    assert sorted(Ticket.objects.filter(order=order, status="valid").values_list("price_zone_name", flat=True)) == [
        "Stalls", "Stalls"]  # the customer keeps their tickets


def test_a_sale_refused_for_a_closed_shift_gives_its_seats_back(clerk, hall):
    """The seats were held as the shift was being closed from another tab: taking the
    payment is refused, says so, and the seats are free again at once."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    start = closed_from_another_tab_meanwhile(clerk, lambda: c.post(
        "/counter/sale/", {"performance": hall.pk, "zone": hall.price_zones.get(name="Stalls").pk, "quantity": "2"}))
    assert start.status_code == 302 and "/counter/sale/" in start["Location"], start.content.decode()[:2000]
    hold = Hold.objects.get()
    assert Place.objects.filter(hold=hold, state="held").count() == 2  # held by a drawer now closed
    refused = c.post(start["Location"], {"tendered": "100"}, follow=True)
    assert not Place.objects.filter(performance=hall, state="held").exists()
    hold.refresh_from_db()
    assert hold.status == "released" and not Order.objects.exists()
    page = unescape(refused.content.decode())
    assert "Not sold: your shift was closed meanwhile, and the seats were released. Open a shift" in page


def test_an_exchange_its_order_no_longer_allows_gives_its_new_seats_back(clerk, hall):
    """The order was refunded (from another tab) after the new seats were held: the
    exchange is refused, and its seats are free again at once, not when the hold lapses."""
    from sales.orders import order_refund

    c, order = two_stalls_sold(clerk, hall)
    tickets = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    start = c.post(f"/counter/orders/{order.code}/exchange/",
                   {"tickets": tickets, "zone": hall.price_zones.get(name="Front").pk, "quantity": "2"})
    hold = Hold.objects.get(owner_key=f"exchange:{order.code}")
    order_refund(order=order, actor=clerk, shift=Shift.objects.get(closed_at__isnull=True))
    refused = c.post(start["Location"], {"tendered": "60"}, follow=True)
    assert not Place.objects.filter(performance=hall, state="held").exists()
    hold.refresh_from_db()
    assert hold.status == "released"
    page = unescape(refused.content.decode())
    assert "Not exchanged: order" in page and "only a paid order can be exchanged" in page
    assert "The new seats were released." in page
