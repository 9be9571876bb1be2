"""Every kind of correction the engine proposes, pushed to the Salesforce sandbox over loopback TLS:
it applies and reads back equal, or fails with one clear line naming record, field and Salesforce's error
(and then Salesforce never saw the write when its own describe says it would be refused)."""

from __future__ import annotations

import pytest

from tests.workbench.sandbox.salesforce.frames import crm_frames
from tests.workbench.sources.test_salesforce_push import source
from tests.helpers.sandboxes import salesforce_org
from workbench.corrections.values import parse_value
from workbench.sources.base import WriteRequest


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(60), tmp_path_factory.mktemp("sf"))


@pytest.fixture(scope="module")
def frames(org):
    extract = source(org).pull()
    return {k: extract.frame(k).reset_index(drop=True) for k in ("customers", "prices", "invoices", "orders")}


def _statuses(current):
    return "paid" if current != "paid" else "open"


# (kind, row, field, new value as the engine proposes it, expected: None = applied, else error code)
CASES = [
    ("customers", 1, "name", "Neuer Name GmbH", None),
    ("customers", 2, "street", "Hafenstraße 1\n2. OG", None),
    ("customers", 3, "city", "München", None),
    ("customers", 4, "city", None, None),  # clearing: JSON null, Salesforce's own way
    ("customers", 5, "postcode", "80331", None),
    ("customers", 6, "state", "BY", None),
    ("customers", 7, "country", "AT", None),
    ("customers", 8, "tax_id", "ATU12345678", None),
    ("customers", 0, "tax_id", None, None),
    ("customers", 10, "currency", "USD", None),
    ("customers", 11, "xref", "C-77777", None),
    ("customers", 12, "xref", None, None),
    ("customers", 13, "parent_id", "row:20", None),
    ("customers", "has parent", "parent_id", None, None),
    ("customers", 15, "name", None, "REQUIRED_FIELD_MISSING"),
    ("customers", 16, "city", "x" * 41, "STRING_TOO_LONG"),
    ("customers", 17, "country", "Österreich", "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
    ("customers", 18, "active", False, "no Salesforce field"),
    ("prices", 1, "unit_price", "123.45", None),
    ("prices", 2, "unit_price", "99999999999999999.00", "NUMBER_OUTSIDE_VALID_RANGE"),
    ("invoices", 0, "status", "flip", None),
    ("invoices", 0, "total_amount", "1500.10", None),
    ("invoices", 0, "due_date", "2026-12-31", None),
    ("invoices", 1, "open_balance", "12.00", None),
    ("invoices", 1, "due_date", None, None),
    ("orders", 0, "total_amount", "10.00", "INVALID_FIELD_FOR_INSERT_UPDATE"),  # a roll-up in Salesforce
    ("orders", 1, "total_amount", "51000.00", None),  # an Opportunity's Amount is writable
]


def test_every_correction_kind_applies_and_reads_back_or_fails_with_one_clear_line(org, frames):
    src = source(org)
    reqs, expect = [], {}
    for n, (kind, row, field, new, code) in enumerate(CASES, start=1):
        if row == "has parent":
            row = int(frames[kind]["parent_id"].notna().to_numpy().nonzero()[0][0])
        rec = frames[kind].iloc[row]
        if new == "flip":
            new = _statuses(rec["status"])
        if isinstance(new, str) and new.startswith("row:"):
            new = frames[kind].iloc[int(new[4:])]["record_id"]
        old = rec[field] if field in rec.index else None
        typed = parse_value(kind, field, new) if field != "active" else new
        reqs.append(WriteRequest(n, f"k{n}", kind, rec["record_id"], field,
                                 parse_value(kind, field, old) if field != "active" else old, typed,
                                 rec["version"]))
        expect[n] = (kind, rec["record_id"], field, typed, code)
    writes_before = {r.record_id: org.write_count(_object(r.object), r.record_id) for r in reqs}
    results = {r.correction_id: r for r in src.push(reqs)}
    for n, (kind, rid, field, typed, code) in expect.items():
        res = results[n]
        if code is None:
            assert res.outcome == "applied", (field, res.message)
            now = src.read_current(kind, [rid], [field])[rid][field]
            assert now == typed, (kind, field, now, typed)
        else:
            assert res.outcome == "permanent", (field, res)
            assert "\n" not in res.message and code in res.message, res.message
            assert rid in res.message  # the record; the field is in Salesforce's words or ours
            if code != "FIELD_CUSTOM_VALIDATION_EXCEPTION":  # only the org's own rule needs the round trip
                assert org.write_count(_object(kind), rid) == writes_before[rid]


def _object(kind):
    return {"customers": "Account", "prices": "PricebookEntry", "invoices": "blng__Invoice__c",
            "orders": "Order"}[kind]
