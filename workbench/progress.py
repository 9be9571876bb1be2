"""Progress and cancel for long tasks, duck-typed so the core never needs Qt.

A task takes ``state`` with ``set_progress(done, total=None, message="")`` and a
``cancelled`` attribute/property. The app passes an object whose methods emit Qt
signals; the CLI and tests pass ``NullProgress`` or ``RecordingProgress``.
"""

from __future__ import annotations

import threading
import time

from workbench.errors import Cancelled


class NullProgress:
    cancelled = False

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        pass


class RecordingProgress:
    """Keeps every update; cancel() can be called from any thread."""

    def __init__(self) -> None:
        self.updates: list[tuple[int, int | None, str]] = []
        self._event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.updates.append((done, total, message))


def check_cancelled(state: object | None) -> None:
    """Raise Cancelled if the caller asked to stop. Call between units of work."""
    if state is not None and getattr(state, "cancelled", False):
        raise Cancelled("cancelled by the user")


def report(state: object | None, done: int, total: int | None = None, message: str = "") -> None:
    if state is not None:
        state.set_progress(done, total, message)
    check_cancelled(state)


def source_line(side: str, done: int, message: str = "") -> str:
    """One source's progress as one line, for a state that has no per-source display."""
    return f"{side.upper()}: {message or f'{done:,} records'}"


class Throttle:
    """Lets progress through at most every ``interval`` seconds per channel. A step's start
    (``done == 0``) and its end (``done >= total``) always pass, so the last word is never lost."""

    def __init__(self, interval: float):
        self.interval = interval
        self._last: dict[str, float] = {}

    def due(self, channel: str, done: int, total: int | None) -> bool:
        now = time.monotonic()
        if done == 0 or (total is not None and done >= total) or now - self._last.get(channel, 0.0) >= self.interval:
            self._last[channel] = now
            return True
        return False
