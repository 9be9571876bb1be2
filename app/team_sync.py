"""Keeps an open window in step with the rest of the team.

Every few seconds, and whenever the app comes back to the front, the database
worker asks the store whether anything changed since we last looked (one
MAX(id) query on the audit trail when nothing did) and refreshes this app's
heartbeat. Only when something changed are the run list and the exception
states re-read; a million-row queue is never reloaded for nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app.context import AppContext

CHECK_EVERY_MS = 10_000
HEARTBEAT_EVERY = 3  # checks: a heartbeat about every 30 s, as presence expects


def _check(store: Any, watcher: Any, user: str, run_id: int | None, beat: bool) -> tuple[Any, list]:
    from workbench.team import presence
    if beat:
        presence.heartbeat(store, user, run_id=run_id)
    others = presence.who_is_here(store, exclude=user)
    return watcher.check(), others


def _start_watcher(store: Any) -> Any:
    from workbench.team.changes import ChangeWatcher
    return ChangeWatcher(store)


class TeamSync(QObject):
    others_changed = Signal(list)  # [{"user", "display_name", "run_id", ...}] of the others working now

    def __init__(self, ctx: AppContext, parent: QObject | None = None, interval_ms: int = CHECK_EVERY_MS):
        super().__init__(parent)
        self.ctx = ctx
        self.watcher = None
        self._pending = False
        self._checks = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._state_changed)

    def start(self) -> None:
        """Begin watching (once the store is open)."""
        def ready(watcher: Any) -> None:
            self.watcher = watcher
            self.timer.start()
            self.check()
        self.ctx.db.submit(_start_watcher, self.ctx.store, on_done=ready)

    def stop(self) -> None:
        self.timer.stop()

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()

    def check(self) -> None:
        if self.watcher is None or self._pending or self.ctx.store is None:
            return
        self._pending = True
        beat = self._checks % HEARTBEAT_EVERY == 0
        self._checks += 1
        self.ctx.db.submit(_check, self.ctx.store, self.watcher, self.ctx.user, self.ctx.run_id, beat,
                           on_done=self._checked, on_error=self._failed)

    def _failed(self, message: str) -> None:
        self._pending = False  # a database hiccup: say nothing, try again next time

    def _checked(self, result: tuple[Any, list]) -> None:
        self._pending = False
        summary, others = result
        self.others_changed.emit(others)
        if summary is None:
            return
        mine = set(summary.actors) <= {self.ctx.user}
        if summary.runs or summary.full_reload:
            self.ctx.runs_changed.emit()
        if not mine and (summary.full_reload or summary.touches_run(self.ctx.run_id) or summary.exception_ids):
            self.ctx.data_changed.emit(None, None)  # re-read exception states of the open run, keep the place
            who = ", ".join(a for a in summary.actors if a != self.ctx.user)
            self.ctx.info(f"Updated with changes by {who}")
