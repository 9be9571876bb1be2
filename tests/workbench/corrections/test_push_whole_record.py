"""A correction of several fields of one record is written whole or not at all, by every connector:
one PATCH (Business Central, Salesforce's Composite subrequest) or one ``write`` (Odoo) carrying them
all. A field that cannot be written (refused by the workbench's own checks or by the system, or
changed by someone since approval) leaves the whole record as it was, and each field's answer says
so. Written field by field, the first landed and the record was left half-changed."""

from __future__ import annotations

import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox, salesforce_org
from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench.config import from_dict
from workbench.corrections.outbox.push import combine
from workbench.corrections.values import parse_value
from workbench.sandbox import erp
from workbench.sandbox import salesforce as sf_sandbox
from workbench.sources import open_source
from workbench.sources.base import WriteRequest


# ---------------------------------------------------------------- Odoo


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 12, 3, tmp_path_factory.mktemp("scenario"))


@pytest.fixture(params=[19, 17], ids=["json2", "jsonrpc"])
def odoo(request, records):
    yield from erp_sandbox("odoo", records, odoo_version=request.param)


def _odoo_compound(src, rid: str, changes: dict[str, object]) -> list[WriteRequest]:
    """One correction (id 7) of ``changes`` on customer ``rid``, as push.write_requests builds it."""
    seen = src.read_current("customers", [rid], list(changes))[rid]
    return [WriteRequest(7, f"k.{n}", "customers", rid, f, seen[f], parse_value("customers", f, v),
                         seen_version=seen["version"] if n == 0 else None)
            for n, (f, v) in enumerate(changes.items())]


@pytest.mark.parametrize("second, refused_by", [
    (("country", "ZZ"), "no res.country with code 'ZZ'"),  # the connector's own check, before any write
    (("parent_id", "999999"), "parent_id"),  # Odoo's: the related partner does not exist
])
def test_odoo_writes_a_compound_correction_whole_or_not_at_all(odoo, second, refused_by):
    src = erp_connector(odoo)
    rid = src.pull().frames["customers"].iloc[1]["record_id"]
    before = odoo.store.get("res.partner", rid)
    reqs = _odoo_compound(src, rid, {"city": "Köln", second[0]: second[1]})
    results = src.push(reqs)
    assert [r.outcome for r in results] == ["permanent", "permanent"]
    assert odoo.store.get("res.partner", rid) == before  # the city was not written either
    msg = combine(reqs, results).message
    assert "nothing written" in msg and refused_by in msg and f"res.partner({rid})" in msg


def test_odoo_writes_a_compound_correction_in_one_write(odoo):
    src = erp_connector(odoo)
    rid = src.pull().frames["customers"].iloc[2]["record_id"]
    reqs = _odoo_compound(src, rid, {"city": "Köln", "postcode": "50667", "street": "Hauptstrasse 1"})
    results = src.push(reqs)
    assert [r.outcome for r in results] == ["applied"] * 3
    rec = odoo.store.get("res.partner", rid)[0]
    assert (rec["city"], rec["zip"], rec["street"]) == ("Köln", "50667", "Hauptstrasse 1")
    assert results[0].message == results[2].message and "'city', 'zip', 'street'" in results[0].message


def test_odoo_compound_over_a_field_someone_changed_writes_nothing_and_names_both_values(odoo):
    src = erp_connector(odoo)
    rid = src.pull().frames["customers"].iloc[3]["record_id"]
    reqs = _odoo_compound(src, rid, {"city": "Köln", "postcode": "50667"})
    odoo.store.update("res.partner", rid, lambda d, v: {**d, "zip": "99999"})  # an edit without a new write_date
    before = odoo.store.get("res.partner", rid)
    results = src.push(reqs)
    assert [r.outcome for r in results] == ["conflict", "conflict"]
    assert odoo.store.get("res.partner", rid) == before
    assert "postcode now holds '99999'" in results[0].message and f"res.partner({rid})" in results[0].message


# ---------------------------------------------------------------- Salesforce


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(40), tmp_path_factory.mktemp("sf"))


def _sf(org):
    crm = sf_sandbox.demo_config(org)
    crm["salesforce"].update({"retry_wait_seconds": 0.01})
    return open_source("crm", from_dict({"crm": crm, "erp": {"connector": "files"}}))


def _sf_compound(accounts, number: str, changes: dict[str, object], old: dict[str, object] | None = None
                 ) -> list[WriteRequest]:
    row = accounts.loc[number]
    return [WriteRequest(9, f"k.{n}", "customers", row["record_id"], f, (old or {}).get(f, row[f]), v,
                         row["version"] if n == 0 else None) for n, (f, v) in enumerate(changes.items())]


@pytest.mark.parametrize("number, name, old, refused_by", [
    ("A-00003", "x" * 300, None, "STRING_TOO_LONG"),  # the org's describe: nothing is sent
    ("A-00004", "Renamed Ltd", "Somebody Else Ltd", "changed in Salesforce since it was read"),
])
def test_salesforce_writes_a_compound_correction_whole_or_not_at_all(org, number, name, old, refused_by):
    src = _sf(org)
    accounts = src.pull().frame("customers").set_index("number")
    rid = accounts.loc[number, "record_id"]
    before = org.record("Account", rid)
    reqs = _sf_compound(accounts, number, {"city": "Hamburg", "name": name}, {"name": old} if old else None)
    results = src.push(reqs)
    assert results[0].outcome == results[1].outcome != "applied"
    assert org.record("Account", rid)["BillingCity"] == before["BillingCity"] != "Hamburg"
    msg = combine(reqs, results).message
    assert "nothing written" in msg and refused_by in msg and rid in msg


