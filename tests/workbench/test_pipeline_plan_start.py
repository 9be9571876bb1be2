"""A re-run asks each system for what changed since the previous run's start. It never asks from a start nothing
vouches for: a run without its completed event, a stored start edited outside the workbench (a later one hides
every change in between), or a start later than now. Each is a full pull that says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from workbench import config as config_mod
from workbench.corrections.proof import check_store
from workbench.pipeline import execute_run, plan_pulls
from workbench.sandbox.scenario import generate
from workbench.store import repo
from workbench.store.coverage import start_problems
from workbench.store.db import open_store


@pytest.fixture()
def ran(tmp_path):
    config = config_mod.load(generate(3, 15, tmp_path / "s", invoices_per_customer=2) / "run.toml")
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    run_id = execute_run(config, store, user="ann").run_id
    assert plan_pulls(config, store).previous_run == run_id  # untouched: the re-run builds on it
    yield config, store, run_id
    store.dispose()


def test_a_stored_start_edited_later_is_not_asked_from(ran):
    config, store, run_id = ran
    with store.session() as s:
        s.execute(text("UPDATE runs SET started_at = :t WHERE id = :r"),
                  {"t": datetime.now(UTC) + timedelta(hours=2), "r": run_id})
        s.commit()
    with store.session() as s:
        proof = check_store(s)
    assert any(p.startswith(f"run {run_id}: the table says it started ") and "the trail proves" in p
               for p in proof.problems), proof.problems  # `workbench audit verify` says so too
    plan = plan_pulls(config, store)
    assert plan.previous_run is None and f"run {run_id}: its stored start" in plan.why_full
    assert "is not the one its run event records" in plan.why_full and "edited outside the workbench" in plan.why_full
    summary = execute_run(config, store, user="ann").summary
    assert (summary["pulls"]["erp"]["mode"], summary["pulls"]["erp"]["why"]) == ("full", plan.why_full)


def test_a_run_whose_completed_event_is_gone_is_not_built_on(ran):
    config, store, run_id = ran
    with store.session() as s:
        s.execute(text("DELETE FROM audit_events WHERE run_id = :r AND action = 'run.completed'"), {"r": run_id})
        s.commit()
    plan = plan_pulls(config, store)
    assert plan.previous_run is None
    assert plan.why_full == (f"run {run_id} has no completed event in the audit trail: nothing vouches for its "
                             f"stored data")


def test_a_start_later_than_now_is_not_asked_from(ran):
    _, store, run_id = ran
    started = repo.load_run(store, run_id)["started_at"]
    started = started if started.tzinfo else started.replace(tzinfo=UTC)
    with store.session() as s:
        assert start_problems(s, run_id, started, started + timedelta(seconds=1)) == []
        (said,) = start_problems(s, run_id, started, started - timedelta(minutes=10))
    assert said.startswith(f"run {run_id} started at") and "later than now" in said
