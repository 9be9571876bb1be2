"""The independent corpus generator: deterministic per seed, and its truth agrees with its files."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import pytest

from benchmarks.corpus import generate


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def all_files(d: Path) -> list[Path]:
    return sorted(p.relative_to(d) for p in d.rglob("*") if p.is_file())


@pytest.mark.parametrize("erp", ["business_central", "odoo"])
def test_same_seed_same_files_other_seed_other_data(tmp_path, erp):
    a = generate(tmp_path / "a", customers=300, seed=3, erp=erp)
    generate(tmp_path / "b", customers=300, seed=3, erp=erp)
    generate(tmp_path / "c", customers=300, seed=4, erp=erp)
    files = all_files(tmp_path / "a")
    assert files == all_files(tmp_path / "b")
    assert a["config"].name == ("run-odoo.toml" if erp == "odoo" else "run.toml")
    for f in files:
        assert filecmp.cmp(tmp_path / "a" / f, tmp_path / "b" / f, shallow=False), f
    assert rows(tmp_path / "a" / "crm" / "Account.csv") != rows(tmp_path / "c" / "crm" / "Account.csv")


def test_flavours_share_the_crm_side_and_the_truth_apart_from_vendor_decoys(tmp_path):
    generate(tmp_path / "bc", customers=300, seed=5, erp="business_central")
    generate(tmp_path / "odoo", customers=300, seed=5, erp="odoo")
    bc = json.loads((tmp_path / "bc" / "truth.json").read_text())
    od = json.loads((tmp_path / "odoo" / "truth.json").read_text())
    assert bc["links"] == od["links"]
    assert [d for d in bc["discrepancies"] if d["family"] != "invoice"] == \
        [d for d in od["discrepancies"] if d["family"] != "invoice"]
    assert filecmp.cmp(tmp_path / "bc" / "crm" / "Account.csv", tmp_path / "odoo" / "crm" / "Account.csv",
                       shallow=False)


def test_bc_truth_records_exist_in_the_files_as_the_truth_says(tmp_path):
    d = generate(tmp_path, customers=600, seed=2)["crm"].parent
    truth = json.loads((d / "truth.json").read_text())
    accounts = {r["ID"]: r for r in rows(d / "crm" / "Account.csv")}
    customers = {r["number"]: r for r in rows(d / "erp" / "customers.csv")}
    crm_prices = {(r["PRODUCTCODE"], r["CURRENCYISOCODE"]) for r in rows(d / "crm" / "PricebookEntry.csv")
                  if r["ISACTIVE"] == "true"}
    erp_prices = {(r["itemNumber"], r["currencyCode"]) for r in rows(d / "erp" / "salesPrices.csv")}
    crm_inv = {r["NAME"]: r for r in rows(d / "crm" / "blng__Invoice__c.csv")}
    erp_inv = {r["number"]: r for r in rows(d / "erp" / "salesInvoices.csv")}

    for crm_id, number in truth["links"]:
        assert crm_id in accounts and number in customers
        assert len(crm_id) == 18
    kinds = {d["kind"] for d in truth["discrepancies"]}
    assert {"missing_in_erp", "missing_in_crm", "wrong_xref", "price_differs", "status_void_vs_open"} <= kinds
    for t in truth["discrepancies"]:
        rec, kind = t["record"], t["kind"]
        if t["family"] == "customer":
            assert (rec["crm_id"] in accounts) == (kind != "missing_in_crm")
            assert (rec["erp_number"] in customers) == (kind != "missing_in_erp")
            if kind == "wrong_xref":
                xref = accounts[rec["crm_id"]]["ERP_CUSTOMER_NUMBER__C"]
                assert xref in customers and xref != rec["erp_number"]
            if kind == "tax_id_changed":
                assert accounts[rec["crm_id"]]["TAX_ID__C"] != customers[rec["erp_number"]]["taxRegistrationNumber"]
        elif t["family"] == "pricing":
            key = (rec["product_code"], rec["currency"])
            assert (key in crm_prices) == (kind != "missing_in_crm")
            assert (key in erp_prices) == (kind != "missing_in_erp")
        else:
            assert (rec["crm_number"] in crm_inv) == (kind != "missing_in_crm")
            assert (rec["erp_number"] in erp_inv) == (kind != "missing_in_erp")
            if kind == "status_void_vs_open":
                assert erp_inv[rec["erp_number"]]["status"] == "Canceled"
                assert crm_inv[rec["crm_number"]]["BLNG__PAYMENTSTATUS__C"] == "Unpaid"
            if kind == "due_date_differs":
                assert erp_inv[rec["erp_number"]]["dueDate"] != crm_inv[rec["crm_number"]]["BLNG__DUEDATE__C"]
    for dec in truth["decoys"]:
        if dec["class"] == "backref_one_sided":
            assert customers[dec["record"]["erp_number"]]["salesforceAccountId"] == ""
            assert accounts[dec["record"]["crm_id"]]["ERP_CUSTOMER_NUMBER__C"] == dec["record"]["erp_number"]
        if dec["class"] == "bc_corrective_invoice":
            assert erp_inv[dec["record"]["erp_number"]]["status"] == "Corrective"


def test_odoo_exports_write_zero_as_empty_and_products_as_display_names(tmp_path):
    d = generate(tmp_path, customers=300, seed=2, erp="odoo")["crm"].parent
    truth = json.loads((d / "truth.json").read_text())
    moves = {r["Number"]: r for r in rows(d / "erp" / "Journal Entry (account.move).csv")}
    empty = [x for x in truth["decoys"] if x["class"] == "odoo_empty_amount_due"]
    assert empty and all(moves[x["record"]["erp_number"]]["Amount Due"] == "" for x in empty)
    assert {r["Payment Status"] for r in moves.values()} <= {"Not Paid", "In Payment", "Paid", "Partially Paid",
                                                              "Reversed"}
    rules = rows(d / "erp" / "Pricelist Rule (product.pricelist.item).csv")
    fixed = [r for r in rules if r["Computation"] == "Fixed Price"]
    assert all(r["Product"].startswith("[") and r["Pricelist"].endswith(")") for r in fixed)
    names = [r["Name"] for r in rows(d / "erp" / "Contact (res.partner).csv")]
    assert len(names) > len(set(names))  # display names are not unique


def test_odoo_xlsx_export_has_typed_cells_and_the_config_names_the_workbooks(tmp_path):
    from openpyxl import load_workbook

    paths = generate(tmp_path, customers=200, seed=2, erp="odoo", xlsx=True)
    assert 'file = "Journal Entry (account.move).xlsx"' in paths["config"].read_text()
    ws = load_workbook(tmp_path / "erp" / "Journal Entry (account.move).xlsx", read_only=True).active
    it = ws.iter_rows(values_only=True)
    header = list(next(it))
    moves = [dict(zip(header, r)) for r in it]
    paid = [m for m in moves if m["Payment Status"] == "Paid"]
    assert paid and all(m["Amount Due"] is None for m in paid)  # zero is an empty cell here too
    assert all(isinstance(m["Total"], (int, float)) and m["Total"] > 0 for m in moves)
    assert all(hasattr(m["Due Date"], "year") for m in moves)
