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
