"""ERP pages made canonical in columns (erp_columns) give what the record-by-record conversion gives.

The sandboxes serve awkward records over real HTTP; the reference is the per-record path kept in the
connectors (``_canonical``, then ``frames.from_records`` and ``base.snapshot_frame``) over the same raw
pages. Frames are compared cell by cell as (class, repr), so 1.0 and 1.00, True and 1, "" and None differ.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from workbench.errors import InputError
from workbench.model import frames
from workbench.sandbox import erp
from workbench.sources.base import snapshot_frame
from workbench.sources.erp_columns import Page, Step, canonical_frame, snapshot_rows
from workbench.sources.erp_mapping import converter
from workbench.sources.http_common import encode_json

NASTY = 'Zoë "the quote" \\ back\\slash\x01\x1f\ttab \u2028 日本'


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 12, 7, tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def bc(records):
    yield from erp_sandbox("business-central", records)


@pytest.fixture
def odoo(records):
    yield from erp_sandbox("odoo", records)


def _typed(frame: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    return {c: [(type(v).__name__, repr(v)) for v in frame[c].tolist()] for c in frame.columns}


def _ids(store: Any, entity: str) -> list[str]:
    return [str(data["id"]) for _, data, _ in store.scan(entity)]


def _set(store: Any, entity: str, values: list[dict[str, Any]]) -> None:
    """``values[k]`` merged into the k-th record of ``entity``."""
    for rid, change in zip(_ids(store, entity), values):
        store.update(entity, rid, lambda d, _v, change=change: {**d, **change})


def _reference(src: Any, pages: dict[str, tuple[str, list[dict[str, Any]]]]
               ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The frames (derived) and snapshots of the record-by-record path over kind -> (query, raws)."""
    out, snaps = {}, []
    for kind, (query, raws) in pages.items():
        om = src.maps[kind]
        rows = [src._canonical(om, raw) for raw in raws]
        out[kind] = frames.from_records(kind, rows)
        snaps.append(snapshot_frame((om.object, kind, str(r["record_id"]), query, raw) for r, raw in zip(rows, raws)))
    src.derive(out)
    return out, pd.concat(snaps, ignore_index=True)


def _first_error(src: Any, pages: dict[str, tuple[str, list[dict[str, Any]]]]) -> str:
    for kind, (_, raws) in pages.items():
        for raw in raws:
            try:
                src._canonical(src.maps[kind], raw)
            except InputError as exc:
                return str(exc)
    raise AssertionError("no record fails")


def _bc_pages(src: Any) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    out = {}
    for kind, om in src.maps.items():
        entity, nav, _, params, query = src._read_plan(kind, om, None)
        raws = [r for page in src._pages(entity, params) for r in page]
        if nav is not None:
            raws = [line for doc in raws for line in src._expanded(doc, nav)]
        out[kind] = (query, raws)
    return out


def _odoo_pages(src: Any) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    out = {}
    for kind, om in src.maps.items():
        domain = src._domain(om)
        fields = src._read_fields(kind, om)
        query = f"{om.object}.search_read domain={encode_json(domain)} fields={','.join(fields)}"
        out[kind] = (query, src._call(om.object, "search_read", domain=domain, fields=fields, order="id"))
    return out


def _assert_same(src: Any, pages: dict[str, tuple[str, list[dict[str, Any]]]]) -> None:
    want_frames, want_snaps = _reference(src, pages)
    got = src.pull()
    assert set(got.frames) == set(want_frames)
    for kind, frame in want_frames.items():
        assert list(got.frames[kind].columns) == list(frame.columns), kind
        assert _typed(got.frames[kind]) == _typed(frame), kind
    assert got.snapshots.to_dict("list") == want_snaps.to_dict("list")


