"""Places asked for that the performance does not have are counted as the reader's
language counts: one place "does not exist", two "do not"."""

import pytest

from tests.support import client_for

pytestmark = pytest.mark.django_db


def test_places_not_in_the_performance_are_counted_in_good_english(performance):
    client = client_for()
    one = client.post("/api/v1/holds/", {"performance": performance.pk, "places": [10**9]}, format="json")
    two = client.post("/api/v1/holds/", {"performance": performance.pk, "places": [10**9, 10**9 + 1]}, format="json")
    assert one.json()["error"]["message"] == "1 of the requested places does not exist in this performance"
    assert two.json()["error"]["message"] == "2 of the requested places do not exist in this performance"
    french = client.post("/api/v1/holds/", {"performance": performance.pk, "places": [10**9]}, format="json",
                         HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["error"]["message"] == "1 des places demandées n’existe pas dans cette représentation"
