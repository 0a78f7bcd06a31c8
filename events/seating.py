"""Seating plan import: a CSV or JSON file of sections, rows and seats.

Parsing collects every problem (line and reason) before anything is written; writing
is one transaction, so a bad file leaves the venue exactly as it was.

CSV (header required, one line per seat, or one line per standing section)::

    section,kind,row,number,x,y,flags,capacity
    Parterre,seated,A,1,10,20,wheelchair,
    Lawn,standing,,,,,,5500

`kind` defaults to seated; `flags` holds `wheelchair`, `companion` and/or `restricted`
separated by `|`.

JSON::

    {"sections": [
      {"name": "Parterre", "kind": "seated", "rows": [
        {"row": "A", "seats": [{"number": "1", "x": 10, "y": 20, "wheelchair": true}]}]},
      {"name": "Lawn", "kind": "standing", "capacity": 5500}]}
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import MAX_PLACES, Seat, Section, Venue, grouped, storable_text, unprintable, venue_places

FLAGS = {"wheelchair", "companion", "restricted"}
class SeatingPlanError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        more = " " + _("(and %(n)d more)") % {"n": len(errors) - 20} if len(errors) > 20 else ""
        super().__init__("; ".join(errors[:20]) + more)


@dataclass
class PlanSeat:
    row: str
    number: str
    x: float
    y: float
    wheelchair: bool = False
    restricted_view: bool = False
    companion: bool = False


@dataclass
class PlanSection:
    name: str
    kind: str
    capacity: int | None = None
    seats: list[PlanSeat] = field(default_factory=list)


def _number(value, where: str, what: str, errors: list[str]) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        errors.append(_("%(where)s: %(what)s must be a number, got “%(value)s”") % {
            "where": where, "what": what, "value": value})
        return 0.0
    if result != result or result in (float("inf"), float("-inf")):
        errors.append(_("%(where)s: %(what)s must be a finite number") % {"where": where, "what": what})
    return result


def _capacity(value, where: str, errors: list[str]) -> int | None:
    try:
        capacity = int(str(value).strip())
    except (TypeError, ValueError):
        errors.append(_("%(where)s: a standing section needs a whole-number capacity, got “%(value)s”") % {
            "where": where, "value": value})
        return None
    if capacity <= 0 or capacity > 200_000:
        errors.append(_("%(where)s: capacity must be between 1 and 200000") % {"where": where})
        return None
    return capacity


def _add_seat(section: PlanSection, seat: PlanSeat, where: str, seen: set, errors: list[str]) -> None:
    if not seat.row or not seat.number:
        errors.append(_("%(where)s: a seat needs a row and a number") % {"where": where})
        return
    if len(seat.row) > 10 or len(seat.number) > 10:
        errors.append(_("%(where)s: row and seat number are at most 10 characters") % {"where": where})
        return
    key = (section.name, seat.row, seat.number)
    if key in seen:
        errors.append(_("%(where)s: seat %(seat)s of %(section)s appears twice") % {
            "where": where, "seat": f"{seat.row}-{seat.number}", "section": section.name})
        return
    seen.add(key)
    section.seats.append(seat)


def parse_csv(text: str) -> list[PlanSection]:
    errors: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"section", "row", "number"} <= set(reader.fieldnames):
        raise SeatingPlanError([_("line 1: header must name at least section,row,number "
                                  "(and optionally kind,x,y,flags,capacity)")])
    sections: dict[str, PlanSection] = {}
    seen: set = set()
    told: set[str] = set()
    for line, rec in enumerate(reader, start=2):
        where = _("line %(n)d") % {"n": line}
        before = len(errors)
        if None in rec:
            errors.append(_("%(where)s: more fields than the header has") % {"where": where})
            continue
        name = (rec.get("section") or "").strip()
        kind = (rec.get("kind") or "seated").strip() or "seated"
        if not name:
            errors.append(_("%(where)s: section is empty") % {"where": where})
            continue
        if kind not in ("seated", "standing"):
            errors.append(_("%(where)s: kind must be seated or standing, got “%(kind)s”") % {
                "where": where, "kind": kind})
            continue
        section = sections.get(name)
        if section is None:
            section = sections[name] = PlanSection(name=name, kind=kind)
        elif section.kind != kind:
            errors.append(_("%(where)s: section %(name)s is already %(kind)s") % {
                "where": where, "name": name, "kind": section.kind})
            continue
        if kind == "standing":
            if section.capacity is not None:
                errors.append(_("%(where)s: standing section %(name)s is given twice") % {"where": where, "name": name})
            section.capacity = _capacity(rec.get("capacity"), where, errors)
            continue
        flags = {f.strip() for f in (rec.get("flags") or "").split("|") if f.strip()}
        if flags - FLAGS:
            errors.append(_("%(where)s: unknown flag(s) %(flags)s") % {
                "where": where, "flags": ", ".join(sorted(flags - FLAGS))})
        seat = PlanSeat(
            row=(rec.get("row") or "").strip(), number=(rec.get("number") or "").strip(),
            x=_number(rec.get("x") or 0, where, "x", errors),
            y=_number(rec.get("y") or 0, where, "y", errors),
            wheelchair="wheelchair" in flags, restricted_view="restricted" in flags, companion="companion" in flags,
        )
        _add_seat(section, seat, where, seen, errors)
        if len(errors) > before:
            told.add(name)
    return _finish(list(sections.values()), errors, told)


def parse_json(text: str) -> list[PlanSection]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # The parser's own reason, in its words, in brackets after the reader's.
        raise SeatingPlanError([_("%(where)s: not valid JSON (%(reason)s)") % {
            "where": _("line %(n)d") % {"n": exc.lineno}, "reason": exc.msg}]) from None
    except RecursionError:
        raise SeatingPlanError([_("not valid JSON (nested too deeply)")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise SeatingPlanError([_('top level must be an object with a "sections" list')])
    errors: list[str] = []
    sections: list[PlanSection] = []
    seen: set = set()
    names: set[str] = set()
    told: set[str] = set()
    for i, raw in enumerate(data["sections"]):
        where = f"sections[{i}]"
        if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
            errors.append(_("%(where)s: each section needs a name") % {"where": where})
            continue
        kind = raw.get("kind", "seated")
        name = str(raw["name"]).strip()
        if kind not in ("seated", "standing"):
            errors.append(_("%(where)s: kind must be seated or standing, got “%(kind)s”") % {
                "where": where, "kind": kind})
            continue
        section = PlanSection(name=name, kind=kind)
        if name in names:
            errors.append(_("%(where)s: section %(name)s appears twice") % {"where": where, "name": name})
            continue
        names.add(name)
        sections.append(section)
        if kind == "standing":
            section.capacity = _capacity(raw.get("capacity"), where, errors)
            continue
        rows = raw.get("rows")
        if not isinstance(rows, list):
            errors.append(_("%(where)s: a seated section needs a rows list") % {"where": where})
            told.add(name)
            continue
        before = len(errors)
        for r, row in enumerate(rows):
            rwhere = f"{where}.rows[{r}]"
            if not isinstance(row, dict) or not isinstance(row.get("seats"), list):
                errors.append(_("%(where)s: each row needs a row label and a seats list") % {"where": rwhere})
                continue
            for s, raw_seat in enumerate(row["seats"]):
                swhere = f"{rwhere}.seats[{s}]"
                if not isinstance(raw_seat, dict):
                    errors.append(_("%(where)s: a seat must be an object") % {"where": swhere})
                    continue
                seat = PlanSeat(
                    row=str(row.get("row", "")).strip(), number=str(raw_seat.get("number", "")).strip(),
                    x=_number(raw_seat.get("x", 0), swhere, "x", errors),
                    y=_number(raw_seat.get("y", 0), swhere, "y", errors),
                    wheelchair=bool(raw_seat.get("wheelchair", False)),
                    restricted_view=bool(raw_seat.get("restricted_view", False)),
                    companion=bool(raw_seat.get("companion", False)),
                )
                _add_seat(section, seat, swhere, seen, errors)
        if len(errors) > before:
            told.add(name)
    return _finish(sections, errors, told)


def _finish(sections: list[PlanSection], errors: list[str], told: set[str]) -> list[PlanSection]:
    """The plan's sections, or every error found. `told`: the sections whose own rows or
    seats were already said to be wrong, which are not said again to have no seats."""
    for section in sections:
        if section.kind == "seated" and not section.seats and section.name not in told:
            errors.append(_("section %(name)s: a seated section has no seats") % {"name": section.name})
    if not sections and not errors:
        errors.append(_("the file holds no sections"))
    if errors:
        raise SeatingPlanError(errors)
    return sections


def parse_plan(text: str, filename: str = "") -> list[PlanSection]:
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith(("{", "[")):
        plan = parse_json(text)
    else:
        plan = parse_csv(text)
    _storable(plan)
    return plan


def _storable(plan: list[PlanSection]) -> None:
    """Every name is text a database stores (JSON may escape a lone surrogate, "\\ud800",
    which is no character, or a NUL, "\\u0000"), fits its column, and is written on one
    line as the venue's form wants it (events.models.one_line): a name is printed on
    tickets and slips and written into calendars, where a line break or a hidden character
    is a line of its own, or text turned around."""
    longest = Section._meta.get_field("name").max_length
    for section in plan:
        texts = (section.name, *(t for seat in section.seats for t in (seat.row, seat.number)))
        if not all(storable_text(text) for text in texts):
            raise SeatingPlanError([_("section %(name)s: a name holds something that is not a character")
                                    % {"name": _shown(section.name)}])
        if any(unprintable(text) for text in texts):
            raise SeatingPlanError([_("section %(name)s: write its names on one line, without line breaks, tabs "
                                      "or hidden characters") % {"name": _shown(section.name)}])
        if len(section.name) > longest:
            raise SeatingPlanError([_("section %(name)s: a section's name has at most %(n)d characters")
                                    % {"name": _shown(section.name), "n": longest}])


def _shown(name: str) -> str:
    """A section's name as an error message quotes it: what cannot be shown as a question
    mark, and a long one cut short."""
    shown = "".join("?" if unprintable(c) else c for c in name.encode("utf-8", "replace").decode())
    return shown if len(shown) <= 40 else shown[:40] + "…"


def decode_upload(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SeatingPlanError([_("the file is not UTF-8 text")]) from None


@transaction.atomic
def seating_plan_import(*, venue: Venue, text: str, filename: str = "") -> list[Section]:
    """Add the plan's sections to the venue. All or nothing."""
    plan = parse_plan(text, filename)
    planned, there = sum(len(ps.seats) + (ps.capacity or 0) for ps in plan), venue_places(venue)
    if planned + there > MAX_PLACES:
        raise SeatingPlanError([_("the plan holds %(planned)s places and %(venue)s %(there)s already: a venue holds "
                                  "at most %(max)s") % {"planned": grouped(planned), "venue": venue,
                                                        "there": grouped(there), "max": grouped(MAX_PLACES)}])
    # A seated section added by name in the venue's form, with no seat yet, gets the plan's
    # seats (locked: a second import of the same plan waits, then finds them there); any
    # other section of the plan's names is left as it is, and the plan refused.
    named = {section.name: section for section in venue.sections.select_for_update().filter(
        name__in=[s.name for s in plan])}
    seated = set(Seat.objects.filter(section__in=named.values()).values_list("section__name", flat=True))
    clash = [name for name, section in named.items()
             if section.kind != Section.Kind.SEATED or name in seated
             or next(ps for ps in plan if ps.name == name).kind != Section.Kind.SEATED]
    if clash:
        raise SeatingPlanError([_("section %(name)s already exists in %(venue)s") % {"name": name, "venue": venue}
                                for name in sorted(clash)])
    first_rank = (venue.sections.aggregate(m=Max("rank"))["m"] or 0) + 1
    created = []
    for offset, ps in enumerate(plan):
        section = named.get(ps.name) or Section.objects.create(
            venue=venue, name=ps.name, kind=ps.kind, capacity=ps.capacity, rank=first_rank + offset
        )
        created.append(section)
        row_order: dict[str, int] = {}
        position_in_row: dict[str, int] = {}
        seats = []
        for s in ps.seats:
            row_index = row_order.setdefault(s.row, len(row_order))
            position = position_in_row[s.row] = position_in_row.get(s.row, -1) + 1
            seats.append(Seat(section=section, row=s.row, number=s.number, row_index=row_index,
                              position=position, x=s.x, y=s.y, wheelchair=s.wheelchair,
                              restricted_view=s.restricted_view, companion=s.companion))
        Seat.objects.bulk_create(seats, batch_size=2000)
    return created