def test_business_central_awkward_pages_in_columns_are_the_per_record_values(bc):
    _set(bc.store, "salesInvoices", [
        {"totalAmountIncludingTax": Decimal("1.0"), "remainingAmount": 1, "externalDocumentNumber": 1},
        {"totalAmountIncludingTax": Decimal("1.00"), "remainingAmount": Decimal("0"), "externalDocumentNumber": "1"},
        {"totalAmountIncludingTax": 1, "remainingAmount": Decimal("0.00"), "externalDocumentNumber": ""},
        {"totalAmountIncludingTax": Decimal("1E+2"), "remainingAmount": 0, "externalDocumentNumber": NASTY},
        {"dueDate": "0001-01-01", "externalDocumentNumber": None}])
    _set(bc.store, "customers", [{"blocked": v, "displayName": n} for v, n in
                                 [(True, NASTY), (1, "1"), (False, ""), (0, " "), (None, NASTY + "x"), ("1", 1)]])
    _set(bc.store, "items", [{"blocked": v} for v in (True, 1, False, 0, None)])
    src = erp_connector(bc)
    pages = _bc_pages(src)
    payloads = [encode_json(r) for _, raws in pages.values() for r in raws]
    # the awkward values reach the connector as they were stored
    assert any('"totalAmountIncludingTax":1.00' in p for p in payloads)
    assert any('"totalAmountIncludingTax":1.0,' in p for p in payloads)
    assert any('"blocked":1' in p for p in payloads) and any('"blocked":true' in p for p in payloads)
    _assert_same(src, pages)


def test_business_central_change_pull_in_columns_is_the_per_record_values(bc):
    """The changes read in $batch requests go through the same columns."""
    late = "2030-01-01T00:00:00.000Z"
    src = erp_connector(bc)
    previous = src.pull()
    _set(bc.store, "salesInvoices", [
        {"totalAmountIncludingTax": Decimal("1.0"), "externalDocumentNumber": 1, "lastModifiedDateTime": late},
        {"totalAmountIncludingTax": Decimal("1.00"), "externalDocumentNumber": "1", "lastModifiedDateTime": late},
        {"totalAmountIncludingTax": 1, "externalDocumentNumber": NASTY, "lastModifiedDateTime": late}])
    since = datetime(2029, 1, 1, tzinfo=UTC)
    delta = src.pull_changes(None, since, previous)
    om = src.maps["invoices"]
    entity, _, _, params, query = src._read_plan("invoices", om, since)
    want_frames, want_snaps = _reference(src, {"invoices": (query, [r for p in src._pages(entity, params) for r in p])})
    assert len(want_frames["invoices"]) == 3
    assert _typed(delta.frames["invoices"]) == _typed(want_frames["invoices"])
    got_snaps = delta.snapshots[delta.snapshots["kind"] == "invoices"].reset_index(drop=True)
    assert got_snaps.to_dict("list") == want_snaps.to_dict("list")


def test_business_central_bad_values_fail_as_the_per_record_path_does(bc):
    ids = _ids(bc.store, "salesInvoices")
    # the third record has two bad fields, the fourth an unknown status: the third's first field is named
    bc.store.update("salesInvoices", ids[3], lambda d, _v: {**d, "status": "Bogus"})
    bc.store.update("salesInvoices", ids[2], lambda d, _v: {**d, "dueDate": "2026-02-30", "invoiceDate": "2026-13-01"})
    src = erp_connector(bc)
    want = _first_error(src, _bc_pages(src))
    assert f"salesInvoices({ids[2]}): field 'invoice_date'" in want
    with pytest.raises(InputError) as got:
        src.pull()
    assert str(got.value) == want
    bc.store.update("salesInvoices", ids[2], lambda d, _v: {**d, "dueDate": "2026-02-28", "invoiceDate": "2026-01-01"})
    want = _first_error(src, _bc_pages(src))
    assert f"salesInvoices({ids[3]})" in want and "Bogus" in want
    with pytest.raises(InputError) as got:
        src.pull()
    assert str(got.value) == want


def test_odoo_awkward_pages_in_columns_are_the_per_record_values(odoo):
    _set(odoo.store, "account.move", [
        {"amount_total": Decimal("1.0"), "amount_residual": 1, "ref": False, "invoice_date": False},
        {"amount_total": Decimal("1.00"), "amount_residual": Decimal("0"), "ref": "", "invoice_origin": NASTY},
        {"amount_total": 1, "amount_residual": 0, "ref": 0, "invoice_date_due": False},
        {"amount_total": Decimal("-0.00"), "amount_residual": False, "ref": NASTY}])
    _set(odoo.store, "res.partner", [{"active": v, "name": n, "vat": v} for v, n in
                                     [(True, NASTY), (1, "1"), (False, ""), (0, False), (True, NASTY + "\\")]])
    src = erp_connector(odoo)
    pages = _odoo_pages(src)
    payloads = [encode_json(r) for _, raws in pages.values() for r in raws]
    assert any('"amount_total":1.00' in p for p in payloads) and any('"amount_total":1,' in p for p in payloads)
    assert any('"active":1' in p for p in payloads) and any('"ref":false' in p for p in payloads)
    _assert_same(src, pages)


