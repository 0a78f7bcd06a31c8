"""A promo code's and a presale's pickers (the admin's two boxes of choices) are of a
fixed width and cut a choice at their edge: two nights of a show named at length read the
same there. Each choice shows first what tells it apart (the night's start on its venue's
clock, the zone or price type), then the show's whole name."""

from datetime import timedelta

import pytest

from events.models import PriceType
from sales.policy import ORGANIZER
from tests.browser import login, open_page, screenshot
from tests.factories import PerformanceFactory, PriceZoneFactory
from tests.support import make_performance, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

TITLE = "Le Malade imaginaire — Molière, mise en scène de Catherine Vidal (version intégrale avec entracte)"
# What a box shows of each of its choices: the text up to its inner edge, by the box's font.
SHOWN = """id => { const box = document.getElementById(id), style = getComputedStyle(box);
    const pen = document.createElement('canvas').getContext('2d'); pen.font = style.font;
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [...box.options].map(o => { let n = o.text.length;
        while (n && pen.measureText(o.text.slice(0, n)).width > room) n--;
        return {text: o.text, shown: o.text.slice(0, n)}; }); }"""


def test_two_nights_of_a_long_named_show_are_told_apart_in_the_pickers(browser, live_server):
    first = make_performance(rows=1, per_row=4)
    first.event.title = TITLE
    first.event.save()
    second = PerformanceFactory(event=first.event, venue=first.venue, starts_at=first.starts_at + timedelta(days=1))
    PriceZoneFactory(performance=second, name="Stalls")
    for perf in (first, second):
        PriceType.objects.create(performance=perf, name="Adult")
    organizer = make_user("organizer-pickers", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 768})
    login(context, organizer, live_server)
    for url, pickers in (("/admin/sales/promocode/add/", ("performances", "zones", "price_types")),
                         ("/admin/sales/presale/add/", ("zones", "price_types"))):
        page.goto(url)
        for picker in pickers:
            choices = page.evaluate(SHOWN, f"id_{picker}_from")
            assert len(choices) == 2, (url, picker, choices)
            if len({c["shown"] for c in choices}) < 2:
                screenshot(page, f"pickers-{picker}")
            assert len({c["shown"] for c in choices}) == 2, (url, picker, choices)
            for choice, perf in zip(choices, (first, second), strict=True):
                # The whole name and the night's start on the venue's clock, in the choice.
                assert TITLE in choice["text"] and perf.local().strftime("%Y-%m-%d %H:%M") in choice["text"], choice
    context.close()
