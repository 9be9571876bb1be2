"""A store whose exceptions each propose a new city for one Business Central sandbox customer."""

from __future__ import annotations

from typing import Any

from tests.workbench.corrections.conftest import add_exception, add_run


def city_exceptions(store: Any, handle: Any, n: int) -> tuple[list[int], list[dict[str, Any]]]:
    """``n`` open exceptions (ERP side only) proposing ``Newtown <i>`` for the sandbox's first
    ``n`` customers; the run's config points at the sandbox. Returns exception ids and records."""
    from workbench.sandbox.erp import demo_config
    recs = [d for _, d, _ in handle.store.scan("customers")][:n]
    run = add_run(store, config={"run": {"name": "October close", "as_of": "2026-10-31"},
                                 "crm": {"connector": "files", "system": "salesforce"}, "erp": demo_config(handle)})
    eids = [add_exception(store, run, type="customer.attribute_mismatch", crm_id=None, crm_object=None,
                          erp_id=d["id"], erp_object="customers", field="city", crm_value=f"Newtown {i}",
                          erp_value=d["city"], customer_name=d["displayName"],
                          proposal={"target_side": "erp", "target_system": "business_central", "object": "customers",
                                    "record_id": d["id"], "field": "city", "from": d["city"], "to": f"Newtown {i}",
                                    "needs_decision": False})
            for i, d in enumerate(recs)]
    return eids, recs


def city_of(handle: Any, record_id: str) -> str:
    return str(handle.store.get("customers", record_id)[0]["city"])


