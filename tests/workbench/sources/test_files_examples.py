"""The shipped example: a Salesforce Data Loader export against a Business Central export."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from workbench import config as config_mod
from workbench.sources import open_source

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "examples" / "salesforce_dataloader_business_central.toml"


def test_example_config_reads_both_sides_completely():
    cfg = config_mod.load(EXAMPLE)
    crm = open_source("crm", cfg).pull()
    erp = open_source("erp", cfg).pull()
    assert crm.meta.row_counts == {"customers": 8, "products": 4, "prices": 20, "orders": 4, "order_lines": 6,
                                   "invoices": 14}
    assert erp.meta.row_counts == {"customers": 8, "products": 4, "prices": 20, "orders": 2, "order_lines": 3,
                                   "invoices": 14, "payments": 8}
    # the hand-checkable facts the example walk-through in docs/guide/files.md relies on
    inv = {r["number"]: r for r in crm.frames["invoices"].to_dict("records")}
    einv = {r["number"]: r for r in erp.frames["invoices"].to_dict("records")}
    assert (inv["PSI-103003"]["status"], einv["PSI-103003"]["status"]) == ("open", "paid")
    assert (inv["PSI-103010"]["open_balance"], einv["PSI-103010"]["open_balance"]) == (Decimal("2000.00"),
                                                                                       Decimal("1500.00"))
    assert einv["PSI-103013"]["total_amount"] == Decimal("1250000") and einv["PSI-103013"]["currency"] == "JPY"
    # the 15-character account id on PSI-103001 resolves to the same 18-character account
    assert inv["PSI-103001"]["customer_id"] == inv["PSI-103002"]["customer_id"]
    lines = erp.frames["order_lines"]
    assert set(lines["currency"]) == {"EUR", "USD"}  # taken from the order header
    blocked = erp.frames["customers"].set_index("number")["blocked"]
    assert blocked["C10006"] == "All" and blocked["C10001"] is None


def test_the_odoo_example_reports_the_same_nine_differences_by_hand(tmp_path):
    import json
    import subprocess
    import sys

    wb = str(Path(sys.executable).with_name("workbench"))
    cfg = EXAMPLE.with_name("salesforce_dataloader_odoo.toml")
    db = f"sqlite:///{tmp_path / 's.sqlite3'}"
    run = subprocess.run([wb, "run", "--config", str(cfg), "--db", db], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = subprocess.run([wb, "exceptions", "--format", "json", "--db", db], capture_output=True, text=True,
                         timeout=300)
    got = {(e["type"], e["customer_name"]) for e in json.loads(out.stdout)["exceptions"]}
    assert {t for t, _ in got} == {
        "customer.missing_xref", "customer.missing_in_erp", "customer.missing_in_crm", "customer.attribute_mismatch",
        "credit.blocked_in_erp", "pricing.price_mismatch", "invoice.status_mismatch",
        "invoice.partial_payment_not_reflected", "invoice.due_date_mismatch"}
    assert ("customer.missing_in_crm", "Thames Freight Ltd") in got
    assert "2 dropped" not in run.stdout and "1 dropped: Apply On is 'All Products'" in run.stdout
