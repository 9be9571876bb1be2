"""The REST profile connector: the shipped ERPNext profile against the ERPNext sandbox flavour."""

from __future__ import annotations

from datetime import date, datetime, timedelta, UTC
from decimal import Decimal

import httpx
import pandas as pd
import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from workbench.config import from_dict
from workbench.errors import ConfigError, InputError, SourceError
from workbench.model.status import CANONICAL
from workbench.sandbox import erp
from workbench.sources import open_source
from workbench.sources.base import WriteRequest
from workbench.sources.rest_profile import PROFILES_DIR, load_profile

DOCTYPES = {"customers": "Customer", "products": "Item", "prices": "Item Price", "orders": "Sales Order",
            "invoices": "Sales Invoice", "payments": "Payment Entry"}


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 20, 3, tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def erpnext(records):
    yield from erp_sandbox("erpnext", records)


def test_shipped_profiles_are_valid():
    for name in ("erpnext", "netsuite"):
        prof = load_profile(PROFILES_DIR / f"{name}.toml")
        assert prof["objects"]["invoices"]["fields"]["record_id"]


def test_full_pull_through_the_erpnext_profile(erpnext):
    src = erp_connector(erpnext, page_size=25)
    ex = src.pull()
    for kind, doctype in DOCTYPES.items():
        assert len(ex.frames[kind]) == erpnext.store.count(doctype), kind
        assert ex.frames[kind]["record_id"].is_unique
    inv = ex.frames["invoices"]
    assert set(inv["status"]) <= set(CANONICAL) and all(isinstance(v, Decimal) for v in inv["total_amount"])
    row = inv.iloc[0]
    raw = erpnext.store.get("Sales Invoice", row["record_id"])[0]
    assert row["open_balance"] == raw["outstanding_amount"] and row["status_raw"] == raw["status"]
    assert row["version"] == raw["modified"]
    # paged by name (name > the last one read) across several pages
    assert src.http.requests >= erpnext.store.count("Sales Invoice") // 25
    # the query kept is the object's, not one page's
    assert ex.meta.queries["invoices"] == "GET /api/resource/Sales Invoice?fields=[\"*\"]&order_by=name asc"


def make_draft(handle, name: str) -> None:
    handle.store.update("Sales Invoice", name, lambda d, v: {**d, "docstatus": 0, "status": "Draft"})


def test_incremental_pull_after_a_write_with_modified_check(erpnext):
    src = erp_connector(erpnext)
    make_draft(erpnext, src.pull().frames["invoices"].iloc[3]["record_id"])
    inv = src.pull().frames["invoices"].iloc[3]
    since = datetime.now(UTC) - timedelta(seconds=1)
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "due_date", inv["due_date"], "2027-03-31",
                                   seen_version=inv["version"])])
    assert res.outcome == "applied" and res.new_version != inv["version"]
    later = src.pull(since=since)
    assert list(later.frames["invoices"]["record_id"]) == [inv["record_id"]]
    assert later.frames["invoices"].iloc[0]["due_date"].isoformat() == "2027-03-31"
    assert len(later.frames["customers"]) == 0


def test_stale_modified_is_a_conflict_from_the_server(erpnext):
    src = erp_connector(erpnext)
    cust = src.pull().frames["customers"].iloc[0]
    erpnext.faults.change_before_write()
    [res] = src.push([WriteRequest(1, "k", "customers", cust["record_id"], "tax_id", cust["tax_id"], "DE999",
                                   seen_version=cust["version"])])
    assert res.outcome == "conflict" and "TimestampMismatchError" in res.message
    assert erpnext.store.get("Customer", cust["record_id"])[0]["tax_id"] == cust["tax_id"]


def test_seen_version_behind_is_a_conflict_before_writing(erpnext):
    src = erp_connector(erpnext)
    cust = src.pull().frames["customers"].iloc[1]
    assert erp_connector(erpnext).push([WriteRequest(1, "a", "customers", cust["record_id"], "name", cust["name"],
                                               "Other GmbH", seen_version=cust["version"])])[0].outcome == "applied"
    [res] = src.push([WriteRequest(2, "b", "customers", cust["record_id"], "website", cust["website"], "x.example",
                                   seen_version=cust["version"])])
    assert res.outcome == "conflict"
    [same] = src.push([WriteRequest(3, "c", "customers", cust["record_id"], "name", cust["name"], "Other GmbH",
                                    seen_version=cust["version"])])
    assert same.outcome == "already_applied"


