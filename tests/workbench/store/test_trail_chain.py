"""The audit trail: any edit, deletion, insertion or reordering is found and named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.store import trail
from workbench.cli import main
from workbench.corrections import service
from datetime import UTC


@pytest.fixture
def trail_store(store):
    """Five real events: a proposal, its approval, a second proposal and a rejection."""
    run = add_run(store)
    a = service.propose(store, add_exception(store, run), "bob")
    service.approve(store, [a], "ann", reason="matches the remittance")
    b = service.propose(store, add_exception(store, run, crm_id="a0B000000000002AAA", erp_id="INV-2"), "bob")
    service.reject(store, [b], "ann", "ERP is wrong here")
    with store.session() as s:
        assert trail.verify(s).ok
        assert trail.change_counter(s) >= 5
    return store


def _verify(store):
    with store.session() as s:
        return trail.verify(s)


def _sql(store, statement: str, **params) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_edited_event_is_named(trail_store):
    with trail_store.engine.connect() as conn:
        detail = json.loads(conn.execute(text("SELECT detail FROM audit_events WHERE id = 3")).scalar())
    detail["after"] = "0.00"  # someone "fixes" the approved value after the fact
    _sql(trail_store, "UPDATE audit_events SET detail = :d WHERE id = 3", d=json.dumps(detail))
    res = _verify(trail_store)
    assert not res.ok and res.first_bad_id == 3 and "altered" in res.reason


def test_a_changed_actor_is_named(trail_store):
    _sql(trail_store, "UPDATE audit_events SET actor = 'bob' WHERE action = 'correction.approved'")
    res = _verify(trail_store)
    assert not res.ok and "altered" in res.reason and "by bob" in res.reason


def test_a_deleted_event_is_named(trail_store):
    _sql(trail_store, "DELETE FROM audit_events WHERE id = 2")
    res = _verify(trail_store)
    assert not res.ok and res.first_bad_id == 3 and "event 2 is missing" in res.reason


def test_an_inserted_event_is_named(trail_store):
    # make room after event 2 and slip in a well-formed event that chains onto event 2
    _sql(trail_store, "UPDATE audit_events SET id = id + 100 WHERE id > 2")
    _sql(trail_store, "UPDATE audit_events SET id = id - 99 WHERE id > 100")
    with trail_store.engine.connect() as conn:
        prev = conn.execute(text("SELECT hash FROM audit_events WHERE id = 2")).scalar()
    from datetime import datetime
    at = datetime.now(UTC)
    h = trail.event_hash(prev, 3, at, "mallory", "correction.approved", "correction", "1", None, None)
    _sql(trail_store, "INSERT INTO audit_events (id, at, actor, action, entity_type, entity_id, run_id, detail, "
                      "prev_hash, hash) VALUES (3, :at, 'mallory', 'correction.approved', 'correction', '1', NULL, "
                      "NULL, :prev, :h)", at=at.replace(tzinfo=None), prev=prev, h=h)
    res = _verify(trail_store)
    assert not res.ok and res.first_bad_id == 4


def test_reordered_events_are_named(trail_store):
    _sql(trail_store, "UPDATE audit_events SET id = 1000 WHERE id = 2")
    _sql(trail_store, "UPDATE audit_events SET id = 2 WHERE id = 3")
    _sql(trail_store, "UPDATE audit_events SET id = 3 WHERE id = 1000")
    res = _verify(trail_store)
    assert not res.ok and res.first_bad_id == 2


def test_a_broken_link_to_the_previous_event_is_named(trail_store):
    with trail_store.engine.connect() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_events")).scalar()
    _sql(trail_store, "UPDATE audit_events SET prev_hash = :h WHERE id = :i", h="f" * 64, i=last)
    res = _verify(trail_store)
    assert not res.ok and res.first_bad_id == last and "does not follow" in res.reason


def test_audit_verify_command_reports_intact_and_broken(trail_store, capsys):
    url = trail_store.url
    assert main(["audit", "verify", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "audit trail intact" in out
    _sql(trail_store, "UPDATE audit_events SET action = 'correction.rejected' WHERE id = 3")
    assert main(["audit", "verify", "--db", url]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at event 3" in out and "altered" in out
