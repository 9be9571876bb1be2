"""Comments and supporting files of the selected exception, inside the side-by-side panel.

They belong to the exception's key, so they follow the item from run to run; both are added through
``workbench.close.evidence`` (audited, refused once the period is certified). The panel turns
read-only, with the lock's reason, while the exception's period is certified.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from app.views.tables import rows_table
from app.models.close_evidence import ATTACHMENT_COLUMNS, COMMENT_COLUMNS, Evidence, load_evidence
from app.models.rows_model import RowsModel

if TYPE_CHECKING:
    from app.context import AppContext


class EvidencePanel(QWidget):
    loaded = Signal()  # the selected exception's comments and files are on screen

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Comments and evidence")
        self.exception: dict[str, Any] | None = None
        self.evidence: Evidence | None = None
        self.comments = RowsModel(COMMENT_COLUMNS, self)
        self.attachments = RowsModel(ATTACHMENT_COLUMNS, self)
        self.comments_view = rows_table(self, self.comments, "Comments", (130, 110), single=False, padding=6)
        self.attachments_view = rows_table(self, self.attachments, "Attached evidence", (150, 70, 100, 110),
                                           single=False, padding=6)
        self.lock_label = QLabel("")
        self.lock_label.setAccessibleName("Period lock")
        self.lock_label.setWordWrap(True)
        self.comment_edit = QLineEdit()
        self.comment_edit.setAccessibleName("New comment")
        self.comment_edit.setPlaceholderText("Add a comment (who and when are recorded)")
        self.comment_edit.returnPressed.connect(self.add_comment)
        self.comment_button = QPushButton("Comment")
        self.comment_button.setAccessibleName("Add the comment")
        self.comment_button.clicked.connect(self.add_comment)
        self.attach_button = QPushButton("Attach file…")
        self.attach_button.setAccessibleName("Attach a file as evidence")
        self.attach_button.clicked.connect(lambda: self.attach())
        row = QHBoxLayout()
        row.addWidget(self.comment_edit, 1)
        row.addWidget(self.comment_button)
        row.addWidget(self.attach_button)
        lists = QHBoxLayout()
        lists.addWidget(self.comments_view, 1)
        lists.addWidget(self.attachments_view, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.lock_label)
        lay.addLayout(lists, 1)
        lay.addLayout(row)
        self.show_exception(None)

    def show_exception(self, exception: dict[str, Any] | None) -> None:
        self.exception = exception
        self.evidence = None
        self.comments.set_rows([])
        self.attachments.set_rows([])
        self._set_editable(False, "")
        if exception is None or self.ctx.store is None:
            return
        self.ctx.db.submit(load_evidence, self.ctx.store, int(exception["id"]), on_done=self._show,
                           on_error=self.ctx.error)

    def reload(self) -> None:
        self.show_exception(self.exception)

    def _show(self, evidence: Evidence) -> None:
        if self.exception is None or evidence.exception_id != int(self.exception["id"]):
            return  # the user moved on to another exception meanwhile
        self.evidence = evidence
        self.comments.set_rows(evidence.comments)
        self.attachments.set_rows(evidence.attachments)
        self._set_editable(evidence.locked is None, evidence.locked or "")
        self.loaded.emit()

    def _set_editable(self, editable: bool, locked: str) -> None:
        self.lock_label.setText(f"Read-only: {locked}" if locked else "")
        self.lock_label.setVisible(bool(locked))
        for w in (self.comment_edit, self.comment_button, self.attach_button):
            w.setEnabled(editable)
            w.setToolTip(f"Not now: {locked}" if locked else "")

    def add_comment(self) -> None:
        text = self.comment_edit.text().strip()
        if self.exception is None or not text:
            self.ctx.error("Comment: type the comment first")
            return
        from workbench.close.evidence import add_comment

        def done(_: Any) -> None:
            self.comment_edit.clear()
            self.ctx.info(f"Comment added by {self.ctx.user}")
            self.reload()

        self.ctx.db.submit(add_comment, self.ctx.store, int(self.exception["id"]), self.ctx.user, text,
                           on_done=done, on_error=self._refused)

    def attach(self, path: str | None = None) -> None:
        """Attach ``path`` (default: asked with a file dialog) to the selected exception."""
        if self.exception is None:
            return
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, "Attach evidence")
            if not path:
                return
        from workbench.close.evidence import attach

        def done(info: Any) -> None:
            self.ctx.info(f"{info.file_name} attached by {info.uploader} (SHA-256 {info.sha256[:12]}…)")
            self.reload()

        self.ctx.db.submit(attach, self.ctx.store, int(self.exception["id"]), self.ctx.user, Path(path),
                           on_done=done, on_error=self._refused)

    def _refused(self, text: str) -> None:
        self.ctx.error(text)
        self.reload()
