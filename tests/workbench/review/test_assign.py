"""Assigning exceptions: who gets them, one audit event per change, nothing for no-ops."""

import pytest
from sqlalchemy import select

from tests.app.conftest import seed_run
from workbench.errors import InputError, PermissionDenied
from workbench.review.assign import assign
from workbench.store.schema import AuditEvent, ExceptionRow
from workbench.team.users import add_user


def _rows(store):
    with store.session() as s:
        return {r.id: r for r in s.execute(select(ExceptionRow)).scalars()}


def test_assign_and_unassign_with_an_event_per_exception_changed(store):
    seed_run(store)
    ids = sorted(_rows(store))[:3]
    assert assign(store, ids, "alice", "carol") == ids
    assert assign(store, ids, "alice", "carol") == []  # already theirs: no change, no event
    rows = _rows(store)
    assert {rows[i].assignee for i in ids} == {"carol"}
    assert assign(store, ids[:1], "alice", "") == ids[:1]
    assert _rows(store)[ids[0]].assignee is None
    with store.session() as s:
        evs = s.execute(select(AuditEvent).where(AuditEvent.action == "exception.assigned")).scalars().all()
    assert len(evs) == 4
    assert evs[-1].detail == {"key": rows[ids[0]].key, "assignee_before": "carol", "assignee_after": None,
                              "version": 3}


def test_unknown_exception_or_missing_role_changes_nothing(store):
    seed_run(store)
    with pytest.raises(InputError, match="exception 777 does not exist"):
        assign(store, [1, 777], "alice", "carol")
    with store.session() as s:
        add_user(s, "ann", ["auditor"])
    with pytest.raises(PermissionDenied):
        assign(store, [1], "ann", "carol")
    assert all(r.assignee in (None, "bob") for r in _rows(store).values())


def test_a_big_selection_is_read_in_chunks_and_assigned_in_one_transaction(store, monkeypatch):
    from workbench.store import chunks
    monkeypatch.setattr(chunks, "IN_LIST_SIZE", 2)  # five exceptions: three IN lists
    seed_run(store)
    ids = sorted(_rows(store))
    assert assign(store, ids, "alice", "carol") == ids
    assert {r.assignee for r in _rows(store).values()} == {"carol"}
    with pytest.raises(InputError, match="exception 999 does not exist"):
        assign(store, ids + [999], "alice", "dave")
    assert {r.assignee for r in _rows(store).values()} == {"carol"}  # all or nothing
