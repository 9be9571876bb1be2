"""Business Central connector against the Business Central sandbox over real HTTP on loopback."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from decimal import Decimal

import httpx
import pandas as pd
import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from tests.workbench.sandbox.erp.bc_http import bearer
from workbench.config import from_dict
from workbench.errors import Cancelled, ConfigError, SourceError
from workbench.model.status import CANONICAL
from workbench.progress import RecordingProgress
from workbench.sandbox import erp
from workbench.sandbox.erp.business_central import now_iso
from workbench.sources import open_source
from workbench.sources.base import WriteRequest
from workbench.sources.delta import CHANGES, merge


@pytest.fixture
def bc(records):
    yield from erp_sandbox("business-central", records)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """The seeded scenario's ERP side, generated once for the module; each test gets a fresh sandbox."""
    return erp.seed_data(None, 30, 11, tmp_path_factory.mktemp("scenario"))


def test_full_pull_returns_every_object_with_exact_money_and_canonical_status(bc):
    src = erp_connector(bc)
    ex = src.pull()
    counts = {e: bc.store.count(e) for e in ("customers", "items", "salesPrices", "salesOrders",
                                              "salesOrderLines", "salesInvoices", "customerPayments")}
    assert ex.meta.row_counts == {"customers": counts["customers"], "products": counts["items"],
                                  "prices": counts["salesPrices"], "orders": counts["salesOrders"],
                                  "order_lines": counts["salesOrderLines"], "invoices": counts["salesInvoices"],
                                  "payments": counts["customerPayments"]}
    assert all(n > 0 for n in ex.meta.row_counts.values())
    inv = ex.frames["invoices"]
    assert all(isinstance(v, Decimal) for v in inv["total_amount"])
    assert set(inv["status"]) <= set(CANONICAL)
    raw = bc.store.get("salesInvoices", inv.iloc[0]["record_id"])[0]
    assert inv.iloc[0]["total_amount"] == raw["totalAmountIncludingTax"]
    assert inv.iloc[0]["version"].startswith('W/"')
    # the raw records are kept as evidence, one per canonical row
    assert len(ex.snapshots) == sum(ex.meta.row_counts.values())
    assert ex.meta.queries["invoices"].startswith("GET salesInvoices?$select=id,")
    lines = ex.frames["order_lines"]
    assert lines["currency"].notna().all()  # taken from the order: BC lines carry none
    # Business Central lists no lines without an order: they come inline with their orders
    assert ex.meta.queries["order_lines"].startswith("GET salesOrders?$select=id&$expand=salesOrderLines($select=id,")
    stored = {d["id"]: d for _, d, _ in bc.store.scan("salesOrderLines")}
    assert {r: stored[r]["documentId"] for r in lines["record_id"]} == dict(zip(lines["record_id"], lines["order_id"]))
    assert [stored[r]["quantity"] for r in lines["record_id"]] == lines["quantity"].tolist()


def test_paging_follows_next_links_across_page_boundaries(bc):
    src = erp_connector(bc, page_size=7)
    ex = src.pull()
    n = bc.store.count("customers")
    assert len(ex.frames["customers"]) == n
    assert ex.frames["customers"]["record_id"].is_unique
    # the lines come in pages of their orders, the payments in pages of their journals
    expected_pages = sum(-(-bc.store.count(e) // 7) for e in ("customers", "items", "salesPrices", "salesOrders",
                                                               "salesOrders", "salesInvoices",
                                                               "customerPaymentJournals"))
    assert src.http.requests >= expected_pages
    assert len(ex.frames["order_lines"]) == bc.store.count("salesOrderLines")
    assert len(ex.frames["payments"]) == bc.store.count("customerPayments")


def test_lines_of_an_order_paged_by_the_service_are_all_read(bc):
    """An OData service may page an expanded collection (``salesOrderLines@odata.nextLink``); a page
    left unread would be order lines missing from the reconciliation."""
    whole = erp_connector(bc).pull().frames["order_lines"]
    bc.impl.expanded_page = 1
    before = bc.calls
    paged = erp_connector(bc).pull().frames["order_lines"]
    nested = {k: v - before.get(k, 0) for k, v in bc.calls.items() if k.startswith("GET salesOrderLines")}
    assert sum(nested.values()) > 0, bc.calls
    assert paged[["record_id", "order_id", "quantity", "amount"]].equals(whole[["record_id", "order_id", "quantity",
                                                                                "amount"]])