def test_a_write_frappe_would_refuse_is_not_sent(erpnext):
    # the DocType document says outstanding_amount and due_date do not allow changes after submit
    src = erp_connector(erpnext)
    invs = src.pull().frames["invoices"]
    inv = invs[invs["open_balance"] > 0].iloc[0]
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "due_date", inv["due_date"], "2027-03-31",
                                   seen_version=inv["version"])])
    assert res.outcome == "permanent" and res.message == (
        f"ERPNext Sales Invoice {inv['record_id']} due_date: the document is submitted and this field does not "
        f"allow changes after submit (Frappe: UpdateAfterSubmitError); not sent")
    after = src.read_current("invoices", [inv["record_id"]], ["due_date"])[inv["record_id"]]
    assert after["due_date"] == inv["due_date"] and after["version"] == inv["version"]  # nothing was saved


def test_without_the_doctype_rules_frappes_own_refusal_is_shown_in_one_line(erpnext, tmp_path):
    # a user who may not read DocType documents (or a profile without [schema]) still gets Frappe's words
    text = (PROFILES_DIR / "erpnext.toml").read_text(encoding="utf-8")
    start = text.index("[schema]")
    (tmp_path / "erpnext.toml").write_text(text[:start] + text[text.index("[write]"):], encoding="utf-8")
    src = erp_connector(erpnext, profile=str(tmp_path / "erpnext.toml"))
    invs = src.pull().frames["invoices"]
    inv = invs[invs["open_balance"] > 0].iloc[0]
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "open_balance", inv["open_balance"],
                                   Decimal("0"), seen_version=inv["version"])])
    assert res.outcome == "permanent" and "Outstanding Amount after submission" in res.message
    assert "<strong>" not in res.message and inv["record_id"] in res.message
    [due] = src.push([WriteRequest(2, "k", "invoices", inv["record_id"], "due_date", inv["due_date"], "2027-03-31",
                                   seen_version=inv["version"])])
    assert due.outcome == "permanent" and due.message == (
        f"ERPNext refused Sales Invoice {inv['record_id']} due_date (HTTP 417 UpdateAfterSubmitError): Not allowed "
        f"to change Payment Due Date after submission from {inv['due_date'].isoformat()} to 2027-03-31")
    # ERPNext takes a draft's total but recomputes it on save: not reported as applied
    draft = invs["record_id"].iloc[-1]
    make_draft(erpnext, draft)
    [current] = src.read_current("invoices", [draft], ["total_amount"]).values()
    [total] = src.push([WriteRequest(3, "k", "invoices", draft, "total_amount", current["total_amount"],
                                     Decimal("99.00"), seen_version=current["version"])])
    assert total.outcome == "permanent" and "ERPNext sets this field itself" in total.message


class SaveBetweenPages:
    """A pull's progress sink that saves documents in the ERP after the first page of invoices,
    as another user (or this app's own push) would while a pull runs."""

    cancelled = False

    def __init__(self, handle, names: list[str]):
        self.handle, self.names, self.saved = handle, names, False

    def set_progress(self, done, total, message):
        if message.startswith("invoices:") and not self.saved:
            self.saved = True
            for n in self.names:
                resp = httpx.put(f"{self.handle.info['api_root']}/Sales Invoice/{n}", json={"po_no": "PO-MOVED"},
                                 headers={"Authorization": f"token {self.handle.info['api_key']}:"
                                                           f"{self.handle.info['api_secret']}"})
                assert resp.status_code == 200, resp.text


