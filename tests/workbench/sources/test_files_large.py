"""Files connector on extracts large enough that per-record columns (ids, numbers, amounts) are read
as they are rather than dictionary-encoded: values, row-exact errors and snapshots stay the same."""

from __future__ import annotations

import hashlib
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers.file_extracts import BUSINESS_CENTRAL, SALESFORCE, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.model.ids import to_18
from workbench.sources import files, open_source
from workbench.sources.base import snapshot_frame

ROWS = 12_000  # beyond the rows file_parse looks at to tell per-record columns from repeating ones
ACC = to_18("0015g00000AbCdE")


def _sf_id(n: int) -> str:
    return to_18(f"a0X5g{n:010d}"[:15])


def _invoice(n: int, amount: str | None = None, ext: str | None = None, name: str | None = None) -> str:
    total = amount if amount is not None else f"{n}.{n % 100:02d}"
    ref = ext if ext is not None else ("" if n % 7 == 0 else f"INV-{n}")
    return (f"{n:08d}-0000-0000-0000-000000000000,PSI-{n},{ref},2026-10-01,2026-10-31,C1,"
            f"{name or 'Müller GmbH'},EUR,{total},0.00,Open\n")


def _config(tmp_path: Path, extracts: dict[str, str]) -> config_mod.RunConfig:
    """``extracts`` (the exports' default names under crm/ and erp/) and the run config reading them."""
    return config_mod.load(write_run(tmp_path, extracts, crm=SALESFORCE, erp=BUSINESS_CENTRAL))


def _erp(tmp_path: Path, rows: list[str]) -> config_mod.RunConfig:
    return _config(tmp_path, {
        "erp/customers.csv": "id,number,displayName,country,currencyCode\nc-1,C1,Müller GmbH,DE,EUR\n",
        "erp/salesInvoices.csv": "id,number,externalDocumentNumber,invoiceDate,dueDate,customerNumber,customerName,"
                                 "currencyCode,totalAmountIncludingTax,remainingAmount,status\n" + "".join(rows)})


def test_per_record_columns_of_a_large_extract_hold_the_values_as_written(tmp_path: Path) -> None:
    rows = [_invoice(n) for n in range(ROWS)]
    rows[5000] = _invoice(5000, amount="-1234567.891")
    rows[100] = rows[100].replace(",PSI-100,", ",,")
    inv = open_source("erp", _erp(tmp_path, rows)).pull().frames["invoices"]
    assert len(inv) == ROWS and inv["record_id"].is_unique
    # a blank cell is missing (None) in a column of per-record values too
    assert inv["number"].tolist() == [None if n == 100 else f"PSI-{n}" for n in range(ROWS)]
    expected = [Decimal(f"{n}.{n % 100:02d}") for n in range(ROWS)]
    expected[5000] = Decimal("-1234567.891")
    assert inv["total_amount"].tolist() == expected
    assert all(type(v) is Decimal for v in inv["total_amount"])
    # a blank reference is missing (None), never an empty string
    assert inv["external_ref"].tolist() == [None if n % 7 == 0 else f"INV-{n}" for n in range(ROWS)]


@pytest.mark.parametrize(("amount", "words"), [("12.34x", "not a number"), ("1" * 20, "number too large")])
def test_a_bad_amount_deep_in_a_large_extract_names_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            amount: str, words: str) -> None:
    monkeypatch.setattr(files, "_SLICE", 1000)  # the payloads are joined while the columns are parsed
    rows = [_invoice(n) for n in range(ROWS)]
    rows[9876] = _invoice(9876, amount=amount)
    with pytest.raises(InputError) as err:
        open_source("erp", _erp(tmp_path, rows)).pull()
    assert err.value.row == 9876 + 2 and err.value.column == "totalAmountIncludingTax"
    assert words in str(err.value) and amount in str(err.value)
    # the refused file's joining stopped with it: nothing is left working in the background
    assert not [t for t in threading.enumerate() if t.name.startswith("payloads")]


def test_a_duplicate_id_far_from_its_first_row_is_named_with_both_rows(tmp_path: Path) -> None:
    rows = [_invoice(n) for n in range(ROWS)]
    rows[11_000] = rows[3].replace("PSI-3,", "PSI-X,")
    with pytest.raises(InputError) as err:
        open_source("erp", _erp(tmp_path, rows)).pull()
    assert err.value.row == 11_000 + 2 and "same record id as row 5" in str(err.value)


@pytest.mark.parametrize("broken", [
    lambda good: good[:15] + "AAA",  # a checksum that does not belong to the id
    lambda good: good[:8] + "-" + good[9:],  # not a letter or digit
], ids=["wrong checksum", "not alphanumeric"])
def test_a_broken_salesforce_id_deep_in_a_large_extract_names_its_row(tmp_path: Path, broken) -> None:
    header = ("Id,Name,blng__Account__c,blng__InvoiceDate__c,blng__DueDate__c,blng__InvoiceStatus__c,"
              "blng__PaymentStatus__c,blng__TotalAmount__c,blng__Balance__c,CurrencyIsoCode\n")
    rows = [f"{_sf_id(n)},INV-{n},{ACC},2026-10-01,2026-10-31,Posted,Unpaid,{n}.50,{n}.50,EUR\n"
            for n in range(ROWS)]
    bad = broken(_sf_id(7000))
    rows[7000] = rows[7000].replace(_sf_id(7000), bad)
    cfg = _config(tmp_path, {"crm/Account.csv": f"Id,Name,CurrencyIsoCode\n{ACC},Müller GmbH,EUR\n",
                             "crm/blng__Invoice__c.csv": header + "".join(rows)})
    with pytest.raises(InputError) as err:
        open_source("crm", cfg).pull()
    assert err.value.row == 7000 + 2 and err.value.column == "Id" and "not a Salesforce id" in str(err.value)


def test_snapshots_assembled_in_slices_match_the_shared_format(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Payload text and hash of every record as every other connector writes them, across slice edges,
    with the few values JSON must escape (a quoted nickname, a tab) escaped where they are."""
    monkeypatch.setattr(files, "_SLICE", 1000)
    rows = [_invoice(n) for n in range(2500)]
    rows[999] = _invoice(999, name='"Müller ""Alt"" \\ GmbH"')
    rows[1000] = _invoice(1000, name="Müller\tGmbH")
    ex = open_source("erp", _erp(tmp_path, rows)).pull()
    snaps = ex.snapshots[ex.snapshots["kind"] == "invoices"]
    assert len(snaps) == 2500
    payloads = snaps["payload"].tolist()
    assert json.loads(payloads[999])["customerName"] == 'Müller "Alt" \\ GmbH'
    assert json.loads(payloads[1000])["customerName"] == "Müller\tGmbH"
    ref = snapshot_frame([("salesInvoices.csv", "invoices", rid, q, json.loads(p))
                          for rid, q, p in zip(snaps["record_id"], snaps["query"], payloads)])
    assert payloads == ref["payload"].tolist()
    assert snaps["content_hash"].tolist() == ref["content_hash"].tolist()
    assert all(hashlib.sha256(p.encode()).hexdigest() == h for p, h in zip(payloads, snaps["content_hash"]))
    inv = ex.frames["invoices"]
    assert inv["version"].tolist() == [h[:16] for h in snaps["content_hash"]]
