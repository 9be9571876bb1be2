"""Amounts whose decimal mark the text alone does not tell (1,234 is 1234 or 1.234), Excel's accounting zero
(a dash) and thousands groups that group nothing (0,500): each is read exactly by the declared or shown
convention, or refused naming the file, row and column; none is read a thousand times off."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.sources import open_source

HEADER = ["id", "number", "customerNumber", "invoiceDate", "dueDate", "currencyCode", "totalAmountIncludingTax",
          "remainingAmount", "status"]
CUSTOMERS = "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"


def _row(n: int, total: object, balance: object = "0") -> list[object]:
    return [f"inv-{n}", f"PSI-{n}", "C10001", "2026-10-01", "2026-10-31", "EUR", total, balance, "Open"]


def _csv(rows: list[list[object]], sep: str = ",") -> str:
    def cell(v: object) -> str:
        t = str(v)
        return '"' + t.replace('"', '""') + '"' if sep in t or '"' in t else t
    return "".join(sep.join(cell(v) for v in r) + "\n" for r in [HEADER, *rows])


def _read(tmp_path: Path, rows: list[list[object]], settings: str = "", sep: str = ",",
          xlsx: bool = False) -> list[tuple[Decimal, Decimal]] | InputError:
    write_file(tmp_path / "erp/customers.csv", CUSTOMERS)
    name = "salesInvoices.xlsx" if xlsx else "salesInvoices.csv"
    if xlsx:
        wb = openpyxl.Workbook()
        for r in [HEADER, *rows]:
            wb.active.append(r)
        wb.save(tmp_path / "erp" / name)
    else:
        write_file(tmp_path / "erp" / name, _csv(rows, sep))
    objects = f'[erp.objects.customers]\nfile = "customers.csv"\n[erp.objects.invoices]\nfile = "{name}"\n{settings}'
    src = open_source("erp", config_mod.load(write_run(tmp_path, erp=files_side("erp", "business_central",
                                                                                   objects))))
    try:
        inv = src.pull().frames["invoices"]
    except InputError as exc:
        return exc
    return list(zip(inv["total_amount"], inv["open_balance"]))


# ---- 1,234: a thousands comma or a decimal comma

@pytest.mark.parametrize("amount", ["1,234", "12,345", "(1,234)", "1.234", "100.000"])
def test_an_amount_that_reads_two_ways_is_refused_where_the_file_shows_no_decimal_mark(tmp_path: Path,
                                                                                      amount: str) -> None:
    # a file of whole amounts: 1,234 was read as 1234 (and 1.234 as 1.234), a thousand times off wherever the
    # export wrote a decimal comma (1,234 EUR for 1.234) or a thousands point (1.234 for 1234)
    err = _read(tmp_path, [_row(1, "800"), _row(2, amount)])
    assert isinstance(err, InputError)
    assert (err.row, err.column, err.got) == (3, "totalAmountIncludingTax", amount)
    assert "reads two ways" in str(err) and "decimal_comma = false" in str(err) and "decimal_comma = true" in str(err)


def test_a_decimal_point_anywhere_in_the_file_tells_that_commas_group_thousands(tmp_path: Path) -> None:
    # the open balance column shows the point (12.50); the total column's 1,234 is then 1234, its 1.234 1.234
    got = _read(tmp_path, [_row(1, "1,234", "12.50"), _row(2, "1.234", "0")])
    assert got == [(Decimal(1234), Decimal("12.50")), (Decimal("1.234"), Decimal(0))]


@pytest.mark.parametrize("setting,amounts", [("decimal_comma = false\n", [Decimal(1234), Decimal("1.234")]),
                                             ("decimal_comma = true\n", [Decimal("1.234"), Decimal(1234)])])
def test_a_declared_decimal_mark_reads_amounts_that_read_two_ways(tmp_path: Path, setting: str,
                                                                  amounts: list[Decimal]) -> None:
    got = _read(tmp_path, [_row(1, "1,234"), _row(2, "1.234")], setting, sep=";")
    assert isinstance(got, list) and [t for t, _ in got] == amounts


def test_a_workbooks_number_cells_tell_nothing_and_need_nothing(tmp_path: Path) -> None:
    # a number cell is the number it holds; only text typed as 1,234 would need the file's decimal mark
    got = _read(tmp_path, [_row(1, 1234, 1.5)], xlsx=True)
    assert got == [(Decimal(1234), Decimal("1.5"))]
    err = _read(tmp_path, [_row(1, 1234.5, 0), _row(2, "1,234", 0)], xlsx=True)
    assert isinstance(err, InputError) and (err.row, err.got) == (3, "1,234") and "reads two ways" in str(err)


def test_an_amount_written_with_a_decimal_comma_says_to_declare_it(tmp_path: Path) -> None:
    err = _read(tmp_path, [_row(1, "12.50"), _row(2, "1.234,56")])
    assert isinstance(err, InputError) and (err.row, err.got) == (3, "1.234,56")
    assert "declare decimal_comma = true" in str(err)


# ---- a thousands group after a lone 0

@pytest.mark.parametrize("amount,setting", [("0,500", ""), ("0,500", "decimal_comma = false\n"),
                                            ("0.500", "decimal_comma = true\n"),
                                            ("00.500", "decimal_comma = true\n")])
def test_a_thousands_group_after_zero_is_refused_not_read_as_five_hundred(tmp_path: Path, amount: str,
                                                                          setting: str) -> None:
    # a unit price of half a euro, 0,500, was read as 500 (and 0.500 under decimal_comma too)
    err = _read(tmp_path, [_row(1, "12.50"), _row(2, amount)], setting, sep=";")
    assert isinstance(err, InputError)
    assert (err.row, err.column, err.got) == (3, "totalAmountIncludingTax", amount)


@pytest.mark.parametrize("zero,setting", [("0,000", ""), ("0.000", "decimal_comma = true\n")])
def test_a_zero_written_with_a_group_is_zero(tmp_path: Path, zero: str, setting: str) -> None:
    # zero in every reading of its marks: not refused as a group after a lone 0
    got = _read(tmp_path, [_row(1, "12,50" if setting else "12.50", zero)], setting, sep=";")
    assert got == [(Decimal("12.50"), Decimal(0))]


def test_india_groups_lakhs_and_crores(tmp_path: Path) -> None:
    got = _read(tmp_path, [_row(1, "1,23,45,678.90", "12,34,567")])
    assert got == [(Decimal("12345678.90"), Decimal(1234567))]


# ---- Excel's accounting zero

@pytest.mark.parametrize("zero", ["-", " -   ", "  - "])
@pytest.mark.parametrize("setting", ["", "decimal_comma = true\n"])
def test_excels_accounting_dash_is_zero_in_an_amount_column(tmp_path: Path, zero: str, setting: str) -> None:
    # Comma Style shows 0 as a dash, padded to align (_-* "-"??_-); a CSV saved from Excel writes it so. It was
    # refused as 'not a number'
    got = _read(tmp_path, [_row(1, "12,50" if setting else "12.50", zero)], setting, sep=";")
    assert got == [(Decimal("12.50"), Decimal(0))]
