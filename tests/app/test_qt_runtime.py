"""Guard for the PySide6 6.12.0 + CPython 3.11 crash (None's refcount corrupted → none_dealloc).

The install pins PySide6 below 6.12 on Python < 3.12. These tests fail if a
broken pair is installed, and exercise many Qt calls that return None in a
separate interpreter so an abort shows up as a failing test, not a dead run.
"""

import subprocess
import sys
import textwrap
from importlib.metadata import version


def _tuple(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split(".")[:2])


def test_installed_pyside6_is_not_the_crashing_pair():
    pyside = version("PySide6")
    if sys.version_info[:2] < (3, 12):
        assert _tuple(pyside) < (6, 12), (
            f"PySide6 {pyside} on CPython {sys.version.split()[0]} aborts with none_dealloc; "
            "install with the project's pyproject pins")


def test_many_qt_calls_returning_none_do_not_abort_the_interpreter():
    code = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget
        from PySide6.QtCore import QObject
        app = QApplication([])
        w = QWidget()
        before = sys.getrefcount(None)
        for i in range(200000):
            w.setWindowTitle("x")       # returns None
            w.setToolTip(str(i))        # returns None
            QLabel().setText("y")       # returns None
            QObject().parent()          # returns None (no parent)
        after = sys.getrefcount(None)
        assert after >= before - 1000, (before, after)
        print("ok")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-2000:]
