"""The audit workbook of a 500-customer scenario printed to PDF by LibreOffice headless, as an
auditor archiving it would: text a person can read on every page, wide sheets in column strips with
their first column repeated and a row's continuation on the next page, every page naming its run,
period, sheet and page, the header row on every page of a table, and on the Cover each label beside
its value.

Runs when `soffice` is installed (.ci/run installs LibreOffice so it runs in CI)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from datetime import date, datetime

import pypdf
import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from workbench import config
from workbench.export.workbook import write_workbook
from workbench.pipeline import execute_run
from workbench.sandbox.scenario import generate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

FOOTER = re.compile(r"^(?P<sheet>.+?) Page (?P<page>\d+) of (?P<pages>\d+)$")
# Fitting each sheet to one page wide printed the Exceptions sheet's 11-point text at 2.2 points
# and the Cover's at 2.5: nothing under 7 points is readable on paper.
SMALLEST_READABLE = 7.0
# Page bounds: US Letter landscape (LibreOffice's default paper here; A4 is larger) between the
# export's margins, in points; a column width unit is at most 7 points as LibreOffice prints it
# (5.25 in Excel; more where Calibri's metric twin Carlito is missing and a wider font stands in).
PAGE_WIDTH, PAGE_HEIGHT = (11 - 2 * 0.4) * 72, (8.5 - 2 * 0.7) * 72
WIDTH_POINTS_AT_MOST = 7.0


@pytest.fixture(scope="module")
def printed_all(tmp_path_factory):
    from workbench.store.db import open_store
    base = tmp_path_factory.mktemp("printed")
    scenario = generate(11, 500, base / "scenario")
    store = open_store(f"sqlite:///{base / 'store.sqlite3'}")
    try:
        run_id = execute_run(config.load(scenario / "run.toml"), store, user="ann").run_id
        xlsx = base / "audit.xlsx"
        write_workbook(store, run_id, xlsx)
    finally:
        store.dispose()
    out = base / "pdf"
    # a private profile so parallel runs do not share LibreOffice's user installation
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={(base / 'lo-profile').as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    pages = [p.extract_text() or "" for p in pypdf.PdfReader(out / "audit.pdf").pages]
    return run_id, load_workbook(xlsx), pages, out / "audit.pdf"


@pytest.fixture(scope="module")
def printed_pdf(printed_all):
    return printed_all[3]


@pytest.fixture(scope="module")
def printed(printed_all):
    return printed_all[:3]


def _footer(text: str) -> dict[str, str]:
    for line in text.splitlines():
        m = FOOTER.match(line.strip())
        if m:
            return m.groupdict()
    raise AssertionError(f"no 'Page x of y' footer on the page: {text[:300]!r}")


def _pages_at_most(ws) -> int:
    """The pages a sheet can take at its print scale: column strips (each after the first starting
    with the repeated column A) times bands of rows (each after the first under the repeated header)."""
    scale = ws.page_setup.scale / 100
    widths: dict[int, float] = {}
    for d in ws.column_dimensions.values():
        for i in range(d.min or column_index_from_string(d.index), (d.max or d.min or 0) + 1):
            widths[i] = 0.0 if d.hidden else (d.width or 8.43) * WIDTH_POINTS_AT_MOST * scale
    cols = [widths.get(i, 8.43 * WIDTH_POINTS_AT_MOST * scale) for i in range(1, ws.max_column + 1)]
    strips, used = 1, 0.0
    for w in cols:
        if used and used + w > PAGE_WIDTH:
            strips, used = strips + 1, cols[0]
        used += w
    heights = [(ws.row_dimensions[r].height or 15) * scale for r in range(1, ws.max_row + 1)]
    repeated = heights[0] if ws.print_title_rows else 0.0
    bands, used = 1, 0.0
    for h in heights:
        if used and used + h > PAGE_HEIGHT:
            bands, used = bands + 1, repeated
        used += h
    return strips * bands


def test_page_count_is_what_the_columns_and_rows_need(printed):
    _, wb, pages = printed
    by_sheet: dict[str, int] = {}
    for text in pages:
        sheet = _footer(text)["sheet"]
        by_sheet[sheet] = by_sheet.get(sheet, 0) + 1
    for ws in wb.worksheets:
        assert 1 <= by_sheet.get(ws.title, 0) <= _pages_at_most(ws), (ws.title, by_sheet.get(ws.title))


def _text_sizes(page) -> list[float]:
    """The printed size in points of every piece of text on a page (font size through the text and
    transformation matrices)."""
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]))
    page.extract_text(visitor_text=visit)
    return sizes


def test_every_page_is_printed_at_a_readable_size(printed_pdf):
    for n, page in enumerate(pypdf.PdfReader(printed_pdf).pages, start=1):
        sizes = _text_sizes(page)
        assert sizes and min(sizes) >= SMALLEST_READABLE, (n, min(sizes, default=None), _footer(page.extract_text()))


def test_a_wide_sheet_prints_in_strips_each_row_continuing_on_the_next_page(printed):
    """Page order across then down, column A (the exception id) on every strip: the page after the
    first strip of a band of rows shows the same exceptions, and so on to the band's last strip."""
    _, wb, pages = printed
    exc = [t for t in pages if _footer(t)["sheet"] == "Exceptions"]
    first_strip = re.compile(r"^(\d+)\D")  # "17Customer missing in ERP ..." (id, then the type)
    ids_of = [[int(m.group(1)) for line in t.splitlines() if (m := first_strip.match(line))] for t in exc]
    only_ids = [[int(line) for line in t.splitlines() if line.strip().isdigit()] for t in exc]
    continued = 0
    for i in range(1, len(exc)):
        if "Exception idType" in exc[i]:
            continue  # a new band of rows begins with its first strip
        band_start = max(j for j in range(i) if "Exception idType" in exc[j])
        assert only_ids[i] == ids_of[band_start], (i, only_ids[i][:5], ids_of[band_start][:5])
        continued += 1
    assert continued >= 1
    shown = "".join(exc)
    for header in (c.value for c in wb["Exceptions"][1]):
        assert header.replace(" ", "") in shown.replace(" ", "").replace("\n", ""), header


