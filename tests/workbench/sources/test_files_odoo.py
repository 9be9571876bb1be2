"""Odoo list-view exports, configured from docs/extracts/odoo.md alone, run through `workbench run`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import files_side
from tests.workbench.sources import odoo_exports

ROOT = Path(__file__).resolve().parents[3]
WORKBENCH = str(Path(sys.executable).with_name("workbench"))
EXAMPLE = ROOT / "resources" / "examples" / "salesforce_dataloader_business_central.toml"
ODOO_DOC = ROOT / "docs" / "extracts" / "odoo.md"
COMPARED = ("customer.", "pricing.", "invoice.", "credit.")


def doc_config(doc: Path, name: str) -> str:
    """The TOML block a user copies from the docs (the fence after `<!-- config: name -->`)."""
    m = re.search(rf"<!-- config: {name} -->\s*```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert m, f"{doc} has no config block {name!r}"
    return m.group(1)


def crm_side() -> str:
    """The shipped example's CRM side (a Salesforce Data Loader export) and its run/rules sections."""
    text = EXAMPLE.read_text(encoding="utf-8")
    crm = text[text.index("[run]"):text.index("[erp]")]
    rules = text[text.index("[rules.tolerances]"):]
    crm = crm.replace('dir = "data/salesforce_dataloader"',
                      f'dir = "{(EXAMPLE.parent / "data" / "salesforce_dataloader").as_posix()}"')
    return crm + "\n" + rules


def odoo_config(tmp: Path) -> Path:
    erp = doc_config(ODOO_DOC, "odoo")
    cfg = tmp / "run.toml"
    cfg.write_text(crm_side() + "\n" + erp, encoding="utf-8")
    return cfg


def bc_config(tmp: Path) -> Path:
    """The example's Business Central extracts of the same four kinds the Odoo exports hold."""
    erp = files_side("erp", "business_central", folder=odoo_exports.BC.as_posix(),
                     objects="".join(f"[erp.objects.{k}]\n" for k in ("customers", "products", "prices", "invoices")))
    cfg = tmp / "bc.toml"
    cfg.write_text(crm_side() + "\n" + erp, encoding="utf-8")
    return cfg


