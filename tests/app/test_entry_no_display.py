"""On a machine with no screen the app explains itself instead of aborting inside Qt."""

import os
import subprocess
import sys
from pathlib import Path

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def test_gui_without_a_display_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = subprocess.run([WORKBENCH, "gui", "--db", f"sqlite:///{tmp_path / 's.sqlite3'}"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "no display" in p.stderr and "workbench demo --no-gui" in p.stderr
    assert "Traceback" not in p.stderr and "Aborted" not in p.stderr


def _offscreen(tmp_path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state")}


def test_gui_on_a_platform_that_draws_on_no_screen_says_so_instead_of_waiting_unseen(tmp_path):
    p = subprocess.run([WORKBENCH, "gui", "--db", f"sqlite:///{tmp_path / 's.sqlite3'}"], env=_offscreen(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr[-2000:]
    assert "QT_QPA_PLATFORM=offscreen draws the window on no screen" in p.stderr
    assert "workbench demo --no-gui" in p.stderr and "Traceback" not in p.stderr


def test_the_demo_on_a_platform_that_draws_on_no_screen_runs_headless_with_its_workbook_and_pictures(tmp_path):
    p = subprocess.run([WORKBENCH, "demo", "--customers", "12"], env=_offscreen(tmp_path), capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "No display found (QT_QPA_PLATFORM=offscreen draws on no screen)" in p.stderr
    out = tmp_path / "data" / "recon-workbench" / "demo" / "output"
    assert (out / "demo-audit-workbook.xlsx").is_file() and any((out / "screenshots").glob("*.png"))
