"""The one label table: what a controller reads instead of the engine's codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from workbench.model import labels
from workbench.model.money import excel_format, format_amount
from workbench.model.states import CorrectionState, ExceptionStatus
from workbench.reconcile.rules import TYPE_SEVERITY


def test_every_exception_type_the_engine_raises_has_words() -> None:
    missing = sorted(t for t in TYPE_SEVERITY if t not in labels.TYPE_LABELS)
    assert missing == []
    assert labels.type_label("invoice.partial_payment_not_reflected") == "Partial payment not shown in CRM"


def test_an_unknown_type_or_field_reads_as_plain_words_not_a_code() -> None:
    assert labels.type_label("invoice.some_new_check") == "Invoice: some new check"
    assert labels.field_label("Region__c") == "Region"
    assert labels.field_label("open_balance") == "Open balance"
    assert labels.field_label("status_raw") == "Status as the system shows it"
    # the field of a CRM cross-reference that points elsewhere read "Crm.xref" in the side-by-side panel
    assert labels.field_label("crm.xref") == "CRM cross-reference"


def test_every_state_has_words() -> None:
    assert {s.value for s in ExceptionStatus} <= set(labels.EXCEPTION_STATUS_LABELS)
    assert {s.value for s in CorrectionState} <= set(labels.CORRECTION_STATE_LABELS)
    assert labels.correction_state_label(CorrectionState.DEAD_LETTER) == "Failed, needs a person"


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (Decimal("50621.58"), "USD", "50,621.58 USD"),
    (Decimal("1234567"), "JPY", "1,234,567 JPY"),
    (Decimal("1234.00"), "JPY", "1,234 JPY"),
    # digits beyond the currency's decimals are shown, never rounded out of sight
    (Decimal("1234.4"), "JPY", "1,234.4 JPY"),
    (Decimal("12.3456"), "KWD", "12.3456 KWD"),
    (Decimal("-0.5"), "EUR", "-0.50 EUR"),
])
def test_money_shows_grouping_the_currency_minor_units_and_code(amount: Decimal, currency: str, shown: str) -> None:
    assert format_amount(amount, currency) == shown
    assert labels.value_text(str(amount), "open_balance", currency) == shown


def test_spreadsheet_format_matches_the_currency_minor_units() -> None:
    assert excel_format("JPY") == '#,##0 "JPY"'
    assert excel_format("EUR") == '#,##0.00 "EUR"'
    assert excel_format("KWD") == '#,##0.000 "KWD"'
    assert excel_format(None) == "#,##0.00"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, "nan", "None", "NaT", ""])
def test_a_missing_value_never_reads_as_nan_none_or_nat(missing: object) -> None:
    assert labels.value_text(missing, "name") == labels.MISSING
    assert labels.value_text(missing, "open_balance", "EUR") == labels.MISSING


def test_values_of_other_kinds_read_plainly() -> None:
    assert labels.value_text(True, "active") == "Yes"
    assert labels.value_text(date(2026, 11, 30), "due_date") == "2026-11-30"
    assert labels.value_text("González Ingeniería S.A.", "name") == "González Ingeniería S.A."
    assert labels.value_text(Decimal("1500.5"), "quantity") == "1,500.5"


def test_customer_links_read_how_they_were_made() -> None:
    assert labels.link_method_label("xref_crm") == "the CRM's cross-reference"
    assert labels.link_method_label("some_new_method") == "Some new method"
    assert labels.link_method_label(None) == labels.MISSING
    assert labels.link_status_label("auto") == "automatic"


def test_systems_read_as_their_vendors_write_them_and_a_file_connector_as_its_side():
    assert labels.system_label("business_central", "erp") == "Business Central"
    assert labels.system_label("salesforce", "crm") == "Salesforce"
    assert labels.system_label("files", "erp") == "the ERP"
    assert labels.system_label(None, "crm") == "the CRM"


def test_invoice_statuses_read_as_words():
    assert labels.value_text("partially_paid", "status") == "Partially paid"
    assert labels.value_text("void", "status") == "Cancelled (void)"
    assert labels.value_text("Activated", "status") == "Activated"  # a status the table does not know: as is


def test_a_links_evidence_reads_in_words_in_the_order_a_person_reads_a_customer():
    """The Links screen read 'city 1.0, country yes, domain yes, name 1.0, postcode yes, score 1.0': keys in
    alphabetical order, similarities as bare numbers and the confidence a second time."""
    from workbench.model.labels import link_evidence_words
    evidence = {"city": 1.0, "country": False, "domain": True, "name": 0.918, "postcode": True, "score": 0.93,
                "street": 0.0, "xref_crm": True, "tax_id": None}
    assert link_evidence_words(evidence) == ("name 91% alike, street differs, city the same, postcode the same, "
                                             "country differs, web domain the same, the CRM names the ERP customer")
    assert link_evidence_words({"name": 0.995, "new_check": "x"}) == "name 99% alike, new_check x"
    assert link_evidence_words(None) == ""
