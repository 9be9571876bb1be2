"""Finding `nan`, `None` and `NaT` in what a person reads: Python's words for a missing value,
which must never reach a screen, a CLI listing or a workbook cell."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

MISSING_WORDS = re.compile(r"\b(nan|None|NaT)\b")  # as Python prints them: case-sensitive, whole words


def findings(texts: Iterable[tuple[str, Any]]) -> list[str]:
    """``where: text`` for each text holding one of the words (the text cut to 160 characters)."""
    out = []
    for where, text in texts:
        if isinstance(text, str) and MISSING_WORDS.search(text):
            out.append(f"{where}: {text[:160]!r}")
    return out


def assert_no_missing_words(texts: Iterable[tuple[str, Any]]) -> None:
    """Fail listing every place (the first 80) where a missing value reads as nan/None/NaT."""
    found = findings(texts)
    assert not found, f"{len(found)} texts show nan/None/NaT:\n" + "\n".join(found[:80])


def _model_texts(model: Any, where: str, *, parent: Any = None, depth: int = 0) -> Iterator[tuple[str, str]]:
    from PySide6.QtCore import QModelIndex, Qt
    parent = parent or QModelIndex()
    rows, cols = model.rowCount(parent), model.columnCount(parent)
    if depth == 0:
        for c in range(cols):
            yield f"{where} header {c}", str(model.headerData(c, Qt.Orientation.Horizontal,
                                                              Qt.ItemDataRole.DisplayRole) or "")
    for r in range(rows):
        for c in range(cols):
            idx = model.index(r, c, parent)
            for role, what in ((Qt.ItemDataRole.DisplayRole, "cell"), (Qt.ItemDataRole.ToolTipRole, "tooltip")):
                v = model.data(idx, role)
                if v is not None:
                    yield f"{where} {what} ({r}, {c})", str(v)
        first = model.index(r, 0, parent)
        if depth < 3 and model.rowCount(first) > 0:  # tree rows (a table model has none)
            yield from _model_texts(model, where, parent=first, depth=depth + 1)


def widget_texts(root: Any, where: str, skip: Iterable[Any] = ()) -> Iterator[tuple[str, str]]:
    """Every text the widgets under ``root`` show: labels, buttons, fields, lists, tables and trees
    (every row and column of their models, display and tooltip), charts' titles and axes, tooltips.
    Widgets inside ``skip`` are left out (scanned on their own)."""
    from PySide6.QtCharts import QChartView
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QGroupBox, QHeaderView, QLabel,
                                   QLineEdit, QPlainTextEdit, QTabWidget, QTextEdit, QWidget)
    skip = list(skip)
    for w in [root, *root.findChildren(QWidget)]:
        if any(s is w or s.isAncestorOf(w) for s in skip):
            continue
        name = f"{where} {type(w).__name__} {w.accessibleName() or w.objectName()!r}"
        if w.toolTip():
            yield f"{name} tooltip", w.toolTip()
        if isinstance(w, (QLabel, QAbstractButton, QLineEdit)):
            yield name, w.text()
        if isinstance(w, QLineEdit):
            yield f"{name} placeholder", w.placeholderText()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{name} item {i}", w.itemText(i)
        if isinstance(w, (QTextEdit, QPlainTextEdit)):
            yield name, w.toPlainText()
        if isinstance(w, QGroupBox):
            yield name, w.title()
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield f"{name} tab {i}", w.tabText(i)
        if isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView) and w.model() is not None:
            # (a header shows its view's model: its labels come with the view's)
            yield from _model_texts(w.model(), name)
        if isinstance(w, QChartView) and w.chart() is not None:
            chart = w.chart()
            yield f"{name} title", chart.title()
            for axis in chart.axes():
                for label in (getattr(axis, "categories", None) or getattr(axis, "categoriesLabels", list))():
                    yield f"{name} axis", str(label)


def json_texts(doc: Any, where: str, skip_keys: frozenset[str] = frozenset()) -> Iterator[tuple[str, Any]]:
    """Every string in a JSON document, with its path (keys in ``skip_keys`` left out)."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k not in skip_keys:
                yield from json_texts(v, f"{where}.{k}", skip_keys)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from json_texts(v, f"{where}[{i}]", skip_keys)
    else:
        yield where, doc


def sheet_texts(book: Any) -> Iterator[tuple[str, Any]]:
    """Every cell of every sheet (as the workbook stores it), and each sheet's header and footer."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield f"{ws.title}!{cell.coordinate}", cell.value
        for part in ("oddHeader", "oddFooter"):
            hf = getattr(ws, part, None)
            for pos in ("left", "center", "right"):
                text = getattr(getattr(hf, pos, None), "text", None)
                if text:
                    yield f"{ws.title} {part} {pos}", text
