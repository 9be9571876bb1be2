"""Side-by-side rows: one canonical field per row, CRM value | ERP value, with how they compare.

States (tinted from the palette, Meld style):
  same      both sides agree (no tint)
  changed   both sides have a value and they differ
  conflict  the field this exception is about (the engine flagged it)
  missing   a value on one side only
  absent    that side has no record at all (grey)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.models.values import shown_value
from workbench.model.labels import field_label, is_number_field

STATE_ROLE = Qt.ItemDataRole.UserRole + 10
FIELD_ROLE = Qt.ItemDataRole.UserRole + 11
HEADERS = ["Field", "CRM", "ERP"]
# Bookkeeping fields a reviewer never needs side by side.
_HIDDEN = {"version", "last_modified", "content_hash"}
# Each system's own keys differ by nature; they are shown, but only tinted when the engine flags them
# (a wrong cross-reference is a real difference).
IDENTITY = {"record_id", "customer_id", "xref", "order_id", "product_id", "parent_id"}


@dataclass(frozen=True)
class FieldRow:
    field: str
    crm: str | None
    erp: str | None
    state: str  # same | changed | conflict | missing | absent


def compare_records(crm: dict[str, Any] | None, erp: dict[str, Any] | None, *,
                    flagged: set[str] | None = None, main_field: str | None = None) -> list[FieldRow]:
    """Align two canonical records field by field (flagged = fields the engine reported as differing)."""
    flagged = set(flagged or ())
    names: list[str] = []
    for rec in (crm, erp):
        for k in (rec or {}):
            if k not in names and k not in _HIDDEN:
                names.append(k)
    for k in sorted(flagged):
        if k not in names:
            names.append(k)
    rows = []
    for name in names:
        a = _text((crm or {}).get(name))
        b = _text((erp or {}).get(name))
        if crm is None or erp is None:
            state = "absent" if (a is None and b is None) else ("missing" if (a is None) != (b is None) else "same")
        elif name == main_field:
            state = "conflict"
        elif name in IDENTITY and name not in flagged:
            state = "same"
        elif name in flagged or not _equal(a, b):
            state = "changed" if (a is not None and b is not None) else "missing"
        else:
            state = "same"
        if state == "same" and a is None and b is None:
            continue  # empty on both sides: noise
        rows.append(FieldRow(name, a, b, state))
    # Differences first, in the order a reviewer acts on them; then the agreeing fields.
    rank = {"conflict": 0, "changed": 1, "missing": 2, "absent": 3, "same": 4}
    rows.sort(key=lambda r: (rank[r.state], names.index(r.field)))
    return rows


def _text(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, dict)):
        return ", ".join(f"{x}" for x in v) if isinstance(v, list) else str(v)
    return str(v)


def _equal(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    try:
        return Decimal(a) == Decimal(b)  # 100.0 and 100.00 are the same amount
    except InvalidOperation:
        return False


class RecordPairModel(QAbstractTableModel):
    def __init__(self, parent=None, *, palette: dict | None = None):
        super().__init__(parent)
        self._rows: list[FieldRow] = []
        self._currencies: tuple[str | None, str | None] = (None, None)
        self._headers = list(HEADERS)
        self._brushes: dict[str, QBrush] = {}
        self.set_palette(palette or {})

    def set_palette(self, palette: dict) -> None:
        self._brushes = {s: QBrush(QColor(palette[s])) for s in ("changed", "conflict", "missing", "absent")
                         if s in palette}
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 2),
                                  [Qt.ItemDataRole.BackgroundRole])

    def set_rows(self, rows: list[FieldRow], currencies: tuple[str | None, str | None] = (None, None)) -> None:
        """``currencies``: the CRM and ERP record's currency, so their amounts show in its minor units."""
        self.beginResetModel()
        self._rows = list(rows)
        self._currencies = currencies
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        """What a cell shows: the field's name in words, values as money, dates and words, "—" for none."""
        r = self._rows[row]
        if column == 0:
            return field_label(r.field)
        return shown_value(r.crm if column == 1 else r.erp, r.field, self._currencies[column - 1])

    def set_headers(self, crm: str, erp: str) -> None:
        self._headers = [HEADERS[0], crm, erp]
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 1, 2)

    @property
    def rows(self) -> list[FieldRow]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return f"{field_label(r.field)} ({r.field})"
            v = r.crm if col == 1 else r.erp
            return "no value" if v is None else f"{self.text(index.row(), col)} (as stored: {v})"
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0 and is_number_field(r.field):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.state == "same":
                return None
            if r.state == "absent":
                return self._brushes.get("absent")
            if r.state == "missing":
                side_value = r.crm if col == 1 else r.erp if col == 2 else "x"
                return self._brushes.get("missing") if side_value is not None else self._brushes.get("absent")
            return self._brushes.get(r.state)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and col == 0:
            return {"same": "values agree", "changed": "values differ", "conflict": "the difference this "
                    "exception is about", "missing": "value on one side only",
                    "absent": "no record on one side"}[r.state]
        if role == STATE_ROLE:
            return r.state
        if role == FIELD_ROLE:
            return r.field
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) \
                and orientation == Qt.Orientation.Horizontal and 0 <= section < 3:
            return self._headers[section]  # on hover too: a narrow panel cuts "ERP · Business Central"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
