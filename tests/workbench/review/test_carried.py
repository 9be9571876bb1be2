"""An assignment or a waiver made on a run after a later run was saved from it (while that run was being
saved, or on a screen opened before) reaches the later run too, as far as it carried the state forward."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from workbench import config as config_mod
from workbench.corrections.service import waive
from workbench.pipeline import execute_run
from workbench.review.assign import assign
from workbench.sandbox.scenario import generate
from workbench.store import repo
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


@pytest.mark.postgres
def test_on_postgresql_an_assignment_made_while_the_next_run_is_saved_reaches_that_run(tmp_path, pg_store,
                                                                                     monkeypatch):
    """The save reads the previous run's state, the assignment commits, then the save commits: the new run must
    still show the assignment (before the carry lock, it kept the state it read and the assignment found no
    later run to carry to)."""
    config = config_mod.load(generate(3, 20, tmp_path / "s", invoices_per_customer=3) / "run.toml")
    first = execute_run(config, pg_store, user="ann")
    old = _by_key(pg_store, first.run_id)
    key = sorted(old)[0]
    read, go = threading.Event(), threading.Event()
    previous_state = repo._previous_state

    def paused(s, run_id):
        out = previous_state(s, run_id)
        read.set()
        assert go.wait(60), "the test never let the save go on"
        return out

    monkeypatch.setattr(repo, "_previous_state", paused)
    settled = threading.Event()  # the assignment has committed, or asks for the lock the save holds
    hold = repo._hold_carry_lock

    def holding(s, *, shared):
        if shared:
            settled.set()
        hold(s, shared=shared)

    monkeypatch.setattr(repo, "_hold_carry_lock", holding)

    def assigning_carol():
        try:
            assign(pg_store, [old[key].id], "ann", "carol")
        finally:
            settled.set()

    saved: list[int] = []
    saving = threading.Thread(target=lambda: saved.append(execute_run(config, pg_store, user="ann").run_id))
    saving.start()
    assert read.wait(120), "the second run never reached its save"
    assigning = threading.Thread(target=assigning_carol)
    assigning.start()
    assert settled.wait(60), "the assignment never got as far as the lock"
    go.set()
    saving.join(120)
    assigning.join(120)
    assert saved and not saving.is_alive() and not assigning.is_alive()
    assert _by_key(pg_store, saved[0])[key].assignee == "carol"
    assert _by_key(pg_store, first.run_id)[key].assignee == "carol"


@pytest.mark.postgres
def test_on_postgresql_an_assignment_does_not_wait_for_a_schema_upgrade_elsewhere(tmp_path, pg_store):
    """Advisory locks share one id space: the carry lock once had the upgrade's id, so an assignment (and every
    run's save) waited for as long as another instance held the upgrade lock."""
    from sqlalchemy import create_engine

    from workbench.store.advisory import UPGRADE_LOCK
    config = config_mod.load(generate(3, 20, tmp_path / "s", invoices_per_customer=3) / "run.toml")
    run = execute_run(config, pg_store, user="ann")
    first = sorted(_by_key(pg_store, run.run_id).values(), key=lambda e: e.id)[0]
    upgrade = create_engine(pg_store.url)
    with upgrade.connect() as conn:
        conn.execute(text(f"SELECT pg_advisory_lock({UPGRADE_LOCK})"))
        try:
            done = threading.Thread(target=assign, args=(pg_store, [first.id], "ann", "carol"))
            done.start()
            done.join(60)
            assert not done.is_alive(), "the assignment waited for the upgrade lock"
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock({UPGRADE_LOCK})"))
    upgrade.dispose()
    assert _by_key(pg_store, run.run_id)[first.key].assignee == "carol"


