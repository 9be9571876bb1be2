"""Exceptions made ready for a correction proposal (an ERP invoice balance the CRM says is wrong)."""

from __future__ import annotations

from collections.abc import Iterable

from workbench.store.db import Store
from workbench.store.schema import ExceptionRow


def make_proposable(store: Store, ids: Iterable[int]) -> None:
    with store.session() as s:
        for i in ids:
            ex = s.get(ExceptionRow, i)
            assert ex is not None, f"exception {i} is not in the store"
            ex.erp_object, ex.proposal = "invoices", {
                "target_side": "erp", "target_system": "business_central", "object": "invoices",
                "record_id": ex.erp_id, "field": "balance", "from": "90.00", "to": "100.00",
                "needs_decision": False, "reason": "the CRM invoice was paid in part"}
