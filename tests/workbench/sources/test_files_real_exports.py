"""Files connector on extracts as ERPs and spreadsheets write them: a UTF-8 file under a declared
single-byte encoding, Excel's scientific notation for long ids, thousands groups under a decimal
comma, total rows, report titles above the header. Each either reads the right value or stops naming
the file, row and column."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import edit_package, files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import ConfigError, InputError
from workbench.sources import open_source
from workbench.sources.base import Source

HEADER = "id,number,customerNumber,invoiceDate,dueDate,currencyCode,totalAmountIncludingTax,remainingAmount,status\n"
CUSTOMERS = "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"
ROW = "inv-1,PSI-1,C10001,2026-10-01,2026-10-31,EUR,100.00,100.00,Open\n"


def _source(tmp_path: Path, invoices: str | bytes | None = None, settings: str = "",
            customers: str | bytes = CUSTOMERS, customer_settings: str = "",
            name: str = "salesInvoices.csv") -> Source:
    write_file(tmp_path / "erp/customers.csv", customers)
    objects = f'[erp.objects.customers]\nfile = "customers.csv"\n{customer_settings}'
    if invoices is not None or (tmp_path / "erp" / name).exists():
        if invoices is not None:
            write_file(tmp_path / "erp" / name, invoices)
        objects += f'[erp.objects.invoices]\nfile = "{name}"\n{settings}'
    return open_source("erp", config_mod.load(write_run(tmp_path, erp=files_side("erp", "business_central",
                                                                                   objects))))


def _refused(tmp_path: Path, invoices: str | bytes | None = None, settings: str = "",
             customers: str | bytes = CUSTOMERS, customer_settings: str = "",
             name: str = "salesInvoices.csv") -> InputError:
    with pytest.raises(InputError) as e:
        _source(tmp_path, invoices, settings, customers, customer_settings, name).pull()
    return e.value


# ---- a UTF-8 file read under a declared single-byte encoding

@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_a_utf8_file_under_a_declared_cp1252_is_refused_not_read_as_mojibake(tmp_path: Path, bom: str) -> None:
    err = _refused(tmp_path, customers=bom + CUSTOMERS, customer_settings='encoding = "cp1252"\n')
    assert err.file is not None and err.file.endswith("customers.csv")
    assert "is UTF-8 text" in str(err) and "cp1252" in str(err)
    assert 'encoding = "utf-8"' in str(err)


def test_a_cp1252_file_under_a_declared_cp1252_still_reads(tmp_path: Path) -> None:
    src = _source(tmp_path, customers=CUSTOMERS.encode("cp1252"), customer_settings='encoding = "cp1252"\n')
    assert src.pull().frames["customers"]["name"].tolist() == ["Müller Maschinenbau GmbH"]


# ---- thousands under a decimal comma: grouped in threes from the left, or the amount is refused

def _amounts(tmp_path: Path, *totals: str) -> InputError | list[Decimal]:
    rows = "".join(f"inv-{n};PSI-{n};C10001;2026-10-01;2026-10-31;EUR;{t};0;Open\n" for n, t in enumerate(totals))
    try:
        inv = _source(tmp_path, HEADER.replace(",", ";") + rows, "decimal_comma = true\n").pull().frames["invoices"]
    except InputError as exc:
        return exc
    return list(inv["total_amount"])


def test_amounts_grouped_by_points_spaces_or_apostrophes_read_with_a_decimal_comma(tmp_path: Path) -> None:
    got = _amounts(tmp_path, "1.234.567,89", "12.345", "1 234,50", "1\u00a0234,00", "1'234,5", "(1.234,56)",
                   "1.234,56-", "1.234,56 -", "1234,5", "1234.5", "-1.234")
    assert got == [Decimal(x) for x in ("1234567.89", "12345", "1234.50", "1234.00", "1234.5", "-1234.56",
                                        "-1234.56", "-1234.56", "1234.5", "1234.5", "-1234")]


@pytest.mark.parametrize("amount", ["1234.567", "1.2345.678", "12.34.567,8", "1.234.56,7"])
def test_a_point_that_groups_no_thousands_under_a_decimal_comma_is_refused(tmp_path: Path, amount: str) -> None:
    # read as before, 1234.567 became 1,234,567: a point followed by three digits was taken for a group
    err = _amounts(tmp_path, "5,00", amount)
    assert isinstance(err, InputError)
    assert (err.row, err.column, err.got) == (3, "totalAmountIncludingTax", amount)
    assert "1.234.567,89" in str(err)


# ---- long ids as Excel shows them: 1.23457E+14, the other digits gone

@pytest.mark.parametrize("column,value", [("number", "1.23457E+14"), ("customerNumber", "4.0123E+12"),
                                          ("id", "1.2E+04")])
def test_an_id_in_excels_scientific_notation_is_refused_naming_the_cell(tmp_path: Path, column: str,
                                                                        value: str) -> None:
    cells = dict(zip(HEADER.strip().split(","), ROW.strip().split(",")))
    cells[column] = value
    err = _refused(tmp_path, HEADER + ROW.replace("inv-1", "inv-0") + ",".join(cells.values()) + "\n")
    assert (err.row, err.column, err.got) == (3, column, value)
    assert "scientific notation" in str(err) and "Text" in str(err)


def test_a_customer_number_in_scientific_notation_is_refused(tmp_path: Path) -> None:
    err = _refused(tmp_path, customers=CUSTOMERS.replace("C10001", "1.23457E+14"))
    assert (err.row, err.column, err.got) == (2, "number", "1.23457E+14")


def test_a_workbooks_id_number_cell_beyond_excels_15_digits_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append([12345678901234567, "PSI-1", "C10001", "2026-10-01", "2026-10-31", "EUR", 100, 100, "Open"])
    (tmp_path / "erp").mkdir()
    wb.save(tmp_path / "erp/salesInvoices.xlsx")
    err = _refused(tmp_path, settings="", name="salesInvoices.xlsx", invoices=None)
    assert (err.row, err.column) == (2, "id")


def test_ordinary_ids_with_an_e_still_read(tmp_path: Path) -> None:
    row = "INV-1E+2,E+12,C10001,2026-10-01,2026-10-31,EUR,12000,0,Open\n"
    inv = _source(tmp_path, HEADER + row).pull().frames["invoices"]
    assert (inv["record_id"][0], inv["number"][0], inv["total_amount"][0]) == ("INV-1E+2", "E+12", Decimal(12000))


@pytest.mark.parametrize("amount", ["1.23457E+11", "-1.2E+04", "1,23457E+11"])
def test_an_amount_in_excels_scientific_notation_is_refused_naming_the_cell(tmp_path: Path, amount: str) -> None:
    # 123456789012 IDR shown by Excel as 1.23457E+11 and saved so: it was read as 123,457,000,000
    err = _refused(tmp_path, HEADER + ROW + f'inv-2,PSI-2,C10001,2026-10-01,2026-10-31,IDR,"{amount}",0,Open\n')
    assert (err.row, err.column, err.got) == (3, "totalAmountIncludingTax", amount)
    assert "scientific notation" in str(err)


# ---- a report's total row is no record

@pytest.mark.parametrize("label", ["Total", "Grand Total:", "SUMME", "*", "**"])
def test_a_total_row_is_refused_not_read_as_an_invoice(tmp_path: Path, label: str) -> None:
    total = f"{label},,,,,EUR,200.00,100.00,Open\n"
    err = _refused(tmp_path, HEADER + ROW + ROW.replace("inv-1,PSI-1", "inv-2,PSI-2") + total)
    assert (err.row, err.column, err.got) == (4, "id", label)
    assert "total row" in str(err)


def test_a_customer_coded_total_is_still_a_customer(tmp_path: Path) -> None:
    # mnemonic customer codes exist (TOTAL for TotalEnergies); a customer's name is required, which a total
    # row of a customer list lacks
    src = _source(tmp_path, customers=CUSTOMERS + "TOTAL,C10002,TotalEnergies SE,FR,EUR\n")
    assert "TOTAL" in set(src.pull().frames["customers"]["record_id"])


# ---- a date format without a year

@pytest.mark.parametrize("setting", ['date_format = "%d%m"\n',
                                     '[erp.objects.invoices.date_formats]\ndueDate = "%d.%m."\n',
                                     '[erp.objects.invoices.date_formats]\ndueDate = ["%d.%m.%Y", "%d.%m"]\n'])
def test_a_date_format_without_a_year_is_a_config_error_not_dates_in_1900(tmp_path: Path, setting: str) -> None:
    # DATEV writes a booking's date as 3110 (its year is the batch's); read with %d%m it would be 1900-10-31
    with pytest.raises(ConfigError) as e:
        _source(tmp_path, HEADER + ROW, setting)
    assert "no year" in str(e.value) and "[erp.objects.invoices]" in str(e.value)


# ---- report-style workbooks: spacer columns, a title and filters above the header

def _workbook(tmp_path: Path, rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    (tmp_path / "erp").mkdir(exist_ok=True)
    wb.save(tmp_path / "erp/salesInvoices.xlsx")


def test_a_workbooks_empty_spacer_columns_are_no_repeated_column(tmp_path: Path) -> None:
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [[*header[:3], None, *header[3:6], None, *header[6:]],
                         [*row[:3], None, *row[3:6], None, *row[6:]]])
    inv = _source(tmp_path, name="salesInvoices.xlsx").pull().frames["invoices"]
    assert list(inv["number"]) == ["PSI-1"] and list(inv["total_amount"]) == [Decimal("100.00")]


def test_a_title_and_filters_above_a_workbooks_header_are_named_with_the_real_headers_row(tmp_path: Path) -> None:
    # Business Central's Export to Excel of a report: its title and filters, an empty row, then the header
    _workbook(tmp_path, [["Posted Sales Invoices", None, None, "CRONUS AG"],
                         ["Filters: Posting Date: 01.10.26..31.10.26"], [],
                         HEADER.strip().split(","), ROW.strip().split(",")])
    err = _refused(tmp_path, name="salesInvoices.xlsx")
    assert err.row == 1 and err.column == "id"
    assert "row 4 holds 'id': if that is the header, delete the rows above it" in str(err)


def test_a_title_line_padded_to_the_width_above_a_csv_header_is_named_too(tmp_path: Path) -> None:
    # a report saved as CSV from Excel: the title padded with a delimiter per column, like every row
    err = _refused(tmp_path, "Posted Sales Invoices,,,,,,,,\n" + HEADER + ROW)
    assert err.row == 1 and "row 2 holds" in str(err)


def test_a_one_cell_title_above_a_workbooks_header_is_refused_naming_it(tmp_path: Path) -> None:
    # read as the header, the title would have cut every row to its first cell
    _workbook(tmp_path, [["Posted Sales Invoices"], [], HEADER.strip().split(","), ROW.strip().split(",")])
    err = _refused(tmp_path, name="salesInvoices.xlsx")
    assert err.row == 1 and "the header row holds one cell, 'Posted Sales Invoices', but row 3 has more" in str(err)


# ---- DATEV's format line above the header

DATEV = ('"EXTF";700;16;"Debitoren/Kreditoren";5;20261101120000000;;"RE";"";"";12345;67890;20260101;4;;;"";"";;;;'
         '"";;"";;;"";;;"";""\n')


def test_datevs_extf_line_above_the_header_is_skipped_and_counted_as_row_1(tmp_path: Path) -> None:
    # DATEV's format: row 1 describes the file (EXTF for files from other programs, DTVF for DATEV's own), row 2
    # holds the column names; cp1252 and semicolons
    customers = DATEV + CUSTOMERS.replace(",", ";") + "c-2;C10002;Dubois Conseil SAS;FR;EURO\n"
    err = _refused(tmp_path, customers=customers.encode("cp1252"), customer_settings='encoding = "cp1252"\n')
    assert (err.row, err.column, err.got) == (4, "currencyCode", "EURO")
    src = _source(tmp_path, customers=customers.replace("EURO", "EUR").replace("EXTF", "DTVF").encode("cp1252"),
                  customer_settings='encoding = "cp1252"\n')
    assert list(src.pull().frames["customers"]["name"]) == ["Müller Maschinenbau GmbH", "Dubois Conseil SAS"]


# ---- a page header repeated below the first page

@pytest.mark.parametrize("name", ["salesInvoices.csv", "salesInvoices.xlsx"])
def test_a_repeated_page_header_is_refused_naming_its_row(tmp_path: Path, name: str) -> None:
    rows = [HEADER, ROW, "\n", HEADER.upper().replace("ID,", " Id ,"), ROW.replace("inv-1,PSI-1", "inv-2,PSI-2")]
    if name.endswith(".xlsx"):
        _workbook(tmp_path, [r.strip().split(",") if r.strip() else [] for r in rows])
        err = _refused(tmp_path, name=name)
    else:
        err = _refused(tmp_path, "".join(rows))
    assert err.row == 4 and "the row repeats the header (a page header of a report)" in str(err)


# ---- a formula's error value, as Excel saves it in a workbook and to CSV

@pytest.mark.parametrize("column,value", [("id", "#N/A"), ("customerNumber", "#REF!"), ("number", "#VALUE!"),
                                          ("totalAmountIncludingTax", "#DIV/0!")])
def test_an_excel_error_value_is_refused_naming_the_cell(tmp_path: Path, column: str, value: str) -> None:
    cells = dict(zip(HEADER.strip().split(","), ROW.replace("inv-1,PSI-1", "inv-2,PSI-2").strip().split(",")))
    cells[column] = value
    err = _refused(tmp_path, HEADER + ROW + ",".join(cells.values()) + "\n")
    assert (err.row, err.column, err.got) == (3, column, value)
    assert "Excel's error value" in str(err)


def test_a_workbooks_error_cell_is_refused_naming_it(tmp_path: Path) -> None:
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [header, row, ["inv-2", "PSI-2", "#N/A", *row[3:]]])
    err = _refused(tmp_path, name="salesInvoices.xlsx")
    assert (err.row, err.column, err.got) == (3, "customerNumber", "#N/A")


# ---- a workbook's date cells under a column's own date format

def test_a_workbooks_date_cells_read_under_a_columns_own_date_format(tmp_path: Path) -> None:
    # the text cells of the column are written 31/10/2026, the date cells Excel holds are dates all the same
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [header, [*row[:4], date(2026, 10, 31), *row[5:]],
                         ["inv-2", "PSI-2", *row[2:4], "30/11/2026", *row[5:]]])
    src = _source(tmp_path, name="salesInvoices.xlsx", settings='[erp.objects.invoices.date_formats]\n'
                                                                'dueDate = "%d/%m/%Y"\n')
    assert list(src.pull().frames["invoices"]["due_date"]) == [date(2026, 10, 31), date(2026, 11, 30)]


def _edit(tmp_path: Path, part: str, pattern: bytes, replacement: bytes) -> None:
    edit_package(tmp_path / "erp/salesInvoices.xlsx", part, pattern, replacement)


# ---- a workbook whose stated dimension is wrong

@pytest.mark.parametrize("dimension", ["A1", "A1:I2", "A1:C3"])
def test_every_row_and_column_is_read_whatever_the_sheets_stated_dimension(tmp_path: Path, dimension: str) -> None:
    # writers other than Excel state <dimension ref="A1"/>, or the range before the rows were added
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [header, row, ["inv-2", "PSI-2", *row[2:]], ["inv-3", "PSI-3", *row[2:]]])
    _edit(tmp_path, "xl/worksheets/sheet1.xml", rb'<dimension ref="[^"]*"/>',
          f'<dimension ref="{dimension}"/>'.encode())
    inv = _source(tmp_path, name="salesInvoices.xlsx").pull().frames["invoices"]
    assert list(inv["number"]) == ["PSI-1", "PSI-2", "PSI-3"] and list(inv["status"]) == ["open"] * 3


# ---- formula results a writer that does not calculate saved

@pytest.mark.parametrize("saved_by_excel", [False, True])
def test_a_formulas_placeholder_result_is_refused_and_a_calculated_one_read(tmp_path: Path,
                                                                            saved_by_excel: bool) -> None:
    # XlsxWriter saves 0 as every formula's result and asks Excel to calculate them on opening
    # (<calcPr fullCalcOnLoad="1"/>, as openpyxl does too); Excel drops the flag when it saves the results
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [header, [*row[:6], 100, "=G2", row[8]]])
    _edit(tmp_path, "xl/worksheets/sheet1.xml", rb"<f>G2</f><v\s*/>|<f>G2</f><v></v>",
          b"<f>G2</f><v>" + (b"100" if saved_by_excel else b"0") + b"</v>")
    if saved_by_excel:
        _edit(tmp_path, "xl/workbook.xml", rb' fullCalcOnLoad="1"', b"")
        inv = _source(tmp_path, name="salesInvoices.xlsx").pull().frames["invoices"]
        assert list(inv["open_balance"]) == [Decimal(100)]
        return
    err = _refused(tmp_path, name="salesInvoices.xlsx")
    assert (err.row, err.column, err.got) == (2, "remainingAmount", "=G2")
    assert "a formula whose saved result is a placeholder" in str(err)


def test_a_workbooks_header_naming_a_column_twice_is_named_as_repeated(tmp_path: Path) -> None:
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [[*header, "number"], [*row, "PSI-9"]])
    err = _refused(tmp_path, name="salesInvoices.xlsx")
    assert str(err).endswith("row 1, column 'number': the header repeats a column, expected each column name once")


# ---- Excel's serial date numbers

@pytest.mark.parametrize("name", ["salesInvoices.csv", "salesInvoices.xlsx"])
def test_a_serial_date_number_is_refused_saying_what_it_is(tmp_path: Path, name: str) -> None:
    # a date column Excel shows as General: 46326 is 2026-10-31, counted in days since 1900
    if name.endswith(".xlsx"):
        row = ROW.strip().split(",")
        _workbook(tmp_path, [HEADER.strip().split(","), [*row[:4], 46326, *row[5:]]])
        err = _refused(tmp_path, name=name)
    else:
        err = _refused(tmp_path, HEADER + ROW.replace("2026-10-31", "46326"))
    assert (err.row, err.column, err.got) == (2, "dueDate", "46326")
    assert "how Excel stores a date" in str(err)


@pytest.mark.parametrize("cell", ['="00123"', '"=""00123"""'])
def test_a_code_wrapped_in_an_excel_text_formula_reads_as_its_text(tmp_path: Path, cell: str) -> None:
    # ="00123": how exports meant for Excel keep a code's leading zeros, unquoted or quoted as CSV quotes a cell;
    # it was refused, or (quoted) kept as the invoice number '="00123"', which no system holds
    inv = _source(tmp_path, HEADER + ROW + ROW.replace("inv-1,PSI-1", f'="inv-2",{cell}').replace(
        ",100.00,", ',="1.50",')).pull().frames["invoices"]
    assert list(inv["record_id"]) == ["inv-1", "inv-2"] and list(inv["number"]) == ["PSI-1", "00123"]
    assert inv["total_amount"][1] == Decimal("1.50")


