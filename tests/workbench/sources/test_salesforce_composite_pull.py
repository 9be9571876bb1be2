"""An incremental Salesforce pull asks for its changes in Composite calls: the same records, deletions and
query texts as each query sent on its own, in fewer calls as the org counts them (sandbox over real HTTPS)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, UTC

import pytest

from tests.helpers.sandboxes import salesforce_org
from tests.workbench.sandbox.salesforce.frames import crm_frames
from tests.workbench.sources.test_salesforce_pull import source
from workbench.errors import SourceError
from workbench.sources.base import snapshot_frame
from workbench.sandbox.salesforce import soql as sandbox_soql
from workbench.sources.delta import CHANGES, FULL, merge
from workbench.sources.salesforce_client import TransientFailure
from workbench.sources.salesforce_mapping import as_bulk_text

WORDS = re.compile(r"(queryAll|left the filter): (.*?)(?=; (?:queryAll|left the filter): |$)")


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(2500), tmp_path_factory.mktemp("sf"))


def _served(org, before):
    """API calls the sandbox org counted since ``before``, by resource."""
    return {k: v - before.get(k, 0) for k, v in org.api_calls.items() if v != before.get(k, 0)}


def _one_by_one(src, kinds):
    """What each query the pull shows with its kinds reads when sent on its own, in pages of 200:
    (per kind: records read in order, ids flagged deleted, ids read by the left-the-filter query)."""
    out = {}
    for kind, delta in kinds.items():
        read, flagged, left = [], set(), set()
        for what, soql in WORDS.findall(delta.query):
            if what == "queryAll":
                for _, page in src.client.query_pages(soql, 200, include_deleted=True):
                    read += [(soql, r) for r in page]
                    flagged |= {r["Id"] for r in page if r["IsDeleted"]}
            else:
                left |= {r["Id"] for _, page in src.client.query_pages(soql, 200) for r in page}
        out[kind] = (read, flagged, left)
    return out


def test_changes_come_in_composite_calls_and_match_each_query_sent_alone(org):
    accounts = source(org, objects={"customers": {}}).pull().frame("customers")["record_id"].tolist()
    since = datetime.now(UTC) - timedelta(seconds=1)
    for rid in accounts[:450]:  # three pages of 200 changed accounts
        org.edit("Account", rid, {"BillingCity": "Rostock"})
    for rid in accounts[450:453]:
        org.delete("Account", rid)
    full = source(org).pull()
    opp = full.frame("orders").set_index("kind").loc["Opportunity", "record_id"]
    org.edit("Opportunity", opp, {"IsWon": False, "StageName": "Closed Lost"})  # leaves the IsWon filter
    org.edit("OrderItem", full.frame("order_lines")["record_id"].iloc[0], {"Quantity": "7"})
    org.delete("blng__Invoice__c", full.frame("invoices")["record_id"].iloc[1])

    src = source(org, batch_size=200)
    before, used = org.api_calls, org.org.api_used
    ex = src.pull(since=since)
    # 8 queries (7 objects' queryAll, Opportunity's left-the-filter check), five a call: the first call takes
    # the first five, the second Account's next page and the other three, the third Account's last page.
    # One at a time they take 8 calls and 2 for Account's next pages. The objects' describes
    # (``SalesforceSource._fit``) ride in the first call with the Get Deleted probes: no call of their own.
    assert _served(org, before) == {"composite": 3}
    assert org.org.api_used - used == 3 and ex.meta.api_usage["by_resource"] == {"composite": 3}

    alone = _one_by_one(source(org, batch_size=200), ex.kinds)
    selected = {m.object: m.api_fields() for m in src.maps}  # records are stored in Bulk 2.0's text form
    expected_snaps = []
    for kind, (read, flagged, left) in alone.items():
        delta = ex.kinds[kind]
        assert delta.deleted == flagged | (left - {r["Id"] for _, r in read}), kind
        live = [(soql, r) for soql, r in read if not r["IsDeleted"]]
        assert ex.frame(kind)["record_id"].tolist() == [r["Id"] for _, r in live], kind
        obj = {r["attributes"]["type"] for _, r in live}
        expected_snaps += [(r["attributes"]["type"], kind, r["Id"], soql, as_bulk_text(
            {k: v for k, v in r.items() if k not in ("attributes", "IsDeleted")}, selected[r["attributes"]["type"]]))
            for soql, r in live]
        assert obj <= set(ex.meta.objects[kind].split("+"))
    assert len(ex.frame("customers")) == 450 and set(ex.frame("customers")["city"]) == {"Rostock"}
    assert ex.kinds["customers"].deleted == set(accounts[450:453])
    assert opp in ex.kinds["orders"].deleted and "left the filter: SELECT Id FROM Opportunity" in ex.kinds[
        "orders"].query
    assert ex.frame("order_lines")["product_code"].tolist() == ["SKU-1"]
    order = {kind: i for i, kind in enumerate(ex.kinds)}
    expected = snapshot_frame(sorted(expected_snaps, key=lambda s: order[s[1]]))
    got = ex.snapshots.reset_index(drop=True)
    assert got[["object", "record_id", "query", "content_hash"]].equals(
        expected[["object", "record_id", "query", "content_hash"]])


@pytest.fixture()
def own_org(tmp_path):
    """An org of the test's own: the deletions it makes stay apart from the module's."""
    yield from salesforce_org(crm_frames(2500), tmp_path)


@pytest.mark.parametrize("query_mode", ["auto", "bulk"])  # the ids read by REST query pages, or a Bulk 2.0 job
def test_records_removed_from_the_recycle_bin_are_found_gone_by_reading_every_id(own_org, query_mode):
    """Deleted and then removed for good (the Recycle Bin emptied, or over its limit): queryAll returns them no
    more, so the changes alone would keep them. Get Deleted, asked in the first Composite call, says the delete
    log was cut after ``since``: the pull reads every account id, and the three are gone, as in a full pull."""
    org = own_org
    before = source(org).pull()
    accounts = before.frame("customers")["record_id"].tolist()
    since = datetime.now(UTC) - timedelta(seconds=1)
    for rid in accounts[3:6]:
        org.delete("Account", rid)
    assert org.empty_recycle_bin("Account", accounts[3:6]) == 3
    src, calls = source(org, query_mode=query_mode), dict(org.api_calls)
    ex = src.pull(since=since)
    assert "removed for good" in ex.kinds["customers"].query and "every id read" in ex.kinds["customers"].query
    assert all(ex.kinds[k].live is None for k in ex.kinds if k != "customers")  # only where the log was cut
    assert _served(org, calls).get("composite") == 2  # the Get Deleted probes and describes ride in the first call
    merged, report = merge(before, ex)
    full = source(org).pull()
    assert sorted(merged.frame("customers")["record_id"]) == sorted(full.frame("customers")["record_id"])
    assert len(full.frame("customers")) == len(accounts) - 3 and report["customers"]["deleted"] == 3


def test_a_refused_query_reads_as_the_same_error_as_on_its_own(org):
    objects = {"customers": {"where": "VAT__c = 'x'"}}  # a filter the describe does not check
    with pytest.raises(SourceError) as alone:
        source(org, objects=objects, query_mode="rest").pull()
    with pytest.raises(SourceError) as composite:
        source(org, objects=objects).pull(since=datetime.now(UTC) - timedelta(hours=1))
    assert str(composite.value) == str(alone.value)
    assert "INVALID_FIELD: No such column 'VAT__c'" in str(composite.value)


def test_product_codes_of_changed_lines_are_asked_in_a_composite_call_too(org):
    objects = {"order_lines": {"fields": {"product_id": "Product2Id"}}}
    line = source(org, objects=objects).pull().frame("order_lines")["record_id"].iloc[0]
    since = datetime.now(UTC) - timedelta(seconds=1)
    org.edit("OrderItem", line, {"Quantity": "9"})
    before = org.api_calls
    ex = source(org, objects=objects).pull(since=since)
    assert _served(org, before) == {"composite": 2}  # the lines' queryAll (and describes), then their products' codes
    # (``since`` is whole seconds: lines other tests of this org edited a moment ago may come too)
    codes = dict(ex.frame("order_lines")[["record_id", "product_code"]].values.tolist())
    assert codes[line] == "SKU-1" and None not in codes.values()


LINES_AND_PRODUCTS = {"products": {}, "order_lines": {"fields": {"product_id": "Product2Id"}}}


def _line_changed_since_a_full_pull(org):
    """A full pull of products and lines, then an edit of a line: (that pull, the line, since)."""
    before_run = source(org, objects=LINES_AND_PRODUCTS).pull()
    line = before_run.frame("order_lines")["record_id"].iloc[0]
    since = datetime.now(UTC) - timedelta(seconds=1)
    org.edit("OrderItem", line, {"Quantity": "7"})
    return before_run, line, since


def test_a_re_run_takes_the_codes_of_unchanged_products_from_the_previous_run_without_a_call(org):
    before_run, line, since = _line_changed_since_a_full_pull(org)
    before = org.api_calls
    ex = source(org, objects=LINES_AND_PRODUCTS).pull_changes(None, since, before_run)
    assert _served(org, before) == {"composite": 1}  # the changes (and describes): no call for the lines' products
    got = ex.frame("order_lines").set_index("record_id")["product_code"]
    full = source(org, objects=LINES_AND_PRODUCTS).pull().frame("order_lines").set_index("record_id")["product_code"]
    assert got[line] == full[line] and got[line] is not None


def test_a_re_run_reads_the_new_code_of_a_product_changed_since(org):
    before_run, line, since = _line_changed_since_a_full_pull(org)
    old = before_run.frame("order_lines")["product_code"].iloc[0]
    product = before_run.frame("products").set_index("code")["record_id"][old]
    org.edit("Product2", product, {"ProductCode": "RENAMED-1"})
    try:
        ex = source(org, objects=LINES_AND_PRODUCTS).pull_changes(None, since, before_run)
        assert ex.frame("order_lines").set_index("record_id")["product_code"][line] == "RENAMED-1"
    finally:
        org.edit("Product2", product, {"ProductCode": old})


def test_a_query_subrequest_that_times_out_is_asked_again_then_reported(org):
    rid = source(org, objects={"customers": {}}).pull().frame("customers")["record_id"].iloc[-1]
    since = datetime.now(UTC) - timedelta(seconds=1)
    org.edit("Account", rid, {"BillingCity": "Kiel"})
    before, fired = org.api_calls, org.faults.fired.get("query_timeouts", 0)
    org.faults.query_timeouts = 1
    try:
        ex = source(org, objects={"customers": {}}).pull(since=since)
        assert org.faults.fired["query_timeouts"] - fired == 1
        assert _served(org, before) == {"composite": 2}  # the timed-out query is asked again in a next call
        # the same records as the query sent on its own (``since`` is whole seconds: accounts other tests
        # of this org edited a moment ago may come too)
        cities = dict(ex.frame("customers")[["record_id", "city"]].values.tolist())
        read, _, _ = _one_by_one(source(org, objects={"customers": {}}), ex.kinds)["customers"]
        assert list(cities) == [r["Id"] for _, r in read if not r["IsDeleted"]] and cities[rid] == "Kiel"
        org.faults.query_timeouts = 99
        with pytest.raises(TransientFailure, match="still failing after 5 attempts: QUERY_TIMEOUT: Your query"):
            source(org, objects={"customers": {}}).pull(since=since)
    finally:
        org.faults.clear()


@pytest.fixture()
def aged_org(tmp_path):
    """An org whose products, price books and prices were last changed weeks ago, as an org's mostly are."""
    frames = crm_frames(300)
    for kind in ("products", "prices"):
        frames[kind] = frames[kind].assign(last_modified=frames["customers"]["last_modified"].iloc[0])
    yield from salesforce_org(frames, tmp_path)


