"""A long job started from the window (here: the audit workbook export) can be cancelled from
the status bar; nothing half-written is left and the window says so."""

from tests.app.views.test_review import _wait_action
from tests.helpers.qt import WAIT_MS


def test_cancelling_an_export_leaves_no_file_and_says_so(qtbot, window, tmp_path):
    review = window.review
    target = tmp_path / "cancelled.xlsx"
    clicked = []

    def cancel_at_start(_progress):  # the job is announced before it runs: cancel right away
        assert window.cancel_job_button.isVisible()
        window.cancel_job_button.click()
        clicked.append(True)

    window.ctx.job_started.connect(cancel_at_start)
    try:
        assert _wait_action(qtbot, review, lambda: review.export(target)) == "failed"
    finally:
        window.ctx.job_started.disconnect(cancel_at_start)
    assert clicked and not target.exists() and not list(tmp_path.glob("*.xlsx*"))
    assert "cancel" in window.message_bar.text().lower()
    qtbot.waitUntil(lambda: not window.cancel_job_button.isVisible(), timeout=WAIT_MS)
