"""Odoo connector against the Odoo sandbox (JSON-2 and legacy JSON-RPC) over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from decimal import Decimal

import odoorpc
import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from workbench.config import from_dict
from workbench.errors import SourceError
from workbench.progress import Progress
from workbench.sandbox import erp
from workbench.sources import open_source
from workbench.sources.base import WriteRequest
from workbench.sources.delta import merge

MODELS = {"customers": "res.partner", "products": "product.product", "prices": "product.pricelist.item",
          "orders": "sale.order", "order_lines": "sale.order.line", "invoices": "account.move",
          "payments": "account.payment"}


@pytest.fixture(params=[19, 17], ids=["json2", "jsonrpc"])
def odoo(request, records):
    yield from erp_sandbox("odoo", records, odoo_version=request.param)


@pytest.fixture
def odoo19(records):
    yield from erp_sandbox("odoo", records)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """The seeded scenario's ERP side, generated once for the module; each test gets a fresh sandbox."""
    return erp.seed_data(None, 20, 5, tmp_path_factory.mktemp("scenario"))


def test_full_pull_of_every_model_with_many2one_and_decimal_money(odoo):
    src = erp_connector(odoo)
    ex = src.pull()
    assert src.meta.api_usage["api"] == ("json2" if odoo.info["version"] == "19.0" else "jsonrpc")
    for kind, model in MODELS.items():
        assert len(ex.frames[kind]) == odoo.store.count(model), kind
    inv = ex.frames["invoices"].iloc[0]
    raw = odoo.store.get("account.move", inv["record_id"])[0]
    assert inv["customer_id"] == str(raw["partner_id"][0])  # many2one [id, name] -> the id
    assert inv["currency"] == raw["currency_id"][1]  # currency many2one -> its code
    assert isinstance(inv["total_amount"], Decimal) and inv["total_amount"] == raw["amount_total"]
    assert inv["status_raw"] == f"{raw['move_type']}|{raw['state']}|{raw['payment_state']}"
    assert inv["version"] == raw["write_date"]
    cust = ex.frames["customers"].iloc[0]
    partner = odoo.store.get("res.partner", cust["record_id"])[0]
    assert partner["property_product_pricelist"][1].endswith(f"({cust['currency']})")  # "Name (EUR)" -> EUR
    prices = ex.frames["prices"]
    assert prices["product_code"].notna().all()  # parsed from "[CODE] Name"
    assert set(ex.frames["orders"]["booked"]) <= {True, False}


def test_offset_limit_paging_across_page_boundaries(odoo19):
    src = erp_connector(odoo19, page_size=25)
    ex = src.pull()
    n = odoo19.store.count("account.move")
    assert len(ex.frames["invoices"]) == n and ex.frames["invoices"]["record_id"].is_unique
    assert src.http.requests >= n // 25


def test_a_record_deleted_while_the_pull_pages_through_its_model_costs_no_other_record(odoo19):
    # Someone at month end deletes a price list item (with odoorpc, as another user) after the pull has read
    # the first page of them. Paged by offset, every later item moves up a place and the next page skips one.
    before = {str(data["id"]) for _, data, _ in odoo19.store.scan("product.pricelist.item")}
    lowest = min(int(i) for i in before)
    client = odoorpc.ODOO("127.0.0.1", port=int(odoo19.base_url.rsplit(":", 1)[1]))
    client.login(odoo19.info["database"], odoo19.info["login"], odoo19.info["api_key"])

    class DeletesAfterTheFirstPage(Progress):
        deleted = False

        def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
            if message.startswith("product.pricelist.item:") and not self.deleted:
                assert client.execute("product.pricelist.item", "unlink", [lowest]) is True
                self.deleted = True

    progress = DeletesAfterTheFirstPage()
    prices = erp_connector(odoo19, page_size=25).pull(progress).frames["prices"]
    assert progress.deleted and len(before) > 50  # deleted while pages of them were still to come
    assert set(prices["record_id"]) == before  # every item that was there throughout; the deleted one as read
    assert prices["record_id"].is_unique


