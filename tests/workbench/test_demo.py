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
    store = open_store(db)
    try:
        run = repo.load_run(store)
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
