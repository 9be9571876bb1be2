"""An incremental re-run killed while it is stored, as its parts are being stored (those of the kinds
nothing changed in taken by reference to the previous run's blobs) or after its exceptions, leaves the
previous run exactly as it was and no trace of itself; the next re-run builds on the previous run as if
the killed one had never started."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers.sandboxes import erp_sandbox, salesforce_org
from tests.workbench.store.test_save_interrupted import WAIT_S, StopWhileSaving, _state_of, _verifies
from workbench.config import from_dict
from workbench.pipeline import execute_run
from workbench.sandbox import erp, salesforce
from workbench.sandbox.churn import churn_business_central, churn_salesforce
from workbench.sandbox.scenario import generate, load
from workbench.store import coverage, repo, snapshots
from workbench.store.db import open_store


@pytest.fixture(scope="module")
def scen(tmp_path_factory) -> Path:
    return generate(11, 60, tmp_path_factory.mktemp("scn") / "s", invoices_per_customer=6)


@pytest.fixture(scope="module")
def box(scen):
    yield from erp_sandbox("business-central", scenario_dir=scen)


@pytest.fixture(scope="module")
def org(scen, tmp_path_factory):
    yield from salesforce_org(load(scen).crm, tmp_path_factory.mktemp("sf"))


@pytest.fixture(scope="module")
def raw_config(scen, org, box) -> dict:
    raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
    raw["crm"] = salesforce.demo_config(org)  # secrets in environment variables, which the child inherits
    raw["crm"]["salesforce"].update(query_mode="rest", batch_size=200)
    raw["erp"] = erp.demo_config(box, page_size=50)
    return raw


CHILD = """
import json, sys
from pathlib import Path
from workbench.config import from_dict
from workbench.pipeline import execute_run
from workbench.store.db import open_store
from tests.workbench.store.test_save_interrupted import AnnounceWhileSaving

raw = json.loads(sys.argv[2])
config = from_dict(raw, path=Path(raw.pop("_path")))
execute_run(config, open_store(sys.argv[1]), user="ann", state=AnnounceWhileSaving())
"""


def _kill_while_storing(url: str, raw: dict, path: Path, at: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, json.dumps({**raw, "_path": str(path)}), str(at)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ),
                             cwd=Path(__file__).resolve().parents[3])
    try:
        sel = selectors.DefaultSelector()
        sel.register(child.stdout, selectors.EVENT_READ)
        assert sel.select(WAIT_S), "the re-run never reached its save"
        assert child.stdout.readline().strip() == "storing"
    finally:
        child.kill()
        child.wait(WAIT_S)


def _shared(store, run_id: int, earlier: int) -> set[tuple[str, str, str]]:
    """The run's parts stored under the same SHA-256 as the earlier run's: (side, part, sha256)."""
    with store.session() as s:
        got = [{(p[0], p[1], p[3]) for p in snapshots.part_hashes(s, r)} for r in (run_id, earlier)]
    return got[0] & got[1]


@pytest.mark.parametrize("where", ["first snapshot part", "after the exceptions"])
def test_an_incremental_re_run_killed_while_it_is_stored_leaves_the_previous_run_whole(
        tmp_path, scen, org, box, raw_config, where):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    config = from_dict(raw_config, path=scen / "run.toml")
    first = execute_run(config, store, user="ann").run_id
    churn_salesforce(org, share=0.05)
    churn_business_central(box, share=0.05)
    # how many checks a re-run's save makes, on a copy of the store (the sandboxes' data is not changed by a run)
    store.dispose()
    shutil.copy(tmp_path / "store.sqlite3", tmp_path / "probe.sqlite3")
    probe_store = open_store(f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    counting = StopWhileSaving()
    probe = execute_run(config, probe_store, user="ann", state=counting)
    assert {side: p["mode"] for side, p in probe.summary["pulls"].items()} == {"crm": "incremental",
                                                                               "erp": "incremental"}
    by_reference = _shared(probe_store, probe.run_id, first)
    assert any(name.startswith("raw:") for _, name, _ in by_reference)  # the path under test: parts by reference
    probe_store.dispose()
    store = open_store(url)
    before = _state_of(store)
    _kill_while_storing(url, raw_config, scen / "run.toml", 1 if where == "first snapshot part" else counting.checks)
    assert _state_of(store) == before
    assert [r["status"] for r in repo.list_runs(store)] == ["completed"]  # killed: not even a failed row
    # the next re-run builds on the first run, and takes from it what the probe took
    again = execute_run(config, store, user="ann")
    assert {side: p["previous_run"] for side, p in again.summary["pulls"].items()} == {"crm": first, "erp": first}
    assert _shared(store, again.run_id, first) == by_reference
    with store.session() as s:
        assert coverage.snapshot_problems(s, again.run_id) == []
    assert _verifies(url)
    store.dispose()
