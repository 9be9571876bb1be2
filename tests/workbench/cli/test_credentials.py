"""A connector's secret from the command line: `workbench credentials set` stores it where the run looks, and a
machine without a keyring (a headless Linux server) is told to use an environment variable, by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.workbench.cli.file_keyring import BACKEND, ENV
from workbench.sandbox import erp
from workbench.sandbox.scenario import generate

WORKBENCH = str(Path(sys.executable).with_name("workbench"))
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def bc_config(tmp_path_factory):
    """A run config: the CRM side from a small scenario's files, the ERP side a live Business Central sandbox,
    its client secret in no file and no variable; and that secret."""
    tmp = tmp_path_factory.mktemp("creds")
    generate(5, 10, tmp / "sc")
    handle = erp.start(tmp / "sc", flavor="business-central", port=0)
    table = erp.demo_config(handle)
    secret = os.environ.pop(table["business_central"].pop("client_secret_env"))
    raw = tomllib.loads((tmp / "sc" / "run.toml").read_text())  # its CRM side: files relative to the folder
    raw["erp"] = table
    path = tmp / "sc" / "bc.toml"
    path.write_text(tomli_w.dumps(raw))
    yield path, secret
    handle.stop()


def _workbench(tmp_path: Path, backend: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": backend, ENV: str(tmp_path / "keyring.json"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "WORKBENCH_DB": f"sqlite:///{tmp_path / 's.sqlite3'}"}
    return subprocess.run([WORKBENCH, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)


def test_credentials_set_stores_the_secret_where_the_run_finds_it(bc_config, tmp_path):
    config, secret = bc_config
    p = _workbench(tmp_path, BACKEND, "credentials", "set", "--config", str(config), "--side", "erp",
                   "client_secret", stdin=secret + "\n")
    assert p.returncode == 0, p.stderr
    assert "entry 'erp.business_central.client_secret'" in p.stdout and secret not in p.stdout + p.stderr
    run = _workbench(tmp_path, BACKEND, "run", "--config", str(config))
    assert run.returncode == 0, run.stderr
    assert "Customer links" in run.stdout


def test_no_keyring_on_the_machine_says_which_environment_variable_to_set(bc_config, tmp_path):
    config, secret = bc_config
    no_keyring = "keyring.backends.fail.Keyring"  # what keyring picks on a Linux server with no Secret Service
    run = _workbench(tmp_path, no_keyring, "run", "--config", str(config))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    line = run.stderr.strip()
    assert "no client_secret found" in line and "no usable OS keyring" in line
    assert 'add client_secret_env = "NAME" to [erp.business_central]' in line
    stored = _workbench(tmp_path, no_keyring, "credentials", "set", "--config", str(config), "--side", "erp",
                        "client_secret", stdin=secret + "\n")
    assert stored.returncode == 2 and "Traceback" not in stored.stderr
    assert "no usable OS keyring" in stored.stderr and "client_secret_env" in stored.stderr
    assert secret not in stored.stderr


def test_a_keyring_that_keeps_nothing_is_not_reported_as_saved(bc_config, tmp_path):
    config, secret = bc_config
    p = _workbench(tmp_path, "keyring.backends.null.Keyring", "credentials", "set", "--config", str(config),
                   "--side", "erp", "client_secret", stdin=secret + "\n")
    assert p.returncode == 2 and "saved" not in p.stdout
    assert "kept nothing" in p.stderr and "client_secret_env" in p.stderr


def test_a_private_key_piped_in_keeps_its_lines(tmp_path):
    # JWT bearer can keep its PEM key in the keyring (salesforce.md); reading one line stored only its header
    pem = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n"
           "-----END PRIVATE KEY-----")
    config = tmp_path / "sf.toml"
    config.write_text('[crm]\nconnector = "salesforce"\n[crm.salesforce]\nusername = "u@example.com"\n'
                      '[erp]\nconnector = "files"\n')
    p = _workbench(tmp_path, BACKEND, "credentials", "set", "--config", str(config), "--side", "crm", "private_key",
                   stdin=pem + "\n")
    assert p.returncode == 0, p.stderr
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert stored == {"recon-workbench/crm.salesforce.private_key": pem}