def test_every_page_names_run_period_sheet_and_page(printed):
    run_id, wb, pages = printed
    seen = []
    for n, text in enumerate(pages, start=1):
        assert f"audit workbook — run {run_id}" in text and "Period 2026-10" in text, n
        f = _footer(text)
        assert int(f["page"]) == n and int(f["pages"]) == len(pages), (n, f)
        seen.append(f["sheet"])
    # sheets print in workbook order, each on its own pages
    assert list(dict.fromkeys(seen)) == wb.sheetnames


def test_the_header_row_repeats_on_every_page_of_a_table(printed):
    _, _, pages = printed
    exc = [t for t in pages if _footer(t)["sheet"] == "Exceptions"]
    assert len(exc) >= 2  # 500 customers' exceptions take more than one page ...
    for text in exc:  # ... and each page starts with the column headers (of its strip)
        assert "Exception id" in text
    assert all(any(h in t for t in exc) for h in ("Amount at risk", "Message", "ERP number"))


def _shown(cell) -> str:
    v = cell.value
    if isinstance(v, datetime):  # a date cell reads back as midnight: its format says which it is
        return v.strftime("%Y-%m-%d" if cell.number_format == "yyyy-mm-dd" else "%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, int) and cell.number_format == "#,##0":
        return f"{v:,}"
    return str(v)


def _placed(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each piece of text on a page, in page coordinates."""
    out: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((x, y, " ".join(text.split())))
    page.extract_text(visitor_text=visit)
    return out


def test_on_the_cover_each_label_is_beside_its_value(printed, printed_pdf):
    """Each label and (the first line of) its value on one page, on one line, the value to the right."""
    _, wb, pages = printed
    placed = [_placed(p) for p, t in zip(pypdf.PdfReader(printed_pdf).pages, pages) if _footer(t)["sheet"] == "Cover"]
    pairs = [(row[0].value, _shown(row[1])) for row in wb["Cover"].iter_rows(max_col=2)
             if row[0].font.b and row[0].value and row[1].value is not None]
    assert len(pairs) >= 12  # run id, name, status, period, as-of ... export id, trail head
    for label, value in pairs:
        assert any(abs(ly - vy) < 3 and vx > lx
                   for page in placed for lx, ly, lt in page if lt == label
                   for vx, vy, vt in page if vt.startswith(value[:15])), (label, value)
