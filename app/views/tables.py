"""The read-only list tables the screens share: whole rows selected, no wrapping, compact rows."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget


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


def sortable(view: QTableView) -> None:
    """A click on a header sorts by that column's values (RowsModel.sort: amounts as numbers); until
    then the rows stay in the order the screen listed them."""
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)


# The widest amount a column should show whole: eight digits with their separators and decimals, and a
# currency code (an at-risk amount cut to "156,157.25 ..." hides its currency).
WIDEST_AMOUNT = "-99,999,999.99 WWW"


def amount_width(widget: QWidget) -> int:
    """Pixels an amount column needs in ``widget``'s font, with the cell's margins."""
    return widget.fontMetrics().horizontalAdvance(WIDEST_AMOUNT) + 16


class MiddleElide(QStyledItemDelegate):
    """Cuts a long cell in the middle: labels that differ at their end ("Invoice missing in CRM" and "… in
    ERP") stay told apart when the column is narrow, where Qt's default would leave "Invoice missing in C…"."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle
