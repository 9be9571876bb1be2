"""The Frappe DocType rules a REST profile checks before it sends a write."""

from workbench.sources.frappe_schema import fields_of, refusal

DOC = {"name": "Customer", "fields": [
    {"fieldname": "customer_name", "fieldtype": "Data", "reqd": 1},
    {"fieldname": "customer_type", "fieldtype": "Select", "options": "Company\nIndividual\nPartnership", "reqd": 1},
    {"fieldname": "tax_id", "fieldtype": "Data", "length": 0},
    {"fieldname": "po_no", "fieldtype": "Data", "allow_on_submit": 1},
    {"fieldname": "status", "fieldtype": "Select", "options": "Draft\nPaid", "read_only": 1},
    {"fieldname": None, "fieldtype": "Section Break"},
]}


def test_the_rules_come_from_the_doctype_document():
    f = fields_of(DOC)
    assert set(f) == {"customer_name", "customer_type", "tax_id", "po_no", "status"}  # layout rows have no field
    assert f["customer_type"].reqd and f["po_no"].allow_on_submit and f["status"].read_only


def test_what_frappe_would_refuse_is_named_and_the_rest_passes():
    f = fields_of(DOC)
    assert "mandatory" in refusal(f["customer_name"], "  ", 0)
    assert refusal(f["tax_id"], None, 0) is None  # clearing an optional field is fine
    assert "140 characters" in refusal(f["tax_id"], "X" * 141, 0)
    assert refusal(f["tax_id"], "X" * 140, 0) is None
    assert "not one of the field's options (Company, Individual, Partnership)" in refusal(f["customer_type"], "Firm", 0)
    assert refusal(f["customer_type"], "Individual", 0) is None
    assert "read-only" in refusal(f["status"], "Paid", 0)
    assert "UpdateAfterSubmitError" in refusal(f["tax_id"], "DE1", 1)
    assert refusal(f["po_no"], "PO-7", 1) is None  # allow_on_submit
    assert "cancelled" in refusal(f["po_no"], "PO-7", 2)
