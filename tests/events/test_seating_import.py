import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from events.models import Seat, Section, Venue
from events.seating import SeatingPlanError, seating_plan_import
from tests.factories import VenueFactory
from tests.support import plan_csv

pytestmark = pytest.mark.django_db


def test_csv_plan_creates_sections_rows_and_standing():
    venue = VenueFactory()
    seating_plan_import(venue=venue, text=plan_csv(3, 4, standing=50, wheelchair=True).replace(
        "Stalls,seated,C,2,10,20,,", "Stalls,seated,C,2,10,20,companion,"))
    stalls = venue.sections.get(name="Stalls")
    assert stalls.seats.count() == 12
    assert stalls.seats.get(row="C", number="2").companion and not stalls.seats.get(row="C", number="3").companion
    c2 = stalls.seats.get(row="C", number="2")
    assert (c2.row_index, c2.position, c2.x, c2.y) == (2, 1, 10.0, 20.0)
    assert stalls.seats.get(row="C", number="1").wheelchair
    lawn = venue.sections.get(name="Lawn")
    assert (lawn.kind, lawn.capacity) == ("standing", 50)


def test_json_plan():
    venue = VenueFactory()
    plan = {"sections": [
        {"name": "Balcony", "rows": [{"row": "AA", "seats": [
            {"number": "101", "x": 1.5, "y": 2, "restricted_view": True},
            {"number": "102", "x": 3, "y": 2}]}]},
        {"name": "Floor", "kind": "standing", "capacity": 300},
    ]}
    seating_plan_import(venue=venue, text=json.dumps(plan), filename="plan.json")
    assert Seat.objects.get(number="101").restricted_view
    assert venue.sections.get(name="Floor").capacity == 300


@pytest.mark.parametrize("text, expected", [
    ("row,number\nA,1", "line 1: header must name at least section,row,number"),
    ("section,row,number,x\nS,A,1,abc", "line 2: x must be a number, got “abc”"),
    ("section,row,number\nS,A,1\nS,A,1", "line 3: seat A-1 of S appears twice"),
    ("section,row,number,flags\nS,A,1,wobbly", "line 2: unknown flag(s) wobbly"),
    ("section,kind,row,number,capacity\nL,standing,,,", "line 2: a standing section needs a whole-number capacity"),
    ("section,kind,row,number\nS,balcony,A,1", "line 2: kind must be seated or standing"),
    ("section,row,number\nS,,1", "line 2: a seat needs a row and a number"),
    ('{"sections": [\n  {"name": "S",}\n]}', "line 2: not valid JSON"),
    ('{"sections": [{"name": "S", "rows": [{"row": "A", "seats": [{"x": 1}]}]}]}',
     "sections[0].rows[0].seats[0]: a seat needs a row and a number"),
    ('{"venue": 1}', 'top level must be an object with a "sections" list'),
])
def test_malformed_plan_is_refused_with_line_and_reason_and_nothing_written(text, expected):
    venue = VenueFactory()
    with pytest.raises(SeatingPlanError) as exc:
        seating_plan_import(venue=venue, text=text)
    assert any(e.startswith(expected) for e in exc.value.errors), exc.value.errors
    assert Section.objects.count() == 0 and Seat.objects.count() == 0