def test_write_then_incremental_pull_sees_only_the_change(odoo):
    src = erp_connector(odoo)
    cust = src.pull().frames["customers"].iloc[4]
    since = datetime.now(UTC) - timedelta(seconds=1)
    [res] = src.push([WriteRequest(1, "k", "customers", cust["record_id"], "city", cust["city"], "Lyon Testville",
                                   seen_version=cust["version"])])
    assert res.outcome == "applied" and res.new_version != cust["version"]
    later = src.pull(since=since)
    assert list(later.frames["customers"]["record_id"]) == [cust["record_id"]]
    assert later.frames["customers"].iloc[0]["city"] == "Lyon Testville"
    assert len(later.frames["invoices"]) == 0
    [again] = src.push([WriteRequest(1, "k", "customers", cust["record_id"], "city", cust["city"], "Lyon Testville",
                                     seen_version=cust["version"])])
    assert again.outcome == "already_applied"


def test_stale_write_date_is_a_conflict(odoo):
    src = erp_connector(odoo)
    cust = src.pull().frames["customers"].iloc[0]
    [first] = erp_connector(odoo).push([WriteRequest(1, "a", "customers", cust["record_id"], "name", cust["name"],
                                               "Renamed SA", seen_version=cust["version"])])
    assert first.outcome == "applied"
    [res] = src.push([WriteRequest(2, "b", "customers", cust["record_id"], "city", cust["city"], "Graz Testville",
                                   seen_version=cust["version"])])
    assert res.outcome == "conflict" and "write_date" in res.message
    assert odoo.store.get("res.partner", cust["record_id"])[0]["city"] == cust["city"]


def test_record_changed_between_approval_and_write_is_a_conflict(odoo19):
    src = erp_connector(odoo19)
    inv = src.pull().frames["invoices"].iloc[2]
    odoo19.faults.change_before_write()
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "due_date", inv["due_date"],
                                   "2027-01-31", seen_version=inv["version"])])
    assert res.outcome == "conflict"
    assert odoo19.store.get("account.move", inv["record_id"])[0]["invoice_date_due"] == inv["due_date"].isoformat()


def test_due_date_write_is_applied_as_odoo_date(odoo19):
    src = erp_connector(odoo19)
    inv = src.pull().frames["invoices"].iloc[1]
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "due_date", inv["due_date"],
                                   "2027-01-31", seen_version=inv["version"])])
    assert res.outcome == "applied"
    assert odoo19.store.get("account.move", inv["record_id"])[0]["invoice_date_due"] == "2027-01-31"


def test_read_only_field_is_refused_before_sending(odoo):
    src = erp_connector(odoo)
    inv = src.pull().frames["invoices"].iloc[0]
    before = odoo.store.get("account.move", inv["record_id"])[0]
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "open_balance", inv["open_balance"],
                                   inv["open_balance"] + Decimal("1.00"), seen_version=inv["version"])])
    assert res.outcome == "permanent"
    assert res.message == (f"Odoo: account.move({inv['record_id']}) open_balance: amount_residual (Amount Due) is "
                           f"read-only in Odoo (computed); not sent")
    assert odoo.store.get("account.move", inv["record_id"])[0] == before


def test_read_only_field_written_directly_is_refused_with_odoos_error(odoo19):
    import httpx
    hdr = {"Authorization": f"bearer {odoo19.info['api_key']}", "X-Odoo-Database": odoo19.info["database"]}
    resp = httpx.post(odoo19.base_url + "/json/2/account.move/write", headers=hdr,
                      json={"ids": [1], "vals": {"amount_residual": 5}})
    assert resp.status_code == 422 and resp.json()["name"] == "odoo.exceptions.UserError"
    assert "amount_residual" in resp.json()["message"]


