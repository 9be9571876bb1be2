"""Issue 2's whole path as a user walks it on the command line: scenario files → run →
exceptions as JSON checked against the ground truth → workbook read back with openpyxl."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def wb(*args):
    p = subprocess.run([WORKBENCH, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    d = tmp_path_factory.mktemp("e2e")
    db = f"sqlite:///{d / 'store.sqlite3'}"
    wb("scenario", "--seed", "11", "--customers", "80", "--out", str(d / "scenario"))
    summary = wb("run", "--config", str(d / "scenario" / "run.toml"), "--db", db, "--user", "ann")
    exc = json.loads(wb("exceptions", "--format", "json", "--db", db))
    truth = json.loads((d / "scenario" / "truth.json").read_text())
    return d, db, summary, exc, truth


def test_summary_reports_records_links_exceptions_and_control_totals(ran):
    _, _, summary, exc, _ = ran
    assert "Records" in summary and "customers" in summary and "invoices" in summary
    assert "Customer links:" in summary
    assert f"{'Total':<44}{len(exc['exceptions']):>10,}" in summary
    assert "Control totals" in summary and "CRM" in summary and "ERP" in summary


def test_every_injected_discrepancy_is_reported_and_no_decoy(ran):
    _, _, _, exc, truth = ran
    got = {(e["type"], e["crm_id"], e["erp_id"]) for e in exc["exceptions"]}
    want = {(t["type"], t["crm_id"], t["erp_id"]) for t in truth["exceptions"]}
    assert want - got == set(), f"missed: {sorted(want - got)[:10]}"
    assert got - want == set(), f"not injected (decoys or noise): {sorted(got - want)[:10]}"


def test_exceptions_carry_type_severity_refs_diffs_and_amount_at_risk(ran):
    _, _, _, exc, _ = ran
    for e in exc["exceptions"]:
        assert e["type"] and e["severity"] in {"critical", "high", "medium", "low"}
        assert e["crm_id"] or e["erp_id"]
        assert isinstance(e["diffs"], list)
        if e["amount_at_risk"] is not None:
            assert Decimal(e["amount_at_risk"]) >= 0  # exact text, never a float
    price = [e for e in exc["exceptions"] if e["type"] == "pricing.price_mismatch"]
    assert price and all(d["field"] for p in price for d in p["diffs"])


def test_csv_output_has_the_same_rows(ran):
    _, db, _, exc, _ = ran
    out = wb("exceptions", "--format", "csv", "--db", db)
    assert len(out.strip().splitlines()) == len(exc["exceptions"]) + 1


def test_workbook_reads_back_with_summary_and_every_exception(ran):
    d, db, _, exc, _ = ran
    path = d / "run.xlsx"
    wb("export", "--xlsx", str(path), "--db", db)
    book = openpyxl.load_workbook(path, read_only=True)
    assert "Summary" in book.sheetnames and "Exceptions" in book.sheetnames
    rows = list(book["Exceptions"].iter_rows(values_only=True))
    header = rows[0]
    assert "Type" in header and "Type code" in header  # the type in words, and its code for filters
    types = sorted(r[header.index("Type code")] for r in rows[1:] if any(r))
    assert types == sorted(e["type"] for e in exc["exceptions"])


def test_exceptions_carry_the_business_numbers_a_person_looks_up(ran):
    _, db, _, exc, _ = ran
    by_type = {}
    for e in exc["exceptions"]:
        by_type.setdefault(e["type"], []).append(e)
    # an ERP invoice missing in the CRM is named by its invoice number, not only its record id
    for e in by_type["invoice.missing_in_crm"]:
        assert e["erp_number"] and e["erp_number"] != e["erp_id"]
    for e in by_type["pricing.price_mismatch"]:
        assert e["crm_number"] and e["erp_number"]  # product code / item number
    for e in by_type["customer.missing_in_crm"]:
        assert e["erp_number"]  # customer number
    out = wb("exceptions", "--format", "csv", "--db", db).splitlines()
    header = out[0].split(",")
    assert "crm_number" in header and "erp_number" in header
    table = wb("exceptions", "--db", db)
    assert by_type["invoice.missing_in_crm"][0]["erp_number"] in table
