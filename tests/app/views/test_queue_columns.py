"""The queue speaks a controller's language: document numbers, money in its currency, words for codes,
and every column a controller reads first on screen at 1440 px."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.models.queue_frame import COLUMN_KEYS, SECONDARY
from tests.app.views.test_review import _ids_by_type

FIRST = ["Severity", "Type", "Customer", "Document", "CRM value", "ERP value", "At risk", "Age", "Status"]


def _cell(q, exception_id: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return q.model.index(q.model.row_of_id(exception_id), COLUMN_KEYS.index(key)).data(role)


def test_the_columns_a_controller_reads_first_fit_1440_without_scrolling(qtbot, window):
    q = window.review.queue
    shown = [q.model.headerData(c, Qt.Orientation.Horizontal) for c in range(q.model.columnCount())
             if not q.table.isColumnHidden(c)]
    assert shown == FIRST
    assert all(q.table.isColumnHidden(COLUMN_KEYS.index(k)) for k in SECONDARY)  # record ids: on demand
    QApplication.processEvents()
    assert window.width() <= 1440
    assert not q.table.horizontalScrollBar().isVisible()
    header = q.table.horizontalHeader()
    last = max(c for c in range(q.model.columnCount()) if not q.table.isColumnHidden(c))
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= q.table.viewport().width()


def test_each_row_names_its_document_and_pricing_rows_are_never_blank(window):
    q = window.review.queue
    store = window.ctx.store
    invoice = _ids_by_type(store, "invoice.status_mismatch")[0]
    price = _ids_by_type(store, "pricing.price_mismatch")[0]
    missing = _ids_by_type(store, "customer.missing_in_erp")[0]
    assert _cell(q, invoice, "document") == "INV-1"
    assert _cell(q, missing, "document") == "C-1009"  # the CRM's account number: the ERP has no record
    assert _cell(q, price, "document") == "P-1"
    assert _cell(q, price, "customer_name") == "—"  # a price list has no customer: a dash, not a blank
    # the record ids stay a hover away
    assert _cell(q, price, "document", Qt.ItemDataRole.ToolTipRole) == "Product P-1\nCRM record: 01u1\nERP record: P-1"


def test_money_shows_in_its_currency_right_aligned_jpy_without_decimals(window):
    q = window.review.queue
    store = window.ctx.store
    invoice = _ids_by_type(store, "invoice.status_mismatch")[0]
    price = _ids_by_type(store, "pricing.price_mismatch")[0]
    assert _cell(q, invoice, "amount_at_risk") == "1,200.00 EUR"
    assert (_cell(q, price, "crm_value"), _cell(q, price, "erp_value"), _cell(q, price, "amount_at_risk")) == \
        ("10 JPY", "12 JPY", "2 JPY")
    right = Qt.AlignmentFlag.AlignRight
    assert _cell(q, price, "crm_value", Qt.ItemDataRole.TextAlignmentRole) & right
    assert _cell(q, price, "amount_at_risk", Qt.ItemDataRole.TextAlignmentRole) & right
    assert not _cell(q, invoice, "crm_value", Qt.ItemDataRole.TextAlignmentRole)  # a status is text


def test_types_and_states_read_as_words_with_the_code_on_hover_and_in_the_filter(window):
    q = window.review.queue
    invoice = _ids_by_type(window.ctx.store, "invoice.status_mismatch")[0]
    assert _cell(q, invoice, "type") == "Invoice status differs"
    assert "invoice.status_mismatch" in _cell(q, invoice, "type", Qt.ItemDataRole.ToolTipRole)
    assert (_cell(q, invoice, "severity"), _cell(q, invoice, "status")) == ("High", "Open")
    i = q.type_box.findData("invoice.status_mismatch")
    assert q.type_box.itemText(i) == "Invoice status differs (1)"
    assert q.type_box.itemData(i, Qt.ItemDataRole.ToolTipRole) == "invoice.status_mismatch"
    q.type_box.setCurrentIndex(i)
    assert q.model.rowCount() == 1 and q.model.exception_id(0) == invoice
    q.status_box.setCurrentIndex(q.status_box.findText("In review"))
    assert q.current_filter().statuses == {"in_review"}


def test_a_narrow_type_column_keeps_the_end_that_tells_crm_from_erp(window):
    """Qt's default cut "Invoice missing in C…" left "… in CRM" and "… in ERP" looking alike."""
    from PySide6.QtWidgets import QStyleOptionViewItem
    q = window.review.queue
    col = COLUMN_KEYS.index("type")
    option = QStyleOptionViewItem()
    q.table.itemDelegateForColumn(col).initStyleOption(option, q.model.index(0, col))
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle


def test_filters_that_match_nothing_say_so_and_how_to_see_all(qtbot, window):
    """The queue went blank under a search that matched nothing, with only '0 of 5' far to the right."""
    q = window.review.queue
    assert not q.empty_note.isVisible()
    q.search.setText("no such customer anywhere")
    q.search.returnPressed.emit()
    assert q.model.rowCount() == 0
    assert q.empty_note.isVisible()
    assert q.empty_note.text() == f"No exception matches these filters. Clear filters to see all {q.model.total:,}."
    q.clear_button.click()
    assert q.model.rowCount() == q.model.total and not q.empty_note.isVisible()


def test_a_run_without_exceptions_says_the_systems_agree(qtbot):
    import pandas as pd

    from app.models.queue_frame import QueueFrame
    from app.views.queue import QueueView
    columns = ["id", "type", "severity", "status", "customer_name", "crm_number", "erp_number", "crm_object",
               "erp_object", "crm_id", "erp_id", "field", "crm_value", "erp_value", "amount_at_risk", "currency",
               "assignee", "first_seen"]
    view = QueueView({})
    qtbot.addWidget(view)
    view.show()
    view.model.set_frame(QueueFrame.from_exceptions(pd.DataFrame(columns=columns)))
    assert view.empty_note.isVisible()
    assert view.empty_note.text() == "This run has no exceptions: the two systems agree on everything compared."
