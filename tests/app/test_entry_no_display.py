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
