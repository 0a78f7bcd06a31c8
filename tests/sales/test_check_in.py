"""Check-in at the door: the ticket's own performance only, once, the first scan recorded
winning, with where and by whom."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Channel, Performance
from sales.errors import IllegalTransition, InvalidRequest, NotFound, WrongPerformance
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_place, order_refund
from sales.payments import APPROVE, PaymentRequest
from sales.policy import DOOR_STAFF
from sales.tickets import attendance, ticket_check_in, tickets_find
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import make_performance, make_user, on_the_day, places_of, race

pytestmark = pytest.mark.django_db


def sell(perf, n=1, name="Marie Côté", email="marie@example.org"):
    """An online order of `n` places; its tickets."""
    hold = hold_create(performance=perf, channel=Channel.ONLINE, owner_key="buyer",
                       place_ids=[p.pk for p in places_of(perf, state="available")[:n]])
    order = order_place(hold=hold, customer=CustomerDetails(name=name, email=email), owner_key="buyer",
                        payment=PaymentRequest(method="test_card", card_number=APPROVE))
    return list(order.tickets.all())


@pytest.fixture
def door():
    return make_user("door1", DOOR_STAFF)


def test_admits_once_and_the_second_scan_says_when_and_where(performance, door):
    ticket, = sell(performance)
    on_the_day(performance)
    first = ticket_check_in(code=ticket.code, performance=performance, door="North gate", actor=door)
    assert not first.replayed
    ticket.refresh_from_db()
    assert ticket.checked_in_at and ticket.checked_in_door == "North gate" and ticket.checked_in_by == door
    with pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=ticket.code, performance=performance, door="South gate", actor=door)
    at = timezone.localtime(ticket.checked_in_at).strftime("%H:%M:%S")
    assert refused.value.message == f"already checked in at {at} at North gate"
    assert refused.value.detail == {"checked_in_at": ticket.checked_in_at.isoformat(), "door": "North gate",
                                    "by": "door1"}
    assert attendance(performance.pk) == {"sold": 1, "scanned": 1}


def test_a_doors_name_keeps_no_control_or_direction_override_characters(performance, door):
    """Another door's staff read this name when the ticket comes back to them: a right-to-left
    override or a control character could make it say something else."""
    ticket, = sell(performance)
    on_the_day(performance)
    ticket_check_in(code=ticket.code, performance=performance, door=" North\u202e gate\x07\u200f ", actor=door)
    ticket.refresh_from_db()
    assert ticket.checked_in_door == "North gate"


def test_a_ticket_for_another_date_is_refused_saying_which(performance, door):
    tomorrow = PerformanceFactory(event=performance.event, venue=performance.venue,
                                  starts_at=performance.starts_at + timedelta(days=1), channels=[Channel.ONLINE])
    PriceZoneFactory(performance=tomorrow, name="Stalls", sections=performance.venue.sections.all())
    from sales import inventory

    inventory.put_on_sale(performance=tomorrow)
    ticket, = sell(tomorrow)
    with pytest.raises(WrongPerformance) as refused:
        ticket_check_in(code=ticket.code, performance=performance, door="North gate", actor=door)
    assert refused.value.message == f"this ticket is for {tomorrow.event.title} on {venue_clock(tomorrow.starts_at)}"
    assert refused.value.detail["performance"] == tomorrow.pk
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None  # still good for its own night
    assert ticket_check_in(code=ticket.code, performance=on_the_day(tomorrow), actor=door).ticket.checked_in_at


def test_unknown_and_void_tickets_are_refused(performance, door):
    ticket, = sell(performance)
    on_the_day(performance)
    with pytest.raises(NotFound):
        ticket_check_in(code="nope", performance=performance, actor=door)
    with pytest.raises(NotFound):
        ticket_check_in(code="", performance=performance, actor=door)
    # The order's code, from a walk-in's slip: said to be one, and where it finds the guest.
    with pytest.raises(NotFound, match=f"{ticket.order.code} is an order's code, not a ticket's: look it up"):
        ticket_check_in(code=ticket.order.code.lower(), performance=performance, actor=door)
    order_refund(order=ticket.order, actor=make_user("boss", "organizer", is_staff=True))
    with pytest.raises(IllegalTransition, match="void"):
        ticket_check_in(code=ticket.code, performance=performance, actor=door)


FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")


def venue_clock(moment, language: str = "en", zone=None) -> str:
    """`moment` as the door's messages write a day and its time inside a sentence, on the
    venue's clock (Toronto's unless told): "Sunday 6 December 2026 at 20:00", « dimanche
    6 décembre 2026 à 20 h 30 », « … à 20 h » on the hour (after « le »)."""
    when = timezone.localtime(moment, zone)
    if language == "fr":
        return (f"{FRENCH_DAYS[when.weekday()]} {when.day} {FRENCH_MONTHS[when.month - 1]} {when.year} "
                f"à {when.hour}\u00a0h" + (f"\u00a0{when:%M}" if when.minute else ""))
    return f"{when:%A} {when.day} {when:%B %Y} at {when:%H:%M}"


def test_a_refunded_ticket_says_when_it_was_refunded(performance, door):
    ticket, = sell(performance)
    refunded_at = timezone.now()
    order_refund(order=ticket.order, actor=make_user("boss", "organizer", is_staff=True), now=refunded_at)
    on_the_day(performance)
    with pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=ticket.code, performance=performance, actor=door)
    assert refused.value.message == f"this ticket was refunded on {venue_clock(refunded_at)} and is void"
    assert refused.value.detail == {"void": "refunded", "voided_at": timezone.localtime(refunded_at).isoformat()}


def test_refusals_in_french_say_le_with_the_whole_day_and_a_before_the_hour(performance, door):
    """French writes a day and its time inside a sentence « le dimanche 6 décembre 2026 à
    20 h »: the day's whole name, and « à » before the hour, in every refusal naming one."""
    from django.utils import translation

    from sales import inventory

    tomorrow = PerformanceFactory(event=performance.event, venue=performance.venue,
                                  starts_at=performance.starts_at + timedelta(days=1), channels=[Channel.ONLINE])
    PriceZoneFactory(performance=tomorrow, name="Stalls", sections=performance.venue.sections.all())
    inventory.put_on_sale(performance=tomorrow)
    theirs, = sell(tomorrow)
    ticket, = sell(performance)
    refunded, = sell(performance, name="Jean Tremblay", email="jt@example.org")
    refunded_at = timezone.now()
    order_refund(order=refunded.order, actor=make_user("boss", "organizer", is_staff=True), now=refunded_at)
    with translation.override("fr"), pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=ticket.code, performance=performance, actor=door)
    assert refused.value.message == (f"cette représentation a lieu le {venue_clock(performance.starts_at, 'fr')}"
                                     f"\u00a0: ses billets sont refusés jusqu’au jour venu")
    with translation.override("fr"), pytest.raises(WrongPerformance) as refused:
        ticket_check_in(code=theirs.code, performance=performance, actor=door)
    assert refused.value.message == (f"ce billet est pour {tomorrow.event.title} le "
                                     f"{venue_clock(tomorrow.starts_at, 'fr')}")
    on_the_day(performance)
    with translation.override("fr"), pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=refunded.code, performance=performance, actor=door)
    assert refused.value.message == (f"ce billet a été remboursé le {venue_clock(refunded_at, 'fr')} et n’est "
                                     f"plus valide")


