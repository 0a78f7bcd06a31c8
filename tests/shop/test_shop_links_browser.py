"""The shop's plain links (a show's title in the list, "See what is on sale") are in the
shop's accent colour, the colour of its buttons and of the staff pages' links, visited or
not, and readable on their background."""

import pytest

from tests.browser import drawn_colour, link_look, open_with_history
from tests.support import make_performance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ACCENT = "rgb(29, 78, 216)"  # --accent, #1d4ed8


def test_the_shops_plain_links_are_in_its_accent_colour_visited_or_not(browser, live_server, tmp_path):
    perf = make_performance(rows=1, per_row=4)
    context, page = open_with_history(browser, live_server, tmp_path)
    page.goto("/")
    title = page.get_by_role("link", name=perf.event.title)
    colour, ratio = link_look(page, title)
    assert (colour, drawn_colour(title), ratio >= 4.5) == (ACCENT, ACCENT, True), ratio
    title.click()
    page.wait_for_url(f"**/performances/{perf.pk}/")
    page.go_back()
    # Visited: drawn in the same colour, not the browser's purple (which a script is not told).
    assert drawn_colour(title) == ACCENT
    page.goto("/basket/")
    back = page.get_by_role("link", name="See what is on sale")
    colour, ratio = link_look(page, back)
    assert (colour, drawn_colour(back), ratio >= 4.5) == (ACCENT, ACCENT, True), ratio
    context.close()
