"""Pulling only what changed and merging it over the previous pull, against the ERP sandboxes over
real HTTP: the merged data is exactly what a full pull of the same data reads."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from decimal import Decimal

import httpx
import pandas as pd
import pyarrow as pa
import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from tests.workbench.sandbox.erp.bc_http import set_url
from workbench.sandbox import erp
from workbench.sandbox.erp.odoo import MODELS
from workbench.sources.delta import CHANGES, FULL, gone_by_count, id_sum_differs, merge


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 60, 5, tmp_path_factory.mktemp("scenario"))


def _same(merged, full) -> None:
    """Frame by frame, row by row and in the same order; the raw records the same set."""
    assert set(merged.frames) == set(full.frames)
    for kind, frame in full.frames.items():
        pd.testing.assert_frame_equal(merged.frames[kind].reset_index(drop=True), frame.reset_index(drop=True))
    assert sorted(merged.snapshots["content_hash"]) == sorted(full.snapshots["content_hash"])
    assert merged.meta.row_counts == full.meta.row_counts


def odoo_now() -> str:
    """Now as Odoo writes write_date."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _bc(handle) -> httpx.Client:
    return httpx.Client(base_url=handle.info["api_root"] + "/", trust_env=False, timeout=60,
                        headers={"Authorization": f"Bearer {handle.info['access_token']}"})


def test_business_central_changes_merge_to_what_a_full_pull_reads(records):
    for handle in erp_sandbox("business-central", records):
        before = erp_connector(handle, page_size=10).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        invoices = before.frames["invoices"]["record_id"].tolist()
        with _bc(handle) as http:
            for rid in invoices[5:60:15]:  # four deleted, spread out: the counts must find each of them
                http.delete(f"salesInvoices({rid})", headers={"If-Match": "*"}).raise_for_status()
            etag = http.get(f"salesInvoices({invoices[3]})").json()["@odata.etag"]
            http.patch(f"salesInvoices({invoices[3]})", json={"dueDate": "2027-01-31"},
                       headers={"If-Match": etag}).raise_for_status()
            http.post("customers", json={"displayName": "Fabrikam Newco Ltd", "city": "York"}).raise_for_status()
        src = erp_connector(handle, page_size=10)
        calls = handle.requests
        delta = src.pull_changes(None, since, before)
        delta_calls = handle.requests - calls
        merged, report = merge(before, delta)
        src.derive(merged.frames)
        calls = handle.requests
        full = erp_connector(handle, page_size=10).pull()
        full_calls = handle.requests - calls
        _same(merged, full)
        assert report["invoices"] == {"mode": CHANGES, "changed": 1, "deleted": 4, "reused": len(invoices) - 5,
                                      "deletions": report["invoices"]["deletions"]}
        assert "counts" in report["invoices"]["deletions"]  # narrowed down, not every id read
        assert report["customers"]["changed"] == 1 and report["customers"]["deleted"] == 0
        assert report["order_lines"]["mode"] == FULL and "lastModifiedDateTime" in report["order_lines"]["why"]
        assert delta_calls * 2 < full_calls, (delta_calls, full_calls)


def test_business_central_reads_every_id_when_that_is_cheaper_than_narrowing(records):
    for handle in erp_sandbox("business-central", records):
        before = erp_connector(handle).pull()  # pages of 20,000: one request reads every id
        since = datetime.now(UTC) - timedelta(seconds=1)
        gone = before.frames["prices"]["record_id"].tolist()[:3]
        with _bc(handle) as http:
            for rid in gone:
                http.delete(f"{set_url(handle, 'salesPrices')}({rid})", headers={"If-Match": "*"}).raise_for_status()
        src = erp_connector(handle)
        delta = src.pull_changes(None, since, before)
        assert delta.kinds["prices"].live is not None and not set(gone) & delta.kinds["prices"].live
        merged, report = merge(before, delta)
        src.derive(merged.frames)
        assert report["prices"]["deleted"] == 3 and "$select=id" in report["prices"]["deletions"]
        _same(merged, erp_connector(handle).pull())


