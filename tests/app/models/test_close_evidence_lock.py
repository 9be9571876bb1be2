"""The Close screen's evidence panel (app.models.close_evidence) is open or locked as the core decides."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.workbench.export.test_workbook import make_run
from workbench.close import signoff as close
from workbench.store.schema import ExceptionRow, Run



def test_the_evidence_panel_lets_the_carried_item_take_evidence_where_the_core_does(store):
    """The Close screen's evidence panel asked the lock with the item's key, which the certified period also
    holds: it stayed read-only for the carried item the core accepts comments on."""
    from app.models.close_evidence import load_evidence
    october = make_run(store)
    with store.session() as s:
        key = next(e.key for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == october)).scalars()
                   if e.severity == "critical")
        october_item = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == october,
                                                              ExceptionRow.key == key)).scalar_one()
    close.signoff(store, "2026-10", "ann")
    close.carry_forward(store, "2026-10", key, "ann", "disputed")
    close.certify(store, "2026-10", "bob")
    november = make_run(store)
    with store.session() as s:
        s.execute(update(Run).where(Run.id == november).values(period="2026-11"))
        item = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == november, ExceptionRow.key == key)
                         ).scalar_one()
    assert load_evidence(store, item).locked is None
    assert "certified" in (load_evidence(store, october_item).locked or "")