def test_a_parents_change_reaches_the_records_that_read_its_fields(aged_org):
    """Order lines read ``Product2.ProductCode`` and price book entries show it as their ProductCode: a product's
    new code moves the product's SystemModstamp, not theirs. The changes ask for the records whose product changed
    too, so the merge is what a full pull reads."""
    org = aged_org
    before = source(org).pull()
    lines = before.frame("order_lines")
    product = source(org).pull().frame("products").set_index("code").loc["SKU-1", "record_id"]
    since = datetime.now(UTC) - timedelta(seconds=1)
    org.edit("Product2", product, {"ProductCode": "SKU-1-NEW"})
    ex = source(org).pull(since=since)
    assert "Product2.SystemModstamp >" in ex.meta.queries["order_lines"]
    merged, _ = merge(before, ex)
    full = source(org).pull()
    got = merged.frame("order_lines").set_index("record_id")["product_code"]
    assert (got.sort_index() == full.frame("order_lines").set_index("record_id")["product_code"].sort_index()).all()
    assert (got == "SKU-1-NEW").sum() == (lines["product_code"] == "SKU-1").sum() > 0
    # a price book entry shows its product's code (read-only PricebookEntry.ProductCode): its stamp stays too
    prices = merged.frame("prices").set_index("record_id")["product_code"]
    assert (prices.sort_index() == full.frame("prices").set_index("record_id")["product_code"].sort_index()).all()
    assert (prices == "SKU-1-NEW").sum() == (before.frame("prices")["product_code"] == "SKU-1").sum() > 0
    assert len(ex.frame("prices")) == (prices == "SKU-1-NEW").sum()  # only those: the price books are old


