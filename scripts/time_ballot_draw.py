"""Time a ballot's draw on a large case, by hand (not a test): a hall of 9,000 seats
(90 rows of 100), 20,000 applications for 1 to 4 tickets, drawn once; prints the time
the draw took (freeze, ranking and seating) and how full it left the hall.

    DJANGO_DEBUG=1 .venv/bin/python scripts/time_ballot_draw.py [--rows 90] [--per-row 100] [--applications 20000]

It writes a venue, a performance and its ballot into the database it is given (the local
stack's, or DATABASE_URL's: never production's). Figures: docs/performance.md.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from events.models import Venue  # noqa: E402
from sales import lottery  # noqa: E402
from sales.models import Ballot, BallotEntry, Place, mailbox  # noqa: E402
from tests.factories import VenueFactory  # noqa: E402
from tests.support import make_performance  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=90)
    parser.add_argument("--per-row", type=int, default=100)
    parser.add_argument("--applications", type=int, default=20000)
    args = parser.parse_args()
    started = time.monotonic()
    VenueFactory.reset_sequence(Venue.objects.count() + 1)  # a hall of its own at each run
    perf = make_performance(rows=args.rows, per_row=args.per_row)
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                   opens_at=now - timedelta(days=2), closes_at=now - timedelta(minutes=1))
    sizes = random.Random(2026).choices([1, 2, 3, 4], weights=[1, 4, 2, 3], k=args.applications)
    BallotEntry.objects.bulk_create(
        [BallotEntry(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org",
                     mailbox=mailbox(f"fan{i}@example.org"), quantity=q, told_status="applied")
         for i, q in enumerate(sizes)], batch_size=2000)
    print(f"set up: {Place.objects.filter(performance=perf).count()} seats, {args.applications} applications "
          f"asking for {sum(sizes)} tickets ({time.monotonic() - started:.1f} s)")
    started = time.monotonic()
    result = lottery.ballot_draw(ballot=ballot)
    took = time.monotonic() - started
    empty = Place.objects.filter(performance=perf, state="available").count()
    print(f"draw: {took:.1f} s; won {result['won']}, lost {result['lost']}, seats left empty {empty}")


if __name__ == "__main__":
    main()
