"""factory-boy factories for the suite's test data: venues and their seating, events,
performances with their on-sale windows and price zones, staff users and customers.

Each factory makes a valid row with nothing else said; a test names only what it is about:

    venue = VenueFactory()
    stalls = SectionFactory(venue=venue, name="Stalls", rows=3, per_row=8)
    lawn = StandingSectionFactory(venue=venue, capacity=500)
    perf = PerformanceFactory(venue=venue, channels=[Channel.COUNTER])
    PriceZoneFactory(performance=perf, price="80.00", seats=stalls.seats.filter(row="A"))
    clerk = UserFactory(role=COUNTER_CLERK)

A seating plan read from a file is the importer's business (events.seating, with its own
tests); tests.support.make_performance builds a whole performance on sale from these.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from events.models import Channel, Event, OnSaleWindow, Performance, PriceZone, Seat, Section, Venue
from sales.models import Customer
from sales.roles import ensure_roles


def row_label(index: int) -> str:
    """Rows are lettered from the stage: A, B, C... (as tests.support.plan_csv writes them)."""
    return chr(65 + index)


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Test hall {n + 1}")


def _next_rank(section) -> int:
    """After the venue's other sections, as the seating-plan importer ranks them."""
    if section.venue.pk is None:
        return 1
    return (section.venue.sections.aggregate(m=Max("rank"))["m"] or 0) + 1


class SectionFactory(DjangoModelFactory):
    """A seated section. `rows` and `per_row` lay out that many rows of numbered seats, the
    way tests.support.plan_csv draws them: rows A, B, ... from the stage, seats 1, 2, ...
    10 plan units apart; with `wheelchair`, a wheelchair space at the start of the back row."""

    class Meta:
        model = Section

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Section {n + 1}")
    kind = Section.Kind.SEATED
    capacity = None
    rank = factory.LazyAttribute(_next_rank)
    # Not fields: the seats to lay out once the section is saved (see _create).
    rows = 0
    per_row = 0
    wheelchair = False

    @classmethod
    def _build(cls, model_class, *args, rows=0, per_row=0, wheelchair=False, **kwargs):
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, rows=0, per_row=0, wheelchair=False, **kwargs):
        section = super()._create(model_class, *args, **kwargs)
        # One statement for the lot: some tests seat thousands.
        Seat.objects.bulk_create(
            (Seat(section=section, row=row_label(r), number=str(n + 1), row_index=r, position=n,
                  x=n * 10, y=r * 10, wheelchair=wheelchair and (r, n) == (rows - 1, 0))
             for r in range(rows) for n in range(per_row)),
            batch_size=2000)
        return section


class StandingSectionFactory(SectionFactory):
    """A standing area: a capacity, no seats."""

    name = factory.Sequence(lambda n: f"Standing {n + 1}")
    kind = Section.Kind.STANDING
    capacity = 100


class SeatFactory(DjangoModelFactory):
    """One numbered seat in row A, next along from the last one made."""

    class Meta:
        model = Seat

    section = factory.SubFactory(SectionFactory)
    row = "A"
    row_index = 0
    position = factory.Sequence(int)
    number = factory.LazyAttribute(lambda seat: str(seat.position + 1))
    x = factory.LazyAttribute(lambda seat: seat.position * 10)
    y = factory.LazyAttribute(lambda seat: seat.row_index * 10)


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Test event {n + 1}")


class PerformanceFactory(DjangoModelFactory):
    """A performance ten days from now. `channels` opens an on-sale window for each of
    those channels (OnSaleWindowFactory's: from yesterday until the day before); without
    it no channel may sell."""

    class Meta:
        model = Performance
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ticket_limit = 10

    @factory.post_generation
    def channels(performance, create, extracted, **kwargs):
        if not create:
            return
        for channel in extracted or ():
            OnSaleWindowFactory(performance=performance, channel=channel, **kwargs)


class OnSaleWindowFactory(DjangoModelFactory):
    """Open since yesterday, closing the day before the performance."""

    class Meta:
        model = OnSaleWindow

    performance = factory.SubFactory(PerformanceFactory)
    channel = Channel.ONLINE
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda window: window.performance.starts_at - timedelta(days=1))


class PriceZoneFactory(DjangoModelFactory):
    """A price for the `sections` and/or single `seats` given (none: an empty zone)."""

    class Meta:
        model = PriceZone
        skip_postgeneration_save = True

    performance = factory.SubFactory(PerformanceFactory)
    name = factory.Sequence(lambda n: f"Zone {n + 1}")
    price = Decimal("50.00")

    @factory.post_generation
    def sections(zone, create, extracted, **kwargs):
        if create and extracted is not None:
            zone.sections.set(extracted)

    @factory.post_generation
    def seats(zone, create, extracted, **kwargs):
        if create and extracted is not None:
            zone.seats.set(extracted)


class UserFactory(DjangoModelFactory):
    """A user whose password is pw-<username>. `role` (sales.policy's ORGANIZER,
    COUNTER_CLERK or PHONE_OPERATOR) puts them in that staff role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        raw_password = factory.LazyAttribute(lambda user: f"pw-{user.username}")

    username = factory.Sequence(lambda n: f"user{n + 1}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.LazyAttribute(lambda user: make_password(user.raw_password))

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            group = Group.objects.filter(name=extracted).first()
            if group is None:  # (migrating makes the roles; a test may have removed them)
                ensure_roles()
                group = Group.objects.get(name=extracted)
            user.groups.add(group)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n + 1}")
    email = factory.Sequence(lambda n: f"customer{n + 1}@example.org")
