"""Progress of a long command on the terminal."""

from __future__ import annotations

import sys

from workbench.progress import Progress, Throttle


class ConsoleProgress(Progress):
    """Progress on stderr when it is a terminal (silent otherwise), a few updates a second.
    Never cancelled: Ctrl+C ends a CLI command; nothing else cancels it."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._throttle = Throttle(0.25)

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if not self.tty or not message:
            return
        if not self._throttle.due("", done, total):
            return
        pct = f"{100 * done // total:3d}% " if total else ""
        sys.stderr.write(f"\r\x1b[K{pct}{message[:100]}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
