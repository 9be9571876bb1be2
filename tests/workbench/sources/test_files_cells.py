"""Files connector on extracts as finance teams hand them over: workbooks typed by Excel (number and
date-time cells, a decimal comma, hidden sheets), Business Central's blank date, blank lines and
rows, and errors that name the row a user sees in the file."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.sources import file_reader, open_source

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


# ---- 3. the row named in an error is the row the user finds in the file

def test_an_error_after_blank_lines_names_the_csv_files_own_line(tmp_path: Path) -> None:
    rows = [_csv([_row(n) for n in range(1, 6)]).splitlines()[1:]][0]
    rows[3] = rows[3].replace(",100.00,Open", ",15z5.00,Open")  # PSI-4
    # blank lines 3 and 4 (Excel: empty rows), one more at the end
    text = "\n".join([",".join(HEADER), rows[0], "", "", *rows[1:]]) + "\n\n"
    path = write_file(tmp_path / "erp/salesInvoices.csv", text)
    assert text.splitlines()[6].startswith("inv-4,")  # the bad amount is on the file's line 7
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert str(e.value) == (f"{path}, row 7, column 'remainingAmount': not a number: got '15z5.00', "
                            f"expected a number like 1234.56")


def test_a_blank_line_right_after_a_byte_order_mark_is_counted(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte order mark: a blank line after it is the file's line 1."""
    text = "\n" + _csv([_row(1), _row(2, "x")])
    write_file(tmp_path / "erp/salesInvoices.csv", codecs.BOM_UTF8 + text.encode("utf-8"))
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert "salesInvoices.csv, row 4, column 'totalAmountIncludingTax': not a number: got 'x'" in str(e.value)


def test_blank_lines_inside_a_quoted_cell_are_part_of_the_cell_not_blank_rows(tmp_path: Path) -> None:
    text = (",".join(HEADER) + "\n" + ",".join(map(str, _row(1))) + "\n\n"
            + ",".join(map(str, _row(2))).replace("PSI-2", '"PSI-2\n\nnote"') + "\n"
            + ",".join(map(str, _row(3))).replace(",100.00,Open", ",x,Open") + "\n")
    path = write_file(tmp_path / "erp/salesInvoices.csv", text)
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    # header 1, PSI-1 2, a blank line 3, PSI-2 (one row over three lines) 4, PSI-3 5
    assert str(e.value).startswith(f"{path}, row 5, column 'remainingAmount': not a number")


def test_blank_lines_above_the_header_are_skipped_and_counted(tmp_path: Path) -> None:
    write_file(tmp_path / "erp/salesInvoices.csv", "\n\n" + _csv([_row(1), _row(2, "x")]))
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert "salesInvoices.csv, row 5, column 'totalAmountIncludingTax': not a number: got 'x'" in str(e.value)


def test_an_error_after_empty_rows_names_the_excel_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "erp/salesInvoices.xlsx", [_row(1, 10.0), _row(2, 20.0), None, None, _row(3, 30.0),
                                                       _row(4, "98O.00")])
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "salesInvoices.xlsx")
    assert str(e.value) == (f"{path}, row 7, column 'totalAmountIncludingTax': not a number: got '98O.00', "
                            f"expected a number like 1234.56")


def test_a_report_title_above_the_header_is_named_at_the_row_of_the_real_header(tmp_path: Path) -> None:
    path = write_file(tmp_path / "erp/salesInvoices.csv",
                      "CRONUS International Ltd.\nPosted Sales Invoices\n\n" + _csv([_row(1)]))
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert str(e.value).startswith(f"{path}, row 4: has 9 cells where the header has 1")
    assert "report title above the header row" in str(e.value)


def test_a_report_footer_after_a_blank_line_is_named_at_its_own_line(tmp_path: Path) -> None:
    path = write_file(tmp_path / "erp/salesInvoices.csv",
                      _csv([_row(1), _row(2)]) + '\n"Invoices October"\n"Generated By: Jane Controller"\n')
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert str(e.value).startswith(f"{path}, row 5: has 1 cells where the header has 9")


@pytest.mark.parametrize("block", [3, 7, 1 << 23])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_are_found_across_the_scans_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       block: int, newline: str) -> None:
    monkeypatch.setattr(file_reader, "_SCAN_BLOCK", block)
    lines = ["id,note", "a,1", "", "b,\"x\n\ny\"", "", "", "c,3", "d,4", ""]
    path = write_file(tmp_path / "t.csv", newline.join(lines) + newline)
    table = file_reader.read_extract(path)
    assert table.frame["id"].tolist() == ["a", "b", "c", "d"]
    assert table.file_rows().tolist() == [2, 4, 7, 8]


def test_blank_lines_of_a_file_read_by_the_strict_reader_are_counted_too(tmp_path: Path) -> None:
    path = write_file(tmp_path / "t.csv", "id\tnote\r\na\t1\r\n\r\nb\t2\r\n", encoding="utf-16")
    table = file_reader.read_extract(path, encoding="utf-16")
    assert table.frame["id"].tolist() == ["a", "b"] and table.file_rows().tolist() == [2, 4]


