"""The organizer's French pages name a show, a venue and a performance in sentences that
read right whatever the title (French contracts "de Les" and "à Le", so titles are not put
after them), with a space before a colon, dates as the rest of the admin writes them and a
time zone by the place it is named after."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.support import make_performance, signed_in
from tests.test_french_everywhere import pdf_text, visible

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
NAMES = "event|performance|venue|show|title|subject|section"
# A title after "de" or "à": "de Les Étoiles" and "à Le Capitole" are not French.
BEFORE_A_NAME = re.compile(rf"\b(de|à|De|À) %\(({NAMES})\)s")
# A hall's name after the word for hall: "la salle Salle du Quai".
AFTER_SALLE = re.compile(r"\b[Ss]alles? %\((venue|hall)\)s")
BAD = re.compile(r"\b(de Les|de Le|à Le|à Les)\b")
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
COLON_WITHOUT_SPACE = re.compile(r"[^\s\d]:(?=\s)")  # "Guichet: …", not "22:42"


@pytest.fixture
def stars():
    perf = make_performance(rows=1, per_row=4)
    perf.event.title = "Les Étoiles"
    perf.event.save()
    perf.venue.name = "Le Capitole"
    perf.venue.save()
    return perf


def french(client, url) -> tuple[str, str]:
    response = client.get(url, **FRENCH)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
    return title, visible(html)


def catalogue() -> list[str]:
    """Every French sentence of the catalogue."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    return [french for entry in po for french in (entry.msgstr, *(entry.msgstr_plural or {}).values()) if french]


def test_no_french_sentence_puts_a_title_after_de_or_a():
    assert [french for french in catalogue() if BEFORE_A_NAME.search(french)] == []


def test_no_french_sentence_puts_a_halls_name_after_the_word_salle():
    """A hall's name often begins with the word ("Salle du Quai"): it is named on its own."""
    assert [french for french in catalogue() if AFTER_SALLE.search(french)] == []


def test_the_dashboards_name_the_show_the_venue_and_the_date_in_french(organizer, stars):
    office = signed_in(organizer)
    title, page = french(office, f"/admin/sales/performancedashboard/{stars.pk}/change/")
    assert "Tableau de bord\u00a0: Les Étoiles — " in title and not ISO_DATE.search(title), title
    assert "Toutes les représentations\u00a0: Les Étoiles" in page
    assert "Règlement de toutes les représentations (Les Étoiles)\u00a0:" in page
    assert "Le Capitole\u00a0: net aujourd’hui" in page
    assert "(heure locale, Toronto)" in page and "America/Toronto" not in page
    heading = re.search(r"^Tableau de bord\u00a0: .*$", page, re.M)[0]
    assert not ISO_DATE.search(heading), heading
    for text in (title, page):
        assert not BAD.search(text), BAD.search(text)
        assert not COLON_WITHOUT_SPACE.search(text), COLON_WITHOUT_SPACE.search(text)

    title, page = french(office, f"/admin/sales/performancedashboard/event/{stars.event_id}/")
    assert "Tableau de bord\u00a0: Les Étoiles" in title
    assert not BAD.search(page) and not COLON_WITHOUT_SPACE.search(page)

    settlement = office.get(f"/admin/sales/performancedashboard/settlement/{stars.event_id}.pdf", **FRENCH)
    text = pdf_text(settlement.content)
    assert "Règlement : Les Étoiles" in text and "Établi le " in text  # the PDF's text reads its spaces alike
    assert not COLON_WITHOUT_SPACE.search(text), COLON_WITHOUT_SPACE.search(text)  # its signature lines too
    made = re.search(r"Établi le [^.]*\.", text)[0]
    assert not ISO_DATE.search(made), made


def test_a_performances_pages_say_its_sale_windows_and_other_dates_in_french(organizer, stars):
    office = signed_in(organizer)
    _title, page = french(office, f"/admin/events/performance/{stars.pk}/change/")
    assert "Guichet\u00a0: " in page and "Guichet:" not in page
    window = re.search(r"^Guichet\u00a0: .*$", page, re.M)[0]
    assert not ISO_DATE.search(window), window

    title, page = french(office, f"/admin/events/performance/{stars.pk}/copy/")
    assert title.startswith("Autres dates\u00a0: Les Étoiles — ") and not ISO_DATE.search(title), title
    assert "dans la même salle (Le Capitole)" in page and "l’heure de la salle (Toronto)" in page
    assert not BAD.search(page) and not COLON_WITHOUT_SPACE.search(page)
