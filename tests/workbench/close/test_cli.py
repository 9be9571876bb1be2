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


def test_evidence_and_assignment_bad_input_is_one_line_exit_2_and_nothing_written(db, tmp_path, capsys):
    from workbench.store.schema import Attachment, AuditEvent, Comment, ExceptionRow

    st = open_store(db)
    with st.session() as s:
        exc_id = s.query(ExceptionRow).order_by(ExceptionRow.id).first().id
        events = s.query(AuditEvent).count()
    cases = [
        (["exceptions", "attach", "--id", str(exc_id), "--file", str(tmp_path / "missing.pdf")],
         "missing.pdf: not a readable file"),
        (["exceptions", "attach", "--id", str(exc_id), "--file", str(tmp_path)], "not a readable file"),
        (["exceptions", "comment", "--id", "999999", "--text", "hello"], "exception 999999 does not exist"),
        (["exceptions", "comment", "--id", str(exc_id), "--text", "   "], "a comment needs text"),
        (["exceptions", "assign", "--id", "12,x", "--to", "carol"], "expected exception ids such as 12 or 12,13"),
        (["close", "materiality", "--period", "2026-10", "--severity", "urgent=5"], "SEVERITY=AMOUNT"),
        (["close", "materiality", "--period", "2026-10", "--absolute", "50"], "load it first"),
    ]
    for args, message in cases:
        assert main([*args, "--user", "ann", "--db", db]) == 2, args
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, (args, err)
        assert "missing.pdf: " not in err.split("missing.pdf: ", 1)[-1], err  # the file named once, not twice
    with st.session() as s:
        assert s.query(AuditEvent).count() == events
        assert s.query(Comment).count() == 0 and s.query(Attachment).count() == 0
    st.dispose()


def test_assign_comment_and_evidence_listing(db, tmp_path, capsys):
    from workbench.store.schema import ExceptionRow

    st = open_store(db)
    with st.session() as s:
        ids = [e.id for e in s.query(ExceptionRow).order_by(ExceptionRow.id).limit(2)]
    assert main(["exceptions", "assign", "--id", f"{ids[0]},{ids[1]}", "--to", "carol", "--user", "ann",
                 "--db", db]) == 0
    assert "exception(s) assigned to carol" in capsys.readouterr().out
    with st.session() as s:
        assert {s.get(ExceptionRow, i).assignee for i in ids} == {"carol"}
    assert main(["exceptions", "comment", "--id", str(ids[0]), "--text", "asked AR for the remittance",
                 "--user", "ann", "--db", db]) == 0
    capsys.readouterr()
    assert main(["exceptions", "evidence", "--id", str(ids[0]), "--db", db]) == 0
    assert "ann: asked AR for the remittance" in capsys.readouterr().out
    st.dispose()


def test_status_lists_severities_most_severe_first_and_amounts_grouped_with_their_currency(db, capsys):
    assert main(["close", "status", "--period", "2026-10", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "open items: 1 critical, 1 high, 2 low\n" in out
    assert "at risk: 100.00 EUR\n" in out and "at risk: 1,500 JPY\n" in out
