"""The API's JSON parser: DRF's, with nesting limited (``parsing.load_json``)."""

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from .parsing import JSONTooDeep, load_json


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            parse_constant = json.strict_constant if self.strict else None
            return load_json(text, parse_constant=parse_constant)
        except JSONTooDeep as exc:
            raise ParseError(str(exc), code=JSONTooDeep.code) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
