"""Query subrequests of the sandbox's Composite resource, as the REST API Developer Guide describes them:
Query, QueryAll and Query More answered as the resources themselves answer, at most 5 of them and 25
subrequests a call, a call counted once against the API limits."""

from __future__ import annotations

import pytest

from tests.helpers.sandboxes import salesforce_org
from tests.workbench.sandbox.salesforce.frames import crm_frames
from tests.workbench.sandbox.salesforce.test_server import _composite, api, http

V = "/services/data/v59.0"


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(450), tmp_path_factory.mktemp("sf"))


def _query(ref, soql, resource="query", headers=None):
    sub = {"method": "GET", "url": f"{V}/{resource}?q={soql.replace(' ', '+')}", "referenceId": ref}
    if headers:
        sub["httpHeaders"] = headers
    return sub


def _results(r):
    assert r.status_code == 200
    return {x["referenceId"]: x for x in r.json()["compositeResponse"]}


def test_query_subrequests_answer_as_the_query_resources_do_and_page_by_next_records_url(org):
    s = http(org)
    soql = "SELECT Id, Name FROM Account ORDER BY Name"
    gone = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account ORDER BY Name LIMIT 1"}).json()["records"][0]
    assert s.delete(api(org, f"sobjects/Account/{gone['Id']}")).status_code == 204
    out = _results(_composite(s, org, [_query("live", soql, headers={"Sforce-Query-Options": "batchSize=200"}),
                                       _query("all", soql, "queryAll", {"Sforce-Query-Options": "batchSize=200"})]))
    direct = s.get(api(org, "query"), params={"q": soql}, headers={"Sforce-Query-Options": "batchSize=200"}).json()
    live = out["live"]["body"]
    assert out["live"]["httpStatusCode"] == 200
    assert (live["totalSize"], live["done"], live["records"]) == (449, False, direct["records"])
    assert out["all"]["body"]["totalSize"] == 450 and gone["Id"] in {r["Id"] for r in out["all"]["body"]["records"]}
    # the next batches, by nextRecordsUrl, as "Query More" subrequests
    records, page = list(live["records"]), live
    while not page["done"]:
        page = _results(_composite(s, org, [{"method": "GET", "url": page["nextRecordsUrl"], "referenceId": "more"}]
                                   ))["more"]["body"]
        records += page["records"]
    alone, nxt = list(direct["records"]), direct
    while not nxt["done"]:
        nxt = s.get(org.instance_url + nxt["nextRecordsUrl"]).json()
        alone += nxt["records"]
    assert records == alone and len(records) == 449


def test_a_failing_query_subrequest_fails_alone_in_salesforces_words(org):
    s = http(org)
    out = _results(_composite(s, org, [_query("bad", "SELECT Id, Nope__c FROM Account"),
                                       _query("good", "SELECT Id FROM Account LIMIT 2")]))
    assert out["bad"]["httpStatusCode"] == 400
    direct = s.get(api(org, "query"), params={"q": "SELECT Id, Nope__c FROM Account"})
    assert out["bad"]["body"] == direct.json() and direct.json()[0]["errorCode"] == "INVALID_FIELD"
    assert (out["good"]["httpStatusCode"], len(out["good"]["body"]["records"])) == (200, 2)


def test_a_composite_call_counts_once_however_many_queries_it_holds(org):
    s = http(org)
    before, used = dict(org.api_calls), org.org.api_used
    out = _results(_composite(s, org, [_query(f"q{i}", "SELECT Id FROM Account LIMIT 1") for i in range(5)]))
    assert [out[f"q{i}"]["httpStatusCode"] for i in range(5)] == [200] * 5
    assert org.org.api_used - used == 1 and org.api_calls["composite"] - before.get("composite", 0) == 1
    assert org.api_calls.get("query", 0) == before.get("query", 0)


@pytest.mark.parametrize("subrequests, words", [
    ([_query(f"q{i}", "SELECT Id FROM Account LIMIT 1") for i in range(6)], "5 query operations"),
    ([_query(f"q{i}", "SELECT Id FROM Account LIMIT 1") for i in range(5)] +
     [{"method": "GET", "url": f"{V}/sobjects/Account/001Wb00000000{i:02d}AAA", "referenceId": f"g{i}"}
      for i in range(21)], "25 operations"),
])
def test_a_call_over_its_limits_is_refused_as_a_whole(org, subrequests, words):
    s = http(org)
    r = _composite(s, org, subrequests)
    [refused] = r.json()["compositeResponse"]
    assert (refused["httpStatusCode"], refused["referenceId"], refused["body"][0]["errorCode"]) == \
        (400, None, "LIMIT_EXCEEDED")
    assert words in refused["body"][0]["message"]


def test_five_queries_and_twenty_other_subrequests_are_served(org):
    s = http(org)
    rid = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account LIMIT 1"}).json()["records"][0]["Id"]
    subs = [_query(f"q{i}", "SELECT Id FROM Account LIMIT 1") for i in range(5)] + \
        [{"method": "GET", "url": f"{V}/sobjects/Account/{rid}", "referenceId": f"g{i}"} for i in range(20)]
    out = _results(_composite(s, org, subs))
    assert len(out) == 25 and {x["httpStatusCode"] for x in out.values()} == {200}


@pytest.mark.parametrize("url", ["/services/data/v59.0", "query?q=SELECT+Id+FROM+Account",
                                 "https://elsewhere.example/services/data/v59.0/limits",
                                 "/services/data/v59.0/limits"])
def test_a_subrequest_url_must_be_a_served_rest_api_path(org, url):
    s = http(org)
    r = _composite(s, org, [{"method": "GET", "url": url, "referenceId": "x"}])
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "NOT_FOUND"