@pytest.mark.parametrize("text, expected", [
    ('{"sections": [{"kind": "seated"}]}', "sections[0]\u00a0: chaque section demande un nom"),
    ('{"sections": [{"name": "S", "kind": "balcony"}]}',
     "sections[0]\u00a0: kind doit être seated ou standing, reçu «\u00a0balcony\u00a0»"),
    ('{"sections": [{"name": "L", "kind": "standing", "capacity": 5}, {"name": "L", "kind": "standing"}]}',
     "sections[1]\u00a0: la section L figure deux fois"),
    ('{"sections": [{"name": "S"}]}', "sections[0]\u00a0: une section assise demande une liste rows"),
    ('{"sections": [{"name": "S", "rows": [{"row": "A"}]}]}',
     "sections[0].rows[0]\u00a0: chaque rangée demande une étiquette row et une liste seats"),
    ('{"sections": [{"name": "S", "rows": [{"row": "A", "seats": [1]}]}]}',
     "sections[0].rows[0].seats[0]\u00a0: un siège doit être un objet"),
    ('{"venue": 1}', "le niveau supérieur doit être un objet avec une liste «\u00a0sections\u00a0»"),
    ('{"sections": [\n  {"name": "S",}\n]}', "ligne 2\u00a0: JSON non valide ("),
    ("[" * 100_000, "JSON non valide (imbriqué trop profondément)"),
])
def test_a_json_plans_errors_are_in_the_readers_language(text, expected):
    """The JSON plan's errors are said in French to a French reader, as the CSV plan's are
    (the place in the file, "sections[0].rows[0]", is the file's own words)."""
    from django.utils import translation

    venue = VenueFactory()
    with translation.override("fr"), pytest.raises(SeatingPlanError) as exc:
        seating_plan_import(venue=venue, text=text, filename="plan.json")
    assert any(e.startswith(expected) for e in exc.value.errors), exc.value.errors
    assert Section.objects.count() == 0


@pytest.mark.parametrize("text, expected", [
    ('{"sections": [{"name": "S"}]}', ["sections[0]: a seated section needs a rows list"]),
    ('{"sections": [{"name": "S", "rows": "A1-A9"}]}', ["sections[0]: a seated section needs a rows list"]),
    ('{"sections": [{"name": "S", "rows": [{"row": "A"}]}]}',
     ["sections[0].rows[0]: each row needs a row label and a seats list"]),
    ('{"sections": [{"name": "S", "rows": [{"row": "A", "seats": [1]}]}]}',
     ["sections[0].rows[0].seats[0]: a seat must be an object"]),
    ("section,row,number\nS,,1", ["line 2: a seat needs a row and a number"]),
    # Said once a section is otherwise right, whatever words its name shares with another's error.
    ('{"sections": [{"name": "S", "rows": []}]}', ["section S: a seated section has no seats"]),
    ('{"sections": [{"name": "T", "rows": [{"row": "A", "seats": [{"x": 1}]}]}, {"name": "seat", "rows": []}]}',
     ["sections[0].rows[0].seats[0]: a seat needs a row and a number", "section seat: a seated section has no seats"]),
])
def test_a_seated_section_is_said_to_have_no_seats_only_when_nothing_else_said_why(text, expected):
    """A seated section whose rows or seats are wrong is told what is wrong with them, once:
    not again as a section with no seats."""
    with pytest.raises(SeatingPlanError) as exc:
        seating_plan_import(venue=VenueFactory(), text=text, filename="plan.json" if text[0] == "{" else "plan.csv")
    assert exc.value.errors == expected


def test_a_plan_with_many_errors_says_how_many_more_in_the_readers_language():
    from django.utils import translation

    text = "section,row,number,x\n" + "".join(f"S,A,{n},oops\n" for n in range(1, 26))
    with translation.override("fr"), pytest.raises(SeatingPlanError) as exc:
        seating_plan_import(venue=VenueFactory(), text=text)
    assert str(exc.value).endswith(" (et 5 de plus)")


def test_one_bad_line_among_many_imports_nothing():
    venue = VenueFactory()
    text = plan_csv(5, 5) + "\nStalls,seated,Z,1,oops,0,,"
    with pytest.raises(SeatingPlanError) as exc:
        seating_plan_import(venue=venue, text=text)
    assert exc.value.errors == ["line 27: x must be a number, got “oops”"]
    assert Seat.objects.count() == 0


def test_existing_section_name_is_refused():
    venue = VenueFactory()
    seating_plan_import(venue=venue, text=plan_csv(1, 2))
    with pytest.raises(SeatingPlanError, match="section Stalls already exists"):
        seating_plan_import(venue=venue, text=plan_csv(1, 2))
    assert Seat.objects.count() == 2


