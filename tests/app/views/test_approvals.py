"""Approvals screen on a real run over the sandboxes: maker-checker refused and explained,
approval by a second user, rejection with a reason, a push with a conflict and a failure
shown per record with the system's words, and a retry of the failed one."""

from __future__ import annotations

import copy
import re

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.main_window import build_window
from workbench import config as cfg
from workbench import demo as demo_mod
from workbench.corrections import service
from workbench.model.labels import field_label
from workbench.model.money import format_amount
from workbench.sources.salesforce_mapping import DEFAULT_FIELDS
from workbench.store import repo
from workbench.store.schema import AuditEvent, Correction, ExceptionRow
from tests.helpers.qt import WAIT_MS

PREP, APPR = demo_mod.DEMO_PREPARER, demo_mod.DEMO_APPROVER
RAW = re.compile(r"\b(None|nan|NaN|NaT|proposed|dead_letter)\b|∅")
TEXT_FIELDS = {"name", "street", "city", "postcode", "tax_id"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = demo_mod.prepare_demo(tmp_path_factory.mktemp("demo"), customers=30)
    yield d
    d.stop()


@pytest.fixture
def run_id(store, demo):
    from workbench.pipeline import execute_run
    return execute_run(demo.config, store, user=PREP).run_id


@pytest.fixture
def win(qtbot, store, run_id):
    w = build_window(store, user=PREP)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    w.add_users([PREP, APPR])
    screen = w.screens["approvals"]
    w.show_screen("approvals")
    with qtbot.wait_signal(screen.action_done, timeout=WAIT_MS):
        w.ctx.open_run(run_id)
    yield w
    w.close()
    assert not w.ctx.jobs.busy and not w.ctx.db.busy


def _proposals(store, run_id, n):
    """Open customer exceptions whose fix goes to Salesforce, proposed by the preparer."""
    rows = [r for r in repo.load_exceptions(store, run_id).to_dict("records")
            if isinstance(r["proposal"], dict) and r["proposal"].get("target_side") == "crm"
            and r["proposal"].get("object") == "customers" and r["proposal"].get("field") in TEXT_FIELDS
            and not r["proposal"].get("needs_decision")]
    assert len(rows) >= n
    return [(service.propose(store, int(r["id"]), PREP), r) for r in rows[:n]]


def _act(qtbot, screen, button):
    with qtbot.wait_signal(screen.action_done, timeout=WAIT_MS,
                           check_params_cb=lambda action, result: action != "list") as blocker:
        button.click()
    return blocker.args


def _show(qtbot, screen, label):
    i = screen.view_box.findText(label)
    with qtbot.wait_signal(screen.action_done, timeout=WAIT_MS):
        if screen.view_box.currentIndex() == i:
            screen.refresh()
        else:
            screen.view_box.setCurrentIndex(i)


def _state(store, cid):
    with store.session() as s:
        return s.get(Correction, cid).state


def test_the_preparer_cannot_approve_and_is_told_why_then_a_second_user_approves(qtbot, win, store, run_id):
    screen = win.screens["approvals"]
    [(cid, exc)] = _proposals(store, run_id, 1)
    _show(qtbot, screen, "Waiting for approval")
    assert [r["id"] for r in screen.model.rows] == [cid]
    # the correction in a controller's words: document, money, change and state, nothing raw
    cells = {screen.model.headerData(c, Qt.Orientation.Horizontal): screen.model.index(0, c).data()
             for c in range(screen.model.columnCount())}
    assert cells["Document"] == exc["crm_number"] and cells["Change in"] == "CRM customer"
    assert cells["State"] == "Waiting for approval" and cells["Approved by"] == "—"
    # money with its currency; nothing at risk (none, or the engine's 0 without a currency) a dash, never "0"
    nothing = exc["amount_at_risk"] is None or (not exc["currency"] and not exc["amount_at_risk"])
    assert cells["At risk"] == ("—" if nothing else format_amount(exc["amount_at_risk"], exc["currency"]))
    assert cells["Change"].startswith(field_label(exc["proposal"]["field"]) + ": ")
    assert not [t for t in cells.values() if RAW.search(str(t))], cells
    fm = screen.table.fontMetrics()
    for key in ("target", "document", "state_words"):  # readable whole at 1440, not cut
        col = screen.model.column_of(key)
        assert fm.horizontalAdvance(screen.model.index(0, col).data()) + 8 <= screen.table.columnWidth(col)
    screen.select_ids([cid])
    assert win.ctx.user == PREP
    # the preparer's own proposal: marked, and Approve is off with the reason on screen before any click
    row = screen.model.rows[0]
    assert row["preparer_words"] == f"{PREP} (you)"
    assert not screen.approve_button.isEnabled()
    assert screen.own_note.isVisible() and "another person must approve" in screen.own_note.text()
    assert screen.approve_button.toolTip() == screen.own_note.text()
    # the core still refuses it when asked anyway (a script, a stale button): its sentence in the window
    with qtbot.wait_signal(screen.action_done, timeout=WAIT_MS,
                           check_params_cb=lambda action, result: action != "list") as blocker:
        screen.approve_selected()
    action, result = blocker.args
    assert action == "approve" and "maker-checker" in result and PREP in result
    assert screen.notice.isVisible() and screen.notice.text() == result
    assert _state(store, cid) == "proposed"

    screen.set_user(APPR)
    assert win.ctx.user == APPR and win.user_box.currentText() == APPR  # one user for the whole window
    screen.select_ids([cid])
    assert screen.approve_button.isEnabled() and not screen.own_note.isVisible()
    assert screen.model.rows[0]["preparer_words"] == PREP
    assert _act(qtbot, screen, screen.approve_button) == ["approve", "ok"]
    assert not screen.notice.isVisible()
    assert _state(store, cid) == "approved"
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "correction.approved",
                                                AuditEvent.entity_id == str(cid))).scalar_one()
        assert ev.actor == APPR
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=WAIT_MS)  # nothing left waiting


