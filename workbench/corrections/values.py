"""Typed values of canonical fields, for corrections.

Corrections are stored as JSON (Decimal and dates become text), and a value a
user types by hand arrives as text. Both go through ``parse_value`` so a push
always sends a Decimal for money, a date for dates, an ISO code for currencies,
and refuses anything else with a one-line reason.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workbench.errors import InputError
from workbench.model.currency import is_currency, minor_units
from workbench.model.money import parse_decimal
from workbench.model.records import DATE_FIELDS, DECIMAL_FIELDS, RECORD_TYPES
from workbench.model.status import CANONICAL

BOOL_FIELDS = {"active", "booked", "is_credit_note"}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def field_type(kind: str | None, field: str) -> str:
    """decimal | date | currency | status | bool | text."""
    if field == "currency":
        return "currency"
    if kind == "invoices" and field == "status":
        return "status"
    if field in BOOL_FIELDS:
        return "bool"
    if kind in DECIMAL_FIELDS and field in DECIMAL_FIELDS[kind]:
        return "decimal"
    if kind in DATE_FIELDS and field in DATE_FIELDS[kind]:
        return "date"
    if kind is None:
        # a target object given by its source name: guess from the field name alone
        if any(field in fs for fs in DECIMAL_FIELDS.values()):
            return "decimal"
        if any(field in fs for fs in DATE_FIELDS.values()):
            return "date"
    return "text"


def canonical_kind(obj: str | None) -> str | None:
    return obj if obj in RECORD_TYPES else None


def parse_value(kind: str | None, field: str, value: Any, *, where: str = "value") -> Any:
    """The typed value for ``field`` of ``kind``; raises InputError naming what was expected."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    t = field_type(kind, field)
    if t == "decimal":
        try:
            return parse_decimal(value)
        except ValueError as exc:
            raise InputError(f"{where}: {field} is not an amount ({exc})",
                             expected="a decimal number such as 1250.00") from None
    if t == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(f"{where}: {field} is not a date", got=value, expected="YYYY-MM-DD") from None
    if t == "currency":
        code = str(value).strip().upper()
        if not is_currency(code):
            raise InputError(f"{where}: {field} is not a currency code", got=value,
                             expected="an ISO 4217 code such as EUR, USD, JPY")
        return code
    if t == "status":
        s = str(value).strip().lower()
        if s not in CANONICAL:
            raise InputError(f"{where}: {field} is not an invoice status", got=value,
                             expected=", ".join(CANONICAL))
        return s
    if t == "bool":
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise InputError(f"{where}: {field} is not true/false", got=value, expected="true or false")
    return str(value).strip() if isinstance(value, str) else str(value)


# Characters that make a text show other than it is written: bidirectional controls (U+202E turns
# "Springfield" typed backwards into what reads as Springfield) and control characters. The
# approver approves what they see, so a value typed by hand may not hold them. Joiners (U+200C,
# U+200D) stay: several scripts write names with them.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def check_shown_as_written(value: Any, *, where: str) -> None:
    """Refuse a typed text value holding a character that hides what it is (InputError naming it)."""
    if not isinstance(value, str):
        return
    for n, ch in enumerate(value, start=1):
        if ord(ch) in _BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\n\r"):
            name = unicodedata.name(ch, "a control character")
            raise InputError(f"{where}: the new value holds U+{ord(ch):04X} {name} (character {n}), which makes "
                             "it show other than it is written; type the value without it")


# Amounts that are money of the document's currency (a price may carry more places than the
# currency's minor unit: 4 decimals for a unit price are common).
_IN_MINOR_UNITS = {"total_amount", "open_balance", "amount"}
_MAX_DIGITS = 15  # whole digits: Salesforce's widest currency field holds 18 digits, 2 after the point


def check_amount(field: str, value: Any, currency: str | None, *, where: str) -> None:
    """Refuse a typed amount no ledger holds: more decimals than its currency's minor unit, or
    more whole digits than a system stores (1e400 parses as a number, nothing can book it)."""
    if not isinstance(value, Decimal):
        return
    if value.adjusted() >= _MAX_DIGITS:
        raise InputError(f"{where}: {field} {value} is too large for an amount",
                         expected=f"at most {_MAX_DIGITS} digits before the decimal point")
    places = max(0, -value.normalize().as_tuple().exponent)  # type: ignore[operator]  # finite: an int
    if field in _IN_MINOR_UNITS and is_currency(currency) and places > minor_units(str(currency)):
        unit = minor_units(str(currency))
        raise InputError(f"{where}: {field} {value} has {places} decimals; {currency} amounts have {unit}",
                         expected=f"an amount in whole {currency} minor units, such as {Decimal(1).scaleb(-unit)}")


def same(kind: str | None, field: str, a: Any, b: Any) -> bool:
    """Whether two values of a field mean the same (1250.0 == 1250.00, ' x' == 'x', '' == None)."""
    try:
        pa, pb = parse_value(kind, field, a), parse_value(kind, field, b)
    except InputError:
        return _text(a) == _text(b)
    if isinstance(pa, str) and isinstance(pb, str):
        return pa.strip() == pb.strip()
    return bool(pa == pb)


def field_changes(c: Any) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of every field a correction changes, the first one first: a
    compound correction's further fields (``also``) after it. Takes a Correction row or a
    row of ``list_corrections`` (a mapping), for every reader that shows a correction."""
    row: dict[str, Any] = c if isinstance(c, dict) else {k: getattr(c, k, None) for k in
                                                         ("field", "from_value", "to_value", "also")}
    first = (str(row.get("field")), row.get("from_value"), row.get("to_value"))
    return [first] + [(str(a["field"]), a.get("from"), a.get("to")) for a in row.get("also") or []]


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def display(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)
