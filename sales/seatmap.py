"""The seat map drawn one section at a time. A venue of thousands of places is shown as an
overview of its sections (price range, seats left); opening a section draws its seats big
enough to tap, with row labels and a label per seat. The markup is built here rather than in
a template loop: a section of 700 seats renders in a few milliseconds this way."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

# Plain strings in and out: Django's lazy-aware escape cost a third of a section's time.
from html import escape

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from events.models import Seat
from sales.availability import section_counts
from sales.formatting import money

# Smallest on-screen size of a seat's tap target when a section opens, in CSS pixels: above
# the 24 px of WCAG 2.2's target-size rule, even on a 390 px phone.
TAP_PX = 26


@dataclass
class SectionView:
    id: int
    name: str
    seats: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.seats)

    @property
    def available(self) -> int:
        return sum(not s["taken"] for s in self.seats)

    def prices(self) -> tuple:
        values = sorted({(s["price_zone__price"], s["price_zone__currency"]) for s in self.seats
                         if s.get("price_zone__price") is not None})
        return (values[0], values[-1]) if values else (None, None)

    @property
    def price_range(self) -> str:
        lo, hi = self.prices()
        if lo is None:
            return ""
        if lo == hi:
            return money(*lo)
        return f"{money(*lo)} – {money(*hi)}"

    def rows(self) -> list[list[dict]]:
        by_row: dict[int, list[dict]] = {}
        for s in self.seats:
            by_row.setdefault(s["seat__row_index"], []).append(s)
        return [by_row[k] for k in sorted(by_row)]

    def outline(self) -> str:
        """The section's shape for the overview: its front row, then its back row reversed."""
        rows = self.rows()
        front, back = rows[0], rows[-1]
        points = front[:: max(1, len(front) // 8)] + [front[-1]]
        points += back[::-1][:: max(1, len(back) // 8)] + [back[0]]
        return " ".join(f"{s['seat__x']:.0f},{s['seat__y']:.0f}" for s in points)


def sections_of(seats: list[dict]) -> list[SectionView]:
    sections: dict[int, SectionView] = {}
    for s in seats:
        sections.setdefault(s["section_id"], SectionView(s["section_id"], s["section__name"])).seats.append(s)
    return list(sections.values())


def pitch(rows: list[list[dict]]) -> float:
    """The distance between the closest neighbours, along a row or to the next row: the size a
    seat may take without covering another. Neighbours are enough: seats are laid out in rows."""
    points = [[(s["seat__x"], s["seat__y"]) for s in row] for row in rows]
    dist = math.dist
    best = math.inf
    for row in points:
        for a, b in zip(row, row[1:], strict=False):
            d = dist(a, b)
            if d < best:
                best = d
    for here, ahead in zip(points, points[1:], strict=False):
        # The seats of the next row at about the same place along it: a section of 1,800
        # seats is drawn in a few milliseconds this way, not tens.
        scale = (len(ahead) - 1) / max(1, len(here) - 1)
        for i, a in enumerate(here):
            j = round(i * scale)
            for b in ahead[max(0, j - 3):j + 4]:
                d = dist(a, b)
                if d < best:
                    best = d
    return best if math.isfinite(best) and best > 0 else 10.0


class SeatLabels:
    """A seat's accessible name and tooltip: section, row, number, price and flags. The
    translated pieces are looked up once per section, not once per seat. `zone_prices`:
    what a zone's seats cost in words ({zone id: "Adult $60.00, Child $35.00"}), for a
    performance whose price types say more than its zones' prices."""

    def __init__(self, zone_prices: dict | None = None):
        self.pattern = _("%(section)s, row %(row)s, seat %(number)s")
        self.wheelchair, self.restricted = ", " + _("wheelchair space"), ", " + _("restricted view")
        self.prices: dict = {}
        self.zone_prices = {zone: ", " + text for zone, text in (zone_prices or {}).items()}

    def __call__(self, s: dict) -> str:
        label = self.pattern % {"section": s["section__name"], "row": s["seat__row"], "number": s["seat__number"]}
        price = s.get("price_zone__price")
        if s.get("price_zone_id") in self.zone_prices:
            label += self.zone_prices[s["price_zone_id"]]
        elif price is not None:
            key = (price, s["price_zone__currency"])
            if key not in self.prices:
                self.prices[key] = ", " + money(*key)
            label += self.prices[key]
        if s["seat__wheelchair"]:
            label += self.wheelchair
        if s["seat__restricted_view"]:
            label += self.restricted
        return label


def _stage_label(rows: list[list[dict]], stage: tuple | None, p: float) -> tuple:
    """Where the open section's STAGE label goes: in front of the middle of the row nearest
    the stage, turned so that its arrow points at the stage as the venue's plan places it
    (a side section sees it up and to one side). Without a plan's stage, above the front row."""
    def middle(row: list[dict]) -> tuple:
        seat = row[len(row) // 2]
        return seat["seat__x"], seat["seat__y"]

    front = middle(rows[0])
    if stage is None:
        return front[0], front[1] - 2 * p, 0.0
    back = middle(rows[-1])
    if math.dist(back, stage) < math.dist(front, stage):
        front = back
    ux, uy = stage[0] - front[0], stage[1] - front[1]
    norm = math.hypot(ux, uy) or 1.0
    ux, uy = ux / norm, uy / norm
    angle = max(-60.0, min(60.0, math.degrees(math.atan2(ux, -uy))))  # still easy to read
    return front[0] + ux * 2 * p, front[1] + uy * 2 * p, angle


def section_svg(section: SectionView, zone_colors: dict, zone_prices: dict | None = None,
                stage: tuple | None = None) -> str:
    """The open section as SVG: a grid, one roving-tabindex checkbox per seat, by row
    (`zone_prices`: see SeatLabels; `stage`: the venue's stage as a point of its plan)."""
    rows = section.rows()
    p = pitch(rows)
    hit, dot = p / 2, p * 0.38
    xs = [s["seat__x"] for s in section.seats]
    ys = [s["seat__y"] for s in section.seats]
    pad = p * 2.2  # room for the row labels at both ends and the stage label
    x0, y0 = min(xs) - pad, min(ys) - pad * 1.3
    w, h = max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + pad * 2.3
    font = p * 0.62
    m = dot * 0.55
    sx, sy, turn = _stage_label(rows, stage, p)
    # The cross (taken) and the tick (yours) are drawn once and reused: a seat's markup stays
    # small, and a section of 1,800 seats compresses to about 30 KB.
    out = [
        f'<svg id="seatmap" class="seatmap" viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" '
        f'data-pitch="{p:.2f}" data-tap="{TAP_PX}" data-section="{section.id}" role="grid" '
        f'aria-label="{escape(section.name)}" aria-describedby="map-help" style="--pitch:{p:.2f}">'
        f'<defs><path id="seat-x" d="M{-m:.1f} {-m:.1f}L{m:.1f} {m:.1f}M{m:.1f} {-m:.1f}L{-m:.1f} {m:.1f}"/>'
        f'<path id="seat-v" d="M{-m:.1f} 0L{-m * 0.2:.1f} {m * 0.8:.1f}L{m:.1f} {-m * 0.7:.1f}"/>'
        f'<circle id="seat-o" r="{dot:.2f}"/>'
        f'<rect id="seat-w" x="{-dot:.1f}" y="{-dot:.1f}" width="{2 * dot:.1f}" height="{2 * dot:.1f}" '
        f'rx="{dot * 0.3:.1f}"/><circle id="seat-h" r="{hit:.2f}"/></defs>',
        f'<text class="stage" x="{sx:.1f}" y="{sy:.1f}" font-size="{font:.1f}" text-anchor="middle" '
        f'dominant-baseline="middle" transform="rotate({turn:.0f} {sx:.1f} {sy:.1f})" '
        f'aria-hidden="true">▲ {escape(_("STAGE"))}</text>',
    ]
    # A grid of rows, each seat a checkbox in its cell: a screen reader passes the arrow keys
    # to the map in it (shop.js moves along and between rows) and moves by row with its own
    # table commands, rather than reading a section's hundreds of seats one after the other.
    labels = SeatLabels(zone_prices)
    colours = {zone: escape(colour) for zone, colour in zone_colors.items() if colour}
    first = True
    for r, row in enumerate(rows):
        a, b = row[0], row[-1]
        ux, uy = ((b["seat__x"] - a["seat__x"]), (b["seat__y"] - a["seat__y"]))
        norm = math.hypot(ux, uy) or 1.0
        ux, uy = ux / norm, uy / norm
        label = escape(a["seat__row"])
        for end, sign in ((a, -1), (b, 1)):
            out.append(f'<text class="row-label" x="{end["seat__x"] + sign * ux * p * 1.3:.1f}" '
                       f'y="{end["seat__y"] + sign * uy * p * 1.3 + font * 0.35:.1f}" font-size="{font:.1f}" '
                       f'text-anchor="middle" aria-hidden="true">{label}</text>')
        out.append('<g role="row">')
        for s in row:
            classes = "seat"
            if s["taken"]:
                classes += " taken"
            if s["seat__wheelchair"]:
                classes += " wc"
            if s["seat__restricted_view"]:
                classes += " rv"
            # Roving tabindex: the map is one Tab stop, arrows move inside it (shop.js).
            roving = "0" if first and not s["taken"] else "-1"
            if roving == "0":
                first = False
            disabled = ' aria-disabled="true"' if s["taken"] else ""
            colour = colours.get(s["price_zone_id"], "#6b7280")
            shape = "#seat-w" if s["seat__wheelchair"] else "#seat-o"
            out.append(
                f'<g role="gridcell"><a class="{classes}" data-id="{s["pk"]}" data-row="{r}" '
                f'data-seat="{escape(s["seat__row"])}-{escape(s["seat__number"])}" role="checkbox" '
                f'aria-checked="false" '
                f'tabindex="{roving}"{disabled} aria-label="{escape(labels(s))}" '
                f'transform="translate({s["seat__x"]:.1f} {s["seat__y"]:.1f})">'
                f'<use class="hit" href="#seat-h"/><use class="dot" href="{shape}" fill="{colour}"/>'
                f'<use class="mark" href="#seat-x"/><use class="tick" href="#seat-v"/></a></g>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def venue_box(sections: list[SectionView]) -> dict:
    xs = [s["seat__x"] for sec in sections for s in sec.seats]
    ys = [s["seat__y"] for sec in sections for s in sec.seats]
    pad = 30
    x0, y0 = min(xs) - pad, min(ys) - pad * 2.5
    w, h = max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + pad * 3.5
    return {"x": round(x0), "y": round(y0), "w": round(w), "h": round(h),
            "cx": round(x0 + w / 2), "stage_y": round(y0 + pad * 1.5), "font": round(max(w, h) / 28)}


@dataclass
class SectionSummary:
    """A section as the overview shows it, counted by the database rather than seat by seat."""
    id: int
    name: str
    total: int
    available: int
    lo: tuple | None
    hi: tuple | None
    outline: str
    zone_ids: tuple = ()  # its places' price zones
    color: str = ""  # the colour of the price zone most of its places are in

    @property
    def price_range(self) -> str:
        if self.lo is None:
            return ""
        return money(*self.lo) if self.lo == self.hi else f"{money(*self.lo)} – {money(*self.hi)}"


def _shapes(venue_id: int) -> dict:
    """Each section's outline and the venue's box: geometry, the same for every performance
    at the venue, so cached; a new seating plan makes new seats and so a new key."""
    stamp = Seat.objects.filter(section__venue_id=venue_id).aggregate(n=Count("pk"), last=Max("pk"))
    key = f"seatmap-shapes:{venue_id}:{stamp['n']}:{stamp['last']}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an aid; without Redis the database answers
        found = None
    if found is not None:
        return found
    rows = (Seat.objects.filter(section__venue_id=venue_id)
            .values("section_id", "section__name", "row_index", "x", "y")
            .order_by("section__rank", "section_id", "row_index", "position"))
    sections = sections_of([{"section_id": r["section_id"], "section__name": r["section__name"],
                             "seat__row_index": r["row_index"], "seat__x": r["x"], "seat__y": r["y"],
                             "taken": False} for r in rows])
    found = {"outlines": {s.id: s.outline() for s in sections}, "box": venue_box(sections) if sections else {}}
    with contextlib.suppress(Exception):  # as above
        cache.set(key, found, 3600)
    return found


def stage_point(box: dict) -> tuple | None:
    """Where a section's STAGE label points: plans put the stage above the seats, so a point
    straight above the plan's centre, a plan's height beyond its top: a side section sees the
    stage ahead and leaning to its side, as it does from the arc's centre in the demo."""
    return (box["cx"], box["y"] - box["h"]) if box else None


def stage_of(venue_id: int) -> tuple | None:
    return stage_point(_shapes(venue_id)["box"])


def overview(performance, channel: str) -> tuple[list[SectionSummary], dict]:
    """The sections with their counts, price ranges and the price zones of their places (a
    door that prices by price type, not by the zones' own prices, draws its ranges from
    them), as the display cache keeps them."""
    counts = section_counts(performance.pk, channel)
    shapes = _shapes(performance.venue_id)
    summaries = [SectionSummary(
        id=c["section_id"], name=c["section__name"], total=c["total"], available=c["available"],
        lo=(c["lo"], c["currency"]) if c["lo"] is not None else None,
        hi=(c["hi"], c["currency"]) if c["hi"] is not None else None,
        outline=shapes["outlines"].get(c["section_id"], ""), zone_ids=tuple(c["zones"] or ()),
        color=c["color"] or "") for c in counts]
    return summaries, shapes["box"]
