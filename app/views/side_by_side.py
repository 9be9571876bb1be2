"""The selected exception's CRM and ERP records side by side, its link, proposed correction and history."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QBoxLayout, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSizePolicy, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from app.data import Detail
from app.models.history import HistoryModel
from app.models.proposal_text import in_sentence, proposal_words
from app.models.queue_frame import document_text
from app.models.record_pair import RecordPairModel, compare_records
from app.shortcuts import label as shortcut_label
from app.views.evidence import EvidencePanel
from app.models.values import nothing_at_risk
from workbench.corrections.values import canonical_kind, field_type, parse_value
from workbench.errors import InputError
from workbench.model.labels import (MISSING, exception_status_label, field_label, kind_label, link_method_label,
                                    link_status_label, severity_label, system_label, type_label)
from workbench.model.money import format_amount

SIDES = ("crm", "erp")


class SideBySidePanel(QWidget):
    propose_requested = Signal(dict)   # exception_id, target_side, field, to_value, reason
    link_decision = Signal(int, str)   # link id, "confirmed" | "rejected"

    def __init__(self, palette: dict, parent: QWidget | None = None, *, ctx: Any = None):
        super().__init__(parent)
        self.setAccessibleName("Side by side")
        self._detail: Detail | None = None
        self._palette = palette

        self.title = QLabel("Select an exception")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)  # a long customer name wraps instead of widening the window
        self.title.setAccessibleName("Exception")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What differs")

        self.link_label = QLabel("")
        self.link_label.setAccessibleName("Customer link")
        self.link_label.setWordWrap(True)
        self.confirm_link = QPushButton("Confirm link")
        self.confirm_link.setAccessibleName("Confirm suggested customer link")
        self.reject_link = QPushButton("Reject link")
        self.reject_link.setAccessibleName("Reject suggested customer link")
        self.confirm_link.clicked.connect(lambda: self._decide("confirmed"))
        self.reject_link.clicked.connect(lambda: self._decide("rejected"))
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_label, 1)
        link_row.addWidget(self.confirm_link)
        link_row.addWidget(self.reject_link)

        self.fields = RecordPairModel(self, palette=palette)
        self.table = QTableView()
        self.table.setAccessibleName("CRM and ERP fields")
        self.table.setModel(self.fields)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # three equal columns: sized to its longest name ("Status as the system shows it"), the field column left
        # the two values 50 px each in a 1024 px window ("Canc…", "50,6…"); a long name wraps instead
        for col in range(3):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._field_row_changed)

        box = QGroupBox("Proposed correction")
        box.setAccessibleName("Proposed correction")
        self.proposal_label = QLabel("")
        self.proposal_label.setWordWrap(True)
        self.proposal_label.setAccessibleName("Engine's proposal")
        self.target = QComboBox()
        self.target.setAccessibleName("System to change")
        self.target.addItem("Change the ERP record", "erp")
        self.target.addItem("Change the CRM record", "crm")
        self.field = QComboBox()
        self.field.setAccessibleName("Field to change")
        self.value = QLineEdit()
        self.value.setAccessibleName("New value")
        self.value.setPlaceholderText("new value")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("why (optional)")
        self.validation = QLabel("")
        self.validation.setAccessibleName("Validation")
        self.validation.setWordWrap(True)
        self.take_crm_button = QPushButton("◀ Take CRM value")
        self.take_crm_button.setToolTip(shortcut_label("take_crm"))
        self.take_crm_button.setAccessibleName("Take CRM value")
        self.take_erp_button = QPushButton("Take ERP value ▶")
        self.take_erp_button.setToolTip(shortcut_label("take_erp"))
        self.take_erp_button.setAccessibleName("Take ERP value")
        self.propose_button = QPushButton("Propose correction")
        self.propose_button.setAccessibleName("Propose correction")
        self.take_crm_button.clicked.connect(lambda: self.take_value("crm"))
        self.take_erp_button.clicked.connect(lambda: self.take_value("erp"))
        self.propose_button.clicked.connect(self._propose)
        self.value.textChanged.connect(self._validate)
        self.field.currentIndexChanged.connect(self._validate)
        self.target.currentIndexChanged.connect(self._validate)
        form = QFormLayout()
        form.addRow("Change", self.target)
        form.addRow("Field", self.field)
        form.addRow("New value", self.value)
        form.addRow("Reason", self.reason)
        takes = QHBoxLayout()
        takes.addWidget(self.take_crm_button)
        takes.addWidget(self.take_erp_button)
        takes.addStretch(1)
        propose = QHBoxLayout()
        propose.addStretch(1)
        propose.addWidget(self.propose_button)
        # the three buttons on one row when the panel is wide; "Propose correction" below the takes when
        # it is narrow, so the panel leaves the queue its width in a 1024 px window (see resizeEvent)
        self.actions_row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.actions_row.addLayout(takes, 1)
        self.actions_row.addLayout(propose)
        bl = QVBoxLayout(box)
        bl.addWidget(self.proposal_label)
        bl.addLayout(form)
        bl.addWidget(self.validation)
        bl.addLayout(self.actions_row)

        self.history = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setAccessibleName("History")
        self.history_view.setModel(self.history)
        self.history_view.verticalHeader().hide()
        self.history_view.horizontalHeader().setStretchLastSection(True)
        self.history_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.history_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.history_view.setMaximumHeight(150)
        self.history_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.message)
        lay.addLayout(link_row)
        lay.addWidget(self.table, 3)
        lay.addWidget(box)
        # History and the comments/evidence share one place: the records above keep their room.
        self.notes = QTabWidget()
        self.notes.setAccessibleName("History, comments and evidence")
        self.notes.addTab(self.history_view, "History")
        # comments and evidence need the store and the user: only with the app's context
        self.evidence = EvidencePanel(ctx, self) if ctx is not None else None
        if self.evidence is not None:
            self.notes.addTab(self.evidence, "Comments and evidence")
            self.evidence.loaded.connect(self._count_evidence)
        self.notes.setMaximumHeight(190)
        lay.addWidget(self.notes, 1)
        QWidget.setTabOrder(self.table, self.target)
        QWidget.setTabOrder(self.target, self.field)
        QWidget.setTabOrder(self.field, self.value)
        QWidget.setTabOrder(self.value, self.reason)
        QWidget.setTabOrder(self.reason, self.take_crm_button)
        QWidget.setTabOrder(self.take_crm_button, self.take_erp_button)
        QWidget.setTabOrder(self.take_erp_button, self.propose_button)
        QWidget.setTabOrder(self.propose_button, self.confirm_link)
        QWidget.setTabOrder(self.confirm_link, self.reject_link)
        QWidget.setTabOrder(self.reject_link, self.history_view)
        self.show_detail(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        one_row = (self.take_crm_button.sizeHint().width() + self.take_erp_button.sizeHint().width()
                   + self.propose_button.sizeHint().width() + 60)
        self.actions_row.setDirection(QBoxLayout.Direction.LeftToRight if event.size().width() >= one_row
                                      else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)

    # ---- content --------------------------------------------------------------------------
    @property
    def detail(self) -> Detail | None:
        return self._detail

    def set_palette(self, palette: dict) -> None:
        self._palette = palette
        self.fields.set_palette(palette)
        self._validate()

    def show_detail(self, detail: Detail | None) -> None:
        self._detail = detail
        editable = detail is not None
        for w in (self.target, self.field, self.value, self.reason, self.take_crm_button, self.take_erp_button,
                  self.propose_button):
            w.setEnabled(editable)
        self.value.blockSignals(True)
        self.value.clear()
        self.value.blockSignals(False)
        self.reason.clear()
        self.validation.setText("")
        if self.evidence is not None:
            self.evidence.show_exception(detail.exception if detail is not None else None)
        if detail is None:
            self.title.setText("Select an exception")
            self.message.setText("")
            self.link_label.setText("")
            self.confirm_link.hide()
            self.reject_link.hide()
            self.fields.set_rows([])
            self.history.set_entries([])
            self.proposal_label.setText("")
            self.field.clear()
            return
        ex = detail.exception
        side = "crm" if ex.get("crm_number") else "erp"
        document = document_text(ex.get(f"{side}_object"), ex.get(f"{side}_number"))
        parts = [type_label(ex.get("type")), severity_label(ex.get("severity")), ex.get("customer_name"),
                 document if document != MISSING else None]
        self.title.setText(" · ".join(p for p in parts if p))
        self.title.setToolTip(str(ex.get("type") or ""))
        amount = ex.get("amount_at_risk")
        risk = "" if amount is None else "  Nothing at risk." if nothing_at_risk(amount, ex.get("currency")) else \
            f"  At risk: {format_amount(amount, ex.get('currency'))}."
        self.message.setText(f"{ex.get('message') or ''}{risk}  Status: "
                             f"{exception_status_label(ex.get('status') or 'open')}"
                             + (f", assigned to {ex['assignee']}" if ex.get("assignee") else ""))
        flagged = {d.get("field") for d in (ex.get("diffs") or []) if isinstance(d, dict) and d.get("field")}
        crm = (detail.crm or {}).get("canonical") if detail.crm else None
        erp = (detail.erp or {}).get("canonical") if detail.erp else None
        self.fields.set_rows(compare_records(crm, erp, flagged=flagged, main_field=ex.get("field")),
                             currencies=((crm or {}).get("currency") or ex.get("currency"),
                                         (erp or {}).get("currency") or ex.get("currency")))
        crm_sys = detail.systems.get("crm", "CRM")
        erp_sys = detail.systems.get("erp", "ERP")
        # the systems by name ("ERP · Business Central", not "ERP · business_central"); a file's side as the side
        self.fields.set_headers(*(_side_header(side, name) for side, name in (("crm", crm_sys), ("erp", erp_sys))))
        self.table.setToolTip(f"CRM: {crm_sys} {in_sentence(kind_label(ex.get('crm_object')))} "
                              f"{ex.get('crm_id') or MISSING} | ERP: {erp_sys} "
                              f"{in_sentence(kind_label(ex.get('erp_object')))} {ex.get('erp_id') or MISSING}")
        self._show_link(detail.link)
        self.history.set_entries(detail.history, ex.get("field"), ex.get("currency"))
        self._fill_proposal(ex)

    def _count_evidence(self) -> None:
        assert self.evidence is not None
        n, m = self.evidence.comments.rowCount(), self.evidence.attachments.rowCount()
        self.notes.setTabText(1, f"Comments ({n}) and evidence ({m})" if n or m else "Comments and evidence")

    def _show_link(self, link: dict[str, Any] | None) -> None:
        if not link:
            self.link_label.setText("Customer link: none (the customer is not linked across the systems)")
            self.link_label.setToolTip("")
            self.confirm_link.hide()
            self.reject_link.hide()
            return
        conf = link.get("confidence")
        conf_txt = f"{float(conf):.2f}" if conf is not None else MISSING
        who = f", decided by {link['decided_by']}" if link.get("decided_by") else ""
        self.link_label.setText(f"Customer link: matched by {link_method_label(link.get('method'))}, confidence "
                                f"{conf_txt} ({link_status_label(link.get('status'))}{who})")
        # the records' own ids and the codes, for whoever needs them
        self.link_label.setToolTip(f"CRM {link.get('crm_id') or MISSING} ↔ ERP {link.get('erp_id') or MISSING} "
                                   f"({link.get('method') or MISSING}, {link.get('status') or MISSING})")
        suggested = link.get("status") == "suggested"
        self.confirm_link.setVisible(suggested)
        self.reject_link.setVisible(suggested)

    def _fill_proposal(self, ex: dict[str, Any]) -> None:
        prop = ex.get("proposal") or {}
        fields = [r.field for r in self.fields.rows]
        main = prop.get("field") or ex.get("field")
        if main and main not in fields:
            fields.insert(0, main)
        self.field.blockSignals(True)
        self.field.clear()
        for f in fields:
            self.field.addItem(field_label(f), f)
            self.field.setItemData(self.field.count() - 1, f, Qt.ItemDataRole.ToolTipRole)
        if main:
            self.field.setCurrentIndex(fields.index(main))
        self.field.blockSignals(False)
        side = prop.get("target_side") or "erp"
        self.target.setCurrentIndex(max(0, self.target.findData(side)))
        if prop:
            sentence, rule = proposal_words(prop, ex)
            self.proposal_label.setText(f"Engine proposes: {sentence}")
            self.proposal_label.setToolTip(rule)
            if not prop.get("needs_decision") and prop.get("to") is not None:
                self.value.setText(str(prop.get("to")))
        else:
            self.proposal_label.setText("No proposal from the engine: pick the side to change and the value.")
            self.proposal_label.setToolTip("")
        self._validate()

    # ---- actions --------------------------------------------------------------------------
    def _field_row_changed(self, current, _previous) -> None:
        if not current.isValid() or self._detail is None:
            return
        name = self.fields.rows[current.row()].field
        i = self.field.findData(name)
        if i >= 0:
            self.field.setCurrentIndex(i)

    def _side_value(self, side: str, name: str) -> str | None:
        for r in self.fields.rows:
            if r.field == name:
                return r.crm if side == "crm" else r.erp
        ex = self._detail.exception if self._detail else {}
        if name == ex.get("field"):
            return ex.get(f"{side}_value")
        return None

    def take_value(self, side: str) -> bool:
        """Alt+Left / Alt+Right: the CRM (ERP) value becomes the correction of the other system."""
        if self._detail is None:
            return False
        name = self.field.currentData() or ""
        v = self._side_value(side, name)
        other = "erp" if side == "crm" else "crm"
        self.target.setCurrentIndex(self.target.findData(other))
        if v is None:
            self.value.clear()
            self._set_validation(f"The {side.upper()} record has no value for {in_sentence(field_label(name))} "
                                 "to take.", ok=False)
            return False
        self.value.setText(v)
        return True

    def _kind(self, side: str) -> str | None:
        ex = self._detail.exception if self._detail else {}
        prop = ex.get("proposal") or {}
        obj = prop.get("object") if prop.get("target_side") == side else None
        return canonical_kind(obj or ex.get(f"{side}_object"))

    def _validate(self) -> bool:
        if self._detail is None:
            return False
        side = self.target.currentData()
        name = self.field.currentData() or ""
        text = self.value.text()
        if not name:
            self._set_validation("Pick the field to change.", ok=False)
            return False
        if not text.strip():
            self._set_validation("", ok=True)
            self.propose_button.setEnabled(not (self._detail.exception.get("proposal") or {}).get("needs_decision")
                                           and bool(self._detail.exception.get("proposal")))
            return False
        kind = self._kind(side)
        try:
            parse_value(kind, name, text, where=field_label(name))
        except InputError as exc:
            self._set_validation(exc.one_line(), ok=False)
            self.propose_button.setEnabled(False)
            return False
        self._set_validation(f"OK: {field_type(kind, name)} value for the {in_sentence(field_label(name))} of the "
                             f"{side.upper()} record", ok=True)
        self.propose_button.setEnabled(True)
        return True

    def _set_validation(self, text: str, ok: bool) -> None:
        self.validation.setText(text)
        color = self._palette.get("conflict") if not ok and text else None
        self.validation.setStyleSheet(f"background: {color}; padding: 3px;" if color else "")
        self.value.setProperty("invalid", not ok)

    def _propose(self) -> None:
        if self._detail is None:
            return
        text = self.value.text().strip()
        if text and not self._validate():
            return
        self.propose_requested.emit({
            "exception_id": int(self._detail.exception["id"]), "target_side": self.target.currentData(),
            "field": self.field.currentData() or None, "to_value": text or None,
            "reason": self.reason.text().strip() or None})

    def _decide(self, decision: str) -> None:
        link = self._detail.link if self._detail else None
        if link and link.get("id") is not None:
            self.link_decision.emit(int(link["id"]), decision)


def _side_header(side: str, system: str | None) -> str:
    """"ERP · Business Central"; a side whose connector names no system (files, a REST profile) as "ERP"."""
    name = system_label(system, side)
    return side.upper() if name == f"the {side.upper()}" else f"{side.upper()} · {name}"
