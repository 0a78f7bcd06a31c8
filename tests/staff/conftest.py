from decimal import Decimal

import pytest

from sales import inventory
from tests.factories import PriceZoneFactory
from tests.support import make_performance


@pytest.fixture
def hall(db):
    """Stalls at 50.00, with row A sold as Front at 80.00."""
    perf = make_performance(rows=4, per_row=6, on_sale=False)
    PriceZoneFactory(performance=perf, name="Front", price=Decimal("80.00"),
                     seats=perf.venue.sections.get().seats.filter(row="A"))
    inventory.put_on_sale(performance=perf)
    return perf
