"""Field mapping suggestions and saving them into the run config (Qt-free core of the Mapping screen)."""

from __future__ import annotations

import tomllib

import pytest

from workbench.errors import ConfigError, InputError
from workbench.sources.mapping_suggest import apply_mapping, save_config, status_overrides, status_table, suggest, words


def _f(name, type_="string", label=None):
    return {"name": name, "label": label or name, "type": type_}


def test_words_strip_namespaces_and_split_camel_case():
    assert words("ERP_Customer_Number__c") == "erp customer number"
    assert words("blng__InvoiceDate__c") == "invoice date"
    assert words("postalCode") == "postal code"


def test_a_new_orgs_custom_cross_reference_field_is_suggested_for_xref():
    fields = [_f("Id", "id"), _f("Name"), _f("AccountNumber"), _f("SAP_Customer_No__c", label="SAP Customer No"),
              _f("BillingCity"), _f("CurrencyIsoCode", "picklist"), _f("SystemModstamp", "datetime")]
    got = {s.canonical: s for s in suggest("customers", fields)}
    assert got["xref"].source == "SAP_Customer_No__c" and 80 < got["xref"].score < 100
    fields[3] = _f("ERP_Customer_No__c")
    got = {s.canonical: s for s in suggest("customers", fields)}
    assert got["xref"].source == "ERP_Customer_No__c"
    assert got["number"].source == "AccountNumber" and got["city"].source == "BillingCity"
    assert got["currency"].source == "CurrencyIsoCode" and got["version"].source == "SystemModstamp"
    assert got["record_id"].required and not got["xref"].required


def test_types_must_fit_and_each_source_field_is_used_once():
    fields = [_f("id", "guid"), _f("displayName"), _f("dueDate", "string"), _f("totalAmount", "date"),
              _f("remainingAmount", "decimal"), _f("number"), _f("customerNumber")]
    got = {s.canonical: s.source for s in suggest("invoices", fields)}
    assert got["total_amount"] is None  # a date is never suggested for an amount
    assert got["open_balance"] == "remainingAmount"
    assert got["number"] == "number"  # the field's own name beats the customer's number
    used = [v for v in got.values() if v]
    assert len(used) == len(set(used))


def test_what_the_config_maps_today_is_kept_not_re_pointed():
    fields = [_f("Id", "id"), _f("Name"), _f("Legal_Name__c")]
    got = {s.canonical: s for s in suggest("customers", fields, {"name": "Legal_Name__c"})}
    assert got["name"].source == "Legal_Name__c" and got["name"].current == "Legal_Name__c"


def test_status_overrides_hold_only_what_differs_from_the_default_table():
    table = status_table("business_central")
    assert table["Paid"] == "paid"
    table["Paid"] = "paid"
    table["Written Off"] = "void"
    assert status_overrides("business_central", table) == {"Written Off": "void"}
    with pytest.raises(InputError, match="overdue"):
        status_overrides("business_central", {"Late": "overdue"})


def test_apply_and_save_write_a_config_that_reads_back(tmp_path):
    raw = {"run": {"name": "x"}, "crm": {"connector": "files", "objects": {"customers": {"file": "A.csv",
                                                                                        "fields": {"xref": "Old"}}}},
           "erp": {"connector": "files"}}
    new = apply_mapping(raw, "crm", "customers", {"xref": "ERP_Customer_No__c", "tax_id": None})
    assert raw["crm"]["objects"]["customers"]["fields"]["xref"] == "Old"  # the input is not changed
    new = apply_mapping(new, "erp", "invoices", {}, status_map={"Written Off": "void"})
    p = save_config(tmp_path / "run.toml", new)
    back = tomllib.loads(p.read_text(encoding="utf-8"))
    assert back["crm"]["objects"]["customers"]["fields"] == {"xref": "ERP_Customer_No__c"}
    assert back["erp"]["objects"]["invoices"]["status_map"] == {"Written Off": "void"}
    with pytest.raises(InputError, match="not a canonical field"):
        apply_mapping(raw, "crm", "customers", {"vat": "X"})


def test_saving_refuses_a_secret_and_leaves_the_file_as_it_was(tmp_path):
    p = tmp_path / "run.toml"
    p.write_text('[crm]\nconnector = "files"\n[erp]\nconnector = "files"\n', encoding="utf-8")
    before = p.read_bytes()
    bad = {"crm": {"connector": "salesforce", "salesforce": {"password": "hunter2"}}, "erp": {"connector": "files"}}
    with pytest.raises(ConfigError, match="holds a secret"):
        save_config(p, bad)
    assert p.read_bytes() == before
    assert [x.name for x in tmp_path.iterdir()] == ["run.toml"]  # no temp file left behind


def test_bc_external_document_number_is_suggested_as_the_invoice_external_ref():
    from workbench.sources.mapping_suggest import suggest
    fields = [{"name": n, "label": n, "type": "string"} for n in
              ("id", "number", "externalDocumentNumber", "customerId", "currencyCode", "remainingAmount")]
    got = {s.canonical: s.source for s in suggest("invoices", fields)}
    assert got["external_ref"] == "externalDocumentNumber" and got["number"] == "number"