def test_business_central_re_run_reads_only_the_payments_stamped_since_under_their_journals(records):
    """Business Central lists customer payments only under a journal (page 30055 "APIV2 - Customer Payments",
    CheckFilters). A re-run lists every journal's lines by id and stamp, then reads whole, under its journal, only
    the lines stamped since: a payment posted (gone from the journal), changed, or added in a new journal is right,
    each with its invoice's currency, and an unchanged journal's lines are not read again."""
    for handle in erp_sandbox("business-central", records):
        before = erp_connector(handle, page_size=10).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        pays = before.frames["payments"]["record_id"].tolist()
        src, calls = erp_connector(handle, page_size=10), handle.inner_calls
        quiet = src.pull_changes(None, since, before)
        shapes = {s for s, n in handle.inner_calls.items() if n > calls.get(s, 0)}
        assert "GET customerPaymentJournals ?$expand,$select=id" in shapes, shapes
        assert not any(s.startswith("GET customerPayments") for s in shapes), shapes  # nothing stamped since
        assert quiet.kinds["payments"].mode == CHANGES and len(quiet.frames["payments"]) == 0
        with _bc(handle) as http:
            for rid in pays[:2]:  # posted: the journal line is deleted
                http.delete(f"customerPayments({rid})", headers={"If-Match": "*"}).raise_for_status()
            etag = http.get(f"customerPayments({pays[2]})").json()["@odata.etag"]
            http.patch(f"customerPayments({pays[2]})", json={"amount": 1.25},
                       headers={"If-Match": etag}).raise_for_status()
            journal = http.post("customerPaymentJournals", json={"code": "BANK2", "displayName": "Bank 2"})
            journal.raise_for_status()
            invoice = before.frames["invoices"].iloc[0]
            added = http.post("customerPayments", json={
                "journalId": journal.json()["id"], "amount": 7.5, "appliesToInvoiceNumber": invoice["number"],
                "postingDate": "2026-11-30"})
            added.raise_for_status()
        calls = handle.inner_calls
        delta = src.pull_changes(None, since, before)
        shapes = {s: n - calls.get(s, 0) for s, n in handle.inner_calls.items() if n > calls.get(s, 0)}
        # one read per journal with lines stamped since: the changed line of GENERAL, the new journal's line
        assert shapes["GET customerPayments ?$filter,$select"] == 2, shapes
        kd = delta.kinds["payments"]
        assert kd.mode == CHANGES and kd.live is not None and not set(pays[:2]) & kd.live
        assert sorted(delta.frames["payments"]["record_id"]) == sorted([pays[2], added.json()["id"]])
        merged, report = merge(before, delta)
        src.derive(merged.frames)
        _same(merged, erp_connector(handle, page_size=10).pull())
        got = merged.frames["payments"].set_index("record_id")
        assert report["payments"]["deleted"] == 2 and len(got) == len(pays) - 1
        assert got.loc[pays[2], "amount"] == Decimal("1.25") and got.loc[added.json()["id"], "amount"] == Decimal("7.5")
        invoices = merged.frames["invoices"].set_index("number")["currency"]
        assert got["currency"].notna().all()
        assert (got["currency"] == [invoices[n] for n in got["invoice_number"]]).all()


def test_business_central_payments_added_to_an_earlier_journal_keep_the_order_a_full_read_gives(records):
    """A full read lists payments journal by journal; a line added to the first journal while a later one holds
    lines is not last. The merged payments are in the listing's order, as a full read gives them."""
    for handle in erp_sandbox("business-central", records):
        with _bc(handle) as http:
            later = http.post("customerPaymentJournals", json={"code": "BANK2", "displayName": "Bank 2"}).json()
            http.post("customerPayments", json={"journalId": later["id"], "amount": 3}).raise_for_status()
        before = erp_connector(handle, page_size=10).pull()
        general = before.frames["payments"]["record_id"].iloc[0]
        journal = handle.store.get("customerPayments", general)[0]["journalId"]
        with _bc(handle) as http:
            added = http.post("customerPayments", json={"journalId": journal, "amount": 7.5}).json()["id"]
        src = erp_connector(handle, page_size=10)
        merged, _ = merge(before, src.pull_changes(None, datetime.now(UTC) - timedelta(seconds=1), before))
        src.derive(merged.frames)
        full = erp_connector(handle, page_size=10).pull()
        assert full.frames["payments"]["record_id"].iloc[-1] != added  # the case: the new line is not listed last
        _same(merged, full)


