"""The SOQL subset the sandbox understands, compiled to parameterised SQLite.

SELECT f1, f2 | COUNT() FROM Object [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...]
[LIMIT n] [OFFSET n]; cond has AND / OR / NOT, parentheses, = != <> < <= > >= IN / NOT IN LIKE,
string / number / true / false / null / date / datetime literals and the date literals
the date literals of the SOQL reference (TODAY, LAST_N_DAYS:n, THIS_YEAR, N_QUARTERS_AGO:n, ...) except
the FISCAL_ ones.
Text compares and sorts without regard to case; OFFSET is at most 2,000.
Anything else is refused the way Salesforce refuses it: MALFORMED_QUERY or INVALID_FIELD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.model import ids
from workbench.sandbox.salesforce.objects import FieldDef, ObjectDef, find_object, object_named, relationship_name


CI = "sf_ci"  # collation registered on the store's connection (see casefold_compare)
MAX_OFFSET = 2000


class SoqlError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>'(?:\\.|[^'\\])*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>[+-]?\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*(?::\d+)?)
""", re.X)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by", "asc", "desc",
            "nulls", "first", "last", "limit", "offset", "true", "false", "null"}


@dataclass
class Tok:
    kind: str
    text: str
    pos: int


def tokenize(q: str) -> list[Tok]:
    out, pos = [], 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{q[pos:pos + 20]}'")
        if m.lastgroup != "ws":
            out.append(Tok(m.lastgroup or "", m.group(), pos))
        pos = m.end()
    return out


@dataclass
class Range:
    """A date literal such as TODAY: a half-open interval of days."""
    start: date
    end: date


@dataclass
class Column:
    """One selected column: a field of the object, or of a parent through a relationship."""
    field: FieldDef
    sql: str
    rel: str | None = None  # relationship name as written in describe (Pricebook2, Parent, blng__Account__r)
    rel_obj: ObjectDef | None = None

    @property
    def name(self) -> str:
        return f"{self.rel}.{self.field.name}" if self.rel else self.field.name


@dataclass
class Join:
    alias: str
    obj: ObjectDef
    ref: FieldDef


@dataclass
class Query:
    obj: ObjectDef
    fields: list[Column]  # empty for COUNT()
    count: bool
    where_sql: str = ""
    params: list[Any] = field(default_factory=list)
    order_sql: str = ""
    limit: int | None = None
    offset: int = 0
    joins: list[Join] = field(default_factory=list)
    include_deleted: bool = False  # queryAll: deleted rows too (REST: QueryAll)


def _unquote(text: str) -> str:
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt in "%_":
                out.append("\\" + nxt)  # kept escaped: only meaningful inside LIKE
            else:
                raise SoqlError("MALFORMED_QUERY", f"invalid escape sequence '\\{nxt}' in string literal")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def col(f: FieldDef) -> str:
    return f't."{f.name}"'