def test_management_command(tmp_path):
    good = tmp_path / "plan.csv"
    good.write_text(plan_csv(2, 3, standing=10))
    call_command("import_seating_plan", "New hall", str(good))
    assert Venue.objects.get(name="New hall").sections.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_text("section,row,number,x\nS,A,1,nan-ish")
    with pytest.raises(CommandError, match="line 2: x must be a number"):
        call_command("import_seating_plan", "Other hall", str(bad))
    assert not Venue.objects.filter(name="Other hall").exists()


def test_admin_import(client, organizer):
    venue = VenueFactory()
    client.force_login(organizer)
    url = f"/admin/events/venue/{venue.pk}/import/"
    bad = SimpleUploadedFile("plan.csv", b"section,row,number\nS,A,1\nS,A,1")
    response = client.post(url, {"plan": bad})
    assert response.status_code == 200
    assert "line 3: seat A-1 of S appears twice" in response.content.decode()
    assert Seat.objects.count() == 0

    good = SimpleUploadedFile("plan.csv", plan_csv(2, 2).encode())
    response = client.post(url, {"plan": good})
    assert response.status_code == 302
    assert venue.sections.get().seats.count() == 4


def test_admin_import_needs_login(client):
    venue = VenueFactory()
    response = client.get(f"/admin/events/venue/{venue.pk}/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_a_plan_naming_something_that_is_no_character_is_refused_at_each_door(client, organizer):
    """JSON may escape a lone surrogate ("\\ud800"), which no database stores: refused with
    the section it is in, nothing written, from the admin's upload and the API alike."""
    from tests.support import assert_error, client_for

    venue = VenueFactory()
    plan = '{"sections": [{"name": "Sur\\ud800", "rows": [{"row": "A", "seats": [{"number": "1"}]}]}]}'
    with pytest.raises(SeatingPlanError, match="a name holds something that is not a character"):
        seating_plan_import(venue=venue, text=plan)
    with pytest.raises(SeatingPlanError, match="a name holds something that is not a character"):
        seating_plan_import(venue=venue, text=plan.replace("\\ud800", "\\u0000"))
    client.force_login(organizer)
    page = client.post(f"/admin/events/venue/{venue.pk}/import/",
                       {"plan": SimpleUploadedFile("plan.json", plan.encode())})
    assert page.status_code == 200 and "not a character" in page.content.decode()
    answer = client_for(organizer).post(f"/api/v1/venues/{venue.pk}/seating-plan/",
                                        {"format": "json", "content": plan}, format="json")
    assert "not a character" in assert_error(answer, 400, "invalid_seating_plan")["errors"][0]
    assert Section.objects.count() == 0 and Seat.objects.count() == 0


def test_a_seated_section_added_by_name_in_the_venues_form_gets_its_seats_from_the_plan(client, organizer):
    """The venue's form adds a seated section by its name, with no seat: the plan imported
    next, naming it, gives it its seats (the plan's other sections are added). A section
    that has its seats, or is standing, is not changed by a plan naming it."""
    venue = VenueFactory()
    stalls = Section.objects.create(venue=venue, name="Stalls", kind=Section.Kind.SEATED, rank=3)
    client.force_login(organizer)
    url = f"/admin/events/venue/{venue.pk}/import/"
    assert "A seated section of the venue with no seat yet" in client.get(url).content.decode()  # as the page says
    response = client.post(url, {"plan": SimpleUploadedFile("plan.csv", plan_csv(2, 3, standing=40).encode())})
    assert response.status_code == 302
    stalls.refresh_from_db()
    assert stalls.rank == 3 and sorted(stalls.seats.values_list("row", "number")) == [
        ("A", "1"), ("A", "2"), ("A", "3"), ("B", "1"), ("B", "2"), ("B", "3")]
    assert venue.sections.get(name="Lawn").capacity == 40
    assert "Imported 2 sections and 6 seats." in client.get(f"/admin/events/venue/{venue.pk}/change/").content.decode()

    again = client.post(url, {"plan": SimpleUploadedFile("plan.csv", plan_csv(2, 3, standing=40).encode())})
    assert again.status_code == 200
    page = again.content.decode()
    assert "section Stalls already exists" in page and "section Lawn already exists" in page
    assert Seat.objects.filter(section__venue=venue).count() == 6 and venue.sections.count() == 2


def test_the_venues_page_says_how_many_seats_each_seated_section_has_and_how_to_give_them(client, organizer):
    venue = VenueFactory()
    seating_plan_import(venue=venue, text=plan_csv(2, 3, standing=40))
    Section.objects.create(venue=venue, name="Balcony", kind=Section.Kind.SEATED)
    client.force_login(organizer)
    page = re.sub(r">\s+<", "><", client.get(f"/admin/events/venue/{venue.pk}/change/").content.decode())
    rows = {name: page[page.index(f'value="{name}"'):][:3000] for name in ("Stalls", "Lawn", "Balcony")}
    cell = '<td class="field-seat_count"><p>{}</p></td>'
    assert cell.format("6") in rows["Stalls"]
    assert cell.format("-") in rows["Lawn"]
    assert cell.format(f'<strong>None yet:</strong><a href="/admin/events/venue/{venue.pk}/import/">import a seating '
                       'plan</a>') in rows["Balcony"]


@pytest.mark.django_db
@pytest.mark.parametrize("name,row,said", [
    ("Stalls\r\nBalcony", "A", "Stalls"),  # a spreadsheet's cell with a line break in it
    ("Stalls", "A\rB", "Stalls"),
    ("Stalls\u202e", "A", "Stalls"),  # a hidden character turning the text around
    ("S" * 101, "A", "at most 100 characters"),
])
def test_a_plan_names_its_sections_and_seats_as_the_venues_form_would(name, row, said):
    """A name the venue's form refuses (over two lines, with a hidden character, longer than
    a section's name is kept) is refused from a plan too, saying which section, with
    nothing written: it would be printed on tickets and slips, written into calendars."""
    venue = VenueFactory()
    plan = {"sections": [{"name": name, "rows": [{"row": row, "seats": [{"number": "1"}]}]}]}
    with pytest.raises(SeatingPlanError) as refused:
        seating_plan_import(venue=venue, text=json.dumps(plan))
    assert said in refused.value.errors[0]
    csv_plan = f'section,row,number\n"{name}","{row}",1\n'
    with pytest.raises(SeatingPlanError):
        seating_plan_import(venue=venue, text=csv_plan)
    assert Section.objects.count() == 0 and Seat.objects.count() == 0


@pytest.mark.parametrize("field,typed", [
    ("row", "A\r\nB"), ("number", "1\n2"), ("number", "1\t2"), ("row", "A\u2028B"), ("number", "\u202e12"),
])
def test_a_seat_edited_in_the_admin_is_labelled_on_one_line_as_a_plan_must_be(client, organizer, field, typed):
    """A seat's row and number are printed on tickets and written into calendars, as a
    plan's are: the seat's admin form refuses a line break, a tab or a hidden character in
    them, as the plan's import does, and the seat keeps its label."""
    venue = VenueFactory()
    seating_plan_import(venue=venue, text=plan_csv(1, 1))
    seat = Seat.objects.get()
    client.force_login(organizer)
    url = f"/admin/events/seat/{seat.pk}/change/"
    sent = {"section": seat.section_id, "row": "A", "number": "1", "row_index": "0", "position": "0",
            "x": "0", "y": "0"}
    page = client.post(url, {**sent, field: typed})
    assert page.status_code == 200
    assert "Write this on one line, without line breaks or tabs." in page.content.decode()
    seat.refresh_from_db()
    assert (seat.row, seat.number) == ("A", "1")
    assert client.post(url, {**sent, "row": "AA"}).status_code == 302  # a label on one line saves
    seat.refresh_from_db()
    assert seat.row == "AA"


def test_an_import_of_one_section_says_one_section(client, organizer):
    venue = VenueFactory()
    client.force_login(organizer)
    client.post(f"/admin/events/venue/{venue.pk}/import/",
                {"plan": SimpleUploadedFile("plan.csv", plan_csv(1, 1).encode())})
    page = client.get(f"/admin/events/venue/{venue.pk}/change/").content.decode()
    assert "Imported 1 section and 1 seat." in page
