"""The audit workbook of a run: write it (streaming, styled, hashed) and verify a copy.

``write_workbook`` streams every sheet with openpyxl's write-only mode, so a run with a
million exceptions is written in bounded memory. It writes to a hidden temporary file
beside the target and renames it at the end: a cancelled or failed export leaves
nothing behind. ``verify_workbook`` regenerates the cells from the store and compares
them with a file, naming the sheet and cell of every difference.
"""

from __future__ import annotations

import hashlib
import os
import textwrap
import uuid
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from workbench.export import close_sheet
from workbench.export import manifest as mf
from workbench.export.excel_safe import FORMULA_TRIGGERS, cell_text
from workbench.export.workbook_content import (AUDIT_COLS, CORRECTION_COLS, EXCEPTION_COLS, LINK_COLS, PARAM_COLS,
                                              Col, Content, Sheet, Styled, prepare,
                                              prepare_row)
from workbench.export.printing import set_up_page
from workbench.export.readable import STATE_CODES
from workbench.export.workbook_styles import Styles, amount_style
from workbench.model.currency import MINOR_UNITS
from workbench.model.labels import is_money_field
from workbench.model.money import minor_unit
from workbench.errors import InputError, PermissionDenied
from workbench.export.presentation import differences as presentation_differences
from workbench.export.presentation import (NotAnExport, check_package, fingerprint, not_recorded,
                                           presentation_digest)
from workbench.progress import TaskState, check_cancelled, report
from workbench.store import coverage, exports, trail
from workbench.store.db import Store
from workbench.store.exports import Anchor

if TYPE_CHECKING:
    from _typeshed import SizedBuffer, StrPath

FIGURE_KINDS = {"int", "amount", "date", "datetime", "percent", "score"}  # table columns of numbers or dates
SHEET_ROWS = 1_048_576  # Excel's limit; tests lower it to see continuation sheets
MAX_WIDTH = 60
PROGRESS_EVERY = 2_000
# _STYLE_NOTE: cells carry openpyxl's private style array (cell._style), shared by every cell of one style,
# so styling a million rows costs no lookups; openpyxl's stubs do not declare it, hence the ignores.


@dataclass
class WorkbookInfo:
    path: Path
    run_id: int
    sheets: list[tuple[str, int]]  # (sheet, data rows)
    manifest: str
    sheet_hashes: list[tuple[str, str]]
    export_id: str = ""


@dataclass
class Difference:
    sheet: str
    cell: str
    expected: str
    found: str

    def line(self) -> str:
        return (f"{self.sheet}!{self.cell}: workbook has {_shown(self.found)}, "
                f"the store gives {_shown(self.expected)}")


@dataclass
class VerifyReport:
    path: Path
    run_id: int | None
    export_id: str | None = None           # the store's export record this file claims to be
    exported: str = ""                     # "2026-11-02 09:00:00 UTC by maria" from that record
    manifest_recorded: str | None = None   # the store's record of the manifest at export
    manifest_cover: str | None = None      # what the Cover says (public, re-computable: not trusted)
    manifest_file: str | None = None       # recomputed from the file's cells
    manifest_store: str | None = None      # recomputed from the store
    identical: bool = False                # the file's bytes are the exported bytes
    file_edits: list[str] = field(default_factory=list)     # file edited since export: what
    store_changes: list[str] = field(default_factory=list)  # store changed since export: what
    differences: list[Difference] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # what the export's record predates (not a failure)
    more_differences: int = 0
    expected_run: int | None = None        # the run the caller said this is the export of (--run)
    record_run: int | None = None          # the run of the store's export record, when there is one

    @property
    def other_run(self) -> int | None:
        """The run this workbook is the export of, when it is not the run the caller gave."""
        if self.expected_run is None:
            return None
        run = self.record_run if self.record_run is not None else self.run_id
        return run if run != self.expected_run else None

    @property
    def file_edited(self) -> bool:
        return bool(self.file_edits)

    @property
    def store_changed(self) -> bool:
        return bool(self.store_changes)

    @property
    def ok(self) -> bool:
        return (self.export_id is not None and self.other_run is None and not self.file_edits and not self.store_changes
                and not self.differences and not self.problems
                and self.manifest_recorded == self.manifest_file == self.manifest_store)

    def lines(self) -> list[str]:
        out = []
        if self.other_run is not None:
            of = f"export {self.export_id} of run {self.other_run}" if self.export_id else f"run {self.other_run}"
            return [f"{self.path}: NOT VERIFIED: this workbook is the {of}, not of run {self.expected_run}"]
        if self.ok:
            how = "byte for byte" if self.identical else "in every value and in everything a reader sees"
            out.append(f"{self.path}: OK — export {self.export_id} of run {self.run_id} ({self.exported}): "
                       f"the file is {how} as exported, and the store still gives every cell; "
                       f"manifest {self.manifest_file}")
            return out + self._not_compared()
        out.append(f"{self.path}: NOT VERIFIED (run {self.run_id}"
                   + (f", export {self.export_id} {self.exported})" if self.export_id else ")"))
        out.extend(f"  {p}" for p in self.problems)
        out.extend(f"  file edited since export: {e}" for e in self.file_edits)
        out.extend(f"  store changed since export: {c}" for c in self.store_changes)
        out.extend(f"  {d.line()}" for d in self.differences)
        if self.more_differences:
            out.append(f"  … and {self.more_differences:,} more differing cells")
        return out + self._not_compared()

    def _not_compared(self) -> list[str]:
        if not self.not_compared or self.identical:
            return []
        return ["  not compared (this export was recorded before they were): " + "; ".join(self.not_compared)]


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _shown(text: str) -> str:
    """A cell's text quoted for a message; an empty cell in words."""
    return repr(_short(text)) if text else "(blank)"


# ---- layout: the sheets, their parts and rows (shared by writer and verifier) -----------------------

@dataclass
class Part:
    title: str
    sheet: Sheet
    rows: Iterator[list[Any]] = field(default_factory=lambda: iter(()))
    data_rows: int = 0
    continued_on: str | None = None
    continued_from: str | None = None


def _table_parts(sheet: Sheet) -> Iterator[Part]:
    """Split a table sheet into parts that fit Excel's row limit; each part's rows are lazy."""
    it = iter(sheet.rows())
    per = SHEET_ROWS - 3  # header row, then a blank row and a note row when the table continues
    header = [c.header for c in _columns(sheet)]
    pending: list[tuple[Any, ...]] = []
    number, previous = 1, None
    while True:
        part = Part(sheet.name if number == 1 else f"{sheet.name} ({number})", sheet, continued_from=previous)

        def gen(part: Part = part, number: int = number) -> Iterator[list[Any]]:
            yield header
            n = 0
            while n < per:
                row = pending.pop() if pending else next(it, None)
                if row is None:
                    return
                n += 1
                part.data_rows = n
                yield prepare_row(row)
            nxt = next(it, None)
            if nxt is None:
                return
            pending.append(nxt)
            part.continued_on = f"{sheet.name} ({number + 1})"
            yield []
            yield [f"Continued on sheet '{part.continued_on}': Excel holds at most {SHEET_ROWS:,} rows per sheet."]

        part.rows = gen()
        yield part
        if part.continued_on is None:
            return
        number, previous = number + 1, part.title


