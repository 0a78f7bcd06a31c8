"""French everywhere: every string of ours in the French catalogue has its French, and
the compiled catalogue the pages use is the one the table fills."""

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