def test_orders_deleted_are_found_by_the_read_of_their_lines_without_a_count(bc):
    """An incremental pull reads every order id anyway when it reads the lines with their orders, so
    the orders need no ``/$count`` to find the ones deleted (posting a whole order deletes it)."""
    before = erp_connector(bc, page_size=10).pull()
    since = datetime.now(UTC) - timedelta(seconds=1)
    gone = before.frames["orders"]["record_id"].tolist()[1:8:3]
    api = bc.info["api_root"]
    for rid in gone:
        httpx.delete(f"{api}/salesOrders({rid})", headers={**bearer(bc), "If-Match": "*"}).raise_for_status()
    src, calls = erp_connector(bc, page_size=10), bc.inner_calls
    delta = src.pull_changes(None, since, before)
    # the incremental reads go as inner requests of $batch requests; a kind's own count is the unfiltered one
    # (counts of lastModifiedDateTime ranges carry a $filter)
    counts = bc.inner_calls.get("GET $count", 0) - calls.get("GET $count", 0)
    merged, report = merge(before, delta)
    src.derive(merged.frames)
    full = erp_connector(bc, page_size=10).pull()
    for kind in ("orders", "order_lines"):
        pd.testing.assert_frame_equal(merged.frames[kind].reset_index(drop=True), full.frames[kind])
    assert report["orders"]["deleted"] == len(gone) and "no count" in report["orders"]["deletions"]
    assert not set(gone) & set(merged.frames["order_lines"]["order_id"])  # their lines went with them
    # one count per other kind, none for orders, nor for the payments (listed by id and stamp with their journals)
    counted = [k for k, kd in delta.kinds.items() if kd.mode == CHANGES and k not in ("orders", "payments")]
    assert counts == len(counted), (counts, counted)


def test_a_change_stamped_in_the_instant_asked_from_or_rounded_before_it_is_read(bc):
    """Business Central keeps lastModifiedDateTime in a SQL Server datetime, rounded to 1/300 s: a change in the
    very millisecond a re-run asks from, or one made just after it and stamped a millisecond before, must come
    back; asked with ``gt since`` both were missed (with ``[run] overlap_minutes = 0``, nothing else catches them)."""
    src = erp_connector(bc)
    before = src.pull()
    since = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=251_000)
    same, rounded = before.frames["customers"]["record_id"].tolist()[2:4]
    for rid, name, stamp in ((same, "Same Instant Ltd", since), (rounded, "Rounded Back Ltd",
                                                                 since - timedelta(milliseconds=1))):
        bc.store.update("customers", rid, lambda d, _v, n=name, t=stamp: {
            **d, "displayName": n, "lastModifiedDateTime": t.isoformat(timespec="milliseconds").replace("+00:00", "Z")})
    delta = erp_connector(bc).pull_changes(None, since, before)
    merged, _ = merge(before, delta)
    names = dict(zip(merged.frames["customers"]["record_id"], merged.frames["customers"]["name"]))
    assert (names[same], names[rounded]) == ("Same Instant Ltd", "Rounded Back Ltd")


def _parents_merged_and_pulled(bc, before, since):
    """Each customer's parent: merged over ``before`` from the changes since ``since``, and read by a full pull."""
    src = erp_connector(bc)
    merged, _ = merge(before, src.pull_changes(None, since, before))
    src.derive(merged.frames)
    full = erp_connector(bc).pull().frames["customers"].set_index("record_id")["parent_id"]
    return merged.frames["customers"].set_index("record_id")["parent_id"], full


