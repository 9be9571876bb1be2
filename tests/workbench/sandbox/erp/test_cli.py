"""`workbench sandbox erp` as a user runs it: one JSON line when ready, then serving."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx


def test_standalone_sandbox_prints_ready_line_with_working_credentials(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "workbench.sandbox.erp.cli", "erp", "--flavor",
                             "business-central", "--customers", "5", "--state-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert info["api_root"].startswith(info["base_url"] + "/v2.0/")
        assert info["api_root"].endswith(f"/companies({info['company_id']})")
        # no client timeout: a busy machine answers late, not wrongly (pytest-timeout guards a hang)
        resp = httpx.get(info["api_root"] + "/customers", headers={"Authorization": f"Bearer {info['access_token']}"},
                         timeout=None)
        assert resp.status_code == 200 and len(resp.json()["value"]) >= 5
        token = httpx.post(info["token_url"], data={"grant_type": "client_credentials", "client_id": info["client_id"],
                                                    "client_secret": info["client_secret"], "scope": info["scope"]},
                           timeout=None)
        assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
    finally:
        proc.terminate()
        code = proc.wait()  # however long a busy machine takes to stop it
    assert code == 0
    assert (tmp_path / "business-central.sqlite3").exists()
