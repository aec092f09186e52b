"""Numbers and JSON from outside (query strings, form fields, file cells, command arguments, bodies).

``str.isdigit()`` accepts superscripts and other Unicode digits ("²", "①") that ``int()`` then
refuses, and ``int()`` accepts Arabic-Indic digits ("٣") and numbers of any size, which the database
does not. Every number that comes from outside goes through ``parse_int``: ASCII digits with an
optional sign, surrounding spaces ignored, inside the range asked for (by default a 64-bit
integer, what a database column holds). A refusal is a ``ValidationError`` naming the field, with a
code: ``required``, ``invalid``, ``min_value`` or ``max_value`` (Django's own codes for numbers).

JSON nested thousands of levels deep makes Python's parser raise ``RecursionError``; ``load_json``
refuses anything nested deeper than ``MAX_JSON_DEPTH`` with ``JSONTooDeep`` (a ``ValueError``, code
``json_too_deep``), and ``JSONParser`` does the same for the API.
"""

import json
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", re.ASCII)
# More significant digits than this cannot be inside the 64-bit range; checked before int() so
# that a megabyte of digits costs nothing.
_MAX_DIGITS = len(str(INT64_MAX))


def parse_int(value, *, field: str, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int:
    """``value`` (text, or an int) as an int from ``minimum`` to ``maximum``, or a ValidationError
    ``{field: [...]}`` with code ``required``, ``invalid``, ``min_value`` or ``max_value``."""
    if isinstance(value, bool):  # True is an int to Python, not a number to anyone sending it
        raise _refusal(field, _("Enter a whole number."), "invalid")
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else None
    if text is None or not _WHOLE_NUMBER.fullmatch(text):
        if text == "":
            raise _refusal(field, _("Enter a whole number."), "required")
        raise _refusal(field, _("Enter a whole number (digits 0 to 9)."), "invalid")
    digits = text.lstrip("+-").lstrip("0")
    number = int(text) if len(digits) <= _MAX_DIGITS else None
    negative = text.startswith("-")
    if (number is None and negative) or (number is not None and number < minimum):
        raise _refusal(field, _("Enter a number of at least %(limit)s."), "min_value", minimum)
    if number is None or number > maximum:
        raise _refusal(field, _("Enter a number of at most %(limit)s."), "max_value", maximum)
    return number


def parse_optional_int(value, *, field: str, minimum: int = INT64_MIN, maximum: int = INT64_MAX):
    """``parse_int``, with None for a missing or blank value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_int(value, field=field, minimum=minimum, maximum=maximum)


def int_or_none(value, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int | None:
    """``parse_int`` for callers that only need to know whether ``value`` is such a number."""
    try:
        return parse_int(value, field="value", minimum=minimum, maximum=maximum)
    except ValidationError:
        return None


def id_or_none(value) -> int | None:
    """A reference that is either a numeric id or a name: the id, or None when ``value`` is not
    a whole number that a primary key could be (the caller then looks it up as a name)."""
    return int_or_none(value, minimum=1)


def _refusal(field, message, code, limit=None) -> ValidationError:
    params = {"limit": limit} if limit is not None else None
    return ValidationError({field: [ValidationError(message, code=code, params=params)]})


MAX_JSON_DEPTH = 64


class JSONTooDeep(ValueError):
    code = "json_too_deep"

    def __init__(self, max_depth: int = MAX_JSON_DEPTH):
        super().__init__(f"JSON nested more than {max_depth} levels deep is refused.")


def load_json(text, *, max_depth: int = MAX_JSON_DEPTH, **options):
    """``json.loads(text, **options)``, refusing (``JSONTooDeep``) nesting beyond ``max_depth``."""
    try:
        data = json.loads(text, **options)
    except RecursionError:  # far deeper than any limit: the parser itself gave up
        raise JSONTooDeep(max_depth) from None
    if _deeper_than(data, max_depth):
        raise JSONTooDeep(max_depth)
    return data


def _deeper_than(data, max_depth: int) -> bool:
    # Iterative, so that measuring a deep document cannot itself exhaust the stack.
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > max_depth:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
