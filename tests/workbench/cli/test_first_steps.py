"""What a new user meets on the first commands of the README, run as they type them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
            "WORKBENCH_DB": f"sqlite:///{tmp_path / 's.sqlite3'}", **extra}


def test_bare_workbench_where_windows_draw_on_no_screen_says_so_like_workbench_gui(tmp_path):
    # README: `workbench   # the desktop app, on the latest run`. Under QT_QPA_PLATFORM=offscreen it was
    # "internal error: AttributeError: 'Namespace' object has no attribute 'close_when_ready'".
    p = subprocess.run([WORKBENCH], env=_env(tmp_path, QT_QPA_PLATFORM="offscreen"), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2, p.stderr[-2000:]
    assert "QT_QPA_PLATFORM=offscreen draws the window on no screen" in p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr
