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


def front_seats_asked(c, order, hall):
    """The clerk holds two Front seats to exchange every ticket of `order` for: the answer."""
    tickets = [str(pk) for pk in order.tickets.values_list("pk", flat=True)]
    return c.post(f"/counter/orders/{order.code}/exchange/",
                  {"tickets": tickets, "zone": hall.price_zones.get(name="Front").pk, "quantity": "2"})


def exchange_held_then_refunded(clerk, hall):
    """New seats held for an exchange, then the order refunded (from another tab): the
    clerk's browser, the order, the exchange's page and the new seats' hold."""
    from sales.orders import order_refund

    c, order = two_stalls_sold(clerk, hall)
    start = front_seats_asked(c, order, hall)
    hold = Hold.objects.get(owner_key=f"exchange:{order.code}")
    order_refund(order=order, actor=clerk, shift=Shift.objects.get(closed_at__isnull=True))
    return c, order, start["Location"], hold


def test_an_exchange_refused_for_a_closed_shift_gives_its_new_seats_back(clerk, hall):
    """The new seats were held as the shift was being closed from another tab: the
    confirmation is refused, says so, and the seats are free again at once."""
    c, order = two_stalls_sold(clerk, hall)
    start = closed_from_another_tab_meanwhile(clerk, lambda: front_seats_asked(c, order, hall))
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
    c, order, start, hold = exchange_held_then_refunded(clerk, hall)
    refused = c.post(start, {"tendered": "60"}, follow=True)
    assert not Place.objects.filter(performance=hall, state="held").exists()
    hold.refresh_from_db()
    assert hold.status == "released"
    page = unescape(refused.content.decode())
    assert "Not exchanged: order" in page and "only a paid order can be exchanged" in page
    assert "The new seats were released." in page


def held_by(hold) -> int:
    return Place.objects.filter(hold=hold, state="held").count()


def test_a_sale_page_opened_after_the_shift_closed_keeps_its_seats_held(clerk, hall):
    """Opening the sale's page again (a reload, a restored tab) once the shift was closed
    from another tab changes no seat: the clerk is told, and releases them with a button."""
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    start = closed_from_another_tab_meanwhile(clerk, lambda: c.post(
        "/counter/sale/", {"performance": hall.pk, "zone": hall.price_zones.get(name="Stalls").pk, "quantity": "2"}))
    hold = Hold.objects.get()
    for _ in range(2):
        shown = c.get(start["Location"], follow=True)
        assert held_by(hold) == 2
    hold.refresh_from_db()
    assert hold.status == "active" and not Order.objects.exists()
    page = unescape(shown.content.decode())
    assert "Not sold: your shift was closed meanwhile. The seats stay held until" in page, page
    assert "Open the drawer" in page
    assert f'action="/counter/sale/{hold.pk}/cancel/"' in page and "Release the seats" in page
    released = c.post(f"/counter/sale/{hold.pk}/cancel/", follow=True)
    assert released.status_code == 200 and held_by(hold) == 0
    assert f'action="/counter/sale/{hold.pk}/cancel/"' not in released.content.decode()


def test_an_exchange_page_opened_after_the_shift_closed_keeps_its_new_seats_held(clerk, hall):
    """As a sale's: the exchange's page, opened again once the shift was closed, releases
    nothing; the clerk is told, and releases the new seats with a button."""
    c, order = two_stalls_sold(clerk, hall)
    start = closed_from_another_tab_meanwhile(clerk, lambda: front_seats_asked(c, order, hall))
    hold = Hold.objects.get(owner_key=f"exchange:{order.code}")
    shown = c.get(start["Location"], follow=True)
    assert held_by(hold) == 2
    hold.refresh_from_db()
    assert hold.status == "active"
    page = unescape(shown.content.decode())
    assert "Not exchanged: your shift was closed meanwhile. The new seats stay held until" in page, page
    assert "Open the drawer" in page
    assert f'action="/counter/sale/{hold.pk}/cancel/"' in page and "Release the new seats" in page
    released = c.post(f"/counter/sale/{hold.pk}/cancel/", follow=True)
    assert "The new seats were released." in unescape(released.content.decode())
    assert held_by(hold) == 0
    assert sorted(Ticket.objects.filter(order=order, status="valid").values_list("price_zone_name", flat=True)) == [
        "Stalls", "Stalls"]


def test_an_exchange_page_its_order_no_longer_allows_keeps_its_new_seats_held(clerk, hall):
    """The order was refunded after the new seats were held: opening the exchange's page
    says it is refused, releases nothing, and the order's page offers to release them."""
    c, order, start, hold = exchange_held_then_refunded(clerk, hall)
    shown = c.get(start, follow=True)
    assert shown.redirect_chain[-1][0] == f"/counter/orders/{order.code}/"
    assert held_by(hold) == 2
    page = unescape(shown.content.decode())
    assert "Not exchanged: order" in page and "only a paid order can be exchanged" in page
    assert "The new seats were released" not in page
    assert "The new seats stay held until" in page
    assert f'action="/counter/sale/{hold.pk}/cancel/"' in page and "Release the new seats" in page
    released = c.post(f"/counter/sale/{hold.pk}/cancel/", {"order": order.code}, follow=True)
    assert released.redirect_chain[-1][0] == f"/counter/orders/{order.code}/"
    assert held_by(hold) == 0
    assert f'action="/counter/sale/{hold.pk}/cancel/"' not in released.content.decode()
