"""Progress and cancel for long tasks, duck-typed so the core never needs Qt.

A task takes ``state`` with ``set_progress(done, total=None, message="")`` and a
``cancelled`` attribute/property. The app passes an object whose methods emit Qt
signals; the CLI and tests pass ``NullProgress`` or ``RecordingProgress``.
"""

from __future__ import annotations

import threading
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
