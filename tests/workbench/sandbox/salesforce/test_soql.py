"""The sandbox's SOQL subset: what it selects, and that it refuses what Salesforce refuses."""

from __future__ import annotations

from datetime import date

import pytest
from simple_salesforce.format import format_soql

from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench.sandbox.salesforce import soql
from workbench.sandbox.salesforce.seed import seed
from workbench.sandbox.salesforce.store import OrgStore


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    store = OrgStore(tmp_path_factory.mktemp("org") / "org.sqlite3")
    seed(store, crm_frames(40))
    yield store
    store.close()


def run(org, q, today=date(2026, 10, 15)):
    parsed = soql.parse(q, today)
    return [dict(zip([c.name for c in parsed.fields], row)) for row in org.select(parsed)]


def test_where_with_and_or_not_in_like_and_order(org):
    rows = run(org, "select Name, BillingCountry from account where (BillingCountry in ('DE', 'JP') "
                    "or Name like 'customer 0003%') and not BillingCountry = 'JP' order by Name desc limit 4")
    # 00039 is a JP account (every fifth from 4), so NOT BillingCountry = 'JP' drops it
    assert [r["Name"] for r in rows] == ["Customer 00038 GmbH", "Customer 00037 GmbH", "Customer 00036 GmbH",
                                         "Customer 00035 GmbH"]
    assert {r["BillingCountry"] for r in rows} <= {"DE", "US", "GB", "FR"}


def test_not_equal_includes_nulls_like_salesforce(org):
    with_xref = run(org, "SELECT Id FROM Account WHERE ERP_Customer_Number__c != 'C10001'")
    assert len(with_xref) == 39  # the 6 accounts without an xref are not equal to 'C10001' either


def test_numbers_compare_numerically_and_money_stays_exact(org):
    rows = run(org, "SELECT UnitPrice, CurrencyIsoCode FROM PricebookEntry WHERE UnitPrice >= 200.5 "
                    "AND CurrencyIsoCode != 'JPY' ORDER BY UnitPrice")
    assert [r["UnitPrice"] for r in rows] == ["200.50", "200.50", "300.50", "300.50"]


def test_date_literals_and_datetime_literals(org):
    assert len(run(org, "SELECT Id FROM blng__Invoice__c WHERE blng__DueDate__c < TODAY")) == 1
    assert len(run(org, "SELECT Id FROM blng__Invoice__c WHERE blng__InvoiceDate__c = LAST_N_DAYS:10")) == 1
    assert len(run(org, "SELECT Id FROM Account WHERE SystemModstamp >= 2026-10-01T09:00:00Z")) == 40
    assert len(run(org, "SELECT Id FROM Account WHERE SystemModstamp > 2026-10-01T11:00:00+02:00")) == 0


def test_parent_relationship_fields(org):
    rows = run(org, "SELECT Id, Pricebook2.Name, Product2.ProductCode FROM PricebookEntry LIMIT 1")
    assert rows[0]["Pricebook2.Name"] == "Standard Price Book"
    assert rows[0]["Product2.ProductCode"] == "SKU-0"


def test_a_parents_field_filters_as_the_records_own(org):
    """SOQL and SOSL Reference, Relationship Queries: a parent's field in WHERE (``Product2.ProductCode``), joined
    when not selected, counted the same way; a record without that parent is not taken."""
    tail = "FROM PricebookEntry WHERE Product2.ProductCode = 'sku-0'"
    rows = run(org, f"SELECT Id, UnitPrice {tail}")
    assert rows and org.count(soql.parse(f"SELECT COUNT() {tail}")) == len(rows)
    every = run(org, "SELECT Id, Product2.ProductCode FROM PricebookEntry")
    codes = {r["Id"]: r["Product2.ProductCode"] for r in every}
    assert {r["Id"] for r in rows} == {i for i, c in codes.items() if c == "SKU-0"}
    assert len(run(org, "SELECT Id FROM PricebookEntry WHERE Product2.SystemModstamp > 2099-01-01T00:00:00Z "
                        "OR Pricebook2.Name = 'Standard Price Book'")) == len(codes)


