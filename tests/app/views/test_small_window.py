"""A 1024×700 window (a laptop, a projector at the month-end meeting): every screen fits it, and the review
queue keeps the columns a controller reads first readable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.main_window import build_window
from app.models.queue_frame import COLUMN_KEYS
from tests.helpers.month_end_run import seed_month_end
from tests.helpers.qt import WAIT_MS


@pytest.fixture
def small(qtbot, store):
    seed_month_end(store)
    win = build_window(store, user="alice")
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    win.show_screen("review")
    with qtbot.wait_signal(win.review.loaded, timeout=WAIT_MS):
        win.start()
    qtbot.waitUntil(lambda: win.review.side.detail is not None, timeout=WAIT_MS)
    yield win
    win.close()


def test_every_screen_fits_a_1024_by_700_window(qtbot, small):
    """The queue's type filter was as wide as its longest type, so the window could not be narrower than
    1,119 px: on a 1024 px screen At risk and Status lay past its edge."""
    for key in small.screens:
        small.show_screen(key)
        QApplication.processEvents()
        hint = small.minimumSizeHint()
        assert (hint.width(), hint.height()) <= (1024, 700), key
        assert small.width() == 1024, key


def _header(q, key: str) -> int:
    return q.table.horizontalHeader().sectionSize(COLUMN_KEYS.index(key))


def _fits(q, key: str) -> bool:
    """The column's cells and its header are shown whole (no '…')."""
    col = COLUMN_KEYS.index(key)
    fm = q.table.fontMetrics()
    widest = max(fm.horizontalAdvance(str(q.model.index(r, col).data())) for r in range(q.model.rowCount()))
    return _header(q, key) >= widest + 8


def test_at_1024_the_queue_reads_type_customer_amount_and_status_without_scrolling(qtbot, small):
    """At 1024 px Type read 'C…e' and Customer 'Car…': the CRM and ERP values (beside, in the side by side)
    now fold away while the window is that narrow, and come back when it is wide again."""
    q = small.review.queue
    QApplication.processEvents()
    shown = [q.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMN_KEYS))
             if not q.table.isColumnHidden(c)]
    assert shown == ["Severity", "Type", "Customer", "Document", "At risk", "Age", "Status"]
    assert not q.table.horizontalScrollBar().isVisible()
    # the common types whole ("Invoice status differs"), the longest cut in the middle with the whole on hover
    assert _header(q, "type") >= q.table.fontMetrics().horizontalAdvance("Invoice status differs") + 8
    assert _header(q, "customer_name") >= 150
    assert all(_fits(q, k) for k in ("severity", "document", "amount_at_risk", "status"))
    small.resize(1440, 900)
    QApplication.processEvents()
    assert not q.table.isColumnHidden(COLUMN_KEYS.index("crm_value"))
    assert not q.table.isColumnHidden(COLUMN_KEYS.index("erp_value"))


def test_a_value_column_the_user_asks_for_stays_in_a_narrow_window(qtbot, small):
    q = small.review.queue
    QApplication.processEvents()
    crm = COLUMN_KEYS.index("crm_value")
    q._choose_column(crm, True)  # what the header's right-click menu does
    small.resize(1030, 700)
    QApplication.processEvents()
    assert not q.table.isColumnHidden(crm)
    # a folded column is saved as shown: the next session in a wide window shows it
    erp = COLUMN_KEYS.index("erp_value")
    assert q.table.isColumnHidden(erp)
    state = q.header_state()
    q.restore_header_state(state)
    small.resize(1440, 900)
    QApplication.processEvents()
    assert not q.table.isColumnHidden(erp)
