"""The dashboard's bar charts: value axes that read as money or counts, as many bars as a chart's height
names whole, and a chart view the keyboard can drive."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QCategoryAxis, QChart, QChartView
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent

MAX_BARS = 12  # bars per chart; the rest gather on one "N more" bar (30 bars read as noise)
MIN_BARS = 3   # however low the chart: the two largest types and the "more" bar
READABLE_BARS = 8  # the bars a chart keeps room for: a lower window scrolls the dashboard
AXIS_PORTION = 0.4  # of a chart's width, the most Qt Charts gives the bars' names


def count_text(v: float) -> str:
    return f"{int(round(v)):,}"


def _nice_step(span: float, ticks: int, least: float) -> float:
    """A round step (1, 2, 2.5, 5 × 10ⁿ) that divides 0..span into about ``ticks`` parts, never below
    ``least`` (one item, one minor unit: finer ticks would print the same label twice)."""
    raw = max(span / ticks, least)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def value_axis(top: float, text: Callable[[float], str], ticks: int = 4, pad: bool = False,
               least: float = 1.0) -> QCategoryAxis:
    """A value axis whose tick labels are ours: grouped thousands, amounts with their currency
    (QValueAxis formats with printf, which cannot group digits). ``pad``: a little room past the last
    tick, so its label (centred on the tick) is not cut at the chart's edge."""
    step = _nice_step(top, ticks, least)
    end = step * max(1, math.ceil(top / step))
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setStartValue(0)
    axis.setRange(0, end + (step * 0.45 if pad else 0))
    for k in range(round(end / step) + 1):
        axis.append(text(k * step), k * step)
    return axis


def bars_that_fit(height: float, font: QFont) -> int:
    """How many horizontal bars a chart ``height`` px high can label whole. Qt Charts gives each category
    label the axis height over the number of categories, less its padding above and below, and cuts a label
    that is higher than that to "..." (qtcharts src/charts/axis/verticalaxis.cpp, updateGeometry): twelve
    bars in a 1024×700 window's chart had every type's name cut so. A label is its font's line in a text
    document (4 px margins) with the axis' label padding (4 px) either side; the chart's title, the value
    axis below and the margins take about four lines more."""
    line = QFontMetricsF(font).height()
    return max(MIN_BARS, min(MAX_BARS, int((height - 4 * line - 24) // _label_height(line))))


def _label_height(line: float) -> float:
    return line + 2 * 4 + 2 * 4 + 1


def chart_height(bars: int, line: float) -> int:
    """The height a horizontal bar chart needs to label ``bars`` bars whole (see bars_that_fit)."""
    return int(bars * _label_height(line) + 4 * line + 24) + 1


class BarChartView(QChartView):
    """A chart view the keyboard can drive: arrows move between bars, Enter opens the queue on one."""

    activated = Signal(int)
    bars_changed = Signal()  # its height now labels another number of bars

    def __init__(self, chart: QChart):
        super().__init__(chart)
        self.bars: QBarSet | None = None
        self.current = -1
        self.horizontal = True
        self.fit = MAX_BARS

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        fit = bars_that_fit(event.size().height(), QBarCategoryAxis().labelsFont())
        if fit != self.fit:
            self.fit = fit
            self.bars_changed.emit()

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
