"""What both bundled executables (``Recon Workbench`` and ``workbench``) run: the pip install's
``workbench`` console script, made safe for a frozen app."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    # Runs, pushes and exports go to a *spawned* job process (workbench.isolated), which in a
    # frozen app is this executable started again: freeze_support turns that start into the job.
    multiprocessing.freeze_support()
    if sys.stderr is None:
        # The windowed executable (Windows, the macOS .app) has no console: messages that would
        # go to the terminal go to the log file instead of raising on a None stream.
        from workbench.cli import log_path
        sys.stdout = sys.stderr = open(log_path(), "a", encoding="utf-8", buffering=1)
    from app.entry import main as workbench_main
    return workbench_main()


if __name__ == "__main__":
    sys.exit(main())
