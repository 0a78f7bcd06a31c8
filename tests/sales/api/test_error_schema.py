"""What the schema says of an error is what an error holds: an integration generated from
docs/openapi.yaml, or written from /api/docs/, finds every member of the error object it
can be sent (the refused places, the field to correct, the places its network holds)."""

from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

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


# --- the answers any call may get, and their headers -----------------------------------------

METHODS = ("get", "put", "post", "patch", "delete")
BODY_METHODS = ("put", "post", "patch", "delete")


def operations() -> list[tuple[str, str, dict]]:
    """Every operation of the API's resources (the health check answers in its own shape)."""
    paths = yaml.safe_load(SCHEMA.read_text())["paths"]
    return [(path, method, op) for path, item in paths.items() if path.startswith("/api/")
            for method, op in item.items() if method in METHODS]


def assert_answer_documented(answer, declared: dict) -> None:
    """`answer` is an error in the shape the schema's response `declared` names, with every
    header it declares."""
    assert declared["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    for name, header in declared.get("headers", {}).items():
        assert answer.has_header(name), f"{name} declared, not sent"
        if header["schema"]["type"] == "integer":
            assert answer[name].isdigit(), f"{name}: {answer[name]!r} is no number of seconds"
    assert set(answer.json()["error"]) <= set(documented_members())


def documented_members() -> set:
    schemas = yaml.safe_load(SCHEMA.read_text())["components"]["schemas"]
    return set(schemas["ErrorDetailOut"]["properties"])


def declared(path: str, method: str, status: int) -> dict:
    responses = yaml.safe_load(SCHEMA.read_text())["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not declare {status}"
    return responses[str(status)]


def test_every_call_declares_the_503_of_an_outage_with_its_retry_after():
    for path, method, op in operations():
        assert "503" in op["responses"], f"{method.upper()} {path}: no 503"
        assert "Retry-After" in op["responses"]["503"].get("headers", {}), f"{method.upper()} {path}: no Retry-After"


def test_every_429_declares_its_retry_after():
    limited = [(path, method, op) for path, method, op in operations() if "429" in op["responses"]]
    assert limited
    for path, method, op in limited:
        assert "Retry-After" in op["responses"]["429"].get("headers", {}), f"{method.upper()} {path}"


def test_every_call_with_a_body_declares_the_415_of_a_body_not_json():
    for path, method, op in operations():
        if method in BODY_METHODS:
            assert "415" in op["responses"], f"{method.upper()} {path}: no 415"


@pytest.mark.django_db(transaction=True)
def test_an_outage_answers_what_the_schema_declares():
    from django.db import connection
    from django.test import Client

    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 9  # nothing listens there
    try:
        client = Client(raise_request_exception=False)
        read = client.get("/api/v1/events/")
        hold = client.post("/api/v1/holds/", {"performance": 1, "places": [1]}, content_type="application/json")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert_error(read, 503, "service_unavailable")
    assert_answer_documented(read, declared("/api/v1/events/", "get", 503))
    assert_error(hold, 503, "service_unavailable")
    assert_answer_documented(hold, declared("/api/v1/holds/", "post", 503))


def test_a_rate_limit_answers_what_the_schema_declares():
    from tests.test_security import in_one_clock_minute

    api = APIClient(REMOTE_ADDR="198.51.100.77")
    in_one_clock_minute()
    guesses = [api.post(f"/api/v1/orders/Z{i:07d}/confirm-payment/", {"client_secret": "x"}, format="json")
               for i in range(31)]
    limited = guesses[-1]
    assert_error(limited, 429, "rate_limited")
    assert_answer_documented(limited, declared("/api/v1/orders/{code}/confirm-payment/", "post", 429))


def test_a_body_not_json_answers_what_the_schema_declares():
    refused = client_for().post("/api/v1/holds/", {"performance": "1"})  # a form (multipart)
    assert_error(refused, 415, "unsupported_media_type")
    assert_answer_documented(refused, declared("/api/v1/holds/", "post", 415))


def test_a_method_a_path_does_not_list_answers_what_the_schema_declares():
    """A method a path does not list is refused before any operation: the schema declares
    that refusal once, as a response every path may give, with the methods it lists."""
    refused = client_for().get("/api/v1/holds/")
    assert_error(refused, 405, "method_not_allowed")
    schema = yaml.safe_load(SCHEMA.read_text())
    assert_answer_documented(refused, schema["components"]["responses"]["MethodNotAllowed"])
    assert refused["Allow"] and "MethodNotAllowed" in schema["info"]["description"]
