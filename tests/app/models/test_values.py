"""Values in a controller's words: Business Central's block codes and amounts at risk that are none."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from app.models.exception_table import ExceptionTableModel
from app.models.queue_frame import COLUMN_KEYS, QueueFrame
from app.models.values import risk_text, shown_value
from app.views.approvals import correction_rows


@pytest.mark.parametrize(("code", "words"), [("All", "Blocked for everything (All)"),
                                             ("Invoice", "Blocked for shipping and invoicing (Invoice)"),
                                             ("Ship", "Blocked for shipping (Ship)"), (" ", "Not blocked"),
                                             ("active", "Active, not blocked")])
def test_business_centrals_block_codes_read_as_what_they_block(code, words):
    assert shown_value(code, "blocked") == words


def test_other_fields_and_unknown_block_values_read_as_before():
    assert shown_value("All", "name") == "All"
    assert shown_value("On hold", "blocked") == "On hold"
    assert shown_value("1200.5", "open_balance", "EUR") == "1,200.50 EUR"


def test_an_amount_at_risk_always_shows_its_currency_and_none_is_a_dash():
    assert risk_text(Decimal("0"), None) == "—"
    assert risk_text(None, "EUR") == "—"
    assert risk_text(Decimal("0"), "GBP") == "0.00 GBP"  # a compared invoice's zero keeps its currency
    assert risk_text(Decimal("255796"), "JPY") == "255,796 JPY"
    assert risk_text("1.5", "BHD") == "1.500 BHD"


def _queue(rows: list[dict]) -> ExceptionTableModel:
    base = {"type": "credit.blocked_in_erp", "severity": "high", "status": "open", "customer_name": "Loire SAS",
            "crm_number": "ACC-1", "erp_number": None, "crm_object": "customers", "erp_object": "customers",
            "crm_id": "001", "erp_id": "C1", "field": None, "crm_value": None, "erp_value": None,
            "amount_at_risk": None, "currency": None, "assignee": None, "first_seen": None}
    model = ExceptionTableModel()
    model.set_frame(QueueFrame.from_exceptions(pd.DataFrame([{**base, "id": i, **r} for i, r in enumerate(rows)])))
    return model


def test_the_queue_shows_a_blocked_customer_in_words_and_no_bare_zero_at_risk(qtmodeltester):
    """The demo's queue read 'active' against 'All' for a customer blocked in Business Central, and '0'
    at risk, without a currency, on every customer-level exception."""
    model = _queue([{"field": "blocked", "crm_value": "active", "erp_value": "All",
                     "amount_at_risk": Decimal("49777.89"), "currency": "EUR"},
                    {"type": "customer.missing_xref", "field": "xref", "amount_at_risk": Decimal("0")}])
    qtmodeltester.check(model)

    def cell(row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
        return model.index(row, COLUMN_KEYS.index(key)).data(role)

    assert (cell(0, "crm_value"), cell(0, "erp_value")) == ("Active, not blocked", "Blocked for everything (All)")
    assert cell(0, "amount_at_risk") == "49,777.89 EUR"
    assert cell(1, "amount_at_risk") == "—"
    assert cell(1, "amount_at_risk", Qt.ItemDataRole.ToolTipRole).startswith("Nothing at risk")


def test_the_approvals_list_shows_no_bare_zero_at_risk():
    frame = pd.DataFrame([{"id": 1, "exception_id": 7, "target_side": "crm", "target_object": "customers",
                           "field": "xref", "from_value": None, "to_value": "C10005", "state": "proposed"}])
    rows = correction_rows(frame, {7: {"crm_number": "ACC-100046", "amount_at_risk": Decimal("0"),
                                       "currency": None}})
    assert rows[0]["at_risk"] == "—"