@pytest.mark.parametrize("stamp", [None, "0001-01-01T00:00:00Z", ""])
def test_business_central_reads_a_journal_whole_when_it_holds_a_line_the_last_run_never_saw(records, stamp):
    """A line the previous run did not hold (one it missed, or a mapping's filter that changed) cannot be found
    by its stamp when that is earlier than the run, or when there is none to go by (AL's blank date-time, or
    none): its journal is read whole, so the line still comes."""
    for handle in erp_sandbox("business-central", records):
        before = erp_connector(handle, page_size=10).pull()
        missed = before.frames["payments"]["record_id"].iloc[4]
        if stamp is not None:
            handle.store.update("customerPayments", missed, lambda d, v: {**d, "lastModifiedDateTime": stamp})
        before.frames["payments"] = before.frames["payments"][before.frames["payments"]["record_id"] != missed]
        src = erp_connector(handle, page_size=10)
        delta = src.pull_changes(None, datetime.now(UTC) - timedelta(seconds=1), before)
        assert missed in set(delta.frames["payments"]["record_id"])
        merged, _ = merge(before, delta)
        src.derive(merged.frames)
        full = erp_connector(handle, page_size=10).pull()
        assert sorted(merged.frames["payments"]["record_id"]) == sorted(full.frames["payments"]["record_id"])


def test_business_central_refuses_a_delete_with_a_stale_etag(records):
    for handle in erp_sandbox("business-central", records):
        rid = erp_connector(handle).pull().frames["customers"]["record_id"].iloc[0]
        with _bc(handle) as http:
            etag = http.get(f"customers({rid})").json()["@odata.etag"]
            http.patch(f"customers({rid})", json={"city": "Leeds"}, headers={"If-Match": etag}).raise_for_status()
            stale = http.delete(f"customers({rid})", headers={"If-Match": etag})
            assert stale.status_code == 412 and stale.json()["error"]["code"] == "Request_EntityChanged"
            assert http.delete(f"customers({rid})").status_code == 400  # no If-Match: refused
            assert http.get(f"customers({rid})").status_code == 200


def test_odoo_changes_archiving_and_unlink_merge_to_what_a_full_pull_reads(records):
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        partners = [int(x) for x in before.frames["customers"]["record_id"].tolist()]
        moves = [int(x) for x in before.frames["invoices"]["record_id"].tolist()]
        src._call("res.partner", "write", [partners[1]], vals={"city": "Ghent"})
        src._call("res.partner", "write", [partners[2]], vals={"active": False})  # archived: still read
        assert src._call("account.move", "unlink", moves[4:6]) is True
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        assert report["invoices"]["deleted"] == 2 and report["invoices"]["changed"] == 0
        assert report["customers"]["changed"] == 2 and report["customers"]["deleted"] == 0
        archived = merged.frames["customers"].set_index("record_id").loc[str(partners[2])]
        assert archived["active"] in (False,)  # False, not missing


def test_merge_keeps_the_order_replaces_in_place_appends_and_removes():
    """The merge over plain frames: a record read twice counts once (its last reading), a record
    deleted and read again is kept as read, and ids the key-only pull no longer lists are removed."""
    from workbench.sources.base import Extract, SourceMeta, snapshot_frame
    from workbench.sources.delta import DeltaExtract, KindDelta

    def extract(rows, cls=Extract, **kw):
        meta = SourceMeta(side="erp", system="odoo", connector="odoo")
        frame = pd.DataFrame({"record_id": [r for r, _ in rows], "number": [n for _, n in rows]})
        snaps = snapshot_frame(("account.move", "invoices", r, "q", {"id": r, "name": n}) for r, n in rows)
        return cls(meta, {"invoices": frame}, snaps, **kw).finish()

    before = extract([("1", "A"), ("2", "B"), ("3", "C"), ("4", "D"), ("5", "E")])
    delta = extract([("2", "B1"), ("9", "N"), ("2", "B2"), ("4", "D1")], DeltaExtract,
                    kinds={"invoices": KindDelta(CHANGES, deleted=frozenset({"3", "4"}),
                                                 live=frozenset({"1", "2", "3", "4", "9"}))})
    merged, report = merge(before, delta)
    frame = merged.frames["invoices"]
    assert frame["record_id"].tolist() == ["1", "2", "4", "9"]  # 3 deleted, 5 gone from the key-only pull
    assert frame["number"].tolist() == ["A", "B2", "D1", "N"]
    assert report["invoices"] == {"mode": CHANGES, "changed": 3, "deleted": 2, "reused": 1}
    snaps = merged.snapshots
    assert snaps["record_id"].tolist() == ["1", "2", "4", "9"]
    assert '"B2"' in snaps["payload"].iloc[1] and '"D1"' in snaps["payload"].iloc[2]


