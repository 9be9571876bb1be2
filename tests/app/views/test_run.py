"""Run screen: a run through both sandboxes with a progress bar per source, a cancel that
really stops it (nothing stored), errors in the window, and reopening a past run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.main_window import build_window
from app.models.run_config_model import run_config_doc
from app.views.run import reconciling_lines
from workbench import demo as demo_mod
from workbench.store import repo
from tests.helpers.qt import WAIT_MS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = demo_mod.prepare_demo(tmp_path_factory.mktemp("demo"), customers=15)
    yield d
    d.stop()


def _run_window(qtbot, store, demo):
    w = build_window(store, user="alice")
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    run_config_doc(w.ctx).open(demo.config_path)
    w.show_screen("run")
    return w


@pytest.fixture
def win(qtbot, store, demo):
    w = _run_window(qtbot, store, demo)
    yield w
    w.close()
    assert not w.ctx.jobs.busy and not w.ctx.db.busy


def _sf(demo):
    return next(h for h in demo.handles if hasattr(h, "org"))


def test_a_run_shows_progress_per_source_and_lands_in_the_runs_list_and_the_queue(qtbot, win):
    run = win.screens["run"]
    seen: dict[str, list[tuple[int, object]]] = {"crm": [], "erp": []}

    def watch(side, done, total, message):
        seen[side].append((done, total))

    with qtbot.wait_signal(run.finished, timeout=WAIT_MS) as blocker:
        assert run.start_run()
        run.progress.source_progress.connect(watch)
        assert run.cancel_button.isEnabled() and not run.start_button.isEnabled()
    assert blocker.args[0] == "completed"
    run_id = blocker.args[1]
    assert seen["crm"] and seen["erp"]  # both sources reported records read so far
    for side, bar in run.bars.items():
        assert bar.bar.maximum() > 0 and bar.bar.value() == bar.bar.maximum(), side
        assert bar.label.text().endswith("done")
    qtbot.waitUntil(lambda: any(r["id"] == run_id for r in run.runs.rows), timeout=WAIT_MS)
    row = next(r for r in run.runs.rows if r["id"] == run_id)
    stored = repo.load_run(win.ctx.store, run_id)
    assert row["status"] == "completed" and row["user_name"] == "alice"
    assert row["exceptions"] == stored["summary"]["exceptions_total"] > 0
    assert row["sources_text"] == "CRM: Salesforce; ERP: Business Central"
    assert "CRM" in row["totals_text"] and "ERP" in row["totals_text"] and "open" in row["totals_text"]
    # hovering the control totals tells how the open-balance difference adds up, per currency
    tip = run.runs.data(run.runs.index(run.runs.rows.index(row), 9), Qt.ItemDataRole.ToolTipRole)
    assert "Open balance difference" in tip and "unexplained" in tip
    assert win.ctx.run_id == run_id
    qtbot.waitUntil(lambda: win.review.bundle is not None and win.review.bundle.run["id"] == run_id,
                    timeout=WAIT_MS)


def test_cancel_stops_the_pull_and_stores_nothing(qtbot, win, demo):
    run = win.screens["run"]
    sf = _sf(demo)
    sf.faults.slow_seconds = 0.3  # each API call takes a while, so the cancel lands mid-pull
    try:
        with qtbot.wait_signal(run.finished, timeout=WAIT_MS) as blocker:
            assert run.start_run()
            with qtbot.wait_signal(run.progress.source_progress, timeout=WAIT_MS):
                pass
            run.cancel_button.click()
            assert "Cancelling" in run.step.text()
    finally:
        sf.faults.slow_seconds = 0.0
    assert blocker.args[0] == "cancelled"
    assert run.step.text() == "Run cancelled: nothing was stored"
    assert not run.error.isVisible()
    assert repo.latest_run_id(win.ctx.store) is None  # no completed run, no half-stored one
    runs = repo.list_runs(win.ctx.store)
    assert [r["status"] for r in runs] == ["cancelled"]
    qtbot.waitUntil(lambda: [r["status"] for r in run.runs.rows] == ["cancelled"], timeout=WAIT_MS)
    assert run.start_button.isEnabled() and not run.cancel_button.isEnabled()


def test_closing_the_window_mid_pull_stops_the_run_instead_of_waiting_for_it(qtbot, store, demo):
    w = _run_window(qtbot, store, demo)
    run = w.screens["run"]
    sf = _sf(demo)
    sf.faults.slow_seconds = 0.3  # a pull that would take minutes to the end
    try:
        assert run.start_run()
        with qtbot.wait_signal(run.progress.source_progress, timeout=WAIT_MS):
            pass
        w.close()  # returns once the run has stopped at its next page
    finally:
        sf.faults.slow_seconds = 0.0
    # by the time close() returned the run had stopped and was recorded as cancelled
    assert [r["status"] for r in repo.list_runs(store)] == ["cancelled"]


def test_a_broken_config_is_reported_in_the_window_not_as_a_traceback(qtbot, win, tmp_path):
    run = win.screens["run"]
    doc = run_config_doc(win.ctx)
    raw = dict(doc.raw)
    raw["erp"] = {"connector": "files", "system": "business_central", "files": {"dir": "nowhere"},
                  "objects": {"customers": {"file": "customers.csv"}}}
    doc.save(raw, tmp_path / "broken.toml")
    with qtbot.wait_signal(run.finished, timeout=WAIT_MS) as blocker:
        run.start_run()
    assert blocker.args[0] == "failed"
    assert run.error.isVisible() and "nowhere" in run.error.text()
    assert "Traceback" not in run.error.text() and "\n" not in run.error.text()
    assert win.message_bar.text() == run.error.text()


def test_reopening_a_past_run_shows_it_in_the_queue(qtbot, win):
    from tests.app.conftest import seed_run
    store = win.ctx.store
    first = seed_run(store, run_name="September close")
    second = seed_run(store, run_name="October close")
    run = win.screens["run"]
    with qtbot.wait_signal(run.runs_shown, timeout=WAIT_MS):
        run.refresh()
    names = [r["name"] for r in run.runs.rows]
    assert names == ["October close", "September close"]  # newest first
    row = [r["id"] for r in run.runs.rows].index(first)
    run.table.selectRow(row)
    with qtbot.wait_signal(win.review.loaded, timeout=WAIT_MS) as blocker:
        run.open_button.click()
    assert blocker.args[0] == first and win.ctx.run_id == first
    assert win.tabs.currentWidget() is win.review
    assert second != first


def test_runs_model_passes_the_model_tester(qtbot, qtmodeltester, win):
    from tests.app.conftest import seed_run
    seed_run(win.ctx.store)
    run = win.screens["run"]
    with qtbot.wait_signal(run.runs_shown, timeout=WAIT_MS):
        run.refresh()
    qtmodeltester.check(run.runs)


def test_selecting_a_run_shows_its_control_totals_in_full(qtbot, win):
    from tests.app.conftest import seed_run
    from workbench.store.schema import Run
    store = win.ctx.store
    rid = seed_run(store)
    with store.session() as s:
        run = s.get(Run, rid)
        run.summary = {**run.summary, "control_totals": [
            {"side": "crm", "currency": "EUR", "invoices": 3, "total_amount": "1234567.50", "open_balance": "1200.00"},
            {"side": "erp", "currency": "JPY", "invoices": 2, "total_amount": "98000", "open_balance": "0"}]}
    run_screen = win.screens["run"]
    with qtbot.wait_signal(run_screen.runs_shown, timeout=WAIT_MS):
        run_screen.refresh()
    run_screen.table.selectRow(0)
    text = run_screen.details.text()
    assert "CRM EUR: 3 inv, 1,234,567.50 total, 1,200.00 open" in text
    assert "ERP JPY: 2 inv, 98,000 total, 0 open" in text


def test_selecting_a_run_shows_rows_read_used_and_dropped_per_file(qtbot, win):
    from tests.app.conftest import seed_run
    from workbench.store.schema import Run
    store = win.ctx.store
    rid = seed_run(store)
    ledger = {"erp": {"prices": {
        "file": "Pricelist Rule (product.pricelist.item).csv", "read": 22, "used": 20,
        "dropped": {"Apply On is 'All Products' (used: Product, Product Variant)": 2},
        "references": {"product_code": {"column": "Product", "by": "code", "resolved": 19, "ambiguous": 0,
                                        "unknown": 1, "examples": [{"row": 9, "value": "CBL-9", "problem": "unknown",
                                                                    "matches": 0}]}}}}}
    with store.session() as s:
        run = s.get(Run, rid)
        run.summary = {**run.summary, "ledger": ledger}
    run_screen = win.screens["run"]
    with qtbot.wait_signal(run_screen.runs_shown, timeout=WAIT_MS):
        run_screen.refresh()
    run_screen.table.selectRow(0)
    text = run_screen.details.text()
    assert ("ERP prices Pricelist Rule (product.pricelist.item).csv: 22 read, 20 used, 2 dropped, "
            "1 unresolved references") in text
    assert "2 dropped: Apply On is 'All Products'" in text
    assert "1 unknown Product (product_code by code): row 9 'CBL-9'" in text


def _run_once(qtbot, run_screen) -> int:
    with qtbot.wait_signal(run_screen.finished, timeout=WAIT_MS) as blocker:
        assert run_screen.start_run()
    assert blocker.args[0] == "completed", blocker.args
    run_id = int(blocker.args[1])
    qtbot.waitUntil(lambda: any(r["id"] == run_id for r in run_screen.runs.rows), timeout=WAIT_MS)
    return run_id


def test_a_re_run_is_incremental_and_pull_everything_again_forces_one_full_pull(qtbot, win):
    run_screen = win.screens["run"]
    first = _run_once(qtbot, run_screen)
    second = _run_once(qtbot, run_screen)
    run_screen.full_pull.setChecked(True)
    third = _run_once(qtbot, run_screen)
    assert not run_screen.full_pull.isChecked()  # once: the next run reads only what changed again
    rows = {r["id"]: r for r in run_screen.runs.rows}
    assert rows[first]["pull_text"] == "CRM full, ERP full"
    assert rows[second]["pull_text"] == "CRM incremental, ERP incremental"
    assert rows[third]["pull_text"] == "CRM full, ERP full"
    assert f"(after run {first})" in rows[second]["pull_lines"][0]
    assert rows[third]["pull_lines"] == ["Pull CRM: full (a full pull was asked for)",
                                         "Pull ERP: full (a full pull was asked for)"]
    position = next(i for i, r in enumerate(run_screen.runs.rows) if r["id"] == second)
    run_screen.table.selectRow(position)
    assert rows[second]["pull_lines"][1].startswith("Pull ERP: incremental since")
    assert rows[second]["pull_lines"][1] in run_screen.details.text()
    pull_column = next(i for i, c in enumerate(run_screen.runs.columns) if c.key == "pull_text")
    tip = run_screen.runs.index(position, pull_column).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "\n".join(rows[second]["pull_lines"]) and "changed" in tip and "deleted" in tip


def test_the_control_totals_tooltip_adds_the_difference_up_from_its_reconciling_items():
    run = {"summary": {"stats": {"reconciling": {
        "GBP": {"difference": "247.82", "explained": "247.83", "within_tolerance": "-0.01", "in_flight": "0",
                "drafts": "0", "other_currency": "0", "unexplained": "0.00"},
        "EUR": {"difference": "5.00", "explained": "4.99", "unexplained": "0.01"}}}}}  # a run before the items
    assert reconciling_lines(run) == [
        "Open balance difference EUR 5.00: explained 4.99; unexplained 0.01",
        "Open balance difference GBP 247.82: explained 247.83 + within tolerance -0.01; unexplained 0.00"]


def test_the_runs_list_names_the_systems_in_words():
    """The Sources column read 'CRM: salesforce; ERP: business_central' (codes)."""
    from app.views.run import sources_text
    run = {"sources": [{"side": "crm", "system": "salesforce", "connector": "salesforce"},
                       {"side": "erp", "system": "business_central", "connector": "business_central"}]}
    assert sources_text(run) == "CRM: Salesforce; ERP: Business Central"
    files = {"sources": [{"side": "crm", "system": "files", "connector": "files"},
                         {"side": "erp", "system": "odoo", "connector": "odoo"}]}
    assert sources_text(files) == "CRM: Files; ERP: Odoo"
