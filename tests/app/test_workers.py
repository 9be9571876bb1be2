"""Work off the GUI thread: results and errors arrive on the GUI thread, cancel reaches the job."""

import threading

import pytest
from PySide6.QtCore import QThread

from app.workers import QtProgress, Worker
from workbench.errors import InputError
from workbench.progress import check_cancelled, report
from tests.helpers.qt import WAIT_MS


@pytest.fixture
def worker():
    w = Worker("test", threads=1)
    yield w
    w.shutdown()


def test_results_come_back_on_the_gui_thread_in_submission_order(qtbot, worker):
    seen, threads = [], []
    gui = QThread.currentThread()
    for i in range(5):
        worker.submit(lambda i=i: (threads.append(threading.current_thread().name), i)[1],
                      on_done=lambda v: seen.append((v, QThread.currentThread() == gui)))
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=WAIT_MS)
    assert seen == [(i, True) for i in range(5)]
    assert all(t.startswith("test") for t in threads)  # the work itself ran off the GUI thread
    qtbot.waitUntil(lambda: not worker.busy, timeout=WAIT_MS)


def test_a_failing_job_gives_one_line_not_a_traceback(qtbot, worker):
    errors = []

    def bad():
        raise InputError("expected a number", file="a.csv", row=3, column="Amount")

    worker.submit(bad, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert errors == ["a.csv, row 3, column 'Amount': expected a number"]
    with qtbot.wait_signal(worker.failed, timeout=WAIT_MS) as blocker:
        worker.submit(lambda: 1 / 0)
    assert blocker.args[0].startswith("internal error: ZeroDivisionError") and "\n" not in blocker.args[0]


def test_cancel_reaches_a_running_core_job_and_progress_is_reported(qtbot, worker):
    progress = QtProgress()
    got, outcome = [], []
    progress.progress.connect(lambda done, total, msg: got.append((done, total, msg)))
    started = threading.Event()

    def job(state):
        started.set()
        n = 0
        while True:  # a core loop: report between units of work until cancelled
            n += 1
            report(state, n, None, f"page {n}")
            check_cancelled(state)

    worker.submit(job, progress, on_error=outcome.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    assert got[0][2].startswith("page ")
    progress.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=WAIT_MS)
    assert outcome == ["cancelled by the user"]


def test_progress_is_throttled_but_the_final_update_always_arrives(qtbot):
    progress = QtProgress()
    got = []
    progress.source_progress.connect(lambda side, done, total, msg: got.append((side, done, total)))
    for i in range(1, 10001):
        progress.set_source_progress("crm", i, 10000, "")
    assert 1 <= len(got) < 100
    assert got[-1] == ("crm", 10000, 10000)
