"""How the audit workbook reads on screen and on paper, read back with openpyxl: headers over
figures aligned right as their figures are, amounts in columns wide enough to show them (not
#####), long prose wrapped in rows tall enough for it while hashes stay whole on one line, and
every sheet printed at a scale a person can read (wide sheets in column strips, never shrunk to
one page wide)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.workbench.export.test_workbook import exported, header_index, make_run  # noqa: F401  # the fixture
from workbench.export.workbook import verify_workbook, write_workbook
from workbench.store.schema import Run

FIGURES = (int, float, Decimal, date, datetime)
MIN_SCALE = 70  # per cent: 11-point text prints at 7.7 points
POINTS_PER_WIDTH = 5.25  # a column width unit: the default font's digit, 7 pixels at 96 dpi (ECMA-376 §18.3.1.13)
PRINTABLE_WIDTH = (11 - 2 * 0.4) * 72  # US Letter landscape (narrower than A4) between 0.4-inch margins


def _is_figure(v) -> bool:
    return isinstance(v, FIGURES) and not isinstance(v, bool)


def _shown(v, fmt: str) -> str:
    """What a number format shows of a number: grouping, decimals, the quoted currency code."""
    places = len(fmt.split(".")[1].split(" ")[0].split('"')[0]) if "." in fmt.split(";")[0] else 0
    code = fmt.split('"')[1] if '"' in fmt else ""
    return f"{v:,.{places}f}" + (f" {code}" if code else "")


def _blocks(ws):
    """(header row, [data rows]) of each small table on a free-form sheet: a run of 'wb header' cells,
    then the rows below it up to the next blank row."""
    rows = list(ws.iter_rows())
    for r, row in enumerate(rows):
        if not any(c.style == "wb header" or c.style == "wb header right" for c in row if c.value is not None):
            continue
        below = []
        for nxt in rows[r + 1:]:
            if all(c.value is None for c in nxt):
                break
            below.append(nxt)
        yield row, below


def test_headers_over_figures_are_aligned_right_as_their_figures(exported):  # noqa: F811
    _, _, path, _ = exported
    wb = load_workbook(path)
    checked = 0
    for name in ("Summary", "Cover"):
        for header, below in _blocks(wb[name]):
            for c in header:
                if c.value is None or c.font.b is not True:
                    continue
                values = [b[c.column - 1].value for b in below if c.column - 1 < len(b)]
                values = [v for v in values if v is not None]
                if values and all(_is_figure(v) for v in values):
                    assert c.alignment.horizontal == "right", (name, c.coordinate, c.value)
                    checked += 1
                elif values and not any(_is_figure(v) for v in values):
                    assert c.alignment.horizontal in (None, "general", "left"), (name, c.coordinate, c.value)
    assert checked >= 10  # rows, counts, amounts at risk, open balances, differences ...
    ws = wb["Exceptions"]
    h = header_index(ws)
    head = next(ws.iter_rows(max_row=1))
    for col in ("Exception id", "Difference (CRM − ERP)", "Amount at risk", "First seen (UTC)", "Age (days)"):
        assert head[h[col]].alignment.horizontal == "right", col
    for col in ("Type", "Customer", "Message"):
        assert head[h[col]].alignment.horizontal is None, col


def test_summary_amounts_fit_their_columns(store, tmp_path, monkeypatch):
    """A reconciling item of 1,234,567.89 EUR under the short header 'Drafts' showed as ##### in a
    10-character column: the width counted the header and the digits, not the grouping and the code."""
    rid = make_run(store, monkeypatch=monkeypatch)
    with store.session() as s:
        run = s.get(Run, rid)
        summary = dict(run.summary)
        summary["stats"] = {"reconciling": {"EUR": {
            "difference": "100.00", "explained": "-1234467.89", "within_tolerance": "0", "in_flight": "0",
            "drafts": "1234567.89", "other_currency": "0"}}}
        run.summary = summary
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    wb = load_workbook(path)
    ws = wb["Summary"]
    seen = False
    for name in ("Summary", "Cover"):
        ws = wb[name]
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and '"' in c.number_format:
                    width = ws.column_dimensions[get_column_letter(c.column)].width
                    text = _shown(c.value, c.number_format)
                    assert width >= len(text) + 1, (name, c.coordinate, text, width)
                    seen = seen or text == "1,234,567.89 EUR"
    assert seen


def test_long_prose_wraps_in_a_tall_enough_row_and_hashes_stay_whole(exported):  # noqa: F811
    _, _, path, _ = exported
    wb = load_workbook(path)
    wrapped = 0
    for name in ("Cover", "Summary"):
        ws = wb[name]
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or c.font.sz in (12, 14):  # headings run over empty neighbours
                    continue
                width = ws.column_dimensions[get_column_letter(c.column)].width
                if " " not in c.value:  # a hash, an id, a path: never broken over lines
                    assert width >= len(c.value) + 1 or len(c.value) > 68, (name, c.coordinate, c.value)
                    continue
                if len(c.value) > width:
                    assert c.alignment.wrap_text, (name, c.coordinate, c.value[:40])
                    lines = math.ceil(len(c.value) / width)
                    height = ws.row_dimensions[c.row].height
                    assert height is not None and height >= 15 * lines, (name, c.coordinate, height, lines)
                    wrapped += 1
        assert max(d.width for d in ws.column_dimensions.values() if d.width) <= 70, name
    assert wrapped >= 3  # the Summary's sheet descriptions, the Cover's "What is hashed"


def _printed_width(ws, scale: int) -> float:
    widths = [d.width * (d.max - d.min + 1) for d in ws.column_dimensions.values() if d.width and not d.hidden]
    return sum(widths) * POINTS_PER_WIDTH * scale / 100


def test_every_sheet_prints_at_a_readable_scale_wide_ones_in_strips_with_their_first_column(exported):  # noqa: F811
    """Fitting every sheet to one page wide printed the Exceptions sheet at about 20% (2-point text)
    and the Cover, forced onto one page, at 30%."""
    _, _, path, _ = exported
    wb = load_workbook(path)
    strips = 0
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert MIN_SCALE <= setup.scale <= 100, (ws.title, setup.scale)
        assert setup.pageOrder == "overThenDown", ws.title  # a row continues on the next page
        if _printed_width(ws, setup.scale) > PRINTABLE_WIDTH:
            assert ws.print_title_cols == "$A:$A", ws.title  # the id (or label) beside every strip
            strips += 1
        elif setup.scale < 100:
            # no smaller than it must be: at the next size up it no longer fits
            assert _printed_width(ws, setup.scale + 1) > PRINTABLE_WIDTH * 0.9, ws.title
    assert strips >= 2  # Exceptions and Corrections at least


def test_a_workbook_with_wrapped_rows_and_right_aligned_headers_verifies(exported):  # noqa: F811
    store, _, path, _ = exported
    rep = verify_workbook(store, path)
    assert rep.ok, "\n".join(rep.lines())


def test_long_text_in_a_tables_last_column_wraps_rather_than_run_off_the_page(store, tmp_path, monkeypatch):
    """The last column's overflow has no neighbour to stop it: printed, it ran onto pages of its own
    (a status mapping of 174 characters in Parameters' Value took a page for one line)."""
    rid = make_run(store, monkeypatch=monkeypatch)
    mapping = "; ".join(f"Posted|State {i} = open" for i in range(12))
    with store.session() as s:
        run = s.get(Run, rid)
        run.config = {**run.config, "erp": {**run.config["erp"], "status_map": mapping}}
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    ws = load_workbook(path)["Parameters"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == mapping)
    width = ws.column_dimensions["C"].width
    assert len(mapping) > width and row[2].alignment.wrap_text
    assert ws.row_dimensions[row[0].row].height >= 15 * math.ceil(len(mapping) / width)
    assert [c.alignment.vertical for c in row] == ["top"] * 3  # section and setting beside the first line
    short = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "connector")
    assert not short[2].alignment.wrap_text and ws.row_dimensions[short[0].row].height is None


def test_wrapped_text_that_starts_like_a_formula_stays_guarded_text(store, tmp_path, monkeypatch):
    """Every text cell that begins with =, +, -, @ on every sheet is a string cell with the quote
    prefix, the wrapped ones too (a long value in a table's last column, a long Cover text)."""
    rid = make_run(store, monkeypatch=monkeypatch)
    payload = "=HYPERLINK(\"http://evil.example/x\",\"Click me\") " + "and a long tail of words " * 8
    with store.session() as s:
        run = s.get(Run, rid)
        run.config = {**run.config, "erp": {**run.config["erp"], "note": payload}}
        run.error = "-" + "a failure worded at length " * 6
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    wb = load_workbook(path)
    error = run.error
    wrapped = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value[:30])
                    if c.value in (payload, error) and c.alignment.wrap_text:
                        wrapped.add((ws.title, c.value))
    assert wrapped == {("Parameters", payload), ("Cover", error)}
