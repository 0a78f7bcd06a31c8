"""The factories make valid rows with nothing said, and lay seats out as the seating-plan
importer reads tests.support.plan_csv: tests built either way see the same hall."""

import pytest

from events.models import Channel, Section, Venue
from events.seating import seating_plan_import
from sales.policy import COUNTER_CLERK, roles_of
from tests.factories import (
    CustomerFactory,
    OnSaleWindowFactory,
    PerformanceFactory,
    PriceZoneFactory,
    SeatFactory,
    SectionFactory,
    StandingSectionFactory,
    UserFactory,
    VenueFactory,
)
from tests.support import make_performance, plan_csv

pytestmark = pytest.mark.django_db

SEAT_FIELDS = ("row", "number", "row_index", "position", "x", "y", "wheelchair", "restricted_view")


def layout(venue):
    return [(s.name, s.kind, s.capacity, s.rank, [tuple(getattr(seat, f) for f in SEAT_FIELDS)
                                                  for seat in s.seats.all()])
            for s in venue.sections.all()]


def test_sections_are_laid_out_as_the_importer_reads_plan_csv():
    imported = Venue.objects.create(name="Imported")
    seating_plan_import(venue=imported, text=plan_csv(3, 4, standing=50, wheelchair=True))
    made = make_performance(rows=3, per_row=4, standing=50, on_sale=False, wheelchair=True).venue
    assert layout(made) == layout(imported)


def test_each_factory_makes_a_valid_row_on_its_own():
    for factory in (VenueFactory, SectionFactory, StandingSectionFactory, SeatFactory, PerformanceFactory,
                    OnSaleWindowFactory, PriceZoneFactory, CustomerFactory, UserFactory):
        factory().full_clean()
    assert StandingSectionFactory().kind == Section.Kind.STANDING
    second = SectionFactory(venue=SectionFactory().venue)
    assert second.rank == 2  # after the venue's other sections


def test_a_performance_sells_through_the_channels_it_is_given():
    perf = PerformanceFactory(channels=[Channel.COUNTER, Channel.PHONE])
    windows = list(perf.on_sale_windows.all())
    assert [w.channel for w in windows] == [Channel.COUNTER, Channel.PHONE]
    assert all(w.opens_at < w.closes_at < perf.starts_at for w in windows)
    assert not PerformanceFactory().on_sale_windows.exists()


def test_a_user_has_the_role_and_password_asked_for():
    clerk = UserFactory(username="clerk-f", role=COUNTER_CLERK)
    assert roles_of(clerk) == {COUNTER_CLERK}
    assert clerk.check_password("pw-clerk-f")
    assert not roles_of(UserFactory())
