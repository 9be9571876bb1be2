"""The OData v4 ``$filter`` Business Central accepts, as "Using filter expressions in OData
URIs" (MicrosoftDocs dynamics365smb-devitpro-pb, dev-itpro/webservices/
use-filter-expressions-in-odata-uris.md) lists it.

Comparisons ``eq ne gt ge lt le`` between a property and a literal (string, number,
date, datetime, GUID, true/false/null), ``in (...)``, ``contains``/``startswith``/
``endswith`` and ``tolower``/``toupper`` around a property, combined with
``and``/``or``/``not`` and parentheses. Values compare by the property's EDM type, so
``lastModifiedDateTime gt 2026-10-01T00:00:00Z`` compares instants, not text. Text
comparisons are case-sensitive as AL filters are; ``tolower``/``toupper`` make them not.
``or`` over two different fields is refused with the message of "Known limitations with
Business Central OData" (dev-itpro/webservices/odata-known-limitations.md); any other
function is refused rather than ignored.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from collections.abc import Callable

_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<lp>\()|(?P<rp>\))|(?P<word>,|[^\s(),']+))""")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}
_TEXT_FUNCS = {"contains", "startswith", "endswith"}
_CASE_FUNCS = {"tolower": str.lower, "toupper": str.upper}
OR_DISTINCT = "The 'OR' operator is not supported on distinct fields on an OData filter."
Pred = Callable[[dict[str, Any]], bool]


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


def compile_filter(text: str, types: dict[str, str], type_name: str) -> Callable[[dict[str, Any]], bool]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError(f"Syntax error at position {pos} in '{text}'.")
        kind = m.lastgroup or ""  # every alternative of _TOKEN is a named group
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    i = 0

    def peek(ahead: int = 0) -> tuple[str, str] | None:
        return tokens[i + ahead] if i + ahead < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal i
        if i >= len(tokens):
            raise FilterError(f"Syntax error: unexpected end of '$filter={text}'.")
        i += 1
        return tokens[i - 1]

    def expect(kind: str, what: str) -> tuple[str, str]:
        t = take()
        if t[0] != kind and not (kind == "comma" and t == ("word", ",")):
            raise FilterError(f"Syntax error: {what} expected in '{text}'.")
        return t

    def or_expr() -> tuple[Pred, set[str]]:
        parts = [and_expr()]
        while (t := peek()) and t[0] == "word" and t[1].lower() == "or":
            take()
            parts.append(and_expr())
        fields = set().union(*(f for _, f in parts))
        if len(parts) == 1:
            return parts[0]
        if len(fields) > 1:
            raise FilterError(OR_DISTINCT)
        preds = [p for p, _ in parts]
        return (lambda r: any(p(r) for p in preds)), fields

    def and_expr() -> tuple[Pred, set[str]]:
        parts = [unary()]
        while (t := peek()) and t[0] == "word" and t[1].lower() == "and":
            take()
            parts.append(unary())
        if len(parts) == 1:
            return parts[0]
        preds = [p for p, _ in parts]
        return (lambda r: all(p(r) for p in preds)), set().union(*(f for _, f in parts))

    def prop_expr() -> tuple[str, Callable[[Any], Any] | None]:
        """A property, or tolower/toupper around one: (name, text transform)."""
        t = take()
        if t[0] != "word":
            raise FilterError(f"Syntax error: a property name expected, found {t[1]!r}.")
        name = t[1]
        if (nxt := peek()) and nxt[0] == "lp":
            fn = name.lower()
            if fn not in _CASE_FUNCS:
                raise FilterError(f"Unknown function '{name}'.")
            take()
            prop, _ = prop_expr()
            expect("rp", "')'")
            return prop, _CASE_FUNCS[fn]
        if name not in types:
            raise FilterError(f"Could not find a property named '{name}' on type '{type_name}'.")
        return name, None

    def unary() -> tuple[Pred, set[str]]:
        t = peek()
        if t is None:
            raise FilterError(f"Syntax error: unexpected end of '$filter={text}'.")
        if t[0] == "word" and t[1].lower() == "not":
            take()
            inner, fields = unary()
            return (lambda r: not inner(r)), fields
        if t[0] == "lp":
            take()
            group = or_expr()
            expect("rp", "')'")
            return group
        if t[0] == "word" and t[1].lower() in _TEXT_FUNCS and (nxt := peek(1)) and nxt[0] == "lp":
            fn = take()[1].lower()
            take()
            prop, transform = prop_expr()
            expect("comma", "','")
            lit = take()
            if lit[0] != "str":
                raise FilterError(f"Syntax error: '{fn}' takes a string literal, found {lit[1]!r}.")
            expect("rp", "')'")
            return _text_match(prop, fn, lit[1][1:-1].replace("''", "'"), transform), {prop}
        prop, transform = prop_expr()
        edm = types[prop]
        op = take()[1].lower()
        if op == "in":
            expect("lp", "'('")
            values = [_literal(take(), edm, prop)]
            while (nxt := peek()) and nxt == ("word", ","):
                take()
                values.append(_literal(take(), edm, prop))
            expect("rp", "')'")
            return (lambda r: _value(r, prop, edm, transform) in values), {prop}
        if op not in _OPS:
            raise FilterError(f"Syntax error: unknown operator '{op}' in '{text}'.")
        lit = _literal(take(), edm, prop)
        return _compare(prop, op, lit, edm, transform), {prop}

    pred, _ = or_expr()
    if i != len(tokens):
        raise FilterError(f"Syntax error: unexpected '{tokens[i][1]}' in '{text}'.")
    return pred


def _value(rec: dict[str, Any], prop: str, edm: str, transform: Callable[[Any], Any] | None) -> Any:
    v = coerce(rec.get(prop), edm)
    return transform(v) if transform is not None and isinstance(v, str) else v


def _text_match(prop: str, fn: str, lit: str, transform: Callable[[Any], Any] | None) -> Pred:
    def pred(rec: dict[str, Any]) -> bool:
        v = rec.get(prop)
        if not isinstance(v, str):
            return False
        if transform is not None:
            v = transform(v)
        if fn == "contains":
            return lit in v
        return v.startswith(lit) if fn == "startswith" else v.endswith(lit)
    return pred


def _compare(prop: str, op: str, lit: Any, edm: str, transform: Callable[[Any], Any] | None = None) -> Pred:
    def pred(rec: dict[str, Any]) -> bool:
        v = _value(rec, prop, edm, transform)
        if op == "eq":
            return bool(v == lit)
        if op == "ne":
            return bool(v != lit)
        if v is None or lit is None:
            return False
        try:
            if op == "gt":
                return bool(v > lit)
            if op == "ge":
                return bool(v >= lit)
            if op == "lt":
                return bool(v < lit)
            return bool(v <= lit)
        except TypeError:
            raise FilterError(f"A binary operator with incompatible types was detected for '{prop}'.") from None
    return pred
