"""What a staff page says after an action (the sale's change, a hold released) stands at
the top of the page's content, under the staff bar, and is announced."""

import re

import pytest

from sales.models import Customer
from tests.support import make_performance, signed_in

pytestmark = pytest.mark.django_db


def _said_where(page: str, words: str) -> tuple[int, int, str]:
    """Where the staff bar ends, where the message saying `words` starts, and its box's tag."""
    bar_ends = page.index("</nav>", page.index('class="staffbar"'))
    box = list(re.finditer(r'<div class="messages"[^>]*>', page))
    said = page.index(words)
    [tag] = [m for m in box if m.start() < said]
    return bar_ends, tag.start(), tag.group(0)


def test_the_change_due_after_a_counter_sale_is_said_under_the_staff_bar(clerk, performance):
    c = signed_in(clerk)
    c.post("/counter/shift/open/", {"cash_float": "100"})
    started = c.post("/counter/sale/", {"performance": performance.pk, "zone": performance.price_zones.get().pk,
                                        "quantity": "1"})
    sold = c.post(started["Location"], {"tendered": "100", "attempt": "1"})
    page = c.get(sold["Location"]).content.decode()
    bar_ends, message, tag = _said_where(page, "Sold. Change due")
    assert bar_ends < message, page[:page.index("Sold. Change due") + 50]
    assert 'role="status"' in tag
    assert page.count('class="messages"') == 1  # said once


def test_a_phone_message_is_said_under_the_staff_bar_too(operator):
    perf = make_performance(rows=2, per_row=6)
    caller = Customer.objects.create(name="Hélène Côté", email="helene@example.org")
    phone = signed_in(operator)
    held = phone.post(f"/phone/customers/{caller.pk}/sale/",
                      {"performance": perf.pk, "zone": perf.price_zones.get().pk, "quantity": 1})
    released = phone.post(held["Location"] + "release/", follow=True)
    page = released.content.decode()
    said = re.search(r'<p class="msg msg-\w+">([^<]*)</p>', page)
    assert said, page
    bar_ends, message, tag = _said_where(page, said.group(1))
    assert bar_ends < message and 'role="status"' in tag
