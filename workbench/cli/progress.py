"""Progress of a long command on the terminal."""

from __future__ import annotations

import sys
import time


class ConsoleProgress:
    """Progress on stderr when it is a terminal (silent otherwise), a few updates a second."""

    cancelled = False  # Ctrl+C ends a CLI command; nothing else cancels it

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._last = 0.0

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if not self.tty or not message:
            return
        now = time.monotonic()
        if now - self._last < 0.25 and not (total and done >= total):
            return
        self._last = now
        pct = f"{100 * done // total:3d}% " if total else ""
        sys.stderr.write(f"\r\x1b[K{pct}{message[:100]}")
        sys.stderr.flush()

    def set_source_progress(self, side: str, done: int, total: int | None, message: str) -> None:
        self.set_progress(done, total, f"{side.upper()}: {message or f'{done:,} records'}")

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
