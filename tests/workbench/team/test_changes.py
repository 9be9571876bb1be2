"""An open app learns what others changed without reloading everything."""

from __future__ import annotations


from workbench.store import trail
from workbench.team import concurrency as cc
from workbench.team.changes import ChangeWatcher, changed_exceptions, changes_since

from tests.workbench.team.conftest import add_run, add_team


def test_nothing_changed_means_no_refresh(any_store):
    add_team(any_store)
    add_run(any_store)
    watcher = ChangeWatcher(any_store)
    assert watcher.check() is None
    summary = changes_since(any_store, watcher.counter)
    assert not summary.changed and summary.exception_ids == [] and not summary.full_reload


def test_another_users_assignment_shows_up_as_just_that_row(any_store):
    add_team(any_store)
    run_id, ids = add_run(any_store, n=50)
    watcher = ChangeWatcher(any_store)  # ann's open app
    cc.assign(any_store, ids[7], "bob", "bob", 1)    # bob, elsewhere
    cc.start_review(any_store, ids[9], "cara", 1)    # cara, elsewhere
    summary = watcher.check()
    assert summary is not None and summary.changed
    assert summary.exception_ids == [ids[7], ids[9]]
    assert summary.actors == ["bob", "cara"] and summary.touches_run(run_id)
    assert not summary.touches_run(run_id + 1)
    rows = changed_exceptions(any_store, summary.exception_ids, run_id)
    assert list(rows["id"]) == [ids[7], ids[9]]
    assert list(rows["assignee"]) == ["bob", "cara"] and list(rows["status"]) == ["open", "in_review"]
    assert {"key", "crm_value", "version"} <= set(rows.columns)
    # seen once: the next check is quiet again
    assert watcher.check() is None


def test_a_run_completed_elsewhere_is_announced(any_store):
    watcher = ChangeWatcher(any_store)
    run_id, _ = add_run(any_store)
    with any_store.session() as s:
        trail.append(s, actor="bob", action="run.completed", entity_type="run", entity_id=run_id, run_id=run_id)
    summary = watcher.check()
    assert summary.runs == [run_id] and summary.exception_ids == []


def test_a_link_decision_elsewhere_is_announced(any_store):
    from workbench.review.links import confirm_link
    add_team(any_store)
    add_run(any_store)
    watcher = ChangeWatcher(any_store)
    confirm_link(any_store, 1, "bob")
    summary = watcher.check()
    assert summary.link_ids == [1] and summary.exception_ids == [] and summary.actors == ["bob"]


def test_user_changes_and_database_replacement(any_store):
    watcher = ChangeWatcher(any_store)
    add_team(any_store)
    assert watcher.check().users_changed
    # a counter from the future (database restored from an older backup): reload everything
    assert changes_since(any_store, watcher.counter + 100).full_reload
