"""Hostile bytes in every URL's path parameters and query string, on every door, as an
anonymous visitor and as a superuser (who passes every role check, so the views parse
what they are sent): never a 500."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import make_user

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.sampled_from(["%00", "a%00b", "%ED%A0%80", "%C3%28", "%FF%FE", "\x00".join("ab"), "..%2F..%2F", "%",
                     "9" * 40, "-1", "1e400", "NaN", "A" * 5000, "%0d%0aSet-Cookie:x=1", "'; DROP TABLE x;--",
                     "\u202e", "\ufeff", "%E2%80%AE"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), max_size=30).map(
        lambda s: quote(s, safe="")),
)


def _routes(resolver=None, prefix=""):
    """Every URL pattern as a template with one slot per parameter."""
    import re

    for entry in (resolver or get_resolver()).url_patterns:
        pattern = str(entry.pattern)
        if pattern.startswith("^") or "(?P" in pattern:  # the admin's regular expressions: one slot each
            pattern = re.sub(r"\(\?P<[^>]+>[^)]*\)", "{}", pattern.lstrip("^").rstrip("$").replace("\\Z", ""))
        else:
            pattern = re.sub(r"<[^>]+>", "{}", pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + pattern)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + pattern


ROUTES = sorted({r for r in _routes() if "{}" in r or r.count("/") > 1})


@pytest.fixture(scope="module")
def routes():
    return ROUTES


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hostile_bytes_in_paths_and_queries_are_never_a_500(who, data):
    client = Client(raise_request_exception=False)
    if who == "superuser":
        from django.contrib.auth.models import User

        boss = User.objects.filter(username="fuzz-root").first() or make_user(
            "fuzz-root", is_staff=True, is_superuser=True)
        client.force_login(boss)
    route = data.draw(st.sampled_from(ROUTES))
    url = route.format(*[data.draw(HOSTILE) for _ in range(route.count("{}"))])
    query = "&".join(f"{data.draw(st.sampled_from(['q', 'token', 'tickets', 'exchange', 'x']))}={data.draw(HOSTILE)}"
                     for _ in range(data.draw(st.integers(0, 2))))
    method = data.draw(st.sampled_from(["get", "post"]))
    response = getattr(client, method)(url + ("?" + query if query else ""))
    assert response.status_code < 500, (method, url, query, response.status_code, response.content[:300])
