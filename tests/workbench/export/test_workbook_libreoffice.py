"""The workbook opened by a real spreadsheet program: LibreOffice headless converts it, and the
formula payloads from source data come out as the text they are, never evaluated.

Runs when `soffice` is installed (.ci/run installs LibreOffice so it runs in CI)."""

from __future__ import annotations

import csv
from decimal import Decimal
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


# as above, but each cell's text as shown (its number format applied)
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def _minor_unit_exceptions() -> list[dict]:
    from tests.workbench.export.test_workbook import _exc
    return [
        _exc(1, type="invoice.balance_mismatch", field="open_balance", crm_value="148500", erp_value="150000",
             difference=Decimal("-1500"), amount_at_risk=Decimal("1500"), currency="JPY"),
        _exc(2, type="invoice.balance_mismatch", field="open_balance", crm_value="12.220", erp_value="12.345",
             difference=Decimal("-0.125"), amount_at_risk=Decimal("0.125"), currency="KWD"),
        _exc(3, type="invoice.balance_mismatch", field="open_balance", crm_value="1200.500", erp_value="1000",
             difference=Decimal("200.500"), amount_at_risk=Decimal("200.500"), currency="BHD"),
        _exc(4, type="invoice.balance_mismatch", field="open_balance", crm_value="0", erp_value="1234567.891",
             difference=Decimal("-1234567.891"), amount_at_risk=Decimal("1234567.891"), currency="JOD"),
        _exc(5, type="invoice.balance_mismatch", field="open_balance", crm_value="1200.5", erp_value="1300.5",
             difference=Decimal("-100.00"), amount_at_risk=Decimal("100.00"), currency="EUR"),
    ]


def test_libreoffice_shows_each_amount_in_its_currencys_minor_units(store, tmp_path, monkeypatch):
    """JPY without decimals, KWD, BHD and JOD with three, EUR with two; a negative difference with its
    minus sign; the figures as the spreadsheet shows them, not only as stored."""
    rid = make_run(store, exceptions=_minor_unit_exceptions(), monkeypatch=monkeypatch)
    xlsx = tmp_path / "audit.xlsx"
    write_workbook(store, rid, xlsx)
    out = tmp_path / "shown"
    _convert(xlsx, out, CSV_AS_SHOWN, tmp_path)
    with open(out / "audit-Exceptions.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    h = {name: i for i, name in enumerate(rows[0])}
    shown = [(r[h["Currency"]], r[h["Difference (CRM − ERP)"]], r[h["Amount at risk"]], r[h["ERP value"]])
             for r in rows[1:]]
    assert shown == [("JPY", "-1,500 JPY", "1,500 JPY", "150,000 JPY"),
                     ("KWD", "-0.125 KWD", "0.125 KWD", "12.345 KWD"),
                     ("BHD", "200.500 BHD", "200.500 BHD", "1,000.000 BHD"),
                     ("JOD", "-1,234,567.891 JOD", "1,234,567.891 JOD", "1,234,567.891 JOD"),
                     ("EUR", "-100.00 EUR", "100.00 EUR", "1,300.50 EUR")]
    with open(out / "audit-Summary.csv", encoding="utf-8", newline="") as fh:
        summary = list(csv.reader(fh))
    start = next(i for i, r in enumerate(summary) if r and r[0] == "Amount at risk by currency") + 2
    end = next(i for i in range(start, len(summary)) if not any(summary[i]))
    at_risk = {r[0]: r[2] for r in summary[start:end]}
    assert {c: at_risk[c] for c in ("BHD", "EUR", "JOD", "JPY", "KWD")} == {
        "BHD": "200.500 BHD", "EUR": "100.00 EUR", "JOD": "1,234,567.891 JOD", "JPY": "1,500 JPY",
        "KWD": "0.125 KWD"}


def test_libreoffice_reads_every_cell_as_written(workbook, tmp_path):
    """Opened and saved again by LibreOffice, every cell of every sheet has the value and type the
    export wrote: numbers stay numbers, dates dates, ids and codes text (nothing recomputed)."""
    out = tmp_path / "xlsx"
    _convert(workbook, out, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    ours, theirs = load_workbook(workbook), load_workbook(out / "audit.xlsx")
    assert theirs.sheetnames == ours.sheetnames
    compared = 0
    for ws in ours.worksheets:
        other = theirs[ws.title]
        for row in ws.iter_rows():
            for c in row:
                d = other[c.coordinate]
                if isinstance(c.value, float) or isinstance(d.value, float):
                    assert d.value == pytest.approx(c.value, rel=1e-12), (ws.title, c.coordinate)
                else:
                    assert d.value == c.value, (ws.title, c.coordinate, c.value, d.value)
                assert d.data_type == c.data_type, (ws.title, c.coordinate, c.value)
                compared += c.value is not None
    assert compared > 300
