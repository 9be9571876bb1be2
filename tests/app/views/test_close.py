"""The Close screen shows a period's checklist and history and takes the close actions through the
core (audited); actions the user may not take are disabled with the reason, and a refusal is one
line in the message bar with nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from workbench.close import signoff as close
from workbench.store.schema import AuditEvent, CarryForward, Period
from workbench.team.users import add_user
from tests.app.conftest import seed_run
from tests.helpers.qt import WAIT_MS

CRITICAL_KEY = "customer.missing_in_erp|001000000000009AAA|None|None|3"


def _close_window(qtbot, store, user="alice"):
    from app.main_window import build_window
    win = build_window(store, user=user, only=("close",))
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    win.show_screen("close")
    screen = win.screens["close"]
    with qtbot.wait_signal(screen.loaded, timeout=WAIT_MS):
        win.start()
    return win, screen


def _users(store):
    with store.session() as s:
        add_user(s, "alice", ["preparer", "approver"])  # may certify, but not what she signed off
        add_user(s, "bob", ["approver"])
        add_user(s, "carol", ["auditor"])


def _cells(model):
    return {model.rows[r]["check"]: [model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())}


def _as(qtbot, win, screen, user):
    """Switch the window's user and wait for the screen to show what that user may do."""
    win.ctx.user = user
    screen.state = None
    screen.load("2026-10")
    qtbot.waitUntil(lambda: screen.state is not None and screen.state.user == user, timeout=WAIT_MS)


def test_the_checklist_shows_open_items_aging_differences_and_state(qtbot, seeded, qtmodeltester):
    store, _run = seeded
    win, screen = _close_window(qtbot, store)
    assert screen.state_label.text() == "Period 2026-10: open"
    assert screen.period_box.currentText() == "2026-10"
    cells = _cells(screen.checklist)
    assert cells["Open items by severity"][1] == "1 critical, 2 high, 1 medium, 1 low"
    assert cells["Critical items open"][1:] == ["1 open, 0 carried forward with a reason", "blocks certification"]
    # the critical item was first seen 40 days ago: due after 2 days, in the 31–60 bucket
    assert cells["Overdue items"][1] == "1 (1 critical)"
    assert cells["Aging (days open)"][1] == "0–30: 4   31–60: 1   61–90: 0   90+: 0"
    assert cells["Open amount at risk per currency"][1] == "99,200.50 EUR; 2 JPY"
    assert cells["Open amount at risk in reporting currency"][2] == "missing"
    assert cells["Prepared (signed off)"][1:] == ["not yet", "to do"]
    assert [r["key"] for r in screen.critical.rows] == [CRITICAL_KEY]
    for model in (screen.checklist, screen.critical, screen.history):
        qtmodeltester.check(model)
    win.close()


