"""Schema-driven fuzzing: schemathesis generates requests from the committed OpenAPI
schema and sends them to the live test server, as an anonymous caller and with a staff
token that may do everything (so the staff and organizer bodies are parsed, not refused
at the login). No 500, and no response that breaks the schema: its body, its status, the
headers it declares."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import make_performance, make_user

schema = schemathesis.openapi.from_path(Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml")
# Strings anywhere (path parameters, query strings, bodies) may hold NUL and any UTF-8
# character; tests/test_fuzz_urls.py adds lone surrogates and broken UTF-8 in URLs.
schema.config.generation.update(allow_x00=True, codec="utf-8")


@pytest.fixture
def fuzz_world(live_server):
    make_performance(rows=3, per_row=5, standing=10)
    return live_server.url


@pytest.fixture(params=["anonymous", "staff"])
def caller(request, fuzz_world) -> dict:
    if request.param == "anonymous":
        return {}
    from rest_framework.authtoken.models import Token

    boss = make_user("fuzz-boss", is_staff=True, is_superuser=True)
    return {"Authorization": f"Token {Token.objects.create(user=boss).key}"}


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, fuzz_world, caller):
    case.call_and_validate(base_url=fuzz_world, headers=caller, checks=[
        not_a_server_error, response_schema_conformance, response_headers_conformance,
        content_type_conformance, status_code_conformance])
