"""Dashboard: counts and amounts at risk (per currency), match and propagation figures, the trend
across runs, and bars that click through to the queue filtered to what they count."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

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
    assert f"Open items overdue: {aging.overdue:,}   ·   all open items by days since first seen:" in d.overdue.text()
    assert "past due" not in d.overdue.text() and "31–60: 1" in d.overdue.text()
    with qtbot.wait_signal(win.ctx.show_queue_requested, timeout=WAIT_MS) as sig:
        d.overdue.click()
    assert sig.args[0]["statuses"] == ["open"]


def _axis_labels(view) -> list[str]:
    from PySide6.QtCharts import QCategoryAxis
    return next(a for a in view.chart().axes() if isinstance(a, QCategoryAxis)).categoriesLabels()


def test_amount_axis_reads_as_money_in_the_chosen_currency(win):
    d = win.screens["dashboard"]
    labels = _axis_labels(d.risk_view)
    assert labels[0] == "0.00 EUR" and "50,000.00 EUR" in labels  # 98,000.50 EUR at risk: grouped, with its code
    d.currency_box.setCurrentText("JPY")
    assert _axis_labels(d.risk_view) == ["0 JPY", "1 JPY", "2 JPY", "3 JPY"]  # whole yen, never "0.5"
    assert list(d.status_view.chart().axes()[0].categories()) == ["Open"]  # plain words, not codes


def _more_types(store, run_id: int) -> list[str]:
    """Eleven more types on the run, small ones last: a critical order.missing_in_erp among them."""
    from tests.app.conftest import _exc
    from workbench.store.schema import ExceptionRow
    extra = ["invoice.due_date_mismatch", "invoice.amount_mismatch", "invoice.missing_in_crm",
             "invoice.missing_in_erp", "order.amount_mismatch", "pricing.missing_in_erp", "pricing.missing_in_crm",
             "credit.blocked_in_erp", "data_quality.missing_tax_id", "customer.duplicate"]
    with store.session() as s:
        n = 500
        for t in extra:
            for _ in range(3):
                n += 1
                s.add(ExceptionRow(**_exc(run_id, n, type=t, severity="medium", crm_id=f"X{n}")))
        s.add(ExceptionRow(**_exc(run_id, n + 1, type="order.missing_in_erp", severity="critical", erp_id="SO-9")))
    return extra


def test_every_type_is_on_the_chart_the_rest_behind_an_n_more_bar_that_opens_them(qtbot, win):
    from app.views.bar_chart import MAX_BARS
    from app.views.dashboard import MORE
    d = win.screens["dashboard"]
    _more_types(win.ctx.store, win.runs[1])
    with qtbot.wait_signal(d.loaded, timeout=WAIT_MS):
        d.load(win.runs[1])
    by_type = dict(d.data.by_type)
    assert len(by_type) == 15 and len(d.type_categories) == MAX_BARS
    assert d.type_categories[0] == MORE  # the bottom bar gathers the rest...
    bars = d.type_series.barSets()[0]
    assert sum(bars.at(i) for i in range(bars.count())) == sum(by_type.values())  # ...so every exception counts
    rest = [t for t in by_type if t not in d.type_categories]
    assert "order.missing_in_erp" in rest and len(rest) == 15 - (MAX_BARS - 1)
    labels = d.type_view.chart().axes(Qt.Orientation.Vertical)[0].categories()
    assert "customer.missing_in_erp" in rest  # the seeded critical one, also small
    assert labels[0] == f"+{len(rest)} more types ({sum(by_type[t] for t in rest):,}), 2 critical"
    assert "Price differs" in labels and "pricing.price_mismatch" not in labels  # words; the code on hover
    d.type_series.clicked.emit(0, bars)
    dialog = d.more_dialog
    qtbot.waitExposed(dialog)
    table = dialog.table
    names = [table.item(i, 0).text() for i in range(table.rowCount())]
    assert table.rowCount() == len(rest) and "Order missing in ERP" in names
    row = names.index("Order missing in ERP")
    assert table.item(row, 1).text() == "Critical" and table.item(row, 0).toolTip() == "order.missing_in_erp"
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double click: press...
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # ...then the second one
    assert win.tabs.currentWidget() is win.review and not dialog.isVisible()
    assert win.review.queue.current_filter().types == frozenset({"order.missing_in_erp"})
    win.show_screen("dashboard")  # the keyboard: Enter on a row opens the queue on that one type
    d.click_type(0)
    again = d.more_dialog
    qtbot.waitExposed(again)
    again.table.setCurrentCell(1, 0)
    again.table.setFocus()
    qtbot.keyClick(again.table, Qt.Key.Key_Return)
    assert win.review.queue.current_filter().types == frozenset({again.codes[1]})


def test_tiles_say_why_they_are_empty_and_the_latency_tile_hides_without_data(qtbot, win):
    d = win.screens["dashboard"]
    win.show_screen("dashboard")
    # the seeded runs have no invoice naming its order, no matched invoices counted, no CRM customer count
    assert d.latency.isHidden()
    # the four tiles left share the row once it is laid out again
    qtbot.waitUntil(lambda: "No invoices matched in this run" in d.propagation.text(), timeout=WAIT_MS)
    assert "No CRM customers in this run" in d.match.text()


def test_a_single_run_says_the_trend_starts_with_the_next_run(qtbot, store):
    run_id = seed_run(store)
    w = build_window(store, user="alice", only=("dashboard",))
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    d = w.screens["dashboard"]
    with qtbot.wait_signal(d.loaded, timeout=WAIT_MS):
        w.start()
    try:
        title = d.trend_view.chart().title()
        assert f"only run #{run_id} so far (5 exceptions)" in title and "next run" in title
        assert d.trend_view.chart().series() == []  # no lonely dot
    finally:
        w.close()


def test_what_the_run_warned_of_is_on_the_dashboard_and_a_run_without_warnings_shows_none(qtbot, store):
    from workbench.store.schema import Run
    quiet = seed_run(store, run_name="September close")
    warned = seed_run(store)
    said = "the ERP side read no invoices (file salesInvoices.csv) while the CRM side has 2"
    with store.session() as s:
        run = s.get(Run, warned)
        run.summary = {**run.summary, "stats": {"warnings": [said]}}
        s.commit()
    w = build_window(store, user="alice", only=("dashboard",))
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    d = w.screens["dashboard"]
    try:
        with qtbot.wait_signal(d.loaded, timeout=WAIT_MS):
            w.start()
        assert d.data.run["id"] == warned
        assert d.warnings.isVisible() and d.warnings.text() == f"Warning: {said}"
        with qtbot.wait_signal(d.loaded, timeout=WAIT_MS):
            d.load(quiet)
        assert not d.warnings.isVisible() and d.warnings.text() == ""
    finally:
        w.close()
