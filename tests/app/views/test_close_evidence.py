"""Comments and evidence in the side-by-side panel: listed with who, when, size and SHA-256, added
through the core (audited), and read-only with the lock's reason once the period is certified."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from workbench.close import signoff as close
from workbench.store.schema import Attachment, AuditEvent, Comment
from tests.helpers.qt import WAIT_MS

CRITICAL_KEY = "customer.missing_in_erp|001000000000009AAA|None|None|3"


def test_a_comment_and_a_file_are_added_and_listed_for_the_selected_exception(window, qtbot, tmp_path,
                                                                             qtmodeltester):
    panel = window.review.side.evidence
    qtbot.waitUntil(lambda: panel.evidence is not None, timeout=WAIT_MS)
    key = window.review.side.detail.exception["key"]
    assert panel.comments.rowCount() == 0 and panel.comment_button.isEnabled()

    panel.comment_edit.setText("Customer confirmed the invoice was paid on 30 Oct")
    with qtbot.wait_signal(panel.loaded, timeout=WAIT_MS):
        panel.comment_button.click()
    row = panel.comments.rows[0]
    assert (row["author"], row["text"]) == ("alice", "Customer confirmed the invoice was paid on 30 Oct")
    assert panel.comment_edit.text() == ""

    statement = tmp_path / "bank-statement.pdf"
    statement.write_bytes(b"%PDF-1.4 statement" * 100)
    with qtbot.wait_signal(panel.loaded, timeout=WAIT_MS):
        panel.attach(str(statement))
    m = panel.attachments
    assert [m.data(m.index(0, c)) for c in range(m.columnCount())][:3] == ["bank-statement.pdf", "1.8 KB", "alice"]
    assert m.rows[0]["sha256"] == hashlib.sha256(statement.read_bytes()).hexdigest()
    assert "bank-statement.pdf attached by alice" in window.message_bar.text()
    with window.ctx.store.session() as s:
        assert s.execute(select(Comment.exception_key)).scalar_one() == key
        assert s.execute(select(Attachment.size)).scalar_one() == 1800
        actions = {e.action for e in s.execute(select(AuditEvent)).scalars()}
    assert {"exception.commented", "exception.attached"} <= actions
    qtmodeltester.check(panel.comments)
    qtmodeltester.check(panel.attachments)


def test_an_unreadable_file_is_refused_in_one_line(window, qtbot, tmp_path):
    panel = window.review.side.evidence
    qtbot.waitUntil(lambda: panel.evidence is not None, timeout=WAIT_MS)
    with qtbot.wait_signal(panel.loaded, timeout=WAIT_MS):
        panel.attach(str(tmp_path / "missing.pdf"))
    assert "missing.pdf: not a readable file" in window.message_bar.text()
    assert panel.attachments.rowCount() == 0


def test_comments_and_evidence_are_read_only_once_the_period_is_certified(window, qtbot):
    store = window.ctx.store
    close.signoff(store, "2026-10", "alice")
    close.carry_forward(store, "2026-10", CRITICAL_KEY, "alice", "next month")
    close.certify(store, "2026-10", "bob")
    panel = window.review.side.evidence
    panel.reload()
    qtbot.waitUntil(lambda: not panel.comment_button.isEnabled() and panel.evidence is not None, timeout=WAIT_MS)
    assert not panel.attach_button.isEnabled() and not panel.comment_edit.isEnabled()
    assert panel.lock_label.text().startswith("Read-only: period 2026-10 is certified by bob")
    assert "reopen it first" in panel.comment_button.toolTip()