def test_merged_raw_records_stay_kind_by_kind_in_the_order_a_full_pull_reads_them():
    """A full pull reads kind after kind: a new customer is stored among the customers, a kind read in full again
    (Business Central's order lines) where it was, and the first price of a kind the previous run read none of where
    its kind's frame is, not after every other kind. The raw records' order is
    their stored position and makes the extract's content hash, which must be a full pull's of the same data."""
    from workbench.sources.base import Extract, SourceMeta, snapshot_frame
    from workbench.sources.delta import DeltaExtract, KindDelta, RawKeys

    def extract(rows, cls=Extract, prices=False, **kw):
        """Frames in the order the rows' kinds come (a pull's), with an empty price list after the customers."""
        kinds = [*dict.fromkeys(k for k, _ in rows)]
        kinds = [*kinds[:1], "prices", *kinds[1:]] if prices else kinds
        frames = {k: pd.DataFrame({"record_id": [r for kk, r in rows if kk == k]}, dtype=object) for k in kinds}
        snaps = snapshot_frame((k, k, r, "q", {"id": r}) for k, r in rows)
        return cls(SourceMeta(side="erp", system="bc", connector="business_central"), frames, snaps, **kw).finish()

    before = extract([("customers", "c1"), ("customers", "c2"), ("order_lines", "l1"), ("order_lines", "l2"),
                      ("invoices", "i1")], prices=True)
    kinds = {"customers": KindDelta(CHANGES), "prices": KindDelta(CHANGES),
             "order_lines": KindDelta(FULL, why="no stamp"), "invoices": KindDelta(CHANGES)}
    delta = extract([("customers", "c3"), ("prices", "p1"), ("order_lines", "l1"), ("order_lines", "l3")],
                    DeltaExtract, kinds=kinds)
    full = extract([("customers", "c1"), ("customers", "c2"), ("customers", "c3"), ("prices", "p1"),
                    ("order_lines", "l1"), ("order_lines", "l3"), ("invoices", "i1")])
    merged, _ = merge(before, delta)
    assert list(zip(merged.snapshots["kind"], merged.snapshots["record_id"])) \
        == list(zip(full.snapshots["kind"], full.snapshots["record_id"]))
    assert merged.meta.content_hash == full.meta.content_hash
    keys = RawKeys(pa.array(before.snapshots["kind"]), pa.array(before.snapshots["record_id"]))
    merged_raw, _ = merge(before, delta, keys)
    assert merged_raw.raw_from.tolist() == [0, 1, -1, -2, -3, -4, 4]  # stored records by position, read ones -1 - row


def test_a_sum_of_the_ids_tells_a_late_record_beside_a_deleted_one_where_a_count_cannot():
    """Known 10, 20, 30 and 40, 30 read again. 20 deleted and 25 committed late: four counted either way, but ids
    summing to 105, not 100. Two deleted (20, 30) and two late (15, 35) sum alike: still hidden from both."""
    known, read = frozenset({"10", "20", "30", "40"}), {"30"}
    assert gone_by_count(4, known, read) == 0 and id_sum_differs(10 + 25 + 30 + 40, known, read)
    assert not id_sum_differs(100, known, read)
    assert gone_by_count(4, known, read) == 0 and not id_sum_differs(10 + 15 + 35 + 40, known, read)
    assert id_sum_differs(100, frozenset({"10", "x"}), read)  # no integer to add: listed


