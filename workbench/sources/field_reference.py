"""The canonical fields accepted under ``[<side>.objects.<kind>.fields]``, generated from the code.

``python -m workbench.sources.field_reference > docs/reference/fields.md`` writes the
reference; a test fails when the committed file differs, so it cannot drift from the
record dataclasses (model.records) or the export profiles (file_defaults).
"""

from __future__ import annotations

import typing
from dataclasses import fields

from workbench.model.records import RECORD_TYPES
from workbench.sources.file_defaults import SYSTEM_DEFAULTS
from workbench.sources.file_refs import TARGETS

# what a field means, for every kind that has it; (kind, field) entries override
MEANING: dict[str | tuple[str, str], str] = {
    "record_id": "the record's own id in its system (Salesforce Id, BC GUID, Odoo ID, or the composite `key`)",
    "name": "display name",
    "number": "the record's number as users quote it (customer no., order no., invoice no.)",
    "xref": "the other system's key stored on this record (CRM: ERP number; ERP: Salesforce Account Id)",
    "street": "billing street", "city": "billing city", "postcode": "billing postal code",
    "state": "billing state or region", "country": "billing country (ISO 3166-1 alpha-2 where the source allows)",
    "tax_id": "VAT / tax registration number", "website": "web site", "email": "e-mail address",
    "phone": "phone number", "duns": "D-U-N-S number",
    "currency": "ISO 4217 currency code",
    "parent_id": "the parent / bill-to customer (its record id, same system)",
    "blocked": "empty when the customer may be sold to, else the system's block value",
    "active": "yes/no: the record is active",
    "last_modified": "last change, ISO 8601 date-time (UTC when no offset is given)",
    "version": "(derived) the file row's content hash, used for concurrency",
    "code": "product code / SKU / item number",
    "product_code": "the product's code (price and order line)",
    "product_id": "the product's record id, same system",
    "product_name": "the product's name as shown on the price entry",
    "unit_price": "price per unit (decimal, never rounded)",
    "pricebook": "price book / price list name",
    "effective_date": "first day the price applies", "end_date": "last day the price applies",
    "min_quantity": "minimum quantity for the price to apply",
    "customer_id": "the customer's record id, same system (or via `customer_number` / a reference)",
    "total_amount": "total including tax",
    "order_date": "order date",
    "status": "the system's own status value",
    ("invoices", "status"): "(derived) canonical status read from status_fields through the status table",
    "booked": "(derived from booked_values) the order counts as booked",
    "kind": "(derived) the source document type",
    "order_id": "the order's record id, same system",
    "quantity": "quantity", "list_price": "list price per unit", "discount_percent": "line discount in percent",
    "amount": "amount", "open_balance": "amount still due (decimal; 0 when paid)",
    "status_raw": "(derived) the source's own status values joined by |",
    "invoice_date": "invoice date", "due_date": "due date",
    "order_ref": "the sales order the invoice came from",
    "external_ref": "the ERP invoice's reference to the CRM document (BC externalDocumentNumber, Odoo Reference)",
    "is_credit_note": "(derived from the status) the document is a credit note",
    "invoice_number": "the invoice number the payment applies to",
    "payment_date": "payment date",
    ("orders", "xref"): "the other system's order number",
    ("invoices", "number"): "the ERP invoice number (CRM side: the ERP number it was posted as)",
    ("payments", "amount"): "amount paid",
    ("order_lines", "amount"): "line amount",
}
PSEUDO = {"customer_number": "the customer's number, resolved to customer_id after reading",
          "parent_number": "the parent customer's number, resolved to parent_id after reading"}
SYSTEMS = tuple(SYSTEM_DEFAULTS)


def meaning(kind: str, name: str) -> str:
    return MEANING.get((kind, name)) or MEANING.get(name) or PSEUDO.get(name) or ""


def _type(tp: object) -> str:
    text = tp.__name__ if isinstance(tp, type) else str(tp)
    text = text.replace("typing.", "").replace("datetime.", "").replace("decimal.", "")
    return {"str": "text", "str | None": "text", "Decimal": "decimal", "Decimal | None": "decimal",
            "date | None": "date", "datetime | None": "date-time", "bool": "yes/no", "bool | None": "yes/no"}.get(
        text, text)


def _source(kind: str, name: str, system: str) -> str:
    prof = SYSTEM_DEFAULTS[system].get(kind, {})
    if name == "record_id" and prof.get("key"):
        cols = prof["fields"].get("record_id")
        key = " + ".join(prof["key"])
        return f"`{cols}`, else key {key}" if cols else f"key {key}"
    if kind == "invoices" and name == "status" and prof.get("status_fields"):
        return "status_fields: " + " + ".join(f"`{c}`" for c in prof["status_fields"])
    ref = (prof.get("references") or {}).get(name)
    if ref:
        cols = ref["column"] if isinstance(ref["column"], str) else " / ".join(ref["column"])
        return f"`{cols}` (by {ref['by']})"
    src = prof.get("fields", {}).get(name)
    if not src:
        return ""
    return " / ".join(f"`{c}`" for c in ((src,) if isinstance(src, str) else src))


def render() -> str:
    lines = ["# Canonical fields of file extracts", "",
             "Generated by `python -m workbench.sources.field_reference` from the record definitions and the",
             "export profiles; do not edit by hand. Map a column to a field under",
             "`[<side>.objects.<kind>.fields]` (e.g. `tax_id = \"VAT_Number__c\"`). A default column that",
             "is absent from the file leaves the field empty; alternatives separated by `/` are tried in order.",
             "Fields marked *required* must have a value in every row. *(derived)* fields are computed and",
             "cannot be mapped. References (`by ...`) are explained in [conventions](../extracts/conventions.md).",
             ""]
    from workbench.sources.files import CURRENCY_FROM_PARENT, NON_BLANK
    for kind, rec in RECORD_TYPES.items():
        lines += [f"## {kind}", ""]
        head = ["Field", "Type", "Meaning", *(s.replace("_", " ").title() for s in SYSTEMS)]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        hints = typing.get_type_hints(rec)
        names = [f.name for f in fields(rec)] + [p for p in PSEUDO if any(
            p in SYSTEM_DEFAULTS[s].get(kind, {}).get("fields", {}) for s in SYSTEMS)]
        for name in names:
            required = name in NON_BLANK.get(kind, ()) and not (name == "currency" and kind in CURRENCY_FROM_PARENT)
            typ = _type(hints.get(name, str)) + (", required" if required else "")
            if name in TARGETS and name in hints:
                typ += f", refers to {TARGETS[name]}"
            row = [f"`{name}`", typ, meaning(kind, name), *(_source(kind, name, s) for s in SYSTEMS)]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