def test_a_parent_customer_entered_again_under_its_number_is_the_parent_of_its_unchanged_children(bc):
    """A bill-to parent is deleted and its card entered again under the same number (a new id); its
    children are not touched. Merged over the previous pull, they point at the new card, as a full pull
    has them, not at the deleted one's id, which the previous pull had resolved their number to."""
    before = erp_connector(bc).pull()
    cust = before.frames["customers"]
    child = cust[cust["parent_id"].isin(cust["record_id"])].iloc[0]
    parent = bc.store.get("customers", child["parent_id"])[0]
    since = datetime.now(UTC) - timedelta(seconds=1)
    api = bc.info["api_root"]
    httpx.delete(f"{api}/customers({parent['id']})", headers={**bearer(bc), "If-Match": "*"}).raise_for_status()
    again = {**parent, "id": "0b9f1c2e-5d7a-4e8b-9c3d-2a1f0e6d7c5b", "lastModifiedDateTime": now_iso()}
    bc.store.insert_many("customers", [(again["id"], again)])  # the API assigns numbers: entered in the client
    mine, full = _parents_merged_and_pulled(bc, before, since)
    assert mine[child["record_id"]] == full[child["record_id"]] == again["id"]
    assert mine.sort_index().equals(full.sort_index())


def test_a_renumbered_parent_customer_stays_the_parent_of_its_unchanged_children(bc):
    """A bill-to parent's number is changed (Rename: the card is written, and every field related to the customer
    follows, the children's bill-to number included, whether or not that stamps them). Merged over the previous
    pull, an unchanged child keeps the parent's id, as a full pull resolves its new number to."""
    before = erp_connector(bc).pull()
    cust = before.frames["customers"]
    child = cust[cust["parent_id"].isin(cust["record_id"])].iloc[0]
    parent = bc.store.get("customers", child["parent_id"])[0]
    since = datetime.now(UTC) - timedelta(seconds=1)
    bc.store.update("customers", parent["id"], lambda d, v: {**d, "number": "RENUMBERED-1",
                                                             "lastModifiedDateTime": now_iso()})
    for _, d, _ in list(bc.store.scan("customers")):
        if d.get("billToCustomerNumber") == parent["number"]:  # the cascade, the child's stamp as it was
            bc.store.update("customers", d["id"], lambda r, v: {**r, "billToCustomerNumber": "RENUMBERED-1"})
    mine, full = _parents_merged_and_pulled(bc, before, since)
    assert mine[child["record_id"]] == full[child["record_id"]] == parent["id"]
    assert mine.sort_index().equals(full.sort_index())


def test_progress_is_reported_and_cancel_stops_the_pull(bc):
    src = erp_connector(bc, page_size=10)
    state = RecordingProgress()
    original = state.set_progress

    def cancel_after_first(done, total=None, message=""):
        original(done, total, message)
        state.cancel()
    state.set_progress = cancel_after_first
    with pytest.raises(Cancelled):
        src.pull(state)
    assert state.updates and "customers" in state.updates[0][2]


def test_push_writes_with_etag_and_next_pull_sees_it_incrementally(bc):
    src = erp_connector(bc)
    first = src.pull()
    cust = first.frames["customers"].iloc[3]
    since = datetime.now(UTC) - timedelta(seconds=1)
    req = WriteRequest(1, "k1", "customers", cust["record_id"], "city", cust["city"], "Reykjavik Testville",
                       seen_version=cust["version"])
    [res] = src.push([req])
    assert res.outcome == "applied" and res.new_version and res.new_version != cust["version"]
    later = src.pull(since=since)
    changed = later.frames["customers"]
    assert list(changed["record_id"]) == [cust["record_id"]]
    assert changed.iloc[0]["city"] == "Reykjavik Testville" and changed.iloc[0]["version"] == res.new_version
    assert len(later.frames["invoices"]) == 0
    assert "lastModifiedDateTime ge" in later.meta.queries["customers"]
    # pushing the same correction again changes nothing
    [again] = src.push([WriteRequest(1, "k1", "customers", cust["record_id"], "city", cust["city"],
                                     "Reykjavik Testville", seen_version=cust["version"])])
    assert again.outcome == "already_applied"
    assert bc.store.get("customers", cust["record_id"])[1] == 2  # written exactly once