def test_a_selection_mixing_own_and_others_proposals_approves_the_others_only(qtbot, win, store, run_id):
    screen = win.screens["approvals"]
    (theirs, _), (mine, _) = _proposals(store, run_id, 2)
    with store.session() as s:  # the second one was prepared by the approver (written as another spelling)
        s.get(Correction, mine).preparer = APPR.upper() + " "
    screen.set_user(APPR)
    _show(qtbot, screen, "Waiting for approval")
    screen.select_ids([mine])
    assert not screen.approve_button.isEnabled() and "another person must approve" in screen.own_note.text()
    screen.select_ids([mine, theirs])
    assert screen.approve_button.isEnabled()
    assert screen.own_note.text().startswith("1 of the selected proposals are your own")
    assert _act(qtbot, screen, screen.approve_button) == ["approve", "ok"]
    assert "1 of your own left for another person" in win.message_bar.text()
    assert (_state(store, theirs), _state(store, mine)) == ("approved", "proposed")


def test_rejecting_needs_a_reason_and_sends_the_exception_back_to_open(qtbot, win, store, run_id):
    screen = win.screens["approvals"]
    [(cid, exc)] = _proposals(store, run_id, 1)
    screen.set_user(APPR)
    _show(qtbot, screen, "Waiting for approval")
    screen.select_ids([cid])
    action, result = _act(qtbot, screen, screen.reject_button)
    assert "reason is required" in result and _state(store, cid) == "proposed"
    screen.reason.setText("the customer moved; the ERP is right")
    screen.select_ids([cid])
    assert _act(qtbot, screen, screen.reject_button) == ["reject", "ok"]
    assert _state(store, cid) == "rejected"
    with store.session() as s:
        assert s.get(ExceptionRow, int(exc["id"])).status == "open"


