"""Dashboard: where the open run stands — counts and amounts at risk by type and status, match
rate, unmatched customers, order-to-invoice latency, invoice status propagation, and the trend
across runs. Every bar clicks through to the queue filtered to what it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView,
                              QHorizontalBarSeries, QLineSeries)
from PySide6.QtCore import QMargins, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QFontMetricsF, QPainter, QResizeEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFrame, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QToolTip,
                               QVBoxLayout, QWidget)

from app.context import AppContext
from app.models.dashboard_model import top_and_rest
from app.views.bar_chart import AXIS_PORTION, READABLE_BARS, BarChartView, chart_height, count_text, value_axis
from app.screens import Screen, register_screen
from workbench.model.changes import Changes
from workbench.model.labels import exception_status_label, type_label
from workbench.model.money import format_amount, minor_unit

MORE = ""      # the category of the "N more" bar: no exception type is the empty string


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f} %"


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
        self.full_text = f"{self.title}{sep}{value}   {words}".rstrip()
        self.setToolTip(self.full_text.replace("\n", ": ", 1))
        self.setAccessibleDescription(f"{self.title}: {value} {words}")
        self._fit_text()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """Each line cut with "…" at the tile's edge (the whole on hover): a button clips its text mid-letter
        ("2 of 575 matched invoices d" in a 1024 px window)."""
        fm = self.fontMetrics()
        room = self.width() - 22  # the padding either side and the frame
        self.setText("\n".join(fm.elidedText(line, Qt.TextElideMode.ElideRight, room)
                               for line in self.full_text.split("\n")))


class DashboardScreen(QWidget):
    loaded = Signal(object)  # run id on screen (None: no run yet)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Dashboard")
        self.data = None
        self.type_categories: list[str] = []
        self.more_labels: list[str] = []  # the "+N more types" bars' names, as drawn
        self.status_categories: list[str] = []
        self.risk_categories: list[str] = []
        self._token = 0

        self.heading = QLabel("")
        self.heading.setProperty("role", "heading")
        self.heading.setAccessibleName("Dashboard run")
        # what the run warned of (a side that read none of a kind, a tolerance no currency can use): said where the
        # figures are read, not only in the command line's output
        self.warnings = QLabel("")
        self.warnings.setObjectName("infoBar")
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Run warnings")
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings.hide()
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
        # redrawn once the resizing settles, with as many bars as the new height labels whole
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._redraw_bars)
        self.type_view.bars_changed.connect(self._refit.start)
        self.risk_view.bars_changed.connect(self._refit.start)
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

        self.grid = grid = QGridLayout()
        self.risk_box = risk_box
        self.charts_side_by_side: bool | None = None
        self._arrange(True)
        grid.setColumnStretch(0, 1)  # halves: the type chart's names need the room as much as the amounts'
        grid.setColumnStretch(1, 1)
        # The charts keep room for READABLE_BARS named bars and the lower ones for their axes; a window too
        # low for that (1024×700) scrolls the screen, where before every chart was squeezed and each type's
        # name cut to "...".
        line = QFontMetricsF(QBarCategoryAxis().labelsFont()).height()
        self.type_view.setMinimumHeight(chart_height(READABLE_BARS, line))
        self.risk_view.setMinimumHeight(chart_height(READABLE_BARS, line))
        for view in (self.status_view, self.trend_view):
            view.setMinimumHeight(int(12 * line))
        content = QWidget()
        lay = QVBoxLayout(content)
        lay.addWidget(self.heading)
        lay.addWidget(self.warnings)
        lay.addLayout(tiles)
        lay.addWidget(self.overdue)  # full width: the four age buckets read on one line
        lay.addLayout(grid, 1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        order = (self.match, self.unmatched_crm, self.unmatched_erp, self.latency, self.propagation, self.overdue,
                 self.type_view,
                 self.currency_box, self.risk_view, self.status_view, self.trend_view)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

        ctx.run_changed.connect(self.load)
        ctx.data_changed.connect(self._data_changed)
        ctx.theme_changed.connect(lambda _: self._apply_theme())
        self._apply_theme()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(self._room_side_by_side(event.size().width()))

    def _room_side_by_side(self, width: int) -> bool:
        """Whether the type and the amount charts, side by side, each name every bar whole. Qt Charts gives
        the names at most 40 % of a chart's width and cuts longer ones to "..." (qtcharts
        src/charts/layout/cartesianchartlayout.cpp, maxAxisPortion): "Customer cross-reference points
        elsewhere" needs a chart about 700 px wide."""
        if self.data is None:
            return True
        fm = QFontMetricsF(QBarCategoryAxis().labelsFont())
        names = [type_label(t) for t, _ in self.data.by_type] + self.more_labels
        widest = max((fm.horizontalAdvance(n) for n in names), default=0.0)
        return width >= 2 * (widest / AXIS_PORTION + 40)

    def _arrange(self, side_by_side: bool) -> None:
        """Type and amount charts side by side, or each across the screen (status and trend share the last row)."""
        if side_by_side == self.charts_side_by_side:
            return
        self.charts_side_by_side = side_by_side
        grid = self.grid
        for w in (self.type_view, self.risk_box, self.status_view, self.trend_view):
            grid.removeWidget(w)
        if side_by_side:
            grid.addWidget(self.type_view, 0, 0)
            grid.addWidget(self.risk_box, 0, 1)
            grid.addWidget(self.status_view, 1, 0)
            grid.addWidget(self.trend_view, 1, 1)
            stretches = (3, 2, 0)
        else:
            grid.addWidget(self.type_view, 0, 0, 1, 2)
            grid.addWidget(self.risk_box, 1, 0, 1, 2)
            grid.addWidget(self.status_view, 2, 0)
            grid.addWidget(self.trend_view, 2, 1)
            stretches = (3, 3, 2)
        for row, stretch in enumerate(stretches):
            grid.setRowStretch(row, stretch)

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
        self.warnings.setText("\n".join(f"Warning: {w}" for w in d.warnings) if d is not None else "")
        self.warnings.setVisible(bool(d is not None and d.warnings))
        if d is None:
            self.heading.setText("No run yet: start one on the Run screen")
            self.loaded.emit(None)
            return
        run = d.run
        total = sum(n for _, n in d.by_type)
        self.heading.setText(f"Run #{run['id']} {run.get('name') or ''} — as of {run.get('as_of')}: "
                             f"{total:,} exceptions")
        self.match.set_value(_pct(d.match_rate), f"{d.linked:,} of {d.crm_customers:,} CRM customers linked")
        lat = d.latency_days
        self.unmatched_crm.set_value(f"{d.unmatched.get('crm', 0):,}", "customers")
        self.unmatched_erp.set_value(f"{d.unmatched.get('erp', 0):,}", "customers")
        if not d.crm_customers:
            self.match.set_value("—", "No CRM customers in this run")
        # the latency needs invoices that name their order; without any the tile has nothing to say
        self.latency.setVisible(bool(lat.get("count")))
        if lat.get("count"):
            self.latency.set_value(f"{lat['median']:g} days",
                                   f"median; p90 {lat['p90']} d over {lat['count']:,} invoices")
        p = d.propagation
        if p.get("matched"):
            self.propagation.set_value(_pct(p.get("rate")), f"{p.get('differ', 0):,} of {p.get('matched', 0):,} "
                                                            "matched invoices differ")
        else:
            self.propagation.set_value("—", "No invoices matched in this run")
        if d.aging is not None and sum(d.aging.buckets.values()):
            # the title already says "overdue": "0   past due" after it said it twice
            self.overdue.set_value(f"{d.aging.overdue:,}", "·   all open items by days since first seen:   "
                                   + " · ".join(f"{bucket}: {n:,}" for bucket, n in d.aging.buckets.items()))
        else:
            self.overdue.set_value("—", "No open items in this run")
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
        self._arrange(self._room_side_by_side(self.width()))
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

    def _bars(self, view: BarChartView, title: str, labels: list[str], values: list[float], name: str, color: str,
              *, horizontal: bool = True, show_values: bool = True, tick: Callable[[float], str] = count_text,
              ticks: int = 4, least: float = 1.0, hover: Callable[[int], str] | None = None):
        chart = self._fresh(view, title)
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        bars = QBarSet(name)
        bars.setColor(QColor(color))
        bars.setLabelColor(QColor(self.ctx.palette["text"]))
        for v in values:
            bars.append(float(v))
        series.append(bars)
        series.setLabelsVisible(show_values)
        # upright bars: the count above the bar, readable however short the bar is
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsInsideBase if horizontal
                                 else QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append(labels or [""])
        vals = value_axis(max([float(v) for v in values] + [1.0]) * (1.05 if horizontal else 1.2), tick, ticks=ticks,
                          pad=horizontal, least=least)
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
        if hover is not None:
            series.hovered.connect(lambda on, i, _s: QToolTip.showText(QCursor.pos(), hover(i)) if on
                                   else QToolTip.hideText())
        return series

    def _more_label(self, rest: list[tuple[str, Any]], what: str) -> str:
        crit = sum(1 for t, _ in rest if t in self.data.critical)
        return f"+{len(rest)} more types ({what})" + (f", {crit} critical" if crit else "")

    def _redraw_bars(self) -> None:
        if self.data is not None:
            self._draw_types()
            self._draw_risk()
            self._arrange(self._room_side_by_side(self.width()))

    def _draw_types(self) -> None:
        shown, rest = top_and_rest(self.data.by_type, self.type_view.fit)
        rows = [(t, n) for t, n in shown]
        if rest:
            rows.append((MORE, sum(n for _, n in rest)))
        rows.reverse()  # largest on top, the "more" bar last
        self.type_categories = [t for t, _ in rows]
        self.more_types = [t for t, _ in rest]
        more = self._more_label(rest, f"{sum(n for _, n in rest):,}") if rest else ""
        self.more_labels = [more]
        labels = [type_label(t) if t != MORE else more for t, _ in rows]
        total = sum(n for _, n in self.data.by_type)
        title = (f"Exceptions by type: all {len(self.data.by_type)} types (click a bar for the queue)" if not rest else
                 f"Exceptions by type: top {len(shown)} of {len(self.data.by_type)} (click a bar for the queue)")
        self.type_series = self._bars(self.type_view, title, labels, [n for _, n in rows], "Exceptions",
                                      self.ctx.palette["changed"],
                                      hover=lambda i: f"{labels[i]}: {rows[i][1]:,} of {total:,} exceptions"
                                      + (f" ({rows[i][0]})" if rows[i][0] else ""))
        self.type_series.clicked.connect(lambda i, _s: self.click_type(i))

    def _draw_status(self) -> None:
        rows = self.data.by_status
        self.status_categories = [s for s, _ in rows]
        self.status_series = self._bars(self.status_view, "Exceptions by status",
                                        [exception_status_label(s) for s in self.status_categories],
                                        [n for _, n in rows], "Exceptions", self.ctx.palette["changed"],
                                        horizontal=False)
        self.status_series.clicked.connect(lambda i, _s: self.click_status(i))

    def _draw_risk(self) -> None:
        if self.data is None:
            return
        ccy = self.currency_box.currentText()
        ranked = sorted(((t, v.get(ccy, Decimal(0))) for t, v in self.data.at_risk.items() if v.get(ccy)),
                        key=lambda kv: kv[1], reverse=True)
        shown, rest = top_and_rest(ranked, self.risk_view.fit)
        rows = list(shown)
        rest_total = sum((v for _, v in rest), Decimal(0))
        if rest:
            rows.append((MORE, rest_total))
        rows.reverse()
        self.risk_categories = [t for t, _ in rows]
        more = self._more_label(rest, format_amount(rest_total, ccy)) if rest else ""
        self.more_labels = self.more_labels[:1] + [more]
        labels = [type_label(t) if t != MORE else more for t, _ in rows]
        title = f"Amount at risk by type, {ccy} (click a bar for the queue)" if ccy else \
            "Amount at risk by type: no exception in this run puts an amount at risk"
        self.risk_series = self._bars(self.risk_view, title, labels, [float(v) for _, v in rows], f"At risk ({ccy})",
                                      self.ctx.palette["conflict"], show_values=False,
                                      tick=lambda v: format_amount(Decimal(str(v)), ccy, rounded=True), ticks=3,
                                      least=float(minor_unit(ccy)) if ccy else 1.0,
                                      hover=lambda i: f"{labels[i]}: {format_amount(rows[i][1], ccy)}")
        self.risk_series.clicked.connect(lambda i, _s: self.click_risk(i))
        total = sum((v for _, v in ranked), Decimal(0))
        self.risk_view.setAccessibleDescription(f"Total at risk {format_amount(total, ccy)}")

    def _draw_trend(self) -> None:
        trend = self.data.trend[-20:]
        if len(trend) < 2:  # one dot is no trend: say what there is and when the line starts
            only = (f"only run #{trend[0]['id']} so far ({trend[0]['total']:,} exceptions); the line starts "
                    "with the next run" if trend else "no completed run yet")
            self._fresh(self.trend_view, f"Exceptions across runs: {only}")
            self.trend_ids = [t["id"] for t in trend]
            self.trend_series = None
            return
        chart = self._fresh(self.trend_view, "Exceptions across runs (click a point to open that run)")
        series = QLineSeries()
        series.setName("Exceptions")
        series.setPointsVisible(True)
        series.setMarkerSize(10)
        series.setColor(QColor(self.ctx.palette["accent"]))
        for i, t in enumerate(trend):
            series.append(QPointF(i, t["total"]))
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([f"#{t['id']}" for t in trend])
        vals = value_axis(max(t["total"] for t in trend) * 1.15, count_text)
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
            if self.type_categories[index] == MORE:
                self.show_more_types()
            else:
                self.open_queue({"types": [self.type_categories[index]]})

    def show_more_types(self) -> MoreTypesDialog:
        """The types the chart gathered on its "N more" bar, each one click from the queue."""
        counts = dict(self.data.by_type)
        dialog = MoreTypesDialog([(t, counts[t], t in self.data.critical) for t in self.more_types], self)
        dialog.chosen.connect(lambda types: self.open_queue({"types": types}))
        dialog.open()
        self.more_dialog = dialog
        return dialog

    def click_status(self, index: int) -> None:
        if 0 <= index < len(self.status_categories):
            self.open_queue({"statuses": [self.status_categories[index]]})

    def click_risk(self, index: int) -> None:
        if 0 <= index < len(self.risk_categories):
            if self.risk_categories[index] == MORE:
                self.show_more_types()
            else:
                self.open_queue({"types": [self.risk_categories[index]]})


