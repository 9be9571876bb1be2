"""Approvals and push: the approver's list of proposed corrections, approve / reject, push
the approved ones with progress, the answer per record (applied, conflict, failed with the
system's own words), and retry of the failed ones.

Maker-checker lives in the core (``workbench.corrections.service``): approving your own
proposal raises ``PermissionDenied`` and this screen shows that sentence, in the window.
"Acting as" switches the current user (the demo offers a second user to approve with).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from app.context import AppContext
from app.models.rows_model import ROW_ROLE, Column, RowsModel
from app.operations import run_action
from app.screens import Screen, register_screen
from app.settings import get_json, set_json
from app.workers import QtProgress
from app.views.tables import MiddleElide, amount_width, sortable
from app.models.proposal_text import in_sentence
from app.models.queue_frame import document_kind
from app.models.values import nothing_at_risk, risk_text, shown_value
from workbench.model.labels import (MISSING, SIDE_LABELS, correction_state_label, field_label, kind_label,
                                    type_label)
from workbench.model.missing import is_missing
from workbench.model.states import CorrectionState
from workbench.model.changes import Changes
from workbench.team.identity import same_person

if TYPE_CHECKING:
    from workbench.jobs import Pushed

_C = CorrectionState
VIEWS = (("Waiting for approval", [_C.PROPOSED]), ("Approved, to push", [_C.APPROVED, _C.QUEUED]),
         ("Failed", [_C.FAILED, _C.DEAD_LETTER]), ("Conflicts", [_C.CONFLICT]), ("Applied", [_C.APPLIED]),
         ("Rejected or waived", [_C.REJECTED, _C.WAIVED]), ("All", []))
OUTCOME_WORDS = {"applied": "applied", "already_applied": "applied (value was already there)",
                 "conflict": "conflict", "transient": "failed, retry scheduled", "permanent": "failed",
                 "recovered_applied": "applied (recovered)", "recovered_requeued": "back in the queue",
                 "recovered_conflict": "conflict (recovered)"}


def _yours(r: dict[str, Any]) -> str:
    return "Prepared by you: another person must approve it (maker-checker)" if r.get("own") else ""


NO_PUSH_YET = ("Nothing pushed yet in this window: Push approved sends every approved correction to its system, "
               "and each record's answer is listed below.")

CORRECTION_COLUMNS = [
    Column("id", "Id", align_right=True),
    Column("exception_words", "Exception", tooltip=lambda r: f"{r.get('exception_words')} "
                                                              f"({r.get('exception_type') or MISSING})"),
    Column("customer_words", "Customer"),
    Column("document", "Document", tooltip=lambda r: r.get("document_tip") or ""),
    Column("target", "Change in", tooltip=lambda r: r.get("target_tip") or ""),
    Column("change", "Change", tooltip=lambda r: r.get("change") or ""),
    # sorted by currency, then amount: amounts of two currencies are not compared
    Column("at_risk", "At risk", align_right=True,
           sort_key=lambda r: None if r.get("risk_amount") is None
           else (r.get("risk_currency") or "", r["risk_amount"])),
    Column("state_words", "State", tooltip=lambda r: f"{r.get('state_words')} ({r.get('state')})"),
    Column("preparer_words", "Prepared by", tooltip=_yours),
    Column("approver_words", "Approved by"),
    Column("why", "Why / system's answer", tooltip=lambda r: r.get("why") or ""),
]
RESULT_COLUMNS = [
    Column("correction_id", "Correction", align_right=True),
    Column("target", "Record", tooltip=lambda r: r.get("target_tip") or ""),
    Column("field_words", "Field"),
    Column("outcome_words", "Result"),
    Column("state_words", "State now", tooltip=lambda r: str(r.get("state") or "")),
    Column("message", "System's message", tooltip=lambda r: r.get("message") or ""),
]


def correction_rows(frame, exceptions: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Display rows of corrections: document, amount and currency from their exception
    (``exceptions``: id -> crm_number, erp_number, amount_at_risk, currency), states in words."""
    rows = []
    for r in frame.to_dict("records"):
        r = {k: (None if is_missing(v) else v) for k, v in r.items()}
        ex = (exceptions or {}).get(int(r["exception_id"])) if r.get("exception_id") is not None else None
        ex = ex or {}
        side, kind = str(r.get("target_side") or ""), r.get("target_object")
        currency = ex.get("currency")
        r["exception_words"] = type_label(r.get("exception_type"))
        r["customer_words"] = r.get("customer_name") or MISSING
        number = ex.get(f"{side}_number") or ex.get("crm_number") or ex.get("erp_number")
        r["document"] = number or MISSING
        r["document_tip"] = f"{document_kind(kind)} {number}" if number else "no document number"
        r["target"] = f"{SIDE_LABELS.get(side, side.upper())} {in_sentence(kind_label(kind))}"
        r["target_tip"] = (f"{SIDE_LABELS.get(side, side.upper())} ({r.get('target_system') or MISSING}) "
                           f"{kind or ''} {r.get('target_record') or MISSING}")
        field = r.get("field")
        r["field_words"] = field_label(field)
        r["change"] = (f"{field_label(field)}: {shown_value(r.get('from_value'), field, currency)} → "
                       f"{shown_value(r.get('to_value'), field, currency)}")
        amount = ex.get("amount_at_risk")
        r["at_risk"] = risk_text(amount, currency)
        r["risk_amount"] = None if nothing_at_risk(amount, currency) else Decimal(str(amount))
        r["risk_currency"] = currency
        for a in r.get("also") or []:  # a compound correction: the record's further changes
            r["change"] += (f"; {field_label(a['field'])}: {shown_value(a.get('from'), a['field'], currency)} → "
                            f"{shown_value(a.get('to'), a['field'], currency)}")
        r["state_words"] = correction_state_label(r.get("state"), r.get("verification"))
        r["approver_words"] = r.get("approver") or MISSING
        r["why"] = r.get("last_error") or r.get("state_reason") or r.get("reason") or ""
        rows.append(r)
    return rows


