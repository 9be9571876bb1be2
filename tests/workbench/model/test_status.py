from datetime import date
from decimal import Decimal

import pytest

from workbench.model.status import CANONICAL, StatusMap, UnknownStatus, aging_bucket, is_overdue


def test_business_central_statuses_map_to_the_canonical_vocabulary():
    m = StatusMap.for_source("business_central")
    # Corrective is a posted invoice cancelling a credit memo: its remaining amount decides (settle)
    assert [m.map(v) for v in ("Draft", "Open", "Paid", "Canceled", "Corrective")] == \
        ["draft", "open", "paid", "void", "open"]


def test_odoo_state_and_payment_state_combine():
    m = StatusMap.for_source("odoo")
    assert m.map("out_invoice", "posted", "partial") == "partially_paid"
    assert m.map("out_invoice", "posted", "in_payment") == "paid"
    assert m.map("out_invoice", "cancel", "not_paid") == "void"
    assert m.map("out_refund", "posted", "paid") == "credit_note"


def test_salesforce_billing_wildcards_and_overrides():
    m = StatusMap.for_source("salesforce_billing", {"Posted|Disputed": "open"})
    assert m.map("Posted", "Partially Paid") == "partially_paid"
    assert m.map("Cancelled", "Paid") == "void"
    assert m.map("Posted", "Disputed") == "open"


def test_unknown_values_name_the_value_and_the_known_ones():
    m = StatusMap.for_source("business_central")
    with pytest.raises(UnknownStatus, match="'Settled'.*known values: .*Open"):
        m.map("Settled")


def test_a_map_to_a_non_canonical_status_is_refused():
    with pytest.raises(ValueError, match="expected one of " + ", ".join(CANONICAL)):
        StatusMap({"Open": "outstanding"})


def test_overdue_and_aging_derive_from_due_date_and_as_of():
    as_of = date(2026, 10, 31)
    assert is_overdue("open", date(2026, 10, 30), Decimal("5"), as_of)
    assert not is_overdue("paid", date(2026, 1, 1), Decimal("0"), as_of)
    assert not is_overdue("open", date(2026, 10, 31), Decimal("5"), as_of)
    assert aging_bucket(date(2026, 10, 1), as_of) == "1-30"
    assert aging_bucket(date(2026, 7, 1), as_of) == "90+"
    assert aging_bucket(None, as_of) == "current"
