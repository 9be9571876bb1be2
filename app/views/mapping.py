"""Mapping: per source object, the fields the source really has (Salesforce describe, Business
Central $metadata, Odoo fields_get, file headers), suggested matches to the canonical fields,
the invoice status value map, and "Save" into the run config — so a new org's custom
cross-reference field is mapped without editing TOML by hand.

Reading the fields goes through the connector off the GUI thread; the suggestions and the
saving are the Qt-free ``workbench.sources.mapping_suggest``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSplitter, QStyledItemDelegate, QTableView, QVBoxLayout,
                               QWidget)

from app.context import AppContext
from app.models.rows_model import Column, RowsModel
from app.models.run_config_model import run_config_doc
from app.screens import Screen, register_screen
from app.settings import get_json, set_json

KINDS = ("customers", "invoices", "orders", "order_lines", "prices", "products", "payments")
SIDE_WORDS = {"crm": "CRM", "erp": "ERP"}


def read_fields(raw: dict[str, Any], path, side: str, kind: str) -> dict[str, Any]:
    """Worker side: the source's fields for ``kind`` and what the connector maps today."""
    from workbench import config as cfg
    from workbench.sources import open_source
    source = open_source(side, cfg.from_dict(raw, path=path))
    try:
        fields = source.describe(kind)
        current: dict[str, str] = {}
        status_fields: list[str] = []
        status_system = None
        maps = getattr(source, "maps", None)
        om = None
        if isinstance(maps, dict):
            om = maps.get(kind)
        elif isinstance(maps, list):
            om = next((m for m in maps if getattr(m, "kind", None) == kind), None)
        if om is not None:
            current = {c: s for c, s in (getattr(om, "fields", {}) or {}).items() if isinstance(s, str)}
            status_fields = list(getattr(om, "status_fields", None) or [])
            status_system = getattr(om, "status_system", None)
            smap = getattr(om, "status_map", None)  # Salesforce keeps the built StatusMap, named after its table
            if status_system is None and smap is not None:
                status_system = str(getattr(smap, "name", "")).replace(" status map", "") or None
    finally:
        source.close()
    kcfg = ((raw.get(side) or {}).get("objects") or {}).get(kind) or {}
    current.update({c: s for c, s in (kcfg.get("fields") or {}).items() if isinstance(s, str)})
    status_system = kcfg.get("status_system") or status_system or (raw.get(side) or {}).get("system")
    return {"fields": fields, "current": current, "status_fields": kcfg.get("status_fields") or status_fields,
            "status_system": status_system, "status_map": dict(kcfg.get("status_map") or {})}


