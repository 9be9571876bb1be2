"""The main window: a tab per registered screen, a run picker, a message bar, one shortcut table.

Opens on the last run. Never blocks: database work goes through ``ctx.db``, long jobs
through ``ctx.jobs``; errors land in the message bar as one line, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QMainWindow, QProgressBar,
                               QPushButton, QTabWidget, QToolBar, QVBoxLayout, QWidget)

from app import theme
from app.context import AppContext
from app.screens import screens
from app.settings import open_settings
from app.shortcuts import SHORTCUTS
from app.team_sync import TeamSync
from app.workers import QtProgress

APP_NAME = "Recon Workbench"
DEFAULT_SIZE = (1440, 900)


class MainWindow(QMainWindow):
    runs_loaded = Signal(list)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, install: bool = True,
                 only: tuple[str, ...] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self._runs: list[dict[str, Any]] = []
        self.demo_future = None

        bar = QToolBar("Run")
        bar.setObjectName("runToolbar")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Run "))
        self.run_box = QComboBox()
        self.run_box.setAccessibleName("Open run")
        self.run_box.setMinimumWidth(560)
        self.run_box.activated.connect(self._run_picked)
        bar.addWidget(self.run_box)
        self.reload_button = QPushButton("Reload")
        self.reload_button.setAccessibleName("Reload the run")
        self.reload_button.clicked.connect(lambda: self.dispatch("reload"))
        bar.addWidget(self.reload_button)
        bar.addSeparator()
        bar.addWidget(QLabel(" User "))
        self.user_box = QComboBox()
        self.user_box.setEditable(True)
        self.user_box.setAccessibleName("Acting user")
        self.user_box.setMinimumWidth(160)
        self.user_box.addItem(ctx.user)
        self.user_box.currentTextChanged.connect(self._user_changed)
        bar.addWidget(self.user_box)
        bar.addSeparator()
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName("Theme")
        self.theme_box.addItem("Light", "light")
        self.theme_box.addItem("Dark", "dark")
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(ctx.mode)))
        self.theme_box.currentIndexChanged.connect(lambda _: self.set_mode(self.theme_box.currentData()))
        bar.addWidget(self.theme_box)
        self.addToolBar(bar)

        self.message_bar = QLabel("")
        self.message_bar.setObjectName("messageBar")
        self.message_bar.setAccessibleName("Message")
        self.message_bar.setWordWrap(True)
        self.message_bar.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss message")
        self.dismiss.clicked.connect(self.clear_message)
        msg_row = QHBoxLayout()
        msg_row.setContentsMargins(0, 0, 0, 0)
        msg_row.addWidget(self.message_bar, 1)
        msg_row.addWidget(self.dismiss)
        self.message_box = QWidget()
        self.message_box.setLayout(msg_row)
        self.message_box.hide()

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Screens")
        self.tabs.setDocumentMode(True)
        self.screens: dict[str, QWidget] = {}

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.message_box)
        lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.status_text = QLabel("")
        self.statusBar().addWidget(self.status_text, 1)
        self.others_label = QLabel("")
        self.others_label.setAccessibleName("Who else is working")
        self.statusBar().addPermanentWidget(self.others_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.cancel_job_button = QPushButton("Cancel")
        self.cancel_job_button.setAccessibleName("Cancel the running job")
        self.cancel_job_button.hide()
        self.cancel_job_button.clicked.connect(self._cancel_job)
        self.statusBar().addPermanentWidget(self.cancel_job_button)
        self._job: QtProgress | None = None
        self.team = TeamSync(ctx, self)
        self.team.others_changed.connect(self._show_others)

        self.actions: dict[str, QAction] = {}
        for sc in SHORTCUTS:
            act = QAction(sc.text, self)
            act.setShortcuts(sc.sequences())
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _=False, a=sc.action: self.dispatch(a))
            self.addAction(act)
            self.actions[sc.action] = act

        ctx.message.connect(self.show_message)
        ctx.user_changed.connect(self._show_user)
        ctx.runs_changed.connect(self.refresh_runs)
        ctx.run_changed.connect(self._run_changed)
        ctx.busy_changed.connect(self._busy)
        ctx.job_started.connect(self.follow_progress)
        ctx.show_queue_requested.connect(lambda _filters: self.show_screen("review"))
        ctx.show_screen_requested.connect(self.show_screen)
        self.resize(*DEFAULT_SIZE)
        self._restore_geometry()
        if install:
            self.install_screens(only)

    def install_screens(self, only: tuple[str, ...] | None = None) -> None:
        """Create one tab per registered screen (needs ``ctx.store``; imports the heavy modules).

        ``only`` limits the window to some screens (tests of one screen)."""
        for screen in screens():
            if only is not None and screen.key not in only:
                continue
            widget = screen.factory(self.ctx)
            widget.setAccessibleName(screen.accessible_name or screen.title)
            self.screens[screen.key] = widget
            self.tabs.addTab(widget, screen.title)
        review = self.review
        if review is not None:
            review.loaded.connect(self._run_loaded)
        tab = self.ctx.settings.value("window/tab")
        if tab:
            self.show_screen(str(tab))

    # ---- screens --------------------------------------------------------------------------
    @property
    def review(self):
        return self.screens.get("review")

    def show_screen(self, key: str) -> bool:
        w = self.screens.get(key)
        if w is None:
            return False
        self.tabs.setCurrentWidget(w)
        return True

    def dispatch(self, action: str) -> None:
        """Run a shortcut's action on the review screen (bringing it forward first)."""
        review = self.review
        if review is None:
            return
        if action != "export":
            self.show_screen("review")
        handlers = {"next_exception": review.next_exception, "previous_exception": review.previous_exception,
                    "take_crm": review.take_crm, "take_erp": review.take_erp, "search": review.focus_search,
                    "export": review.export, "select_all_matching": review.select_all_matching,
                    "reload": self._reload}
        handlers[action]()

    def _show_others(self, others: list) -> None:
        names = [o.get("display_name") or o.get("user") for o in others]
        self.others_label.setText(f"Also working: {', '.join(names)}" if names else "")

    def _reload(self) -> None:
        self.refresh_runs()
        if self.review is not None:
            self.review.reload()

    # ---- runs -----------------------------------------------------------------------------
    def start(self, run_id: int | None = None) -> None:
        """Open on ``run_id`` or the latest run, list the runs, and follow the team's changes."""
        self.refresh_runs()
        self.ctx.open_run(run_id)
        self.team.start()

    def refresh_runs(self) -> None:
        from workbench.store import repo
        self.ctx.db.submit(repo.list_runs, self.ctx.store, on_done=self._fill_runs)

    def _fill_runs(self, runs: list[dict[str, Any]]) -> None:
        from workbench.reconcile.summary import read_summary

        self._runs = runs
        self.run_box.blockSignals(True)
        self.run_box.clear()
        for r in runs:
            when = r.get("finished_at") or r.get("started_at")
            when_txt = when.strftime("%Y-%m-%d %H:%M") if hasattr(when, "strftime") else str(when or "")
            summary = read_summary(r.get("summary"))
            n = summary.exceptions_total if summary else None
            extra = f", {n:,} exceptions" if isinstance(n, int) else ""
            self.run_box.addItem(f"#{r['id']} {r.get('name') or ''} — {when_txt}, {r.get('user_name')}, "
                                 f"{r.get('status')}{extra}", r["id"])
        self._select_run_item(self.ctx.run_id)
        self.run_box.blockSignals(False)
        self.runs_loaded.emit(runs)

    def _select_run_item(self, run_id: int | None) -> None:
        i = self.run_box.findData(run_id) if run_id is not None else -1
        if i >= 0:
            self.run_box.setCurrentIndex(i)

    def _run_picked(self, index: int) -> None:
        run_id = self.run_box.itemData(index)
        if run_id is not None and run_id != self.ctx.run_id:
            self.ctx.open_run(int(run_id))

    def _run_changed(self, run_id: int | None) -> None:
        self.run_box.blockSignals(True)
        self._select_run_item(run_id)
        self.run_box.blockSignals(False)

    def _run_loaded(self, run_id: int | None) -> None:
        if run_id is None:
            self.setWindowTitle(APP_NAME)
            self.status_text.setText("No run yet: start one from the Run screen, or try: workbench demo")
            return
        self._run_changed(run_id)
        run = self.review.bundle.run if self.review is not None and self.review.bundle else {}
        self.setWindowTitle(f"{APP_NAME} — run #{run_id} {run.get('name') or ''}".rstrip())
        self.status_text.setText(f"Run #{run_id}, as of {run.get('as_of')}, by {run.get('user_name')}")

    # ---- messages, progress, theme, user --------------------------------------------------
    def show_message(self, level: str, text: str) -> None:
        self.message_bar.setObjectName("messageBar" if level == "error" else "infoBar")
        self.message_bar.setStyleSheet(self.message_bar.styleSheet())  # re-polish for the new object name
        self.message_bar.style().unpolish(self.message_bar)
        self.message_bar.style().polish(self.message_bar)
        self.message_bar.setText(text)
        self.message_box.show()
        if level != "error":
            self.statusBar().showMessage(text, 8000)

    def clear_message(self) -> None:
        self.message_bar.setText("")
        self.message_box.hide()

    def follow_progress(self, progress: QtProgress) -> None:
        """Show a job's progress in the status bar (the Run screen shows it per source), with Cancel."""
        self._job = progress
        self.cancel_job_button.setEnabled(True)
        self.cancel_job_button.show()
        def update(done: int, total: object, message: str) -> None:
            self.progress.show()
            if isinstance(total, int) and total > 0:
                self.progress.setRange(0, total)
                self.progress.setValue(min(done, total))
            else:
                self.progress.setRange(0, 0)  # busy indicator
            if message:
                self.status_text.setText(message)
        progress.progress.connect(update)

    def _cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_job_button.setEnabled(False)
            self.status_text.setText("Cancelling…")

    def _busy(self, busy: bool) -> None:
        if not busy:
            self.progress.hide()
            self.cancel_job_button.hide()
            self._job = None

    def set_mode(self, mode: str) -> None:
        app = QApplication.instance()
        if app is not None:
            theme.apply(app, mode)
        if self.theme_box.currentData() != mode:
            self.theme_box.blockSignals(True)
            self.theme_box.setCurrentIndex(self.theme_box.findData(mode))
            self.theme_box.blockSignals(False)
        self.ctx.set_mode(mode)

    def _user_changed(self, name: str) -> None:
        if name.strip():
            self.ctx.set_user(name.strip())

    def _show_user(self, name: str) -> None:
        if self.user_box.currentText() != name:
            self.user_box.blockSignals(True)
            if self.user_box.findText(name) < 0:
                self.user_box.addItem(name)
            self.user_box.setCurrentText(name)
            self.user_box.blockSignals(False)

    def add_users(self, names: list[str]) -> None:
        for n in names:
            if self.user_box.findText(n) < 0:
                self.user_box.addItem(n)

    # ---- persistence ----------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        s = self.ctx.settings
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_settings(self) -> None:
        s = self.ctx.settings
        if not self.screens:
            return  # closed while still starting: keep the layout saved last time
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        current = self.tabs.currentWidget()
        s.setValue("window/tab", next((k for k, w in self.screens.items() if w is current), ""))
        s.setValue("window/theme", self.ctx.mode)
        for w in self.screens.values():
            save = getattr(w, "save_settings", None)
            if callable(save):
                save()
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.team.stop()
        review = self.review
        if review is not None and review.bundle is not None:
            review.bundle.frame.stop_warming()  # do not keep the closing window waiting on sorts
        self.ctx.shutdown()
        fut = self.demo_future
        if fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None \
                and self.ctx.demo is None:
            fut.result().stop()  # the demo's sandboxes finished starting as the window closed
        if self.ctx.demo is not None:
            self.ctx.demo.stop()
            self.ctx.demo = None
        super().closeEvent(event)


