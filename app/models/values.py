"""Compared values as a controller reads them: ``value_text`` (money, dates, flags, statuses) plus the
block values an ERP stores for a blocked customer, which are the system's codes ("All")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workbench.model.labels import MISSING, value_text
from workbench.model.missing import is_missing
from workbench.model.money import format_amount

# Business Central's Customer "Blocked" option (Enum "Customer Blocked", ID 139): blank, Ship, Invoice, All.
# What each blocks, from Microsoft's field reference:
# https://learn.microsoft.com/en-us/previous-versions/dynamicsnav-2016/hh894189(v=nav.90)
# https://microsoft.github.io/BCApps/reference/base-application/Enum/Microsoft.Sales.Customer.Customer-Blocked.html
# "active" is what the engine writes for the CRM's side of a customer blocked in the ERP
# (workbench/reconcile/customers.py, _credit).
BLOCKED_WORDS: dict[str, str] = {
    "": "Not blocked",
    "active": "Active, not blocked",
    "Ship": "Blocked for shipping (Ship)",                  # no new quotes, orders or shipments
    "Invoice": "Blocked for shipping and invoicing (Invoice)",  # nor invoices, nor invoicing what shipped
    "All": "Blocked for everything (All)",                  # no transactions at all, payments included
}


def shown_value(value: Any, field: str | None = None, currency: str | None = None) -> str:
    """``value`` in words: a customer's block value as what it blocks, anything else as ``value_text``."""
    if field == "blocked" and not is_missing(value) and isinstance(value, str):
        words = BLOCKED_WORDS.get(value.strip() if value.strip() else "")
        if words is not None:
            return words
    return value_text(value, field, currency)


def nothing_at_risk(amount: Any, currency: str | None) -> bool:
    """No amount at risk: none stored, or a zero without a currency (a customer's record or a missing tax ID
    puts no money at risk; the engine stores 0 and no currency for it)."""
    if amount is None or is_missing(amount):
        return True
    try:
        return not currency and Decimal(str(amount)).is_zero()
    except ArithmeticError:
        return False


def risk_text(amount: Any, currency: str | None) -> str:
    """An amount at risk with its currency, or a dash when there is none: a bare "0" read as an amount
    whose currency had been lost."""
    return MISSING if nothing_at_risk(amount, currency) else format_amount(Decimal(str(amount)), currency)
