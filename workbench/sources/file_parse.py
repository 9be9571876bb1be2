"""Vectorised parsing of text columns into canonical values, with row-exact errors.

Each function takes a pandas Series of text (index = 0-based data row) and returns an
object ndarray; on the first bad value it raises InputError naming the file, the row as
a spreadsheet user counts it (header = row 1) and the column.
"""

from __future__ import annotations

import re
from datetime import datetime, UTC
from decimal import Decimal

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import InputError
from workbench.model.currency import MINOR_UNITS
from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.model.money import parse_decimal
from workbench.sources.file_reader import DATE, DATETIME, NUMBER

_PLAIN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
# Amounts must stay exact through rounding to minor units (Decimal keeps 28 digits): 18 digits
# before the point is a quintillion, beyond any ledger, so more is a broken cell, not money.
MAX_INTEGER_DIGITS = 18
_TRUE = {"true", "1", "yes", "y", "x"}
_FALSE = {"false", "0", "no", "n", ""}
# thousands marks beside a decimal comma: a point, a space (also no-break or narrow), an apostrophe
_SPACES = " \u00a0\u202f"
_GROUP_MARKS = f"[.{_SPACES}'’]"
# one of them throughout, every group three digits; a sign, parentheses or a trailing minus (SAP) around it
# (a first group of 0 groups nothing: 0.500 is no five hundred)
_COMMA_GROUPED = (rf"[(+-]?[1-9][0-9]{{0,2}}(?:(?:\.[0-9]{{3}})+|(?:[{_SPACES}][0-9]{{3}})+|(?:['’][0-9]{{3}})+)"
                  r"(?:,[0-9]*)?(?:\)| *-)?")
_COMMA_EXAMPLE = "decimal comma: 1.234.567,89, thousands grouped in threes"
# a sign, parentheses or SAP's trailing minus around an amount
_OPEN, _CLOSE = r"[(+-]?", r"(?:\)| *-)?"
# One mark and three digits after it: 1,234 is 1234 where a comma groups thousands and 1.234 where it is the decimal
# mark (and 1.234 the other way round). Read by the one convention, a file written in the other is a thousand times
# off, so it is read only where the convention is declared (decimal_comma) or the file shows it.
_AMBIGUOUS = rf"{_OPEN}[1-9][0-9]{{0,2}}[,.][0-9]{{3}}{_CLOSE}"
# Amounts only a decimal point writes: a point that is no thousands group (12.50, 0.125, 1234.567, 1,234.56), two
# commas (1,234,567, no decimal comma) or India's grouping (lakhs and crores: 1,23,45,678.90)
_INDIAN = rf"{_OPEN}[1-9][0-9]?(?:,[0-9]{{2}})+,[0-9]{{3}}(?:\.[0-9]*)?{_CLOSE}"
_POINT_SHOWN = (rf"{_OPEN}(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]*)\.[0-9]+{_CLOSE}"
                rf"|{_OPEN}[0-9]{{1,3}}(?:,[0-9]{{3}}){{2,}}{_CLOSE}|{_INDIAN}")
# a thousands group after a lone 0: 0,500 (or 0 500) is a decimal comma's half, never five hundred (0,000 is zero
# either way)
_ZERO_GROUP = rf"{_OPEN}0+[,'’{_SPACES}](?:[1-9][0-9]{{2}}|0[1-9][0-9]|00[1-9])"
# zero, however its marks are read: 0.000, 0,000, 0.000,00
_ALL_ZEROS = rf"{_OPEN}0+(?:[.,'’{_SPACES}]0+)*{_CLOSE}"
# a currency symbol (Unicode's category Sc: $ € £ ¥ ₹ ...) or an ISO code beside an amount: NetSuite writes
# $1,234.56 and ($1,234.56), accounting formats 1.234,56 €
_CURRENCY_SYMBOL = re.compile(r"[$€£¥₹₽₩₺₪₫฿₱₦₴₸₡]|\bFr\.")
_WORD = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
# Excel's Comma Style (the accounting format) shows a zero as a dash, and a CSV saved from Excel writes it so
# (" -   " padded as the format aligns it)
_DASH_ZERO = "-"
_DECLARE = ("the file's decimal mark declared in the config: decimal_comma = false where a comma groups thousands "
            "(1,234 is 1234), decimal_comma = true where it is the decimal comma (1,234 is 1.234)")