def test_stale_etag_is_a_conflict_and_nothing_is_written(bc):
    src = erp_connector(bc)
    cust = src.pull().frames["customers"].iloc[0]
    other = erp_connector(bc)
    [first] = other.push([WriteRequest(1, "a", "customers", cust["record_id"], "name", cust["name"], "Other Co",
                                       seen_version=cust["version"])])
    assert first.outcome == "applied"
    [res] = src.push([WriteRequest(2, "b", "customers", cust["record_id"], "city", cust["city"], "Oslo Testville",
                                   seen_version=cust["version"])])
    assert res.outcome == "conflict"
    assert bc.store.get("customers", cust["record_id"])[0]["city"] == cust["city"]


def test_record_changed_between_read_and_write_is_caught_by_if_match(bc):
    src = erp_connector(bc)
    cust = src.pull().frames["customers"].iloc[1]
    bc.faults.change_before_write()
    [res] = src.push([WriteRequest(1, "k", "customers", cust["record_id"], "postcode", cust["postcode"], "99999",
                                   seen_version=cust["version"])])
    assert res.outcome == "conflict" and "Another user has already changed the record" in res.message
    assert bc.store.get("customers", cust["record_id"])[0]["postalCode"] == cust["postcode"]
    assert "change_before_write" in bc.faults.fired


def test_without_seen_version_a_changed_old_value_is_a_conflict(bc):
    src = erp_connector(bc)
    cust = src.pull().frames["customers"].iloc[2]
    [res] = src.push([WriteRequest(1, "k", "customers", cust["record_id"], "city", "Not What It Was",
                                   "Oslo Testville")])
    assert res.outcome == "conflict" and res.current_value == cust["city"]


def test_read_only_field_is_refused_before_sending_as_metadata_marks_it(bc):
    src = erp_connector(bc)
    inv = src.pull().frames["invoices"].iloc[0]
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "open_balance", inv["open_balance"],
                                   inv["open_balance"] + Decimal("1.00"), seen_version=inv["version"])])
    assert res.outcome == "permanent" and "remainingAmount" in res.message and "read-only" in res.message
    assert bc.store.get("salesInvoices", inv["record_id"])[1] == 1  # no PATCH landed


def test_429_with_retry_after_is_honoured(bc):
    src = erp_connector(bc)
    bc.faults.rate_limit(times=2, retry_after=1)
    ex = src.pull()
    assert len(ex.frames["customers"]) == bc.store.count("customers")
    assert bc.faults.fired.count("rate_limit") == 2
    assert src.http.retries >= 2 and src.http.waited >= 2.0  # waited what the server asked


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried(bc, status):
    src = erp_connector(bc)
    bc.faults.server_error(status, times=2)
    ex = src.pull()
    assert len(ex.frames["invoices"]) == bc.store.count("salesInvoices")
    assert bc.faults.fired.count("server_error") == 2


def test_persistent_outage_gives_one_line_error_with_the_systems_words(bc):
    src = erp_connector(bc, retries=2)
    bc.faults.server_error(503, times=50)
    with pytest.raises(SourceError) as err:
        src.pull()
    text = err.value.one_line()
    assert "503" in text and "temporarily unavailable" in text and "\n" not in text


def test_slow_answer_times_out_and_is_retried(bc):
    src = erp_connector(bc, timeout=3)
    bc.faults.slow(seconds=300)  # held until the client's 3 s read timeout gives up
    ex = src.pull()
    assert len(ex.frames["customers"]) == bc.store.count("customers")
    assert src.http.retries >= 1


def test_expired_token_is_refreshed_once(bc):
    src = erp_connector(bc)
    src.pull()
    bc.faults.expire_tokens()
    ex = src.pull()
    assert len(ex.frames["customers"]) == bc.store.count("customers")
    assert src.auth.fetched == 2


def test_wrong_client_secret_is_refused_with_the_sign_in_words(bc, monkeypatch):
    table = erp.demo_config(bc)
    monkeypatch.setenv(table["business_central"]["client_secret_env"], "wrong")
    src = open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))
    with pytest.raises(SourceError, match="sign-in refused.*AADSTS7000215"):
        src.pull()
    checks = src.test_connection()
    assert checks[0][0] == "sign-in" and checks[0][1] is False