# ---- starting the app -----------------------------------------------------------------------

def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("recon-workbench")
    return app


def build_window(store, *, user: str | None = None, mode: str | None = None,
                 only: tuple[str, ...] | None = None) -> MainWindow:
    """A ready main window over ``store`` (not shown yet). Used by the app, the demo, screenshots and tests."""
    from workbench.team.users import acting_user
    settings = open_settings()
    mode = theme.resolve_mode(settings, mode)
    if user is None:
        with store.session() as s:
            user = acting_user(s, None)
    app = make_app()
    theme.apply(app, mode)
    ctx = AppContext(store, user, settings, mode=mode)
    return MainWindow(ctx, only=only)


def run_gui(args: argparse.Namespace) -> int:
    """`workbench` / `workbench gui [--db URL] [--run ID]`: open on the last (or the given) run."""
    app = make_app()
    win = open_window(args)
    win.ctx.keep_job_process_ready()
    close_on_interrupt(win)
    if getattr(args, "close_when_ready", False):
        from app.startup_check import close_when_ready
        close_when_ready(win)
    try:
        return int(app.exec())
    finally:
        win.ctx.shutdown()  # closing the window did this already, unless the app quit another way
        if win.ctx.store is not None:
            win.ctx.store.dispose()


def close_on_interrupt(win: MainWindow) -> None:
    """Ctrl+C in the terminal that started the app closes the window the normal way (settings
    saved, running jobs cancelled). Python only sees the signal when it runs some code, so a
    timer gives it that chance while Qt's event loop waits."""
    signal.signal(signal.SIGINT, lambda *_: win.close())
    timer = QTimer(win)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def open_window(args: argparse.Namespace) -> MainWindow:
    """Show the window at once; the database opens (and pandas, SQLAlchemy... import) on the
    database worker, then the screens appear and the last run loads. Errors land in the window."""
    app = make_app()
    settings = open_settings()
    mode = theme.resolve_mode(settings)
    theme.apply(app, mode)
    ctx = AppContext(None, getattr(args, "user", None) or "", settings, mode=mode)
    win = MainWindow(ctx, install=False)
    win.status_text.setText("Opening the database…")
    win.show()

    def ready(result: tuple[Any, str]) -> None:
        ctx.store, ctx.user = result
        win.user_box.setItemText(0, ctx.user)
        win.install_screens()
        win.start(getattr(args, "run", None))

    def failed(message: str) -> None:
        ctx.error(message)
        win.status_text.setText("No database open")

    ctx.db.submit(open_for_gui, getattr(args, "db", None), getattr(args, "user", None), on_done=ready,
                  on_error=failed)
    return win