def test_a_run_of_another_reconciliation_in_between_does_not_drop_this_one_s_waivers_and_assignments(tmp_path,
                                                                                                       store):
    """One store, two reconciliations (say two entities) whose runs alternate: each run takes its findings' state
    from the previous run that read the same sources, not from the other reconciliation's run saved in between."""
    entity_a = config_mod.load(generate(3, 20, tmp_path / "a", invoices_per_customer=3) / "run.toml")
    entity_b = config_mod.load(generate(4, 20, tmp_path / "b", invoices_per_customer=3) / "run.toml")
    first = execute_run(entity_a, store, user="ann")
    old = _by_key(store, first.run_id)
    keys = sorted(old)[:2]
    waive(store, [old[keys[0]].id], "ann", "accepted difference")
    assign(store, [old[keys[1]].id], "ann", "bob")
    other = execute_run(entity_b, store, user="ann")
    assert not set(keys) & set(_by_key(store, other.run_id))  # the other entity's findings are its own
    again = _by_key(store, execute_run(entity_a, store, user="ann").run_id)
    assert again[keys[0]].status == "waived" and again[keys[0]].resolution == "accepted difference"
    assert again[keys[1]].assignee == "bob"
    assert again[keys[0]].first_seen == old[keys[0]].first_seen
    # a later change to the first run's finding reaches the third run, which carried it, past the other entity's
    assign(store, [old[keys[1]].id], "ann", "carol")
    assert _by_key(store, max(r["id"] for r in repo.list_runs(store)))[keys[1]].assignee == "carol"


def test_a_reconciliation_whose_sources_changed_still_carries_the_latest_run_s_state(tmp_path, store):
    """A month's extracts in a new folder are new sources: with no earlier run of them, the latest run's state
    is carried, as before."""
    scen = generate(3, 20, tmp_path / "s", invoices_per_customer=3)
    config = config_mod.load(scen / "run.toml")
    first = execute_run(config, store, user="ann")
    old = _by_key(store, first.run_id)
    key = sorted(old)[0]
    waive(store, [old[key].id], "ann", "accepted difference")
    (scen / "erp").rename(scen / "erp-november")
    toml = (scen / "run.toml").read_text(encoding="utf-8")
    assert 'dir = "erp"' in toml
    (scen / "run.toml").write_text(toml.replace('dir = "erp"', 'dir = "erp-november"'), encoding="utf-8")
    again = _by_key(store, execute_run(config_mod.load(scen / "run.toml"), store, user="ann").run_id)
    assert again[key].status == "waived"


def test_two_entities_and_a_new_month_folder_keep_each_entity_s_own_state(tmp_path, store):
    """Entity A's first run on next month's folder has no earlier run of the same sides: it takes the state of A's
    last run (the same name), not that of entity B's run saved in between."""
    scen_a = generate(3, 20, tmp_path / "a", invoices_per_customer=3)
    entity_a = config_mod.load(scen_a / "run.toml")
    entity_b = config_mod.load(generate(4, 20, tmp_path / "b", invoices_per_customer=3) / "run.toml")
    assert entity_a.name != entity_b.name
    first = execute_run(entity_a, store, user="ann")
    old = _by_key(store, first.run_id)
    key = sorted(old)[0]
    waive(store, [old[key].id], "ann", "accepted difference")
    execute_run(entity_b, store, user="ann")
    (scen_a / "erp").rename(scen_a / "erp-november")
    toml = (scen_a / "run.toml").read_text(encoding="utf-8")
    (scen_a / "run.toml").write_text(toml.replace('dir = "erp"', 'dir = "erp-november"'), encoding="utf-8")
    again = _by_key(store, execute_run(config_mod.load(scen_a / "run.toml"), store, user="ann").run_id)
    assert again[key].status == "waived"


def test_a_change_reaches_every_run_that_carried_it_when_runs_branch(tmp_path, store):
    """Run 1 (A), run 2 (B's first run, saved from run 1 as the latest), run 3 (A, saved from run 1): an assignment
    made on run 1 afterwards reaches both, A's latest run included."""
    scen = generate(3, 20, tmp_path / "s", invoices_per_customer=3)
    entity_a = config_mod.load(scen / "run.toml")
    raw = dict(entity_a.raw)
    raw["run"] = {**raw.get("run", {}), "name": "entity B"}
    entity_b = config_mod.from_dict(raw, path=entity_a.path)
    first = execute_run(entity_a, store, user="ann")
    second = execute_run(entity_b, store, user="ann")
    third = execute_run(entity_a, store, user="ann")
    old = _by_key(store, first.run_id)
    key = sorted(old)[0]
    assign(store, [old[key].id], "ann", "carol")
    assert _by_key(store, third.run_id)[key].assignee == "carol"
    assert _by_key(store, second.run_id)[key].assignee == "carol"
