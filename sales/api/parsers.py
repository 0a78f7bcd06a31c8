"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of ours
(a few hundred kilobytes of `[` had taken the parser past Python's recursion limit, and
a body just under it would take the code that walks it there instead), and text with a
lone surrogate (`"\\ud800"`: valid JSON, but no character, which no answer quoting it
back, such as "not a valid choice", could encode), and a charset that is no text encoding.

A body that does not parse is said in the request's language, with where it went wrong
(line and column, or the byte that is not text), not in the words of Python's parser,
which were English whatever the request's language and could name its settings."""

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser

MAX_DEPTH = 16
SURROGATE = re.compile("[\ud800-\udfff]")


def _too_deep() -> str:
    return _("JSON parse error - nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH}


def _problem(data, limit: int) -> str:
    """What is wrong with the parsed body, or ""."""
    level = [data]
    for _level in range(limit + 1):
        texts = [t for item in level if isinstance(item, dict) for t in item]  # keys
        texts += [item for item in level if isinstance(item, str)]
        if any(SURROGATE.search(t) for t in texts):
            return _("JSON parse error - a string holds a lone surrogate, which is not a character")
        level = [v for item in level if isinstance(item, dict | list)
                 for v in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return ""
    return _too_deep()


# Python's words for what it expected (json.decoder and its scanner), said in ours.
JSON_PROBLEMS = {
    "Expecting value": gettext_noop("a value was expected"),
    "Expecting property name enclosed in double quotes": gettext_noop("a property name in double quotes was expected"),
    "Expecting ':' delimiter": gettext_noop("a colon was expected"),
    "Expecting ',' delimiter": gettext_noop("a comma was expected"),
    "Unterminated string starting at": gettext_noop("a string is not closed"),
    "Invalid control character at": gettext_noop("a string holds a control character (write it escaped)"),
    "Invalid \\escape": gettext_noop("a backslash begins no escape"),
    "Invalid \\uXXXX escape": gettext_noop("a \\u escape does not have four hexadecimal digits"),
    "Extra data": gettext_noop("something follows the end of the JSON value"),
}


def _not_json(error: Exception) -> str:
    """What a body the parser refused is told: `error` is the parser's own."""
    if isinstance(error, UnicodeDecodeError):
        return _("JSON parse error - the body is not %(encoding)s text (byte %(position)s)") % {
            "encoding": error.encoding, "position": error.start + 1}
    if isinstance(error, json.JSONDecodeError):
        if error.msg.startswith("Unexpected UTF-8 BOM"):
            return _("JSON parse error - the body begins with a byte order mark (BOM): send it without one")
        problem = JSON_PROBLEMS.get(error.msg)
        where = {"line": error.lineno, "column": error.colno}
        if problem is None:
            return _("JSON parse error - line %(line)s, column %(column)s") % where
        return _("JSON parse error - line %(line)s, column %(column)s: %(problem)s") % {**where, "problem": _(problem)}
    text = str(error)
    if text.startswith("Exceeds the limit"):  # sys.get_int_max_str_digits()
        digits = re.search(r"\((\d+) digits\)", text)
        return _("JSON parse error - a number has more than %(digits)s digits") % {
            "digits": digits.group(1) if digits else "4300"}
    if text.startswith("Out of range float values"):  # DRF's strict parser
        return _("JSON parse error - NaN and Infinity are not numbers in JSON")
    return _("JSON parse error - the body is not JSON")


def _is_text_encoding(encoding: str) -> bool:
    """Whether `encoding` names a text encoding, not one of the codecs Python also names so
    (zlib, bz2, base64, rot13...): the test DRF's parser makes, whose refusal is in English."""
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError):
        return False
    return True


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        # The body's charset, which DRF's parser reads it with. DRF refuses one that is no
        # text encoding (a compression would make a few megabytes gigabytes), but in
        # English whatever the request's language: refused here first, for its type.
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        if not _is_text_encoding(encoding):
            raise UnsupportedMediaType(media_type, _("the body is written in %(charset)s, which is not a text "
                                                     "encoding: send it in UTF-8") % {"charset": encoding[:40]})
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        except ParseError as refused:
            # DRF's, raised while handling the parser's ValueError (its context).
            if not isinstance(refused.__context__, ValueError):
                raise
            raise ParseError(_not_json(refused.__context__)) from None
        problem = _problem(data, MAX_DEPTH)
        if problem:
            raise ParseError(problem)
        return data