@pytest.mark.parametrize("query_mode", ["rest", "bulk"])
def test_a_filter_counted_from_today_reads_its_kind_in_full(own_org, monkeypatch, query_mode):
    """``blng__DueDate__c < TODAY`` takes an invoice on the day it falls due, while no stamp moves: the changes
    since the last pull cannot find it, so the re-run reads invoices in full, as a full pull reads them (a Bulk
    job for a large object), and says why."""
    org = own_org
    objects = {"customers": {}, "invoices": {"where": "blng__DueDate__c < TODAY"}}
    dues = sorted(source(org, objects=objects).pull().frame("invoices")["due_date"])  # today: every one is due
    parse = sandbox_soql.parse

    def on(day):
        return lambda q, today=None, seen=None: parse(q, day, seen)
    monkeypatch.setattr(sandbox_soql, "parse", on(dues[0] + timedelta(days=1)))
    before = source(org, objects=objects).pull()  # the day after the first falls due
    assert len(before.frame("invoices")) < len(dues)
    since = datetime.now(UTC) - timedelta(seconds=1)
    monkeypatch.setattr(sandbox_soql, "parse", on(dues[-1] + timedelta(days=1)))
    calls = dict(org.api_calls)
    ex = source(org, objects=objects, query_mode=query_mode).pull(since=since)
    assert ex.kinds["invoices"].mode == FULL and "counts from today (TODAY)" in ex.kinds["invoices"].why
    assert ("jobs" in _served(org, calls)) == (query_mode == "bulk")
    assert ex.kinds["customers"].mode == CHANGES
    merged, report = merge(before, ex)
    assert len(merged.frame("invoices")) == len(dues) and report["invoices"]["mode"] == FULL


