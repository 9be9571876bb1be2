"""Vectorised parsing of text columns into canonical values, with row-exact errors.

Each function takes a pandas Series of text (index = 0-based data row) and returns an
object ndarray; on the first bad value it raises InputError naming the file, the row as
a spreadsheet user counts it (header = row 1) and the column.
"""

from __future__ import annotations

from datetime import datetime, UTC
from decimal import Decimal

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InputError
from workbench.model.currency import MINOR_UNITS
from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.model.money import parse_decimal

_PLAIN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
# Amounts must stay exact through rounding to minor units (Decimal keeps 28 digits): 18 digits
# before the point is a quintillion, beyond any ledger, so more is a broken cell, not money.
MAX_INTEGER_DIGITS = 18
_TRUE = {"true", "1", "yes", "y", "x"}
_FALSE = {"false", "0", "no", "n", ""}


class Where:
    """A column of a file; ``rows`` maps positions to file rows when some rows were left out before parsing."""

    def __init__(self, file: str, column: str, rows: np.ndarray | None = None):
        self.file, self.column, self.rows = file, column, rows

    def row(self, idx: int) -> int:
        return int(self.rows[idx]) if self.rows is not None else int(idx) + 2

    def error(self, message: str, idx: int, got: object = None, expected: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=self.row(idx), column=self.column, got=got, expected=expected)


def _shared(values: np.ndarray, convert: Callable[[Any], Any] | None = None) -> np.ndarray:
    """Each distinct value converted once, and equal values sharing one Python object.

    A million invoices hold a few hundred dates, six currencies and a handful of statuses;
    one object per row for each of them cost gigabytes (and the time to build them).
    """
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    uniq = np.asarray(uniq, dtype=object)
    if convert is not None:
        uniq = np.array([convert(u) for u in uniq] + [None], dtype=object)
    else:
        uniq = np.concatenate([uniq, np.array([None], dtype=object)])  # code -1 (missing) picks the last slot
    shared: np.ndarray = uniq[codes]
    return shared


def text(s: pd.Series) -> np.ndarray:
    out = _shared(s.to_numpy(dtype=object, na_value=None))  # type: ignore[call-overload]  # pandas-stubs: na_value=None
    out[(s == "").to_numpy(dtype=bool, na_value=True)] = None
    return out


def required(s: pd.Series, where: Where, what: str) -> None:
    blank = (s.str.strip() == "").to_numpy()
    if blank.any():
        raise where.error("empty value", int(np.argmax(blank)), expected=what)


def decimals(s: pd.Series, where: Where, *, decimal_comma: bool = False) -> np.ndarray:
    t = s.str.strip()
    if decimal_comma:
        t = t.str.replace(r"[.\s'](?=\d{3}(?:\D|$))", "", regex=True).str.replace(",", ".", regex=False)
    blank = (t == "").to_numpy(dtype=bool)
    ok = t.str.match(_PLAIN).to_numpy(dtype=bool)
    out = np.empty(len(t), dtype=object)
    vals = t.to_numpy(dtype=object)
    fast = ok & ~blank
    out[fast] = _shared(vals[fast], Decimal)
    out[blank] = None
    for i in np.flatnonzero(~ok & ~blank):
        try:
            out[i] = parse_decimal(vals[i])
        except ValueError:
            fmt = "a number like 1234.56" + (" (decimal comma: 1.234,56)" if decimal_comma else "")
            raise where.error("not a number", int(i), got=s.iloc[i], expected=fmt) from None
    # only long text or exponents can be too large; checking those keeps a million cells fast
    long = (t.str.len() > MAX_INTEGER_DIGITS).to_numpy(dtype=bool) | ~ok
    for i in np.flatnonzero(long & ~blank):
        if out[i].adjusted() >= MAX_INTEGER_DIGITS:
            raise where.error("number too large", int(i), got=s.iloc[i],
                              expected=f"an amount with at most {MAX_INTEGER_DIGITS} digits before the decimal point")
    return out


def dates(s: pd.Series, where: Where, fmt: str | list[str]) -> np.ndarray:
    """Dates in the declared format (or formats, tried in order: a CSV writes a datetime, XLSX a date)."""
    fmts = [fmt] if isinstance(fmt, str) else list(fmt)
    t = s.str.strip()
    blank = (t == "").to_numpy(dtype=bool)
    parsed = pd.to_datetime(t.where(~blank, None), format=fmts[0], errors="coerce")
    for other in fmts[1:]:
        parsed = parsed.fillna(pd.to_datetime(t.where(~blank, None), format=other, errors="coerce"))
    bad = parsed.isna().to_numpy() & ~blank
    if bad.any():
        i = int(np.argmax(bad))
        human = " or ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in fmts)
        raise where.error("not a date", i, got=s.iloc[i], expected=f"a date as {human}")
    # datetime64[D] -> datetime.date happens in C, once per distinct day
    codes, uniq = pd.factorize(parsed.to_numpy().astype("datetime64[D]"), use_na_sentinel=True)
    uniq = np.concatenate([np.asarray(uniq).astype("datetime64[D]").astype(object), np.array([None], dtype=object)])
    out: np.ndarray = uniq[codes]
    out[blank] = None
    return out


