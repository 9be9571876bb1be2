"""What a reconciliation produces: links, exceptions and control totals, as data.

The engine (workbench.reconcile.engine.reconcile) returns a ReconResult; the
pipeline stores it, the CLI prints it, the app shows it, the workbook exports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

# One row per customer link (CRM customer ↔ ERP customer).
LINK_COLUMNS = [
    "crm_id",        # CRM customer record_id (None for an ERP-only record in unmatched lists)
    "erp_id",        # ERP customer record_id
    "method",        # xref_crm | xref_erp | xref_both | tax_id | domain | duns | fuzzy | manual
    "confidence",    # 0..1 float score (not money)
    "evidence",      # dict: what was compared and the scores, e.g. {"name": 0.97, "postcode": true}
    "status",        # auto | suggested | confirmed | rejected
]

# One row per exception.
EXCEPTION_COLUMNS = [
    "key",            # stable identity across runs: f"{type}|{crm_id}|{erp_id}|{field}"
    "type",           # e.g. customer.missing_in_erp, pricing.price_mismatch, invoice.status_mismatch
    "family",         # customer | pricing | invoice | order | credit | timing | data_quality
    "severity",       # critical | high | medium | low
    "crm_object",     # canonical kind on the CRM side ("customers", "prices", "invoices", ...) or None
    "crm_id",         # record_id on the CRM side or None
    "erp_object",
    "erp_id",
    "crm_number",     # the business number a person looks up for the CRM record (account number, invoice or
                      #   order number, product code), None when the record has none
    "erp_number",     # the same for the ERP record (customer number, invoice number, item number)
    "customer_name",  # the name as the source shows it (original, never normalised)
    "field",          # the main canonical field that differs, or None
    "crm_value",      # display text of the CRM value (original formatting)
    "erp_value",
    "difference",     # Decimal (crm - erp) for numeric fields, else None
    "amount_at_risk", # Decimal, >= 0, in `currency`
    "currency",       # ISO 4217 or None
    "diffs",          # list of {"field", "crm", "erp"} (all differing fields, display text)
    "proposal",       # dict or None: {"target_side": "crm"|"erp", "object", "record_id", "field",
                      #   "from", "to", "needs_decision": bool, "reason"}
    "message",        # one sentence a controller understands
]

CONTROL_TOTAL_COLUMNS = ["side", "currency", "invoices", "total_amount", "open_balance"]


class Unreported(StrEnum):
    """Why part of the open-balance difference (CRM - ERP) of a currency is in no exception: the
    reconciling items of the run's stats beside "explained" (by exceptions) and "unexplained"."""
    WITHIN_TOLERANCE = "within_tolerance"  # a matched pair's balances apart by no more than the tolerance
    IN_FLIGHT = "in_flight"  # an ERP payment or cancellation the CRM may still catch up on within the sync lag
    DRAFTS = "drafts"  # a draft on one side: not yet an invoice, so not missing from the other
    OTHER_CURRENCY = "other_currency"  # an invoice matched to one in another currency: each counts under its own


UNREPORTED_LABELS = {Unreported.WITHIN_TOLERANCE: "Within tolerance", Unreported.IN_FLIGHT: "In flight (sync lag)",
                     Unreported.DRAFTS: "Drafts", Unreported.OTHER_CURRENCY: "Matched in another currency"}


@dataclass
class ReconResult:
    links: pd.DataFrame
    exceptions: pd.DataFrame
    control_totals: pd.DataFrame
    # free-form counts for the summary: records per side, links per method, exceptions per type,
    # reconciling difference per currency: how much of it the exceptions explain, how much is in none and
    # why (``Unreported``), and what is left unexplained
    stats: dict[str, Any] = field(default_factory=dict)


def empty_exceptions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in EXCEPTION_COLUMNS})


def empty_links() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in LINK_COLUMNS})