@pytest.mark.parametrize("cell", ['x="00123"', '="00123"x'])
def test_a_quote_beside_a_text_formula_is_still_refused(tmp_path: Path, cell: str) -> None:
    err = _refused(tmp_path, HEADER + ROW + ROW.replace("inv-1,PSI-1", f"inv-2,{cell}"))
    assert err.row == 3 and "malformed quote" in str(err)


# ---- spreadsheets of other formats

@pytest.mark.parametrize("name", ["salesInvoices.csv", "salesInvoices.xlsx"])
@pytest.mark.parametrize("parts,kind", [
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
     "an OpenDocument spreadsheet (.ods)"),
    ({"[Content_Types].xml": b"<x/>", "xl/workbook.bin": b"\0"}, "an Excel binary workbook (.xlsb)")])
def test_an_ods_or_xlsb_file_is_named_as_what_it_is(tmp_path: Path, name: str, parts: dict[str, bytes],
                                                    kind: str) -> None:
    # before, an .ods under a .csv name was "an Excel workbook": named .xlsx as advised, it was still refused
    (tmp_path / "erp").mkdir()
    with zipfile.ZipFile(tmp_path / "erp" / name, "w") as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
    err = _refused(tmp_path, name=name)
    assert f"salesInvoices.{name.rsplit('.', 1)[1]}: is {kind}, not" in str(err)
    assert "Excel Workbook (*.xlsx)" in str(err)


