"""Declared value conventions of file extracts: composite keys, references, patterns, labels, keep."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers.file_extracts import files_side, write_run
from workbench import config as config_mod
from workbench.errors import ConfigError, InputError
from workbench.sources import open_source

WORKBENCH = str(Path(sys.executable).with_name("workbench"))
ITEMS = "id,number,displayName\ni1,ITEM-1,Cable\ni2,ITEM-2,Plug\n"
PRICES = ("itemNumber,currencyCode,unitPrice,startingDate\n"
          "ITEM-1,EUR,10.00,2026-01-01\nITEM-1,USD,11.00,2026-01-01\nITEM-1,EUR,9.50,2026-07-01\n")


def _erp(tmp_path: Path, files: dict[str, str], objects: str, system: str = "business_central"):
    return write_run(tmp_path, {f"erp/{name}": text for name, text in files.items()},
                     erp=files_side("erp", system, objects))


def _pull(cfg: Path):
    return open_source("erp", config_mod.load(cfg)).pull()


def test_bc_sales_prices_without_an_id_are_keyed_by_item_currency_and_starting_date(tmp_path):
    cfg = _erp(tmp_path, {"salesPrices.csv": PRICES, "items.csv": ITEMS},
               "[erp.objects.products]\n[erp.objects.prices]\n")
    prices = _pull(cfg).frames["prices"]
    assert list(prices["record_id"]) == ["ITEM-1|EUR|2026-01-01", "ITEM-1|USD|2026-01-01", "ITEM-1|EUR|2026-07-01"]
    assert list(prices["unit_price"]) == [Decimal("10.00"), Decimal("11.00"), Decimal("9.50")]


def test_a_declared_composite_key_with_a_missing_column_names_file_row_and_columns(tmp_path):
    cfg = _erp(tmp_path, {"salesPrices.csv": PRICES},
               '[erp.objects.prices]\nkey = ["itemNumber", "currencyCode", "minimumQuantity"]\n')
    with pytest.raises(InputError) as e:
        _pull(cfg)
    msg = e.value.one_line()
    assert "salesPrices.csv" in msg and "row 1" in msg and "minimumQuantity" in msg and "missing key column" in msg


def test_duplicates_across_the_key_stop_the_run_with_exit_2_naming_file_row_and_columns(tmp_path):
    key = '[erp.objects.prices]\nkey = ["itemNumber", "currencyCode"]\n'
    cfg = write_run(tmp_path, {"erp/salesPrices.csv": PRICES}, erp=files_side("erp", "business_central", key),
                    crm=files_side("crm", "business_central", "[crm.objects.prices]\n", folder="erp"))
    p = subprocess.run([WORKBENCH, "run", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 's.sqlite3'}"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "salesPrices.csv, row 4, column 'itemNumber + currencyCode'" in p.stderr
    assert "duplicate key (the same itemNumber + currencyCode as row 2)" in p.stderr


def test_key_and_a_record_id_column_together_is_a_config_error(tmp_path):
    cfg = _erp(tmp_path, {"salesPrices.csv": PRICES},
               '[erp.objects.prices]\nkey = ["itemNumber"]\n[erp.objects.prices.fields]\nrecord_id = "itemNumber"\n')
    with pytest.raises(ConfigError, match="either key"):
        _pull(cfg)


def test_external_document_number_is_the_invoice_external_ref(tmp_path):
    inv = ("id,number,externalDocumentNumber,customerId,currencyCode,totalAmountIncludingTax,remainingAmount,status,"
           "dueDate\ng1,PSI-1,SO-CRM-77,c1,EUR,100.00,0.00,Paid,2026-11-30\n")
    frame = _pull(_erp(tmp_path, {"salesInvoices.csv": inv}, "[erp.objects.invoices]\n")).frames["invoices"]
    assert frame["external_ref"].tolist() == ["SO-CRM-77"]


def test_product_codes_inside_display_names_are_checked_against_the_products(tmp_path):
    prices = ("Rule,Item,Price,Currency\n"
              "r1,[ITEM-1] Cable,10.00,EUR\n"
              "r2,[ITEM-9] Gone,12.00,EUR\n"
              "r3,Plug without code,5.00,EUR\n")
    objects = ('[erp.objects.products]\n[erp.objects.prices]\nfile = "rules.csv"\n'
               '[erp.objects.prices.fields]\nrecord_id = "Rule"\nunit_price = "Price"\ncurrency = "Currency"\n'
               '[erp.objects.prices.references]\n'
               'product_code = { column = "Item", by = "code", pattern = \'^\\[([^\\]]+)\\]\' }\n')
    ex = _pull(_erp(tmp_path, {"items.csv": ITEMS, "rules.csv": prices}, objects))
    assert list(ex.frames["prices"]["product_code"]) == ["ITEM-1", "ITEM-9", "Plug without code"]
    ledger = ex.meta.ledger["prices"]["references"]["product_code"]
    assert (ledger["resolved"], ledger["unknown"], ledger["ambiguous"]) == (1, 2, 0)
    assert [(x["row"], x["value"]) for x in ledger["examples"]] == [(3, "ITEM-9"), (4, "Plug without code")]
    assert list(ex.issues["record_id"]) == ["r2", "r3"] and set(ex.issues["problem"]) == {"unknown"}


def test_labels_map_exported_labels_and_keep_drops_counted_rows(tmp_path):
    cust = ("id,number,displayName,currencyCode,blocked,Kind\n"
            "c1,C1,Alpha,EUR,Blocking Message,Company\nc2,C2,Beta,EUR,No Message,Company\n"
            "c3,C3,Gamma,EUR,No Message,Individual\n")
    objects = ('[erp.objects.customers]\n[erp.objects.customers.labels]\nblocked = { "No Message" = "" }\n'
               '[erp.objects.customers.keep]\nKind = ["Company"]\n')
    ex = _pull(_erp(tmp_path, {"customers.csv": cust}, objects))
    assert list(ex.frames["customers"]["blocked"]) == ["Blocking Message", None]
    entry = ex.meta.ledger["customers"]
    assert (entry["read"], entry["used"], entry["dropped"]) == (3, 2, {"Kind is 'Individual' (used: Company)": 1})
    assert entry["conventions"]["labels"] == {"blocked": {"No Message": ""}}
    assert entry["conventions"]["keep"] == {"Kind": ["Company"]}


def test_a_pattern_without_a_group_is_a_config_error(tmp_path):
    cfg = _erp(tmp_path, {"customers.csv": "id,number,displayName\n"},
               '[erp.objects.customers]\n[erp.objects.customers.patterns]\ncurrency = "[A-Z]{3}"\n')
    with pytest.raises(ConfigError, match="needs a group"):
        _pull(cfg)


def test_the_generic_example_from_the_docs_reads_a_plain_export(tmp_path):
    from tests.workbench.sources.test_files_odoo import doc_config

    doc = Path(__file__).resolve().parents[3] / "docs" / "extracts" / "generic.md"
    cfg = write_run(tmp_path, {
        "exports/erp/customers.csv": "Customer No,Customer Name,Country Code,Currency\n"
                                     "K1,Alpha AG,CH,CHF\nK2,Beta SA,FR,EUR\nK3,Beta SA,BE,EUR\n",
        "exports/erp/prices.csv": "Item,Currency,Valid From,Price\nA-1,EUR,2026-01-01,10.00\n"
                                  "A-1,EUR,2026-07-01,11.00\n",
        "exports/erp/invoices.csv": "Invoice No,Customer,Currency,Total,Balance,State,Customer PO\n"
                                    "R-1,Alpha AG,CHF,100.00,,Paid,SO-9\nR-2,Beta SA,EUR,50.00,50.00,Open,\n",
    }, erp=doc_config(doc, "generic"), as_of=None)
    ex = _pull(cfg)
    inv = ex.frames["invoices"].set_index("number")
    assert inv.loc["R-1", "open_balance"] == Decimal(0) and inv.loc["R-1", "customer_id"] == "K1"
    assert inv.loc["R-1", "external_ref"] == "SO-9" and inv.loc["R-2", "customer_id"] is None
    assert list(ex.frames["prices"]["record_id"]) == ["A-1|EUR|2026-01-01", "A-1|EUR|2026-07-01"]
    refs = ex.meta.ledger["invoices"]["references"]["customer_id"]
    assert (refs["resolved"], refs["ambiguous"], refs["examples"][0]["value"]) == (1, 1, "Beta SA")


def _xlsx(path: Path, rows: list[list]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    book.save(path)


def _bc_list(tmp_path: Path, fill: str) -> Path:
    from datetime import date

    d = tmp_path / "erp"
    d.mkdir()
    _xlsx(d / "Customers.xlsx", [["No.", "Name", "Country/Region Code", "Currency Code", "Blocked"],
                                 ["C1", "Alpha GmbH", "DE", None, None], ["C2", "Beta Inc", "US", "USD", "All"]])
    _xlsx(d / "Items.xlsx", [["No.", "Description"], ["ITEM-1", "Cable"]])
    _xlsx(d / "Sales Prices.xlsx", [["Item No.", "Currency Code", "Starting Date", "Unit Price"],
                                    ["ITEM-1", None, date(2026, 1, 1), 10.5], ["ITEM-1", "USD", date(2026, 1, 1), 12]])
    _xlsx(d / "Posted Sales Invoices.xlsx", [
        ["No.", "Sell-to Customer No.", "External Document No.", "Currency Code", "Amount Including VAT",
         "Remaining Amount", "Posting Date", "Due Date", "Cancelled", "Corrective", "Closed"],
        ["PSI-1", "C1", "SO-1", None, 119, 0, date(2026, 9, 1), date(2026, 10, 1), False, False, True],
        ["PSI-2", "C2", None, "USD", 50.25, 50.25, date(2026, 9, 2), date(2026, 10, 2), False, False, False],
        ["PSI-3", "C1", None, None, 10, 0, date(2026, 9, 3), date(2026, 10, 3), True, False, False]])
    objects = "".join(f"[erp.objects.{k}]\n" + (f'fill_empty = {{ "Currency Code" = "{fill}" }}\n' if fill else "")
                      for k in ("customers", "prices", "invoices"))
    return write_run(tmp_path, erp=files_side("erp", "business_central_list", objects))


def test_bc_list_pages_opened_in_excel_read_with_the_local_currency_declared(tmp_path):
    ex = _pull(_bc_list(tmp_path, "EUR"))
    inv = ex.frames["invoices"].set_index("number")
    assert list(inv["status"]) == ["paid", "open", "void"]
    assert list(inv["currency"]) == ["EUR", "USD", "EUR"]
    assert inv.loc["PSI-1", "external_ref"] == "SO-1" and inv.loc["PSI-2", "open_balance"] == Decimal("50.25")
    cust = ex.frames["customers"].set_index("number")
    assert inv.loc["PSI-2", "customer_id"] == cust.loc["C2", "record_id"] == "C2"
    assert list(ex.frames["prices"]["record_id"]) == ["ITEM-1||2026-01-01", "ITEM-1|USD|2026-01-01"]
    assert list(ex.frames["prices"]["currency"]) == ["EUR", "USD"]


def test_bc_list_prices_without_a_currency_and_no_local_currency_declared_stop_the_run(tmp_path):
    with pytest.raises(InputError) as e:
        _pull(_bc_list(tmp_path, ""))
    msg = e.value.one_line()
    assert "Sales Prices.xlsx, row 2, column 'Currency Code': empty value" in msg and "fill_empty" in msg


def test_the_bc_list_config_in_the_docs_is_the_one_tested(tmp_path):
    from tests.workbench.sources.test_files_odoo import doc_config

    doc = Path(__file__).resolve().parents[3] / "docs" / "extracts" / "business_central.md"
    _bc_list(tmp_path, "EUR")
    text = doc_config(doc, "business_central_list").replace('dir = "exports/bc"', 'dir = "erp"')
    inv = _pull(write_run(tmp_path, erp=text)).frames["invoices"]
    assert list(inv["currency"]) == ["EUR", "USD", "EUR"] and list(inv["status"]) == ["paid", "open", "void"]


def test_a_reference_by_name_without_the_referenced_file_is_refused_before_any_pull(tmp_path):
    cfg = _erp(tmp_path, {}, '[erp.objects.invoices]\nfile = "inv.csv"\n[erp.objects.invoices.references]\n'
                             'customer_id = { column = "Customer", by = "name" }\n')
    with pytest.raises(ConfigError, match=r"customer_id refers to customers by name; add \[erp.objects.customers\]"):
        open_source("erp", config_mod.load(cfg))


def test_decimal_comma_can_be_declared_for_some_columns_only(tmp_path):
    inv = ("id,number,customerId,currencyCode,totalAmountIncludingTax,remainingAmount,status,dueDate\n"
           'g1,PSI-1,c1,EUR,"1.190,50",1190.50,Open,2026-11-30\n')
    objects = '[erp.objects.invoices]\ndecimal_comma = ["totalAmountIncludingTax"]\n'
    frame = _pull(_erp(tmp_path, {"salesInvoices.csv": inv}, objects)).frames["invoices"]
    assert (frame["total_amount"][0], frame["open_balance"][0]) == (Decimal("1190.50"), Decimal("1190.50"))