class MoreTypesDialog(QDialog):
    """The rest of "Exceptions by type": every type with its count; Enter or a double click opens the
    queue on one, the button on all of them."""

    chosen = Signal(list)  # the type codes to filter the queue on

    def __init__(self, rows: list[tuple[str, int, bool]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{len(rows)} more exception types")
        self.setAccessibleName("More exception types")
        self.codes = [t for t, _, _ in rows]
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Exception types not shown on the chart")
        self.table.setHorizontalHeaderLabels(["Type", "Severity", "Exceptions"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        for i, (code, n, critical) in enumerate(rows):
            name = QTableWidgetItem(type_label(code))
            name.setToolTip(code)
            count = QTableWidgetItem(f"{n:,}")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(i, 0, name)
            self.table.setItem(i, 1, QTableWidgetItem("Critical" if critical else ""))
            self.table.setItem(i, 2, count)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        # activated: a double click, or Enter on the current row (even before the table has the focus)
        self.table.activated.connect(lambda index: self._choose([self.codes[index.row()]]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.all_button = buttons.addButton(f"Open all {len(rows)} in the queue",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.all_button.setAccessibleName("Open all these types in the queue")
        for b in buttons.buttons():
            b.setAutoDefault(False)  # Enter belongs to the table's current row, not to "open all"
        buttons.accepted.connect(lambda: self._choose(self.codes))
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.resize(560, min(600, 120 + 30 * len(rows)))

    def _choose(self, codes: list[str]) -> None:
        self.chosen.emit(codes)
        self.accept()


register_screen(Screen(key="dashboard", title="Dashboard", factory=DashboardScreen, order=60,
                       accessible_name="Dashboard"))
