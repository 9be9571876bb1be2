"""Starting the app: the window shows at once, then opens the last run; a bad database is said in the window."""

import argparse
import threading

from app.main_window import open_window
from app.screens import Screen, register_screen, screens
from tests.app.conftest import seed_run
from tests.helpers.qt import WAIT_MS


def test_the_window_shows_before_the_database_is_open_then_opens_the_last_run(qtbot, store, tmp_path, monkeypatch):
    import app.main_window as main_window

    seed_run(store, run_name="September close")
    last = seed_run(store, run_name="October close")
    # The store opens on the worker: hold it there until the window has been seen without it
    # (on a busy machine the worker could otherwise finish before the first look).
    opened = threading.Event()
    real_open = main_window.open_for_gui

    def held_open(url, user):
        assert opened.wait(WAIT_MS / 1000), "the test never let the store open"
        return real_open(url, user)

    monkeypatch.setattr(main_window, "open_for_gui", held_open)
    win = open_window(argparse.Namespace(db=store.url, run=None, user="alice"))
    qtbot.addWidget(win)
    assert win.isVisible() and win.screens == {}  # visible while the store opens on the worker
    opened.set()
    qtbot.waitUntil(lambda: win.review is not None and win.review.bundle is not None, timeout=WAIT_MS)
    assert win.review.bundle.run["id"] == last
    assert "October close" in win.windowTitle()
    qtbot.waitUntil(lambda: win.run_box.count() == 2, timeout=WAIT_MS)
    assert win.run_box.currentData() == last
    win.close()
    win.ctx.store.dispose()


def test_a_database_that_cannot_be_opened_is_reported_in_the_window(qtbot, tmp_path):
    bad = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"
    win = open_window(argparse.Namespace(db=bad, run=None, user="alice"))
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.message_box.isVisible(), timeout=WAIT_MS)
    assert "cannot open the database" in win.message_bar.text()
    assert "Traceback" not in win.message_bar.text()
    win.close()


def test_a_registered_screen_gets_a_tab_and_the_shared_context(qtbot, window, seeded):
    from PySide6.QtWidgets import QLabel

    from app.main_window import build_window
    made = []

    class Hello(QLabel):
        def __init__(self, ctx):
            super().__init__(f"hello {ctx.user}")
            made.append(ctx)

    register_screen(Screen(key="zz_test_hello", title="Hello", factory=Hello, order=999))
    try:
        store, _ = seeded
        win = build_window(store, user="carol")
        qtbot.addWidget(win)
        assert win.tabs.tabText(win.tabs.count() - 1) == "Hello"
        assert win.show_screen("zz_test_hello") and made[0] is win.ctx
        assert [s.key for s in screens()][-1] == "zz_test_hello"
        win.close()
    finally:
        from app import screens as registry
        registry._REGISTRY.pop("zz_test_hello", None)


def test_ctrl_c_in_the_terminal_closes_the_window_the_normal_way(qtbot, store):
    import signal

    from app.main_window import build_window, close_on_interrupt
    previous = signal.getsignal(signal.SIGINT)
    win = build_window(store, user="alice")
    qtbot.addWidget(win)
    win.show()
    try:
        close_on_interrupt(win)
        signal.raise_signal(signal.SIGINT)
        qtbot.waitUntil(lambda: not win.isVisible(), timeout=WAIT_MS)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_app_keeps_a_job_process_ready_for_the_next_run_or_push(qtbot, store):
    import multiprocessing

    from app.main_window import build_window

    def waiting() -> list:
        return [p for p in multiprocessing.active_children() if p.name == "workbench-job"]

    win = build_window(store, user="alice")
    qtbot.addWidget(win)
    try:
        win.ctx.keep_job_process_ready()
        qtbot.waitUntil(lambda: len(waiting()) == 1, timeout=WAIT_MS)
    finally:
        win.close()
    assert waiting() == []  # closing the window lets it go