def test_pull_is_stable_while_documents_are_saved_between_pages(erpnext):
    names = sorted(d["name"] for _, d, _ in erpnext.store.scan("Sales Invoice"))
    state = SaveBetweenPages(erpnext, [names[-1], names[len(names) // 2], names[0]])  # ahead, midway, behind
    inv = erp_connector(erpnext, page_size=7).pull(state).frames["invoices"]
    assert state.saved
    assert sorted(inv["record_id"]) == names  # every invoice once: none skipped, none repeated


class DeleteBetweenPages:
    """A pull's progress sink that deletes a document in the ERP once the first page of ``kind`` is read,
    as another user would while a pull runs (through the REST API: DELETE /api/resource/<DocType>/<name>)."""

    cancelled = False

    def __init__(self, handle, kind: str, doctype: str, name: str):
        self.handle, self.kind, self.doctype, self.name, self.deleted = handle, kind, doctype, name, False

    def set_progress(self, done, total, message):
        if message.startswith(f"{self.kind}:") and not self.deleted:
            self.deleted = True
            resp = httpx.delete(f"{self.handle.info['api_root']}/{self.doctype}/{self.name}",
                                headers={"Authorization": f"token {self.handle.info['api_key']}:"
                                                          f"{self.handle.info['api_secret']}"})
            assert resp.status_code == 202, resp.text


def test_a_document_deleted_while_the_pull_pages_through_its_doctype_costs_no_other_document(erpnext):
    # Someone deletes an item price after the pull has read the first page of them. Paged by limit_start,
    # every later price moves up a place and the next page skips one never read; paged by name, none is.
    before = sorted(d["name"] for _, d, _ in erpnext.store.scan("Item Price"))
    state = DeleteBetweenPages(erpnext, "prices", "Item Price", before[0])  # read on the first page
    prices = erp_connector(erpnext, page_size=7).pull(state).frames["prices"]
    assert state.deleted and len(before) > 3 * 7  # deleted while pages of them were still to come
    assert sorted(prices["record_id"]) == before  # every price there throughout; the deleted one as read


def offset_profile(tmp_path) -> str:
    """The shipped ERPNext profile as it paged before keyset paging: limit_start, sorted by name."""
    text = (PROFILES_DIR / "erpnext.toml").read_text(encoding="utf-8")
    paging = ('[paging]\nstyle = "offset"\noffset_param = "limit_start"\nlimit_param = "limit_page_length"\n'
              'page_size = 500\nstop = "short_page"\n\n')
    text = text[:text.index("\n[paging]\n") + 1] + paging + text[text.index("\n[filters]\n") + 1:]
    text = text.replace("""params = { fields = '["*"]' }""", """params = { fields = '["*"]', order_by = "name asc" }""")
    (tmp_path / "erpnext-offset.toml").write_text(text, encoding="utf-8")
    return str(tmp_path / "erpnext-offset.toml")


def test_full_and_incremental_pulls_give_what_offset_paging_gave(erpnext, tmp_path):
    keyset, offset = erp_connector(erpnext, page_size=7), erp_connector(erpnext, page_size=7,
                                                                        profile=offset_profile(tmp_path))
    since = datetime.now(UTC) - timedelta(seconds=1)
    for n, name in enumerate(sorted(d["name"] for _, d, _ in erpnext.store.scan("Customer"))[::4]):
        resp = httpx.put(f"{erpnext.info['api_root']}/Customer/{name}", json={"tax_id": f"DE{n:09d}"},
                         headers={"Authorization": f"token {erpnext.info['api_key']}:{erpnext.info['api_secret']}"})
        assert resp.status_code == 200, resp.text
    for when in (None, since):
        new, old = keyset.pull(since=when), offset.pull(since=when)
        assert new.meta.queries == old.meta.queries  # the same query kept for every kind
        for kind in DOCTYPES:
            pd.testing.assert_frame_equal(new.frames[kind], old.frames[kind], obj=f"{kind} since {when}")
        assert len(new.frames["customers"]) == (5 if when else erpnext.store.count("Customer"))


@pytest.mark.parametrize("paging, words", [
    ('after = ["name", ">", "{last}"]\nsort_param = "order_by"\nsort = "name asc"', "needs key_field"),
    ('key_field = "name"\nafter = ["name", ">", "{last}"]', "needs sort_param and sort"),
    ('key_field = "name"\nsort_param = "order_by"\nsort = "name asc"\nafter = ["name", ">", "x"]',
     r"needs after, .*with \{last\}"),
    ('key_field = "name"\nsort_param = "order_by"\nsort = "name asc"\nafter = ["name", ">", "{last}"]\n'
     'stop = "total"\ntotal_path = "n"', "keyset stops on short_page, empty_page, has_more, not 'total'"),
    ('key_field = "name"\nsort_param = "order_by"\nsort = "name desc"\nafter = ["name", ">", "{last}"]',
     r"\[objects.customers\] params sets order_by = 'name asc', but keyset paging sorts by 'name desc'"),
], ids=["key_field", "sort", "after", "stop", "object sort"])
def test_keyset_paging_profile_errors_name_the_key(tmp_path, paging, words):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[profile]\nname = "X"\n[paging]\nstyle = "keyset"\n{paging}\n[objects.customers]\n'
                   f'path = "/c"\nparams = {{ order_by = "name asc" }}\n[objects.customers.fields]\n'
                   f'record_id = "name"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"bad\.toml: .*{words}"):
        load_profile(bad)


def test_a_query_sent_in_a_body_cannot_page_by_keyset(tmp_path):
    # NetSuite's SuiteQL query is the POST body: a filter added to the query parameters would do nothing
    text = (PROFILES_DIR / "netsuite.toml").read_text(encoding="utf-8")
    keyset = 'style = "keyset"\nkey_field = "id"\nsort_param = "s"\nsort = "id"\nafter = ["id", ">", "{last}"]'
    (tmp_path / "netsuite.toml").write_text(text.replace('style = "offset"', keyset), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"netsuite\.toml: \[objects.customers\] sends its query in a body"):
        load_profile(tmp_path / "netsuite.toml")


@pytest.mark.parametrize("change, words", [
    (("param = \"filters\"", "param = \"nofilters\""), "the page after name .* ends at the same key"),
    (("key_field = \"name\"", "key_field = \"nope\""), "keyset paging needs the key 'nope' in every record"),
], ids=["filter ignored", "key missing"])
def test_keyset_paging_stops_with_a_clear_error_rather_than_loop_or_guess(erpnext, tmp_path, change, words):
    # an API that ignores the filter (the sandbox, as Frappe, ignores a parameter it does not take) would send
    # the same page for ever; a record without the key gives nothing to go on after
    text = (PROFILES_DIR / "erpnext.toml").read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "erpnext.toml").write_text(text.replace(*change), encoding="utf-8")
    with pytest.raises(InputError, match=words):
        erp_connector(erpnext, page_size=7, profile=str(tmp_path / "erpnext.toml")).pull()


def test_faults_are_retried(erpnext):
    src = erp_connector(erpnext, timeout=3)
    erpnext.faults.rate_limit(times=1, retry_after=1)
    erpnext.faults.server_error(500)
    erpnext.faults.server_error(503)
    erpnext.faults.slow(seconds=300)  # held until the client's 3 s read timeout gives up
    ex = src.pull()
    assert len(ex.frames["invoices"]) == erpnext.store.count("Sales Invoice")
    assert src.http.retries >= 4


def test_revoked_key_is_a_clear_error(erpnext):
    src = erp_connector(erpnext)
    erpnext.faults.expire_tokens()
    with pytest.raises(SourceError, match="HTTP 401 AuthenticationError"):
        src.pull()


def test_profile_errors_name_the_file_and_key(tmp_path, erpnext):
    bad = tmp_path / "bad.toml"
    bad.write_text('[profile]\nname = "X"\n[paging]\nstyle = "cursor"\n[objects.customers]\npath = "/c"\n'
                   '[objects.customers.fields]\nrecord_id = "id"\n', encoding="utf-8")
    table = erp.demo_config(erpnext)
    table["rest"]["profile"] = str(bad)
    with pytest.raises(ConfigError, match=r"bad\.toml: \[paging\] style = 'cursor'"):
        open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))
    table["rest"]["profile"] = "no-such-profile"
    with pytest.raises(ConfigError, match="not found.*erpnext"):
        open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))


