"""The "Files read" ledger a files run ends with lists its files in one order, whether the run read them or
reused the previous run's (its ledger then read back from the store)."""

from __future__ import annotations

import contextlib
import io

from workbench.cli import main
from workbench.sandbox.scenario import generate


def _files_read(text: str) -> list[str]:
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("Files read"))
    out = []
    for line in lines[at + 1:]:
        if line.startswith(" "):  # a note under its file
            continue
        if not line.startswith(("CRM ", "ERP ")):
            break
        out.append(line.split(":")[0])
    return out


def test_a_run_that_reused_its_files_lists_them_in_the_order_the_first_run_did(tmp_path):
    scen = generate(3, 20, tmp_path / "scen", invoices_per_customer=2)
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["run", "--config", str(scen / "run.toml"), "--db", db]) == 0
        outputs.append(out.getvalue())
    assert "reused run 1's data" in outputs[1]
    first, again = _files_read(outputs[0]), _files_read(outputs[1])
    assert first == again, (first, again)
    assert first[:2] == ["CRM customers", "CRM products"] and first[-1] == "ERP payments", first
