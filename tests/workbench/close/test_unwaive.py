"""An automatic (materiality) waiver is reversible by hand: `workbench close unwaive` reopens the one item
with the reason, no later run waives it by rule again, and the audit trail proves the change."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.workbench.export.test_workbook import _exc, default_exceptions, make_run
from workbench.cli import main
from workbench.close import signoff as close
from workbench.close.fx import set_rates
from workbench.close.materiality import AUTO_LIFTED, auto_waive, parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.corrections.proof import check_store
from workbench.store.schema import AuditEvent, ExceptionRow

PERIOD = "2026-10"




def _row(store, eid: int) -> ExceptionRow:
    with store.session() as s:
        row = s.get(ExceptionRow, eid)
        s.expunge(row)
        return row


def test_an_automatic_waiver_is_undone_by_hand_with_its_reason(store, url, capsys):
    rid = make_run(store, exceptions=default_exceptions() + [_exc(6, severity="low", amount_at_risk=Decimal("20")),
                                                   _exc(7, severity="low", amount_at_risk=Decimal("10"))])
    with store.session() as s:
        set_rates(s, get_period(s, PERIOD), "EUR", {"JPY": Decimal("0.0062"), "KWD": Decimal(3)}, "r.csv sha256:0")
    set_materiality(store, PERIOD, "ann", parse_thresholds("50", []))
    auto_waive(store, rid, "ann")
    with store.session() as s:
        eid = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == rid, ExceptionRow.key.contains("|0066|"))
                        ).scalar_one()
        human = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == rid, ExceptionRow.key.contains("|0063|"))
                          ).scalar_one()
    assert _row(store, eid).status == "waived"
    with store.session() as s:
        before = set(check_store(s).problems)

    args = ["close", "unwaive", "--period", PERIOD, "--db", url, "--user", "bob"]
    assert main([*args, "--id", str(eid), "--reason", "the customer disputes this line"]) == 0
    assert "its automatic waiver is undone" in capsys.readouterr().out
    row = _row(store, eid)
    assert (row.status, row.resolution) == ("reopened", "auto-waiver undone by bob: the customer disputes this line")
    auto_waive(store, rid, "ann")  # the next application of the thresholds leaves it alone
    assert _row(store, eid).status == "reopened"
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == AUTO_LIFTED)).scalar_one()
        assert (ev.actor, ev.entity_id, ev.detail["status_after"]) == ("bob", str(eid), "reopened")
        assert set(check_store(s).problems) == before  # audit verify proves the reopened status and its reason

    # A waiver a person gave is theirs: not undone here. A certified period refuses.
    assert main([*args, "--id", str(human), "--reason", "x"]) == 2
    assert "not waived as immaterial by rule" in capsys.readouterr().err
    assert main(["close", "unwaive", "--period", "2026-11", "--db", url, "--user", "bob", "--id", str(eid),
                 "--reason", "x"]) == 2
    assert "belongs to period 2026-10, not 2026-11" in capsys.readouterr().err
    with store.session() as s:
        other = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == rid, ExceptionRow.status == "waived",
                                                        ExceptionRow.resolution.startswith("auto-waived"))
                          ).scalars().first()
        critical = [e.key for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars()
                    if e.severity == "critical" and e.status in close.OPEN_STATUSES]
    for key in critical:
        close.carry_forward(store, PERIOD, key, "ann", "disputed")
    close.signoff(store, PERIOD, "ann")
    close.certify(store, PERIOD, "carol")
    assert main([*args, "--id", str(other), "--reason", "x"]) == 2
    assert "period 2026-10 is certified by carol" in capsys.readouterr().err
