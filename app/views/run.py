"""Run: pull both sources and reconcile in the background, a progress bar per source, a
cancel that really stops the work, and the list of runs (reopen any of them in the queue).

The pipeline calls ``state.set_source_progress(side, done, total, message)`` for each
source's records and ``set_progress`` for the reconcile/save steps; ``QtProgress``
forwards both as signals, throttled. Cancel sets the flag the pipeline checks between
pages; it stops there and stores nothing half-done (the run is listed as cancelled).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.views.tables import sortable
from app.context import AppContext
from app.models.rows_model import ROW_ROLE, Column, RowsModel
from app.models.run_config_model import run_config_doc
from app.screens import Screen, register_screen
from app.workers import QtProgress
from workbench.model.labels import system_label
from workbench.model.money import amount_text, is_nonzero
from workbench.reconcile.result import UNREPORTED_LABELS, Unreported
from workbench.reconcile.summary import read_summary
from workbench.sources.ledger import ledger_rows
from workbench.sources.pull_report import pull_line, pull_modes

SIDE_WORDS = {"crm": "CRM", "erp": "ERP"}
# the run list's column widths and order as the user left them; a new key when the columns change, since
# a header state saved with other columns would put widths on the wrong ones
HEADER_KEY = "run/header-2"


def when(v: Any) -> str:
    if isinstance(v, datetime):
        v = v if v.tzinfo else v.replace(tzinfo=UTC)
        return v.astimezone().strftime("%Y-%m-%d %H:%M")
    return "" if v is None else str(v)


def sources_text(run: dict[str, Any]) -> str:
    by_side = {s["side"]: s for s in run.get("sources") or []}
    parts = []
    for side in ("crm", "erp"):
        s = by_side.get(side)
        if s:
            parts.append(f"{SIDE_WORDS[side]}: {_system_words(s.get('system'), s.get('connector'), side)}")
    return "; ".join(parts)


def _system_words(system: str | None, connector: str | None, side: str) -> str:
    """"Business Central", not the code "business_central"; a source of files or a REST profile by its kind."""
    if system and system not in ("files", "rest", side):
        return system_label(system, side)
    return {"files": "Files", "rest": "REST profile"}.get(connector or system or "", connector or system or "—")


def records_text(run: dict[str, Any]) -> str:
    summary = read_summary(run.get("summary"))
    rec = summary.records if summary else {}
    out = []
    for side in ("crm", "erp"):
        n = sum(int(v) for v in (rec.get(side) or {}).values())
        if rec.get(side):
            out.append(f"{SIDE_WORDS[side]} {n:,}")
    return ", ".join(out)


def totals_text(run: dict[str, Any]) -> str:
    """Control totals per side and currency: invoices, total, open balance."""
    parts = []
    for t in (run.get("summary") or {}).get("control_totals") or []:
        parts.append(f"{str(t.get('side', '')).upper()} {t.get('currency')}: {int(t.get('invoices') or 0):,} inv, "
                     f"{amount_text(t.get('total_amount'))} total, {amount_text(t.get('open_balance'))} open")
    return "; ".join(parts)


def reconciling_lines(run: dict[str, Any]) -> list[str]:
    """Per currency, the open-balance difference (CRM - ERP) as its reconciling items add it up: what the
    exceptions explain, each item no exception reports that the run has, and the unexplained rest."""
    stats = (run.get("summary") or {}).get("stats") or {}
    out = []
    for ccy, d in sorted((stats.get("reconciling") or {}).items()):
        if not isinstance(d, dict):
            continue
        items = [f"explained {amount_text(d.get('explained'), ccy)}"]
        items += [f"{UNREPORTED_LABELS[why].lower()} {amount_text(d.get(why.value), ccy)}" for why in Unreported
                  if is_nonzero(d.get(why.value))]
        out.append(f"Open balance difference {ccy} {amount_text(d.get('difference'), ccy)}: {' + '.join(items)}; "
                   f"unexplained {amount_text(d.get('unexplained'), ccy)}")
    return out


def exceptions_count(run: dict[str, Any]) -> int | None:
    summary = read_summary(run.get("summary"))
    return summary.exceptions_total if summary else None


RUN_COLUMNS = [
    Column("id", "Run", align_right=True),
    Column("when", "Date"),
    Column("user_name", "User"),
    Column("name", "Name"),
    Column("status", "Status", tooltip=lambda r: r.get("error") or r.get("status") or ""),
    Column("sources_text", "Sources"),
    Column("pull_text", "Pull", tooltip=lambda r: "\n".join(r.get("pull_lines") or [])),
    Column("records_text", "Records"),
    Column("exceptions", "Exceptions", show=lambda v: "" if v is None else f"{v:,}", align_right=True),
    Column("totals_text", "Control totals",
           tooltip=lambda r: "\n".join([r.get("totals_text") or "", *(r.get("reconciling_lines") or [])]).strip()),
]


def run_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": r["id"], "when": when(r.get("finished_at") or r.get("started_at")),
             "user_name": r.get("user_name"), "name": r.get("name"), "status": r.get("status"),
             "error": r.get("error"), "sources_text": sources_text(r), "records_text": records_text(r),
             "exceptions": exceptions_count(r), "totals_text": totals_text(r),
             "reconciling_lines": reconciling_lines(r), "files_lines": files_lines(r),
             "pull_text": pull_modes(_pulls(r)), "pull_lines": [pull_line(side, p) for side, p in _pulls(r).items()]}
            for r in runs]


def _pulls(run: dict[str, Any]) -> dict[str, Any]:
    """The run's record of how it pulled each side (incremental since the last run, or full and why)."""
    pulls = (run.get("summary") or {}).get("pulls")
    return {side: p for side, p in pulls.items() if isinstance(p, dict)} if isinstance(pulls, dict) else {}


