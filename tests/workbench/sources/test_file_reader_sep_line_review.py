"""Review of Excel's delimiter line in the files connector: odd files a user may give (a header cell written over
two lines, classic Mac line endings, a line naming a delimiter the header does not use, the line left in cell A1 of
a workbook re-saved by LibreOffice). Each test fails on the code reviewed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import files_side, write_file, write_run
from tests.workbench.sources.test_files_sep_line import HEADER, ROWS, _lines, _pull
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.sources import file_reader, open_source


# ---- a header cell quoted over two lines, right below the line


@pytest.mark.parametrize("sep_line", ["sep=;\n", '"sep=;";\n'])
def test_a_header_cell_written_over_two_lines_below_the_sep_line_makes_no_record(tmp_path: Path,
                                                                                  sep_line: str) -> None:
    """ERP reports write column titles such as "Amount\\n(EUR)" in quotes. Arrow's skip_rows counts physical lines,
    not records: it skips the delimiter line and the header's first line only, and reads the header's second line
    as a data row ('(EUR)"', 'id'). The same file without the line was refused (the sniffer found no delimiter);
    with the line, the phantom row is kept silently."""
    path = write_file(tmp_path / "t.csv", sep_line + '"Amount\n(EUR)";id\n1;a\n2;b\n')
    table = file_reader.read_extract(path)
    assert list(table.frame.columns) == ["Amount\n(EUR)", "id"]
    assert table.frame.values.tolist() == [["1", "a"], ["2", "b"]]


def test_a_customer_title_over_two_lines_makes_no_phantom_customer(tmp_path: Path) -> None:
    """Through the connector: the header's second line becomes a customer (record id 'id', name 'displayName'),
    which a run would report as a customer missing on the other side."""
    write_file(tmp_path / "erp/customers.csv",
               'sep=;\n"Customer\nNo.";id;displayName\nC10001;c-1;Müller Maschinenbau GmbH\n')
    write_file(tmp_path / "erp/salesInvoices.csv", "\n".join(_lines(ROWS)) + "\n")
    erp = files_side("erp", "business_central",
                     '[erp.objects.customers]\nfile = "customers.csv"\n[erp.objects.customers.fields]\n'
                     'number = "Customer\\nNo."\n[erp.objects.invoices]\nfile = "salesInvoices.csv"\n')
    extract = open_source("erp", config_mod.load(write_run(tmp_path, erp=erp))).pull()
    assert extract.frames["customers"]["record_id"].tolist() == ["c-1"]


# ---- classic Mac line endings (CR only), which sep_line accepts


def test_a_cr_only_file_with_the_line_and_a_blank_line_keeps_its_own_rows(tmp_path: Path) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone; sep_line accepts a CR-ended line. Lines: 1 sep,
    2 header, 3 blank, 4 a, 5 b. The blank-line scan (_scan, _blank_lines) counts LF only, so Arrow's rows are named
    one short (3, 4); the strict fallback reader (csv module) counts them right."""
    path = write_file(tmp_path / "t.csv", "sep=;\rid;n\r\ra;1\rb;2\r")
    table = file_reader.read_extract(path)
    assert table.frame.values.tolist() == [["a", "1"], ["b", "2"]]
    assert table.file_rows().tolist() == [4, 5]


def test_a_stray_quote_in_a_cr_only_file_names_its_own_row(tmp_path: Path) -> None:
    """Lines: 1 sep, 2 header, 3 a, 4 b with a stray quote. _record_at counts LF only: 'row 1'."""
    path = write_file(tmp_path / "t.csv", 'sep=;\rid;n\ra;1\rb;"2"x\r')
    with pytest.raises(InputError) as e:
        file_reader.read_extract(path)
    assert str(e.value).startswith(f"{path}, row 4: ") and "quote" in str(e.value)


# ---- a line naming a delimiter the header does not use


def test_a_sep_line_naming_a_delimiter_the_header_does_not_use_is_refused_saying_so(tmp_path: Path) -> None:
    """An export tool writing a fixed "sep=," above rows its locale delimits with ';': the header is read as one
    column 'id;number;...', and the user is told the column 'id' is missing, while row 2 plainly starts with id.
    Before the change the line was refused and, deleted, the file read (the delimiter sniffed)."""
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "sep=,\n" + "\n".join(_lines(ROWS, ";")) + "\n")
    message = str(e.value)
    assert message.startswith(f"{tmp_path / 'erp/salesInvoices.csv'}, row ")
    assert "delimiter" in message  # says the line's ',' does not split the header (which ';' does)


# ---- the line left in cell A1 of a workbook


def test_a_workbook_whose_a1_is_excels_delimiter_line_is_read_below_it_or_refused_naming_it(tmp_path: Path) -> None:
    """LibreOffice Calc shows the line as a first row (sep_line's own docstring); saved as .xlsx, A1 holds 'sep=;'
    and the header is row 2. The connector reads 'sep=;' as the only column and says "row 1, column 'id': missing
    column", while the workbook shows id in row 2."""
    write_file(tmp_path / "erp/customers.csv",
               "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sep=;"])
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    wb.save(tmp_path / "erp/salesInvoices.xlsx")
    erp = files_side("erp", "business_central", '[erp.objects.customers]\nfile = "customers.csv"\n'
                                                '[erp.objects.invoices]\nfile = "salesInvoices.xlsx"\n')
    source = open_source("erp", config_mod.load(write_run(tmp_path, erp=erp)))
    try:
        extract = source.pull()
    except InputError as e:
        assert ", row 1" in str(e) and "delimiter line" in str(e), str(e)
    else:
        assert extract.frames["invoices"]["number"].tolist() == ["PSI-1", "PSI-2", "PSI-3"]


# ---- review2 of afd2b86: a classic Mac file whose cells hold Excel's line break (LF)

def test_review2_a_cr_file_with_an_lf_inside_a_cell_names_the_row_of_a_malformed_quote(tmp_path):
    """Excel writes a line break inside a cell as LF, so its "CSV (Macintosh)" has CR record ends and LF in
    quoted cells. newline is chosen as LF as soon as the head holds one LF: the row counts only LFs, and the
    malformed quote on row 4 is reported on row 1."""
    p = tmp_path / "mac.csv"
    p.write_bytes(b'A,B\r"x\ny",2\r3,4\r5,x"y"\r')
    with pytest.raises(InputError) as exc:
        file_reader.read_extract(p)
    assert exc.value.row == 4


def test_review2_a_cr_file_with_an_lf_inside_a_cell_counts_its_blank_lines(tmp_path):
    p = tmp_path / "mac.csv"
    p.write_bytes(b'A,B\r"x\ny",2\r3,4\r\r5,6\r')
    assert file_reader.read_extract(p).file_rows().tolist() == [2, 3, 5]


def test_review2_a_single_column_file_whose_header_holds_a_comma_is_read(tmp_path):
    """The header delimiter check refuses any one-column header holding another delimiter, though the header is
    one quoted cell: read before afd2b86."""
    p = tmp_path / "one.csv"
    p.write_bytes(b'sep=;\n"Amount, EUR"\n1\n')
    assert list(file_reader.read_extract(p).frame.columns) == ["Amount, EUR"]
