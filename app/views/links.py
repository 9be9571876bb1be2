"""Links screen: how every customer of the run was linked across the systems (method,
confidence, the evidence used), with the suggested links apart for a person to confirm or
reject — the same as `workbench links`."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget)

from app.views.tables import rows_table, sortable
from app.context import AppContext
from app.models.rows_model import Column, RowsModel
from app.operations import run_action
from app.screens import Screen, register_screen
from workbench.model.changes import Changes
from workbench.model.labels import link_evidence_words, link_method_label, link_status_label


# Words as the side-by-side panel says them ("matched by the tax ID"); the code, as `workbench links`
# prints it, on hover.
COLUMNS = [
    Column("method", "Matched by", show=link_method_label, tooltip=lambda r: str(r.get("method") or "")),
    Column("confidence", "Confidence", show=lambda v: "" if v is None else f"{float(v):.2f}", align_right=True,
           sort_key=lambda r: None if r.get("confidence") is None else float(r["confidence"])),
    Column("status", "Status", show=link_status_label, tooltip=lambda r: str(r.get("status") or "")),
    Column("crm_name", "CRM customer"),
    Column("crm_id", "CRM id"),
    Column("erp_name", "ERP customer"),
    Column("erp_id", "ERP id"),
    Column("evidence", "Evidence", show=link_evidence_words),
]


def _customers(n: int) -> str:
    return f"{n:,} customer{'' if n == 1 else 's'}"


def load_links(store: Any, run_id: int | None) -> list[dict[str, Any]] | None:
    """Worker side: the run's (default: the latest run's) links with both customers' names."""
    from workbench.store import repo
    if run_id is None:
        run_id = repo.latest_run_id(store)
        if run_id is None:
            return None
    names = repo.customer_names(store, run_id)
    rows = repo.load_links(store, run_id).to_dict("records")
    for r in rows:
        r["crm_name"] = names.get(("crm", r["crm_id"]), "")
        r["erp_name"] = names.get(("erp", r["erp_id"]), "")
    return rows

LINK_WIDTHS = (80, 90, 90, 230, 170, 230, 170)


class LinksScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Customer links")
        self.summary = QLabel("")
        self.summary.setAccessibleName("Links summary")
        self.suggested = RowsModel(COLUMNS, self)
        self.links = RowsModel(COLUMNS, self)
        self.suggested_view = rows_table(self, self.suggested, "Suggested links to confirm", LINK_WIDTHS)
        self.links_view = rows_table(self, self.links, "All customer links", LINK_WIDTHS)
        for view in (self.suggested_view, self.links_view):
            sortable(view)  # by confidence, say: the least sure first
        self.confirm_button = QPushButton("Confirm link")
        self.confirm_button.setAccessibleName("Confirm the selected suggested link")
        self.confirm_button.clicked.connect(lambda: self._decide("confirm"))
        self.reject_button = QPushButton("Reject link")
        self.reject_button.setAccessibleName("Reject the selected suggested link")
        self.reject_button.clicked.connect(lambda: self._decide("reject"))

        # no suggestion to decide: a sentence saying so in place of an empty table and two dead buttons
        self.no_suggestions = QLabel("")
        self.no_suggestions.setAccessibleName("Suggested links")
        self.no_suggestions.setWordWrap(True)
        self.no_suggestions.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Suggested links (a person decides):"))
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.reject_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)
        lay.addWidget(self.suggested_view, 1)
        lay.addWidget(self.no_suggestions)
        lay.addWidget(QLabel("All links of the run:"))
        lay.addWidget(self.links_view, 3)
        self.setTabOrder(self.suggested_view, self.confirm_button)
        self.setTabOrder(self.confirm_button, self.reject_button)
        self.setTabOrder(self.reject_button, self.links_view)
        ctx.run_changed.connect(lambda _run: self.load())
        ctx.data_changed.connect(self._data_changed)

    def _data_changed(self, changes: Changes | None, _initiator: object) -> None:
        if changes is None or changes.links:
            self.load()

    def load(self) -> None:
        if self.ctx.store is None:
            return
        self.ctx.db.submit(load_links, self.ctx.store, self.ctx.run_id, on_done=self._show, on_error=self.ctx.error)

    def _show(self, rows: list[dict[str, Any]] | None) -> None:
        if rows is None:
            self.suggested.set_rows([])
            self.links.set_rows([])
            self.summary.setText("No run yet: start one on the Run screen")
            for w in (self.confirm_button, self.reject_button, self.suggested_view, self.no_suggestions):
                w.hide()
            return
        self.suggested.set_rows([r for r in rows if r["status"] == "suggested"])
        self.links.set_rows(rows)
        linked = [r for r in rows if r["status"] in ("auto", "confirmed")]
        by_method: dict[str, int] = {}
        for r in linked:
            by_method[r["method"]] = by_method.get(r["method"], 0) + 1
        methods = ", ".join(f"{n:,} by {link_method_label(m)}"
                            for m, n in sorted(by_method.items(), key=lambda mn: (-mn[1], mn[0])))
        self.summary.setText(f"{_customers(len(linked))} linked{': ' + methods if methods else ''}; "
                             f"{len(self.suggested.rows):,} suggested for review")
        waiting = bool(self.suggested.rows)
        self.confirm_button.setVisible(waiting)
        self.reject_button.setVisible(waiting)
        self.suggested_view.setVisible(waiting)
        self.no_suggestions.setVisible(not waiting)
        self.no_suggestions.setText("Nothing to decide: every customer link of this run was made by the engine or "
                                    "decided by a person already." if rows else
                                    "Nothing to decide: this run linked no customers.")
        for view in (self.suggested_view, self.links_view):
            for col in range(3):  # how, how sure, decided: as wide as their words ("the CRM's cross-reference")
                view.resizeColumnToContents(col)

    def _decide(self, what: str) -> None:
        from workbench.review.links import confirm_link, reject_link
        rows = self.suggested_view.selectionModel().selectedRows()
        if not rows:
            self.ctx.error("Select a suggested link first")
            return
        link = self.suggested.rows[rows[0].row()]
        act = confirm_link if what == "confirm" else reject_link

        user = self.ctx.user
        said = (f"Link {link['crm_name'] or link['crm_id']} ↔ {link['erp_name'] or link['erp_id']} "
                f"{'confirmed' if what == 'confirm' else 'rejected'} by {user}")
        run_action(self.ctx, act, self.ctx.store, int(link["id"]), user,
                   expected_version=int(link["version"]) if link.get("version") is not None else None,
                   initiator=self, success=lambda _: self.ctx.info(said))


register_screen(Screen(key="links", title="Links", factory=LinksScreen, order=45, accessible_name="Customer links"))