def test_rate_limit_and_server_errors_are_retried(odoo19):
    src = erp_connector(odoo19)
    odoo19.faults.rate_limit(times=1, retry_after=1)
    odoo19.faults.server_error(500)
    odoo19.faults.server_error(503)
    ex = src.pull()
    assert len(ex.frames["customers"]) == odoo19.store.count("res.partner")
    assert odoo19.faults.fired.count("rate_limit") == 1 and odoo19.faults.fired.count("server_error") == 2
    assert src.http.retries >= 3 and src.http.waited >= 1.0


def test_timeout_is_retried(odoo19):
    src = erp_connector(odoo19, timeout=3)
    odoo19.faults.slow(seconds=300)  # held until the client's 3 s read timeout gives up
    assert len(src.pull().frames["invoices"]) == odoo19.store.count("account.move")


def test_revoked_api_key_says_what_to_do(odoo):
    src = erp_connector(odoo)
    odoo.faults.expire_tokens()
    with pytest.raises(SourceError) as err:
        src.pull()
    text = err.value.one_line()
    assert "API key was refused" in text
    assert ("Invalid apikey" in text) or ("sign-in refused" in text)


def test_json2_against_an_older_odoo_fails_clearly():
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=17)
    try:
        src = erp_connector(h, api="json2")
        with pytest.raises(SourceError, match="HTTP 404"):
            src.pull()
    finally:
        h.stop()


def test_a_re_run_speaks_the_api_the_previous_run_found_without_asking_the_version_again(odoo):
    before = erp_connector(odoo).pull()
    calls = odoo.calls
    delta = erp_connector(odoo).pull_changes(None, datetime.now(UTC) - timedelta(seconds=1), before)
    assert odoo.calls.get("GET version", 0) == calls.get("GET version", 0)
    assert delta.meta.api_usage["api"] == before.meta.api_usage["api"] == ("json2" if "json/2" in odoo.info["api_root"]
                                                                          else "jsonrpc")
    assert delta.meta.api_version == before.meta.api_version


def test_a_re_run_asks_the_version_again_when_the_previous_runs_api_is_gone():
    """The previous run found JSON-2; the server has since gone back to Odoo 17, which answers it 404."""
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=17)
    try:
        before = erp_connector(h).pull()
        before.meta.api_usage["api"], before.meta.api_version = "json2", "19.0"
        calls = h.calls
        delta = erp_connector(h).pull_changes(None, datetime.now(UTC) - timedelta(seconds=1), before)
        assert h.calls["GET version"] == calls["GET version"] + 1
        assert delta.meta.api_usage["api"] == "jsonrpc" and delta.meta.api_version == "17.0"
        assert merge(before, delta)[0].meta.row_counts == erp_connector(h).pull().meta.row_counts
    finally:
        h.stop()


def test_fields_get_discovery(odoo):
    fields = {f["name"]: f for f in erp_connector(odoo).describe("invoices")}
    assert fields["invoice_date_due"]["updateable"] is True
    assert fields["amount_residual"]["updateable"] is False
    assert fields["partner_id"]["type"] == "many2one"


def test_jsonrpc_error_body_is_odoos():
    import httpx
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=17)
    try:
        body = {"jsonrpc": "2.0", "method": "call", "id": 3, "params": {
            "service": "object", "method": "execute_kw",
            "args": [h.info["database"], 2, "wrong-key", "res.partner", "search_read", [[]], {}]}}
        resp = httpx.post(h.base_url + "/jsonrpc", json=body)
        assert resp.status_code == 200
        err = resp.json()["error"]
        assert err["message"] == "Odoo Server Error" and err["data"]["name"] == "odoo.exceptions.AccessDenied"
    finally:
        h.stop()


def test_default_fields_the_database_lacks_are_not_asked_for(odoo):
    # res.partner.sale_warn left Odoo in 19 (odoo/odoo#192211), account.payment.memo came in 18; x_salesforce_id is
    # a custom field a database may not have: a default mapping naming them must not fail the pull (Odoo answers
    # 500 "Invalid field")
    src = erp_connector(odoo)
    customers = src.pull().frames["customers"]
    assert len(customers) == odoo.store.count("res.partner")
    asked = src.meta.queries["customers"].rsplit(" fields=", 1)[1].split(",")
    assert ("sale_warn" in asked) is (odoo.info["version"] != "19.0") and "x_salesforce_id" in asked
    if "sale_warn" not in asked:
        assert customers["blocked"].isna().all()
    # account.payment's memo came with Odoo 18 (OCA/OpenUpgrade#4931)
    asked = src.meta.queries["payments"].rsplit(" fields=", 1)[1].split(",")
    assert ("memo" in asked) is (odoo.info["version"] == "19.0")


