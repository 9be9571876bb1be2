"""The Business Central sandbox refuses what real Business Central refuses, with its error codes,
and serves the query options it claims the way the OData documentation describes them."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import httpx
import pytest

from tests.workbench.sandbox.erp.bc_http import bearer, first, patch, set_url


def error(resp: httpx.Response) -> tuple[int, str, str]:
    err = resp.json()["error"]
    return resp.status_code, err["code"], err["message"]


@pytest.mark.parametrize("body, code, words", [
    ({"creditLimit": "abc"}, "BadRequest", "Edm.Decimal"),
    ({"creditLimit": ""}, "BadRequest", "Edm.Decimal"),
    ({"creditLimit": None}, "BadRequest", "does not allow null values"),
    ({"blocked": "Sometimes"}, "Application_EvaluateException", '"Sometimes"'),
    ({"country": "X" * 43}, "Application_StringExceededLength",
     "The length of the string is 43, but it must be less than or equal to 10 characters"),
    ({"city": 12}, "BadRequest", "Edm.String"),
    ({"balanceDue": 5}, "BadRequest_InvalidOperation", "'balanceDue' is read-only"),
    ({"number_of_legs": 4}, "BadRequest", "The property 'number_of_legs' does not exist on type "
                                          "'Microsoft.NAV.customer'"),
])
def test_a_customer_write_against_metadata_is_refused_and_nothing_changes(bc, body, code, words):
    cust = first(bc, "customers")
    resp = patch(bc, "customers", cust, body)
    status, got_code, message = error(resp)
    assert (status, got_code) == (400, code)
    assert words in message
    after = bc.store.get("customers", cust["id"])
    assert {k: after[0][k] for k in ("creditLimit", "blocked", "country", "city")} == \
           {k: cust[k] for k in ("creditLimit", "blocked", "country", "city")}
    assert after[1] == 1  # the etag did not move


@pytest.mark.parametrize("entity, body, code", [
    ("salesInvoices", {"dueDate": "not-a-date"}, "BadRequest"),
    ("salesInvoices", {"dueDate": "2026-02-30"}, "BadRequest"),
    ("salesInvoices", {"remainingAmount": 0}, "BadRequest_InvalidOperation"),
    ("salesOrderLines", {"quantity": True}, "BadRequest"),
    ("items", {"blocked": "maybe"}, "BadRequest"),
    ("salesPrices", {"unitPrice": "12.50"}, "BadRequest"),
])
def test_other_entities_refuse_wrong_types_and_read_only_properties(bc, entity, body, code):
    rec = first(bc, entity)
    status, got_code, _ = error(patch(bc, entity, rec, body))
    assert (status, got_code) == (400, code)


def test_well_typed_writes_are_stored_in_the_metadata_type(bc):
    cust = first(bc, "customers")
    resp = patch(bc, "customers", cust, {"creditLimit": 1500, "blocked": "Invoice", "city": "Bergen",
                                         "country": "NO"})
    assert resp.status_code == 200
    assert resp.json()["creditLimit"] == 1500 and resp.json()["blocked"] == "Invoice"
    inv = first(bc, "salesInvoices")
    assert patch(bc, "salesInvoices", inv, {"dueDate": "0001-01-01"}).json()["dueDate"] == "0001-01-01"
    price = first(bc, "salesPrices")
    resp = httpx.patch(f"{set_url(bc, 'salesPrices')}({price['id']})", content=b'{"unitPrice": 12.345}',
                       headers={**bearer(bc), "If-Match": price["@odata.etag"], "Content-Type": "application/json"})
    assert resp.status_code == 200 and bc.store.get("salesPrices", price["id"])[0]["unitPrice"] == Decimal("12.345")


def test_post_creates_with_blank_defaults_and_is_checked_like_patch(bc):
    url = f"{bc.info['api_root']}/customers"
    made = httpx.post(url, headers=bearer(bc), json={"displayName": "Nordlys AS", "city": "Tromsø"})
    assert made.status_code == 201
    body = made.json()
    # the blank member by its name, as API v2.0 sends an enum value (transition-to-api-v2.0.md, Enums)
    assert body["displayName"] == "Nordlys AS" and body["blocked"] == "_x0020_" and body["creditLimit"] == 0
    assert httpx.get(f"{url}({body['id']})", headers=bearer(bc)).json()["city"] == "Tromsø"
    refused = httpx.post(url, headers=bearer(bc), json={"displayName": "N" * 101})
    assert error(refused)[:2] == (400, "Application_StringExceededLength")
    assert bc.store.count("customers") == 13


def test_metadata_publishes_lengths_enums_and_non_nullable_value_types(bc):
    resp = httpx.get(bc.info["api_root"].split("/companies(")[0] + "/$metadata", headers=bearer(bc))
    root = ET.fromstring(resp.content)
    ns = {"edm": "http://docs.oasis-open.org/odata/ns/edm"}
    enum = root.find(".//edm:EnumType[@Name='customerBlocked']", ns)
    assert [m.get("Name") for m in enum] == ["_x0020_", "Ship", "Invoice", "All"]
    cust = {p.get("Name"): p for p in root.find(".//edm:EntityType[@Name='customer']", ns).findall("edm:Property", ns)}
    assert cust["country"].get("MaxLength") == "10"
    assert cust["blocked"].get("Type") == "Microsoft.NAV.customerBlocked"
    assert cust["creditLimit"].get("Nullable") == "false"
    order = root.find(".//edm:EntityType[@Name='salesOrder']", ns)
    assert order.find("edm:NavigationProperty", ns).get("Name") == "salesOrderLines"


def test_unknown_record_is_internal_record_not_found(bc):
    resp = httpx.get(f"{bc.info['api_root']}/customers(00000000-0000-0000-0000-00000000abcd)", headers=bearer(bc))
    assert error(resp)[:2] == (404, "Internal_RecordNotFound")


# -- reads ---------------------------------------------------------------------------------------------------------

def get(bc, entity: str, params: dict, **headers) -> httpx.Response:
    return httpx.get(f"{bc.info['api_root']}/{entity}", params=params, headers={**bearer(bc), **headers})


def test_orderby_skip_and_count(bc):
    names = sorted(c["displayName"] for c in get(bc, "customers", {}).json()["value"])
    desc = get(bc, "customers", {"$orderby": "displayName desc", "$select": "displayName"}).json()["value"]
    assert [c["displayName"] for c in desc] == names[::-1]
    body = get(bc, "customers", {"$orderby": "displayName", "$skip": "3", "$top": "4", "$count": "true"}).json()
    assert [c["displayName"] for c in body["value"]] == names[3:7]
    assert body["@odata.count"] == 12


def test_top_larger_than_the_page_pages_without_losing_rows(bc):
    url, seen = None, []
    resp = get(bc, "customers", {"$top": "7", "$select": "id"}, Prefer="odata.maxpagesize=3")
    while True:
        body = resp.json()
        seen += [c["id"] for c in body["value"]]
        url = body.get("@odata.nextLink")
        if not url:
            break
        resp = httpx.get(url, headers=bearer(bc))
    everything = [c["id"] for c in get(bc, "customers", {"$select": "id"}).json()["value"]]
    assert seen == everything[:7]


def test_ordered_paging_follows_next_links_to_the_same_order(bc):
    ordered = [c["id"] for c in get(bc, "customers", {"$orderby": "city,displayName"}).json()["value"]]
    body = get(bc, "customers", {"$orderby": "city,displayName"}, Prefer="odata.maxpagesize=5").json()
    got = [c["id"] for c in body["value"]]
    while body.get("@odata.nextLink"):
        body = httpx.get(body["@odata.nextLink"], headers=bearer(bc)).json()
        got += [c["id"] for c in body["value"]]
    assert got == ordered and len(got) == 12


def test_expand_order_lines_on_orders(bc):
    order = get(bc, "salesOrders", {"$expand": "salesOrderLines", "$top": "1"}).json()["value"][0]
    stored = [d for _, d, _ in bc.store.scan("salesOrderLines") if d["documentId"] == order["id"]]
    assert [ln["id"] for ln in order["salesOrderLines"]] == [d["id"] for d in stored] and stored
    one = httpx.get(f"{bc.info['api_root']}/salesOrders({order['id']})", params={"$expand": "salesOrderLines"},
                    headers=bearer(bc)).json()
    assert len(one["salesOrderLines"]) == len(stored)


def test_lines_are_listed_only_for_an_order_as_business_central_lists_them(bc):
    """Page 30044 "APIV2 - Sales Order Lines" reads lines only for an Id or Document Id filter."""
    for path in ("salesOrderLines", "salesOrderLines/$count"):
        code, name, message = error(get(bc, path, {}))
        assert (code, name) == (400, "Application_DialogException")
        assert message.startswith("You must specify an Id or a Document Id to get the lines.")
    assert error(get(bc, "salesOrderLines", {"$filter": "quantity gt 0"}))[0] == 400
    order = first(bc, "salesOrders")
    stored = [d["id"] for _, d, _ in bc.store.scan("salesOrderLines") if d["documentId"] == order["id"]]
    by_filter = get(bc, "salesOrderLines", {"$filter": f"documentId eq {order['id']}"}).json()["value"]
    by_path = get(bc, f"salesOrders({order['id']})/salesOrderLines", {}).json()["value"]
    assert [ln["id"] for ln in by_filter] == [ln["id"] for ln in by_path] == stored and stored
    assert get(bc, "salesOrderLines/$count", {"$filter": f"documentId eq {order['id']}"}).text == str(len(stored))


def test_expand_takes_a_select_of_the_lines_and_refuses_other_nested_options(bc):
    body = get(bc, "salesOrders", {"$select": "id", "$expand": "salesOrderLines($select=id,quantity)"}).json()
    lines = [ln for order in body["value"] for ln in order["salesOrderLines"]]
    assert len(lines) == bc.store.count("salesOrderLines")
    assert all(set(ln) == {"@odata.etag", "id", "quantity"} for ln in lines)
    assert all(set(order) == {"@odata.etag", "id", "salesOrderLines"} for order in body["value"])
    code, _, message = error(get(bc, "salesOrders", {"$expand": "salesOrderLines($top=1)"}))
    assert code == 400 and "$top" in message
    code, _, message = error(get(bc, "salesOrders", {"$expand": "salesOrderLines($select=nope)"}))
    assert code == 400 and "'nope'" in message


def test_a_paged_expansion_links_to_the_rest_of_the_lines(bc):
    bc.impl.expanded_page = 1
    order = max(get(bc, "salesOrders", {"$expand": "salesOrderLines($select=id)"}).json()["value"],
                key=lambda o: o.get("salesOrderLines@odata.nextLink") is not None)
    stored = [d["id"] for _, d, _ in bc.store.scan("salesOrderLines") if d["documentId"] == order["id"]]
    assert len(stored) > 1 and len(order["salesOrderLines"]) == 1
    got, link = [ln["id"] for ln in order["salesOrderLines"]], order["salesOrderLines@odata.nextLink"]
    while link:
        body = httpx.get(link, headers=bearer(bc)).json()
        assert all(set(ln) == {"@odata.etag", "id"} for ln in body["value"])
        got += [ln["id"] for ln in body["value"]]
        link = body.get("@odata.nextLink")
    assert got == stored


def test_deleting_an_order_deletes_its_lines(bc):
    order = first(bc, "salesOrders")
    lines = get(bc, f"salesOrders({order['id']})/salesOrderLines", {}).json()["value"]
    assert lines
    resp = httpx.delete(f"{bc.info['api_root']}/salesOrders({order['id']})", headers={**bearer(bc), "If-Match": "*"})
    assert resp.status_code == 204
    assert all(bc.store.get("salesOrderLines", ln["id"]) is None for ln in lines)
    assert get(bc, "salesOrderLines", {"$filter": f"documentId eq {order['id']}"}).json()["value"] == []


def test_text_functions_and_in(bc):
    cust = first(bc, "customers")
    word = cust["displayName"].split()[0]
    got = get(bc, "customers", {"$filter": f"contains(displayName,'{word}')"}).json()["value"]
    assert got and all(word in c["displayName"] for c in got)
    assert word != word.lower()
    # text filters are case-sensitive, as AL filters are; tolower() lifts that
    assert get(bc, "customers", {"$filter": f"startswith(displayName,'{word.lower()}')"}).json()["value"] == []
    low = get(bc, "customers", {"$filter": f"startswith(tolower(displayName),'{word.lower()}')"}).json()["value"]
    assert {c["id"] for c in low} >= {c["id"] for c in got if c["displayName"].startswith(word)}
    both = get(bc, "customers", {"$filter": f"city in ('{cust['city']}','Nowhere')"}).json()["value"]
    assert cust["id"] in {c["id"] for c in both} and all(c["city"] == cust["city"] for c in both)


@pytest.mark.parametrize("params, words", [
    ({"$filter": "city eq 'Berlin' or country eq 'DE'"}, "'OR' operator is not supported on distinct fields"),
    ({"$filter": "substring(city, 1) eq 'erlin'"}, "Unknown function 'substring'"),
    ({"$skiptoken": "bogus!"}, "The skip token value 'bogus!' is invalid"),
    ({"$skiptoken": "LTE6MA=="}, "is invalid"),  # "-1:0": well-formed but never issued
    ({"$search": "Berlin"}, "The query parameter '$search' is not supported"),
    ({"$apply": "groupby((city))"}, "The query parameter '$apply' is not supported"),
    ({"$expand": "picture"}, "Could not find a property named 'picture'"),
    ({"$orderby": "shoeSize"}, "Could not find a property named 'shoeSize'"),
    ({"$top": "-1"}, "$top query option requires a non-negative integer"),
    ({"$count": "maybe"}, "not a valid count option"),
])
def test_what_is_not_served_is_a_400_never_a_silent_200(bc, params, words):
    status, code, message = error(get(bc, "customers", params))
    assert (status, code) == (400, "BadRequest")
    assert words in message


def test_companies_filter_is_applied_not_ignored(bc):
    url = bc.info["api_root"].split("/companies(")[0] + "/companies"
    hit = httpx.get(url, headers=bearer(bc), params={"$filter": f"name eq '{bc.info['company_name']}'"}).json()
    miss = httpx.get(url, headers=bearer(bc), params={"$filter": "name eq 'No Such Company'"}).json()
    assert [c["id"] for c in hit["value"]] == [bc.info["company_id"]] and miss["value"] == []
    assert error(httpx.get(url, headers=bearer(bc), params={"$orderby": "name"}))[:2] == (400, "BadRequest")


def test_count_segment_counts_what_the_filter_keeps(bc):
    paid = [d for _, d, _ in bc.store.scan("salesInvoices") if d["status"] == "Paid"]
    assert 0 < len(paid) < bc.store.count("salesInvoices")
    resp = httpx.get(f"{bc.info['api_root']}/salesInvoices/$count", headers=bearer(bc),
                     params={"$filter": "status eq 'Paid'"})
    assert resp.headers["content-type"].startswith("text/plain") and int(resp.text) == len(paid)


def test_a_key_that_is_not_a_guid_and_an_unserved_method_are_refused(bc):
    resp = httpx.get(f"{bc.info['api_root']}/customers('C10000')", headers=bearer(bc))
    assert error(resp)[:2] == (400, "BadRequest_NotFound")
    cust = first(bc, "customers")
    put = httpx.put(f"{bc.info['api_root']}/customers({cust['id']})", json={"displayName": "X"},
                    headers={**bearer(bc), "If-Match": "*"})  # API v2.0 updates with PATCH only
    assert error(put)[:2] == (405, "BadRequest_MethodNotAllowed")
    assert bc.store.get("customers", cust["id"]) is not None


def test_a_last_modified_filter_keeps_exactly_the_later_records_to_the_millisecond(bc):
    """What an incremental reader asks (``lastModifiedDateTime gt``, ranges with ``le``, their counts):
    the answer is exact below the second, and takes stamps stored in another form too."""
    from datetime import datetime, timedelta, timezone

    def when(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    invoices = [d for _, d, _ in bc.store.scan("salesInvoices")]
    base = when(invoices[0]["lastModifiedDateTime"]).replace(microsecond=0) + timedelta(days=400)
    for i, inv in enumerate(invoices[:6]):  # six stamps within one second, one stored at UTC+1
        stamp = base + timedelta(milliseconds=100 * i)
        text = stamp.astimezone(timezone(timedelta(hours=1))).isoformat(timespec="milliseconds") if i == 4 else \
            stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        bc.store.update("salesInvoices", inv["id"], lambda d, v, t=text: {**d, "lastModifiedDateTime": t})
    bound = (base + timedelta(milliseconds=250)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    upper = (base + timedelta(milliseconds=450)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    url = f"{bc.info['api_root']}/salesInvoices"
    got = httpx.get(url, headers=bearer(bc), params={"$filter": f"lastModifiedDateTime gt {bound}",
                                                     "$select": "id"}).json()["value"]
    assert sorted(r["id"] for r in got) == sorted(inv["id"] for inv in invoices[3:6])
    ranged = f"lastModifiedDateTime gt {bound} and lastModifiedDateTime le {upper}"
    assert int(httpx.get(f"{url}/$count", headers=bearer(bc), params={"$filter": ranged}).text) == 2


def _before_next_link(resp: httpx.Response) -> tuple[bytes, str | None]:
    """The answer's text up to its next link, and the link's $skiptoken (its query repeats the request's)."""
    text, _, link = resp.content.partition(b',"@odata.nextLink"')
    return text.removesuffix(b"}"), (link.decode().split("$skiptoken=")[1] if link else None)


@pytest.mark.parametrize("entity, params", [
    ("salesInvoices", {"$select": "totalTaxAmount,id,orderNumber,number,id"}),
    ("salesInvoices", {"$select": "id"}),
    ("salesInvoices", {}),
    ("salesOrders", {"$select": "id", "$expand": "salesOrderLines($select=quantity,id,documentId)"}),
])
@pytest.mark.parametrize("stamps", ["lastModifiedDateTime gt 2000-01-01T00:00:00Z", "lastModifiedDateTime le {mid}"])
def test_a_read_the_stamp_index_answers_is_the_text_a_read_record_by_record_gives(bc, entity, params, stamps):
    """A read filtered on lastModifiedDateTime alone is answered from the stamp index and shaped in SQL from the
    stored text; any other filter is tried record by record. Both give the same bytes: the etag first, the
    fields in $select order, one a record lacks as null, number literals as stored, expanded lines, and the same
    next links."""
    rec = first(bc, entity)
    bc.store.update(entity, rec["id"], lambda d, v: {**{k: x for k, x in d.items() if k != "orderNumber"},
                                                    "totalTaxAmount": Decimal("12.50")})
    assert bc.store.stamps_ms(entity)  # so the stamp filter is the index's to answer
    ordered = sorted(d["lastModifiedDateTime"] for _, d, _ in bc.store.scan(entity))
    flt = stamps.format(mid=ordered[len(ordered) // 2])
    matches = sum(1 for s in ordered if s <= ordered[len(ordered) // 2]) if "{mid}" in stamps else len(ordered)
    for page in (matches, matches - 1, 1000):
        by_index = get(bc, entity, {**params, "$filter": flt}, Prefer=f"odata.maxpagesize={page}")
        by_record = get(bc, entity, {**params, "$filter": f"{flt} and number ne 'none'"},
                        Prefer=f"odata.maxpagesize={page}")
        assert by_index.status_code == by_record.status_code == 200
        (text, link), (text_by_record, link_by_record) = _before_next_link(by_index), _before_next_link(by_record)
        assert text == text_by_record
        # a key-only read of a range links on while more of its ids follow, any other read while any record does
        assert link == (None if params == {"$select": "id"} and page == matches else link_by_record)
    if "gt" in stamps and params.get("$select", "").startswith("totalTaxAmount"):  # every record, on one page
        assert b'"totalTaxAmount":12.50,"id":' in by_index.content and b'"orderNumber":null' in by_index.content



@pytest.mark.parametrize("status", ["Open", "Paid", "open", "O''Brien"])
def test_a_status_within_a_stamp_range_read_from_the_index_is_what_the_record_by_record_read_gives(bc, status):
    """A re-run reads the remaining amounts of the open invoices per stamp range (``status eq 'Open' and
    lastModifiedDateTime ...``): served from the stamp index with the status compared in SQL, it gives the bytes,
    next links and counts the record-by-record filter gives; a text compares exactly (``'open'`` is no status)."""
    ordered = sorted(d["lastModifiedDateTime"] for _, d, _ in bc.store.scan("salesInvoices"))
    assert bc.store.stamps_ms("salesInvoices")
    flt = f"status eq '{status}' and lastModifiedDateTime le {ordered[len(ordered) // 2]}"
    wanted = [d["id"] for _, d, _ in bc.store.scan("salesInvoices")
              if d["status"] == status.replace("''", "'") and d["lastModifiedDateTime"] <= ordered[len(ordered) // 2]]
    assert bool(wanted) == (status in ("Open", "Paid"))
    for params, page in itertools.product(({"$select": "id,remainingAmount"}, {"$select": "id"}),
                                          (len(wanted) or 1, max(1, len(wanted) - 1), 1000)):
        by_index = get(bc, "salesInvoices", {**params, "$filter": flt}, Prefer=f"odata.maxpagesize={page}")
        by_record = get(bc, "salesInvoices", {**params, "$filter": f"{flt} and number ne 'none'"},
                        Prefer=f"odata.maxpagesize={page}")
        assert by_index.status_code == by_record.status_code == 200
        assert _before_next_link(by_index) == _before_next_link(by_record)
    if wanted:
        assert [r["id"] for r in by_index.json()["value"]] == wanted[:1000]
    url = f"{bc.info['api_root']}/salesInvoices/$count"
    assert int(httpx.get(url, headers=bearer(bc), params={"$filter": flt}).text) == len(wanted)

JOURNAL_ERR = "You must specify a journal batch ID or a journal ID to get a journal line."


def test_payments_are_listed_only_for_a_journal_as_business_central_lists_them(bc):
    """Page 30055 "APIV2 - Customer Payments" raises FiltersNotSpecifiedErr in OnAfterGetCurrRecord unless the read
    filters on the journal ("Journal Batch Id", journalId) or on SystemId (id)."""
    for params in ({}, {"$select": "id,amount"}, {"$filter": "amount gt 0"}, {"$top": "1"}):
        code, name, message = error(get(bc, "customerPayments", params))
        assert (code, name) == (400, "Application_DialogException")
        assert message.startswith(JOURNAL_ERR)
    stored = [d for _, d, _ in bc.store.scan("customerPayments")]
    journal = first(bc, "customerPaymentJournals")
    assert stored and {d["journalId"] for d in stored} == {journal["id"]}
    by_filter = get(bc, "customerPayments", {"$filter": f"journalId eq {journal['id']}"}).json()["value"]
    by_path = get(bc, f"customerPaymentJournals({journal['id']})/customerPayments", {}).json()["value"]
    expanded = get(bc, "customerPaymentJournals", {"$select": "id", "$expand": "customerPayments($select=id,amount)"}
                   ).json()["value"]
    assert [p["id"] for p in by_filter] == [p["id"] for p in by_path] == [d["id"] for d in stored]
    assert [p["id"] for j in expanded for p in j["customerPayments"]] == [d["id"] for d in stored]
    one = get(bc, f"customerPayments({stored[0]['id']})", {"$select": "id,amount"}).json()
    assert one["id"] == stored[0]["id"]  # a single record: its SystemId is the filter
    assert get(bc, "customerPayments", {"$filter": f"id eq {stored[0]['id']}"}).json()["value"][0]["id"] == \
        stored[0]["id"]
    # the check runs on a record read: a read that finds none is answered, and so is a count
    assert get(bc, "customerPayments", {"$filter": "amount gt 1000000000"}).json()["value"] == []
    assert get(bc, "customerPayments/$count", {}).text == str(len(stored))


def test_a_payment_has_no_currency_code_and_lives_in_the_general_journal(bc):
    journal = first(bc, "customerPaymentJournals")
    assert (journal["code"], journal["displayName"]) == ("GENERAL", "GENERAL")
    code, _, message = error(get(bc, f"customerPaymentJournals({journal['id']})/customerPayments",
                                 {"$select": "id,currencyCode"}))
    assert code == 400 and "Could not find a property named 'currencyCode' on type 'Microsoft.NAV.customerPayment'" \
        in message
    xml = ET.fromstring(httpx.get(bc.info["api_root"].split("/companies(")[0] + "/$metadata",
                                  headers=bearer(bc)).content)
    ns = {"edm": "http://docs.oasis-open.org/odata/ns/edm"}
    payment = xml.find(".//edm:EntityType[@Name='customerPayment']", ns)
    props = {p.get("Name") for p in payment.findall("edm:Property", ns)}
    assert "currencyCode" not in props and {"journalId", "journalDisplayName", "amount"} <= props
    journals = xml.find(".//edm:EntityType[@Name='customerPaymentJournal']", ns)
    assert [n.get("Name") for n in journals.findall("edm:NavigationProperty", ns)] == ["customerPayments"]
    assert {p.get("Name") for p in journals.findall("edm:Property", ns)} == {
        "id", "code", "displayName", "lastModifiedDateTime", "balancingAccountId", "balancingAccountNumber"}


def test_a_payment_is_entered_into_a_journal_and_stays_in_it(bc):
    api = bc.info["api_root"]
    journal = first(bc, "customerPaymentJournals")
    body = {"amount": 12.5, "description": "by wire"}
    refused = httpx.post(f"{api}/customerPayments", headers=bearer(bc), json=body)
    assert error(refused)[:2] == (400, "Application_DialogException") and JOURNAL_ERR in error(refused)[2]
    made = httpx.post(f"{api}/customerPayments", headers=bearer(bc), json={**body, "journalId": journal["id"]})
    assert made.status_code == 201 and made.json()["journalId"] == journal["id"]
    other = "11111111-2222-3333-4444-555555555555"
    moved = patch(bc, "customerPayments", made.json(), {"journalId": other})
    assert error(moved)[:2] == (400, "Application_DialogException") and "The Journal Id cannot be changed." in \
        error(moved)[2]


def test_deleting_a_journal_deletes_its_payments(bc):
    """Table 232 "Gen. Journal Batch", OnDelete: GenJnlLine.DeleteAll(true) over the batch's lines."""
    journal = first(bc, "customerPaymentJournals")
    assert bc.store.count("customerPayments")
    resp = httpx.delete(f"{bc.info['api_root']}/customerPaymentJournals({journal['id']})",
                        headers={**bearer(bc), "If-Match": "*"})
    assert resp.status_code == 204 and bc.store.count("customerPayments") == 0


def test_enum_values_travel_by_member_name(bc):
    # API v2.0 sends an enum value as its $metadata member name, "_x0020_" for the blank member and "In_x0020_Review"
    # for In Review (api-reference/v2.0/api/dynamics_itemledgerentry_get.md "sourceType": "_x0020_",
    # dynamics_opportunity_get.md "In_x0020_Progress")
    customers = httpx.get(f"{bc.info['api_root']}/customers?$select=blocked", headers=bearer(bc)).json()["value"]
    assert {c["blocked"] for c in customers} <= {"_x0020_", "Ship", "Invoice", "All"} and \
        "_x0020_" in {c["blocked"] for c in customers}
    cust = first(bc, "customers")
    assert patch(bc, "customers", cust, {"blocked": "All"}).json()["blocked"] == "All"
    cust = first(bc, "customers")
    assert patch(bc, "customers", cust, {"blocked": "_x0020_"}).json()["blocked"] == "_x0020_"
    cust = first(bc, "customers")
    assert error(patch(bc, "customers", cust, {"blocked": " "}))[:2] == (400, "Application_EvaluateException")


def test_a_write_is_stamped_as_sql_server_stores_a_datetime_to_a_three_hundredth_of_a_second(bc):
    """Business Central keeps lastModifiedDateTime in a SQL Server ``datetime``, whose milliseconds end in 0, 3
    or 7: a client comparing stamps to the millisecond must allow for it (the sandbox stamped to the millisecond)."""
    cust = first(bc, "customers")
    endings = set()
    for n in range(12):
        resp = patch(bc, "customers", cust, {"city": f"Stamp {n}"})
        assert resp.status_code == 200, resp.text
        cust = resp.json()
        endings.add(cust["lastModifiedDateTime"][-2])
    assert endings <= {"0", "3", "7"}, endings


def test_a_tenant_price_page_is_served_under_its_own_api_route_only(bc):
    """API v2.0 publishes no price list: a tenant's own page lives under api/<publisher>/<group>/<version>, with its
    own $metadata and $batch. The sandbox served salesPrices under api/v2.0, which a real tenant answers 404."""
    v2 = bc.info["api_root"].rsplit("/companies", 1)[0]
    own = set_url(bc, "salesPrices").rsplit("/companies", 1)[0]
    assert own != v2
    resp = httpx.get(f"{bc.info['api_root']}/salesPrices", headers=bearer(bc))
    assert error(resp)[:2] == (404, "BadRequest_NotFound")
    assert httpx.get(f"{bc.info['api_root']}/salesPrices/$count", headers=bearer(bc)).status_code == 404
    assert httpx.get(set_url(bc, "salesPrices"), headers=bearer(bc), params={"$top": "1"}).json()["value"]
    assert httpx.get(set_url(bc, "salesPrices").replace("/salesPrices", "/customers"), headers=bearer(bc)
                     ).status_code == 404
    mine = httpx.get(f"{own}/$metadata", headers=bearer(bc)).text
    std = httpx.get(f"{v2}/$metadata", headers=bearer(bc)).text
    assert 'EntitySet Name="salesPrices"' in mine and 'EntitySet Name="customers"' not in mine
    assert 'EntitySet Name="salesPrices"' not in std and 'EntitySet Name="customers"' in std
    assert httpx.get(v2.replace("/api/v2.0", "/api/contoso/nothing/v1.0") + "/companies",
                     headers=bearer(bc)).status_code == 404
    # a batch is of one route: a request to the other route inside API v2.0's batch is not this service's
    batch = httpx.post(f"{v2}/$batch", headers={**bearer(bc), "Accept": "application/json"},
                       json={"requests": [{"id": "1", "method": "GET", "url": set_url(bc, "salesPrices")}]})
    assert batch.json()["responses"][0]["status"] == 400
    batch = httpx.post(f"{own}/$batch", headers={**bearer(bc), "Accept": "application/json"},
                       json={"requests": [{"id": "1", "method": "GET", "url": set_url(bc, "salesPrices")}]})
    assert batch.json()["responses"][0]["status"] == 200


def test_a_bill_to_customer_is_served_on_the_tenants_own_customers_page_not_on_api_v2(bc):
    """Page 30009 "APIV2 - Customers" publishes no bill-to customer: Business Central refuses it as an unknown
    property there. The sandbox served billToCustomerNumber on API v2.0's customers; its tenant now publishes it
    on a customers page of its own (api/workbench/sales/v1.0)."""
    v2 = f"{bc.info['api_root']}/customers"
    own = v2.replace("/api/v2.0/", "/api/workbench/sales/v1.0/")
    for params in ({"$select": "id,billToCustomerNumber"}, {"$filter": "billToCustomerNumber eq 'X'"},
                   {"$orderby": "billToCustomerNumber"}):
        status, _, message = error(httpx.get(v2, headers=bearer(bc), params=params))
        assert status == 400 and "'billToCustomerNumber'" in message, params
    whole = httpx.get(v2, headers=bearer(bc), params={"$top": "2"}).json()["value"]
    assert whole and not any("billToCustomerNumber" in c for c in whole)
    one = httpx.get(f"{v2}({whole[0]['id']})", headers=bearer(bc)).json()
    assert "billToCustomerNumber" not in one and one["displayName"] == whole[0]["displayName"]
    mine = httpx.get(own, headers=bearer(bc), params={"$select": "id,billToCustomerNumber"}).json()["value"]
    assert {c["id"]: c["billToCustomerNumber"] for c in mine} == \
        {d["id"]: d["billToCustomerNumber"] for _, d, _ in bc.store.scan("customers")}
    meta = {r: httpx.get(url.rsplit("/companies", 1)[0] + "/$metadata", headers=bearer(bc)).text for r, url in
            (("v2", v2), ("own", own))}
    assert 'Name="billToCustomerNumber"' not in meta["v2"] and 'Name="billToCustomerNumber"' in meta["own"]
    assert 'EntitySet Name="salesInvoices"' not in meta["own"]
    resp = patch(bc, "customers", whole[0], {"billToCustomerNumber": "C1"})
    assert error(resp)[:2] == (400, "BadRequest") and "does not exist" in error(resp)[2]
