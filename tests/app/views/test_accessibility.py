"""Every control of the review screen and the window's chrome has an accessible name, and Tab walks them."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
                               QWidget)
from tests.helpers.qt import WAIT_MS

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox)


def _controls(root: QWidget):
    for w in root.findChildren(QWidget):
        if isinstance(w, CONTROLS) and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox)) \
                and w.objectName() not in ("qt_spinbox_lineedit", "qt_scrollarea_viewport"):
            yield w


def test_every_control_has_an_accessible_name(window):
    roots = [window.review, window.findChild(QWidget, "runToolbar"), window.message_box]
    unnamed = [f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''}".strip()
               for root in roots for w in _controls(root)
               if w.window() is window and not w.accessibleName() and w.focusPolicy() != Qt.FocusPolicy.NoFocus
               and type(w).__name__ not in ("QToolButton",)]  # the toolbar's own extension arrow
    assert unnamed == []


def test_tab_moves_from_the_search_through_the_filters_to_the_table(qtbot, window):
    q = window.review.queue
    q.search.setFocus()
    qtbot.waitUntil(q.search.hasFocus, timeout=WAIT_MS)
    seen = []
    for _ in range(10):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        seen.append(window.focusWidget())
    assert seen[0] is q.type_box
    assert q.table in seen