def test_odoo_a_contact_that_became_a_customer_without_a_write_is_read_by_the_next_pull(records):
    """Posting a contact's first invoice raises its customer_rank by SQL (Odoo addons/account/models/partner.py
    ``_increase_rank``): the partner enters the customers' domain with its write_date unchanged."""
    for handle in erp_sandbox("odoo", records):
        top = max(int(d["id"]) for _, d, _ in handle.store.scan("res.partner"))
        contact: dict = dict.fromkeys(MODELS["res.partner"], False)
        contact.update(id=top + 1, name="Later Customer GmbH", display_name="Later Customer GmbH", city="Bonn",
                       is_company=True, customer_rank=0, active=True, sale_warn="no-message",
                       write_date="2020-01-01 00:00:00")
        handle.store.insert_many("res.partner", [(str(top + 1), contact)])
        src = erp_connector(handle)
        before = src.pull()
        assert str(top + 1) not in set(before.frames["customers"]["record_id"])
        since = datetime.now(UTC) - timedelta(seconds=1)
        handle.store.update("res.partner", str(top + 1), lambda d, v: {**d, "customer_rank": 1})  # as the SQL does
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        assert str(top + 1) in set(merged.frames["customers"]["record_id"])
        assert report["customers"]["changed"] == 1


def test_business_central_a_partial_payment_reaches_the_next_pull_though_the_invoice_keeps_its_stamp(records):
    """remainingAmount is worked out when the invoice is read (page 30012 "APIV2 - Sales Invoices",
    RemainingAmountVar); a partial payment leaves the invoice Open, and Business Central writes the invoice only
    when its status changes (codeunit 5477 "Sales Invoice Aggregator", UpdateStatusIfChanged): its
    lastModifiedDateTime stays. Done here in the sandbox's store, as the posting does it."""
    for handle in erp_sandbox("business-central", records):
        before = erp_connector(handle, page_size=10).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        open_ = [d for _, d, _ in handle.store.scan("salesInvoices")
                 if d.get("status") == "Open" and d.get("remainingAmount")][:30]  # more than one read's ids
        for d in open_:
            handle.store.update("salesInvoices", d["id"], lambda r, v: {**r, "remainingAmount": 12.5})
        delta = erp_connector(handle, page_size=10).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle, page_size=10).pull())
        balances = merged.frames["invoices"].set_index("record_id")["open_balance"]
        assert len(open_) > 25 and all(balances[str(d["id"])] == Decimal("12.5") for d in open_)
        n = len(open_)
        assert report["invoices"]["changed"] == n and f"{n} read again" in report["invoices"]["deletions"]


def test_odoo_records_of_a_merged_away_customer_are_read_again(records):
    """Contacts > Merge points every record of the merged-away partner at the kept one by SQL (write_date stays),
    writes the kept one and deletes the other (odoo/addons/base/wizard/base_partner_merge.py): done here in the
    sandbox's store as the wizard does it."""
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        moves = [d for _, d, _ in handle.store.scan("account.move") if d.get("partner_id")]
        gone, kept = moves[0]["partner_id"][0], next(m["partner_id"][0] for m in moves
                                                     if m["partner_id"][0] != moves[0]["partner_id"][0])
        name = handle.store.get("res.partner", str(kept))[0]["name"]
        now_kept = [kept, name]
        repointed = 0
        for model in ("account.move", "sale.order", "account.payment"):
            for _, d, _ in list(handle.store.scan(model)):
                if d.get("partner_id") and d["partner_id"][0] == gone:
                    handle.store.update(model, str(d["id"]), lambda r, v, to=now_kept: {**r, "partner_id": to})
                    repointed += 1
        handle.store.update("res.partner", str(kept), lambda r, v: {**r, "write_date": odoo_now()})
        handle.store.delete("res.partner", str(gone))
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        assert repointed > 0 and str(gone) not in set(merged.frames["invoices"]["customer_id"].astype(str))
        assert report["customers"]["deleted"] == 1


def test_odoo_a_products_new_code_reaches_the_prices_and_lines_that_show_it(records):
    """Price items and order lines show their product as "[CODE] Name", worked out when read: a new code is a
    write of the product only, so the re-run asks for records whose product was written too."""
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        pid = int(before.frames["prices"]["product_id"].iloc[0])
        old_code = before.frames["prices"]["product_code"].iloc[0]
        src._call("product.product", "write", [pid], vals={"default_code": "NEW-CODE-1"})
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, _ = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        prices = merged.frames["prices"]
        assert (prices["product_code"] == "NEW-CODE-1").sum() == (before.frames["prices"]["product_code"]
                                                                   == old_code).sum() > 0


