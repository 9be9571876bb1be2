"""Building the bundle once per session and running its executables as a user without Python would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "Recon Workbench"
# Set to an already built folder (the CI workflow builds with --archive first) to test that one.
BUNDLE_ENV = "WORKBENCH_BUNDLE"
EXE = ".exe" if sys.platform == "win32" else ""
# What a desktop session has that the app may need; nothing that points into a venv.
KEPT = ("SYSTEMROOT", "WINDIR", "COMSPEC", "TMP", "TEMP", "TMPDIR", "LANG", "LC_ALL", "USER", "USERNAME", "LOGNAME")


@dataclass(frozen=True)
class Bundle:
    folder: Path  # the folder users unpack: both executables and _internal/

    @property
    def cli(self) -> Path:
        return self.folder / f"workbench{EXE}"

    @property
    def gui(self) -> Path:
        return self.folder / f"{APP_NAME}{EXE}"

    @property
    def window_check(self) -> Path:
        """The executable to run ``gui --close-when-ready`` with here: on Windows the windowed one has
        no console streams to read (it logs to the log file), so the console one, the same program."""
        return self.cli if sys.platform == "win32" else self.gui

    @property
    def internal(self) -> Path:
        return self.folder / "_internal"


def build(out: Path) -> Bundle:
    given = os.environ.get(BUNDLE_ENV)
    if given:
        return Bundle(Path(given))
    dist = out / "dist"
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist),
                           "--work", str(out / "build")], capture_output=True, text=True)
    assert done.returncode == 0, f"packaging/build.py failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    # On macOS PyInstaller also wraps this folder as "Recon Workbench.app" (what users get there).
    return Bundle(dist / APP_NAME)


@dataclass(frozen=True)
class UserHome:
    """A fresh home for one run of the bundle: where its data, settings and logs must land."""
    root: Path

    @property
    def data(self) -> Path:  # platformdirs' user_data_dir("recon-workbench") for this home
        if sys.platform == "win32":
            return self.root / "AppData" / "Local" / "recon-workbench"
        if sys.platform == "darwin":
            return self.root / "Library" / "Application Support" / "recon-workbench"
        return self.root / ".local" / "share" / "recon-workbench"

    def env(self) -> dict[str, str]:
        env = {k: os.environ[k] for k in KEPT if k in os.environ}
        venv_bin = Path(sys.executable).parent
        env["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                                      if p and Path(p) != venv_bin and "venv" not in p)
        env.update(HOME=str(self.root), USERPROFILE=str(self.root), QT_QPA_PLATFORM="offscreen",
                   APPDATA=str(self.root / "AppData" / "Roaming"),
                   LOCALAPPDATA=str(self.root / "AppData" / "Local"))
        return env


def run(exe: Path, *args: str, home: UserHome, timeout: float = 600) -> subprocess.CompletedProcess:
    # The timeout only stops a hung start from hanging CI; no test passes or fails on time.
    return subprocess.run([str(exe), *args], env=home.env(), cwd=home.root, capture_output=True, text=True,
                          timeout=timeout)