# Excel shows a number too long for its cell in scientific notation (General format: 1.23457E+14, six
# digits) and saves a CSV as it shows it; a workbook keeps 15 significant digits of any number, so a longer id
# stored as a number reads 1.2345678901234568e+16. Either way the id's other digits are gone.
_SCIENTIFIC = r"^[0-9](?:\.[0-9]+)?[eE]\+[0-9]+$"
# an amount as Excel's General format shows it: at most six significant digits, E in upper case, an exponent of two
# digits (1.23457E+11; a German Excel writes 1,23457E+11). Other writers' exponents (1.25E+6, 1e3) are exact; one of
# 18 or more is refused as too large.
_SCIENTIFIC_AMOUNT = r"^[(+-]?[0-9](?:[.,][0-9]{1,5})?E\+(?:0[0-9]|1[0-7])\)?-?$"
# what a report writes in place of a record's id on its total rows: the label (English, German, French, Dutch,
# Italian), or SAP's list marks, * beside a total and ** beside a total of totals
_TOTAL_LABELS = ["total", "totals", "grand total", "subtotal", "sub-total", "sum", "summe", "gesamt", "gesamtsumme",
                 "endsumme", "zwischensumme", "total général", "totaal", "totale", "totaux"]
# a group's total, its label then what it sums: QuickBooks' "Total for Adams & Baker", Xero's "Total Ridgeway
# University", "Summe Kunde 10001" (a space after the label: an id such as TOTAL-0001 or Totalreparatur is none)
_GROUP_TOTAL = "^(?:" + "|".join(re.escape(w) for w in _TOTAL_LABELS) + r")(?::|\s+for)?\s+\S"
# what a cell holds where its formula failed: Excel's error values, as a workbook stores them and a CSV saved from
# Excel writes them
_EXCEL_ERRORS = ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                 "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"]
# rows looked at to tell a column of per-record values from one whose values repeat
_SAMPLE = 4096
# Business Central writes an empty date as 0001-01-01: AL's blank date 0D is shown as 0001-01-01
# by the API and its exports, as the live connector knows (erp_mapping.EMPTY_DATES). No system
# holds a real business date in year 1, so in any file and any date format it is an empty cell.
BLANK_DATE = np.datetime64("0001-01-01", "D")
# SAP's initial date (a DATS field's 00000000, shown 00.00.0000) and MySQL's zero date 0000-00-00 (ERPNext's
# database): no date, as Business Central's 0001-01-01
_ZERO_DATE = re.compile(r"0{2,4}([./-]?)00\1(?:0{2}|0{4})|0{8}")
# the midnight after a date, with or without seconds, their fraction and a zone; or on a 12-hour clock, as .NET's
# en-US dates and Dynamics GP or SSRS exports write it (12/31/2026 12:00:00 AM)
_MIDNIGHT = (r"[T ](?:00:00(?::00(?:\.0+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?|12:00(?::00)? ?(?:AM|am))$")
_TIME_OF_DAY = r"[T ][0-9]{1,2}:[0-9]{2}"


class Where:
    """A column of a file; ``rows`` maps positions to file rows when some rows were left out before parsing."""

    def __init__(self, file: str, column: str, rows: np.ndarray | None = None):
        self.file, self.column, self.rows = file, column, rows

    def row(self, idx: int) -> int:
        return int(self.rows[idx]) if self.rows is not None else int(idx) + 2

    def error(self, message: str, idx: int, got: object = None, expected: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=self.row(idx), column=self.column, got=got, expected=expected)