def files_lines(run: dict[str, Any]) -> list[str]:
    """Per file read: rows read, used, dropped and unresolved references, with the reasons."""
    out = []
    for r in ledger_rows((run.get("summary") or {}).get("ledger") or {}):
        line = (f"{r['side'].upper()} {r['kind']} {r['file']}: {r['read']:,} read, {r['used']:,} used, "
                f"{r['dropped']:,} dropped, {r['unresolved']:,} unresolved references")
        out.append(line + ("" if not r["notes"] else " — " + "; ".join(r["notes"])))
    return out


class SourceBar(QWidget):
    """One source's progress: records read so far of the total (or busy while it is unknown)."""

    def __init__(self, side: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.side = side
        self.label = QLabel(f"{SIDE_WORDS[side]}: waiting")
        self.label.setAccessibleName(f"{SIDE_WORDS[side]} pull status")
        self.bar = QProgressBar()
        self.bar.setAccessibleName(f"{SIDE_WORDS[side]} pull progress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat("%v / %m")
        self.done = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)

    def reset(self) -> None:
        self.done = 0
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.label.setText(f"{SIDE_WORDS[self.side]}: waiting")

    def update(self, done: int, total: object, message: str) -> None:
        self.done = done
        if isinstance(total, int) and total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{min(done, total):,} / {total:,}")
        else:
            self.bar.setRange(0, 0)
        self.label.setText(f"{SIDE_WORDS[self.side]}: {message or f'{done:,} records'}")

    def finish(self, text: str) -> None:
        if self.bar.maximum() == 0:
            self.bar.setRange(0, max(1, self.done))
        self.bar.setValue(self.bar.maximum() if text == "done" else self.bar.value())
        self.label.setText(f"{SIDE_WORDS[self.side]}: {text}")


class RunScreen(QWidget):
    finished = Signal(str, object)  # "completed" | "cancelled" | "failed", run id or message
    runs_shown = Signal(int)        # number of runs listed

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Run")
        self.doc = run_config_doc(ctx)
        self.progress: QtProgress | None = None
        self._runs: list[dict[str, Any]] = []

        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setAccessibleName("Run config used")
        self.path.setPlaceholderText("open a run config on the Connections screen")
        self.start_button = QPushButton("Start run")
        self.start_button.setAccessibleName("Start a run: pull both sources and reconcile")
        self.start_button.clicked.connect(self.start_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running pull")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        # a re-run reads only what changed since the last run of the config; this asks for everything again
        self.full_pull = QCheckBox("Pull everything again")
        self.full_pull.setAccessibleName("Pull every record again instead of only what changed since the last run")
        self.full_pull.setToolTip("Once, for the next run: read every record from both systems again instead of "
                                  "only what changed since the last run of this config (after a restore from "
                                  "backup, or a data load that kept the modification stamps).")
        self.bars = {side: SourceBar(side) for side in ("crm", "erp")}
        self.step = QLabel("")
        self.step.setAccessibleName("Run step")
        self.error = QLabel("")
        self.error.setObjectName("messageBar")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Run error")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()

        box = QGroupBox("New run")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("Run config"), 0, 0)
        grid.addWidget(self.path, 0, 1, 1, 2)
        grid.addWidget(self.start_button, 0, 3)
        grid.addWidget(self.cancel_button, 0, 4)
        grid.addWidget(self.full_pull, 0, 5)
        grid.addWidget(self.bars["crm"], 1, 0, 1, 2)
        grid.addWidget(self.bars["erp"], 1, 2, 1, 4)
        grid.addWidget(self.step, 2, 0, 1, 6)
        grid.addWidget(self.error, 3, 0, 1, 6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

        self.runs = RowsModel(RUN_COLUMNS, self, tint=self._tint)
        self.table = QTableView()
        self.table.setAccessibleName("Runs")
        self.table.setModel(self.runs)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for i, w in enumerate((50, 130, 110, 260, 90, 260, 230, 150, 80)):
            self.table.setColumnWidth(i, w)
        sortable(self.table)  # by exceptions, say; newest first until a click
        self.table.doubleClicked.connect(lambda ix: self.reopen(ix.row()))
        self.open_button = QPushButton("Open in queue")
        self.open_button.setAccessibleName("Open the selected run in the review queue")
        self.open_button.clicked.connect(lambda: self.reopen(self.table.currentIndex().row()))
        self.refresh_button = QPushButton("Refresh list")
        self.refresh_button.setAccessibleName("Refresh the list of runs")
        self.refresh_button.clicked.connect(self.refresh)
        self.details = QLabel("")
        self.details.setAccessibleName("Selected run")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._details(cur.row()))
        row = QHBoxLayout()
        row.addWidget(QLabel("Runs"))
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.open_button)

        lay = QVBoxLayout(self)
        lay.addWidget(box)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.details)
        for a, b in ((self.start_button, self.cancel_button), (self.cancel_button, self.full_pull),
                     (self.full_pull, self.refresh_button),
                     (self.refresh_button, self.open_button), (self.open_button, self.table)):
            QWidget.setTabOrder(a, b)

        self.doc.changed.connect(lambda: self.path.setText(str(self.doc.path or "")))
        self.path.setText(str(self.doc.path or ""))
        ctx.runs_changed.connect(self.refresh)
        ctx.theme_changed.connect(lambda _: self.runs.refresh_tints())
        self.restore_settings()
        self.refresh()

    # ---- runs list --------------------------------------------------------------------------
    def _tint(self, row: dict[str, Any]) -> str | None:
        st = row.get("status")
        if st == "failed":
            return self.ctx.palette["conflict"]
        if st == "cancelled":
            return self.ctx.palette["absent"]
        return None

    def refresh(self) -> None:
        from workbench.store import repo
        if self.ctx.store is None:
            return
        self.ctx.db.submit(repo.list_runs, self.ctx.store, on_done=self._show_runs)

    def _show_runs(self, runs: list[dict[str, Any]]) -> None:
        self._runs = runs
        self.runs.set_rows(run_rows(runs))
        self.runs_shown.emit(len(runs))

    def _details(self, row: int) -> None:
        """The selected run in full: what the columns cut short (all control totals, the error)."""
        if not 0 <= row < len(self.runs.rows):
            self.details.setText("")
            return
        r = self.runs.rows[row]
        lines = [f"Run #{r['id']} {r.get('name') or ''}: {r.get('status')}, {r.get('records_text') or 'no records'}"]
        if r.get("totals_text"):
            lines.append("Control totals — " + r["totals_text"])
        lines += r.get("pull_lines") or []
        if r.get("files_lines"):
            lines += ["Files — " + line for line in r["files_lines"]]
        if r.get("error"):
            lines.append(f"Error: {r['error']}")
        self.details.setText("\n".join(lines))

    def reopen(self, row: int) -> bool:
        if not 0 <= row < self.runs.rowCount():
            self.ctx.error("Select a run in the list first")
            return False
        r = self.runs.index(row, 0).data(ROW_ROLE)
        if r["status"] != "completed":
            self.ctx.error(f"Run #{r['id']} is {r['status']}: it stored no exceptions to review")
            return False
        self.ctx.open_run(int(r["id"]))
        self.ctx.show_screen("review")
        return True

    # ---- a new run --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.progress is not None

    def start_run(self) -> bool:
        from workbench.errors import WorkbenchError
        from workbench.jobs import pull_and_reconcile
        if self.running:
            return False
        try:
            config = self.doc.config()
        except WorkbenchError as exc:
            self._show_error(exc.one_line())
            return False
        self.error.hide()
        for b in self.bars.values():
            b.reset()
        self.step.setText("Pulling…")
        progress = QtProgress(self)
        progress.source_progress.connect(self._source_progress)
        progress.progress.connect(self._progress)
        self.progress = progress
        self.ctx.job_started.emit(progress)  # the window shows it in the status bar, with Cancel
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        full = self.full_pull.isChecked()
        self.full_pull.setChecked(False)  # once: the run after this one reads only what changed again
        self.ctx.jobs.submit_isolated(pull_and_reconcile, config, self.ctx.store, user=self.ctx.user, full=full,
                                      state=progress, on_done=self._done, on_error=self._failed)
        return True

    def cancel(self) -> None:
        if self.progress is not None:
            self.progress.cancel()
            self.cancel_button.setEnabled(False)
            self.step.setText("Cancelling: stopping after the current page…")

    def _source_progress(self, side: str, done: int, total: object, message: str) -> None:
        if side in self.bars:
            self.bars[side].update(done, total, message)
            if side == "erp" and self.bars["crm"].bar.maximum() == 0:
                self.bars["crm"].finish("done")

    def _progress(self, done: int, total: object, message: str) -> None:
        if message:
            self.step.setText(message)
        if message in ("Reconciling", "Saving the run", "Done"):
            for b in self.bars.values():
                if not b.label.text().endswith("done"):
                    b.finish("done")

    def _end(self) -> None:
        self.progress = None
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _done(self, outcome: Any) -> None:
        self._end()
        for b in self.bars.values():
            b.finish("done")
        n = outcome.summary.get("exceptions_total", 0)
        self.step.setText(f"Run #{outcome.run_id} done: {n:,} exceptions")
        self.ctx.info(f"Run #{outcome.run_id} finished with {n:,} exceptions; it is open in the queue")
        self.ctx.runs_changed.emit()
        self.ctx.open_run(outcome.run_id)
        self.finished.emit("completed", outcome.run_id)

    def _failed(self, message: str) -> None:
        cancelled = self.progress is not None and self.progress.cancelled
        self._end()
        for b in self.bars.values():
            if b.bar.maximum() == 0:
                b.finish("stopped")
        self.refresh()
        if cancelled:
            self.step.setText("Run cancelled: nothing was stored")
            self.ctx.info("Run cancelled by you: nothing was stored")
            self.finished.emit("cancelled", message)
            return
        self.step.setText("Run failed")
        self._show_error(message)
        self.finished.emit("failed", message)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.ctx.error(message)

    # ---- screenshots and persistence --------------------------------------------------------
    def screenshot_states(self) -> list[str]:
        return ["in-progress"]

    def enter_screenshot_state(self, state: str) -> None:
        """A still of a run mid-pull, sized like the last run (no job is started: nothing to race)."""
        rec = ((self._runs[0].get("summary") or {}).get("records") or {}) if self._runs else {}
        crm = sum(int(v) for v in (rec.get("crm") or {}).values()) or 1200
        erp = sum(int(v) for v in (rec.get("erp") or {}).values()) or 1000
        self.bars["crm"].update(crm, crm, f"{crm:,} of {crm:,} records")
        self.bars["crm"].finish(f"done, {crm:,} records")
        self.bars["erp"].update(erp * 2 // 5, erp, f"salesInvoices: {erp * 2 // 5:,} of {erp:,} records")
        self.step.setText("Pulling…")
        self.cancel_button.setEnabled(True)
        self.start_button.setEnabled(False)

    def save_settings(self) -> None:
        self.ctx.settings.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def restore_settings(self) -> None:
        st = self.ctx.settings.value(HEADER_KEY)
        if isinstance(st, QByteArray) and not st.isEmpty():
            self.table.horizontalHeader().restoreState(st)


register_screen(Screen(key="run", title="Run", factory=RunScreen, order=30, accessible_name="Run"))
