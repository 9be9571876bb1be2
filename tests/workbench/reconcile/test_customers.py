"""Customer linking and customer findings on hand-built extracts."""

import pytest

from workbench.model.ids import to_18
from workbench.reconcile.engine import reconcile

from .helpers import by_type, config, cust, extract


def sf(n: int) -> str:
    return to_18(f"001{n:012d}")


def run(crm_customers, erp_customers, rules=None, **more):
    return reconcile(extract("crm", customers=crm_customers, **more.get("crm", {})),
                     extract("erp", customers=erp_customers, **more.get("erp", {})), config(rules))


def test_xref_links_despite_15_char_ids_case_and_leading_zeros():
    crm = [cust(sf(1), "Acme Inc", xref=" c-00012 ", tax_id="12-3456789"),
           cust(sf(2), "Baker Ltd", xref=None, street="9 High Street", postcode="EC1A 1BB", country="GB",
                city="London")]
    erp = [cust("e1", "ACME Incorporated", number="C12", tax_id="123456789"),
           cust("e2", "Baker Limited", number="C13", xref=sf(2)[:15], street="9 High St", postcode="EC1A1BB",
                country="GB", city="London")]
    res = run(crm, erp)
    links = {(r["crm_id"], r["erp_id"]): r for r in res.links.to_dict("records")}
    assert links[(sf(1), "e1")]["method"] == "xref_crm"
    assert links[(sf(2), "e2")]["method"] == "xref_erp"
    assert all(r["status"] == "auto" for r in links.values())
    # equivalent spellings are never reported as differences
    assert by_type(res, "customer.attribute_mismatch") == []
    assert by_type(res, "customer.missing_in_erp") == [] and by_type(res, "customer.missing_in_crm") == []


def test_tax_id_links_a_blank_xref_and_proposes_writing_it():
    crm = [cust(sf(1), "Weber Handel GmbH", xref="C1", country="DE", city="Berlin", postcode="10115",
                street="Hauptstraße 5", tax_id="DE111111111"),
           cust(sf(2), "Schmidt Logistik GmbH", xref=None, country="DE", city="Köln", postcode="50667",
                street="Ringstraße 9", tax_id="DE 123 456 789")]
    erp = [cust("e1", "Weber Handel GmbH", number="C1", country="DE", city="Berlin", postcode="10115",
                street="Hauptstr. 5", tax_id="DE111111111"),
           cust("e2", "Schmidt Logistik G.m.b.H.", number="C2", country="DE", city="Koln", postcode="50667",
                street="Ringstr. 9", tax_id="DE123456789", version="W/\"etag\"")]
    res = run(crm, erp)
    link = res.links[res.links["crm_id"] == sf(2)].iloc[0]
    assert link["erp_id"] == "e2" and link["method"] == "tax_id" and link["evidence"]["tax_id"] is True
    (exc,) = by_type(res, "customer.missing_xref")
    assert (exc["crm_id"], exc["erp_id"], exc["field"]) == (sf(2), "e2", "xref")
    p = exc["proposal"]
    assert (p["target_side"], p["object"], p["record_id"], p["field"], p["to"]) == (
        "crm", "customers", sf(2), "xref", "C2")
    assert p["needs_decision"] is False and p["target_system"] == "salesforce"


def test_fuzzy_link_on_name_and_address_without_any_key():
    crm = [cust(sf(1), "Pemberton Engineering Ltd", street="14 Station Road", city="Leeds", postcode="LS1 4AP",
                country="GB")]
    erp = [cust("e1", "Pemberton Engineering Limited", number="C1", street="14 Station Rd", city="Leeds",
                postcode="LS14AP", country="GB")]
    res = run(crm, erp)
    (link,) = res.links.to_dict("records")
    assert link["method"] == "fuzzy" and link["status"] == "auto" and link["confidence"] >= 0.9
    assert link["evidence"]["postcode"] is True and link["evidence"]["name"] == 1.0



