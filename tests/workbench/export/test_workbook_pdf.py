"""The audit workbook of a 500-customer scenario printed to PDF by LibreOffice headless, as an
auditor archiving it would: a sane page count, every page naming its run, period, sheet and page,
the header row on every page of a table, and the Cover on one page with each label beside its value.

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

from workbench import config
from workbench.export.workbook import write_workbook
from workbench.pipeline import execute_run
from workbench.sandbox.scenario import generate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

# A landscape page at 100% holds about 33 rows of 15 points between its margins; fitting a sheet
# to one page wide only ever shrinks it, so each page holds at least 30 rows. More pages than
# sheets + rows / 30 would mean a sheet prints in column strips again (the 177-page workbook).
ROWS_PER_PAGE_AT_LEAST = 30
FOOTER = re.compile(r"^(?P<sheet>.+?) Page (?P<page>\d+) of (?P<pages>\d+)$")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
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
    return run_id, load_workbook(xlsx), pages


def _footer(text: str) -> dict[str, str]:
    for line in text.splitlines():
        m = FOOTER.match(line.strip())
        if m:
            return m.groupdict()
    raise AssertionError(f"no 'Page x of y' footer on the page: {text[:300]!r}")


def test_page_count_grows_with_rows_not_columns(printed):
    _, wb, pages = printed
    rows = sum(ws.max_row for ws in wb.worksheets)
    bound = len(wb.sheetnames) + math.ceil(rows / ROWS_PER_PAGE_AT_LEAST)
    assert len(wb.sheetnames) <= len(pages) <= bound, (len(pages), rows, bound)


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
    for text in exc:  # ... and each page starts with the column headers
        assert "Exception id" in text and "Amount at risk" in text


def _shown(cell) -> str:
    v = cell.value
    if isinstance(v, datetime):  # a date cell reads back as midnight: its format says which it is
        return v.strftime("%Y-%m-%d" if cell.number_format == "yyyy-mm-dd" else "%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, int) and cell.number_format == "#,##0":
        return f"{v:,}"
    return str(v)


def test_the_cover_is_one_page_with_each_label_beside_its_value(printed):
    _, wb, pages = printed
    cover_pages = [t for t in pages if _footer(t)["sheet"] == "Cover"]
    assert len(cover_pages) == 1
    lines = [" ".join(line.split()) for line in cover_pages[0].splitlines()]
    pairs = [(row[0].value, _shown(row[1])) for row in wb["Cover"].iter_rows(max_col=2)
             if row[0].font.b and row[0].value and row[1].value is not None]
    assert len(pairs) >= 12  # run id, name, status, period, as-of ... export id, trail head
    for label, value in pairs:
        assert any(line.startswith(f"{label} {value}") for line in lines), (label, value)
