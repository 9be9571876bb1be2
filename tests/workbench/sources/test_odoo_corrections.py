"""Every correction kind the engine proposes, pushed through the Odoo connector to the sandbox:
it applies and reads back equal, or fails with one line naming the record, the field and why."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox
from workbench.corrections.values import parse_value, same
from workbench.sandbox import erp
from workbench.sources.base import WriteRequest


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 20, 5, tmp_path_factory.mktemp("scenario"))


@pytest.fixture(params=[19, 17], ids=["json2", "jsonrpc"])
def odoo(request, records):
    yield from erp_sandbox("odoo", records, odoo_version=request.param)


def push(src, kind: str, rid: str, field: str, stored: object):
    """Push ``stored`` (the correction's JSON value, as the outbox keeps it) the way the outbox does."""
    before = src.read_current(kind, [rid], [field])[rid]
    req = WriteRequest(1, f"{kind}:{rid}:{field}", kind, rid, field, before[field],
                       parse_value(kind, field, stored), seen_version=before["version"])
    [res] = src.push([req])
    return req, res


def test_every_customer_correction_applies_and_reads_back_equal(odoo):
    src = erp_connector(odoo)
    customers = src.pull().frames["customers"]
    us = customers[customers["country"] == "US"].iloc[0]["record_id"]
    other, parent = customers.iloc[1]["record_id"], customers.iloc[2]["record_id"]
    cases = [(other, "name", "Renamed Handels GmbH"), (other, "street", "Hauptstrasse 1"), (other, "city", "Köln"),
             (other, "postcode", "50667"), (other, "country", "FR"), (other, "tax_id", "FR40303265045"),
             (other, "currency", "GBP"), (other, "xref", "0015g00000ABCDEFGH"), (other, "parent_id", parent),
             (other, "active", False), (us, "state", "CA"),
             # clearing: Odoo's own empty value (False)
             (other, "street", None), (other, "tax_id", ""), (other, "parent_id", None), (us, "state", None)]
    if odoo.info["version"] != "19.0":  # the sales warning left res.partner in Odoo 19 (odoo/odoo#192211)
        cases += [(other, "blocked", "block"), (other, "blocked", None)]  # cleared as no-message
    for rid, field, stored in cases:
        req, res = push(src, "customers", rid, field, stored)
        assert res.outcome == "applied", (field, stored, res.message)
        after = src.read_current("customers", [rid], [field])[rid][field]
        assert same("customers", field, after, req.new_value), (field, stored, after)
    partner = odoo.store.get("res.partner", us)[0]
    assert partner["state_id"] is False  # cleared with False, never a code in a relational field
    assert odoo.store.get("res.partner", other)[0]["country_id"][1] == "France"
    # archived in Odoo, and still pulled: Odoo's searches skip archived records unless asked
    pulled = src.pull().frames["customers"].set_index("record_id")
    assert len(pulled) == len(customers) and pulled.loc[other, "active"] is False


def test_price_and_invoice_due_date_apply(odoo):
    src = erp_connector(odoo)
    ex = src.pull()
    price = ex.frames["prices"].iloc[0]["record_id"]
    _, res = push(src, "prices", price, "unit_price", "1234.50")
    assert res.outcome == "applied"
    assert src.read_current("prices", [price], ["unit_price"])[price]["unit_price"] == Decimal("1234.50")
    inv = ex.frames["invoices"].iloc[0]["record_id"]
    _, res = push(src, "invoices", inv, "due_date", "2027-04-30")
    assert res.outcome == "applied"
    assert odoo.store.get("account.move", inv)[0]["invoice_date_due"] == "2027-04-30"


def test_corrections_odoo_cannot_take_fail_with_one_clear_line(odoo):
    src = erp_connector(odoo)
    ex = src.pull()
    customers = ex.frames["customers"]
    not_us = customers[customers["country"] != "US"].iloc[0]["record_id"]
    inv, order = ex.frames["invoices"].iloc[0]["record_id"], ex.frames["orders"].iloc[0]["record_id"]
    expected = [
        ("customers", not_us, "state", "CA", f"Odoo: res.partner({not_us}) state: no res.country.state with code "
                                             f"'CA' in "),
        ("customers", not_us, "country", "ZZ", f"Odoo: res.partner({not_us}) country: no res.country with code 'ZZ'"),
        ("invoices", inv, "open_balance", "10.00", f"Odoo: account.move({inv}) open_balance: amount_residual (Amount "
                                                   f"Due) is read-only in Odoo (computed); not sent"),
        ("invoices", inv, "total_amount", "10.00", f"Odoo: account.move({inv}) total_amount: amount_total (Total) is "
                                                   f"read-only in Odoo (computed); not sent"),
        ("orders", order, "total_amount", "10.00", f"Odoo: sale.order({order}) total_amount: amount_total (Total) is "
                                                   f"read-only in Odoo (computed); not sent"),
        ("invoices", inv, "status", "paid", "Odoo: field 'status' of invoices is not mapped"),
        ("customers", not_us, "active", None, f"Odoo: res.partner({not_us}) active: active is true or false in Odoo "
                                              f"and cannot be cleared"),
    ]
    for kind, rid, field, stored, message in expected:
        model = src.maps[kind].object
        before = odoo.store.get(model, rid)[0]
        seen = src.read_current(kind, [rid], [field])[rid] if field in src.maps[kind].fields else {field: None}
        [res] = src.push([WriteRequest(1, "k", kind, rid, field, seen[field], parse_value(kind, field, stored))])
        assert res.outcome == "permanent" and res.message.startswith(message), (field, res.message)
        assert "\n" not in res.message
        assert odoo.store.get(model, rid)[0] == before


def test_a_record_deleted_in_odoo_is_gone_from_reads_and_its_correction_fails_permanently(odoo):
    # Odoo's read answers a deleted id with no row at all (odoo/orm/models.py _read_format: "one dictionary per
    # record that exists"), not with MissingError
    src = erp_connector(odoo)
    customers = src.pull().frames["customers"]
    kept, gone = customers.iloc[0]["record_id"], customers.iloc[1]["record_id"]
    before = src.read_current("customers", [gone], ["city"])[gone]
    assert odoo.store.delete("res.partner", gone)
    assert set(src.read_current("customers", [kept, gone], ["city"])) == {kept}
    req = WriteRequest(1, f"customers:{gone}:city", "customers", gone, "city", before["city"], "Köln",
                       seen_version=before["version"])
    [res] = src.push([req])
    assert res.outcome == "permanent" and res.message == f"Odoo: res.partner({gone}) no longer exists"


def test_a_correction_of_a_field_odoo_19_no_longer_has_fails_permanently_at_once(records):
    for odoo in erp_sandbox("odoo", records):
        src = erp_connector(odoo)
        rid = src.pull().frames["customers"].iloc[0]["record_id"]
        req = WriteRequest(1, f"customers:{rid}:blocked", "customers", rid, "blocked", None, "block")
        [res] = src.push([req])
        assert res.outcome == "permanent"
        assert res.message == f"Odoo: res.partner({rid}) blocked: the field 'sale_warn' does not exist on res.partner"
        assert src.http.retries == 0
