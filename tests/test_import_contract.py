"""import-linter's contracts from pyproject.toml hold: the core is Qt-free, layered, acyclic, and sandboxes stay
apart."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_is_qt_free_layered_acyclic_and_keeps_sandboxes_apart():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout


def test_core_imports_without_qt_installed_in_the_process():
    code = ("import sys, workbench.cli, workbench.store.db, workbench.model; "
            "import importlib; [importlib.import_module(m) for m in list(sys.modules) if m.startswith('workbench')]; "
            "assert not any(m.startswith('PySide6') for m in sys.modules), "
            "sorted(m for m in sys.modules if 'PySide' in m)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