def wb(*args: str, code: int = 0) -> subprocess.CompletedProcess:
    p = subprocess.run([WORKBENCH, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr
    return p


def run(cfg: Path, db: str) -> tuple[str, list[dict]]:
    summary = wb("run", "--config", str(cfg), "--db", db, "--user", "ann").stdout
    exc = json.loads(wb("exceptions", "--format", "json", "--db", db).stdout)["exceptions"]
    return summary, exc


def comparable(exc: list[dict]) -> set[tuple]:
    """What a user checks; status and block values are shown as each system spells them."""
    return {(e["type"], e["customer_name"], e["field"], e["crm_value"],
             None if e["field"] in ("status", "blocked") else e["erp_value"])
            for e in exc if e["type"].startswith(COMPARED)}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    d = tmp_path_factory.mktemp("odoo")
    odoo_exports.write(d / "exports" / "odoo")
    odoo = run(odoo_config(d), f"sqlite:///{d / 'odoo.sqlite3'}")
    bc = run(bc_config(d), f"sqlite:///{d / 'bc.sqlite3'}")
    return d, odoo, bc


def test_odoo_exports_report_the_same_differences_as_business_central_extracts(both):
    _, (_, odoo), (_, bc) = both
    assert comparable(bc), "the BC baseline reports differences"
    assert comparable(odoo) == comparable(bc)
    assert not [e for e in odoo if e["type"] == "data_quality.unresolved_reference"]


def test_summary_counts_rows_read_used_and_dropped_per_file(both):
    _, (summary, _), _ = both
    assert re.search(r"ERP prices: Pricelist Rule \(product\.pricelist\.item\)\.csv\s+22\s+20\s+2\s+0", summary)
    assert "1 dropped: Apply On is 'All Products' (used: Product, Product Variant)" in summary
    assert "1 dropped: Apply On is 'Product Category' (used: Product, Product Variant)" in summary
    assert re.search(r"ERP invoices: Journal Entry \(account\.move\)\.csv\s+14\s+14\s+0\s+0", summary)


def test_partner_names_that_match_several_or_no_customers_are_reported_never_guessed(tmp_path):
    # a second contact named like an existing customer makes that name ambiguous
    odoo_exports.write(tmp_path / "exports" / "odoo", extra_partners=["Redwood Analytics Inc"],
                       invoice_partners={"PSI-103005": "Helvetia Praezision AG", "PSI-103006": "Nobody Ltd"})
    summary, exc = run(odoo_config(tmp_path), f"sqlite:///{tmp_path / 's.sqlite3'}")
    redwood = sum(1 for r in odoo_exports._rows("salesInvoices.csv") if r["customerName"] == "Redwood Analytics Inc")
    assert redwood > 0
    unresolved = [e for e in exc if e["type"] == "data_quality.unresolved_reference"]
    got = sorted((e["erp_value"], e["field"]) for e in unresolved)
    assert got == sorted([("Helvetia Praezision AG", "customer_id"), ("Nobody Ltd", "customer_id")]
                         + [("Redwood Analytics Inc", "customer_id")] * redwood)
    assert all(e["erp_object"] == "invoices" and e["erp_id"] and e["customer_name"] == e["erp_value"]
               for e in unresolved)
    nobody = next(e for e in unresolved if e["erp_value"] == "Nobody Ltd")
    assert "Journal Entry (account.move).csv" in nobody["message"] and "matches no record" in nobody["message"]
    first = 2 + next(n for n, r in enumerate(odoo_exports._rows("salesInvoices.csv"))
                     if r["customerName"] == "Redwood Analytics Inc")
    more = f" (+{redwood - 1} more rows)" if redwood > 1 else ""
    assert f"{redwood} ambiguous Partner (customer_id by name): row {first} 'Redwood Analytics Inc'{more}" in summary
    assert "2 unknown Partner (customer_id by name): row 6 'Helvetia Praezision AG', row 7 'Nobody Ltd'" in summary
    assert re.search(rf"ERP invoices: Journal Entry \(account\.move\)\.csv\s+14\s+14\s+0\s+{redwood + 2}\s", summary)
    # the invoices still take part: their numbers pair with the CRM's, none is reported missing
    assert not [e for e in exc if e["type"] in ("invoice.missing_in_crm", "invoice.missing_in_erp")]


def test_an_empty_amount_without_empty_as_zero_stops_the_run_naming_file_row_and_column(tmp_path):
    odoo_exports.write(tmp_path / "exports" / "odoo")
    cfg = odoo_config(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n[erp.objects.customers]\n[erp.objects.products]\n"
                   "[erp.objects.prices]\n[erp.objects.invoices]\nempty_as_zero = []\n", encoding="utf-8")
    p = wb("run", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 's.sqlite3'}", code=2)
    # PSI-103001 is paid: Odoo wrote its Amount Due as an empty cell (data row 1 = file row 2)
    assert "Journal Entry (account.move).csv, row 2, column 'Amount Due': empty value" in p.stderr
    assert "empty_as_zero" in p.stderr and p.stderr.strip().count("\n") == 0


def test_odoo_values_arrive_canonical(tmp_path):
    from workbench import config as config_mod
    from workbench.sources import open_source

    odoo_exports.write(tmp_path / "exports" / "odoo")
    erp = open_source("erp", config_mod.load(odoo_config(tmp_path))).pull()
    prices, inv, cust = erp.frames["prices"], erp.frames["invoices"], erp.frames["customers"]
    assert set(prices["product_code"]) == {"SRV-1001", "LIC-1002", "SUP-1003", "HW-1004"}
    assert set(prices["currency"]) == {"EUR", "USD", "GBP", "CHF", "JPY"}
    assert prices["pricebook"].iloc[0] == "EUR Pricelist (EUR)"
    assert dict(zip(cust["number"], cust["currency"]))["C10003"] == "CHF"  # "CHF Pricelist (CHF)"
    by_number = inv.set_index("number")
    assert by_number.loc["PSI-103001", "open_balance"] == 0 and by_number.loc["PSI-103001", "status"] == "paid"
    assert by_number.loc["PSI-103010", "status"] == "partially_paid"
    assert by_number.loc["PSI-103001", "external_ref"] == "INV-0000001"
    assert by_number.loc["PSI-103002", "customer_id"] == cust.set_index("number").loc["C10001", "record_id"]


def test_workbook_cover_lists_the_ledger_and_parameters_the_conventions(both):
    d, _, _ = both
    xlsx = d / "odoo.xlsx"
    wb("export", "--xlsx", str(xlsx), "--db", f"sqlite:///{d / 'odoo.sqlite3'}")
    book = openpyxl.load_workbook(xlsx, read_only=True)
    cover = [tuple(row) for row in book["Cover"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(cover) if r and r[0] == "Files read")
    assert cover[start + 1][:7] == ("Side", "Kind", "File", "Rows read", "Used", "Dropped", "Unresolved references")
    rules = next(r for r in cover[start:] if len(r) > 7 and r[:2] == ("ERP", "prices"))
    assert rules[2:7] == ("Pricelist Rule (product.pricelist.item).csv", 22, 20, 2, 0)
    assert "1 dropped: Apply On is 'All Products'" in rules[7]
    params = {(r[1]): r[2] for r in book["Parameters"].iter_rows(values_only=True) if r[0] == "conventions"}
    assert params["erp.objects.invoices.empty_as_zero"] == "Total, Total Signed, Amount Due, Amount Due Signed"
    assert params["erp.objects.invoices.references"] == "customer_id = Commercial Entity or Partner by name"
    assert "Customer Invoice|Posted|Not Paid = open" in params["erp.objects.invoices.status"]
    assert params["erp.objects.customers.patterns"] == r"currency = \(([A-Z]{3})\)\s*$"


def test_an_xlsx_export_with_date_cells_reads_like_the_csv(tmp_path):
    import csv
    from datetime import date, datetime

    from workbench import config as config_mod
    from workbench.sources import open_source

    out = odoo_exports.write(tmp_path / "exports" / "odoo")
    name = "Pricelist Rule (product.pricelist.item)"
    with (out / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    book = openpyxl.Workbook()
    book.active.append(rows[0])
    start, end = rows[0].index("Start Date"), rows[0].index("End Date")
    for r in rows[1:]:  # Odoo's XLSX export writes datetimes as date cells; a rule ends at 23:59:59
        cells = [datetime.fromisoformat(v) if n == start and v else (v or None) for n, v in enumerate(r)]
        cells[end] = datetime(2026, 12, 31, 23, 59, 59)
        book.active.append(cells)
    book.save(out / f"{name}.xlsx")
    (out / f"{name}.csv").unlink()
    cfg = odoo_config(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + f'\n[erp.objects.prices]\nfile = "{name}.xlsx"\n'
                   "[erp.objects.customers]\n[erp.objects.products]\n[erp.objects.invoices]\n", encoding="utf-8")
    prices = open_source("erp", config_mod.load(cfg)).pull().frames["prices"]
    assert len(prices) == 20 and set(prices["effective_date"]) == {date(2026, 1, 1)}
    assert set(prices["end_date"]) == {date(2026, 12, 31)}


def test_an_invoice_to_a_contact_person_resolves_through_its_commercial_entity(tmp_path):
    import csv

    from workbench import config as config_mod
    from workbench.sources import open_source

    out = odoo_exports.write(tmp_path / "exports" / "odoo",
                             invoice_partners={"PSI-103002": "MÜLLER MASCHINENBAU G.m.b.H., Jana Roth"})
    path = out / "Journal Entry (account.move).csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    partner = rows[0].index("Partner")
    # Odoo's Commercial Entity is the company for its contacts, the partner itself otherwise
    rows = [rows[0] + ["Commercial Entity"]] + [r + [r[partner].split(", ")[0]] for r in rows[1:]]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ex = open_source("erp", config_mod.load(odoo_config(tmp_path))).pull()
    inv = ex.frames["invoices"].set_index("number")
    cust = ex.frames["customers"].set_index("number")
    assert inv.loc["PSI-103002", "customer_id"] == cust.loc["C10001", "record_id"]
    assert ex.issues.empty
