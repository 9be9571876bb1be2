"""The workbook's data manifest: SHA-256 over every cell value, in a canonical text form.

What is hashed (the definition an auditor can re-implement):

* Sheets in workbook order. On the Cover, only the rows *above* the row whose first cell
  is ``Data manifest (SHA-256)`` (the manifest cannot contain its own hash).
* Each row that has at least one non-empty cell gives one line:
  ``<row number>`` TAB the row's cell texts joined by U+001F (unit separator), trailing
  empty cells dropped, then LF. Empty cells inside the row are empty texts.
* Cell text: text cells as they are (exact characters, no trimming); numbers as the
  shortest decimal that reads back as the same IEEE-754 double (what Excel stores), with
  integral values written without a decimal point (``1200``, ``1234.5``, ``-0.1``);
  dates ``YYYY-MM-DD``; date-times ``YYYY-MM-DDTHH:MM:SS`` (UTC, to the second; midnight
  shows as a date); booleans ``TRUE``/``FALSE``. Formatting, colours and widths are not data.
* A sheet's hash is SHA-256 of its lines (UTF-8). The workbook's manifest is SHA-256 of
  one line per sheet, ``<sheet name>`` TAB ``<sheet hash>`` LF, in workbook order.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from collections.abc import Iterable

MARKER = "Data manifest (SHA-256)"
SEP = "\x1f"


def _number(x: float) -> str:
    if x == 0:
        return "0"  # -0.0 is written as "-0" and read back as the integer 0
    s = repr(x)  # the shortest decimal that reads back as the same double
    return s[:-2] if s.endswith(".0") else s


def round_second(dt: datetime) -> datetime:
    dt = dt.replace(tzinfo=None)
    if dt.microsecond >= 500_000:
        dt += timedelta(seconds=1)
    return dt.replace(microsecond=0)


def canonical(value: Any) -> str:
    """The canonical text of a cell value, the same for the value written and the value read back."""
    if value is None:
        return ""
    t = type(value)
    # exact-type tests (bool is an int, datetime a date) which mypy does not narrow on: cast after each
    if t is str:
        return cast(str, value)
    if t is bool:
        return "TRUE" if value else "FALSE"
    if t is int:
        # openpyxl reads an integer cell back as int; both sides give the same text
        return str(value) if -10 ** 15 < value < 10 ** 15 else _number(float("%.16g" % value))  # noqa: UP031 - see below
    if t is Decimal or t is float:
        # openpyxl writes numbers as "%.16g" and reads them back as int or float: hash that double
        return _number(float("%.16g" % value))  # noqa: UP031 - %g takes a Decimal as a float, as openpyxl does
    if t is datetime:
        dt = round_second(value) if value.microsecond or value.tzinfo else value
        if not (dt.hour or dt.minute or dt.second):
            return dt.date().isoformat()
        return dt.isoformat(timespec="seconds")
    if t is date:
        return cast(date, value).isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return canonical(float("%.16g" % value))  # noqa: UP031 - as above
    if isinstance(value, datetime):
        return canonical(datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                  value.microsecond))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_line(row_number: int, values: Iterable[Any]) -> str | None:
    texts = [v if type(v) is str else ("" if v is None else canonical(v)) for v in values]
    while texts and texts[-1] == "":
        texts.pop()
    if not texts:
        return None
    return f"{row_number}\t{SEP.join(texts)}\n"


class SheetHasher:
    """Feeds rows in order; ``hexdigest`` is the sheet's hash."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.rows = 0

    def add(self, row_number: int, values: Iterable[Any]) -> None:
        line = row_line(row_number, values)
        if line is not None:
            self._h.update(line.encode("utf-8"))
            self.rows += 1

    def add_line(self, line: str | None) -> None:
        if line is not None:
            self._h.update(line.encode("utf-8"))
            self.rows += 1

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def combine(sheet_hashes: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, digest in sheet_hashes:
        h.update(f"{name}\t{digest}\n".encode())
    return h.hexdigest()


def file_sheet_lines(ws: Any) -> Iterable[tuple[int, str]]:
    """(row number, canonical line) of a read-only worksheet, stopping at the Cover's manifest marker."""
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row and row[0] == MARKER:
            return
        line = row_line(i, row)
        if line is not None:
            yield i, line


def recorded_manifest(ws: Any) -> tuple[str | None, dict[str, str]]:
    """The manifest written on a Cover sheet: (workbook hash, {sheet: hash})."""
    total, per_sheet, seen = None, {}, False
    for row in ws.iter_rows(values_only=True):
        if not row:
            continue
        if row[0] == MARKER:
            seen, total = True, (row[1] if len(row) > 1 else None)
            continue
        if seen and len(row) > 2 and row[0] == "Sheet hash" and row[1] and row[2]:
            per_sheet[str(row[1])] = str(row[2])
    return total, per_sheet


def manifest_of_file(path: str | Path) -> tuple[str, list[tuple[str, str]]]:
    """Recompute the manifest of a workbook file from its cells."""
    import zipfile

    from openpyxl import load_workbook

    from workbench.export.presentation import check_package
    with zipfile.ZipFile(path) as z:
        check_package(z)  # refuses a part no export has (a zip bomb) before openpyxl reads it
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        hashes = []
        for ws in wb.worksheets:
            h = SheetHasher()
            for _, line in file_sheet_lines(ws):
                h.add_line(line)
            hashes.append((ws.title, h.hexdigest()))
        return combine(hashes), hashes
    finally:
        wb.close()
