"""A critical item carried forward from a certified period is worked on in the next one: comments and files
on it there are accepted, while the certified period's own finding stays locked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.workbench.export.test_workbook import make_run
from workbench.close import signoff as close
from workbench.close.evidence import add_comment, attach, comments
from workbench.close.lock import PeriodLocked
from workbench.store.schema import ExceptionRow, Run



def test_a_carried_forward_item_takes_evidence_in_the_next_period(store, tmp_path: Path):
    october = make_run(store)
    with store.session() as s:
        carried = next(e for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == october)).scalars()
                       if e.severity == "critical")
        key, october_item = carried.key, carried.id
    close.signoff(store, "2026-10", "ann")
    close.carry_forward(store, "2026-10", key, "ann", "the customer disputes it; followed up in November")
    close.certify(store, "2026-10", "bob")
    november = make_run(store)  # the same finding, found again by November's run
    with store.session() as s:
        s.execute(update(Run).where(Run.id == november).values(period="2026-11"))
        item = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == november, ExceptionRow.key == key)
                         ).scalar_one()
    add_comment(store, item, "ann", "credit note agreed with the customer")
    scan = tmp_path / "credit-note.pdf"
    scan.write_bytes(b"%PDF-1.4 credit note\n")
    assert attach(store, item, "ann", scan).file_name == "credit-note.pdf"
    with store.session() as s:
        assert [c.text for c in comments(s, key)] == ["credit note agreed with the customer"]
    with pytest.raises(PeriodLocked, match="period 2026-10 is certified by bob"):
        add_comment(store, october_item, "ann", "added to October after its certification")

