"""Review of Excel's delimiter line in the FX rate table: files the files connector reads that the rate table
refuses or crashes on. Each test fails on the code reviewed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.workbench.export.test_workbook import make_run
from workbench.cli import main
from workbench.close.fx import read_rates_file
from workbench.store.db import open_store

RATES = {"USD": Decimal("0.92"), "GBP": Decimal("1.17")}


@pytest.mark.parametrize("content", [b"sep=;\rcurrency;rate\rUSD;0.92\rGBP;1.17\r",
                                     b"currency,rate\rUSD,0.92\rGBP,1.17\r"])
def test_a_rate_table_with_classic_mac_line_endings_is_read(tmp_path: Path, content: bytes) -> None:
    """sep_line accepts a line ended by CR alone (Excel for Mac's "CSV (Macintosh)"), but read_rates_file parses
    io.StringIO(text), whose default newline="\\n" hands csv.reader a line holding bare CRs: csv.Error "new-line
    character seen in unquoted field", not an InputError."""
    path = tmp_path / "rates.csv"
    path.write_bytes(content)
    rates, _ = read_rates_file(path)
    assert rates == RATES


def test_close_rates_on_a_cr_only_table_is_no_internal_error(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Through the CLI the csv.Error is 'workbench: internal error: Error: new-line character seen in unquoted
    field ...', naming neither the file nor a row."""
    db = f"sqlite:///{tmp_path / 'wb.db'}"
    st = open_store(db)
    make_run(st)
    st.dispose()
    path = tmp_path / "rates.csv"
    path.write_bytes(b"sep=;\rcurrency;rate\rUSD;0.92\rGBP;1.17\rJPY;0.0061\rKWD;2.98\r")  # the run's currencies
    code = main(["close", "rates", "--period", "2026-10", "--file", str(path), "--reporting-currency", "EUR",
                 "--db", db])
    err = capsys.readouterr().err
    assert "internal error" not in err, err
    assert code == 0, err


def test_blank_lines_between_the_sep_line_and_the_header_are_skipped_as_the_files_connector_skips_them(
        tmp_path: Path) -> None:
    """The header is recognised on row ``first`` (2 below the line) only: below a blank line it is read as a rate
    row, 'unknown currency code 'currency'' on row 3. The files connector reads the same file (blank lines above the
    header are skipped and counted)."""
    path = tmp_path / "rates.csv"
    path.write_text("sep=;\n\ncurrency;rate\nUSD;0.92\nGBP;1.17\n", encoding="utf-8")
    rates, _ = read_rates_file(path)
    assert rates == RATES
