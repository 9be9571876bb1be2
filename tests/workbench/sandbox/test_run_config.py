"""``workbench sandbox salesforce|erp --run-config FILE``: both sandboxes started together point one run
config at themselves, each its own side, and `workbench run` reads them, the second time incrementally."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from workbench.sandbox.scenario import generate

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def _serve(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([WORKBENCH, "sandbox", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_two_sandboxes_point_one_run_config_at_themselves_and_a_re_run_is_incremental(tmp_path):
    scen = generate(4, 25, tmp_path / "scen", invoices_per_customer=3)
    config = tmp_path / "elsewhere" / "sandboxes.toml"
    config.parent.mkdir()
    erp = _serve("erp", "--flavor", "business-central", "--scenario", str(scen), "--run-config", str(config))
    crm = _serve("salesforce", "--scenario", str(scen), "--run-config", str(config))
    try:
        for box in (erp, crm):
            assert box.stdout is not None
            json.loads(box.stdout.readline())  # ready
        assert erp.stderr is not None and crm.stderr is not None
        said = erp.stderr.readline() + erp.stderr.readline()
        assert "[erp] points at this sandbox" in said
        assert "[crm] points at this sandbox" in crm.stderr.readline()
        env_line = said.strip().splitlines()[-1].strip().removeprefix("export ")
        name, _, value = env_line.partition("=")
        raw = tomllib.loads(config.read_text(encoding="utf-8"))
        assert raw["crm"]["connector"] == "salesforce" and raw["erp"]["connector"] == "business_central"
        assert value.strip("'") not in config.read_text(encoding="utf-8")  # the secret is named, never written
        assert raw["run"]["as_of"] and raw["rules"]  # the scenario's own settings came along
        env = {**os.environ, name: value.strip("'")}
        db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        runs = [subprocess.run([WORKBENCH, "run", "--config", str(config), "--db", db], env=env,
                               capture_output=True, text=True, timeout=300) for _ in range(2)]
        for done in runs:
            assert done.returncode == 0, done.stderr[-2000:]
        assert "Pull CRM: full (no earlier run of this configuration)" in runs[0].stdout
        assert "Pull CRM: incremental since" in runs[1].stdout and "Pull ERP: incremental since" in runs[1].stdout
    finally:
        for box in (erp, crm):
            box.terminate()
            box.wait(timeout=60)
    assert not config.with_name(config.name + ".lock").exists()
