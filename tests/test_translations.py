"""French everywhere: every string of ours in the French catalogue has its French, and
the compiled catalogue the pages use is the one the table fills."""

import re
from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"


def test_every_string_of_ours_has_its_french():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    missing = [entry.msgid for entry in po if not entry.obsolete and (not entry.translated() or entry.fuzzy)]
    assert missing == [], f"{len(missing)} strings without French, e.g. {missing[:5]}"


def test_the_compiled_catalogue_matches_the_table():
    # By context and text: "Taken" (a seat) and "Taken" in the context "money" differ.
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(CATALOGUE / "django.po")) if e.translated()}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(CATALOGUE / "django.mo")) if e.msgid}
    assert {k: v for k, v in po.items() if mo.get(k) != v} == {}


# French sets ; : ! ? apart from the word before them, and the words inside « » apart from the
# guillemets, with a space that does not break (a line never starts with the sign), as it
# keeps "nº" with its number. Only a literal the reader types as it is (an HTTP header) keeps
# the English way.
NOT_APART = re.compile(r"(?<![\u00a0\u202f])[;:!?](?=\s|$|\))")
GUILLEMETS = re.compile(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»|nº ")
LITERALS = ("Authorization: Token",)


def test_french_punctuation_stands_apart_and_the_space_inside_guillemets_and_after_no_holds():
    wrong = []
    for entry in polib.pofile(str(CATALOGUE / "django.po")):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            bare = text
            for literal in LITERALS:
                bare = bare.replace(literal, "")
            if NOT_APART.search(bare) or GUILLEMETS.search(bare):
                wrong.append(text)
    assert wrong == [], f"{len(wrong)} French strings, e.g. {wrong[:5]}"


def test_the_admins_scripts_write_french_elisions_with_the_curly_apostrophe(db):
    """Django's admin scripts (the date picker's « Aujourd’hui », the list actions' warnings)
    take their words from its JavaScript catalogue, whose French types the elision's
    apostrophe straight where the rest of the admin types it curly: the box office's own
    catalogue (djangojs) writes those the French way, and the catalogue served is that."""
    import json

    from tests.support import make_user, signed_in

    boss = make_user("catalogue-boss", is_staff=True, is_superuser=True)
    served = signed_in(boss).get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", served, re.S).group(1))
    assert catalogue["Today"] == "Aujourd\u2019hui"
    straight = [text for value in catalogue.values() for text in (value if isinstance(value, list) else [value])
                if re.search(r"(?<=\w)'(?=\w)", text)]
    assert straight == []
    po = polib.pofile(str(CATALOGUE / "djangojs.po"))
    mo = {e.msgid: e.msgstr or e.msgstr_plural for e in polib.mofile(str(CATALOGUE / "djangojs.mo")) if e.msgid}
    assert {e.msgid: e.msgstr or e.msgstr_plural for e in po if e.translated() and not e.obsolete} == mo


# Django's own French for the admin's messages, its login and its amount fields types the
# elision's apostrophe straight (« L'objet … a été ajouté ») where the rest of the admin types
# it curly; the box office's catalogue writes those the French way.
DJANGOS_WORDS = (
    "The {name} “{obj}” was added successfully.",
    "Changed {fields} for {name} “{object}”.",
    "Please enter the correct %(username)s and password for a staff account. Note that both fields may be "
    "case-sensitive.",
    "Breadcrumbs", "Add link", "View selected %(model)s", "In case you’ve forgotten, you are:",
    "%(model)s instance with %(field)s %(value)r is not a valid choice.",
)
DJANGOS_PLURALS = (
    ("Ensure that there are no more than %(max)s digit in total.",
     "Ensure that there are no more than %(max)s digits in total."),
    ("Ensure that there are no more than %(max)s decimal place.",
     "Ensure that there are no more than %(max)s decimal places."),
    ("Ensure that there are no more than %(max)s digit before the decimal point.",
     "Ensure that there are no more than %(max)s digits before the decimal point."),
)


def test_djangos_admin_messages_write_french_elisions_with_the_curly_apostrophe(client, db):
    from django.utils import translation

    with translation.override("fr"):
        said = [translation.gettext(words) for words in DJANGOS_WORDS]
        said += [translation.ngettext(one, many, n) for one, many in DJANGOS_PLURALS for n in (1, 2)]
    assert all(text not in DJANGOS_WORDS for text in said)  # each has its French
    assert [text for text in said if re.search(r"(?<=\w)'(?=\w)", text)] == []
    assert "L\u2019objet" in said[0]
    # The admin's sign-in, a password mistyped: the page says it the French way.
    page = client.post("/admin/login/", {"username": "nobody", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "mot de passe\u00a0» d\u2019un compte autorisé" in page.content.decode()
