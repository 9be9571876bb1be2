"""``frappe.client.get_list`` semantics for the ERPNext sandbox: filters, ``or_filters`` and ``order_by``.

Follows ``frappe/model/db_query.py`` (DatabaseQuery.prepare_filter_condition, the default
``order_by`` ``<sort_field> <sort_order>`` = ``modified desc``) and ``frappe/utils/data.py``
``get_filter`` (the operator list and its "Operator must be one of ..." error). Text compares
case-insensitively, as MariaDB's default ``utf8mb4_unicode_ci`` collation does; a NULL column
compares as its ``ifnull`` fallback ('' for text, 0 for numbers), as Frappe's SQL does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from collections.abc import Callable

from workbench.sandbox.erp.erpnext_meta import NUMERIC_TYPES, DocType

# frappe/utils/data.py get_filter: valid_operators
VALID_OPERATORS = ("=", "!=", ">", "<", ">=", "<=", "like", "not like", "in", "not in", "is", "between",
                   "descendants of", "ancestors of", "not descendants of", "not ancestors of", "timespan",
                   "previous", "next")
# valid on Frappe, not served here: refused rather than answered with unfiltered rows
UNSERVED_OPERATORS = ("descendants of", "ancestors of", "not descendants of", "not ancestors of", "timespan",
                      "previous", "next")


class QueryError(Exception):
    """A request Frappe refuses: ``exc_type`` names the frappe.exceptions class (HTTP 417)."""

    def __init__(self, exc_type: str, message: str):
        super().__init__(message)
        self.exc_type, self.message = exc_type, message


@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: Any


def _json(raw: str | None, what: str) -> Any:
    if raw in (None, ""):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise QueryError("ValidationError", f"{what} must be JSON, got {raw!r}") from None


def parse_filters(doctype: DocType, raw: str | None, what: str = "filters") -> list[Term]:
    """``[[field, op, value], ...]`` (optionally with the doctype first) or ``{field: value | [op, value]}``."""
    spec = _json(raw, what)
    if spec is None:
        return []
    rows: list[tuple[Any, Any, Any]] = []
    if isinstance(spec, dict):
        rows = [(f, v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (f, "=", v) for f, v in spec.items()]
    elif isinstance(spec, list):
        for t in spec:
            if not isinstance(t, list) or len(t) not in (3, 4):
                raise QueryError("ValidationError", f"Filter must have 4 values (doctype, fieldname, operator, "
                                                    f"value): {t}")
            if len(t) == 4:
                if t[0] != doctype.name:
                    raise QueryError("ValidationError", f"{what}: child-table filters ({t[0]}) are not served "
                                                        f"by this sandbox")
                t = t[1:]
            rows.append((t[0], t[1], t[2]))
    else:
        raise QueryError("ValidationError", f"{what} must be a list or a dict, got {raw!r}")
    terms = []
    for f, op, v in rows:
        op = str(op or "=").lower()
        if op not in VALID_OPERATORS:
            raise QueryError("ValidationError", f"Operator must be one of {', '.join(VALID_OPERATORS)}")
        if op in UNSERVED_OPERATORS:
            raise QueryError("ValidationError", f"Operator {op!r} is not served by this sandbox")
        if f not in doctype.fields:
            raise QueryError("DataError", f"Field not permitted in query: {f}")
        if op == "is" and str(v).lower() not in ("set", "not set"):
            raise QueryError("ValidationError", f"Operator 'is' takes 'set' or 'not set', got {v!r}")
        if op == "between" and not (isinstance(v, list) and len(v) == 2):
            raise QueryError("ValidationError", f"Operator 'between' takes a list of two values, got {v!r}")
        terms.append(Term(f, op, v))
    return terms


def _num(v: Any) -> Decimal:
    try:
        return Decimal(str(v)) if v not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)  # MariaDB casts a non-numeric string to 0 when compared with a number


def _like(pattern: str) -> re.Pattern[str]:
    """SQL LIKE: % any run, _ one character, anywhere in the pattern; case-insensitive."""
    out = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{out}$", re.IGNORECASE | re.DOTALL)


def _text(v: Any) -> str:
    """A text value as the collation compares it; NULL as its ``ifnull`` fallback ''."""
    return "" if v is None else str(v).casefold()


def _matcher(doctype: DocType, t: Term) -> Callable[[dict[str, Any]], bool]:
    numeric = doctype.fields[t.field].fieldtype in NUMERIC_TYPES

    def key(v: Any) -> Any:
        return _num(v) if numeric else _text(v)

    if t.op == "is":
        want_set = str(t.value).lower() == "set"
        return lambda r: (r.get(t.field) not in (None, "")) == want_set
    if t.op in ("like", "not like"):
        rx = _like(str(t.value))
        return lambda r: bool(rx.match("" if r.get(t.field) is None else str(r.get(t.field)))) == (t.op == "like")
    if t.op in ("in", "not in"):
        vals = t.value if isinstance(t.value, list) else [x.strip() for x in str(t.value).split(",")]
        keys = {key(v) for v in vals}
        return lambda r: (key(r.get(t.field)) in keys) == (t.op == "in")
    if t.op == "between":
        lo, hi = key(t.value[0]), key(t.value[1])
        return lambda r: r.get(t.field) not in (None, "") and lo <= key(r.get(t.field)) <= hi
    lit = key(t.value)
    cmp: Callable[[Any], Any] = {"=": lambda a: a == lit, "!=": lambda a: a != lit, ">": lambda a: a > lit,
                                 ">=": lambda a: a >= lit, "<": lambda a: a < lit, "<=": lambda a: a <= lit}[t.op]
    return lambda r: cmp(key(r.get(t.field)))


def compile_where(doctype: DocType, filters: list[Term], or_filters: list[Term]
                  ) -> Callable[[dict[str, Any]], bool] | None:
    """All ``filters`` and, when given, at least one of ``or_filters``."""
    if not filters and not or_filters:
        return None
    every = [_matcher(doctype, t) for t in filters]
    some = [_matcher(doctype, t) for t in or_filters]
    return lambda r: all(m(r) for m in every) and (not some or any(m(r) for m in some))


def split_name_after(terms: list[Term]) -> tuple[list[Term], str | None]:
    """``terms`` without their ``name > x`` terms, and the greatest x as the collation compares it (None
    when there is none): where a keyset page (``name >`` the last name read) starts."""
    bounds = [_text(t.value) for t in terms if t.field == "name" and t.op == ">"]
    if not bounds:
        return terms, None
    return [t for t in terms if not (t.field == "name" and t.op == ">")], max(bounds)


_ORDER = re.compile(r"^\s*`?(?:tab[\w ]+`?\.`?)?(\w+)`?(?:\s+(asc|desc))?\s*$", re.IGNORECASE)


def parse_order(doctype: DocType, raw: str | None) -> list[tuple[str, bool]]:
    """``"field [asc|desc], ..."`` -> [(field, descending)]; the doctype's default when not given."""
    if not raw:
        return [(doctype.sort_field, doctype.sort_order == "desc")]
    out = []
    for part in raw.split(","):
        m = _ORDER.match(part)
        if not m:
            raise QueryError("ValidationError", f"Invalid order_by: {raw!r}")
        if m.group(1) not in doctype.fields:
            raise QueryError("DataError", f"Field not permitted in query: {m.group(1)}")
        out.append((m.group(1), (m.group(2) or "asc").lower() == "desc"))
    return out


def sort_rows(doctype: DocType, rows: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Stable multi-key sort; NULLs first ascending (MariaDB), text case-insensitive."""
    for f, desc in reversed(order):
        numeric = doctype.fields[f].fieldtype in NUMERIC_TYPES

        def key(r: dict[str, Any], f: str = f, numeric: bool = numeric) -> tuple[Any, ...]:
            v = r.get(f)
            if v is None:
                return (0, Decimal(0) if numeric else "")
            return (1, _num(v) if numeric else str(v).casefold())
        rows.sort(key=key, reverse=desc)
    return rows