def open_for_gui(url: str | None, user: str | None) -> tuple[Any, str]:
    """Worker side of startup: open (migrate) the store, resolve the user, warm the screens' imports."""
    import app.data  # noqa: F401  (pandas, pyarrow: imported here, off the GUI thread)
    from workbench.store.db import open_store
    from workbench.store.queue_read import load_driver
    from workbench.team.users import acting_user
    store = open_store(url)
    load_driver(store)  # here, not during the first run's opening (see load_driver)
    with store.session() as s:
        return store, acting_user(s, user)


def run_demo_gui(args: argparse.Namespace) -> int:
    """`workbench demo`: the window opens at once while the demo's sandboxes start and the first run pulls."""
    from workbench import demo as demo_mod
    from workbench.store.db import open_store
    store = open_store(getattr(args, "db", None) or demo_mod.demo_db_url())
    app = make_app()
    win: MainWindow | None = None
    try:
        win = build_demo_window(store)
        win.show()
        win.ctx.keep_job_process_ready()
        close_on_interrupt(win)
        start_demo(win, customers=getattr(args, "customers", None) or demo_mod.DEMO_CUSTOMERS)
        return int(app.exec())
    finally:
        if win is not None:
            win.ctx.shutdown()
        store.dispose()


def build_demo_window(store) -> MainWindow:
    """The demo's window: both demo users, on the review queue the demo announces (whatever tab was last)."""
    from workbench import demo as demo_mod
    win = build_window(store, user=demo_mod.DEMO_PREPARER)
    win.add_users([demo_mod.DEMO_PREPARER, demo_mod.DEMO_APPROVER])
    win.show_screen("review")
    return win


