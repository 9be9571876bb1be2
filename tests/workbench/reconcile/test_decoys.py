"""Classes of real master data that are not differences (the decoys), next to the true
difference of the same kind, which must still be reported."""

from datetime import date

from workbench.model.ids import to_18
from workbench.reconcile.engine import reconcile

from .helpers import D, by_type, config, cust, extract, inv


def sf(n: int) -> str:
    return to_18(f"001{n:012d}")


def price(rid, code, ccy, amount, **kw):
    return {"record_id": rid, "product_code": code, "currency": ccy, "unit_price": D(amount), **kw}


def run(crm: dict, erp: dict, rules=None):
    crm.setdefault("customers", [cust(sf(1), "Acme Inc", xref="C1", tax_id="12-3456789")])
    erp.setdefault("customers", [cust("e1", "Acme Inc", number="C1", tax_id="123456789",
                                      xref=sf(1))])
    return reconcile(extract("crm", **crm), extract("erp", **erp), config(rules))


# -- 1. one-sided back-reference ---------------------------------------------------------------


def _one_sided():
    crm = [cust(sf(1), "Foster Energy Inc", xref="C1", tax_id="11-1111111"),
           cust(sf(2), "Grant Foods LLC", xref="C2", tax_id="22-2222222", street="800 Market Street")]
    erp = [cust("e1", "Foster Energy Inc", number="C1", tax_id="111111111", xref=None),  # back-reference blank
           cust("e2", "Grant Foods LLC", number="C2", tax_id="222222222", xref=sf(2), street="800 Market Street")]
    return {"customers": crm}, {"customers": erp}


def test_blank_back_reference_with_the_other_key_naming_the_partner_is_a_sound_link():
    res = run(*_one_sided())
    assert set(zip(res.links["crm_id"], res.links["erp_id"], res.links["status"])) == {
        (sf(1), "e1", "auto"), (sf(2), "e2", "auto")}
    assert list(res.exceptions["type"]) == []


def test_blank_back_reference_is_reported_low_when_the_rules_ask():
    res = run(*_one_sided(), rules={"customers": {"blank_back_reference": "report"}})
    (exc,) = by_type(res, "customer.missing_xref")
    assert (exc["crm_id"], exc["erp_id"], exc["severity"]) == (sf(1), "e1", "low")
    assert exc["proposal"]["target_side"] == "erp" and exc["proposal"]["to"] == sf(1)


def test_both_cross_references_blank_on_a_linked_pair_is_still_reported():
    crm = [cust(sf(1), "Foster Energy Inc", tax_id="11-1111111")]
    erp = [cust("e1", "Foster Energy Inc", number="C1", tax_id="111111111")]
    res = run({"customers": crm}, {"customers": erp})
    (exc,) = by_type(res, "customer.missing_xref")
    assert exc["crm_id"] == sf(1) and exc["proposal"]["to"] == "C1"


# -- 4. inactive price book entries ------------------------------------------------------------


def test_erp_prices_of_a_product_whose_crm_entries_are_all_inactive_are_not_missing_in_crm():
    crm = {"products": [{"record_id": "p1", "code": "OLD-1", "name": "Retired"},
                        {"record_id": "p2", "code": "LIC-1", "name": "Licence"}],
           "prices": [price("c1", "OLD-1", "EUR", "10.00", active=False),
                      price("c2", "LIC-1", "EUR", "100.00"),
                      price("c3", "LIC-1", "USD", "110.00", active=False)]}
    erp = {"products": [{"record_id": "i1", "code": "OLD-1"}, {"record_id": "i2", "code": "LIC-1"}],
           "prices": [price("e1", "OLD-1", "EUR", "12.00"), price("e2", "OLD-1", "USD", "13.00"),
                      price("e3", "LIC-1", "EUR", "100.00"), price("e4", "LIC-1", "USD", "120.00"),
                      price("e5", "LIC-1", "GBP", "90.00")]}
    res = run(crm, erp)
    # the retired product, and the currency the CRM stopped selling in, are no findings;
    # a currency the CRM never priced an active product in still is
    assert [e["erp_id"] for e in by_type(res, "pricing.missing_in_crm")] == ["e5"]
    assert by_type(res, "pricing.price_mismatch") == []  # inactive entries are not compared


# -- 5. derived status with the money tolerance ------------------------------------------------


