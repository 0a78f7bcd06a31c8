"""A venue's sections are seated or standing: their column, in the venue's page and the
sections' list, is headed by what French calls that, « Type », not « Genre »."""

import re
from html import unescape

import pytest

from tests.factories import SectionFactory
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]


def test_a_sections_kind_is_headed_type_in_french(organizer):
    venue = SectionFactory().venue
    office = signed_in(organizer)
    for url in (f"/admin/events/venue/{venue.pk}/change/", "/admin/events/section/"):
        page = unescape(office.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
        assert "Type" in headings(page) and "Genre" not in headings(page), (url, headings(page))
        english = unescape(office.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
        assert "Kind" in headings(english), (url, headings(english))
