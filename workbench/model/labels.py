"""The words a person reads for the codes the engine and the store use.

One table for exception types, canonical fields, record kinds, severities and the states of
exceptions and corrections, used by the app, the CLI and the workbook alike, so a controller
sees "Invoice status differs" everywhere and the code only where it helps (a tooltip, a
filter, a column for tools). A code without an entry reads as itself made plain
(``invoice.some_new_check`` → "Invoice: some new check"), never as an empty cell.

Values for display go through ``value_text``: money with its currency's minor units and
the currency code, dates in ISO form, yes/no for flags, and an em dash for a missing value,
so ``nan``, ``None`` and ``NaT`` never reach a person.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workbench.model.missing import is_missing
from workbench.model.money import format_amount
from workbench.model.records import DECIMAL_FIELDS, MONEY_FIELDS

MISSING = "—"  # what a missing value reads as: an em dash, never None/nan/NaT

TYPE_LABELS: dict[str, str] = {
    "customer.missing_in_erp": "Customer missing in ERP",
    "customer.missing_in_crm": "Customer missing in CRM",
    "customer.missing_xref": "Customer cross-reference missing",
    "customer.wrong_xref": "Customer cross-reference points elsewhere",
    "customer.duplicate": "Duplicate customer",
    "customer.attribute_mismatch": "Customer details differ",
    "customer.name_variant": "Customer name spelled differently",
    "pricing.price_mismatch": "Price differs",
    "pricing.missing_in_erp": "Price missing in ERP",
    "pricing.missing_in_crm": "Price missing in CRM",
    "pricing.off_price_order_line": "Order line off the price list",
    "invoice.status_mismatch": "Invoice status differs",
    "invoice.balance_mismatch": "Open balance differs",
    "invoice.partial_payment_not_reflected": "Partial payment not shown in CRM",
    "invoice.due_date_mismatch": "Due date differs",
    "invoice.amount_mismatch": "Invoice total differs",
    "invoice.missing_in_crm": "Invoice missing in CRM",
    "invoice.missing_in_erp": "Invoice missing in ERP",
    "order.missing_in_erp": "Order missing in ERP",
    "order.amount_mismatch": "Order total differs",
    "credit.blocked_in_erp": "Customer blocked in ERP",
    "timing.event_not_reflected": "Change not yet reflected",
    "data_quality.missing_tax_id": "Tax ID missing",
    "data_quality.missing_billing_country": "Billing country missing",
    "data_quality.unmapped_product": "Product not mapped",
    "data_quality.hierarchy_mismatch": "Parent account differs",
    "data_quality.unresolved_reference": "Reference to an unknown record",
}

FIELD_LABELS: dict[str, str] = {
    "record_id": "Record ID", "name": "Legal name", "number": "Number", "xref": "Cross-reference",
    "crm.xref": "CRM cross-reference",  # the field of a CRM cross-reference that points elsewhere (customers.py)
    "street": "Billing street", "city": "Billing city", "postcode": "Billing postcode", "state": "Billing state",
    "country": "Billing country", "tax_id": "Tax ID", "website": "Website", "email": "Email", "phone": "Phone",
    "duns": "D-U-N-S number", "currency": "Currency", "parent_id": "Parent account", "blocked": "Blocked",
    "active": "Active", "last_modified": "Last modified", "version": "Version", "code": "Product code",
    "product_code": "Product code", "unit_price": "Unit price", "pricebook": "Price book",
    "product_id": "Product", "product_name": "Product name", "effective_date": "Effective from",
    "end_date": "Effective to", "min_quantity": "Minimum quantity", "customer_id": "Customer",
    "total_amount": "Total amount", "order_date": "Order date", "status": "Status", "booked": "Booked",
    "kind": "Record type", "order_id": "Order", "quantity": "Quantity", "list_price": "List price",
    "discount_percent": "Discount %", "amount": "Amount", "open_balance": "Open balance",
    "status_raw": "Status as the system shows it", "invoice_date": "Invoice date", "due_date": "Due date",
    "order_ref": "Order reference", "external_ref": "External reference", "is_credit_note": "Credit note",
    "invoice_number": "Invoice number", "payment_date": "Payment date",
}

KIND_LABELS: dict[str, str] = {
    "customers": "Customer", "products": "Product", "prices": "Price", "orders": "Order",
    "order_lines": "Order line", "invoices": "Invoice", "payments": "Payment",
}

SEVERITY_LABELS: dict[str, str] = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}

EXCEPTION_STATUS_LABELS: dict[str, str] = {
    "open": "Open", "in_review": "In review", "reopened": "Reopened", "resolved": "Resolved", "waived": "Waived",
}

CORRECTION_STATE_LABELS: dict[str, str] = {
    "proposed": "Waiting for approval", "approved": "Approved, not yet sent", "rejected": "Rejected",
    "queued": "Queued to send", "pushing": "Sending", "applied": "Sent, not yet verified",
    "conflict": "Changed in the system since approval",
    "failed": "Failed, will retry", "dead_letter": "Failed, needs a person", "waived": "Waived",
}

SIDE_LABELS: dict[str, str] = {"crm": "CRM", "erp": "ERP"}

LINK_METHOD_LABELS: dict[str, str] = {
    "xref_crm": "the CRM's cross-reference", "xref_erp": "the ERP's cross-reference",
    "xref_both": "both cross-references", "tax_id": "the tax ID", "domain": "the web domain",
    "duns": "the D-U-N-S number", "fuzzy": "name and address", "manual": "a person",
}
LINK_STATUS_LABELS: dict[str, str] = {"auto": "automatic", "suggested": "suggested, waiting for a decision",
                                      "confirmed": "confirmed", "rejected": "rejected"}

# The systems behind the connectors, as their vendors write them (a [crm]/[erp] "system" key).
SYSTEM_LABELS: dict[str, str] = {
    "salesforce": "Salesforce", "business_central": "Business Central", "odoo": "Odoo", "erpnext": "ERPNext",
    "netsuite": "NetSuite", "sap": "SAP", "dynamics": "Dynamics 365", "hubspot": "HubSpot",
}

# Canonical invoice (and order) statuses as a person reads them in a sentence.
STATUS_LABELS: dict[str, str] = {
    "draft": "Draft", "open": "Open", "partially_paid": "Partially paid", "paid": "Paid",
    "void": "Cancelled (void)", "credit_note": "Credit note",
}


def _plain(code: str) -> str:
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else MISSING


def type_label(code: str | None) -> str:
    """"invoice.status_mismatch" → "Invoice status differs"; an unknown code reads as plain words."""
    if is_missing(code) or not code:
        return MISSING
    known = TYPE_LABELS.get(code)
    if known:
        return known
    family, _, rest = code.partition(".")
    return f"{_plain(family)}: {rest.replace('_', ' ')}" if rest else _plain(family)


def field_label(field: str | None) -> str:
    """"open_balance" → "Open balance"; fields a mapping adds (``custom__c``) read as plain words."""
    if is_missing(field) or not field:
        return MISSING
    return FIELD_LABELS.get(field) or _plain(field.removesuffix("__c"))


def kind_label(kind: str | None) -> str:
    if is_missing(kind) or not kind:
        return MISSING
    return KIND_LABELS.get(kind) or _plain(kind)


def severity_label(severity: str | None) -> str:
    return MISSING if is_missing(severity) or not severity else SEVERITY_LABELS.get(severity, _plain(severity))


def exception_status_label(status: str | None) -> str:
    return MISSING if is_missing(status) or not status else EXCEPTION_STATUS_LABELS.get(status, _plain(status))


# An applied correction once its re-read has judged it: "not yet verified" beside "Verification: Agreed"
# (or under a push summary saying "re-read: 4 agreed") would contradict itself.
VERIFIED_STATE_LABELS: dict[str, str] = {"agreed": "Sent and verified",
                                         "still_differs": "Sent, but the system still differs"}


def correction_state_label(state: str | None, verification: str | None = None) -> str:
    """The state in words; an applied correction's with what its re-read found (``verification``)."""
    if state == "applied" and verification in VERIFIED_STATE_LABELS:
        return VERIFIED_STATE_LABELS[verification]
    return MISSING if is_missing(state) or not state else CORRECTION_STATE_LABELS.get(state, _plain(state))