def test_a_filter_through_an_owner_asks_for_no_stamp_of_the_owner(org):
    """Owner (like What and Who) may point at the polymorphic Name object, which has no SystemModstamp: a change
    query naming ``Owner.SystemModstamp`` would be refused on every re-run, so the owner is not followed."""
    src = source(org, objects={"customers": {"where": "Owner.Type = 'User' AND Parent.Name != 'X'"}})
    [m] = [m for m in src.maps if m.kind == "customers"]
    soql = src._soql(m, datetime(2026, 11, 1, tzinfo=UTC))[0]
    assert "Parent.SystemModstamp >= 2026-11-01T00:00:00+00:00" in soql and "Owner.SystemModstamp" not in soql


def test_a_change_stamped_in_the_second_the_changes_start_from_is_read(org):
    """Salesforce keeps SystemModstamp to the second and compares datetimes without their milliseconds ("the system
    currently ignores the milliseconds", salesforce.stackexchange.com/questions/234824); format_soql writes ``since``
    to the second as well. A change made after ``since`` in that same second is stamped with the second itself: the
    changes ask for ``SystemModstamp >=`` it, where ``>`` missed such a change (with ``overlap_minutes = 0``, one made
    while the previous run started) until the record changed again."""
    first = source(org, objects={"customers": {}}).pull()
    rid = first.frame("customers")["record_id"].iloc[11]
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    with org.org.store.lock:  # written in that second, after the moment asked from: stamped as Salesforce stamps it
        org.org.store.db.execute('UPDATE "Account" SET "BillingCity" = ?, "SystemModstamp" = ? WHERE "Id" = ?',
                                 ["Wismar", second.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), rid])
    ex = source(org, objects={"customers": {}}).pull(since=second + timedelta(milliseconds=400))
    assert ex.frame("customers")["record_id"].tolist() == [rid]
    assert ex.frame("customers")["city"].tolist() == ["Wismar"]
