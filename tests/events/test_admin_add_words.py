"""The admin's add button and add page name the row with its article, as French needs it:
« Ajouter une salle », « Ajouter un événement », not Django's « Ajouter salle » and
« Ajout : salle »; "Add a venue" in English. The list's button, the page's title, its
heading and its breadcrumbs say the same."""

import re
from html import unescape

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.support import signed_in

pytestmark = pytest.mark.django_db

CASES = (("/admin/events/venue/", "Add a venue", "Ajouter une salle"),
         ("/admin/events/event/", "Add an event", "Ajouter un événement"),
         ("/admin/sales/promocode/", "Add a promo code", "Ajouter un code promo"),
         ("/admin/sales/waitingroom/", "Add a waiting room", "Ajouter une salle d’attente"))


def text(client, url: str, language: str) -> str:
    return unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


@pytest.mark.parametrize(("url", "english", "french"), CASES)
def test_the_add_button_and_page_name_the_row_with_its_article(organizer, url, english, french):
    office = signed_in(organizer)
    for language, words in (("en", english), ("fr", french)):
        listing = text(office, url, language)
        button = re.search(r'class="addlink">(.*?)</a>', listing, re.S).group(1)
        assert " ".join(button.split()) == words, button
        page = text(office, f"{url}add/", language)
        assert f"{words} |" in re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert f"<h1>{words}</h1>" in page
        crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)
        assert " ".join(crumbs.split()).endswith(f"› {words}"), crumbs
        assert "Ajout :" not in page and "Ajouter salle" not in page


def test_every_table_of_ours_that_takes_new_rows_names_its_add_button(organizer):
    request = RequestFactory().get("/admin/")
    request.user = organizer
    unnamed = [model._meta.label for model, model_admin in admin.site._registry.items()
               if model._meta.app_label in ("events", "sales") and model_admin.has_add_permission(request)
               and not getattr(model_admin, "add_label", None)]
    assert unnamed == []
