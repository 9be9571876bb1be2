"""Files connector on extracts as finance teams hand them over: workbooks typed by Excel (number and
date-time cells, a decimal comma, hidden sheets), Business Central's blank date, blank lines and
rows, and errors that name the row a user sees in the file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.sources import open_source

HEADER = ["id", "number", "customerNumber", "invoiceDate", "dueDate", "currencyCode", "totalAmountIncludingTax",
          "remainingAmount", "status"]
CUSTOMERS = ("id,number,displayName,country,currencyCode\n"
             "c-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"
             "c-2,C10002,Al Shaya Trading,KW,KWD\n")


def _row(n: int, total: object = "100.00", currency: str = "EUR", due: object = "2026-10-31",
         invoice: object = "2026-10-01") -> list[object]:
    return [f"inv-{n}", f"PSI-{n}", "C10001" if currency == "EUR" else "C10002", invoice, due, currency, total,
            total, "Open"]


def _csv(rows: list[list[object]]) -> str:
    return "\n".join(",".join(str(c) for c in r) for r in [HEADER, *rows]) + "\n"


def _xlsx(path: Path, rows: list[list[object] | None], *, first: str | None = None) -> Path:
    """The rows on a sheet of a workbook written by openpyxl (None: an empty row); ``first``: a hidden
    sheet of that name before it, as report tools write a cover page."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if first is not None:
        ws.title = first
        ws.append(["Posted Sales Invoices"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("Data")
        wb.active = 1
    for r in [HEADER, *rows]:
        ws.append([] if r is None else r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _pull(tmp_path: Path, invoices: str = "salesInvoices.csv", settings: str = "") -> dict[str, object]:
    write_file(tmp_path / "erp/customers.csv", CUSTOMERS)
    erp = files_side("erp", "business_central", '[erp.objects.customers]\nfile = "customers.csv"\n'
                                                f'[erp.objects.invoices]\nfile = "{invoices}"\n{settings}')
    cfg = config_mod.load(write_run(tmp_path, erp=erp))
    inv = open_source("erp", cfg).pull().frames["invoices"]
    return {rec["number"]: rec for rec in inv.to_dict("records")}


# ---- 1. a number cell is that number, whatever decimal_comma says about typed text

def test_an_xlsx_number_cell_with_three_decimals_is_not_multiplied_by_decimal_comma(tmp_path: Path) -> None:
    _xlsx(tmp_path / "erp/salesInvoices.xlsx", [_row(1, 1190.5), _row(2, 3450.125, "KWD"), _row(3, 1000.001),
                                                _row(4, "1.234,567", "KWD"), _row(5, 7)])
    inv = _pull(tmp_path, "salesInvoices.xlsx", "decimal_comma = true\n")
    assert inv["PSI-2"]["total_amount"] == Decimal("3450.125")  # was 3450125
    assert inv["PSI-2"]["open_balance"] == Decimal("3450.125")
    assert inv["PSI-1"]["total_amount"] == Decimal("1190.5")
    assert inv["PSI-3"]["total_amount"] == Decimal("1000.001")  # exactly, no float noise
    assert inv["PSI-4"]["total_amount"] == Decimal("1234.567")  # a cell typed as text: the decimal comma rule
    assert inv["PSI-5"]["total_amount"] == Decimal("7")


# ---- 2. Business Central's blank date

@pytest.mark.parametrize("fmt,blank", [(None, "0001-01-01"), ("%d.%m.%Y", "01.01.0001"), ("%d/%m/%Y", "01/01/0001")])
def test_business_centrals_blank_date_0001_01_01_is_an_empty_date(tmp_path: Path, fmt: str | None,
                                                                   blank: str) -> None:
    def day(iso: str) -> str:
        return datetime.fromisoformat(iso).strftime(fmt) if fmt else iso
    rows = [_row(1, due=day("2026-10-31"), invoice=day("2026-10-01")),
            _row(2, due=blank, invoice=day("2026-10-01"))]  # a draft: no due date yet
    write_file(tmp_path / "erp/salesInvoices.csv", _csv(rows))
    inv = _pull(tmp_path, settings=f'date_format = "{fmt}"\n' if fmt else "")
    assert inv["PSI-2"]["due_date"] is None  # as the CRM leaves it, not year 1
    assert inv["PSI-1"]["due_date"] == date(2026, 10, 31)