def test_push_shows_a_conflict_and_a_failure_per_record_and_retry_fixes_the_failed_one(qtbot, win, store, run_id,
                                                                                       demo, qtmodeltester):
    sf = next(h for h in demo.handles if hasattr(h, "org"))
    screen = win.screens["approvals"]
    (c_conflict, e_conflict), (c_fail, e_fail) = _proposals(store, run_id, 2)
    service.approve(store, [c_conflict, c_fail], APPR)
    screen.set_user(APPR)
    # a rep edits the first record after approval; the second record stays locked in Salesforce
    p = e_conflict["proposal"]
    sf.edit("Account", p["record_id"], {DEFAULT_FIELDS["customers"][p["field"]]: "Edited by a rep"})
    sf.faults.unable_to_lock_row = 99
    raw = copy.deepcopy(demo.config.raw)
    raw["crm"]["salesforce"].update(max_attempts=2, retry_wait_seconds=0.01)  # give up on the lock quickly
    screen.push_options = {"wait": False, "max_attempts": 1, "config": cfg.from_dict(raw, path=demo.config_path)}
    try:
        with qtbot.wait_signal(screen.push_shown, timeout=WAIT_MS) as blocker:
            screen.push_button.click()
            assert screen.cancel_button.isEnabled() and not screen.push_button.isEnabled()
    finally:
        sf.faults.clear()
    counts = blocker.args[0]
    assert counts["conflict"] == 1 and counts["dead_letter"] == 1
    res = {r["correction_id"]: r for r in screen.results.rows}
    assert res[c_conflict]["outcome_words"] == "conflict" and "Edited by a rep" in res[c_conflict]["message"]
    assert res[c_fail]["outcome_words"] == "failed" and res[c_fail]["message"].startswith("UNABLE_TO_LOCK_ROW")
    assert res[c_fail]["state"] == "dead_letter" and p["record_id"] in res[c_conflict]["target_tip"]
    # states in words, the code on hover; the record as its kind and number
    fail_row = screen.results.rows.index(res[c_fail])
    state_col = screen.results.column_of("state_words")
    assert screen.results.index(fail_row, state_col).data() == "Failed, needs a person"
    assert screen.results.index(fail_row, state_col).data(Qt.ItemDataRole.ToolTipRole) == "dead_letter"
    assert res[c_conflict]["target"].startswith("CRM customer ")
    assert "1 conflict, 1 failed" in screen.push_status.text()
    qtmodeltester.check(screen.results)
    # every state in words (the systems' own messages are quoted as they come, so they are left out)
    _show(qtbot, screen, "All")
    for model in (screen.model, screen.results):
        words = [str(model.index(r, c).data()) for r in range(model.rowCount()) for c in range(model.columnCount())
                 if model.columns[c].key not in ("why", "message")]
        assert words and not [w for w in words if RAW.search(w)]

    _show(qtbot, screen, "Failed")
    assert [r["id"] for r in screen.model.rows] == [c_fail]
    assert screen.model.rows[0]["why"].startswith("UNABLE_TO_LOCK_ROW")
    qtmodeltester.check(screen.model)
    screen.select_ids([c_fail])
    with qtbot.wait_signal(screen.push_shown, timeout=WAIT_MS) as blocker:
        screen.retry_button.click()
    assert blocker.args[0]["applied"] == 1
    assert [(r["correction_id"], r["outcome_words"]) for r in screen.results.rows] == [(c_fail, "applied")]
    assert _state(store, c_fail) == "applied" and _state(store, c_conflict) == "conflict"
    f = e_fail["proposal"]
    assert str(sf.record("Account", f["record_id"])[DEFAULT_FIELDS["customers"][f["field"]]]) == str(f["to"])
    # the queue reloads after the push: the fixed exception reads resolved there too
    model = win.review.queue.model

    def queue_status():
        row = model.row_of_id(int(e_fail["id"]))
        return None if row is None else model.record(row)["status"]

    qtbot.waitUntil(lambda: queue_status() == "resolved", timeout=WAIT_MS)


def test_an_applied_correction_says_what_its_re_read_found():
    """After "re-read: 4 agreed" the rows must not still read "not yet verified"."""
    import pandas as pd

    from app.views.approvals import correction_rows
    frame = pd.DataFrame([{"id": i, "exception_id": None, "target_side": "crm", "target_object": "customers",
                           "field": "xref", "from_value": None, "to_value": "C1", "state": state,
                           "verification": verification}
                          for i, (state, verification) in enumerate([("applied", "agreed"),
                                                                     ("applied", "still_differs"),
                                                                     ("applied", None), ("proposed", None)])])
    assert [r["state_words"] for r in correction_rows(frame)] == [
        "Sent and verified", "Sent, but the system still differs", "Sent, not yet verified", "Waiting for approval"]


