"""What the review screen loads on the database worker."""

from __future__ import annotations

import gc
from decimal import Decimal

import numpy as np

from app import data
from tests.app.conftest import seed_run
from workbench.isolated import wait_for_exits


def test_a_loaded_run_holds_every_exception_across_fetch_slices_and_leaves_the_gc_on(store):
    run_id = seed_run(store, extra_pricing=45_000)  # more rows than two fetch slices
    bundle = data.load_bundle(store, run_id)
    fr = bundle.frame
    assert len(fr) == 5 + 45_000 and len(np.unique(fr.ids)) == len(fr)
    # the last extra row arrived whole: ids, values and the exact Decimal amount line up
    last = fr.record(len(fr) - 1)
    assert (last["crm_id"], last["erp_value"], last["amount_at_risk"]) == ("01u45099", "45000", Decimal(44999))
    assert bundle.run["id"] == run_id and gc.isenabled()


def _queue(store, run_id):
    """Every row of the loaded queue as the model would show and filter it."""
    fr = data.load_bundle(store, run_id).frame
    return [{k: v for k, v in fr.record(i).items() if k != "id"} for i in range(len(fr))]


def test_a_run_opens_with_what_the_store_holds_and_the_same_from_sqlite_and_postgresql(store, pg_store):
    from workbench.store import repo
    lite, pg = seed_run(store, extra_pricing=3), seed_run(pg_store, extra_pricing=3)
    shown = _queue(store, lite)
    assert shown == _queue(pg_store, pg)
    # against the whole rows the store gives through its ordinary (ORM-typed) reader
    rows = repo.load_exceptions(store, lite).to_dict("records")
    assert len(shown) == len(rows) == 8
    for got, row in zip(shown, rows, strict=True):
        for key in ("type", "severity", "status", "assignee", "customer_name", "crm_value", "erp_value", "field",
                    "currency", "crm_id", "erp_id", "amount_at_risk"):
            assert got[key] == row[key], key
        assert got["document"] == (row["crm_number"] or row["erp_number"])
    assert shown[2]["age"] == 40 and shown[2]["amount_at_risk"] == Decimal("98000.50")


def test_a_large_sqlite_run_read_in_a_child_process_opens_the_same(store, monkeypatch):
    from workbench.store import queue_read
    run_id = seed_run(store, extra_pricing=3)
    on_the_cursor = _queue(store, run_id)
    monkeypatch.setattr(queue_read, "_CHILD_FROM_ROWS", 0)  # as a run of a million exceptions is read
    try:
        assert _queue(store, run_id) == on_the_cursor
    finally:
        wait_for_exits()  # the reading process exits after it answered (a window waits for that on close)


def test_an_opened_exception_shows_its_full_row_read_by_id(store):
    run_id = seed_run(store)
    bundle = data.load_bundle(store, run_id)
    fr = bundle.frame
    row = int(np.flatnonzero(fr.cats["type"].mask(frozenset({"invoice.status_mismatch"})))[0])
    detail = data.load_detail(store, bundle.run, int(fr.ids[row]), bundle.links)
    assert detail.exception["proposal"]["to"] == "paid" and len(detail.exception["diffs"]) == 2
    assert detail.crm["canonical"]["status"] == "open" and detail.erp["canonical"]["status"] == "paid"
    assert data.load_detail(store, bundle.run, 10_000, bundle.links) is None  # gone meanwhile
