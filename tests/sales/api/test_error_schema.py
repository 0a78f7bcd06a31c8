"""What the schema says of an error is what an error holds: an integration generated from
docs/openapi.yaml, or written from /api/docs/, finds every member of the error object it
can be sent (the refused places, the field to correct, the places its network holds)."""

from pathlib import Path

import pytest
import yaml

from tests.support import BUYER, CARD, assert_error, client_for, make_performance, places_of

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"


def documented(path: str, status: int) -> dict:
    """The members of `error` that the schema gives the POST at `path` answering `status`."""
    schema = yaml.safe_load(SCHEMA.read_text())
    components = schema["components"]["schemas"]

    def resolved(part: dict) -> dict:
        return components[part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part

    answer = resolved(schema["paths"][path]["post"]["responses"][str(status)]["content"]["application/json"]["schema"])
    return resolved(answer["properties"]["error"])["properties"]


def assert_documented(error: dict, path: str, status: int) -> None:
    members = documented(path, status)
    assert set(error) <= set(members), f"not in the schema: {sorted(set(error) - set(members))}"


def test_every_member_of_a_holds_refusal_is_in_the_schema():
    perf = make_performance(rows=3, per_row=10, ticket_limit=8)
    seats = [p.pk for p in places_of(perf)]
    api = client_for()
    taken = api.post("/api/v1/holds/", {"performance": perf.pk, "places": seats[:2]}, format="json")
    assert taken.status_code == 201, taken.content
    # The places already held: each refused place and why.
    refused = assert_error(api.post("/api/v1/holds/", {"performance": perf.pk, "places": seats[:2]}, format="json"),
                           409, "unavailable")
    assert refused["places"][0]["id"] == seats[0]
    assert_documented(refused, "/api/v1/holds/", 409)
    # Over the ticket limit: the field to correct.
    over = assert_error(api.post("/api/v1/holds/", {"performance": perf.pk, "zone": perf.price_zones.get().pk,
                                                    "quantity": 9}, format="json"), 400, "invalid")
    assert over["field"] == "quantity"
    assert_documented(over, "/api/v1/holds/", 400)
    # The framework's validation: each field's messages.
    malformed = assert_error(api.post("/api/v1/holds/", {"performance": perf.pk, "quantity": "two"}, format="json"),
                             400, "invalid")
    assert "quantity" in malformed["fields"]
    assert_documented(malformed, "/api/v1/holds/", 400)
    # The network's cap: what it holds and how many it may.
    for start, end in ((2, 10), (10, 18), (18, 24)):
        made = api.post("/api/v1/holds/", {"performance": perf.pk, "places": seats[start:end]}, format="json")
        assert made.status_code == 201, made.content
    capped = assert_error(api.post("/api/v1/holds/", {"performance": perf.pk, "places": seats[24:25]},
                                   format="json"), 409, "too_many_held")
    assert (capped["held"], capped["limit"]) == (24, 24)
    assert_documented(capped, "/api/v1/holds/", 409)


def test_every_member_of_an_orders_refusal_is_in_the_schema():
    refused = assert_error(client_for().post("/api/v1/orders/", {"hold": "no-such-hold", "customer": BUYER,
                                                                 "payment": CARD}, format="json"), 400, "invalid")
    assert refused["field"] == "hold"
    assert_documented(refused, "/api/v1/orders/", 400)
