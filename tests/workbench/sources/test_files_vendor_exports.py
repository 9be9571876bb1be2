"""Exports as ERPs and finance tools write them, byte for byte: Excel's Unicode Text, SAP's ALV spreadsheet and list
exports, NetSuite's saved searches, QuickBooks reports, a German Excel's CSV. Each value is read exactly (Decimal,
date), or the file is refused naming the file, row and column; nothing is read wrong without a word."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import edit_package, files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.sources import open_source

HEADER = ["id", "number", "customerNumber", "invoiceDate", "dueDate", "currencyCode", "totalAmountIncludingTax",
          "remainingAmount", "status"]
CUSTOMERS = "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"


def _pull(tmp_path: Path, content: bytes, name: str = "salesInvoices.csv", settings: str = "") -> list[tuple]:
    write_file(tmp_path / "erp/customers.csv", CUSTOMERS)
    write_file(tmp_path / "erp" / name, content)
    objects = f'[erp.objects.customers]\nfile = "customers.csv"\n[erp.objects.invoices]\nfile = "{name}"\n{settings}'
    src = open_source("erp", config_mod.load(write_run(tmp_path, erp=files_side("erp", "business_central",
                                                                                   objects))))
    inv = src.pull().frames["invoices"]
    return list(inv[["number", "due_date", "total_amount", "open_balance"]].itertuples(index=False, name=None))


def _refused(tmp_path: Path, content: bytes, name: str = "salesInvoices.csv", settings: str = "") -> InputError:
    with pytest.raises(InputError) as e:
        _pull(tmp_path, content, name, settings)
    assert e.value.file is not None and e.value.file.endswith(name)
    return e.value


def test_excels_unicode_text_reads_without_declaring_it(tmp_path: Path) -> None:
    # File > Save As > "Unicode Text (*.txt)": UTF-16 LE with its byte order mark, tab-delimited, CRLF; a cell
    # holding a line break is quoted, the break written as LF. It was refused until encoding = "utf-16" was set.
    text = ("\t".join(HEADER) + "\r\n"
            + 'inv-1\t"PSI-1\nre-issued"\tC10001\t2026-10-01\t2026-10-31\tEUR\t"1,234.56"\t0.00\tOpen\r\n'
            + "inv-2\tPSI-2\tC10001\t2026-10-01\t2026-11-30\tEUR\t12.50\t12.50\tOpen\r\n")
    assert _pull(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"), "salesInvoices.txt") == [
        ("PSI-1\nre-issued", date(2026, 10, 31), Decimal("1234.56"), Decimal("0.00")),
        ("PSI-2", date(2026, 11, 30), Decimal("12.50"), Decimal("12.50"))]


@pytest.mark.parametrize("codec,order,setting", [("utf-16-le", "little-endian", "utf-16-le"),
                                                 ("utf-16-be", "big-endian", "utf-16-be")])
def test_utf16_without_its_byte_order_mark_names_the_encoding_to_declare(tmp_path: Path, codec: str, order: str,
                                                                        setting: str) -> None:
    # SAP's download in code page 4103 (UTF-16LE) writes no byte order mark unless told: it was 'binary, not CSV text'
    text = ("\t".join(HEADER) + "\r\n" + "inv-1\tPSI-1\tC10001\t2026-10-01\t2026-10-31\tEUR\t1.50\t0\tOpen\r\n")
    err = _refused(tmp_path, text.encode(codec), "salesInvoices.txt")
    assert f"is UTF-16 text ({order}) without its byte order mark" in str(err)
    assert f'encoding = "{setting}"' in str(err)
    got = _pull(tmp_path, text.encode(codec), "salesInvoices.txt", f'encoding = "{setting}"\n')
    assert got == [("PSI-1", date(2026, 10, 31), Decimal("1.50"), Decimal(0))]


SAP_SETTINGS = 'encoding = "cp1252"\ndecimal_comma = true\ndate_format = "%d.%m.%Y"\n'


def test_sap_alvs_spreadsheet_export_an_xls_that_is_tab_delimited_text_reads(tmp_path: Path) -> None:
    # ALV list > Export > Spreadsheet: a .xls file of tab-delimited cp1252 text, a blank line above the header,
    # amounts with a decimal comma and a credit's minus after it, dates as 31.12.2026
    text = ("\r\n" + "\t".join(HEADER) + "\r\n"
            + "inv-1\tPSI-1\tC10001\t01.10.2026\t31.12.2026\tEUR\t1.234,56-\t0,00\tOpen\r\n"
            + "inv-2\tPSI-2\tC10001\t01.10.2026\t30.11.2026\tEUR\t12.345,00\t  5.000,00\tOpen\r\n")
    assert _pull(tmp_path, text.encode("cp1252"), "salesInvoices.xls", SAP_SETTINGS) == [
        ("PSI-1", date(2026, 12, 31), Decimal("-1234.56"), Decimal("0.00")),
        ("PSI-2", date(2026, 11, 30), Decimal("12345.00"), Decimal("5000.00"))]


@pytest.mark.parametrize("content,what", [
    (b'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" '
     b'content="text/html; charset=utf-8"></head><body><table><tr><td>id</td></tr></table></body></html>\r\n',
     "an HTML page"),
    (b'<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n<Workbook xmlns="urn:schemas-'
     b'microsoft-com:office:spreadsheet">\r\n<Worksheet ss:Name="Results"><Table><Row><Cell><Data ss:Type="String">'
     b'id</Data></Cell></Row></Table></Worksheet></Workbook>\r\n', "an Excel 2003 XML spreadsheet")])
def test_an_html_or_xml_spreadsheet_under_an_xls_name_is_named_as_what_it_is(tmp_path: Path, content: bytes,
                                                                              what: str) -> None:
    # SAP's "in HTML format" and web exports' "Excel" (NetSuite: XML spreadsheet 2003) open in Excel; read as CSV,
    # the HTML was refused as 'malformed quote' at its first attribute
    err = _refused(tmp_path, content, "salesInvoices.xls")
    assert f"is {what}, not CSV text" in str(err) and "Excel Workbook (*.xlsx)" in str(err)


SAP_LIST = (
    "-" * 60 + "\n"
    + "|" + "|".join(HEADER) + "|\n"
    + "-" * 60 + "\n"
    + "|inv-1|PSI-1|C10001|2026-10-01|2026-10-31|EUR|  1.234,56-|0,00|Open|\n"
    + "-" * 60 + "\n")


def test_an_sap_list_printout_with_lines_of_dashes_is_refused_naming_the_line(tmp_path: Path) -> None:
    # read as CSV, the first line of dashes was the header: 'has 3 cells where the header has 1'
    err = _refused(tmp_path, SAP_LIST.encode(), "salesInvoices.txt", 'decimal_comma = true\n')
    assert err.row == 1 and "a line of dashes, as an SAP list printout separates its rows" in str(err)
    err = _refused(tmp_path, SAP_LIST.split("\n", 1)[1].encode(), "salesInvoices.txt", 'decimal_comma = true\n')
    assert err.row == 2 and "a line of dashes" in str(err)


def test_an_sap_list_without_its_lines_of_dashes_reads(tmp_path: Path) -> None:
    # the | at each end of a row make an empty column without a name at each side
    text = "".join(line + "\n" for line in SAP_LIST.splitlines() if not line.startswith("-"))
    assert _pull(tmp_path, text.encode(), "salesInvoices.txt", 'decimal_comma = true\n') == [
        ("PSI-1", date(2026, 10, 31), Decimal("-1234.56"), Decimal("0.00"))]


@pytest.mark.parametrize("amount", ["$1,234.56", "($1,234.56)", "-$12.00"])
def test_netsuites_amounts_with_a_currency_symbol_are_refused_saying_so(tmp_path: Path, amount: str) -> None:
    # a saved search's CSV writes the currency's symbol; $ is USD, CAD, AUD ... and the row's currency could differ
    text = (",".join(HEADER) + "\n" + "inv-1,PSI-1,C10001,2026-10-01,2026-10-31,USD,1234.56,0.00,Open\n"
            + f'inv-2,PSI-2,C10001,2026-10-01,2026-10-31,CAD,"{amount}",0.00,Open\n')
    err = _refused(tmp_path, text.encode())
    assert (err.row, err.column, err.got) == (3, "totalAmountIncludingTax", amount)
    assert "an amount with its currency in the cell" in str(err)


@pytest.mark.parametrize("amount", ["TBD", "N/A"])
def test_a_word_in_an_amount_cell_is_not_taken_for_a_currency(tmp_path: Path, amount: str) -> None:
    text = ",".join(HEADER) + "\n" + f"inv-1,PSI-1,C10001,2026-10-01,2026-10-31,USD,{amount},0.00,Open\n"
    err = _refused(tmp_path, text.encode())
    assert (err.row, err.got) == (2, amount) and "not a number:" in str(err) and "currency" not in str(err)


def test_a_german_excels_currency_format_is_refused_saying_so_not_as_a_stray_point(tmp_path: Path) -> None:
    # 1.234,56 € was refused as 'a point or space that groups no thousands'
    text = ";".join(HEADER) + "\n" + "inv-1;PSI-1;C10001;2026-10-01;2026-10-31;EUR;1.234,56 €;0,00;Open\n"
    err = _refused(tmp_path, text.encode(), settings="decimal_comma = true\n")
    assert (err.row, err.got) == (2, "1.234,56 €") and "an amount with its currency in the cell" in str(err)


def test_a_quickbooks_reports_title_rows_and_total_row_are_named(tmp_path: Path) -> None:
    # Reports > Export to CSV: the company, the report's name and its dates above the header; a TOTAL row below
    rows = "inv-1,PSI-1,C10001,2026-10-01,2026-10-31,USD,\"1,234.56\",0.00,Open\n"
    titled = "Craig's Design and Landscaping Services,,,,,,,,\nInvoice List,,,,,,,,\nAll Dates,,,,,,,,\n,,,,,,,,\n"
    err = _refused(tmp_path, (titled + ",".join(HEADER) + "\n" + rows).encode())
    assert err.row == 1 and "row 5 holds 'id': if that is the header, delete the rows above it" in str(err)
    total = "\nTOTAL,,,,,,\"1,234.56\",0.00,\n"
    err = _refused(tmp_path, (",".join(HEADER) + "\n" + rows + total).encode())
    assert (err.row, err.column, err.got) == (4, "id", "TOTAL") and "a total row" in str(err)


def test_a_german_excels_semicolon_csv_reads(tmp_path: Path) -> None:
    # Excel with German settings: cp1252, semicolons, 1.234,56, dates as 31.12.2026, thousands also grouped by a
    # no-break space
    text = (";".join(HEADER) + "\r\n"
            + "inv-1;PSI-1;C10001;01.10.2026;31.12.2026;EUR;1.234,56;1\u00a0234,56;Open\r\n"
            + "inv-2;PSI-2;C10001;01.10.2026;31.12.2026;EUR;-12,5;0;Open\r\n")
    assert _pull(tmp_path, text.encode("cp1252"), settings=SAP_SETTINGS) == [
        ("PSI-1", date(2026, 12, 31), Decimal("1234.56"), Decimal("1234.56")),
        ("PSI-2", date(2026, 12, 31), Decimal("-12.5"), Decimal(0))]


def test_thin_spaces_apostrophes_and_lakhs_group_thousands(tmp_path: Path) -> None:
    # a narrow no-break space (French typesetting), Switzerland's apostrophe, India's lakhs
    text = (",".join(HEADER) + "\n" + "inv-1,PSI-1,C10001,2026-10-01,2026-10-31,EUR,1\u202f234.56,1'234.56,Open\n"
            + 'inv-2,PSI-2,C10001,2026-10-01,2026-10-31,INR,"1,23,456.78",1’000.00,Open\n')
    assert [(t, b) for *_, t, b in _pull(tmp_path, text.encode())] == [
        (Decimal("1234.56"), Decimal("1234.56")), (Decimal("123456.78"), Decimal("1000.00"))]


@pytest.mark.parametrize("written", ["2026-12-31T00:00:00", "2026-12-31 00:00:00.000", "2026-12-31T00:00:00Z"])
def test_a_date_written_as_its_midnight_reads_as_the_date(tmp_path: Path, written: str) -> None:
    # OData feeds and database exports (Dynamics, SQL Server's .000) write a date column's dates so; refused before
    text = ",".join(HEADER) + "\n" + f"inv-1,PSI-1,C10001,2026-10-01,{written},EUR,1.50,0,Open\n"
    assert _pull(tmp_path, text.encode())[0][1] == date(2026, 12, 31)


def test_a_us_date_written_with_its_midnight_on_a_12_hour_clock_reads(tmp_path: Path) -> None:
    # Dynamics GP's SmartList, SSRS and .NET's en-US dates: 12/31/2026 12:00:00 AM
    text = (",".join(HEADER) + "\n"
            + "inv-1,PSI-1,C10001,10/1/2026 12:00:00 AM,12/31/2026 12:00:00 AM,USD,1.50,0,Open\n")
    got = _pull(tmp_path, text.encode(), settings='date_format = "%m/%d/%Y"\n')
    assert got[0][1] == date(2026, 12, 31)
    err = _refused(tmp_path, text.replace("12/31/2026 12:00:00 AM", "12/31/2026 12:00:00 PM").encode(),
                   settings='date_format = "%m/%d/%Y"\n')
    assert (err.row, err.column) == (2, "dueDate") and "a time of day" in str(err)


def test_a_date_with_a_time_of_day_is_refused_saying_so(tmp_path: Path) -> None:
    text = ",".join(HEADER) + "\n" + "inv-1,PSI-1,C10001,2026-10-01,2026-12-31T23:30:00,EUR,1.50,0,Open\n"
    err = _refused(tmp_path, text.encode())
    assert (err.row, err.column) == (2, "dueDate") and "a time of day" in str(err)


@pytest.mark.parametrize("label", ["Total for Adams & Baker", "Total Ridgeway University", "Summe Kunde 10001",
                                   "Subtotal: October"])
def test_a_groups_total_row_is_refused_not_read_as_an_invoice(tmp_path: Path, label: str) -> None:
    # QuickBooks' and Xero's reports grouped by customer close each group with its total; it was read as one more
    # invoice of the group's sum
    text = (",".join(HEADER) + "\n" + "inv-1,PSI-1,C10001,2026-10-01,2026-10-31,EUR,1.50,0,Open\n"
            + f'"{label}",,,,,EUR,1.50,0,\n')
    err = _refused(tmp_path, text.encode())
    assert (err.row, err.column, err.got) == (3, "id", label) and "a total row" in str(err)


@pytest.mark.parametrize("record", ["TOTAL-0001", "Totalreparatur", "SUM2026-10"])
def test_an_id_that_starts_like_a_total_is_still_a_record(tmp_path: Path, record: str) -> None:
    text = ",".join(HEADER) + "\n" + f"{record},PSI-1,C10001,2026-10-01,2026-10-31,EUR,1.50,0,Open\n"
    assert len(_pull(tmp_path, text.encode())) == 1


def test_a_workbooks_computed_amount_reads_as_excel_shows_it(tmp_path: Path) -> None:
    # Excel saves a formula's result with 17 significant digits (=1234.56*3 as 3703.6800000000003) and shows 15: it
    # was read as 3703.6800000000003, and shown so beside the other system's 3703.68
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(["inv-1", "PSI-1", "C10001", "2026-10-01", "2026-10-31", "EUR", 3703.5, 0.25, "Open"])
    (tmp_path / "erp").mkdir()
    wb.save(tmp_path / "erp/salesInvoices.xlsx")
    for stored, saved in ((b"3703.5", b"3703.6800000000003"), (b"0.25", b"0.30000000000000004")):
        edit_package(tmp_path / "erp/salesInvoices.xlsx", "xl/worksheets/sheet1.xml", b"<v>" + stored + b"</v>",
                     b"<v>" + saved + b"</v>")
    got = _pull(tmp_path, (tmp_path / "erp/salesInvoices.xlsx").read_bytes(), "salesInvoices.xlsx")
    assert [(t, b) for *_, t, b in got] == [(Decimal("3703.68"), Decimal("0.3"))]


def test_odoos_guard_against_formulas_is_undone(tmp_path: Path) -> None:
    # Odoo's CSV export writes a text starting with =, - or + after an apostrophe, so that a spreadsheet takes no
    # formula from it (odoo/odoo addons/web/controllers/export.py, CSVExport.from_data): the phone '+49 30 1234567
    # was read with the apostrophe and compared so with the CRM's +49 30 1234567
    contacts = ('"ID","Name","Reference","Phone","Tax ID"\n'
                '"7","\'-Minus GmbH","C10001","\'+49 30 1234567","\'=DE123456789"\n'
                '"8","O\'Brien Ltd","C10002","\'020 7946 0000",""\n')
    write_file(tmp_path / "erp/Contact (res.partner).csv", contacts)
    src = open_source("erp", config_mod.load(write_run(tmp_path, erp=files_side(
        "erp", "odoo", '[erp.objects.customers]\nfile = "Contact (res.partner).csv"\n'))))
    cust = src.pull().frames["customers"]
    assert list(cust["name"]) == ["-Minus GmbH", "O'Brien Ltd"]
    assert list(cust["phone"]) == ["+49 30 1234567", "'020 7946 0000"]
    assert list(cust["tax_id"]) == ["=DE123456789", None]


@pytest.mark.parametrize("written,setting", [("00.00.0000", 'date_format = "%d.%m.%Y"\n'),
                                             ("00000000", 'date_format = "%Y%m%d"\n'), ("0000-00-00", "")])
def test_sap_and_mysql_zero_dates_are_empty_dates(tmp_path: Path, written: str, setting: str) -> None:
    # SAP's initial date (an open item without a due date) and MySQL's zero date: they were 'not a date'
    day = {"": "2026-10-01", 'date_format = "%d.%m.%Y"\n': "01.10.2026"}.get(setting, "20261001")
    text = ",".join(HEADER) + "\n" + f"inv-1,PSI-1,C10001,{day},{written},EUR,1.50,0,Open\n"
    assert _pull(tmp_path, text.encode(), settings=setting)[0][1] is None