def test_balance_below_one_minor_unit_of_the_total_is_not_a_part_payment():
    C = sf(1)
    res = run({"invoices": [inv("a1", "N1", C, "5992.60", "5992.5989", "open", ccy="EUR"),
                            inv("a2", "N2", C, "5992.60", "5000.00", "open", ccy="EUR")]},
              {"invoices": [inv("b1", "N1", "e1", "5992.60", "5992.60", "open", ccy="EUR"),
                            inv("b2", "N2", "e1", "5992.60", "5992.60", "open", ccy="EUR")]})
    # the real part payment (N2) is still a difference
    assert list(res.exceptions["erp_id"]) == ["b2"]


# -- 6. Business Central Corrective ------------------------------------------------------------


def test_corrective_invoice_status_comes_from_its_remaining_amount():
    C = sf(1)
    crm = [inv("a1", "N1", C, "100.00", "0.00", "paid"), inv("a2", "N2", C, "100.00", "100.00", "open"),
           inv("a3", "N3", C, "100.00", "40.00", "partially_paid"), inv("a4", "N4", C, "100.00", "100.00", "open")]
    erp = [inv("b1", "N1", "e1", "100.00", "0.00", "open", status_raw="Corrective"),
           inv("b2", "N2", "e1", "100.00", "100.00", "open", status_raw="Corrective"),
           inv("b3", "N3", "e1", "100.00", "40.00", "open", status_raw="Corrective"),
           inv("b4", "N4", "e1", "100.00", "0.00", "open", status_raw="Corrective")]
    res = run({"invoices": crm}, {"invoices": erp})
    # paid / open / part-paid Corrective invoices agree; the one the ERP shows settled does not
    assert [(e["erp_id"], e["field"]) for e in res.exceptions.to_dict("records")] == [("b4", "status")]
    assert by_type(res, "invoice.status_mismatch")[0]["message"].startswith("Invoice N4 is open in the CRM but paid")


def test_business_central_table_reads_corrective_as_a_posted_invoice_not_a_credit_note():
    from workbench.model.status import StatusMap
    assert StatusMap.for_source("business_central").map("Corrective") == "open"


# -- tolerances ---------------------------------------------------------------------------------


def test_default_tolerance_is_less_than_one_minor_unit_and_no_relative_part():
    crm = {"prices": [price("c1", "A", "EUR", "100.0049"), price("c2", "B", "EUR", "100.00"),
                      price("c3", "C", "JPY", "15000")]}
    erp = {"prices": [price("e1", "A", "EUR", "100.00"), price("e2", "B", "EUR", "100.01"),
                      price("e3", "C", "JPY", "15000.4")]}
    res = run(crm, erp)
    assert [e["crm_id"] for e in by_type(res, "pricing.price_mismatch")] == ["c2"]


def test_absolute_tolerance_below_the_minor_unit_warns_and_a_currency_can_have_its_own():
    C = sf(1)
    crm = {"prices": [price("c1", "A", "JPY", "15000"), price("c2", "A", "EUR", "100.00")],
           "invoices": [inv("a1", "N1", C, "5000", "5000", "open", ccy="JPY")]}
    erp = {"prices": [price("e1", "A", "JPY", "15001"), price("e2", "A", "EUR", "100.01")],
           "invoices": [inv("b1", "N1", "e1", "5000", "4999", "open", ccy="JPY")]}
    res = run(crm, erp, {"tolerances": {"price_abs": "0.01", "invoice_balance": {"JPY": "1"}}})
    assert [e["crm_id"] for e in by_type(res, "pricing.price_mismatch")] == ["c1"]  # 0.01 is no tolerance in JPY
    assert by_type(res, "invoice.partial_payment_not_reflected") == []  # 1 yen is within the JPY balance tolerance
    (warning,) = res.stats["warnings"]
    assert "price" in warning and "JPY" in warning and "0.01" in warning


# -- 2. names compared as what they say --------------------------------------------------------


def _names():
    crm = [cust(sf(1), "Atlatic Freight Ltd", xref="C1"), cust(sf(2), "Elektro Saar GmbH", xref="C2", country="DE"),
           cust(sf(3), "Kabushiki Kaisha Watanabe Logistics", xref="C3", country="JP"),
           cust(sf(4), "Nordic Steel AB", xref="C4", country="SE"),
           cust(sf(5), "Amer Steel Inc", xref="C5", country="US"), cust(sf(6), "IBM Corp", xref="C6", country="US")]
    erp = [cust("e1", "Atlantic Freight Ltd", number="C1", xref=sf(1)),
           cust("e2", "Saar Elektro GmbH", number="C2", xref=sf(2), country="DE"),
           cust("e3", "Watanabe Logistics KK", number="C3", xref=sf(3), country="JP"),
           cust("e4", "Baltic Steel AB", number="C4", xref=sf(4), country="SE"),
           # an ERP's name written out where the CRM abbreviates it (benchmarks/variations, class abbrev)
           cust("e5", "American Steel Inc", number="C5", xref=sf(5), country="US"),
           cust("e6", "International Business Machines Corp", number="C6", xref=sf(6), country="US")]
    return {"customers": crm}, {"customers": erp}


