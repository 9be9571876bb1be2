"""The exception queue: filter bar with counts, the table, and bulk actions on all that match."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np
from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from app.models.exception_table import ExceptionTableModel
from app.models.queue_frame import COLUMN_KEYS, COLUMNS, SECONDARY, SEVERITIES, STATUSES, QueueFilter
from workbench.model.labels import exception_status_label, severity_label, type_label
from app.shortcuts import label as shortcut_label
from app.views.tables import MiddleElide
from workbench.close.aging import AgeBucket

# The close's aging buckets as age ranges in days (workbench.close.aging.bucket_of).
AGE_BUCKETS: dict[str, tuple[int, int | None]] = {AgeBucket.D0_30: (0, 30), AgeBucket.D31_60: (31, 60),
                                                  AgeBucket.D61_90: (61, 90), AgeBucket.OVER_90: (91, None)}

SEARCH_DELAY_MS = 200  # debounce: search once the user pauses typing
# Starting widths (px) of the columns a controller reads first; Type and Customer share what is
# left of the queue's width, so all of them fit a 1440 px window without a horizontal scrollbar.
# The columns for tools start hidden (right-click the header to show them).
COLUMN_WIDTHS = {"severity": 68, "document": 96, "crm_value": 100, "erp_value": 100, "amount_at_risk": 112,
                 "age": 42, "status": 66, "field": 110, "assignee": 100, "currency": 60, "crm_id": 150,
                 "erp_id": 150}
STRETCH = ("type", "customer_name")
# Below this width each for Type and Customer, the CRM and ERP value columns fold away (the side by side
# beside the queue shows both values): at 1024 px they left "C…e" and "Car…" of the type and customer.
READABLE_STRETCH = 150
FOLDING = ("crm_value", "erp_value")
WIDEST_VALUE = 220  # px a value column grows to in a wide queue ("Blocked for everything (All)")
ANY = None


def _narrow_to(box: QComboBox, text: str) -> None:
    """``box`` as wide as ``text``, not as its longest choice (Qt counts the width in 'X's)."""
    fm = box.fontMetrics()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(-(-fm.horizontalAdvance(text) // fm.horizontalAdvance("X")))


class QueueView(QWidget):
    current_changed = Signal(object)   # exception id or None
    bulk_requested = Signal(str, object, str)  # action ("assign"|"approve"|"waive"), ids (np.ndarray), argument

    def __init__(self, palette: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Exception queue")
        self.model = ExceptionTableModel(self, palette=palette)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, ids, values")
        self.search.setToolTip(shortcut_label("search"))
        self.search.setAccessibleName("Search exceptions")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filter)

        self.type_box = self._combo("Filter by type")
        self.severity_box = self._combo("Filter by severity", [(severity_label(v), v) for v in SEVERITIES])
        self.status_box = self._combo("Filter by status", [(exception_status_label(v), v) for v in STATUSES])
        self.assignee_box = self._combo("Filter by assignee")
        self.assignee_box.setEditable(False)
        self.amount_min = QLineEdit()
        self.amount_min.setPlaceholderText("min at risk")
        self.amount_min.setAccessibleName("Minimum amount at risk")
        self.amount_max = QLineEdit()
        self.amount_max.setPlaceholderText("max at risk")
        self.amount_max.setAccessibleName("Maximum amount at risk")
        for w in (self.amount_min, self.amount_max):
            w.setMaximumWidth(110)
            w.editingFinished.connect(self._apply_filter)
        self.age_min = QSpinBox()
        self.age_min.setAccessibleName("Minimum age in days")
        self.age_min.setRange(-1, 100000)
        self.age_min.setSpecialValueText("any age")
        self.age_min.setValue(-1)
        self.age_min.setPrefix("≥ ")
        self.age_min.setSuffix(" d")
        self.age_min.valueChanged.connect(self._apply_filter)
        self.bucket_box = QComboBox()
        self.bucket_box.setAccessibleName("Filter by aging bucket")
        self.bucket_box.addItem("any aging bucket", None)
        for bucket in AGE_BUCKETS:
            self.bucket_box.addItem(f"{bucket} days", str(bucket))
        _narrow_to(self.bucket_box, "any aging bucket")
        self.bucket_box.currentIndexChanged.connect(self._apply_filter)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)

        row1 = QHBoxLayout()
        row1.addWidget(self.search, 2)
        row1.addWidget(self.type_box, 2)
        row1.addWidget(self.severity_box)
        row1.addWidget(self.status_box)
        row1.addWidget(self.assignee_box)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("At risk"))
        row2.addWidget(self.amount_min)
        row2.addWidget(QLabel("–"))
        row2.addWidget(self.amount_max)
        row2.addWidget(QLabel("Age"))
        row2.addWidget(self.age_min)
        row2.addWidget(self.bucket_box)
        row2.addWidget(self.clear_button)
        row2.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Matching exceptions")
        row2.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setAccessibleName("Exceptions")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        # Until the user picks a column: the most severe first (a saved header state overrides this).
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.hide()
        # Uniform row heights: the view never measures a million rows.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        hh.setMinimumSectionSize(36)
        self._middle_elide = MiddleElide(self.table)
        self.table.setItemDelegateForColumn(COLUMN_KEYS.index("type"), self._middle_elide)
        for col, key in enumerate(COLUMN_KEYS):
            if key in STRETCH:
                hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            else:
                self.table.setColumnWidth(col, COLUMN_WIDTHS[key])
            self.table.setColumnHidden(col, key in SECONDARY)
        self._chosen: set[int] = set()  # columns shown or hidden from the header menu: never folded
        self._folded: set[int] = set()  # value columns hidden for want of width, shown again when it returns
        # the widths this view gave the value columns: one the user dragged or saved differs, and stays
        self._value_widths: dict[int, int] = {}
        self.table.viewport().installEventFilter(self)
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(self._column_menu)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)

        self.select_all_button = QPushButton("Select all matching")
        self.select_all_button.setCheckable(True)
        self.select_all_button.setToolTip(shortcut_label("select_all_matching"))
        self.select_all_button.setAccessibleName("Select all matching exceptions")
        self.select_all_button.toggled.connect(self.model.select_all_matching)
        self.selection_label = QLabel("")
        self.selection_label.setAccessibleName("Selection")
        self.assignee_edit = QLineEdit()
        self.assignee_edit.setPlaceholderText("assignee (empty = nobody)")
        self.assignee_edit.setAccessibleName("Assign to")
        self.assignee_edit.setMaximumWidth(180)
        self.assign_button = QPushButton("Assign")
        self.assign_button.setAccessibleName("Assign selected exceptions")
        self.approve_button = QPushButton("Approve proposals")
        self.approve_button.setAccessibleName("Approve the proposed corrections of the selected exceptions")
        self.waive_reason = QLineEdit()
        self.waive_reason.setPlaceholderText("reason to waive")
        self.waive_reason.setAccessibleName("Waive reason")
        self.waive_reason.setMaximumWidth(220)
        self.waive_button = QPushButton("Waive")
        self.waive_button.setAccessibleName("Waive selected exceptions")
        self.assign_button.clicked.connect(lambda: self._bulk("assign", self.assignee_edit.text().strip()))
        self.approve_button.clicked.connect(lambda: self._bulk("approve", ""))
        self.waive_button.clicked.connect(lambda: self._bulk("waive", self.waive_reason.text().strip()))
        bulk = QHBoxLayout()
        bulk.addWidget(self.select_all_button)
        bulk.addWidget(self.selection_label, 1)
        bulk.addWidget(self.assignee_edit)
        bulk.addWidget(self.assign_button)
        bulk.addWidget(self.approve_button)
        bulk.addWidget(self.waive_reason)
        bulk.addWidget(self.waive_button)

        # an empty table under filters that match nothing said nothing: this line says why, and what to do
        self.empty_note = QLabel("")
        self.empty_note.setObjectName("infoBar")
        self.empty_note.setAccessibleName("Why the queue is empty")
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(row1)
        lay.addLayout(row2)
        lay.addWidget(self.empty_note)
        lay.addWidget(self.table, 1)
        lay.addLayout(bulk)

        order = [self.search, self.type_box, self.severity_box, self.status_box, self.assignee_box,
                 self.amount_min, self.amount_max, self.age_min, self.bucket_box, self.clear_button, self.table,
                 self.select_all_button, self.assignee_edit, self.assign_button, self.approve_button,
                 self.waive_reason, self.waive_button]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

        self.model.filter_changed.connect(self._update_counts)
        self.model.select_all_changed.connect(self._select_all_changed)
        self.model.modelReset.connect(self._fill_facets)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_selection_label())

    def _combo(self, name: str, choices: list[tuple[str, str]] | None = None) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName(name)
        first = f"{name.replace('Filter by ', '').capitalize()}: any"
        box.addItem(first, ANY)
        for text, code in choices or ():
            box.addItem(text, code)
        # as wide as "Type: any", not as its longest choice: the filter bar fits a 1024 px window (the
        # list that opens is as wide as its choices, and the box's tooltip says what a cut one holds)
        _narrow_to(box, first)
        box.currentIndexChanged.connect(self._apply_filter)
        return box

    @staticmethod
    def _fit_popup(box: QComboBox) -> None:
        """The list of choices as wide as its longest choice, however narrow the box."""
        view = box.view()
        view.setMinimumWidth(view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width() + 8)
        box.setToolTip(box.currentText())

    # ---- filter ---------------------------------------------------------------------------
    def current_filter(self) -> QueueFilter:
        def one(box: QComboBox) -> frozenset[str]:
            v = box.currentData()
            return frozenset() if v is ANY else frozenset([v])

        return QueueFilter(types=one(self.type_box), severities=one(self.severity_box),
                           statuses=one(self.status_box), assignees=one(self.assignee_box),
                           amount_min=self._amount(self.amount_min), amount_max=self._amount(self.amount_max),
                           age_min=self._age_min(), age_max=self._age_max(), text=self.search.text())

    def _age_min(self) -> int | None:
        floor = None if self.age_min.value() < 0 else self.age_min.value()
        bucket = self.bucket_box.currentData()
        return floor if bucket is None else max(floor or 0, AGE_BUCKETS[bucket][0])

    def _age_max(self) -> int | None:
        bucket = self.bucket_box.currentData()
        return None if bucket is None else AGE_BUCKETS[bucket][1]

    def _amount(self, edit: QLineEdit) -> Decimal | None:
        text = edit.text().strip().replace(",", "")
        if not text:
            edit.setToolTip("")
            edit.setStyleSheet("")
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            edit.setToolTip(f"'{edit.text()}' is not an amount; expected a number such as 1000 or 250.50")
            edit.setStyleSheet("border: 2px solid #d9534f;")
            return None

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        for box in (self.type_box, self.severity_box, self.status_box, self.assignee_box, self.bucket_box):
            box.setToolTip(box.currentText())
        self.model.set_filter(self.current_filter())

    def set_filter(self, f: QueueFilter) -> None:
        """Show the queue filtered like ``f`` (restored settings, dashboard click-through)."""
        widgets = (self.search, self.type_box, self.severity_box, self.status_box, self.assignee_box,
                   self.amount_min, self.amount_max, self.age_min, self.bucket_box)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.search.setText(f.text)
            for box, values in ((self.type_box, f.types), (self.severity_box, f.severities),
                                (self.status_box, f.statuses), (self.assignee_box, f.assignees)):
                v = next(iter(values)) if values else ANY
                i = box.findData(v)
                if i < 0 and v is not ANY:
                    box.addItem(type_label(v) if box is self.type_box else str(v), v)
                    i = box.count() - 1
                box.setCurrentIndex(max(0, i))
            self.amount_min.setText("" if f.amount_min is None else str(f.amount_min))
            self.amount_max.setText("" if f.amount_max is None else str(f.amount_max))
            bucket = next((b for b, s in AGE_BUCKETS.items() if (f.age_min, f.age_max) == s), None)
            self.bucket_box.setCurrentIndex(max(0, self.bucket_box.findData(str(bucket))) if bucket else 0)
            self.age_min.setValue(-1 if f.age_min is None or bucket else f.age_min)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._apply_filter()

    def clear_filters(self) -> None:
        self.set_filter(QueueFilter())

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _fill_facets(self) -> None:
        """Assignee choices come from the loaded run."""
        fr = self.model.frame
        keep = self.assignee_box.currentData()
        self.assignee_box.blockSignals(True)
        while self.assignee_box.count() > 1:
            self.assignee_box.removeItem(1)
        self.assignee_box.addItem("unassigned", "")
        if fr is not None:
            for v in sorted(fr.cats["assignee"].values):
                self.assignee_box.addItem(v, v)
        i = self.assignee_box.findData(keep) if keep is not ANY else 0
        self.assignee_box.setCurrentIndex(max(0, i))
        self.assignee_box.blockSignals(False)
        self._fit_popup(self.assignee_box)
        self._update_counts()

    def _update_counts(self) -> None:
        """Type choices show how many rows each would give under the other filters."""
        counts = self.model.type_counts()
        fr = self.model.frame
        all_types = list(fr.cats["type"].values) if fr is not None else []
        keep = self.type_box.currentData()
        self.type_box.blockSignals(True)
        self.type_box.setItemText(0, f"Type: any ({sum(counts.values()):,})")
        while self.type_box.count() > 1:
            self.type_box.removeItem(1)
        for t in sorted(all_types, key=lambda code: type_label(code).lower()):
            self.type_box.addItem(f"{type_label(t)} ({counts.get(t, 0):,})", t)
            self.type_box.setItemData(self.type_box.count() - 1, t, Qt.ItemDataRole.ToolTipRole)
        if keep is not ANY and self.type_box.findData(keep) < 0:
            self.type_box.addItem(f"{type_label(keep)} (0)", keep)
        self.type_box.setCurrentIndex(max(0, self.type_box.findData(keep)) if keep is not ANY else 0)
        self.type_box.blockSignals(False)
        self._fit_popup(self.type_box)
        self.count_label.setText(f"{self.model.rowCount():,} of {self.model.total:,} exceptions")
        if self.model.frame is not None and self.model.total == 0:
            self.empty_note.setText("This run has no exceptions: the two systems agree on everything compared.")
        elif self.model.total and not self.model.rowCount():
            self.empty_note.setText(f"No exception matches these filters. Clear filters to see all "
                                    f"{self.model.total:,}.")
        self.empty_note.setVisible(self.model.frame is not None and not self.model.rowCount())
        self._update_selection_label()

    # ---- selection and navigation ---------------------------------------------------------
    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit(self.model.exception_id(current.row()) if current.isValid() else None)

    def current_id(self) -> int | None:
        idx = self.table.currentIndex()
        return self.model.exception_id(idx.row()) if idx.isValid() else None

    def select_row(self, row: int) -> bool:
        if not 0 <= row < self.model.rowCount():
            return False
        idx = self.model.index(row, max(0, self.table.currentIndex().column()))
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(idx)
        return True

    def select_id(self, exception_id: int) -> bool:
        row = self.model.row_of_id(exception_id)
        return row is not None and self.select_row(row)

    def step(self, delta: int) -> bool:
        """Next/previous exception (Alt+Down/Up, F8/F7)."""
        if self.model.rowCount() == 0:
            return False
        cur = self.table.currentIndex()
        row = cur.row() + delta if cur.isValid() else (0 if delta > 0 else self.model.rowCount() - 1)
        return self.select_row(min(max(row, 0), self.model.rowCount() - 1))

    def target_ids(self) -> np.ndarray:
        """What a bulk action acts on: all rows matching the filter, or the selected rows."""
        if self.model.all_matching_selected:
            return self.model.matching_ids()
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return np.asarray([self.model.exception_id(r) for r in rows], dtype=np.int64)

    def _select_all_changed(self, on: bool) -> None:
        if self.select_all_button.isChecked() != on:
            self.select_all_button.blockSignals(True)
            self.select_all_button.setChecked(on)
            self.select_all_button.blockSignals(False)
        self._update_selection_label()

    def _update_selection_label(self) -> None:
        if self.model.all_matching_selected:
            self.selection_label.setText(f"All {self.model.rowCount():,} matching exceptions selected")
        else:
            n = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
            self.selection_label.setText(f"{n:,} selected" if n else "")

    def _bulk(self, action: str, argument: str) -> None:
        ids = self.target_ids()
        self.bulk_requested.emit(action, ids, argument)

    def _column_menu(self, pos) -> None:
        """Right-click on the header: show or hide columns (record ids, field code, currency, assignee)."""
        from PySide6.QtWidgets import QMenu
        menu = QMenu(self)
        for col, (_key, header) in enumerate(COLUMNS):
            act = menu.addAction(header)
            act.setCheckable(True)
            act.setChecked(not self.table.isColumnHidden(col))
            act.toggled.connect(lambda on, c=col: self._choose_column(c, on))
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    def _choose_column(self, col: int, shown: bool) -> None:
        self._chosen.add(col)
        self._folded.discard(col)
        self.table.setColumnHidden(col, not shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fold_columns()
        return super().eventFilter(watched, event)

    def _fold_columns(self) -> None:
        """Fold the CRM and ERP value columns away while Type and Customer would be left narrower than
        READABLE_STRETCH each, and unfold them when the queue is wide again (a column the user chose from
        the header menu stays as chosen)."""
        hh = self.table.horizontalHeader()
        folding = [COLUMN_KEYS.index(k) for k in FOLDING]
        fixed = sum(hh.sectionSize(c) for c, k in enumerate(COLUMN_KEYS)
                    if k not in STRETCH and c not in folding and not self.table.isColumnHidden(c))
        values = sum(COLUMN_WIDTHS[COLUMN_KEYS[c]] for c in folding if c in self._folded
                     or not self.table.isColumnHidden(c))
        narrow = self.table.viewport().width() < fixed + values + len(STRETCH) * READABLE_STRETCH
        for c in folding:
            if c in self._chosen:
                continue
            if narrow and not self.table.isColumnHidden(c):
                self._folded.add(c)
                self.table.setColumnHidden(c, True)
            elif not narrow and c in self._folded:
                self._folded.discard(c)
                self.table.setColumnHidden(c, False)
        # A wide queue: the values take a quarter each of what the other columns leave (at 1920 px they kept
        # 100 px, 'Blocked for e…', beside 600 px of Type); a width the user dragged or saved stays.
        width = max(COLUMN_WIDTHS["crm_value"], min(WIDEST_VALUE, (self.table.viewport().width() - fixed) // 4))
        for c in folding:
            ours = self._value_widths.get(c, COLUMN_WIDTHS[COLUMN_KEYS[c]])
            if not narrow and not self.table.isColumnHidden(c) and self.table.columnWidth(c) == ours:
                self.table.setColumnWidth(c, width)
                self._value_widths[c] = width

    # ---- persistence ----------------------------------------------------------------------
    def header_state(self) -> bytes:
        """The layout the user made: columns folded for want of width are saved as shown."""
        hh = self.table.horizontalHeader()
        for c in self._folded:
            hh.showSection(c)
        try:
            return bytes(hh.saveState().data())
        finally:
            for c in self._folded:
                hh.hideSection(c)

    def restore_header_state(self, state: bytes) -> None:
        from PySide6.QtCore import QByteArray
        self.table.horizontalHeader().restoreState(QByteArray(state))
        self._folded.clear()
        self._fold_columns()