def test_odoo_a_product_renamed_on_its_template_reaches_the_products_prices_and_lines(records):
    """A product's name is its template's (product.product _inherits product.template): renaming it in the product
    form writes the template, whose write_date moves, not the variant's nor those of the records showing it."""
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        pid = int(before.frames["prices"]["product_id"].iloc[0])
        tmpl = src._call("product.product", "read", [pid], fields=["product_tmpl_id", "write_date"])[0]
        src._call("product.template", "write", [tmpl["product_tmpl_id"][0]], vals={"name": "Renamed Widget"})
        assert src._call("product.product", "read", [pid], fields=["write_date"])[0]["write_date"] == \
            tmpl["write_date"]  # the variant's stamp stays
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, _ = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        products = merged.frames["products"].set_index("record_id")["name"]
        assert products[str(pid)] == "Renamed Widget"
        shown = merged.frames["prices"].loc[merged.frames["prices"]["product_id"].astype(str) == str(pid)]
        assert len(shown) and all(name.endswith("] Renamed Widget") for name in shown["product_name"])  # "[CODE] Name"


def _calls(handle, since_calls: dict[str, int]) -> dict[str, int]:
    """The sandbox's requests per shape since ``since_calls`` (JSON-2: ``POST <method>``)."""
    return {shape: n - since_calls.get(shape, 0) for shape, n in handle.calls.items()
            if n - since_calls.get(shape, 0)}


def test_odoo_a_price_books_new_name_reaches_the_prices_that_show_it(records):
    """A price rule's price book is its pricelist's display name, "Name (CUR)" (product/models/product_pricelist.py
    _compute_display_name), worked out when read: renaming the pricelist moves no rule's write_date. The prices also
    ask for rules whose pricelist was written (``pricelist_id.write_date``), as a full pull reads them."""
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        [rule] = src._call("product.pricelist.item", "search_read", domain=[], fields=["pricelist_id"], limit=1)
        src._call("product.pricelist", "write", [rule["pricelist_id"][0]], vals={"name": "Autumn Price Book"})
        delta = erp_connector(handle).pull_changes(None, since, before)
        assert "pricelist_id.write_date" in delta.meta.queries["prices"]
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        books = merged.frames["prices"]["pricebook"]
        assert report["prices"]["changed"] == books.str.startswith("Autumn Price Book (").sum() > 0


@pytest.mark.parametrize("api", ["json2", "jsonrpc"])
def test_odoo_a_pricelists_new_currency_reaches_the_customers_that_show_it(records, api):
    """A customer's currency is read from its pricelist, shown "Name (CUR)": property_product_pricelist is computed
    when read, not stored, so a pricelist's new currency moves no customer's write_date (product/models/
    res_partner.py, product_pricelist.py _compute_display_name). The customers are listed with their pricelist,
    and those now showing another currency are read again, as a full pull reads them; over JSON-2 and JSON-RPC."""
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle, api=api)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        customers = before.frames["customers"]
        currency = customers["currency"].dropna().iloc[0]
        showing = set(customers.loc[customers["currency"] == currency, "record_id"].astype(str))
        [pricelist] = src._call("product.pricelist", "search", domain=[["name", "=", f"{currency} Pricelist"]])
        other = next(c for c in src._call("res.currency", "search_read", domain=[], fields=["name"])
                     if c["name"] != currency)
        src._call("product.pricelist", "write", [pricelist], vals={"currency_id": other["id"]})
        delta = erp_connector(handle, api=api).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle, api=api).derive(merged.frames)
        _same(merged, erp_connector(handle, api=api).pull())
        got = merged.frames["customers"].set_index(merged.frames["customers"]["record_id"].astype(str))["currency"]
        assert report["customers"]["changed"] == len(showing) > 0 and set(got[list(showing)]) == {other["name"]}