def test_custom_profile_with_next_link_paging_and_oauth_client_credentials(tmp_path, monkeypatch):
    """A profile can describe an OData-style API: Business Central through the generic connector,
    signing in with client credentials and refreshing the token when it expires."""
    bc = erp.start(flavor="business-central", data={"customers": erp.seed_data(None, 12, 3, tmp_path)["customers"]})
    try:
        prof = tmp_path / "bc-generic.toml"
        prof.write_text(
            '[profile]\nname = "BC generic"\nsystem = "business_central"\n'
            '[auth]\ntype = "oauth_client_credentials"\nsecret = "client_secret"\n'
            '[request]\nheaders = { Prefer = "odata.maxpagesize=5" }\n'
            '[paging]\nstyle = "next_link"\nnext_path = ["@odata.nextLink"]\nstop = "no_next_link"\n'
            '[objects.customers]\npath = "{api_root}/customers"\nrecords_path = "value"\n'
            'version_field = ["@odata.etag"]\n'
            '[objects.customers.fields]\nrecord_id = "id"\nname = "displayName"\nnumber = "number"\n',
            encoding="utf-8")
        monkeypatch.setenv("BC_SECRET", bc.info["client_secret"])
        cfg = from_dict({"crm": {"connector": "files"}, "erp": {
            "connector": "rest", "rest": {"profile": str(prof), "base_url": bc.base_url,
                                          "client_secret_env": "BC_SECRET", "client_id": bc.info["client_id"],
                                          "token_url": bc.info["token_url"], "scope": bc.info["scope"],
                                          "api_root": bc.info["api_root"]}}})
        src = open_source("erp", cfg)
        ex = src.pull()
        assert len(ex.frames["customers"]) == bc.store.count("customers") == 12
        assert ex.frames["customers"]["version"].str.startswith('W/"').all()
        assert src.http.requests == 3  # pages of 5 via @odata.nextLink
        bc.faults.expire_tokens()
        assert len(src.pull().frames["customers"]) == 12
        assert src.http.auth.fetched == 2
    finally:
        bc.stop()