def test_odoo_bad_values_fail_as_the_per_record_path_does(odoo):
    ids = _ids(odoo.store, "account.move")
    odoo.store.update("account.move", ids[1], lambda d, _v: {**d, "state": "bogus"})
    odoo.store.update("account.move", ids[3], lambda d, _v: {**d, "invoice_date_due": "2026-02-30"})
    src = erp_connector(odoo)
    want = _first_error(src, _odoo_pages(src))
    assert f"Odoo account.move({ids[1]}): unknown status" in want and "bogus" in want
    with pytest.raises(InputError) as got:
        src.pull()
    assert str(got.value) == want
    odoo.store.update("account.move", ids[1], lambda d, _v: {**d, "state": "posted"})
    want = _first_error(src, _odoo_pages(src))
    assert f"account.move({ids[3]}): field 'due_date'" in want
    with pytest.raises(InputError) as got:
        src.pull()
    assert str(got.value) == want


def test_records_with_other_keys_are_snapshotted_one_by_one_as_the_same_text():
    raws: list[dict[str, Any]] = [
        {"b": Decimal("1.0"), "a": [7, NASTY], "@odata.etag": 'W/"1"'},
        {"b": Decimal("1.00"), "a": False},
        {"b": 1, "c": {"z": True, "y": None}, "a": 0},
        {"b": True, "a": None, "@odata.etag": 'W/"2"'}]
    for page in (raws, raws[1:2] * 3 + [{"a": 0, "b": Decimal("1.0")}], [{}, {}]):
        ids = [str(n) for n in range(len(page))]
        got = snapshot_rows("o", "k", "q", Page(page), ids)
        want = snapshot_frame(("o", "k", i, "q", raw) for i, raw in zip(ids, page))
        assert got.to_dict("list") == want.to_dict("list")


MIXED = [Decimal("1.0"), Decimal("1.00"), 1, True, Decimal("0"), 0, False, None, "1", "", " x ", [1, "a"], {"k": 1}]
STEPS = [Step("name", "a", converter("customers", "name")), Step("active", "b", converter("customers", "active")),
         Step("last_modified", "c", converter("customers", "last_modified"))]
STAMPS = ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", "2026-01-01 01:00:00+01:00", None, "", "0001-01-01"]


def _per_record(raws: list[dict[str, Any]]) -> list[list[Any]]:
    return [[s.convert(r.get(s.source), f"rec({r['id']})") for s in STEPS] for r in raws]


def test_values_python_calls_equal_are_converted_and_encoded_apart():
    """A page whose columns repeat (so they are factorized): 1.0, 1.00, 1 and True, or 0 and False, are
    each converted and written as themselves."""
    bools = [True, 1, False, 0, None, "1", "0", "yes"]
    raws = [{"id": n, "a": MIXED[n % len(MIXED)], "b": bools[n % len(bools)], "c": STAMPS[n % len(STAMPS)]}
            for n in range(200)]
    page = Page(raws)
    frame = canonical_frame("customers", page, STEPS, [], lambda r: f"rec({r['id']})")
    want = _per_record(raws)
    for k, step in enumerate(STEPS):
        assert [(type(v), repr(v)) for v in frame[step.canon]] == [(type(w[k]), repr(w[k])) for w in want]
    ids = [str(r["id"]) for r in raws]
    got = snapshot_rows("o", "k", "q", page, ids)
    assert got.to_dict("list") == snapshot_frame(("o", "k", i, "q", r) for i, r in zip(ids, raws)).to_dict("list")


def test_the_first_bad_record_and_its_first_bad_field_are_named():
    raws = [{"id": n, "a": "x", "b": [True, False][n % 2], "c": STAMPS[n % 2]} for n in range(100)]
    raws[45]["b"] = "maybe"  # a later record's earlier field
    raws[40]["c"] = "2026-02-30T00:00:00Z"
    raws[40]["b"] = "perhaps"  # the first bad record: its first bad field
    raws[70]["b"] = "perhaps"
    with pytest.raises(InputError) as got:
        canonical_frame("customers", Page(raws), STEPS, [], lambda r: f"rec({r['id']})")
    with pytest.raises(InputError) as want:
        _per_record(raws)
    assert str(got.value) == str(want.value) and "rec(40): field 'active'" in str(got.value)
