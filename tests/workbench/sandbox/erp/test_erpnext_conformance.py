"""A Frappe client the project did not write, frappe-connector (PyPI), against the ERPNext sandbox,
used as its README shows: API key login, get_list with fields/filters/paging/order_by, get_doc,
update_doc, frappe.client.delete through post_api, and Frappe's errors raised as its FrappeException
with the exception class."""

from __future__ import annotations

import pytest
from frappe_connector import FrappeConnector
from frappe_connector.connector import FrappeException

from tests.helpers.sandboxes import erp_sandbox
from workbench.sandbox.erp import fixture


@pytest.fixture(scope="module")
def small():
    return fixture.dataset(12, seed=3)


@pytest.fixture(scope="module")
def h(small):
    yield from erp_sandbox("erpnext", small)


def connect(handle) -> FrappeConnector:
    return FrappeConnector(handle.info["base_url"], api_key=handle.info["api_key"],
                           api_secret=handle.info["api_secret"])


@pytest.fixture
def client(h):
    with connect(h) as c:
        yield c


@pytest.fixture
def fresh(small):
    """A sandbox of its own, for a test that deletes documents."""
    yield from erp_sandbox("erpnext", small)


def test_lists_page_filter_and_sort(client, h):
    every = client.get_list("Sales Invoice", fields=["name", "status"], page_size=0, order_by="name asc")
    assert [r["name"] for r in every] == sorted(d["name"] for _, d, _ in h.store.scan("Sales Invoice"))
    assert len(client.get_list("Sales Invoice")) == 20  # the server's default page
    pages = [client.get_list("Sales Invoice", fields=["name"], offset=o, page_size=10, order_by="name asc")
             for o in range(0, len(every), 10)]
    assert [r["name"] for p in pages for r in p] == [r["name"] for r in every]
    paid = client.get_list("Sales Invoice", fields=["name", "status"], filters={"status": "Paid"}, page_size=0)
    assert paid and {r["status"] for r in paid} == {"Paid"}
    assert len(paid) == sum(r["status"] == "Paid" for r in every)


def test_get_and_update_a_document(client):
    name = client.get_list("Customer", order_by="name asc", page_size=1)[0]["name"]
    doc = client.get_doc("Customer", name)
    assert doc["name"] == name and doc["docstatus"] == 0
    saved = client.update_doc({"doctype": "Customer", "name": name, "tax_id": "DE123456789"})
    assert saved["tax_id"] == "DE123456789" and saved["modified"] > doc["modified"]
    assert client.get_doc("Customer", name)["tax_id"] == "DE123456789"


def test_frappes_errors_reach_the_client_with_their_class(client):
    inv = client.get_list("Sales Invoice", fields=["name"], filters=[["status", "=", "Unpaid"]], page_size=1)[0]
    with pytest.raises(FrappeException, match="UpdateAfterSubmitError: .*Not allowed to change .*Payment Due Date"):
        client.update_doc({"doctype": "Sales Invoice", "name": inv["name"], "due_date": "2027-03-31"})
    with pytest.raises(FrappeException, match="LinkValidationError: Could not find Billing Currency: XXX"):
        client.update_doc({"doctype": "Customer", "name": client.get_list("Customer", page_size=1)[0]["name"],
                           "default_currency": "XXX"})
    with pytest.raises(FrappeException, match="DoesNotExistError"):
        client.get_doc("Customer", "NO-SUCH-CUSTOMER")


def test_what_the_sandbox_does_not_serve_fails_as_an_unknown_resource(client):
    with pytest.raises(FrappeException, match="DoesNotExistError"):
        client.create_doc({"doctype": "Customer", "customer_name": "New Ltd"})  # insert is not served
    with pytest.raises(FrappeException, match="DoesNotExistError"):
        client.get_doc("Customer", filters={"customer_name": "x"})  # /api/method/frappe.client.get


def test_a_wrong_key_is_refused(h):
    with FrappeConnector(h.info["base_url"], api_key=h.info["api_key"], api_secret="wrong") as bad:
        with pytest.raises(FrappeException, match="AuthenticationError"):
            bad.get_list("Customer")


def test_delete_through_frappe_client_delete(fresh):
    with connect(fresh) as client:
        name = client.get_list("Item Price", order_by="name asc", page_size=1)[0]["name"]
        assert client.post_api("frappe.client.delete", {"doctype": "Item Price", "name": name}) == {}
        with pytest.raises(FrappeException, match="DoesNotExistError"):
            client.get_doc("Item Price", name)
        inv = client.get_list("Sales Invoice", filters=[["docstatus", "=", 1]], page_size=1)[0]["name"]
        with pytest.raises(FrappeException, match="ValidationError: .*Submitted Record cannot be deleted"):
            client.post_api("frappe.client.delete", {"doctype": "Sales Invoice", "name": inv})
        assert client.get_doc("Sales Invoice", inv)["name"] == inv


@pytest.mark.parametrize("others", [[], [["currency", "=", "EUR"]]], ids=["all", "filtered"])
def test_after_a_deletion_an_offset_skips_a_row_and_a_page_after_the_last_name_does_not(fresh, others):
    # MariaDB counts limit_start over the rows as they are when asked (SQL OFFSET), so a row deleted before it
    # moves every later row up a place; filters [["name", ">", last]] (frappe/model/db_query.py
    # prepare_filter_condition: `name` > 'last') with order_by "name asc" go on from the last row read
    def page(client, **kw) -> list[str]:
        return [r["name"] for r in client.get_list("Item Price", fields=["name"], order_by="name asc", **kw)]
    with connect(fresh) as client:
        every = page(client, filters=others, page_size=0)
        first = page(client, filters=others, page_size=5)
        assert client.post_api("frappe.client.delete", {"doctype": "Item Price", "name": first[0]}) == {}
        assert page(client, filters=others, offset=5, page_size=5) == every[6:11]  # every[5] never read
        assert page(client, filters=[*others, ["name", ">", first[-1]]], page_size=5) == every[5:10]