def test_cosmetic_name_variants_are_no_mismatch_while_a_replaced_word_is():
    res = run(*_names())
    assert [(e["erp_id"], e["field"]) for e in by_type(res, "customer.attribute_mismatch")] == [("e4", "name")]


def test_name_variants_are_a_separate_low_kind_when_the_rules_ask():
    res = run(*_names(), rules={"customers": {"name_variants": "report"}})
    variants = by_type(res, "customer.name_variant")
    # KK / Kabushiki Kaisha is one legal form; Amer / American and IBM are the words written short
    assert sorted(e["erp_id"] for e in variants) == ["e1", "e2", "e5", "e6"]
    assert {e["severity"] for e in variants} == {"low"}
    assert [e["erp_id"] for e in by_type(res, "customer.attribute_mismatch")] == ["e4"]


# -- 3. street abbreviations outside English ---------------------------------------------------


def test_street_abbreviations_of_the_customers_country_are_no_address_mismatch():
    crm = [cust(sf(1), "Hijos de Garcia SL", xref="C1", country="ES", street="Avda. de la Constitución 12"),
           cust(sf(2), "Dubois Conseil SARL", xref="C2", country="FR", street="12 bd Haussmann"),
           cust(sf(3), "Rossi SpA", xref="C3", country="IT", street="Via Roma 4")]
    erp = [cust("e1", "Hijos de Garcia SL", number="C1", xref=sf(1), country="ES",
                street="Avenida de la Constitucion 12"),
           cust("e2", "Dubois Conseil SARL", number="C2", xref=sf(2), country="FR", street="12 boulevard Haussmann"),
           cust("e3", "Rossi SpA", number="C3", xref=sf(3), country="IT", street="Piazza Roma 4")]
    res = run({"customers": crm}, {"customers": erp})
    assert [(e["erp_id"], e["field"]) for e in by_type(res, "customer.attribute_mismatch")] == [("e3", "street")]


# -- the ERP invoice's reference to the CRM document ---------------------------------------------


def test_erp_invoices_pair_through_their_reference_to_the_crm_invoice():
    C = sf(1)
    crm = [inv(sf(101), "INV-0001", C, "100.00", "100.00", "open"),
           inv(sf(102), "INV-0002", C, "250.00", "250.00", "open"),
           inv(sf(103), "INV-0003", C, "300.00", "300.00", "open"),
           inv(sf(104), "INV-0004", C, "400.00", "400.00", "open")]
    erp = [inv("b1", "103001", "e1", "100.00", "100.00", "open", external_ref="inv-0001"),
           inv("b2", "103002", "e1", "250.00", "200.00", "open", external_ref=sf(102)[:15]),  # its record id
           inv("b3", "103003", "e1", "300.00", "300.00", "open", external_ref="INV-0003"),
           inv("b4", "103004", "e1", "300.00", "300.00", "open", external_ref="INV-0003"),  # two claim one: no guess
           inv("b5", "103005", "e1", "999.00", "999.00", "open", invoice_date=date(2026, 1, 1))]
    res = run({"invoices": crm}, {"invoices": erp})
    assert res.stats["invoices_matched"] == {"external_ref": 2}
    (part,) = by_type(res, "invoice.partial_payment_not_reflected")
    assert (part["crm_id"], part["erp_id"]) == (sf(102), "b2")
    assert sorted(e["crm_id"] for e in by_type(res, "invoice.missing_in_erp")) == [sf(103), sf(104)]
    assert sorted(e["erp_id"] for e in by_type(res, "invoice.missing_in_crm")) == ["b3", "b4", "b5"]


def test_blank_crm_cross_reference_is_missing_even_when_the_erp_back_reference_names_the_account():
    crm = [cust(sf(1), "Foster Energy Inc", xref=None, tax_id="11-1111111"),
           cust(sf(2), "Grant Foods LLC", xref="C2", tax_id="22-2222222", street="800 Market Street")]
    erp = [cust("e1", "Foster Energy Inc", number="C1", tax_id="111111111", xref=sf(1)),
           cust("e2", "Grant Foods LLC", number="C2", tax_id="222222222", xref=sf(2), street="800 Market Street")]
    res = run({"customers": crm}, {"customers": erp})
    (exc,) = by_type(res, "customer.missing_xref")
    assert exc["proposal"]["target_side"] == "crm" and exc["proposal"]["to"] == "C1"
