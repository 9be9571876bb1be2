"""What every screen shares: the store, the user, the workers, the open run, the theme.

Screens talk to each other only through this object's signals (e.g. the dashboard
asks for the queue filtered to one type with ``show_queue``; an action's changes arrive
on ``data_changed``), never by reaching into each other's widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal

from app.theme import colors
from app.workers import Worker

if TYPE_CHECKING:  # the store's modules (SQLAlchemy, Alembic) load off the GUI thread at startup
    from workbench.store.db import Store


class AppContext(QObject):
    run_changed = Signal(object)        # run id (int) or None; emitted when a run is opened
    runs_changed = Signal()             # a run was added or finished: refresh run lists
    # What an action changed (workbench.model.changes.Changes; None: unknown, e.g. a colleague's
    # changes, so re-read everything shown) and who asked for it (the screen, or None). Emitted
    # once per action by app.operations.run_action; every screen refreshes itself from it.
    data_changed = Signal(object, object)
    theme_changed = Signal(str)         # "light" | "dark"
    user_changed = Signal(str)          # the acting user switched (the toolbar or the approvals screen)
    message = Signal(str, str)          # level ("error" | "info"), one-line text for the message bar
    show_queue_requested = Signal(dict)  # a QueueFilter.to_dict(): open the queue filtered like this
    show_screen_requested = Signal(str)  # a screen's key: bring that screen forward
    busy_changed = Signal(bool)
    job_started = Signal(object)        # a QtProgress of a long job: the window shows it in the status bar

    def __init__(self, store: Store | None, user: str, settings: QSettings, *, mode: str = "light",
                 parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.user = user
        self.settings = settings
        self.mode = mode
        self.run_id: int | None = None
        self.demo: Any = None  # a workbench.demo.Demo while the demo's sandboxes run
        self._keeps_spare = False
        # All database work from the GUI, serialized (one thread).
        self.db = Worker("workbench-db", threads=1, parent=self)
        # Long jobs (pull, push, export) with their own sessions, so the queue stays usable meanwhile.
        self.jobs = Worker("workbench-job", threads=2, parent=self)
        self.db.busy_changed.connect(self._busy)
        self.jobs.busy_changed.connect(self._busy)
        self.db.failed.connect(self.error)
        self.jobs.failed.connect(self.error)

    @property
    def palette(self) -> dict:
        return colors(self.mode)

    def open_run(self, run_id: int | None) -> None:
        self.run_id = run_id
        self.run_changed.emit(run_id)

    def set_user(self, name: str) -> None:
        if name != self.user:
            self.user = name
            self.user_changed.emit(name)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.theme_changed.emit(mode)

    def error(self, text: str) -> None:
        self.message.emit("error", text)

    def info(self, text: str) -> None:
        self.message.emit("info", text)

    def show_queue(self, filters: dict) -> None:
        self.show_queue_requested.emit(dict(filters))

    def show_screen(self, key: str) -> None:
        self.show_screen_requested.emit(key)

    def _busy(self, _: bool) -> None:
        self.busy_changed.emit(self.db.busy or self.jobs.busy)

    def keep_job_process_ready(self) -> None:
        """Runs, pushes and exports go to a child process; keep one started with the core imported
        (about a second of imports), so pressing Run or Push starts the work at once. ``shutdown``
        lets it go."""
        self._keeps_spare = True
        self.jobs.submit(_keep_spare)

    def shutdown(self) -> None:
        from workbench.isolated import drop_spare, wait_for_exits

        self.jobs.shutdown()
        self.db.shutdown()
        if self._keeps_spare:  # after the jobs: the one starting the spare has finished
            self._keeps_spare = False
            drop_spare()
        wait_for_exits()  # the processes of jobs that have answered: none left behind


def _keep_spare() -> None:
    # On a pool thread: importing these and starting a process is not GUI-thread work.
    from workbench.isolated import keep_spare
    from workbench.jobs import WARM_MODULES
    keep_spare(WARM_MODULES)
