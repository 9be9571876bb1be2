"""Strict reading of file extracts: broken rows and quotes, formula cells, huge numbers, ambiguous columns."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import hostile as h
from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import ConfigError, InputError
from workbench.sources import open_source
from workbench.sources.file_parse import Where, decimals
from workbench.sources.file_reader import read_table

HEADER = "id,number,total\n"


@pytest.mark.parametrize("body,row,words", [
    ("a,1,10\nb,2\n", 3, "2 cells where the header has 3 (a truncated or broken row)"),
    ("a,1,10\nb,2,20,x\n", 3, "4 cells where the header has 3"),
    ('a,1,10\n"b,2,20\nc,3,30\n', 3, "unbalanced quote (a quoted cell never closes)"),
    ('a,1,10\nb,"PSI-2,"20",x\nc,3,30\n', 3, "malformed quote"),
    ('a,"PSI-1"x,10\nb,2,20\n', 2, "malformed quote"),
    ('a,1,10\nb,PSI"2,20\n', 3, "malformed quote"),
    # a quoted line break does not count as a row: the bad quote is on the third row
    ('a,"two\nlines",10\nb,2,20\nc,x"y,30\n', 4, "malformed quote"),
])
def test_a_broken_row_or_quote_is_refused_naming_the_row(tmp_path: Path, body: str, row: int, words: str) -> None:
    p = write_file(tmp_path / "t.csv", HEADER + body)
    with pytest.raises(InputError) as e:
        read_table(p)
    assert e.value.row == row and e.value.file == str(p)
    assert words in str(e.value)


def test_valid_quoting_is_read_as_written(tmp_path: Path) -> None:
    text = HEADER + 'a,"say ""hi"", ok",10\r\n"b","two\nlines","20"\r\n,,\r\n'
    p = write_file(tmp_path / "t.csv", b'\xef\xbb\xbf' + text.encode("utf-8"))
    frame = read_table(p)
    assert frame["number"].tolist() == ['say "hi", ok', "two\nlines", ""]
    assert frame["total"].tolist() == ["10", "20", ""]


def test_a_stray_quote_in_a_declared_single_byte_encoding_is_found(tmp_path: Path) -> None:
    p = write_file(tmp_path / "t.csv", (HEADER + 'a,Müller,10\nb,Gr"oß,20\n').encode("cp1252"))
    with pytest.raises(InputError, match="malformed quote") as e:
        read_table(p, encoding="cp1252")
    assert e.value.row == 3


def test_an_xlsx_formula_without_a_saved_result_is_refused_not_read_as_blank(tmp_path: Path) -> None:
    src = write_file(tmp_path / "t.csv", HEADER + "a,1,10\nb,2,20\n")
    xlsx = h.csv_to_xlsx(src, {(3, "total"): "=10+10"})
    with pytest.raises(InputError, match="formula without a saved result") as e:
        read_table(xlsx)
    assert (e.value.row, e.value.column, e.value.got) == (3, "total", "=10+10")
    h.save_formula_results(xlsx, {"C3": "20"})
    assert read_table(xlsx)["total"].tolist() == ["10", "20"]


@pytest.mark.parametrize("text,ok", [
    ("999999999999999999.99", True),  # 18 digits before the point
    ("1000000000000000000", False),
    ("1" * 40, False),
    ("1e309", False),
    ("-1E+18", False),
    ("1E+3", True),
    ("0.000000000000000000000000000000001", True),
])
def test_amounts_beyond_18_digits_are_refused(text: str, ok: bool) -> None:
    where = Where("f.csv", "total")
    s = pd.Series(["1.00", text])
    if ok:
        assert decimals(s, where)[1] == Decimal(text)
    else:
        with pytest.raises(InputError, match="number too large") as e:
            decimals(s, where)
        assert (e.value.row, e.value.column) == (3, "total")


INVOICES = ("id,number,customerId,currencyCode,totalAmountIncludingTax,remainingAmount,status{extra}\n"
            "g1,PSI-1,c1,EUR,100.00,0.00,Paid{value}\n")


def _erp(tmp_path: Path, invoices: str, objects: str = "[erp.objects.invoices]\n",
         system: str = "business_central") -> Path:
    return write_run(tmp_path, {"erp/salesInvoices.csv": invoices}, erp=files_side("erp", system, objects),
                     as_of=None)


def test_a_missing_due_date_column_is_refused_naming_it(tmp_path: Path) -> None:
    cfg = _erp(tmp_path, INVOICES.format(extra="", value=""))
    with pytest.raises(InputError, match="compared record by record") as e:
        open_source("erp", config_mod.load(cfg)).pull()
    assert (e.value.column, e.value.row) == ("dueDate", 1) and "[erp.objects.invoices.fields]" in str(e.value)
    cfg = _erp(tmp_path, INVOICES.format(extra=",Fällig", value=",2026-11-30"),
               '[erp.objects.invoices]\n[erp.objects.invoices.fields]\ndue_date = "Fällig"\n')
    frame = open_source("erp", config_mod.load(cfg)).pull().frames["invoices"]
    assert [str(d) for d in frame["due_date"]] == ["2026-11-30"]


def test_columns_differing_only_in_case_are_refused_naming_both(tmp_path: Path) -> None:
    cfg = _erp(tmp_path, INVOICES.format(extra=",dueDate,DUEDATE", value=",2026-11-30,2026-12-31"))
    with pytest.raises(InputError, match="'dueDate' and 'DUEDATE' differ only in case") as e:
        open_source("erp", config_mod.load(cfg)).pull()
    assert "invoices.due_date" in str(e.value)
    # a case twin of a column the mapping does not read is harmless
    cfg = _erp(tmp_path, INVOICES.format(extra=",dueDate,Note,NOTE", value=",2026-11-30,a,b"))
    assert len(open_source("erp", config_mod.load(cfg)).pull().frames["invoices"]) == 1


def test_an_unknown_system_is_named_with_the_known_ones(tmp_path: Path) -> None:
    cfg = _erp(tmp_path, INVOICES.format(extra=",dueDate", value=",2026-11-30"), system="sap")
    with pytest.raises(ConfigError) as e:
        open_source("erp", config_mod.load(cfg))
    text = str(e.value)
    assert "system = 'sap' is not a system the files connector knows" in text
    assert "business_central" in text and "odoo" in text and "status_fields" not in text
