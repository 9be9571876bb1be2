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
from workbench.model.labels import type_label


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


def _axis_labels(view) -> list[str]:
    """The words Qt Charts drew on the chart (its axis labels are text items of the chart's scene)."""
    from PySide6.QtGui import QTextDocument
    items, todo = [], list(view.chart().childItems())
    while todo:
        item = todo.pop()
        items.append(item.toGraphicsObject())
        todo += item.childItems()
    return [doc.toPlainText() for o in items if o is not None for doc in o.findChildren(QTextDocument)
            if doc.toPlainText()]


def test_at_1024_by_700_the_dashboards_bars_are_named_and_its_tiles_cut_with_the_whole_on_hover(qtbot, small):
    """Twelve bars in a chart 250 px high and 490 wide: Qt Charts cut every type's name to '...'. The charts
    now keep room for eight named bars (the screen scrolls), a lower chart shows fewer bars (the rest on its
    "+N more types" bar), and a window too narrow for two charts with whole names puts one under the other."""
    d = small.screens["dashboard"]
    small.show_screen("dashboard")

    def named_whole(view, categories: list[str]) -> bool:
        """Each bar of the chart as drawn carries its whole name (the chart lays its labels out when painted)."""
        drawn = _axis_labels(view)
        return all(type_label(t) in drawn if t else any(n.startswith("+") for n in drawn) for t in categories) \
            and not [name for name in drawn if name.endswith("...")]

    def settled() -> bool:
        return d.data is not None and named_whole(d.type_view, d.type_categories) and \
            named_whole(d.risk_view, d.risk_categories)

    qtbot.waitUntil(settled, timeout=WAIT_MS)
    assert len(d.type_categories) >= 8 and d.type_categories[0] == ""  # the "more" bar holds the rest
    tile = d.propagation
    fm = tile.fontMetrics()
    assert all(fm.horizontalAdvance(line) <= tile.width() for line in tile.text().split("\n"))
    assert tile.toolTip().split() == tile.accessibleDescription().split()  # the whole tile, on hover
    # a high window: all twelve bars, side by side, each named whole
    small.resize(1920, 1080)
    qtbot.waitUntil(lambda: len(d.type_categories) == 12 and settled(), timeout=WAIT_MS)
    assert d.type_view.geometry().top() == d.risk_view.parentWidget().geometry().top()


def test_the_side_by_side_names_the_systems_and_gives_the_values_room_at_1024(qtbot, small):
    """Its headers read 'CRM · salesforce' and 'ERP · business_central' (codes), and its field column, as
    wide as 'Status as the system shows it', left each value about 50 px at 1024 ('Canc…', '50,6…')."""
    side = small.review.side
    QApplication.processEvents()
    model, header = side.fields, side.table.horizontalHeader()
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert names[1:] == ["CRM · Salesforce", "ERP · Business Central"]
    assert [model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) for c in range(3)] == names
    amount = side.table.fontMetrics().horizontalAdvance("1,200.00 EUR") + 8
    assert header.sectionSize(1) >= amount and header.sectionSize(2) >= amount


def test_in_a_wide_window_the_values_share_the_room_and_a_dragged_width_stays(qtbot, small):
    """At 1920 px the CRM and ERP values kept 100 px ('Blocked for e…') beside 600 px of Type."""
    q = small.review.queue
    small.resize(1920, 1080)
    erp = COLUMN_KEYS.index("erp_value")
    row = next(r for r in range(q.model.rowCount())
               if q.model.index(r, erp).data() == "Blocked for everything (All)")
    qtbot.waitUntil(lambda: not q.table.isColumnHidden(erp), timeout=WAIT_MS)
    QApplication.processEvents()
    assert q.table.columnWidth(erp) >= q.table.fontMetrics().horizontalAdvance(q.model.index(row, erp).data()) + 8
    q.table.horizontalHeader().resizeSection(erp, 130)  # the user drags it narrower
    small.resize(1900, 1080)
    QApplication.processEvents()
    assert q.table.columnWidth(erp) == 130
