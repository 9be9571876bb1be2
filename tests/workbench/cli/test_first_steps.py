"""What a new user meets on the first commands of the README, run as they type them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def _cli(capsys, *argv: str) -> tuple[int, str]:
    from workbench.cli import main
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses a bad option value with exit 2 and its usage line
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("value", "says"), [
    # a file path where a URL belongs: was "cannot open the database <database url>: ArgumentError: Could not parse
    # SQLAlchemy URL from given URL string"
    ("{tmp}/workbench.sqlite3", "is not a database URL; expected sqlite:////"),
    # Heroku's spelling: was "NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres" (and the password)
    ("postgres://ann:hunter2@db.example/workbench", "write the same URL as postgresql+psycopg://"),
    # a SQLite file in a folder that is not there: was "OperationalError: (sqlite3.OperationalError) unable to open
    # database file"
    ("sqlite:///{tmp}/no/such/folder/w.sqlite3", "folder {tmp}/no/such/folder of the SQLite file does not exist"),
    # a file where the folder should be: said so, not "does not exist"
    ("sqlite:///{tmp}/a-file/w.sqlite3", "folder {tmp}/a-file of the SQLite file is a file, not a folder"),
])
def test_a_db_value_that_cannot_be_a_database_says_what_a_database_url_looks_like(tmp_path, capsys, value, says):
    (tmp_path / "a-file").write_text("not a folder")
    code, err = _cli(capsys, "runs", "--db", value.format(tmp=tmp_path))
    assert code == 2
    assert says.format(tmp=tmp_path) in err
    assert "hunter2" not in err and "Traceback" not in err and "SQLAlchemy" not in err


def test_workbench_db_in_the_environment_is_checked_as_db_is_and_named(tmp_path, capsys, monkeypatch):
    """$WORKBENCH_DB took the same mistakes to SQLAlchemy: 'cannot open the database <database url>: ArgumentError'."""
    monkeypatch.setenv("WORKBENCH_DB", "postgres://ann:hunter2@db.example/workbench")
    code, err = _cli(capsys, "runs")
    assert code == 2
    assert "WORKBENCH_DB: 'postgres://' names no database driver; write the same URL as postgresql+psycopg://" in err
    assert "hunter2" not in err and "Traceback" not in err


def test_a_db_url_of_a_new_sqlite_file_in_an_existing_folder_still_opens(tmp_path, capsys):
    code, err = _cli(capsys, "runs", "--db", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert code == 0, err
    assert (tmp_path / "new.sqlite3").is_file()


_SHOW_SIZED_WINDOWS = """
import sys
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QApplication, QWidget
from app.entry import quiet_offscreen_size_hints
app = QApplication([])
if sys.argv[1] == "quiet":
    quiet_offscreen_size_hints()
windows = []
for _ in range(3):  # as the demo's screenshots do: windows sized after they are shown
    w = QWidget(); w.resize(200, 200); w.show(); w.setMinimumSize(50, 50); app.processEvents(); windows.append(w)
qWarning("a real warning still shows")
"""


@pytest.mark.parametrize("mode", ["quiet", "default"])
def test_the_headless_demo_pictures_do_not_print_qts_offscreen_size_hint_warning(tmp_path, mode):
    # `workbench demo` without a display printed "This plugin does not support propagateSizeHints()" a dozen times
    # between its summary and its screenshots; the default handler shows this test does make Qt say it.
    p = subprocess.run([sys.executable, "-c", _SHOW_SIZED_WINDOWS, mode],
                       env=_env(tmp_path, QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert ("propagateSizeHints" in p.stderr) is (mode == "default")
    assert "a real warning still shows" in p.stderr