def test_the_at_risk_column_shows_a_six_figure_amount_with_its_currency(qtbot, win):
    """At 96 px "156,157.25 SEK" read "156,157.25 ..." on the Approvals screen: the currency was cut."""
    from PySide6.QtWidgets import QStyleOptionViewItem
    screen = win.screens["approvals"]
    col = [c.header for c in screen.model.columns].index("At risk")
    needed = screen.table.fontMetrics().horizontalAdvance("156,157.25 SEK") + 8
    assert screen.table.columnWidth(col) >= needed
    option = QStyleOptionViewItem()
    screen.table.itemDelegateForColumn(1).initStyleOption(option, screen.model.index(0, 1))
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle


def test_in_a_wide_window_exceptions_and_customers_read_whole_and_before_a_push_the_list_says_what_it_holds(
        qtbot, win, store, run_id):
    """At 1920 px the list read 'Customer c…ce missing' and 'Tanaka & Watana…' with 900 px spare in the last
    column; below it a 0 % bar over an empty list said nothing."""
    screen = win.screens["approvals"]
    assert screen.push_status.isVisible() and screen.push_status.text().startswith("Nothing pushed yet")
    _proposals(store, run_id, 2)
    win.resize(1920, 1080)
    _show(qtbot, screen, "Waiting for approval")
    fm = screen.table.fontMetrics()
    for col in (1, 2):  # Exception, Customer
        widest = max(fm.horizontalAdvance(str(screen.model.index(r, col).data()))
                     for r in range(screen.model.rowCount()))
        assert screen.table.columnWidth(col) >= widest, screen.model.headerData(col, Qt.Orientation.Horizontal)


def test_words_listed_after_a_first_short_list_read_whole_too_but_a_column_the_user_dragged_stays(
        qtbot, win, store, run_id):
    """The columns were fitted once per window: to a first list of one short exception type, so the
    'Customer cross-reference missing' proposed later read 'Customer c…ce missing' (the demo's Approvals)."""
    from workbench.model.labels import type_label
    screen = win.screens["approvals"]
    open_ones = [r for r in repo.load_exceptions(store, run_id).to_dict("records")
                 if isinstance(r["proposal"], dict) and not r["proposal"].get("needs_decision")]
    by_length = sorted(open_ones, key=lambda r: len(type_label(r["type"])))
    short, long = by_length[0], by_length[-1]
    assert len(type_label(long["type"])) > len(type_label(short["type"])) + 8
    service.propose(store, int(short["id"]), PREP)
    win.resize(1920, 1080)
    _show(qtbot, screen, "Waiting for approval")
    service.propose(store, int(long["id"]), PREP)
    _show(qtbot, screen, "Waiting for approval")
    fm = screen.table.fontMetrics()
    assert screen.table.columnWidth(1) >= fm.horizontalAdvance(type_label(long["type"]))
    screen.table.horizontalHeader().resizeSection(1, 90)  # the user narrows it: kept over the next list
    _show(qtbot, screen, "All")
    assert screen.table.columnWidth(1) == 90


def test_the_at_risk_column_sorts_by_amount_within_a_currency():
    """The list could not be sorted; sorted as text, 9,000.00 EUR would follow 10,000.00 EUR."""
    from decimal import Decimal

    import pandas as pd

    from app.models.rows_model import RowsModel
    from app.views.approvals import CORRECTION_COLUMNS, correction_rows
    facts = {1: {"amount_at_risk": Decimal("10000"), "currency": "EUR"},
             2: {"amount_at_risk": Decimal("0"), "currency": None},
             3: {"amount_at_risk": Decimal("9000"), "currency": "EUR"},
             4: {"amount_at_risk": Decimal("500000"), "currency": "JPY"}}
    frame = pd.DataFrame([{"id": i, "exception_id": i, "target_side": "crm", "target_object": "invoices",
                           "field": "open_balance", "from_value": "1", "to_value": "2", "state": "approved"}
                          for i in facts])
    model = RowsModel(CORRECTION_COLUMNS)
    model.set_rows(correction_rows(frame, facts))
    model.sort([c.header for c in CORRECTION_COLUMNS].index("At risk"), Qt.SortOrder.DescendingOrder)
    assert [r["at_risk"] for r in model.rows] == ["500,000 JPY", "10,000.00 EUR", "9,000.00 EUR", "—"]