def mark_own(rows: list[dict[str, Any]], user: str) -> list[dict[str, Any]]:
    """Mark the rows ``user`` prepared, compared as people as the core compares them."""
    for r in rows:
        r["own"] = same_person(r.get("preparer"), user)
        r["preparer_words"] = (r.get("preparer") or MISSING) + (" (you)" if r["own"] else "")
    return rows


def list_rows(store, states: list[str] | None) -> list[dict[str, Any]]:
    """Worker side of the list: the corrections as display rows (the GUI thread only shows them)."""
    from workbench.corrections import service
    frame = service.list_corrections(store, state=states)
    return correction_rows(frame, exception_facts(store, frame["exception_id"].tolist()))


def exception_facts(store, ids: list[Any]) -> dict[int, dict[str, Any]]:
    """What a correction's exception says about its document and money, by exception id."""
    from sqlalchemy import select

    from workbench.store.chunks import chunks
    from workbench.store.schema import ExceptionRow
    wanted = sorted({int(i) for i in ids if not is_missing(i)})
    out: dict[int, dict[str, Any]] = {}
    with store.session() as s:
        for part in chunks(wanted):
            q = select(ExceptionRow.id, ExceptionRow.crm_number, ExceptionRow.erp_number,
                       ExceptionRow.amount_at_risk, ExceptionRow.currency).where(ExceptionRow.id.in_(part))
            for row in s.execute(q):
                out[int(row.id)] = dict(row._mapping)
    return out