def test_a_customer_kept_in_cyrillic_by_the_erp_links_to_its_latin_account_with_nothing_to_report():
    crm = [cust(sf(1), "OOO Romashka", street="ul. Lenina 5", city="Moskva", postcode="101000", country="RU")]
    erp = [cust("e1", "ООО «Ромашка»", street="ул. Ленина 5", city="Москва", postcode="101000", country="RU")]
    res = run(crm, erp)
    assert [(r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")] == [(sf(1), "e1", "auto")]
    assert by_type(res, "customer.missing_in_erp") == [] and by_type(res, "customer.missing_in_crm") == []
    assert by_type(res, "customer.attribute_mismatch") == []


def test_a_tax_id_written_with_its_cyrillic_label_still_links_and_is_not_reported():
    crm = [cust(sf(1), "Romashka LLC", tax_id="7707083893", street="ul. Lenina 5", city="Moskva", postcode="101000",
                country="RU")]
    erp = [cust("e1", "ООО «Ромашка»", tax_id="ИНН 7707083893", street="ул. Ленина 5", city="Москва",
                postcode="101000", country="RU")]
    res = run(crm, erp)
    assert [(r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")] == [(sf(1), "e1", "auto")]
    assert by_type(res, "customer.attribute_mismatch") == []

def test_weak_evidence_becomes_a_suggestion_not_a_link():
    crm = [cust(sf(1), "Harper Analytics Inc", street="5 Oak Avenue", postcode="78701", city="Austin")]
    erp = [cust("e1", "Harper Analytic Solutions Inc", number="C1", street="77 Market Street", postcode="78701",
                city="Austin")]
    res = run(crm, erp)
    (link,) = res.links.to_dict("records")
    assert link["status"] == "suggested"
    # a suggested pair is neither linked nor reported missing until a person confirms it
    assert by_type(res, "customer.missing_in_erp") == [] and by_type(res, "customer.missing_xref") == []


def test_wrong_xref_detected_from_evidence():
    a = dict(street="1 Oak Avenue", postcode="30301", city="Atlanta")
    b = dict(street="800 Market Street", postcode="60601", city="Chicago")
    crm = [cust(sf(1), "Foster Energy Inc", xref="C2", tax_id="11-1111111", **a),  # points at Grant's number
           cust(sf(2), "Grant Foods LLC", xref="C2", tax_id="22-2222222", **b)]
    erp = [cust("e1", "Foster Energy Inc", number="C1", tax_id="111111111", **a),
           cust("e2", "Grant Foods LLC", number="C2", tax_id="222222222", **b)]
    res = run(crm, erp)
    pairs = set(zip(res.links["crm_id"], res.links["erp_id"]))
    assert pairs == {(sf(1), "e1"), (sf(2), "e2")}
    (exc,) = by_type(res, "customer.wrong_xref")
    assert (exc["crm_id"], exc["erp_id"]) == (sf(1), "e1")
    assert exc["proposal"]["from"] == "C2" and exc["proposal"]["to"] == "C1"


def test_duplicate_account_reported_once_not_as_missing():
    addr = dict(street="3 King Street", postcode="M1 2AB", city="Manchester", country="GB")
    crm = [cust(sf(1), "Kingsley Freight Ltd", xref="C1", tax_id="GB123456789", **addr),
           cust(sf(2), "Kingsley Freight Limited", **addr)]
    erp = [cust("e1", "Kingsley Freight Ltd", number="C1", tax_id="GB123456789", **addr)]
    res = run(crm, erp)
    (dup,) = by_type(res, "customer.duplicate")
    assert (dup["crm_id"], dup["erp_id"]) == (sf(2), "e1")
    assert dup["proposal"] is None and sf(1) in dup["message"]  # merging is a person's decision
    assert {"field": "duplicate_of", "crm": sf(1), "erp": None} in dup["diffs"]
    assert by_type(res, "customer.missing_in_erp") == []


def test_missing_on_either_side():
    crm = [cust(sf(1), "Lakeside Medical Inc", street="1 A St", postcode="98101", city="Seattle")]
    erp = [cust("e9", "Yardley Instruments Ltd", number="C9", street="9 Mill Lane", postcode="BS1 5TT",
                city="Bristol", country="GB")]
    res = run(crm, erp)
    assert [e["crm_id"] for e in by_type(res, "customer.missing_in_erp")] == [sf(1)]
    assert [e["erp_id"] for e in by_type(res, "customer.missing_in_crm")] == ["e9"]
    assert res.links.empty


def test_attribute_mismatch_with_ownership_proposal():
    crm = [cust(sf(1), "Müller Antriebstechnik GmbH", xref="C1", country="DE", city="München", postcode="80331",
                street="Gartenstraße 4", currency="EUR", version="2026-10-01T00:00:00Z")]
    erp = [cust("e1", "Müller Getriebetechnik GmbH", number="C1", country="DE", city="Muenchen",
                postcode="80331", street="Gartenstr. 4", currency="EUR")]
    res = run(crm, erp)
    fields = {e["field"]: e for e in by_type(res, "customer.attribute_mismatch")}
    assert set(fields) == {"name"}  # a word replaced; the city's ASCII spelling and the street's abbreviation are none
    p = fields["name"]["proposal"]
    assert (p["target_side"], p["from"], p["to"], p["version"]) == (
        "crm", "Müller Antriebstechnik GmbH", "Müller Getriebetechnik GmbH", "2026-10-01T00:00:00Z")
    assert fields["name"]["crm_value"] == "Müller Antriebstechnik GmbH"  # originals shown, never normalised


def test_shared_ownership_asks_a_person():
    crm = [cust(sf(1), "Reed Supply Inc", xref="C1", city="Denver")]
    erp = [cust("e1", "Reed Supply Inc", number="C1", city="Boulder")]
    res = run(crm, erp, rules={"ownership": {"customers.city": "shared"}})
    (exc,) = by_type(res, "customer.attribute_mismatch")
    assert exc["proposal"]["needs_decision"] is True and "shared" in exc["proposal"]["reason"]


def test_tax_id_and_country_blank_on_both_sides_is_data_quality():
    crm = [cust(sf(1), "Quinn Software Inc", xref="C1", country=None)]
    erp = [cust("e1", "Quinn Software Inc", number="C1", country=None)]
    res = run(crm, erp)
    assert [e["field"] for e in by_type(res, "data_quality.missing_tax_id")] == ["tax_id"]
    assert [e["field"] for e in by_type(res, "data_quality.missing_billing_country")] == ["country"]


def test_tax_id_on_one_side_only_is_an_attribute_difference():
    crm = [cust(sf(1), "Quinn Software Inc", xref="C1", tax_id="12-3456789")]
    erp = [cust("e1", "Quinn Software Inc", number="C1")]
    res = run(crm, erp)
    (exc,) = by_type(res, "customer.attribute_mismatch")
    assert exc["field"] == "tax_id" and exc["proposal"]["needs_decision"] is True
    assert by_type(res, "data_quality.missing_tax_id") == []


def test_blocked_in_erp_while_active_in_crm():
    crm = [cust(sf(1), "Tucker Logistics Inc", xref="C1", active=True),
           cust(sf(2), "Walsh Foods Inc", xref="C2", active=False, street="2 B St")]
    erp = [cust("e1", "Tucker Logistics Inc", number="C1", blocked="All"),
           cust("e2", "Walsh Foods Inc", number="C2", blocked="All", street="2 B St")]
    res = run(crm, erp)
    (exc,) = by_type(res, "credit.blocked_in_erp")
    assert exc["crm_id"] == sf(1) and exc["erp_value"] == "All" and exc["severity"] in ("high", "critical")


def test_hierarchy_mismatch_between_parent_and_bill_to():
    crm = [cust(sf(1), "Summit Holdings Inc", xref="C1"),
           cust(sf(2), "Summit Software Inc", xref="C2", parent_id=sf(1), street="2 B St"),
           cust(sf(3), "Summit Energy Inc", xref="C3", parent_id=sf(1), street="3 C St")]
    erp = [cust("e1", "Summit Holdings Inc", number="C1"),
           cust("e2", "Summit Software Inc", number="C2", parent_id="C1", street="2 B St"),
           cust("e3", "Summit Energy Inc", number="C3", street="3 C St")]
    res = run(crm, erp)
    (exc,) = by_type(res, "data_quality.hierarchy_mismatch")
    assert (exc["crm_id"], exc["erp_id"], exc["field"]) == (sf(3), "e3", "parent_id")
    assert exc["crm_value"] == "Summit Holdings Inc" and exc["erp_value"] is None


def test_a_name_that_is_the_other_s_acronym_at_the_same_address_is_a_suggestion_not_two_missing_customers():
    """Found on master data the engine was not built on: "IBM Corp" in the CRM and "International Business Machines
    Corp" in the ERP at one address were two customers missing on each side. The acronym is name evidence, enough
    for a suggestion someone confirms, never for a link on its own; a tax id that agrees still links."""
    crm = [cust(sf(1), "IBM Corp", street="1 New Orchard Road", city="Armonk", postcode="10504"),
           cust(sf(2), "BMW AG", street="Petuelring 130", city="München", postcode="80809", country="DE",
                tax_id="DE129273398"),
           cust(sf(3), "ABC Ltd", street="5 Quay Street", city="Cork", postcode="T12", country="IE")]
    erp = [cust("e1", "International Business Machines Corp", street="1 New Orchard Rd", city="Armonk",
                postcode="10504"),
           cust("e2", "Bayerische Motoren Werke AG", street="Petuelring 130", city="Munich", postcode="80809",
                country="DE", tax_id="DE 129 273 398"),
           cust("e3", "Atlantic Bottling Company Ltd", street="9 Dock Road", city="Galway", postcode="H91",
                country="IE")]
    res = run(crm, erp)
    links = {(r["crm_id"], r["erp_id"]): r for r in res.links.to_dict("records")}
    assert links[(sf(1), "e1")]["status"] == "suggested"
    assert links[(sf(2), "e2")]["status"] == "auto"  # the tax id settles it
    assert not any(sf(3) == c or e == "e3" for c, e in links)  # the same letters elsewhere: another company
    missing = {e["crm_id"] for e in by_type(res, "customer.missing_in_erp")}
    assert missing == {sf(3)}


def test_an_acronym_with_a_shared_website_and_no_address_is_still_only_a_suggestion():
    crm = [cust(sf(1), "ACME", street=None, city=None, postcode=None, country=None, website="https://acme-ex.com")]
    erp = [cust("e1", "Alpine Cargo Management Enterprises", street=None, city=None, postcode=None, country=None,
                website="www.acme-ex.com")]
    links = run(crm, erp).links.to_dict("records")
    assert [(r["crm_id"], r["erp_id"], r["status"]) for r in links] == [(sf(1), "e1", "suggested")]


# Review of 8d92768 and f383a3b (each test fails on the code it was written against).


@pytest.mark.parametrize("crm_name,crm_country,erp_name,erp_country", [
    ("Nordic Paper Oy", "FI", "Nordic Paper AB", "SE"),          # a Finnish and a Swedish subsidiary
    ("Van Dijk Logistics BV", "NL", "Van Dijk Logistics SRL", "IT"),
    ("Weber Technik GmbH", "DE", "Weber Technik SARL", "FR"),
    ("Hoffmann Bau AG", "DE", "Hoffmann Bau SA", "ES"),
])
def test_sister_companies_under_the_forms_of_two_countries_are_a_name_difference(crm_name, crm_country, erp_name,
                                                                                  erp_country):
    """_ONE_FORM reads Oy/Ab, BV/SRL, GmbH/Sàrl, AG/SA as one form wherever the customers are; they are one only in
    Finland, Belgium, Switzerland, Luxembourg. A cross-reference to the sister company in the next country is what
    the name difference showed."""
    crm = [cust(sf(1), crm_name, xref="C1", country=crm_country, city="X", postcode="1000", street="Hauptweg 1")]
    erp = [cust("e1", erp_name, number="C1", country=erp_country, city="X", postcode="1000", street="Hauptweg 1")]
    res = run(crm, erp)
    assert "name" in {e["field"] for e in by_type(res, "customer.attribute_mismatch")}


def test_a_street_named_with_a_number_word_and_no_house_number_still_links_automatically():
    """f383a3b reads a leading number word as the house number: "Seven Sisters Road" (no number written) has house
    number 7 and conflicts with "120 Seven Sisters Road", so the link drops from auto (0.98) to a suggestion (0.88),
    as low as a different street ("Holloway Road")."""
    crm = [cust(sf(1), "Holloway Bakery Ltd", street="Seven Sisters Road", city="London", postcode="N7 6AG",
                country="GB")]
    erp = [cust("e1", "Holloway Bakery Ltd", number="C1", street="120 Seven Sisters Road", city="London",
                postcode="N7 6AG", country="GB")]
    assert run(crm, erp).links["status"].tolist() == ["auto"]


def test_a_german_house_number_range_written_with_bis_still_links_automatically():
    """f383a3b joins "bis" to the number before it (French 5 bis = 5B); in German "12 bis 14" is the range 12-14,
    now house numbers {12b, 14} against {12, 14}: the link drops from auto (0.98) to a suggestion (0.88)."""
    crm = [cust(sf(1), "Becker Druck GmbH", street="Hauptstraße 12 bis 14", city="Köln", postcode="50667",
                country="DE")]
    erp = [cust("e1", "Becker Druck GmbH", number="C1", street="Hauptstr. 12-14", city="Köln", postcode="50667",
                country="DE")]
    assert run(crm, erp).links["status"].tolist() == ["auto"]


def test_review2_two_japanese_companies_one_kanji_apart_in_one_building_are_not_linked_silently():
    """株式会社山田 and 株式会社山本 (Yamada / Yamamoto) at one address: fuzz.ratio of the as-written cores is 0.83,
    enough with the address for an automatic link (0.908), and names_equivalent calls the names one (typo rule):
    two customers merged with nothing reported."""
    crm = [cust(sf(1), "株式会社山田", street="丸の内2-4-1", city="東京", postcode="100-0005", country="JP",
                currency="JPY")]
    erp = [cust("e1", "株式会社山本", number="C1", street="丸の内2-4-1", city="東京", postcode="100-0005",
                country="JP", currency="JPY")]
    res = run(crm, erp)
    auto = res.links[res.links["status"] == "auto"]
    named = "name" in {e["field"] for e in by_type(res, "customer.attribute_mismatch")}
    assert len(auto) == 0 or named


@pytest.mark.parametrize(("crm_name", "erp_name"), [
    ("Nordic Wind Fund II Ltd", "Nordic Wind Fund III Ltd"), ("Bayview Holdings I LLC", "Bayview Holdings II LLC"),
    ("Studio 54 LLC", "Studio 45 LLC"),
])
def test_names_with_another_number_at_one_address_are_two_companies_not_linked(crm_name, erp_name):
    crm = [cust(sf(1), crm_name, street="1 Harbour Street", city="Leeds", postcode="LS1 4AP", country="GB")]
    erp = [cust("e1", erp_name, number="C1", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP",
                country="GB")]
    res = run(crm, erp)
    assert res.links.empty
    assert len(by_type(res, "customer.missing_in_erp")) == 1 and len(by_type(res, "customer.missing_in_crm")) == 1


def test_a_number_written_onto_a_letter_or_apart_is_one_number_and_still_links_automatically():
    crm = [cust(sf(1), "A-1 Plumbing LLC", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP", country="GB")]
    erp = [cust("e1", "A1 Plumbing LLC", number="C1", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP",
                country="GB")]
    res = run(crm, erp)
    assert [(r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")] == [(sf(1), "e1", "auto")]


def test_a_fund_numbered_in_roman_numerals_or_figures_links_to_itself_beside_its_sister_fund():
    crm = [cust(sf(1), "Nordic Wind Fund II Ltd", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP",
                country="GB"),
           cust(sf(2), "Nordic Wind Fund III Ltd", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP",
                country="GB")]
    erp = [cust("e1", "Nordic Wind Fund 2 Limited", number="C1", street="1 Harbour Street", city="Leeds",
                postcode="LS1 4AP", country="GB"),
           cust("e2", "Nordic Wind Fund III Limited", number="C2", street="1 Harbour Street", city="Leeds",
                postcode="LS1 4AP", country="GB")]
    res = run(crm, erp)
    assert sorted((r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")) == [
        (sf(1), "e1", "auto"), (sf(2), "e2", "auto")]


def test_a_compared_state_written_by_name_and_by_code_is_no_difference_and_another_state_is():
    rules = {"customers": {"compare_fields": ["name", "street", "city", "postcode", "state", "country"]}}
    crm = [cust(sf(1), "Harper Analytics Inc", xref="C1", state="Pennsylvania", city="Pittsburgh", postcode="15222"),
           cust(sf(2), "Kestrel Tools Inc", xref="C2", state="PA", city="Pittsburgh", postcode="15222")]
    erp = [cust("e1", "Harper Analytics Inc", number="C1", state="PA", city="Pittsburgh", postcode="15222"),
           cust("e2", "Kestrel Tools Inc", number="C2", state="Ohio", city="Pittsburgh", postcode="15222")]
    res = run(crm, erp, rules)
    assert [(e["crm_value"], e["erp_value"]) for e in by_type(res, "customer.attribute_mismatch")] == [("PA", "Ohio")]


@pytest.mark.parametrize(("crm_name", "erp_name", "country"), [
    ("Hans Müller", "Hanna Müller", "DE"),                         # two people of one family
    ("Hammond Engineering Ltd", "Harmon Engineering Ltd", "GB"),    # two surnames three letters apart
    ("주식회사 한빛전자", "주식회사 한빛전기", "KR"),                     # one syllable apart
    ("North Star Logistics Inc", "South Star Logistics Inc", "US"),
])
def test_two_names_that_say_different_things_at_one_address_are_never_linked_automatically(crm_name, erp_name,
                                                                                            country):
    crm = [cust(sf(1), crm_name, street="1 Harbour Street", city="Leeds", postcode="LS1 4AP", country=country)]
    erp = [cust("e1", erp_name, number="C1", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP",
                country=country)]
    res = run(crm, erp)
    assert res.links[res.links["status"] == "auto"].empty
    assert len(by_type(res, "customer.missing_in_erp")) + len(res.links) >= 1


def test_names_that_differ_still_link_automatically_when_their_tax_ids_agree():
    crm = [cust(sf(1), "Hans Müller", street="Hauptstraße 5", city="Köln", postcode="50667", country="DE",
                tax_id="DE123456789")]
    erp = [cust("e1", "Hanna Müller", number="C1", street="Hauptstraße 5", city="Köln", postcode="50667",
                country="DE", tax_id="DE 123 456 789")]
    res = run(crm, erp)
    assert res.links["status"].tolist() == ["auto"]
    assert [e["field"] for e in by_type(res, "customer.attribute_mismatch")] == ["name"]


@pytest.mark.parametrize(("crm_name", "erp_name"), [
    ("John Smith t/a Smith Plumbing", "Smith Plumbing"), ("Smith Plumbing", "John Smith T/A Smith Plumbing"),
    ("Bright Horizons LLC dba Sunny Days Daycare", "Bright Horizons LLC"),
])
def test_a_customer_written_with_its_trading_name_links_automatically_with_no_name_difference(crm_name, erp_name):
    crm = [cust(sf(1), crm_name, street="1 Harbour Street", city="Leeds", postcode="LS1 4AP", country="GB")]
    erp = [cust("e1", erp_name, number="C1", street="1 Harbour Street", city="Leeds", postcode="LS1 4AP",
                country="GB")]
    res = run(crm, erp)
    assert res.links["status"].tolist() == ["auto"]
    assert by_type(res, "customer.attribute_mismatch") == []


def test_an_indian_customer_kept_by_its_pan_and_by_its_gstin_links_on_the_tax_id_alone():
    crm = [cust(sf(1), "Dorado Industries", street="419, Palla Street", city="Surat", postcode="395003",
                country="IN", tax_id="27AAPFU0939F1ZV")]
    erp = [cust("e1", "Castellan Pvt Ltd", number="C1", street="H.No. 288, Saraf Marg", city="Pune",
                postcode="411001", country="IN", tax_id="AAPFU0939F")]
    res = run(crm, erp)
    (link,) = res.links.to_dict("records")
    assert (link["erp_id"], link["method"]) == ("e1", "tax_id")
    assert "tax_id" not in {e["field"] for e in by_type(res, "customer.attribute_mismatch")}


def test_two_gstins_of_one_pan_are_two_registrations_and_reported():
    crm = [cust(sf(1), "Usk Components Pvt Ltd", xref="C1", country="IN", tax_id="27AADCB2230M1ZT")]
    erp = [cust("e1", "Usk Components Pvt Ltd", number="C1", country="IN", tax_id="29AADCB2230M1ZP")]
    res = run(crm, erp)
    assert [e["field"] for e in by_type(res, "customer.attribute_mismatch")] == ["tax_id"]


def _at_one_address(rid, name, **kw):
    return cust(rid, name, street=kw.pop("street", "1 Harbour Street"), city="Leeds", postcode="LS1 4AP",
                country="GB", **kw)


@pytest.mark.parametrize(("crm_name", "erp_name"), [
    ("Premier Tool Inc", "Premier Tools Inc"), ("Johnson Controls Inc", "Johnson Control Inc"),
    ("Hill & Sons Builders Ltd", "Hills & Sons Builders Ltd"),
    ("Wagner Metall GmbH", "Wegner Metall GmbH"), ("Brightline Media LLC", "Brightlane Media LLC"),
])
def test_names_a_plural_s_or_one_letter_apart_at_one_address_are_offered_not_linked(crm_name, erp_name):
    # two firms next door as often as one firm written twice: a person decides, the link is not made silently
    res = run([_at_one_address(sf(1), crm_name)], [_at_one_address("e1", erp_name, number="C1")])
    assert [(r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")] == [
        (sf(1), "e1", "suggested")]


@pytest.mark.parametrize(("crm_name", "erp_name"), [
    ("Shinbashi Denki K.K.", "Shimbashi Denki K.K."),          # one name in Hepburn's two spellings of n before b
    ("Northfield Components Ltd", "Northfie1d Components Ltd"),  # a misread 1 for l is no other letter
])
def test_one_name_in_two_spellings_a_letter_apart_still_links_automatically(crm_name, erp_name):
    res = run([_at_one_address(sf(1), crm_name)], [_at_one_address("e1", erp_name, number="C1")])
    assert res.links["status"].tolist() == ["auto"]


def test_names_a_plural_s_apart_still_link_automatically_when_their_tax_ids_agree():
    res = run([_at_one_address(sf(1), "Premier Tool Ltd", tax_id="GB123456789")],
              [_at_one_address("e1", "Premier Tools Ltd", number="C1", tax_id="GB 123 4567 89")])
    assert res.links["status"].tolist() == ["auto"]


@pytest.mark.parametrize(("crm_name", "erp_name"), [
    ("Northern Lights Renewable Energy Solutions Limited", "Northern Lights Renewable Ener"),       # 30
    ("Compagnie Méditerranéenne de Transports Frigorifiques SA", "Compagnie Méditerranéenne de Transp"),  # 35
    ("Mitteldeutsche Hartstein-Industrie Aktiengesellschaft", "Mitteldeutsche Hartstein-IndustrieAktiengesellschaft"),
])
def test_a_name_the_erp_cut_at_its_field_width_links_automatically_with_no_name_difference(crm_name, erp_name):
    res = run([_at_one_address(sf(1), crm_name)], [_at_one_address("e1", erp_name, number="C1")])
    assert [(r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")] == [(sf(1), "e1", "auto")]
    assert by_type(res, "customer.attribute_mismatch") == []


def test_two_companies_whose_names_the_erp_cut_alike_are_each_linked_by_their_address():
    crm = [_at_one_address(sf(1), "Rocky Mountain Environmental Engineering Services Inc"),
           _at_one_address(sf(2), "Rocky Mountain Environmental Engineering Supply Inc", street="90 Canal Road")]
    erp = [_at_one_address("e1", "Rocky Mountain Environmental E", number="C1", street="90 Canal Road"),
           _at_one_address("e2", "Rocky Mountain Environmental E", number="C2")]
    res = run(crm, erp)
    assert sorted((r["crm_id"], r["erp_id"], r["status"]) for r in res.links.to_dict("records")) == [
        (sf(1), "e2", "auto"), (sf(2), "e1", "auto")]


def test_cut_names_and_streets_spreadsheet_postcodes_and_mangled_letters_are_no_differences():
    crm = [cust(sf(1), "Westfälische Drahtindustrie Verwaltungsgesellschaft mbH", xref="C1", country="DE",
                street="Kaiser-Friedrich-Ring 115, Hinterhaus, 2. Obergeschoss", city="Wiesbaden", postcode="65185"),
           cust(sf(2), "Müller Maschinenbau GmbH", xref="C2", country="DE", street="Prager Straße 2", city="Dresden",
                postcode="01067"),
           cust(sf(3), "Boston Harbor Supply Inc", xref="C3", country="US", street="120 Cambridge St", city="Boston",
                postcode="02134"),
           cust(sf(4), "Björk Bygg AB", xref="C4", country="SE", street="Drottninggatan 5", city="Göteborg",
                postcode="411 06")]
    erp = [cust("e1", "Westfälische Drahtindustrie Verwalt", number="C1", country="DE",
                street="Kaiser-Friedrich-Ring 115, Hinterhaus, 2", city="Wiesbaden", postcode="65185"),
           cust("e2", "MÃ¼ller Maschinenbau GmbH", number="C2", country="DE", street="Prager StraÃŸe 2",
                city="Dresden", postcode="1067.0"),
           cust("e3", "Boston Harbor Supply Inc", number="C3", country="US", street="120 Cambridge St",
                city="Boston", postcode="'02134"),
           cust("e4", "Bj?rk Bygg AB", number="C4", country="SE", street="Drottninggatan 5", city="GÃ¶teborg",
                postcode="41106")]
    res = run(crm, erp)
    assert res.links["status"].tolist() == ["auto"] * 4
    assert by_type(res, "customer.attribute_mismatch") == []


def test_a_store_s_number_with_or_without_its_word_is_no_difference_and_another_store_s_number_is():
    crm = [cust(sf(1), "Walmart #1234", xref="C1"), cust(sf(2), "ALDI SÜD Filiale 123", xref="C2", country="DE"),
           cust(sf(3), "CVS Pharmacy #07731", xref="C3"), cust(sf(4), "McDonald's #4521", xref="C4")]
    erp = [cust("e1", "Walmart Store 1234", number="C1"), cust("e2", "Aldi Süd Filiale Nr. 123", number="C2",
                                                                country="DE"),
           cust("e3", "CVS Pharmacy 7731", number="C3"), cust("e4", "McDonald's #4512", number="C4")]
    res = run(crm, erp)
    assert [(e["crm_value"], e["erp_value"]) for e in by_type(res, "customer.attribute_mismatch")] == [
        ("McDonald's #4521", "McDonald's #4512")]
