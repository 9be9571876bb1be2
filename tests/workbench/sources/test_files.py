"""Files connector: CSV/XLSX extracts to canonical frames, and one clear error per bad input."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import BUSINESS_CENTRAL, SALESFORCE, files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import ConfigError, InputError, SourceError
from workbench.model.ids import to_18
from workbench.sources import open_source
from workbench.sources.base import Extract, snapshot_frame

ACC15 = "0015g00000AbCdE"
ACC2_18 = to_18("0015g00000XyZab")

ACCOUNTS = (
    "Id,Name,AccountNumber,ERP_Customer_Number__c,BillingCountry,CurrencyIsoCode,Tax_ID__c\n"
    f"{ACC15},Müller Maschinenbau GmbH,ACC-1,C10001,DE,EUR,DE123456789\n"
    f"{ACC2_18},\"Adams & Baker, Inc\",ACC-2,,US,USD,\n"
)
INVOICES = (
    "Id,Name,blng__Account__c,ERP_Invoice_Number__c,blng__InvoiceDate__c,blng__DueDate__c,"
    "blng__InvoiceStatus__c,blng__PaymentStatus__c,blng__TotalAmount__c,blng__Balance__c,CurrencyIsoCode\n"
    f"a0X5g00000Inv01,INV-1,{ACC15},PSI-1001,2026-10-01,2026-10-31,Posted,Partially Paid,1190.50,190.50,EUR\n"
    f"a0X5g00000Inv02,INV-2,{ACC2_18},PSI-1002,2026-09-15,2026-10-15,Posted,Unpaid,98000,98000,JPY\n"
)
BC_CUSTOMERS = (
    "id,number,displayName,country,taxRegistrationNumber,currencyCode,blocked\n"
    "f2a5738a-44e3-ea11-bb43-000d3a2feca1,C10001,Müller Maschinenbau GmbH,DE,DE123456789,EUR, \n"
    "a1b2c3d4-0000-ea11-bb43-000d3a2feca1,C10002,Adams & Baker Inc,US,,USD,All\n"
)
BC_INVOICES = (
    "id,number,customerNumber,invoiceDate,dueDate,currencyCode,totalAmountIncludingTax,remainingAmount,status\n"
    "11111111-0000-0000-0000-000000000001,PSI-1001,C10001,2026-10-01,2026-10-31,EUR,1190.50,0.00,Paid\n"
    "11111111-0000-0000-0000-000000000002,PSI-1002,C10002,2026-09-15,2026-10-15,JPY,98000,98000,Open\n"
)


# the invoice number these tests read is the ERP's, which the Salesforce export holds in a field of its own
INVOICE_NUMBER = '[crm.objects.invoices.fields]\nnumber = "ERP_Invoice_Number__c"\n'


def _config(tmp_path: Path, crm_objects: str = "", erp_objects: str = "") -> config_mod.RunConfig:
    crm = files_side("crm", "salesforce", crm_objects) if crm_objects else SALESFORCE + INVOICE_NUMBER
    erp = files_side("erp", "business_central", erp_objects) if erp_objects else BUSINESS_CENTRAL
    return config_mod.load(write_run(tmp_path, crm=crm, erp=erp))


@pytest.fixture
def tree(tmp_path):
    write_file(tmp_path / "crm/Account.csv", ACCOUNTS)
    write_file(tmp_path / "crm/blng__Invoice__c.csv", INVOICES)
    write_file(tmp_path / "erp/customers.csv", BC_CUSTOMERS)
    write_file(tmp_path / "erp/salesInvoices.csv", BC_INVOICES)
    return tmp_path


def _pull(tmp_path, side="crm", **kw):
    return open_source(side, _config(tmp_path, **kw)).pull()


def test_salesforce_export_becomes_canonical_frames(tree):
    ex = _pull(tree)
    cust = ex.frames["customers"]
    assert list(cust["record_id"]) == [to_18(ACC15), ACC2_18]
    assert cust["xref"].tolist() == ["C10001", None]
    assert cust["name"].tolist()[1] == "Adams & Baker, Inc"
    assert cust["tax_id"].tolist() == ["DE123456789", None]
    inv = ex.frames["invoices"]
    assert inv["customer_id"].tolist() == [to_18(ACC15), ACC2_18]  # the 15-char reference normalised
    assert inv["total_amount"].tolist() == [Decimal("1190.50"), Decimal("98000")]
    assert all(type(v) is Decimal for v in inv["open_balance"])
    assert inv["status"].tolist() == ["partially_paid", "open"]
    assert inv["status_raw"].tolist() == ["Posted|Partially Paid", "Posted|Unpaid"]
    assert inv["due_date"].tolist() == [date(2026, 10, 31), date(2026, 10, 15)]
    assert inv["number"].tolist() == ["PSI-1001", "PSI-1002"]
    assert ex.meta.row_counts == {"customers": 2, "invoices": 2} and ex.meta.connector == "files"


def test_business_central_numbers_resolve_to_customer_ids_and_blank_block_is_active(tree):
    ex = _pull(tree, side="erp")
    cust, inv = ex.frames["customers"], ex.frames["invoices"]
    assert cust["blocked"].tolist() == [None, "All"]
    assert inv["customer_id"].tolist() == cust["record_id"].tolist()
    assert inv["status"].tolist() == ["paid", "open"]


def test_snapshots_hold_every_raw_row_with_the_shared_hash(tree):
    ex = _pull(tree)
    snaps = ex.snapshots
    assert len(snaps) == 4
    row = snaps[snaps["record_id"] == to_18(ACC15)].iloc[0]
    assert row["object"] == "Account.csv" and row["kind"] == "customers"
    assert row["query"].endswith("crm/Account.csv")
    payload = json.loads(row["payload"])
    assert payload["Id"] == ACC15 and payload["Name"] == "Müller Maschinenbau GmbH"  # the row as read
    ref = snapshot_frame([(row["object"], "customers", row["record_id"], row["query"], payload)])
    assert ref["content_hash"].iloc[0] == row["content_hash"] and ref["payload"].iloc[0] == row["payload"]
    assert ex.meta.content_hash


def test_extract_hash_covers_every_record_hash_in_pull_order(tree):
    """The run's content hash is SHA-256 over the record hashes one after the other, whether the
    snapshot columns are Arrow text (files) or Python strings (the API connectors)."""
    import hashlib

    ex = _pull(tree)
    h = hashlib.sha256()
    for x in ex.snapshots["content_hash"].astype(object):
        h.update(x.encode())
    assert ex.meta.content_hash == h.hexdigest()
    as_objects = Extract(meta=ex.meta, frames=ex.frames, snapshots=ex.snapshots.astype(object)).finish()
    assert as_objects.meta.content_hash == h.hexdigest()
    for payload, digest in zip(ex.snapshots["payload"], ex.snapshots["content_hash"]):
        assert hashlib.sha256(payload.encode()).hexdigest() == digest


def test_xlsx_extract_reads_the_same_as_csv(tree):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    lines = [line.split(",") for line in INVOICES.strip().splitlines()]
    ws.append(lines[0])
    for cells in lines[1:]:
        # what Excel holds: numbers as numbers, dates as dates
        cells = [float(c) if c.replace(".", "").isdigit() and "-" not in c and len(c) < 10 else c for c in cells]
        cells[4] = date.fromisoformat(cells[4])
        ws.append(cells)
    wb.save(tree / "crm" / "invoices.xlsx")
    xl = _pull(tree, crm_objects='''[crm.objects.customers]
file = "Account.csv"
[crm.objects.invoices]
file = "invoices.xlsx"
sheet = "Invoices"''').frames["invoices"]
    csv_ = _pull(tree).frames["invoices"]
    for col in ("record_id", "customer_id", "total_amount", "open_balance", "status", "invoice_date", "due_date"):
        assert xl[col].tolist() == csv_[col].tolist(), col


def test_regional_csv_with_semicolons_decimal_comma_and_cp1252(tree):
    text = ("Id;Name;blng__Account__c;ERP_Invoice_Number__c;blng__InvoiceDate__c;blng__DueDate__c;"
            "blng__InvoiceStatus__c;blng__PaymentStatus__c;blng__TotalAmount__c;blng__Balance__c;CurrencyIsoCode\n"
            f"a0X5g00000Inv01;Rechnung für Müller;{ACC15};PSI-1001;01.10.2026;31.10.2026;Posted;Unpaid;"
            "1.190,50;1.190,50;EUR\n")
    write_file(tree / "crm/blng__Invoice__c.csv", text, encoding="cp1252")
    inv = _pull(tree, crm_objects='''[crm.objects.invoices]
file = "blng__Invoice__c.csv"
delimiter = ";"
encoding = "cp1252"
decimal_comma = true
date_format = "%d.%m.%Y"''').frames["invoices"]
    assert inv["total_amount"].tolist() == [Decimal("1190.50")]
    assert inv["invoice_date"].tolist() == [date(2026, 10, 1)]


def test_amounts_as_sap_and_swiss_lists_write_them(tree):
    # an SAP list puts a credit's minus after the amount; Switzerland groups thousands with an apostrophe
    head = ("Id;Name;blng__Account__c;ERP_Invoice_Number__c;blng__InvoiceDate__c;blng__DueDate__c;"
            "blng__InvoiceStatus__c;blng__PaymentStatus__c;blng__TotalAmount__c;blng__Balance__c;CurrencyIsoCode\n")
    text = head + (f"a0X5g00000Inv01;Gutschrift;{ACC15};PSI-1001;01.10.2026;31.10.2026;Posted;Unpaid;"
                   "1.190,50-;1.190,50-;EUR\n"
                   f"a0X5g00000Inv02;Rechnung;{ACC15};PSI-1002;01.10.2026;31.10.2026;Posted;Unpaid;"
                   "12\u2019345,00;12'345,00;CHF\n")
    write_file(tree / "crm/blng__Invoice__c.csv", text)
    inv = _pull(tree, crm_objects='''[crm.objects.invoices]
file = "blng__Invoice__c.csv"
delimiter = ";"
decimal_comma = true
date_format = "%d.%m.%Y"''').frames["invoices"]
    assert inv["total_amount"].tolist() == [Decimal("-1190.50"), Decimal("12345.00")]
    assert inv["open_balance"].tolist() == [Decimal("-1190.50"), Decimal("12345.00")]


def test_utf8_bom_is_accepted(tree):
    write_file(tree / "crm/Account.csv", b"\xef\xbb\xbf" + ACCOUNTS.encode())
    assert _pull(tree).frames["customers"]["record_id"].tolist()[1] == ACC2_18


def test_status_map_in_config_extends_the_default(tree):
    write_file(tree / "crm/blng__Invoice__c.csv", INVOICES.replace("Posted,Unpaid", "Posted,Awaiting Bank"))
    with pytest.raises(InputError) as err:
        _pull(tree)
    assert "Posted|Awaiting Bank" in str(err.value) and "row 3" in str(err.value)
    inv = _pull(tree, crm_objects='''[crm.objects.invoices]
file = "blng__Invoice__c.csv"
[crm.objects.invoices.status_map]
"Posted|Awaiting Bank" = "open"''').frames["invoices"]
    assert inv["status"].tolist() == ["partially_paid", "open"]


def _error(tree, rel: str, content, side="crm", **kw) -> str:
    write_file(tree / rel, content)
    with pytest.raises(InputError) as err:
        _pull(tree, side=side, **kw)
    msg = err.value.one_line()
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("content, row, column, words", [
    (INVOICES.replace(",blng__Balance__c", ",Balance"), 1, "blng__Balance__c", "missing column"),
    (INVOICES.replace("1190.50,190.50", "1190.50,19O.50"), 2, "blng__Balance__c", "not a number"),
    (INVOICES.replace("2026-09-15", "15/09/2026"), 3, "blng__InvoiceDate__c", "not a date"),
    (INVOICES.replace("98000,JPY", "98000,YEN"), 3, "CurrencyIsoCode", "unknown currency code"),
    (INVOICES.replace("Posted,Unpaid", "Sent,Unpaid"), 3, "blng__InvoiceStatus__c|blng__PaymentStatus__c",
     "unknown status value"),
    (INVOICES.replace("a0X5g00000Inv02", to_18("a0X5g00000Inv01")), 3, "Id", "duplicate key"),
    (INVOICES.replace(f"INV-2,{ACC2_18}", "INV-2,not-an-id"), 3, "blng__Account__c", "not a Salesforce id"),
])
def test_bad_values_name_file_row_and_column(tree, content, row, column, words):
    msg = _error(tree, "crm/blng__Invoice__c.csv", content)
    assert msg.startswith(str(tree / "crm" / "blng__Invoice__c.csv"))
    assert f"row {row}," in msg and f"column '{column}'" in msg and words in msg


def test_empty_file(tree):
    msg = _error(tree, "crm/Account.csv", b"")
    assert "Account.csv" in msg and "empty" in msg


def test_wrong_encoding_says_which_encoding_was_expected(tree):
    msg = _error(tree, "crm/Account.csv", ACCOUNTS.encode("cp1252"))
    assert "Account.csv" in msg and "row 2" in msg and "UTF-8" in msg


def test_undecodable_byte_deep_in_a_big_file_names_its_row(tree):
    rows = "".join(f"a0X5g0000{i:06d},INV,{ACC15},PSI-{i},2026-10-01,2026-10-31,Posted,Unpaid,1.00,1.00,EUR\n"
                   for i in range(5000))
    data = (INVOICES.splitlines(True)[0] + rows).encode() + b"a0X5g00000Zzz99,Caf\xe9,x\n"
    msg = _error(tree, "crm/blng__Invoice__c.csv", data)
    assert "not UTF-8" in msg and "blng__Invoice__c.csv" in msg and "row 5002:" in msg


def test_fifty_megabytes_of_binary_junk_is_refused_at_once(tree):
    junk = os.urandom(1 << 20) * 50
    msg = _error(tree, "crm/Account.csv", junk)
    assert "Account.csv" in msg and ("binary" in msg or "not UTF-8" in msg or "not CSV" in msg)


def test_text_file_named_xlsx_is_not_a_workbook(tree):
    msg = _error(tree, "crm/invoices.xlsx", INVOICES, crm_objects='''[crm.objects.invoices]
file = "invoices.xlsx"''')
    assert "invoices.xlsx" in msg and "not an Excel workbook" in msg


def test_workbook_saved_as_csv_is_named_as_such(tree):
    wb = openpyxl.Workbook()
    wb.save(tree / "book.xlsx")
    msg = _error(tree, "crm/Account.csv", (tree / "book.xlsx").read_bytes())
    assert "Excel workbook" in msg


def test_missing_file_and_missing_required_default_column(tree):
    (tree / "erp" / "salesInvoices.csv").unlink()
    with pytest.raises(InputError, match="salesInvoices.csv: file not found"):
        _pull(tree, side="erp")
    msg = _error(tree, "erp/customers.csv", BC_CUSTOMERS.replace("displayName", "name"), side="erp",
                 erp_objects='[erp.objects.customers]\nfile = "customers.csv"')
    assert "row 1" in msg and "column 'displayName'" in msg


def test_a_bad_second_file_returns_nothing(tree):
    write_file(tree / "crm/blng__Invoice__c.csv", INVOICES.replace("1190.50,190.50", "x,190.50"))
    src = open_source("crm", _config(tree))
    with pytest.raises(InputError):
        src.pull()


def test_push_is_refused_describe_lists_headers_and_connection_check_names_problems(tree):
    src = open_source("erp", _config(tree))
    with pytest.raises(SourceError, match="read-only"):
        src.push([])
    cols = src.describe("customers")
    assert [c["name"] for c in cols][:3] == ["id", "number", "displayName"]
    assert {c["name"]: c["canonical"] for c in cols}["displayName"] == "name"
    assert all(ok for _, ok, _ in src.test_connection())
    write_file(tree / "erp/salesInvoices.csv", BC_INVOICES.replace("remainingAmount", "remaining"))
    checks = {name: (ok, words) for name, ok, words in src.test_connection()}
    ok, words = checks["invoices: salesInvoices.csv"]
    assert not ok and "remainingAmount" in words


def test_unknown_kind_or_field_in_config_is_a_config_error(tree):
    with pytest.raises(ConfigError, match="not a record kind"):
        _config(tree, crm_objects='[crm.objects.accounts]\nfile = "Account.csv"') and open_source(
            "crm", _config(tree, crm_objects='[crm.objects.accounts]\nfile = "Account.csv"'))
    with pytest.raises(ConfigError, match="not a canonical field"):
        open_source("crm", _config(tree, crm_objects='''[crm.objects.customers]
file = "Account.csv"
[crm.objects.customers.fields]
vat = "Tax_ID__c"'''))


def test_read_current_rereads_the_file(tree):
    src = open_source("erp", _config(tree))
    cur = src.read_current("customers", ["a1b2c3d4-0000-ea11-bb43-000d3a2feca1"], ["blocked", "name"])
    rec = cur["a1b2c3d4-0000-ea11-bb43-000d3a2feca1"]
    assert rec["blocked"] == "All" and rec["name"] == "Adams & Baker Inc" and rec["version"]


def test_snapshot_payload_escapes_quotes_backslashes_and_tabs_like_json(tree):
    write_file(tree / "crm/Account.csv",
               ACCOUNTS.replace("Müller Maschinenbau GmbH", '"Müller ""Alt"" \\ Söhne\tGmbH"'))
    ex = _pull(tree)
    row = ex.snapshots[ex.snapshots["record_id"] == to_18(ACC15)].iloc[0]
    payload = json.loads(row["payload"])
    assert payload["Name"] == 'Müller "Alt" \\ Söhne\tGmbH'
    ref = snapshot_frame([("Account.csv", "customers", row["record_id"], row["query"], payload)])
    assert ref["payload"].iloc[0] == row["payload"] and ref["content_hash"].iloc[0] == row["content_hash"]


def test_fifty_megabytes_of_text_without_rows_is_refused_at_once(tree):
    import base64
    msg = _error(tree, "crm/Account.csv", base64.b64encode(os.urandom(1 << 20)) * 36)
    assert "Account.csv" in msg and "no line break" in msg


def test_data_loader_upper_case_headers_and_multi_line_addresses(tree):
    header, *rows = ACCOUNTS.splitlines(True)
    text = header.upper().replace("ERP_CUSTOMER_NUMBER__C", "ERP_Customer_Number__c") + "".join(rows)
    text = text.replace("NAME,", "NAME,BILLINGSTREET,").replace("GmbH,ACC-1", 'GmbH,"Werk 2\nTor 4",ACC-1')
    text = text.replace('Inc",ACC-2', 'Inc",,ACC-2')
    write_file(tree / "crm/Account.csv", text)
    cust = _pull(tree).frames["customers"]
    assert cust["street"].tolist() == ["Werk 2\nTor 4", None]
    assert cust["xref"].tolist() == ["C10001", None] and cust["name"].tolist()[0] == "Müller Maschinenbau GmbH"


def test_zip_without_a_workbook_named_xlsx(tree):
    import zipfile
    with zipfile.ZipFile(tree / "crm" / "invoices.xlsx", "w") as z:
        z.writestr("readme.txt", "not a workbook")
    with pytest.raises(InputError) as err:
        _pull(tree, crm_objects='[crm.objects.invoices]\nfile = "invoices.xlsx"')
    assert "invoices.xlsx" in str(err.value) and "zip package without a workbook" in str(err.value)


def test_snapshots_of_a_multi_block_read_match_the_shared_format():
    import pandas as pd

    from workbench.sources.files import _Payloads
    a = pd.DataFrame({"Id": ["1", "2"], "Name": ['x "q"', "y"]}).astype("str")
    b = pd.DataFrame({"Id": ["3"], "Name": ["z\\w"]}).astype("str")
    raw = pd.concat([a, b], ignore_index=True)  # Arrow-backed columns in two chunks, as large reads give
    payloads = _Payloads(raw)
    try:
        ids = pd.Series(["1", "2", "3"], dtype=object).to_numpy()
        snaps, versions = payloads.frame("f.csv", "customers", ids, "q")
    finally:
        payloads.close()
    ref = snapshot_frame([("f.csv", "customers", r["Id"], "q", r) for r in raw.to_dict("records")])
    assert snaps["payload"].tolist() == ref["payload"].tolist()
    assert snaps["content_hash"].tolist() == ref["content_hash"].tolist()
    assert versions.tolist() == [h[:16] for h in ref["content_hash"]]
