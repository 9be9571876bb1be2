"""End to end: a generated scenario is run through the real pipeline, exported, read back and verified."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import load_workbook

from workbench import config
from workbench.export.workbook import verify_workbook, write_workbook
from workbench.pipeline import execute_run
from workbench.sandbox.scenario import generate
from workbench.store import repo


def test_generated_scenario_exports_and_ties_out(store, tmp_path):
    scenario = generate(11, 30, tmp_path / "scenario")
    outcome = execute_run(config.load(scenario / "run.toml"), store, user="ann")
    path = tmp_path / "audit.xlsx"
    info = write_workbook(store, outcome.run_id, path)
    wb = load_workbook(path)

    exc = list(wb["Exceptions"].iter_rows(min_row=2, values_only=True))
    stored = repo.load_exceptions(store, outcome.run_id)
    assert len(exc) == len(stored) == outcome.summary["exceptions_total"] > 0
    codes = [c.value for c in wb["Exceptions"][1]].index("Type code")
    assert sorted(r[codes] for r in exc) == sorted(stored["type"])
    assert dict(info.sheets)["Customer links"] == len(repo.load_links(store, outcome.run_id))

    rows = list(wb["Summary"].iter_rows(values_only=True))
    total_row = next(r for r in rows if r[0] == "Total")
    assert total_row[3] == len(exc)
    # control totals on the Summary are the run's, and the reconciling difference ties out per currency
    start = next(i for i, r in enumerate(rows) if r[0] == "Reconciling difference (open balance, CRM − ERP)")
    assert rows[start + 1][:10] == ("Currency", "CRM open balance", "ERP open balance", "Difference",
                                    "Explained by exceptions", "Within tolerance", "In flight (sync lag)", "Drafts",
                                    "Matched in another currency", "Unexplained")
    recon = [r for r in rows[start + 2:] if r[0]]
    assert recon
    totals = {(t["side"].upper(), t["currency"]): Decimal(t["open_balance"])
              for t in outcome.summary["control_totals"]}
    for ccy, crm, erp, diff, *items, unexplained in (r[:10] for r in recon):
        assert Decimal(str(crm)) == totals[("CRM", ccy)] and Decimal(str(erp)) == totals[("ERP", ccy)]
        assert abs(Decimal(str(diff)) - (totals[("CRM", ccy)] - totals[("ERP", ccy)])) < Decimal("0.005")
        assert None not in items
        # the exceptions and the reconciling items they do not report account for the whole difference
        assert abs(sum(Decimal(str(v)) for v in items) + Decimal(str(unexplained)) - Decimal(str(diff))) \
            < Decimal("0.005")
        assert abs(Decimal(str(unexplained))) < Decimal("0.005"), (ccy, items, unexplained)

    audit = list(wb["Audit trail"].iter_rows(min_row=2, values_only=True))
    assert any(r[3] == "run.completed" for r in audit)
    assert verify_workbook(store, path).ok
