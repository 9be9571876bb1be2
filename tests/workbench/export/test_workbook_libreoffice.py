"""The workbook opened by a real spreadsheet program: LibreOffice headless converts it, and the
formula payloads from source data come out as the text they are, never evaluated.

Runs when `soffice` is installed (.ci/run installs LibreOffice so it runs in CI)."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.workbench.export.test_workbook import PAYLOADS, make_run
from workbench.export.workbook import write_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

# separator, quote, UTF-8, first line, -, language, not quoted-as-text, detect numbers,
# values not as shown, no formulas, keep spaces, every sheet (-1) to its own file
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _convert(xlsx, out_dir, target: str, tmp_path) -> None:
    profile = (tmp_path / "lo-profile").as_uri()
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                           "--outdir", str(out_dir), str(xlsx)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def workbook(store, tmp_path, monkeypatch):
    rid = make_run(store, monkeypatch=monkeypatch)
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    return path


def test_libreoffice_reads_formula_payloads_as_text(workbook, tmp_path):
    out = tmp_path / "csv"
    _convert(workbook, out, CSV_ALL_SHEETS, tmp_path)
    sheet_csv = out / "audit-Exceptions.csv"
    assert sheet_csv.exists(), sorted(p.name for p in out.iterdir())
    with open(sheet_csv, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:4] == ["Exception id", "Type", "Severity", "Status"]
    cells = {c for r in rows[1:] for c in r}
    for payload in PAYLOADS:
        assert payload in cells, payload  # the text itself, not a computed result or an error
    assert "Click me" not in cells
    by_col = {h: i for i, h in enumerate(header)}
    jpy = next(r for r in rows[1:] if r[by_col["Currency"]] == "JPY")
    assert jpy[by_col["Amount at risk"]] == "1500"
    unmatched = (out / "audit-Unmatched CRM.csv").read_text(encoding="utf-8")
    assert "HYPERLINK" in unmatched


def test_libreoffice_resave_keeps_payloads_as_string_cells(workbook, tmp_path):
    out = tmp_path / "xlsx"
    _convert(workbook, out, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    wb = load_workbook(out / "audit.xlsx")
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in PAYLOADS:
                    assert c.data_type == "s", (ws.title, c.coordinate)
                    seen.add(c.value)
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    assert seen == set(PAYLOADS)
    assert wb.sheetnames[:3] == ["Cover", "Summary", "Exceptions"]
