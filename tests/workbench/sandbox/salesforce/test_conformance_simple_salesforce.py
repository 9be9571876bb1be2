"""A client the project did not write, used as its own documentation shows, against the sandbox over TLS.

simple-salesforce (README: Record Management, Queries, Bulk 2.0) in its session_id + instance_url mode; its
own logins build https://{domain}.salesforce.com and cannot reach a loopback org (see the fidelity table).
"""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from tests.workbench.sandbox.salesforce.frames import crm_frames
from tests.helpers.sandboxes import salesforce_org, simple_salesforce


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(300), tmp_path_factory.mktemp("sf"))


@pytest.fixture()
def sf(org):
    return simple_salesforce(org)


def test_query_matches_text_without_regard_to_case(sf):
    out = sf.query("SELECT Id, Name FROM Account WHERE Name = 'customer 00001 gmbh'")
    assert out["totalSize"] == 1 and out["records"][0]["Name"] == "Customer 00001 GmbH"


def test_query_all_follows_next_records_url_through_every_page(sf):
    pages = sf.query("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
    assert pages["done"] is False and len(pages["records"]) == 200
    everything = sf.query_all("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
    assert everything["totalSize"] >= 300
    assert len({r["Id"] for r in everything["records"]}) == everything["totalSize"]


def test_offset_beyond_2000_is_refused_with_salesforces_code(sf):
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.query("SELECT Id FROM Account LIMIT 5 OFFSET 2001")
    assert err.value.content[0]["errorCode"] == "NUMBER_OUTSIDE_VALID_RANGE"


def test_sobject_get_update_and_refused_update(sf):
    rid = sf.query("SELECT Id FROM Account WHERE AccountNumber = 'A-00005'")["records"][0]["Id"]
    assert sf.Account.update(rid, {"BillingCity": "Lübeck"}) == 204
    assert sf.Account.get(rid)["BillingCity"] == "Lübeck"
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.Account.update(rid, {"BillingCity": "x" * 41})
    assert err.value.status == 400 and err.value.content == [
        {"message": "Billing City: data value too large: " + "x" * 40 + " (max length=40)",
         "errorCode": "STRING_TOO_LONG", "fields": ["BillingCity"]}]
    assert sf.Account.get(rid)["BillingCity"] == "Lübeck"


def test_create_upsert_by_external_id_and_delete(sf):
    made = sf.Account.create({"Name": "Conformance GmbH", "BillingCountry": "DE"})
    assert made["success"] is True and made["id"].startswith("001")
    assert sf.Account.upsert("ERP_Customer_Number__c/CONF-1", {"BillingCity": "Bremen", "Name": "Conf 1"}) == 201
    assert sf.Account.upsert("ERP_Customer_Number__c/conf-1", {"BillingCity": "Emden"}) == 200
    found = sf.query("SELECT Id, BillingCity FROM Account WHERE ERP_Customer_Number__c = 'CONF-1'")["records"]
    assert [r["BillingCity"] for r in found] == ["Emden"]
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.Account.create({"BillingCity": "Nameless"})
    assert err.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.Account.delete(made["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Account.get(made["id"])
    assert gone.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_bulk2_query_returns_every_row_as_csv(sf):
    chunks = list(sf.bulk2.Account.query("SELECT Id, AccountNumber FROM Account WHERE AccountNumber LIKE 'a-%'",
                                         max_records=120))
    rows = [r for c in chunks for r in csv.DictReader(io.StringIO(c))]
    assert len(chunks) == 3 and len(rows) == 300 and rows[0].keys() == {"Id", "AccountNumber"}


def test_bulk2_update_applies_good_rows_and_reports_bad_ones_with_salesforces_error(sf):
    recs = sf.query("SELECT Id, Phone FROM Account WHERE AccountNumber IN ('A-00010', 'A-00011')")["records"]
    [result] = sf.bulk2.Account.update(records=[{"Id": recs[0]["Id"], "Phone": "+49 421 1"},
                                                {"Id": recs[1]["Id"], "Type": "Sometimes"}], wait=0.01)
    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"]) == (2, 1)
    failed = list(csv.DictReader(io.StringIO(sf.bulk2.Account.get_failed_records(result["job_id"]))))
    assert [r["sf__Id"] for r in failed] == [recs[1]["Id"]]
    assert failed[0]["sf__Error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:")
    assert sf.Account.get(recs[0]["Id"])["Phone"] == "+49 421 1"


def test_resources_the_sandbox_does_not_serve_are_unknown_resources(sf):
    with pytest.raises(SalesforceResourceNotFound) as err:
        sf.search("FIND {Customer}")
    assert err.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.bulk2.Account.insert(records=[{"Name": "Bulk insert"}], wait=0.01)
    assert err.value.content[0]["errorCode"] == "INVALIDJOB"


def test_bulk2_delete_removes_the_rows_and_queryall_still_sees_them(sf):
    rid = sf.query("SELECT Id FROM Account WHERE AccountNumber = 'A-00200'")["records"][0]["Id"]
    [result] = sf.bulk2.Account.delete(records=[{"Id": rid}], wait=0.01)
    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"]) == (1, 0)
    ok = list(csv.DictReader(io.StringIO(sf.bulk2.Account.get_successful_records(result["job_id"]))))
    assert [r["sf__Id"] for r in ok] == [rid]
    assert sf.query("SELECT Id FROM Account WHERE AccountNumber = 'A-00200'")["totalSize"] == 0
    assert sf.query_all("SELECT Id FROM Account WHERE AccountNumber = 'A-00200'", include_deleted=True
                        )["totalSize"] == 1
