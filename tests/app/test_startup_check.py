"""`workbench gui --close-when-ready` from the pip install: what IT runs to check a machine."""

from __future__ import annotations

import os
import subprocess
import sys


def _gui_check(tmp_path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
           "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "app.entry", "gui", "--close-when-ready", *extra], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_opens_the_window_creates_the_database_and_exits_0(tmp_path):
    done = _gui_check(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("Recon Workbench:")]
    assert lines == ["Recon Workbench: window shown",
                     "Recon Workbench: ready (database open, screens loaded, job process answered); closing"]
    assert (tmp_path / "data" / "recon-workbench" / "workbench.sqlite3").is_file()
    assert (tmp_path / "config" / "recon-workbench" / "app.ini").is_file()  # closed the normal way: settings saved


def test_an_error_in_the_window_is_printed_and_exits_1(tmp_path):
    # a URL the command line takes (its folder is there), of a file that is no database: the window's own error
    (tmp_path / "wb.sqlite3").write_text("not a database")
    done = _gui_check(tmp_path, "--db", f"sqlite:///{tmp_path / 'wb.sqlite3'}")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("Recon Workbench: error:")]
    assert len(errors) == 1 and "ready" not in done.stderr
