"""The review screen as a user drives it: select, read side by side, filter, keys, bulk actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models.exception_table import ID_ROLE, SEVERITY_ROLE
from app.models.queue_frame import COLUMN_KEYS
from app.models.record_pair import FIELD_ROLE, STATE_ROLE
from app.theme import colors
from workbench.store.schema import AuditEvent, Correction, CustomerLink, ExceptionRow
from tests.helpers.qt import WAIT_MS

LIGHT = colors("light")


def _ids_by_type(store, type_):
    with store.session() as s:
        return [r.id for r in s.execute(select(ExceptionRow).where(ExceptionRow.type == type_)).scalars()]


def _select(qtbot, review, exception_id):
    if review.queue.current_id() == exception_id and review.side.detail is not None:
        assert review.side.detail.exception["id"] == exception_id
        return
    with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
        assert review.queue.select_id(exception_id)
    assert review.side.detail.exception["id"] == exception_id


def _field_states(review):
    m = review.side.fields
    return {m.index(r, 0).data(FIELD_ROLE): (m.index(r, 1).data(), m.index(r, 2).data(),
                                            m.index(r, 0).data(STATE_ROLE)) for r in range(m.rowCount())}


def _wait_action(qtbot, review, trigger):
    with qtbot.wait_signal(review.action_done, timeout=WAIT_MS) as blocker:
        trigger()
    return blocker.args[0]


def test_selecting_an_exception_shows_both_records_with_the_differences_tinted(qtbot, window):
    review = window.review
    store = window.ctx.store
    inv = _ids_by_type(store, "invoice.status_mismatch")[0]
    _select(qtbot, review, inv)
    states = _field_states(review)
    assert states["status"] == ("Open", "Paid", "conflict")  # statuses in words
    assert states["open_balance"] == ("1,200.00 EUR", "0.00 EUR", "changed")  # money in its currency
    assert states["total_amount"][2] == "same"  # 1200.00 and 1200.0 are the same amount
    m = review.side.fields
    row = next(r for r in range(m.rowCount()) if m.index(r, 0).data(FIELD_ROLE) == "status")
    assert m.index(row, 1).data(Qt.ItemDataRole.BackgroundRole).color().name() == LIGHT["conflict"]
    assert m.index(row, 0).data() == "Status"  # the field in words, not its code
    money = next(r for r in range(m.rowCount()) if m.index(r, 0).data(FIELD_ROLE) == "open_balance")
    assert m.index(money, 0).data() == "Open balance"
    assert m.index(money, 1).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert review.side.link_label.text() == "Customer link: matched by both cross-references, confidence 1.00 " \
        "(automatic)"
    assert "xref_both" in review.side.link_label.toolTip() and "10001" in review.side.link_label.toolTip()
    assert "Invoice INV-1 is paid" in review.side.message.text()
    # stored without the engine's sentence: one is built from the proposal in words, the engine's reason on hover
    assert "Set the status of CRM invoice INV-1 from Open to Paid." in review.side.proposal_label.text()
    assert review.side.proposal_label.toolTip() == "the ERP owns invoice status"
    assert review.side.value.text() == "paid"
    assert review.side.history.rowCount() == 1


def test_a_customer_missing_in_the_erp_shows_the_erp_side_as_absent(qtbot, window):
    review = window.review
    missing = _ids_by_type(window.ctx.store, "customer.missing_in_erp")[0]
    _select(qtbot, review, missing)
    # the CRM record of this test data is not among the snapshots either: nothing to compare
    assert review.side.fields.rowCount() == 0
    assert "none" in review.side.link_label.text()
    assert "Initech SA exists in Salesforce only" in review.side.message.text()


def test_filter_search_and_sort_from_the_filter_bar(qtbot, window):
    review = window.review
    q = review.queue
    assert q.count_label.text() == "5 of 5 exceptions"
    # the type box offers each type with its count
    items = [q.type_box.itemText(i) for i in range(q.type_box.count())]
    assert "Customer details differ (2)" in items and "Type: any (5)" in items
    q.type_box.setCurrentIndex(q.type_box.findData("customer.attribute_mismatch"))
    assert q.model.rowCount() == 2 and q.count_label.text() == "2 of 5 exceptions"
    q.clear_filters()
    # quick search is debounced: nothing happens per keystroke, then the filter applies
    qtbot.keyClicks(q.search, "globex")
    assert q.model.rowCount() == 5
    qtbot.waitUntil(lambda: q.model.rowCount() == 1, timeout=WAIT_MS)
    assert q.model.index(0, COLUMN_KEYS.index("customer_name")).data() == "Globex Ltd"
    q.search.clear()
    qtbot.waitUntil(lambda: q.model.rowCount() == 5, timeout=WAIT_MS)
    q.amount_min.setText("1000")
    q.amount_min.editingFinished.emit()
    assert q.model.rowCount() == 2  # 1,200.00 EUR and 98,000.50 EUR
    q.clear_filters()
    # clicking the header sorts: severity sorts by rank, critical first
    q.table.sortByColumn(COLUMN_KEYS.index("severity"), Qt.SortOrder.AscendingOrder)
    sev = [q.model.index(r, 0).data() for r in range(q.model.rowCount())]
    assert sev == ["Critical", "High", "High", "Medium", "Low"]


def test_the_queue_opens_most_severe_first(window):
    q = window.review.queue
    sev = [q.model.index(r, 0).data() for r in range(q.model.rowCount())]
    assert sev == ["Critical", "High", "High", "Medium", "Low"]


def test_keyboard_moves_through_the_queue_and_takes_values(qtbot, window):
    review = window.review
    q = review.queue
    first = q.model.index(0, 0).data(ID_ROLE)
    second = q.model.index(1, 0).data(ID_ROLE)
    assert review.side.detail.exception["id"] == first
    with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F8)
    assert review.side.detail.exception["id"] == second
    with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert review.side.detail.exception["id"] == first
    with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert review.side.detail.exception["id"] == second
    # on the VAT id mismatch, take either side's value as the correction
    _select(qtbot, review, _ids_by_type(window.ctx.store, "customer.attribute_mismatch")[0])
    assert review.side.field.currentData() == "tax_id" and review.side.field.currentText() == "Tax ID"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert review.side.value.text() == "DE123456789" and review.side.target.currentData() == "erp"
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert review.side.value.text() == "DE123456780" and review.side.target.currentData() == "crm"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert q.search.hasFocus()


def test_a_manual_value_is_validated_before_it_can_be_proposed(qtbot, window):
    review = window.review
    inv = _ids_by_type(window.ctx.store, "invoice.status_mismatch")[0]
    _select(qtbot, review, inv)
    side = review.side
    side.field.setCurrentIndex(side.field.findData("open_balance"))
    side.value.setText("twelve")
    assert not side.propose_button.isEnabled()
    assert "not an amount" in side.validation.text()
    side.value.setText("0.00")
    assert side.propose_button.isEnabled()
    side.field.setCurrentIndex(side.field.findData("status"))
    side.value.setText("settled")
    assert "not an invoice status" in side.validation.text() and not side.propose_button.isEnabled()


def test_proposing_a_correction_goes_through_the_core_and_leaves_a_trace(qtbot, window):
    review = window.review
    store = window.ctx.store
    inv = _ids_by_type(store, "invoice.status_mismatch")[0]
    _select(qtbot, review, inv)
    review.side.reason.setText("paid on 12 Oct")
    assert _wait_action(qtbot, review, review.side.propose_button.click) == "proposed"
    with store.session() as s:
        corr = s.execute(select(Correction).where(Correction.exception_id == inv)).scalar_one()
        assert (corr.target_side, corr.field, corr.to_value, corr.preparer) == ("crm", "status", "paid", "alice")
        assert s.get(ExceptionRow, inv).status == "in_review"
    row = review.queue.model.row_of_id(inv)
    assert review.queue.model.index(row, COLUMN_KEYS.index("status")).data() == "In review"
    assert "Correction" in window.message_bar.text() and window.message_box.isVisible()
    qtbot.waitUntil(lambda: any("correction" in review.side.history.index(r, 2).data()
                                for r in range(review.side.history.rowCount())), timeout=WAIT_MS)


def test_approving_your_own_proposal_is_refused_and_explained(qtbot, window):
    review = window.review
    inv = _ids_by_type(window.ctx.store, "invoice.status_mismatch")[0]
    _select(qtbot, review, inv)
    _wait_action(qtbot, review, review.side.propose_button.click)
    review.queue.select_id(inv)
    assert _wait_action(qtbot, review, review.queue.approve_button.click) == "approve"
    assert "No proposed corrections to approve" in window.message_bar.text()
    # a second user approves
    window.user_box.setCurrentText("bob")
    assert window.ctx.user == "bob"
    assert _wait_action(qtbot, review, review.queue.approve_button.click) == "approve"
    assert "1 corrections approved" in window.message_bar.text()
    with window.ctx.store.session() as s:
        assert s.execute(select(Correction.approver)).scalar_one() == "bob"


def test_bulk_assign_and_waive_act_on_all_that_match_the_filter(qtbot, window):
    review = window.review
    q = review.queue
    store = window.ctx.store
    q.type_box.setCurrentIndex(q.type_box.findData("customer.attribute_mismatch"))
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert q.select_all_button.isChecked() and q.selection_label.text() == "All 2 matching exceptions selected"
    q.assignee_edit.setText("carol")
    assert _wait_action(qtbot, review, q.assign_button.click) == "assign"
    want = set(_ids_by_type(store, "customer.attribute_mismatch"))
    with store.session() as s:
        assigned = {r.id for r in s.execute(select(ExceptionRow).where(ExceptionRow.assignee == "carol")).scalars()}
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "exception.assigned")).scalars().all()
    assert assigned == want and len(events) == 2
    assert {q.model.index(r, COLUMN_KEYS.index("assignee")).data() for r in range(2)} == {"carol"}
    # waiving needs a reason; the window says so and nothing changes
    q.waive_button.click()
    assert "reason" in window.message_bar.text()
    q.waive_reason.setText("known naming difference")
    window.user_box.setCurrentText("bob")
    assert _wait_action(qtbot, review, q.waive_button.click) == "waive"
    with store.session() as s:
        statuses = {r.status for r in s.execute(select(ExceptionRow).where(ExceptionRow.id.in_(want))).scalars()}
    assert statuses == {"waived"}


def test_a_suggested_link_can_be_confirmed_from_the_side_by_side(qtbot, window):
    review = window.review
    store = window.ctx.store
    globex = list(_ids_by_type(store, "customer.attribute_mismatch"))
    _select(qtbot, review, max(globex))  # the Globex name difference
    assert "name and address" in review.side.link_label.text() and "suggested" in review.side.link_label.text()
    assert review.side.confirm_link.isVisible()
    assert _wait_action(qtbot, review, review.side.confirm_link.click) == "confirmed"
    with store.session() as s:
        link = s.execute(select(CustomerLink).where(CustomerLink.method == "fuzzy")).scalar_one()
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "link.confirmed")).scalar_one()
    assert (link.status, link.decided_by, ev.actor) == ("confirmed", "alice", "alice")
    qtbot.waitUntil(lambda: "confirmed" in review.side.link_label.text(), timeout=WAIT_MS)
    assert not review.side.confirm_link.isVisible()


def test_filters_columns_and_screen_survive_a_restart(qtbot, window, seeded):
    from app.main_window import build_window
    q = window.review.queue
    q.severity_box.setCurrentIndex(q.severity_box.findData("high"))
    doc, record_id = COLUMN_KEYS.index("document"), COLUMN_KEYS.index("crm_id")
    assert q.table.isColumnHidden(record_id)  # record ids are for tools: hidden until asked for
    q.table.setColumnWidth(doc, 133)
    q.table.setColumnHidden(record_id, False)
    window.close()
    store, _ = seeded
    again = build_window(store, user="alice", only=("review",))
    qtbot.addWidget(again)
    with qtbot.wait_signal(again.review.loaded, timeout=WAIT_MS):
        again.start()
    q2 = again.review.queue
    assert q2.severity_box.currentData() == "high"
    assert q2.model.rowCount() == 2
    assert q2.table.columnWidth(doc) == 133 and not q2.table.isColumnHidden(record_id)
    again.close()


def test_theme_switch_repaints_with_the_dark_palette(qtbot, window):
    window.theme_box.setCurrentIndex(window.theme_box.findData("dark"))
    dark = colors("dark")
    m = window.review.queue.model
    sev = m.index(0, 0).data(SEVERITY_ROLE)
    assert m.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == dark["severity"][sev]
    window.theme_box.setCurrentIndex(window.theme_box.findData("light"))


def test_an_unknown_run_is_reported_in_the_window(qtbot, window):
    with qtbot.wait_signal(window.review.loaded, timeout=WAIT_MS):
        window.ctx.open_run(999)
    assert "there is no run 999" in window.message_bar.text()


def test_export_writes_the_runs_audit_workbook_in_the_background(qtbot, window, tmp_path):
    import openpyxl
    review = window.review
    target = tmp_path / "october.xlsx"
    assert _wait_action(qtbot, review, lambda: review.export(target)) == "export"
    wb = openpyxl.load_workbook(target, read_only=True)
    text = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Initech SA" in text and "invoice.status_mismatch" in text
    assert "written to" in window.message_bar.text()
    # a wrong place is said in the window, and nothing is written
    assert _wait_action(qtbot, review, lambda: review.export(tmp_path / "nope" / "x.xlsx")) == "failed"
    assert "folder does not exist" in window.message_bar.text()


def test_another_screen_can_open_the_queue_filtered(qtbot, window):
    window.tabs.setCurrentIndex(-1)
    window.ctx.show_queue({"types": ["pricing.price_mismatch"], "severities": ["high"]})
    assert window.tabs.currentWidget() is window.review
    q = window.review.queue
    assert q.model.rowCount() == 1
    assert q.type_box.currentData() == "pricing.price_mismatch" and q.severity_box.currentData() == "high"


def test_changes_made_on_another_screen_show_in_the_queue_without_losing_the_place(qtbot, window):
    from workbench.corrections import service
    review = window.review
    q = review.queue
    store = window.ctx.store
    inv = _ids_by_type(store, "invoice.status_mismatch")[0]
    _select(qtbot, review, inv)
    service.propose(store, inv, "bob")  # e.g. the approvals screen, or a colleague
    with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
        window.ctx.data_changed.emit(None, None)
    row = q.model.row_of_id(inv)
    assert q.model.index(row, COLUMN_KEYS.index("status")).data() == "In review"
    assert q.current_id() == inv and "In review" in review.side.message.text()


def test_flying_through_the_queue_shows_the_exception_the_user_stops_on(qtbot, window):
    review = window.review
    q = review.queue
    loads = []
    review.detail_shown.connect(loads.append)
    for _ in range(4):
        qtbot.keyClick(window, Qt.Key.Key_F8)
    last = q.current_id()
    qtbot.waitUntil(lambda: review.side.detail is not None and review.side.detail.exception["id"] == last,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
    assert loads[-1] == last and len(loads) < 4


def test_opening_another_run_shows_it_and_lets_the_previous_one_go_off_the_gui_thread(qtbot, window, seeded):
    from tests.app.conftest import seed_run
    store, first = seeded
    second = seed_run(store, run_name="November close", extra_pricing=3)
    review = window.review
    before = review.bundle.frame
    with qtbot.wait_signal(review.loaded, timeout=WAIT_MS):
        window.ctx.open_run(second)
    assert review.bundle.run["id"] == second and review.queue.model.rowCount() == 5 + 3
    names = {review.queue.model.index(r, COLUMN_KEYS.index("customer_name")).data()
             for r in range(review.queue.model.rowCount())}
    assert {"Acme GmbH", "Initech SA", "Globex Ltd"} <= names  # the new run's values, not emptied ones
    # the first run's frame was let go off the GUI thread: no more sorting ahead for it
    qtbot.waitUntil(lambda: not before._order_cache, timeout=WAIT_MS)
    with qtbot.wait_signal(review.loaded, timeout=WAIT_MS):
        window.ctx.open_run(first)  # and it opens again, whole, from the store
    assert review.queue.model.rowCount() == 5
    qtbot.waitUntil(lambda: review.side.detail is not None and review.side.detail.exception["run_id"] == first,
                    timeout=WAIT_MS)
