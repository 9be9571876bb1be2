"""Progress and cancel for long tasks, behind a Protocol so the core never needs Qt.

A task takes ``state: TaskState | None``: it reports with ``set_progress(done, total, message)``
(or ``set_source_progress(side, ...)`` while pulling one source) and stops at its next check
once ``cancelled`` is true. Orange3's ``TaskState`` (Orange/widgets/utils/concurrent.py) is
the model. Every implementation derives from :class:`Progress`: the CLI's ``ConsoleProgress``,
the isolated job's pipe relay, the app's Qt state, and ``NullProgress``/``RecordingProgress``.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from workbench.errors import Cancelled


class TaskState(Protocol):
    """What a long task may ask of its caller."""

    @property
    def cancelled(self) -> bool: ...

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None: ...

    def set_source_progress(self, side: str, done: int, total: int | None = None, message: str = "") -> None: ...


class Progress:
    """The base implementation: shows nothing and is never cancelled. A state that shows one
    line gets a source's progress as one line naming the source (:func:`source_line`)."""

    @property
    def cancelled(self) -> bool:
        return False

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        pass

    def set_source_progress(self, side: str, done: int, total: int | None = None, message: str = "") -> None:
        self.set_progress(done, total, source_line(side, done, message))


class NullProgress(Progress):
    pass


class RecordingProgress(Progress):
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


def check_cancelled(state: TaskState | None) -> None:
    """Raise Cancelled if the caller asked to stop. Call between units of work."""
    if state is not None and state.cancelled:
        raise Cancelled("cancelled by the user")


def report(state: TaskState | None, done: int, total: int | None = None, message: str = "") -> None:
    if state is not None:
        state.set_progress(done, total, message)
    check_cancelled(state)


def source_line(side: str, done: int, message: str = "") -> str:
    """One source's progress as one line, for a state that has no per-source display."""
    return f"{side.upper()}: {message or f'{done:,} records'}"


class Throttle:
    """Lets progress through at most every ``interval`` seconds per channel. A step's start
    (``done == 0``) and its end (``done >= total``) always pass, so the last word is never lost."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}

    def due(self, channel: str, done: int, total: int | None) -> bool:
        now = time.monotonic()
        if done == 0 or (total is not None and done >= total) or now - self._last.get(channel, 0.0) >= self.interval:
            self._last[channel] = now
            return True
        return False
