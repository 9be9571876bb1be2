"""What `workbench audit verify` can prove about the close (workbench.close.proof.check_close): a close made
through the workbench is proven as it is; each close table edited outside it is named."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from tests.workbench.export.test_workbook import make_run
from workbench.close import signoff as close
from workbench.close.fx import set_rates
from workbench.close.materiality import parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.close.proof import check_close
from workbench.store.db import open_store
from workbench.store.schema import ExceptionRow

PERIOD = "2026-10"


@pytest.fixture
def closed(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'wb.db'}")
    rid = make_run(store)
    with store.session() as s:
        set_rates(s, get_period(s, PERIOD), "EUR", {"JPY": Decimal("0.0062"), "KWD": Decimal("3.0")},
                  "rates.csv sha256:ab", actor="ann")
        critical = [e.key for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars()
                    if e.severity == "critical"]
    set_materiality(store, PERIOD, "ann", parse_thresholds("50", []))
    close.signoff(store, PERIOD, "ann")
    close.carry_forward(store, PERIOD, critical[0], "ann", "disputed")
    close.certify(store, PERIOD, "bob")
    close.reopen(store, PERIOD, "bob", "late remittance")
    close.signoff(store, PERIOD, "ann")
    close.certify(store, PERIOD, "bob")
    yield store
    store.dispose()


def _problems(store) -> list[str]:
    with store.session() as s:
        return check_close(s)


def test_a_close_made_through_the_workbench_is_proven(closed):
    assert _problems(closed) == []


@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE periods SET state = 'open'", "period 2026-10: the table says open, the trail proves certified (event"),
    ("UPDATE period_signoffs SET actor = 'carol' WHERE id = 1",
     "period 2026-10: signoff record 1 says actor 'carol', the trail proves 'ann'"),
    ("DELETE FROM period_signoffs WHERE action = 'reopen'", "reopen record 3 of event"),
    ("INSERT INTO carry_forwards (period, exception_key, reason, actor, at) VALUES "
     "('2026-10', 'invoice.status_mismatch|0061|INV1|status', 'later', 'ann', '2026-11-02 10:00:00')",
     "carried-forward item 'invoice.status_mismatch|0061|INV1|status' has no event in the audit trail"),
    ("UPDATE fx_rates SET rate = '0.0070' WHERE currency = 'JPY'",
     "the FX table says JPY 0.0070, the trail proves 0.0062"),
    ("UPDATE periods SET materiality = '{\"absolute\": \"5000.00\", \"by_severity\": {}}'",
     "the table says materiality {'absolute': '5000.00', 'by_severity': {}}, the trail proves"),
])
def test_a_close_table_edited_outside_the_workbench_is_named(closed, sql, named):
    with closed.session() as s:
        s.execute(text(sql))
    problems = _problems(closed)
    assert any(named in p for p in problems), problems


def test_an_edited_frozen_snapshot_is_named(closed):
    with closed.session() as s:
        raw = json.loads(s.execute(text("SELECT snapshot FROM period_signoffs WHERE id = 1")).scalar_one())
        raw["open_by_severity"] = {"low": 1}
        s.execute(text("UPDATE period_signoffs SET snapshot = :j WHERE id = 1"), {"j": json.dumps(raw)})
    assert any("signoff record 1: its frozen snapshot no longer has its SHA-256" in p for p in _problems(closed))


def test_audit_verify_proves_the_close_too(closed):
    """check_close was not part of what `audit verify` replays: a certified period set back to open by SQL
    verified as intact."""
    from workbench.cli.corrections import read_audit
    clean = read_audit(closed).problems
    with closed.session() as s:
        s.execute(text("UPDATE periods SET state = 'open' WHERE name = '2026-10'"))
    after = read_audit(closed).problems
    new = [p for p in after if p not in clean]
    assert new and all("period 2026-10" in p for p in new), new
