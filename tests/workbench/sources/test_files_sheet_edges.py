"""What lies outside a file's table: values right of a workbook's header, and a list with a header and no rows.
Neither is lost or read as nothing without a word."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.sources import open_source
from workbench.sources.base import Extract

HEADER = ["id", "number", "customerNumber", "invoiceDate", "dueDate", "currencyCode", "totalAmountIncludingTax",
          "remainingAmount", "status"]
ROW = ["inv-1", "PSI-1", "C10001", "2026-10-01", "2026-10-31", "EUR", 100, 100, "Open"]
CUSTOMERS = "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"


def _pull(tmp_path: Path, invoices: list[list[object]] | str, customers: str = CUSTOMERS) -> Extract:
    write_file(tmp_path / "erp/customers.csv", customers)
    if isinstance(invoices, str):
        name = "salesInvoices.csv"
        write_file(tmp_path / "erp" / name, invoices)
    else:
        name = "salesInvoices.xlsx"
        wb = openpyxl.Workbook()
        for r in invoices:
            wb.active.append(r)
        wb.save(tmp_path / "erp" / name)
    objects = f'[erp.objects.customers]\nfile = "customers.csv"\n[erp.objects.invoices]\nfile = "{name}"\n'
    return open_source("erp", config_mod.load(write_run(tmp_path, erp=files_side("erp", "business_central",
                                                                                   objects)))).pull()


@pytest.mark.parametrize("extra", [["", "paid by card"], [None, None, 42]])
def test_a_value_right_of_a_workbooks_header_is_refused_naming_its_cell(tmp_path: Path, extra: list[object]) -> None:
    # the value in a column without a name (a note, or a row shifted one cell right) was dropped without a word;
    # a CSV row with more cells than the header is refused
    with pytest.raises(InputError) as e:
        _pull(tmp_path, [HEADER, ROW, ["inv-2", "PSI-2", *ROW[2:], *extra]])
    assert e.value.row == 3 and e.value.got == str(extra[-1])
    letter = "K" if len(extra) == 2 else "L"
    assert f"a value in column {letter}, right of the header (its last column is I, 'status')" in str(e.value)


def test_empty_and_formatted_cells_right_of_a_workbooks_header_are_nothing(tmp_path: Path) -> None:
    inv = _pull(tmp_path, [[*HEADER, None], [*ROW, "  "]]).frames["invoices"]
    assert list(inv["number"]) == ["PSI-1"]


def test_a_customer_list_with_a_header_and_no_rows_is_refused(tmp_path: Path) -> None:
    # read as no customers, every customer of the other side would have been reported missing in the ERP
    with pytest.raises(InputError) as e:
        _pull(tmp_path, [HEADER, ROW], customers="\n\nid,number,displayName,country,currencyCode\n")
    assert e.value.file is not None and e.value.file.endswith("customers.csv") and e.value.row == 3
    assert "has a header but no rows" in str(e.value)


def test_an_invoice_file_with_a_header_and_no_rows_reads_as_none(tmp_path: Path) -> None:
    # a quiet period has no open invoices; the run says so when the other side holds some
    assert len(_pull(tmp_path, ",".join(HEADER) + "\n").frames["invoices"]) == 0