class ApprovalsScreen(QWidget):
    action_done = Signal(str, str)  # action ("approve", "reject", "push", "retry", "list"), "ok" | error text
    push_shown = Signal(dict)       # the push report's counts once its results are on screen

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Approvals and push")
        self.push_options: dict[str, Any] = {"wait": False}  # never sit on a retry timer while the user waits
        self.progress: QtProgress | None = None
        self._screenshot_done: list[str] = []
        self._list_token = 0

        self.user_box = QComboBox()
        self.user_box.setEditable(True)
        self.user_box.setAccessibleName("Acting as user")
        self.user_box.setMinimumWidth(160)
        self.user_box.currentTextChanged.connect(self._user_changed)
        self.view_box = QComboBox()
        self.view_box.setAccessibleName("Show corrections")
        for label, states in VIEWS:
            self.view_box.addItem(label, states)
        self.view_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setAccessibleName("Refresh the corrections")
        self.refresh_button.clicked.connect(self.refresh)
        self.count = QLabel("")
        self.count.setAccessibleName("Corrections shown")

        self.model = RowsModel(CORRECTION_COLUMNS, self, tint=lambda r: self._state_tint(r.get("state")))
        self.table = QTableView()
        self.table.setAccessibleName("Corrections")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        sortable(self.table)  # At risk by amount; until a click, the newest correction first, as listed
        # Id, exception, customer, document, change in, change, at risk, state, prepared by, approved by:
        # the last column (why) takes the rest of a 1440 px window.
        for i, w in enumerate((36, 160, 130, 96, 115, 200, amount_width(self.table), 160, 135, 110)):
            self.table.setColumnWidth(i, w)
        self._middle_elide = MiddleElide(self.table)  # "Customer cross-refe…" hid which of two types it is
        self.table.setItemDelegateForColumn(1, self._middle_elide)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_approve())
        self.model.modelReset.connect(self._update_approve)
        self._layout_saved = False  # a column layout of the user's (restored, or a column dragged): kept as it is
        self._fitting = False
        self.table.horizontalHeader().sectionResized.connect(self._resized)
        self.model.modelReset.connect(self._fit_words)

        self.approve_button = QPushButton("Approve selected")
        self.approve_button.setAccessibleName("Approve the selected corrections")
        self.approve_button.clicked.connect(self.approve_selected)
        self.own_note = QLabel("")
        self.own_note.setObjectName("ownProposalNote")
        self.own_note.setAccessibleName("Why approve is not available")
        self.own_note.setWordWrap(True)
        self.own_note.hide()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("reason (required to reject; goes into the audit trail)")
        self.reason.setAccessibleName("Reason")
        self.reject_button = QPushButton("Reject selected")
        self.reject_button.setAccessibleName("Reject the selected corrections")
        self.reject_button.clicked.connect(self.reject_selected)
        self.push_button = QPushButton("Push approved")
        self.push_button.setAccessibleName("Push all approved corrections to the systems")
        self.push_button.clicked.connect(self.push)
        self.retry_button = QPushButton("Retry failed")
        self.retry_button.setAccessibleName("Retry the failed corrections (selected, or all shown)")
        self.retry_button.clicked.connect(self.retry_failed)
        self.cancel_button = QPushButton("Cancel push")
        self.cancel_button.setAccessibleName("Cancel the push after the current batch")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)

        self.notice = QLabel("")
        self.notice.setObjectName("messageBar")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Approvals message")
        self.notice.hide()
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Push progress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        # before any push, say what the empty list below will hold rather than a bare 0 % bar over nothing
        self.push_status = QLabel(NO_PUSH_YET)
        self.push_status.setAccessibleName("Push summary")
        self.push_status.setWordWrap(True)
        self.results = RowsModel(RESULT_COLUMNS, self, tint=lambda r: self._state_tint(r.get("state")))
        self.results_view = QTableView()
        self.results_view.setAccessibleName("Push results")
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.setWordWrap(False)
        self.results_view.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((80, 230, 140, 170, 200)):
            self.results_view.setColumnWidth(i, w)

        head = QHBoxLayout()
        head.addWidget(QLabel("Acting as"))
        head.addWidget(self.user_box)
        head.addWidget(QLabel("Show"))
        head.addWidget(self.view_box)
        head.addWidget(self.refresh_button)
        head.addStretch(1)
        head.addWidget(self.count)
        acts = QHBoxLayout()
        acts.addWidget(self.approve_button)
        acts.addWidget(self.reason, 1)
        acts.addWidget(self.reject_button)
        acts.addSpacing(24)
        acts.addWidget(self.push_button)
        acts.addWidget(self.retry_button)
        acts.addWidget(self.cancel_button)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(head)
        tl.addWidget(self.notice)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.own_note)
        tl.addLayout(acts)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        pr = QHBoxLayout()
        pr.addWidget(QLabel("Push"))
        pr.addWidget(self.bar, 1)
        bl.addLayout(pr)
        bl.addWidget(self.push_status)
        bl.addWidget(self.results_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("approvalsSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([520, 300])
        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter)
        order = (self.user_box, self.view_box, self.refresh_button, self.table, self.approve_button, self.reason,
                 self.reject_button, self.push_button, self.retry_button, self.cancel_button, self.results_view)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

        ctx.run_changed.connect(lambda _: self.refresh())
        ctx.data_changed.connect(self._data_changed)
        ctx.user_changed.connect(self._show_user)
        ctx.theme_changed.connect(lambda _: (self.model.refresh_tints(), self.results.refresh_tints()))
        self.restore_settings()
        self._fill_users()
        self.refresh()

    # ---- users ------------------------------------------------------------------------------
    def _fill_users(self, names: list[str] | None = None) -> None:
        from workbench.demo import DEMO_APPROVER, DEMO_PREPARER
        have = {self.user_box.itemText(i) for i in range(self.user_box.count())}
        wanted = [self.ctx.user] + list(names or [])
        if self.ctx.demo is not None or self.ctx.user == DEMO_PREPARER:
            wanted += [DEMO_PREPARER, DEMO_APPROVER]
        self.user_box.blockSignals(True)
        for n in wanted:
            if n and n not in have:
                self.user_box.addItem(n)
                have.add(n)
        self.user_box.setCurrentText(self.ctx.user)
        self.user_box.blockSignals(False)
        if self.ctx.store is not None:
            self.ctx.db.submit(_user_names, self.ctx.store, on_done=self._more_users, on_error=lambda _: None)

    def _more_users(self, names: list[str]) -> None:
        have = {self.user_box.itemText(i) for i in range(self.user_box.count())}
        self.user_box.blockSignals(True)
        for n in names:
            if n not in have:
                self.user_box.addItem(n)
        self.user_box.blockSignals(False)

    def set_user(self, name: str) -> None:
        self.user_box.setCurrentText(name)
        self._user_changed(name)

    def _user_changed(self, name: str) -> None:
        if name.strip():
            self.ctx.set_user(name.strip())

    def _show_user(self, name: str) -> None:  # switched here or on the toolbar: one user for the window
        if self.user_box.currentText() != name:
            self.user_box.blockSignals(True)
            self.user_box.setCurrentText(name)
            self.user_box.blockSignals(False)
        mark_own(self.model.rows, name)  # whose proposals are "yours" changed with the user
        self.model.refresh_rows()
        self._update_approve()

    def _selected_rows(self) -> list[dict[str, Any]]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows if 0 <= r < len(self.model.rows)]

    def _update_approve(self) -> None:
        """Approve is off, with the reason on screen, when every selected proposal is the user's own:
        the core would refuse it (maker-checker, people compared as workbench.team.identity does)."""
        if self.progress is not None:
            return  # a push is running: the buttons wait for it
        rows = [r for r in self._selected_rows() if r.get("state") == CorrectionState.PROPOSED]
        own = [r for r in rows if same_person(r.get("preparer"), self.ctx.user)]
        only_own = bool(rows) and len(own) == len(rows)
        self.approve_button.setEnabled(not only_own)
        if only_own:
            why = (f"You ({self.ctx.user}) prepared {'this correction' if len(own) == 1 else 'these corrections'}: "
                   "another person must approve (maker-checker). Switch the user to approve as someone else.")
        elif own:
            why = (f"{len(own)} of the selected proposals are your own: Approve approves the other "
                   f"{len(rows) - len(own)} and leaves yours for another person.")
        else:
            why = ""
        self.approve_button.setToolTip(why)
        self.own_note.setText(why)
        self.own_note.setVisible(bool(why))

    # ---- list -------------------------------------------------------------------------------
    def _state_tint(self, state: str | None) -> str | None:
        return (self.ctx.palette.get("status") or {}).get(state or "")

    def _data_changed(self, changes: Changes | None, _initiator: object) -> None:
        if changes is None or changes.corrections:
            self.refresh()

    def refresh(self) -> None:
        if self.ctx.store is None:
            return
        states = self.view_box.currentData() or None
        self._list_token += 1
        token = self._list_token

        def shown(rows: list[dict[str, Any]]) -> None:
            if token != self._list_token:
                return  # an answer to an older question (the user switched the view meanwhile)
            keep = self.selected_ids()
            self.model.set_rows(mark_own(rows, self.ctx.user))
            self.select_ids(keep)  # a refresh (another screen approved something) keeps the user's place
            self.count.setText(f"{len(rows):,} corrections")
            self.action_done.emit("list", "ok")

        self.ctx.db.submit(list_rows, self.ctx.store, states, on_done=shown,
                           on_error=lambda message: self._refuse("list", message))

    def selected_ids(self) -> list[int]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        return [int(self.model.index(r, 0).data(ROW_ROLE)["id"]) for r in rows]

    def select_ids(self, ids: list[int]) -> None:
        sm = self.table.selectionModel()
        sm.clearSelection()
        from PySide6.QtCore import QItemSelectionModel
        for r, row in enumerate(self.model.rows):
            if int(row["id"]) in ids:
                sm.select(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                          | QItemSelectionModel.SelectionFlag.Rows)

    # ---- decisions (the core decides; the screen shows its answer) ---------------------------
    def _failed(self, action: str) -> Callable[[str], None]:
        """What a refusal shows here (the message bar already has it from run_action)."""
        def show(message: str) -> None:
            self.notice.setText(message)
            self.notice.show()
            self._end_push()
            self.action_done.emit(action, message)
        return show

    def _refuse(self, action: str, message: str) -> None:
        self.ctx.error(message)
        self._failed(action)(message)

    def _ok(self, action: str, text: str) -> None:
        self.notice.hide()
        self.ctx.info(text)
        self.action_done.emit(action, "ok")

    def approve_selected(self) -> None:
        from workbench.corrections import service
        ids = self.selected_ids()
        if not ids:
            self._refuse("approve", "Select the corrections to approve first")
            return
        user = self.ctx.user
        # the user's own proposals stay for another person (the core refuses the whole lot otherwise)
        own = {int(r["id"]) for r in self._selected_rows() if same_person(r.get("preparer"), user)}
        others = [i for i in ids if i not in own]
        left = f"; {len(own)} of your own left for another person" if own and others else ""
        ids = others or ids
        run_action(self.ctx, service.approve, self.ctx.store, ids, user, self.reason.text().strip() or None,
                   initiator=self, success=lambda done: self._ok("approve", f"{len(done)} corrections approved by "
                                                                            f"{user}{left}"),
                   failure=self._failed("approve"))

    def reject_selected(self) -> None:
        from workbench.corrections import service
        ids = self.selected_ids()
        if not ids:
            self._refuse("reject", "Select the corrections to reject first")
            return
        reason, user = self.reason.text().strip(), self.ctx.user
        run_action(self.ctx, service.reject, self.ctx.store, ids, user, reason, initiator=self,
                   success=lambda done: self._ok("reject", f"{len(done)} corrections rejected by {user}"),
                   failure=self._failed("reject"))

    # ---- push -------------------------------------------------------------------------------
    def push(self) -> None:
        from workbench.jobs import push_and_list
        self._start_push("push", push_and_list, None)

    def retry_failed(self) -> None:
        ids = self.selected_ids() or [int(r["id"]) for r in self.model.rows]
        failed = [i for i in ids if next((r for r in self.model.rows if int(r["id"]) == i), {}).get("state")
                  == CorrectionState.DEAD_LETTER]
        if not failed:
            self._refuse("retry", "No failed corrections to retry here (show 'Failed' and select them)")
            return
        from workbench.jobs import retry_and_push
        self._start_push("retry", retry_and_push, failed)

    def _start_push(self, action: str, fn: Callable[..., Pushed], ids: list[int] | None) -> None:
        if self.progress is not None:
            return
        self.notice.hide()
        progress = QtProgress(self)
        progress.progress.connect(self._push_progress)
        self.progress = progress
        self.bar.setRange(0, 0)
        self.push_status.setText("Pushing…")
        for b in (self.push_button, self.retry_button, self.approve_button, self.reject_button):
            b.setEnabled(False)
        self.cancel_button.setEnabled(True)
        user = self.ctx.user

        def done(pushed: Pushed) -> None:
            self._end_push()

            def shown(facts: dict[int, dict[str, Any]]) -> None:
                self.show_report(pushed.report, pushed.listed, facts)
                self._ok(action, self.push_status.text())

            # the pushed records' document numbers live on their exceptions: one more read, on the worker
            ids = [] if pushed.listed is None else pushed.listed["exception_id"].tolist()
            self.ctx.db.submit(exception_facts, self.ctx.store, ids, on_done=shown, on_error=lambda _: shown({}))

        run_action(self.ctx, fn, self.ctx.store, user, ids, dict(self.push_options), state=progress,
                   initiator=self, success=done, failure=self._failed(action))

    def cancel(self) -> None:
        if self.progress is not None:
            self.progress.cancel()
            self.cancel_button.setEnabled(False)
            self.push_status.setText("Cancelling after the current batch…")

    def _push_progress(self, done: int, total: object, message: str) -> None:
        if isinstance(total, int) and total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if message:
            self.push_status.setText(message)

    def _end_push(self) -> None:
        self.progress = None
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        for b in (self.push_button, self.retry_button, self.approve_button, self.reject_button):
            b.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._update_approve()

    def show_report(self, report, listed, facts: dict[int, dict[str, Any]] | None = None) -> None:
        """The push's answer per record; ``facts``: exception_facts of the listed corrections."""
        by_id = {int(r["id"]): r for r in correction_rows(listed, facts)} if listed is not None else {}
        rows = []
        for res in report.results:
            c = by_id.get(int(res["correction_id"]), {})
            state = c.get("state") or res.get("state")
            # the answer as the user needs it: a transient error that used up its attempts is a failure
            words = ("failed" if state == CorrectionState.DEAD_LETTER
                     else OUTCOME_WORDS.get(res.get("outcome"), res.get("outcome")))
            document = c.get("document") if c.get("document") not in (None, MISSING) else ""
            rows.append({"correction_id": res["correction_id"],
                         "target": f"{c.get('target') or MISSING} {document}".strip(),
                         "target_tip": c.get("target_tip"), "field": c.get("field"),
                         "field_words": field_label(c.get("field")), "outcome": res.get("outcome"),
                         "outcome_words": words, "state": state,
                         "state_words": correction_state_label(state, c.get("verification")),
                         "message": res.get("message") or ""})
        self.results.set_rows(rows)
        self.bar.setRange(0, max(1, len(rows)))
        self.bar.setValue(max(1, len(rows)) if rows else 0)
        k = report.counts
        applied = k.get("applied", 0) + k.get("already_applied", 0) + k.get("recovered_applied", 0)
        conflicts = k.get("conflict", 0) + k.get("recovered_conflict", 0)
        parts = [f"{applied} applied", f"{conflicts} conflict{'' if conflicts == 1 else 's'}",
                 f"{k.get('dead_letter', 0)} failed"]
        if k.get("retried"):
            parts.append(f"{k['retried']} to be retried")
        if report.pending:
            parts.append(f"{report.pending} still queued")
        verified = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in (report.verified or {}).items())
        text = "Push done: " + ", ".join(parts) + (f"; re-read: {verified}" if verified else "")
        if report.errors:
            text += "; not pushed: " + "; ".join(report.errors)
        if not report.results and not report.errors:
            text = "Nothing to push: no approved corrections are waiting"
        self.push_status.setText(text)
        self.push_shown.emit(dict(k))

    # ---- screenshots and persistence --------------------------------------------------------
    def screenshot_states(self) -> list[str]:
        return ["approvals", "push-results"]

    def enter_screenshot_state(self, state: str) -> None:
        """Once: proposals waiting for the approver; then approved and pushed to the demo sandboxes
        (one edited meanwhile, one deleted), so the pictures show real per-record answers.
        The dark pass shows the same answers again."""
        if state == "approvals" and not self._screenshot_done:
            self._screenshot_done.append("proposed")
            screenshot_proposals(self)
        elif state == "push-results" and self._screenshot_done == ["proposed"]:
            self._screenshot_done.append("pushed")
            screenshot_push(self)

    def save_settings(self) -> None:
        s = self.ctx.settings
        s.setValue("approvals/splitter", self.splitter.saveState())
        s.setValue("approvals/header", self.table.horizontalHeader().saveState())
        set_json(s, "approvals/view", self.view_box.currentIndex())

    def _fit_words(self) -> None:
        """Exception, Customer and Change as wide as their words, up to a fifth of the list each: at 1920 px
        they read 'Customer c…ce missing' and 'Tanaka & Watana…' while the last column had 900 px to spare.
        Each time the list is filled (fitted once, to a first short list, the longer words listed later were
        cut again), only ever wider, and never over a layout the user saved or a column they dragged."""
        if self._layout_saved or not self.model.rows or not self.table.isVisible():
            return
        most = self.table.viewport().width() // 5
        self._fitting = True
        try:
            for col in (1, 2, 5):
                self.table.setColumnWidth(col, max(self.table.columnWidth(col),
                                                   min(self.table.sizeHintForColumn(col), most)))
        finally:
            self._fitting = False

    def _resized(self, index: int, _old: int, _new: int) -> None:
        """A column resized, not by ``_fit_words`` and not the last one (it stretches with the window): the
        user's layout from now on."""
        if not self._fitting and index != self.model.columnCount() - 1:
            self._layout_saved = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_words()

    def restore_settings(self) -> None:
        s = self.ctx.settings
        for key, target in (("approvals/splitter", self.splitter), ("approvals/header",
                                                                    self.table.horizontalHeader())):
            st = s.value(key)
            if isinstance(st, QByteArray) and not st.isEmpty():
                restored = target.restoreState(st)
                self._layout_saved = self._layout_saved or (restored and key == "approvals/header")
        i = get_json(s, "approvals/view", 0)
        if isinstance(i, int) and 0 <= i < len(VIEWS):
            self.view_box.setCurrentIndex(i)


