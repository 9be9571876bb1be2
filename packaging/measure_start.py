"""Time from launch to a visible window, and to a ready one, for the bundle and for the pip install.

    python3 packaging/measure_start.py "dist/Recon Workbench/Recon Workbench" .venv/bin/workbench [--runs 5]
        [--cold DIR ...]

Each run starts ``<command> gui --close-when-ready`` in a fresh home (so the database is created and
migrated, as on a first start), offscreen, and timestamps the lines that command prints when the
window is exposed and when it is ready. Reports the median of each. Numbers for docs/packaging.md.
With ``--cold``, before every start the files under the given folders (the bundle; the venv, the
source tree and the Python installation) are dropped from the OS file cache (Linux), so each start
reads them from disk as the first start after logging in would; without it, starts are warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

SHOWN = "Recon Workbench: window shown"
READY = "Recon Workbench: ready"


def evict(folders: list[str]) -> None:
    """Drop these files' pages from the page cache (only theirs: other programs keep their cache)."""
    for folder in folders:
        for dirpath, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    continue
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def one_start(command: str, cold: list[str]) -> tuple[float, float]:
    evict(cold)
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
        started = time.perf_counter()
        proc = subprocess.Popen([os.path.abspath(command), "gui", "--close-when-ready"], env=env, cwd=home, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        shown = ready = None
        for line in proc.stderr:
            now = time.perf_counter() - started
            if line.startswith(SHOWN):
                shown = now
            elif line.startswith(READY):
                ready = now
        if proc.wait() != 0 or shown is None or ready is None:
            raise SystemExit(f"{command}: the start did not complete (exit {proc.returncode})")
        return shown, ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commands", nargs="+", help="executables to compare (the bundle's, the venv's workbench)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", nargs="*", default=[], metavar="DIR",
                        help="folders to drop from the file cache before every start (Linux)")
    args = parser.parse_args()
    print(f"| command ({'cold' if args.cold else 'warm'}) | window shown (median s) | ready (median s) | runs |\n"
          "|---|---|---|---|")
    for command in args.commands:
        if not os.access(command, os.X_OK):
            print(f"measure_start.py: error: {command} is not an executable", file=sys.stderr)
            return 2
        if not args.cold:
            one_start(command, [])  # fills the file cache, as any earlier start would have
        times = [one_start(command, args.cold) for _ in range(args.runs)]
        print(f"| `{command}` | {statistics.median(t[0] for t in times):.2f} | "
              f"{statistics.median(t[1] for t in times):.2f} | {args.runs} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