@pytest.mark.parametrize("hostile", ["x' OR Name != '", "\\' OR Id != null --", "%", "O'Brien \\ Sons\n"])
def test_escaped_hostile_values_stay_literals(org, hostile):
    q = format_soql("SELECT Id FROM Account WHERE Name = {} OR AccountNumber IN {}", hostile, [hostile, "A-00001"])
    assert len(run(org, q)) == 1  # only A-00001: the hostile text never became SOQL


@pytest.mark.parametrize("q, code", [
    ("SELECT Id, Nope FROM Account", "INVALID_FIELD"),
    ("SELECT Id FROM Nowhere__c", "INVALID_TYPE"),
    ("SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01'", "MALFORMED_QUERY"),
    ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY"),
    ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
    ("SELECT Id FROM Account; DROP TABLE Account", "MALFORMED_QUERY"),
    ("SELECT Id, Owner.Name FROM Account", "INVALID_FIELD"),
])
def test_refusals_carry_salesforce_error_codes(org, q, code):
    with pytest.raises(soql.SoqlError) as err:
        soql.parse(q)
    assert err.value.code == code


def test_text_equality_in_and_like_ignore_case_as_in_soql(org):
    assert [r["Name"] for r in run(org, "SELECT Name FROM Account WHERE Name = 'CUSTOMER 00001 GMBH'")] == \
        ["Customer 00001 GmbH"]
    assert len(run(org, "SELECT Id FROM Account WHERE AccountNumber IN ('a-00001', 'A-00002')")) == 2
    assert len(run(org, "SELECT Id FROM Account WHERE Name LIKE 'customer 0001%'")) == 10
    assert len(run(org, "SELECT Id FROM Account WHERE Name LIKE 'customer\\_0001%'")) == 0  # escaped _ is literal


def test_text_sorts_without_regard_to_case(org):
    org.db.execute("""UPDATE "Account" SET "Name" = 'apfel' WHERE "AccountNumber" = 'A-00001'""")
    org.db.execute("""UPDATE "Account" SET "Name" = 'Birne' WHERE "AccountNumber" = 'A-00002'""")
    rows = run(org, "SELECT Name FROM Account WHERE AccountNumber IN ('A-00001', 'A-00002', 'A-00003') ORDER BY Name")
    assert [r["Name"] for r in rows] == ["apfel", "Birne", "Customer 00003 GmbH"]


@pytest.mark.parametrize("literal, start, end", [
    ("THIS_YEAR", "2026-01-01", "2027-01-01"),
    ("LAST_YEAR", "2025-01-01", "2026-01-01"),
    ("THIS_QUARTER", "2026-10-01", "2027-01-01"),
    ("LAST_QUARTER", "2026-07-01", "2026-10-01"),
    ("NEXT_MONTH", "2026-11-01", "2026-12-01"),
    ("THIS_WEEK", "2026-10-11", "2026-10-18"),  # 2026-10-15 is a Thursday; weeks start on Sunday
    ("LAST_N_DAYS:3", "2026-10-12", "2026-10-16"),
    ("N_DAYS_AGO:2", "2026-10-13", "2026-10-14"),
    ("LAST_N_MONTHS:2", "2026-08-01", "2026-10-01"),
    ("NEXT_N_YEARS:1", "2027-01-01", "2028-01-01"),
    ("LAST_90_DAYS", "2026-07-17", "2026-10-16"),
])
def test_date_literals_are_the_documented_ranges(literal, start, end):
    parsed = soql.parse(f"SELECT Id FROM blng__Invoice__c WHERE blng__DueDate__c = {literal}", date(2026, 10, 15))
    assert parsed.params == [start, end]
