"""The subset of OData v4 ``$filter`` Business Central accepts that connectors use.

Comparisons ``eq ne gt ge lt le`` between a property and a literal (string, number,
date, datetime, GUID, true/false/null), combined with ``and``/``or``/``not`` and
parentheses. Values compare by the property's EDM type, so
``lastModifiedDateTime gt 2026-10-01T00:00:00Z`` compares instants, not text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<lp>\()|(?P<rp>\))|(?P<word>[^\s()']+))""")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


class FilterError(ValueError):
    pass


def parse_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def coerce(value: Any, edm: str) -> Any:
    """A stored property value as a comparable Python value of its EDM type."""
    if value is None or value == "":
        return None if edm not in ("Edm.String",) else value
    if edm == "Edm.Decimal" or edm == "Edm.Int32":
        return Decimal(str(value))
    if edm == "Edm.Date":
        return date.fromisoformat(str(value)[:10])
    if edm == "Edm.DateTimeOffset":
        return parse_datetime(str(value))
    if edm == "Edm.Guid":
        return str(value).lower()
    return value


def _literal(tok: tuple[str, str], edm: str, prop: str) -> Any:
    kind, text = tok
    if kind == "str":
        v = text[1:-1].replace("''", "'")
        return v.lower() if edm == "Edm.Guid" else v
    low = text.lower()
    if low == "null":
        return None
    if low in ("true", "false"):
        return low == "true"
    if _DATETIME.match(text):
        return parse_datetime(text)
    if _DATE.match(text):
        return date.fromisoformat(text)
    if _GUID.match(text):
        return text.lower()
    if _NUMBER.match(text):
        return Decimal(text)
    raise FilterError(f"Syntax error: '{text}' is not a valid literal for '{prop}'.")


def compile_filter(text: str, types: dict[str, str], type_name: str) -> Callable[[dict], bool]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError(f"Syntax error at position {pos} in '{text}'.")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    i = 0

    def peek() -> tuple[str, str] | None:
        return tokens[i] if i < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal i
        if i >= len(tokens):
            raise FilterError(f"Syntax error: unexpected end of '$filter={text}'.")
        i += 1
        return tokens[i - 1]

    def or_expr() -> Callable[[dict], bool]:
        parts = [and_expr()]
        while (t := peek()) and t[0] == "word" and t[1].lower() == "or":
            take()
            parts.append(and_expr())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def and_expr() -> Callable[[dict], bool]:
        parts = [unary()]
        while (t := peek()) and t[0] == "word" and t[1].lower() == "and":
            take()
            parts.append(unary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def unary() -> Callable[[dict], bool]:
        t = take()
        if t[0] == "word" and t[1].lower() == "not":
            inner = unary()
            return lambda r: not inner(r)
        if t[0] == "lp":
            inner = or_expr()
            if take()[0] != "rp":
                raise FilterError(f"Syntax error: ')' expected in '{text}'.")
            return inner
        if t[0] != "word":
            raise FilterError(f"Syntax error: a property name expected, found {t[1]!r}.")
        prop = t[1]
        if prop not in types:
            raise FilterError(f"Could not find a property named '{prop}' on type '{type_name}'.")
        op = take()[1].lower()
        if op not in _OPS:
            raise FilterError(f"Syntax error: unknown operator '{op}' in '{text}'.")
        edm = types[prop]
        lit = _literal(take(), edm, prop)
        return _compare(prop, op, lit, edm)

    pred = or_expr()
    if i != len(tokens):
        raise FilterError(f"Syntax error: unexpected '{tokens[i][1]}' in '{text}'.")
    return pred


def _compare(prop: str, op: str, lit: Any, edm: str) -> Callable[[dict], bool]:
    def pred(rec: dict) -> bool:
        v = coerce(rec.get(prop), edm)
        if op == "eq":
            return v == lit
        if op == "ne":
            return v != lit
        if v is None or lit is None:
            return False
        try:
            if op == "gt":
                return v > lit
            if op == "ge":
                return v >= lit
            if op == "lt":
                return v < lit
            return v <= lit
        except TypeError:
            raise FilterError(f"A binary operator with incompatible types was detected for '{prop}'.") from None
    return pred
