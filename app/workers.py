"""Work off the GUI thread: one serial worker for the database, a pool for long jobs.

Anki's lesson: every database call from the GUI goes through ONE worker thread, so
calls never interleave and the window never waits on SQLite/PostgreSQL. Results and
errors come back to the GUI thread through a queued Qt signal, so no widget is
ever touched from a worker thread.

Long core jobs (pull + reconcile, push, export) take a duck-typed ``state``;
``QtProgress`` is that state for the app: its methods may be called from any
thread and only emit signals (throttled, so a chatty job cannot flood the GUI).
Those jobs run in a child process (``submit_isolated``): on a thread their Python work
would share the GIL with the GUI thread and freeze the window for 100 ms and more.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from workbench.errors import user_message
from workbench.progress import Progress, Throttle

log = logging.getLogger("workbench.app")

Callback = Callable[[Any], None] | None


class QtProgress(QObject, Progress):
    """The ``state`` a core job reports to (workbench.progress.TaskState), as Qt signals."""

    progress = Signal(int, object, str)             # done, total (None = unknown), message
    source_progress = Signal(str, int, object, str)  # side, done, total, message
    MIN_INTERVAL = 0.05  # seconds between forwarded updates

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self._throttle = Throttle(self.MIN_INTERVAL)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if self._throttle.due("", done, total):
            self.progress.emit(int(done), total, message or "")

    def set_source_progress(self, side: str, done: int, total: int | None = None, message: str = "") -> None:
        if self._throttle.due(side, done, total):
            self.source_progress.emit(side, int(done), total, message or "")


class _Bridge(QObject):
    """Lives in the GUI thread; a signal emitted from a worker thread is delivered here, queued."""

    deliver = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._call)

    @Slot(object, object)
    def _call(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)


class Worker(QObject):
    """A thread pool whose results arrive on the GUI thread. ``threads=1`` serializes the work."""

    busy_changed = Signal(bool)
    failed = Signal(str)  # one-line message of any job that failed without its own on_error

    def __init__(self, name: str, threads: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._bridge = _Bridge()
        self._pending = 0
        self._closed = False
        self._isolated: set[QtProgress] = set()  # states of the jobs running in child processes

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callback = None, on_error: Callback = None,
               **kwargs: Any) -> Future | None:
        """Run ``fn(*args, **kwargs)`` off the GUI thread; ``on_done(result)`` / ``on_error(message)`` on it."""
        if self._closed:
            return None
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        fut = self._pool.submit(fn, *args, **kwargs)

        def finished(f: Future) -> None:  # runs in the worker thread
            try:
                result = f.result()
            except BaseException as exc:  # every failure becomes a message in the window
                msg = user_message(exc)
                self._bridge.deliver.emit(self._finish(on_error, error=True), msg)
            else:
                self._bridge.deliver.emit(self._finish(on_done), result)

        fut.add_done_callback(finished)
        return fut

    def submit_isolated(self, fn: Callable[..., Any], *args: Any, state: QtProgress, on_done: Callback = None,
                        on_error: Callback = None, **kwargs: Any) -> Future | None:
        """Run a long core job in a child process (workbench.isolated), so it never holds this
        process's GIL; a pool thread only waits for it and relays its progress to ``state``."""
        from workbench.isolated import run_isolated
        if self._closed:
            return None
        self._isolated.add(state)
        fut = self.submit(run_isolated, fn, *args, state=state, on_done=on_done, on_error=on_error, **kwargs)
        if fut is not None:
            fut.add_done_callback(lambda _: self._isolated.discard(state))
        return fut

    def _finish(self, callback: Callback, error: bool = False) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            self._pending -= 1
            try:
                if self._closed:
                    return  # the window is closing: its widgets may already be gone
                if callback is not None:
                    callback(value)
                elif error:
                    self.failed.emit(value)
            finally:
                if self._pending == 0:
                    self.busy_changed.emit(False)
        return call

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work, cancel jobs in child processes and wait for the running job (queued ones are dropped).

        A cancelled run, push or export stops at its next check and leaves the store as Cancel does.
        """
        self._closed = True
        for state in list(self._isolated):
            state.cancel()
        self._pool.shutdown(wait=wait, cancel_futures=True)
