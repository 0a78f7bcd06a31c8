"""A list in a request longer than the API takes is refused for its length before any of
its items is looked at: a body of a million numbers (2 MB, under the size limit) does not
keep a web process validating each of them for seconds before saying it is too long."""

import pytest

from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def test_too_many_places_is_said_before_the_items_are_checked(performance):
    answer = client_for().post("/api/v1/holds/", {"performance": performance.pk, "places": ["x"] * 101},
                               format="json")
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "invalid", "message": "places: Ensure this field has no more than 100 elements.",
        "fields": {"places": ["Ensure this field has no more than 100 elements."]}}


def test_a_million_places_is_refused_for_its_length(performance):
    # A body of 2 MB, under the size limit: read, and refused for its length alone (the list
    # of "x" above shows its items are not looked at first).
    answer = client_for().post("/api/v1/holds/", {"performance": performance.pk, "places": [1] * 1_000_000},
                               format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"places": ["Ensure this field has no more than 100 elements."]}


def test_an_organizers_list_too_long_is_said_before_its_items(performance):
    organizer = client_for(make_user("organizer-lists", "organizer"))
    answer = organizer.post(f"/api/v1/performances/{performance.pk}/block/", {"places": ["x"] * 10_001},
                            format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"places": ["Ensure this field has no more than 10000 elements."]}
