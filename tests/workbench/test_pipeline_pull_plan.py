"""When a re-run pulls in full, it says why: files, a failed previous run, another configuration,
--full, or ``[run] incremental = false``."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from workbench import config as config_mod
from workbench.cli import main
from workbench.pipeline import execute_run
from workbench.sandbox.scenario import generate
from workbench.store import repo
from workbench.store.db import open_store


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    return generate(3, 20, tmp_path_factory.mktemp("scen") / "s", invoices_per_customer=3)


@pytest.fixture()
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def _why(outcome, side="crm"):
    return outcome.summary["pulls"][side]


def test_files_are_read_in_full_on_a_re_run_and_the_run_says_why(scen, store):
    config = config_mod.load(scen / "run.toml")
    assert _why(execute_run(config, store, user="ann")) == {"mode": "full",
                                                            "why": "no earlier run of this configuration"}
    again = execute_run(config, store, user="ann")
    assert _why(again, "erp") == {"mode": "full", "why": "the files connector reads everything each time"}


def test_a_failed_previous_run_or_another_configuration_means_a_full_pull(scen, store):
    config = config_mod.load(scen / "run.toml")
    execute_run(config, store, user="ann")
    failed = repo.record_fail(store, config, user="ann", started_at=datetime.now(UTC), status="failed",
                              error="Salesforce query: timed out")
    assert _why(execute_run(config, store, user="ann"))["why"] == \
        f"the previous run of this configuration (run {failed}) failed"
    other = config_mod.from_dict({**config.raw, "run": {**config.raw.get("run", {}), "period": "2026-11"}},
                                 path=config.path)
    assert _why(execute_run(other, store, user="ann"))["why"] == "no earlier run of this configuration"
    off = config_mod.from_dict({**config.raw, "run": {**config.raw.get("run", {}), "incremental": False}},
                               path=config.path)
    assert _why(execute_run(off, store, user="ann"))["why"] == "[run] incremental = false in the config"


def test_run_full_on_the_command_line_says_so(scen, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["run", "--config", str(scen / "run.toml"), "--db", db, "--user", "ann", "--full"]) == 0
    out = capsys.readouterr().out
    assert "Pull CRM: full (a full pull was asked for (--full))" in out
    assert "Pull ERP: full (a full pull was asked for (--full))" in out
