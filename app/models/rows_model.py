"""A small table model over a list of dicts, for the screens' short lists (runs, checks,
corrections, push results, field mappings, status maps).

These lists hold tens to thousands of rows, so a plain list is right; the million-row
exception queue has its own numpy model. Columns are declared once (key, header, how to
show a value); a column may be editable, and rows may be tinted by a callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

ROW_ROLE = Qt.ItemDataRole.UserRole + 1   # the row's dict
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2  # the cell's raw value (sorting, tests)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    show: Callable[[Any], str] | None = None   # raw value -> text (default: str, None -> "")
    editable: bool = False
    align_right: bool = False
    tooltip: Callable[[dict], str] | None = None
    sort_key: Callable[[dict], Any] | None = None  # what a click on the header sorts by (default: the raw value)


def plain(v: Any) -> str:
    return "" if v is None else str(v)


class RowsModel(QAbstractTableModel):
    edited = Signal(int, str, object)  # row, column key, new value

    def __init__(self, columns: list[Column], parent=None, *,
                 tint: Callable[[dict], str | None] | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict[str, Any]] = []
        self._tint = tint
        self._sort: tuple[int, bool] | None = None  # column, descending: kept when new rows arrive

    # ---- content ----------------------------------------------------------------------------
    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)  # the caller hands its rows over; copying 100k dicts would stall the GUI
        if self._sort is not None:
            self._order(*self._sort)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column's value, not its text: amounts as numbers ("9.00 EUR" before "10.00 EUR"),
        ids as numbers, nothing last either way."""
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        moved = [self.rows[ix.row()] for ix in before]
        self._order(*self._sort)
        where = {id(r): i for i, r in enumerate(self.rows)}
        self.changePersistentIndexList(before, [self.index(where[id(r)], ix.column()) for r, ix in zip(moved, before)])
        self.layoutChanged.emit()

    def _order(self, column: int, descending: bool) -> None:
        col = self.columns[column]
        raw = col.sort_key or (lambda r: r.get(col.key))

        def key(r: dict[str, Any]) -> Any:
            v = raw(r)
            return v.lower() if isinstance(v, str) else v
        present = [r for r in self.rows if key(r) is not None]
        absent = [r for r in self.rows if key(r) is None]
        try:
            present.sort(key=key, reverse=descending)
        except TypeError:  # values of mixed kinds: as text
            present.sort(key=lambda r: str(key(r)).lower(), reverse=descending)
        self.rows = present + absent

    def append(self, row: dict[str, Any]) -> None:
        n = len(self.rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self.rows.append(dict(row))
        self.endInsertRows()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()

    def set_value(self, row: int, key: str, value: Any) -> None:
        self.rows[row][key] = value
        col = next((i for i, c in enumerate(self.columns) if c.key == key), None)
        if col is not None:
            ix = self.index(row, col)
            self.dataChanged.emit(ix, ix)
        else:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def column_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def refresh_rows(self) -> None:
        """Repaint every cell after the rows' values were changed in place."""
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))

    def refresh_tints(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole])

    # ---- Qt ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.columns):
            return None
        row, col = self.rows[index.row()], self.columns[index.column()]
        v = row.get(col.key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (col.show or plain)(v)
        if role == Qt.ItemDataRole.EditRole:
            return plain(v)
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip(row) if col.tooltip else ((col.show or plain)(v) or None)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._tint is not None:
            c = self._tint(row)
            return QBrush(QColor(c)) if c else None
        if role == ROW_ROLE:
            return row
        if role == VALUE_ROLE:
            return v
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        col = self.columns[index.column()]
        if not col.editable:
            return False
        value = None if value in (None, "") else str(value).strip() or None
        self.rows[index.row()][col.key] = value
        self.dataChanged.emit(index, index)
        self.edited.emit(index.row(), col.key, value)
        return True

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()].editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].header
        return None
