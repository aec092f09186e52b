"""The subset of XLSForm expressions Lindung evaluates itself (skip logic and constraints).

Instruments carry XLSForm ``relevant`` and ``constraint`` expressions so that the same instrument
runs on phones (ODK Collect evaluates the full XPath) and in the browser (evaluated here). The
subset: ``${question}``, ``.`` (the value being checked), string and number literals,
``= != < <= > >=``, ``and``, ``or``, ``not(...)``, ``selected(${q}, 'choice')`` and parentheses.
An expression outside the subset is refused when the instrument is saved, never at interview time.
"""

import re
from decimal import Decimal, InvalidOperation

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][\w.-]*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op><=|>=|!=|=|<|>)|(?P<punct>[(),])|(?P<word>[A-Za-z_][\w-]*)|(?P<dot>\.))"
)


class ExpressionError(ValueError):
    """An expression Lindung cannot evaluate; the message says where."""


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos : pos + 15]!r} (position {pos + 1})")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, text):
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            raise ExpressionError(f"expected {value or kind} but found {tok[1] or 'the end'}")
        self.i += 1
        return tok

    def parse(self):
        node = self.or_expr()
        if self.peek()[0] is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r}")
        return node

    def or_expr(self):
        node = self.and_expr()
        while self.peek() == ("word", "or"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.comparison()
        while self.peek() == ("word", "and"):
            self.take()
            node = ("and", node, self.comparison())
        return node

    def comparison(self):
        node = self.atom()
        if self.peek()[0] == "op":
            op = self.take()[1]
            node = ("cmp", op, node, self.atom())
        return node

    def atom(self):
        kind, value = self.peek()
        if kind == "ref":
            self.take()
            return ("ref", value[2:-1])
        if kind == "dot":
            self.take()
            return ("self",)
        if kind == "str":
            self.take()
            return ("lit", value[1:-1])
        if kind == "num":
            self.take()
            return ("lit", value)
        if kind == "punct" and value == "(":
            self.take()
            node = self.or_expr()
            self.take("punct", ")")
            return node
        if kind == "word" and value in ("not", "selected"):
            self.take()
            self.take("punct", "(")
            first = self.or_expr()
            if value == "not":
                self.take("punct", ")")
                return ("not", first)
            self.take("punct", ",")
            second = self.atom()
            self.take("punct", ")")
            return ("selected", first, second)
        raise ExpressionError(f"unsupported {value or 'end of expression'!r}")


def parse(text: str):
    return _Parser(text).parse()


def references(text: str) -> set[str]:
    """Question names an expression reads."""
    return {value[2:-1] for kind, value in _tokenize(text or "") if kind == "ref"}


def _number(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _value(node, answers, current):
    kind = node[0]
    if kind == "ref":
        value = answers.get(node[1], "")
        return " ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    if kind == "self":
        return "" if current is None else str(current)
    if kind == "lit":
        return node[1]
    return _truth(node, answers, current)


def _compare(op, left, right):
    ln, rn = _number(left), _number(right)
    if ln is not None and rn is not None and not isinstance(left, bool):
        left, right = ln, rn
    elif op in ("<", "<=", ">", ">="):
        return False  # XPath compares numbers; an empty or text answer satisfies no inequality
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def _truth(node, answers, current) -> bool:
    kind = node[0]
    if kind == "or":
        return _truth(node[1], answers, current) or _truth(node[2], answers, current)
    if kind == "and":
        return _truth(node[1], answers, current) and _truth(node[2], answers, current)
    if kind == "not":
        return not _truth(node[1], answers, current)
    if kind == "cmp":
        return _compare(node[1], _value(node[2], answers, current), _value(node[3], answers, current))
    if kind == "selected":
        return _value(node[2], answers, current) in _value(node[1], answers, current).split()
    value = _value(node, answers, current)
    return bool(value) and value != "0"


def evaluate(text: str, answers: dict, current=None) -> bool:
    """True when ``text`` holds for ``answers`` (an empty expression always holds)."""
    if not (text or "").strip():
        return True
    return _truth(parse(text), answers, current)