def test_empty_rows_above_a_workbooks_header_are_skipped_and_counted(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A3"], ws["B3"], ws["A4"], ws["B4"], ws["A6"], ws["B6"] = "id", "total", "a", 1.5, "b", 2
    wb.save(tmp_path / "t.xlsx")
    table = file_reader.read_extract(tmp_path / "t.xlsx")
    assert table.frame.to_dict("list") == {"id": ["a", "b"], "total": ["1.5", "2"]}
    assert table.file_rows().tolist() == [4, 6]


# ---- 4. an Excel date-time cell in a date column

def test_an_xlsx_date_time_cell_in_a_date_column_gives_its_date(tmp_path: Path) -> None:
    _xlsx(tmp_path / "erp/salesInvoices.xlsx",
          [_row(1, 10.0, invoice=datetime(2026, 8, 31, 14, 30), due=datetime(2026, 9, 30)),
           _row(2, 20.0, invoice=datetime(2026, 8, 31, 23, 59, 59, 500000), due="2026-09-30")])
    inv = _pull(tmp_path, "salesInvoices.xlsx", 'date_format = "%d.%m.%Y"\n'
                                                'date_formats = { dueDate = ["%d.%m.%Y", "%Y-%m-%d"] }\n')
    assert inv["PSI-1"]["invoice_date"] == date(2026, 8, 31)
    assert inv["PSI-2"]["invoice_date"] == date(2026, 8, 31)
    assert inv["PSI-1"]["due_date"] == inv["PSI-2"]["due_date"] == date(2026, 9, 30)


def test_date_time_text_in_a_csv_date_column_is_still_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path / "erp/salesInvoices.csv", _csv([_row(1, invoice="2026-08-31 14:30:00")]))
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert str(e.value) == (f"{path}, row 2, column 'invoiceDate': not a date (a date with a time of day, whose day "
                            f"depends on the time zone): got '2026-08-31 14:30:00', expected a date as YYYY-MM-DD, or "
                            f"the day's midnight (00:00:00)")


# ---- 5. which sheet was read

def test_a_missing_column_on_a_workbook_names_the_sheet_read_and_the_others(tmp_path: Path) -> None:
    _xlsx(tmp_path / "erp/salesInvoices.xlsx", [_row(1, 10.0)], first="Report")
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "salesInvoices.xlsx")
    text = str(e.value)
    assert "salesInvoices.xlsx, row 1, column 'id': missing column" in text
    assert "read sheet 'Report' (a hidden sheet); the workbook's other sheets: 'Data'" in text
    assert 'sheet = "Data" under [erp.objects.invoices]' in text
    assert _pull(tmp_path, "salesInvoices.xlsx", 'sheet = "Data"\n')["PSI-1"]["total_amount"] == Decimal("10")


# ---- 6. money text never hides what the file holds

def test_a_jpy_amount_with_decimals_read_from_a_file_is_shown_with_them(tmp_path: Path) -> None:
    from workbench.model.money import format_amount
    write_file(tmp_path / "erp/salesInvoices.csv", _csv([_row(1, "96000.4", "JPY"), _row(2, "96000", "JPY")]))
    inv = _pull(tmp_path)
    assert inv["PSI-1"]["open_balance"] == Decimal("96000.4")  # as the file holds it, not refused
    assert format_amount(inv["PSI-1"]["open_balance"], "JPY") == "96,000.4 JPY"
    # the difference against a CRM holding 96000 JPY: never "-0 JPY"
    assert format_amount(inv["PSI-2"]["open_balance"] - inv["PSI-1"]["open_balance"], "JPY") == "-0.4 JPY"


def test_a_column_named_twice_but_for_a_trailing_space_is_named_as_repeated(tmp_path: Path) -> None:
    text = _csv([_row(1)])
    header, rest = text.split("\n", 1)
    path = write_file(tmp_path / "erp/salesInvoices.csv", f"{header},remainingAmount \n" +
                      "\n".join(line + ",1" for line in rest.splitlines()) + "\n")
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert str(e.value).startswith(f"{path}, row 1, column 'remainingAmount': the header repeats a column (once "
                                   f"with spaces around its name)")


def test_a_missing_column_names_the_header_below_blank_lines_or_empty_rows_at_its_own_row(tmp_path: Path) -> None:
    """The header's row, as for every data row: below blank lines of a CSV, below empty rows of a sheet."""
    header = ",".join(HEADER).replace("remainingAmount", "remaining")
    path = write_file(tmp_path / "erp/salesInvoices.csv", "\n\n" + header + "\n" + ",".join(map(str, _row(1))) + "\n")
    with pytest.raises(InputError) as e:
        _pull(tmp_path)
    assert str(e.value).startswith(f"{path}, row 3, column 'remainingAmount': missing column")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])
    ws.append([])
    ws.append([])
    for r in ([h.replace("remainingAmount", "remaining") for h in HEADER], _row(1, 10.0)):
        ws.append(r)
    wb.save(tmp_path / "erp/salesInvoices.xlsx")
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "salesInvoices.xlsx")
    assert str(e.value).startswith(f"{tmp_path / 'erp/salesInvoices.xlsx'}, row 4, column 'remainingAmount': "
                                   f"missing column")