def test_an_item_coded_total_keys_its_prices(tmp_path: Path) -> None:
    # a composite key's first column is an item code, which may be mnemonic: no total row's label there
    items = "id,number,displayName\ni-1,TOTAL,Total care plan\n"
    prices = "itemNumber,currencyCode,unitPrice,startingDate\nTOTAL,EUR,10.00,2026-01-01\n"
    cfg = write_run(tmp_path, {"erp/items.csv": items, "erp/salesPrices.csv": prices},
                    erp=files_side("erp", "business_central", "[erp.objects.products]\n[erp.objects.prices]\n"))
    frames = open_source("erp", config_mod.load(cfg)).pull().frames
    assert list(frames["prices"]["record_id"]) == ["TOTAL|EUR|2026-01-01"]


def test_a_workbooks_date_cell_in_an_id_column_is_refused(tmp_path: Path) -> None:
    # Excel read the code 3-11 of a CSV file as the 11th of March, and the workbook saved holds that date
    header, row = HEADER.strip().split(","), ROW.strip().split(",")
    _workbook(tmp_path, [header, row, ["inv-2", date(2026, 3, 11), *row[2:]]])
    err = _refused(tmp_path, name="salesInvoices.xlsx")
    assert (err.row, err.column, err.got) == (3, "number", "2026-03-11")
    assert "a date cell where an id is expected" in str(err)
