"""What the audit trail proves about a correction's approval."""

from __future__ import annotations

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.corrections import lifecycle, service
from workbench.corrections.proof import approval_refusals, check_store
from workbench.model.states import CorrectionState
from workbench.store.db import open_store
from sqlalchemy import update

from workbench.store.schema import Correction


def test_an_approval_recorded_under_the_proposers_name_spelled_otherwise_is_not_proven(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        cid = service.propose(store, add_exception(store, add_run(store)), "carol")
        # an approval event written by a script through the library, its actor "Carol " rather than "carol"
        with store.session() as s:
            c = s.get(Correction, cid)
            lifecycle.transition(s, c, CorrectionState.APPROVED, actor="Carol ",
                                 detail={"preparer": "carol", "approver": "Carol "}, changes={"approver": "Carol "})
        with store.session() as s:
            why = approval_refusals(s, [s.get(Correction, cid)])[cid]
        assert "approved by Carol , who proposed it (maker-checker)" in why
    finally:
        store.dispose()


def test_a_preparers_reason_rewritten_in_the_store_is_named(tmp_path):
    """The reason the workbook's Corrections sheet shows for a proposal: edited by SQL, it passed as intact."""
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        cid = service.propose(store, add_exception(store, add_run(store)), "carol", reason="ERP credit note CN-7")
        with store.session() as s:
            assert check_store(s).problems == []
            s.execute(update(Correction).where(Correction.id == cid).values(reason="confirmed by the customer"))
        with store.session() as s:
            problems = check_store(s).problems
        assert problems == [f"correction {cid}: the table says the preparer's reason 'confirmed by the customer', "
                            "the trail proves 'ERP credit note CN-7'"]
    finally:
        store.dispose()
