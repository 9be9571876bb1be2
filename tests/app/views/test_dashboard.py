"""Dashboard: counts and amounts at risk (per currency), match and propagation figures, the trend
across runs, and bars that click through to the queue filtered to what they count."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.main_window import build_window
from tests.app.conftest import seed_run
from workbench.store.schema import Snapshot
from tests.helpers.qt import WAIT_MS


@pytest.fixture
def win(qtbot, store):
    first = seed_run(store, run_name="September close")
    second = seed_run(store, run_name="October close", extra_pricing=3)
    w = build_window(store, user="alice")
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    dash = w.screens["dashboard"]
    with qtbot.wait_signal(dash.loaded, timeout=WAIT_MS):
        w.start()
    w.runs = (first, second)
    yield w
    w.close()
    assert not w.ctx.jobs.busy and not w.ctx.db.busy


def test_counts_amounts_at_risk_per_currency_and_unmatched_customers(win):
    d = win.screens["dashboard"]
    data = d.data
    assert data.run["id"] == win.runs[1]
    assert dict(data.by_type) == {"pricing.price_mismatch": 4, "customer.attribute_mismatch": 2,
                                  "invoice.status_mismatch": 1, "customer.missing_in_erp": 1}
    # never summed across currencies: EUR and JPY stay apart
    assert data.at_risk["customer.missing_in_erp"] == {"EUR": Decimal("98000.50")}
    assert data.at_risk["pricing.price_mismatch"] == {"JPY": Decimal("2.00"), "EUR": Decimal("3")}
    assert data.currencies[0] == "EUR" and d.currency_box.currentText() == "EUR"
    assert "8 exceptions" in d.heading.text()
    assert data.unmatched == {"crm": 1, "erp": 1}  # Globex is only a suggested link
    assert "1" in d.unmatched_crm.text() and "customers" in d.unmatched_crm.text()
    assert d.type_categories[-1] == "pricing.price_mismatch"  # largest bar on top
    d.currency_box.setCurrentText("JPY")
    assert d.risk_categories == ["pricing.price_mismatch"]
    assert "JPY" in d.risk_view.chart().title()
    assert [t["id"] for t in data.trend] == list(win.runs)
    assert [t["total"] for t in data.trend] == [5, 8]


def test_clicking_a_bar_opens_the_queue_filtered_to_that_type(qtbot, win):
    d = win.screens["dashboard"]
    review = win.review
    qtbot.waitUntil(lambda: review.bundle is not None, timeout=WAIT_MS)
    i = d.type_categories.index("customer.attribute_mismatch")
    d.type_series.clicked.emit(i, d.type_series.barSets()[0])
    assert win.tabs.currentWidget() is review
    q = review.queue
    assert q.model.rowCount() == 2 and q.count_label.text() == "2 of 8 exceptions"
    assert q.current_filter().types == frozenset({"customer.attribute_mismatch"})
    win.show_screen("dashboard")
    j = d.status_categories.index("open")
    d.status_series.clicked.emit(j, d.status_series.barSets()[0])
    assert q.current_filter().statuses == frozenset({"open"}) and q.model.rowCount() == 8
    win.show_screen("dashboard")
    d.unmatched_crm.click()
    assert q.current_filter().types == frozenset({"customer.missing_in_erp"}) and q.model.rowCount() == 1


def test_clicking_a_point_of_the_trend_opens_that_run(qtbot, win):
    d = win.screens["dashboard"]
    first = win.runs[0]
    with qtbot.wait_signal(d.loaded, timeout=WAIT_MS) as blocker:
        d.trend_series.clicked.emit(d.trend_series.at(0))
    assert blocker.args[0] == first and win.ctx.run_id == first
    assert sum(n for _, n in d.data.by_type) == 5


def test_order_to_invoice_latency_and_status_propagation(store):
    from app.models.dashboard_model import load_dashboard
    run_id = seed_run(store)
    with store.session() as s:
        from workbench.store.schema import Run
        run = s.get(Run, run_id)
        run.summary = {**run.summary, "stats": {"invoices_matched": {"number": 40}},
                       "records": {"crm": {"customers": 2}}}
        rows = [("orders", {"record_id": "O1", "number": "SO-1", "order_date": "2026-10-01"}),
                ("orders", {"record_id": "O2", "number": "SO-2", "order_date": "2026-10-10"}),
                ("invoices", {"record_id": "I1", "order_ref": "SO-1", "invoice_date": "2026-10-04"}),
                ("invoices", {"record_id": "I2", "order_ref": "O2", "invoice_date": "2026-10-20"}),
                ("invoices", {"record_id": "I3", "order_ref": None, "invoice_date": "2026-10-20"})]
        for kind, rec in rows:
            s.add(Snapshot(run_id=run_id, side="erp", object=kind, kind=kind, record_id=rec["record_id"], query="q",
                           content_hash="h" * 64, payload=json.dumps(rec), canonical=json.dumps(rec)))
    d = load_dashboard(store, run_id)
    assert d.latency_days == {"count": 2, "median": 6.5, "p90": 10, "max": 10}
    assert d.propagation == {"matched": 40, "differ": 1, "rate": 39 / 40}
    assert d.match_rate == 0.5 and d.linked == 1 and d.crm_customers == 2


def test_every_control_of_the_new_screens_has_an_accessible_name(win):
    from PySide6.QtCharts import QChartView
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit,
                                   QProgressBar, QWidget)
    kinds = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QProgressBar, QChartView, QAbstractSpinBox)
    inner = (QComboBox, QAbstractSpinBox, QAbstractItemView)  # their popups, headers, editors are Qt's parts

    def part_of_a_control(w, top):
        p = w.parentWidget()
        while p is not None and p is not top:
            if isinstance(p, inner):
                return True
            p = p.parentWidget()
        return False

    for key in ("connections", "mapping", "run", "approvals", "dashboard"):
        screen = win.screens[key]
        controls = [w for w in screen.findChildren(QWidget) if isinstance(w, kinds)
                    and not part_of_a_control(w, screen) and not w.objectName().startswith("qt_")]
        assert len(controls) >= 5, key
        unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
        assert unnamed == [], key


def test_layout_and_choices_persist_between_sessions(qtbot, win, store):
    mapping, dash = win.screens["mapping"], win.screens["dashboard"]
    mapping.side_box.setCurrentIndex(mapping.side_box.findData("erp"))
    mapping.kind_box.setCurrentIndex(mapping.kind_box.findData("invoices"))
    win.screens["approvals"].view_box.setCurrentIndex(2)
    dash.currency_box.setCurrentText("JPY")
    win.close()
    again = build_window(store, user="alice")
    qtbot.addWidget(again)
    try:
        assert (again.screens["mapping"].side, again.screens["mapping"].kind) == ("erp", "invoices")
        assert again.screens["approvals"].view_box.currentText() == "Failed"
        d2 = again.screens["dashboard"]
        with qtbot.wait_signal(d2.loaded, timeout=WAIT_MS):
            again.start()
        assert d2.currency_box.currentText() == "JPY"
    finally:
        again.close()


def test_the_keyboard_walks_the_bars_and_enter_opens_the_queue(qtbot, win):
    from PySide6.QtCore import Qt
    d = win.screens["dashboard"]
    view = d.type_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # from the top: the largest bar
    assert d.type_categories[view.current] == "pricing.price_mismatch"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    chosen = d.type_categories[view.current]
    assert view.bars.isBarSelected(view.current)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert win.tabs.currentWidget() is win.review
    assert win.review.queue.current_filter().types == frozenset({chosen})


def test_open_items_by_age_bucket_and_overdue_on_a_tile_that_opens_the_queue(qtbot, win):
    from datetime import UTC, datetime, timedelta

    from workbench.store.schema import ExceptionRow
    d = win.screens["dashboard"]
    with win.ctx.store.session() as s:
        rows = s.query(ExceptionRow).filter(ExceptionRow.run_id == win.runs[1]).order_by(ExceptionRow.id).all()
        for r in rows:
            r.first_seen = datetime.now(UTC)
        rows[0].first_seen = datetime.now(UTC) - timedelta(days=45)   # past any severity's due date
        rows[1].first_seen = datetime.now(UTC) - timedelta(days=100)
        rows[1].status = "waived"                                       # settled: not aged
        open_now = sum(1 for r in rows if r.status in ("open", "in_review", "reopened"))
    with qtbot.wait_signal(d.loaded, timeout=WAIT_MS):
        d.load(win.runs[1])
    aging = d.data.aging
    assert sum(aging.buckets.values()) == open_now
    assert aging.buckets["31–60"] == 1 and aging.buckets["0–30"] == open_now - 1 and aging.buckets["90+"] == 0
    assert aging.overdue == 1
    assert f"Open items overdue: {aging.overdue:,}   past due" in d.overdue.text() and "31–60: 1" in d.overdue.text()
    with qtbot.wait_signal(win.ctx.show_queue_requested, timeout=WAIT_MS) as sig:
        d.overdue.click()
    assert sig.args[0]["statuses"] == ["open"]