def test_odoo_a_re_run_without_deletions_counts_each_kind_instead_of_listing_its_ids(records):
    """Where no record enters or leaves a kind's domain unwritten, one aggregate call before the changes, counting
    the kind's records and summing their ids (``formatted_read_group``, asked instead of a ``search_count``: as many
    calls), tells that nothing was deleted: no id list is read for it. Customers still list every id (a contact
    becomes a customer by SQL, see above)."""
    for handle in erp_sandbox("odoo", records):
        src = erp_connector(handle)
        before = src.pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        partners = [int(x) for x in before.frames["customers"]["record_id"].tolist()]
        moves = [int(x) for x in before.frames["invoices"]["record_id"].tolist()]
        src._call("res.partner", "write", [partners[1]], vals={"city": "Ghent"})
        src._call("account.move", "write", [moves[3]], vals={"invoice_date_due": "2027-01-31"})
        calls = handle.calls
        delta = erp_connector(handle).pull_changes(None, since, before)
        asked = _calls(handle, calls)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        counted = ["products", "prices", "orders", "order_lines", "invoices", "payments"]
        # customers listed with their pricelist (shown when read), in one search_read besides their changes'
        assert asked["POST formatted_read_group"] == len(counted)
        assert asked["POST search_read"] == len(before.frames) + 1
        # no search_count, no id list; fields_get once per model whose default fields a database may lack
        # (OPTIONAL_DEFAULTS: res.partner, account.payment)
        assert set(asked) == {"POST formatted_read_group", "POST search_read", "POST fields_get"}
        assert asked["POST fields_get"] == 2
        assert all(report[k]["deletions"].endswith(": nothing deleted") and report[k]["deleted"] == 0
                   and "aggregates=__count,id:sum" in report[k]["deletions"] for k in counted)
        assert report["customers"]["deletions"].startswith("res.partner.search_read ")
        assert report["customers"]["deletions"].endswith(" fields=property_product_pricelist")
        assert report["invoices"]["changed"] == 1 and report["customers"]["changed"] == 1


@pytest.mark.parametrize("api", ["json2", "jsonrpc"])
def test_odoo_deleted_price_items_and_a_draft_invoice_are_removed_as_a_full_pull_reads(records, api):
    """A count short of the known and changed records: the kind's ids are listed, and exactly the records gone are
    removed; over JSON-2 and the legacy JSON-RPC alike. A deletion and a new record in the same kind do not hide
    each other from the count."""
    for handle in erp_sandbox("odoo", records):
        draft = next(d for _, d, _ in handle.store.scan("account.move") if d["move_type"] == "out_invoice")["id"]
        handle.store.update("account.move", str(draft), lambda d, v: {**d, "state": "draft", "name": "/"})
        before = erp_connector(handle, api=api).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        items = [int(x) for x in before.frames["prices"]["record_id"].tolist()]
        src = erp_connector(handle, api=api)  # another user deletes them, over the same API
        assert src._call("product.pricelist.item", "unlink", items[2:9:3]) is True  # three, spread out
        assert src._call("account.move", "unlink", [draft]) is True
        _new_invoice(handle)  # as many invoices as the previous run knew: a count alone would see no change
        delta = erp_connector(handle, api=api).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        assert report["prices"]["deleted"] == 3 and report["invoices"]["deleted"] == 1
        assert report["invoices"]["changed"] == 1
        assert "product.pricelist.item.search domain=" in report["prices"]["deletions"]
        assert report["orders"]["deletions"].endswith(": nothing deleted")


@pytest.mark.parametrize("after, deleted", [("formatted_read_group", 0), ("search_read", 1)])
def test_odoo_an_invoice_created_while_the_re_run_reads_is_not_lost(records, monkeypatch, after, deleted):
    """Another user saves an invoice just after the re-run counted the invoices: it is read with the changes, and
    the count, short of it, has the ids listed. Or just after the changes were read, with an invoice deleted: the
    ids listed name it, and it is read then. Either way the merged invoices are those a full pull reads."""
    for handle in erp_sandbox("odoo", records):
        before = erp_connector(handle).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        moves = [int(x) for x in before.frames["invoices"]["record_id"].tolist()]
        if deleted:
            assert erp_connector(handle)._call("account.move", "unlink", moves[4:5]) is True
        created = _invoice_saved_after(handle, after, monkeypatch)
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        assert created and str(created[0]) in set(merged.frames["invoices"]["record_id"])
        assert report["invoices"]["deleted"] == deleted
        assert "account.move.search domain=" in report["invoices"]["deletions"]


