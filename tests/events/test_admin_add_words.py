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


# An inline's link adding a row (Django's inlines.js draws it from the formset's data):
# « Ajouter une autre section », not Django's « Ajouter un objet section supplémentaire ».
INLINE_CASES = (("/admin/events/venue/add/", "sections", "Add another section", "Ajouter une autre section"),
                ("/admin/events/performance/{pk}/change/", "price_types", "Add another price type",
                 "Ajouter un autre tarif"),
                ("/admin/events/performance/{pk}/change/", "price_zones", "Add another price zone",
                 "Ajouter une autre zone de prix"))


def add_another(page: str, prefix: str) -> str:
    """The words of the link adding a row to the inline of `prefix`, as inlines.js draws it."""
    import json

    found = re.search(rf'id="{prefix}-group"\s+data-inline-type="\w+"\s+data-inline-formset="([^"]*)"', page)
    return json.loads(unescape(found.group(1)))["options"]["addText"]


@pytest.mark.parametrize(("url", "prefix", "english", "french"), INLINE_CASES)
def test_an_inlines_add_another_link_names_the_row_with_its_article(organizer, performance, url, prefix, english,
                                                                    french):
    office = signed_in(organizer)
    url = url.format(pk=performance.pk)
    for language, words in (("en", english), ("fr", french)):
        page = office.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert add_another(page, prefix) == words


def test_every_inline_of_ours_that_takes_new_rows_names_its_add_another_link(organizer):
    request = RequestFactory().get("/admin/")
    request.user = organizer
    request.user.is_superuser = True  # every inline drawn, whoever may add to it
    unnamed = [type(inline).__name__ for model, model_admin in admin.site._registry.items()
               if model._meta.app_label in ("events", "sales")
               for inline in model_admin.get_inline_instances(request)
               if inline.has_add_permission(request, None) and not getattr(inline, "add_another_label", None)]
    assert unnamed == []


# Django's own tables in our admin: their add button and add page take the article too.
THEIR_CASES = (("/admin/auth/group/", "Add a group", "Ajouter un groupe"),
               ("/admin/auth/user/", "Add a user", "Ajouter un utilisateur"),
               ("/admin/authtoken/tokenproxy/", "Add a token", "Ajouter un jeton"))


@pytest.mark.parametrize(("url", "english", "french"), THEIR_CASES)
def test_djangos_own_tables_name_their_add_button_and_page_with_the_article(admin_user, url, english, french):
    office = signed_in(admin_user)
    for language, words in (("en", english), ("fr", french)):
        button = re.search(r'class="addlink">(.*?)</a>', text(office, url, language), re.S).group(1)
        assert " ".join(button.split()) == words, button
        assert f"<h1>{words}</h1>" in text(office, f"{url}add/", language)
