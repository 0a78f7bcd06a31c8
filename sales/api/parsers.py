"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of ours
(a few hundred kilobytes of `[` had taken the parser past Python's recursion limit, and
a body just under it would take the code that walks it there instead)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 16


def _depth_within(data, limit: int) -> bool:
    level = [data]
    for _ in range(limit + 1):
        level = [v for item in level if isinstance(item, dict | list)
                 for v in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return True
    return False


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep") from None
        if not _depth_within(data, MAX_DEPTH):
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep")
        return data
