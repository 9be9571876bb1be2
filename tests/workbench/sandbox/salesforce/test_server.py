"""The sandbox on the wire: Salesforce's shapes, ids, errors, conditional writes, Bulk 2.0, persistence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.workbench.sandbox.salesforce.frames import crm_frames
from tests.helpers.sandboxes import salesforce_org
from workbench.model import ids
from workbench.sandbox import salesforce as sandbox

ROOT = Path(__file__).resolve().parents[4]


def http(handle) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
    s.verify = handle.info["ca_bundle"]
    s.headers["Authorization"] = "Bearer " + handle.info["credentials"]["session"]["session_id"]
    return s


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(30), tmp_path_factory.mktemp("sf"))


@pytest.fixture(autouse=True)
def _no_faults(request):
    yield
    if "org" in request.fixturenames:
        request.getfixturevalue("org").faults.clear()


def api(org, path):
    return f"{org.instance_url}/services/data/v59.0/{path}"


def test_records_carry_attributes_valid_ids_and_limit_header(org):
    s = http(org)
    r = s.get(api(org, "query"), params={"q": "SELECT Id, Name, ParentId FROM Account WHERE ParentId != null"})
    assert r.status_code == 200
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")
    body = r.json(parse_float=Decimal)
    assert body["totalSize"] == 2 and body["done"] is True
    rec = body["records"][0]
    assert rec["attributes"]["type"] == "Account"
    assert rec["attributes"]["url"] == f"/services/data/v59.0/sobjects/Account/{rec['Id']}"
    for rid in (rec["Id"], rec["ParentId"]):
        assert len(rid) == 18 and ids.to_18(rid[:15]) == rid and rid.startswith("001")


def test_key_prefixes_per_object(org):
    s = http(org)
    for obj, prefix in [("Product2", "01t"), ("Pricebook2", "01s"), ("PricebookEntry", "01u"), ("Order", "801"),
                        ("OrderItem", "802"), ("Opportunity", "006")]:
        rec = s.get(api(org, "query"), params={"q": f"SELECT Id FROM {obj} LIMIT 1"}).json()["records"][0]
        assert rec["Id"].startswith(prefix) and ids.to_18(rec["Id"][:15]) == rec["Id"]


def test_errors_are_salesforce_error_lists(org):
    s = http(org)
    r = s.get(api(org, "query"), params={"q": "SELECT Bogus FROM Account"})
    assert r.status_code == 400
    assert r.json()[0]["errorCode"] == "INVALID_FIELD" and "Bogus" in r.json()[0]["message"]
    r = requests.get(api(org, "limits"), verify=org.info["ca_bundle"],
                     headers={"Authorization": "Bearer not-a-session"})
    assert r.status_code == 401 and r.json() == [{"message": "Session expired or invalid",
                                                  "errorCode": "INVALID_SESSION_ID", "fields": []}]


def test_paging_honours_batch_size_and_next_records_url(org):
    s = http(org)
    first = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account"},
                  headers={"Sforce-Query-Options": "batchSize=200"}).json()
    assert first["totalSize"] == 30 and first["done"] is True  # 30 < 200: one page
    extra = sandbox.start(frames=crm_frames(450))
    try:
        s2 = http(extra)
        page = s2.get(api(extra, "query"), params={"q": "SELECT Id FROM Account"},
                      headers={"Sforce-Query-Options": "batchSize=200"}).json()
        seen = [r["Id"] for r in page["records"]]
        while not page["done"]:
            assert page["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
            page = s2.get(extra.instance_url + page["nextRecordsUrl"]).json()
            seen += [r["Id"] for r in page["records"]]
        assert len(seen) == len(set(seen)) == 450
        # QueryAll pages too, though nextRecordsUrl says query (REST API Developer Guide, QueryAll More Results:
        # "The URI specified in the nextRecordsUrl field of a QueryAll response body contains query instead of
        # queryAll"; either URI reads the next set, deleted records included)
        assert s2.delete(api(extra, f"sobjects/Account/{seen[-1]}")).status_code == 204
        page = s2.get(api(extra, "queryAll"), params={"q": "SELECT Id, IsDeleted FROM Account"},
                      headers={"Sforce-Query-Options": "batchSize=200"}).json()
        urls, deleted = [], []
        while True:
            deleted += [r["Id"] for r in page["records"] if r["IsDeleted"]]
            if page["done"]:
                break
            urls.append(page["nextRecordsUrl"])
            assert urls[-1].startswith("/services/data/v59.0/query/01g")
            page = s2.get(extra.instance_url + urls[-1].replace("/query/", "/queryAll/" if len(urls) > 1 else
                                                                  "/query/")).json()
        assert len(urls) == 2 and deleted == [seen[-1]]
    finally:
        extra.stop()


def test_describe_lists_types_picklists_and_updateable(org):
    d = http(org).get(api(org, "sobjects/blng__Invoice__c/describe")).json()
    fields = {f["name"]: f for f in d["fields"]}
    assert d["keyPrefix"] == "a0X" and d["custom"] is True
    assert fields["blng__InvoiceStatus__c"]["type"] == "picklist"
    assert "Posted" in [p["value"] for p in fields["blng__InvoiceStatus__c"]["picklistValues"]]
    assert fields["Name"]["updateable"] is False and fields["blng__DueDate__c"]["updateable"] is True


def test_sobject_patch_moves_modstamp_and_honours_if_unmodified_since(org):
    s = http(org)
    rec = s.get(api(org, "query"), params={"q": "SELECT Id, SystemModstamp FROM Account LIMIT 1"}).json()["records"][0]
    url = api(org, f"sobjects/Account/{rec['Id']}")
    before = s.get(url)
    assert s.patch(url, json={"BillingCity": "Leipzig"}).status_code == 204
    after = s.get(url).json()
    assert after["BillingCity"] == "Leipzig" and after["SystemModstamp"] > rec["SystemModstamp"]
    stale = s.patch(url, json={"BillingCity": "Dresden"}, headers={"If-Match": before.headers["ETag"]})
    assert stale.status_code == 412 and stale.json()[0]["errorCode"] == "PRECONDITION_FAILED"
    old = s.patch(url, json={"BillingCity": "Dresden"},
                  headers={"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert old.status_code == 412
    assert s.get(url).json()["BillingCity"] == "Leipzig"


def test_collections_answer_per_record_in_request_order(org):
    s = http(org)
    recs = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account LIMIT 3"}).json()["records"]
    body = {"allOrNone": False, "records": [
        {"attributes": {"type": "Account"}, "id": recs[0]["Id"], "Phone": "+49 30 1"},
        {"attributes": {"type": "Account"}, "id": recs[1]["Id"], "Name": "x" * 300},
        {"attributes": {"type": "Account"}, "id": recs[2]["Id"], "AccountNumber": "A-1", "CreatedDate": "x"}]}
    out = s.patch(api(org, "composite/sobjects"), json=body).json()
    assert [r["success"] for r in out] == [True, False, False]
    assert out[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert out[2]["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    too_many = {"allOrNone": False, "records": [body["records"][0]] * 201}
    r = s.patch(api(org, "composite/sobjects"), json=too_many)
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_all_or_none_rolls_back_every_record(org):
    s = http(org)
    recs = s.get(api(org, "query"), params={"q": "SELECT Id, Phone FROM Account LIMIT 2 OFFSET 5"}).json()["records"]
    body = {"allOrNone": True, "records": [
        {"attributes": {"type": "Account"}, "id": recs[0]["Id"], "Phone": "+1 555"},
        {"attributes": {"type": "Account"}, "id": recs[1]["Id"], "CurrencyIsoCode": "XXX"}]}
    out = s.patch(api(org, "composite/sobjects"), json=body).json()
    assert out[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert out[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert s.get(api(org, f"sobjects/Account/{recs[0]['Id']}")).json()["Phone"] == recs[0]["Phone"]


def test_bulk_query_job_states_and_locator_pages(org):
    s = http(org)
    job = s.post(api(org, "jobs/query"), json={"operation": "query", "query": "SELECT Id, Name FROM Account"}).json()
    assert job["state"] == "UploadComplete" and job["id"].startswith("750")
    early = s.get(api(org, f"jobs/query/{job['id']}/results"))
    assert early.status_code == 412 and early.json()[0]["errorCode"] == "JOB_NOT_COMPLETE"
    states = [s.get(api(org, f"jobs/query/{job['id']}")).json()["state"] for _ in range(2)]
    assert states == ["InProgress", "JobComplete"]
    rows, locator, pages = [], None, 0
    while locator != "null":
        params = {"maxRecords": 12, **({"locator": locator} if locator else {})}
        r = s.get(api(org, f"jobs/query/{job['id']}/results"), params=params)
        assert r.headers["Content-Type"].startswith("text/csv")
        lines = r.text.splitlines()
        assert lines[0] == '"Id","Name"'
        assert int(r.headers["Sforce-NumberOfRecords"]) == len(lines) - 1
        rows += lines[1:]
        locator, pages = r.headers["Sforce-Locator"], pages + 1
    assert pages == 3 and len(rows) == 30


def test_writes_persist_across_a_restart_on_the_same_state_dir(tmp_path):
    first = sandbox.start(frames=crm_frames(5), state_dir=tmp_path)
    try:
        s = http(first)
        rid = s.get(api(first, "query"), params={"q": "SELECT Id FROM Account LIMIT 1"}).json()["records"][0]["Id"]
        assert s.patch(api(first, f"sobjects/Account/{rid}"), json={"BillingCity": "Kiel"}).status_code == 204
    finally:
        first.stop()
    second = sandbox.start(frames=crm_frames(99), state_dir=tmp_path)  # not reseeded: the org has data
    try:
        s = http(second)
        assert s.get(api(second, f"sobjects/Account/{rid}")).json()["BillingCity"] == "Kiel"
        assert s.get(api(second, "query"), params={"q": "SELECT COUNT() FROM Account"}).json()["totalSize"] == 5
    finally:
        second.stop()


def test_soap_login_refuses_wrong_password_with_a_soap_fault(org):
    body = ("<?xml version='1.0'?><env:Envelope xmlns:env='http://schemas.xmlsoap.org/soap/envelope/'><env:Body>"
            "<n1:login xmlns:n1='urn:partner.soap.sforce.com'><n1:username>"
            f"{org.info['credentials']['password']['username']}</n1:username><n1:password>wrong</n1:password>"
            "</n1:login></env:Body></env:Envelope>")
    r = requests.post(f"{org.instance_url}/services/Soap/u/59.0", data=body, verify=org.info["ca_bundle"],
                      headers={"SOAPAction": "login", "Content-Type": "text/xml"})
    assert r.status_code == 500 and "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in r.text


def test_command_prints_one_json_line_when_ready(tmp_path):
    from workbench.sandbox.scenario import generate, load
    generate(3, 8, tmp_path / "scen")
    accounts = len(load(tmp_path / "scen").crm["customers"])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "workbench.sandbox.salesforce", "--scenario",
                             str(tmp_path / "scen"), "--state-dir", str(tmp_path / "state"),
                             "--single-currency", "CHF"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info["credentials"]) == {"session", "client_credentials", "password", "jwt"}
        assert Path(info["credentials"]["jwt"]["private_key_file"]).exists()
        r = requests.get(f"{info['instance_url']}/services/data/v59.0/query", verify=info["ca_bundle"],
                         params={"q": "SELECT COUNT() FROM Account"},
                         headers={"Authorization": "Bearer " + info["credentials"]["session"]["session_id"]})
        assert r.status_code == 200 and r.json()["totalSize"] == accounts
        r = requests.get(f"{info['instance_url']}/services/data/v59.0/query", verify=info["ca_bundle"],
                         params={"q": "SELECT CurrencyIsoCode FROM Account"},
                         headers={"Authorization": "Bearer " + info["credentials"]["session"]["session_id"]})
        assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_FIELD"  # an org of one currency
    finally:
        proc.send_signal(signal.SIGINT)
        # However long a busy machine takes to stop it (pytest-timeout guards a real hang).
        code = proc.wait()
    assert code == 0


def _composite(s, org, subs, all_or_none=False):
    return s.post(api(org, "composite"), json={"allOrNone": all_or_none, "compositeRequest": subs})


def _patch_sub(rid, ref, body, headers=None, obj="Account"):
    sub = {"method": "PATCH", "url": f"/services/data/v59.0/sobjects/{obj}/{rid}", "referenceId": ref, "body": body}
    if headers:
        sub["httpHeaders"] = headers
    return sub


def test_composite_honours_each_subrequests_conditional_headers(org):
    s = http(org)
    recs = s.get(api(org, "query"), params={"q": "SELECT Id, Phone FROM Account ORDER BY Id LIMIT 3 OFFSET 10"}
                 ).json()["records"]
    etag = s.get(api(org, f"sobjects/Account/{recs[2]['Id']}")).headers["ETag"]
    r = _composite(s, org, [
        _patch_sub(recs[0]["Id"], "fresh", {"Phone": "+1 1"}, {"If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}),
        _patch_sub(recs[1]["Id"], "stale", {"Phone": "+1 2"}, {"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}),
        _patch_sub(recs[2]["Id"], "etag", {"Phone": "+1 3"}, {"If-Match": etag}),
    ])
    assert r.status_code == 200
    out = {x["referenceId"]: x for x in r.json()["compositeResponse"]}
    assert [out[k]["httpStatusCode"] for k in ("fresh", "stale", "etag")] == [204, 412, 204]
    assert out["stale"]["body"][0]["errorCode"] == "PRECONDITION_FAILED"
    phones = [s.get(api(org, f"sobjects/Account/{x['Id']}")).json()["Phone"] for x in recs]
    assert phones == ["+1 1", recs[1]["Phone"], "+1 3"]
    again = _composite(s, org, [_patch_sub(recs[2]["Id"], "old-etag", {"Phone": "+1 4"}, {"If-Match": etag})])
    assert again.json()["compositeResponse"][0]["httpStatusCode"] == 412


def test_composite_all_or_none_halts_the_rest_and_limits_subrequests(org):
    s = http(org)
    recs = s.get(api(org, "query"), params={"q": "SELECT Id, Phone FROM Account ORDER BY Id LIMIT 2 OFFSET 15"}
                 ).json()["records"]
    r = _composite(s, org, [_patch_sub(recs[0]["Id"], "a", {"Phone": "+9"}),
                            _patch_sub(recs[1]["Id"], "b", {"Name": "x" * 300})], all_or_none=True)
    a, b = r.json()["compositeResponse"]
    assert (a["httpStatusCode"], a["body"][0]["errorCode"]) == (400, "PROCESSING_HALTED")
    assert (b["httpStatusCode"], b["body"][0]["errorCode"]) == (400, "STRING_TOO_LONG")
    assert s.get(api(org, f"sobjects/Account/{recs[0]['Id']}")).json()["Phone"] == recs[0]["Phone"]
    too_many = _composite(s, org, [_patch_sub(recs[0]["Id"], f"r{i}", {"Phone": "+9"}) for i in range(26)])
    [refused] = too_many.json()["compositeResponse"]
    assert (refused["httpStatusCode"], refused["referenceId"], refused["body"][0]["errorCode"]) == \
        (400, None, "LIMIT_EXCEEDED")
    assert s.get(api(org, f"sobjects/Account/{recs[0]['Id']}")).json()["Phone"] == recs[0]["Phone"]
    unknown = _composite(s, org, [{"method": "DELETE", "url": f"/services/data/v59.0/sobjects/Account/{recs[0]['Id']}",
                                   "referenceId": "d"}])
    assert unknown.status_code == 400 and s.get(api(org, f"sobjects/Account/{recs[0]['Id']}")).status_code == 200


@pytest.mark.parametrize("obj, values, code, field", [
    ("Account", {"Name": "x" * 256}, "STRING_TOO_LONG", "Name"),
    ("Account", {"BillingStreet": "x" * 256}, "STRING_TOO_LONG", "BillingStreet"),
    ("Account", {"Name": None}, "REQUIRED_FIELD_MISSING", "Name"),
    ("Account", {"Name": ""}, "REQUIRED_FIELD_MISSING", "Name"),
    ("Account", {"Type": "Sometimes"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Type"),
    ("Account", {"CreatedDate": "2026-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE", "CreatedDate"),
    ("Account", {"ParentId": "not-an-id"}, "MALFORMED_ID", "ParentId"),
    ("Account", {"ParentId": ids.to_18("01tWb0000000001")}, "FIELD_INTEGRITY_EXCEPTION", "ParentId"),
    ("Account", {"ParentId": ids.to_18("001Wb00000ZZZZZ")}, "INVALID_CROSS_REFERENCE_KEY", "ParentId"),
    ("Account", {"BillingCity": {"city": "Bonn"}}, "JSON_PARSER_ERROR", "BillingCity"),
    ("Account", {"Nope__c": "1"}, "INVALID_FIELD", "Nope__c"),
    ("blng__Invoice__c", {"blng__TotalAmount__c": "abc"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "blng__TotalAmount__c"),
    ("blng__Invoice__c", {"blng__TotalAmount__c": "1e17"}, "NUMBER_OUTSIDE_VALID_RANGE", "blng__TotalAmount__c"),
    ("blng__Invoice__c", {"blng__DueDate__c": "not-a-date"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "blng__DueDate__c"),
    ("blng__Invoice__c", {"Name": "INV-X"}, "INVALID_FIELD_FOR_INSERT_UPDATE", "Name"),
])
def test_writes_are_checked_against_the_sandboxs_own_describe(org, obj, values, code, field):
    s = http(org)
    described = {f["name"]: f for f in s.get(api(org, f"sobjects/{obj}/describe")).json()["fields"]}
    rid = s.get(api(org, "query"), params={"q": f"SELECT Id FROM {obj} LIMIT 1"}).json()["records"][0]["Id"]
    before = s.get(api(org, f"sobjects/{obj}/{rid}")).json()
    r = s.patch(api(org, f"sobjects/{obj}/{rid}"), json=values)
    assert r.status_code == 400
    assert r.json() == [{"message": r.json()[0]["message"], "errorCode": code, "fields": [field]}]
    after = s.get(api(org, f"sobjects/{obj}/{rid}")).json()
    assert after == before  # nothing half-written
    if field in described and code == "INVALID_FIELD_FOR_INSERT_UPDATE":
        assert described[field]["updateable"] is False
    if code == "STRING_TOO_LONG":
        assert described[field]["length"] == 255


def test_gzip_request_bodies_are_accepted(org):
    import gzip
    s = http(org)
    rid = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account LIMIT 1 OFFSET 20"}).json()["records"][0]["Id"]
    r = s.patch(api(org, f"sobjects/Account/{rid}"), data=gzip.compress(json.dumps({"BillingCity": "Kiel"}).encode()),
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert r.status_code == 204
    assert s.get(api(org, f"sobjects/Account/{rid}")).json()["BillingCity"] == "Kiel"


def test_offset_above_2000_and_unsupported_soql_are_refused_like_salesforce(org):
    s = http(org)
    r = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account LIMIT 1 OFFSET 2001"})
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "NUMBER_OUTSIDE_VALID_RANGE"
    assert s.get(api(org, "query"), params={"q": "SELECT Id FROM Account OFFSET 2000"}).status_code == 200
    for q in ("SELECT BillingCountry, COUNT(Id) FROM Account GROUP BY BillingCountry",
              "SELECT Id FROM Account WHERE CreatedDate = THIS_FISCAL_YEAR",
              "SELECT Id, (SELECT Id FROM Contacts) FROM Account"):
        r = s.get(api(org, "query"), params={"q": q})
        assert r.status_code == 400 and r.json()[0]["errorCode"] == "MALFORMED_QUERY", q


def test_if_unmodified_since_is_judged_by_the_second_in_every_http_date_form(org):
    """RFC 9110 5.6.7: IMF-fixdate, RFC 850 and asctime dates are all GMT and must all be accepted (asctime
    made the sandbox fail with a 500); 13.1.4: refused only when the last change is later than the date,
    which has whole seconds, so a change within the date's own second passes."""
    s = http(org)
    rec = s.get(api(org, "query"), params={"q": "SELECT Id FROM Account LIMIT 1 OFFSET 5"}).json()["records"][0]
    url = api(org, f"sobjects/Account/{rec['Id']}")
    changed = datetime.strptime(s.get(url).json()["LastModifiedDate"][:19], "%Y-%m-%dT%H:%M:%S")
    earlier = changed - timedelta(seconds=1)
    for when, status in ((changed, 204), (earlier, 412)):
        for form in ("%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"):
            answer = s.patch(url, json={"Phone": "+1 5"}, headers={"If-Unmodified-Since": when.strftime(form)})
            assert answer.status_code == status, (when.strftime(form), answer.text)
            if status == 204:  # the write moved the record's stamp: the next form is judged against it
                changed = datetime.strptime(s.get(url).json()["LastModifiedDate"][:19], "%Y-%m-%dT%H:%M:%S")
                when = changed