class ChoiceDelegate(QStyledItemDelegate):
    """An editable combo box offering the source's field names (or the canonical statuses)."""

    def __init__(self, choices, parent=None):
        super().__init__(parent)
        self.choices = choices  # callable -> list[str]

    def createEditor(self, parent, option, index):
        box = QComboBox(parent)
        box.setEditable(True)
        box.setAccessibleName("Choose a value")
        box.addItems([""] + list(self.choices()))
        return box

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class MappingScreen(QWidget):
    fields_read = Signal(str, str)  # side, kind once the source's fields are on screen
    saved = Signal(str)             # path written, or "" when saving was refused

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Field mapping")
        self.doc = run_config_doc(ctx)
        self.source_fields: list[dict[str, Any]] = []
        self.loaded: dict[str, Any] | None = None
        self.loaded_for: tuple[str, str] | None = None

        self.side_box = QComboBox()
        self.side_box.setAccessibleName("Source side")
        for side in ("crm", "erp"):
            self.side_box.addItem(SIDE_WORDS[side], side)
        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Record kind")
        for k in KINDS:
            self.kind_box.addItem(k, k)
        self.read_button = QPushButton("Read fields from the source")
        self.read_button.setAccessibleName("Read the fields the source has for this object")
        self.read_button.clicked.connect(self.read)
        self.status = QLabel("Choose a side and an object, then read its fields from the source")
        self.status.setAccessibleName("Mapping status")
        self.status.setWordWrap(True)

        pal = lambda r: (self.ctx.palette["conflict"] if r.get("required") and not r.get("source")  # noqa: E731
                         else self.ctx.palette["changed"] if r.get("source") != r.get("current") else None)
        self.model = RowsModel([
            Column("canonical", "Canonical field"), Column("type", "Type"),
            Column("required", "Required", show=lambda v: "yes" if v else ""),
            Column("source", "Source field", editable=True),
            Column("source_type", "Source type"),
            Column("suggested", "Suggested", tooltip=lambda r: f"match {r.get('score')}" if r.get("suggested") else ""),
            Column("current", "Mapped in the config now")], self, tint=pal)
        self.model.edited.connect(self._edited)
        self.table = QTableView()
        self.table.setAccessibleName("Field mapping")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setItemDelegateForColumn(3, ChoiceDelegate(lambda: [f["name"] for f in self.source_fields],
                                                              self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((120, 70, 65, 190, 85, 190)):
            self.table.setColumnWidth(i, w)
        self.use_suggestions = QPushButton("Use suggestions")
        self.use_suggestions.setAccessibleName("Map every unmapped field to its suggestion")
        self.use_suggestions.clicked.connect(self.accept_suggestions)

        # invoice status: which fields carry it, and how their values map to canonical statuses
        from workbench.model.status import CANONICAL
        self.status_box = QGroupBox("Invoice status")
        self.status_box.setAccessibleName("Invoice status mapping")
        self.status_fields = QLineEdit()
        self.status_fields.setAccessibleName("Status fields")
        self.status_fields.setPlaceholderText("source fields holding the status, comma-separated (joined by |)")
        self.status_system = QLabel("")
        self.status_system.setAccessibleName("Status default table")
        self.status_model = RowsModel([Column("value", "Source value(s), joined by |"),
                                       Column("status", "Canonical status", editable=True),
                                       Column("origin", "From")], self)
        self.status_view = QTableView()
        self.status_view.setAccessibleName("Status value map")
        self.status_view.setModel(self.status_model)
        self.status_view.verticalHeader().hide()
        self.status_view.horizontalHeader().setStretchLastSection(True)
        self.status_view.setColumnWidth(0, 210)
        self.status_view.setColumnWidth(1, 130)
        self.status_view.setItemDelegateForColumn(1, ChoiceDelegate(lambda: CANONICAL, self.status_view))
        self.new_value = QLineEdit()
        self.new_value.setPlaceholderText("new source value, e.g. Posted|Written Off")
        self.new_value.setAccessibleName("New status value")
        self.new_status = QComboBox()
        self.new_status.setAccessibleName("Its canonical status")
        self.new_status.addItems(CANONICAL)
        self.add_value = QPushButton("Add value")
        self.add_value.setAccessibleName("Add the status value to the map")
        self.add_value.clicked.connect(self._add_status_value)
        sl = QVBoxLayout(self.status_box)
        sf = QHBoxLayout()
        sf.addWidget(QLabel("Fields"))
        sf.addWidget(self.status_fields, 1)
        sf.addWidget(self.status_system)
        sl.addLayout(sf)
        sl.addWidget(self.status_view, 1)
        nv = QHBoxLayout()
        nv.addWidget(self.new_value, 1)
        nv.addWidget(self.new_status)
        nv.addWidget(self.add_value)
        sl.addLayout(nv)

        self.save_button = QPushButton("Save mapping to the run config")
        self.save_button.setAccessibleName("Save the field mapping into the run config")
        self.save_button.clicked.connect(self.save)
        self.path = QLabel("")
        self.path.setAccessibleName("Run config file")

        head = QHBoxLayout()
        head.addWidget(QLabel("Side"))
        head.addWidget(self.side_box)
        head.addWidget(QLabel("Object"))
        head.addWidget(self.kind_box)
        head.addWidget(self.read_button)
        head.addWidget(self.use_suggestions)
        head.addStretch(1)
        head.addWidget(self.path)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(self.save_button)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mappingSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.status_box)
        self.splitter.setSizes([900, 500])
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.splitter, 1)
        lay.addLayout(foot)
        order = (self.side_box, self.kind_box, self.read_button, self.use_suggestions, self.table,
                 self.status_fields, self.status_view, self.new_value, self.new_status, self.add_value,
                 self.save_button)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)
        self.doc.changed.connect(lambda: self.path.setText(str(self.doc.path or "")))
        self.path.setText(str(self.doc.path or ""))
        self.restore_settings()
        self._kind_changed()
        self.kind_box.currentIndexChanged.connect(lambda _: self._kind_changed())

    @property
    def side(self) -> str:
        return self.side_box.currentData()

    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    def _kind_changed(self) -> None:
        self.status_box.setVisible(self.kind == "invoices")

    # ---- reading and suggesting -------------------------------------------------------------
    def read(self) -> None:
        if not self.doc.raw:
            self.status.setText("Open a run config on the Connections screen first")
            self.ctx.error("Open a run config on the Connections screen first")
            return
        side, kind = self.side, self.kind
        self.read_button.setEnabled(False)
        self.status.setText(f"Reading the {SIDE_WORDS[side]} fields of {kind}…")

        def done(result: dict[str, Any]) -> None:
            self.read_button.setEnabled(True)
            self.show_fields(side, kind, result)

        def failed(message: str) -> None:
            self.read_button.setEnabled(True)
            self.status.setText(f"Could not read the fields: {message}")
            self.ctx.error(message)

        self.ctx.jobs.submit(read_fields, self.doc.raw, self.doc.path, side, kind, on_done=done, on_error=failed)

    def show_fields(self, side: str, kind: str, result: dict[str, Any]) -> None:
        from workbench.sources.mapping_suggest import status_table, suggest
        self.loaded, self.loaded_for = result, (side, kind)
        self.source_fields = result["fields"]
        types = {f["name"]: f.get("type") for f in self.source_fields}
        rows = []
        from workbench.sources.mapping_suggest import canonical_fields
        ctype = dict(canonical_fields(kind))
        for s in suggest(kind, self.source_fields, result["current"]):
            src = s.current if s.current in types else None
            rows.append({"canonical": s.canonical, "type": ctype.get(s.canonical), "required": s.required,
                         "source": src, "source_type": types.get(src) if src else None,
                         "suggested": s.source, "score": s.score, "current": s.current})
        self.model.set_rows(rows)
        unmapped = [r["canonical"] for r in rows if not r["source"] and r["suggested"]]
        self.status.setText(f"{len(self.source_fields)} fields in the {SIDE_WORDS[side]} {kind}; "
                            + (f"suggestions for {len(unmapped)} unmapped: {', '.join(unmapped)}" if unmapped
                               else "no new suggestions"))
        self.status_fields.setText(", ".join(result.get("status_fields") or []))
        system = result.get("status_system")
        self.status_system.setText(f"defaults: {system}" if system else "no default table")
        overrides = result.get("status_map") or {}
        table = status_table(system, overrides)
        self.status_model.set_rows([{"value": k, "status": v, "origin": "config" if k in overrides else "default"}
                                    for k, v in table.items()])
        self.fields_read.emit(side, kind)

    def _edited(self, row: int, key: str, value: Any) -> None:
        if key == "source":
            types = {f["name"]: f.get("type") for f in self.source_fields}
            if value and value not in types:
                self.ctx.error(f"The {SIDE_WORDS[self.side]} {self.kind} have no field {value!r}; "
                               "choose one the source has")
            self.model.set_value(row, "source_type", types.get(value))

    def accept_suggestions(self) -> int:
        n = 0
        for i, r in enumerate(self.model.rows):
            if r.get("suggested") and not r.get("source"):
                self.model.set_value(i, "source", r["suggested"])
                self._edited(i, "source", r["suggested"])
                n += 1
        self.status.setText(f"{n} suggestions taken; review them, then save")
        return n

    def set_source(self, canonical: str, source: str | None) -> None:
        row = next(i for i, r in enumerate(self.model.rows) if r["canonical"] == canonical)
        self.model.setData(self.model.index(row, self.model.column_of("source")), source or "")

    def _add_status_value(self) -> None:
        value = self.new_value.text().strip()
        if not value:
            self.ctx.error("Type the source's status value (several fields joined by |)")
            return
        for i, r in enumerate(self.status_model.rows):
            if r["value"] == value:
                self.status_model.set_value(i, "status", self.new_status.currentText())
                break
        else:
            self.status_model.append({"value": value, "status": self.new_status.currentText(), "origin": "config"})
        self.new_value.clear()

    # ---- saving -----------------------------------------------------------------------------
    def mapping(self) -> dict[str, str | None]:
        """canonical -> source field for the fields that differ from the connector's own defaults."""
        current = (self.loaded or {}).get("current") or {}
        kcfg = (((self.doc.raw.get(self.side) or {}).get("objects") or {}).get(self.kind) or {}).get("fields") or {}
        out: dict[str, str | None] = {}
        for r in self.model.rows:
            c, src = r["canonical"], r.get("source")
            if src != current.get(c) or c in kcfg:
                out[c] = src
        return out

    def save(self) -> bool:
        from workbench.errors import WorkbenchError
        from workbench.sources.mapping_suggest import apply_mapping, status_overrides
        if self.loaded is None or self.loaded_for != (self.side, self.kind):
            self.status.setText("Read the fields from the source first")
            self.saved.emit("")
            return False
        missing = [r["canonical"] for r in self.model.rows if r["required"] and not r.get("source")]
        if missing:
            msg = f"{SIDE_WORDS[self.side]} {self.kind}: map the required field(s) {', '.join(missing)} before saving"
            self.status.setText(msg)
            self.ctx.error(msg)
            self.saved.emit("")
            return False
        try:
            status_map = None
            if self.kind == "invoices":
                table = {r["value"]: r["status"] for r in self.status_model.rows if r.get("status")}
                status_map = status_overrides(self.loaded.get("status_system"), table)
            raw = apply_mapping(self.doc.raw, self.side, self.kind, self.mapping(), status_map=status_map)
            if self.kind == "invoices":
                fields = [f.strip() for f in self.status_fields.text().split(",") if f.strip()]
                obj = raw[self.side]["objects"]["invoices"]
                if fields and fields != list(self.loaded.get("status_fields") or []):
                    obj["status_fields"] = fields
            path = self.doc.save(raw)
        except WorkbenchError as exc:
            self.status.setText(exc.one_line())
            self.ctx.error(exc.one_line())
            self.saved.emit("")
            return False
        for i, r in enumerate(self.model.rows):
            self.model.set_value(i, "current", r.get("source"))
        if self.loaded is not None:
            self.loaded["current"] = {r["canonical"]: r["source"] for r in self.model.rows if r.get("source")}
        self.status.setText(f"Mapping of the {SIDE_WORDS[self.side]} {self.kind} saved to {path}")
        self.ctx.info(f"Mapping of the {SIDE_WORDS[self.side]} {self.kind} saved to {path}")
        self.saved.emit(str(path))
        return True

    # ---- screenshots and persistence --------------------------------------------------------
    def screenshot_states(self) -> list[str]:
        return ["invoices"]

    def enter_screenshot_state(self, state: str) -> None:
        self.kind_box.setCurrentIndex(self.kind_box.findData("invoices"))
        if self.loaded_for != (self.side, "invoices"):
            self.read()

    def save_settings(self) -> None:
        s = self.ctx.settings
        set_json(s, "mapping/choice", {"side": self.side, "kind": self.kind})
        s.setValue("mapping/splitter", self.splitter.saveState())

    def restore_settings(self) -> None:
        s = self.ctx.settings
        choice = get_json(s, "mapping/choice", {}) or {}
        for box, key in ((self.side_box, "side"), (self.kind_box, "kind")):
            i = box.findData(choice.get(key))
            if i >= 0:
                box.setCurrentIndex(i)
        st = s.value("mapping/splitter")
        if isinstance(st, QByteArray) and not st.isEmpty():
            self.splitter.restoreState(st)


register_screen(Screen(key="mapping", title="Mapping", factory=MappingScreen, order=20,
                       accessible_name="Field mapping"))
