"""The sandbox on the wire: Salesforce's shapes, ids, errors, conditional writes, Bulk 2.0, persistence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.workbench.sandbox.salesforce.frames import crm_frames
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
    h = sandbox.start(frames=crm_frames(30), state_dir=tmp_path_factory.mktemp("sf"))
    yield h
    h.stop()


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
                             str(tmp_path / "scen"), "--state-dir", str(tmp_path / "state")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info["credentials"]) == {"session", "client_credentials", "password", "jwt"}
        assert Path(info["credentials"]["jwt"]["private_key_file"]).exists()
        r = requests.get(f"{info['instance_url']}/services/data/v59.0/query", verify=info["ca_bundle"],
                         params={"q": "SELECT COUNT() FROM Account"},
                         headers={"Authorization": "Bearer " + info["credentials"]["session"]["session_id"]})
        assert r.status_code == 200 and r.json()["totalSize"] == accounts
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