def timestamps(s: pd.Series, where: Where) -> np.ndarray:
    vals = s.str.strip().to_numpy(dtype=object)
    utc = UTC
    try:
        # datetime.fromisoformat is C and reads "2026-10-01T08:15:00.000Z" directly
        out = _shared(vals, lambda v: datetime.fromisoformat(v) if v else None)
    except ValueError:
        out = None
    if out is None or any(d is not None and d.tzinfo is None for d in out):
        parsed = pd.to_datetime(pd.Series(vals).where(vals != "", None), utc=True, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy() & (vals != "")
        if bad.any():
            i = int(np.argmax(bad))
            raise where.error("not a date-time", i, got=s.iloc[i], expected="ISO 8601 like 2026-10-01T08:15:00Z")
        naive = parsed.dt.tz_convert(None).to_numpy().astype("datetime64[us]").astype(object)
        return np.array([None if d is None else d.replace(tzinfo=utc) for d in naive], dtype=object)
    offset = [i for i, d in enumerate(out) if d is not None and d.utcoffset()]
    for i in offset:
        out[i] = out[i].astimezone(utc)
    return out


def currencies(s: pd.Series, where: Where) -> np.ndarray:
    t = s.str.strip()
    uniq = pd.unique(t)
    bad = [u for u in uniq if u and u not in MINOR_UNITS]
    if bad:
        i = int(np.argmax((t == bad[0]).to_numpy()))
        raise where.error("unknown currency code", i, got=s.iloc[i], expected="an ISO 4217 code such as EUR, USD, JPY")
    return text(t)


def booleans(s: pd.Series, where: Where) -> np.ndarray:
    t = s.str.strip().str.lower()
    uniq = pd.unique(t)
    bad = [u for u in uniq if u not in _TRUE and u not in _FALSE]
    if bad:
        i = int(np.argmax((t == bad[0]).to_numpy()))
        raise where.error("not a yes/no value", i, got=s.iloc[i], expected="true or false")
    out = np.empty(len(t), dtype=object)
    tv = t.to_numpy()
    out[:] = np.isin(tv, list(_TRUE))
    out[tv == ""] = None
    return out


def salesforce_ids(s: pd.Series, where: Where) -> np.ndarray:
    """Normalise Salesforce ids to 18 characters; checksums verified in bulk."""
    vals = s.str.strip().to_numpy(dtype=object)
    out = np.empty(len(vals), dtype=object)
    blank = vals == ""
    out[blank] = None
    lens = np.fromiter((len(v) for v in vals), dtype=np.int64, count=len(vals))
    todo = np.flatnonzero(~blank)
    try:
        ascii18 = todo[lens[todo] == 18]
        if len(ascii18):
            arr = np.array(vals[ascii18].tolist(), dtype="S18").view(np.uint8).reshape(-1, 18)
            up = (arr[:, :15] >= 65) & (arr[:, :15] <= 90)
            alpha = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
            w = 1 << np.arange(5)
            good = np.ones(len(ascii18), dtype=bool)
            for c in range(3):
                good &= alpha[(up[:, c * 5:c * 5 + 5] * w).sum(axis=1)] == arr[:, 15 + c]
            alnum = ((arr >= 48) & (arr <= 57)) | ((arr >= 65) & (arr <= 90)) | ((arr >= 97) & (arr <= 122))
            good &= alnum.all(axis=1)
            out[ascii18[good]] = vals[ascii18[good]]
            todo = np.setdiff1d(todo, ascii18[good], assume_unique=True)
    except UnicodeEncodeError:
        pass
    cache: dict[str, str] = {}
    for i in todo:
        v = vals[i]
        try:
            r = cache.get(v)
            if r is None:
                r = cache[v] = to_18(v)
            out[i] = r
        except InvalidSalesforceId as exc:
            raise where.error(f"not a Salesforce id ({exc})", int(i),
                              expected="a 15- or 18-character Salesforce record id") from None
    return out


def check_unique(values: np.ndarray, where: Where, what: str) -> None:
    if not pd.Index(values).has_duplicates:
        return
    s = pd.Series(values)
    dup = s.duplicated(keep="first").to_numpy() & s.notna().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        first = int(np.argmax((s == s.iloc[i]).to_numpy()))
        raise where.error(f"duplicate key (the same {what} as row {where.row(first)})", i, got=values[i],
                          expected=f"each {what} once")