def test_salesforce_refuses_an_amount_finer_than_its_fields_scale_instead_of_rounding_it(org):
    """A KWD balance (3 decimals) into a currency field of scale 2: Salesforce keeps 2, so it would land
    rounded and read back as a new difference. Not sent, with the field's scale and the value's places."""
    from decimal import Decimal
    src = _sf(org)
    inv = src.pull().frame("invoices").set_index("number").iloc[0]
    before = src.read_current("invoices", [inv["record_id"]], ["open_balance"])[inv["record_id"]]["open_balance"]
    [res] = src.push([WriteRequest(1, "k", "invoices", inv["record_id"], "open_balance", inv["open_balance"],
                                   Decimal("12.345"), inv["version"])])
    assert res.outcome == "permanent"
    assert "holds 2 decimal(s) (describe scale), the value 12.345 has 3" in res.message
    assert src.read_current("invoices", [inv["record_id"]], ["open_balance"])[inv["record_id"]]["open_balance"] \
        == before
    [ok] = src.push([WriteRequest(2, "k2", "invoices", inv["record_id"], "open_balance", inv["open_balance"],
                                  Decimal("12.300"), inv["version"])])  # trailing zeros are no finer
    assert ok.outcome == "applied"


def test_salesforce_writes_a_record_named_by_its_15_character_id(org):
    """A correction may name its record as a report's CSV export does (15 characters, case-sensitive); the
    re-read answers with the 18-character id. It was taken for a record deleted or merged."""
    src = _sf(org)
    accounts = src.pull().frame("customers").set_index("number")
    row = accounts.loc["A-00006"]
    short = row["record_id"][:15]
    [res] = src.push([WriteRequest(3, "k3", "customers", short, "city", row["city"], "Leipzig", row["version"])])
    assert res.outcome == "applied", res.message
    assert org.record("Account", row["record_id"])["BillingCity"] == "Leipzig"


def test_odoo_moves_a_customer_to_another_country_and_its_state_in_one_write(odoo):
    """A state code is resolved within a country: the one the same write sets, not the one the partner has
    (written whole, the state was looked up in the old country and the move refused)."""
    src = erp_connector(odoo)
    customers = src.pull().frames["customers"]
    rid = customers[customers["country"] != "US"].iloc[0]["record_id"]
    results = src.push(_odoo_compound(src, rid, {"country": "US", "state": "CA"}))
    assert [r.outcome for r in results] == ["applied", "applied"], [r.message for r in results]
    after = src.read_current("customers", [rid], ["country", "state"])[rid]
    assert (after["country"], after["state"]) == ("US", "CA")


def test_salesforce_does_not_dead_letter_a_correction_for_another_ones_field_in_the_same_patch(org):
    """Two corrections of one Account go in one PATCH (a second one would fail its If-Unmodified-Since). When
    Salesforce refuses it naming the other correction's field (a validation rule on the country), the city
    correction is not at fault: it is retried, and lands on its own; it was a dead letter with the country's
    error."""
    src = _sf(org)
    accounts = src.pull().frame("customers").set_index("number")
    row = accounts.loc["A-00008"]
    city = WriteRequest(11, "k11", "customers", row["record_id"], "city", row["city"], "Hamburg", row["version"])
    country = WriteRequest(12, "k12", "customers", row["record_id"], "country", row["country"], "Deutschland",
                           row["version"])
    by_id = {r.correction_id: r for r in src.push([city, country])}
    assert by_id[12].outcome == "permanent" and "FIELD_CUSTOM_VALIDATION_EXCEPTION" in by_id[12].message
    assert by_id[11].outcome == "transient"
    assert by_id[11].message.startswith(f"not written: Salesforce refused correction 12's change in the same write "
                                        f"of Account {row['record_id']}")
    assert org.record("Account", row["record_id"])["BillingCity"] == row["city"]
    [again] = src.push([city])  # the next push, the country correction a dead letter
    assert again.outcome == "applied" and org.record("Account", row["record_id"])["BillingCity"] == "Hamburg"


def test_odoo_writes_two_corrections_of_one_record_approved_on_the_same_read(odoo):
    """Each was approved with the write_date the run read; the first write moves it. The connector follows its
    own write, so the second is not taken for someone else's change (it was a conflict every time), while a
    change by anyone else still is one (tests/workbench/sources/test_odoo.py, stale write_date)."""
    src = erp_connector(odoo)
    rid = src.pull().frames["customers"].iloc[4]["record_id"]
    seen = src.read_current("customers", [rid], ["city", "street"])[rid]
    reqs = [WriteRequest(21, "k21", "customers", rid, "city", seen["city"], "Köln", seen["version"]),
            WriteRequest(22, "k22", "customers", rid, "street", seen["street"], "Hauptstrasse 1", seen["version"])]
    assert [r.outcome for r in src.push(reqs)] == ["applied", "applied"]
    rec = odoo.store.get("res.partner", rid)[0]
    assert (rec["city"], rec["street"]) == ("Köln", "Hauptstrasse 1")
