"""`workbench demo --no-gui`: the built-in demo goes through the real connectors against the
in-process sandboxes (HTTPS Salesforce, HTTP Business Central) and writes a workbook."""

import subprocess
import sys
from pathlib import Path

import openpyxl

from workbench.store import repo
from workbench.store.db import open_store

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def test_headless_demo_pulls_through_both_sandboxes_and_exports(tmp_path):
    db = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    xlsx = tmp_path / "demo.xlsx"
    p = subprocess.run([WORKBENCH, "demo", "--no-gui", "--xlsx", str(xlsx), "--db", db],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "Control totals" in p.stdout and "API usage CRM" in p.stdout
    # the story: proposed by one user, approved by another, pushed, verified, and gone on the re-run
    assert "4 proposed by demo-preparer, approved by demo-approver and pushed (verified: 4 agreed)" in p.stdout
    assert "1 rejected; 1 waiting for approval" in p.stdout
    assert "Re-run 2: 4 of the 4 corrected exceptions are gone" in p.stdout
    store = open_store(db)
    try:
        run = repo.load_run(store, 1)
        assert repo.load_run(store)["id"] == 2  # the re-run after the push
        by_side = {s["side"]: s for s in run["sources"]}
        assert by_side["crm"]["connector"] == "salesforce" and by_side["crm"]["instance"].startswith("https://127.0.0.1:")
        assert by_side["erp"]["connector"] == "business_central" and "127.0.0.1" in by_side["erp"]["instance"]
        assert run["summary"]["exceptions_total"] > 0
        exc = repo.load_exceptions(store, run["id"])
        assert len(exc) == run["summary"]["exceptions_total"]
    finally:
        store.dispose()
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert {"Summary", "Exceptions"} <= set(book.sheetnames)
    # the demo runs again on its own database and sandboxes, which kept the first story's corrections
    again = subprocess.run([WORKBENCH, "demo", "--no-gui", "--db", db], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "Corrections on run 3:" in again.stdout and "Re-run 4:" in again.stdout
    corrections = _records(book["Corrections"])
    assert sorted(c["State code"] for c in corrections) == ["applied"] * 4 + ["proposed", "rejected"]
    for c in corrections:
        assert c["Prepared by"] == "demo-preparer"
        if c["State code"] == "applied":
            assert c["Approved or rejected by"] == "demo-approver" and c["Verified at (UTC)"] is not None
            assert c["Verification"].startswith("Agreed")
    actions = [a["Action"] for a in _records(book["Audit trail"])]
    for step in ("correction.proposed", "correction.approved", "correction.rejected", "correction.applied",
                 "correction.verified"):
        assert step in actions, step


def _records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]
