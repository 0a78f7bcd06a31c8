"""The seat map's geometry and markup, computed from the data (no browser)."""

import math
import re
from decimal import Decimal
from pathlib import Path

import pytest

from sales import inventory
from sales.demo import amphitheatre_plan
from sales.seatmap import TAP_PX, SectionView, pitch, section_svg
from tests.factories import PriceZoneFactory, SectionFactory
from tests.support import make_performance, places_of


def demo_sections() -> list[SectionView]:
    sections = []
    for i, sec in enumerate(amphitheatre_plan()["sections"]):
        if sec["kind"] != "seated":
            continue
        view = SectionView(i, sec["name"])
        for r, row in enumerate(sec["rows"]):
            view.seats += [{"pk": n, "seat__x": s["x"], "seat__y": s["y"], "seat__row_index": r,
                            "seat__row": row["row"], "seat__number": s["number"], "section__name": sec["name"],
                            "seat__wheelchair": s["wheelchair"], "seat__restricted_view": s["restricted_view"],
                            "price_zone_id": None, "taken": False}
                           for n, s in enumerate(row["seats"])]
        sections.append(view)
    return sections


def test_every_demo_seat_centre_hits_that_seat_only():
    """The map draws each seat's tap target as a circle of half its section's pitch: no
    other seat's centre may fall inside it, over the whole venue, tiers included."""
    sections = demo_sections()
    cell = 20.0
    grid: dict[tuple, list] = {}
    for sec in sections:
        radius = pitch(sec.rows()) / 2
        for s in sec.seats:
            grid.setdefault((s["seat__x"] // cell, s["seat__y"] // cell), []).append((s, radius))
    closest = math.inf
    for (gx, gy), here in grid.items():
        around = [o for dx in (-1, 0, 1) for dy in (-1, 0, 1) for o in grid.get((gx + dx, gy + dy), [])]
        for s, radius in here:
            for o, other_radius in around:
                if o is s:
                    continue
                d = math.hypot(s["seat__x"] - o["seat__x"], s["seat__y"] - o["seat__y"])
                closest = min(closest, d)
                assert d >= radius + other_radius - 1e-6, (s, o, d)  # targets do not overlap
    assert closest >= 10  # the demo's pitch, as sales.demo promises


def test_a_demo_seat_is_a_comfortable_tap_target_once_its_section_opens():
    # The map opens a section at TAP_PX / pitch pixels a plan unit: a seat's target is TAP_PX wide.
    assert TAP_PX >= 24
    for sec in demo_sections():
        assert 9.5 < pitch(sec.rows()) < 30, sec.name  # no section drawn absurdly sparse or dense


def test_seat_colours_keep_a_3_to_1_contrast_with_the_map():
    css = (Path(__file__).resolve().parents[2] / "static" / "shop.css").read_text()

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a: str, b: str) -> float:
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    background = re.search(r"\.map-scroll \{[^}]*background: (#[0-9a-f]{6})", css).group(1)
    for rule in (r"\.seat \.dot \{ stroke: (#[0-9a-f]{6})", r"\.seat\.taken \.dot \{[^}]*stroke: (#[0-9a-f]{6})",
                 r"\.seat\.taken \.mark \{[^}]*stroke: (#[0-9a-f]{6})", r"\.seat\.picked \.dot \{ fill: (#[0-9a-f]{6})",
                 r"\.seat:focus \.hit[^{]*\{ stroke: (#[0-9a-f]{6})"):
        colour = re.search(rule, css).group(1)
        assert contrast(colour, background) >= 3, (rule, colour)


@pytest.mark.django_db
def test_one_section_comes_compressed_with_labels_and_one_tab_stop(client):
    perf = make_performance(rows=3, per_row=5)
    section = places_of(perf)[0].section_id
    response = client.get(f"/performances/{perf.pk}/seats/?section={section}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    html = client.get(f"/performances/{perf.pk}/seats/?section={section}").content.decode()
    assert html.count('<a class="seat') == 15
    assert html.count('tabindex="0"') == 1
    assert 'aria-label="Stalls, row B, seat 3, $50.00"' in html
    assert html.count('class="row-label"') == 6 and "STAGE" in html
    assert client.get(f"/performances/{perf.pk}/seats/?section=x").status_code == 404


@pytest.mark.django_db
def test_a_hall_of_one_section_opens_its_seats_without_asking_to_choose_a_section(client):
    """Its only section is open at once: nothing to choose, and the help says so."""
    perf = make_performance(rows=2, per_row=4)
    one = client.get(f"/performances/{perf.pk}/").content.decode()
    assert "Choose up to 10 seats: tap or click a seat" in one and "Choose a section" not in one
    assert re.search(rf'id="seat-section"[^>]* hx-get="/performances/{perf.pk}/seats/\?section=\d+" '
                     r'hx-trigger="load"', one)
    two = make_performance(rows=2, per_row=4, on_sale=False)
    balcony = SectionFactory(venue=two.venue, name="Balcony", rows=1, per_row=3)
    PriceZoneFactory(performance=two, name="Balcony", sections=[balcony])
    inventory.put_on_sale(performance=two)
    page = client.get(f"/performances/{two.pk}/").content.decode()
    assert "Choose a section, then up to 10 seats" in page


@pytest.mark.django_db
def test_the_page_itself_is_not_compressed(client):
    """It carries a CSRF token and echoes its own address: compressing it would open BREACH."""
    perf = make_performance(rows=3, per_row=5)
    response = client.get(f"/performances/{perf.pk}/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")



def test_a_side_section_s_stage_label_leans_towards_the_stage():
    """With the stage ahead, above the plan's centre, a section on the right sees it ahead and
    to its left: the label stands in front of its front row, turned that way; the centre
    section's stands straight."""
    sections = {s.name: s for s in demo_sections()}
    stage = (600, -500)

    def label(section):
        svg = section_svg(section, {}, stage=stage)
        x, y, turn = re.search(r'<text class="stage" x="([-\d.]+)" y="([-\d.]+)"[^>]*rotate\(([-\d]+) ', svg).groups()
        return float(x), float(y), int(turn)

    x, y, turn = label(sections["Parterre droit"])
    assert -60 <= turn <= -10
    row_a = sections["Parterre droit"].rows()[0]
    middle = row_a[len(row_a) // 2]
    assert y < middle["seat__y"] and x < middle["seat__x"]  # in front of row A, on the stage's side
    assert abs(label(sections["Parterre centre"])[2]) <= 2



@pytest.mark.django_db
def test_the_overview_counts_follow_holds_and_the_organizer(client, organizer, django_capture_on_commit_callbacks):
    """The sections' counts come from the display cache: a hold drops them, and so does an
    organizer's allocation; seats kept for the counter are not left for the shop."""
    from django.test import Client

    from events.models import Channel
    from sales import inventory
    from sales.holds import hold_create
    from tests.factories import PerformanceFactory, PriceZoneFactory, SectionFactory, VenueFactory

    venue = VenueFactory()
    stalls = SectionFactory(venue=venue, name="Stalls", rows=3, per_row=5)
    balcony = SectionFactory(venue=venue, name="Balcony", rows=1, per_row=4)
    perf = PerformanceFactory(venue=venue, channels=Channel.values)
    PriceZoneFactory(performance=perf, name="All", price=Decimal("50.00"), sections=[stalls, balcony])
    inventory.put_on_sale(performance=perf)
    shop = Client()
    assert "15 of 15 seats left" in shop.get(f"/performances/{perf.pk}/").content.decode()
    places = places_of(perf, section=stalls)
    with django_capture_on_commit_callbacks(execute=True):
        hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places[0].pk, places[1].pk], owner_key="k")
    assert "13 of 15 seats left" in shop.get(f"/performances/{perf.pk}/").content.decode()
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/sales/place/", {"action": "allocate", "_selected_action": [places[2].pk],
                                            "apply": "1", "channel": Channel.COUNTER})
    assert "12 of 15 seats left" in shop.get(f"/performances/{perf.pk}/").content.decode()


@pytest.mark.django_db
def test_a_standing_area_shows_the_places_it_has_left(client):
    from events.models import Channel
    from sales.holds import hold_create

    perf = make_performance(rows=1, per_row=2, standing=30)
    lawn = places_of(perf, seat__isnull=True)[0].section
    hold_create(performance=perf, channel=Channel.ONLINE, section=lawn, quantity=2, owner_key="k")
    page = " ".join(client.get(f"/performances/{perf.pk}/").content.decode().split())
    assert "Lawn (standing) — $20.00, 28 left" in page
