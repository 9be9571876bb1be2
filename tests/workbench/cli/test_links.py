"""`workbench links`: a run's customer links with method, confidence and evidence, suggestions apart."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import config as config_mod
from workbench.pipeline import execute_run
from workbench.sandbox import scenario
from workbench.store.db import open_store

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("links")
    d = scenario.generate(5, 120, base / "scen", invoices_per_customer=2)
    url = f"sqlite:///{base / 'store.sqlite3'}"
    store = open_store(url)
    run_id = execute_run(config_mod.load(d / "run.toml"), store, user="ann").run_id
    store.dispose()
    return url, run_id, scenario.load(d).truth


def links_cmd(*args):
    return subprocess.run([WORKBENCH, "links", *args], capture_output=True, text=True, timeout=120)


def test_json_lists_every_link_with_method_confidence_and_evidence(stored_run):
    url, run_id, truth = stored_run
    p = links_cmd("--db", url, "--format", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["run"] == run_id
    pairs = {(r["crm_id"], r["erp_id"]) for r in data["links"]}
    assert pairs == {tuple(x) for x in truth["links"]}
    methods = {r["method"] for r in data["links"]}
    assert {"xref_crm", "tax_id"} <= methods
    by_tax = next(r for r in data["links"] if r["method"] == "tax_id")
    assert by_tax["evidence"]["tax_id"] is True and 0.9 <= by_tax["confidence"] <= 1
    assert isinstance(data["suggested"], list)


def test_csv_and_table(stored_run):
    url, run_id, truth = stored_run
    p = links_cmd("--db", url, "--run", str(run_id), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(rows) >= len(truth["links"]) and set(rows[0]) == {"crm_id", "erp_id", "method", "confidence",
                                                                  "status", "evidence"}
    assert json.loads(rows[0]["evidence"])["score"] > 0
    t = links_cmd("--db", url)
    assert t.returncode == 0
    assert f"Run {run_id}: {len(truth['links']):,} customer links" in t.stdout
    assert "Suggested links to confirm:" in t.stdout


def test_unknown_run_is_one_line_exit_2(stored_run):
    url, run_id, truth = stored_run
    p = links_cmd("--db", url, "--run", "999")
    assert p.returncode == 2 and "no run 999" in p.stderr and "Traceback" not in p.stderr