def link_method_label(method: str | None) -> str:
    """How a customer link was made: "xref_crm" → "the CRM's cross-reference"."""
    return MISSING if is_missing(method) or not method else LINK_METHOD_LABELS.get(method, _plain(method))


# What a link's evidence compared, in the order a person reads a customer (the engine's keys: linking.evidences);
# the score is the link's confidence, shown beside it.
_EVIDENCE_WORDS = {"name": "name", "street": "street", "city": "city", "postcode": "postcode", "country": "country",
                   "tax_id": "tax ID", "domain": "web domain", "duns": "DUNS"}
_XREF_WORDS = {"xref_crm": "the CRM names the ERP customer", "xref_erp": "the ERP names the CRM customer"}


def link_evidence_words(evidence: Any) -> str:
    """A link's evidence as a person reads it: {"name": 0.91, "city": 1.0, "country": False} → "name 91% alike,
    city the same, country differs". Similarities are 0 to 1; a key this does not know keeps its code."""
    if not isinstance(evidence, dict):
        return "" if is_missing(evidence) else str(evidence)
    words = []
    for key, what in _EVIDENCE_WORDS.items():
        v = evidence.get(key)
        if v is True or v == 1:
            words.append(f"{what} the same")
        elif v is False or v == 0:
            words.append(f"{what} differs")
        elif isinstance(v, int | float):
            words.append(f"{what} {int(v * 100)}% alike")  # down, not up: 0.995 is not "100% alike"
    words += [w for key, w in _XREF_WORDS.items() if evidence.get(key)]
    words += [f"{k} {v}" for k, v in evidence.items() if k not in _EVIDENCE_WORDS and k not in _XREF_WORDS
              and k != "score"]
    return ", ".join(words)


