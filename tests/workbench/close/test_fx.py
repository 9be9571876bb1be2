"""The FX rate table a controller gives: ``currency,rate`` rows, and Excel's delimiter line above them read
as the files connector reads it."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.workbench.export.test_workbook import make_run
from workbench.cli import main
from workbench.close.fx import read_rates_file
from workbench.errors import InputError
from workbench.store.db import open_store
from workbench.store.schema import FxRate

RATES = {"USD": Decimal("0.92"), "GBP": Decimal("1.17")}


@pytest.mark.parametrize("content", [
    b"sep=;\ncurrency;rate\nUSD;0.92\nGBP;1.17\n",
    b"\xef\xbb\xbfSEP=,\r\ncurrency,rate\r\nUSD,0.92\r\nGBP,1.17\r\n",
    b'"sep=;";\nUSD;0.92\nGBP;1.17\n',
    b"sep=\t\t\ncurrency\trate\nUSD\t0.92\nGBP\t1.17\n",
])
def test_a_rate_table_under_excels_delimiter_line_is_read_with_its_delimiter(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(content)
    rates, source = read_rates_file(path)
    assert rates == RATES
    assert source == f"rates.csv sha256:{hashlib.sha256(content).hexdigest()}"  # the file's bytes, line and all


def test_a_bad_row_under_the_line_names_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("sep=;\ncurrency;rate\nUSD;0.92\nXYZ;1.5\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_rates_file(path)
    assert str(e.value).startswith(f"{path}, row 4, column 'currency': unknown currency code 'XYZ'")


def test_a_decimal_comma_under_a_semicolon_line_is_refused_not_read_as_thousands(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("sep=;\ncurrency;rate\nUSD;1,085\n", encoding="utf-8")  # 1.085, never 1085
    with pytest.raises(InputError) as e:
        read_rates_file(path)
    assert str(e.value) == (f"{path}, row 3, column 'rate': rate '1,085' has a comma, which may be a decimal comma, "
                            f"expected the rate with a decimal point, such as 1.085")


@pytest.mark.parametrize("line,says", [("sep=", "names no delimiter"), ("sep=;;x", "holds more than its delimiter")])
def test_a_malformed_line_is_refused_through_the_cli_naming_line_1_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, says: str) -> None:
    db = f"sqlite:///{tmp_path / 'wb.db'}"
    st = open_store(db)
    make_run(st)
    st.dispose()
    path = tmp_path / "rates.csv"
    path.write_text(f"{line}\ncurrency;rate\nUSD;0.92\n", encoding="utf-8")
    assert main(["close", "rates", "--period", "2026-10", "--file", str(path), "--reporting-currency", "EUR",
                 "--db", db]) == 2
    err = capsys.readouterr().err
    assert f"{path}, row 1: " in err and says in err and "Traceback" not in err and err.count("\n") == 1
    st = open_store(db)
    try:
        with st.session() as s:
            assert s.execute(select(func.count()).select_from(FxRate)).scalar_one() == 0
    finally:
        st.dispose()


def test_review2_rows_below_a_cell_written_over_two_lines_are_numbered_as_records(tmp_path):
    """fx numbers rows by csv's line_num, the last physical line read: below a header cell written over two lines
    the bad rate on record 2 is reported on row 3 (row 2 before afd2b86; the files connector counts records)."""
    p = tmp_path / "rates.csv"
    p.write_bytes(b'currency,"rate\nper EUR"\nUSD,abc\n')
    with pytest.raises(InputError) as exc:
        read_rates_file(p)
    assert exc.value.row == 2