def start_demo(win: MainWindow, *, customers: int, workdir=None) -> QtProgress:
    """Prepare the demo and pull its first run in the background; the window shows progress.

    The sandboxes start in this process (on a pool thread) and keep serving it; the run itself
    goes to a child process like every run from the window, so the window stays responsive.
    """
    from workbench import demo as demo_mod
    from workbench.jobs import demo_run
    ctx = win.ctx
    progress = QtProgress(win)
    win.follow_progress(progress)
    win.refresh_runs()

    def failed(message: str) -> None:
        ctx.error(f"The demo could not start: {message}")

    def started(demo: demo_mod.Demo) -> None:
        ctx.demo = demo
        ctx.jobs.submit_isolated(demo_run, str(demo.config_path), ctx.store, user=demo_mod.DEMO_PREPARER,
                                 state=progress, on_done=done, on_error=failed)

    def done(result) -> None:
        ctx.info(f"Demo run #{result.run_id} ready: review as {demo_mod.DEMO_PREPARER}, switch the user to "
                 f"{demo_mod.DEMO_APPROVER} to approve")
        ctx.runs_changed.emit()
        ctx.open_run(result.run_id)

    win.demo_future = ctx.jobs.submit(demo_mod.prepare_demo, workdir, customers=customers, state=progress,
                                      on_done=started, on_error=failed)
    return progress