def _user_names(store) -> list[str]:
    from workbench.team.users import list_users
    with store.session() as s:
        return [u["name"] for u in list_users(s)]


def screenshot_proposals(screen: ApprovalsScreen) -> None:
    """For `workbench screenshots`: the demo preparer proposes a few customer fixes of the open run."""
    from workbench.demo import DEMO_APPROVER, DEMO_PREPARER
    ctx = screen.ctx
    if ctx.run_id is None:
        return

    def job(store, run_id):
        from workbench.corrections import service
        from workbench.store import repo
        picked = []
        for r in repo.load_exceptions(store, run_id).to_dict("records"):
            p = r.get("proposal")
            if isinstance(p, dict) and p.get("object") == "customers" and not p.get("needs_decision") \
                    and p.get("target_side") == "crm" and r.get("status") == "open":
                picked.append(r)
            if len(picked) >= 6:
                break
        screen._screenshot_rows = picked
        return [service.propose(store, int(r["id"]), DEMO_PREPARER) for r in picked]

    def proposed(ids: list[int]) -> None:
        screen._screenshot_ids = ids
        screen.set_user(DEMO_APPROVER)
        screen.view_box.setCurrentIndex(0)
        screen.refresh()

    ctx.jobs.submit(job, ctx.store, ctx.run_id, on_done=proposed, on_error=ctx.error)


def screenshot_push(screen: ApprovalsScreen) -> None:
    """Approve the proposals as the demo approver, let the sandbox have a bad day, push."""
    from workbench.demo import DEMO_APPROVER
    ctx = screen.ctx
    ids = getattr(screen, "_screenshot_ids", [])
    if not ids:
        return

    def job(store):
        from workbench.corrections import service
        service.approve(store, ids, DEMO_APPROVER)
        _bad_day(ctx.demo, getattr(screen, "_screenshot_rows", [])[:2])

    def approved(_: Any) -> None:
        screen.view_box.setCurrentIndex(len(VIEWS) - 1)
        screen.push()

    ctx.jobs.submit(job, ctx.store, on_done=approved, on_error=ctx.error)


def _bad_day(demo, rows: list[dict[str, Any]]) -> None:
    """Let the demo's Salesforce sandbox answer like a real org on a bad day: a rep edits the
    first record before the push (a conflict), the second is deleted under it (a failure)."""
    from workbench.sources.salesforce_mapping import DEFAULT_FIELDS
    sf = next((h for h in getattr(demo, "handles", []) if hasattr(h, "org")), None)
    crm_rows = [r for r in rows if r["proposal"].get("target_side") == "crm"]
    if sf is None or len(crm_rows) < 2:
        return
    first, second = crm_rows[0]["proposal"], crm_rows[1]["proposal"]
    sf.edit("Account", first["record_id"], {DEFAULT_FIELDS["customers"][first["field"]]: "Edited by a rep"})
    sf.faults.concurrent_deletes.add(second["record_id"])


register_screen(Screen(key="approvals", title="Approvals", factory=ApprovalsScreen, order=50,
                       accessible_name="Approvals and push"))
