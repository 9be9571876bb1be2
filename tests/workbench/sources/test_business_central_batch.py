"""Business Central's incremental pull in JSON ``$batch`` requests, against the sandbox over real HTTP on
loopback: the same records and deletions as a full pull reads, in far fewer HTTP calls; deletions found by
counting lastModifiedDateTime ranges; batches cut at 100 operations; inner failures retried or reported."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, UTC

import httpx
import pandas as pd
import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from tests.workbench.sandbox.erp.bc_http import bearer
from workbench.errors import SourceError
from workbench.sandbox import erp
from workbench.sandbox.churn import churn_business_central
from workbench.sources.delta import CHANGES, merge


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 60, 5, tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def bc(records):
    yield from erp_sandbox("business-central", records)


def _same(merged, full) -> None:
    assert set(merged.frames) == set(full.frames)
    for kind, frame in full.frames.items():
        pd.testing.assert_frame_equal(merged.frames[kind].reset_index(drop=True), frame.reset_index(drop=True))
    assert sorted(merged.snapshots["content_hash"]) == sorted(full.snapshots["content_hash"])


def _changes(bc, before, page_size):
    src = erp_connector(bc, page_size=page_size)
    calls, ops, inner = bc.requests, bc.batch_operations, bc.inner_calls
    delta = src.pull_changes(None, before.meta.extracted_at - timedelta(seconds=1), before)
    used = {"calls": bc.requests - calls, "operations": bc.batch_operations - ops,
            "inner": {k: v - inner.get(k, 0) for k, v in bc.inner_calls.items() if v > inner.get(k, 0)}}
    merged, report = merge(before, delta)
    src.derive(merged.frames)
    return src, delta, merged, report, used


def test_a_re_run_after_churn_reads_what_a_full_pull_reads_in_a_few_batches(bc):
    before = erp_connector(bc, page_size=50).pull()
    churned = churn_business_central(bc, share=0.05)
    assert churned.deleted and churned.orders_deleted and churned.updated and churned.inserted
    src, delta, merged, report, used = _changes(bc, before, 50)
    calls = bc.requests
    full = erp_connector(bc, page_size=50).pull()
    full_calls = bc.requests - calls
    _same(merged, full)
    assert report["invoices"]["deleted"] == churned.deleted
    assert report["orders"]["deleted"] == churned.orders_deleted
    # every read went in $batch requests: the first, next pages, and one with the id reads of short ranges
    assert set(src.meta.api_usage) >= {"calls", "operations"}
    usage = src.meta.api_usage  # the sandbox counts the sign-in too, the connector apart (tokens)
    assert usage["calls"] + usage["tokens"] == used["calls"] < full_calls
    # every call but the sign-in was a $batch: the operations are its inner requests
    assert usage["operations"] == used["operations"] > used["calls"]
    assert bc.calls.get("POST $batch", 0) == used["calls"] - 1 > 0  # all but the sign-in
    assert used["calls"] * 3 <= full_calls, (used, full_calls)


def test_deletions_are_found_by_counts_over_stamp_ranges_and_id_reads_of_the_short_ones(bc):
    before = erp_connector(bc, page_size=10).pull()
    invoices = before.frames["invoices"]["record_id"].tolist()
    gone = invoices[5:60:15]
    with httpx.Client(base_url=bc.info["api_root"] + "/", headers=bearer(bc), trust_env=False) as http:
        for rid in gone:
            http.delete(f"salesInvoices({rid})", headers={"If-Match": "*"}).raise_for_status()
    src, delta, merged, report, used = _changes(bc, before, 10)
    _same(merged, erp_connector(bc, page_size=10).pull())
    kd = delta.kinds["invoices"]
    assert kd.mode == CHANGES and kd.deleted == frozenset(gone) and kd.live is None
    assert "counts over lastModifiedDateTime ranges" in kd.query
    ranges = -(-len(invoices) // 10)
    # one count per range of at most a page of known records, plus the kind's own; ids read only where short
    assert used["inner"]["GET $count ?$filter"] >= ranges
    assert used["inner"]["GET salesInvoices ?$filter,$select=id"] <= len(gone)
    assert "GET salesInvoices ?$select=id" not in used["inner"]  # never every id


def test_a_round_of_more_than_100_reads_goes_in_several_batches(bc):
    before = erp_connector(bc, page_size=2).pull()
    invoices = before.frames["invoices"]["record_id"].tolist()
    assert len(invoices) // 2 > 100  # the first round alone counts more ranges than one batch carries
    with httpx.Client(base_url=bc.info["api_root"] + "/", headers=bearer(bc), trust_env=False) as http:
        http.delete(f"salesInvoices({invoices[-3]})", headers={"If-Match": "*"}).raise_for_status()
    batches = bc.calls.get("POST $batch", 0)
    src, delta, merged, report, used = _changes(bc, before, 2)  # the sandbox refuses a batch over 100
    assert delta.kinds["invoices"].deleted == frozenset([invoices[-3]])
    assert bc.calls["POST $batch"] - batches >= -(-used["operations"] // 100) >= 2
    _same(merged, erp_connector(bc, page_size=2).pull())


def test_inner_requests_answered_429_or_503_are_sent_again(bc):
    before = erp_connector(bc, page_size=50).pull()
    with httpx.Client(base_url=bc.info["api_root"] + "/", headers=bearer(bc), trust_env=False) as http:
        http.delete(f"customerPayments({before.frames['payments']['record_id'].iloc[2]})",
                    headers={"If-Match": "*"}).raise_for_status()
    bc.faults.rate_limit(times=2, retry_after=0, after=1)  # the batch gets through; its first two reads do not
    bc.faults.server_error(503, times=1, after=3)
    src, delta, merged, report, used = _changes(bc, before, 50)
    assert bc.faults.fired.count("rate_limit") == 2 and bc.faults.fired.count("server_error") == 1
    assert src.meta.api_usage["retries"] >= 1
    _same(merged, erp_connector(bc, page_size=50).pull())


def test_reads_a_batch_left_unanswered_after_a_429_are_sent_again(bc):
    # a service that does not honour Prefer: odata.continue-on-error stops at the first failed request, and its
    # answer lists the requests up to that one only (OData 4.01 Protocol 8.2.8.3)
    before = erp_connector(bc, page_size=50).pull()
    bc.impl.honours_continue_on_error = False
    bc.faults.rate_limit(times=1, retry_after=0, after=2)  # the batch and its first read get through
    src, delta, merged, report, used = _changes(bc, before, 50)
    assert bc.faults.fired.count("rate_limit") == 1 and src.meta.api_usage["retries"] >= 1
    _same(merged, erp_connector(bc, page_size=50).pull())


def test_an_inner_refusal_fails_the_pull_naming_the_entity_and_the_request(bc):
    before = erp_connector(bc).pull()
    stranger = erp_connector(bc, company=str(uuid.uuid4()))
    with pytest.raises(SourceError) as caught:
        stranger.pull_changes(None, datetime.now(UTC) - timedelta(minutes=5), before)
    words = str(caught.value)
    assert "counting customers" in words and "HTTP 404" in words and "does not exist" in words
    assert "inner request of a $batch: GET " in words and "/customers/$count" in words


def test_without_the_previous_stamps_every_id_is_read_in_batched_pages(bc):
    before = erp_connector(bc, page_size=10).pull()
    gone = before.frames["invoices"]["record_id"].iloc[7]
    with httpx.Client(base_url=bc.info["api_root"] + "/", headers=bearer(bc), trust_env=False) as http:
        http.delete(f"salesInvoices({gone})", headers={"If-Match": "*"}).raise_for_status()
    before.frames["invoices"]["last_modified"] = None  # e.g. a mapping that kept no stamp
    src, delta, merged, report, used = _changes(bc, before, 10)
    kd = delta.kinds["invoices"]
    assert kd.live is not None and gone not in kd.live and "$select=id" in kd.query
    pages = -(-(len(before.frames["invoices"]) - 1) // 10)
    assert used["inner"]["GET salesInvoices ?$select=id"] == 1  # the first page; the rest follow their links
    assert used["inner"]["GET salesInvoices ?$select=id,$skiptoken"] == pages - 1
    assert report["invoices"]["deleted"] == 1


def test_each_kind_s_change_read_waits_for_its_counts_and_is_sent_again_with_a_refused_count(bc):
    before = erp_connector(bc, page_size=50).pull()
    *_, plain = _changes(bc, before, 50)
    # the batch gets through; its first read (the customers' count) is refused: the customers' change read,
    # which names that count in dependsOn, is answered 424 (not run) and goes again with it
    bc.faults.rate_limit(times=1, retry_after=0, after=1)
    src, delta, merged, report, used = _changes(bc, before, 50)
    assert bc.faults.fired.count("rate_limit") == 1 and bc.impl.not_run == 1  # it waited for its count
    assert used["calls"] == plain["calls"] + 1  # one batch more: the count and its change read, sent again
    changes = next(k for k in plain["inner"] if k.startswith("GET customers ?$filter"))
    assert used["inner"][changes] == plain["inner"][changes] == 1  # run once: the 424 was not a read
    _same(merged, erp_connector(bc, page_size=50).pull())


@pytest.mark.parametrize("answer", [
    "not an object", {"id": "7", "status": 200}, {"id": "x", "status": 200}, {"id": "0", "status": "ok"},
    {"id": "0", "status": 42}])
def test_a_batch_answer_a_service_should_not_give_is_a_clear_error(answer):
    from workbench.sources.business_central import BusinessCentralSource
    with pytest.raises(SourceError, match=r"Business Central \$batch: an answer"):
        BusinessCentralSource._answer_of(answer, {0, 1})
