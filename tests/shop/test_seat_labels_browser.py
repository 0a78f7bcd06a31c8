"""A buyer's walk on a 360 px phone, in French: the narrow columns of the basket, the receipt
before payment and the order's receipt wrap a place's label between the section's words,
never inside its row and seat ("K-10")."""

import pytest

from events.models import Section
from tests.browser import AXE, type_card
from tests.support import make_performance, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# For each cell, the lines its last word (the row and seat) is drawn on: one each.
LINES_OF_THE_SEAT = """cells => cells.map(cell => {
  const text = cell.textContent.replace(/\\s+$/, "");
  const code = text.slice(text.lastIndexOf(" ") + 1);
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const tops = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(code);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + code.length);
    for (const rect of range.getClientRects()) if (rect.width) tops.add(Math.round(rect.top));
    break;
  }
  return [code, tops.size];
})"""


def lines_of_the_seats(page, selector):
    found = page.locator(selector).evaluate_all(LINES_OF_THE_SEAT)
    assert found, selector
    return found


def test_a_place_label_wraps_between_words_never_inside_its_row_and_seat(browser, live_server):
    perf = make_performance(rows=11, per_row=10)
    Section.objects.filter(venue=perf.venue).update(name="Parterre centre")
    seats = [p for p in places_of(perf) if p.seat.row == "K"][-2:]  # K-9 and K-10
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                  locale="fr-CA", bypass_csp=True, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"/performances/{perf.pk}/")
        for seat in seats:
            page.locator(f'#seatmap a.seat[data-id="{seat.pk}"]').click()
        page.locator("#hold-picked").click()
        page.wait_for_url("**/basket/")
        for selector in ("#basket-places tbody td:first-child", "#receipt tbody td:first-child"):
            assert lines_of_the_seats(page, selector) == [["K-9", 1], ["K-10", 1]], selector

        page.get_by_label("Nom complet").fill("Zoé Lévesque")
        page.get_by_label("Courriel").fill("zoe@example.org")
        type_card(page, "4242424242424242")
        page.locator("#pay").click()
        page.wait_for_url("**/orders/**")
        assert lines_of_the_seats(page, ".receipt tbody td:first-child") == [["K-9", 1], ["K-10", 1]]
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        assert [v["id"] for v in found["violations"] if v["impact"] in ("serious", "critical")] == []
    finally:
        context.close()
