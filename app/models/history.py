"""An exception's history (earlier runs, decisions, comments) as a small table model."""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.models.values import shown_value
from workbench.model.labels import MISSING, exception_status_label
from workbench.model.missing import is_missing

HEADERS = ["When", "Who", "What"]


def describe(entry: dict[str, Any], field: str | None = None, currency: str | None = None) -> str:
    """One line of history in words: values as the queue shows them (money with its currency,
    "—" for none), states as words, actions as sentences."""
    kind = entry.get("kind")
    if kind == "seen":
        crm, erp = entry.get("crm_value"), entry.get("erp_value")
        vals = (f": CRM {shown_value(crm, field, currency)}, ERP {shown_value(erp, field, currency)}"
                if not (is_missing(crm) and is_missing(erp)) else "")
        return f"Seen in run {entry.get('run_id')} ({exception_status_label(entry.get('status') or 'open')}){vals}"
    if kind == "comment":
        return f"Comment: {entry.get('text') or MISSING}"
    detail = entry.get("detail") or {}
    action = str(entry.get("action") or "")
    words = action.replace(".", " ").replace("_", " ").strip()
    bits = [words[:1].upper() + words[1:] if words else MISSING]
    if detail.get("reason"):
        bits.append(f"— {detail['reason']}")
    if "assignee_after" in detail:
        bits.append(f"→ {detail['assignee_after'] or 'nobody'}")
    if detail.get("correction_id"):
        bits.append(f"(correction {detail['correction_id']})")
    return " ".join(bits)


def _when(v: Any) -> str:
    if isinstance(v, datetime):
        v = v if v.tzinfo else v.replace(tzinfo=UTC)
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return MISSING if v is None else str(v)


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, str, str]] = []

    def set_entries(self, entries: list[dict[str, Any]], field: str | None = None,
                    currency: str | None = None) -> None:
        """``field`` and ``currency``: the exception's, so its values read as in the queue."""
        self.beginResetModel()
        # Newest first: the latest decision is what a reviewer needs to see.
        self._rows = [(_when(e.get("at")), str(e.get("actor") or ("engine" if e.get("kind") == "seen" else MISSING)),
                       describe(e, field, currency)) for e in reversed(entries)]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < 3:
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags
