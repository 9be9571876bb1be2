"""Close screen: a period's month-end checklist (open items by severity, overdue items and aging,
the open amount at risk per currency and in the reporting currency, who prepared and reviewed
it), its sign-off history, and the actions — sign off, certify, reopen and carry a critical item
forward — the same as ``workbench close``.

An action the current user may not take is disabled with the core's reason in its tooltip; clicking
anyway (a disabled button cannot be clicked, but a stale screen can be) still goes through the core,
which refuses with the same one line in the message bar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, UTC
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from app.views.tables import rows_table
from app.context import AppContext
from app.models.close_checklist import (CHECK_COLUMNS, CRITICAL_COLUMNS, HISTORY_COLUMNS, CloseState, Permission,
                                        load_close)
from app.models.rows_model import RowsModel
from app.screens import Screen, register_screen

_STATE_TEXT = {"open": "open", "signed_off": "signed off, awaiting certification", "certified": "certified (locked)"}
_TINTS = {"blocks certification": "conflict", "overdue": "conflict", "missing": "conflict", "locked": "changed"}


class CloseScreen(QWidget):
    loaded = Signal()  # a period's picture is on screen

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state: CloseState | None = None
        self.period_box = QComboBox()
        self.period_box.setAccessibleName("Period")
        self.period_box.setMinimumContentsLength(8)
        self.period_box.activated.connect(lambda _i: self.load(self.period_box.currentText() or None))
        self.state_label = QLabel("")
        self.state_label.setAccessibleName("Period state")
        self.state_label.setProperty("role", "heading")

        self.checklist = RowsModel(CHECK_COLUMNS, self, tint=self._tint)
        self.critical = RowsModel(CRITICAL_COLUMNS, self)
        self.history = RowsModel(HISTORY_COLUMNS, self)
        self.checklist_view = rows_table(self, self.checklist, "Close checklist", (280, 0, 170))
        self.checklist_view.setSelectionMode(QTableView.SelectionMode.NoSelection)  # read, not picked
        # The detail takes what is left, so the status ("blocks certification") stays on screen in a
        # small window instead of past a fixed 760 px detail column.
        checks = self.checklist_view.horizontalHeader()
        checks.setStretchLastSection(False)
        checks.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.critical_view = rows_table(self, self.critical, "Open critical items", (460, 200, 160))
        self.history_view = rows_table(self, self.history, "Sign-off history", (150, 110, 160))

        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason for reopening or carrying forward")
        self.reason_edit.setPlaceholderText("Reason (needed to reopen or carry an item forward)")
        self.reason_edit.textChanged.connect(lambda _t: self._apply_permissions())
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip in (("signoff", "Sign off", "Sign the period off as its preparer"),
                               ("certify", "Certify", "Certify the signed-off period as its reviewer (locks it)"),
                               ("reopen", "Reopen…", "Reopen the period with the reason given"),
                               ("carry_forward", "Carry forward", "Carry the selected critical item forward with "
                                                                  "the reason given")):
            b = QPushButton(text)
            b.setAccessibleName(tip)
            b.clicked.connect(lambda _c=False, k=key: self.act(k))
            self.buttons[key] = b
        self.critical_view.selectionModel().selectionChanged.connect(lambda *_: self._apply_permissions())

        top = QHBoxLayout()
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.period_box)
        top.addWidget(self.state_label, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.reason_edit, 1)
        for b in self.buttons.values():
            actions.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.checklist_view)
        lay.addLayout(actions)
        lay.addWidget(QLabel("Open critical items (each is resolved or carried forward before certification):"))
        lay.addWidget(self.critical_view, 3)
        lay.addWidget(QLabel("Sign-off history:"))
        lay.addWidget(self.history_view, 2)
        ctx.run_changed.connect(lambda _run: self.load())
        ctx.runs_changed.connect(lambda: self.load(self.current_period()))
        ctx.data_changed.connect(lambda _changes, _initiator: self.load(self.current_period()))

    def _tint(self, row: dict[str, Any]) -> str | None:
        key = _TINTS.get(str(row.get("status", "")))
        return self.ctx.palette.get(key) if key else None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.state is not None and self.state.user != self.ctx.user:
            self.load(self.current_period())  # the user was switched: show what the new one may do

    def current_period(self) -> str | None:
        return self.state.period if self.state is not None else None

    # ---- loading ----------------------------------------------------------------------------
    def load(self, period: str | None = None) -> None:
        if self.ctx.store is None:
            return
        self.ctx.db.submit(load_close, self.ctx.store, period, self.ctx.run_id, self.ctx.user,
                           datetime.now(UTC).date(), on_done=self._show, on_error=self.ctx.error)

    def _show(self, state: CloseState) -> None:
        if state.user != self.ctx.user:
            return  # read for the user before a switch: the load asked for the new one follows
        self.state = state
        self.period_box.blockSignals(True)
        self.period_box.clear()
        self.period_box.addItems(state.periods)
        if state.period:
            self.period_box.setCurrentText(state.period)
        self.period_box.blockSignals(False)
        if state.period is None:
            self.state_label.setText("No period yet: name one in the run config ([run] period = \"2026-10\")")
        else:
            self.state_label.setText(f"Period {state.period}: {_STATE_TEXT.get(state.state, state.state)}")
        self.checklist.set_rows(state.checklist)
        # the whole checklist at once, no scrolling and no empty space under it
        v = self.checklist_view
        v.setFixedHeight(v.horizontalHeader().height() + v.verticalHeader().defaultSectionSize()
                         * max(1, len(state.checklist)) + 2 * v.frameWidth())
        self.critical.set_rows(state.critical)
        # the customer as wide as its name, up to a third of the list: 200 px cut 'Suzuki & Takahashi Electronic…'
        # at 1920 px while the last column had 900 px to spare
        v = self.critical_view
        v.setColumnWidth(1, max(v.columnWidth(1), min(v.sizeHintForColumn(1), v.viewport().width() // 3)))
        self.history.set_rows(state.history)
        self._apply_permissions()
        self.loaded.emit()

    # ---- actions ----------------------------------------------------------------------------
    def permission(self, action: str) -> Permission:
        """May the current user take ``action`` now, and if not, why (one line)."""
        if self.state is None or self.state.period is None:
            return Permission(False, "no period to close yet")
        base = self.state.actions.get(action, Permission(False, "unknown action"))
        if not base.allowed:
            return base
        if action in ("reopen", "carry_forward") and not self.reason_edit.text().strip():
            return Permission(False, "type the reason first (it is kept in the audit trail)")
        if action == "carry_forward":
            row = self._selected_critical()
            if row is None:
                return Permission(False, "select the critical item to carry forward")
            if row["carried"]:
                return Permission(False, f"{row['key']} is carried forward already")
        return base

    def _apply_permissions(self) -> None:
        for key, button in self.buttons.items():
            p = self.permission(key)
            button.setEnabled(p.allowed)
            button.setToolTip(button.accessibleName() if p.allowed else f"Not now: {p.reason}")

    def _selected_critical(self) -> dict[str, Any] | None:
        rows = self.critical_view.selectionModel().selectedRows()
        return self.critical.rows[rows[0].row()] if rows else None

    def act(self, action: str) -> None:
        """Take ``action`` on the shown period; a refusal is one line in the message bar, nothing else."""
        p = self.permission(action)
        if not p.allowed:
            self.ctx.error(f"{self.buttons[action].text().rstrip('…')}: {p.reason}")
            return
        from workbench.close import signoff as close
        assert self.state is not None and self.state.period is not None
        period, user, reason = self.state.period, self.ctx.user, self.reason_edit.text().strip()
        store = self.ctx.store
        call: Callable[..., Any]
        args: tuple[Any, ...]
        if action == "signoff":
            call, args, done = close.signoff, (store, period, user), f"Period {period} signed off by {user}"
        elif action == "certify":
            call, args, done = close.certify, (store, period, user), f"Period {period} certified by {user} (locked)"
        elif action == "reopen":
            call, args, done = close.reopen, (store, period, user, reason), f"Period {period} reopened by {user}"
        else:
            row = self._selected_critical()
            assert row is not None
            call, args = close.carry_forward, (store, period, row["key"], user, reason)
            done = f"{row['key']} carried forward by {user}"

        def finished(_: Any) -> None:
            if action in ("reopen", "carry_forward"):
                self.reason_edit.clear()
            self.ctx.info(done)
            # "changed, unknown what" (app/operations.py): the lock changes what every screen may do
            self.ctx.data_changed.emit(None, self)

        self.ctx.db.submit(call, *args, on_done=finished, on_error=self._refused)

    def _refused(self, text: str) -> None:
        self.ctx.error(text)
        self.load(self.current_period())

    # ---- screenshots ------------------------------------------------------------------------
    def screenshot_states(self) -> list[str]:
        return ["open", "signed-off", "certified"]

    def enter_screenshot_state(self, name: str) -> None:
        """Bring the demo's period to ``name`` (the screenshot tool's own temporary store)."""
        from workbench.close import signoff as close
        from workbench.demo import DEMO_APPROVER, DEMO_PREPARER
        store, period = self.ctx.store, self.current_period()
        if store is None or period is None or self.state is None:
            return
        now = self.state.state
        if name == "open" and now != "open":
            close.reopen(store, period, DEMO_APPROVER, "screenshots: back to the open period")
        if name in ("signed-off", "certified") and now == "open":
            close.signoff(store, period, DEMO_PREPARER, note="checked the open items")
        if name == "certified" and now != "certified":
            for row in self.critical.rows:
                if not row["carried"]:
                    close.carry_forward(store, period, row["key"], DEMO_PREPARER, "customer onboarding in November")
            close.certify(store, period, DEMO_APPROVER, note="reviewed")
        self.load(period)


register_screen(Screen(key="close", title="Close", factory=CloseScreen, order=65, accessible_name="Month-end close"))
