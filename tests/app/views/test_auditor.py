"""An auditor reads everything in the app and changes nothing: every change is refused by the
core with a message in the window, and the store is left as it was."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.app.views.test_review import _ids_by_type, _select, _wait_action
from workbench.store.schema import AuditEvent, Correction, ExceptionRow
from workbench.team.users import register_user


def test_an_auditor_can_look_but_not_propose_assign_or_waive(qtbot, window):
    store = window.ctx.store
    with store.session() as s:
        register_user(s, "admin", "admin", ["admin"])
        register_user(s, "admin", "kpmg", ["auditor"])
    with store.session() as s:
        before = (s.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                  s.execute(select(func.count()).select_from(Correction)).scalar())
    window.user_box.setCurrentText("kpmg")
    review = window.review
    inv = _ids_by_type(store, "invoice.status_mismatch")[0]
    _select(qtbot, review, inv)
    assert review.side.detail is not None  # reading works

    _wait_action(qtbot, review, review.side.propose_button.click)
    assert "kpmg" in window.message_bar.text() and "may not" in window.message_bar.text()
    review.queue.assignee_edit.setText("kpmg")
    _wait_action(qtbot, review, review.queue.assign_button.click)
    assert "may not" in window.message_bar.text()

    with store.session() as s:
        after = (s.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                 s.execute(select(func.count()).select_from(Correction)).scalar())
        assert s.execute(select(func.count()).select_from(ExceptionRow)
                         .where(ExceptionRow.assignee == "kpmg")).scalar() == 0
    assert after[1] == before[1] and after[0] == before[0]
