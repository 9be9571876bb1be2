"""The exception queue's Qt model: a window onto QueueFrame columns through a row permutation.

``data()`` does O(1) work (two array lookups and, for money, one format call), so a
view over a million rows paints as fast as over a hundred. Sort and filter
recompute ``perm`` in numpy; "select all matching" is a flag here, not a Qt
selection of a million indexes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.models.queue_frame import COLUMN_KEYS, COLUMNS, SEVERITIES, QueueFilter, QueueFrame, document_text
from app.models.values import risk_text, shown_value
from workbench.model.labels import (MISSING, exception_status_label, field_label, is_number_field, severity_label,
                                    type_label)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 2
_EMPTY = np.zeros(0, dtype=np.int64)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_HANDLED = frozenset({_DISPLAY, _TOOLTIP, _BACKGROUND, _ALIGN, int(ID_ROLE), int(SEVERITY_ROLE)})
_VALUE_KEYS = ("crm_value", "erp_value")
HEADER_TIPS = {"severity": "How much this exception matters", "type": "What differs (the check's code on hover)",
               "document": "The invoice, order, product or customer number to look the record up by",
               "crm_value": "The value in the CRM, as money in the exception's currency where it is an amount",
               "erp_value": "The value in the ERP", "amount_at_risk": "The amount at risk, in its currency",
               "age": "Days since the exception was first seen", "status": "Where the exception stands",
               "field": "The field that differs", "crm_id": "The CRM's own record id",
               "erp_id": "The ERP's own record id"}


class ExceptionTableModel(QAbstractTableModel):
    filter_changed = Signal()          # after perm changed (filter, search, sort or reload)
    select_all_changed = Signal(bool)

    def __init__(self, parent=None, *, palette: dict | None = None):
        super().__init__(parent)
        self._frame: QueueFrame | None = None
        self._perm: np.ndarray = _EMPTY
        self._filter = QueueFilter()
        self._sort: tuple[int, bool] | None = None  # (column, descending)
        self._all_matching = False
        self._severity_brushes: list[QBrush | None] = []
        self._brush_by_code: list[QBrush | None] = [None]
        self._sev_codes = np.zeros(0, dtype=np.int32)
        self.set_palette(palette or {})

    # ---- state ----------------------------------------------------------------------------
    @property
    def frame(self) -> QueueFrame | None:
        return self._frame

    @property
    def queue_filter(self) -> QueueFilter:
        return self._filter

    @property
    def sort_state(self) -> tuple[int, bool] | None:
        return self._sort

    @property
    def total(self) -> int:
        return 0 if self._frame is None else len(self._frame)

    def set_palette(self, palette: dict) -> None:
        sev = palette.get("severity", {})
        # Row tint by severity: a row shows it matters even when its differing cell is scrolled away.
        self._severity_brushes = [QBrush(QColor(sev[s])) if s in sev else None for s in SEVERITIES]
        self._index_brushes()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.BackgroundRole])

    def _index_brushes(self) -> None:
        """Brush per severity code (last entry for code -1), so data() does one lookup per cell."""
        if self._frame is None:
            self._brush_by_code, self._sev_codes = [None], np.zeros(0, dtype=np.int32)
            return
        cat = self._frame.cats["severity"]
        by_name = dict(zip(SEVERITIES, self._severity_brushes))
        self._brush_by_code = [by_name.get(v) for v in cat.values] + [None]
        self._sev_codes = cat.codes

    def set_frame(self, frame: QueueFrame | None) -> None:
        self.beginResetModel()
        self._frame = frame
        self._index_brushes()
        self._all_matching = False
        self._perm = self._compute_perm()
        self.endResetModel()
        self.select_all_changed.emit(False)
        self.filter_changed.emit()

    def set_filter(self, f: QueueFilter) -> None:
        if f == self._filter:
            return
        self._filter = f
        self._refresh()

    def _refresh(self) -> None:
        self.layoutAboutToBeChanged.emit()
        old_ids = self._persistent_ids()
        self._perm = self._compute_perm()
        self._remap_persistent(old_ids)
        self.layoutChanged.emit()
        if self._all_matching:
            # The selection follows the filter: "all matching" always means the current matches.
            self.select_all_changed.emit(True)
        self.filter_changed.emit()

    def _compute_perm(self) -> np.ndarray:
        fr = self._frame
        if fr is None:
            return _EMPTY
        mask = fr.mask(self._filter)
        if self._sort is None:
            return np.flatnonzero(mask)
        col, desc = self._sort
        order = fr.order(COLUMNS[col][0], desc)
        return order[mask[order]]

    def _persistent_ids(self) -> list[tuple[QModelIndex, int | None]]:
        out = []
        for idx in self.persistentIndexList():
            row = idx.row()
            out.append((idx, int(self._frame.ids[self._perm[row]]) if 0 <= row < len(self._perm) else None))
        return out

    def _remap_persistent(self, old: list[tuple[QModelIndex, int | None]]) -> None:
        if not old:
            return
        olds, news = [], []
        ids_in_order = self._frame.ids[self._perm] if self._frame is not None else _EMPTY
        for idx, ex_id in old:
            hit = np.flatnonzero(ids_in_order == ex_id) if ex_id is not None else _EMPTY
            olds.append(QModelIndex(idx))
            news.append(self.index(int(hit[0]), idx.column()) if len(hit) else QModelIndex())
        self.changePersistentIndexList(olds, news)

    # ---- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._perm)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks for a dozen roles per cell on every paint; answer the unused ones first and cheaply.
        if role not in _HANDLED or self._frame is None:
            return None
        row = int(self._perm[index.row()])
        if role == _DISPLAY:
            return self._text(COLUMN_KEYS[index.column()], row)
        if role == _TOOLTIP:
            return self._tip(COLUMN_KEYS[index.column()], row)
        if role == _BACKGROUND:
            return self._brush_by_code[self._sev_codes[row]]
        if role == _ALIGN:
            return _RIGHT if self._right(COLUMN_KEYS[index.column()], row) else None
        if role == ID_ROLE:
            return int(self._frame.ids[row])
        return self._frame.value("severity", row)  # SEVERITY_ROLE

    def _text(self, key: str, row: int) -> str:
        """A cell as a controller reads it: words for codes, money with its currency, "—" for nothing.
        O(1): a lookup or one format call, whatever the number of rows."""
        fr = self._frame
        v = fr.value(key, row)
        if key == "type":
            return type_label(v)
        if key == "severity":
            return severity_label(v)
        if key == "status":
            return exception_status_label(v or "open")  # a row the store has no status for is open
        if key == "document":
            return MISSING if v is None else str(v)  # its kind is in the type beside it, and on hover
        if key in _VALUE_KEYS:
            return shown_value(v, fr.value("field", row), fr.value("currency", row))
        if key == "amount_at_risk":
            return risk_text(v, fr.value("currency", row))
        if key == "age":
            return MISSING if v < 0 else f"{int(v)} d"
        if key == "field":
            return field_label(v)
        return MISSING if v is None or v == "" else str(v)

    def _tip(self, key: str, row: int) -> str:
        fr = self._frame
        if key == "type":
            return f"{type_label(fr.value('type', row))} ({fr.value('type', row)})"
        if key == "document":
            return (f"{document_text(fr.value('document_kind', row), fr.value('document', row))}"
                    f"\nCRM record: {fr.value('crm_id', row) or MISSING}"
                    f"\nERP record: {fr.value('erp_id', row) or MISSING}")
        if key in _VALUE_KEYS:
            return f"{field_label(fr.value('field', row))}: {self._text(key, row)}"
        if key == "status":
            return f"{self._text(key, row)} ({fr.value('status', row) or 'open'})"
        if key == "field":
            return fr.value("field", row) or MISSING
        if key == "amount_at_risk" and self._text(key, row) == MISSING:
            return "Nothing at risk: this exception puts no amount of money at risk"
        return self._text(key, row)

    def _right(self, key: str, row: int) -> bool:
        if key in ("amount_at_risk", "age"):
            return True
        return key in _VALUE_KEYS and is_number_field(self._frame.value("field", row))

    def multiData(self, index: QModelIndex | QPersistentModelIndex, span) -> None:
        """All the roles a delegate asks for while painting a cell, in one call instead of seven."""
        if self._frame is None or not index.isValid():
            for rd in span:
                rd.clearData()
            return
        row = int(self._perm[index.row()])
        key = COLUMN_KEYS[index.column()]
        for rd in span:
            role = rd.role()
            if role == _DISPLAY:
                rd.setData(self._text(key, row))
            elif role == _TOOLTIP:
                rd.setData(self._tip(key, row))
            elif role == _BACKGROUND:
                brush = self._brush_by_code[self._sev_codes[row]]
                if brush is None:
                    rd.clearData()
                else:
                    rd.setData(brush)
            elif role == _ALIGN and self._right(key, row):
                rd.setData(_RIGHT)
            else:
                rd.clearData()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _TOOLTIP and 0 <= section < len(COLUMNS):
            return HEADER_TIPS.get(COLUMNS[section][0])
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        return str(section + 1) if 0 <= section < len(self._perm) else None

    # flags(): Qt's C++ default (enabled, selectable) is what the queue needs, and it spares
    # a Python call per painted cell.

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            self._sort = None
        else:
            self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self._refresh()

    # ---- rows and selection ---------------------------------------------------------------
    def exception_id(self, row: int) -> int | None:
        if self._frame is None or not 0 <= row < len(self._perm):
            return None
        return int(self._frame.ids[self._perm[row]])

    def record(self, row: int) -> dict[str, Any] | None:
        if self._frame is None or not 0 <= row < len(self._perm):
            return None
        return self._frame.record(int(self._perm[row]))

    def row_of_id(self, exception_id: int) -> int | None:
        if self._frame is None:
            return None
        hit = np.flatnonzero(self._frame.ids[self._perm] == exception_id)
        return int(hit[0]) if len(hit) else None

    def matching_ids(self) -> np.ndarray:
        return _EMPTY if self._frame is None else self._frame.ids[self._perm]

    @property
    def all_matching_selected(self) -> bool:
        return self._all_matching

    def select_all_matching(self, on: bool = True) -> None:
        if self._all_matching != on:
            self._all_matching = on
            self.select_all_changed.emit(on)

    def type_counts(self) -> dict[str, int]:
        return {} if self._frame is None else self._frame.type_counts(self._filter)

    def apply_states(self, frame: QueueFrame, prepared: dict) -> int:
        """Show status/assignee as re-read from the store (``QueueFrame.prepare_states``)."""
        if self._frame is not frame:
            return 0  # another run was opened meanwhile
        n = self._frame.apply_states(prepared)
        if n:
            self._refresh()
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                      [Qt.ItemDataRole.DisplayRole])
        return n