def encoded(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(codes, distinct values) of a text column: codes index the values (-1 = missing), values in the
    order they first occur, so the first bad distinct value is also the first bad row.

    Arrow's dictionary encoding runs in C over the column's buffers; Python objects are made only
    for the distinct values, which is what makes a million-row column cheap (a month's invoices
    hold a few hundred dates, six currencies, a handful of statuses). A column whose values hardly
    repeat (ids, numbers, amounts) is its own list of values (codes 0..n-1): encoding it would
    build a hash table of a million entries to save nothing.
    """
    arr = column(s)
    codes: np.ndarray
    if _hardly_repeats(arr):
        codes = np.arange(len(arr), dtype=np.int64)
        if arr.null_count:
            codes[arr.is_null().to_numpy(zero_copy_only=False)] = -1
        return codes, arr
    enc = arr.dictionary_encode()
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return codes, enc.dictionary


def column(s: pd.Series) -> pa.Array:
    """The column as one Arrow string array (no copy when pandas already holds it in Arrow)."""
    arr = pa.array(s, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return arr


def _hardly_repeats(arr: pa.Array) -> bool:
    """Judged on the first rows: extracts are sorted by key or date, so repeats show early (an invoice
    file's customer ids come in runs); nine in ten distinct there means the column is per record."""
    if len(arr) < 2 * _SAMPLE:
        return False
    head = arr.slice(0, _SAMPLE)
    return len(head.dictionary_encode().dictionary) > 0.9 * _SAMPLE


def distinct(s: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """``encoded`` with the distinct values as Python strings."""
    codes, values = encoded(s)
    return codes, values.to_pylist()


def spread(codes: np.ndarray, values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """One object per row from converted distinct values: equal values share one Python object."""
    table = np.empty(len(values) + 1, dtype=object)
    table[:len(values)] = values
    table[len(values)] = None  # code -1 (missing) picks the last slot
    out: np.ndarray = table[codes]
    return out


def _spread_or_same(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``spread``, without copying when each row is its own value (a column of per-record values)."""
    if len(values) == len(codes) and bool((codes == np.arange(len(codes))).all()):
        return values
    return spread(codes, values)


def first_row(codes: np.ndarray, k: int) -> int:
    """Position of the first row holding distinct value ``k``."""
    return int(np.argmax(codes == k))


def text(s: pd.Series) -> np.ndarray:
    arr = column(s)
    if _hardly_repeats(arr):  # a value per record: its Python strings made in one call, blanks then missing
        out: np.ndarray = arr.to_numpy(zero_copy_only=False)
        out[pc.equal(arr, "").fill_null(False).to_numpy(zero_copy_only=False)] = None
        return out
    codes, uniq = distinct(s)
    return spread(codes, [None if u == "" else u for u in uniq])


def required(s: pd.Series, where: Where, what: str) -> None:
    blank = (s.str.strip() == "").to_numpy()
    if blank.any():
        raise where.error("empty value", int(np.argmax(blank)), expected=what)


def identifiers(s: pd.Series, where: Where, stored: np.ndarray | None = None) -> None:
    """Refuses an id (a number, code, tax id or reference) that a spreadsheet wrote in scientific notation, or
    a workbook's date cell there (``stored``: what each XLSX cell held): Excel turns a code such as 3-11 or
    OCT1 into a date when it opens a CSV file."""
    expected = "the id as the system writes it: export the file again, and open it in Excel only with this column " \
               "formatted as Text"
    dated = None if stored is None else (stored == DATE) | (stored == DATETIME)
    if dated is not None and dated.any():
        i = int(np.argmax(dated))
        raise where.error("a date cell where an id is expected (Excel turns codes such as 3-11 into dates)", i,
                          got=s.iloc[i], expected=expected)
    arr = pc.utf8_trim_whitespace(column(s))
    if not pc.any(pc.match_substring(arr, "e+", ignore_case=True)).as_py():
        return  # the usual column: no exponent anywhere, a single pass in C
    hit = pc.match_substring_regex(arr, _SCIENTIFIC).fill_null(False).to_numpy(zero_copy_only=False)
    if hit.any():
        i = int(np.argmax(hit))
        raise where.error("an id in scientific notation, as Excel shows a long number (its other digits are lost)",
                          i, got=s.iloc[i], expected=expected)


def no_excel_errors(s: pd.Series, where: Where) -> None:
    """Refuses a cell holding Excel's error value (#N/A, #REF!): as text it would pass for an id, a name or a
    reference, where the formula that should have given the value failed."""
    arr = column(s)
    if not pc.any(pc.match_substring(arr, "#")).as_py():
        return  # the usual column: no # anywhere, a single pass in C
    hit = pc.is_in(pc.utf8_trim_whitespace(arr), pa.array(_EXCEL_ERRORS)).fill_null(False)
    at = hit.to_numpy(zero_copy_only=False)
    if at.any():
        i = int(np.argmax(at))
        raise where.error("Excel's error value (a formula that failed)", i, got=s.iloc[i],
                          expected="the value: correct the formula in the workbook, or export the data again")


def no_totals(s: pd.Series, where: Where) -> None:
    """Refuses a row whose id is a total row's label ("Total", "Grand Total:", SAP's "*"): read as a record, a
    report's sum would be an invoice or payment of its own."""
    t = pc.utf8_lower(pc.utf8_rtrim(pc.utf8_trim_whitespace(column(s)), characters=": "))
    hit = pc.or_(pc.or_(pc.is_in(t, pa.array(_TOTAL_LABELS)), pc.match_substring_regex(t, r"^\*+$")),
                 pc.match_substring_regex(t, _GROUP_TOTAL))
    at = hit.fill_null(False).to_numpy(zero_copy_only=False)
    if at.any():
        i = int(np.argmax(at))
        raise where.error("a total row, not a record", i, got=s.iloc[i],
                          expected="a record on every row: export the list without totals, or delete the row")


def point_decimals_shown(s: pd.Series, stored: np.ndarray | None = None) -> bool:
    """Whether amounts typed in the column (not a workbook's number cells) show a decimal point: 12.50, 1,234.56."""
    arr = column(s)
    if stored is not None:
        arr = arr.filter(pa.array(stored != NUMBER))
    # an export shows its decimals from the first rows on: those are looked at first
    return any(_shows_point(part) for part in (arr.slice(0, _SAMPLE), arr.slice(_SAMPLE)) if len(part))


def _shows_point(arr: pa.Array) -> bool:
    d = pc.utf8_trim_whitespace(arr.unique())
    shown = pc.and_(pc.match_substring_regex(d, f"^(?:{_POINT_SHOWN})$"),
                    pc.invert(pc.match_substring_regex(d, f"^(?:{_AMBIGUOUS})$")))
    return bool(pc.any(shown).as_py())


def decimals(s: pd.Series, where: Where, *, decimal_comma: bool | None = False,
             stored: np.ndarray | None = None) -> np.ndarray:
    """Amounts; ``stored``: what each XLSX cell held (file_reader.Table.cells), None for CSV text.

    ``decimal_comma``: True, amounts are written 1.234,56; False, 1,234.56; None, neither was declared and the
    file shows no decimal point, so an amount that reads either way (1,234) is refused."""
    t = s.str.strip()
    # decimal_comma is about amounts as people type them (1.234,56). A cell Excel stored as a number
    # was written as that number's own exact text (3450.125), where a point is never a thousands
    # separator: read with the rule, 3450.125 KWD would become 3,450,125.
    typed = np.ones(len(t), dtype=bool) if stored is None else stored != NUMBER
    if decimal_comma:
        t = t.where(~typed, _comma_decimals(t.where(typed, ""), where))
    codes, d = encoded(t)
    # the checks below look at the distinct values, in C; a number cell's text (1234.5, 1.23456789012346e+16)
    # holds no comma, space, dash or upper-case E, so only the two-way reading needs to know which cells were typed
    if pc.any(pc.equal(d, _DASH_ZERO)).as_py():
        d = pc.if_else(pc.equal(d, _DASH_ZERO), "0", d)
    _no_scientific(d, codes, s, where)
    if not decimal_comma:
        d = _point_decimals(d, codes, typed, s, where, declared=decimal_comma is False)
    # which distinct values are plain numbers is decided in C; Decimal() then reads those as they are
    plain = pc.match_substring_regex(d, _PLAIN).to_numpy(zero_copy_only=False)
    blank = pc.equal(d, "").to_numpy(zero_copy_only=False)
    values: np.ndarray
    if plain.all():  # the usual extract: every value a plain number, read in one pass
        values = np.fromiter(map(Decimal, d.to_pylist()), dtype=object, count=len(d))
    else:
        values = np.empty(len(d), dtype=object)
        values[plain] = list(map(Decimal, d.filter(pa.array(plain)).to_pylist()))
    for k in np.flatnonzero(~plain & ~blank):
        try:
            values[k] = parse_decimal(d[k].as_py())
        except ValueError:
            fmt = "a number like 1234.56" + (f" ({_COMMA_EXAMPLE})" if decimal_comma else "")
            i = first_row(codes, int(k))
            if not decimal_comma and _reads_with_comma(d[k].as_py()):
                fmt += " (it is written with a decimal comma: declare decimal_comma = true for this file)"
            if _currency_in_cell(d[k].as_py()):
                raise where.error("not a number (an amount with its currency in the cell)", i, got=s.iloc[i],
                                  expected=fmt + ", the currency in its own column: export amounts without "
                                           "currency symbols or codes (a symbol such as $ names no currency: USD, "
                                           "CAD, AUD ...)") from None
            raise where.error("not a number", i, got=s.iloc[i], expected=fmt) from None
    # only long text or exponents can be too large; checking those keeps a million cells fast
    long = pc.greater(pc.utf8_length(d), MAX_INTEGER_DIGITS).to_numpy(zero_copy_only=False) | ~plain
    for k in np.flatnonzero(long & ~blank):
        if values[k].adjusted() >= MAX_INTEGER_DIGITS:
            i = first_row(codes, int(k))
            raise where.error("number too large", i, got=s.iloc[i],
                              expected=f"an amount with at most {MAX_INTEGER_DIGITS} digits before the decimal point")
    return _spread_or_same(codes, values)


def _no_scientific(d: pa.Array, codes: np.ndarray, s: pd.Series, where: Where) -> None:
    """Refuses an amount typed in scientific notation: Excel shows a number of 12 digits or more so in a column
    formatted General (123456789012 IDR as 1.23457E+11) and saves a CSV as it shows it, so the digits after the
    sixth are gone; read, it would be 123,457,000,000."""
    if not pc.any(pc.match_substring(d, "E+")).as_py():
        return  # the usual column: no exponent anywhere, a single pass in C
    hit = pc.match_substring_regex(d, _SCIENTIFIC_AMOUNT).fill_null(False).to_numpy(zero_copy_only=False)
    if hit.any():
        i = first_row(codes, int(np.argmax(hit)))
        raise where.error("an amount in scientific notation, as Excel shows a long number (its other digits are "
                          "lost)", i, got=s.iloc[i], expected="the amount in full: format the column as Number in "
                                                              "Excel before saving, or export the file again")


def _point_decimals(d: pa.Array, codes: np.ndarray, typed: np.ndarray, s: pd.Series, where: Where, *,
                    declared: bool) -> pa.Array:
    """Distinct amounts written with a decimal point, as parse_decimal reads them; India's grouping (1,23,456.78)
    without its commas. Refuses a thousands group after a lone 0 (0,500: a decimal comma's half, which parse_decimal
    would read as 500), and, unless the file's decimal point is ``declared``, a typed amount that reads either way."""
    if pc.any(pc.match_substring_regex(d, rf"[,'’{_SPACES}]")).as_py():  # else nothing is grouped: one pass in C
        zero = pc.match_substring_regex(d, "^" + _ZERO_GROUP).to_numpy(zero_copy_only=False)
        if zero.any():
            i = first_row(codes, int(np.argmax(zero)))
            raise where.error("not a number (a thousands group after 0)", i, got=s.iloc[i],
                              expected="a number like 1234.56 (or declare decimal_comma = true if 0,500 is a half)")
        d = pc.if_else(pc.match_substring_regex(d, f"^(?:{_INDIAN})$"), pc.replace_substring(d, ",", ""), d)
    if not declared:
        either = np.flatnonzero(pc.match_substring_regex(d, f"^(?:{_AMBIGUOUS})$").to_numpy(zero_copy_only=False))
        rows = np.isin(codes, either) & typed if len(either) else typed[:0]
        if rows.any():
            i = int(np.argmax(rows))
            raise where.error("an amount that reads two ways (its mark may group thousands or be the decimal "
                              "mark, and no amount of the file shows which)", i, got=s.iloc[i], expected=_DECLARE)
    return d


def _currency_in_cell(text: str) -> bool:
    """A currency's symbol or ISO code beside the amount (not any word: TBD is no currency)."""
    return _CURRENCY_SYMBOL.search(text) is not None or any(w in MINOR_UNITS for w in _WORD.findall(text))


def _reads_with_comma(text: str) -> bool:
    """Whether an amount refused under a decimal point reads under a decimal comma (12,50; 1.234,56)."""
    grouped = re.fullmatch(_COMMA_GROUPED, text) is not None
    plain = re.sub(_GROUP_MARKS, "", text) if grouped else text
    return re.fullmatch(_OPEN + r"[0-9]+,[0-9]+" + _CLOSE, plain) is not None


def _comma_decimals(t: pd.Series, where: Where) -> pd.Series:
    """Amounts written with a decimal comma, as plain numbers: thousands are grouped by a point, a space or
    an apostrophe (Swiss: 12'345,00, also typed ’), in threes from the left. A point that groups nothing
    (1234.567, 12.34.567,8) is refused: read as a group it would make 1234.567 a thousand times larger."""
    grouped = t.str.fullmatch(_COMMA_GROUPED)
    typed = t.where(~grouped, t.str.replace(_GROUP_MARKS, "", regex=True))
    # (only amounts of digits and marks: one with its currency in the cell is refused as such)
    stray = ~grouped & t.str.contains(_GROUP_MARKS + r"[0-9]{3}(?:[^0-9]|$)", regex=True) & t.str.fullmatch(
        rf"[0-9.,'’{_SPACES}()+-]*") & ~t.str.fullmatch(_ALL_ZEROS)
    if stray.any():
        i = int(np.argmax(stray.to_numpy(dtype=bool)))
        raise where.error("not a number (a point or space that groups no thousands)", i, got=t.iloc[i],
                          expected=f"a number like 1234.56 ({_COMMA_EXAMPLE})")
    return typed.str.replace(",", ".", regex=False)


def dates(s: pd.Series, where: Where, fmt: str | list[str], stored: np.ndarray | None = None) -> np.ndarray:
    """Dates in the declared format (or formats, tried in order: a CSV writes a datetime, XLSX a date).

    ``stored``: what each XLSX cell held; a date-time cell gives its date, as Excel shows it in a date
    column. The blank date placeholder 0001-01-01 (BLANK_DATE) is read as an empty cell."""
    fmts = [fmt] if isinstance(fmt, str) else list(fmt)
    t = s.str.strip()
    if stored is not None and (stored == DATETIME).any():
        # the reader wrote a date-time cell as ISO text with its time ("2026-08-31 14:30:00"); its
        # date in the declared format is what the column holds
        at = stored == DATETIME
        t = t.copy()
        t[at] = pd.to_datetime(t[at], format="ISO8601").dt.strftime(fmts[0]).to_numpy(dtype=object)
    timed = any("%H" in f for f in fmts)
    if not timed:
        # a date written as the midnight that starts it (2026-12-31T00:00:00, 31.12.2026 00:00, SQL's .000): as
        # OData feeds, database and Dynamics exports write a date column; the date is that day in any time zone
        t = t.str.replace(_MIDNIGHT, "", regex=True)
    codes, uniq = distinct(t)
    texts = pd.Series([None if not u or _ZERO_DATE.fullmatch(u) else u for u in uniq], dtype=object)
    parsed = pd.to_datetime(texts, format=fmts[0], errors="coerce")
    for other in fmts[1:]:
        parsed = parsed.fillna(pd.to_datetime(texts, format=other, errors="coerce"))
    bad = parsed.isna().to_numpy() & texts.notna().to_numpy()
    if bad.any():
        i = first_row(codes, int(np.argmax(bad)))
        human = " or ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in fmts)
        serial = re.fullmatch(r"[1-9][0-9]{4}(?:\.0+)?", str(s.iloc[i]).strip()) is not None
        if not timed and re.search(_TIME_OF_DAY, str(s.iloc[i])):
            raise where.error("not a date (a date with a time of day, whose day depends on the time zone)", i,
                              got=s.iloc[i], expected=f"a date as {human}, or the day's midnight (00:00:00)")
        raise where.error("not a date", i, got=s.iloc[i], expected=f"a date as {human}" + (
            " (this is how Excel stores a date, counted in days since 1900: format the column as a date in Excel "
            "before saving)" if serial else ""))
    days = parsed.to_numpy().astype("datetime64[D]")
    values = days.astype(object)  # NaT (a blank cell) becomes None
    values[days == BLANK_DATE] = None
    return spread(codes, list(values))


def timestamps(s: pd.Series, where: Where) -> np.ndarray:
    codes, uniq = distinct(s.str.strip())
    utc = UTC
    try:
        # datetime.fromisoformat is C and reads "2026-10-01T08:15:00.000Z" directly
        values: list[datetime | None] = [datetime.fromisoformat(v) if v else None for v in uniq]
    except ValueError:
        values = []
    if len(values) != len(uniq) or any(d is not None and d.tzinfo is None for d in values):
        texts = pd.Series([u or None for u in uniq], dtype=object)
        parsed = pd.to_datetime(texts, utc=True, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy() & texts.notna().to_numpy()
        if bad.any():
            i = first_row(codes, int(np.argmax(bad)))
            raise where.error("not a date-time", i, got=s.iloc[i], expected="ISO 8601 like 2026-10-01T08:15:00Z")
        naive = parsed.dt.tz_convert(None).to_numpy().astype("datetime64[us]").astype(object)
        return spread(codes, [None if d is None else d.replace(tzinfo=utc) for d in naive])
    return spread(codes, [d.astimezone(utc) if d is not None and d.utcoffset() else d for d in values])


def currencies(s: pd.Series, where: Where) -> np.ndarray:
    codes, uniq = distinct(s.str.strip())
    bad = next((k for k, u in enumerate(uniq) if u and u not in MINOR_UNITS), None)
    if bad is not None:
        i = first_row(codes, bad)
        raise where.error("unknown currency code", i, got=s.iloc[i], expected="an ISO 4217 code such as EUR, USD, JPY")
    return spread(codes, [u or None for u in uniq])


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
    """Normalise Salesforce ids to 18 characters; checksums of the distinct ids verified in bulk."""
    codes, d = encoded(s.str.strip())
    values = d.to_numpy(zero_copy_only=False)
    for k in np.flatnonzero(~_checked_18(d)):
        v = values[k]
        if v == "":
            values[k] = None
            continue
        try:
            values[k] = to_18(v)
        except InvalidSalesforceId as exc:
            raise where.error(f"not a Salesforce id ({exc})", first_row(codes, int(k)),
                              expected="a 15- or 18-character Salesforce record id") from None
    return _spread_or_same(codes, values)


_KIND = np.zeros(256, dtype=np.uint8)
_KIND[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)] = 2
_KIND[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)] = 1
_CHECKSUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)


def _checked_18(ids: pa.Array) -> np.ndarray:
    """True where an id is 18 ASCII letters/digits whose last three are the checksum of the first 15."""
    good = np.zeros(len(ids), dtype=bool)
    mask = pc.and_(pc.equal(pc.binary_length(ids), 18), pc.string_is_ascii(ids))
    at = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    if not len(at):
        return good
    # the 18-byte ids lie end to end in the filtered array's data buffer: one uint8 matrix, no copies
    sub = ids.filter(mask)
    offsets = np.frombuffer(sub.buffers()[1], dtype=np.int64 if pa.types.is_large_string(sub.type) else np.int32)
    start = int(offsets[sub.offset])
    arr = np.frombuffer(sub.buffers()[2], dtype=np.uint8)[start:start + 18 * len(at)].reshape(-1, 18)
    kind = _KIND[arr]  # one table look-up per character: 0 not a letter or digit, 1 upper case, 2 other
    # each 5 characters' upper-case flags, first character lowest, read as a 5-bit number index the
    # checksum alphabet
    up = (kind[:, :15] == 1).view(np.uint8).reshape(-1, 3, 5)
    bits = up[:, :, 0] | (up[:, :, 1] << 1) | (up[:, :, 2] << 2) | (up[:, :, 3] << 3) | (up[:, :, 4] << 4)
    good[at] = (_CHECKSUM[bits] == arr[:, 15:]).all(axis=1) & kind.all(axis=1)
    return good


def check_unique(values: np.ndarray, where: Where, what: str) -> None:
    # as objects: pandas would otherwise copy a million strings into its string dtype to look
    if not pd.Index(values, dtype=object).has_duplicates:
        return
    s = pd.Series(values, dtype=object)
    dup = s.duplicated(keep="first").to_numpy() & s.notna().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        first = int(np.argmax((s == s.iloc[i]).to_numpy()))
        raise where.error(f"duplicate key (the same {what} as row {where.row(first)})", i, got=values[i],
                          expected=f"each {what} once")