def test_missing_secret_names_where_to_put_it(bc, monkeypatch):
    table = erp.demo_config(bc)
    monkeypatch.delenv(table["business_central"]["client_secret_env"])
    with pytest.raises(ConfigError, match="client_secret.*environment variable"):
        open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))


def test_company_by_name_and_connection_check(bc):
    table = erp.demo_config(bc)
    table["business_central"]["company"] = bc.info["company_name"]
    src = open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))
    checks = src.test_connection()
    assert all(ok for _, ok, _ in checks), checks
    assert bc.info["company_id"] in src.company_url


def test_describe_lists_real_fields_with_updateability(bc):
    src = erp_connector(bc)
    fields = {f["name"]: f for f in src.describe("customers")}
    assert fields["displayName"]["updateable"] is True
    assert fields["id"]["updateable"] is False and fields["balanceDue"]["updateable"] is False
    assert fields["lastModifiedDateTime"]["type"] == "datetimeoffset"


def test_read_current_gives_values_and_etag(bc):
    src = erp_connector(bc)
    cust = src.pull().frames["customers"].iloc[0]
    cur = src.read_current("customers", [cust["record_id"], "00000000-0000-0000-0000-000000000001"], ["name"])
    assert list(cur) == [cust["record_id"]]
    assert cur[cust["record_id"]] == {"name": cust["name"], "version": cust["version"]}


def test_cancelled_push_stops_between_records_and_reports_what_was_done(bc):
    src = erp_connector(bc)
    custs = src.pull().frames["customers"].head(3)
    reqs = [WriteRequest(i, f"k{i}", "customers", r["record_id"], "city", r["city"], f"Town {i}",
                         seen_version=r["version"]) for i, r in enumerate(custs.to_dict("records"))]
    state = RecordingProgress()
    original = state.set_progress

    def cancel_after_first(done, total=None, message=""):
        original(done, total, message)
        state.cancel()
    state.set_progress = cancel_after_first
    results = src.push(reqs, state)
    assert [r.outcome for r in results] == ["applied"]
    assert bc.store.get("customers", reqs[1].record_id)[0]["city"] == custs.iloc[1]["city"]


def test_payments_are_read_under_their_journal_each_in_its_invoices_currency(bc, records):
    """Business Central lists customer payments only for a journal (page 30055 "APIV2 - Customer Payments",
    CheckFilters) and publishes no currency on them: they are read with their customerPaymentJournals and take
    their invoice's currency."""
    ex = erp_connector(bc, page_size=10).pull()
    pays = ex.frames["payments"].set_index("record_id")
    stored = {d["id"]: d for _, d, _ in bc.store.scan("customerPayments")}
    assert sorted(pays.index) == sorted(stored) and stored
    assert ex.meta.queries["payments"].startswith(
        "GET customerPaymentJournals?$select=id&$expand=customerPayments($select=id,")
    assert "currencyCode" not in ex.meta.queries["payments"]
    assert [pays.loc[r, "amount"] for r in stored] == [stored[r]["amount"] for r in stored]
    seeded = {p["record_id"]: p["currency"] for p in records["payments"]}
    assert pays["currency"].to_dict() == {r: seeded[r] for r in pays.index}
    invoices = {d["number"]: d["currencyCode"] for _, d, _ in bc.store.scan("salesInvoices")}
    assert all(pays.loc[r, "currency"] == invoices[stored[r]["appliesToInvoiceNumber"]] for r in stored)


def test_the_old_read_of_payments_is_refused_as_business_central_refuses_it(bc):
    """What the connector used to send: every payment with no journal named, and a currencyCode the entity lacks."""
    api, headers = bc.info["api_root"], bearer(bc)
    old = httpx.get(f"{api}/customerPayments", headers=headers,
                    params={"$select": "id,customerId,amount,currencyCode,appliesToInvoiceNumber,postingDate,"
                                       "lastModifiedDateTime"})
    assert old.status_code == 400 and "'currencyCode'" in old.json()["error"]["message"]
    unbound = httpx.get(f"{api}/customerPayments", headers=headers,
                        params={"$select": "id,customerId,amount,appliesToInvoiceNumber,postingDate"})
    assert unbound.status_code == 400
    assert unbound.json()["error"]["code"] == "Application_DialogException"
    assert unbound.json()["error"]["message"].startswith(
        "You must specify a journal batch ID or a journal ID to get a journal line.")
    checks = {name: ok for name, ok, _ in erp_connector(bc).test_connection()}
    assert checks["read customerPayments"] is True