def test_an_exchanged_ticket_says_when_and_for_which_performance(performance, door, clerk):
    """Two guests swapped dates: the one now coming tonight shows their old ticket for
    tomorrow (told their new ticket is for tonight), the one now coming tomorrow shows
    their old ticket for tonight (told which date they have now)."""
    from sales import inventory
    from sales.orders import order_exchange

    tomorrow = PerformanceFactory(event=performance.event, venue=performance.venue,
                                  starts_at=performance.starts_at + timedelta(days=1),
                                  channels=[Channel.ONLINE, Channel.COUNTER])
    PriceZoneFactory(performance=tomorrow, name="Stalls", sections=performance.venue.sections.all())
    inventory.put_on_sale(performance=tomorrow)
    coming_tonight, = sell(tomorrow)
    coming_tomorrow, = sell(performance)
    exchanged_at = timezone.now()
    for ticket, to in ((coming_tonight, performance), (coming_tomorrow, tomorrow)):
        hold = hold_create(performance=to, channel=Channel.COUNTER, user=clerk, zone=to.price_zones.get(),
                           quantity=1)
        order_exchange(order=ticket.order, ticket_ids=[ticket.pk], hold=hold, actor=clerk, now=exchanged_at)
    on_the_day(performance)
    with pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=coming_tonight.code, performance=performance, actor=door)
    assert refused.value.message == (f"this ticket was exchanged on {venue_clock(exchanged_at)} for another "
                                     f"ticket to this performance: scan the new one")
    assert refused.value.detail["exchanged_for"] == performance.pk
    with pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=coming_tomorrow.code, performance=performance, actor=door)
    assert refused.value.message == (f"this ticket was exchanged on {venue_clock(exchanged_at)} for a ticket to "
                                     f"{tomorrow.event.title} on {venue_clock(tomorrow.starts_at)}")
    assert refused.value.detail == {"void": "exchanged", "voided_at": timezone.localtime(exchanged_at).isoformat(),
                                    "exchanged_for": tomorrow.pk,
                                    "starts_at": timezone.localtime(tomorrow.starts_at).isoformat()}
    new = coming_tonight.order.tickets.get(status="valid")
    assert ticket_check_in(code=new.code, performance=performance, actor=door).ticket.checked_in_at


