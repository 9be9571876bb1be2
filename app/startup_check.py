"""``workbench gui --close-when-ready``: open the window, wait until it is ready to use, close it.

For whoever installs the app for others (an IT rollout, the bundle's smoke test, a start-time
measurement): it proves, on that machine, that the window comes up, the database opens (and
migrates), the screens load the last run and a job runs in a job process (the process runs, pushes and
exports use), then exits 0. An error shown in the window before that is printed and makes the
exit code 1.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow

POLL_MS = 50  # how often to look; the window's own work is all on its workers and the event loop


class CloseWhenReady(QObject):
    def __init__(self, win: MainWindow):
        super().__init__(win)
        self.win = win
        self.shown = False
        self.job_sent = False
        self.job_answered = False
        QApplication.instance().setQuitOnLastWindowClosed(False)  # we choose the exit code below
        win.ctx.message.connect(self._message)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._poll)
        self.timer.start(POLL_MS)

    def _poll(self) -> None:
        handle = self.win.windowHandle()
        if not self.shown and handle is not None and handle.isExposed():
            self.shown = True
            print("Recon Workbench: window shown", file=sys.stderr, flush=True)
        ctx = self.win.ctx
        if not (self.shown and ctx.store is not None and not ctx.db.busy):
            return
        if not self.job_sent:
            self.job_sent = True
            from app.process_check import process_id
            from workbench.isolated import run_isolated
            ctx.jobs.submit(run_isolated, process_id, on_done=self._answered, on_error=self._failed)
        elif self.job_answered and not ctx.jobs.busy:
            print("Recon Workbench: ready (database open, screens loaded, job process answered); closing",
                  file=sys.stderr, flush=True)
            self._finish(0)

    def _answered(self, pid: int) -> None:
        if pid == os.getpid():
            self._failed("the job ran in the window's process, not in a job process")
        else:
            self.job_answered = True

    def _failed(self, text: str) -> None:
        self._message("error", f"the job process did not answer: {text}")

    def _message(self, level: str, text: str) -> None:
        if level == "error":
            print(f"Recon Workbench: error: {text}", file=sys.stderr, flush=True)
            self._finish(1)

    def _finish(self, code: int) -> None:
        self.timer.stop()
        self.win.close()  # the normal close: settings saved, workers shut down
        QApplication.instance().exit(code)


def close_when_ready(win: MainWindow) -> CloseWhenReady:
    return CloseWhenReady(win)
