"""Every item model passes Qt's model tester, and shows what a reviewer needs."""


from decimal import Decimal

from PySide6.QtCore import Qt

from app.models.exception_table import ID_ROLE, SEVERITY_ROLE, ExceptionTableModel
from app.models.history import HistoryModel
from app.models.queue_frame import COLUMN_KEYS, QueueFilter
from app.models.record_pair import STATE_ROLE, RecordPairModel, compare_records
from app.theme import colors
from tests.app.models.test_queue_frame import frame
from datetime import UTC
from workbench.model.money import format_amount

LIGHT = colors("light")


def test_exception_model_passes_the_model_tester_through_filter_sort_and_reload(qtmodeltester):
    fr, df = frame(300)
    model = ExceptionTableModel(palette=LIGHT)
    qtmodeltester.check(model)
    model.set_frame(fr)
    qtmodeltester.check(model)
    model.set_filter(QueueFilter(severities=frozenset({"high"})))
    model.sort(COLUMN_KEYS.index("amount_at_risk"), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_frame(None)
    assert model.rowCount() == 0


def test_rows_are_tinted_by_severity_and_money_shows_exactly():
    fr, df = frame(200)
    model = ExceptionTableModel(palette=LIGHT)
    model.set_frame(fr)
    for row in range(model.rowCount()):
        sev = model.index(row, 0).data(SEVERITY_ROLE)
        assert model.index(row, COLUMN_KEYS.index("severity")).data() == sev.capitalize()
        # every cell of the row carries the tint, even one scrolled far to the right
        far = model.index(row, len(COLUMN_KEYS) - 1)
        assert far.data(Qt.ItemDataRole.BackgroundRole).color().name() == LIGHT["severity"][sev]
    row = next(r for r in range(model.rowCount()) if df.iloc[r]["amount_at_risk"] is not None)
    amount, currency = df.iloc[row]["amount_at_risk"], df.iloc[row]["currency"]
    assert model.index(row, COLUMN_KEYS.index("amount_at_risk")).data() == format_amount(amount, currency)


def test_sorting_by_amount_puts_the_biggest_risk_first():
    fr, df = frame(200)
    model = ExceptionTableModel(palette=LIGHT)
    model.set_frame(fr)
    model.sort(COLUMN_KEYS.index("amount_at_risk"), Qt.SortOrder.DescendingOrder)
    top_id = model.index(0, 0).data(ID_ROLE)
    biggest = max((r for r in df.itertuples() if r.amount_at_risk is not None), key=lambda r: r.amount_at_risk)
    assert top_id == biggest.id


def test_select_all_matching_is_state_that_follows_the_filter():
    fr, df = frame(500)
    model = ExceptionTableModel(palette=LIGHT)
    model.set_frame(fr)
    model.select_all_matching(True)
    assert len(model.matching_ids()) == 500
    model.set_filter(QueueFilter(types=frozenset({"pricing.price_mismatch"})))
    assert model.all_matching_selected
    assert set(model.matching_ids()) == set(df[df.type == "pricing.price_mismatch"]["id"])


def test_record_pair_model_passes_the_model_tester_and_marks_how_fields_compare(qtmodeltester):
    crm = {"record_id": "a", "name": "Acme", "city": "Berlin", "tax_id": "DE1", "total_amount": "100.0",
           "phone": "1"}
    erp = {"record_id": "b", "name": "Acme", "city": "Munich", "tax_id": "DE2", "total_amount": "100.00"}
    rows = compare_records(crm, erp, flagged={"tax_id"}, main_field="tax_id")
    states = {r.field: r.state for r in rows}
    assert states == {"tax_id": "conflict", "city": "changed", "phone": "missing", "name": "same",
                      "total_amount": "same", "record_id": "same"}
    assert rows[0].field == "tax_id"  # the difference this exception is about comes first
    model = RecordPairModel(palette=LIGHT)
    model.set_rows(rows)
    qtmodeltester.check(model)
    tint = {r.field: model.index(i, 1).data(Qt.ItemDataRole.BackgroundRole) for i, r in enumerate(rows)}
    assert tint["city"].color().name() == LIGHT["changed"]
    assert tint["tax_id"].color().name() == LIGHT["conflict"]
    assert tint["phone"].color().name() == LIGHT["missing"]
    assert tint["name"] is None
    phone = next(i for i, r in enumerate(rows) if r.field == "phone")
    assert model.index(phone, 2).data() == "—"
    assert model.index(phone, 2).data(Qt.ItemDataRole.BackgroundRole).color().name() == LIGHT["absent"]


def test_a_record_missing_on_one_side_shows_grey_there():
    rows = compare_records({"record_id": "a", "name": "Initech"}, None)
    assert {r.state for r in rows} == {"missing"}
    model = RecordPairModel(palette=LIGHT)
    model.set_rows(rows)
    assert model.index(0, 2).data(Qt.ItemDataRole.BackgroundRole).color().name() == LIGHT["absent"]
    assert model.index(0, 0).data(STATE_ROLE) == "missing"


def test_history_model_passes_the_model_tester_newest_first(qtmodeltester):
    from datetime import datetime
    model = HistoryModel()
    model.set_entries([
        {"kind": "seen", "at": datetime(2026, 9, 30, tzinfo=UTC), "run_id": 1, "status": "open",
         "crm_value": "open", "erp_value": "paid"},
        {"kind": "event", "at": datetime(2026, 10, 2, tzinfo=UTC), "actor": "bob",
         "action": "exception.waived", "detail": {"reason": "timing"}},
    ])
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "bob"
    assert "timing" in model.index(0, 2).data()
    assert "run 1" in model.index(1, 2).data()


def test_history_shows_values_in_words_and_money_never_none():
    from datetime import datetime
    model = HistoryModel()
    model.set_entries([
        {"kind": "seen", "at": datetime(2026, 9, 30, tzinfo=UTC), "run_id": 1, "status": "in_review",
         "crm_value": "C10178", "erp_value": None},
    ])
    assert model.index(0, 2).data() == "Seen in run 1 (In review): CRM C10178, ERP —"
    model.set_entries([
        {"kind": "seen", "at": None, "run_id": 2, "status": "reopened", "crm_value": "1200.5",
         "erp_value": "0"},
    ], field="open_balance", currency="JPY")
    assert model.index(0, 2).data() == "Seen in run 2 (Reopened): CRM 1,200.5 JPY, ERP 0 JPY"  # never rounded away
    assert model.index(0, 0).data() == "—"


def test_side_by_side_money_has_separators_minor_units_and_currency_per_side(qtmodeltester):
    crm = {"record_id": "a", "unit_price": "1234567.5", "currency": "KWD", "effective_date": None}
    erp = {"record_id": "b", "unit_price": "1234567", "currency": "JPY", "effective_date": "2026-01-01"}
    rows = compare_records(crm, erp, flagged={"unit_price"}, main_field="unit_price")
    model = RecordPairModel(palette=LIGHT)
    model.set_rows(rows, currencies=("KWD", "JPY"))
    qtmodeltester.check(model)
    by_field = {r.field: i for i, r in enumerate(rows)}
    price = by_field["unit_price"]
    assert [model.index(price, c).data() for c in range(3)] == ["Unit price", "1,234,567.500 KWD", "1,234,567 JPY"]
    assert model.index(price, 1).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.index(price, 0).data(Qt.ItemDataRole.ToolTipRole) == "Unit price (unit_price)"
    dates = by_field["effective_date"]
    assert [model.index(dates, c).data() for c in range(3)] == ["Effective from", "—", "2026-01-01"]


def test_queue_money_follows_each_currency_minor_units():
    fr, df = frame(30)
    model = ExceptionTableModel(palette=LIGHT)
    model.set_frame(fr)
    col = COLUMN_KEYS.index("amount_at_risk")
    seen, amounts = {}, {}
    for row in range(model.rowCount()):
        rec = model.record(row)
        if rec["amount_at_risk"] is not None:
            seen[rec["currency"]] = model.index(row, col).data()
            amounts[rec["currency"]] = rec["amount_at_risk"]
    # this frame's amounts all have cents: a JPY amount shows them rather than hiding them by rounding
    assert seen["JPY"].endswith(" JPY")
    assert Decimal(seen["JPY"].removesuffix(" JPY").replace(",", "")) == amounts["JPY"]
    assert seen["KWD"].endswith(" KWD") and len(seen["KWD"].split(" ")[0].split(".")[1]) == 3
    assert seen["EUR"].endswith(" EUR") and len(seen["EUR"].split(" ")[0].split(".")[1]) == 2