def test_a_ticket_exchanged_twice_is_sent_to_the_ticket_its_guest_holds_now(performance, door, clerk):
    """Tonight, then tomorrow, then tonight again in another seat: the first ticket's guest
    is told their ticket now is for tonight, not sent to tomorrow's, itself void; and a
    chain that ends in a refund says so."""
    from sales import inventory
    from sales.models import Order, PlaceEvent
    from sales.orders import order_exchange

    tomorrow = PerformanceFactory(event=performance.event, venue=performance.venue,
                                  starts_at=performance.starts_at + timedelta(days=1),
                                  channels=[Channel.ONLINE, Channel.COUNTER])
    PriceZoneFactory(performance=tomorrow, name="Stalls", sections=performance.venue.sections.all())
    inventory.put_on_sale(performance=tomorrow)
    first, = sell(performance)
    order = first.order
    for to in (tomorrow, performance):
        hold = hold_create(performance=to, channel=Channel.COUNTER, user=clerk, zone=to.price_zones.get(),
                           quantity=1)
        order_exchange(order=order, ticket_ids=[order.tickets.get(status="valid").pk], hold=hold, actor=clerk)
    start = PlaceEvent.objects.filter(order=order, action="return").order_by("at").first().at  # the first exchange
    on_the_day(performance)
    with pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=first.code, performance=performance, actor=door)
    assert refused.value.message == (f"this ticket was exchanged on {venue_clock(start)} for another "
                                     f"ticket to this performance: scan the new one")
    assert refused.value.detail["exchanged_for"] == performance.pk
    order_refund(order=Order.objects.get(pk=order.pk), actor=None)
    with pytest.raises(IllegalTransition) as refused:
        ticket_check_in(code=first.code, performance=performance, actor=door)
    assert refused.value.message.startswith(f"this ticket was exchanged on {venue_clock(start)}; the ticket it "
                                            f"became was refunded on ")
    assert refused.value.detail["void"] == "refunded"