# every correction kind the engine proposes (workbench/reconcile/rules.py DEFAULT_OWNERSHIP), with the
# value it would push; None clears the field. Outcome: applied and read back equal, or refused with
# ERPNext's own error in one line naming the record and field.
KINDS = [
    ("customers", "name", "Fabrikam Europe GmbH", "applied"),
    ("customers", "name", None, "MandatoryError"),
    ("customers", "tax_id", "DE811907980", "applied"),
    ("customers", "tax_id", None, "applied"),
    ("customers", "tax_id", "DE" + "9" * 150, "CharacterLengthExceededError"),
    ("customers", "currency", "JPY", "applied"),
    ("customers", "currency", None, "applied"),
    ("customers", "xref", "0015g00000XyZ12AAB", "applied"),
    ("customers", "xref", None, "applied"),
    ("customers", "active", False, "applied"),
    ("customers", "street", "1 Main St", "not mapped"),
    ("customers", "city", "Berlin", "not mapped"),
    ("customers", "postcode", "10115", "not mapped"),
    ("customers", "state", "BE", "not mapped"),
    ("customers", "country", "DE", "not mapped"),
    ("customers", "parent_id", "C10001", "not mapped"),
    ("prices", "unit_price", Decimal("1234.50"), "applied"),
    ("prices", "unit_price", None, "MandatoryError"),
    ("invoices", "status", "paid", "not mapped"),
    ("invoices", "open_balance", Decimal("0"), "UpdateAfterSubmitError"),
    ("invoices", "total_amount", Decimal("99.00"), "UpdateAfterSubmitError"),
    ("invoices", "due_date", date(2027, 3, 31), "UpdateAfterSubmitError"),
    ("invoices", "due_date", None, "UpdateAfterSubmitError"),
    ("draft invoices", "due_date", date(2027, 3, 31), "applied"),
    ("draft invoices", "due_date", None, "applied"),
    ("draft invoices", "total_amount", Decimal("99.00"), "read-only"),
    ("orders", "total_amount", Decimal("99.00"), "UpdateAfterSubmitError"),
]


def test_every_correction_kind_applies_or_fails_with_erpnexts_words(erpnext):
    src = erp_connector(erpnext)
    frames = src.pull().frames
    make_draft(erpnext, frames["invoices"]["record_id"].iloc[-1])
    frames = src.pull().frames
    for n, (kind, field, value, expect) in enumerate(KINDS, start=1):
        obj = "invoices" if kind == "draft invoices" else kind
        rows = frames[obj]
        if obj == "invoices":
            row = rows.iloc[-1] if kind == "draft invoices" else rows[rows["status_raw"] == "Unpaid"].iloc[0]
        else:
            row = rows.iloc[n % len(rows)]
        rid = row["record_id"]
        [current] = src.read_current(obj, [rid], [field] if field in rows else []).values()
        old = current.get(field, row.get(field))
        [res] = src.push([WriteRequest(n, f"k{n}", obj, rid, field, old, value, seen_version=current["version"])])
        case = f"{kind}.{field} = {value!r}"
        if expect == "applied":
            assert res.outcome == "applied", (case, res.message)
            back = src.read_current(obj, [rid], [field])[rid][field]
            assert back == value or (value is None and back in (None, "")), (case, back)
        else:
            assert res.outcome == "permanent", (case, res.message)
            assert expect in res.message and rid in res.message and "\n" not in res.message, (case, res.message)
            assert "<" not in res.message and "Traceback" not in res.message, case
