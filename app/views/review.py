"""The review screen: exception queue on the left, side by side on the right.

Every database call goes through ``ctx.db`` (the one database worker); results come
back on the GUI thread. Slow answers for an exception the user already moved past
are dropped, so quick F8 presses never show a stale record.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from app import data
from app.context import AppContext
from app.models.queue_frame import QueueFilter
from app.operations import run_action
from app.screens import Screen, register_screen
from app.settings import get_json, set_json
from app.views.queue import QueueView
from app.views.side_by_side import SideBySidePanel
from workbench.model.changes import Changes
from workbench.review.states import LINK_STATE


# The queue's column layout as the user left it; "v2" since issue 18 changed the columns (a layout
# saved for the old ones would put widths and hidden flags on the wrong columns).
HEADER_KEY = "review/header-v2"


class ReviewScreen(QWidget):
    loaded = Signal(object)         # run id once its exceptions are on screen (None: nothing to show)
    detail_shown = Signal(object)   # exception id once the side-by-side shows it
    action_done = Signal(str)       # "proposed", "assign", "approve", "waive", "confirmed", "rejected", "export"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Review exceptions")
        self.bundle: data.RunBundle | None = None
        self._detail_token = 0
        self._detail_busy = False
        self._detail_wanted: tuple[int, int] | None = None
        self._want_id: int | None = None
        self._action = ""  # the action whose changes this screen is waiting to show

        self.queue = QueueView(ctx.palette)
        self.side = SideBySidePanel(ctx.palette, ctx=ctx)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("reviewSplitter")
        # In a window too low for the whole side by side (1024×700), it scrolls: squeezed, its boxes were
        # cut through their text. Never sideways: the splitter keeps it as wide as its narrowest layout.
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidget(self.side)
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side_scroll.setMinimumWidth(self.side.minimumSizeHint().width()
                                         + self.side_scroll.verticalScrollBar().sizeHint().width())
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.side_scroll)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._split_set = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)

        self.queue.current_changed.connect(self._current_changed)
        self.queue.bulk_requested.connect(self._bulk)
        self.side.propose_requested.connect(self._propose)
        self.side.link_decision.connect(self._decide_link)
        ctx.run_changed.connect(self.load_run)
        ctx.data_changed.connect(self._data_changed)
        ctx.theme_changed.connect(self._theme)
        ctx.show_queue_requested.connect(lambda d: self.queue.set_filter(QueueFilter.from_dict(d)))
        self.restore_settings()

    # ---- loading --------------------------------------------------------------------------
    def load_run(self, run_id: int | None) -> None:
        keep = self.queue.current_id() if self.bundle and self.bundle.run["id"] == run_id else None
        self._want_id = keep
        self.ctx.db.submit(data.load_bundle, self.ctx.store, run_id, on_done=self._loaded, on_error=self._load_failed)

    def reload(self) -> None:
        self.load_run(self.bundle.run["id"] if self.bundle else self.ctx.run_id)

    def _loaded(self, bundle: data.RunBundle | None) -> None:
        previous = self.bundle
        if previous is not None:
            previous.frame.stop_warming()
        self.bundle = bundle
        self.queue.model.set_frame(bundle.frame if bundle else None)
        try:
            self._show_loaded(bundle)
        finally:
            if previous is not None and (bundle is None or previous.frame is not bundle.frame):
                # Its rows go a slice at a time off the GUI thread: dropped here at once, a million
                # rows would freeze the window for most of a second. On the database worker, after
                # the first detail load and after any earlier job that still reads that frame.
                self.ctx.db.submit(previous.frame.release)

    def _show_loaded(self, bundle: data.RunBundle | None) -> None:
        if bundle is None:
            self.side.show_detail(None)
            self.loaded.emit(None)
            return
        if self.ctx.run_id != bundle.run["id"]:
            self.ctx.run_id = bundle.run["id"]
        self.ctx.jobs.submit(bundle.frame.warm_orders)  # so the first click on a header is instant
        if not (self._want_id is not None and self.queue.select_id(self._want_id)):
            if not self.queue.select_row(0):
                self.side.show_detail(None)
        self.loaded.emit(bundle.run["id"])

    def _data_changed(self, changes: Changes | None, initiator: object) -> None:
        """An action changed records (here, on another screen, or a colleague's: ``None``): re-read
        the changed ones, keep the place; an action of this screen is done once that is shown."""
        finished = (lambda: self.action_done.emit(self._action)) if initiator is self else (lambda: None)
        bundle = self.bundle
        if bundle is None or (changes is not None and not (changes.exceptions or changes.links)):
            finished()
            return

        def apply(changed: data.Changed) -> None:
            if self.bundle is bundle:  # still the same run
                moved = self.queue.model.apply_states(bundle.frame, changed.states)
                _set_links(bundle.links, changed.links)
                shown_changed = moved if changes is None else _shows(self.side.detail, changes)
                if shown_changed:
                    self._refresh_detail()
            finished()

        def failed(message: str) -> None:
            self.ctx.error(message)
            finished()

        if changes is None:
            self.ctx.db.submit(data.load_states, self.ctx.store, bundle.run["id"], bundle.frame,
                               on_done=lambda states: apply(data.Changed(states, _NO_LINKS)), on_error=failed)
        else:
            self.ctx.db.submit(data.load_changed, self.ctx.store, bundle.frame, changes, on_done=apply,
                               on_error=failed)

    def _load_failed(self, message: str) -> None:
        self.ctx.error(f"Could not open the run: {message}")
        self.loaded.emit(None)

    def _current_changed(self, exception_id: int | None) -> None:
        self._detail_token += 1
        row = self.queue.model.row_of_id(exception_id) if exception_id is not None else None
        if row is None or self.bundle is None:
            self.side.show_detail(None)
            return
        self._detail_wanted = (self._detail_token, exception_id)
        if not self._detail_busy:
            self._load_wanted_detail()

    def _load_wanted_detail(self) -> None:
        """One detail load in flight at a time: holding F8 loads the exception the user stops on,
        not every one flown past."""
        wanted, self._detail_wanted = self._detail_wanted, None
        if wanted is None or self.bundle is None:
            return
        token, exception_id = wanted
        self._detail_busy = True

        def finish() -> None:
            self._detail_busy = False
            self._load_wanted_detail()

        def shown(detail: data.Detail | None) -> None:
            if token == self._detail_token:  # the user has not moved on meanwhile
                self.side.show_detail(detail)
                self.detail_shown.emit(exception_id)
            finish()

        def failed(message: str) -> None:
            self.ctx.error(message)
            finish()

        self.ctx.db.submit(data.load_detail, self.ctx.store, self.bundle.run, exception_id, self.bundle.links,
                           on_done=shown, on_error=failed)

    # ---- keys -----------------------------------------------------------------------------
    def next_exception(self) -> bool:
        return self.queue.step(+1)

    def previous_exception(self) -> bool:
        return self.queue.step(-1)

    def take_crm(self) -> bool:
        return self.side.take_value("crm")

    def take_erp(self) -> bool:
        return self.side.take_value("erp")

    def focus_search(self) -> None:
        self.queue.focus_search()

    def select_all_matching(self) -> None:
        self.queue.model.select_all_matching(not self.queue.model.all_matching_selected)

    # ---- actions (the core decides; the window shows its answer) --------------------------
    def _act(self, action: str, fn: Callable[..., Any], *args: Any, said: Callable[[Any], str],
             **kwargs: Any) -> None:
        """Run a core action; ``action_done`` follows once its changes are on this screen."""
        self._action = action
        run_action(self.ctx, fn, *args, initiator=self, success=lambda result: self.ctx.info(said(result)),
                   failure=lambda _: self.action_done.emit("failed"), **kwargs)

    def _propose(self, req: dict[str, Any]) -> None:
        from workbench.corrections import service
        self._act("proposed", service.propose, self.ctx.store, req["exception_id"], self.ctx.user,
                  field=req["field"], to_value=req["to_value"], reason=req["reason"], target_side=req["target_side"],
                  said=lambda corr_id: f"Correction {corr_id} proposed for exception {req['exception_id']}; "
                                       "a second user approves it")

    def _decide_link(self, link_id: int, decision: str) -> None:
        from workbench.review import links as links_review
        fn = links_review.confirm_link if decision == "confirmed" else links_review.reject_link
        self._act(decision, fn, self.ctx.store, link_id, self.ctx.user,
                  said=lambda _: f"Customer link {link_id} {decision}")

    def _bulk(self, action: str, ids: np.ndarray, argument: str) -> None:
        from workbench.corrections import bulk
        from workbench.review import assign
        id_list = [int(i) for i in ids]
        if not id_list:
            self.ctx.error("Select exceptions first (or 'Select all matching')")
            return
        store, user = self.ctx.store, self.ctx.user
        if action == "assign":
            self._act(action, assign.assign, store, id_list, user, argument or None,
                      said=lambda done: f"{len(done):,} exceptions assigned to {argument or 'nobody'}")
        elif action == "waive":
            if not argument:
                self.ctx.error("Give a reason to waive (it goes into the audit trail)")
                return
            self._act(action, bulk.waive, store, id_list, user, argument,
                      said=lambda done: f"{len(done):,} exceptions waived: {argument}")
        elif action == "approve":
            self._act(action, bulk.approve_for, store, id_list, user,
                      said=lambda done: f"{len(done):,} corrections approved" if done else
                      "No proposed corrections to approve among these (your own proposals need a second user)")

    def _refresh_detail(self) -> None:
        self._current_changed(self.queue.current_id())

    def export(self, path: str | Path | None = None) -> None:
        """Ctrl+E: write the open run's audit workbook (in the background)."""
        if self.bundle is None:
            self.ctx.error("Open a run first: there is nothing to export")
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export audit workbook",
                                                  f"run-{self.bundle.run['id']}.xlsx", "Excel workbook (*.xlsx)")
            if not name:
                return
            path = name
        from workbench.jobs import export_workbook
        from app.workers import QtProgress
        run_id = self.bundle.run["id"]
        progress = QtProgress(self)
        self.ctx.job_started.emit(progress)

        def done(_: Any) -> None:
            self.ctx.info(f"Audit workbook of run {run_id} written to {path}")
            self.action_done.emit("export")

        def failed(message: str) -> None:
            self.ctx.error(message)
            self.action_done.emit("failed")

        self.ctx.jobs.submit_isolated(export_workbook, self.ctx.store, run_id, str(path), state=progress,
                                      on_done=done, on_error=failed)

    # ---- screenshots ----------------------------------------------------------------------
    def screenshot_states(self) -> list[str]:
        return ["side-by-side"]

    def enter_screenshot_state(self, state: str) -> None:
        """Show a telling exception: an invoice paid in one system and open in the other."""
        fr = self.queue.model.frame
        if fr is None:
            return
        self.queue.clear_filters()
        hits = np.flatnonzero(fr.cats["type"].mask(frozenset({"invoice.status_mismatch"})))
        target = int(fr.ids[hits[0]]) if len(hits) else self.queue.model.exception_id(0)
        if target is not None:
            self.queue.select_id(target)

    # ---- look and persistence -------------------------------------------------------------
    def _theme(self, _mode: str) -> None:
        self.queue.model.set_palette(self.ctx.palette)
        self.side.set_palette(self.ctx.palette)

    def save_settings(self) -> None:
        s = self.ctx.settings
        s.setValue("review/splitter", self.splitter.saveState())
        s.setValue(HEADER_KEY, QByteArray(self.queue.header_state()))
        set_json(s, "review/filter", self.queue.current_filter().to_dict())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split_set:  # no split saved: the side by side takes 30 % (540 px at most), the queue the rest
            self._split_set = True
            width = self.splitter.width()
            side = max(self.side_scroll.minimumWidth(), min(540, int(width * 0.3)))
            self.splitter.setSizes([width - side, side])

    def restore_settings(self) -> None:
        s = self.ctx.settings
        split = s.value("review/splitter")
        if isinstance(split, QByteArray) and not split.isEmpty():
            self._split_set = self.splitter.restoreState(split)
        header = s.value(HEADER_KEY)
        if isinstance(header, QByteArray) and not header.isEmpty():
            self.queue.restore_header_state(bytes(header.data()))
        self.queue.set_filter(QueueFilter.from_dict(get_json(s, "review/filter", {})))


_NO_LINKS = pd.DataFrame(columns=LINK_STATE)


def _set_links(links: pd.DataFrame, decided: pd.DataFrame) -> None:
    """Show the customer links' new decisions in the run's links (the detail reads them)."""
    for row in decided.to_dict("records"):
        hit = links["id"] == row["id"]
        for column in ("status", "decided_by"):
            links.loc[hit, column] = row[column]


def _shows(detail: data.Detail | None, changes: Changes) -> bool:
    """Whether the side by side shows a record the changes touched."""
    if detail is None:
        return False
    link_id = (detail.link or {}).get("id")
    return detail.exception["id"] in changes.exceptions or (link_id is not None and int(link_id) in changes.links)


register_screen(Screen(key="review", title="Review", factory=ReviewScreen, order=40,
                       accessible_name="Review exceptions"))
