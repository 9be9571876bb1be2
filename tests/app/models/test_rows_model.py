"""The short-list model behind the screens' small tables passes Qt's model tester and edits
only the columns declared editable."""

from PySide6.QtCore import Qt

from app.models.rows_model import ROW_ROLE, VALUE_ROLE, Column, RowsModel


def _model() -> RowsModel:
    model = RowsModel([Column("name", "Name"), Column("city", "City", editable=True),
                       Column("amount", "Amount", show=lambda v: f"{v} EUR", align_right=True)])
    model.set_rows([{"name": "Acme GmbH", "city": "Berlin", "amount": "1200.00"},
                    {"name": "Baker Ltd", "city": None, "amount": "5.00"}])
    return model


def test_rows_model_passes_the_model_tester_through_append_edit_and_remove(qtmodeltester):
    model = _model()
    qtmodeltester.check(model)
    model.append({"name": "Cosmo SA", "city": "Lyon", "amount": "7.50"})
    qtmodeltester.check(model)
    assert model.setData(model.index(2, 1), " Paris ")
    qtmodeltester.check(model)
    model.remove(0)
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Baker Ltd", "Cosmo SA"]
    assert model.index(1, 1).data() == "Paris"


def test_cells_show_text_keep_the_raw_value_and_only_editable_columns_change():
    model = _model()
    edits: list[tuple[int, str, object]] = []
    model.edited.connect(lambda row, key, value: edits.append((row, key, value)))
    assert model.index(0, 2).data() == "1200.00 EUR"
    assert model.index(0, 2).data(VALUE_ROLE) == "1200.00"
    assert model.index(1, 1).data() == ""
    assert model.index(1, 0).data(ROW_ROLE)["name"] == "Baker Ltd"
    assert model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole)
    assert not model.setData(model.index(0, 0), "Renamed")
    assert model.setData(model.index(1, 1), "")
    assert model.rows[0]["name"] == "Acme GmbH" and model.rows[1]["city"] is None
    assert edits == [(1, "city", None)]


def test_a_header_click_sorts_amounts_as_numbers_and_keeps_the_selection(qtbot, qtmodeltester):
    """Amounts sorted as text put '10.00 EUR' before '9.00 EUR'; a sort keeps the row the user selected."""
    from decimal import Decimal

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

    from app.models.rows_model import Column, RowsModel
    cols = [Column("name", "Name"),
            Column("text", "At risk", sort_key=lambda r: None if r["amount"] is None else r["amount"])]
    m = RowsModel(cols)
    m.set_rows([{"name": "b", "text": "10.00 EUR", "amount": Decimal("10")},
                {"name": "A", "text": "—", "amount": None},
                {"name": "c", "text": "9.00 EUR", "amount": Decimal("9")}])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(m)
    view.selectRow(0)  # "b"
    m.sort(1, Qt.SortOrder.AscendingOrder)
    assert [m.index(r, 1).data() for r in range(3)] == ["9.00 EUR", "10.00 EUR", "—"]  # nothing last
    m.sort(1, Qt.SortOrder.DescendingOrder)
    assert [m.index(r, 1).data() for r in range(3)] == ["10.00 EUR", "9.00 EUR", "—"]
    assert [ix.row() for ix in view.selectionModel().selectedRows()] == [0] and m.rows[0]["name"] == "b"
    m.sort(0, Qt.SortOrder.AscendingOrder)
    assert [r["name"] for r in m.rows] == ["A", "b", "c"]  # text without regard to case
    m.set_rows(list(reversed(m.rows)))  # new rows (a refresh) keep the chosen order
    assert [r["name"] for r in m.rows] == ["A", "b", "c"]
    qtmodeltester.check(m)
