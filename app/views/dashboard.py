"""Dashboard: where the open run stands — counts and amounts at risk by type and status, match
rate, unmatched customers, order-to-invoice latency, invoice status propagation, and the trend
across runs. Every bar clicks through to the queue filtered to what it counts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QHorizontalBarSeries,
                              QLineSeries, QValueAxis)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from app.context import AppContext
from app.screens import Screen, register_screen
from workbench.model.changes import Changes
from workbench.model.money import amount_text

MAX_TYPES = 14  # the rest are one click away in the queue; a chart of 30 bars reads as noise


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f} %"


class BarChartView(QChartView):
    """A chart view the keyboard can drive: arrows move between bars, Enter opens the queue on one."""

    activated = Signal(int)

    def __init__(self, chart: QChart):
        super().__init__(chart)
        self.bars: QBarSet | None = None
        self.current = -1
        self.horizontal = True

    def set_bars(self, bars: QBarSet, horizontal: bool) -> None:
        self.bars, self.horizontal, self.current = bars, horizontal, -1

    def keyPressEvent(self, event) -> None:
        n = self.bars.count() if self.bars is not None else 0
        key = event.key()
        # horizontal bars: the largest is drawn on top, so "down" walks to smaller index numbers
        forward = (Qt.Key.Key_Up, Qt.Key.Key_Right) if self.horizontal else (Qt.Key.Key_Right, Qt.Key.Key_Up)
        backward = (Qt.Key.Key_Down, Qt.Key.Key_Left) if self.horizontal else (Qt.Key.Key_Left, Qt.Key.Key_Down)
        if n and key in forward + backward:
            step = 1 if key in forward else -1
            self.current = (n - 1 if step < 0 else 0) if self.current < 0 else max(0, min(n - 1, self.current + step))
            self.bars.deselectAllBars()
            self.bars.selectBar(self.current)
            self.setAccessibleDescription(f"{self.bars.label()}: bar {self.current + 1} of {n}")
            return
        if n and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.current >= 0:
            self.activated.emit(self.current)
            return
        super().keyPressEvent(event)


class KpiTile(QPushButton):
    """A number with its words; clicking opens the queue on what it counts (when it counts exceptions)."""

    def __init__(self, title: str, parent: QWidget | None = None, *, one_line: bool = False):
        super().__init__(parent)
        self.title = title
        self.one_line = one_line  # a full-width strip: title and figures on one line, less height taken
        self.setAccessibleName(title)
        self.setMinimumHeight(32 if one_line else 64)
        # the tiles share the row: their text must not widen the window past its size (1440 px shows all)
        self.setMinimumWidth(120)
        self.setStyleSheet("QPushButton { text-align: left; padding: 6px 10px; }")
        self.set_value("—", "")

    def set_value(self, value: str, words: str) -> None:
        sep = ": " if self.one_line else "\n"
        self.setText(f"{self.title}{sep}{value}   {words}".rstrip())
        self.setAccessibleDescription(f"{self.title}: {value} {words}")


class DashboardScreen(QWidget):
    loaded = Signal(object)  # run id on screen (None: no run yet)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Dashboard")
        self.data = None
        self.type_categories: list[str] = []
        self.status_categories: list[str] = []
        self.risk_categories: list[str] = []
        self._token = 0

        self.heading = QLabel("")
        self.heading.setProperty("role", "heading")
        self.heading.setAccessibleName("Dashboard run")
        self.match = KpiTile("Customer match rate")
        self.unmatched_crm = KpiTile("CRM customers not in the ERP")
        self.unmatched_erp = KpiTile("ERP customers not in the CRM")
        self.latency = KpiTile("Order → invoice (ERP)")
        self.propagation = KpiTile("Invoice status propagated")
        self.overdue = KpiTile("Open items overdue", one_line=True)
        self.match.clicked.connect(lambda: self.open_queue({"types": ["customer.missing_xref", "customer.wrong_xref",
                                                                      "customer.duplicate"]}))
        self.unmatched_crm.clicked.connect(lambda: self.open_queue({"types": ["customer.missing_in_erp"]}))
        self.unmatched_erp.clicked.connect(lambda: self.open_queue({"types": ["customer.missing_in_crm"]}))
        self.latency.clicked.connect(lambda: self.open_queue({"types": ["order.missing_in_erp",
                                                                        "timing.event_not_reflected"]}))
        self.propagation.clicked.connect(lambda: self.open_queue({"types": ["invoice.status_mismatch"]}))
        self.overdue.clicked.connect(lambda: self.open_queue({"statuses": ["open"]}))
        tiles = QHBoxLayout()
        for t in (self.match, self.unmatched_crm, self.unmatched_erp, self.latency, self.propagation):
            tiles.addWidget(t, 1)

        self.type_view = self._chart("Exceptions by type (click a bar for the queue)")
        self.status_view = self._chart("Exceptions by status")
        self.risk_view = self._chart("Amount at risk by type")
        self.trend_view = self._chart("Exceptions across runs")
        self.type_view.activated.connect(self.click_type)
        self.status_view.activated.connect(self.click_status)
        self.risk_view.activated.connect(self.click_risk)
        self.currency_box = QComboBox()
        self.currency_box.setAccessibleName("Currency of the amount at risk")
        self.currency_box.currentIndexChanged.connect(lambda _: self._draw_risk())
        risk_box = QWidget()
        rl = QVBoxLayout(risk_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rh = QHBoxLayout()
        rh.addWidget(QLabel("Currency"))
        rh.addWidget(self.currency_box)
        rh.addStretch(1)
        rl.addLayout(rh)
        rl.addWidget(self.risk_view, 1)

        grid = QGridLayout()
        grid.addWidget(self.type_view, 0, 0)
        grid.addWidget(risk_box, 0, 1)
        grid.addWidget(self.status_view, 1, 0)
        grid.addWidget(self.trend_view, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addLayout(tiles)
        lay.addWidget(self.overdue)  # full width: the four age buckets read on one line
        lay.addLayout(grid, 1)
        order = (self.match, self.unmatched_crm, self.unmatched_erp, self.latency, self.propagation, self.overdue,
                 self.type_view,
                 self.currency_box, self.risk_view, self.status_view, self.trend_view)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

        ctx.run_changed.connect(self.load)
        ctx.data_changed.connect(self._data_changed)
        ctx.theme_changed.connect(lambda _: self._apply_theme())
        self._apply_theme()

    def _chart(self, title: str) -> BarChartView:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        view = BarChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setAccessibleName(title)
        view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return view

    def _apply_theme(self) -> None:
        for view in (self.type_view, self.status_view, self.risk_view, self.trend_view):
            self._fresh(view, view.chart().title() if view.chart() else "")
        if self.data is not None:
            self.show_dashboard(self.data)

    # ---- loading ----------------------------------------------------------------------------
    def _data_changed(self, changes: Changes | None, _initiator: object) -> None:
        if changes is None or changes.exceptions:  # statuses and amounts at risk are counted from them
            self.load(self.ctx.run_id)

    def load(self, run_id: int | None) -> None:
        from app.models.dashboard_model import load_dashboard
        if self.ctx.store is None:
            return
        self._token += 1
        token = self._token

        def done(d) -> None:
            if token == self._token:
                self.show_dashboard(d)

        self.ctx.db.submit(load_dashboard, self.ctx.store, run_id, on_done=done,
                           on_error=lambda m: self.ctx.error(f"Dashboard: {m}"))

    def show_dashboard(self, d) -> None:
        self.data = d
        if d is None:
            self.heading.setText("No run yet: start one on the Run screen")
            self.loaded.emit(None)
            return
        run = d.run
        total = sum(n for _, n in d.by_type)
        self.heading.setText(f"Run #{run['id']} {run.get('name') or ''} — as of {run.get('as_of')}: "
                             f"{total:,} exceptions")
        self.match.set_value(_pct(d.match_rate), f"{d.linked:,} of {d.crm_customers:,} CRM customers linked")
        self.unmatched_crm.set_value(f"{d.unmatched.get('crm', 0):,}", "customers")
        self.unmatched_erp.set_value(f"{d.unmatched.get('erp', 0):,}", "customers")
        lat = d.latency_days
        self.latency.set_value(f"{lat['median']:g} days" if lat.get("count") else "—",
                               f"median; p90 {lat['p90']} d over {lat['count']:,} invoices" if lat.get("count")
                               else "no invoices name their order")
        p = d.propagation
        self.propagation.set_value(_pct(p.get("rate")), f"{p.get('differ', 0):,} of {p.get('matched', 0):,} "
                                                        "matched invoices differ")
        if d.aging is not None:
            self.overdue.set_value(f"{d.aging.overdue:,}", "past due   ·   open items by days since first seen:   "
                                   + " · ".join(f"{bucket}: {n:,}" for bucket, n in d.aging.buckets.items()))
        self._draw_types()
        self._draw_status()
        ccy = self.currency_box.currentText()
        self.currency_box.blockSignals(True)
        self.currency_box.clear()
        self.currency_box.addItems(d.currencies)
        wanted = ccy or str(self.ctx.settings.value("dashboard/currency") or "")
        if wanted in d.currencies:
            self.currency_box.setCurrentText(wanted)
        self.currency_box.blockSignals(False)
        self._draw_risk()
        self._draw_trend()
        self.loaded.emit(run["id"])

    # ---- charts -----------------------------------------------------------------------------
    def _fresh(self, view: QChartView, title: str) -> QChart:
        """A new chart for each draw: reusing one after removing series and axes leaves stray labels."""
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if self.ctx.mode == "dark" else
                       QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundBrush(QColor(self.ctx.palette["background"]))
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()
        return chart

    def _bars(self, view: QChartView, title: str, labels: list[str], values: list[float], name: str, color: str,
              horizontal: bool = True, show_values: bool = True):
        chart = self._fresh(view, title)
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        bars = QBarSet(name)
        bars.setColor(QColor(color))
        bars.setLabelColor(QColor(self.ctx.palette["text"]))
        for v in values:
            bars.append(float(v))
        series.append(bars)
        series.setLabelsVisible(show_values)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsInsideBase if horizontal
                                 else QBarSeries.LabelsPosition.LabelsInsideEnd)
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append(labels or [""])
        vals = QValueAxis()
        vals.setRange(0, max([float(v) for v in values] + [1.0]) * 1.1)
        vals.setLabelFormat("%.0f")
        vals.applyNiceNumbers()
        if horizontal:
            chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(vals, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(vals, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cats)
        series.attachAxis(vals)
        bars.setSelectedColor(QColor(self.ctx.palette["accent"]))
        view.set_bars(bars, horizontal)
        return series

    def _draw_types(self) -> None:
        rows = list(reversed(self.data.by_type[:MAX_TYPES]))  # largest on top
        self.type_categories = [t for t, _ in rows]
        self.type_series = self._bars(self.type_view, "Exceptions by type (click a bar for the queue)",
                                      self.type_categories, [n for _, n in rows], "Exceptions",
                                      self.ctx.palette["changed"])
        self.type_series.clicked.connect(lambda i, _s: self.click_type(i))

    def _draw_status(self) -> None:
        rows = self.data.by_status
        self.status_categories = [s for s, _ in rows]
        self.status_series = self._bars(self.status_view, "Exceptions by status", self.status_categories,
                                        [n for _, n in rows], "Exceptions", self.ctx.palette["changed"],
                                        horizontal=False)
        self.status_series.clicked.connect(lambda i, _s: self.click_status(i))

    def _draw_risk(self) -> None:
        if self.data is None:
            return
        ccy = self.currency_box.currentText()
        rows = sorted(((t, v.get(ccy, Decimal(0))) for t, v in self.data.at_risk.items() if v.get(ccy)),
                      key=lambda kv: kv[1])[-MAX_TYPES:]
        self.risk_categories = [t for t, _ in rows]
        title = f"Amount at risk by type, {ccy}" if ccy else "Amount at risk by type (none)"
        # the amount goes into the label: chart value labels cannot group thousands
        self.risk_series = self._bars(self.risk_view, title, [f"{t}  {amount_text(v, ccy)}" for t, v in rows],
                                      [float(v) for _, v in rows], f"At risk ({ccy})", self.ctx.palette["conflict"],
                                      show_values=False)
        self.risk_series.clicked.connect(lambda i, _s: self.click_risk(i))
        total = sum((v for _, v in rows), Decimal(0))
        self.risk_view.setAccessibleDescription(f"Total at risk {amount_text(total, ccy)} {ccy}")

    def _draw_trend(self) -> None:
        chart = self._fresh(self.trend_view, "Exceptions across runs (click a point to open that run)")
        series = QLineSeries()
        series.setName("Exceptions")
        series.setPointsVisible(True)
        series.setMarkerSize(10)
        series.setColor(QColor(self.ctx.palette["accent"]))
        trend = self.data.trend[-20:]
        for i, t in enumerate(trend):
            series.append(QPointF(i, t["total"]))
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([f"#{t['id']}" for t in trend] or [""])
        vals = QValueAxis()
        vals.setRange(0, max([t["total"] for t in trend] + [1]) * 1.15)
        vals.setLabelFormat("%.0f")
        chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(vals, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cats)
        series.attachAxis(vals)
        self.trend_ids = [t["id"] for t in trend]
        series.clicked.connect(self._trend_clicked)
        self.trend_series = series

    def _trend_clicked(self, point: QPointF) -> None:
        i = int(round(point.x()))
        if 0 <= i < len(self.trend_ids):
            self.ctx.open_run(self.trend_ids[i])

    def save_settings(self) -> None:
        if self.currency_box.currentText():
            self.ctx.settings.setValue("dashboard/currency", self.currency_box.currentText())

    # ---- click-through ----------------------------------------------------------------------
    def open_queue(self, filters: dict[str, Any]) -> None:
        self.ctx.show_queue(filters)

    def click_type(self, index: int) -> None:
        if 0 <= index < len(self.type_categories):
            self.open_queue({"types": [self.type_categories[index]]})

    def click_status(self, index: int) -> None:
        if 0 <= index < len(self.status_categories):
            self.open_queue({"statuses": [self.status_categories[index]]})

    def click_risk(self, index: int) -> None:
        if 0 <= index < len(self.risk_categories):
            self.open_queue({"types": [self.risk_categories[index]]})


register_screen(Screen(key="dashboard", title="Dashboard", factory=DashboardScreen, order=60,
                       accessible_name="Dashboard"))
