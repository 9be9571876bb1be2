"""Every correction kind the engine proposes, pushed through the Business Central connector to the
sandbox over loopback: it applies and reads back equal, or fails with one line naming the record and
field, and nothing is sent that Business Central's $metadata forbids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from workbench.corrections.values import parse_value
from workbench.sandbox import erp
from workbench.sources.base import WriteRequest
from workbench.sources.erp_mapping import same_value

ENTITY = {"customers": "customers", "prices": "salesPrices", "invoices": "salesInvoices", "orders": "salesOrders"}

APPLIES = [
    ("customers", "name", "Fjordline Shipping AS"),
    ("customers", "street", "Strandkaien 12"),
    ("customers", "city", "Bergen"),
    ("customers", "postcode", "5013"),
    ("customers", "state", "Vestland"),
    ("customers", "country", "NO"),
    ("customers", "tax_id", "NO987654321MVA"),
    ("customers", "currency", "NOK"),
    ("customers", "blocked", "Invoice"),
    ("prices", "unit_price", "1249.50"),
    ("invoices", "due_date", "2026-12-31"),
    # clearing: text to "", an enum to its blank member, a date to 0001-01-01 (AL has no null)
    ("customers", "city", None),
    ("customers", "blocked", None),
    ("invoices", "due_date", None),
]

CLEARED = {("customers", "city"): ("city", "Oslo"), ("customers", "blocked"): ("blocked", "All"),
           ("invoices", "due_date"): ("dueDate", "2026-11-30")}

REFUSED = [
    ("customers", "name", "N" * 101, "holds at most 100 characters"),
    ("customers", "blocked", "Sometimes", "'Sometimes' is not one of the values"),
    ("customers", "parent_id", "00000000-0000-0000-0000-000000000001", "billToCustomerNumber is read-only"),
    ("customers", "xref", "001000000000001AAA", "'xref' of customers is not mapped"),
    ("customers", "active", "false", "'active' of customers is not mapped"),
    ("prices", "unit_price", None, "cannot be left blank"),
    ("invoices", "status", "paid", "'status' of invoices is not mapped"),
    ("invoices", "open_balance", "0", "remainingAmount is read-only"),
    ("invoices", "total_amount", "100.00", "totalAmountIncludingTax is read-only"),
    ("orders", "total_amount", "100.00", "totalAmountIncludingTax is read-only"),
]


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 12, 5, tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def bc(records):
    yield from erp_sandbox("business-central", records)


def request(src, bc, kind: str, field: str, raw):
    """A correction as approval builds it: the record's current value and etag, the new typed value."""
    _, data, _ = next(bc.store.scan(ENTITY[kind]))
    if raw is None and (prop := CLEARED.get((kind, field))):  # clearing needs a value to clear
        data = bc.store.update(ENTITY[kind], data["id"], lambda d, v: {**d, prop[0]: prop[1]})[0]
    seen = src.read_current(kind, [data["id"]], [field]).get(data["id"]) or {"version": None, field: None}
    value = parse_value(kind, field, raw)
    return WriteRequest(1, "k", kind, data["id"], field, seen[field], value, seen_version=seen["version"]), data


@pytest.mark.parametrize("kind, field, raw", APPLIES)
def test_correction_applies_and_reads_back_equal(bc, kind, field, raw):
    src = erp_connector(bc)
    req, before = request(src, bc, kind, field, raw)
    [res] = src.push([req])
    assert res.outcome == "applied", res.message
    now = src.read_current(kind, [req.record_id], [field])[req.record_id][field]
    assert same_value(kind, field, now, req.new_value)
    if raw is None:
        assert now is None
    stored = bc.store.get(ENTITY[kind], req.record_id)[0]
    assert all(isinstance(v, (str, bool, int, Decimal)) or v is None for v in stored.values())


@pytest.mark.parametrize("kind, field, raw, words", REFUSED)
def test_correction_business_central_cannot_hold_fails_with_one_line_and_sends_nothing(bc, kind, field, raw, words):
    src = erp_connector(bc)
    req, before = request(src, bc, kind, field, raw)
    calls = src.http.requests
    [res] = src.push([req])
    assert src.http.requests - calls <= 1  # at most the one $metadata read: no PATCH went out
    assert res.outcome == "permanent"
    assert words in res.message and "\n" not in res.message
    assert req.record_id in res.message
    assert bc.store.get(ENTITY[kind], req.record_id) == (before, 1)  # unchanged, version untouched


def test_a_date_correction_travels_as_an_edm_date(bc):
    src = erp_connector(bc)
    req, _ = request(src, bc, "invoices", "due_date", date(2027, 1, 15))
    assert src.push([req])[0].outcome == "applied"
    assert bc.store.get("salesInvoices", req.record_id)[0]["dueDate"] == "2027-01-15"
