"""``[run] overlap_minutes``: how far before the last run's start a re-run asks for changes. A batch that
began before the last run and committed after it stamps its records earlier than that start (Odoo's
``write_date`` is its transaction's start, ``cr.now()``); an overlap longer than the batch brings them in."""

from __future__ import annotations

import tomllib
from datetime import UTC, timedelta

import pytest

from tests.helpers.sandboxes import erp_sandbox, salesforce_org
from workbench.config import from_dict
from workbench.errors import ConfigError
from workbench.pipeline import execute_run
from workbench.sandbox import erp, salesforce
from workbench.sandbox.scenario import generate, load
from workbench.store import repo, snapshots
from workbench.store.db import open_store


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    return generate(7, 40, tmp_path_factory.mktemp("scen") / "s", invoices_per_customer=4)


def _config(scen, sf, box, overlap: int | None):
    raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
    raw["crm"] = salesforce.demo_config(sf)
    raw["erp"] = erp.demo_config(box)
    if overlap is not None:
        raw.setdefault("run", {})["overlap_minutes"] = overlap
    return from_dict(raw, path=scen / "run.toml")


def _committed_late(box, minutes_before, start) -> tuple[str, str]:
    """An invoice's due date changed by a batch whose transaction began ``minutes_before`` the run's start and
    committed after it: stamped then, as Odoo stamps it."""
    invoice = next(d for _, d, _ in box.store.scan("account.move") if d.get("move_type") == "out_invoice")
    stamp = (start - timedelta(minutes=minutes_before)).strftime("%Y-%m-%d %H:%M:%S")
    box.store.update("account.move", str(invoice["id"]),
                     lambda d, v: {**d, "invoice_date_due": "2031-01-31", "write_date": stamp})
    return str(invoice["id"]), stamp


@pytest.mark.parametrize("overlap, seen", [(None, False), (30, True)])
def test_a_change_stamped_before_the_last_run_is_read_when_the_overlap_reaches_it(scen, tmp_path, overlap, seen):
    for sf in salesforce_org(load(scen).crm, tmp_path / "sf"):
        for box in erp_sandbox("odoo", scenario_dir=scen):
            store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
            try:
                config = _config(scen, sf, box, overlap)
                first = execute_run(config, store, user="ann")
                started = repo.load_run(store, first.run_id)["started_at"]
                started = started if started.tzinfo else started.replace(tzinfo=UTC)
                rid, _ = _committed_late(box, 20, started)
                again = execute_run(config, store, user="ann")
                pull = again.summary["pulls"]["erp"]
                assert pull["mode"] == "incremental"
                assert pull["since"] == (started - timedelta(minutes=overlap or 5)).isoformat()
                invoices = snapshots.load_extract(store, again.run_id, "erp").frames["invoices"]
                due = invoices.set_index(invoices["record_id"].astype(str)).loc[rid, "due_date"]
                assert (str(due) == "2031-01-31") is seen  # 5 minutes do not reach a 20-minute batch; 30 do
            finally:
                store.dispose()


def test_a_re_run_asking_from_the_very_start_of_the_last_run_says_what_it_may_miss(scen, tmp_path):
    """overlap_minutes = 0 is allowed (a system known to stamp at commit), but a re-run made so says, once, in its
    summary, what it cannot see; a full pull, which asks for no changes, says nothing."""
    for sf in salesforce_org(load(scen).crm, tmp_path / "sf"):
        for box in erp_sandbox("odoo", scenario_dir=scen):
            store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
            try:
                config = _config(scen, sf, box, 0)
                first = execute_run(config, store, user="ann")
                again = execute_run(config, store, user="ann")
            finally:
                store.dispose()
    assert not [w for w in first.summary["stats"]["warnings"] if "overlap_minutes" in w]
    said = [w for w in again.summary["stats"]["warnings"] if "overlap_minutes" in w]
    assert said == ["[run] overlap_minutes = 0: the CRM and ERP changes were asked for from the previous run's very "
                    "start, so a change a system stamped as its transaction began and committed after that start was "
                    "not read. Leave the overlap at its default of 5 minutes, or set it above the longest posting "
                    "batch"]


@pytest.mark.parametrize("value", [-1, 1441, "10"])
def test_an_overlap_outside_0_to_1440_minutes_is_a_config_error_naming_it(scen, value):
    raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
    raw.setdefault("run", {})["overlap_minutes"] = value
    with pytest.raises(ConfigError, match="overlap_minutes"):
        from_dict(raw, path=scen / "run.toml")
