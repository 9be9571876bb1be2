"""An assignment or a waiver made on a run after a later run was saved from it (while that run was being
saved, or on a screen opened before) reaches the later run too, as far as it carried the state forward."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workbench import config as config_mod
from workbench.corrections.service import waive
from workbench.pipeline import execute_run
from workbench.review.assign import assign
from workbench.sandbox.scenario import generate
from workbench.store.db import open_store
from workbench.store.schema import AuditEvent, ExceptionRow


@pytest.fixture()
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def _by_key(store, run_id):
    with store.session() as s:
        return {e.key: e for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == run_id)).scalars()}


def test_a_change_to_an_earlier_run_reaches_the_later_runs_that_carried_its_state(tmp_path, store):
    config = config_mod.load(generate(3, 20, tmp_path / "s", invoices_per_customer=3) / "run.toml")
    first = execute_run(config, store, user="ann")
    second = execute_run(config, store, user="ann")  # saved from the first: same findings, same (blank) state
    old, new = _by_key(store, first.run_id), _by_key(store, second.run_id)
    keys = sorted(set(old) & set(new))[:3]
    assign(store, [new[keys[2]].id], "ann", "dave")  # changed on the later run itself: that change stands

    changed = assign(store, [old[k].id for k in keys], "ann", "carol")
    waive(store, [old[keys[0]].id], "ann", "below the audit threshold")

    new = _by_key(store, second.run_id)
    assert [new[k].assignee for k in keys] == ["carol", "carol", "dave"]
    assert new[keys[0]].status == "waived" and new[keys[0]].resolution == "below the audit threshold"
    assert new[keys[1]].status == "open"
    assert sorted(changed) == sorted([*(old[k].id for k in keys), new[keys[0]].id, new[keys[1]].id])
    with store.session() as s:
        events = s.execute(select(AuditEvent.run_id, AuditEvent.action).where(
            AuditEvent.entity_id == new[keys[0]].id, AuditEvent.entity_type == "exception")).all()
    assert sorted(events) == [(second.run_id, "exception.assigned"), (second.run_id, "exception.waived")]
