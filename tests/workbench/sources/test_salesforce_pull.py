"""Pulling from Salesforce through simple-salesforce against the sandbox org over real HTTPS."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from decimal import Decimal

import pytest

from tests.workbench.sandbox.salesforce.frames import crm_frames
from tests.helpers.sandboxes import salesforce_org
from workbench.config import from_dict
from workbench.errors import Cancelled, ConfigError, SourceError
from workbench.progress import RecordingProgress
from workbench.sandbox import salesforce as sandbox
from workbench.sources import open_source


def source(handle, auth="jwt", objects=None, **settings):
    crm = sandbox.demo_config(handle, auth=auth)
    crm["salesforce"].update({"retry_wait_seconds": 0.01, **settings})
    if objects is not None:
        crm["objects"] = objects
    return open_source("crm", from_dict({"crm": crm, "erp": {"connector": "files"}}))


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(2500), tmp_path_factory.mktemp("sf"))


@pytest.mark.parametrize("auth", ["jwt", "client_credentials", "password", "session"])
def test_every_auth_mode_pulls_the_same_records(org, auth):
    src = source(org, auth, objects={"customers": {}, "invoices": {}})
    ex = src.pull()
    assert len(ex.frame("customers")) == 2500
    inv = ex.frame("invoices").set_index("number")
    assert inv.loc["INV-1001", "open_balance"] == Decimal("600.50")
    assert inv.loc["INV-1001", "status"] == "partially_paid"
    assert inv.loc["INV-1002", "status"] == "paid" and inv.loc["INV-1002", "currency"] == "JPY"
    assert ex.meta.api_usage["used"] is not None and ex.meta.api_usage["max"] == 15000
    src.close()


@pytest.mark.parametrize("auth, secret_env", [("client_credentials", "WORKBENCH_SF_SANDBOX_CLIENT_SECRET"),
                                              ("password", "WORKBENCH_SF_SANDBOX_PASSWORD")])
def test_wrong_secret_is_refused_in_salesforces_words(org, auth, secret_env, monkeypatch):
    src = source(org, auth)
    monkeypatch.setenv(secret_env, "wrong")
    with pytest.raises(SourceError) as err:
        src.pull()
    assert "refused" in str(err.value) and "wrong" not in str(err.value)


@pytest.mark.parametrize("where", [{"domain": "login"}, {"login_url": "https://test.salesforce.com"}])
def test_client_credentials_on_a_generic_login_host_is_a_config_error(org, where):
    # the client credentials flow is served by a My Domain only (simple-salesforce login.py takes it only for a
    # domain other than login or test)
    crm = sandbox.demo_config(org, auth="client_credentials")
    crm["salesforce"].pop("login_url", None)
    crm["salesforce"].update(where)
    src = open_source("crm", from_dict({"crm": crm, "erp": {"connector": "files"}}))
    with pytest.raises(ConfigError, match="My Domain"):
        src.pull()


def test_jwt_signed_with_another_key_is_refused(org, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    other = tmp_path / "other.pem"
    other.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(SourceError, match="invalid_grant"):
        source(org, "jwt", private_key_file=str(other)).pull()


def test_missing_secret_names_where_to_put_it(org, monkeypatch):
    src = source(org, "client_credentials")
    monkeypatch.delenv("WORKBENCH_SF_SANDBOX_CLIENT_SECRET")
    with pytest.raises(ConfigError, match="crm.salesforce.client_secret"):
        src.pull()


def test_rest_paging_across_2000_record_pages_reports_progress(org):
    src = source(org, objects={"customers": {}}, query_mode="rest")
    progress = RecordingProgress()
    ex = src.pull(progress)
    assert len(ex.frame("customers")) == 2500 and ex.frame("customers")["record_id"].is_unique
    assert ex.meta.api_usage["by_resource"] == {"composite": 1, "query": 2}  # describes; 2,000 + 500
    assert [u[0] for u in progress.updates] == [2000, 2500]


def test_batch_size_makes_smaller_pages(org):
    src = source(org, objects={"customers": {}}, query_mode="rest", batch_size=500)
    ex = src.pull()
    assert ex.meta.api_usage["by_resource"] == {"composite": 1, "query": 5}


def test_bulk_2_pages_by_locator_and_matches_rest(org):
    rest = source(org, objects={"customers": {}, "prices": {}}, query_mode="rest").pull()
    bulk_src = source(org, objects={"customers": {}, "prices": {}}, bulk_threshold=5, bulk_page_records=1000)
    bulk = bulk_src.pull()
    # per object: a COUNT() query, then job create + 2 polls + result pages (3 for 2,500 accounts, 1 for 9 prices)
    assert bulk.meta.api_usage["by_resource"] == {"composite": 1, "query": 2, "jobs": (3 + 3) + (3 + 1)}
    for kind in ("customers", "prices"):
        a = rest.frame(kind).sort_values("record_id").reset_index(drop=True)
        b = bulk.frame(kind).sort_values("record_id").reset_index(drop=True)
        assert a.equals(b), kind
    assert set(bulk.frame("prices")["pricebook"]) == {"Standard Price Book"}


def test_pull_maps_every_kind_from_its_object(org):
    ex = source(org).pull()
    orders = ex.frame("orders").set_index("kind")
    assert orders.loc["Opportunity", "total_amount"] == Decimal("50000.00")
    assert orders.loc["Order", "booked"] is True and orders.loc["Order", "xref"] == "SO-1001"
    line = ex.frame("order_lines").iloc[0]
    assert line["product_code"] == "SKU-1" and line["unit_price"] == Decimal("200.1666")
    cust = ex.frame("customers").set_index("number")
    assert cust.loc["A-00003", "parent_id"] == cust.loc["A-00000", "record_id"]
    assert set(ex.snapshots["object"]) >= {"Account", "Opportunity", "Order", "OrderItem", "blng__Invoice__c"}
    assert ex.meta.queries["orders"].startswith("SELECT Id") and "Opportunity WHERE (IsWon = true)" in \
        ex.meta.queries["orders"]


def test_incremental_pull_sees_only_records_changed_since(org):
    src = source(org, objects={"customers": {}})
    first = src.pull()
    # a second after the latest stamp read: the changes are asked from that second on (``>=``, Salesforce stamps
    # to the second), so a record stamped in the second before is not read again
    since = max(first.frame("customers")["version"].map(
        lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%f%z"))) + timedelta(seconds=1)
    rid = first.frame("customers")["record_id"].iloc[7]
    org.edit("Account", rid, {"BillingCity": "Rostock"})
    later = source(org, objects={"customers": {}}).pull(since=since)
    assert later.frame("customers")["record_id"].tolist() == [rid]
    assert later.frame("customers")["city"].tolist() == ["Rostock"]
    assert later.meta.incremental_since == since
    assert "SystemModstamp >" in later.meta.queries["customers"]


def test_cancel_stops_between_pages(org):
    progress = RecordingProgress()
    progress.set_progress = lambda done, total=None, message="": progress.cancel()
    with pytest.raises(Cancelled):
        source(org, objects={"customers": {}}, query_mode="rest").pull(progress)


def test_standard_invoice_object_is_mapped_from_config(org):
    src = source(org, objects={"invoices": {}}, invoice_object="Invoice")
    assert src.maps[0].object == "Invoice" and "DocumentNumber" in src.maps[0].api_fields()
    assert src.pull().frame("invoices").empty  # the org has no standard invoices; the query is valid


def test_test_connection_reports_in_words(org):
    checks = {name: (ok, words) for name, ok, words in source(org, "password").test_connection()}
    assert checks["auth"][0] and "retired" in checks["auth"][1]
    assert checks["API version"] == (True, "API v59.0 pinned; the org offers up to v62.0")
    assert checks["objects readable"][0] and "blng__Invoice__c" in checks["objects readable"][1]
    assert checks["API usage"][0] and "daily API requests used" in checks["API usage"][1]


def test_test_connection_names_an_unknown_field(org):
    src = source(org, objects={"customers": {"fields": {"tax_id": "VAT__c"}}}, api_version="61.0")
    checks = {name: (ok, words) for name, ok, words in src.test_connection()}
    ok, words = checks["objects readable"]
    assert not ok and "Account has no field tax_id = 'VAT__c'" in words
    with pytest.raises(ConfigError, match="Account has no field tax_id = 'VAT__c' that the connector can read"):
        src.pull()


def test_describe_names_canonical_fields_and_updateability(org):
    fields = {f["name"]: f for f in source(org).describe("customers")}
    assert fields["BillingCity"]["canonical"] == "city" and fields["BillingCity"]["updateable"] is True
    assert fields["SystemModstamp"]["updateable"] is False
    assert "EUR" in fields["CurrencyIsoCode"]["picklist"]


def test_untrusted_certificate_is_a_clear_error(org):
    src = source(org, objects={"customers": {}})
    src.client.session.adapters["https://"].verify = True  # the system CAs do not know the sandbox CA
    with pytest.raises(SourceError, match="TLS certificate"):
        src.pull()


def test_since_in_the_future_returns_nothing(org):
    ex = source(org, objects={"customers": {}}).pull(since=datetime.now(UTC) + timedelta(days=1))
    assert ex.frame("customers").empty and ex.meta.row_counts == {"customers": 0}


def test_client_secret_from_the_os_keyring(org, monkeypatch):
    import keyring
    from tests.workbench.sources.test_salesforce_credentials import MemoryKeyring
    from workbench.sources.credentials import SERVICE
    src = source(org, "client_credentials", objects={"customers": {}})
    secret = org.info["credentials"]["client_credentials"]["client_secret"]
    monkeypatch.delenv("WORKBENCH_SF_SANDBOX_CLIENT_SECRET")
    ring = MemoryKeyring()
    ring.set_password(SERVICE, "crm.salesforce.client_secret", secret)
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        assert len(src.pull().frame("customers")) == 2500
    finally:
        keyring.set_keyring(previous)