def _columns(sheet: Sheet) -> list[Col]:
    if sheet.columns is None:
        raise ValueError(f"sheet {sheet.name!r} is free-form: it has no table columns")
    return sheet.columns


def _prepare_free(rows: list[list[Any]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for row in rows:
        out.append([Styled(prepare(c.value), c.style, c.link) if isinstance(c, Styled) else prepare(c) for c in row])
    return out


def _values(row: list[Any]) -> list[Any]:
    return [c.value if isinstance(c, Styled) else c for c in row]


DESCRIPTIONS = {
    "Exceptions": "one row per exception: type, both records and their numbers, field, values, difference, amount at "
                  "risk, decision state",
    close_sheet.CLOSE_SHEET: close_sheet.CLOSE_DESCRIPTION,
    "Corrections": "every proposed correction: before/after, preparer, approver, push outcome, verification",
    "Customer links": "how each CRM customer was linked to an ERP customer: method, confidence, evidence",
    "Unmatched CRM": "CRM customers no link covers",
    "Unmatched ERP": "ERP customers no link covers",
    "Audit trail": "the hash-chained events of this run, each with its hash and its predecessor's",
    "Parameters": "the run configuration as used (secrets are never stored)",
}


class Layout:
    """Produces the workbook's parts in writing order: detail sheets, then Summary, then Cover."""

    def __init__(self, content: Content):
        self.c = content
        self.written: list[Part] = []

    def detail_sheets(self) -> list[Sheet]:
        c = self.c
        sheets = [Sheet("Exceptions", EXCEPTION_COLS, c.exceptions, c.counts["exceptions"],
                        widths=c.exception_widths())]
        sheets.append(_materialised("Corrections", CORRECTION_COLS, list(c.corrections())))
        sheets.append(_materialised("Customer links", LINK_COLS, list(c.links())))
        for side in ("crm", "erp"):
            cols, rows, _ = c.unmatched(side)
            sheets.append(_materialised(f"Unmatched {side.upper()}", cols, list(rows())))
        sheets.append(_materialised(close_sheet.CLOSE_SHEET, close_sheet.CLOSE_COLS,
                                    [c.known_masked(r) for r in
                                     close_sheet.close_rows(c.store, c.run["id"], c.run["period"])]))
        sheets.append(_materialised("Audit trail", AUDIT_COLS, list(c.audit())))
        sheets.append(_materialised("Parameters", PARAM_COLS, c.parameters()))
        for s in sheets:
            s.description = DESCRIPTIONS.get(s.name, "")
        return sheets

    def parts(self) -> Iterator[Part]:
        for sheet in self.detail_sheets():
            for part in _table_parts(sheet):
                yield part
                self.written.append(part)

    def sheet_list(self) -> list[tuple[str, int, str]]:
        out = []
        for p in self.written:
            desc = p.sheet.description
            if p.continued_from:
                desc = f"continued from '{p.continued_from}': " + desc
            if p.continued_on:
                desc += f" (continues on '{p.continued_on}')"
            out.append((p.title, p.data_rows, desc))
        return out

    def summary(self, *, warnings: bool = True) -> list[list[Any]]:
        """``warnings``: with the run's Warnings block (``Content.summary``)."""
        return _prepare_free(self.c.summary(self.sheet_list(), warnings=warnings))

    def cover(self) -> list[list[Any]]:
        close = [list(self.c.known_masked(tuple(r)))
                 for r in close_sheet.cover_rows(self.c.store, self.c.run["id"], self.c.run["period"])]
        return _prepare_free(self.c.cover(self.sheet_list(), close))


def _materialised(name: str, cols: list[Col], rows: list[tuple[Any, ...]]) -> Sheet:
    return Sheet(name, cols, lambda: iter(rows), len(rows), widths=_measure(cols, rows))


def _measure(cols: list[Col], rows: list[tuple[Any, ...]]) -> list[int | None]:
    widths: list[int | None] = [c.width for c in cols]
    for i, c in enumerate(cols):
        if c.width is None:
            widths[i] = max((len(str(r[i])) for r in rows if i < len(r) and r[i] is not None), default=0)
    return widths


def _fit(cols: list[Col], widths: list[int | None]) -> list[float]:
    out = []
    for c, w in zip(cols, widths):
        # +4 leaves room for the filter button; cap so one long message does not push everything off screen
        out.append(float(min(MAX_WIDTH, max(len(c.header) + 4, (w or 0) + 2))))
    return out


# ---- writing ----------------------------------------------------------------------------------------

class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry the run's time, so the same run gives the same file bytes."""

    def __init__(self, path: Path, when: datetime, state: TaskState | None = None):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._state = state
        t = max(when, datetime(1980, 1, 1))
        self._when = (t.year, t.month, t.day, t.hour, t.minute, t.second)

    def _info(self, name: str) -> zipfile.ZipInfo:
        zi = zipfile.ZipInfo(name, date_time=self._when)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = 0o644 << 16
        return zi

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: SizedBuffer | str,
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: StrPath, arcname: StrPath | None = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        zi = self._info(os.fspath(arcname) if arcname else os.path.basename(filename))
        with open(filename, "rb") as src, self.open(zi, "w", force_zip64=True) as dst:
            # a million-row sheet takes a while to compress: stay cancellable while it does
            while chunk := src.read(4 << 20):
                dst.write(chunk)
                check_cancelled(self._state)


def _naive_utc(dt: datetime | None) -> datetime:
    if dt is None:
        return datetime(1980, 1, 1)
    return dt.astimezone(UTC).replace(tzinfo=None, microsecond=0) if dt.tzinfo else dt.replace(microsecond=0)


def _protect(ws: WriteOnlyWorksheet) -> None:
    # Locked against editing, no password: anyone may read, filter and sort; changing a cell
    # means unprotecting on purpose, and the manifest shows it.
    p = ws.protection  # type: ignore[attr-defined]  # a write-only sheet takes Worksheet's members at run time
    p.sheet = True
    p.autoFilter = False
    p.sort = False
    p.formatColumns = False
    p.formatRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _table_name(title: str) -> str:
    return "t_" + "".join(ch if ch.isalnum() else "_" for ch in title).strip("_")


class _Writer:
    def __init__(self, content: Content, state: TaskState | None):
        self.content = content
        self.state = state
        self.wb = Workbook(write_only=True)
        self.styles = Styles(self.wb)
        self.hashes: dict[str, str] = {}
        self.done = 0
        self.total = max(1, sum(content.counts[k] for k in ("exceptions", "corrections", "links", "audit")))

    def write_part(self, part: Part) -> None:
        wb, styles = self.wb, self.styles
        cols = _columns(part.sheet)
        ws: WriteOnlyWorksheet = wb.create_sheet(part.title)
        widths = _fit(cols, part.sheet.widths)
        for i, (c, w) in enumerate(zip(cols, widths), start=1):
            dim = ws.column_dimensions[get_column_letter(i)]  # type: ignore[attr-defined]  # (see _protect)
            dim.width = w
            if c.hidden:
                dim.hidden = True
        ws.freeze_panes = "A2"
        set_up_page(ws, self.content.run, [0.0 if c.hidden else w for c, w in zip(cols, widths)], table=True)
        _protect(ws)
        hasher = mf.SheetHasher()
        _feed_cells_directly(ws)
        arr = styles.array
        # a header over figures (counts, amounts, dates) is aligned right, as its figures are
        header_plain = arr("wb header", ws)
        header_styles = [arr("wb header right" if c.kind in FIGURE_KINDS else "wb header", ws) for c in cols]
        guard_style = _guard_array(ws)
        # Long text in the last column printed would run past it onto pages of its own: it wraps there
        # instead, in a row as tall as its lines (Excel and LibreOffice keep the height as written).
        last = max((i for i, c in enumerate(cols) if not c.hidden), default=0)
        wrap_col = last if cols[last].kind == "text" else -1
        wrap_width = widths[last]
        wrap_style, wrap_guard = arr("wb wrap", ws), _guard_array(ws, arr("wb wrap", ws))
        # One reusable cell per column: openpyxl serialises a row as soon as it is appended,
        # so a cell object can carry the next row's value and style.
        slots = [WriteOnlyCell(ws) for _ in cols]
        fixed = {"datetime": arr("wb datetime", ws), "date": arr("wb date", ws), "score": arr("wb score", ws),
                 "percent": arr("wb percent", ws)}
        plan: list[tuple[int, int, Any, Any]] = []  # column, how to style it, currency column or style kind, style
        for i, c in enumerate(cols):
            if c.kind in ("text", "int"):
                plan.append((i, 0, None, None))
            elif c.kind == "amount":
                plan.append((i, 1, c.currency_col, None))
            elif c.kind in ("severity", "status"):
                plan.append((i, 2, c.kind + ":", None))
            elif c.kind == "value":
                plan.append((i, 4, (c.currency_col, c.code_col), None))
            else:
                plan.append((i, 3, None, fixed[c.kind]))
        amount_styles: dict[Any, Any] = {}
        plain_amounts: dict[Any, tuple[Any, Decimal | None]] = {}  # currency -> (its style, its smallest unit)

        def amount_cell(ccy: Any, v: Any) -> Any:
            """The style of an amount cell: its currency's, unless the amount has more decimals (found by the
            cheap test first: this runs for every amount cell of a million-row sheet)."""
            plain = plain_amounts.get(ccy)
            if plain is None:
                plain = plain_amounts[ccy] = (arr(f"amount:{ccy or ''}", ws),
                                              minor_unit(ccy) if ccy in MINOR_UNITS else None)
            if plain[1] is None or type(v) is not Decimal or v.quantize(plain[1]) == v:
                return plain[0]
            name = amount_style(ccy, v)
            got = amount_styles.get(name)
            if got is None:
                got = amount_styles[name] = arr(name, ws)
            return got
        tops: dict[tuple[int, ...], Any] = {}

        def top(i: int, v: Any) -> Cell:
            """The cell of column ``i`` holding ``v`` (a value or a styled cell) aligned to the top of its row."""
            cell = v if isinstance(v, Cell) else _set(slots[i], v, None)
            shared = cell._style  # type: ignore[attr-defined]  # see _STYLE_NOTE
            key = tuple(shared) if shared is not None else ()
            style = tops.get(key)
            if style is None:
                probe = WriteOnlyCell(ws)
                if shared is not None:
                    probe._style = type(shared)(shared)  # type: ignore[attr-defined]  # see _STYLE_NOTE
                probe.alignment = Alignment(vertical="top")
                style = tops[key] = probe._style  # type: ignore[attr-defined]  # see _STYLE_NOTE
            cell._style = style  # type: ignore[attr-defined]  # see _STYLE_NOTE
            return cell
        fill_styles: dict[str, Any] = {}
        money: dict[Any, bool] = {}
        line = mf.row_line
        r = 0
        for values in part.rows:
            r += 1
            hasher.add_line(line(r, values))
            if r == 1 or (part.continued_on and r > part.data_rows + 1):
                # (the note where a full sheet continues reads left to right, from column A)
                styles_here = header_styles if r == 1 else [header_plain] * len(values)
                ws.append([_styled(ws, v, styles_here[i]) if v is not None else None for i, v in enumerate(values)])
                continue
            cells = list(values)
            for i, how, extra, style in plan:
                v = cells[i]
                if v is None:
                    continue
                if how == 0:
                    if type(v) is str and v.startswith(FORMULA_TRIGGERS):
                        cells[i] = _set(slots[i], v, guard_style, text=True)
                    continue
                if how == 4:  # a compared value: money in the row's currency, a number, a date or text
                    t = type(v)
                    if t is str:
                        if v.startswith(FORMULA_TRIGGERS):
                            cells[i] = _set(slots[i], v, guard_style, text=True)
                        continue
                    if t is date:
                        cells[i] = _set(slots[i], v, fixed["date"])
                        continue
                    code = values[extra[1]]
                    is_money = money.get(code)
                    if is_money is None:
                        is_money = money[code] = is_money_field(code)
                    if not is_money:
                        continue
                    cells[i] = _set(slots[i], v, amount_cell(values[extra[0]], v))
                    continue
                if how == 1:
                    style = amount_cell(values[extra], v)
                elif how == 2:
                    if type(v) is str and v.startswith(FORMULA_TRIGGERS):
                        cells[i] = _set(slots[i], v, guard_style, text=True)
                        continue
                    style = fill_styles.get(v)
                    if style is None:  # the cell shows the label; its colour is the code's
                        style = fill_styles[v] = arr(extra + STATE_CODES.get(v, str(v)), ws)
                cells[i] = _set(slots[i], v, style)
            long = values[wrap_col] if wrap_col >= 0 else None
            if type(long) is str and len(long) > wrap_width - 2:
                cells[wrap_col] = _set(slots[wrap_col], long, wrap_guard if long.startswith(FORMULA_TRIGGERS)
                                       else wrap_style, text=True)
                for i, v in enumerate(cells):  # the row's other cells at the top beside it, not at the bottom
                    if v is not None and i != wrap_col:
                        cells[i] = top(i, v)
                ws.row_dimensions[r].height = _wrapped_height(long, wrap_width)  # type: ignore[attr-defined]
                ws.append(cells)
                del ws.row_dimensions[r]  # type: ignore[attr-defined]  # written with its row: memory stays flat
            else:
                ws.append(cells)
            if r % PROGRESS_EVERY == 0:
                self.done += PROGRESS_EVERY
                report(self.state, min(self.done, self.total), self.total, f"Writing {part.title}: {r - 1:,} rows")
        self.done += r % PROGRESS_EVERY
        last_row = max(part.data_rows + 1, 2)  # a table needs a data row, even an empty one
        table = Table(displayName=_table_name(part.title), ref=f"A1:{get_column_letter(len(cols))}{last_row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False, showColumnStripes=False)
        table._initialise_columns()  # type: ignore[attr-defined]  # openpyxl's own column set-up; stubs omit it
        for tc, c in zip(table.tableColumns, cols):
            tc.name = c.header
        with warnings.catch_warnings():
            # openpyxl reminds write-only users to name the table columns, which is done just above
            warnings.simplefilter("ignore", UserWarning)
            ws.add_table(table)  # type: ignore[misc]  # a write-only sheet takes Worksheet.add_table at run time
        self.hashes[part.title] = hasher.hexdigest()
        check_cancelled(self.state)

    def write_free(self, ws: WriteOnlyWorksheet, rows: list[list[Any]], layout: _FreeLayout, *,
                   stop_hash_at: int | None = None) -> str:
        hasher = mf.SheetHasher()
        styles = self.styles
        for r, row in enumerate(rows, start=1):
            if stop_hash_at is None or r < stop_hash_at:
                hasher.add(r, _values(row))
            cells: list[Any] = []
            tall = (r - 1) in layout.heights  # a row with wrapped text: its cells at the top, beside each other
            for i, c in enumerate(row):
                wrap, right = (r - 1, i) in layout.wrap, (r - 1, i) in layout.right
                if (wrap or right or tall) and c is not None and not isinstance(c, Styled):
                    c = Styled(c)
                if (wrap or right or tall) and isinstance(c, Styled) and c.value is not None:
                    cell = _own_style(self._free_cell(ws, c))
                    cell.alignment = Alignment(horizontal="right" if right else None, vertical="top", wrap_text=wrap)
                    cells.append(cell)
                    continue
                if isinstance(c, Styled):
                    if c.value is None and c.link is None:
                        cells.append(None)
                        continue
                    cells.append(self._free_cell(ws, c))
                elif type(c) is str and c.startswith(FORMULA_TRIGGERS):
                    cells.append(_guarded(ws, c))
                elif isinstance(c, datetime):
                    cells.append(_styled(ws, c, styles.array("wb datetime", ws)))
                elif c is not None and hasattr(c, "isoformat"):
                    cells.append(_styled(ws, c, styles.array("wb date", ws)))
                else:
                    cells.append(c)
            ws.append(cells)
        return hasher.hexdigest()

    def _free_cell(self, ws: WriteOnlyWorksheet, c: Styled) -> Cell:
        cell = WriteOnlyCell(ws, c.value)
        if c.style:
            cell._style = self.styles.array(c.style, ws)  # type: ignore[attr-defined]  # see _STYLE_NOTE
        elif isinstance(c.value, datetime):
            cell._style = self.styles.array("wb datetime", ws)  # type: ignore[attr-defined]  # see _STYLE_NOTE
        elif isinstance(c.value, date):
            cell._style = self.styles.array("wb date", ws)  # type: ignore[attr-defined]  # see _STYLE_NOTE
        if type(c.value) is str and c.value.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"
            _own_style(cell).quotePrefix = True
        if c.link:
            cell.hyperlink = Hyperlink(ref="", location=f"'{c.link}'!A1", display=str(c.value))
        return cell


def _set(cell: Cell, value: Any, style_array: Any, text: bool = False) -> Cell:
    # The style first: openpyxl gives a date value a date format by changing the cell's style array in
    # place, and a reused slot still holds the previous row's array, shared by every cell of its style
    # (a GBP amount's: every later GBP amount would read as a date).
    cell._style = style_array  # type: ignore[attr-defined]  # see _STYLE_NOTE
    cell.value = value
    if text:
        cell.data_type = "s"
    return cell


def _own_style(cell: Cell) -> Cell:
    """The cell with a style array of its own, so that setting a style on it changes no other cell's."""
    shared = cell._style  # type: ignore[attr-defined]  # see _STYLE_NOTE
    if shared is not None:
        cell._style = type(shared)(shared)  # type: ignore[attr-defined]  # see _STYLE_NOTE
    return cell


def _guard_array(ws: WriteOnlyWorksheet, style_array: Any = None) -> Any:
    probe = WriteOnlyCell(ws)
    if style_array is not None:
        probe._style = type(style_array)(style_array)  # type: ignore[attr-defined]  # see _STYLE_NOTE
    probe.quotePrefix = True
    return probe._style  # type: ignore[attr-defined]  # see _STYLE_NOTE


def _feed_cells_directly(ws: WriteOnlyWorksheet) -> None:
    """Append rows of plain values and ready cells without openpyxl's per-cell exception path.

    openpyxl's write-only append tries to assign every item as a value and falls back to
    treating it as a cell when that raises; with several styled cells per row that costs
    more than writing them. Plain values still go through openpyxl's own value binding.
    """
    plain = WriteOnlyCell(ws)

    def values_to_row(values: Iterable[Any], row_idx: int) -> Iterator[Cell]:
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                value.column, value.row = col_idx, row_idx
                if value._hyperlink is not None:  # type: ignore[attr-defined]  # set by openpyxl for cells with a link
                    value._hyperlink.ref = value.coordinate  # type: ignore[attr-defined]  # (as above)
                yield value
            else:
                plain.value = value
                plain.column, plain.row = col_idx, row_idx
                yield plain

    ws._values_to_row = values_to_row  # type: ignore[attr-defined]  # the hook this function replaces


def _styled(ws: WriteOnlyWorksheet, value: Any, style_array: Any) -> Cell:
    c = WriteOnlyCell(ws, value)
    if type(value) is str and value.startswith("="):
        c.data_type = "s"
    c._style = style_array  # type: ignore[attr-defined]  # see _STYLE_NOTE
    return c


def _guarded(ws: WriteOnlyWorksheet, value: str) -> Cell:
    """Text that a spreadsheet would take for a formula: a string cell with the quote prefix."""
    c = WriteOnlyCell(ws, value)
    c.data_type = "s"
    c.quotePrefix = True
    return c


FREE_MAX_WIDTH = 45  # characters: longer text on the Cover and Summary wraps (the row grows to fit on opening)
HEADER_FIT = 14  # a Cover or Summary column header wraps rather than widen its column past this
LINE_HEIGHT = 15.0  # points: one line of the 11-point default font, Excel's default row height


@dataclass
class _FreeLayout:
    """Column widths of a free-form sheet (Cover, Summary), its text cells that wrap, and its header cells
    over numbers or dates, aligned right as the figures below them are. Cells are (row index, column)."""
    widths: list[float]
    wrap: set[tuple[int, int]]
    right: set[tuple[int, int]]
    heights: dict[int, float] = field(default_factory=dict)  # row index -> points, for rows with wrapped text


def _shown_width(v: Any) -> int:
    """Characters a cell's value takes as shown: numbers with their grouping, sign and currency code
    (a column narrower than an amount shows ##### in its place)."""
    if isinstance(v, datetime):
        return 19
    if isinstance(v, date):
        return 10
    if isinstance(v, bool):
        return 5
    if isinstance(v, (int, Decimal, float)):
        return len(f"{v:,}") + (5 if not isinstance(v, int) else 1)  # " EUR" after an amount
    return len(str(v))


def _is_figure(v: Any) -> bool:
    return isinstance(v, (int, Decimal, float, date)) and not isinstance(v, bool)


def _free_layout(rows: list[list[Any]], minimum: int = 10) -> _FreeLayout:
    def value(c: Any) -> Any:
        return c.value if isinstance(c, Styled) else c

    def style(c: Any) -> str | None:
        return c.style if isinstance(c, Styled) else None

    right: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        if not any(style(c) == "wb header" for c in row):
            continue
        below: list[list[Any]] = []
        for nxt in rows[r + 1:]:
            if not any(value(c) is not None for c in nxt) or any(style(c) == "wb header" for c in nxt):
                break
            below.append(nxt)
        for i, c in enumerate(row):
            figures = [value(b[i]) for b in below if i < len(b) and value(b[i]) is not None]
            if style(c) == "wb header" and figures and all(_is_figure(v) for v in figures):
                right.add((r, i))
    need: dict[int, int] = {}
    for row in rows:
        for i, c in enumerate(row):
            if style(c) in ("wb title", "wb section") or value(c) is None:
                continue  # headings may run across empty neighbours
            v = value(c)
            n = _shown_width(v)
            if style(c) in ("wb percent", "wb score"):
                n = 7  # "97.0%", "0.877"
            elif style(c) == "wb header":
                n = min(n, HEADER_FIT)
            elif type(v) is str and " " not in v:  # a hash, id or path: whole on one line, not broken
                n = min(n, MAX_WIDTH + 8)
            else:
                n = min(n, FREE_MAX_WIDTH - 2)
            need[i] = max(need.get(i, minimum), n + 2)
    widths = [float(need.get(i, minimum)) for i in range(max(need, default=-1) + 1)]
    wrap = {(r, i) for r, row in enumerate(rows) for i, c in enumerate(row)
            if type(value(c)) is str and style(c) not in ("wb title", "wb section")
            and len(value(c)) > widths[i] - 2}
    heights: dict[int, float] = {}
    for r, i in wrap:
        heights[r] = max(heights.get(r, LINE_HEIGHT), _wrapped_height(str(value(rows[r][i])), widths[i]))
    return _FreeLayout(widths, wrap, right, heights)


def _wrapped_height(text: str, width: float) -> float:
    """Points a text wrapped in a column ``width`` characters wide takes (Excel and LibreOffice keep a
    row's height as written rather than fit it on opening): its lines at about 0.9 characters per width
    unit (proportional text, breaks between words), at most Excel's 409 points."""
    lines = sum(max(1, len(textwrap.wrap(part, max(1, int(width * 0.9)), break_long_words=True)))
                for part in text.split("\n"))
    return min(409.0, LINE_HEIGHT * lines)


def _set_up_free(ws: WriteOnlyWorksheet, rows: list[list[Any]], run: dict[str, Any]) -> _FreeLayout:
    """Widths, protection and page set-up of a free-form sheet, before its first row is written."""
    layout = _free_layout(rows)
    for i, width in enumerate(layout.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width  # type: ignore[attr-defined]  # (see _protect)
    for r, height in layout.heights.items():
        ws.row_dimensions[r + 1].height = height  # type: ignore[attr-defined]  # (see _protect)
    _protect(ws)
    set_up_page(ws, run, layout.widths)
    return layout


def write_workbook(store: Store, run_id: int, path: str | Path, *, state: TaskState | None = None,
                   user: str | None = None) -> WorkbookInfo:
    """Write the audit workbook of ``run_id`` to ``path`` (all or nothing) and record the export.

    The file appears only together with its export record and ``workbook.exported`` audit
    event: if either cannot be stored, no file is left behind."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError("the audit workbook is an Excel file", file=str(path), expected="a file name ending in .xlsx")
    if not path.parent.exists():
        raise InputError("the folder does not exist", file=str(path.parent), expected="an existing folder")
    anchor = _new_anchor(store, user)
    content = Content(store, run_id, anchor)
    report(state, 0, None, "Preparing the audit workbook")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    w = _Writer(content, state)
    wb = w.wb
    try:
        cover = wb.create_sheet("Cover")
        summary = wb.create_sheet("Summary")
        layout = Layout(content)
        for part in layout.parts():
            w.write_part(part)

        summary_rows = layout.summary()
        w.hashes["Summary"] = w.write_free(summary, summary_rows, _set_up_free(summary, summary_rows, content.run))

        cover_rows = layout.cover()
        marker_row = len(cover_rows) + 1
        cover_hash = mf.SheetHasher()
        for r, row in enumerate(cover_rows, start=1):
            cover_hash.add(r, _values(row))
        w.hashes["Cover"] = cover_hash.hexdigest()
        order = [ws.title for ws in wb.worksheets]
        sheet_hashes = [(t, w.hashes[t]) for t in order]
        total = mf.combine(sheet_hashes)
        cover_all = cover_rows + _manifest_rows(total, sheet_hashes)
        w.write_free(cover, cover_all, _set_up_free(cover, cover_all, content.run), stop_hash_at=marker_row)

        run = content.run
        props = wb.properties
        props.creator = "Recon Workbench"
        props.lastModifiedBy = "Recon Workbench"
        props.title = f"Audit workbook — run {run['id']}"
        props.subject = cell_text(run["name"] or "")  # a control character in the run's name is no valid XML
        props.created = _naive_utc(run["started_at"])
        props.modified = _naive_utc(run["finished_at"] or run["started_at"])
        wb.security = WorkbookProtection(lockStructure=True)
        report(state, w.total, w.total, "Saving the workbook")
        try:
            archive = _FixedTimeZip(tmp, props.modified, state)
            try:
                ExcelWriter(wb, archive).save()
            finally:
                archive.close()
            check_cancelled(state)
            report(state, w.total, w.total, "Recording the export")
            _record_and_place(store, anchor, run_id, tmp, path, total, sheet_hashes)
        except OSError as exc:
            hint = " (is it open in Excel?)" if path.exists() else ""
            raise InputError(f"cannot write the workbook: {exc.strerror or exc}{hint}", file=str(path)) from None
    except BaseException:
        _discard(wb, tmp)
        raise
    sheets = [(p.title, p.data_rows) for p in layout.written]
    return WorkbookInfo(path, run_id, sheets, total, sheet_hashes, anchor.export_id)


def _new_anchor(store: Store, user: str | None) -> Anchor:
    from workbench.team.users import find_user, resolve_user
    with store.session() as s:
        head, events = exports.trail_head(s)
        who = resolve_user(s, user)  # default: the OS login, or the workbench user it maps to
        # any reader may export (an auditor too), but not someone the team has deactivated: the export is
        # recorded in the trail under their name, which an app left open would otherwise go on writing
        u = find_user(s, who)
        if u is not None and not u.active:
            raise PermissionDenied(f"user '{u.name}' was deactivated (workbench users list --all) and can no longer "
                                   f"export; nothing was written")
    return Anchor(export_id=uuid.uuid4().hex, exported_at=datetime.now(UTC).replace(microsecond=0),
                  exported_by=who, trail_head=head, trail_events=events)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _record_and_place(store: Store, anchor: Anchor, run_id: int, tmp: Path, path: Path, manifest: str,
                      sheet_hashes: list[tuple[str, str]]) -> None:
    """Record the export (and its audit event) and move the file into place, both or neither."""
    presentation = fingerprint(tmp)
    digest = _file_sha256(tmp)
    placed = False
    try:
        with store.session() as s:
            exports.record(s, anchor, run_id=run_id, file_name=path.name, file_sha256=digest, manifest=manifest,
                           sheet_hashes=sheet_hashes, presentation=presentation)
            # run_id stays empty: the run's own Audit trail sheet must not change with each export
            trail.append(s, actor=anchor.exported_by, action="workbook.exported", entity_type="export",
                         entity_id=anchor.export_id, at=anchor.exported_at,
                         detail={"run": run_id, "file": path.name, "file_sha256": digest, "manifest": manifest,
                                 "presentation": presentation_digest(presentation),
                                 "trail_head": anchor.trail_head, "trail_events": anchor.trail_events})
            s.flush()
            os.replace(tmp, path)
            placed = True
    except BaseException:
        if placed:  # the record did not commit: the file must not stand without it
            path.unlink(missing_ok=True)
        raise


def _manifest_rows(total: str, sheet_hashes: list[tuple[str, str]]) -> list[list[Any]]:
    rows: list[list[Any]] = [[Styled(mf.MARKER, "wb section"), Styled(total, "wb mono")],
                        ["What is hashed", "every cell value of every sheet in workbook order (this Cover only above "
                                           "this block), one line per row: row number, tab, the cell texts joined by "
                                           "U+001F; numbers as the shortest decimal of the stored double, dates "
                                           "YYYY-MM-DD, times YYYY-MM-DDTHH:MM:SS UTC, text exactly. A sheet's hash "
                                           "is SHA-256 of its lines (UTF-8); the workbook's is SHA-256 of "
                                           "'<sheet>\\t<sheet hash>\\n' per sheet. Formatting is not data."],
                        ["Check with", "workbench export --verify FILE (recomputes this manifest and compares "
                                       "every cell with the store)"]]
    for name, digest in sheet_hashes:
        rows.append(["Sheet hash", name, Styled(digest, "wb mono")])
    return rows


def _discard(wb: Workbook, tmp: Path) -> None:
    """Remove everything a failed or cancelled export created (the partial file, openpyxl's temp files)."""
    for ws in getattr(wb, "_sheets", []):
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        for gen in (getattr(ws, "_rows", None), writer.xf):
            try:
                if gen is not None:
                    gen.close()
            except Exception:
                pass
        try:
            os.remove(writer.out)
        except OSError:
            pass
    try:
        tmp.unlink()
    except OSError:
        pass


# ---- verifying --------------------------------------------------------------------------------------

MAX_DIFFERENCES = 50


def verify_workbook(store: Store, path: str | Path, *, run_id: int | None = None,
                    state: TaskState | None = None) -> VerifyReport:
    """Check ``path`` against the store's record of its export and against the store's data now.

    Given ``run_id`` (``--run``), the file must be that run's export: a workbook of another run is
    NOT VERIFIED with one line saying whose it is (a run the store does not have is a ConfigError).

    Tells "file edited since export" (its cells, or anything a reader sees, differ from the
    record) from "store changed since export" (the store now gives other cells, or the audit
    trail lost or rewrote events the export anchored), naming each differing cell.
    ``state`` (optional) receives progress and may cancel, as for ``write_workbook``."""
    from openpyxl import load_workbook
    path = Path(path)
    if run_id is not None:
        from workbench.store import repo
        repo.load_run(store, run_id)  # "there is no run N in this database"
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if not path.is_file() and not path.is_dir():  # a folder is told below as no workbook
        # a device (/dev/zero) is read until memory runs out, a pipe blocks on opening
        raise InputError("is a device, pipe or socket, not a file", file=str(path),
                         expected="an .xlsx audit workbook written by workbench export")
    try:
        with zipfile.ZipFile(path) as z:
            check_package(z)  # before any reader holds a part in memory or parses one: see presentation
        wb = load_workbook(path, read_only=True, data_only=True)
    except NotAnExport as exc:
        raise _not_an_export(path, exc) from None
    except Exception as exc:
        raise InputError(f"not an Excel workbook ({type(exc).__name__})", file=str(path),
                         expected="an .xlsx audit workbook written by workbench export") from None
    try:
        if "Cover" not in wb.sheetnames:
            raise InputError("no Cover sheet", file=str(path), expected="an audit workbook written by workbench export")
        cover = wb["Cover"]
        expected_run, run_id = run_id, _run_id(cover, path)
        rep = VerifyReport(path=path, run_id=run_id, expected_run=expected_run)
        rep.manifest_cover, cover_sheets = mf.recorded_manifest(cover)
        labels = _cover_labels(cover)
        record = _load_record(store, labels.get("Export id"), rep, _label_cell(cover, "Export id"))
        rep.record_run = record.run_id if record is not None else None
        if rep.other_run is not None:
            return rep  # another run's workbook: comparing its cells with this run's says nothing more
        anchor = record.anchor if record is not None else _anchor_from_cover(labels)
        with store.session() as s:  # the cells are recomputed from the run's snapshots: they must be intact
            snapshots_changed = coverage.snapshot_problems(s, run_id)
        if snapshots_changed:
            rep.store_changes.extend(snapshots_changed)
            return rep

        content = Content(store, run_id, anchor)
        layout = Layout(content)
        expected_hashes: dict[str, str] = {}
        file_hashes: dict[str, str] = {}

        def compare(title: str, rows: Iterable[Iterable[Any]]) -> None:
            expected_hashes[title], found = _compare(wb, title, rows, rep, state)
            if found is not None:
                file_hashes[title] = found

        for part in layout.parts():
            compare(part.title, part.rows)
        summary = [_values(r) for r in layout.summary()]
        recorded = record.sheet_hashes.get("Summary") if record is not None else cover_sheets.get("Summary")
        if recorded is not None and recorded != _rows_hash(summary):
            # exported before the Summary showed the run's warnings: its Summary as that export wrote it, when
            # that is what was recorded (any other difference is reported as ever)
            before = [_values(r) for r in layout.summary(warnings=False)]
            if _rows_hash(before) == recorded:
                summary = before
        compare("Summary", summary)
        cover_rows = layout.cover()
        compare("Cover", (_values(r) for r in cover_rows))
        order = ["Cover", "Summary"] + [p.title for p in layout.written]
        rep.manifest_store = mf.combine([(t, expected_hashes[t]) for t in order])
        for ws in wb.worksheets:
            if ws.title not in file_hashes:
                h = mf.SheetHasher()
                for _, line in mf.file_sheet_lines(ws):
                    h.add_line(line)
                file_hashes[ws.title] = h.hexdigest()
        rep.manifest_file = mf.combine([(t, file_hashes[t]) for t in wb.sheetnames])
        extra = [t for t in wb.sheetnames if t not in expected_hashes]
        if extra:
            rep.file_edits.append(f"sheets not written by the export: {', '.join(extra)}")
        if [t for t in wb.sheetnames if t in expected_hashes] != order:
            rep.problems.append("the sheets are missing or not in the order the export wrote them")
        # The manifest block below the marker is outside every hash: compare each of its cells with
        # what the export wrote there (the store's record). Without a record, its words and sheet names
        # are compared, and its hashes with the file's cells (just below).
        if record is not None:
            block = _manifest_rows(record.manifest, list(record.sheet_hashes.items()))
        else:
            block = _manifest_rows(rep.manifest_cover or "",
                                   [(t, cover_sheets.get(t, file_hashes[t])) for t in wb.sheetnames])
        if _compare_block(wb, rep, _marker_row(cover) or len(cover_rows) + 1, block):
            what = f"the text below '{mf.MARKER}' on the Cover is not what the export wrote there"
            (rep.file_edits if record is not None else rep.problems).append(what)
        if record is None:
            for name in wb.sheetnames:
                if name in cover_sheets and cover_sheets[name] != file_hashes[name]:
                    rep.problems.append(f"sheet '{name}' does not match its hash on the Cover")
            return rep
        _against_record(rep, record, path, file_hashes, expected_hashes)
        return rep
    finally:
        wb.close()


@dataclass
class _Record:
    export_id: str
    run_id: int
    manifest: str
    sheet_hashes: dict[str, str]
    presentation: dict[str, Any]
    file_sha256: str
    anchor: Anchor


def _load_record(store: Store, export_id: Any, rep: VerifyReport, cell: str | None = None) -> _Record | None:
    """The store's record of this file's export, with what its audit event and the trail say about it."""
    if not export_id:
        where = f"Cover!{cell} is blank" if cell else "the Cover has no 'Export id' row"
        rep.problems.append(f"no export record: the Cover names no export id ({where}: a workbook from before "
                            "export records, or not written by workbench export); re-export it to verify it")
        return None
    with store.session() as s:
        rec = exports.find(s, str(export_id))
        if rec is None:
            rep.problems.append(f"no export record: this store has no export {export_id} (exported from another "
                                "database, or its record was removed); the file cannot be told from a forgery here")
            return None
        anchor = Anchor(rec.id, rec.exported_at, rec.exported_by, rec.trail_head, rec.trail_events)
        chained = exports.chained_detail(s, rec.id)
        # The record's file hash and fingerprint decide whether the file's look is compared, and with what:
        # each must be the one the trail holds, or a store editor could make a forged file "as exported".
        if chained is None or chained.get("manifest") != rec.manifest or chained.get("run") != rec.run_id \
                or chained.get("file_sha256") != rec.file_sha256 \
                or chained.get("presentation", presentation_digest(rec.presentation)) \
                != presentation_digest(rec.presentation):
            rep.store_changes.append(f"the export record {rec.id} does not match its workbook.exported audit "
                                     "event: the record was altered in the store")
        if chained is not None and "presentation" not in chained:
            rep.not_compared.append("the export record's presentation fingerprint with the audit trail (exported "
                                    "before the trail held its digest)")
        trail_problem = exports.anchor_problem(s, rec.trail_head, rec.trail_events)
        if trail_problem:
            rep.store_changes.append(trail_problem)
        record = _Record(rec.id, rec.run_id, rec.manifest, {str(n): str(h) for n, h in rec.sheet_hashes},
                         rec.presentation, rec.file_sha256, anchor)
    rep.export_id = record.export_id
    at = anchor.exported_at
    rep.exported = f"exported {_naive_utc(at):%Y-%m-%d %H:%M:%S} UTC by {anchor.exported_by}"
    rep.manifest_recorded = record.manifest
    if record.run_id != rep.run_id:
        rep.file_edits.append(f"the Cover says run {rep.run_id}, but export {record.export_id} was of run "
                              f"{record.run_id}")
    return record


def _not_an_export(path: Path, exc: NotAnExport) -> InputError:
    return InputError(f"not an export: {exc}", file=str(path),
                      expected="an .xlsx audit workbook written by workbench export")


def _against_record(rep: VerifyReport, record: _Record, path: Path, file_hashes: dict[str, str],
                    expected_hashes: dict[str, str]) -> None:
    rep.identical = _file_sha256(path) == record.file_sha256
    if rep.manifest_cover != record.manifest:
        rep.file_edits.append("the data manifest written on the Cover is not the one the store recorded at export")
    edited = [n for n, h in file_hashes.items() if n in record.sheet_hashes and record.sheet_hashes[n] != h]
    if edited:
        rep.file_edits.append("the values of " + ", ".join(f"'{n}'" for n in edited) + " were edited after export "
                              "(they no longer match the store's record of the export)")
    if not rep.identical:
        try:
            found = fingerprint(path, record.presentation)
        except NotAnExport as exc:  # a part broken past its start (check_package reads only that)
            raise _not_an_export(path, exc) from None
        rep.file_edits.extend(presentation_differences(record.presentation, found))
        rep.not_compared.extend(not_recorded(record.presentation))
    moved = [n for n, h in expected_hashes.items() if n in record.sheet_hashes and record.sheet_hashes[n] != h]
    if moved:
        rep.store_changes.append("the store now gives other cells for " + ", ".join(f"'{n}'" for n in moved)
                                 + ": the run's data or decisions changed after this workbook was exported")
    if set(expected_hashes) != set(record.sheet_hashes):
        rep.store_changes.append("the store now gives other sheets than it exported")


_ANCHOR_LABELS = ("Export id", "Exported (UTC)", "Exported by", "Events at export", "Head hash at export")


def _cover_labels(cover: Any) -> dict[str, Any]:
    """The Cover's label/value pairs that identify the export (in its first rows and the trail block)."""
    out: dict[str, Any] = {}
    for row in cover.iter_rows(values_only=True):
        if row and row[0] == mf.MARKER:
            break
        if row and row[0] in _ANCHOR_LABELS and len(row) > 1:
            out[row[0]] = row[1]
    return out


def _label_cell(cover: Any, label: str) -> str | None:
    """The address of the value beside ``label`` above the Cover's manifest, if the label is there."""
    for r, row in enumerate(cover.iter_rows(max_col=1, values_only=True), start=1):
        if row and row[0] == mf.MARKER:
            break
        if row and row[0] == label:
            return f"B{r}"
    return None


def _anchor_from_cover(labels: dict[str, Any]) -> Anchor | None:
    """What the Cover claims about its export, to regenerate it when the store has no record."""
    def text(label: str) -> str:  # a blank cell is "" (str(None) would put 'None' in the regenerated Cover)
        value = labels[label]
        return "" if value is None else str(value)

    try:
        return Anchor(text("Export id"), labels["Exported (UTC)"], text("Exported by"),
                      text("Head hash at export"), int(labels["Events at export"]))
    except (KeyError, TypeError, ValueError):
        return None


def _run_id(cover: Any, path: Path) -> int:
    for row in cover.iter_rows(min_row=1, max_row=20, values_only=True):
        if row and row[0] == "Run id" and len(row) > 1:
            try:
                return int(row[1])
            except (TypeError, ValueError):
                break
    raise InputError("the Cover does not say which run this is (no 'Run id')", file=str(path),
                     expected="an audit workbook written by workbench export")


def _rows_hash(rows: list[list[Any]]) -> str:
    """The sheet hash of expected rows, as ``_compare`` computes it."""
    hasher = mf.SheetHasher()
    for r, values in enumerate(rows, start=1):
        hasher.add(r, values)
    return hasher.hexdigest()


def _compare(wb: Any, title: str, expected_rows: Iterable[Iterable[Any]], rep: VerifyReport,
             state: TaskState | None = None) -> tuple[str, str | None]:
    """Compare one sheet with its expected rows: (expected sheet hash, the file's sheet hash or None)."""
    hasher = mf.SheetHasher()
    if title not in wb.sheetnames:
        rep.problems.append(f"sheet '{title}' is missing")
        for r, values in enumerate(expected_rows, start=1):
            hasher.add(r, values)
        return hasher.hexdigest(), None
    found_hasher = mf.SheetHasher()

    def file_lines() -> Iterator[tuple[int, str]]:
        for item in mf.file_sheet_lines(wb[title]):
            found_hasher.add_line(item[1])
            yield item

    _match(rep, title, enumerate(expected_rows, start=1), file_lines(), hasher, state)
    return hasher.hexdigest(), found_hasher.hexdigest()


def _marker_row(cover: Any) -> int | None:
    """The row of the Cover's manifest marker (where the hashed part ends), if it has one."""
    for r, row in enumerate(cover.iter_rows(max_col=1, values_only=True), start=1):
        if row and row[0] == mf.MARKER:
            return r
    return None


def _compare_block(wb: Any, rep: VerifyReport, first_row: int, expected_rows: list[list[Any]]) -> bool:
    """Compare the Cover's rows from ``first_row`` (the manifest marker) to the end, cell by cell.

    True when a cell other than the manifest's own differs (that one has its own message)."""
    cover = wb["Cover"]
    before = {(d.sheet, d.cell) for d in rep.differences}  # rows the hashed part already reported

    def found() -> Iterator[tuple[int, str]]:
        for r, row in enumerate(cover.iter_rows(min_row=first_row, values_only=True), start=first_row):
            line = mf.row_line(r, row)
            if line is not None:
                yield r, line

    block = VerifyReport(path=rep.path, run_id=rep.run_id)
    _match(block, "Cover", enumerate((_values(r) for r in expected_rows), start=first_row), found(),
           mf.SheetHasher())
    new = [d for d in block.differences if (d.sheet, d.cell) not in before]
    for d in new:
        if len(rep.differences) < MAX_DIFFERENCES:
            rep.differences.append(d)
        else:
            rep.more_differences += 1
    rep.more_differences += block.more_differences
    return bool(block.more_differences) or any(d.cell != f"B{first_row}" for d in new)


def _match(rep: VerifyReport, title: str, expected_rows: Iterable[tuple[int, Iterable[Any]]],
           found: Iterator[tuple[int, str]], hasher: mf.SheetHasher, state: TaskState | None = None) -> None:
    """Walk expected (row number, values) and found (row number, line) in step, recording every difference."""
    got = next(found, None)
    for r, values in expected_rows:
        if r % PROGRESS_EVERY == 0:
            report(state, r, None, f"Verifying {title}: {r:,} rows")
        line = mf.row_line(r, values)
        if line is None:
            continue
        hasher.add_line(line)
        while got is not None and got[0] < r:
            _differ(rep, title, got[0], "", got[1])
            got = next(found, None)
        if got is not None and got[0] == r:
            if got[1] != line:
                _differ(rep, title, r, line, got[1])
            got = next(found, None)
        else:
            _differ(rep, title, r, line, "")
    while got is not None:
        _differ(rep, title, got[0], "", got[1])
        got = next(found, None)


def _cells(line: str) -> list[str]:
    if not line:
        return []
    return line.rstrip("\n").split("\t", 1)[1].split(mf.SEP)


def _differ(rep: VerifyReport, title: str, r: int, expected_line: str, found_line: str) -> None:
    exp, got = _cells(expected_line), _cells(found_line)
    for i in range(max(len(exp), len(got))):
        e = exp[i] if i < len(exp) else ""
        g = got[i] if i < len(got) else ""
        if e != g:
            if len(rep.differences) < MAX_DIFFERENCES:
                rep.differences.append(Difference(title, f"{get_column_letter(i + 1)}{r}", e, g))
            else:
                rep.more_differences += 1