def test_a_payment_correction_is_written_by_its_id_and_its_currency_refused_in_one_line(bc):
    src = erp_connector(bc)
    pay = src.pull().frames["payments"].iloc[0]
    [res] = src.push([WriteRequest(1, "p1", "payments", pay["record_id"], "amount", pay["amount"], Decimal("10.50"),
                                   seen_version=pay["version"])])
    assert res.outcome == "applied"
    assert bc.store.get("customerPayments", pay["record_id"])[0]["amount"] == Decimal("10.50")
    [cur] = src.push([WriteRequest(2, "p2", "payments", pay["record_id"], "currency", pay["currency"], "USD",
                                   seen_version=res.new_version)])
    assert cur.outcome == "permanent" and "not mapped to a customerPayments property" in cur.message


def test_enum_values_sent_by_member_name_are_read_as_the_text_they_stand_for(bc):
    # API v2.0 sends an enum value as its member name: "_x0020_" (blank), "In_x0020_Review" (transition-to-api-v2.0.md,
    # Enums; api-reference/v2.0/api/dynamics_itemledgerentry_get.md "sourceType": "_x0020_")
    invoice = next(d for _, d, _ in bc.store.scan("salesInvoices"))
    order = next(d for _, d, _ in bc.store.scan("salesOrders"))
    bc.store.update("salesInvoices", invoice["id"], lambda d, _v: {**d, "status": "In_x0020_Review"})
    bc.store.update("salesOrders", order["id"], lambda d, _v: {**d, "status": "In_x0020_Review"})
    ex = erp_connector(bc).pull()
    customers = ex.frames["customers"]
    assert "_x0020_" not in set(customers["blocked"].dropna())
    blank = customers[customers["blocked"].isna()]
    assert len(blank) and {bc.store.get("customers", r)[0]["blocked"] for r in blank["record_id"]} == {"_x0020_"}
    inv = ex.frames["invoices"].set_index("record_id").loc[invoice["id"]]
    assert inv["status_raw"] == "In Review" and inv["status"] == "draft"
    assert bool(ex.frames["orders"].set_index("record_id").loc[order["id"], "booked"]) is False


def test_by_default_only_what_api_v2_publishes_is_asked(bc):
    """API v2.0 has no price list entity and no bill-to customer on its customers page (microsoft/ALAppExtensions
    APIV2Customers.Page.al): a real service refuses the property and answers 404 for the entity set, so a config
    that maps neither reads customers without a parent and no prices, and asks for neither."""
    table = erp.demo_config(bc)
    table.pop("objects")
    table["business_central"]["backoff"] = 0.01
    before = dict(bc.calls)
    ex = open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table})).pull()
    asked = [shape for shape, n in bc.calls.items() if n > before.get(shape, 0)]
    assert asked and not any("salesPrices" in shape for shape in asked), asked
    assert "billToCustomerNumber" not in ex.meta.queries["customers"]
    assert "prices" not in ex.meta.row_counts and ex.meta.row_counts["customers"] == bc.store.count("customers")
    assert "parent_id" not in ex.frames["customers"] or ex.frames["customers"]["parent_id"].isna().all()
    # the sandbox's tenant publishes both, and its config maps them
    mapped = erp_connector(bc).pull()
    assert "billToCustomerNumber" in mapped.meta.queries["customers"]
    assert mapped.meta.row_counts["prices"] == bc.store.count("salesPrices")
    assert mapped.frames["customers"]["parent_id"].notna().any()