def test_first_scan_recorded_wins_over_an_earlier_scan_queued_offline(performance, door):
    """Door A scans at 20:01 with no network; door B scans the same ticket at 20:02 online.
    When A's queued scan arrives, B's is the one on record: A's is refused, naming B."""
    ticket, = sell(performance)
    on_the_day(performance)
    now = timezone.now()
    offline_at = now - timedelta(minutes=2)
    ticket_check_in(code=ticket.code, performance=performance, door="B", scan="scan-b", actor=door,
                    now=now - timedelta(minutes=1))
    with pytest.raises(IllegalTransition, match="at B$"):
        ticket_check_in(code=ticket.code, performance=performance, door="A", scan="scan-a", actor=door,
                        scanned_at=offline_at, now=now)
    ticket.refresh_from_db()
    assert (ticket.checked_in_door, ticket.check_in_scan) == ("B", "scan-b")


def test_a_queued_scan_keeps_its_time_and_a_resend_is_answered_as_the_first(performance, door):
    ticket, = sell(performance)
    on_the_day(performance)
    now = timezone.now()
    made = now - timedelta(minutes=7)
    first = ticket_check_in(code=ticket.code, performance=performance, door="A", scan="scan-1", actor=door,
                            scanned_at=made, now=now)
    assert first.ticket.checked_in_at == made and not first.replayed
    again = ticket_check_in(code=ticket.code, performance=performance, door="A", scan="scan-1", actor=door,
                            scanned_at=made, now=now + timedelta(seconds=30))
    assert again.replayed and again.ticket.checked_in_at == made
    with pytest.raises(IllegalTransition):  # another scan of it is a second scan
        ticket_check_in(code=ticket.code, performance=performance, door="A", scan="scan-2", actor=door)


@pytest.mark.parametrize("offset", [timedelta(hours=13), -timedelta(minutes=10)])
def test_a_queued_scan_from_a_wrong_clock_is_refused(performance, door, offset):
    ticket, = sell(performance)
    on_the_day(performance)
    with pytest.raises(InvalidRequest, match="clock"):
        ticket_check_in(code=ticket.code, performance=performance, scan="s", actor=door,
                        scanned_at=timezone.now() - offset)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_doors_scanning_at_once_admit_once():
    perf = make_performance(rows=1, per_row=4)
    door = make_user("door2", DOOR_STAFF)
    ticket, = sell(perf)
    on_the_day(perf)

    results = race(8, lambda i: ticket_check_in(code=ticket.code, performance=perf, door=f"gate {i}",
                                                scan=f"s{i}", actor=door))
    admitted = [r for r in results if not isinstance(r, Exception)]
    assert len(admitted) == 1
    assert all(isinstance(r, IllegalTransition) for r in results if r not in admitted)
    ticket.refresh_from_db()
    assert ticket.checked_in_door == admitted[0].ticket.checked_in_door


def test_find_a_guest_by_name_email_or_order(performance):
    marie = sell(performance, 2)
    sell(performance, 1, name="Jean Tremblay", email="jt@example.org")
    assert {t.pk for t in tickets_find(performance_id=performance.pk, query="côté")} == {t.pk for t in marie}
    assert len(tickets_find(performance_id=performance.pk, query="JT@EXAMPLE")) == 1
    assert len(tickets_find(performance_id=performance.pk, query=marie[0].order.code.lower())) == 2
    assert tickets_find(performance_id=performance.pk, query="x") == []


