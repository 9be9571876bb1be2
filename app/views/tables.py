"""The read-only list tables the screens share: whole rows selected, no wrapping, compact rows."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QTableView, QWidget


def rows_table(parent: QWidget, model: QAbstractItemModel, name: str, widths: tuple[int, ...], *,
               single: bool = True, padding: int = 8) -> QTableView:
    """A table of ``model``'s rows named ``name`` for screen readers; ``widths`` of the first columns,
    the last one stretched; ``single`` selects one row at a time."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + padding)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    view.horizontalHeader().setStretchLastSection(True)
    return view
