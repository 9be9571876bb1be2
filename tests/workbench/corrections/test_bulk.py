"""Waiving and approving a big selection a chunk at a time, with what each chunk changed."""

from sqlalchemy import select

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.store import chunks
from workbench.corrections import bulk, service
from workbench.store.schema import Correction, ExceptionRow


def test_a_big_selection_is_waived_and_approved_chunk_by_chunk(store, monkeypatch):
    monkeypatch.setattr(chunks, "IN_LIST_SIZE", 2)
    run = add_run(store)
    eids = [add_exception(store, run, crm_id=f"a0B00000000000{i}AAA", erp_id=f"INV-{i}") for i in range(5)]
    cids = [service.propose(store, e, "bob") for e in eids[:3]]
    own = service.propose(store, eids[3], "ann")  # ann's own proposal: not hers to approve
    approved = bulk.approve_for(store, eids, "ann")
    assert approved == cids
    assert approved.changes.corrections == set(cids) and approved.changes.exceptions == set(eids[:3])
    waived = bulk.waive(store, eids[3:], "ann", "below the threshold")
    assert waived == eids[3:] and waived.changes.corrections == {own}
    with store.session() as s:
        assert {e.id: e.status for e in s.execute(select(ExceptionRow)).scalars()} == {
            **dict.fromkeys(eids[:3], "in_review"), **dict.fromkeys(eids[3:], "waived")}
        assert s.get(Correction, own).state == "waived"