def test_prices_on_the_tenants_own_api_route_are_read_re_read_and_corrected_there(bc):
    """A tenant publishes its price list page under its own route (``[erp.objects.prices] route``): the pull, a
    re-run's $batch and a correction (with that route's $metadata) go there. The connector read every kind under
    api/v2.0, where Business Central answers 404 for the page."""
    table = erp.demo_config(bc)
    del table["objects"]["prices"]["route"]
    with pytest.raises(SourceError, match="salesPrices"):
        open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table})).pull()
    before = erp_connector(bc, page_size=10).pull()
    assert before.meta.row_counts["prices"] == bc.store.count("salesPrices")
    assert before.meta.queries["prices"].startswith("GET api/workbench/pricing/v1.0/.../salesPrices?$select=id,")
    since = datetime.now(UTC) - timedelta(seconds=1)
    price = before.frames["prices"].iloc[2]
    [res] = erp_connector(bc).push([WriteRequest(1, "k", "prices", price["record_id"], "unit_price",
                                                 price["unit_price"], "1249.50", seen_version=price["version"])])
    assert res.outcome == "applied", res.message
    assert bc.store.get("salesPrices", price["record_id"])[0]["unitPrice"] == Decimal("1249.50")
    src = erp_connector(bc, page_size=10)
    merged, report = merge(before, src.pull_changes(None, since, before))
    assert report["prices"]["changed"] == 1
    got = merged.frames["prices"].set_index("record_id")["unit_price"]
    assert got[price["record_id"]] == Decimal("1249.50") and len(got) == bc.store.count("salesPrices")


@pytest.mark.parametrize("route", ["pricing", "contoso/pricing/1.0", "contoso/pricing/v1.0/companies"])
def test_a_route_not_of_publisher_group_version_is_refused_naming_the_object(bc, route):
    table = erp.demo_config(bc)
    table["objects"]["prices"]["route"] = route
    with pytest.raises(ConfigError, match=r"objects\.prices\] route = .*<publisher>/<group>/<version>"):
        open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))


def test_records_changed_or_deleted_between_pages_are_neither_read_twice_nor_skipped(bc):
    """The pull sends no $orderby and follows Business Central's next links, which resume after the last record
    served (its key), not at an offset: a record deleted from a page already read moves no record past the next
    page, one changed on a page to come is read once with its new values, and one changed on a page already read
    comes with the next re-run (its stamp is after this pull's start)."""
    ids = [d["id"] for _, d, _ in bc.store.scan("customers")]
    read_early, gone, read_late = ids[1], ids[2], ids[12]
    since = datetime.now(UTC) - timedelta(seconds=1)
    state = RecordingProgress()
    original = state.set_progress

    def change_after_first_page(done, total=None, message=""):
        original(done, total, message)
        if len(state.updates) == 1:
            for rid, name in ((read_early, "Changed Behind Ltd"), (read_late, "Changed Ahead Ltd")):
                bc.store.update("customers", rid, lambda d, _v, n=name: {**d, "displayName": n,
                                                                        "lastModifiedDateTime": now_iso()})
            bc.store.delete("customers", gone)
    state.set_progress = change_after_first_page
    pulled = erp_connector(bc, page_size=5).pull(state)
    got = pulled.frames["customers"].set_index("record_id")["name"]
    # each record once, the one deleted after its page was read among them (an offset would have skipped the
    # record that moved up into the deleted one's place)
    assert got.index.is_unique and sorted(got.index) == sorted(ids)
    assert got[read_late] == "Changed Ahead Ltd" and got[read_early] != "Changed Behind Ltd"
    merged, report = merge(pulled, erp_connector(bc).pull_changes(None, since, pulled))
    after = merged.frames["customers"].set_index("record_id")["name"]
    assert after[read_early] == "Changed Behind Ltd" and gone not in after.index and report["customers"]["deleted"] == 1


def test_a_document_and_its_lines_under_two_routes_are_refused(bc):
    """Order lines are read inline with their orders, in one request: a config naming one route for orders and
    another for their lines cannot be served; the later route silently won for both."""
    table = erp.demo_config(bc)
    table["objects"].update({"orders": {"route": "contoso/sales/v1.0"}, "order_lines": {"route": "contoso/lines/v1.0"}})
    with pytest.raises(ConfigError, match=r"objects\.order_lines\] route = 'contoso/lines/v1.0': salesOrders is read "
                                          r"under another route"):
        open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))
