"""Canonical invoice status vocabulary and per-source mapping tables.

Each system spells invoice state its own way, sometimes across two fields (Odoo
``state`` + ``payment_state``, Salesforce Billing ``blng__InvoiceStatus__c`` +
``blng__PaymentStatus__c``). A mapping table keys the source values joined by
"|" to a canonical status; "*" matches any value in that position. A run config
can override or extend the defaults under ``status_map`` of the invoices object.
``overdue`` is never stored: it is derived from due date, open balance and as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"
    CREDIT_NOTE = "credit_note"


CANONICAL = tuple(s.value for s in InvoiceStatus)

# Business Central API v2.0 salesInvoices.status. The API derives it for a posted invoice in
# this order (BC base app, SetStatusOptionFromSalesInvoiceHeader in the Sales Invoice
# Aggregator codeunit): Cancelled -> Canceled, Corrective -> Corrective, Closed -> Paid,
# else Open. An invoice is Corrective when it was posted to cancel a posted credit memo
# (table "Cancelled Document": source Sales Cr.Memo Header, "Cancelled By Doc. No." = the
# invoice). So it is a live posted invoice, neither a credit note nor void, and its status
# hides whether it is paid: it maps to "open" and is listed in BALANCE_DECIDES so its
# remaining amount settles paid / partially paid / open. (Project notes: WIRE.md, "Facts
# checked later".)
BUSINESS_CENTRAL = {
    "Draft": "draft", "In Review": "draft", "Open": "open", "Paid": "paid",
    "Canceled": "void", "Cancelled": "void", "Corrective": "open",
}

# Odoo account.move: move_type|state|payment_state. Selections as declared in
# odoo/addons/account/models/account_move.py (state: draft/posted/cancel; payment_state:
# not_paid/in_payment/paid/partial/reversed/invoicing_legacy, "blocked" in 17+);
# "in_payment" means paid and awaiting bank reconciliation, "reversed" fully credited.
ODOO = {
    "out_invoice|draft|*": "draft",
    "out_invoice|cancel|*": "void",
    "out_invoice|posted|not_paid": "open",
    "out_invoice|posted|in_payment": "paid",
    "out_invoice|posted|paid": "paid",
    "out_invoice|posted|partial": "partially_paid",
    "out_invoice|posted|reversed": "void",
    "out_invoice|posted|blocked": "open",
    "out_invoice|posted|invoicing_legacy": "paid",
    "out_refund|*|*": "credit_note",
}

# Salesforce Billing blng__InvoiceStatus__c|blng__PaymentStatus__c: picklist values as in the
# Salesforce Billing Object Reference, "Invoice" (help.salesforce.com, blng__Invoice__c
# fields Invoice Status: Draft, Posted, Cancelled, Rebilled, Error, Initiated; Payment
# Status: Unpaid, Partially Paid, Paid).
SALESFORCE_BILLING = {
    "Draft|*": "draft",
    "Initiated|*": "draft",
    "Posted|Unpaid": "open",
    "Posted|Partially Paid": "partially_paid",
    "Posted|Paid": "paid",
    "Cancelled|*": "void",
    "Rebilled|*": "void",
    "Error|*": "draft",
}

# Salesforce standard Invoice (API 48+): Status
SALESFORCE_INVOICE = {
    "Draft": "draft", "Pending": "draft", "Posted": "open", "Paid": "paid",
    "PartiallyPaid": "partially_paid", "Canceled": "void", "Cancelled": "void",
}

# ERPNext Sales Invoice.status
ERPNEXT = {
    "Draft": "draft", "Unpaid": "open", "Overdue": "open", "Partly Paid": "partially_paid",
    "Partly Paid and Discounted": "partially_paid", "Unpaid and Discounted": "open",
    "Overdue and Discounted": "open", "Paid": "paid", "Cancelled": "void",
    "Credit Note Issued": "paid", "Return": "credit_note", "Submitted": "open",
}

# Raw statuses (as status_raw holds them) that say nothing about payment: the remaining
# amount against the total decides, with the run's money tolerance (see settle()).
BALANCE_DECIDES = frozenset({"Corrective"})

DEFAULT_MAPS: dict[str, dict[str, str]] = {
    "business_central": BUSINESS_CENTRAL,
    "odoo": ODOO,
    "salesforce_billing": SALESFORCE_BILLING,
    "salesforce_invoice": SALESFORCE_INVOICE,
    "erpnext": ERPNEXT,
}


class UnknownStatus(ValueError):
    pass


class StatusMap:
    """Maps raw source values (one or several fields) to canonical statuses."""

    def __init__(self, table: dict[str, str], name: str = "status map"):
        self.name = name
        self.exact: dict[tuple[str, ...], str] = {}
        self.patterns: list[tuple[tuple[str, ...], str]] = []
        for key, target in table.items():
            if target not in CANONICAL:
                raise ValueError(
                    f"{name}: {key!r} maps to {target!r}, expected one of {', '.join(CANONICAL)}")
            parts = tuple(p.strip() for p in key.split("|"))
            (self.patterns.append((parts, target)) if "*" in parts
             else self.exact.__setitem__(parts, target))
        self.arity = len(next(iter(self.exact or dict(self.patterns)), ()))

    def map(self, *values: object) -> str:
        key = tuple("" if v is None else str(v).strip() for v in values)
        hit = self.exact.get(key)
        if hit is not None:
            return hit
        for parts, target in self.patterns:
            if len(parts) == len(key) and all(p == "*" or p == k for p, k in zip(parts, key, strict=True)):
                return target
        known = sorted("|".join(k) for k in self.exact) + sorted("|".join(p) for p, _ in self.patterns)
        raise UnknownStatus(
            f"unknown status value {'|'.join(key)!r} ({self.name}); known values: {', '.join(known)}")

    @classmethod
    def for_source(cls, system: str, overrides: dict[str, str] | None = None) -> StatusMap:
        table = dict(DEFAULT_MAPS.get(system, {}))
        table.update(overrides or {})
        if not table:
            raise ValueError(f"no status map for {system!r}: give one in the config under status_map")
        return cls(table, name=f"{system} status map")


def settle(status: str, raw: object, total: Decimal | None, balance: Decimal | None,
           negligible: Callable[[Decimal], bool]) -> str:
    """The canonical status a comparison uses. An "open" invoice with part of its total paid
    is partially paid (Business Central has no part-paid status and shows it only in the
    remaining amount); a status in BALANCE_DECIDES is paid / partially paid / open by its
    remaining amount. `negligible(amount)` says whether an amount is within the money
    tolerance of zero, so a balance of 5992.5989 against 5992.60 is not a part payment."""
    if total is None or balance is None:
        return status
    if raw in BALANCE_DECIDES and negligible(balance):
        return "paid"
    if status == "open" and not negligible(balance) and not negligible(abs(total) - abs(balance)) \
            and abs(balance) < abs(total):
        return "partially_paid"
    return status


def is_overdue(status: str, due: date | None, open_balance: Decimal | None, as_of: date) -> bool:
    """Open or partially paid, a balance left, and the due date has passed."""
    return (status in ("open", "partially_paid") and due is not None and due < as_of
            and (open_balance is None or open_balance > 0))


AGING_BUCKETS = ((0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90"), (None, "90+"))


def aging_bucket(due: date | None, as_of: date) -> str:
    if due is None or due >= as_of:
        return "current"
    days = (as_of - due).days
    for limit, label in AGING_BUCKETS[1:]:
        if limit is None or days <= limit:
            return label
    return "90+"