def link_status_label(status: str | None) -> str:
    return MISSING if is_missing(status) or not status else LINK_STATUS_LABELS.get(status, _plain(status))


def system_label(system: str | None, side: str | None = None) -> str:
    """"business_central" → "Business Central"; a connector that names no system ("files", "rest")
    reads as the side ("the ERP"), so a sentence never names a file format as a system."""
    if system and not is_missing(system) and system in SYSTEM_LABELS:
        return SYSTEM_LABELS[system]
    if system and not is_missing(system) and system not in ("files", "rest", "crm", "erp"):
        return _plain(system)
    return f"the {SIDE_LABELS.get(side or '', 'other system')}"


def is_money_field(field: str | None) -> bool:
    """Fields that hold an amount of money in some kind (open_balance, unit_price, ...)."""
    return bool(field) and any(field in names for names in MONEY_FIELDS.values())


def is_number_field(field: str | None) -> bool:
    return bool(field) and any(field in names for names in DECIMAL_FIELDS.values())


def value_text(value: Any, field: str | None = None, currency: str | None = None) -> str:
    """A compared value as a person reads it: money as "1,234.50 EUR" (the currency's minor
    units), dates as 2026-11-30, flags as Yes/No, missing as an em dash."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.strip().lower() in {"", "nan", "none", "nat", "null"}:
        return MISSING
    if field == "status" and text in STATUS_LABELS:
        return STATUS_LABELS[text]
    if field is not None and is_money_field(field):
        try:
            amount = value if isinstance(value, Decimal) else Decimal(text)
        except ArithmeticError:
            return text
        if amount.is_finite():
            return format_amount(amount, currency or None)
    if isinstance(value, Decimal):
        return f"{value:,}"
    return text