class _Parser:
    def __init__(self, q: str, today: date, seen: Callable[[ObjectDef], ObjectDef]):
        self.seen = seen
        self.toks = tokenize(q)
        self.i = 0
        self.today = today
        self.params: list[Any] = []

    def peek(self, offset: int = 0) -> Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def kw(self, *words: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == "word" and t.text.lower() in words

    def expect_kw(self, word: str) -> None:
        if not self.kw(word):
            t = self.peek()
            raise SoqlError("MALFORMED_QUERY", f"expecting '{word.upper()}', found "
                                               f"'{t.text if t else 'end of query'}'")
        self.i += 1

    def take(self) -> Tok:
        t = self.peek()
        if t is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        self.i += 1
        return t

    def punct(self, ch: str) -> bool:
        t = self.peek()
        if t is not None and t.kind == "punct" and t.text == ch:
            self.i += 1
            return True
        return False

    def parse(self) -> Query:
        self.expect_kw("select")
        names: list[str] = []
        count = False
        if self.kw("count") and (nxt := self.peek(1)) is not None and nxt.text == "(":
            self.i += 1
            self.punct("(")
            if not self.punct(")"):
                raise SoqlError("MALFORMED_QUERY", "only COUNT() without a field is supported")
            count = True
        else:
            while True:
                t = self.take()
                if t.kind != "word" or t.text.lower() in KEYWORDS:
                    raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{t.text}'")
                names.append(t.text)
                if not self.punct(","):
                    break
        self.expect_kw("from")
        t = self.take()
        found = find_object(t.text) if t.kind == "word" else None
        obj = self.seen(found) if found is not None else None
        if obj is None:
            raise SoqlError("INVALID_TYPE", f"sObject type '{t.text}' is not supported. If you are attempting "
                                            f"to use a custom object, be sure to append the '__c' after the entity "
                                            f"name.")
        self.obj = obj
        self.joins: list[Join] = []
        fields = [self.column(n) for n in names]
        q = Query(obj, fields, count, joins=self.joins)
        if self.kw("where"):
            self.i += 1
            q.where_sql = self.or_expr()
        if self.kw("order"):
            self.i += 1
            self.expect_kw("by")
            parts = []
            while True:
                c = self.column(self.take().text)
                f = c.field
                expr = f"CAST({c.sql} AS REAL)" if f.numeric else \
                    f"{c.sql} COLLATE {CI}" if _is_text(f) else c.sql
                direction = "ASC"
                if self.kw("asc", "desc"):
                    direction = self.take().text.upper()
                nulls = "FIRST" if direction == "ASC" else "LAST"
                if self.kw("nulls"):
                    self.i += 1
                    nulls = self.take().text.upper()
                    if nulls not in ("FIRST", "LAST"):
                        raise SoqlError("MALFORMED_QUERY", "expecting FIRST or LAST after NULLS")
                parts.append(f"{expr} {direction} NULLS {nulls}")
                if not self.punct(","):
                    break
            q.order_sql = ", ".join(parts)
        if self.kw("limit"):
            self.i += 1
            q.limit = self.integer("LIMIT")
        if self.kw("offset"):
            self.i += 1
            q.offset = self.integer("OFFSET")
            if q.offset > MAX_OFFSET:  # SOQL and SOSL Reference: OFFSET, "The maximum offset is 2,000 rows"
                raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        if (extra := self.peek()) is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{extra.text}'")
        q.params = self.params
        return q

    def integer(self, what: str) -> int:
        t = self.take()
        if t.kind != "number" or not t.text.isdigit():
            raise SoqlError("MALFORMED_QUERY", f"{what} expects a non-negative integer, found '{t.text}'")
        return int(t.text)

    def column(self, name: str) -> Column:
        if "." not in name:
            f = self.field(name)
            return Column(f, col(f))
        rel, _, fname = name.partition(".")
        ref = None
        for f in self.obj.fields.values():
            if f.type == "reference" and relationship_name(f).lower() == rel.lower():
                ref = f
        if ref is None or "." in fname:
            raise SoqlError("INVALID_FIELD", f"Didn't understand relationship '{rel}' in field path. If you are "
                                             f"attempting to use a custom relationship, be sure to append the "
                                             f"'__r' after the custom relationship name. Please reference your "
                                             f"WSDL or the describe call for the appropriate names.")
        target = self.seen(object_named(ref.reference_to or ""))
        tf = target.field(fname)
        if tf is None:
            raise SoqlError("INVALID_FIELD", f"No such column '{fname}' on entity '{target.name}'. If you are "
                                             f"attempting to use a custom field, be sure to append the '__c' after "
                                             f"the custom field name. Please reference your WSDL or the describe "
                                             f"call for the appropriate names.")
        join = next((j for j in self.joins if j.ref is ref), None)
        if join is None:
            join = Join(f"r{len(self.joins)}", target, ref)
            self.joins.append(join)
        return Column(tf, f'{join.alias}."{tf.name}"', relationship_name(ref), target)

    def field(self, name: str) -> FieldDef:
        f = self.obj.field(name)
        if f is None:
            raise SoqlError("INVALID_FIELD", f"No such column '{name}' on entity '{self.obj.name}'. If you are "
                                             f"attempting to use a custom field, be sure to append the '__c' after "
                                             f"the custom field name. Please reference your WSDL or the describe "
                                             f"call for the appropriate names.")
        return f

    # conditions -----------------------------------------------------------------
    def or_expr(self) -> str:
        parts = [self.and_expr()]
        while self.kw("or"):
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def and_expr(self) -> str:
        parts = [self.not_expr()]
        while self.kw("and"):
            self.i += 1
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def not_expr(self) -> str:
        if self.kw("not"):
            self.i += 1
            return f"(NOT COALESCE({self.not_expr()}, 0))"
        if self.punct("("):
            inner = self.or_expr()
            if not self.punct(")"):
                raise SoqlError("MALFORMED_QUERY", "expecting ')'")
            return inner
        return self.comparison()

    def comparison(self) -> str:
        t = self.take()
        if t.kind != "word" or t.text.lower() in KEYWORDS:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{t.text}'")
        # a parent's field filters too (SOQL and SOSL Reference, Relationship Queries: "WHERE Account.Name
        # LIKE ..."); the parent is joined as for a selected one
        c = self.column(t.text)
        f, sql_of = c.field, c.sql
        negate = False
        if self.kw("not") and (nxt := self.peek(1)) is not None and nxt.text.lower() == "in":
            self.i += 1
            negate = True
        if self.kw("in"):
            self.i += 1
            if not self.punct("("):
                raise SoqlError("MALFORMED_QUERY", "expecting '(' after IN")
            values = []
            while True:
                values.append(self.value(f))
                if not self.punct(","):
                    break
            if not self.punct(")"):
                raise SoqlError("MALFORMED_QUERY", "expecting ')' to close the IN list")
            if any(isinstance(v, Range) for v in values):
                raise SoqlError("MALFORMED_QUERY", "date literals are not allowed in IN")
            non_null = [v for v in values if v is not None]
            self.params.extend(non_null)
            marks = ", ".join("?" for _ in non_null)
            sql = f"({self.expr(f, sql_of)} IN ({marks}))" if non_null else "0"
            if None in values:
                sql = f"({sql} OR {sql_of} IS NULL)"
            return f"(NOT COALESCE({sql}, 0) AND {sql_of} IS NOT NULL)" if negate else sql
        if self.kw("like"):
            self.i += 1
            v = self.take()
            if v.kind != "string":
                raise SoqlError("MALFORMED_QUERY", "LIKE expects a string literal")
            self.params.append(_unquote(v.text))
            return f"sf_like({sql_of}, ?)"
        op = self.take()
        if op.kind != "op":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{op.text}'")
        o = {"<>": "!="}.get(op.text, op.text)
        v = self.value(f)
        if v is None:
            if o == "=":
                return f"({sql_of} IS NULL)"
            if o == "!=":
                return f"({sql_of} IS NOT NULL)"
            raise SoqlError("MALFORMED_QUERY", "null can only be compared with = or !=")
        if isinstance(v, Range):
            lo, hi = self.bound(f, v.start), self.bound(f, v.end)
            x = sql_of
            sql = {"=": f"({x} >= ? AND {x} < ?)", "!=": f"({x} < ? OR {x} >= ?)", "<": f"({x} < ?)",
                   "<=": f"({x} < ?)", ">": f"({x} >= ?)", ">=": f"({x} >= ?)"}[o]
            self.params.extend({"=": [lo, hi], "!=": [lo, hi], "<": [lo], "<=": [hi], ">": [hi], ">=": [lo]}[o])
            return sql
        self.params.append(v)
        if o == "!=":  # SOQL's != is true for null values, unlike SQL
            return f"({sql_of} IS NULL OR {self.expr(f, sql_of)} != ?)"
        return f"({self.expr(f, sql_of)} {o} ?)"

    @staticmethod
    def expr(f: FieldDef, sql: str) -> str:
        # text comparisons ignore case, as in SOQL (SOQL and SOSL Reference: Comparison Operators)
        return f"CAST({sql} AS REAL)" if f.numeric else f"{sql} COLLATE {CI}" if _is_text(f) else sql

    def bound(self, f: FieldDef, d: date) -> str:
        return d.isoformat() if f.type == "date" else d.isoformat() + "T00:00:00.000+0000"

    def value(self, f: FieldDef) -> Any:
        t = self.take()
        low = t.text.lower()
        if t.kind == "word" and low == "null":
            return None
        if f.type == "boolean":
            if t.kind == "word" and low in ("true", "false"):
                return 1 if low == "true" else 0
            raise SoqlError("MALFORMED_QUERY", f"value of filter criterion for field '{f.name}' must be of type "
                                               f"boolean and should not be enclosed in quotes")
        if f.numeric:
            if t.kind != "number":
                raise SoqlError("MALFORMED_QUERY", f"value of filter criterion for field '{f.name}' must be of "
                                                   f"type {f.type} and should not be enclosed in quotes")
            try:
                return float(Decimal(t.text))
            except InvalidOperation:
                raise SoqlError("MALFORMED_QUERY", f"invalid number '{t.text}'") from None
        if f.type in ("date", "datetime"):
            if t.kind == "date":
                if f.type == "datetime":
                    raise SoqlError("MALFORMED_QUERY", f"value of filter criterion for field '{f.name}' must be "
                                                       f"of type dateTime and should not be enclosed in quotes")
                return t.text
            if t.kind == "datetime":
                if f.type == "date":
                    raise SoqlError("MALFORMED_QUERY", f"value of filter criterion for field '{f.name}' must be "
                                                       f"of type date and should not be enclosed in quotes")
                return _norm_datetime(t.text)
            if t.kind == "word":
                return self.date_literal(t.text)
            raise SoqlError("MALFORMED_QUERY", f"value of filter criterion for field '{f.name}' must be of type "
                                               f"{'dateTime' if f.type == 'datetime' else 'date'} and should not "
                                               f"be enclosed in quotes")
        if t.kind != "string":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{t.text}'")
        text = _unquote(t.text).replace("\\%", "%").replace("\\_", "_")
        if f.type in ("id", "reference") and len(text) in (15, 18):
            try:
                return ids.to_18(text)  # filters accept either id form
            except ids.InvalidSalesforceId:
                return text
        return text

    def date_literal(self, text: str) -> Range:
        """SOQL and SOSL Reference: Date Formats and Date Literals (weeks start on Sunday, the
        en_US locale; quarters are calendar quarters, the default fiscal year)."""
        name, _, arg = text.upper().partition(":")
        if arg and not arg.isdigit():
            raise SoqlError("MALFORMED_QUERY", f"invalid date literal '{text}'")
        n = int(arg) if arg else None
        d = self.today
        week = d - timedelta(days=(d.weekday() + 1) % 7)
        month = d.replace(day=1)
        quarter = _months(date(d.year, 3 * ((d.month - 1) // 3) + 1, 1), 0)
        year = date(d.year, 1, 1)
        fixed = {
            "THIS_WEEK": (week, week + timedelta(days=7)),
            "LAST_WEEK": (week - timedelta(days=7), week),
            "NEXT_WEEK": (week + timedelta(days=7), week + timedelta(days=14)),
            "NEXT_MONTH": (_months(month, 1), _months(month, 2)),
            "THIS_QUARTER": (quarter, _months(quarter, 3)),
            "LAST_QUARTER": (_months(quarter, -3), quarter),
            "NEXT_QUARTER": (_months(quarter, 3), _months(quarter, 6)),
            "THIS_YEAR": (year, _months(year, 12)),
            "LAST_YEAR": (_months(year, -12), year),
            "NEXT_YEAR": (_months(year, 12), _months(year, 24)),
            "LAST_90_DAYS": (d - timedelta(days=90), d + timedelta(days=1)),
            "NEXT_90_DAYS": (d + timedelta(days=1), d + timedelta(days=91)),
        }
        if name in fixed and n is None:
            return Range(*fixed[name])
        counted: dict[str, Callable[[int], tuple[date, date]]] = {
            "N_DAYS_AGO": lambda n: (d - timedelta(days=n), d - timedelta(days=n - 1)),
            "LAST_N_WEEKS": lambda n: (week - timedelta(days=7 * n), week),
            "NEXT_N_WEEKS": lambda n: (week + timedelta(days=7), week + timedelta(days=7 * (n + 1))),
            "N_WEEKS_AGO": lambda n: (week - timedelta(days=7 * n), week - timedelta(days=7 * (n - 1))),
            "LAST_N_MONTHS": lambda n: (_months(month, -n), month),
            "NEXT_N_MONTHS": lambda n: (_months(month, 1), _months(month, n + 1)),
            "N_MONTHS_AGO": lambda n: (_months(month, -n), _months(month, 1 - n)),
            "LAST_N_QUARTERS": lambda n: (_months(quarter, -3 * n), quarter),
            "NEXT_N_QUARTERS": lambda n: (_months(quarter, 3), _months(quarter, 3 * (n + 1))),
            "LAST_N_YEARS": lambda n: (_months(year, -12 * n), year),
            "NEXT_N_YEARS": lambda n: (_months(year, 12), _months(year, 12 * (n + 1))),
            "N_QUARTERS_AGO": lambda n: (_months(quarter, -3 * n), _months(quarter, 3 - 3 * n)),
            "N_YEARS_AGO": lambda n: (_months(year, -12 * n), _months(year, 12 - 12 * n)),
        }
        if name in counted and n is not None:
            return Range(*counted[name](n))
        if name == "TODAY":
            return Range(d, d + timedelta(days=1))
        if name == "YESTERDAY":
            return Range(d - timedelta(days=1), d)
        if name == "TOMORROW":
            return Range(d + timedelta(days=1), d + timedelta(days=2))
        if name == "LAST_N_DAYS" and n is not None:
            return Range(d - timedelta(days=n), d + timedelta(days=1))
        if name == "NEXT_N_DAYS" and n is not None:
            return Range(d + timedelta(days=1), d + timedelta(days=n + 1))
        if name in ("THIS_MONTH", "LAST_MONTH"):
            first = d.replace(day=1)
            if name == "LAST_MONTH":
                first = (first - timedelta(days=1)).replace(day=1)
            nxt = (first + timedelta(days=32)).replace(day=1)
            return Range(first, nxt)
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text}'")


def _months(first: date, n: int) -> date:
    """The first day of the month n months after (or before) the month starting at first."""
    k = first.year * 12 + first.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _is_text(f: FieldDef) -> bool:
    return not f.numeric and f.type not in ("boolean", "date", "datetime", "id", "reference")


def casefold_compare(a: str, b: str) -> int:
    """The CI collation: SOQL compares and sorts text without regard to case (any script, not only ASCII)."""
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def like(value: str | None, pattern: str | None) -> bool | None:
    """SOQL LIKE: % and _ wildcards, backslash escapes, case-insensitive (SOQL and SOSL Reference: LIKE)."""
    if value is None or pattern is None:
        return None
    rx, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            rx.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        rx.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(rx), value, re.S | re.I) is not None


def _norm_datetime(text: str) -> str:
    """Any SOQL datetime literal as the stored form 2026-10-31T12:00:00.000+0000 (UTC)."""
    s = text.replace("Z", "+00:00")
    if s[-5] in "+-" and s[-3] != ":":
        s = s[:-2] + ":" + s[-2:]
    d = datetime.fromisoformat(s).astimezone(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000"


def parse(q: str, today: date | None = None, seen: Callable[[ObjectDef], ObjectDef] | None = None) -> Query:
    """Parse and check one SOQL statement; raises SoqlError as Salesforce would answer it. ``seen``: each
    object as the querying user sees it (``ObjectDef.without``)."""
    if not q or not q.strip():
        raise SoqlError("MALFORMED_QUERY", "empty query")
    return _Parser(q, today or datetime.now(UTC).date(), seen or (lambda o: o)).parse()