def test_maker_checker_the_preparer_signs_off_and_a_different_approver_certifies(qtbot, seeded):
    store, _run = seeded
    _users(store)
    win, screen = _close_window(qtbot, store, user="alice")
    assert screen.buttons["signoff"].isEnabled()
    assert not screen.buttons["certify"].isEnabled()
    assert "not signed off yet" in screen.buttons["certify"].toolTip()
    assert not screen.buttons["reopen"].isEnabled() and "open already" in screen.buttons["reopen"].toolTip()

    screen.buttons["signoff"].click()
    qtbot.waitUntil(lambda: screen.state_label.text() == "Period 2026-10: signed off, awaiting certification",
                    timeout=WAIT_MS)
    assert "signed off by alice" in win.message_bar.text()
    assert [(h["action"], h["actor"]) for h in screen.history.rows] == [("signed off", "alice")]
    assert _cells(screen.checklist)["Prepared (signed off)"][1].startswith("alice, ")
    assert not screen.buttons["signoff"].isEnabled()

    # bob may certify, but the open critical item blocks it until it is carried forward with a reason
    _as(qtbot, win, screen, "bob")
    assert not screen.buttons["certify"].isEnabled()
    assert "open critical item(s) not carried forward" in screen.buttons["certify"].toolTip()
    screen.act("certify")
    assert win.message_bar.text().startswith("Certify: 1 open critical item(s) not carried forward")
    with store.session() as s:
        assert s.get(Period, "2026-10").state == "signed_off"

    _as(qtbot, win, screen, "alice")
    screen.critical_view.selectRow(0)
    assert not screen.buttons["carry_forward"].isEnabled()
    assert "reason" in screen.buttons["carry_forward"].toolTip()
    screen.reason_edit.setText("customer onboarding finishes in November")
    assert screen.buttons["carry_forward"].isEnabled()
    screen.buttons["carry_forward"].click()
    qtbot.waitUntil(lambda: screen.critical.rows[0]["carried"] == "alice: customer onboarding finishes in November",
                    timeout=WAIT_MS)
    # alice signed it off: she may not certify it herself
    assert "someone else must certify it (maker-checker)" in screen.buttons["certify"].toolTip()

    _as(qtbot, win, screen, "bob")
    assert screen.buttons["certify"].isEnabled()
    screen.buttons["certify"].click()
    qtbot.waitUntil(lambda: screen.state_label.text() == "Period 2026-10: certified (locked)", timeout=WAIT_MS)
    assert _cells(screen.checklist)["Reviewed (certified)"][2] == "locked"
    assert screen.buttons["reopen"].toolTip().startswith("Not now: type the reason first")
    _as(qtbot, win, screen, "alice")
    assert not screen.buttons["signoff"].isEnabled() and "reopen it first" in screen.buttons["signoff"].toolTip()
    with store.session() as s:
        assert s.get(Period, "2026-10").state == "certified"
        assert s.execute(select(CarryForward)).scalar_one().actor == "alice"
        actions = [e.action for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert actions[-3:] == ["period.signoff", "period.carry_forward", "period.certify"]
    win.close()


def test_reopen_needs_a_reason_and_an_auditor_sees_why_they_may_not_act(qtbot, store):
    seed_run(store)
    _users(store)
    close.signoff(store, "2026-10", "alice")
    close.carry_forward(store, "2026-10", CRITICAL_KEY, "alice", "next month")
    close.certify(store, "2026-10", "bob")

    win, screen = _close_window(qtbot, store, user="carol")
    assert all(not b.isEnabled() for b in screen.buttons.values())
    assert "carol" in screen.buttons["reopen"].toolTip() and "may not reopen" in screen.buttons["reopen"].toolTip()
    win.close()

    win, screen = _close_window(qtbot, store, user="bob")
    assert not screen.buttons["reopen"].isEnabled()
    assert "type the reason first" in screen.buttons["reopen"].toolTip()
    screen.act("reopen")
    assert win.message_bar.text() == "Reopen: type the reason first (it is kept in the audit trail)"
    screen.reason_edit.setText("late credit note from the ERP")
    screen.buttons["reopen"].click()
    qtbot.waitUntil(lambda: screen.state_label.text() == "Period 2026-10: open", timeout=WAIT_MS)
    assert screen.history.rows[-1]["action"] == "reopened"
    assert screen.history.rows[-1]["reason"] == "late credit note from the ERP"
    assert screen.reason_edit.text() == ""
    win.close()


def test_a_refusal_from_the_core_on_a_stale_screen_is_one_line_and_changes_nothing(qtbot, seeded):
    store, _run = seeded
    win, screen = _close_window(qtbot, store)
    assert screen.buttons["signoff"].isEnabled()
    close.signoff(store, "2026-10", "someone-else")  # behind the screen's back
    screen.buttons["signoff"].click()
    qtbot.waitUntil(lambda: not screen.buttons["signoff"].isEnabled(), timeout=WAIT_MS)
    assert "already signed off by someone-else" in win.message_bar.text()
    assert "\n" not in win.message_bar.text()
    with store.session() as s:
        assert [h.actor for h in close.history(s, "2026-10")] == ["someone-else"]
    assert not screen.buttons["signoff"].isEnabled()
    win.close()


def test_the_screenshot_states_show_what_they_are_named_after(qtbot, seeded):
    store, _run = seeded
    win, screen = _close_window(qtbot, store)
    assert screen.screenshot_states() == ["open", "signed-off", "certified"]
    for name, label in (("signed-off", "signed off, awaiting certification"), ("certified", "certified (locked)"),
                        ("open", "open")):
        screen.enter_screenshot_state(name)
        qtbot.waitUntil(lambda label=label: screen.state_label.text() == f"Period 2026-10: {label}", timeout=WAIT_MS)
    assert [h["action"] for h in screen.history.rows] == ["signed off", "certified", "reopened"]
    win.close()


def test_switching_user_shows_what_the_new_user_may_do_when_the_screen_is_shown(qtbot, seeded):
    store, _run = seeded
    _users(store)
    win, screen = _close_window(qtbot, store, user="alice")
    assert screen.buttons["signoff"].isEnabled()
    win.show_screen("close")
    screen.hide()
    win.ctx.user = "carol"
    screen.show()
    qtbot.waitUntil(lambda: screen.state.user == "carol", timeout=WAIT_MS)
    assert not screen.buttons["signoff"].isEnabled() and "carol" in screen.buttons["signoff"].toolTip()
    win.close()


def test_the_reporting_currency_line_names_its_rate_table_without_nested_brackets(seeded):
    from datetime import date
    from decimal import Decimal

    from app.models.close_checklist import load_close
    from workbench.close.fx import set_rates
    from workbench.close.periods import get_period
    store, _run = seeded
    with store.session() as s:
        set_rates(s, get_period(s, "2026-10"), "EUR", {"JPY": Decimal("0.5")}, "rates.csv (illustrative)")
    state = load_close(store, "2026-10", None, "alice", date(2026, 11, 5))
    cells = {r["check"]: r["detail"] for r in state.checklist}
    assert cells["Open amount at risk in reporting currency"] == "99,201.50 EUR — rates: rates.csv (illustrative)"


def test_the_checklist_status_stays_on_screen_in_a_small_window(qtbot, seeded):
    """With a fixed 760 px detail column, "blocks certification" sat past the right edge at 1024 px."""
    from PySide6.QtWidgets import QApplication
    store, _run = seeded
    win, screen = _close_window(qtbot, store)
    win.resize(1024, 700)
    QApplication.processEvents()
    view = screen.checklist_view
    header = view.horizontalHeader()
    assert header.sectionViewportPosition(2) + header.sectionSize(2) <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    win.close()


def test_a_critical_items_customer_reads_whole_in_a_wide_window(qtbot, store):
    """The Customer column stayed 200 px: 'Suzuki & Takahashi Electronic…' beside 900 px of spare room."""
    from tests.helpers.month_end_run import seed_month_end
    seed_month_end(store)
    win, screen = _close_window(qtbot, store)
    win.resize(1920, 1080)
    qtbot.waitUntil(lambda: screen.critical_view.viewport().width() > 1500, timeout=WAIT_MS)
    with qtbot.wait_signal(screen.loaded, timeout=WAIT_MS):
        screen.load("2026-10")
    assert screen.critical.rowCount() > 1
    fm = screen.critical_view.fontMetrics()
    widest = max(fm.horizontalAdvance(str(screen.critical.index(r, 1).data()))
                 for r in range(screen.critical.rowCount()))
    assert screen.critical_view.columnWidth(1) >= widest
    win.close()


def test_the_checklist_loads_when_the_fx_table_lacks_a_currency_and_names_it(qtbot, seeded):
    from decimal import Decimal

    from workbench.close.fx import set_rates
    from workbench.close.periods import get_period
    from workbench.store.schema import ExceptionRow

    store, run = seeded
    with store.session() as s:
        set_rates(s, get_period(s, "2026-10"), "EUR", {"JPY": Decimal("0.0062")}, "rates.csv sha256:00")
        item = s.execute(select(ExceptionRow).where(ExceptionRow.run_id == run)).scalars().first()
        s.add(ExceptionRow(**{c.key: getattr(item, c.key) for c in ExceptionRow.__table__.columns
                              if c.key not in ("id", "key", "currency")},
                           key=item.key + "|usd", currency="USD"))  # found later, in a currency without a rate
    win, screen = _close_window(qtbot, store)
    cells = _cells(screen.checklist)
    assert "USD" in cells["Open amount at risk per currency"][1]
    detail, status = cells["Open amount at risk in reporting currency"][1:]
    assert "no rate for USD" in detail and status == "missing"
