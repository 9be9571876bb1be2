"""Build the self-contained Recon Workbench folder (and archive) with PyInstaller.

    python3 packaging/build.py [--dist DIR] [--archive]

Needs only Python 3.11+ to start: it makes its own build venv holding the runtime dependencies
from pyproject.toml plus the ``packaging`` extra (PyInstaller), never the test extra, so nothing
a test needs can end up in the bundle. The venv is kept in the user cache dir, keyed by the
Python version, the platform and the dependency list, so a second build skips the installs.
See docs/packaging.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "recon_workbench.spec"
APP_DIR_NAME = "Recon Workbench"


class BuildError(Exception):
    """A build step failed; the message says which and what to do."""


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extra = project.get("optional-dependencies", {}).get("packaging")
    if not extra:
        raise BuildError(f"{pyproject}: no [project.optional-dependencies] packaging extra (expected pyinstaller)")
    return [*project["dependencies"], *extra]


def cache_root() -> Path:
    # platformdirs is a runtime dependency of the app, not of this script: stdlib only here.
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "recon-workbench" / "build"


def venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def build_venv(reqs: list[str], env_dir: Path | None) -> Path:
    """The build venv's python, created and filled once per dependency list."""
    key = hashlib.sha256("\n".join([sys.version, platform.platform(), *reqs]).encode()).hexdigest()[:16]
    env_dir = env_dir or cache_root() / f"venv-{key}"
    ready = env_dir / ".recon-workbench-ready"
    if ready.exists() and ready.read_text(encoding="utf-8") == key:
        print(f"build venv: reusing {env_dir}", flush=True)
        return venv_python(env_dir)
    print(f"build venv: creating {env_dir} (runtime dependencies + PyInstaller)", flush=True)
    shutil.rmtree(env_dir, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = venv_python(env_dir)
    run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *reqs], "installing the build venv")
    ready.write_text(key, encoding="utf-8")
    return py


def run(cmd: list[str], what: str) -> None:
    code = subprocess.call(cmd, cwd=ROOT)
    if code:
        raise BuildError(f"{what} failed (exit {code}): {' '.join(cmd)}")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def archive(app_dir: Path, dist: Path) -> Path:
    from workbench import __version__  # the source tree is on sys.path: ROOT
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    base = dist / f"Recon-Workbench-{__version__}-{system}-{platform.machine().lower()}"
    # zip where users double-click to unpack (Windows, macOS); tar.gz keeps Linux permissions and links
    fmt = "gztar" if system not in ("windows", "macos") else "zip"
    return Path(shutil.make_archive(str(base), fmt, root_dir=app_dir.parent, base_dir=app_dir.name))


def build(dist: Path, work: Path, env_dir: Path | None, make_archive: bool) -> Path:
    started = time.monotonic()
    py = build_venv(requirements(), env_dir)
    venv_done = time.monotonic()
    run([str(py), "-m", "PyInstaller", str(SPEC), "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work)], "PyInstaller")
    # On macOS users get the .app (the same folder wrapped with an Info.plist); elsewhere the folder.
    app_dir = dist / (f"{APP_DIR_NAME}.app" if sys.platform == "darwin" else APP_DIR_NAME)
    if not app_dir.is_dir():
        raise BuildError(f"PyInstaller finished but {app_dir} is missing")
    done = time.monotonic()
    print(f"bundle: {app_dir}\n  size {folder_size(app_dir) / 1e6:.0f} MB; build venv {venv_done - started:.0f} s, "
          f"PyInstaller {done - venv_done:.0f} s", flush=True)
    if make_archive:
        out = archive(app_dir, dist)
        print(f"archive: {out} ({out.stat().st_size / 1e6:.0f} MB)", flush=True)
    return app_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output directory (default: dist/)")
    parser.add_argument("--work", type=Path, help="PyInstaller's work directory (default: build/ next to --dist)")
    parser.add_argument("--venv", type=Path, help="build venv to use or create (default: in the user cache dir)")
    parser.add_argument("--archive", action="store_true", help="also pack the folder as .zip (.tar.gz on Linux)")
    args = parser.parse_args(argv)
    if sys.version_info < (3, 11):  # noqa: UP036 - the script may be started by an older system python
        print("packaging/build.py: error: needs Python 3.11 or newer (the app's own version)", file=sys.stderr)
        return 2
    dist = args.dist.resolve()
    try:
        build(dist, (args.work or dist.parent / "build").resolve(), args.venv, args.archive)
    except (BuildError, OSError) as exc:
        print(f"packaging/build.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