def test_a_walk_in_is_found_by_its_order_code_only(performance, clerk):
    """Every walk-in sold at the counter shares one customer record: found by its name or
    address, one guest's search at the door would list them all, each to be admitted. One
    given its buyer afterwards is theirs, found by their name."""
    from decimal import Decimal

    from django.utils import translation

    from sales.formatting import WALK_IN_EMAIL, WALK_IN_NAME
    from sales.orders.customers import order_email_to
    from sales.shifts import shift_open

    shift = shift_open(clerk=clerk, cash_float=Decimal("0"))
    walk_ins = []
    for place in places_of(performance, state="available")[:2]:
        hold = hold_create(performance=performance, channel=Channel.COUNTER, user=clerk, place_ids=[place.pk])
        walk_ins.append(order_place(hold=hold, customer=CustomerDetails(name=WALK_IN_NAME, email=WALK_IN_EMAIL),
                                    actor=clerk, shift=shift,
                                    payments=[PaymentRequest(method="cash", tendered=Decimal("50"))]))
    sell(performance, 1, name="Jean Tremblay", email="jt@example.org")
    for query in ("counter", "Counter customer", "customer", WALK_IN_EMAIL, "boxoffice.invalid"):
        assert tickets_find(performance_id=performance.pk, query=query) == [], query
    with translation.override("fr"):
        assert tickets_find(performance_id=performance.pk, query="comptoir") == []
    first = walk_ins[0]
    assert tickets_find(performance_id=performance.pk, query=first.code.lower()) == list(first.tickets.all())
    order_email_to(order=walk_ins[1], details=CustomerDetails(name="Luc Roy", email="luc@example.org"), actor=clerk)
    assert tickets_find(performance_id=performance.pk, query="luc roy") == list(walk_ins[1].tickets.all())


def test_guests_found_are_listed_by_the_name_on_their_order(performance):
    """Two orders of one email under two names: the door lists them by the name each
    buyer typed, as the door reads them, not by the customer record's name."""
    zoe = sell(performance, 1, name="Zoé Côté", email="cote@example.org")
    anne = sell(performance, 1, name="Anne Côté", email="cote@example.org")
    bruno = sell(performance, 1, name="Bruno Côté", email="bruno@example.org")
    found = tickets_find(performance_id=performance.pk, query="côté")
    assert [t.pk for t in found] == [anne[0].pk, bruno[0].pk, zoe[0].pk]


def test_the_day_of_a_performance_is_its_own_calendar_day_or_from_its_doors(performance, door):
    """A morning show's tickets are not let in the evening before, twelve hours ahead or
    not; a performance whose doors open earlier (a festival's gates, an overnight show)
    lets them in from its doors; a guest may still come late, past midnight."""
    from sales.formatting import at_venue

    ticket, = sell(performance)
    morning = at_venue(performance.starts_at, performance).replace(hour=10, minute=0)
    on_the_day(performance, morning)
    with pytest.raises(IllegalTransition, match="refused until the day"):
        ticket_check_in(code=ticket.code, performance=performance, actor=door, now=morning - timedelta(hours=11))
    Performance.objects.filter(pk=performance.pk).update(doors_open_at=morning - timedelta(hours=13))
    performance.refresh_from_db()
    assert ticket_check_in(code=ticket.code, performance=performance, actor=door,
                           now=morning - timedelta(hours=12)).ticket.checked_in_at
    late, = sell(make_performance(rows=1, per_row=2))
    evening = on_the_day(late.place.performance, morning.replace(hour=21))
    assert ticket_check_in(code=late.code, performance=evening, actor=door,
                           now=evening.starts_at + timedelta(hours=5)).ticket.checked_in_at


def test_a_show_after_midnight_lets_its_guests_in_the_evening_before_its_doors_set_or_not(performance, door):
    """An 00:30 show's guests arrive in the evening before: its door lets them in then (six
    hours ahead, as for such a show without doors set), even when its doors are set for
    midnight and the staff open a little early, not "refused until the day"."""
    from sales.formatting import at_venue

    first, second = sell(performance, 2)
    night = (at_venue(performance.starts_at, performance) + timedelta(days=1)).replace(hour=0, minute=30)
    on_the_day(performance, night)
    Performance.objects.filter(pk=performance.pk).update(doors_open_at=night.replace(minute=0))
    performance.refresh_from_db()
    assert ticket_check_in(code=first.code, performance=performance, actor=door,
                           now=night - timedelta(minutes=50)).ticket.checked_in_at
    with pytest.raises(IllegalTransition, match="refused until the day"):  # not the afternoon before
        ticket_check_in(code=second.code, performance=performance, actor=door, now=night - timedelta(hours=7))
