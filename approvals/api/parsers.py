"""JSON that can be stored: the request body parser of the API.

Two bodies that json.loads accepts would otherwise end in a 500: a lone
surrogate ("\\ud800") cannot be encoded as UTF-8 — not by the database driver,
not even by the renderer echoing it back in an error — and nesting a few
thousand levels deep exhausts the stack. Both are a 400 parse_error here.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

SURROGATE = re.compile("[\ud800-\udfff]")
MSG_SURROGATE = gettext_noop("JSON 中含有无法存储的字符（单独的代理项）。")
MSG_TOO_DEEP = gettext_noop("JSON 嵌套层数过多。")


def _has_surrogates(data) -> bool:
    pending = [data]
    while pending:  # a loop, not recursion: the body may be nested ~1000 deep
        value = pending.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_(MSG_TOO_DEEP)) from None
        if _has_surrogates(data):
            raise ParseError(_(MSG_SURROGATE))
        return data
