"""CSV the CLI writes is safe to open in a spreadsheet: formula payloads stay text, numbers stay numbers."""

from __future__ import annotations

import csv
import io

from tests.workbench.export.test_workbook import PAYLOADS, make_run
from workbench.cli import main


def test_exceptions_csv_never_starts_a_cell_with_a_formula(store, monkeypatch, capsys):
    make_run(store, monkeypatch=monkeypatch)
    assert main(["exceptions", "--db", store.url, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    cells = [v for r in rows for v in r.values()]
    for payload in PAYLOADS:
        assert payload not in cells  # never as it came
        assert "'" + payload in cells  # shown, with the apostrophe that keeps it text
    assert not [v for v in cells if v and v[0] in "=+@\t\r"]
    jpy = next(r for r in rows if r["currency"] == "JPY")
    assert jpy["amount_at_risk"] == "1500"