def test_odoo_an_invoice_committed_late_is_merged_in_its_place(records):
    """An invoice whose transaction began before the previous run and committed after it (its write_date older than
    ``since``) is not among the changes; the count, one more than the known and changed records, has the ids listed,
    and it is read then: in the place a full pull gives it (by id), not after the invoice saved since."""
    for handle in erp_sandbox("odoo", records):
        before = erp_connector(handle).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        late = _new_invoice(handle)
        handle.store.update("account.move", str(late), lambda d, v: {**d, "write_date": "2020-01-01 00:00:00"})
        new = _new_invoice(handle)
        delta = erp_connector(handle).pull_changes(None, since, before)
        merged, _ = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        assert merged.frames["invoices"]["record_id"].tolist()[-2:] == [str(late), str(new)]


@pytest.mark.parametrize("api, version, asked", [
    ("json2", 19, "formatted_read_group"), ("jsonrpc", 17, "read_group"), ("jsonrpc", 19, "read_group"),
    ("jsonrpc", 20, "formatted_read_group")])
def test_odoo_an_invoice_committed_late_beside_one_deleted_is_merged_as_a_full_pull_reads(records, api, version, asked):
    """An invoice committed later than the overlap reaches (its write_date older than ``since``: not among the
    changes, and unknown to the previous run) while a known draft invoice is deleted: the invoices counted are as
    many as the known and changed ones, as if nothing had happened. The sum of their ids, asked in the same call,
    is not that of the known and changed ones (the deleted invoice was known, the late one was not, and no two
    records share an id): the ids are listed, the late invoice is read and the deleted one removed. Over JSON-2
    with ``formatted_read_group``; over JSON-RPC with ``read_group``, but for Odoo 20, whose ``read_group`` is
    another method: refused, the count is asked with ``formatted_read_group``."""
    for handle in erp_sandbox("odoo", records, odoo_version=version):
        draft = next(d for _, d, _ in handle.store.scan("account.move") if d["move_type"] == "out_invoice")["id"]
        handle.store.update("account.move", str(draft), lambda d, v: {**d, "state": "draft", "name": "/"})
        before = erp_connector(handle, api=api).pull()
        since = datetime.now(UTC) - timedelta(seconds=1)
        assert handle.store.delete("account.move", str(draft))  # another user deletes it
        late = _new_invoice(handle)
        handle.store.update("account.move", str(late), lambda d, v: {**d, "write_date": "2020-01-01 00:00:00"})
        assert len(erp_connector(handle).pull().frames["invoices"]) == len(before.frames["invoices"])
        delta = erp_connector(handle, api=api).pull_changes(None, since, before)
        merged, report = merge(before, delta)
        erp_connector(handle).derive(merged.frames)
        _same(merged, erp_connector(handle).pull())
        ids = set(merged.frames["invoices"]["record_id"])
        assert str(late) in ids and str(draft) not in ids
        assert report["invoices"]["deleted"] == 1 and report["invoices"]["changed"] == 1
        assert "account.move.search domain=" in report["invoices"]["deletions"]
        assert report["invoices"]["deletions"].startswith(f"account.move.{asked} domain=")
        assert report["orders"]["deletions"].startswith(f"sale.order.{asked} domain=")


def _invoice_saved_after(handle, method: str, monkeypatch) -> list[int]:
    """The sandbox saves a new invoice right after it answers the first ``account.move`` ``method`` (another user at
    work while the re-run reads): the list returned receives its id."""
    served, created = handle.impl.call, []

    def call(model, called, ids, kw):
        answer = served(model, called, ids, kw)
        if model == "account.move" and called == method and not created:
            created.append(_new_invoice(handle))
        return answer
    monkeypatch.setattr(handle.impl, "call", call)
    return created


def _new_invoice(handle) -> int:
    """An invoice saved now, a copy of the last one under a new id and number."""
    last = max((d for _, d, _ in handle.store.scan("account.move")), key=lambda d: d["id"])
    new = {**last, "id": last["id"] + 1, "name": f"INV/2026/{last['id'] + 1:05d}", "write_date": odoo_now()}
    handle.store.insert_many("account.move", [(str(new["id"]), new)])
    return int(new["id"])
