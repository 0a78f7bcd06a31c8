"""Two imports of one plan at the same moment into a seated section the venue's form
added by name: one gives it its seats, the other is refused, however they interleave
(real PostgreSQL, each thread its own connection, released together by a barrier)."""

import pytest

from events.models import Seat, Section
from events.seating import SeatingPlanError, seating_plan_import
from tests.factories import VenueFactory
from tests.support import plan_csv, race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_one_plan_imported_twice_at_once_fills_the_empty_section_once():
    for _round in range(4):
        venue = VenueFactory()
        Section.objects.create(venue=venue, name="Stalls", kind=Section.Kind.SEATED)

        def send(_i, venue=venue):
            try:
                return len(seating_plan_import(venue=venue, text=plan_csv(2, 3, standing=10)))
            except SeatingPlanError as exc:
                return exc.errors

        answers = race(2, send)
        assert 2 in answers, answers
        refused = next(a for a in answers if a != 2)
        assert f"section Stalls already exists in {venue.name}" in refused, answers
        assert Seat.objects.filter(section__venue=venue).count() == 6
        assert venue.sections.count() == 2
