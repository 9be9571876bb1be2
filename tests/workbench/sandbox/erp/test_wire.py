"""What the ERP sandbox puts on the wire, checked with a plain HTTP client."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from workbench.sandbox import erp
from workbench.sandbox.erp import fixture
from workbench.sandbox.erp.odata_filter import FilterError, compile_filter
from workbench.sandbox.erp.store import loads

TYPES = {"status": "Edm.String", "totalAmountIncludingTax": "Edm.Decimal", "dueDate": "Edm.Date",
         "lastModifiedDateTime": "Edm.DateTimeOffset", "id": "Edm.Guid"}


def bearer(h):
    return {"Authorization": f"Bearer {h.info['access_token']}"}


def test_odata_filter_subset_compares_by_type():
    rec = {"status": "Open", "totalAmountIncludingTax": Decimal("1000.50"), "dueDate": "2026-10-31",
           "lastModifiedDateTime": "2026-10-01T12:00:00.000Z", "id": "ABC00000-0000-0000-0000-000000000001"}
    t = lambda f: compile_filter(f, TYPES, "Microsoft.NAV.salesInvoice")(rec)  # noqa: E731
    assert t("status eq 'Open' and totalAmountIncludingTax gt 1000")
    assert not t("status eq 'Paid' or status eq 'Draft'")
    with pytest.raises(FilterError, match="'OR' operator is not supported on distinct fields"):
        t("status eq 'Paid' or totalAmountIncludingTax le 1000.49")  # real Business Central refuses this
    assert t("dueDate lt 2026-11-01 and lastModifiedDateTime gt 2026-10-01T11:59:59Z")
    assert t("not (status ne 'Open')")
    assert t("id eq abc00000-0000-0000-0000-000000000001")
    with pytest.raises(FilterError, match="Could not find a property named 'nope'"):
        compile_filter("nope eq 1", TYPES, "Microsoft.NAV.salesInvoice")
    with pytest.raises(FilterError):
        compile_filter("status eq", TYPES, "Microsoft.NAV.salesInvoice")


def test_business_central_list_shape_select_and_filter(bc):
    url = bc.info["api_root"] + "/salesInvoices"
    resp = httpx.get(url, headers=bearer(bc), params={"$select": "id,number,status", "$filter": "status eq 'Paid'"})
    body = loads(resp.content)
    assert resp.status_code == 200
    assert body["@odata.context"].endswith(
        f"$metadata#companies({bc.info['company_id']})/salesInvoices(id,number,status)")
    assert body["value"] and all(set(r) == {"@odata.etag", "id", "number", "status"} for r in body["value"])
    assert all(r["status"] == "Paid" for r in body["value"])


def test_business_central_errors_use_the_odata_error_body(bc):
    resp = httpx.get(bc.info["api_root"] + "/customers", headers=bearer(bc), params={"$filter": "foo eq 1"})
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "BadRequest" and "CorrelationId" in err["message"]
    assert httpx.get(bc.info["api_root"] + "/customers").status_code == 401


def test_patch_needs_if_match_and_the_etag_changes_on_every_write(bc):
    cust = httpx.get(bc.info["api_root"] + "/customers", headers=bearer(bc)).json()["value"][0]
    url = f"{bc.info['api_root']}/customers({cust['id']})"
    no_match = httpx.patch(url, headers=bearer(bc), json={"city": "Bergen"})
    assert no_match.status_code == 400 and no_match.json()["error"]["code"] == "BadRequest_InvalidToken"
    ok = httpx.patch(url, headers={**bearer(bc), "If-Match": cust["@odata.etag"]}, json={"city": "Bergen"})
    assert ok.status_code == 200 and ok.json()["@odata.etag"] != cust["@odata.etag"]
    assert ok.json()["lastModifiedDateTime"] > cust["lastModifiedDateTime"]
    stale = httpx.patch(url, headers={**bearer(bc), "If-Match": cust["@odata.etag"]}, json={"city": "Oslo"})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "Request_EntityChanged"
    assert httpx.get(url, headers=bearer(bc)).json()["city"] == "Bergen"


def test_page_cap_is_20000_with_a_next_link(tmp_path):
    data = {"customers": fixture.customers(20_003, seed=1)}
    h = erp.start(flavor="business-central", data=data, state_dir=tmp_path)
    try:
        resp = httpx.get(h.info["api_root"] + "/customers", params={"$select": "id"},
                         headers={**bearer(h), "Prefer": "odata.maxpagesize=50000"}, timeout=60)
        body = resp.json()
        assert len(body["value"]) == 20_000 and "$skiptoken=" in body["@odata.nextLink"]
        rest = httpx.get(body["@odata.nextLink"], headers=bearer(h), timeout=60).json()
        assert len(rest["value"]) == 3 and "@odata.nextLink" not in rest
    finally:
        h.stop()


def test_metadata_is_csdl_with_read_only_properties(bc):
    resp = httpx.get(bc.info["api_root"].split("/companies(")[0] + "/$metadata", headers=bearer(bc))
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/xml")
    assert '<EntitySet Name="salesInvoices" EntityType="Microsoft.NAV.salesInvoice"/>' in resp.text


def test_writes_persist_across_a_restart_on_the_same_state_dir(tmp_path, small):
    h = erp.start(flavor="business-central", data=small, state_dir=tmp_path)
    cust = httpx.get(h.info["api_root"] + "/customers", headers=bearer(h)).json()["value"][0]
    httpx.patch(f"{h.info['api_root']}/customers({cust['id']})", headers={**bearer(h), "If-Match": cust["@odata.etag"]},
                json={"displayName": "Persisted AG"}).raise_for_status()
    secret = h.info["client_secret"]
    h.stop()
    again = erp.start(flavor="business-central", state_dir=tmp_path)
    try:
        assert again.info["client_secret"] == secret
        got = httpx.get(f"{again.info['api_root']}/customers({cust['id']})", headers=bearer(again)).json()
        assert got["displayName"] == "Persisted AG"
    finally:
        again.stop()


def test_odoo_json2_search_read_domain_and_many2one(small):
    h = erp.start(flavor="odoo", data=small)
    try:
        hdr = {"Authorization": f"bearer {h.info['api_key']}", "X-Odoo-Database": h.info["database"]}
        rows = httpx.post(h.base_url + "/json/2/account.move/search_read", headers=hdr, json={
            "domain": ["|", ["payment_state", "=", "paid"], ["payment_state", "=", "partial"]],
            "fields": ["name", "partner_id", "amount_residual", "payment_state"], "limit": 5}).json()
        assert rows and all(r["payment_state"] in ("paid", "partial") for r in rows)
        assert isinstance(rows[0]["partner_id"], list) and isinstance(rows[0]["partner_id"][1], str)
        bad = httpx.post(h.base_url + "/json/2/res.partner/search_read", headers={"Authorization": "bearer nope"},
                         json={"domain": []})
        assert bad.status_code == 401 and bad.json()["name"] == "werkzeug.exceptions.Unauthorized"
        unknown = httpx.post(h.base_url + "/json/2/res.partner/search_read", headers=hdr,
                             json={"domain": [["nope", "=", 1]]})
        # a bad domain is a ValueError, which JSON-2 answers with 500 (addons/rpc/controllers/json2.py)
        assert unknown.status_code == 500 and "Invalid field res.partner.nope" in unknown.json()["message"]
    finally:
        h.stop()


def test_fixture_money_is_exact_and_dates_are_dates(small):
    inv = small["invoices"][0]
    assert isinstance(inv["total_amount"], Decimal) and isinstance(inv["due_date"], date)
