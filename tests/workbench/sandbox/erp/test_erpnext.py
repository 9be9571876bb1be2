"""The ERPNext sandbox on the wire, driven with plain HTTP the way the Frappe REST API docs show
(docs.frappe.io/framework/user/en/api/rest): token and Basic auth, list paging, filters, order_by,
and saves refused with Frappe's exception class, status and JSON body."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import httpx
import pytest

from tests.helpers.sandboxes import erp_sandbox
from workbench.sandbox.erp.store import loads


@pytest.fixture
def h(small):
    yield from erp_sandbox("erpnext", small)


def token(h) -> dict[str, str]:
    return {"Authorization": f"token {h.info['api_key']}:{h.info['api_secret']}"}


def get(h, path: str, **params) -> httpx.Response:
    return httpx.get(h.info["base_url"] + path, params=params, headers=token(h))


def put(h, doctype: str, name: str, body: dict) -> httpx.Response:
    return httpx.put(f"{h.info['api_root']}/{doctype}/{name}", json=body, headers=token(h))


def delete(h, doctype: str, name: str) -> httpx.Response:
    return httpx.delete(f"{h.info['api_root']}/{doctype}/{name}", headers=token(h))


def names(h, doctype: str, **params) -> list[str]:
    resp = get(h, f"/api/resource/{doctype}", **params)
    assert resp.status_code == 200, resp.text
    return [r["name"] for r in loads(resp.content)["data"]]


def frappe_error(resp: httpx.Response) -> tuple[str, str]:
    """(exc_type, the user-facing message) of a Frappe error answer."""
    body = resp.json()
    assert body["exception"].startswith(f"frappe.exceptions.{body['exc_type']}: ")
    [msg] = [json.loads(m) for m in json.loads(body["_server_messages"])]
    return body["exc_type"], msg["message"]


def an(h, doctype: str, **match) -> dict:
    return next(d for _, d, _ in h.store.scan(doctype) if all(d.get(k) == v for k, v in match.items()))


def test_token_and_basic_auth_are_both_accepted_and_a_wrong_key_is_401(h):
    url = h.info["api_root"] + "/Customer"
    basic = base64.b64encode(f"{h.info['api_key']}:{h.info['api_secret']}".encode()).decode()
    assert httpx.get(url, headers=token(h)).status_code == 200
    assert httpx.get(url, headers={"Authorization": f"Basic {basic}"}).status_code == 200
    wrong = httpx.get(url, headers={"Authorization": f"token {h.info['api_key']}:nope"})
    assert wrong.status_code == 401 and wrong.json()["exc_type"] == "AuthenticationError"
    undecodable = httpx.get(url, headers={"Authorization": "Basic !!notbase64"})
    assert undecodable.status_code == 400 and undecodable.json()["exc_type"] == "InvalidAuthorizationToken"
    guest = httpx.get(url)
    assert guest.status_code == 403 and guest.json()["exc_type"] == "PermissionError"


def test_lists_sort_by_modified_desc_unless_order_by_is_given(h):
    all_names = names(h, "Customer", limit_page_length=0)
    assert sorted(all_names) == names(h, "Customer", limit_page_length=0, order_by="name asc")
    assert names(h, "Customer", limit_page_length=0, order_by="name desc") == sorted(all_names, reverse=True)
    last = sorted(all_names)[-1]
    assert put(h, "Customer", last, {"website": "w.example"}).status_code == 200
    assert names(h, "Customer", limit_page_length=0)[0] == last  # just saved: first by modified desc


def test_default_order_skips_a_row_saved_between_pages_name_order_does_not(h):
    """Why the connector pages by name: with Frappe's default order a save during a pull moves
    the saved document to the front, so offset pages read one row twice and miss the saved one."""
    def pull(**order) -> list[str]:
        seen = names(h, "Sales Invoice", limit_start=0, limit_page_length=10, **order)
        later = sorted(set(names(h, "Sales Invoice", limit_page_length=0)) - set(seen))[-1]
        assert put(h, "Sales Invoice", later, {"po_no": f"PO-{len(seen)}"}).status_code == 200
        start = len(seen)
        while True:
            page = names(h, "Sales Invoice", limit_start=start, limit_page_length=10, **order)
            seen += page
            start += len(page)
            if len(page) < 10:
                return seen
    total = h.store.count("Sales Invoice")
    drifting = pull()
    assert len(drifting) == total and len(set(drifting)) < total  # a repeat, so a row was never read
    stable = pull(order_by="name asc")
    assert len(stable) == total and len(set(stable)) == total


@pytest.mark.parametrize("change", ["delete", "insert"])
def test_an_offset_counts_from_the_first_row_again_after_a_delete_or_insert(h, change):
    """MariaDB answers ``limit_start`` (SQL OFFSET) over the rows as they are when asked: a row deleted
    before the offset moves every later row up a place, so the next page never reads one; a row added
    before it moves them down, so one is read twice. The sandbox keeps no list order past a change."""
    every = names(h, "Item Price", limit_page_length=0, order_by="name asc")
    first = names(h, "Item Price", limit_start=0, limit_page_length=5, order_by="name asc")
    if change == "delete":
        assert h.store.delete("Item Price", first[0])
        expect = every[6:11]  # every[5] is the fifth row now, before the offset
    else:
        added = {**an(h, "Item Price", name=first[0]), "name": "ip-000000"}  # sorts first
        h.store.insert_many("Item Price", [(added["name"], added)])
        expect = every[4:9]  # every[4] again
    assert names(h, "Item Price", limit_start=5, limit_page_length=5, order_by="name asc") == expect


@pytest.mark.parametrize("others", [[], [["currency", "=", "eur"]]], ids=["all", "filtered"])
def test_a_page_after_a_name_is_the_one_the_filter_and_sort_give(h, others):
    """``name > x`` with ``order_by=name asc`` (a keyset page) is answered from the list without the bound;
    the same query ordered by ``name asc, modified desc`` (the same order, names being unique) is filtered and
    sorted whole: both give the same rows, for bounds before, on, between and after the names, in any case."""
    every = names(h, "Item Price", limit_page_length=0, order_by="name asc")
    for bound in ["", every[0], every[7].upper(), every[7] + "0", every[-1], "zzz", None]:
        for terms in ([["name", ">", bound]], [["name", ">", every[2]], ["name", ">", bound]]):
            query = {"filters": json.dumps([*others, *terms]), "limit_page_length": 5}
            assert names(h, "Item Price", order_by="name asc", **query) == \
                names(h, "Item Price", order_by="name asc, modified desc", **query), (bound, terms)
    tail = names(h, "Item Price", filters=json.dumps([["name", ">", every[7]]]), order_by="name asc",
                 limit_page_length=0)
    assert tail == every[8:]


def test_paging_with_limit_start_and_limit_page_length_and_limit(h):
    everything = names(h, "Sales Invoice", limit_page_length=0, order_by="name asc")
    assert len(names(h, "Sales Invoice")) == 20  # Frappe's default page
    assert names(h, "Sales Invoice", limit_start=5, limit_page_length=7, order_by="name asc") == everything[5:12]
    assert names(h, "Sales Invoice", limit=3, order_by="name asc") == everything[:3]


def test_filter_operators_as_frappe_evaluates_them(h):
    f = lambda *terms, **kw: set(names(h, "Sales Invoice", filters=json.dumps(list(terms)),  # noqa: E731
                                       limit_page_length=0, **kw))
    rows = [d for _, d, _ in h.store.scan("Sales Invoice")]
    by = lambda pred: {d["name"] for d in rows if pred(d)}  # noqa: E731
    first = sorted(rows, key=lambda d: d["name"])[0]["name"]
    assert f(["name", "like", f"{first[:3]}%{first[-2:]}"]) == by(lambda d: d["name"].startswith(first[:3])
                                                                 and d["name"].endswith(first[-2:]))
    assert f(["status", "not like", "%paid%"]) == by(lambda d: "paid" not in d["status"].lower())
    assert f(["status", "=", "paid"]) == by(lambda d: d["status"] == "Paid")  # the collation ignores case
    assert f(["grand_total", "between", [1000, 20000]]) == by(lambda d: 1000 <= d["grand_total"] <= 20000)
    assert f(["posting_date", "between", ["2026-01-01", "2026-03-31"]]) == \
        by(lambda d: "2026-01-01" <= d["posting_date"] <= "2026-03-31")
    assert f(["po_no", "is", "set"]) == by(lambda d: d.get("po_no"))
    assert f(["po_no", "is", "not set"]) == by(lambda d: not d.get("po_no"))
    assert f(["status", "in", ["Paid", "Return"]]) == by(lambda d: d["status"] in ("Paid", "Return"))
    assert f(["status", "not in", ["Paid"]]) == by(lambda d: d["status"] != "Paid")
    assert f(["outstanding_amount", ">", 0], ["currency", "!=", "EUR"]) == \
        by(lambda d: d["outstanding_amount"] > 0 and d["currency"] != "EUR")
    assert set(names(h, "Sales Invoice", filters=json.dumps({"status": "Paid"}), limit_page_length=0)) == \
        by(lambda d: d["status"] == "Paid")
    assert set(names(h, "Sales Invoice", or_filters=json.dumps([["status", "=", "Paid"], ["status", "=", "Return"]]),
                     limit_page_length=0)) == by(lambda d: d["status"] in ("Paid", "Return"))


@pytest.mark.parametrize("params, exc_type, words", [
    ({"filters": '[["status", "~", "Paid"]]'}, "ValidationError", "Operator must be one of =, !=, >"),
    ({"filters": '[["posting_date", "timespan", "last week"]]'}, "ValidationError", "not served"),
    ({"filters": '[["nope", "=", 1]]'}, "DataError", "Field not permitted in query: nope"),
    ({"filters": '[["po_no", "is", "maybe"]]'}, "ValidationError", "'set' or 'not set'"),
    ({"order_by": "nope desc"}, "DataError", "Field not permitted in query: nope"),
    ({"fields": '["nope"]'}, "DataError", "Field not permitted in query: nope"),
    ({"group_by": "customer"}, "ValidationError", "group_by is not served"),
])
def test_what_the_sandbox_does_not_serve_is_refused_never_ignored(h, params, exc_type, words):
    resp = get(h, "/api/resource/Sales Invoice", **params)
    assert resp.status_code == 417
    got_type, message = frappe_error(resp)
    assert got_type == exc_type and words in message


def test_unknown_doctype_and_unserved_methods_answer_as_an_unknown_resource(h):
    for resp in (get(h, "/api/resource/Nope"), get(h, "/api/method/frappe.client.get_count"),
                 httpx.post(h.info["api_root"] + "/Customer", json={"customer_name": "X"}, headers=token(h))):
        assert resp.status_code == 404 and resp.json()["exc_type"] == "DoesNotExistError"


def test_a_document_is_deleted_unless_it_is_submitted_or_another_links_to_it(h):
    price = an(h, "Item Price")
    gone = delete(h, "Item Price", price["name"])
    assert gone.status_code == 202 and gone.json() == {"data": "ok"}  # frappe/api/v1.py delete_doc
    assert get(h, f"/api/resource/Item Price/{price['name']}").status_code == 404
    assert price["name"] not in names(h, "Item Price", limit_page_length=0)
    again = delete(h, "Item Price", price["name"])
    assert again.status_code == 404 and again.json()["exc_type"] == "DoesNotExistError"
    assert delete(h, "Sales Invoice", an(h, "Sales Invoice", docstatus=2)["name"]).status_code == 202  # cancelled
    inv = an(h, "Sales Invoice", docstatus=1)
    submitted = delete(h, "Sales Invoice", inv["name"])
    assert submitted.status_code == 417 and frappe_error(submitted) == (
        "ValidationError", f"Sales Invoice {inv['name']}: Submitted Record cannot be deleted. You must <a href='"
                           f"https://docs.erpnext.com//docs/user/manual/en/setting-up/articles/delete-submitted-document'"
                           f" target='_blank'> Cancel </a> it first.")
    linked = delete(h, "Customer", inv["customer"])
    exc, message = frappe_error(linked)
    assert linked.status_code == 417 and exc == "LinkExistsError" and message.startswith(
        f'Cannot delete or cancel because Customer <a href="/app/Form/Customer/{inv["customer"]}">{inv["customer"]}'
        f'</a> is linked with ')
    assert h.store.get("Sales Invoice", inv["name"]) and h.store.get("Customer", inv["customer"])  # both kept


def test_a_submitted_invoice_refuses_fields_without_allow_on_submit(h):
    inv = an(h, "Sales Invoice", docstatus=1, status="Unpaid")
    resp = put(h, "Sales Invoice", inv["name"], {"due_date": "2027-03-31"})
    assert resp.status_code == 417
    exc, message = frappe_error(resp)
    assert exc == "UpdateAfterSubmitError"
    assert message == (f" Not allowed to change <strong>Payment Due Date</strong> after submission from "
                       f"<strong>{inv['due_date']}</strong> to <strong>2027-03-31</strong>")
    assert h.store.get("Sales Invoice", inv["name"])[0]["due_date"] == inv["due_date"]
    assert put(h, "Sales Invoice", inv["name"], {"grand_total": "1"}).status_code == 417
    ok = put(h, "Sales Invoice", inv["name"], {"po_no": "PO-77"})  # allow_on_submit
    assert ok.status_code == 200 and loads(ok.content)["data"]["po_no"] == "PO-77"


def test_a_draft_takes_the_change_but_keeps_what_erpnext_computes(h):
    inv = an(h, "Sales Invoice", status="Unpaid")
    h.store.update("Sales Invoice", inv["name"], lambda d, v: {**d, "docstatus": 0, "status": "Draft"})
    resp = put(h, "Sales Invoice", inv["name"], {"due_date": "2027-03-31", "status": "Paid", "grand_total": 1})
    data = loads(resp.content)["data"]
    assert resp.status_code == 200 and data["due_date"] == "2027-03-31"
    assert data["status"] == "Draft" and data["grand_total"] == inv["grand_total"]


def test_cancelled_documents_and_docstatus_changes_are_refused(h):
    cancelled = an(h, "Sales Invoice", status="Cancelled")
    assert frappe_error(put(h, "Sales Invoice", cancelled["name"], {"po_no": "x"})) == \
        ("ValidationError", "Cannot edit cancelled document")
    inv = an(h, "Sales Invoice", status="Paid")
    resp = put(h, "Sales Invoice", inv["name"], {"docstatus": 0})
    assert resp.status_code == 417 and frappe_error(resp)[0] == "DocstatusTransitionError"


@pytest.mark.parametrize("body, exc_type, words", [
    ({"customer_type": "Sometimes"}, "ValidationError", 'Customer Type cannot be "Sometimes". It should be one of'),
    ({"tax_id": "X" * 141}, "CharacterLengthExceededError",
     "(141) will get truncated, as max characters allowed is 140"),
    ({"default_currency": "XXX"}, "LinkValidationError", "Could not find Billing Currency: XXX"),
    ({"customer_group": "Nope"}, "LinkValidationError", "Could not find Customer Group: Nope"),
    ({"customer_name": None}, "MandatoryError", "Value missing for Customer: Customer Name"),
    ({"customer_name": ""}, "MandatoryError", "Value missing for Customer: Customer Name"),
    ({"website": ["a", "b"]}, "ValidationError", "Value for Website cannot be a list"),
])
def test_customer_saves_are_checked_against_the_doctype(h, body, exc_type, words):
    cust = an(h, "Customer")
    resp = put(h, "Customer", cust["name"], body)
    assert resp.status_code == 417
    got_type, message = frappe_error(resp)
    assert got_type == exc_type and words in message
    assert h.store.get("Customer", cust["name"])[0] == cust  # nothing half-written


def test_values_are_stored_as_frappe_casts_them(h):
    """Frappe casts on save rather than refusing (BaseDocument.get_valid_dict): a Check is 1 or 0,
    a Currency a number, a non-number 0. The connector never sends such values; the sandbox
    answers as ERPNext would if one did."""
    cust = an(h, "Customer")
    data = loads(put(h, "Customer", cust["name"], {"disabled": "1", "default_currency": "JPY",
                                                    "custom_salesforce_id": None}).content)["data"]
    assert data["disabled"] == 1 and data["default_currency"] == "JPY" and data["custom_salesforce_id"] is None
    price = an(h, "Item Price")
    stored = loads(put(h, "Item Price", price["name"], {"price_list_rate": "1,234.50"}).content)["data"]
    assert stored["price_list_rate"] == Decimal("1234.50")
    assert loads(put(h, "Item Price", price["name"], {"price_list_rate": "abc"}).content)["data"][
        "price_list_rate"] == 0
    bad_date = put(h, "Item Price", price["name"], {"valid_upto": "not-a-date"})
    assert bad_date.status_code == 417 and "not a valid date string" in frappe_error(bad_date)[1]


def test_a_stale_modified_is_a_timestamp_mismatch_and_form_encoded_saves_work(h):
    cust = an(h, "Customer")
    form = httpx.put(f"{h.info['api_root']}/Customer/{cust['name']}", headers=token(h),
                     data={"data": json.dumps({"doctype": "Customer", "name": cust["name"], "tax_id": "DE1"})})
    assert form.status_code == 200 and loads(form.content)["data"]["tax_id"] == "DE1"
    stale = put(h, "Customer", cust["name"], {"tax_id": "DE2", "modified": cust["modified"]})
    assert stale.status_code == 417 and frappe_error(stale)[0] == "TimestampMismatchError"
    assert h.store.get("Customer", cust["name"])[0]["tax_id"] == "DE1"


def test_the_doctype_document_publishes_the_rules_saves_are_checked_against(h):
    resp = get(h, "/api/resource/DocType/Sales Invoice")
    meta = loads(resp.content)["data"]
    fields = {f["fieldname"]: f for f in meta["fields"]}
    assert resp.status_code == 200 and meta["is_submittable"] == 1 and meta["sort_field"] == "modified"
    assert fields["due_date"]["allow_on_submit"] == 0 and fields["po_no"]["allow_on_submit"] == 1
    assert fields["status"]["fieldtype"] == "Select" and "Partly Paid" in fields["status"]["options"].split("\n")
    assert fields["customer"]["options"] == "Customer" and fields["outstanding_amount"]["read_only"] == 1
    assert get(h, "/api/resource/DocType/Nope").status_code == 404