def test_a_field_the_config_names_is_asked_for_even_where_the_database_lacks_it(odoo19):
    table = erp.demo_config(odoo19)
    table["objects"] = {"customers": {"fields": {"blocked": "sale_warn"}}}
    src = open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))
    src.http.attempts = 1
    with pytest.raises(SourceError, match="Invalid field 'sale_warn' on model 'res.partner'"):
        src.pull()


def test_an_exception_odoo_raises_in_the_method_is_not_retried_nor_taken_for_a_passing_failure(odoo19):
    # JSON-2 answers any exception that is no UserError with HTTP 500 and the exception's name (addons/web/
    # controllers/json2.py handle_error, odoo/http.py serialize_exception): a ValueError is the method's own
    # refusal, the same next time, as JSON-RPC's error (HTTP 200) says it
    src = erp_connector(odoo19)
    pid = int(src.pull().frames["customers"]["record_id"].iloc[0])
    for method, kw in (("search_read", {"domain": [], "fields": ["nope"]}),
                       ("write", {"vals": {"customer_rank": "lots"}})):
        retries = src.http.retries
        with pytest.raises(SourceError) as caught:
            src._call("res.partner", method, [pid] if method == "write" else None, **kw)
        assert caught.value.code == "builtins.ValueError" and caught.value.transient is False
        assert src.http.retries == retries, method


def test_an_odoo_older_than_17_is_refused_naming_its_version(records):
    """Odoo 16 and older are not what the connector reads (fields, methods); with ``api = "auto"`` it asked
    /web/version, read no version from a server without it and went on over JSON-RPC as if it were 17."""
    for handle in erp_sandbox("odoo", records, odoo_version=16):
        calls = handle.requests
        with pytest.raises(SourceError, match=r"version 16\.0: the workbench reads Odoo 17 and later"):
            erp_connector(handle).pull()
        assert handle.requests - calls == 2  # /web/version, then common.version: nothing read


@pytest.mark.parametrize("version", [17, 18, 19])
def test_the_versions_read_are_told_by_the_server(records, version):
    for handle in erp_sandbox("odoo", records, odoo_version=version):
        src = erp_connector(handle)
        ex = src.pull()
        assert ex.meta.api_version == f"{version}.0" and ex.meta.row_counts["invoices"] > 0


@pytest.mark.parametrize("version", [17, 18, 19])
def test_a_payments_invoice_number_is_read_on_every_version_from_the_field_that_holds_it(records, version):
    """Odoo 18 moved a payment's memo out of its move's ``ref`` into ``memo`` (OCA/OpenUpgrade#4931): on 17 every
    payment's invoice number was empty (``memo`` is not there, so it was left out), and the payments matched no
    invoice; it is read from ``ref`` there, and a correction writes ``ref``."""
    for handle in erp_sandbox("odoo", records, odoo_version=version):
        src = erp_connector(handle)
        payments = src.pull().frames["payments"]
        field = "ref" if version < 18 else "memo"
        stored = {str(d["id"]): d[field] for _, d, _ in handle.store.scan("account.payment")}
        assert payments["invoice_number"].notna().all()
        assert dict(zip(payments["record_id"], payments["invoice_number"])) == stored
        rid, number = payments.iloc[0][["record_id", "invoice_number"]]
        [res] = src.push([WriteRequest(1, "k", "payments", rid, "invoice_number", number, "INV/2026/99999",
                                       seen_version=payments.iloc[0]["version"])])
        assert res.outcome == "applied", res.message
        assert handle.store.get("account.payment", str(rid))[0][field] == "INV/2026/99999"
