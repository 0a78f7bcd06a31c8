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


# The links beside a chooser (Django's related_widget_wrapper.html) name the row it chose,
# or the one they add, with the article its name needs: « Ajouter une autre salle »,
# « Modifier la salle sélectionnée », not Django's « Ajouter un autre objet salle »,
# « Modifier l’objet salle sélectionné »; "Add another venue" in English.
LINK_CASES = (
    ("/admin/events/performance/add/", "venue", {
        "add": ("Add another venue", "Ajouter une autre salle"),
        "change": ("Change selected venue", "Modifier la salle sélectionnée"),
        "view": ("View selected venue", "Afficher la salle sélectionnée"),
        "delete": ("Delete selected venue", "Supprimer la salle sélectionnée")}),
    ("/admin/events/performance/add/", "event", {
        "add": ("Add another event", "Ajouter un autre événement"),
        "change": ("Change selected event", "Modifier l’événement sélectionné")}),
    ("/admin/events/seat/add/", "section", {"add": ("Add another section", "Ajouter une autre section")}),
    ("/admin/sales/promocode/add/", "price_types", {"add": ("Add another price type", "Ajouter un autre tarif")}),
    ("/admin/sales/waitingroom/add/", "performance", {
        "add": ("Add another performance", "Ajouter une autre représentation"),
        "view": ("View selected performance", "Afficher la représentation sélectionnée")}),
    ("/admin/authtoken/tokenproxy/add/", "user", {
        "add": ("Add another user", "Ajouter un autre utilisateur"),
        "change": ("Change selected user", "Modifier l’utilisateur sélectionné")}),
    ("/admin/auth/user/{pk}/change/", "groups", {"add": ("Add another group", "Ajouter un autre groupe")}),
)


def chooser_links(page: str, field: str) -> dict[str, str]:
    """The titles of the links beside the chooser of `field`, by what each does."""
    found = re.findall(rf'class="related-widget-wrapper-link (\w+)-related" id="\w+_id_{field}"[^>]*?title="([^"]*)"',
                       page, re.S)
    return dict(found)


@pytest.mark.parametrize(("url", "field", "links"), LINK_CASES)
def test_the_links_beside_a_chooser_name_the_row_with_its_article(admin_user, url, field, links):
    office = signed_in(admin_user)
    url = url.format(pk=admin_user.pk)
    for index, language in enumerate(("en", "fr")):
        shown = chooser_links(text(office, url, language), field)
        assert {link: shown.get(link) for link in links} == {link: words[index] for link, words in links.items()}


def test_every_table_a_chooser_of_ours_links_to_names_its_links(admin_user):
    """Each link a chooser of the admin shows (to the superuser, who is shown them all) is
    named by the admin of the table it links to."""
    from django.contrib.admin.widgets import RelatedFieldWidgetWrapper

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    forms = []
    for model_admin in admin.site._registry.values():
        forms.append(model_admin.get_form(request))
        forms.extend(inline.get_formset(request).form for inline in model_admin.get_inline_instances(request))
    unnamed = set()
    for form in forms:
        for field in form.base_fields.values():
            if not isinstance(field.widget, RelatedFieldWidgetWrapper):
                continue
            model = field.widget.rel.model
            for link, label in LINK_LABELS.items():
                if getattr(field.widget, f"can_{link}_related") and not getattr(admin.site.get_model_admin(model),
                                                                                label, None):
                    unnamed.add(f"{model._meta.label} {link}")
    assert not unnamed, ", ".join(sorted(unnamed))


LINK_LABELS = {"add": "add_another_label", "change": "change_selected_label", "view": "view_selected_label",
               "delete": "delete_selected_label"}
