"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of ours
(a few hundred kilobytes of `[` had taken the parser past Python's recursion limit, and
a body just under it would take the code that walks it there instead), and text with a
lone surrogate (`"\\ud800"`: valid JSON, but no character, which no answer quoting it
back, such as "not a valid choice", could encode)."""

import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
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


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        problem = _problem(data, MAX_DEPTH)
        if problem:
            raise ParseError(problem)
        return data
