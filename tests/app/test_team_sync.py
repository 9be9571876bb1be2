"""Changes made by someone else appear in an open window without a restart, and the window
shows who else is working; nothing is reloaded when nothing changed."""

from PySide6.QtCore import Qt
from sqlalchemy import select

from workbench.review.assign import assign
from workbench.store.schema import ExceptionRow
from workbench.team import presence
from tests.helpers.qt import WAIT_MS


def test_an_assignment_by_someone_else_shows_up_in_the_open_queue(qtbot, window):
    win = window
    store = win.ctx.store
    qtbot.waitUntil(lambda: win.team.watcher is not None and not win.team._pending, timeout=WAIT_MS)
    with store.session() as s:
        first = s.execute(select(ExceptionRow.id).order_by(ExceptionRow.id)).scalars().first()
    presence.heartbeat(store, "bob", run_id=win.ctx.run_id, pid=424242)
    assign(store, [first], "bob", "bob")  # bob, in another app, takes one exception

    with qtbot.wait_signal(win.ctx.data_changed, timeout=WAIT_MS) as blocker:
        win.team.check()
    assert blocker.args == [None, None]  # unknown changes, nobody here asked: re-read what is shown
    model = win.review.queue.model
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Assignee")
    qtbot.waitUntil(lambda: model.data(model.index(model.row_of_id(first), col)) == "bob", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "bob" in win.others_label.text(), timeout=WAIT_MS)
    assert "Updated with changes by bob" in win.message_bar.text()


def test_no_change_means_no_reload(qtbot, window):
    win = window
    qtbot.waitUntil(lambda: win.team.watcher is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not win.team._pending, timeout=WAIT_MS)
    with qtbot.assert_not_emitted(win.ctx.data_changed, wait=300):
        win.team.check()
        qtbot.waitUntil(lambda: not win.team._pending, timeout=WAIT_MS)
