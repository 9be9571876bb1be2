"""What real orgs do that a default org does not: one currency only, fields spelled in another case, fields
hidden by field-level security. Each against the sandbox org made to do it, over real HTTPS."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, UTC

import pytest

from tests.helpers.sandboxes import salesforce_org
from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench.config import from_dict
from workbench.errors import ConfigError, SourceError
from workbench.sandbox import salesforce as sandbox
from workbench.sources import open_source
from workbench.sources.base import WriteRequest
from workbench.sources.delta import CHANGES, merge
from workbench.sources.salesforce_mapping import ObjectMap
from workbench.sources.salesforce_client import TransientFailure


def source(handle, objects=None, **settings):
    crm = sandbox.demo_config(handle)
    crm["salesforce"].update({"retry_wait_seconds": 0.01, **settings})
    if objects is not None:
        crm["objects"] = objects
    return open_source("crm", from_dict({"crm": crm, "erp": {"connector": "files"}}))


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """An org without multicurrency whose one currency is the Swiss franc."""
    handle = sandbox.start(frames=crm_frames(120), state_dir=tmp_path_factory.mktemp("sf1"), single_currency="CHF")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(120), tmp_path_factory.mktemp("sf"))


@pytest.mark.parametrize("mode", ["rest", "bulk"])
def test_a_single_currency_org_pulls_every_record_in_its_currency(single, mode):
    ex = source(single, query_mode=mode).pull()
    for kind in ("customers", "prices", "orders", "order_lines", "invoices"):
        frame = ex.frame(kind)
        assert len(frame) and set(frame["currency"]) == {"CHF"}, kind
    assert not any("CurrencyIsoCode" in q for q in ex.meta.queries.values())


def test_a_single_currency_org_re_runs_by_changes_in_its_currency(single):
    src = source(single)
    first = src.pull()
    rid = first.frame("customers")["record_id"].iloc[0]
    single.edit("Account", rid, {"BillingCity": "Basel"})
    changed = source(single).pull_changes(None, first.meta.extracted_at, first)
    cust = changed.frame("customers").set_index("record_id")
    assert cust.loc[rid, "city"] == "Basel" and cust.loc[rid, "currency"] == "CHF"


def test_a_single_currency_org_takes_pushes_and_no_currency_is_ever_written(single):
    cust = source(single).pull().frame("customers").set_index("number")

    def req(n, number, field, new):
        row = cust.loc[number]
        return WriteRequest(n, f"k{n}", "customers", row["record_id"], field, row[field], new, row["version"])
    out = source(single).push([req(1, "A-00003", "city", "Lugano"), req(2, "A-00004", "currency", "EUR")])
    assert [r.outcome for r in out] == ["applied", "permanent"]
    assert "the org uses one currency, CHF, for every record" in out[1].message
    assert single.record("Account", cust.loc["A-00003", "record_id"])["BillingCity"] == "Lugano"
    assert single.write_count("Account", cust.loc["A-00004", "record_id"]) == 0


def test_test_connection_says_the_org_has_one_currency(single):
    checks = {name: (ok, words) for name, ok, words in source(single).test_connection()}
    assert checks["objects readable"][0] and "single-currency org: every record in CHF" in checks["objects readable"][1]


@pytest.mark.parametrize("mode", ["rest", "bulk"])
def test_fields_mapped_in_another_case_read_what_their_describe_spelling_reads(org, mode):
    """SOQL takes a field name in any case but REST answers in the describe's: a map written billingcity read
    nothing, silently."""
    objects = {"customers": {"fields": {"city": "billingcity", "name": "NAME", "postcode": "Billingpostalcode"}},
               "prices": {"fields": {"pricebook": "pricebook2.name", "unit_price": "unitprice"}}}
    odd = source(org, objects, query_mode=mode).pull()
    plain = source(org, {"customers": {}, "prices": {}}, query_mode=mode).pull()
    for kind in ("customers", "prices"):
        assert odd.frame(kind).equals(plain.frame(kind)), kind
    assert odd.frame("customers")["city"].notna().all() and odd.frame("prices")["pricebook"].notna().all()
    assert odd.snapshots.equals(plain.snapshots.assign(query=odd.snapshots["query"]))


def test_a_field_hidden_by_field_level_security_is_named_before_anything_is_read(tmp_path):
    for handle in salesforce_org(crm_frames(20), tmp_path):
        handle.hide_field("Account", "Tax_ID__c")
        src = source(handle)
        with pytest.raises(ConfigError, match=r"\[crm.objects.customers.fields\]: Salesforce Account has no field "
                                              r"tax_id = 'Tax_ID__c' that the connector can read"):
            src.pull()
        assert handle.api_calls == {"composite": 1}  # the describes; no query was sent
        checks = {name: (ok, words) for name, ok, words in source(handle).test_connection()}
        assert not checks["objects readable"][0] and "field-level security" in checks["objects readable"][1]


def test_a_record_read_by_bulk_is_stored_as_the_same_record_read_by_rest(org):
    """Bulk 2.0 gives CSV text (empty for null, true/false, numbers as text, parents' fields as columns,
    datetimes with a Z), REST gives JSON: stored as read, a re-run by REST after a full Bulk pull showed every
    record changed."""
    objects = {kind: {} for kind in ("customers", "products", "prices", "orders", "order_lines", "invoices")}
    objects["order_lines"] = {"fields": {"product_id": "Product2Id"}}
    objects["customers"] = {"fields": {"xref": "Parent.AccountNumber"}}  # most accounts have no parent: null
    rest = source(org, objects, query_mode="rest").pull()
    bulk = source(org, objects, query_mode="bulk").pull()
    key = ["object", "record_id"]
    mine = rest.snapshots.sort_values(key).reset_index(drop=True)
    theirs = bulk.snapshots.sort_values(key).reset_index(drop=True)
    assert len(mine) == len(theirs) > 100
    assert mine["payload"].tolist() == theirs["payload"].tolist()
    assert mine["content_hash"].tolist() == theirs["content_hash"].tolist()
    assert rest.meta.content_hash == bulk.meta.content_hash
    assert any('"IsActive":"true"' in p for p in mine["payload"])
    assert any('"Parent.AccountNumber":null' in p for p in mine["payload"])  # as an empty Bulk cell reads



def test_an_object_the_org_does_not_have_is_named_before_anything_is_read(org):
    """An invoice object from a package the org has not installed: the describe says so, for that object,
    in a run that reads nothing (before: the first query failed, naming no config key)."""
    objects = {"customers": {}, "invoices": {"object": "acme__Invoice__c", "status_system": "salesforce_billing",
                                             "status_fields": ["acme__Status__c", "acme__Paid__c"]}}
    before = dict(org.api_calls)
    with pytest.raises(SourceError, match=r"Salesforce describe: acme__Invoice__c: NOT_FOUND: The requested "
                                          r"resource does not exist \(is the object's name right"):
        source(org, objects).pull()
    assert {k: v - before.get(k, 0) for k, v in org.api_calls.items() if v != before.get(k, 0)} == {"composite": 1}


def test_an_org_out_of_daily_api_requests_is_asked_once_and_told_to_wait_hours(tmp_path):
    """REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded." passes when the rolling 24 hours free requests,
    not in seconds: retried at once (five times) it only spent more of nothing, and said "still failing"."""
    for handle in salesforce_org(crm_frames(20), tmp_path):
        handle.set_api_limit(100, used=100)
        src = source(handle, max_attempts=5)
        with pytest.raises(TransientFailure, match=r"REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded\. The org "
                                                   r"has used every API request it is allowed in the last 24 hours"):
            src.pull()
        assert src.client.meter.calls == 1


def test_a_re_run_by_changes_after_a_full_bulk_pull_stores_unchanged_records_unchanged(org):
    """The full pull read by Bulk 2.0, the re-run by Composite queries (REST JSON) reading records saved
    unchanged since: merged, every stored record is byte for byte what a full Bulk pull stores now."""
    first = source(org, query_mode="bulk").pull()
    since = datetime.now(UTC) - timedelta(seconds=1)
    for obj, kind, field in (("Account", "customers", "BillingCity"), ("PricebookEntry", "prices", "UnitPrice")):
        for rec in first.snapshots[first.snapshots["kind"] == kind].itertuples():
            org.edit(obj, rec.record_id, {field: json.loads(rec.payload)[field]})  # saved unchanged: stamp moves
    again = source(org).pull_changes(None, since, first)
    assert all(kd.mode == CHANGES for kd in again.kinds.values())
    assert set(again.snapshots["kind"]) >= {"customers", "prices"}
    assert len(again.frame("customers")) == len(first.frame("customers"))
    merged, _ = merge(first, again)
    full = source(org, query_mode="bulk").pull()  # what a full pull by Bulk 2.0 stores now
    key = ["object", "record_id"]
    assert merged.snapshots.sort_values(key)[["payload", "content_hash"]].values.tolist() == \
        full.snapshots.sort_values(key)[["payload", "content_hash"]].values.tolist()
    assert merged.meta.content_hash == full.meta.content_hash


def test_a_compound_address_field_is_refused_naming_its_parts():
    """REST answers BillingAddress with an object and Bulk 2.0 not at all (Object Reference, Compound Fields):
    mapped as one value it read null for every record."""
    describe = {"fields": [{"name": "Id", "type": "id"}, {"name": "BillingAddress", "type": "address"},
                           {"name": "BillingCity", "type": "string"}]}
    m = ObjectMap("customers", "Account", {"record_id": "Id", "city": "BillingCity", "street": "billingaddress"})
    with pytest.raises(ConfigError, match=r"Account has no field street = 'billingaddress' \(a compound field: "
                                          r"map its parts, such as BillingCity for BillingAddress\)"):
        m.fitted(describe, None)
