"""`workbench close ...` through the CLI: messages and exit codes a controller sees."""

from __future__ import annotations

import pytest

from tests.workbench.export.test_workbook import make_run
from workbench.cli import main
from workbench.store.db import open_store


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    st = open_store(url)
    make_run(st)
    st.dispose()
    return url


def test_status_signoff_and_a_second_signoff_by_the_preparer(db, capsys):
    assert main(["close", "status", "--period", "2026-10", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Period 2026-10: open" in out and "open items:" in out
    assert main(["close", "signoff", "--period", "2026-10", "--user", "ann", "--db", db]) == 0
    assert "signed off by ann" in capsys.readouterr().out
    assert main(["close", "signoff", "--period", "2026-10", "--user", "ann", "--db", db]) == 2
    assert "already signed off by ann" in capsys.readouterr().err
    assert main(["close", "status", "--period", "2026-10", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "signed off" in out and "signoff  by ann" in out and "since the last signoff: unchanged" in out


def test_unknown_period_and_bad_rate_table_are_refused_with_exit_2(db, tmp_path, capsys):
    assert main(["close", "signoff", "--period", "2027-01", "--user", "ann", "--db", db]) == 2
    assert "period 2027-01: no run belongs to it (known periods: 2026-10)" in capsys.readouterr().err
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\nUSD,0.92\nXYZ,1.5\n", encoding="utf-8")
    assert main(["close", "rates", "--period", "2026-10", "--file", str(rates), "--reporting-currency", "EUR",
                 "--db", db]) == 2
    err = capsys.readouterr().err
    assert "rates.csv" in err and "row 3" in err and "XYZ" in err
